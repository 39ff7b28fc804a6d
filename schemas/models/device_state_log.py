"""Device state log: one item per state change of a factory device, by device, operator and
supervisor.

Mirrors the published NoSQL Workbench model ``DeviceStateLog`` by Samaneh Utter, from
aws-samples/amazon-dynamodb-design-patterns (examples/device-state-log/json/DeviceStateLog_7.json),
licensed MIT-0 (copy in /work/shared/data/models/device-state-log/LICENSE). Same table, key
attributes and indexes; the entity, field and pattern names are ours.

* The table key is ``DeviceID`` = ``d#{device_id}`` and ``State#Date`` = ``{state}#{date}``:
  "a device's logs in one state, newest first" is one query with ``begins_with`` on the
  state. A device that is not normal writes a log every 5 minutes until it is normal again.
* GSI1 (``Operator``, ``Date``) holds every log under the operator who handles the device:
  "an operator's logs between two dates". A factory has few operators, so each GSI1
  partition takes the writes of every faulty device the operator looks after.
* GSI2 (``EscalatedTo``, ``State#Date``) is sparse: only a log escalated to a supervisor
  carries ``EscalatedTo``, so the index holds just those.

The published items store ``Operator``, ``Date``, ``State`` and ``EscalatedTo`` once and
use them as GSI keys directly; here the key attributes are written from the key templates
and the fields keep their own (lower-case) attributes beside them.
"""

from __future__ import annotations

import datetime as dt
import enum

import msgspec

from modelkit import Index, Key, Table


class State(enum.StrEnum):
    NORMAL = "NORMAL"
    WARNING1 = "WARNING1"
    WARNING2 = "WARNING2"
    WARNING3 = "WARNING3"
    WARNING4 = "WARNING4"


device_log = Table(
    "DeviceStateLog",
    pk="DeviceID",
    sk="State#Date",
    indexes=[
        Index.gsi("GSI1", pk="Operator", sk="Date"),
        Index.gsi("GSI2", pk="EscalatedTo", sk="State#Date"),
    ],
    doc="State changes of factory devices, by device, by operator and (sparse) by supervisor.",
)


@device_log.entity(
    key=Key(pk="d#{device_id}", sk="{state}#{date}"),
    indexes={
        "GSI1": Key(pk="{operator}", sk="{date}"),
        "GSI2": Key(pk="{escalated_to}", sk="{state}#{date}"),
    },
)
class DeviceLog(msgspec.Struct, kw_only=True):
    """A device's state at a time; ``escalated_to`` is set only once a supervisor is called."""

    device_id: str
    state: State
    date: dt.datetime
    operator: str
    escalated_to: str | None = None


device_log.pattern("log device state", DeviceLog, op="put")
device_log.pattern(
    "logs of a device in a state",
    DeviceLog,
    given=["device_id", "state"],
    descending=True,
    limit=50,
)
device_log.pattern(
    "logs of an operator between dates",
    DeviceLog,
    index="GSI1",
    given=["operator"],
    sort="between",
    limit=100,
)
device_log.pattern(
    "escalate log",
    DeviceLog,
    op="update",
    given=["device_id", "state", "date"],
)
device_log.pattern(
    "logs escalated to a supervisor", DeviceLog, index="GSI2", given=["escalated_to"]
)
device_log.pattern(
    "escalated logs of a supervisor in a state since",
    DeviceLog,
    index="GSI2",
    given=["escalated_to", "state"],
    sort="ge",
)

design = device_log.compile()
