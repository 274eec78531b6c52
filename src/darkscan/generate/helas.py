"""Helicity amplitudes in numpy, vectorised over events (HELAS-style building blocks).

Conventions (written from the Dirac equation, not ported):

- four-vectors are (..., 4) arrays ordered (px, py, pz, E) like the rest of darkscan; the metric
  is therefore diag(−1, −1, −1, +1) in that index order;
- chiral (Weyl) representation: γ^t = [[0, 1], [1, 0]], γ^k = [[0, σ_k], [−σ_k, 0]],
  γ5 = diag(−1, −1, 1, 1), so P_L = (1 − γ5)/2 keeps the upper two components;
- helicities are ±1 (twice the physical helicity) for fermions and ±1, 0 for vectors;
- spinors are (n, 4) complex arrays, vector currents (n, 4) complex arrays with an upper index.

Vertex factors and propagators are written without the common powers of i: every process in
darkscan sums diagrams with the same number of vertices and propagators, so the dropped phase is
common to all its diagrams; relative signs (Fermi statistics) are set by the process. A process is
a few lines combining :func:`u`, :func:`vbar`, :func:`vector_current`, :func:`fermion_prop` etc.;
|M|² is summed over helicity configurations with :func:`helicity_sum` (a loop over ≤ 64 configs,
never over events).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

Array = np.ndarray

METRIC = np.array([-1.0, -1.0, -1.0, 1.0])
_I2 = np.eye(2, dtype=complex)
_Z2 = np.zeros((2, 2), dtype=complex)
_SIGMA = (np.array([[0, 1], [1, 0]], dtype=complex),
          np.array([[0, -1j], [1j, 0]], dtype=complex),
          np.array([[1, 0], [0, -1]], dtype=complex))
#: γ^μ in (x, y, z, t) index order, chiral representation.
GAMMA = np.array([np.block([[_Z2, s], [-s, _Z2]]) for s in _SIGMA]
                 + [np.block([[_Z2, _I2], [_I2, _Z2]])])
#: γ_μ = g_μν γ^ν (lower index), so that p̸ = p_μ γ^μ = Σ_μ p^μ GAMMA_LOWER[μ].
GAMMA_LOWER = GAMMA * METRIC[:, None, None]
_SWAP_WEYL = np.array([2, 3, 0, 1])  # ψ† γ^t = conj(ψ)[2, 3, 0, 1]
GAMMA5 = np.diag([-1.0, -1.0, 1.0, 1.0]).astype(complex)
PL = np.diag([1.0, 1.0, 0.0, 0.0]).astype(complex)
PR = np.diag([0.0, 0.0, 1.0, 1.0]).astype(complex)


def dot(a: Array, b: Array) -> Array:
    """Minkowski product a·b (no complex conjugation), over the last axis."""
    return a[..., 3] * b[..., 3] - a[..., 0] * b[..., 0] - a[..., 1] * b[..., 1] \
        - a[..., 2] * b[..., 2]


def slash(p: Array) -> Array:
    """p̸ = p^t γ^t − p^k γ^k as (n, 4, 4); ``p`` real or complex with an upper index."""
    return np.einsum("nm,mij->nij", p.astype(complex), GAMMA_LOWER)


# ---------------------------------------------------------------------------------------------
# external wave functions
# ---------------------------------------------------------------------------------------------
def _angles(p: Array) -> tuple[Array, Array, Array]:
    pmag = np.sqrt(np.sum(p[..., :3] ** 2, axis=-1))
    th = np.arctan2(np.hypot(p[..., 0], p[..., 1]), p[..., 2])
    ph = np.arctan2(p[..., 1], p[..., 0])
    return pmag, th, ph


def _chi(th: Array, ph: Array, lam: int) -> Array:
    """Two-component helicity eigenstates χ_λ(p̂) of σ·p̂ with eigenvalue λ = ±1."""
    c, s = np.cos(th / 2.0), np.sin(th / 2.0)
    if lam > 0:
        return np.stack([c + 0j, np.exp(1j * ph) * s], axis=-1)
    return np.stack([-np.exp(-1j * ph) * s, c + 0j], axis=-1)


def _omegas(p: Array, m: float) -> tuple[Array, Array, Array, Array]:
    pmag, th, ph = _angles(p)
    wp = np.sqrt(p[..., 3] + pmag)
    # ω₋ = m/ω₊ keeps ω₊ω₋ = m exact (E − |p| loses all digits for light particles)
    wm = m / wp if m > 0.0 else np.zeros_like(wp)
    return wp, wm, th, ph


def u(p: Array, m: float, hel: int) -> Array:
    """Dirac spinor u(p, λ) of an incoming fermion: (ω_{−λ} χ_λ, ω_{+λ} χ_λ)."""
    wp, wm, th, ph = _omegas(p, m)
    chi = _chi(th, ph, hel)
    lo, hi = (wm, wp) if hel > 0 else (wp, wm)
    return np.concatenate([lo[..., None] * chi, hi[..., None] * chi], axis=-1)


def v(p: Array, m: float, hel: int) -> Array:
    """Dirac spinor v(p, λ) of an outgoing antifermion of helicity λ: (ω_λ η, −ω_{−λ} η) with
    η = χ_{−λ}; satisfies Σ_λ v v̄ = p̸ − m."""
    wp, wm, th, ph = _omegas(p, m)
    eta = _chi(th, ph, -hel)
    lo, hi = (wp, wm) if hel > 0 else (wm, wp)
    return np.concatenate([lo[..., None] * eta, -hi[..., None] * eta], axis=-1)


def bar(spinor: Array) -> Array:
    """Dirac adjoint ψ̄ = ψ† γ^t (returned as a row spinor (n, 4)). In the chiral
    representation γ^t only swaps the two Weyl halves, so ψ† γ^t is an index permutation
    (a complex (n,4)@(4,4) matmul is ~20× slower)."""
    return np.conj(spinor)[..., _SWAP_WEYL]


def ubar(p: Array, m: float, hel: int) -> Array:
    """ū(p, λ) of an outgoing fermion."""
    return bar(u(p, m, hel))


def vbar(p: Array, m: float, hel: int) -> Array:
    """v̄(p, λ) of an incoming antifermion."""
    return bar(v(p, m, hel))


def polarisation(k: Array, m: float, hel: int, outgoing: bool = True) -> Array:
    """Polarisation vector ε^μ(k, λ) (upper index), conjugated for an outgoing vector.

    λ = ±1: (∓ε₁ − iε₂)/√2 with ε₁, ε₂ transverse to k̂; λ = 0 (massive only): (|k| k̂/m, E/m).
    """
    kmag, th, ph = _angles(k)
    ct, st, cp, sp = np.cos(th), np.sin(th), np.cos(ph), np.sin(ph)
    zero = np.zeros_like(ct)
    if hel == 0:
        if m <= 0.0:
            raise ValueError("a massless vector has no longitudinal polarisation")
        khat = k[..., :3] / np.maximum(kmag, 1e-300)[..., None]
        eps = np.concatenate([khat * (kmag / m)[..., None], (k[..., 3] / m)[..., None]], axis=-1)
        return eps.astype(complex)
    e1 = np.stack([ct * cp, ct * sp, -st, zero], axis=-1)
    e2 = np.stack([-sp, cp, zero, zero], axis=-1)
    eps = (-hel * e1 - 1j * e2) / np.sqrt(2.0)
    return np.conj(eps) if outgoing else eps


# ---------------------------------------------------------------------------------------------
# vertices and propagators
# ---------------------------------------------------------------------------------------------
def vector_current(fbar: Array, f: Array, gl: float = 1.0, gr: float = 1.0) -> Array:
    """J^μ = ψ̄ γ^μ (g_L P_L + g_R P_R) ψ, (n, 4) with an upper index (FFV vertex, open vector)."""
    chi = f * np.array([gl, gl, gr, gr])
    return np.einsum("ni,mij,nj->nm", fbar, GAMMA, chi)


def ffv(fbar: Array, f: Array, eps: Array, gl: float = 1.0, gr: float = 1.0) -> Array:
    """FFV amplitude ψ̄ ε̸ (g_L P_L + g_R P_R) ψ, (n,)."""
    return dot(vector_current(fbar, f, gl, gr), eps)


def ffs(fbar: Array, f: Array, gs: float = 1.0, gp: float = 0.0) -> Array:
    """FFS amplitude ψ̄ (g_S + g_P γ5) ψ, (n,)."""
    return np.einsum("ni,ni->n", fbar, f * (gs + gp * np.diag(GAMMA5)))


def propagator_denominator(q2: Array, m: float, w: float = 0.0) -> Array:
    """q² − m² + i m Γ (Breit–Wigner with a fixed width)."""
    return q2 - m * m + 1j * m * w


def fermion_prop(f: Array, p: Array, m: float, w: float = 0.0) -> Array:
    """(p̸ + m)/(p² − m² + imΓ) ψ: an off-shell fermion line ending in spinor ψ (from the right);
    ``p`` flows along the fermion arrow into the next vertex."""
    num = np.einsum("nij,nj->ni", slash(p), f) + m * f
    return num / propagator_denominator(dot(p, p), m, w)[:, None]


def fermion_prop_bar(fbar: Array, p: Array, m: float, w: float = 0.0) -> Array:
    """ψ̄ (p̸ + m)/(p² − m² + imΓ): an off-shell fermion line starting at ψ̄ (from the left);
    ``p`` flows along the fermion arrow, out of the previous vertex."""
    num = np.einsum("ni,nij->nj", fbar, slash(p)) + m * fbar
    return num / propagator_denominator(dot(p, p), m, w)[:, None]


def vertex_v(f: Array, eps: Array, gl: float = 1.0, gr: float = 1.0) -> Array:
    """ε̸ (g_L P_L + g_R P_R) ψ: attach a vector to a spinor from the left (row spinor stays)."""
    return np.einsum("nij,nj->ni", slash(eps), f * np.array([gl, gl, gr, gr]))


def vertex_v_bar(fbar: Array, eps: Array, gl: float = 1.0, gr: float = 1.0) -> Array:
    """ψ̄ ε̸ (g_L P_L + g_R P_R): attach a vector to a row spinor."""
    return np.einsum("ni,nij->nj", fbar, slash(eps)) * np.array([gl, gl, gr, gr])


def vector_prop(current: Array, q: Array, m: float = 0.0, w: float = 0.0) -> Array:
    """J^μ/(q² − M² + iMΓ) for the −g_μν part of a vector propagator; the q_μ q_ν/M² part is
    dropped because every current it meets in darkscan's processes is conserved. The −g sign
    is common to all diagrams of one process and is dropped with the powers of i."""
    return current / propagator_denominator(dot(q, q), m, w)[:, None]


def vvs(v1: Array, v2: Array, g: float = 1.0) -> Array:
    """VVS vertex g g_μν V1^μ V2^ν (n,)."""
    return g * dot(v1, v2)


def sss(n: int, g: float = 1.0) -> Array:
    """SSS vertex (a constant)."""
    return np.full(n, g, dtype=complex)


# ---------------------------------------------------------------------------------------------
# helicity sums
# ---------------------------------------------------------------------------------------------
def helicity_sum(amplitude: Callable[..., Array | Sequence[Array]],
                 helicities: Sequence[Sequence[int]]) -> Array:
    """Σ over helicity configurations of |amplitude(*hels)|² (a loop over configurations only).

    ``amplitude`` returns the summed amplitude (n,) for one configuration.
    """
    total: Array | None = None
    for hels in itertools.product(*helicities):
        a = amplitude(*hels)
        a2 = a.real**2 + a.imag**2
        total = a2 if total is None else total + a2
    assert total is not None
    return total


FERMION = (-1, 1)
PHOTON = (-1, 1)
MASSIVE_VECTOR = (-1, 0, 1)
SCALAR = (0,)
