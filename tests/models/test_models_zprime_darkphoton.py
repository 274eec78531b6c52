import numpy as np
import pytest

from darkscan.models import dark_higgs, dark_photon, rratio, zprime
from darkscan.physics.constants import ALPHA


def test_zprime_widths_reference_table():
    # theory_detector.md A1 table, g' = 1
    m = np.array([0.5, 4.0, 10.0])
    np.testing.assert_allclose(zprime.width_mumu(1.0, m), [1.31e-2, 0.106, 0.265], rtol=5e-3)
    np.testing.assert_allclose(zprime.width_tautau(1.0, m)[1:], [0.0679, 0.264], rtol=5e-3)
    np.testing.assert_allclose(zprime.width_nunu(1.0, m), [1.33e-2, 0.106, 0.265], rtol=5e-3)
    np.testing.assert_allclose(zprime.total_width(1.0, [0.1, 4.0, 6.0]) / [0.1, 4.0, 6.0],
                               [0.0265, 0.0700, 0.0782], rtol=3e-3)
    np.testing.assert_allclose(zprime.br_invisible([0.1, 0.5, 6.0]), [1.0, 0.503, 0.339],
                               rtol=3e-3)


def test_zprime_scaling_and_invisible_models():
    assert zprime.total_width(0.01, 3.0) == pytest.approx(1e-4 * zprime.total_width(1.0, 3.0))
    assert zprime.br_invisible(5.0, gprime=0.3) == pytest.approx(zprime.br_invisible(5.0))
    np.testing.assert_array_equal(zprime.br_invisible([1.0, 5.0], model="fully_invisible"), 1.0)
    # a strongly charged light dark fermion makes the vanilla BF_inv approach 1
    bf = zprime.br_invisible(3.0, mass_chi=0.1, q_chi=30.0)
    assert bf == pytest.approx(1 - 1 / 902, rel=1e-4)
    # closed χ channel adds nothing
    assert zprime.br_invisible(3.0, mass_chi=2.0, q_chi=30.0) == pytest.approx(0.5, rel=1e-4)
    bfs = zprime.branching_fractions(np.array([0.3, 5.0]), mass_chi=0.1, q_chi=1.0)
    np.testing.assert_allclose(bfs["mumu"] + bfs["tautau"] + bfs["invisible"], 1.0)


@pytest.mark.parametrize(("m", "s95", "s80"), [(0.05, 6317, 3253), (1, 6414, 3316),
                                               (2, 6723, 3515), (4, 8258, 4494),
                                               (6, 12371, 7056), (8, 25476, 15050)])
def test_sigma_gamma_darkphoton_table(m, s95, s80):
    assert dark_photon.sigma_gamma_darkphoton(m, cos_max=0.95) == pytest.approx(s95, rel=1e-3)
    assert dark_photon.sigma_gamma_darkphoton(m, cos_max=0.8) == pytest.approx(s80, rel=1e-3)
    assert dark_photon.sigma_gamma_darkphoton(m, 1e-3) == pytest.approx(1e-6 * s95, rel=1e-3)


def test_sigma_gamma_darkphoton_asymmetric_window_adds_up():
    full = dark_photon.sigma_gamma_darkphoton(2.0, cos_max=0.9)
    fwd = dark_photon.sigma_gamma_darkphoton(2.0, cos_min=0.0, cos_max=0.9)
    assert fwd == pytest.approx(full / 2)


def test_dark_photon_widths():
    # (αε²m/3)(1+2x)β at m = 1 GeV for muons, by hand
    x = (0.1056583755 / 1.0) ** 2
    ref = ALPHA * 1e-6 / 3 * (1 + 2 * x) * np.sqrt(1 - 4 * x)
    assert dark_photon.width_mumu(1e-3, 1.0) == pytest.approx(ref, rel=1e-6)
    assert dark_photon.width_mumu(1e-3, 0.2) == 0.0
    bf = dark_photon.branching_fractions(1e-3, np.array([0.01, 0.5, 0.775, 3.0, 8.0]))
    np.testing.assert_allclose(sum(bf.values()), 1.0)
    assert bf["ee"][0] == 1.0
    assert bf["hadrons"][2] > 0.8  # ρ/ω peak
    assert 0.5 < bf["hadrons"][3] < 0.55  # R ≈ 2.17 against 2 leptons
    inv = dark_photon.branching_fractions(1e-3, 3.0, alpha_d=0.1, mass_chi=0.5)
    assert inv["invisible"] > 0.9999


def test_dark_photon_inelastic_width():
    assert (dark_photon.width_chi1chi2(0.1, 3.0, 1.0, 1e-8)
            == pytest.approx(dark_photon.width_chichi(0.1, 3.0, 1.0), rel=1e-6))
    assert dark_photon.width_chi1chi2(0.1, 3.0, 1.0, 1.2) == 0.0
    w = dark_photon.width_chi1chi2(0.1, 3.0, 1.0, np.array([0.1, 0.5, 0.9]))
    assert np.all(np.diff(w) < 0)


def test_rratio_shape_and_values():
    assert rratio.r_ratio(0.25) == 0.0
    assert 7.0 < rratio.r_ratio(0.770) < 12.0  # ρ peak (incoherent ω tail)
    assert 40.0 < rratio.r_ratio(1.0195) < 60.0  # φ peak: 9 B_ee B_had / α² ≈ 52
    assert rratio.r_ratio(2.5) == pytest.approx(2.18, abs=0.05)
    assert rratio.r_ratio(10.58) == pytest.approx(3.55, abs=0.05)
    assert rratio.r_ratio(12.0) == pytest.approx(rratio.r_perturbative(12.0))
    # shipped table reproduces the documented construction
    x = np.linspace(0.3, 10.9, 377)
    np.testing.assert_allclose(rratio.r_ratio(x), rratio.r_table_model(x), rtol=0.02,
                               atol=0.02)
    # narrow J/ψ at the peak: 9 B_ee B_had/α²
    peak = rratio.r_ratio(3.0969, narrow=True) - rratio.r_ratio(3.0969)
    assert peak == pytest.approx(9 * (5.53e-6 / 92.6e-6) * 0.877 / ALPHA**2, rel=0.02)


@pytest.mark.parametrize(("ma", "mh", "ref"), [(0.5, 1, 2.65e4), (1, 2, 2.63e4), (1, 5, 1.42e4),
                                               (2, 3, 3.01e4), (3, 5, 2.78e4), (4, 6, 2.11e4),
                                               (0.5, 8, 2.28e3)])
def test_dark_higgsstrahlung_table(ma, mh, ref):
    assert dark_higgs.sigma_darkphoton_darkhiggs(ma, mh) == pytest.approx(ref, rel=5e-3)


def test_dark_higgsstrahlung_scaling():
    base = dark_higgs.sigma_darkphoton_darkhiggs(1.0, 2.0)
    assert dark_higgs.sigma_darkphoton_darkhiggs(1.0, 2.0, 1e-3, 0.1) == pytest.approx(
        1e-7 * base)  # ε = 1e-3, α_D = 0.1: 2.6 fb
    assert dark_higgs.sigma_darkphoton_darkhiggs(1.0, 2.0, q_darkhiggs=2) == pytest.approx(4 * base)
    np.testing.assert_array_equal(dark_higgs.sigma_darkphoton_darkhiggs(5.0, [5.6, 6.0]), 0.0)
    assert dark_higgs.sigma_darkphoton_darkhiggs(5.0, 5.5) > 0.0
