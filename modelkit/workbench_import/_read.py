"""Read a NoSQL Workbench model (formats 1.0, 2.0, 3.0) into one normalized form.

Quirks of published models are tolerated and reported as warnings: several tables (the first
or the named one is read), maps wrapped twice (``{"S": {"M": {...}}}``), plain JSON values
where an attribute value is expected, facets without sample items, and keys Workbench does
not write.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from modelkit.errors import LoadError

_MODEL_KEYS = {"ModelName", "ModelMetadata", "DataModel"}
_TABLE_KEYS = {
    "TableName",
    "KeyAttributes",
    "NonKeyAttributes",
    "TableFacets",
    "TableData",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "DataAccess",
    "BillingMode",
    "ProvisionedCapacitySettings",
    "SampleDataFormats",
}
_TAGS = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}


@dataclass(frozen=True)
class ReadIndex:
    """A GSI: its name, key attribute names and projection (``ALL``/``KEYS_ONLY``/``INCLUDE``)."""

    name: str
    pk: str
    sk: str | None
    projection: str = "ALL"
    include: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadItem:
    """A sample item as plain Python values; ``facet`` is the facet that holds it, if any."""

    values: dict[str, Any]
    facet: str | None = None


@dataclass
class ReadModel:
    """One table of a model: keys, GSIs, billing, facets and sample items."""

    name: str
    pk: str
    sk: str | None
    version: str | None
    doc: str = ""
    gsis: list[ReadIndex] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    items: list[ReadItem] = field(default_factory=list)
    capacity: tuple[int, int] | None = None
    warnings: list[str] = field(default_factory=list)


def read_model_file(path: Path, table: str | None = None) -> ReadModel:
    """Read ``path``; :class:`LoadError` (one line, naming the file) if it is not a model."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LoadError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise LoadError(f"{path}: not a NoSQL Workbench model (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise LoadError(
            f"{path}:{exc.lineno}: not a NoSQL Workbench model (invalid JSON: {exc.msg})"
        ) from None
    return read_model(data, str(path), table)


def read_model(data: Any, source: str, table: str | None = None) -> ReadModel:
    """The normalized form of parsed model JSON; ``source`` names it in messages."""
    warnings: list[str] = []
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], Mapping):
        warnings.append(f"{source}: the model is wrapped in a list; read its only element")
        data = data[0]
    if not isinstance(data, Mapping) or not isinstance(data.get("DataModel"), list):
        raise LoadError(f"{source}: not a NoSQL Workbench model (no DataModel list)")
    tables = [t for t in data["DataModel"] if isinstance(t, Mapping)]
    if not tables:
        raise LoadError(f"{source}: DataModel holds no table")
    _unknown(data, _MODEL_KEYS, source, warnings)
    chosen = _pick(tables, table, source, warnings)
    metadata = data.get("ModelMetadata")
    meta = metadata if isinstance(metadata, Mapping) else {}
    where = f"{source}: table {chosen.get('TableName')!r}"
    model = _table(chosen, where, warnings)
    model.version = str(meta["Version"]) if "Version" in meta else None
    model.doc = str(meta.get("Description") or "")
    model.warnings = warnings
    return model


def _pick(
    tables: list[Mapping[str, Any]], name: str | None, source: str, warnings: list[str]
) -> Mapping[str, Any]:
    names = [str(t.get("TableName")) for t in tables]
    if name is not None:
        if name not in names:
            raise LoadError(f"{source}: no table {name!r} (tables: {', '.join(names)})")
        return tables[names.index(name)]
    if len(tables) > 1:
        warnings.append(
            f"{source}: {len(tables)} tables ({', '.join(names)}); imported {names[0]!r} "
            "(choose another with --table)"
        )
    return tables[0]


def _table(table: Mapping[str, Any], where: str, warnings: list[str]) -> ReadModel:
    name = table.get("TableName")
    if not isinstance(name, str) or not name:
        raise LoadError(f"{where}: TableName is missing")
    _unknown(table, _TABLE_KEYS, where, warnings)
    pk, sk = _keys(table.get("KeyAttributes"), f"{where}: KeyAttributes", warnings)
    model = ReadModel(name=name, pk=pk, sk=sk, version=None)
    for n, index in enumerate(table.get("GlobalSecondaryIndexes") or []):
        model.gsis.append(_index(index, f"{where}: GlobalSecondaryIndexes[{n}]", warnings))
    if table.get("LocalSecondaryIndexes"):
        warnings.append(f"{where}: local secondary indexes are not imported")
    for attribute in dict.fromkeys((pk, sk, *(k for i in model.gsis for k in (i.pk, i.sk)))):
        if attribute and not attribute.isidentifier():
            warnings.append(
                f"{where}: key attribute {attribute!r} is not a Python name; "
                "its fields are named in snake_case"
            )
    model.warnings = warnings
    model.capacity = _capacity(table, where, warnings)
    seen: dict[tuple[Any, Any], int] = {}
    for n, raw in enumerate(table.get("TableData") or []):
        item = _item(raw, f"{where}: TableData[{n}]", warnings)
        if _keyed(item, model, f"{where}: TableData[{n}]", warnings):
            assert item is not None
            seen[(item.get(pk), item.get(sk) if sk else None)] = len(model.items)
            model.items.append(ReadItem(item))
    for n, facet in enumerate(table.get("TableFacets") or []):
        _facet(facet, f"{where}: TableFacets[{n}]", model, seen, warnings)
    return model


def _facet(
    facet: Any,
    where: str,
    model: ReadModel,
    seen: dict[tuple[Any, Any], int],
    warnings: list[str],
) -> None:
    if not isinstance(facet, Mapping) or not isinstance(facet.get("FacetName"), str):
        warnings.append(f"{where}: a facet without FacetName; skipped")
        return
    name = facet["FacetName"]
    model.facets.append(name)
    data = facet.get("TableData") or []
    if not data:
        warnings.append(f"{where}: facet {name!r} has no sample items; no entity for it")
        return
    alias = facet.get("KeyAttributeAlias")
    aliases = alias if isinstance(alias, Mapping) else {}
    for n, raw in enumerate(data):
        item = _item(raw, f"{where}.TableData[{n}]", warnings)
        if item is None:
            continue
        for real, key in ((model.pk, "PartitionKeyAlias"), (model.sk, "SortKeyAlias")):
            shown = aliases.get(key)
            if real and real not in item and isinstance(shown, str) and shown in item:
                item[real] = item.pop(shown)
        if not _keyed(item, model, f"{where}.TableData[{n}]", warnings):
            continue
        at = seen.get((item.get(model.pk), item.get(model.sk) if model.sk else None))
        if at is not None:
            model.items[at] = ReadItem(model.items[at].values, name)
        else:
            model.items.append(ReadItem(item, name))


def _keyed(item: dict[str, Any] | None, model: ReadModel, where: str, warnings: list[str]) -> bool:
    """Whether the item has the table's key attributes (a warning when it lacks them)."""
    if item is None:
        return False
    missing = [k for k in (model.pk, model.sk) if k is not None and item.get(k) in (None, "")]
    if missing:
        warnings.append(f"{where}: no {' or '.join(missing)}; the item is skipped")
    return not missing


def _keys(keys: Any, where: str, warnings: list[str]) -> tuple[str, str | None]:
    if not isinstance(keys, Mapping):
        raise LoadError(f"{where} is missing")
    names: list[str | None] = []
    for part in ("PartitionKey", "SortKey"):
        attribute = keys.get(part)
        name = attribute.get("AttributeName") if isinstance(attribute, Mapping) else None
        if part == "PartitionKey" and not isinstance(name, str):
            raise LoadError(f"{where}.PartitionKey.AttributeName is missing")
        kind = attribute.get("AttributeType", "S") if isinstance(attribute, Mapping) else "S"
        if isinstance(name, str) and kind != "S":
            warnings.append(f"{where}.{part}: {name} is {kind}; imported as a string key")
        names.append(name if isinstance(name, str) else None)
    assert names[0] is not None
    return names[0], names[1]


def _index(index: Any, where: str, warnings: list[str]) -> ReadIndex:
    if not isinstance(index, Mapping) or not isinstance(index.get("IndexName"), str):
        raise LoadError(f"{where}.IndexName is missing")
    pk, sk = _keys(index.get("KeyAttributes"), f"{where}.KeyAttributes", warnings)
    projection = index.get("Projection")
    shown = projection if isinstance(projection, Mapping) else {}
    kind = str(shown.get("ProjectionType", "ALL"))
    if kind not in ("ALL", "KEYS_ONLY", "INCLUDE"):
        raise LoadError(f"{where}.Projection: {kind!r} is not ALL, KEYS_ONLY or INCLUDE")
    include = tuple(str(a) for a in shown.get("NonKeyAttributes") or ())
    return ReadIndex(index["IndexName"], pk, sk, kind, include if kind == "INCLUDE" else ())


def _capacity(table: Mapping[str, Any], where: str, warnings: list[str]) -> tuple[int, int] | None:
    if table.get("BillingMode") != "PROVISIONED":
        return None
    settings = table.get("ProvisionedCapacitySettings")
    units = settings.get("ProvisionedThroughput") if isinstance(settings, Mapping) else None
    if not isinstance(units, Mapping):
        return None
    capacity = (units.get("ReadCapacityUnits", 1), units.get("WriteCapacityUnits", 1))
    if not all(isinstance(u, int) and not isinstance(u, bool) and u >= 1 for u in capacity):
        warnings.append(
            f"{where}: provisioned capacity {capacity[0]!r} RCU, {capacity[1]!r} WCU is not "
            "DynamoDB's (whole units, at least 1); the table is imported on demand"
        )
        return None
    return capacity


def _item(raw: Any, where: str, warnings: list[str]) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        warnings.append(f"{where}: an item is not a JSON object; skipped")
        return None
    return {str(k): decode(v, f"{where}.{k}", warnings) for k, v in raw.items()}


def decode(value: Any, where: str, warnings: list[str]) -> Any:
    """A DynamoDB attribute value (``{"S": "x"}``) as a plain Python value."""
    if not (isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in _TAGS):
        warnings.append(f"{where}: not a typed attribute value; read as plain JSON")
        return value
    tag, inner = next(iter(value.items()))
    if tag in ("S", "N", "B") and isinstance(inner, Mapping):
        warnings.append(f"{where}: a {tag} value wraps another attribute value; unwrapped")
        return decode(inner, where, warnings)
    if tag == "S":
        return str(inner)
    if tag == "N":
        return _number(inner, where, warnings)
    if tag == "B":
        return base64.b64decode(str(inner))
    if tag == "BOOL":
        return bool(inner)
    if tag == "NULL":
        return None
    if tag == "M":
        pairs = inner.items() if isinstance(inner, Mapping) else ()
        return {str(k): decode(v, f"{where}.{k}", warnings) for k, v in pairs}
    if tag == "L":
        return [decode(v, f"{where}[{n}]", warnings) for n, v in enumerate(inner or [])]
    if tag == "NS":
        return [_number(v, where, warnings) for v in inner or []]
    if tag == "BS":
        return [base64.b64decode(str(v)) for v in inner or []]
    return [str(v) for v in inner or []]


def _number(text: Any, where: str, warnings: list[str]) -> int | Decimal | str:
    try:
        number = Decimal(str(text))
    except InvalidOperation:
        warnings.append(f"{where}: {text!r} is not a number; read as text")
        return str(text)
    return int(number) if number == number.to_integral_value() and "." not in str(text) else number


def _unknown(data: Mapping[str, Any], known: set[str], where: str, warnings: list[str]) -> None:
    extra = sorted(str(k) for k in data if k not in known)
    if extra:
        warnings.append(f"{where}: unknown keys ignored: {', '.join(extra)}")
