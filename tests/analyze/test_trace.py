"""Reading traces: counts against exact ones, both formats alike, what writes touch, errors
naming file and line, gzip, streams and parallel workers."""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from modelkit.analyze import _trace_count, _trace_pool
from modelkit.analyze._trace import read_trace, read_trace_chunks
from modelkit.errors import LoadError
from modelkit.schema import load_design

DESIGN = load_design(str(Path(__file__).resolve().parents[2] / "schemas" / "ecommerce.py"))
CUSTOMER = "CUSTOMER#{customer_id}"
ORDER_SK = "ORDER#{placed_at}#{order_id}"
COLUMNS = ["time", "pattern", "op", "entity", "customer_id", "order_id", "placed_at",
           "ship_shard", "ship_by", "email"]  # fmt: skip
T0 = 1795687200  # 2026-11-26T10:00:00Z


def _iso(seconds: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _rows(n: int = 3000, seed: int = 1) -> list[dict[str, Any]]:
    """Reads of 'customer by id' and 'customer by email', Order puts (some shipping)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        when = _iso(T0 + i * 0.1)
        customer = f"c-{int(rng.paretovariate(1.2)) % 400}"
        if i % 7 == 0:
            keys: dict[str, Any] = {"customer_id": customer, "order_id": f"o-{i}",
                                    "placed_at": "2026-11-26T09:00:00Z"}  # fmt: skip
            if i % 2:
                keys |= {"ship_shard": i % 4, "ship_by": "2026-11-28"}
            rows.append({"time": when, "op": "put", "entity": "Order", "keys": keys})
        elif i % 11 == 0:
            rows.append({"time": when, "pattern": "customer by email",
                         "keys": {"email": f"{customer}@x.org"}})  # fmt: skip
        else:
            rows.append(
                {"time": when, "pattern": "customer by id", "keys": {"customer_id": customer}}
            )
    return rows


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def _csv(rows: list[dict[str, Any]]) -> bytes:
    lines = [",".join(COLUMNS)]
    for r in rows:
        cells = {**r.get("keys", {}), **{k: v for k, v in r.items() if k != "keys"}}
        lines.append(",".join(str(cells.get(c, "")) for c in COLUMNS))
    return ("\n".join(lines) + "\n").encode()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def _comparable(summary: Any) -> dict[str, Any]:
    return {k: vars(r) for k, r in summary.requests.items()} | {"rows": summary.rows,
            "first": summary.first, "last": summary.last}  # fmt: skip


def test_counts_equal_exact_counts(tmp_path: Path) -> None:
    rows = _rows()
    summary = read_trace(_write(tmp_path, "t.jsonl", _jsonl(rows)), DESIGN)
    reads = [r["keys"]["customer_id"] for r in rows if r.get("pattern") == "customer by id"]
    by_id = summary.requests["customer by id"]
    assert (by_id.count, by_id.op, by_id.index) == (len(reads), "get", "primary")
    part = by_id.partitions["primary"]
    assert part.heavy == {(CUSTOMER, k): c for k, c in Counter(reads).items()}
    assert (part.total, part.error, part.distinct) == (len(reads), 0, len(set(reads)))
    assert by_id.items["primary"].heavy == {
        (CUSTOMER, "PROFILE", k): c for k, c in Counter(reads).items()
    }
    emails = Counter(r["keys"]["email"] for r in rows if r.get("pattern") == "customer by email")
    assert summary.requests["customer by email"].partitions["GSI1"].heavy == {
        ("EMAIL#{email}", k): c for k, c in emails.items()
    }
    assert summary.rows == len(rows)
    assert summary.first == pytest.approx(T0) and summary.last == pytest.approx(T0 + 299.9)
    minutes = Counter(
        (T0 + i * 0.1) // 60 for i, r in enumerate(rows) if r.get("pattern") == "customer by id"
    )
    assert by_id.per_minute == dict(minutes)


def test_writes_touch_the_table_and_indexes_that_have_their_fields(tmp_path: Path) -> None:
    rows = _rows()
    puts = [r["keys"] for r in rows if r.get("op") == "put"]
    summary = read_trace(_write(tmp_path, "t.jsonl", _jsonl(rows)), DESIGN)
    put = summary.requests["put Order"]
    assert (put.count, put.op, put.entity, put.pattern) == (len(puts), "put", "Order", None)
    assert set(put.partitions) == {"primary", "GSI1", "GSI2"}
    assert put.partitions["primary"].total == len(puts)
    assert put.partitions["GSI1"].total == len(puts)
    shipping = [k for k in puts if "ship_shard" in k]
    assert 0 < len(shipping) < len(puts)
    assert put.partitions["GSI2"].heavy == {
        ("TO_SHIP#{ship_shard}", str(s)): c
        for s, c in Counter(k["ship_shard"] for k in shipping).items()
    }
    # a put writes a new item each time: items are not counted (each would count once),
    # except where the sort key is fixed and an item is its partition key value
    assert "primary" not in put.items and "GSI2" not in put.items
    assert put.items["GSI1"].heavy == {
        ("ORDER#{order_id}", "ORDER", k["order_id"]): 1 for k in puts
    }


def test_csv_and_jsonl_give_the_same_summary(tmp_path: Path) -> None:
    rows = _rows()
    from_jsonl = read_trace(_write(tmp_path, "t.ndjson", _jsonl(rows)), DESIGN)
    from_csv = read_trace(_write(tmp_path, "t.csv", _csv(rows)), DESIGN)
    assert _comparable(from_jsonl) == _comparable(from_csv)


def test_gzip_files_read_like_plain_ones(tmp_path: Path) -> None:
    rows = _rows(500)
    plain = read_trace(_write(tmp_path, "t.jsonl", _jsonl(rows)), DESIGN)
    for name, data in (("t.jsonl.gz", _jsonl(rows)), ("t.csv.gz", _csv(rows))):
        assert _comparable(read_trace(_write(tmp_path, name, data), DESIGN)) == _comparable(plain)


def test_workers_and_chunks_give_the_same_summary(tmp_path: Path) -> None:
    rows = _rows(6000)
    path = _write(tmp_path, "t.jsonl", _jsonl(rows))
    whole = read_trace(path, DESIGN, workers=1)
    seen: list[int] = []
    split = read_trace(path, DESIGN, chunk_rows=700, workers=2, progress=seen.append)
    assert _comparable(split) == _comparable(whole)
    assert seen[-1] == len(rows) and seen == sorted(seen)


@pytest.mark.parametrize("name", ["t.jsonl.gz", "t.csv"])
def test_workers_fed_through_pipes_give_the_same_summary(tmp_path: Path, name: str) -> None:
    rows = _rows(5000)
    data = _csv(rows) if name.endswith(".csv") else _jsonl(rows)
    path = _write(tmp_path, name, data)
    whole = _comparable(read_trace(path, DESIGN, workers=1))
    lines = data.splitlines(keepends=True)
    chunks = [b"".join(lines[i : i + 900]) for i in range(0, len(lines), 900)]
    fmt = "csv" if name.endswith(".csv") else "jsonl"
    assert _comparable(read_trace_chunks(chunks, DESIGN, format=fmt, workers=2)) == whole
    if name.endswith(".gz"):
        assert _comparable(read_trace(path, DESIGN, chunk_rows=600, workers=2)) == whole


def test_stream_of_chunks(tmp_path: Path) -> None:
    rows = _rows(800)
    data = _csv(rows)
    lines = data.splitlines(keepends=True)
    chunks = [b"".join(lines[i : i + 100]) for i in range(0, len(lines), 100)]
    streamed = read_trace_chunks(chunks, DESIGN, format="csv", workers=1)
    assert streamed.source == "<stream>"
    assert _comparable(streamed) == _comparable(read_trace(_write(tmp_path, "t.csv", data), DESIGN))


def test_times_as_epoch_or_with_offsets_and_blank_or_crlf_lines(tmp_path: Path) -> None:
    read = '"pattern": "customer by id", "keys": {"customer_id": '
    text = (
        f'{{"time": 1795687230.5, {read}"a"}}}}\r\n'
        "\n"
        f'{{"time": "2026-11-26T12:01:00+02:00", {read}7}}}}\n'
        f'{{"time": "2026-11-26T10:02:00", {read}"a", "x": [1]}}}}'
    )
    summary = read_trace(_write(tmp_path, "t.jsonl", text.encode()), DESIGN)
    by_id = summary.requests["customer by id"]
    assert by_id.per_minute == {T0 // 60: 1, T0 // 60 + 1: 1, T0 // 60 + 2: 1}
    assert (by_id.first, by_id.last) == (T0 + 30.5, T0 + 120)
    assert by_id.partitions["primary"].heavy == {(CUSTOMER, "a"): 2, (CUSTOMER, "7"): 1}


def test_scans_count_only_in_totals_and_patterns_may_name_their_entity(tmp_path: Path) -> None:
    keys = {"customer_id": "c", "order_id": "o", "placed_at": "p", "line_no": 1}
    rows = [
        {"time": T0, "op": "scan", "entity": "Order"},
        {"time": T0, "pattern": "place order", "entity": "OrderLine", "keys": keys},
        {"time": T0, "pattern": "place order", "keys": keys},
    ]
    summary = read_trace(_write(tmp_path, "t.jsonl", _jsonl(rows)), DESIGN)
    scan = summary.requests["scan Order"]
    assert (scan.count, scan.partitions, scan.items) == (1, {}, {})
    lines = summary.requests["place order (OrderLine)"]
    assert (lines.entity, lines.op, lines.pattern) == ("OrderLine", "transaction", "place order")
    assert lines.partitions["GSI1"].heavy == {("ORDER#{order_id}", "o"): 1}
    assert "GSI1" not in lines.items  # a transaction writes new items: not counted one by one
    assert set(summary.requests["place order"].partitions) == {"primary", "GSI1"}  # no ship_shard


def test_empty_trace(tmp_path: Path) -> None:
    summary = read_trace(_write(tmp_path, "t.csv", b""), DESIGN)
    assert (summary.rows, summary.requests) == (0, {})


GOOD = '{"time": "2026-11-26T10:00:00Z", "pattern": "customer by id", "keys": {"customer_id": "a"}}'
BAD_JSONL = [
    ('{"time": "2026-11-26T10:00:00Z", "pattern": ', "bad JSON"),
    ('{"time": "2026-11-26T10:00:00Z", "pattern": "nope"}', "unknown pattern 'nope'"),
    ('{"time": "2026-11-26T10:00:00Z", "op": "upsert", "entity": "Order"}', "unknown op 'upsert'"),
    ('{"time": "2026-11-26T10:00:00Z", "op": "put", "entity": "Nope"}', "unknown entity 'Nope'"),
    ('{"time": "2026-11-26T10:00:00Z", "pattern": "customer by id", "entity": "Order",'
     ' "keys": {"customer_id": "a"}}', "entity 'Order' is not one of"),
    ('{"pattern": "customer by id", "keys": {"customer_id": "a"}}', "missing time"),
    ('{"time": "yesterday", "pattern": "customer by id", "keys": {"customer_id": "a"}}',
     "bad time"),
    ('{"time": "2026-13-01T10:00:00Z", "pattern": "customer by id", "keys": {"customer_id": "a"}}',
     "bad time"),
    ('{"time": "2026-11-26T10:00:00Z", "pattern": "customer by id", "keys": {"email": "a"}}',
     "no customer_id"),
    ('{"time": "2026-11-26T10:00:00Z", "pattern": "customer by id", "keys": {"customer_id": true}}',
     "must be a string or a number"),
    ('{"time": "2026-11-26T10:00:00Z", "op": "put", "entity": "Order", "keys": {"order_id": "o"}}',
     "no customer_id"),
    ('["not", "an", "object"]', "expected a JSON object"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "message"), BAD_JSONL)
def test_malformed_jsonl_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, "bad.jsonl", "\n".join([GOOD] * 4 + [line] + [GOOD, line]).encode())
    with pytest.raises(LoadError) as raised:
        read_trace(path, DESIGN)
    assert str(raised.value).startswith(f"{path}:5: ")
    assert message in str(raised.value)


BAD_CSV = [
    ("2026-11-26T10:00:00Z,customer by id", "2 cells where the header has 3"),
    ("2026-11-26T10:00:00Z,customer by zip,a", "unknown pattern 'customer by zip'"),
    (",customer by id,a", "missing time"),
    ("26/11/2026,customer by id,a", "bad time '26/11/2026'"),
    ("2026-11-26T10:00:00Z,customer by id,", "no customer_id"),
]


@pytest.mark.parametrize(("line", "message"), BAD_CSV)
def test_malformed_csv_lines_count_the_header(tmp_path: Path, line: str, message: str) -> None:
    good = "2026-11-26T10:00:00Z,customer by id,a"
    text = "\n".join(["time,pattern,customer_id", good, good, line, good, line])
    path = _write(tmp_path, "bad.csv", text.encode())
    with pytest.raises(LoadError) as raised:
        read_trace(path, DESIGN)
    assert str(raised.value).startswith(f"{path}:4: {message}")


def test_csv_quoted_cells_and_byte_order_mark(tmp_path: Path) -> None:
    text = (
        '\ufefftime,pattern,customer_id\r\n2026-11-26T10:00:00Z,customer by id,"a,b"\r\n'
        '2026-11-26T10:00:01Z,"customer by id",a\r\n'
    )
    summary = read_trace(_write(tmp_path, "t.csv", text.encode()), DESIGN)
    heavy = summary.requests["customer by id"].partitions["primary"].heavy
    assert heavy == {(CUSTOMER, "a,b"): 1, (CUSTOMER, "a"): 1}


def test_csv_header_needs_a_time_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", b"when,pattern,customer_id\nx,customer by id,a\n")
    with pytest.raises(LoadError, match=r"bad\.csv:1: the CSV header has no time column"):
        read_trace(path, DESIGN)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_first_bad_line_is_reported_across_chunks(tmp_path: Path, workers: int) -> None:
    lines = [GOOD] * 5000
    lines[3210] = '{"pattern": "customer by id"}'
    lines[4321] = "{oops"
    path = _write(tmp_path, "bad.jsonl", "\n".join(lines).encode())
    with pytest.raises(LoadError, match=r"bad\.jsonl:3211: missing time"):
        read_trace(path, DESIGN, chunk_rows=500, workers=workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_small_pieces_and_jobs_keep_counts_and_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(_trace_count, "PIECE", 3000)
    monkeypatch.setattr(_trace_pool, "JOB", 7000)
    rows = _rows(3000)
    data = _jsonl(rows)
    lines = data.splitlines(keepends=True)
    chunks = [b"".join(lines[i : i + 1000]) for i in range(0, len(lines), 1000)]
    whole = _comparable(read_trace(_write(tmp_path, "t.jsonl", data), DESIGN, workers=1))
    assert _comparable(read_trace_chunks(chunks, DESIGN, format="jsonl", workers=workers)) == whole
    lines[2345] = b'{"time": "2026-11-26T10:00:00Z", "pattern": "customer by id"}\n'
    chunks = [b"".join(lines[i : i + 1000]) for i in range(0, len(lines), 1000)]
    with pytest.raises(LoadError, match=r"^<stream>:2346: no customer_id for the partition key"):
        read_trace_chunks(chunks, DESIGN, format="jsonl", workers=workers)


def test_unknown_format(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.txt", b"")
    with pytest.raises(LoadError, match="cannot tell the trace format"):
        read_trace(path, DESIGN)
    with pytest.raises(LoadError, match="unknown trace format 'xml'"):
        read_trace(path, DESIGN, format="xml")
    assert read_trace(path, DESIGN, format="jsonl").rows == 0
