"""The charged-pion electromagnetic form factor F_π(s) and σ(e⁺e⁻ → π⁺π⁻).

Parametrisation: the Gounaris–Sakurai form of Kühn and Santamaria (Z. Phys. C 48 (1990) 445,
as in TAUOLA and PHOKHARA): ρ(770) with ω(782) interference and ρ(1450),

    F_π(s) = [BW_ρ(s) (1 + α BW_ω(s))/(1 + α) + β BW_ρ′(s)] / (1 + β),

BW_ρ and BW_ρ′ Gounaris–Sakurai (Phys. Rev. Lett. 21 (1968) 244: p-wave width Γ(s) =
Γ (m/√s)(k/k_m)³, the dispersive real part f(s), and d(m) so that BW(0) = 1), BW_ω a Breit–
Wigner of constant width; F_π(0) = 1. Masses and widths of ρ(770), ω(782), ρ(1450) are the
PDG's (from ``particle``, the package's one source of masses); the ρ–ω weight α = 1.85 × 10⁻³
is Kühn–Santamaria's, the ρ′ weight β = −0.0695 the CMD-2 Gounaris–Sakurai fit's (Phys. Lett.
B 527 (2002) 161; both quoted from memory, not re-read here: the validation below is what
vouches for them; Kühn–Santamaria's own β = −0.145 with the PDG widths gives a peak |F_π|² of
52). Validated (``darkscan validate``, :mod:`darkscan.generate.checks`): the peak |F_π|² = 43.9
at √s = 0.778 GeV (CMD-2, KLOE, BaBar: ≈ 45), σ(e⁺e⁻ → π⁺π⁻) = πα²β³|F_π|²/(3s) = 1.28 μb
there (the measured ρ-peak cross section, ≈ 1.2–1.35 μb), the charge radius ⟨r²⟩ =
6 dF_π/ds(0) = 0.418 fm² (PDG 0.434 ± 0.005 fm²). Above 2 GeV the model is an extrapolation: at
s = 13.5 GeV² it gives |F_π| = 0.048 where CLEO-c measured 0.075 (Pedlar et al., PRL 95 (2005)
261803), the ρ tail falling faster than the measured ≈ 1/s.

The form factor is the bare one (vacuum polarisation removed): a process multiplies it by the
photon propagator with α(s) when it runs α.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from darkscan.physics.constants import ALPHA, GEV2_TO_PB, M_PI, mass

Array = np.ndarray

#: ρ–ω weight α (Kühn–Santamaria) and ρ′ weight β (CMD-2 Gounaris–Sakurai fit)
KS_ALPHA_OMEGA = 1.85e-3
KS_BETA_RHO_PRIME = -0.0695
PDG_RHO, PDG_OMEGA, PDG_RHO_1450 = 113, 223, 100113


@cache
def resonance(pdgid: int) -> tuple[float, float]:
    """(mass, width) in GeV of a resonance from the PDG tables of ``particle``."""
    from particle import Particle

    width = Particle.from_pdgid(pdgid).width
    if width is None:
        raise ValueError(f"particle {pdgid} has no PDG width")
    return mass(pdgid), float(width) / 1000.0


def _k2h(s: Array) -> Array:
    """k² h(s), h(s) = (2/π)(k/√s) ln((√s + 2k)/(2m_π)), k = ½√(s − 4m_π²), continued below
    threshold (0 < s < 4m_π², k = iκ) as the real part of the analytic (2/π)(k³/√s)(ln(…) − iπ/2)
    whose imaginary part above threshold is the width term: (2/π)(κ³/√s)(φ − π/2),
    φ = atan2(2κ, √s); finite at s → 0 (−m_π²/π)."""
    s = np.asarray(s, dtype=float)
    rs = np.sqrt(np.maximum(s, 1e-300))
    k = 0.5 * np.sqrt(np.maximum(s - 4 * M_PI**2, 0.0))
    kappa = 0.5 * np.sqrt(np.maximum(4 * M_PI**2 - s, 0.0))
    above = 2 / np.pi * k**3 / rs * np.log((rs + 2 * k) / (2 * M_PI))
    below = 2 / np.pi * kappa**3 / rs * (np.arctan2(2 * kappa, rs) - np.pi / 2)
    return np.where(s >= 4 * M_PI**2, above, below)


def _h(s: float) -> float:
    """h(s) above threshold."""
    return float(_k2h(s)) / (s / 4 - M_PI**2)


def _dh(s: float) -> float:
    """dh/ds above threshold: h = (β/π) L, L = ln((1 + β)√s/(2m_π)), β′ = 2m_π²/(s²β)."""
    beta = np.sqrt(1 - 4 * M_PI**2 / s)
    dbeta = 2 * M_PI**2 / (s * s * beta)
    big_l = np.log((1 + beta) * np.sqrt(s) / (2 * M_PI))
    return float((dbeta * big_l + beta * (dbeta / (1 + beta) + 0.5 / s)) / np.pi)


def breit_wigner_gs(s: Array, m: float, gamma: float) -> Array:
    """Gounaris–Sakurai ρ propagator normalised to 1 at s = 0 (for 0 ≤ s; below 4m_π² the
    continuation of :func:`_k2h`):

        BW(s) = m²(1 + d Γ/m) / (m² − s + f(s) − i m Γ(s)),

    Γ(s) = Γ (m/√s)(k/k_m)³, f(s) = Γ m²/k_m³ [k²(h(s) − h(m²)) + k_m² h′(m²)(m² − s)],
    d = (3/π) m_π²/k_m² ln((m + 2k_m)/(2m_π)) + m/(2πk_m) − m_π² m/(π k_m³)."""
    s = np.asarray(s, dtype=float)
    m2 = m * m
    km = 0.5 * np.sqrt(m2 - 4 * M_PI**2)
    k2 = s / 4 - M_PI**2
    f = gamma * m2 / km**3 * (_k2h(s) - k2 * _h(m2) + km * km * _dh(m2) * (m2 - s))
    k = np.sqrt(np.maximum(k2, 0.0))
    width = gamma * m / np.sqrt(np.maximum(s, 1e-300)) * (k / km) ** 3
    d = (3 / np.pi * M_PI**2 / km**2 * np.log((m + 2 * km) / (2 * M_PI)) + m / (2 * np.pi * km)
         - M_PI**2 * m / (np.pi * km**3))
    return m2 * (1 + d * gamma / m) / (m2 - s + f - 1j * m * width)


def breit_wigner(s: Array, m: float, gamma: float) -> Array:
    """Constant-width Breit–Wigner m²/(m² − s − i m Γ), 1 at s = 0."""
    return m * m / (m * m - np.asarray(s, dtype=float) - 1j * m * gamma)


def pion_form_factor(s: Array) -> Array:
    """F_π(s), complex, s in GeV² (time-like above 4m_π², space-like below 0): the
    Kühn–Santamaria ρ–ω–ρ′ form (module docstring)."""
    rho = breit_wigner_gs(s, *resonance(PDG_RHO))
    omega = breit_wigner(s, *resonance(PDG_OMEGA))
    rho1 = breit_wigner_gs(s, *resonance(PDG_RHO_1450))
    a, b = KS_ALPHA_OMEGA, KS_BETA_RHO_PRIME
    return (rho * (1 + a * omega) / (1 + a) + b * rho1) / (1 + b)


def sigma_ee_pipi(s: Array) -> Array:
    """Born σ(e⁺e⁻ → π⁺π⁻) = πα²β³|F_π(s)|²/(3s) in pb (one photon, α(0), no radiation)."""
    s = np.asarray(s, dtype=float)
    beta = np.sqrt(np.maximum(1 - 4 * M_PI**2 / s, 0.0))
    return np.pi * ALPHA**2 * beta**3 * np.abs(pion_form_factor(s)) ** 2 / (3 * s) * GEV2_TO_PB
