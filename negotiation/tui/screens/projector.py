"""The projector view: the table for the wall of a classroom, read-only.

It follows a game's autosave (run it in a second terminal beside the facilitator's console)
and shows what the facilitator puts on it through the save's classroom settings: the table, or
a page of the class debrief, with the round timer in large digits above either.

What it may show is decided here, line by line:

- **The table, reveal off** (the default): only what every delegation may see — the deal on
  the table, the credibility gauge, the public log and the latest public event, with the team
  playing each role. No satisfaction or walk-away value, no private event, no message, no
  private brief.
- **The table, reveal on** (the facilitator's choice, e.g. once the talks are over): also each
  role's satisfaction against its walk-away value, and private events and private log lines
  (messages among them), each marked private with who saw it.
- **The class debrief** (:mod:`negotiation.report.classdebrief`): every role's satisfaction and
  which red lines were bluffs, by design; never a message.

The facilitator's notes never appear on the projector, whatever the settings.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Digits, Footer, Static

from negotiation.classroom import Classroom, clock
from negotiation.engine import FACILITATOR, GameState, LogEntry, inject_of, outcome
from negotiation.report.classdebrief import Line, Page, class_debrief_pages, page_at
from negotiation.report.debrief import Debrief, debrief_of, is_note
from negotiation.savefile import SaveError, SaveFile, loads, replay_states
from negotiation.tui.markup import escape
from negotiation.tui.widgets.gauge import bar, tone

GameKey = tuple[str, int, int, str, int, str]
"""What tells one game position from another without replaying it: the scenario's hash, seed,
rounds, opening fingerprint, number of steps and the hash of the last state."""


def game_key(save: SaveFile) -> GameKey:
    """The key of the position a save holds (the same moves give the same key)."""
    last = save.log[-1].hash if save.log else ""
    return (save.scenario_hash, save.seed, save.rounds, save.start, len(save.log), last)


def shown(entry: LogEntry, reveal: bool) -> bool:
    """True if a log line may go on the projector: a public one, or (when the facilitator
    reveals) a private one. Never a facilitator's note."""
    if is_note(entry):
        return False
    return not entry.visible_to or reveal


def latest_event(state: GameState, reveal: bool = False) -> tuple[str, str, tuple[str, ...]] | None:
    """The latest event the projector may show, as (title, text, roles told: empty for all).

    Events the facilitator wrote on the spot count as well as those from the deck.
    """
    for entry in reversed(state.log):
        if entry.event is not None and shown(entry, reveal):
            inject = inject_of(state, entry.event)
            if inject is not None:
                return inject.title, inject.text, entry.visible_to
    return None


def meter(value: float, mark: float | None, width: int) -> str:
    """A bar of ``value`` out of 100 as markup, with a tick at ``mark`` (a walk-away value):
    green at or above the mark, red below it, coloured by the score's tone without one."""
    cells = bar(value, width)
    colour = tone(value) if mark is None else ("$success" if value >= mark else "$error")

    def part(start: int, end: int) -> str:
        filled = cells[start:end].rstrip(" ")
        track = "·" * (end - start - len(filled))
        return (f"[{colour}]{filled}[/]" if filled else "") + (
            f"[dim]{track}[/dim]" if track else ""
        )

    if mark is None:
        return part(0, width)
    at = min(width - 1, max(0, int(mark / 100 * width)))
    return f"{part(0, at)}[b $foreground]┃[/]{part(at + 1, width)}"


def page_markup(page: Page, width: int = 40) -> str:
    """A class debrief page as Textual markup (its text escaped)."""
    out: list[str] = []
    for line in page.lines:
        out.extend(_line_markup(line, width, first=not out))
    return "\n".join(out)


def _line_markup(line: Line, width: int, *, first: bool) -> list[str]:
    text = escape(line.text)
    if line.kind == "heading":
        return [*([] if first else [""]), f"[b $accent]{escape(line.text.upper())}[/]"]
    styled = {
        "good": f"[$success]{text}[/]",
        "bad": f"[b $error]{text}[/]",
        "muted": f"[dim]{text}[/]",
    }.get(line.kind, text)
    if line.bullet:
        styled = f"  • {styled}"
    if line.meter is None:
        return [styled]
    value, mark = line.meter
    if mark is None:
        return [f"{styled}  {meter(value, None, width)}"]
    return [styled, meter(value, mark, width)]


class ProjectorScreen(Screen[None]):
    """The table or the class debrief, large, following a save file as it changes."""

    DEFAULT_CSS = """
    ProjectorScreen { background: $background; }
    ProjectorScreen #top { height: 3; background: $primary; }
    ProjectorScreen #headline { width: 1fr; height: 3; content-align: center middle;
                                text-align: center; text-style: bold; color: $text; }
    ProjectorScreen #timer { width: auto; height: 3; }
    ProjectorScreen #timer-label { width: auto; height: 3; padding: 0 1;
                                   content-align: center middle; text-style: bold; }
    ProjectorScreen #clock { width: auto; padding: 0 2 0 0; color: $text; text-style: bold; }
    ProjectorScreen #timer.ending #clock { color: $warning; }
    ProjectorScreen #timer.paused #timer-label { background: $warning; color: $background; }
    ProjectorScreen #timer.expired { background: $error; }
    ProjectorScreen #timer.expired #timer-label { background: $error; color: white; }
    ProjectorScreen #timer.expired #clock { color: white; }
    ProjectorScreen #table-view { height: 1fr; }
    ProjectorScreen #body { height: 1fr; }
    ProjectorScreen #main { width: 1fr; padding: 1 2; }
    ProjectorScreen #standings { margin-top: 1; }
    ProjectorScreen #side { width: 46; padding: 0 2; }
    ProjectorScreen.-short #public-log { height: 5; }
    ProjectorScreen #credibility { width: auto; color: $accent; text-style: bold; }
    ProjectorScreen #dims { height: auto; }
    ProjectorScreen #event { height: auto; border: heavy $warning; padding: 0 1; margin-top: 1; }
    ProjectorScreen #event.private { border: heavy $error; }
    ProjectorScreen #public-log {
        height: 9; color: $text-muted; padding: 0 2; border-top: solid $primary;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    ProjectorScreen #debrief-view { height: 1fr; padding: 1 4; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="projector.close"),
    ]

    SIDE_WIDTH = 46
    """Width of the credibility column beside the deal."""

    class DebriefReady(Message):
        """The debrief of a game position has been worked out (off the UI thread)."""

        def __init__(self, key: GameKey, debrief: Debrief | None, problem: str = "") -> None:
            super().__init__()
            self.key = key
            self.debrief = debrief
            self.problem = problem

    def __init__(
        self, path: Path, *, poll_seconds: float = 1.0, tick_seconds: float = 0.25
    ) -> None:
        super().__init__()
        self.path = path
        self.poll_seconds = poll_seconds
        self.tick_seconds = tick_seconds
        self.save: SaveFile | None = None
        self.states: list[GameState] = []
        self.state: GameState | None = None
        self.classroom = Classroom()
        self.key: GameKey | None = None
        self.seen: tuple[int, int, int] | None = None
        self.problem = ""
        self.debrief: Debrief | None = None
        self.debrief_key: GameKey | None = None
        self.debrief_asked: GameKey | None = None
        self.page_shown: tuple[GameKey, int] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static(id="headline")
            with Horizontal(id="timer"):
                yield Static(id="timer-label")
                yield Digits("", id="clock")
        with Vertical(id="table-view"):
            with Horizontal(id="body"):
                with Vertical(id="main"):
                    yield Static(id="deal")
                    yield Static(id="standings")
                with Vertical(id="side"):
                    yield Static("CREDIBILITY", id="cred-label")
                    yield Digits("--.-", id="credibility")
                    yield Static(id="dims")
                    yield Static(id="event")
            yield Static(id="public-log")
        with VerticalScroll(id="debrief-view"):
            yield Static(id="debrief-page")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#timer").display = False
        self.query_one("#debrief-view").display = False
        self.set_class(self.size.height < 34, "-short")
        self.poll()
        self.set_interval(self.poll_seconds, self.poll)
        self.set_interval(self.tick_seconds, self.tick)

    # --- following the save -------------------------------------------------------------------

    def poll(self) -> None:
        """Reload the save if it changed since the last look (the game moved, or the facilitator
        changed what the projector shows)."""
        try:
            stat = self.path.stat()
        except OSError as exc:
            self.show_problem(f"Waiting for {self.path}: {exc.strerror or exc}")
            return
        # An autosave replaces the file (a new inode), so even a same-size rewrite within one
        # tick of the file system's clock is seen.
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp == self.seen:
            return
        self.seen = stamp
        source = str(self.path)
        try:
            save = loads(self.path.read_bytes(), source)
            key = game_key(save)
            # Only the classroom settings changed (a timer started, a debrief page turned):
            # the game need not be replayed.
            states = self.states if key == self.key else list(replay_states(save, source))
        except (SaveError, OSError) as exc:
            # A save half-way through being replaced, or broken: keep showing the last good one.
            self.show_problem(str(exc))
            return
        self.save, self.states, self.key = save, states, key
        self.state = states[-1]
        self.classroom = save.classroom
        self.problem = ""
        self.show()

    def on_resize(self, event: events.Resize) -> None:
        # A small terminal keeps a shorter log, and the deal takes two lines an issue when
        # its column is narrow.
        self.set_class(event.size.height < 34, "-short")
        self.show()

    def show_problem(self, text: str) -> None:
        self.problem = text
        if self.state is None:
            self.query_one("#headline", Static).update(escape(text))

    def show(self) -> None:
        """Lay out what the classroom settings ask for."""
        if self.state is None:
            return
        debrief_mode = self.classroom.projector == "debrief"
        self.query_one("#table-view").display = not debrief_mode
        self.query_one("#debrief-view").display = debrief_mode
        if debrief_mode:
            self.show_debrief()
        else:
            self.show_table()
        self.tick()

    # --- the timer ----------------------------------------------------------------------------

    def now(self) -> float:
        """The wall clock, in UNIX seconds: the one place the projector reads it."""
        return time.time()

    def tick(self) -> None:
        """Show the round timer as it stands now: counting, PAUSED, or TIME when it is up."""
        timer = self.classroom.timer
        box = self.query_one("#timer", Horizontal)
        box.display = timer is not None
        if timer is None:
            return
        now = self.now()
        left = timer.left(now)
        expired = timer.expired(now)
        paused = not timer.running and not expired
        label = "TIME" if expired else ("PAUSED" if paused else "TIME LEFT")
        box.set_class(expired, "expired")
        box.set_class(paused, "paused")
        box.set_class(timer.running and not expired and left <= 60, "ending")
        self.query_one("#timer-label", Static).update(label)
        digits = self.query_one("#clock", Digits)
        text = clock(left)
        if digits.value != text:
            digits.update(text)

    # --- the table ----------------------------------------------------------------------------

    def team_of(self, role: str) -> str:
        """The name of the team playing ``role``, or ""."""
        team = self.classroom.teams.get(role)
        return team.name if team else ""

    def show_table(self) -> None:
        state = self.state
        assert state is not None
        spec = state.scenario
        reveal = self.classroom.reveal
        if state.over:
            where = f"Over — {state.status.value.replace('_', ' ')}"
        else:
            turn = ""
            if state.turn:
                team = self.team_of(state.turn)
                turn = spec.roles[state.turn].name + (f" ({team})" if team else "")
            where = f"{state.phase.label} · {turn} to move"
        self.query_one("#headline", Static).update(
            f"{escape(spec.title)}\nRound {state.round} of {state.max_rounds} · {escape(where)}"
        )
        self.query_one("#deal", Static).update(self.deal_markup(state))
        standings = self.query_one("#standings", Static)
        standings.display = reveal
        if reveal:
            standings.update(self.standings_markup(state))
        card = state.scorecard()
        self.query_one("#credibility", Digits).update(f"{card.total:.1f}")
        self.query_one("#dims", Static).update(
            "\n".join(
                f"{dim.title():<15}{meter(value, None, 20)} {value:5.1f}"
                for dim, value in card.dimensions.items()
            )
        )
        event = latest_event(state, reveal)
        box = self.query_one("#event", Static)
        box.display = event is not None
        if event is not None:
            title, text, told = event
            box.set_class(bool(told), "private")
            head = f"[b]LATEST EVENT: {escape(title)}[/b]"
            if told:
                head = f"[b $error]PRIVATE[/] {self.private_to(told)}\n{head}"
            box.update(f"{head}\n{escape(' '.join(text.split()))}")
        # The newest lines, as many as the log's height holds.
        rows = 4 if self.has_class("-short") else 8
        lines = [e for e in state.log if shown(e, reveal)][-rows:]
        self.query_one("#public-log", Static).update("\n".join(self.log_markup(e) for e in lines))

    def deal_markup(self, state: GameState) -> str:
        spec = state.scenario
        width = max(len(issue.label) for issue in spec.issues.values())
        longest = max(
            len(o.label) for issue in spec.issues.values() for o in issue.options.values()
        )
        # An issue a line where the column is wide enough, else the option under its issue.
        room = self.size.width - self.SIDE_WIDTH - 4
        one_line = width + 2 + longest <= room
        lines = ["[b]THE DEAL ON THE TABLE[/b]", ""]
        for issue_id, issue in spec.issues.items():
            option = issue.options[state.package[issue_id]]
            if one_line:
                pad = " " * (width - len(issue.label))
                lines.append(
                    f"[dim]{escape(issue.label)}[/dim]{pad}  [b]{escape(option.label)}[/b]"
                )
            else:
                lines += [f"[dim]{escape(issue.label)}[/dim]", f"  [b]{escape(option.label)}[/b]"]
        if state.pledges:
            lines += ["", "[b]PLEDGES[/b]"]
            for role_id, own in state.pledges.items():
                parts = ", ".join(f"{u} {spec.pledge_kinds[k].unit}" for k, u in own.items())
                lines.append(f"{escape(spec.roles[role_id].name)}: {escape(parts)}")
        stances = [
            f"{escape(spec.roles[r].short)} {'✓' if s == 'support' else '✗'}"
            for r, s in state.stances.items()
        ]
        if stances:
            lines += ["", "Stances: " + "  ".join(stances)]
        teams = [(r, self.classroom.team_label(r)) for r in spec.roles]
        teams = [(r, label) for r, label in teams if label]
        if teams and not self.classroom.reveal:
            # With reveal on, the standings below name the teams instead.
            lines += ["", "[b]DELEGATIONS[/b]"]
            lines += [f"{escape(spec.roles[r].name)} — {escape(label)}" for r, label in teams]
        return "\n".join(lines)

    def standings_markup(self, state: GameState) -> str:
        """Each role's satisfaction against its walk-away value (shown only with reveal on)."""
        spec = state.scenario
        result = outcome(state)
        names = {}
        for role_id, role in spec.roles.items():
            team = self.team_of(role_id)
            names[role_id] = role.name + (f" · {team}" if team else "")
        # One line a role, in the deal's column: names and bars give way on a narrow screen.
        room = self.size.width - self.SIDE_WIDTH - 4
        width = min(max(len(n) for n in names.values()), 30, max(10, room // 2))
        cells = max(6, min(20, room - width - 14))
        lines = ["[b $error]PRIVATE[/] [b]SATISFACTION AGAINST WALK-AWAY[/b]"]
        for role_id, name in names.items():
            value, walk = result.satisfactions[role_id], result.walk_aways[role_id]
            cut = name if len(name) <= width else name[: width - 1] + "…"
            lines.append(
                f"{escape(cut)}{' ' * (width - len(cut))} {meter(value, walk, cells)} "
                f"{value:5.1f} / {walk:.0f}"
            )
        return "\n".join(lines)

    def private_to(self, told: Sequence[str]) -> str:
        spec = self.state.scenario if self.state else None
        names = [
            spec.roles[r].name if spec and r in spec.roles else r.capitalize()
            for r in told
            if r != FACILITATOR
        ]
        return escape(f"(seen by {', '.join(names)})")

    def log_markup(self, entry: LogEntry) -> str:
        team = self.team_of(entry.actor)
        tag = f"[b]{escape(team)}[/b] · " if team else ""
        private = (
            f"[b $error]PRIVATE[/] {self.private_to(entry.visible_to)} " if entry.visible_to else ""
        )
        # One line an entry: an event's text can run over several.
        return f"R{entry.round}  {private}{tag}{escape(' '.join(entry.text.split()))}"

    # --- the class debrief --------------------------------------------------------------------

    def show_debrief(self) -> None:
        state, save, key = self.state, self.save, self.key
        assert state is not None and save is not None and key is not None
        spec = state.scenario
        view = self.query_one("#debrief-page", Static)
        named = save.name and save.name != spec.title
        under = escape(spec.title + (f" · {save.name}" if named else ""))
        if self.debrief is None or self.debrief_key != key:
            self.query_one("#headline", Static).update(f"Debrief — preparing the pages…\n{under}")
            view.update("[dim]Working out the debrief…[/dim]")
            if self.debrief_asked != key:
                self.debrief_asked = key
                self.work_out_debrief(key, self.states, save.name, dict(save.seats))
            return
        pages = class_debrief_pages(self.debrief, spec, self.classroom)
        index, page = page_at(pages, self.classroom.debrief_page)
        self.query_one("#headline", Static).update(
            f"Debrief — page {index + 1} of {len(pages)}: {escape(page.title)}\n{under}"
        )
        view.update(page_markup(page))
        scroller = self.query_one("#debrief-view", VerticalScroll)
        if not scroller.has_focus:
            # So the arrow keys scroll a page too long for the screen. (After the refresh:
            # focusing in the same frame as the update kept the page at its old height.)
            self.call_after_refresh(scroller.focus)
        if (key, index) != self.page_shown:
            self.page_shown = (key, index)
            scroller.scroll_home(animate=False)

    @work(thread=True, exclusive=True, group="projector-debrief")
    def work_out_debrief(
        self, key: GameKey, states: list[GameState], name: str, seats: dict[str, str]
    ) -> None:
        """Work out a position's debrief off the UI thread (its analysis takes a moment), once
        per position: turning a page or starting the timer does not ask again."""
        try:
            debrief = debrief_of(states, name, seats=seats)
        except ValueError as exc:
            self.post_message(self.DebriefReady(key, None, str(exc)))
            return
        self.post_message(self.DebriefReady(key, debrief))

    def on_projector_screen_debrief_ready(self, message: DebriefReady) -> None:
        if message.key != self.key:
            return  # the game moved on meanwhile (show() asks again for the new position)
        if message.debrief is None:
            self.query_one("#debrief-page", Static).update(escape(message.problem))
            return
        self.debrief, self.debrief_key = message.debrief, message.key
        self.show()

    def action_close(self) -> None:
        self.app.exit(0)
