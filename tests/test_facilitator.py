"""The facilitator's moves in the engine: written events, undo and notes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiation.engine import (
    FACILITATOR,
    Advance,
    Annotate,
    CustomInject,
    GameState,
    IllegalAction,
    Pass,
    RoleView,
    Undo,
    WalkOut,
    apply,
    effective_actions,
    inject_of,
    legal_actions,
    new_game,
)
from negotiation.rules import Ruleset
from negotiation.savefile import dumps, loads, make_save, replay_states

from strategies import played_games


def game_fields(state: GameState) -> dict[str, Any]:
    return state.model_dump(exclude={"rules", "log", "log_digest", "steps"})


@given(st.data())
def test_undo_takes_back_exactly_the_last_standing_move(mini_rules: Ruleset, data):
    state, _ = data.draw(played_games(mini_rules, max_steps=30))
    if state.over or state.turn is None:
        return
    moves = legal_actions(state, state.turn, proposals=False)
    move = data.draw(st.sampled_from(moves))
    if move.type == "message":
        move = move.model_copy(update={"text": "hello"})
    after = apply(state, move)
    undone = apply(after, Undo(role=FACILITATOR))
    assert game_fields(undone) == game_fields(state)
    assert undone.scorecard() == state.scorecard()
    # Nothing is erased: the move stays in the log, followed by the undo.
    assert undone.log[: len(after.log)] == after.log
    assert undone.log[-1].action == Undo(role=FACILITATOR)
    assert f"step {after.steps}" in undone.log[-1].text
    assert undone.steps == state.steps + 2
    assert effective_actions(undone) == effective_actions(state)


def test_undo_steps_back_one_move_at_a_time_and_stops_at_the_start(mini_rules: Ruleset):
    start = new_game(mini_rules, seed=3)
    states = [start]
    for _ in range(3):
        states.append(apply(states[-1], Pass(role=states[-1].turn or "")))
    state = states[-1]
    for expected in reversed(states[:-1]):
        state = apply(state, Undo(role=FACILITATOR))
        assert game_fields(state) == game_fields(expected)
    assert not any(a.type == "undo" for a in legal_actions(state, FACILITATOR))
    with pytest.raises(IllegalAction, match="no move left"):
        apply(state, Undo(role=FACILITATOR))


def test_a_private_move_taken_back_stays_private(mini_rules: Ruleset):
    state = new_game(mini_rules, seed=1)
    turn = state.turn
    assert turn is not None
    other = next(r for r in mini_rules.scenario.roles if r != turn)
    from negotiation.engine import Message

    state = apply(state, Message(role=turn, to=other, text="a secret"))
    state = apply(state, Undo(role=FACILITATOR))
    undo = state.log[-1]
    assert "a secret" in undo.text
    assert not undo.visible(None)
    assert undo.visible(turn) and undo.visible(other) and undo.visible(FACILITATOR)
    third = next(r for r in mini_rules.scenario.roles if r not in (turn, other))
    assert not undo.visible(third)


def written(**kw: Any) -> CustomInject:
    fields: dict[str, Any] = {"role": FACILITATOR, "title": "Blockade", "text": "Ports close."}
    return CustomInject(**{**fields, **kw})


def test_a_written_event_strikes_for_the_roles_told(mini_rules: Ruleset):
    state = new_game(mini_rules, seed=5)
    before = state.scorecard()
    event = written(visible_to=("alpha",), effects={"resolve": -8}, walk_away={"beta": 5})
    after = apply(state, event)
    assert after.dimension_shift.get("resolve", 0) == state.dimension_shift.get("resolve", 0) - 8
    assert after.walk_away_shift.get("beta", 0) == state.walk_away_shift.get("beta", 0) + 5
    assert after.scorecard().dimensions["resolve"] <= before.dimensions["resolve"]
    event_id = after.events[-1]
    inject = inject_of(after, event_id)
    assert inject is not None and inject.title == "Blockade"
    assert event_id in RoleView(after, "alpha").events
    assert event_id not in RoleView(after, "beta").events
    told = [e for e in after.log if e.event == event_id]
    assert told and told[0].visible("alpha") and not told[0].visible("beta")
    # The turn does not pass.
    assert after.turn == state.turn


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (written(effects={"resolve": 11}), "at most 10"),
        (written(effects={"morale": 1}), "not a credibility dimension"),
        (written(walk_away={"beta": -10.5}), "walk-away"),
        (written(walk_away={"omega": 1}), "no delegation"),
        (written(visible_to=("omega",)), "no delegation"),
        (written(title=" "), "headline"),
    ],
)
def test_written_events_stay_within_the_scenario_limits(mini_rules, event, message):
    state = new_game(mini_rules, seed=5)
    with pytest.raises(IllegalAction, match=message):
        apply(state, event)


def test_written_events_are_counted(mini_rules: Ruleset):
    state = new_game(mini_rules, seed=5)
    for _ in range(mini_rules.scenario.facilitator.custom_events):
        state = apply(state, written())
    with pytest.raises(IllegalAction, match="written events per game"):
        apply(state, written())


def test_a_note_is_for_the_facilitator_only(mini_rules: Ruleset):
    state = new_game(mini_rules, seed=5)
    after = apply(state, Annotate(role=FACILITATOR, text="France folds early"))
    entry = after.log[-1]
    assert entry.visible(FACILITATOR)
    assert not any(entry.visible(r) for r in [None, *mini_rules.scenario.roles])
    assert game_fields(after) == game_fields(state)
    # Notes are not moves: an undo passes over them.
    moved = apply(after, Pass(role=after.turn or ""))
    noted = apply(moved, Annotate(role=FACILITATOR, text="after the pass"))
    undone = apply(noted, Undo(role=FACILITATOR))
    assert game_fields(undone) == game_fields(state)


def test_only_the_facilitator_runs_the_exercise(mini_rules: Ruleset):
    state = new_game(mini_rules, seed=5)
    turn = state.turn or ""
    for action in (
        Undo(role=turn),
        Annotate(role=turn, text="x"),
        CustomInject(role=turn, title="t", text="x"),
    ):
        with pytest.raises(IllegalAction, match="Only the facilitator"):
            apply(state, action)


@given(st.data())
def test_saves_with_undos_and_written_events_replay(mini_rules: Ruleset, data):
    state, _ = data.draw(played_games(mini_rules, max_steps=40))
    for _ in range(data.draw(st.integers(0, 2))):
        if not effective_actions(state):
            break
        state = apply(state, Undo(role=FACILITATOR))
    save = loads(dumps(make_save(state, {})))
    states = list(replay_states(save))
    assert states[-1].fingerprint() == state.fingerprint()
    assert states[-1].log == state.log


def test_notes_can_be_written_after_the_game_but_nothing_else(mini_rules: Ruleset):
    state = new_game(mini_rules, seed=5)
    state = apply(state, WalkOut(role=state.turn or ""))
    assert state.over
    noted = apply(state, Annotate(role=FACILITATOR, text="They left too early"))
    assert noted.log[-1].text == "Facilitator's note: They left too early"
    assert game_fields(noted) == game_fields(state)
    for action in (written(), Advance(role=FACILITATOR)):
        with pytest.raises(IllegalAction, match="over"):
            apply(noted, action)
