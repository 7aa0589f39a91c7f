"""The deal-space analysis: checked against brute force on random small scenarios."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from negotiation.analysis.frontier import pareto_mask, pareto_mask_brute
from negotiation.analysis.solutions import (
    most_credible_acceptable,
    nash_solution,
    objectives,
    pareto_frontier,
    what_if,
)
from negotiation.analysis.space import build_space, pledge_profile
from negotiation.cli import main
from negotiation.rules import Ruleset, Situation

from strategies import small_scenarios


def situations(rules: Ruleset):
    return st.builds(
        Situation,
        vetoed=st.booleans(),
        events=st.sets(st.sampled_from([i.id for i in rules.scenario.injects])).map(frozenset),
    )


@st.composite
def analysed(draw):
    scenario = draw(small_scenarios())
    rules = Ruleset(scenario)
    pledges = {
        r: {"troops": draw(st.integers(0, role.capacities.get("troops", 0)))}
        for r, role in scenario.roles.items()
        if role.coalition
    }
    situation = draw(situations(rules))
    return rules, pledges, situation, build_space(rules, pledges, situation)


@given(analysed())
def test_the_deal_space_equals_scoring_deal_by_deal(case):
    rules, pledges, situation, space = case
    for number in range(space.size):
        package = space.package(number)
        card = rules.credibility_reference(package, pledges, situation)
        assert math.isclose(space.credibility[number], card.total, abs_tol=1e-9)
        for column, role in enumerate(space.roles):
            sat = rules.satisfaction_detail(role, package, pledges, card, situation).value
            assert math.isclose(space.satisfaction[number, column], sat, abs_tol=1e-9)


@given(analysed())
def test_zopa_membership_matches_a_direct_check(case):
    rules, pledges, situation, space = case
    for number in range(space.size):
        package = space.package(number)
        card = rules.credibility(package, pledges, situation)
        direct = all(
            rules.satisfaction_detail(r, package, pledges, card, situation).acceptable
            for r in rules.scenario.signatories
        )
        assert bool(space.zopa[number]) == direct


@given(analysed())
def test_the_frontier_equals_brute_force_and_holds_no_dominated_package(case):
    _, _, _, space = case
    points = objectives(space)
    frontier = set(pareto_frontier(space).tolist())
    assert frontier == set(np.flatnonzero(pareto_mask_brute(points)).tolist())
    for p in frontier:
        for q in range(space.size):
            assert not (np.all(points[q] >= points[p]) and np.any(points[q] > points[p]))


@given(analysed())
def test_nash_maximises_the_product_of_gains_in_the_zopa(case):
    _, _, _, space = case
    nash = nash_solution(space)
    zopa = np.flatnonzero(space.zopa)
    if len(zopa) == 0:
        assert nash is None and most_credible_acceptable(space) is None
        return
    assert nash is not None and space.zopa[nash]
    products = [math.prod(max(0.0, g) for g in space.gains[n]) for n in zopa]
    assert math.isclose(
        math.prod(max(0.0, g) for g in space.gains[nash]), max(products), rel_tol=1e-9, abs_tol=1e-9
    )
    best = most_credible_acceptable(space)
    assert best is not None and space.credibility[best] == space.credibility[zopa].max()


@given(st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=1, max_size=200))
def test_the_bitset_frontier_equals_brute_force(rows):
    points = np.array(rows, dtype=float)
    assert (pareto_mask(points, screen=4) == pareto_mask_brute(points)).all()


def test_what_if_lists_every_single_change_best_first(paris_rules):
    scenario = paris_rules.scenario
    pledges = pledge_profile(scenario, "half")
    changes = what_if(paris_rules, scenario.opening, pledges)
    amendments = sum(len(i.options) - 1 for i in scenario.issues.values())
    assert sum(1 for w in changes if w.kind == "amend") == amendments
    assert [w.credibility for w in changes] == sorted(
        (w.credibility for w in changes), reverse=True
    )
    top = changes[0]
    package = dict(scenario.opening)
    if top.kind == "amend":
        package[top.detail["issue"]] = top.detail["option"]  # type: ignore[index]
    base = paris_rules.credibility(scenario.opening, pledges).total
    assert top.kind != "amend" or math.isclose(
        paris_rules.credibility(package, pledges).total - base, top.credibility, abs_tol=1e-9
    )


def paris_issues():
    from negotiation.scenario import resolve_scenario

    return resolve_scenario("paris-2025").issues.values()


def test_analyze_prints_the_analysis(capsys):
    assert main(["analyze", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in (
        "packages",
        "zopa_size",
        "pareto_size",
        "nash",
        "most_credible_acceptable",
        "what_if_opening",
    ):
        assert key in data
    assert data["packages"] == math.prod(
        len(i) for i in [range(4), range(4), range(3), range(4), range(4), range(4), range(4)]
    )
    assert main(["analyze", "--scenario", "paris-2025", "--pledges", "none"]) == 0
    assert "Nash bargaining solution" in capsys.readouterr().out


def test_analyze_a_save_compares_the_deal(capsys, tmp_path: Path):
    mini = str(Path(__file__).parent / "data" / "mini.toml")
    assert main(["simulate", "--scenario", mini, "--games", "1", "--save-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    save = next(tmp_path.glob("*.json"))
    assert main(["analyze", "--save", str(save), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"in_zopa", "on_pareto_frontier", "what_if", "analysis"} <= set(data)
    assert main(["analyze", "--save", str(tmp_path / "missing.json")]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_the_council_outlook_names_likely_vetoes(mini_rules):
    from negotiation.analysis.solutions import score_of

    space = build_space(mini_rules)
    heavy = score_of(
        space, space.number({"mandate": "unsc", "posture": "heavy", "funding": "long"})
    )
    assert heavy.needs_council and "Gammaland" in heavy.likely_vetoes  # its real red line
    treaty = score_of(
        space, space.number({"mandate": "treaty", "posture": "heavy", "funding": "long"})
    )
    assert not treaty.needs_council and treaty.likely_vetoes == ()
