"""Vectorised bracketing root finder (Illinois false position, safeguarded by bisection).

All windows are solved at once: ``f`` maps an array of abscissae to an array of values of the same
shape, each element an independent decreasing function. No Python loop over windows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Func = Callable[[np.ndarray], np.ndarray]


def bracket_up(f: Func, hi: np.ndarray, max_doublings: int = 80) -> np.ndarray:
    """Grow ``hi`` (doubling element-wise) until ``f(hi) <= 0`` everywhere."""
    hi = np.array(hi, dtype=float)
    fh = f(hi)
    for _ in range(max_doublings):
        bad = fh > 0
        if not bad.any():
            break
        hi = np.where(bad, 2.0 * hi, hi)
        fh = np.where(bad, f(hi), fh)
    return hi


def solve_decreasing(f: Func, lo: np.ndarray, hi: np.ndarray, *, rtol: float = 1e-9,
                     atol: float = 1e-12, max_iter: int = 200) -> np.ndarray:
    """Root of element-wise decreasing ``f`` with ``f(lo) > 0 >= f(hi)``.

    Illinois variant of regula falsi (superlinear; falls back to bisection when the secant step
    leaves the bracket); stops when every bracket is narrower than ``atol + rtol*|x|``.
    """
    a = np.array(lo, dtype=float)
    b = np.array(hi, dtype=float)
    a, b = np.broadcast_arrays(a, b)
    a, b = a.copy(), b.copy()
    fa = f(a)
    fb = f(b)
    side = np.zeros(a.shape, dtype=np.int8)
    for _ in range(max_iter):
        width = b - a
        done = width <= atol + rtol * np.abs(b)
        if done.all():
            break
        denom = fa - fb
        with np.errstate(divide="ignore", invalid="ignore"):
            c = b - fb * width / denom
        ok = np.isfinite(c) & (c > a) & (c < b)
        c = np.where(ok, c, 0.5 * (a + b))
        fc = f(c)
        pos = fc > 0
        # Illinois: halve the retained end's function value when the same side is kept twice
        fb = np.where(pos & (side == 1), 0.5 * fb, fb)
        fa = np.where(~pos & (side == -1), 0.5 * fa, fa)
        a = np.where(done, a, np.where(pos, c, a))
        b = np.where(done, b, np.where(pos, b, c))
        fa = np.where(done | ~pos, fa, fc)
        fb = np.where(done | pos, fb, fc)
        side = np.where(pos, 1, -1).astype(np.int8)
    return _best(a, b, fa, fb)


def _best(a: np.ndarray, b: np.ndarray, fa: np.ndarray, fb: np.ndarray) -> np.ndarray:
    """Linear interpolation inside the final (tiny) bracket."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = b - fb * (b - a) / (fa - fb)
    return np.where(np.isfinite(x) & (x >= a) & (x <= b), x, 0.5 * (a + b))
