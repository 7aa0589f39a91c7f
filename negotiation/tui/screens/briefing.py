"""Briefings and hand-offs.

A briefing shows the public briefing and one role's private brief. A hand-off screen stands
between two human seats in hot-seat play and shows nothing private at all, so the next player
never sees the last one's brief, satisfaction or messages.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Markdown, Static

from negotiation.engine import RoleView
from negotiation.scenario import Scenario
from negotiation.tui.markup import escape


def brief_markdown(scenario: Scenario, view: RoleView) -> str:
    """A role's brief as Markdown: public briefing, private brief, numbers that matter."""
    role = view.brief
    lines = [
        f"# {scenario.title}",
        "",
        f"## You are {role.name}",
        "",
        "### The situation (everyone reads this)",
        "",
        scenario.briefing.strip(),
        "",
        "### Your public position",
        "",
        role.public_position.strip(),
        "",
        "### Your private brief (for your eyes only)",
        "",
        role.private_brief.strip(),
        "",
        f"**Your walk-away value is {view.walk_away():.0f}.** Accept only a deal whose "
        "satisfaction for you is at least this; below it you are better off with no deal.",
        "",
    ]
    if role.red_lines:
        lines += ["### Your declared red lines", ""]
        for line in role.red_lines:
            note = " *(a bluff: you could live with it)*" if line.bluff else ""
            lines.append(f"- {line.text}{note}")
        lines.append("")
    if role.preferences:
        lines += ["### What each option is worth to you", ""]
        lines += ["| Issue | Option | Points |", "|---|---|---|"]
        for issue_id, table in role.preferences.items():
            issue = scenario.issues[issue_id]
            for option_id, points in table.items():
                if points:
                    lines.append(
                        f"| {issue.label} | {issue.options[option_id].label} | {points:+g} |"
                    )
        lines.append("")
        if role.credibility_weight:
            lines.append(
                f"Each point of coalition credibility above 50 is worth "
                f"{role.credibility_weight:+g} to you."
            )
            lines.append("")
    if role.capacities:
        lines += ["### What you can pledge", ""]
        lines += ["| Kind | Up to | Cost to you per unit |", "|---|---|---|"]
        for kind_id, cap in role.capacities.items():
            kind = scenario.pledge_kinds[kind_id]
            cost = role.pledge_costs.get(kind_id, 0)
            lines.append(f"| {kind.label} | {cap} {kind.unit} | {cost:g} |")
        lines.append("")
    if role.sources:
        lines += ["### Sources", ""]
        lines += [f"- {source}" for source in role.sources]
    return "\n".join(lines)


class BriefingScreen(Screen[None]):
    """One role's brief; Enter goes to the table."""

    DEFAULT_CSS = """
    BriefingScreen #scroll { height: 1fr; }
    BriefingScreen Markdown { padding: 0 1; }
    BriefingScreen #go { dock: bottom; width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "done", "To the table", id="briefing.done"),
        Binding("escape", "done", "Close", show=False),
    ]

    def __init__(self, scenario: Scenario, view: RoleView) -> None:
        super().__init__()
        self.scenario, self.view = scenario, view

    def compose(self) -> ComposeResult:
        # The brief is long (the private part is below the public one): it scrolls with the
        # arrows, Page Up/Down, Home and End.
        with VerticalScroll(id="scroll"):
            yield Markdown(brief_markdown(self.scenario, self.view), id="brief")
        yield Button("Go to the table (Enter)", id="go", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#scroll", VerticalScroll).focus()

    def on_button_pressed(self) -> None:
        self.action_done()

    def action_done(self) -> None:
        self.dismiss(None)


class HandoffScreen(Screen[None]):
    """ "Pass the keyboard to Germany": nothing private is on screen."""

    DEFAULT_CSS = """
    HandoffScreen { align: center middle; }
    HandoffScreen #box { width: 60; height: auto; border: thick $accent; padding: 1 2; }
    HandoffScreen #who { text-style: bold; color: $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "ready", "Ready", id="handoff.ready"),
    ]

    def __init__(self, role_name: str, reason: str = "", team: str = "") -> None:
        super().__init__()
        self.role_name, self.reason, self.team = role_name, reason, team

    def compose(self) -> ComposeResult:
        name = escape(self.role_name)
        with Center(), Vertical(id="box"):
            yield Static(f"Pass the keyboard to {name}", id="who")
            if self.team:
                yield Static(escape(self.team), id="team")
            yield Static(
                (escape(self.reason) + "\n\n" if self.reason else "")
                + f"Everyone but {name}: look away. "
                f"Press Enter when {name} is ready."
            )
            yield Button("Ready (Enter)", id="ready", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ready", Button).focus()

    def on_button_pressed(self) -> None:
        self.action_ready()

    def action_ready(self) -> None:
        self.dismiss(None)
