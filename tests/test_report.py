"""Debriefs: the data a debrief gathers, and its Markdown and self-contained HTML pages.

The HTML page is checked as a browser and a printer would need it: it parses with balanced
tags, carries its three charts as SVG, names every delegation, fetches nothing and holds no
web address, and shows player text only escaped.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from negotiation.bots import Baseline
from negotiation.bots.runner import play_bots
from negotiation.classroom import Classroom, Team
from negotiation.engine import (
    FACILITATOR,
    Amend,
    Annotate,
    CustomInject,
    GameState,
    Message,
    Pass,
    PledgeAction,
    apply,
    new_game,
)
from negotiation.report.debrief import Debrief, build_debrief, debrief_of
from negotiation.report.html import esc, source_words, to_html, without_links
from negotiation.report.markdown import md_text, to_markdown
from negotiation.rules import Ruleset
from negotiation.savefile import SaveError, SaveFile, dumps, loads, make_save, replay_states

from strategies import played_games

SEATS = {"alpha": "human", "beta": "bot:baseline", "gamma": "bot"}
HOSTILE = '<script>alert(1)</script> | *bold* & "quoted" https://evil.example/x'

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class PageChecker(HTMLParser):
    """Parses a page, checking that every non-void element is closed in order, and keeps its
    visible text, its tags and every attribute that could fetch something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self.fetching: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "srcset") or (
                value and "url(" in value
            ):
                self.fetching.append((name, value or ""))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <line .../> in SVG: opened and closed at once.
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"end tag for void element <{tag}>")
        elif not self.open:
            self.problems.append(f"</{tag}> closes nothing")
        elif self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1]}>")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if not self.open or self.open[-1] not in ("style", "script"):
            self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def check_page(page: str) -> PageChecker:
    """Parse a page and assert what every report page must be."""
    assert page.startswith("<!DOCTYPE html>")
    checker = PageChecker()
    checker.feed(page)
    checker.close()
    assert checker.problems == []
    assert checker.open == [], f"left open: {checker.open}"
    assert checker.fetching == []
    assert "script" not in checker.tags
    lowered = page.lower()
    assert "http://" not in lowered
    assert "https://" not in lowered
    assert "@import" not in lowered
    return checker


# --- games -------------------------------------------------------------------------------------


def opening_moves(rules: Ruleset, seed: int = 3) -> GameState:
    """A mini game a few moves in: a hostile message, a pledge, an amendment."""
    state = new_game(rules, seed=seed)
    for action in (
        Message(role="alpha", to="beta", text=HOSTILE),
        PledgeAction(role="alpha", kind="troops", units=2),
        Amend(role="beta", issue="posture", option="heavy"),
    ):
        while state.turn != action.role:
            assert state.turn is not None
            state = apply(state, Pass(role=state.turn))
        state = apply(state, action)
    return state


@pytest.fixture(scope="module")
def in_progress(mini_rules: Ruleset) -> SaveFile:
    state = opening_moves(mini_rules)
    assert not state.over
    return loads(dumps(make_save(state, SEATS, name="Seminar <b>group</b> 2")))


@pytest.fixture(scope="module")
def finished(mini_rules: Ruleset) -> SaveFile:
    state = opening_moves(mini_rules)
    state = play_bots(state, {role: Baseline() for role in mini_rules.scenario.roles})
    assert state.over
    return loads(dumps(make_save(state, SEATS, name="Mini test game")))


@pytest.fixture(scope="module")
def paris_game(paris_rules: Ruleset) -> SaveFile:
    bots = {role: Baseline() for role in paris_rules.scenario.roles}
    state = play_bots(new_game(paris_rules, seed=0), bots)
    return make_save(state, {role: "bot:baseline" for role in bots})


@pytest.fixture(scope="module")
def class_game(mini_rules: Ruleset) -> SaveFile:
    """A game played in class: two roles played by named teams (one name typed like markup),
    a facilitator's note and an event the facilitator wrote on the spot."""
    state = opening_moves(mini_rules)
    for action in (
        Annotate(role=FACILITATOR, text="Betaland gave in <fast> | *twice*"),
        CustomInject(role=FACILITATOR, title="Fog at the border", text="Patrols are grounded."),
    ):
        state = apply(state, action)
    teams = {
        "alpha": Team(name="Les <Bleus>", members=("Ana", "Ben")),
        "beta": Team(name="Team B"),
    }
    save = make_save(state, SEATS, name="Class game")
    return loads(dumps(save.model_copy(update={"classroom": Classroom(teams=teams)})))


@pytest.fixture(scope="module", params=["in_progress", "finished", "paris_game", "class_game"])
def debrief(request: pytest.FixtureRequest) -> Debrief:
    save: SaveFile = request.getfixturevalue(request.param)
    return build_debrief(save)


# --- the debrief's data ------------------------------------------------------------------------


def test_debrief_gathers_the_game(finished: SaveFile) -> None:
    states = list(replay_states(finished))
    final = states[-1]
    d = build_debrief(finished)
    spec = final.scenario
    assert (d.scenario_id, d.scenario_title, d.name) == (spec.id, spec.title, "Mini test game")
    assert not d.in_progress and d.status is final.status
    assert (d.steps, d.rounds_played, d.max_rounds) == (final.steps, final.round, final.max_rounds)
    assert [r.name for r in d.roles] == [role.name for role in spec.roles.values()]
    assert [r.seat for r in d.roles] == [SEATS[r] for r in spec.roles]
    assert all(r.above == (r.satisfaction >= r.walk_away) for r in d.roles)
    assert d.scorecard.total == final.scorecard().total
    assert list(d.deal) == [issue.label for issue in spec.issues.values()]
    assert len(d.timeline) == len(states) == final.steps + 1
    assert len(d.log) == len(final.log)
    private = [line for line in d.log if line.private]
    assert any(line.seen_by == ("Alphaland", "Betaland") for line in private)
    assert 0 < len(d.what_if) <= 3
    assert d.discussion == tuple(spec.discussion)
    assert d.stress == final.stress and d.stress is not None
    assert [v.passed for v in d.ratifications] == [v.passed for v in final.ratifications]
    assert d.ratifications and f"{d.stress.hold_rate:.0%}" in to_html(d)
    # debrief_of, for the TUI, gives the same debrief from states already replayed.
    again = debrief_of(states, "Mini test game", seats=SEATS)
    assert again.roles == d.roles and again.log == d.log and again.headline == d.headline


def test_debrief_of_a_game_in_progress(in_progress: SaveFile) -> None:
    d = build_debrief(in_progress)
    assert d.in_progress and d.to_move is not None
    assert d.status_text == "in progress"
    assert d.stress is None and d.ratifications == ()
    assert d.pledges == {"Alphaland": ("2 thousand troops",)}


def test_debrief_names_the_teams_and_keeps_the_notes_apart(class_game: SaveFile) -> None:
    d = build_debrief(class_game)
    alpha, beta, gamma = d.roles
    assert (alpha.team, alpha.members, alpha.team_label) == (
        "Les <Bleus>",
        ("Ana", "Ben"),
        "Les <Bleus> (Ana, Ben)",
    )
    assert beta.team_label == "Team B" and gamma.team_label == ""
    assert d.teams == (alpha, beta)
    moves = [line for line in d.log if line.actor == "Alphaland"]
    assert moves and all(line.team == "Les <Bleus>" for line in moves)
    assert all(line.team == "" for line in d.log if line.actor == "Gammaland")
    (note,) = d.notes
    assert note.note and not note.private and note.actor == "Facilitator"
    assert note.said == "Betaland gave in <fast> | *twice*"
    assert [line.said for line in d.log if line.private and "Alphaland" in line.seen_by]
    # An event the facilitator wrote is told by its title, like one from the deck.
    assert d.events[-1] == "Fog at the border"
    # What each role won, conceded and declared, for the class debrief.
    assert alpha.won and "Posture: Heavy" in alpha.won
    assert any(line.bluff and line.crossed for line in gamma.red_lines)
    # Without a class, no teams: the debrief reads as before.
    plain = debrief_of(list(replay_states(class_game)), "Class game", seats=SEATS)
    assert plain.teams == () and all(line.team == "" for line in plain.log)


def test_debrief_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        debrief_of([])


def test_a_bad_save_raises_save_error(finished: SaveFile) -> None:
    data = json.loads(dumps(finished))
    data["log"][2]["hash"] = "0" * 12
    with pytest.raises(SaveError, match=r"^broken\.json: step 3: ") as err:
        build_debrief(loads(json.dumps(data)), "broken.json")
    assert "\n" not in str(err.value)


# --- HTML --------------------------------------------------------------------------------------


def test_html_page_is_whole_and_self_contained(debrief: Debrief) -> None:
    page = to_html(debrief)
    checker = check_page(page)
    words = checker.words
    for role in debrief.roles:
        assert role.name in words
    assert f"{debrief.scorecard.total:.1f}" in words
    titles = [
        html.unescape(t) for t in re.findall(r'<svg class="chart"[^>]*aria-label="([^"]*)"', page)
    ]
    assert any(t.startswith("Credibility after every step") for t in titles)
    assert any(t.startswith("Each delegation's satisfaction") for t in titles)
    assert any(t.startswith("Credibility dimensions") for t in titles)
    assert checker.tags.count("svg") >= 3
    assert "@media print" in page and "break-before: page" in page


def test_html_says_a_game_is_in_progress(in_progress: SaveFile, finished: SaveFile) -> None:
    words = check_page(to_html(build_debrief(in_progress))).words
    assert "Game in progress." in words
    assert "Game in progress." not in check_page(to_html(build_debrief(finished))).words


def test_html_escapes_player_text(in_progress: SaveFile) -> None:
    page = to_html(build_debrief(in_progress))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>group</b>" not in page and "Seminar &lt;b&gt;group&lt;/b&gt; 2" in page
    # The text reads as typed, minus its web address.
    assert '<script>alert(1)</script> | *bold* & "quoted"' in check_page(page).words


def test_html_names_the_teams_and_marks_the_facilitators_notes(class_game: SaveFile) -> None:
    page = to_html(build_debrief(class_game))
    checker = check_page(page)
    words = checker.words
    assert "Delegations The teams that played each role." in words
    assert "Alphaland — Les <Bleus> (Ana, Ben)" in words and "Betaland — Team B" in words
    assert "<Bleus>" not in page and "Les &lt;Bleus&gt;" in page
    assert "The facilitator's notes" in words
    assert "Betaland gave in <fast> | *twice*" in words
    assert page.count('<span class="tag note">facilitator\'s note</span>') == 1
    # Alphaland's moves in the log carry its team's name.
    assert re.search(r"Alphaland<br><span class=\"team\">Les &lt;Bleus&gt;</span>", page)


def test_html_keeps_the_words_of_sources_without_their_links(paris_game: SaveFile) -> None:
    d = build_debrief(paris_game)
    linked = [rule for rule in d.scorecard.moving if "://" in rule.source]
    page = to_html(d)
    check_page(page)
    for rule in linked:
        assert esc(source_words(rule.source)) in page


def test_links_are_taken_out() -> None:
    assert without_links("see HTTPS://a.example/b?c=d, then") == "see [link removed] then"
    assert "://" not in without_links("hthttp://tp://x ftp://y")
    assert source_words("IISS tiers, https://forces.example/x") == "IISS tiers"
    assert source_words("Fortna; https://a.example; https://b.example") == "Fortna"
    assert source_words("https://a.example") == "a web page (see the scenario file)"
    assert source_words("") == ""
    assert esc('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"


# --- Markdown ----------------------------------------------------------------------------------


def table_widths(markdown: str) -> list[int]:
    """Cells in each table line (escaped pipes do not count)."""
    return [
        len(re.findall(r"(?<!\\)\|", line)) - 1
        for line in markdown.splitlines()
        if line.startswith("|")
    ]


def test_markdown_holds_the_score_and_every_delegation(debrief: Debrief) -> None:
    text = to_markdown(debrief)
    assert text.startswith(f"# Debrief: {md_text(debrief.scenario_title)}\n")
    assert f"**Credibility: {debrief.scorecard.total:.1f} / 100**" in text
    for role in debrief.roles:
        assert md_text(role.name) in text
    for heading in ("## The deal on the table", "## Credibility", "## Log"):
        assert f"\n{heading}\n" in text
    # Every table row has as many cells as its header: player text cannot break a table.
    blocks = re.findall(r"(?:^\|.*\n)+", text, flags=re.MULTILINE)
    assert blocks
    for block in blocks:
        assert len(set(table_widths(block))) == 1, block


def test_markdown_says_a_game_is_in_progress(in_progress: SaveFile, finished: SaveFile) -> None:
    top = to_markdown(build_debrief(in_progress)).splitlines()[:4]
    assert any("**Game in progress.**" in line for line in top)
    assert "in progress" not in to_markdown(build_debrief(finished)).lower()


def test_markdown_escapes_player_text(in_progress: SaveFile) -> None:
    text = to_markdown(build_debrief(in_progress))
    assert "<script>" not in text and "<b>" not in text
    assert r"\<script\>alert(1)\</script\> \| \*bold\*" in text


def test_markdown_names_the_teams_and_marks_the_facilitators_notes(class_game: SaveFile) -> None:
    text = to_markdown(build_debrief(class_game))
    assert "\n## Delegations\n\n- **Alphaland** — Les \\<Bleus\\> (Ana, Ben)\n" in text
    assert "- **Betaland** — Team B\n" in text
    assert "| Alphaland (Les \\<Bleus\\>) |" in text
    assert "| Alphaland — Les \\<Bleus\\> (signatory) |" in text
    assert "\n## The facilitator's notes\n" in text
    assert r"Betaland gave in \<fast\> \| \*twice\*" in text
    note_rows = [line for line in text.splitlines() if "**facilitator's note**" in line]
    assert len(note_rows) == 1 and note_rows[0].startswith("| ")
    assert "<Bleus>" not in text


# --- any game ----------------------------------------------------------------------------------


@given(data=st.data())
def test_any_played_game_has_a_debrief(mini_rules: Ruleset, data: st.DataObject) -> None:
    state, _ = data.draw(played_games(mini_rules, max_steps=50))
    d = build_debrief(loads(dumps(make_save(state, SEATS))), "game.json")
    event(d.status_text)
    assert d.in_progress == (not state.over)
    assert len(d.timeline) == state.steps + 1
    page = to_html(d)
    words = check_page(page).words
    assert all(role.name in words for role in d.roles)
    text = to_markdown(d)
    assert text.strip() and f"{d.scorecard.total:.1f}" in text
    # The banner, not the words: a message may say "in progress".
    assert ("**Game in progress.**" in text) == d.in_progress


def test_reports_do_not_load_textual() -> None:
    """The reports are headless: a CLI or a server can render them without the TUI."""
    code = (
        "import sys, negotiation.report.debrief, negotiation.report.markdown, "
        "negotiation.report.html; print('textual' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_masthead_names_the_seed_once(paris_rules: Ruleset) -> None:
    bots = {role: Baseline() for role in paris_rules.scenario.roles}
    state = play_bots(new_game(paris_rules, seed=5), bots)

    def meta(name: str) -> list[str]:
        page = to_html(build_debrief(make_save(state, {}, name=name)))
        found = re.search(r'<p class="meta">(.*?)</p>', page)
        assert found is not None
        return found.group(1).split(" · ")

    # What simulate --save-dir names a game says its seed already.
    simulated = meta("paris-2025 simulated game, seed 5")
    assert simulated[0] == "paris-2025 simulated game, seed 5" and "seed 5" not in simulated
    # Another seed in the name is not this one.
    assert "seed 5" in meta("Group seed 50")
    assert "seed 5" in meta("")


def test_a_security_council_vote_is_called_so_in_reports(paris_rules: Ruleset) -> None:
    """Headlines and reports name the phase in words ("Security Council vote"), not by its
    code ("unsc"); the JSON keeps the code."""
    from negotiation.bots import strategy
    from negotiation.engine import Phase
    from negotiation.report.text import format_state, state_summary

    assert [p.label for p in Phase] == ["Diplomacy", "Vote", "Security Council vote", "Over"]
    bots = {r: strategy(role.default_strategy) for r, role in paris_rules.scenario.roles.items()}
    council: list[GameState] = []
    for seed in range(40):
        play_bots(
            new_game(paris_rules, seed=seed),
            bots,
            on_move=lambda s, _a: council.append(s) if s.phase is Phase.UNSC else None,
        )
        if council:
            break
    assert council, "in 40 games of bots no deal went to the Security Council"
    assert "(Security Council vote, " in format_state(council[0], log=False)
    assert state_summary(council[0], log=False)["phase"] == "unsc"


def test_a_deal_space_too_large_to_analyse_still_gets_a_debrief(mini, tmp_path) -> None:
    """A scenario may have more packages than the analysis tabulates: the debrief says so in
    place of the analysis, and everything else is there."""
    from negotiation.bots import strategy
    from negotiation.report.classdebrief import class_debrief_pages
    from negotiation.report.compare import compare, load_games
    from negotiation.report.compare import to_markdown as compare_markdown
    from negotiation.savefile import write_save
    from negotiation.scenario import parse_scenario

    data = mini.model_dump(mode="json")
    for n in range(6):  # 9 ** 6 times the mini scenario's packages
        options = {f"o{k}": {"label": f"Option {k}"} for k in range(9)}
        data["issues"][f"extra{n}"] = {"label": f"Extra {n}", "options": options}
        data["opening"][f"extra{n}"] = "o0"
    rules = Ruleset(parse_scenario(data, "large"))
    bots = {role: strategy("pragmatist") for role in rules.scenario.roles}
    state = play_bots(new_game(rules, seed=1), bots)
    save = make_save(state, name="Large")
    debrief = debrief_of(list(replay_states(save)), "Large")
    assert debrief.analysis is None and debrief.what_if == ()
    assert "too many packages" in debrief.no_analysis
    assert debrief.no_analysis in to_markdown(debrief)
    assert html.escape(debrief.no_analysis, quote=False) in to_html(debrief)
    pages = class_debrief_pages(debrief, rules.scenario, Classroom())
    assert any(debrief.no_analysis == line.text for page in pages for line in page.lines)
    signatories = [r for r in debrief.roles if r.signatory]
    assert debrief.in_zopa == all(r.satisfaction >= r.walk_away for r in signatories)
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        write_save(path, save)
    assert "Large" in compare_markdown(compare(load_games(paths)))
