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

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from darkscan.errors import InputFileError, ParameterError

__all__ = ["LIFETIME_SOURCES", "LifetimeRecast", "LifetimeSource", "coupling_limit_at_ctau",
           "excluded_couplings", "excluded_range", "recast_lifetimes"]


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


# ------------------------------------------------------------------- a search's results folder
@dataclass(frozen=True)
class LifetimeSource:
    """A displaced search whose ``limits.csv`` has a coupling limit per (mass, cτ): the column
    stem, the model's coupling and its cτ(coupling, mass) in cm."""

    search: str
    model: str
    coupling: str
    column: str
    ctau: Callable[[np.ndarray, float], np.ndarray]


def _scalar_ctau(sin_theta: np.ndarray, mass: float) -> np.ndarray:
    from darkscan.models import scalar

    return scalar.ctau(sin_theta, mass)


LIFETIME_SOURCES: dict[str, LifetimeSource] = {s.search: s for s in (
    LifetimeSource("b-to-k-scalar", "dark_scalar", "sin_theta", "sin_theta_ul_scalar",
                   _scalar_ctau),
)}
#: the coupling scan of the excluded band (log-spaced)
SCAN = np.geomspace(1e-7, 1.0, 1401)


@dataclass(frozen=True)
class LifetimeRecast:
    """Excluded coupling bands per (mass, channel) at the model's own lifetime."""

    source: str
    model: str
    coupling: str
    columns: dict[str, np.ndarray]
    assumptions: tuple[str, ...]

    def to_table(self) -> dict[str, np.ndarray]:
        return self.columns

    def to_dict(self) -> dict[str, object]:
        return {"source": self.source, "target": self.model, "coupling": self.coupling,
                "assumptions": list(self.assumptions),
                "columns": {k: np.asarray(v).tolist() for k, v in self.columns.items()}}


def recast_lifetimes(table: Mapping[str, np.ndarray], source: LifetimeSource) -> LifetimeRecast:
    """The excluded band of ``source.coupling`` per (mass, channel) of a displaced search's
    limits table (columns ``mass``, ``ctau``, optional ``channel``, and
    ``<column>_obs``/``_exp``)."""
    for need in ("mass", "ctau", f"{source.column}_obs", f"{source.column}_exp"):
        if need not in table:
            raise InputFileError(f"the limits of '{source.search}' lack the column '{need}': "
                                 "rerun 'darkscan run' with this version")
    mass, ctau = np.asarray(table["mass"], float), np.asarray(table["ctau"], float)
    chan = np.asarray(table.get("channel", np.full(len(mass), "")), str)
    rows: dict[str, list] = {"mass": [], "channel": []}
    for m in np.unique(mass):
        for c in dict.fromkeys(chan[mass == m]):
            sel = (mass == m) & (chan == c)
            order = np.argsort(ctau[sel])
            rows["mass"].append(m)
            rows["channel"].append(c)
            for kind in ("obs", "exp"):
                lim = np.asarray(table[f"{source.column}_{kind}"], float)[sel][order]
                band = excluded_range(SCAN, excluded_couplings(
                    SCAN, lambda g, m=m: source.ctau(g, float(m)), ctau[sel][order], lim))
                for side, value in zip(("low", "high"), band, strict=True):
                    rows.setdefault(f"{source.coupling}_excluded_{side}_{kind}", []).append(value)
    cols = {k: np.asarray(v) for k, v in rows.items()}
    notes = (f"{source.search}'s limits per cτ (its signal reweighted to each cτ by "
             "interpret.lifetime) read at the model's own cτ(m, coupling): a coupling is "
             "excluded where it exceeds the limit at its own lifetime",
             "between grid lifetimes log(limit) is linear in log cτ; beyond the grid nothing is "
             "excluded",
             f"coupling scan {SCAN[0]:g}–{SCAN[-1]:g}, {len(SCAN)} log-spaced points; NaN: "
             "nothing excluded")
    return LifetimeRecast(source.search, source.model, source.coupling, cols, notes)
