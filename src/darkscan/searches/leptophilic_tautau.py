"""Leptophilic scalar φ_L → τ⁺τ⁻ in e⁺e⁻ → μ⁺μ⁻φ_L: the μμττ recoil-mass search for a scalar.

Analysis summary (Belle II, PRL 131 121802 (2023), 62.8 fb⁻¹): the same events, selection,
fits and backgrounds as the Z′ → τ⁺τ⁻ search (:mod:`darkscan.searches.zprime_tautau`),
interpreted for a scalar with Yukawa couplings ξ m_ℓ/v to every charged lepton, radiated off a
muon of e⁺e⁻ → μ⁺μ⁻. A scalar is emitted with a harder spectrum than a vector and decays
isotropically, so the efficiency and the line shape are measured on its own simulation and the
networks of the MVA step are trained on it. Its couplings grow with the lepton mass, so above
2 m_τ it decays to τ⁺τ⁻ almost always (B = 54% at 3.6 GeV, > 99% above 5 GeV). 90% CL limits on
σ(e⁺e⁻ → μ⁺μ⁻φ_L) × B(φ_L → τ⁺τ⁻), then on ξ.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from darkscan.interpret.published import published_for
from darkscan.models.leptophilic import branching_fractions
from darkscan.searches import zprime_tautau
from darkscan.searches.spec import Interpretation, SampleSpec, SignalGrid

_VECTOR = zprime_tautau.SEARCH


def _br_tautau(p: dict[str, np.ndarray]) -> np.ndarray:
    return branching_fractions(p["mass"])["tautau"]


SEARCH = replace(
    _VECTOR,
    name="leptophilic-tautau",
    title="Leptophilic scalar φ_L → τ⁺τ⁻ in e⁺e⁻ → μ⁺μ⁻φ_L (recoil mass against μ⁺μ⁻)",
    summary=__doc__ or "",
    signal=SignalGrid(
        SampleSpec("leptophilic", "ee_mumu_leptophilic", n_events=8_000, n_quick=4_000,
                   label="signal", params={"xi": 10.0},
                   truth_filter=zprime_tautau.is_x_to_tautau,
                   filter_label="φ_L → τ⁺τ⁻ (truth)", filter_is_decay=True),
        axes=(replace(_VECTOR.signal.axes[0], label="$M_{\\phi_L}$"),)),
    quantity_label="σ(e⁺e⁻ → μ⁺μ⁻φ_L) × B(φ_L → τ⁺τ⁻)",
    interpretations=(Interpretation(
        "leptophilic", "xi", "$\\xi$", "leptophilic scalar: B(φ_L → τ⁺τ⁻) from the widths",
        reference=lambda p: p["xi"], power=2.0, branching=_br_tautau),),
    published=published_for("leptophilic-tautau"),
)
