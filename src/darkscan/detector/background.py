"""Beam-background photon clusters overlaid on events: Poisson number per event, a soft
exponential spectrum above the cluster threshold, a share in the endcaps."""

from __future__ import annotations

import numpy as np

from darkscan.detector.jit import jit
from darkscan.detector.parameters import DetectorParameters


@jit
def _photons(u, ex, regions, f_endcap, e_min, e_mean):  # pragma: no cover - compiled
    """(E, cos θ, φ) from three uniforms and one exponential per photon: the endcaps share
    ``f_endcap`` (half forward, half backward), uniform in cos θ within a region's
    (cos θ_lo, cos θ_hi) and in φ."""
    n = ex.shape[0]
    out = np.empty((3, n))
    for i in range(n):
        r = 0 if u[0, i] < 0.5 * f_endcap else 2 if u[0, i] < f_endcap else 1
        c_lo, c_hi = regions[r, 0], regions[r, 1]
        out[0, i] = e_min + e_mean * ex[i]
        out[1, i] = c_hi + u[1, i] * (c_lo - c_hi)
        out[2, i] = np.pi * (2.0 * u[2, i] - 1.0)
    return out


def background_photons(rng: np.random.Generator, n_events: int, rate: float,
                       params: DetectorParameters) -> dict[str, np.ndarray]:
    """True (E, θ, φ) of background photons and their count per event.

    The counts are independent Poisson(rate) per event, drawn as one Poisson total spread
    uniformly over the events (the same distribution, without a Poisson draw per event)."""
    n = int(rng.poisson(rate * n_events)) if rate > 0 and n_events > 0 else 0
    counts = (np.bincount(rng.integers(0, n_events, n), minlength=n_events) if n
              else np.zeros(n_events, dtype=np.int64))
    regions = np.cos(np.radians(np.array([params.ecl_fwd, params.ecl_barrel, params.ecl_bwd])))
    ex = rng.standard_exponential(n)
    e, cos_t, phi = _photons(rng.random((3, n)), ex, regions, float(params.bkg_endcap_fraction),
                             float(params.ecl_cluster_threshold), float(params.bkg_mean_energy))
    # arccos vectorised (SIMD in numpy, a libm call in a kernel)
    return {"counts": counts, "E": e, "theta": np.arccos(cos_t), "phi": phi}
