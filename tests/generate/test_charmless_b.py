"""The generic Υ(4S) → B B̄ sample split by charm (charmless_b): the channel classes, the σ
shares, and the decays the two samples hold, B by B."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.generate import get_process
from darkscan.generate.processes import charmless_b as cb
from darkscan.generate.processes.pythia_processes import BF_Y4S_CHARGED


def test_charm_content_of_pdg_ids() -> None:
    charm = (4, -4, 411, -421, 431, 443, 100443, 10441, 30443, 4122, -4103, 4332)
    free = (1, 3, 22, 21, 11, 15, 111, 130, 310, 321, 2212, 3122, 2203, 9010221, 20213)
    assert all(cb.has_charm(p) for p in charm)
    assert not any(cb.has_charm(p) for p in free)
    assert cb.is_charmless((2, -3, 22)) and cb.is_charmless((323, 22))
    assert not cb.is_charmless((-421, 211)) and not cb.is_charmless((-211, 14, -13))


def test_charmless_share_of_pythias_table() -> None:
    # Pythia 8.317's B tables: b → u, s, d hadronic and radiative channels, with b → sγ
    # scaled from Pythia's 5.2·10⁻⁴ to the measured 3.49·10⁻⁴ (×0.65, ×0.68)
    assert cb.radiative_scale(521) == pytest.approx(0.64742, abs=1e-5)
    assert cb.radiative_scale(511) == pytest.approx(0.67543, abs=1e-5)
    assert cb.radiative_fraction(521) == pytest.approx(3.49e-4, rel=1e-9)
    assert cb.charmless_fraction(521) == pytest.approx(0.014691, abs=2e-6)
    assert cb.charmless_fraction(511) == pytest.approx(0.014283, abs=2e-6)
    assert (2, -3, 22) in cb.charmless_channels(521) and (323, 22) in cb.charmless_channels(521)
    # the two classes and the pairs with two charmless B make up every pair
    f2 = sum(s * cb.charmless_fraction(pid) ** 2
             for pid, s in zip(cb.B_IDS, (BF_Y4S_CHARGED, 1 - BF_Y4S_CHARGED), strict=True))
    total = (cb.sigma_fraction("charmless", BF_Y4S_CHARGED)
             + cb.sigma_fraction("charm", BF_Y4S_CHARGED) + f2)
    assert total == pytest.approx(1.0, abs=1e-12)
    assert get_process("belle_upsilon4s_bb_charmless").cross_section({}).sigma_pb == (
        pytest.approx(1110.0 * 0.028565, rel=1e-4))
    with pytest.raises(ValueError, match="b_decays"):
        cb.split_settings("bottomless")


def _charm_hadrons_per_b(particles: ak.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per event: the charm-carrying particles descending from the first B (index 1, the
    particle) and from the second (index 2)."""
    n = ak.to_numpy(ak.num(particles.pdg))
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    mother = ak.to_numpy(ak.flatten(particles.mother))
    pdg = ak.to_numpy(ak.flatten(particles.pdg))
    event = np.repeat(np.arange(len(n)), n)
    root = mother.copy()
    for _ in range(30):  # up the chain until the mother is one of the two B
        up = root > 2
        if not up.any():
            break
        root[up] = mother[start[event[up]] + root[up]]
    charm = np.array([cb.has_charm(int(p)) for p in pdg])
    first = np.bincount(event, charm & (root == 1), minlength=len(n))
    second = np.bincount(event, charm & (root == 2), minlength=len(n))
    return first, second


def test_samples_hold_their_class_b_by_b() -> None:
    seed = np.random.SeedSequence(5)
    charmless = get_process("belle_upsilon4s_bb_charmless").generate_chunk(400, seed, {})
    first, second = _charm_hadrons_per_b(charmless.events.particles)
    assert first.sum() == 0  # the particle B: charmless channels only, no mixing
    # the antiparticle through charm channels: with charm but in its b → u ℓν share (~1%)
    assert np.mean(second > 0) > 0.95
    charm = get_process("belle_upsilon4s_bb_charm").generate_chunk(400, seed, {})
    first, second = _charm_hadrons_per_b(charm.events.particles)
    assert np.mean(first > 0) > 0.95 and np.mean(second > 0) > 0.95
    # the radiative b → sγ channels feed the charmless sample: hard photons from the B itself
    p = charmless.events.particles
    from_b = (p.pdg == 22) & (p.mother == 1) & (p.E > 1.5)
    assert 0.01 < np.mean(ak.to_numpy(ak.any(from_b, axis=1))) < 0.1
    with pytest.raises(ParameterError, match="no signal parameters"):
        get_process("belle_upsilon4s_bb_charm").generate_chunk(
            10, seed, {"mass": 1.0, "sin_theta": 1e-3})


def test_validate_check_measures_the_scaled_radiative_rate() -> None:
    from darkscan.generate.checks_pythia import upsilon4s_charmless_b_to_xs_gamma

    m = upsilon4s_charmless_b_to_xs_gamma()
    # the scaled rate (PDG's 3.49e-4), not Pythia's 5.2e-4: ~490 radiative decays of 20k
    assert m.value == pytest.approx(3.49e-4, rel=0.10)
    assert "B → Kγ" in m.note
