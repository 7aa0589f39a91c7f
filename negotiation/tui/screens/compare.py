"""Several groups' games of one scenario side by side: "same brief, six different deals: why?"

After a class has played, every group hands in its save. The instructor ticks them in
:class:`ComparePickScreen` and reads :class:`CompareScreen`: a column per group with its deal,
credibility and the six dimensions, each delegation against its walk-away value and the stress
test; a bar chart of credibility; and the comparison's hints on why the deals differ. The
numbers are those of :func:`negotiation.report.compare.compare`, as ``negotiation compare``
prints them; this module only lays them out, and exports them as HTML or Markdown.

Like a debrief it is an instructor's view: it shows every delegation's private satisfaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import (
    DataTable,
    Footer,
    Label,
    SelectionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.selection_list import Selection

from negotiation.engine import Status
from negotiation.files import write_user_file
from negotiation.report.compare import (
    NO_OPTION,
    Comparison,
    GroupLine,
    WhyHint,
    compare,
    load_games,
    to_html,
    to_markdown,
)
from negotiation.tui.markup import escape
from negotiation.tui.session import SaveEntry, list_saves
from negotiation.tui.widgets.gauge import Panel, bar, tone

EXPORTERS: Mapping[str, Callable[[Comparison], str]] = {
    ".html": to_html,
    ".htm": to_html,
    ".md": to_markdown,
    ".markdown": to_markdown,
}
"""File name ending -> how the comparison is written to it."""

LABEL_WIDTH = 24
"""Longest group label a column heading or chart line shows before it is cut."""


def open_compare(app: App[Any], saves_dir: Path) -> None:
    """Open the picker of saved games to compare (the title menu's entry)."""
    app.push_screen(ComparePickScreen(saves_dir))


def _cut(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _rate(rate: float | None) -> str:
    return f"{rate:.0%}" if rate is not None else "—"


# --- picking the games -------------------------------------------------------------------------


class ComparePickScreen(Screen[None]):
    """The saves in a folder, to tick two or more groups' games of one scenario."""

    DEFAULT_CSS = """
    ComparePickScreen #box { padding: 0 1; }
    ComparePickScreen .title { text-style: bold; color: $accent; }
    ComparePickScreen #heads { color: $text-muted; padding-left: 5; }
    ComparePickScreen SelectionList { height: 1fr; }
    ComparePickScreen #hint { color: $text-muted; }
    """
    # Enter compares rather than ticks (Space ticks), so it must come before the list's own.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,c", "compare", "Compare", id="compare_pick.compare", priority=True),
        Binding("space", "tick", "Tick/untick", id="compare_pick.tick"),
        Binding("a", "tick_scenario", "Tick all of this scenario", id="compare_pick.scenario"),
        Binding("escape", "back", "Back", id="compare_pick.back"),
    ]

    class Compared(Message):
        """The ticked games were read and compared."""

        def __init__(self, comparison: Comparison) -> None:
            super().__init__()
            self.comparison = comparison

    class Failed(Message):
        """The ticked games cannot be compared; ``error`` says why, on one line."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, saves_dir: Path) -> None:
        super().__init__()
        self.saves_dir = saves_dir
        self.entries: list[SaveEntry] = []
        self.comparing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label("Compare groups' games", classes="title")
            yield Static(
                "Tick the saves of two or more groups who played the same scenario.", id="intro"
            )
            yield Static(self._columns("Name", "Scenario", "Result", "Round", "Cred."), id="heads")
            yield SelectionList[Path](id="games")
            yield Static(id="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.fill()
        self.query_one(SelectionList).focus()

    @staticmethod
    def _columns(name: str, scenario: str, result: str, round_: str, credibility: str) -> str:
        """One line of the list, fitting an 80-column terminal."""
        return (
            f"{_cut(name, 22):<22} {_cut(scenario, 20):<20} {_cut(result, 11):<11} "
            f"{round_:>5} {credibility:>6}"
        )

    def fill(self) -> None:
        """(Re)read the folder and list its saves; broken ones are listed, not tickable."""
        self.entries = list_saves(self.saves_dir)
        games: SelectionList[Path] = self.query_one(SelectionList)
        games.clear_options()
        for entry in self.entries:
            if entry.error:
                why = entry.error.replace(f"{self.saves_dir}{os.sep}", "")
                prompt = Content.assemble(
                    (f"{_cut(entry.path.name, 22):<22} ", ""), (f"broken: {why}", "$error")
                )
                games.add_option(Selection(prompt, entry.path, disabled=True))
                continue
            line = self._columns(
                entry.name,
                entry.scenario,
                entry.status.replace("_", " "),
                str(entry.round),
                f"{entry.credibility:.1f}",
            )
            games.add_option(Selection(Content(line), entry.path))
        readable = [n for n, entry in enumerate(self.entries) if not entry.error]
        if readable:
            games.highlighted = readable[0]
        self.show_hint()

    def show_hint(self) -> None:
        hint = self.query_one("#hint", Static)
        usable = sum(1 for entry in self.entries if not entry.error)
        if not self.entries:
            hint.update(f"No saved games in {escape(str(self.saves_dir))} yet. Escape goes back.")
            return
        if usable < 2:
            hint.update(
                f"{escape(str(self.saves_dir))} holds {usable} game{'s' if usable != 1 else ''} "
                "that can be read: a comparison needs two or more. Escape goes back."
            )
            return
        if self.comparing:
            hint.update("Comparing the games…")
            return
        ticked = len(self.query_one(SelectionList).selected)
        hint.update(
            f"{ticked} ticked. Space ticks · a ticks every game of the scenario under the "
            "cursor · Enter compares · Esc back."
        )

    def on_selection_list_selected_changed(self) -> None:
        self.show_hint()

    @property
    def highlighted(self) -> SaveEntry | None:
        index = self.query_one(SelectionList).highlighted
        if index is None or not 0 <= index < len(self.entries):
            return None
        return self.entries[index]

    def action_tick(self) -> None:
        entry = self.highlighted
        if entry is not None and not entry.error:
            self.query_one(SelectionList).toggle(entry.path)

    def action_tick_scenario(self) -> None:
        """Tick every readable game of the highlighted game's scenario (untick them if all
        are ticked already)."""
        entry = self.highlighted
        if entry is None or entry.error:
            return
        games: SelectionList[Path] = self.query_one(SelectionList)
        alike = [e.path for e in self.entries if not e.error and e.scenario == entry.scenario]
        if all(path in games.selected for path in alike):
            for path in alike:
                games.deselect(path)
            return
        for path in alike:
            games.select(path)

    def action_compare(self) -> None:
        if self.comparing:
            self.notify("Still comparing the games ticked before.")
            return
        ticked = set(self.query_one(SelectionList).selected)
        if len(ticked) < 2:
            self.notify(
                f"Tick at least two games to compare (Space ticks one); {len(ticked)} ticked.",
                title="Nothing to compare yet",
                severity="warning",
            )
            return
        # A group a column, in the order of their names ("Group A", "Group B"...).
        picked = sorted(
            (e for e in self.entries if e.path in ticked),
            key=lambda e: (e.name.casefold(), e.path.name),
        )
        self.comparing = True
        self.show_hint()
        self.compare_games([e.path for e in picked])

    @work(thread=True, exclusive=True, group="compare")
    def compare_games(self, paths: list[Path]) -> None:
        """Read, replay and compare the games off the UI thread (a class's saves take a
        moment), then post the result."""
        try:
            comparison = compare(load_games(paths))
        except (ValueError, OSError) as exc:  # SaveError is a ValueError
            self.post_message(self.Failed(str(exc).replace(f"{self.saves_dir}{os.sep}", "")))
            return
        self.post_message(self.Compared(comparison))

    def on_compare_pick_screen_compared(self, message: Compared) -> None:
        self.comparing = False
        self.show_hint()
        self.app.push_screen(CompareScreen(message.comparison, export_dir=self.saves_dir))

    def on_compare_pick_screen_failed(self, message: Failed) -> None:
        self.comparing = False
        self.show_hint()
        self.notify(
            message.error, title="These games cannot be compared", severity="error", timeout=12
        )

    def action_back(self) -> None:
        self.dismiss(None)


# --- the comparison ----------------------------------------------------------------------------


class CredibilityBars(Panel):
    """Credibility of each group's deal, a bar each, on one 0-100 scale."""

    DEFAULT_CSS = """
    CredibilityBars { padding: 0 1; }
    """

    def __init__(self, comparison: Comparison, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.comparison = comparison
        self.styles.height = len(comparison.groups) + 1

    def on_mount(self) -> None:
        self.draw()

    def on_resize(self) -> None:
        self.draw()

    def draw(self) -> None:
        c = self.comparison
        label_width = min(LABEL_WIDTH, max(len(g.label) for g in c.groups))
        status_width = max(len(g.status_text) for g in c.groups)
        width = self.content_size.width or 80
        bar_width = max(8, min(70, width - label_width - status_width - 9))
        s = c.spread
        lines = [
            Content.from_markup(
                f"[b]Credibility[/b] of each group's deal, 0 to 100 · mean {s.mean:.1f}, "
                f"{s.range:.1f} points apart"
            )
        ]
        for g in c.groups:
            colour = tone(g.credibility)
            lines.append(
                Content.assemble(
                    (_cut(g.label, label_width).ljust(label_width), "bold"),
                    " ",
                    (bar(g.credibility, bar_width), colour),
                    (f" {g.credibility:5.1f} ", f"bold {colour}"),
                    (g.status_text, "$text-muted"),
                )
            )
        self.set(Content("\n").join(lines))


class CompareScreen(Screen[None]):
    """Several groups' games of one scenario, a column per group."""

    DEFAULT_CSS = """
    CompareScreen #status { height: 1; background: $secondary; color: $text; padding: 0 1; }
    CompareScreen #warnings { color: $warning; padding: 0 1; height: auto; }
    CompareScreen #chart-box { height: auto; max-height: 12; border-bottom: solid $secondary; }
    CompareScreen TabbedContent { height: 1fr; }
    CompareScreen #groups { height: 1fr; }
    CompareScreen #why-text { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "tab('side')", "Side by side", id="compare.side"),
        Binding("w", "tab('why')", "Why they differ", id="compare.why"),
        Binding("x", "export", "Export (.html/.md)", id="compare.export"),
        Binding("escape", "back", "Back", id="compare.back"),
    ]

    def __init__(self, comparison: Comparison, *, export_dir: Path | None = None) -> None:
        """Show a comparison.

        Args:
            comparison: the groups' games, compared.
            export_dir: where an export named without a folder goes (the current folder if
                None).
        """
        super().__init__()
        self.comparison = comparison
        self.export_dir = export_dir

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="warnings")
        with VerticalScroll(id="chart-box"):
            yield CredibilityBars(self.comparison, id="chart")
        with TabbedContent(initial="side"):
            with TabPane("Side by side", id="side"):
                yield DataTable(id="groups", cursor_type="row", zebra_stripes=True, fixed_columns=1)
            with TabPane("Why they differ", id="why"), VerticalScroll(id="why-scroll"):
                yield Static(id="why-text")
        yield Footer()

    def on_mount(self) -> None:
        c = self.comparison
        self.query_one("#status", Static).update(
            Content.assemble(
                "Compare · ",
                (c.scenario_title, "bold"),
                f" · {len(c.groups)} groups",
            )
        )
        warnings = self.query_one("#warnings", Static)
        warnings.update(Content("\n").join(Content(f"Note. {w}") for w in c.warnings))
        warnings.display = bool(c.warnings)
        self.query_one("#why-text", Static).update(why_text(c))
        self.fill_table()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.query_one(DataTable).focus()

    def _theme_changed(self, _theme: Theme) -> None:
        # The table's cells are Rich text: their colours are the theme's at the time of filling.
        table = self.query_one(DataTable)
        row, column = table.cursor_row, table.cursor_column
        self.fill_table()
        table.move_cursor(row=row, column=column, animate=False)

    # --- the table ------------------------------------------------------------------------------

    def _colour(self, name: str, fallback: str) -> str:
        return self.app.theme_variables.get(name, fallback)

    def _tone(self, value: float) -> str:
        name = tone(value).removeprefix("$")
        return self._colour(name, {"success": "green", "warning": "yellow"}.get(name, "red"))

    def fill_table(self) -> None:
        """Lay out the comparison: a row per fact, a column per group."""
        c = self.comparison
        table: DataTable[Text | str] = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(Text(""), key="fact")
        for n, g in enumerate(c.groups):
            table.add_column(Text(_cut(g.label, LABEL_WIDTH), style="bold"), key=f"group-{n}")
        good, bad = self._colour("success", "green"), self._colour("error", "red")
        accent = self._colour("accent", "cyan")

        def section(key: str, title: str) -> None:
            table.add_row(
                Text(title, style=f"bold {accent}"), *("" for _ in c.groups), key=f"section-{key}"
            )

        def row(key: str, label: str, cells: Sequence[Text | str]) -> None:
            table.add_row(Text(f"  {_cut(label, LABEL_WIDTH + 4)}"), *cells, key=key)

        section("outcome", "Outcome")
        row(
            "status",
            "Status",
            [Text(g.status_text, style=self._status_colour(g)) for g in c.groups],
        )
        row("round", "Round", [f"{g.rounds_played} of {g.max_rounds}" for g in c.groups])
        row(
            "credibility",
            "Credibility",
            [
                Text(f"{g.credibility:.1f}", style=f"bold {self._tone(g.credibility)}")
                for g in c.groups
            ],
        )
        row("stress", "Stress test held", [_rate(g.stress_hold_rate) for g in c.groups])
        above = []
        for g in c.groups:
            up, signing = g.signatories_above
            above.append(Text(f"{up} of {signing}", style="" if up == signing else bad))
        row("signatories", "Signatories above walk-away", above)
        row(
            "zopa",
            "Deal in the ZOPA",
            [Text("yes", style=good) if g.in_zopa else Text("no", style=bad) for g in c.groups],
        )

        section("deal", "Deal")
        odd_style = f"italic {self._colour('warning', 'yellow')}"
        for choice in c.issues:
            common = max(choice.counts.values())
            cells: list[Text | str] = []
            for g in c.groups:
                pick = g.deal.get(choice.issue, NO_OPTION)
                odd = len(c.groups) > 2 and choice.counts.get(pick, 0) < common
                cells.append(Text(pick, style=odd_style if odd else ""))
            row(f"issue-{choice.issue}", choice.issue, cells)
        if c.pledge_units:
            section("pledges", "Pledges standing at the end (units)")
            for kind in c.pledge_units:
                row(f"pledge-{kind}", kind, [str(g.pledges.get(kind, 0)) for g in c.groups])

        section("credibility", "Credibility")
        for dim in c.dimensions:
            values = [g.dimensions.get(dim, 0.0) for g in c.groups]
            row(
                f"dim-{dim}",
                dim.capitalize(),
                [Text(f"{v:.1f}", style=self._tone(v)) for v in values],
            )
        row(
            "total",
            "Total",
            [Text(f"{g.credibility:.1f}", style="bold") for g in c.groups],
        )

        section("satisfaction", "Satisfaction (margin over walk-away)")
        for name in c.roles:
            cells = []
            for g in c.groups:
                role = next((r for r in g.roles if r.name == name), None)
                if role is None:
                    cells.append("—")
                    continue
                cells.append(
                    Text.assemble(
                        f"{role.satisfaction:.1f} ",
                        (f"({role.margin:+.1f})", good if role.above else bad),
                    )
                )
            row(f"role-{name}", name, cells)

    def _status_colour(self, g: GroupLine) -> str:
        if g.in_progress:
            return self._colour("warning", "yellow")
        return (
            self._colour("success", "green")
            if g.status is Status.ADOPTED
            else self._colour("error", "red")
        )

    # --- actions --------------------------------------------------------------------------------

    def action_tab(self, pane: str) -> None:
        self.query_one(TabbedContent).active = pane
        self.query_one("#groups" if pane == "side" else "#why-scroll").focus()

    def action_export(self) -> None:
        name = f"compare-{self.comparison.scenario_id}.html"
        default = self.export_dir / name if self.export_dir is not None else Path(name)

        def chosen(answer: object) -> None:
            if isinstance(answer, str) and answer.strip():
                self.export(self.target(answer.strip()))

        from negotiation.tui.screens.dialogs import TextDialog

        self.app.push_screen(
            TextDialog(
                "Export the comparison: a file name ending .html or .md",
                "compare.html",
                value=str(default),
            ),
            chosen,
        )

    def target(self, name: str) -> Path:
        """The file an export named ``name`` goes to: a name without a folder goes to
        ``export_dir``."""
        path = Path(name).expanduser()
        if not path.is_absolute() and self.export_dir is not None:
            path = self.export_dir / path
        return path

    def export(self, path: Path, *, replace: bool = False) -> None:
        """Write the comparison to ``path`` (HTML or Markdown by its ending); every failure is
        a notification."""
        render = EXPORTERS.get(path.suffix.lower())
        if render is None:
            self.notify(
                f"{path.name}: end the file name with .html or .md.",
                title="Not exported",
                severity="error",
            )
            return
        try:
            exists = path.exists()
            if path.is_dir():
                raise IsADirectoryError(f"{path} is a folder")
        except (OSError, ValueError) as exc:
            self.notify(str(exc), title="Not exported", severity="error")
            return
        if exists and not replace:
            from negotiation.tui.screens.dialogs import Confirm

            def confirmed(yes: object) -> None:
                if yes:
                    self.export(path, replace=True)

            self.app.push_screen(
                Confirm(f"{path} exists already. Replace it?", "Replace", "Keep"), confirmed
            )
            return
        try:
            write_user_file(path, render(self.comparison), ValueError)
        except ValueError as exc:
            self.notify(str(exc), title="Not exported", severity="error")
            return
        self.notify(f"Wrote {path}", title="Comparison exported")

    def action_back(self) -> None:
        self.dismiss(None)


# --- the hints ---------------------------------------------------------------------------------


def why_text(c: Comparison) -> Content:
    """How each game ended, where the groups chose apart, and the comparison's hints on why
    the deals differ, as markup with every scenario and group word escaped."""
    lines = ["[b]How each game ended[/b]"]
    for g in c.groups:
        lines.append(
            f"• [b]{escape(g.label)}[/b] ({escape(g.status_text)}, round {g.rounds_played} of "
            f"{g.max_rounds}, credibility {g.credibility:.1f}): {escape(g.headline)}"
        )
    lines += ["", "[b]Where the groups chose apart[/b]"]
    same = []
    for choice in c.issues:
        if choice.unanimous:
            same.append(choice.issue)
            continue
        picks = " · ".join(
            f"{escape(option)}: {escape(', '.join(labels))}"
            for option, labels in choice.groups.items()
            if labels
        )
        lines.append(f"• {escape(choice.issue)}: {picks}")
    if same:
        lines.append(f"Every group settled the same way: {escape(', '.join(same))}.")
    lines += [
        "",
        "[b]Why did the deals differ?[/b] The most credible deal against the least, the second "
        "against the second-last, and so on.",
    ]
    if not c.why:
        lines.append("No pair of deals to set against each other.")
    for hint in c.why:
        lines += ["", *hint_lines(hint)]
    return Content.from_markup("\n".join(lines))


def hint_lines(h: WhyHint) -> list[str]:
    """One hint: what tells a more credible deal from a less credible one (markup)."""
    high, low = escape(h.higher), escape(h.lower)
    lines = [
        f"[b $accent]{high}[/] ({h.higher_credibility:.1f}) against [b $accent]{low}[/] "
        f"({h.lower_credibility:.1f}): [b]{h.gap:+.1f}[/b] points"
    ]
    if h.issues:
        lines.append("  Issues settled apart:")
        lines += [
            f"    {escape(issue)}: [b]{escape(a)}[/b] against {escape(b)}"
            for issue, a, b in h.issues
        ]
    else:
        lines.append("  Both settled every issue the same way.")
    moved = [
        f"{escape(dim)} [{'$success' if gap > 0 else '$error'}]{gap:+.1f}[/]"
        for dim, gap in h.moved
    ]
    if moved:
        lines.append(f"  Dimensions, {high} minus {low}: {', '.join(moved)}")
    for label, rules in ((high, h.only_higher), (low, h.only_lower)):
        if rules:
            lines.append(f"  Rules that held for {label} only:")
            for rule in rules:
                effect = ", ".join(f"{dim} {value:+g}" for dim, value in rule.effect.items())
                lines.append(
                    f"    [b]{escape(rule.id)}[/b] ({escape(effect)}): {escape(rule.because)}"
                )
    if h.pledges:
        pledges = "; ".join(
            f"{escape(kind)} {hi} against {lo}" for kind, (hi, lo) in h.pledges.items()
        )
        lines.append(f"  Pledges: {pledges}")
    for label, events in ((high, h.events_only_higher), (low, h.events_only_lower)):
        if events:
            lines.append(f"  Events that struck {label} only: {escape('; '.join(events))}")
    return lines
