"""The rules engine: credibility ScoreCards and role satisfaction, from a scenario's rules."""

from negotiation.rules.scoring import (
    FiredRule,
    Package,
    Pledges,
    RatificationCheck,
    RedLineCheck,
    Ruleset,
    Satisfaction,
    ScoreCard,
    Situation,
    geometric_mean,
)

__all__ = [
    "FiredRule",
    "Package",
    "Pledges",
    "RatificationCheck",
    "RedLineCheck",
    "Ruleset",
    "Satisfaction",
    "ScoreCard",
    "Situation",
    "geometric_mean",
]
