"""e⁺e⁻ → c c̄ with every weakly decaying charm hadron forced to a channel with a muon
(``ee_cc_mumu``): each charm hadron decays with a muon, the event weight is the product of their
B(H_c → X μ), and the weighted sample stands for the unforced c c̄ events in which that happens
(closure against ``ee_cc``)."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.generate import generate
from darkscan.generate.processes.pythia_processes import CHARM_WEAK, charm_muon_fractions


def _charm_with_muon(particles: ak.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per event: the number of weakly decaying charm hadrons, and how many of them have a
    muon among their daughters."""
    apdg = abs(particles.pdg)
    charm = apdg == CHARM_WEAK[0]
    for pid in CHARM_WEAK[1:]:
        charm = charm | (apdg == pid)
    counts = ak.to_numpy(ak.num(apdg))
    start = np.repeat(np.cumsum(counts) - counts, counts)
    mother = ak.to_numpy(ak.flatten(particles.mother))
    is_muon = ak.to_numpy(ak.flatten(apdg)) == 13
    has_muon = np.zeros(len(mother), bool)
    has_muon[(start + mother)[is_muon & (mother >= 0)]] = True
    with_muon = ak.unflatten(has_muon, counts) & charm
    return ak.to_numpy(ak.sum(charm, axis=1)), ak.to_numpy(ak.sum(with_muon, axis=1))


def test_fractions_are_pythias_semimuonic_branching_fractions() -> None:
    f = charm_muon_fractions()
    # Pythia's table; PDG: D⁺ → μ⁺X (17.6 ± 3.2)%, D⁰ → μ⁺X (6.8 ± 0.6)% [RECALLED]
    assert f[411] == pytest.approx(0.176, abs=0.032)
    assert f[421] == pytest.approx(0.068, abs=0.006)
    assert all(0 < b < 0.2 for b in f.values())


def test_forced_events_weigh_as_the_unforced_ones_they_stand_for() -> None:
    forced = generate("ee_cc_mumu", 3000, seed=41)
    n_charm, n_mu = _charm_with_muon(forced.events.particles)
    assert np.mean((n_mu == n_charm) & (n_charm > 0)) > 0.99  # every charm hadron → X μ
    f = charm_muon_fractions()
    apdg = abs(forced.events.particles.pdg)
    expected = np.ones(len(n_charm))
    for pid, b in f.items():
        expected *= b ** ak.to_numpy(ak.sum(apdg == pid, axis=1))
    weight = ak.to_numpy(forced.events.weight)
    assert np.allclose(weight, expected)
    # closure: in unforced c c̄ every charm hadron decays with a muon at the forced mean weight
    plain = generate("ee_cc", 20000, seed=42)
    n_charm, n_mu = _charm_with_muon(plain.events.particles)
    k = int(np.sum((n_mu == n_charm) & (n_charm > 0)))
    assert k == pytest.approx(weight.mean() * 20000, abs=4 * np.sqrt(weight.mean() * 20000))
    assert 0.006 < weight.mean() < 0.013
