"""Lorentz helpers on arrays whose last axis is (px, py, pz, E).

Each formula is one small function. The boost and the rotation are written once, as compiled
scalar kernels (:func:`boost_one`, :func:`rotation_one`, vector's habit: one implementation for
every backend) that numba kernels elsewhere call directly; :func:`boost`, :func:`rotation_to` and
:func:`rotate_boost` are their vectorised numpy entries (one compiled pass over the momenta,
where numpy reduced over the 3-component axis several times at ~100 ns per momentum). IEEE
arithmetic as written (:data:`darkscan.jit.jit_exact`): the kernel gives bit for bit what the
same formula gives in numpy.
"""

from __future__ import annotations

import math

import numpy as np

from darkscan.jit import jit_exact

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


@jit_exact
def boost_one(p: Array, bx: float, by: float, bz: float, out: Array) -> None:
    """Boost one four-momentum ``p`` (4,) by the velocity (bx, by, bz) into ``out`` (which may not
    alias ``p``): a particle at rest comes out with that velocity. Along the full 3-vector, in
    the γ²/(γ+1) form (no 0/0 of (γ−1)/β² at β → 0); the formula of vector's ``boost_beta3``."""
    b2 = bx * bx + by * by + bz * bz
    gamma = 1.0 / math.sqrt(1.0 - b2)
    bp = bx * p[0] + by * p[1] + bz * p[2]
    coef = gamma * gamma / (gamma + 1.0) * bp + gamma * p[3]
    out[0] = p[0] + coef * bx
    out[1] = p[1] + coef * by
    out[2] = p[2] + coef * bz
    out[3] = gamma * (p[3] + bp)


@jit_exact
def rotation_one(dx: float, dy: float, dz: float, r: Array) -> None:
    """The rotation (3, 3) taking +z onto the unit vector along (dx, dy, dz), into ``r``: columns
    θ̂, φ̂, d̂, from the components (no arccos/arctan2 and their cosines; φ = 0 on the z axis)."""
    norm = math.sqrt(dx * dx + dy * dy + dz * dz)
    dx, dy, dz = dx / norm, dy / norm, dz / norm
    st = math.hypot(dx, dy)
    cp, sp = (1.0, 0.0) if st == 0.0 else (dx / st, dy / st)
    r[0, 0], r[0, 1], r[0, 2] = cp * dz, -sp, cp * st
    r[1, 0], r[1, 1], r[1, 2] = sp * dz, cp, sp * st
    r[2, 0], r[2, 1], r[2, 2] = -st, 0.0, dz


@jit_exact
def _boost_rows(p: Array, beta: Array, out: Array) -> None:
    """p, out (n, 4); beta (n, 3): row i boosted by beta[i]."""
    for i in range(p.shape[0]):
        boost_one(p[i], beta[i, 0], beta[i, 1], beta[i, 2], out[i])


@jit_exact
def _rotation_rows(d: Array, r: Array) -> None:
    for i in range(d.shape[0]):
        rotation_one(d[i, 0], d[i, 1], d[i, 2], r[i])


@jit_exact
def _rotate_boost_events(p: Array, rot: Array, beta: Array, out: Array) -> None:
    """p, out (n, k, 4); rot (n, 3, 3); beta (n, 3): rotate the 3-momenta, then boost."""
    q = np.empty(4)
    for i in range(p.shape[0]):
        r = rot[i]
        for j in range(p.shape[1]):
            x, y, z = p[i, j, 0], p[i, j, 1], p[i, j, 2]
            q[0] = r[0, 0] * x + r[0, 1] * y + r[0, 2] * z
            q[1] = r[1, 0] * x + r[1, 1] * y + r[1, 2] * z
            q[2] = r[2, 0] * x + r[2, 1] * y + r[2, 2] * z
            q[3] = p[i, j, 3]
            boost_one(q, beta[i, 0], beta[i, 1], beta[i, 2], out[i, j])


def _rows(a: Array, shape: tuple[int, ...], k: int) -> Array:
    """``a`` broadcast to ``shape`` + (k,) as a contiguous float (N, k) array."""
    return np.ascontiguousarray(np.broadcast_to(a, shape + (k,)).reshape(-1, k),
                                dtype=np.float64)


def boost(p: Array, beta: Array) -> Array:
    """Boost four-momenta ``p`` (..., 4) by velocities ``beta`` (..., 3), broadcast against each
    other as numpy does (e.g. (3,) for all, (n, 1, 3) per event of (n, k, 4) momenta): a particle
    at rest comes out with velocity ``beta``. Along the full 3-vector, never along z alone."""
    p = np.asarray(p, dtype=float)
    beta = np.asarray(beta, dtype=float)
    shape = np.broadcast_shapes(p.shape[:-1], beta.shape[:-1])
    out = np.empty((math.prod(shape), 4))
    _boost_rows(_rows(p, shape, 4), _rows(beta, shape, 3), out)
    return out.reshape(shape + (4,))


def rotation_to(direction: Array) -> Array:
    """Rotation matrices (..., 3, 3) taking +z onto the unit vectors along ``direction``
    (..., 3)."""
    d = np.asarray(direction, dtype=float)
    r = np.empty((math.prod(d.shape[:-1]), 3, 3))
    _rotation_rows(_rows(d, d.shape[:-1], 3), r)
    return r.reshape(d.shape[:-1] + (3, 3))


def random_rotations(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` rotation matrices (n, 3, 3) uniform in SO(3) (Haar measure): R = R_to(d̂)·R_z(ψ)
    with d̂ isotropic and ψ uniform in [0, 2π), i.e. z-y-z Euler angles with density
    sin θ dθ dφ dψ; R_to from :func:`rotation_to`."""
    cos_t = 2.0 * rng.random(n) - 1.0
    phi = 2.0 * np.pi * rng.random(n)
    psi = 2.0 * np.pi * rng.random(n)
    sin_t = np.sqrt(1.0 - cos_t**2)
    r = rotation_to(np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], axis=1))
    c, s = np.cos(psi)[:, None], np.sin(psi)[:, None]
    out = r.copy()
    out[:, :, 0] = c * r[:, :, 0] + s * r[:, :, 1]
    out[:, :, 1] = c * r[:, :, 1] - s * r[:, :, 0]
    return out


def rotate_boost(p: Array, rotation: Array, beta: Array) -> Array:
    """Per event: rotate the momenta ``p`` (n, k, 4) or (n, 4) by ``rotation`` (n, 3, 3), then
    boost them by ``beta`` (n, 3) (e.g. a canonical CMS frame → lab)."""
    p = np.ascontiguousarray(p, dtype=np.float64)
    flat = p.ndim == 2
    p3 = p[:, None] if flat else p
    out = np.empty_like(p3)
    _rotate_boost_events(p3, np.ascontiguousarray(rotation, dtype=np.float64),
                         np.ascontiguousarray(beta, dtype=np.float64), out)
    return out[:, 0] if flat else out


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
