"""Bots: strategies that choose actions for a seat, and a runner for all-bot games."""

from negotiation.bots.base import Strategy, bot_rng
from negotiation.bots.baseline import Baseline

STRATEGIES: dict[str, type[Strategy]] = {cls.name: cls for cls in (Baseline,)}
"""Every strategy, by the name used on the command line."""


def strategy(name: str) -> Strategy:
    """A new bot of the named strategy.

    Raises:
        KeyError: no strategy of that name.
    """
    return STRATEGIES[name]()


__all__ = ["STRATEGIES", "Baseline", "Strategy", "bot_rng", "strategy"]
