"""What a classroom exercise adds to a game: named teams, the round timer, and what the
facilitator puts on the projector.

None of this is game state: the engine never reads the clock, and a game plays the same with or
without a class around it. It travels in the save file beside the moves, so that the projector
view in a second terminal (which follows the autosave) shows the same timer and the same
debrief page as the facilitator's console. Times are UNIX seconds, read by the caller and
passed in, so everything here is pure and testable.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]

MAX_TIMER = 3 * 60 * 60
"""Longest a round timer can be set or extended to, in seconds (three hours)."""


class Team(BaseModel):
    """The students who play one delegation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    members: tuple[Name, ...] = Field(default=(), max_length=12)

    @property
    def label(self) -> str:
        """ "Les Bleus (Ana, Ben)", or the name alone."""
        return f"{self.name} ({', '.join(self.members)})" if self.members else self.name


def parse_team(text: str) -> Team:
    """A team from "NAME: MEMBER, MEMBER, ..." (members optional).

    Raises:
        ValueError: no name, or a name or member list too long.
    """
    name, _, rest = text.partition(":")
    members = tuple(m.strip() for m in rest.split(",") if m.strip())
    if not name.strip():
        raise ValueError('a team needs a name: "NAME: MEMBER, MEMBER, ..."')
    if len(name.strip()) > 60 or any(len(m) > 60 for m in members):
        raise ValueError("team names and member names are at most 60 characters")
    if len(members) > 12:
        raise ValueError("a team has at most 12 members")
    return Team(name=name, members=members)


class RoundTimer(BaseModel):
    """A countdown the facilitator starts, pauses and extends.

    Attributes:
        seconds: the time set (extensions included).
        remaining: seconds left when it was last paused (or set).
        deadline: when it runs out, while it runs (UNIX seconds); None while paused.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    seconds: float = Field(ge=0, le=MAX_TIMER)
    remaining: float = Field(ge=0, le=MAX_TIMER)
    deadline: float | None = Field(default=None, ge=0)

    @classmethod
    def set(cls, seconds: float) -> RoundTimer:
        """A paused timer of ``seconds``."""
        seconds = min(MAX_TIMER, max(0.0, seconds))
        return cls(seconds=seconds, remaining=seconds)

    def reset(self) -> RoundTimer:
        """The clock for a new round: as long as this one was set for, paused."""
        return RoundTimer.set(self.seconds)

    @property
    def running(self) -> bool:
        return self.deadline is not None

    def left(self, now: float) -> float:
        """Seconds left at ``now`` (never below 0)."""
        if self.deadline is None:
            return self.remaining
        return min(float(MAX_TIMER), max(0.0, self.deadline - now))

    def expired(self, now: float) -> bool:
        return self.left(now) <= 0

    def start(self, now: float) -> RoundTimer:
        """Run (or resume) from what is left."""
        if self.running:
            return self
        return self.model_copy(update={"deadline": now + self.remaining})

    def pause(self, now: float) -> RoundTimer:
        """Stop the clock, keeping what is left."""
        if not self.running:
            return self
        return self.model_copy(update={"deadline": None, "remaining": self.left(now)})

    def extend(self, seconds: float, now: float) -> RoundTimer:
        """Add ``seconds`` (running or not; an expired timer starts counting again)."""
        left = self.left(now)
        longer = min(float(MAX_TIMER), left + max(0.0, seconds))
        total = min(float(MAX_TIMER), self.seconds + (longer - left))
        if self.deadline is None:
            return self.model_copy(update={"seconds": total, "remaining": longer})
        return self.model_copy(update={"seconds": total, "deadline": now + longer})


def clock(seconds: float) -> str:
    """ "mm:ss" (or "h:mm:ss") for a number of seconds, rounded up: 0.2 s left shows 00:01."""
    whole = max(0, math.ceil(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Classroom(BaseModel):
    """The exercise around a game, as the save file keeps it.

    Attributes:
        facilitator: the game is run by a facilitator (the console is open to them).
        teams: role -> the team that plays it.
        timer: the round timer, if one is set.
        reveal: the projector may show private information (satisfaction, private events).
        projector: what the projector shows: the table, or the class debrief.
        debrief_page: the page of the class debrief on the projector (0: the overview).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    facilitator: bool = False
    teams: dict[str, Team] = Field(default_factory=dict, max_length=12)
    timer: RoundTimer | None = None
    reveal: bool = False
    projector: Literal["table", "debrief"] = "table"
    debrief_page: int = Field(default=0, ge=0, le=100)

    def team_label(self, role: str) -> str:
        """The team playing ``role``, as shown beside it, or ""."""
        team = self.teams.get(role)
        return team.label if team else ""
