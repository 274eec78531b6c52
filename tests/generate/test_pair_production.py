"""e⁺e⁻ → e⁺e⁻ℓ⁺ℓ⁻ with the full matrix element (processes/pair_production.py)."""

import numpy as np
import pytest

from darkscan.generate.processes import pair_production as pp
from darkscan.physics import lorentz

PARAMS = {"w_pair_min": 0.5, "pt_pair_min": 0.0}


@pytest.mark.parametrize("kinematics", [pp.kinematics_multiperipheral,
                                        pp.kinematics_bremsstrahlung])
def test_channel_kinematics_conserve_momentum_and_mass(kinematics):
    n = 3000
    p, w = kinematics(np.random.default_rng(1).random((n, 8)), np.full(n, 10.58), pp.M_MU, 0.5)
    ok = w > 0
    assert ok.mean() > 0.3
    total = p[ok].sum(axis=1)
    assert np.abs(total - np.array([0.0, 0.0, 0.0, 10.58])).max() < 1e-11
    for i, m in enumerate((pp.M_E, pp.M_E, pp.M_MU, pp.M_MU)):
        assert np.abs(lorentz.mass2(p[ok, i]) - m * m).max() < 1e-11
    assert np.all(lorentz.mass2(p[ok, 2] + p[ok, 3]) > 0.25)


def test_scattered_lepton_reaches_the_minimum_momentum_transfer():
    # u → 0 gives Q²_min = m²x²/(1 − x): the line virtuality from the momenta keeps its digits
    n = 5
    x = np.array([1e-3, 1e-2, 0.1, 0.5, 0.9])
    mom, q2, _ = pp.scattered_lepton(x, np.zeros((n, 2)), np.full(n, 10.58), 1.0)
    p1, _ = pp.beams(n, np.full(n, 10.58))
    t = pp.line_virtuality(mom, p1, pp.M_E, True)
    np.testing.assert_allclose(-t, q2, rtol=1e-9)
    np.testing.assert_allclose(q2, pp.M_E**2 * x**2 / (1 - x), rtol=1e-6)


def test_ward_identity_holds_to_rounding():
    r = pp.ward_ratio(100, 11)
    assert r.size > 40
    assert r.max() < 1e-6


def test_me2_is_cp_symmetric():
    # CP maps the beams onto each other and (e⁻, e⁺, μ⁻, μ⁺) onto (e⁺, e⁻, μ⁺, μ⁻) reflected
    n = 400
    p, w = pp.EE_EEMUMU.hard(np.random.default_rng(2).random((n, 33)), np.full(n, 10.58), PARAMS,
                             False)
    p = p[w > 0]
    p1, p2 = pp.beams(len(p), np.full(len(p), 10.58))
    a = pp.EE_EEMUMU.me2(p1, p2, p, False)
    b = pp.EE_EEMUMU.me2(p1, p2, pp.cp_image(p), False)
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_born_cross_section_near_the_physics_book():
    # 18.9 nb (W_μμ > 0.5 GeV); 18.68 ± 0.05 nb with 1M points (darkscan validate)
    r = pp.EE_EEMUMU.cross_section(PARAMS, isr=False, n_points=60_000, seed=3)
    assert r.sigma_pb / 1e3 == pytest.approx(18.9, rel=0.06)
    assert r.error_pb / r.sigma_pb < 0.03


def test_full_matrix_element_agrees_with_epa_at_small_q2():
    full, e_full, epa, e_epa = pp.sigma_small_q2(1.0, 1e-3, 60_000, 7)
    assert full / epa == pytest.approx(1.0, abs=4 * np.hypot(e_full / full, e_epa / epa) + 0.01)


def test_high_pair_pt_exceeds_epa():
    # the longitudinal photons and the bremsstrahlung graphs: ×4.5 for p_T(μμ) > 1 GeV
    from darkscan.generate.processes.two_photon import EE_EEMUMU as EPA

    # (145 ± 1 pb with 1M points; 200k points see most of it)
    full = pp.EE_EEMUMU.cross_section({"w_pair_min": 0.5, "pt_pair_min": 1.0}, isr=False,
                                      n_points=200_000, seed=4).sigma_pb
    epa = EPA.cross_section({"pt_pair_min": 1.0}, n_points=400_000, seed=4).sigma_pb
    assert 2.5 < full / epa < 8.0


def test_generated_events():
    import awkward as ak

    from darkscan.generate import generate

    s = generate("ee_eemumu", 300, seed=5)
    p = s.particles
    final = p[p.status == 1]
    assert len(p) == 300
    assert ak.all(ak.sum(abs(final.pdg) == 13, axis=1) == 2)
    assert ak.all(ak.sum(abs(final.pdg) == 11, axis=1) == 2)
    assert s.meta.sigma_pb / 1e3 == pytest.approx(18.5, rel=0.1)


def test_eeee_me2_symmetric_under_identical_lepton_exchange():
    n = 200
    params = {"w_pair_min": 0.5}
    u = np.random.default_rng(2).random((n, pp.EE_EEEE.hard_ndim(params)))
    p, w = pp.EE_EEEE.hard(u, np.full(n, 10.58), params, False)
    p = p[w > 0]
    p1, p2 = pp.beams(len(p), np.full(len(p), 10.58))
    a = pp.EE_EEEE.me2(p1, p2, p, False)
    for r in pp.EE_EEEE.relabellings[1:]:
        np.testing.assert_allclose(pp.EE_EEEE.me2(p1, p2, p[:, list(r)], False), a, rtol=1e-6)
    assert len(pp.PAIRINGS_EEEE) == 6
    assert sorted(sign for _, sign in pp.PAIRINGS_EEEE) == [-1.0] * 3 + [1.0] * 3
    assert pp.ward_ratio(40, 4, pp.EE_EEEE).max() < 1e-6


def test_eeee_cross_section_near_the_physics_book():
    # 39.7 nb; 40.76 ± 0.06 nb with 1M points (darkscan validate)
    r = pp.EE_EEEE.cross_section({"w_pair_min": 0.5}, isr=False, n_points=60_000, seed=3)
    assert r.sigma_pb / 1e3 == pytest.approx(41.0, rel=0.08)


@pytest.mark.parametrize("proc", [pp.EE_EEMUMU, pp.EE_EEEE])
def test_compiled_me2_equals_the_diagram_sum(proc):
    # the compiled pass (_eell_kernel) against the numpy path diagram by diagram, running α
    n = 300
    u = np.random.default_rng(6).random((n, proc.hard_ndim(PARAMS)))
    p, w = proc.hard(u, np.full(n, 10.58), PARAMS, True)
    p = p[w > 0]
    p1, p2 = pp.beams(len(p), np.full(len(p), 10.58))
    m = proc.lepton_mass
    legs = pp.Legs({1: p1, 2: p2, 3: p[:, 0], 4: p[:, 1], 5: p[:, 2], 6: p[:, 3]},
                   {1: pp.M_E, 2: pp.M_E, 3: pp.M_E, 4: pp.M_E, 5: m, 6: m})
    amp = pp.amplitudes_eell(legs, pp.coupling(True), proc.pairings)
    ref = 0.25 * np.sum(amp.real**2 + amp.imag**2, axis=tuple(range(6)))
    assert len(p) > 60
    np.testing.assert_allclose(proc.me2(p1, p2, p, True), ref, rtol=1e-8)


def test_beam_electron_helicity_halves_are_equal_point_by_point():
    # what lets the compiled pass compute only λ₁ = −1 and double it: no single-spin asymmetry
    # of the beam electron at tree level (running α real), here with all 36 e⁺e⁻e⁺e⁻ graphs
    n = 200
    u = np.random.default_rng(8).random((n, pp.EE_EEEE.hard_ndim(PARAMS)))
    p, w = pp.EE_EEEE.hard(u, np.full(n, 10.58), PARAMS, True)
    p = p[w > 0]
    p1, p2 = pp.beams(len(p), np.full(len(p), 10.58))
    legs = pp.Legs({1: p1, 2: p2, 3: p[:, 0], 4: p[:, 1], 5: p[:, 2], 6: p[:, 3]},
                   {k: pp.M_E for k in range(1, 7)})
    amp = pp.amplitudes_eell(legs, pp.coupling(True), pp.PAIRINGS_EEEE)
    half = np.sum(amp.real**2 + amp.imag**2, axis=tuple(range(1, 6)))  # (λ₁, n)
    assert len(p) > 40
    assert np.all(half[0] > 0)
    np.testing.assert_allclose(half[1], half[0], rtol=1e-7)  # rounding: ~4e-9 at worst


@pytest.mark.parametrize("m_l, q2_tag, q2_both", [(pp.M_E, 0.0, 0.0), (pp.M_MU, 0.1, 0.0),
                                                  (pp.M_MU, 0.1, 0.2)])
def test_channel_densities_invert_the_channel_jacobians(m_l, q2_tag, q2_both):
    # the multichannel partition: each channel's density at its own points is 1/(dΦ₄/du)
    n = 4000
    rng = np.random.default_rng(7)
    for c, ch in enumerate(pp.CHANNELS):
        rs = 10.58 * (1.0 - 0.1 * rng.random(n))
        with np.errstate(all="ignore"):
            p, jac = ch.kinematics(rng.random((n, 8)), rs, m_l, 0.5, q2_tag, q2_both)
        ok = jac > 0
        assert ok.mean() > (0.05 if q2_both else 0.15)  # a double tag empties more of x
        g = pp.densities(p[ok], rs[ok], m_l, 0.5, q2_tag, q2_both=q2_both)
        np.testing.assert_allclose(g[:, c] * jac[ok], 1.0, rtol=1e-6)
        assert np.all(g >= 0)


def _q2(p, beam):
    return -pp.line_virtuality(p, beam, pp.M_E, True)


def test_double_tag_samples_both_leptons_above_the_tag_and_keeps_the_cross_section():
    """q2_tag_min: the tagged channels sample both scattered leptons from Q² = 0.2 GeV² up, and
    their σ equals the untagged channels' with the same cut (Born; the untagged channels reach
    that corner rarely, hence more points)."""
    proc = pp.EE_EEMUMU
    tagged = {"w_pair_min": 0.5, "pt_pair_min": 0.0, "q2_tag_min": 0.2}
    rng = np.random.default_rng(11)
    u = rng.random((20_000, proc.hard_ndim(tagged)))
    rs = np.full(len(u), 10.58)
    p, w = proc.hard(u, rs, tagged, False)
    b1, b2 = pp.beams(len(u), rs)
    live = w > 0
    assert live.mean() > 0.1
    assert np.all(_q2(p[live, 0], b1[live]) > 0.2) and np.all(_q2(p[live, 1], b2[live]) > 0.2)
    a = proc.cross_section(tagged, isr=False, n_points=100_000, seed=3)

    class Untagged(pp.EEMuMu):  # the same cut on the untagged channels' points
        def in_cuts(self, q, params):
            b1, b2 = pp.beams(len(q), q[:, :, 3].sum(axis=1))
            with np.errstate(all="ignore"):
                return (super().in_cuts(q, params) & (_q2(q[:, 0], b1) > 0.2)
                        & (_q2(q[:, 1], b2) > 0.2))

    b = Untagged().cross_section({"w_pair_min": 0.5, "pt_pair_min": 0.0}, isr=False,
                                 n_points=400_000, seed=3)
    assert a.sigma_pb == pytest.approx(b.sigma_pb, abs=4 * np.hypot(a.error_pb, b.error_pb))
    # the tags sample where the cut is: 1.9% unweighting efficiency against 0.26%
    assert a.extra["unweighting_efficiency"] > 4 * b.extra["unweighting_efficiency"]
