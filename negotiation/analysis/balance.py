"""Is a scenario balanced enough to teach? Seeded bot games and the analysis, against targets.

A scenario teaches when a deal is possible but not certain, when the deals groups reach differ
(in what they contain and in how credible they are), and when the deal everyone can live with
best (the Nash solution) is not the deal that would deter best: that gap is the tension a
debrief is about. :func:`balance_report` measures all four over many seeded all-bot games of
each strategy mix: the scenario's default mix, the standard mixes (every coalition seat playing
one strategy) and any other mixes asked for.

Whether a deal is reached is judged on the default mix: that is how the scenario plays when
nobody changes a seat. How much the deals differ is judged on the deals of every mix together,
because a classroom holds groups that play very differently, and a scenario teaches when their
deals differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from negotiation.scenario import Scenario

AGREEMENT_RANGE = (0.20, 0.80)
"""Share of default-mix games that should end with a deal in force."""
MIN_CREDIBILITY_SPREAD = 30.0
"""Points between the least and the most credible deal adopted."""
MAX_PACKAGE_SHARE = 0.5
"""Largest share of adopted deals one package may take."""
STANDARD_STRATEGIES = ("pragmatist", "hardliner", "reciprocator")
"""The strategies of the standard mixes: every coalition seat plays one of them."""


@dataclass(frozen=True)
class Check:
    """One balance target and how the scenario fares against it.

    Attributes:
        name: what is checked.
        passed: whether the target is met.
        figure: the measured value, in words.
        target: the target, in words.
    """

    name: str
    passed: bool
    figure: str
    target: str


@dataclass(frozen=True)
class MixBalance:
    """The balance figures of one strategy mix.

    Attributes:
        strategies: the strategy in each seat.
        games: games played.
        agreement_rate: share of games with a deal adopted and ratified.
        credibility_min: least credible adopted deal (None: no deal).
        credibility_max: most credible adopted deal.
        top_package_share: share of adopted deals taken by the most common package.
        top_package: that package (issue -> option).
        distinct_packages: how many different packages were adopted.
    """

    strategies: dict[str, str]
    games: int
    agreement_rate: float
    credibility_min: float | None
    credibility_max: float | None
    top_package_share: float
    top_package: dict[str, str]
    distinct_packages: int
    deals: tuple[tuple[float, tuple[str, ...]], ...] = field(default=(), repr=False, compare=False)
    """(credibility, package) of every adopted deal, for the figures over all mixes."""

    @property
    def credibility_spread(self) -> float:
        if self.credibility_min is None or self.credibility_max is None:
            return 0.0
        return self.credibility_max - self.credibility_min


@dataclass(frozen=True)
class BalanceReport:
    """A scenario's balance: the figures of each mix and the checks of the default one.

    Attributes:
        scenario: the scenario's id.
        title: its title.
        mixes: the figures of each strategy mix (the default mix first).
        pooled: the figures of the deals of every mix together.
        nash: the Nash bargaining solution (issue -> option), if the ZOPA is not empty.
        most_credible: the most credible acceptable package, if any.
        checks: the four targets, for the default mix.
    """

    scenario: str
    title: str
    mixes: tuple[MixBalance, ...]
    pooled: MixBalance
    nash: dict[str, str] | None
    most_credible: dict[str, str] | None
    checks: tuple[Check, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "passed": self.passed,
            "checks": [
                {"name": c.name, "passed": c.passed, "figure": c.figure, "target": c.target}
                for c in self.checks
            ],
            "mixes": [
                {
                    "strategies": m.strategies,
                    "games": m.games,
                    "agreement_rate": round(m.agreement_rate, 4),
                    "credibility_min": m.credibility_min,
                    "credibility_max": m.credibility_max,
                    "credibility_spread": round(m.credibility_spread, 2),
                    "top_package_share": round(m.top_package_share, 4),
                    "top_package": m.top_package,
                    "distinct_packages": m.distinct_packages,
                }
                for m in self.mixes
            ],
            "all_mixes": {
                "games": self.pooled.games,
                "agreement_rate": round(self.pooled.agreement_rate, 4),
                "credibility_min": self.pooled.credibility_min,
                "credibility_max": self.pooled.credibility_max,
                "credibility_spread": round(self.pooled.credibility_spread, 2),
                "top_package_share": round(self.pooled.top_package_share, 4),
                "top_package": self.pooled.top_package,
                "distinct_packages": self.pooled.distinct_packages,
            },
            "nash": self.nash,
            "most_credible_acceptable": self.most_credible,
        }


def mix_balance(
    scenario: Scenario,
    strategies: Mapping[str, str],
    games: int,
    seed: int = 0,
    *,
    workers: int = 1,
    on_progress: Callable[[int], None] | None = None,
) -> MixBalance:
    """Play ``games`` seeded all-bot games of one mix and measure them."""
    from negotiation.bots import strategy
    from negotiation.bots.runner import simulate

    report = simulate(
        scenario,
        games,
        seed,
        strategies,
        strategy,
        workers=workers,
        on_progress=on_progress,
    )
    deals = tuple(zip(report.credibility, (tuple(p) for p in report.packages), strict=True))
    return _measure(scenario, dict(strategies), report.games, report.agreement_rate, deals)


def _measure(
    scenario: Scenario,
    strategies: dict[str, str],
    games: int,
    agreement_rate: float,
    deals: tuple[tuple[float, tuple[str, ...]], ...],
) -> MixBalance:
    """The figures of a set of games from its adopted deals."""
    counts = Counter(package for _, package in deals)
    top, top_count = counts.most_common(1)[0] if counts else ((), 0)
    credibility = [c for c, _ in deals]
    return MixBalance(
        strategies=strategies,
        games=games,
        agreement_rate=agreement_rate,
        credibility_min=round(min(credibility), 2) if credibility else None,
        credibility_max=round(max(credibility), 2) if credibility else None,
        top_package_share=top_count / len(deals) if deals else 0.0,
        top_package=dict(zip(scenario.issues, top, strict=False)),
        distinct_packages=len(counts),
        deals=deals,
    )


def standard_mixes(scenario: Scenario) -> list[dict[str, str]]:
    """Every coalition seat playing one strategy (pragmatist, hardliner, reciprocator), the
    other side keeping its default: the ways a class commonly plays a scenario."""
    default = {r: role.default_strategy for r, role in scenario.roles.items()}
    mixes = []
    for name in STANDARD_STRATEGIES:
        mix = {r: name for r, role in scenario.roles.items() if role.coalition}
        if {**default, **mix} != default:
            mixes.append(mix)
    return mixes


def balance_report(
    scenario: Scenario,
    games: int = 1000,
    seed: int = 0,
    *,
    mixes: Sequence[Mapping[str, str]] = (),
    standard: bool = True,
    workers: int = 1,
    on_progress: Callable[[int], None] | None = None,
) -> BalanceReport:
    """Measure a scenario's balance over ``games`` seeded games of each strategy mix: the
    default mix (first), the standard mixes (unless ``standard`` is false) and ``mixes``.

    Agreement is checked on the default mix; the spread of credibility and the share of the
    most common package on the deals of all mixes together.
    """
    from negotiation.analysis.summary import analyze_scenario
    from negotiation.rules import Ruleset

    # First, so that a deal space too large to analyse is said before the games, not after.
    analysis = analyze_scenario(Ruleset(scenario))
    default = {r: role.default_strategy for r, role in scenario.roles.items()}
    results = []
    done = 0
    for mix in [default, *(standard_mixes(scenario) if standard else []), *mixes]:

        def progress(n: int, before: int = done) -> None:
            if on_progress is not None:
                on_progress(before + n)

        results.append(
            mix_balance(
                scenario, {**default, **mix}, games, seed, workers=workers, on_progress=progress
            )
        )
        done += games
    nash = analysis["nash"]["package"] if analysis["nash"] else None
    best = analysis["most_credible_acceptable"]
    best_package = best["package"] if best else None
    first = results[0]
    pooled = _measure(
        scenario,
        {},
        sum(m.games for m in results),
        sum(m.agreement_rate * m.games for m in results) / max(1, sum(m.games for m in results)),
        tuple(deal for m in results for deal in m.deals),
    )
    every = f"the deals of all {len(results)} mixes" if len(results) > 1 else "adopted deals"
    low, high = AGREEMENT_RANGE
    checks = (
        Check(
            "agreement is neither certain nor impossible",
            low <= first.agreement_rate <= high,
            f"{first.agreement_rate:.0%} of {first.games} games end with a deal in force",
            f"between {low:.0%} and {high:.0%}",
        ),
        Check(
            "the deals reached differ in credibility",
            pooled.credibility_spread >= MIN_CREDIBILITY_SPREAD,
            f"{every} range over {pooled.credibility_spread:.1f} points"
            + (
                f" ({pooled.credibility_min:.1f} to {pooled.credibility_max:.1f})"
                if pooled.credibility_min is not None
                else ""
            ),
            f"at least {MIN_CREDIBILITY_SPREAD:.0f} points",
        ),
        Check(
            "no single package dominates",
            bool(pooled.distinct_packages) and pooled.top_package_share <= MAX_PACKAGE_SHARE,
            f"the most common package is {pooled.top_package_share:.0%} of {every} "
            f"({_packages(pooled.distinct_packages)})",
            f"at most {MAX_PACKAGE_SHARE:.0%}",
        ),
        Check(
            "the Nash solution is not the most credible acceptable deal",
            nash is not None and best_package is not None and nash != best_package,
            "they differ"
            if nash is not None and nash != best_package
            else ("the ZOPA is empty" if nash is None else "they are the same package"),
            "they differ (the tension a debrief is about)",
        ),
    )
    return BalanceReport(
        scenario.id, scenario.title, tuple(results), pooled, nash, best_package, checks
    )


def format_balance(report: BalanceReport) -> str:
    """The balance report as text for the terminal."""
    lines = [f"Balance of {report.title} ({report.scenario})", ""]
    for check in report.checks:
        mark = "PASS" if check.passed else "FAIL"
        lines.append(f"  {mark}  {check.name}: {check.figure} (target: {check.target})")
    lines.append("")
    for number, mix in enumerate(report.mixes):
        who = ", ".join(f"{role}={name}" for role, name in mix.strategies.items())
        lines.append(f"  {who}" + (" (the default mix)" if number == 0 else ""))
        lines.append(f"    {_figures(mix)}")
    if len(report.mixes) > 1:
        lines.append("  all mixes together")
        lines.append(f"    {_figures(report.pooled)}")
    lines.append("")
    verdict = "balanced" if report.passed else "not balanced yet"
    lines.append(f"The scenario is {verdict} by these targets.")
    return "\n".join(lines)


def _figures(mix: MixBalance) -> str:
    spread = (
        f"{mix.credibility_min:.1f}-{mix.credibility_max:.1f}"
        if mix.credibility_min is not None and mix.credibility_max is not None
        else "no deal"
    )
    return (
        f"{mix.games} games: agreement {mix.agreement_rate:.0%}; credibility of deals {spread}; "
        f"{_packages(mix.distinct_packages)}, the most common {mix.top_package_share:.0%}"
    )


def _packages(count: int) -> str:
    return f"{count} different package{'s' if count != 1 else ''}"
