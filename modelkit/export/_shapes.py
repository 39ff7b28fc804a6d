"""Pieces of DynamoDB's table description shared by the exporters (same names as the API)."""

from __future__ import annotations

from typing import Any

from modelkit.schema import IndexDesign, Provisioned, TableDesign


def key_schema(pk: str, sk: str | None) -> list[dict[str, str]]:
    """``[{"AttributeName": pk, "KeyType": "HASH"}, ...RANGE]``."""
    schema = [{"AttributeName": pk, "KeyType": "HASH"}]
    if sk is not None:
        schema.append({"AttributeName": sk, "KeyType": "RANGE"})
    return schema


def attribute_definitions(design: TableDesign) -> list[dict[str, str]]:
    """Every key attribute of the table and its indexes; modelkit keys are always strings."""
    return [{"AttributeName": a, "AttributeType": "S"} for a in design.key_attributes()]


def projection(index: IndexDesign) -> dict[str, Any]:
    result: dict[str, Any] = {"ProjectionType": index.projection.kind}
    if index.projection.kind == "INCLUDE":
        result["NonKeyAttributes"] = list(index.projection.attributes)
    return result


def index_shape(index: IndexDesign) -> dict[str, Any]:
    """``IndexName``, ``KeySchema`` and ``Projection`` of a GSI or LSI."""
    return {
        "IndexName": index.name,
        "KeySchema": key_schema(index.pk, index.sk),
        "Projection": projection(index),
    }


def throughput(capacity: Provisioned) -> dict[str, int]:
    return {"ReadCapacityUnits": capacity.rcu, "WriteCapacityUnits": capacity.wcu}


def index_capacity(design: TableDesign, index: IndexDesign) -> Provisioned | None:
    """A GSI's provisioned capacity (its own, else the table's); ``None`` when on demand."""
    if not isinstance(design.billing, Provisioned):
        return None
    return index.capacity or design.billing


def billing_mode(design: TableDesign) -> str:
    return "PROVISIONED" if isinstance(design.billing, Provisioned) else "PAY_PER_REQUEST"
