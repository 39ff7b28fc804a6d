"""Updates that touch key fields: the index keys that depend on them are rebuilt in the same
request, or the update is refused before it is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from modelkit.dynamo.expressions import Action, Path, Remove, Set, Value
from modelkit.errors import KeyValueError, ValidationError
from modelkit.schema import PRIMARY, EntityKeys


def key_actions(
    keys: EntityKeys, key_values: Mapping[str, Any], actions: Sequence[Action]
) -> list[Action]:
    """Extra actions that keep every index key of the item right after ``actions``.

    ``key_values`` are the primary-key fields naming the item (known without a read).
    """
    entity = keys.entity
    by_attribute = {(f.attribute or f.name): f.name for f in entity.fields}
    known: dict[str, Any] = dict(key_values)
    changed: dict[str, Action] = {}
    for action in actions:
        head = action.path.segments[0]
        name = by_attribute.get(head) if isinstance(head, str) else None
        if name is None or not _in_any_index(keys, name):
            continue
        changed[name] = action
        if isinstance(action, Set) and isinstance(action.value, Value):
            known[name] = action.value.value
    primary = keys.formats[PRIMARY]
    for name, action in changed.items():
        if len(action.path.segments) > 1:
            raise ValidationError(
                f"{entity.name}: {name} is part of a key; update it as a whole, not a part"
            )
        if name in primary[0].fields or (primary[1] is not None and name in primary[1].fields):
            raise ValidationError(
                f"{entity.name}: {name} is part of the primary key and cannot be updated; "
                "delete the item and put it under its new key"
            )
        if not (
            isinstance(action, Remove)
            or (isinstance(action, Set) and isinstance(action.value, Value))
        ):
            raise ValidationError(
                f"{entity.name}: {name} is part of an index key, so an update must give its new "
                "value (not arithmetic, if_not_exists or add/delete); read, modify and put instead"
            )
    extra: list[Action] = []
    for index, (pk, sk) in keys.formats.items():
        if index == PRIMARY:
            continue
        needs = (*pk.fields, *(sk.fields if sk is not None else ()))
        if not any(name in changed for name in needs):
            continue
        attributes = [pk.attribute, *([sk.attribute] if sk is not None else [])]
        if any(known.get(name) is None and name in changed for name in needs):
            extra.extend(Path(a).remove() for a in attributes)
            continue
        missing = [name for name in needs if name not in known]
        if missing:
            raise ValidationError(
                f"{entity.name}: this update changes {', '.join(n for n in needs if n in changed)}"
                f", which index {index} uses in {_templates(pk, sk)}; give "
                f"{', '.join(missing)} too (its current value), so the index key can be rebuilt"
            )
        try:
            values = keys.index_key(index, known)
        except KeyValueError as exc:
            raise ValidationError(str(exc)) from None
        for attribute, value in (values or {}).items():
            extra.append(Path(attribute).set(value))
    return extra


def _in_any_index(keys: EntityKeys, name: str) -> bool:
    return any(
        name in pk.fields or (sk is not None and name in sk.fields)
        for pk, sk in keys.formats.values()
    )


def _templates(pk: Any, sk: Any) -> str:
    return repr(pk.template.text) + (f" / {sk.template.text!r}" if sk is not None else "")
