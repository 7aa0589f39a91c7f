"""The delegate: the shared behaviour of every bot strategy.

A delegate wants its own satisfaction high and cares somewhat about the coalition's
credibility. It holds out for an *aspiration* that falls towards its walk-away value as the
rounds run out — how it falls is what tells the strategies apart. Below its aspiration it
amends the package towards what it prefers (without undoing a partner's amendment at once); it
pledges what raises its utility; once content it supports the deal and calls a vote; it votes
by its satisfaction against its walk-away value, and by credibility. A delegate outside the
coalition threatens when a declared red line is crossed, signals what it could accept, and
vetoes at the Security Council when a real red line is crossed or the deal is worse for it
than no deal. Delegates may send a short private message from a template before they move.

A pledge is weighed like a conditional co-operator's contribution to a public good: by its
cost at home, and by what it would make the guarantee worth if partners answered it in kind
(Fischbacher, Gächter and Fehr, *Are people conditionally cooperative?*, 2001). Delegates
satisfice: any move close to the best will do, drawn at random.

No two delegations play a strategy quite alike. Each game, a delegate draws its *temperament*
from the game seed: how high it opens, how much the coalition's credibility weighs beside its
own satisfaction, how much it is ready to put in, and how far it trusts its partners to follow
a pledge. The strategy sets the character, the temperament the shade: two pragmatists in two
classrooms reach different deals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar

from negotiation.bots.base import Strategy
from negotiation.engine import (
    Abstain,
    Action,
    Amend,
    CallVote,
    Offer,
    Pass,
    Phase,
    PledgeAction,
    Propose,
    RoleView,
    Support,
    Threaten,
    Veto,
    Vote,
    Withdraw,
)
from negotiation.engine.view import Asking

Pairs = tuple[tuple[str, int], ...]
"""A seat's pledges as (kind, units) pairs sorted by kind."""


@dataclass(frozen=True)
class Temperament:
    """How one delegate plays its strategy in one game: factors on the strategy's settings.

    Attributes:
        opening: factor on the opening aspiration (a tougher or softer start).
        team: factor on the weight of coalition credibility in amendments and votes.
        ambition: factor on the weight of credibility when weighing a pledge: an ambitious
            delegation puts in more to make the guarantee count.
        trust: how many units it expects its partners to add, together, for each unit it
            pledges (0: nobody follows; 1: they match it).
    """

    opening: float = 1.0
    team: float = 1.0
    ambition: float = 1.0
    trust: float = 1.0

    @classmethod
    def draw(cls, seed: int, role: str) -> Temperament:
        """The temperament of the delegate in seat ``role`` in the game with ``seed``."""
        rng = random.Random(f"{seed}:{role}:temperament")
        return cls(
            opening=rng.uniform(0.6, 1.4),
            team=rng.uniform(0.0, 2.5),
            ambition=rng.uniform(0.0, 4.0),
            trust=rng.choice((0.0, 0.25, 0.5, 0.75, 1.0)),
        )


class Delegate(Strategy):
    """The shared behaviour; subclasses set how the aspiration falls and what they say.

    Attributes:
        team_weight: how much coalition credibility counts beside own satisfaction.
        opening: aspiration at the start, in satisfaction points above walk-away.
        min_credibility: a coalition member rejects deals less credible than this.
    """

    message_rate: ClassVar[float] = 0.15
    """Chance of sending a private message before a move."""

    team_weight = 0.25
    opening = 25.0
    min_credibility = 20.0
    pledge_weight = 1.0
    """How much coalition credibility counts beside own satisfaction when weighing pledges."""
    min_gain = 0.5
    latitude = 3.0
    """Points below the best move within which a delegate takes any move (it satisfices)."""

    # --- the decision --------------------------------------------------------------------------

    def decide(self, view: RoleView, rng: random.Random) -> Asking[Action]:
        if (
            view.phase is Phase.DIPLOMACY
            and view.messages_sent == 0
            and view.may_message
            and self.message_rate > 0
            and rng.random() < self.message_rate
        ):
            message = self.message(view, rng)
            if message is not None:
                return message
        if view.phase is Phase.VOTE:
            return self.vote(view)
        if view.phase is Phase.UNSC:
            return self.unsc(view)
        if view.brief.coalition:
            return (yield from self.coalition_move(view, rng))
        return (yield from self.other_side_move(view, rng))

    def progress(self, view: RoleView) -> float:
        """How far the talks have run: 0 in the first round, 1 in the last."""
        return (view.round - 1) / max(1, view.max_rounds - 1)

    def concession(self, progress: float) -> float:
        """Share of the opening margin given up by this point of the talks (0 to 1)."""
        return progress

    def temperament(self, view: RoleView) -> Temperament:
        """This delegate's temperament in the game being played (drawn once per game)."""
        cache: dict[tuple[int, str], Temperament] = self.__dict__.setdefault("_temperaments", {})
        key = (view.seed, view.role)
        held = cache.get(key)
        if held is None:
            if len(cache) >= 4096:  # a simulation plays many games with one bot
                cache.clear()
            held = cache[key] = Temperament.draw(view.seed, view.role)
        return held

    def opening_margin(self, view: RoleView) -> float:
        """Satisfaction points above walk-away this delegate opens with, in this game."""
        return self.opening * self.temperament(view).opening

    def aspiration(self, view: RoleView) -> float:
        """Satisfaction this bot holds out for now: falls to walk-away by the last round."""
        walk = view.walk_away()
        return walk + self.opening_margin(view) * (1.0 - self.concession(self.progress(view)))

    def message(self, view: RoleView, rng: random.Random) -> Action | None:
        """A private message to send before moving, or None."""
        return None

    def utility(self, view: RoleView, credibility: float, satisfaction: float) -> float:
        """What a deal is worth to this delegate: its satisfaction, plus its share of the
        coalition's credibility."""
        return satisfaction + self.team_factor(view) * credibility

    def team_factor(self, view: RoleView) -> float:
        """How many satisfaction points one point of credibility is worth to this delegate."""
        return self.team_weight * self.temperament(view).team

    def vote(self, view: RoleView) -> Action:
        accept = view.content()
        if view.brief.coalition and view.scorecard().total < self.min_credibility:
            accept = False
        return Vote(role=view.role, accept=accept)

    def unsc(self, view: RoleView) -> Action:
        crossed = any(not line.bluff for line in view.crossed_red_lines())
        if crossed or not view.content():
            return Veto(role=view.role)
        return Abstain(role=view.role)

    # --- coalition members ---------------------------------------------------------------------

    def coalition_move(self, view: RoleView, rng: random.Random) -> Asking[Action]:
        sat = view.satisfaction_value()
        card = view.scorecard()
        here = self.utility(view, card.total, sat)
        aspiration = self.aspiration(view)

        if sat < aspiration:
            best = yield from self.best_change(view, rng, here)
            if best is not None:
                return best
        pledge = yield from self.best_pledge(view, here)
        if pledge is not None:
            return pledge
        if sat >= view.walk_away() and self.ready_to_vote(view, rng):
            return CallVote(role=view.role)
        if sat >= view.walk_away() and view.stances.get(view.role) != "support":
            return Support(role=view.role)
        if sat < aspiration:
            best = yield from self.best_change(view, rng, here - 5.0)
            if best is not None:
                return best
        return Pass(role=view.role)

    def best_change(
        self, view: RoleView, rng: random.Random, floor: float
    ) -> Asking[Action | None]:
        """An amendment among those that raise this bot's utility most, if it beats ``floor``.

        Delegates satisfice: any amendment within ``latitude`` points of the best will do, and
        which one is drawn at random. Two delegations with the same interests therefore take
        different paths to a deal, as groups in a classroom do.
        """
        contested = self.recently_changed_by_others(view)
        team = self.team_factor(view)  # what utility() weighs credibility by, asked once
        scored = yield from view.amendment_scores()
        candidates = [
            (sat + team * cred, issue_id, option)
            for issue_id, option, cred, sat in scored
            if issue_id not in contested
        ]
        return self._satisfice(view, rng, candidates, floor + self.min_gain, Amend)

    def _satisfice(
        self,
        view: RoleView,
        rng: random.Random,
        candidates: list[tuple[float, str, str]],
        threshold: float,
        make: type[Amend] | type[Offer],
    ) -> Action | None:
        """One of the candidates (value, issue, option) above ``threshold`` and within
        ``latitude`` of the best, drawn at random; None if none is above it."""
        good = [c for c in candidates if c[0] > threshold]
        if not good:
            return None
        top = max(value for value, _, _ in good)
        pool = sorted(c for c in good if c[0] >= top - self.latitude)
        _, issue_id, option = pool[rng.randrange(len(pool))]
        return make(role=view.role, issue=issue_id, option=option)

    def recently_changed_by_others(self, view: RoleView) -> set[str]:
        """Issues another seat amended within the last circle of turns.

        Reversing a partner's amendment at once only starts a ping-pong; a delegate looks for
        gains elsewhere first.
        """
        issues: set[str] = set()
        for entry in view.recent_log(after_step=view.steps - len(view.order)):
            action = entry.action
            if action is None or action.role == view.role:
                continue
            if isinstance(action, Amend):
                issues.add(action.issue)
            elif isinstance(action, Propose):
                issues.update(action.package)
        return issues

    def best_pledge(self, view: RoleView, here: float) -> Asking[Action | None]:
        """A pledge change that raises this bot's utility, or None."""
        moves, options = self.pledge_moves(view)
        if not options:
            return None
        best: tuple[float, tuple[str, int]] | None = None
        card = view.scorecard()
        temperament = self.temperament(view)
        weight = self.pledge_weight * temperament.ambition
        base = view.satisfaction_value() + weight * card.total
        scored = yield from view.pledge_option_scores(options, temperament.trust)
        for move, (_cred, sat, matched) in zip(moves, scored, strict=True):
            # What a delegation puts in, it weighs against the whole force's credibility: a
            # contribution is judged by what it would make the guarantee worth if partners
            # answered in kind, not only by its cost at home.
            value = sat + weight * matched - base + here
            if value > here + self.min_gain and (best is None or value > best[0]):
                best = (value, move)
        if best is None:
            return None
        kind_id, units = best[1]
        if not units:
            return Withdraw(role=view.role, kind=kind_id)
        return PledgeAction(role=view.role, kind=kind_id, units=units)

    def pledge_moves(self, view: RoleView) -> tuple[list[tuple[str, int]], list[Pairs]]:
        """The pledge changes this seat weighs, as (kind, units) with 0 units for withdrawing
        a pledge, and the pledges it would then stand by, as (kind, units) pairs sorted by
        kind.

        A quarter, a half and three quarters of its capacity of each kind, all of it, and the
        smallest step. They depend only on its pledges and capacities, which change seldom,
        so they are remembered.
        """
        own = view.pledges.get(view.role, {})
        kinds = view.pledge_kinds
        caps = tuple(view.capacity(kind_id) for kind_id in kinds)
        key = (view.role, tuple(own.items()), caps)
        cache: dict[object, tuple[list[tuple[str, int]], list[Pairs]]]
        cache = self.__dict__.setdefault("_pledge_moves", {})
        known = cache.get(key)
        if known is not None:
            return known
        moves: list[tuple[str, int]] = []
        options: list[Pairs] = []
        for (kind_id, kind), cap in zip(kinds.items(), caps, strict=True):
            current = own.get(kind_id, 0)
            cap = cap // kind.step * kind.step  # the most it may pledge, in whole steps
            levels = {kind.step, cap} | {cap * q // 4 // kind.step * kind.step for q in (1, 2, 3)}
            for units in sorted(levels - {0, current}):
                if 0 < units <= cap:
                    moves.append((kind_id, units))
                    options.append(tuple(sorted({**own, kind_id: units}.items())))
            if current:
                moves.append((kind_id, 0))
                options.append(tuple(sorted((k, v) for k, v in own.items() if k != kind_id)))
        if len(cache) >= 4096:  # a simulation plays many games with one bot
            cache.clear()
        cache[key] = (moves, options)
        return moves, options

    def ready_to_vote(self, view: RoleView, rng: random.Random) -> bool:
        if view.round < view.first_vote_round or view.vote_called_round >= view.round:
            return False
        supporters = sum(1 for r in view.signatories if view.stances.get(r) == "support")
        late = view.round >= view.max_rounds - 1
        return supporters >= len(view.signatories) - 2 or (late and rng.random() < 0.7)

    # --- the other side ------------------------------------------------------------------------

    def other_side_move(self, view: RoleView, rng: random.Random) -> Asking[Action]:
        sat = view.satisfaction_value()
        content = view.content()
        threatened = {
            e.action.red_line
            for e in view.recent_log(since_round=view.round)
            if e.round == view.round and isinstance(e.action, Threaten)
        }
        # Bluffed lines are threatened as loudly as real ones: that is what makes them bluffs.
        for line in view.crossed_red_lines():
            if line.id not in threatened:
                return Threaten(role=view.role, red_line=line.id)
        if not content or sat < self.aspiration(view):
            offer = yield from self.best_offer(view, rng)
            if offer is not None:
                return offer
        if content and view.stances.get(view.role) != "support":
            return Support(role=view.role)
        return Pass(role=view.role)

    def best_offer(self, view: RoleView, rng: random.Random) -> Asking[Action | None]:
        """A change that would help this bot most, to signal as an offer."""
        here = view.satisfaction_value()
        scored = yield from view.amendment_scores()
        candidates = [(sat, issue_id, option) for issue_id, option, _c, sat in scored]
        return self._satisfice(view, rng, candidates, here + self.min_gain, Offer)
