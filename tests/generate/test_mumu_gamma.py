"""``ee_mumug``: e⁺e⁻ → μ⁺μ⁻γ with the exact tree-level QED matrix element (4 graphs, massive e
and μ; processes/mumu_gamma.py on the kernel and phase space of processes/radiative_qed.py).

The Ward identity (and that it fails without one graph), the closed massless form of Berends,
Kleiss and Jadach, the soft-photon theorem against the Born μμ |M|² of ``ee_mumu``, the ISR–FSR
interference as the only source of the charge asymmetry, the muon channels' densities, σ in a
peak-free region against flat sequential sampling, σ and the unweighting efficiency at the
defaults, and generated events: inside the cuts, a falling photon spectrum, photons at small
angles to a muon outside its dead cone."""

from __future__ import annotations

import math

import awkward as ak
import numpy as np
import pytest

from darkscan.generate import cross_section, generate, resolve_params
from darkscan.generate import helas as h
from darkscan.generate.phase_space import rest_frame_p4, sequential, two_body
from darkscan.generate.processes import mumu_gamma as mg
from darkscan.generate.processes import radiative_qed as rq
from darkscan.generate.processes.sm_qed import me2_ee_ffbar
from darkscan.physics import lorentz
from darkscan.physics.constants import M_E, M_MU

RS = 10.58
MUG = mg.EE_MUMUG
DEFAULTS = resolve_params(MUG, {})


def _points(n: int, seed: int) -> tuple[np.ndarray, ...]:
    """Beams, (μ⁻, μ⁺, γ) inside the default cuts from all four channels, the Born weights and
    the channel labels."""
    u = np.random.default_rng(seed).random((n, MUG.hard_ndim(DEFAULTS)))
    p, w = MUG.hard(u, RS, DEFAULTS, False)
    ok = w > 0
    p1, p2 = rq.beams(int(ok.sum()), np.full(int(ok.sum()), RS))
    ch = np.minimum((u[ok, 0] * len(mg.CHANNELS)).astype(int), len(mg.CHANNELS) - 1)
    return p1, p2, p[ok, 0], p[ok, 1], p[ok, 2], w[ok], ch


# --- matrix element ---------------------------------------------------------------------------
def test_ward_identity_and_one_graph_alone() -> None:
    """ε*(k) → k gives zero (relative to |M|·E_γ below 1e-12, collinear photons with 2p·k down
    to 1e-3 GeV² included); without the ISR graph off the e⁺ it does not."""
    p1, p2, p3, p4, k, _, ch = _points(1500, 2)
    assert set(ch) == {0, 1, 2, 3}
    ref = np.abs(mg.amplitudes_mumug(p1, p2, p3, p4, k)).max(axis=(0, 1, 2, 3, 4))
    eps = np.ascontiguousarray(np.stack([k, k], axis=1).astype(complex))
    ward = np.abs(mg.amplitudes_mumug(p1, p2, p3, p4, k, eps=eps)).max(axis=(0, 1, 2, 3, 4))
    assert (ward / (ref * k[:, 3])).max() < 1e-12
    args = list(rq._kernel_inputs(p1, p2, p3, p4, k, M_E, M_MU, False, False, None))
    args[8][:, 1] = np.inf  # the e⁺-leg ISR graph removed
    amp = np.empty((len(k), 32), dtype=complex)
    rq._radiative_kernel(*args[:4], eps, *args[4:8], M_E, M_MU, args[8], args[9], False, True,
                         amp, np.empty(len(k)))
    assert np.median(np.abs(amp).max(axis=1) / (ref * k[:, 3])) > 1e-3


def test_massless_limit_is_the_closed_form() -> None:
    """At m_e = m_μ = 0 the helicity sum is e⁶(t² + t′² + u² + u′²)/(ss′)·W (Berends, Kleiss,
    Jadach 1982): all four graphs and the ISR–FSR interference, to rounding."""
    n = 400
    win = rq.PhotonWindow((-0.95, 0.95), 0.2, 0.0, np.full(n, RS), np.zeros(n))
    e3, e4, k, w = rq.PairChannel(pair_pole=False).generate(
        np.random.default_rng(4).random((n, 5)), win)
    ok = w > 0
    p1, p2 = rq.beams(int(ok.sum()), np.full(int(ok.sum()), RS), 0.0)
    ours = mg.me2_mumug(p1, p2, e3[ok], e4[ok], k[ok], 0.0, 0.0)
    closed = mg.me2_mumug_massless_closed_form(p1, p2, e3[ok], e4[ok], k[ok])
    np.testing.assert_allclose(ours, closed, rtol=1e-10)
    # the muon mass matters: the massive |M|² differs by more than m_μ²/s on average
    massive = mg.me2_mumug(p1, p2, e3[ok], e4[ok], k[ok], M_E, M_MU)
    assert np.median(np.abs(massive / ours - 1)) > 1e-4


@pytest.mark.parametrize("lam", [1e-6, 1e-8])
def test_soft_photon_theorem(lam: float) -> None:
    """|M(μμγ)|² → e²(−J²)|M(μμ)|² as E_γ = λ√s → 0, the Born of ``ee_mumu``: deviation O(λ)."""
    n = 200
    rng = np.random.default_rng(3)
    rs = np.full(n, RS)
    k, q, _ = two_body(rest_frame_p4(n, rs), 0.0, RS * math.sqrt(1 - 2 * lam),
                       2 * rng.random(n) - 1, 2 * np.pi * rng.random(n))
    p3, p4, _ = rq.two_body_along(q, M_MU, M_MU, 0.9 * (2 * rng.random(n) - 1),
                                  2 * np.pi * rng.random(n))
    p1, p2 = rq.beams(n, rs)
    r = mg.me2_mumug(p1, p2, p3, p4, k) / (rq.eikonal_factor(p1, p2, p3, p4, k)
                                           * me2_ee_ffbar(p1, p2, p3, p4, M_MU, rq.E2))
    assert np.abs(r - 1).max() < 40 * lam
    assert np.abs(r - 1).max() > 0.01 * lam  # the O(λ) corrections are there


def test_charge_asymmetry_is_the_isr_fsr_interference() -> None:
    """With a hard photon in the cuts the μ⁻ goes backward more often (A_FB ≈ −0.21 at Born
    level): all of it from the C-odd ISR–FSR interference, which integrates to ~0 in σ; |ISR|²
    and |FSR|² alone are forward–backward symmetric."""
    p1, p2, p3, p4, k, w, _ = _points(60_000, 11)
    args = list(rq._kernel_inputs(p1, p2, p3, p4, k, M_E, M_MU, False, False, None))

    def me2(c_isr: float, c_fsr: float) -> np.ndarray:
        coef = args[9] * np.array([c_isr, c_fsr, 0.0, 0.0])
        out = np.empty(len(k))
        rq._radiative_kernel(*args[:4], rq.photon_polarisations(k), *args[4:8], M_E, M_MU,
                             args[8], coef, False, False, np.empty((1, 32), dtype=complex), out)
        return out

    full = me2(1.0, 1.0)
    interference = full - me2(1.0, 0.0) - me2(0.0, 1.0)
    sign = np.sign(p3[:, 2])
    afb = np.sum(w * sign) / np.sum(w)
    afb_int = np.sum(w * sign * interference / full) / np.sum(w)
    assert afb == pytest.approx(-0.21, abs=0.02)
    assert afb - afb_int == pytest.approx(0.0, abs=0.02)
    assert abs(np.sum(w * interference / full) / np.sum(w)) < 0.01


# --- phase space ------------------------------------------------------------------------------
def test_muon_channel_densities_are_the_generated_jacobians() -> None:
    """With muons each channel's density from the momenta is the inverse of its Jacobian; the
    momenta conserve four-momentum and the muons are on their mass shell."""
    n = 2000
    u = np.random.default_rng(6).random((n, 5))
    win = rq.PhotonWindow((math.cos(math.radians(165)), math.cos(math.radians(13))), 0.35, M_MU,
                          np.full(n, RS), np.full(n, 0.3))
    for channel in mg.CHANNELS:
        pm, pp, k, jac = channel.generate(u, win)
        ok = np.nonzero(jac > 0)[0]
        assert ok.size > 0.8 * n
        assert np.abs(pm[ok] + pp[ok] + k[ok] - rest_frame_p4(ok.size, RS)).max() < 1e-9
        np.testing.assert_allclose(h.dot(pm[ok], pm[ok]), M_MU**2, rtol=1e-6)
        np.testing.assert_allclose(h.dot(pp[ok], pp[ok]), M_MU**2, rtol=1e-6)
        again = channel.jacobian(pm[ok], pp[ok], k[ok], win.subset(ok))
        np.testing.assert_allclose(again, jac[ok], rtol=1e-6)


def test_regular_region_multichannel_against_flat_sequential() -> None:
    """Where nothing peaks (all three particles at 40°–140°, opening angles above 30°, photon
    above 1 GeV) the multichannel σ equals plain sequential sampling of the same |M|²."""
    def regular(p: np.ndarray) -> np.ndarray:
        d = p[..., :3] / np.sqrt(np.sum(p[..., :3] ** 2, axis=-1))[..., None]
        ok = np.all(np.abs(d[..., 2]) < math.cos(math.radians(40)), axis=1)
        for i, j in ((0, 1), (0, 2), (1, 2)):
            ok &= np.sum(d[:, i] * d[:, j], axis=1) < math.cos(math.radians(30))
        return ok & (p[:, 2, 3] > 1.0)

    sigma, err = rq.sigma_born_filtered(MUG, DEFAULTS, regular, n_points=60_000, seed=2)
    n = 100_000
    p, dphi = sequential(np.random.default_rng(8).random((n, 5)), RS, (M_MU, M_MU, 0.0))
    ok = regular(p) & (dphi > 0)
    p1, p2 = rq.beams(int(ok.sum()), np.full(int(ok.sum()), RS))
    w = np.zeros(n)
    flux = 2 * RS**2 * math.sqrt(1 - 4 * M_E**2 / RS**2)
    w[ok] = (mg.me2_mumug(p1, p2, p[ok, 0], p[ok, 1], p[ok, 2]) * dphi[ok] / flux
             * rq.GEV2_TO_PB)
    flat, flat_err = w.mean(), w.std() / math.sqrt(n)
    assert flat_err < 0.03 * flat
    assert sigma == pytest.approx(flat, abs=4 * math.hypot(err, flat_err))


# --- cross sections and events ----------------------------------------------------------------
def test_cross_section_defaults() -> None:
    """σ(ee_mumug) at the defaults without ISR: 133.6 pb (two grid seeds agree), unweighting
    above 24% (27%; 23% before the pair channels decayed about the beam axis); a harder photon
    less, a narrower photon range less."""
    a = cross_section("ee_mumug", isr=False, n_points=100_000, seed=1)
    b = cross_section("ee_mumug", isr=False, n_points=100_000, seed=2)
    assert a.sigma_pb == pytest.approx(b.sigma_pb, abs=4 * math.hypot(a.error_pb, b.error_pb))
    assert a.sigma_pb == pytest.approx(133.6, rel=0.015)
    assert a.extra["unweighting_efficiency"] > 0.24
    hard = cross_section("ee_mumug", isr=False, n_points=40_000, seed=1, e_min_cms=2.0)
    assert hard.sigma_pb < 0.7 * a.sigma_pb
    barrel = cross_section("ee_mumug", isr=False, n_points=40_000, seed=1, theta_min_cms=40.0,
                           theta_max_cms=140.0)
    assert barrel.sigma_pb < 0.7 * a.sigma_pb


def _nearest_muon_angle(sample) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CMS photon energy, polar angle (deg) and angle to the nearest muon (deg), and pdg ids of
    the first five particles, from the lab record and its beams."""
    parts = sample.events["particles"]
    lab = np.stack([ak.to_numpy(parts[c][:, :5]) for c in ("px", "py", "pz", "E")], axis=-1)
    beta = (lab[:, 0, :3] + lab[:, 1, :3]) / (lab[:, 0, 3:] + lab[:, 1, 3:])
    cms = lorentz.boost(lab, -beta[:, None, :])
    d = cms[..., :3] / np.linalg.norm(cms[..., :3], axis=-1)[..., None]

    def angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.degrees(np.arccos(np.clip(np.sum(a * b, axis=-1), -1.0, 1.0)))

    near = np.minimum(angle(d[:, 4], d[:, 2]), angle(d[:, 4], d[:, 3]))
    return cms[:, 4, 3], angle(d[:, 4], d[:, 0]), near, ak.to_numpy(parts.pdg[:, :5])


def test_events_inside_the_cuts_with_the_physics_of_radiation() -> None:
    """Unweighted events with ISR: beams, μ⁻, μ⁺, γ; the photon inside 13°–165° CMS above
    0.35 GeV; σ with ISR 157 pb; dN/dE_γ falls; photons follow the muons (14% within 10° of
    one, where a random direction would be 1.5%) but not inside the dead cone θ₀ ≈ m_μ/E."""
    sample = generate("ee_mumug", 2000, seed=5)
    e, theta, near, pdg = _nearest_muon_angle(sample)
    assert np.all(pdg == [11, -11, 13, -13, 22])
    assert np.all((theta > 13.0 - 1e-6) & (theta < 165.0 + 1e-6)) and np.all(e > 0.35 - 1e-9)
    assert sample.meta.sigma_pb == pytest.approx(156.9, rel=0.02)
    assert sample.meta.extra["unweighting_efficiency"] > 0.19
    counts, edges = np.histogram(e, bins=[0.35, 0.7, 1.4, 2.8])
    density = counts / np.diff(edges)
    assert density[0] > 1.8 * density[1] and density[1] > 1.8 * density[2]
    assert 0.10 < np.mean(near < 10.0) < 0.20
    # dead cone: 0°–0.5° nearly empty against 2°–2.5° (a massless 1/θ would fill it most)
    assert np.sum(near < 0.5) < 0.2 * np.sum((near > 2.0) & (near < 2.5))
