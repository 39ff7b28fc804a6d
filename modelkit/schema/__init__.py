"""Declaring tables, entities, keys and access patterns; compiling them to a TableDesign."""

from modelkit.schema._compile import SchemaErrors, compile_table
from modelkit.schema._declare import Index, Key, Table
from modelkit.schema._design import (
    NO_CACHE,
    PRIMARY,
    Billing,
    CachePolicy,
    EntityDesign,
    EntityKey,
    FieldDesign,
    IndexDesign,
    OnDemand,
    Operation,
    PatternDesign,
    Projection,
    Provisioned,
    StreamView,
    TableDesign,
)
from modelkit.schema._keys import DesignKeys, EntityKeys, ParsedKey, keys_for
from modelkit.schema._load import load_design, load_table

__all__ = [
    "NO_CACHE",
    "PRIMARY",
    "Billing",
    "CachePolicy",
    "DesignKeys",
    "EntityDesign",
    "EntityKey",
    "EntityKeys",
    "FieldDesign",
    "Index",
    "IndexDesign",
    "Key",
    "OnDemand",
    "Operation",
    "ParsedKey",
    "PatternDesign",
    "Projection",
    "Provisioned",
    "SchemaErrors",
    "StreamView",
    "Table",
    "TableDesign",
    "compile_table",
    "keys_for",
    "load_design",
    "load_table",
]
