"""Scenario files: the models, the loader and the expression language of their rules."""

from negotiation import DEFAULT_SCENARIO
from negotiation.scenario.expr import ExpressionError
from negotiation.scenario.loader import (
    ScenarioError,
    builtin_paths,
    load_scenario,
    parse_scenario,
    resolve_scenario,
    scenario_hash,
)
from negotiation.scenario.model import DIMENSIONS, Scenario

__all__ = [
    "DEFAULT_SCENARIO",
    "DIMENSIONS",
    "ExpressionError",
    "Scenario",
    "ScenarioError",
    "builtin_paths",
    "load_scenario",
    "parse_scenario",
    "resolve_scenario",
    "scenario_hash",
]
