"""Printable briefs: each private brief keeps its own secrets and no one else's, the HTML is
self-contained and prints, and write_briefs writes the files a facilitator expects."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from negotiation.report.briefs import (
    facilitator_guide,
    private_brief,
    public_brief,
    to_html,
    to_markdown,
    walk_away_line,
    write_briefs,
)
from negotiation.scenario import Scenario, load_scenario, resolve_scenario

DATA = Path(__file__).parent / "data"

VOID = {"meta", "br", "col", "hr", "img", "input", "link", "wbr", "area", "base", "source"}


@pytest.fixture(scope="module", params=["paris", "mini"])
def scenario(request: pytest.FixtureRequest) -> Scenario:
    if request.param == "paris":
        return resolve_scenario("paris-2025")
    return load_scenario(DATA / "mini.toml")


class TagChecker(HTMLParser):
    """Fails on a closing tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def assert_balanced(page: str) -> None:
    checker = TagChecker()
    checker.feed(page)
    checker.close()
    assert not checker.errors, checker.errors[:3]
    assert not checker.stack, f"left open: {checker.stack}"


def distinctive(text: str) -> str:
    """A slice from the middle of a private brief, unlikely to appear anywhere else."""
    words = " ".join(text.split()).split(" ")
    middle = len(words) // 2
    return " ".join(words[middle : middle + 8])


def rendered(scenario: Scenario, role: str) -> dict[str, str]:
    brief = private_brief(scenario, role)
    return {"md": to_markdown(brief), "html": to_html(brief)}


def plain(text: str) -> str:
    """Markdown or HTML reduced to words, for finding scenario text in it."""
    text = re.sub(r"<[^>]*>", " ", text)
    return (
        text.replace("\\", "")
        .replace("**", "")
        .replace("&#x27;", "'")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
    )


def test_private_brief_holds_own_secrets(scenario: Scenario) -> None:
    for role_id, role in scenario.roles.items():
        for fmt, text in rendered(scenario, role_id).items():
            words = " ".join(plain(text).split())
            assert f"CONFIDENTIAL — {role.name} only" in words, fmt
            assert walk_away_line(role) in words, (role_id, fmt)
            assert distinctive(role.private_brief) in words, (role_id, fmt)
            for line in role.red_lines:
                assert line.text in words, (role_id, fmt, line.id)
            if any(line.bluff for line in role.red_lines):
                assert "BLUFF" in words


def test_private_brief_leaks_nothing_of_other_roles(scenario: Scenario) -> None:
    for role_id, role in scenario.roles.items():
        own_lines = {line.text for line in role.red_lines}
        for fmt, text in rendered(scenario, role_id).items():
            words = " ".join(plain(text).split())
            for other_id, other in scenario.roles.items():
                if other_id == role_id:
                    continue
                assert distinctive(other.private_brief) not in words, (role_id, other_id, fmt)
                if other.walk_away != role.walk_away:
                    assert walk_away_line(other) not in words, (role_id, other_id, fmt)
                for line in other.red_lines:
                    if line.text not in own_lines:
                        assert line.text not in words, (role_id, other_id, line.id, fmt)


def test_html_prints_and_links_nowhere(scenario: Scenario) -> None:
    briefs = [public_brief(scenario), facilitator_guide(scenario)]
    briefs += [private_brief(scenario, r) for r in scenario.roles]
    for brief in briefs:
        page = to_html(brief)
        assert "@media print" in page
        assert "@page" in page
        assert "http://" not in page and "https://" not in page, brief.audience
        assert "<script" not in page
        assert_balanced(page)


def test_html_escapes_scenario_text(mini: Scenario) -> None:
    role = mini.roles["alpha"].model_copy(
        update={"private_brief": "<script>alert(1)</script> & see https://example.org/x"}
    )
    hostile = mini.model_copy(update={"roles": {**mini.roles, "alpha": role}})
    page = to_html(private_brief(hostile, "alpha"))
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "example.org/x" not in page


def test_markdown_keeps_source_links() -> None:
    paris = resolve_scenario("paris-2025")
    text = to_markdown(public_brief(paris))
    assert f"<{paris.sources[0]}>" in text


def test_public_brief_names_every_role_and_issue(scenario: Scenario) -> None:
    brief = public_brief(scenario)
    for text in (plain(to_markdown(brief)), plain(to_html(brief))):
        for role in scenario.roles.values():
            assert role.name in text
            assert role.private_brief.strip()[:60] not in text
        for issue in scenario.issues.values():
            assert issue.label in text
            for option in issue.options.values():
                assert option.label in text
        assert "geometric mean" in text


def test_facilitator_guide_lists_injects_and_secrets(scenario: Scenario) -> None:
    brief = facilitator_guide(scenario)
    for text in (plain(to_markdown(brief)), plain(to_html(brief))):
        for inject in scenario.injects:
            assert inject.title in text
        for role in scenario.roles.values():
            for line in role.red_lines:
                assert line.text in text
        for question in scenario.discussion:
            assert " ".join(question.split()) in " ".join(text.split())
        assert "BATNA" in text and "ZOPA" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_write_briefs_all_roles(mini: Scenario, tmp_path: Path, fmt: str) -> None:
    paths = write_briefs(mini, tmp_path, fmt)
    names = [p.name for p in paths]
    assert names == [f"{n}.{fmt}" for n in ("public", "alpha", "beta", "gamma", "facilitator")]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    assert "Betaland pays the bills" in (tmp_path / f"beta.{fmt}").read_text(encoding="utf-8")


def test_write_briefs_one_role(mini: Scenario, tmp_path: Path) -> None:
    paths = write_briefs(mini, tmp_path, "html", role="Betaland")
    assert [p.name for p in paths] == ["public.html", "beta.html", "facilitator.html"]


def test_write_briefs_rejects_unknown_role_and_format(mini: Scenario, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='no role "zeta"') as raised:
        write_briefs(mini, tmp_path, "md", role="zeta")
    message = str(raised.value)
    assert "\n" not in message and "alpha, beta, gamma" in message
    with pytest.raises(ValueError, match="format"):
        write_briefs(mini, tmp_path, "pdf")
    assert not list(tmp_path.iterdir())
