"""The published schema does not drift from the models, and shipped scenarios are found."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from negotiation.scenario import builtin_paths
from negotiation.scenario.schema import scenario_schema

SCHEMA_FILE = Path(__file__).parent.parent / "docs" / "scenario.schema.json"


def test_schema_file_matches_the_models():
    on_disk = json.loads(SCHEMA_FILE.read_text())
    assert on_disk == scenario_schema(), (
        "docs/scenario.schema.json is out of date; regenerate it with: "
        "negotiation schema > docs/scenario.schema.json"
    )


def test_schema_documents_every_field():
    schema = scenario_schema()
    role = schema["$defs"]["Role"]["properties"]
    assert "description" in role["walk_away"]
    assert "bluff" in schema["$defs"]["RedLine"]["properties"]


def test_shipped_scenarios_are_found_from_any_folder(tmp_path):
    assert any(p.stem == "paris-2025" for p in builtin_paths())
    out = subprocess.run(
        [sys.executable, "-m", "negotiation", "scenarios", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "paris-2025" in {row["id"] for row in json.loads(out.stdout)}
