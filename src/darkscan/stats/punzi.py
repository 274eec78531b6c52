r"""Punzi figure of merit for optimising a search without assuming a signal strength
(G. Punzi, "Sensitivity of searches for new signals and its optimization", PHYSTAT 2003,
arXiv:physics/0308063).

``a`` is the number of standard deviations of the desired significance (discovery/exclusion) and
``b`` the number of standard deviations of the desired power (e.g. b = 1.28 for 90%).
General form: S_min = b²/2 + a√B + (b/2)√(b² + 4a√B + 4B), FOM = ε / S_min.
Simple form (a = b): FOM = ε / (a/2 + √B).
"""

from __future__ import annotations

import numpy as np

from darkscan.stats._validate import as_array


def punzi_smin(bkg: object, a: float = 3.0, b: float = 1.28155) -> np.ndarray | float:
    """Minimum detectable signal S_min(B) of Punzi's general formula."""
    bk = as_array("bkg", bkg)
    as_array("a", a)
    as_array("b", b)
    rb = np.sqrt(bk)
    s = b**2 / 2.0 + a * rb + 0.5 * b * np.sqrt(b**2 + 4.0 * a * rb + 4.0 * bk)
    return float(s) if s.ndim == 0 else s


def punzi_fom(eff: object, bkg: object, a: float = 3.0, b: float = 1.28155
              ) -> np.ndarray | float:
    """General Punzi figure of merit ε / S_min(B)."""
    e = as_array("eff", eff)
    out = e / np.asarray(punzi_smin(bkg, a, b))
    return float(out) if np.ndim(out) == 0 else out


def punzi_fom_simple(eff: object, bkg: object, a: float = 3.0) -> np.ndarray | float:
    """Simple Punzi figure of merit ε / (a/2 + √B)."""
    e = as_array("eff", eff)
    bk = as_array("bkg", bkg)
    out = e / (a / 2.0 + np.sqrt(bk))
    return float(out) if np.ndim(out) == 0 else out
