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
system absorbs the recoil.
"""

from __future__ import annotations

import math

import numpy as np

from darkscan.generate.phase_space import map_pole
from darkscan.physics.constants import ALPHA, M_E, M_MU, M_TAU
from darkscan.physics.lorentz import boost, two_body_momentum

Array = np.ndarray

#: photons softer than this (GeV) are not emitted at all (the radiating leg keeps their energy),
#: so that energy–momentum conservation stays exact; far below any detector threshold.
E_PHOTON_MIN = 1.0e-4
#: non-logarithmic soft+virtual ISR constant for the total cross section (Kuraev–Fadin)
ISR_CONSTANT = 1.0 + ALPHA / math.pi * (math.pi**2 / 3.0 - 0.5)


def beta_isr(s: float | Array, m: float = M_E) -> float | Array:
    """β = (2α/π)(ln(s/m²) − 1): the ISR exponent for both beams together."""
    return 2.0 * ALPHA / math.pi * (np.log(s / m**2) - 1.0)


def sample_x(u: Array, beta: float | Array) -> tuple[Array, Array]:
    """Map u ∈ [0, 1] to the kept energy fraction x with 1 − x = u^{2/β} (the singular power law
    of D) and return (x, D(x)/density), the weight that completes D(x)."""
    y = np.power(u, 2.0 / beta)
    x = 1.0 - y
    w = (1.0 + 3.0 * beta / 8.0) - 0.5 * (1.0 + x) * np.power(y, 1.0 - beta / 2.0)
    return x, w


#: share of ISR points generated from the 1/x (hard-photon, radiative-return) channel
HARD_SHARE = 0.25


def sample_x_mixed(u: Array, beta: float | Array, x_min: float) -> tuple[Array, Array]:
    """Like :func:`sample_x` but a share :data:`HARD_SHARE` of the points follows 1/x on
    [x_min, 1]: the 1/s' growth of the hard cross section at low s' is otherwise a narrow spike
    in u that VEGAS cannot flatten (unweighting efficiency 2% → ~30%). Weight = D(x)/g_mix(x)."""
    c = HARD_SHARE
    soft = u < 1.0 - c
    us = np.where(soft, u / (1.0 - c), 0.5)
    uh = np.where(soft, 0.5, (u - (1.0 - c)) / c)
    y_soft = np.power(us, 2.0 / beta)
    lmax = -math.log(x_min)
    y_hard = 1.0 - np.exp(-lmax * uh)  # x = e^{−L u}: density 1/(x L)
    y = np.where(soft, y_soft, y_hard)
    x = 1.0 - y
    b2 = beta / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        d = b2 * np.power(y, b2 - 1.0) * (1.0 + 3.0 * beta / 8.0) - beta / 4.0 * (1.0 + x)
        g = (1.0 - c) * b2 * np.power(y, b2 - 1.0) + c / (np.maximum(x, x_min) * lmax)
        w = np.where(y > 0, d / g, (1.0 + 3.0 * beta / 8.0) / (1.0 - c))
    return x, w


def sample_cos_eikonal(u: Array, velocity: float | Array) -> Array:
    """cosθ of a photon relative to its emitter, density ∝ 1/(1 − v cosθ) (the eikonal
    1/(k·p) factor, leading term)."""
    t, _ = map_pole(u, 1.0 - velocity, 1.0 + velocity, 0.0)
    return np.clip((1.0 - t) / velocity, -1.0, 1.0)


def isr_photons(u: Array, sqrt_s: Array, beta: float | Array, x_min: float = 1e-4
                ) -> tuple[Array, Array, Array]:
    """ISR photons of both beams in the canonical CMS frame (e⁻ along +z).

    ``u`` is (n, 6): (x₁, x₂, cosθ₁, φ₁, cosθ₂, φ₂) unit numbers. Returns (k₁, k₂, weight) with
    k (n, 4) and the D(x₁)D(x₂) completion weight. Soft photons (< :data:`E_PHOTON_MIN`) are zeroed.
    """
    x1, w1 = sample_x_mixed(u[:, 0], beta, x_min)
    x2, w2 = sample_x_mixed(u[:, 1], beta, x_min)
    e_beam = sqrt_s / 2.0
    vel = np.sqrt(np.maximum(1.0 - (M_E / e_beam) ** 2, 0.0))
    ks = []
    for x, uc, uphi, sign in ((x1, u[:, 2], u[:, 3], 1.0), (x2, u[:, 4], u[:, 5], -1.0)):
        e = (1.0 - x) * e_beam
        e = np.where(e < E_PHOTON_MIN, 0.0, e)
        c = sample_cos_eikonal(uc, vel)
        s = np.sqrt(np.maximum(1.0 - c * c, 0.0))
        ph = 2.0 * np.pi * uphi
        ks.append(np.stack([e * s * np.cos(ph), e * s * np.sin(ph), sign * e * c, e], axis=-1))
    return ks[0], ks[1], w1 * w2


# ---------------------------------------------------------------------------------------------
# final-state radiation off a lepton pair
# ---------------------------------------------------------------------------------------------
def fsr_pair(p1: Array, p2: Array, m: float, rng: np.random.Generator
             ) -> tuple[Array, Array, Array, Array]:
    """Collinear leading-log FSR off both legs of a lepton pair (a PHOTOS-like approximation).

    Each leg radiates an energy fraction z with the exponentiated collinear structure function of
    exponent η = (α/π)(ln(s'/m²) − 1) (s' = pair mass²), at an angle from the 1/(k·p) eikonal
    distribution around the leg. The pair recoils so that its total four-momentum is unchanged
    (energy–momentum conservation is exact). The interference and the exact matrix element of hard
    wide-angle photons are not included. Returns (p₁', p₂', k₁, k₂); soft photons are zero.
    """
    n = len(p1)
    Q = p1 + p2
    mq = np.sqrt(np.maximum(Q[:, 3] ** 2 - np.sum(Q[:, :3] ** 2, axis=-1), 0.0))
    beta_q = Q[:, :3] / Q[:, 3:4]
    q1 = boost(p1, -beta_q)  # pair rest frame
    eta = ALPHA / math.pi * (np.log(mq**2 / m**2) - 1.0)
    ks = []
    for leg in (q1, -q1 * np.array([1, 1, 1, -1])):
        z = _sample_z(rng, eta)
        e = z * mq / 2.0
        e = np.where(e < E_PHOTON_MIN, 0.0, e)
        lmag = np.sqrt(np.sum(leg[:, :3] ** 2, axis=-1))
        vel = np.clip(lmag / np.abs(leg[:, 3]), 1e-12, 1.0 - 1e-15)
        c = sample_cos_eikonal(rng.random(n), vel)
        s = np.sqrt(np.maximum(1.0 - c * c, 0.0))
        ph = 2.0 * np.pi * rng.random(n)
        local = np.stack([s * np.cos(ph), s * np.sin(ph), c], axis=-1)
        rot = _rotation_to(leg[:, :3])
        direction = np.einsum("nij,nj->ni", rot, local)
        ks.append(np.concatenate([direction * e[:, None], e[:, None]], axis=-1))
    k1, k2 = ks
    rest = np.zeros((n, 4))
    rest[:, 3] = mq
    qp = rest - k1 - k2
    m2 = qp[:, 3] ** 2 - np.sum(qp[:, :3] ** 2, axis=-1)
    bad = m2 <= (2.0 * m) ** 2 * (1.0 + 1e-9)
    k1[bad] = 0.0
    k2[bad] = 0.0
    qp[bad] = rest[bad]
    mp = np.sqrt(qp[:, 3] ** 2 - np.sum(qp[:, :3] ** 2, axis=-1))
    # the leptons keep the direction of leg 1 in the recoiling pair's rest frame
    bq = qp[:, :3] / qp[:, 3:4]
    d = boost(q1, -bq)[:, :3]
    d /= np.linalg.norm(d, axis=-1, keepdims=True)
    pm = two_body_momentum(mp, m, m)
    em = np.sqrt(pm**2 + m * m)
    l1 = np.concatenate([d * pm[:, None], em[:, None]], axis=-1)
    l2 = np.concatenate([-d * pm[:, None], em[:, None]], axis=-1)
    l1, l2 = boost(l1, bq), boost(l2, bq)
    out = [boost(a, beta_q) for a in (l1, l2, k1, k2)]
    return out[0], out[1], out[2], out[3]


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


def _rotation_to(d: Array) -> Array:
    from darkscan.physics.lorentz import rotation_to

    return rotation_to(d)


# ---------------------------------------------------------------------------------------------
# running coupling
# ---------------------------------------------------------------------------------------------
_DALPHA_HAD_MZ = 0.02766       # Δα_had^(5)(M_Z²) [RECALLED, PDG 2024 EW review]
_DALPHA_HAD_SLOPE = ALPHA / (3.0 * math.pi) * 3.0 * (4 / 9 + 1 / 9 + 1 / 9 + 4 / 9 + 1 / 9)
_M_Z = 91.1876


def _dalpha_lepton(q2: Array, m: float) -> Array:
    """Real part of the one-loop lepton vacuum polarisation Δα_ℓ(q²) (exact in m; 0 inside the
    tiny timelike window 0 < q² < 4m² where it is negligible for darkscan)."""
    aq = np.abs(q2)
    r = 4.0 * m * m / np.where(aq > 0, aq, 1.0)
    spacelike = q2 < 0
    b = np.sqrt(np.where(spacelike, 1.0 + r, np.maximum(1.0 - r, 1e-300)))
    sgn = np.where(spacelike, -1.0, 1.0)
    val = ALPHA / (3.0 * math.pi) * (-5.0 / 3.0 - sgn * r + (1.0 + sgn * r / 2.0) * b
                                     * np.log(np.abs((b + 1.0) / (b - 1.0))))
    return np.where((aq > 4.0 * m * m) | spacelike, val, 0.0)


def _dalpha_hadron(q2: Array) -> Array:
    """Δα_had(|q²|) from a smooth parameterisation [INFERRED]: c·ln(1 + |q²|/m₀²) with the
    perturbative asymptotic slope c = (α/3π)·N_c Σ Q_q² (udscb) and m₀ fixed so that the value at
    M_Z² is the PDG Δα_had^(5). Gives 0.0031 at 1 GeV² and 0.0152 at (10.58 GeV)²; good to
    ~10% of Δα_had, i.e. ~0.2% on σ at √s = 10.58 GeV."""
    m0sq = _M_Z**2 / math.expm1(_DALPHA_HAD_MZ / _DALPHA_HAD_SLOPE)
    return _DALPHA_HAD_SLOPE * np.log1p(np.abs(q2) / m0sq)


def alpha_running(q2: float | Array) -> Array:
    """α(q²) = α / (1 − Δα_lep(q²) − Δα_had(q²)), the real part, for timelike or spacelike q²."""
    q2 = np.asarray(q2, dtype=float)
    dal = sum(_dalpha_lepton(q2, m) for m in (M_E, M_MU, M_TAU))
    return ALPHA / (1.0 - dal - _dalpha_hadron(q2))
