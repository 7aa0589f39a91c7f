"""The JSON Schema of the scenario format, for editors and for ``negotiation schema``.

The models document each field with a docstring under it. Pydantic can read those docstrings
when each model class is created (``use_attribute_docstrings``), but that reads and parses the
module's source at every start of the program, for the schema alone: about a fifth of the
start-up time of every command. So the schema reads them here, once, when it is asked for.
"""

from __future__ import annotations

import ast
import inspect
from itertools import pairwise
from pathlib import Path
from typing import Any

from negotiation.scenario import model as scenario_model
from negotiation.scenario.model import Scenario


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (TOML parses to the same data as this JSON)."""
    schema = Scenario.model_json_schema()
    docs = field_docstrings(Path(scenario_model.__file__).read_text(encoding="utf-8"))
    _describe(schema, docs.get(Scenario.__name__, {}))
    for name, definition in schema.get("$defs", {}).items():
        _describe(definition, docs.get(name, {}))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Negotiation scenario"
    return schema


def field_docstrings(source: str) -> dict[str, dict[str, str]]:
    """Class name -> field name -> the docstring written under the field, for every class in
    a module's source."""
    found: dict[str, dict[str, str]] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, str] = {}
        for field, after in pairwise(node.body):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                fields[field.target.id] = _clean(after.value.value)
        found[node.name] = fields
    return found


def _clean(docstring: str) -> str:
    """A docstring as pydantic gives it: indentation removed, ends stripped."""
    return inspect.cleandoc(docstring)


def _describe(definition: dict[str, Any], docs: dict[str, str]) -> None:
    for name, prop in definition.get("properties", {}).items():
        if name in docs and "description" not in prop:
            prop["description"] = docs[name]
