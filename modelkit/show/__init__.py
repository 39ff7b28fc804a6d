"""``show``: the table as a person reads it (indexes, entities, examples, patterns)."""

from modelkit.schema import TableDesign
from modelkit.show._render import FORMATS, Format, render
from modelkit.show._view import key_condition_text, pattern_view, table_view


def show(design: TableDesign, fmt: Format = "text", width: int = 120) -> str:
    """The design rendered as ``text``, ``markdown`` or ``json``."""
    return render(table_view(design), fmt, width)


__all__ = [
    "FORMATS",
    "Format",
    "key_condition_text",
    "pattern_view",
    "render",
    "show",
    "table_view",
]
