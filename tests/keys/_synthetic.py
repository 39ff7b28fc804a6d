"""A schema whose key fields are all str, shaped to make delimiters and prefixes matter.

Tenant, Item and Note share the ``T#{t}`` partition; Free's sort key starts with a field;
Solo and Bare have keys that are a single field (so an empty value is an empty key).
"""

from __future__ import annotations

import msgspec

from modelkit import Index, Key, Table

table = Table("adversarial", indexes=[Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK")])


@table.entity(key=Key(pk="T#{t}", sk="META"))
class Tenant(msgspec.Struct, kw_only=True):
    t: str


@table.entity(key=Key(pk="T#{t}", sk="I#{i}#{j}"), indexes={"GSI1": Key(pk="J#{j}", sk="{i}#{t}")})
class Item(msgspec.Struct, kw_only=True):
    t: str
    i: str
    j: str


@table.entity(key=Key(pk="T#{t}", sk="N#{i}"))
class Note(msgspec.Struct, kw_only=True):
    t: str
    i: str


@table.entity(key=Key(pk="F#{a}", sk="{b}#{c}"))
class Free(msgspec.Struct, kw_only=True):
    a: str
    b: str
    c: str


@table.entity(key=Key(pk="S#{a}", sk="{b}"), indexes={"GSI1": Key(pk="{b}", sk="{a}")})
class Solo(msgspec.Struct, kw_only=True):
    a: str
    b: str


@table.entity(key=Key(pk="{a}", sk="BARE"))
class Bare(msgspec.Struct, kw_only=True):
    a: str


design = table.compile()
