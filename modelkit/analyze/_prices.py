"""DynamoDB prices: one data file with its date (``prices.toml``), overridable by the user."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import msgspec

from modelkit.errors import LoadError


class Prices(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Prices of one Region and table class, in USD."""

    region: str
    table_class: str
    date: str
    on_demand_write_per_million: float
    on_demand_read_per_million: float
    provisioned_wcu_hour: float
    provisioned_rcu_hour: float
    storage_gb_month: float
    storage_free_gb: float = 0.0

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, float) and value < 0:
                raise ValueError(f"{name} must not be negative")


def load_prices(path: str | Path | None = None) -> Prices:
    """The bundled prices, or those of a TOML file with the same keys.

    Raises :class:`LoadError` naming the file and the problem.
    """
    if path is None:
        data = resources.files("modelkit.analyze").joinpath("prices.toml").read_bytes()
        where = "modelkit/analyze/prices.toml"
    else:
        where = str(path)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise LoadError(f"{where}: cannot read prices: {exc.strerror}") from None
    try:
        return msgspec.toml.decode(data, type=Prices)
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
        raise LoadError(f"{where}: {exc}") from None
