"""Axion-like particle a with a photon coupling only, L = −(g_aγγ/4) a F F̃ (parameter ``gagg``).

Γ(a→γγ) = g²m³/(64π) [theory_detector.md A4, READ: basf2 ``ALP_UFO``; Knapen, Lin, Lou, Melia
PRL 118 (2017) 171801]. σ(e⁺e⁻→γa) = αg²/24·(1 − m²/s)³ with a (1 + cos²θ*) photon angular
distribution (Dolan, Ferber, Hearty, Kahlhoefer, Schmidt-Hoberg JHEP 12 (2017) 094)
[A4, RECALLED; dσ/dcosθ* DERIVED from the two].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from darkscan.models.common import ctau_from_width, kallen
from darkscan.models.params import require_in_range, validate_param
from darkscan.physics.constants import ALPHA, G_FERMI, GEV2_TO_PB
from darkscan.physics.constants import mass as pdg_mass

__all__ = ["SIN2_THETA_W", "br_b_to_k_alp", "br_b_to_kstar_alp", "ctau", "ctau_gaw",
           "decay_length_cms", "dsigma_dcos_gamma_alp", "g_bsa", "gagg_from_gaw",
           "loop_function_w", "sigma_gamma_alp", "width_b_to_k_alp", "width_b_to_kstar_alp",
           "width_gammagamma", "width_gammagamma_gaw"]


def width_gammagamma(gagg: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(a→γγ) = g_aγγ² m_a³/(64π) in GeV (g in GeV⁻¹) [A4, READ]."""
    g = validate_param("gagg", gagg)
    m = validate_param("mass", mass)
    return g**2 * m**3 / (64.0 * np.pi)


def ctau(gagg: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """cτ = ħc/Γ(a→γγ) in cm (5.0 µm at m = 0.2 GeV, g = 1e-3 GeV⁻¹) [A4 table]."""
    return ctau_from_width(width_gammagamma(gagg, mass))


def _xfactor(mass: np.ndarray, sqrt_s: float) -> np.ndarray:
    require_in_range("mass", mass, 0.0, sqrt_s, low_open=True, high_open=True, unit="GeV",
                     extra="the ALP must be lighter than √s")
    return (1.0 - mass**2 / sqrt_s**2) ** 3


def sigma_gamma_alp(gagg: ArrayLike, mass: ArrayLike, sqrt_s: float = 10.58,
                    cos_max: float = 1.0) -> np.ndarray:
    """σ(e⁺e⁻→γa) in pb, photon within |cosθ*| < ``cos_max`` (full: αg²/24·(1−m²/s)³)
    [A4, RECALLED]; the acceptance factor is (3c + c³)/4 from the (1+cos²θ*) shape."""
    g = validate_param("gagg", gagg)
    m = validate_param("mass", mass)
    c = float(require_in_range("cos_max", cos_max, 0.0, 1.0, low_open=True))
    acc = (3.0 * c + c**3) / 4.0
    return ALPHA * g**2 / 24.0 * _xfactor(m, sqrt_s) * acc * GEV2_TO_PB


def dsigma_dcos_gamma_alp(cos_theta: ArrayLike, gagg: ArrayLike, mass: ArrayLike,
                          sqrt_s: float = 10.58) -> np.ndarray:
    """dσ/dcosθ* = (αg²/64)(1−m²/s)³(1 + cos²θ*) in pb [A4, DERIVED]."""
    g = validate_param("gagg", gagg)
    m = validate_param("mass", mass)
    c = require_in_range("cos_theta", cos_theta, -1.0, 1.0)
    return ALPHA * g**2 / 64.0 * _xfactor(m, sqrt_s) * (1.0 + c**2) * GEV2_TO_PB


def decay_length_cms(gagg: ArrayLike, mass: ArrayLike, sqrt_s: float = 10.58) -> np.ndarray:
    """Mean decay length (p_a/m_a)·cτ in cm in the CMS for e⁺e⁻→γa, p_a = (s − m²)/(2√s)."""
    m = validate_param("mass", mass)
    p = (sqrt_s**2 - m**2) / (2.0 * sqrt_s)
    return p / m * ctau(gagg, m)


# --------------------------------------------------------------------------------------------
# ALP coupled to the SU(2)_L gauge bosons, L = −(g_aW/4) a W^a W̃^a (parameter ``gaw``):
# B → K(*) a through the one-loop b → s a coupling, a → γγ through g_aγγ = g_aW sin²θ_W.
# --------------------------------------------------------------------------------------------
#: sin²θ_W in the MS-bar scheme at m_Z, PDG 2024 (0.23122) [RECALLED]: with only W^a coupled,
#: the photon coupling is g_aγγ = g_aW sin²θ_W (Izaguirre, Lin, Shuve PRL 118 (2017) 111802)
SIN2_THETA_W = 0.23122
#: m_W (PDG 2024, 80.369 GeV) [RECALLED] for the loop function's argument and prefactor
M_W = 80.369


def gagg_from_gaw(gaw: ArrayLike) -> np.ndarray:
    """g_aγγ = g_aW sin²θ_W in GeV⁻¹: the photon is W³ sinθ_W + B cosθ_W and only W^a couples
    (Izaguirre, Lin, Shuve PRL 118 (2017) 111802, arXiv:1611.09355) [RECALLED]."""
    return validate_param("gaw", gaw) * SIN2_THETA_W


def loop_function_w(x: ArrayLike) -> np.ndarray:
    """h(x) = x [1 + x (ln x − 1)]/(1 − x)² of the W–quark loop that induces b → s a from g_aW,
    x = m_q²/m_W² (Izaguirre, Lin, Shuve, arXiv:1611.09355 eq. (3)) [RECALLED]; h → x for
    x → 0 and h(1) = 1/2 (the removable point is taken as its limit)."""
    x = np.asarray(x, dtype=float)
    near = np.abs(x - 1.0) < 1e-4
    xs = np.where(near, 2.0, x)
    val = xs * (1.0 + xs * (np.log(xs) - 1.0)) / (1.0 - xs) ** 2
    return np.where(near, 0.5 + (x - 1.0) / 3.0, val)


def g_bsa(gaw: ArrayLike) -> np.ndarray:
    """|g_bsa| in GeV⁻¹, the coefficient of ∂_μa s̄γ^μ P_L b induced by g_aW at one loop:
    g_bsa = −3√2 G_F m_W² g_aW/(16π²) Σ_{i=u,c,t} V_ib V*_is h(m_i²/m_W²)
    (Izaguirre, Lin, Shuve, PRL 118 (2017) 111802, arXiv:1611.09355) [RECALLED]; the top
    dominates (h(x_c)/h(x_t) ≈ 2×10⁻⁴), so only it is kept, with |V_tb V*_ts| and m_t of
    :data:`darkscan.models.scalar.B_TO_S_INPUTS`."""
    from darkscan.models.scalar import B_TO_S_INPUTS

    g = validate_param("gaw", gaw)
    i = B_TO_S_INPUTS
    x_t = i["m_top"] ** 2 / M_W**2
    return (3.0 * np.sqrt(2.0) * G_FERMI * M_W**2 * g / (16.0 * np.pi**2)
            * i["vts_vtb"] * loop_function_w(x_t))


def _b_and_k(kstar: bool, charged: bool) -> tuple[float, float]:
    b = 521 if charged else 511
    k = (323 if charged else 313) if kstar else (321 if charged else 311)
    return pdg_mass(b), pdg_mass(k)


def width_b_to_k_alp(gaw: ArrayLike, mass: ArrayLike, charged: bool = True) -> np.ndarray:
    """Γ(B → K a) in GeV = |g_bsa|² m_B³ (1 − m_K²/m_B²)² f₀(m_a²)² λ̂^{1/2}/(64π), λ̂ =
    λ(1, m_K²/m_B², m_a²/m_B²) [DERIVED: the amplitude g_bsa q_μ⟨K|s̄γ^μP_L b|B⟩ =
    g_bsa (m_B² − m_K²) f₀(q²)/2; the form of Izaguirre, Lin, Shuve arXiv:1611.09355 eq. (4)],
    f₀ the Ball–Zwicky scalar form factor (:func:`darkscan.models.scalar.f0_bk`); 0 when
    closed."""
    from darkscan.models.scalar import f0_bk

    m = validate_param("mass", mass)
    m_b, m_k = _b_and_k(False, charged)
    lam = kallen(1.0, (m_k / m_b) ** 2, (m / m_b) ** 2)
    open_ = m < m_b - m_k
    return np.where(open_, g_bsa(gaw) ** 2 * m_b**3 * (1.0 - m_k**2 / m_b**2) ** 2
                    * f0_bk(m**2) ** 2 * np.sqrt(np.where(open_, lam, 0.0)) / (64.0 * np.pi),
                    0.0)


def width_b_to_kstar_alp(gaw: ArrayLike, mass: ArrayLike, charged: bool = True) -> np.ndarray:
    """Γ(B → K* a) in GeV = |g_bsa|² m_B³ A₀(m_a²)² λ̂^{3/2}/(64π) [DERIVED: only the K*'s
    helicity 0 couples, q_μ⟨K*|s̄γ^μγ₅b|B⟩ = 2m_K*(ε*·q)A₀, Σ|ε*·q|² = λ/(4m_K*²)], A₀ of
    :func:`darkscan.models.scalar.a0_bkstar` (Ball–Zwicky); 0 when closed."""
    from darkscan.models.scalar import a0_bkstar

    m = validate_param("mass", mass)
    m_b, m_k = _b_and_k(True, charged)
    lam = kallen(1.0, (m_k / m_b) ** 2, (m / m_b) ** 2)
    open_ = m < m_b - m_k
    return np.where(open_, g_bsa(gaw) ** 2 * m_b**3 * a0_bkstar(m**2) ** 2
                    * np.where(open_, lam, 0.0) ** 1.5 / (64.0 * np.pi), 0.0)


def br_b_to_k_alp(gaw: ArrayLike, mass: ArrayLike, charged: bool = True) -> np.ndarray:
    """B(B → K a) = Γ τ_B/ħ (τ_B from PDG via ``particle``); B⁺ → K⁺a or B⁰ → K⁰a."""
    from darkscan.models.scalar import _b_lifetime_gev

    return width_b_to_k_alp(gaw, mass, charged) / _b_lifetime_gev(charged)


def br_b_to_kstar_alp(gaw: ArrayLike, mass: ArrayLike, charged: bool = True) -> np.ndarray:
    """B(B → K* a) = Γ τ_B/ħ; B⁺ → K*⁺a or B⁰ → K*⁰a."""
    from darkscan.models.scalar import _b_lifetime_gev

    return width_b_to_kstar_alp(gaw, mass, charged) / _b_lifetime_gev(charged)


def width_gammagamma_gaw(gaw: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(a → γγ) in GeV for the W-coupled ALP: g_aγγ = g_aW sin²θ_W in
    :func:`width_gammagamma`. For m_a < m_Z it is the only tree-level decay, B(a → γγ) = 1
    (the loop-induced a → ff̄ are of order α² and neglected)."""
    return width_gammagamma(gagg_from_gaw(gaw), mass)


def ctau_gaw(gaw: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """cτ in cm of the W-coupled ALP (0.75 cm at m = 1 GeV, g_aW = 1e-5 GeV⁻¹)."""
    return ctau_from_width(width_gammagamma_gaw(gaw, mass))
