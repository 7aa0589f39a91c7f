"""Pydantic models of a scenario file.

A scenario is pure data: who sits at the table, what they bargain over, what each of them
privately wants, and the rules that turn a deal into a credibility score. Every field carries a
docstring so that ``negotiation schema`` documents the format for scenario authors.

The models are frozen: a loaded scenario never changes during a game, and a save embeds a copy
of the one it was played with.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from negotiation import MAX_ROUNDS

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"),
]
"""A lower-case identifier: letters, digits and underscores, starting with a letter."""

IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

DIMENSIONS: tuple[str, ...] = (
    "legitimacy",
    "capability",
    "cohesion",
    "resolve",
    "sustainability",
    "restraint",
)
"""The six dimensions of credibility, in display order."""

Dimension = Literal[
    "legitimacy", "capability", "cohesion", "resolve", "sustainability", "restraint"
]

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Expression = Annotated[str, StringConstraints(min_length=1, max_length=2_000)]


class Frozen(BaseModel):
    """Base of every scenario model: immutable, and unknown keys are errors.

    Numbers must be finite: a NaN or an infinity (which TOML allows) would score every deal
    as nonsense, and a save that embeds the scenario could not be written as JSON.

    Lists default to ``[]``, which pydantic copies for each instance. ``default_factory=list``
    would do the same, but pydantic reads the factory's signature, and reading a built-in's
    signature compiles Python's tokenizer: a few milliseconds of every start-up.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Option(Frozen):
    """One choice for an issue, such as a UN Security Council mandate."""

    label: ShortText
    """Short name shown in the table, e.g. "UN Security Council"."""
    description: str = ""
    """One or two sentences a player reads before choosing it."""
    needs_unsc: bool = False
    """True if adopting this option needs a UN Security Council resolution (and so risks a
    veto)."""


class Issue(Frozen):
    """Something the coalition must settle: the mandate, the command structure, and so on."""

    label: ShortText
    """Name shown in the table, e.g. "Legal mandate"."""
    description: str = ""
    """What the issue is about, for the briefing."""
    options: dict[Identifier, Option] = Field(min_length=2, max_length=12)
    """The choices, keyed by identifier, in the order the table shows them."""


class PledgeKind(Frozen):
    """A kind of contribution a nation can pledge: troops, squadrons, money..."""

    label: ShortText
    """Name shown in the table, e.g. "Ground troops"."""
    unit: ShortText
    """Unit of one step, e.g. "thousand troops" or "€ bn a year"."""
    step: int = Field(default=1, ge=1, le=1_000)
    """Pledges are made in multiples of this many units."""


class RedLine(Frozen):
    """A condition a role declares it will not accept. Some are bluffs."""

    id: Identifier
    """Identifier, unique within the role."""
    when: Expression
    """Expression that is true when the deal on the table crosses this red line."""
    text: ShortText
    """How the role states it in public."""
    bluff: bool = False
    """True if the role could in fact live with it: only its private brief says so, and
    crossing it costs the role nothing."""
    penalty: float = Field(default=40.0, ge=0, le=100)
    """Satisfaction the role loses when a real (non-bluff) red line is crossed."""


class Role(Frozen):
    """A delegation at the table, with its public face and private brief."""

    name: ShortText
    """Display name, e.g. "France"."""
    short: Annotated[str, StringConstraints(min_length=2, max_length=4)]
    """Two- to four-letter tag for narrow columns, e.g. "FR"."""
    public_position: LongText
    """What everyone knows this delegation wants."""
    private_brief: LongText
    """What only this delegation knows: interests, constraints, room to move."""
    sources: list[ShortText] = Field(default=[], max_length=40)
    """Where the brief's facts come from."""
    preferences: dict[Identifier, dict[Identifier, float]] = Field(default_factory=dict)
    """Satisfaction points for each option of each issue: ``preferences.mandate.unsc = 12``.
    Options left out are worth 0."""
    credibility_weight: float = Field(default=0.0, ge=-2, le=2)
    """Satisfaction points per point of credibility above 50 (negative for a role that wants
    the coalition weak)."""
    base_satisfaction: float = Field(default=50.0, ge=0, le=100)
    """Satisfaction before preferences, credibility and costs are counted."""
    walk_away: float = Field(ge=0, le=100)
    """Satisfaction of the best alternative to a deal (BATNA): below this the role is better
    off without the deal."""
    capacities: dict[Identifier, int] = Field(default_factory=dict)
    """Most units of each pledge kind this role can offer; kinds left out cannot be pledged."""
    pledge_costs: dict[Identifier, float] = Field(default_factory=dict)
    """Satisfaction and domestic support lost per unit pledged, by pledge kind."""
    domestic_support: float = Field(default=60.0, ge=0, le=100)
    """Support at home for taking part, before pledge costs and injects."""
    red_lines: list[RedLine] = Field(default=[], max_length=20)
    """Red lines the role declares, real or bluffed."""
    unsc_veto: bool = False
    """True if this role is a permanent member that may veto at the Security Council."""
    default_strategy: Identifier = "baseline"
    """Bot strategy used when a bot plays this role and no other is asked for."""
    coalition: bool = True
    """True for members of the coalition (they may pledge); False for the other side."""


class Rule(Frozen):
    """A rule of the credibility engine: when it holds, it moves dimensions and explains why."""

    id: Identifier
    """Identifier, unique within the scenario."""
    when: Expression
    """Expression over the deal and the game, e.g. ``mandate == "unsc" and not vetoed``."""
    effect: dict[Dimension, float] = Field(default_factory=dict)
    """Points added to (or taken from) each credibility dimension when the rule fires."""
    satisfaction: dict[Identifier, float] = Field(default_factory=dict)
    """Satisfaction points added to roles when the rule fires."""
    because: LongText
    """Why: one or two sentences that teach the logic behind the rule."""
    source: str = ""
    """A source or historical analogy, if there is one."""


class Inject(Frozen):
    """An event that strikes the negotiation: scheduled for a round or drawn at random."""

    id: Identifier
    """Identifier, unique within the scenario; rules test it with ``event("id")``."""
    title: ShortText
    """Headline shown in the pop-up."""
    text: LongText
    """What happened, as the delegations hear it."""
    round: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)
    """Round at whose start it strikes; leave out for an event drawn at random."""
    weight: float = Field(default=1.0, ge=0, le=100)
    """Relative chance of being drawn, for unscheduled events."""
    visible_to: list[Identifier] = Field(default=[])
    """Roles that are told; empty means everyone."""
    effects: dict[Dimension, float] = Field(default_factory=dict)
    """Points added to credibility dimensions for the rest of the game."""
    walk_away: dict[Identifier, float] = Field(default_factory=dict)
    """Change to roles' walk-away values."""
    support: dict[Identifier, float] = Field(default_factory=dict)
    """Change to roles' domestic support."""
    capacities: dict[Identifier, dict[Identifier, int]] = Field(default_factory=dict)
    """Change to roles' pledge capacities: ``capacities.germany.troops = -2``."""
    forces_vote: bool = False
    """True if the chair must put the deal to a vote this round."""


class Ratification(Frozen):
    """A national vote an adopted deal must pass, e.g. the Bundestag's deployment mandate."""

    id: Identifier
    """Identifier, unique within the scenario."""
    role: Identifier
    """The nation whose parliament votes."""
    body: ShortText
    """Name of the body, e.g. "Bundestag"."""
    requires: Expression = "true"
    """Expression that is true when this vote is needed (e.g. only if troops are pledged)."""
    passes: Expression
    """Expression that is true when the vote passes, e.g. ``support("germany") >= 50``."""
    because: LongText
    """Why the vote is needed and what sways it."""


class NpcVoter(Frozen):
    """A Security Council member no one plays, whose vote the rules decide (e.g. China)."""

    name: ShortText
    """Display name."""
    vetoes_when: Expression
    """Expression that is true when this member vetoes the resolution."""
    because: LongText
    """Why it votes as it does."""


class Dimensions(Frozen):
    """Base value and weight of each credibility dimension."""

    base: dict[Dimension, float] = Field(default_factory=dict)
    """Value of each dimension before any rule fires (default 30)."""
    weights: dict[Dimension, Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=dict)
    """Weight of each dimension in the geometric mean (default 1)."""


class Turns(Frozen):
    """How a game is paced."""

    rounds: int = Field(default=8, ge=1, le=MAX_ROUNDS)
    """Rounds before the talks end without a deal."""
    order: list[Identifier] = Field(min_length=1)
    """Order in which seats act in diplomacy; the first is the chair."""
    inject_chance: float = Field(default=0.5, ge=0, le=1)
    """Chance that an unscheduled event is drawn in a round that has no scheduled one."""
    first_vote_round: int = Field(default=2, ge=1, le=MAX_ROUNDS)
    """First round in which a vote may be called."""
    messages_per_turn: int = Field(default=2, ge=0, le=10)
    """Private messages a seat may send before its move."""


class StressTest(Frozen):
    """The post-deal simulation of probing by the other side."""

    draws: int = Field(default=1_000, ge=10, le=100_000)
    """Simulated futures."""
    years: int = Field(default=5, ge=1, le=50)
    """Years each future runs."""
    probes_per_year: float = Field(default=2.0, ge=0, le=20)
    """Mean number of probes a year."""
    midpoint: float = Field(default=50.0, ge=0, le=100)
    """Credibility at which a single probe is deterred half the time."""
    steepness: float = Field(default=0.12, gt=0, le=2)
    """How sharply deterrence rises with credibility around the midpoint."""


class FacilitatorLimits(Frozen):
    """How far a facilitator may go with an event written on the spot."""

    custom_events: int = Field(default=6, ge=0, le=50)
    """Events the facilitator may write during one game (0: the deck only)."""
    max_effect: float = Field(default=10.0, ge=0, le=50)
    """Largest change, up or down, a written event may make to one credibility dimension."""
    max_walk_away: float = Field(default=10.0, ge=0, le=50)
    """Largest change, up or down, a written event may make to one role's walk-away value."""


class Scenario(Frozen):
    """A whole negotiation: the table, the stakes, the rules and the events."""

    format: Literal["negotiation-scenario"] = "negotiation-scenario"
    """Format name; always "negotiation-scenario"."""
    format_version: Literal[1] = 1
    """Version of the scenario format."""
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    """Identifier used on the command line, e.g. "paris-2025"."""
    title: ShortText
    """Title shown on the title and setup screens."""
    version: ShortText = "1"
    """Version of this scenario's content."""
    summary: ShortText
    """One line for the scenario list."""
    briefing: LongText
    """Public briefing every delegation reads."""
    sources: list[ShortText] = Field(default=[], max_length=60)
    """Sources of the public briefing."""
    roles: dict[Identifier, Role] = Field(min_length=2, max_length=12)
    """The delegations, keyed by identifier."""
    issues: dict[Identifier, Issue] = Field(min_length=1, max_length=16)
    """What is bargained over, in table order."""
    opening: dict[Identifier, Identifier]
    """The chair's draft: the package on the table when talks open (an option for every
    issue)."""
    pledge_kinds: dict[Identifier, PledgeKind] = Field(default_factory=dict, max_length=16)
    """Kinds of contribution nations can pledge."""
    signatories: list[Identifier] = Field(min_length=1)
    """Roles that must accept for a deal to be adopted."""
    rules: list[Rule] = Field(default=[], max_length=500)
    """Credibility rules."""
    injects: list[Inject] = Field(default=[], max_length=200)
    """The event deck."""
    ratifications: list[Ratification] = Field(default=[], max_length=30)
    """National votes an adopted deal must pass."""
    unsc_npcs: dict[Identifier, NpcVoter] = Field(default_factory=dict, max_length=10)
    """Security Council members no one plays."""
    dimensions: Dimensions = Field(default_factory=Dimensions)
    """Base values and weights of credibility dimensions."""
    turns: Turns
    """Pacing of a game."""
    stress_test: StressTest = Field(default_factory=StressTest)
    """The post-deal stress test."""
    discussion: list[LongText] = Field(default=[], max_length=40)
    """Questions for the debrief."""
    facilitator: FacilitatorLimits = Field(default_factory=FacilitatorLimits)
    """Limits on the events a facilitator writes during a game."""

    def dimension_base(self, dimension: str) -> float:
        """Base value of a dimension (30 when the scenario leaves it out)."""
        return float(self.dimensions.base.get(dimension, 30.0))  # type: ignore[call-overload]

    def dimension_weight(self, dimension: str) -> float:
        """Weight of a dimension (1 when the scenario leaves it out)."""
        return float(self.dimensions.weights.get(dimension, 1.0))  # type: ignore[call-overload]

    @property
    def chair(self) -> str:
        """The role that chairs the talks: the first in turn order."""
        return self.turns.order[0]
