"""How a game's scores moved, step by step: for the replay viewer's chart and the reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from negotiation.engine import GameState


@dataclass(frozen=True)
class TimelinePoint:
    """The scores after one step of a game.

    Attributes:
        step: actions applied so far (0 is the opening).
        round: the round the game was in.
        phase: the phase it was in.
        credibility: credibility of the deal on the table.
        satisfaction: each role's satisfaction with it.
        walk_away: each role's walk-away value in force.
    """

    step: int
    round: int
    phase: str
    credibility: float
    satisfaction: dict[str, float]
    walk_away: dict[str, float]


def point(state: GameState) -> TimelinePoint:
    """The scores of one state."""
    situation = state.situation()
    return TimelinePoint(
        state.steps,
        state.round,
        state.phase.value,
        state.scorecard().total,
        {role: state.satisfaction_of(role) for role in state.scenario.roles},
        {role: state.rules.walk_away(role, situation) for role in state.scenario.roles},
    )


def timeline(states: Iterable[GameState]) -> list[TimelinePoint]:
    """The scores of every state of a replay, in order."""
    return [point(state) for state in states]
