"""The JSON Schema of the scenario format, for editors and for ``negotiation schema``."""

from __future__ import annotations

from typing import Any

from negotiation.scenario.model import Scenario


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (TOML parses to the same data as this JSON)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Negotiation scenario"
    return schema
