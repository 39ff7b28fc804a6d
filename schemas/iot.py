"""IoT time series: devices, their sensor readings, daily rollups and active alerts.

* A device's metadata, readings and rollups share the ``DEVICE#{device_id}`` partition (the
  device id has high cardinality, so writes spread over the fleet). Readings sort by their
  timezone-aware time, stored in UTC, so "readings of a device between two times" is one
  ``BETWEEN`` on the sort key. Readings expire with TTL after ``READING_RETENTION_DAYS``,
  which also bounds the size of each device's partition; rollups are kept.
* A device that writes more than about 1,000 readings a second would need its partition
  split by time bucket (``DEVICE#{device_id}#{hour}``); ordinary sensors stay far below.
* GSI1 is a sparse index of alerting devices: only a device with ``alert_level`` set appears,
  grouped by site, critical before warning, oldest alert first.
* GSI2 holds each day's rollups of a site sorted by Decimal peak value: "the hottest devices
  of a site yesterday" is one query.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Literal

import msgspec

from modelkit import CachePolicy, Index, Key, Table

READING_RETENTION_DAYS = 30

Sensor = Literal["temperature", "humidity", "pressure", "co2"]


class AlertLevel(enum.StrEnum):
    CRITICAL = "CRITICAL"
    WARNING = "WARNING"


iot = Table(
    "iot",
    pk="PK",
    sk="SK",
    indexes=[
        Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK"),
        Index.gsi("GSI2", pk="GSI2PK", sk="GSI2SK", projection="INCLUDE", include=["mean"]),
    ],
    ttl="expires_at",
    stream="NEW_IMAGE",
    doc="Devices, time-series readings, daily rollups and a sparse index of alerts.",
)


@iot.entity(
    key=Key(pk="DEVICE#{device_id}", sk="DEVICE"),
    indexes={"GSI1": Key(pk="SITE#{site_id}#ALERTS", sk="{alert_level}#{alert_since}#{device_id}")},
    cache=CachePolicy(ttl=60, mode="write-through"),
)
class Device(msgspec.Struct, kw_only=True):
    """A sensor box; ``alert_level``/``alert_since`` are set only while it is alerting."""

    device_id: str
    site_id: str
    model: str
    installed_at: dt.datetime
    alert_level: AlertLevel | None = None
    alert_since: dt.datetime | None = None


@iot.entity(key=Key(pk="DEVICE#{device_id}", sk="READING#{taken_at}#{sensor}"), ttl="expires_at")
class Reading(msgspec.Struct, kw_only=True):
    """One measurement; ``expires_at`` (epoch seconds) is taken_at + the retention."""

    device_id: str
    taken_at: dt.datetime
    sensor: Sensor
    value: Decimal
    expires_at: int


@iot.entity(
    key=Key(pk="DEVICE#{device_id}", sk="ROLLUP#{day}#{sensor}"),
    indexes={"GSI2": Key(pk="SITE#{site_id}#DAY#{day}#{sensor}", sk="{peak}#{device_id}")},
    cache=CachePolicy(ttl=900, cache_queries=True),
)
class Rollup(msgspec.Struct, kw_only=True):
    """A device's statistics for one sensor over one UTC day."""

    device_id: str
    site_id: str
    day: dt.date
    sensor: Sensor
    low: Decimal
    peak: Decimal
    mean: Decimal
    count: int


iot.pattern("device by id", Device, op="get", given=["device_id"])
iot.pattern("record reading", Reading, op="put")
iot.pattern(
    "readings of a device in a time range",
    Reading,
    given=["device_id"],
    sort="between",
    limit=1000,
)
iot.pattern("latest readings of a device", Reading, given=["device_id"], descending=True, limit=50)
iot.pattern("rollups of a device since a day", Rollup, given=["device_id"], sort="ge", limit=31)
iot.pattern("alerting devices of a site", Device, index="GSI1", given=["site_id"])
iot.pattern(
    "critical devices of a site",
    Device,
    index="GSI1",
    given=["site_id", "alert_level"],
)
iot.pattern(
    "hottest devices of a site on a day",
    Rollup,
    index="GSI2",
    given=["site_id", "day", "sensor"],
    descending=True,
    limit=10,
)
iot.pattern("write rollup", Rollup, op="put")

design = iot.compile()
