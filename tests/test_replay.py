"""A replay rebuilds, step by step, exactly the states the engine had live."""

from __future__ import annotations

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
