"""The Python text of an imported schema module, and its sample items as JSON lines."""

from __future__ import annotations

import json
import textwrap

import msgspec

from modelkit.workbench_import._names import snake
from modelkit.workbench_import._patterns import PatternPlan
from modelkit.workbench_import._read import ReadIndex, ReadModel
from modelkit.workbench_import._render_patterns import render_patterns
from modelkit.workbench_import._templates import PRIMARY, EntityPlan


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render_module(
    model: ReadModel,
    plans: list[EntityPlan],
    patterns: list[PatternPlan],
    type_attribute: str | None,
    source: str,
    items_file: str,
) -> str:
    """Module text: the Table with its GSIs, one ``@table.entity`` class per entity and the
    inferred access patterns."""
    names = {f.attribute: f.name for p in plans for f in p.fields if f.attribute}
    body = [_table(model, type_attribute, names)]
    body += [_entity(plan) for plan in plans]
    if patterns:
        body.append(render_patterns(patterns))
    text = "\n\n".join(body)
    imports = ["from __future__ import annotations", ""]
    if "Decimal" in text:
        imports.insert(2, "from decimal import Decimal")
    if "Any" in text:
        imports.insert(len(imports), "from typing import Any")
    if imports[-1] != "":
        imports.append("")
    imports += ["import msgspec", "", "from modelkit import " + _modelkit_names(text)]
    entities = ", ".join(p.name for p in plans) or "none"
    doc = textwrap.fill(
        f"{model.name}: imported from the NoSQL Workbench model {source} (format "
        f"{model.version or 'unknown'}) by ``modelkit import``. Entities: {entities}. The "
        f"model's sample items, in field terms, are in {items_file} beside this file.",
        width=96,
    )
    return f'"""{doc}\n"""\n\n' + "\n".join(imports) + "\n\n" + text.rstrip("\n") + "\n"


def render_items(plans: list[EntityPlan]) -> str:
    """One JSON object a line: ``{"entity": NAME, "item": {field: value}}``."""
    lines = [
        msgspec.json.encode({"entity": plan.name, "item": item}).decode()
        for plan in plans
        for item in plan.items
    ]
    return "".join(line + "\n" for line in lines)


def _modelkit_names(text: str) -> str:
    used = ["Index", "Key", "Provisioned", "Table"]
    return ", ".join(n for n in used if f"{n}(" in text or f"{n}." in text)


def _table(model: ReadModel, type_attribute: str | None, names: dict[str, str]) -> str:
    lines = [f"table = Table(\n    {_q(model.name)},", f"    pk={_q(model.pk)},"]
    lines.append(f"    sk={_q(model.sk) if model.sk else None},")
    if model.gsis:
        lines.append("    indexes=[")
        lines += [f"        {_index(i, names)}," for i in model.gsis]
        lines.append("    ],")
    if type_attribute:
        lines.append(f"    type_attribute={_q(type_attribute)},")
    if model.capacity:
        lines.append(f"    billing=Provisioned(rcu={model.capacity[0]}, wcu={model.capacity[1]}),")
    if model.doc:
        lines.append(_doc(model.doc))
    lines.append(")")
    return "\n".join(lines) + "\n"


def _doc(text: str) -> str:
    """``doc=...``, split into implicitly joined strings when it is longer than a line."""
    if len(text) <= 84:
        return f"    doc={_q(text)},"
    chunks = textwrap.wrap(text, 84, drop_whitespace=False, break_on_hyphens=False)
    return "    doc=(\n" + "".join(f"        {_q(c)}\n" for c in chunks) + "    ),"


def _index(index: ReadIndex, names: dict[str, str]) -> str:
    args = [_q(index.name), f"pk={_q(index.pk)}"]
    if index.sk:
        args.append(f"sk={_q(index.sk)}")
    if index.projection == "KEYS_ONLY":
        args.append('projection="KEYS_ONLY"')
    if index.include:
        fields = [names.get(a, snake(a)) for a in index.include]
        args.append(f"include=[{', '.join(_q(f) for f in fields)}]")
    return f"Index.gsi({', '.join(args)})"


def _key(pk: str, sk: str | None) -> str:
    return f"Key(pk={_q(pk)}" + (f", sk={_q(sk)})" if sk is not None else ")")


def _entity(plan: EntityPlan) -> str:
    args: list[str] = []
    primary = plan.keys.get(PRIMARY)
    if primary:
        args.append(f"key={_key(*primary)}")
    others = [(n, k) for n, k in plan.keys.items() if n != PRIMARY]
    if len(others) == 1:
        args.append(f"indexes={{{_q(others[0][0])}: {_key(*others[0][1])}}}")
    elif others:
        inner = "".join(f"        {_q(n)}: {_key(*k)},\n" for n, k in others)
        args.append(f"indexes={{\n{inner}    }}")
    if plan.type_value is not None:
        args.append(f"type_value={_q(plan.type_value)}")
    lines = ["@table.entity(", *(f"    {a}," for a in args), ")"]
    lines.append(f"class {plan.name}(msgspec.Struct, kw_only=True):")
    for field in plan.fields:
        if field.required:
            lines.append(f"    {field.name}: {field.annotation}")
        elif field.annotation == "Any":
            lines.append(f"    {field.name}: Any = None")
        else:
            lines.append(f"    {field.name}: {field.annotation} | None = None")
    if not plan.fields:
        lines.append("    pass")
    return "\n".join(lines) + "\n"
