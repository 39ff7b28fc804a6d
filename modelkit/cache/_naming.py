"""Names of the Redis keys modelkit writes, and the shape fingerprint in them.

An item's keys share one hash tag, so they live in one cluster slot and one Lua script can
touch them all: ``mk:<table>:<entity>:<fingerprint>:{<pk>|<sk>}:v`` holds the value and
``…:l`` the lease. Key values that hold ``{``, ``}`` or ``|``, or are long, are replaced in
the tag by a 128-bit hash (marked by a leading ``|``; a readable tag never starts with one)."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from modelkit.schema import EntityDesign

FORMAT = 1
"""Bumped when the layout of cached values changes; part of every fingerprint."""
READABLE_TAG_BYTES = 200


def fingerprint(entity: EntityDesign) -> str:
    """12 hex digits that change whenever the entity's stored shape changes (fields, types,
    constraints, nested types), so old bytes are never decoded as a new type."""
    parts: list[Any] = [FORMAT, entity.name, entity.type_value]
    for field in entity.fields:
        parts.append(
            [field.name, field.type, field.optional, field.attribute, repr(field.annotation)]
        )
    if entity.struct is not None:
        try:
            schema = msgspec.json.schema(entity.struct)
            parts.append(msgspec.json.decode(msgspec.json.encode(schema, order="deterministic")))
        except (TypeError, ValueError):
            parts.append(repr(entity.struct.__annotations__))
    blob = msgspec.json.encode(parts, order="deterministic")
    return hashlib.blake2b(blob, digest_size=6).hexdigest()


def item_tag(pk: str, sk: str | None) -> str:
    """The hash tag of one item's keys."""
    if sk is None:
        if len(pk) <= _SHORT and "{" not in pk and "}" not in pk and "|" not in pk:
            return "{" + pk + "}"
        text = pk
    else:
        text = pk + "|" + sk
        if len(text) <= _SHORT and not ("{" in text or "}" in text or text.count("|") > 1):
            return "{" + text + "}"
    special = (
        "{" in pk
        or "}" in pk
        or "|" in pk
        or (sk is not None and ("{" in sk or "}" in sk or "|" in sk))
    )
    if not special and len(text.encode()) <= READABLE_TAG_BYTES:
        return "{" + text + "}"
    digest = hashlib.blake2b(f"{pk}\x00{sk}".encode(), digest_size=16).hexdigest()
    return "{|" + digest + "}"


_SHORT = READABLE_TAG_BYTES // 4
"""Text of at most this many characters is at most READABLE_TAG_BYTES bytes in UTF-8."""


class EntityKeys:
    """The Redis key names of one entity's cached items."""

    def __init__(self, prefix: str, table: str, entity: EntityDesign) -> None:
        self.fingerprint = fingerprint(entity)
        self.prefix = f"{prefix}:{table}:{entity.name}:{self.fingerprint}:"

    def value_key(self, tag: str) -> bytes:
        """The value's key; its lease's is the same with a final ``l`` for the ``v``."""
        return (self.prefix + tag + ":v").encode()


def partition_tag(index: str, pk: str) -> str:
    """The hash tag of one index partition's cached query pages."""
    return item_tag(f"{index}#{pk}", None)
