"""Playing bots: one move, a whole game, or many games for statistics."""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from negotiation.bots.base import Strategy, bot_rng
from negotiation.engine import Action, GameState, RoleView, Status, apply, new_game, outcome
from negotiation.rules import Ruleset
from negotiation.scenario import Scenario

if TYPE_CHECKING:
    from negotiation.rules.many import Question, Scores


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


@dataclass
class _Table:
    """A game in flight in :func:`play_together`: its state, and the decision under way with
    the question it waits on."""

    state: GameState
    deciding: Generator[Question, Scores, Action] | None = None
    question: Question | None = None


def play_together(
    rules: Ruleset,
    seeds: list[int],
    bots: Mapping[str, Strategy],
    rounds: int | None = None,
    *,
    on_finish: Callable[[int, GameState], None] | None = None,
) -> list[GameState]:
    """Whole games between bots, one per seed, played side by side; in the order of ``seeds``.

    Each game is played exactly as :func:`play_game` plays it; only the bots' scoring
    questions are answered differently. A bot decides in a generator
    (:meth:`Strategy.decide`) that stops at each question; once every game waits on one, all
    the questions are answered together (:func:`negotiation.rules.many.answer`), which costs
    little more than answering one, and each game goes on. An answer does not depend on what
    else was asked with it, so the games are the same to the last bit.

    ``on_finish`` is called with the index of each game in ``seeds`` as it ends.
    """
    from negotiation.rules.many import answer

    tables = [_Table(new_game(rules, seed=seed, rounds=rounds)) for seed in seeds]
    finished: list[GameState | None] = [None] * len(seeds)
    replies: dict[tuple[object, ...], Scores] = {}
    waiting = list(range(len(tables)))
    while waiting:
        asked: dict[tuple[object, ...], Question] = {}
        still: list[int] = []
        for n in waiting:
            table = tables[n]
            state = table.state
            deciding = table.deciding
            reply = None if table.question is None else replies[table.question.key]
            while True:
                if deciding is None:
                    role = state.turn
                    if role is None or role not in bots:
                        finished[n] = state
                        if on_finish is not None:
                            on_finish(n, state)
                        break
                    view = RoleView(state, role)
                    deciding = bots[role].decide(view, bot_rng(state.seed, role, state.steps))
                    reply = None
                try:
                    question = deciding.send(reply)  # type: ignore[arg-type]
                except StopIteration as done:
                    deciding = None
                    state = apply(state, done.value)
                    continue
                asked.setdefault(question.key, question)
                table.question = question
                still.append(n)
                break
            table.state = state
            table.deciding = deciding
        keys = list(asked)
        replies = dict(zip(keys, answer(rules, [asked[k].ask for k in keys]), strict=True))
        waiting = still
    return [state for state in finished if state is not None]


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
    if pool:  # the worker does nothing else until the pool ends it
        gc.freeze()
        gc.disable()


@contextmanager
def _settled_heap() -> Iterator[None]:
    """Games played inside run without the cyclic garbage collector.

    A game makes no reference cycles (a test checks), so the collector finds nothing, yet its
    passes over the young objects of the games in flight took a fifth of the time, and its
    full passes walked the models, the compiled scenario and its tables. What was there before
    is frozen (never walked again), the collector is off, and whatever the games leave is
    collected every :data:`COLLECT_EVERY` games (a strategy of someone else's might make
    cycles) and at the end.
    """
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


COLLECT_EVERY = 1024
"""Games between collections of cyclic garbage in a simulation (see :func:`_settled_heap`)."""


TOGETHER = 16
"""Games a simulation plays side by side (see :func:`play_together`): enough that answering
their questions together costs little more per game than the arithmetic."""


def _play_seeds(
    seeds: list[int], on_finish: Callable[[int, GameState], None] | None = None
) -> list[GameResult]:
    states = play_together(
        _WORKER["rules"], seeds, _WORKER["bots"], _WORKER["rounds"], on_finish=on_finish
    )
    if _WORKER["save"] is not None:
        for state in states:
            _WORKER["save"](state)
    _WORKER["uncollected"] = _WORKER.get("uncollected", 0) + len(seeds)
    if _WORKER["uncollected"] >= COLLECT_EVERY:
        gc.collect()
        _WORKER["uncollected"] = 0
    return [GameResult.of(state) for state in states]


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
        done = 0

        def finished(_n: int, _state: GameState) -> None:
            nonlocal done
            done += 1
            if on_progress is not None:
                on_progress(done)

        with _settled_heap():
            for start in range(0, games, TOGETHER):
                for result in _play_seeds(seeds[start : start + TOGETHER], finished):
                    report.add(result)
        return report
    size = max(1, min(TOGETHER, games // (workers * 4) or 1))
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
