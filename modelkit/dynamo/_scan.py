"""Scans of one entity's items, whole or in parallel segments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from modelkit.codec import encode_value
from modelkit.dynamo._items import ItemShape
from modelkit.dynamo._query import Page, decode_items
from modelkit.dynamo.expressions import Builder, Condition, Path

if TYPE_CHECKING:
    from modelkit.dynamo._database import Database

T = TypeVar("T")


def run_scan(
    db: Database,
    shape: ItemShape[T],
    filter: Condition | None,
    segment: int | None,
    segments: int | None,
    limit: int | None,
    cursor: str | None,
) -> Page[T]:
    builder = Builder(encode_value)
    type_filter = Path(db.design.type_attribute) == shape.entity.type_value
    request: dict[str, Any] = {
        "TableName": db.table,
        "FilterExpression": builder.condition(
            type_filter if filter is None else type_filter & filter
        ),
        "ReturnConsumedCapacity": "INDEXES",
    }
    if (segment is None) != (segments is None):
        raise ValueError("give both segment and segments for a parallel scan")
    if segment is not None:
        request["Segment"], request["TotalSegments"] = segment, segments
    if limit is not None:
        request["Limit"] = limit
    request.update(builder.attributes())
    binding = {"table": db.table, "scan": shape.entity.name, "segment": [segment, segments]}
    if cursor is not None:
        request["ExclusiveStartKey"] = db.signer.load(cursor, binding)
    response = db.call("Scan", request, shape.entity.name, "scan")
    items = decode_items(db, response.get("Items", []), [shape], None, None)
    last = response.get("LastEvaluatedKey")
    return Page(items, db.signer.dump(last, binding) if last else None)
