"""The projector view: the table for the wall of a classroom, read-only.

It follows a game's autosave (run it in a second terminal beside the facilitator's), and shows
only what every delegation may see: the deal on the table, the credibility gauge in large
digits, the public log and the latest public event. Private briefs, satisfaction, private
messages and private events never appear.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Digits, Footer, Static

from negotiation.engine import GameState
from negotiation.savefile import SaveError, loads, replay
from negotiation.tui.widgets.gauge import bar, tone


def public_event(state: GameState) -> tuple[str, str] | None:
    """The latest event every delegation was told of, as (title, text)."""
    for entry in reversed(state.log):
        if entry.event is not None and not entry.visible_to:
            for inject in state.scenario.injects:
                if inject.id == entry.event:
                    return inject.title, inject.text
    return None


class ProjectorScreen(Screen[None]):
    """The public table, large, following a save file as it changes."""

    DEFAULT_CSS = """
    ProjectorScreen { background: $background; }
    ProjectorScreen #headline { height: 3; content-align: center middle; text-style: bold;
                                background: $primary; color: $text; }
    ProjectorScreen #body { height: 1fr; }
    ProjectorScreen #deal { width: 1fr; padding: 1 2; }
    ProjectorScreen #side { width: 46; padding: 0 2; }
    ProjectorScreen Digits { width: auto; color: $accent; text-style: bold; }
    ProjectorScreen #dims { height: auto; }
    ProjectorScreen #event { height: auto; border: heavy $warning; padding: 0 1; margin-top: 1; }
    ProjectorScreen #public-log {
        height: 9; color: $text-muted; padding: 0 2; border-top: solid $primary;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="projector.close"),
    ]

    def __init__(self, path: Path, *, poll_seconds: float = 1.0) -> None:
        super().__init__()
        self.path = path
        self.poll_seconds = poll_seconds
        self.state: GameState | None = None
        self.seen: tuple[float, int] | None = None
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield Static(id="headline")
        with Horizontal(id="body"):
            yield Static(id="deal")
            with Vertical(id="side"):
                yield Static("CREDIBILITY", id="cred-label")
                yield Digits("--.-", id="credibility")
                yield Static(id="dims")
                yield Static(id="event")
        yield Static(id="public-log")
        yield Footer()

    def on_mount(self) -> None:
        self.poll()
        self.set_interval(self.poll_seconds, self.poll)

    def poll(self) -> None:
        """Reload the save if it changed since the last look (the facilitator's game moved)."""
        try:
            stat = self.path.stat()
        except OSError as exc:
            self.show_problem(f"Waiting for {self.path}: {exc.strerror or exc}")
            return
        stamp = (stat.st_mtime, stat.st_size)
        if stamp == self.seen:
            return
        self.seen = stamp
        try:
            self.state = replay(loads(self.path.read_bytes(), str(self.path)), str(self.path))
        except (SaveError, OSError) as exc:
            # A save half-way through being replaced, or broken: keep showing the last good one.
            self.show_problem(str(exc))
            return
        self.problem = ""
        self.show()

    def show_problem(self, text: str) -> None:
        self.problem = text
        if self.state is None:
            self.query_one("#headline", Static).update(escape(text))

    def show(self) -> None:
        state = self.state
        if state is None:
            return
        spec = state.scenario
        turn = spec.roles[state.turn].name if state.turn else ""
        where = (
            f"Over — {state.status.value.replace('_', ' ')}"
            if state.over
            else f"{state.phase.value.title()} · {turn} to move"
        )
        self.query_one("#headline", Static).update(
            f"{escape(spec.title)}\nRound {state.round} of {state.max_rounds} · {escape(where)}"
        )
        lines = ["[b]THE DEAL ON THE TABLE[/b]", ""]
        for issue_id, issue in spec.issues.items():
            option = issue.options[state.package[issue_id]]
            lines.append(f"[dim]{escape(issue.label)}[/dim]")
            lines.append(f"  [b]{escape(option.label)}[/b]")
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
        self.query_one("#deal", Static).update("\n".join(lines))
        card = state.scorecard()
        self.query_one("#credibility", Digits).update(f"{card.total:.1f}")
        self.query_one("#dims", Static).update(
            "\n".join(
                f"{dim.title():<15}[{tone(value)}]{bar(value, 20)}[/] {value:5.1f}"
                for dim, value in card.dimensions.items()
            )
        )
        event = public_event(state)
        box = self.query_one("#event", Static)
        box.display = event is not None
        if event is not None:
            box.update(f"[b]LATEST EVENT: {escape(event[0])}[/b]\n{escape(event[1])}")
        public = [e for e in state.log if not e.visible_to][-8:]
        self.query_one("#public-log", Static).update(
            "\n".join(f"R{e.round}  {escape(e.text)}" for e in public)
        )

    def action_close(self) -> None:
        self.app.exit(0)
