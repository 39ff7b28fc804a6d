"""Unique fields: one customer per email, kept by marker items in the item's transaction.

dynalite has no transactions, so on it a unique write is refused as DynamoDB's
UnknownOperation; the behaviour is tested on moto in-process and moto server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from modelkit import Key, Table
from modelkit.dynamo import Database, connect, deploy
from modelkit.errors import ConditionFailed, DynamoError, UniqueViolation

if TYPE_CHECKING:
    from conftest import Backend

app = Table("uniq")


@app.entity(key=Key(pk="CUSTOMER#{customer_id}", sk="CUSTOMER"), unique=["email"])
class Customer(msgspec.Struct, kw_only=True):
    customer_id: str
    email: str
    name: str = ""


DESIGN = app.compile()


@pytest.fixture
def db(backend: Backend, table_name: str) -> Database:
    design = msgspec.structs.replace(DESIGN, name=table_name)
    deploy(design, backend.client)
    return connect(design, dynamodb=backend.client)


def markers(db: Database) -> set[str]:
    items = db.client.call("Scan", {"TableName": db.table})["Items"]
    return {i["PK"]["S"] for i in items if i["PK"]["S"].startswith("_UNIQUE#")}


def test_one_customer_per_email_across_put_update_delete(db: Database, backend: Backend) -> None:
    customers = db.repo(Customer)
    if backend.name == "dynalite":
        with pytest.raises(DynamoError, match="UnknownOperation"):
            customers.put(Customer(customer_id="c-1", email="ada@example.com"))
        return
    customers.put(Customer(customer_id="c-1", email="ada@example.com"))
    assert markers(db) == {"_UNIQUE#Customer#email#ada@example.com"}
    with pytest.raises(UniqueViolation) as caught:
        customers.put(Customer(customer_id="c-2", email="ada@example.com"))
    assert (caught.value.field, caught.value.value) == ("email", "ada@example.com")
    assert customers.get(customer_id="c-2") is None

    # replacing the item with a new email moves the claim
    customers.put(Customer(customer_id="c-1", email="ada@new.example", name="Ada"))
    assert markers(db) == {"_UNIQUE#Customer#email#ada@new.example"}
    customers.put(Customer(customer_id="c-2", email="ada@example.com"))

    # an update to a taken email is refused and changes nothing
    f = customers.f
    with pytest.raises(UniqueViolation):
        customers.update({"customer_id": "c-2"}, f.email.set("ada@new.example"))
    assert customers.require(customer_id="c-2").email == "ada@example.com"
    moved = customers.update({"customer_id": "c-2"}, f.email.set("bob@example.com"))
    assert moved.email == "bob@example.com"
    assert markers(db) == {
        "_UNIQUE#Customer#email#ada@new.example",
        "_UNIQUE#Customer#email#bob@example.com",
    }
    # updates that leave the email alone stay single requests
    assert customers.update({"customer_id": "c-2"}, f.name.set("Bob")).name == "Bob"

    # delete releases the claim
    assert customers.delete(customer_id="c-1").email == "ada@new.example"
    assert markers(db) == {"_UNIQUE#Customer#email#bob@example.com"}
    customers.put(Customer(customer_id="c-3", email="ada@new.example"))
    with pytest.raises(ConditionFailed):
        customers.delete({"customer_id": "c-3"}, condition=f.name == "nobody")
    assert customers.delete(customer_id="missing") is None


def test_escaped_values_keep_markers_distinct(db: Database, backend: Backend) -> None:
    if backend.name == "dynalite":  # no transactions: see the module docstring
        return
    customers = db.repo(Customer)
    customers.put(Customer(customer_id="c-1", email="a#b"))
    customers.put(Customer(customer_id="c-2", email="a$23b"))
    found: Any = markers(db)
    assert found == {"_UNIQUE#Customer#email#a$23b", "_UNIQUE#Customer#email#a$2423b"}
