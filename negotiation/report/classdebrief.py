"""The class debrief: a game's debrief cut into pages for the projector, to talk through with
the whole class.

The facilitator steps through it from the console while the projector shows the page in
large type: first how the game ended, then one page per delegation in turn order (the team
that played it, what it won and conceded, its red lines, the questions that concern it), then
the scenario's questions for discussion. Pages are plain data (titles and lines of text with a
kind, and a number to draw as a bar), with no Textual in them, so they are tested on their own
and any screen can lay them out.

The pages are an instructor's view after the game: they show every delegation's satisfaction
and which red lines were bluffs. They never show a message or the facilitator's notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from negotiation.classroom import Classroom
from negotiation.report.debrief import Debrief, RedLineStanding, RoleStanding
from negotiation.scenario import Scenario

LineKind = Literal["heading", "text", "good", "bad", "muted"]
"""How a line reads: a heading, plain text, good or bad news, an aside."""


@dataclass(frozen=True)
class Line:
    """One line of a page.

    Attributes:
        text: the words (plain text, never markup).
        kind: how it reads.
        bullet: True for an item of a list.
        meter: a value 0-100 to draw as a bar beside the words, with the mark to draw on it
            (a walk-away value) or None.
    """

    text: str
    kind: LineKind = "text"
    bullet: bool = False
    meter: tuple[float, float | None] | None = None


@dataclass(frozen=True)
class Page:
    """One page of the class debrief.

    Attributes:
        title: what the page is about ("How it ended", a role's name, ...).
        lines: what it says, top to bottom.
        role: the role a delegation's page is about, or None.
    """

    title: str
    lines: tuple[Line, ...]
    role: str | None = None


def class_debrief_pages(debrief: Debrief, scenario: Scenario, classroom: Classroom) -> list[Page]:
    """The pages of the class debrief: the overview, one per role in turn order, the questions.

    There are always ``2 + len(scenario.roles)`` pages; the last says so when the scenario has
    no questions for discussion.

    Args:
        debrief: the game's debrief (see :func:`negotiation.report.debrief.debrief_of`).
        scenario: the scenario it was played with (turn order, role names).
        classroom: the class around it (the team playing each role).
    """
    standings = {role.role: role for role in debrief.roles}
    pages = [_overview(debrief)]
    for role_id in turn_order(scenario):
        standing = standings.get(role_id)
        if standing is not None:
            pages.append(_role_page(debrief, scenario, classroom, standing))
    pages.append(_questions(debrief))
    return pages


def page_at(pages: Sequence[Page], number: int) -> tuple[int, Page]:
    """The page to show for ``number`` (0 first), with its number: past the end, the last.

    Raises:
        ValueError: there are no pages.
    """
    if not pages:
        raise ValueError("the class debrief has no pages")
    index = min(max(0, number), len(pages) - 1)
    return index, pages[index]


def turn_order(scenario: Scenario) -> list[str]:
    """Every role, in the order they take turns (any the order leaves out, last)."""
    order = [r for r in scenario.turns.order if r in scenario.roles]
    return order + [r for r in scenario.roles if r not in order]


def mentions(question: str, scenario: Scenario, role: str) -> bool:
    """True if a question names the role: its name in any case, or its short tag in capitals
    ("UK", not "uk")."""
    spec = scenario.roles[role]
    if re.search(rf"(?<!\w){re.escape(spec.name)}(?!\w)", question, flags=re.IGNORECASE):
        return True
    return re.search(rf"(?<!\w){re.escape(spec.short)}(?!\w)", question) is not None


# --- pages -------------------------------------------------------------------------------------


def _overview(d: Debrief) -> Page:
    lines: list[Line] = [Line(d.headline)]

    card = d.scorecard
    lines.append(Line(f"Credibility {card.total:.1f} / 100", "heading"))
    dims = dict(card.dimensions)
    width = max((len(dim) for dim in dims), default=0)
    for dim, value in dims.items():
        lines.append(Line(f"{dim.capitalize():<{width}}  {value:5.1f}", meter=(value, None)))
    if dims:
        weakest = min(dims, key=lambda k: dims[k])
        lines.append(
            Line(f"Weakest: {weakest}. The total is a geometric mean: the weakest weighs most.")
        )

    lines.append(Line("The deal", "heading"))
    width = max((len(issue) for issue in d.deal), default=0)
    lines += [Line(f"{issue:<{width}}  {option}", bullet=True) for issue, option in d.deal.items()]
    if d.pledges:
        lines += [
            Line(f"{name} pledges {', '.join(items)}", bullet=True)
            for name, items in d.pledges.items()
        ]
    else:
        lines.append(Line("No pledges stand.", "muted"))

    lines.append(Line("Ratification and the stress test", "heading"))
    if d.ratifications:
        lines += [
            Line(
                f"{v.body} ({v.name}): {'passed' if v.passed else 'failed'}",
                "good" if v.passed else "bad",
                bullet=True,
            )
            for v in d.ratifications
        ]
    else:
        lines.append(Line("No national vote was held: the deal was not adopted.", "muted"))
    if d.stress is not None:
        s = d.stress
        lines.append(
            Line(
                f"Deterrence held in {s.held:,} of {s.draws:,} simulated futures "
                f"({s.hold_rate:.0%}); in the one told here it "
                f"{'held' if s.held_this_time else 'broke'}.",
                "good" if s.held_this_time else "bad",
            )
        )
    else:
        lines.append(Line("No stress test: the deal did not come into force.", "muted"))

    lines.append(Line("Against the analysis", "heading"))
    lines.extend(_analysis_lines(d))
    if d.what_if:
        best = d.what_if[0]
        lines.append(
            Line(f"Best single change: {best.change} ({best.credibility:+.1f} credibility).")
        )
    return Page("How it ended", tuple(lines))


def _analysis_lines(d: Debrief) -> list[Line]:
    a = d.analysis
    if a is None:
        return [Line(d.no_analysis, "muted")]
    lines = [
        Line(
            f"ZOPA: {a.zopa_size:,} of {a.packages:,} packages leave every signatory above its "
            "walk-away value."
        )
    ]
    if a.zopa_size:
        lines.append(
            Line(
                f"This deal is {'in' if a.in_zopa else 'outside'} the ZOPA and "
                + (
                    "on the Pareto frontier."
                    if a.on_pareto_frontier
                    else f"off the Pareto frontier ({a.dominated_by:,} packages do as well for "
                    "everyone and better for one)."
                ),
                "good" if a.in_zopa and a.on_pareto_frontier else "bad",
            )
        )
    if a.left_on_table is not None and a.most_credible is not None:
        lines.append(
            Line(
                f"Value left on the table: {a.left_on_table:+.1f} credibility (the most credible "
                f"acceptable package scores {a.most_credible.credibility:.1f}).",
                "bad" if a.left_on_table > 0.05 else "good",
            )
        )
    if a.nash is not None:
        lines.append(
            Line(
                f"Nash solution: credibility {a.nash.credibility:.1f}"
                + (
                    ", the most credible acceptable package."
                    if a.nash_is_most_credible
                    else ": what the parties find fair is not what would deter most."
                )
            )
        )
    return lines


def _role_page(d: Debrief, scenario: Scenario, classroom: Classroom, role: RoleStanding) -> Page:
    lines: list[Line] = []
    team = classroom.team_label(role.role) or role.team_label
    who = f"Played by {team}" if team else _seat_words(role.seat)
    signs = "its signature is required" if role.signatory else "its signature is not required"
    lines.append(Line(f"{who} · {signs}" if who else signs.capitalize(), "muted"))
    verdict = (
        f"above its walk-away by {role.margin:.1f}"
        if role.above
        else f"below its walk-away by {-role.margin:.1f}: it was better off without this deal"
    )
    lines.append(
        Line(
            f"Satisfaction {role.satisfaction:.1f} against walk-away {role.walk_away:.1f}: "
            f"{verdict}.",
            "good" if role.above else "bad",
            meter=(role.satisfaction, role.walk_away),
        )
    )

    lines.append(Line("Won", "heading"))
    lines += [Line(item, bullet=True) for item in role.won] or [
        Line("No issue settled on its first choice.", "muted")
    ]
    lines.append(Line("Conceded", "heading"))
    lines += [Line(item, bullet=True) for item in role.conceded] or [
        Line("Nothing it cared about.", "muted")
    ]
    pledged = d.pledges.get(role.name)
    if pledged:
        lines.append(Line(f"Pledged {', '.join(pledged)}.", bullet=True))

    if role.red_lines:
        lines.append(Line("Red lines", "heading"))
        lines += [_red_line(line) for line in role.red_lines]

    questions = [
        (n, q) for n, q in enumerate(d.discussion, start=1) if mentions(q, scenario, role.role)
    ]
    if questions:
        lines.append(Line("To discuss", "heading"))
        lines += [Line(f"{n}. {q}") for n, q in questions]
    team_name = classroom.teams[role.role].name if role.role in classroom.teams else role.team
    title = f"{role.name} — {team_name}" if team_name else role.name
    return Page(title, tuple(lines), role.role)


def _seat_words(seat: str) -> str:
    """ "Played by a bot (hardliner)" for a bot seat; nothing for a human one."""
    if not seat.startswith("bot"):
        return ""
    _, _, plan = seat.partition(":")
    return f"Played by a bot ({plan})" if plan else "Played by a bot"


def _red_line(line: RedLineStanding) -> Line:
    said = f"“{line.text}”"
    invoked = (
        f"; invoked at the table {line.invoked} time{'s' if line.invoked != 1 else ''}"
        if line.invoked
        else ""
    )
    if line.crossed and line.bluff:
        return Line(f"{said} — crossed, but a bluff: it cost nothing{invoked}.", bullet=True)
    if line.crossed:
        return Line(
            f"{said} — crossed: it cost {line.penalty:g} points{invoked}.", "bad", bullet=True
        )
    if line.bluff:
        return Line(f"{said} — held (a bluff, never called){invoked}.", bullet=True)
    return Line(f"{said} — held{invoked}.", "good", bullet=True)


def _questions(d: Debrief) -> Page:
    if not d.discussion:
        return Page(
            "Questions for discussion",
            (Line("This scenario has no questions for discussion.", "muted"),),
        )
    return Page(
        "Questions for discussion",
        tuple(Line(f"{n}. {q}") for n, q in enumerate(d.discussion, start=1)),
    )
