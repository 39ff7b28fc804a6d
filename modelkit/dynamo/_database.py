"""connect(): a design and a DynamoDB endpoint become one repository per entity."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from modelkit.check import check
from modelkit.dynamo._batch import Backoff
from modelkit.dynamo._cached_query import CachedQueries
from modelkit.dynamo._connection import DynamoClient, connect_dynamodb
from modelkit.dynamo._cursor import CursorSigner
from modelkit.dynamo._items import ItemShape
from modelkit.dynamo._query import Page, QueryPlan, run_query
from modelkit.dynamo._repository import Repository
from modelkit.dynamo._stats import CapacityStats, Kind
from modelkit.dynamo._streams import StreamEvent, decode_record
from modelkit.dynamo._transactions import Transaction
from modelkit.dynamo.expressions import Condition
from modelkit.errors import SchemaError
from modelkit.schema import PatternDesign, TableDesign, keys_for

if TYPE_CHECKING:
    from modelkit.cache import CacheMetrics, RedisCache
    from modelkit.dynamo._stream_invalidator import StreamInvalidator
    from modelkit.dynamo._stream_reader import StartAt

T = TypeVar("T")
DEFAULT_BACKOFF = Backoff()


class Database(Mapping[str, Repository[Any]]):
    """The repositories of one table, by entity name (``db["Order"]``) or class
    (``db.repo(Order)``), plus item-collection queries and transactions."""

    def __init__(
        self,
        design: TableDesign,
        client: DynamoClient,
        *,
        table_name: str | None = None,
        cursor_secret: bytes | str | None = None,
        clock: Callable[[], float] = time.time,
        backoff: Backoff = DEFAULT_BACKOFF,
        cache: RedisCache | None = None,
    ) -> None:
        self.design = design
        self.cache = cache
        self.client = client
        self.table = table_name or design.name
        self.signer = CursorSigner(cursor_secret)
        self.stats = CapacityStats()
        self.now = clock
        self.backoff = backoff
        self._shapes = {e.name: ItemShape[Any](design, e) for e in design.entities}
        self._by_class = {e.struct: e.name for e in design.entities if e.struct is not None}
        self._repos = {name: Repository(self, shape) for name, shape in self._shapes.items()}
        self._patterns = {p.name: p for p in design.patterns}
        self.design_keys = keys_for(design)
        self.queries: CachedQueries | None = None
        if cache is not None:
            queries = CachedQueries(self, cache.queries(self.table))
            self.queries = queries if queries.policies else None

    # -- lookup ----------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> Repository[Any]:
        try:
            return self._repos[name]
        except KeyError:
            known = ", ".join(self._repos)
            raise KeyError(
                f"table {self.design.name} has no entity {name!r} (known: {known})"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._repos)

    def __len__(self) -> int:
        return len(self._repos)

    def repo(self, cls: type[T]) -> Repository[T]:
        """The repository of entity class ``cls``."""
        return self[self.entity_name(cls)]

    def entity_name(self, cls: type[Any]) -> str:
        name = self._by_class.get(cls)
        if name is None:
            raise KeyError(
                f"{getattr(cls, '__name__', cls)!r} is not an entity of {self.design.name}"
            )
        return name

    def shape(self, name: str) -> ItemShape[Any]:
        return self._shapes[name]

    def pattern(self, name: str) -> PatternDesign:
        found = self._patterns.get(name)
        if found is None:
            known = ", ".join(repr(p) for p in self._patterns)
            raise KeyError(f"table {self.design.name} has no pattern {name!r} (known: {known})")
        return found

    # -- requests --------------------------------------------------------------------------------

    def call(
        self,
        operation: str,
        request: dict[str, Any],
        entity: str,
        pattern: str,
        kind: Kind = "read",
    ) -> dict[str, Any]:
        """Send one request and record the capacity it consumed under (entity, pattern)."""
        response = self.client.call(operation, request)
        self.stats.record(entity, pattern, response, kind)
        return response

    def query(
        self,
        pattern: str,
        /,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        filter: Condition | None = None,
        descending: bool | None = None,
        consistent: bool = False,
        **values: Any,
    ) -> Page[Any]:
        """One page of any named query pattern, item collections included (items of each
        entity decode to their own class; ``page.of(Order)`` picks one)."""
        plan = QueryPlan.build(self, pattern, values, descending, limit, filter, consistent)
        return run_query(self, plan, cursor)

    def cache_metrics(self) -> dict[str, CacheMetrics]:
        """Cache counters of every cached entity, by name (empty without a cache)."""
        return {name: repo.cache.metrics() for name, repo in self._repos.items() if repo.cache}

    def query_cache_metrics(self) -> dict[str, CacheMetrics]:
        """Cache counters of every cached query pattern, by name (empty without)."""
        return self.queries.pages.metrics() if self.queries is not None else {}

    def stream_invalidator(self, *, start: StartAt = "LATEST") -> StreamInvalidator:
        """A consumer of the table's stream that invalidates what other writers change (see
        :class:`~modelkit.dynamo.StreamInvalidator`); the database needs a cache."""
        from modelkit.dynamo._stream_invalidator import StreamInvalidator

        return StreamInvalidator(self, start=start)

    def decode_stream_record(self, record: Mapping[str, Any]) -> StreamEvent:
        """A DynamoDB Streams record as (event, entity, keys, old, new) typed values."""
        return decode_record(self, record)

    def transaction(self, token: str | None = None) -> Transaction:
        """A write transaction (up to 100 operations); ``token`` makes it idempotent."""
        return Transaction(self, token)


def connect(
    design: TableDesign,
    *,
    dynamodb: DynamoClient | None = None,
    endpoint_url: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    table_name: str | None = None,
    cursor_secret: bytes | str | None = None,
    clock: Callable[[], float] = time.time,
    backoff: Backoff = DEFAULT_BACKOFF,
    cache: RedisCache | str | None = None,
    **client_options: Any,
) -> Database:
    """Repositories for every entity of ``design`` on a DynamoDB endpoint.

    Pass a :class:`DynamoClient` (``dynamodb=``), or the endpoint, Region, profile and client
    options for :func:`connect_dynamodb`. ``cursor_secret`` signs pagination cursors (without
    one, cursors only work within this process). ``cache`` (a :class:`RedisCache` or a
    ``redis://`` URL) caches every entity whose policy is not ``off``. A design with errors
    that ``modelkit check`` reports (colliding keys, ...) is refused.
    """
    errors = [f for f in check(design) if f.severity == "error"]
    if errors:
        shown = "; ".join(f"{f.code}: {f.subject}: {f.message}" for f in errors[:3])
        raise SchemaError(
            f"design {design.name!r} has {len(errors)} error(s): {shown}",
            hint="run modelkit check on the schema",
        )
    if dynamodb is None:
        dynamodb = connect_dynamodb(
            endpoint_url=endpoint_url, region=region, profile=profile, **client_options
        )
    if isinstance(cache, str):
        from modelkit.cache import RedisCache

        cache = RedisCache(cache)
    return Database(
        design,
        dynamodb,
        cache=cache,
        table_name=table_name,
        cursor_secret=cursor_secret,
        clock=clock,
        backoff=backoff,
    )
