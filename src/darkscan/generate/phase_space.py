"""Phase space from unit random numbers: two-body splittings chained recursively, with mappings
that flatten the peaks of resonances (Breit–Wigner) and of t-channel/collinear propagators.

Every generator returns momenta and the phase-space weight dΦ_n (the Lorentz-invariant measure
(2π)⁴δ⁴ Π d³p/((2π)³2E), so that σ = 1/(2s) ∫|M|² dΦ_n) times the Jacobian of the mapping.
Recursion: dΦ_n(P; p₁…p_n) = dΦ_{n−1}(P; q, p₃…p_n) dq²/(2π) dΦ₂(q; p₁, p₂).
"""

from __future__ import annotations

import numpy as np

from darkscan.physics.lorentz import boost, two_body_momentum

Array = np.ndarray


# ---------------------------------------------------------------------------------------------
# one-dimensional mappings u ∈ [0, 1] → x, returning (x, dx/du)
# ---------------------------------------------------------------------------------------------
def map_flat(u: Array, lo: Array | float, hi: Array | float) -> tuple[Array, Array]:
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    return lo + (hi - lo) * u, np.broadcast_to(hi - lo, np.shape(u)).astype(float)


def map_pole(u: Array, lo: Array | float, hi: Array | float, pole: Array | float
             ) -> tuple[Array, Array]:
    """Density ∝ 1/(x − pole) on [lo, hi] (pole < lo): flattens a propagator 1/(x − pole) such as
    a collinear 1/(m² − m_μ²), a photon angle 1/(1 − β cosθ) or a t-channel 1/(1 − cosθ)."""
    lo, hi, pole = (np.asarray(a, float) for a in (lo, hi, pole))
    a, b = lo - pole, hi - pole
    r = np.log(b / a)
    y = a * np.exp(u * r)
    return pole + y, y * r


def map_breit_wigner(u: Array, lo: Array | float, hi: Array | float, m: float, w: float
                     ) -> tuple[Array, Array]:
    """m² distributed as the Breit–Wigner 1/((x − M²)² + M²Γ²) on [lo, hi]."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    mw = m * w
    a0, a1 = np.arctan((lo - m * m) / mw), np.arctan((hi - m * m) / mw)
    t = a0 + u * (a1 - a0)
    x = m * m + mw * np.tan(t)
    jac = (a1 - a0) * ((x - m * m) ** 2 + mw * mw) / mw
    return x, jac


# ---------------------------------------------------------------------------------------------
# two-body splitting
# ---------------------------------------------------------------------------------------------
def two_body(P: Array, m1: Array | float, m2: Array | float, cos_t: Array, phi: Array
             ) -> tuple[Array, Array, Array]:
    """Split P (n, 4) into p₁, p₂ with masses m₁, m₂; (cosθ, φ) are p₁'s angles in the P rest
    frame with axes parallel to the frame of P. Returns (p₁, p₂, dΦ₂ / dcosθ dφ)."""
    M = np.sqrt(np.maximum(P[..., 3] ** 2 - np.sum(P[..., :3] ** 2, axis=-1), 0.0))
    m1 = np.broadcast_to(np.asarray(m1, float), M.shape)
    m2 = np.broadcast_to(np.asarray(m2, float), M.shape)
    q = two_body_momentum(M, m1, m2)
    st = np.sqrt(np.maximum(1.0 - cos_t**2, 0.0))
    p3 = q[:, None] * np.stack([st * np.cos(phi), st * np.sin(phi), cos_t], axis=-1)
    e1 = np.sqrt(q**2 + m1**2)
    e2 = np.sqrt(q**2 + m2**2)
    p1 = np.concatenate([p3, e1[:, None]], axis=-1)
    p2 = np.concatenate([-p3, e2[:, None]], axis=-1)
    beta = P[..., :3] / P[..., 3:4]
    if np.any(beta):
        p1, p2 = boost(p1, beta), boost(p2, beta)
    dphi2 = q / (16.0 * np.pi**2 * np.where(M > 0, M, np.inf))
    return p1, p2, dphi2


def rest_frame_p4(n: int, sqrt_s: Array | float) -> Array:
    """P = (0, 0, 0, √s) for ``n`` events."""
    out = np.zeros((n, 4))
    out[:, 3] = sqrt_s
    return out


def decay_isotropic(P: Array, m1: float, m2: float, u1: Array, u2: Array
                    ) -> tuple[Array, Array]:
    """Isotropic two-body decay of P (n, 4) (scalar, or a vector summed over its polarisations
    when the spin correlation is not kept — documented by the caller)."""
    p1, p2, _ = two_body(P, m1, m2, 2.0 * u1 - 1.0, 2.0 * np.pi * u2)
    return p1, p2
