"""The muon anomalous magnetic moment from a light vector with vector coupling g′ to muons, and
the g′ band that would explain a given Δa_μ (as drawn in the Belle II Z′ papers)."""

from __future__ import annotations

import numpy as np
from scipy.special import roots_legendre

from darkscan.physics.constants import M_MU

#: Δa_μ = a_μ(exp) − a_μ(SM) = (251 ± 59)×10⁻¹¹: FNAL Run-1 + BNL against the 2020 Theory
#: Initiative value (PRL 126 141801, 2021), the band used in PRL 130 231801 (2023). The 2025
#: Theory Initiative update (lattice HVP) removes most of this discrepancy.
DELTA_A_MU_2021 = (251e-11, 59e-11)

_X, _W = roots_legendre(64)
_Z, _WZ = 0.5 * (_X + 1.0), 0.5 * _W


def delta_a_mu_vector(g: np.ndarray | float, mass: np.ndarray | float) -> np.ndarray:
    """One-loop Δa_μ = g²/(8π²) ∫₀¹ dz 2z(1−z)² / ((1−z)² + z M²/m_μ²) (Pospelov,
    PRD 80 095002 (2009), eq. 2 with αε² → g²/4π). M → 0 gives g²/(8π²), the Schwinger term."""
    g = np.asarray(g, float)
    r = np.asarray(mass, float)[..., None] ** 2 / M_MU**2
    integrand = 2 * _Z * (1 - _Z) ** 2 / ((1 - _Z) ** 2 + _Z * r)
    return g**2 / (8 * np.pi**2) * np.sum(_WZ * integrand, axis=-1)


def gminus2_band(mass: np.ndarray, delta: tuple[float, float] = DELTA_A_MU_2021,
                 n_sigma: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """(g_low, g_high) explaining Δa_μ within ±n_sigma for each mass (Δa ∝ g²)."""
    unit = delta_a_mu_vector(1.0, mass)
    lo = max(delta[0] - n_sigma * delta[1], 0.0)
    hi = delta[0] + n_sigma * delta[1]
    return np.sqrt(lo / unit), np.sqrt(hi / unit)
