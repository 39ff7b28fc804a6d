"""Helpers of the coherence tests: a model of DynamoDB that remembers every version of every
item and which writes were acknowledged, the entity caches of the shared design on a
standalone Redis, and a transport that can be cut off from Redis (the testing kit's).

The coherence rule: through the repositories, no read that starts after a write was
acknowledged returns a value older than that write. :meth:`Versions.admissible` says which
values a read may return: the item as written by the latest acknowledged write of its key, or
by any later write (acknowledged or not)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from modelkit.cache import RedisCache
from modelkit.cache._entity_cache import EntityCache
from modelkit.schema import EntityDesign
from modelkit.testing._outage import SwitchedTransport
from modelkit.testing._outage import switched_cache as kit_switched_cache
from tests.cache.designs import Customer, Wallet, design

TABLE = "coherence"
NEVER = 10**9
"""Breaker threshold that never opens: the tests cut Redis off on purpose and want every
call to be tried."""


class Slot(msgspec.Struct, frozen=True):
    """One item: its entity (``Customer``: cache-aside, ``Wallet``: write-through) and id."""

    entity: str
    id: str

    def key(self) -> dict[str, dict[str, Any]]:
        """Its DynamoDB primary key."""
        if self.entity == "Customer":
            return {"PK": {"S": f"CUSTOMER#{self.id}"}, "SK": {"S": "PROFILE"}}
        return {"PK": {"S": f"WALLET#{self.id}"}, "SK": {"S": "WALLET"}}

    def item(self, version: int) -> Customer | Wallet:
        """The item as the write numbered ``version`` stores it."""
        if self.entity == "Customer":
            return Customer(customer_id=self.id, email=f"{self.id}@x.io", name="n", version=version)
        return Wallet(wallet_id=self.id, balance=version)


def version_of(value: Customer | Wallet) -> int:
    return value.version if isinstance(value, Customer) else value.balance


class Versions:
    """DynamoDB as a model: per item, its history of (version, value or None for a
    deletion) in write order, and the version of the latest acknowledged write."""

    def __init__(self, slots: Sequence[Slot]) -> None:
        self.history: dict[Slot, list[tuple[int, Any]]] = {s: [(0, None)] for s in slots}
        self.acked: dict[Slot, int] = dict.fromkeys(slots, 0)
        self._next = 0

    def current(self, slot: Slot) -> Any:
        """What a strongly consistent read returns now."""
        return self.history[slot][-1][1]

    def write(self, slot: Slot, delete: bool = False) -> int:
        """Apply a write (a put, or a deletion) and return its version (not acknowledged)."""
        self._next += 1
        self.history[slot].append((self._next, None if delete else slot.item(self._next)))
        return self._next

    def value(self, slot: Slot, version: int) -> Any:
        return next(v for n, v in self.history[slot] if n == version)

    def acknowledge(self, slot: Slot, version: int) -> None:
        self.acked[slot] = max(self.acked[slot], version)

    def admissible(self, slot: Slot, value: Any, since: int | None = None) -> bool:
        """Whether a read that started when ``since`` (default: now) was the acknowledged
        version may return ``value``."""
        floor = self.acked[slot] if since is None else since
        return any(value == v for n, v in self.history[slot] if n >= floor)

    def describe(self, slot: Slot, value: Any, since: int | None = None) -> str:
        floor = self.acked[slot] if since is None else since
        shown = None if value is None else version_of(value)
        return f"stale read of {slot}: got version {shown}, acknowledged {floor}"


def switched_cache(url: str, *, timeout: float = 1.0) -> tuple[RedisCache, SwitchedTransport]:
    """A RedisCache with a key prefix of its own whose link to Redis can be cut (the testing
    kit's), with breakers that never open. The timeout is generous: the model must not see
    timeouts it did not ask for."""
    return kit_switched_cache(
        url, prefix=f"c{uuid.uuid4().hex[:10]}", timeout=timeout, breaker_failures=NEVER
    )


def entity_caches(cache: RedisCache, lease_wait: float = 0.004) -> dict[str, EntityCache[Any]]:
    """The EntityCaches of Customer (cache-aside) and Wallet (write-through); a reader that
    finds another's lease waits ``lease_wait`` at most (the design's 50 ms would slow the
    state machine down, not change what it checks)."""
    made: dict[str, EntityCache[Any]] = {}
    for name in ("Customer", "Wallet"):
        entity: EntityDesign = design.entity(name)
        policy = msgspec.structs.replace(entity.cache, lease_wait=lease_wait)
        made[name] = cache.entity(design, msgspec.structs.replace(entity, cache=policy), TABLE)
    return made
