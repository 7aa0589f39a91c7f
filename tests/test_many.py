"""Bots' scoring questions answered together, and games played side by side.

The answers must be the scores of the deals the questions are about (checked against the
rule-by-rule definition), and the same to the last bit whatever else was asked with them, so
that a game plays the same alone and among many.
"""

from __future__ import annotations

import gc
import math
import random
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiation.bots import strategy
from negotiation.bots.base import Strategy
from negotiation.bots.runner import play_game, play_together, simulate
from negotiation.engine import Action, Pass, RoleView, new_game
from negotiation.engine.view import MATCHING_PARTNERS
from negotiation.rules import Ruleset, Situation
from negotiation.rules.batch import weighted_geometric_mean
from negotiation.rules.many import (
    AmendmentsAsk,
    PledgeOptionsAsk,
    answer,
    exact_sums,
    sum_rows,
)
from negotiation.rules.scoring import pledges_key

from strategies import small_scenarios


@st.composite
def questions(draw: st.DrawFn) -> tuple[Ruleset, list[AmendmentsAsk | PledgeOptionsAsk]]:
    """A random small scenario and a handful of questions about it, each about its own deal,
    pledges and situation, as the games of a simulation ask them."""
    rules = Ruleset(draw(small_scenarios()))
    table = rules.table
    assert table is not None
    scenario = rules.scenario
    asks: list[AmendmentsAsk | PledgeOptionsAsk] = []
    for _ in range(draw(st.integers(1, 6))):
        pledges = {
            r: {"troops": draw(st.integers(0, role.capacities.get("troops", 0)))}
            for r, role in scenario.roles.items()
            if role.coalition
        }
        situation = Situation(
            vetoed=draw(st.booleans()),
            events=frozenset(draw(st.sets(st.just("e1")))),
            supports=frozenset(draw(st.sets(st.sampled_from(sorted(scenario.roles))))),
            dimension_shift=draw(
                st.sampled_from([{}, {"legitimacy": -10.0}, {"resolve": 7.5, "cohesion": -0.3}])
            ),
        )
        number = draw(st.integers(0, table.size - 1))
        role = draw(st.sampled_from(sorted(scenario.roles)))
        if draw(st.booleans()):
            asks.append(AmendmentsAsk(number, pledges, situation, pledges_key(pledges), role))
        else:
            options = draw(
                st.lists(st.integers(0, 3), min_size=1, max_size=5).map(
                    lambda units: tuple((("troops", n),) if n else () for n in units)
                )
            )
            match = draw(st.sampled_from([None, 0.0, 0.5, 1.0]))
            asks.append(
                PledgeOptionsAsk(
                    number, pledges, situation, role, options, match, MATCHING_PARTNERS
                )
            )
    return rules, asks


def deals_of(
    rules: Ruleset, ask: AmendmentsAsk | PledgeOptionsAsk
) -> list[tuple[dict[str, str], dict[str, dict[str, int]]]]:
    """The (package, pledges) each row of an answer is about."""
    table = rules.table
    assert table is not None
    package = table.package(ask.package)
    if isinstance(ask, AmendmentsAsk):
        numbers, _ = table.neighbours(ask.package)
        return [(table.package(n), dict(ask.pledges)) for n in numbers.tolist()]
    deals = [(package, {**ask.pledges, ask.role: dict(own)}) for own in ask.options]
    if ask.match is not None:
        now = ask.pledges.get(ask.role, {}).get("troops", 0)
        for own in ask.options:
            change = round(ask.match * (dict(own).get("troops", 0) - now))
            answered = {**ask.pledges, ask.role: dict(own), MATCHING_PARTNERS: {"troops": change}}
            deals.append((package, answered))
    return deals


@given(questions())
def test_questions_answered_together_are_the_scores_of_their_deals(case) -> None:
    rules, asks = case
    together = answer(rules, asks)
    # The same to the last bit as each asked alone: a game plays the same among many.
    assert together == [answer(rules, [ask])[0] for ask in asks]
    for ask, (creds, sats) in zip(asks, together, strict=True):
        deals = deals_of(rules, ask)
        assert len(creds) == len(sats) == len(deals)
        for (package, pledges), cred, sat in zip(deals, creds, sats, strict=True):
            card = rules.credibility_reference(package, pledges, ask.situation)
            assert math.isclose(cred, card.total, abs_tol=1e-9)
            detail = rules.satisfaction_detail(ask.role, package, pledges, card, ask.situation)
            assert math.isclose(sat, detail.value, abs_tol=1e-9)


@given(
    st.lists(
        st.lists(st.floats(0, 100, allow_nan=False), min_size=6, max_size=6),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 39),
)
def test_a_rows_mean_does_not_depend_on_the_other_rows(rows, start) -> None:
    values = np.array(rows)
    weights = np.array([1.0, 0.7, 0.0, 2.5, 1.3, 0.9])
    whole = weighted_geometric_mean(values, weights)
    part = weighted_geometric_mean(values[start % len(rows) :].copy(), weights)
    assert whole[start % len(rows) :].tolist() == part.tolist()


@given(
    st.lists(st.lists(st.booleans(), min_size=5, max_size=5), min_size=1, max_size=30),
    st.lists(st.integers(-400, 400), min_size=5, max_size=5),
    st.sampled_from([1.0, 0.25, 0.1]),
)
def test_sums_of_effects_do_not_depend_on_the_other_rows(chosen, points, scale) -> None:
    matrix = (np.array(points) * scale).reshape(5, 1)
    matrix = np.hstack([matrix, -matrix])
    mask = np.array(chosen, dtype=bool)
    exact = exact_sums(matrix)
    if scale != 0.1:  # quarters are exact in binary; most tenths are not
        assert exact
    whole = sum_rows(mask, matrix, exact)
    for n in range(len(chosen)):
        assert sum_rows(mask[n : n + 1], matrix, exact).tolist() == whole[n : n + 1].tolist()
        expected = sum(p for p, c in zip(matrix[:, 0].tolist(), chosen[n], strict=True) if c)
        assert math.isclose(whole[n, 0], expected, abs_tol=1e-9)


class _Stubborn(Strategy):
    """A strategy written the plain way, with only ``choose``: it passes when it may, and
    otherwise makes its first legal move."""

    name: ClassVar[str] = "stubborn"

    def choose(self, view: RoleView, rng: random.Random) -> Action:
        legal = view.legal_actions()
        return next((a for a in legal if isinstance(a, Pass)), legal[0])


def test_games_played_side_by_side_are_the_games_played_alone(paris_rules, mini_rules) -> None:
    for rules, seats in (
        (paris_rules, {}),
        (paris_rules, {"france": "hardliner", "uk": "pragmatist"}),
        (mini_rules, {}),
    ):
        scenario = rules.scenario
        bots: dict[str, Strategy] = {
            r: strategy(seats.get(r, role.default_strategy)) for r, role in scenario.roles.items()
        }
        seeds = list(range(7, 19))
        together = play_together(rules, seeds, bots)
        assert [s.seed for s in together] == seeds
        for state in together:
            alone = play_game(rules, state.seed, bots)
            assert alone.log == state.log
            assert alone.fingerprint() == state.fingerprint()
            assert state.over


def test_a_seat_without_a_bot_stops_its_game_and_plain_strategies_play_along(paris_rules):
    scenario = paris_rules.scenario
    bots: dict[str, Strategy] = {
        r: strategy(role.default_strategy) for r, role in scenario.roles.items()
    }
    bots["germany"] = _Stubborn()
    alone = play_game(paris_rules, 3, bots)
    assert play_together(paris_rules, [3], bots)[0].log == alone.log
    del bots["ukraine"]
    stopped = play_together(paris_rules, [3, 4], bots)
    assert all(s.turn == "ukraine" and not s.over for s in stopped)


def test_a_strategy_with_neither_method_says_so(paris_rules) -> None:
    class Empty(Strategy):
        name: ClassVar[str] = "empty"

    state = new_game(paris_rules, seed=0)
    assert state.turn is not None
    with pytest.raises(NotImplementedError, match="neither choose nor decide"):
        Empty().choose(RoleView(state, state.turn), random.Random(0))


def test_a_game_leaves_no_reference_cycles(paris_rules) -> None:
    """Simulations run with the cyclic collector off (it found nothing and cost a fifth of
    the time): a game must not make cycles, or memory would grow between collections."""
    bots = {r: strategy(role.default_strategy) for r, role in paris_rules.scenario.roles.items()}
    play_together(paris_rules, [0, 1], bots)  # warm the caches and compiled tables
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        play_together(paris_rules, [5, 6, 7], bots)
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_simulate_turns_the_collector_back_on(mini) -> None:
    assert gc.isenabled()
    simulate(mini, 3, 0, {r: role.default_strategy for r, role in mini.roles.items()}, strategy)
    assert gc.isenabled()
