"""Authors' ``say`` lines: Jinja expressions over a few variables, and nothing more.

A routine file is a stranger's text. A line may substitute variables and pass them through
filters (``{{ title | lower }}``), but may hold no statements (``{% for %}``, ``{% macro %}``), no
calls and nothing that repeats text, so rendering one takes time and memory in proportion to the
line, and what it renders is capped like any line a routine writes out.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from voiceguide.errors import NarrationError
from voiceguide.pauses import check_pauses
from voiceguide.routine_fields import MAX_LINE_CHARS, MAX_SAY_LINES, MAX_STEPS

AUTHOR_VARIABLES = (
    "title", "seconds", "minutes", "step_number", "step_count", "area", "muscles", "routine_name",
    "next_title", "side",
)  # fmt: skip
# Filters that give back no more text than they are given.
SAFE_FILTERS = frozenset(
    {"lower", "upper", "capitalize", "title", "trim", "first", "last", "length", "count", "round", "int",
     "abs", "default", "d", "string"}
)  # fmt: skip
# ``join`` puts its separator between every item: safe on a list of names, not on a line's letters.
JOIN_OVER = frozenset({"muscles"})
# What an expression may be made of: variables, constants, indexing, filters, comparisons and
# arithmetic that does not repeat text (no *, no **; % is checked as it runs).
_ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Getitem, nodes.Slice,
    nodes.Filter, nodes.Concat, nodes.CondExpr, nodes.Compare, nodes.Operand, nodes.And, nodes.Or,
    nodes.Not, nodes.Neg, nodes.Pos, nodes.Add, nodes.Sub, nodes.Div, nodes.FloorDiv, nodes.Mod,
    nodes.List, nodes.Tuple,
)  # fmt: skip
_ALLOWED = (
    "a say line may only substitute variables, with filters: {{ title | lower }}, {{ muscles | join(', ') }}"
)


class _AuthorSandbox(SandboxedEnvironment):
    """Jinja's sandbox (no Python internals) with ``%`` on text refused: a format string's width
    (``"%999999999s" % title``) would make a line of any length."""

    intercepted_binops = frozenset({"%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if isinstance(left, str):
            raise jinja2.exceptions.SecurityError("formatting text with % is not allowed")
        return super().call_binop(context, operator, left, right)


_ENVIRONMENT = _AuthorSandbox(undefined=jinja2.StrictUndefined, autoescape=False)
_ENVIRONMENT.globals.clear()  # range, lipsum, cycler...: nothing a say line needs


def render_author_line(line: str, variables: Mapping[str, Any], where: str) -> str:
    """An author's ``say`` line with its variables filled in, or one NarrationError naming file,
    step and line."""
    allowed = {name: variables[name] for name in AUTHOR_VARIABLES if name in variables}
    try:
        rendered = " ".join(_template(line).render(allowed).split())
    except NarrationError as error:
        raise NarrationError(f"{where}: {error}") from None
    except jinja2.UndefinedError as error:
        names = ", ".join(f"{{{{ {name} }}}}" for name in AUTHOR_VARIABLES)
        raise NarrationError(f"{where}: {error}; variables you can use: {names}") from None
    except jinja2.exceptions.SecurityError as error:
        raise NarrationError(f"{where}: not allowed in a narration line ({error})") from None
    except Exception as error:  # a stranger's line: whatever it raises is one line for the user
        raise NarrationError(f"{where}: the line failed to render ({type(error).__name__})") from None
    if len(rendered) > MAX_LINE_CHARS:
        raise NarrationError(
            f"{where}: the line comes to {len(rendered)} characters; at most {MAX_LINE_CHARS}"
        )
    try:
        return check_pauses(rendered)
    except ValueError as error:
        raise NarrationError(f"{where}: {error}") from None


@functools.lru_cache(maxsize=MAX_SAY_LINES * MAX_STEPS)
def _template(line: str) -> jinja2.Template:
    """The line compiled once it is known to hold only what a say line may."""
    try:
        tree = _ENVIRONMENT.parse(line)
    except jinja2.TemplateSyntaxError as error:
        raise NarrationError(f"template syntax error: {error.message}") from None
    for node in tree.find_all(nodes.Node):
        _check_node(node)
    return _ENVIRONMENT.from_string(tree)


def _check_node(node: nodes.Node) -> None:
    if not isinstance(node, _ALLOWED_NODES):
        raise NarrationError(f"{_described(node)} is not allowed; {_ALLOWED}")
    if isinstance(node, nodes.Filter):
        joins_names = (
            node.name == "join" and isinstance(node.node, nodes.Name) and node.node.name in JOIN_OVER
        )
        if node.name not in SAFE_FILTERS and not joins_names:
            raise NarrationError(f'the filter "{node.name}" is not allowed; {_ALLOWED}')
        if not all(isinstance(argument, nodes.Const) for argument in node.args) or node.kwargs:
            raise NarrationError(f'the filter "{node.name}" takes only plain values here; {_ALLOWED}')


def _described(node: nodes.Node) -> str:
    kinds = {nodes.Call: "calling", nodes.Getattr: "an attribute (.name)", nodes.Mul: "repeating with *",
             nodes.Pow: "a power (**)"}  # fmt: skip
    if isinstance(node, nodes.Stmt):
        return "a statement ({% ... %})"
    return next((words for kind, words in kinds.items() if isinstance(node, kind)), type(node).__name__)
