"""Muonphilic scalar S with L = −g_S S μ̄μ (parameter ``gs``).

Γ(S→μμ) = g_S² m/(8π)(1 − 4m_μ²/m²)^{3/2} [theory_detector.md A7, RECALLED, standard Yukawa].
Γ(S→γγ) through the muon loop: the SM h→γγ fermion-loop result (Djouadi Phys. Rept. 457 (2008) 1,
eq. 2.22: Γ = G_F α² m³/(128√2π³)|Σ N_c Q_f² A_{1/2}(τ_f)|²) with the Higgs Yukawa m_μ/v replaced
by g_S, i.e.

    Γ(S→γγ) = α² g_S² m_S³ / (256 π³ m_μ²) · |A_{1/2}(m_S²/4m_μ²)|²

[written for darkscan from that substitution, A7 "RECALLED, not written out"]. It is the only
channel below 2m_μ; above it is ~α²/π² suppressed but kept (A_{1/2} complex there).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from darkscan.models.common import (
    ctau_from_width,
    scalar_to_fermions,
    width_gammagamma_fermion_loops,
)
from darkscan.models.params import validate_param
from darkscan.physics.constants import M_MU

__all__ = ["branching_fractions", "ctau", "total_width", "width_gammagamma", "width_mumu"]


def width_mumu(gs: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(S→μ⁺μ⁻) = g_S² m/(8π)β_μ³ in GeV [A7]."""
    return scalar_to_fermions(validate_param("gs", gs), validate_param("mass", mass), M_MU)


def width_gammagamma(gs: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(S→γγ) via the muon loop, α²g_S²m³/(256π³m_μ²)|A_{1/2}(τ)|² in GeV (module docstring)."""
    g = validate_param("gs", gs)
    return width_gammagamma_fermion_loops(g / M_MU, validate_param("mass", mass), (M_MU,))


def total_width(gs: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ_tot = Γ_μμ + Γ_γγ in GeV."""
    return width_mumu(gs, mass) + width_gammagamma(gs, mass)


def branching_fractions(mass: ArrayLike) -> dict[str, np.ndarray]:
    """BFs (independent of g_S): ``mumu``, ``gammagamma``."""
    tot = total_width(1.0, mass)
    return {"mumu": width_mumu(1.0, mass) / tot, "gammagamma": width_gammagamma(1.0, mass) / tot}


def ctau(gs: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """cτ = ħc/Γ_tot in cm."""
    return ctau_from_width(total_width(gs, mass))
