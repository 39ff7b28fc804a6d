"""The cache in front of each DynamoDB server the tests have: moto's server and dynalite (an
independent implementation), with the same reads, writes, batches and query pages."""

from __future__ import annotations

import pytest

from modelkit.dynamo import Database
from tests.cache.designs import Customer, Order
from tests.cache.helpers import alice, reads

pytestmark = pytest.mark.services


@pytest.fixture(params=["moto-server", "dynalite"])
def db(request: pytest.FixtureRequest) -> Database:
    name = "server_db" if request.param == "moto-server" else "dynalite_db"
    found: Database = request.getfixturevalue(name)
    return found


def test_reads_writes_and_batches_through_the_cache(db: Database) -> None:
    customers = db.repo(Customer)
    customers.put(alice())
    assert customers.get(customer_id="c-1") == alice()
    assert customers.get(customer_id="c-1") == alice()
    assert reads(db, "Customer") == 1
    customers.update({"customer_id": "c-1"}, customers.f.name.set("Alicia"))
    assert customers.get(customer_id="c-1") == alice(name="Alicia")
    customers.batch_put([alice(customer_id=f"c-{n}", name=f"N{n}") for n in range(2, 6)])
    keys = [{"customer_id": f"c-{n}"} for n in range(1, 7)]  # c-6 does not exist
    first = customers.batch_get(keys)
    assert sorted(c.customer_id for c in first) == ["c-1", "c-2", "c-3", "c-4", "c-5"]
    assert sorted(customers.batch_get(keys), key=lambda c: c.customer_id) == sorted(
        first, key=lambda c: c.customer_id
    )
    customers.delete(customer_id="c-1")
    assert customers.get(customer_id="c-1") is None
    m = customers.cache_metrics
    assert m is not None and m.errors == 0 and m.hits >= 7 and m.negative_hits >= 1


def test_query_pages_through_the_cache(db: Database) -> None:
    repo = db.repo(Order)
    repo.batch_put([Order(customer_id="c-1", order_id=f"o-{n}", total=n) for n in range(3)])
    first = repo.query("orders of a customer", customer_id="c-1")
    assert [o.total for o in first.items] == [0, 1, 2]
    assert repo.query("orders of a customer", customer_id="c-1").items == first.items
    repo.update({"customer_id": "c-1", "order_id": "o-1"}, repo.f.total.set(7))
    again = repo.query("orders of a customer", customer_id="c-1")
    assert [o.total for o in again.items] == [0, 7, 2]
    m = db.query_cache_metrics()["orders of a customer"]
    assert (m.hits, m.fills, m.errors) == (1, 2, 0)
