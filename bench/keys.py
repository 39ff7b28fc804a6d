"""Key formatting and parsing against a hand-written baseline.

Formats and parses the ecommerce Order's sort key ``ORDER#{placed_at}#{order_id}`` with
modelkit's KeyFormat (``format_obj`` on a Struct, ``parse``) and with an f-string / split
doing the same datetime work without escaping or checks. Prints ops/s and ratios; exits 1
if formatting is more than ``FORMAT_TARGET`` times slower than the baseline.

Run: ``python bench/keys.py``
"""

from __future__ import annotations

import datetime as dt
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

import modelkit

FORMAT_TARGET = 3.0
REPEATS = 5
SECONDS_PER_RUN = 0.2
UTC = dt.UTC


def baseline_format(order: Any) -> str:
    utc = order.placed_at.astimezone(UTC).replace(tzinfo=None)
    return f"ORDER#{utc.isoformat(timespec='microseconds')}Z#{order.order_id}"


def baseline_parse(key: str) -> dict[str, Any]:
    _, placed_at, order_id = key.split("#")
    return {"placed_at": dt.datetime.fromisoformat(placed_at), "order_id": order_id}


def rate(fn: Callable[[], object]) -> float:
    """Best ops/s over REPEATS runs of about SECONDS_PER_RUN each."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * SECONDS_PER_RUN / 0.2))
    return number / min(timer.repeat(repeat=REPEATS, number=number))


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    design = modelkit.load_design(str(root / "schemas" / "ecommerce.py"))
    sort_key = modelkit.keys_for(design)["Order"].formats["primary"][1]
    assert sort_key is not None
    placed_at = dt.datetime(
        2024, 5, 1, 14, 30, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))
    )
    order = msgspec.convert(
        {
            "customer_id": "c-42",
            "order_id": "o-20240501-0042",
            "placed_at": placed_at,
            "status": "PLACED",
            "total": "19.99",
        },
        type=design.entity("Order").struct,
    )
    key = sort_key.format_obj(order)
    assert key is not None and key == baseline_format(order), (key, baseline_format(order))
    parsed = sort_key.parse(key)
    assert parsed == baseline_parse(key), (parsed, baseline_parse(key))
    ratio = compare(
        key,
        lambda: sort_key.format_obj(order),
        lambda: baseline_format(order),
        lambda: sort_key.parse(key),
        lambda: baseline_parse(key),
    )
    print("for information, keys of str ids only (no datetime work on either side):\n")
    str_key_cases()
    verdict = "met" if ratio <= FORMAT_TARGET else "MISSED"
    print(
        f"target: format of the Order sort key within {FORMAT_TARGET:g}x of the baseline: "
        f"{verdict} ({ratio:.2f}x)"
    )
    return 0 if ratio <= FORMAT_TARGET else 1


def compare(
    key: str,
    mine_format: Callable[[], object],
    base_format: Callable[[], object],
    mine_parse: Callable[[], object],
    base_parse: Callable[[], object],
) -> float:
    """Print format and parse rates of one key; return the format ratio."""
    fmt_mk, fmt_base = rate(mine_format), rate(base_format)
    parse_mk, parse_base = rate(mine_parse), rate(base_parse)
    print(f"key: {key}")
    print(f"{'':8}{'modelkit':>14}{'baseline':>14}{'slower by':>11}")
    for name, mine, base in (("format", fmt_mk, fmt_base), ("parse", parse_mk, parse_base)):
        print(f"{name:8}{mine:>10,.0f} /s{base:>10,.0f} /s{base / mine:>10.2f}x")
    print()
    return fmt_base / fmt_mk


def str_key_cases() -> list[float]:
    """A key of two str ids (saas Membership in GSI1), with plain and dashed ids.

    Letters and digits skip escaping at the cost of one ``isalnum``; a ``-`` costs a
    ``replace`` more; anything else a regex search.
    """
    root = Path(__file__).resolve().parent.parent
    design = modelkit.load_design(str(root / "schemas" / "saas.py"))
    pk = modelkit.keys_for(design)["Membership"].formats["GSI1"][0]
    struct = design.entity("Membership").struct
    ratios = []
    for tenant_id, user_id in (("acme", "u1234567"), ("acme-corp", "u-1234-5678")):
        member = msgspec.convert(
            {
                "tenant_id": tenant_id,
                "project_id": "p1",
                "user_id": user_id,
                "role": "admin",
                "added_at": "2024-05-01T12:00:00Z",
            },
            type=struct,
        )

        def baseline(m: Any = member) -> str:
            return f"TENANT#{m.tenant_id}#USER#{m.user_id}"

        def baseline_split(k: str) -> dict[str, str]:
            _, tenant, _, user = k.split("#")
            return {"tenant_id": tenant, "user_id": user}

        key = pk.format_obj(member)
        assert key == baseline(), (key, baseline())
        assert pk.parse(key) == baseline_split(key)
        ratios.append(
            compare(
                key,
                lambda m=member: pk.format_obj(m),
                baseline,
                lambda k=key: pk.parse(k),
                lambda k=key: baseline_split(k),
            )
        )
    return ratios


if __name__ == "__main__":
    sys.exit(main())
