"""Helicity amplitudes vectorised over events (HELAS-style building blocks); the spinors,
currents and γ-matrix products run as compiled one-pass loops (:mod:`helas_kernels`).

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

from darkscan.generate import helas_kernels as _k

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


def _rows(a: Array, dtype: type) -> Array:
    """``a`` as a C-contiguous (m, 4) array of ``dtype`` (what the compiled kernels take)."""
    return np.ascontiguousarray(np.reshape(a, (-1, 4)), dtype=dtype)


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
def _spinor(p: Array, m: float, hel: int, is_v: bool, barred: bool) -> Array:
    rows = _rows(p, np.float64)
    out = np.empty(rows.shape, dtype=complex)
    _k.spinor(rows, float(m), int(hel), is_v, barred, out)
    return out.reshape(np.shape(p))


def u(p: Array, m: float, hel: int) -> Array:
    """Dirac spinor u(p, λ) of an incoming fermion: (ω_{−λ} χ_λ, ω_{+λ} χ_λ), with χ_λ(p̂) the
    two-component helicity eigenstates of σ·p̂, ω± = √(E ± |p|) and ω₋ = m/ω₊ (E − |p| loses all
    digits for light particles)."""
    return _spinor(p, m, hel, False, False)


def v(p: Array, m: float, hel: int) -> Array:
    """Dirac spinor v(p, λ) of an outgoing antifermion of helicity λ: (ω_λ η, −ω_{−λ} η) with
    η = χ_{−λ}; satisfies Σ_λ v v̄ = p̸ − m."""
    return _spinor(p, m, hel, True, False)


_SPINOR_KINDS = {"u": (False, False), "v": (True, False), "ubar": (False, True),
                 "vbar": (True, True)}


def spinors(kind: str, p: Array, m: float) -> dict[int, Array]:
    """Both helicity states {−1: ψ₋, +1: ψ₊} of ``kind`` ("u", "v", "ubar" or "vbar"), equal to
    the functions of that name, in one pass: the angles and ω± of ``p`` are helicity
    independent and are computed once."""
    is_v, barred = _SPINOR_KINDS[kind]
    rows = _rows(p, np.float64)
    out = np.empty((2,) + rows.shape, dtype=complex)
    _k.spinor_pair(rows, float(m), is_v, barred, out)
    return {-1: out[0].reshape(np.shape(p)), 1: out[1].reshape(np.shape(p))}


def bar(spinor: Array) -> Array:
    """Dirac adjoint ψ̄ = ψ† γ^t (returned as a row spinor (n, 4)). In the chiral
    representation γ^t only swaps the two Weyl halves, so ψ† γ^t is an index permutation
    (a complex (n,4)@(4,4) matmul is ~20× slower)."""
    return np.conj(spinor)[..., _SWAP_WEYL]


def ubar(p: Array, m: float, hel: int) -> Array:
    """ū(p, λ) of an outgoing fermion."""
    return _spinor(p, m, hel, False, True)


def vbar(p: Array, m: float, hel: int) -> Array:
    """v̄(p, λ) of an incoming antifermion."""
    return _spinor(p, m, hel, True, True)


def _angles(k: Array) -> tuple[Array, Array, Array, Array, Array]:
    """|k|, cosθ, sinθ, cosφ, sinφ from the components (φ = 0 on the z axis)."""
    pt = np.hypot(k[..., 0], k[..., 1])
    kmag = np.hypot(pt, k[..., 2])
    safe_k, safe_t = np.where(kmag > 0, kmag, 1.0), np.where(pt > 0, pt, 1.0)
    ct = np.where(kmag > 0, k[..., 2] / safe_k, 1.0)
    cp = np.where(pt > 0, k[..., 0] / safe_t, 1.0)
    return kmag, ct, pt / safe_k, cp, k[..., 1] / safe_t


def polarisation(k: Array, m: float, hel: int, outgoing: bool = True) -> Array:
    """Polarisation vector ε^μ(k, λ) (upper index), conjugated for an outgoing vector.

    λ = ±1: (∓ε₁ − iε₂)/√2 with ε₁, ε₂ transverse to k̂; λ = 0 (massive only): (E k̂/m, |k|/m),
    so that ε·k = 0, ε² = −1 and Σ_λ ε^μ ε^ν* = −g^μν + k^μ k^ν/m².
    """
    kmag, ct, st, cp, sp = _angles(k)
    if hel == 0:
        if m <= 0.0:
            raise ValueError("a massless vector has no longitudinal polarisation")
        khat = k[..., :3] / np.maximum(kmag, 1e-300)[..., None]
        eps = np.concatenate([khat * (k[..., 3] / m)[..., None], (kmag / m)[..., None]], axis=-1)
        return eps.astype(complex)
    # (∓ε₁ − iε₂)/√2 with ε₁ = (cosθ cosφ, cosθ sinφ, −sinθ, 0), ε₂ = (−sinφ, cosφ, 0, 0)
    eps = np.empty(np.shape(k), dtype=complex)
    a = -hel / np.sqrt(2.0)
    b = -1.0 / np.sqrt(2.0)
    eps.real[..., 0], eps.imag[..., 0] = a * ct * cp, -b * sp
    eps.real[..., 1], eps.imag[..., 1] = a * ct * sp, b * cp
    eps.real[..., 2], eps.imag[..., 2] = -a * st, 0.0
    eps[..., 3] = 0.0
    return np.conj(eps) if outgoing else eps


# ---------------------------------------------------------------------------------------------
# vertices and propagators
# ---------------------------------------------------------------------------------------------
def vector_current(fbar: Array, f: Array, gl: float = 1.0, gr: float = 1.0) -> Array:
    """J^μ = ψ̄ γ^μ (g_L P_L + g_R P_R) ψ, (n, 4) with an upper index (FFV vertex, open vector)."""
    out = np.empty(np.shape(f), dtype=complex)
    _k.current(_rows(fbar, complex), _rows(f, complex), float(gl), float(gr), out)
    return out


def ffv(fbar: Array, f: Array, eps: Array, gl: float = 1.0, gr: float = 1.0) -> Array:
    """FFV amplitude ψ̄ ε̸ (g_L P_L + g_R P_R) ψ, (n,)."""
    return dot(vector_current(fbar, f, gl, gr), eps)


def ffs(fbar: Array, f: Array, gs: float = 1.0, gp: float = 0.0) -> Array:
    """FFS amplitude ψ̄ (g_S + g_P γ5) ψ, (n,)."""
    return np.einsum("ni,ni->n", fbar, f * (gs + gp * np.diag(GAMMA5)))


def propagator_denominator(q2: Array, m: float, w: float = 0.0) -> Array:
    """q² − m² + i m Γ (Breit–Wigner with a fixed width)."""
    return q2 - m * m + 1j * m * w


def _slash_apply(q: Array, f: Array, m: float, gl: float, gr: float, left: bool,
                 divide: bool, width: float = 0.0) -> Array:
    """(q̸ + m)(g_L P_L + g_R P_R) f or f (q̸ + m)(g_L P_L + g_R P_R), over the propagator
    denominator q² − m² + i m Γ when ``divide`` (see :func:`helas_kernels.slash_apply`)."""
    out = np.empty(np.shape(f), dtype=complex)
    qrows = _rows(q, np.float64 if np.isrealobj(q) else complex)
    _k.slash_apply(qrows, _rows(f, complex), float(m), float(gl), float(gr), left, divide,
                   float(width), out)
    return out


def fermion_prop(f: Array, p: Array, m: float, w: float = 0.0) -> Array:
    """(p̸ + m)/(p² − m² + imΓ) ψ: an off-shell fermion line ending in spinor ψ (from the right);
    ``p`` flows along the fermion arrow into the next vertex."""
    return _slash_apply(p, f, m, 1.0, 1.0, False, True, w)


def fermion_prop_bar(fbar: Array, p: Array, m: float, w: float = 0.0) -> Array:
    """ψ̄ (p̸ + m)/(p² − m² + imΓ): an off-shell fermion line starting at ψ̄ (from the left);
    ``p`` flows along the fermion arrow, out of the previous vertex."""
    return _slash_apply(p, fbar, m, 1.0, 1.0, True, True, w)


def vertex_v(f: Array, eps: Array, gl: float = 1.0, gr: float = 1.0) -> Array:
    """ε̸ (g_L P_L + g_R P_R) ψ: attach a vector to a spinor from the left (row spinor stays)."""
    return _slash_apply(eps, f, 0.0, gl, gr, False, False)


def vertex_v_bar(fbar: Array, eps: Array, gl: float = 1.0, gr: float = 1.0) -> Array:
    """ψ̄ ε̸ (g_L P_L + g_R P_R): attach a vector to a row spinor."""
    return _slash_apply(eps, fbar, 0.0, gl, gr, True, False)


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


def sum_abs2_dots(left: Sequence[Array], right: Sequence[Array]) -> Array:
    """Σ_ij |left_i · right_j|² over two lists of (n, 4) currents: the helicity sum of an
    amplitude that factorises into two currents with no helicity in common (one exchanged
    vector), accumulated in one output without a temporary per configuration."""
    dtype = np.result_type(*left, *right)
    total = np.empty(len(np.reshape(left[0], (-1, 4))))
    _k.abs2_dots_sum(tuple(_rows(a, dtype) for a in left), tuple(_rows(b, dtype) for b in right),
                     total)
    return total


FERMION = (-1, 1)
PHOTON = (-1, 1)
MASSIVE_VECTOR = (-1, 0, 1)
SCALAR = (0,)


# ---------------------------------------------------------------------------------------------
# dark-sector vertices: ALP–photon (ε tensor) and the unitary-gauge massive vector propagator
# ---------------------------------------------------------------------------------------------
def _triple(a: Array, b: Array, c: Array) -> Array:
    """Spatial triple product a⃗·(b⃗ × c⃗) of (n, 4) arrays (x, y, z components)."""
    return (a[..., 0] * (b[..., 1] * c[..., 2] - b[..., 2] * c[..., 1])
            + a[..., 1] * (b[..., 2] * c[..., 0] - b[..., 0] * c[..., 2])
            + a[..., 2] * (b[..., 0] * c[..., 1] - b[..., 1] * c[..., 0]))


def levi_civita(a: Array, b: Array, c: Array, d: Array) -> Array:
    """ε_{μνρσ} a^μ b^ν c^ρ d^σ for upper-index (n, 4) vectors (real or complex), with the
    convention ε^{0123} = +1, hence ε_{0123} = −1 (index 0 = time).

    Equal to −det[a; b; c; d] with the columns in (t, x, y, z) order, expanded along the time
    column: det = a^t T(b,c,d) − b^t T(a,c,d) + c^t T(a,b,d) − d^t T(a,b,c), T the spatial triple
    product. Antisymmetric in its four arguments; vanishes if two are parallel.
    """
    det = (a[..., 3] * _triple(b, c, d) - b[..., 3] * _triple(a, c, d)
           + c[..., 3] * _triple(a, b, d) - d[..., 3] * _triple(a, b, c))
    return -det


def vvs_epsilon(v1: Array, v2: Array, k1: Array, k2: Array, g: float = 1.0) -> Array:
    """Pseudoscalar VVS amplitude g ε_{μνρσ} V1^μ V2^ν k1^ρ k2^σ (n,).

    The vertex of L = −(g/4) a F_μν F̃^μν, F̃^μν = ½ε^{μνρσ}F_ρσ, with two photons of (incoming)
    momenta k1, k2 and polarisations/currents V1, V2: L = −(g/2) a ε^{μνρσ}∂_μA_ν∂_ρA_σ gives
    i g ε^{μνρσ}k1_μ k2_ρ up to the overall phase dropped with the powers of i (module
    docstring). Check: Σ_pol |g ε(ε1*, ε2*, k1, k2)|² = 2g²(k1·k2)² = g²m_a⁴/2 for on-shell
    photons, so Γ(a→γγ) = g²m_a³/(64π) (Knapen, Lin, Lou, Melia, PRL 118 (2017) 171801;
    reference/theory_detector.md A4).
    """
    return g * levi_civita(v1, v2, k1, k2)


def vector_prop_unitary(current: Array, q: Array, m: float, w: float = 0.0) -> Array:
    """(J^μ − q^μ (q·J)/M²)/(q² − M² + iMΓ): the full unitary-gauge propagator of a massive
    vector, numerator −g^μν + q^μq^ν/M², applied to a current J that need not be conserved
    (e.g. the off-diagonal χ̄₁γ^μχ₂ current, q·J = (m₁ − m₂) ū₁v₂). The overall −1 is dropped
    as in :func:`vector_prop`, so that both propagators can appear in one process."""
    qj = dot(q, current)
    num = current - q * (qj / (m * m))[..., None]
    return num / propagator_denominator(dot(q, q), m, w)[..., None]


