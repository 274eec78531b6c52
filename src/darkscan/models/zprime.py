"""L_μ − L_τ gauge boson Z′: partial widths, total width and branching fractions.

Interaction (He, Joshi, Lew, Volkas PRD 43 (1991) R22; Shuve & Yavin PRD 89 (2014) 113004)::

    L ⊃ g′ Z′_α (μ̄γ^α μ − τ̄γ^α τ + ν̄_μ γ^α P_L ν_μ − ν̄_τ γ^α P_L ν_τ)  [+ q_χ g′ χ̄γ^α χ]

Widths [theory_detector.md A1, READ: basf2 ``Lmu_minus_Ltau_UFO/decays.py``]:
Γ(Z′→ℓℓ) = g′²M/(12π)(1+2m_ℓ²/M²)β_ℓ, Γ(Z′→ν_ℓν̄_ℓ) = g′²M/(24π) per flavour (one helicity).
The optional Dirac dark fermion χ of charge q_χ [A1, DERIVED] gives the "fully invisible" case.
All functions are vectorised over ``gprime``, ``mass`` and the χ parameters.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from darkscan.errors import ParameterError
from darkscan.models.common import vector_to_fermions
from darkscan.models.params import require_nonnegative, validate_param
from darkscan.physics.constants import M_MU, M_TAU

__all__ = ["branching_fractions", "br_invisible", "total_width", "width_chichi", "width_mumu",
           "width_nunu", "width_tautau"]

InvisibleModel = Literal["vanilla", "fully_invisible"]


def _mg(gprime: ArrayLike, mass: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    return validate_param("gprime", gprime), validate_param("mass", mass)


def width_mumu(gprime: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(Z′→μ⁺μ⁻) in GeV = g′²M/(12π)(1+2m_μ²/M²)β_μ [theory_detector.md A1, READ: basf2 UFO]."""
    g, m = _mg(gprime, mass)
    return vector_to_fermions(g, m, M_MU)


def width_tautau(gprime: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(Z′→τ⁺τ⁻) in GeV, same form as μμ with m_τ [theory_detector.md A1, READ]."""
    g, m = _mg(gprime, mass)
    return vector_to_fermions(g, m, M_TAU)


def width_nunu(gprime: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(Z′→νν̄) in GeV summed over the two flavours ν_μ, ν_τ: 2 × g′²M/(24π)
    (C_f = 1/2 per left-handed flavour) [theory_detector.md A1, READ: basf2 UFO, DarkCast pars]."""
    g, m = _mg(gprime, mass)
    return 2.0 * vector_to_fermions(g, m, 0.0, colour=0.5)


def width_chichi(gprime: ArrayLike, mass: ArrayLike, mass_chi: ArrayLike,
                 q_chi: ArrayLike = 1.0) -> np.ndarray:
    """Γ(Z′→χχ̄) in GeV for a Dirac dark fermion of L_μ−L_τ charge q_χ:
    (q_χ g′)²M/(12π)(1+2m_χ²/M²)β_χ [theory_detector.md A1, DERIVED]. Zero if M < 2m_χ."""
    g, m = _mg(gprime, mass)
    mc = require_nonnegative("mass_chi", mass_chi, "GeV")
    q = require_nonnegative("q_chi", q_chi)
    return vector_to_fermions(q * g, m, mc)


def _widths(gprime: ArrayLike, mass: ArrayLike, mass_chi: ArrayLike | None, q_chi: ArrayLike
            ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every channel's width (``chichi`` only with χ) and their sum, each computed once."""
    w = {"mumu": width_mumu(gprime, mass), "tautau": width_tautau(gprime, mass),
         "nunu": width_nunu(gprime, mass)}
    tot = w["mumu"] + w["tautau"] + w["nunu"]
    if mass_chi is not None:
        w["chichi"] = width_chichi(gprime, mass, mass_chi, q_chi)
        tot = tot + w["chichi"]
    return w, tot


def total_width(gprime: ArrayLike, mass: ArrayLike, mass_chi: ArrayLike | None = None,
                q_chi: ArrayLike = 0.0) -> np.ndarray:
    """Γ_tot = Γ_μμ + Γ_ττ + Γ_νν(2 flavours) [+ Γ_χχ̄] in GeV [theory_detector.md A1]."""
    return _widths(gprime, mass, mass_chi, q_chi)[1]


def br_invisible(mass: ArrayLike, model: InvisibleModel = "vanilla", gprime: ArrayLike = 1.0,
                 mass_chi: ArrayLike | None = None, q_chi: ArrayLike = 0.0) -> np.ndarray:
    """BF(Z′ → invisible).

    ``"vanilla"``: (Γ_νν [+ Γ_χχ̄]) / Γ_tot from the widths above (independent of g′ without χ;
    1 below 2m_μ) [theory_detector.md A1 table]. ``"fully_invisible"``: BF = 1 by assumption, the
    Belle II 2023 interpretation with Z′→χχ̄ dominant (q_χ g′ ≫ g′) [A1, RECALLED].
    """
    m = validate_param("mass", mass)
    if model == "fully_invisible":
        return np.ones_like(m * np.asarray(gprime, float))
    if model != "vanilla":
        raise ParameterError(f"parameter 'model' = {model!r} is not allowed; choose 'vanilla' or "
                             "'fully_invisible'")
    w, tot = _widths(gprime, m, mass_chi, q_chi)
    inv = w["nunu"] + w["chichi"] if mass_chi is not None else w["nunu"]
    return inv / tot


def branching_fractions(mass: ArrayLike, gprime: ArrayLike = 1.0,
                        mass_chi: ArrayLike | None = None, q_chi: ArrayLike = 0.0
                        ) -> dict[str, np.ndarray]:
    """BFs per channel: ``mumu``, ``tautau``, ``nunu``, ``chichi`` (0 without χ), ``invisible``."""
    w, tot = _widths(gprime, mass, mass_chi, q_chi)
    chi = w.get("chichi", np.zeros_like(tot))
    out = {"mumu": w["mumu"] / tot, "tautau": w["tautau"] / tot, "nunu": w["nunu"] / tot,
           "chichi": chi / tot}
    out["invisible"] = out["nunu"] + out["chichi"]
    return out
