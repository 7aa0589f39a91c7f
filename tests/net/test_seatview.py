"""What a seat of a networked game receives: nothing private to another delegation, and enough
to rebuild its own view of the game exactly.

Games are drawn at random and played through the server's own code (the moves as seats send
them, the messages as the server queues them for each connection), with an in-memory store.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation.engine import FACILITATOR, Action, CustomInject, GameState, legal_actions
from negotiation.net.protocol import PROTOCOL, Act, Create, Update, Welcome, decode_server
from negotiation.net.seatview import PRIVATE, PROJECTOR, SeatMirror, redact_scenario
from negotiation.net.server import GameServer, Seat
from negotiation.net.store import SQLiteStore
from negotiation.rules import Ruleset
from negotiation.scenario import Scenario, parse_scenario, resolve_scenario

from strategies import played_games

PARIS = Ruleset(resolve_scenario("paris-2025"))


def secret(n: int) -> str:
    return f"SECRET{n}#"


def with_secrets(actions: list[Action]) -> list[Action]:
    """The moves with every private text replaced by a token that can be searched for."""
    out: list[Action] = []
    for n, action in enumerate(actions):
        if action.type == "message" or (isinstance(action, CustomInject) and action.visible_to):
            action = action.model_copy(update={"text": secret(n)})
        out.append(action)
    return out


def play_on_server(
    scenario: Scenario, seed: int, actions: list[Action]
) -> tuple[GameState, dict[str, list[str]]]:
    """Play the moves through a server; the final state and every message each seat got."""

    async def run() -> tuple[GameState, dict[str, list[str]]]:
        server = GameServer(SQLiteStore(":memory:"))
        try:
            created = await server.create(
                Create(protocol=PROTOCOL, scenario=scenario.model_dump(mode="json"), seed=seed)
            )
            game = await server.game(created.game)
            seats = {name: Seat(None, game, name) for name in created.codes}  # type: ignore[arg-type]
            for seat in seats.values():
                server._welcome(seat)
                game.seats.add(seat)
            for n, action in enumerate(actions):
                await server.act(seats[action.role], Act(id=f"m{n}", action=action))
            received: dict[str, list[str]] = {}
            for name, seat in seats.items():
                texts = []
                while not seat.queue.empty():
                    text = seat.queue.get_nowait()
                    assert text is not None
                    texts.append(text)
                received[name] = texts
            return game.state, received
        finally:
            server.close()

    return asyncio.run(run())


def check_private_parts_hidden(scenario: Scenario, seat: str, texts: list[str]) -> None:
    own = None if seat == PROJECTOR else seat
    everything = "\n".join(texts)
    messages = [decode_server(t) for t in texts]
    welcome = messages[0]
    assert isinstance(welcome, Welcome)
    told = parse_scenario(welcome.scenario, "welcome")
    for role_id, role in told.roles.items():
        if role_id == own:
            assert role == scenario.roles[role_id]
            continue
        assert role.private_brief == PRIVATE
        assert scenario.roles[role_id].private_brief[:80] not in everything
        assert role.preferences == {} and role.pledge_costs == {}
        assert role.walk_away == 0 and role.base_satisfaction == 50
        assert role.credibility_weight == 0
        assert all(not line.bluff and line.penalty == 0 for line in role.red_lines)
    assert all(set(rule.satisfaction) <= {own} for rule in told.rules)
    for inject in told.injects:
        assert not inject.visible_to or own in inject.visible_to
        assert set(inject.walk_away) <= {own}
    assert all(r.role == own for r in told.ratifications)
    for message in messages:
        if isinstance(message, Welcome | Update):
            fields: dict[str, Any] = message.state
            # (An update carries a seat's own fields only when a move changed them.)
            assert set(fields.get("walk_away_shift", {})) <= {own}
            assert set(fields.get("capacity_shift", {})) <= {own}
            assert fields.get("log_digest", "") == ""
            assert all(entry.visible(own) for entry in message.log)


@settings(max_examples=15)
@given(st.data())
def test_no_seat_receives_another_delegations_secrets(data: st.DataObject) -> None:
    state, actions = data.draw(played_games(PARIS, max_steps=50))
    actions = with_secrets(actions)
    final, received = play_on_server(PARIS.scenario, state.seed, actions)
    hidden_from: dict[str, set[str]] = {}
    for entry in final.log:
        if entry.action is not None and secret(0)[:6] in (getattr(entry.action, "text", "") or ""):
            token = entry.action.text  # type: ignore[union-attr]
            for seat in [*PARIS.scenario.roles, PROJECTOR]:
                if not entry.visible(None if seat == PROJECTOR else seat):
                    hidden_from.setdefault(seat, set()).add(token)
    for seat in [*PARIS.scenario.roles, PROJECTOR]:
        texts = while_in_play(received[seat], final.over)
        check_private_parts_hidden(PARIS.scenario, seat, texts)
        everything = "\n".join(texts)
        for token in hidden_from.get(seat, ()):
            assert token not in everything, f"{seat} was sent {token}"
    # the facilitator is told everything, private texts included
    everything = "\n".join(received[FACILITATOR])
    assert all(token in everything for tokens in hidden_from.values() for token in tokens)


def while_in_play(texts: list[str], over: bool) -> list[str]:
    """The messages sent while the game was played. Once it is over, and only then, each seat
    is sent the whole game for the debrief (one message, the last)."""
    kinds = [decode_server(t).type for t in texts]
    if "save" not in kinds:
        assert not over
        return texts
    assert over and kinds.index("save") == len(kinds) - 1
    return texts[:-1]


def mirror_of(seat: str, texts: list[str]) -> SeatMirror:
    messages = [decode_server(t) for t in texts]
    welcome = messages[0]
    assert isinstance(welcome, Welcome)
    mirror = SeatMirror(seat, welcome.scenario, welcome.state, welcome.log)
    for message in messages[1:]:
        if isinstance(message, Update):
            mirror.update(message.state, message.log)
    return mirror


@settings(max_examples=15)
@given(st.data())
def test_each_seat_rebuilds_its_own_view_of_the_game_exactly(data: st.DataObject) -> None:
    """What a seat's mirror shows (table, credibility, its own satisfaction, its legal moves,
    its log) is what the server's game shows that seat."""
    state, actions = data.draw(played_games(PARIS, max_steps=50))
    final, received = play_on_server(PARIS.scenario, state.seed, actions)
    card = final.scorecard()
    for role in PARIS.scenario.roles:
        mirror = mirror_of(role, received[role]).state
        for name in (
            "round",
            "phase",
            "turn",
            "package",
            "pledges",
            "stances",
            "votes",
            "status",
            "steps",
            "stress",
            "ratifications",
        ):
            assert getattr(mirror, name) == getattr(final, name), name
        assert mirror.capacity_shift.get(role) == final.capacity_shift.get(role)
        assert mirror.scorecard().total == card.total
        assert [f.id for f in mirror.scorecard().moving] == [f.id for f in card.moving]
        situation = final.situation()
        own = final.rules.satisfaction(role, final.package, final.pledges, card, situation)
        mirrored = mirror.rules.satisfaction(
            role, mirror.package, mirror.pledges, mirror.scorecard(), mirror.situation()
        )
        assert mirrored == own
        assert legal_actions(mirror, role) == legal_actions(final, role)
        assert [e.text for e in mirror.log] == [e.text for e in final.visible_log(role)]


def test_the_facilitators_scenario_is_the_whole_scenario() -> None:
    assert redact_scenario(PARIS.scenario, FACILITATOR) is PARIS.scenario


def test_a_seat_is_told_its_own_secrets_and_only_its_own() -> None:
    told = redact_scenario(PARIS.scenario, "germany")
    assert told.roles["germany"] == PARIS.scenario.roles["germany"]
    assert "army_recruiting_memo" in {i.id for i in told.injects}
    assert "kremlin_budget_warning" not in {i.id for i in told.injects}
    assert json.dumps(told.model_dump(mode="json")).count(PRIVATE) == len(told.roles) - 1


@settings(max_examples=25)
@given(st.data())
def test_the_servers_quick_field_dump_is_pydantics(data: st.DataObject) -> None:
    from negotiation.net.seatview import public_fields

    state, _ = data.draw(played_games(PARIS, max_steps=80))
    expected = state.model_dump(mode="json", exclude={"rules", "log"})
    assert public_fields(state) == expected
    assert json.dumps(public_fields(state)) == json.dumps(expected)  # the same order too
    assert state.fingerprint(public_fields(state)) == state.fingerprint()


def test_the_quick_field_dump_covers_an_adopted_deal_with_its_stress_test() -> None:
    from negotiation.bots import strategy
    from negotiation.bots.runner import play_game
    from negotiation.net.seatview import public_fields

    bots = {r: strategy(role.default_strategy) for r, role in PARIS.scenario.roles.items()}
    adopted = next(
        s for s in (play_game(PARIS, seed, bots) for seed in range(40)) if s.stress is not None
    )
    assert adopted.ratifications
    assert public_fields(adopted) == adopted.model_dump(mode="json", exclude={"rules", "log"})
