"""Save files: round trips by replay, refusal of damaged saves, the replay CLI, atomic writes."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from negotiation.bots import Baseline
from negotiation.bots.runner import play_bots
from negotiation.cli import main
from negotiation.engine import (
    FACILITATOR,
    Action,
    Amend,
    GameState,
    InjectAction,
    Message,
    Object,
    Pass,
    PledgeAction,
    Threaten,
    apply,
    new_game,
    template,
)
from negotiation.files import write_atomic
from negotiation.rules import Ruleset, ScoreCard
from negotiation.savefile import (
    MAX_SAVE_BYTES,
    LogStep,
    SaveError,
    SaveFile,
    dumps,
    loads,
    make_save,
    read_save,
    replay,
    replay_states,
    write_save,
)

from strategies import played_games

SEATS = {"alpha": "human", "beta": "bot:baseline", "gamma": "bot"}

# --- helpers -----------------------------------------------------------------------------------


def card_key(card: ScoreCard) -> tuple[float, dict[str, float], list[str]]:
    return card.total, dict(card.dimensions), [f.id for f in card.fired]


def assert_same_game(a: GameState, b: GameState) -> None:
    assert a.fingerprint() == b.fingerprint()
    assert card_key(a.scorecard()) == card_key(b.scorecard())
    assert a.log == b.log
    assert [e.text for e in a.log] == [e.text for e in b.log]
    assert a.actions == b.actions


def assert_one_line(err: SaveError, source: str) -> str:
    message = str(err)
    assert message, "an empty message"
    assert "\n" not in message
    assert message.startswith(f"{source}: "), message
    return message


def refused(text: str | bytes, source: str = "broken.json") -> str:
    """The message of the SaveError that loading and replaying ``text`` raises."""
    with pytest.raises(SaveError) as err:
        replay(loads(text, source), source)
    return assert_one_line(err.value, source)


def scripted_game(rules: Ruleset, seed: int = 0) -> GameState:
    """A mini game with every kind of move, free text included, finished by bots."""
    state = new_game(rules, seed=seed)
    script: list[Action] = [
        Message(role="alpha", to="beta", text="Pledge with us and we drop the long money."),
        PledgeAction(role="alpha", kind="troops", units=3),
        Object(role="beta", reason="Too costly for our treasury."),
        Threaten(role="gamma", red_line="no_heavy"),
        Amend(role="alpha", issue="posture", option="heavy"),
        Message(role="beta", to="gamma", text="We will not stay heavy for long."),
        Pass(role="beta"),
    ]
    for action in script:
        if action.role != FACILITATOR and state.turn != action.role:
            state = apply(state, Pass(role=state.turn))  # type: ignore[arg-type]
        state = apply(state, action)
    if "windfall" not in state.events:
        state = apply(state, InjectAction(role=FACILITATOR, inject="windfall"))
    return play_bots(state, {role: Baseline() for role in rules.scenario.roles})


@pytest.fixture(scope="module")
def game(mini_rules: Ruleset) -> GameState:
    state = scripted_game(mini_rules)
    assert state.over
    return state


@pytest.fixture(scope="module")
def good_text(game: GameState) -> str:
    return dumps(make_save(game, SEATS, name="Mini test game", created="2025-01-01T00:00:00"))


@pytest.fixture(scope="module")
def plain_text(mini_rules: Ruleset, game: GameState) -> str:
    """The same game with its free text emptied: every byte of it is checked on load."""
    state = new_game(mini_rules, seed=game.seed)
    for action in game.actions:
        state = apply(state, template(action))
    return dumps(make_save(state, SEATS))


def edited(text: str, edit: Any) -> str:
    data = json.loads(text)
    edit(data)
    return json.dumps(data, indent=1)


def step_of(text: str, kind: str) -> int:
    """1-based number of the first step of a save whose action is of ``kind``."""
    log = json.loads(text)["log"]
    return next(i for i, s in enumerate(log, start=1) if s["action"]["type"] == kind)


# --- round trips -------------------------------------------------------------------------------


@given(data=st.data())
def test_saved_games_replay_to_the_same_state(mini_rules: Ruleset, data: st.DataObject) -> None:
    state, actions = data.draw(played_games(mini_rules, max_steps=60))
    save = make_save(state, SEATS, name="property")
    assert len(save.log) == len(actions)
    text = dumps(save)
    loaded = loads(text, "game.json")
    assert loaded == save
    again = replay(loaded, "game.json")
    assert_same_game(again, state)
    assert again.scorecard() == state.scorecard()
    # Bytes load the same as text; every step's hash is the replayed state's.
    assert loads(text.encode(), "game.json") == save
    states = list(replay_states(loaded, "game.json"))
    assert len(states) == len(actions) + 1
    chain = [states[0].step_hash("")]
    for action, after in zip(actions, states[1:], strict=True):
        chain.append(after.step_hash(chain[-1], action))
    assert chain == [loaded.start] + [step.hash for step in loaded.log]
    # Saving the replayed game gives the same file.
    assert dumps(make_save(again, SEATS, name="property")) == text


@settings(max_examples=5)
@given(data=st.data())
def test_saved_games_replay_to_the_same_state_paris(
    paris_rules: Ruleset, data: st.DataObject
) -> None:
    state, _ = data.draw(played_games(paris_rules, max_steps=80))
    text = dumps(make_save(state))
    assert_same_game(replay(loads(text, "paris.json"), "paris.json"), state)


def test_write_and_read_a_save(tmp_path: Path, game: GameState) -> None:
    path = tmp_path / "saves" / "game.json"
    write_save(path, make_save(game, SEATS, name="file"))
    save, state = read_save(path)
    assert save.seats == SEATS and save.name == "file"
    assert_same_game(state, game)
    assert state.status is game.status
    assert sorted(p.name for p in path.parent.iterdir()) == ["game.json"]


def test_the_scripted_game_has_free_text(game: GameState, good_text: str) -> None:
    assert any(isinstance(a, Message) and a.text for a in game.actions)
    assert_same_game(replay(loads(good_text, "good.json"), "good.json"), game)


# --- damaged saves -----------------------------------------------------------------------------


@given(data=st.data())
def test_truncated_saves_are_refused(good_text: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(good_text)))
    text = good_text[:cut]
    if text.strip() == good_text.strip():  # only the final newline was cut
        replay(loads(text, "cut.json"), "cut.json")
        return
    message = refused(text, "cut.json")
    assert "not valid JSON" in message


@settings(max_examples=200)
@given(data=st.data())
def test_bit_flips_are_refused_or_harmless(
    plain_text: str, mini_rules: Ruleset, data: st.DataObject
) -> None:
    raw = bytearray(plain_text.encode())
    index = data.draw(st.integers(0, len(raw) - 1))
    bit = data.draw(st.integers(0, 7))
    raw[index] ^= 1 << bit
    try:
        save = loads(bytes(raw), "flipped.json")
        state = replay(save, "flipped.json")
    except SaveError as err:
        event("refused")
        assert_one_line(err, "flipped.json")
        return
    # Accepted: the flip must not have changed the game (e.g. a seat's strategy name).
    event("accepted")
    original = replay(loads(plain_text, "plain.json"), "plain.json")
    assert_same_game(state, original)


def test_free_text_is_part_of_the_checked_log(good_text: str, game: GameState) -> None:
    """BUG: an edited message (or objection) is not detected.

    The step hash is ``GameState.fingerprint()``, which leaves the log out (only its length
    counts), so a save whose private message says something else replays without complaint
    and shows the forged words in the log, contrary to the module's promise that an edited
    save is refused with the step and the reason.
    """
    number = step_of(good_text, "message")

    def forge(data: dict[str, Any]) -> None:
        data["log"][number - 1]["action"]["text"] = "Forged: we accept anything."

    with pytest.raises(SaveError) as err:
        state = replay(loads(edited(good_text, forge), "forged.json"), "forged.json")
        # If it gets here, the forged text is in the replayed log.
        assert any("Forged" in e.text for e in state.log)
    assert f"step {number}" in assert_one_line(err.value, "forged.json")


def test_an_empty_log_still_checks_its_seed(mini_rules: Ruleset) -> None:
    """BUG (minor): a save with no actions has nothing hashed, so its seed can be edited.

    The seed decides the events drawn at the start, so the edited save opens a different game.
    """
    text = dumps(make_save(new_game(mini_rules, seed=1)))
    other = next(
        s
        for s in range(2, 200)
        if new_game(mini_rules, seed=s).fingerprint() != new_game(mini_rules, seed=1).fingerprint()
    )
    forged = edited(text, lambda d: d.update(seed=other))
    refused(forged, "empty.json")


def test_wrong_format_name(good_text: str) -> None:
    message = refused(edited(good_text, lambda d: d.update(format="chess-save")), "f.json")
    assert 'format is not "negotiation-save"' in message
    message = refused(edited(good_text, lambda d: d.pop("format")), "f.json")
    assert "not a save file" in message


@pytest.mark.parametrize(
    ("version", "words"),
    [
        (3, "newer"),
        (99, "newer"),
        (0, "version: 0 is not a save format version (1 or 2)"),
        ("1", 'version: "1" is not a save format version'),
        ([], "version: [] is not a save format version"),
        (None, "version: missing"),
    ],
)
def test_wrong_version(good_text: str, version: Any, words: str) -> None:
    message = refused(edited(good_text, lambda d: d.update(version=version)), "v.json")
    assert words in message
    if words == "newer":
        assert f"version {version}" in message


def test_scenario_edited_against_its_hash(good_text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["scenario"]["roles"]["beta"]["walk_away"] = 10

    message = refused(edited(good_text, edit), "s.json")
    assert "scenario: does not match its hash" in message
    message = refused(edited(good_text, lambda d: d.update(scenario_hash="0" * 16)), "s.json")
    assert "does not match its hash" in message


def test_scenario_that_does_not_load(good_text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["scenario"]["turns"]["order"] = ["alpha", "omega"]

    message = refused(edited(good_text, edit), "s.json")
    assert message.startswith("s.json: scenario")


def test_actions_naming_an_issue_the_scenario_lacks(good_text: str) -> None:
    number = step_of(good_text, "amend")

    def edit(data: dict[str, Any]) -> None:
        data["log"][number - 1]["action"]["issue"] = "command"  # a Paris issue, not a mini one

    message = refused(edited(good_text, edit), "i.json")
    assert f"step {number}:" in message
    assert 'no issue "command"' in message


def test_actions_of_an_unknown_role(good_text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["log"][0]["action"]["role"] = "france"

    message = refused(edited(good_text, edit), "r.json")
    assert "step 1:" in message and '"france"' in message


def test_an_edited_action_breaks_its_steps_hash(good_text: str) -> None:
    number = step_of(good_text, "pledge")

    def edit(data: dict[str, Any]) -> None:
        assert data["log"][number - 1]["action"]["units"] == 3
        data["log"][number - 1]["action"]["units"] = 2  # still legal, but another game

    message = refused(edited(good_text, edit), "h.json")
    assert f"step {number}: the replayed game differs" in message


def test_an_edited_hash_is_refused(good_text: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        old = data["log"][-1]["hash"]
        data["log"][-1]["hash"] = ("0" if old[0] != "0" else "1") + old[1:]

    count = len(json.loads(good_text)["log"])
    assert f"step {count}: the replayed game differs" in refused(edited(good_text, edit))


def test_reordered_or_dropped_steps_are_refused(good_text: str) -> None:
    def swap(data: dict[str, Any]) -> None:
        data["log"][1], data["log"][2] = data["log"][2], data["log"][1]

    assert "step 2:" in refused(edited(good_text, swap))

    def drop(data: dict[str, Any]) -> None:
        del data["log"][1]

    assert "step 2:" in refused(edited(good_text, drop))


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d.update(extra=1), "unknown field"),
        (lambda d: d.pop("seed"), "missing"),
        (lambda d: d.update(seed=-1), "seed"),
        (lambda d: d.update(rounds=0), "rounds"),
        (lambda d: d.update(seats={"zeta": "human"}), 'unknown role "zeta"'),
        (lambda d: d.update(seats={"alpha": "robot"}), "is not human or bot"),
        (lambda d: d["log"][0].update(hash="XYZ"), "hash"),
        (lambda d: d["log"][0]["action"].update(type="dance"), "log"),
        (lambda d: d["log"][0]["action"].update(role="Not An Id"), "not a valid identifier"),
        (lambda d: d.update(log={}), "log"),
    ],
)
def test_malformed_fields_are_refused(good_text: str, edit: Any, words: str) -> None:
    assert words in refused(edited(good_text, edit))


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_SAVE_BYTES + 1)  # sparse: quick to make
    with pytest.raises(SaveError) as err:
        read_save(path)
    message = assert_one_line(err.value, str(path))
    assert f"{MAX_SAVE_BYTES:,}" in message
    with pytest.raises(SaveError) as err:
        loads(" " * (MAX_SAVE_BYTES + 1), "huge text")
    assert "larger than" in assert_one_line(err.value, "huge text")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"format": "negotiation-save", "name": "\xff\xfe"}', "not UTF-8 text (byte"),
        (b"\xef\xbb\xbf{}", "format is not"),  # a byte-order mark is read past, then: not a save
        (b"hello", "not valid JSON (line 1, column 1"),
        (b"", "not valid JSON"),
        (b"[1, 2, 3]", "expected a JSON object"),
        (b'"a save"', "expected a JSON object"),
        (b"null", "expected a JSON object"),
        (b"[" * 100_000, "not valid JSON"),
        (b"{}", "not a save file"),
    ],
)
def test_files_that_are_not_saves(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(SaveError) as err:
        read_save(path)
    assert words in assert_one_line(err.value, str(path))
    assert path.read_bytes() == content, "a bad save is never changed"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SaveError) as err:
        read_save(tmp_path / "nope.json")
    assert "no such file" in assert_one_line(err.value, str(tmp_path / "nope.json"))
    with pytest.raises(SaveError) as err:
        read_save(tmp_path)
    assert "folder" in assert_one_line(err.value, str(tmp_path))


# --- the replay command ------------------------------------------------------------------------


@pytest.fixture
def save_path(tmp_path: Path, good_text: str) -> Path:
    path = tmp_path / "good.json"
    path.write_text(good_text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b"\xff", b'{"format": "negotiation-save", "version": 2}'],
)
def test_cli_replay_of_a_broken_save(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    assert main(["replay", str(path), "--headless"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert str(path) in err
    assert "Traceback" not in err


def test_cli_replay_of_an_edited_save(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], good_text: str
) -> None:
    number = step_of(good_text, "pledge")

    def edit(data: dict[str, Any]) -> None:
        data["log"][number - 1]["action"]["units"] = 2

    path = tmp_path / "edited.json"
    path.write_text(edited(good_text, edit), encoding="utf-8")
    assert main(["replay", str(path), "--headless"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert f"step {number}" in err


def test_cli_replay_of_a_missing_save(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path / "nope.json"), "--headless"]) == 1
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and "no such file" in err


def test_cli_replay_of_a_good_save(
    save_path: Path, capsys: pytest.CaptureFixture[str], game: GameState
) -> None:
    assert main(["replay", str(save_path), "--headless"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    status = game.status.value.replace("_", " ")
    assert f"Status: {status}" in out


def test_cli_replay_json(
    save_path: Path, capsys: pytest.CaptureFixture[str], game: GameState
) -> None:
    assert main(["replay", str(save_path), "--headless", "--json"]) == 0
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert "credibility" in data
    assert data["credibility"]["total"] == round(game.scorecard().total, 2)
    assert data["status"] == game.status.value
    assert data["step"] == game.steps
    assert len(data["log"]) == len(game.log)


def test_cli_replay_to_a_step(
    save_path: Path, capsys: pytest.CaptureFixture[str], game: GameState
) -> None:
    assert main(["replay", str(save_path), "--headless", "--json", "--step", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["step"] == 3
    assert main(["replay", str(save_path), "--headless", "--json", "--step", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["step"] == 0
    steps = str(game.steps)
    assert main(["replay", str(save_path), "--headless", "--step", steps]) == 0
    capsys.readouterr()
    assert main(["replay", str(save_path), "--headless", "--step", str(game.steps + 1)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert f"only {game.steps} steps" in err


# --- interrupted writes ------------------------------------------------------------------------


class Interrupted(Exception):
    """The power went out."""


def _break_at(monkeypatch: pytest.MonkeyPatch, where: str, exc: BaseException) -> None:
    if where == "replace":

        def replace(*args: Any, **kwargs: Any) -> None:
            raise exc

        monkeypatch.setattr(os, "replace", replace)
    elif where == "fsync":

        def fsync(fd: int) -> None:
            raise exc

        monkeypatch.setattr(os, "fsync", fsync)
    elif where == "write":
        real_fdopen = os.fdopen

        class HalfWriter:
            def __init__(self, handle: Any) -> None:
                self.handle = handle

            def __enter__(self) -> HalfWriter:
                return self

            def __exit__(self, *exc_info: Any) -> None:
                self.handle.close()

            def write(self, text: str) -> int:
                self.handle.write(text[: len(text) // 2])
                self.handle.flush()
                raise exc

            def __getattr__(self, name: str) -> Any:
                return getattr(self.handle, name)

        def fdopen(fd: int, *args: Any, **kwargs: Any) -> HalfWriter:
            return HalfWriter(real_fdopen(fd, *args, **kwargs))

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:  # pragma: no cover
        raise AssertionError(where)


FAILURES = [
    ("write", OSError(28, "No space left on device")),
    ("write", KeyboardInterrupt()),
    ("fsync", OSError(5, "Input/output error")),
    ("fsync", Interrupted()),
    ("replace", OSError(13, "Permission denied")),
    ("replace", KeyboardInterrupt()),
]


@pytest.mark.parametrize(("where", "exc"), FAILURES)
def test_interrupted_write_keeps_the_old_save(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    game: GameState,
    mini_rules: Ruleset,
    where: str,
    exc: BaseException,
) -> None:
    path = tmp_path / "game.json"
    write_save(path, make_save(game, SEATS))
    before = path.read_bytes()
    newer = make_save(new_game(mini_rules, seed=99), name="newer")
    _break_at(monkeypatch, where, exc)
    with pytest.raises(type(exc)):
        write_save(path, newer)
    monkeypatch.undo()
    assert path.read_bytes() == before
    _, state = read_save(path)
    assert_same_game(state, game)
    assert [p.name for p in tmp_path.iterdir()] == ["game.json"], "temporary files left"


@pytest.mark.parametrize(("where", "exc"), FAILURES)
def test_interrupted_write_of_a_new_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, exc: BaseException
) -> None:
    folder = tmp_path / "saves"
    _break_at(monkeypatch, where, exc)
    with pytest.raises(type(exc)):
        write_atomic(folder / "new.json", "{}\n" * 1000)
    monkeypatch.undo()
    assert list(folder.iterdir()) == []


@settings(max_examples=20)
@given(text=st.text(max_size=200))
def test_write_atomic_writes_exactly_the_text(tmp_path_factory: Any, text: str) -> None:
    folder = tmp_path_factory.mktemp("atomic")
    path = folder / "file.txt"
    write_atomic(path, "old")
    write_atomic(path, text)
    assert path.read_bytes() == text.encode("utf-8")
    assert [p.name for p in folder.iterdir()] == ["file.txt"]


def test_save_file_model_round_trips(good_text: str) -> None:
    save = loads(good_text, "good.json")
    assert isinstance(save, SaveFile)
    assert dumps(save) == good_text
    assert copy.deepcopy(save) == save


@settings(max_examples=20)
@given(data=st.data())
def test_saving_step_by_step_matches_a_whole_save(mini_rules: Ruleset, data: st.DataObject) -> None:
    from negotiation.savefile import append_step

    state, actions = data.draw(played_games(mini_rules, max_steps=40))
    current = new_game(mini_rules, seed=state.seed)
    save = make_save(current, SEATS)
    old = version_1(save)
    for action in actions:
        current = apply(current, action)
        save = append_step(save, action, current)
        old = append_step(old, action, current)
    whole = make_save(state, SEATS)
    assert save.log == whole.log
    assert save.summary == whole.summary
    assert_same_game(replay(loads(dumps(save), "auto.json"), "auto.json"), state)
    # A game saved in version 1 goes on in version 1, and reads back.
    assert old.version == 1 and old.log == version_1(whole).log
    assert_same_game(replay(loads(dumps(old), "old.json"), "old.json"), state)


@settings(max_examples=25)
@given(data=st.data())
def test_cli_replay_of_damaged_saves_never_crashes(
    tmp_path_factory: Any, plain_text: str, data: st.DataObject
) -> None:
    raw = bytearray(plain_text.encode())
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw) - 2))]
    else:
        raw[data.draw(st.integers(0, len(raw) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    path = tmp_path_factory.mktemp("cli") / "damaged.json"
    path.write_bytes(bytes(raw))
    err_stream = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err_stream):
        code = main(["replay", str(path), "--headless", "--json"])
    err = err_stream.getvalue()
    assert code in (0, 1)
    if code == 1:
        assert err.count("\n") == 1 and str(path) in err
        assert "internal error" not in err


def version_1(save: SaveFile) -> SaveFile:
    """The save as version 1 wrote it: each state's :meth:`GameState.fingerprint`."""
    states = list(replay_states(save))
    return save.model_copy(
        update={
            "version": 1,
            "start": states[0].fingerprint(),
            "log": [
                LogStep(action=step.action, hash=after.fingerprint())
                for step, after in zip(save.log, states[1:], strict=True)
            ],
        }
    )


def test_a_save_still_opens_after_the_engine_words_its_log_and_stress_test_anew(
    paris_rules: Ruleset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save's hashes cover the game's facts and the players' words, not the engine's prose
    (version 2): rewording a log line or a stress-test probe must not lock players out of
    their games. Version 1 hashed the log's prose; its saves break on such a change."""
    import negotiation.engine.core as core
    import negotiation.engine.probes as probes
    from negotiation.bots import strategy
    from negotiation.bots.runner import play_game

    roles = paris_rules.scenario.roles
    game = play_game(paris_rules, 0, {r: strategy(s.default_strategy) for r, s in roles.items()})
    assert game.stress is not None  # a deal in force, and its stress test told
    good_text = dumps(make_save(game))
    old_text = dumps(version_1(loads(good_text)))
    narrative, log = game.stress.narrative, [e.text for e in game.log]
    monkeypatch.setattr(core, "_phrase", lambda label: f"the {label.upper()}")
    told = tuple((f"Reworded: {held}", f"Reworded: {not_held}") for held, not_held in probes.TOLD)
    monkeypatch.setattr(probes, "TOLD", told)

    reworded = replay(loads(good_text, "v2.json"), "v2.json")
    assert reworded.stress is not None and reworded.stress.narrative != narrative
    assert reworded.stress.narrative[0].startswith("Year 1: Reworded: ")
    assert [e.text for e in reworded.log] != log
    assert reworded.stress.held == game.stress.held and reworded.package == game.package
    refused(old_text, "v1.json")


def test_a_save_from_the_first_release_still_opens() -> None:
    """Saves made before the classroom features (scenarios without facilitator limits, no
    classroom section) open and replay unchanged: players keep their games across updates."""
    path = Path(__file__).parent / "data" / "save-2026-11-24.json"
    save, state = read_save(path)
    assert save.name == "Made by the first release"
    assert state.steps == len(save.log) > 10
    assert save.classroom.teams == {} and not save.classroom.facilitator


def test_a_version_1_save_of_a_deal_in_force_still_opens() -> None:
    """Version 1 hashed the stress test's narrative as it was worded then: however the
    narrative is worded now, such a save must replay to the states it recorded."""
    path = Path(__file__).parent / "data" / "save-v1-deal-in-force.json"
    save, state = read_save(path)
    assert save.version == 1
    assert state.stress is not None and state.status.value == "adopted"


def test_classroom_settings_round_trip(mini_rules: Ruleset) -> None:
    from negotiation.classroom import Classroom, RoundTimer, Team

    state = new_game(mini_rules, seed=2)
    classroom = Classroom(
        facilitator=True,
        teams={"alpha": Team(name="Les Bleus", members=("Ana", "Ben"))},
        timer=RoundTimer.set(600).start(1_000.0),
        reveal=True,
        projector="debrief",
        debrief_page=2,
    )
    save = make_save(state, {}).model_copy(update={"classroom": classroom})
    assert loads(dumps(save)).classroom == classroom


def test_written_files_can_be_shared(tmp_path: Path) -> None:
    """A save or report gets the permissions any new file gets (not private to its writer), so
    that a class can hand its saves in and a teacher can share a report."""
    mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "report.html", "<p>hello</p>")
    finally:
        os.umask(mask)
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("character", ["\x1b", "\x07", "\x00", "\x9b", "\x7f"])
def test_control_characters_in_a_save_are_refused(good_text: str, character: str) -> None:
    """A shared save is printed on others' terminals: an escape sequence in its text could
    clear or recolour them, or retitle the window."""
    name = edited(good_text, lambda d: d.update(name=f"Group 3{character}[2J"))
    assert "name: control character" in refused(name, "c.json")
    number = step_of(good_text, "message")

    def forge(data: dict[str, Any]) -> None:
        data["log"][number - 1]["action"]["text"] = f"Hello{character}]0;pwned"

    assert f"log[{number - 1}].action.text: control character" in refused(
        edited(good_text, forge), "c.json"
    )
    # Line ends and tabs are text.
    loads(edited(good_text, lambda d: d.update(name="Group 3\tafternoon")), "ok.json")


def test_a_save_or_a_scenario_that_starts_with_a_byte_order_mark_reads(
    good_text: str, tmp_path: Path
) -> None:
    """Notepad and other Windows editors put a byte-order mark before UTF-8 text."""
    from negotiation.scenario import load_scenario

    assert loads(("\ufeff" + good_text).encode("utf-8"), "bom.json") == loads(good_text)
    mini = Path(__file__).parent / "data" / "mini.toml"
    marked = tmp_path / "mini.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + mini.read_bytes())
    assert load_scenario(marked) == load_scenario(mini)
