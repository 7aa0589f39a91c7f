"""The saves list: pick a saved game to load (or, later, to replay)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from negotiation.savefile import SaveError
from negotiation.tui.session import SaveEntry, list_saves, rename_save


class SavesScreen(Screen[Path | None]):
    """Saved games, newest first; Enter opens one."""

    DEFAULT_CSS = """
    SavesScreen #box { padding: 0 1; }
    SavesScreen .title { text-style: bold; color: $accent; }
    SavesScreen DataTable { height: 1fr; }
    SavesScreen #hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rename", "Rename", id="saves.rename"),
        Binding("delete,x", "delete", "Delete", id="saves.delete"),
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
            yield Static(
                f"Saves in {self.saves_dir}. Enter opens · r renames · Delete deletes · Esc back.",
                id="hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.fill()
        self.query_one(DataTable).focus()

    def fill(self) -> None:
        """(Re)read the folder and list its saves."""
        self.entries = list_saves(self.saves_dir)
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns("Name", "Scenario", "Saved", "Round", "Result", "Credibility")
        for entry in self.entries:
            # Names come from players and files: shown as written, never read as markup.
            if entry.error:
                table.add_row(Text(entry.path.name), "—", "—", "—", "broken", "—")
                continue
            table.add_row(
                Text(entry.name[:30]),
                Text(entry.scenario[:28]),
                Text(entry.updated[:16].replace("T", " ")),
                str(entry.round),
                entry.status.replace("_", " "),
                f"{entry.credibility:.1f}",
            )
        if not self.entries:
            self.query_one("#hint", Static).update(
                f"No saved games in {self.saves_dir} yet. Escape goes back."
            )
        elif row:
            table.move_cursor(row=min(row, len(self.entries) - 1))

    @property
    def selected(self) -> SaveEntry | None:
        if not self.entries:
            return None
        return self.entries[min(self.query_one(DataTable).cursor_row, len(self.entries) - 1)]

    def action_rename(self) -> None:
        from negotiation.tui.screens.dialogs import TextDialog

        entry = self.selected
        if entry is None:
            return
        if entry.error:
            self.notify(entry.error, title="A broken save cannot be renamed", severity="error")
            return

        def renamed(name: object) -> None:
            if not isinstance(name, str) or not name.strip():
                return
            try:
                rename_save(entry.path, name.strip())
            except (SaveError, OSError) as exc:
                self.notify(str(exc), title="Not renamed", severity="error")
                return
            self.fill()

        self.app.push_screen(
            TextDialog("Rename this game", "A name", value=entry.name, max_length=60), renamed
        )

    def action_delete(self) -> None:
        from negotiation.tui.screens.dialogs import Confirm

        entry = self.selected
        if entry is None:
            return

        def confirmed(yes: object) -> None:
            if not yes:
                return
            try:
                entry.path.unlink()
            except OSError as exc:
                self.notify(f"Could not delete: {exc}", severity="error")
                return
            self.notify(f"Deleted {entry.path.name}")
            self.fill()

        self.app.push_screen(
            Confirm(
                f"Delete the save {entry.path.name} ({entry.name})? This cannot be undone.",
                "Delete",
                "Keep",
            ),
            confirmed,
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        entry = self.entries[event.cursor_row]
        if entry.error:
            self.notify(entry.error, title="This save cannot be opened", severity="error")
            return
        self.dismiss(entry.path)

    def action_back(self) -> None:
        self.dismiss(None)
