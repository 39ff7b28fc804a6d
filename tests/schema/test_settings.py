"""compile() refuses table and index settings DynamoDB would refuse, naming the field and
the file and line, and its messages say what to write instead."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from modelkit import Index, Key, Provisioned, Table
from modelkit.schema import SchemaErrors

HERE = f"tests/schema/{Path(__file__).name}"
ROOT = Path(__file__).resolve().parents[2]


def problems_of(table: Table) -> list[str]:
    @table.entity(key=Key(pk="E#{x}", sk="E"))
    class E(msgspec.Struct):
        x: str

    with pytest.raises(SchemaErrors) as caught:
        table.compile()
    return [str(p) for p in caught.value.problems]


def table_line(table: Table) -> str:
    return f"{HERE}:{table.line}: table {table.name!r}"


def test_a_projection_kind_dynamodb_does_not_know() -> None:
    t = Table("proj", indexes=[Index.gsi("GSI1", pk="G1PK", projection="KEYS")])  # type: ignore[arg-type]
    assert problems_of(t) == [
        f"{table_line(t)}, index GSI1: projection 'KEYS' is not a projection "
        "(use one of ALL, KEYS_ONLY, INCLUDE)"
    ]


def test_include_with_a_keys_only_projection() -> None:
    gsi = Index.lsi("LSI1", sk="L1SK", projection="KEYS_ONLY", include=["x"])
    t = Table("incl", indexes=[gsi])
    assert problems_of(t) == [
        f"{table_line(t)}, index LSI1: include=['x'] is given with projection 'KEYS_ONLY', "
        "which projects no listed attributes (use projection='INCLUDE', or drop include=)"
    ]


@pytest.mark.parametrize("kind", ["ALL", "INCLUDE"])
def test_include_with_all_or_include_means_include(kind: Any) -> None:
    t = Table("incl_ok", indexes=[Index.gsi("GSI1", pk="G1PK", projection=kind, include=["x"])])

    @t.entity(key=Key(pk="E#{x}", sk="E"))
    class E(msgspec.Struct):
        x: str

    projection = t.compile().index("GSI1").projection
    assert (projection.kind, projection.attributes) == ("INCLUDE", ("x",))


def test_a_stream_view_dynamodb_does_not_know() -> None:
    t = Table("streamy", stream="NEW")  # type: ignore[arg-type]
    assert problems_of(t) == [
        f"{table_line(t)}: stream 'NEW' is not a stream view "
        "(use one of NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY)"
    ]


@pytest.mark.parametrize(("rcu", "wcu", "bad"), [(0, 5, "rcu is 0"), (5, -2, "wcu is -2")])
def test_provisioned_table_capacity_must_be_at_least_one(rcu: int, wcu: int, bad: str) -> None:
    t = Table("prov", billing=Provisioned(rcu=rcu, wcu=wcu))
    assert problems_of(t) == [
        f"{table_line(t)}: billing Provisioned.{bad} "
        "(provisioned capacity is a whole number of units, at least 1)"
    ]


def test_provisioned_gsi_capacity_must_be_at_least_one() -> None:
    gsi = Index.gsi("GSI1", pk="G1PK", capacity=Provisioned(rcu=0, wcu=0))
    t = Table("gsi_prov", indexes=[gsi])
    assert problems_of(t) == [
        f"{table_line(t)}, index GSI1: capacity Provisioned.{name} is 0 "
        "(provisioned capacity is a whole number of units, at least 1)"
        for name in ("rcu", "wcu")
    ]


def test_two_indexes_with_one_name_read_as_english() -> None:
    t = Table("dup", indexes=[Index.gsi("G", pk="A"), Index.gsi("G", pk="B")])
    assert problems_of(t) == [f"{table_line(t)}: two indexes are named 'G'"]


@pytest.mark.parametrize(
    ("template", "problem", "hint"),
    [
        ("A#{x", "segment '{x' of 'A#{x' has an unbalanced brace", "write 'A#{x}'"),
        ("A#x}", "segment 'x}' of 'A#x}' has an unbalanced brace", "write 'A#{x}'"),
        (
            "ORDER{x#B",
            "segment 'ORDER{x' of 'ORDER{x#B' has an unbalanced brace",
            "write 'ORDER#{x}#B'",
        ),
        ("A#{{x}", "segment '{{x}' of 'A#{{x}' has an unbalanced brace", "write 'A#{x}'"),
        (
            "A#}{",
            "segment '}{' of 'A#}{' has an unbalanced brace",
            "write each field as {name} in a segment of its own, between '#'",
        ),
    ],
)
def test_brace_errors_show_the_whole_template_repaired(
    template: str, problem: str, hint: str
) -> None:
    t = Table("braces")

    @t.entity(key=Key(pk=template, sk="S"))
    class E(msgspec.Struct):
        x: str

    with pytest.raises(SchemaErrors) as caught:
        t.compile()
    (found,) = caught.value.problems
    assert (found.message, found.hint) == (problem, hint)
    assert found.where.startswith(f"{HERE}:") and found.where.endswith(f"pk {template!r}")


BAD_SCHEMA = """
import msgspec
from modelkit import Index, Key, Provisioned, Table

t = Table(
    "bad_settings",
    indexes=[Index.gsi("GSI1", pk="G1PK", projection="KEYS_ONLY", include=["x"])],
    stream="NEW",
    billing=Provisioned(rcu=0, wcu=1),
)

@t.entity(key=Key(pk="E#{x}", sk="E"))
class E(msgspec.Struct):
    x: str
"""


def test_modelkit_check_reports_each_setting_with_file_and_line(tmp_path: Path) -> None:
    schema = tmp_path / "bad_settings.py"
    schema.write_text(BAD_SCHEMA)
    result = subprocess.run(
        [sys.executable, "-m", "modelkit", "check", str(schema), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert {(f["code"], f["where"], f["message"]) for f in findings} == {
        ("schema", f"{schema}:5", "table 'bad_settings': stream 'NEW' is not a stream view"),
        ("schema", f"{schema}:5", "table 'bad_settings': billing Provisioned.rcu is 0"),
        (
            "schema",
            f"{schema}:5",
            "table 'bad_settings', index GSI1: include=['x'] is given with projection "
            "'KEYS_ONLY', which projects no listed attributes",
        ),
    }
