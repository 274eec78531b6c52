"""Phase space from unit random numbers: two-body splittings chained recursively, with mappings
that flatten the peaks of resonances (Breit–Wigner) and of t-channel/collinear propagators.

Every generator returns momenta and the phase-space weight dΦ_n (the Lorentz-invariant measure
(2π)⁴δ⁴ Π d³p/((2π)³2E), so that σ = 1/(2s) ∫|M|² dΦ_n) times the Jacobian of the mapping.
Recursion: dΦ_n(P; p₁…p_n) = dΦ_{n−1}(P; q, p₃…p_n) dq²/(2π) dΦ₂(q; p₁, p₂).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from darkscan.physics import lorentz
from darkscan.physics.lorentz import two_body_momentum

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


def log_table(density: Callable[[Array], Array], lo: float, hi: float, n: int = 4000
              ) -> tuple[Array, Array]:
    """(ln x grid, cumulative) of a density g(x) > 0 on [lo, hi] for :func:`map_tabulated`:
    g(x)·x at each bin's centre times the bin's width in ln x, so the map's density is
    piecewise constant in ln x (an exact, invertible map whatever the table's resolution)."""
    y = np.linspace(math.log(lo), math.log(hi), n + 1)
    mid = np.exp(0.5 * (y[1:] + y[:-1]))
    cdf = np.concatenate([[0.0], np.cumsum(density(mid) * mid * np.diff(y))])
    return y, cdf


def map_tabulated(u: Array, lo: Array | float, hi: Array | float, table: tuple[Array, Array]
                  ) -> tuple[Array, Array]:
    """Density ∝ the tabulated g(x) (:func:`log_table`) restricted to [lo, hi] inside the table's
    range: for a peak whose shape is known only numerically (e.g. a form factor's resonances)."""
    y, cdf = table
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    c_lo = np.interp(np.log(lo), y, cdf)
    c_hi = np.interp(np.log(hi), y, cdf)
    c = c_lo + u * (c_hi - c_lo)
    i = np.clip(np.searchsorted(cdf, c, side="right") - 1, 0, len(y) - 2)
    dy_dc = (y[i + 1] - y[i]) / (cdf[i + 1] - cdf[i])
    x = np.exp(y[i] + (c - cdf[i]) * dy_dc)
    return x, x * dy_dc * (c_hi - c_lo)


# ---------------------------------------------------------------------------------------------
# two-body splitting
# ---------------------------------------------------------------------------------------------
def two_body(P: Array, m1: Array | float, m2: Array | float, cos_t: Array, phi: Array
             ) -> tuple[Array, Array, Array]:
    """Split P (n, 4) into p₁, p₂ with masses m₁, m₂; (cosθ, φ) are p₁'s angles in the P rest
    frame with axes parallel to the frame of P. Returns (p₁, p₂, dΦ₂ / dcosθ dφ)."""
    M = np.sqrt(np.maximum(P[:, 3] ** 2 - P[:, 0] ** 2 - P[:, 1] ** 2 - P[:, 2] ** 2, 0.0))
    q = two_body_momentum(M, m1, m2)
    qs = q * np.sqrt(np.maximum(1.0 - cos_t**2, 0.0))
    p = np.empty((len(M), 2, 4))
    p[:, 0, 0] = qs * np.cos(phi)
    p[:, 0, 1] = qs * np.sin(phi)
    p[:, 0, 2] = q * cos_t
    p[:, 1, :3] = -p[:, 0, :3]
    p[:, 0, 3] = np.sqrt(q**2 + np.asarray(m1, float) ** 2)
    p[:, 1, 3] = np.sqrt(q**2 + np.asarray(m2, float) ** 2)
    if np.any(P[:, :3]):  # not already in the rest frame
        p = lorentz.boost(p, (P[:, :3] / P[:, 3:4])[:, None, :])
    dphi2 = q / (16.0 * np.pi**2 * np.where(M > 0, M, np.inf))
    return p[:, 0], p[:, 1], dphi2


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


# ---------------------------------------------------------------------------------------------
# n-body chain (2→3, 2→4, …)
# ---------------------------------------------------------------------------------------------
#: a mapping of an intermediate invariant mass² on [lo, hi]: (u, lo, hi) → (m², dm²/du)
MassMap = Callable[[Array, Array, Array], tuple[Array, Array]]


def sequential(u: Array, sqrt_s: Array | float, masses: Sequence[float],
               maps: Sequence[MassMap | None] | None = None) -> tuple[Array, Array]:
    """n-body phase space by the recursion in the module docstring: P → (q_{n−1}, p_n),
    q_{n−1} → (q_{n−2}, p_{n−1}), …, q₂ → (p₁, p₂), with q_k the system of p₁…p_k.

    ``u`` has 3n − 4 columns: for k = n−1 … 2 one for q_k² (flat, or through ``maps[k−2]``,
    e.g. :func:`map_breit_wigner` for a resonance decaying to p₁…p_k or :func:`map_pole` for a
    collinear/t-channel peak), then two angles per splitting. Returns the momenta (n_ev, n, 4)
    in the frame of P = (0, 0, 0, √s) and dΦ_n × Jacobian (0 outside phase space)."""
    n = len(masses)
    if n < 2:
        raise ValueError("sequential phase space needs at least two final-state particles")
    maps = list(maps) if maps is not None else [None] * (n - 2)
    n_ev = len(u)
    cum = np.cumsum(masses)  # cum[k−1] = m₁ + … + m_k: threshold of q_k
    P = rest_frame_p4(n_ev, sqrt_s)
    weight = np.ones(n_ev)
    out = np.empty((n_ev, n, 4))
    col = 0
    upper = np.sqrt(np.broadcast_to(np.asarray(sqrt_s, float) ** 2, (n_ev,)).copy())
    for k in range(n - 1, 1, -1):  # split q_{k+1} → q_k + p_{k+1}
        lo = np.full(n_ev, cum[k - 1] ** 2)
        hi = np.maximum((upper - masses[k]) ** 2, lo)
        mapping = maps[k - 2] or map_flat
        q2, jac = mapping(u[:, col], lo, hi)
        col += 1
        q, p_k, d2 = two_body(P, np.sqrt(np.maximum(q2, 0.0)), masses[k],
                              2.0 * u[:, col] - 1.0, 2.0 * np.pi * u[:, col + 1])
        col += 2
        weight *= np.where(hi > lo, d2 * 4.0 * np.pi * jac / (2.0 * np.pi), 0.0)
        out[:, k] = p_k
        P, upper = q, np.sqrt(np.maximum(q2, 0.0))
    p1, p2, d2 = two_body(P, masses[0], masses[1], 2.0 * u[:, col] - 1.0,
                          2.0 * np.pi * u[:, col + 1])
    out[:, 0], out[:, 1] = p1, p2
    weight *= np.where(upper > masses[0] + masses[1], d2 * 4.0 * np.pi, 0.0)
    return out, weight


def massless_volume(n: int, s: float) -> float:
    """∫dΦ_n for n massless particles: (2π)^{4−3n} (π/2)^{n−1} s^{n−2} / ((n−1)!(n−2)!)."""
    return ((2.0 * np.pi) ** (4 - 3 * n) * (np.pi / 2.0) ** (n - 1) * s ** (n - 2)
            / (math.factorial(n - 1) * math.factorial(n - 2)))
