"""The safe expression language of scenario rules.

Rule conditions (``when``), red lines, ratification votes and Security Council votes are written
in a small language::

    mandate == "unsc" and not vetoed
    pledged("troops") >= 20 and pledged("troops", by="uk") > 0
    command in ["lead_nation", "nato_style"] or event("drone_incursion")

It is tokenised and parsed here by hand, checked against the scenario's names and types, and
compiled into a tree of plain Python closures. Nothing a scenario file contains is ever handed
to ``eval``, ``exec`` or ``compile``; there is no attribute access, no indexing, no lambda, and
sizes are bounded, so a hostile file can neither run code nor exhaust the machine.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

MAX_SOURCE = 2_000
MAX_TOKENS = 400
MAX_DEPTH = 24
MAX_NUMBER = 1e9
MAX_STRING = 100


class ExpressionError(ValueError):
    """An expression that cannot be parsed or does not fit the scenario.

    Attributes:
        column: 1-based column of the offending token, or 0 if not known.
    """

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message if not column else f"{message} (column {column})")
        self.column = column


class EvalContext(Protocol):
    """What an expression may ask of a game while it is evaluated."""

    round: int
    vetoed: bool
    adopted: bool

    def option(self, issue: str) -> str: ...
    def pledged(self, kind: str, by: str | None) -> float: ...
    def pledgers(self, kind: str) -> float: ...
    def event(self, inject: str) -> bool: ...
    def signed(self, role: str) -> bool: ...
    def supports(self, role: str) -> bool: ...
    def support(self, role: str) -> float: ...
    def satisfaction(self, role: str) -> float: ...
    def credibility(self) -> float: ...


Compiled = Callable[[EvalContext], Any]


# --- names an expression may use --------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """The names a scenario defines, against which expressions are checked.

    Attributes:
        issues: issue id -> its option ids.
        roles: role ids.
        pledge_kinds: pledge kind ids.
        events: inject ids.
        outcome_functions: whether ``satisfaction()`` and ``credibility()`` may be used (only
            where they cannot feed back into the credibility they read).
    """

    issues: Mapping[str, frozenset[str]]
    roles: frozenset[str]
    pledge_kinds: frozenset[str]
    events: frozenset[str]
    outcome_functions: bool = False

    @cached_property
    def key(self) -> tuple[object, ...]:
        """A hashable value equal for equal names (to remember compiled expressions by)."""
        issues = tuple(sorted(self.issues.items()))
        return (issues, self.roles, self.pledge_kinds, self.events, self.outcome_functions)


# --- tokens ------------------------------------------------------------------------------------

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
# ASCII only: str.isdigit() is true for "²" or "①", which float() cannot read.
DIGITS = frozenset("0123456789")
NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
NAME_CHARS = NAME_START | DIGITS
VARIABLES = {"round": "num", "vetoed": "bool", "adopted": "bool"}
OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",", "=")


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "str", "name", "op", "kw", "end"
    text: str
    column: int
    value: Any = None


def tokenize(source: str) -> list[Token]:
    """Split source into tokens, refusing anything outside the language."""
    if len(source) > MAX_SOURCE:
        raise ExpressionError(f"expression is {len(source)} characters long; at most {MAX_SOURCE}")
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        if len(tokens) >= MAX_TOKENS:
            raise ExpressionError(f"expression has more than {MAX_TOKENS} tokens")
        ch = source[i]
        col = i + 1
        if ch in " \t\r\n":
            i += 1
            continue
        if ch in DIGITS or (ch == "." and i + 1 < n and source[i + 1] in DIGITS):
            j = i
            while j < n and (source[j] in DIGITS or source[j] in "._"):
                j += 1
            text = source[i:j]
            if "__" in text or text.endswith("_") or text.count(".") > 1 or len(text) > 15:
                raise ExpressionError(f'bad number "{text}"', col)
            value = float(text.replace("_", ""))
            if not math.isfinite(value) or abs(value) > MAX_NUMBER:
                raise ExpressionError(f"number {text} is too large (at most {MAX_NUMBER:g})", col)
            tokens.append(Token("num", text, col, value))
            i = j
            continue
        if ch == '"' or ch == "'":
            j = source.find(ch, i + 1)
            if j < 0:
                raise ExpressionError("string is not closed", col)
            text = source[i + 1 : j]
            if len(text) > MAX_STRING:
                raise ExpressionError(f"string is longer than {MAX_STRING} characters", col)
            if "\\" in text:
                raise ExpressionError("backslashes are not allowed in strings", col)
            tokens.append(Token("str", source[i : j + 1], col, text))
            i = j + 1
            continue
        if ch in NAME_START:
            j = i
            while j < n and source[j] in NAME_CHARS:
                j += 1
            word = source[i:j]
            if word.startswith("_"):
                raise ExpressionError(f'names may not start with "_": "{word}"', col)
            tokens.append(Token("kw" if word in KEYWORDS else "name", word, col))
            i = j
            continue
        for op in OPERATORS:
            if source.startswith(op, i):
                tokens.append(Token("op", op, col))
                i += len(op)
                break
        else:
            hint = ""
            if ch == ".":
                hint = ": attribute access is not part of the language"
            elif ch in "{}":
                hint = ": dictionaries and sets are not part of the language"
            elif ch == ":":
                hint = ": lambdas and slices are not part of the language"
            raise ExpressionError(f'unexpected character "{ch}"{hint}', col)
    if len(tokens) > MAX_TOKENS:
        raise ExpressionError(f"expression has more than {MAX_TOKENS} tokens")
    tokens.append(Token("end", "", n + 1))
    return tokens


# --- syntax tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A node of the syntax tree, with the column it starts at."""

    column: int


@dataclass(frozen=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class ListNode(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...] = field(default=())


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "not" or "-"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # and or + - * / == != < <= > >= in notin
    left: Node
    right: Node


class Parser:
    """Recursive-descent parser with a depth limit."""

    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.pos = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, kind: str, text: str | None = None) -> Token:
        tok = self.take()
        if tok.kind != kind or (text is not None and tok.text != text):
            want = f'"{text}"' if text else kind
            got = f'"{tok.text}"' if tok.text else "the end"
            raise ExpressionError(f"expected {want} but found {got}", tok.column)
        return tok

    def at(self, kind: str, text: str) -> bool:
        tok = self.tokens[self.pos]
        return tok.kind == kind and tok.text == text

    def parse(self) -> Node:
        node = self.expr()
        tok = self.peek()
        if tok.kind != "end":
            raise ExpressionError(f'unexpected "{tok.text}"', tok.column)
        return node

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                f"expression is nested more than {MAX_DEPTH} deep", self.peek().column
            )

    def expr(self) -> Node:
        self.nest()
        try:
            return self.or_expr()
        finally:
            self.depth -= 1

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.at("kw", "or"):
            tok = self.take()
            node = Binary(tok.column, "or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.at("kw", "and"):
            tok = self.take()
            node = Binary(tok.column, "and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.at("kw", "not"):
            tok = self.take()
            self.nest()
            try:
                return Unary(tok.column, "not", self.not_expr())
            finally:
                self.depth -= 1
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            node = Binary(tok.column, tok.text, node, self.sum())
        elif tok.kind == "kw" and tok.text == "in":
            self.take()
            node = Binary(tok.column, "in", node, self.sum())
        elif tok.kind == "kw" and tok.text == "not" and self.tokens[self.pos + 1].text == "in":
            self.take()
            self.take()
            node = Binary(tok.column, "notin", node, self.sum())
        nxt = self.peek()
        if nxt.kind == "op" and nxt.text in ("==", "!=", "<", "<=", ">", ">="):
            raise ExpressionError("chained comparisons are not allowed; use and", nxt.column)
        return node

    def sum(self) -> Node:
        node = self.term()
        while self.peek().kind == "op" and self.peek().text in ("+", "-"):
            tok = self.take()
            node = Binary(tok.column, tok.text, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek().kind == "op" and self.peek().text in ("*", "/"):
            tok = self.take()
            node = Binary(tok.column, tok.text, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("op", "-"):
            tok = self.take()
            self.nest()
            try:
                return Unary(tok.column, "-", self.unary())
            finally:
                self.depth -= 1
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return Literal(tok.column, tok.value)
        if tok.kind == "str":
            return Literal(tok.column, tok.value)
        if tok.kind == "kw" and tok.text in ("true", "false"):
            return Literal(tok.column, tok.text == "true")
        if tok.kind == "op" and tok.text == "(":
            node = self.expr()
            self.expect("op", ")")
            return node
        if tok.kind == "op" and tok.text == "[":
            items: list[Node] = []
            if not self.at("op", "]"):
                items.append(self.expr())
                while self.at("op", ","):
                    self.take()
                    items.append(self.expr())
            self.expect("op", "]")
            return ListNode(tok.column, tuple(items))
        if tok.kind == "name":
            if self.at("op", "("):
                return self.call(tok)
            return Name(tok.column, tok.text)
        what = f'"{tok.text}"' if tok.text else "the end of the expression"
        raise ExpressionError(f"unexpected {what}", tok.column)

    def call(self, name: Token) -> Node:
        self.expect("op", "(")
        args: list[Node] = []
        kwargs: list[tuple[str, Node]] = []
        if not self.at("op", ")"):
            while True:
                tok = self.peek()
                if tok.kind == "name" and self.tokens[self.pos + 1].text == "=":
                    self.take()
                    self.take()
                    kwargs.append((tok.text, self.expr()))
                else:
                    if kwargs:
                        raise ExpressionError("positional argument after keyword", tok.column)
                    args.append(self.expr())
                if not self.at("op", ","):
                    break
                self.take()
        self.expect("op", ")")
        return Call(name.column, name.text, tuple(args), tuple(kwargs))


def parse(source: str) -> Node:
    """Parse an expression into its syntax tree."""
    return Parser(source).parse()


def walk(node: Node) -> Iterator[Node]:
    """Every node of a syntax tree: ``node`` and all the nodes below it."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, ListNode):
            stack.extend(node.items)
        elif isinstance(node, Call):
            stack.extend(node.args)
            stack.extend(value for _, value in node.kwargs)


# --- checking and compiling --------------------------------------------------------------------

# A static type: "num", "bool", "str", "list", or "opt:<issue>" for an issue's option.
Type = str

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

# name -> (positional parameter kinds, keyword parameter kinds, result type, needs outcome)
_FUNCTIONS: dict[str, tuple[tuple[str, ...], dict[str, str], Type, bool]] = {
    "pledged": (("pledge_kind",), {"by": "role"}, "num", False),
    "pledgers": (("pledge_kind",), {}, "num", False),
    "event": (("event",), {}, "bool", False),
    "signed": (("role",), {}, "bool", False),
    "supports": (("role",), {}, "bool", False),
    "support": (("role",), {}, "num", False),
    "satisfaction": (("role",), {}, "num", True),
    "credibility": ((), {}, "num", True),
    "min": (("num", "num"), {}, "num", False),
    "max": (("num", "num"), {}, "num", False),
}

FUNCTION_NAMES = frozenset(_FUNCTIONS)


class Compiler:
    """Type-checks a syntax tree against a scenario's names and turns it into closures."""

    def __init__(self, names: Names) -> None:
        self.names = names

    def compile(self, node: Node, want: Type | None = None) -> tuple[Compiled, Type]:
        fn, typ = self._compile(node)
        if want is not None and not _fits(typ, want):
            raise ExpressionError(f"expected a {_describe(want)} but this is a {_describe(typ)}")
        return fn, typ

    def _compile(self, node: Node) -> tuple[Compiled, Type]:
        if isinstance(node, Literal):
            value = node.value
            if isinstance(value, bool):
                return (lambda ctx: value), "bool"
            if isinstance(value, str):
                return (lambda ctx: value), "str"
            return (lambda ctx: value), "num"
        if isinstance(node, Name):
            return self._name(node)
        if isinstance(node, ListNode):
            parts = [self._compile(item) for item in node.items]
            for (_, typ), item in zip(parts, node.items, strict=True):
                if typ not in ("str", "num"):
                    raise ExpressionError("lists may hold only strings and numbers", item.column)
            if all(isinstance(item, Literal) for item in node.items):
                constant = tuple(item.value for item in node.items)  # type: ignore[attr-defined]
                return (lambda ctx: constant), "list"
            values = tuple(part[0] for part in parts)
            return (lambda ctx: tuple(v(ctx) for v in values)), "list"
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Unary):
            inner, typ = self._compile(node.operand)
            if node.op == "not":
                self._need(typ, "bool", node)
                return (lambda ctx: not inner(ctx)), "bool"
            self._need(typ, "num", node)
            return (lambda ctx: -inner(ctx)), "num"
        if isinstance(node, Binary):
            return self._binary(node)
        raise ExpressionError("unknown construct", node.column)  # pragma: no cover

    def _need(self, typ: Type, want: Type, node: Node) -> None:
        if not _fits(typ, want):
            raise ExpressionError(
                f"expected a {_describe(want)} but found a {_describe(typ)}", node.column
            )

    def _name(self, node: Name) -> tuple[Compiled, Type]:
        name = node.name
        if name in self.names.issues:
            return (lambda ctx: ctx.option(name)), f"opt:{name}"
        if name == "round":
            return (lambda ctx: ctx.round), "num"
        if name == "vetoed":
            return (lambda ctx: ctx.vetoed), "bool"
        if name == "adopted":
            return (lambda ctx: ctx.adopted), "bool"
        if name in _FUNCTIONS:
            raise ExpressionError(f'"{name}" is a function: call it with ( )', node.column)
        hint = _closest(name, [*self.names.issues, *VARIABLES])
        raise ExpressionError(f'unknown name "{name}"{hint}', node.column)

    def _string_arg(self, node: Node, kind: str, function: str) -> str:
        if not isinstance(node, Literal) or not isinstance(node.value, str):
            raise ExpressionError(
                f"{function}() takes a quoted {kind.replace('_', ' ')}", node.column
            )
        value: str = node.value
        known: frozenset[str] = {
            "role": self.names.roles,
            "pledge_kind": self.names.pledge_kinds,
            "event": self.names.events,
        }[kind]
        if value not in known:
            hint = _closest(value, known)
            raise ExpressionError(
                f'{function}(): unknown {kind.replace("_", " ")} "{value}"{hint}', node.column
            )
        return value

    def _call(self, node: Call) -> tuple[Compiled, Type]:
        name = node.function
        if name not in _FUNCTIONS:
            hint = _closest(name, _FUNCTIONS)
            raise ExpressionError(f'unknown function "{name}"{hint}', node.column)
        params, kwparams, result, outcome = _FUNCTIONS[name]
        if outcome and not self.names.outcome_functions:
            raise ExpressionError(
                f"{name}() can be used only in ratification and Security Council votes",
                node.column,
            )
        if len(node.args) != len(params):
            raise ExpressionError(
                f"{name}() takes {len(params)} argument{'s' if len(params) != 1 else ''}, "
                f"not {len(node.args)}",
                node.column,
            )
        for key, value in node.kwargs:
            if key not in kwparams:
                raise ExpressionError(f'{name}() has no argument "{key}"', value.column)
        if name in ("min", "max"):
            a, at = self._compile(node.args[0])
            b, bt = self._compile(node.args[1])
            self._need(at, "num", node.args[0])
            self._need(bt, "num", node.args[1])
            pick = min if name == "min" else max
            return (lambda ctx: pick(a(ctx), b(ctx))), "num"
        arg = self._string_arg(node.args[0], params[0], name) if params else ""
        if name == "pledged":
            by = None
            for key, value in node.kwargs:
                if key == "by":
                    by = self._string_arg(value, "role", name)
            return (lambda ctx: ctx.pledged(arg, by)), "num"
        if name == "credibility":
            return (lambda ctx: ctx.credibility()), "num"
        method = name  # pledgers, event, signed, supports, support, satisfaction
        return (lambda ctx: getattr(ctx, method)(arg)), result

    def _binary(self, node: Binary) -> tuple[Compiled, Type]:
        op = node.op
        left, lt = self._compile(node.left)
        if op in ("in", "notin"):
            if not isinstance(node.right, ListNode):
                raise ExpressionError('"in" needs a list in [ ]', node.right.column)
            for item in node.right.items:
                self._check_against(lt, item)
            right, _ = self._compile(node.right)
            if all(isinstance(item, Literal) for item in node.right.items):
                wanted = tuple(item.value for item in node.right.items)  # type: ignore[attr-defined]
                if op == "in":
                    return (lambda ctx: left(ctx) in wanted), "bool"
                return (lambda ctx: left(ctx) not in wanted), "bool"
            if op == "in":
                return (lambda ctx: left(ctx) in right(ctx)), "bool"
            return (lambda ctx: left(ctx) not in right(ctx)), "bool"
        right, rt = self._compile(node.right)
        if op in ("and", "or"):
            self._need(lt, "bool", node.left)
            self._need(rt, "bool", node.right)
            if op == "and":
                return (lambda ctx: left(ctx) and right(ctx)), "bool"
            return (lambda ctx: left(ctx) or right(ctx)), "bool"
        if op in ("==", "!="):
            if lt.startswith("opt:"):
                self._check_against(lt, node.right)
            elif rt.startswith("opt:"):
                self._check_against(rt, node.left)
            elif _base(lt) != _base(rt):
                raise ExpressionError(
                    f"cannot compare a {_describe(lt)} with a {_describe(rt)}", node.column
                )
            return self._compare(op, left, right, node.right), "bool"
        if op in _COMPARE:
            self._need(lt, "num", node.left)
            self._need(rt, "num", node.right)
            return self._compare(op, left, right, node.right), "bool"
        self._need(lt, "num", node.left)
        self._need(rt, "num", node.right)
        if op == "+":
            return (lambda ctx: left(ctx) + right(ctx)), "num"
        if op == "-":
            return (lambda ctx: left(ctx) - right(ctx)), "num"
        if op == "*":
            return (lambda ctx: left(ctx) * right(ctx)), "num"
        # Division by zero yields 0: a rule must never crash a game.
        return (lambda ctx: _divide(left(ctx), right(ctx))), "num"

    @staticmethod
    def _compare(op: str, left: Compiled, right: Compiled, right_node: Node) -> Compiled:
        """A comparison; against a literal (most are: ``pledged("troops") >= 10``) the
        literal's value is taken once, not asked for at every evaluation."""
        cmp = _COMPARE[op]
        if isinstance(right_node, Literal):
            value = right_node.value
            return lambda ctx: cmp(left(ctx), value)
        return lambda ctx: cmp(left(ctx), right(ctx))

    def _check_against(self, typ: Type, node: Node) -> None:
        """Check that a literal compared with an issue names one of that issue's options."""
        if not typ.startswith("opt:"):
            if isinstance(node, Literal) and _base(_literal_type(node.value)) != _base(typ):
                raise ExpressionError(
                    f"cannot compare a {_describe(typ)} with a "
                    f"{_describe(_literal_type(node.value))}",
                    node.column,
                )
            return
        issue = typ[4:]
        if isinstance(node, Literal) and isinstance(node.value, str):
            options = self.names.issues[issue]
            if node.value not in options:
                hint = _closest(node.value, options)
                raise ExpressionError(
                    f'"{node.value}" is not an option of {issue}{hint}', node.column
                )
            return
        if isinstance(node, Name) and node.name in self.names.issues:
            raise ExpressionError("compare an issue with an option in quotes", node.column)
        raise ExpressionError(f"{issue} can be compared only with an option in quotes", node.column)


def _divide(a: float, b: float) -> float:
    return a / b if b else 0.0


def _literal_type(value: Any) -> Type:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "str"
    return "num"


def _base(typ: Type) -> Type:
    return "str" if typ.startswith("opt:") else typ


def _fits(typ: Type, want: Type) -> bool:
    return _base(typ) == _base(want)


def _describe(typ: Type) -> str:
    if typ.startswith("opt:"):
        return f"option of {typ[4:]}"
    return {"num": "number", "bool": "true/false value", "str": "string", "list": "list"}[typ]


def _closest(word: str, candidates: Sequence[str] | Mapping[str, Any] | frozenset[str]) -> str:
    import difflib

    match = difflib.get_close_matches(word, list(candidates), n=1)
    return f' (did you mean "{match[0]}"?)' if match else ""


@dataclass(frozen=True)
class Predicate:
    """A compiled expression that yields true or false.

    Attributes:
        source: the text it was compiled from.
    """

    source: str
    _fn: Compiled = field(repr=False, compare=False)

    def __call__(self, ctx: EvalContext) -> bool:
        return bool(self._fn(ctx))

    @property
    def fn(self) -> Compiled:
        """The compiled closure itself (its result is already a bool): the fast path."""
        return self._fn


_PREDICATES: dict[tuple[str, tuple[object, ...]], Predicate] = {}
"""Expressions already compiled, by source and names: loading a scenario checks every one, and
the rules then compile the very same (a predicate is immutable, so one serves both)."""

_PREDICATE_LIMIT = 4096


def compile_predicate(source: str, names: Names) -> Predicate:
    """Parse, check and compile a true/false expression.

    Raises:
        ExpressionError: the expression is malformed, too large, or names something the
            scenario does not define.
    """
    key = (source, names.key)
    known = _PREDICATES.get(key)
    if known is not None:
        return known
    node = parse(source)
    fn, _ = Compiler(names).compile(node, want="bool")
    if len(_PREDICATES) >= _PREDICATE_LIMIT:
        _PREDICATES.clear()
    predicate = _PREDICATES[key] = Predicate(source, fn)
    return predicate


def compile_number(source: str, names: Names) -> Callable[[EvalContext], float]:
    """Parse, check and compile a numeric expression."""
    node = parse(source)
    fn, _ = Compiler(names).compile(node, want="num")
    return fn
