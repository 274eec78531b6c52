"""Compiled per-event Lorentz transformations for the generator's hot paths (ISR recoil, FSR,
canonical frame → lab).

Same formulas as :func:`darkscan.physics.lorentz.boost` (a boost along the full velocity
3-vector, γ²/(γ+1) form), in one pass over the momenta: the numpy version reduces over the
3-component axis several times, which costs ~100 ns per momentum and made the boosts the largest
single item of event generation.
"""

from __future__ import annotations

import math

import numpy as np

from darkscan.jit import jit_exact

Array = np.ndarray


@jit_exact
def boost_one(p: Array, bx: float, by: float, bz: float, out: Array) -> None:
    """Boost one four-momentum (4,) by (bx, by, bz) into ``out`` (may not alias ``p``)."""
    b2 = bx * bx + by * by + bz * bz
    gamma = 1.0 / math.sqrt(1.0 - b2)
    bp = bx * p[0] + by * p[1] + bz * p[2]
    coef = gamma * gamma / (gamma + 1.0) * bp + gamma * p[3]
    out[0] = p[0] + coef * bx
    out[1] = p[1] + coef * by
    out[2] = p[2] + coef * bz
    out[3] = gamma * (p[3] + bp)


@jit_exact
def _boost_events(p: Array, beta: Array, out: Array) -> None:
    """p, out (n, k, 4); beta (n, 3): every momentum of event i boosted by beta[i]."""
    for i in range(p.shape[0]):
        for j in range(p.shape[1]):
            boost_one(p[i, j], beta[i, 0], beta[i, 1], beta[i, 2], out[i, j])


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


def _events(p: Array) -> tuple[Array, bool]:
    """``p`` as a contiguous float (n, k, 4) array, and whether it was (n, 4)."""
    p = np.ascontiguousarray(p, dtype=np.float64)
    return (p[:, None], True) if p.ndim == 2 else (p, False)


def boost(p: Array, beta: Array) -> Array:
    """Boost (n, 4) or (n, k, 4) momenta by per-event velocities ``beta`` (n, 3) (or (n, 1, 3)):
    a particle at rest comes out with velocity ``beta``."""
    p3, flat = _events(p)
    out = np.empty_like(p3)
    _boost_events(p3, np.ascontiguousarray(np.reshape(beta, (len(p3), 3)), dtype=np.float64),
                  out)
    return out[:, 0] if flat else out


def rotate_boost(p: Array, rotation: Array, beta: Array) -> Array:
    """Rotate (n, k, 4) momenta by ``rotation`` (n, 3, 3), then boost by ``beta`` (n, 3)."""
    p3, flat = _events(p)
    out = np.empty_like(p3)
    _rotate_boost_events(p3, np.ascontiguousarray(rotation, dtype=np.float64),
                         np.ascontiguousarray(beta, dtype=np.float64), out)
    return out[:, 0] if flat else out


def rotation_to(direction: Array) -> Array:
    """Rotations (n, 3, 3) taking +z onto the unit vectors of ``direction`` (n, 3): the matrix of
    :func:`darkscan.physics.lorentz.rotation_to` (columns θ̂, φ̂, d̂), from the components instead
    of arccos/arctan2 and their cosines (φ = 0 on the z axis)."""
    d = direction / np.sqrt(direction[:, 0] ** 2 + direction[:, 1] ** 2
                            + direction[:, 2] ** 2)[:, None]
    st = np.hypot(d[:, 0], d[:, 1])
    on_axis = st == 0.0
    safe = np.where(on_axis, 1.0, st)
    cp = np.where(on_axis, 1.0, d[:, 0] / safe)
    sp = np.where(on_axis, 0.0, d[:, 1] / safe)
    ct = d[:, 2]
    r = np.empty((len(d), 3, 3))
    r[:, 0, 0], r[:, 0, 1], r[:, 0, 2] = cp * ct, -sp, cp * st
    r[:, 1, 0], r[:, 1, 1], r[:, 1, 2] = sp * ct, cp, sp * st
    r[:, 2, 0], r[:, 2, 1], r[:, 2, 2] = -st, 0.0, ct
    return r
