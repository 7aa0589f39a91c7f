"""Snapshot tests of the projector: the table with the round timer, and a class debrief page.

Both follow a fixed save, and the projector's clock is fixed, so the timer reads the same
every run. Update them after an intended change of looks with:
pytest tests/tui/test_projector_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from negotiation.classroom import Classroom, RoundTimer, Team
from negotiation.engine import FACILITATOR, Amend, CustomInject, PledgeAction, apply, new_game
from negotiation.rules import Ruleset
from negotiation.savefile import make_save, write_save
from negotiation.scenario import load_scenario
from negotiation.tui.app import NegotiationApp
from negotiation.tui.screens.projector import ProjectorScreen

from conftest import settle

MINI = Path(__file__).parent.parent / "data" / "mini.toml"
NOW = 1_800_000_000.0


@pytest.fixture
def class_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Writes a Mini game played in class, with the classroom settings asked for; the
    projector's clock reads NOW."""
    monkeypatch.setattr(ProjectorScreen, "now", lambda self: NOW)
    scenario = load_scenario(MINI).model_copy(
        update={"discussion": ["What did Alphaland give up for its heavy posture?"]}
    )
    state = new_game(Ruleset(scenario), seed=1)
    for action in (
        Amend(role="alpha", issue="posture", option="heavy"),
        PledgeAction(role="beta", kind="troops", units=1),
        CustomInject(role=FACILITATOR, title="Fog at the border", text="Patrols are grounded."),
    ):
        state = apply(state, action)
    teams = {
        "alpha": Team(name="Les Bleus", members=("Ana", "Ben")),
        "beta": Team(name="Team B", members=("Cleo",)),
    }

    def write(**settings: object) -> Path:
        room = Classroom(facilitator=True, teams=teams).model_copy(update=settings)
        save = make_save(state, {r: "human" for r in scenario.roles}, name="Group A")
        path = tmp_path / "class.json"
        write_save(path, save.model_copy(update={"classroom": room}))
        return path

    return write


async def worked_out(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


def test_projector_table_with_a_running_timer(snap_compare, tmp_path, class_save):
    path = class_save(timer=RoundTimer.set(600).start(NOW - 130))  # 07:50 left
    app = NegotiationApp(tmp_path / "saves", bot_delay=0.0, projector=path)
    assert snap_compare(app, run_before=worked_out, terminal_size=(120, 40))


def test_projector_class_debrief_role_page(snap_compare, tmp_path, class_save):
    path = class_save(projector="debrief", debrief_page=1, timer=RoundTimer.set(300))
    app = NegotiationApp(tmp_path / "saves", bot_delay=0.0, projector=path)
    assert snap_compare(app, run_before=worked_out, terminal_size=(120, 40))
