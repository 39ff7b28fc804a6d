"""Read the key schema of a NoSQL Workbench data model (formats 1.0, 2.0 and 3.0).

The result speaks DynamoDB's own vocabulary, the shape of a CreateTable request, so it can be
compared with :func:`~modelkit.export.create_table.create_table_input` and fed to an importer::

    {"ModelName": ..., "Version": "3.0", "Tables": [{
        "TableName": ..., "KeySchema": [...], "AttributeDefinitions": [...],
        "GlobalSecondaryIndexes": [...], "LocalSecondaryIndexes": [...],
        "BillingMode": "PROVISIONED" | "PAY_PER_REQUEST" | None,
        "ProvisionedThroughput": {...} (when given),
        "Facets": [{"FacetName": ..., "KeyAttributeAlias": {...}}]}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelkit.errors import LoadError

_TYPES = ("S", "N", "B")


def read_workbench_key_schema(model: Mapping[str, Any]) -> dict[str, Any]:
    """The tables, keys, indexes and facets of a Workbench model.

    Raises :class:`~modelkit.errors.LoadError` naming the path of a missing or malformed
    part (``DataModel[0].KeyAttributes.PartitionKey``).
    """
    if not isinstance(model, Mapping):
        raise LoadError("a NoSQL Workbench model is a JSON object")
    metadata = model.get("ModelMetadata")
    version = metadata.get("Version") if isinstance(metadata, Mapping) else None
    tables = _list(model, "DataModel", "model", required=True)
    if not tables:
        raise LoadError("model: DataModel holds no table")
    return {
        "ModelName": model.get("ModelName"),
        "Version": version,
        "Tables": [_table(t, f"DataModel[{n}]") for n, t in enumerate(tables)],
    }


def _table(table: Any, where: str) -> dict[str, Any]:
    if not isinstance(table, Mapping):
        raise LoadError(f"{where}: a table is a JSON object")
    name = table.get("TableName")
    if not isinstance(name, str) or not name:
        raise LoadError(f"{where}.TableName is missing")
    types: dict[str, str] = {}
    result: dict[str, Any] = {
        "TableName": name,
        "KeySchema": _keys(table.get("KeyAttributes"), f"{where}.KeyAttributes", types),
    }
    for field in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        result[field] = [
            _index(index, f"{where}.{field}[{n}]", types)
            for n, index in enumerate(_list(table, field, where))
        ]
    result["AttributeDefinitions"] = [
        {"AttributeName": a, "AttributeType": t} for a, t in types.items()
    ]
    mode = table.get("BillingMode")
    result["BillingMode"] = mode if isinstance(mode, str) else None
    capacity = table.get("ProvisionedCapacitySettings")
    if isinstance(capacity, Mapping) and isinstance(capacity.get("ProvisionedThroughput"), Mapping):
        units = capacity["ProvisionedThroughput"]
        result["ProvisionedThroughput"] = {
            k: int(units[k]) for k in ("ReadCapacityUnits", "WriteCapacityUnits") if k in units
        }
    result["Facets"] = [
        {"FacetName": f.get("FacetName"), "KeyAttributeAlias": dict(f.get("KeyAttributeAlias", {}))}
        for f in _list(table, "TableFacets", where)
        if isinstance(f, Mapping)
    ]
    return result


def _index(index: Any, where: str, types: dict[str, str]) -> dict[str, Any]:
    if not isinstance(index, Mapping) or not isinstance(index.get("IndexName"), str):
        raise LoadError(f"{where}.IndexName is missing")
    projection = index.get("Projection")
    if not isinstance(projection, Mapping):
        projection = {"ProjectionType": "ALL"}
    kind = projection.get("ProjectionType", "ALL")
    if kind not in ("ALL", "KEYS_ONLY", "INCLUDE"):
        raise LoadError(f"{where}.Projection: {kind!r} is not ALL, KEYS_ONLY or INCLUDE")
    shown: dict[str, Any] = {"ProjectionType": kind}
    if kind == "INCLUDE":
        shown["NonKeyAttributes"] = list(projection.get("NonKeyAttributes") or [])
    return {
        "IndexName": index["IndexName"],
        "KeySchema": _keys(index.get("KeyAttributes"), f"{where}.KeyAttributes", types),
        "Projection": shown,
    }


def _keys(keys: Any, where: str, types: dict[str, str]) -> list[dict[str, str]]:
    if not isinstance(keys, Mapping):
        raise LoadError(f"{where} is missing")
    schema = []
    for part, key_type in (("PartitionKey", "HASH"), ("SortKey", "RANGE")):
        attribute = keys.get(part)
        if attribute is None and part == "SortKey":
            continue
        name = attribute.get("AttributeName") if isinstance(attribute, Mapping) else None
        if not isinstance(name, str) or not isinstance(attribute, Mapping):
            raise LoadError(f"{where}.{part}.AttributeName is missing")
        kind = attribute.get("AttributeType", "S")
        if kind not in _TYPES:
            raise LoadError(f"{where}.{part}: key type {kind!r} is not S, N or B")
        if types.setdefault(name, kind) != kind:
            raise LoadError(f"{where}.{part}: {name} is {kind} here but {types[name]} elsewhere")
        schema.append({"AttributeName": name, "KeyType": key_type})
    return schema


def _list(parent: Mapping[str, Any], field: str, where: str, required: bool = False) -> list[Any]:
    value = parent.get(field)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise LoadError(f"{where}.{field} must be a list")
    return value
