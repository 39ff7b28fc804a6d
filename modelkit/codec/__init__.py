"""msgspec Structs ⇄ DynamoDB AttributeValue maps: the hot path of every read and write.

``item_codec(Order).encode(order)`` gives ``{"total": {"N": "12.50"}, ...}`` and ``.decode``
reads it back; ``encode_value`` / ``decode_value`` do the same for one value. Per-Struct
functions are generated once (straight-line code, msgspec for datetimes and UUIDs).

How values are stored:

* str: S, refused if it holds a lone surrogate (not valid UTF-8). bool: BOOL. bytes: B.
* int, float, Decimal: N, exact. A float is written as its shortest round-tripping repr
  (``0.1`` → ``"0.1"``); NaN and infinities are refused; numbers outside DynamoDB's range
  (38 significant digits, magnitudes 1E-130 … 9.99E+125) are refused.
* datetime: S, ISO 8601. Aware datetimes are converted to UTC and written with ``Z`` and six
  fraction digits (``2024-05-01T12:30:05.000000Z``), so stored strings sort as instants; they
  read back as UTC datetimes, equal to the originals (a wall time made ambiguous by a DST
  change keeps its instant, but PEP 495 makes it unequal to datetimes of other zones). Naive
  ones are written the same way without ``Z`` and read back naive. date, time, UUID: S.
* Enum and Literal: by value (S or N). list and tuple: L. dict[str, X]: M. Struct: M (a
  tagged union's tag field included). set / frozenset of str, numbers or bytes: SS, NS, BS,
  sorted.
* None: a field whose default is ``None`` is left out of the item when it is ``None`` (it
  reads back as ``None``; sparse indexes rely on absent attributes); any other ``None`` is
  written as NULL. A missing attribute reads as the field's default.
* Empty sets, which DynamoDB refuses: left out when absence reads back as an empty set (a set
  field with no default or an empty one, DynamoDB's own meaning of a set whose last element was
  deleted); elsewhere (in a list or map, beside a non-empty default, in ``set[X] | None``)
  written as an empty list ``{"L": []}``, which reads back as an empty set.
* ``Any`` and ``encode_value(v)`` without a type: by the runtime type; read back without a
  type, N is an int or a Decimal, L a list, SS/NS/BS a set.

Decoding ignores attributes the Struct does not declare (keys, the type attribute, others).
Writes check msgspec ``Meta`` constraints (bounds, lengths, patterns, tz); reads trust them.
A refused value raises :class:`~modelkit.errors.ValidationError` naming its path
(``Order.lines[2].price: ...``); a field type DynamoDB cannot hold raises
:class:`~modelkit.errors.SchemaError` when the codec is built.
DynamoDB keeps numbers, not their text: ``Decimal("1.10")`` reads back as ``Decimal("1.1")``
(equal), and in an ``int | float`` union an integral float reads back as an int (equal at
float precision).
"""

from modelkit.codec._item import Item, ItemCodec, decode_value, encode_value, item_codec
from modelkit.codec._shape import AttributeValue

__all__ = ["AttributeValue", "Item", "ItemCodec", "decode_value", "encode_value", "item_codec"]
