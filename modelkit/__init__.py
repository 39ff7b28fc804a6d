"""modelkit: DynamoDB single-table design in Python.

Declare a :class:`Table` and its entities in code, compile it to a :class:`TableDesign`, and
let everything else (checks, exports, repositories, analysis) read that one value.
"""

from typing import Any

from modelkit.errors import KeyParseError, KeyValueError, LoadError, ModelkitError, SchemaError
from modelkit.schema import (
    PRIMARY,
    CachePolicy,
    Index,
    Key,
    OnDemand,
    Provisioned,
    SchemaErrors,
    Table,
    TableDesign,
    keys_for,
    load_design,
)


def compile(table: Table) -> TableDesign:
    """Compile a :class:`Table`'s declarations into its immutable :class:`TableDesign`."""
    return table.compile()


def __getattr__(name: str) -> Any:
    """``modelkit.connect`` without importing botocore until it is used."""
    if name == "connect":
        from modelkit.dynamo import connect

        return connect
    raise AttributeError(f"module 'modelkit' has no attribute {name!r}")


__all__ = [
    "PRIMARY",
    "CachePolicy",
    "Index",
    "Key",
    "KeyParseError",
    "KeyValueError",
    "LoadError",
    "ModelkitError",
    "OnDemand",
    "Provisioned",
    "SchemaError",
    "SchemaErrors",
    "Table",
    "TableDesign",
    "compile",
    "connect",
    "keys_for",
    "load_design",
]
__version__ = "0.1.0"
