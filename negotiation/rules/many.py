"""The scoring questions of many bot decisions, answered together.

A bot weighing its next move asks two questions of the deal on the table: how every single
amendment would score for it (:class:`AmendmentsAsk`), and how each change to its own pledges
would (:class:`PledgeOptionsAsk`). Answered one at a time, each is a few dozen small NumPy
operations whose fixed cost dwarfs the arithmetic. A simulation plays many games side by side
and answers all their pending questions with one set of operations (see
:func:`negotiation.bots.runner.play_together`).

Every row is worked out on its own: nothing here adds up numbers across rows or in an order
that depends on how many rows there are, so an answer is the same to the last bit whether it
was asked alone or among a thousand others. A game therefore plays the same in ``play`` (one
question at a time) and in ``simulate`` (many), whatever the number of workers. Sums of rule
effects use a matrix product only where the effects are whole multiples of 1/1024 (then any
order gives the same sum); otherwise they are added rule by rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negotiation.rules.batch import (
    _NONE,
    compiled_rules,
    split_holds,
    starting_satisfaction,
    weighted_geometric_mean,
)
from negotiation.rules.vector import as_mask
from negotiation.scenario.model import DIMENSIONS

if TYPE_CHECKING:
    from negotiation.rules.scoring import Pledges, PledgesKey, Ruleset, Situation

Scores = tuple[list[float], list[float]]
"""(credibility, the asking seat's satisfaction) of each answer's rows."""


@dataclass(frozen=True)
class AmendmentsAsk:
    """How every package one amendment away from ``package`` scores for ``role``.

    Attributes:
        package: the number of the package on the table.
        pledges: the pledges on the table.
        situation: the situation.
        pledges_id: ``pledges_key(pledges)``.
        role: the seat asking.
    """

    package: int
    pledges: Pledges
    situation: Situation
    pledges_id: PledgesKey
    role: str


@dataclass(frozen=True)
class PledgeOptionsAsk:
    """How the deal on the table scores for ``role`` with its own pledges set to each of
    ``options``; with ``match``, as many again with its partners (a seat named ``partners``)
    answering each change with ``match`` units for each of its own.

    Attributes:
        package: the number of the package on the table.
        pledges: the pledges on the table.
        situation: the situation.
        role: the seat asking.
        options: sets of pledges for ``role``, each as sorted (kind, units) pairs.
        match: how many units partners add for each unit ``role`` adds, or None.
        partners: the name the partners' answer stands under in the pledges.
    """

    package: int
    pledges: Pledges
    situation: Situation
    role: str
    options: tuple[tuple[tuple[str, int], ...], ...]
    match: float | None = None
    partners: str = "(partners)"


@dataclass(frozen=True)
class Question:
    """A scoring question a bot asks while it decides.

    Attributes:
        key: what its answer is remembered under (equal for questions with equal answers).
        ask: the question itself.
    """

    key: tuple[object, ...]
    ask: AmendmentsAsk | PledgeOptionsAsk


def exact_sums(matrix: np.ndarray) -> bool:
    """True if any sum of ``matrix``'s rows comes out the same in any order: every entry a
    whole multiple of 1/1024, and all of them together far from float64's 53 bits."""
    scaled = matrix * 1024.0
    return bool(np.array_equal(scaled, np.round(scaled)) and np.abs(scaled).sum() < 2.0**45)


def sum_rows(chosen: np.ndarray, matrix: np.ndarray, exact: bool) -> np.ndarray:
    """``chosen @ matrix`` for a boolean ``chosen``, with each row's sum independent of the
    others (``exact``: :func:`exact_sums` of ``matrix``)."""
    if exact:
        result: np.ndarray = chosen @ matrix
        return result
    out = np.zeros((chosen.shape[0], matrix.shape[1]))
    for n in range(matrix.shape[0]):
        out += chosen[:, n : n + 1] * matrix[n]
    return out


@dataclass(frozen=True)
class _Exactness:
    split_effects: bool
    split_gains: bool
    effects: bool
    gains: bool


def _exactness(rules: Ruleset) -> _Exactness:
    known = rules.derived.get("exact sums")
    if isinstance(known, _Exactness):
        return known
    compiled = compiled_rules(rules)
    exactness = _Exactness(
        exact_sums(compiled.split_effects),
        exact_sums(compiled.split_gains),
        exact_sums(compiled.effects),
        exact_sums(compiled.gains),
    )
    rules.derived["exact sums"] = exactness
    return exactness


def _shifted(dims: np.ndarray, situations: Sequence[Situation], owner: np.ndarray) -> np.ndarray:
    """The dimensions of each row with its situation's lasting shifts, clamped to 0-100."""
    if any(s.dimension_shift for s in situations):
        dims = dims + _shifts(situations)[owner]
    result: np.ndarray = np.clip(dims, 0.0, 100.0)
    return result


def _shifts(situations: Sequence[Situation]) -> np.ndarray:
    """(situations × dimensions) each situation's lasting shift of the dimensions."""
    return np.array(
        [[s.dimension_shift.get(d, 0.0) for d in DIMENSIONS] for s in situations]
    ).reshape(len(situations), len(DIMENSIONS))


class _Rows:
    """Answers expressions for many rows at once, each row a deal of its own: every function
    returns an array with a value per row.

    Args:
        rules: the scenario's rules.
        asks: the questions; row ``n`` belongs to ``asks[owner[n]]``.
        owner: for each row, the index of its question.
        totals: (rows × kinds) units pledged in all.
        pledgers: (rows × kinds) seats pledging something.
        own: a seat's own pledges, (rows × kinds).
        support: a seat's support at home, one value per row.
    """

    def __init__(
        self,
        rules: Ruleset,
        asks: Sequence[AmendmentsAsk | PledgeOptionsAsk],
        owner: np.ndarray,
        totals: np.ndarray,
        pledgers: np.ndarray,
        own: Callable[[str], np.ndarray],
        support: Callable[[str], np.ndarray],
    ) -> None:
        self._situations = [ask.situation for ask in asks]
        self._owner = owner
        self._kind = _kinds(rules)
        self._totals = totals
        self._pledgers = pledgers
        self._own = own
        self._support = support

    def _each(self, values: list[object]) -> np.ndarray:
        result: np.ndarray = np.array(values)[self._owner]
        return result

    @property
    def round(self) -> np.ndarray:
        return self._each([s.round for s in self._situations])

    @property
    def vetoed(self) -> np.ndarray:
        return self._each([s.vetoed for s in self._situations])

    @property
    def adopted(self) -> np.ndarray:
        return self._each([s.adopted for s in self._situations])

    def option(self, issue: str) -> str:  # pragma: no cover - vector functions read codes
        raise NotImplementedError

    def figures(self, seats: Sequence[str]) -> np.ndarray:
        """(rows × columns) totals, counts of pledgers, then each of ``seats``' own pledges,
        a block of pledge kinds each: what the compiled thresholds compare."""
        return np.concatenate(
            [self._totals, self._pledgers, *(self._own(seat) for seat in seats)], axis=1
        )

    def pledged(self, kind: str, by: str | None) -> np.ndarray:
        if by is None:
            return self._totals[:, self._kind[kind]]
        return self._own(by)[:, self._kind[kind]]

    def pledgers(self, kind: str) -> np.ndarray:
        return self._pledgers[:, self._kind[kind]]

    def event(self, inject: str) -> np.ndarray:
        return self._each([inject in s.events for s in self._situations])

    def signed(self, role: str) -> np.ndarray:
        return self._each([role in s.signed for s in self._situations])

    def supports(self, role: str) -> np.ndarray:
        return self._each([role in s.supports or role in s.signed for s in self._situations])

    def support(self, role: str) -> np.ndarray:
        return self._support(role)

    def satisfaction(self, role: str) -> float:  # pragma: no cover - not in deal rules
        raise NotImplementedError

    def credibility(self) -> float:  # pragma: no cover - not in deal rules
        raise NotImplementedError


def _kinds(rules: Ruleset) -> dict[str, int]:
    known = rules.derived.get("kind columns")
    if isinstance(known, dict):
        return known
    kinds = {kind: n for n, kind in enumerate(rules.scenario.pledge_kinds)}
    rules.derived["kind columns"] = kinds
    return kinds


def _row(kinds: Mapping[str, int], own: Mapping[str, int]) -> list[float]:
    """One seat's pledges as a row of units, a column per pledge kind."""
    row = [0.0] * len(kinds)
    for kind, units in own.items():
        row[kinds[kind]] = float(units)
    return row


def _standing(
    rules: Ruleset, asks: Sequence[AmendmentsAsk | PledgeOptionsAsk], without_asker: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(asks × kinds) units pledged and seats pledging, for each ask; ``without_asker``: by
    the seats other than the one asking."""
    kinds = _kinds(rules)
    totals: list[list[float]] = []
    counts: list[list[float]] = []
    for ask in asks:
        total = [0.0] * len(kinds)
        count = [0.0] * len(kinds)
        for seat, own in ask.pledges.items():
            if without_asker and seat == ask.role:
                continue
            for kind, units in own.items():
                column = kinds[kind]
                total[column] += units
                if units > 0:
                    count[column] += 1.0
        totals.append(total)
        counts.append(count)
    shape = (len(asks), len(kinds))
    return np.array(totals).reshape(shape), np.array(counts).reshape(shape)


def _seat_units(
    rules: Ruleset, asks: Sequence[AmendmentsAsk | PledgeOptionsAsk], seat: str
) -> np.ndarray:
    """(asks × kinds) a seat's standing pledges in each ask."""
    kinds = _kinds(rules)
    return np.array([_row(kinds, ask.pledges.get(seat, _NONE)) for ask in asks]).reshape(
        len(asks), len(kinds)
    )


def score_amendments_many(rules: Ruleset, asks: Sequence[AmendmentsAsk]) -> list[Scores]:
    """For each ask: (credibility, the seat's satisfaction) of each package one amendment away,
    in the order of ``rules.table.neighbours(ask.package)``."""
    table = rules.table
    assert table is not None, "scoring amendments needs the per-package tables"
    compiled = compiled_rules(rules)
    exact = _exactness(rules)
    found = [table.neighbours(ask.package)[0] for ask in asks]
    sizes = [len(numbers) for numbers in found]
    ends = np.cumsum(sizes).tolist()
    starts = [end - size for end, size in zip(ends, sizes, strict=True)]
    rows = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    total = len(rows)
    owner = np.repeat(np.arange(len(asks)), sizes)
    columns = np.array([table.roles.index(ask.role) for ask in asks], dtype=np.intp)
    column = columns[owner]
    everyone = np.arange(total)
    held = np.array(
        [split_holds(rules, a.pledges, a.situation, a.pledges_id) for a in asks], dtype=bool
    ).reshape(len(asks), len(compiled.split_rules))
    fired = compiled.split_masks[rows] & held[owner]
    dims = (
        table.static_effect[rows]
        + compiled.base
        + sum_rows(fired, compiled.split_effects, exact.split_effects)
    )
    bonus = (
        table.static_bonus[rows, column]
        + sum_rows(fired, compiled.split_gains, exact.split_gains)[everyone, column]
    )
    penalty = table.static_penalty[rows, column]
    lines = [line for line in compiled.red_lines if np.any(columns == line[1])]
    if compiled.rules or lines:
        totals, counts = _standing(rules, asks, without_asker=False)
        ctx = _Rows(
            rules,
            asks,
            owner,
            totals[owner],
            counts[owner],
            lambda seat: _seat_units(rules, asks, seat)[owner],
            lambda who: np.array(
                [rules.domestic_support(who, a.pledges, a.situation) for a in asks]
            )[owner],
        )
        codes = table.codes[rows]
        masks = np.empty((total, len(compiled.rules)), dtype=bool)
        for n, (fn, _effect, _gain) in enumerate(compiled.rules):
            masks[:, n] = as_mask(fn(codes, ctx), total)
        dims = dims + sum_rows(masks, compiled.effects, exact.effects)
        bonus = bonus + sum_rows(masks, compiled.gains, exact.gains)[everyone, column]
        for fn, line_column, points in lines:
            crossed = as_mask(fn(codes, ctx), total) & (column == line_column)
            penalty = penalty + np.where(crossed, points, 0.0)
    dims = _shifted(dims, [a.situation for a in asks], owner)
    credibility = weighted_geometric_mean(dims, compiled.weights)
    roles = rules.scenario.roles
    constant = np.array(
        [starting_satisfaction(rules, a.role, a.pledges.get(a.role, _NONE)) for a in asks]
    )
    weight = np.array([roles[a.role].credibility_weight for a in asks])
    satisfaction = table.preference[rows, column] + bonus - penalty
    satisfaction += constant[owner] + weight[owner] * (credibility - 50.0)
    satisfaction = np.clip(satisfaction, 0.0, 100.0)
    creds = credibility.tolist()
    sats = satisfaction.tolist()
    return [(creds[s:e], sats[s:e]) for s, e in zip(starts, ends, strict=True)]


def _option_block(
    rules: Ruleset, role: str, options: tuple[tuple[tuple[str, int], ...], ...]
) -> tuple[np.ndarray, np.ndarray]:
    """((options × kinds) units, (options,) cost at home) of a seat's pledge options
    (remembered: a bot weighs the same options move after move until its pledges change)."""
    cache = rules.derived.setdefault("pledge options", {})
    assert isinstance(cache, dict)
    key = (role, options)
    known = cache.get(key)
    if known is None:
        kinds = _kinds(rules)
        costs = rules.scenario.roles[role].pledge_costs
        units = np.array([_row(kinds, dict(option)) for option in options]).reshape(
            len(options), len(kinds)
        )
        cost = np.array([sum(costs.get(kind, 0.0) * n for kind, n in option) for option in options])
        if len(cache) >= 4096:
            cache.clear()
        known = cache[key] = (units, cost)
    return known


def score_pledge_options_many(rules: Ruleset, asks: Sequence[PledgeOptionsAsk]) -> list[Scores]:
    """For each ask: (credibility, the seat's satisfaction) with its pledges set to each of its
    options, then, with ``match``, with its partners answering in kind."""
    table = rules.table
    assert table is not None, "scoring pledge options needs the per-package tables"
    compiled = compiled_rules(rules)
    exact = _exactness(rules)
    thresholds = compiled.thresholds
    kinds = _kinds(rules)
    blocks: list[np.ndarray] = []
    cost_blocks: list[np.ndarray] = []
    counts: list[int] = []
    matches: list[float] = []
    answering: list[bool] = []
    for ask in asks:
        units, cost = _option_block(rules, ask.role, ask.options)
        n = len(ask.options)
        blocks.append(units)
        cost_blocks.append(cost)
        if ask.match is None:
            counts.append(n)
            matches.append(0.0)
            answering.extend([False] * n)
        else:
            blocks.append(units)
            cost_blocks.append(cost)
            counts.append(2 * n)
            matches.append(ask.match)
            answering.extend([False] * n + [True] * n)
    own = np.concatenate(blocks) if blocks else np.zeros((0, len(kinds)))
    costs = np.concatenate(cost_blocks) if cost_blocks else np.zeros(0)
    owner = np.repeat(np.arange(len(asks)), counts)
    now = np.array([_row(kinds, ask.pledges.get(ask.role, _NONE)) for ask in asks]).reshape(
        len(asks), len(kinds)
    )
    # Partners answer each change from the seat's pledges now with ``match`` units a unit.
    change = np.round(np.array(matches)[owner][:, None] * (own - now[owner]))
    partners = np.where(np.array(answering, dtype=bool)[:, None], change, 0.0)
    ends = np.cumsum(counts).tolist()
    starts = [end - count for end, count in zip(ends, counts, strict=True)]
    total = ends[-1] if ends else 0
    numbers = np.array([ask.package for ask in asks], dtype=np.intp)
    package = numbers[owner]
    columns = np.array([table.roles.index(ask.role) for ask in asks], dtype=np.intp)
    column = columns[owner]
    everyone = np.arange(total)
    fixed_totals, fixed_counts = _standing(rules, asks, without_asker=True)
    # Added in the order the per-deal context adds them: the standing pledges, the partners'
    # answer, then the seat's own (whole numbers: any order gives the same sums).
    totals = fixed_totals[owner] + partners + own
    pledgers = fixed_counts[owner] + (partners > 0) + (own > 0)
    roles = rules.scenario.roles
    role_names = [ask.role for ask in asks]

    def seat_units(seat: str) -> np.ndarray:
        standing = _seat_units(rules, asks, seat)
        mine = np.array([name == seat for name in role_names])
        standing[mine] = 0.0
        result: np.ndarray = standing[owner] + own * mine[owner][:, None]
        return result

    def support(who: str) -> np.ndarray:
        values: list[float] = []
        for ask, count in zip(asks, counts, strict=True):
            if who != ask.role:
                values.extend([rules.domestic_support(who, ask.pledges, ask.situation)] * count)
            else:
                mine = [
                    rules.domestic_support(who, {who: dict(option)}, ask.situation)
                    for option in ask.options
                ]
                values.extend(mine * (count // len(mine)) if mine else [])
        return np.array(values)

    ctx = _Rows(rules, asks, owner, totals, pledgers, seat_units, support)
    codes = table.codes[package]
    split_masks = compiled.split_masks[package]
    if len(thresholds.source):
        holds = (thresholds.failed(ctx.figures(thresholds.seats)) == 0) & split_masks
    else:
        holds = split_masks.copy()
    # A split rule's other terms, asked only while the rule still holds for some row.
    for rule, terms in enumerate(compiled.split_terms):
        for term in terms:
            rule_holds = holds[:, rule]
            if not rule_holds.any():
                break
            holds[:, rule] = rule_holds & as_mask(term(codes, ctx), total)
    masks = np.empty((total, len(compiled.rules)), dtype=bool)
    for m, (fn, _effect, _gain) in enumerate(compiled.rules):
        masks[:, m] = as_mask(fn(codes, ctx), total)
    penalty = table.static_penalty[package, column]
    for fn, line_column, points in compiled.red_lines:
        if np.any(columns == line_column):
            crossed = as_mask(fn(codes, ctx), total) & (column == line_column)
            penalty = penalty + np.where(crossed, points, 0.0)
    dims = (
        table.static_effect[package]
        + compiled.base
        + sum_rows(holds, compiled.split_effects, exact.split_effects)
        + sum_rows(masks, compiled.effects, exact.effects)
    )
    bonus = (
        table.static_bonus[package, column]
        + sum_rows(holds, compiled.split_gains, exact.split_gains)[everyone, column]
        + sum_rows(masks, compiled.gains, exact.gains)[everyone, column]
    )
    dims = _shifted(dims, [a.situation for a in asks], owner)
    credibility = weighted_geometric_mean(dims, compiled.weights)
    base = np.array([roles[a.role].base_satisfaction for a in asks])
    weight = np.array([roles[a.role].credibility_weight for a in asks])
    satisfaction = (
        base[owner]
        + table.preference[package, column]
        + bonus
        - penalty
        - costs
        + weight[owner] * (credibility - 50.0)
    )
    satisfaction = np.clip(satisfaction, 0.0, 100.0)
    creds = credibility.tolist()
    sats = satisfaction.tolist()
    return [(creds[s:e], sats[s:e]) for s, e in zip(starts, ends, strict=True)]


def answer(rules: Ruleset, asks: Sequence[AmendmentsAsk | PledgeOptionsAsk]) -> list[Scores]:
    """The answers to scoring questions of either kind, in the order asked."""
    answers: list[Scores | None] = [None] * len(asks)
    amendments = [n for n, ask in enumerate(asks) if isinstance(ask, AmendmentsAsk)]
    pledges = [n for n, ask in enumerate(asks) if not isinstance(ask, AmendmentsAsk)]
    if amendments:
        found = score_amendments_many(rules, [asks[n] for n in amendments])  # type: ignore[misc]
        for n, scores in zip(amendments, found, strict=True):
            answers[n] = scores
    if pledges:
        found = score_pledge_options_many(rules, [asks[n] for n in pledges])  # type: ignore[misc]
        for n, scores in zip(pledges, found, strict=True):
            answers[n] = scores
    return [scores for scores in answers if scores is not None]
