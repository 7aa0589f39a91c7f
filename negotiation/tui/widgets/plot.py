"""A terminal line plot of scores across a game, with the current step marked.

Each series (credibility, and each role's satisfaction) is drawn with its own colour; the
column of the current step is marked with a bar, so stepping through a replay moves the
marker along the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from negotiation.report.timeline import TimelinePoint
from negotiation.scenario import Scenario

PALETTE = ("#e8b339", "#4aa3df", "#e06c75", "#98c379", "#c678dd", "#56b6c2", "#d19a66", "#abb2bf")


@dataclass(frozen=True)
class Series:
    """One line of the plot.

    Attributes:
        label: legend text.
        values: one value (0-100) per step.
        color: a colour Rich understands.
        mark: the character the line is drawn with.
    """

    label: str
    values: Sequence[float]
    color: str
    mark: str = "•"


class ScorePlot(Widget):
    """Scores (0-100) across the steps of a game."""

    DEFAULT_CSS = """
    ScorePlot { height: 12; padding: 0 1; }
    """

    def __init__(self, series: Sequence[Series], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series = list(series)
        self.current = 0

    def set_step(self, step: int) -> None:
        """Move the marker to a step."""
        self.current = step
        self.refresh()

    def render(self) -> Text:
        width = max(10, self.content_size.width - 4)
        height = max(3, self.content_size.height - 2)
        steps = max((len(s.values) for s in self.series), default=1)
        grid: list[list[tuple[str, Style | None]]] = [
            [(" ", None) for _ in range(width)] for _ in range(height)
        ]

        def column_of(step: int) -> int:
            return 0 if steps <= 1 else round(step * (width - 1) / (steps - 1))

        marker = column_of(min(self.current, steps - 1))
        for row in grid:
            row[marker] = ("│", Style(dim=True))
        for series in self.series:
            style = Style(color=series.color, bold=True)
            for x in range(width):
                step = 0 if width <= 1 else round(x * (steps - 1) / (width - 1))
                if step >= len(series.values):
                    continue
                value = max(0.0, min(100.0, series.values[step]))
                y = height - 1 - round(value / 100 * (height - 1))
                grid[y][x] = (series.mark, style)
        text = Text(no_wrap=True, overflow="crop")
        for y, row in enumerate(grid):
            label = {0: "100", height - 1: "  0"}.get(y, "   ")
            if y == (height - 1) // 2:
                label = " 50"
            text.append(label + " ", Style(dim=True))
            for char, cell_style in row:
                text.append(char, cell_style)
            text.append("\n")
        axis = f"    step 0{' ' * max(1, width - 18)}step {steps - 1}"
        text.append(axis[: width + 4] + "\n", Style(dim=True))
        legend_width = sum(len(s.label) + 4 for s in self.series)
        for series in self.series:
            label = series.label
            if legend_width > width + 4 and len(label) > 4:
                label = label[:4]  # "credibility" -> "cred" on narrow screens
            text.append(f" {series.mark} ", Style(color=series.color, bold=True))
            text.append(label + " ")
        return text


def game_series(scenario: Scenario, points: Sequence[TimelinePoint]) -> list[Series]:
    """The lines of a game's chart: each role's satisfaction, then credibility on top."""
    series = [
        Series(
            role.short,
            [p.satisfaction[role_id] for p in points],
            PALETTE[(n + 1) % len(PALETTE)],
            "·",
        )
        for n, (role_id, role) in enumerate(scenario.roles.items())
    ]
    series.append(Series("credibility", [p.credibility for p in points], PALETTE[0], "█"))
    return series
