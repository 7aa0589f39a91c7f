"""The scenario authoring guide (docs/scenarios.md) keeps up with the code it describes.

Every field of every scenario model is in its reference, the example scenario loads and is the
one the guide shows, the variant example loads over it, and every command line the guide
quotes is one the command line accepts.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
import shutil
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from negotiation.cli import build_parser
from negotiation.scenario import load_scenario
from negotiation.scenario import model as scenario_model
from negotiation.scenario.model import Scenario

DOCS = Path(__file__).parent.parent / "docs"
GUIDE = DOCS / "scenarios.md"
EXAMPLE = DOCS / "example-scenario.toml"
SCHEMA = DOCS / "scenario.schema.json"


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def models_of(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model reachable from ``root`` through its fields' types, by class name."""
    found: dict[str, type[BaseModel]] = {}

    def visit(tp: object) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp.__name__ not in found:
                found[tp.__name__] = tp
                for info in tp.model_fields.values():
                    visit(info.annotation)
            return
        for arg in typing.get_args(tp):
            visit(arg)

    visit(root)
    return found


def all_models() -> dict[str, type[BaseModel]]:
    """The scenario's models: those reachable from Scenario, and any other in the module."""
    models = models_of(Scenario)
    for name, obj in vars(scenario_model).items():
        if (
            isinstance(obj, type)
            and issubclass(obj, BaseModel)
            and obj.__module__ == scenario_model.__name__
            and obj.model_fields
        ):
            models.setdefault(name, obj)
    return models


def reference_sections(text: str) -> dict[str, str]:
    """The guide's reference: model name -> the text of its ``### Name`` section."""
    start = text.index("\n## Reference: every field")
    end = text.find("\n## ", start + 1)
    reference = text[start : end if end >= 0 else len(text)]
    parts = re.split(r"^### ", reference, flags=re.MULTILINE)[1:]
    return {re.match(r"\w+", part).group(0): part for part in parts}  # type: ignore[union-attr]


def fenced_blocks(text: str, language: str) -> list[tuple[int, str]]:
    """(offset, body) of every ```language fenced block."""
    pattern = rf"^```{language}\n(.*?)^```$"
    return [(m.start(), m.group(1)) for m in re.finditer(pattern, text, re.MULTILINE | re.DOTALL)]


def block_after(text: str, heading: str, language: str = "toml") -> str:
    """The first ```language block after the heading that starts with ``heading``."""
    match = re.search(rf"^#+ {re.escape(heading)}", text, re.MULTILINE)
    assert match, f'docs/scenarios.md has no heading "{heading}"'
    for offset, body in fenced_blocks(text, language):
        if offset > match.start():
            return body
    raise AssertionError(f'no ```{language} block after "{heading}"')


# --- the reference ------------------------------------------------------------------------------


def test_the_scenario_models_are_found() -> None:
    models = all_models()
    assert {"Scenario", "Role", "RedLine", "Rule", "Inject", "Turns"} <= set(models)


@pytest.mark.parametrize("name", sorted(all_models()))
def test_every_field_is_in_its_models_reference_table(name: str) -> None:
    sections = reference_sections(guide_text())
    assert name in sections, f"docs/scenarios.md: no reference section '### {name}'"
    section = sections[name]
    documented = set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE))
    fields = set(all_models()[name].model_fields)
    assert not fields - documented, (
        f"docs/scenarios.md, ### {name}: fields missing from the table: "
        f"{sorted(fields - documented)}"
    )
    assert not documented - fields, (
        f"docs/scenarios.md, ### {name}: the table lists fields the model does not have: "
        f"{sorted(documented - fields)}"
    )


def test_every_field_name_appears_in_the_guide() -> None:
    text = guide_text()
    missing = sorted(
        f"{name}.{field}"
        for name, model in all_models().items()
        for field in model.model_fields
        if f"`{field}`" not in text
    )
    assert not missing, f"docs/scenarios.md never names: {missing}"


# --- the examples -------------------------------------------------------------------------------


def test_the_example_scenario_loads() -> None:
    scenario = load_scenario(EXAMPLE)
    assert len(scenario.roles) == 3
    assert 2 <= len(scenario.issues) <= 3
    assert scenario.rules and scenario.injects and scenario.ratifications
    assert any(line for role in scenario.roles.values() for line in role.red_lines)


def test_the_example_scenario_passes_validate(capsys: pytest.CaptureFixture[str]) -> None:
    from negotiation.cli import main

    assert main(["validate", str(EXAMPLE)]) == 0
    assert ": ok" in capsys.readouterr().out


@pytest.mark.parametrize(
    "path",
    [EXAMPLE, *sorted((DOCS.parent / "scenarios").glob("*.toml"))],
    ids=lambda p: p.name,
)
def test_every_shipped_scenario_points_an_editor_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#:schema ")
    target = (path.parent / first.removeprefix("#:schema ").strip()).resolve()
    assert target == SCHEMA.resolve()


def test_the_guide_shows_the_example_file_as_it_is() -> None:
    shown = block_after(guide_text(), "A complete example")
    assert shown.strip() == EXAMPLE.read_text(encoding="utf-8").strip(), (
        "the toml block after 'A complete example' in docs/scenarios.md differs from "
        "docs/example-scenario.toml: copy the file into the guide"
    )


def test_the_variant_example_loads_over_the_example(tmp_path: Path) -> None:
    variant_text = block_after(guide_text(), "Variants")
    match = re.search(r'^extends = "([^"]+)"', variant_text, re.MULTILINE)
    assert match, "the variant example has no extends line"
    shutil.copy(EXAMPLE, tmp_path / match.group(1))
    path = tmp_path / "variant.toml"
    path.write_text(variant_text, encoding="utf-8")
    base = load_scenario(EXAMPLE)
    variant = load_scenario(path)
    assert variant.id != base.id
    assert len(variant.rules) == len(base.rules) - 1  # the example removes one rule


# --- the command lines --------------------------------------------------------------------------


def command_lines(text: str) -> list[str]:
    """Every ``negotiation ...`` command the guide quotes, in shell blocks or inline code."""
    lines: list[str] = []
    for _, body in fenced_blocks(text, "sh"):
        lines += [line.strip() for line in body.splitlines() if line.startswith("negotiation")]
    prose = re.sub(r"^```.*?^```$", "", text, flags=re.MULTILINE | re.DOTALL)
    for code in re.findall(r"`([^`]+)`", prose.replace("\n", " ")):
        if code.startswith("negotiation "):
            lines.append(code)
    return lines


def argv_of(line: str) -> list[str]:
    """The arguments of a command line, less the program name, redirections and pipes."""
    words = shlex.split(line, comments=True)
    for stop in (">", "|", "&&", "<"):
        if stop in words:
            words = words[: words.index(stop)]
    assert words[0] == "negotiation"
    return words[1:]


def subcommands() -> set[str]:
    parser = build_parser()
    return {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }


def has_balance_flag() -> bool:
    """Whether ``negotiation analyze`` knows ``--balance`` (it came after the guide began)."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            build_parser().parse_args(["analyze", "--balance"])
    except SystemExit:
        return False
    return True


def test_the_guide_quotes_commands() -> None:
    lines = command_lines(guide_text())
    assert any(line.startswith("negotiation validate") for line in lines)
    assert any(line.startswith("negotiation simulate") for line in lines)
    assert any("--balance" in line for line in lines)


@pytest.mark.parametrize("line", sorted(set(command_lines(guide_text()))))
def test_every_quoted_command_parses(line: str) -> None:
    if "--balance" in line and not has_balance_flag():
        pytest.skip("negotiation analyze --balance is not in the command line yet")
    argv = argv_of(line)
    if len(argv) == 1:  # a command named in a sentence, e.g. "`negotiation validate` checks..."
        assert argv[0] in subcommands(), f"docs/scenarios.md names no such command: {line}"
        return
    try:
        build_parser().parse_args(argv)
    except SystemExit as exc:
        pytest.fail(f"docs/scenarios.md quotes a command the parser refuses: {line} ({exc})")
