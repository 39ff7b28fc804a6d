"""The cache on a real Redis Cluster (3 masters, 3 replicas) in front of moto in-process:
items spread over every master, an item's keys share a slot so its Lua scripts run, batch
reads send one MGET per slot and fill on every master even when some answer late, and a
script flushed from a master is loaded again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pytest
from moto import mock_aws
from redis.crc import key_slot

from modelkit.cache import RedisCache
from modelkit.cache._scripts import ALL, BEGIN_FILL, COMMIT_FILL, MARK, WRITE_THROUGH
from modelkit.dynamo import Database, connect, deploy
from tests.cache.cluster_helpers import (
    cluster_cache,
    command_calls,
    keyslot,
    masters,
    run_id,
    slot_owners,
    stored_run,
)
from tests.cache.designs import Customer, Wallet, design
from tests.redis_services import RedisClusterProcesses

pytestmark = pytest.mark.services


@pytest.fixture
def cache_on_cluster(redis_cluster: RedisClusterProcesses) -> Iterator[RedisCache]:
    made = cluster_cache(redis_cluster)
    yield made
    made.close()


@pytest.fixture
def db(aws_env: None, cache_on_cluster: RedisCache) -> Iterator[Database]:
    """The shared design on moto in-process, cached in the session's cluster."""
    with mock_aws():
        made = connect(design, cache=cache_on_cluster)
        deploy(design, made.client)
        yield made


def customer_key(db: Database, customer_id: str) -> bytes:
    repo = db.repo(Customer)
    assert repo.cache is not None
    return repo.cache.ref(repo.shape.key({"customer_id": customer_id})).value


def test_items_spread_over_every_master_and_behave_as_on_one_server(
    db: Database, redis_cluster: RedisClusterProcesses
) -> None:
    """Each item's value and lease share a slot (the scripts run: no CROSSSLOT), the items
    land on all three masters, stamped with the run id of the master that holds them, and
    hits, misses, fills, negative hits and invalidations count as on a standalone server."""
    cache = db.cache
    assert isinstance(cache, RedisCache) and cache.transport.cluster
    customers = db.repo(Customer)
    assert customers.cache is not None
    for n in range(30):
        customers.put(Customer(customer_id=f"c{n}", email=f"c{n}@x.io", name=f"n{n}"))
    assert [customers.get(customer_id=f"c{n}") for n in range(30)] == [
        Customer(customer_id=f"c{n}", email=f"c{n}@x.io", name=f"n{n}") for n in range(30)
    ]
    filled = customers.cache_metrics
    assert filled is not None and (filled.misses, filled.fills, filled.hits) == (30, 30, 0)
    assert [c.name for c in customers.batch_get({"customer_id": f"c{n}"} for n in range(30))] == [
        f"n{n}" for n in range(30)
    ]
    assert all(customers.get(customer_id=f"c{n}") is not None for n in range(30))
    hit = customers.cache_metrics
    assert hit is not None and (hit.misses, hit.fills, hit.hits, hit.errors) == (30, 30, 60, 0)

    owners = slot_owners(redis_cluster)
    holders = set()
    for n in range(30):
        ref = customers.cache.ref(customers.shape.key({"customer_id": f"c{n}"}))
        owner = owners[key_slot(ref.value)]
        assert keyslot(owner, ref.value) == keyslot(owner, ref.lease) == key_slot(ref.value)
        assert stored_run(owner.client().get(ref.value)) == run_id(owner)
        holders.add(owner.port)
    assert holders == {m.port for m in masters(redis_cluster)} and len(holders) == 3

    customers.put(Customer(customer_id="c7", email="c7@x.io", name="renamed"))
    customers.delete(customer_id="c8")
    assert customers.get(customer_id="c7") == Customer(
        customer_id="c7", email="c7@x.io", name="renamed"
    )
    assert customers.get(customer_id="c8") is None
    assert customers.get(customer_id="c8") is None  # cached absence
    after = customers.cache_metrics
    assert after is not None
    assert (after.misses, after.fills, after.negative_hits, after.invalidations) == (32, 32, 1, 32)
    assert (after.refused_fills, after.errors, after.breaker) == (0, 0, "closed")

    wallets = db.repo(Wallet)
    wallets.put(Wallet(wallet_id="w1", balance=5))
    assert wallets.get(wallet_id="w1") == Wallet(wallet_id="w1", balance=5)
    through = wallets.cache_metrics
    assert through is not None and (through.hits, through.misses) == (1, 0)  # written through


def colliding_ids(groups: int, size: int) -> list[list[str]]:
    """``groups`` lists of ``size`` customer ids whose cache keys share a slot within a list
    (and not across lists)."""
    by_slot: dict[int, list[str]] = defaultdict(list)
    for n in range(40_000):
        ids = by_slot[key_slot(f"{{CUSTOMER#b{n}|PROFILE}}".encode())]
        ids.append(f"b{n}")
        if len(ids) == size:
            full = [i for i in by_slot.values() if len(i) >= size]
            if len(full) == groups:
                return [i[:size] for i in full]
    raise AssertionError("not enough colliding ids")


def test_batch_get_sends_one_mget_per_slot(
    db: Database, redis_cluster: RedisClusterProcesses
) -> None:
    """100 keys in 25 slots (4 a slot): after a fill, batch_get is all hits from 25 MGETs
    (commandstats on the masters), each naming the 4 keys of one slot (the slow log, set to
    log every command), and returns what DynamoDB's strongly consistent batch returns."""
    customers = db.repo(Customer)
    groups = colliding_ids(25, 4)
    ids = [i for group in groups for i in group]
    customers.batch_put(Customer(customer_id=i, email=f"{i}@x.io", name=i.upper()) for i in ids)
    keys = [{"customer_id": i} for i in ids]
    assert len(customers.batch_get(keys)) == 100  # fills
    filled = customers.cache_metrics
    assert filled is not None and (filled.misses, filled.fills) == (100, 100)

    nodes = masters(redis_cluster)
    before = {m.port: command_calls(m, "mget") for m in nodes}
    for m in nodes:
        m.client().config_set("slowlog-log-slower-than", 0)
        m.client().config_set("slowlog-max-len", 1000)
        m.client().slowlog_reset()
    try:
        cached = customers.batch_get(keys)
        logged = [e for m in nodes for e in m.client().slowlog_get(1000)]
    finally:
        for m in nodes:
            m.client().config_set("slowlog-log-slower-than", 10000)
            m.client().config_set("slowlog-max-len", 128)
    mgets = sum(command_calls(m, "mget") - before[m.port] for m in nodes)
    assert mgets == 25

    prefix = customer_key(db, "x").split(b"{")[0]
    ours = [
        e["command"].split()[1:]
        for e in logged
        if e["command"].startswith(b"MGET ") and prefix in e["command"]
    ]
    assert len(ours) == 25 and all(len(named) == 4 for named in ours)
    assert all(len({key_slot(k) for k in named}) == 1 for named in ours)
    expected = {frozenset(customer_key(db, i) for i in group) for group in groups}
    assert {frozenset(named) for named in ours} == expected

    hits = customers.cache_metrics
    assert hits is not None and (hits.hits, hits.misses, hits.errors) == (100, 100, 0)
    strong = customers.batch_get(keys, consistent=True)
    assert sorted(cached, key=lambda c: c.customer_id) == sorted(
        strong, key=lambda c: c.customer_id
    )
    assert {c.customer_id: c.name for c in cached} == {i: i.upper() for i in ids}


def test_a_script_flushed_from_one_master_is_loaded_again(
    db: Database, redis_cluster: RedisClusterProcesses
) -> None:
    """After SCRIPT FLUSH on one master, fills, marks, write-through stores and batch fills
    on its keys still work: the transport loads each missing script on NOSCRIPT and reruns
    the command; nothing falls through to DynamoDB."""
    owners = slot_owners(redis_cluster)
    victim = owners[key_slot(customer_key(db, "s0"))]
    ids = [f"s{n}" for n in range(200) if owners[key_slot(customer_key(db, f"s{n}"))] is victim]
    single, batch, written = ids[0], ids[1:6], ids[6]
    customers, wallets = db.repo(Customer), db.repo(Wallet)
    for i in [single, *batch, written]:
        customers.put(Customer(customer_id=i, email=f"{i}@x.io", name="v1"))
    wallet_owner = owners[key_slot(wallet_key(db, "w-flush"))]
    shas = [s.sha for s in ALL]

    victim.client().script_flush()
    wallet_owner.client().script_flush()
    assert victim.client().script_exists(*shas) == [False] * len(shas)

    # five BEGIN_FILLs pipelined, all refused, then each COMMIT_FILL (the first refused)
    assert [c.customer_id for c in customers.batch_get({"customer_id": i} for i in batch)] == batch
    victim.client().script_flush()
    assert customers.get(customer_id=single) == Customer(
        customer_id=single, email=f"{single}@x.io", name="v1"
    )  # BEGIN_FILL and COMMIT_FILL were missing
    customers.put(Customer(customer_id=written, email="w@x.io", name="v2"))  # MARK
    assert customers.get(customer_id=written) == Customer(
        customer_id=written, email="w@x.io", name="v2"
    )
    wallets.put(Wallet(wallet_id="w-flush", balance=9))  # MARK and WRITE_THROUGH
    assert wallets.get(wallet_id="w-flush") == Wallet(wallet_id="w-flush", balance=9)

    loaded = dict(zip(shas, victim.client().script_exists(*shas), strict=True))
    assert all(loaded[s.sha] for s in (BEGIN_FILL, COMMIT_FILL, MARK))
    assert wallet_owner.client().script_exists(WRITE_THROUGH.sha) == [True]
    metrics = customers.cache_metrics
    assert metrics is not None
    assert (metrics.misses, metrics.fills, metrics.hits, metrics.errors) == (7, 7, 0, 0)
    wallet_metrics = wallets.cache_metrics
    assert wallet_metrics is not None and (wallet_metrics.hits, wallet_metrics.errors) == (1, 0)
    assert customers.get(customer_id=single) is not None
    again = customers.cache_metrics
    assert again is not None and again.hits == 1


def wallet_key(db: Database, wallet_id: str) -> bytes:
    repo = db.repo(Wallet)
    assert repo.cache is not None
    return repo.cache.ref(repo.shape.key({"wallet_id": wallet_id})).value


def test_batch_fills_land_on_every_master_when_the_later_ones_answer_late(
    db: Database, redis_cluster: RedisClusterProcesses
) -> None:
    """batch_get takes its fill leases one master after the other. When the second and
    third masters hold their BEGIN_FILLs back (CLIENT PAUSE WRITE: 150 ms, then 150 ms more,
    each within the 200 ms timeout), the first master's fills still land: each fill's
    deadline runs from when its own master answered, not from when the last one did."""
    cache = cluster_cache(redis_cluster, timeout=0.2)
    customers = connect(design, dynamodb=db.client, cache=cache).repo(Customer)
    assert customers.cache is not None
    owners = slot_owners(redis_cluster)
    first, second, third = masters(redis_cluster)
    by_master: dict[int, list[str]] = defaultdict(list)
    for n in range(60):
        by_master[owners[key_slot(customer_key(db, f"p{n}"))].port].append(f"p{n}")
    ids = [i for m in (first, second, third) for i in by_master[m.port][:4]]  # in this order
    customers.batch_put(Customer(customer_id=i, email=f"{i}@x.io", name=i) for i in ids)

    for late in (second, third):
        late.client().config_set("hz", 100)  # a pause ends within 10 ms of its time
    try:
        second.client().execute_command("CLIENT", "PAUSE", 150, "WRITE")
        third.client().execute_command("CLIENT", "PAUSE", 300, "WRITE")
        got = customers.batch_get({"customer_id": i} for i in ids)
    finally:
        for late in (second, third):
            late.client().config_set("hz", 10)
    assert sorted(c.customer_id for c in got) == sorted(ids)
    filled = customers.cache_metrics
    assert filled is not None and (filled.misses, filled.errors) == (12, 0)
    assert (filled.fills, filled.refused_fills) == (12, 0)
    assert len(customers.batch_get({"customer_id": i} for i in ids)) == 12
    hit = customers.cache_metrics
    assert hit is not None and hit.hits == 12
    cache.close()
