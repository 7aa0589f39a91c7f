"""The server's storage, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest

from negotiation.net.store import (
    GameRecord,
    StepTaken,
    Store,
    StoredStep,
    StoreError,
    open_store,
)


def record(game: str = "g1") -> GameRecord:
    return GameRecord(game, '{"id": "x"}', 2**63 - 1, 8, "2026-11-26T10:00:00+00:00")


def test_a_game_its_codes_and_steps_come_back_as_stored(store: Store) -> None:
    store.create_game(record(), {"AAAA-BBBB-CCCC": "france", "DDDD-EEEE-FFFF": "facilitator"})
    store.append("g1", StoredStep(1, '{"type": "pass"}', "0123456789ab", "c1"))
    store.append("g1", StoredStep(2, '{"type": "pass"}', "ba9876543210", None))
    store.append("g1", StoredStep(3, '{"type": "pass"}', "aaaaaaaaaaaa", None))
    game, steps = store.load("g1")
    assert game == record()
    assert [s.step for s in steps] == [1, 2, 3]
    assert steps[0] == StoredStep(1, '{"type": "pass"}', "0123456789ab", "c1")
    assert store.seat_of("AAAA-BBBB-CCCC") == ("g1", "france")
    assert store.seat_of("ZZZZ-ZZZZ-ZZZZ") is None
    assert store.codes_of("g1") == {"france": "AAAA-BBBB-CCCC", "facilitator": "DDDD-EEEE-FFFF"}
    assert store.game_ids() == ["g1"]


def test_a_step_is_stored_once(store: Store) -> None:
    """Two writers (two server processes) cannot both store step 1 of a game."""
    store.create_game(record(), {})
    store.append("g1", StoredStep(1, "{}", "0123456789ab", "c1"))
    with pytest.raises(StepTaken):
        store.append("g1", StoredStep(1, "{}", "ffffffffffff", "c2"))
    with pytest.raises(StepTaken):  # and one client's move id is used once in a game
        store.append("g1", StoredStep(2, "{}", "ffffffffffff", "c1"))
    assert [s.hash for s in store.load("g1")[1]] == ["0123456789ab"]


def test_the_classroom_settings_are_kept(store: Store) -> None:
    store.create_game(record(), {})
    assert store.load("g1")[0].classroom is None
    store.set_classroom("g1", '{"reveal": true}')
    assert store.load("g1")[0].classroom == '{"reveal": true}'
    store.set_classroom("g1", "{}")
    assert store.load("g1")[0].classroom == "{}"


def test_everything_survives_closing_and_opening_again(db_url: str) -> None:
    first = open_store(db_url)
    first.create_game(record(), {"AAAA-BBBB-CCCC": "uk"})
    first.append("g1", StoredStep(1, "{}", "0123456789ab"))
    first.close()
    again = open_store(db_url)
    try:
        assert again.load("g1")[1][0].hash == "0123456789ab"
        assert again.seat_of("AAAA-BBBB-CCCC") == ("g1", "uk")
    finally:
        again.close()


def test_an_unknown_game_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="no game 'nope'"):
        store.load("nope")


@pytest.mark.parametrize(
    "url",
    ["mysql://x", "sqlite://relative.db", "postgresql://nobody@127.0.0.1:1/none"],
)
def test_a_bad_database_url_is_one_clear_error(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert "\n" not in str(caught.value)


def test_a_printed_postgres_url_hides_its_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://teacher:s3cret@127.0.0.1:1/games")
    assert "s3cret" not in str(caught.value)
    assert "teacher:***@" in str(caught.value)


def test_a_database_from_schema_1_is_brought_up_to_date_and_its_games_still_load(
    db_url: str,
) -> None:
    """Games stored before schema 2 keep the hashes they were stored with (save format 1's):
    they load, are checked, and export as version 1 saves; new games are hashed as version 2."""
    import json

    from negotiation.engine import apply, legal_actions, new_game
    from negotiation.net.server import export_save, load_game
    from negotiation.rules import Ruleset
    from negotiation.savefile import dumps, loads, replay
    from negotiation.scenario import resolve_scenario

    scenario = resolve_scenario("paris-2025")
    state = new_game(Ruleset(scenario), seed=4)
    steps = []
    for number in range(1, 6):
        moves = legal_actions(state, state.turn or "", proposals=False)
        action = next(a for a in moves if a.type in ("amend", "pledge"))
        state = apply(state, action)
        steps.append(StoredStep(number, action.model_dump_json(), state.fingerprint()))
    store = open_store(db_url)
    with store._tx() as cur:  # type: ignore[attr-defined]  # as schema 1 left it
        cur.execute("ALTER TABLE games DROP COLUMN hashing")
        cur.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
        cur.execute(
            store._sql(  # type: ignore[attr-defined]
                "INSERT INTO games (id, scenario, seed, rounds, created) VALUES (?, ?, ?, ?, ?)"
            ),
            ("old", json.dumps(scenario.model_dump(mode="json")), 4, 8, "2026-11-20T10:00:00"),
        )
    store.append_many([("old", step) for step in steps])
    store.close()

    store = open_store(db_url)
    try:
        old, stored = store.load("old")
        assert old.hashing == 1
        game = load_game(old, stored)
        assert game.state.fingerprint() == state.fingerprint()
        save = export_save(game)
        assert save.version == 1
        assert replay(loads(dumps(save))).fingerprint() == state.fingerprint()
        store.create_game(record("new"), {})
        assert store.load("new")[0].hashing == 2
    finally:
        store.close()
