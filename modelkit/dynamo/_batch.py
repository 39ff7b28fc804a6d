"""BatchGetItem and BatchWriteItem in chunks, retrying unprocessed keys and items.

Chunks of 100 keys and 25 writes (DynamoDB's limits). What DynamoDB returns unprocessed is
sent again after an exponential backoff with full jitter, capped; nothing is dropped and
nothing spins. When the attempts run out, :class:`BatchIncomplete` carries every key or write
still unprocessed, so the caller loses nothing either.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from modelkit.errors import Throttled

GET_CHUNK = 100
WRITE_CHUNK = 25
Item = dict[str, dict[str, Any]]


class Caller(Protocol):
    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]: ...


class BatchIncomplete(Throttled):
    """Some keys or writes stayed unprocessed after every retry.

    ``unprocessed`` holds them and every later one not yet sent; ``found`` the items a batch
    get had already read.
    """

    def __init__(
        self, message: str, *, unprocessed: list[Any], operation: str, found: list[Any]
    ) -> None:
        self.unprocessed = unprocessed
        self.found = found
        super().__init__(message, code="BatchIncomplete", operation=operation)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: attempt n sleeps up to min(cap, base * 2**n)."""

    base: float = 0.05
    cap: float = 2.0
    attempts: int = 8
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rand: Callable[[], float] = field(default=random.random, compare=False)

    def wait(self, attempt: int) -> None:
        self.sleep(self.rand() * min(self.cap, self.base * 2**attempt))


def _chunks(items: Sequence[Any], size: int) -> Iterator[tuple[int, Sequence[Any]]]:
    """``(end, chunk)`` pairs: ``items[end:]`` is what is still to send after the chunk."""
    for start in range(0, len(items), size):
        yield start + size, items[start : start + size]


def batch_get(
    client: Caller,
    table: str,
    keys: Sequence[Item],
    *,
    consistent: bool = False,
    projection: dict[str, Any] | None = None,
    backoff: Backoff = Backoff(),
    on_response: Callable[[dict[str, Any]], None] | None = None,
) -> list[Item]:
    """Every item found for ``keys`` (in no particular order; missing keys are left out)."""
    found: list[Item] = []
    unique = _unique(keys)
    for done, chunk in _chunks(unique, GET_CHUNK):
        pending: list[Item] = list(chunk)
        attempt = 0
        while pending:
            request: dict[str, Any] = {"Keys": pending, "ConsistentRead": consistent}
            if projection:
                request.update(projection)
            response = client.call(
                "BatchGetItem",
                {"RequestItems": {table: request}, "ReturnConsumedCapacity": "INDEXES"},
            )
            if on_response is not None:
                on_response(response)
            found.extend(response.get("Responses", {}).get(table, []))
            pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            if pending:
                rest = [*pending, *unique[done:]]
                attempt = _next_attempt(attempt, backoff, rest, "BatchGetItem", "keys", found)
    return found


def batch_write(
    client: Caller,
    table: str,
    writes: Sequence[dict[str, Any]],
    *,
    backoff: Backoff = Backoff(),
    on_response: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Send ``writes`` (``{"PutRequest": ...}`` / ``{"DeleteRequest": ...}``) until all are done."""
    for done, chunk in _chunks(writes, WRITE_CHUNK):
        pending: list[dict[str, Any]] = list(chunk)
        attempt = 0
        while pending:
            response = client.call(
                "BatchWriteItem",
                {"RequestItems": {table: pending}, "ReturnConsumedCapacity": "INDEXES"},
            )
            if on_response is not None:
                on_response(response)
            pending = response.get("UnprocessedItems", {}).get(table, [])
            if pending:
                rest = [*pending, *writes[done:]]
                attempt = _next_attempt(attempt, backoff, rest, "BatchWriteItem", "writes", [])


def _next_attempt(
    attempt: int,
    backoff: Backoff,
    rest: list[Any],
    operation: str,
    what: str,
    found: list[Any],
) -> int:
    if attempt + 1 >= backoff.attempts:
        raise BatchIncomplete(
            f"{len(rest)} {what} stayed unprocessed or unsent after {backoff.attempts} "
            "attempts (the table or an index is short of capacity); they are in .unprocessed",
            unprocessed=rest,
            operation=operation,
            found=found,
        )
    backoff.wait(attempt)
    return attempt + 1


def _unique(keys: Iterable[Item]) -> list[Item]:
    """DynamoDB refuses a batch that names the same key twice."""
    seen: set[tuple[tuple[str, str], ...]] = set()
    result = []
    for key in keys:
        marker = tuple(sorted((name, repr(value)) for name, value in key.items()))
        if marker not in seen:
            seen.add(marker)
            result.append(key)
    return result
