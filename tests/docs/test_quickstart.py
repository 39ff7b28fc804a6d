"""The README's quickstart runs as written, against moto's server and a real redis-server,
and prints what the README says it prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from services import DUMMY_AWS_ENV

from tests.redis_services import RedisServer, redis_server

__all__ = ["redis_server"]
README = Path(__file__).resolve().parents[2] / "README.md"


def quickstart() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    (found,) = [b for b in blocks if b.startswith("# Quickstart")]
    return found


def test_the_quickstart_runs_as_written(moto_server_url: str, redis_server: RedisServer) -> None:
    code = quickstart()
    assert 25 <= len(code.splitlines()) <= 40
    env = {
        **os.environ,
        **DUMMY_AWS_ENV,
        "DYNAMODB_URL": moto_server_url,
        "REDIS_URL": redis_server.url,
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    note = "Note(user_id='u-1', note_id='n-1', text='hello')"
    assert done.stdout.splitlines() == ["[]", note, note, "['n-1']", "1 1"]
