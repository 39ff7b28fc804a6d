"""Local services for benchmarks: redis-server, moto's server and dynalite, each on a free
loopback port, started, waited for and stopped (also on error or Ctrl-C)."""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import IO

from modelkit.errors import ModelkitError

START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
#: Where ``npm install`` (``make deps``) puts dynalite, relative to a checkout of modelkit.
DYNALITE = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "dynalite"


class ServiceError(ModelkitError):
    """A local service that is not installed or does not start."""


class Service:
    """A server process on ``127.0.0.1:port``; ``url`` is its endpoint."""

    def __init__(
        self, name: str, process: subprocess.Popen[bytes], url: str, port: int, log: IO[bytes]
    ) -> None:
        self.name, self.process, self.url, self.port, self.log = name, process, url, port, log
        self.directory: Path | None = None

    def __repr__(self) -> str:
        return f"<Service {self.name} {self.url}>"

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a few seconds; removes its directory."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        self.log.close()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def output(self) -> str:
        """The last lines the process wrote."""
        self.log.flush()
        self.log.seek(0)
        text = self.log.read().decode(errors="replace").strip()
        return " / ".join(text.splitlines()[-3:])


def free_port() -> int:
    """A loopback port nobody listens on now (a cluster bus port, +10000, fits too)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port <= 55535:
            return port


def start_redis(timeout: float = START_TIMEOUT) -> Service:
    """``redis-server`` without persistence, in a directory of its own."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceError(
            "redis-server is not installed: install it (apt-get install redis-server, "
            "brew install redis) or pass --redis-url"
        )
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix=f"modelkit-redis-{port}-"))
    argv = [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
        "--save", "", "--appendonly", "no", "--daemonize", "no",
    ]  # fmt: skip
    return _start("redis-server", argv, f"redis://127.0.0.1:{port}", port, timeout, directory)


def start_moto(timeout: float = START_TIMEOUT) -> Service:
    """moto's server (``python -m moto.server``)."""
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        raise ServiceError(
            "moto's server is not installed: pip install 'moto[server]' (or pass --endpoint-url)"
        )
    port = free_port()
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return _start("moto server", argv, f"http://127.0.0.1:{port}", port, timeout)


def start_dynalite(timeout: float = START_TIMEOUT, binary: Path = DYNALITE) -> Service:
    """dynalite in memory, tables ACTIVE at once."""
    if not binary.exists():
        raise ServiceError(f"dynalite is not installed at {binary}: run npm install (make deps)")
    port = free_port()
    argv = [
        str(binary), "--host", "127.0.0.1", "--port", str(port),
        "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
    ]  # fmt: skip
    return _start("dynalite", argv, f"http://127.0.0.1:{port}", port, timeout)


def _start(
    name: str,
    argv: Sequence[str],
    url: str,
    port: int,
    timeout: float,
    directory: Path | None = None,
) -> Service:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the service
    try:
        # A session of its own: Ctrl-C reaches this process only, which stops the service.
        process = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        log.close()
        raise ServiceError(f"{name} cannot be started: {exc}") from None
    service = Service(name, process, url, port, log)
    service.directory = directory
    try:
        _wait(service, timeout)
    except BaseException:
        service.stop()
        raise
    return service


def _wait(service: Service, timeout: float) -> None:
    """Until the service answers a request (not only accepts connections)."""
    deadline = time.monotonic() + timeout
    answers = _redis_answers if service.url.startswith("redis") else _http_answers
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise ServiceError(
                f"{service.name} exited with code {service.process.returncode}: "
                f"{service.output() or 'no output'}"
            )
        if answers(service.port):
            return
        time.sleep(0.05)
    raise ServiceError(f"{service.name} did not answer on port {service.port} within {timeout:g} s")


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _http_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1.0) as response:
            return bool(response.status)
    except urllib.error.HTTPError:
        return True  # an HTTP answer, even an error, means the server is up
    except OSError:
        return False


class Services:
    """Services started for a run, stopped together when it ends, however it ends (an
    exception, Ctrl-C, or SIGTERM, which is turned into :class:`KeyboardInterrupt`)."""

    def __init__(self) -> None:
        self.started: list[Service] = []
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Services:
        self._stack.enter_context(_sigterm_interrupts())
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._stack.close()

    def start(self, starter: Callable[[], Service]) -> Service:
        service = starter()
        self.started.append(service)
        return service

    def stop(self) -> None:
        while self.started:
            self.started.pop().stop()


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """In the main thread, SIGTERM raises KeyboardInterrupt so that cleanup runs."""
    try:
        previous = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
