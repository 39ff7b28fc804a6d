"""Session store and user profiles, on provisioned capacity.

* A session is read on every request, so it is a GetItem on its own random UUID key
  (``SESSION#{session_id}``): uniform over partitions, never hot, cached briefly. Sessions
  expire by TTL (``expires_at``, epoch seconds); readers also check the time, since TTL
  deletes lag.
* GSI1 collects a user's sessions, newest first, for "sign out everywhere".
* Emails are unique through a second item, ``EMAIL#{email}``, written in the same
  transaction as the profile with ``attribute_not_exists``: DynamoDB has no unique
  constraints, and the claim item turns one into a conditional put.
* Login events live in the user's partition next to the profile; the LSI re-sorts them by
  outcome then time, so "failed logins since" is one strongly consistent query. An LSI caps
  each user's item collection at 10 GB, which TTL on login events keeps far away.
* Traffic is steady and known, so the table uses provisioned capacity (cheaper than
  on-demand above about 29% average utilisation).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated

import msgspec

from modelkit import CachePolicy, Index, Key, Provisioned, Table

SESSION_SECONDS = 14 * 24 * 3600

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]


class LoginOutcome(enum.StrEnum):
    FAILURE = "FAILURE"
    LOCKED = "LOCKED"
    SUCCESS = "SUCCESS"


store = Table(
    "sessions",
    pk="PK",
    sk="SK",
    indexes=[
        Index.gsi(
            "GSI1",
            pk="GSI1PK",
            sk="GSI1SK",
            projection="KEYS_ONLY",
            capacity=Provisioned(rcu=10, wcu=20),
        ),
        Index.lsi("LSI1", sk="LSI1SK", projection="INCLUDE", include=["ip"]),
    ],
    ttl="expires_at",
    billing=Provisioned(rcu=200, wcu=50),
    doc="Sessions with TTL expiry, user profiles with unique emails, and login history.",
)


@store.entity(
    key=Key(pk="SESSION#{session_id}", sk="SESSION"),
    indexes={"GSI1": Key(pk="USER#{user_id}", sk="SESSION#{created_at}#{session_id}")},
    cache=CachePolicy(ttl=60, negative_ttl=5),
    ttl="expires_at",
)
class Session(msgspec.Struct, kw_only=True):
    """A signed-in browser or device."""

    session_id: uuid.UUID
    user_id: uuid.UUID
    created_at: dt.datetime
    expires_at: int
    user_agent: str = ""


@store.entity(key=Key(pk="USER#{user_id}", sk="PROFILE"), cache=CachePolicy(ttl=300))
class UserProfile(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    email: Email
    display_name: str
    created_at: dt.datetime


@store.entity(key=Key(pk="EMAIL#{email}", sk="EMAIL"), cache=CachePolicy(ttl=300))
class EmailClaim(msgspec.Struct, kw_only=True):
    """Holds an email for one user; ``email`` is lowercased before it is written."""

    email: Email
    user_id: uuid.UUID


@store.entity(
    key=Key(pk="USER#{user_id}", sk="LOGIN#{at}#{attempt_id}"),
    indexes={"LSI1": Key(sk="LOGIN#{outcome}#{at}#{attempt_id}")},
    ttl="expires_at",
)
class LoginEvent(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    at: dt.datetime
    attempt_id: uuid.UUID
    outcome: LoginOutcome
    ip: str
    expires_at: int


store.pattern("session by id", Session, op="get", given=["session_id"])
store.pattern("create session", Session, op="put")
store.pattern("end session", Session, op="delete", given=["session_id"])
store.pattern(
    "sessions of a user", Session, index="GSI1", given=["user_id"], descending=True, limit=50
)
store.pattern("profile by user id", UserProfile, op="get", given=["user_id"])
store.pattern("user id by email", EmailClaim, op="get", given=["email"])
store.pattern("sign up", [UserProfile, EmailClaim], op="transaction")
store.pattern("record login", LoginEvent, op="put")
store.pattern("logins of a user since", LoginEvent, given=["user_id"], sort="ge", descending=True)
store.pattern(
    "failed logins of a user since",
    LoginEvent,
    index="LSI1",
    given=["user_id", "outcome"],
    sort="ge",
)

design = store.compile()
