"""modelkit.load against dynalite and moto's server: JSON, JSONL and CSV files, rejects with
their lines, resuming an interrupted load, unusable input."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from load_helpers import Deployed, scan

from modelkit.errors import LoadError
from modelkit.load import Batch, load


def order(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "entity": "Order",
        "customer_id": f"c-{i % 7}",
        "order_id": f"o-{i:05d}",
        "placed_at": f"2024-03-{1 + i % 28:02d}T10:00:00Z",
        "status": "PAID",
        "total": f"{i}.50",
        **extra,
    }


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def order_keys(records: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {
        (f"CUSTOMER#{r['customer_id']}", f"ORDER#{r['placed_at'][:-1]}.000000Z#{r['order_id']}")
        for r in records
    }


def test_jsonl_of_two_entities_loads_every_record(shop: Deployed, tmp_path: Path) -> None:
    customer = {
        "_type": "Customer",
        "customer_id": "c-1",
        "email": "ann@example.com",
        "name": "Ann",
        "created_at": "2024-01-01T00:00:00Z",
    }
    orders = [order(i) for i in range(60)]
    data = write_jsonl(tmp_path / "shop.jsonl", [customer, *orders])
    result = load(shop.design, data, shop.client, table=shop.design.name)
    assert (result.loaded, result.rejected, result.skipped) == (61, 0, 0)
    assert result.items_per_second > 0
    items = scan(shop)
    assert len(items) == 61
    assert set(items) == order_keys(orders) | {("CUSTOMER#c-1", "PROFILE")}
    assert items[("CUSTOMER#c-1", "PROFILE")]["email"] == "ann@example.com"
    stored = items[("CUSTOMER#c-3", "ORDER#2024-03-11T10:00:00.000000Z#o-00010")]
    assert (stored["_type"], Decimal(stored["total"]), stored["status"]) == (
        "Order",
        Decimal("10.50"),
        "PAID",
    )
    assert not (tmp_path / "shop.jsonl.rejects.jsonl").exists()
    assert not (tmp_path / "shop.jsonl.load-checkpoint").exists()


def test_json_array_rejects_carry_their_lines(shop: Deployed, tmp_path: Path) -> None:
    good = [order(i) for i in range(5)]
    bad_status = order(5, status="LOST")
    unknown = {"entity": "Invoice", "id": 1}
    long_key = order(6, customer_id="x" * 3000)
    records = [good[0], bad_status, good[1], unknown, good[2], long_key, good[3], good[4]]
    data = tmp_path / "orders.json"
    data.write_text(json.dumps(records, indent=2), encoding="utf-8")
    lines = data.read_text().splitlines()
    starts = [n for n, text in enumerate(lines, 1) if text == "  {"]
    result = load(shop.design, data, shop.client, table=shop.design.name)
    assert (result.loaded, result.rejected) == (5, 3)
    assert set(scan(shop)) == order_keys(good)
    rejects = [
        json.loads(t) for t in (tmp_path / "orders.json.rejects.jsonl").read_text().splitlines()
    ]
    assert [r["line"] for r in rejects] == [starts[1], starts[3], starts[5]]
    assert rejects[0]["status"] == "LOST" and "status" in rejects[0]["error"]
    assert rejects[1]["error"] == "unknown entity 'Invoice' (known: Customer, Order, OrderLine)"
    assert "PK would be" in rejects[2]["error"] and "2048" in rejects[2]["error"]
    assert result.messages[0].startswith(f"{data}:{starts[1]}: Order: ")
    assert result.rejects_file == tmp_path / "orders.json.rejects.jsonl"
    # the rejects file, fixed, loads as it is (line and error are ignored fields)
    fixed = [{**r, "status": "PAID"} for r in rejects[:1]]
    again = load(
        shop.design, write_jsonl(tmp_path / "fix.jsonl", fixed), shop.client, table=shop.design.name
    )
    assert (again.loaded, again.rejected) == (1, 0)
    assert len(scan(shop)) == 6


def test_csv_converts_strings_with_one_entity(shop: Deployed, tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    data.write_text(
        "customer_id,order_id,placed_at,status,total,ship_shard\n"
        "c-1,o-1,2024-03-01T10:00:00Z,PAID,12.50,3\n"
        "c-1,o-2,2024-03-02T10:00:00Z,PLACED,7,\n"
        "c-2,o-3,2024-03-03T10:00:00Z,PAID,abc,1\n"
        "c-2,o-4,2024-03-04T10:00:00Z,PAID,1,12\n",
        encoding="utf-8",
    )
    result = load(shop.design, data, shop.client, table=shop.design.name, entity="Order")
    assert (result.loaded, result.rejected) == (2, 2)
    assert [m.split(": ")[0] for m in result.messages] == [f"{data}:4", f"{data}:5"]
    assert "total" in result.messages[0] and "ship_shard" in result.messages[1]
    items = scan(shop)
    first = items[("CUSTOMER#c-1", "ORDER#2024-03-01T10:00:00.000000Z#o-1")]
    second = items[("CUSTOMER#c-1", "ORDER#2024-03-02T10:00:00.000000Z#o-2")]
    assert (Decimal(first["total"]), first["ship_shard"]) == (Decimal("12.50"), "3")
    assert "ship_shard" not in second and second["status"] == "PLACED"


class Interrupt(Exception):
    pass


@pytest.mark.parametrize("threads", [1, 4])
def test_an_interrupted_load_resumes_without_loss_or_duplicates(
    shop_dynalite: Deployed, tmp_path: Path, threads: int
) -> None:
    shop = shop_dynalite
    records: list[Any] = [order(i) for i in range(230)]
    records[40] = order(40, status="LOST")  # a reject before the interruption
    records[200] = order(200, total="many")  # and one after
    data = write_jsonl(tmp_path / "orders.jsonl", records)
    acknowledged: list[int] = []

    def stop_after_three(batch: Batch) -> None:
        acknowledged.append(batch.end)
        if len(acknowledged) == 3:
            raise Interrupt

    with pytest.raises(Interrupt):
        load(
            shop.design,
            data,
            shop.client,
            table=shop.design.name,
            threads=threads,
            after_batch=stop_after_three,
        )
    checkpoint = json.loads((tmp_path / "orders.jsonl.load-checkpoint").read_text())
    assert checkpoint["records"] == acknowledged[2] == 76  # 75 loaded + the reject at 41
    assert (checkpoint["loaded"], checkpoint["rejected"]) == (75, 1)
    assert len(scan(shop)) >= 75

    result = load(shop.design, data, shop.client, table=shop.design.name, threads=threads)
    assert (result.skipped, result.resumed) == (76, 75)
    assert (result.loaded, result.rejected) == (228, 2)
    good = [r for i, r in enumerate(records) if i not in (40, 200)]
    items = scan(shop)
    assert len(items) == 228 and set(items) == order_keys(good)
    assert {Decimal(i["total"]) for i in items.values()} == {Decimal(r["total"]) for r in good}
    rejects = (tmp_path / "orders.jsonl.rejects.jsonl").read_text().splitlines()
    assert [json.loads(r)["line"] for r in rejects] == [41, 201]
    assert not (tmp_path / "orders.jsonl.load-checkpoint").exists()


def test_restart_ignores_the_checkpoint(shop_dynalite: Deployed, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "orders.jsonl", [order(i) for i in range(30)])
    with pytest.raises(Interrupt):
        load(
            shop_dynalite.design,
            data,
            shop_dynalite.client,
            table=shop_dynalite.design.name,
            after_batch=lambda b: (_ for _ in ()).throw(Interrupt),
        )
    result = load(
        shop_dynalite.design,
        data,
        shop_dynalite.client,
        table=shop_dynalite.design.name,
        restart=True,
    )
    assert (result.skipped, result.loaded) == (0, 30)
    assert len(scan(shop_dynalite)) == 30


def test_unusable_input_is_one_load_error(shop_dynalite: Deployed, tmp_path: Path) -> None:
    shop = shop_dynalite
    args = (shop.design,)
    with pytest.raises(LoadError, match=r"missing\.jsonl: cannot read"):
        load(*args, tmp_path / "missing.jsonl", shop.client)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(order(1)) + "\n{not json\n")
    with pytest.raises(LoadError, match=r"broken\.jsonl:2: not JSON"):
        load(*args, broken, shop.client, table=shop.design.name)
    array = tmp_path / "broken.json"
    array.write_text('[\n  {"a": 1},\n  {"a": \n]')
    with pytest.raises(LoadError, match=r"broken\.json:4: not JSON"):
        load(*args, array, shop.client, table=shop.design.name)
    with pytest.raises(LoadError, match=r"has no entity 'Invoice' \(known: Customer, Order"):
        load(*args, write_jsonl(tmp_path / "x.jsonl", [order(1)]), shop.client, entity="Invoice")
    changed = write_jsonl(tmp_path / "c.jsonl", [order(i) for i in range(30)])
    with pytest.raises(Interrupt):
        load(
            *args,
            changed,
            shop.client,
            table=shop.design.name,
            after_batch=lambda b: (_ for _ in ()).throw(Interrupt),
        )
    write_jsonl(changed, [order(i) for i in range(31)])
    with pytest.raises(LoadError, match=r"changed since the checkpoint.*use --restart"):
        load(*args, changed, shop.client, table=shop.design.name)


def test_rejects_alone_end_a_batch(
    shop_dynalite: Deployed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rejects wait in their batch until it is acknowledged, so a run of them ends one."""
    monkeypatch.setattr("modelkit.load._load.REJECTS_A_BATCH", 3)
    shop = shop_dynalite
    records = [order(i, status="LOST") for i in range(7)] + [order(7), order(8)]
    data = write_jsonl(tmp_path / "orders.jsonl", records)
    ends: list[tuple[int, int, int]] = []
    result = load(
        shop.design,
        data,
        shop.client,
        table=shop.design.name,
        after_batch=lambda b: ends.append((b.end, b.loaded, b.rejected)),
    )
    assert ends == [(3, 0, 3), (6, 0, 6), (9, 2, 7)]
    assert (result.loaded, result.rejected) == (2, 7)
    rejects = (tmp_path / "orders.jsonl.rejects.jsonl").read_text().splitlines()
    assert [json.loads(r)["line"] for r in rejects] == list(range(1, 8))
    assert set(scan(shop)) == order_keys(records[7:])
