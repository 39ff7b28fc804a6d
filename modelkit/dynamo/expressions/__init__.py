"""Conditions, filters, key conditions, updates and projections written as Python operators.

>>> f = fields(Order)
>>> cond = (f.status == "PLACED") & (f.total > 0) & f.address.city.exists()
>>> actions = [f.total.set(f.total + 5), f.tags.append(["gift"]), f.note.remove()]
>>> render(encode, condition=cond, update=actions)  # doctest: +SKIP
{'ConditionExpression': '#n0 = :v0 AND #n1 > :v1 AND attribute_exists(#n2.#n3)',
 'UpdateExpression': 'SET #n1 = #n1 + :v2, #n4 = list_append(#n4, :v3) REMOVE #n5', ...}

Nothing here does I/O: ``render`` (or a :class:`Builder`, for several expressions of one
request) turns the objects into request parts; ``encode`` turns values into AttributeValues.
"""

from modelkit.dynamo.expressions._builder import Builder, render
from modelkit.dynamo.expressions._conditions import (
    ATTRIBUTE_TYPES,
    And,
    AttributeType,
    Between,
    Comparison,
    Condition,
    Function,
    In,
    Not,
    Or,
    Size,
    all_of,
    any_of,
)
from modelkit.dynamo.expressions._fields import Fields, fields
from modelkit.dynamo.expressions._keys import check_key_condition, key_condition
from modelkit.dynamo.expressions._operands import Encode, Operand, Value
from modelkit.dynamo.expressions._path import Path
from modelkit.dynamo.expressions._updates import (
    Action,
    Add,
    Arithmetic,
    Delete,
    IfNotExists,
    ListAppend,
    Remove,
    Set,
    if_not_exists,
    list_append,
)

__all__ = [
    "ATTRIBUTE_TYPES",
    "Action",
    "Add",
    "And",
    "Arithmetic",
    "AttributeType",
    "Between",
    "Builder",
    "Comparison",
    "Condition",
    "Delete",
    "Encode",
    "Fields",
    "Function",
    "IfNotExists",
    "In",
    "ListAppend",
    "Not",
    "Operand",
    "Or",
    "Path",
    "Remove",
    "Set",
    "Size",
    "Value",
    "all_of",
    "any_of",
    "check_key_condition",
    "fields",
    "if_not_exists",
    "key_condition",
    "list_append",
    "render",
]
