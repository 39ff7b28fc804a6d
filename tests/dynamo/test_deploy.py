"""deploy: every example schema on moto in-process, moto server and dynalite.

What each backend lacks is asserted, never skipped: dynalite keeps no streams, does not
implement UpdateTimeToLive and accepts UpdateTable's GSI creation without creating the index;
deploy reports each (warnings for TTL and streams, a difference for the index).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from click.testing import CliRunner
from services import DUMMY_AWS_ENV, ROOT, free_port, start

import modelkit
from modelkit.cli import main
from modelkit.dynamo._connection import DynamoClient, connect_dynamodb
from modelkit.dynamo._deploy import deploy
from modelkit.dynamo._deploy_plan import plan_update
from modelkit.dynamo._deploy_report import DeployReport
from modelkit.errors import DynamoError, TableNotFound
from modelkit.export import create_table_input
from modelkit.schema import IndexDesign, Projection, Provisioned, TableDesign

if TYPE_CHECKING:
    from conftest import Backend

SCHEMAS = sorted((ROOT / "schemas").glob("*.py"))
TTL_UNSUPPORTED = (
    "TTL on expires_at not set: the endpoint does not implement UpdateTimeToLive "
    "(UnknownOperationException); items do not expire there"
)


def _named(design: TableDesign, name: str) -> TableDesign:
    return msgspec.structs.replace(design, name=name)


def _with_gsi(design: TableDesign, name: str, **projection: Any) -> TableDesign:
    index = IndexDesign(name, "gsi", f"{name}PK", f"{name}SK", Projection(**projection))
    return msgspec.structs.replace(design, indexes=(*design.indexes, index))


def _describe(dynamo: DynamoClient, name: str) -> dict[str, Any]:
    table: dict[str, Any] = dynamo.call("DescribeTable", {"TableName": name})["Table"]
    return table


def _shape(index: dict[str, Any]) -> tuple[str, list[Any], str, list[str]]:
    projection = index["Projection"]
    attributes = sorted(projection.get("NonKeyAttributes", ()))
    return index["IndexName"], index["KeySchema"], projection["ProjectionType"], attributes


def _assert_matches(table: dict[str, Any], design: TableDesign, backend: Backend) -> None:
    """DescribeTable agrees with the CreateTable input deploy sends (export's own)."""
    wanted = create_table_input(design)
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == wanted["KeySchema"]
    assert {d["AttributeName"] for d in table["AttributeDefinitions"]} == set(
        design.key_attributes()
    )
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        found = sorted(_shape(i) for i in table.get(kind) or ())
        assert found == sorted(_shape(i) for i in wanted.get(kind, ())), kind
    for index in table.get("GlobalSecondaryIndexes") or ():
        assert index["IndexStatus"] == "ACTIVE"
    mode = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    assert mode == wanted["BillingMode"]
    if isinstance(design.billing, Provisioned):
        units = table["ProvisionedThroughput"]
        assert (units["ReadCapacityUnits"], units["WriteCapacityUnits"]) == (
            design.billing.rcu,
            design.billing.wcu,
        )
    stream = table.get("StreamSpecification", {})
    if backend.name == "dynalite" or design.stream is None:
        assert not stream.get("StreamEnabled")
    else:
        assert stream == {"StreamEnabled": True, "StreamViewType": design.stream}


def _ttl(dynamo: DynamoClient, name: str) -> dict[str, Any]:
    return dynamo.call("DescribeTimeToLive", {"TableName": name})["TimeToLiveDescription"]


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.stem for p in SCHEMAS])
def test_fresh_deploy_creates_the_designed_table_and_again_does_nothing(
    path: Path, backend: Backend, unique_name: Callable[[str], str]
) -> None:
    design = modelkit.load_design(str(path))
    design = _named(design, unique_name(design.name))
    dynamo = backend.client
    report = deploy(design, dynamo)

    _assert_matches(_describe(dynamo, design.name), design, backend)
    texts = [c.text for c in report.changes]
    assert texts[0].startswith(f"create table {design.name}: key PK, SK; GSI GSI1 (GSI1PK")
    assert all(c.done for c in report.changes) and report.ok
    ttl = _ttl(dynamo, design.name)
    warnings = []
    if backend.name == "dynalite" and design.stream is not None:
        warnings.append(
            f"stream {design.stream} not enabled: the endpoint accepted it but reports no "
            "stream (emulators such as dynalite keep none)"
        )
    if design.ttl_attribute is None:
        assert texts == texts[:1]
    elif backend.name == "dynalite":
        assert texts == texts[:1] and ttl == {"TimeToLiveStatus": "DISABLED"}
        warnings.append(TTL_UNSUPPORTED)
    else:
        assert texts[1:] == [f"enable TTL on {design.ttl_attribute}"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": design.ttl_attribute}
    assert report.warnings == warnings

    again = deploy(design, dynamo)
    assert again.up_to_date and again.changes == [] and again.differences == []
    assert again.render().endswith("nothing to do: the table matches the design")
    assert all("not set" in w or "not enabled" in w for w in again.warnings)


def test_report_reads_as_text(backend: Backend, table_name: str) -> None:
    design = _named(modelkit.load_design(str(ROOT / "schemas" / "leaderboard.py")), table_name)
    text = deploy(design, backend.client, dry_run=True).render().splitlines()
    assert text == [
        f"table {table_name} on {backend.client.endpoint} (dry run: nothing is changed)",
        f"  planned   create table {table_name}: key PK, SK; GSI GSI1 (GSI1PK, GSI1SK; "
        "INCLUDE achieved_at, name); GSI GSI2 (GSI2PK, GSI2SK; KEYS_ONLY); on demand",
        "  planned   enable TTL on expires_at",
        "2 change(s) planned",
    ]


def test_dry_run_changes_nothing(backend: Backend, table_name: str) -> None:
    design = _named(modelkit.load_design(str(ROOT / "schemas" / "iot.py")), table_name)
    dynamo = backend.client
    planned = deploy(design, dynamo, dry_run=True)
    assert planned.dry_run and [c.done for c in planned.changes] == [False, False]
    with pytest.raises(TableNotFound):
        _describe(dynamo, table_name)

    deploy(design, dynamo)
    before = _describe(dynamo, table_name)
    bigger = _with_gsi(design, "GSI3")
    planned = deploy(bigger, dynamo, dry_run=True)
    assert planned.changes[0].text == "create GSI GSI3 (GSI3PK, GSI3SK; ALL)"
    assert not planned.changes[0].done
    assert (
        _describe(dynamo, table_name)["GlobalSecondaryIndexes"]
        == (before["GlobalSecondaryIndexes"])
    )


@pytest.mark.parametrize("schema", ["saas", "sessions"])
def test_missing_gsis_are_added_one_per_update(
    backend: Backend, table_name: str, schema: str
) -> None:
    design = _named(modelkit.load_design(str(ROOT / "schemas" / f"{schema}.py")), table_name)
    dynamo = backend.client
    deploy(design, dynamo)
    bigger = _with_gsi(_with_gsi(design, "GSI3"), "GSI4", kind="KEYS_ONLY")
    sent: list[tuple[str, dict[str, Any]]] = []
    call = dynamo.call

    def recording(operation: str, request: Any) -> dict[str, Any]:
        sent.append((operation, request))
        return call(operation, request)

    dynamo.call = recording  # type: ignore[method-assign]
    report = deploy(bigger, dynamo)
    updates = [r for op, r in sent if op == "UpdateTable" and "StreamSpecification" not in r]
    assert [len(u["GlobalSecondaryIndexUpdates"]) for u in updates] == [1, 1]
    defined = [[d["AttributeName"] for d in u["AttributeDefinitions"]] for u in updates]
    assert defined[0][-2:] == ["GSI3PK", "GSI3SK"] and defined[0][:2] == ["PK", "SK"]
    assert defined[1] == [*defined[0], "GSI4PK", "GSI4SK"]
    names = {i["IndexName"] for i in _describe(dynamo, table_name)["GlobalSecondaryIndexes"]}
    if backend.name == "dynalite":
        # dynalite cannot add an index to a table: it refuses one without provisioned
        # capacity, and answers UpdateTable without creating one that has it
        assert names == {"GSI1", "GSI2"} if schema == "saas" else {"GSI1"}
        assert report.changes == [] and not report.ok
        why = (
            "the endpoint refused to create it: UpdateTable on table "
            f"{table_name}: ValidationException: 1 validation error detected: Value null at "
            "'globalSecondaryIndexUpdates.1.member.create.provisionedThroughput' failed to "
            "satisfy constraint: Member must not be null"
            if schema == "saas"
            else "the endpoint accepted UpdateTable but did not create it"
        )
        assert [str(d) for d in report.differences] == [
            f"GSI {n}: the design says {n} ({n}PK, {n}SK; {p}); the table has no such index: " + why
            for n, p in (("GSI3", "ALL"), ("GSI4", "KEYS_ONLY"))
        ]
        return
    assert names == {i.name for i in bigger.gsis}
    assert [c.text for c in report.changes] == [
        "create GSI GSI3 (GSI3PK, GSI3SK; ALL)",
        "create GSI GSI4 (GSI4PK, GSI4SK; KEYS_ONLY)",
    ]
    _assert_matches(_describe(dynamo, table_name), bigger, backend)
    assert deploy(bigger, dynamo).up_to_date


def _create(dynamo: DynamoClient, design: TableDesign, **changes: Any) -> None:
    """Create ``design``'s table with some of CreateTable's parts replaced."""
    dynamo.call("CreateTable", {**create_table_input(design), **changes})


def test_differences_are_reported_and_left_alone(backend: Backend, table_name: str) -> None:
    design = _named(modelkit.load_design(str(ROOT / "schemas" / "ecommerce.py")), table_name)
    request = create_table_input(design)
    units = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    keys_only = {"ProjectionType": "KEYS_ONLY"}
    gsi1 = {**request["GlobalSecondaryIndexes"][0], "ProvisionedThroughput": units}
    _create(
        backend.client,
        design,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": a, "AttributeType": "S"} for a in ("PK", "GSI1PK", "GSI1SK")
        ],
        GlobalSecondaryIndexes=[
            {**gsi1, "Projection": keys_only},
            {**gsi1, "IndexName": "Old", "Projection": keys_only},
        ],
        BillingMode="PROVISIONED",
        ProvisionedThroughput=units,
    )
    before = _describe(backend.client, table_name)
    report = deploy(design, backend.client)
    found = {d.subject: (d.design, d.table) for d in report.differences}
    assert found["key"] == ("PK, SK", "PK")
    assert found["billing"] == ("on demand", "provisioned 5 RCU / 5 WCU")
    assert found["GSI GSI1"] == ("GSI1 (GSI1PK, GSI1SK; ALL)", "GSI1 (GSI1PK, GSI1SK; KEYS_ONLY)")
    assert found["GSI Old"] == ("no such index", "Old (GSI1PK, GSI1SK; KEYS_ONLY)")
    assert found["GSI GSI2"] == (
        "GSI2 (GSI2PK, GSI2SK; KEYS_ONLY)",
        "no such index (not created: the table's billing differs from the design's)",
    )
    assert len(found) == 5 and report.changes == []
    assert not report.ok
    after = _describe(backend.client, table_name)
    assert after["KeySchema"] == before["KeySchema"]
    assert {i["IndexName"] for i in after["GlobalSecondaryIndexes"]} >= {"GSI1", "Old"}
    assert "deploy never deletes a table, an index or data" in report.render()


def test_ttl_on_another_attribute_is_a_difference(backend: Backend, table_name: str) -> None:
    design = _named(modelkit.load_design(str(ROOT / "schemas" / "sessions.py")), table_name)
    _create(backend.client, design)
    spec = {"Enabled": True, "AttributeName": "other"}
    other = {"TableName": table_name, "TimeToLiveSpecification": spec}
    if backend.name == "dynalite":
        with pytest.raises(DynamoError) as refused:
            backend.client.call("UpdateTimeToLive", other)
        assert refused.value.code == "UnknownOperationException"
        report = deploy(design, backend.client)
        assert report.ok and report.warnings == [TTL_UNSUPPORTED]
        return
    backend.client.call("UpdateTimeToLive", other)
    report = deploy(design, backend.client)
    assert [str(d) for d in report.differences] == [
        "TTL: the design says TTL on expires_at; the table has TTL ENABLED on other"
    ]
    assert _ttl(backend.client, table_name)["AttributeName"] == "other"


def test_plan_compares_every_part_it_cannot_change() -> None:
    """The comparison alone, on a hand-made DescribeTable of the sessions design."""
    design = modelkit.load_design(str(ROOT / "schemas" / "sessions.py"))
    table = create_table_input(design)
    (gsi,) = table["GlobalSecondaryIndexes"]
    (lsi,) = table.pop("LocalSecondaryIndexes")
    table.update(
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "B"}],
        GlobalSecondaryIndexes=[
            {**gsi, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}
        ],
        LocalSecondaryIndexes=[{**lsi, "IndexName": "Other"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    ttl = {"TimeToLiveStatus": "ENABLED", "AttributeName": "gone_at"}
    plan = plan_update(design, table, ttl)
    assert plan.steps == []
    assert [str(d) for d in plan.differences] == [
        "attribute PK: the design says type S; the table has type B",
        "LSI LSI1: the design says LSI1 (PK, LSI1SK; INCLUDE ip); the table has no such index "
        "(an LSI can only be created with its table)",
        "LSI Other: the design says no such index; the table has Other (PK, LSI1SK; INCLUDE ip)",
        "GSI GSI1 capacity: the design says provisioned 10 RCU / 20 WCU; the table has "
        "provisioned 1 RCU / 1 WCU",
        "stream: the design says no stream; the table has KEYS_ONLY",
        "TTL: the design says TTL on expires_at; the table has TTL ENABLED on gone_at",
    ]
    missing = plan_update(design, {**table, "GlobalSecondaryIndexes": []}, None)
    assert [s.text for s in missing.steps] == [
        "create GSI GSI1 (GSI1PK, GSI1SK; KEYS_ONLY)",
        "enable TTL on expires_at",  # DescribeTimeToLive unknown: try
    ]
    (create,) = missing.steps[0].request["GlobalSecondaryIndexUpdates"]
    assert create["Create"]["ProvisionedThroughput"] == {
        "ReadCapacityUnits": 10,
        "WriteCapacityUnits": 20,
    }


# -- waiting: a dynalite that takes 1.5 s to create a table -----------------------------------


@pytest.fixture(scope="module")
def slow_dynalite() -> Iterator[str]:
    port = free_port()
    argv = [str(ROOT / "node_modules/.bin/dynalite"), "--host", "127.0.0.1", "--port", str(port)]
    service = start("slow dynalite", [*argv, "--createTableMs", "1500"], port)
    try:
        yield service.url
    finally:
        service.stop()


def test_waits_for_active_with_a_clear_timeout(
    slow_dynalite: str, aws_env: None, table_name: str
) -> None:
    dynamo = connect_dynamodb(endpoint_url=slow_dynalite)
    design = _named(modelkit.load_design(str(ROOT / "schemas" / "ecommerce.py")), table_name)
    with pytest.raises(DynamoError) as caught:
        deploy(design, dynamo, timeout=0.3)
    assert caught.value.code == "DeployTimeout"
    assert str(caught.value).startswith(
        f"table {table_name} on {slow_dynalite} is not ACTIVE after 0.3 s (table CREATING, "
    )
    started = time.monotonic()
    report = deploy(design, dynamo, timeout=10)  # the table exists, CREATING: wait, then check
    assert time.monotonic() - started > 0.5
    assert report.ok and report.changes == []
    assert _describe(dynamo, table_name)["TableStatus"] == "ACTIVE"

    quick = _named(design, f"{table_name}-nowait")
    report = deploy(quick, dynamo, wait=False)
    assert report.changes[0].done
    assert _describe(dynamo, quick.name)["TableStatus"] == "CREATING"


# -- the command line -------------------------------------------------------------------------

SCHEMA = """
import msgspec
from modelkit import Index, Key, Table

t = Table({name!r}, pk="PK", sk="SK", indexes=[Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK")])

@t.entity(key=Key(pk="ITEM#{{item_id}}", sk="ITEM"),
          indexes={{"GSI1": Key(pk="ITEMS", sk="ITEM#{{item_id}}")}})
class Item(msgspec.Struct, kw_only=True):
    item_id: str
"""


def _cli(backend: Backend, *args: str) -> Any:
    endpoint = ["--endpoint-url", backend.url] if backend.url else []
    return CliRunner().invoke(main, ["deploy", *args, *endpoint], env=DUMMY_AWS_ENV)


def test_cli_exit_codes(backend: Backend, table_name: str, tmp_path: Path) -> None:
    schema = tmp_path / "schema.py"
    schema.write_text(SCHEMA.format(name=table_name))
    planned = _cli(backend, str(schema), "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert "(dry run: nothing is changed)" in planned.stdout

    done = _cli(backend, str(schema))
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[1].startswith(f"  done      create table {table_name}: ")
    assert _cli(backend, str(schema)).stdout.endswith(
        "nothing to do: the table matches the design\n"
    )

    schema.write_text(SCHEMA.format(name=table_name).replace('sk="SK"', 'sk="SORT"', 1))
    differs = _cli(backend, str(schema))
    assert differs.exit_code == 1
    assert "  differs   key: the design says PK, SORT; the table has PK, SK" in differs.stdout

    missing = _cli(backend, str(tmp_path / "missing.py"))
    assert missing.exit_code == 2 and missing.stderr.startswith("modelkit: ")


def test_cli_unreachable_endpoint_is_one_line_exit_2(aws_env: None, tmp_path: Path) -> None:
    """The real executable: no traceback, one line naming the endpoint."""
    url = f"http://127.0.0.1:{free_port()}"
    schema = tmp_path / "schema.py"
    schema.write_text(SCHEMA.format(name="unreachable"))
    done = subprocess.run(
        [sys.executable, "-m", "modelkit", "deploy", str(schema), "--endpoint-url", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith(f"modelkit: cannot reach DynamoDB at {url} (DescribeTable): ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_report_is_data() -> None:
    report = DeployReport(table="t", endpoint="http://x")
    assert report.ok and report.up_to_date
    assert msgspec.json.decode(msgspec.json.encode(report), type=DeployReport) == report
