"""Bots: strategies that choose actions for a seat, and a runner for all-bot games."""

from negotiation.bots.base import Strategy, bot_rng
from negotiation.bots.delegate import Delegate
from negotiation.bots.strategies import Baseline, Hardliner, Pragmatist, Reciprocator, Spoiler

STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (Pragmatist, Hardliner, Reciprocator, Spoiler, Baseline)
}
"""Every strategy, by the name used on the command line and in scenario files."""


def strategy(name: str) -> Strategy:
    """A new bot of the named strategy.

    Raises:
        KeyError: no strategy of that name.
    """
    return STRATEGIES[name]()


__all__ = [
    "STRATEGIES",
    "Baseline",
    "Delegate",
    "Hardliner",
    "Pragmatist",
    "Reciprocator",
    "Spoiler",
    "Strategy",
    "bot_rng",
    "strategy",
]
