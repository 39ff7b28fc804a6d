"""One Struct class as a map of attributes: its field plans, checked paths and generated ones.

``encode_fields`` / ``decode_fields`` are the generated fast functions (used for nested Structs;
they raise :class:`Refused`), ``encode`` / ``decode`` the same for a whole item (they raise
:class:`~modelkit.errors.ValidationError`). Every generated function falls back to the checked
path on anything unusual, so both paths give the same result or the same error.

Absent attributes: a field with a default reads back as its default, so a value equal to it
need not be written: ``None`` in a field whose default is ``None`` is left out, as is an empty
set where absence reads as an empty set (a set field without a default, or with an empty
default); ``omit_defaults=True`` Structs leave out every default value. A ``None`` that is not
left out is written as NULL; an empty set that is not left out as an empty list (L).
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
import msgspec.inspect as mi

from modelkit.codec._refusal import Refused, describe
from modelkit.codec._shape import AttributeValue, Shape
from modelkit.codec._values import shape
from modelkit.errors import SchemaError

MISSING: Any = msgspec.NODEFAULT
_EMPTY_FACTORIES = (list, dict, set, frozenset, bytearray)


class FieldPlan:
    """How one field is written and read: its attribute name, shape and absent value."""

    __slots__ = (
        "absent",
        "attr",
        "factory",
        "name",
        "omit_default",
        "omit_empty_set",
        "omit_none",
        "positional",
        "shape",
    )

    def __init__(self, f: mi.Field, field_shape: Shape, omit_defaults: bool) -> None:
        self.name = f.name
        self.attr = f.encode_name
        self.shape = field_shape
        self.positional = False
        self.absent: Any = f.default
        self.factory: Callable[[], Any] | None = None
        if f.default_factory is not MISSING:
            self.factory = f.default_factory
        elif f.default is MISSING and field_shape.set_type is not None:
            self.factory = field_shape.set_type
        self.omit_none = f.default is None
        empty_default = isinstance(f.default, set | frozenset) and not f.default
        self.omit_empty_set = field_shape.set_type is not None and (
            empty_default or self.factory in (set, frozenset)
        )
        self.omit_default = omit_defaults and not f.required

    @property
    def required(self) -> bool:
        return self.absent is MISSING and self.factory is None

    def absent_value(self) -> Any:
        if self.factory is not None:
            return self.factory()
        if self.absent is MISSING:
            raise Refused(f"missing attribute {self.attr!r}")
        return self.absent

    def omits(self, value: Any) -> bool:
        """Whether ``value`` is left out of the item (it reads back as the same value)."""
        if value is None:
            return self.omit_none
        if self.omit_empty_set and not value and isinstance(value, set | frozenset):
            return True
        if self.omit_default:
            if self.factory is not None:
                return (
                    self.factory in _EMPTY_FACTORIES and type(value) is self.factory and not value
                )
            return bool(value is self.absent or value == self.absent)
        return False


class StructCodec:
    """Encoder and decoder of one Struct class; get it from :func:`struct_codec`."""

    encode_fields: Callable[[Any], AttributeValue]
    decode_fields: Callable[[Mapping[str, Any]], Any]
    encode: Callable[[Any], dict[str, AttributeValue]]
    decode: Callable[[Mapping[str, Any]], Any]
    source: str
    """The generated Python source (for reading and debugging)."""

    def __init__(self, cls: type) -> None:
        try:
            info = mi.type_info(cls)
        except TypeError as exc:  # msgspec refuses the annotations (an invalid union, ...)
            raise SchemaError(str(exc), where=getattr(cls, "__qualname__", repr(cls))) from None
        if not isinstance(info, mi.StructType):
            raise SchemaError(f"{cls!r} is not a msgspec Struct")
        self.cls = cls
        self.name = cls.__name__
        self.tag_field: str | None = info.tag_field
        self.tag_av: dict[str, str] = {}
        if info.tag_field is not None:
            tag = info.tag
            self.tag_av = {"N": str(tag)} if isinstance(tag, int) else {"S": str(tag)}
        self.fields: tuple[FieldPlan, ...] = ()
        self.positional_order: list[str] = []
        self._info = info

    def build(self) -> None:
        """Plan the fields and generate the fast functions (after registration: recursion)."""
        from modelkit.codec._generate import generate

        config = getattr(self.cls, "__struct_config__", None)
        omit_defaults = bool(getattr(config, "omit_defaults", False))
        plans = []
        for f in self._info.fields:
            try:
                plans.append(FieldPlan(f, shape(f.type), omit_defaults))
            except SchemaError as exc:
                raise SchemaError(
                    exc.message, where=f"{self.name}.{f.name}", hint=exc.hint
                ) from None
            _check_attribute_name(self.name, f)
        positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
        parameters: Mapping[str, inspect.Parameter] = {}
        with contextlib.suppress(ValueError):  # a field named by a keyword: all by name
            parameters = inspect.signature(self.cls).parameters
        self.positional_order = [n for n, p in parameters.items() if p.kind is positional]
        for plan in plans:
            plan.positional = plan.name in self.positional_order
        self.fields = tuple(plans)
        generate(self)

    # -- checked paths --------------------------------------------------------------------

    def encode_checked(self, obj: Any) -> dict[str, AttributeValue]:
        if not isinstance(obj, self.cls):
            raise Refused(f"expected {self.name}, got {describe(obj)}")
        item: dict[str, AttributeValue] = {}
        for plan in self.fields:
            value = getattr(obj, plan.name)
            try:
                if plan.omits(value):
                    continue
                item[plan.attr] = plan.shape.encode(value)
            except Refused as exc:
                raise exc.at("." + plan.name) from None
        if self.tag_field is not None:
            item[self.tag_field] = dict(self.tag_av)
        return item

    def decode_checked(self, item: Mapping[str, Any]) -> Any:
        if not isinstance(item, Mapping):
            raise Refused(f"expected a map of attributes, got {describe(item)}")
        values: dict[str, Any] = {}
        for plan in self.fields:
            av = item.get(plan.attr)
            try:
                values[plan.name] = plan.absent_value() if av is None else self._read(plan, av)
            except Refused as exc:
                raise exc.at("." + plan.name) from None
        return self.cls(**values)

    @staticmethod
    def _read(plan: FieldPlan, av: Any) -> Any:
        try:
            return plan.shape.decode(av)
        except Refused:
            if isinstance(av, dict) and "NULL" in av and not plan.required:
                return plan.absent_value()  # NULL in a field that cannot be None: absent
            raise

    def encode_item(self, obj: Any) -> dict[str, AttributeValue]:
        """The checked path for a whole item: errors as ValidationError."""
        try:
            return self.encode_checked(obj)
        except Refused as exc:
            raise exc.error(self.name) from None

    def decode_item(self, item: Mapping[str, Any]) -> Any:
        try:
            return self.decode_checked(item)
        except Refused as exc:
            raise exc.error(self.name) from None


def _check_attribute_name(struct: str, f: mi.Field) -> None:
    name = f.encode_name
    try:
        name.encode()
    except UnicodeEncodeError:
        raise SchemaError(
            "attribute name is not valid UTF-8", where=f"{struct}.{f.name}", hint="rename it"
        ) from None
    if not name:
        raise SchemaError("attribute name is empty", where=f"{struct}.{f.name}")


_CODECS: dict[type, StructCodec] = {}
_LOCK = threading.RLock()


def struct_codec(cls: type) -> StructCodec:
    """The codec of a Struct class, built once (recursive Structs refer to it while it builds)."""
    codec = _CODECS.get(cls)
    if codec is not None:
        return codec
    with _LOCK:
        building = _BUILDING.get(cls)
        if building is not None:
            return building  # a recursive reference from inside its own build
        codec = _CODECS.get(cls)
        if codec is None:
            codec = StructCodec(cls)
            _BUILDING[cls] = codec
            try:
                codec.build()
            finally:
                del _BUILDING[cls]
            _CODECS[cls] = codec
    return codec


_BUILDING: dict[type, StructCodec] = {}
