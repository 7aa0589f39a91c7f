"""Scoring many packages at once under one set of pledges and one situation.

Used by the analysis (every package) and by bots (the handful of packages one amendment away
from the table). Rules that read only the package come from the per-package tables; the
others are evaluated once over the array of packages. The result equals scoring each package
with :meth:`Ruleset.credibility` and :meth:`Ruleset.satisfaction` (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negotiation.rules.vector import VectorFn, as_mask
from negotiation.scenario.expr import parse
from negotiation.scenario.model import DIMENSIONS

if TYPE_CHECKING:
    from negotiation.rules.scoring import Pledges, Ruleset, Situation


@dataclass(frozen=True)
class PackageScores:
    """Scores of a set of packages.

    Attributes:
        dimensions: (packages × 6) credibility dimensions.
        credibility: (packages,) credibility.
        satisfaction: (packages × roles) satisfaction, columns in the table's role order.
        walk_away: (roles,) walk-away values in force.
    """

    dimensions: np.ndarray
    credibility: np.ndarray
    satisfaction: np.ndarray
    walk_away: np.ndarray


@dataclass(frozen=True)
class _Compiled:
    rules: tuple[tuple[VectorFn, np.ndarray, np.ndarray | None], ...]
    red_lines: tuple[tuple[VectorFn, int, float], ...]
    base: np.ndarray
    weights: np.ndarray


def _compiled(rules: Ruleset) -> _Compiled:
    """The vector functions of the rules and red lines the tables do not cover (cached)."""
    cached = rules.derived.get("batch")
    if isinstance(cached, _Compiled):
        return cached
    table = rules.table
    assert table is not None
    scenario = rules.scenario
    compiler = table.compiler()
    static = set(table.static_rules)
    dynamic = []
    for index, rule in enumerate(scenario.rules):
        if index in static:
            continue
        effect = np.array([rule.effect.get(d, 0.0) for d in DIMENSIONS])  # type: ignore[call-overload]
        bonus = (
            np.array([rule.satisfaction.get(r, 0.0) for r in table.roles])
            if rule.satisfaction
            else None
        )
        dynamic.append((compiler.compile(parse(rule.when)), effect, bonus))
    static_lines = set(table.static_red_lines)
    lines = tuple(
        (compiler.compile(parse(line.when.source)), table.roles.index(line.role), line.penalty)
        for index, line in enumerate(rules.red_lines)
        if not line.bluff and index not in static_lines
    )
    compiled = _Compiled(
        tuple(dynamic),
        lines,
        np.array([rules.base[d] for d in DIMENSIONS]),
        np.array([rules.weights[d] for d in DIMENSIONS]),
    )
    rules.derived["batch"] = compiled
    return compiled


def score_packages(
    rules: Ruleset,
    numbers: np.ndarray | None,
    pledges: Pledges,
    situation: Situation,
) -> PackageScores:
    """Scores of the packages with these numbers (all packages if ``numbers`` is None)."""
    table = rules.table
    assert table is not None, "score_packages needs the per-package tables"
    compiled = _compiled(rules)
    scenario = rules.scenario
    rows = slice(None) if numbers is None else numbers
    codes = table.codes[rows]
    count = len(codes)
    ctx = rules.context(table.package(0), pledges, situation)  # reads no issue below

    dims = table.static_effect[rows] + compiled.base
    bonus = table.static_bonus[rows].copy()
    for fn, effect, gain in compiled.rules:
        mask = as_mask(fn(codes, ctx), count)
        if mask.any():
            dims += mask[:, None] * effect
            if gain is not None:
                bonus += mask[:, None] * gain
    shift = np.array([situation.dimension_shift.get(d, 0.0) for d in DIMENSIONS])
    dims = np.clip(dims + shift, 0.0, 100.0)
    credibility = weighted_geometric_mean(dims, compiled.weights)

    penalty = table.static_penalty[rows].copy()
    for fn, column, points in compiled.red_lines:
        mask = as_mask(fn(codes, ctx), count)
        penalty[:, column] += np.where(mask, points, 0.0)
    satisfaction = table.preference[rows] + bonus - penalty
    for column, role_id in enumerate(table.roles):
        spec = scenario.roles[role_id]
        constant = spec.base_satisfaction
        for kind, units in pledges.get(role_id, {}).items():
            constant -= spec.pledge_costs.get(kind, 0.0) * units
        satisfaction[:, column] += constant + spec.credibility_weight * (credibility - 50.0)
    satisfaction = np.clip(satisfaction, 0.0, 100.0)
    walk_away = np.array([rules.walk_away(r, situation) for r in table.roles])
    return PackageScores(dims, credibility, satisfaction, walk_away)


def weighted_geometric_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted geometric mean of 0-100 values; a weighted zero makes a row 0."""
    used = weights > 0
    w = weights[used]
    v = values[:, used]
    zero = np.any(v <= 0, axis=1)
    logs = np.log(np.where(v > 0, v, 1.0))
    out = np.exp(logs @ w / w.sum()) if w.sum() > 0 else np.zeros(len(values))
    result: np.ndarray = np.where(zero, 0.0, out)
    return result
