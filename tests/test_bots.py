"""The baseline bot: it always makes a legal move, deterministically, and finishes games."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation.bots import STRATEGIES, Baseline, strategy
from negotiation.bots.runner import bot_move, play_game, simulate
from negotiation.engine import Phase, RoleView, Status, is_legal, new_game

from strategies import played_games


def test_strategies_are_registered_by_name():
    assert STRATEGIES["baseline"] is Baseline
    assert isinstance(strategy("baseline"), Baseline)


@given(st.data())
def test_baseline_always_moves_legally_on_mini(mini_rules, data):
    state, _ = data.draw(played_games(mini_rules, max_steps=40))
    if state.over:
        return
    action = bot_move(state, Baseline())
    assert is_legal(state, action), action


@settings(max_examples=10)
@given(st.data())
def test_baseline_always_moves_legally_on_paris(paris_rules, data):
    state, _ = data.draw(played_games(paris_rules, max_steps=30))
    if state.over:
        return
    action = bot_move(state, Baseline())
    assert is_legal(state, action), action


def test_all_bot_games_end_and_replay_identically(paris_rules):
    bots = {role: Baseline() for role in paris_rules.scenario.roles}
    for seed in range(3):
        first = play_game(paris_rules, seed, bots)
        second = play_game(paris_rules, seed, bots)
        assert first.over and first.status is not Status.NEGOTIATING
        assert first.fingerprint() == second.fingerprint()
        assert [e.text for e in first.log] == [e.text for e in second.log]


def test_a_bot_votes_by_its_walk_away(mini_rules):
    state = new_game(mini_rules, seed=1)
    view = RoleView(state, "alpha")
    assert view.phase is Phase.DIPLOMACY
    vote = Baseline().vote(view)
    assert vote.accept == view.satisfaction().acceptable or view.scorecard().total < 20


def test_paris_is_winnable_and_losable(paris):
    report = simulate(paris, 60, 0, dict.fromkeys(paris.roles, "baseline"), strategy)
    assert report.outcomes[Status.ADOPTED.value] > 0
    assert report.games - report.outcomes[Status.ADOPTED.value] > 0


def test_bots_keep_to_a_scenario_with_no_messages_and_pledges_in_steps(mini):
    """A scenario may allow no private messages, and pledges only in steps that do not
    divide a seat's capacity: every bot keeps to both (the engine would refuse the move)."""
    from negotiation.bots.runner import play_bots
    from negotiation.engine import Message, PledgeAction
    from negotiation.rules import Ruleset
    from negotiation.scenario import parse_scenario

    data = mini.model_dump(mode="json")
    data["turns"]["messages_per_turn"] = 0
    data["pledge_kinds"]["troops"]["step"] = 3
    rules = Ruleset(parse_scenario(data, "odd"))
    pledged = 0
    for name in STRATEGIES:
        bots = {role: strategy(name) for role in rules.scenario.roles}
        for seed in range(8):
            state = play_bots(new_game(rules, seed=seed), bots)
            assert state.over
            actions = state.actions
            assert not any(isinstance(a, Message) for a in actions)
            pledges = [a for a in actions if isinstance(a, PledgeAction)]
            assert all(a.units % 3 == 0 for a in pledges)
            pledged += len(pledges)
    assert pledged  # the bots did pledge, in whole steps
