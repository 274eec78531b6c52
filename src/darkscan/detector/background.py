"""Beam-background photon clusters overlaid on events: Poisson number per event, a soft
exponential spectrum above the cluster threshold, a share in the endcaps."""

from __future__ import annotations

import numpy as np

from darkscan.detector.parameters import DetectorParameters


def background_photons(rng: np.random.Generator, n_events: int, rate: float,
                       params: DetectorParameters) -> dict[str, np.ndarray]:
    """True (E, θ, φ) of background photons and their count per event."""
    counts = rng.poisson(rate, n_events) if rate > 0 else np.zeros(n_events, dtype=np.int64)
    n = int(counts.sum())
    e = params.ecl_cluster_threshold + rng.exponential(params.bkg_mean_energy, n)
    u = rng.random(n)
    which = np.where(u < params.bkg_endcap_fraction,
                     np.where(rng.random(n) < 0.5, 0, 2), 1)
    ranges = np.radians(np.array([params.ecl_fwd, params.ecl_barrel, params.ecl_bwd]))
    lo, hi = ranges[which, 0], ranges[which, 1]
    cos_t = np.cos(hi) + rng.random(n) * (np.cos(lo) - np.cos(hi))
    return {"counts": counts, "E": e, "theta": np.arccos(cos_t),
            "phi": rng.uniform(-np.pi, np.pi, n)}
