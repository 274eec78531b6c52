"""Dark Higgsstrahlung e⁺e⁻ → A′h′ and the dark-Higgs h′ decays.

σ(e⁺e⁻→A′h′) = (παα_D ε² q_h′²/(3s)) λ^{1/2}(λ + 12m_A′²/s)/(1 − m_A′²/s)²,
λ = [1 − (m_h′+m_A′)²/s][1 − (m_h′−m_A′)²/s]
[theory_detector.md A3, DERIVED; checked there against σ(e⁺e⁻→Zh); the form usually quoted after
Batell, Pospelov, Ritz PRD 79 (2009) 115008, whose normalisation is an open item]. h′ mixes with
the SM Higgs through sinθ and decays like the dark scalar S (:mod:`darkscan.models.scalar`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from darkscan.models import dark_photon as _dark_photon
from darkscan.models import scalar
from darkscan.models.params import require_in_range, require_positive, validate_param
from darkscan.physics.constants import ALPHA, GEV2_TO_PB

__all__ = ["br_darkphoton_mumu", "branching_fractions", "ctau", "partial_widths",
           "sigma_br_per_eps2_alphad", "sigma_darkphoton_darkhiggs",
           "total_width"]


def sigma_darkphoton_darkhiggs(mass_darkphoton: ArrayLike, mass_darkhiggs: ArrayLike,
                               epsilon: ArrayLike = 1.0, alpha_d: ArrayLike = 1.0,
                               q_darkhiggs: ArrayLike = 1.0, sqrt_s: float = 10.58
                               ) -> np.ndarray:
    """Born σ(e⁺e⁻ → A′h′) in pb (A3 formula above). ``q_darkhiggs`` is the dark charge of h′
    (1 by default; 2 in the inelastic-DM model of Duerr et al. 2012.08595, σ × 4). Zero when
    m_A′ + m_h′ ≥ √s."""
    ma = validate_param("mass_darkphoton", mass_darkphoton)
    mh = validate_param("mass_darkhiggs", mass_darkhiggs)
    eps = validate_param("epsilon", epsilon)
    ad = validate_param("alpha_d", alpha_d)
    q = require_positive("q_darkhiggs", q_darkhiggs)
    require_in_range("mass_darkphoton", ma, 0.0, sqrt_s, low_open=True, high_open=True,
                     unit="GeV", extra="must be below √s")
    s = sqrt_s**2
    lam = (1.0 - (mh + ma) ** 2 / s) * (1.0 - (mh - ma) ** 2 / s)
    open_ = (ma + mh < sqrt_s) & (lam > 0)
    lam = np.where(open_, lam, 0.0)
    sig = (np.pi * ALPHA * ad * eps**2 * q**2 / (3.0 * s) * np.sqrt(lam)
           * (lam + 12.0 * ma**2 / s) / (1.0 - ma**2 / s) ** 2)
    return np.where(open_, sig * GEV2_TO_PB, 0.0)


def partial_widths(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0
                   ) -> dict[str, np.ndarray]:
    """h′ partial widths in GeV = those of the dark scalar S with θ → sinθ [A6]. h′ → A′A′ and
    h′ → χχ are not included (see the module gaps in the report)."""
    return scalar.partial_widths(sin_theta, mass, hadronic_scale)


def total_width(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0
                ) -> np.ndarray:
    """h′ total width in GeV (SM channels only)."""
    return scalar.total_width(sin_theta, mass, hadronic_scale)


def branching_fractions(mass: ArrayLike, hadronic_scale: float = 1.0) -> dict[str, np.ndarray]:
    """h′ BFs per channel (SM channels only)."""
    return scalar.branching_fractions(mass, hadronic_scale)


def ctau(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0) -> np.ndarray:
    """h′ cτ in cm."""
    return scalar.ctau(sin_theta, mass, hadronic_scale)


def br_darkphoton_mumu(mass_darkphoton: ArrayLike) -> np.ndarray:
    """B(A′ → μ⁺μ⁻) of a dark photon with visible decays only (independent of ε)."""
    return np.asarray(_dark_photon.branching_fractions(1.0, mass_darkphoton)["mumu"])


def sigma_br_per_eps2_alphad(mass_darkphoton: ArrayLike, mass_darkhiggs: ArrayLike,
                             sqrt_s: float = 10.58) -> np.ndarray:
    """σ(e⁺e⁻→A′h′) × B(A′→μμ) in pb for ε²α_D = 1 (Born); a σ × B upper limit divided by it
    is the upper limit on ε²α_D. Zero where the channel is closed. The signal samples are
    generated with ISR, σ_ISR/σ_Born = 1.24, 1.03, 0.71, 0.90 at (M_A′, M_h′) = (4, 1), (6, 2),
    (8, 2.5), (9.5, 0.5) GeV: an efficiency per generated event gives a limit on the ISR-inclusive
    σ × B, to be converted with the generator's σ (or corrected by that ratio) before this."""
    sigma = sigma_darkphoton_darkhiggs(mass_darkphoton, mass_darkhiggs, 1.0, 1.0, sqrt_s=sqrt_s)
    return np.asarray(sigma * br_darkphoton_mumu(mass_darkphoton))
