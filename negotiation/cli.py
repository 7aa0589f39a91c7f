"""The command line: the one place that prints and exits.

Exit codes: 0 on success, 1 on bad input (one line on stderr naming the file, the place in it
and what is wrong), 2 on bad usage. Nothing a user types or a file contains produces a
traceback; set ``NEGOTIATION_DEBUG=1`` to see one for an internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from negotiation import DEFAULT_SCENARIO, MAX_ROUNDS, __version__

if TYPE_CHECKING:
    from negotiation.classroom import Team
    from negotiation.scenario import Scenario

# The scenario models pull in pydantic; commands import them when they need them, which keeps
# the launch of the terminal app quick.


class UserError(Exception):
    """Bad input: printed as one line, exit code 1."""


class UsageError(Exception):
    """Bad usage: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _rounds(text: str) -> int:
    value = _positive(text)
    if value > MAX_ROUNDS:
        raise argparse.ArgumentTypeError(f"{text} rounds is too many (at most {MAX_ROUNDS})")
    return value


MAX_GAMES = 1_000_000
"""The most games one simulation plays (about five hours on two cores)."""


def _games(text: str) -> int:
    value = _positive(text)
    if value > MAX_GAMES:
        raise argparse.ArgumentTypeError(f"{text} games is too many (at most {MAX_GAMES:,})")
    return value


def _workers(text: str) -> int:
    value = _positive(text)
    cores = os.cpu_count() or 1
    if value > cores:
        raise argparse.ArgumentTypeError(
            f"{text} workers is more than this machine's {cores} cores"
        )
    return value


def _code(text: str) -> str:
    if not text.strip() or len(text) > 40:
        raise argparse.ArgumentTypeError(f"{text!r} is not a join code (e.g. ABCD-EFGH-JKLM)")
    return text


def _folder(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("name a folder")
    return text


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"seed {text} must be between 0 and 2^63 - 1")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {text} is not between 0 and 65535")
    return value


def _step(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"step {text} cannot be negative")
    return value


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand, or with ``only`` that one (a command line
    that names its command need not build the fifteen others: it saves a few milliseconds of
    every start-up)."""
    parser = _Parser(
        prog="negotiation",
        description=(
            "A negotiation game: a coalition of the willing bargains over a security "
            "guarantee for Ukraine. With no command, opens the game in the terminal."
        ),
    )
    parser.add_argument("--version", action="version", version=f"negotiation {__version__}")
    parser.add_argument(
        "--saves-dir", default="saves", metavar="DIR", help="where saves go (default ./saves)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return cast(argparse.ArgumentParser, _Ignored())
        return sub.add_parser(name, **kwargs)

    p = command("scenarios", help="list the shipped scenarios")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("validate", help="check scenario files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    command("schema", help="print the JSON Schema of the scenario format")

    p = command("simulate", help="play many all-bot games and report statistics")
    p.add_argument("--scenario", default=DEFAULT_SCENARIO, metavar="ID|PATH")
    p.add_argument("--games", type=_games, default=100, metavar="N")
    p.add_argument("--seed", type=_seed, default=0, metavar="S")
    p.add_argument("--rounds", type=_rounds, default=None, metavar="N")
    p.add_argument(
        "--seat",
        action="append",
        default=[],
        metavar="ROLE=bot:STRATEGY",
        help="the strategy for one role (repeatable); others use the scenario's default",
    )
    p.add_argument(
        "--mix",
        action="append",
        default=[],
        metavar="ROLE=STRATEGY,...",
        help="a strategy mix to run (repeatable; all=STRATEGY for every role); one report each",
    )
    p.add_argument(
        "--workers",
        type=_workers,
        default=None,
        metavar="N",
        help="processes to use (default: both cores from 200 games on)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--save-dir", type=_folder, metavar="DIR", help="save every game in DIR")

    p = command("play", help="start a game straight at the table")
    p.add_argument("--scenario", default=DEFAULT_SCENARIO, metavar="ID|PATH")
    p.add_argument(
        "--seat",
        action="append",
        default=[],
        metavar="ROLE=human|bot[:STRATEGY]",
        help="who plays a role (repeatable); roles not named are bots",
    )
    p.add_argument("--seed", type=_seed, default=0, metavar="N")
    p.add_argument("--rounds", type=_rounds, default=None, metavar="N")
    p.add_argument(
        "--facilitator",
        action="store_true",
        help="run the game as a class exercise: F2 at the table opens the facilitator's console "
        "(events, timer, undo, seats, projector); every seat may then be a bot",
    )
    p.add_argument(
        "--team",
        action="append",
        default=[],
        metavar='ROLE="NAME: MEMBER, ..."',
        help="the team of students playing a role (repeatable), shown in the log and the report",
    )
    _saves_dir_option(p)

    p = command("analyze", help="analyse a scenario's deal space, or the deal a game reached")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--scenario", metavar="ID|PATH", help=f"default {DEFAULT_SCENARIO}")
    target.add_argument(
        "--save", metavar="SAVE", help="compare a saved game's deal with the analysis"
    )
    p.add_argument(
        "--pledges",
        choices=["none", "half", "full"],
        default="half",
        help="pledges assumed for a scenario (share of each member's capacity; default half)",
    )
    p.add_argument(
        "--balance",
        action="store_true",
        help="a scenario's balance: seeded bot games of its default mix, the standard mixes "
        "(every coalition seat one strategy) and any --mix, checked against the teaching "
        "targets (agreement 20-80%% in the default mix; over all mixes: credibility spread, "
        "no dominant package; Nash differs from the most credible acceptable deal)",
    )
    p.add_argument(
        "--games",
        type=_games,
        default=None,
        metavar="N",
        help="with --balance: games per mix (default 1000)",
    )
    p.add_argument(
        "--default-only",
        action="store_true",
        help="with --balance: leave out the standard mixes (faster)",
    )
    p.add_argument("--seed", type=_seed, default=None, metavar="S", help="with --balance")
    p.add_argument(
        "--mix",
        action="append",
        default=[],
        metavar="ROLE=STRATEGY,...",
        help="with --balance: another strategy mix to measure (repeatable)",
    )
    p.add_argument("--workers", type=_workers, default=None, metavar="N", help="with --balance")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("report", help="write the debrief of a saved game as Markdown or HTML")
    p.add_argument("save", metavar="SAVE")
    p.add_argument(
        "--format", choices=["md", "html"], default=None, help="default: from -o, else md"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")

    p = command("briefs", help="write printable briefs: public, one per role, facilitator")
    p.add_argument("--scenario", metavar="ID|PATH", help=f"default {DEFAULT_SCENARIO}")
    p.add_argument("--role", metavar="ROLE", help="only this role's private brief (id or name)")
    p.add_argument("--format", choices=["md", "html"], default="html", help="default html")
    p.add_argument("-o", "--output", metavar="DIR", default="briefs", help="default ./briefs")

    p = command(
        "projector", help="the public table, large, for a second screen (follows a game's save)"
    )
    p.add_argument("save", nargs="?", metavar="SAVE", help="default: the newest save")
    _saves_dir_option(p)

    p = command("compare", help="set several groups' games of one scenario side by side")
    p.add_argument("saves", nargs="+", metavar="SAVE")
    p.add_argument(
        "--format", choices=["md", "html", "json"], default=None, help="default: from -o, else md"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")

    p = command("serve", help="run a game server for play over the network")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8750, help="default 8750 (0: any free port)")
    p.add_argument(
        "--db",
        metavar="URL",
        help="sqlite:///PATH or postgresql://... (default: sqlite, server.db in the saves folder)",
    )
    p.add_argument(
        "--web", action="store_true", help="also serve the game to browsers (textual-serve)"
    )
    p.add_argument("--web-port", type=_port, default=8751, help="default 8751")
    _saves_dir_option(p)

    p = command(
        "games", help="list a game server's games and their join codes (on the server's machine)"
    )
    p.add_argument(
        "--db",
        metavar="URL",
        help="the server's database (default: sqlite, server.db in the saves folder)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _saves_dir_option(p)

    p = command("create-game", help="set up a game on a server and print its join codes")
    p.add_argument("--server", required=True, metavar="ws://HOST:PORT")
    p.add_argument("--scenario", default=DEFAULT_SCENARIO, metavar="ID|PATH")
    p.add_argument("--seed", type=_seed, default=None, metavar="S")
    p.add_argument("--rounds", type=_rounds, default=None, metavar="N")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("join", help="take a seat in a game on a server")
    p.add_argument("server", nargs="?", metavar="ws://HOST:PORT")
    p.add_argument("--code", default="", help="the seat's join code (else typed on screen)")
    p.add_argument(
        "--bot",
        nargs="?",
        const="default",
        metavar="STRATEGY",
        help="play the seat with a bot, without a screen (default: the role's own strategy)",
    )

    p = command("export", help="fetch a networked game as an ordinary save file")
    p.add_argument("server", metavar="ws://HOST:PORT")
    p.add_argument("--code", type=_code, required=True, help="the facilitator's code")
    p.add_argument("-o", "--output", required=True, metavar="FILE")

    p = command(
        "new-code",
        help="give a seat of a networked game a new join code (the old one stops working)",
    )
    p.add_argument("server", metavar="ws://HOST:PORT")
    p.add_argument("--code", type=_code, required=True, help="the facilitator's code")
    p.add_argument("seat", metavar="SEAT", help="the role (or facilitator, projector)")

    p = command("replay", help="replay a saved game")
    p.add_argument("save", metavar="SAVE")
    p.add_argument("--headless", action="store_true", help="print instead of opening the viewer")
    p.add_argument("--step", type=_step, metavar="N", help="stop after step N (default: the end)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-log", action="store_true", help="leave the log out")
    _saves_dir_option(p)
    return parser


class _Ignored:
    """Takes the arguments of a subcommand this command line does not run, and drops them."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        pass

    def add_mutually_exclusive_group(self, **kwargs: Any) -> _Ignored:
        return self


def _saves_dir_option(parser: argparse.ArgumentParser) -> None:
    """``--saves-dir`` after a subcommand too (``negotiation play --saves-dir DIR``)."""
    parser.add_argument(
        "--saves-dir", default=argparse.SUPPRESS, metavar="DIR", help="where saves go"
    )


# --- commands ----------------------------------------------------------------------------------


def cmd_scenarios(args: argparse.Namespace) -> int:
    from negotiation.scenario import ScenarioError, builtin_paths, load_scenario

    rows: list[dict[str, Any]] = []
    for path in builtin_paths():
        try:
            spec = load_scenario(path)
        except ScenarioError as exc:
            rows.append({"id": path.stem, "error": str(exc), "path": str(path)})
            continue
        rows.append(
            {
                "id": spec.id,
                "title": spec.title,
                "summary": spec.summary,
                "roles": list(spec.roles),
                "rounds": spec.turns.rounds,
                "path": str(path),
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("No scenarios are installed.")
        return 1
    width = max(len(r["id"]) for r in rows)
    for row in rows:
        if "error" in row:
            print(f"{row['id']:<{width}}  (broken: {row['error']})")
        else:
            print(f"{row['id']:<{width}}  {row['title']} — {row['summary']}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from negotiation.bots import STRATEGIES
    from negotiation.scenario import ScenarioError, load_scenario, scenario_hash

    failed = 0
    results: list[dict[str, Any]] = []
    for file in args.files:
        try:
            spec = load_scenario(file)
            # The bots are not the loader's business, but a scenario that names a strategy
            # the game does not have would fail the moment a game starts.
            for role_id, role in spec.roles.items():
                if role.default_strategy not in STRATEGIES:
                    raise ScenarioError(
                        f"{file}: roles.{role_id}.default_strategy: unknown strategy "
                        f'"{role.default_strategy}" (strategies: {", ".join(STRATEGIES)})'
                    )
        except ScenarioError as exc:
            failed += 1
            results.append({"file": file, "ok": False, "error": str(exc)})
            if not args.json:
                print(f"negotiation: {exc}", file=sys.stderr)
            continue
        results.append({"file": file, "ok": True, "id": spec.id, "hash": scenario_hash(spec)})
        if not args.json:
            print(
                f"{file}: ok — {spec.id}: {len(spec.roles)} roles, {len(spec.issues)} issues, "
                f"{len(spec.rules)} rules, {len(spec.injects)} injects"
            )
    if args.json:
        print(json.dumps(results, indent=2))
    return 1 if failed else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from negotiation.scenario.schema import scenario_schema

    print(json.dumps(scenario_schema(), indent=2))
    return 0


def parse_seats(specs: Sequence[str], scenario: Scenario) -> dict[str, str]:
    """``ROLE=human|bot[:STRATEGY]`` options as role -> seat.

    Raises:
        UsageError: a malformed option, an unknown role or strategy.
    """
    from negotiation.bots import STRATEGIES

    seats: dict[str, str] = {}
    for spec in specs:
        role, seat = _role_option("--seat", spec, "ROLE=human or ROLE=bot[:STRATEGY]", scenario)
        kind, _, strategy = seat.partition(":")
        if kind not in ("human", "bot") or (kind == "human" and strategy):
            raise UsageError(f"--seat {spec}: expected human or bot[:STRATEGY]")
        if kind == "bot" and strategy and strategy not in STRATEGIES:
            known = ", ".join(STRATEGIES)
            raise UsageError(f'--seat {spec}: no strategy "{strategy}" (strategies: {known})')
        seats[role] = seat
    return seats


def _role_option(flag: str, spec: str, form: str, scenario: Scenario) -> tuple[str, str]:
    """``ROLE=VALUE`` as (role, value), the role checked against the scenario.

    Raises:
        UsageError: no ``=``, or no such role.
    """
    role, sep, value = spec.partition("=")
    if not sep:
        raise UsageError(f"{flag} {spec}: expected {form}")
    if role not in scenario.roles:
        known = ", ".join(scenario.roles)
        raise UsageError(f'{flag} {spec}: no role "{role}" in {scenario.id} (roles: {known})')
    return role, value


def parse_teams(specs: Sequence[str], scenario: Scenario) -> dict[str, Team]:
    """``ROLE=NAME: MEMBER, MEMBER`` options as role -> team.

    Raises:
        UsageError: a malformed option or an unknown role.
    """
    from negotiation.classroom import parse_team

    teams: dict[str, Team] = {}
    for spec in specs:
        role, text = _role_option("--team", spec, 'ROLE="NAME: MEMBER, MEMBER"', scenario)
        try:
            teams[role] = parse_team(text)
        except ValueError as exc:
            raise UsageError(f"--team {spec}: {exc}") from None
    return teams


def bot_strategies(scenario: Scenario, seats: dict[str, str]) -> dict[str, str]:
    """The strategy for every role: from ``seats``, else the scenario's default."""
    from negotiation.bots import STRATEGIES

    out: dict[str, str] = {}
    for role_id, role in scenario.roles.items():
        seat = seats.get(role_id, "bot")
        _, _, name = seat.partition(":")
        name = name or role.default_strategy
        if name not in STRATEGIES:
            raise UserError(
                f'{scenario.id}: roles.{role_id}.default_strategy: unknown strategy "{name}" '
                f"(strategies: {', '.join(STRATEGIES)})"
            )
        out[role_id] = name
    return out


def parse_mix(spec: str, scenario: Scenario) -> dict[str, str]:
    """A ``--mix`` option, ``ROLE=STRATEGY,...`` (``all=STRATEGY`` for every role), as seats.

    Raises:
        UsageError: a malformed mix, an unknown role or strategy.
    """
    from negotiation.bots import STRATEGIES

    seats: dict[str, str] = {}
    named: set[str] = set()
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if not parts:
        raise UsageError(f"--mix {spec!r}: expected ROLE=STRATEGY,... or all=STRATEGY")
    for part in parts:
        role, sep, name = part.partition("=")
        if not sep or not name:
            raise UsageError(f"--mix {spec}: expected ROLE=STRATEGY,... or all=STRATEGY")
        if role != "all" and role not in scenario.roles:
            known = ", ".join(scenario.roles)
            raise UsageError(f'--mix {spec}: no role "{role}" in {scenario.id} (roles: {known})')
        if name not in STRATEGIES:
            known = ", ".join(STRATEGIES)
            raise UsageError(f'--mix {spec}: no strategy "{name}" (strategies: {known})')
        if role in named:
            raise UsageError(f'--mix {spec}: "{role}" is named twice')
        named.add(role)
        targets = list(scenario.roles) if role == "all" else [role]
        for target in targets:
            seats[target] = f"bot:{name}"
    return seats


def cmd_simulate(args: argparse.Namespace) -> int:
    from negotiation.bots import strategy
    from negotiation.bots.runner import simulate
    from negotiation.savefile import GameSaver
    from negotiation.scenario import resolve_scenario

    scenario = resolve_scenario(args.scenario)
    seats = parse_seats(args.seat, scenario)
    for role, seat in seats.items():
        if seat == "human":
            raise UsageError(f"--seat {role}=human: simulate plays bots only")
    mixes = [bot_strategies(scenario, {**seats, **parse_mix(m, scenario)}) for m in args.mix]
    mixes = mixes or [bot_strategies(scenario, seats)]
    save_dir = Path(args.save_dir) if args.save_dir else None
    if save_dir is not None:
        try:
            save_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"{save_dir}: cannot create folder: {exc.strerror or exc}") from None
    workers = args.workers or (min(2, os.cpu_count() or 1) if args.games >= 200 else 1)
    progress = sys.stderr.isatty() and not args.json
    summaries = []
    for number, strategies in enumerate(mixes, start=1):
        label = f"mix {number}/{len(mixes)} " if len(mixes) > 1 else ""

        def on_progress(done: int, label: str = label) -> None:
            if progress and (done == args.games or done % max(1, args.games // 100) == 0):
                bar = "█" * int(done / args.games * 30)
                print(f"\r  {label}[{bar:<30}] {done}/{args.games}", end="", file=sys.stderr)

        saver = None
        if save_dir is not None:
            tag = "" if len(mixes) == 1 else f"mix{number}-"
            saver = GameSaver(save_dir, {r: f"bot:{s}" for r, s in strategies.items()}, tag)
        try:
            report = simulate(
                scenario,
                args.games,
                args.seed,
                strategies,
                strategy,
                rounds=args.rounds,
                workers=workers,
                save=saver,
                on_progress=on_progress,
            )
        except OSError as exc:
            raise UserError(f"{save_dir}: cannot write save: {exc.strerror or exc}") from None
        if progress:
            print(file=sys.stderr)
        summaries.append(report.summary())
        if not args.json:
            print_simulation(scenario, args.seed, report.summary())
    if args.json:
        print(json.dumps(summaries[0] if len(summaries) == 1 else {"mixes": summaries}, indent=2))
    return 0


def print_simulation(scenario: Scenario, seed: int, summary: dict[str, Any]) -> None:
    """One strategy mix's statistics, as text."""
    games = summary["games"]
    print(f"{scenario.title}: {games} games, seeds {seed}–{seed + games - 1}")
    print(f"Strategies: {', '.join(f'{r}={s}' for r, s in summary['strategies'].items())}")
    print(f"Agreement rate: {summary['agreement_rate']:.1%}")
    outcomes = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary["outcomes"].items())
    print(f"Outcomes: {outcomes}")
    if summary["credibility_mean"] is not None:
        low, high = summary["credibility_min"], summary["credibility_max"]
        spread = (
            f"sd {summary['credibility_sd']}, range {low}–{high}"
            if summary["credibility_sd"] is not None
            else "one deal"
        )
        print(f"Credibility of adopted deals: mean {summary['credibility_mean']}, {spread}")
        print(f"Stress test hold rate (mean): {summary['stress_hold_rate']}")
    else:
        print("Credibility of adopted deals: no deal was adopted")
    print("Mean satisfaction at the end:")
    for role, value in summary["satisfaction_mean"].items():
        walk = scenario.roles[role].walk_away
        print(f"  {scenario.roles[role].name:<16}{value:6.1f}  (walk-away {walk:g})")
    print()


def cmd_replay(args: argparse.Namespace) -> int:
    from negotiation.files import read_user_file
    from negotiation.report.text import format_state, state_summary
    from negotiation.savefile import MAX_SAVE_BYTES, SaveError, loads, replay_states

    path = Path(args.save)
    if not args.headless:
        from negotiation.savefile import read_save
        from negotiation.tui.app import run

        read_save(path)  # a broken save is one line and exit 1, before the screen opens
        return run(saves_dir=Path(args.saves_dir), replay=path)
    raw = read_user_file(path, "save file", MAX_SAVE_BYTES, SaveError)
    save = loads(raw, str(path))
    if args.step is not None and args.step > len(save.log):
        raise UserError(f"{path}: --step {args.step}: the save has only {len(save.log)} steps")
    state = None
    for state in replay_states(save, str(path)):
        if args.step is not None and state.steps >= args.step:
            break
    assert state is not None
    try:
        if args.json:
            print(json.dumps(state_summary(state, log=not args.no_log), indent=2))
        else:
            print(format_state(state, log=not args.no_log))
    except SaveError:  # pragma: no cover - replay already checked everything
        raise
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from negotiation.analysis.space import AnalysisError
    from negotiation.analysis.summary import (
        analyze_game,
        analyze_scenario,
        format_game_analysis,
        format_scenario_analysis,
    )
    from negotiation.rules import Ruleset
    from negotiation.savefile import read_save
    from negotiation.scenario import resolve_scenario

    if not args.balance and (
        args.games or args.seed is not None or args.mix or args.workers or args.default_only
    ):
        raise UsageError(
            "analyze: --games, --seed, --mix, --workers and --default-only go with --balance"
        )
    if args.balance:
        if args.save:
            raise UsageError("analyze: --balance measures a scenario; give --scenario, not --save")
        return _balance(args)
    try:
        if args.save:
            _, state = read_save(args.save)
            data = analyze_game(state)
            text = format_game_analysis(state, data) if not args.json else ""
        else:
            rules = Ruleset(resolve_scenario(args.scenario or DEFAULT_SCENARIO))
            data = analyze_scenario(rules, args.pledges)
            text = format_scenario_analysis(rules, data) if not args.json else ""
    except AnalysisError as exc:
        raise UserError(str(exc)) from None
    print(json.dumps(data, indent=2) if args.json else text)
    return 0


def _balance(args: argparse.Namespace) -> int:
    from negotiation.analysis.balance import balance_report, format_balance
    from negotiation.analysis.space import AnalysisError
    from negotiation.scenario import resolve_scenario

    scenario = resolve_scenario(args.scenario or DEFAULT_SCENARIO)
    args.games = args.games or 1000
    args.seed = args.seed or 0
    from negotiation.analysis.balance import standard_mixes

    mixes = [bot_strategies(scenario, parse_mix(m, scenario)) for m in args.mix]
    standard = [] if args.default_only else standard_mixes(scenario)
    total = args.games * (1 + len(standard) + len(mixes))
    workers = args.workers or (min(2, os.cpu_count() or 1) if args.games >= 200 else 1)
    progress = sys.stderr.isatty() and not args.json

    def on_progress(done: int) -> None:
        if progress and (done == total or done % max(1, total // 100) == 0):
            bar = "█" * int(done / total * 30)
            print(f"\r  [{bar:<30}] {done}/{total} games", end="", file=sys.stderr)

    try:
        report = balance_report(
            scenario,
            args.games,
            args.seed,
            mixes=mixes,
            standard=not args.default_only,
            workers=workers,
            on_progress=on_progress,
        )
    except AnalysisError as exc:
        raise UserError(str(exc)) from None
    if progress:
        print(file=sys.stderr)
    print(json.dumps(report.as_dict(), indent=2) if args.json else format_balance(report))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from negotiation.files import read_user_file
    from negotiation.report.debrief import build_debrief
    from negotiation.report.html import to_html
    from negotiation.report.markdown import to_markdown
    from negotiation.savefile import MAX_SAVE_BYTES, SaveError, loads

    path = Path(args.save)
    raw = read_user_file(path, "save file", MAX_SAVE_BYTES, SaveError)
    debrief = build_debrief(loads(raw, str(path)), str(path))
    if _output_format(args) == "json":
        raise UsageError("report: --format is md or html")
    _emit(args, to_html(debrief) if _output_format(args) == "html" else to_markdown(debrief))
    return 0


def _output_format(args: argparse.Namespace) -> str:
    """The format asked for, or the one the output file's name implies (Markdown otherwise)."""
    if args.format:
        return str(args.format)
    name = (args.output or "").lower()
    if name.endswith((".html", ".htm")):
        return "html"
    if name.endswith(".json"):
        return "json"
    return "md"


def _emit(args: argparse.Namespace, text: str) -> None:
    """Print a document, or write it (atomically) to ``-o FILE``."""
    from negotiation.files import write_user_file

    if not args.output:
        print(text)
        return
    write_user_file(args.output, text, UserError)
    print(f"Wrote {args.output}", file=sys.stderr)


def cmd_briefs(args: argparse.Namespace) -> int:
    from negotiation.report.briefs import write_briefs
    from negotiation.scenario import resolve_scenario

    scenario = resolve_scenario(args.scenario or DEFAULT_SCENARIO)
    try:
        paths = write_briefs(scenario, Path(args.output), args.format, args.role)
    except OSError as exc:
        raise UserError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for path in paths:
        print(path)
    return 0


def cmd_projector(args: argparse.Namespace) -> int:
    from negotiation.tui.app import run

    saves_dir = Path(args.saves_dir)
    if args.save:
        path = Path(args.save)
    else:
        newest = sorted(saves_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
        if not newest:
            raise UserError(f"{saves_dir}: no saved game to follow; name a SAVE")
        path = newest[-1]
    from negotiation.savefile import read_save

    read_save(path)  # a save that will not open is one line here, not a screen that waits
    return run(saves_dir=saves_dir, projector=path)


def cmd_compare(args: argparse.Namespace) -> int:
    from negotiation.report.compare import compare, load_games, to_html, to_json, to_markdown
    from negotiation.savefile import SaveError

    try:
        comparison = compare(load_games([Path(p) for p in args.saves]))
    except SaveError:
        raise
    except ValueError as exc:
        raise UserError(str(exc)) from None
    fmt = _output_format(args)
    render = {"html": to_html, "json": to_json}.get(fmt, to_markdown)
    _emit(args, render(comparison))
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    from negotiation.tui.app import run

    return run(saves_dir=Path(args.saves_dir))


def cmd_play(args: argparse.Namespace) -> int:
    from negotiation.scenario import resolve_scenario
    from negotiation.tui.app import PlaySettings, run

    scenario = resolve_scenario(args.scenario)
    seats = parse_seats(args.seat, scenario)
    strategies = bot_strategies(scenario, {r: s for r, s in seats.items() if s != "human"})
    full = {r: seats.get(r) or f"bot:{strategies[r]}" for r in scenario.roles}
    full = {r: (s if s != "bot" else f"bot:{strategies[r]}") for r, s in full.items()}
    if "human" not in full.values() and not args.facilitator:
        raise UsageError(
            "play: no human seat; add --seat ROLE=human (or use simulate for bots only)"
        )
    teams = parse_teams(args.team, scenario)
    settings = PlaySettings(
        scenario,
        full,
        seed=args.seed,
        rounds=args.rounds,
        facilitator=args.facilitator,
        teams=teams,
    )
    return run(saves_dir=Path(args.saves_dir), play=settings)


def cmd_games(args: argparse.Namespace) -> int:
    """The games a server keeps, with their codes: for a facilitator who lost them."""
    from negotiation.net.store import StoreError, open_store

    url = args.db or f"sqlite:///{Path(args.saves_dir) / 'server.db'}"
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise UserError(f"{url}: no such database (give the server's --db)")
    try:
        store = open_store(url)
        listing = []
        for game_id in store.game_ids():
            record, steps = store.load(game_id)
            scenario = json.loads(record.scenario)
            listing.append(
                {
                    "game": game_id,
                    "scenario": scenario.get("id", "?"),
                    "title": scenario.get("title", ""),
                    "created": record.created,
                    "moves": len(steps),
                    "codes": store.codes_of(game_id),
                }
            )
        store.close()
    except StoreError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print(json.dumps(listing, indent=2))
        return 0
    if not listing:
        print(f"no games in {url}")
    for game in listing:
        print(
            f"game {game['game']}  {game['title']} ({game['scenario']})  "
            f"created {game['created']}  {game['moves']} moves"
        )
        for seat, code in sorted(game["codes"].items()):
            print(f"  {seat:<14} {code}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from negotiation.net.server import run_server
    from negotiation.net.store import StoreError, open_store

    url = args.db or f"sqlite:///{Path(args.saves_dir) / 'server.db'}"
    try:
        store = open_store(url)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("websockets").setLevel(logging.WARNING)

    def ready(address: str, web: str | None) -> None:
        print(f"negotiation server on {address}, games in {store.url}", flush=True)
        if web is not None:
            print(f"browser seats on {web}", flush=True)
        if args.host == "127.0.0.1":
            print("(this machine only: --host 0.0.0.0 opens it to the classroom network)")

    from negotiation.net.web import WebUnavailable

    try:
        asyncio.run(
            run_server(
                store,
                args.host,
                args.port,
                web_port=args.web_port if args.web else None,
                ready=ready,
            )
        )
    except WebUnavailable as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host} ({exc.strerror or exc})") from None
    except KeyboardInterrupt:
        print("server stopped; every game is kept in the database")
    return 0


def cmd_create_game(args: argparse.Namespace) -> int:
    import asyncio

    from negotiation.net.client import ClientError, create_game
    from negotiation.scenario import resolve_scenario

    scenario = resolve_scenario(args.scenario)
    try:
        created = asyncio.run(
            create_game(
                args.server,
                scenario.model_dump(mode="json"),
                seed=args.seed,
                rounds=args.rounds,
            )
        )
    except ClientError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print(json.dumps({"game": created.game, "codes": created.codes}, indent=2))
        return 0
    print(f"game {created.game} on {args.server}: {scenario.title}")
    width = max(len(seat) for seat in created.codes)
    for seat, code in created.codes.items():
        name = scenario.roles[seat].name if seat in scenario.roles else seat
        print(f"  {name:<{max(width, 16)}} {code}")
    print(f"join a seat: negotiation join {args.server} --code CODE")
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    import asyncio

    from negotiation.bots import STRATEGIES, strategy
    from negotiation.net.client import ClientError, SeatConnection, run_bot

    if args.server is None and args.bot and args.bot.startswith(("ws://", "wss://")):
        args.server, args.bot = args.bot, "default"  # "--bot ws://..." : the address, read on
    if args.server is None:
        raise UsageError("join: give the server's address, ws://HOST:PORT")
    if args.bot is None:
        from negotiation.net.client import ClientError, check_seat
        from negotiation.tui.app import JoinSettings, run

        # A wrong code or a server that is not there is one line before any screen opens.
        try:
            asyncio.run(check_seat(args.server, args.code))
        except ClientError as exc:
            raise UserError(str(exc)) from None
        return run(saves_dir=Path(args.saves_dir), join=JoinSettings(args.server, args.code))
    if not args.code:
        raise UsageError("join: --bot needs the seat's --code")
    if args.bot != "default" and args.bot not in STRATEGIES:
        raise UsageError(
            f"join: --bot {args.bot}: unknown strategy (known: {', '.join(sorted(STRATEGIES))})"
        )

    async def play() -> str:
        name = args.bot
        if name == "default":
            probe = SeatConnection(args.server, args.code)
            await probe.join()
            await probe.close()
            assert probe.mirror is not None
            own = probe.mirror.role
            if own is None:
                raise ClientError(
                    f"the code is the {probe.seat}'s; a bot plays a delegation's seat"
                )
            name = probe.mirror.rules.scenario.roles[own].default_strategy
        mirror = await run_bot(
            args.server, args.code, strategy(name), on_event=lambda t: print(t, file=sys.stderr)
        )
        state = mirror.state
        return (
            f"{mirror.seat}: the game ended ({state.status.value}), "
            f"credibility {state.scorecard().total:.1f}"
        )

    try:
        print(asyncio.run(play()))
    except ClientError as exc:
        raise UserError(str(exc)) from None
    return 0


def cmd_new_code(args: argparse.Namespace) -> int:
    import asyncio

    from negotiation.net.client import ClientError, replace_code

    try:
        code = asyncio.run(replace_code(args.server, args.code, args.seat))
    except ClientError as exc:
        raise UserError(str(exc)) from None
    print(f"{args.seat}: {code}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import asyncio

    from negotiation.files import write_user_file
    from negotiation.net.client import ClientError, export_game
    from negotiation.savefile import dumps, loads, replay

    try:
        data = asyncio.run(export_game(args.server, args.code))
    except ClientError as exc:
        raise UserError(str(exc)) from None
    save = loads(json.dumps(data), f"{args.server}: export")
    state = replay(save, f"{args.server}: export")
    write_user_file(args.output, dumps(save), UserError)
    print(f"{args.output}: {len(save.log)} moves, round {state.round}, {state.status.value}")
    return 0


COMMANDS = {
    "scenarios": cmd_scenarios,
    "validate": cmd_validate,
    "schema": cmd_schema,
    "simulate": cmd_simulate,
    "replay": cmd_replay,
    "play": cmd_play,
    "analyze": cmd_analyze,
    "report": cmd_report,
    "compare": cmd_compare,
    "briefs": cmd_briefs,
    "projector": cmd_projector,
    "serve": cmd_serve,
    "create-game": cmd_create_game,
    "games": cmd_games,
    "join": cmd_join,
    "export": cmd_export,
    "new-code": cmd_new_code,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser(_command_of(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return cmd_tui(args)
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"negotiation: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        # ScenarioError and SaveError are ValueErrors with one-line messages for the user.
        from negotiation.savefile import SaveError
        from negotiation.scenario import ScenarioError

        if not isinstance(exc, ScenarioError | SaveError):
            return _internal_error(exc)
        print(f"negotiation: {exc}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"negotiation: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("negotiation: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last line of defence: never a traceback for a user
        return _internal_error(exc)


SHORT_LIVED = frozenset(
    {"scenarios", "validate", "schema", "replay", "analyze", "report", "compare", "briefs"}
    | {"create-game", "games", "export", "new-code"}
)
"""Commands that do one piece of work and end (``replay`` only with ``--headless``,
``analyze`` not with ``--balance``, which plays thousands of games)."""


def _command_of(argv: Sequence[str]) -> str | None:
    """The command a command line names, if it names a known one before any option but
    ``--saves-dir`` (``negotiation --help replay`` asks for the whole program's help)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token == "--saves-dir":
            skip = True  # its value follows
        elif token.startswith("--saves-dir="):
            continue
        elif token.startswith("-"):
            return None
        else:
            return token if token in COMMANDS else None
    return None


def _short_lived(argv: Sequence[str]) -> bool:
    """True if the command line runs a short-lived command (see :data:`SHORT_LIVED`)."""
    command = _command_of(argv)
    if command not in SHORT_LIVED:
        return False
    if command == "replay":
        return "--headless" in argv
    return not (command == "analyze" and "--balance" in argv)


def entry() -> NoReturn:
    """The ``negotiation`` command.

    A short-lived command runs without the cyclic garbage collector and leaves without
    tearing the interpreter down: the models, schemas and compiled rules make tens of
    thousands of objects, and collecting them during start-up and freeing them one by one at
    exit took about a third of opening and replaying a saved game. The process ends as soon
    as its output is flushed; files it wrote are closed by then (every command writes them in
    ``with`` blocks). The game itself, the server and long simulations exit as usual.
    """
    argv = sys.argv[1:]
    if not _short_lived(argv):
        sys.exit(main())
    gc.disable()
    try:
        code: int = main()
    except SystemExit as exc:  # argparse: --help, --version, a usage error
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # the reader went away: nothing more can be said
            stream.flush()
    os._exit(code)


def _internal_error(exc: Exception) -> int:
    if os.environ.get("NEGOTIATION_DEBUG"):
        raise exc
    print(
        f"negotiation: internal error: {type(exc).__name__}: {exc} "
        "(set NEGOTIATION_DEBUG=1 for details)",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
