"""Credibility and satisfaction: how a deal is scored, with every point explained.

A :class:`Ruleset` compiles a scenario's expressions once. Scoring a deal then evaluates each
rule's compiled predicate against a :class:`DealContext` and adds up the effects. The engine,
the bots and the analysis all score through this one module, so they can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from negotiation.scenario.expr import Call, Literal, Name, Predicate, compile_predicate, parse, walk
from negotiation.scenario.loader import names_of
from negotiation.scenario.model import DIMENSIONS, Ratification, Rule, Scenario

if TYPE_CHECKING:
    from negotiation.rules.tables import PackageTable

Package = Mapping[str, str]
"""One option for each issue: issue id -> option id."""

Pledges = Mapping[str, Mapping[str, int]]
"""Standing pledges: role id -> pledge kind -> units."""

_EMPTY: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True)
class Situation:
    """What the rules may read of a game besides the deal itself.

    Attributes:
        round: the current round (1-based).
        vetoed: a Security Council resolution for the deal was vetoed.
        adopted: the deal has been adopted.
        events: ids of injects that have struck.
        signed: roles that accepted the deal in the last vote.
        supports: roles that have declared support for the deal on the table.
        dimension_shift: lasting changes to credibility dimensions from injects.
        walk_away_shift: changes to roles' walk-away values from injects.
        support_shift: changes to roles' domestic support from injects.
    """

    round: int = 1
    vetoed: bool = False
    adopted: bool = False
    events: frozenset[str] = frozenset()
    signed: frozenset[str] = frozenset()
    supports: frozenset[str] = frozenset()
    dimension_shift: Mapping[str, float] = field(default_factory=lambda: _EMPTY)
    walk_away_shift: Mapping[str, float] = field(default_factory=lambda: _EMPTY)
    support_shift: Mapping[str, float] = field(default_factory=lambda: _EMPTY)

    @classmethod
    def made(
        cls,
        round: int,
        vetoed: bool,
        adopted: bool,
        events: frozenset[str],
        signed: frozenset[str],
        supports: frozenset[str],
        dimension_shift: Mapping[str, float],
        walk_away_shift: Mapping[str, float],
        support_shift: Mapping[str, float],
    ) -> Situation:
        """A situation built without the dataclass's checks, from values of the right types:
        a game makes one for most of its moves."""
        situation = object.__new__(cls)
        object.__setattr__(
            situation,
            "__dict__",
            {
                "round": round,
                "vetoed": vetoed,
                "adopted": adopted,
                "events": events,
                "signed": signed,
                "supports": supports,
                "dimension_shift": dimension_shift,
                "walk_away_shift": walk_away_shift,
                "support_shift": support_shift,
            },
        )
        return situation

    def key_for(self, reads: SituationReads) -> tuple[object, ...]:
        """A hashable value equal for situations that look alike to expressions that read
        ``reads`` (for memoising scores; remembered for the last ``reads`` asked)."""
        held: tuple[SituationReads, tuple[object, ...]] | None = self.__dict__.get("_key")
        if held is not None and held[0] is reads:
            return held[1]
        key = reads.key(self)
        object.__setattr__(self, "_key", (reads, key))
        return key


@dataclass(frozen=True)
class SituationReads:
    """What of a :class:`Situation` a scenario's deal expressions (its rules and red lines)
    read, and so what the scores of a deal depend on besides the deal.

    Most of a situation changes move by move: the round, who supports the deal on the table.
    A scenario whose rules read only ``supports("ukraine")`` scores a deal the same whoever
    else supports it, in any round, and the scores worked out once keep.

    Attributes:
        variables: which of ``round``, ``vetoed`` and ``adopted`` are read.
        events: the events ``event()`` asks about.
        supports: the roles ``supports()`` asks about (it reads their signatures too).
        signed: the roles ``signed()`` asks about.
        support: the roles ``support()`` asks about (their support shifts count).
    """

    variables: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()
    supports: frozenset[str] = frozenset()
    signed: frozenset[str] = frozenset()
    support: frozenset[str] = frozenset()

    @classmethod
    def of(cls, sources: Iterable[str]) -> SituationReads:
        """What expressions with these sources read (they have passed the loader's checks,
        so every function's argument is a quoted name)."""
        variables: set[str] = set()
        called: dict[str, set[str]] = {f: set() for f in ("event", "supports", "signed", "support")}
        for source in sources:
            for node in walk(parse(source)):
                if isinstance(node, Name):
                    variables.add(node.name)
                elif isinstance(node, Call) and node.function in called and node.args:
                    argument = node.args[0]
                    if isinstance(argument, Literal):
                        called[node.function].add(str(argument.value))
        return cls(
            frozenset(variables & {"round", "vetoed", "adopted"}),
            frozenset(called["event"]),
            frozenset(called["supports"]),
            frozenset(called["signed"]),
            frozenset(called["support"]),
        )

    def key(self, situation: Situation) -> tuple[object, ...]:
        """The parts of ``situation`` these expressions read, and its credibility shifts."""
        variables = self.variables
        return (
            situation.round if "round" in variables else 0,
            situation.vetoed if "vetoed" in variables else False,
            situation.adopted if "adopted" in variables else False,
            situation.events & self.events,
            frozenset(
                role
                for role in self.supports
                if role in situation.supports or role in situation.signed
            ),
            situation.signed & self.signed,
            tuple(sorted(situation.dimension_shift.items())),
            tuple(sorted((r, v) for r, v in situation.support_shift.items() if r in self.support)),
        )


PledgesKey = tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
"""What :func:`pledges_key` returns."""

DealKey = tuple[tuple[str, ...], PledgesKey, tuple[object, ...]]
"""What :meth:`Ruleset.deal_key` returns: the package's options, the pledges, the situation."""


def pledges_key(pledges: Pledges) -> PledgesKey:
    """A hashable value equal for pledges that score the same (zero units are no pledge)."""
    return tuple(
        sorted(
            (role, tuple(sorted((kind, units) for kind, units in own.items() if units)))
            for role, own in pledges.items()
            if any(own.values())
        )
    )


TABLE_AFTER = 2000
"""Deals a :class:`Ruleset` scores one by one before it builds its per-package tables.

The tables save about 40 µs a deal but cost importing NumPy and building them, 100-250 ms:
they pay for themselves after a couple of thousand deals. A replay's chart scores at most one
deal a step, so opening a saved game never builds them. Bots and the analysis, which score
deals by the thousand, ask for the tables themselves."""

MEMO_LIMIT = 20_000
"""Scores a :class:`Ruleset` remembers before it starts afresh (a few tens of MB at most)."""


@dataclass(frozen=True)
class FiredRule:
    """A rule that held for a deal, and what it did.

    Attributes:
        id: the rule's id (or ``inject:ID`` for an event's lasting effect).
        effect: points it moved on each dimension.
        because: why, in the scenario's words.
        source: a source or historical analogy, possibly empty.
    """

    id: str
    effect: Mapping[str, float]
    because: str
    source: str = ""


@dataclass(frozen=True)
class ScoreCard:
    """The credibility of a deal, and why.

    Attributes:
        total: weighted geometric mean of the dimensions, 0-100.
        dimensions: each dimension's value, 0-100, in display order.
        fired: the rules that held (and injects that weigh on the score), in scenario order.
    """

    total: float
    dimensions: Mapping[str, float]
    fired: tuple[FiredRule, ...]

    @property
    def moving(self) -> tuple[FiredRule, ...]:
        """The fired rules that move credibility: what a card lists. A rule that only moves a
        delegation's satisfaction (its credit at home for its own pledge) is explained in that
        delegation's satisfaction instead."""
        return tuple(rule for rule in self.fired if rule.effect)

    def explain(self, dimension: str) -> list[tuple[str, float, str]]:
        """(rule id, points, because) for every rule that moved one dimension."""
        return [
            (rule.id, rule.effect[dimension], rule.because)
            for rule in self.fired
            if rule.effect.get(dimension)
        ]


@dataclass(frozen=True)
class Satisfaction:
    """A role's satisfaction with a deal, against its walk-away value.

    Attributes:
        role: the role's id.
        value: satisfaction, 0-100.
        walk_away: the walk-away value in force (after injects).
        parts: (what, points) lines that add up to the value before clamping.
    """

    role: str
    value: float
    walk_away: float
    parts: tuple[tuple[str, float], ...]

    @property
    def acceptable(self) -> bool:
        """True if the deal is at least as good as walking away."""
        return self.value >= self.walk_away

    @property
    def margin(self) -> float:
        """Satisfaction above (or below, if negative) the walk-away value."""
        return self.value - self.walk_away


def geometric_mean(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Weighted geometric mean of 0-100 values: one value at 0 makes the mean 0."""
    total_weight = sum(w for w in weights.values() if w > 0)
    if total_weight <= 0:
        return 0.0
    acc = 0.0
    for key, weight in weights.items():
        if weight <= 0:
            continue
        value = values[key]
        if value <= 0:
            return 0.0
        acc += weight * math.log(value)
    return math.exp(acc / total_weight)


class DealContext:
    """Answers an expression's questions about one deal in one situation."""

    __slots__ = (
        "_cred",
        "_ruleset",
        "_sat",
        "_totals",
        "adopted",
        "package",
        "pledges",
        "round",
        "situation",
        "vetoed",
    )

    def __init__(
        self,
        ruleset: Ruleset,
        package: Package,
        pledges: Pledges,
        situation: Situation,
        *,
        credibility: Callable[[], float] | None = None,
        satisfaction: Callable[[str], float] | None = None,
    ) -> None:
        self._ruleset = ruleset
        self.package = package
        self.pledges = pledges
        self.situation = situation
        self.round = situation.round
        self.vetoed = situation.vetoed
        self.adopted = situation.adopted
        self._cred = credibility
        self._sat = satisfaction
        self._totals: dict[str, float] | None = None

    def option(self, issue: str) -> str:
        return self.package[issue]

    def pledged(self, kind: str, by: str | None) -> float:
        if by is not None:
            return float(self.pledges.get(by, _EMPTY).get(kind, 0))
        totals = self._totals
        if totals is None:
            totals = self._totals = {}
            for own in self.pledges.values():
                for k, units in own.items():
                    totals[k] = totals.get(k, 0.0) + units
        return totals.get(kind, 0.0)

    def pledgers(self, kind: str) -> float:
        return float(sum(1 for p in self.pledges.values() if p.get(kind, 0) > 0))

    def event(self, inject: str) -> bool:
        return inject in self.situation.events

    def signed(self, role: str) -> bool:
        return role in self.situation.signed

    def supports(self, role: str) -> bool:
        return role in self.situation.supports or role in self.situation.signed

    def support(self, role: str) -> float:
        return self._ruleset.domestic_support(role, self.pledges, self.situation)

    def satisfaction(self, role: str) -> float:
        if self._sat is None:  # the loader forbids this outside outcome expressions
            raise RuntimeError("satisfaction() is not available here")
        return self._sat(role)

    def credibility(self) -> float:
        if self._cred is None:  # the loader forbids this outside outcome expressions
            raise RuntimeError("credibility() is not available here")
        return self._cred()


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    when: Predicate
    fired: FiredRule
    effect: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class RedLineCheck:
    """A red line with its compiled condition."""

    role: str
    id: str
    text: str
    bluff: bool
    penalty: float
    when: Predicate


@dataclass(frozen=True)
class RatificationCheck:
    """A national vote with its compiled conditions."""

    vote: Ratification
    requires: Predicate
    passes: Predicate


class Ruleset:
    """A scenario's rules, compiled once, with the scoring functions that use them.

    Args:
        scenario: a scenario that has passed the loader's checks.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        deal_names = names_of(scenario)
        outcome_names = names_of(scenario, outcome_functions=True)
        self.rules = tuple(
            _CompiledRule(
                rule,
                compile_predicate(rule.when, deal_names),
                FiredRule(
                    rule.id,
                    MappingProxyType({str(k): v for k, v in rule.effect.items()}),
                    rule.because,
                    rule.source,
                ),
                tuple((str(k), v) for k, v in rule.effect.items()),
            )
            for rule in scenario.rules
        )
        self._table: PackageTable | None = None
        self._table_built = False
        self.derived: dict[str, object] = {}
        """Other compilations of this scenario, made on first use (e.g. vector functions)."""
        self.memo: dict[tuple[object, ...], object] = {}
        """Scores already worked out, by what they depend on (see :meth:`remember`). Bots
        ask for the same deal's scores many times over; scoring is pure, so answers keep."""
        self._scored = 0
        self._bonuses: dict[str, list[tuple[str, float]]] = {}
        for rule in scenario.rules:
            for role_id, bonus in rule.satisfaction.items():
                self._bonuses.setdefault(role_id, []).append((rule.id, bonus))
        self.red_lines = tuple(
            RedLineCheck(
                role_id,
                line.id,
                line.text,
                line.bluff,
                line.penalty,
                compile_predicate(line.when, deal_names),
            )
            for role_id, role in scenario.roles.items()
            for line in role.red_lines
        )
        self.ratifications = tuple(
            RatificationCheck(
                vote,
                compile_predicate(vote.requires, outcome_names),
                compile_predicate(vote.passes, outcome_names),
            )
            for vote in scenario.ratifications
        )
        self.npc_vetoes = {
            npc_id: compile_predicate(npc.vetoes_when, outcome_names)
            for npc_id, npc in scenario.unsc_npcs.items()
        }
        self.weights = {d: scenario.dimension_weight(d) for d in DIMENSIONS}
        self.base = {d: scenario.dimension_base(d) for d in DIMENSIONS}

    @cached_property
    def reads(self) -> SituationReads:
        """What of a situation the scenario's rules and red lines read: what a deal's scores
        are remembered by, besides the deal (worked out on first use)."""
        scenario = self.scenario
        return SituationReads.of(
            [rule.when for rule in scenario.rules]
            + [line.when for role in scenario.roles.values() for line in role.red_lines]
        )

    # --- credibility --------------------------------------------------------------------------

    def context(self, package: Package, pledges: Pledges, situation: Situation) -> DealContext:
        """A context for evaluating deal expressions."""
        return DealContext(self, package, pledges, situation)

    @property
    def table(self) -> PackageTable | None:
        """The scenario's per-package tables (built on first use), or None if too large."""
        if not self._table_built:
            from negotiation.rules.tables import build_table

            self._table = build_table(
                self.scenario, [(r.role, r.when.source, r.bluff, r.penalty) for r in self.red_lines]
            )
            self._table_built = True
        return self._table

    def _table_if_worth_it(self) -> PackageTable | None:
        """The tables, once this Ruleset has scored enough deals one by one to need them."""
        if self._table_built:
            return self._table
        self._scored += 1
        return self.table if self._scored >= TABLE_AFTER else None

    def deal_key(
        self,
        package: Package,
        pledges: Pledges,
        situation: Situation,
        *,
        pledges_id: PledgesKey | None = None,
    ) -> DealKey:
        """A hashable value equal for deals that score the same (for memoising their scores;
        ``pledges_id`` is ``pledges_key(pledges)``, if the caller has it)."""
        if pledges_id is None:
            pledges_id = pledges_key(pledges)
        return (tuple(package.values()), pledges_id, situation.key_for(self.reads))

    def credibility(
        self,
        package: Package,
        pledges: Pledges,
        situation: Situation | None = None,
        *,
        deal: DealKey | None = None,
    ) -> ScoreCard:
        """Score the credibility of a deal, listing every rule that fired (``deal`` is its
        :meth:`deal_key`, if the caller has it).

        With the per-package tables, the rules that read only the package are looked up rather
        than evaluated; the effects are then added up by the very same code as
        :meth:`credibility_reference`, so both give the same card to the last bit (a replay
        without the tables scores exactly as the live game did with them).
        """
        situation = situation or Situation()
        deal = deal or self.deal_key(package, pledges, situation)
        key = ("card", *deal)
        memo = self.memo.get(key)
        if isinstance(memo, ScoreCard):
            return memo
        table = self._table_if_worth_it()
        if table is None:
            card = self.credibility_reference(package, pledges, situation)
        else:
            card = self._credibility(table, package, pledges, situation, deal[1])
        self.remember(key, card)
        return card

    def remember(self, key: tuple[object, ...], value: object) -> None:
        """Keep a computed score under ``key`` (forgetting all once the memo is full)."""
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
        self.memo[key] = value

    def _credibility(
        self,
        table: PackageTable,
        package: Package,
        pledges: Pledges,
        situation: Situation,
        pledges_id: tuple[object, ...],
    ) -> ScoreCard:
        from negotiation.rules.batch import compiled_rules, known_split_holds

        compiled = compiled_rules(self)
        number = table.index(package)
        fired = [table.static_rules[k] for k in table.static_masks[number].nonzero()[0].tolist()]
        # A split rule fires when its terms on the package hold (looked up) and its other
        # terms hold: known already if these pledges were scored in this situation, else asked
        # of this deal, and only for the rules whose package terms hold.
        ctx = DealContext(self, package, pledges, situation)
        held = known_split_holds(self, pledges_id, situation)
        if held is not None:
            holds = compiled.split_masks[number] & held
            fired.extend(compiled.split_rules[n] for n in holds.nonzero()[0].tolist())
        else:
            scalar = compiled.split_scalar
            for n in compiled.split_masks[number].nonzero()[0].tolist():
                for term in scalar[n]:
                    if not term(ctx):
                        break
                else:
                    fired.append(compiled.split_rules[n])
        fired.extend(k for k in compiled.dynamic_rules if self.rules[k].when.fn(ctx))
        fired.sort()
        return self._sum_effects([self.rules[k] for k in fired], situation)

    def credibility_reference(
        self, package: Package, pledges: Pledges, situation: Situation | None = None
    ) -> ScoreCard:
        """Credibility by evaluating every rule's closure: the definition the tables follow."""
        situation = situation or Situation()
        ctx = DealContext(self, package, pledges, situation)
        return self._sum_effects([c for c in self.rules if c.when.fn(ctx)], situation)

    def _sum_effects(self, fired: list[_CompiledRule], situation: Situation) -> ScoreCard:
        """The ScoreCard of the rules that fired (in rule order): the one place effects are
        added up, whichever way the rules were found to fire."""
        values = dict(self.base)
        for rule in fired:
            for effect_dim, points in rule.effect:
                values[effect_dim] += points
        return self._card(values, [rule.fired for rule in fired], situation)

    def _card(
        self, values: dict[str, float], fired: list[FiredRule], situation: Situation
    ) -> ScoreCard:
        """The ScoreCard from summed rule effects: inject shifts, clamping, the mean."""
        if situation.dimension_shift:
            shift = {d: p for d, p in situation.dimension_shift.items() if p}
            for dim, points in shift.items():
                values[dim] += points
            if shift:
                fired.append(
                    FiredRule(
                        "events",
                        MappingProxyType(shift),
                        "Events during the talks have shifted how credible any deal can be.",
                    )
                )
        dims = {d: min(100.0, max(0.0, values[d])) for d in DIMENSIONS}
        return ScoreCard(geometric_mean(dims, self.weights), MappingProxyType(dims), tuple(fired))

    # --- satisfaction -------------------------------------------------------------------------

    def walk_away(self, role: str, situation: Situation | None = None) -> float:
        """A role's walk-away value after injects."""
        base = self.scenario.roles[role].walk_away
        if situation is None:
            return base
        return min(100.0, max(0.0, base + situation.walk_away_shift.get(role, 0.0)))

    def domestic_support(self, role: str, pledges: Pledges, situation: Situation) -> float:
        """Support at home for a role's part in the deal, 0-100."""
        spec = self.scenario.roles[role]
        value = spec.domestic_support + situation.support_shift.get(role, 0.0)
        own = pledges.get(role, _EMPTY)
        for kind, units in own.items():
            value -= spec.pledge_costs.get(kind, 0.0) * units
        return min(100.0, max(0.0, value))

    def crossed_red_lines(
        self, package: Package, pledges: Pledges, situation: Situation | None = None
    ) -> list[RedLineCheck]:
        """Red lines (real and bluffed) that the deal crosses."""
        ctx = DealContext(self, package, pledges, situation or Situation())
        return [line for line in self.red_lines if line.when(ctx)]

    def satisfaction_detail(
        self,
        role: str,
        package: Package,
        pledges: Pledges,
        card: ScoreCard,
        situation: Situation | None = None,
    ) -> Satisfaction:
        """A role's satisfaction with a deal, with the parts it is made of."""
        situation = situation or Situation()
        parts = self._satisfaction_parts(role, package, pledges, card, situation, labels=True)
        raw = sum(points for _, points in parts)
        return Satisfaction(
            role, min(100.0, max(0.0, raw)), self.walk_away(role, situation), tuple(parts)
        )

    def satisfaction(
        self,
        role: str,
        package: Package,
        pledges: Pledges,
        card: ScoreCard,
        situation: Situation | None = None,
    ) -> float:
        """A role's satisfaction with a deal, 0-100: the value of :meth:`satisfaction_detail`,
        added up in the same order (so to the last bit), without writing the labels."""
        situation = situation or Situation()
        parts = self._satisfaction_parts(role, package, pledges, card, situation, labels=False)
        raw = sum(points for _, points in parts)
        return min(100.0, max(0.0, raw))

    def _satisfaction_parts(
        self,
        role: str,
        package: Package,
        pledges: Pledges,
        card: ScoreCard,
        situation: Situation,
        *,
        labels: bool,
    ) -> list[tuple[str, float]]:
        spec = self.scenario.roles[role]
        issues = self.scenario.issues
        parts: list[tuple[str, float]] = [("starting point", spec.base_satisfaction)]
        for issue, table in spec.preferences.items():
            points = table.get(package[issue], 0.0)
            if points:
                label = (
                    f"{issues[issue].label}: {issues[issue].options[package[issue]].label}"
                    if labels
                    else ""
                )
                parts.append((label, points))
        if spec.credibility_weight:
            parts.append(("credibility", spec.credibility_weight * (card.total - 50.0)))
        own = pledges.get(role, _EMPTY)
        for kind, units in own.items():
            cost = spec.pledge_costs.get(kind, 0.0) * units
            if cost:
                label = f"pledge: {self.scenario.pledge_kinds[kind].label}" if labels else ""
                parts.append((label, -cost))
        bonuses = self._bonuses.get(role)
        if bonuses:
            fired_ids = {f.id for f in card.fired}
            for rule_id, bonus in bonuses:
                if rule_id in fired_ids:
                    parts.append((f"rule: {rule_id}", bonus))
        ctx: DealContext | None = None
        for line in self.red_lines:
            if line.role == role and not line.bluff:
                ctx = ctx or DealContext(self, package, pledges, situation)
                if line.when(ctx):
                    parts.append((f"red line crossed: {line.text}", -line.penalty))
        return parts

    # --- outcome expressions ------------------------------------------------------------------

    def outcome_context(
        self, package: Package, pledges: Pledges, situation: Situation
    ) -> DealContext:
        """A context in which ``satisfaction()`` and ``credibility()`` are available."""
        card = self.credibility(package, pledges, situation)
        cache: dict[str, float] = {}

        def sat(role: str) -> float:
            if role not in cache:
                cache[role] = self.satisfaction(role, package, pledges, card, situation)
            return cache[role]

        return DealContext(
            self, package, pledges, situation, credibility=lambda: card.total, satisfaction=sat
        )
