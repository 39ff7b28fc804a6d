"""The schema of the unique-field load tests: users, each with a unique email and an optional
unique handle, their notes (no unique fields), and versioned badges with a unique code and
created/updated timestamps."""

from __future__ import annotations

import datetime as dt

import msgspec

from modelkit import Key, Table

team = Table("team", pk="PK", sk="SK", doc="Users, their notes, and badges.")


@team.entity(key=Key(pk="USER#{user_id}", sk="USER"), unique=["email", "handle"])
class User(msgspec.Struct, kw_only=True):
    """A user: no two share an email, nor a handle."""

    user_id: str
    email: str
    handle: str | None = None
    name: str = ""


@team.entity(key=Key(pk="USER#{user_id}", sk="NOTE#{note_id}"))
class Note(msgspec.Struct, kw_only=True):
    """A note of a user."""

    user_id: str
    note_id: str
    text: str


@team.entity(
    key=Key(pk="BADGE#{badge_id}", sk="BADGE"),
    unique=["code"],
    version="version",
    created="created",
    updated="updated",
)
class Badge(msgspec.Struct, kw_only=True):
    """A badge with a unique code and a version: a put must give the version it replaces."""

    badge_id: str
    code: str
    version: int = 0
    created: dt.datetime | None = None
    updated: dt.datetime | None = None
