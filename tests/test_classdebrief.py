"""The class debrief's pages: the overview, one page per role in turn order, the questions;
what each role's page says; and page numbers past the end."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiation.classroom import Classroom, Team
from negotiation.engine import (
    FACILITATOR,
    Amend,
    Annotate,
    GameState,
    Message,
    Pass,
    Threaten,
    apply,
    new_game,
)
from negotiation.report.classdebrief import (
    Page,
    class_debrief_pages,
    mentions,
    page_at,
    turn_order,
)
from negotiation.report.debrief import build_debrief, debrief_of
from negotiation.rules import Ruleset
from negotiation.savefile import make_save, replay_states
from negotiation.scenario import Scenario

from strategies import played_games

QUESTIONS = [
    "Did alphaland get the strong force it wanted?",
    "Was the money BE put in well spent?",
    "What would another round have changed?",
]
CLASS = Classroom(teams={"alpha": Team(name="Les Bleus", members=("Ana", "Ben"))})


def words(page: Page) -> str:
    return "\n".join(line.text for line in page.lines)


@pytest.fixture(scope="module")
def scenario(mini: Scenario) -> Scenario:
    return mini.model_copy(update={"discussion": QUESTIONS})


@pytest.fixture(scope="module")
def game(scenario: Scenario) -> GameState:
    """Alphaland makes the posture heavy (Gammaland's real red line) on a treaty mandate
    (Gammaland's bluff), and Gammaland threatens over the heavy posture."""
    state = new_game(Ruleset(scenario), seed=2)
    for action in (
        Message(role="alpha", to="beta", text="A private word"),
        Annotate(role=FACILITATOR, text="A note for the debrief"),
        Amend(role="alpha", issue="posture", option="heavy"),
        Pass(role="beta"),
        Threaten(role="gamma", red_line="no_heavy"),
    ):
        state = apply(state, action)
    return state


@pytest.fixture(scope="module")
def pages(game: GameState) -> list[Page]:
    save = make_save(game, {"alpha": "human", "beta": "bot:hardliner", "gamma": "bot"})
    return class_debrief_pages(build_debrief(save), game.scenario, CLASS)


def test_there_is_an_overview_a_page_per_role_in_turn_order_and_the_questions(
    pages: list[Page], scenario: Scenario
) -> None:
    assert len(pages) == 1 + len(scenario.roles) + 1
    assert pages[0].title == "How it ended" and pages[0].role is None
    assert [p.role for p in pages[1:-1]] == turn_order(scenario) == scenario.turns.order
    assert pages[-1].title == "Questions for discussion" and pages[-1].role is None
    assert [line.text for line in pages[-1].lines] == [
        f"{n}. {q}" for n, q in enumerate(QUESTIONS, start=1)
    ]
    assert all(page.lines for page in pages)


def test_the_overview_tells_how_it_ended_against_the_analysis(
    pages: list[Page], game: GameState
) -> None:
    text = words(pages[0])
    assert f"Credibility {game.scorecard().total:.1f} / 100" in text
    assert "Heavy" in text and "ZOPA:" in text
    assert "No stress test" in text  # the game has not ended
    dims = [line for line in pages[0].lines if line.meter is not None]
    assert len(dims) == len(game.scorecard().dimensions)


def test_a_role_page_names_its_team_its_standing_and_what_concerns_it(
    pages: list[Page], game: GameState
) -> None:
    alpha, beta, gamma = pages[1:4]
    assert alpha.title == "Alphaland — Les Bleus"
    text = words(alpha)
    assert "Played by Les Bleus (Ana, Ben)" in text
    sat = game.satisfaction_of("alpha")
    assert f"Satisfaction {sat:.1f}" in text
    standing = next(line for line in alpha.lines if line.meter is not None)
    assert standing.meter == (sat, game.rules.walk_away("alpha", game.situation()))
    assert "Posture: Heavy" in text  # won: Alphaland wanted a heavy posture
    assert QUESTIONS[0] in text  # names "alphaland", in any case
    assert QUESTIONS[1] not in text and QUESTIONS[2] not in text

    # Betaland: no team, a bot; the question that names it by its short tag.
    assert beta.title == "Betaland"
    text = words(beta)
    assert "Played by a bot (hardliner)" in text
    assert "Posture: Heavy (its first choice: Light)" in text  # conceded
    assert QUESTIONS[1] in text

    # Gammaland: its bluff crossed at no cost, its real red line crossed and invoked.
    text = words(gamma)
    assert "“A treaty force is an occupation.” — crossed, but a bluff: it cost nothing." in text
    assert (
        "“Heavy forces at our border mean war.” — crossed: it cost 40 points; invoked at the "
        "table 1 time." in text
    )
    crossed = next(line for line in gamma.lines if "mean war" in line.text)
    assert crossed.kind == "bad" and crossed.bullet


def test_no_page_shows_a_message_or_a_note(pages: list[Page]) -> None:
    for page in pages:
        assert "A private word" not in words(page)
        assert "A note for the debrief" not in words(page)


def test_a_page_past_the_end_is_the_last(pages: list[Page]) -> None:
    assert page_at(pages, 0) == (0, pages[0])
    assert page_at(pages, 2) == (2, pages[2])
    assert page_at(pages, len(pages)) == (len(pages) - 1, pages[-1])
    assert page_at(pages, 100) == (len(pages) - 1, pages[-1])
    assert page_at(pages, -3) == (0, pages[0])
    with pytest.raises(ValueError):
        page_at([], 0)


def test_a_scenario_without_questions_still_ends_on_the_questions_page(mini: Scenario) -> None:
    state = new_game(Ruleset(mini), seed=1)
    pages = class_debrief_pages(debrief_of([state]), mini, Classroom())
    assert len(pages) == 2 + len(mini.roles)
    assert pages[-1].title == "Questions for discussion"
    assert [line.text for line in pages[-1].lines] == [
        "This scenario has no questions for discussion."
    ]
    assert all(page.title == mini.roles[page.role].name for page in pages[1:-1] if page.role)


def test_a_question_mentions_a_role_by_name_or_short_tag(scenario: Scenario) -> None:
    assert mentions("What did ALPHALAND want?", scenario, "alpha")
    assert mentions("Alphaland's mandate", scenario, "alpha")
    assert not mentions("Alphalanders abroad", scenario, "alpha")
    assert mentions("Why did BE pay?", scenario, "beta")
    assert not mentions("Why did it be so?", scenario, "beta")  # a tag only in capitals


@given(data=st.data())
def test_any_game_has_every_page(mini_rules: Ruleset, data: st.DataObject) -> None:
    state, _ = data.draw(played_games(mini_rules, max_steps=40))
    states = list(replay_states(make_save(state)))
    pages = class_debrief_pages(debrief_of(states), state.scenario, CLASS)
    assert len(pages) == 2 + len(state.scenario.roles)
    assert {p.role for p in pages if p.role} == set(state.scenario.roles)
    assert all(page.title and page.lines for page in pages)
    assert page_at(pages, 99)[1] is pages[-1]


def test_the_class_debrief_does_not_load_textual() -> None:
    """The pages are plain data: the projector lays them out, but any screen could."""
    code = "import sys, negotiation.report.classdebrief; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
