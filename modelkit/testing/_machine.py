"""The repository-and-cache state machine that :func:`~modelkit.testing.run_cache_machine`
runs: two application processes sharing one Redis and one table, checked against DynamoDB's
own strongly consistent reads."""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections import Counter
from typing import Any

import msgspec
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from modelkit.dynamo import Page
from modelkit.errors import ConditionFailed, NotFound, TransactionCanceled, ValidationError
from modelkit.schema import PatternDesign
from modelkit.testing._deployment import Deployment, Process
from modelkit.testing._history import History
from modelkit.testing._items import Items, Known
from modelkit.testing._race import reader, run_together, writer
from modelkit.testing.entities import entities

log = logging.getLogger("modelkit.testing")
REFUSED = (ConditionFailed, NotFound, TransactionCanceled)
"""Outcomes of a write that change nothing (a unique value taken, no item to update)."""
PROCESSES = ("A", "B")
DELAYS = (0.0, 0.005, 0.02)
"""How late a process's reads from DynamoDB may reach it during a race (seconds)."""
picks = st.integers(min_value=0, max_value=15)
processes = st.integers(min_value=0, max_value=len(PROCESSES) - 1)


class Options(msgspec.Struct, frozen=True):
    """What the machine exercises: ``entities`` and ``patterns`` of the design, how long a
    GSI may lag (``index_lag`` seconds), and whether it runs races, link outages and
    transactions."""

    entities: tuple[str, ...]
    patterns: tuple[PatternDesign, ...]
    index_lag: float
    races: bool
    outages: bool
    transactions: bool


def machine_class(
    deployment: Deployment, options: Options, tally: Counter[str]
) -> type[RuleBasedStateMachine]:
    """The state machine for ``deployment``; it counts what it did into ``tally``."""
    design = deployment.design
    names = options.entities
    drawn = {name: entities(design, name) for name in names}
    outside = [n for n in names if not design.entity(n).unique_fields] or list(names)
    bypassable = any(not design.entity(n).unique_fields for n in names)
    near = {n: design.entity(n).cache.near_ttl for n in names}
    patterns = st.sampled_from(options.patterns) if options.patterns else st.none()

    class CacheMachine(RuleBasedStateMachine):
        """Puts, updates and deletes through either process, outside writes delivered later
        as stream records, gets, batch gets and queries compared with DynamoDB, Redis
        evicting values, links cut, and races of threads on one item."""

        def __init__(self) -> None:
            super().__init__()
            self.prefix = f"mkcheck-{uuid.uuid4().hex[:10]}"
            self.procs: list[Process] = deployment.processes(self.prefix, PROCESSES)
            self.truth = deployment.truth
            self.items = Items(self.truth)
            self.known: dict[str, Known] = {}
            self.external: dict[str, list[dict[str, Any]]] = {}
            self.near_until: dict[tuple[str, str], float] = {}

        def teardown(self) -> None:
            try:
                for known in self.known.values():
                    self.truth[known.entity].delete(known.fields)
                for proc in self.procs:
                    for metrics in proc.db.cache_metrics().values():
                        tally["hits"] += metrics.hits
                        tally["misses"] += metrics.misses
            finally:
                deployment.drop(deployment.keys(self.prefix))
                for proc in self.procs:
                    proc.close()
                tally["runs"] += 1

        # -- items -------------------------------------------------------------------------

        def pool(self, entity: str | None = None) -> list[Known]:
            found = [k for k in self.known.values() if entity in (None, k.entity)]
            return sorted(found, key=lambda k: k.id)

        def pick(self, pick: int, entity: str | None = None) -> Known:
            pool = self.pool(entity)
            return pool[pick % len(pool)]

        def draw(self, data: st.DataObject, entity: str, reuse: bool, pick: int) -> Known:
            """A new instance of ``entity`` (``.instance``); with ``reuse``, under a known
            item's key."""
            instance = data.draw(drawn[entity], label=f"{entity} instance")
            if reuse and self.pool(entity):
                instance = self.items.with_key(instance, self.pick(pick, entity))
            known = self.items.known(entity, instance)
            self.known.setdefault(known.id, known)
            return known

        def wrote(self, proc: Process | None, known: Known) -> None:
            """After a write: the other processes' near caches may hold the old value."""
            ttl = near[known.entity]
            if ttl is None:
                return
            for other in self.procs:
                if other is not proc:
                    self.near_until[(other.name, known.id)] = time.monotonic() + ttl

        def exempt(self, proc: Process, known: Known) -> bool:
            """Whether ``proc`` may read an older value of ``known``: an outside write not
            yet delivered, an invalidation pending in another process, or another process's
            write not yet out of this process's near cache."""
            if known.id in self.external:
                return True
            if any(p.pending(known.entity, known.key) for p in self.procs if p is not proc):
                return True
            return self.near_until.get((proc.name, known.id), 0.0) > time.monotonic()

        def unsettled(self) -> bool:
            """Some link is down, or some invalidation is not delivered."""
            return bool(self.external) or any(
                p.switch.down or len(p.cache.pending) for p in self.procs
            )

        # -- writes ------------------------------------------------------------------------

        @rule(
            data=st.data(),
            entity=st.sampled_from(names),
            p=processes,
            reuse=st.booleans(),
            pick=picks,
        )
        def put(self, data: st.DataObject, entity: str, p: int, reuse: bool, pick: int) -> None:
            known = self.draw(data, entity, reuse, pick)
            proc = self.procs[p]
            try:
                proc.db[entity].put(known.instance)
            except REFUSED:
                tally["writes refused"] += 1
            self.wrote(proc, known)

        @precondition(lambda self: self.known)
        @rule(p=processes, pick=picks)
        def delete(self, p: int, pick: int) -> None:
            known, proc = self.pick(pick), self.procs[p]
            try:
                proc.db[known.entity].delete(known.fields)
            except REFUSED:
                tally["writes refused"] += 1
            self.wrote(proc, known)

        @precondition(lambda self: self.known)
        @rule(data=st.data(), p=processes, pick=picks)
        def update(self, data: st.DataObject, p: int, pick: int) -> None:
            """Set (or remove) one non-key field to a value drawn for it."""
            known, proc = self.pick(pick), self.procs[p]
            fields = self.items.updatable[known.entity]
            if not fields:
                return
            name = data.draw(st.sampled_from(fields), label="field")
            value = getattr(data.draw(drawn[known.entity], label="values"), name)
            repo = proc.db[known.entity]
            path = repo.f[name]
            try:
                repo.update(known.fields, path.remove() if value is None else path.set(value))
            except (*REFUSED, ValidationError):
                tally["updates refused"] += 1
            self.wrote(proc, known)

        @precondition(lambda self: bypassable and options.transactions)
        @rule(data=st.data(), p=processes, size=st.integers(min_value=1, max_value=3))
        def transaction(self, data: st.DataObject, p: int, size: int) -> None:
            """Puts and deletes of up to three items in one transaction (entities without
            unique fields, which transactions refuse); an item named twice is left out."""
            proc = self.procs[p]
            ops: dict[str, tuple[Known, Any]] = {}
            for _ in range(size):
                entity = data.draw(st.sampled_from(outside), label="entity")
                reuse, pick = data.draw(st.booleans()), data.draw(picks)
                delete = data.draw(st.booleans(), label="delete")
                known = self.draw(data, entity, reuse, pick)
                ops.setdefault(known.id, (known, None if delete else known.instance))
            try:
                with proc.db.transaction() as tx:
                    for known, instance in ops.values():
                        if instance is None:
                            tx.delete(type(known.instance), known.fields)
                        else:
                            tx.put(instance)
            except REFUSED:
                tally["transactions refused"] += 1
            tally["transactions"] += 1
            for known, _ in ops.values():
                self.wrote(proc, known)

        @precondition(lambda self: bypassable)
        @rule(
            data=st.data(),
            entity=st.sampled_from(outside),
            reuse=st.booleans(),
            pick=picks,
            delete=st.booleans(),
            later=st.booleans(),
        )
        def outside_write(
            self,
            data: st.DataObject,
            entity: str,
            reuse: bool,
            pick: int,
            delete: bool,
            later: bool,
        ) -> None:
            """A write that bypasses modelkit; its stream record is delivered at once to one
            process's stream consumer, or ``later``."""
            known = self.draw(data, entity, reuse, pick)
            table = deployment.table
            if delete:
                request = {"TableName": table, "Key": known.key, "ReturnValues": "ALL_OLD"}
                old = deployment.client.call("DeleteItem", request).get("Attributes")
                body = {"Keys": known.key, **({"OldImage": old} if old else {})}
                event = "REMOVE"
            else:
                item = self.truth.shape(entity).to_item(known.instance)
                request = {"TableName": table, "Item": item, "ReturnValues": "ALL_OLD"}
                old = deployment.client.call("PutItem", request).get("Attributes")
                body = {"Keys": known.key, "NewImage": item, **({"OldImage": old} if old else {})}
                event = "MODIFY" if old else "INSERT"
            self.external.setdefault(known.id, []).append({"eventName": event, "dynamodb": body})
            self.wrote(None, known)
            if not later:
                self.deliver(self.procs[pick % len(self.procs)], known.id)

        @precondition(lambda self: self.external)
        @rule(p=processes, pick=picks, every=st.booleans())
        def deliver_stream(self, p: int, pick: int, every: bool) -> None:
            """The stream consumer of one process handles an item's records (or ``every``
            item's)."""
            items = sorted(self.external)
            for item in items if every else [items[pick % len(items)]]:
                self.deliver(self.procs[p], item)

        def deliver(self, proc: Process, item: str) -> None:
            counts = proc.invalidator.handle(self.external.pop(item))
            tally["stream records delivered"] += counts.records
            if counts.pending:
                tally["stream batches left pending"] += 1
            self.wrote(None, self.known[item])

        # -- reads -------------------------------------------------------------------------

        def check_get(self, proc: Process, known: Known) -> None:
            exempt = self.exempt(proc, known)
            got = proc.db[known.entity].get(known.fields)
            want = self.truth[known.entity].get(known.fields, consistent=True)
            if exempt:  # a value read now may stay in this process's near cache
                tally["reads exempt"] += 1
                self.wrote(None, known)
                return
            seen, stored = (self.items.canonical(known.entity, v) for v in (got, want))
            if seen != stored:
                incoherent(
                    f"process {proc.name} read a stale {known.id}:\n  read  {seen!r}\n"
                    f"  table {stored!r}"
                )
            tally["reads checked"] += 1

        @precondition(lambda self: self.known)
        @rule(p=processes, pick=picks)
        def get(self, p: int, pick: int) -> None:
            self.check_get(self.procs[p], self.pick(pick))

        @precondition(lambda self: self.known)
        @rule(p=processes)
        def get_everything(self, p: int) -> None:
            for known in self.pool():
                self.check_get(self.procs[p], known)

        @precondition(lambda self: self.known)
        @rule(data=st.data(), p=processes, pick=picks)
        def batch_get(self, data: st.DataObject, p: int, pick: int) -> None:
            entity = self.pick(pick).entity
            pool = self.pool(entity)
            chosen = data.draw(
                st.lists(st.sampled_from(pool), min_size=1, unique_by=lambda k: k.id)
            )
            proc = self.procs[p]
            skip = {k.id for k in chosen if self.exempt(proc, k)}
            keys = [k.fields for k in chosen]
            got = self.by_id(entity, proc.db[entity].batch_get(keys))
            want = self.by_id(entity, self.truth[entity].batch_get(keys, consistent=True))
            for known in chosen:
                if known.id in skip:
                    tally["reads exempt"] += 1
                    continue
                if got.get(known.id) != want.get(known.id):
                    incoherent(
                        f"process {proc.name} batch-read a stale {known.id}:\n"
                        f"  read  {got.get(known.id)!r}\n  table {want.get(known.id)!r}"
                    )
                tally["reads checked"] += 1

        def by_id(self, entity: str, values: list[Any]) -> dict[str, bytes | None]:
            return {self.items.known(entity, v).id: self.items.canonical(entity, v) for v in values}

        @precondition(lambda self: bool(options.patterns and self.known))
        @rule(p=processes, pattern=patterns, pick=picks)
        def query(self, p: int, pattern: PatternDesign | None, pick: int) -> None:
            """A named query's first page, through the process and from the table."""
            sources = self.pool(pattern.entities[0]) if pattern is not None else []
            if pattern is None or not sources:
                return
            proc = self.procs[p]
            values = query_values(self.truth, pattern, sources[pick % len(sources)].instance)
            others = [q for q in self.procs if q is not proc]
            if self.external or any(len(q.cache.pending) for q in others) or values is None:
                tally["queries exempt"] += 1
                return
            gsi = self.truth.design.index(pattern.index).kind == "gsi"
            deadline = time.monotonic() + (options.index_lag if gsi else 0.0)
            while True:
                seen = page_form(proc.db.query(pattern.name, **values))
                stored = page_form(self.truth.query(pattern.name, consistent=not gsi, **values))
                if seen == stored:
                    break
                if time.monotonic() >= deadline:
                    incoherent(
                        f"process {proc.name}: pattern {pattern.name!r} with {values} returned "
                        f"a stale page:\n  read  {seen!r}\n  table {stored!r}"
                    )
                time.sleep(0.05)
            tally["queries checked"] += 1

        # -- Redis on its own --------------------------------------------------------------

        @rule(share=st.integers(min_value=0, max_value=4), seed=st.integers())
        def evict(self, share: int, seed: int) -> None:
            """Redis evicts some of the keys (``share`` quarters of them), or their TTLs run
            out: values, leases, pages. (Which keys exist is not the machine's to know, so
            they are chosen by ``seed``, not drawn.)"""
            keys = sorted(deployment.keys(self.prefix))
            deployment.drop(random.Random(seed).sample(keys, len(keys) * share // 4))

        @precondition(lambda self: options.outages)
        @rule(p=processes, down=st.booleans())
        def link(self, p: int, down: bool) -> None:
            """Cut a process's link to Redis, or bring it back."""
            self.procs[p].switch.down = down
            tally["links cut"] += down

        # -- races -------------------------------------------------------------------------

        @precondition(lambda self: options.races)
        @rule(
            data=st.data(),
            entity=st.sampled_from(names),
            reuse=st.booleans(),
            pick=picks,
            writes=st.lists(st.tuples(processes, st.booleans()), min_size=1, max_size=3),
            delays=st.lists(st.sampled_from(DELAYS), min_size=2, max_size=2),
        )
        def race(
            self,
            data: st.DataObject,
            entity: str,
            reuse: bool,
            pick: int,
            writes: list[tuple[int, bool]],
            delays: list[float],
        ) -> None:
            """Writers (puts or deletes) and readers in threads, on one item, at once; each
            process's reads from DynamoDB reach it a drawn delay late. Only while every link
            is up and every invalidation delivered."""
            known = self.draw(data, entity, reuse, pick)
            values = [
                None if delete else self.items.with_key(data.draw(drawn[entity]), known)
                for _, delete in writes
            ]
            if self.unsettled():  # checked after drawing: what is drawn must not depend on it
                tally["races skipped"] += 1
                return
            truth = self.truth[entity]
            initial = self.items.canonical(entity, truth.get(known.fields, consistent=True))
            history = History(known.id, initial, time.monotonic(), near=near[entity] is not None)
            jobs = [
                writer(history, self.items, known, self.procs[p], value, REFUSED)
                for (p, _), value in zip(writes, values, strict=True)
            ]
            jobs += [reader(history, self.items, known, proc) for proc in self.procs]
            for proc, delay in zip(self.procs, delays, strict=True):
                proc.client.delay = delay
            try:
                run_together(jobs)
            finally:
                for proc in self.procs:
                    proc.client.delay = 0.0
            stale = history.stale_reads()
            if stale:
                incoherent("stale reads in a race:\n" + "\n".join(stale))
            tally["races"] += 1
            tally["race reads checked"] += len(history.reads)
            self.wrote(None, known)  # the near caches may hold any value of the race
            for proc in self.procs:
                self.check_get(proc, known)

    return CacheMachine


class StaleRead(AssertionError):
    """A read through the repositories returned a value older than the table's."""


def incoherent(message: str) -> None:
    """Report a stale read: logged at once (a race's outcome depends on timing, so that
    Hypothesis may fail to replay it and report it as flaky) and raised."""
    log.error("%s", message)
    raise StaleRead(message)


def query_values(db: Any, pattern: PatternDesign, instance: Any) -> dict[str, Any] | None:
    """The values a query of ``pattern`` takes, from ``instance`` (None: it has none, e.g.
    an item outside a sparse index): the given fields and, for a range condition, the next
    sort-key field (``between`` a value and itself)."""
    values = {name: getattr(instance, name, None) for name in pattern.given}
    sk = db.shape(pattern.entities[0]).keys.formats[pattern.index][1]
    if sk is not None and pattern.sort not in (None, "eq", "prefix"):
        rest = [f for f in sk.fields if f not in values]
        if rest:
            value = getattr(instance, rest[0], None)
            values[rest[0]] = (value, value) if pattern.sort == "between" else value
    return None if any(v is None for v in values.values()) else values


def page_form(page: Page[Any]) -> list[bytes]:
    """A page's items in a comparable form."""
    return [msgspec.json.encode(msgspec.to_builtins(item), order="sorted") for item in page.items]
