"""Spin-0 states coupled to the charged leptons in proportion to their mass: the leptophilic scalar
φ_L (CP-even, parameter ``xi``) and an ALP coupled to leptons (CP-odd, parameter ``cll``).

Both have a Yukawa coupling y_ℓ = k·m_ℓ to each charged lepton ℓ = e, μ, τ with one universal
k (GeV⁻¹); they differ by the Dirac structure (1 or iγ5):

- Leptophilic scalar (Batell, Freitas, Ismail, McKeen, PRD 98 (2018) 055026; the Belle
  e⁺e⁻→τ⁺τ⁻φ_L search PRD 109 (2024) 032002; Belle II PRL 131 (2023) 121802)::

      L = −ξ Σ_ℓ (m_ℓ/v) φ_L ℓ̄ℓ,   k = ξ/v,  v = 246.22 GeV  [RECALLED]

- ALP with lepton couplings, written as a pseudoscalar Yukawa (the form the Belle II μμττ paper,
  PRL 131 (2023) 121802, interprets, with limits on C_ℓℓ/Λ in GeV⁻¹; the derivative coupling
  (C_ℓℓ/2Λ) ∂_μa ℓ̄γ^μγ5ℓ gives the same on-shell lepton vertex by the equations of motion, Bauer,
  Neubert, Renner, Schnubel, Thamm JHEP 04 (2021) 063)::

      L = −i (C_ℓℓ/Λ) Σ_ℓ m_ℓ a ℓ̄γ5ℓ,   k = C_ℓℓ/Λ  [RECALLED; the paper's own equation was not
      readable here, so the normalisation (no factor ½) is the one of the eq. above]

Widths (tree level, standard):

- Γ(φ_L→ℓℓ) = y_ℓ² m/(8π) β_ℓ³ (P-wave, :func:`~darkscan.models.common.scalar_to_fermions`);
- Γ(a→ℓℓ) = y_ℓ² m/(8π) β_ℓ (S-wave, :func:`pseudoscalar_to_fermions`);
- Γ(→γγ) through the lepton loops, the SM h→γγ / MSSM A→γγ fermion-loop results (Djouadi, Phys.
  Rept. 457 (2008) 1, eq. 2.22; Phys. Rept. 459 (2008) 1) with the Yukawa m_f/v → k m_ℓ:
  Γ = α² k² m³/(256π³) |Σ_ℓ A(τ_ℓ)|², τ_ℓ = m²/4m_ℓ², A = A_{1/2} (scalar) or A^A_{1/2} = 2f(τ)/τ
  (pseudoscalar) [RECALLED; the muon-only case is :func:`darkscan.models.muonphilic
  .width_gammagamma`]. For the derivative-coupled ALP the loop differs off shell (Eberhart et al.,
  arXiv:2504.05873); at 3.6–10 GeV B(γγ) ≲ 1e-5 either way.

No hadronic or neutrino channel: the couplings are to charged leptons only.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from darkscan.models.common import (
    amplitude_fermion_loop_pseudoscalar,
    ctau_from_width,
    pseudoscalar_to_fermions,
    scalar_to_fermions,
    width_gammagamma_fermion_loops,
)
from darkscan.models.params import validate_param
from darkscan.physics.constants import HIGGS_VEV, M_E, M_MU, M_TAU

__all__ = ["CHANNELS", "LEPTON_MASSES", "alp_branching_fractions", "alp_ctau", "alp_total_width",
           "alp_widths", "alp_yukawa", "amplitude_fermion_loop_pseudoscalar",
           "branching_fractions", "ctau", "pseudoscalar_to_fermions", "total_width",
           "width_gammagamma_lepton_loops", "widths", "yukawa"]

Parity = Literal["scalar", "pseudoscalar"]

#: charged-lepton channels and the daughter mass of each
LEPTON_MASSES: dict[str, float] = {"ee": M_E, "mumu": M_MU, "tautau": M_TAU}
#: every decay channel, in the order of the widths dictionaries
CHANNELS: tuple[str, ...] = ("ee", "mumu", "tautau", "gammagamma")


def width_gammagamma_lepton_loops(k: ArrayLike, mass: ArrayLike,
                                  parity: Parity = "scalar") -> np.ndarray:
    """Γ(X→γγ) in GeV through the e, μ, τ loops of a spin-0 X with Yukawas y_ℓ = k·m_ℓ:
    α² k² m³/(256π³) |Σ_ℓ A(m²/4m_ℓ²)|² (module docstring) [RECALLED]."""
    return width_gammagamma_fermion_loops(k, mass, tuple(LEPTON_MASSES.values()), parity)


def _widths(k: np.ndarray, mass: np.ndarray, parity: Parity) -> dict[str, np.ndarray]:
    """Partial widths (GeV) of every channel of :data:`CHANNELS` for Yukawas y_ℓ = k·m_ℓ."""
    to_leptons = scalar_to_fermions if parity == "scalar" else pseudoscalar_to_fermions
    w = {ch: to_leptons(k * ml, mass, ml) for ch, ml in LEPTON_MASSES.items()}
    w["gammagamma"] = width_gammagamma_lepton_loops(k, mass, parity)
    return w


def _fractions(w: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    tot = sum(w.values())
    return {ch: v / tot for ch, v in w.items()}


# --- leptophilic scalar φ_L (parameter xi) ------------------------------------------------------
def yukawa(xi: ArrayLike, m_lepton: ArrayLike) -> np.ndarray:
    """Yukawa coupling y_ℓ = ξ m_ℓ/v of φ_L to the lepton of mass ``m_lepton`` (v = 246.22 GeV).

    >>> round(float(yukawa(1.0, M_MU)), 7)
    0.0004291
    """
    return validate_param("xi", xi) * np.asarray(m_lepton, float) / HIGGS_VEV


def widths(xi: ArrayLike, mass: ArrayLike) -> dict[str, np.ndarray]:
    """Γ(φ_L → ee, μμ, ττ, γγ) in GeV: y_ℓ² m β_ℓ³/(8π) and the lepton-loop γγ width
    (module docstring)."""
    k = validate_param("xi", xi) / HIGGS_VEV
    return _widths(k, validate_param("mass", mass), "scalar")


def total_width(xi: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ_tot(φ_L) = Γ_ee + Γ_μμ + Γ_ττ + Γ_γγ in GeV (∝ ξ²)."""
    return sum(widths(xi, mass).values())


def branching_fractions(mass: ArrayLike) -> dict[str, np.ndarray]:
    """BFs of φ_L (independent of ξ): ``ee``, ``mumu``, ``tautau``, ``gammagamma``."""
    return _fractions(widths(1.0, mass))


def ctau(xi: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """cτ = ħc/Γ_tot of φ_L in cm."""
    return ctau_from_width(total_width(xi, mass))


# --- ALP coupled to leptons (parameter cll = C_ℓℓ/Λ) --------------------------------------------
def alp_yukawa(cll: ArrayLike, m_lepton: ArrayLike) -> np.ndarray:
    """Pseudoscalar Yukawa y_ℓ = (C_ℓℓ/Λ) m_ℓ of the ALP to the lepton of mass ``m_lepton``."""
    return validate_param("cll", cll) * np.asarray(m_lepton, float)


def alp_widths(cll: ArrayLike, mass: ArrayLike) -> dict[str, np.ndarray]:
    """Γ(a → ee, μμ, ττ, γγ) in GeV: (C_ℓℓ/Λ)² m_ℓ² m β_ℓ/(8π) and the lepton-loop γγ width
    (module docstring)."""
    return _widths(validate_param("cll", cll), validate_param("mass", mass), "pseudoscalar")


def alp_total_width(cll: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ_tot(a) in GeV (∝ (C_ℓℓ/Λ)²)."""
    return sum(alp_widths(cll, mass).values())


def alp_branching_fractions(mass: ArrayLike) -> dict[str, np.ndarray]:
    """BFs of the lepton-coupled ALP (independent of C_ℓℓ/Λ): ``ee``, ``mumu``, ``tautau``,
    ``gammagamma``."""
    return _fractions(alp_widths(1.0, mass))


def alp_ctau(cll: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """cτ = ħc/Γ_tot of the lepton-coupled ALP in cm."""
    return ctau_from_width(alp_total_width(cll, mass))
