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
"""

from __future__ import annotations

import random
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

    # --- the decision --------------------------------------------------------------------------

    def choose(self, view: RoleView, rng: random.Random) -> Action:
        if (
            view.phase is Phase.DIPLOMACY
            and view.messages_sent == 0
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
            return self.coalition_move(view, rng)
        return self.other_side_move(view, rng)

    def progress(self, view: RoleView) -> float:
        """How far the talks have run: 0 in the first round, 1 in the last."""
        return (view.round - 1) / max(1, view.max_rounds - 1)

    def concession(self, progress: float) -> float:
        """Share of the opening margin given up by this point of the talks (0 to 1)."""
        return progress

    def aspiration(self, view: RoleView) -> float:
        """Satisfaction this bot holds out for now: falls to walk-away by the last round."""
        walk = view.walk_away()
        return walk + self.opening * (1.0 - self.concession(self.progress(view)))

    def message(self, view: RoleView, rng: random.Random) -> Action | None:
        """A private message to send before moving, or None."""
        return None

    def utility(self, credibility: float, satisfaction: float) -> float:
        return satisfaction + self.team_weight * credibility

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

    def coalition_move(self, view: RoleView, rng: random.Random) -> Action:
        sat = view.satisfaction_value()
        card = view.scorecard()
        here = self.utility(card.total, sat)
        aspiration = self.aspiration(view)

        if sat < aspiration:
            best = self.best_change(view, rng, here)
            if best is not None:
                return best
        pledge = self.best_pledge(view, here)
        if pledge is not None:
            return pledge
        if sat >= view.walk_away() and self.ready_to_vote(view, rng):
            return CallVote(role=view.role)
        if sat >= view.walk_away() and view.stances.get(view.role) != "support":
            return Support(role=view.role)
        if sat < aspiration:
            best = self.best_change(view, rng, here - 5.0)
            if best is not None:
                return best
        return Pass(role=view.role)

    def best_change(self, view: RoleView, rng: random.Random, floor: float) -> Action | None:
        """The amendment that raises this bot's utility most, if it beats ``floor``."""
        contested = self.recently_changed_by_others(view)
        best: tuple[float, float, str, str] | None = None
        for issue_id, option, cred, sat in view.score_amendments():
            if issue_id in contested:
                continue
            key = (self.utility(cred, sat), rng.random(), issue_id, option)
            if best is None or key[:2] > best[:2]:
                best = key
        if best is None or best[0] <= floor + self.min_gain:
            return None
        return Amend(role=view.role, issue=best[2], option=best[3])

    def recently_changed_by_others(self, view: RoleView) -> set[str]:
        """Issues another seat amended within the last circle of turns.

        Reversing a partner's amendment at once only starts a ping-pong; a delegate looks for
        gains elsewhere first.
        """
        issues: set[str] = set()
        horizon = view.steps - len(view.order)
        for entry in reversed(view.log):
            if entry.step <= horizon:
                break
            action = entry.action
            if action is None or action.role == view.role:
                continue
            if isinstance(action, Amend):
                issues.add(action.issue)
            elif isinstance(action, Propose):
                issues.update(action.package)
        return issues

    def best_pledge(self, view: RoleView, here: float) -> Action | None:
        """A pledge change that raises this bot's utility, or None."""
        own = dict(view.pledges.get(view.role, {}))
        moves: list[tuple[str, int]] = []  # (kind, units); 0 units: withdraw the pledge
        options: list[dict[str, int]] = []
        for kind_id, kind in view.pledge_kinds.items():
            cap = view.capacity(kind_id)
            current = own.get(kind_id, 0)
            for units in sorted({kind.step, cap // 2 // kind.step * kind.step, cap} - {0, current}):
                if 0 < units <= cap:
                    moves.append((kind_id, units))
                    options.append({**own, kind_id: units})
            if current:
                moves.append((kind_id, 0))
                options.append({k: v for k, v in own.items() if k != kind_id})
        if not options:
            return None
        best: tuple[float, tuple[str, int]] | None = None
        card = view.scorecard()
        base = view.satisfaction_value() + self.pledge_weight * card.total
        for move, (cred, sat) in zip(moves, view.score_own_pledges(options), strict=True):
            # What a delegation puts in, it weighs against the whole force's credibility: a
            # contribution is judged by what it makes the guarantee worth, not only its cost.
            value = sat + self.pledge_weight * cred - base + here
            if value > here + self.min_gain and (best is None or value > best[0]):
                best = (value, move)
        if best is None:
            return None
        kind_id, units = best[1]
        if not units:
            return Withdraw(role=view.role, kind=kind_id)
        return PledgeAction(role=view.role, kind=kind_id, units=units)

    def ready_to_vote(self, view: RoleView, rng: random.Random) -> bool:
        if view.round < view.first_vote_round or view.vote_called_round >= view.round:
            return False
        supporters = sum(1 for r in view.signatories if view.stances.get(r) == "support")
        late = view.round >= view.max_rounds - 1
        return supporters >= len(view.signatories) - 2 or (late and rng.random() < 0.7)

    # --- the other side ------------------------------------------------------------------------

    def other_side_move(self, view: RoleView, rng: random.Random) -> Action:
        sat = view.satisfaction_value()
        content = view.content()
        threatened = {
            e.action.red_line
            for e in view.log
            if e.round == view.round and isinstance(e.action, Threaten)
        }
        # Bluffed lines are threatened as loudly as real ones: that is what makes them bluffs.
        for line in view.crossed_red_lines():
            if line.id not in threatened:
                return Threaten(role=view.role, red_line=line.id)
        if not content or sat < self.aspiration(view):
            offer = self.best_offer(view, rng)
            if offer is not None:
                return offer
        if content and view.stances.get(view.role) != "support":
            return Support(role=view.role)
        return Pass(role=view.role)

    def best_offer(self, view: RoleView, rng: random.Random) -> Action | None:
        """The single change that would help this bot most, to signal as an offer."""
        here = view.satisfaction_value()
        best: tuple[float, float, str, str] | None = None
        for issue_id, option, _cred, sat in view.score_amendments():
            key = (sat, rng.random(), issue_id, option)
            if sat > here + self.min_gain and (best is None or key[:2] > best[:2]):
                best = key
        if best is None:
            return None
        return Offer(role=view.role, issue=best[2], option=best[3])
