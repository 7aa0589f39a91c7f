"""The headless core must be usable without the terminal UI: importing it never loads Textual.

Each module is imported in a fresh interpreter, because this test process has Textual loaded.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

HEADLESS = [
    "negotiation.scenario",
    "negotiation.rules",
    "negotiation.engine",
    "negotiation.bots",
    "negotiation.bots.runner",
    "negotiation.savefile",
    "negotiation.report.text",
    "negotiation.report.timeline",
    "negotiation.report.debrief",
    "negotiation.report.markdown",
    "negotiation.report.html",
    "negotiation.report.briefs",
    "negotiation.report.compare",
    "negotiation.analysis.summary",
    "negotiation.report.classdebrief",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_import_textual(module: str) -> None:
    code = (
        f"import {module}, sys; "
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulls in Textual: {out.stdout.strip()}"


def test_engine_does_not_touch_clock_disk_or_terminal() -> None:
    """The engine's source never reads the clock, prints or opens files."""
    import ast
    from pathlib import Path

    import negotiation.engine as engine

    folder = Path(engine.__file__).parent
    forbidden_calls = {"print", "open", "input"}
    forbidden_modules = {"time", "datetime", "os", "pathlib", "sys", "textual"}
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in forbidden_calls, f"{path.name} calls {node.func.id}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in forbidden_modules, path.name
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in forbidden_modules, path.name


def test_replaying_a_game_without_a_deal_never_loads_numpy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Opening a save scores only a few deals: no per-package tables, so no NumPy (whose import
    is a third of the start-up of ``negotiation replay --headless``)."""
    from negotiation.engine import apply, legal_actions, new_game
    from negotiation.savefile import make_save, write_save
    from negotiation.scenario import resolve_scenario

    state = new_game(resolve_scenario("paris-2025"), seed=1)

    def no(move: Any) -> Any:
        return move if getattr(move, "accept", True) is False else None

    for _ in range(30):
        if state.turn is None:
            break
        moves = legal_actions(state, state.turn, proposals=False)
        move = next(m for m in moves if m.type in ("amend", "pass", "veto") or m == no(m))
        state = apply(state, move)
    assert not state.adopted
    path = tmp_path / "game.json"
    write_save(path, make_save(state, {}))
    code = (
        "import sys; from negotiation.cli import main; "
        f"main(['replay', {str(path)!r}, '--headless']); "
        "print('NUMPY' if 'numpy' in sys.modules else 'NO NUMPY')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("NO NUMPY")


def _run(code: str, **env: str) -> str:
    import os

    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return out.stdout.strip()


def test_opening_a_save_does_not_scan_installed_packages_for_pydantic_plugins() -> None:
    """Reading every installed distribution's entry points cost a fifth of opening a save."""
    code = (
        "import sys, negotiation.savefile, negotiation.report.text; "
        "print('importlib.metadata' in sys.modules, "
        "type(sys.modules['pydantic.plugin._loader']).__name__)"
    )
    assert _run(code) == "False _NoPlugins"


def test_pydantic_plugin_loader_stand_in_steps_aside_when_asked_for_more() -> None:
    code = (
        "import sys, negotiation.savefile; "
        "from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP as group; "
        "print(group, type(sys.modules['pydantic.plugin._loader']).__name__)"
    )
    assert _run(code) == "pydantic module"


def test_pydantic_own_plugin_switch_is_left_to_pydantic() -> None:
    code = (
        "import sys, negotiation.savefile; "
        "print(type(sys.modules['pydantic.plugin._loader']).__name__)"
    )
    assert _run(code, PYDANTIC_DISABLE_PLUGINS="__all__") == "module"
