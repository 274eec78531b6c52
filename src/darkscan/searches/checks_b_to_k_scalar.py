"""Validation of the long-lived scalar search in B → K(*)S (``b-to-k-scalar``): the lifetime
reweighting against direct generation, and the expected limits of the default run (189 fb⁻¹)
against the published level and lifetime of best reach (PRD 108 (2023) L111104). Registered by
:mod:`darkscan.searches.checks`."""

from __future__ import annotations

from functools import cache

import numpy as np

from darkscan.interpret.published import get as published
from darkscan.interpret.published import provenance
from darkscan.registry import Measurement, check

_RECORD = "belle2-2023-b-to-k-scalar"
_PROV = provenance(_RECORD) + "; the reach is best for cτ ≈ 0.1–10 cm (the limit figures)"
_WHY = ("darkscan counts in ±2σ reduced-mass windows with simulated BB̄ and qq̄ backgrounds "
        "(0.57% and 0.12% of the data's luminosity: an empty window is a local-density "
        "estimate), no systematic uncertainties, no Λ or material-interaction vertices; the "
        "published limits are observed")
#: the channel and mass of the reweighting check, the generated and the target lifetimes
_RW_CHANNEL, _RW_MASS, _RW_EVENTS = "K+_mumu", 1.1, 20_000
_RW_PAIRS = ((1.0, 0.1), (20.0, 10.0), (400.0, 100.0))


@cache
def _efficiency(channel: str, mass: float, ctau: float, reweight_to: float | None = None
                ) -> tuple[float, float]:
    """Selection efficiency (and its binomial error) of the channel's signal generated at
    ``ctau``, reweighted to ``reweight_to`` when given."""
    from darkscan.interpret.lifetime import lifetime_weights
    from darkscan.run.chunks import plan_chunks
    from darkscan.searches.b_to_k_scalar import SEARCH
    from darkscan.searches.samples import NtupleTask, ntuple_kernel
    from darkscan.select import evaluate

    ch = next(c for c in SEARCH.channels if c.name == channel)
    spec = SEARCH.signal.sample_for(channel)
    params = {**spec.params, "mass": mass, "ctau": ctau}
    chunk = plan_chunks(_RW_EVENTS, _RW_EVENTS, int(ctau * 1000) + 17)[0]
    columns = ch.columns(("mc_llp_proper_length",))
    nt = ntuple_kernel(NtupleTask("rw", spec, params, ch.decay, ch.best_candidate, columns,
                                  chunk, ch.lists, None, "")).events
    cols = {c: np.asarray(nt[c], dtype=float) for c in columns}
    keep = np.ones(len(nt), dtype=bool)
    for cut in ch.selection:
        keep &= np.asarray(evaluate(cut, cols), dtype=bool)
    w = np.ones(int(keep.sum()))
    if reweight_to is not None:
        w = lifetime_weights(cols["mc_llp_proper_length"][keep], ctau, reweight_to)
    eff = float(w.sum() / _RW_EVENTS)
    return eff, float(np.sqrt(np.sum(w * w)) / _RW_EVENTS)


def _reweighting_pull() -> Measurement:
    """Largest |reweighted − direct| / σ over three (generated → target) lifetimes."""
    parts, pulls = [], []
    for c0, c1 in _RW_PAIRS:
        rw, s_rw = _efficiency(_RW_CHANNEL, _RW_MASS, c0, c1)
        direct, s_d = _efficiency(_RW_CHANNEL, _RW_MASS, c1)
        pulls.append((rw - direct) / np.hypot(s_rw, s_d))
        parts.append(f"{c0:g} → {c1:g} cm: {rw:.4f} ± {s_rw:.4f} vs direct {direct:.4f} ± "
                     f"{s_d:.4f}")
    return Measurement(float(np.max(np.abs(pulls))), f"{_RW_CHANNEL}, m_S = {_RW_MASS} GeV, "
                       f"{_RW_EVENTS} events each: " + "; ".join(parts))


check("b_to_k_scalar_lifetime_reweighting_pull", reference=0.0, tolerance=3.0, kind="absolute",
      provenance="interpret.lifetime: the density ratio of exponential proper decay lengths "
                 "is exact; the efficiency of a reweighted sample must agree with direct "
                 "generation within MC errors (|pull| < 3)")(_reweighting_pull)


def _limits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cτ, channel and expected limit of every row of the default run."""
    from darkscan.searches.checks import _default_run

    r = _default_run("b-to-k-scalar")
    return r.points["ctau"], r.channel, r.limit_columns()["br_ul_exp"]


def _level() -> Measurement:
    """Geometric mean of the finite expected limits at cτ = 0.1–10 cm over channels and
    masses, with each channel's median in the message."""
    c, ch, y = _limits()
    sel = (c >= 0.1) & (c <= 10.0) & np.isfinite(y) & (ch != "combined")
    per = ", ".join(f"{name}: {np.median(y[sel & (ch == name)]):.2g}"
                    for name in dict.fromkeys(ch[sel]))
    return Measurement(float(np.exp(np.mean(np.log(y[sel])))),
                       f"channel medians at cτ 0.1–10 cm: {per}; {_WHY}")


def _best_ctau() -> Measurement:
    """The cτ where the median (over channels and masses) expected limit is lowest."""
    c, _, y = _limits()
    ok = np.isfinite(y)
    taus = np.unique(c)
    med = np.array([np.median(y[ok & (c == t)]) for t in taus])
    table = ", ".join(f"{t:g} cm: {v:.2g}" for t, v in zip(taus, med, strict=True))
    return Measurement(float(taus[int(np.argmin(med))]), f"median limit by cτ: {table}")


check("b_to_k_scalar_br_189fb_level", reference=published(_RECORD).y[0], tolerance=3.0,
      kind="factor",
      provenance=_PROV)(_level)
check("b_to_k_scalar_best_ctau", reference=1.0, tolerance=10.0, kind="factor", unit="cm",
      provenance=_PROV)(_best_ctau)
