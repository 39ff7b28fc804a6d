"""Game leaderboard: players, games, every run a player finishes and their best score per game.

* A player's profile, runs and best scores share the ``PLAYER#{player_id}`` partition, so
  "a player's best scores" is one query on ``BEST#``. Runs expire with TTL; bests stay.
* "Top scores of a game" reads GSI1, sorted by score. One partition per game and mode would
  take every score write of a popular game, so the partition key carries a shard computed
  from the player id (``score_shard``): writes spread over ``SCORE_SHARDS`` partitions, and
  the top N is N items from each shard (descending), merged. The score is an int with
  declared bounds, so its key is a short fixed-width number that sorts numerically.
* Matchmaking (GSI2) is sparse: only players waiting in a queue carry ``queue_bracket``, so
  the index holds just them, grouped by region and bracket and sorted by Decimal rating.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from modelkit import CachePolicy, Index, Key, Table

SCORE_SHARDS = 16
MAX_SCORE = 999_999_999
RUN_RETENTION_DAYS = 30

Score = Annotated[int, msgspec.Meta(ge=0, le=MAX_SCORE)]
ScoreShard = Annotated[int, msgspec.Meta(ge=0, lt=SCORE_SHARDS)]
Bracket = Annotated[int, msgspec.Meta(ge=0, le=99)]
Mode = Literal["solo", "duo", "squad"]


class Region(enum.StrEnum):
    EU = "eu"
    NA = "na"
    SA = "sa"
    APAC = "apac"


def score_shard(player_id: uuid.UUID) -> int:
    """The GSI1 shard of a player's scores: fixed per player, so a player's entry is unique."""
    return player_id.int % SCORE_SHARDS


board = Table(
    "leaderboard",
    pk="PK",
    sk="SK",
    indexes=[
        Index.gsi(
            "GSI1", pk="GSI1PK", sk="GSI1SK", projection="INCLUDE", include=["name", "achieved_at"]
        ),
        Index.gsi("GSI2", pk="GSI2PK", sk="GSI2SK", projection="KEYS_ONLY"),
    ],
    ttl="expires_at",
    doc="Players, games, runs and per-game best scores with sharded top-score lists.",
)


@board.entity(
    key=Key(pk="PLAYER#{player_id}", sk="PROFILE"),
    indexes={"GSI2": Key(pk="QUEUE#{region}#{queue_bracket}", sk="{rating}#{player_id}")},
    cache=CachePolicy(ttl=300),
)
class Player(msgspec.Struct, kw_only=True):
    """A player; ``queue_bracket`` is set only while waiting for a match."""

    player_id: uuid.UUID
    name: Annotated[str, msgspec.Meta(max_length=32)]
    region: Region
    rating: Decimal
    queue_bracket: Bracket | None = None


@board.entity(key=Key(pk="GAME#{game_id}", sk="GAME"), cache=CachePolicy(ttl=3600))
class Game(msgspec.Struct, kw_only=True):
    """A game title; rarely changes, read with every leaderboard page."""

    game_id: str
    title: str
    released: dt.date


@board.entity(
    key=Key(pk="PLAYER#{player_id}", sk="RUN#{game_id}#{achieved_at}"),
    ttl="expires_at",
)
class Run(msgspec.Struct, kw_only=True):
    """One finished run; kept for ``RUN_RETENTION_DAYS`` for the player's history."""

    player_id: uuid.UUID
    game_id: str
    achieved_at: dt.datetime
    mode: Mode
    score: Score
    expires_at: int


@board.entity(
    key=Key(pk="PLAYER#{player_id}", sk="BEST#{game_id}#{mode}"),
    indexes={"GSI1": Key(pk="GAME#{game_id}#MODE#{mode}#SHARD#{shard}", sk="{score}#{player_id}")},
    cache=CachePolicy(ttl=30, cache_queries=True),
)
class BestScore(msgspec.Struct, kw_only=True):
    """A player's best score in a game and mode; ``shard`` is ``score_shard(player_id)``."""

    player_id: uuid.UUID
    game_id: str
    mode: Mode
    shard: ScoreShard
    score: Score
    name: str
    achieved_at: dt.datetime


board.pattern("player by id", Player, op="get", given=["player_id"])
board.pattern("game by id", Game, op="get", given=["game_id"])
board.pattern("record run", [Run, BestScore], op="transaction")
board.pattern(
    "runs of a player in a game", Run, given=["player_id", "game_id"], descending=True, limit=20
)
board.pattern("best scores of a player", BestScore, given=["player_id"])
board.pattern(
    "top scores of a game (per shard)",
    BestScore,
    index="GSI1",
    given=["game_id", "mode", "shard"],
    descending=True,
    limit=10,
)
board.pattern(
    "scores at or above a threshold (per shard)",
    BestScore,
    index="GSI1",
    given=["game_id", "mode", "shard"],
    sort="ge",
)
board.pattern(
    "opponents near a rating",
    Player,
    index="GSI2",
    given=["region", "queue_bracket"],
    sort="between",
    limit=20,
)

design = board.compile()
