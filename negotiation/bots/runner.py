"""Playing bots: one move, a whole game, or many games for statistics."""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from negotiation.bots.base import Strategy, bot_rng
from negotiation.engine import Action, GameState, RoleView, Status, apply, new_game, outcome
from negotiation.rules import Ruleset
from negotiation.scenario import Scenario


def bot_move(state: GameState, bot: Strategy) -> Action:
    """The move the bot in the seat on turn makes now."""
    role = state.turn
    if role is None:
        raise ValueError("the game is over: no seat is to move")
    return bot.choose(RoleView(state, role), bot_rng(state.seed, role, state.steps))


def play_bots(
    state: GameState,
    bots: Mapping[str, Strategy],
    *,
    on_move: Callable[[GameState, Action], None] | None = None,
) -> GameState:
    """Let bots move until the game ends or a seat without a bot is to move."""
    while state.turn is not None and state.turn in bots:
        action = bot_move(state, bots[state.turn])
        state = apply(state, action)
        if on_move is not None:
            on_move(state, action)
    return state


def play_game(
    rules: Ruleset, seed: int, bots: Mapping[str, Strategy], rounds: int | None = None
) -> GameState:
    """A whole game between bots, one in every seat."""
    return play_bots(new_game(rules, seed=seed, rounds=rounds), bots)


@dataclass(frozen=True)
class GameResult:
    """What one all-bot game came to: all a report needs, small enough to pass between
    processes.

    Attributes:
        seed: the game's seed.
        status: how it ended.
        credibility: credibility of the final deal on the table.
        satisfaction: each role's satisfaction at the end.
        stress_hold: the stress test's hold rate, if the deal came into force.
        rounds: rounds played.
        package: the deal on the table at the end (its options, in the scenario's issue order).
    """

    seed: int
    status: str
    credibility: float
    satisfaction: dict[str, float]
    stress_hold: float | None
    rounds: int
    package: tuple[str, ...] = ()

    @classmethod
    def of(cls, state: GameState) -> GameResult:
        result = outcome(state)
        return cls(
            state.seed,
            result.status.value,
            result.credibility,
            dict(result.satisfactions),
            result.stress.hold_rate if result.stress is not None else None,
            result.rounds,
            tuple(state.package[issue] for issue in state.scenario.issues),
        )


@dataclass
class SimulationReport:
    """Statistics of many all-bot games of one scenario and one mix of strategies.

    Attributes:
        scenario: the scenario's id.
        strategies: the strategy in each seat.
        games: games played.
        outcomes: how many ended in each status.
        credibility: final credibility of each adopted deal.
        satisfaction: each role's satisfaction at the end of each game.
        stress_holds: hold rate of the stress test of each deal in force.
        rounds: rounds played in each game.
        packages: the package of each adopted deal.
    """

    scenario: str
    strategies: dict[str, str]
    games: int = 0
    outcomes: dict[str, int] = field(
        default_factory=lambda: {s.value: 0 for s in Status if s is not Status.NEGOTIATING}
    )
    credibility: list[float] = field(default_factory=list)
    satisfaction: dict[str, list[float]] = field(default_factory=dict)
    stress_holds: list[float] = field(default_factory=list)
    rounds: list[int] = field(default_factory=list)
    packages: list[tuple[str, ...]] = field(default_factory=list)

    def add(self, result: GameResult | GameState) -> None:
        """Count one finished game."""
        if isinstance(result, GameState):
            result = GameResult.of(result)
        self.games += 1
        self.outcomes[result.status] = self.outcomes.get(result.status, 0) + 1
        if result.status == Status.ADOPTED.value:
            self.credibility.append(result.credibility)
            self.packages.append(result.package)
            if result.stress_hold is not None:
                self.stress_holds.append(result.stress_hold)
        for role, value in result.satisfaction.items():
            self.satisfaction.setdefault(role, []).append(value)
        self.rounds.append(result.rounds)

    @property
    def agreement_rate(self) -> float:
        """Share of games that ended with a deal adopted and ratified."""
        return self.outcomes.get(Status.ADOPTED.value, 0) / self.games if self.games else 0.0

    def summary(self) -> dict[str, object]:
        """The report as plain data (for ``--json`` and for printing)."""

        def mean(values: list[float]) -> float | None:
            return round(statistics.fmean(values), 2) if values else None

        def spread(values: list[float]) -> float | None:
            return round(statistics.pstdev(values), 2) if len(values) > 1 else None

        return {
            "scenario": self.scenario,
            "strategies": self.strategies,
            "games": self.games,
            "agreement_rate": round(self.agreement_rate, 4),
            "outcomes": self.outcomes,
            "credibility_mean": mean(self.credibility),
            "credibility_sd": spread(self.credibility),
            "credibility_min": round(min(self.credibility), 2) if self.credibility else None,
            "credibility_max": round(max(self.credibility), 2) if self.credibility else None,
            "satisfaction_mean": {role: mean(v) for role, v in self.satisfaction.items()},
            "stress_hold_rate": mean(self.stress_holds),
            "rounds_mean": mean([float(r) for r in self.rounds]),
        }


# --- many games, on one core or several --------------------------------------------------------

_WORKER: dict[str, Any] = {}
"""Per-process state of a simulation worker: its compiled scenario and bots."""


def _start_worker(
    scenario: Scenario,
    strategies: Mapping[str, str],
    make_bot: Callable[[str], Strategy],
    rounds: int | None,
    save: Callable[[GameState], None] | None,
    pool: bool = False,
) -> None:
    """Set up this process to play a simulation's games. A pool's worker process keeps its
    heap settled until the pool ends it (see :func:`_settled_heap`)."""
    rules = Ruleset(scenario)
    rules.table  # noqa: B018 - build the tables once per process, not per game
    _WORKER.update(
        rules=rules,
        bots={role: make_bot(name) for role, name in strategies.items()},
        rounds=rounds,
        save=save,
    )
    if pool:
        gc.freeze()


@contextmanager
def _settled_heap() -> Iterator[None]:
    """Games played inside run without the garbage collector walking what was there before.

    A full collection walks every object: the models, the compiled scenario, its tables. In a
    simulation those stay put, yet walking them took about 5% of the time. Frozen, they are
    skipped until the games are over.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _play_seeds(seeds: list[int]) -> list[GameResult]:
    results = []
    for seed in seeds:
        state = play_game(_WORKER["rules"], seed, _WORKER["bots"], _WORKER["rounds"])
        if _WORKER["save"] is not None:
            _WORKER["save"](state)
        results.append(GameResult.of(state))
    return results


def simulate(
    scenario: Scenario,
    games: int,
    seed: int,
    strategies: Mapping[str, str],
    make_bot: Callable[[str], Strategy],
    *,
    rounds: int | None = None,
    workers: int = 1,
    save: Callable[[GameState], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> SimulationReport:
    """Play ``games`` all-bot games with seeds ``seed``, ``seed + 1``, ...

    Games are dealt to ``workers`` processes in chunks; results are counted in seed order, so
    the totals are the same whatever the number of workers.

    Args:
        scenario: the scenario.
        games: how many games.
        seed: seed of the first game.
        strategies: role -> strategy name, for every role.
        make_bot: builds a bot from a strategy name (must be importable by worker processes).
        rounds: rounds per game (the scenario's by default).
        workers: processes to use (1: play in this process).
        save: called with each finished game's state (in the worker that played it).
        on_progress: called with the number of games finished so far.
    """
    seeds = list(range(seed, seed + games))
    report = SimulationReport(scenario.id, dict(strategies))
    if workers <= 1 or games < 2:
        _start_worker(scenario, strategies, make_bot, rounds, save)
        with _settled_heap():
            for done, game_seed in enumerate(seeds, start=1):
                report.add(_play_seeds([game_seed])[0])
                if on_progress is not None:
                    on_progress(done)
        return report
    size = max(1, min(50, games // (workers * 4) or 1))
    chunks = [seeds[i : i + size] for i in range(0, games, size)]
    results: dict[int, list[GameResult]] = {}
    done = 0
    with ProcessPoolExecutor(
        max_workers=workers,
        initializer=_start_worker,
        initargs=(scenario, dict(strategies), make_bot, rounds, save, True),
    ) as pool:
        futures = {pool.submit(_play_seeds, chunk): n for n, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            done += len(results[futures[future]])
            if on_progress is not None:
                on_progress(done)
    for n in range(len(chunks)):
        for result in results[n]:
            report.add(result)
    return report
