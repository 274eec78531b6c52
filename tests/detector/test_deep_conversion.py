"""Photons converting deep in their crystal: rear leakage and its importance sampling."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import brentq

from darkscan.detector.calorimeter import (
    CONVERSION_LENGTH,
    deep_conversion_depth,
    deep_conversions,
    shower_containment,
)
from darkscan.detector.parameters import BELLE2_DETECTOR

P = BELLE2_DETECTOR


def test_containment_falls_from_one_at_the_face_to_zero_at_the_back() -> None:
    depth = np.array([0.0, 4.0, 8.0, 12.0, 16.0, 17.0])
    c = shower_containment(np.full(6, 3.0), depth, P)
    assert c[0] == pytest.approx(1.0)
    assert np.all(np.diff(c) < 0) and c[-1] == 0.0
    # the depth that loses a photon never grows with its energy (deep_conversions relies on it)
    assert np.all(np.diff(deep_conversion_depth(np.geomspace(1e-4, 20, 500), P)) <= 1e-12)
    # deep_conversion_depth inverts it at ecl_deep_conversion
    t = deep_conversion_depth(np.array([1.0, 5.0]), P)
    assert shower_containment(np.array([1.0, 5.0]), t, P) == pytest.approx(
        [P.ecl_deep_conversion] * 2, rel=1e-9)


@pytest.mark.parametrize("energy", [1.0, 4.0])
def test_the_rate_of_lost_photons_is_the_attenuation_beyond_the_depth_that_loses_them(
        energy: float) -> None:
    """P(deposit < 0.4 GeV) = exp(−t*/λ), t* where the shower keeps 0.4 GeV, λ = 9/7 X0."""
    n = 3_000_000
    rng = np.random.default_rng(11)
    e = np.full(n, energy)
    out, weight, _ = deep_conversions(rng, np.full(n, 22), e, e.copy(), np.arange(n), n, P)
    assert np.all(weight == 1.0)
    t_star = brentq(lambda t: energy * shower_containment(np.array([energy]), np.array([t]),
                                                          P)[0] - 0.4, 0.0, P.ecl_depth_x0)
    expected = np.exp(-t_star / CONVERSION_LENGTH)
    assert 2e-5 < expected < 2e-4
    assert np.mean(out < 0.4) == pytest.approx(expected, rel=4 / np.sqrt(expected * n))


def test_forced_conversions_weighted_reproduce_the_natural_rate() -> None:
    n = 400_000
    e = np.full(n, 2.0)
    forced = replace(P, ecl_force_deep_conversion=1.0)
    out, weight, _ = deep_conversions(np.random.default_rng(5), np.full(n, 22), e, e.copy(),
                                   np.arange(n), n, forced)
    assert np.all(out < P.ecl_deep_conversion * 2.0)  # every photon converted deep
    t_deep = deep_conversion_depth(np.array([2.0]), P)[0]
    assert weight == pytest.approx(np.exp(-t_deep / CONVERSION_LENGTH))
    natural = np.exp(-brentq(lambda t: 2.0 * shower_containment(
        np.array([2.0]), np.array([t]), P)[0] - 0.4, 0.0, P.ecl_depth_x0) / CONVERSION_LENGTH)
    assert np.sum(weight * (out < 0.4)) / n == pytest.approx(natural, rel=0.03)


def test_only_photons_with_a_deposit_convert_and_weights_multiply_per_event() -> None:
    pdg = np.array([22, 11, 22, 13, 22])
    energy = np.array([3.0, 3.0, 0.3, 3.0, 2.0])
    deposit = np.array([3.0, 3.0, 0.3, 0.2, 0.0])  # the last photon went into a gap
    forced = replace(P, ecl_force_deep_conversion=1.0)
    out, weight, leaked = deep_conversions(np.random.default_rng(1), pdg, energy, deposit,
                                        np.array([0, 0, 1, 1, 1]), 2, forced)
    assert leaked[0] and not leaked[[1, 3, 4]].any()  # its shower's rest reaches the KLM
    assert out[1] == 3.0 and out[3] == 0.2 and out[4] == 0.0
    assert out[0] < P.ecl_deep_conversion * 3.0
    assert weight[0] == pytest.approx(np.exp(-deep_conversion_depth(np.array([3.0]), P)[0]
                                             / CONVERSION_LENGTH))
    assert weight[1] == 1.0  # its photon is below the forcing energy


def test_one_photon_per_event_is_forced_and_the_weight_counts_the_choices() -> None:
    n = 200_000
    e = np.full(2 * n, 3.0)
    forced = replace(P, ecl_force_deep_conversion=1.0)
    _, weight, leaked = deep_conversions(np.random.default_rng(2), np.full(2 * n, 22), e,
                                         e.copy(), np.repeat(np.arange(n), 2), n, forced)
    per_event = leaked.reshape(n, 2).sum(axis=1)
    assert np.mean(per_event == 1) > 0.999  # the other one converts deep naturally, rarely
    p_deep = np.exp(-deep_conversion_depth(np.array([3.0]), P)[0] / CONVERSION_LENGTH)
    assert weight == pytest.approx(2 * p_deep)
    # the chosen photon is either one, evenly
    assert np.mean(leaked.reshape(n, 2)[:, 0]) == pytest.approx(0.5, abs=0.005)
