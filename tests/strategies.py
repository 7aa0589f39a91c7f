"""Hypothesis generators shared by the tests: games played by random legal moves."""

from __future__ import annotations

from hypothesis import strategies as st

from negotiation.engine import FACILITATOR, Action, GameState, apply, legal_actions, new_game
from negotiation.rules import Ruleset


@st.composite
def played_games(
    draw: st.DrawFn,
    rules: Ruleset,
    max_steps: int = 60,
    facilitator: bool = True,
) -> tuple[GameState, list[Action]]:
    """A game from a drawn seed, played for a drawn number of random legal moves.

    Whole-package proposals are drawn too, but from a sample, not from the full list.
    Returns the final state and the actions played.
    """
    seed = draw(st.integers(min_value=0, max_value=2**32))
    state = new_game(rules, seed=seed)
    actions: list[Action] = []
    steps = draw(st.integers(min_value=0, max_value=max_steps))
    for _ in range(steps):
        if state.over:
            break
        assert state.turn is not None
        seat = state.turn
        if facilitator and draw(st.integers(0, 19)) == 0:
            seat = FACILITATOR
        moves = legal_actions(state, seat, proposals=False)
        if seat != FACILITATOR and state.turn and draw(st.integers(0, 9)) == 0:
            proposals = [a for a in legal_actions(state, seat) if a.type == "propose"][:50]
            moves += proposals
        if not moves:
            continue
        action = draw(st.sampled_from(moves))
        if action.type == "message":
            text = draw(st.text(max_size=40))
            action = action.model_copy(update={"text": text})
        state = apply(state, action)
        actions.append(action)
    return state, actions
