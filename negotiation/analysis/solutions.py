"""What negotiation teaching asks of a deal space: the ZOPA, the Pareto frontier, the Nash
bargaining solution, the most credible acceptable deal, and what-if changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from negotiation.analysis.frontier import pareto_mask
from negotiation.analysis.space import DealSpace, build_space
from negotiation.rules import Pledges, Ruleset, Situation


@dataclass(frozen=True)
class PackageScore:
    """One package of the deal space, with its scores.

    Attributes:
        number: its row in the deal space.
        package: issue -> option.
        credibility: its credibility.
        satisfaction: role -> satisfaction.
    """

    number: int
    package: dict[str, str]
    credibility: float
    satisfaction: dict[str, float]
    needs_council: bool = False
    likely_vetoes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "package": self.package,
            "credibility": round(self.credibility, 2),
            "satisfaction": {r: round(v, 2) for r, v in self.satisfaction.items()},
            "needs_security_council": self.needs_council,
            "likely_vetoes": list(self.likely_vetoes),
        }


def score_of(space: DealSpace, number: int) -> PackageScore:
    """The scores of one package, and whether the Security Council would block it."""
    package = space.package(number)
    satisfaction = {
        role: float(space.satisfaction[number, c]) for c, role in enumerate(space.roles)
    }
    needs, vetoes = council_outlook(space, package, satisfaction)
    return PackageScore(
        number, package, float(space.credibility[number]), satisfaction, needs, vetoes
    )


def council_outlook(
    space: DealSpace, package: Mapping[str, str], satisfaction: Mapping[str, float]
) -> tuple[bool, tuple[str, ...]]:
    """Whether a package needs a Security Council resolution, and who would likely veto it.

    A member that sits at the table is expected to veto when the deal leaves it below its
    walk-away value or crosses one of its real red lines (as the bots do); a member no one
    plays vetoes when its rule says so. The ZOPA leaves the Council out; this says what it
    would make of a package.
    """
    rules = space.rules
    scenario = rules.scenario
    needs = any(scenario.issues[i].options[o].needs_unsc for i, o in package.items())
    if not needs:
        return False, ()
    vetoes: list[str] = []
    crossed = rules.crossed_red_lines(package, space.pledges, space.situation)
    walk = dict(zip(space.roles, space.walk_away.tolist(), strict=True))
    for role_id, role in scenario.roles.items():
        if not role.unsc_veto:
            continue
        real = any(line.role == role_id and not line.bluff for line in crossed)
        if real or satisfaction[role_id] < walk[role_id]:
            vetoes.append(role.name)
    ctx = rules.outcome_context(package, space.pledges, space.situation)
    for npc_id, vetoes_when in rules.npc_vetoes.items():
        if vetoes_when(ctx):
            vetoes.append(scenario.unsc_npcs[npc_id].name)
    return True, tuple(vetoes)


def objectives(space: DealSpace) -> np.ndarray:
    """(packages × (signatories + 1)): each signatory's satisfaction, then credibility."""
    return np.column_stack([space.satisfaction[:, space.signatory_columns], space.credibility])


def pareto_frontier(space: DealSpace) -> np.ndarray:
    """Package numbers on the Pareto frontier over signatories' satisfaction and credibility."""
    return np.flatnonzero(pareto_mask(objectives(space)))


def nash_solution(space: DealSpace) -> int | None:
    """The ZOPA package that maximises the product of signatories' gains over walking away.

    Ties go to the more credible package, then the lower package number. None if the ZOPA is
    empty.
    """
    zopa = np.flatnonzero(space.zopa)
    if len(zopa) == 0:
        return None
    gains = space.gains[zopa]
    with np.errstate(divide="ignore"):
        score = np.where(gains > 0, np.log(np.where(gains > 0, gains, 1.0)), -np.inf).sum(axis=1)
    best = np.flatnonzero(score == score.max())
    credible = space.credibility[zopa[best]]
    return int(zopa[best[int(np.argmax(credible))]])


def most_credible_acceptable(space: DealSpace) -> int | None:
    """The most credible package in the ZOPA (ties: the lower number), or None."""
    zopa = np.flatnonzero(space.zopa)
    if len(zopa) == 0:
        return None
    return int(zopa[int(np.argmax(space.credibility[zopa]))])


@dataclass(frozen=True)
class WhatIf:
    """One single change to a deal, and what it would do.

    Attributes:
        change: the change, in words.
        kind: "amend" or "pledge".
        detail: what changes: issue and option, or role, kind and units.
        credibility: credibility change.
        satisfaction: role -> satisfaction change.
    """

    change: str
    kind: str
    detail: dict[str, object]
    credibility: float
    satisfaction: dict[str, float] = field(default_factory=dict)

    def gainers(self) -> list[str]:
        return [r for r, d in self.satisfaction.items() if d > 0.05]

    def losers(self) -> list[str]:
        return [r for r, d in self.satisfaction.items() if d < -0.05]

    def as_dict(self) -> dict[str, object]:
        return {
            "change": self.change,
            "kind": self.kind,
            **self.detail,
            "credibility": round(self.credibility, 2),
            "satisfaction": {r: round(v, 2) for r, v in self.satisfaction.items()},
        }


def what_if(
    rules: Ruleset,
    package: Mapping[str, str],
    pledges: Pledges,
    situation: Situation | None = None,
    *,
    space: DealSpace | None = None,
) -> list[WhatIf]:
    """Every single change to a deal (one amendment, or one pledge a step up or down), best
    for credibility first."""
    situation = situation or Situation()
    scenario = rules.scenario
    space = space or build_space(rules, pledges, situation)
    here = space.number(package)
    base = score_of(space, here)
    out: list[WhatIf] = []
    for issue_id, issue in scenario.issues.items():
        for option in issue.options:
            if option == package[issue_id]:
                continue
            other = score_of(space, space.number({**package, issue_id: option}))
            out.append(
                WhatIf(
                    f"{issue.label}: {issue.options[option].label}",
                    "amend",
                    {"issue": issue_id, "option": option},
                    other.credibility - base.credibility,
                    {r: other.satisfaction[r] - base.satisfaction[r] for r in scenario.roles},
                )
            )
    for role_id, role in scenario.roles.items():
        if not role.coalition:
            continue
        own = pledges.get(role_id, {})
        for kind_id, cap in role.capacities.items():
            kind = scenario.pledge_kinds[kind_id]
            now = own.get(kind_id, 0)
            for units in (now + kind.step, now - kind.step):
                if not 0 <= units <= cap:
                    continue
                changed = {**pledges, role_id: {**own, kind_id: units}}
                card = rules.credibility(package, changed, situation)
                sats = {
                    r: rules.satisfaction(r, package, changed, card, situation)
                    - base.satisfaction[r]
                    for r in scenario.roles
                }
                verb = "more" if units > now else "less"
                out.append(
                    WhatIf(
                        f"{role.name} pledges {units} {kind.unit} of {kind.label.lower()} ({verb})",
                        "pledge",
                        {"role": role_id, "pledge_kind": kind_id, "units": units},
                        card.total - base.credibility,
                        sats,
                    )
                )
    out.sort(key=lambda w: (-w.credibility, w.change))
    return out
