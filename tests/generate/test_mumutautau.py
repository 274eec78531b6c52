"""ee_mumutautau: e⁺e⁻ → μ⁺μ⁻τ⁺τ⁻ with the full tree-level QED matrix element (6 diagrams).

Gauge invariance (Ward identities of the s-channel photon and of both pair photons), the exact
factorisation of the diagrams with the τ pair off the muon line into e⁺e⁻ → μ⁺μ⁻V × the
virtual-photon splitting with massive τ (against ``mumu_resonance.me2_mumux``), the phase-space
Jacobians of every channel with the τ mass, σ against the grid seed, and unweighted events whose τ
the framework's ``finish_decays`` decays with Pythia."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan import generate as g
from darkscan.generate import helas as h
from darkscan.generate.phase_space import sequential
from darkscan.generate.processes import four_lepton as fl
from darkscan.physics.constants import ALPHA, M_MU, M_TAU

RS = 10.58
P4 = ("px", "py", "pz", "E")
PROC = fl.EE_MUMUTAUTAU
MASSES = (M_MU, M_TAU)
#: Born σ(e⁺e⁻ → μ⁺μ⁻τ⁺τ⁻) at 10.58 GeV, α(0), 300k points (seed 1): 0.1460 ± 0.0006 pb
SIGMA_BORN_REF = 0.1460


def _points(n: int, seed: int) -> tuple[np.ndarray, ...]:
    """Beams and (μ⁻, μ⁺, τ⁻, τ⁺) from all channels of the process."""
    u = np.random.default_rng(seed).random((n, PROC.hard_ndim({})))
    p, _ = PROC.hard(u, np.full(n, RS), {}, False)
    p1, p2 = fl._beams(n, np.full(n, RS))
    return p1, p2, p[:, 0], p[:, 1], p[:, 2], p[:, 3]


def _currents(legs: fl.Legs, e2: float) -> dict[tuple[int, int], np.ndarray]:
    out = {}
    for i, j in ((3, 4), (5, 6)):
        q = legs.p[i] + legs.p[j]
        out[i, j] = fl.pair_current(legs.ubar[i], legs.v[j], q, np.full(len(q), e2))
    return out


def _as_current(q: np.ndarray, k: int, e2: float) -> np.ndarray:
    """The momentum q in place of a current (k copies), normalised like one (|j| ~ e²/√q²)."""
    q2 = np.abs(h.dot(q, q))
    return np.broadcast_to(q * (e2 / np.sqrt(q2))[:, None], (k, *q.shape)).astype(complex)


def _scale(amp: np.ndarray) -> np.ndarray:
    return np.abs(amp).max(axis=(0, 1, 2, 3, 4))


def test_ward_identities_vanish_to_rounding() -> None:
    """Each photon's current replaced by its momentum: the s-channel photon (the four FSR
    diagrams), the μμ photon (FSR off the τ line + both conversion diagrams) and the ττ photon
    (FSR off the μ line + conversions) give zero to rounding. QED is gauge invariant line by line,
    so the test's power is in the lepton masses: the τ line with the muon mass in its propagators
    (τ spinors) is not transverse."""
    n = 400
    p1, p2, *lep = _points(n, 7)
    legs = fl.Legs(p1, p2, tuple(lep), MASSES)
    s = h.dot(p1 + p2, p1 + p2)
    e2 = 4 * np.pi * ALPHA
    je_s = legs.je * (e2 / s)[:, None]
    cur = _currents(legs, e2)
    ref = fl.pairing_amplitudes(legs, (3, 4), (5, 6), je_s, cur[3, 4], cur[5, 6])
    # s-channel photon
    ward = fl.pairing_amplitudes(legs, (3, 4), (5, 6), _as_current(p1 + p2, 2, e2), cur[3, 4],
                                 cur[5, 6])
    fsr = _scale(ward["fsr_a"] + ward["fsr_b"]) / _scale(ref["fsr_a"] + ref["fsr_b"])
    assert fsr.max() < 1e-11
    # μμ photon: the ττ line's FSR diagrams and the conversions
    qa, qb = legs.p[3] + legs.p[4], legs.p[5] + legs.p[6]
    wa = fl.pairing_amplitudes(legs, (3, 4), (5, 6), je_s, _as_current(qa, 4, e2), cur[5, 6])
    rel_a = _scale(wa["fsr_b"] + wa["conversion"]) / _scale(ref["fsr_b"] + ref["conversion"])
    assert rel_a.max() < 1e-10
    wrong = fl.dressed_line(legs.ubar[5], legs.v[6], legs.p[5], legs.p[6],
                            _as_current(qa, 4, e2), qa, M_MU)
    wrong = np.einsum("lni,xni->lxn", je_s * h.METRIC, wrong.reshape(16, n, 4))
    assert np.median(np.abs(wrong).max(axis=(0, 1)) / _scale(ref["fsr_b"])) > 1e-2
    # ττ photon: the μ line's FSR diagrams and the conversions
    wb = fl.pairing_amplitudes(legs, (3, 4), (5, 6), je_s, cur[3, 4], _as_current(qb, 4, e2))
    rel_b = _scale(wb["fsr_a"] + wb["conversion"]) / _scale(ref["fsr_a"] + ref["conversion"])
    assert rel_b.max() < 1e-10


@pytest.mark.parametrize("q2", [12.7, 20.0, 40.0, 80.0])
def test_tau_pair_off_muon_line_factorises(q2: float) -> None:
    """⟨Σ|M_fsr|²⟩ over the τ pair's decay angles = (4e²/3q²)(1 + 2m_τ²/q²) Σ|M_μμV|²(m = √q²,
    g = e) point by point: dσ/dq² = σ(μμV) α/(3πq²) β_τ(1 + 2m_τ²/q²), from threshold 4m_τ² =
    12.63 GeV² up; with the muon mass in the splitting instead the ratio is off by
    (1 + 2m_τ²/q²)/(1 + 2m_μ²/q²) (the test can see the τ mass)."""
    r = fl.fsr_factorisation_ratio(q2, 200, np.random.default_rng(5), m_pair=M_TAU)
    assert np.abs(r - 1).max() < 1e-10


def test_me2_positive_and_not_the_four_muon_one() -> None:
    """|M|² > 0 everywhere; with m_τ → m_μ it is the direct pairing of 4μ, which differs from the
    antisymmetrised 4μ |M|² (no exchange term here)."""
    p1, p2, p3, p4, p5, p6 = _points(300, 3)
    m = fl.me2_mumutautau(p1, p2, p3, p4, p5, p6)
    assert np.all(m > 0) and np.all(np.isfinite(m))
    u = np.random.default_rng(1).random((300, fl.EE_MUMUMUMU.hard_ndim({})))
    mu = fl.EE_MUMUMUMU.hard(u, np.full(300, RS), {}, False)[0]
    mu = (mu[:, 0], mu[:, 1], mu[:, 2], mu[:, 3])
    direct = fl.me2_four_lepton(p1, p2, *mu, (M_MU, M_MU), False)
    assert np.median(np.abs(direct / fl.me2_four_muon(p1, p2, *mu) - 1)) > 1e-2


@pytest.mark.parametrize("rc", [False, True])
@pytest.mark.parametrize("proc", [PROC, fl.EE_MUMUMUMU], ids=lambda p: p.name)
def test_compiled_me2_is_the_sum_over_the_amplitudes(proc: fl.FourLepton, rc: bool) -> None:
    """The one-pass kernel (what generation evaluates) gives Σ|M|² of :func:`fl.amplitudes`
    (the diagram-by-diagram reference the Ward-identity and factorisation tests check) at
    points of every channel, to rounding."""
    n = 500
    u = np.random.default_rng(4).random((n, proc.hard_ndim({})))
    p = proc.hard(u, np.full(n, RS), {}, False)[0]
    legs = fl.Legs(*fl._beams(n, np.full(n, RS)), tuple(p[:, i] for i in range(4)), proc.masses)
    m = fl.amplitudes(legs, fl.coupling_e2(rc), proc.identical)
    ref = np.sum(m.real**2 + m.imag**2, axis=(0, 1, 2, 3, 4))
    got = fl.me2_four_lepton_compiled(legs, fl.coupling_e2(rc), proc.identical)
    assert np.abs(got / ref - 1).max() < 1e-11


@pytest.mark.parametrize("proc", [PROC, fl.EE_MUMUMUMU], ids=lambda p: p.name)
def test_channel_jacobians_integrate_the_same_phase_space(proc: fl.FourLepton) -> None:
    """∫dΦ₄ from every channel's mapping (FSR, conversion along e⁻ and e⁺, soft pair) equals the
    flat sequential chain's within 4σ: μμττ (the τ thresholds of each mapping) and 4μ (its soft-
    pair channels; test_four_muon checks the other two)."""
    n = 200_000
    rng = np.random.default_rng(8)
    rs = np.full(n, RS)
    flat = sequential(rng.random((n, 8)), RS, list(proc.slot_masses))[1]
    ref, err = flat.mean(), flat.std() / np.sqrt(n)
    for ch in proc.channels:
        w = ch.kinematics(rng.random((n, 8)), rs, proc.slot_masses)[1]
        assert abs(w.mean() - ref) < 4 * np.hypot(w.std() / np.sqrt(n), err), ch


def test_cross_section_stable_against_grid_seed() -> None:
    a = g.cross_section("ee_mumutautau", isr=False, n_points=60_000, seed=1)
    b = g.cross_section("ee_mumutautau", isr=False, n_points=60_000, seed=2)
    assert abs(a.sigma_pb - b.sigma_pb) < 4 * np.hypot(a.error_pb, b.error_pb)
    assert a.error_pb / a.sigma_pb < 0.02
    assert abs(a.sigma_pb - SIGMA_BORN_REF) < 4 * a.error_pb


def test_hard_record_then_taus_decayed_by_finish_decays() -> None:
    """Before finish_decays: μ⁻μ⁺τ⁻τ⁺ with status 1 and 4-momentum conserved; through the
    registry every τ is decayed by Pythia (status 2, products with it as mother) and the final
    state still balances the beams."""
    proc = g.get_process("ee_mumutautau")
    smp = proc.generate_chunk(300, np.random.SeedSequence(3), {})
    p = smp.particles
    assert np.all(ak.to_numpy(p.pdg[:, 2:6]) == [13, -13, 15, -15])
    assert np.all(ak.to_numpy(p.status[:, 2:6]) == 1)
    fin, beam = p[p.status == 1], p[p.status == 4]
    d = np.stack([ak.to_numpy(ak.sum(fin[c], axis=1) - ak.sum(beam[c], axis=1)) for c in P4], 1)
    assert np.abs(d).max() < 1e-6
    m2 = ak.to_numpy(p.E[:, 4:6] ** 2 - p.px[:, 4:6] ** 2 - p.py[:, 4:6] ** 2 - p.pz[:, 4:6] ** 2)
    assert np.allclose(np.sqrt(m2), M_TAU, rtol=1e-6)
    assert 0.1 < smp.meta.sigma_pb < 0.25

    dec = g.generate("ee_mumutautau", 300, seed=3, chunk_size=300).particles
    tau = np.abs(dec.pdg) == 15
    assert np.all(ak.to_numpy(ak.sum(tau, axis=1)) >= 2)
    assert int(ak.sum(tau & (dec.status == 1))) == 0
    kids = dec[dec.mother >= 0]
    assert int(ak.sum(np.abs(dec.pdg[kids.mother]) == 15)) > 300 * 2 * 2  # ≥ 2 products per τ
    fin, beam = dec[dec.status == 1], dec[dec.status == 4]
    d = np.stack([ak.to_numpy(ak.sum(fin[c], axis=1) - ak.sum(beam[c], axis=1)) for c in P4], 1)
    assert np.abs(d).max() < 1e-3
    charge = {13: -1, -13: 1, 11: -1, -11: 1, 211: 1, -211: -1, 321: 1, -321: -1}
    q = sum(ak.sum(fin.pdg == k, axis=1) * c for k, c in charge.items())
    assert np.mean(ak.to_numpy(q) == 0) > 0.99  # p/p̄ etc. ignored
