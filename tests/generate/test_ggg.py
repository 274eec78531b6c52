"""e⁺e⁻ → γγγ (processes/three_photon.py): gauge invariance, Bose symmetry, the soft-photon
theorem against the ee_gg Born matrix element, the closed massless form, σ stability and
generated events."""

from __future__ import annotations

import itertools
import math

import awkward as ak
import numpy as np
import pytest

from darkscan.generate import cross_section, generate
from darkscan.generate.phase_space import rest_frame_p4, two_body
from darkscan.generate.processes import three_photon as tp
from darkscan.generate.processes.sm_qed import me2_ee_gg

SQRT_S = 10.58


def _points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random three-photon points at √s (every photon above 0.1 GeV, |cosθ| < 0.98)."""
    rs = np.full(n, SQRT_S)
    p, w = tp.kinematics_ggg(np.random.default_rng(seed).random((n, 5)), rs, 0.1, (-0.98, 0.98))
    p1, p2 = tp._beams(n, rs)
    ok = w > 0
    return p1[ok], p2[ok], p[ok]


def test_kinematics_conserve_momentum_and_are_massless() -> None:
    p1, p2, p = _points(500, 1)
    assert len(p) > 450
    np.testing.assert_allclose(p.sum(axis=1), p1 + p2, atol=1e-12)
    np.testing.assert_allclose(tp.h.dot(p, p), 0.0, atol=1e-11)


def test_phase_space_volume_inside_cuts() -> None:
    """∫dΦ₃ inside |cosθ| < 0.9, E > 0.5 GeV for all three photons: the six-channel estimator
    6/Σ_σ(dΦ₃/du)_σ⁻¹ on points of channel (0, 1) (kinematics_ggg and channel_jacobians) against
    the flat sequential sampler (Q² and both two-body angles flat), 0.3% each."""
    n, cr, emin = 200_000, (-0.9, 0.9), 0.5
    rs = np.full(n, SQRT_S)

    def inside(p: np.ndarray) -> np.ndarray:
        c = p[..., 2] / p[..., 3]
        return np.all((c > cr[0]) & (c < cr[1]) & (p[..., 3] > emin), axis=1)

    p, w = tp.kinematics_ggg(np.random.default_rng(3).random((n, 5)), rs, emin, cr)
    ok = inside(p) & (w > 0)
    jac = tp.channel_jacobians(p, rs, emin, cr)
    est = np.where(ok, 6.0 / np.sum(1.0 / np.where(ok[:, None], jac, 1.0), axis=1), 0.0)
    v = np.random.default_rng(4).random((n, 5))
    k0, q, d1 = two_body(rest_frame_p4(n, rs), 0.0, SQRT_S * np.sqrt(v[:, 0]), 2 * v[:, 1] - 1,
                         2 * np.pi * v[:, 2])
    k1, k2, d2 = two_body(q, 0.0, 0.0, 2 * v[:, 3] - 1, 2 * np.pi * v[:, 4])
    flat = np.where(inside(np.stack([k0, k1, k2], axis=1)),
                    d1 * 4 * np.pi * SQRT_S**2 / (2 * np.pi) * d2 * 4 * np.pi, 0.0)
    err = math.hypot(est.std(), flat.std()) / math.sqrt(n)
    assert abs(est.mean() - flat.mean()) < 4 * err
    assert err < 0.005 * flat.mean()


def test_channel_jacobians_reproduce_the_generated_weight() -> None:
    """Column (0, 1) of channel_jacobians is kinematics_ggg's own dΦ₃/du, also in a boosted hard
    frame (ISR rapidity) and at lower √s′; the other channels are positive inside the cuts."""
    n = 5000
    rng = np.random.default_rng(8)
    rs, rap = rng.uniform(2.0, SQRT_S, n), rng.uniform(-2.0, 2.0, n)
    p, w = tp.kinematics_ggg(rng.random((n, 5)), rs, 0.15, (-0.98, 0.98), rap)
    jac = tp.channel_jacobians(p, rs, 0.15, (-0.98, 0.98), rap)
    ok = w > 0
    assert ok.mean() > 0.99
    np.testing.assert_allclose(jac[ok, 0], w[ok], rtol=1e-10)
    np.testing.assert_allclose(p.sum(axis=1)[:, 3], rs, rtol=1e-13)
    np.testing.assert_allclose(tp.h.dot(p, p), 0.0, atol=1e-11)


def test_gauge_invariance() -> None:
    """ε(k_i) → k_i for any one photon: the amplitude vanishes to rounding (Ward identity),
    relative to the amplitude scale |M|·E_i (k_i has the size E_i where ε has 1)."""
    p1, p2, p = _points(300, 2)
    ks = (p[:, 0], p[:, 1], p[:, 2])
    ref = np.abs(tp.amplitudes_ggg(p1, p2, ks)).max(axis=(0, 1, 2, 3))
    for i in range(3):
        pols = tp.polarisations(ks)
        pols[i] = {lam: ks[i].astype(complex) for lam in (-1, 1)}
        a = np.abs(tp.amplitudes_ggg(p1, p2, ks, pols)).max(axis=(0, 1, 2, 3))
        assert np.max(a / (ref * p[:, i, 3])) < 1e-12


def test_helicity_flip_beams_vanish() -> None:
    p1, p2, p = _points(50, 3)
    ks = (p[:, 0], p[:, 1], p[:, 2])
    assert np.abs(tp.amplitudes_ggg(p1, p2, ks, beams=((1, 1), (-1, -1)))).max() == 0.0


def test_parity_relates_the_beam_configurations() -> None:
    """Flipping every helicity leaves |M| unchanged (me2_ggg sums one beam configuration and
    doubles it), and me2_ggg equals the sum over all 16 amplitudes."""
    p1, p2, p = _points(200, 7)
    ks = (p[:, 0], p[:, 1], p[:, 2])
    a = tp.amplitudes_ggg(p1, p2, ks)
    np.testing.assert_allclose(np.abs(a[1]), np.abs(a[0, ::-1, ::-1, ::-1]), rtol=1e-12)
    full = 0.25 * tp.E2**3 * np.sum(np.abs(a) ** 2, axis=(0, 1, 2, 3))
    np.testing.assert_allclose(tp.me2_ggg(p1, p2, *ks), full, rtol=1e-12)


def test_bose_symmetry() -> None:
    p1, p2, p = _points(200, 4)
    ref = tp.me2_ggg(p1, p2, p[:, 0], p[:, 1], p[:, 2])
    for perm in itertools.permutations(range(3)):
        m = tp.me2_ggg(p1, p2, *(p[:, i] for i in perm))
        np.testing.assert_allclose(m, ref, rtol=1e-12)


def test_closed_massless_form() -> None:
    p1, p2, p = _points(500, 5)
    m = tp.me2_ggg(p1, p2, p[:, 0], p[:, 1], p[:, 2])
    c = tp.me2_ggg_closed_form(p1, p2, p[:, 0], p[:, 1], p[:, 2])
    np.testing.assert_allclose(m / c, 1.0, atol=1e-9)


@pytest.mark.parametrize("lam", [1e-3, 1e-5])
def test_soft_photon_theorem(lam: float) -> None:
    """|M(γγγ)|² → e²·2p1·p2/((p1·k)(p2·k))·|M(γγ)|² (ee_gg's Born ME) as E_k = λ√s → 0,
    with corrections O(λ)."""
    n = 200
    rng = np.random.default_rng(6)
    rs = np.full(n, SQRT_S)
    k3, q, _ = two_body(rest_frame_p4(n, rs), 0.0, np.sqrt(SQRT_S**2 * (1 - 2 * lam)),
                        2 * rng.random(n) - 1, 2 * np.pi * rng.random(n))
    k1, k2, _ = two_body(q, 0.0, 0.0, 0.95 * (2 * rng.random(n) - 1), 2 * np.pi * rng.random(n))
    p1, p2 = tp._beams(n, rs)
    ratio = tp.me2_ggg(p1, p2, k1, k2, k3) / (tp.eikonal_factor(p1, p2, k3)
                                               * me2_ee_gg(p1, p2, k1, k2, tp.E2))
    dev = np.abs(ratio - 1.0).max()
    assert dev < 10 * lam
    assert dev > 0.01 * lam  # the correction is there: not a tautology


def test_cross_section_stable_against_grid_seed() -> None:
    a = cross_section("ee_ggg", isr=False, n_points=60_000, seed=1)
    b = cross_section("ee_ggg", isr=False, n_points=60_000, seed=7)
    err = math.hypot(a.error_pb, b.error_pb)
    assert abs(a.sigma_pb - b.sigma_pb) < 4 * err
    # the Born value at the defaults (10°–170°, E* > 0.15 GeV): 305.4 ± 0.3 pb (200k points;
    # 305.2 ± 0.5 with the former phase space)
    assert a.sigma_pb == pytest.approx(305.2, rel=0.015)
    assert a.error_pb < 0.01 * a.sigma_pb


def test_cuts_scale_like_soft_log() -> None:
    """A higher E_min lowers σ; the tighter angular cut as well."""
    base = cross_section("ee_ggg", isr=False, n_points=30_000, seed=2)
    hard = cross_section("ee_ggg", isr=False, n_points=30_000, seed=2, e_min_cms=0.65)
    narrow = cross_section("ee_ggg", isr=False, n_points=30_000, seed=2, theta_min_cms=20.0,
                           theta_max_cms=160.0)
    assert hard.sigma_pb < 0.8 * base.sigma_pb
    assert narrow.sigma_pb < 0.8 * base.sigma_pb


def test_bad_cuts_are_refused() -> None:
    from darkscan.errors import ParameterError

    with pytest.raises(ParameterError):
        cross_section("ee_ggg", isr=False, n_points=2000, theta_min_cms=0.5)
    with pytest.raises(ParameterError):
        cross_section("ee_ggg", isr=False, n_points=2000, theta_min_cms=100.0,
                      theta_max_cms=90.0)


@pytest.mark.parametrize("isr", [False, True])
def test_events_have_three_photons_in_the_cuts(isr: bool) -> None:
    s = generate("ee_ggg", 2000, seed=3, isr=isr)
    parts = s.events["particles"]
    final = parts[parts.status == 1]
    hard = final[final.mother == -1]
    assert np.all(ak.num(hard) == 3)
    assert np.all(ak.all(hard.pdg == 22, axis=1))
    beams = parts[parts.status == 4]
    for c in ("px", "py", "pz", "E"):
        np.testing.assert_allclose(ak.sum(final[c], axis=1), ak.sum(beams[c], axis=1), atol=1e-9)
    # the three photons in the CMS of the (spread) beams, angles from the e⁻ direction there
    from darkscan.physics import lorentz

    def p4(x: ak.Array) -> np.ndarray:
        return np.stack([ak.to_numpy(x[c]) for c in ("px", "py", "pz", "E")], axis=-1)

    b = p4(beams)  # (n, 2, 4): e⁻, e⁺
    beta = (b[:, 0, :3] + b[:, 1, :3]) / (b[:, 0, 3] + b[:, 1, 3])[:, None]
    cms = lorentz.boost(p4(hard), -beta[:, None, :])
    axis = lorentz.boost(b[:, 0], -beta)[:, :3]
    axis /= np.linalg.norm(axis, axis=-1, keepdims=True)
    cos = np.einsum("nki,ni->nk", cms[..., :3], axis) / np.linalg.norm(cms[..., :3], axis=-1)
    if not isr:  # with ISR the cuts apply before the ISR photons took their share
        assert np.all(cms[..., 3] > 0.15 - 1e-9)
        assert np.all(np.abs(cos) < math.cos(math.radians(10.0)) + 1e-9)
    softest = np.bincount(np.argmin(cms[..., 3], axis=1), minlength=3) / len(cms)
    np.testing.assert_allclose(softest, 1 / 3, atol=0.05)
    if isr:  # ISR photons are emitted along the beams (status 1, mother a beam)
        isr_ph = final[final.mother >= 0]
        assert ak.sum(ak.num(isr_ph)) > 0
