"""pyhf cross-check: the same single-bin model built in pyhf (Heinrich, Feickert, Stark, Cranmer,
JOSS 6 (2021) 2823) and pyhf's own asymptotic CLs upper limit.

The model is ``simplemodels.uncorrelated_background`` in spirit: a signal sample with a
``normfactor`` μ and a background sample with a ``shapesys`` modifier (Poisson auxiliary constraint,
τ = (b/σ_b)²), which is exactly the constraint used by :mod:`darkscan.stats.asymptotic`. Without an
uncertainty the background carries no modifier. The signal template is scaled so that the limit
falls well inside pyhf's default POI bounds [0, 10]; limits are converted back to events.
Several channels (one ``shapesys`` each, μ shared) cross-check the combination of channels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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


def build_model(bkg: float | Sequence[float], bkg_unc: float | Sequence[float] = 0.0,
                signal: float | Sequence[float] = 1.0) -> Any:
    """The pyhf model: μ·signal + background (± shapesys ``bkg_unc``) in one bin, or, with
    sequences, in one channel per entry (one shapesys each, μ shared): the multi-bin counting
    experiment of :func:`darkscan.stats.combined_upper_limits`."""
    pyhf = _pyhf()
    several = np.ndim(bkg) > 0
    b, u, s = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, float))
                                    for v in (bkg, bkg_unc, signal)))
    channels = []
    for i in range(b.size):
        bkg_mods: list[dict[str, Any]] = []
        if u[i] > 0 and b[i] > 0:
            bkg_mods.append({"name": _nuisance(i, several), "type": "shapesys",
                             "data": [float(u[i])]})
        channels.append({"name": f"channel{i}" if several else "singlechannel", "samples": [
            {"name": "signal", "data": [float(s[i])],
             "modifiers": [{"name": "mu", "type": "normfactor", "data": None}]},
            {"name": "background", "data": [float(b[i])], "modifiers": bkg_mods},
        ]})
    return pyhf.Model({"channels": channels}, poi_name="mu")


def _nuisance(i: int, several: bool) -> str:
    return f"uncorr_bkguncrt{i}" if several else "uncorr_bkguncrt"


def _limits(model: Any, n_obs: np.ndarray, bkg: np.ndarray, bkg_unc: np.ndarray, cl: float,
            init_from_data: bool, several: bool) -> tuple[float, np.ndarray]:
    """pyhf's observed and expected limits on the model's μ (``toms748_scan``)."""
    pyhf = _pyhf()
    data = pyhf.tensorlib.astensor([*(float(v) for v in n_obs), *model.config.auxdata])
    kwargs: dict[str, Any] = {}
    if init_from_data:
        init = list(model.config.suggested_init())
        for i, (n, b, u) in enumerate(zip(n_obs, bkg, bkg_unc, strict=True)):
            if u > 0 and b > 0:
                tau = (b / u) ** 2
                gamma0 = min(max((n + tau) / (b + tau), 1e-10), 10.0)
                init[model.config.par_slice(_nuisance(i, several)).start] = gamma0
        kwargs["init_pars"] = init
    obs, exp = pyhf.infer.intervals.upper_limits.toms748_scan(
        data, model, 0.05, 9.5, level=1.0 - cl, rtol=1e-6, test_stat="qtilde",
        calctype="asymptotics", **kwargs)
    return float(obs), np.asarray([float(e) for e in exp])


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
    scale = signal_scale(n_obs, bkg, bkg_unc)
    model = build_model(bkg, bkg_unc, signal=scale)
    obs, exp = _limits(model, np.array([n_obs]), np.array([bkg]), np.array([bkg_unc]), cl,
                       init_from_data, several=False)
    return obs * scale, exp * scale


def pyhf_combined_upper_limit(n_obs: Sequence[float], bkg: Sequence[float],
                              bkg_unc: Sequence[float], signal: Sequence[float],
                              cl: float = 0.9) -> tuple[float, np.ndarray]:
    """pyhf's limits on one signal in several counting channels (``signal``: counts per unit
    of the parameter in each channel), the cross-check of
    :func:`darkscan.stats.combined_upper_limits`, in units of the parameter."""
    n, b, u, s = (np.asarray(v, float) for v in (n_obs, bkg, bkg_unc, signal))
    # the template scaled so that the limit falls near μ ≈ 3: the best channel's own limit
    scale = min(signal_scale(ni, bi, ui) / si for ni, bi, ui, si in zip(n, b, u, s, strict=True)
                if si > 0)
    obs, exp = _limits(build_model(b, u, signal=s * scale), n, b, u, cl, True, several=True)
    return obs * scale, exp * scale


def counting_workspace(names: Sequence[str], n_obs: Sequence[float], bkg: Sequence[float],
                       bkg_unc: Sequence[float]) -> dict[str, Any]:
    """The background-only pyhf workspace (JSON dict) of counting experiments, one single-bin
    channel each: the background with the same ``shapesys`` constraint as :func:`build_model`
    (and :mod:`darkscan.stats.asymptotic`), the observed count, POI ``mu``."""
    channels, observations = [], []
    for name, n, b, u in zip(names, n_obs, bkg, bkg_unc, strict=True):
        mods = ([{"name": f"bkguncrt_{name}", "type": "shapesys", "data": [float(u)]}]
                if u > 0 and b > 0 else [])
        channels.append({"name": name, "samples": [
            {"name": "background", "data": [float(b)], "modifiers": mods}]})
        observations.append({"name": name, "data": [float(n)]})
    ws = {"channels": channels, "observations": observations, "version": "1.0.0",
          "measurements": [{"name": "counting", "config": {"poi": "mu", "parameters": []}}]}
    _pyhf().Workspace(ws)  # validates against pyhf's schema
    return ws


def signal_patchset(workspace: dict[str, Any], labels: Sequence[str],
                    patches: Sequence[tuple[str, Sequence[float], dict[str, float]]],
                    description: str) -> dict[str, Any]:
    """pyhf patches over ``workspace``, in the patchset layout: per signal point (name, values
    of ``labels``, {channel: signal events at μ = 1}) a patch that adds the signal sample, with
    the shared normfactor ``mu``, to those channels. pyhf's ``PatchSet`` insists on a HEPData
    record in the metadata, which a simulation has not: each patch is applied with
    ``pyhf.patchset.Patch(patch).apply(workspace)`` (checked here on the first patch: all are
    built alike, and validating hundreds of large workspaces would take half a minute)."""
    pyhf = _pyhf()
    index = {c["name"]: i for i, c in enumerate(workspace["channels"])}
    out = []
    for name, values, signal in patches:
        ops = [{"op": "add", "path": f"/channels/{index[ch]}/samples/0",
                "value": {"name": "signal", "data": [float(s)], "modifiers": [
                    {"name": "mu", "type": "normfactor", "data": None}]}}
               for ch, s in signal.items()]
        patch = {"metadata": {"name": name, "values": [float(v) for v in values]},
                 "patch": ops}
        if not out:
            pyhf.Workspace(pyhf.patchset.Patch(patch).apply(workspace))  # valid once applied
        out.append(patch)
    return {"metadata": {"name": "signal", "description": description,
                         "digests": {"sha256": pyhf.utils.digest(workspace)},
                         "labels": list(labels)},
            "patches": out, "version": "1.0.0"}
