"""Particle ID from subdetector likelihoods (detector.pid): the scores are probabilities, the
physics formulas have their textbook values, and the rates follow from the detector model."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from darkscan.detector import BELLE2_DETECTOR, calorimeter, pid
from darkscan.detector.checks import fake_at_efficiency, id_scores
from darkscan.physics.constants import M_K, M_MU, M_PI


def test_dedx_has_its_minimum_near_bg_3p5_and_a_fermi_plateau() -> None:
    d = BELLE2_DETECTOR
    bg = np.geomspace(0.5, 1e4, 4000)
    curve = np.array([pid.dedx_mean(x, d.dedx_c0, d.dedx_bg_plateau) for x in bg])
    assert bg[np.argmin(curve)] == pytest.approx(3.5, rel=0.15)
    assert curve[-1] / curve.min() == pytest.approx(1.45, abs=0.03)
    assert curve[0] / curve.min() > 3.0  # the 1/β² fall of slow particles


def test_cherenkov_angle_threshold_and_yield() -> None:
    n = BELLE2_DETECTOR.top_index
    p_threshold = M_K / math.sqrt(n * n - 1.0)  # β = 1/n
    assert pid.cherenkov(0.99 * p_threshold, M_K, n) == (0.0, 0.0)
    theta, s2 = pid.cherenkov(2.0, M_PI, n)
    beta = 2.0 / math.hypot(2.0, M_PI)
    assert math.cos(theta) == pytest.approx(1.0 / (n * beta), rel=1e-12)
    assert s2 == pytest.approx(math.sin(theta) ** 2, rel=1e-12)


def test_scores_are_probabilities_and_reproducible() -> None:
    n = 5000
    rng = np.random.default_rng(1)
    apdg = rng.choice([11, 13, 211, 321, 2212], n)
    mass = np.array([dict(zip(pid.HYPOTHESIS_PDG, pid.HYPOTHESIS_MASS))[a] for a in apdg])
    p = rng.uniform(0.2, 4.0, n)
    theta = np.arccos(rng.uniform(-0.9, 0.95, n))
    pt = p * np.sin(theta)
    cluster = np.where(rng.random(n) < 0.8, rng.uniform(0.05, 2.0, n), np.nan)
    layers = rng.integers(0, 15, n)
    args = (mass, p, pt, theta, cluster, layers, BELLE2_DETECTOR)
    a = pid.pid_scores(np.random.default_rng(2), *args)
    b = pid.pid_scores(np.random.default_rng(2), *args)
    total = sum(a[h] for h in pid.HYPOTHESES)
    assert np.allclose(total, 1.0, atol=1e-12)
    assert all(np.all((a[h] >= 0) & (a[h] <= 1 + 1e-12)) for h in pid.HYPOTHESES)
    assert all(np.array_equal(a[h], b[h]) for h in pid.HYPOTHESES)


def test_muon_range_is_continuous_and_capped() -> None:
    k = calorimeter.klm_constants(BELLE2_DETECTOR)
    d = BELLE2_DETECTOR
    assert calorimeter.muon_range(d.klm_muon_p_min, k) == 0.0
    assert calorimeter.muon_range(1.0, k) == pytest.approx(1 + 0.4 / d.klm_gev_per_layer)
    assert calorimeter.muon_range(5.0, k) == d.klm_n_layers


def test_rates_on_the_plateau() -> None:
    """1–3 GeV inside the KLM: Belle's 89% / 1.4% (NIM A 491 69) is the scale; darkscan's
    measured values pinned so that a change of the detector model shows."""
    mu = id_scores(13, M_MU, (1.0, 3.0), "muonID", 5, n=12000)
    pi_mu = id_scores(211, M_PI, (1.0, 3.0), "muonID", 7, n=12000)
    # the pions' KLM showers reach past their interaction layer (their charged secondaries):
    # more pions at a muon's range, fewer muons above the cut (0.93 and 0.012 before)
    assert np.mean(mu > 0.9) == pytest.approx(0.90, abs=0.015)
    assert np.mean(pi_mu > 0.9) == pytest.approx(0.0174, abs=0.004)
    assert np.mean(id_scores(11, 0.000511, (1.0, 3.0), "electronID", 9, n=4000) > 0.9) > 0.98
    kaons = id_scores(321, M_K, (3.0, 4.0), "kaonID", 11, n=8000)
    pions = id_scores(211, M_PI, (3.0, 4.0), "kaonID", 13, n=8000)
    assert fake_at_efficiency(kaons, pions, 0.94).value == pytest.approx(0.028, abs=0.008)


def test_low_momentum_muons_are_identified_but_poorly() -> None:
    """Below the KLM threshold only TOP, dE/dx and the ECL MIP see a muon: possible, weak."""
    mu = np.mean(id_scores(13, M_MU, (0.4, 0.55), "muonID", 15, n=8000) > 0.9)
    high = np.mean(id_scores(13, M_MU, (1.5, 3.0), "muonID", 17, n=8000) > 0.9)
    assert 0.3 < mu < high - 0.15


def test_pion_decays_in_flight_make_muon_fakes() -> None:
    """A pion's decay anywhere before the KLM counts (its kink stays inside the track), a kaon's
    only between the CDC and the KLM (its muon leaves at any angle); without the decay region
    high-momentum pions fake muons less (only punch-through remains)."""
    no_decay = dataclasses.replace(BELLE2_DETECTOR, klm_r_inner=0.0)
    k = calorimeter.klm_constants(BELLE2_DETECTOR)
    prob, lowest = calorimeter.decay_to_muon(211, 1.0, math.pi / 2, k)
    length = 1.0 / M_PI * k[12]
    assert prob == pytest.approx(calorimeter.BF_PI_MUNU * (1.0 - math.exp(-k[11] / length)),
                                 rel=1e-9)
    # 2.00 m of 55.9 m at 1 GeV, × B(π → μν) = 0.99988
    assert prob == pytest.approx(0.0352, abs=0.0005)
    assert lowest == pytest.approx((M_MU / M_PI) ** 2)
    kaon_length = 1.0 / M_K * k[13]
    assert calorimeter.decay_to_muon(321, 1.0, math.pi / 2, k)[0] == pytest.approx(
        calorimeter.BF_K_MUNU * (math.exp(-k[10] / kaon_length) - math.exp(-k[11] / kaon_length)),
        rel=1e-9)
    for species in (211, 321):
        assert calorimeter.decay_to_muon(species, 1.0, math.pi / 2,
                                         calorimeter.klm_constants(no_decay))[0] == 0.0
    n = 400_000
    p = np.full(n, 2.5)
    theta = np.full(n, math.pi / 2)
    e = np.hypot(p, M_PI)
    layers = {name: calorimeter.klm_hits(np.random.default_rng(3), np.full(n, 211), p, e,
                                         theta, np.zeros(n, np.int8), params)["layers"]
              for name, params in (("with", BELLE2_DETECTOR), ("without", no_decay))}
    deep = {name: float(np.mean(v >= BELLE2_DETECTOR.klm_n_layers)) for name, v in layers.items()}
    # decays within r = 200 cm: 1.42% of 2.5 GeV pions, most with a deep muon
    assert deep["with"] - deep["without"] == pytest.approx(0.008, abs=0.002)


@pytest.mark.parametrize("p", [1.2, 3.0])
def test_klm_hadron_likelihood_is_the_simulated_layer_distribution(p: float) -> None:
    """The hadron hypothesis' P(layers) is the distribution the simulation draws (protons: no
    decay to a muon), and the shower's charged secondaries carry hits past the interaction
    layer: at 3 GeV the last layer fires for more than the punch-through alone."""
    k = calorimeter.klm_constants(BELLE2_DETECTOR)
    n = 400_000
    layers = calorimeter.klm_hits(np.random.default_rng(1), np.full(n, 2212), np.full(n, p),
                                  np.full(n, np.hypot(p, 0.938)), np.full(n, math.pi / 2),
                                  np.zeros(n, np.int8), BELLE2_DETECTOR)["layers"]
    simulated = np.bincount(layers, minlength=15) / n
    expected = np.array([pid._klm_hadron(2212, j, p, math.pi / 2, k,
                                         pid._klm_shower(j, p, k, pid.range_probability(
                                             j, calorimeter.muon_range(p, k), k))
                                         if j else 0.0) - pid.FLOOR
                         for j in range(15)])
    assert expected.sum() == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(simulated, expected, atol=0.0015)
    if p == 3.0:
        survival, reach = BELLE2_DETECTOR.klm_hadron_survival, BELLE2_DETECTOR.klm_n_layers
        punch_through = BELLE2_DETECTOR.klm_hadron_prob * survival ** (reach - 1)
        assert expected[reach] > 2.0 * punch_through
