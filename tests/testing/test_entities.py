"""``modelkit.testing.entities``: instances of every entity of every shipped schema that keep
their fields' constraints, round-trip through the item codec, build keys in every index, and
can be written to DynamoDB (moto) and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

import modelkit
from modelkit.codec import item_codec
from modelkit.dynamo import connect, deploy
from modelkit.schema import keys_for
from modelkit.testing import entities
from modelkit.testing.entities import typed
from tests.services import DUMMY_AWS_ENV

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = sorted((ROOT / "schemas").glob("*.py")) + sorted((ROOT / "schemas/models").glob("*.py"))
CASES = [
    (path, entity.name) for path in SCHEMAS for entity in modelkit.load_design(str(path)).entities
]
FEW = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize(("path", "name"), CASES, ids=lambda c: getattr(c, "stem", c))
def test_instances_keep_constraints_round_trip_and_build_keys(path: Path, name: str) -> None:
    design = modelkit.load_design(str(path))
    entity = design.entity(name)
    codec = item_codec(entity.struct)
    keys = keys_for(design)[name]

    @FEW
    @given(entities(design, name))
    def check(obj: Any) -> None:
        assert type(obj) is entity.struct
        msgspec.convert(msgspec.to_builtins(obj), entity.struct)  # constraints hold
        assert codec.decode(codec.encode(obj)) == obj
        attributes = keys.key_attributes(obj)
        assert attributes[design.pk] and (design.sk is None or attributes[design.sk])

    check()


def test_meta_constraints_bound_the_values() -> None:
    from typing import Annotated

    small = Annotated[int, msgspec.Meta(ge=1, le=5)]
    short = Annotated[str, msgspec.Meta(min_length=2, max_length=4)]

    @FEW
    @given(typed(small), typed(short), typed(short | None))
    def check(number: int, text: str, maybe: str | None) -> None:
        assert 1 <= number <= 5 and 2 <= len(text) <= 4
        assert maybe is None or 2 <= len(maybe) <= 4

    check()


def test_drawn_instances_can_be_written_and_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in DUMMY_AWS_ENV.items():
        monkeypatch.setenv(key, value)
    design = modelkit.load_design(str(ROOT / "schemas/ecommerce.py"))
    with mock_aws():
        db = connect(design)
        deploy(design, db.client)
        strategies = st.one_of([entities(design, e.name) for e in design.entities])

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        @given(strategies)
        def check(obj: Any) -> None:
            repo = db.repo(type(obj))
            stored = repo.put(obj)
            key = repo.shape.keys.primary_key(stored)
            assert key
            assert repo.get(repo.shape.keys.parse("primary", *key.values())) == stored

        check()
