"""Hypothesis generators shared by the tests: games played by random legal moves."""

from __future__ import annotations

from hypothesis import strategies as st

from negotiation.engine import (
    FACILITATOR,
    Action,
    Annotate,
    CustomInject,
    GameState,
    apply,
    is_legal,
    legal_actions,
    new_game,
)
from negotiation.rules import Ruleset
from negotiation.scenario import Scenario, parse_scenario

PLAIN_TEXT = st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\n\t")
"""What a player can type: any character but control characters (line ends and tabs aside)."""


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
        if seat == FACILITATOR:
            moves += [draw(written_events(state)), Annotate(role=FACILITATOR, text="note")]
            moves = [m for m in moves if is_legal(state, m)]
        if seat != FACILITATOR and state.turn and draw(st.integers(0, 9)) == 0:
            proposals = [a for a in legal_actions(state, seat) if a.type == "propose"][:50]
            moves += proposals
        if not moves:
            continue
        action = draw(st.sampled_from(moves))
        if action.type == "message":
            text = draw(st.text(PLAIN_TEXT, max_size=40))
            action = action.model_copy(update={"text": text})
        state = apply(state, action)
        actions.append(action)
    return state, actions


@st.composite
def written_events(draw: st.DrawFn, state: GameState) -> CustomInject:
    """An event a facilitator might write for this game, within the scenario's limits."""
    spec = state.scenario
    limit = spec.facilitator.max_effect
    roles = sorted(spec.roles)
    return CustomInject(
        role=FACILITATOR,
        title=draw(st.text(PLAIN_TEXT, min_size=1, max_size=20).filter(str.strip)),
        text="Something happens.",
        visible_to=tuple(draw(st.lists(st.sampled_from(roles), max_size=2, unique=True))),
        effects=draw(st.dictionaries(st.sampled_from(DIMS), st.floats(-limit, limit), max_size=2)),
        walk_away=draw(
            st.dictionaries(
                st.sampled_from(roles),
                st.floats(-spec.facilitator.max_walk_away, spec.facilitator.max_walk_away),
                max_size=2,
            )
        ),
    )


DIMS = ["legitimacy", "capability", "cohesion", "resolve", "sustainability", "restraint"]


@st.composite
def small_scenarios(draw: st.DrawFn) -> Scenario:
    """A random small scenario: 2-3 issues of 2-3 options, two signatories and another side,
    random preferences, walk-away values, rules (some reading pledges) and red lines."""
    issues = {
        f"i{n}": {
            "label": f"Issue {n}",
            "options": {f"o{k}": {"label": f"Option {k}"} for k in range(draw(st.integers(2, 3)))},
        }
        for n in range(draw(st.integers(2, 3)))
    }
    points = st.integers(-20, 20)

    def preferences() -> dict[str, dict[str, int]]:
        return {i: {o: draw(points) for o in spec["options"]} for i, spec in issues.items()}

    def condition() -> str:
        issue = draw(st.sampled_from(sorted(issues)))
        option = draw(st.sampled_from(sorted(issues[issue]["options"])))
        clause = f'{issue} == "{option}"'
        extra = draw(
            st.sampled_from(
                [
                    "",
                    ' and pledged("troops") >= 1',
                    ' or event("e1")',
                    " and not vetoed",
                    # The forms the pledge-variant scoring asks all at once, and one it does not.
                    ' and pledged("troops", by="a") >= 2',
                    ' and pledgers("troops") == 2',
                    ' and 2 > pledged("troops")',
                    ' and pledged("troops") + pledged("troops", by="b") >= 3',
                    ' and support("a") >= 40',
                    # What a game's situation holds: scores are remembered by what is read.
                    ' and supports("b")',
                    ' or signed("a")',
                    " and round >= 2",
                    " or adopted",
                ]
            )
        )
        return clause + extra

    roles = {}
    for role_id, coalition in (("a", True), ("b", True), ("c", False)):
        role = {
            "name": role_id.upper(),
            "short": role_id.upper() * 2,
            "public_position": "x",
            "private_brief": "y",
            "preferences": preferences(),
            "credibility_weight": draw(st.sampled_from([-0.5, 0.0, 0.3, 0.6])),
            "walk_away": draw(st.integers(20, 70)),
            "coalition": coalition,
        }
        if coalition:
            role["capacities"] = {"troops": draw(st.integers(0, 3))}
            role["pledge_costs"] = {"troops": draw(st.integers(0, 5))}
        else:
            role["unsc_veto"] = True
            role["red_lines"] = [
                {"id": "r1", "when": condition(), "text": "No.", "bluff": draw(st.booleans())}
            ]
        roles[role_id] = role
    rules = [
        {
            "id": f"r{n}",
            "when": condition(),
            # Mostly whole points; a tenth of a point now and then is not exact in binary, and
            # sums of it depend on the order they are added in.
            "effect": {
                draw(st.sampled_from(DIMS)): draw(st.integers(-30, 40))
                + draw(st.sampled_from([0.0, 0.0, 0.1, -0.3]))
            },
            "satisfaction": {draw(st.sampled_from(["a", "b", "c"])): draw(st.integers(-10, 10))},
            "because": "Because.",
        }
        for n in range(draw(st.integers(1, 6)))
    ]
    data = {
        "id": "small",
        "title": "Small",
        "summary": "Small.",
        "briefing": "Small.",
        "roles": roles,
        "issues": issues,
        "opening": {i: sorted(spec["options"])[0] for i, spec in issues.items()},
        "pledge_kinds": {"troops": {"label": "Troops", "unit": "k"}},
        "signatories": ["a", "b"],
        "rules": rules,
        "injects": [{"id": "e1", "title": "E", "text": "E."}],
        "turns": {"order": ["a", "b", "c"]},
    }
    return parse_scenario(data, "small")
