"""Dark photon A′ (kinetic mixing ε, dark coupling α_D): widths, branching fractions, lifetime and
the closed-form σ(e⁺e⁻ → γA′).

Visible widths: Γ(A′→ℓℓ) = (αε²m/3)(1+2m_ℓ²/m²)β_ℓ (DarkCast eq. 2.13, Ilten et al. JHEP 06
(2018) 004; basf2 ``Dark_photon_UFO``) [theory_detector.md A2, READ]. Hadrons through the R ratio,
Γ(A′→had) = (αε²m/3)·R(m) (Batell, Pospelov, Ritz PRD 79 (2009) 115008) [A2, RECALLED], with the
darkscan R of :mod:`darkscan.models.rratio`. Invisible: Dirac χχ̄ [A2, READ basf2 UFO] or the
inelastic pair χ₁χ₂ [A2, DERIVED; re-derived for darkscan from the spin-summed trace, agrees].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from darkscan.models.common import ctau_from_width, kallen, vector_to_fermions
from darkscan.models.params import (
    require_in_range,
    require_nonnegative,
    require_positive,
    validate_param,
)
from darkscan.models.rratio import r_ratio
from darkscan.physics.constants import ALPHA, GEV2_TO_PB, M_E, M_MU, M_TAU

__all__ = ["branching_fractions", "ctau", "sigma_gamma_darkphoton", "total_width",
           "width_chi1chi2", "width_chichi", "width_ee", "width_hadrons", "width_leptons",
           "width_mumu", "width_tautau", "width_visible"]

_E = np.sqrt(4.0 * np.pi * ALPHA)


def width_leptons(epsilon: ArrayLike, mass: ArrayLike, m_lepton: ArrayLike) -> np.ndarray:
    """Γ(A′→ℓ⁺ℓ⁻) = (αε²m/3)(1+2m_ℓ²/m²)β_ℓ in GeV [theory_detector.md A2, READ]."""
    eps = validate_param("epsilon", epsilon)
    m = validate_param("mass", mass)
    return vector_to_fermions(eps * _E, m, m_lepton)


def width_ee(epsilon: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(A′→e⁺e⁻) in GeV [A2, READ]."""
    return width_leptons(epsilon, mass, M_E)


def width_mumu(epsilon: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(A′→μ⁺μ⁻) in GeV [A2, READ]."""
    return width_leptons(epsilon, mass, M_MU)


def width_tautau(epsilon: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(A′→τ⁺τ⁻) in GeV [A2, READ]."""
    return width_leptons(epsilon, mass, M_TAU)


def width_hadrons(epsilon: ArrayLike, mass: ArrayLike, narrow: bool = False) -> np.ndarray:
    """Γ(A′→hadrons) = (αε²m/3)·R(m) in GeV, R from :func:`darkscan.models.rratio.r_ratio`
    (massless-muon normalisation, as R itself) [A2, RECALLED: BPR 2009; Bjorken et al. 2009].
    ``narrow=True`` includes the J/ψ and ψ(2S) peaks."""
    eps = validate_param("epsilon", epsilon)
    m = validate_param("mass", mass)
    return ALPHA * eps**2 * m / 3.0 * r_ratio(m, narrow=narrow)


def width_visible(epsilon: ArrayLike, mass: ArrayLike, narrow: bool = False) -> np.ndarray:
    """Γ(A′→ SM) = ee + μμ + ττ + hadrons, in GeV."""
    return (width_ee(epsilon, mass) + width_mumu(epsilon, mass) + width_tautau(epsilon, mass)
            + width_hadrons(epsilon, mass, narrow))


def width_chichi(alpha_d: ArrayLike, mass: ArrayLike, mass_chi: ArrayLike) -> np.ndarray:
    """Γ(A′→χχ̄), Dirac χ: (α_D m/3)(1+2m_χ²/m²)β_χ in GeV [theory_detector.md A2, READ: basf2
    ``Dark_photon_UFO``; Bernreuther, Heeba, Kahlhoefer JCAP 03 (2021) 040]."""
    ad = validate_param("alpha_d", alpha_d)
    m = validate_param("mass", mass)
    mc = require_nonnegative("mass_chi", mass_chi, "GeV")
    return vector_to_fermions(np.sqrt(4.0 * np.pi * ad), m, mc)


def width_chi1chi2(alpha_d: ArrayLike, mass: ArrayLike, mass_chi1: ArrayLike,
                   delta: ArrayLike) -> np.ndarray:
    """Γ(A′→χ₁χ₂), inelastic pair m₂ = m₁ + Δ, in GeV:
    α_D λ^{1/2}(m², m₁², m₂²)/(3m³)·[m² − (m₁²+m₂²)/2 + 3m₁m₂ − (m₁²−m₂²)²/(2m²)]
    [theory_detector.md A2, DERIVED; darkscan re-derived it from Tr[(p̸₁+m₁)γ^μ(p̸₂−m₂)γ^ν] with
    the massive-vector polarisation sum: same result, → Dirac χχ̄ for Δ → 0]."""
    ad = validate_param("alpha_d", alpha_d)
    m = validate_param("mass", mass)
    m1 = require_positive("mass_chi1", mass_chi1, "GeV")
    m2 = m1 + require_positive("delta", delta, "GeV")
    lam = kallen(m * m, m1 * m1, m2 * m2)
    open_ = (m > m1 + m2) & (lam > 0)
    lam = np.where(open_, lam, 0.0)
    bracket = m * m - (m1**2 + m2**2) / 2.0 + 3.0 * m1 * m2 - (m1**2 - m2**2) ** 2 / (2.0 * m * m)
    return np.where(open_, ad * np.sqrt(lam) / (3.0 * m**3) * bracket, 0.0)


def total_width(epsilon: ArrayLike, mass: ArrayLike, alpha_d: ArrayLike = 0.0,
                mass_chi: ArrayLike | None = None, delta: ArrayLike | None = None,
                narrow: bool = False) -> np.ndarray:
    """Γ_tot in GeV: visible widths plus, if ``mass_chi`` is given, χχ̄ (``delta`` None) or
    χ₁χ₂ (``mass_chi`` = m_χ₁, ``delta`` = Δ)."""
    tot = width_visible(epsilon, mass, narrow)
    if mass_chi is not None:
        tot = tot + _width_invisible(alpha_d, mass, mass_chi, delta)
    return tot


def _width_invisible(alpha_d: ArrayLike, mass: ArrayLike, mass_chi: ArrayLike,
                     delta: ArrayLike | None) -> np.ndarray:
    if delta is None:
        return width_chichi(alpha_d, mass, mass_chi)
    return width_chi1chi2(alpha_d, mass, mass_chi, delta)


def branching_fractions(epsilon: ArrayLike, mass: ArrayLike, alpha_d: ArrayLike = 0.0,
                        mass_chi: ArrayLike | None = None, delta: ArrayLike | None = None,
                        narrow: bool = False) -> dict[str, np.ndarray]:
    """BFs per channel: ``ee``, ``mumu``, ``tautau``, ``hadrons``, ``invisible``."""
    parts = {"ee": width_ee(epsilon, mass), "mumu": width_mumu(epsilon, mass),
             "tautau": width_tautau(epsilon, mass),
             "hadrons": width_hadrons(epsilon, mass, narrow)}
    inv = (_width_invisible(alpha_d, mass, mass_chi, delta) if mass_chi is not None
           else np.zeros_like(parts["ee"]))
    parts["invisible"] = inv
    tot = sum(parts.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        return {k: np.where(tot > 0, v / tot, 0.0) for k, v in parts.items()}


def ctau(epsilon: ArrayLike, mass: ArrayLike, alpha_d: ArrayLike = 0.0,
         mass_chi: ArrayLike | None = None, delta: ArrayLike | None = None) -> np.ndarray:
    """Proper decay length cτ = ħc/Γ_tot in cm."""
    return ctau_from_width(total_width(epsilon, mass, alpha_d, mass_chi, delta))


def sigma_gamma_darkphoton(mass: ArrayLike, epsilon: ArrayLike = 1.0, cos_max: float = 0.95,
                           cos_min: float | None = None, sqrt_s: float = 10.58) -> np.ndarray:
    """Born σ(e⁺e⁻ → γA′) in pb for an on-shell A′ with the photon in cos_min < cosθ* < cos_max
    (CMS; default symmetric |cosθ*| < ``cos_max``), massless electrons:

        σ = (2πα²ε²/s)(1 − m²/s)[F(c₂) − F(c₁)],  F(c) = −c + (1 + 2m²s/(s−m²)²) ln[(1+c)/(1−c)]

    [theory_detector.md A2, DERIVED and checked against a trace calculation; standard form in
    Essig et al. JHEP 11 (2013) 167]. The event generator owns the process; this is its check.
    """
    m = validate_param("mass", mass)
    eps = validate_param("epsilon", epsilon)
    c2 = float(require_in_range("cos_max", cos_max, -1.0, 1.0, low_open=True, high_open=True))
    c1 = -c2 if cos_min is None else float(
        require_in_range("cos_min", cos_min, -1.0, c2, low_open=True, high_open=True))
    s = sqrt_s**2
    require_in_range("mass", m, 0.0, sqrt_s, low_open=True, high_open=True, unit="GeV",
                     extra="the A′ must be lighter than √s")
    k = 1.0 + 2.0 * m * m * s / (s - m * m) ** 2

    def f(c: float) -> np.ndarray:
        return -c + k * np.log((1.0 + c) / (1.0 - c))

    return 2.0 * np.pi * ALPHA**2 * eps**2 / s * (1.0 - m * m / s) * (f(c2) - f(c1)) * GEV2_TO_PB
