"""Exports of a TableDesign: CreateTable input, CloudFormation, NoSQL Workbench, PynamoDB."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from modelkit.export.cloudformation import cloudformation_template
from modelkit.export.create_table import create_table_input, ttl_input
from modelkit.export.pynamodb_models import model_class_name, pynamodb_module
from modelkit.export.workbench import workbench_model
from modelkit.export.workbench_keys import read_workbench_key_schema
from modelkit.schema import TableDesign

FORMATS = ("create-table", "cloudformation", "nosql-workbench", "pynamodb")

_JSON: dict[str, Callable[[TableDesign], dict[str, Any]]] = {
    "create-table": create_table_input,
    "cloudformation": cloudformation_template,
    "nosql-workbench": workbench_model,
}


def export(design: TableDesign, fmt: str) -> str:
    """The design in format ``fmt`` (one of :data:`FORMATS`) as text.

    JSON formats are indented by two spaces; ``pynamodb`` is Python source.
    """
    if fmt == "pynamodb":
        return pynamodb_module(design)
    build = _JSON.get(fmt)
    if build is None:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return json.dumps(build(design), indent=2, ensure_ascii=False) + "\n"


__all__ = [
    "FORMATS",
    "cloudformation_template",
    "create_table_input",
    "export",
    "model_class_name",
    "pynamodb_module",
    "read_workbench_key_schema",
    "ttl_input",
    "workbench_model",
]
