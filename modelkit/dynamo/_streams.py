"""DynamoDB Streams records decoded into typed events of the design's entities."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from modelkit.errors import KeyParseError, ValidationError

if TYPE_CHECKING:
    from modelkit.dynamo._database import Database

EventName = Literal["INSERT", "MODIFY", "REMOVE"]


@dataclass(frozen=True)
class StreamEvent:
    """One change: ``old`` and ``new`` are entity instances (None where the stream view or
    the event has no such image); ``keys`` are the primary-key field values."""

    event: EventName
    entity: str
    keys: dict[str, Any]
    old: Any
    new: Any


def decode_record(db: Database, record: Mapping[str, Any]) -> StreamEvent:
    """Decode one record, as a Lambda event or GetRecords delivers it.

    Binary values may come base64-encoded (Lambda's JSON) or as bytes (boto3); both work.
    Items of other tables or unknown entities raise :class:`ValidationError`.
    """
    event = record.get("eventName")
    body = record.get("dynamodb")
    if event not in ("INSERT", "MODIFY", "REMOVE") or not isinstance(body, Mapping):
        raise ValidationError("not a DynamoDB Streams record (needs eventName and dynamodb)")
    keys = _bytes(body.get("Keys", {}))
    old = _bytes(body["OldImage"]) if "OldImage" in body else None
    new = _bytes(body["NewImage"]) if "NewImage" in body else None
    design = db.design
    pk = keys.get(design.pk, {}).get("S")
    sk = keys.get(design.sk, {}).get("S") if design.sk else None
    if pk is None:
        raise ValidationError(f"the record has no {design.pk} key of table {design.name}")
    try:
        parsed = db.design_keys.parse(pk, sk)
    except KeyParseError as exc:
        raise ValidationError(f"the record's key is no entity of {design.name}: {exc}") from None
    shape = db.shape(parsed.entity)
    return StreamEvent(
        event=event,
        entity=parsed.entity,
        keys=parsed.values,
        old=shape.from_item(old) if old else None,
        new=shape.from_item(new) if new else None,
    )


def _bytes(image: Mapping[str, Any]) -> dict[str, Any]:
    """Binary values as bytes, whether they came as bytes or base64 text."""
    return {name: _value(value) for name, value in image.items()}


def _value(value: Mapping[str, Any]) -> Any:
    ((kind, data),) = value.items()
    if kind == "B" and isinstance(data, str):
        return {"B": base64.b64decode(data)}
    if kind == "BS":
        return {"BS": [base64.b64decode(d) if isinstance(d, str) else d for d in data]}
    if kind == "L":
        return {"L": [_value(v) for v in data]}
    if kind == "M":
        return {"M": _bytes(data)}
    return dict(value)
