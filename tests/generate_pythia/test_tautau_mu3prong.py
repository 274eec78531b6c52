"""e⁺e⁻ → τ⁺τ⁻ with one τ → μνν̄ (own decay) and the other forced to three charged prongs by
Pythia (``ee_tautau_mu3prong``): the forced record, σ × B, four-momentum, and the three-prong
mode mix against Pythia's unforced τ decays."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.events import Sample
from darkscan.generate import cross_section, get_process, resolve_params
from darkscan.generate.processes.tau_pairs import three_prong_fraction, three_prong_settings
from darkscan.generate.pythia_bridge import decay_final_taus
from darkscan.generate.registry import finish_decays
from darkscan.physics.constants import BF_TAU_TO_MU

CHARGED = np.array([11, 13, 211, 321, 2212])
N_EVENTS = 2500


def _undecayed(n: int, seed: int) -> Sample:
    proc = get_process("ee_tautau_mu3prong")
    return proc.generate_chunk(n, np.random.SeedSequence(seed), resolve_params(proc, {}))


@pytest.fixture(scope="module")
def forced() -> Sample:
    return finish_decays(_undecayed(N_EVENTS, 31), np.random.SeedSequence(31))


def _direct(parts: ak.Array, mother: int) -> ak.Array:
    return parts[parts.mother == mother]


def _isin(pdg: ak.Array, ids: np.ndarray) -> ak.Array:
    return ak.unflatten(np.isin(np.abs(ak.to_numpy(ak.flatten(pdg))), ids), ak.num(pdg))


def _n_charged(d: ak.Array) -> np.ndarray:
    return ak.to_numpy(ak.sum(_isin(d.pdg, CHARGED), axis=1))


def _n_pi0(d: ak.Array) -> np.ndarray:
    return ak.to_numpy(ak.sum(d.pdg == 111, axis=1))


def test_one_tau_to_mu_the_other_to_three_prongs(forced: Sample) -> None:
    parts = forced.particles
    assert np.all(ak.to_numpy(abs(parts.pdg[:, 2])) == 15)
    assert np.all(ak.to_numpy(parts.pdg[:, 2] + parts.pdg[:, 3]) == 0)
    assert np.all(ak.to_numpy(parts.status[:, 2:4]) == 2)  # both decayed
    lep = _direct(parts, 2)
    assert np.all(ak.to_numpy(ak.num(lep)) == 3)
    sign = np.sign(ak.to_numpy(parts.pdg[:, 2]))
    np.testing.assert_array_equal(ak.to_numpy(ak.to_regular(lep.pdg, axis=1)),
                                  sign[:, None] * np.array([16, 13, -14]))
    prong = _direct(parts, 3)
    assert np.all(_n_charged(prong) == 3)
    assert np.all(ak.to_numpy(ak.sum(prong.pdg == -16 * sign[:, None], axis=1)) == 1)
    # charge of the three prongs is the τ's: the opposite of the muon's
    q = ak.to_numpy(ak.sum(np.sign(prong.pdg) * np.where(abs(prong.pdg) == 16, 0,
                                                          np.where(abs(prong.pdg) == 211, 1, 0)),
                           axis=1))
    pions_only = ak.to_numpy(ak.all(_isin(prong.pdg, np.array([16, 111, 211])), axis=1))
    assert np.all(q[pions_only] == sign[pions_only])  # τ⁺ (pdg −15) → π⁺π⁺π⁻: +1
    # both charge assignments, 50/50
    frac = np.mean(sign > 0)
    assert abs(frac - 0.5) < 4 * np.sqrt(0.25 / N_EVENTS)


def test_four_momentum_is_conserved(forced: Sample) -> None:
    parts = forced.particles

    def total(mask: ak.Array) -> np.ndarray:
        return np.stack([ak.to_numpy(ak.sum(parts[c][mask], axis=1))
                         for c in ("px", "py", "pz", "E")], axis=-1)

    np.testing.assert_allclose(total(parts.status == 1), total(parts.status == 4), atol=2e-5)


def test_sigma_is_tautau_times_2_bmu_b3prong() -> None:
    forced = cross_section("ee_tautau_mu3prong", n_points=100_000)
    mumu = cross_section("ee_tautau_mumu", n_points=100_000)
    b3 = three_prong_fraction()
    expected = mumu.sigma_pb / BF_TAU_TO_MU**2 * 2.0 * BF_TAU_TO_MU * b3
    err = expected * np.hypot(forced.error_pb / forced.sigma_pb, mumu.error_pb / mumu.sigma_pb)
    assert forced.sigma_pb == pytest.approx(expected, abs=4 * err + 1e-3 * expected)
    # σ(ee → ττ) ≈ 0.92 nb at √s = 10.58 GeV: 2 × 0.1739 × 0.149 × 0.92 nb ≈ 48 pb
    assert 44.0 < forced.sigma_pb < 52.0


def test_three_prong_fraction_against_pdg() -> None:
    """Pythia's table: 14.92%; PDG 2024 h⁻h⁻h⁺ ≥ 0 neutrals ν_τ (ex. K⁰_S → ππ): 14.55%."""
    assert three_prong_fraction() == pytest.approx(0.1455, abs=0.006)
    assert three_prong_settings()[0] == "15:onMode = off"


def test_mode_mix_matches_unforced_pythia(forced: Sample) -> None:
    """π⁰ multiplicity among the three-prong decays (πππ, πππ π⁰, πππ 2π⁰ and K modes) and the
    three-prong fraction itself, forced vs Pythia's unforced τ decays of the same τ's."""
    free = decay_final_taus(_undecayed(3 * N_EVENTS, 32).events, np.random.SeedSequence(33))
    prong = _direct(free["particles"], 3)
    three = _n_charged(prong) == 3
    n_free = len(three)
    b3 = three_prong_fraction()
    assert three.mean() == pytest.approx(b3, abs=4 * np.sqrt(b3 * (1 - b3) / n_free))
    pi0_free = _n_pi0(prong)[three]
    pi0_forced = _n_pi0(_direct(forced.particles, 3))
    for k in (0, 1, 2):
        a, b = np.mean(pi0_free == k), np.mean(pi0_forced == k)
        err = np.sqrt(a * (1 - a) / len(pi0_free) + b * (1 - b) / len(pi0_forced))
        assert abs(a - b) < 4 * err + 1e-3, (k, a, b)
    assert 0.55 < np.mean(pi0_forced == 0) < 0.72  # 3π (+ K modes): 9.84/14.92 = 0.66
