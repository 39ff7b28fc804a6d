"""Commands to the node that owns a key, over a pooled connection, with the node's breaker.

Standalone and cluster alike: a key's node is found from its slot (the cluster's map), the
command goes straight over one of that node's connections, and the reply comes back with
the run id of the server process that answered. Any failure is a :class:`CacheDown`; the
caller falls through to DynamoDB."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import (
    AskError,
    ClusterDownError,
    NoScriptError,
    RedisClusterException,
    RedisError,
    ResponseError,
    TryAgainError,
)

from modelkit.cache._breaker import BreakerState, CircuitBreaker

Command = tuple[Any, ...]
REFRESH_EVERY = 0.25


class CacheDown(Exception):
    """A Redis call that was not made (breaker open) or did not complete."""


class CircuitOpen(CacheDown):
    """A call not made: the node's breaker is open."""


class Script:
    """A Lua script run by EVALSHA (loaded on the node the first time it is missing)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def command(self, keys: Sequence[bytes], args: Sequence[Any]) -> Command:
        return ("EVALSHA", self.sha, len(keys), *keys, *args)


class Reply:
    """A reply and the run id of the server process that sent it."""

    __slots__ = ("at", "run_id", "value")

    def __init__(self, value: Any, run_id: bytes) -> None:
        self.value = value
        self.run_id = run_id
        self.at = time.monotonic()
        """When the reply was read (a store's deadline counts from here, never later)."""


class Node:
    """One Redis server: its connection pool and its breaker."""

    def __init__(self, name: str, pool: Any, breaker: CircuitBreaker) -> None:
        self.name = name
        self.pool = pool
        self.breaker = breaker


class Transport:
    """Sends commands for keys to their nodes (see the module docstring)."""

    def __init__(
        self,
        client: redis.Redis | RedisCluster,
        *,
        breaker_failures: int = 3,
        breaker_reset: float = 1.0,
    ) -> None:
        self.client = client
        self.cluster = isinstance(client, RedisCluster)
        self._breaker_failures = breaker_failures
        self._breaker_reset = breaker_reset
        self._nodes: dict[str, Node] = {}
        self._lock = threading.Lock()
        self._next_refresh = 0.0
        self.scripts: dict[str, str] = {}
        if isinstance(client, redis.Redis):
            self._single = self._node("standalone", client.connection_pool)

    # -- nodes -----------------------------------------------------------------------------

    def _node(self, name: str, pool: Any) -> Node:
        node = self._nodes.get(name)
        if node is None or node.pool is not pool:
            with self._lock:
                node = self._nodes.get(name)
                if node is None or node.pool is not pool:
                    breaker = (
                        node.breaker
                        if node is not None
                        else CircuitBreaker(self._breaker_failures, self._breaker_reset)
                    )
                    node = Node(name, pool, breaker)
                    self._nodes[name] = node
        return node

    def node_for(self, key: bytes) -> Node:
        if not self.cluster:
            return self._single
        client: RedisCluster = self.client  # type: ignore[assignment]
        try:
            found = client.nodes_manager.get_node_from_slot(key_slot(key))
        except (RedisError, RedisClusterException) as exc:
            self._refresh()
            raise CacheDown(f"no node for the key: {exc}") from None
        return self._node(found.name, found.redis_connection.connection_pool)

    def slot_of(self, key: bytes) -> int:
        if not self.cluster:
            return 0
        return key_slot(key)

    def breaker_state(self) -> BreakerState:
        states = {node.breaker.state for node in list(self._nodes.values())}
        for state in ("open", "half-open"):
            if state in states:
                return state
        return "closed"

    def _refresh(self) -> None:
        """Re-read the cluster's slot map (after a failover or a MOVED), at most 4 times a
        second."""
        if not self.cluster or time.monotonic() < self._next_refresh:
            return
        self._next_refresh = time.monotonic() + REFRESH_EVERY
        with contextlib.suppress(RedisError, RedisClusterException, OSError):
            manager = self.client.nodes_manager  # type: ignore[union-attr]
            manager.initialize()
            live = set(manager.nodes_cache)
            with self._lock:  # forget nodes that left (a failed master), and their breakers
                for name in [n for n in self._nodes if n not in live]:
                    del self._nodes[name]

    # -- calls -----------------------------------------------------------------------------

    def call(self, key: bytes, command: Command) -> Reply:
        """Run one command on the node of ``key``."""
        try:
            node = self.node_for(key)
        except CacheDown as exc:
            raise CacheDown(str(exc)) from None
        (reply,) = self._on_node(node, [command])
        if isinstance(reply, CircuitOpen):
            raise CircuitOpen(str(reply))
        if isinstance(reply, Exception):
            raise CacheDown(str(reply)) from reply
        return reply

    def calls(self, commands: Sequence[tuple[bytes, Command]]) -> list[Reply | Exception]:
        """Run commands (each for the node of its key), pipelined per node. A node that
        fails turns each of its commands into an exception; the others still run."""
        results: list[Reply | Exception] = [CacheDown("not sent")] * len(commands)
        groups: dict[str, list[int]] = defaultdict(list)
        nodes: dict[str, Node] = {}
        for i, (key, _) in enumerate(commands):
            try:
                node = self.node_for(key)
            except CacheDown as exc:
                results[i] = exc
                continue
            nodes[node.name] = node
            groups[node.name].append(i)
        for name, indexes in groups.items():
            node = nodes[name]
            batch = [commands[i][1] for i in indexes]
            for i, reply in zip(indexes, self._on_node(node, batch), strict=True):
                results[i] = reply
        return results

    def _on_node(self, node: Node, batch: list[Command]) -> list[Reply | Exception]:
        if not node.breaker.allow():
            self._refresh()  # a failed-over master's slots may have a new node already
            return [CircuitOpen(f"Redis {node.name}: circuit open")] * len(batch)
        try:
            conn = node.pool.get_connection()
        except (RedisError, OSError) as exc:  # the pool checks and reconnects idle links
            node.breaker.failure()
            self._refresh()
            return [CacheDown(f"Redis {node.name}: {exc}")] * len(batch)
        try:
            conn.send_packed_command(conn.pack_commands(batch), check_health=False)
            run_id = conn.modelkit_run_id
            replies: list[Reply | Exception] = []
            for _ in batch:
                try:
                    replies.append(Reply(conn.read_response(disconnect_on_error=True), run_id))
                except ResponseError as exc:  # a reply that is an error: the link is fine
                    replies.append(exc)
        except (RedisError, OSError) as exc:
            conn.disconnect()
            node.pool.release(conn)
            node.breaker.failure()
            self._refresh()
            return [CacheDown(f"Redis {node.name}: {exc}")] * len(batch)
        node.pool.release(conn)
        node.breaker.success()
        return self._reload_scripts(node, batch, replies)

    def _reload_scripts(
        self, node: Node, batch: list[Command], replies: list[Reply | Exception]
    ) -> list[Reply | Exception]:
        """Load the scripts a node did not know (after a restart or failover) and rerun the
        commands that needed them; MOVED/ASK replies refresh the slot map."""
        if not any(isinstance(r, Exception) for r in replies):
            return replies
        missing = [i for i, r in enumerate(replies) if isinstance(r, NoScriptError)]
        if any(_is_redirect(r) for r in replies):
            self._refresh()
        if not missing:
            return replies
        shas = {batch[i][1] for i in missing}
        loads: list[Command] = [("SCRIPT", "LOAD", self.scripts[sha]) for sha in shas]
        again = self._on_node(node, loads + [batch[i] for i in missing])
        for i, reply in zip(missing, again[len(loads) :], strict=True):
            replies[i] = reply
        return replies

    def register(self, script: Script) -> Script:
        self.scripts[script.sha] = script.source
        return script

    def close(self) -> None:
        self.client.close()


def _is_redirect(reply: Reply | Exception) -> bool:
    return isinstance(reply, AskError | ClusterDownError | TryAgainError)
