"""Fixtures of the DynamoDB tests: a connected client on each of three backends.

``backend`` is parametrized over moto in-process (``moto.mock_aws``, AWS's endpoint), moto's
server and dynalite (session services, see ``tests/services.py``); ``dynamo`` is its
:class:`DynamoClient`. The servers are shared by the whole session: give every table a
unique name (``table_name``, or ``unique_name()`` for more). Test modules import
:class:`Backend` only for annotations (``if TYPE_CHECKING``): pytest loads each conftest under
the module name ``conftest``, so importing from it at run time is fragile.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest
from moto import mock_aws
from services import DUMMY_AWS_ENV

from modelkit.dynamo._connection import DynamoClient, connect_dynamodb

BACKENDS = ("moto", "moto-server", "dynalite")
_URL_FIXTURES = {"moto-server": "moto_server_url", "dynalite": "dynalite_url"}


class Backend(NamedTuple):
    name: str
    """``moto``, ``moto-server`` or ``dynalite``."""
    client: DynamoClient
    url: str | None
    """The endpoint URL; ``None`` for moto in-process (AWS's endpoint, intercepted)."""


def unique(prefix: str = "t") -> str:
    """A table name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and Region us-east-1 in the environment; no profile, no IMDS."""
    for name, value in DUMMY_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, aws_env: None) -> Iterator[Backend]:
    """A :class:`DynamoClient` on one backend, credentials from the environment."""
    name: str = request.param
    if name == "moto":
        with mock_aws():
            yield Backend(name, connect_dynamodb(), None)
        return
    url: str = request.getfixturevalue(_URL_FIXTURES[name])
    yield Backend(name, connect_dynamodb(endpoint_url=url), url)


@pytest.fixture
def dynamo(backend: Backend) -> DynamoClient:
    return backend.client


@pytest.fixture
def table_name() -> str:
    return unique()


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """``unique_name("shop")``: a fresh table name with that prefix."""
    return unique
