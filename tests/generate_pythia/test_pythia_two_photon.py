"""Tests of the Pythia bridge, the Pythia processes and the two-photon EPA generator."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.generate import get_process
from darkscan.generate.processes.two_photon import dsigma_shape, sigma_gg_ll
from darkscan.generate.pythia_bridge import MM_PER_NS, MM_TO_CM, batch_to_columns, pythia_seed
from darkscan.physics.constants import ALPHA
from darkscan.physics.experiment import BELLE2


def _p4(parts: ak.Array) -> np.ndarray:
    return np.stack([ak.to_numpy(ak.flatten(parts[k])) for k in ("px", "py", "pz", "E")], -1)


@pytest.fixture(scope="module")
def tautau():
    return get_process("ee_tautau").generate_chunk(150, np.random.SeedSequence(2024), {})


def test_units_mm_to_cm_and_mm_per_c_to_ns() -> None:
    prt = ak.Array([[
        {"id": 90, "status": -11, "mother1": 0, "daughter1": 0,
         "p": {"px": 0.0, "py": 0.0, "pz": 0.0, "e": 10.0}, "vProd": None},
        {"id": 15, "status": -23, "mother1": 0, "daughter1": 2,
         "p": {"px": 0.0, "py": 0.0, "pz": 4.0, "e": 4.4}, "vProd": None},
        {"id": 211, "status": 91, "mother1": 1, "daughter1": 0,
         "p": {"px": 0.0, "py": 0.0, "pz": 2.0, "e": 2.1},
         "vProd": {"px": 1.0, "py": -2.0, "pz": 3.0, "e": 299.792458}},
    ]])
    counts, cols = batch_to_columns(prt)
    assert counts.tolist() == [2]
    assert cols["pdg"].tolist() == [15, 211]
    assert cols["status"].tolist() == [2, 1]
    assert cols["mother"].tolist() == [-1, 0]
    np.testing.assert_allclose([cols["vx"][1], cols["vy"][1], cols["vz"][1]], [0.1, -0.2, 0.3])
    assert cols["t"][1] == pytest.approx(1.0)          # 299.79 mm/c = 1 ns
    assert MM_TO_CM == 0.1 and MM_PER_NS == pytest.approx(299.792458)


def test_pythia_seed_in_range() -> None:
    s = [pythia_seed(np.random.SeedSequence(i)) for i in range(50)]
    assert all(1 <= x <= 900_000_000 for x in s) and len(set(s)) == 50


def test_tautau_energy_momentum_conservation_in_lab(tautau) -> None:
    parts = tautau.particles
    fin = parts[parts.status == 1]
    tot = np.stack([ak.to_numpy(ak.sum(fin[k], axis=1)) for k in ("px", "py", "pz", "E")], -1)
    # per-event beams are within the energy spread; the CMS mass must be the nominal sqrt(s)
    m = np.sqrt(tot[:, 3] ** 2 - np.sum(tot[:, :3] ** 2, axis=1))
    np.testing.assert_allclose(m, BELLE2.sqrt_s, atol=1e-3)
    np.testing.assert_allclose(tot.mean(0), BELLE2.p4_total, atol=5e-3)
    # every event has exactly one decayed tau+ and tau-, and their daughters point to them
    for pdg in (15, -15):
        assert np.all(ak.to_numpy(ak.sum(parts.pdg == pdg, axis=1)) == 1)
    tau_idx = ak.to_numpy(ak.argmax(parts.pdg == 15, axis=1))
    n_daughters = ak.to_numpy(ak.sum(parts.mother == tau_idx, axis=1))
    assert np.all(n_daughters >= 2)
    assert tautau.meta.sigma_pb == pytest.approx(890.0, rel=0.05)


def test_tautau_decay_vertices_displaced_in_lab(tautau) -> None:
    parts = tautau.particles
    # tau daughters: production vertex = tau decay vertex; mean flight ≈ βγcτ ≈ 0.025 cm
    moth = parts.mother
    is_tau_dau = ak.flatten(moth >= 0) & (np.abs(ak.to_numpy(ak.flatten(
        parts.pdg[ak.where(moth >= 0, moth, 0)]))) == 15)
    r = np.sqrt(ak.to_numpy(ak.flatten(parts.vx)) ** 2 + ak.to_numpy(ak.flatten(parts.vz)) ** 2)
    flight = r[is_tau_dau]
    assert 0.01 < np.mean(flight) < 0.06


def test_determinism_same_seed() -> None:
    proc = get_process("ee_tautau")
    a = proc.generate_chunk(20, np.random.SeedSequence(99), {})
    b = proc.generate_chunk(20, np.random.SeedSequence(99), {})
    c = proc.generate_chunk(20, np.random.SeedSequence(100), {})
    assert ak.to_list(a.events) == ak.to_list(b.events)
    assert ak.to_list(a.events) != ak.to_list(c.events)


def test_upsilon4s_bb_record() -> None:
    s = get_process("upsilon4s_bb").generate_chunk(30, np.random.SeedSequence(1), {})
    parts = s.particles
    assert np.all(ak.to_numpy(parts.pdg[:, 0]) == 300553)
    b = ak.to_numpy(np.abs(parts.pdg[:, 1]))
    assert set(b.tolist()) <= {511, 521}
    assert s.meta.sigma_pb == pytest.approx(1110.0)


def test_breit_wheeler_shape_integrates_to_total() -> None:
    from scipy import integrate

    for w, m in ((0.5, 0.10566), (2.0, 0.10566), (1.0, 0.000511)):
        beta = np.sqrt(1 - 4 * m * m / w**2)
        integral = integrate.quad(lambda c, b=beta: dsigma_shape(c, b), -1, 1,
                                  points=[-0.999, 0.999], limit=500)[0]
        total = 2 * np.pi * ALPHA**2 * beta / w**2 * integral
        assert total == pytest.approx(float(sigma_gg_ll(w, m)), rel=1e-6)


def test_eemumu_cross_section_within_10_percent() -> None:
    x = get_process("ee_eemumu_epa").cross_section({}, n_points=200_000, seed=3)
    assert x.sigma_pb == pytest.approx(18_900.0, rel=0.10)
    assert x.error_pb < 0.01 * x.sigma_pb


def test_two_photon_kinematics() -> None:
    s = get_process("ee_eemumu_epa").generate_chunk(2000, np.random.SeedSequence(5), {})
    p = _p4(s.particles).reshape(-1, 4, 4)
    cms = BELLE2.to_cms(p)
    assert s.particles.pdg[0].tolist() == [11, -11, 13, -13]
    pair = cms[:, 2] + cms[:, 3]
    pt_pair = np.hypot(pair[:, 0], pair[:, 1])
    pt_ee = np.hypot(cms[:, 0, 0] + cms[:, 1, 0], cms[:, 0, 1] + cms[:, 1, 1])
    np.testing.assert_allclose(pt_pair, pt_ee, atol=2e-3)   # pair pT balances the e± pT
    assert np.median(pt_pair) < 0.1
    w = np.sqrt(np.maximum(pair[:, 3] ** 2 - np.sum(pair[:, :3] ** 2, axis=1), 0))
    assert w.min() > 0.5
    # scattered e- forward (+z in CMS), e+ backward, mostly within 10 mrad of the axis
    th_em = np.arccos(cms[:, 0, 2] / np.linalg.norm(cms[:, 0, :3], axis=1))
    th_ep = np.pi - np.arccos(cms[:, 1, 2] / np.linalg.norm(cms[:, 1, :3], axis=1))
    assert np.median(th_em) < 0.01 and np.median(th_ep) < 0.01
    tot = cms.sum(axis=1)
    m = np.sqrt(tot[:, 3] ** 2 - np.sum(tot[:, :3] ** 2, axis=1))
    np.testing.assert_allclose(m, BELLE2.sqrt_s, atol=1e-6)
