"""Dark-sector models: widths, branching fractions, lifetimes and closed-form cross sections.

One formula in one place, each citing its source and the status tag of
``reference/theory_detector.md`` Part A. Functions are vectorised over numpy arrays of masses and
couplings and validate their inputs (:mod:`darkscan.models.params`). This layer must not generate
events.

Modules: :mod:`~darkscan.models.zprime` (L_μ−L_τ Z′), :mod:`~darkscan.models.dark_photon` (A′),
:mod:`~darkscan.models.rratio` (hadronic R), :mod:`~darkscan.models.dark_higgs` (A′h′, h′),
:mod:`~darkscan.models.idm` (inelastic DM), :mod:`~darkscan.models.alp` (a→γγ),
:mod:`~darkscan.models.scalar` (Higgs-mixed S, B→K(*)S), :mod:`~darkscan.models.muonphilic`,
:mod:`~darkscan.models.leptophilic` (φ_L and the lepton-coupled ALP, couplings ∝ m_ℓ),
:mod:`~darkscan.models.ids` (dark-state ids), :mod:`~darkscan.models.common` (shared widths).
"""

from darkscan.models import (
    alp,
    common,
    dark_higgs,
    dark_photon,
    idm,
    ids,
    leptophilic,
    muonphilic,
    params,
    rratio,
    scalar,
    zprime,
)
from darkscan.models.common import ctau_from_width, width_from_ctau
from darkscan.models.ids import dark_particle, pdgid
from darkscan.models.params import PARAMETERS, validate_params

__all__ = ["PARAMETERS", "alp", "common", "ctau_from_width", "dark_higgs", "dark_particle",
           "dark_photon", "idm", "ids", "leptophilic", "muonphilic", "params", "pdgid", "rratio",
           "scalar", "validate_params", "width_from_ctau", "zprime"]
