"""Vectorised Lorentz helpers on numpy arrays whose last axis is (px, py, pz, E).

Each formula is one small function."""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def p4(px: Array, py: Array, pz: Array, e: Array) -> Array:
    """Stack components into a (..., 4) array (px, py, pz, E)."""
    return np.stack(np.broadcast_arrays(px, py, pz, e), axis=-1)


def p4_from_mass(p3: Array, m: Array | float) -> Array:
    """Four-momentum from a (..., 3) momentum and a mass."""
    e = np.sqrt(np.sum(p3 * p3, axis=-1) + np.asarray(m) ** 2)
    return np.concatenate([p3, e[..., None]], axis=-1)


def mass2(p: Array) -> Array:
    """Invariant mass squared E² − |p|² (can be negative, e.g. for a recoil)."""
    return p[..., 3] ** 2 - np.sum(p[..., :3] ** 2, axis=-1)


def mass(p: Array) -> Array:
    """Invariant mass, √max(m², 0)."""
    return np.sqrt(np.maximum(mass2(p), 0.0))


def p3mag(p: Array) -> Array:
    return np.sqrt(np.sum(p[..., :3] ** 2, axis=-1))


def pt(p: Array) -> Array:
    return np.hypot(p[..., 0], p[..., 1])


def theta(p: Array) -> Array:
    """Polar angle from +z in radians."""
    return np.arctan2(pt(p), p[..., 2])


def phi(p: Array) -> Array:
    return np.arctan2(p[..., 1], p[..., 0])


def boost(p: Array, beta: Array) -> Array:
    """Boost four-momenta ``p`` (..., 4) by velocity ``beta`` (3,) or (..., 3): a particle at rest
    comes out with velocity ``beta``. Along the full 3-vector, never along z alone.

    Plain numpy (the same formula as ``vector``'s ``boost_beta3``, which is ~8× slower here on
    10⁶ momenta because of its record conversions).
    """
    p = np.asarray(p, dtype=float)
    beta = np.asarray(beta, dtype=float)
    b2 = np.sum(beta * beta, axis=-1)
    gamma = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(beta * p[..., :3], axis=-1)
    # γ²/(γ+1) avoids the 0/0 of (γ−1)/β² at β → 0
    coef = gamma**2 / (gamma + 1.0) * bp + gamma * p[..., 3]
    out = np.empty(np.broadcast_shapes(p.shape, beta.shape[:-1] + (4,)))
    out[..., :3] = p[..., :3] + coef[..., None] * beta
    out[..., 3] = gamma * (p[..., 3] + bp)
    return out


def rotation_to(direction: Array) -> Array:
    """Rotation matrices (..., 3, 3) taking +z onto unit vectors ``direction`` (..., 3)."""
    d = direction / np.linalg.norm(direction, axis=-1, keepdims=True)
    th = np.arccos(np.clip(d[..., 2], -1.0, 1.0))
    ph = np.arctan2(d[..., 1], d[..., 0])
    ct, st, cp, sp = np.cos(th), np.sin(th), np.cos(ph), np.sin(ph)
    r = np.empty(d.shape[:-1] + (3, 3))
    r[..., 0, 0], r[..., 0, 1], r[..., 0, 2] = cp * ct, -sp, cp * st
    r[..., 1, 0], r[..., 1, 1], r[..., 1, 2] = sp * ct, cp, sp * st
    r[..., 2, 0], r[..., 2, 1], r[..., 2, 2] = -st, 0.0, ct
    return r


def two_body_momentum(m: Array | float, m1: Array | float, m2: Array | float) -> Array:
    """Momentum of either daughter in the rest frame of a two-body decay m → m1 m2 (0 if closed)."""
    m, m1, m2 = np.asarray(m, float), np.asarray(m1, float), np.asarray(m2, float)
    lam = (m**2 - (m1 + m2) ** 2) * (m**2 - (m1 - m2) ** 2)
    return np.sqrt(np.maximum(lam, 0.0)) / (2.0 * m)


def max_angle_to_parent(p: Array, m: float, e_parent: float, m_parent: float,
                        m_rest_min: float = 0.0) -> Array:
    """Largest angle a daughter of momentum ``p`` and mass ``m`` can make with the direction of
    its parent (energy ``e_parent``, mass ``m_parent``) when everything else in the decay is
    invisible with mass ≥ ``m_rest_min``: from (P − k)² ≥ m_rest_min², i.e.
    cos θ ≥ (2 E e − M² − m² + m_rest_min²) / (2 |P| |p|). Returns π where any angle is
    allowed and −1 where no angle is (the daughter is too energetic for that parent)."""
    p = np.asarray(p, float)
    e = np.sqrt(p * p + m * m)
    p_parent = np.sqrt(max(e_parent**2 - m_parent**2, 0.0))
    cos_min = ((2.0 * e_parent * e - m_parent**2 - m * m + m_rest_min**2)
               / np.maximum(2.0 * p_parent * p, 1e-300))
    return np.where(cos_min > 1.0, -1.0, np.arccos(np.clip(cos_min, -1.0, 1.0)))
