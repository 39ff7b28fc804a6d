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
import secrets
from collections.abc import Mapping
from typing import Any

import msgspec

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
        payload = _encode({"k": last_key, "b": binding})
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
        data = msgspec.json.decode(payload)
        if data["b"] != msgspec.json.decode(_encode(binding)):
            raise CursorError(
                "the cursor belongs to another query (pattern, index or partition "
                "key differ); start that query without a cursor"
            )
        return {name: _restore(value) for name, value in data["k"].items()}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _encode(data: Any) -> bytes:
    """Canonical JSON (sorted keys); bytes become base64 text."""
    return msgspec.json.encode(data, order="sorted")


def _restore(value: Any) -> Any:
    """An AttributeValue from its JSON form: binary values back to bytes."""
    if isinstance(value, dict) and len(value) == 1:
        ((kind, data),) = value.items()
        if kind == "B":
            return {"B": base64.b64decode(data)}
        if kind == "BS":
            return {"BS": [base64.b64decode(d) for d in data]}
        if kind == "L":
            return {"L": [_restore(v) for v in data]}
        if kind == "M":
            return {"M": {k: _restore(v) for k, v in data.items()}}
    return value
