"""Redis clients for the cache: millisecond timeouts, no retries, and connections that know
the run id of the server process they talk to (a value stored by another process of the
server, before a restart or on a failed-over master, is never trusted)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.connection import Connection, SSLConnection
from redis.retry import Retry


class RunIdAware:
    """After each (re)connect, ask the server for its run id (``INFO server``)."""

    modelkit_run_id: bytes = b""

    def on_connect_check_health(self, check_health: bool = True) -> None:
        super().on_connect_check_health(check_health)  # type: ignore[misc]
        self.send_command("INFO", "server", check_health=False)  # type: ignore[attr-defined]
        info = self.read_response()  # type: ignore[attr-defined]
        self.modelkit_run_id = run_id_of(info)


class IdentifiedConnection(RunIdAware, Connection):
    """A TCP connection that records the server's run id."""


class IdentifiedSSLConnection(RunIdAware, SSLConnection):
    """A TLS connection (ElastiCache in-transit encryption) that records the run id."""


def run_id_of(info: bytes | str) -> bytes:
    text = info.encode() if isinstance(info, str) else info
    start = text.find(b"run_id:")
    if start < 0:
        return b""
    end = text.find(b"\r\n", start)
    return text[start + 7 : end if end >= 0 else len(text)].strip()


def open_client(
    url: str, *, cluster: bool | None = None, timeout: float = 0.01, **options: Any
) -> redis.Redis | RedisCluster:
    """A client for ``url`` (``redis://`` or ``rediss://``) that gives up after ``timeout``
    seconds and never retries. ``cluster=None`` asks the server whether it is a cluster."""
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss"):
        raise ValueError(f"a Redis URL starts with redis:// or rediss://, got {url!r}")
    settings: dict[str, Any] = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),
        "health_check_interval": 0,
        "connection_class": IdentifiedSSLConnection if scheme == "rediss" else IdentifiedConnection,
        **options,
    }
    if cluster is None:
        cluster = _is_cluster(url, settings)
    if cluster:
        return RedisCluster.from_url(url, require_full_coverage=False, **settings)
    return redis.Redis.from_url(url, **settings)


def _is_cluster(url: str, settings: dict[str, Any]) -> bool:
    probe = redis.Redis.from_url(
        url, **{**settings, "socket_timeout": 1.0, "socket_connect_timeout": 1.0}
    )
    try:
        info = probe.info("cluster")
        return bool(info.get("cluster_enabled"))
    finally:
        probe.close()
