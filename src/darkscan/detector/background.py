"""Beam-background clusters overlaid on events: a Poisson number per event, a soft exponential
spectrum above the cluster threshold, a share in the endcaps, uniform in cos θ within a region
and in φ.

The parametrisation describes the clusters the ECL reconstructs (the overlay of basf2's
background files shows up as such clusters), so they are drawn directly as reconstructed
clusters and not smeared a second time."""

from __future__ import annotations

import numpy as np

from darkscan.detector.geometry import ECL_FWD
from darkscan.detector.helix import acos
from darkscan.detector.parameters import DetectorParameters
from darkscan.jit import inline, jit


def counts(rng: np.random.Generator, n_events: int, rate: float) -> np.ndarray:
    """Independent Poisson(rate) numbers of clusters per event, drawn as one Poisson total
    spread uniformly over the events (the same distribution, without a Poisson draw per
    event)."""
    n = int(rng.poisson(rate * n_events)) if rate > 0 and n_events > 0 else 0
    if n == 0:
        return np.zeros(n_events, dtype=np.int64)
    return np.bincount(rng.integers(0, n_events, n), minlength=n_events)


def spectrum(params: DetectorParameters) -> tuple[np.ndarray, tuple[float, ...]]:
    """The kernels' description of the background: per ECL region (FWD, barrel, BWD: codes
    1, 2, 3) its (cos θ_lo, cos θ_hi), and (endcap share, E_min, mean E above E_min)."""
    regions = np.cos(np.radians(np.array([params.ecl_fwd, params.ecl_barrel, params.ecl_bwd])))
    return regions, (float(params.bkg_endcap_fraction), float(params.ecl_cluster_threshold),
                     float(params.bkg_mean_energy))


@inline
def draw_cluster(rng, regions, c):  # pragma: no cover - compiled
    """(E, θ, φ, region) of one background cluster from one exponential and three uniforms;
    ``regions``, ``c`` from :func:`spectrum`. The endcaps share c[0], half forward, half
    backward."""
    e = c[1] + c[2] * rng.standard_exponential()
    u = rng.random()
    r = 0 if u < 0.5 * c[0] else 2 if u < c[0] else 1
    cos_t = regions[r, 1] + rng.random() * (regions[r, 0] - regions[r, 1])
    theta = acos(cos_t)
    phi = np.pi * (2.0 * rng.random() - 1.0)
    return e, theta, phi, ECL_FWD + r  # the region drawn (θ may sit 10⁻⁸ beyond its edge)


@jit
def _clusters(rng, n, regions, c):  # pragma: no cover - compiled
    out = np.empty((3, n))
    region = np.empty(n, dtype=np.int8)
    for i in range(n):
        out[0, i], out[1, i], out[2, i], region[i] = draw_cluster(rng, regions, c)
    return out, region


def background_clusters(rng: np.random.Generator, n_events: int, rate: float,
                        params: DetectorParameters) -> dict[str, np.ndarray]:
    """Background clusters (E, θ, φ, region) and their number per event (the simulation draws
    the same clusters inside its merge kernel; this is the stand-alone version)."""
    per_event = counts(rng, n_events, rate)
    (e, theta, phi), region = _clusters(rng, int(per_event.sum()), *spectrum(params))
    return {"counts": per_event, "E": e, "theta": theta, "phi": phi, "region": region}
