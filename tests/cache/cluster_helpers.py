"""Helpers of the cluster cache tests: a RedisCache on a cluster, which master owns a key
(asked of the servers themselves), run ids, command counts and a cluster of a test's own."""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import Iterator

import msgspec
import redis

from modelkit.cache import RedisCache
from tests.redis_services import RedisClusterProcesses, RedisServer

TIMEOUT = 0.2
"""The cache's timeout in these tests. They count fills, and a fill whose store reaches
Redis later than the timeout allows is refused: on a busy 2-vCPU machine, 50 ms is not
always enough for a store that has to reload its script first."""


def cluster_cache(
    cluster: RedisClusterProcesses, node: int = 0, timeout: float = TIMEOUT
) -> RedisCache:
    """A RedisCache on ``cluster`` (found to be one, not told), with a key prefix of its own."""
    url = cluster.nodes[node].url
    return RedisCache(url, timeout=timeout, prefix=f"t{uuid.uuid4().hex[:8]}")


@contextlib.contextmanager
def own_cluster(attempts: int = 3) -> Iterator[RedisClusterProcesses]:
    """A 3+3 cluster for one test (to kill its masters without harming the session's). A
    start that loses a port to another process (free ports are picked before they are
    bound) is tried again on new ports."""
    for attempt in range(attempts):
        cluster = RedisClusterProcesses()
        try:
            cluster.start()
        except (RuntimeError, subprocess.SubprocessError):
            cluster.close()
            if attempt == attempts - 1:
                raise
            continue
        try:
            yield cluster
        finally:
            cluster.close()
        return


def slot_owners(cluster: RedisClusterProcesses) -> dict[int, RedisServer]:
    """Every slot's master, from one live node's ``CLUSTER SLOTS``."""
    by_port = {n.port: n for n in cluster.nodes}
    owners: dict[int, RedisServer] = {}
    for node in cluster.live():
        try:
            ranges = node.client().execute_command("CLUSTER", "SLOTS")
        except redis.RedisError:
            continue
        for start, end, master, *_ in ranges:
            owners.update(dict.fromkeys(range(start, end + 1), by_port[int(master[1])]))
        return owners
    raise LookupError("no live node answered CLUSTER SLOTS")


def keyslot(server: RedisServer, key: bytes) -> int:
    """The slot of ``key`` as the server computes it (``CLUSTER KEYSLOT``)."""
    return int(server.client().execute_command("CLUSTER", "KEYSLOT", key))


def masters(cluster: RedisClusterProcesses) -> list[RedisServer]:
    """The live nodes that serve slots."""
    return sorted({s.port: s for s in slot_owners(cluster).values()}.values(), key=_port)


def run_id(server: RedisServer) -> bytes:
    """The run id of the server's process (``INFO server``)."""
    return str(server.client().info("server")["run_id"]).encode()


def stored_run(raw: bytes | str | None) -> bytes:
    """The run id stamped in a cached envelope (``[run, expires, delta, value]``)."""
    assert isinstance(raw, bytes), f"no cached value: {raw!r}"
    envelope = msgspec.msgpack.decode(raw)
    run: bytes = envelope[0]
    return run


def command_calls(server: RedisServer, command: str) -> int:
    """How many times ``command`` ran on ``server`` (``INFO commandstats``)."""
    stats = server.client().info("commandstats")
    entry = stats.get(f"cmdstat_{command.lower()}")
    return int(entry["calls"]) if entry else 0


def _port(server: RedisServer) -> int:
    return server.port
