"""The rules engine: credibility ScoreCards and satisfaction, checked by hand and by property."""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from negotiation.rules import Ruleset, Situation, geometric_mean
from negotiation.rules.scoring import SituationReads, pledges_key
from negotiation.scenario import DIMENSIONS, parse_scenario

from strategies import small_scenarios

dims = st.fixed_dictionaries({d: st.floats(0, 100) for d in DIMENSIONS})
weights = st.fixed_dictionaries({d: st.floats(0.1, 5) for d in DIMENSIONS})


@given(dims, weights)
def test_geometric_mean_stays_between_min_and_max(values, w):
    mean = geometric_mean(values, w)
    assert min(values.values()) - 1e-9 <= mean <= max(values.values()) + 1e-9


@given(dims, weights)
def test_one_dimension_at_zero_sinks_the_total(values, w):
    values = {**values, "resolve": 0.0}
    assert geometric_mean(values, w) == 0.0


@given(st.floats(1, 100), weights)
def test_equal_dimensions_give_that_value(value, w):
    assert math.isclose(geometric_mean(dict.fromkeys(DIMENSIONS, value), w), value)


@given(dims, weights, st.sampled_from(DIMENSIONS), st.floats(0, 50))
def test_raising_a_dimension_never_lowers_the_total(values, w, dim, bump):
    higher = {**values, dim: min(100.0, values[dim] + bump)}
    assert geometric_mean(higher, w) >= geometric_mean(values, w) - 1e-9


def test_mini_opening_scores_the_base(mini_rules: Ruleset, mini):
    card = mini_rules.credibility(mini.opening, {})
    assert card.fired == ()
    assert all(v == 30.0 for v in card.dimensions.values())
    assert math.isclose(card.total, 30.0)


def test_rules_fire_and_explain(mini_rules: Ruleset):
    package = {"mandate": "unsc", "posture": "heavy", "funding": "long"}
    pledges = {"alpha": {"troops": 2}, "beta": {"troops": 1}}
    card = mini_rules.credibility(package, pledges)
    fired = [f.id for f in card.fired]
    assert fired == [
        "unsc_legit",
        "heavy_capability",
        "troops_resolve",
        "many_pledgers",
        "long_money",
    ]
    assert card.dimensions == {
        "legitimacy": 70.0,
        "capability": 60.0,
        "cohesion": 50.0,
        "resolve": 55.0,
        "sustainability": 60.0,
        "restraint": 10.0,
    }
    expected = math.exp(sum(math.log(v) for v in card.dimensions.values()) / 6)
    assert math.isclose(card.total, expected)
    assert card.explain("restraint") == [
        ("heavy_capability", -20, "Heavy forces can fight, and can provoke.")
    ]


def test_a_veto_takes_the_security_council_legitimacy_away(mini_rules: Ruleset):
    package = {"mandate": "unsc", "posture": "light", "funding": "short"}
    before = mini_rules.credibility(package, {})
    after = mini_rules.credibility(package, {}, Situation(vetoed=True))
    assert before.dimensions["legitimacy"] == 70.0
    assert after.dimensions["legitimacy"] == 30.0


def test_events_shift_dimensions_and_are_listed(mini_rules: Ruleset, mini):
    situation = Situation(events=frozenset({"windfall"}), dimension_shift={"sustainability": 5})
    card = mini_rules.credibility(mini.opening, {}, situation)
    assert card.dimensions["sustainability"] == 65.0  # long_money fires on the windfall, +5
    assert [f.id for f in card.fired] == ["long_money", "events"]


def test_satisfaction_adds_up_its_parts(mini_rules: Ruleset):
    package = {"mandate": "treaty", "posture": "heavy", "funding": "short"}
    pledges = {"alpha": {"troops": 3}}
    card = mini_rules.credibility(package, pledges)
    sat = mini_rules.satisfaction_detail("gamma", package, pledges, card)
    # base 50, treaty -10, heavy -20, credibility -0.5 * (total - 50), troops rule -5,
    # real red line "no_heavy" -40; the bluffed "no_treaty" costs nothing.
    raw = 50 - 10 - 20 - 0.5 * (card.total - 50) - 5 - 40
    assert math.isclose(sat.value, max(0.0, raw))
    labels = [label for label, _ in sat.parts]
    assert "red line crossed: Heavy forces at our border mean war." in labels
    assert not any("occupation" in label for label in labels)
    assert sat.walk_away == 30 and not sat.acceptable


def test_pledges_cost_satisfaction_and_domestic_support(mini_rules: Ruleset, mini):
    pledges = {"alpha": {"troops": 4}}
    card = mini_rules.credibility(mini.opening, pledges)
    sat = mini_rules.satisfaction_detail("alpha", mini.opening, pledges, card)
    assert ("pledge: Troops", -8.0) in sat.parts
    assert mini_rules.domestic_support("alpha", pledges, Situation()) == 52.0
    shifted = Situation(support_shift={"alpha": -10})
    assert mini_rules.domestic_support("alpha", pledges, shifted) == 42.0


def test_every_deal_scores_within_bounds(mini_rules: Ruleset, mini):
    options = [list(issue.options) for issue in mini.issues.values()]
    for combo in itertools.product(*options):
        package = dict(zip(mini.issues, combo, strict=True))
        for alpha, beta in itertools.product(range(5), range(3)):
            pledges = {"alpha": {"troops": alpha}, "beta": {"troops": beta}}
            card = mini_rules.credibility(package, pledges)
            assert 0 <= card.total <= 100
            for role in mini.roles:
                assert 0 <= mini_rules.satisfaction(role, package, pledges, card) <= 100


def test_paris_scores_every_role(paris_rules: Ruleset, paris):
    card = paris_rules.credibility(paris.opening, {})
    assert 0 < card.total < 100
    for role in paris.roles:
        value = paris_rules.satisfaction(role, paris.opening, {}, card)
        assert 0 <= value <= 100


# --- the per-package tables agree with rule-by-rule evaluation ---------------------------------


@st.composite
def deals(draw, rules: Ruleset):
    spec = rules.scenario
    package = {i: draw(st.sampled_from(list(issue.options))) for i, issue in spec.issues.items()}
    pledges = {}
    for role_id, role in spec.roles.items():
        own = {k: draw(st.integers(0, cap)) for k, cap in role.capacities.items()}
        own = {k: v for k, v in own.items() if v}
        if own:
            pledges[role_id] = own
    events = draw(st.frozensets(st.sampled_from([i.id for i in spec.injects])))
    supports = draw(st.frozensets(st.sampled_from(list(spec.roles))))
    situation = Situation(
        round=draw(st.integers(1, 8)),
        vetoed=draw(st.booleans()),
        events=events,
        supports=supports,
        dimension_shift={"resolve": draw(st.floats(-20, 20))},
    )
    return package, pledges, situation


@given(st.data())
def test_table_scoring_equals_rule_by_rule_scoring(paris_rules: Ruleset, data):
    package, pledges, situation = data.draw(deals(paris_rules))
    fast = paris_rules.credibility(package, pledges, situation)
    slow = paris_rules.credibility_reference(package, pledges, situation)
    assert [f.id for f in fast.fired] == [f.id for f in slow.fired]
    assert fast.dimensions == slow.dimensions
    assert math.isclose(fast.total, slow.total, abs_tol=1e-9)
    for role in paris_rules.scenario.roles:
        quick = paris_rules.satisfaction(role, package, pledges, fast, situation)
        explained = paris_rules.satisfaction_detail(role, package, pledges, slow, situation)
        assert math.isclose(quick, explained.value, abs_tol=1e-9)


@given(st.data())
def test_table_scoring_equals_rule_by_rule_scoring_on_mini(mini_rules: Ruleset, data):
    package, pledges, situation = data.draw(deals(mini_rules))
    fast = mini_rules.credibility(package, pledges, situation)
    slow = mini_rules.credibility_reference(package, pledges, situation)
    assert fast == slow
    for role in mini_rules.scenario.roles:
        assert math.isclose(
            mini_rules.satisfaction(role, package, pledges, fast, situation),
            mini_rules.satisfaction_detail(role, package, pledges, slow, situation).value,
            abs_tol=1e-9,
        )


@given(st.data())
def test_remembered_scores_equal_fresh_ones(paris_rules: Ruleset, data):
    """The Ruleset remembers scores by what they depend on: a remembered answer must be the
    one a fresh computation gives, for every state a game passes through."""
    from negotiation.engine import RoleView

    from strategies import played_games

    state, _ = data.draw(played_games(paris_rules, max_steps=30))
    role = data.draw(st.sampled_from(list(paris_rules.scenario.roles)))
    view = RoleView(state, role)
    options = [{}, {"money": 5}, {"troops": 2, "money": 0}]
    warm = (state.scorecard(), view.score_amendments(), view.score_own_pledges(options))
    paris_rules.memo.clear()
    fresh = paris_rules.credibility(state.package, state.pledges, state.situation())
    assert fresh == warm[0]
    assert view.score_amendments() == warm[1]
    assert view.score_own_pledges(options) == warm[2]


@given(st.data())
def test_zero_pledges_score_as_no_pledge(paris_rules: Ruleset, data):
    package, pledges, situation = data.draw(deals(paris_rules))
    padded = {role: {**own, "money": own.get("money", 0)} for role, own in pledges.items()}
    padded["russia"] = {"troops": 0}
    assert pledges_key(padded) == pledges_key(pledges)
    assert paris_rules.credibility(package, padded, situation) == (
        paris_rules.credibility_reference(package, pledges, situation)
    )


@given(st.data())
def test_scores_are_the_same_to_the_last_bit_with_or_without_tables(paris: Any, data):
    """A live game scores with the per-package tables, a replay in a fresh process without
    them: the engine's results (votes, ratification, the stress test) must not depend on which,
    so the two must agree exactly, not just closely."""
    with_tables = Ruleset(paris)
    assert with_tables.table is not None
    without = Ruleset(paris)
    package, pledges, situation = data.draw(deals(with_tables))
    fast = with_tables.credibility(package, pledges, situation)
    slow = without.credibility(package, pledges, situation)
    assert not without._table_built
    assert fast == slow and fast.total == slow.total
    for role in paris.roles:
        assert with_tables.satisfaction(role, package, pledges, fast, situation) == (
            without.satisfaction_detail(role, package, pledges, slow, situation).value
        )


def test_a_rule_that_only_moves_satisfaction_is_explained_there_not_on_the_card(paris_rules):
    """france_leads gives France credit at home for its own troops and moves no dimension."""
    from negotiation.rules.scoring import Situation

    package = dict(paris_rules.scenario.opening)
    pledges = {"france": {"troops": 6}}
    card = paris_rules.credibility(package, pledges)
    assert "france_leads" in {rule.id for rule in card.fired}
    assert "france_leads" not in {rule.id for rule in card.moving}
    assert all(rule.effect for rule in card.moving)
    assert {r.id for r in card.fired} - {r.id for r in card.moving} == {"france_leads"}
    detail = paris_rules.satisfaction_detail("france", package, pledges, card, Situation())
    assert ("rule: france_leads", 4.0) in detail.parts
    without = paris_rules.credibility(package, {"france": {"troops": 4}})
    assert "france_leads" not in {rule.id for rule in without.fired}


# --- what scores are remembered by ------------------------------------------------------------


@st.composite
def situations(draw: st.DrawFn, roles: list[str]) -> Situation:
    some_roles = st.frozensets(st.sampled_from(roles))
    return Situation(
        round=draw(st.integers(1, 3)),
        vetoed=draw(st.booleans()),
        adopted=draw(st.booleans()),
        events=draw(st.frozensets(st.just("e1"))),
        signed=draw(some_roles),
        supports=draw(some_roles),
        dimension_shift=draw(st.sampled_from([{}, {"resolve": 7.5}, {"cohesion": -0.3}])),
        walk_away_shift=draw(st.sampled_from([{}, {"a": -5.0}])),
        support_shift=draw(st.sampled_from([{}, {"a": -12.0}, {"b": 9.0}])),
    )


@given(st.data())
def test_situations_a_deal_cannot_tell_apart_share_one_key(data):
    """A deal's scores are remembered by the parts of the situation the scenario's rules and
    red lines read. Two situations with one key must give every score alike: credibility,
    each role's satisfaction, red lines, domestic support where it is read. Each field of a
    situation is changed in turn, so that the keys are often equal."""
    rules = Ruleset(data.draw(small_scenarios()))
    scenario = rules.scenario
    roles = sorted(scenario.roles)
    package = {
        issue: data.draw(st.sampled_from(sorted(spec.options)))
        for issue, spec in scenario.issues.items()
    }
    pledges = {"a": {"troops": data.draw(st.integers(0, 3))}}
    first = data.draw(situations(roles))
    other = data.draw(situations(roles))

    def scores(situation: Situation) -> tuple[object, ...]:
        card = rules.credibility_reference(package, pledges, situation)
        return (
            card.total,
            card.fired,
            [rules.satisfaction_detail(r, package, pledges, card, situation).parts for r in roles],
            [line.id for line in rules.crossed_red_lines(package, pledges, situation)],
            [rules.domestic_support(r, pledges, situation) for r in rules.reads.support],
        )

    reads = rules.reads
    for field in Situation.__dataclass_fields__:
        second = dataclasses.replace(first, **{field: getattr(other, field)})
        if first.key_for(reads) == second.key_for(reads):
            assert scores(first) == scores(second), field
        if field == "walk_away_shift" or (field == "round" and "round" not in reads.variables):
            assert first.key_for(reads) == second.key_for(reads)  # not read: not in the key


def test_the_paris_rules_read_little_of_a_situation(paris_rules: Ruleset):
    reads = paris_rules.reads
    assert reads.supports == {"ukraine"}
    assert "round" not in reads.variables and "vetoed" in reads.variables
    assert "hungary_blocks" in reads.events
    # So whoever else supports the deal, in any round, a deal keeps its scores.
    one = Situation(round=2, supports=frozenset({"france", "ukraine"}))
    two = Situation(round=5, supports=frozenset({"ukraine", "germany"}))
    assert one.key_for(reads) == two.key_for(reads)
    assert one.key_for(reads) != Situation(round=2).key_for(reads)


def test_what_expressions_read_is_found_in_every_corner_of_them():
    reads = SituationReads.of(
        [
            'not (round > 2) or [1, 2] == [1, min(pledged("t", by="a"), 2)]',
            'event("e1") and supports("x") and signed("y") and support("z") + 1 >= 40',
            "-1 < 0 and adopted",
        ]
    )
    assert reads == SituationReads(
        frozenset({"round", "adopted"}),
        frozenset({"e1"}),
        frozenset({"x"}),
        frozenset({"y"}),
        frozenset({"z"}),
    )


def test_every_part_of_a_situation_a_rule_reads_is_in_the_key(mini: Any):
    """Mini with a rule reading each part of a situation: changing a part a rule reads
    changes both the scores and the key; changing a part none reads changes neither."""
    data = mini.model_dump(mode="json")
    data["rules"] = [
        *data["rules"],
        *(
            {"id": f"reads_{n}", "when": when, "effect": {"resolve": 1 + n}, "because": "."}
            for n, when in enumerate(
                [
                    "round >= 2",
                    "adopted",
                    'supports("beta")',
                    'signed("alpha")',
                    'support("alpha") >= 50',
                ]
            )
        ),
    ]
    rules = Ruleset(parse_scenario(data, "mini"))
    package = {"mandate": "unsc", "posture": "light", "funding": "short"}
    base = Situation()
    variants = {
        "round": 2,
        "vetoed": True,
        "adopted": True,
        "events": frozenset({"windfall"}),
        "signed": frozenset({"alpha"}),
        "supports": frozenset({"beta"}),
        "dimension_shift": {"legitimacy": 4.0},
        "support_shift": {"alpha": -20.0},
    }
    unread = [
        ("supports", frozenset({"gamma"})),
        ("signed", frozenset({"gamma"})),
        ("support_shift", {"beta": -20.0}),
        ("walk_away_shift", {"alpha": -20.0}),
    ]

    def scores(situation: Situation) -> tuple[object, ...]:
        card = rules.credibility(package, {}, situation)
        return card.total, [
            rules.satisfaction(r, package, {}, card, situation) for r in rules.scenario.roles
        ]

    for field, value in [*variants.items(), *unread]:
        other = dataclasses.replace(base, **{field: value})
        read = (field, value) not in unread
        assert (scores(other) != scores(base)) == read, field
        assert (other.key_for(rules.reads) != base.key_for(rules.reads)) == read, field
    # supports() counts a signature as support.
    signed = dataclasses.replace(base, signed=frozenset({"beta"}))
    assert signed.key_for(rules.reads) != base.key_for(rules.reads)
