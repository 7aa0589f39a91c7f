"""The help screen: how to play, and every key, generated from the bindings."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HOW_TO_PLAY = """\
# How to play

You lead one delegation. The **deal grid** shows every issue with its options; the deal on the
table is marked ●. Move the cursor with the arrow keys: the panel on the right shows **what
if** — how credibility and your own satisfaction would move if you amended to that option —
and Enter tables the amendment. Each move (amend, pledge, support, object, call a vote, pass)
ends your turn; private messages do not.

**Credibility** is the coalition's shared score: six dimensions combined so that one weak
dimension sinks the whole. The **Rules** tab explains every point. **Your satisfaction** is
private: accept a deal only if it beats your **walk-away value**.

From round 2 a coalition member can call a vote. Every delegation votes; every required
signatory must accept. A Security Council mandate also needs the Council, where Russia and
China can veto. An adopted deal faces national parliaments, then a stress test.

# Keys
"""


def keys_markdown(sections: list[tuple[str, list[BindingType]]]) -> str:
    """A Markdown table of key bindings, one section per screen."""
    lines = []
    for title, bindings in sections:
        lines += [f"## {title}", "", "| Key | Does |", "|---|---|"]
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = ", ".join(k.strip() for k in binding.key.split(","))
            lines.append(f"| `{keys}` | {binding.description} |")
        lines.append("")
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    """How to play and the keys."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen VerticalScroll { width: 90; max-width: 100%; height: 90%; border: thick $accent;
                                background: $surface; padding: 0 1; }
    HelpScreen Markdown { background: $surface; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help.close"),
    ]

    def __init__(self, sections: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll():  # the arrows, Page Up/Down, Home and End scroll it
            yield Markdown(HOW_TO_PLAY + keys_markdown(self.sections))

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
