"""Rendering: conditions, updates and projections as the expression strings and placeholder
maps of one DynamoDB request.

Every path segment becomes a name placeholder (``#n0``), so reserved words, dots and other
odd characters in names are safe; every value becomes a value placeholder (``:v0``). A name
used twice gets one placeholder. One builder renders all the expressions of one request
(key condition, filter, projection, ...), which then share the placeholder maps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from modelkit.dynamo.expressions._conditions import Condition
from modelkit.dynamo.expressions._keys import check_key_condition
from modelkit.dynamo.expressions._operands import Encode, Segment
from modelkit.dynamo.expressions._path import Path
from modelkit.dynamo.expressions._updates import Action, render_update
from modelkit.errors import ValidationError


class Builder:
    """Placeholders for one request; ``encode`` turns Python values into AttributeValues."""

    __slots__ = ("_encode", "_names", "_values")

    def __init__(self, encode: Encode) -> None:
        self._encode = encode
        self._names: dict[str, str] = {}
        self._values: dict[str, dict[str, Any]] = {}

    def path(self, segments: tuple[Segment, ...]) -> str:
        """``#n0.#n1[2]``: a placeholder per name, list indexes as they are."""
        text = ""
        for segment in segments:
            if isinstance(segment, int):
                text += f"[{segment}]"
                continue
            placeholder = self._names.get(segment)
            if placeholder is None:
                placeholder = self._names[segment] = f"#n{len(self._names)}"
            text += f".{placeholder}" if text else placeholder
        return text

    def value(self, value: Any, *, encoded: bool = False) -> str:
        """``:v0``: a new placeholder holding the encoded value."""
        placeholder = f":v{len(self._values)}"
        self._values[placeholder] = value if encoded else self._encode(value)
        return placeholder

    def condition(self, condition: Condition) -> str:
        """A ConditionExpression or FilterExpression."""
        if not isinstance(condition, Condition):
            raise TypeError(f"expected a Condition, not {type(condition).__name__}")
        return condition.render(self)

    def key_condition(self, condition: Condition) -> str:
        """A KeyConditionExpression: ``pk = v``, optionally AND one sort-key condition."""
        check_key_condition(condition)
        return condition.render(self)

    def update(self, actions: Action | Iterable[Action]) -> str:
        """An UpdateExpression: ``SET a = :v0, b = #b + :v1 REMOVE c ADD d :v2 DELETE e :v3``."""
        actions = [actions] if isinstance(actions, Action) else list(actions)
        for action in actions:
            if not isinstance(action, Action):
                raise TypeError(f"expected update actions (path.set(...)), not {action!r}")
        return render_update(actions, self)

    def projection(self, paths: Path | Iterable[Path]) -> str:
        """A ProjectionExpression: ``#n0, #n1.#n2``."""
        rendered = [p.render(self) for p in ([paths] if isinstance(paths, Path) else paths)]
        if not rendered:
            raise ValidationError("a projection needs at least one path")
        return ", ".join(rendered)

    @property
    def names(self) -> dict[str, str]:
        """ExpressionAttributeNames: placeholder -> name."""
        return {placeholder: name for name, placeholder in self._names.items()}

    @property
    def values(self) -> dict[str, dict[str, Any]]:
        """ExpressionAttributeValues: placeholder -> AttributeValue."""
        return dict(self._values)

    def attributes(self) -> dict[str, Any]:
        """The non-empty placeholder maps, ready to merge into a request (DynamoDB refuses an
        empty map and any placeholder no expression of the request uses)."""
        parts: dict[str, Any] = {}
        if self._names:
            parts["ExpressionAttributeNames"] = self.names
        if self._values:
            parts["ExpressionAttributeValues"] = self.values
        return parts


def render(
    encode: Encode,
    *,
    key_condition: Condition | None = None,
    condition: Condition | None = None,
    filter: Condition | None = None,
    update: Action | Iterable[Action] | None = None,
    projection: Path | Iterable[Path] | None = None,
) -> dict[str, Any]:
    """The expression parts of one request, keyed as DynamoDB names them.

    >>> render(encode, condition=f.status == "NEW")  # doctest: +SKIP
    {'ConditionExpression': '#n0 = :v0', 'ExpressionAttributeNames': {'#n0': 'status'},
     'ExpressionAttributeValues': {':v0': {'S': 'NEW'}}}
    """
    b = Builder(encode)
    parts: dict[str, Any] = {}
    if key_condition is not None:
        parts["KeyConditionExpression"] = b.key_condition(key_condition)
    if condition is not None:
        parts["ConditionExpression"] = b.condition(condition)
    if filter is not None:
        parts["FilterExpression"] = b.condition(filter)
    if update is not None:
        parts["UpdateExpression"] = b.update(update)
    if projection is not None:
        parts["ProjectionExpression"] = b.projection(projection)
    parts.update(b.attributes())
    return parts
