"""iDM + dark Higgs (``idm-dark-higgs``): the channel map and branching fractions against the
generator's h′ decay table, the truth filters on hand-made records, and a reduced end-to-end run
(μ⁺μ⁻ channel, qq̄ background) with a fixed seed."""

import pickle
from dataclasses import replace

import awkward as ak
import numpy as np
import pytest

from darkscan.searches import get
from darkscan.searches.idm_dark_higgs import (
    PDG_CHI2,
    PDG_DARKHIGGS,
    SEARCH,
    background_filter,
    branching,
    ctau_darkhiggs,
    has_signal,
    signal_filter,
)
from darkscan.searches.runner import run_search


def test_registered() -> None:
    assert get("idm-dark-higgs") is SEARCH
    assert [c.name for c in SEARCH.channels] == ["mumu", "pipi", "KK"]
    assert SEARCH.cl == 0.95


def test_branching_and_channel_map() -> None:
    # below the kaon threshold the h′ decays to μμ and ππ (2/3 of the ππ width is π⁺π⁻; e⁺e⁻
    # takes 7·10⁻⁶)
    assert branching("KK", 0.8) == 0.0
    assert branching("mumu", 0.8) + 1.5 * branching("pipi", 0.8) == pytest.approx(1.0, abs=1e-4)
    assert branching("mumu", 0.3) == pytest.approx(0.405, abs=0.002)
    assert not has_signal("KK", {"mass_darkhiggs": 0.8})
    assert has_signal("KK", {"mass_darkhiggs": 1.2})
    assert not has_signal("pipi", {"mass_darkhiggs": 0.5})  # the K_S veto
    assert not has_signal("mumu", {"mass_darkhiggs": 0.2})  # below threshold
    # cτ ∝ 1/sin²θ
    assert ctau_darkhiggs(0.3, 1e-4) == pytest.approx(1017.2, rel=1e-3)
    assert ctau_darkhiggs(0.3, 1e-3) == pytest.approx(10.172, rel=1e-3)


def _record(pdg: list[int], mother: list[int], pz: list[float]) -> ak.Array:
    """One event's truth particles (dark states decayed, status 2)."""
    n = len(pdg)
    return ak.zip({"pdg": [pdg], "mother": [mother],
                   "status": [[2 if p > 4_000_000 else 1 for p in pdg]],
                   "px": [[1.0] * n], "py": [[0.0] * n], "pz": [pz],
                   "E": [[float(np.hypot(1.0, p)) + 0.1 for p in pz]]})


def test_signal_filter() -> None:
    # χ₂ → χ₁e⁺e⁻ and h′ → μ⁺μ⁻; the same with h′ → π⁺π⁻
    ids = [PDG_CHI2, PDG_DARKHIGGS, 4900101, 11, -11]
    mothers = [-1, -1, 0, 0, 0]
    mumu = _record([*ids, 13, -13], [*mothers, 1, 1], [1.0] * 7)
    pipi = _record([*ids, 211, -211], [*mothers, 1, 1], [1.0] * 7)
    both = ak.concatenate([mumu, pipi])
    np.testing.assert_array_equal(signal_filter("mumu")(both), [True, False])
    np.testing.assert_array_equal(signal_filter("pipi")(both), [False, True])
    # the executor's workers receive the filters pickled
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(signal_filter("mumu")))(both),
                                  [True, False])


def test_background_filter() -> None:
    # four pions at θ = 18° carrying 10 GeV in the CMS fail (too much visible energy); two pions
    # and a K_S at 1.3 GeV each pass (the K_S counts as two charged tracks); two pions fail
    hard = _record([211, -211, 211, -211], [-1] * 4, [3.0] * 4)
    soft = _record([211, -211, 310], [-1] * 3, [1.0] * 3)
    two = _record([211, -211], [-1] * 2, [1.0] * 2)
    np.testing.assert_array_equal(background_filter(ak.concatenate([hard, soft, two])),
                                  [False, True, False])


@pytest.fixture(scope="module")
def reduced(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    channels = tuple(c for c in SEARCH.channels if c.name == "mumu")
    search = replace(SEARCH, channels=channels,
                     backgrounds=tuple(b for b in SEARCH.backgrounds if b.id == "qq"),
                     signal=replace(SEARCH.signal,
                                    by_channel={"mumu": SEARCH.signal.by_channel["mumu"]}))
    out = tmp_path_factory.mktemp("idm")
    return run_search(search, out_dir=out, quick=True, seed=2, scale=0.1, report=False)


def test_reduced_run(reduced) -> None:  # type: ignore[no-untyped-def]
    t = reduced.to_table()
    assert len(t["sigma_ul_exp"]) == 1
    assert t["mass_darkhiggs"][0] == 0.8 and t["sin_theta"][0] == 5e-4
    # h′ → μ⁺μ⁻ at 0.8 GeV with cτ = 3.7 cm and the χ₂ pair at cτ = 0.9 cm: four tracks, two
    # vertices, pointing and missing energy keep about a third of the filtered events, and
    # muon and electron ID (muonID > 0.9: ~60–70% efficient below the KLM threshold, from TOP,
    # dE/dx and the ECL; ~93% above) most of those: ≈ 29% (9% when muon ID was the KLM's only)
    assert 0.22 < t["efficiency"][0] < 0.36
    np.testing.assert_allclose(t["peak"][0], 0.8, atol=0.005)
    assert 0.001 < t["resolution"][0] < 0.01
    # σ(e⁺e⁻ → h′χ₁χ₂) of the benchmark at ε = 10⁻³
    np.testing.assert_allclose(t["sigma_signal_ref_pb"][0], 0.0754, rtol=0.02)
    # no simulated background in the window: CLs from toys gives the Poisson 3.0 events over
    # ε·L (365 fb⁻¹), not the asymptotic 1.92
    lim = t["sigma_ul_exp"][0]
    np.testing.assert_allclose(lim * t["efficiency"][0] * 365e3, 3.0, rtol=0.03)
