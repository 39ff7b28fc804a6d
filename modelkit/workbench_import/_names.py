"""Python names for attributes, fields and entities."""

from __future__ import annotations

import keyword
import re

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def snake(name: str) -> str:
    """``customerId`` → ``customer_id``, ``GSI1-PK`` → ``gsi1_pk``, ``State#Date`` →
    ``state_date``; never a keyword, never starting with a digit."""
    words = [w.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for w in _WORDS.findall(part)]
    text = "_".join(words) or "value"
    text = re.sub(r"(?<=[a-z])_(?=\d)", "", text)
    if text[0].isdigit():
        text = f"f_{text}"
    return f"{text}_" if keyword.iskeyword(text) else text


def pascal(name: str) -> str:
    """``warehouseItem`` → ``WarehouseItem``, ``order-line`` → ``OrderLine``."""
    words = [w for part in re.split(r"[^A-Za-z0-9]+", name) for w in _WORDS.findall(part)]
    text = "".join(
        w[:1].upper() + w[1:].lower() if w.isupper() else w[:1].upper() + w[1:] for w in words
    )
    if not text:
        return "Item"
    return f"E{text}" if text[0].isdigit() else text
