"""Every move a seat (or the facilitator) can make, as a tagged union of frozen models.

Each action carries ``type``, a literal that names it, so a whole log round-trips through JSON
with one ``TypeAdapter`` and a save from anyone is validated strictly on load.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, TypeAdapter

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
PLAIN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
"""Text without control characters (line ends and tabs allowed): what a player writes reaches
others' terminals, where an escape sequence could clear or recolour them."""
Text = Annotated[str, StringConstraints(max_length=500, pattern=PLAIN)]
"""Free text a player writes."""

FACILITATOR = "facilitator"
"""The seat id of the facilitator, who runs the exercise and sits at no table."""


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    role: Id
    """The seat that makes the move (``facilitator`` for the facilitator's moves)."""

    @property
    def ends_turn(self) -> bool:
        """True for moves that pass the turn to the next seat."""
        return True


class Propose(_Action):
    """Table a whole package, replacing the one on the table."""

    type: Literal["propose"] = "propose"
    package: dict[Id, Id]
    """An option for every issue."""


class Amend(_Action):
    """Change one issue of the package on the table."""

    type: Literal["amend"] = "amend"
    issue: Id
    option: Id


class PledgeAction(_Action):
    """Set this role's pledge of one kind to a number of units."""

    type: Literal["pledge"] = "pledge"
    kind: Id
    units: int = Field(ge=1, le=10_000)


class Withdraw(_Action):
    """Withdraw this role's pledge of one kind."""

    type: Literal["withdraw"] = "withdraw"
    kind: Id


class Support(_Action):
    """Declare support for the package on the table."""

    type: Literal["support"] = "support"


class Object(_Action):
    """Object to the package on the table, with an optional reason."""

    type: Literal["object"] = "object"
    reason: Text = ""


class CallVote(_Action):
    """Put the deal on the table to a vote of every seat."""

    type: Literal["call_vote"] = "call_vote"


class Vote(_Action):
    """Accept or reject the deal put to the vote."""

    type: Literal["vote"] = "vote"
    accept: bool


class Veto(_Action):
    """Veto the Security Council resolution the deal needs."""

    type: Literal["veto"] = "veto"


class Abstain(_Action):
    """Let the Security Council resolution pass."""

    type: Literal["abstain"] = "abstain"


class Message(_Action):
    """A private message to one other role. It does not end the turn."""

    type: Literal["message"] = "message"
    to: Id
    text: Text = ""

    @property
    def ends_turn(self) -> bool:
        return False


class Threaten(_Action):
    """Warn in public that the deal crosses one of this role's declared red lines."""

    type: Literal["threaten"] = "threaten"
    red_line: Id


class Offer(_Action):
    """Say in public that this role could live with the deal if one issue changed."""

    type: Literal["offer"] = "offer"
    issue: Id
    option: Id


class Pass(_Action):
    """Do nothing this turn."""

    type: Literal["pass"] = "pass"


class WalkOut(_Action):
    """Leave the talks. The game ends without a deal."""

    type: Literal["walk_out"] = "walk_out"


class InjectAction(_Action):
    """The facilitator plays an event from the deck now."""

    type: Literal["inject"] = "inject"
    inject: Id

    @property
    def ends_turn(self) -> bool:
        return False


class Advance(_Action):
    """The facilitator ends the current round now."""

    type: Literal["advance"] = "advance"

    @property
    def ends_turn(self) -> bool:
        return False


class CustomInject(_Action):
    """The facilitator writes an event on the spot: what happened, who hears of it, and its
    lasting effects (within the scenario's limits for written events)."""

    type: Literal["custom_inject"] = "custom_inject"
    title: Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=PLAIN)]
    text: Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=PLAIN)]
    visible_to: tuple[Id, ...] = ()
    """Roles that are told; empty means everyone."""
    effects: dict[Id, float] = Field(default_factory=dict)
    """Points added to credibility dimensions for the rest of the game."""
    walk_away: dict[Id, float] = Field(default_factory=dict)
    """Change to roles' walk-away values."""

    @property
    def ends_turn(self) -> bool:
        return False


class Undo(_Action):
    """The facilitator takes back the last move not yet taken back. The game goes on as if it
    had never been made; the log keeps both the move and the undo."""

    type: Literal["undo"] = "undo"

    @property
    def ends_turn(self) -> bool:
        return False


class Annotate(_Action):
    """The facilitator writes a note in the log for the debrief (seen by no delegation)."""

    type: Literal["annotate"] = "annotate"
    text: Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=PLAIN)]

    @property
    def ends_turn(self) -> bool:
        return False


FACILITATOR_ACTIONS = (InjectAction, Advance, CustomInject, Undo, Annotate)
"""The moves only the facilitator makes."""

Action = Annotated[
    Propose
    | Amend
    | PledgeAction
    | Withdraw
    | Support
    | Object
    | CallVote
    | Vote
    | Veto
    | Abstain
    | Message
    | Threaten
    | Offer
    | Pass
    | WalkOut
    | InjectAction
    | Advance
    | CustomInject
    | Undo
    | Annotate,
    Discriminator("type"),
]
"""Any action, told apart by its ``type``."""


@cache
def action_adapter() -> TypeAdapter[Action]:
    """Validates one action from JSON or Python data (built on first use: every command
    pays for what it builds at import, and most never need this)."""
    return TypeAdapter(Action)


FREE_TEXT_FIELDS = ("text", "reason")
"""Fields a player writes freely; ``legal_actions`` lists their actions with them empty."""


def template(action: Action) -> Action:
    """The action with its free-text fields emptied, as ``legal_actions`` lists it."""
    updates = {name: "" for name in FREE_TEXT_FIELDS if getattr(action, name, "")}
    return action.model_copy(update=updates) if updates else action
