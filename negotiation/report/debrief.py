"""A game's debrief as plain data: what the after-action report shows, gathered once.

An instructor's debrief asks the same questions of every game: what deal was on the table,
how credible it was and why, who got what against their walk-away value, whether it survived
ratification and the stress test, how far it fell short of the best the deal space offered,
how the scores moved, and what was said on the way. :class:`Debrief` holds the answers in the
game's own words (role names, issue and option labels), so the Markdown and HTML renderers,
and the TUI's debrief screen, only lay them out and never recompute or disagree.

A debrief is an instructor's view: it shows every role's satisfaction, the private log and the
facilitator's notes. In a classroom game it names the team that played each role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, assert_never

from negotiation.analysis.space import AnalysisError
from negotiation.analysis.summary import analyze_game
from negotiation.classroom import Team
from negotiation.engine import (
    FACILITATOR,
    GameState,
    LogEntry,
    Status,
    StressResult,
    Threaten,
    effective_actions,
    inject_of,
)
from negotiation.report.timeline import TimelinePoint, timeline
from negotiation.rules import ScoreCard
from negotiation.savefile import SaveError, SaveFile, replay_states
from negotiation.scenario import Scenario

STATUS_WORDS: Mapping[Status, str] = {
    Status.NEGOTIATING: "in progress",
    Status.ADOPTED: "adopted",
    Status.UNRATIFIED: "signed but not ratified",
    Status.COLLAPSED: "collapsed",
    Status.NO_DEAL: "no deal",
}
"""How each status reads in a report."""


@dataclass(frozen=True)
class RedLineStanding:
    """One red line a role declared, and what became of it in the final deal.

    Attributes:
        text: how the role stated it.
        bluff: True if the role could in fact live with it (only its private brief said so).
        crossed: True if the final deal crosses it.
        penalty: satisfaction a real red line costs the role when crossed (0 for a bluff).
        invoked: how many times the role threatened over it at the table.
    """

    text: str
    bluff: bool
    crossed: bool
    penalty: float
    invoked: int = 0


@dataclass(frozen=True)
class RoleStanding:
    """One delegation's satisfaction with the final deal, against its walk-away value.

    Attributes:
        role: the role's id.
        name: its display name.
        satisfaction: its satisfaction with the deal on the table, 0-100.
        walk_away: its walk-away value (BATNA) in force at the end.
        signatory: True if the deal needs its signature.
        seat: who played it ("human", "bot:STRATEGY"), or "" when not known.
        team: the name of the team that played it in class, or "".
        members: that team's members.
        won: issues the deal settled on the option the role rates highest, as "Issue: Option".
        conceded: issues settled below its best, as "Issue: Option (its first choice: Best)".
        red_lines: the red lines it declared, real and bluffed.
    """

    role: str
    name: str
    satisfaction: float
    walk_away: float
    signatory: bool
    seat: str = ""
    team: str = ""
    members: tuple[str, ...] = ()
    won: tuple[str, ...] = ()
    conceded: tuple[str, ...] = ()
    red_lines: tuple[RedLineStanding, ...] = ()

    @property
    def team_label(self) -> str:
        """ "Les Bleus (Ana, Ben)", the team's name alone, or "" when no team is named."""
        if not self.team:
            return ""
        return f"{self.team} ({', '.join(self.members)})" if self.members else self.team

    @property
    def above(self) -> bool:
        """True if the deal is at least as good for the role as walking away."""
        return self.satisfaction >= self.walk_away

    @property
    def margin(self) -> float:
        """Satisfaction minus walk-away value (negative when below)."""
        return self.satisfaction - self.walk_away


@dataclass(frozen=True)
class RatificationLine:
    """How one national vote went.

    Attributes:
        body: the parliament, e.g. "Bundestag".
        name: the nation's display name.
        passed: True if it passed.
        because: why the vote was needed and what swayed it.
    """

    body: str
    name: str
    passed: bool
    because: str


@dataclass(frozen=True)
class PackageLine:
    """A package of the deal space, in the game's words.

    Attributes:
        package: issue label -> option label, in table order.
        credibility: its credibility.
        satisfaction: role name -> satisfaction.
    """

    package: dict[str, str]
    credibility: float
    satisfaction: dict[str, float]


@dataclass(frozen=True)
class DealAnalysis:
    """The deal on the table against the analysis of its deal space (same pledges and
    situation as at the end of the game).

    Attributes:
        packages: packages in the deal space.
        zopa_size: packages that every required signatory prefers to walking away.
        pareto_size: packages on the Pareto frontier (signatories' satisfaction and
            credibility).
        in_zopa: True if the deal is in the ZOPA.
        on_pareto_frontier: True if no package is at least as good for every signatory and
            for credibility, and better for one.
        dominated_by: how many packages are that.
        nash: the Nash bargaining solution, or None when the ZOPA is empty.
        most_credible: the most credible package in the ZOPA, or None when it is empty.
        nash_is_most_credible: True if those two are the same package.
        left_on_table: credibility of the most credible acceptable package minus the deal's,
            or None when the ZOPA is empty.
    """

    packages: int
    zopa_size: int
    pareto_size: int
    in_zopa: bool
    on_pareto_frontier: bool
    dominated_by: int
    nash: PackageLine | None
    most_credible: PackageLine | None
    nash_is_most_credible: bool
    left_on_table: float | None


@dataclass(frozen=True)
class WhatIfLine:
    """One single change to the final deal, and what it would have done.

    Attributes:
        change: the change, in words.
        credibility: credibility change.
        gains: names of the roles whose satisfaction would rise.
        losses: names of the roles whose satisfaction would fall.
        satisfaction: role name -> satisfaction change.
    """

    change: str
    credibility: float
    gains: tuple[str, ...]
    losses: tuple[str, ...]
    satisfaction: dict[str, float]


@dataclass(frozen=True)
class LogLine:
    """One line of the game's log, private ones included.

    Attributes:
        step: actions applied before it.
        round: the round it happened in.
        actor: who acted, by name ("Game" for the game's own events).
        text: what happened.
        seen_by: names of the roles that saw it; empty for public lines.
        team: the name of the team that played the acting role, or "".
        note: True for a facilitator's note (no delegation saw it).
    """

    step: int
    round: int
    actor: str
    text: str
    seen_by: tuple[str, ...] = ()
    team: str = ""
    note: bool = False

    @property
    def private(self) -> bool:
        """True if only some roles saw this line (a facilitator's note is not one of them)."""
        return bool(self.seen_by) and not self.note

    @property
    def said(self) -> str:
        """A note's words, without the "Facilitator's note:" the log puts before them."""
        return self.text.removeprefix("Facilitator's note:").strip() if self.note else self.text


@dataclass(frozen=True)
class Debrief:
    """Everything an after-action report on one game shows.

    Attributes:
        scenario_id: the scenario's id.
        scenario_title: its title.
        scenario_version: its content version.
        name: the game's name (from its save), possibly empty.
        seed: the game's seed.
        status: how the game stands or ended.
        status_text: the status in words.
        in_progress: True if the game has not ended.
        headline: one sentence on how it ended (or stands).
        phase: the phase it is in ("ended" once over).
        to_move: name of the seat whose move it is, or None once over.
        rounds_played: the round the game reached.
        max_rounds: rounds it could last.
        steps: actions applied.
        roles: every delegation's standing, in the scenario's order.
        names: role id -> display name, for reading the timeline.
        deal: the deal on the table: issue label -> option label, in table order.
        pledges: role name -> pledges as "N unit" strings.
        scorecard: the credibility of the deal, with every rule that fired.
        events: titles of the events that struck, in order.
        ratifications: the national votes, if the deal was adopted.
        stress: the stress test, if the deal came into force.
        analysis: the deal against the deal-space analysis.
        what_if: the single changes that would have raised credibility most (three at most).
        timeline: the scores after every step.
        log: the whole log, private lines and the facilitator's notes included.
        discussion: the scenario's questions for the debrief.
    """

    scenario_id: str
    scenario_title: str
    scenario_version: str
    name: str
    seed: int
    status: Status
    status_text: str
    in_progress: bool
    headline: str
    phase: str
    to_move: str | None
    rounds_played: int
    max_rounds: int
    steps: int
    roles: tuple[RoleStanding, ...]
    names: dict[str, str]
    deal: dict[str, str]
    pledges: dict[str, tuple[str, ...]]
    scorecard: ScoreCard
    events: tuple[str, ...]
    ratifications: tuple[RatificationLine, ...]
    stress: StressResult | None
    analysis: DealAnalysis | None
    """None when the deal space is too large to analyse (see :attr:`no_analysis`)."""
    what_if: tuple[WhatIfLine, ...]
    timeline: tuple[TimelinePoint, ...]
    log: tuple[LogLine, ...]
    discussion: tuple[str, ...]
    no_analysis: str = ""
    """Why the deal is not set against the analysis, when it is not."""

    @property
    def in_zopa(self) -> bool:
        """True if the deal leaves every required signatory at or above its walk-away
        value (the analysis's test, read off the roles when there is no analysis)."""
        if self.analysis is not None:
            return self.analysis.in_zopa
        return all(r.satisfaction >= r.walk_away for r in self.roles if r.signatory)

    @property
    def teams(self) -> tuple[RoleStanding, ...]:
        """The roles a named team played, in the scenario's order."""
        return tuple(role for role in self.roles if role.team)

    @property
    def notes(self) -> tuple[LogLine, ...]:
        """The facilitator's notes, in the order they were written."""
        return tuple(line for line in self.log if line.note)


def build_debrief(save: SaveFile, source: str = "save") -> Debrief:
    """The debrief of a saved game, replaying it and checking every step.

    Args:
        save: the save, as read by :func:`negotiation.savefile.loads`.
        source: the file's name, for error messages.

    Raises:
        SaveError: the save does not replay (one line saying where and why).
    """
    states = list(replay_states(save, source))
    if not states:  # pragma: no cover - replay_states always yields the opening
        raise SaveError(f"{source}: the game does not replay")
    return debrief_of(states, save.name, seats=save.seats, teams=save.classroom.teams)


def debrief_of(
    states: Sequence[GameState],
    name: str = "",
    *,
    seats: Mapping[str, str] | None = None,
    teams: Mapping[str, Team] | None = None,
) -> Debrief:
    """The debrief of a game from its replayed states, first to last.

    Args:
        states: the state before the first action and after each one (a replay).
        name: the game's name, if it has one.
        seats: who played each role ("human", "bot:STRATEGY"), if known.
        teams: the team that played each role in class, if any.

    Raises:
        ValueError: ``states`` is empty.
    """
    if not states:
        raise ValueError("a debrief needs at least the opening state of a game")
    state = states[-1]
    spec = state.scenario
    names = {role_id: role.name for role_id, role in spec.roles.items()}
    situation = state.situation()
    seats = seats or {}
    teams = teams or {}
    red_lines = _red_lines(state)
    outcomes = {r: _won_and_conceded(spec, r, state.package) for r in spec.roles}
    roles = tuple(
        RoleStanding(
            role=role_id,
            name=names[role_id],
            satisfaction=state.satisfaction_of(role_id),
            walk_away=state.rules.walk_away(role_id, situation),
            signatory=role_id in spec.signatories,
            seat=seats.get(role_id, ""),
            team=teams[role_id].name if role_id in teams else "",
            members=teams[role_id].members if role_id in teams else (),
            won=outcomes[role_id][0],
            conceded=outcomes[role_id][1],
            red_lines=red_lines.get(role_id, ()),
        )
        for role_id in spec.roles
    )
    try:
        data: Mapping[str, Any] | None = analyze_game(state)
    except AnalysisError as exc:
        data = None
        no_analysis = f"No analysis of the deal space: {exc}."
    else:
        no_analysis = ""
    return Debrief(
        scenario_id=spec.id,
        scenario_title=spec.title,
        scenario_version=spec.version,
        name=name,
        seed=state.seed,
        status=state.status,
        status_text=STATUS_WORDS.get(state.status, state.status.value.replace("_", " ")),
        in_progress=not state.over,
        headline=_headline(state, names),
        phase=state.phase.value,
        to_move=names.get(state.turn, state.turn) if state.turn else None,
        rounds_played=state.round,
        max_rounds=state.max_rounds,
        steps=state.steps,
        roles=roles,
        names=names,
        deal=_labels(spec, state.package),
        pledges={
            names[role]: tuple(
                f"{units} {spec.pledge_kinds[kind].unit}" for kind, units in own.items() if units
            )
            for role, own in state.pledges.items()
            if any(own.values())
        },
        scorecard=state.scorecard(),
        events=tuple(_event_title(state, event) for event in state.events),
        ratifications=tuple(
            RatificationLine(vote.body, names.get(vote.role, vote.role), vote.passed, vote.because)
            for vote in state.ratifications
        ),
        stress=state.stress,
        analysis=_analysis(spec, data, names) if data is not None else None,
        what_if=tuple(_what_if(item, names) for item in data["what_if"][:3]) if data else (),
        timeline=tuple(timeline(states)),
        log=tuple(_log_line(entry, names, teams) for entry in state.log),
        discussion=tuple(spec.discussion),
        no_analysis=no_analysis,
    )


# --- helpers -----------------------------------------------------------------------------------


def _headline(state: GameState, names: Mapping[str, str]) -> str:
    """One sentence on how the game ended, or where it stands."""
    when = f"round {state.round} of {state.max_rounds}"
    status = state.status
    if status is Status.NEGOTIATING:
        mover = f", {names.get(state.turn, state.turn)} to move" if state.turn else ""
        return f"In progress: {when}, step {state.steps} ({state.phase.label}{mover})."
    if status is Status.ADOPTED:
        text = f"The deal was adopted in {when}"
        if state.ratifications:
            text += " and ratified"
        if state.stress is not None:
            text += (
                f"; deterrence held in {state.stress.held:,} of {state.stress.draws:,} simulated "
                f"futures ({state.stress.hold_rate:.0%})"
            )
        return text + "."
    if status is Status.UNRATIFIED:
        failed = [v.body for v in state.ratifications if not v.passed]
        who = ", ".join(failed) if failed else "a national parliament"
        return f"The deal was signed in {when}, but the {who} voted it down."
    if status is Status.COLLAPSED:
        walker = names.get(state.walked_out or "", "A delegation")
        return f"The talks collapsed in {when}: {walker} walked out."
    if status is Status.NO_DEAL:
        return f"No deal was adopted by the end of round {state.max_rounds}."
    assert_never(status)  # mypy fails here when a status is added and not handled above


def _labels(spec: Scenario, package: Mapping[str, str]) -> dict[str, str]:
    """A package as issue label -> option label, in table order."""
    return {
        spec.issues[issue].label: spec.issues[issue].options[package[issue]].label
        for issue in spec.issues
        if issue in package and package[issue] in spec.issues[issue].options
    }


def _event_title(state: GameState, event: str) -> str:
    """An event's title, whether it came from the deck or the facilitator wrote it."""
    inject = inject_of(state, event)
    return inject.title if inject is not None else event


def is_note(entry: LogEntry) -> bool:
    """True for a facilitator's note: a line no delegation may see."""
    return bool(entry.visible_to) and all(r == FACILITATOR for r in entry.visible_to)


def _log_line(entry: LogEntry, names: Mapping[str, str], teams: Mapping[str, Team]) -> LogLine:
    return LogLine(
        entry.step,
        entry.round,
        _actor(entry.actor, names),
        entry.text.strip(),
        tuple(_actor(r, names) for r in entry.visible_to),
        team=teams[entry.actor].name if entry.actor in teams else "",
        note=is_note(entry),
    )


def _ranked(spec: Scenario, role: str, issue: str) -> dict[str, float] | None:
    """The role's points for each option of an issue, or None if it does not care which."""
    table = spec.roles[role].preferences.get(issue, {})
    points = {option: float(table.get(option, 0.0)) for option in spec.issues[issue].options}
    return points if len(set(points.values())) > 1 else None


def _won_and_conceded(
    spec: Scenario, role: str, package: Mapping[str, str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Issues settled on the option the role rates highest (won), and those settled below it,
    naming its first choice (conceded)."""
    won: list[str] = []
    conceded: list[str] = []
    for issue_id, issue in spec.issues.items():
        points = _ranked(spec, role, issue_id)
        chosen = package.get(issue_id)
        if points is None or chosen not in points:
            continue
        best = max(points, key=lambda option: points[option])
        if points[chosen] == points[best]:
            won.append(f"{issue.label}: {issue.options[chosen].label}")
        else:
            conceded.append(
                f"{issue.label}: {issue.options[chosen].label} "
                f"(its first choice: {issue.options[best].label})"
            )
    return tuple(won), tuple(conceded)


def _red_lines(state: GameState) -> dict[str, tuple[RedLineStanding, ...]]:
    """Every role's declared red lines, crossed or not by the final deal, and how often each
    was invoked at the table (threats taken back by the facilitator do not count)."""
    crossed = {
        (line.role, line.id)
        for line in state.rules.crossed_red_lines(state.package, state.pledges, state.situation())
    }
    invoked: dict[tuple[str, str], int] = {}
    for action in effective_actions(state):
        if isinstance(action, Threaten):
            key = (action.role, action.red_line)
            invoked[key] = invoked.get(key, 0) + 1
    return {
        role_id: tuple(
            RedLineStanding(
                text=line.text,
                bluff=line.bluff,
                crossed=(role_id, line.id) in crossed,
                penalty=0.0 if line.bluff else line.penalty,
                invoked=invoked.get((role_id, line.id), 0),
            )
            for line in role.red_lines
        )
        for role_id, role in state.scenario.roles.items()
        if role.red_lines
    }


def _actor(actor: str, names: Mapping[str, str]) -> str:
    if actor in names:
        return names[actor]
    return actor.replace("_", " ").capitalize()


def _package_line(
    spec: Scenario, item: Mapping[str, Any] | None, names: Mapping[str, str]
) -> PackageLine | None:
    if item is None:
        return None
    return PackageLine(
        package=_labels(spec, item["package"]),
        credibility=float(item["credibility"]),
        satisfaction={names.get(r, r): float(v) for r, v in item["satisfaction"].items()},
    )


def _analysis(spec: Scenario, data: Mapping[str, Any], names: Mapping[str, str]) -> DealAnalysis:
    summary = data["analysis"]
    left = data["credibility_left_on_table"]
    return DealAnalysis(
        packages=int(summary["packages"]),
        zopa_size=int(summary["zopa_size"]),
        pareto_size=int(summary["pareto_size"]),
        in_zopa=bool(data["in_zopa"]),
        on_pareto_frontier=bool(data["on_pareto_frontier"]),
        dominated_by=int(data["dominated_by"]),
        nash=_package_line(spec, summary["nash"], names),
        most_credible=_package_line(spec, summary["most_credible_acceptable"], names),
        nash_is_most_credible=bool(summary["nash_is_most_credible"]),
        left_on_table=float(left) if left is not None else None,
    )


def _what_if(item: Mapping[str, Any], names: Mapping[str, str]) -> WhatIfLine:
    deltas: Mapping[str, float] = item["satisfaction"]
    # The same threshold as WhatIf.gainers/losers: a twentieth of a point is noise.
    return WhatIfLine(
        change=str(item["change"]),
        credibility=float(item["credibility"]),
        gains=tuple(names.get(r, r) for r, d in deltas.items() if d > 0.05),
        losses=tuple(names.get(r, r) for r, d in deltas.items() if d < -0.05),
        satisfaction={names.get(r, r): float(d) for r, d in deltas.items()},
    )
