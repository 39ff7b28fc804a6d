"""Cursors round-trip, and are refused when edited, re-signed or used by another query."""

from __future__ import annotations

import base64
import json

import pytest

from modelkit.dynamo._cursor import CursorError, CursorSigner

LAST = {"PK": {"S": "TENANT#acme"}, "SK": {"S": "USER#u-1"}, "B": {"B": b"\x00\xff"}}
BINDING = {"table": "app", "index": "primary", "pattern": "users", "pk": "TENANT#acme"}


def test_round_trip_keeps_the_key_including_bytes() -> None:
    signer = CursorSigner("a secret of sixteen+ bytes")
    cursor = signer.dump(LAST, BINDING)
    assert cursor.startswith("1.") and "acme" not in cursor
    assert signer.load(cursor, BINDING) == LAST


def test_another_tenant_or_pattern_is_refused() -> None:
    signer = CursorSigner("a secret of sixteen+ bytes")
    cursor = signer.dump(LAST, BINDING)
    for change in ({"pk": "TENANT#evil"}, {"pattern": "admins"}, {"index": "GSI1"}):
        with pytest.raises(CursorError, match="another query"):
            signer.load(cursor, {**BINDING, **change})


def test_edited_cursor_is_refused() -> None:
    signer = CursorSigner("a secret of sixteen+ bytes")
    version, body, signature = signer.dump(LAST, BINDING).split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["k"]["SK"]["S"] = "USER#zzz"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    with pytest.raises(CursorError, match="signature does not match"):
        signer.load(f"{version}.{forged}.{signature}", BINDING)


def test_other_secret_and_garbage_are_refused() -> None:
    cursor = CursorSigner("a secret of sixteen+ bytes").dump(LAST, BINDING)
    with pytest.raises(CursorError, match="signature"):
        CursorSigner("another secret, also long").load(cursor, BINDING)
    for garbage in ("", "abc", "1.a.b.c", "2." + cursor[2:]):
        with pytest.raises(CursorError):
            CursorSigner("a secret of sixteen+ bytes").load(garbage, BINDING)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        CursorSigner("short")
