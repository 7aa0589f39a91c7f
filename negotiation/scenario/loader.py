"""Loading scenario files: TOML in, a checked frozen :class:`Scenario` out.

Every error names the file and the place in it, e.g.
``paris.toml: roles.germany.preferences.mandate: unknown option "nato2"``, so an author can fix
a scenario without reading a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from negotiation.files import control_character, read_user_file
from negotiation.scenario.expr import (
    ExpressionError,
    Names,
    compile_predicate,
)
from negotiation.scenario.model import Scenario

MAX_SCENARIO_BYTES = 2_000_000


class ScenarioError(ValueError):
    """A scenario that cannot be read, parsed or checked. Its message is one line."""


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if part == "[key]":  # pydantic's marker for "the key itself", already named
            continue
        # A key that is not a plain name is quoted, so a newline in it cannot split the line.
        key = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
        out += f".{key}" if out else key
    return out or "(top level)"


def _first_line(text: str) -> str:
    return " ".join(text.split())


_PATTERNS = {
    r"^[a-z][a-z0-9_]{0,39}$": "not a valid identifier (a lower-case letter, then lower-case "
    "letters, digits or _; at most 40)",
    r"^[a-z0-9][a-z0-9-]{0,39}$": "not a valid scenario id (lower-case letters, digits and -; "
    "at most 40)",
    r"^[0-9a-f]{16}$": "not a hash (16 hexadecimal digits)",
    r"^[0-9a-f]{12}$": "not a hash (12 hexadecimal digits)",
    r"^([0-9a-f]{12})?$": "not a hash (12 hexadecimal digits)",
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$": "text with a control character in it",
    r"^[A-Za-z0-9_.:-]{1,64}$": "not a valid id (letters, digits and _.:-; at most 64)",
}
"""What each pattern a model checks means, for messages."""


def format_validation_error(source: str, error: ValidationError) -> str:
    """One line naming the first problem pydantic found, and how many more there are."""
    errors = error.errors(include_url=False)
    first = errors[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    msg = first["msg"]
    if first["type"] == "missing":
        msg = "missing (this field is required)"
    elif first["type"] == "extra_forbidden":
        msg = "unknown field"
    elif first["type"] == "string_pattern_mismatch":
        pattern = str(first.get("ctx", {}).get("pattern", ""))
        kind = _PATTERNS.get(pattern, "not in the expected form")
        shown = str(first.get("input"))
        msg = f"{shown[:60]!r}{'...' if len(shown) > 60 else ''} is {kind}"
    more = (
        f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        if len(errors) > 1
        else ""
    )
    return f"{source}: {_where(loc)}: {_first_line(msg)}{more}"


def names_of(scenario: Scenario, *, outcome_functions: bool = False) -> Names:
    """The names expressions in this scenario may use."""
    return Names(
        issues={k: frozenset(v.options) for k, v in scenario.issues.items()},
        roles=frozenset(scenario.roles),
        pledge_kinds=frozenset(scenario.pledge_kinds),
        events=frozenset(i.id for i in scenario.injects),
        outcome_functions=outcome_functions,
    )


def cross_check(scenario: Scenario) -> Iterator[tuple[str, str]]:
    """Yield (place, problem) for every reference that does not resolve."""
    roles = scenario.roles
    issues = scenario.issues
    kinds = scenario.pledge_kinds

    def unknown(what: str, name: str, known: Any) -> str:
        return f'unknown {what} "{name}"' + _did_you_mean(name, list(known))

    for issue, option in scenario.opening.items():
        if issue not in issues:
            yield f"opening.{issue}", unknown("issue", issue, issues)
        elif option not in issues[issue].options:
            yield f"opening.{issue}", unknown("option", option, issues[issue].options)
    for issue in issues:
        if issue not in scenario.opening:
            yield "opening", f'no option chosen for issue "{issue}"'

    for field_name, ids in (
        ("signatories", scenario.signatories),
        ("turns.order", scenario.turns.order),
    ):
        for i, role_ref in enumerate(ids):
            if role_ref not in roles:
                yield f"{field_name}[{i}]", unknown("role", role_ref, roles)
    if sorted(scenario.turns.order) != sorted(roles):
        missing = sorted(set(roles) - set(scenario.turns.order))
        extra = sorted({r for r in scenario.turns.order if scenario.turns.order.count(r) > 1})
        if missing:
            yield "turns.order", f"every role must act; missing {', '.join(missing)}"
        if extra:
            yield "turns.order", f"roles listed twice: {', '.join(extra)}"

    deal_names = names_of(scenario)
    outcome_names = names_of(scenario, outcome_functions=True)

    for role_id, role in roles.items():
        base = f"roles.{role_id}"
        for issue, table in role.preferences.items():
            if issue not in issues:
                yield f"{base}.preferences.{issue}", unknown("issue", issue, issues)
                continue
            for option in table:
                if option not in issues[issue].options:
                    yield (
                        f"{base}.preferences.{issue}",
                        unknown("option", option, issues[issue].options),
                    )
        for field_name, table2 in (
            ("capacities", role.capacities),
            ("pledge_costs", role.pledge_costs),
        ):
            for kind in table2:
                if kind not in kinds:
                    yield f"{base}.{field_name}.{kind}", unknown("pledge kind", kind, kinds)
        for kind, cap in role.capacities.items():
            if cap < 0:
                yield f"{base}.capacities.{kind}", "capacity cannot be negative"
        seen: set[str] = set()
        for i, line in enumerate(role.red_lines):
            if line.id in seen:
                yield f"{base}.red_lines[{i}].id", f'red line "{line.id}" is defined twice'
            seen.add(line.id)
            try:
                compile_predicate(line.when, deal_names)
            except ExpressionError as exc:
                yield f"{base}.red_lines[{i}].when", str(exc)
        if role.pledge_costs and not role.coalition and role.capacities:
            yield f"{base}.capacities", "only coalition members can pledge"

    seen_rules: set[str] = set()
    for i, rule in enumerate(scenario.rules):
        if rule.id in seen_rules:
            yield f"rules[{i}].id", f'rule "{rule.id}" is defined twice'
        seen_rules.add(rule.id)
        try:
            compile_predicate(rule.when, deal_names)
        except ExpressionError as exc:
            yield f"rules[{i}].when", str(exc)
        for role_id in rule.satisfaction:
            if role_id not in roles:
                yield f"rules[{i}].satisfaction.{role_id}", unknown("role", role_id, roles)

    seen_injects: set[str] = set()
    for i, inject in enumerate(scenario.injects):
        place = f"injects[{i}]"
        if inject.id in seen_injects:
            yield f"{place}.id", f'inject "{inject.id}" is defined twice'
        seen_injects.add(inject.id)
        for field_name, ids2 in (
            ("visible_to", list(inject.visible_to)),
            ("walk_away", list(inject.walk_away)),
            ("support", list(inject.support)),
            ("capacities", list(inject.capacities)),
        ):
            for role_id in ids2:
                if role_id not in roles:
                    yield f"{place}.{field_name}", unknown("role", role_id, roles)
        for role_id, caps in inject.capacities.items():
            for kind in caps:
                if kind not in kinds:
                    yield (
                        f"{place}.capacities.{role_id}.{kind}",
                        unknown("pledge kind", kind, kinds),
                    )

    seen_rat: set[str] = set()
    for i, vote in enumerate(scenario.ratifications):
        place = f"ratifications[{i}]"
        if vote.id in seen_rat:
            yield f"{place}.id", f'ratification "{vote.id}" is defined twice'
        seen_rat.add(vote.id)
        if vote.role not in roles:
            yield f"{place}.role", unknown("role", vote.role, roles)
        for field_name, source in (("requires", vote.requires), ("passes", vote.passes)):
            try:
                compile_predicate(source, outcome_names)
            except ExpressionError as exc:
                yield f"{place}.{field_name}", str(exc)

    for npc_id, npc in scenario.unsc_npcs.items():
        if npc_id in roles:
            yield f"unsc_npcs.{npc_id}", f'"{npc_id}" is already a role'
        try:
            compile_predicate(npc.vetoes_when, outcome_names)
        except ExpressionError as exc:
            yield f"unsc_npcs.{npc_id}.vetoes_when", str(exc)

    needs_unsc = any(o.needs_unsc for issue in issues.values() for o in issue.options.values())
    if needs_unsc and not (any(r.unsc_veto for r in roles.values()) or scenario.unsc_npcs):
        yield (
            "issues",
            "an option needs the Security Council but no role or unsc_npc can vote there",
        )


def parse_scenario(data: dict[str, Any], source: str) -> Scenario:
    """Validate already-parsed data as a scenario.

    Raises:
        ScenarioError: with one line naming ``source`` and the place of the first problem.
    """
    found = control_character(data)
    if found is not None:
        raise ScenarioError(f"{source}: {found[0]}: control character {found[1]} in the text")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None
    except (TypeError, ValueError, RecursionError) as exc:  # pragma: no cover - defensive
        raise ScenarioError(f"{source}: {_first_line(str(exc))}") from None
    problems = list(cross_check(scenario))
    if problems:
        place, problem = problems[0]
        more = len(problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ScenarioError(f"{source}: {place}: {_first_line(problem)}{tail}")
    return scenario


MAX_EXTENDS = 4
"""How long a chain of ``extends`` may be (a variant of a variant of...)."""


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse, validate and cross-check a scenario file (and the one it extends).

    Raises:
        ScenarioError: the file is missing, too large, not TOML, or not a valid scenario.
    """
    return parse_scenario(scenario_data(path), str(path))


def scenario_data(path: str | Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A scenario file's data, with the scenario it ``extends`` merged under it.

    ``extends = "paris-2025.toml"`` names a file in the same folder. The variant's tables are
    merged into the base's, key by key; a list of tables whose items have ids (rules, injects,
    red lines, ratifications) is merged by id: an item with a known id replaces it, one with
    ``remove = true`` removes it (it must be there to remove), a new id is added at the end. Any
    other value replaces the base's.

    Raises:
        ScenarioError: a file does not read, the chain is broken, circular or too long, or a
            variant removes an item the scenario it extends does not have.
    """
    path = Path(path)
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    source = str(path)
    if not isinstance(parent, str) or not parent.endswith(".toml") or Path(parent).name != parent:
        raise ScenarioError(
            f"{source}: extends: give the file name of a scenario in the same folder, like "
            f'"paris-2025.toml"'
        )
    base_path = path.parent / parent
    here = path.resolve()
    if here in chain or base_path.resolve() == here:
        raise ScenarioError(f"{source}: extends: {parent} extends this file in turn (a loop)")
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(f"{source}: extends: more than {MAX_EXTENDS} scenarios in a chain")
    if not base_path.is_file():
        raise ScenarioError(f"{source}: extends: no scenario file {parent} beside it")
    base = scenario_data(base_path, (*chain, here))
    # A problem in the scenario extended is told against its own file, not the variant.
    parse_scenario(base, str(base_path))
    return merge_scenario_data(base, data, source)


def merge_scenario_data(
    base: dict[str, Any], variant: dict[str, Any], source: str = "", where: str = ""
) -> dict[str, Any]:
    """``variant`` laid over ``base`` (see :func:`scenario_data`); neither is changed.

    ``source`` and ``where`` (the dotted path so far) locate an error in the variant's file.
    """
    merged = dict(base)
    for key, value in variant.items():
        old = merged.get(key)
        here = f"{where}.{key}" if where else str(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = merge_scenario_data(old, value, source, here)
        elif isinstance(old, list) and _id_list(old) and _id_list(value):
            merged[key] = _merge_by_id(old, value, source, here)
        else:
            merged[key] = value
    return merged


def _id_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value)


def _merge_by_id(
    base: list[dict[str, Any]], variant: list[dict[str, Any]], source: str, where: str
) -> list[Any]:
    items = {item["id"]: item for item in base}
    order = [item["id"] for item in base]
    for item in variant:
        ident = item["id"]
        if item.get("remove") is True:
            if ident not in items:
                # A misspelt id would otherwise leave in place what the author meant to remove.
                raise ScenarioError(
                    f'{source}: {where}: remove: no item with id "{ident}" in the scenario it '
                    f"extends" + _did_you_mean(str(ident), [str(i) for i in items])
                )
            items.pop(ident)
            continue
        if ident not in items:
            order.append(ident)
        items[ident] = item
    return [items[i] for i in order if i in items]


def _did_you_mean(name: str, known: list[str]) -> str:
    """' (did you mean "x"?)' for the closest known name, or nothing if none is close."""
    import difflib

    match = difflib.get_close_matches(name, known, n=1)
    return f' (did you mean "{match[0]}"?)' if match else ""


def _read_toml(path: Path) -> dict[str, Any]:
    source = str(path)
    raw = read_user_file(path, "scenario file", MAX_SCENARIO_BYTES, ScenarioError)
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # some Windows editors put it first
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {_first_line(str(exc))}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: not valid TOML: nested too deeply") from None
    except ValueError:  # an integer too long to convert (all else is a TOMLDecodeError)
        raise ScenarioError(f"{source}: not valid TOML: a number has too many digits") from None
    return data


LATER_FIELDS = ("facilitator",)
"""Scenario fields added after saves began to carry a scenario's hash. At their defaults they
are left out of the hash, so that saves made before they existed still open."""


def scenario_hash(scenario: Scenario) -> str:
    """A short content hash that changes whenever anything in the scenario changes."""
    data = scenario.model_dump(mode="json")
    for name in LATER_FIELDS:
        default = type(scenario).model_fields[name].get_default(call_default_factory=True)
        if data.get(name) == default.model_dump(mode="json"):
            data.pop(name)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def builtin_dir() -> Path:
    """Folder of the scenarios shipped with the game (inside the wheel, or the source tree)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_scenarios"
    if packaged.is_dir():
        return packaged
    return here.parent / "scenarios"


def builtin_paths() -> list[Path]:
    """Paths of the shipped scenario files, sorted by name."""
    folder = builtin_dir()
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def resolve_scenario(ref: str) -> Scenario:
    """Load a scenario named by id (a shipped one) or by path.

    Raises:
        ScenarioError: no such scenario, or it does not load.
    """
    as_path = Path(ref)
    if ref.endswith(".toml") or as_path.exists() or "/" in ref or "\\" in ref:
        return load_scenario(as_path)
    for path in builtin_paths():
        if path.stem == ref:
            return load_scenario(path)
    known = ", ".join(p.stem for p in builtin_paths()) or "none"
    raise ScenarioError(f"{ref}: no such scenario (shipped scenarios: {known}; or give a path)")
