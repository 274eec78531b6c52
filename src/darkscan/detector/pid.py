"""Particle identification: basf2-style scores ``electronID``, ``muonID``, ``pionID``,
``kaonID`` in [0, 1].

Each score passes the standard working point (``pid_working_point``, 0.9) with the probability
given by the rate table below for the true species, momentum and polar angle; the score is then
drawn uniformly above (pass) or below (fail) the working point. Only the rate at the working
point is physical; the shape of the scores elsewhere is not (documented approximation).
"""

from __future__ import annotations

import numpy as np

from darkscan.detector.geometry import klm_accepts
from darkscan.detector.parameters import DetectorParameters
from darkscan.jit import jit

HYPOTHESES = ("electronID", "muonID", "pionID", "kaonID")


def _rates(params: DetectorParameters) -> tuple[float, ...]:
    """The rate table as a flat tuple for the kernels (order as in :func:`_pass_probability`)."""
    return (params.muid_p_min, params.muid_p_full, params.klm_theta[0], params.klm_theta[1],
            params.eid_p_min, params.muid_eff, params.muid_pi_fake, params.eid_eff,
            params.eid_pi_fake, params.kid_eff, params.kid_pi_fake)


@jit
def _pass_probability(apdg, p, theta, has_cluster, c):  # pragma: no cover - compiled
    """Pass probabilities (electron, muon, pion, kaon) of one track of true species ``apdg``."""
    ramp = min(max((p - c[0]) / max(c[1] - c[0], 1e-9), 0.0), 1.0)
    mu_turn_on = ramp if klm_accepts(theta, c[2], c[3]) else 0.0
    e_ok = p > c[4] and has_cluster
    is_e, is_mu = apdg == 11, apdg == 13
    is_k = apdg == 321 or apdg == 2212
    if is_mu:
        return c[8] * e_ok, c[5] * mu_turn_on, 0.5, c[10]
    if is_e:
        return c[7] * e_ok, 0.0, 0.02, 0.0
    if is_k:
        return c[8] * e_ok, c[6] * mu_turn_on, c[10], c[9]
    return c[8] * e_ok, c[6] * mu_turn_on, c[9], c[10]


@jit
def _scores(rng, index, apdg, p, theta, has_cluster, c, wp):  # pragma: no cover - compiled
    """One uniform u from ``rng`` per score: u < P passes, and u/P (or (u − P)/(1 − P) on
    failure) is again uniform, so it also places the score above (below) the working point.
    Track i is particle index[i]."""
    out = np.empty((4, index.shape[0]))
    for i in range(index.shape[0]):
        j = index[i]
        probs = _pass_probability(abs(apdg[j]), p[j], theta[j], has_cluster[j], c)
        for h in range(4):
            prob, uh = probs[h], rng.random()
            if uh < prob:
                out[h, i] = wp + (1.0 - wp) * (uh / prob)
            else:
                out[h, i] = wp * ((uh - prob) / (1.0 - prob))
    return out


def pid_scores(rng: np.random.Generator, apdg: np.ndarray, p: np.ndarray, theta: np.ndarray,
               has_cluster: np.ndarray, params: DetectorParameters,
               index: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """ID scores of tracks of true species ``apdg`` (signed ids accepted), true momentum and
    polar angle, with or without an ECL cluster; with ``index``, of particles ``index``."""
    index = np.arange(len(p)) if index is None else index
    f = np.ascontiguousarray
    out = _scores(rng, f(index, np.int64), f(apdg, np.int64), f(p, float), f(theta, float),
                  f(has_cluster, np.bool_), _rates(params), float(params.pid_working_point))
    return dict(zip(HYPOTHESES, out, strict=True))
