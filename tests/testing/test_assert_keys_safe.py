"""``modelkit.testing.assert_keys_safe`` passes on every schema modelkit ships and on the
adversarial design, and fails, naming the property, on designs whose keys were broken on
purpose (deliberate faults patched into the compiled key formats)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

import modelkit
from modelkit import Key, Table
from modelkit.schema import TableDesign, keys_for
from modelkit.testing import adversarial_text, assert_keys_safe
from tests.keys._synthetic import design as adversarial_design

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", sorted((ROOT / "schemas").glob("*.py")), ids=lambda p: p.stem)
def test_every_shipped_schema_is_key_safe(path: Path) -> None:
    assert_keys_safe(modelkit.load_design(str(path)), max_examples=20)


def test_the_adversarial_design_is_key_safe_under_adversarial_text() -> None:
    assert_keys_safe(adversarial_design, max_examples=20, text=adversarial_text())


def scores() -> TableDesign:
    table = Table("scores", pk="PK", sk="SK")

    @table.entity(key=Key(pk="GAME#{game}", sk="SCORE#{points}#{player}"))
    class Score(msgspec.Struct, kw_only=True):
        game: str
        points: int
        player: str

    @table.entity(key=Key(pk="PLAYER#{player}", sk="PROFILE"))
    class Player(msgspec.Struct, kw_only=True):
        player: str

    return table.compile()


def test_a_sort_key_out_of_order_fails_as_ordered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deliberate fault: the score sort key with unpadded numbers ("SCORE#10" < "SCORE#9")."""
    design = scores()
    _, sk = keys_for(design)["Score"].formats["primary"]
    assert sk is not None

    def unpadded(values: Any) -> str:
        return f"SCORE#{values['points']}#{values['player']}"

    def parse(key: str) -> dict[str, Any]:
        _, points, player = key.split("#", 2)
        return {"points": int(points), "player": player}

    monkeypatch.setattr(sk, "format_map", unpadded)
    monkeypatch.setattr(sk, "parse", parse)
    with pytest.raises(AssertionError, match="ordered: Score, index primary"):
        assert_keys_safe(design)


def test_a_key_that_drops_a_value_fails_as_invertible(monkeypatch: pytest.MonkeyPatch) -> None:
    design = scores()
    pk, _ = keys_for(design)["Player"].formats["primary"]
    monkeypatch.setattr(pk, "parse", lambda key: {"player": key.split("#", 1)[1][:3]})
    with pytest.raises(AssertionError, match="invertible: Player, index primary"):
        assert_keys_safe(design)


def test_keys_that_collide_fail_as_injective(monkeypatch: pytest.MonkeyPatch) -> None:
    design = scores()
    pk, _ = keys_for(design)["Player"].formats["primary"]
    monkeypatch.setattr(pk, "format_map", lambda values: "PLAYER#x")
    monkeypatch.setattr(pk, "parse", lambda key: {"player": "x"})
    with pytest.raises(AssertionError, match="injective: primary keys"):
        assert_keys_safe(design)
