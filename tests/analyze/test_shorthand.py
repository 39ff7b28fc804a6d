"""The distribution shorthand: every accepted form, the number spellings, errors that list the
accepted forms, impossible parameters, and the round trip with ``describe``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelkit.analyze._distributions import (
    Constant,
    Distribution,
    Hotspot,
    Latest,
    Sample,
    Sequential,
    Uniform,
    Unique,
    Weighted,
    Zipf,
    describe,
)
from modelkit.analyze._shorthand import (
    ShorthandError,
    distribution_problem,
    parse_distribution,
    shorthand_fields,
)

FORMS: list[tuple[str, Distribution]] = [
    ("uniform(1e6)", Uniform(n=1e6)),
    ("zipf(1000000)", Zipf(n=1e6)),
    ("zipf(1e9, 0.99)", Zipf(n=1e9, s=0.99)),
    ("hotspot(1e6, 0.2, 0.8)", Hotspot(n=1e6, hot_fraction=0.2, hot_share=0.8)),
    ("hotspot(1e6)", Hotspot(n=1e6)),
    ("latest(1e6)", Latest(n=1e6)),
    ("latest(1e6, 1.2)", Latest(n=1e6, s=1.2)),
    ("sequential", Sequential()),
    ("sequential(365)", Sequential(n=365)),
    ("constant", Constant()),
    ("constant(PAID)", Constant(value="PAID")),
    ("unique", Unique()),
    ("file(ids.txt)", Sample(path="ids.txt")),
    ("weighted(PLACED=5, PAID=3)", Weighted(values={"PLACED": 5, "PAID": 3})),
]


@pytest.mark.parametrize(("text", "expected"), FORMS, ids=[t for t, _ in FORMS])
def test_every_form(text: str, expected: Distribution) -> None:
    assert parse_distribution(text) == expected


@pytest.mark.parametrize("number", ["1e6", "1_000_000", "1000000", "1000000.0", "1E+6"])
def test_number_spellings(number: str) -> None:
    assert parse_distribution(f"zipf({number})") == Zipf(n=1_000_000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Zipf ( 1e6 , 0.8 ) ", Zipf(n=1e6, s=0.8)),
        ("zipf(n=1e6, s=0.5)", Zipf(n=1e6, s=0.5)),
        ("zipf(1e6, s=0.5)", Zipf(n=1e6, s=0.5)),
        ("hotspot(1e4, hot_share=0.9)", Hotspot(n=1e4, hot_share=0.9)),
        ("sequential()", Sequential()),
        ("unique()", Unique()),
        ("constant('SHIPPED')", Constant(value="SHIPPED")),
        ('file("data/ids.txt")', Sample(path="data/ids.txt")),
        ("weighted(a=1,b=0)", Weighted(values={"a": 1, "b": 0})),
        ("weighted('in transit'=2, done=1)", Weighted(values={"in transit": 2, "done": 1})),
    ],
)
def test_lenient_spellings(text: str, expected: Distribution) -> None:
    assert parse_distribution(text) == expected


def test_fields_are_the_table_form() -> None:
    assert shorthand_fields("zipf(1e6)") == {"dist": "zipf", "n": 1e6}
    assert shorthand_fields("constant(X)") == {"dist": "constant", "value": "X"}
    assert shorthand_fields("weighted(A=1)") == {"dist": "weighted", "values": {"A": 1.0}}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("zipff(1e6)", "did you mean 'zipf'"),
        ("zipf", "needs at least N"),
        ("zipf()", "needs at least N"),
        ("zipf(1e6", "not a distribution"),
        ("zipf(abc)", "'abc' is not a number"),
        ("zipf(inf)", "'inf' is not a number"),
        ("zipf(1, 2, 3)", "at most 2 argument"),
        ("zipf(n=1, 2)", "positional argument cannot follow"),
        ("zipf(q=1)", "no parameter 'q'"),
        ("zipf(1, n=2)", "n is given twice"),
        ("hotspot(s=3)", "no parameter 's'"),
        ("unique(3)", "takes no arguments"),
        ("file", "needs a path"),
        ("weighted", "needs values with weights"),
        ("weighted(A)", "is not VALUE=WEIGHT"),
        ("weighted(A=x)", "'x' is not a number"),
        ("weighted(A=1, A=2)", "'A' is given twice"),
        ("", "not a distribution"),
        ("42", "not a distribution"),
    ],
)
def test_syntax_errors_list_the_forms(text: str, reason: str) -> None:
    with pytest.raises(ShorthandError) as caught:
        parse_distribution(text)
    message = str(caught.value)
    assert reason in message
    assert "accepted forms: uniform(N), zipf(N)" in message
    assert "weighted(A=5, B=3, ...)" in message
    assert "1e6, 1_000_000 or 1000000" in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("uniform(0)", "n (the number of values) must be at least 1, got 0"),
        ("zipf(-5)", "must be at least 1, got -5"),
        ("zipf(1e6, 0)", "s must be greater than 0"),
        ("latest(10, -1)", "s must be greater than 0"),
        ("sequential(0.5)", "must be at least 1"),
        ("hotspot(100, 0)", "hot_fraction"),
        ("hotspot(100, 1)", "hot_fraction"),
        ("hotspot(100, 0.2, 0)", "hot_share"),
        ("hotspot(100, 0.2, 1.5)", "hot_share"),
        ("weighted(A=-1, B=2)", "weights must be 0 or more; 'A' has -1"),
        ("weighted(A=0, B=0)", "all zero"),
    ],
)
def test_impossible_parameters(text: str, reason: str) -> None:
    with pytest.raises(ShorthandError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_distribution(text)


def test_hot_share_of_one_is_allowed() -> None:
    assert parse_distribution("hotspot(100, 0.1, 1)") == Hotspot(100, 0.1, 1.0)


def test_problem_of_table_forms() -> None:
    assert distribution_problem(Zipf(n=10)) == ""
    assert distribution_problem(Weighted(values={})).startswith("weighted needs")
    assert "at least 1" in distribution_problem(Latest(n=0))
    assert distribution_problem(Sample(path=" ")) == "file needs a path: file(ids.txt)"
    assert distribution_problem(Unique()) == ""
    assert distribution_problem(Constant()) == ""


@pytest.mark.parametrize(("text", "dist"), FORMS, ids=[t for t, _ in FORMS])
def test_describe_round_trips(text: str, dist: Distribution) -> None:
    assert parse_distribution(describe(dist)) == dist


_counts = st.integers(min_value=1, max_value=10**12).map(float)
_shares = st.integers(min_value=1, max_value=99).map(lambda k: k / 100)
_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}", fullmatch=True)
_distributions = st.one_of(
    st.builds(Uniform, n=_counts),
    st.builds(Zipf, n=_counts, s=st.integers(1, 199).map(lambda k: k / 100)),
    st.builds(Hotspot, n=_counts, hot_fraction=_shares, hot_share=_shares),
    st.builds(Latest, n=_counts, s=_shares),
    st.builds(Sequential, n=_counts),
    st.builds(Constant, value=_names),
    st.builds(Unique),
    st.builds(Sample, path=_names.map(lambda n: n + ".txt")),
    st.builds(
        Weighted,
        values=st.dictionaries(_names, st.integers(1, 1000).map(float), min_size=1, max_size=5),
    ),
)


@given(_distributions)
def test_describe_round_trips_any(dist: Distribution) -> None:
    assert parse_distribution(describe(dist)) == dist
