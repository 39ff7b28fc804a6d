"""Shared by the import tests: the published models, importing one, and its round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modelkit.check import check_table
from modelkit.export import read_workbench_key_schema, workbench_model
from modelkit.schema import TableDesign, keys_for, load_table
from modelkit.workbench_import import Imported, import_file

ROOT = Path(__file__).resolve().parents[2]
#: The published models, copied with their licences from AWS's repositories (see README.md
#: there for sources).
MODELS = ROOT / "tests" / "fixtures" / "workbench"
PUBLISHED = {
    "online-shop": MODELS / "online-shop" / "AnOnlineShop_14.json",
    "online-shop-facets": MODELS / "online-shop" / "AnOnlineShop_facets.json",
    "device-state-log": MODELS / "device-state-log" / "DeviceStateLog_7.json",
    "retail-cart": MODELS / "retail-cart" / "CartModel.json",
    "session-management": MODELS / "session-management" / "SessionManagementSchema.json",
}


def run_import(model: Path, folder: Path, name: str = "imported") -> tuple[Imported, TableDesign]:
    """Import ``model`` into ``folder/name.py``; the result and the compiled design."""
    output = folder / f"{name}.py"
    result = import_file(model, output)
    found = load_table(str(output))
    design = found if isinstance(found, TableDesign) else found.compile()
    return result, design


def finding_codes(module: Path) -> list[str]:
    _, findings = check_table(load_table(str(module)))
    return sorted(f"{f.severity}:{f.code}" for f in findings)


def key_schema(model: dict[str, Any]) -> dict[str, Any]:
    """Table name, key schema and GSI names with their keys, as the Workbench reader gives."""
    (table, *_) = read_workbench_key_schema(model)["Tables"]
    return {
        "TableName": table["TableName"],
        "KeySchema": table["KeySchema"],
        "GSIs": [(g["IndexName"], g["KeySchema"]) for g in table["GlobalSecondaryIndexes"]],
    }


def exported_key_schema(design: TableDesign) -> dict[str, Any]:
    return key_schema(workbench_model(design))


def published_key_schema(model: Path) -> dict[str, Any]:
    return key_schema(json.loads(model.read_text()))


def sample_keys(model: Path) -> list[dict[str, str]]:
    """The key attributes (table and GSIs) each published sample item carries."""
    data = json.loads(model.read_text())
    (table, *_) = data["DataModel"]
    names = {table["KeyAttributes"][k]["AttributeName"] for k in table["KeyAttributes"]}
    for index in table.get("GlobalSecondaryIndexes", []):
        names |= {index["KeyAttributes"][k]["AttributeName"] for k in index["KeyAttributes"]}
    raw = list(table.get("TableData") or [])
    if not raw:
        raw = [i for f in table.get("TableFacets", []) for i in f.get("TableData", [])]
    return [{a: v["S"] for a, v in item.items() if a in names} for item in raw]


def imported_keys(design: TableDesign, items_file: Path) -> list[dict[str, str]]:
    """The key attributes the design formats for each line of the items file."""
    keys = keys_for(design)
    result = []
    for line in items_file.read_text().splitlines():
        record = json.loads(line)
        attributes = keys[record["entity"]].key_attributes(record["item"])
        attributes.pop(design.type_attribute)
        result.append(attributes)
    return result
