"""The deal space: every package scored at once, for one set of pledges and one situation.

A :class:`DealSpace` holds, for every package of a scenario, its credibility (and each
dimension) and every role's satisfaction, as NumPy arrays. It is built from the same
per-package tables the engine scores with, plus the rules that read pledges or events
evaluated over the whole array, so the analysis and the game never disagree (a test checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from negotiation.rules import Pledges, Ruleset, Situation
from negotiation.rules.batch import score_packages
from negotiation.rules.tables import MAX_TABLE_PACKAGES, PackageTable
from negotiation.scenario.model import Scenario


class AnalysisError(ValueError):
    """The analysis cannot be made (e.g. the scenario has too many packages)."""


def pledge_profile(scenario: Scenario, level: str) -> dict[str, dict[str, int]]:
    """Pledges for the analysis of a scenario on its own: none, half or full capacity.

    Half capacity (rounded down to the kind's step) is the default: it stands for a coalition
    that commits something of everything it can, as the talks in the briefs assume.
    """
    if level not in ("none", "half", "full"):
        raise AnalysisError(f'pledge level "{level}": expected none, half or full')
    out: dict[str, dict[str, int]] = {}
    if level == "none":
        return out
    for role_id, role in scenario.roles.items():
        if not role.coalition:
            continue
        own = {}
        for kind, cap in role.capacities.items():
            step = scenario.pledge_kinds[kind].step
            units = cap if level == "full" else (cap // 2) // step * step
            if units > 0:
                own[kind] = units
        if own:
            out[role_id] = own
    return out


def pledge_levels(scenario: Scenario) -> int:
    """How many combinations of pledge levels the roles could table."""
    count = 1
    for role in scenario.roles.values():
        if not role.coalition:
            continue
        for kind, cap in role.capacities.items():
            count *= cap // scenario.pledge_kinds[kind].step + 1
    return count


@dataclass(frozen=True)
class DealSpace:
    """Every package scored under one set of pledges and one situation.

    Attributes:
        rules: the compiled scenario.
        table: its per-package tables (package numbers index every array here).
        pledges: the pledges assumed for every package.
        situation: the situation assumed.
        dimensions: (packages × 6) credibility dimensions.
        credibility: (packages,) credibility.
        satisfaction: (packages × roles) satisfaction, columns in ``table.roles`` order.
        walk_away: (roles,) walk-away values in force.
    """

    rules: Ruleset
    table: PackageTable
    pledges: Pledges
    situation: Situation
    dimensions: np.ndarray
    credibility: np.ndarray
    satisfaction: np.ndarray
    walk_away: np.ndarray

    @property
    def size(self) -> int:
        return self.table.size

    @property
    def roles(self) -> tuple[str, ...]:
        return self.table.roles

    def column(self, role: str) -> int:
        return self.table.roles.index(role)

    @cached_property
    def signatory_columns(self) -> np.ndarray:
        return np.array([self.column(r) for r in self.rules.scenario.signatories])

    @cached_property
    def gains(self) -> np.ndarray:
        """(packages × signatories) satisfaction above walk-away."""
        cols = self.signatory_columns
        gains: np.ndarray = self.satisfaction[:, cols] - self.walk_away[cols]
        return gains

    @cached_property
    def zopa(self) -> np.ndarray:
        """(packages,) True where every required signatory prefers the deal to walking away."""
        inside: np.ndarray = np.all(self.gains >= 0, axis=1)
        return inside

    def package(self, number: int) -> dict[str, str]:
        return self.table.package(number)

    def number(self, package: Mapping[str, str]) -> int:
        return self.table.index(package)


def build_space(
    rules: Ruleset, pledges: Pledges | None = None, situation: Situation | None = None
) -> DealSpace:
    """Score every package of a scenario.

    Raises:
        AnalysisError: the scenario has too many packages to tabulate.
    """
    table = rules.table
    if table is None:
        raise AnalysisError(
            f"{rules.scenario.id}: too many packages to analyse "
            f"(at most {MAX_TABLE_PACKAGES:,}; simplify the issues)"
        )
    pledges = pledges or {}
    situation = situation or Situation()
    scores = score_packages(rules, None, pledges, situation)
    return DealSpace(
        rules,
        table,
        pledges,
        situation,
        scores.dimensions,
        scores.credibility,
        scores.satisfaction,
        scores.walk_away,
    )
