"""Rule conditions evaluated over a whole array of packages at once, with NumPy.

The analysis scores every package of a scenario (thousands of them) under one set of pledges
and one situation. Evaluating each rule's compiled closure per package would take seconds;
evaluating its syntax tree once over arrays takes milliseconds. Only the issues vary between
packages: everything else an expression reads (pledges, events, votes) is one value for the
whole array, asked of an ordinary :class:`EvalContext`.

The per-deal closures of :mod:`negotiation.scenario.expr` and these array functions come from
the same syntax tree, and a test checks that they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from negotiation.scenario.expr import (
    Binary,
    Call,
    ListNode,
    Literal,
    Name,
    Node,
    Unary,
    walk,
)

VectorFn = Callable[[np.ndarray, Any], Any]
"""(codes, context) -> an array over packages, or a scalar if the value is the same for all.

``codes`` has one row per package and one column per issue: the index of the chosen option.
"""


def reads_only_package(node: Node, issues: Mapping[str, object]) -> bool:
    """True if an expression reads nothing but the package (no pledges, events or votes)."""
    return not _reads(node, issues)[1]


def reads_no_issue(node: Node, issues: Mapping[str, object]) -> bool:
    """True if an expression reads no issue of the package (only pledges, events, votes)."""
    return not _reads(node, issues)[0]


def _reads(node: Node, issues: Mapping[str, object]) -> tuple[bool, bool]:
    """(reads an issue of the package, reads anything else: pledges, events or votes)."""
    issue = other = False
    for part in walk(node):
        if isinstance(part, Name):
            if part.name in issues:
                issue = True
            else:
                other = True
        elif isinstance(part, Call) and part.function not in ("min", "max"):
            other = True  # every other function reads the game, not the package
    return issue, other


def conjuncts(node: Node) -> list[Node]:
    """The terms of a top-level chain of ``and`` (the node itself if it is not one)."""
    if isinstance(node, Binary) and node.op == "and":
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


class VectorCompiler:
    """Turns a checked syntax tree into a function over arrays of packages.

    Args:
        issue_column: issue id -> its column in ``codes``.
        option_code: issue id -> option id -> its code.
    """

    def __init__(
        self, issue_column: Mapping[str, int], option_code: Mapping[str, Mapping[str, int]]
    ) -> None:
        self.issue_column = issue_column
        self.option_code = option_code

    def compile(self, node: Node) -> VectorFn:
        fn, _ = self._compile(node)
        return fn

    def _compile(self, node: Node) -> tuple[VectorFn, str | None]:
        """(function, issue) where issue names the issue whose option codes the value holds."""
        if isinstance(node, Literal):
            value = node.value
            return (lambda codes, ctx: value), None
        if isinstance(node, Name):
            name = node.name
            if name in self.issue_column:
                column = self.issue_column[name]
                return (lambda codes, ctx: codes[:, column]), name
            return (lambda codes, ctx: getattr(ctx, name)), None
        if isinstance(node, Unary):
            inner, _ = self._compile(node.operand)
            if node.op == "not":
                return (lambda codes, ctx: np.logical_not(inner(codes, ctx))), None
            return (lambda codes, ctx: np.negative(inner(codes, ctx))), None
        if isinstance(node, Call):
            return self._call(node), None
        if isinstance(node, Binary):
            return self._binary(node), None
        raise TypeError(f"cannot vectorise {type(node).__name__}")  # pragma: no cover

    def _call(self, node: Call) -> VectorFn:
        name = node.function
        if name in ("min", "max"):
            a, _ = self._compile(node.args[0])
            b, _ = self._compile(node.args[1])
            pick = np.minimum if name == "min" else np.maximum
            return lambda codes, ctx: pick(a(codes, ctx), b(codes, ctx))
        # Every other function reads pledges, events or votes: one value for all packages.
        arg: str = node.args[0].value if node.args else ""  # type: ignore[attr-defined]
        if name == "pledged":
            by = None
            for key, value in node.kwargs:
                if key == "by":
                    by = value.value  # type: ignore[attr-defined]
            return lambda codes, ctx: ctx.pledged(arg, by)
        if name == "credibility":
            return lambda codes, ctx: ctx.credibility()
        method = name
        return lambda codes, ctx: getattr(ctx, method)(arg)

    def _literal_codes(self, issue: str, node: Node) -> Any:
        assert isinstance(node, Literal)
        return self.option_code[issue][node.value]

    def _binary(self, node: Binary) -> VectorFn:
        op = node.op
        left, left_issue = self._compile(node.left)
        if op in ("in", "notin"):
            assert isinstance(node.right, ListNode)
            if left_issue is not None:
                wanted = [self._literal_codes(left_issue, item) for item in node.right.items]
            else:
                wanted = [item.value for item in node.right.items]  # type: ignore[attr-defined]
            if op == "in":
                return lambda codes, ctx: _member(left(codes, ctx), wanted)
            return lambda codes, ctx: np.logical_not(_member(left(codes, ctx), wanted))
        right, right_issue = self._compile(node.right)
        if op in ("==", "!=") and (left_issue or right_issue):
            issue, value_fn, other = (
                (left_issue, left, node.right) if left_issue else (right_issue, right, node.left)
            )
            assert issue is not None
            code = self._literal_codes(issue, other)
            if op == "==":
                return lambda codes, ctx: value_fn(codes, ctx) == code
            return lambda codes, ctx: value_fn(codes, ctx) != code
        if op == "and":
            return lambda codes, ctx: _and(left(codes, ctx), right, codes, ctx)
        if op == "or":
            return lambda codes, ctx: _or(left(codes, ctx), right, codes, ctx)
        if op == "/":
            return lambda codes, ctx: _divide(left(codes, ctx), right(codes, ctx))
        operation = _OPS[op]
        if op in _ARITHMETIC:
            return lambda codes, ctx: _quietly(operation, left(codes, ctx), right(codes, ctx))
        return lambda codes, ctx: operation(left(codes, ctx), right(codes, ctx))


_ARITHMETIC = frozenset({"+", "-", "*"})


def _quietly(operation: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """``operation(a, b)`` without NumPy's warning when a scenario's arithmetic leaves its
    64 bits (an absurd expression: the per-deal closures, in Python's integers, do not
    overflow; here it comes out wrong, but nothing is printed over the game)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return operation(a, b)


def _and(left: Any, right: VectorFn, codes: np.ndarray, ctx: Any) -> Any:
    """``left and right``, reading ``right`` only where it can change the result: most rules
    start with a condition on the pledges or events that is one value for every package."""
    if np.ndim(left) == 0:
        return np.logical_and(True, right(codes, ctx)) if left else False
    if not left.any():
        return left
    return np.logical_and(left, right(codes, ctx))


def _or(left: Any, right: VectorFn, codes: np.ndarray, ctx: Any) -> Any:
    """``left or right``, reading ``right`` only where it can change the result."""
    if np.ndim(left) == 0:
        return True if left else np.logical_or(False, right(codes, ctx))
    if left.all():
        return left
    return np.logical_or(left, right(codes, ctx))


def _member(values: Any, wanted: list[Any]) -> Any:
    """``values in wanted``, element-wise (faster than np.isin for the short lists rules use)."""
    if not wanted:
        return np.zeros(np.shape(values), dtype=bool)
    result = np.equal(values, wanted[0])
    for item in wanted[1:]:
        result = result | np.equal(values, item)
    return result


def _divide(a: Any, b: Any) -> Any:
    """Division in which x / 0 is 0, as in the per-deal closures."""
    a_arr = np.asarray(a, dtype=float)
    b_arr = np.asarray(b, dtype=float)
    out = np.zeros(np.broadcast(a_arr, b_arr).shape)
    with np.errstate(over="ignore", invalid="ignore"):
        np.divide(a_arr, b_arr, out=out, where=b_arr != 0)
    return out if out.shape else float(out)


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
}


def as_mask(value: Any, count: int) -> np.ndarray:
    """A boolean array over ``count`` packages from a vector function's result."""
    array = np.asarray(value, dtype=bool)
    if array.shape == (count,):
        return array
    return np.broadcast_to(array, (count,))
