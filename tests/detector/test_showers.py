"""ECL cluster shapes and times (darkscan.detector.showers) through the fast simulation."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.detector.calorimeter import merge_close_clusters
from darkscan.detector.fastsim import simulate
from darkscan.detector.geometry import ECL_BARREL
from darkscan.detector.parameters import BELLE2_DETECTOR
from darkscan.detector.showers import em_containment
from darkscan.detector.toy import single_particles
from darkscan.events import Sample, SampleMeta, make_truth_events


def _clusters(sample: Sample, bkg: float = 0.0, seed: int = 3) -> ak.Array:
    return ak.flatten(simulate(sample, seed=seed, beam_background_rate=bkg).events.clusters)


def _photons(n: int, e: float, seed: int = 1) -> Sample:
    rng = np.random.default_rng(seed)
    return single_particles(22, np.full(n, e), np.arccos(rng.uniform(-0.4, 0.6, n)),
                            rng.uniform(-np.pi, np.pi, n), 0.0)


def _photon_pairs(n: int, e: float, separation_cm: float, seed: int = 2) -> Sample:
    """Two photons of e/2 each, ``separation_cm`` apart in z on the barrel's face."""
    rng = np.random.default_rng(seed)
    th0 = np.arccos(rng.uniform(-0.4, 0.6, n))
    ph = np.repeat(rng.uniform(-np.pi, np.pi, n), 2)
    th = np.stack([th0, th0 + separation_cm / BELLE2_DETECTOR.ecl_r_barrel * np.sin(th0)],
                  1).ravel()
    en = np.full(2 * n, e / 2)
    z = np.zeros(2 * n)
    ev = make_truth_events(np.full(n, 2), np.ones(n), pdg=np.full(2 * n, 22),
                           px=en * np.sin(th) * np.cos(ph), py=en * np.sin(th) * np.sin(ph),
                           pz=en * np.cos(th), E=en, vx=z, vy=z, vz=z)
    return Sample(ev, SampleMeta(process="toy_pairs", n_generated=n))


def test_em_profile_holds_the_pdg_containment() -> None:
    """90% of an electromagnetic shower within one Molière radius, 99% within 3.5 (PDG)."""
    assert em_containment(1.0, BELLE2_DETECTOR) == pytest.approx(0.90, abs=0.005)
    assert em_containment(3.5, BELLE2_DETECTOR) == pytest.approx(0.99, abs=0.003)


def test_a_photon_is_compact_and_in_time() -> None:
    cl = _clusters(_photons(6000, 2.0))
    cl = cl[cl.E > 1.0]
    lat, e9e21 = ak.to_numpy(cl.LAT), ak.to_numpy(cl.E9E21)
    assert 0.2 < np.median(lat) < 0.35
    assert np.median(e9e21) > 0.95
    assert 0.55 < np.median(ak.to_numpy(cl.E1E9)) < 0.85
    pull = ak.to_numpy(cl.time / cl.time_error)
    assert np.std(pull) == pytest.approx(1.0, abs=0.05)
    # σ_t = 0.773 ns GeV / E_seed + 0.134 ns (basf2's MC): 0.6–0.8 ns for a seed of 1–1.4 GeV
    assert 0.55 < np.median(ak.to_numpy(cl.time_error)) < 0.85


def test_two_merged_photons_are_wider_than_one() -> None:
    one = _clusters(_photons(4000, 2.0))
    one = ak.to_numpy(one[one.E > 1.0].LAT)
    ev = simulate(_photon_pairs(4000, 2.0, 7.0), seed=4, beam_background_rate=0.0).events
    merged = ev.clusters[ak.num(ev.clusters) == 1]
    lat = ak.to_numpy(ak.flatten(merged.LAT))
    assert len(lat) > 2000  # 7 cm apart: most pairs merge (one crystal at most between)
    assert np.median(lat) > np.quantile(one, 0.8)
    assert np.median(ak.to_numpy(ak.flatten(merged.E1E9))) < np.median(
        ak.to_numpy(_clusters(_photons(2000, 2.0)).E1E9))


def test_beam_background_is_out_of_time() -> None:
    cl = _clusters(_photons(20000, 1.0), bkg=2.0)
    bkg, phys = cl[cl.is_bkg], cl[~cl.is_bkg]

    def in_time(c: ak.Array) -> float:
        return float(np.mean(ak.to_numpy(abs(c.time) < 3 * c.time_error)))

    assert in_time(phys) > 0.99
    t = ak.to_numpy(bkg.time)
    window = BELLE2_DETECTOR.ecl_bkg_time_window
    assert np.abs(t).max() <= window and np.mean(np.abs(t) < window / 2) == pytest.approx(
        0.5, abs=0.02)
    # 6σ_t of a 2 µs window, σ_t of soft clusters 10–60 ns: a tenth of the background clusters
    assert 0.05 < in_time(bkg) < 0.15


def test_muons_and_showering_hadrons_look_different() -> None:
    rng = np.random.default_rng(5)
    n = 4000
    th, ph = np.arccos(rng.uniform(-0.4, 0.6, n)), rng.uniform(-np.pi, np.pi, n)
    mu = _clusters(single_particles(13, np.full(n, 2.0), th, ph, 0.1057))
    kl = _clusters(single_particles(130, np.full(n, 2.0), th, ph, 0.4976))
    assert np.median(ak.to_numpy(mu.n_crystals)) <= 3
    assert np.median(ak.to_numpy(kl.LAT)) > 0.6


def test_merge_remembers_the_second_shower() -> None:
    cl = {"keep": np.ones(2, bool), "E": np.array([3.0, 1.0]), "theta": np.full(2, np.pi / 2),
          "phi": np.array([0.0, 0.04]), "region": np.full(2, ECL_BARREL, np.int8)}
    merge_close_clusters(cl, np.zeros(2, np.int64), np.zeros(2), 1, BELLE2_DETECTOR)
    assert cl["sub_e"][0] == 1.0
    assert cl["sub_dist"][0] == pytest.approx(0.04 * BELLE2_DETECTOR.ecl_r_barrel, rel=1e-3)


def test_shapes_are_reproducible() -> None:
    a = _clusters(_photons(500, 1.0), bkg=1.0, seed=9)
    b = _clusters(_photons(500, 1.0), bkg=1.0, seed=9)
    for col in ("time", "E1E9", "LAT"):
        assert np.array_equal(ak.to_numpy(a[col]), ak.to_numpy(b[col]))
