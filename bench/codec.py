"""Item codec against boto3's TypeSerializer/TypeDeserializer and PynamoDB's Model.

Two items, each through all three in one process:

* ``order``: an order-like entity of 11 attributes, about 500 bytes (str, datetime, enum,
  Decimal, int, bool, an optional str and an optional datetime);
* ``nested``: an order with its lines (a list of maps), a set of tags and a map of attributes.

modelkit encodes the msgspec Struct and decodes to it (datetimes, enums and Decimals typed);
boto3 works on the equivalent plain dict (datetimes as ISO strings, the enum as its value) and
decodes to plain values; PynamoDB serializes a Model with the same attributes (NumberAttribute
for the Decimals: PynamoDB has no Decimal attribute) and builds one back with
``Model.from_raw_data``. Each is timed inline in this thread's CPU time, interleaved, best of
``REPEATS`` rounds. Prints µs per item and ratios; exits 1 unless modelkit is at least
``BOTO3_TARGET`` times faster than boto3 and ``PYNAMODB_TARGET`` times faster than PynamoDB,
both ways, for both items.

Run: ``python bench/codec.py``
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
import time
import timeit
from decimal import Decimal
from typing import Any

import msgspec
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from modelkit.codec import item_codec

BOTO3_TARGET = 5.0
PYNAMODB_TARGET = 10.0
REPEATS = 20
ROUND_SECONDS = 0.03
UTC = dt.UTC


class OrderStatus(enum.StrEnum):
    PLACED = "PLACED"
    PAID = "PAID"
    SHIPPED = "SHIPPED"


class Order(msgspec.Struct, kw_only=True):
    customer_id: str
    order_id: str
    placed_at: dt.datetime
    status: OrderStatus
    total: Decimal
    currency: str
    item_count: int
    shipping_address: str
    gift: bool = False
    note: str | None = None
    ship_by: dt.datetime | None = None


class Line(msgspec.Struct):
    sku: str
    quantity: int
    price: Decimal


class OrderWithLines(msgspec.Struct, kw_only=True):
    customer_id: str
    order_id: str
    placed_at: dt.datetime
    status: OrderStatus
    total: Decimal
    lines: list[Line]
    tags: set[str] = set()
    attributes: dict[str, str] = {}


class _Meta:
    table_name = "bench"
    region = "us-east-1"


class OrderModel(Model):
    Meta = _Meta
    customer_id = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute(range_key=True)
    placed_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    total = NumberAttribute()
    currency = UnicodeAttribute()
    item_count = NumberAttribute()
    shipping_address = UnicodeAttribute()
    gift = BooleanAttribute(default=False)
    note = UnicodeAttribute(null=True)
    ship_by = UTCDateTimeAttribute(null=True)


class LineMap(MapAttribute[str, Any]):
    sku = UnicodeAttribute()
    quantity = NumberAttribute()
    price = NumberAttribute()


class OrderWithLinesModel(Model):
    Meta = _Meta
    customer_id = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute(range_key=True)
    placed_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    total = NumberAttribute()
    lines = ListAttribute(of=LineMap)
    tags = UnicodeSetAttribute(null=True)
    attributes = MapAttribute[str, str](null=True)


PLACED = dt.datetime(2024, 5, 1, 12, 30, 5, 123456, tzinfo=UTC)
SHIP_BY = dt.datetime(2024, 5, 3, 12, 0, tzinfo=UTC)
ADDRESS = (
    "Jane Doe, 42 Rue de la Paix, 75002 Paris, France. Leave the parcel with the concierge "
    "if nobody answers; the door code is 4812B and the lift is at the back of the courtyard."
)
ORDER: dict[str, Any] = {
    "customer_id": "c-000042",
    "order_id": "o-20240501-0042",
    "placed_at": PLACED,
    "status": OrderStatus.PAID,
    "total": Decimal("129.95"),
    "currency": "EUR",
    "item_count": 3,
    "shipping_address": ADDRESS,
    "gift": True,
    "note": "Please wrap the gift in plain paper, no logos.",
    "ship_by": SHIP_BY,
}
LINES = [
    {"sku": "SKU-1001-RED-M", "quantity": 1, "price": Decimal("59.95")},
    {"sku": "SKU-2040-BLK", "quantity": 2, "price": Decimal("25.00")},
    {"sku": "SKU-3300", "quantity": 1, "price": Decimal("19.05")},
]
NESTED: dict[str, Any] = {
    **{k: ORDER[k] for k in ("customer_id", "order_id", "placed_at", "status", "total")},
    "lines": LINES,
    "tags": {"gift", "priority", "eu"},
    "attributes": {"channel": "web", "coupon": "SPRING24", "device": "ios"},
}


def plain(data: dict[str, Any]) -> dict[str, Any]:
    """The boto3 equivalent: what TypeSerializer can take (ISO strings, enum values)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dt.datetime):
            value = value.isoformat(timespec="microseconds").replace("+00:00", "Z")
        elif isinstance(value, enum.Enum):
            value = value.value
        out[key] = value
    return out


def pynamodb_model(model: type[Model], data: dict[str, Any]) -> Model:
    values = {k: float(v) if isinstance(v, Decimal) else v for k, v in data.items()}
    values["status"] = data["status"].value
    if "lines" in values:
        values["lines"] = [LineMap(**{**ln, "price": float(ln["price"])}) for ln in data["lines"]]
    return model(**values)


def per_item_us(stmts: dict[Any, str], names: dict[str, Any]) -> dict[Any, float]:
    """Best µs per run of each statement, timed inline (no wrapper call) in CPU time of this
    thread (time other processes take is not counted); rounds interleave the statements so
    that what noise remains falls on all alike."""
    timers = {
        key: timeit.Timer(stmt, timer=time.thread_time, globals=names)
        for key, stmt in stmts.items()
    }
    numbers = {}
    for key, timer in timers.items():
        once = timer.timeit(number=200) / 200
        numbers[key] = max(100, int(ROUND_SECONDS / once))
    best = dict.fromkeys(timers, float("inf"))
    for _ in range(REPEATS):
        for key, timer in timers.items():
            best[key] = min(best[key], timer.timeit(number=numbers[key]) / numbers[key] * 1e6)
    return best


def case(name: str, struct: type, model: type[Model], data: dict[str, Any]) -> list[float]:
    """Time one item through the three codecs; print a table; return the four ratios."""
    codec = item_codec(struct)
    obj = msgspec.convert(data, struct, from_attributes=True)
    item = codec.encode(obj)
    assert codec.decode(item) == obj
    serializer, deserializer = TypeSerializer(), TypeDeserializer()
    flat = plain(data)
    boto_item = {k: serializer.serialize(v) for k, v in flat.items()}
    assert {k: deserializer.deserialize(v) for k, v in boto_item.items()} == flat
    instance = pynamodb_model(model, data)
    raw = instance.serialize()
    assert model.from_raw_data(raw).order_id == data["order_id"]

    names = {
        "encode": codec.encode,
        "decode": codec.decode,
        "obj": obj,
        "item": item,
        "ser": serializer.serialize,
        "deser": deserializer.deserialize,
        "flat": flat,
        "boto_item": boto_item,
        "instance": instance,
        "model": model,
        "raw": raw,
    }
    times = per_item_us(
        {
            ("encode", "modelkit"): "encode(obj)",
            ("encode", "boto3"): "{k: ser(v) for k, v in flat.items()}",
            ("encode", "pynamodb"): "instance.serialize()",
            ("decode", "modelkit"): "decode(item)",
            ("decode", "boto3"): "{k: deser(v) for k, v in boto_item.items()}",
            ("decode", "pynamodb"): "model.from_raw_data(raw)",
        },
        names,
    )
    size = len(msgspec.json.encode(msgspec.to_builtins(item, builtin_types=(bytes,))))
    print(f"{name}: {len(item)} attributes, {size} bytes as DynamoDB JSON")
    print(f"{'':8}{'modelkit':>11}{'boto3':>11}{'PynamoDB':>11}{'vs boto3':>10}{'vs Pynamo':>11}")
    ratios = []
    for op in ("encode", "decode"):
        mine, boto, pynamo = (times[(op, who)] for who in ("modelkit", "boto3", "pynamodb"))
        ratios += [boto / mine, pynamo / mine]
        print(
            f"{op:8}{mine:>8.2f} µs{boto:>8.2f} µs{pynamo:>8.2f} µs"
            f"{boto / mine:>9.2f}x{pynamo / mine:>10.2f}x"
        )
    print()
    return ratios


def main() -> int:
    met = True
    for name, struct, model, data in (
        ("order", Order, OrderModel, ORDER),
        ("nested", OrderWithLines, OrderWithLinesModel, NESTED),
    ):
        vs_boto_enc, vs_pynamo_enc, vs_boto_dec, vs_pynamo_dec = case(name, struct, model, data)
        met &= min(vs_boto_enc, vs_boto_dec) >= BOTO3_TARGET
        met &= min(vs_pynamo_enc, vs_pynamo_dec) >= PYNAMODB_TARGET
    verdict = "met" if met else "MISSED"
    print(
        f"target: at least {BOTO3_TARGET:g}x faster than boto3 and {PYNAMODB_TARGET:g}x faster "
        f"than PynamoDB, encode and decode, both items: {verdict}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
