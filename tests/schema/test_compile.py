"""compile(): declarations become an immutable TableDesign, or every problem is reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import msgspec
import pytest

import modelkit
from modelkit import Index, Key, KeyValueError, OnDemand, Provisioned, SchemaError, Table
from modelkit.schema import SchemaErrors, keys_for

HERE = Path(__file__).name


def test_design_holds_the_declarations_and_is_immutable() -> None:
    t = Table(
        "app",
        indexes=[
            Index.gsi("GSI1", pk="G1PK", sk="G1SK", include=["name"]),
            Index.lsi("LSI1", sk="L1SK", projection="KEYS_ONLY"),
        ],
        ttl="expires_at",
        stream="NEW_IMAGE",
        billing=Provisioned(rcu=5, wcu=2),
        replicas=["eu-west-1"],
    )

    @t.entity(key=Key(pk="U#{user_id}", sk="U"), indexes={"LSI1": Key(sk="AT#{at}")})
    class User(msgspec.Struct):
        user_id: str
        at: dt.datetime
        name: str
        expires_at: int | None = None

    design = modelkit.compile(t)
    assert [i.name for i in design.indexes] == ["primary", "GSI1", "LSI1"]
    gsi, lsi = design.index("GSI1"), design.index("LSI1")
    assert (gsi.projection.kind, gsi.projection.attributes) == ("INCLUDE", ("name",))
    assert (lsi.pk, lsi.sk, lsi.projection.kind) == ("PK", "L1SK", "KEYS_ONLY")
    assert design.billing == Provisioned(rcu=5, wcu=2)
    assert design.replicas == ("eu-west-1",) and design.stream == "NEW_IMAGE"
    user = design.entity("User")
    assert user.ttl_field == "expires_at"
    assert user.key("LSI1").pk.text == "U#{user_id}"  # type: ignore[union-attr]
    assert [f.type for f in user.fields] == ["str", "datetime", "str", "int | None"]
    with pytest.raises(AttributeError):
        design.name = "other"  # type: ignore[misc]
    assert Table("t2").billing == OnDemand()


def test_every_structural_problem_is_reported_with_file_and_line() -> None:
    t = Table("bad", indexes=[Index.gsi("GSI1", pk="G1PK")])

    @t.entity(
        key=Key(pk="ORDER{order_id}", sk="X"),
        indexes={"GSI9": Key(pk="A#{order_id}"), "GSI1": Key(pk="B#{nope}", sk="S")},
    )
    class Order(msgspec.Struct):
        order_id: str

    with pytest.raises(SchemaErrors) as caught:
        t.compile()
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 4, problems
    assert all(p.startswith(f"tests/schema/{HERE}:") for p in problems)
    assert any("mixes fixed text and a field" in p and "'ORDER#{order_id}'" in p for p in problems)
    assert any("unknown index 'GSI9'" in p for p in problems)
    assert any("unknown field {nope}" in p for p in problems)
    assert any("gives a sort key but GSI1 has none" in p for p in problems)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("A##{x}", "empty segment"),
        ("A#{x y}", "not a field name"),
        ("A B#{x}", "may not hold spaces"),
        ("A$#{x}", "may not hold"),
        ("A#{x}#{x}", "appears twice"),
    ],
)
def test_template_syntax(template: str, message: str) -> None:
    t = Table("syntax")

    @t.entity(key=Key(pk=template, sk="S"))
    class E(msgspec.Struct):
        x: str

    with pytest.raises(SchemaErrors, match=message):
        t.compile()


def test_entity_decorator_without_parentheses_is_a_clear_error() -> None:
    t = Table("paren")
    with pytest.raises(SchemaError, match="with parentheses"):

        @t.entity  # type: ignore[arg-type]
        class E(msgspec.Struct):
            x: str


def test_sparse_index_keys_and_parse_back() -> None:
    t = Table("sparse", indexes=[Index.gsi("GSI1", pk="G1PK", sk="G1SK")])

    @t.entity(
        key=Key(pk="T#{task_id}", sk="T"),
        indexes={"GSI1": Key(pk="OPEN#{shard}", sk="{due}#{task_id}")},
    )
    class Task(msgspec.Struct):
        task_id: str
        due: dt.date | None = None
        shard: Annotated[int, msgspec.Meta(ge=0, lt=4)] | None = None

    keys = keys_for(t.compile())
    task = keys["Task"]
    closed = Task("t-1")
    assert task.key_attributes(closed) == {"_type": "Task", "PK": "T#t-1", "SK": "T"}
    assert task.index_key("GSI1", closed) is None
    open_task = Task("t-2", due=dt.date(2024, 5, 1), shard=3)
    attrs = task.key_attributes(open_task)
    assert attrs["G1PK"] == "OPEN#3" and attrs["G1SK"] == "2024-05-01#t-2"
    parsed = keys.parse("T#t-2", "T")
    assert (parsed.entity, parsed.values) == ("Task", {"task_id": "t-2"})
    assert task.parse("GSI1", "OPEN#3", "2024-05-01#t-2") == {
        "shard": 3,
        "due": dt.date(2024, 5, 1),
        "task_id": "t-2",
    }
    with pytest.raises(modelkit.KeyParseError, match="no entity"):
        keys.parse("X#1", "T")


def test_primary_key_errors_name_entity_field_and_limit() -> None:
    t = Table("limits")

    @t.entity(key=Key(pk="{name}", sk="S#{note}"))
    class Note(msgspec.Struct):
        name: str
        note: str

    note = keys_for(t.compile())["Note"]
    with pytest.raises(KeyValueError, match="Note: PK would be empty"):
        note.primary_key(Note("", "x"))
    with pytest.raises(KeyValueError, match="2049 bytes, over DynamoDB's 2048-byte partition"):
        note.primary_key(Note("x" * 2049, "x"))
    with pytest.raises(KeyValueError, match="1025 bytes, over DynamoDB's 1024-byte sort"):
        note.primary_key(Note("x", "y" * 1023))
    with pytest.raises(KeyValueError, match=r"Note\.note: expected str, got int"):
        note.primary_key(Note("x", 5))  # type: ignore[arg-type]
    with pytest.raises(KeyValueError, match=r"Note\.name: is missing"):
        note.primary_key({"note": "x"})
    assert note.primary_key({"name": "é" * 512, "note": "x"})["PK"] == "é" * 512
    with pytest.raises(KeyValueError, match="2050 bytes"):
        note.primary_key({"name": "é" * 1025, "note": "x"})


def test_version_unique_and_timestamps_are_declared_and_checked() -> None:
    t = Table("special")

    @t.entity(
        key=Key(pk="C#{cid}", sk="C"),
        version="version",
        unique=["email"],
        created="created_at",
        updated="updated_at",
    )
    class Customer(msgspec.Struct):
        cid: str
        email: str
        version: int = 0
        created_at: dt.datetime | None = None
        updated_at: dt.datetime | None = None

    entity = t.compile().entity("Customer")
    assert (entity.version_field, entity.unique_fields) == ("version", ("email",))
    assert (entity.created_field, entity.updated_field) == ("created_at", "updated_at")

    bad = Table("bad_special")

    @bad.entity(key=Key(pk="C#{cid}", sk="C"), version="cid", unique=["nope"], created="cid")
    class Other(msgspec.Struct):
        cid: str

    with pytest.raises(SchemaErrors) as caught:
        bad.compile()
    text = str(caught.value)
    assert "version field 'cid' is str (declare it as int)" in text
    assert "unique names unknown field 'nope'" in text
    assert "created field 'cid' is str (declare it as datetime)" in text
