"""The file of the versioned-entity load tests, and the table and rejects a load of it gives.

Fourteen badges (a version, a unique code, created/updated timestamps), written with
``--batch 4``: new ones with version 0 and no timestamps, others with a version and
timestamps given, codes taken earlier in the file or by the table's item, one invalid, one a
copy of an earlier line, one a later version of an earlier badge, and the table's own item
again with other values. Each loaded item is the record as the file gives it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from load_helpers import Deployed

from modelkit.dynamo import connect

BATCH = 4
CREATED = "2026-01-02T03:04:05Z"
UPDATED = "2026-02-03T04:05:06Z"
STORED = {CREATED: "2026-01-02T03:04:05.000000Z", UPDATED: "2026-02-03T04:05:06.000000Z"}
TAKEN = "is held by another item (earlier in the file, or already in the table)"
#: (line, error) of every reject, in file order.
REJECTS = [
    (4, f'Badge.code value already taken: "C1" {TAKEN}'),
    (5, f'Badge.code value already taken: "TAKEN" {TAKEN}'),
    (9, "Badge: Object missing required field `code`"),
    (12, f'Badge.code value already taken: "C6" {TAKEN}'),
]
LOADED = 10


def badge(badge_id: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"entity": "Badge", "badge_id": badge_id, "code": code, **extra}


def records() -> list[dict[str, Any]]:
    """The records, line ``n`` at index ``n - 1``."""
    stamps = {"created": CREATED, "updated": UPDATED}
    return [
        badge("b-01", "C1"),
        badge("b-02", "C2", version=3, **stamps),
        badge("b-03", "C3"),
        badge("b-04", "C1"),  # taken by line 1, the same batch
        badge("b-05", "TAKEN"),  # taken by the table's item "old"
        badge("b-06", "C6", version=2),
        badge("b-01", "C1"),  # line 1 again: the same item, put again
        badge("b-08", "C8", updated=UPDATED),
        {"entity": "Badge", "badge_id": "b-09"},  # no code: invalid
        badge("b-02", "C2", version=5, created=CREATED),  # a later version of line 2
        badge("b-11", "C11", version=1),
        badge("b-12", "C6"),  # taken by line 6, the batch before
        badge("old", "TAKEN", version=4, **stamps),  # the table's item, as the file gives it
        badge("b-14", "C14"),
    ]


def write_file(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    return path


def seed(target: Deployed) -> None:
    """The item already in the table: badge "old", holding TAKEN (version 1, stamped now)."""
    db = connect(target.design, dynamodb=target.client)
    cls = target.design.entity("Badge").struct
    db.repo(cls).put(cls(badge_id="old", code="TAKEN"))


def expected_table() -> dict[tuple[str, str], dict[str, Any]]:
    """Every item (badges and markers) that a load of the file leaves in a seeded table."""
    rejected = {line for line, _ in REJECTS}
    badges: dict[str, dict[str, Any]] = {}
    for line, record in enumerate(records(), 1):
        if line not in rejected:
            badges[record["badge_id"]] = {k: v for k, v in record.items() if k != "entity"}
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for badge_id, fields in badges.items():
        item = {"PK": f"BADGE#{badge_id}", "SK": "BADGE", "_type": "Badge", **fields}
        item["version"] = str(fields.get("version", 0))
        for stamp in ("created", "updated"):
            if stamp in item:
                item[stamp] = STORED[item[stamp]]
        items[(item["PK"], "BADGE")] = item
        marker = f"_UNIQUE#Badge#code#{fields['code']}"
        items[(marker, "_UNIQUE")] = {"PK": marker, "SK": "_UNIQUE", "_type": "_UNIQUE"}
    return items
