"""The threads of a race: writers and readers of one item through the processes, each
recording what it did, when, in the item's :class:`~modelkit.testing._history.History`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from modelkit.testing._deployment import Process
from modelkit.testing._history import History
from modelkit.testing._items import Items, Known


def writer(
    history: History,
    items: Items,
    known: Known,
    proc: Process,
    value: Any,
    refused: tuple[type[Exception], ...],
) -> Callable[[], None]:
    """A put of ``value`` (a delete when None) through ``proc``; a write that ends in one of
    ``refused`` changed nothing and is not recorded."""
    repo = proc.db[known.entity]

    def write() -> None:
        start = time.monotonic()
        try:
            if value is None:
                repo.delete(known.fields)
            stored = None if value is None else repo.put(value)
        except refused:
            return
        end = time.monotonic()
        pending = proc.pending(known.entity, known.key)
        history.wrote(proc.name, start, end, items.canonical(known.entity, stored), pending)

    return write


def reader(
    history: History, items: Items, known: Known, proc: Process, reads: int = 3
) -> Callable[[], None]:
    """``reads`` gets of the item through ``proc``, one after another."""
    repo = proc.db[known.entity]

    def read() -> None:
        for _ in range(reads):
            start = time.monotonic()
            value = repo.get(known.fields)
            end = time.monotonic()
            history.read(proc.name, start, end, items.canonical(known.entity, value))

    return read


def run_together(jobs: list[Callable[[], None]]) -> None:
    """Run every job on a thread of its own, started together; re-raise the first failure."""
    barrier = threading.Barrier(len(jobs))
    failures: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as exc:  # re-raised below, on the machine's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
