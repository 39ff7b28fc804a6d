"""Multi-tenant SaaS: tenants, their users, projects, memberships and audit events.

Tenant isolation lives in the keys: the tenant id leads every partition key of the table and
of every index, so a query can only ever read one tenant's items, and IAM's
``dynamodb:LeadingKeys`` condition can pin a caller to ``TENANT#<their id>*``.

* A tenant's profile, users and projects share the ``TENANT#{tenant_id}`` partition: "users
  of a tenant" and "projects of a tenant" are one query each (``USER#`` / ``PROJECT#``).
* A membership is stored once under its project (members of a project) and projected into
  GSI1 under its user with the two ids swapped (projects of a user): the inverted index.
  GSI1 also holds the tenant-scoped email lookup of a user.
* GSI2 lists users by role and projects by archive flag; ``false`` sorts before ``true`` so
  active projects come first.
* Audit events take many writes per tenant, so their partition is the tenant, the day and a
  shard computed from the event id (``audit_shard``): one busy tenant spreads its writes
  over ``AUDIT_SHARDS`` partitions a day, and a day of audit is ``AUDIT_SHARDS`` queries.
  Events expire with TTL after ``AUDIT_RETENTION_DAYS``.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, Literal

import msgspec

from modelkit import CachePolicy, Index, Key, Table

AUDIT_SHARDS = 8
AUDIT_RETENTION_DAYS = 90

TenantId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Shard = Annotated[int, msgspec.Meta(ge=0, lt=AUDIT_SHARDS)]


class Plan(enum.StrEnum):
    FREE = "FREE"
    TEAM = "TEAM"
    ENTERPRISE = "ENTERPRISE"


Role = Literal["owner", "admin", "member", "viewer"]


def audit_shard(event_id: uuid.UUID) -> int:
    """The write shard of an audit event: stable, so the event can be read back by id."""
    return event_id.int % AUDIT_SHARDS


saas = Table(
    "saas",
    pk="PK",
    sk="SK",
    indexes=[
        Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK"),
        Index.gsi("GSI2", pk="GSI2PK", sk="GSI2SK", projection="KEYS_ONLY"),
    ],
    ttl="expires_at",
    stream="NEW_AND_OLD_IMAGES",
    doc="Tenants, users, projects, memberships and audit events of a multi-tenant SaaS.",
)


@saas.entity(key=Key(pk="TENANT#{tenant_id}", sk="TENANT"), cache=CachePolicy(ttl=600))
class Tenant(msgspec.Struct, kw_only=True):
    """A customer organisation; read on nearly every request, so cached for long."""

    tenant_id: TenantId
    name: str
    plan: Plan
    created_at: dt.datetime


@saas.entity(
    key=Key(pk="TENANT#{tenant_id}", sk="USER#{user_id}"),
    indexes={
        "GSI1": Key(pk="TENANT#{tenant_id}#EMAIL#{email}", sk="USER"),
        "GSI2": Key(pk="TENANT#{tenant_id}#ROLE#{role}", sk="USER#{user_id}"),
    },
    cache=CachePolicy(ttl=120),
)
class User(msgspec.Struct, kw_only=True):
    """A person in one tenant; the same email may exist in two tenants as two users."""

    tenant_id: TenantId
    user_id: str
    email: Annotated[str, msgspec.Meta(max_length=254)]
    name: str
    role: Role


@saas.entity(
    key=Key(pk="TENANT#{tenant_id}", sk="PROJECT#{project_id}"),
    indexes={
        "GSI2": Key(pk="TENANT#{tenant_id}#PROJECTS", sk="{archived}#{created_at}#{project_id}")
    },
)
class Project(msgspec.Struct, kw_only=True):
    tenant_id: TenantId
    project_id: str
    name: str
    archived: bool
    created_at: dt.datetime


@saas.entity(
    key=Key(pk="TENANT#{tenant_id}#PROJECT#{project_id}", sk="MEMBER#{user_id}"),
    indexes={"GSI1": Key(pk="TENANT#{tenant_id}#USER#{user_id}", sk="PROJECT#{project_id}")},
)
class Membership(msgspec.Struct, kw_only=True):
    """A user's role in a project, readable from either side."""

    tenant_id: TenantId
    project_id: str
    user_id: str
    role: Role
    added_at: dt.datetime


@saas.entity(
    key=Key(
        pk="TENANT#{tenant_id}#AUDIT#{day}#{shard}",
        sk="EVENT#{at}#{event_id}",
    ),
    ttl="expires_at",
)
class AuditEvent(msgspec.Struct, kw_only=True):
    """Who did what, when; ``shard`` is ``audit_shard(event_id)``, ``day`` is ``at``'s UTC day."""

    tenant_id: TenantId
    day: dt.date
    shard: Shard
    at: dt.datetime
    event_id: uuid.UUID
    actor_id: str
    action: str
    target: str = ""
    expires_at: int  # epoch seconds: at + AUDIT_RETENTION_DAYS


saas.pattern("tenant by id", Tenant, op="get", given=["tenant_id"])
saas.pattern("user by id", User, op="get", given=["tenant_id", "user_id"])
saas.pattern("users of a tenant", User, given=["tenant_id"], limit=100)
saas.pattern("user by email", User, index="GSI1", op="get", given=["tenant_id", "email"])
saas.pattern("users with a role", User, index="GSI2", given=["tenant_id", "role"])
saas.pattern("projects of a tenant", Project, given=["tenant_id"])
saas.pattern(
    "active projects, newest first",
    Project,
    index="GSI2",
    given=["tenant_id", "archived"],
    descending=True,
    limit=50,
)
saas.pattern("members of a project", Membership, given=["tenant_id", "project_id"])
saas.pattern("projects of a user", Membership, index="GSI1", given=["tenant_id", "user_id"])
saas.pattern("add member", Membership, op="put")
saas.pattern("remove member", Membership, op="delete", given=["tenant_id", "project_id", "user_id"])
saas.pattern("record audit event", AuditEvent, op="put")
saas.pattern(
    "audit events of a tenant in a period",
    AuditEvent,
    given=["tenant_id", "day", "shard"],
    sort="between",
    descending=True,
    limit=100,
)

design = saas.compile()
