"""Leptophilic scalar φ_L (ξ) and the lepton-coupled ALP (C_ℓℓ/Λ): widths against closed forms,
the scalar/pseudoscalar relations, the lepton-loop γγ limits and the BF/cτ numbers at 4, 6, 8 GeV.
"""

from __future__ import annotations

import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.models import leptophilic as lp
from darkscan.models import muonphilic, scalar
from darkscan.models.common import amplitude_fermion_loop
from darkscan.physics.constants import ALPHA, G_FERMI, HIGGS_VEV, M_E, M_MU, M_TAU

MASSES = np.array([4.0, 6.0, 8.0])


def _beta(m: np.ndarray, ml: float) -> np.ndarray:
    return np.sqrt(1.0 - 4.0 * ml**2 / m**2)


def test_scalar_lepton_widths_closed_form():
    """Γ(φ_L→ℓℓ) = ξ² m_ℓ² m β³/(8πv²), written out here, and equal to the Higgs-portal formula
    θ² G_F m_ℓ² m β³/(4√2π) of theory_detector.md A5 at θ = ξ = 1 (v = (√2G_F)^{-1/2})."""
    w = lp.widths(3.0, MASSES)
    for ch, ml in (("ee", M_E), ("mumu", M_MU), ("tautau", M_TAU)):
        ref = 9.0 * ml**2 * MASSES * _beta(MASSES, ml) ** 3 / (8 * np.pi * HIGGS_VEV**2)
        np.testing.assert_allclose(w[ch], ref, rtol=1e-12)
    np.testing.assert_allclose(lp.widths(1.0, MASSES)["tautau"],
                               scalar.width_tautau(1.0, MASSES), rtol=1e-6)
    a5 = G_FERMI * M_TAU**2 * 6.0 * _beta(6.0, M_TAU) ** 3 / (4 * np.sqrt(2) * np.pi)
    assert float(lp.widths(1.0, 6.0)["tautau"]) == pytest.approx(a5, rel=1e-6)


def test_alp_lepton_widths_closed_form_and_parity():
    """Γ(a→ℓℓ) = (C/Λ)² m_ℓ² m β/(8π); a pseudoscalar of the same Yukawa decays faster by 1/β²
    (S-wave vs P-wave)."""
    c = 0.2
    w = lp.alp_widths(c, MASSES)
    for ch, ml in (("ee", M_E), ("mumu", M_MU), ("tautau", M_TAU)):
        ref = c**2 * ml**2 * MASSES * _beta(MASSES, ml) / (8 * np.pi)
        np.testing.assert_allclose(w[ch], ref, rtol=1e-12)
    # same Yukawa: C/Λ = ξ/v
    ws = lp.widths(c * HIGGS_VEV, MASSES)
    np.testing.assert_allclose(w["tautau"] / ws["tautau"], 1 / _beta(MASSES, M_TAU) ** 2,
                               rtol=1e-12)


def test_thresholds_and_validation():
    w = lp.widths(1.0, np.array([0.2, 3.0]))
    assert w["tautau"][0] == 0.0 and w["tautau"][1] == 0.0 and w["mumu"][0] == 0.0
    assert float(lp.alp_widths(1.0, 2 * M_TAU * 1.0000001)["tautau"]) > 0
    with pytest.raises(ParameterError, match="'xi'"):
        lp.widths(-1.0, 4.0)
    with pytest.raises(ParameterError, match="'cll'"):
        lp.alp_widths(11.0, 4.0)


def test_gammagamma_loops():
    """Heavy-lepton limit (m_X ≪ m_e): A_{1/2} → 4/3, A^A_{1/2} → 2 for each of e, μ, τ, so
    Γ = α²k²m³/(256π³)·(3A)²; the μ-loop term alone is muonphilic.width_gammagamma at the same
    muon Yukawa g_S = k m_μ (its own formula), so full/μ-only = |ΣA_ℓ|²/|A_μ|² exactly."""
    m, k = 1e-5, 0.01
    pre = ALPHA**2 * k**2 * m**3 / (256 * np.pi**3)
    assert float(lp.width_gammagamma_lepton_loops(k, m)) == pytest.approx(pre * 16.0, rel=1e-4)
    assert float(lp.width_gammagamma_lepton_loops(k, m, "pseudoscalar")) == pytest.approx(
        pre * 36.0, rel=1e-4)
    # A^A_{1/2}(τ=1) = 2 f(1) = 2 (π/2)² ; continuous across the series switch
    assert complex(lp.amplitude_fermion_loop_pseudoscalar(1.0)) == pytest.approx(np.pi**2 / 2)
    a, b = lp.amplitude_fermion_loop_pseudoscalar(np.array([0.99e-4, 1.01e-4]))
    assert a == pytest.approx(b, rel=1e-6)
    mm = 0.15
    amps = [amplitude_fermion_loop(mm**2 / (4 * ml**2)) for ml in (M_E, M_MU, M_TAU)]
    ratio = abs(sum(amps)) ** 2 / abs(amps[1]) ** 2
    mu_only = muonphilic.width_gammagamma(k * M_MU, mm)
    assert float(lp.width_gammagamma_lepton_loops(k, mm) / mu_only) == pytest.approx(ratio,
                                                                                    rel=1e-12)


def test_branching_fractions_and_lifetime():
    """BFs and cτ at 4, 6, 8 GeV (darkscan numbers, from the closed forms above)."""
    bf = lp.branching_fractions(MASSES)
    np.testing.assert_allclose(sum(bf.values()), 1.0, rtol=1e-12)
    np.testing.assert_allclose(bf["tautau"], [0.96481, 0.99328, 0.99510], rtol=1e-4)
    np.testing.assert_allclose(bf["mumu"], [3.5141e-2, 6.7019e-3, 4.8875e-3], rtol=1e-4)
    np.testing.assert_allclose(lp.total_width(1.0, MASSES), [8.3053e-7, 6.5474e-6, 1.1980e-5],
                               rtol=1e-4)
    ba = lp.alp_branching_fractions(MASSES)
    np.testing.assert_allclose(ba["tautau"], [0.99233, 0.99562, 0.99606], rtol=1e-4)
    np.testing.assert_allclose(lp.alp_total_width(1.0, MASSES), [0.23241, 0.61001, 0.90401],
                               rtol=1e-4)
    # cτ ∝ 1/coupling²; prompt at every coupling of interest (ξ = 10: 2.4e-10 cm at 4 GeV)
    assert float(lp.ctau(10.0, 4.0)) == pytest.approx(float(lp.ctau(1.0, 4.0)) / 100, rel=1e-12)
    assert float(lp.ctau(10.0, 4.0)) == pytest.approx(2.3759e-10, rel=1e-4)
    assert float(lp.alp_ctau(0.1, 8.0)) == pytest.approx(2.1828e-12, rel=1e-4)
    # below 2m_μ only ee and γγ (φ_L at 0.1 GeV: γγ 4.6%)
    low = lp.branching_fractions(0.1)
    assert float(low["ee"] + low["gammagamma"]) == pytest.approx(1.0)
    assert float(low["gammagamma"]) == pytest.approx(0.0462, rel=0.01)
