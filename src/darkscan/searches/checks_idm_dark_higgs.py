"""Validation of the inelastic-dark-matter + dark-Higgs search (``idm-dark-higgs``): the expected
σ × B × B limits of the default run (365 fb⁻¹) against the level the paper reaches
(arXiv:2505.09705). Registered by :mod:`darkscan.searches.checks`."""

from __future__ import annotations

import numpy as np

from darkscan.interpret.published import get as published
from darkscan.interpret.published import provenance
from darkscan.registry import Measurement, check

_RECORD = "belle2-2025-idm-dark-higgs"
_PROV = provenance(_RECORD) + " (where the h′ and χ₂ decay inside the tracker)"
_WHY = ("darkscan: one benchmark line (m_χ1 = 2 GeV, Δ = 0.8 GeV, m_A′ = 6 GeV, α_D = 0.1, "
        "ε = 10⁻³), h′-mass windows; the qq̄ and τ⁺τ⁻ backgrounds, simulated at 0.034% and "
        "0.012% of the data's luminosity, leave no candidate in any window (below ~3·10³–8·10³ "
        "events by MC statistics, not the paper's ~1 per channel); no material interactions, "
        "no systematic uncertainties")


def _level() -> Measurement:
    """Median expected σ × B × B limit (fb) over the channels and points with a signal, with
    each channel's median and best and the expected background per channel in the message."""
    from darkscan.searches.checks import _default_run

    r = _default_run("idm-dark-higgs")
    y = r.limit_columns()["sigma_ul_exp"] * 1e3
    ch = r.channel
    ok = np.isfinite(y)
    parts = [f"{name}: median {np.median(y[ok & (ch == name)]):.2g}, best "
             f"{np.min(y[ok & (ch == name)]):.2g}"
             for name in dict.fromkeys(ch[ok])]
    return Measurement(float(np.median(y[ok])), "fb; " + "; ".join(parts) + f"; {_WHY}")


check("idm_dark_higgs_sigma_365fb_level", reference=published(_RECORD).y[0], tolerance=3.0,
      kind="factor",
      unit="fb", provenance=_PROV)(_level)
