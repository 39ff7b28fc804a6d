"""``modelkit bench`` run as a user runs it: on services it starts itself and on services it
is given, in text and JSON, with one-line errors, and stopping its services when
interrupted."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from modelkit.cli import main
from modelkit.latency import FORMAT, BenchReport, render_text
from tests.redis_services import RedisServer, redis_server

__all__ = ["redis_server"]
ROOT = Path(__file__).resolve().parents[2]
SHOP = "schemas/ecommerce.py"
#: Small and fast: 50 keys, so that a few hundred Zipf(0.99) reads mostly repeat keys.
SMALL = ("--requests", "200", "--keys", "50")
ROW = r"^│ {label} +│ +(\d[\d,]*) │ +(\d+\.\d+) │ +(\d+\.\d+) │ +(\d+\.\d+) │$"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modelkit", "bench", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def check_text(out: str, reads: int) -> None:
    """Three rows of count and p50/p95/p99 (ms, in order), a hit ratio above 0.5 and read
    units saved."""
    counts = {}
    for label in ("cache hit", "cache miss", "uncached read"):
        found = re.search(ROW.format(label=label), out, flags=re.M)
        assert found is not None, (label, out)
        count, p50, p95, p99 = found.groups()
        counts[label] = int(count.replace(",", ""))
        assert 0 < float(p50) <= float(p95) <= float(p99), found.group(0)
    assert counts["uncached read"] == reads
    bypassed = re.search(r"^([\d,]+) reads bypassed the cache", out, flags=re.M)
    other = int(bypassed.group(1).replace(",", "")) if bypassed else 0  # a Redis timeout's
    served = counts["cache hit"] + counts["cache miss"]
    assert served + other == reads and other < reads / 10
    ratio = re.search(r"^hit ratio (\d\.\d+)$", out, flags=re.M)
    assert ratio is not None, out
    assert 0.5 < float(ratio.group(1)) < 1.0
    assert float(ratio.group(1)) == pytest.approx(counts["cache hit"] / served, abs=5e-4)
    saved = re.search(
        r"^read units: uncached ([\d.,]+), cached ([\d.,]+), saved ([\d.,]+)", out, re.M
    )
    assert saved is not None, out
    uncached, cached, units = (float(g.replace(",", "")) for g in saved.groups())
    assert units > 0
    assert units == pytest.approx(uncached - cached, abs=0.11)


def test_bench_starts_its_own_services_and_prints_the_three_rows() -> None:
    result = run(SHOP, *SMALL)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("bench Customer, table shop-bench-")
    assert re.search(r"^  DynamoDB http://127\.0\.0\.1:\d+ \(started here\)$", out, re.M), out
    assert re.search(r"^  Redis    redis://127\.0\.0\.1:\d+ \(started here\)$", out, re.M), out
    reads = re.search(r"200 requests a run on 50 keys: Zipf 0.99, 5% writes \(([\d,]+) reads", out)
    assert reads is not None, out
    check_text(out, int(reads.group(1)))


def test_bench_on_given_services_prints_json_with_the_same_figures(
    moto_server_url: str, redis_server: RedisServer
) -> None:
    result = run(
        SHOP, *SMALL, "--json", "--endpoint-url", moto_server_url, "--redis-url", redis_server.url
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == FORMAT
    assert (data["endpoint"], data["redis"], data["started"]) == (
        moto_server_url,
        redis_server.url,
        [],
    )
    assert (data["entity"], data["keys"], data["requests"]) == ("Customer", 50, 200)
    assert data["reads"] + data["writes"] == 200
    for row in ("hit", "miss", "uncached"):
        assert 0 < data[row]["p50"] <= data[row]["p95"] <= data[row]["p99"]
    assert 0.5 < data["hit_ratio"] < 1
    assert data["read_units"]["saved"] > 0
    # the JSON holds every figure of the text: rendered, it passes the same checks
    check_text(render_text(msgspec.json.decode(result.stdout, type=BenchReport)), data["reads"])
    # the run's table was dropped and its keys removed
    assert not list(redis_server.client().scan_iter(match="mkbench*"))


def test_errors_are_one_line(
    moto_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bench(*args: str) -> Result:
        return CliRunner().invoke(main, ["bench", *args])

    missing = bench("schemas/nope.py")
    assert (missing.exit_code, missing.stdout) == (2, "")
    assert missing.stderr == "modelkit: schemas/nope.py: no such file\n"
    uncached = bench(SHOP, "--entity", "OrderLine", "--endpoint-url", moto_server_url)
    assert uncached.exit_code == 2
    assert uncached.stderr == (
        "modelkit: entity OrderLine has no cache policy (cache=CachePolicy(...))\n"
    )
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server to be found
    no_redis = bench(SHOP, *SMALL, "--endpoint-url", moto_server_url)
    assert no_redis.exit_code == 2
    assert no_redis.stderr == (
        "modelkit: redis-server is not installed: install it (apt-get install redis-server, "
        "brew install redis) or pass --redis-url\n"
    )


def test_ctrl_c_stops_the_services_it_started() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "modelkit", "bench", SHOP, "--requests", "100000"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        children = _wait_children(process.pid, 2)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    assert "Traceback" not in err
    assert all(not _alive(pid) for pid in children), children


def _wait_children(pid: int, count: int, timeout: float = 60.0) -> list[int]:
    """The child processes of ``pid`` once it has ``count`` and moto's server answers."""
    deadline = time.monotonic() + timeout
    path = Path(f"/proc/{pid}/task/{pid}/children")
    while time.monotonic() < deadline:
        children = [int(c) for c in path.read_text().split()] if path.exists() else []
        if len(children) >= count and any(_moto_answers(c) for c in children):
            return children
        time.sleep(0.1)
    raise AssertionError(f"the bench did not start {count} services in {timeout:g} s")


def _moto_answers(pid: int) -> bool:
    """Whether ``pid`` is moto's server and accepts connections on its port."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return False
    if "moto.server" not in argv:
        return False
    try:
        with socket.create_connection(("127.0.0.1", int(argv[argv.index("-p") + 1])), 0.5):
            return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return False
    return stat.read_text().split()[2] != "Z"  # a zombie has ended
