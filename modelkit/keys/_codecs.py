"""Order-preserving, injective, invertible text encodings of key field values.

Every encoding here produces text that never holds the delimiter ``#`` and whose characters
are all above ``$`` (the escape lead), except as part of an escape. That one fact gives the
key rules of single-table design:

* a value followed by ``#`` sorts before any longer value it is a prefix of, so tuple order is
  key order under DynamoDB's UTF-8 byte order;
* a prefix ending in ``#`` never matches a longer value (``TENANT#acme#`` vs ``TENANT#acme2#``);
* the number of ``#``-separated segments of a key is fixed by its template, so parsing is a
  split, and two templates can only collide segment by segment.

Strings escape the characters ``\\x00``..``$`` as ``$`` plus two hex digits, which keeps the
order (``$20`` < ``$23`` < ``$24`` < any character above ``$``) and leaves ordinary ids as
they are: ``c-42`` encodes to ``c-42``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

DELIMITER = "#"
ESCAPE = "$"
#: One past the delimiter: ``prefix[:-1] + AFTER_DELIMITER`` bounds every key starting with
#: ``prefix`` from above, and ``value + AFTER_DELIMITER`` bounds every key whose field equals
#: ``value``.
AFTER_DELIMITER = chr(ord(DELIMITER) + 1)

_NEEDS_ESCAPE = re.compile("[\x00-\x24\ud800-\udfff]")
_ESCAPED = re.compile(r"\$([0-9A-F]{2})")
_SURROGATE = re.compile("[\ud800-\udfff]")
_KEY_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", re.ASCII)
_KEY_DATE = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class KeyCodecError(ValueError):
    """A value or text the codec cannot take; the caller adds entity and field."""


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        raise KeyCodecError(
            f"holds a lone surrogate (U+{ord(char):04X}), which is not valid UTF-8 and cannot "
            "be stored in DynamoDB; clean the text before using it in a key"
        )
    return f"{ESCAPE}{ord(char):02X}"


def escape_str(text: str) -> str:
    """Escape ``text`` for a key segment (a no-op for ordinary ids).

    Generated formatters skip this call for letters, digits and ``-`` (see
    ``KeyFormat._generate``); here a regex search finds anything else worth escaping.
    """
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return _NEEDS_ESCAPE.sub(_escape_char, text)


def unescape_str(text: str) -> str:
    """Invert :func:`escape_str`; reject text that is not in canonical escaped form."""
    if ESCAPE not in text:
        if _NEEDS_ESCAPE.search(text) is not None:
            raise KeyCodecError(f"{text!r} holds a character that should have been escaped")
        return text
    value = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    if escape_str(value) != text:
        raise KeyCodecError(f"{text!r} is not a canonically escaped key segment")
    return value


class KeyCodec:
    """Encoding of one field type inside a key segment."""

    kind: str = "abstract"
    #: True when the value set is small (bool, enum, literal, date): a poor partition key.
    low_cardinality: bool = False
    #: True when the Python values have an order that the encoding keeps.
    orderable: bool = True

    def encode(self, value: Any) -> str:
        raise NotImplementedError

    def decode(self, text: str) -> Any:
        raise NotImplementedError

    def can_produce(self, text: str) -> bool:
        """True if some value encodes to exactly ``text``."""
        try:
            return bool(self.encode(self.decode(text)) == text)
        except (KeyCodecError, ValueError, TypeError):
            return False

    def finite_texts(self) -> tuple[str, ...] | None:
        """Every text this codec can produce, if there are few; else ``None``."""
        return None

    def overlaps(self, other: KeyCodec) -> bool:
        """True if the two codecs can produce the same text (conservative)."""
        mine, theirs = self.finite_texts(), other.finite_texts()
        if mine is not None:
            return any(other.can_produce(t) for t in mine)
        if theirs is not None:
            return any(self.can_produce(t) for t in theirs)
        if "str" in (self.kind, other.kind):
            return True
        return self.describe() == other.describe()

    def describe(self) -> str:
        """Short human description used in findings and ``show``."""
        return self.kind

    def example(self) -> Any:
        """A plausible value, for example items."""
        raise NotImplementedError


class StrCodec(KeyCodec):
    kind = "str"

    def encode(self, value: Any) -> str:
        if not isinstance(value, str):
            raise KeyCodecError(f"expected str, got {type(value).__name__}")
        return escape_str(value)

    def decode(self, text: str) -> str:
        return unescape_str(text)

    def example(self) -> str:
        return "abc-123"


class IntCodec(KeyCodec):
    """Fixed-width zero-padded decimal; negatives as ``-`` plus the nines' complement.

    The width comes from the field's bounds (``Annotated[int, Meta(ge=0, lt=10**6)]`` gives
    six digits); without bounds the field takes the signed 64-bit range (19 digits).
    """

    kind = "int"

    def __init__(self, low: int = INT64_MIN, high: int = INT64_MAX) -> None:
        if low > high:
            raise KeyCodecError(f"empty int range [{low}, {high}]")
        self.low, self.high = low, high
        self.width = max(len(str(abs(low))), len(str(abs(high))))
        self._complement = 10**self.width - 1

    def encode(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int):
            raise KeyCodecError(f"expected int, got {type(value).__name__}")
        if not self.low <= value <= self.high:
            raise KeyCodecError(
                f"{value} is outside the key range [{self.low}, {self.high}]; declare the field "
                "as Annotated[int, msgspec.Meta(ge=..., le=...)] to set the range and width"
            )
        if value >= 0:
            return f"{value:0{self.width}d}"
        return f"-{self._complement + value:0{self.width}d}"

    def decode(self, text: str) -> int:
        digits = text[1:] if text.startswith("-") else text
        if len(digits) != self.width or not digits.isascii() or not digits.isdigit():
            raise KeyCodecError(f"{text!r} is not a {self.width}-digit key integer")
        value = int(digits) - self._complement if text.startswith("-") else int(digits)
        if not self.low <= value <= self.high or (text.startswith("-") and value >= 0):
            raise KeyCodecError(f"{text!r} is outside [{self.low}, {self.high}]")
        return value

    def describe(self) -> str:
        return f"int{self.width}"

    def example(self) -> int:
        return max(self.low, min(self.high, 42))


class BoolCodec(KeyCodec):
    kind = "bool"
    low_cardinality = True

    def encode(self, value: Any) -> str:
        if not isinstance(value, bool):
            raise KeyCodecError(f"expected bool, got {type(value).__name__}")
        return "true" if value else "false"

    def decode(self, text: str) -> bool:
        if text not in ("true", "false"):
            raise KeyCodecError(f"{text!r} is not 'true' or 'false'")
        return text == "true"

    def finite_texts(self) -> tuple[str, ...]:
        return ("false", "true")

    def example(self) -> bool:
        return True


class DateTimeCodec(KeyCodec):
    """UTC, microsecond precision, fixed width: ``2024-05-01T12:30:00.000000Z``."""

    kind = "datetime"

    def encode(self, value: Any) -> str:
        if not isinstance(value, dt.datetime):
            raise KeyCodecError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise KeyCodecError(
                f"{value.isoformat()} is a naive datetime; keys need timezone-aware datetimes "
                "(for example datetime.now(timezone.utc))"
            )
        try:
            utc = value.astimezone(dt.UTC)
        except OverflowError:
            raise KeyCodecError(f"{value.isoformat()} is out of range in UTC") from None
        return utc.isoformat(timespec="microseconds")[:-6] + "Z"  # drop "+00:00"

    def decode(self, text: str) -> dt.datetime:
        if _KEY_DATETIME.fullmatch(text) is None:
            raise KeyCodecError(f"{text!r} is not a key datetime (YYYY-MM-DDTHH:MM:SS.ffffffZ)")
        try:
            return dt.datetime.fromisoformat(text)  # reads the Z as UTC (Python 3.11+)
        except ValueError as exc:
            raise KeyCodecError(f"{text!r} is not a key datetime: {exc}") from None

    def example(self) -> dt.datetime:
        return dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)


class DateCodec(KeyCodec):
    kind = "date"
    low_cardinality = True

    def encode(self, value: Any) -> str:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise KeyCodecError(f"expected date, got {type(value).__name__}")
        return value.isoformat()

    def decode(self, text: str) -> dt.date:
        if _KEY_DATE.fullmatch(text) is None:
            raise KeyCodecError(f"{text!r} is not a key date (YYYY-MM-DD)")
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise KeyCodecError(f"{text!r} is not a key date: {exc}") from None

    def example(self) -> dt.date:
        return dt.date(2024, 5, 1)


class UUIDCodec(KeyCodec):
    kind = "uuid"

    def encode(self, value: Any) -> str:
        if not isinstance(value, uuid.UUID):
            raise KeyCodecError(f"expected UUID, got {type(value).__name__}")
        return str(value)

    def decode(self, text: str) -> uuid.UUID:
        try:
            value = uuid.UUID(text)
        except ValueError:
            raise KeyCodecError(f"{text!r} is not a UUID") from None
        if str(value) != text:
            raise KeyCodecError(f"{text!r} is not a canonical lowercase UUID")
        return value

    def example(self) -> uuid.UUID:
        return uuid.UUID("7d444840-9dc0-11d1-b245-5ffdce74fad2")


class DecimalCodec(KeyCodec):
    """Sign class, biased exponent, then mantissa digits.

    ``N`` < ``O`` < ``P`` (negative, zero, positive). A positive ``m * 10**e`` (``1 ≤ m < 10``)
    is ``P`` + ``e + 500`` in three digits + ``:`` + ``m`` (``19.99`` → ``P501:1.999``). A
    negative one complements exponent and digits and ends with ``~`` so that longer
    mantissas sort first. Limited to DynamoDB's number range: 38 significant digits,
    exponents -130..125.
    """

    kind = "decimal"
    _BIAS = 500

    def encode(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            hint = "; use Decimal('...') for exact values" if isinstance(value, float) else ""
            raise KeyCodecError(f"expected Decimal, got {type(value).__name__}{hint}")
        number = Decimal(value)
        if not number.is_finite():
            raise KeyCodecError(f"{number} is not a finite number")
        if number.is_zero():
            return "O"
        sign, digits, _ = number.as_tuple()
        mantissa = "".join(map(str, digits)).strip("0")
        adjusted = number.adjusted()
        if len(mantissa) > 38 or not -130 <= adjusted <= 125:
            raise KeyCodecError(
                f"{number} is outside DynamoDB's number range (38 significant digits, "
                "exponent -130..125)"
            )
        text = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
        if not sign:
            return f"P{adjusted + self._BIAS:03d}:{text}"
        complement = text.translate(_NINES)
        return f"N{999 - adjusted - self._BIAS:03d}:{complement}~"

    def decode(self, text: str) -> Decimal:
        if text == "O":
            return Decimal(0)
        try:
            head, body = text[:4], text[5:]
            if text[0] == "P" and text[4] == ":":
                exponent, mantissa, sign = int(head[1:]) - self._BIAS, body, ""
            elif text[0] == "N" and text[4] == ":" and body.endswith("~"):
                exponent = 999 - int(head[1:]) - self._BIAS
                mantissa, sign = body[:-1].translate(_NINES), "-"
            else:
                raise KeyCodecError(f"{text!r} is not a key decimal")
            value = Decimal(f"{sign}{mantissa}E{exponent}")
        except (IndexError, ValueError, InvalidOperation):
            raise KeyCodecError(f"{text!r} is not a key decimal") from None
        if self.encode(value) != text:
            raise KeyCodecError(f"{text!r} is not a canonical key decimal")
        return value

    def example(self) -> Decimal:
        return Decimal("19.99")


_NINES = str.maketrans("0123456789", "9876543210")


class EnumeratedCodec(KeyCodec):
    """Enum members or Literal values, encoded by their value through a base codec."""

    low_cardinality = True

    def __init__(
        self,
        base: KeyCodec,
        values: Iterable[Any],
        to_value: Callable[[Any], Any] = lambda v: v,
        from_value: Callable[[Any], Any] = lambda v: v,
        kind: str = "literal",
        orderable: bool = True,
    ) -> None:
        self.base = base
        self.values = tuple(values)
        self._to_value, self._from_value = to_value, from_value
        self.kind = kind
        self.orderable = orderable
        self._allowed = frozenset(self.values)

    def encode(self, value: Any) -> str:
        try:
            allowed = value in self._allowed
        except TypeError:
            allowed = False
        if not allowed:
            shown = ", ".join(repr(v) for v in self.values[:8])
            raise KeyCodecError(f"{value!r} is not one of {shown}")
        return self.base.encode(self._to_value(value))

    def decode(self, text: str) -> Any:
        try:
            value = self._from_value(self.base.decode(text))
        except (ValueError, TypeError):
            raise KeyCodecError(f"{text!r} is not one of the declared values") from None
        if value not in self._allowed:
            raise KeyCodecError(f"{text!r} is not one of the declared values")
        return value

    def finite_texts(self) -> tuple[str, ...]:
        return tuple(self.encode(v) for v in self.values)

    def describe(self) -> str:
        return f"{self.kind}({len(self.values)})"

    def example(self) -> Any:
        return self.values[0]


def enum_codec(cls: type[enum.Enum]) -> EnumeratedCodec:
    """Codec for an Enum class: members encode by value (as msgspec stores them)."""
    members = list(cls)
    raw = [m.value for m in members]
    base = _base_for_values(raw, f"enum {cls.__name__}")
    orderable = issubclass(cls, str | int)
    return EnumeratedCodec(
        base, members, lambda m: cls(m).value, cls, kind=f"enum {cls.__name__}", orderable=orderable
    )


def literal_codec(values: tuple[Any, ...]) -> EnumeratedCodec:
    return EnumeratedCodec(_base_for_values(list(values), "Literal"), values)


def _base_for_values(values: list[Any], what: str) -> KeyCodec:
    if values and all(isinstance(v, str) for v in values):
        return StrCodec()
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return IntCodec(min(values), max(values))
    raise KeyCodecError(f"{what} values must be all str or all int to be used in a key")
