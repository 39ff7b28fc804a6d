"""modelkit: DynamoDB single-table design in Python.

Declare a :class:`Table` and its entities in code, compile it to a :class:`TableDesign`, and
let everything else (checks, exports, repositories, analysis) read that one value.
"""

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
    "keys_for",
    "load_design",
]
__version__ = "0.1.0"
