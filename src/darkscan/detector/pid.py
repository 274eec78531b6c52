"""Particle identification: basf2-style scores ``electronID``, ``muonID``, ``pionID``,
``kaonID`` in [0, 1].

Each score passes the standard working point (``pid_working_point``, 0.9) with the probability
given by the rate table below for the true species, momentum and polar angle; the score is then
drawn uniformly above (pass) or below (fail) the working point. Only the rate at the working
point is physical; the shape of the scores elsewhere is not (documented approximation).
"""

from __future__ import annotations

import numpy as np

from darkscan.detector.geometry import in_klm
from darkscan.detector.parameters import DetectorParameters

HYPOTHESES = ("electronID", "muonID", "pionID", "kaonID")


def _ramp(p: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((p - lo) / max(hi - lo, 1e-9), 0.0, 1.0)


def pass_probabilities(apdg: np.ndarray, p: np.ndarray, theta: np.ndarray,
                       has_cluster: np.ndarray, params: DetectorParameters
                       ) -> dict[str, np.ndarray]:
    """Probability that each hypothesis' score passes the working point."""
    mu_turn_on = _ramp(p, params.muid_p_min, params.muid_p_full) * in_klm(theta, params)
    e_ok = (p > params.eid_p_min) & has_cluster
    is_e, is_mu = apdg == 11, apdg == 13
    is_k = (apdg == 321) | (apdg == 2212)
    is_pi = ~(is_e | is_mu | is_k)
    muon = np.select([is_mu, is_e], [params.muid_eff, 0.0], params.muid_pi_fake) * mu_turn_on
    electron = np.where(is_e, params.eid_eff, params.eid_pi_fake) * e_ok
    kaon = np.select([is_k, is_e], [params.kid_eff, 0.0], params.kid_pi_fake)
    pion = np.select([is_pi, is_k, is_mu, is_e],
                     [params.kid_eff, params.kid_pi_fake, 0.5, 0.02], 0.0)
    return {"electronID": electron, "muonID": muon, "pionID": pion, "kaonID": kaon}


def pid_scores(rng: np.random.Generator, apdg: np.ndarray, p: np.ndarray, theta: np.ndarray,
               has_cluster: np.ndarray, params: DetectorParameters) -> dict[str, np.ndarray]:
    probs = pass_probabilities(apdg, p, theta, has_cluster, params)
    wp = params.pid_working_point
    out = {}
    for name in HYPOTHESES:
        u = rng.random((2, len(p)))
        passed = u[0] < probs[name]
        out[name] = np.where(passed, wp + (1.0 - wp) * u[1], wp * u[1])
    return out
