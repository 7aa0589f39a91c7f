"""Printable briefs for a classroom session: one for everyone, one per delegation, one for the
facilitator.

An instructor running the game for teams hands out paper: the public brief that every player
reads, a confidential brief for each delegation, and a guide that only the facilitator keeps. A
brief is built once as a small value (:class:`Brief`: sections of paragraphs, tables and
lists, all plain text) and then rendered as Markdown or as one self-contained HTML page, so
both formats always say the same thing.

Keeping secrets is the point of the private briefs: :func:`private_brief` reads one role of
the scenario and nothing private of any other, so a brief can be handed out without leaking
another delegation's walk-away value, preferences or bluffs. The facilitator's guide is the
one document that holds them all.

The HTML follows :mod:`negotiation.report.html`: inline CSS, print rules for A4 and Letter,
no script and no web address anywhere (sources are shown without their scheme). Markdown keeps
source links. All scenario text is escaped in both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from negotiation.files import write_atomic
from negotiation.report.html import BASE_STYLE, esc
from negotiation.report.markdown import md_text
from negotiation.rules import Ruleset
from negotiation.scenario.model import DIMENSIONS, Inject, Role, Scenario

FORMATS = ("md", "html")
"""File formats :func:`write_briefs` can write, by file extension."""

DIMENSION_MEANINGS: dict[str, str] = {
    "legitimacy": "how widely the force's legal basis is accepted, at home and abroad",
    "capability": "whether the force could defend itself and hold its ground",
    "cohesion": "whether the coalition would stay together under strain",
    "resolve": "whether an adversary believes the coalition would act if tested",
    "sustainability": "whether money and soldiers last as long as the promise",
    "restraint": "how little risk of escalation the force carries (it falls as risk rises)",
}

GENERAL_QUESTIONS: tuple[str, ...] = (
    "ZOPA: was there a package that every signatory preferred to walking away? When did your "
    "group first find it, or why did it never find it?",
    "BATNA: whose walk-away value was highest, and did that delegation use it as leverage or "
    "get blamed for blocking? How did events during the talks change who held the stronger "
    "alternative?",
    "Credibility against fairness: was the deal that felt fair to the delegations also the one "
    "that would deter? Which delegation paid most for the coalition's credibility?",
    "Bluffing: which declared red lines did you believe, and why? What did a delegation gain by "
    "bluffing, and what did it risk if the bluff was called?",
    "Information: what did you learn about other delegations from their offers rather than "
    "their words? What would you have shared earlier, knowing what you know now?",
)
"""Debrief questions every scenario can use, asked after the scenario's own."""


# --- the brief as a value ----------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text, with an optional bold lead-in."""

    text: str
    lead: str = ""


@dataclass(frozen=True)
class Bullets:
    """A list of plain-text items."""

    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Facts:
    """Term and value pairs, such as "Walk-away value" and "55"."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells.

    Attributes:
        head: column headings.
        rows: the cells, one tuple a row.
        align: one letter per column, l or r (missing letters mean l).
        total: the last row is a total and is shown in bold.
        write_in: the table is a sheet to fill in by hand: rows are tall and empty cells ruled.
        widths: relative column widths for the HTML page (empty for automatic).
        grouped: a row whose first cell is filled starts a group (the rows below it with an
            empty first cell belong to it), marked with a rule above it.
    """

    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str = ""
    total: bool = False
    write_in: bool = False
    widths: tuple[int, ...] = ()
    grouped: bool = False


@dataclass(frozen=True)
class Callout:
    """A boxed note: a formula, a warning or advice."""

    text: str
    lead: str = ""
    formula: bool = False


@dataclass(frozen=True)
class Subheading:
    """A heading inside a section."""

    text: str


@dataclass(frozen=True)
class Sources:
    """Sources: Markdown keeps their links, HTML shows them without a scheme."""

    items: tuple[str, ...]


Block = Paragraph | Bullets | Facts | Table | Callout | Subheading | Sources


@dataclass(frozen=True)
class Section:
    """A titled part of a brief; ``new_page`` starts it on a fresh printed page."""

    title: str
    blocks: tuple[Block, ...]
    new_page: bool = False


@dataclass(frozen=True)
class Brief:
    """A printable brief.

    Attributes:
        title: the document's title.
        audience: "public", "facilitator", or the id of the one role it is for.
        kicker: a short line above the title saying what the document is.
        banner: a warning shown under the title (and on each printed page of a private brief).
        sections: the content.
    """

    title: str
    audience: str
    kicker: str
    banner: str = ""
    sections: tuple[Section, ...] = field(default_factory=tuple)


# --- helpers -----------------------------------------------------------------------------------


def _paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Scenario prose split into paragraphs at blank lines."""
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return tuple(Paragraph(p) for p in parts if p)


_LEAD = re.compile(r"^([A-Z][a-z']*(?: [a-z'-]+){1,3}\.) (?=\S)")


def _led_paragraphs(text: str) -> tuple[Paragraph, ...]:
    """Prose whose paragraphs open with a short lead such as "Your interest." made bold."""
    out = []
    for p in _paragraphs(text):
        match = _LEAD.match(p.text)
        if match:
            out.append(Paragraph(p.text[match.end() :], lead=match.group(1)))
        else:
            out.append(p)
    return tuple(out)


def _num(value: float) -> str:
    """A game number without trailing zeros: 55, 0.5, 12.5."""
    return f"{value:g}"


def _signed(value: float) -> str:
    """A signed game number with a true minus sign: +10, −4, 0."""
    if value == 0:
        return "0"
    return f"{value:+g}".replace("-", "\u2212")


def _names(s: Scenario, ids: Sequence[str]) -> str:
    """Role names in prose: "France, Germany and Ukraine"."""
    names = [s.roles[r].name if r in s.roles else r for r in ids]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def find_role(s: Scenario, role: str) -> str:
    """The id of a role named by its id or its display name (any case).

    Raises:
        ValueError: no such role; the message names the roles there are.
    """
    wanted = role.strip().casefold()
    for role_id, spec in s.roles.items():
        if wanted in (role_id.casefold(), spec.name.casefold(), spec.short.casefold()):
            return role_id
    known = ", ".join(s.roles)
    raise ValueError(f'no role "{role}" in scenario {s.id} (its roles are: {known})')


def _position(s: Scenario, role_id: str) -> str:
    """What a role is at the table, in a few words: chair, signatory, veto..."""
    role = s.roles[role_id]
    marks = []
    if role_id == s.chair:
        marks.append("chair")
    if role_id in s.signatories:
        marks.append("must sign")
    marks.append("coalition member" if role.coalition else "not in the coalition")
    if role.unsc_veto:
        marks.append("Security Council veto")
    return ", ".join(marks)


# --- the public brief --------------------------------------------------------------------------


def public_brief(s: Scenario) -> Brief:
    """The brief every player reads: the situation, the table, the stakes and the rules."""
    sections = [
        Section(
            "The situation", (Paragraph(s.summary, lead="In one line."), *_paragraphs(s.briefing))
        ),
        _delegations_section(s),
        _issues_section(s),
        _pledges_section(s),
        _scoring_section(s),
        _turns_section(s),
    ]
    if s.sources:
        sections.append(
            Section(
                "Sources of the briefing",
                (Sources(tuple(s.sources)),),
            )
        )
    return Brief(
        title=s.title,
        audience="public",
        kicker="Public brief · for every delegation",
        sections=tuple(sections),
    )


def _delegations_section(s: Scenario) -> Section:
    blocks: list[Block] = [
        Paragraph(
            "What every delegation has said in public. What each one really wants, and how far "
            "it will move, is in its own confidential brief."
        )
    ]
    for role_id, role in s.roles.items():
        blocks.append(Subheading(f"{role.name} ({_position(s, role_id)})"))
        blocks.extend(_paragraphs(role.public_position))
    return Section("The delegations", tuple(blocks), new_page=True)


def _issues_section(s: Scenario) -> Section:
    blocks: list[Block] = [
        Paragraph(
            "A deal settles every issue below with one option each. The chair's opening draft "
            "is marked; it is on the table when the talks open."
        )
    ]
    for issue_id, issue in s.issues.items():
        blocks.append(Subheading(issue.label))
        if issue.description:
            blocks.append(Paragraph(" ".join(issue.description.split())))
        rows = []
        for option_id, option in issue.options.items():
            notes = []
            if s.opening.get(issue_id) == option_id:
                notes.append("opening draft")
            if option.needs_unsc:
                notes.append("needs a Security Council resolution")
            rows.append((option.label, " ".join(option.description.split()), "; ".join(notes)))
        blocks.append(Table(("Option", "What it means", "Note"), tuple(rows), widths=(3, 8, 2)))
    return Section("The issues", tuple(blocks), new_page=True)


def _pledges_section(s: Scenario) -> Section:
    if not s.pledge_kinds:
        return Section("Pledges", (Paragraph("This scenario has no pledges."),))
    rows = tuple((kind.label, kind.unit, _num(kind.step)) for kind in s.pledge_kinds.values())
    return Section(
        "Pledges",
        (
            Paragraph(
                "Besides the package, each coalition member may pledge contributions. A pledge "
                "adds to the coalition's strength but costs the nation that makes it at home; "
                "how much each nation can offer, and what it costs, is in its own brief."
            ),
            Table(("Kind", "Counted in", "Pledged in steps of"), rows, align="llr"),
        ),
    )


def _scoring_section(s: Scenario) -> Section:
    weights = {d: s.dimension_weight(d) for d in DIMENSIONS}
    equal = len(set(weights.values())) == 1
    rows = tuple(
        (d.capitalize(), DIMENSION_MEANINGS[d], _num(s.dimension_base(d)), _num(weights[d]))
        for d in DIMENSIONS
    )
    vetoes = [r.name for r in s.roles.values() if r.unsc_veto] + [
        npc.name for npc in s.unsc_npcs.values()
    ]
    blocks: list[Block] = [
        Subheading("Credibility: one score the coalition shares"),
        Paragraph(
            "The deal on the table is scored for credibility, 0 to 100, on six dimensions. Each "
            "starts at a base value, and the scenario's rules move it up or down as the deal "
            "changes; every rule that fires says why, so you can always see what moved the "
            "score."
        ),
        Table(
            ("Dimension", "What it measures", "Starts at", "Weight"),
            rows,
            align="llrr",
            widths=(2, 7, 1, 1),
        ),
        Callout(
            "credibility = (legitimacy^w1 × capability^w2 × cohesion^w3 × resolve^w4 × "
            "sustainability^w5 × restraint^w6) ^ (1 / (w1 + … + w6))",
            lead="A weighted geometric mean.",
            formula=True,
        ),
        Paragraph(
            "Because the dimensions are multiplied, not added, one weak dimension drags the "
            "whole score down, and a dimension at zero makes it zero: a force that is legal but "
            "cannot fight, or strong but reckless, does not deter."
            + (" Here every dimension weighs the same." if equal else "")
        ),
        Subheading("Satisfaction: a score of your own"),
        Paragraph(
            "Each delegation also has a private satisfaction score, 0 to 100, from its own "
            "table of what each option is worth to it, how much it cares about credibility, "
            "what its pledges cost it, and any real red line the deal crosses. Against it "
            "stands its walk-away value: what it gets with no deal at all. A delegation should "
            "sign only a deal whose satisfaction beats its walk-away value."
        ),
        Paragraph(
            "Delegations declare red lines in public. Some are real and cost heavily if "
            "crossed; some are bluffs. Only each delegation's own brief says which."
        ),
    ]
    if s.ratifications:
        blocks.append(Subheading("After signing: the national votes"))
        blocks.append(
            Paragraph(
                "An adopted deal must still pass the national votes it concerns. Each passes or "
                "fails on that nation's support at home and on what the deal asks of it."
            )
        )
        blocks.append(
            Table(
                ("Vote", "Nation", "Why it is needed"),
                tuple(
                    (
                        v.body,
                        s.roles[v.role].name if v.role in s.roles else v.role,
                        " ".join(v.because.split()),
                    )
                    for v in s.ratifications
                ),
                widths=(2, 2, 7),
            )
        )
    if any(o.needs_unsc for i in s.issues.values() for o in i.options.values()):
        blocks.append(Subheading("The Security Council"))
        blocks.append(
            Paragraph(
                "An option marked as needing a Security Council resolution goes to the Council "
                "once the deal is adopted, where a veto blocks it. "
                + (
                    f"Members that may veto: {', '.join(vetoes)}."
                    if vetoes
                    else "No member at this table holds a veto."
                )
            )
        )
    blocks.append(Subheading("After ratification: the stress test"))
    blocks.append(
        Paragraph(
            f"A deal that comes into force is tested in {s.stress_test.draws:,} simulated "
            f"futures of {s.stress_test.years} years each, in which the other side probes the "
            "guarantee. The more credible the deal, the more often deterrence holds."
        )
    )
    return Section("How the game is scored", tuple(blocks), new_page=True)


def _turns_section(s: Scenario) -> Section:
    t = s.turns
    facts = (
        ("Rounds", f"{t.rounds}; the talks end without a deal after the last one"),
        ("Chair", f"{s.roles[s.chair].name} (acts first and may call votes)"),
        ("Order of play", " → ".join(s.roles[r].name for r in t.order)),
        ("First vote", f"round {t.first_vote_round}; no vote may be called before it"),
        ("Must sign", _names(s, s.signatories)),
        ("Private messages", f"up to {t.messages_per_turn} before each move"),
    )
    return Section(
        "How the talks run",
        (
            Facts(facts),
            Paragraph(
                "Each round opens with an event, scheduled or drawn from the deck, that may "
                "change the situation; some are told to one delegation only. Then each "
                "delegation acts in turn: propose or amend the package, pledge, support or "
                "object, send a private message, call a vote (the chair), or pass."
            ),
            Paragraph(
                "When a vote is called, every delegation votes. A deal is adopted only if every "
                "delegation that must sign accepts it; if it needs the Security Council, the "
                "Council must not veto it. The game also ends if a core member walks out."
            ),
        ),
    )


# --- a private brief ---------------------------------------------------------------------------


def private_brief(s: Scenario, role: str) -> Brief:
    """One delegation's confidential brief: its own secrets and a scoring sheet, no one else's.

    Raises:
        ValueError: the scenario has no such role.
    """
    role_id = find_role(s, role)
    spec = s.roles[role_id]
    sections = [
        Section(
            "Your position",
            (
                Facts(_numbers_at_a_glance(s, role_id)),
                Subheading("What you have said in public"),
                *_paragraphs(spec.public_position),
                Subheading("What only you know"),
                *_led_paragraphs(spec.private_brief),
            ),
        ),
        _red_lines_section(spec),
        _values_section(s, role_id),
        _pledges_and_support_section(s, role_id),
        _scoring_sheet_section(s, role_id),
    ]
    if spec.sources:
        sections.append(Section("Sources of your brief", (Sources(tuple(spec.sources)),)))
    return Brief(
        title=spec.name,
        audience=role_id,
        kicker=f"{s.title} · private brief",
        banner=f"CONFIDENTIAL — {spec.name} only",
        sections=tuple(sections),
    )


def walk_away_line(spec: Role) -> str:
    """How a private brief states the role's walk-away value (tests look for it)."""
    return f"Your walk-away value is {_num(spec.walk_away)}"


def _numbers_at_a_glance(s: Scenario, role_id: str) -> tuple[tuple[str, str], ...]:
    spec = s.roles[role_id]
    pairs = [
        ("Walk-away value", walk_away_line(spec) + ": sign nothing worth less to you."),
        ("Starting satisfaction", f"{_num(spec.base_satisfaction)}, before the deal is counted"),
        ("Credibility", _credibility_words(spec)),
        ("Support at home", f"{_num(spec.domestic_support)} of 100 at the start"),
        ("At the table", _position(s, role_id)),
    ]
    return tuple(pairs)


def _credibility_words(spec: Role) -> str:
    w = spec.credibility_weight
    if w == 0:
        return "the coalition's credibility does not move your satisfaction"
    if w > 0:
        return (
            f"you gain {_num(w)} satisfaction per point of credibility above 50, "
            "and lose as much per point below"
        )
    return (
        f"you lose {_num(-w)} satisfaction per point of credibility above 50, "
        "and gain as much per point below: a weak coalition suits you"
    )


def _red_lines_section(spec: Role) -> Section:
    if not spec.red_lines:
        return Section(
            "Your red lines",
            (Paragraph("You have declared no red lines."),),
        )
    rows = tuple(
        (
            line.text,
            "BLUFF" if line.bluff else "real",
            "nothing" if line.bluff else f"{_signed(-line.penalty)} satisfaction",
        )
        for line in spec.red_lines
    )
    return Section(
        "Your red lines",
        (
            Paragraph(
                "You have declared these in public. Only you know which are real. A bluff costs "
                "you nothing if it is crossed, but if you give way on it too easily the others "
                "may start to doubt your real ones."
            ),
            Table(
                ("Declared red line", "Real or bluff", "Cost if crossed"),
                rows,
                align="llr",
                widths=(7, 2, 2),
            ),
        ),
    )


def _values_section(s: Scenario, role_id: str) -> Section:
    spec = s.roles[role_id]
    rows = []
    for issue_id, issue in s.issues.items():
        table = spec.preferences.get(issue_id, {})
        best = max((table.get(o, 0.0) for o in issue.options), default=0.0)
        for n, (option_id, option) in enumerate(issue.options.items()):
            points = table.get(option_id, 0.0)
            notes = []
            if s.opening.get(issue_id) == option_id:
                notes.append("opening draft")
            if points == best and points > 0:
                notes.append("your best")
            rows.append(
                (issue.label if n == 0 else "", option.label, _signed(points), "; ".join(notes))
            )
    blocks: list[Block] = [
        Paragraph(
            "Satisfaction points each option adds to or takes from your starting point of "
            f"{_num(spec.base_satisfaction)}. Other delegations value them differently."
        ),
        Table(
            ("Issue", "Option", "Points", "Note"), tuple(rows), align="llrl", widths=(3, 4, 1, 2)
        ),
        Subheading("How much credibility matters to you"),
        Paragraph(_credibility_words(spec).capitalize() + "."),
    ]
    if spec.credibility_weight:
        blocks.append(
            Table(
                ("Coalition credibility", "30", "40", "50", "60", "70", "80"),
                (
                    (
                        "Points to you",
                        *(
                            _signed(round(spec.credibility_weight * (c - 50), 1))
                            for c in range(30, 90, 10)
                        ),
                    ),
                ),
                align="lrrrrrr",
            )
        )
    bonuses = [(r, r.satisfaction[role_id]) for r in s.rules if role_id in r.satisfaction]
    if bonuses:
        blocks.append(Subheading("Rules that move your satisfaction"))
        blocks.append(
            Table(
                ("When the rule fires", "Points"),
                tuple(
                    (" ".join(rule.because.split()), _signed(points)) for rule, points in bonuses
                ),
                align="lr",
                widths=(9, 1),
            )
        )
    return Section("What the deal is worth to you", tuple(blocks), new_page=True)


def _pledges_and_support_section(s: Scenario, role_id: str) -> Section:
    spec = s.roles[role_id]
    blocks: list[Block] = []
    if spec.coalition and spec.capacities:
        rows = tuple(
            (
                kind.label,
                f"{spec.capacities[kind_id]} {kind.unit}"
                if kind_id in spec.capacities
                else "cannot pledge",
                _num(spec.pledge_costs.get(kind_id, 0.0)) if kind_id in spec.capacities else "—",
            )
            for kind_id, kind in s.pledge_kinds.items()
        )
        blocks += [
            Paragraph(
                "What you can offer, and what each unit costs you: the cost comes off your "
                "satisfaction and off your support at home. Events may shrink what you can offer."
            ),
            Table(
                ("Kind", "Most you can pledge", "Cost per unit"),
                rows,
                align="lrr",
                widths=(3, 4, 2),
            ),
        ]
    elif spec.coalition:
        blocks.append(Paragraph("You have nothing to pledge: your strength is your vote."))
    else:
        blocks.append(
            Paragraph(
                "You are not a member of the coalition and make no pledges. Your weapons are "
                "your vote, your threats and your offers."
            )
        )
    blocks.append(Subheading("Support at home"))
    blocks.append(
        Paragraph(
            f"Your support at home starts at {_num(spec.domestic_support)} of 100. Every unit "
            "you pledge lowers it by its cost, and events can move it either way."
        )
    )
    votes = [v for v in s.ratifications if v.role == role_id]
    if votes:
        blocks.append(
            Table(
                ("Your vote at home", "Why it matters", "Needed when", "Passes when"),
                tuple((v.body, " ".join(v.because.split()), v.requires, v.passes) for v in votes),
                widths=(2, 6, 3, 3),
            )
        )
    else:
        blocks.append(Paragraph("No national vote in this scenario concerns you."))
    return Section("Pledges and politics at home", tuple(blocks))


def _weight_term(weight: float) -> str:
    """The credibility term of the satisfaction formula, with its sign in front."""
    sign = "−" if weight < 0 else "+"
    return f"{sign} {_num(abs(weight))} × (credibility − 50)"


def _scoring_sheet_section(s: Scenario, role_id: str) -> Section:
    spec = s.roles[role_id]
    rules = Ruleset(s)
    opening = dict(s.opening)
    card = rules.credibility_reference(opening, {})
    detail = rules.satisfaction_detail(role_id, opening, {}, card)
    rows: list[tuple[str, str]] = []
    for what, points in detail.parts:
        if what == "credibility":
            rows.append(
                (
                    f"credibility: {_signed(spec.credibility_weight)} × ({card.total:.1f} − 50)",
                    _signed(round(points, 1)),
                )
            )
        elif what == "starting point":
            rows.append((what, _num(points)))
        else:
            rows.append((what, _signed(round(points, 1))))
    verdict = "above" if detail.acceptable else "below"
    rows.append(
        (
            f"satisfaction (walk-away {_num(detail.walk_away)}: {verdict})",
            f"{detail.value:.1f}",
        )
    )
    sheet = tuple((str(n), "", "", "", "") for n in range(1, s.turns.rounds + 1))
    return Section(
        "Scoring sheet",
        (
            Paragraph(
                "Fill this in at the end of every round, from the deal on the table and the "
                "credibility score on the screen or the projector."
            ),
            Table(
                (
                    "Round",
                    "Deal on the table (notes)",
                    "Credibility",
                    "My satisfaction",
                    f"Above walk-away ({_num(spec.walk_away)})?",
                ),
                sheet,
                align="rlrrl",
                write_in=True,
                widths=(1, 6, 2, 2, 2),
            ),
            Callout(
                f"satisfaction = {_num(spec.base_satisfaction)} + points of each option in the "
                f"deal {_weight_term(spec.credibility_weight)} − units pledged × "
                "cost per unit − cost of each real red line crossed ± rules that move your "
                "satisfaction, kept between 0 and 100",
                lead="How your satisfaction is computed.",
                formula=True,
            ),
            Subheading("Worked example: the chair's opening draft, nothing pledged"),
            Table(("Part", "Points"), tuple(rows), align="lr", total=True, widths=(8, 2)),
        ),
        new_page=True,
    )


# --- the facilitator's guide -------------------------------------------------------------------


def facilitator_guide(s: Scenario) -> Brief:
    """The facilitator's guide: timing, the inject deck, every secret, and the debrief."""
    sections = [
        _before_section(s),
        _timing_section(s),
        _inject_section(s),
        _secrets_section(s),
        _debrief_section(s),
    ]
    return Brief(
        title=s.title,
        audience="facilitator",
        kicker="Facilitator's guide · do not hand out",
        banner="For the facilitator only: this guide reveals every delegation's walk-away value "
        "and bluffs.",
        sections=tuple(sections),
    )


def _before_section(s: Scenario) -> Section:
    n = len(s.roles)
    return Section(
        "Before the session",
        (
            Bullets(
                (
                    "Print one public brief for every participant.",
                    f"Print the {n} private briefs, one per delegation, and hand each to its "
                    "team face down; teams must not show them to each other.",
                    "Split the group into one team per delegation. With few people, let bots "
                    f"play the rest; {s.roles[s.chair].name} chairs, so give that seat a "
                    "confident team.",
                    "Put the game on a projector in the projector view, which shows only public "
                    "information, and keep this guide out of sight.",
                    "Decide beforehand which events from the deck you will play, and when (see "
                    "the inject deck below).",
                )
            ),
        ),
    )


def _session_plan(s: Scenario, total: int) -> tuple[list[tuple[str, int, str]], int]:
    """Segments (name, minutes, notes) for a session of about ``total`` minutes, and the
    minutes each round gets."""
    n_roles = len(s.roles)
    long = total >= 75
    setup = 5 if long else 3
    reading = 15 if long else 10
    openings = min(12, 2 * n_roles) if long else min(6, n_roles)
    final = 6 if long else 4
    debrief = 20 if long else 12
    fixed = setup + reading + openings + final + debrief
    rounds = s.turns.rounds
    per_round = max(2, (total - fixed) // rounds)
    debrief += max(0, total - fixed - per_round * rounds)
    plan = [
        ("Setup and hand-out", setup, "Seat the teams, hand out the briefs."),
        ("Reading", reading, "Public brief first, then the private brief; no talking."),
        ("Opening statements", openings, "Each delegation states its public position."),
        (
            f"Rounds 1–{rounds}",
            per_round * rounds,
            f"{per_round} minutes a round; see the round plan below.",
        ),
        ("Final vote, ratification, stress test", final, "Read out the national votes."),
        ("Debrief", debrief, "Use the questions at the end of this guide."),
    ]
    return plan, per_round


def _timing_section(s: Scenario) -> Section:
    short, short_round = _session_plan(s, 60)
    long, long_round = _session_plan(s, 90)
    rows = tuple((a[0], str(a[1]), str(b[1]), a[2]) for a, b in zip(short, long, strict=True))
    rows += (("Total", str(sum(a[1] for a in short)), str(sum(b[1] for b in long)), ""),)
    scheduled = {i.round: i for i in s.injects if i.round is not None}
    round_rows = []
    for r in range(1, s.turns.rounds + 1):
        notes = []
        inject = scheduled.get(r)
        if inject is not None:
            notes.append(f"Scheduled event: {inject.title}")
            if inject.forces_vote:
                notes.append("the chair must call a vote")
        elif s.turns.inject_chance > 0:
            notes.append(f"An event is drawn with chance {s.turns.inject_chance:.0%}")
        if r == s.turns.first_vote_round:
            notes.append("votes may be called from now on")
        if r == s.turns.rounds:
            notes.append("last round: no deal if no vote passes")
        round_rows.append((str(r), str(short_round), str(long_round), "; ".join(notes)))
    blocks: list[Block] = [
        Paragraph(
            "Two plans, for a 60-minute and a 90-minute session. Announce the time left in "
            "each round; a visible timer keeps the talks moving. If a round ends early, move on."
        ),
        Table(
            ("Part", "60 min", "90 min", "What happens"),
            rows,
            align="lrrl",
            total=True,
            widths=(4, 1, 1, 6),
        ),
        Subheading("Round by round"),
        Table(
            ("Round", "60 min", "90 min", "What to expect"),
            tuple(round_rows),
            align="rrrl",
            widths=(1, 1, 1, 9),
        ),
    ]
    if short_round <= 2:
        blocks.append(
            Callout(
                f"This scenario has {s.turns.rounds} rounds, which leaves very little time per "
                "round in an hour: set up the game with fewer rounds.",
                lead="Too many rounds?",
            )
        )
    return Section("Timing plan", tuple(blocks), new_page=True)


def _effect_words(s: Scenario, inject: Inject) -> str:
    """An inject's effects in plain words."""
    parts = []
    if inject.effects:
        parts.append(
            "credibility: " + ", ".join(f"{d} {_signed(v)}" for d, v in inject.effects.items())
        )
    if inject.walk_away:
        parts.append(
            "walk-away: "
            + ", ".join(f"{_role_name(s, r)} {_signed(v)}" for r, v in inject.walk_away.items())
        )
    if inject.support:
        parts.append(
            "support at home: "
            + ", ".join(f"{_role_name(s, r)} {_signed(v)}" for r, v in inject.support.items())
        )
    if inject.capacities:
        parts.append(
            "pledge limits: "
            + ", ".join(
                f"{_role_name(s, r)} {_signed(v)} "
                + (s.pledge_kinds[k].unit if k in s.pledge_kinds else k)
                for r, kinds in inject.capacities.items()
                for k, v in kinds.items()
            )
        )
    if inject.forces_vote:
        parts.append("the chair must call a vote this round")
    return "\n".join(parts) if parts else "no effect on the numbers: it is news"


def _role_name(s: Scenario, role_id: str) -> str:
    return s.roles[role_id].name if role_id in s.roles else role_id


def _use_words(s: Scenario, inject: Inject) -> str:
    """When an inject is worth playing, judged from its effects."""
    uses = []
    harder = sum(v for r, v in inject.walk_away.items() if r in s.signatories)
    softer = any(v < 0 for v in inject.walk_away.values())
    weaker = sum(v for v in inject.effects.values() if v < 0)
    stronger = sum(v for v in inject.effects.values() if v > 0)
    if inject.forces_vote:
        uses.append("force a decision; keep it for the late rounds")
    if harder > 0:
        uses.append("raise the price of agreement when a deal comes too easily")
    if softer:
        uses.append("break a deadlock by softening a holdout")
    if weaker <= -6:
        uses.append("test whether the package can absorb a shock")
    elif weaker < 0 and stronger <= 0:
        uses.append("chip at a package that looks too comfortable")
    elif stronger > 0 and weaker == 0:
        uses.append("reward a group that is close to a deal")
    if any(v < 0 for v in inject.support.values()) or any(
        v < 0 for kinds in inject.capacities.values() for v in kinds.values()
    ):
        uses.append("put ratification or pledges at risk")
    if inject.visible_to:
        uses.append("change one hand in secret, mid-game")
    if not uses:
        uses.append("add colour in a quiet round")
    return "\n".join(u[0].upper() + u[1:] + "." for u in uses[:3])


def _inject_section(s: Scenario) -> Section:
    if not s.injects:
        return Section("The inject deck", (Paragraph("This scenario has no injects."),))
    drawn_weight = sum(i.weight for i in s.injects if i.round is None)
    rows = []
    for inject in sorted(s.injects, key=lambda i: (i.round is None, i.round or 0)):
        if inject.round is not None:
            when = f"round {inject.round}"
        elif drawn_weight > 0:
            when = f"drawn ({inject.weight / drawn_weight:.0%} of draws)"
        else:
            when = "drawn (never, weight 0)"
        who = "only " + _names(s, inject.visible_to) if inject.visible_to else "everyone"
        rows.append((inject.title, when, who, _effect_words(s, inject), _use_words(s, inject)))
    return Section(
        "The inject deck",
        (
            Paragraph(
                "Scheduled events strike at the start of their round. In a round without one, "
                f"an event is drawn from the rest of the deck with chance "
                f"{s.turns.inject_chance:.0%}. From the facilitator seat you can also play any "
                "event yourself. Effects last for the rest of the game; a higher walk-away value "
                "makes a delegation harder to satisfy."
            ),
            Table(
                ("Event", "When", "Who is told", "Effects", "Use it to"),
                tuple(rows),
                widths=(3, 2, 2, 4, 4),
            ),
            Subheading("Raising and easing the pressure"),
            Bullets(
                (
                    "Let the first rounds settle: teams need a round or two to learn the numbers "
                    "before a shock means anything.",
                    "If the group converges quickly, play an event that raises signatories' "
                    "walk-away values or weakens credibility just before votes open, and see "
                    "whether the deal survives it.",
                    "If the talks stall, play an event that lowers a holdout's walk-away value: "
                    "it widens the zone of possible agreement without telling anyone why.",
                    "Private events are the best test of trust: only one team knows its hand "
                    "has changed. Watch whether it tells the others.",
                    "Keep events that force a vote for the last third of the game, when a "
                    "deadline is believable.",
                )
            ),
        ),
        new_page=True,
    )


def _secrets_section(s: Scenario) -> Section:
    rows = []
    for role_id, role in s.roles.items():
        lines = role.red_lines or ()
        first = (
            role.name,
            _num(role.walk_away),
            _num(role.domestic_support),
            "yes" if role_id in s.signatories else "no",
        )
        if not lines:
            rows.append((*first, "none declared", "", ""))
        for n, line in enumerate(lines):
            rows.append(
                (
                    *(first if n == 0 else ("", "", "", "")),
                    line.text,
                    "BLUFF" if line.bluff else "real",
                    "" if line.bluff else _signed(-line.penalty),
                )
            )
    return Section(
        "Every delegation's secrets",
        (
            Paragraph(
                "Walk-away values and red lines at a glance. A red line marked BLUFF costs its "
                "delegation nothing when crossed; a real one costs the points shown."
            ),
            Table(
                (
                    "Delegation",
                    "Walk-away",
                    "Support",
                    "Signs",
                    "Declared red line",
                    "Real?",
                    "Cost",
                ),
                tuple(rows),
                align="lrrllll",
                widths=(2, 1, 1, 1, 6, 1, 1),
                grouped=True,
            ),
        ),
        new_page=True,
    )


def _debrief_section(s: Scenario) -> Section:
    blocks: list[Block] = []
    if s.discussion:
        blocks += [
            Subheading("About this scenario"),
            Bullets(tuple(" ".join(q.split()) for q in s.discussion), ordered=True),
        ]
    blocks += [
        Subheading("About negotiation"),
        Bullets(GENERAL_QUESTIONS, ordered=True),
        Paragraph(
            "Close by reading out each delegation's walk-away value and bluffs from the page "
            "above, then let each team say in one sentence what it would do differently."
        ),
    ]
    return Section("Debrief questions", tuple(blocks), new_page=True)


# --- Markdown ----------------------------------------------------------------------------------

_LINK = re.compile(r"^[a-z][a-z0-9+.-]*://[^\s<>]+$", re.IGNORECASE)


def _md_table(t: Table) -> list[str]:
    marks = {"l": "---", "r": "--:"}
    align = t.align.ljust(len(t.head), "l")
    lines = [
        "| " + " | ".join(md_text(h) for h in t.head) + " |",
        "| " + " | ".join(marks.get(a, "---") for a in align) + " |",
    ]
    for n, row in enumerate(t.rows):
        cells = [
            md_text(c.replace("\n", "; ")) if c else (" " if not t.write_in else "   ") for c in row
        ]
        if t.total and n == len(t.rows) - 1:
            cells = [f"**{c}**" if c.strip() else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        lead = f"**{md_text(block.lead)}** " if block.lead else ""
        return [lead + md_text(block.text)]
    if isinstance(block, Subheading):
        return [f"### {md_text(block.text)}"]
    if isinstance(block, Bullets):
        if block.ordered:
            return [f"{n}. {md_text(item)}" for n, item in enumerate(block.items, start=1)]
        return [f"- {md_text(item)}" for item in block.items]
    if isinstance(block, Facts):
        return [f"- **{md_text(term)}:** {md_text(value)}" for term, value in block.pairs]
    if isinstance(block, Table):
        return _md_table(block)
    if isinstance(block, Callout):
        lead = f"**{md_text(block.lead)}** " if block.lead else ""
        text = f"`{block.text.replace('`', chr(39))}`" if block.formula else md_text(block.text)
        return [f"> {lead}{text}"]
    # Sources: a bare link becomes an autolink, which Markdown leaves unescaped.
    return [f"- <{item}>" if _LINK.match(item) else f"- {md_text(item)}" for item in block.items]


def to_markdown(b: Brief) -> str:
    """A brief as a Markdown document."""
    out = [f"# {md_text(b.title)}", "", f"*{md_text(b.kicker)}*", ""]
    if b.banner:
        out += [f"> **{md_text(b.banner)}**", ""]
    for section in b.sections:
        out += [f"## {md_text(section.title)}", ""]
        for block in section.blocks:
            out += [*_md_block(block), ""]
    return "\n".join(out).rstrip() + "\n"


# --- HTML --------------------------------------------------------------------------------------

STYLE = (
    BASE_STYLE
    + """
.brief { max-width: 900px; margin: 24px auto; background: #fff; padding: 36px 48px 48px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, .12); border-radius: 4px; }
h1 { font-size: 28px; line-height: 1.2; margin: 2px 0 10px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 20px 0 6px; }
p { margin: 8px 0; }
.kicker { margin: 0; color: var(--muted); font-size: 12px; letter-spacing: .08em;
  text-transform: uppercase; }
.banner { margin: 12px 0 18px; padding: 10px 14px; border: 2px solid #b42318;
  border-left-width: 8px; background: #fff1f0; border-radius: 4px; font-size: 17px;
  font-weight: 700; letter-spacing: .02em; }
.running { display: none; }
.callout { margin: 12px 0; padding: 10px 14px; border-left: 4px solid var(--accent);
  background: #f3f6f9; }
.callout code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 13px; }
table { width: 100%; margin: 8px 0 16px; border-collapse: collapse; font-size: 14px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
th { color: var(--muted); font-size: 12px; letter-spacing: .04em; text-transform: uppercase;
  border-bottom: 2px solid var(--ink); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
tr.group td { border-top: 2px solid #8c96a3; }
table.grouped td:first-child { font-weight: 600; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); border-bottom: none; }
table.sheet td { height: 40px; border: 1px solid #8c96a3; }
table.sheet th { border: 1px solid #8c96a3; }
td code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 12px; }
.bluff { font-weight: 700; color: #9a6700; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px;
  margin: 8px 0 16px; }
dl.facts dt { font-weight: 700; }
dl.facts dd { margin: 0; }
ol li, ul li { margin-bottom: 6px; }
ul.sources { font-size: 12.5px; color: var(--muted); overflow-wrap: anywhere; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@media screen and (max-width: 720px) {
  .brief { padding: 20px; margin: 0; }
}
@page { size: auto; margin: 15mm; }
@media print {
  html, body { background: #fff; color: #000; }
  body { font-size: 10.5pt; }
  .brief { max-width: none; margin: 0; padding: 0; box-shadow: none; border-radius: 0; }
  section.page { break-before: page; }
  section.page h2 { margin-top: 0; }
  .running { display: block; margin: 0 0 6px; font-size: 8.5pt; font-weight: 700;
    letter-spacing: .08em; text-transform: uppercase; }
  h2, h3 { break-after: avoid; }
  h2 { border-color: #000; }
  th, .kicker, footer, ul.sources, .bluff { color: #000; }
  th { border-color: #000; }
  table, dl.facts, .callout, .banner { break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 9.5pt; }
  .banner, .callout { background: none; border-color: #000; }
  table.sheet td, table.sheet th { border-color: #000; }
  table.sheet td { height: 11mm; }
}
"""
)


def _html_cell(text: str, tag: str, align: str, code: bool) -> str:
    cls = ' class="num"' if align == "r" else ""
    body = "<br>".join(esc(line) for line in text.split("\n"))
    if text in ("BLUFF",):
        body = f'<span class="bluff">{body}</span>'
    elif code and text:
        body = f"<code>{body}</code>"
    return f"<{tag}{cls}>{body}</{tag}>"


def _html_table(t: Table) -> str:
    align = t.align.ljust(len(t.head), "l")
    # Expression columns of the ratification table read as code.
    code_cols = {n for n, h in enumerate(t.head) if h in ("Needed when", "Passes when")}
    colgroup = ""
    if t.widths and len(t.widths) == len(t.head):
        total = sum(t.widths)
        colgroup = (
            "<colgroup>"
            + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in t.widths)
            + "</colgroup>"
        )
    head = "".join(_html_cell(h, "th", a, False) for h, a in zip(t.head, align, strict=True))
    rows = []
    for n, row in enumerate(t.rows):
        if t.total and n == len(t.rows) - 1:
            cls = ' class="total"'
        elif t.grouped and n and row[0]:
            cls = ' class="group"'
        else:
            cls = ""
        cells = "".join(
            _html_cell(c, "td", a, k in code_cols)
            for k, (c, a) in enumerate(zip(row, align, strict=True))
        )
        rows.append(f"<tr{cls}>{cells}</tr>")
    cls = ' class="sheet"' if t.write_in else (' class="grouped"' if t.grouped else "")
    return (
        f"<table{cls}>{colgroup}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _source_text(source: str) -> str:
    """A source without its scheme: "https://www.x.org/a" reads "x.org/a"."""
    return re.sub(r"(?i)^[a-z][a-z0-9+.-]*://(www\.)?", "", source.strip())


def _html_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        lead = f"<strong>{esc(block.lead)}</strong> " if block.lead else ""
        return f"<p>{lead}{esc(block.text)}</p>"
    if isinstance(block, Subheading):
        return f"<h3>{esc(block.text)}</h3>"
    if isinstance(block, Bullets):
        tag = "ol" if block.ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{esc(i)}</li>" for i in block.items) + f"</{tag}>"
    if isinstance(block, Facts):
        return (
            '<dl class="facts">'
            + "".join(f"<dt>{esc(t)}</dt><dd>{esc(v)}</dd>" for t, v in block.pairs)
            + "</dl>"
        )
    if isinstance(block, Table):
        return _html_table(block)
    if isinstance(block, Callout):
        lead = f"<strong>{esc(block.lead)}</strong> " if block.lead else ""
        if block.formula:
            return (
                f'<div class="callout"><p>{lead}</p>'
                f'<p class="formula"><code>{esc(block.text)}</code></p></div>'
            )
        return f'<div class="callout"><p>{lead}{esc(block.text)}</p></div>'
    return (
        '<ul class="sources">'
        + "".join(f"<li>{esc(_source_text(i))}</li>" for i in block.items)
        + "</ul>"
    )


def to_html(b: Brief) -> str:
    """A brief as one self-contained HTML page, ready to print."""
    running = (
        f'<p class="running">{esc(b.banner)}</p>'
        if b.audience
        not in (
            "public",
            "facilitator",
        )
        and b.banner
        else ""
    )
    parts = [
        "<header>",
        f'<p class="kicker">{esc(b.kicker)}</p>',
        f"<h1>{esc(b.title)}</h1>",
        f'<div class="banner" role="note">{esc(b.banner)}</div>' if b.banner else "",
        "</header>",
    ]
    for section in b.sections:
        cls = ' class="page"' if section.new_page else ""
        blocks = "".join(_html_block(block) for block in section.blocks)
        lead = running if section.new_page else ""
        parts.append(f"<section{cls}>{lead}<h2>{esc(section.title)}</h2>{blocks}</section>")
    parts.append(f"<footer><p>{esc(b.kicker)} · {esc(b.title)}</p></footer>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(b.kicker)}: {esc(b.title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        '<body>\n<main class="brief">\n' + "\n".join(p for p in parts if p) + "\n</main>\n"
        "</body>\n</html>\n"
    )


# --- files -------------------------------------------------------------------------------------


def _file_stem(role_id: str) -> str:
    """A role's file name stem, kept apart from the public brief and the guide."""
    return f"role-{role_id}" if role_id in ("public", "facilitator") else role_id


def write_briefs(s: Scenario, folder: Path, fmt: str, role: str | None = None) -> list[Path]:
    """Write the public brief, the private briefs and the facilitator's guide into ``folder``.

    Args:
        s: the scenario.
        folder: where to write (created if missing).
        fmt: "md" or "html".
        role: write only this role's private brief (by id or name); None writes all of them.

    Returns:
        The paths written: public, then the private briefs in table order, then the guide.

    Raises:
        ValueError: an unknown format or role, with a one-line message.
    """
    if fmt not in FORMATS:
        raise ValueError(f'unknown brief format "{fmt}" (use md or html)')
    render = to_markdown if fmt == "md" else to_html
    roles = [find_role(s, role)] if role is not None else list(s.roles)
    briefs: list[tuple[str, Brief]] = [("public", public_brief(s))]
    briefs += [(_file_stem(r), private_brief(s, r)) for r in roles]
    briefs.append(("facilitator", facilitator_guide(s)))
    written = []
    for stem, brief in briefs:
        path = Path(folder) / f"{stem}.{fmt}"
        write_atomic(path, render(brief))
        written.append(path)
    return written


Format = Literal["md", "html"]
"""The formats as a type, for callers that want one."""

__all__ = [
    "FORMATS",
    "Brief",
    "Format",
    "Section",
    "facilitator_guide",
    "find_role",
    "private_brief",
    "public_brief",
    "to_html",
    "to_markdown",
    "walk_away_line",
    "write_briefs",
]
