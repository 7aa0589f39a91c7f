"""Shared fixtures and the hypothesis profiles.

``HYPOTHESIS_PROFILE=ci`` (set by .ci/run) keeps the suite fast and derandomised on a 2-core
machine; ``HYPOTHESIS_PROFILE=thorough`` runs many more examples on demand.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from negotiation.rules import Ruleset
from negotiation.scenario import Scenario, load_scenario, resolve_scenario

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

DATA = Path(__file__).parent / "data"

pytest_plugins = ["netfixtures"]  # stores and ports for the tests of networked play


@pytest.fixture(scope="session")
def mini() -> Scenario:
    """A three-role scenario small enough to enumerate."""
    return load_scenario(DATA / "mini.toml")


@pytest.fixture(scope="session")
def mini_rules(mini: Scenario) -> Ruleset:
    return Ruleset(mini)


@pytest.fixture(scope="session")
def paris() -> Scenario:
    """The shipped Paris 2025 scenario."""
    return resolve_scenario("paris-2025")


@pytest.fixture(scope="session")
def paris_rules(paris: Scenario) -> Ruleset:
    return Ruleset(paris)
