"""Import a NoSQL Workbench data model as a schema module and a file of its sample items."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from modelkit.workbench_import._entities import find_entities
from modelkit.workbench_import._read import ReadModel, read_model, read_model_file
from modelkit.workbench_import._render import render_items, render_module
from modelkit.workbench_import._templates import EntityPlan, plan_entity


@dataclass
class Imported:
    """The module text, the sample items (JSON lines), the entity plans and the warnings."""

    module: str
    items: str
    entities: list[EntityPlan]
    warnings: list[str] = field(default_factory=list)


def import_model(model: ReadModel, source: str, items_file: str) -> Imported:
    """Entities, key templates and the module text of a read model."""
    found, type_attribute = find_entities(model)
    plans = [plan_entity(model, entity, type_attribute) for entity in found]
    warnings = list(model.warnings)
    for plan in plans:
        warnings += plan.warnings
        if "primary" not in plan.keys:
            warnings.append(f"{plan.name}: its items lack the table's key; left out")
    plans = [p for p in plans if "primary" in p.keys]
    module = render_module(model, plans, type_attribute, source, items_file)
    return Imported(module, render_items(plans), plans, warnings)


def import_file(path: Path, output: Path, table: str | None = None) -> Imported:
    """Read the model at ``path`` and write ``output`` and ``<output stem>.items.jsonl``."""
    model = read_model_file(path, table)
    items_path = output.with_name(output.stem + ".items.jsonl")
    result = import_model(model, path.name, items_path.name)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(result.module, encoding="utf-8")
    items_path.write_text(result.items, encoding="utf-8")
    return result


__all__ = ["Imported", "ReadModel", "import_file", "import_model", "read_model", "read_model_file"]
