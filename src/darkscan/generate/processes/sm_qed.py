"""QED 2→2 backgrounds through the helicity engine: ee_mumu (μμ(γ)), ee_gg (γγ(γ)), ee_ee (Bhabha).

Radiative treatment (documented in :mod:`darkscan.generate.isr`): Born 2→2 matrix element at s'
(running α(q²) per exchanged photon: q² = s' for the s channel, q² = t for the t channel; α(0)
for the real photons of γγ), convolved with the Kuraev–Fadin ISR structure function of each beam
times the non-log soft+virtual constant; charged final-state leptons then radiate with a collinear
leading-log FSR structure function (PHOTOS-like, exact four-momentum conservation), which conserves
the total rate up to the inclusive factor (1 + 3α/4π). Hard wide-angle photons are therefore
described at leading-log accuracy (correct collinear/soft limits, no exact 2→3 matrix element),
and ISR–FSR interference (the ~1% charge asymmetry) is absent.

* ee_mumu (s channel): one ISR photon per beam at its eikonal angle, β = (2α/π)(ln(s/m_e²) − 1).
* ee_gg and ee_ee (t/u channel, cuts on CMS angles): the collinear structure-function method
  (ISR photons along the beams, hard system boosted along z only), because factorising a hard
  wide-angle photon from a t-channel Born ∝ 1/θ⁴ tilts hard-frame scatters from below the
  acceptance into it (measured: +84% for Bhabha, +8% for γγ at 10° < θ* < 170°). With
  longitudinal boosts tan(θ̂/2)² = tan(θ*₃/2)·tan(θ*₄′/2) (θ*₄′ from −z), so both particles
  inside 10°–170° requires θ̂ > 10°: the hard angle is generated from :data:`THETA_GEN_DEG`.
  Bhabha uses the four-leg soft-photon exponent L_B = ln(st/(u m_e²)) (:func:`beta_bhabha`) for
  ISR and FSR; γγ keeps ln(s/m_e²), exact for its neutral final state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from darkscan.generate import helas as h
from darkscan.generate.engine import EEProcess, in_theta_energy
from darkscan.generate.isr import alpha_running, beta_bhabha
from darkscan.generate.phase_space import rest_frame_p4, two_body
from darkscan.generate.registry import register
from darkscan.physics.constants import (
    ALPHA,
    GEV2_TO_PB,
    M_E,
    M_MU,
    PDG_ELECTRON,
    PDG_MUON,
    PDG_PHOTON,
)

Array = np.ndarray
#: hard-frame angular range generated for t/u-channel processes (the filter is applied in the
#: CMS): the massless bound is the 10° of the filter (module docstring); 1° of margin covers the
#: electron mass (rapidity ≠ pseudorapidity) at negligible cost
THETA_GEN_DEG = 9.0


def two_to_two(u: Array, sqrt_s: Array, m3: float, m4: float, cos_max: float = 1.0
               ) -> tuple[Array, Array, Array, Array]:
    """e⁻(p1) e⁺(p2) → p3 p4 in the rest frame, p3 at (cosθ, φ) with |cosθ| < cos_max.
    Returns (p1, p2, p (n, 2, 4), dΦ₂ × Jacobian); beams massless along ±z."""
    n = len(u)
    c = cos_max * (2.0 * u[:, 0] - 1.0)
    phi = 2.0 * np.pi * u[:, 1]
    p3, p4, dphi = two_body(rest_frame_p4(n, sqrt_s), m3, m4, c, phi)
    e = sqrt_s / 2.0
    zero = np.zeros(n)
    p1 = np.stack([zero, zero, e, e], axis=-1)
    p2 = np.stack([zero, zero, -e, e], axis=-1)
    return p1, p2, np.stack([p3, p4], axis=1), dphi * (2.0 * cos_max) * (2.0 * np.pi)


def _e2(q2: Array, rc: bool) -> Array:
    return 4.0 * np.pi * (alpha_running(q2) if rc else ALPHA)


def me2_ee_ffbar(p1: Array, p2: Array, p3: Array, p4: Array, m: float, e2: Array) -> Array:
    """Spin-averaged |M|² of e⁺e⁻ → γ* → f f̄ (unit charges, massless beams)."""
    je = _currents(h.spinors("vbar", p2, 0.0), h.spinors("u", p1, 0.0))
    jm = _currents(h.spinors("ubar", p3, m), h.spinors("v", p4, m))
    s = h.dot(p1 + p2, p1 + p2)
    return 0.25 * h.sum_abs2_dots(je, jm) * (e2 / s) ** 2


def _currents(bars: dict[int, Array], spinors: dict[int, Array]) -> list[Array]:
    """ψ̄ γ^μ ψ for every pair of helicities (each spinor computed once, not per pair)."""
    return [h.vector_current(fb, f) for fb in bars.values() for f in spinors.values()]


def me2_ee_gg(p1: Array, p2: Array, k1: Array, k2: Array, e2: Array) -> Array:
    """Spin-averaged |M|² of e⁺e⁻ → γγ (t and u channels, massless electrons). Spinors,
    polarisations and the propagating spinors (t: depends on (a, λ1), u: on (a, λ2)) are built
    once, not per helicity configuration."""
    us = {a: h.u(p1, 0.0, a) for a in h.FERMION}
    vbs = {b: h.vbar(p2, 0.0, b) for b in h.FERMION}
    e1s = {lam: h.polarisation(k1, 0.0, lam) for lam in h.PHOTON}
    e2s = {lam: h.polarisation(k2, 0.0, lam) for lam in h.PHOTON}
    ts = {(a, lam): h.fermion_prop(h.vertex_v(us[a], e1s[lam]), p1 - k1, 0.0)
          for a in h.FERMION for lam in h.PHOTON}
    uus = {(a, lam): h.fermion_prop(h.vertex_v(us[a], e2s[lam]), p1 - k2, 0.0)
           for a in h.FERMION for lam in h.PHOTON}

    def amp(a: int, b: int, l1: int, l2: int) -> Array:
        return (np.einsum("ni,ni->n", vbs[b], h.vertex_v(ts[a, l1], e2s[l2]))
                + np.einsum("ni,ni->n", vbs[b], h.vertex_v(uus[a, l2], e1s[l1])))

    return 0.25 * e2**2 * h.helicity_sum(amp, [h.FERMION] * 2 + [h.PHOTON] * 2)


def me2_bhabha(p1: Array, p2: Array, p3: Array, p4: Array, rc: bool) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → e⁻(p3)e⁺(p4), s and t channel photon exchange with
    the relative Fermi minus sign; α(q²) per channel when ``rc`` (Z exchange neglected:
    O(s/M_Z²) ≈ 1%·asymmetry at 10.58 GeV)."""
    s, t = h.dot(p1 + p2, p1 + p2), h.dot(p1 - p3, p1 - p3)
    es, et = _e2(s, rc) / s, _e2(t, rc) / t
    sp = {a: h.u(p1, 0.0, a) for a in h.FERMION}
    sb = {a: h.vbar(p2, 0.0, a) for a in h.FERMION}
    s3 = {a: h.ubar(p3, M_E, a) for a in h.FERMION}
    s4 = {a: h.v(p4, M_E, a) for a in h.FERMION}

    def amp(a: int, b: int, c: int, d: int) -> Array:
        ms = h.dot(h.vector_current(sb[b], sp[a]), h.vector_current(s3[c], s4[d])) * es
        mt = h.dot(h.vector_current(s3[c], sp[a]), h.vector_current(sb[b], s4[d])) * et
        return ms - mt

    return 0.25 * h.helicity_sum(amp, [h.FERMION] * 4)


class EEMuMu(EEProcess):
    name = "ee_mumu"
    description = ("e+e- -> mu+mu-(gamma): Born ME (helicity amplitudes) with running alpha, "
                   "Kuraev-Fadin ISR, collinear LL FSR")
    default_filter = "none"
    pdgs = (PDG_MUON, -PDG_MUON)
    fsr = ((0, 1, M_MU),)

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 2

    def s_min(self, params: Mapping[str, float]) -> float:
        return (2.0 * M_MU) ** 2 * 1.0001

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        p1, p2, p, dphi = two_to_two(u, sqrt_s, M_MU, M_MU)
        s = sqrt_s**2
        me2 = me2_ee_ffbar(p1, p2, p[:, 0], p[:, 1], M_MU, _e2(s, rc))
        fsr_norm = 1.0 + 3.0 * ALPHA / (4.0 * math.pi) if rc else 1.0
        return p, me2 * dphi / (2.0 * s) * GEV2_TO_PB * fsr_norm


class EEGammaGamma(EEProcess):
    name = "ee_gg"
    description = ("e+e- -> gamma gamma(gamma): Born t+u channel ME with collinear Kuraev-Fadin "
                   "ISR (ISR photons along the beams)")
    default_filter = "10 deg < theta*_gamma < 170 deg and E*_gamma > 0.15 GeV (both photons)"
    pdgs = (PDG_PHOTON, PDG_PHOTON)
    isr_collinear = True

    def xsec_note(self, isr: bool) -> str:
        return ("collinear ISR structure function (LL), α(0) for the real photons; no exact "
                "γγγ matrix element" if isr else super().xsec_note(isr))

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 2

    def s_min(self, params: Mapping[str, float]) -> float:
        return 0.09  # two photons above 0.15 GeV

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        p1, p2, p, dphi = two_to_two(u, sqrt_s, 0.0, 0.0, math.cos(math.radians(THETA_GEN_DEG)))
        s = sqrt_s**2
        me2 = me2_ee_gg(p1, p2, p[:, 0], p[:, 1], 4.0 * np.pi * ALPHA)
        # identical photons: 1/2
        return p, 0.5 * me2 * dphi / (2.0 * s) * GEV2_TO_PB

    def passes_filter(self, p: Array, k1: Array, k2: Array, params: Mapping[str, float]
                      ) -> Array:
        return np.all(in_theta_energy(p, 10.0, 170.0, 0.15), axis=1)


class Bhabha(EEProcess):
    name = "ee_ee"
    description = ("e+e- -> e+e-(gamma) Bhabha: s+t channel ME with running alpha(q2), collinear "
                   "Kuraev-Fadin ISR and LL FSR with the Bhabha log ln(st/(u m_e^2))")
    default_filter = "10 deg < theta*_e < 170 deg and E*_e > 0.15 GeV (both e+ and e-)"
    pdgs = (PDG_ELECTRON, -PDG_ELECTRON)
    fsr = ((0, 1, M_E),)
    isr_collinear = True

    def isr_beta(self, u_hard: Array, s: Array, params: Mapping[str, float]) -> Array:
        """β = (2α/π)(L_B − 1) at the hard e⁻ angle of :meth:`hard` (same mapping of u)."""
        c = math.cos(math.radians(THETA_GEN_DEG)) * (2.0 * u_hard[:, 0] - 1.0)
        return beta_bhabha(s, c)

    def fsr_eta(self, st: Mapping[str, Array]) -> Array | None:
        """Each final leg radiates with the per-beam exponent (α/π)(L_B − 1) = β/2."""
        return st["isr_beta"] / 2.0 if "isr_beta" in st else None

    def xsec_note(self, isr: bool) -> str:
        return ("collinear ISR structure function with the Bhabha log ln(st/(u m_e²)) (LL), "
                "α(t) and α(s') per channel, s-channel non-log constants (ISR and 3α/4π)"
                if isr else super().xsec_note(isr))

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 2

    def s_min(self, params: Mapping[str, float]) -> float:
        return 0.09

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        p1, p2, p, dphi = two_to_two(u, sqrt_s, M_E, M_E, math.cos(math.radians(THETA_GEN_DEG)))
        s = sqrt_s**2
        me2 = me2_bhabha(p1, p2, p[:, 0], p[:, 1], rc)
        fsr_norm = 1.0 + 3.0 * ALPHA / (4.0 * math.pi) if rc else 1.0
        return p, me2 * dphi / (2.0 * s) * GEV2_TO_PB * fsr_norm

    def passes_filter(self, p: Array, k1: Array, k2: Array, params: Mapping[str, float]
                      ) -> Array:
        return np.all(in_theta_energy(p, 10.0, 170.0, 0.15), axis=1)


def sigma_born_mumu(s: float, m: float = M_MU) -> float:
    """Closed form σ(e⁺e⁻→μ⁺μ⁻) = 4πα²/(3s) · β(3 − β²)/2 in pb (massless electrons)."""
    b = math.sqrt(1.0 - 4.0 * m * m / s)
    return 4.0 * math.pi * ALPHA**2 / (3.0 * s) * b * (3.0 - b * b) / 2.0 * GEV2_TO_PB


def dsigma_dcos_mumu(s: float, c: Array, m: float = M_MU) -> Array:
    """dσ/dcosθ (pb) of e⁺e⁻→μ⁺μ⁻ at Born level: πα²β/(2s)(1 + β²cos²θ + 4m²/s)."""
    b = math.sqrt(1.0 - 4.0 * m * m / s)
    return math.pi * ALPHA**2 * b / (2.0 * s) * (1.0 + b * b * c * c + 4 * m * m / s) * GEV2_TO_PB


def sigma_born_bhabha(s: float, theta_min_deg: float = 10.0) -> float:
    """Born Bhabha σ (pb, s+t channel photons, α(0), massless) with both leptons inside
    θ_min < θ < 180° − θ_min (for the back-to-back Born pair one condition on the e⁻ angle).

    dσ/dcosθ = (πα²/s)[(s² + u²)/t² + 2u²/(st) + (u² + t²)/s²] with t = −sx, u = −s(1 − x),
    x = (1 − cosθ)/2, so dσ/dx = (2πα²/s)(2/x² − 4/x + 6 − 4x + 2x²) and
    σ = (2πα²/s)[F(x)] between x(θ_min) and x(180° − θ_min), F = −2/x − 4 ln x + 6x − 2x² + 2x³/3
    (derived here; cf. Berestetskii, Lifshitz, Pitaevskii, QED §81)."""
    c = math.cos(math.radians(theta_min_deg))
    def prim(x: float) -> float:
        return -2.0 / x - 4.0 * math.log(x) + 6.0 * x - 2.0 * x * x + 2.0 * x**3 / 3.0
    x1, x2 = (1.0 - c) / 2.0, (1.0 + c) / 2.0
    return 2.0 * math.pi * ALPHA**2 / s * (prim(x2) - prim(x1)) * GEV2_TO_PB


def sigma_born_gg(s: float, theta_min_deg: float = 10.0) -> float:
    """Born σ(e⁺e⁻ → γγ) (pb, massless electrons) with both photons at |cosθ| < cos θ_min.

    |M|² = 2e⁴(u/t + t/u) = 4e⁴(1 + c²)/(1 − c²); with the identical-photon 1/2 over the full
    cosθ range, dσ/dcosθ = (πα²/s)(1 + c²)/(1 − c²) = (πα²/s)(2/(1 − c²) − 1), so
    σ = (πα²/s)[2 ln((1 + c₀)/(1 − c₀)) − 2c₀] (derived here; the c₀ → 1 limit with the electron
    mass regulator is the classic (2πα²/s)(ln(s/m²) − 1))."""
    c = math.cos(math.radians(theta_min_deg))
    return math.pi * ALPHA**2 / s * (2.0 * math.log((1.0 + c) / (1.0 - c)) - 2.0 * c) * GEV2_TO_PB


EE_MUMU = register(EEMuMu())
EE_GG = register(EEGammaGamma())
EE_EE = register(Bhabha())
