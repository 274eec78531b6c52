"""Axion-like particle a with a photon coupling only, L = −(g_aγγ/4) a F F̃ (parameter ``gagg``).

Γ(a→γγ) = g²m³/(64π) [theory_detector.md A4, READ: basf2 ``ALP_UFO``; Knapen, Lin, Lou, Melia
PRL 118 (2017) 171801]. σ(e⁺e⁻→γa) = αg²/24·(1 − m²/s)³ with a (1 + cos²θ*) photon angular
distribution (Dolan, Ferber, Hearty, Kahlhoefer, Schmidt-Hoberg JHEP 12 (2017) 094)
[A4, RECALLED; dσ/dcosθ* DERIVED from the two].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from darkscan.models.common import ctau_from_width
from darkscan.models.params import require_in_range, validate_param
from darkscan.physics.constants import ALPHA, GEV2_TO_PB

__all__ = ["ctau", "decay_length_cms", "dsigma_dcos_gamma_alp", "sigma_gamma_alp",
           "width_gammagamma"]


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
