import numpy as np
import pytest
from scipy.integrate import quad

from darkscan.models import alp, dark_higgs, muonphilic, scalar
from darkscan.physics.constants import ALPHA, M_MU


def test_alp_reference_values():
    assert alp.sigma_gamma_alp(1e-3, 0.2) == pytest.approx(0.118, rel=3e-3)
    np.testing.assert_allclose(alp.width_gammagamma(1e-3, [0.2, 0.5, 1.0]),
                               [3.98e-11, 6.22e-10, 4.97e-9], rtol=2e-3)
    np.testing.assert_allclose(alp.ctau(1e-3, [0.2, 0.5, 1.0]), [5.0e-4, 0.32e-4, 4.0e-6],
                               rtol=0.01)
    np.testing.assert_allclose(alp.decay_length_cms(1e-3, [0.2, 0.5]), [131e-4, 3.4e-4],
                               rtol=0.02)  # table rounded to 2-3 digits
    # 1.3 cm at g = 1e-4 (decay length ∝ 1/g²)
    assert alp.decay_length_cms(1e-4, 0.2) == pytest.approx(1.3, rel=0.02)


def test_alp_angular_distribution():
    total, _ = quad(lambda c: float(alp.dsigma_dcos_gamma_alp(c, 1e-3, 2.0)), -1, 1)
    assert total == pytest.approx(float(alp.sigma_gamma_alp(1e-3, 2.0)), rel=1e-10)
    part, _ = quad(lambda c: float(alp.dsigma_dcos_gamma_alp(c, 1e-3, 2.0)), -0.8, 0.8)
    assert part == pytest.approx(float(alp.sigma_gamma_alp(1e-3, 2.0, cos_max=0.8)), rel=1e-10)
    ratio = alp.dsigma_dcos_gamma_alp([0.0, 1.0], 1e-3, 1.0)
    assert ratio[1] / ratio[0] == pytest.approx(2.0)


@pytest.mark.parametrize(("m", "bz", "hz", "kst"), [(0.01, 0.496, 0.496, 0.501),
                                                    (1.0, 0.504, 0.478, 0.501),
                                                    (2.0, 0.529, 0.425, 0.497),
                                                    (3.0, 0.571, 0.334, 0.460),
                                                    (4.0, 0.598, 0.201, 0.231)])
def test_b_to_k_scalar_table(m, bz, hz, kst):
    assert scalar.br_b_to_k_scalar(1.0, m) == pytest.approx(bz, rel=5e-3)
    assert scalar.br_b_to_k_scalar(1.0, m, form_factor="hazma") == pytest.approx(hz, rel=5e-3)
    assert scalar.br_b_to_kstar_scalar(1.0, m) == pytest.approx(kst, rel=5e-3)


def test_b_to_k_scalar_scaling_and_closure():
    assert scalar.kappa_bsS() == pytest.approx(1.53e-6, rel=3e-3)
    assert scalar.br_b_to_k_scalar(1e-3, 1.0) == pytest.approx(1e-6 * 0.504, rel=5e-3)
    assert scalar.br_b_to_k_scalar(1.0, 4.9) == 0.0
    assert scalar.br_b_to_kstar_scalar(1.0, 4.5) == 0.0
    b0 = scalar.br_b_to_k_scalar(1.0, 1.0, charged=False)
    assert b0 == pytest.approx(0.504 * 1.519 / 1.638, rel=0.02)


def test_scalar_lifetimes_reference_illustration():
    # A5: θ = 1e-3; leptons only: 0.25 → 0.71 m, 0.3 → 0.25 m, 0.5 → 0.072 m, 1 → 0.029 m
    m = np.array([0.25, 0.3, 0.5, 1.0])
    np.testing.assert_allclose(scalar.ctau(1e-3, m, hadronic_scale=0.0) / 100,
                               [0.71, 0.25, 0.072, 0.029], rtol=0.02)
    # with LO-ChPT ππ: 0.3 → 0.10 m, 0.5 → 0.025 m
    np.testing.assert_allclose(scalar.ctau(1e-3, [0.3, 0.5]) / 100, [0.10, 0.025], rtol=0.03)
    assert scalar.ctau(1e-3, 0.15) / 100 == pytest.approx(7.7e3, rel=0.02)  # ee only


def test_scalar_branching_fractions():
    m = np.linspace(0.05, 4.5, 60)
    bf = scalar.branching_fractions(m)
    np.testing.assert_allclose(sum(bf.values()), 1.0)
    assert bf["ee"][0] == pytest.approx(1.0)
    # ChPT ππ : KK at 0.9 GeV with the same amplitude: (4/3) β_K (..)² / (β_π (..)²) < 1 is fine
    w = scalar.partial_widths(1.0, 1.5)
    assert w["pipi"] > 0 and w["gg"] > 0  # blend region has both
    assert scalar.partial_widths(1.0, 0.9)["gg"] == 0.0
    assert scalar.partial_widths(1.0, 2.5)["pipi"] == 0.0
    assert scalar.width_hadrons(1.0, 0.5, hadronic_scale=3.0) == pytest.approx(
        3.0 * scalar.width_hadrons(1.0, 0.5))
    assert dark_higgs.ctau(1e-3, 0.5) == pytest.approx(scalar.ctau(1e-3, 0.5))


def test_scalar_lepton_width_formula():
    from darkscan.physics.constants import G_FERMI

    m = 2.0
    beta3 = (1 - 4 * M_MU**2 / m**2) ** 1.5
    ref = 1e-6 * G_FERMI * M_MU**2 * m * beta3 / (4 * np.sqrt(2) * np.pi)
    assert scalar.width_mumu(1e-3, m) == pytest.approx(ref, rel=1e-4)


def test_muonphilic_widths():
    m = np.array([0.5, 2.0])
    ref = 1e-6 * m / (8 * np.pi) * (1 - 4 * M_MU**2 / m**2) ** 1.5
    np.testing.assert_allclose(muonphilic.width_mumu(1e-3, m), ref, rtol=1e-12)
    bf = muonphilic.branching_fractions([0.1, 0.3])
    assert bf["gammagamma"][0] == 1.0 and bf["mumu"][1] > 0.9999
    # heavy-muon limit of the loop and the threshold value A_{1/2}(τ=1) = 2
    small = 1e-3
    heavy = ALPHA**2 * small**3 / (256 * np.pi**3 * M_MU**2) * (4 / 3) ** 2
    assert muonphilic.width_gammagamma(1.0, small) == pytest.approx(heavy, rel=1e-4)
    thr = 2 * M_MU
    at_thr = ALPHA**2 * thr**3 / (256 * np.pi**3 * M_MU**2) * 4.0
    assert muonphilic.width_gammagamma(1.0, thr) == pytest.approx(at_thr, rel=1e-6)
    assert muonphilic.ctau(1e-3, 0.1) == pytest.approx(16.51, rel=1e-3)  # cm, γγ only
