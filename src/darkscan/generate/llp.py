"""Decay vertices of long-lived particles (LLPs).

A particle of mass m, lab four-momentum p and proper decay length cτ decays after a lab flight
length L drawn from an exponential with mean λ = βγcτ = (|p|/m)cτ. The proper decay length is
ℓ = L/βγ (what :mod:`darkscan.interpret.lifetime` reweights), the proper time ℓ/c and the lab
time L/(βc), in ns.

:func:`decay_vertices_truncated` forces the decay inside a window L_min < L < L_max (per
particle; convert a transverse-radius window with :func:`flight_window_from_radius`) by drawing from
the exponential truncated to the window; each particle then carries the weight
P(L_min < L < L_max) = e^{−L_min/λ} − e^{−L_max/λ}, so that weighted distributions equal those of
an untruncated sample restricted to the window. Lengths in cm, times in ns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from darkscan.errors import ParameterError
from darkscan.physics.constants import C_CM_PER_NS

__all__ = ["LLPDecays", "decay_vertices", "decay_vertices_truncated",
           "flight_window_from_radius", "mean_decay_length"]


@dataclass(frozen=True)
class LLPDecays:
    """Per-particle decay information (arrays of length n; ``vertex`` is (n, 3))."""

    vertex: np.ndarray          #: decay vertex in the lab, cm
    flight_length: np.ndarray   #: lab flight length L, cm
    proper_length: np.ndarray   #: proper decay length ℓ = L/βγ, cm
    proper_time: np.ndarray     #: ℓ/c, ns
    lab_time: np.ndarray        #: L/(βc) (+ production time), ns
    weight: np.ndarray          #: 1, or the window probability for truncated sampling


def _kinematics(p4: ArrayLike, mass: ArrayLike, ctau: ArrayLike
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    p4 = np.asarray(p4, dtype=float)
    if p4.ndim != 2 or p4.shape[1] != 4:
        raise ParameterError(f"p4 must have shape (n, 4) (px, py, pz, E); got {p4.shape}")
    m = np.broadcast_to(np.asarray(mass, dtype=float), p4.shape[:1])
    c = np.broadcast_to(np.asarray(ctau, dtype=float), p4.shape[:1])
    if np.any(~(m > 0)):
        raise ParameterError("parameter 'mass' of the long-lived particle must be > 0 GeV")
    if np.any(~(c > 0)):
        raise ParameterError("parameter 'ctau' must be > 0 cm (use the prompt vertex for "
                             "cτ = 0)")
    pmag = np.sqrt(np.sum(p4[:, :3] ** 2, axis=1))
    bg = pmag / m
    beta = pmag / p4[:, 3]
    with np.errstate(invalid="ignore", divide="ignore"):
        direction = np.where(pmag[:, None] > 0, p4[:, :3] / pmag[:, None], 0.0)
    return m, c, bg, beta, direction


def mean_decay_length(p4: ArrayLike, mass: ArrayLike, ctau: ArrayLike) -> np.ndarray:
    """λ = βγcτ = (|p|/m)cτ in cm, per particle."""
    _, c, bg, _, _ = _kinematics(p4, mass, ctau)
    return bg * c


def _assemble(length: np.ndarray, bg: np.ndarray, beta: np.ndarray, direction: np.ndarray,
              origin: ArrayLike | None, t0: ArrayLike, weight: np.ndarray) -> LLPDecays:
    n = length.shape[0]
    org = np.zeros((n, 3)) if origin is None else np.broadcast_to(
        np.asarray(origin, dtype=float), (n, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        proper = np.where(bg > 0, length / bg, 0.0)
        lab_t = np.where(beta > 0, length / (beta * C_CM_PER_NS), 0.0)
    return LLPDecays(vertex=org + length[:, None] * direction, flight_length=length,
                     proper_length=proper, proper_time=proper / C_CM_PER_NS,
                     lab_time=np.asarray(t0, dtype=float) + lab_t, weight=weight)


def decay_vertices(p4: ArrayLike, mass: ArrayLike, ctau: ArrayLike, rng: np.random.Generator,
                   origin: ArrayLike | None = None, t0: ArrayLike = 0.0) -> LLPDecays:
    """Draw decay vertices: L ~ Exp(mean βγcτ) along the momentum, from ``origin`` (n, 3) or 0.

    A particle at rest decays in place (its proper time is then not sampled: use it only for
    moving LLPs). The draw uses ``rng.standard_exponential`` so results depend only on the seed.
    """
    _, c, bg, beta, direction = _kinematics(p4, mass, ctau)
    proper = c * rng.standard_exponential(c.shape[0])
    return _assemble(proper * bg, bg, beta, direction, origin, t0, np.ones_like(c))


def decay_vertices_truncated(p4: ArrayLike, mass: ArrayLike, ctau: ArrayLike,
                             l_min: ArrayLike, l_max: ArrayLike, rng: np.random.Generator,
                             origin: ArrayLike | None = None, t0: ArrayLike = 0.0
                             ) -> LLPDecays:
    """Decays forced inside l_min ≤ L < l_max (lab flight length, cm; per particle or scalar),
    sampled by inverting the truncated exponential; ``weight`` = e^{−l_min/λ} − e^{−l_max/λ}
    (``l_max`` may be ``inf``)."""
    _, c, bg, beta, direction = _kinematics(p4, mass, ctau)
    n = c.shape[0]
    lo = np.broadcast_to(np.asarray(l_min, dtype=float), (n,))
    hi = np.broadcast_to(np.asarray(l_max, dtype=float), (n,))
    if np.any(lo < 0) or np.any(~(hi > lo)):
        raise ParameterError("the decay window needs 0 ≤ l_min < l_max (cm)")
    lam = bg * c
    # fraction of the exponential inside the window, written to avoid cancellations
    span = -np.expm1(-(hi - lo) / lam)
    u = rng.random(n)
    length = lo - lam * np.log1p(-u * span)
    weight = np.exp(-lo / lam) * span
    return _assemble(length, bg, beta, direction, origin, t0, weight)


def flight_window_from_radius(p4: ArrayLike, r_min: ArrayLike, r_max: ArrayLike
                              ) -> tuple[np.ndarray, np.ndarray]:
    """Convert a transverse-radius window (about the z axis, from the origin) into the lab
    flight-length window L = r/sinθ along each momentum; ``inf`` for particles along z."""
    p4 = np.asarray(p4, dtype=float)
    pt = np.hypot(p4[:, 0], p4[:, 1])
    pmag = np.sqrt(pt**2 + p4[:, 2] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_sin = np.where(pt > 0, pmag / pt, np.inf)
        lo = np.where(pt > 0, np.asarray(r_min, float) * inv_sin, np.inf)
    return lo, np.asarray(r_max, float) * inv_sin
