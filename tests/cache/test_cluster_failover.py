"""Cluster nodes killed under the cache: reads never fail and never go stale, the transport
finds the promoted replica, values the replica got from the dead master are not trusted,
and with every node down DynamoDB alone answers. Each test runs a 3+3 cluster of its own
(the session's one is shared), in front of moto's server where threads call it."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from moto import mock_aws
from redis.crc import key_slot

from modelkit.cache import CacheMetrics, RedisCache
from modelkit.dynamo import Database, Repository, connect, deploy
from tests.cache.cluster_helpers import (
    TIMEOUT,
    cluster_cache,
    own_cluster,
    run_id,
    slot_owners,
    stored_run,
)
from tests.cache.conftest import deployed
from tests.cache.designs import Customer, Wallet, design
from tests.redis_services import RedisClusterProcesses, RedisServer

pytestmark = pytest.mark.services
KEYS = 50
THREADS = 4


@pytest.fixture
def cluster() -> Iterator[RedisClusterProcesses]:
    with own_cluster() as made:
        yield made


@pytest.fixture
def db(aws_env: None, moto_server_url: str, cluster: RedisClusterProcesses) -> Iterator[Database]:
    cache = cluster_cache(cluster)
    yield deployed(moto_server_url, cache)
    cache.close()


def value_key(repo: Repository[Any], **key: str) -> bytes:
    assert repo.cache is not None
    return repo.cache.ref(repo.shape.key(key)).value


def node_name(server: RedisServer) -> str:
    return f"127.0.0.1:{server.port}"


class Load:
    """``THREADS`` threads reading any of the customers and writing their own (thread t
    writes the keys n with n % THREADS == t, each put a higher ``version``). A read must
    return a version at least that of the last put acknowledged before it began, at most
    that of the last put begun before it ended, and never raise."""

    def __init__(self, repo: Repository[Customer]) -> None:
        self.repo = repo
        self.acked = [0] * KEYS
        self.begun = [0] * KEYS
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.reads: list[tuple[float, int]] = []  # (time, key) of each read that returned
        self.threads = [threading.Thread(target=self.run, args=(t,)) for t in range(THREADS)]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def run(self, me: int) -> None:
        rng = random.Random(me)
        try:
            while not self.stop.is_set():
                n = rng.randrange(KEYS)
                if n % THREADS == me and rng.random() < 0.3:
                    self.write(n)
                else:
                    self.read(n)
        except BaseException as exc:
            self.failures.append(f"thread {me}: {exc!r}")

    def write(self, n: int) -> None:
        version = self.begun[n] + 1
        self.begun[n] = version
        self.repo.put(customer(n, version))
        self.acked[n] = version

    def read(self, n: int) -> None:
        low = self.acked[n]
        got = self.repo.get(customer_id=f"c{n}")
        high = self.begun[n]
        if got is None or got != customer(n, got.version) or not low <= got.version <= high:
            self.failures.append(f"c{n}: got {got}, expected a version in [{low}, {high}]")
        self.reads.append((time.monotonic(), n))


def customer(n: int, version: int) -> Customer:
    return Customer(customer_id=f"c{n}", email=f"c{n}@x.io", name=f"v{version}", version=version)


def test_reads_stay_coherent_while_a_master_fails_over_under_load(
    db: Database, cluster: RedisClusterProcesses
) -> None:
    """4 threads read and write 50 customers while the master of a third of them is
    killed: no read raises or returns a value older than an acknowledged write; after the
    failover every get equals DynamoDB's strongly consistent read and hits resume on the
    promoted replica, whose stored values carry its own run id."""
    repo = db.repo(Customer)
    cache = db.cache
    assert isinstance(cache, RedisCache) and repo.cache is not None
    for n in range(KEYS):
        repo.put(customer(n, 0))
        assert repo.get(customer_id=f"c{n}") == customer(n, 0)
    owners = slot_owners(cluster)
    victim = owners[key_slot(value_key(repo, customer_id="c0"))]
    on_victim = [
        n for n in range(KEYS) if owners[key_slot(value_key(repo, customer_id=f"c{n}"))] is victim
    ]
    assert 5 <= len(on_victim) <= 30

    with Load(repo) as load:
        time.sleep(0.5)
        killed = time.monotonic()
        victim.kill()
        promoted = cluster.wait_failover(value_key(repo, customer_id="c0").decode(), victim.port)
        recovered = time.monotonic()
        time.sleep(1.0)
    assert load.failures == []
    during = [n for t, n in load.reads if killed <= t <= recovered and n in on_victim]
    assert len(during) >= 10  # reads of the dead master's keys kept succeeding
    assert repo.cache.metrics().errors > 0  # the cache saw the node go
    assert cache.transport.node_for(value_key(repo, customer_id="c0")).name == node_name(promoted)

    assert len(cache.pending) == 0  # the invalidations the failover held up were delivered
    current = [repo.get(customer_id=f"c{n}", consistent=True) for n in range(KEYS)]
    assert [c.version if c else None for c in current] == load.acked
    assert [repo.get(customer_id=f"c{n}") for n in range(KEYS)] == current
    before = repo.cache.metrics()
    assert [repo.get(customer_id=f"c{n}") for n in range(KEYS)] == current
    after = repo.cache.metrics()
    assert (after.hits - before.hits, after.misses - before.misses) == (KEYS, 0)
    promoted_run = run_id(promoted)
    for n in on_victim:
        stored = promoted.client().get(value_key(repo, customer_id=f"c{n}"))
        assert stored_run(stored) == promoted_run


class Poller(threading.Thread):
    """Reads one customer every 20 ms and records which node the transport maps it to and
    that node's breaker state (or what went wrong)."""

    def __init__(self, repo: Repository[Customer], expected: Customer) -> None:
        super().__init__()
        self.repo, self.expected = repo, expected
        self.key = value_key(repo, customer_id=expected.customer_id)
        self.seen: list[tuple[float, str, str]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        assert self.repo.cache is not None
        transport = self.repo.cache.cache.transport
        while not self.stop.is_set():
            got: object
            try:
                got = self.repo.get(customer_id=self.expected.customer_id)
            except Exception as exc:
                got = exc
            node = transport.node_for(self.key)
            wrong = "" if got == self.expected else f"got {got!r}"
            self.seen.append((time.monotonic(), node.name, wrong or node.breaker.state))
            time.sleep(0.02)

    def wait_for(self, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (self.seen and self.seen[-1][1] == name):
            time.sleep(0.02)
        time.sleep(0.1)


def ids_on(
    owner: RedisServer, owners: dict[int, RedisServer], key: Callable[[str], bytes], prefix: str
) -> list[str]:
    """Three ids whose value keys ``owner`` holds."""
    return [f"{prefix}{n}" for n in range(90) if owners[key_slot(key(f"{prefix}{n}"))] is owner][:3]


def test_the_promoted_replica_serves_no_value_of_the_dead_master(
    db: Database, cluster: RedisClusterProcesses
) -> None:
    """Values filled on a master reach its replica (WAIT), which is promoted when the master
    is killed: they are on it, stamped with the dead master's run id, and get() does not
    serve them (it misses and refills). A reader polling all along finds the promoted node
    soon after the cluster is ok (the dead node's breaker opened, the new node's is closed).
    A second cache whose slot map predates the failover gets MOVED from the old master,
    restarted as a replica, and refreshes its map."""
    customers, wallets = db.repo(Customer), db.repo(Wallet)
    cache = db.cache
    assert isinstance(cache, RedisCache)
    owners = slot_owners(cluster)
    victim = owners[key_slot(value_key(customers, customer_id="probe"))]
    customer_ids = ids_on(victim, owners, lambda i: value_key(customers, customer_id=i), "c")
    wallet_ids = ids_on(victim, owners, lambda i: value_key(wallets, wallet_id=i), "w")
    probe = customers.put(Customer(customer_id="probe", email="p@x.io", name="probe"))
    for i in customer_ids:
        customers.put(Customer(customer_id=i, email=f"{i}@x.io", name=i))
        assert customers.get(customer_id=i) is not None  # filled
    for i in wallet_ids:
        wallets.put(Wallet(wallet_id=i, balance=len(i)))  # written through
    dead_run = run_id(victim)
    assert victim.client().wait(1, 5000) == 1  # on the replica too
    other = next(n for n, s in enumerate(cluster.nodes) if s is not victim)
    stale_cache = RedisCache(cluster.nodes[other].url, timeout=TIMEOUT, prefix=cache.prefix)
    stale = connect(db.design, dynamodb=db.client, cache=stale_cache).repo(Customer)

    poller = Poller(customers, probe)
    poller.start()
    try:
        time.sleep(0.2)
        victim.kill()
        promoted = cluster.wait_failover(poller.key.decode(), victim.port)
        recovered = time.monotonic()
        poller.wait_for(node_name(promoted), timeout=5.0)
    finally:
        poller.stop.set()
        poller.join(timeout=10)
    states = {(name, state) for _, name, state in poller.seen}
    assert {state for _, state in states} <= {"closed", "open", "half-open"}  # all reads right
    switched = next(t for t, name, _ in poller.seen if name == node_name(promoted))
    assert switched - recovered < 2.5
    assert (node_name(victim), "open") in states
    assert poller.seen[-1][1:] == (node_name(promoted), "closed")

    assert run_id(promoted) != dead_run
    for i in customer_ids:
        assert_refilled(customers, {"customer_id": i}, promoted, dead_run)
    for i in wallet_ids:
        assert_refilled(wallets, {"wallet_id": i}, promoted, dead_run)

    victim.start()
    rejoin(cluster, victim)
    assert stale.cache is not None
    key = value_key(customers, customer_id=customer_ids[0])
    assert stale.cache.cache.transport.node_for(key).name == node_name(victim)  # old map
    with pytest.raises(redis.exceptions.MovedError):
        victim.client().get(key)
    expected = customers.get(customer_id=customer_ids[0], consistent=True)
    assert stale.get(customer_id=customer_ids[0]) == expected  # MOVED: from DynamoDB
    moved = stale.cache.metrics()
    assert (moved.hits, moved.misses, moved.errors) == (0, 1, 1)
    assert stale.cache.cache.transport.node_for(key).name == node_name(promoted)
    assert stale.get(customer_id=customer_ids[0]) == expected
    assert stale.cache.metrics().hits == 1  # the value filled on the promoted node
    stale_cache.close()


def assert_refilled(
    repo: Repository[Any], key: dict[str, str], promoted: RedisServer, dead_run: bytes
) -> None:
    """The item's value is on the promoted node, stored by the dead master; get() misses,
    refills it from DynamoDB under the promoted node's run id, then hits."""
    stored = value_key(repo, **key)
    assert stored_run(promoted.client().get(stored)) == dead_run  # replicated: there
    before = metrics(repo)
    assert repo.get(key) == repo.get(key, consistent=True)
    after = metrics(repo)
    assert (after.hits, after.misses, after.fills) == (
        before.hits,
        before.misses + 1,
        before.fills + 1,
    )
    assert stored_run(promoted.client().get(stored)) == run_id(promoted)  # refilled
    assert repo.get(key) is not None
    assert metrics(repo).hits == before.hits + 1


def metrics(repo: Repository[Any]) -> CacheMetrics:
    found = repo.cache_metrics
    assert found is not None
    return found


def rejoin(cluster: RedisClusterProcesses, server: RedisServer, timeout: float = 20.0) -> None:
    """Until the restarted ``server`` is a replica again and the cluster is ok."""
    deadline = time.monotonic() + timeout
    while server.client().info("replication")["role"] != "slave":
        assert time.monotonic() < deadline, "the old master did not rejoin as a replica"
        time.sleep(0.05)
    cluster.wait_ok(timeout)


def test_reads_and_writes_fall_through_when_every_node_is_down(
    aws_env: None, cluster: RedisClusterProcesses
) -> None:
    """Every node killed (moto in-process): for 1.5 s, past the breakers' reset, gets,
    puts, deletes and batch gets answer from DynamoDB and raise nothing, though no node
    answers the slot map refresh either; the writes' invalidations wait, undelivered."""
    cache = cluster_cache(cluster)
    with mock_aws():
        db = connect(design, cache=cache)
        deploy(design, db.client)
        repo = db.repo(Customer)
        for n in range(6):
            repo.put(customer(n, 0))
            assert repo.get(customer_id=f"c{n}") == customer(n, 0)
        for node in cluster.nodes:
            node.kill()
        version, give_up = 0, time.monotonic() + 1.5
        while time.monotonic() < give_up:
            version += 1
            for n in range(5):
                repo.put(customer(n, version))
                assert repo.get(customer_id=f"c{n}") == customer(n, version)
            repo.delete(customer_id="c5")
            assert repo.get(customer_id="c5") is None
            keys = [{"customer_id": f"c{n}"} for n in range(6)]
            assert repo.batch_get(keys) == [customer(n, version) for n in range(5)]
            time.sleep(0.05)
        metrics = repo.cache_metrics
    assert version >= 3 and metrics is not None
    assert (metrics.hits, metrics.breaker) == (0, "open") and metrics.errors > 0
    assert len(cache.pending) == 6
    cache.close()
