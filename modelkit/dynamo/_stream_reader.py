"""Reading a table's DynamoDB stream: every shard, the children of a split after their
parent, iterators renewed when they expire. Failures leave as modelkit errors."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from modelkit.dynamo._connection import DynamoClient, _client
from modelkit.dynamo._errors import from_botocore_error, from_client_error, setup_error
from modelkit.errors import DynamoError, TableNotFound

StartAt = Literal["LATEST", "TRIM_HORIZON"]
RECORDS_PER_CALL = 1000
DESCRIBE_EVERY = 30.0
"""Seconds between two looks for new shards while none closed (a split closes its parent)."""
RESTART_CODES = frozenset({"ExpiredIteratorException", "TrimmedDataAccessException"})


class StreamsApi(Protocol):
    """What the reader needs of the DynamoDB Streams API (``DescribeStream``,
    ``GetShardIterator``, ``GetRecords`` with the API's own JSON shapes)."""

    def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]: ...


class StreamsClient:
    """A ``dynamodbstreams`` botocore client with the endpoint, Region, credentials, timeouts
    and retries of a :class:`DynamoClient`; errors raise as :class:`DynamoClient`'s do."""

    def __init__(self, dynamo: DynamoClient) -> None:
        connection = dynamo._connection
        base = _client(connection).meta.config
        config = Config(
            connect_timeout=base.connect_timeout,
            read_timeout=base.read_timeout,
            retries=base.retries,
            account_id_endpoint_mode="disabled",  # the Region's endpoint, as for DynamoDB
        )
        try:
            self._client = connection.session.create_client(
                "dynamodbstreams", dynamo.region, endpoint_url=connection.host, config=config
            )
        except BotoCoreError as exc:
            raise setup_error(exc, context="dynamodbstreams") from exc
        self.endpoint: str = self._client.meta.endpoint_url

    def __repr__(self) -> str:
        return f"StreamsClient({self.endpoint!r})"

    def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        try:
            response: dict[str, Any] = self._client._make_api_call(operation, dict(request))
        except ClientError as exc:
            error = from_client_error(exc, operation, request, self.endpoint)
            if isinstance(error, TableNotFound):  # its hint speaks of deploying a table
                message = exc.response.get("Error", {}).get("Message", "")
                error = TableNotFound(
                    f"{operation} on {self.endpoint}: {message} (the table was deleted, or "
                    "its stream disabled or replaced)",
                    code=error.code,
                    operation=operation,
                )
            raise error from exc
        except BotoCoreError as exc:
            raise from_botocore_error(exc, operation, self.endpoint) from exc
        return response


@dataclass
class Shard:
    """One shard as the reader follows it: ``last`` is the sequence number of the last record
    read, ``start`` where a new iterator begins when there is none."""

    id: str
    parent: str | None
    start: str
    iterator: str | None = None
    last: str | None = None
    done: bool = False


class ShardReader:
    """Follows every shard of one stream. Shards there at the first look start at ``start``
    (closed ones are skipped from ``LATEST``); shards found later (children of a split)
    start at ``TRIM_HORIZON``, once their parent is read to its end. An expired iterator is
    renewed after the last record read (or from ``TRIM_HORIZON`` when none was), a trimmed
    one from ``TRIM_HORIZON``. Not thread-safe: one reader per thread."""

    def __init__(
        self,
        api: StreamsApi,
        stream_arn: str,
        start: StartAt = "LATEST",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.arn = stream_arn
        self.start = start
        self.shards: dict[str, Shard] = {}
        self._clock = clock
        self._opened = False
        self._described = 0.0
        self._stale = True

    def open(self) -> None:
        """Find the shards and take the iterators of those read from ``LATEST`` (records
        written from now on are read); done by the first :meth:`read` otherwise."""
        if not self._opened:
            self._describe()

    def read(self) -> list[dict[str, Any]]:
        """One ``GetRecords`` per shard that can be read now; their records in order."""
        if self._stale or self._clock() - self._described >= DESCRIBE_EVERY:
            self._describe()
        records: list[dict[str, Any]] = []
        for shard in list(self.shards.values()):
            if not shard.done and self._parent_done(shard):
                records += self._get(shard)
        return records

    @property
    def changed(self) -> bool:
        """A shard closed since the last look for shards (its children may hold records)."""
        return self._stale

    # -- shards ----------------------------------------------------------------------------

    def _describe(self) -> None:
        found: list[Mapping[str, Any]] = []
        request: dict[str, Any] = {"StreamArn": self.arn}
        while True:
            described = self.api.call("DescribeStream", request)["StreamDescription"]
            found += described.get("Shards", [])
            last = described.get("LastEvaluatedShardId")
            if not last:
                break
            request["ExclusiveStartShardId"] = last
        first = not self._opened
        listed = {s["ShardId"] for s in found}
        for item in found:
            if item["ShardId"] not in self.shards:
                self._add(item, first)
        for shard_id in [s.id for s in self.shards.values() if s.done and s.id not in listed]:
            del self.shards[shard_id]  # trimmed away: no child waits for it any more
        self._opened = True
        self._stale = False
        self._described = self._clock()

    def _add(self, item: Mapping[str, Any], first: bool) -> None:
        closed = "EndingSequenceNumber" in item.get("SequenceNumberRange", {})
        start = self.start if first else "TRIM_HORIZON"
        shard = Shard(item["ShardId"], item.get("ParentShardId"), start)
        shard.done = first and closed and start == "LATEST"
        self.shards[shard.id] = shard
        if start == "LATEST" and not shard.done:
            shard.iterator = self._iterator(shard)  # now: later records are the ones to read

    def _parent_done(self, shard: Shard) -> bool:
        parent = self.shards.get(shard.parent) if shard.parent else None
        return parent is None or parent.done

    def _close(self, shard: Shard) -> None:
        shard.done = True
        shard.iterator = None
        self._stale = True

    # -- records ---------------------------------------------------------------------------

    def _iterator(self, shard: Shard) -> str | None:
        request: dict[str, Any] = {"StreamArn": self.arn, "ShardId": shard.id}
        if shard.last is not None:
            request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=shard.last)
        else:
            request["ShardIteratorType"] = shard.start
        try:
            found = self.api.call("GetShardIterator", request).get("ShardIterator")
        except DynamoError as exc:
            if exc.code == "ResourceNotFoundException":  # the shard is gone (trimmed)
                self._close(shard)
                return None
            if exc.code == "TrimmedDataAccessException" and shard.last is not None:
                shard.last, shard.start = None, "TRIM_HORIZON"
                return self._iterator(shard)
            raise
        if found is None:
            self._close(shard)
        return str(found) if found is not None else None

    def _get(self, shard: Shard) -> list[dict[str, Any]]:
        if shard.iterator is None:
            shard.iterator = self._iterator(shard)
            if shard.iterator is None:
                return []
        try:
            response = self._records(shard.iterator)
        except DynamoError as exc:
            if exc.code not in RESTART_CODES:
                raise
            if exc.code == "TrimmedDataAccessException" or shard.last is None:
                shard.last, shard.start = None, "TRIM_HORIZON"
            shard.iterator = self._iterator(shard)
            if shard.iterator is None:
                return []
            response = self._records(shard.iterator)
        records: list[dict[str, Any]] = response.get("Records", [])
        if records:
            shard.last = str(records[-1]["dynamodb"]["SequenceNumber"])
        following = response.get("NextShardIterator")
        if following is None:
            self._close(shard)
        else:
            shard.iterator = str(following)
        return records

    def _records(self, iterator: str) -> dict[str, Any]:
        request = {"ShardIterator": iterator, "Limit": RECORDS_PER_CALL}
        return self.api.call("GetRecords", request)
