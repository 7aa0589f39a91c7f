"""The replay viewer: a saved game, step by step, with everything visible.

A replay is a debrief, so nothing is hidden: every role's satisfaction against its walk-away
value, private events and private messages. The table shows the deal as it stood at the
current step; the chart shows credibility and every role's satisfaction across the game with
the current step marked; the log marks the current step.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from negotiation.engine import GameState
from negotiation.report.timeline import TimelinePoint
from negotiation.tui.markup import escape
from negotiation.tui.screens.dialogs import TextDialog
from negotiation.tui.widgets.deal_grid import DealGrid
from negotiation.tui.widgets.gauge import Panel, bar, tone
from negotiation.tui.widgets.plot import ScorePlot, game_series


class ReplayScreen(Screen[None]):
    """Step through a saved game."""

    DEFAULT_CSS = """
    ReplayScreen #status { height: 1; background: $secondary; color: $text; padding: 0 1; }
    ReplayScreen #main { height: 1fr; }
    ReplayScreen #left { width: 1fr; }
    ReplayScreen #right { width: 34; border-left: solid $secondary; }
    ReplayScreen DealGrid { border: round $secondary; height: auto; }
    ReplayScreen TabbedContent { height: 1fr; }
    ReplayScreen ScorePlot { height: 1fr; min-height: 6; }
    ReplayScreen #scores { height: auto; padding: 0 1; }
    ReplayScreen.-narrow #right { width: 29; }
    """
    # Arrows move through the game, not between the tabs below the table: priority bindings.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,l", "step(1)", "Next", id="replay.next", priority=True),
        Binding("left,h", "step(-1)", "Back", id="replay.back", priority=True),
        Binding("pagedown,right_square_bracket", "round(1)", "Next round", id="replay.next_round"),
        Binding("pageup,left_square_bracket", "round(-1)", "Prev round", id="replay.prev_round"),
        Binding("home", "jump(0)", "Start", show=False, id="replay.start", priority=True),
        Binding("end", "jump(-1)", "End", id="replay.end", priority=True),
        Binding("v", "vote", "Next vote", id="replay.vote"),
        Binding("g", "goto", "Go to step", id="replay.goto"),
        Binding("d", "debrief", "Debrief", id="replay.debrief"),
        Binding("f", "fork", "Play on from here", id="replay.fork"),
        Binding("escape", "close", "Back", id="replay.close"),
    ]

    def __init__(
        self,
        states: list[GameState],
        points: list[TimelinePoint],
        *,
        name: str = "",
        path: Path | None = None,
        seats: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.states = states
        self.points = points
        self.game_name = name
        self.path = path
        self.seats = dict(seats or {})
        self.step = len(states) - 1

    @property
    def state(self) -> GameState:
        return self.states[self.step]

    def compose(self) -> ComposeResult:
        spec = self.states[0].scenario
        yield Static(id="status")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                grid = DealGrid(spec.issues, self.state.package, id="grid")
                grid.can_focus = False
                yield grid
                with TabbedContent(initial="chart"):
                    with TabPane("Chart", id="chart"):
                        yield ScorePlot(game_series(spec, self.points), id="plot")
                    with TabPane("Log", id="log"), VerticalScroll(id="log-scroll"):
                        yield Static(id="log-text")
                    with TabPane("Rules", id="rules"), VerticalScroll():
                        yield Static(id="rules-text")
            with VerticalScroll(id="right"):
                yield Panel(id="scores")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")
        self.call_after_refresh(self.show)

    # --- drawing ------------------------------------------------------------------------------

    def show(self) -> None:
        state = self.state
        spec = state.scenario
        point = self.points[self.step]
        status = state.status.value.replace("_", " ")
        title = escape(self.game_name or spec.title)
        self.query_one("#status", Static).update(
            f"Replay · {title} · step {self.step}/{len(self.states) - 1} · round {state.round} · "
            f"{state.phase.label} · {status}"
        )
        self.query_one(DealGrid).set_package(state.package)
        self.query_one(ScorePlot).set_step(self.step)
        card = state.scorecard()
        panel = self.query_one("#scores", Panel)
        width = panel.content_size.width or 30
        lines = [
            f"[b]Credibility[/b] [b {tone(card.total)}]{card.total:5.1f}[/]",
        ]
        for dim, value in card.dimensions.items():
            lines.append(
                f"{dim[:10]:<10} [{tone(value)}]{bar(value, max(4, width - 16))}[/]{value:5.0f}"
            )
        lines.append("")
        lines.append("[b]Satisfaction[/b] (walk-away)")
        label_width = max(3, min(14, width - 15))
        for role_id, role in spec.roles.items():
            value, walk = point.satisfaction[role_id], point.walk_away[role_id]
            mark = "[$success]✓[/]" if value >= walk else "[$error]✗[/]"
            name = role.name if len(role.name) <= label_width else role.short
            lines.append(f"{escape(name):<{label_width}} {value:5.1f} ({walk:.0f}) {mark}")
        if state.pledges:
            lines.append("")
            lines.append("[b]Pledges[/b]")
            for role_id, own in state.pledges.items():
                parts = ", ".join(f"{u} {spec.pledge_kinds[k].unit}" for k, u in own.items())
                lines.append(f"{escape(spec.roles[role_id].short)}: {escape(parts)}")
        self.query_one("#scores", Panel).set("\n".join(lines))
        self.query_one("#scores", Panel).styles.height = len(lines) + 1
        self.query_one("#log-text", Static).update(self.log_text())
        self.query_one("#rules-text", Static).update(self.rules_text())

    def log_text(self) -> str:
        """Entries up to the current step (the last 80 of them), the current step marked."""
        entries = [e for e in self.states[-1].log if e.step <= self.step][-80:]
        lines = []
        for entry in entries:
            here = "[b $accent]▶[/]" if entry.step == self.step and entry.action else " "
            private = (
                f" [dim](private: {', '.join(entry.visible_to)})[/]" if entry.visible_to else ""
            )
            lines.append(
                f"{here}[dim]{entry.step:>4} R{entry.round}[/] {escape(entry.text)}{private}"
            )
        return "\n".join(lines)

    def rules_text(self) -> str:
        card = self.state.scorecard()
        if not card.moving:
            return "No rule fires for this deal."
        lines = []
        for fired in card.moving:
            effect = ", ".join(f"{d} {p:+g}" for d, p in fired.effect.items())
            lines.append(f"[b]{escape(fired.id)}[/b] ({escape(effect)})\n  {escape(fired.because)}")
        return "\n".join(lines)

    # --- navigation ---------------------------------------------------------------------------

    def go(self, step: int) -> None:
        self.step = max(0, min(len(self.states) - 1, step))
        self.show()
        scroll = self.query_one("#log-scroll", VerticalScroll)
        scroll.scroll_end(animate=False)

    def action_step(self, delta: int) -> None:
        self.go(self.step + delta)

    def action_jump(self, step: int) -> None:
        self.go(step if step >= 0 else len(self.states) - 1)

    def action_round(self, delta: int) -> None:
        """To the first step of the next (or this/previous) round."""
        current = self.state.round
        if delta > 0:
            target = next((n for n, s in enumerate(self.states) if s.round > current), None)
            self.go(target if target is not None else len(self.states) - 1)
        else:
            starts = [
                n
                for n, s in enumerate(self.states)
                if n == 0 or self.states[n - 1].round != s.round
            ]
            before = [n for n in starts if n < self.step]
            self.go(before[-1] if before else 0)

    def action_vote(self) -> None:
        """To the step at which the next vote was decided (from the start again after the last)."""
        decided = [
            n
            for n in range(1, len(self.states))
            if self.states[n].votes_held > self.states[n - 1].votes_held
        ]
        if not decided:
            self.notify("No vote was held in this game.")
            return
        after = [n for n in decided if n > self.step]
        self.go(after[0] if after else decided[0])

    def action_goto(self) -> None:
        def chosen(text: object) -> None:
            if not isinstance(text, str) or not text.strip():
                return
            try:
                self.go(int(text.strip()))
            except ValueError:
                self.notify(f'"{text.strip()}" is not a step number.', severity="error")

        self.app.push_screen(
            TextDialog(f"Go to step (0-{len(self.states) - 1})", "step number", max_length=6),
            chosen,
        )

    def action_debrief(self) -> None:
        from negotiation.tui.screens.debrief import DebriefScreen

        self.app.push_screen(DebriefScreen(self.states[: self.step + 1], self.game_name))

    def action_fork(self) -> None:
        from negotiation.tui.app import NegotiationApp

        app = self.app
        assert isinstance(app, NegotiationApp)
        if self.state.over:
            self.notify("The game is over at this step: go back to a step before the end.")
            return
        app.fork(self.state, self.seats, self.game_name)

    def action_close(self) -> None:
        self.dismiss(None)
