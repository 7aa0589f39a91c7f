"""What one seat may see of a game, and how a finished game turned out.

UIs and bots read private information only through a :class:`RoleView`: its own brief,
preferences and satisfaction, its own private messages and events, and the public rest. A
hot-seat hand-off or a projector screen built on a view cannot leak another role's secrets.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from negotiation.engine.actions import Action
from negotiation.engine.core import inject_of
from negotiation.engine.state import GameState, LogEntry, Phase, Status, StressResult
from negotiation.rules import RedLineCheck, Satisfaction, ScoreCard
from negotiation.scenario.model import Issue, PledgeKind, Role

MATCHING_PARTNERS = "(partners matching)"
"""Stands in the pledges for a seat's partners answering its pledge in kind; no role id can
be spelt like it."""

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import TypeAlias

    from negotiation.rules.many import Question, Scores

    OwnPledges: TypeAlias = Mapping[str, int] | tuple[tuple[str, int], ...]
    """A seat's pledges, kind -> units, or as (kind, units) pairs sorted by kind."""

T = TypeVar("T")

Asking = Generator["Question", "Scores", T]
"""A computation that may stop to ask scoring questions: it yields each :class:`Question`,
is sent its answer, and returns its result."""


@dataclass(frozen=True)
class Preview:
    """How a move would change the score, before it is sent.

    Attributes:
        credibility_before: credibility of the deal on the table now.
        credibility_after: credibility if the move is made.
        satisfaction_before: the seat's own satisfaction now.
        satisfaction_after: the seat's own satisfaction if the move is made.
    """

    credibility_before: float
    credibility_after: float
    satisfaction_before: float
    satisfaction_after: float


class RoleView:
    """One seat's window on a game.

    Args:
        state: the game.
        role: the seat's role id.
    """

    def __init__(self, state: GameState, role: str) -> None:
        if role not in state.scenario.roles:
            raise KeyError(role)
        self._state = state
        self.role = role

    # --- public -------------------------------------------------------------------------------

    @property
    def issues(self) -> Mapping[str, Issue]:
        """The issues and their options (public)."""
        return MappingProxyType(self._state.scenario.issues)

    @property
    def pledge_kinds(self) -> Mapping[str, PledgeKind]:
        return MappingProxyType(self._state.scenario.pledge_kinds)

    @property
    def opening(self) -> Mapping[str, str]:
        """The chair's draft the talks opened on (public)."""
        return MappingProxyType(self._state.scenario.opening)

    @property
    def order(self) -> tuple[str, ...]:
        """Roles in turn order; the first chairs."""
        return tuple(self._state.scenario.turns.order)

    @property
    def signatories(self) -> tuple[str, ...]:
        return tuple(self._state.scenario.signatories)

    @property
    def first_vote_round(self) -> int:
        return self._state.scenario.turns.first_vote_round

    def role_name(self, role: str) -> str:
        """Display name of any role (public)."""
        return self._state.scenario.roles[role].name

    def public_position(self, role: str) -> str:
        """Any role's public position."""
        return self._state.scenario.roles[role].public_position

    def legal_actions(self, *, proposals: bool = False) -> list[Action]:
        """This seat's legal moves now (whole-package proposals only if asked for)."""
        from negotiation.engine.core import legal_actions

        return legal_actions(self._state, self.role, proposals=proposals)

    def is_legal(self, action: Action) -> bool:
        from negotiation.engine.core import is_legal

        return action.role == self.role and is_legal(self._state, action)

    @property
    def seed(self) -> int:
        return self._state.seed

    @property
    def steps(self) -> int:
        return self._state.steps

    @property
    def round(self) -> int:
        return self._state.round

    @property
    def max_rounds(self) -> int:
        return self._state.max_rounds

    @property
    def phase(self) -> Phase:
        return self._state.phase

    @property
    def status(self) -> Status:
        return self._state.status

    @property
    def turn(self) -> str | None:
        return self._state.turn

    @property
    def my_turn(self) -> bool:
        return self._state.turn == self.role

    @property
    def package(self) -> Mapping[str, str]:
        return MappingProxyType(self._state.package)

    @property
    def pledges(self) -> Mapping[str, Mapping[str, int]]:
        return MappingProxyType(self._state.pledges)

    @property
    def stances(self) -> Mapping[str, str]:
        return MappingProxyType(self._state.stances)

    @property
    def votes(self) -> Mapping[str, bool]:
        """Votes cast so far in the vote under way (votes are public)."""
        return MappingProxyType(self._state.votes)

    @property
    def last_vote(self) -> Mapping[str, bool]:
        return MappingProxyType(self._state.last_vote)

    @property
    def vote_called_round(self) -> int:
        return self._state.vote_called_round

    @property
    def messages_sent(self) -> int:
        return self._state.messages_sent

    @property
    def may_message(self) -> bool:
        """True if this seat may still send a private message this turn."""
        return self._state.messages_sent < self._state.scenario.turns.messages_per_turn

    @property
    def stress(self) -> StressResult | None:
        return self._state.stress

    def scorecard(self) -> ScoreCard:
        """Credibility of the deal on the table: public to every seat."""
        return self._state.scorecard()

    def capacity(self, kind: str) -> int:
        """Most units of a pledge kind this seat can offer now."""
        return self._state.capacity(self.role, kind)

    @property
    def events(self) -> tuple[str, ...]:
        """Events this seat has been told of."""
        shown = []
        for event_id in self._state.events:
            inject = inject_of(self._state, event_id)
            if inject is not None and (not inject.visible_to or self.role in inject.visible_to):
                shown.append(event_id)
        return tuple(shown)

    @property
    def log(self) -> tuple[LogEntry, ...]:
        """The public log and this seat's private entries."""
        return self._state.visible_log(self.role)

    def recent_log(self, *, after_step: int = -1, since_round: int = 0) -> list[LogEntry]:
        """The last entries of :attr:`log`, oldest first: those logged after step
        ``after_step``, back to the last entry of a round before ``since_round``.

        It reads the log back from its end, so it costs what it returns, not the length of the
        log: bots ask for the last turn or two at every move. (Steps only grow along the log;
        rounds do too, unless the facilitator takes a move back across a round's end.)
        """
        role = self.role
        found = []
        for entry in reversed(self._state.log):
            if entry.step <= after_step or entry.round < since_round:
                break
            if not entry.visible_to or role in entry.visible_to:
                found.append(entry)
        found.reverse()
        return found

    # --- private to this seat -----------------------------------------------------------------

    @property
    def brief(self) -> Role:
        """This seat's own role, private brief and preferences included."""
        return self._state.scenario.roles[self.role]

    def crossed_red_lines(self) -> list[RedLineCheck]:
        """This seat's declared red lines (real or bluffed) that the deal on the table crosses."""
        state = self._state
        return [
            line
            for line in state.rules.crossed_red_lines(
                state.package, state.pledges, state.situation()
            )
            if line.role == self.role
        ]

    def walk_away(self) -> float:
        return self._state.rules.walk_away(self.role, self._state.situation())

    def satisfaction_value(self) -> float:
        """This seat's own satisfaction with the deal on the table (the number only: quick)."""
        return self._state.satisfaction_of(self.role)

    def content(self) -> bool:
        """True if the deal on the table is at least as good for this seat as walking away."""
        return self.satisfaction_value() >= self.walk_away()

    def satisfaction(self) -> Satisfaction:
        """This seat's own satisfaction with the deal on the table."""
        state = self._state
        return state.rules.satisfaction_detail(
            self.role, state.package, state.pledges, state.scorecard(), state.situation()
        )

    def score_deal(
        self, package: Mapping[str, str], pledges: Mapping[str, Mapping[str, int]]
    ) -> tuple[float, float]:
        """(credibility, own satisfaction) of a hypothetical deal in the current situation."""
        state = self._state
        situation = state.situation()
        card = state.rules.credibility(package, pledges, situation)
        return card.total, state.rules.satisfaction(self.role, package, pledges, card, situation)

    def score_amendments(self) -> list[tuple[str, str, float, float]]:
        """(issue, option, credibility, own satisfaction) for every single amendment of the
        package on the table, scored together (much faster than one by one)."""
        return self.settle(self.amendment_scores())

    def amendment_scores(self) -> Asking[list[tuple[str, str, float, float]]]:
        """:meth:`score_amendments` as a generator that yields its scoring question, if it
        has one, and is sent the answer (see :meth:`settle`)."""
        state = self._state
        rules = state.rules
        table = rules.table
        if table is None:
            return [
                (
                    issue_id,
                    option,
                    *self.score_deal({**state.package, issue_id: option}, state.pledges),
                )
                for issue_id, issue in state.scenario.issues.items()
                for option in issue.options
                if option != state.package[issue_id]
            ]
        from negotiation.rules.many import AmendmentsAsk, Question

        deal = state.deal_key()
        key = ("amendments", *deal, self.role)
        memo = rules.memo.get(key)
        if isinstance(memo, tuple):
            return list(memo)
        number = table.index(state.package)
        ask = AmendmentsAsk(number, state.pledges, state.situation(), deal[1], self.role)
        credibility, satisfaction = yield Question(key, ask)
        _, changes = table.neighbours(number)
        result = tuple(
            (issue, option, credibility[n], satisfaction[n])
            for n, (issue, option) in enumerate(changes)
        )
        rules.remember(key, result)
        return list(result)

    def score_own_pledges(self, options: Sequence[OwnPledges]) -> list[tuple[float, float]]:
        """(credibility, own satisfaction) of the deal on the table if this seat's pledges
        were each of ``options`` instead, scored together."""
        return self.settle(self._pledge_option_scores(options, None))

    def score_pledge_options(
        self, options: Sequence[OwnPledges], match: float = 1.0
    ) -> list[tuple[float, float, float]]:
        """For each of ``options`` as this seat's pledges: (credibility, own satisfaction,
        credibility if its partners, together, answered the change with ``match`` units for
        each of its own).

        A delegation weighing a contribution asks what it would make the guarantee worth if
        others answered in kind, as conditional co-operators do in public-goods games; how
        much it expects them to answer is its own guess. Only public figures go in: the
        pledges on the table and this seat's own.
        """
        return self.settle(self.pledge_option_scores(options, match))

    def pledge_option_scores(
        self, options: Sequence[OwnPledges], match: float = 1.0
    ) -> Asking[list[tuple[float, float, float]]]:
        """:meth:`score_pledge_options` as a generator of its scoring question (see
        :meth:`settle`)."""
        scored = yield from self._pledge_option_scores(options, match)
        count = len(options)
        return [
            (cred, sat, matched)
            for (cred, sat), (matched, _) in zip(scored[:count], scored[count:], strict=True)
        ]

    def _pledge_option_scores(
        self, options: Sequence[OwnPledges], match: float | None
    ) -> Asking[list[tuple[float, float]]]:
        """(credibility, own satisfaction) with this seat's pledges set to each of ``options``,
        then, with ``match``, the same with partners answering in kind."""
        state = self._state
        rules = state.rules
        if rules.table is None:
            mine: list[dict[str, int]] = [dict(own) for own in options]
            variants = [{**state.pledges, self.role: own} for own in mine]
            if match is not None:
                own_now = state.pledges.get(self.role, {})
                for own in mine:
                    answer = {
                        kind: round(match * (own.get(kind, 0) - own_now.get(kind, 0)))
                        for kind in {*own, *own_now}
                        if own.get(kind, 0) != own_now.get(kind, 0)
                    }
                    variants.append(
                        {**state.pledges, self.role: dict(own), MATCHING_PARTNERS: answer}
                    )
            return [self.score_deal(state.package, v) for v in variants]
        from negotiation.rules.many import PledgeOptionsAsk, Question

        own_options = tuple(
            own if isinstance(own, tuple) else tuple(sorted(own.items())) for own in options
        )
        key = ("pledge options", match, *state.deal_key(), self.role, own_options)
        memo = rules.memo.get(key)
        if isinstance(memo, tuple):
            return list(memo)
        ask = PledgeOptionsAsk(
            rules.table.index(state.package),
            state.pledges,
            state.situation(),
            self.role,
            own_options,
            match,
            MATCHING_PARTNERS,
        )
        credibility, satisfaction = yield Question(key, ask)
        result = tuple(zip(credibility, satisfaction, strict=True))
        rules.remember(key, result)
        return list(result)

    def settle(self, asking: Asking[T]) -> T:
        """Run a generator of scoring questions to its end, answering each as it comes, and
        return what it returns.

        Bots decide in such generators, so that a simulation playing many games side by side
        can collect the questions of all of them and answer them together
        (:func:`negotiation.bots.runner.play_together`); one game on its own settles them here.
        """
        from negotiation.rules.many import answer

        rules = self._state.rules
        try:
            question = next(asking)
            while True:
                question = asking.send(answer(rules, [question.ask])[0])
        except StopIteration as stop:
            result: T = stop.value
            return result

    def preview(self, action: Action) -> Preview:
        """How an amendment, proposal, pledge or withdrawal would move the scores."""
        from negotiation.engine.actions import Amend, PledgeAction, Propose, Withdraw

        state = self._state
        package: Mapping[str, str] = state.package
        pledges: Mapping[str, Mapping[str, int]] = state.pledges
        if isinstance(action, Amend):
            package = {**package, action.issue: action.option}
        elif isinstance(action, Propose):
            package = dict(action.package)
        elif isinstance(action, PledgeAction):
            pledges = {
                **pledges,
                action.role: {**pledges.get(action.role, {}), action.kind: action.units},
            }
        elif isinstance(action, Withdraw):
            own = {k: v for k, v in pledges.get(action.role, {}).items() if k != action.kind}
            pledges = {**pledges, action.role: own}
        before_c, before_s = self.score_deal(state.package, state.pledges)
        after_c, after_s = self.score_deal(package, pledges)
        return Preview(before_c, after_c, before_s, after_s)


@dataclass(frozen=True)
class Outcome:
    """How a finished game turned out.

    Attributes:
        status: how it ended.
        credibility: credibility of the final deal on the table.
        satisfactions: each role's satisfaction with it.
        walk_aways: each role's walk-away value at the end.
        stress: the stress test, if the deal came into force.
        rounds: rounds played.
    """

    status: Status
    credibility: float
    satisfactions: Mapping[str, float]
    walk_aways: Mapping[str, float]
    stress: StressResult | None
    rounds: int


def outcome(state: GameState) -> Outcome:
    """The outcome of a game (also of one still running: its standing so far)."""
    card = state.scorecard()
    situation = state.situation()
    rules = state.rules
    sats = {
        role: rules.satisfaction(role, state.package, state.pledges, card, situation)
        for role in state.scenario.roles
    }
    walks = {role: rules.walk_away(role, situation) for role in state.scenario.roles}
    return Outcome(
        state.status,
        card.total,
        MappingProxyType(sats),
        MappingProxyType(walks),
        state.stress,
        state.round,
    )
