"""A game's debrief as a Markdown document: for a course wiki, a chat, or printing via pandoc.

Markdown has no charts, so the way the scores moved is shown as a table, one row per round.
Every piece of scenario and player text is escaped: a message is user text, and Markdown
passes raw HTML through to whatever renders it. So are team names: students type them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import pairwise

from negotiation.report.debrief import Debrief, LogLine, PackageLine
from negotiation.report.timeline import TimelinePoint

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_text(text: str) -> str:
    """Text as literal Markdown: specials backslash-escaped, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> list[str]:
    """A Markdown table; ``align`` has one letter per column: l, r or c (default l)."""
    marks = {"l": "---", "r": "--:", "c": ":-:"}
    align = align.ljust(len(head), "l")
    lines = [
        "| " + " | ".join(head) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return [*lines, ""]


def _signed(value: float) -> str:
    return f"{value:+.1f}"


def round_ends(points: Sequence[TimelinePoint], over: bool) -> list[tuple[str, TimelinePoint]]:
    """The opening, the end of each round and the last step, each with a label.

    The action that ends a round already leaves the game in the next one, so a round's end is
    the first point that reads a later round.
    """
    if not points:
        return []
    ends = [("opening", points[0])]
    for before, point in pairwise(points):
        if point.round != before.round:
            ends.append((f"end of round {before.round}", point))
    last = points[-1]
    if ends[-1][1] is not last:
        ends.append((f"{'end' if over else 'now'} (round {last.round})", last))
    return ends


def to_markdown(d: Debrief) -> str:
    """The debrief as a Markdown document."""
    out: list[str] = []
    add = out.append
    add(f"# Debrief: {md_text(d.scenario_title)}")
    add("")
    if d.in_progress:
        add(
            f"> **Game in progress.** This debrief shows the standing after step {d.steps}, "
            f"round {d.rounds_played} of {d.max_rounds}; the game has not ended."
        )
        add("")
    facts = []
    if d.name:
        facts.append(f"**Game:** {md_text(d.name)}")
    facts += [
        f"**Scenario:** {md_text(d.scenario_id)} (version {md_text(d.scenario_version)})",
        f"**Seed:** {d.seed}",
        f"**Status:** {md_text(d.status_text)}",
        f"**Round:** {d.rounds_played} of {d.max_rounds}",
        f"**Steps:** {d.steps}",
    ]
    add(" · ".join(facts))
    add("")
    add(f"{md_text(d.headline)}")
    add("")
    add(f"**Credibility: {d.scorecard.total:.1f} / 100**")
    add("")

    if d.teams:
        add("## Delegations")
        add("")
        out += [f"- **{md_text(r.name)}** — {md_text(r.team_label)}" for r in d.teams]
        add("")

    add("## The deal on the table")
    add("")
    out += _table(["Issue", "Option"], ([md_text(i), md_text(o)] for i, o in d.deal.items()))
    if d.pledges:
        add("### Pledges")
        add("")
        out += _table(
            ["Delegation", "Pledges"],
            ([md_text(name), md_text(", ".join(p))] for name, p in d.pledges.items()),
        )
    else:
        add("No pledges stand.")
        add("")
    if d.events:
        add("Events that struck: " + "; ".join(md_text(e) for e in d.events) + ".")
        add("")

    add("## Credibility")
    add("")
    add(
        f"Total **{d.scorecard.total:.1f}** / 100: the weighted geometric mean of six "
        "dimensions, so the weakest one weighs most."
    )
    add("")
    out += _table(
        ["Dimension", "Value"],
        ([md_text(dim.capitalize()), f"{v:.1f}"] for dim, v in d.scorecard.dimensions.items()),
        "lr",
    )
    add("### Rules that fired")
    add("")
    if d.scorecard.moving:
        out += _table(
            ["Rule", "Effect", "Because", "Source"],
            (
                [
                    f"`{rule.id}`",
                    md_text(", ".join(f"{k} {v:+g}" for k, v in rule.effect.items())) or "—",
                    md_text(rule.because),
                    md_text(rule.source) or "—",
                ]
                for rule in d.scorecard.moving
            ),
        )
    else:
        add("No rule fired: every dimension stands at its base value.")
        add("")

    add("## Delegations against their walk-away values")
    add("")
    out += _table(
        ["Delegation", "Satisfaction", "Walk-away", "Margin", "Verdict"],
        (
            [
                md_text(r.name)
                + (f" — {md_text(r.team)}" if r.team else "")
                + (" (signatory)" if r.signatory else ""),
                f"{r.satisfaction:.1f}",
                f"{r.walk_away:.1f}",
                _signed(r.margin),
                "above walk-away" if r.above else "**below walk-away**",
            ]
            for r in d.roles
        ),
        "lrrrl",
    )

    add("## Ratification and the stress test")
    add("")
    if d.ratifications:
        out += _table(
            ["Parliament", "Nation", "Result", "Why it votes"],
            (
                [
                    md_text(v.body),
                    md_text(v.name),
                    "passed" if v.passed else "**failed**",
                    md_text(v.because),
                ]
                for v in d.ratifications
            ),
        )
    else:
        add("No national vote was held: the deal was not adopted.")
        add("")
    if d.stress is not None:
        s = d.stress
        add(
            f"Deterrence held in **{s.held:,} of {s.draws:,}** simulated futures "
            f"(**{s.hold_rate:.0%}**); a single probe is deterred with chance "
            f"{s.deterrence:.0%}. In the future told here it "
            f"{'held' if s.held_this_time else 'broke'}:"
        )
        add("")
        out += [f"- {md_text(line)}" for line in s.narrative]
        add("")
    else:
        add("No stress test was run: the deal did not come into force.")
        add("")

    add("## How the scores moved")
    add("")
    add("Credibility and each delegation's satisfaction at the end of each round.")
    add("")
    roles = list(d.names)
    out += _table(
        ["When", "Step", "Credibility", *(md_text(d.names[r]) for r in roles)],
        (
            [
                label,
                str(p.step),
                f"{p.credibility:.1f}",
                *(f"{p.satisfaction[r]:.1f}" for r in roles),
            ]
            for label, p in round_ends(d.timeline, not d.in_progress)
        ),
        "l" + "r" * (2 + len(roles)),
    )

    add("## The deal against the analysis")
    add("")
    a = d.analysis
    if a is None:
        add(md_text(d.no_analysis))
        add("")
    else:
        add(
            f"- **ZOPA:** {a.zopa_size:,} of {a.packages:,} packages leave every signatory above "
            "its walk-away value."
        )
        add(f"- **In the ZOPA:** {'yes' if a.in_zopa else 'no'}")
        add(
            "- **On the Pareto frontier:** "
            + (
                "yes"
                if a.on_pareto_frontier
                else f"no: {a.dominated_by:,} packages are at least as good for every "
                "signatory and for credibility, and better for one"
            )
        )
        if a.left_on_table is not None:
            add(
                f"- **Credibility left on the table:** {_signed(a.left_on_table)} "
                "(most credible acceptable package minus this deal)"
            )
        add("")
        out += _packages_table(d, a.nash, a.most_credible)
        if a.nash is not None:
            add(
                "The Nash solution is the most credible acceptable package."
                if a.nash_is_most_credible
                else "The Nash solution is not the most credible acceptable package: what the "
                "parties find fair and what would deter are not the same deal."
            )
            add("")
        add("### What would have raised credibility most")
        add("")
        if d.what_if:
            out += _table(
                ["Change", "Credibility", "Who gains", "Who loses"],
                (
                    [
                        md_text(w.change),
                        _signed(w.credibility),
                        md_text(", ".join(w.gains)) or "—",
                        md_text(", ".join(w.losses)) or "—",
                    ]
                    for w in d.what_if
                ),
                "lrll",
            )
        else:
            add("No single change is possible.")
            add("")

    if d.discussion:
        add("## Questions for discussion")
        add("")
        out += [f"{n}. {md_text(q)}" for n, q in enumerate(d.discussion, start=1)]
        add("")

    if d.notes:
        add("## The facilitator's notes")
        add("")
        out += [f"- Round {line.round}, step {line.step}: {md_text(line.said)}" for line in d.notes]
        add("")

    add("## Log")
    add("")
    add(
        "Private lines are marked with the delegations that saw them, and the facilitator's "
        "notes as such; a team's moves carry its name."
    )
    add("")
    out += _table(
        ["Step", "Round", "Who", "What", "Seen by"],
        (
            [
                str(line.step),
                str(line.round),
                md_text(line.actor) + (f" ({md_text(line.team)})" if line.team else ""),
                md_text(line.text),
                _seen(line),
            ]
            for line in d.log
        ),
        "rr",
    )
    return "\n".join(out).rstrip() + "\n"


def _seen(line: LogLine) -> str:
    """Who saw a log line, for the log's last column."""
    if line.note:
        return "**facilitator's note**"
    if line.private:
        return "private: " + md_text(", ".join(line.seen_by))
    return "all"


def _packages_table(d: Debrief, nash: PackageLine | None, best: PackageLine | None) -> list[str]:
    """This deal beside the Nash solution and the most credible acceptable package."""
    columns: list[tuple[str, dict[str, str], float]] = [("This deal", d.deal, d.scorecard.total)]
    if nash is not None:
        columns.append(("Nash solution", nash.package, nash.credibility))
    if best is not None:
        columns.append(("Most credible acceptable", best.package, best.credibility))
    if len(columns) == 1:
        return ["The ZOPA is empty: no package satisfies every signatory.", ""]
    rows = [
        [md_text(issue), *(md_text(pkg.get(issue, "")) for _, pkg, _ in columns)]
        for issue in d.deal
    ]
    rows.append(["**Credibility**", *(f"**{c:.1f}**" for _, _, c in columns)])
    return _table(["Issue", *(title for title, _, _ in columns)], rows)
