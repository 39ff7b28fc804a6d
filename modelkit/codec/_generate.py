"""Generated straight-line encode/decode functions for one Struct (the hot path).

The encoder is one dict display: each field is written by an inline expression guarded by an
exact type test (``type(v) is str and v.isascii()``, ``type(v) is Decimal and ...``); a list,
dict or set field is built by a loop before it, a nested Struct inline (a recursive one calls
its own generated function). A value no guard takes goes through the field's checked encoder.
The decoder reads each attribute with a subscript or two and an inline conversion, then calls
the class once. Any exception sends the whole value to the checked path, which gives the same
result or a precise error. The source is kept (``StructCodec.source``, and in tracebacks).
"""

from __future__ import annotations

import keyword
import linecache
from typing import TYPE_CHECKING

from modelkit.codec._expressions import Writer, indent

if TYPE_CHECKING:
    from modelkit.codec._struct import FieldPlan, StructCodec


def generate(codec: StructCodec) -> None:
    """Set ``encode_fields``/``decode_fields`` and ``encode``/``decode`` on ``codec``."""
    if not all(p.name.isidentifier() and not keyword.iskeyword(p.name) for p in codec.fields):
        # a field named by a keyword (msgspec.defstruct allows it): no code can spell it
        codec.encode_fields, codec.decode_fields = codec.encode_checked, codec.decode_checked
        codec.encode, codec.decode = codec.encode_item, codec.decode_item
        codec.source = ""
        return
    for top in (False, True):
        writer = Writer()
        writer.values["_cls"] = codec.cls
        writer.values["_encode_fallback"] = codec.encode_item if top else codec.encode_checked
        writer.values["_decode_fallback"] = codec.decode_item if top else codec.decode_checked
        source = "\n".join([*_encoder(codec, writer), "", *_decoder(codec, writer)]) + "\n"
        variant = "" if top else " (nested)"
        filename = f"<modelkit.codec {codec.cls.__module__}.{codec.cls.__qualname__}{variant}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), writer.values)
        if top:
            codec.encode = writer.values["encode"]
            codec.decode = writer.values["decode"]
        else:
            codec.encode_fields = writer.values["encode"]
            codec.decode_fields = writer.values["decode"]
        codec.source = source


def _encoder(codec: StructCodec, writer: Writer) -> list[str]:
    """Every field goes into one dict display (cheaper than inserting after it: no resize);
    an omitted one gets a placeholder, deleted after."""
    lines = [
        "def encode(obj):",
        "    if type(obj) is not _cls:",
        "        return _encode_fallback(obj)",
        "    try:",
    ]
    entries: list[str] = []
    after: list[str] = []
    for i, plan in enumerate(codec.fields):
        var = f"v{i}"
        lines.append(f"        {var} = obj.{plan.name}")
        field_shape = plan.shape
        if plan.omit_none and field_shape.kind == "optional" and field_shape.item is not None:
            field_shape = field_shape.item  # None never reaches the expression
        omit = _omit_condition(plan, var, writer)
        block = writer.encode_block(field_shape, var, f"e{i}")
        if block is not None:
            expr = f"e{i}"
            if omit is not None:
                lines.append(f"        o{i} = {omit}")
                block = [f"if not o{i}:", *indent(block)]
            lines += indent(block, "        ")
            if omit is not None:
                expr = f"(None if o{i} else e{i})"
        else:
            expr = writer.encode(field_shape, var)
            if omit is not None:
                expr = f"(None if (o{i} := {omit}) else {expr})"
        if omit is not None:
            after += [f"        if o{i}:", f"            del item[{plan.attr!r}]"]
        entries.append(f"            {plan.attr!r}: {expr},")
    if codec.tag_field is not None:
        ((tag, wire),) = codec.tag_av.items()
        entries.append(f"            {codec.tag_field!r}: {{{tag!r}: {wire!r}}},")
    lines += ["        item = {", *entries, "        }", *after]
    lines += [
        "        return item",
        "    except Exception:",
        "        return _encode_fallback(obj)",
    ]
    return lines


def _omit_condition(plan: FieldPlan, var: str, writer: Writer) -> str | None:
    parts = []
    if plan.omit_none:
        parts.append(f"{var} is None")
    if plan.omit_empty_set:
        parts.append(f"(not {var} and (type({var}) is set or type({var}) is frozenset))")
    if plan.omit_default:
        parts.append(f"{writer.bind(plan.omits, 'omits')}({var})")
    return " or ".join(parts) if parts else None


def _decoder(codec: StructCodec, writer: Writer) -> list[str]:
    lines = ["def decode(item):", "    try:"]
    positional: dict[str, str] = {}
    keywords: list[str] = []
    for i, plan in enumerate(codec.fields):
        lines += indent(_decode_statements(plan, i, writer), "        ")
        if plan.positional:
            positional[plan.name] = f"f{i}"
        else:
            keywords.append(f"{plan.name}=f{i}")
    args = [positional[name] for name in codec.positional_order] + keywords
    lines += [
        "    except Exception:",
        "        return _decode_fallback(item)",
        f"    return _cls({', '.join(args)})",
    ]
    return lines


def _decode_statements(plan: FieldPlan, i: int, writer: Writer) -> list[str]:
    """Statements setting ``f{i}`` to the field's value."""
    attr = repr(plan.attr)
    absent = writer.absent(plan)
    av = f"item[{attr}]" if absent is None else f"a{i}"
    block = writer.decode_block(plan.shape, av, f"f{i}")
    if block is None:
        return [f"f{i} = {writer.field(plan, 'item')}"]
    if absent is None:
        return block
    return [
        f"a{i} = item.get({attr})",
        f"if a{i} is None:",
        f"    f{i} = {absent}",
        "else:",
        *indent(block),
    ]
