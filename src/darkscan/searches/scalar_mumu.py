"""Muonphilic scalar S → μ⁺μ⁻ in e⁺e⁻ → μ⁺μ⁻S: the four-muon search for a scalar.

Analysis summary (Belle II, PRD 109 112015 (2024), 178 fb⁻¹): the same events, selection, fits
and backgrounds as the Z′ → μ⁺μ⁻ search (:mod:`darkscan.searches.zprime_mumu`), interpreted for
a scalar coupled only to muons, L = −g_S S μ̄μ, radiated off a muon of e⁺e⁻ → μ⁺μ⁻. A scalar is
emitted with a harder spectrum than a vector and decays isotropically, so the efficiency and the
line shape are measured on its own simulation; the network of the MVA step is trained on it.
90% CL limits on σ(e⁺e⁻ → μ⁺μ⁻S) × B(S → μ⁺μ⁻), then on g_S with B(S → μ⁺μ⁻) from the widths
(S → γγ through the muon loop is the rest).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from darkscan.interpret.published import published_for
from darkscan.models.muonphilic import branching_fractions
from darkscan.searches import zprime_mumu
from darkscan.searches.spec import Interpretation, SampleSpec, SignalGrid

_VECTOR = zprime_mumu.SEARCH


def _br_mumu(p: dict[str, np.ndarray]) -> np.ndarray:
    return branching_fractions(p["mass"])["mumu"]


SEARCH = replace(
    _VECTOR,
    name="scalar-mumu",
    title="Muonphilic scalar S → μ⁺μ⁻ in e⁺e⁻ → μ⁺μ⁻S (four muons)",
    summary=__doc__ or "",
    signal=SignalGrid(
        SampleSpec("scalar", "ee_mumu_scalar", n_events=10_000, n_quick=3_000, label="signal",
                   params={"gs": 0.01}, truth_filter=zprime_mumu.is_zprime_to_mumu,
                   filter_label="S → μ⁺μ⁻ (truth)", filter_is_decay=True),
        axes=(replace(_VECTOR.signal.axes[0], label="$M_S$"),)),
    quantity_label="σ(e⁺e⁻ → μ⁺μ⁻S) × B(S → μ⁺μ⁻)",
    interpretations=(Interpretation(
        "muonphilic", "gs", "$g_S$", "muonphilic scalar: B(S → μ⁺μ⁻) from the widths",
        reference=lambda p: p["gs"], power=2.0, branching=_br_mumu),),
    published=published_for("scalar-mumu"),
)
