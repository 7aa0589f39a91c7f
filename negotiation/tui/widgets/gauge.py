"""The credibility gauge: the total, its six dimensions, and the seat's own satisfaction.

It shows only what the seat on screen may see: credibility is public; satisfaction is the
viewer's own, passed in by the screen from its :class:`RoleView`.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from negotiation.engine import Preview
from negotiation.rules import Satisfaction, ScoreCard
from negotiation.tui.markup import escape

SHORT = {
    "legitimacy": "Legitimacy",
    "capability": "Capability",
    "cohesion": "Cohesion",
    "resolve": "Resolve",
    "sustainability": "Sustain.",
    "restraint": "Restraint",
}


def bar(value: float, width: int) -> str:
    """A bar of block characters, ``value`` out of 100, with eighths for precision."""
    cells = max(0.0, min(100.0, value)) / 100 * width
    full = int(cells)
    rest = int((cells - full) * 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if full < width and rest else ""
    return ("█" * full + partial).ljust(width)


def tone(value: float) -> str:
    """A theme colour for a 0-100 score."""
    if value >= 60:
        return "$success"
    if value >= 35:
        return "$warning"
    return "$error"


def signed(delta: float) -> str:
    if abs(delta) < 0.05:
        return "±0"
    return f"{delta:+.1f}"


class Panel(Widget):
    """A block of text that repaints without a new layout (it has a fixed height).

    ``Static.update`` lays the whole screen out again; on the table, which redraws on every
    cursor move, that costs more than everything else put together.
    """

    DEFAULT_CSS = """
    Panel { height: 2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content: Content = Content("")

    def set(self, content: Content | str) -> None:
        """Show new content."""
        self._content = content if isinstance(content, Content) else Content.from_markup(content)
        self.refresh()

    def render(self) -> Content:
        return self._content


class CredibilityGauge(Panel):
    """Credibility and the viewer's satisfaction, with a what-if preview."""

    DEFAULT_CSS = """
    CredibilityGauge { height: 17; padding: 0 1; }
    """

    _last: tuple[ScoreCard, Satisfaction | None, Preview | None, str] | None = None

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def show(
        self,
        card: ScoreCard,
        satisfaction: Satisfaction | None,
        preview: Preview | None = None,
        preview_label: str = "",
    ) -> None:
        self._last = (card, satisfaction, preview, preview_label)
        content = self.content_size.width or 26
        width = max(4, content - 11 - 6)
        total = card.total
        lines = [
            f"[b]Credibility[/b]  [b {tone(total)}]{total:5.1f}[/] / 100",
            f"[{tone(total)}]{bar(total, width + 17)}[/]",
        ]
        for dim, value in card.dimensions.items():
            lines.append(f"{SHORT[dim]:<11}[{tone(value)}]{bar(value, width)}[/] {value:5.1f}")
        if satisfaction is not None:
            mark = (
                "[$success]above walk-away[/]"
                if satisfaction.acceptable
                else "[$error]below walk-away[/]"
            )
            lines.append("")
            lines.append(
                f"[b]You[/b] {satisfaction.value:5.1f}  walk-away {satisfaction.walk_away:.0f}"
            )
            lines.append(f"  {mark}")
        if preview is not None:
            dc = preview.credibility_after - preview.credibility_before
            ds = preview.satisfaction_after - preview.satisfaction_before
            lines.append("")
            lines.append("[b]If you amend to[/b]")
            if preview_label:
                lines.append(f"  {escape(preview_label)}")
            up_c = "$success" if dc >= 0 else "$error"
            up_s = "$success" if ds >= 0 else "$error"
            lines.append(f"  cred {preview.credibility_after:5.1f} [{up_c}]({signed(dc)})[/]")
            lines.append(f"  you  {preview.satisfaction_after:5.1f} [{up_s}]({signed(ds)})[/]")
        self.set(Content.from_markup("\n".join(lines)))
