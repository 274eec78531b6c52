r"""Punzi figure of merit for optimising a search without assuming a signal strength
(G. Punzi, "Sensitivity of searches for new signals and its optimization", PHYSTAT 2003,
arXiv:physics/0308063).

``a`` is the number of standard deviations of the desired significance (discovery/exclusion) and
``b`` the number of standard deviations of the desired power (e.g. b = 1.28 for 90%).
General form (``form="gaussian"``): S_min = b²/2 + a√B + (b/2)√(b² + 4a√B + 4B), FOM = ε / S_min,
derived for Gaussian counts. Punzi also gives a closer approximation of the exact Poisson S_min
(``form="poisson"``): S_min = a²/8 + 9b²/13 + a√B + (b/2)√(b² + 4a√B + 4B), the Gaussian form
plus the constant a²/8 + 9b²/13 − b²/2 (2.11 for a = 3, b = 1.28155). With a = 3, b = 1.28155,
exact (the Poisson definition, :func:`darkscan.stats.checks.exact_poisson_smin`) / Gaussian /
Poisson-fit: B = 1: 8.27 / 6.51 / 7.95; B = 5: 13.96 / 11.99 / 13.43; B = 10: 18.18 / 16.02 /
17.47; B = 100: 46.92 / 45.46 / 46.90. Which is right for what: both agree at large B (the
constant is negligible there); where a selection can leave a few background events the Gaussian
form is 15–20% low and favours cuts that drive B to zero; the Poisson-fit form is within 4%.
The Punzi-loss paper (EPJC 82 121) and its public code use the Poisson-fit form with a = 3,
b = 1.28155; so does :mod:`darkscan.select.punzinet`. The default stays the Gaussian form (its
callers choose cuts where B is large, and their results do not move).
Simple form (a = b): FOM = ε / (a/2 + √B).
"""

from __future__ import annotations

import numpy as np

from darkscan.errors import ParameterError
from darkscan.stats._validate import as_array

#: the constant term of S_min in each form (see the module docstring)
SMIN_CONSTANT = {"gaussian": lambda a, b: b**2 / 2.0,
             "poisson": lambda a, b: a**2 / 8.0 + 9.0 * b**2 / 13.0}


def punzi_smin(bkg: object, a: float = 3.0, b: float = 1.28155, form: str = "gaussian"
               ) -> np.ndarray | float:
    """Minimum detectable signal S_min(B) of Punzi's general formula, in the Gaussian form
    (b²/2 constant, eq. 7) or the fit to the exact Poisson one (a²/8 + 9b²/13)."""
    bk = as_array("bkg", bkg)
    as_array("a", a)
    as_array("b", b)
    if form not in SMIN_CONSTANT:
        raise ParameterError(f"Punzi form must be one of {sorted(SMIN_CONSTANT)}, got {form!r}")
    rb = np.sqrt(bk)
    s = SMIN_CONSTANT[form](a, b) + a * rb + 0.5 * b * np.sqrt(b**2 + 4.0 * a * rb + 4.0 * bk)
    return float(s) if s.ndim == 0 else s


def punzi_fom(eff: object, bkg: object, a: float = 3.0, b: float = 1.28155,
              form: str = "gaussian") -> np.ndarray | float:
    """General Punzi figure of merit ε / S_min(B) (``form`` as in :func:`punzi_smin`)."""
    e = as_array("eff", eff)
    out = e / np.asarray(punzi_smin(bkg, a, b, form))
    return float(out) if np.ndim(out) == 0 else out


def punzi_fom_simple(eff: object, bkg: object, a: float = 3.0) -> np.ndarray | float:
    """Simple Punzi figure of merit ε / (a/2 + √B)."""
    e = as_array("eff", eff)
    bk = as_array("bkg", bkg)
    out = e / (a / 2.0 + np.sqrt(bk))
    return float(out) if np.ndim(out) == 0 else out
