import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.physics import BELLE2, EXPERIMENTS, get_experiment, lorentz, parse_luminosity


def test_belle2_preset_kinematics() -> None:
    assert BELLE2.sqrt_s == pytest.approx(10.580, abs=1e-3)
    assert BELLE2.beta_gamma == pytest.approx(0.287, abs=1e-3)
    # the boost is tilted in x: ~151 mrad from z (reference B1)
    b = BELLE2.boost_beta
    assert b[1] == 0.0
    assert np.arctan2(b[0], b[2]) == pytest.approx(0.151, abs=2e-3)


def test_particle_at_rest_in_cms_has_summed_beam_momentum_in_lab() -> None:
    at_rest = np.array([0.0, 0.0, 0.0, BELLE2.sqrt_s])
    lab = BELLE2.to_lab(at_rest)
    beams = BELLE2.electron_p4() + BELLE2.positron_p4()
    np.testing.assert_allclose(lab, beams, atol=1e-12)
    np.testing.assert_allclose(BELLE2.to_cms(beams), at_rest, atol=1e-12)


def test_boost_round_trip_and_invariant_mass() -> None:
    rng = np.random.default_rng(3)
    p3 = rng.normal(size=(1000, 3))
    p = lorentz.p4_from_mass(p3, 0.10566)
    q = BELLE2.to_cms(p)
    np.testing.assert_allclose(BELLE2.to_lab(q), p, atol=1e-12)
    np.testing.assert_allclose(lorentz.mass(q), 0.10566, rtol=1e-9)


def test_boost_along_z_matches_textbook_formula() -> None:
    p = np.array([0.3, -0.2, 1.0, np.sqrt(0.09 + 0.04 + 1.0 + 0.25)])
    beta = 0.6
    gamma = 1 / np.sqrt(1 - beta**2)
    out = lorentz.boost(p, np.array([0.0, 0.0, beta]))
    assert out[2] == pytest.approx(gamma * (p[2] + beta * p[3]))
    assert out[3] == pytest.approx(gamma * (p[3] + beta * p[2]))
    assert out[0] == pytest.approx(0.3)


def test_other_presets_are_table_rows() -> None:
    assert set(EXPERIMENTS) >= {"belle2", "belle", "babar"}
    assert get_experiment("babar").boost_beta[0] == pytest.approx(0.0)
    assert get_experiment("belle").sqrt_s == pytest.approx(10.58, abs=0.01)
    with pytest.raises(KeyError, match="unknown experiment 'lep'"):
        get_experiment("lep")


@pytest.mark.parametrize(("text", "per_pb"), [("79.7/fb", 79_700.0), ("50/ab", 5.0e7),
                                              ("445/pb", 445.0), ("276 / pb", 276.0)])
def test_parse_luminosity(text: str, per_pb: float) -> None:
    assert parse_luminosity(text).per_pb == pytest.approx(per_pb)


@pytest.mark.parametrize("bad", ["-3/fb", "0/fb", "3fb", "abc", "1/mb"])
def test_bad_luminosity(bad: str) -> None:
    with pytest.raises(ParameterError):
        parse_luminosity(bad)


def test_beam_energy_spread_and_vertex() -> None:
    rng = np.random.default_rng(5)
    e_minus, e_plus = BELLE2.sample_beam_energies(rng, 200_000)
    assert np.std(e_minus) == pytest.approx(5.13e-3, rel=0.01)
    assert np.std(e_plus) == pytest.approx(2.375e-3, rel=0.01)
    v = BELLE2.sample_vertex(rng, 200_000)
    assert np.std(v[:, 2]) == pytest.approx(1.54e-2, rel=0.01)


def test_max_angle_to_parent_bounds_three_body_decays() -> None:
    # τ → μ + (νν̄) with the invisible mass spread over its range, isotropic in the τ frame,
    # boosted to E_τ = √s/2: no muon leaves the cone, and the cone edge is reached
    rng = np.random.default_rng(5)
    m_tau, m_mu, e_tau = 1.77686, 0.105658, 10.58 / 2
    n = 200_000
    m_inv = rng.uniform(0.0, m_tau - m_mu, n)
    p_star = lorentz.two_body_momentum(m_tau, m_mu, m_inv)
    cos_t = rng.uniform(-1.0, 1.0, n)
    e_star = np.sqrt(p_star**2 + m_mu**2)
    beta = np.sqrt(1.0 - (m_tau / e_tau) ** 2)
    gamma = e_tau / m_tau
    pz = gamma * (p_star * cos_t + beta * e_star)
    pt = p_star * np.sqrt(1.0 - cos_t**2)
    p = np.hypot(pz, pt)
    angle = np.arctan2(pt, pz)
    bound = lorentz.max_angle_to_parent(p, m_mu, e_tau, m_tau)
    assert np.all(angle <= bound + 1e-9)
    # the bound is attained for two-body kinematics (massless invisible system)
    two_body = m_inv < 0.01
    assert np.max((angle / bound)[two_body & (bound < np.pi)]) > 0.99
    # a muon more energetic than the τ allows has no cone; a soft one may go anywhere
    assert lorentz.max_angle_to_parent(np.array([5.4]), m_mu, e_tau, m_tau)[0] == -1.0
    assert lorentz.max_angle_to_parent(np.array([0.05]), m_mu, e_tau, m_tau)[0] == np.pi
