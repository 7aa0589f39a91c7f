"""Bot strategies with character.

Each strategy is a small class: a name, a one-line description, a concession curve, and what
it says in private. They come from the negotiation literature:

- **Pragmatist** concedes at a steady rate (a linear "conceder" in the sense of Faratin,
  Sierra and Jennings, *Negotiation decision functions for autonomous agents*, 1998).
- **Hardliner** concedes late: a Boulware curve from the same family, holding almost all of
  its demands until the last rounds.
- **Reciprocator** mirrors the concessions it receives: tit for tat in utility space
  (Axelrod, *The Evolution of Cooperation*, 1984). Each move another delegation makes that
  raises its satisfaction lowers its own demands by a share of that gain, and each move
  against it raises them.
- **Spoiler** is the other side's strategy: it threatens over every declared red line that the
  deal crosses, bluffs included, but vetoes at the Security Council only where a real red line
  is crossed or the deal is worse for it than no deal; it signals what it could accept, and
  presses late.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from negotiation.bots.delegate import Delegate
from negotiation.engine import (
    Abstain,
    Action,
    Amend,
    LogEntry,
    Message,
    Propose,
    RoleView,
    Veto,
)

# --- message templates -------------------------------------------------------------------------

HOLD_FIRM = (
    "{me} will not sign anything with {issue}: {option}. Move on that, or there is no deal.",
    "Our parliament will not accept {issue}: {option}. Help us change it.",
)
REASSURE = (
    "{me} can live with most of the draft on the table. What would it take for you to back it?",
    "We are close. Tell us the one change you need and we will look at it seriously.",
)
RECIPROCATE = (
    "{me} noticed your move on {issue}. We will answer it in kind.",
    "Thank you for the step on {issue}. Expect one from us.",
)
RETALIATE = ("Your amendment on {issue} cost us dearly. Do not expect us to move until you do.",)
SPOIL = (
    "Moscow will remember who put soldiers on its border.",
    "Drop {issue}: {option}, and a truce becomes easier for everyone.",
    "A mission without our consent will not survive its first winter.",
)


def _worst_issue(view: RoleView) -> tuple[str, str] | None:
    """The issue where the option on the table costs this seat most against its best option."""
    worst: tuple[float, str, str] | None = None
    for issue_id, table in view.brief.preferences.items():
        if not table:
            continue
        here = table.get(view.package[issue_id], 0.0)
        gap = max(table.values()) - here
        if gap > 0 and (worst is None or gap > worst[0]):
            worst = (gap, issue_id, view.package[issue_id])
    if worst is None:
        return None
    issue = view.issues[worst[1]]
    return issue.label, issue.options[worst[2]].label


class Pragmatist(Delegate):
    """Concedes steadily from a high opening to its walk-away value."""

    name: ClassVar[str] = "pragmatist"
    description: ClassVar[str] = "Concedes steadily towards a deal."

    def message(self, view: RoleView, rng: random.Random) -> Action | None:
        others = [
            r for r in view.signatories if r != view.role and view.stances.get(r) != "support"
        ]
        if not others or not view.content():
            return None
        text = rng.choice(REASSURE).format(me=view.role_name(view.role))
        return Message(role=view.role, to=rng.choice(others), text=text)


class Baseline(Pragmatist):
    """The first bot of the game, kept so older saves and scenarios that name it still work;
    it plays as a pragmatist."""

    name: ClassVar[str] = "baseline"
    description: ClassVar[str] = "Concedes steadily towards a deal (as pragmatist)."


class Hardliner(Delegate):
    """Holds out for a high opening and concedes only in the last rounds (Boulware)."""

    name: ClassVar[str] = "hardliner"
    description: ClassVar[str] = "Concedes late, if at all (Boulware)."
    opening = 32.0
    beta = 0.25
    """Concession exponent: share conceded by progress t is t ** (1 / beta)."""

    def concession(self, progress: float) -> float:
        return float(progress ** (1.0 / self.beta))

    def message(self, view: RoleView, rng: random.Random) -> Action | None:
        worst = _worst_issue(view)
        others = [r for r in view.order if r != view.role]
        if worst is None or not others:
            return None
        text = rng.choice(HOLD_FIRM).format(
            me=view.role_name(view.role), issue=worst[0], option=worst[1]
        )
        return Message(role=view.role, to=rng.choice(others), text=text)


@dataclass
class _Tally:
    """What a reciprocator has received so far, and where in the log it has read to."""

    package: dict[str, str]
    gains: float = 0.0
    losses: float = 0.0
    helper: str | None = None
    issue: str | None = None
    last: LogEntry | None = None
    """The last log entry read."""


class Reciprocator(Delegate):
    """Mirrors concessions: each move that helps it lowers its demands, each that hurts raises
    them."""

    name: ClassVar[str] = "reciprocator"
    description: ClassVar[str] = "Mirrors the concessions it receives."
    mirror = 0.6
    """Share of a received gain (or loss) that moves its aspiration."""

    def received(self, view: RoleView) -> tuple[float, float, str | None, str | None]:
        """(gains, losses) in its own preference points from other seats' amendments, and the
        latest seat and issue that helped it.

        The log only grows, so the tally is carried from one move to the next and only the new
        entries are read (a new game, whose log does not continue the last, starts afresh).
        """
        cache: dict[tuple[int, str], _Tally] = self.__dict__.setdefault("_tallies", {})
        key = (view.seed, view.role)  # a simulation plays many games side by side
        tally = cache.get(key)
        unread: Sequence[LogEntry] | None = None
        if tally is not None and tally.last is not None:
            # The entries since the last one read, if that one is still in this log.
            recent = view.recent_log(after_step=tally.last.step - 1)
            for n, entry in enumerate(recent):
                if entry is tally.last:
                    unread = recent[n + 1 :]
                    break
        if tally is None or unread is None:
            tally = _Tally(dict(view.opening))
            unread = view.log
        prefs = view.brief.preferences
        for entry in unread:
            action = entry.action
            if isinstance(action, Amend):
                changes = {action.issue: action.option}
            elif isinstance(action, Propose):
                changes = dict(action.package)
            else:
                continue
            delta = sum(
                prefs.get(i, {}).get(o, 0.0) - prefs.get(i, {}).get(tally.package[i], 0.0)
                for i, o in changes.items()
            )
            tally.package.update(changes)
            if action.role == view.role:
                continue
            if delta > 0:
                tally.gains += delta
                tally.helper, tally.issue = action.role, next(iter(changes))
            elif delta < 0:
                tally.losses -= delta
        if unread:
            tally.last = unread[-1]
        if key not in cache and len(cache) >= 4096:
            cache.clear()
        cache[key] = tally
        return tally.gains, tally.losses, tally.helper, tally.issue

    def aspiration(self, view: RoleView) -> float:
        gains, losses, _, _ = self.received(view)
        base = super().aspiration(view)
        walk = view.walk_away()
        return min(
            walk + self.opening_margin(view), max(walk, base - self.mirror * (gains - losses))
        )

    def message(self, view: RoleView, rng: random.Random) -> Action | None:
        gains, losses, helper, issue = self.received(view)
        if helper is not None and issue is not None and gains >= losses:
            text = rng.choice(RECIPROCATE).format(
                me=view.role_name(view.role), issue=view.issues[issue].label
            )
            return Message(role=view.role, to=helper, text=text)
        return None


class Spoiler(Delegate):
    """The other side: threatens, bluffs only where its brief allows, vetoes over real red
    lines, and signals what it could accept."""

    name: ClassVar[str] = "spoiler"
    description: ClassVar[str] = "Threatens, bluffs and vetoes (for the other side)."
    opening = 30.0
    message_rate: ClassVar[float] = 0.3
    beta = 0.5

    def concession(self, progress: float) -> float:
        return float(progress ** (1.0 / self.beta))

    def unsc(self, view: RoleView) -> Action:
        real = [line for line in view.crossed_red_lines() if not line.bluff]
        if real or not view.content():
            return Veto(role=view.role)
        return Abstain(role=view.role)

    def message(self, view: RoleView, rng: random.Random) -> Action | None:
        targets = [r for r in view.signatories if r != view.role]
        if not targets:
            return None
        worst = _worst_issue(view) or ("the mandate", "as it stands")
        text = rng.choice(SPOIL).format(issue=worst[0], option=worst[1])
        return Message(role=view.role, to=rng.choice(targets), text=text)
