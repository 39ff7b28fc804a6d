"""Writes that bypass modelkit reach the cache through the table's DynamoDB stream: each
record drops its item from the entity's cache and makes the cached query pages of the
partitions it was and is in stale."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from modelkit.dynamo._cached_query import key_strings
from modelkit.dynamo._stream_reader import ShardReader, StartAt, StreamsApi, StreamsClient
from modelkit.errors import DynamoError, TableNotFound

if TYPE_CHECKING:
    from modelkit.dynamo._database import Database

log = logging.getLogger("modelkit.streams")
EVENTS = ("INSERT", "MODIFY", "REMOVE")


@dataclasses.dataclass
class InvalidationCounts:
    """What a batch of records did: ``records`` seen, cached ``items`` dropped, query
    ``partitions`` and whole GSIs (``indexes``) made stale, records ``skipped`` (another
    table's, items of no entity such as unique-field markers, malformed), stream ``errors``
    that :meth:`StreamInvalidator.run` retried, and invalidations still ``pending`` (Redis
    unreachable; delivered by a later call of this process)."""

    records: int = 0
    items: int = 0
    partitions: int = 0
    indexes: int = 0
    skipped: int = 0
    errors: int = 0
    pending: int = 0

    def add(self, other: InvalidationCounts) -> None:
        """Add ``other``'s counts (``pending`` is a level: it takes ``other``'s)."""
        for field in ("records", "items", "partitions", "indexes", "skipped", "errors"):
            setattr(self, field, getattr(self, field) + getattr(other, field))
        self.pending = other.pending


@dataclasses.dataclass
class _Batch:
    """The invalidations of a batch of records, gathered to be sent together."""

    keys: dict[str, dict[tuple[str, str], dict[str, dict[str, str]]]]
    partitions: set[tuple[str, str]]
    indexes: set[str]


class StreamInvalidator:
    """Keeps ``db``'s cache coherent with writes made outside modelkit (other services, the
    console, PartiQL, TTL deletions), from the table's stream.

    In a Lambda function, pass the event's records to :meth:`handle` (raise when its counts
    are ``pending`` to have the batch retried). In a process of its own, :meth:`run` reads
    the stream until stopped; :meth:`drain` reads what is there now. Reading starts at
    ``LATEST`` (records written from the first read or :meth:`open` on) or ``TRIM_HORIZON``
    (the last 24 hours). Any stream view works; without an old image (``KEYS_ONLY``,
    ``NEW_IMAGE``) or a new one (``KEYS_ONLY``, ``OLD_IMAGE``), the entity's GSIs are made
    stale whole, since the GSI partitions the item left or entered are unknown. Use each
    invalidator from one thread at a time.
    """

    def __init__(
        self, db: Database, *, start: StartAt = "LATEST", streams: StreamsApi | None = None
    ) -> None:
        if db.cache is None:
            raise ValueError(f"table {db.table} is not cached: there is nothing to invalidate")
        self.db = db
        self.cache = db.cache
        self.start = start
        self.totals = InvalidationCounts()
        """Counts since this invalidator was made."""
        self._streams = streams
        self._reader: ShardReader | None = None

    def __repr__(self) -> str:
        return f"<StreamInvalidator of table {self.db.table}>"

    # -- records ---------------------------------------------------------------------------

    def handle(self, records: Iterable[Mapping[str, Any]]) -> InvalidationCounts:
        """Invalidate what ``records`` changed (as GetRecords or a Lambda event delivers
        them: ``eventName``, ``dynamodb.Keys`` and the images). Never raises."""
        self.cache.pending.retry()
        counts = InvalidationCounts()
        batch = _Batch({}, set(), set())
        for record in records:
            counts.records += 1
            if not self._gather(record, batch):
                counts.skipped += 1
        for entity, keys in batch.keys.items():
            cache = self.db[entity].cache
            if cache is not None and keys:
                cache.invalidate(list(keys.values()))
                counts.items += len(keys)
        if self.db.queries is not None and (batch.partitions or batch.indexes):
            self.db.queries.pages.invalidate(batch.partitions, batch.indexes)
        counts.partitions = len(batch.partitions)
        counts.indexes = len(batch.indexes)
        counts.pending = len(self.cache.pending)
        self.totals.add(counts)
        return counts

    def _gather(self, record: Mapping[str, Any], batch: _Batch) -> bool:
        """Add the record's invalidations to ``batch``; False when it is not this table's
        item of an entity."""
        event = record.get("eventName")
        body = record.get("dynamodb")
        if event not in EVENTS or not isinstance(body, Mapping) or not self._ours(record):
            return False
        keys = body.get("Keys")
        key = key_strings(keys) if isinstance(keys, Mapping) else {}
        design = self.db.design
        pk = key.get(design.pk)
        sk = key.get(design.sk) if design.sk else None
        if pk is None or (design.sk is not None and sk is None):
            return False
        try:
            entity = self.db.design_keys.parse(pk, sk).entity
        except ValueError:  # KeyParseError: no entity has this key (unique markers, ...)
            return False
        old, new = body.get("OldImage"), body.get("NewImage")
        table_key = {design.pk: {"S": pk}}
        if design.sk is not None and sk is not None:
            table_key[design.sk] = {"S": sk}
        batch.keys.setdefault(entity, {})[(pk, sk or "")] = table_key
        whole = (event != "INSERT" and not isinstance(old, Mapping)) or (
            event != "REMOVE" and not isinstance(new, Mapping)
        )
        versions = [key, *(key_strings(i) for i in (old, new) if isinstance(i, Mapping))]
        self._partitions(entity, versions, whole, batch)
        return True

    def _partitions(
        self, entity: str, versions: list[dict[str, str]], whole: bool, batch: _Batch
    ) -> None:
        """The cached query partitions the item's versions are in, or its GSIs whole."""
        if self.db.queries is not None:
            partitions, gsis = self.db.queries.stale(self.db.shape(entity), versions, whole)
            batch.partitions |= partitions
            batch.indexes |= gsis

    def _ours(self, record: Mapping[str, Any]) -> bool:
        """Whether the record is of this table (Lambda names the stream's table in
        ``eventSourceARN``; records from GetRecords do not, and are this stream's)."""
        arn = record.get("eventSourceARN")
        if not isinstance(arn, str) or ":table/" not in arn:
            return True
        return arn.split(":table/", 1)[1].split("/", 1)[0] == self.db.table

    # -- the stream ------------------------------------------------------------------------

    def open(self) -> None:
        """Find the table's stream and its shards, and start reading (from ``LATEST``:
        records written from now on). :class:`DynamoError` if the table has no stream."""
        self._open_reader().open()

    def poll(self) -> InvalidationCounts:
        """One ``GetRecords`` per readable shard, and the invalidations of what it read."""
        return self.handle(self._open_reader().read())

    def drain(self) -> InvalidationCounts:
        """Read the stream until a round finds nothing new (for tests and scripts)."""
        reader = self._open_reader()
        counts = InvalidationCounts()
        while True:
            found = reader.read()
            counts.add(self.handle(found))
            if not found and not reader.changed:
                return counts

    def run(self, stop: threading.Event, interval: float = 1.0) -> InvalidationCounts:
        """Read the stream until ``stop`` is set, waiting ``interval`` seconds after a round
        that found nothing. Errors of the streams API are logged and retried after
        ``interval``, except a table or stream that no longer exists (raised). Returns the
        counts of this run."""
        counts = InvalidationCounts()
        while not stop.is_set():
            try:
                found = self.poll()
            except TableNotFound:
                raise
            except DynamoError as exc:
                log.warning("reading the stream of table %s failed: %s", self.db.table, exc)
                counts.errors += 1
                self.totals.errors += 1
                stop.wait(interval)
                continue
            counts.add(found)
            if found.records == 0:
                stop.wait(interval)
        return counts

    def _open_reader(self) -> ShardReader:
        if self._reader is None:
            streams = self._streams if self._streams is not None else StreamsClient(self.db.client)
            self._reader = ShardReader(streams, self._stream_arn(), self.start)
        return self._reader

    def _stream_arn(self) -> str:
        table = self.db.client.call("DescribeTable", {"TableName": self.db.table})["Table"]
        spec = table.get("StreamSpecification") or {}
        arn = table.get("LatestStreamArn")
        if not spec.get("StreamEnabled", arn is not None) or not arn:
            raise DynamoError(
                f"table {self.db.table} has no stream: deploy it with one (Table(stream=...), "
                "any view) to keep the cache coherent with writes made outside modelkit",
                code="StreamNotEnabled",
                operation="DescribeTable",
            )
        return str(arn)
