"""The Redis processes the cache tests run against: a standalone server that can be paused,
stopped and restarted from an old snapshot, and a 3+3 cluster that fails over."""

from __future__ import annotations

import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

from tests.redis_services import RedisClusterProcesses, RedisServer

pytestmark = pytest.mark.services


def test_standalone_server_keeps_ttls(redis_server: RedisServer) -> None:
    client = redis_server.client()
    client.set("modelkit:test:ttl", b"v", ex=30)
    assert client.get("modelkit:test:ttl") == b"v"
    assert 0 < client.ttl("modelkit:test:ttl") <= 30


def test_a_restart_can_bring_back_an_older_snapshot(fresh_redis: RedisServer) -> None:
    client = fresh_redis.client()
    client.set("item", b"v1")
    fresh_redis.snapshot()
    client.set("item", b"v2")  # newer than the snapshot
    fresh_redis.kill()  # no save on the way down
    fresh_redis.start()
    assert fresh_redis.client().get("item") == b"v1"


def test_client_pause_holds_commands_back(fresh_redis: RedisServer) -> None:
    fresh_redis.pause(300)
    started = time.monotonic()
    fresh_redis.client().get("anything")
    assert time.monotonic() - started >= 0.25
    quick = fresh_redis.client(socket_timeout=0.05, retry=Retry(NoBackoff(), 0))
    fresh_redis.pause(300)
    with pytest.raises(redis.TimeoutError):
        quick.get("anything")


def test_a_stopped_server_refuses_connections(fresh_redis: RedisServer) -> None:
    fresh_redis.stop()
    with pytest.raises(redis.ConnectionError):
        fresh_redis.client().ping()
    fresh_redis.start()
    assert fresh_redis.client().ping()


def test_cluster_serves_every_slot_and_keys_with_one_tag_share_a_slot(
    redis_cluster: RedisClusterProcesses,
) -> None:
    client = redis_cluster.client()
    slots = client.cluster_slots(target_nodes=RedisCluster.RANDOM)
    assert sum(end - start + 1 for start, end in slots) == 16384
    assert len(slots) == 3  # three masters, a replica each
    assert all(len(served["replicas"]) == 1 for served in slots.values())
    for n in range(50):
        client.set(f"k{n}", n, ex=60)
    assert [int(client.get(f"k{n}")) for n in range(50)] == list(range(50))
    assert client.keyslot("{Order#o-1}:item") == client.keyslot("{Order#o-1}:version")


def test_killing_a_master_promotes_its_replica() -> None:
    cluster = RedisClusterProcesses().start()
    try:
        client = cluster.client()
        client.set("failover-key", b"before", ex=60)
        master = cluster.master_of("failover-key")
        assert master.client().execute_command("WAIT", 1, 2000) == 1  # on its replica too
        master.kill()
        promoted = cluster.wait_failover("failover-key", master.port)
        assert promoted.port != master.port
        assert cluster.client().get("failover-key") == b"before"
    finally:
        cluster.close()
