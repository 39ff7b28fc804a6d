"""Template syntax errors from ``KeyTemplate.parse`` itself (``compile()`` reports them with
file and line; see tests/schema/test_compile.py)."""

from __future__ import annotations

import pytest

from modelkit.keys import KeyTemplate, TemplateSyntaxError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A#{x", "segment '{x' of 'A#{x' has an unbalanced brace"),
        ("A#x}", "segment 'x}' of 'A#x}' has an unbalanced brace"),
        (
            "ORDER{id}",
            "segment 'ORDER{id}' of 'ORDER{id}' mixes fixed text and a field; put each field "
            "in a segment of its own, separated by '#' (for example 'ORDER#{id}')",
        ),
        ("A##{x}", "'A##{x}' has an empty segment ('##' or a '#' at an end)"),
    ],
)
def test_syntax_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(TemplateSyntaxError) as raised:
        KeyTemplate.parse(text)
    assert str(raised.value) == message


def test_a_good_template_parses_into_its_segments() -> None:
    template = KeyTemplate.parse("ORDER#{order_id}")
    assert template.fields == ("order_id",)
