"""The command line: output, exit codes, and one clear line for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from negotiation.cli import main
from negotiation.savefile import read_save

MINI = str(Path(__file__).parent / "data" / "mini.toml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def simulated_save(capsys: pytest.CaptureFixture[str], folder: Path) -> str:
    """One bot game of the mini scenario (seed 5), saved in ``folder``; returns its path."""
    args = ("simulate", "--scenario", MINI, "--games", "1", "--seed", "5")
    assert run(capsys, *args, "--save-dir", str(folder))[0] == 0
    return str(folder / "sim-mini-5.json")


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("negotiation: ")


def test_scenarios_lists_paris(capsys):
    code, out, _ = run(capsys, "scenarios", "--json")
    assert code == 0
    rows = json.loads(out)
    paris = next(r for r in rows if r["id"] == "paris-2025")
    assert set(paris["roles"]) == {"france", "uk", "germany", "us", "ukraine", "russia"}
    code, out, _ = run(capsys, "scenarios")
    assert code == 0 and "paris-2025" in out


def test_simulate_reports_statistics(capsys):
    code, out, err = run(
        capsys, "simulate", "--scenario", MINI, "--games", "20", "--seed", "3", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["games"] == 20
    assert sum(report["outcomes"].values()) == 20
    assert 0 <= report["agreement_rate"] <= 1
    assert set(report["satisfaction_mean"]) == {"alpha", "beta", "gamma"}
    code, text, _ = run(capsys, "simulate", "--scenario", MINI, "--games", "20", "--seed", "3")
    assert code == 0
    assert f"Agreement rate: {report['agreement_rate']:.1%}" in text


def test_simulate_is_deterministic_and_saves_games(capsys, tmp_path):
    args = ("simulate", "--scenario", MINI, "--games", "5", "--seed", "7", "--json")
    first = run(capsys, *args, "--save-dir", str(tmp_path))[1]
    second = run(capsys, *args)[1]
    assert first == second
    saves = sorted(tmp_path.glob("*.json"))
    assert [p.name for p in saves] == [f"sim-mini-{s}.json" for s in (10, 11, 7, 8, 9)]
    save, state = read_save(saves[0])
    assert state.over and save.seats["alpha"] == "bot:baseline"


def test_simulate_takes_a_strategy_per_seat(capsys):
    code, out, _ = run(
        capsys,
        "simulate",
        "--scenario",
        MINI,
        "--games",
        "2",
        "--seat",
        "gamma=bot:baseline",
        "--json",
    )
    assert code == 0 and json.loads(out)["strategies"]["gamma"] == "baseline"


@pytest.mark.parametrize(
    "argv, code",
    [
        (["simulate", "--scenario", "atlantis"], 1),
        (["simulate", "--scenario", "/nonexistent/x.toml"], 1),
        (["simulate", "--scenario", MINI, "--seat", "narnia=bot"], 2),
        (["simulate", "--scenario", MINI, "--seat", "alpha=bot:genius"], 2),
        (["simulate", "--scenario", MINI, "--seat", "alpha=human"], 2),
        (["simulate", "--scenario", MINI, "--seat", "alpha"], 2),
        (["replay", "/nonexistent/save.json", "--headless"], 1),
        (["validate", "/nonexistent/x.toml"], 1),
        (["export", "ws://127.0.0.1:99999", "--code", "ABCD", "-o", "never.json"], 1),
        (["export", "ws://[::1", "--code", "ABCD", "-o", "never.json"], 1),
        (["create-game", "--server", "ws://host:port"], 1),
        (["new-code", "ws://127.0.0.1:1", "--code", "ABCD", "uk"], 1),
    ],
)
def test_bad_input_is_one_line_and_an_exit_code(capsys, argv, code):
    got, _, err = run(capsys, *argv)
    assert got == code
    assert one_line(err), err


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--games", "0"],
        ["simulate", "--games", "many"],
        ["simulate", "--seed", "-1"],
        ["simulate", "--rounds", "51"],
        ["simulate", "--games", "99999999999999999999"],
        ["simulate", "--workers", "999"],
        ["simulate", "--save-dir", ""],
        ["export", "ws://127.0.0.1:1", "--code", "", "-o", "x.json"],
        ["play", "--seat", "france=human", "--rounds", "999"],
        ["create-game", "--server", "ws://localhost:1", "--rounds", "51"],
        ["replay", "x.json", "--step", "-3"],
        ["frobnicate"],
    ],
)
def test_bad_usage_exits_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_replay_of_a_broken_save_fails_before_the_viewer_opens(capsys, tmp_path):
    code, _, err = run(capsys, "replay", str(tmp_path / "x.json"))
    assert code == 1 and "no such file" in err and one_line(err)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    code, _, err = run(capsys, "replay", str(broken))
    assert code == 1 and "not valid JSON" in err and one_line(err)


def test_report_writes_markdown_and_html(capsys, tmp_path):
    simulated_save(capsys, tmp_path)
    save = str(tmp_path / "sim-mini-5.json")
    code, out, _ = run(capsys, "report", save)
    assert code == 0 and out.startswith("# Debrief")
    html = tmp_path / "r.html"
    code, _, err = run(capsys, "report", save, "-o", str(html))
    assert code == 0 and html.read_text().lstrip().lower().startswith("<!doctype html>")
    code, _, err = run(capsys, "report", str(tmp_path / "nope.json"))
    assert code == 1 and one_line(err)


def test_replay_headless_prints_the_game(capsys, tmp_path):
    simulated_save(capsys, tmp_path)
    path = str(tmp_path / "sim-mini-5.json")
    code, out, _ = run(capsys, "replay", path, "--headless")
    assert code == 0
    assert "Credibility" in out and "Satisfaction against walk-away" in out
    code, out, _ = run(capsys, "replay", path, "--headless", "--step", "2", "--json")
    data = json.loads(out)
    assert data["step"] == 2 and data["status"] == "negotiating"
    assert set(data["credibility"]["dimensions"]) == {
        "legitimacy",
        "capability",
        "cohesion",
        "resolve",
        "sustainability",
        "restraint",
    }


def test_python_dash_m_works():
    out = subprocess.run(
        [sys.executable, "-m", "negotiation", "scenarios"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "paris-2025" in out.stdout


@pytest.mark.parametrize(
    ("argv", "short"),
    [
        (["replay", "s.json", "--headless"], True),
        (["replay", "s.json"], False),  # the viewer
        (["--saves-dir", "replay", "play"], False),  # "replay" is the folder here
        (["--saves-dir", "x", "report", "s.json"], True),
        (["analyze"], True),
        (["analyze", "--balance"], False),  # thousands of games
        (["simulate", "--games", "5"], False),
        (["serve"], False),
        ([], False),  # the game
        (["--version"], False),
    ],
)
def test_which_commands_are_short_lived(argv, short):
    from negotiation.cli import _short_lived

    assert _short_lived(argv) is short


def _command(*argv: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "negotiation", *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_short_lived_command_says_all_it_has_to_say_before_it_leaves(capsys, tmp_path):
    """It leaves without tearing the interpreter down: its output must be complete, its
    files written and its exit code kept."""
    save = simulated_save(capsys, tmp_path)
    live = run(capsys, "replay", save, "--headless", "--json")
    out = _command("replay", save, "--headless", "--json")
    assert (out.returncode, out.stdout, out.stderr) == live
    report = tmp_path / "report.html"
    out = _command("report", save, "-o", str(report))
    assert out.returncode == 0 and report.read_text().rstrip().endswith("</html>")
    out = _command("replay", str(tmp_path / "missing.json"), "--headless")
    assert out.returncode == 1 and one_line(out.stderr) and out.stdout == ""
    out = _command("replay", "--headless")  # no save named
    assert out.returncode == 2 and "required" in out.stderr


def test_a_short_lived_command_whose_reader_went_away_ends_quietly(capsys, tmp_path):
    import fcntl
    import os

    save = simulated_save(capsys, tmp_path)
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)  # smaller than the report: it must block
    with subprocess.Popen(
        [sys.executable, "-m", "negotiation", "report", save, "--format", "html"],
        stdout=write_end,
        stderr=subprocess.PIPE,
    ) as proc:
        os.close(write_end)
        assert len(os.read(read_end, 10)) == 10
        os.close(read_end)  # like `| head -c 10`
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        assert proc.wait() == 0
    assert err == ""


def _subcommands(parser):
    import argparse

    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_a_command_line_that_names_its_command_parses_as_with_every_command_built():
    """Only the named command's parser is built; its help (every argument, default and
    choice) is the same as in the whole program's parser."""
    from negotiation.cli import COMMANDS, build_parser

    full = _subcommands(build_parser())
    assert set(full) == set(COMMANDS)
    for name in COMMANDS:
        alone = _subcommands(build_parser(name))
        assert list(alone) == [name]
        assert alone[name].format_help() == full[name].format_help()


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["replay", "s.json"], "replay"),
        (["--saves-dir", "x", "play"], "play"),
        (["--saves-dir=x", "report", "s"], "report"),
        (["--help", "replay"], None),  # the whole program's help
        (["repaly"], None),  # a typo: the full parser names every command
        ([], None),
    ],
)
def test_which_command_a_command_line_names(argv, command):
    from negotiation.cli import _command_of

    assert _command_of(argv) == command


def test_saves_dir_goes_before_or_after_the_command():
    from negotiation.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["play", "--saves-dir", "x"]).saves_dir == "x"
    assert parser.parse_args(["--saves-dir", "y", "play"]).saves_dir == "y"
    assert parser.parse_args(["play"]).saves_dir == "saves"
    assert parser.parse_args(["replay", "s.json", "--saves-dir", "z"]).saves_dir == "z"


def test_briefs_writes_every_brief_and_refuses_an_unknown_role(capsys, tmp_path):
    args = ("briefs", "--scenario", MINI, "-o", str(tmp_path), "--format", "md")
    code, printed, _ = run(capsys, *args)
    assert code == 0 and printed.count("\n") == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["public.md", "alpha.md", "beta.md", "gamma.md", "facilitator.md"]
    )
    code, _, err = run(capsys, "briefs", "--scenario", MINI, "--role", "zeta", "-o", str(tmp_path))
    assert code == 1 and one_line(err) and "zeta" in err


def test_compare_sets_groups_side_by_side(capsys, tmp_path):
    run(capsys, "simulate", "--scenario", MINI, "--games", "3", "--save-dir", str(tmp_path))
    saves = sorted(str(p) for p in tmp_path.glob("*.json"))
    code, out, _ = run(capsys, "compare", *saves, "--format", "json")
    assert code == 0 and len(json.loads(out)["groups"]) == 3
    code, _, err = run(capsys, "compare", saves[0])
    assert code == 1 and one_line(err)
    report = tmp_path / "groups.html"
    code, _, _ = run(capsys, "compare", *saves, "-o", str(report))
    assert code == 0 and "<svg" in report.read_text()


def test_projector_needs_a_save_to_follow(capsys, tmp_path):
    code, _, err = run(capsys, "projector", "--saves-dir", str(tmp_path))
    assert code == 1 and one_line(err) and "no saved game" in err
    code, _, err = run(capsys, "projector", str(tmp_path / "missing.json"))
    assert code == 1 and one_line(err)
    # A save that will not open is refused before the screen opens (it would wait forever).
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    code, _, err = run(capsys, "projector", str(broken))
    assert code == 1 and one_line(err) and "not a save file" in err
    code, _, err = run(capsys, "projector", str(tmp_path))
    assert code == 1 and one_line(err) and "is a folder" in err


@pytest.mark.parametrize(
    ("team", "words"),
    [
        ("x=Les Bleus", 'no role "x"'),
        ("france", 'expected ROLE="NAME: MEMBER, MEMBER"'),
        ("france=: Ana", "a team needs a name"),
    ],
)
def test_bad_teams_are_one_line_and_exit_2(team: str, words: str, capsys) -> None:
    assert main(["play", "--seat", "france=human", "--team", team]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


SAVE = str(Path(__file__).parent / "data" / "save-2026-11-24.json")


def test_a_device_or_pipe_named_as_input_is_refused_not_read(capsys) -> None:
    """A device or a pipe has no size to check, and may never end: it is refused at once."""
    for argv in (["validate", "/dev/null"], ["replay", "/dev/null", "--headless"]):
        code, _, err = run(capsys, *argv)
        assert code == 1 and one_line(err)
        assert "/dev/null: not a regular file (a device or a pipe)" in err


def test_output_goes_into_a_pipe_and_through_a_link_and_not_into_a_missing_folder(
    capsys, tmp_path: Path
) -> None:
    import os
    import stat
    import threading

    # A symbolic link is followed: the file it names is written, the link stays.
    real = tmp_path / "real.md"
    link = tmp_path / "link.md"
    link.symlink_to(real)
    code, _, _ = run(capsys, "report", SAVE, "-o", str(link))
    assert code == 0 and link.is_symlink() and "# Debrief" in real.read_text()
    # A pipe is written into, not replaced by a file.
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_text()), daemon=True)
    reader.start()
    code, _, _ = run(capsys, "report", SAVE, "-o", str(pipe))
    reader.join(10)
    assert code == 0 and stat.S_ISFIFO(pipe.stat().st_mode)
    assert got and got[0].startswith("# Debrief")
    # A folder that is not there is reported, not made.
    code, _, err = run(capsys, "report", SAVE, "-o", str(tmp_path / "nowhere" / "r.md"))
    assert code == 1 and one_line(err) and "no such folder" in err
    assert not (tmp_path / "nowhere").exists()


def test_numbers_that_are_not_finite_or_too_long_are_refused_in_one_line(capsys, tmp_path):
    text = Path(MINI).read_text(encoding="utf-8")
    nan = tmp_path / "nan.toml"
    nan.write_text(text.replace("[opening]", "[dimensions.base]\nlegitimacy = nan\n\n[opening]"))
    code, _, err = run(capsys, "validate", str(nan))
    assert code == 1 and one_line(err) and "dimensions.base.legitimacy" in err
    assert "finite" in err
    huge = tmp_path / "huge.json"
    huge.write_text('{"format": "negotiation-save", "version": 2, "seed": ' + "9" * 5000 + "}")
    code, _, err = run(capsys, "replay", str(huge), "--headless")
    assert code == 1 and one_line(err) and "a number has too many digits" in err


@pytest.mark.parametrize(
    ("mix", "words"),
    [
        ("all=nope", '--mix all=nope: no strategy "nope"'),
        ("", "--mix '': expected ROLE=STRATEGY"),
        ("narnia=hardliner", 'no role "narnia"'),
        ("alpha=hardliner,alpha=pragmatist", '"alpha" is named twice'),
    ],
)
def test_a_bad_mix_is_told_as_typed(capsys, mix: str, words: str) -> None:
    code, _, err = run(capsys, "simulate", "--scenario", MINI, "--mix", mix)
    assert code == 2 and one_line(err) and words in err


def test_compare_refuses_one_save_given_twice(capsys, tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(SAVE)
    code, _, err = run(capsys, "compare", SAVE, SAVE)
    assert code == 1 and one_line(err) and "given twice" in err
    code, _, err = run(capsys, "compare", SAVE, str(link))
    assert code == 1 and one_line(err) and f"the same save as {SAVE}" in err


def test_join_reads_an_address_given_after_bot(capsys) -> None:
    """``--bot`` takes an optional strategy, so ``--bot ws://...`` would swallow the address:
    it is read as the address, for the role's own strategy."""
    code, _, err = run(capsys, "join", "--code", "ABCD", "--bot", "ws://127.0.0.1:1")
    assert code == 1 and one_line(err) and "ws://127.0.0.1:1: cannot reach the server" in err
    code, _, err = run(capsys, "join")
    assert code == 2 and "give the server's address" in err
