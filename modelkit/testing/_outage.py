"""A RedisCache whose link to Redis can be cut, to run outages against a live deployment
without touching the Redis server itself."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any

from modelkit.cache import RedisCache, open_client
from modelkit.cache._pending import PendingInvalidations
from modelkit.cache._transport import Command, Reply, Transport


class SwitchedTransport(Transport):
    """The cache's transport, with a switch: while ``down``, every command goes to a local
    port where nothing listens (the connection is refused: a real failure, quick and
    certain). ``breaker_failures`` sets both sides' breakers."""

    def __init__(
        self, live: Transport, *, breaker_failures: int = 3, breaker_reset: float = 1.0
    ) -> None:
        super().__init__(
            live.client, breaker_failures=breaker_failures, breaker_reset=breaker_reset
        )
        self.scripts = live.scripts
        dead = open_client(f"redis://127.0.0.1:{unused_port()}", cluster=False, timeout=0.05)
        self.dead = Transport(dead, breaker_failures=breaker_failures, breaker_reset=breaker_reset)
        self.down = False

    def calls(self, commands: Sequence[tuple[bytes, Command]]) -> list[Reply | Exception]:
        if self.down:
            return self.dead.calls(commands)
        return super().calls(commands)

    def close(self) -> None:
        super().close()
        self.dead.close()


def switched_cache(
    url: str,
    *,
    prefix: str,
    timeout: float,
    breaker_failures: int = 3,
    breaker_reset: float = 1.0,
    **options: Any,
) -> tuple[RedisCache, SwitchedTransport]:
    """A RedisCache on ``url`` under ``prefix`` whose link can be cut with the returned
    switch (``switch.down = True``)."""
    cache = RedisCache(
        url,
        timeout=timeout,
        prefix=prefix,
        breaker_failures=breaker_failures,
        breaker_reset=breaker_reset,
        **options,
    )
    switch = SwitchedTransport(
        cache.transport, breaker_failures=breaker_failures, breaker_reset=breaker_reset
    )
    cache.transport = switch
    cache.pending = PendingInvalidations(switch)
    return cache, switch


def unused_port() -> int:
    """A local TCP port nothing listens on (free when asked)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
