"""Python expressions and statements that write and read one value, for the generated code.

:class:`Writer` holds the generated module's globals. For a :class:`Shape` it writes the
expression of a value's AttributeValue (``encode``) or of the value an AttributeValue holds
(``decode``): an inline template for a scalar, comprehensions for lists, dicts and sets,
inlined code for a nested Struct; anything else calls the shape's checked function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modelkit.codec._leaf import GLOBALS, Leaf
from modelkit.codec._refusal import Refused
from modelkit.codec._shape import Shape

if TYPE_CHECKING:
    from modelkit.codec._struct import FieldPlan, StructCodec


class Writer:
    """Globals and fresh names of one generated module."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = dict(GLOBALS)
        self.values["_Refused"] = Refused
        self.count = 0
        self.depth = 0

    def add(self, obj: Any, hint: str) -> str:
        for name, value in self.values.items():
            if value is obj and name.startswith(f"_{hint}"):
                return name
        return self.bind(obj, hint)

    def bind(self, obj: Any, hint: str) -> str:
        name = f"_{hint}{len(self.values)}"
        self.values[name] = obj
        return name

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def template(self, text: str, leaf: Leaf, **slots: str) -> str:
        names = {key: self.add(obj, key) for key, obj in leaf.objects.items()}
        return text.format(**slots, **names)

    # -- expressions ----------------------------------------------------------------------

    def encode(self, shape: Shape, var: str) -> str:
        """An expression of the AttributeValue of ``var`` (a name or an attribute of one), a
        value of type ``shape``."""
        checked = f"{self.add(shape.encode, 'enc')}({var})"
        fast = self._encode_fast(shape, var)
        if fast is None:
            return checked
        expr, guard = fast
        if shape.checks.checks:
            names = shape.checks.names
            guard += " and " + shape.checks.expression(var, lambda n: self.add(names[n], "re"))
        return expr if guard == "True" else f"({expr} if {guard} else {checked})"

    def _encode_fast(self, shape: Shape, var: str) -> tuple[str, str] | None:
        leaf, item = shape.leaf, shape.item
        if shape.kind == "leaf" and leaf is not None and leaf.guard is not None:
            tmp = self.fresh("t")
            guard = self.template(leaf.guard, leaf, v=var, t=tmp)
            wire = self.template(leaf.wire, leaf, v=var, t=tmp)
            return f"{{{leaf.tag!r}: {wire}}}", guard
        if shape.kind == "optional" and item is not None:
            return f"{self.encode(item, var)}", f"{var} is not None"  # None: checked path
        if shape.kind == "struct":
            codec = _codec(shape)
            if self.depth < _INLINE_DEPTH and _inlinable(codec):
                self.depth += 1
                entries = [
                    f"{plan.attr!r}: {self.encode(plan.shape, f'{var}.{plan.name}')}"
                    for plan in codec.fields
                ]
                self.depth -= 1
                if codec.tag_field is not None:
                    ((tag, wire),) = codec.tag_av.items()
                    entries.append(f"{codec.tag_field!r}: {{{tag!r}: {wire!r}}}")
                cls = self.add(codec.cls, "cls")
                return f'{{"M": {{{", ".join(entries)}}}}}', f"type({var}) is {cls}"
            return f'{{"M": {self.add(codec, "codec")}.encode_fields({var})}}', "True"
        if shape.kind == "list" and item is not None:
            x = self.fresh("x")
            return f'{{"L": [{self.encode(item, x)} for {x} in {var}]}}', f"type({var}) is list"
        if shape.kind == "dict" and item is not None and shape.key is not None:
            k, x = self.fresh("k"), self.fresh("x")
            key = self._wire(shape.key, k)
            value = self.encode(item, x)
            items = f"{{{key}: {value} for {k}, {x} in {var}.items()}}"
            return f'{{"M": {items}}}', f"type({var}) is dict"
        if shape.kind == "set" and item is not None and item.leaf is not None:
            x = self.fresh("x")
            wires = f"sorted([{self._wire(item.leaf, x)} for {x} in {var}])"
            guard = f"{var} and (type({var}) is set or type({var}) is frozenset)"
            return f"{{{item.leaf.tag + 'S'!r}: {wires}}}", guard
        return None

    def _wire(self, leaf: Leaf, var: str) -> str:
        """An expression of the wire value (not the AttributeValue) of scalar ``var``."""
        checked = f"{self.add(leaf.to_wire, 'wire')}({var})"
        if leaf.guard is None:
            return checked
        tmp = self.fresh("t")
        guard = self.template(leaf.guard, leaf, v=var, t=tmp)
        wire = self.template(leaf.wire, leaf, v=var, t=tmp)
        return f"({wire} if {guard} else {checked})"

    def decode(self, shape: Shape, av: str) -> str:
        """An expression of the value of AttributeValue ``av`` (a name or a subscript)."""
        leaf, item = shape.leaf, shape.item
        if shape.kind == "leaf" and leaf is not None:
            return self.template(leaf.read, leaf, w=f"{av}[{leaf.tag!r}]")
        if shape.kind == "optional" and item is not None and item.tags and len(item.tags) == 1:
            (tag,) = item.tags
            checked = self.add(shape.decode, "dec")
            name = av if av.isidentifier() else self.fresh("a")
            bound = av if name == av else f"({name} := {av})"
            return f"({self.decode(item, name)} if {tag!r} in {bound} else {checked}({name}))"
        if shape.kind == "struct":
            codec = _codec(shape)
            if self.depth < _INLINE_DEPTH and hasattr(codec, "decode_fields"):
                m = self.fresh("m")
                self.depth += 1
                built = self.construct(codec, m)
                self.depth -= 1
                return f'({built} if ({m} := {av}["M"]) is not None else None)'
            return f'{self.add(codec, "codec")}.decode_fields({av}["M"])'
        if shape.kind in ("list", "tuple") and item is not None:
            x = self.fresh("x")
            items = f'[{self.decode(item, x)} for {x} in {av}["L"]]'
            return items if shape.kind == "list" else f"tuple({items})"
        if shape.kind == "dict" and item is not None and shape.key is not None:
            k, x = self.fresh("k"), self.fresh("x")
            key = self.template(shape.key.read, shape.key, w=k)
            return f'{{{key}: {self.decode(item, x)} for {k}, {x} in {av}["M"].items()}}'
        if shape.kind == "set" and item is not None and item.leaf is not None:
            assert shape.make is not None
            make = self.add(shape.make, "make")
            wires = f"{av}[{item.leaf.tag + 'S'!r}]"
            if item.leaf.read == "{w}":
                return f"{make}({wires})"
            x = self.fresh("x")
            return f"{make}([{self.template(item.leaf.read, item.leaf, w=x)} for {x} in {wires}])"
        return f"{self.add(shape.decode, 'dec')}({av})"

    # -- statement forms of top-level containers (no comprehension call for short ones) ---

    def encode_block(self, shape: Shape, var: str, target: str) -> list[str] | None:
        """Statements setting ``target`` to the AttributeValue of a list, dict or set field."""
        item, key = shape.item, shape.key
        if item is None or shape.kind not in ("list", "dict", "set"):
            return None
        if shape.kind == "set" and item.leaf is None:
            return None
        if shape.kind == "dict" and key is None:
            return None
        fast = self._encode_fast(shape, var)
        assert fast is not None
        _, guard = fast
        if shape.checks.checks:
            names = shape.checks.names
            guard += " and " + shape.checks.expression(var, lambda n: self.add(names[n], "re"))
        x = self.fresh("x")
        if shape.kind == "dict" and key is not None:
            k = self.fresh("k")
            body = [
                f"{target} = {{}}",
                f"for {k}, {x} in {var}.items():",
                f"    {target}[{self._wire(key, k)}] = {self.encode(item, x)}",
                f'{target} = {{"M": {target}}}',
            ]
        else:
            element = self.encode(item, x) if shape.kind == "list" else None
            if element is None:
                assert item.leaf is not None
                element = self._wire(item.leaf, x)
            body = _append_loop(target, x, var, element)
            tag = "L" if shape.kind == "list" else item.leaf.tag + "S"  # type: ignore[union-attr]
            if shape.kind == "set":
                body.append(f"{target}.sort()")
            body.append(f"{target} = {{{tag!r}: {target}}}")
        checked = self.add(shape.encode, "enc")
        return [f"if {guard}:", *indent(body), "else:", f"    {target} = {checked}({var})"]

    def decode_block(self, shape: Shape, av: str, target: str) -> list[str] | None:
        """Statements setting ``target`` to the value of a list, tuple or dict attribute."""
        item, key = shape.item, shape.key
        x = self.fresh("x")
        if shape.kind in ("list", "tuple") and item is not None:
            seq = self.fresh("s")
            body = [f'{seq} = {av}["L"]', *_append_loop(target, x, seq, self.decode(item, x))]
            return body + ([f"{target} = tuple({target})"] if shape.kind == "tuple" else [])
        if shape.kind == "dict" and item is not None and key is not None:
            k = self.fresh("k")
            return [
                f"{target} = {{}}",
                f'for {k}, {x} in {av}["M"].items():',
                f"    {target}[{self.template(key.read, key, w=k)}] = {self.decode(item, x)}",
            ]
        return None

    def construct(self, codec: StructCodec, m: str) -> str:
        """An expression building ``codec``'s class from the attribute map named ``m``."""
        positional: dict[str, str] = {}
        keywords: list[str] = []
        for plan in codec.fields:
            expr = self.field(plan, m)
            if plan.positional:
                positional[plan.name] = expr
            else:
                keywords.append(f"{plan.name}={expr}")
        args = [positional[name] for name in codec.positional_order] + keywords
        return f"{self.add(codec.cls, 'cls')}({', '.join(args)})"

    def field(self, plan: FieldPlan, m: str) -> str:
        """An expression of one field's value read from the attribute map named ``m``."""
        attr = repr(plan.attr)
        absent = self.absent(plan)
        if absent is None:
            return self.decode(plan.shape, f"{m}[{attr}]")
        av = self.fresh("a")
        return f"({absent} if ({av} := {m}.get({attr})) is None else {self.decode(plan.shape, av)})"

    def absent(self, plan: FieldPlan) -> str | None:
        """The expression of a field's value when its attribute is absent (None: required)."""
        if plan.factory is not None:
            return f"{self.add(plan.factory, 'factory')}()"
        if plan.required:
            return None
        if plan.absent is None or plan.absent is True or plan.absent is False:
            return repr(plan.absent)
        return self.add(plan.absent, "default")


#: Nested Structs are built inline up to this depth (deeper ones call their own decoder).
_INLINE_DEPTH = 2


#: Lists up to this length are built by a loop in the function body; longer ones by a
#: comprehension (on CPython 3.11 a comprehension is a call: dearer to start, cheaper per item).
_LOOP_LENGTH = 8


def _inlinable(codec: StructCodec) -> bool:
    """Whether a nested Struct's code can be inlined: built (not a recursive reference) and
    with no field that may be left out (that takes statements)."""
    built = hasattr(codec, "decode_fields")
    return built and not any(
        p.omit_none or p.omit_empty_set or p.omit_default for p in codec.fields
    )


def _append_loop(target: str, x: str, seq: str, element: str) -> list[str]:
    return [
        f"if len({seq}) <= {_LOOP_LENGTH}:",
        f"    {target} = []",
        f"    for {x} in {seq}:",
        f"        {target}.append({element})",
        "else:",
        f"    {target} = [{element} for {x} in {seq}]",
    ]


def indent(lines: list[str], by: str = "    ") -> list[str]:
    return [by + line for line in lines]


def _codec(shape: Shape) -> Any:
    from modelkit.codec._struct import struct_codec

    assert shape.struct is not None
    return struct_codec(shape.struct)
