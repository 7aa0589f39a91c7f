"""A game's standing as plain text or plain data: for ``replay --headless`` and scripts.

This is a debrief view: it shows every role's satisfaction and the private log, as an
instructor would see it after the game.
"""

from __future__ import annotations

from typing import Any

from negotiation.engine import GameState, outcome


def state_summary(state: GameState, *, log: bool = True) -> dict[str, Any]:
    """Everything about a game's standing, as JSON-ready data."""
    spec = state.scenario
    card = state.scorecard()
    result = outcome(state)
    data: dict[str, Any] = {
        "scenario": spec.id,
        "seed": state.seed,
        "step": state.steps,
        "round": state.round,
        "rounds": state.max_rounds,
        "phase": state.phase.value,
        "status": state.status.value,
        "turn": state.turn,
        "package": dict(state.package),
        "pledges": {r: dict(p) for r, p in state.pledges.items()},
        "events": list(state.events),
        "credibility": {
            "total": round(card.total, 2),
            "dimensions": {d: round(v, 2) for d, v in card.dimensions.items()},
            "fired": [
                {"id": f.id, "effect": dict(f.effect), "because": f.because, "source": f.source}
                for f in card.fired
            ],
        },
        "satisfaction": {
            role: {
                "value": round(result.satisfactions[role], 2),
                "walk_away": round(result.walk_aways[role], 2),
            }
            for role in spec.roles
        },
        "ratifications": [r.model_dump(mode="json") for r in state.ratifications],
        "stress_test": state.stress.model_dump(mode="json") if state.stress else None,
    }
    if log:
        data["log"] = [
            {
                "step": e.step,
                "round": e.round,
                "actor": e.actor,
                "text": e.text,
                "visible_to": list(e.visible_to),
            }
            for e in state.log
        ]
    return data


def format_state(state: GameState, *, log: bool = True) -> str:
    """A game's standing as text for a terminal."""
    spec = state.scenario
    card = state.scorecard()
    result = outcome(state)
    lines: list[str] = []
    status = state.status.value.replace("_", " ")
    lines.append(f"{spec.title} — step {state.steps}, round {state.round} of {state.max_rounds}")
    where = f"{state.phase.label}, {spec.roles[state.turn].name} to move" if state.turn else "over"
    lines.append(f"Status: {status} ({where})")
    lines.append("")
    lines.append("Deal on the table")
    width = max(len(i.label) for i in spec.issues.values())
    for issue_id, issue in spec.issues.items():
        lines.append(f"  {issue.label:<{width}}  {issue.options[state.package[issue_id]].label}")
    if state.pledges:
        lines.append("Pledges")
        for role, own in state.pledges.items():
            parts = [f"{units} {spec.pledge_kinds[k].unit}" for k, units in own.items()]
            lines.append(f"  {spec.roles[role].name}: {', '.join(parts)}")
    lines.append("")
    lines.append(f"Credibility {card.total:.1f} / 100")
    for dim, value in card.dimensions.items():
        bar = "█" * round(value / 5)
        lines.append(f"  {dim:<15}{value:6.1f}  {bar}")
    if card.moving:
        lines.append("Rules that fired")
        for fired in card.moving:
            effect = ", ".join(f"{d} {p:+g}" for d, p in fired.effect.items())
            lines.append(f"  {fired.id} ({effect}): {fired.because}")
    lines.append("")
    lines.append("Satisfaction against walk-away")
    for role_id, role_spec in spec.roles.items():
        value, walk = result.satisfactions[role_id], result.walk_aways[role_id]
        mark = "accepts" if value >= walk else "below walk-away"
        lines.append(f"  {role_spec.name:<16}{value:6.1f}  (walk-away {walk:.0f}: {mark})")
    if state.ratifications:
        lines.append("")
        lines.append("Ratification")
        for vote in state.ratifications:
            lines.append(f"  {vote.body}: {'passed' if vote.passed else 'failed'}")
    if state.stress:
        stress = state.stress
        lines.append("")
        lines.append(
            f"Stress test: held in {stress.held} of {stress.draws} futures "
            f"({stress.hold_rate:.0%}); in the one told here it "
            f"{'held' if stress.held_this_time else 'broke'}."
        )
        lines.extend(f"  {line}" for line in stress.narrative)
    if log:
        lines.append("")
        lines.append("Log")
        for entry in state.log:
            private = f" [private: {', '.join(entry.visible_to)}]" if entry.visible_to else ""
            lines.append(f"  {entry.step:>4}  R{entry.round}  {entry.text}{private}")
    return "\n".join(lines)
