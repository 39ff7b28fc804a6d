"""Transactions, optimistic locking, timestamps and TTL on real backends.

dynalite has no TransactWriteItems: on it the transaction tests assert the documented
refusal; the transaction behaviour itself is tested on moto in-process and moto server.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from modelkit import Index, Key, Table
from modelkit.dynamo import Database, connect, deploy
from modelkit.errors import ConditionFailed, DynamoError, TransactionCanceled

if TYPE_CHECKING:
    from conftest import Backend

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)

app = Table("rules", ttl="expires_at", indexes=[Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK")])


@app.entity(
    key=Key(pk="ACCOUNT#{account_id}", sk="ACCOUNT"),
    version="version",
    created="created_at",
    updated="updated_at",
)
class Account(msgspec.Struct, kw_only=True):
    account_id: str
    balance: Decimal
    version: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@app.entity(
    key=Key(pk="SESSION#{session_id}", sk="SESSION"),
    indexes={"GSI1": Key(pk="ACCOUNT#{account_id}", sk="SESSION#{session_id}")},
)
class Session(msgspec.Struct, kw_only=True):
    session_id: str
    account_id: str
    expires_at: dt.datetime


app.pattern("sessions of an account", Session, index="GSI1", given=["account_id"])
DESIGN = app.compile()


class Clock:
    def __init__(self) -> None:
        self.now = T0.timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(backend: Backend, table_name: str, clock: Clock) -> Database:
    design = msgspec.structs.replace(DESIGN, name=table_name)
    deploy(design, backend.client)
    return connect(design, dynamodb=backend.client, clock=clock)


def account(account_id: str, balance: str) -> Any:
    return Account(account_id=account_id, balance=Decimal(balance))


def test_version_and_timestamps(db: Database, clock: Clock) -> None:
    accounts = db.repo(Account)
    stored = accounts.put(account("a-1", "10"))
    assert stored.version == 1 and stored.created_at == T0 and stored.updated_at == T0
    with pytest.raises(ConditionFailed):
        accounts.put(account("a-1", "99"))  # version 0: only for a new item
    clock.now += 60
    again = accounts.put(msgspec.structs.replace(stored, balance=Decimal("12")))
    assert again.version == 2 and again.created_at == T0
    assert again.updated_at == T0 + dt.timedelta(seconds=60)
    with pytest.raises(ConditionFailed):
        accounts.put(msgspec.structs.replace(stored, balance=Decimal("0")))  # stale version 1
    f = accounts.f
    bumped = accounts.update({"account_id": "a-1"}, f.balance.set(f.balance + 5))
    assert bumped.version == 3 and bumped.balance == Decimal("17")
    assert accounts.require(account_id="a-1") == bumped


def test_expired_items_are_hidden_before_dynamodb_deletes_them(db: Database, clock: Clock) -> None:
    sessions = db.repo(Session)
    sessions.put(Session(session_id="s-1", account_id="a-1", expires_at=T0 + dt.timedelta(hours=1)))
    sessions.put(Session(session_id="s-2", account_id="a-1", expires_at=T0 + dt.timedelta(hours=3)))
    assert sessions.get(session_id="s-1") is not None
    clock.now += 2 * 3600
    assert sessions.get(session_id="s-1") is None
    assert [s.session_id for s in db.query("sessions of an account", account_id="a-1")] == ["s-2"]
    raw = db.client.call(
        "GetItem",
        {"TableName": db.table, "Key": {"PK": {"S": "SESSION#s-1"}, "SK": {"S": "SESSION"}}},
    )
    assert raw["Item"]["expires_at"] == {"N": str(int((T0 + dt.timedelta(hours=1)).timestamp()))}


def test_transaction_commits_all_or_nothing(db: Database, backend: Backend) -> None:
    accounts = db.repo(Account)
    accounts.put(account("a-1", "10"))
    f = accounts.f
    tx = db.transaction()
    tx.update(
        Account, {"account_id": "a-1"}, f.balance.set(f.balance - 10), condition=f.balance >= 10
    )
    tx.put(account("a-2", "10"))
    if backend.name == "dynalite":
        with pytest.raises(DynamoError, match="UnknownOperation"):
            tx.commit()
        return
    tx.commit()
    assert accounts.require(account_id="a-1").balance == Decimal("0")
    assert accounts.require(account_id="a-2").balance == Decimal("10")

    failing = db.transaction()
    failing.update(
        Account, {"account_id": "a-1"}, f.balance.set(f.balance - 5), condition=f.balance >= 5
    )
    failing.put(account("a-3", "5"))
    failing.check(Account, {"account_id": "a-2"}, f.balance == 10)
    with pytest.raises(TransactionCanceled) as caught:
        failing.commit()
    (reason,) = caught.value.reasons
    assert reason.code == "ConditionalCheckFailed"
    assert (reason.target.kind, reason.target.entity, reason.target.key) == (
        "Update",
        "Account",
        {"account_id": "a-1"},
    )
    assert "Update Account {'account_id': 'a-1'}: ConditionalCheckFailed" in str(caught.value)
    assert accounts.get(account_id="a-3") is None


def test_transaction_sends_its_idempotency_token(db: Database, backend: Backend) -> None:
    """Neither moto nor dynalite implements ClientRequestToken, so this checks what is sent:
    the caller's token, kept across a retry, or a fresh one per transaction."""
    accounts = db.repo(Account)
    accounts.put(account("a-1", "10"))
    f = accounts.f
    sent: list[dict[str, Any]] = []
    real_call = db.client.call

    def recording(operation: str, request: dict[str, Any]) -> dict[str, Any]:
        if operation == "TransactWriteItems":
            sent.append(request)
        return real_call(operation, request)

    db.client.call = recording  # type: ignore[method-assign]
    for token in ("pay-invoice-17", "pay-invoice-17", None):
        tx = db.transaction(token=token)
        tx.update(Account, {"account_id": "a-1"}, f.balance.set(f.balance - 1))
        try:
            tx.commit()
        except DynamoError as exc:
            assert backend.name == "dynalite" and "UnknownOperation" in str(exc)
    tokens = [r["ClientRequestToken"] for r in sent]
    assert tokens[:2] == ["pay-invoice-17", "pay-invoice-17"]
    assert len(tokens[2]) == 36 and tokens[2] != tokens[0]
