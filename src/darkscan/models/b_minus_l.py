"""B−L gauge boson Z′_BL: partial widths and branching fractions (for recasting).

Interaction: L ⊃ g_BL Z′_α Σ_f Q_f f̄γ^α f with Q = 1/3 for quarks, −1 for the charged leptons
and the left-handed neutrinos (no right-handed neutrinos lighter than M/2). Widths from the
vector-boson formula Γ(Z′→ff̄) = N_c Q_f² g²M/(12π)(1+2m_f²/M²)β_f, and C = 1/2 per
left-handed neutrino flavour (as in :mod:`darkscan.models.zprime`):

- leptons e, μ, τ with their masses; neutrinos 3 × g²M/(24π);
- hadrons as free quarks: u, d, s massless (N_c Σ Q² = 1: the hadronic width equals the massless
  μ⁺μ⁻ width) and c with open-charm threshold at 2m_D⁰ (the c-quark mass replaced by m_D⁰, the
  usual way to let R step up where charm is produced). The O(α_s/π) QCD correction (≲ 10% of
  Γ_had at these masses, ≲ 3% of B(invisible)) and the narrow cc̄ resonances are left out.

Below :data:`HADRONS_FROM` = 2 GeV the B−L current's hadronic width is that of the isoscalar
vector mesons ω and φ (vector-meson dominance, as DarkCast does it), not a free-quark one and
not the electromagnetic R ratio: not modelled. The branching fractions are NaN there, so a
recast says "no limit" rather than a wrong one.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from darkscan.models.common import vector_to_fermions
from darkscan.models.params import validate_param
from darkscan.physics.constants import M_E, M_MU, M_TAU, mass

__all__ = ["HADRONS_FROM", "branching_fractions", "partial_widths"]

#: lowest mass (GeV) at which the free-quark hadronic width is used
HADRONS_FROM = 2.0
#: the open-charm threshold stands in for the c-quark mass (D⁰, PDG 421)
_M_CHARM_THRESHOLD = mass(421)


def partial_widths(gbl: ArrayLike, mass_: ArrayLike) -> dict[str, np.ndarray]:
    """Γ (GeV) into ee, μμ, ττ, νν̄ (three flavours) and hadrons (NaN below 2 GeV)."""
    g, m = validate_param("gbl", gbl), validate_param("mass", mass_)
    quark = g / 3.0
    hadrons = (3 * vector_to_fermions(quark, m, 0.0, colour=3.0)
               + vector_to_fermions(quark, m, _M_CHARM_THRESHOLD, colour=3.0))
    return {"ee": vector_to_fermions(g, m, M_E), "mumu": vector_to_fermions(g, m, M_MU),
            "tautau": vector_to_fermions(g, m, M_TAU),
            "nunu": 3.0 * vector_to_fermions(g, m, 0.0, colour=0.5),
            "hadrons": np.where(np.asarray(m) >= HADRONS_FROM, hadrons, np.nan)}


def branching_fractions(mass_: ArrayLike) -> dict[str, np.ndarray]:
    """B into each final state and ``invisible`` (= νν̄); NaN below :data:`HADRONS_FROM`."""
    widths = partial_widths(1.0, mass_)
    total = sum(widths.values())
    out = {k: v / total for k, v in widths.items()}
    out["invisible"] = out["nunu"]
    return out
