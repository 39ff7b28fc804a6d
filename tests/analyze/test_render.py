"""The report rendered as text, Markdown and PNG shows the report's own numbers."""

from __future__ import annotations

import re
import struct
import sys
from pathlib import Path

import msgspec
import pytest

from modelkit.analyze import _report
from modelkit.analyze._format import fraction, money, number, pct, size_bytes
from modelkit.analyze._plot import figure_pixels, plot
from modelkit.analyze._render_markdown import render_markdown
from modelkit.analyze._render_text import render_text
from modelkit.analyze._report import Report
from modelkit.errors import ModelkitError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "analyze-json.md"
EVERYWHERE = [
    "42/100 D",
    "88/100 B",
    "throttles whatever DynamoDB does",
    "throttles until a split",
    "PRODUCT#{product_id=#1}",
    "STATUS#{status=PLACED}",
    "CUSTOMER#{customer_id=#1}",
    "EMAIL#{email=#1}",
    "118%",
    "145%",
    "12.7%",
    "-40%",
    "1,050,000",
    "20,000,000",
    "~1.7 KB",
    "$8,416.39",
    "$6,858.28",
    "$5,420.07",
    "$2,934.68",
    "$5,456.66",
    "provisioned + auto scaling (cheaper)",
    "28.9%",
    "38.3%",
    "20,000 RCU and 5,197 WCU",
    "prices of 2024-11-01, us-east-1",
    "replicas in eu-west-1",
    "winner: schemas/shop_v2.py: it never throttles, and costs $2,959.73 a month less",
    "write-sharding",
    "status-to-sort-key",
    "busiest 14:00",
    "orders by status: a page reads 25 items of 1.7 KB (limit 25)",
]


@pytest.mark.parametrize(
    ("value", "text"),
    [(12345.6, "12,346"), (12.34, "12.3"), (2.0, "2"), (0.25, "0.25"), (0.0, "0"), (-0.001, "0")],
)
def test_numbers_read_with_separators_and_few_decimals(value: float, text: str) -> None:
    assert number(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        *[(145.0, "145%"), (1234.4, "1,234%"), (12.666, "12.7%"), (30.0, "30%"), (0.0, "0%")],
        *[(0.003, "<0.1%"), (-40.0, "-40%"), (99.97, "100%")],
    ],
)
def test_percentages_carry_at_most_one_decimal(value: float, text: str) -> None:
    assert pct(value) == text


def test_money_fractions_and_sizes() -> None:
    assert money(1234.5) == "$1,234.50"
    assert money(-36.594) == "-$36.59"
    assert fraction(0.2888) == "28.9%"
    assert (size_bytes(900), size_bytes(1740)) == ("900 B", "1.7 KB")


def test_text_shows_the_reports_values(report: Report) -> None:
    text = render_text(report, width=250)
    for value in EVERYWHERE:
        assert value in text, value
    assert "\x1b[" not in text
    # the ranking comes first, then each table with its score and reasons
    assert text.index("ranking") < text.index("table shop (schema schemas/shop.py")
    assert text.index("schemas/shop.py,") < text.index("table shop (schema schemas/shop_v2.py")
    assert "  - GSI1: STATUS#{status=PLACED} takes 145% of a partition's write limit" in text
    assert "  STATUS#{status=PLACED}: 145% of the write limit on a key whose sort key" in text


def test_text_fits_the_width_and_colours_on_request(report: Report) -> None:
    text = render_text(report)
    assert max(len(line) for line in text.splitlines()) <= 120
    assert all(line == line.rstrip() for line in text.splitlines())
    narrow = render_text(report, width=80)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    coloured = render_text(report, color=True)
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured).split() == text.split()


def test_text_without_comparison_starts_with_the_table(report: Report) -> None:
    text = render_text(msgspec.structs.replace(report, comparison=None))
    assert text.startswith("table shop (schema schemas/shop.py")
    assert "ranking" not in text and "winner" not in text


def _md_tables(markdown: str) -> dict[str, list[list[str]]]:
    """Each pipe table under its heading (the last one wins), as rows of cells."""
    tables: dict[str, list[list[str]]] = {}
    heading = ""
    for line in markdown.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("# ")
            tables[heading] = []
        elif line.startswith("|") and not re.fullmatch(r"\|(-{3}:?\|)+", line):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            tables[heading].append([c.strip() for c in cells])
    return tables


def test_markdown_shows_the_reports_values_in_tables(report: Report) -> None:
    markdown = render_markdown(report)
    for value in EVERYWHERE:
        assert value.replace("<", "\\<") in markdown, value
    tables = _md_tables(markdown)
    assert len(tables["Comparison"]) == 3
    winner = ["1", "`schemas/shop_v2.py`", "shop", "88/100 B", "safe", "$5,456.66"]
    assert tables["Comparison"][1][:6] == winner
    head = "Table `shop` (schemas/shop.py), score 42/100 D: throttles whatever DynamoDB does"
    assert head in tables
    assert [len(tables[h]) for h in ("Hottest keys", "Hot partitions", "Patterns")] == [5, 3, 4]
    assert [len(tables[h]) for h in ("Entities", "Fixes", "Cost")] == [3, 5, 6]
    # the last "Indexes" and "Cost" are shop_v2's
    assert [row[0] for row in tables["Indexes"]] == ["index", "primary", "GSI1"]
    assert tables["Cost"][0][1] == "on-demand (cheaper)"
    assert tables["Cost"][-1] == ["total", "$5,456.66", "$5,456.66", "$5,456.66"]


def test_markdown_is_deterministic_and_escapes_cells(report: Report) -> None:
    assert render_markdown(report) == render_markdown(report)
    shop = report.tables[0]
    primary = shop.indexes[0]
    key = msgspec.structs.replace(primary.hot_keys[0], key="A|B#{x=*1}", reason="<b> | *x*")
    odd = msgspec.structs.replace(primary, hot_keys=(key,))
    table = msgspec.structs.replace(shop, indexes=(odd,))
    markdown = render_markdown(msgspec.structs.replace(report, tables=(table,)))
    assert "| `A\\|B#{x=*1}` |" in markdown
    assert "| \\<b> \\| \\*x\\* |" in markdown
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_plot_writes_a_png_of_the_documented_size(report: Report, tmp_path: Path) -> None:
    out = tmp_path / "report.png"
    plot(report, out)
    # two columns of 600 x 400 panels: shop has 3 indexes and a timeline (2 rows), shop_v2 has
    # 2 indexes (1 row)
    assert _png_size(out) == figure_pixels(report) == (1200, 1200)
    assert 20_000 < out.stat().st_size < 3_000_000


def test_plot_without_timeline(report: Report, tmp_path: Path) -> None:
    shop = msgspec.structs.replace(report.tables[0], timeline=())
    out = tmp_path / "no-timeline.png"
    plot(Report(tables=(shop,)), out)
    assert _png_size(out) == (1200, 800)
    out = tmp_path / "v2.png"
    plot(Report(tables=(report.tables[1],)), out)
    assert _png_size(out) == (1200, 400)


def test_plot_panels_label_hot_partitions_and_go_log_past_200(report: Report) -> None:
    from matplotlib.figure import Figure

    from modelkit.analyze._plot import _partitions

    shop, shop_v2 = report.tables
    ax = Figure().subplots()
    _partitions(ax, shop.indexes[0])
    assert [t.get_text() for t in ax.texts] == ["PRODUCT#{product_id=#1}"]
    assert ax.get_xscale() == "linear"
    ax = Figure().subplots()
    _partitions(ax, shop_v2.indexes[0])
    assert ax.get_xscale() == "log"
    empty = msgspec.structs.replace(shop.indexes[2], partition_loads=(), hot_partitions=())
    ax = Figure().subplots()
    _partitions(ax, empty)
    assert [t.get_text() for t in ax.texts] == ["no partition loads"]


def test_plot_without_matplotlib_says_what_to_install(
    report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(
        ModelkitError, match=r"--plot needs matplotlib: pip install 'modelkit\[plot\]'"
    ):
        plot(report, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_json_round_trips_and_docs_name_every_field(report: Report) -> None:
    encoded = msgspec.json.encode(report)
    assert msgspec.json.decode(encoded, type=Report) == report
    assert msgspec.json.decode(encoded)["format"] == "modelkit.analyze/1"
    docs = DOCS.read_text()
    assert "modelkit.analyze/1" in docs
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^### |\Z)", docs, flags=re.S | re.M))
    structs = [
        v
        for v in vars(_report).values()
        if isinstance(v, type) and issubclass(v, msgspec.Struct) and v is not msgspec.Struct
    ]
    assert {s.__name__ for s in structs} == set(sections)
    for struct_type in structs:
        documented = re.findall(r"^\| `(\w+)` \|", sections[struct_type.__name__], flags=re.M)
        fields = [f.name for f in msgspec.structs.fields(struct_type)]
        assert documented == fields, struct_type.__name__
