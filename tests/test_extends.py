"""Scenario variants: a file that ``extends`` another and changes only what differs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiation.scenario import ScenarioError, load_scenario
from negotiation.scenario.loader import merge_scenario_data

MINI = Path(__file__).parent / "data" / "mini.toml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(MINI, tmp_path / "mini.toml")
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_variant_changes_only_what_it_says(folder: Path) -> None:
    base = load_scenario(folder / "mini.toml")
    variant = load_scenario(
        write(
            folder,
            "mini-hard.toml",
            """
extends = "mini.toml"
id = "mini-hard"
title = "Mini talks, the hard way"

[roles.alpha]
walk_away = 70

[[roles.beta.red_lines]]
id = "no_short"
when = 'funding == "short"'
text = "A short mission is a broken promise."

[[rules]]
id = "heavy_capability"
remove = true

[[rules]]
id = "unsc_legit"
when = 'mandate == "unsc"'
because = "Rewritten for the variant."
effect = { legitimacy = 5 }

[[rules]]
id = "new_rule"
when = 'posture == "light"'
because = "A light force is cheap to keep."
effect = { sustainability = 5 }
""",
        )
    )
    assert variant.id == "mini-hard" and variant.roles["alpha"].walk_away == 70
    # Everything not mentioned is the base's.
    assert variant.issues == base.issues and variant.injects == base.injects
    assert variant.roles["gamma"] == base.roles["gamma"]
    assert variant.roles["alpha"].preferences == base.roles["alpha"].preferences
    # Lists of things with ids merge by id: replaced in place, removed, added at the end.
    ids = [rule.id for rule in variant.rules]
    base_ids = [rule.id for rule in base.rules]
    assert ids == [i for i in base_ids if i != "heavy_capability"] + ["new_rule"]
    assert next(r for r in variant.rules if r.id == "unsc_legit").because == (
        "Rewritten for the variant."
    )
    lines = [line.id for line in variant.roles["beta"].red_lines]
    assert lines == [line.id for line in base.roles["beta"].red_lines] + ["no_short"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('extends = "../mini.toml"', "same folder"),
        ('extends = "mini.json"', "same folder"),
        ("extends = 3", "same folder"),
        ('extends = "missing.toml"', "missing.toml"),
        ('extends = "self.toml"', "loop"),
    ],
)
def test_broken_extends_say_what_and_where(folder: Path, text: str, words: str) -> None:
    path = write(folder, "self.toml", text + "\n")
    with pytest.raises(ScenarioError, match=words) as err:
        load_scenario(path)
    assert "\n" not in str(err.value)


def test_loops_and_long_chains_are_refused(folder: Path) -> None:
    write(folder, "a.toml", 'extends = "b.toml"\n')
    write(folder, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="loop"):
        load_scenario(folder / "a.toml")
    previous = "mini.toml"
    for n in range(6):
        write(folder, f"v{n}.toml", f'extends = "{previous}"\nid = "v{n}"\n')
        previous = f"v{n}.toml"
    assert load_scenario(folder / "v3.toml").id == "v3"
    with pytest.raises(ScenarioError, match="chain"):
        load_scenario(folder / "v5.toml")


def test_a_variant_that_breaks_the_scenario_names_the_variant(folder: Path) -> None:
    path = write(folder, "bad.toml", 'extends = "mini.toml"\n[roles.alpha]\nwalk_away = 900\n')
    with pytest.raises(ScenarioError, match=r"bad\.toml: roles\.alpha\.walk_away"):
        load_scenario(path)


leaf = st.one_of(st.integers(), st.text(max_size=3), st.booleans())
tables = st.recursive(
    st.dictionaries(st.sampled_from("abcd"), leaf, max_size=3),
    lambda inner: st.dictionaries(st.sampled_from("abcd"), inner, max_size=3),
    max_leaves=10,
)


@given(tables, tables)
def test_merging_keeps_every_key_and_lets_the_variant_win(base, variant) -> None:
    merged = merge_scenario_data(base, variant)
    assert set(merged) == set(base) | set(variant)
    for key, value in variant.items():
        if not isinstance(value, dict):
            assert merged[key] == value
    assert merge_scenario_data(base, {}) == base
    assert merge_scenario_data({}, variant) == variant


def test_removing_an_item_the_base_does_not_have_is_an_error(folder: Path) -> None:
    """A misspelt id in a ``remove`` would leave in place what the author meant to remove."""
    base = load_scenario(folder / "mini.toml")
    rule = base.rules[0].id
    path = write(
        folder, "typo.toml", f'extends = "mini.toml"\n[[rules]]\nid = "{rule}x"\nremove = true\n'
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert message.startswith(f"{path}: rules: remove: ")
    assert f'no item with id "{rule}x"' in message and f'did you mean "{rule}"' in message
    ok = write(
        folder, "ok.toml", f'extends = "mini.toml"\n[[rules]]\nid = "{rule}"\nremove = true\n'
    )
    assert rule not in {r.id for r in load_scenario(ok).rules}


def test_a_problem_in_the_scenario_extended_is_told_against_its_file(tmp_path) -> None:
    base = tmp_path / "base.toml"
    base.write_text(MINI.read_text().replace("rounds = 4", "rounds = 0"))
    (tmp_path / "variant.toml").write_text('extends = "base.toml"\nid = "variant"\n')
    with pytest.raises(ScenarioError, match=r"^.*base\.toml: turns\.rounds: "):
        load_scenario(tmp_path / "variant.toml")
    (tmp_path / "orphan.toml").write_text('extends = "gone.toml"\nid = "orphan"\n')
    with pytest.raises(ScenarioError, match=r"orphan\.toml: extends: no scenario file gone\.toml"):
        load_scenario(tmp_path / "orphan.toml")
