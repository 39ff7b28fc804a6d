"""Queries by named pattern, scans, and the pages they return."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from modelkit.codec import decode_value, encode_value
from modelkit.dynamo._batch import batch_get
from modelkit.dynamo._items import ItemShape
from modelkit.dynamo.expressions import Builder, Condition, Path
from modelkit.errors import KeyValueError, ValidationError
from modelkit.keys import KeyCondition
from modelkit.schema import PRIMARY, IndexDesign, PatternDesign

if TYPE_CHECKING:
    from modelkit.dynamo._database import Database

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results; pass ``cursor`` back for the next (None after the last page)."""

    items: list[T]
    cursor: str | None

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def of(self, cls: type[Any]) -> list[Any]:
        """The items of one entity class (for item-collection patterns)."""
        return [item for item in self.items if isinstance(item, cls)]


@dataclass(frozen=True)
class QueryPlan:
    """A named pattern with the caller's values: everything needed to send the query."""

    pattern: PatternDesign
    entities: tuple[str, ...]
    index: str
    pk_attribute: str
    pk_value: str
    sk_attribute: str | None
    condition: KeyCondition | None
    descending: bool
    limit: int | None
    filter: Condition | None
    consistent: bool

    @classmethod
    def build(
        cls,
        db: Database,
        name: str,
        values: Mapping[str, Any],
        descending: bool | None,
        limit: int | None,
        filter: Condition | None,
        consistent: bool,
    ) -> QueryPlan:
        pattern = db.pattern(name)
        if pattern.op not in ("query", "get"):
            raise ValueError(f"pattern {name!r} is a {pattern.op}, not a query")
        keys = db.shape(pattern.entities[0]).keys
        pk, sk = keys.formats[pattern.index]
        missing = [f for f in pattern.given if f not in values]
        if missing:
            raise ValidationError(f"pattern {name!r} needs {', '.join(missing)}")
        given = {f: values[f] for f in pattern.given}
        try:
            pk_value = pk.format(given)
        except KeyValueError as exc:
            raise ValidationError(str(exc)) from None
        condition = _sort_condition(db, pattern, given, values)
        index = db.design.index(pattern.index)
        if filter is not None and index.projection.kind != "ALL":
            check_projected(db, index, filter)
        return cls(
            pattern=pattern,
            entities=pattern.entities,
            index=pattern.index,
            pk_attribute=index.pk,
            pk_value=pk_value,
            sk_attribute=index.sk if sk is not None else None,
            condition=condition,
            descending=pattern.descending if descending is None else descending,
            limit=limit if limit is not None else pattern.limit,
            filter=filter,
            consistent=consistent,
        )

    def binding(self, table: str) -> dict[str, Any]:
        """What a cursor of this query is bound to."""
        return {
            "table": table,
            "index": self.index,
            "pattern": self.pattern.name,
            "pk": self.pk_value,
            "sk": [self.condition.op, *self.condition.values] if self.condition else None,
            "desc": self.descending,
        }


class _PathCollector:
    """A renderer that records the top-level attribute of every path it is shown."""

    def __init__(self) -> None:
        self.attributes: set[str] = set()

    def path(self, segments: tuple[str | int, ...]) -> str:
        self.attributes.add(str(segments[0]))
        return ""

    def value(self, value: Any, *, encoded: bool = False) -> str:
        return ""


def check_projected(db: Database, index: IndexDesign, used: Condition | Sequence[Path]) -> None:
    """An index's entries hold only the projected attributes: a filter (or projection) on any
    other attribute would silently match (or read) nothing."""
    collector = _PathCollector()
    for part in [used] if isinstance(used, Condition) else used:
        part.render(collector)
    projected = {
        *db.design.key_attributes(),
        db.design.type_attribute,
        *index.projection.attributes,
    }
    missing = sorted(collector.attributes - projected)
    if missing:
        raise ValidationError(
            f"index {index.name} projects {index.projection.kind}, so a filter or projection on "
            f"{', '.join(missing)} would see no value and match nothing; filter the returned "
            "items in Python, or project those attributes into the index"
        )


def _sort_condition(
    db: Database, pattern: PatternDesign, given: dict[str, Any], values: Mapping[str, Any]
) -> KeyCondition | None:
    keys = db.shape(pattern.entities[0]).keys
    sk = keys.formats[pattern.index][1]
    if sk is None:
        return None
    leading = [f for f in sk.fields if f in given]
    op = pattern.sort or ("eq" if len(leading) == len(sk.fields) else "prefix")
    if len(pattern.entities) > 1 and op in ("prefix", "eq"):
        return _collection_prefix(db, pattern, given)
    value: Any = None
    upper: Any = None
    if op not in ("eq", "prefix"):
        field = sk.fields[len(leading)]
        if field not in values:
            raise ValidationError(f"pattern {pattern.name!r} needs {field} for its {op} condition")
        value = values[field]
        if op == "between":
            if not isinstance(value, tuple | list) or len(value) != 2:
                raise ValidationError(
                    f"pattern {pattern.name!r}: give {field}=(low, high) for between"
                )
            value, upper = value
    try:
        return keys.sort_condition(given, op, value, upper, index=pattern.index)
    except KeyValueError as exc:
        raise ValidationError(str(exc)) from None


def _collection_prefix(
    db: Database, pattern: PatternDesign, given: dict[str, Any]
) -> KeyCondition | None:
    """Several entities: the common start of their sort keys (often none: the whole partition)."""
    prefixes = []
    for name in pattern.entities:
        sk = db.shape(name).keys.formats[pattern.index][1]
        if sk is None:
            return None
        prefixes.append(sk.leading({f: v for f, v in given.items() if f in sk.fields})[0])
    common = prefixes[0]
    for prefix in prefixes[1:]:
        while not prefix.startswith(common):
            common = common[: common.rfind("#", 0, len(common) - 1) + 1] if "#" in common else ""
    return KeyCondition("begins_with", (common,)) if common else None


def run_query(
    db: Database, plan: QueryPlan, cursor: str | None, projection: Sequence[Path] = ()
) -> Page[Any]:
    """One page of ``plan``: entity instances (from the cache when the pattern's entities
    cache queries), or with ``projection`` plain dicts of the projected attributes (decoded
    values, by stored name)."""
    binding = plan.binding(db.table)
    start = db.signer.load(cursor, binding) if cursor is not None else None
    if projection:
        items, last = _query(db, plan, start, projection)
    elif db.queries is not None:
        items, last = db.queries.fetch(plan, start, lambda p: _query(db, p, start, ()))
    else:
        items, last = _query(db, plan, start, ())
    return Page(items, db.signer.dump(last, binding) if last else None)


def _query(
    db: Database, plan: QueryPlan, start: dict[str, Any] | None, projection: Sequence[Path]
) -> tuple[list[Any], dict[str, Any] | None]:
    """The items of one page and DynamoDB's LastEvaluatedKey."""
    request: dict[str, Any] = {
        "TableName": db.table,
        "ScanIndexForward": not plan.descending,
        "ReturnConsumedCapacity": "INDEXES",
        **_key_condition(plan),
    }
    if plan.index != PRIMARY:
        request["IndexName"] = plan.index
    if plan.consistent:
        request["ConsistentRead"] = True
    if plan.limit is not None:
        request["Limit"] = plan.limit
    if plan.filter is not None or projection:
        builder = Builder(encode_value)
        if plan.filter is not None:
            request["FilterExpression"] = builder.condition(plan.filter)
        if projection:
            request["ProjectionExpression"] = builder.projection(projection)
        for part, placeholders in builder.attributes().items():
            request[part] = {**request[part], **placeholders}
    if start is not None:
        request["ExclusiveStartKey"] = start
    label = plan.pattern.name
    response = db.call("Query", request, ",".join(plan.entities), label)
    drop = plan.condition.drop if plan.condition is not None else None
    shapes = [db.shape(name) for name in plan.entities]
    raw = response.get("Items", [])
    last = response.get("LastEvaluatedKey")
    if projection:
        return [{k: decode_value(v) for k, v in item.items()} for item in raw], last
    if db.design.index(plan.index).projection.kind != "ALL":
        raw = _full_items(db, raw, plan.sk_attribute, drop, ",".join(plan.entities), label)
        drop = None
    return decode_items(db, raw, shapes, plan.sk_attribute, drop), last


#: Key condition texts by DynamoDB operator; ``#k0``/``:k0`` never clash with the ``#n``/``:v``
#: placeholders of a filter's Builder.
_SORT_TEXT = {
    "eq": "#k1 = :k1",
    "begins_with": "begins_with(#k1, :k1)",
    "between": "#k1 BETWEEN :k1 AND :k2",
    "lt": "#k1 < :k1",
    "le": "#k1 <= :k1",
    "gt": "#k1 > :k1",
    "ge": "#k1 >= :k1",
}


def _key_condition(plan: QueryPlan) -> dict[str, Any]:
    """KeyConditionExpression and its placeholders (keys are strings, so no codec is needed)."""
    names = {"#k0": plan.pk_attribute}
    values = {":k0": {"S": plan.pk_value}}
    text = "#k0 = :k0"
    condition = plan.condition
    if condition is not None and plan.sk_attribute is not None:
        names["#k1"] = plan.sk_attribute
        for i, value in enumerate(condition.values, start=1):
            values[f":k{i}"] = {"S": value}
        text = f"{text} AND {_SORT_TEXT[condition.op]}"
    return {
        "KeyConditionExpression": text,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def _full_items(
    db: Database,
    raw: list[dict[str, Any]],
    sk_attribute: str | None,
    drop: str | None,
    entities: str,
    label: str,
) -> list[dict[str, Any]]:
    """An index that does not project every attribute returns keys: read the items they name
    (one BatchGetItem per 100, in the index's order). This costs the reads of the items."""
    table_keys = [db.design.pk, *([db.design.sk] if db.design.sk else [])]
    keys = [
        {a: item[a] for a in table_keys}
        for item in raw
        if drop is None or sk_attribute is None or item[sk_attribute]["S"] != drop
    ]
    if not keys:
        return []
    found = batch_get(
        db.client,
        db.table,
        keys,
        backoff=db.backoff,
        on_response=lambda r: db.stats.record(entities, label, r, "read"),
    )
    by_key = {tuple(i[a]["S"] for a in table_keys): i for i in found}
    ordered = (by_key.get(tuple(k[a]["S"] for a in table_keys)) for k in keys)
    return [item for item in ordered if item is not None]


def decode_items(
    db: Database,
    raw: list[dict[str, Any]],
    shapes: list[ItemShape[Any]],
    sk_attribute: str | None,
    drop: str | None,
) -> list[Any]:
    """Items of the wanted entities that are live; others (and a dropped key) left out."""
    now = db.now()
    by_type = {shape.type_value["S"]: shape for shape in shapes}
    type_attribute = db.design.type_attribute
    result = []
    for item in raw:
        if drop is not None and sk_attribute is not None and item[sk_attribute]["S"] == drop:
            continue
        shape = by_type.get(item.get(type_attribute, {}).get("S"))
        if shape is None or (shape.ttl_attribute is not None and not shape.is_live(item, now)):
            continue
        result.append(shape.from_item(item))
    return result
