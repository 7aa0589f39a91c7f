"""A replay rebuilds, step by step, exactly the states the engine had live."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiation.engine import FACILITATOR, apply, legal_actions, new_game
from negotiation.report.timeline import timeline
from negotiation.savefile import dumps, loads, make_save, replay_states


@st.composite
def recorded_games(draw, rules):
    """A random game, with every state the engine went through kept as it happened."""
    state = new_game(rules, seed=draw(st.integers(0, 2**20)))
    live = [state]
    for _ in range(draw(st.integers(0, 60))):
        if state.over:
            break
        seat = FACILITATOR if draw(st.integers(0, 15)) == 0 else state.turn
        assert seat is not None
        moves = legal_actions(state, seat, proposals=False)
        if not moves:
            continue
        state = apply(state, draw(st.sampled_from(moves)))
        live.append(state)
    return live


@given(st.data())
def test_every_replayed_step_equals_the_live_state(mini_rules, data):
    live = data.draw(recorded_games(mini_rules))
    save = loads(dumps(make_save(live[-1], {})))
    replayed = list(replay_states(save))
    assert len(replayed) == len(live)
    for was, again in zip(live, replayed, strict=True):
        assert again.fingerprint() == was.fingerprint()
        assert again.scorecard() == was.scorecard()
        assert again.log == was.log
    assert timeline(replayed) == timeline(live)


@given(st.data())
def test_every_replayed_step_equals_the_live_state_on_paris(paris_rules, data):
    live = data.draw(recorded_games(paris_rules))
    replayed = list(replay_states(loads(dumps(make_save(live[-1], {})))))
    assert [s.fingerprint() for s in replayed] == [s.fingerprint() for s in live]
    assert [s.fingerprint() for s in live] == [_reference_fingerprint(s) for s in live]


def _reference_fingerprint(state):
    """The fingerprint as defined: the whole dump, encoded with sorted keys."""
    return state.fingerprint(state.model_dump(mode="json", exclude={"log", "rules"}))


def _reference_step_hash(state, previous, action=None):
    """The step hash as defined, from the whole dump."""
    return state.step_hash(
        previous, action, state.model_dump(mode="json", exclude={"log", "rules"})
    )


@given(st.data())
def test_the_fast_fingerprint_is_the_reference_one_at_every_step(mini_rules, data):
    from strategies import played_games

    state, actions = data.draw(played_games(mini_rules, max_steps=80))
    replayed = list(replay_states(loads(dumps(make_save(state, {})))))
    assert len(replayed) == len(actions) + 1
    for step in replayed:
        assert step.fingerprint() == _reference_fingerprint(step)
    for before, action, step in zip(replayed, actions, replayed[1:], strict=False):
        previous = before.fingerprint()  # any text will do
        assert step.step_hash(previous, action) == _reference_step_hash(step, previous, action)


# pydantic warns, rightly, when it dumps a value of the wrong type: these are made on purpose.
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_a_field_the_fast_fingerprint_does_not_expect_takes_the_reference_path(paris_rules):
    """An int where a float belongs is dumped as a float by pydantic: the fast path must not
    encode it itself (it would write 3, not 3.0), nor an infinite shift, nor a list where a
    tuple belongs."""
    from negotiation.engine.state import _canonical_json

    state = new_game(paris_rules, seed=3)
    assert _canonical_json(state) is not None
    odd = [
        state.model_copy(update={"dimension_shift": {"legal": 3}}),
        state.model_copy(update={"walk_away_shift": {"france": float("inf")}}),
        state.model_copy(update={"events": ["kremlin_budget_warning"]}),
        state.model_copy(update={"pledges": {"france": {"troops": 2.0}}}),
        state.model_copy(update={"round": True}),
    ]
    for changed in odd:
        assert _canonical_json(changed) is None
        assert changed.fingerprint() == _reference_fingerprint(changed)
        assert changed.step_hash("x") == _reference_step_hash(changed, "x")
    # The same shift as a float goes the fast way, and hashes differently from no shift.
    shifted = state.model_copy(update={"dimension_shift": {"legal": 3.0}})
    assert _canonical_json(shifted) is not None
    assert shifted.fingerprint() == _reference_fingerprint(shifted) != state.fingerprint()
    assert odd[0].fingerprint() == shifted.fingerprint()  # 3 is dumped as 3.0


def test_the_fast_step_hash_is_the_reference_one_through_a_deal_in_force(paris_rules):
    """A whole bot game to its stress test: the step hash leaves out the narrative the same
    way on both paths."""
    from negotiation.bots import strategy
    from negotiation.bots.runner import play_game

    roles = paris_rules.scenario.roles
    game = play_game(paris_rules, 0, {r: strategy(s.default_strategy) for r, s in roles.items()})
    assert game.stress is not None
    states = list(replay_states(loads(dumps(make_save(game, {})))))
    previous = states[0].step_hash("")
    for action, step in zip(game.actions, states[1:], strict=True):
        fast = step.step_hash(previous, action)
        assert fast == _reference_step_hash(step, previous, action)
        previous = fast
