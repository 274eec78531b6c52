"""Cross-section limits → coupling limits for processes with σ ∝ coupling^power."""

from __future__ import annotations

import numpy as np


def coupling_upper_limit(sigma_ul: np.ndarray | float, sigma_ref: np.ndarray | float,
                         coupling_ref: np.ndarray | float, branching: np.ndarray | float = 1.0,
                         power: float = 2.0) -> np.ndarray:
    """Coupling excluded at the CL of ``sigma_ul`` for a production σ ∝ g^power.

    σ_ref is the production cross section at ``coupling_ref`` (before the decay branching
    fraction), so g_UL = g_ref · (σ_UL / (σ_ref · B))^(1/power): √ for g² (g′, ε), linear for
    a combination σ is proportional to (ε²·α_D). B = 0 gives no limit (inf).

    >>> float(coupling_upper_limit(4.0, 1.0, 0.01))
    0.02
    >>> float(coupling_upper_limit(4.0, 1.0, 1e-6, power=1.0))
    4e-06
    """
    sigma_ul, sigma_ref, br = np.broadcast_arrays(np.asarray(sigma_ul, float),
                                                  np.asarray(sigma_ref, float),
                                                  np.asarray(branching, float))
    denom = sigma_ref * br
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = sigma_ul / denom
        scaled = np.sqrt(ratio) if power == 2.0 else ratio ** (1.0 / power)
        return np.where(denom > 0, coupling_ref * scaled, np.inf)



def excluded_axis_range(axis: np.ndarray, coupling_ul: np.ndarray,
                        reference: np.ndarray | float) -> tuple[float, float]:
    """(lowest, highest) value of a grid axis where the model at its ``reference`` coupling is
    excluded, the other axes fixed; NaN, NaN if nowhere.

    The model is excluded at a grid value where the coupling limit there is below the
    reference coupling (the simulated signal itself is excluded); between grid values
    log(g_UL/g_ref) is taken linear in log(axis), so an edge between two grid values is where
    that line crosses zero; beyond the grid nothing is excluded (no extrapolation), and a grid
    value without a finite limit (no signal selected) excludes nothing and is not interpolated
    across. For an axis the cross section does not depend on but the acceptance does (the
    h′ mixing angle, which sets the h′ lifetime). The pair spans the excluded values: a gap
    between two excluded stretches is not resolved (three grid values cannot show one).

    >>> lo, hi = excluded_axis_range(np.array([1e-4, 1e-3, 1e-2]), np.array([2.0, 0.5, 2.0]),
    ...                              1.0)
    >>> round(lo / 1e-4 - 10**0.5, 12), round(hi / 1e-3 - 10**0.5, 12)  # log-midpoints
    (0.0, 0.0)
    >>> excluded_axis_range(np.array([1e-4, 1e-3]), np.array([0.5, np.inf]), 1.0)
    (0.0001, 0.0001)
    """
    x = np.asarray(axis, float)
    order = np.argsort(x)
    x = x[order]
    ref = np.broadcast_to(np.asarray(reference, float), np.shape(coupling_ul))[order]
    ul = np.asarray(coupling_ul, float)[order]
    if np.any(~(x > 0)) or len(np.unique(x)) != len(x):
        raise ValueError("the axis values must be positive and distinct")
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(ul / ref)
    # no limit at a grid value: far from excluded, so nothing beside it is either
    y = np.where(np.isfinite(y), y, 1e300)
    at = y < 0.0
    if not at.any():
        return float("nan"), float("nan")
    lx = np.log(x)
    # each segment's excluded stretch [a, b] in log(axis) (a > b: none)
    y0, y1 = y[:-1], y[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = lx[:-1] + (lx[1:] - lx[:-1]) * y0 / (y0 - y1)
    a = np.where(y0 < 0, lx[:-1], np.where(y1 < 0, cross, np.inf))
    b = np.where(y1 < 0, lx[1:], np.where(y0 < 0, cross, -np.inf))
    ok = a <= b
    lo = min(float(lx[at].min()), float(a[ok].min()) if ok.any() else np.inf)
    hi = max(float(lx[at].max()), float(b[ok].max()) if ok.any() else -np.inf)

    def value(v: float) -> float:  # an edge on a grid value is that value, not exp(log(·))
        k = int(np.argmin(np.abs(lx - v)))
        return float(x[k]) if abs(lx[k] - v) < 1e-12 else float(np.exp(v))

    return value(lo), value(hi)
