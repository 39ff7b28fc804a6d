"""Loading an entity with unique fields: one transaction a record with its markers, a taken
value rejected as FILE:LINE, the same table and rejects after an interruption and with
several threads. On moto's server; dynalite has no transactions, so it refuses the load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from load_helpers import TEAM_SCHEMA, Deployed, Interrupt, crashing, scan
from unique_data import LOADED, REJECTS, expected_table, rejects_of, seed, write_file

from modelkit.cli import main
from modelkit.dynamo import DynamoClient, connect_dynamodb
from modelkit.errors import LoadError
from modelkit.load import Batch, load


def assert_loaded(team: Deployed, data: Path) -> None:
    """The table holds exactly what the file gives, and the rejects file its rejects."""
    assert scan(team) == expected_table()
    rejects = rejects_of(data.with_name(data.name + ".rejects.jsonl"))
    assert [(r["line"], r["error"]) for r in rejects] == REJECTS
    assert not data.with_name(data.name + ".load-checkpoint").exists()


def test_taken_values_are_rejected_with_their_lines(team_moto: Deployed, tmp_path: Path) -> None:
    team = team_moto
    seed(team)
    data = write_file(tmp_path / "team.jsonl")
    result = load(team.design, data, team.client, table=team.design.name)
    assert (result.loaded, result.rejected, result.skipped) == (LOADED, len(REJECTS), 0)
    assert result.messages == [f"{data}:{line}: {error}" for line, error in REJECTS]
    assert_loaded(team, data)
    taken = rejects_of(tmp_path / "team.jsonl.rejects.jsonl")[0]
    assert (taken["user_id"], taken["email"], taken["handle"]) == ("u-26", "dup@example.com", "h26")


@pytest.mark.parametrize("threads", [1, 4])
def test_the_cli_reports_taken_values_and_a_rerun_changes_nothing(
    team_moto: Deployed, team_serial: Deployed, tmp_path: Path, threads: int
) -> None:
    team = team_moto if threads == 1 else team_serial
    seed(team)
    data = write_file(tmp_path / "team.jsonl")
    rejects = tmp_path / "team.jsonl.rejects.jsonl"
    for _ in range(2):  # the second run puts the same items again: none is its own violation
        result = run(team, str(data), "--threads", str(threads))
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [f"{data}:{line}: {error}" for line, error in REJECTS]
        assert result.stdout.startswith(
            f"loaded {LOADED}, rejected {len(REJECTS)} (see {rejects}), "
        )
        assert result.stdout.rstrip().endswith("items/s")
        assert_loaded(team, data)


def run(team: Deployed, *args: str) -> Result:
    argv = ["load", str(TEAM_SCHEMA), *args, "--endpoint-url", team.url]
    return CliRunner().invoke(main, [*argv, "--table", team.design.name, "--quiet"])


@pytest.mark.parametrize("threads", [1, 4])
def test_an_interrupted_load_resumes_to_the_same_table_and_rejects(
    team_moto: Deployed, team_serial: Deployed, tmp_path: Path, threads: int
) -> None:
    team = team_moto if threads == 1 else team_serial
    seed(team)
    data = write_file(tmp_path / "team.jsonl")
    acknowledged: list[Batch] = []

    def stop_after_two(batch: Batch) -> None:
        acknowledged.append(batch)
        if len(acknowledged) == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        load(
            team.design,
            data,
            team.client,
            table=team.design.name,
            threads=threads,
            after_batch=stop_after_two,
        )
    # the second batch's rejects, found writing (26, 33, 44) or reading (40), are counted
    checkpoint = json.loads((tmp_path / "team.jsonl.load-checkpoint").read_text())
    assert (checkpoint["records"], checkpoint["loaded"], checkpoint["rejected"]) == (51, 47, 4)
    assert [(b.end, b.loaded, b.rejected) for b in acknowledged] == [(25, 25, 0), (51, 47, 4)]
    rejects = tmp_path / "team.jsonl.rejects.jsonl"
    assert checkpoint["rejects_bytes"] == rejects.stat().st_size
    assert [(r["line"], r["error"]) for r in rejects_of(rejects)] == REJECTS[:4]

    result = load(team.design, data, team.client, table=team.design.name, threads=threads)
    assert (result.skipped, result.resumed) == (51, 47)
    assert (result.loaded, result.rejected) == (LOADED, len(REJECTS))
    assert result.messages == [f"{data}:{line}: {error}" for line, error in REJECTS[4:]]
    assert_loaded(team, data)


def sent_twice(url: str, transaction: int) -> DynamoClient:
    """A client that sends its ``transaction``-th TransactWriteItems a second time once it is
    applied, as botocore retries one that timed out, and answers with the second answer
    (moto ignores the idempotency token that makes DynamoDB answer it as the first)."""
    client = connect_dynamodb(endpoint_url=url)
    send = client.call
    count = [0]

    def call(operation: str, request: Any) -> dict[str, Any]:
        if operation == "TransactWriteItems":
            count[0] += 1
            if count[0] == transaction:
                send(operation, request)
        return send(operation, request)

    client.call = call  # type: ignore[method-assign]
    return client


def test_a_retried_transaction_that_was_applied_loads_its_record(
    team_moto: Deployed, tmp_path: Path
) -> None:
    team = team_moto
    seed(team)
    data = write_file(tmp_path / "team.jsonl")
    # transaction 3 is line 3's, which claims user3@example.com and h3
    result = load(team.design, data, sent_twice(team.url, 3), table=team.design.name)
    assert (result.loaded, result.rejected) == (LOADED, len(REJECTS))
    assert_loaded(team, data)


def test_a_load_stopped_inside_a_batch_puts_its_records_again(
    team_moto: Deployed, tmp_path: Path
) -> None:
    team = team_moto
    seed(team)
    data = write_file(tmp_path / "team.jsonl")
    # transaction 35 is line 37's: lines 26 to 36 of the second batch are written (26 and 33
    # rejected) but not acknowledged
    with pytest.raises(Interrupt):
        load(team.design, data, crashing(team.url, 35), table=team.design.name)
    checkpoint = json.loads((tmp_path / "team.jsonl.load-checkpoint").read_text())
    assert (checkpoint["records"], checkpoint["loaded"], checkpoint["rejected"]) == (25, 25, 0)
    written = scan(team)
    assert ("USER#u-36", "USER") in written and ("USER#u-37", "USER") not in written
    assert not (tmp_path / "team.jsonl.rejects.jsonl").exists()

    result = load(team.design, data, team.client, table=team.design.name)
    assert (result.skipped, result.loaded, result.rejected) == (25, LOADED, len(REJECTS))
    assert_loaded(team, data)


def test_dynalite_refuses_the_load_in_one_line(team_dynalite: Deployed, tmp_path: Path) -> None:
    team = team_dynalite
    data = write_file(tmp_path / "team.jsonl")
    message = (
        r"User has unique fields \(email, handle\), written one record a transaction, and this "
        r"endpoint has no transactions \(TransactWriteItems: UnknownOperationException\); "
        r"load it into DynamoDB or moto$"
    )
    with pytest.raises(LoadError, match=message):
        load(team.design, data, team.client, table=team.design.name)
    assert set(scan(team)) == {("USER#u-01", "NOTE#n10")}  # the first batch's note, no user
    result = run(team, str(data))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "has no transactions" in result.stderr
