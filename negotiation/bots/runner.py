"""Playing bots: one move, a whole game, or many games for statistics."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

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

    def add(self, state: GameState) -> None:
        """Count one finished game."""
        result = outcome(state)
        self.games += 1
        self.outcomes[result.status.value] = self.outcomes.get(result.status.value, 0) + 1
        if result.status is Status.ADOPTED:
            self.credibility.append(result.credibility)
            if result.stress is not None:
                self.stress_holds.append(result.stress.hold_rate)
        for role, value in result.satisfactions.items():
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


def simulate(
    scenario: Scenario,
    games: int,
    seed: int,
    strategies: Mapping[str, str],
    make_bot: Callable[[str], Strategy],
    *,
    rounds: int | None = None,
    on_game: Callable[[int, GameState], None] | None = None,
) -> SimulationReport:
    """Play ``games`` all-bot games with seeds ``seed``, ``seed + 1``, ...

    Args:
        scenario: the scenario.
        games: how many games.
        seed: seed of the first game.
        strategies: role -> strategy name, for every role.
        make_bot: builds a bot from a strategy name.
        rounds: rounds per game (the scenario's by default).
        on_game: called after each game with its index and final state (e.g. to save it).
    """
    rules = Ruleset(scenario)
    bots = {role: make_bot(name) for role, name in strategies.items()}
    report = SimulationReport(scenario.id, dict(strategies))
    for index in range(games):
        state = play_game(rules, seed + index, bots, rounds)
        report.add(state)
        if on_game is not None:
            on_game(index, state)
    return report
