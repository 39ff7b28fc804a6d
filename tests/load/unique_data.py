"""The file of the unique-field load tests, and the table and rejects a load of it must give.

Sixty records: users (unique ``email`` and ``handle``) and a few notes (no unique fields),
some of them claiming values taken earlier in the file (in the batch before, in the same
batch) or by an item already in the table, one invalid, one a copy of an earlier line, and
one the table's own item again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from load_helpers import Deployed

from modelkit.dynamo import connect

TAKEN = "is held by another item (earlier in the file, or already in the table)"
#: (line, error) of every reject, in file order.
REJECTS = [
    (26, f'User.email value already taken: "dup@example.com" {TAKEN}'),
    (33, f'User.email value already taken: "taken@example.com" {TAKEN}'),
    (40, "User: Object missing required field `email`"),
    (44, f'User.handle value already taken: "h3" {TAKEN}'),
    (57, f'User.email value already taken: "user52@example.com" {TAKEN}'),
]
LOADED = 55


def user(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "entity": "User",
        "user_id": f"u-{i:02d}",
        "email": f"user{i}@example.com",
        "handle": f"h{i}",
        **extra,
    }


def note(i: int) -> dict[str, Any]:
    return {"entity": "Note", "user_id": "u-01", "note_id": f"n{i}", "text": f"note {i}"}


def records() -> list[dict[str, Any]]:
    """The records, line ``n`` at index ``n - 1``; batches of 25 end at lines 25 and 51."""
    found = [user(i) for i in range(1, 61)]
    for i in (10, 30, 50):
        found[i - 1] = note(i)
    found[24] = user(25, email="dup@example.com")  # the last record of the first batch
    found[25] = user(26, email="dup@example.com")  # taken by line 25, the batch before
    found[32] = user(33, email="taken@example.com")  # taken by the table's item "old"
    found[39] = {"entity": "User", "user_id": "u-40"}  # no email: invalid
    found[43] = user(44, handle="h3")  # handle taken by line 3
    found[54] = user(5)  # line 5 again: the same item, put again
    found[56] = user(57, email="user52@example.com")  # taken by line 52, the same batch
    found[57] = user(58, handle=None)  # no handle, so no handle marker
    found[59] = {"entity": "User", "user_id": "old", "email": "taken@example.com", "name": "Old"}
    return found


def write_file(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    return path


def seed(target: Deployed) -> None:
    """The item already in the table: user "old", holding taken@example.com."""
    db = connect(target.design, dynamodb=target.client)
    cls = target.design.entity("User").struct
    db.repo(cls).put(cls(user_id="old", email="taken@example.com", name="Old once"))


def expected_table() -> dict[tuple[str, str], dict[str, Any]]:
    """Every item (users, notes, markers) that a load of the file leaves in a seeded table."""
    rejected = {line for line, _ in REJECTS}
    users: dict[str, dict[str, Any]] = {}
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for line, record in enumerate(records(), 1):
        if line in rejected:
            continue
        fields = {k: v for k, v in record.items() if k != "entity"}
        if record["entity"] == "Note":
            key = ("USER#u-01", f"NOTE#{record['note_id']}")
            items[key] = {"PK": key[0], "SK": key[1], "_type": "Note", **fields}
        else:
            users[record["user_id"]] = {"handle": None, "name": "", **fields}
    for user_id, fields in users.items():
        item = {"PK": f"USER#{user_id}", "SK": "USER", "_type": "User", **fields}
        items[(item["PK"], "USER")] = {k: v for k, v in item.items() if v is not None}
        for field in ("email", "handle"):
            if fields[field] is not None:
                marker = f"_UNIQUE#User#{field}#{fields[field]}"
                items[(marker, "_UNIQUE")] = {"PK": marker, "SK": "_UNIQUE", "_type": "_UNIQUE"}
    return items


def rejects_of(path: Path) -> list[dict[str, Any]]:
    """The entries of a rejects file."""
    return [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines()]
