"""The W-coupled ALP of models.alp: the b → s a loop, B → K(*) a rates, a → γγ and cτ."""

from __future__ import annotations

import math

import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.models import alp, scalar


def test_loop_function_limits_and_value() -> None:
    # h(x) = x[1 + x(ln x − 1)]/(1 − x)², evaluated here with math at the top's x
    x_t = (172.7 / 80.369) ** 2
    by_hand = x_t * (1 + x_t * (math.log(x_t) - 1)) / (1 - x_t) ** 2
    assert alp.loop_function_w(x_t) == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(1.2161, abs=1e-4)
    assert alp.loop_function_w(1e-6) == pytest.approx(1e-6, rel=1e-4)   # h → x
    # continuous through the removable point x = 1 (h = 1/2 + (x − 1)/3 + …)
    h = alp.loop_function_w(np.array([1 - 2e-4, 1 - 5e-5, 1.0, 1 + 5e-5, 1 + 2e-4]))
    assert h[2] == 0.5
    assert np.all(np.diff(h) > 0) and np.all(np.abs(np.diff(h) - np.diff(
        [1 - 2e-4, 1 - 5e-5, 1.0, 1 + 5e-5, 1 + 2e-4]) / 3) < 1e-8)


def test_bsa_coupling_by_hand() -> None:
    # 3√2 G_F m_W² g/(16π²) |V_tb V_ts| h(x_t) at g_aW = 1e-5 GeV⁻¹
    x_t = (172.7 / 80.369) ** 2
    h = x_t * (1 + x_t * (math.log(x_t) - 1)) / (1 - x_t) ** 2
    want = 3 * math.sqrt(2) * 1.1663788e-5 * 80.369**2 * 1e-5 / (16 * math.pi**2) * 0.0404 * h
    assert alp.g_bsa(1e-5) == pytest.approx(want, rel=1e-12)
    assert want == pytest.approx(9.94e-10, rel=2e-3)


def test_rates_share_the_scalar_matrix_element() -> None:
    # Γ(B→Ka)/Γ(B→KS) = g_bsa²(m_b − m_s)²/(θ²κ²(m_b + m_s)²) at every mass (f₀, λ cancel)
    i = scalar.B_TO_S_INPUTS
    m = np.array([0.05, 0.5, 1.5, 3.0, 4.5])
    ratio = alp.width_b_to_k_alp(1e-5, m) / scalar.width_b_to_k_scalar(1e-4, m)
    want = (alp.g_bsa(1e-5) ** 2 * (i["m_b"] - i["m_s"]) ** 2
            / (1e-8 * scalar.kappa_bsS() ** 2 * (i["m_b"] + i["m_s"]) ** 2))
    np.testing.assert_allclose(ratio, want, rtol=1e-12)


def test_branching_fractions_scale_and_thresholds() -> None:
    b1 = alp.br_b_to_k_alp(1e-5, 1.0)
    assert b1 == pytest.approx(1.94e-7, rel=5e-3)
    assert alp.br_b_to_k_alp(2e-5, 1.0) == pytest.approx(4 * b1, rel=1e-12)
    # the B⁰ rate: shorter lifetime, heavier K⁰
    assert alp.br_b_to_k_alp(1e-5, 1.0, charged=False) / b1 == pytest.approx(0.923, abs=2e-3)
    assert alp.br_b_to_k_alp(1e-5, 4.8) == 0.0          # m_a > m_B − m_K
    assert alp.br_b_to_kstar_alp(1e-5, 4.4) == 0.0      # m_a > m_B − m_K*
    assert alp.br_b_to_kstar_alp(1e-5, 1.0) == pytest.approx(2.31e-7, rel=5e-3)


def test_photon_coupling_width_and_lifetime() -> None:
    assert alp.gagg_from_gaw(1e-5) == pytest.approx(0.23122e-5)
    g = 0.23122e-5
    width = g**2 / (64 * math.pi)      # m = 1 GeV
    assert alp.width_gammagamma_gaw(1e-5, 1.0) == pytest.approx(width, rel=1e-12)
    assert alp.ctau_gaw(1e-5, 1.0) == pytest.approx(1.973269804e-14 / width, rel=1e-12)
    assert alp.ctau_gaw(1e-5, 1.0) == pytest.approx(0.742, rel=1e-3)
    with pytest.raises(ParameterError):
        alp.br_b_to_k_alp(-1.0, 1.0)
