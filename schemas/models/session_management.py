"""Session management: a customer's sessions and their child sessions, with an inverted index.

Mirrors the published NoSQL Workbench model "Session management step by step" (table
``session_store``) from aws-samples/aws-dynamodb-examples
(schema_design/SchemaExamples/SessionManagement/SessionManagementSchema.json), licensed MIT-0
(copy in /work/shared/data/models/session-management/LICENSE.txt). Same table, key
attributes, inverted GSI and provisioned capacity (5 RCU / 5 WCU, the published auto-scaling
going up to 10); the entity and pattern names are ours.

* A session is ``PK = suuid#{session_id}``, ``SK = c#{customer_id}``: create, get and expire
  it by its id (the id alone finds it: the only ``c#`` item of its partition).
* Child sessions (other devices or tabs of the same sign-in) share the parent's partition
  under ``SK = child#suuid#{child_id}``: "a session's children" is one query.
* ``GSI1_inverse`` swaps the keys (``PK = SK``, ``SK = PK``): under ``c#{customer_id}`` it
  lists the customer's sessions and their last login time.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from modelkit import CachePolicy, Index, Key, Provisioned, Table

SessionState = Literal["active", "closing", "expired"]

store = Table(
    "session_store",
    pk="PK",
    sk="SK",
    indexes=[Index.gsi("GSI1_inverse", pk="SK", sk="PK")],
    billing=Provisioned(rcu=5, wcu=5),
    doc="Sessions and child sessions per customer, with an inverted GSI by customer.",
)


@store.entity(
    key=Key(pk="suuid#{session_id}", sk="c#{customer_id}"),
    indexes={"GSI1_inverse": Key(pk="c#{customer_id}", sk="suuid#{session_id}")},
    cache=CachePolicy(ttl=60, negative_ttl=5),
)
class Session(msgspec.Struct, kw_only=True):
    """A customer's signed-in session."""

    session_id: str
    customer_id: str
    access_token: str
    session_state: SessionState
    last_login_time: dt.datetime


@store.entity(
    key=Key(pk="suuid#{session_id}", sk="child#suuid#{child_id}"),
    indexes={"GSI1_inverse": Key(pk="child#suuid#{child_id}", sk="suuid#{session_id}")},
)
class ChildSession(msgspec.Struct, kw_only=True):
    """A session opened under a parent session (another device or tab of the sign-in)."""

    session_id: str
    child_id: str
    access_token: str
    session_state: SessionState


store.pattern("create session", Session, op="put")
store.pattern("session by id", Session, given=["session_id"], limit=1)
store.pattern("expire session", Session, op="update", given=["session_id", "customer_id"])
store.pattern("create child session", ChildSession, op="put")
store.pattern("child sessions of a session", ChildSession, given=["session_id"])
store.pattern(
    "sessions and last login of a customer", Session, index="GSI1_inverse", given=["customer_id"]
)

design = store.compile()
