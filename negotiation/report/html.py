"""A game's debrief as one self-contained HTML page: to open in a browser, hand out or print.

The page carries everything inside it: its CSS inline, its charts as SVG drawn here, no
script, no font, image or style sheet fetched from anywhere, and no web address at all (a
rule's source that is a link is shortened to its words), so it opens the same on a laptop
with no network, in a learning platform that strips scripts, and on paper. It prints cleanly:
white pages, each major section starting a new one, charts and table rows kept whole.

Every piece of scenario and player text goes through :func:`esc`: a message is user text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from negotiation.report.debrief import Debrief, PackageLine, RoleStanding
from negotiation.report.timeline import TimelinePoint

ROLE_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#332288",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#661100",
)
"""One colour per role, in the scenario's order (Okabe-Ito first: told apart by most readers
with colour-blindness), then Tol's muted palette for scenarios with more than six roles."""

CREDIBILITY_COLOUR = "#1f4e79"
WEAKEST_COLOUR = "#b42318"

_URL = re.compile(r"(?i)[a-z][a-z0-9+.-]*://\S*")


def without_links(text: str) -> str:
    """Text with every web address taken out (the page must carry none)."""
    return _URL.sub("[link removed]", text)


def esc(text: object) -> str:
    """Scenario or player text, safe to put in the page's markup or an attribute."""
    return html.escape(without_links(str(text)), quote=True)


def source_words(source: str) -> str:
    """A rule's source without its links: "IISS tiers, https://…" reads "IISS tiers"."""
    words = _URL.sub("", source)
    words = re.sub(r"\s*[;,]\s*(?=[;,]|$)", "", words)
    words = " ".join(words.split()).strip(" ;,")
    if not words and source.strip():
        return "a web page (see the scenario file)"
    return words


def _num(value: float) -> str:
    """An SVG coordinate."""
    return f"{value:.1f}"


# --- charts ------------------------------------------------------------------------------------


class _Frame:
    """The plot area of a line chart over a game's steps, 0-100 on the y axis."""

    def __init__(self, steps: int, width: int = 760, height: int = 250) -> None:
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = 44, 14, 22, 34
        self.steps = max(1, steps)

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    def x(self, index: float) -> float:
        return self.left + self.plot_width * index / self.steps

    def y(self, value: float) -> float:
        value = min(100.0, max(0.0, value))
        return self.top + self.plot_height * (1 - value / 100)

    def polyline(self, values: Sequence[float], colour: str, extra: str = "") -> str:
        points = " ".join(f"{_num(self.x(n))},{_num(self.y(v))}" for n, v in enumerate(values))
        return (
            f'<polyline points="{points}" fill="none" stroke="{colour}" '
            f'stroke-linejoin="round" stroke-linecap="round" {extra}/>'
        )

    def axes(self, points: Sequence[TimelinePoint]) -> list[str]:
        """Round bands and boundaries, grid lines, and both axes with their ticks."""
        parts: list[str] = []
        bottom = self.top + self.plot_height
        # Alternate rounds are shaded, each boundary is a dashed line, each band is labelled.
        starts = [0] + [n for n in range(1, len(points)) if points[n].round != points[n - 1].round]
        ends = [*starts[1:], len(points) - 1]
        for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
            x0, x1 = self.x(start), self.x(max(end, start))
            if number % 2:
                parts.append(
                    f'<rect x="{_num(x0)}" y="{self.top}" width="{_num(max(0.0, x1 - x0))}" '
                    f'height="{_num(self.plot_height)}" fill="#eef2f6"/>'
                )
            if start:
                parts.append(
                    f'<line x1="{_num(x0)}" y1="{self.top}" x2="{_num(x0)}" y2="{_num(bottom)}" '
                    'stroke="#8c96a3" stroke-width="1" stroke-dasharray="3 3"/>'
                )
            round_number = points[start].round
            label = f"Round {round_number}" if x1 - x0 > 52 else f"R{round_number}"
            if x1 - x0 > 16 or len(starts) == 1:
                parts.append(
                    f'<text x="{_num((x0 + x1) / 2 if end > start else x0 + 4)}" '
                    f'y="{self.top - 7}" text-anchor="{"middle" if end > start else "start"}" '
                    f'class="band">{label}</text>'
                )
        for value in (0, 25, 50, 75, 100):
            y = self.y(value)
            parts.append(
                f'<line x1="{self.left}" y1="{_num(y)}" x2="{_num(self.left + self.plot_width)}" '
                f'y2="{_num(y)}" stroke="#d0d7de" stroke-width="{1 if value else 1.5}"/>'
            )
            parts.append(
                f'<text x="{self.left - 6}" y="{_num(y + 4)}" text-anchor="end" '
                f'class="tick">{value}</text>'
            )
        every = _tick_every(self.steps)
        for step in range(0, self.steps + 1, every):
            x = self.x(step)
            parts.append(
                f'<line x1="{_num(x)}" y1="{_num(bottom)}" x2="{_num(x)}" y2="{_num(bottom + 4)}" '
                'stroke="#57606a"/>'
            )
            parts.append(
                f'<text x="{_num(x)}" y="{_num(bottom + 16)}" text-anchor="middle" '
                f'class="tick">{step}</text>'
            )
        parts.append(
            f'<text x="{_num(self.left + self.plot_width)}" y="{_num(bottom + 30)}" '
            'text-anchor="end" class="axis">step</text>'
        )
        return parts


def _tick_every(steps: int) -> int:
    """A round tick interval that gives at most ten ticks."""
    for every in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if steps / every <= 10:
            return every
    return max(1, steps // 10)


def _svg(width: int, height: int, label: str, body: Iterable[str], css_class: str = "chart") -> str:
    return (
        f'<svg class="{css_class}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(label)}">'
        f"<title>{esc(label)}</title>" + "".join(body) + "</svg>"
    )


def credibility_chart(points: Sequence[TimelinePoint]) -> str:
    """Credibility of the deal on the table after every step, round boundaries marked."""
    frame = _Frame(len(points) - 1)
    parts = frame.axes(points)
    values = [p.credibility for p in points]
    if values:
        parts.append(frame.polyline(values, CREDIBILITY_COLOUR, 'stroke-width="2.5"'))
        last = len(values) - 1
        x, y = frame.x(last), frame.y(values[-1])
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{CREDIBILITY_COLOUR}"/>')
        parts.append(
            f'<text x="{_num(x - 6)}" y="{_num(y - 8 if y > frame.top + 14 else y + 16)}" '
            f'text-anchor="end" class="value">{values[-1]:.1f}</text>'
        )
    return _svg(frame.width, frame.height, "Credibility after every step", parts)


def satisfaction_chart(points: Sequence[TimelinePoint], roles: Sequence[RoleStanding]) -> str:
    """Each role's satisfaction after every step (solid) and its walk-away value (dashed)."""
    frame = _Frame(len(points) - 1)
    per_row = 4
    rows = (len(roles) + 1 + per_row - 1) // per_row
    legend_top = frame.height + 8
    height = legend_top + rows * 22 + 4
    parts = frame.axes(points)
    for n, role in enumerate(roles):
        colour = ROLE_COLOURS[n % len(ROLE_COLOURS)]
        walk = [p.walk_away.get(role.role, role.walk_away) for p in points]
        sat = [p.satisfaction.get(role.role, 0.0) for p in points]
        parts.append(
            frame.polyline(walk, colour, 'stroke-width="1.5" stroke-dasharray="6 4" opacity="0.9"')
        )
        parts.append(frame.polyline(sat, colour, 'stroke-width="2.2"'))
    column = frame.plot_width / per_row
    entries = [(role.name, ROLE_COLOURS[n % len(ROLE_COLOURS)], "") for n, role in enumerate(roles)]
    entries.append(("walk-away value", "#57606a", ' stroke-dasharray="6 4"'))
    for n, (name, colour, dash) in enumerate(entries):
        x = frame.left + column * (n % per_row)
        y = legend_top + 22 * (n // per_row) + 8
        parts.append(
            f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 24)}" y2="{_num(y)}" '
            f'stroke="{colour}" stroke-width="{2.2 if not dash else 1.5}"{dash}/>'
        )
        parts.append(
            f'<text x="{_num(x + 30)}" y="{_num(y + 4)}" class="legend">{esc(name)}</text>'
        )
    return _svg(
        frame.width,
        height,
        "Each delegation's satisfaction after every step, with its walk-away value dashed",
        parts,
    )


def dimensions_chart(dimensions: dict[str, float]) -> str:
    """The credibility dimensions of the final deal as horizontal bars, the weakest marked."""
    width, label_width, right, top, row = 760, 130, 60, 22, 30
    height = top + row * len(dimensions) + 26
    scale = (width - label_width - right) / 100
    weakest = min(dimensions, key=lambda d: dimensions[d]) if dimensions else ""
    parts: list[str] = []
    for mark in (0, 25, 50, 75, 100):
        x = label_width + scale * mark
        parts.append(
            f'<line x1="{_num(x)}" y1="{top - 6}" x2="{_num(x)}" '
            f'y2="{top + row * len(dimensions)}" stroke="#d0d7de"/>'
        )
        parts.append(
            f'<text x="{_num(x)}" y="{top + row * len(dimensions) + 16}" text-anchor="middle" '
            f'class="tick">{mark}</text>'
        )
    for n, (dimension, value) in enumerate(dimensions.items()):
        y = top + row * n
        colour = WEAKEST_COLOUR if dimension == weakest else CREDIBILITY_COLOUR
        bar = scale * min(100.0, max(0.0, value))
        parts.append(
            f'<text x="{label_width - 10}" y="{y + 17}" text-anchor="end" class="label">'
            f"{esc(dimension.capitalize())}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{_num(bar)}" height="{row - 10}" '
            f'fill="{colour}" rx="2"/>'
        )
        note = " weakest" if dimension == weakest else ""
        parts.append(
            f'<text x="{_num(label_width + bar + 6)}" y="{y + 17}" class="value">'
            f"{value:.1f}{note}</text>"
        )
    return _svg(width, height, "Credibility dimensions of the final deal", parts)


def standing_bar(role: RoleStanding, colour: str) -> str:
    """A small bar of a role's satisfaction with a tick at its walk-away value."""
    width, height = 120, 16
    sat = width * min(100.0, max(0.0, role.satisfaction)) / 100
    walk = width * min(100.0, max(0.0, role.walk_away)) / 100
    return _svg(
        width,
        height,
        f"{role.name}: {role.satisfaction:.1f} against walk-away {role.walk_away:.1f}",
        [
            f'<rect x="0" y="3" width="{width}" height="10" fill="#eef2f6"/>',
            f'<rect x="0" y="3" width="{_num(sat)}" height="10" fill="{colour}"/>',
            f'<line x1="{_num(walk)}" y1="0" x2="{_num(walk)}" y2="{height}" stroke="#1b1f24" '
            'stroke-width="2"/>',
        ],
        "mini",
    )


# --- the page ----------------------------------------------------------------------------------

BASE_STYLE = """
:root { --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --accent: #1f4e79; }
* { box-sizing: border-box; }
html { background: #eef1f4; }
body { margin: 0; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
"""
"""What every page the game prints shares: the palette, the paper and the type."""

STYLE = (
    BASE_STYLE
    + """
:root { --good: #1a7f37; --bad: #b42318; --warn: #9a6700; }
.report { max-width: 980px; margin: 24px auto; background: #fff; padding: 36px 48px 48px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, .12); border-radius: 4px; }
h1 { font-size: 30px; line-height: 1.2; margin: 2px 0 6px; }
h2 { font-size: 21px; margin: 40px 0 12px; padding-bottom: 4px;
  border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 8px 0; }
.kicker { margin: 0; color: var(--muted); font-size: 12px; letter-spacing: .08em;
  text-transform: uppercase; }
.meta { margin: 0 0 16px; color: var(--muted); }
.banner { margin: 14px 0; padding: 10px 14px; border: 2px solid #d4a72c; border-left-width: 8px;
  background: #fff8c5; border-radius: 4px; font-size: 16px; }
.verdict { display: flex; gap: 28px; align-items: center; padding: 16px 20px;
  border: 1px solid var(--rule); border-radius: 8px; }
.score { text-align: center; min-width: 130px; }
.score .big { display: block; font-size: 50px; font-weight: 700; line-height: 1;
  color: var(--accent); font-variant-numeric: tabular-nums; }
.score .of { color: var(--muted); font-size: 13px; }
.headline { font-size: 17px; margin: 6px 0 0; }
.chip { display: inline-block; padding: 1px 10px; border: 1.5px solid; border-radius: 999px;
  font-size: 12px; font-weight: 700; letter-spacing: .05em; text-transform: uppercase; }
.chip.good { color: var(--good); } .chip.bad { color: var(--bad); }
.chip.open { color: var(--warn); }
table { width: 100%; margin: 8px 0 16px; border-collapse: collapse; font-size: 14px; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
th { color: var(--muted); font-size: 12px; letter-spacing: .04em; text-transform: uppercase;
  border-bottom: 2px solid var(--ink); }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
td.id { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 12.5px; white-space: nowrap; }
td.src { color: var(--muted); font-size: 13px; }
td.differs { font-weight: 700; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 28px; }
figure { margin: 12px 0 26px; break-inside: avoid; }
figcaption { margin-top: 4px; color: var(--muted); font-size: 13px; }
svg.chart { display: block; width: 100%; height: auto; }
svg.mini { display: block; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
svg .tick { font-size: 11px; fill: #57606a; }
svg .axis, svg .band { font-size: 11px; fill: #57606a; }
svg .label, svg .legend { font-size: 13px; fill: #1b1f24; }
svg .value { font-size: 12.5px; font-weight: 700; fill: #1b1f24; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px;
  border-radius: 2px; vertical-align: baseline; }
.above { color: var(--good); font-weight: 700; }
.below { color: var(--bad); font-weight: 700; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 8px 0 16px; }
.facts dt { font-weight: 700; }
.facts dd { margin: 0; }
.stress-rate { font-size: 28px; font-weight: 700; color: var(--accent); }
ol.questions li { margin-bottom: 10px; }
ul.narrative { padding-left: 20px; }
tr.private td { background: #fdf8e8; }
tr.note td { background: #eef4fb; font-style: italic; }
.tag.note { border-color: #1f4e79; color: #1f4e79; }
.team { color: var(--accent); font-size: 13px; font-weight: 600; }
ul.teams, ul.notes { padding-left: 20px; }
.notes .when { color: var(--muted); font-size: 13px; margin-right: 6px; }
.tag { display: inline-block; padding: 0 5px; border: 1px solid #bf8700; border-radius: 3px;
  color: #7d4e00; font-size: 11px; font-weight: 700; letter-spacing: .04em;
  text-transform: uppercase; white-space: nowrap; }
.nowrap { white-space: nowrap; }
tr.round th { padding-top: 14px; color: var(--ink); font-size: 13px;
  border-bottom: 1px solid var(--ink); }
.none { color: var(--muted); font-style: italic; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media screen and (max-width: 720px) {
  .report { padding: 20px; margin: 0; }
  .grid2 { grid-template-columns: 1fr; }
  .verdict { flex-direction: column; align-items: flex-start; }
}
@page { size: A4; margin: 14mm 13mm 16mm; }
@media print {
  html, body { background: #fff; }
  body { font-size: 10pt; }
  .report { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  section.major { break-before: page; }
  section.major h2 { margin-top: 0; }
  h2 { margin-top: 24px; }
  h2, h3 { break-after: avoid; }
  figure, .verdict, .banner, .facts { break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 9pt; }
  tr.private td, tr.note td { background: none; }
  .banner { background: none; }
  svg, .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
)


def to_html(d: Debrief) -> str:
    """The debrief as one self-contained HTML page."""
    title = f"Debrief: {d.scenario_title}" + (f" ({d.name})" if d.name else "")
    body = [
        _masthead(d),
        _teams_section(d),
        _deal_section(d),
        _credibility_section(d),
        _delegations_section(d),
        _after_section(d),
        _movement_section(d),
        _analysis_section(d),
        _discussion_section(d),
        _notes_section(d),
        _log_section(d),
        "<footer><p>After-action report of a game of the negotiation game. It shows every "
        "delegation's private satisfaction and messages, and the facilitator's notes: an "
        "instructor's view, for after the game.</p></footer>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        '<main class="report">\n' + "\n".join(part for part in body if part) + "\n</main>\n"
        "</body>\n</html>\n"
    )


def _status_chip(d: Debrief) -> str:
    kind = "open" if d.in_progress else ("good" if d.status.value == "adopted" else "bad")
    return f'<span class="chip {kind}">{esc(d.status_text)}</span>'


def _masthead(d: Debrief) -> str:
    meta = [esc(d.name)] if d.name else []
    meta.append(f"scenario {esc(d.scenario_id)} (version {esc(d.scenario_version)})")
    # A simulated game's name says its seed already ("... simulated game, seed 5").
    if not re.search(rf"\bseed {d.seed}\b", d.name):
        meta.append(f"seed {d.seed}")
    meta += [
        f"round {d.rounds_played} of {d.max_rounds}",
        f"{d.steps} step{'s' if d.steps != 1 else ''}",
    ]
    banner = ""
    if d.in_progress:
        mover = f" {esc(d.to_move)} is to move." if d.to_move else ""
        banner = (
            '<div class="banner" role="status"><strong>Game in progress.</strong> This debrief '
            f"shows the standing after step {d.steps}, round {d.rounds_played} of "
            f"{d.max_rounds} ({esc(d.phase)} phase); the game has not ended.{mover}</div>"
        )
    return (
        "<header>"
        '<p class="kicker">After-action report</p>'
        f"<h1>{esc(d.scenario_title)}</h1>"
        f'<p class="meta">{" · ".join(meta)}</p>'
        f"{banner}"
        '<div class="verdict">'
        f'<div class="score"><span class="big">{d.scorecard.total:.1f}</span>'
        '<span class="of">credibility / 100</span></div>'
        f'<div>{_status_chip(d)}<p class="headline">{esc(d.headline)}</p></div>'
        "</div></header>"
    )


def _cls(name: str) -> str:
    """A class attribute, or nothing for no class."""
    return f' class="{name}"' if name else ""


def _table(head: Sequence[tuple[str, str]], rows: Iterable[str], css_class: str = "") -> str:
    """A table from (heading, class) pairs and ready-made ``<tr>`` rows."""
    heads = "".join(f"<th{_cls(c)}>{h}</th>" for h, c in head)
    body = "".join(rows)
    return f"<table{_cls(css_class)}><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>"


def _deal_section(d: Debrief) -> str:
    deal = _table(
        [("Issue", ""), ("Option", "")],
        (
            f"<tr><td>{esc(i)}</td><td><strong>{esc(o)}</strong></td></tr>"
            for i, o in d.deal.items()
        ),
    )
    if d.pledges:
        pledges = _table(
            [("Delegation", ""), ("Pledges", "")],
            (
                f"<tr><td>{esc(name)}</td><td>{esc(', '.join(items))}</td></tr>"
                for name, items in d.pledges.items()
            ),
        )
    else:
        pledges = '<p class="none">No pledges stand.</p>'
    events = (
        "<h3>Events that struck</h3><ul>"
        + "".join(f"<li>{esc(e)}</li>" for e in d.events)
        + "</ul>"
        if d.events
        else ""
    )
    return (
        '<section id="deal"><h2>The deal on the table</h2><div class="grid2">'
        f"<div><h3>Package</h3>{deal}</div><div><h3>Pledges</h3>{pledges}{events}</div>"
        "</div></section>"
    )


def _effect(effect: Mapping[str, float]) -> str:
    """A rule's effect, a dimension a line: "legitimacy +20", "restraint -5"."""
    return "<br>".join(f'<span class="nowrap">{esc(k)} {v:+g}</span>' for k, v in effect.items())


def _credibility_section(d: Debrief) -> str:
    card = d.scorecard
    dims = dict(card.dimensions)
    weakest = min(dims, key=lambda k: dims[k]) if dims else ""
    chart = (
        f"<figure>{dimensions_chart(dims)}<figcaption>The six dimensions of the final deal. "
        "The total is their weighted geometric mean, so the weakest"
        + (f" ({esc(weakest)})" if weakest else "")
        + " pulls it down most.</figcaption></figure>"
    )
    if card.moving:
        fired = _table(
            [("Rule", ""), ("Effect", ""), ("Because", ""), ("Source", "")],
            (
                f'<tr><td class="id">{esc(rule.id)}</td><td>{_effect(rule.effect) or "—"}'
                f"</td><td>{esc(rule.because)}</td>"
                f'<td class="src">{esc(source_words(rule.source)) or "—"}</td></tr>'
                for rule in card.moving
            ),
        )
    else:
        fired = '<p class="none">No rule fired: every dimension stands at its base value.</p>'
    return (
        '<section id="credibility"><h2>Credibility</h2>'
        f"<p>Credibility of the final deal: <strong>{card.total:.1f}</strong> / 100.</p>"
        f"{chart}<h3>Rules that fired</h3>{fired}</section>"
    )


def _delegations_section(d: Debrief) -> str:
    rows = []
    for n, role in enumerate(d.roles):
        colour = ROLE_COLOURS[n % len(ROLE_COLOURS)]
        verdict = '<td class="above">above</td>' if role.above else '<td class="below">below</td>'
        seat = f"<br><small>{esc(role.seat)}</small>" if role.seat else ""
        if role.team:
            seat = f'<br><span class="team">{esc(role.team)}</span>' + seat
        rows.append(
            f'<tr><td><span class="swatch" style="background:{colour}"></span>'
            f"<strong>{esc(role.name)}</strong>{seat}</td>"
            f"<td>{'yes' if role.signatory else 'no'}</td>"
            f'<td class="num">{role.satisfaction:.1f}</td><td class="num">{role.walk_away:.1f}</td>'
            f'<td class="num">{role.margin:+.1f}</td><td>{standing_bar(role, colour)}</td>'
            f"{verdict}</tr>"
        )
    table = _table(
        [
            ("Delegation", ""),
            ("Signs?", ""),
            ("Satisfaction", "num"),
            ("Walk-away", "num"),
            ("Margin", "num"),
            ("0–100", ""),
            ("Against walk-away", ""),
        ],
        rows,
    )
    return (
        '<section id="delegations"><h2>Delegations against their walk-away values</h2>'
        "<p>Each delegation's private satisfaction with the final deal, against the value of "
        "its best alternative to a deal. A delegation below its walk-away value was better off "
        "without this deal. In each bar the black tick marks the walk-away value.</p>"
        f"{table}</section>"
    )


def _after_section(d: Debrief) -> str:
    if d.ratifications:
        ratification = _table(
            [("Parliament", ""), ("Nation", ""), ("Result", ""), ("Why it votes", "")],
            (
                f"<tr><td><strong>{esc(v.body)}</strong></td><td>{esc(v.name)}</td>"
                + ('<td class="above">passed</td>' if v.passed else '<td class="below">failed</td>')
                + f"<td>{esc(v.because)}</td></tr>"
                for v in d.ratifications
            ),
        )
    else:
        ratification = '<p class="none">No national vote was held: the deal was not adopted.</p>'
    if d.stress is not None:
        s = d.stress
        stress = (
            f'<p><span class="stress-rate">{s.hold_rate:.0%}</span> — deterrence held in '
            f"{s.held:,} of {s.draws:,} simulated futures; a single probe is deterred with "
            f"chance {s.deterrence:.0%}.</p>"
            f"<p>In the future told here it <strong>{'held' if s.held_this_time else 'broke'}"
            "</strong>:</p>"
            '<ul class="narrative">'
            + "".join(f"<li>{esc(line)}</li>" for line in s.narrative)
            + "</ul>"
        )
    else:
        stress = '<p class="none">No stress test was run: the deal did not come into force.</p>'
    return (
        '<section id="after"><h2>Ratification and the stress test</h2>'
        f"<h3>Ratification</h3>{ratification}<h3>Stress test</h3>{stress}</section>"
    )


def _movement_section(d: Debrief) -> str:
    return (
        '<section id="movement" class="major"><h2>How the scores moved</h2>'
        f"<figure>{credibility_chart(d.timeline)}<figcaption>Credibility of the deal on the "
        "table after every step; shaded bands and dashed lines mark the rounds.</figcaption>"
        "</figure>"
        f"<figure>{satisfaction_chart(d.timeline, d.roles)}<figcaption>Each delegation's "
        "satisfaction after every step (solid) against its walk-away value (dashed, same "
        "colour); events can move a walk-away value.</figcaption></figure></section>"
    )


def _package_columns(d: Debrief) -> list[tuple[str, dict[str, str], float]]:
    columns: list[tuple[str, dict[str, str], float]] = [("This deal", d.deal, d.scorecard.total)]
    if d.analysis is None:
        return columns
    nash: PackageLine | None = d.analysis.nash
    best: PackageLine | None = d.analysis.most_credible
    if nash is not None:
        columns.append(("Nash solution", nash.package, nash.credibility))
    if best is not None:
        columns.append(("Most credible acceptable", best.package, best.credibility))
    return columns


def _analysis_section(d: Debrief) -> str:
    a = d.analysis
    if a is None:
        return (
            '<section id="analysis" class="major"><h2>The deal against the analysis</h2>'
            f'<p class="none">{esc(d.no_analysis)}</p></section>'
        )
    frontier = (
        "yes"
        if a.on_pareto_frontier
        else f"no: {a.dominated_by:,} packages are at least as good for every signatory and "
        "for credibility, and better for one"
    )
    facts = [
        (
            "ZOPA",
            f"{a.zopa_size:,} of {a.packages:,} packages leave every signatory above its "
            "walk-away value",
        ),
        ("In the ZOPA?", "yes" if a.in_zopa else "no"),
        ("On the Pareto frontier?", frontier),
    ]
    if a.nash is not None:
        facts.append(("Nash solution", f"credibility {a.nash.credibility:.1f}"))
    if a.most_credible is not None:
        facts.append(("Most credible acceptable", f"credibility {a.most_credible.credibility:.1f}"))
    if a.left_on_table is not None:
        facts.append(
            (
                "Credibility left on the table",
                f"{a.left_on_table:+.1f} (most credible acceptable package minus this deal)",
            )
        )
    dl = (
        '<dl class="facts">'
        + "".join(f"<dt>{term}</dt><dd>{text}</dd>" for term, text in facts)
        + "</dl>"
    )
    columns = _package_columns(d)
    if len(columns) > 1:
        rows = []
        for issue, option in d.deal.items():
            cells = "".join(
                f"<td{_cls('differs' if n and pkg.get(issue) != option else '')}>"
                f"{esc(pkg.get(issue, ''))}</td>"
                for n, (_, pkg, _) in enumerate(columns)
            )
            rows.append(f"<tr><td>{esc(issue)}</td>{cells}</tr>")
        rows.append(
            "<tr><td><strong>Credibility</strong></td>"
            + "".join(f'<td class="num"><strong>{c:.1f}</strong></td>' for _, _, c in columns)
            + "</tr>"
        )
        compare = _table([("Issue", ""), *((t, "") for t, _, _ in columns)], rows)
        compare += (
            "<p>Options in bold differ from this deal. "
            + (
                "The Nash solution is the most credible acceptable package."
                if a.nash_is_most_credible
                else "The Nash solution is not the most credible acceptable package: what the "
                "parties find fair and what would deter are not the same deal."
            )
            + "</p>"
        )
    else:
        compare = '<p class="none">The ZOPA is empty: no package satisfies every signatory.</p>'
    if d.what_if:
        what_if = _table(
            [("Change", ""), ("Credibility", "num"), ("Who gains", ""), ("Who loses", "")],
            (
                f'<tr><td>{esc(w.change)}</td><td class="num"><strong>{w.credibility:+.1f}'
                f"</strong></td><td>{esc(', '.join(w.gains)) or '—'}</td>"
                f"<td>{esc(', '.join(w.losses)) or '—'}</td></tr>"
                for w in d.what_if
            ),
        )
    else:
        what_if = '<p class="none">No single change is possible.</p>'
    return (
        '<section id="analysis" class="major"><h2>The deal against the analysis</h2>'
        f"{dl}<h3>Three packages compared</h3>{compare}"
        f"<h3>What would have raised credibility most</h3>{what_if}</section>"
    )


def _discussion_section(d: Debrief) -> str:
    if not d.discussion:
        return ""
    items = "".join(f"<li>{esc(q)}</li>" for q in d.discussion)
    return (
        '<section id="discussion" class="major"><h2>Questions for discussion</h2>'
        f'<ol class="questions">{items}</ol></section>'
    )


def _teams_section(d: Debrief) -> str:
    if not d.teams:
        return ""
    items = "".join(
        f"<li><strong>{esc(role.name)}</strong> — {esc(role.team_label)}</li>" for role in d.teams
    )
    return (
        '<section id="teams"><h2>Delegations</h2><p>The teams that played each role.</p>'
        f'<ul class="teams">{items}</ul></section>'
    )


def _notes_section(d: Debrief) -> str:
    notes = d.notes
    if not notes:
        return ""
    items = "".join(
        f'<li><span class="when">Round {line.round}, step {line.step}</span> {esc(line.said)}</li>'
        for line in notes
    )
    return (
        '<section id="notes"><h2>The facilitator\'s notes</h2><p>Written during the game for '
        f'the debrief; no delegation saw them.</p><ul class="notes">{items}</ul></section>'
    )


def _log_section(d: Debrief) -> str:
    rows = []
    current = 0
    for line in d.log:
        if line.round != current:
            current = line.round
            rows.append(f'<tr class="round"><th colspan="5">Round {current}</th></tr>')
        if line.note:
            seen = '<span class="tag note">facilitator\'s note</span>'
        elif line.private:
            seen = f'<span class="tag">private</span> {esc(", ".join(line.seen_by))}'
        else:
            seen = "all"
        team = f'<br><span class="team">{esc(line.team)}</span>' if line.team else ""
        rows.append(
            f"<tr{_cls('note' if line.note else 'private' if line.private else '')}>"
            f'<td class="num">{line.step}</td><td class="num">{line.round}</td>'
            f'<td class="nowrap">{esc(line.actor)}{team}</td><td>{esc(line.text)}</td>'
            f"<td>{seen}</td></tr>"
        )
    table = _table(
        [("Step", "num"), ("Round", "num"), ("Who", ""), ("What", ""), ("Seen by", "")], rows
    )
    return (
        '<section id="log" class="major"><h2>Log</h2><p>The whole log, private lines and the '
        "facilitator's notes included (marked, with the delegations that saw them); a team's "
        f"moves carry its name.</p>{table}</section>"
    )
