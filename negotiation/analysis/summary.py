"""The analysis as plain data and as text: for ``negotiation analyze`` and the debrief."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from negotiation.analysis.solutions import (
    most_credible_acceptable,
    nash_solution,
    objectives,
    pareto_frontier,
    score_of,
    what_if,
)
from negotiation.analysis.space import DealSpace, build_space, pledge_levels, pledge_profile
from negotiation.rules import Pledges, Ruleset, Situation

if TYPE_CHECKING:
    from negotiation.engine import GameState


def space_summary(space: DealSpace) -> dict[str, Any]:
    """ZOPA, frontier, Nash solution and most credible acceptable package of a deal space."""
    frontier = pareto_frontier(space)
    nash = nash_solution(space)
    best = most_credible_acceptable(space)
    zopa = np.flatnonzero(space.zopa)
    return {
        "packages": space.size,
        "zopa_size": len(zopa),
        "zopa_share": round(len(zopa) / space.size, 5),
        "credibility_range": [
            round(float(space.credibility.min()), 2),
            round(float(space.credibility.max()), 2),
        ],
        "zopa_credibility_range": (
            [
                round(float(space.credibility[zopa].min()), 2),
                round(float(space.credibility[zopa].max()), 2),
            ]
            if len(zopa)
            else None
        ),
        "pareto_size": len(frontier),
        "pareto_in_zopa": int(space.zopa[frontier].sum()),
        "nash": score_of(space, nash).as_dict() if nash is not None else None,
        "most_credible_acceptable": score_of(space, best).as_dict() if best is not None else None,
        "nash_is_most_credible": nash is not None and nash == best,
        "walk_away": {
            r: round(float(w), 2) for r, w in zip(space.roles, space.walk_away, strict=True)
        },
    }


def analyze_scenario(rules: Ruleset, pledge_level: str = "half") -> dict[str, Any]:
    """The analysis of a scenario on its own, assuming a pledge profile."""
    scenario = rules.scenario
    pledges = pledge_profile(scenario, pledge_level)
    space = build_space(rules, pledges, Situation())
    data = {
        "scenario": scenario.id,
        "title": scenario.title,
        "pledge_profile": pledge_level,
        "pledges": pledges,
        "pledge_levels": pledge_levels(scenario),
        **space_summary(space),
    }
    data["what_if_opening"] = [
        w.as_dict() for w in what_if(rules, scenario.opening, pledges, space=space)[:5]
    ]
    return data


def analyze_game(state: GameState) -> dict[str, Any]:
    """The deal a game reached, against the analysis of its deal space (same pledges and
    situation as at the end of the game)."""
    rules = state.rules
    situation = state.situation()
    pledges: Pledges = state.pledges
    space = build_space(rules, pledges, situation)
    number = space.number(state.package)
    reached = score_of(space, number)
    summary = space_summary(space)
    points = objectives(space)
    dominated_by = np.flatnonzero(
        np.all(points >= points[number], axis=1) & np.any(points > points[number], axis=1)
    )
    best = most_credible_acceptable(space)
    nash = nash_solution(space)
    gains = space.gains[number]
    nash_gains = space.gains[nash] if nash is not None else None
    return {
        "scenario": state.scenario.id,
        "status": state.status.value,
        "deal": reached.as_dict(),
        "in_zopa": bool(space.zopa[number]),
        "on_pareto_frontier": len(dominated_by) == 0,
        "dominated_by": len(dominated_by),
        "better_for_all_example": score_of(
            space, int(dominated_by[np.argmax(space.credibility[dominated_by])])
        ).as_dict()
        if len(dominated_by)
        else None,
        "credibility_left_on_table": (
            round(float(space.credibility[best]) - reached.credibility, 2)
            if best is not None
            else None
        ),
        "nash_product_gap": (
            round(
                float(np.prod(np.clip(nash_gains, 0, None)) - np.prod(np.clip(gains, 0, None))), 2
            )
            if nash_gains is not None
            else None
        ),
        "analysis": summary,
        "what_if": [
            w.as_dict() for w in what_if(rules, state.package, pledges, situation, space=space)[:3]
        ],
    }


def format_package(scenario_issues: Any, package: dict[str, str]) -> str:
    return "; ".join(
        f"{scenario_issues[i].label}: {scenario_issues[i].options[o].label}"
        for i, o in package.items()
    )


def format_scenario_analysis(rules: Ruleset, data: dict[str, Any]) -> str:
    """The analysis of a scenario as text."""
    scenario = rules.scenario
    names = {r: role.short for r, role in scenario.roles.items()}
    lines = [
        f"{scenario.title} — deal-space analysis",
        f"Packages: {data['packages']:,}; pledge combinations: {data['pledge_levels']:,} "
        f"(analysed with each coalition member pledging {data['pledge_profile']} its capacity)",
        "Credibility across all packages: "
        f"{data['credibility_range'][0]}–{data['credibility_range'][1]}",
        f"ZOPA (every required signatory beats its walk-away): {data['zopa_size']} packages "
        f"({data['zopa_share']:.2%})",
        f"Pareto frontier (signatories' satisfaction and credibility): {data['pareto_size']} "
        f"packages, {data['pareto_in_zopa']} of them in the ZOPA",
    ]

    def describe(title: str, item: dict[str, Any] | None) -> None:
        lines.append("")
        if item is None:
            lines.append(f"{title}: none (the ZOPA is empty)")
            return
        lines.append(f"{title}: credibility {item['credibility']}")
        lines.append(f"  {format_package(scenario.issues, item['package'])}")
        sats = ", ".join(f"{names[r]} {v:.1f}" for r, v in item["satisfaction"].items())
        lines.append(f"  satisfaction: {sats}")
        if item.get("needs_security_council"):
            vetoes = item.get("likely_vetoes") or []
            lines.append(
                "  needs a Security Council resolution; "
                + (f"likely vetoed by {' and '.join(vetoes)}" if vetoes else "no veto expected")
            )

    describe("Nash bargaining solution", data["nash"])
    describe("Most credible acceptable package", data["most_credible_acceptable"])
    if data["nash"] is not None:
        lines.append("")
        lines.append(
            "The Nash solution is the most credible acceptable package."
            if data["nash_is_most_credible"]
            else "The Nash solution is not the most credible acceptable package: what the "
            "parties find fair and what would deter are not the same deal."
        )
    lines.append("")
    lines.append("What-if from the chair's opening draft (best for credibility first):")
    for w in data["what_if_opening"]:
        lines.append(f"  {w['credibility']:+6.2f}  {w['change']}")
    return "\n".join(lines)


def format_game_analysis(state: GameState, data: dict[str, Any]) -> str:
    """The analysis of a game's deal as text."""
    scenario = state.scenario
    deal = data["deal"]
    lines = [
        f"{scenario.title} — the deal reached ({data['status'].replace('_', ' ')})",
        f"  {format_package(scenario.issues, deal['package'])}",
        f"  credibility {deal['credibility']}",
        f"In the ZOPA: {'yes' if data['in_zopa'] else 'no'}",
        "On the Pareto frontier: "
        + (
            "yes"
            if data["on_pareto_frontier"]
            else f"no: {data['dominated_by']} packages are at least as good for every "
            "signatory and for credibility, and better for one"
        ),
    ]
    if data["credibility_left_on_table"] is not None:
        lines.append(
            f"Credibility left on the table (most credible acceptable package minus this deal): "
            f"{data['credibility_left_on_table']:+.2f}"
        )
    analysis = data["analysis"]
    if analysis["nash"] is not None:
        lines.append(
            f"Nash solution: credibility {analysis['nash']['credibility']} — "
            f"{format_package(scenario.issues, analysis['nash']['package'])}"
        )
    lines.append("The three single changes that would have raised credibility most:")
    for w in data["what_if"]:
        lines.append(f"  {w['credibility']:+6.2f}  {w['change']}")
    return "\n".join(lines)
