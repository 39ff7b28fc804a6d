"""Real services for integration tests, each on a free loopback port: dynalite (an independent
DynamoDB implementation, from npm) and moto's DynamoDB server. ``make test`` installs both.

The session fixtures ``dynalite_url`` and ``moto_server_url`` start a service once and stop it
at the end. A missing service fails the tests that need it, with what to run; it never skips.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DYNALITE = ROOT / "node_modules" / ".bin" / "dynalite"
VENV_BIN = Path(sys.executable).parent
#: Credentials and Region for local endpoints (they check the signature format, not secrets).
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_SESSION_TOKEN": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
_MAKE_TEST = "run `make test` (it installs the test services) or `make deps`"


class Service:
    """A started server process; ``url`` is its endpoint."""

    def __init__(self, name: str, process: subprocess.Popen[bytes], port: int, log: IO[bytes]):
        self.name, self.process, self.port, self.log = name, process, port, log
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(name: str, argv: Sequence[str], port: int, timeout: float = 30.0) -> Service:
    """Start ``argv`` and wait until ``port`` accepts connections."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the service
    process = subprocess.Popen(
        list(argv), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT
    )
    service = Service(name, process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = service.output()
            service.stop()
            pytest.fail(f"{name} exited with code {process.returncode}:\n{output}", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return service
        except OSError:
            time.sleep(0.05)
    output = service.output()
    service.stop()
    pytest.fail(f"{name} did not answer on port {port} within {timeout}s:\n{output}", pytrace=False)


def start_dynalite() -> Service:
    """dynalite in memory; tables are ACTIVE at once (no CREATING delay)."""
    if not DYNALITE.exists():
        pytest.fail(f"dynalite is not installed at {DYNALITE}; {_MAKE_TEST}", pytrace=False)
    port = free_port()
    timing = ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
    argv = [str(DYNALITE), "--host", "127.0.0.1", "--port", str(port), *timing]
    return start("dynalite", argv, port)


def start_moto_server() -> Service:
    """moto's server (all its services; the tests use DynamoDB)."""
    script = VENV_BIN / "moto_server"
    if script.exists():
        command = [str(script)]
    elif importlib.util.find_spec("moto.server") is not None:
        command = [sys.executable, "-m", "moto.server"]
    else:
        pytest.fail(
            f"moto server is not installed (pip install 'moto[server]'); {_MAKE_TEST}",
            pytrace=False,
        )
    port = free_port()
    return start("moto server", [*command, "-H", "127.0.0.1", "-p", str(port)], port)


def aws_cli(*args: str, endpoint_url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real AWS CLI against ``endpoint_url`` with dummy credentials."""
    aws = VENV_BIN / "aws"
    if not aws.exists():
        pytest.fail(f"the AWS CLI is not installed at {aws}; {_MAKE_TEST}", pytrace=False)
    env = {**os.environ, **DUMMY_AWS_ENV}
    env.pop("AWS_PROFILE", None)
    argv = [str(aws), *args, "--endpoint-url", endpoint_url, "--output", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    if check and done.returncode != 0:
        pytest.fail(
            f"aws {' '.join(args)} failed ({done.returncode}):\n{done.stderr}", pytrace=False
        )
    return done


#: Runs AWS CLI commands (JSON list of argv lists on stdin) through ``awscli.clidriver``, the
#: entry point of the ``aws`` executable, in one process: the CLI takes half a second to
#: start, which adds up over dozens of commands.
_BATCH = """
import contextlib, io, json, sys
from awscli.clidriver import create_clidriver
results = []
for argv in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = create_clidriver().main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    results.append([code, out.getvalue(), err.getvalue()])
json.dump(results, sys.__stdout__)
"""


def aws_cli_batch(
    commands: Sequence[Sequence[str]], *, endpoint_url: str
) -> list[subprocess.CompletedProcess[str]]:
    """Run AWS CLI commands in order in one CLI process; one result per command."""
    if importlib.util.find_spec("awscli") is None:
        pytest.fail(f"the AWS CLI (awscli) is not installed; {_MAKE_TEST}", pytrace=False)
    tail = ["--endpoint-url", endpoint_url, "--output", "json"]
    argvs = [[*c, *tail] for c in commands]
    env = {**os.environ, **DUMMY_AWS_ENV}
    env.pop("AWS_PROFILE", None)
    done = subprocess.run(
        [sys.executable, "-c", _BATCH],
        input=json.dumps(argvs),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"the AWS CLI batch failed:\n{done.stderr[-3000:]}", pytrace=False)
    return [
        subprocess.CompletedProcess(["aws", *argv], code, out, err)
        for argv, (code, out, err) in zip(argvs, json.loads(done.stdout), strict=True)
    ]


def aws_json(*args: str, endpoint_url: str) -> Any:
    """``aws_cli`` and parse its JSON output."""
    return json.loads(aws_cli(*args, endpoint_url=endpoint_url).stdout or "null")


@pytest.fixture(scope="session")
def dynalite_url() -> Iterator[str]:
    """Endpoint URL of a dynalite started for this test session."""
    service = start_dynalite()
    try:
        yield service.url
    finally:
        service.stop()


@pytest.fixture(scope="session")
def moto_server_url() -> Iterator[str]:
    """Endpoint URL of a moto server started for this test session."""
    service = start_moto_server()
    try:
        yield service.url
    finally:
        service.stop()
