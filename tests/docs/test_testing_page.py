"""docs/testing.md: every Python example runs as written, its test functions pass, against
moto's server and a redis-server given as the page's environment variables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.redis_services import RedisServer, redis_server
from tests.services import DUMMY_AWS_ENV

__all__ = ["redis_server"]
ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "testing.md"


def _examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


def test_the_page_has_its_three_examples() -> None:
    tests = [re.findall(r"^def (test_\w+)", block, flags=re.M) for block in _examples()]
    assert tests == [
        ["test_orders_round_trip_through_the_codec"],
        ["test_keys_are_safe", "test_keys_are_safe_with_hostile_text"],
        ["test_the_cache_stays_coherent"],
    ]


@pytest.mark.parametrize("number", range(3))
def test_example_runs(
    number: int,
    monkeypatch: pytest.MonkeyPatch,
    moto_server_url: str,
    redis_server: RedisServer,
) -> None:
    for name, value in {
        **DUMMY_AWS_ENV,
        "DYNAMODB_URL": moto_server_url,
        "REDIS_URL": redis_server.url,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": f"testing_page_{number}"}
    exec(compile(_examples()[number], f"{PAGE}:example {number + 1}", "exec"), namespace)
    ran = [name for name in namespace if name.startswith("test_")]
    for name in ran:
        namespace[name]()
    assert ran
