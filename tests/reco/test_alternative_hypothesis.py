"""Masses of a displaced pair under other daughter hypotheses (basf2's
useAlternativeDaughterHypothesis): the K⁰_S and Λ vetoes of displaced-vertex searches."""

import numpy as np
import pytest

from darkscan.detector import simulate
from darkscan.detector.toy import single_particles
from darkscan.reco import ListDef, VertexFit, reconstruct


@pytest.mark.parametrize(("pdg", "mass", "column"), [(310, 0.49761, "M_as_pipi"),
                                                     (3122, 1.11568, "M_as_ppi")])
def test_v0_mass_under_its_own_hypothesis(pdg: int, mass: float, column: str) -> None:
    """1.5 GeV K⁰_S and Λ decaying in flight (up to ~40 cm): the pair, reconstructed as π⁺π⁻,
    has the parent's mass under the right hypothesis at every radius (momenta at the vertex,
    not at the perigee), and not under the other."""
    rng = np.random.default_rng(3)
    n = 400
    truth = single_particles(pdg, np.full(n, 1.5), np.full(n, np.pi / 2),
                             rng.uniform(-np.pi, np.pi, n), mass)
    nt = reconstruct(simulate(truth, seed=4, beam_background_rate=0.0),
                     ListDef("K_S0:x -> pi+ pi-", vertex=VertexFit()),
                     ["M_as_pipi", "M_as_ppi", "vtx_r"]).events
    value, r = np.asarray(nt[column]), np.asarray(nt["vtx_r"])
    assert len(value) > 150
    for near in (r < 2.0, r > 10.0):
        assert np.count_nonzero(near) > 20
        assert np.median(value[near]) == pytest.approx(mass, abs=0.003)
    other = "M_as_ppi" if column == "M_as_pipi" else "M_as_pipi"
    assert abs(np.median(np.asarray(nt[other])) - mass) > 0.3


def test_a_vertex_fitted_list_without_candidates_is_empty_not_an_error() -> None:
    """A chunk where no track passes a daughter list's cut: the fitted list is empty and the
    ntuple has no rows (a small chunk of a tight selection must not stop a run)."""
    rng = np.random.default_rng(5)
    truth = single_particles(310, np.full(50, 1.5), np.full(50, np.pi / 2),
                             rng.uniform(-np.pi, np.pi, 50), 0.49761)
    nt = reconstruct(simulate(truth, seed=4, beam_background_rate=0.0),
                     ListDef("K_S0:x -> pi+:none pi-:none", vertex=VertexFit()),
                     ["M", "vtx_r", "M_as_ppi"],
                     lists=[ListDef("pi+:none", cut="p > 100")]).events
    assert len(nt) == 0 and {"M", "vtx_r", "M_as_ppi"} <= set(nt.fields)
