"""The facilitator's console: the whole game at a glance, and the levers of the exercise.

The console sees everything: every delegation's satisfaction against its walk-away value, the
private events and messages, the seats and teams. From it the facilitator plays an event from
the deck or writes one on the spot, runs the round timer that every seat and the projector
see, ends a round, swaps a seat between a student and a bot, takes a move back (the log keeps
it, followed by the undo), writes notes for the debrief, and decides what the projector shows:
the table, private information too, or the class debrief page by page.

It opens over the table (key ``f2``) and closes back to it; bots wait while it is open.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape as rich_escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Digits,
    Footer,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
)

from negotiation.classroom import RoundTimer, clock
from negotiation.engine import (
    FACILITATOR,
    Action,
    Advance,
    Annotate,
    CustomInject,
    IllegalAction,
    InjectAction,
    Phase,
    RoleView,
    Undo,
    custom_events_played,
    effective_actions,
    validate,
)
from negotiation.files import plain_text
from negotiation.scenario.model import DIMENSIONS
from negotiation.tui.markup import escape
from negotiation.tui.screens.dialogs import ChoiceDialog, Confirm, Dialog, TextDialog
from negotiation.tui.session import HUMAN, seat_label
from negotiation.tui.widgets.gauge import bar, tone
from negotiation.tui.widgets.log import WrappingLog

if TYPE_CHECKING:
    from negotiation.tui.session import GameSession


def parse_minutes(text: str) -> float | None:
    """Seconds from "10", "7.5" or "7:30" (minutes, or minutes:seconds); None if unreadable."""
    text = text.strip()
    try:
        if ":" in text:
            minutes, _, seconds = text.partition(":")
            value = float(int(minutes or "0") * 60 + int(seconds or "0"))
        else:
            value = float(text) * 60
    except ValueError:
        return None
    return value if 0 < value <= 3 * 3600 else None


def timer_face(timer: RoundTimer | None, now: float) -> tuple[str, str]:
    """(clock, state) of the round timer: ("07:32", "running"), ("TIME", "expired")..."""
    if timer is None:
        return "--:--", "not set"
    if timer.expired(now):
        return "00:00", "time is up"
    return clock(timer.left(now)), "running" if timer.running else "paused"


class WriteEventDialog(Dialog):
    """Write an event on the spot: headline, text, who is told, and its effects."""

    DEFAULT_CSS = """
    WriteEventDialog > Vertical { width: 90; }
    WriteEventDialog SelectionList { height: 8; width: 34; }
    WriteEventDialog #effects { height: 8; }
    WriteEventDialog #dims { width: 1fr; height: 8; }
    WriteEventDialog .dim { height: 1; }
    WriteEventDialog .dim Label { width: 16; }
    WriteEventDialog .dim Input { width: 10; height: 1; border: none; }
    WriteEventDialog .walk { height: auto; }
    WriteEventDialog .walk Label { padding: 1 1 0 0; }
    WriteEventDialog .walk Select { width: 24; }
    WriteEventDialog .walk Input { width: 10; }
    WriteEventDialog #error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Play the event"),
    ]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        spec = self.session.state.scenario
        limits = spec.facilitator
        left = limits.custom_events - custom_events_played(self.session.state)
        with Vertical():
            yield Label("Write an event", classes="title")
            yield Input(
                placeholder="Headline, e.g. Drone strikes a rail hub", id="title", max_length=80
            )
            yield Input(
                placeholder="What happened, as the delegations hear it", id="text", max_length=1000
            )
            with Horizontal(id="effects"):
                yield SelectionList[str](
                    *[(role.name, role_id) for role_id, role in spec.roles.items()],
                    id="told",
                )
                with Vertical(id="dims"):
                    yield Static(f"Effects on credibility (±{limits.max_effect:g} at most each)")
                    for dim in DIMENSIONS:
                        with Horizontal(classes="dim"):
                            yield Label(dim.title())
                            yield Input("0", id=f"dim-{dim}", type="number", max_length=6)
            with Horizontal(classes="walk"):
                yield Label(f"Walk-away change (±{limits.max_walk_away:g} at most)")
                yield Select(
                    [(role.name, role_id) for role_id, role in spec.roles.items()],
                    prompt="Whose…",
                    id="walk-role",
                )
                yield Input("0", id="walk-points", type="number", max_length=6)
            yield Static(
                "Tick the delegations told of it (none ticked: everyone). "
                f"{left} written event(s) left in this game. Ctrl+S plays it, Esc cancels."
            )
            yield Static(id="error")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def on_input_submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        title = plain_text(self.query_one("#title", Input).value).strip()
        text = plain_text(self.query_one("#text", Input).value).strip()
        told = tuple(self.query_one("#told", SelectionList).selected)
        effects: dict[str, float] = {}
        for dim in DIMENSIONS:
            raw = self.query_one(f"#dim-{dim}", Input).value.strip() or "0"
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                self.show_error(f"{dim.title()}: {raw!r} is not a number.")
                return
            if value:
                effects[dim] = value
        walk_away: dict[str, float] = {}
        raw = self.query_one("#walk-points", Input).value.strip() or "0"
        try:
            points = float(raw)
        except ValueError:
            points = math.nan
        if not math.isfinite(points):
            self.show_error(f"Walk-away: {raw!r} is not a number.")
            return
        whose = self.query_one("#walk-role", Select).value
        if points and not isinstance(whose, str):
            self.show_error("Choose whose walk-away value moves, or leave it at 0.")
            return
        if points and isinstance(whose, str):
            walk_away[whose] = points
        if not title or not text:
            self.show_error("Write a headline and what happened.")
            return
        action = CustomInject(
            role=FACILITATOR,
            title=title,
            text=text,
            visible_to=told,
            effects=effects,
            walk_away=walk_away,
        )
        try:
            validate(self.session.state, action)
        except IllegalAction as exc:
            self.show_error(str(exc))
            return
        self.dismiss(action)

    def show_error(self, text: str) -> None:
        self.query_one("#error", Static).update(escape(text))


class FacilitatorScreen(Screen[None]):
    """The facilitator's console, over the table."""

    DEFAULT_CSS = """
    FacilitatorScreen #status { height: 1; background: $warning; color: $text; padding: 0 1; }
    FacilitatorScreen #main { height: 1fr; }
    FacilitatorScreen #left { width: 1fr; padding: 0 1; }
    FacilitatorScreen #right { width: 44; border-left: solid $warning; padding: 0 1; }
    FacilitatorScreen #timer-label { margin-top: 1; text-style: bold; }
    FacilitatorScreen Digits { width: auto; }
    FacilitatorScreen .-expired Digits { color: $error; }
    FacilitatorScreen #log { height: 12; border-top: solid $warning; background: $surface 0%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "inject", "Event from deck", id="console.inject"),
        Binding("w", "write", "Write event", id="console.write"),
        Binding("t", "set_timer", "Set timer", id="console.timer"),
        Binding("space", "start_pause", "Start/pause", id="console.start_pause"),
        Binding("plus,equals_sign", "extend(60)", "+1 min", id="console.extend"),
        Binding("a", "advance", "End round", id="console.advance"),
        Binding("u", "undo", "Undo", id="console.undo"),
        Binding("s", "swap", "Swap seat", id="console.swap"),
        Binding("c", "new_code", "New code", id="console.new_code"),
        Binding("n", "note", "Note", id="console.note"),
        Binding("r", "reveal", "Reveal", id="console.reveal"),
        Binding("d", "debrief", "Debrief", id="console.debrief"),
        Binding("left_square_bracket", "page(-1)", "Page back", show=False, id="console.prev"),
        Binding("right_square_bracket", "page(1)", "Page on", show=False, id="console.next"),
        Binding("escape,f2", "close", "Table", id="console.close"),
    ]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session
        self.logged = 0
        self.warned_expiry = False

    @staticmethod
    def now() -> float:
        """The wall clock (one place, so tests can set the time)."""
        return time.time()

    def refresh_from_game(self) -> None:
        """The game moved (a networked game's server said so): show it."""
        self.redraw()

    def game_time(self) -> float:
        """The game's clock: this machine's, or the server's for a networked game."""
        return self.now() + self.session.clock_offset

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="main"):
            with VerticalScroll(id="left"):
                yield Static(id="deal")
                yield Static(id="standings")
            with Vertical(id="right"):
                yield Static("ROUND TIMER", id="timer-label")
                yield Digits("--:--", id="timer")
                yield Static(id="timer-state")
                yield Static(id="projector")
                yield Static(id="credibility")
        yield WrappingLog(id="log")
        yield Footer(compact=True)  # many levers: every one must fit

    def on_mount(self) -> None:
        self.redraw()
        self.set_interval(0.5, self.tick)

    def redraw(self) -> None:
        state = self.session.state
        spec = state.scenario
        turn = spec.roles[state.turn].name if state.turn else "—"
        where = (
            f"over: {state.status.value.replace('_', ' ')}"
            if state.over
            else f"{state.phase.label} · {turn} to move"
        )
        self.query_one("#status", Static).update(
            f"FACILITATOR · {escape(spec.title)} · Round {state.round}/{state.max_rounds} · "
            f"{escape(where)} · step {state.steps}"
        )
        self.query_one("#deal", Static).update(self.deal_text())
        self.query_one("#standings", Static).update(self.standings_text())
        self.query_one("#credibility", Static).update(self.credibility_text())
        self.query_one("#projector", Static).update(self.projector_text())
        self.write_log()
        self.tick()
        self.refresh_bindings()

    def deal_text(self) -> str:
        state = self.session.state
        spec = state.scenario
        lines = ["[b]The deal on the table[/b]"]
        for issue_id, issue in spec.issues.items():
            option = issue.options[state.package[issue_id]]
            lines.append(f"  {escape(issue.label)}: [b]{escape(option.label)}[/b]")
        totals: dict[str, int] = {}
        for own in state.pledges.values():
            for kind, units in own.items():
                totals[kind] = totals.get(kind, 0) + units
        if totals:
            lines.append(
                "  Pledged: "
                + escape(", ".join(f"{u} {spec.pledge_kinds[k].unit}" for k, u in totals.items()))
            )
        return "\n".join(lines)

    def standings_text(self) -> str:
        """Every delegation: seat, team, satisfaction against walk-away, stance (private)."""
        state = self.session.state
        spec = state.scenario
        classroom = self.session.classroom
        lines = ["", "[b]Delegations[/b] [dim](private: satisfaction against walk-away)[/dim]"]
        for role_id in spec.turns.order:
            view = RoleView(state, role_id)
            sat = view.satisfaction_value()
            walk = view.walk_away()
            mark = "[$success]✓[/]" if sat >= walk else "[$error]✗[/]"
            stance = {"support": "supports", "object": "objects"}.get(
                state.stances.get(role_id, ""), ""
            )
            turn = "▶" if state.turn == role_id else " "
            seat = seat_label(self.session.seats.get(role_id, "bot"))
            team = classroom.team_label(role_id)
            lines.append(
                f"{turn}[b]{escape(spec.roles[role_id].name)[:16]:<16}[/b] "
                f"[{tone(sat)}]{bar(sat, 12)}[/] {sat:5.1f} / {walk:4.0f} {mark} "
                f"[dim]{escape(seat)}{' · ' + escape(team) if team else ''}"
                f"{' · ' + stance if stance else ''}[/dim]"
            )
        return "\n".join(lines)

    def credibility_text(self) -> str:
        card = self.session.state.scorecard()
        lines = ["", f"[b]Credibility {card.total:.1f}[/b]"]
        for dim, value in card.dimensions.items():
            lines.append(f"{dim.title()[:14]:<14} [{tone(value)}]{bar(value, 14)}[/] {value:5.1f}")
        return "\n".join(lines)

    def projector_text(self) -> str:
        classroom = self.session.classroom
        if classroom.projector == "debrief":
            page = classroom.debrief_page
            shows = f"the class debrief, page {page + 1} of {self.debrief_pages}: "
            shows += escape(self.debrief_page_title(page))
        else:
            shows = "the table"
        private = (
            "[$warning]private information revealed[/]"
            if classroom.reveal
            else "private information hidden"
        )
        return f"\n[b]Projector[/b]: {shows}\n{private}"

    def write_log(self) -> None:
        """Append new log entries: all of them, private ones and notes marked (Rich markup)."""
        log = self.query_one("#log", WrappingLog)
        entries = self.session.state.log
        classroom = self.session.classroom
        for entry in entries[self.logged :]:
            if entry.visible_to == (FACILITATOR,):
                mark = "[cyan](note)[/cyan] "
            elif entry.visible_to:
                names = ", ".join(entry.visible_to)
                mark = f"[yellow](private: {rich_escape(names)})[/yellow] "
            else:
                mark = ""
            team = classroom.teams.get(entry.actor)
            tag = f"[dim]\\[{rich_escape(team.name)}][/dim] " if team else ""
            stamp = f"[dim]{entry.step:>3} R{entry.round}[/dim] "
            log.add(stamp + tag + mark + rich_escape(entry.text))
        self.logged = len(entries)

    def tick(self) -> None:
        """Refresh the timer; say once when time runs out."""
        timer = self.session.classroom.timer
        face, state = timer_face(timer, self.game_time())
        self.query_one("#timer", Digits).update(face)
        self.query_one("#timer-state", Static).update(state)
        expired = timer is not None and timer.expired(self.game_time())
        self.set_class(expired, "-expired")
        if expired and not self.warned_expiry:
            self.warned_expiry = True
            self.app.bell()
            self.notify(
                "Time is up for this round. Press a to end it, or + for more time.",
                severity="warning",
            )
        elif not expired:
            self.warned_expiry = False

    # --- levers -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.session.state
        if action in ("inject", "write", "advance") and state.over:
            return None
        if action == "advance" and state.phase is not Phase.DIPLOMACY:
            return None
        if action == "undo" and not effective_actions(state):
            return None
        if action == "page" and self.session.classroom.projector != "debrief":
            return None
        # Over the network a seat is taken with its code, not swapped here; a code is
        # replaced instead.
        if action == "new_code":
            return self.session.remote
        return not (action == "swap" and self.session.remote)

    def play(self, action: Action) -> bool:
        """Play a facilitator's move; an illegal one is a notification."""
        try:
            self.session.act(action)
        except IllegalAction as exc:
            self.notify(str(exc), title="Not allowed", severity="error")
            return False
        except OSError as exc:
            self.notify(f"Could not autosave: {exc}", severity="error")
        self.redraw()
        return True

    def action_inject(self) -> None:
        state = self.session.state
        spec = state.scenario
        choices = []
        for inject in spec.injects:
            if inject.id in state.events:
                continue
            told = (
                "told to " + ", ".join(spec.roles[r].short for r in inject.visible_to)
                if inject.visible_to
                else "public"
            )
            when = f"round {inject.round}" if inject.round else "any round"
            choices.append((inject.id, f"{inject.title} ({told}; {when})"))
        if not choices:
            self.notify("Every event in the deck has been played. Press w to write one.")
            return

        def chosen(choice: object) -> None:
            if isinstance(choice, str):
                self.play(InjectAction(role=FACILITATOR, inject=choice))

        self.app.push_screen(
            ChoiceDialog("Play an event from the deck", choices, "It strikes now."), chosen
        )

    def action_write(self) -> None:
        def written(action: object) -> None:
            if isinstance(action, CustomInject):
                self.play(action)

        self.app.push_screen(WriteEventDialog(self.session), written)

    def change_timer(self, timer: RoundTimer | None) -> None:
        try:
            self.session.update_classroom(timer=timer)
        except OSError as exc:
            self.notify(f"Could not autosave: {exc}", severity="error")
        self.warned_expiry = False
        self.tick()

    def action_set_timer(self) -> None:
        def entered(text: object) -> None:
            if not isinstance(text, str):
                return
            if not text.strip():
                self.change_timer(None)
                self.notify("The round timer is off.")
                return
            seconds = parse_minutes(text)
            if seconds is None:
                self.notify(
                    "Give minutes, like 10 or 7:30 (three hours at most).", severity="error"
                )
                return
            self.change_timer(RoundTimer.set(seconds).start(self.game_time()))

        self.app.push_screen(
            TextDialog(
                "Round timer: how long?", "minutes, e.g. 10 or 7:30 (empty: no timer)", max_length=8
            ),
            entered,
        )

    def action_start_pause(self) -> None:
        timer = self.session.classroom.timer
        if timer is None:
            self.action_set_timer()
            return
        now = self.game_time()
        self.change_timer(timer.pause(now) if timer.running else timer.start(now))

    def action_extend(self, seconds: int) -> None:
        timer = self.session.classroom.timer
        if timer is None:
            self.notify("Set the timer first (t).", severity="warning")
            return
        self.change_timer(timer.extend(seconds, self.game_time()))

    def action_advance(self) -> None:
        state = self.session.state

        def confirmed(yes: object) -> None:
            if yes:  # the new round's clock is set afresh by the session (or the server)
                self.play(Advance(role=FACILITATOR))

        self.app.push_screen(
            Confirm(f"End round {state.round} now and move to the next?", "End the round", "No"),
            confirmed,
        )

    def action_undo(self) -> None:
        state = self.session.state
        standing = effective_actions(state)
        if not standing:
            self.notify("There is no move left to take back.", severity="warning")
            return
        last = standing[-1]
        entry = next(e for e in reversed(state.log) if e.action is last)

        def confirmed(yes: object) -> None:
            if yes:
                self.play(Undo(role=FACILITATOR))

        self.app.push_screen(
            Confirm(
                f"Take back step {entry.step}: {entry.text}\n\n"
                "The game goes on as if it had not been made; the log keeps it.",
                "Take it back",
                "Keep it",
            ),
            confirmed,
        )

    def action_swap(self) -> None:
        spec = self.session.state.scenario
        choices = [
            (
                role_id,
                f"{spec.roles[role_id].name}: {seat_label(self.session.seats.get(role_id, 'bot'))}",
            )
            for role_id in spec.turns.order
        ]

        def chosen(role: object) -> None:
            if not isinstance(role, str):
                return
            now = self.session.seats.get(role, "bot")
            new = f"bot:{spec.roles[role].default_strategy}" if now == HUMAN else HUMAN
            try:
                self.session.set_seat(role, new)
            except OSError as exc:
                self.notify(f"Could not autosave: {exc}", severity="error")
            self.notify(f"{spec.roles[role].name} is now played by a {seat_label(new)}.")
            self.redraw()

        self.app.push_screen(
            ChoiceDialog(
                "Swap a seat between students and a bot",
                choices,
                "A student seat becomes its default bot; a bot seat goes to the students.",
            ),
            chosen,
        )

    def action_new_code(self) -> None:
        from negotiation.net.seatview import PROJECTOR
        from negotiation.tui.remote import RemoteSession

        session = self.session
        if not isinstance(session, RemoteSession):
            return
        spec = session.state.scenario
        choices = [(role_id, spec.roles[role_id].name) for role_id in spec.turns.order]
        choices.append((PROJECTOR, "The projector"))

        def chosen(seat: object) -> None:
            if isinstance(seat, str):
                session.replace_code(seat)
                self.notify("Asking the server for a new code…", timeout=4)

        self.app.push_screen(
            ChoiceDialog(
                "Give a seat a new join code",
                choices,
                "The old code stops working, and whoever holds the seat with it is let go: "
                "for a code that got into the wrong hands.",
            ),
            chosen,
        )

    def action_note(self) -> None:
        def written(text: object) -> None:
            if isinstance(text, str) and plain_text(text).strip():
                self.play(Annotate(role=FACILITATOR, text=plain_text(text).strip()))

        self.app.push_screen(
            TextDialog(
                "A note in the log, for the debrief", "seen by you and in reports", max_length=1000
            ),
            written,
        )

    def action_reveal(self) -> None:
        reveal = not self.session.classroom.reveal
        self.session.update_classroom(reveal=reveal)
        self.notify(
            "The projector now shows private information."
            if reveal
            else "The projector hides private information again."
        )
        self.redraw()

    def action_debrief(self) -> None:
        on = self.session.classroom.projector != "debrief"
        self.session.update_classroom(projector="debrief" if on else "table", debrief_page=0)
        self.notify(
            "The projector shows the class debrief: \\[ and ] turn its pages."
            if on
            else "The projector shows the table again."
        )
        self.redraw()

    @property
    def debrief_pages(self) -> int:
        """Pages of the class debrief: the overview, one per role, the questions."""
        return 2 + len(self.session.state.scenario.roles)

    def debrief_page_title(self, page: int) -> str:
        from negotiation.report.classdebrief import turn_order

        spec = self.session.state.scenario
        if page == 0:
            return "how it ended"
        if page >= self.debrief_pages - 1:
            return "questions for discussion"
        role = turn_order(spec)[page - 1]
        return spec.roles[role].name

    def action_page(self, step: int) -> None:
        page = max(0, min(self.debrief_pages - 1, self.session.classroom.debrief_page + step))
        self.session.update_classroom(debrief_page=page)
        self.redraw()

    def action_close(self) -> None:
        self.dismiss(None)
