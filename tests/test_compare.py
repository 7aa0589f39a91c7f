"""Comparing several groups' games of one scenario: the data, and its Markdown, HTML and JSON.

The saves are made as a class would hand them in: bot games of Paris with different strategies
and seeds, one still in progress, one whose group gave itself a hostile name.
"""

from __future__ import annotations

import json
import re
import statistics
from html.parser import HTMLParser
from pathlib import Path

import pytest

from negotiation.bots import Strategy, strategy
from negotiation.bots.runner import bot_move, play_game
from negotiation.engine import GameState, apply, new_game
from negotiation.report.compare import (
    Comparison,
    GroupGame,
    compare,
    load_games,
    to_html,
    to_json,
    to_markdown,
)
from negotiation.rules import Ruleset
from negotiation.savefile import SaveError, dumps, make_save, write_save
from negotiation.scenario import Scenario

HOSTILE = "<script>x</script>"

# (save name, strategy, seed): four finished games that end apart, and a hostile name.
PLAYS = (
    ("Group A", "pragmatist", 2),
    ("Group B", "hardliner", 2),
    ("Group C", "reciprocator", 2),
    (HOSTILE, "spoiler", 1),
    ("Group E", "reciprocator", 1),
)

VOID = {"br", "meta", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source"}


class PageChecker(HTMLParser):
    """Checks that every non-void element closes in order, and keeps the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def bots(rules: Ruleset, name: str) -> dict[str, Strategy]:
    return {role: strategy(name) for role in rules.scenario.roles}


def in_progress(rules: Ruleset, seed: int, steps: int) -> GameState:
    """A game stopped after ``steps`` bot moves."""
    state = new_game(rules, seed=seed)
    players = bots(rules, "baseline")
    for _ in range(steps):
        assert state.turn is not None
        state = apply(state, bot_move(state, players[state.turn]))
    return state


@pytest.fixture(scope="module")
def class_saves(tmp_path_factory: pytest.TempPathFactory, paris_rules: Ruleset) -> list[Path]:
    """Six groups' Paris saves: five finished, and an unnamed one still in progress."""
    folder = tmp_path_factory.mktemp("class")
    paths = []
    for n, (name, strategy_name, seed) in enumerate(PLAYS, start=1):
        state = play_game(paris_rules, seed, bots(paris_rules, strategy_name))
        path = folder / f"group{n}.json"
        write_save(path, make_save(state, name=name))
        paths.append(path)
    path = folder / "late-group.json"
    write_save(path, make_save(in_progress(paris_rules, 9, 20)))
    paths.append(path)
    return paths


@pytest.fixture(scope="module")
def games(class_saves: list[Path]) -> list[GroupGame]:
    return load_games(class_saves)


@pytest.fixture(scope="module")
def comparison(games: list[GroupGame]) -> Comparison:
    return compare(games)


def mini_save(folder: Path, rules: Ruleset, name: str, seed: int, file: str) -> Path:
    state = play_game(rules, seed, bots(rules, "baseline"))
    path = folder / file
    write_save(path, make_save(state, name=name))
    return path


# --- reading -----------------------------------------------------------------------------------


def test_groups_are_labelled_by_save_name_or_file_stem(games: list[GroupGame]) -> None:
    assert [g.label for g in games] == [name for name, _, _ in PLAYS] + ["late-group"]


def test_repeated_names_are_made_unique(tmp_path: Path, mini_rules: Ruleset) -> None:
    paths = [
        mini_save(tmp_path, mini_rules, "Table 1", seed, f"s{seed}.json") for seed in (1, 2, 3)
    ]
    labels = [g.label for g in load_games(paths)]
    assert labels == ["Table 1", "Table 1 (2)", "Table 1 (3)"]


@pytest.mark.parametrize(
    "text",
    ["{not json", '{"format": "something-else"}', ""],
    ids=["not-json", "not-a-save", "empty"],
)
def test_a_broken_save_is_refused_naming_its_file(
    class_saves: list[Path], tmp_path: Path, text: str
) -> None:
    broken = tmp_path / "broken group.json"
    broken.write_text(text)
    with pytest.raises(SaveError) as info:
        load_games([class_saves[0], broken, class_saves[1]])
    message = str(info.value)
    assert str(broken) in message
    assert "\n" not in message


def test_an_edited_save_is_refused_naming_its_file(class_saves: list[Path], tmp_path: Path) -> None:
    data = json.loads(class_saves[0].read_text())
    data["log"][3]["hash"] = "0" * 12
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    with pytest.raises(SaveError, match=re.escape(f"{edited}: step 4:")):
        load_games([class_saves[1], edited])


def test_a_missing_save_is_refused_naming_it(class_saves: list[Path], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(SaveError, match=re.escape(f"{missing}: no such file")):
        load_games([class_saves[0], missing])


@pytest.mark.parametrize("count", [0, 1])
def test_fewer_than_two_saves_is_an_error(class_saves: list[Path], count: int) -> None:
    with pytest.raises(ValueError, match="at least two saves") as info:
        load_games(class_saves[:count])
    assert "\n" not in str(info.value)


def test_compare_needs_two_games(games: list[GroupGame]) -> None:
    with pytest.raises(ValueError, match="at least two games"):
        compare(games[:1])


def test_saves_of_different_scenarios_are_refused(
    class_saves: list[Path], tmp_path: Path, mini_rules: Ruleset
) -> None:
    mini = mini_save(tmp_path, mini_rules, "Mini group", 1, "mini.json")
    with pytest.raises(ValueError, match="different scenarios") as info:
        load_games([class_saves[0], class_saves[1], mini])
    message = str(info.value)
    assert "\n" not in message
    assert '"mini"' in message and '"paris-2025"' in message
    assert not isinstance(info.value, SaveError)


def test_a_scenario_whose_content_differs_is_compared_with_a_warning(
    tmp_path: Path, mini: Scenario, mini_rules: Ruleset
) -> None:
    edited = Ruleset(mini.model_copy(update={"briefing": "A reworded brief."}))
    first = mini_save(tmp_path, mini_rules, "Original", 1, "a.json")
    second = mini_save(tmp_path, edited, "Reworded", 1, "b.json")
    result = compare(load_games([first, second]))
    assert len(result.groups) == 2
    assert any("content differs" in w and "Reworded" in w for w in result.warnings)
    assert all("\n" not in w for w in result.warnings)


# --- the comparison ----------------------------------------------------------------------------


def test_every_group_has_its_debrief_numbers(
    comparison: Comparison, games: list[GroupGame]
) -> None:
    assert [g.label for g in comparison.groups] == [g.label for g in games]
    for line, game in zip(comparison.groups, games, strict=True):
        d = game.debrief
        assert line.credibility == d.scorecard.total
        assert line.dimensions == dict(d.scorecard.dimensions)
        assert len(line.dimensions) == 6
        assert line.deal == d.deal
        assert line.rounds_played == d.rounds_played
        assert [r.name for r in line.roles] == list(comparison.roles)
        assert (line.stress_hold_rate is None) == (d.stress is None)
        totals: dict[str, int] = {}
        for own in game.final.pledges.values():
            for kind, units in own.items():
                if units:
                    label = game.final.scenario.pledge_kinds[kind].label
                    totals[label] = totals.get(label, 0) + units
        assert line.pledges == totals
    statuses = [g.status_text for g in comparison.groups]
    assert statuses[-1] == "in progress"
    assert set(statuses) <= {"adopted", "unratified", "collapsed", "no deal", "in progress"}
    assert len(set(statuses)) >= 3, "the fixture games should end in different ways"


def test_per_issue_counts_add_up_to_the_groups(comparison: Comparison) -> None:
    labels = [g.label for g in comparison.groups]
    assert [c.issue for c in comparison.issues] == list(comparison.groups[0].deal)
    for choice in comparison.issues:
        assert sum(choice.counts.values()) == len(labels)
        assert sorted(label for group in choice.groups.values() for label in group) == sorted(
            labels
        )
        for option, chosen_by in choice.groups.items():
            for label in chosen_by:
                line = next(g for g in comparison.groups if g.label == label)
                assert line.deal[choice.issue] == option
    assert not all(c.unanimous for c in comparison.issues), "the groups chose differently"


def test_credibility_spread_matches_the_groups(comparison: Comparison) -> None:
    values = [g.credibility for g in comparison.groups]
    spread = comparison.spread
    assert spread.low == min(values)
    assert spread.high == max(values)
    assert spread.mean == pytest.approx(statistics.fmean(values))
    by_label = {g.label: g.credibility for g in comparison.groups}
    assert by_label[spread.lowest] == spread.low
    assert by_label[spread.highest] == spread.high
    assert spread.range > 0


def test_why_pairs_the_most_and_least_credible_finished_deals(
    comparison: Comparison, games: list[GroupGame]
) -> None:
    finished = sorted(
        (g for g in comparison.groups if not g.in_progress), key=lambda g: -g.credibility
    )
    assert len(comparison.why) == len(finished) // 2
    for n, hint in enumerate(comparison.why):
        high, low = finished[n], finished[-1 - n]
        assert (hint.higher, hint.lower) == (high.label, low.label)
        assert hint.gap == pytest.approx(high.credibility - low.credibility)
        assert [i for i, _, _ in hint.issues] == [
            issue for issue in high.deal if high.deal[issue] != low.deal[issue]
        ]
        assert {r.id for r in hint.only_higher} == set(high.fired) - set(low.fired)
        assert {r.id for r in hint.only_lower} == set(low.fired) - set(high.fired)
        assert all(r.because for r in (*hint.only_higher, *hint.only_lower))
    first = comparison.why[0]
    assert first.issues and (first.only_higher or first.only_lower)


def test_a_game_in_progress_is_flagged(comparison: Comparison) -> None:
    assert any("late-group" in w and "in progress" in w for w in comparison.warnings)
    assert all("late-group" not in (h.higher, h.lower) for h in comparison.why)


# --- the renderings ----------------------------------------------------------------------------


def test_markdown_lists_every_group_and_role(comparison: Comparison) -> None:
    text = to_markdown(comparison)
    for label in ("Group A", "Group B", "Group C", "Group E", "late-group"):
        assert label in text
    for role in comparison.roles:
        assert f"| {role} |" in text
    assert HOSTILE not in text
    assert r"\<script\>x\</script\>" in text
    assert "## Why did the deals differ?" in text


def test_html_is_a_self_contained_balanced_page(comparison: Comparison) -> None:
    page = to_html(comparison)
    checker = PageChecker()
    checker.feed(page)
    checker.close()
    assert checker.problems == []
    assert checker.open == []
    assert checker.tags.count("svg") == 2
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    text = " ".join(checker.text)
    for group in comparison.groups:
        assert group.label in text
    for role in comparison.roles:
        assert role in text
    assert "@media print" in page
    assert "walk-away value" in text


def test_json_round_trips(comparison: Comparison) -> None:
    data = json.loads(to_json(comparison))
    assert data["format"] == "negotiation-compare"
    assert [g["label"] for g in data["groups"]] == [g.label for g in comparison.groups]
    assert data["groups"][3]["label"] == HOSTILE
    for issue in data["issues"]:
        assert sum(issue["counts"].values()) == len(comparison.groups)
    assert data["spread"]["high"] == pytest.approx(comparison.spread.high, abs=1e-3)
    assert all(len(g["roles"]) == len(comparison.roles) for g in data["groups"])
    assert data["groups"][-1]["status"] == "negotiating"
    assert len(data["why"]) == len(comparison.why)


def test_a_two_group_class_of_the_mini_scenario(tmp_path: Path, mini_rules: Ruleset) -> None:
    late = tmp_path / "late.json"
    late.write_text(dumps(make_save(in_progress(mini_rules, 4, 3), name="Late")))
    paths = [mini_save(tmp_path, mini_rules, "Early", 2, "early.json"), late]
    result = compare(load_games(paths))
    # With one finished game, the game in progress still gets compared.
    assert [(h.higher, h.lower) for h in result.why] in ([("Early", "Late")], [("Late", "Early")])
    checker = PageChecker()
    checker.feed(to_html(result))
    assert checker.problems == []
    assert json.loads(to_json(result))["groups"][1]["in_progress"] is True
