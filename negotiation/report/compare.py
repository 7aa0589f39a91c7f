"""Several groups' games of one scenario, side by side: "same brief, six different deals: why?"

In a classroom every group plays the same scenario on its own laptop and hands in its save.
The instructor's question is then not how one game went but why the games went apart: which
options each group settled on, how credible each deal was and on which dimension, who was left
below their walk-away value, and, for the most against the least credible deals, the issues,
rules, pledges and events that tell them apart.

Each game is read through :func:`negotiation.report.debrief.debrief_of`, so the comparison
shows the same numbers as each group's own debrief and never recomputes them. A
:class:`Comparison` is plain data; :func:`to_markdown`, :func:`to_html` and :func:`to_json`
only lay it out. Like a debrief it is an instructor's view: it shows every role's private
satisfaction.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from negotiation.engine import GameState, Status
from negotiation.files import read_user_file
from negotiation.report.debrief import Debrief, RoleStanding, debrief_of
from negotiation.report.html import (
    ROLE_COLOURS,
    STYLE,
    esc,
)
from negotiation.report.markdown import md_text
from negotiation.rules import FiredRule
from negotiation.savefile import MAX_SAVE_BYTES, SaveError, SaveFile, loads, replay_states

FORMAT = "negotiation-compare"
VERSION = 1

STATUS_SHORT: Mapping[Status, str] = {
    Status.NEGOTIATING: "in progress",
    Status.ADOPTED: "adopted",
    Status.UNRATIFIED: "unratified",
    Status.COLLAPSED: "collapsed",
    Status.NO_DEAL: "no deal",
}
"""A status in one or two words, for a table cell."""

NO_OPTION = "—"
"""Stands for an issue a deal leaves open (kept so that per-issue counts add up)."""


# --- data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupGame:
    """One group's game, read from its save and replayed.

    Attributes:
        label: the group's name in the comparison (the save's name, or its file's stem),
            unique among the games compared.
        source: the save file it came from.
        save: the save as read.
        final: the state at the end of the replay.
        debrief: the game's debrief.
    """

    label: str
    source: str
    save: SaveFile
    final: GameState
    debrief: Debrief


@dataclass(frozen=True)
class GroupLine:
    """What one group's game came to.

    Attributes:
        label: the group's name.
        source: its save file.
        seed: its seed.
        status: how the game ended or stands.
        status_text: that in one or two words.
        in_progress: True if the game has not ended.
        headline: one sentence on how it ended (from its debrief).
        rounds_played: the round the game reached.
        max_rounds: rounds it could last.
        steps: actions applied.
        deal: the deal on the table: issue label -> option label, in table order.
        pledges: pledge kind label -> units pledged in all, for kinds anyone pledged.
        credibility: credibility of the deal on the table.
        dimensions: each credibility dimension, in display order.
        roles: every delegation's satisfaction against its walk-away value.
        stress_hold_rate: the share of simulated futures in which deterrence held, if the
            deal came into force.
        in_zopa: True if the deal leaves every signatory above its walk-away value.
        fired: ids of the rules that held for the deal and moved its credibility.
        events: titles of the events that struck.
    """

    label: str
    source: str
    seed: int
    status: Status
    status_text: str
    in_progress: bool
    headline: str
    rounds_played: int
    max_rounds: int
    steps: int
    deal: dict[str, str]
    pledges: dict[str, int]
    credibility: float
    dimensions: dict[str, float]
    roles: tuple[RoleStanding, ...]
    stress_hold_rate: float | None
    in_zopa: bool
    fired: tuple[str, ...]
    events: tuple[str, ...]

    @property
    def signatories_above(self) -> tuple[int, int]:
        """(signatories at or above their walk-away value, signatories)."""
        signing = [r for r in self.roles if r.signatory]
        return sum(r.above for r in signing), len(signing)


@dataclass(frozen=True)
class IssueChoice:
    """Which options the groups settled on for one issue.

    Attributes:
        issue: the issue's label.
        groups: option label -> labels of the groups that chose it, every option of the
            issue in table order (an option nobody chose has no groups).
    """

    issue: str
    groups: dict[str, tuple[str, ...]]

    @property
    def counts(self) -> dict[str, int]:
        """Option label -> how many groups chose it."""
        return {option: len(labels) for option, labels in self.groups.items()}

    @property
    def unanimous(self) -> bool:
        """True if every group chose the same option."""
        return sum(1 for labels in self.groups.values() if labels) == 1


@dataclass(frozen=True)
class Spread:
    """How far apart the groups' credibility lies.

    Attributes:
        low: the lowest.
        high: the highest.
        mean: the mean.
        lowest: label of a group with the lowest.
        highest: label of a group with the highest.
    """

    low: float
    high: float
    mean: float
    lowest: str
    highest: str

    @property
    def range(self) -> float:
        """Highest minus lowest."""
        return self.high - self.low


@dataclass(frozen=True)
class RuleNote:
    """A rule that held for one deal of a pair and not for the other.

    Attributes:
        id: the rule's id.
        because: why it holds, in the scenario's words.
        effect: points it moves on each dimension.
        source: where it comes from, possibly empty.
    """

    id: str
    because: str
    effect: dict[str, float]
    source: str = ""


@dataclass(frozen=True)
class WhyHint:
    """Why a more credible deal beat a less credible one: what tells the two apart.

    Attributes:
        higher: label of the more credible group.
        lower: label of the less credible group.
        higher_credibility: its credibility.
        lower_credibility: the other's.
        issues: (issue, higher's option, lower's option) for every issue they settled
            differently.
        only_higher: rules that held for the higher deal only.
        only_lower: rules that held for the lower deal only.
        dimensions: dimension -> higher minus lower, largest gap first.
        pledges: pledge kind -> (higher's units, lower's units) where they differ.
        events_only_higher: events that struck in the higher game only.
        events_only_lower: events that struck in the lower game only.
    """

    higher: str
    lower: str
    higher_credibility: float
    lower_credibility: float
    issues: tuple[tuple[str, str, str], ...]
    only_higher: tuple[RuleNote, ...]
    only_lower: tuple[RuleNote, ...]
    dimensions: dict[str, float]
    pledges: dict[str, tuple[int, int]]
    events_only_higher: tuple[str, ...]
    events_only_lower: tuple[str, ...]

    @property
    def gap(self) -> float:
        """Credibility of the higher deal minus the lower's."""
        return self.higher_credibility - self.lower_credibility

    @property
    def moved(self) -> list[tuple[str, float]]:
        """The dimensions that differ by a shown amount (at least 0.05 points)."""
        return [(dim, gap) for dim, gap in self.dimensions.items() if abs(gap) >= 0.05]


@dataclass(frozen=True)
class Comparison:
    """Several groups' games of one scenario, side by side.

    Attributes:
        scenario_id: the scenario's id.
        scenario_title: its title.
        scenario_version: its content version (of the first save, if they differ).
        groups: each group's game, in the order given.
        roles: role names, in the scenario's order.
        dimensions: the credibility dimensions, in display order.
        pledge_units: pledge kind label -> its unit, for kinds any group pledged.
        issues: per issue, which options the groups chose.
        spread: how far apart the groups' credibility lies.
        why: for the most against the least credible deals, paired from the outside in,
            what tells them apart.
        warnings: things the reader must know before trusting the comparison (scenario
            content that differs between saves, games still in progress).
    """

    scenario_id: str
    scenario_title: str
    scenario_version: str
    groups: tuple[GroupLine, ...]
    roles: tuple[str, ...]
    dimensions: tuple[str, ...]
    pledge_units: dict[str, str]
    issues: tuple[IssueChoice, ...]
    spread: Spread
    why: tuple[WhyHint, ...]
    warnings: tuple[str, ...]


# --- reading the saves -------------------------------------------------------------------------


def load_games(paths: Sequence[Path]) -> list[GroupGame]:
    """Read, check and replay every group's save.

    Args:
        paths: the save files, one a group, at least two.

    Raises:
        ValueError: fewer than two saves, or saves of different scenarios (one line).
        SaveError: the first save that cannot be read or does not replay (one line naming
            the file).
    """
    if len(paths) < 2:
        raise ValueError(
            f"compare needs at least two saves, one a group; got {len(paths)}"
            if paths
            else "compare needs at least two saves, one a group; got none"
        )
    seen: dict[Path, str] = {}
    for path in paths:
        key = Path(path).resolve()
        if key in seen:
            first = seen[key]
            raise ValueError(
                f"{path}: given twice"
                if first == str(path)
                else f"{path}: the same save as {first}"
            )
        seen[key] = str(path)
    saves: list[tuple[str, SaveFile]] = []
    for path in paths:
        source = str(path)
        raw = read_user_file(path, "save file", MAX_SAVE_BYTES, SaveError)
        saves.append((source, loads(raw, source)))
    _check_one_scenario([(source, _scenario_id(save)) for source, save in saves])
    labels = _unique_labels([_label(save, Path(source)) for source, save in saves])
    games = []
    for (source, save), label in zip(saves, labels, strict=True):
        states = list(replay_states(save, source))
        games.append(
            GroupGame(
                label=label,
                source=source,
                save=save,
                final=states[-1],
                debrief=debrief_of(states, save.name, seats=save.seats),
            )
        )
    return games


def _scenario_id(save: SaveFile) -> str:
    scenario_id = save.scenario.get("id")
    return scenario_id if isinstance(scenario_id, str) else "?"


def _check_one_scenario(ids: Sequence[tuple[str, str]]) -> None:
    """Refuse saves of different scenarios, naming one file of each."""
    first: dict[str, str] = {}
    for source, scenario_id in ids:
        first.setdefault(scenario_id, source)
    if len(first) > 1:
        which = "; ".join(f'{source} is "{sid}"' for sid, source in first.items())
        raise ValueError(
            f"cannot compare games of different scenarios ({which}); give saves of one scenario"
        )


def _label(save: SaveFile, path: Path) -> str:
    """A group's name: its save's name on one line, or the file's stem."""
    name = " ".join(save.name.split())
    return name or path.stem or str(path)


def _unique_labels(labels: Sequence[str]) -> list[str]:
    """The labels with " (2)", " (3)"… added to repeats, so each names one group."""
    taken = set(labels)
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        if seen[label] == 1:
            unique.append(label)
            continue
        number = seen[label]
        while f"{label} ({number})" in taken:
            number += 1
        seen[label] = number
        unique.append(f"{label} ({number})")
        taken.add(unique[-1])
    return unique


# --- comparing ---------------------------------------------------------------------------------


def compare(games: Sequence[GroupGame]) -> Comparison:
    """The groups' games side by side.

    Raises:
        ValueError: fewer than two games, or games of different scenarios.
    """
    if len(games) < 2:
        raise ValueError(f"compare needs at least two games, one a group; got {len(games)}")
    _check_one_scenario([(g.source, g.debrief.scenario_id) for g in games])
    spec = games[0].final.scenario
    lines = tuple(_group_line(g) for g in games)

    kinds = [
        (kind.label, kind.unit)
        for kind in spec.pledge_kinds.values()
        if any(line.pledges.get(kind.label) for line in lines)
    ]
    credibilities = [line.credibility for line in lines]
    lowest = min(lines, key=lambda line: line.credibility)
    highest = max(lines, key=lambda line: line.credibility)
    return Comparison(
        scenario_id=spec.id,
        scenario_title=spec.title,
        scenario_version=spec.version,
        groups=lines,
        roles=tuple(_ordered(role.name for g in games for role in g.debrief.roles)),
        dimensions=tuple(_ordered(d for g in games for d in g.debrief.scorecard.dimensions)),
        pledge_units=dict(kinds),
        issues=_issue_choices(games, lines),
        spread=Spread(
            low=min(credibilities),
            high=max(credibilities),
            mean=statistics.fmean(credibilities),
            lowest=lowest.label,
            highest=highest.label,
        ),
        why=_why(games),
        warnings=_warnings(games),
    )


def _ordered(items: Iterable[str]) -> list[str]:
    """Items without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


def _group_line(game: GroupGame) -> GroupLine:
    d = game.debrief
    spec = game.final.scenario
    totals: dict[str, int] = {}
    for own in game.final.pledges.values():
        for kind, units in own.items():
            if units and kind in spec.pledge_kinds:
                label = spec.pledge_kinds[kind].label
                totals[label] = totals.get(label, 0) + units
    return GroupLine(
        label=game.label,
        source=game.source,
        seed=d.seed,
        status=d.status,
        status_text=STATUS_SHORT.get(d.status, d.status.value.replace("_", " ")),
        in_progress=d.in_progress,
        headline=d.headline,
        rounds_played=d.rounds_played,
        max_rounds=d.max_rounds,
        steps=d.steps,
        deal={issue.label: d.deal.get(issue.label, NO_OPTION) for issue in spec.issues.values()},
        pledges=totals,
        credibility=d.scorecard.total,
        dimensions=dict(d.scorecard.dimensions),
        roles=d.roles,
        stress_hold_rate=d.stress.hold_rate if d.stress is not None else None,
        in_zopa=d.in_zopa,
        fired=tuple(rule.id for rule in d.scorecard.moving),
        events=d.events,
    )


def _issue_choices(
    games: Sequence[GroupGame], lines: Sequence[GroupLine]
) -> tuple[IssueChoice, ...]:
    """Per issue, the groups behind each option: every option in table order, then any
    label only another save's scenario has."""
    spec = games[0].final.scenario
    issues = _ordered(
        [issue.label for issue in spec.issues.values()] + [i for line in lines for i in line.deal]
    )
    choices = []
    for issue in issues:
        known = [
            option.label
            for spec_issue in spec.issues.values()
            if spec_issue.label == issue
            for option in spec_issue.options.values()
        ]
        chosen = [line.deal.get(issue, NO_OPTION) for line in lines]
        options = _ordered(known + chosen)
        choices.append(
            IssueChoice(
                issue=issue,
                groups={
                    option: tuple(
                        line.label
                        for line, pick in zip(lines, chosen, strict=True)
                        if pick == option
                    )
                    for option in options
                },
            )
        )
    return tuple(choices)


def _why(games: Sequence[GroupGame]) -> tuple[WhyHint, ...]:
    """The most credible deal against the least, the second against the second-last, and so
    on until they meet. Games still in progress stand aside while two finished ones remain:
    their deal is not final."""
    finished = [g for g in games if not g.debrief.in_progress]
    pool = finished if len(finished) >= 2 else list(games)
    ranked = sorted(pool, key=lambda g: -g.debrief.scorecard.total)
    return tuple(_hint(ranked[n], ranked[len(ranked) - 1 - n]) for n in range(len(ranked) // 2))


def _hint(high: GroupGame, low: GroupGame) -> WhyHint:
    hd, ld = high.debrief, low.debrief
    high_line, low_line = _group_line(high), _group_line(low)
    high_rules = {rule.id: rule for rule in hd.scorecard.moving}
    low_rules = {rule.id: rule for rule in ld.scorecard.moving}
    gaps = {
        dim: hd.scorecard.dimensions[dim] - ld.scorecard.dimensions.get(dim, 0.0)
        for dim in hd.scorecard.dimensions
    }
    kinds = _ordered([*high_line.pledges, *low_line.pledges])
    return WhyHint(
        higher=high.label,
        lower=low.label,
        higher_credibility=hd.scorecard.total,
        lower_credibility=ld.scorecard.total,
        issues=tuple(
            (issue, option, low_line.deal.get(issue, NO_OPTION))
            for issue, option in high_line.deal.items()
            if low_line.deal.get(issue, NO_OPTION) != option
        ),
        only_higher=tuple(_note(rule) for rid, rule in high_rules.items() if rid not in low_rules),
        only_lower=tuple(_note(rule) for rid, rule in low_rules.items() if rid not in high_rules),
        dimensions=dict(sorted(gaps.items(), key=lambda item: -abs(item[1]))),
        pledges={
            kind: (high_line.pledges.get(kind, 0), low_line.pledges.get(kind, 0))
            for kind in kinds
            if high_line.pledges.get(kind, 0) != low_line.pledges.get(kind, 0)
        },
        events_only_higher=tuple(e for e in hd.events if e not in ld.events),
        events_only_lower=tuple(e for e in ld.events if e not in hd.events),
    )


def _note(rule: FiredRule) -> RuleNote:
    return RuleNote(id=rule.id, because=rule.because, effect=dict(rule.effect), source=rule.source)


def _warnings(games: Sequence[GroupGame]) -> tuple[str, ...]:
    warnings = []
    hashes = _ordered(g.save.scenario_hash for g in games)
    if len(hashes) > 1:
        versions = []
        for digest in hashes:
            alike = [g for g in games if g.save.scenario_hash == digest]
            versions.append(
                f"{', '.join(g.label for g in alike)}: version "
                f"{alike[0].debrief.scenario_version}, content {digest}"
            )
        by_hash = "; ".join(versions)
        warnings.append(
            "The scenario's content differs between the saves, so the groups did not play "
            f"exactly the same brief ({by_hash}); differences may come from the scenario, "
            "not the play."
        )
    for g in games:
        if g.debrief.in_progress:
            warnings.append(
                f"{g.label}'s game is still in progress (round {g.debrief.rounds_played} of "
                f"{g.debrief.max_rounds}): its deal is the one on the table, not a final one."
            )
    return tuple(warnings)


# --- Markdown ----------------------------------------------------------------------------------


def _md_table(head: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> list[str]:
    marks = {"l": "---", "r": "--:", "c": ":-:"}
    align = align.ljust(len(head), "l")
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return [*lines, ""]


def _rate(rate: float | None) -> str:
    return f"{rate:.0%}" if rate is not None else "—"


def _effect_words(effect: Mapping[str, float]) -> str:
    return ", ".join(f"{dim} {value:+g}" for dim, value in effect.items())


def _kind_words(kind: str, unit: str) -> str:
    """A pledge kind with its unit, unless the unit only repeats it."""
    return kind if unit.casefold() == kind.casefold() else f"{kind} ({unit})"


def _standing(role: RoleStanding) -> str:
    return f"{role.satisfaction:.1f} ({role.margin:+.1f})"


def to_markdown(c: Comparison) -> str:
    """The comparison as a Markdown document."""
    groups = c.groups
    heads = [md_text(g.label) for g in groups]
    out: list[str] = []
    add = out.append
    add(f"# Comparison: {md_text(c.scenario_title)}")
    add("")
    add(
        f"**Scenario:** {md_text(c.scenario_id)} (version {md_text(c.scenario_version)}) · "
        f"**Groups:** {len(groups)} · **Credibility:** {c.spread.low:.1f} to {c.spread.high:.1f}"
        f", mean {c.spread.mean:.1f}"
    )
    add("")
    for warning in c.warnings:
        add(f"> **Note.** {md_text(warning)}")
        add("")

    add("## The groups at a glance")
    add("")
    out += _md_table(
        ["Group", "Status", "Round", "Credibility", "Stress test held", "Signatories above"],
        (
            [
                md_text(g.label),
                md_text(g.status_text),
                f"{g.rounds_played} of {g.max_rounds}",
                f"{g.credibility:.1f}",
                _rate(g.stress_hold_rate),
                "{} of {}".format(*g.signatories_above),
            ]
            for g in groups
        ),
        "llrrrr",
    )
    for g in groups:
        add(f"- **{md_text(g.label)}:** {md_text(g.headline)}")
    add("")

    add("## The deals")
    add("")
    out += _md_table(
        ["Issue", *heads],
        (
            [md_text(choice.issue), *(md_text(g.deal.get(choice.issue, NO_OPTION)) for g in groups)]
            for choice in c.issues
        ),
    )
    add("### Which options the groups chose")
    add("")
    rows = []
    for choice in c.issues:
        for option, labels in choice.groups.items():
            rows.append(
                [
                    md_text(choice.issue),
                    md_text(option),
                    str(len(labels)),
                    md_text(", ".join(labels)) or "—",
                ]
            )
    out += _md_table(["Issue", "Option", "Groups", "Which"], rows, "llrl")
    add("### Pledges standing at the end")
    add("")
    if c.pledge_units:
        out += _md_table(
            ["Pledge", *heads],
            (
                [md_text(_kind_words(kind, unit)), *(str(g.pledges.get(kind, 0)) for g in groups)]
                for kind, unit in c.pledge_units.items()
            ),
            "l" + "r" * len(groups),
        )
    else:
        add("No group's deal carries a pledge.")
        add("")

    add("## Credibility")
    add("")
    add(
        f"From **{c.spread.low:.1f}** ({md_text(c.spread.lowest)}) to **{c.spread.high:.1f}** "
        f"({md_text(c.spread.highest)}), mean {c.spread.mean:.1f}."
    )
    add("")
    out += _md_table(
        ["Dimension", *heads],
        [
            *(
                [md_text(dim.capitalize()), *(f"{g.dimensions.get(dim, 0.0):.1f}" for g in groups)]
                for dim in c.dimensions
            ),
            ["**Total**", *(f"**{g.credibility:.1f}**" for g in groups)],
        ],
        "l" + "r" * len(groups),
    )

    add("## Delegations against their walk-away values")
    add("")
    add(
        "Satisfaction with each group's deal, and in brackets its margin over the delegation's "
        "walk-away value; **bold** marks a delegation left below it."
    )
    add("")
    out += _md_table(
        ["Delegation", *heads],
        (
            [
                md_text(name),
                *(_md_standing(_role(g, name)) for g in groups),
            ]
            for name in c.roles
        ),
        "l" + "r" * len(groups),
    )

    add("## Why did the deals differ?")
    add("")
    if not c.why:
        add("No pair of deals to set against each other.")
        add("")
    for hint in c.why:
        out += _md_hint(hint)
    return "\n".join(out).rstrip("\n") + "\n"


def _role(group: GroupLine, name: str) -> RoleStanding | None:
    return next((role for role in group.roles if role.name == name), None)


def _md_standing(role: RoleStanding | None) -> str:
    if role is None:
        return "—"
    return _standing(role) if role.above else f"**{_standing(role)} below**"


def _md_hint(hint: WhyHint) -> list[str]:
    out = [
        f"### {md_text(hint.higher)} ({hint.higher_credibility:.1f}) against "
        f"{md_text(hint.lower)} ({hint.lower_credibility:.1f}): {hint.gap:+.1f}",
        "",
    ]
    if hint.issues:
        out += _md_table(
            ["Issue", md_text(hint.higher), md_text(hint.lower)],
            ([md_text(i), md_text(a), md_text(b)] for i, a, b in hint.issues),
        )
    else:
        out += ["Both settled every issue the same way.", ""]
    moved = [f"{dim} {gap:+.1f}" for dim, gap in hint.moved]
    if moved:
        out += ["Dimensions, higher minus lower: " + ", ".join(moved) + ".", ""]
    for label, rules in ((hint.higher, hint.only_higher), (hint.lower, hint.only_lower)):
        if rules:
            out.append(f"Rules that held for {md_text(label)} only:")
            out.append("")
            out += [
                f"- {md_text(rule.id)} ({md_text(_effect_words(rule.effect))}): "
                f"{md_text(rule.because)}"
                for rule in rules
            ]
            out.append("")
    if hint.pledges:
        out += [
            "Pledges: "
            + "; ".join(
                f"{md_text(kind)} {high} against {low}"
                for kind, (high, low) in hint.pledges.items()
            )
            + ".",
            "",
        ]
    for label, events in (
        (hint.higher, hint.events_only_higher),
        (hint.lower, hint.events_only_lower),
    ):
        if events:
            out += [
                f"Events that struck {md_text(label)} only: "
                + "; ".join(md_text(e) for e in events)
                + ".",
                "",
            ]
    return out


# --- JSON --------------------------------------------------------------------------------------


def to_json(c: Comparison) -> str:
    """The comparison as JSON, for spreadsheets and scripts."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "scenario": {"id": c.scenario_id, "title": c.scenario_title, "version": c.scenario_version},
        "warnings": list(c.warnings),
        "roles": list(c.roles),
        "dimensions": list(c.dimensions),
        "pledge_units": c.pledge_units,
        "groups": [
            {
                "label": g.label,
                "source": g.source,
                "seed": g.seed,
                "status": g.status.value,
                "status_text": g.status_text,
                "in_progress": g.in_progress,
                "headline": g.headline,
                "rounds_played": g.rounds_played,
                "max_rounds": g.max_rounds,
                "steps": g.steps,
                "deal": g.deal,
                "pledges": g.pledges,
                "credibility": round(g.credibility, 3),
                "dimensions": {k: round(v, 3) for k, v in g.dimensions.items()},
                "roles": [
                    {
                        "role": r.role,
                        "name": r.name,
                        "satisfaction": round(r.satisfaction, 3),
                        "walk_away": round(r.walk_away, 3),
                        "above": r.above,
                        "signatory": r.signatory,
                        "seat": r.seat,
                    }
                    for r in g.roles
                ],
                "stress_hold_rate": g.stress_hold_rate,
                "in_zopa": g.in_zopa,
                "fired": list(g.fired),
                "events": list(g.events),
            }
            for g in c.groups
        ],
        "issues": [
            {
                "issue": i.issue,
                "counts": i.counts,
                "groups": {k: list(v) for k, v in i.groups.items()},
            }
            for i in c.issues
        ],
        "spread": {
            "low": round(c.spread.low, 3),
            "high": round(c.spread.high, 3),
            "mean": round(c.spread.mean, 3),
            "lowest": c.spread.lowest,
            "highest": c.spread.highest,
        },
        "why": [
            {
                "higher": h.higher,
                "lower": h.lower,
                "higher_credibility": round(h.higher_credibility, 3),
                "lower_credibility": round(h.lower_credibility, 3),
                "issues": [{"issue": i, "higher": a, "lower": b} for i, a, b in h.issues],
                "only_higher": [_rule_json(r) for r in h.only_higher],
                "only_lower": [_rule_json(r) for r in h.only_lower],
                "dimensions": {k: round(v, 3) for k, v in h.dimensions.items()},
                "pledges": {k: list(v) for k, v in h.pledges.items()},
                "events_only_higher": list(h.events_only_higher),
                "events_only_lower": list(h.events_only_lower),
            }
            for h in c.why
        ],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _rule_json(rule: RuleNote) -> dict[str, Any]:
    return {"id": rule.id, "because": rule.because, "effect": rule.effect, "source": rule.source}


# --- HTML --------------------------------------------------------------------------------------

COMPARE_STYLE = """
.report { max-width: 1100px; }
.scroll { overflow-x: auto; }
table.wide th:first-child, table.wide td:first-child { min-width: 150px; }
td.pick { font-weight: 700; }
td.odd { background: #fff4d6; }
td.zero { color: var(--muted); }
th.group { text-transform: none; letter-spacing: 0; font-size: 13px;
  color: var(--ink); }
.chip { white-space: nowrap; }
.count { display: inline-block; min-width: 1.6em; padding: 0 6px; border-radius: 3px;
  background: var(--accent); color: #fff; font-weight: 700; text-align: center;
  font-variant-numeric: tabular-nums; }
.count.none { background: #d0d7de; color: var(--muted); font-style: normal; }
.legend-key { display: inline-flex; align-items: center; margin: 0 14px 4px 0;
  font-size: 13px; }
.spread { display: flex; gap: 36px; padding: 12px 20px; border: 1px solid var(--rule);
  border-radius: 8px; margin: 8px 0 16px; }
.spread div { text-align: center; }
.spread .big { display: block; font-size: 30px; font-weight: 700; color: var(--accent);
  font-variant-numeric: tabular-nums; line-height: 1.1; }
.spread .of { color: var(--muted); font-size: 13px; }
.hint { border: 1px solid var(--rule); border-left: 6px solid var(--accent); border-radius: 6px;
  padding: 4px 18px 10px; margin: 16px 0; break-inside: avoid; }
.hint h3 { margin-top: 12px; }
.hint ul { padding-left: 20px; margin: 6px 0; }
.gap { color: var(--muted); font-weight: 400; }
ul.headlines { padding-left: 20px; }
@media print {
  .report { max-width: none; }
  .scroll { overflow: visible; }
  .hint, .spread { break-inside: avoid; }
  td.odd { background: none; }
}
"""


def _cls(name: str) -> str:
    return f' class="{name}"' if name else ""


def _html_table(head: Sequence[tuple[str, str]], rows: Iterable[str], css_class: str = "") -> str:
    """A table from (heading markup, class) pairs and ready-made ``<tr>`` rows, in a box that
    scrolls sideways on a narrow screen."""
    heads = "".join(f"<th{_cls(c)}>{h}</th>" for h, c in head)
    return (
        f'<div class="scroll"><table{_cls(css_class)}><thead><tr>{heads}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _colour(n: int) -> str:
    return ROLE_COLOURS[n % len(ROLE_COLOURS)]


def _swatch(n: int) -> str:
    return f'<span class="swatch" style="background:{_colour(n)}"></span>'


def _short(text: str, limit: int = 32) -> str:
    """A label shortened to fit a chart legend (the tables carry it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class _Series:
    """One group's bars in a grouped bar chart."""

    label: str
    colour: str
    values: Sequence[float]
    markers: Sequence[float] | None = None


def grouped_bar_chart(clusters: Sequence[str], series: Sequence[_Series], label: str) -> str:
    """Vertical bars, 0-100: one cluster per category, one bar per group in each, in the
    groups' colours, with an optional black tick across each bar (a walk-away value)."""
    width, left, right, top, plot_height = 900, 40, 10, 16, 260
    plot_width = width - left - right
    bottom = top + plot_height
    per_row = 3
    legend_top = bottom + 44
    rows = (len(series) + per_row - 1) // per_row + (1 if any(s.markers for s in series) else 0)
    height = legend_top + rows * 22 + 6
    cluster_width = plot_width / max(1, len(clusters))
    gap = min(18.0, cluster_width * 0.2)
    bar_width = (cluster_width - gap) / max(1, len(series))

    def y(value: float) -> float:
        return top + plot_height * (1 - min(100.0, max(0.0, value)) / 100)

    parts: list[str] = []
    for mark in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" y1="{y(mark):.1f}" x2="{left + plot_width}" y2="{y(mark):.1f}" '
            f'stroke="#d0d7de" stroke-width="{1.5 if mark == 0 else 1}"/>'
            f'<text x="{left - 6}" y="{y(mark) + 4:.1f}" text-anchor="end" class="tick">'
            f"{mark}</text>"
        )
    for n, cluster in enumerate(clusters):
        x0 = left + cluster_width * n + gap / 2
        for m, s in enumerate(series):
            value = s.values[n]
            x = x0 + bar_width * m
            top_y = y(value)
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{top_y:.1f}" width="{max(1.0, bar_width - 2):.1f}" '
                f'height="{bottom - top_y:.1f}" fill="{s.colour}">'
                f"<title>{esc(s.label)}, {esc(cluster)}: {value:.1f}"
                + (f" (walk-away {s.markers[n]:.1f})" if s.markers else "")
                + "</title></rect>"
            )
            if s.markers:
                mark_y = y(s.markers[n])
                end = x + max(2.0, bar_width - 1)
                parts.append(
                    f'<line x1="{x + 1:.1f}" y1="{mark_y:.1f}" x2="{end:.1f}" '
                    f'y2="{mark_y:.1f}" stroke="#1b1f24" stroke-width="2.5"/>'
                )
        parts.append(
            f'<text x="{x0 + (cluster_width - gap) / 2:.1f}" y="{bottom + 18}" '
            f'text-anchor="middle" class="label">{esc(_short(cluster, 18))}</text>'
        )
    column = plot_width / per_row
    for n, s in enumerate(series):
        x = left + column * (n % per_row)
        ly = legend_top + 22 * (n // per_row)
        parts.append(
            f'<rect x="{x:.1f}" y="{ly:.1f}" width="14" height="14" fill="{s.colour}" rx="2"/>'
            f'<text x="{x + 20:.1f}" y="{ly + 12:.1f}" class="legend">{esc(_short(s.label))}</text>'
        )
    if any(s.markers for s in series):
        ly = legend_top + 22 * ((len(series) + per_row - 1) // per_row)
        parts.append(
            f'<line x1="{left}" y1="{ly + 7}" x2="{left + 14}" y2="{ly + 7}" stroke="#1b1f24" '
            f'stroke-width="2.5"/><text x="{left + 20}" y="{ly + 12}" class="legend">'
            "walk-away value</text>"
        )
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{esc(label)}"><title>{esc(label)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def dimensions_chart(c: Comparison) -> str:
    """The six credibility dimensions, one cluster each, a bar per group."""
    return grouped_bar_chart(
        [dim.capitalize() for dim in c.dimensions],
        [
            _Series(g.label, _colour(n), [g.dimensions.get(dim, 0.0) for dim in c.dimensions])
            for n, g in enumerate(c.groups)
        ],
        "Credibility dimensions of each group's deal",
    )


def satisfaction_chart(c: Comparison) -> str:
    """Each delegation's satisfaction, one cluster a delegation, a bar per group, each with a
    tick at that delegation's walk-away value in that game."""
    series = []
    for n, g in enumerate(c.groups):
        standings = [_role(g, name) for name in c.roles]
        series.append(
            _Series(
                g.label,
                _colour(n),
                [r.satisfaction if r else 0.0 for r in standings],
                [r.walk_away if r else 0.0 for r in standings],
            )
        )
    return grouped_bar_chart(
        list(c.roles), series, "Each delegation's satisfaction with each group's deal"
    )


def to_html(c: Comparison) -> str:
    """The comparison as one self-contained HTML page: inline CSS and SVG, no script, no web
    address, printable."""
    title = f"Comparison: {c.scenario_title}"
    body = [
        _masthead(c),
        _glance_section(c),
        _deals_section(c),
        _credibility_section(c),
        _delegations_section(c),
        _why_section(c),
        "<footer><p>Comparison of several groups' games of the negotiation game. It shows "
        "every delegation's private satisfaction: an instructor's view, for after the "
        "games.</p></footer>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}{COMPARE_STYLE}</style>\n</head>\n<body>\n"
        '<main class="report">\n' + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


def _masthead(c: Comparison) -> str:
    warnings = "".join(
        f'<div class="banner" role="status"><strong>Note.</strong> {esc(w)}</div>'
        for w in c.warnings
    )
    s = c.spread
    return (
        "<header>"
        '<p class="kicker">Comparison of groups</p>'
        f"<h1>{esc(c.scenario_title)}</h1>"
        f'<p class="meta">scenario {esc(c.scenario_id)} (version {esc(c.scenario_version)}) · '
        f"{len(c.groups)} groups</p>{warnings}"
        '<div class="spread">'
        f'<div><span class="big">{s.low:.1f}</span><span class="of">lowest credibility'
        f"<br>{esc(s.lowest)}</span></div>"
        f'<div><span class="big">{s.mean:.1f}</span><span class="of">mean</span></div>'
        f'<div><span class="big">{s.high:.1f}</span><span class="of">highest credibility'
        f"<br>{esc(s.highest)}</span></div>"
        f'<div><span class="big">{s.range:.1f}</span><span class="of">points apart</span></div>'
        "</div></header>"
    )


def _chip(g: GroupLine) -> str:
    kind = "open" if g.in_progress else ("good" if g.status is Status.ADOPTED else "bad")
    return f'<span class="chip {kind}">{esc(g.status_text)}</span>'


def _group_heads(c: Comparison) -> list[tuple[str, str]]:
    return [(f"{_swatch(n)}{esc(g.label)}", "group") for n, g in enumerate(c.groups)]


def _glance_section(c: Comparison) -> str:
    rows = []
    for n, g in enumerate(c.groups):
        above, signing = g.signatories_above
        rows.append(
            f"<tr><td>{_swatch(n)}<strong>{esc(g.label)}</strong><br>"
            f"<small>{esc(Path(g.source).name)} · seed {g.seed}</small></td>"
            f'<td>{_chip(g)}</td><td class="num">{g.rounds_played} of {g.max_rounds}</td>'
            f'<td class="num"><strong>{g.credibility:.1f}</strong></td>'
            f'<td class="num">{_rate(g.stress_hold_rate)}</td>'
            f'<td class="num{"" if above == signing else " below"}">{above} of {signing}</td>'
            f"<td>{'yes' if g.in_zopa else 'no'}</td></tr>"
        )
    table = _html_table(
        [
            ("Group", ""),
            ("Status", ""),
            ("Round", "num"),
            ("Credibility", "num"),
            ("Stress test held", "num"),
            ("Signatories above walk-away", "num"),
            ("In the ZOPA?", ""),
        ],
        rows,
    )
    headlines = "".join(
        f"<li><strong>{esc(g.label)}:</strong> {esc(g.headline)}</li>" for g in c.groups
    )
    return (
        '<section id="glance"><h2>The groups at a glance</h2>'
        f'{table}<ul class="headlines">{headlines}</ul></section>'
    )


def _deals_section(c: Comparison) -> str:
    rows = []
    for choice in c.issues:
        common = max(choice.counts.values())
        cells = []
        for g in c.groups:
            pick = g.deal.get(choice.issue, NO_OPTION)
            odd = len(c.groups) > 2 and choice.counts.get(pick, 0) < common
            cells.append(f"<td{_cls('odd' if odd else '')}>{esc(pick)}</td>")
        rows.append(f"<tr><td><strong>{esc(choice.issue)}</strong></td>{''.join(cells)}</tr>")
    deals = _html_table([("Issue", ""), *_group_heads(c)], rows, "wide")
    choice_rows = []
    for choice in c.issues:
        first = True
        for option, labels in choice.groups.items():
            head = (
                f'<td rowspan="{len(choice.groups)}"><strong>{esc(choice.issue)}</strong></td>'
                if first
                else ""
            )
            first = False
            count = f'<span class="count{"" if labels else " none"}">{len(labels)}</span>'
            choice_rows.append(
                f'<tr>{head}<td>{esc(option)}</td><td class="num">{count}</td>'
                f"<td>{esc(', '.join(labels)) or '—'}</td></tr>"
            )
    choices = _html_table(
        [("Issue", ""), ("Option", ""), ("Groups", "num"), ("Which", "")], choice_rows
    )
    if c.pledge_units:
        pledge_rows = (
            f"<tr><td>{esc(_kind_words(kind, unit))}</td>"
            + "".join(
                f'<td class="num{"" if g.pledges.get(kind) else " zero"}">{g.pledges.get(kind, 0)}'
                "</td>"
                for g in c.groups
            )
            + "</tr>"
            for kind, unit in c.pledge_units.items()
        )
        pledges = _html_table(
            [("Pledge", ""), *((h, "group num") for h, _ in _group_heads(c))], pledge_rows, "wide"
        )
    else:
        pledges = '<p class="none">No group\'s deal carries a pledge.</p>'
    return (
        '<section id="deals"><h2>The deals</h2>'
        "<p>The package on each group's table at the end. A shaded cell is an option fewer "
        f"groups chose than the most common one for that issue.</p>{deals}"
        f"<h3>Which options the groups chose</h3>{choices}"
        f"<h3>Pledges standing at the end</h3>{pledges}</section>"
    )


def _credibility_section(c: Comparison) -> str:
    rows = [
        f"<tr><td>{esc(dim.capitalize())}</td>"
        + "".join(f'<td class="num">{g.dimensions.get(dim, 0.0):.1f}</td>' for g in c.groups)
        + "</tr>"
        for dim in c.dimensions
    ]
    rows.append(
        "<tr><td><strong>Total</strong></td>"
        + "".join(f'<td class="num"><strong>{g.credibility:.1f}</strong></td>' for g in c.groups)
        + "</tr>"
    )
    table = _html_table(
        [("Dimension", ""), *((h, "group num") for h, _ in _group_heads(c))], rows, "wide"
    )
    return (
        '<section id="credibility" class="major"><h2>Credibility</h2>'
        f"<figure>{dimensions_chart(c)}<figcaption>The credibility dimensions of each group's "
        "deal, a bar per group. The total is their weighted geometric mean, so a group's "
        "weakest dimension pulls its total down most.</figcaption></figure>"
        f"{table}</section>"
    )


def _delegations_section(c: Comparison) -> str:
    rows = []
    for name in c.roles:
        cells = []
        for g in c.groups:
            role = _role(g, name)
            if role is None:
                cells.append('<td class="num">—</td>')
                continue
            verdict = "above" if role.above else "below"
            cells.append(
                f'<td class="num">{role.satisfaction:.1f} '
                f'<span class="{verdict}">{role.margin:+.1f}</span></td>'
            )
        rows.append(f"<tr><td><strong>{esc(name)}</strong></td>{''.join(cells)}</tr>")
    table = _html_table(
        [("Delegation", ""), *((h, "group num") for h, _ in _group_heads(c))], rows, "wide"
    )
    return (
        '<section id="delegations"><h2>Delegations against their walk-away values</h2>'
        f"<figure>{satisfaction_chart(c)}<figcaption>Each delegation's satisfaction with each "
        "group's deal; the black tick across a bar is that delegation's walk-away value in that "
        "game (events can move it). A bar that ends below its tick left the delegation better "
        "off without the deal.</figcaption></figure>"
        "<p>Satisfaction, then the margin over the walk-away value (green above, red below).</p>"
        f"{table}</section>"
    )


def _why_section(c: Comparison) -> str:
    if not c.why:
        return (
            '<section id="why" class="major"><h2>Why did the deals differ?</h2>'
            '<p class="none">No pair of deals to set against each other.</p></section>'
        )
    hints = "".join(_html_hint(h) for h in c.why)
    return (
        '<section id="why" class="major"><h2>Why did the deals differ?</h2>'
        "<p>The most credible deal against the least credible, the second against the "
        "second-last, and so on: the issues they settled differently, the rules that held for "
        "one and not the other, and the pledges and events that set them apart.</p>"
        f"{hints}</section>"
    )


def _rule_items(rules: Sequence[RuleNote]) -> str:
    return "".join(
        f'<li><code>{esc(r.id)}</code> <span class="gap">({esc(_effect_words(r.effect))})'
        f"</span>: {esc(r.because)}" + "</li>"
        for r in rules
    )


def _html_hint(h: WhyHint) -> str:
    parts = [
        f"<h3>{esc(h.higher)} ({h.higher_credibility:.1f}) against {esc(h.lower)} "
        f'({h.lower_credibility:.1f}) <span class="gap">{h.gap:+.1f}</span></h3>'
    ]
    if h.issues:
        parts.append(
            _html_table(
                [("Issue", ""), (esc(h.higher), "group"), (esc(h.lower), "group")],
                (
                    f"<tr><td>{esc(i)}</td><td><strong>{esc(a)}</strong></td><td>{esc(b)}</td></tr>"
                    for i, a, b in h.issues
                ),
            )
        )
    else:
        parts.append("<p>Both settled every issue the same way.</p>")
    moved = [
        f'{esc(dim)} <span class="{"above" if gap > 0 else "below"}">{gap:+.1f}</span>'
        for dim, gap in h.moved
    ]
    if moved:
        parts.append(
            f"<p>Dimensions, {esc(h.higher)} minus {esc(h.lower)}: {', '.join(moved)}.</p>"
        )
    for label, rules in ((h.higher, h.only_higher), (h.lower, h.only_lower)):
        if rules:
            parts.append(
                f"<p>Rules that held for {esc(label)} only:</p><ul>{_rule_items(rules)}</ul>"
            )
    if h.pledges:
        parts.append(
            "<p>Pledges: "
            + "; ".join(f"{esc(kind)} {hi} against {lo}" for kind, (hi, lo) in h.pledges.items())
            + ".</p>"
        )
    for label, events in ((h.higher, h.events_only_higher), (h.lower, h.events_only_lower)):
        if events:
            parts.append(
                f"<p>Events that struck {esc(label)} only: "
                + "; ".join(esc(e) for e in events)
                + ".</p>"
            )
    return f'<div class="hint">{"".join(parts)}</div>'
