"""pyhf cross-check: the same single-bin model built in pyhf (Heinrich, Feickert, Stark, Cranmer,
JOSS 6 (2021) 2823) and pyhf's own asymptotic CLs upper limit.

The model is ``simplemodels.uncorrelated_background`` in spirit: a signal sample with a
``normfactor`` μ and a background sample with a ``shapesys`` modifier (Poisson auxiliary constraint,
τ = (b/σ_b)²), which is exactly the constraint used by :mod:`darkscan.stats.asymptotic`. Without an
uncertainty the background carries no modifier. The signal template is scaled so that the limit
falls well inside pyhf's default POI bounds [0, 10]; limits are converted back to events.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from darkscan.errors import NotAvailableError


def _pyhf() -> Any:
    try:
        import pyhf
    except ImportError as exc:  # pragma: no cover - pyhf is a hard dependency
        raise NotAvailableError("the pyhf cross-check needs pyhf "
                                "(pip install pyhf==0.7.6)") from exc
    pyhf.set_backend("numpy")
    return pyhf


def signal_scale(n_obs: float, bkg: float, bkg_unc: float = 0.0) -> float:
    """Events per unit of the pyhf POI, chosen so that the limits lie near μ ≈ 3."""
    rough = max(n_obs - bkg, 0.0) + 2.0 * math.sqrt(max(n_obs, bkg) + bkg_unc**2) + 3.0
    return rough / 3.0


def build_model(bkg: float, bkg_unc: float = 0.0, signal: float = 1.0) -> Any:
    """The single-bin pyhf model: μ·signal + background (± shapesys ``bkg_unc``)."""
    pyhf = _pyhf()
    bkg_mods: list[dict[str, Any]] = []
    if bkg_unc > 0 and bkg > 0:
        bkg_mods.append({"name": "uncorr_bkguncrt", "type": "shapesys", "data": [bkg_unc]})
    spec = {"channels": [{"name": "singlechannel", "samples": [
        {"name": "signal", "data": [signal],
         "modifiers": [{"name": "mu", "type": "normfactor", "data": None}]},
        {"name": "background", "data": [bkg], "modifiers": bkg_mods},
    ]}]}
    return pyhf.Model(spec, poi_name="mu")


def pyhf_upper_limit(n_obs: float, bkg: float, bkg_unc: float = 0.0, cl: float = 0.9,
                     init_from_data: bool = True) -> tuple[float, np.ndarray]:
    """pyhf's asymptotic CLs (q̃_μ) observed and expected (-2σ..+2σ) limits, in signal events.

    Uses ``pyhf.infer.intervals.upper_limits.toms748_scan`` (TOMS 748 root finding, rtol 1e-6).
    Note: in pyhf 0.7.6 ``upper_limits.upper_limit(..., scan=None, level=...)`` silently ignores
    ``level`` (it always solves at CLs = 0.05), and the scan cannot start at μ = 0 where q̃_μ,A = 0
    gives NaN, so we call ``toms748_scan`` directly with an explicit bracket.

    ``init_from_data`` starts pyhf's fits at γ = (n+τ)/(b+τ), the background-only fit value,
    instead of pyhf's default γ = 1: for strong deficits with a large σ_b (e.g. n=50, b=400±100)
    pyhf's default start makes the scipy fit to the Asimov data fail (log L off by ~120), which
    gives a wrong, far too strong limit (3.8 instead of 10.0 events).
    """
    pyhf = _pyhf()
    scale = signal_scale(n_obs, bkg, bkg_unc)
    model = build_model(bkg, bkg_unc, signal=scale)
    data = pyhf.tensorlib.astensor([float(n_obs), *model.config.auxdata])
    kwargs: dict[str, Any] = {}
    if init_from_data and bkg_unc > 0 and bkg > 0:
        tau = (bkg / bkg_unc) ** 2
        init = list(model.config.suggested_init())
        gamma0 = min(max((n_obs + tau) / (bkg + tau), 1e-10), 10.0)
        init[model.config.par_slice("uncorr_bkguncrt").start] = gamma0
        kwargs["init_pars"] = init
    obs, exp = pyhf.infer.intervals.upper_limits.toms748_scan(
        data, model, 0.05, 9.5, level=1.0 - cl, rtol=1e-6, test_stat="qtilde",
        calctype="asymptotics", **kwargs)
    return float(obs) * scale, np.asarray([float(e) for e in exp]) * scale
