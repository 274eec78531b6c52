"""Inelastic dark matter: two Majorana states χ₁ < χ₂ (Δ = m_χ2 − m_χ1) coupled off-diagonally to
the dark photon, with a dark Higgs h′ (Duerr, Ferber, Garcia-Cely, Hearty, Schmidt-Hoberg, JHEP 04
(2021) 146, arXiv:2012.08595) [theory_detector.md A6].

The χ₂ → χ₁ f f̄ width is the exact three-body integral over the pair mass q² through an off-shell
A′ (written for darkscan). For a vector coupled to a conserved current the lepton-side phase-space
integral gives exactly a "V(√q²) → f f̄ width", so

    dΓ/dq² = (1/π) Γ(χ₂→χ₁V*; q²) · √q² Γ(V*→f f̄; √q²) / [(q² − m_A′²)² + m_A′²Γ_A′²]

with, from Tr[(p̸₁+m₁)γ^μ(P̸+m₂)γ^ν](−g_μν + q_μq_ν/q²), M = m₁ + m₂:

    Γ(χ₂→χ₁V*) = α_D |p| (Δ² − q²)(M²/(2q²) + 1)/m₂²,  |p| = √((Δ²−q²)(M²−q²))/(2m₂)
    √q² Γ(V*→ℓℓ) = (αε²q²/3)(1 + 2m_ℓ²/q²)β_ℓ,   hadrons: (αε²q²/3)R(√q²)

For Δ ≪ m_χ1, m_A′ this reduces to Γ = 4ε²αα_DΔ⁵/(15π m_A′⁴) [A6, RECALLED/DERIVED], which is
:func:`width_chi2_ee_limit`; the sign of the m₁m₂ term is the one that gives this Δ⁵ (Fermi-like)
limit and the Dirac result for A′ → χ₁χ₂ at Δ → 0 (the same convention as
:func:`darkscan.models.dark_photon.width_chi1chi2`).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import ArrayLike

from darkscan.errors import ParameterError
from darkscan.models import dark_photon
from darkscan.models.common import beta, ctau_from_width
from darkscan.models.params import validate_param
from darkscan.models.rratio import r_ratio
from darkscan.physics.constants import ALPHA, M_E, M_MU, M_PI

__all__ = ["ctau_chi2", "total_width_chi2", "width_chi2_ee", "width_chi2_ee_limit",
           "width_chi2_hadrons", "width_chi2_leptons", "width_chi2_mumu", "yield_variable"]


def yield_variable(epsilon: ArrayLike, alpha_d: ArrayLike, mass_chi1: ArrayLike,
                   mass_darkphoton: ArrayLike) -> np.ndarray:
    """y = ε²α_D(m_χ1/m_A′)⁴ [A6, RECALLED, standard]."""
    eps = validate_param("epsilon", epsilon)
    ad = validate_param("alpha_d", alpha_d)
    m1 = validate_param("mass_chi1", mass_chi1)
    ma = validate_param("mass_darkphoton", mass_darkphoton)
    return eps**2 * ad * (m1 / ma) ** 4


def _inputs(mass_chi1: ArrayLike, delta: ArrayLike, mass_darkphoton: ArrayLike,
            alpha_d: ArrayLike, epsilon: ArrayLike) -> tuple[np.ndarray, ...]:
    m1 = validate_param("mass_chi1", mass_chi1)
    d = validate_param("delta", delta)
    ma = validate_param("mass_darkphoton", mass_darkphoton)
    ad = validate_param("alpha_d", alpha_d)
    eps = validate_param("epsilon", epsilon)
    if np.any(ma <= d):
        raise ParameterError("parameter 'delta' must be below 'mass_darkphoton' (the A′ must be "
                             "off shell in χ₂ → χ₁ f f̄); for m_A′ < Δ use the two-body χ₂ → χ₁A′")
    return tuple(np.broadcast_arrays(m1, d, ma, ad, eps))


def width_chi2_ee_limit(mass_chi1: ArrayLike, delta: ArrayLike, mass_darkphoton: ArrayLike,
                        alpha_d: ArrayLike, epsilon: ArrayLike) -> np.ndarray:
    """Γ(χ₂→χ₁e⁺e⁻) ≈ 4ε²αα_DΔ⁵/(15π m_A′⁴) in GeV, valid for m_e ≪ Δ ≪ m_χ1, m_A′ [A6]."""
    _, d, ma, ad, eps = _inputs(mass_chi1, delta, mass_darkphoton, alpha_d, epsilon)
    return 4.0 * eps**2 * ALPHA * ad * d**5 / (15.0 * np.pi * ma**4)


@cache
def _nodes(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre on [0, 1]: ⌈n/32⌉ equal panels of 32 nodes (n ≥ 32)."""
    x, w = np.polynomial.legendre.leggauss(32)
    panels = max(1, -(-n // 32))
    edges = np.arange(panels)[:, None] / panels
    return ((edges + 0.5 * (x + 1.0) / panels).ravel(),
            np.broadcast_to(0.5 * w / panels, (panels, 32)).ravel())


def _three_body(m1: np.ndarray, d: np.ndarray, ma: np.ndarray, ad: np.ndarray,
                eps: np.ndarray, threshold: float, current: str, n_nodes: int) -> np.ndarray:
    """∫ dq² dΓ/dq² over 2m_f < √q² < Δ with Gauss–Legendre in u, √q² = a + (Δ−a)(1−cos πu)/2
    (smooth at both square-root end points)."""
    gam_a = dark_photon.total_width(eps, ma, ad, mass_chi=m1, delta=d)
    u, w = _nodes(n_nodes)
    a = np.full_like(d, threshold)
    span = np.clip(d - a, 0.0, None)[..., None]
    mu = a[..., None] + span * (1.0 - np.cos(np.pi * u)) / 2.0
    dmu_du = span * np.pi / 2.0 * np.sin(np.pi * u)
    q2 = mu**2
    big_m = (2.0 * m1 + d)[..., None]
    m2 = (m1 + d)[..., None]
    dd2 = np.clip(d[..., None] ** 2 - q2, 0.0, None)
    p = np.sqrt(dd2 * (big_m**2 - q2)) / (2.0 * m2)
    gam_2 = ad[..., None] * p * dd2 * (big_m**2 / (2.0 * q2) + 1.0) / m2**2
    if current == "hadrons":
        spectral = ALPHA * eps[..., None] ** 2 * q2 / 3.0 * r_ratio(mu)
    else:
        spectral = (ALPHA * eps[..., None] ** 2 * q2 / 3.0 * (1.0 + 2.0 * threshold**2 / (4 * q2))
                    * beta(mu, threshold / 2.0))
    prop = (q2 - ma[..., None] ** 2) ** 2 + (ma * gam_a)[..., None] ** 2
    integrand = gam_2 * spectral / (np.pi * prop) * 2.0 * mu * dmu_du
    return np.where(d > threshold, np.sum(integrand * w, axis=-1), 0.0)


def width_chi2_leptons(mass_chi1: ArrayLike, delta: ArrayLike, mass_darkphoton: ArrayLike,
                       alpha_d: ArrayLike, epsilon: ArrayLike, m_lepton: float = M_E,
                       n_nodes: int = 96) -> np.ndarray:
    """Γ(χ₂→χ₁ℓ⁺ℓ⁻) in GeV from the exact three-body integral (module docstring); 0 if Δ ≤ 2m_ℓ.
    Vectorised over every argument but ``m_lepton``."""
    args = _inputs(mass_chi1, delta, mass_darkphoton, alpha_d, epsilon)
    return _three_body(*args, threshold=2.0 * m_lepton, current="lepton", n_nodes=n_nodes)


def width_chi2_ee(mass_chi1: ArrayLike, delta: ArrayLike, mass_darkphoton: ArrayLike,
                  alpha_d: ArrayLike, epsilon: ArrayLike) -> np.ndarray:
    """Γ(χ₂→χ₁e⁺e⁻) in GeV (exact three-body)."""
    return width_chi2_leptons(mass_chi1, delta, mass_darkphoton, alpha_d, epsilon, M_E)


def width_chi2_mumu(mass_chi1: ArrayLike, delta: ArrayLike, mass_darkphoton: ArrayLike,
                    alpha_d: ArrayLike, epsilon: ArrayLike) -> np.ndarray:
    """Γ(χ₂→χ₁μ⁺μ⁻) in GeV (exact three-body)."""
    return width_chi2_leptons(mass_chi1, delta, mass_darkphoton, alpha_d, epsilon, M_MU)


def width_chi2_hadrons(mass_chi1: ArrayLike, delta: ArrayLike, mass_darkphoton: ArrayLike,
                       alpha_d: ArrayLike, epsilon: ArrayLike, n_nodes: int = 2048
                       ) -> np.ndarray:
    """Γ(χ₂→χ₁ + hadrons) in GeV: the three-body integral with the R ratio
    (:mod:`darkscan.models.rratio`) as the spectral function; 0 if Δ ≤ 2m_π."""
    args = _inputs(mass_chi1, delta, mass_darkphoton, alpha_d, epsilon)
    return _three_body(*args, threshold=2.0 * M_PI, current="hadrons", n_nodes=n_nodes)


def total_width_chi2(mass_chi1: ArrayLike, delta: ArrayLike, mass_darkphoton: ArrayLike,
                     alpha_d: ArrayLike, epsilon: ArrayLike) -> np.ndarray:
    """Γ(χ₂) = ee + μμ + hadrons, in GeV."""
    a = (mass_chi1, delta, mass_darkphoton, alpha_d, epsilon)
    return width_chi2_ee(*a) + width_chi2_mumu(*a) + width_chi2_hadrons(*a)


def ctau_chi2(mass_chi1: ArrayLike, delta: ArrayLike, mass_darkphoton: ArrayLike,
              alpha_d: ArrayLike, epsilon: ArrayLike) -> np.ndarray:
    """χ₂ proper decay length cτ in cm (≈ 26 m at m_χ1 = 1, Δ = 0.1, m_A′ = 3 GeV, α_D = 0.1,
    ε = 1e-3 in the Δ ≪ m limit [A6])."""
    return ctau_from_width(total_width_chi2(mass_chi1, delta, mass_darkphoton, alpha_d, epsilon))
