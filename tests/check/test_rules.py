"""Each check rule fires on the design it is about, names the place, and stays quiet otherwise."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

import msgspec
import pytest

from modelkit import CachePolicy, Index, Key, Table
from modelkit.check import Finding, check_table


def codes(table: Table) -> list[str]:
    return [f.code for f in check_table(table)[1]]


def only(table: Table, code: str) -> Finding:
    found = [f for f in check_table(table)[1] if f.code == code]
    assert len(found) == 1, check_table(table)[1]
    return found[0]


class Status(enum.StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"


def test_clean_table_has_no_findings() -> None:
    t = Table("clean")

    @t.entity(key=Key(pk="USER#{user_id}", sk="PROFILE"))
    class User(msgspec.Struct):
        user_id: str

    t.pattern("user", User, op="get", given=["user_id"])
    assert check_table(t)[1] == []


def test_escaped_delimiter_makes_hash_joined_ids_distinct() -> None:
    """The classic collision of '#'-joined keys cannot happen: both keys are distinct."""
    t = Table("join")

    @t.entity(key=Key(pk="A#{x}", sk="B#{y}"))
    class A(msgspec.Struct):
        x: str
        y: str

    @t.entity(key=Key(pk="A#{x}", sk="C#{y}"))
    class C(msgspec.Struct):
        x: str
        y: str

    assert "key-collision" not in codes(t)


def test_key_collision_between_entities() -> None:
    t = Table("clash")

    @t.entity(key=Key(pk="USER#{user_id}", sk="{kind}"))
    class Profile(msgspec.Struct):
        user_id: str
        kind: str

    @t.entity(key=Key(pk="USER#{email}", sk="ORDER"))
    class Order(msgspec.Struct):
        email: str

    finding = only(t, "key-collision")
    assert finding.severity == "error"
    assert finding.entity == "Profile, Order"
    assert "'USER#{user_id}'" in finding.message and "'ORDER'" in finding.message
    assert "overwrite" in finding.message
    assert finding.where.endswith(".py:" + finding.where.rsplit(":", 1)[1])


def test_no_collision_when_fixed_texts_differ_or_types_disjoint() -> None:
    t = Table("apart")

    @t.entity(key=Key(pk="T#{a}", sk="{n}"))
    class Num(msgspec.Struct):
        a: str
        n: Annotated[int, msgspec.Meta(ge=0, le=999)]

    @t.entity(key=Key(pk="T#{a}", sk="{day}"))
    class Day(msgspec.Struct):
        a: str
        day: dt.date

    @t.entity(key=Key(pk="T#{a}", sk="X"))
    class Fixed(msgspec.Struct):
        a: str

    assert "key-collision" not in codes(t)


def test_enum_sort_key_collides_with_matching_fixed_text() -> None:
    t = Table("enums")

    @t.entity(key=Key(pk="T#{a}", sk="{status}"))
    class Task(msgspec.Struct):
        a: str
        status: Status

    @t.entity(key=Key(pk="T#{a}", sk="DONE"))
    class Marker(msgspec.Struct):
        a: str

    assert only(t, "key-collision").entity == "Task, Marker"


def test_unknown_field_and_bad_key_type_are_schema_errors() -> None:
    t = Table("broken")

    @t.entity(key=Key(pk="USER#{missing}", sk="{tags}"))
    class User(msgspec.Struct):
        user_id: str
        tags: list[str]

    design, findings = check_table(t)
    assert design is None
    messages = [f.message for f in findings]
    assert all(f.code == "schema" and f.severity == "error" for f in findings)
    assert any("unknown field {missing}" in m and "User" in m for m in messages)
    assert any("'tags'" in m and "cannot be part of a key" in m for m in messages)
    assert all(f.where.startswith("tests/check/test_rules.py:") for f in findings)


def test_attribute_clash_with_key_and_type_attributes() -> None:
    t = Table("clashes", indexes=[Index.gsi("GSI1", pk="GSI1PK")])

    @t.entity(key=Key(pk="U#{user_id}", sk="U"))
    class User(msgspec.Struct):
        user_id: str
        GSI1PK: str
        _type: str = "x"

    found = [f for f in check_table(t)[1] if f.code == "attribute-clash"]
    assert sorted(f.message.split("'")[1] for f in found) == ["GSI1PK", "_type"]


def test_index_limits() -> None:
    gsis = [Index.gsi(f"G{i}", pk=f"G{i}PK") for i in range(21)]
    lsis = [Index.lsi(f"L{i}", sk=f"L{i}SK") for i in range(6)]
    t = Table("many", indexes=gsis + lsis)

    @t.entity(key=Key(pk="U#{u}", sk="U"))
    class U(msgspec.Struct):
        u: str

    found = codes(t)
    assert found.count("too-many-gsis") == 1
    assert found.count("too-many-lsis") == 1
    assert found.count("lsi-size-cap") == 6


def test_ttl_field_type() -> None:
    t = Table("ttl", ttl="expires_at")

    @t.entity(key=Key(pk="S#{sid}", sk="S"))
    class Session(msgspec.Struct):
        sid: str
        expires_at: str

    @t.entity(key=Key(pk="T#{sid}", sk="T"))
    class Token(msgspec.Struct):
        sid: str
        expires_at: dt.datetime

    finding = only(t, "ttl-type")
    assert finding.entity == "Session" and "'expires_at' is str" in finding.message


def test_constant_and_low_cardinality_partition_keys() -> None:
    t = Table("hot", indexes=[Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK")])

    @t.entity(
        key=Key(pk="TASK#{task_id}", sk="TASK"),
        indexes={"GSI1": Key(pk="STATUS#{status}#{urgent}", sk="{task_id}")},
    )
    class Task(msgspec.Struct):
        task_id: str
        status: Status
        urgent: bool

    @t.entity(key=Key(pk="ALL", sk="{item_id}"))
    class Everything(msgspec.Struct):
        item_id: str

    low = only(t, "low-cardinality-partition-key")
    assert (low.entity, low.index, low.template) == ("Task", "GSI1", "STATUS#{status}#{urgent}")
    const = only(t, "constant-partition-key")
    assert (const.entity, const.index, const.template) == ("Everything", "primary", "ALL")
    assert "1,000 write units" in const.message and const.hint


def test_monotonic_sort_key_only_for_written_entities_in_few_partitions() -> None:
    t = Table("events")

    @t.entity(key=Key(pk="DAY#{day}", sk="{at}#{event_id}"))
    class Event(msgspec.Struct):
        day: dt.date
        at: dt.datetime
        event_id: str

    @t.entity(key=Key(pk="USER#{user_id}", sk="LOGIN#{at}"))
    class Login(msgspec.Struct):
        user_id: str
        at: dt.datetime

    assert "monotonic-sort-key" not in codes(t)
    t.pattern("record event", Event, op="put")
    t.pattern("record login", Login, op="put")
    finding = only(t, "monotonic-sort-key")
    assert (finding.entity, finding.template) == ("Event", "{at}#{event_id}")


def test_item_size_from_declared_bounds() -> None:
    t = Table("big")

    @t.entity(key=Key(pk="D#{doc_id}", sk="D"))
    class Doc(msgspec.Struct):
        doc_id: str
        body: Annotated[str, msgspec.Meta(max_length=350_000)]

    assert "approaches" in only(t, "item-size").message


def test_optional_field_in_primary_key() -> None:
    t = Table("opt")

    @t.entity(key=Key(pk="D#{doc_id}", sk="D"))
    class Doc(msgspec.Struct):
        doc_id: str | None = None

    assert only(t, "optional-primary-field").entity == "Doc"


def test_scan_pattern_warns() -> None:
    t = Table("scan")

    @t.entity(key=Key(pk="D#{doc_id}", sk="D"))
    class Doc(msgspec.Struct):
        doc_id: str

    t.pattern("export everything", Doc, op="scan")
    finding = only(t, "scan")
    assert finding.severity == "warning" and finding.pattern == "export everything"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"index": "NOPE"}, "pattern-index"),
        ({"given": ["nope"]}, "pattern-field"),
        ({"given": []}, "pattern-partition"),
        ({"given": ["tenant", "day"]}, "pattern-sort-order"),
        ({"given": ["tenant"], "op": "get"}, "pattern-key"),
        ({"given": ["tenant", "kind", "day"], "sort": "between"}, "pattern-range"),
        ({"given": ["tenant"], "limit": 0}, "pattern-limit"),
        ({"given": ["tenant"], "sort": "near"}, "pattern-sort"),
        ({"given": ["tenant"], "op": "fetch"}, "pattern-op"),
    ],
)
def test_pattern_errors(kwargs: dict[str, object], code: str) -> None:
    t = Table("patterns")

    @t.entity(key=Key(pk="T#{tenant}", sk="{kind}#{day}"))
    class Row(msgspec.Struct):
        tenant: str
        kind: Literal["a", "b"]
        day: dt.date

    t.pattern("p", Row, **kwargs)  # type: ignore[arg-type]
    finding = only(t, code)
    assert finding.severity == "error" and finding.pattern == "p"


def test_pattern_unknown_entity_and_collection_mismatch() -> None:
    t = Table("coll")

    @t.entity(key=Key(pk="A#{a}", sk="A"))
    class A(msgspec.Struct):
        a: str

    @t.entity(key=Key(pk="B#{a}", sk="B"))
    class B(msgspec.Struct):
        a: str

    t.pattern("ghost", "Ghost", given=["a"])
    t.pattern("both", [A, B], given=["a"])
    assert only(t, "pattern-entity").pattern == "ghost"
    assert "A#{a}" in only(t, "pattern-collection").message


def test_cache_policy_is_kept_in_the_design() -> None:
    t = Table("cached")

    @t.entity(key=Key(pk="A#{a}", sk="A"), cache=CachePolicy(ttl=42, mode="write-through"))
    class A(msgspec.Struct):
        a: str

    design = t.compile()
    assert design.entity("A").cache.ttl == 42
    assert design.entity("A").cache.mode == "write-through"


def test_range_without_fixed_text_reads_other_entities_of_the_partition() -> None:
    t = Table("mixed")

    @t.entity(key=Key(pk="DEVICE#{device_id}", sk="{at}"))
    class Reading(msgspec.Struct):
        device_id: str
        at: dt.datetime

    @t.entity(key=Key(pk="DEVICE#{device_id}", sk="PROFILE"))
    class Device(msgspec.Struct):
        device_id: str

    t.pattern("readings in a period", Reading, given=["device_id"], sort="between")
    finding = only(t, "pattern-shared-partition")
    assert (finding.entity, finding.template) == ("Reading", "{at}")
    assert "Device items" in finding.message
    assert "'READING#{at}'" in finding.hint


def test_range_after_fixed_text_stays_in_the_entity() -> None:
    t = Table("apart")

    @t.entity(key=Key(pk="DEVICE#{device_id}", sk="READING#{at}"))
    class Reading(msgspec.Struct):
        device_id: str
        at: dt.datetime

    @t.entity(key=Key(pk="DEVICE#{device_id}", sk="PROFILE"))
    class Device(msgspec.Struct):
        device_id: str

    t.pattern("readings in a period", Reading, given=["device_id"], sort="between")
    assert "pattern-shared-partition" not in codes(t)
