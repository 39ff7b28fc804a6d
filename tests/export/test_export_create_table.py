"""create-table export: the AWS CLI creates each design's table on moto server and on dynalite
from the exported JSON, and DescribeTable shows the keys, indexes, billing and stream of the
design; on moto the TTL request is applied too.

Per service, every design's commands run in one AWS CLI process (``aws_cli_batch``); one test
runs the ``aws`` executable itself, end to end.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from export_checks import DESIGN_FILES, DESIGN_IDS, assert_table_matches, load
from services import DUMMY_AWS_ENV, aws_cli, aws_cli_batch, aws_json

from modelkit.export import create_table_input, export, ttl_input
from modelkit.schema import TableDesign

Run = dict[str, subprocess.CompletedProcess[str]]


def _run_all(url: str, folder: Path, ttl: bool) -> dict[Path, Run]:
    """For each design: create-table, describe-table, (TTL and its description), delete-table."""
    steps: list[tuple[Path, str]] = []
    commands: list[list[str]] = []

    def add(path: Path, step: str, *command: str) -> None:
        steps.append((path, step))
        commands.append(["dynamodb", *command])

    for path in DESIGN_FILES:
        design = load(path)
        request = folder / f"{path.stem}.create-table.json"
        request.write_text(export(design, "create-table"))
        add(path, "create", "create-table", "--cli-input-json", f"file://{request}")
        add(path, "describe", "describe-table", "--table-name", design.name)
        ttl_request = ttl_input(design)
        if ttl and ttl_request is not None:
            ttl_file = folder / f"{path.stem}.ttl.json"
            ttl_file.write_text(json.dumps(ttl_request))
            add(path, "ttl", "update-time-to-live", "--cli-input-json", f"file://{ttl_file}")
            add(path, "describe-ttl", "describe-time-to-live", "--table-name", design.name)
        add(path, "delete", "delete-table", "--table-name", design.name)
    runs: dict[Path, Run] = {p: {} for p in DESIGN_FILES}
    for (path, step), done in zip(steps, aws_cli_batch(commands, endpoint_url=url), strict=True):
        runs[path][step] = done
    return runs


@pytest.fixture(scope="module")
def moto_runs(moto_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Run]:
    return _run_all(moto_server_url, tmp_path_factory.mktemp("moto"), ttl=True)


@pytest.fixture(scope="module")
def dynalite_runs(dynalite_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Run]:
    return _run_all(dynalite_url, tmp_path_factory.mktemp("dynalite"), ttl=False)


def _output(run: Run, step: str) -> Any:
    done = run[step]
    assert done.returncode == 0, f"aws {step} failed: {done.stderr}"
    return json.loads(done.stdout)


def _design(name: str) -> TableDesign:
    return load(next(p for p in DESIGN_FILES if p.name == name))


def _client(url: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=url,
        region_name=DUMMY_AWS_ENV["AWS_DEFAULT_REGION"],
        aws_access_key_id=DUMMY_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )


def test_designs_cover_the_examples_and_the_test_designs() -> None:
    assert any(p.parent.name == "schemas" for p in DESIGN_FILES)
    assert {p.name for p in DESIGN_FILES} >= {
        "ecommerce.py",
        "design_inventory.py",
        "design_sessions.py",
        "design_global.py",
    }


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_export_text_is_the_create_table_input(path: Path) -> None:
    design = load(path)
    assert json.loads(export(design, "create-table")) == create_table_input(design)


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_moto_server_creates_the_designed_table(path: Path, moto_runs: dict[Path, Run]) -> None:
    design, run = load(path), moto_runs[path]
    assert _output(run, "create")["TableDescription"]["TableName"] == design.name
    table = _output(run, "describe")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert_table_matches(table, design, streams=True)
    assert _output(run, "delete")["TableDescription"]["TableName"] == design.name
    if design.ttl_attribute is None:
        assert "ttl" not in run
        return
    assert _output(run, "ttl")["TimeToLiveSpecification"] == {
        "Enabled": True,
        "AttributeName": design.ttl_attribute,
    }
    assert _output(run, "describe-ttl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": design.ttl_attribute,
    }


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_dynalite_creates_the_designed_table(path: Path, dynalite_runs: dict[Path, Run]) -> None:
    design, run = load(path), dynalite_runs[path]
    assert _output(run, "create")["TableDescription"]["TableName"] == design.name
    table = _output(run, "describe")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert_table_matches(table, design, streams=False)
    # dynalite accepts a StreamSpecification but neither keeps nor reports it.
    assert "StreamSpecification" not in table
    assert "LatestStreamArn" not in table
    assert _output(run, "delete")["TableDescription"]["TableName"] == design.name


@pytest.mark.parametrize("service", ["moto_server_url", "dynalite_url"])
def test_aws_executable_creates_the_table(
    service: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The `aws` executable itself, end to end, on both services."""
    design = _design("design_inventory.py")
    source = tmp_path / "create-table.json"
    source.write_text(export(design, "create-table"))
    url = request.getfixturevalue(service)
    aws_cli("dynamodb", "create-table", "--cli-input-json", f"file://{source}", endpoint_url=url)
    try:
        table = aws_json(
            "dynamodb", "describe-table", "--table-name", design.name, endpoint_url=url
        )
        # dynalite accepts a stream specification but does not keep it
        assert_table_matches(table["Table"], design, streams=service == "moto_server_url")
    finally:
        _client(url).delete_table(TableName=design.name)


def test_dynalite_does_not_implement_update_time_to_live(dynalite_url: str, tmp_path: Path) -> None:
    design = _design("design_sessions.py")
    client = _client(dynalite_url)
    client.create_table(**create_table_input(design))
    try:
        request = tmp_path / "ttl.json"
        request.write_text(json.dumps(ttl_input(design)))
        done = aws_cli(
            "dynamodb",
            "update-time-to-live",
            "--cli-input-json",
            f"file://{request}",
            endpoint_url=dynalite_url,
            check=False,
        )
        assert done.returncode != 0
        assert "UnknownOperationException" in done.stderr
        shown = client.describe_time_to_live(TableName=design.name)["TimeToLiveDescription"]
        assert shown == {"TimeToLiveStatus": "DISABLED"}
    finally:
        client.delete_table(TableName=design.name)


def test_ttl_input() -> None:
    assert ttl_input(_design("design_sessions.py")) == {
        "TableName": "user_sessions",
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"},
    }
    assert ttl_input(_design("ecommerce.py")) is None


def test_empty_parts_are_omitted() -> None:
    request = create_table_input(_design("design_sessions.py"))
    assert request == {
        "TableName": "user_sessions",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }


def test_provisioned_indexes_get_their_own_or_the_table_capacity() -> None:
    request = create_table_input(_design("design_inventory.py"))
    units = {g["IndexName"]: g["ProvisionedThroughput"] for g in request["GlobalSecondaryIndexes"]}
    assert units == {
        "by-sku": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        "by_warehouse": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 4},
    }
    assert "ProvisionedThroughput" not in request["LocalSecondaryIndexes"][0]
    assert request["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
