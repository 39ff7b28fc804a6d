"""Fixtures of the load tests: the ecommerce schema deployed on dynalite and moto's server,
a table of its own each test; the team schema (users with unique fields) likewise."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from load_helpers import TEAM, Deployed, deployed
from services import DUMMY_AWS_ENV, free_port, start

#: moto's server, answering one request at a time (see ``moto_serial_url``).
_SERIAL_MOTO = """
import sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication, MotoRequestHandler, create_backend_app
)
app = DomainDispatcherApplication(create_backend_app)
run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=False, request_handler=MotoRequestHandler)
"""


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in DUMMY_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(params=["dynalite", "moto-server"])
def shop(request: pytest.FixtureRequest, aws_env: None) -> Deployed:
    """The ecommerce table, deployed under a unique name on each server."""
    fixture = "dynalite_url" if request.param == "dynalite" else "moto_server_url"
    return deployed(request.getfixturevalue(fixture))


@pytest.fixture
def shop_dynalite(dynalite_url: str, aws_env: None) -> Deployed:
    """The ecommerce table on dynalite only (for the slower tests)."""
    return deployed(dynalite_url)


@pytest.fixture(scope="session")
def moto_serial_url() -> Iterator[str]:
    """A moto server of its own that serves one request at a time.

    moto's TransactWriteItems copies the whole table first and puts the copy back when the
    transaction is canceled, so on its threaded server concurrent transactions lose each
    other's writes (or fail with 500). Served in turn, the requests of several writer threads
    still interleave as they do on DynamoDB.
    """
    port = free_port()
    service = start("moto server (serial)", [sys.executable, "-c", _SERIAL_MOTO, str(port)], port)
    try:
        yield service.url
    finally:
        service.stop()


@pytest.fixture
def team_moto(moto_server_url: str, aws_env: None) -> Deployed:
    """The team table on moto's server (dynalite has no transactions)."""
    return deployed(moto_server_url, TEAM)


@pytest.fixture
def team_serial(moto_serial_url: str, aws_env: None) -> Deployed:
    """The team table on the one-request-at-a-time moto server, for several writer threads."""
    return deployed(moto_serial_url, TEAM)


@pytest.fixture
def team_dynalite(dynalite_url: str, aws_env: None) -> Deployed:
    """The team table on dynalite, which refuses transactions."""
    return deployed(dynalite_url, TEAM)
