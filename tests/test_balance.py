"""The balance report: seeded bot games of a scenario measured against the teaching targets."""

from __future__ import annotations

import json

import pytest

from negotiation.analysis.balance import (
    AGREEMENT_RANGE,
    MAX_PACKAGE_SHARE,
    MIN_CREDIBILITY_SPREAD,
    STANDARD_STRATEGIES,
    balance_report,
    format_balance,
    standard_mixes,
)
from negotiation.bots import strategy
from negotiation.bots.runner import simulate
from negotiation.cli import main

GAMES_PER_MIX = 120
"""Seeded games per strategy mix in the test of the shipped scenarios' balance."""


def test_the_report_measures_the_default_mix_first(mini) -> None:
    report = balance_report(mini, games=30, seed=5, mixes=[{"alpha": "hardliner"}], standard=False)
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


def test_the_standard_mixes_put_every_coalition_seat_on_one_strategy(mini) -> None:
    mixes = standard_mixes(mini)
    default = {r: role.default_strategy for r, role in mini.roles.items()}
    coalition = {r for r, role in mini.roles.items() if role.coalition}
    assert mixes and all(set(mix) == coalition for mix in mixes)
    assert all(len(set(mix.values())) == 1 for mix in mixes)
    assert {next(iter(m.values())) for m in mixes} <= set(STANDARD_STRATEGIES)
    assert all({**default, **mix} != default for mix in mixes)  # none repeats the default
    report = balance_report(mini, games=10, seed=1)
    assert [m.strategies for m in report.mixes[1:]] == [{**default, **m} for m in mixes]


def test_the_checks_follow_the_figures(mini) -> None:
    report = balance_report(mini, games=30, seed=5)
    first = report.mixes[0]
    agreement, spread, dominance, tension = report.checks
    low, high = AGREEMENT_RANGE
    assert agreement.passed == (low <= first.agreement_rate <= high)
    # Spread and dominance are judged on the deals of every mix together.
    deals = [deal for mix in report.mixes for deal in mix.deals]
    pooled = report.pooled
    assert pooled.games == sum(m.games for m in report.mixes)
    if deals:
        assert pooled.credibility_min == round(min(c for c, _ in deals), 2)
        assert pooled.credibility_max == round(max(c for c, _ in deals), 2)
    assert spread.passed == (pooled.credibility_spread >= MIN_CREDIBILITY_SPREAD)
    top = max((sum(1 for _, p in deals if p == q) for _, q in deals), default=0)
    assert pooled.top_package_share == (top / len(deals) if deals else 0.0)
    assert dominance.passed == (
        pooled.distinct_packages > 0 and pooled.top_package_share <= MAX_PACKAGE_SHARE
    )
    assert tension.passed == (report.nash is not None and report.nash != report.most_credible)
    assert report.passed == all(c.passed for c in report.checks)
    text = format_balance(report)
    assert text.count("PASS") + text.count("FAIL") == 4
    assert "all mixes together" in text
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
    # The default mix and the standard mixes, and the figures of all of them together.
    assert len(data["mixes"]) == 1 + len(standard_mixes(load_mini()))
    assert data["all_mixes"]["games"] == 20 * len(data["mixes"])
    assert main(["analyze", "--balance", "--scenario", mini, "--games", "20", "--json",
                 "--default-only"]) == 0  # fmt: skip
    only = json.loads(capsys.readouterr().out)
    assert len(only["mixes"]) == 1 and only["all_mixes"]["games"] == 20
    assert only["mixes"][0] == data["mixes"][0]  # the same seeded games
    with pytest.raises(SystemExit) as exit_:
        main(["analyze", "--balance", "--games", "0"])
    assert exit_.value.code == 2
    assert main(["analyze", "--balance", "--save", "x.json"]) == 2
    assert "--balance measures a scenario" in capsys.readouterr().err


def test_balance_options_need_balance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--games", "20"]) == 2
    assert "go with --balance" in capsys.readouterr().err
    assert main(["analyze", "--default-only"]) == 2
    assert "go with --balance" in capsys.readouterr().err


def load_mini():  # type: ignore[no-untyped-def]
    from pathlib import Path

    from negotiation.scenario import load_scenario

    return load_scenario(Path(__file__).parent / "data" / "mini.toml")


SHIPPED = ["paris-2025", "paris-no-backstop", "paris-unsc", "paris-fragile-truce"]


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_every_shipped_scenario_passes_the_balance_checks(scenario_id: str) -> None:
    """The balance checks on a small count of seeded games per mix (the closing figures of
    1,000 games per mix come from ``negotiation analyze --balance``)."""
    from negotiation.scenario import resolve_scenario

    report = balance_report(resolve_scenario(scenario_id), games=GAMES_PER_MIX, workers=2)
    assert report.passed, format_balance(report)


def test_the_shipped_scenarios_are_the_ones_checked() -> None:
    from negotiation.scenario import builtin_paths

    assert sorted(path.stem for path in builtin_paths()) == sorted(SHIPPED)
