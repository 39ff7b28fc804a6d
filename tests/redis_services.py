"""Real Redis for integration tests: standalone servers and a cluster of 3 masters and 3
replicas, each on free loopback ports in a directory of its own. ``make test`` installs
``redis-server`` (Debian's package); a missing binary fails the tests that need it.

A server can be stopped, restarted on the same port and directory (loading its RDB snapshot
back), paused (``CLIENT PAUSE``) or killed; a cluster master can be killed to force a failover.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import redis
from redis.cluster import RedisCluster

from tests.services import free_port

REDIS_SERVER = "redis-server"
REDIS_CLI = "redis-cli"
_MISSING = "redis-server is missing: run `make test` or `make services-deps` (apt redis-server)"


def cluster_port() -> int:
    """A free port that a cluster node can use: its bus port (port + 10000) must exist."""
    while True:
        port = free_port()
        if port <= 55535:
            return port


class RedisServer:
    """One ``redis-server`` process; ``url`` is ``redis://127.0.0.1:PORT``."""

    def __init__(self, *, options: Sequence[str] = (), port: int | None = None) -> None:
        if shutil.which(REDIS_SERVER) is None:
            pytest.fail(_MISSING)
        self.port = port or cluster_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"redis-{self.port}-"))
        self.options = list(options)
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        return [
            REDIS_SERVER,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.dir),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.dir / "redis.log"),
            *self.options,
        ]  # fmt: skip

    def start(self, timeout: float = 10.0) -> RedisServer:
        self.process = subprocess.Popen(self.argv(), stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.client().ping():
                    return self
            except redis.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on {self.port} did not start: {self.log()}")
            time.sleep(0.02)

    def client(self, **options: object) -> redis.Redis:
        settings: dict[str, object] = {"socket_timeout": 2.0, **options}
        return redis.Redis(port=self.port, **settings)  # type: ignore[arg-type]

    def snapshot(self) -> None:
        """Write the RDB file now (``SAVE``), to be loaded by the next start."""
        self.client().save()

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL); the directory and its RDB stay."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)

    def restart(self) -> RedisServer:
        self.stop()
        return self.start()

    def pause(self, milliseconds: int) -> None:
        """Every client waits ``milliseconds`` before its commands run (``CLIENT PAUSE``)."""
        self.client().execute_command("CLIENT", "PAUSE", milliseconds, "ALL")

    def log(self) -> str:
        path = self.dir / "redis.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisClusterProcesses:
    """Six ``redis-server`` nodes joined by ``redis-cli --cluster create`` into 3 masters with
    a replica each."""

    def __init__(self, nodes: int = 6, node_timeout_ms: int = 1000) -> None:
        options = [
            "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", str(node_timeout_ms),
            "--cluster-replica-validity-factor", "0",
            # replicas sync at once and report often: the cluster is ready in seconds
            "--repl-diskless-sync-delay", "0",
            "--repl-ping-replica-period", "1",
        ]  # fmt: skip
        self.nodes = [RedisServer(options=options) for _ in range(nodes)]

    @property
    def startup_nodes(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", n.port) for n in self.nodes]

    def start(self, timeout: float = 30.0) -> RedisClusterProcesses:
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{n.port}" for n in self.nodes]
        subprocess.run(
            [REDIS_CLI, "--cluster", "create", *addresses, "--cluster-replicas", "1",
             "--cluster-yes"],
            check=True, capture_output=True, timeout=timeout,
        )  # fmt: skip
        self.wait_ok(timeout)
        self._wait_replicas(timeout)
        return self

    def _wait_replicas(self, timeout: float) -> None:
        """Until every node's ``CLUSTER SLOTS`` lists a replica for each range of slots."""
        deadline = time.monotonic() + timeout
        while True:
            if all(_replicated(n) for n in self.live()):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"replicas not known to every node after {timeout} s")
            time.sleep(0.1)

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Until every live node reports ``cluster_state:ok``."""
        deadline = time.monotonic() + timeout
        while True:
            states = [self._state(n) for n in self.live()]
            if states and all(s == "ok" for s in states):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster not ok after {timeout} s: {states}")
            time.sleep(0.1)

    def wait_failover(self, key: str, old_port: int, timeout: float = 30.0) -> RedisServer:
        """Until a node other than ``old_port`` serves ``key``'s slot and the cluster is ok."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                master = self.master_of(key)
                if master.port != old_port:
                    self.wait_ok(max(0.1, deadline - time.monotonic()))
                    return master
            except (LookupError, redis.RedisError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no failover of {key!r} from port {old_port} in {timeout} s")
            time.sleep(0.1)

    def live(self) -> list[RedisServer]:
        return [n for n in self.nodes if n.process is not None and n.process.poll() is None]

    def client(self) -> RedisCluster:
        nodes = [redis.cluster.ClusterNode(h, p) for h, p in self.startup_nodes]
        return RedisCluster(startup_nodes=nodes, socket_timeout=2)

    def master_of(self, key: str) -> RedisServer:
        slot = self.client().keyslot(key)
        for node in self.live():
            for start, end, master, *_ in node.client().execute_command("CLUSTER", "SLOTS"):
                if start <= slot <= end:
                    port = int(master[1])
                    return next(n for n in self.nodes if n.port == port)
        raise LookupError(f"no master serves slot {slot}")

    def close(self) -> None:
        for node in self.nodes:
            node.close()

    @staticmethod
    def _state(node: RedisServer) -> str:
        try:
            info = node.client().execute_command("CLUSTER", "INFO")
        except redis.RedisError:
            return "down"
        text = info.decode() if isinstance(info, bytes) else str(info)
        fields = dict(line.split(":", 1) for line in text.split() if ":" in line)
        return fields.get("cluster_state", "?")


def _replicated(node: RedisServer) -> bool:
    ranges = node.client().execute_command("CLUSTER", "SLOTS")
    return bool(ranges) and all(len(r) >= 4 for r in ranges)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A standalone redis-server for the whole session."""
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture()
def fresh_redis() -> Iterator[RedisServer]:
    """A redis-server of the test's own, to stop, pause, restart or kill."""
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisClusterProcesses]:
    """A Redis Cluster of 3 masters and 3 replicas on loopback for the whole session."""
    cluster = RedisClusterProcesses().start()
    yield cluster
    cluster.close()
