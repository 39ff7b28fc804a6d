"""Test design: a table without a sort key, with TTL and no indexes."""

from __future__ import annotations

import datetime as dt

import msgspec

from modelkit import Key, Table

sessions = Table("user_sessions", pk="id", sk=None, ttl="ttl")


@sessions.entity(key=Key(pk="SESSION#{token}"), ttl="expires_at")
class Session(msgspec.Struct, kw_only=True):
    token: str
    user_id: str
    expires_at: dt.datetime


design = sessions.compile()
