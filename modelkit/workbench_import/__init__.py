"""Import a NoSQL Workbench data model as a schema module and a file of its sample items."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from modelkit.workbench_import._entities import find_entities
from modelkit.workbench_import._patterns import PatternPlan, infer_patterns
from modelkit.workbench_import._read import ReadModel, read_model, read_model_file
from modelkit.workbench_import._render import render_items, render_module
from modelkit.workbench_import._templates import EntityPlan, plan_entity
from modelkit.workbench_import._workload import render_workload


@dataclass
class Imported:
    """The module text, the sample items (JSON lines), a placeholder workload (TOML), the
    entity plans, the inferred access patterns and the warnings."""

    module: str
    items: str
    workload: str
    entities: list[EntityPlan]
    patterns: list[PatternPlan]
    warnings: list[str] = field(default_factory=list)


def import_model(
    model: ReadModel, source: str, items_file: str, module_file: str = "the schema"
) -> Imported:
    """Entities, key templates, access patterns, the module text and its workload of a read
    model; ``module_file`` names the module in the workload's header."""
    found, type_attribute = find_entities(model)
    plans = [plan_entity(model, entity, type_attribute) for entity in found]
    warnings = list(model.warnings)
    for plan in plans:
        warnings += plan.warnings
        if "primary" not in plan.keys:
            warnings.append(f"{plan.name}: its items lack the table's key; left out")
    plans = [p for p in plans if "primary" in p.keys]
    patterns = infer_patterns(plans, [i.name for i in model.gsis])
    module = render_module(model, plans, patterns, type_attribute, source, items_file)
    workload = render_workload(model.name, module_file, plans, patterns)
    return Imported(module, render_items(plans), workload, plans, patterns, warnings)


def import_file(path: Path, output: Path, table: str | None = None) -> Imported:
    """Read the model at ``path`` and write ``output``, ``<output stem>.items.jsonl`` and
    ``<output stem>.workload.toml`` (the file ``modelkit analyze`` reads by default)."""
    model = read_model_file(path, table)
    items_path = output.with_name(output.stem + ".items.jsonl")
    result = import_model(model, path.name, items_path.name, output.name)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(result.module, encoding="utf-8")
    items_path.write_text(result.items, encoding="utf-8")
    output.with_suffix(".workload.toml").write_text(result.workload, encoding="utf-8")
    return result


__all__ = [
    "Imported",
    "PatternPlan",
    "ReadModel",
    "import_file",
    "import_model",
    "read_model",
    "read_model_file",
]
