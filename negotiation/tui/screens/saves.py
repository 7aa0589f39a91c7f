"""The saves list: pick a saved game to load (or, later, to replay)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from negotiation.tui.session import SaveEntry, list_saves


class SavesScreen(Screen[Path | None]):
    """Saved games, newest first; Enter opens one."""

    DEFAULT_CSS = """
    SavesScreen #box { padding: 0 1; }
    SavesScreen .title { text-style: bold; color: $accent; }
    SavesScreen DataTable { height: 1fr; }
    SavesScreen #hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="saves.back"),
    ]

    def __init__(self, saves_dir: Path, purpose: str = "Load a saved game") -> None:
        super().__init__()
        self.saves_dir = saves_dir
        self.purpose = purpose
        self.entries: list[SaveEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label(self.purpose, classes="title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="saves")
            yield Static(f"Saves in {self.saves_dir}. Enter opens, Escape goes back.", id="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.entries = list_saves(self.saves_dir)
        table = self.query_one(DataTable)
        table.add_columns("Name", "Scenario", "Saved", "Round", "Result", "Credibility")
        for entry in self.entries:
            if entry.error:
                table.add_row(entry.path.name, "—", "—", "—", "broken", "—")
                continue
            table.add_row(
                entry.name[:30],
                entry.scenario[:28],
                entry.updated[:16].replace("T", " "),
                str(entry.round),
                entry.status.replace("_", " "),
                f"{entry.credibility:.1f}",
            )
        if not self.entries:
            self.query_one("#hint", Static).update(
                f"No saved games in {self.saves_dir} yet. Escape goes back."
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        entry = self.entries[event.cursor_row]
        if entry.error:
            self.notify(entry.error, title="This save cannot be opened", severity="error")
            return
        self.dismiss(entry.path)

    def action_back(self) -> None:
        self.dismiss(None)
