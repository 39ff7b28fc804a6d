"""Key templates: ``"ORDER#{placed_at}#{order_id}"`` parsed, formatted and parsed back."""

from __future__ import annotations

import keyword
from collections.abc import Callable, Mapping
from typing import Any, Literal

import msgspec

from modelkit.errors import KeyParseError, KeyValueError
from modelkit.keys._codecs import (
    AFTER_DELIMITER,
    DELIMITER,
    ESCAPE,
    KeyCodec,
    KeyCodecError,
    StrCodec,
)

Role = Literal["partition", "sort"]

#: DynamoDB's limits on key attribute values, in UTF-8 bytes.
MAX_KEY_BYTES: dict[Role, int] = {"partition": 2048, "sort": 1024}


class TemplateSyntaxError(ValueError):
    """A template string that is not a valid key template; the caller adds where."""


class Segment(msgspec.Struct, frozen=True):
    """One ``#``-separated part of a template: fixed text or a single field hole."""

    text: str = ""
    field: str | None = None


class KeyTemplate(msgspec.Struct, frozen=True):
    """A parsed template. Plain data; :class:`KeyFormat` does the work."""

    text: str
    segments: tuple[Segment, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(s.field for s in self.segments if s.field is not None)

    @classmethod
    def parse(cls, text: str) -> KeyTemplate:
        """Parse ``text``; raise :class:`TemplateSyntaxError` with what to write instead."""
        if not isinstance(text, str) or not text:
            raise TemplateSyntaxError("a key template must be a non-empty string")
        segments: list[Segment] = []
        seen: set[str] = set()
        for part in text.split(DELIMITER):
            segments.append(_parse_segment(part, text))
            name = segments[-1].field
            if name is not None:
                if name in seen:
                    raise TemplateSyntaxError(f"field {{{name}}} appears twice in {text!r}")
                seen.add(name)
        return cls(text=text, segments=tuple(segments))


def _parse_segment(part: str, text: str) -> Segment:
    if part.startswith("{") and part.endswith("}") and part.count("{") == 1:
        name = part[1:-1]
        if not name.isidentifier() or keyword.iskeyword(name):
            raise TemplateSyntaxError(f"{{{name}}} in {text!r} is not a field name")
        return Segment(field=name)
    if part.count("{") != part.count("}"):
        raise TemplateSyntaxError(f"segment {part!r} of {text!r} has an unbalanced brace")
    if "{" in part or "}" in part:
        fixed = part.replace("{", "#{").replace("}", "}#").strip("#").replace("##", "#")
        raise TemplateSyntaxError(
            f"segment {part!r} of {text!r} mixes fixed text and a field; put each field in a "
            f"segment of its own, separated by '#' (for example {fixed!r})"
        )
    if not part:
        raise TemplateSyntaxError(f"{text!r} has an empty segment ('##' or a '#' at an end)")
    bad = sorted({c for c in part if c <= ESCAPE or "\ud800" <= c <= "\udfff"})
    if bad:
        raise TemplateSyntaxError(
            f"fixed text {part!r} of {text!r} holds {', '.join(map(repr, bad))}; fixed text may "
            f'not hold spaces, control characters or any of !"#{ESCAPE}'
        )
    return Segment(text=part)


class KeyFormat:
    """A template bound to its field codecs: format, parse, prefixes.

    ``owner`` (the entity name) and ``attribute`` (the key attribute) appear in errors.
    """

    def __init__(
        self,
        template: KeyTemplate,
        codecs: Mapping[str, KeyCodec],
        *,
        role: Role,
        owner: str,
        attribute: str,
        sparse: bool = False,
    ) -> None:
        self.template = template
        self.fields = template.fields
        self.codecs = {name: codecs[name] for name in self.fields}
        self.role: Role = role
        self.owner = owner
        self.attribute = attribute
        self.sparse = sparse
        self.max_bytes = MAX_KEY_BYTES[role]
        self.format_obj: Callable[[Any], str | None] = self._generate("getattr")
        self.format_map: Callable[[Mapping[str, Any]], str | None] = self._generate("item")
        self.parse: Callable[[str], dict[str, Any]] = self._generate_parse()

    # -- formatting ------------------------------------------------------------------------

    def _generate(self, access: str) -> Callable[[Any], str | None]:
        """Build a straight-line formatter: one f-string, no loops, no per-call lookups.

        A ``str`` value made of letters, digits and ``-`` needs no escaping and goes into the
        f-string as it is (``str.isalnum`` is several times cheaper than a regex search);
        other values go through their codec. Anything unusual (None, a wrong type, a value
        to refuse, an empty or long key) raises or fails the final test and goes to
        :meth:`_format_slow`, which returns None for a sparse index or raises a
        :class:`KeyValueError` naming the field.
        """
        namespace: dict[str, Any] = {
            "_slow": self._format_slow,
            # str.isalnum raises TypeError for anything but str (bytes too): slow path.
            "_a": str.isalnum,
        }
        reads: list[str] = []
        pieces: list[str] = []
        for index, segment in enumerate(self.template.segments):
            if segment.field is None:
                pieces.append(segment.text.replace("{", "{{").replace("}", "}}"))
                continue
            x = f"x{index}"
            get = f"v.{segment.field}" if access == "getattr" else f"v[{segment.field!r}]"
            reads.append(f"        {x} = {get}")
            namespace[f"e{index}"] = self.codecs[segment.field].encode
            if type(self.codecs[segment.field]) is StrCodec:
                plain = f"_a({x}) or _a({x}.replace('-', ''))"
                pieces.append(f"{{{x} if {plain} else e{index}({x})}}")
            else:
                pieces.append(f"{{e{index}({x})}}")
        is_map = access == "item"
        source = "\n".join(
            [
                "def fmt(v):",
                "    try:",
                *reads,
                f"        k = f{DELIMITER.join(pieces)!r}",
                "    except Exception:",
                f"        return _slow(v, {is_map})",
                f"    if k and len(k) <= {self.max_bytes // 4}:",
                "        return k",
                f"    return _slow(v, {is_map})",
            ]
        )
        exec(compile(source, f"<key template {self.template.text!r}>", "exec"), namespace)
        fmt: Callable[[Any], str | None] = namespace["fmt"]
        return fmt

    def _format_slow(self, values: Any, is_map: bool) -> str | None:
        """Validating path: clear errors, and None for a sparse (absent) field."""
        parts: list[str] = []
        for segment in self.template.segments:
            if segment.field is None:
                parts.append(segment.text)
                continue
            name = segment.field
            if is_map:
                present = name in values
                value = values.get(name) if present else None
            else:
                present = hasattr(values, name)
                value = getattr(values, name, None)
            if value is None:
                if not self.sparse:
                    why = "is missing" if not present else "is None"
                    raise KeyValueError(
                        f"{why}; it is needed for {self.attribute}", **self._at(name)
                    )
                return None
            try:
                parts.append(self.codecs[name].encode(value))
            except KeyCodecError as exc:
                raise KeyValueError(str(exc), **self._at(name)) from None
        key = DELIMITER.join(parts)
        self._check_limit(key)
        return key

    def _at(self, field: str) -> dict[str, str]:
        return {"entity": self.owner, "field": field}

    def _check_limit(self, key: str) -> None:
        size = len(key.encode("utf-8", "surrogatepass"))
        if size > self.max_bytes:
            raise KeyValueError(
                f"{self.attribute} would be {size} bytes, over DynamoDB's {self.max_bytes}-byte "
                f"{self.role} key limit; shorten the values of {', '.join(self.fields)}",
                entity=self.owner,
            )
        if size == 0:
            raise KeyValueError(
                f"{self.attribute} would be empty, which DynamoDB refuses", entity=self.owner
            )

    def format(self, values: Mapping[str, Any]) -> str:
        """The key for ``values``; raises :class:`KeyValueError` if a field is missing."""
        key = self.format_map(values)
        if key is None:
            missing = [f for f in self.fields if values.get(f) is None]
            raise KeyValueError(
                f"needs {', '.join(missing)} to build {self.attribute}", entity=self.owner
            )
        return key

    # -- parsing -----------------------------------------------------------------------------

    def _generate_parse(self) -> Callable[[str], dict[str, Any]]:
        """Straight-line parser; any mismatch goes to :meth:`_parse_slow` for the message."""
        namespace: dict[str, Any] = {"_slow": self._parse_slow}
        segments = self.template.segments
        checks = [f"len(p) != {len(segments)}"]
        items = []
        for i, segment in enumerate(segments):
            if segment.field is None:
                checks.append(f"p[{i}] != {segment.text!r}")
            else:
                namespace[f"d{i}"] = self.codecs[segment.field].decode
                items.append(f"{segment.field!r}: d{i}(p[{i}])")
        source = "\n".join(
            [
                "def parse(k):",
                f"    p = k.split({DELIMITER!r})",
                f"    if {' or '.join(checks)}: return _slow(k)",
                "    try:",
                f"        return {{{', '.join(items)}}}",
                "    except Exception:",
                "        return _slow(k)",
            ]
        )
        exec(compile(source, f"<key parser {self.template.text!r}>", "exec"), namespace)
        parse: Callable[[str], dict[str, Any]] = namespace["parse"]
        return parse

    def _parse_slow(self, key: str) -> dict[str, Any]:
        """Field values of ``key``; :class:`KeyParseError` if this template cannot produce it."""
        parts = key.split(DELIMITER)
        segments = self.template.segments
        if len(parts) != len(segments):
            raise KeyParseError(
                f"{key!r} has {len(parts)} segments; {self.template.text!r} has {len(segments)}"
            )
        values: dict[str, Any] = {}
        for part, segment in zip(parts, segments, strict=True):
            if segment.field is None:
                if part != segment.text:
                    raise KeyParseError(f"{key!r} does not match {self.template.text!r}")
                continue
            try:
                values[segment.field] = self.codecs[segment.field].decode(part)
            except KeyCodecError as exc:
                raise KeyParseError(
                    f"{key!r}: segment {part!r} is not a valid {segment.field}: {exc}"
                ) from None
        return values

    def matches(self, key: str) -> bool:
        try:
            self.parse(key)
        except KeyParseError:
            return False
        return True

    # -- partial keys ------------------------------------------------------------------------

    def leading(self, values: Mapping[str, Any]) -> tuple[str, int]:
        """Encode the leading fields found in ``values``, with the fixed text around them.

        Returns the prefix (ending in ``#`` when a field follows) and how many fields it
        holds. The prefix includes the fixed segments after the last given field, so
        ``ORDER#{day}#ITEM#{id}`` with ``day`` gives ``ORDER#2024-05-01#ITEM#``.
        """
        parts: list[str] = []
        count = 0
        for segment in self.template.segments:
            if segment.field is None:
                parts.append(segment.text)
                continue
            if segment.field not in values:
                break
            try:
                parts.append(self.codecs[segment.field].encode(values[segment.field]))
            except KeyCodecError as exc:
                raise KeyValueError(str(exc), **self._at(segment.field)) from None
            count += 1
        else:
            return DELIMITER.join(parts), count
        return DELIMITER.join(parts) + DELIMITER if parts else "", count

    def upper_of_prefix(self, prefix: str) -> str:
        """Smallest string above every key that starts with ``prefix`` (``…#`` → ``…$``)."""
        return prefix[:-1] + AFTER_DELIMITER
