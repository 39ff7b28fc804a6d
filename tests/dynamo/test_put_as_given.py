"""``put(as_given=True)``: the item written as the instance gives it, as ``batch_put`` does
(no timestamps set, the version neither checked nor incremented), unique values still
claimed, and putting the same instance again a no-op. Plain ``put`` keeps its rules.

Unique fields need transactions, which dynalite lacks: those tests run on moto in-process
and moto's server (see test_unique.py); the entity without unique fields on all three.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from modelkit import Key, Table
from modelkit.dynamo import Database, connect, deploy
from modelkit.errors import ConditionFailed, UniqueViolation

if TYPE_CHECKING:
    from conftest import Backend

app = Table("given")
STAMP = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@app.entity(
    key=Key(pk="MEMBER#{member_id}", sk="MEMBER"),
    unique=["email"],
    version="version",
    created="created",
    updated="updated",
)
class Member(msgspec.Struct, kw_only=True):
    member_id: str
    email: str
    version: int = 0
    created: dt.datetime | None = None
    updated: dt.datetime | None = None


@app.entity(key=Key(pk="DOC#{doc_id}", sk="DOC"), version="version", updated="updated")
class Doc(msgspec.Struct, kw_only=True):
    doc_id: str
    version: int = 0
    updated: dt.datetime | None = None


DESIGN = app.compile()


@pytest.fixture
def db(backend: Backend, table_name: str) -> Database:
    design = msgspec.structs.replace(DESIGN, name=table_name)
    deploy(design, backend.client)
    return connect(design, dynamodb=backend.client)


def table(db: Database) -> dict[str, dict[str, Any]]:
    """Every item by partition key, as plain values."""
    items = db.client.call("Scan", {"TableName": db.table})["Items"]
    return {i["PK"]["S"]: {k: next(iter(v.values())) for k, v in i.items()} for i in items}


def member(version: int, email: str = "ada@example.com", **stamps: Any) -> Member:
    return Member(member_id="m-1", email=email, version=version, **stamps)


def test_unique_items_are_written_as_given_and_again_unchanged(
    db: Database, backend: Backend
) -> None:
    if backend.name == "dynalite":  # no transactions
        return
    members = db.repo(Member)
    first = members.put(member(0))  # a plain put stamps and increments
    assert (first.version, first.created is not None) == (1, True)

    given = member(7, created=STAMP)
    assert members.put(given, as_given=True) == given
    after = table(db)
    assert after["MEMBER#m-1"] == {
        "PK": "MEMBER#m-1",
        "SK": "MEMBER",
        "_type": "Member",
        "member_id": "m-1",
        "email": "ada@example.com",
        "version": "7",
        "created": "2026-01-02T03:04:05.000000Z",
    }
    assert set(after) == {"MEMBER#m-1", "_UNIQUE#Member#email#ada@example.com"}
    members.put(given, as_given=True)  # again: not a violation of its own marker
    assert table(db) == after

    # a lower version is written too; the claim moves with a new value
    members.put(member(2, "ada@new.example"), as_given=True)
    assert members.require(member_id="m-1", consistent=True) == member(2, "ada@new.example")
    assert set(table(db)) == {"MEMBER#m-1", "_UNIQUE#Member#email#ada@new.example"}

    # another item's value is still refused, and changes nothing
    before = table(db)
    with pytest.raises(UniqueViolation) as caught:
        members.put(Member(member_id="m-2", email="ada@new.example"), as_given=True)
    assert (caught.value.field, caught.value.value) == ("email", "ada@new.example")
    assert table(db) == before

    # a plain put still checks the version it replaces
    with pytest.raises(ConditionFailed):
        members.put(member(1, "ada@new.example"))
    assert members.put(member(2, "ada@new.example")).version == 3


def test_a_retried_transaction_that_was_applied_is_no_violation(
    db: Database, backend: Backend
) -> None:
    """moto ignores the idempotency token, so a retry of an applied transaction is refused;
    with as_given the value held by the item itself is success."""
    if backend.name == "dynalite":
        return
    members = db.repo(Member)
    send = db.client.call

    def twice(operation: str, request: Any) -> dict[str, Any]:
        if operation == "TransactWriteItems":
            send(operation, request)
        return send(operation, request)

    db.client.call = twice  # type: ignore[method-assign]
    members.put(member(3), as_given=True)
    assert members.require(member_id="m-1", consistent=True) == member(3)
    with pytest.raises(UniqueViolation):  # a plain put keeps refusing it
        members.put(member(3, "bob@example.com"))
    db.client.call = send  # type: ignore[method-assign]
    assert set(table(db)) == {"MEMBER#m-1", "_UNIQUE#Member#email#bob@example.com"}


def test_items_without_unique_fields_are_written_as_given(db: Database) -> None:
    docs = db.repo(Doc)
    assert docs.put(Doc(doc_id="d-1")).version == 1
    given = Doc(doc_id="d-1", version=0)
    for _ in range(2):  # no version condition: a put again is the same write
        assert docs.put(given, as_given=True) == given
        assert table(db)["DOC#d-1"] == {
            "PK": "DOC#d-1",
            "SK": "DOC",
            "_type": "Doc",
            "doc_id": "d-1",
            "version": "0",
        }
    with pytest.raises(ConditionFailed):  # a plain put of version 0 needs no item there
        docs.put(given)
