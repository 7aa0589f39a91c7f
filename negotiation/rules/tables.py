"""A scenario compiled into flat tables over every package.

Most rules read nothing but the package (``mandate == "unsc"``); their effects, the roles'
preference points and the real red lines that depend only on the package are worked out once
for every package, as NumPy arrays indexed by a package's number. Scoring one deal then looks
its row up and evaluates only the few rules that read pledges, events or votes. The analysis
uses the same tables to score the whole deal space at once.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from negotiation.rules.vector import VectorCompiler, as_mask, reads_only_package
from negotiation.scenario.expr import parse
from negotiation.scenario.model import DIMENSIONS, Scenario

MAX_TABLE_PACKAGES = 250_000
"""Above this many packages a scenario is scored rule by rule instead (tables would be big)."""


@dataclass(frozen=True)
class PackageTable:
    """Per-package tables of a scenario.

    Attributes:
        issue_ids: issues, in column order.
        option_ids: each issue's options, in code order.
        strides: what one step of each issue's code adds to a package's number.
        codes: (packages × issues) option codes, row ``n`` being package number ``n``.
        static_rules: indices (into the scenario's rules) of the rules that read only the
            package.
        static_masks: (packages × static rules) whether each such rule fires.
        static_effect: (packages × dimensions) summed effects of the static rules.
        static_bonus: (packages × roles) summed satisfaction bonuses of the static rules.
        preference: (packages × roles) summed preference points.
        static_penalty: (packages × roles) penalties of real red lines that read only the
            package.
        static_red_lines: indices (into the ruleset's red lines) of those red lines.
        roles: role ids, in column order.
    """

    issue_ids: tuple[str, ...]
    option_ids: tuple[tuple[str, ...], ...]
    strides: tuple[int, ...]
    codes: np.ndarray
    static_rules: tuple[int, ...]
    static_masks: np.ndarray
    static_effect: np.ndarray
    static_bonus: np.ndarray
    preference: np.ndarray
    static_penalty: np.ndarray
    static_red_lines: tuple[int, ...]
    roles: tuple[str, ...]
    _neighbours: dict[int, tuple[np.ndarray, list[tuple[str, str]]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Neighbours already worked out, by package number (bots ask again and again)."""

    @property
    def size(self) -> int:
        """Number of packages."""
        return int(self.codes.shape[0])

    def index(self, package: Mapping[str, str]) -> int:
        """A package's number: its row in every table."""
        number = 0
        for issue, options, stride in zip(
            self.issue_ids, self.option_ids, self.strides, strict=True
        ):
            number += options.index(package[issue]) * stride
        return number

    def neighbours(self, number: int) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """Numbers of the packages one amendment away, with the (issue, option) of each
        (the same objects each time: do not change them)."""
        known = self._neighbours.get(number)
        if known is None:
            if len(self._neighbours) >= 2048:  # a few MB at most
                self._neighbours.clear()
            known = self._neighbours[number] = self._find_neighbours(number)
        return known

    def _find_neighbours(self, number: int) -> tuple[np.ndarray, list[tuple[str, str]]]:
        row = self.codes[number]
        numbers: list[int] = []
        changes: list[tuple[str, str]] = []
        for column, (issue, options, stride) in enumerate(
            zip(self.issue_ids, self.option_ids, self.strides, strict=True)
        ):
            here = int(row[column])
            for code, option in enumerate(options):
                if code != here:
                    numbers.append(number + (code - here) * stride)
                    changes.append((issue, option))
        return np.array(numbers, dtype=np.int64), changes

    def package(self, number: int) -> dict[str, str]:
        """The package with this number."""
        row = self.codes[number]
        return {
            issue: options[int(code)]
            for issue, options, code in zip(self.issue_ids, self.option_ids, row, strict=True)
        }

    def compiler(self) -> VectorCompiler:
        """A compiler of expressions over this table's ``codes``."""
        return VectorCompiler(
            {issue: column for column, issue in enumerate(self.issue_ids)},
            {
                issue: {option: code for code, option in enumerate(options)}
                for issue, options in zip(self.issue_ids, self.option_ids, strict=True)
            },
        )


def package_count(scenario: Scenario) -> int:
    """How many packages a scenario's issues make."""
    return math.prod(len(issue.options) for issue in scenario.issues.values())


def build_table(
    scenario: Scenario, red_lines: list[tuple[str, str, bool, float]]
) -> PackageTable | None:
    """The package tables of a scenario, or None if it has too many packages.

    Args:
        scenario: a checked scenario.
        red_lines: (role, when, bluff, penalty) of every red line, in the ruleset's order.
    """
    count = package_count(scenario)
    if count > MAX_TABLE_PACKAGES:
        return None
    issue_ids = tuple(scenario.issues)
    option_ids = tuple(tuple(scenario.issues[i].options) for i in issue_ids)
    radix = [len(options) for options in option_ids]
    strides = tuple(math.prod(radix[k + 1 :]) for k in range(len(radix)))
    codes = np.array(list(itertools.product(*(range(r) for r in radix))), dtype=np.int16)
    codes = codes.reshape(count, len(radix))
    roles = tuple(scenario.roles)
    partial = PackageTable(
        issue_ids, option_ids, strides, codes, (), np.zeros((count, 0), bool),
        np.zeros((count, len(DIMENSIONS))), np.zeros((count, len(roles))),
        np.zeros((count, len(roles))), np.zeros((count, len(roles))), (), roles,
    )  # fmt: skip
    compiler = partial.compiler()

    static_rules: list[int] = []
    masks: list[np.ndarray] = []
    for index, rule in enumerate(scenario.rules):
        node = parse(rule.when)
        if reads_only_package(node, scenario.issues):
            static_rules.append(index)
            masks.append(as_mask(compiler.compile(node)(codes, None), count))
    static_masks = np.stack(masks, axis=1) if masks else np.zeros((count, 0), bool)
    effects = np.array(
        [[scenario.rules[k].effect.get(d, 0.0) for d in DIMENSIONS] for k in static_rules]  # type: ignore[call-overload]
    ).reshape(len(static_rules), len(DIMENSIONS))
    bonuses = np.array(
        [[scenario.rules[k].satisfaction.get(r, 0.0) for r in roles] for k in static_rules]
    ).reshape(len(static_rules), len(roles))
    as_float = static_masks.astype(np.float64)

    preference = np.zeros((count, len(roles)))
    for r, role_id in enumerate(roles):
        table = scenario.roles[role_id].preferences
        for column, (issue, options) in enumerate(zip(issue_ids, option_ids, strict=True)):
            worth = table.get(issue)
            if worth:
                lookup = np.array([worth.get(option, 0.0) for option in options])
                preference[:, r] += lookup[codes[:, column]]

    penalty = np.zeros((count, len(roles)))
    static_lines: list[int] = []
    for index, (role_id, when, bluff, points) in enumerate(red_lines):
        node = parse(when)
        if bluff or not reads_only_package(node, scenario.issues):
            continue
        static_lines.append(index)
        mask = as_mask(compiler.compile(node)(codes, None), count)
        penalty[:, roles.index(role_id)] += np.where(mask, points, 0.0)

    return PackageTable(
        issue_ids,
        option_ids,
        strides,
        codes,
        tuple(static_rules),
        static_masks,
        as_float @ effects,
        as_float @ bonuses,
        preference,
        penalty,
        tuple(static_lines),
        roles,
    )
