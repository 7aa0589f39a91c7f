"""The balance report: seeded bot games of a scenario measured against the teaching targets."""

from __future__ import annotations

import json

import pytest

from negotiation.analysis.balance import (
    AGREEMENT_RANGE,
    MAX_PACKAGE_SHARE,
    MIN_CREDIBILITY_SPREAD,
    balance_report,
    format_balance,
)
from negotiation.bots import strategy
from negotiation.bots.runner import simulate
from negotiation.cli import main


def test_the_report_measures_the_default_mix_first(mini) -> None:
    report = balance_report(mini, games=30, seed=5, mixes=[{"alpha": "hardliner"}])
    default = {r: role.default_strategy for r, role in mini.roles.items()}
    first, second = report.mixes
    assert first.strategies == default
    assert second.strategies == {**default, "alpha": "hardliner"}
    # The figures are those of the same seeded games played by simulate.
    sim = simulate(mini, 30, 5, default, strategy)
    assert first.agreement_rate == sim.agreement_rate
    assert first.games == 30
    if sim.credibility:
        assert first.credibility_min == round(min(sim.credibility), 2)
        assert first.credibility_max == round(max(sim.credibility), 2)
        assert 0 < first.top_package_share <= 1
        assert sum(1 for p in sim.packages if p == tuple(first.top_package.values())) == round(
            first.top_package_share * len(sim.packages)
        )


def test_the_checks_follow_the_figures(mini) -> None:
    report = balance_report(mini, games=30, seed=5)
    first = report.mixes[0]
    agreement, spread, dominance, tension = report.checks
    low, high = AGREEMENT_RANGE
    assert agreement.passed == (low <= first.agreement_rate <= high)
    assert spread.passed == (first.credibility_spread >= MIN_CREDIBILITY_SPREAD)
    assert dominance.passed == (
        first.distinct_packages > 0 and first.top_package_share <= MAX_PACKAGE_SHARE
    )
    assert tension.passed == (report.nash is not None and report.nash != report.most_credible)
    assert report.passed == all(c.passed for c in report.checks)
    text = format_balance(report)
    assert text.count("PASS") + text.count("FAIL") == 4
    assert json.loads(json.dumps(report.as_dict()))["passed"] == report.passed


def test_the_same_figures_whatever_the_number_of_workers(mini) -> None:
    one = balance_report(mini, games=40, seed=2, workers=1)
    two = balance_report(mini, games=40, seed=2, workers=2)
    assert one.as_dict() == two.as_dict()


def test_analyze_balance_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    mini = str(Path(__file__).parent / "data" / "mini.toml")
    assert main(["analyze", "--balance", "--scenario", mini, "--games", "20", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scenario"] == "mini" and len(data["checks"]) == 4
    assert data["mixes"][0]["games"] == 20
    with pytest.raises(SystemExit) as exit_:
        main(["analyze", "--balance", "--games", "0"])
    assert exit_.value.code == 2
    assert main(["analyze", "--balance", "--save", "x.json"]) == 2
    assert "--balance measures a scenario" in capsys.readouterr().err


def test_balance_options_need_balance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--games", "20"]) == 2
    assert "go with --balance" in capsys.readouterr().err
