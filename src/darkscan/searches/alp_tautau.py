"""ALP a → τ⁺τ⁻ in e⁺e⁻ → μ⁺μ⁻a: the μμττ recoil-mass search for an ALP coupled to leptons.

Analysis summary (Belle II, PRL 131 121802 (2023), 62.8 fb⁻¹): the same events, selection,
fits and backgrounds as the Z′ → τ⁺τ⁻ search (:mod:`darkscan.searches.zprime_tautau`),
interpreted for an axion-like particle with the pseudoscalar lepton Yukawa (C_ℓℓ/Λ) m_ℓ,
radiated off a muon of e⁺e⁻ → μ⁺μ⁻. Efficiency and line shape are measured on its own
simulation and the networks are trained on it. Its couplings grow with the lepton mass, so it
decays to τ⁺τ⁻ almost always above 2 m_τ (B = 98% at 3.6 GeV). The τ⁺τ⁻ spin correlations that
tell a pseudoscalar from a scalar are not simulated (the τ decay unpolarised). 90% CL limits
on σ(e⁺e⁻ → μ⁺μ⁻a) × B(a → τ⁺τ⁻), then on C_ℓℓ/Λ.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from darkscan.interpret.published import published_for
from darkscan.models.leptophilic import alp_branching_fractions
from darkscan.searches import zprime_tautau
from darkscan.searches.spec import Interpretation, SampleSpec, SignalGrid

_VECTOR = zprime_tautau.SEARCH


def _br_tautau(p: dict[str, np.ndarray]) -> np.ndarray:
    return alp_branching_fractions(p["mass"])["tautau"]


SEARCH = replace(
    _VECTOR,
    name="alp-tautau",
    title="ALP a → τ⁺τ⁻ in e⁺e⁻ → μ⁺μ⁻a (recoil mass against μ⁺μ⁻)",
    summary=__doc__ or "",
    signal=SignalGrid(
        SampleSpec("alp", "ee_mumu_alp_leptons", n_events=8_000, n_quick=4_000,
                   label="signal", params={"cll": 0.1},
                   truth_filter=zprime_tautau.is_x_to_tautau,
                   filter_label="a → τ⁺τ⁻ (truth)", filter_is_decay=True),
        axes=(replace(_VECTOR.signal.axes[0], label="$M_a$"),)),
    quantity_label="σ(e⁺e⁻ → μ⁺μ⁻a) × B(a → τ⁺τ⁻)",
    interpretations=(Interpretation(
        "alp_leptons", "cll", "$C_{\\ell\\ell}/\\Lambda$ [GeV$^{-1}$]",
        "ALP coupled to leptons: B(a → τ⁺τ⁻) from the widths",
        reference=lambda p: p["cll"], power=2.0, branching=_br_tautau),),
    published=published_for("alp-tautau"),
)
