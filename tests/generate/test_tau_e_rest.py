"""ee_tautau_e_rest (one τ → eνν̄ by darkscan's V−A decay, the other τ in any of Pythia's
channels but eνν̄) and ee_tautau_no_e (both τ in those channels): with ``ee_tautau_ee`` every
τ pair once. Small τ decay libraries (in a temporary cache), as the other Pythia-side τ tests;
the full-size topology comparison is validate's ``generate_tautau_four_prong_fraction``."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.events import Sample
from darkscan.generate import cross_section, generate
from darkscan.generate.processes import tau_pairs as tp
from darkscan.physics.constants import BF_TAU_TO_E, BF_TAU_TO_MU, PDG_ELECTRON, PDG_MUON, PDG_TAU

N_EVENTS = 4000


TAU_LIBRARY_SIZE = (2000, 20)
pytestmark = pytest.mark.usefixtures("small_tau_libraries")


@pytest.fixture(scope="module")
def sample() -> Sample:
    return generate("ee_tautau_e_rest", N_EVENTS, seed=31)


def _tau_daughters(particles: ak.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per particle of the flattened record: |PDG id|, its event, and the index (within the
    event) of its τ mother (−1 when the mother is not a τ)."""
    counts = ak.to_numpy(ak.num(particles))
    pdg = np.abs(ak.to_numpy(ak.flatten(particles.pdg)))
    mother = ak.to_numpy(ak.flatten(particles.mother))
    start = np.repeat(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    event = np.repeat(np.arange(len(counts)), counts)
    tau_mother = np.full(len(pdg), -1)
    ok = mother >= 0
    is_tau = np.zeros(len(pdg), dtype=bool)
    is_tau[ok] = pdg[start[ok] + mother[ok]] == PDG_TAU
    tau_mother[is_tau] = mother[is_tau]
    return pdg, event, tau_mother


def test_channels_are_the_table_without_tau_to_e() -> None:
    every = tp.pythia_tau_channels()
    rest = tp.pythia_non_electron_channels()
    electron = [c for c in every if c not in rest]
    assert len(electron) == 1 and sorted(map(abs, electron[0][2])) == [11, 12, 16]
    assert sum(b for _, b, _ in every) == pytest.approx(1.0, abs=1e-6)
    assert tp.non_electron_fraction() == pytest.approx(1.0 - electron[0][1], abs=1e-12)
    assert 0.80 < tp.non_electron_fraction() < 0.84  # 1 − B(eνν̄) ≈ 0.822


def test_sigma_is_the_tau_pairs_times_both_branchings() -> None:
    """Same Born ττ integrand as ``ee_tautau_ee``: the ratio is the branching products'
    2 B(eνν̄)(1 − B_Pythia(eνν̄)) / B(eνν̄)², up to the two grids' MC errors."""
    rest = cross_section("ee_tautau_e_rest", n_points=100_000)
    both = cross_section("ee_tautau_ee", n_points=100_000)
    ratio = 2.0 * tp.non_electron_fraction() / BF_TAU_TO_E
    err = np.hypot(rest.error_pb / rest.sigma_pb, both.error_pb / both.sigma_pb)
    assert rest.sigma_pb / both.sigma_pb == pytest.approx(ratio, rel=max(5 * err, 2e-3))


def test_one_electron_from_a_tau_and_the_other_tau_never_to_e(sample: Sample) -> None:
    pdg, event, tau_mother = _tau_daughters(sample.events.particles)
    electron = (pdg == PDG_ELECTRON) & (tau_mother >= 0)
    assert np.array_equal(np.bincount(event[electron], minlength=N_EVENTS), np.ones(N_EVENTS))
    # the Pythia side: a muon in B(μνν̄)/(1 − B(eνν̄)) ≈ 21% of the events (4000: ±0.65%)
    muon_events = np.unique(event[(pdg == PDG_MUON) & (tau_mother >= 0)])
    expected = BF_TAU_TO_MU / tp.non_electron_fraction()
    assert len(muon_events) / N_EVENTS == pytest.approx(expected, abs=0.03)


def test_neither_tau_to_e_and_pythia_branchings() -> None:
    """ee_tautau_no_e: no electron from a τ; a muon from a τ in 2b(1 − b) of the events and two
    in b², b = B(μνν̄)/(1 − B(eνν̄)) ≈ 0.211 (4000 events: ±0.8%, ±0.3%); σ = (1 − B(eνν̄))²
    of the τ pairs, against ee_tautau_ee's B(eνν̄)²."""
    s = generate("ee_tautau_no_e", N_EVENTS, seed=37)
    pdg, event, tau_mother = _tau_daughters(s.events.particles)
    assert not np.any((pdg == PDG_ELECTRON) & (tau_mother >= 0))
    n_mu = np.bincount(event[(pdg == PDG_MUON) & (tau_mother >= 0)], minlength=N_EVENTS)
    b = BF_TAU_TO_MU / tp.non_electron_fraction()
    assert np.mean(n_mu == 1) == pytest.approx(2 * b * (1 - b), abs=0.035)
    assert np.mean(n_mu == 2) == pytest.approx(b * b, abs=0.015)
    both = generate("ee_tautau_ee", 100, seed=5)
    assert s.meta.sigma_pb / both.meta.sigma_pb == pytest.approx(
        (tp.non_electron_fraction() / BF_TAU_TO_E) ** 2, rel=0.01)


def test_the_three_parts_have_the_pdg_topology() -> None:
    """The σ-weighted 1 + 3-prong share of the three parts against PDG's 2 B₁B₃ (quick: 3000
    events each, ±0.8%)."""
    from darkscan.generate.checks import TAU_PAIR_PARTS, tau_pair_prongs

    total = four = 0.0
    for i, name in enumerate(TAU_PAIR_PARTS):
        s = generate(name, 3000, seed=50 + i)
        total += s.meta.sigma_pb
        four += s.meta.sigma_pb * np.mean(tau_pair_prongs(s.events.particles) == 4)
    assert four / total == pytest.approx(2 * 0.8524 * 0.1455, abs=0.03)
    assert total == pytest.approx(919.0, rel=0.03)  # the Physics Book's 0.919 nb
