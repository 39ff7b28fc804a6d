"""Fixtures of the load tests: the ecommerce schema deployed on dynalite and moto's server,
a table of its own each test."""

from __future__ import annotations

import pytest
from load_helpers import Deployed, deployed
from services import DUMMY_AWS_ENV


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
