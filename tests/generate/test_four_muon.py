"""ee_mumumumu: e⁺e⁻ → μ⁺μ⁻μ⁺μ⁻ with the full tree-level QED matrix element (12 diagrams).

Gauge invariance (Ward identities of the s-channel photon and of a pair photon), the symmetry of
|M|² under the exchange of identical muons, the exact factorisation of the FSR diagrams into
e⁺e⁻ → μ⁺μ⁻V × the virtual-photon splitting (against ``mumu_resonance.me2_mumux``), the phase-space
Jacobians of the three channels, σ against the grid seed, and unweighted events."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan import generate as g
from darkscan.generate import helas as h
from darkscan.generate.phase_space import massless_volume, sequential
from darkscan.generate.processes import four_muon as fm
from darkscan.physics.constants import M_MU

RS = 10.58
P4 = ("px", "py", "pz", "E")


def _points(n: int, seed: int) -> tuple[np.ndarray, ...]:
    """Beams and muons (p1, p2, p3, p4, p5, p6) from all three channels of the process."""
    u = np.random.default_rng(seed).random((n, FOURMU.hard_ndim({})))
    p, _ = FOURMU.hard(u, np.full(n, RS), {}, False)
    p1, p2 = fm._beams(n, np.full(n, RS))
    return p1, p2, p[:, 0], p[:, 1], p[:, 2], p[:, 3]


FOURMU = fm.EE_MUMUMUMU


def _pairing(legs: fm.Legs, a: tuple[int, int], b: tuple[int, int], je_s: np.ndarray,
             ja: np.ndarray | None = None) -> dict[str, np.ndarray]:
    e2 = fm.coupling_e2(False)
    cur = {}
    for i, j in (a, b):
        q = legs.p[i] + legs.p[j]
        cur[i, j] = fm.pair_current(legs.ubar[i], legs.v[j], q, e2(h.dot(q, q)))
    return fm.pairing_amplitudes(legs, a, b, je_s, cur[a] if ja is None else ja, cur[b])


def ward_currents(legs: fm.Legs, pair: tuple[int, int]) -> np.ndarray:
    q = legs.p[pair[0]] + legs.p[pair[1]]
    return fm.pair_current(legs.ubar[pair[0]], legs.v[pair[1]], q, np.full(len(q), 1.0))


def _scale(amp: np.ndarray) -> np.ndarray:
    return np.abs(amp).max(axis=(0, 1, 2, 3, 4))


@pytest.mark.parametrize("pairing", [((3, 4), (5, 6)), ((3, 6), (5, 4))])
def test_ward_identities_vanish_to_rounding(pairing) -> None:
    """q_μ of the s-channel photon contracted with the μμμμ current (the four FSR diagrams of a
    pairing: the photon on every muon line, every position) and q_A of a pair photon contracted
    with e⁺e⁻ → μ⁺μ⁻γ*(q_A) (FSR off line b and both conversion diagrams) vanish. In QED this
    holds line by line once the photon sits at every position of a line; one diagram alone is
    not transverse (checked, so that the test can fail)."""
    n = 400
    p1, p2, *mu = _points(n, 7)
    legs = fm.Legs(p1, p2, tuple(mu))
    s = h.dot(p1 + p2, p1 + p2)
    e2 = 4 * np.pi / 137.036
    je_s = legs.je * (e2 / s)[:, None]
    ref = _pairing(legs, *pairing, je_s)
    # e⁺e⁻ current → its momentum, normalised like it (|je| ≈ √s)
    q_s = np.broadcast_to((p1 + p2) * (e2 / np.sqrt(s))[:, None], (2, n, 4)).astype(complex)
    ward = _pairing(legs, *pairing, q_s)
    rel = _scale(ward["fsr_a"] + ward["fsr_b"]) / _scale(ref["fsr_a"] + ref["fsr_b"])
    assert rel.max() < 1e-11
    # one diagram: ū_a J̸_b S(p_a + q_b) q̸_s v_a, the s-photon next to the μ⁺ only
    a, b = pairing
    jb = ward_currents(legs, b)
    qb = legs.p[b[0]] + legs.p[b[1]]
    left = h.fermion_prop_bar(h.vertex_v_bar(legs.ubar[a[0]][0], jb[0]), legs.p[a[0]] + qb, M_MU)
    one = h.dot(h.vector_current(left, legs.v[a[1]][0]), p1 + p2)
    full = h.dot(h.vector_current(left, legs.v[a[1]][0]), legs.je[0])
    assert np.median(np.abs(one) / np.abs(full)) > 0.1
    # pair photon a: its current → q_a (normalised by √q_a² like the current)
    qa = legs.p[a[0]] + legs.p[a[1]]
    qa2 = h.dot(qa, qa)
    ja = np.broadcast_to(qa * (e2 / np.sqrt(qa2))[:, None], (4, n, 4)).astype(complex)
    ward_a = _pairing(legs, *pairing, je_s, ja)
    rel_a = (_scale(ward_a["fsr_b"] + ward_a["conversion"])
             / _scale(ref["fsr_b"] + ref["conversion"]))
    assert rel_a.max() < 1e-10


def test_massless_beams_conserve_helicity() -> None:
    """The two beam configurations left out of the helicity sum vanish identically."""
    p1, p2, *_ = _points(50, 3)
    u1, vb2 = h.spinors("u", p1, 0.0), h.spinors("vbar", p2, 0.0)
    for lam in (-1, 1):
        assert np.abs(h.vector_current(vb2[lam], u1[lam])).max() == 0.0
        assert np.abs(h.vector_current(vb2[-lam], u1[lam])).max() > 1.0


def test_me2_symmetric_under_identical_muon_exchange() -> None:
    p1, p2, p3, p4, p5, p6 = _points(600, 11)
    m0 = fm.me2_four_muon(p1, p2, p3, p4, p5, p6)
    assert np.all(m0 > 0)
    assert np.abs(fm.me2_four_muon(p1, p2, p5, p4, p3, p6) / m0 - 1).max() < 1e-10
    assert np.abs(fm.me2_four_muon(p1, p2, p3, p6, p5, p4) / m0 - 1).max() < 1e-10
    assert np.abs(fm.me2_four_muon(p1, p2, p5, p6, p3, p4) / m0 - 1).max() < 1e-10
    # one pairing alone is not symmetric: the exchange term matters
    legs = fm.Legs(p1, p2, (p3, p4, p5, p6))
    legs_x = fm.Legs(p1, p2, (p3, p6, p5, p4))
    s = h.dot(p1 + p2, p1 + p2)
    je_s = legs.je * (4 * np.pi / 137.036 / s)[:, None]

    def direct(lg: fm.Legs) -> np.ndarray:
        a = sum(_pairing(lg, (3, 4), (5, 6), je_s).values())
        return np.sum(np.abs(a) ** 2, axis=(0, 1, 2, 3, 4))

    assert np.median(np.abs(direct(legs_x) / direct(legs) - 1)) > 1e-2


@pytest.mark.parametrize("q2", [0.05, 0.5, 5.0, 50.0])
def test_fsr_factorises_into_mumu_vector_times_splitting(q2: float) -> None:
    """⟨Σ|M_fsr|²⟩ over the pair's decay angles = (4e²/3q²)(1 + 2m²/q²) Σ|M_μμV|²(m = √q², g = e)
    point by point, i.e. dσ/dq² = σ(μμV) α/(3πq²) β(1 + 2m²/q²): normalisation, propagators
    and the relative sign of the two emitting diagrams."""
    r = fm.fsr_factorisation_ratio(q2, 300, np.random.default_rng(5))
    assert np.abs(r - 1).max() < 1e-10


def test_channel_jacobians_integrate_the_same_phase_space() -> None:
    """∫dΦ₄ from each channel's mapping equals the flat sequential chain's within 4σ (MC), and
    lies just below the massless closed form (four muons of 0.1 GeV at √s = 10.58 GeV)."""
    n = 200_000
    rng = np.random.default_rng(8)
    rs = np.full(n, RS)
    ws = (fm.kinematics_fsr(rng.random((n, 8)), rs)[4],
          fm.kinematics_conversion(rng.random((n, 8)), rs)[4],
          sequential(rng.random((n, 8)), RS, [M_MU] * 4)[1])
    vol = [(w.mean(), w.std() / np.sqrt(n)) for w in ws]
    flat, err = vol[2]
    for v, e in vol[:2]:
        assert abs(v - flat) < 4 * np.hypot(e, err)
    assert 0.97 < flat / massless_volume(4, RS**2) < 0.995


def test_cross_section_stable_against_grid_seed() -> None:
    a = g.cross_section("ee_mumumumu", isr=False, n_points=60_000, seed=1)
    b = g.cross_section("ee_mumumumu", isr=False, n_points=60_000, seed=2)
    assert abs(a.sigma_pb - b.sigma_pb) < 4 * np.hypot(a.error_pb, b.error_pb)
    assert a.error_pb / a.sigma_pb < 0.015
    # Born σ(e⁺e⁻ → 4μ) at 10.58 GeV measured with 300k points: 0.335 ± 0.002 pb
    assert 0.32 < a.sigma_pb < 0.35


def test_unweighted_events_four_muons_charge_and_momentum() -> None:
    smp = g.generate("ee_mumumumu", 1500, seed=4, chunk_size=1500)
    p = smp.particles
    fin, beam = p[p.status == 1], p[p.status == 4]
    d = np.stack([ak.to_numpy(ak.sum(fin[c], axis=1) - ak.sum(beam[c], axis=1)) for c in P4], 1)
    assert np.abs(d).max() < 1e-6
    mu = fin[abs(fin.pdg) == 13]
    assert np.all(ak.to_numpy(ak.num(mu)) == 4)
    assert np.all(ak.to_numpy(ak.sum(mu.pdg, axis=1)) == 0)
    assert np.all(ak.to_numpy(p.pdg[:, 2:6]) == [13, -13, 13, -13])
    assert 0.33 < smp.meta.sigma_pb < 0.43  # with ISR ≈ 0.38 pb
    # FSR dipoles: slots (2,3), (4,5) are the pairing holding the lightest μ⁺μ⁻ pair
    m = np.stack([ak.to_numpy(p[c][:, 2:6]) for c in P4], axis=-1)

    def m2(i: int, j: int) -> np.ndarray:
        return h.dot(m[:, i] + m[:, j], m[:, i] + m[:, j])

    # (decided before FSR, which keeps the dipoles' masses but moves the crossed ones)
    assert np.mean(np.minimum(m2(0, 1), m2(2, 3)) <= np.minimum(m2(0, 3), m2(2, 1))) > 0.97
    # the identical μ⁻ are relabelled at random: the first is the harder one half of the time
    first = np.mean(m[:, 0, 3] > m[:, 2, 3])
    assert abs(first - 0.5) < 4 * np.sqrt(0.25 / len(m))
