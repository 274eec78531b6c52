"""Displaced searches recast across lifetimes: a limit set per proper decay length read as a limit
on a model whose lifetime follows its coupling.

A displaced search's acceptance depends on cτ. ``b-to-k-scalar`` simulates a few lifetimes and
reweights its signal events to every cτ of its grid (``LifetimeReweighting`` in the search
declaration, :func:`darkscan.interpret.lifetime.lifetime_weights` per event), so its
``limits.csv`` already holds a coupling limit g_UL(m, cτ) per lifetime, computed as if cτ were
independent of g. In a model cτ = cτ(m, g) (∝ 1/g² for a single coupling), so a coupling g is
excluded only where g > g_UL(m, cτ(m, g)): the limit at the model's own lifetime. Nothing is
reweighted a second time here (the search's table has it); between grid lifetimes log g_UL is
interpolated linearly in log cτ, and beyond the grid nothing is excluded (no extrapolation: a
lifetime the search never simulated is not constrained by it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from darkscan.errors import ParameterError

__all__ = ["coupling_limit_at_ctau", "excluded_couplings", "excluded_range"]


def coupling_limit_at_ctau(ctau_grid: np.ndarray, coupling_ul: np.ndarray, ctau: np.ndarray
                           ) -> np.ndarray:
    """g_UL at ``ctau`` from the search's per-lifetime limits: linear in (log cτ, log g_UL)
    between grid points, NaN outside [min, max] of the grid or where the limit is not finite."""
    grid = np.asarray(ctau_grid, float)
    lim = np.asarray(coupling_ul, float)
    if grid.ndim != 1 or grid.shape != lim.shape or len(grid) < 2:
        raise ParameterError("the lifetime grid and its limits must be 1-D arrays of the same "
                             "length (at least two lifetimes)")
    if np.any(np.diff(grid) <= 0) or np.any(grid <= 0):
        raise ParameterError("the lifetime grid must be positive and increasing (cm)")
    x = np.log(np.asarray(ctau, float))
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.interp(x, np.log(grid), np.log(lim))
    inside = (x >= np.log(grid[0])) & (x <= np.log(grid[-1]))
    return np.where(inside & np.isfinite(y), np.exp(y), np.nan)


def excluded_couplings(couplings: np.ndarray, ctau_of: Callable[[np.ndarray], np.ndarray],
                       ctau_grid: np.ndarray, coupling_ul: np.ndarray) -> np.ndarray:
    """Mask of the ``couplings`` excluded at one mass: g > g_UL(cτ(g)), ``ctau_of`` the model's
    proper decay length (cm) as a function of its coupling at that mass."""
    g = np.asarray(couplings, float)
    limit = coupling_limit_at_ctau(ctau_grid, coupling_ul, ctau_of(g))
    return np.where(np.isnan(limit), False, g > limit)


def excluded_range(couplings: np.ndarray, excluded: np.ndarray) -> tuple[float, float]:
    """(lowest, highest) excluded coupling of a scan, NaN if none; a displaced search excludes
    a band: below it the particle flies out of the detector, above it decays promptly."""
    g = np.asarray(couplings, float)[np.asarray(excluded, bool)]
    return (float(g.min()), float(g.max())) if len(g) else (float("nan"), float("nan"))
