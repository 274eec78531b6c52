"""The restricted expression parser shared by ``reco`` (decay-string cuts, best-candidate
ranking) and ``select`` (selection cuts): expressions evaluated vectorised on columns. Never
``eval``.

The text is parsed with ``ast.parse(mode="eval")`` and the tree is walked with a whitelist:
numbers, column names, comparisons (chained too), ``and``/``or``/``not``, ``+ - * /``, unary
minus/plus, ``abs(...)``. Anything else (attributes, subscripts, other calls, lambdas, strings,
``**``...) raises :class:`CutError` naming the construct; an unknown column raises it with the
list of available names.

>>> import numpy as np
>>> evaluate("abs(x) < 2 and not y > 1", {"x": np.array([1.0, 3.0]), "y": np.array([0.0, 0.0])})
array([ True, False])
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from darkscan.errors import DarkscanError, UnknownNameError

__all__ = ["Cut", "CutError", "evaluate"]

_BINOPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
_CMPOPS = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater,
           ast.GtE: np.greater_equal, ast.Eq: np.equal, ast.NotEq: np.not_equal}
_FUNCS = {"abs": np.abs}


class CutError(DarkscanError, ValueError):
    """A cut expression that cannot be parsed or uses a forbidden construct."""


@dataclass(frozen=True)
class Cut:
    """A parsed cut expression: ``Cut.parse(text)(columns)`` → array."""

    text: str
    tree: ast.Expression

    @classmethod
    def parse(cls, text: str) -> Cut:
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise CutError(f"cannot parse cut '{text}': {exc.msg}") from None
        _validate(tree.body, text)
        return cls(text, tree)

    @property
    def names(self) -> tuple[str, ...]:
        """The column names read, once each, in order of first appearance in the text: cache
        keys built from them must not depend on the process's string-hash seed."""
        nodes = sorted((n for n in ast.walk(self.tree)
                        if isinstance(n, ast.Name) and n.id not in _FUNCS),
                       key=lambda n: n.col_offset)
        return tuple(dict.fromkeys(n.id for n in nodes))

    def __call__(self, columns: Mapping[str, Any]) -> np.ndarray:
        missing = sorted(n for n in self.names if n not in columns)
        if missing:
            raise UnknownNameError(
                f"unknown variable '{missing[0]}' in cut '{self.text}'; available: "
                f"{', '.join(sorted(columns))}")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(_eval(self.tree.body, columns))


def _forbidden(node: ast.AST, text: str) -> CutError:
    what = type(node).__name__
    if isinstance(node, ast.Attribute):
        what = f"attribute access '.{node.attr}'"
    elif isinstance(node, ast.Call):
        fn = node.func.id if isinstance(node.func, ast.Name) else type(node.func).__name__
        what = f"call of '{fn}' (only abs() is allowed)"
    elif isinstance(node, ast.Constant):
        what = f"constant {node.value!r} (only numbers are allowed)"
    return CutError(f"forbidden construct in cut '{text}': {what}")


def _validate(node: ast.AST, text: str) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _forbidden(node, text)
    elif isinstance(node, ast.Name):
        if node.id.startswith("__"):
            raise _forbidden(node, text)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise CutError(f"forbidden operator in cut '{text}': {type(node.op).__name__}")
        _validate(node.left, text)
        _validate(node.right, text)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
            raise CutError(f"forbidden operator in cut '{text}': {type(node.op).__name__}")
        _validate(node.operand, text)
    elif isinstance(node, ast.BoolOp):
        for v in node.values:
            _validate(v, text)
    elif isinstance(node, ast.Compare):
        if any(type(op) not in _CMPOPS for op in node.ops):
            raise CutError(f"forbidden comparison in cut '{text}' (use < <= > >= == !=)")
        _validate(node.left, text)
        for c in node.comparators:
            _validate(c, text)
    elif isinstance(node, ast.Call):
        if (not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS
                or len(node.args) != 1 or node.keywords):
            raise _forbidden(node, text)
        _validate(node.args[0], text)
    else:
        raise _forbidden(node, text)


def _eval(node: ast.AST, cols: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return np.asarray(cols[node.id])
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_eval(node.left, cols), _eval(node.right, cols))
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, cols)
        if isinstance(node.op, ast.Not):
            return np.logical_not(v)
        return np.negative(v) if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BoolOp):
        f = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = _eval(node.values[0], cols)
        for v in node.values[1:]:
            out = f(out, _eval(v, cols))
        return out
    if isinstance(node, ast.Compare):
        left = _eval(node.left, cols)
        out = None
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, cols)
            r = _CMPOPS[type(op)](left, right)
            out = r if out is None else np.logical_and(out, r)
            left = right
        return out
    if isinstance(node, ast.Call):
        return _FUNCS[node.func.id](_eval(node.args[0], cols))  # type: ignore[attr-defined]
    raise AssertionError("validated tree")  # pragma: no cover


def evaluate(text: str, columns: Mapping[str, Any]) -> np.ndarray:
    """Parse and evaluate ``text`` on ``columns`` (a mapping of column name → array)."""
    return Cut.parse(text)(columns)

