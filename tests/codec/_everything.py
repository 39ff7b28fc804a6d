"""``Everything``: a Struct with one field of every kind the codec takes."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec


class Mood(enum.Enum):
    HAPPY = "happy"
    GRUMPY = "grumpy"


class Rank(enum.IntEnum):
    LOW = 1
    HIGH = 3


class Point(msgspec.Struct, frozen=True):
    x: float
    y: float = 0.0


class Circle(msgspec.Struct, tag="circle"):
    radius: Decimal


class Square(msgspec.Struct, tag="square"):
    side: int
    label: str | None = None


class Everything(msgspec.Struct, kw_only=True, rename="camel"):
    """One field of every kind the codec takes."""

    text: str
    short: Annotated[str, msgspec.Meta(min_length=1, max_length=5)]
    count: int
    bounded: Annotated[int, msgspec.Meta(ge=-3, lt=300)]
    ratio: float
    amount: Decimal
    flag: bool
    blob: bytes
    at: dt.datetime
    day: dt.date
    clock: dt.time
    ident: uuid.UUID
    mood: Mood
    rank: Rank
    choice: Literal["a", "b", 7]
    maybe: int | None = None
    either: int | str = 0
    number: int | float = 0
    points: list[Point] = []
    pair: tuple[int, str] = (0, "")
    many: tuple[Decimal, ...] = ()
    names: set[str] = set()
    scores: frozenset[int] = frozenset()
    amounts: set[Decimal] = msgspec.field(default_factory=lambda: {Decimal(1)})
    blobs: set[bytes] | None = None
    moods: set[Mood] = set()
    days: set[dt.date] = set()
    table: dict[str, list[int]] = {}
    by_rank: dict[int, str] = {}
    shape: Circle | Square | None = None
    shapes: list[Circle | Square] = []
    anything: Any = None
    nested: dict[str, dict[str, set[str]]] = {}
