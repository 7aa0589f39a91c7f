"""The rules of play: which moves are legal, and what each one does.

``legal_actions(state, role)`` lists the moves a seat may make; ``validate(state, action)``
checks one and raises :class:`IllegalAction` with a message a player can read; ``apply`` checks
and then plays it, returning the next state. Randomness comes only from the game's seed, so the
same actions from the same seed always give the same game.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterator, Mapping
from typing import Any

from negotiation import MAX_ROUNDS
from negotiation.engine.actions import (
    FACILITATOR,
    FACILITATOR_ACTIONS,
    Abstain,
    Action,
    Advance,
    Amend,
    Annotate,
    CallVote,
    CustomInject,
    InjectAction,
    Message,
    Object,
    Offer,
    Pass,
    PledgeAction,
    Propose,
    Support,
    Threaten,
    Undo,
    Veto,
    Vote,
    WalkOut,
    Withdraw,
)
from negotiation.engine.state import (
    GameState,
    LogEntry,
    Phase,
    RatificationResult,
    Status,
)
from negotiation.rules import Ruleset
from negotiation.scenario import Scenario
from negotiation.scenario.model import DIMENSIONS, Inject

MAX_STEPS = 5_000
"""A game never runs longer than this many actions (a guard for saves and bots)."""


class IllegalAction(ValueError):
    """An action the rules do not allow now. Its message is for the player."""


# --- starting a game ---------------------------------------------------------------------------


def new_game(scenario: Scenario | Ruleset, seed: int = 0, rounds: int | None = None) -> GameState:
    """Open the talks: the chair's draft on the table, round 1's event drawn.

    Args:
        scenario: the scenario, or a Ruleset already compiled from it.
        seed: seed of every random draw in the game.
        rounds: rounds before the talks end without a deal (the scenario's by default).
    """
    rules = scenario if isinstance(scenario, Ruleset) else Ruleset(scenario)
    spec = rules.scenario
    max_rounds = rounds if rounds is not None else spec.turns.rounds
    if not 1 <= max_rounds <= MAX_ROUNDS:
        raise ValueError(f"rounds must be between 1 and {MAX_ROUNDS}")
    state = GameState(
        rules=rules,
        seed=seed,
        max_rounds=max_rounds,
        package=dict(spec.opening),
        turn=spec.chair,
    )
    chair = spec.roles[spec.chair].name
    state = _log(state, "game", f"Talks open. {chair} tables the chair's draft.")
    return _start_round(state)


# --- legality ----------------------------------------------------------------------------------


def seat_to_move(state: GameState) -> str | None:
    """The seat whose move it is, or None when the game is over."""
    return state.turn


def legal_actions(state: GameState, role: str, *, proposals: bool = True) -> list[Action]:
    """Every move ``role`` may make now.

    Free-text fields (a message's text, an objection's reason) are listed empty: any text of
    allowed length is legal in their place. Whole-package proposals are listed for every
    package other than the one on the table, unless ``proposals`` is false (there can be
    thousands, and each differs from a series of amendments only in taking one turn).
    The facilitator's written events and notes are free-form and are not listed. Once the
    game is over, the facilitator may still take back the move that ended it, and write notes
    for the debrief.
    """
    return list(_iter_legal(state, role, proposals))


def _iter_legal(state: GameState, role: str, proposals: bool = True) -> Iterator[Action]:
    spec = state.scenario
    if state.phase is Phase.ENDED:
        if role == FACILITATOR and effective_actions(state):
            yield Undo(role=role)  # the facilitator may take back even the move that ended it
        return
    if role == FACILITATOR:
        for inject in spec.injects:
            if inject.id not in state.events:
                yield InjectAction(role=role, inject=inject.id)
        if state.phase is Phase.DIPLOMACY:
            yield Advance(role=role)
        if effective_actions(state):
            yield Undo(role=role)
        return
    if role not in spec.roles or role != state.turn:
        return
    if state.messages_sent < spec.turns.messages_per_turn:
        for other in spec.turns.order:
            if other != role:
                yield Message(role=role, to=other)
    if state.phase is Phase.VOTE:
        yield Vote(role=role, accept=True)
        yield Vote(role=role, accept=False)
        return
    if state.phase is Phase.UNSC:
        yield Veto(role=role)
        yield Abstain(role=role)
        return
    me = spec.roles[role]
    if me.coalition:
        for issue_id, issue in spec.issues.items():
            for option in issue.options:
                if option != state.package[issue_id]:
                    yield Amend(role=role, issue=issue_id, option=option)
        own = state.pledges.get(role, {})
        for kind_id, kind in spec.pledge_kinds.items():
            cap = state.capacity(role, kind_id)
            for units in range(kind.step, cap + 1, kind.step):
                if units != own.get(kind_id, 0):
                    yield PledgeAction(role=role, kind=kind_id, units=units)
            if own.get(kind_id, 0):
                yield Withdraw(role=role, kind=kind_id)
    if state.stances.get(role) != "support":
        yield Support(role=role)
    if state.stances.get(role) != "object":
        yield Object(role=role)
    if _may_call_vote(state, role):
        yield CallVote(role=role)
    if not me.coalition:
        for line in me.red_lines:
            yield Threaten(role=role, red_line=line.id)
        for issue_id, issue in spec.issues.items():
            for option in issue.options:
                if option != state.package[issue_id]:
                    yield Offer(role=role, issue=issue_id, option=option)
    yield Pass(role=role)
    yield WalkOut(role=role)
    if not me.coalition or not proposals:
        return
    current = tuple(state.package[i] for i in spec.issues)
    issue_ids = list(spec.issues)
    for combo in itertools.product(*(list(spec.issues[i].options) for i in issue_ids)):
        if combo != current:
            yield Propose.model_construct(
                role=role, type="propose", package=dict(zip(issue_ids, combo, strict=True))
            )


def _may_call_vote(state: GameState, role: str) -> bool:
    spec = state.scenario
    return (
        spec.roles[role].coalition
        and state.round >= spec.turns.first_vote_round
        and state.vote_called_round < state.round
    )


def validate(state: GameState, action: Action) -> None:
    """Check an action against the rules.

    Raises:
        IllegalAction: with a sentence saying why the action is not allowed now.
    """
    spec = state.scenario
    role = action.role
    if state.phase is Phase.ENDED and not (
        role == FACILITATOR and isinstance(action, Undo | Annotate)
    ):
        raise IllegalAction("The game is over.")
    if state.steps >= MAX_STEPS:
        raise IllegalAction(f"The game has reached its limit of {MAX_STEPS} actions.")
    if role == FACILITATOR:
        if isinstance(action, InjectAction):
            if action.inject not in {i.id for i in spec.injects}:
                raise IllegalAction(f'There is no event "{action.inject}" in the deck.')
            if action.inject in state.events:
                raise IllegalAction("That event has already happened.")
            return
        if isinstance(action, Advance):
            if state.phase is not Phase.DIPLOMACY:
                raise IllegalAction(
                    "A round can be ended only during diplomacy, not during a vote."
                )
            return
        if isinstance(action, CustomInject):
            _check_custom_inject(state, action)
            return
        if isinstance(action, Undo):
            if not effective_actions(state):
                raise IllegalAction("There is no move left to take back.")
            return
        if isinstance(action, Annotate):
            return
        raise IllegalAction("The facilitator runs the exercise but makes no delegation's moves.")
    if role not in spec.roles:
        raise IllegalAction(f'There is no delegation "{role}" at this table.')
    name = spec.roles[role].name
    if isinstance(action, FACILITATOR_ACTIONS):
        raise IllegalAction("Only the facilitator can play events, end rounds or take moves back.")
    if role != state.turn:
        who = spec.roles[state.turn].name if state.turn else "nobody"
        raise IllegalAction(f"It is {who}'s turn, not {name}'s.")
    if isinstance(action, Message):
        if action.to == role:
            raise IllegalAction("A delegation cannot send a message to itself.")
        if action.to not in spec.roles:
            raise IllegalAction(f'There is no delegation "{action.to}" to write to.')
        if state.messages_sent >= spec.turns.messages_per_turn:
            raise IllegalAction(
                f"{name} has already sent {spec.turns.messages_per_turn} messages this turn."
            )
        return
    if state.phase is Phase.VOTE:
        if not isinstance(action, Vote):
            raise IllegalAction("A vote is under way: accept or reject the deal.")
        return
    if state.phase is Phase.UNSC:
        if not isinstance(action, Veto | Abstain):
            raise IllegalAction("The Security Council is voting: veto or abstain.")
        return
    if isinstance(action, Vote | Veto | Abstain):
        raise IllegalAction("There is no vote under way.")
    me = spec.roles[role]
    if isinstance(action, Amend | Offer):
        _check_option(state, action.issue, action.option)
        if state.package[action.issue] == action.option:
            raise IllegalAction("That option is already on the table.")
        if isinstance(action, Offer) and me.coalition:
            raise IllegalAction("Only the other side makes offers; the coalition amends.")
        if isinstance(action, Amend) and not me.coalition:
            raise IllegalAction(f"{name} is not in the coalition: it can make offers, not amend.")
        return
    if isinstance(action, Propose):
        if not me.coalition:
            raise IllegalAction(f"{name} is not in the coalition: it cannot table packages.")
        missing = [i for i in spec.issues if i not in action.package]
        if missing:
            raise IllegalAction(
                f"A proposal must settle every issue; missing: {', '.join(missing)}."
            )
        for issue, option in action.package.items():
            _check_option(state, issue, option)
        if action.package == state.package:
            raise IllegalAction("That package is already on the table.")
        return
    if isinstance(action, PledgeAction | Withdraw):
        if not me.coalition:
            raise IllegalAction(f"{name} is not a member of the coalition and cannot pledge.")
        if action.kind not in spec.pledge_kinds:
            raise IllegalAction(f'There is no pledge of kind "{action.kind}".')
        kind = spec.pledge_kinds[action.kind]
        current = state.pledges.get(role, {}).get(action.kind, 0)
        if isinstance(action, Withdraw):
            if not current:
                raise IllegalAction(f"{name} has no pledge of {_phrase(kind.label)} to withdraw.")
            return
        cap = state.capacity(role, action.kind)
        if action.units > cap:
            raise IllegalAction(
                f"{name} can pledge at most {cap} {kind.unit} of {_phrase(kind.label)}."
            )
        if action.units % kind.step:
            raise IllegalAction(f"{kind.label} are pledged in steps of {kind.step} {kind.unit}.")
        if action.units == current:
            raise IllegalAction(f"{name} has already pledged exactly that.")
        return
    if isinstance(action, Support) and state.stances.get(role) == "support":
        raise IllegalAction(f"{name} already supports the deal on the table.")
    if isinstance(action, Object) and state.stances.get(role) == "object":
        raise IllegalAction(f"{name} has already objected to the deal on the table.")
    if isinstance(action, CallVote):
        if not me.coalition:
            raise IllegalAction("Only members of the coalition can call a vote.")
        if state.round < spec.turns.first_vote_round:
            raise IllegalAction(
                f"A vote can be called from round {spec.turns.first_vote_round} on."
            )
        if state.vote_called_round >= state.round:
            raise IllegalAction("A vote has already been called this round.")
    if isinstance(action, Threaten):
        if me.coalition:
            raise IllegalAction("Only the other side issues threats here.")
        if action.red_line not in {line.id for line in me.red_lines}:
            raise IllegalAction(f'{name} has declared no red line "{action.red_line}".')


def custom_events_played(state: GameState) -> int:
    """Events the facilitator has written so far in this game (taken-back ones included)."""
    return sum(1 for entry in state.log if isinstance(entry.action, CustomInject))


def _check_custom_inject(state: GameState, action: CustomInject) -> None:
    spec = state.scenario
    limits = spec.facilitator
    if custom_events_played(state) >= limits.custom_events:
        raise IllegalAction(
            f"This scenario allows {limits.custom_events} written events per game; "
            "play one from the deck instead."
        )
    if not action.title.strip() or not action.text.strip():
        raise IllegalAction("A written event needs a headline and a text.")
    for role in action.visible_to:
        if role not in spec.roles:
            raise IllegalAction(f'There is no delegation "{role}" to tell of the event.')
    for dim, points in action.effects.items():
        if dim not in DIMENSIONS:
            raise IllegalAction(
                f'"{dim}" is not a credibility dimension ({", ".join(DIMENSIONS)}).'
            )
        if not abs(points) <= limits.max_effect:
            raise IllegalAction(
                f"An event may move {dim} by at most {limits.max_effect:g} points either way."
            )
    for role, points in action.walk_away.items():
        if role not in spec.roles:
            raise IllegalAction(f'There is no delegation "{role}" whose walk-away could move.')
        if not abs(points) <= limits.max_walk_away:
            raise IllegalAction(
                f"An event may move a walk-away value by at most {limits.max_walk_away:g} "
                "points either way."
            )


def effective_actions(state: GameState) -> list[Action]:
    """The moves that stand: every action in the log except undos and notes, and less the
    moves the undos took back (the latest first)."""
    return [entry.action for entry in _standing_entries(state) if entry.action is not None]


def _standing_entries(state: GameState) -> list[LogEntry]:
    standing: list[LogEntry] = []
    for entry in state.log:
        action = entry.action
        if action is None or isinstance(action, Annotate):
            continue
        if isinstance(action, Undo):
            if standing:
                standing.pop()
            continue
        standing.append(entry)
    return standing


def _check_option(state: GameState, issue: str, option: str) -> None:
    spec = state.scenario
    if issue not in spec.issues:
        raise IllegalAction(f'There is no issue "{issue}" on the table.')
    if option not in spec.issues[issue].options:
        raise IllegalAction(f'"{option}" is not an option for {spec.issues[issue].label}.')


def is_legal(state: GameState, action: Action) -> bool:
    """True if the action is allowed now."""
    try:
        validate(state, action)
    except IllegalAction:
        return False
    return True


# --- applying ----------------------------------------------------------------------------------


def apply(state: GameState, action: Action) -> GameState:
    """Check an action and play it.

    Raises:
        IllegalAction: the action is not allowed now; the state is unchanged.
    """
    validate(state, action)
    return _play(state, action)


def _play(state: GameState, action: Action) -> GameState:
    spec = state.scenario
    role = action.role
    who = spec.roles[role].name if role in spec.roles else "The facilitator"
    # Each move's changes are made with its log entry, in one copy of the state.
    step = {"steps": state.steps + 1}

    if isinstance(action, Message):
        to = spec.roles[action.to].name
        return _log(
            state,
            role,
            f"{who} to {to}: {action.text}",
            action,
            visible_to=(role, action.to),
            update={**step, "messages_sent": state.messages_sent + 1},
        )
    if isinstance(action, InjectAction):
        inject = next(i for i in spec.injects if i.id == action.inject)
        # A private event stays private: only the roles it is told to learn who played it.
        state = _log(
            state,
            FACILITATOR,
            f"The facilitator plays an event: {inject.title}.",
            action,
            visible_to=tuple(inject.visible_to),
            update=step,
        )
        return _strike(state, inject)
    if isinstance(action, Advance):
        text = f"The facilitator ends round {state.round}."
        return _next_round(_log(state, FACILITATOR, text, action, update=step))
    if isinstance(action, CustomInject):
        state = _log(
            state,
            FACILITATOR,
            f"The facilitator plays an event: {action.title}.",
            action,
            visible_to=action.visible_to,
            update=step,
        )
        return _strike(state, custom_inject(action, state.steps))
    if isinstance(action, Annotate):
        text = f"Facilitator's note: {action.text}"
        return _log(state, FACILITATOR, text, action, (FACILITATOR,), update=step)
    if isinstance(action, Undo):
        return _undo(state.model_copy(update=step), action)

    if isinstance(action, Vote):
        word = "accepts" if action.accept else "rejects"
        votes = {**state.votes, role: action.accept}
        text = f"{who} {word} the deal."
        return _next_voter(_log(state, role, text, action, update={**step, "votes": votes}))
    if isinstance(action, Veto | Abstain):
        word = "vetoes" if isinstance(action, Veto) else "abstains on"
        vetoes = (*state.unsc_vetoes, role) if isinstance(action, Veto) else state.unsc_vetoes
        state = _log(
            state,
            role,
            f"{who} {word} the Security Council resolution.",
            action,
            update={**step, "unsc_vetoes": vetoes},
        )
        return _next_unsc_voter(state)

    if isinstance(action, Amend):
        issue = spec.issues[action.issue]
        label = issue.options[action.option].label
        package = {**state.package, action.issue: action.option}
        state = _log(
            state,
            role,
            f"{who} amends {_phrase(issue.label)}: {label}.",
            action,
            update={**step, "package": package, "stances": {}},
        )
    elif isinstance(action, Propose):
        changed = [
            _phrase(spec.issues[i].label)
            for i, o in action.package.items()
            if state.package[i] != o
        ]
        package = {i: action.package[i] for i in spec.issues}
        state = _log(
            state,
            role,
            f"{who} tables a new package ({', '.join(changed)}).",
            action,
            update={**step, "package": package, "stances": {}},
        )
    elif isinstance(action, PledgeAction):
        kind = spec.pledge_kinds[action.kind]
        own = {**state.pledges.get(role, {}), action.kind: action.units}
        state = _log(
            state,
            role,
            f"{who} pledges {action.units} {kind.unit} ({_phrase(kind.label)}).",
            action,
            update={**step, "pledges": {**state.pledges, role: own}},
        )
    elif isinstance(action, Withdraw):
        kind = spec.pledge_kinds[action.kind]
        own = {k: v for k, v in state.pledges.get(role, {}).items() if k != action.kind}
        pledges = (
            {**state.pledges, role: own}
            if own
            else {r: p for r, p in state.pledges.items() if r != role}
        )
        state = _log(
            state,
            role,
            f"{who} withdraws its pledge of {_phrase(kind.label)}.",
            action,
            update={**step, "pledges": pledges},
        )
    elif isinstance(action, Support):
        stances = {**state.stances, role: "support"}
        text = f"{who} supports the deal on the table."
        state = _log(state, role, text, action, update={**step, "stances": stances})
    elif isinstance(action, Object):
        reason = f": {action.reason}" if action.reason else "."
        stances = {**state.stances, role: "object"}
        text = f"{who} objects to the deal{reason}"
        state = _log(state, role, text, action, update={**step, "stances": stances})
    elif isinstance(action, Threaten):
        line = next(x for x in spec.roles[role].red_lines if x.id == action.red_line)
        state = _log(state, role, f'{who} warns: "{line.text}"', action, update=step)
    elif isinstance(action, Offer):
        issue = spec.issues[action.issue]
        label = issue.options[action.option].label
        state = _log(
            state,
            role,
            f"{who} signals it could live with {_phrase(issue.label)}: {label}.",
            action,
            update=step,
        )
    elif isinstance(action, Pass):
        state = _log(state, role, f"{who} passes.", action, update=step)
    elif isinstance(action, WalkOut):
        text = f"{who} walks out of the talks."
        state = _log(state, role, text, action, update={**step, "walked_out": role})
        return _end(state, Status.COLLAPSED, f"The talks collapse: {who} has walked out.")
    elif isinstance(action, CallVote):
        state = _log(
            state,
            role,
            f"{who} calls a vote on the deal on the table.",
            action,
            update={**step, "vote_caller": role, "vote_called_round": state.round, "votes": {}},
        )
        return _open_vote(state, first=spec.turns.order[0])
    return _next_turn(state)


# --- turn and round flow -----------------------------------------------------------------------


def _phrase(label: str) -> str:
    """A label inside a sentence: "Legal mandate" -> "legal mandate", "U.S. backstop" stays."""
    if len(label) > 1 and (label[1].isupper() or label[1] == "."):
        return label
    return label[:1].lower() + label[1:]


def _log(
    state: GameState,
    actor: str,
    text: str,
    action: Action | None = None,
    visible_to: tuple[str, ...] = (),
    event: str | None = None,
    *,
    update: Mapping[str, Any] | None = None,
) -> GameState:
    """The state with an entry added to its log, and the changes in ``update`` made with it
    (the entry's step is the updated state's)."""
    # Built without validation: every field comes from the engine itself.
    entry = LogEntry.made(
        step=state.steps if update is None else update.get("steps", state.steps),
        round=state.round,
        actor=actor,
        text=text,
        visible_to=visible_to,
        action=action,
        event=event,
    )
    digest = hashlib.blake2b(
        "\x1f".join((state.log_digest, actor, text, ",".join(visible_to), event or "")).encode(),
        digest_size=8,
    ).hexdigest()
    changes = {"log": (*state.log, entry), "log_digest": digest}
    if update is not None:
        changes.update(update)
    return state.model_copy(update=changes)


def _next_turn(state: GameState) -> GameState:
    """Pass the move to the next seat; a full circle ends the round."""
    order = state.scenario.turns.order
    assert state.turn is not None
    index = order.index(state.turn) + 1
    if index >= len(order):
        return _next_round(state.model_copy(update={"messages_sent": 0}))
    return state.model_copy(update={"messages_sent": 0, "turn": order[index]})


def _next_round(state: GameState) -> GameState:
    if state.round >= state.max_rounds:
        return _end(
            state,
            Status.NO_DEAL,
            f"Round {state.round} ends without an adopted deal. The talks break up.",
        )
    state = state.model_copy(
        update={
            "round": state.round + 1,
            "turn": state.scenario.turns.order[0],
            "messages_sent": 0,
        }
    )
    return _start_round(state)


def _start_round(state: GameState) -> GameState:
    spec = state.scenario
    state = _log(state, "game", f"Round {state.round} of {state.max_rounds} begins.")
    scheduled = [i for i in spec.injects if i.round == state.round and i.id not in state.events]
    if scheduled:
        for inject in scheduled:
            state = _strike(state, inject)
    else:
        rng = random.Random(f"{state.seed}:{state.round}:inject")
        deck = [
            i for i in spec.injects if i.round is None and i.id not in state.events and i.weight > 0
        ]
        if deck and rng.random() < spec.turns.inject_chance:
            inject = rng.choices(deck, weights=[i.weight for i in deck])[0]
            state = _strike(state, inject)
    if state.forced_vote and state.phase is Phase.DIPLOMACY and state.round >= 1:
        chair = spec.chair
        state = _log(state, "game", "The chair must put the deal to a vote now.")
        state = state.model_copy(
            update={
                "forced_vote": False,
                "vote_caller": chair,
                "vote_called_round": state.round,
                "votes": {},
            }
        )
        return _open_vote(state, first=spec.turns.order[0])
    return state


def custom_inject(action: CustomInject, step: int) -> Inject:
    """The event a facilitator wrote, as the deck would hold it (its id names its step)."""
    return Inject(
        id=f"custom_{step}",
        title=action.title,
        text=action.text,
        visible_to=list(action.visible_to),
        effects=action.effects,
        walk_away=action.walk_away,
    )


def inject_of(state: GameState, event_id: str) -> Inject | None:
    """The event with this id: from the deck, or one the facilitator wrote in this game."""
    for inject in state.scenario.injects:
        if inject.id == event_id:
            return inject
    for entry in state.log:
        if isinstance(entry.action, CustomInject) and event_id == f"custom_{entry.step}":
            return custom_inject(entry.action, entry.step)
    return None


def _undo(state: GameState, action: Undo) -> GameState:
    """Take back the last standing move: the game is played again from the start without it
    (the same seed draws the same events), and the log keeps everything, the undo last."""
    standing = _standing_entries(state)
    entry = standing.pop()
    rebuilt = new_game(state.rules, seed=state.seed, rounds=state.max_rounds)
    for kept in standing:
        assert kept.action is not None
        rebuilt = _play(rebuilt, kept.action)
    rebuilt = rebuilt.model_copy(
        update={"log": state.log, "log_digest": state.log_digest, "steps": state.steps}
    )
    visible = (*entry.visible_to, FACILITATOR) if entry.visible_to else ()
    return _log(
        rebuilt,
        FACILITATOR,
        f"The facilitator takes back a move (step {entry.step}): {entry.text}",
        action,
        visible_to=visible,
    )


def _strike(state: GameState, inject: Inject) -> GameState:
    """An event strikes: log it (privately if it is private) and apply its lasting effects."""
    dims = dict(state.dimension_shift)
    for dim, points in inject.effects.items():
        dims[dim] = dims.get(dim, 0.0) + points
    walk = dict(state.walk_away_shift)
    for role, points in inject.walk_away.items():
        walk[role] = walk.get(role, 0.0) + points
    support = dict(state.support_shift)
    for role, points in inject.support.items():
        support[role] = support.get(role, 0.0) + points
    caps = {r: dict(c) for r, c in state.capacity_shift.items()}
    for role, changes in inject.capacities.items():
        for kind, delta in changes.items():
            caps.setdefault(role, {})[kind] = caps.get(role, {}).get(kind, 0) + delta
    state = state.model_copy(
        update={
            "events": (*state.events, inject.id),
            "dimension_shift": dims,
            "walk_away_shift": walk,
            "support_shift": support,
            "capacity_shift": caps,
            "forced_vote": state.forced_vote or inject.forces_vote,
        }
    )
    # Pledges above a reduced capacity shrink to it.
    pledges = {}
    for role, own in state.pledges.items():
        kept = {k: min(v, state.capacity(role, k)) for k, v in own.items()}
        kept = {k: v for k, v in kept.items() if v > 0}
        if kept:
            pledges[role] = kept
    state = state.model_copy(update={"pledges": pledges})
    return _log(
        state,
        "game",
        f"EVENT — {inject.title}: {inject.text}",
        visible_to=tuple(inject.visible_to),
        event=inject.id,
    )


def _open_vote(state: GameState, first: str) -> GameState:
    return state.model_copy(update={"phase": Phase.VOTE, "turn": first, "messages_sent": 0})


def _next_voter(state: GameState) -> GameState:
    spec = state.scenario
    remaining = [r for r in spec.turns.order if r not in state.votes]
    if remaining:
        return state.model_copy(update={"turn": remaining[0], "messages_sent": 0})
    # Every seat has voted: only now is the result known.
    votes = dict(state.votes)
    state = state.model_copy(
        update={"last_vote": votes, "votes": {}, "votes_held": state.votes_held + 1}
    )
    refused = [spec.roles[r].name for r in spec.signatories if not votes.get(r)]
    if refused:
        state = _log(
            state, "game", f"The deal is not adopted: {', '.join(refused)} did not accept."
        )
        return _resume_after_vote(state)
    if any(spec.issues[i].options[o].needs_unsc for i, o in state.package.items()):
        state = _log(
            state, "game", "The signatories accept. The deal goes to the Security Council."
        )
        state = state.model_copy(update={"unsc_vetoes": ()})
        voters = [r for r in spec.turns.order if spec.roles[r].unsc_veto]
        if voters:
            return state.model_copy(
                update={"phase": Phase.UNSC, "turn": voters[0], "messages_sent": 0}
            )
        return _close_unsc(state)
    return _adopt(state)


def _next_unsc_voter(state: GameState) -> GameState:
    spec = state.scenario
    voters = [r for r in spec.turns.order if spec.roles[r].unsc_veto]
    assert state.turn is not None
    index = voters.index(state.turn) + 1
    if index < len(voters):
        return state.model_copy(update={"turn": voters[index], "messages_sent": 0})
    return _close_unsc(state)


def _close_unsc(state: GameState) -> GameState:
    spec = state.scenario
    rules = state.rules
    ctx = rules.outcome_context(state.package, state.pledges, state.situation())
    state = state.model_copy(update={"unsc_votes_held": state.unsc_votes_held + 1})
    vetoes = list(state.unsc_vetoes)
    for npc_id, vetoes_when in rules.npc_vetoes.items():
        npc = spec.unsc_npcs[npc_id]
        if vetoes_when(ctx):
            vetoes.append(npc_id)
            state = _log(state, "game", f"{npc.name} vetoes the resolution. {npc.because}")
        else:
            state = _log(state, "game", f"{npc.name} lets the resolution pass.")
    if vetoes:
        names = [spec.roles[v].name if v in spec.roles else spec.unsc_npcs[v].name for v in vetoes]
        state = state.model_copy(update={"vetoed": True, "unsc_vetoes": tuple(vetoes)})
        state = _log(
            state,
            "game",
            f"The resolution falls to a veto ({', '.join(names)}). Without it the mandate has no "
            "Security Council backing: the deal is not adopted.",
        )
        return _resume_after_vote(state)
    state = state.model_copy(update={"vetoed": False})
    state = _log(state, "game", "The Security Council adopts the resolution.")
    return _adopt(state)


def _resume_after_vote(state: GameState) -> GameState:
    """Talks go on with the seat after the one that called the vote."""
    spec = state.scenario
    state = state.model_copy(update={"phase": Phase.DIPLOMACY})
    caller = state.vote_caller or spec.chair
    state = state.model_copy(update={"turn": caller})
    return _next_turn(state)


def _adopt(state: GameState) -> GameState:
    rules = state.rules
    state = state.model_copy(update={"status": Status.ADOPTED})
    state = _log(state, "game", "The deal is adopted by every required signatory.")
    ctx = rules.outcome_context(state.package, state.pledges, state.situation())
    results: list[RatificationResult] = []
    for check in rules.ratifications:
        if not check.requires(ctx):
            continue
        vote = check.vote
        passed = check.passes(ctx)
        results.append(
            RatificationResult(
                id=vote.id, role=vote.role, body=vote.body, passed=passed, because=vote.because
            )
        )
        word = "approves" if passed else "rejects"
        state = _log(state, "game", f"Ratification: the {vote.body} {word} the deal.")
    state = state.model_copy(update={"ratifications": tuple(results)})
    failed = [r.body for r in results if not r.passed]
    if failed:
        return _end(
            state,
            Status.UNRATIFIED,
            f"The deal falls at home: the {', '.join(failed)} voted it down.",
        )
    card = state.scorecard()
    from negotiation.engine.stress import run_stress_test  # NumPy: only when a deal is tested

    stress = run_stress_test(card, state.scenario.stress_test, state.seed)
    state = state.model_copy(update={"stress": stress})
    verdict = "holds" if stress.held_this_time else "breaks"
    return _end(
        state,
        Status.ADOPTED,
        f"The guarantee is in force. Stress test: deterrence held in {stress.held} of "
        f"{stress.draws} simulated futures; in this one, the truce {verdict}.",
    )


def _end(state: GameState, status: Status, text: str) -> GameState:
    state = state.model_copy(update={"status": status, "phase": Phase.ENDED, "turn": None})
    return _log(state, "game", text)
