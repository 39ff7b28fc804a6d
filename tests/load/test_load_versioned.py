"""Loading a versioned entity with unique fields: each record's item is written as the file
gives it (the version neither checked nor incremented, no timestamps stamped), with its
markers, so that one load, a second load of the same file and a load interrupted inside a
batch and resumed give the same table and rejects, at one thread and at four."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from badge_data import BATCH, LOADED, REJECTS, expected_table, seed, write_file
from load_helpers import Deployed, Interrupt, crashing, scan
from unique_data import rejects_of

from modelkit.dynamo import DynamoClient
from modelkit.load import LoadResult, load


def run(team: Deployed, data: Path, threads: int, client: DynamoClient | None = None) -> LoadResult:
    return load(
        team.design,
        data,
        client or team.client,
        table=team.design.name,
        batch=BATCH,
        threads=threads,
    )


def assert_loaded(team: Deployed, data: Path, result: LoadResult, skipped: int = 0) -> None:
    """The table holds exactly the file's items and markers, and the rejects file its
    rejects, each once (the run's messages: those after the ``skipped`` records)."""
    assert (result.loaded, result.rejected, result.skipped) == (LOADED, len(REJECTS), skipped)
    shown = [f"{data}:{line}: {error}" for line, error in REJECTS if line > skipped]
    assert result.messages == shown
    assert scan(team) == expected_table()
    rejects = rejects_of(data.with_name(data.name + ".rejects.jsonl"))
    assert [(r["line"], r["error"]) for r in rejects] == REJECTS
    assert not data.with_name(data.name + ".load-checkpoint").exists()


@pytest.fixture(params=[1, 4], ids=["1-thread", "4-threads"])
def threads(request: pytest.FixtureRequest) -> int:
    threads: int = request.param
    return threads


@pytest.fixture
def team(threads: int, request: pytest.FixtureRequest) -> Deployed:
    """The team table, seeded, on moto's server (one request at a time for four threads)."""
    target: Deployed = request.getfixturevalue("team_moto" if threads == 1 else "team_serial")
    seed(target)
    return target


def test_a_second_load_of_the_file_changes_nothing(
    team: Deployed, threads: int, tmp_path: Path
) -> None:
    data = write_file(tmp_path / "badges.jsonl")
    assert_loaded(team, data, run(team, data, threads))
    again = run(team, data, threads)  # every record put again: none rejected for its version
    assert_loaded(team, data, again)


def test_a_load_stopped_inside_a_batch_resumes_to_the_same_table(
    team: Deployed, threads: int, tmp_path: Path
) -> None:
    data = write_file(tmp_path / "badges.jsonl")
    # with one thread transaction 7 is line 7's: lines 5 and 6 of the second batch are
    # written (5 rejected) but not acknowledged, and are written again when the load resumes
    with pytest.raises(Interrupt):
        run(team, data, threads, crashing(team.url, 7))
    checkpoint = json.loads((tmp_path / "badges.jsonl.load-checkpoint").read_text())
    written = scan(team)
    if threads == 1:
        assert (checkpoint["records"], checkpoint["loaded"], checkpoint["rejected"]) == (4, 3, 1)
        assert written[("BADGE#b-06", "BADGE")]["version"] == "2"
        assert ("BADGE#b-08", "BADGE") not in written
    else:
        assert checkpoint["records"] < len(REJECTS) + LOADED
    assert_loaded(team, data, run(team, data, threads), checkpoint["records"])
