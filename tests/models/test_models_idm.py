import numpy as np
import pytest
from scipy.integrate import quad

from darkscan.models import dark_photon, idm
from darkscan.models.common import ctau_from_width
from darkscan.physics.constants import ALPHA, M_E


def test_yield_variable():
    assert idm.yield_variable(1e-3, 0.1, 1.0, 3.0) == pytest.approx(1e-7 / 81)


def test_limit_formula_reference_examples():
    # A6: m_A' = 3 m_χ1, α_D = 0.1, ε = 1e-3
    ct = ctau_from_width(idm.width_chi2_ee_limit([1.0, 1.0, 0.1], [0.1, 0.4, 0.04],
                                                 [3.0, 3.0, 0.3], 0.1, 1e-3))
    np.testing.assert_allclose(ct, [2600.0, 2.5, 25.0], rtol=0.02)


def test_three_body_reduces_to_limit():
    a = (5.0, np.array([0.002, 0.005, 0.02]), 10.0, 0.1, 1e-3)
    ratio = idm.width_chi2_leptons(*a, m_lepton=1e-7) / idm.width_chi2_ee_limit(*a)
    # corrections are O(Δ/m): 1 − ~1.5 Δ/m
    np.testing.assert_allclose(ratio, 1 - 1.5 * a[1] / 5.0, atol=2e-3)
    assert ratio[0] > 0.999


def test_three_body_against_quad():
    m1, d, ma, ad, eps = 1.0, 0.4, 3.0, 0.1, 1e-3
    ga = dark_photon.total_width(eps, ma, ad, mass_chi=m1, delta=d)
    big, m2 = 2 * m1 + d, m1 + d

    def f(q2):
        dd2 = d * d - q2
        p = np.sqrt(dd2 * (big * big - q2)) / (2 * m2)
        g2 = ad * p * dd2 * (big * big / (2 * q2) + 1) / m2**2
        sp = ALPHA * eps**2 * q2 / 3 * (1 + 2 * M_E**2 / q2) * np.sqrt(1 - 4 * M_E**2 / q2)
        return g2 * sp / np.pi / ((q2 - ma * ma) ** 2 + ma * ma * ga * ga)

    ref, _ = quad(f, 4 * M_E**2, d * d, epsrel=1e-11)
    assert idm.width_chi2_ee(m1, d, ma, ad, eps) == pytest.approx(ref, rel=1e-8)


def test_channels_and_lifetime():
    assert idm.width_chi2_ee(1.0, 0.001, 3.0, 0.1, 1e-3) == 0.0  # below 2 m_e
    assert idm.width_chi2_mumu(1.0, 0.2, 3.0, 0.1, 1e-3) == 0.0
    assert idm.width_chi2_mumu(1.0, 0.4, 3.0, 0.1, 1e-3) > 0.0
    assert idm.width_chi2_hadrons(1.0, 0.25, 3.0, 0.1, 1e-3) == 0.0
    had = idm.width_chi2_hadrons(2.0, 1.0, 6.0, 0.1, 1e-3)
    ee = idm.width_chi2_ee(2.0, 1.0, 6.0, 0.1, 1e-3)
    assert 0.1 < had / ee < 3.0
    ct = idm.ctau_chi2(1.0, 0.1, 3.0, 0.1, 1e-3)
    assert ct == pytest.approx(2966, rel=0.01)  # exact; 2580 cm in the Δ ≪ m limit
    # ε, α_D scaling of the lifetime
    assert idm.ctau_chi2(1.0, 0.1, 3.0, 0.05, 2e-3) == pytest.approx(ct / 2, rel=1e-3)
    vec = idm.ctau_chi2(1.0, np.array([0.1, 0.2, 0.3]), 3.0, 0.1, 1e-3)
    assert vec.shape == (3,) and np.all(np.diff(vec) < 0)


def test_hadronic_integral_converged():
    a = (3.0, np.array([1.0, 1.5, 2.5]), 8.0, 0.1, 1e-3)
    np.testing.assert_allclose(idm.width_chi2_hadrons(*a),
                               idm.width_chi2_hadrons(*a, n_nodes=8192), rtol=1e-4)
