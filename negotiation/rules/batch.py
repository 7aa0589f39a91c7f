"""Scoring many packages at once under one set of pledges and one situation.

Used by the analysis (every package) and by bots (the handful of packages one amendment away
from the table). Rules that read only the package come from the per-package tables. Most other
rules are a chain of ``and`` whose terms each read either only the package or nothing of it
(``pledged("troops") >= 10 and posture in ["rear_hubs", "forward"]``): their package terms are
worked out once for every package, and a call only asks the other terms, one value each, and
multiplies. The rest are evaluated over the array of packages. The result equals scoring each
package with :meth:`Ruleset.credibility` and :meth:`Ruleset.satisfaction` (a test checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negotiation.rules.vector import (
    VectorFn,
    as_mask,
    conjuncts,
    reads_no_issue,
    reads_only_package,
)
from negotiation.scenario.expr import Binary, Call, Compiled, Compiler, Literal, Node, parse
from negotiation.scenario.loader import names_of
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
    """The rules the tables do not cover, ready for scoring many packages.

    Attributes:
        rules: rules evaluated over arrays of packages: (function, effect, satisfaction gain).
        effects: (rules × dimensions) the effects of ``rules``, one row each.
        gains: (rules × roles) the satisfaction each of ``rules`` gives each role.
        split_terms: for each split rule, the vector functions of its terms that read no
            issue, except those in ``thresholds``.
        split_scalar: for each split rule, all its terms that read no issue as per-deal
            closures, for asking them of one context.
        split_rules: the index of each split rule among the scenario's rules.
        thresholds: the split rules' terms that compare a pledge figure with a number, to be
            asked all at once over sets of pledges; the others stay in ``split_terms``.
        dynamic_rules: the index of each of ``rules`` among the scenario's rules.
        split_masks: (packages × split rules) whether each split rule's package terms hold.
        split_effects: (split rules × dimensions) their effects.
        split_gains: (split rules × roles) their satisfaction gains.
        red_lines: real red lines the tables do not cover: (function, role column, penalty).
        base: the base value of each dimension.
        weights: the weight of each dimension.
    """

    rules: tuple[tuple[VectorFn, np.ndarray, np.ndarray | None], ...]
    effects: np.ndarray
    gains: np.ndarray
    split_terms: tuple[tuple[VectorFn, ...], ...]
    split_scalar: tuple[tuple[Compiled, ...], ...]
    split_rules: tuple[int, ...]
    dynamic_rules: tuple[int, ...]
    split_masks: np.ndarray
    thresholds: _Thresholds
    split_effects: np.ndarray
    split_gains: np.ndarray
    red_lines: tuple[tuple[VectorFn, int, float], ...]
    base: np.ndarray
    weights: np.ndarray


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _threshold(term: Node) -> tuple[str, str | None, str, str, float] | None:
    """(figure, seat, kind, comparison, number) if ``term`` compares ``pledged(kind)``,
    ``pledged(kind, by=seat)`` or ``pledgers(kind)`` with a number; None otherwise."""
    if not isinstance(term, Binary) or term.op not in _FLIP:
        return None
    op, call, number = term.op, term.left, term.right
    if isinstance(call, Literal):
        op, call, number = _FLIP[op], term.right, term.left
    if not isinstance(call, Call) or not isinstance(number, Literal):
        return None
    if isinstance(number.value, bool) or not isinstance(number.value, int | float):
        return None
    if call.function not in ("pledged", "pledgers") or len(call.args) != 1:
        return None
    kind = call.args[0]
    if not isinstance(kind, Literal) or not isinstance(kind.value, str):
        return None
    seat = None
    for key, value in call.kwargs:
        if key != "by" or not isinstance(value, Literal):
            return None
        seat = value.value
    figure = "by" if seat is not None else ("total" if call.function == "pledged" else "count")
    return figure, seat, kind.value, op, float(number.value)


@dataclass(frozen=True)
class _Thresholds:
    """Terms of split rules that compare a pledge figure with a number, as arrays: over many
    sets of pledges, all of them are asked with one gather and a comparison per operator.

    Attributes:
        seats: seats whose own pledges some term reads, in column-block order.
        source: for each term, its column in the matrix of figures (totals, counts of
            pledgers, then each of ``seats``' own pledges, a block of kinds each).
        ops: for each comparison operator, the terms that use it and their numbers.
        rules: (terms × split rules) 1 where the term belongs to the rule.
    """

    seats: tuple[str, ...]
    source: np.ndarray
    ops: tuple[tuple[str, np.ndarray, np.ndarray], ...]
    rules: np.ndarray

    @classmethod
    def of(
        cls,
        terms: list[tuple[str, str | None, str, str, float, int]],
        kinds: Mapping[str, object],
        rule_count: int,
    ) -> _Thresholds:
        kind_index = {kind: n for n, kind in enumerate(kinds)}
        seats = tuple(sorted({seat for _, seat, _, _, _, _ in terms if seat is not None}))
        block = {"total": 0, "count": 1} | {seat: 2 + n for n, seat in enumerate(seats)}
        source = np.array(
            [
                block[figure if seat is None else seat] * len(kind_index) + kind_index[kind]
                for figure, seat, kind, _, _, _ in terms
            ],
            dtype=np.intp,
        )
        ops = tuple(
            (
                op,
                np.array([n for n, t in enumerate(terms) if t[3] == op], dtype=np.intp),
                np.array([t[4] for t in terms if t[3] == op]),
            )
            for op in sorted({t[3] for t in terms})
        )
        rules = np.zeros((len(terms), rule_count))
        for n, (*_, rule) in enumerate(terms):
            rules[n, rule] = 1.0
        return cls(seats, source, ops, rules)

    def failed(self, figures: np.ndarray) -> np.ndarray:
        """(sets × split rules) how many of each rule's terms fail, from the (sets × columns)
        matrix of figures."""
        values = figures[:, self.source]
        ok = np.empty(values.shape, dtype=bool)
        for op, columns, numbers in self.ops:
            ok[:, columns] = _OPS[op](values[:, columns], numbers)
        result: np.ndarray = (~ok).astype(float) @ self.rules
        return result


_OPS = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def compiled_rules(rules: Ruleset) -> _Compiled:
    """The vector functions of the rules and red lines the tables do not cover (cached)."""
    cached = rules.derived.get("batch")
    if isinstance(cached, _Compiled):
        return cached
    table = rules.table
    assert table is not None
    scenario = rules.scenario
    compiler = table.compiler()
    static = set(table.static_rules)
    roles = len(table.roles)
    dynamic: list[tuple[VectorFn, np.ndarray, np.ndarray | None]] = []
    dynamic_rules: list[int] = []
    split_rules: list[int] = []
    thresholds: list[tuple[str, str | None, str, str, float, int]] = []
    names = names_of(scenario)
    split: list[
        tuple[tuple[VectorFn, ...], np.ndarray, np.ndarray, np.ndarray, tuple[Compiled, ...]]
    ] = []
    for index, rule in enumerate(scenario.rules):
        if index in static:
            continue
        effect = np.array([rule.effect.get(d, 0.0) for d in DIMENSIONS])  # type: ignore[call-overload]
        gain = np.array([rule.satisfaction.get(r, 0.0) for r in table.roles])
        node = parse(rule.when)
        terms = conjuncts(node)
        on_package = [t for t in terms if reads_only_package(t, scenario.issues)]
        off_package = [t for t in terms if t not in on_package]
        if all(reads_no_issue(t, scenario.issues) for t in off_package):
            mask = np.ones(table.size, dtype=bool)
            for term in on_package:
                mask &= as_mask(compiler.compile(term)(table.codes, None), table.size)
            scalar = tuple(Compiler(names).compile(t, "bool")[0] for t in off_package)
            other: list[VectorFn] = []
            for term in off_package:
                found = _threshold(term)
                if found is None:
                    other.append(compiler.compile(term))
                else:
                    thresholds.append((*found, len(split)))
            split.append((tuple(other), mask, effect, gain, scalar))
            split_rules.append(index)
        else:
            dynamic.append((compiler.compile(node), effect, gain if rule.satisfaction else None))
            dynamic_rules.append(index)
    static_lines = set(table.static_red_lines)
    lines = tuple(
        (compiler.compile(parse(line.when.source)), table.roles.index(line.role), line.penalty)
        for index, line in enumerate(rules.red_lines)
        if not line.bluff and index not in static_lines
    )
    compiled = _Compiled(
        rules=tuple(dynamic),
        effects=np.array([e for _, e, _ in dynamic]).reshape(len(dynamic), len(DIMENSIONS)),
        gains=np.array([g if g is not None else np.zeros(roles) for _, _, g in dynamic]).reshape(
            len(dynamic), roles
        ),
        split_terms=tuple(terms for terms, _, _, _, _ in split),
        split_scalar=tuple(scalar for _, _, _, _, scalar in split),
        split_rules=tuple(split_rules),
        thresholds=_Thresholds.of(thresholds, scenario.pledge_kinds, len(split)),
        dynamic_rules=tuple(dynamic_rules),
        split_masks=np.array([m for _, m, _, _, _ in split], dtype=bool).T.reshape(
            table.size, len(split)
        ),
        split_effects=np.array([e for _, _, e, _, _ in split]).reshape(len(split), len(DIMENSIONS)),
        split_gains=np.array([g for _, _, _, g, _ in split]).reshape(len(split), roles),
        red_lines=lines,
        base=np.array([rules.base[d] for d in DIMENSIONS]),
        weights=np.array([rules.weights[d] for d in DIMENSIONS]),
    )
    rules.derived["batch"] = compiled
    return compiled


def split_holds(
    rules: Ruleset,
    pledges: Pledges,
    situation: Situation,
    pledges_id: tuple[object, ...] | None = None,
) -> np.ndarray:
    """Whether each split rule's terms that read no issue hold under these pledges in this
    situation: one value each for every package, asked of a context with the per-deal
    closures and remembered (``pledges_id`` is ``pledges_key(pledges)`` if already known)."""
    if pledges_id is None:
        from negotiation.rules.scoring import pledges_key

        pledges_id = pledges_key(pledges)
    held = known_split_holds(rules, pledges_id, situation)
    if held is not None:
        return held
    compiled = compiled_rules(rules)
    ctx = rules.context(_NO_PACKAGE, pledges, situation)  # the terms read no issue
    held = np.array(
        [all(term(ctx) for term in terms) for terms in compiled.split_scalar], dtype=bool
    )
    rules.remember(("split holds", pledges_id, situation.key_for(rules.reads)), held)
    return held


def known_split_holds(
    rules: Ruleset, pledges_id: tuple[object, ...], situation: Situation
) -> np.ndarray | None:
    """What :func:`split_holds` gave for these pledges in this situation, if it was asked."""
    held = rules.memo.get(("split holds", pledges_id, situation.key_for(rules.reads)))
    return held if isinstance(held, np.ndarray) else None


def score_packages(
    rules: Ruleset,
    numbers: np.ndarray | None,
    pledges: Pledges,
    situation: Situation,
    roles: tuple[str, ...] | None = None,
    pledges_id: tuple[object, ...] | None = None,
) -> PackageScores:
    """Scores of the packages with these numbers (all packages if ``numbers`` is None).

    With ``roles``, satisfaction is worked out for those roles only (its columns follow
    ``roles``); the others are left at 0. ``pledges_id`` is ``pledges_key(pledges)``, if the
    caller has it.
    """
    table = rules.table
    assert table is not None, "score_packages needs the per-package tables"
    compiled = compiled_rules(rules)
    scenario = rules.scenario
    rows = slice(None) if numbers is None else numbers
    codes = table.codes[rows]
    count = len(codes)
    ctx = rules.context(table.package(0), pledges, situation)  # reads no issue below

    fired = compiled.split_masks[rows] & split_holds(rules, pledges, situation, pledges_id)
    dims = table.static_effect[rows] + compiled.base + fired @ compiled.split_effects
    bonus = table.static_bonus[rows] + fired @ compiled.split_gains
    for fn, effect, gain in compiled.rules:
        value = fn(codes, ctx)
        if np.ndim(value) == 0:
            # The rule reads no issue: it fires for every package or for none.
            if value:
                dims += effect
                if gain is not None:
                    bonus += gain
            continue
        mask = as_mask(value, count)
        if mask.any():
            dims += mask[:, None] * effect
            if gain is not None:
                bonus += mask[:, None] * gain
    shift = np.array([situation.dimension_shift.get(d, 0.0) for d in DIMENSIONS])
    dims = np.clip(dims + shift, 0.0, 100.0)
    credibility = weighted_geometric_mean(dims, compiled.weights)

    penalty = table.static_penalty[rows].copy()
    for fn, column, points in compiled.red_lines:
        if roles is not None and table.roles[column] not in roles:
            continue
        value = fn(codes, ctx)
        if np.ndim(value) == 0:
            if value:
                penalty[:, column] += points
            continue
        penalty[:, column] += np.where(as_mask(value, count), points, 0.0)
    satisfaction = table.preference[rows] + bonus - penalty
    for column, role_id in enumerate(table.roles):
        if roles is not None and role_id not in roles:
            continue
        constant = starting_satisfaction(rules, role_id, pledges.get(role_id, _NONE))
        weight = scenario.roles[role_id].credibility_weight
        satisfaction[:, column] += constant + weight * (credibility - 50.0)
    satisfaction = np.clip(satisfaction, 0.0, 100.0)
    walk_away = np.array([rules.walk_away(r, situation) for r in table.roles])
    return PackageScores(dims, credibility, satisfaction, walk_away)


_NONE: Mapping[str, int] = {}
_NO_PACKAGE: Mapping[str, str] = {}


def starting_satisfaction(rules: Ruleset, role: str, own: Mapping[str, int]) -> float:
    """A role's starting satisfaction less the cost at home of its pledges ``own``: the part
    of its satisfaction that is the same for every package."""
    spec = rules.scenario.roles[role]
    constant = spec.base_satisfaction
    for kind, units in own.items():
        constant -= spec.pledge_costs.get(kind, 0.0) * units
    return constant


def weighted_geometric_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted geometric mean of 0-100 values; a weighted zero makes a row 0.

    The weighted logs are added column by column, so each row's mean is the same whatever the
    other rows: a matrix product may add them in an order that depends on the layout, and a
    bot's choice must not depend on what else was scored with it (see
    :mod:`negotiation.rules.many`).
    """
    used = [n for n, weight in enumerate(weights.tolist()) if weight > 0]
    total = float(sum(weights[n] for n in used))
    if not used or total <= 0:
        return np.zeros(len(values))
    zero = np.any(values[:, used] <= 0, axis=1)
    logs = np.log(np.where(values > 0, values, 1.0))
    acc = logs[:, used[0]] * weights[used[0]]
    for n in used[1:]:
        acc = acc + logs[:, n] * weights[n]
    result: np.ndarray = np.where(zero, 0.0, np.exp(acc / total))
    return result
