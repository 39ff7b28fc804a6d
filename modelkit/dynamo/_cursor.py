"""Opaque pagination cursors, bound to the query that made them and signed.

A cursor carries DynamoDB's ``LastEvaluatedKey`` and a *binding*: the table, index, pattern
and partition key of the query. It is signed with HMAC-SHA256 under the configured secret, so
a client cannot edit it to start elsewhere, and it is refused by any other query: another
pattern, another partition (another tenant, when tenants lead the partition keys).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any

from modelkit.errors import ModelkitError

VERSION = "1"


class CursorError(ModelkitError, ValueError):
    """A cursor that was edited, is malformed, or belongs to another query."""


class CursorSigner:
    """Signs and checks cursors with one secret (bytes or str).

    Without a secret, a random one is made: cursors then work only within this process.
    """

    def __init__(self, secret: bytes | str | None = None) -> None:
        if secret is None:
            secret = secrets.token_bytes(32)
        self._key = secret.encode() if isinstance(secret, str) else secret
        if len(self._key) < 16:
            raise ValueError("a cursor secret needs at least 16 bytes")

    def _sign(self, payload: bytes) -> str:
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()
        return _b64(mac[:16])

    def dump(self, last_key: Mapping[str, Any], binding: Mapping[str, Any]) -> str:
        """A cursor for ``last_key`` (a LastEvaluatedKey) of the query described by ``binding``."""
        payload = json.dumps(
            {"k": _plain(last_key), "b": _plain(binding)}, sort_keys=True, separators=(",", ":")
        ).encode()
        return f"{VERSION}.{_b64(payload)}.{self._sign(payload)}"

    def load(self, cursor: str, binding: Mapping[str, Any]) -> dict[str, Any]:
        """The LastEvaluatedKey in ``cursor``, if it is genuine and made by this same query."""
        try:
            version, body, signature = cursor.split(".")
            payload = _unb64(body)
        except (ValueError, AttributeError):
            raise CursorError(
                "the cursor is malformed; pass back the cursor a page returned"
            ) from None
        if version != VERSION:
            raise CursorError(f"the cursor has version {version!r}; this version reads {VERSION}")
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise CursorError(
                "the cursor's signature does not match: it was edited or signed with another secret"
            )
        data = json.loads(payload)
        if data["b"] != _plain(binding):
            raise CursorError(
                "the cursor belongs to another query (pattern, index or partition "
                "key differ); start that query without a cursor"
            )
        last_key: dict[str, Any] = _restore(data["k"])
        return last_key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _plain(value: Any) -> Any:
    """JSON-safe form of an AttributeValue map (bytes become tagged base64)."""
    if isinstance(value, bytes):
        return {"$b": _b64(value)}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$b"}:
            return _unb64(value["$b"])
        return {k: _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value
