"""Where the time of a bot game goes, on the Paris scenario: what bounds ``simulate``'s speed.

Plays ``--games`` all-bot games as ``simulate`` does (side by side, one process, a fresh
Ruleset each run) and times, per game:

- the whole game;
- answering the bots' scoring questions together (``rules.many.answer``);
- applying moves (``engine.apply``), and within it the stress test of an adopted deal;
- seeding the bots' random generators (``bot_rng``);
- what is left: the bots' own reasoning, their views of the game and the scores they work
  out one deal at a time (each new deal's credibility card and satisfactions).

Then it plays the same games again with every score remembered from the first time (the
memo made big enough to keep them all), so no score is worked out at all: what a game costs
with scoring free is what the engine and the bots cost by themselves, a floor no faster
scoring can go below.

Each figure is the median over ``--runs`` runs. The clock calls around each timed part add
well under 1% (about 150 timed calls a game).

    python benchmarks/game_budget.py [--runs 5] [--games 160]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import negotiation.bots.runner as runner
import negotiation.engine.stress as stress
import negotiation.rules.many as many
import negotiation.rules.scoring as scoring
from negotiation.bots import strategy
from negotiation.rules import Ruleset
from negotiation.scenario import resolve_scenario

Spent = dict[str, float]


def timed(spent: Spent, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, adding the time spent in it to ``spent[name]``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start

    return wrapper


def play(rules: Ruleset, games: int) -> float:
    """Play ``games`` games as ``simulate`` does; the seconds they took."""
    bots = {r: strategy(role.default_strategy) for r, role in rules.scenario.roles.items()}
    start = time.perf_counter()
    for first in range(0, games, runner.TOGETHER):
        seeds = list(range(first, min(games, first + runner.TOGETHER)))
        runner.play_together(rules, seeds, bots)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--games", type=int, default=160)
    args = parser.parse_args()
    scenario = resolve_scenario("paris-2025")
    games = args.games

    spent: Spent = {"answer": 0.0, "apply": 0.0, "stress": 0.0, "rng": 0.0}
    runner.apply = timed(spent, "apply", runner.apply)  # type: ignore[assignment]
    runner.bot_rng = timed(spent, "rng", runner.bot_rng)  # type: ignore[assignment]
    many.answer = timed(spent, "answer", many.answer)  # type: ignore[assignment]
    stress.run_stress_test = timed(spent, "stress", stress.run_stress_test)  # type: ignore[assignment]
    scoring.MEMO_LIMIT = 10**9  # keep every score: the warm replay below asks for them all

    rows: dict[str, list[float]] = {}
    gc.freeze()
    gc.disable()  # as simulate plays (see runner._settled_heap)
    for _ in range(args.runs):
        rules = Ruleset(scenario)
        rules.table  # noqa: B018
        play(rules, 2)  # warm up the compiled tables, not the memo of these games
        rules.memo.clear()
        for key in spent:
            spent[key] = 0.0
        total = play(rules, games)
        cold = dict(spent)
        for key in spent:
            spent[key] = 0.0
        warm = play(rules, games)
        figures = {
            "game_ms": total,
            "answer_ms": cold["answer"],
            "apply_ms": cold["apply"] - cold["stress"],
            "stress_test_ms": cold["stress"],
            "bot_rng_ms": cold["rng"],
            "rest_ms": total - cold["answer"] - cold["apply"] - cold["rng"],
            "scores_remembered_game_ms": warm,
            "scores_remembered_answer_ms": spent["answer"],
        }
        for name, seconds in figures.items():
            rows.setdefault(name, []).append(seconds * 1000 / games)
        gc.collect()
    result: dict[str, float] = {k: round(statistics.median(v), 3) for k, v in rows.items()}
    result["games_per_s"] = round(1000 / result["game_ms"], 1)
    result["games_per_s_scores_remembered"] = round(1000 / result["scores_remembered_game_ms"], 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
