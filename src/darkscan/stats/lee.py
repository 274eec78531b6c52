r"""Local and global significance; look-elsewhere effect by the upcrossing method of Gross and
Vitells, Eur. Phys. J. C 70 (2010) 525, arXiv:1005.1891.

For a test statistic q(m) that is asymptotically χ² with s degrees of freedom at each mass (one
sided q0: ½χ²₁), the probability that the maximum over the scan exceeds u is bounded by

.. math::  p_\mathrm{global} \approx P(\chi^2_s > u) + \langle N(c_0)\rangle
           \left(\frac{u}{c_0}\right)^{(s-1)/2} e^{-(u-c_0)/2},

with ⟨N(c0)⟩ the mean number of upcrossings of a low reference level c0, estimated from a few
background-only toys (or from the observed scan itself). For one-sided q0 the first term is
½P(χ²₁ > u).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, ndtri
from scipy.stats import chi2

from darkscan.errors import ParameterError


@dataclass(frozen=True)
class GlobalSignificance:
    """Look-elsewhere-corrected significance of the largest local excess of a scan."""

    local_z: float
    local_p: float
    global_p: float
    global_z: float
    n_upcrossings: float
    c0: float

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.__dict__.items()}


def z_to_p(z: object) -> np.ndarray:
    """One-sided p-value of a significance Z."""
    return np.exp(log_ndtr(-np.asarray(z, dtype=float)))


def p_to_z(p: object) -> np.ndarray:
    """Significance Z of a one-sided p-value."""
    return -ndtri(np.asarray(p, dtype=float))


def count_upcrossings(q: object, c0: float) -> np.ndarray:
    """Number of upcrossings of level c0 along the last axis (one scan per row)."""
    qa = np.asarray(q, dtype=float)
    above = qa > c0
    return np.sum(~above[..., :-1] & above[..., 1:], axis=-1)


def global_pvalue(q_max: float, n_up: float, c0: float, dof: int = 1,
                  one_sided: bool = True) -> float:
    """Gross–Vitells global p-value for a maximum q_max given ⟨N(c0)⟩ = n_up."""
    if q_max < 0 or c0 <= 0:
        raise ParameterError(f"q_max must be ≥ 0 and c0 > 0, got q_max={q_max}, c0={c0}")
    p_loc = chi2.sf(q_max, dof) * (0.5 if one_sided else 1.0)
    p = p_loc + n_up * (q_max / c0) ** ((dof - 1) / 2.0) * np.exp(-(q_max - c0) / 2.0)
    return float(min(p, 1.0))


def global_significance(q_scan: object, n_up: float | None = None, c0: float = 0.5,
                        toy_scans: object | None = None) -> GlobalSignificance:
    """Global significance of the largest local excess in ``q_scan`` (q0 values per mass).

    ⟨N(c0)⟩ comes from ``n_up`` if given, else from background-only ``toy_scans``
    (shape (ntoys, nmass)), else from the observed scan itself (Gross & Vitells §3).
    """
    qs = np.asarray(q_scan, dtype=float)
    if n_up is None:
        src = qs[None, :] if toy_scans is None else np.asarray(toy_scans, dtype=float)
        n_up = float(np.mean(count_upcrossings(src, c0)))
    qmax = float(np.max(qs))
    z_loc = float(np.sqrt(max(qmax, 0.0)))
    p_glob = global_pvalue(qmax, n_up, c0)
    return GlobalSignificance(local_z=z_loc, local_p=float(z_to_p(z_loc)), global_p=p_glob,
                              global_z=float(max(p_to_z(p_glob), 0.0)), n_upcrossings=n_up,
                              c0=c0)


def global_significance_toys(z_local: object, bkg: object, bkg_unc: object = 0.0, *,
                             ntoys: int = 2000, seed: int = 0) -> GlobalSignificance:
    """Global significance of the largest local excess among counting windows, by
    background-only toys: each toy draws every window's count from Poisson(b) (b smeared by
    its uncertainty) and records the largest local Z; the global p-value is the fraction of
    toys whose largest Z reaches the observed one. Windows are drawn independently, so
    overlapping windows count as separate trials: the global significance is conservative."""
    from darkscan.stats.counting import discovery_significance

    z = np.asarray(z_local, dtype=float)
    b = np.broadcast_to(np.asarray(bkg, dtype=float), z.shape)
    s = np.broadcast_to(np.asarray(bkg_unc, dtype=float), z.shape)
    if z.size == 0:
        raise ParameterError("no windows to compute a global significance for")
    rng = np.random.default_rng(seed)
    mean = np.clip(b + s * rng.standard_normal((ntoys, z.size)), 0.0, None)
    toys = rng.poisson(mean).astype(float)
    z_toys = discovery_significance(toys.ravel(), np.tile(b, ntoys), np.tile(s, ntoys)).z
    z_max = np.max(np.nan_to_num(np.asarray(z_toys).reshape(ntoys, z.size), nan=0.0), axis=1)
    z_obs = float(np.nanmax(z)) if np.any(np.isfinite(z)) else 0.0
    p_glob = float(max(np.mean(z_max >= z_obs), 1.0 / ntoys))
    return GlobalSignificance(local_z=z_obs, local_p=float(z_to_p(z_obs)), global_p=p_glob,
                              global_z=float(max(p_to_z(p_glob), 0.0)),
                              n_upcrossings=float("nan"), c0=float("nan"))
