"""QED radiative corrections for the generators: ISR structure function with exponentiation
(Kuraev–Fadin, leading log), a collinear-log FSR shower for charged final-state leptons, and the
running coupling α(q²) (vacuum polarisation).

ISR (E. A. Kuraev, V. S. Fadin, Sov. J. Nucl. Phys. 41 (1985) 466): each beam keeps a fraction x
of its energy with probability

    D(x) = (β/2)(1 − x)^{β/2 − 1} (1 + 3β/8) − (β/4)(1 + x),   β = (2α/π)(ln(s/m_e²) − 1),

and the hard process runs at s' = (P − k₁ − k₂)². The non-log soft+virtual constant
(1 + α/π (π²/3 − 1/2)) multiplies σ. One ISR photon per beam is emitted as a particle; its
direction follows the 1/(k·p) eikonal distribution around its beam (leading term, so photons get
a small transverse momentum with the logarithmic angular spectrum of leading-log QED), and the hard
system absorbs the recoil. The sampling of x₁, x₂ is importance sampling only (exact weights,
:func:`isr_photons`): a soft power-law channel and hard channels that follow 1/x₁ and 1/s'.

t-channel processes (ee_ee, ee_gg) use the collinear form of the same structure-function method
(``collinear=True`` in :func:`isr_photons`): the photons are emitted exactly along the beams, so
the hard system is only boosted along z and the scattering angle keeps its relation to the CMS
angles where the cuts apply (G. Montagna, O. Nicrosini, F. Piccinini, Riv. Nuovo Cim. 21N9 (1998)
1, structure functions for Bhabha; C. M. Carloni Calame et al., Nucl. Phys. B 584 (2000) 459,
BabaYaga). Eikonal wide-angle angles for *hard* photons are outside the collinear factorisation
and, for a t-channel Born ∝ 1/θ⁴, tilt hard-frame scatters from below the acceptance into it:
this gave +84% (Bhabha) and +8% (γγ) of spurious cross section at 10° < θ* < 170°.
For Bhabha the exponent is the soft-photon one of all four legs, :func:`beta_bhabha`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from darkscan.generate.phase_space import map_pole
from darkscan.jit import jit_exact
from darkscan.physics.constants import ALPHA, M_E, M_MU, M_TAU
from darkscan.physics.lorentz import boost_one

Array = np.ndarray

#: photons softer than this (GeV) are not emitted at all (the radiating leg keeps their energy),
#: so that energy–momentum conservation stays exact; far below any detector threshold.
E_PHOTON_MIN = 1.0e-4
#: non-logarithmic soft+virtual ISR constant for the total cross section (Kuraev–Fadin)
ISR_CONSTANT = 1.0 + ALPHA / math.pi * (math.pi**2 / 3.0 - 0.5)


def beta_isr(s: float | Array, m: float = M_E) -> float | Array:
    """β = (2α/π)(ln(s/m²) − 1): the ISR exponent for both beams together."""
    return 2.0 * ALPHA / math.pi * (np.log(s / m**2) - 1.0)


def beta_bhabha(s: float | Array, cos_theta: float | Array, m: float = M_E) -> Array:
    """ISR exponent of both beams together for Bhabha scattering, β = (2α/π)(L_B − 1) with
    L_B = ln(s/m²) + ln(t/u) = ln(s(1 − cosθ)/((1 + cosθ)m²)), θ the e⁻ scattering angle.

    Derivation (soft-photon factor, F. Bloch, A. Nordsieck; D. R. Yennie, S. C. Frautschi,
    H. Suura, Ann. Phys. 13 (1961) 379): the coefficient of ln(ΔE) for ultra-relativistic legs is
    (2α/π)[Σ_{i<j} c_ij ln(2|p_i·p_j|/m²) − Σ_{i<j} c_ij] with c_ij = −(η_i e_i)(η_j e_j)
    (η = −1 incoming, +1 outgoing). For e⁻(p₁)e⁺(p₂) → e⁻(p₃)e⁺(p₄) the pairs (12), (34) give
    +ln(s/m²), (13), (24) +ln(−t/m²) and (14), (23) −ln(−u/m²): (4α/π)(L_B − 1) for the four
    legs, i.e. (α/π)(L_B − 1) per leg, half of it per beam as for the s-channel
    (:func:`beta_isr`, recovered at 90°). At small angle L_B → ln(|t|/m²), the large logarithm
    of small-angle Bhabha scattering (E. A. Kuraev, V. S. Fadin; the SABSPV/BHLUMI literature):
    the e⁻ legs' radiation beyond the scattering angle cancels coherently. Real cosθ in
    (−1, 1); the hard-scattering angle is used (not known before ISR, subleading in the log).
    """
    c = np.asarray(cos_theta, dtype=float)
    log_b = np.log(np.asarray(s, dtype=float) / m**2) + np.log((1.0 - c) / (1.0 + c))
    return 2.0 * ALPHA / math.pi * (log_b - 1.0)


def sample_x(u: Array, beta: float | Array) -> tuple[Array, Array]:
    """Map u ∈ [0, 1] to the kept energy fraction x with 1 − x = u^{2/β} (the singular power law
    of D) and return (x, D(x)/density), the weight that completes D(x)."""
    y = np.power(u, 2.0 / beta)
    x = 1.0 - y
    w = (1.0 + 3.0 * beta / 8.0) - 0.5 * (1.0 + x) * np.power(y, 1.0 - beta / 2.0)
    return x, w


def isr_convolved(sigma: Callable[[Array], Array], s: float, order: int = 64) -> float:
    """A total cross section with ISR, ISR_CONSTANT·∫dx₁dx₂ D(x₁)D(x₂) σ(x₁x₂s) (each beam with
    the Kuraev–Fadin D of the engine, exponent :func:`beta_isr`), for a Born ``sigma(s′)``
    (vectorised) smooth down to s′ → 0: the maps of :func:`sample_x` make the integrand smooth
    in u, so a Gauss–Legendre rule of ``order`` points per beam is exact to rounding for
    σ ∝ s′ (no cut in s′: processes with a threshold need the engine)."""
    nodes, weights = np.polynomial.legendre.leggauss(order)
    u, wu = 0.5 * (nodes + 1.0), 0.5 * weights
    x, wx = sample_x(u, beta_isr(s))
    x1, x2 = np.meshgrid(x, x, indexing="ij")
    w = np.outer(wu * wx, wu * wx)
    return float(ISR_CONSTANT * np.sum(w * np.asarray(sigma(x1 * x2 * s), float)))


#: share of ISR points generated from the hard-photon (radiative-return) channel
HARD_SHARE = 0.25


def sample_x_mixed(u: Array, beta: float | Array, x_lo: float | Array,
                   x_pole: float | Array = 0.0) -> tuple[Array, Array]:
    """Like :func:`sample_x` but a share :data:`HARD_SHARE` of the points follows
    1/(x − x_pole) on [x_lo, 1]: the ~1/s' growth of the hard cross section at low s' is
    otherwise a narrow spike in u that VEGAS cannot flatten. With ``x_pole`` = 0 this is the 1/x
    channel of a single beam; :func:`isr_photons` puts the pole where s' of the second beam
    vanishes. Returns (x, D(x)/g_mix(x)), exact for any ``x_lo`` > ``x_pole`` below which the
    integrand vanishes. One compiled pass (:func:`_sample_x_mixed_kernel`)."""
    u = np.asarray(u, dtype=float)
    n = u.shape[0]
    args = [np.ascontiguousarray(np.broadcast_to(np.asarray(a, dtype=float), (n,)))
            for a in (u, beta, x_lo, x_pole)]
    x, w = np.empty(n), np.empty(n)
    _sample_x_mixed_kernel(*args, HARD_SHARE, x, w)
    return x, w


@jit_exact
def _x_mixed_one(u, beta, x_lo, x_pole, c):  # pragma: no cover - compiled
    """(x, D(x)/g_mix(x)) of one point of :func:`sample_x_mixed`, hard share ``c``."""
    span = 1.0 - x_pole
    r_log = math.log(span / (x_lo - x_pole))
    if u < 1.0 - c:
        y = (u / (1.0 - c)) ** (2.0 / beta)
    else:
        # hard channel: x − x_pole = (1 − x_pole) e^{−R u}, so y = 1 − x keeps its digits near
        # x → 1
        y = -span * math.expm1(-r_log * ((u - (1.0 - c)) / c))
    x = 1.0 - y
    b2 = beta / 2.0
    # D/g with numerator and denominator divided by (β/2) y^{β/2−1} (finite at y = 0):
    # r = y^{1−β/2}/(β/2) multiplies the parts that are not the soft power law
    r = y ** (1.0 - b2) / b2
    hard_density = 1.0 / (max(x - x_pole, 1e-300) * r_log) if x >= x_lo else 0.0
    return x, (((1.0 + 3.0 * beta / 8.0) - beta / 4.0 * (1.0 + x) * r)
               / ((1.0 - c) + c * hard_density * r))


@jit_exact
def _sample_x_mixed_kernel(u, beta, x_lo, x_pole, c, x_out, w_out
                           ):  # pragma: no cover - compiled
    for i in range(u.shape[0]):
        x_out[i], w_out[i] = _x_mixed_one(u[i], beta[i], x_lo[i], x_pole[i], c)


def sample_cos_eikonal(u: Array, velocity: float | Array) -> Array:
    """cosθ of a photon relative to its emitter, density ∝ 1/(1 − v cosθ) (the eikonal
    1/(k·p) factor, leading term)."""
    t, _ = map_pole(u, 1.0 - velocity, 1.0 + velocity, 0.0)
    return np.clip((1.0 - t) / velocity, -1.0, 1.0)


def _photon_direction(uc: Array, uphi: Array, velocity: Array, sign: float) -> Array:
    """Unit 3-vectors (n, 3) from the eikonal angle around the beam moving along ``sign``·z."""
    c = sample_cos_eikonal(uc, velocity)
    s = np.sqrt(np.maximum(1.0 - c * c, 0.0))
    ph = 2.0 * np.pi * uphi
    out = np.empty((len(c), 3))
    out[:, 0] = s * np.cos(ph)
    out[:, 1] = s * np.sin(ph)
    out[:, 2] = sign * c
    return out


def _photon(direction: Array, e: Array) -> Array:
    k = np.empty((len(e), 4))
    k[:, 3] = np.where(e < E_PHOTON_MIN, 0.0, e)
    k[:, :3] = direction * k[:, 3:]
    return k


def isr_photons(u: Array, sqrt_s: Array, beta: float | Array, s_min: float,
                collinear: bool = False) -> tuple[Array, Array, Array]:
    """ISR photons of both beams in the canonical CMS frame (e⁻ along +z).

    ``u`` is (n, 6): (x₁, x₂, cosθ₁, φ₁, cosθ₂, φ₂) unit numbers; ``s_min`` is the hard threshold
    (the integrand vanishes for s' < s_min). Returns (k₁, k₂, weight) with k (n, 4) and the
    D(x₁)D(x₂) completion weight. Soft photons (< :data:`E_PHOTON_MIN`) are zeroed.
    ``collinear``: photons exactly along their beams (the angle numbers are unused; s' = x₁x₂s),
    the structure-function treatment of t-channel processes (module docstring).

    Importance sampling (the photon distributions are unchanged): beam 1's hard channel is 1/x₁ on
    [s_min/s, 1] (s' ≤ x₁s). Given k₁ and both directions, s' = (P − k₁ − k₂)² is linear in x₂,
    s' = B (x₂ − x_p), so beam 2's hard channel is 1/s' itself: both hard photons at an angle
    (s' ≪ x₁x₂s) would otherwise give weights ~50× the mean and a 2% unweighting efficiency.
    """
    if collinear:
        return _collinear_photons(u, sqrt_s, beta, s_min)
    s = sqrt_s * sqrt_s
    e_beam = sqrt_s / 2.0
    vel = np.sqrt(np.maximum(1.0 - (M_E / e_beam) ** 2, 0.0))
    x1, w1 = sample_x_mixed(u[:, 0], beta, s_min / s)
    n1 = _photon_direction(u[:, 2], u[:, 3], vel, 1.0)
    n2 = _photon_direction(u[:, 4], u[:, 5], vel, -1.0)
    k1 = _photon(n1, (1.0 - x1) * e_beam)
    cos12 = n1[:, 0] * n2[:, 0] + n1[:, 1] * n2[:, 1] + n1[:, 2] * n2[:, 2]
    n = len(x1)
    open_, x_pole, x_lo = np.empty(n, dtype=np.bool_), np.empty(n), np.empty(n)
    rs = np.ascontiguousarray(np.broadcast_to(np.asarray(sqrt_s, dtype=float), (n,)))
    _second_beam_kernel(rs, np.ascontiguousarray(k1[:, 3]), cos12, float(s_min), open_, x_pole,
                        x_lo)
    x2, w2 = sample_x_mixed(u[:, 1], beta, x_lo, x_pole)
    k2 = _photon(n2, (1.0 - x2) * e_beam)
    return k1, k2, np.where(open_, w1 * w2, 0.0)


@jit_exact
def _second_beam(rs, e1, cos12, s_min):  # pragma: no cover - compiled
    """Beam 2's hard channel given photon 1 (energy ``e1``) and the photons' cos n̂₁·n̂₂:
    s' = A − B(1 − x₂) with A = (P − k₁)² = s − 2√s E₁ and B = s − √s E₁ (1 − n̂₁·n̂₂), so
    the pole of 1/s' sits at x₂ = 1 − A/B and s' ≥ s_min from x₂ = pole + s_min/B. Returns
    (open, pole, lower end); not open where s' < s_min for every x₂ (the weight is zero)."""
    s = rs * rs
    a = s - 2.0 * rs * e1
    b = s - rs * e1 * (1.0 - cos12)
    open_ = a > s_min * (1.0 + 1e-12)
    if not open_:
        a, b = 2.0 * s_min, s
    x_pole = 1.0 - a / b
    return open_, x_pole, x_pole + s_min / b


@jit_exact
def _second_beam_kernel(rs, e1, cos12, s_min, open_, x_pole, x_lo
                        ):  # pragma: no cover - compiled
    for i in range(rs.shape[0]):
        open_[i], x_pole[i], x_lo[i] = _second_beam(rs[i], e1[i], cos12[i], s_min)


def _collinear_photons(u: Array, sqrt_s: Array, beta: float | Array, s_min: float
                       ) -> tuple[Array, Array, Array]:
    """:func:`isr_photons` with both photons along their beams (n̂₁·n̂₂ = −1, so A = B and the
    second beam's pole sits at x₂ = 0), one compiled pass."""
    n = len(u)
    rs, b = (np.ascontiguousarray(np.broadcast_to(np.asarray(a, dtype=float), (n,)))
             for a in (sqrt_s, beta))
    k1, k2, w = np.zeros((n, 4)), np.zeros((n, 4)), np.empty(n)
    _collinear_kernel(u, rs, b, float(s_min), HARD_SHARE, E_PHOTON_MIN, k1, k2, w)
    return k1, k2, w


@jit_exact
def _collinear_kernel(u, sqrt_s, beta, s_min, c, e_soft, k1, k2, w
                      ):  # pragma: no cover - compiled
    for i in range(u.shape[0]):
        rs = sqrt_s[i]
        s = rs * rs
        e_beam = rs / 2.0
        x1, w1 = _x_mixed_one(u[i, 0], beta[i], s_min / s, 0.0, c)
        e1 = (1.0 - x1) * e_beam
        e1 = 0.0 if e1 < e_soft else e1
        # back-to-back photons: A = B, the pole at x₂ = 0
        open_, x_pole, x_lo = _second_beam(rs, e1, -1.0, s_min)
        x2, w2 = _x_mixed_one(u[i, 1], beta[i], x_lo, x_pole, c)
        e2 = (1.0 - x2) * e_beam
        e2 = 0.0 if e2 < e_soft else e2
        k1[i, 2] = e1
        k1[i, 3] = e1
        k2[i, 2] = -e2
        k2[i, 3] = e2
        w[i] = w1 * w2 if open_ else 0.0


# ---------------------------------------------------------------------------------------------
# final-state radiation off a lepton pair
# ---------------------------------------------------------------------------------------------
def fsr_pair(p1: Array, p2: Array, m: float, rng: np.random.Generator,
             eta: Array | None = None) -> tuple[Array, Array, Array, Array]:
    """Collinear leading-log FSR off both legs of a lepton pair (a PHOTOS-like approximation).

    Each leg radiates an energy fraction z with the exponentiated collinear structure function of
    exponent η = (α/π)(ln(s'/m²) − 1) (s' = pair mass²), at an angle from the 1/(k·p) eikonal
    distribution around the leg. The pair recoils so that its total four-momentum is unchanged
    (energy–momentum conservation is exact). The interference and the exact matrix element of hard
    wide-angle photons are not included. Returns (p₁', p₂', k₁, k₂); soft photons are zero.
    ``eta`` (n,): a per-event exponent per leg instead of the pair-mass one (Bhabha's
    (α/π)(L_B − 1), :func:`beta_bhabha`).
    """
    n = len(p1)
    if eta is None:
        Q = p1 + p2
        mq2 = Q[:, 3] ** 2 - Q[:, 0] ** 2 - Q[:, 1] ** 2 - Q[:, 2] ** 2
        eta = ALPHA / math.pi * (np.log(np.maximum(mq2, 0.0) / m**2) - 1.0)
    eta = np.broadcast_to(np.asarray(eta, dtype=float), (n,))
    # random numbers in the order: per leg the fraction z, then cosθ and φ around the leg
    z = np.empty((n, 2))
    u = np.empty((n, 2, 2))
    for leg in range(2):
        z[:, leg] = _sample_z(rng, eta)
        u[:, leg, 0] = rng.random(n)
        u[:, leg, 1] = rng.random(n)
    out = np.empty((n, 4, 4))
    _fsr_kinematics(np.ascontiguousarray(p1, dtype=float), np.ascontiguousarray(p2, dtype=float),
                    float(m), z, u, out)
    return out[:, 0], out[:, 1], out[:, 2], out[:, 3]


@jit_exact
def _fsr_kinematics(p1: Array, p2: Array, m: float, z: Array, u: Array, out: Array) -> None:
    """Per event: photons k₁, k₂ off the legs in the pair rest frame (energy z·m_pair/2, eikonal
    angle from u), recoil of the pair, everything boosted back; out[i] = (l₁, l₂, k₁, k₂).
    One compiled pass (the numpy version made ~100 temporaries per event)."""
    q1, leg, k, scratch = np.empty(4), np.empty(4), np.empty((2, 4)), np.empty((2, 4))
    for i in range(p1.shape[0]):
        qx, qy, qz, qt = (p1[i, 0] + p2[i, 0], p1[i, 1] + p2[i, 1], p1[i, 2] + p2[i, 2],
                          p1[i, 3] + p2[i, 3])
        mq = math.sqrt(max(qt * qt - qx * qx - qy * qy - qz * qz, 0.0))
        boost_one(p1[i], -qx / qt, -qy / qt, -qz / qt, q1)  # pair rest frame
        for j in range(2):
            sign = 1.0 if j == 0 else -1.0  # leg 2 = −leg 1 in the pair rest frame
            leg[0], leg[1], leg[2], leg[3] = sign * q1[0], sign * q1[1], sign * q1[2], q1[3]
            _eikonal_photon(leg, z[i, j] * mq / 2.0, u[i, j, 0], u[i, j, 1], k[j])
        _recoil(q1, k, mq, m, out[i], scratch)
        for j in range(4):  # back to the frame of the input pair
            for c in range(4):
                leg[c] = out[i, j, c]
            boost_one(leg, qx / qt, qy / qt, qz / qt, out[i, j])


@jit_exact
def _recoil(q1: Array, k: Array, mq: float, m: float, out: Array, scratch: Array) -> None:
    """Pair rest frame: the leptons (mass m) share what the photons k leave of (0, 0, 0, mq),
    lepton 1 keeping the direction of q1 in the recoiling pair's rest frame; photons that leave
    no room for the pair are dropped. out = (l₁, l₂, k₁, k₂); scratch (2, 4) is work space."""
    rx, ry, rz = -k[0, 0] - k[1, 0], -k[0, 1] - k[1, 1], -k[0, 2] - k[1, 2]
    rt = mq - k[0, 3] - k[1, 3]
    dropped = rt * rt - rx * rx - ry * ry - rz * rz <= (2.0 * m) ** 2 * (1.0 + 1e-9)
    if dropped:
        rx, ry, rz, rt = 0.0, 0.0, 0.0, mq
    mp2 = rt * rt - rx * rx - ry * ry - rz * rz
    d, lep = scratch[0], scratch[1]
    boost_one(q1, -rx / rt, -ry / rt, -rz / rt, d)
    dnorm = math.sqrt(d[0] ** 2 + d[1] ** 2 + d[2] ** 2)
    pm = math.sqrt(max((mp2 - 4.0 * m * m) * mp2, 0.0)) / (2.0 * math.sqrt(mp2))
    for j in range(2):
        sign = 1.0 if j == 0 else -1.0
        for c in range(3):
            lep[c] = sign * d[c] / dnorm * pm
        lep[3] = math.sqrt(pm * pm + m * m)
        boost_one(lep, rx / rt, ry / rt, rz / rt, out[j])
        for c in range(4):  # element by element: numba compiles array assignment slowly
            out[2 + j, c] = 0.0 if dropped else k[j, c]


@jit_exact
def _eikonal_photon(leg: Array, e: float, u_cos: float, u_phi: float, k: Array) -> None:
    """Photon of energy ``e`` (zero below :data:`E_PHOTON_MIN`) at an angle from the 1/(k·p)
    distribution around ``leg`` (:func:`sample_cos_eikonal`), azimuth 2π u_phi, written to k."""
    if e < E_PHOTON_MIN:  # not emitted (most legs): no angle to compute
        k[0] = k[1] = k[2] = k[3] = 0.0
        return
    lmag = math.sqrt(leg[0] ** 2 + leg[1] ** 2 + leg[2] ** 2)
    vel = min(max(lmag / abs(leg[3]), 1e-12), 1.0 - 1e-15)
    lo = 1.0 - vel
    c = min(max((1.0 - lo * math.exp(u_cos * math.log((1.0 + vel) / lo))) / vel, -1.0), 1.0)
    s = math.sqrt(max(1.0 - c * c, 0.0))
    a, b = s * math.cos(2.0 * math.pi * u_phi), s * math.sin(2.0 * math.pi * u_phi)
    # (a, b, c) in the polar basis (θ̂, φ̂, l̂) of the leg: the rotation of +z onto l̂
    lx, ly, lz = leg[0] / lmag, leg[1] / lmag, leg[2] / lmag
    st = math.sqrt(lx * lx + ly * ly)
    cp, sp = (lx / st, ly / st) if st > 0.0 else (1.0, 0.0)
    k[0] = (a * lz * cp - b * sp + c * lx) * e
    k[1] = (a * lz * sp + b * cp + c * ly) * e
    k[2] = (-a * st + c * lz) * e
    k[3] = e


def _sample_z(rng: np.random.Generator, eta: Array) -> Array:
    """Radiated fraction z = 1 − x from D(x) (exponent η per leg) by a power law plus vectorised
    acceptance–rejection on the O(η) correction (rounds over the rejected subset, not events)."""
    n = len(eta)
    z = np.zeros(n)
    todo = np.arange(n)
    for _ in range(50):
        if todo.size == 0:
            break
        b = 2.0 * eta[todo]  # D's exponent is β/2 = η
        x, w = sample_x(rng.random(todo.size), b)
        keep = rng.random(todo.size) * (1.0 + 3.0 * b / 8.0) < w
        z[todo[keep]] = 1.0 - x[keep]
        todo = todo[~keep]
    return z


# ---------------------------------------------------------------------------------------------
# running coupling
# ---------------------------------------------------------------------------------------------
_DALPHA_HAD_MZ = 0.02766       # Δα_had^(5)(M_Z²) [RECALLED, PDG 2024 EW review]
_DALPHA_HAD_SLOPE = ALPHA / (3.0 * math.pi) * 3.0 * (4 / 9 + 1 / 9 + 1 / 9 + 4 / 9 + 1 / 9)
_M_Z = 91.1876


@jit_exact
def _dalpha_lepton(q2, m):  # pragma: no cover - compiled
    """Real part of the one-loop lepton vacuum polarisation Δα_ℓ(q²): exact in m, and where
    |q²| < m²/10 its expansion Δα_ℓ = (α/π)(z/15 − z²/140), z = −q²/m² (good to 2·10⁻⁹ there;
    the closed form loses every digit below |q²| ~ 10⁻⁹ GeV² in the μ and τ loops, which the
    spectator photon of a radiative Bhabha event reaches); 0 in the rest of the timelike
    window 0 < q² < 4m², where it is negligible for darkscan."""
    mm = m * m
    aq = abs(q2)
    if aq < 0.1 * mm:
        z = -q2 / mm
        return ALPHA / math.pi * (z / 15.0 - z * z / 140.0)
    r = 4.0 * mm / aq
    if q2 < 0.0:
        b, sgn = math.sqrt(1.0 + r), -1.0
    elif aq > 4.0 * mm:
        b, sgn = math.sqrt(1.0 - r), 1.0
    else:
        return 0.0
    return ALPHA / (3.0 * math.pi) * (-5.0 / 3.0 - sgn * r + (1.0 + sgn * r / 2.0) * b
                                      * math.log(abs((b + 1.0) / (b - 1.0))))


#: m₀² of :func:`_dalpha_hadron`: the PDG Δα_had^(5) at M_Z²
_M0_HAD_SQ = _M_Z**2 / math.expm1(_DALPHA_HAD_MZ / _DALPHA_HAD_SLOPE)


@jit_exact
def _dalpha_hadron(q2):  # pragma: no cover - compiled
    """Δα_had(|q²|) from a smooth parameterisation [INFERRED]: c·ln(1 + |q²|/m₀²) with the
    perturbative asymptotic slope c = (α/3π)·N_c Σ Q_q² (udscb) and m₀ fixed so that the value at
    M_Z² is the PDG Δα_had^(5). Gives 0.0031 at 1 GeV² and 0.0152 at (10.58 GeV)²; good to
    ~10% of Δα_had, i.e. ~0.2% on σ at √s = 10.58 GeV."""
    return _DALPHA_HAD_SLOPE * math.log1p(abs(q2) / _M0_HAD_SQ)


@jit_exact
def _alpha_running_kernel(q2, out):  # pragma: no cover - compiled
    for i in range(q2.shape[0]):
        q = q2[i]
        dal = _dalpha_lepton(q, M_E) + _dalpha_lepton(q, M_MU) + _dalpha_lepton(q, M_TAU)
        out[i] = ALPHA / (1.0 - dal - _dalpha_hadron(q))


def alpha_running(q2: float | Array) -> Array:
    """α(q²) = α / (1 − Δα_lep(q²) − Δα_had(q²)), the real part, for timelike or spacelike q²
    (one compiled pass: every generated point evaluates it per exchanged photon)."""
    q2 = np.asarray(q2, dtype=float)
    flat = np.ascontiguousarray(q2.ravel())
    out = np.empty_like(flat)
    _alpha_running_kernel(flat, out)
    return out.reshape(q2.shape)
