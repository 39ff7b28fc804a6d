"""DynamoDB numbers (N): exact decimal strings within DynamoDB's range.

DynamoDB keeps 38 significant digits and magnitudes from 1E-130 to 9.99…E+125 (positive or
negative) or zero. Ints and Decimals are written exactly or refused; floats are written as their
shortest round-tripping repr (``0.1`` → ``"0.1"``), exponents in DynamoDB's ``1E+16`` form.
NaN and infinities are refused.
"""

from __future__ import annotations

import math
from decimal import Decimal

from modelkit.codec._refusal import Refused, describe

MAX_DIGITS = 38
MIN_EXPONENT = -130
MAX_EXPONENT = 125
#: Ints strictly between -INT_LIMIT and INT_LIMIT have at most 38 digits.
INT_LIMIT = 10**MAX_DIGITS
#: Nonzero floats need FLOAT_MIN <= abs(x) < FLOAT_LIMIT (float(1E+126) is above the maximum).
FLOAT_MIN = 1e-130
FLOAT_LIMIT = 1e126

_RANGE = "DynamoDB numbers hold magnitudes from 1E-130 to 9.99E+125 (or zero)"


def int_wire(value: int) -> str:
    """An int as an N string (exponent form past 38 digits, e.g. ``1E+40``)."""
    if -INT_LIMIT < value < INT_LIMIT:
        return str(value)
    return decimal_wire(Decimal(value))


def float_wire(value: float) -> str:
    """A finite float as its shortest round-tripping decimal string."""
    if value == 0.0:
        return "0"
    if not FLOAT_MIN <= abs(value) < FLOAT_LIMIT:
        if math.isnan(value) or math.isinf(value):
            raise Refused(f"{value!r} cannot be stored: DynamoDB numbers are finite")
        raise Refused(f"{value!r} is out of range: {_RANGE}")
    text = repr(value)
    return text if "e" not in text else str(Decimal(text))


def decimal_wire(value: Decimal) -> str:
    """A finite Decimal as an exact N string, or refused (NaN, infinity, range, precision)."""
    if not value.is_finite():
        raise Refused(f"Decimal {str(value)!r} cannot be stored: DynamoDB numbers are finite")
    text = str(value)
    if len(text) <= MAX_DIGITS and "E" not in text:
        return text  # plain notation: 1E-6 <= |value| < 1E+38 or zero, at most 38 digits
    if not value:
        return "0"
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    kept = len(digits)
    while digits[kept - 1] == 0:
        kept -= 1
    exponent += len(digits) - kept
    if kept > MAX_DIGITS:
        raise Refused(
            f"Decimal {text} has {kept} significant digits; DynamoDB keeps at most {MAX_DIGITS}"
        )
    if not MIN_EXPONENT <= exponent + kept - 1 <= MAX_EXPONENT:
        raise Refused(f"Decimal {text} is out of range: {_RANGE}")
    return str(Decimal((sign, digits[:kept], exponent)))


def read_int(wire: str) -> int:
    """An N string as an int; integral values in exponent form (``1E+40``) are accepted."""
    try:
        return int(wire)
    except ValueError:
        pass
    number = read_decimal(wire)
    if number != number.to_integral_value():
        raise Refused(f"expected an integer, got the number {wire}")
    return int(number)


def read_decimal(wire: str) -> Decimal:
    try:
        number = Decimal(wire)
    except (ArithmeticError, TypeError, ValueError):
        raise Refused(f"expected a number string, got {describe(wire)}") from None
    return number


def read_float(wire: str) -> float:
    try:
        return float(wire)
    except (TypeError, ValueError):
        raise Refused(f"expected a number string, got {describe(wire)}") from None


def is_integral_text(wire: str) -> bool:
    """True for N strings without a fraction or exponent (``-12``), which read as ints."""
    return "." not in wire and "e" not in wire and "E" not in wire
