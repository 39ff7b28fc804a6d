"""Test design: a global table (two replica Regions) with provisioned capacity and a GSI."""

from __future__ import annotations

import msgspec

from modelkit import Index, Key, Provisioned, Table

accounts = Table(
    "accounts",
    indexes=[Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK")],
    billing=Provisioned(rcu=10, wcu=5),
    replicas=["eu-west-1", "ap-southeast-2"],
    ttl="expires",
)


@accounts.entity(
    key=Key(pk="ACCOUNT#{account_id}", sk="ACCOUNT"),
    indexes={"GSI1": Key(pk="EMAIL#{email}", sk="ACCOUNT")},
)
class Account(msgspec.Struct, kw_only=True):
    account_id: str
    email: str


design = accounts.compile()
