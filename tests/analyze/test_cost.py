"""Prices and monthly cost, checked by hand-computable arithmetic (REFERENCE.md, "Prices")."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelkit.analyze import (
    break_even_utilisation,
    load_prices,
    on_demand_cost,
    provisioned_cost,
    storage_cost,
)
from modelkit.errors import LoadError

PRICES = load_prices()


def test_bundled_prices_carry_their_date_and_region() -> None:
    assert (PRICES.region, PRICES.table_class, PRICES.date) == (
        "us-east-1",
        "STANDARD",
        "2024-11-01",
    )
    assert PRICES.on_demand_write_per_million == 0.625
    assert PRICES.on_demand_read_per_million == 0.125
    assert PRICES.provisioned_wcu_hour == 0.00065


def test_break_even_is_about_29_percent() -> None:
    read, write = break_even_utilisation(PRICES)
    # 0.00065 $/WCU-hour / (3,600 writes x $0.625 per million) = 0.2889
    assert read == pytest.approx(0.28889, abs=1e-5)
    assert write == pytest.approx(0.28889, abs=1e-5)


def test_on_demand_and_provisioned_by_hand() -> None:
    # 100 writes/s and 1,000 reads/s all month: 262.8 M writes, 2,628 M reads
    on_demand = on_demand_cost(1000, 100, size_gb=125, prices=PRICES)
    assert on_demand.writes == pytest.approx(262.8 * 0.625)
    assert on_demand.reads == pytest.approx(2628 * 0.125)
    assert on_demand.storage == pytest.approx(100 * 0.25)  # the first 25 GB are free
    provisioned = provisioned_cost(1000, 100, size_gb=125, prices=PRICES)
    assert provisioned.writes == pytest.approx(100 * 730 * 0.00065)
    assert provisioned.reads == pytest.approx(1000 * 730 * 0.00013)
    assert provisioned.total < on_demand.total  # fully used capacity: provisioned wins


def test_global_table_pays_writes_and_storage_in_every_region() -> None:
    single = on_demand_cost(0, 10, size_gb=35, prices=PRICES)
    replicated = on_demand_cost(0, 10, size_gb=35, prices=PRICES, replicas=2)
    assert replicated.replicated_writes == pytest.approx(2 * single.writes)
    assert replicated.storage == pytest.approx(3 * single.storage) == pytest.approx(7.5)
    assert storage_cost(10, PRICES) == 0.0


def test_prices_file_can_be_overridden_and_bad_files_name_themselves(tmp_path: Path) -> None:
    custom = tmp_path / "eu.toml"
    text = (Path(__file__).resolve().parents[2] / "modelkit/analyze/prices.toml").read_text()
    custom.write_text(text.replace('region = "us-east-1"', 'region = "eu-west-1"'))
    assert load_prices(custom).region == "eu-west-1"
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("0.625", '"cheap"'))
    with pytest.raises(LoadError, match=r"bad\.toml: Expected `float`, got `str`"):
        load_prices(bad)
    with pytest.raises(LoadError, match=r"missing\.toml: cannot read prices"):
        load_prices(tmp_path / "missing.toml")
    negative = tmp_path / "negative.toml"
    negative.write_text(text.replace("0.625", "-1.0"))
    with pytest.raises(LoadError, match="must not be negative"):
        load_prices(negative)
