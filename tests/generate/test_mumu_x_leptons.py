"""e⁺e⁻ → μ⁺μ⁻X for the lepton-coupled spin-0 states (``ee_mumu_leptophilic``: φ_L, scalar;
``ee_mumu_alp_leptons``: ALP, pseudoscalar) of :mod:`darkscan.generate.processes.mumu_resonance`.

The helicity-amplitude |M|² (scalar and the new γ5 vertex) is checked point by point against an
independent Dirac-trace evaluation with explicit γ matrices; σ(φ_L) equals σ(ee_mumu_scalar) at
g_S = ξ m_μ/v; the pseudoscalar and scalar rates at equal muon Yukawa differ by the helicity-flip
terms O(m_μ²) only; generated events carry the model's branching fractions.
"""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.generate import cross_section
from darkscan.generate.processes import mumu_resonance as mr
from darkscan.models import leptophilic
from darkscan.models.ids import pdgid
from darkscan.physics.constants import M_MU, M_TAU


@pytest.mark.parametrize("pseudo", [False, True], ids=["scalar", "pseudoscalar"])
def test_me2_matches_dirac_traces(pseudo: bool):
    rng = np.random.default_rng(17)
    mx, y, e2 = 4.3, 0.37, 0.095
    p1, p2, p, dphi = mr.kinematics_mumux(rng.random((40, 5)), np.full(40, 10.58), mx)
    ok = dphi > 0
    args = (p1[ok], p2[ok], p[ok, 0], p[ok, 1], p[ok, 2])
    ours = mr.me2_mumux(*args, mx, y, e2, False, pseudo)
    ref = mr.me2_mumux_traces(*args, y, e2, pseudo)
    assert ok.sum() > 30
    np.testing.assert_allclose(ours, ref, rtol=1e-9)


def test_pseudoscalar_differs_by_mass_terms_only():
    """Γ = γ5 vs 1 at one point: |M|² differ (helicity-flip terms ∝ m_μ), by less than 30% at
    m_X = 4.3 GeV where m_μ/√s ≈ 1%: with a massless muon they would coincide (γ5 anticommutes
    through q̸γ^μ onto a chirality eigenstate); the soft/collinear region is where they differ."""
    rng = np.random.default_rng(3)
    p1, p2, p, dphi = mr.kinematics_mumux(rng.random((400, 5)), np.full(400, 10.58), 4.3)
    ok = dphi > 0
    args = (p1[ok], p2[ok], p[ok, 0], p[ok, 1], p[ok, 2], 4.3, 1.0, 0.095, False)
    s, ps = mr.me2_mumux(*args), mr.me2_mumux(*args, True)
    assert not np.allclose(s, ps)
    assert np.median(np.abs(ps / s - 1.0)) < 0.3


def test_leptophilic_equals_muonphilic_at_gs_xi_mmu_over_v():
    """ee_mumu_leptophilic is ee_mumu_scalar with g_S = ξ m_μ/v: identical σ at the same seed."""
    kw = dict(isr=False, n_points=20_000, seed=4, mass=6.0)
    a = cross_section("ee_mumu_leptophilic", xi=50.0, **kw)
    b = cross_section("ee_mumu_scalar", gs=float(leptophilic.yukawa(50.0, M_MU)), **kw)
    assert a.sigma_pb == b.sigma_pb
    assert a.sigma_pb == pytest.approx(50.0**2 * 4.78e-8, rel=0.02)  # σ(ξ=1) at 6 GeV, pb


@pytest.mark.parametrize("mass, sigma_xi1, sigma_cll1, ps_over_s",
                         [(4.0, 3.027e-7, 1.8207e-2, 0.992), (8.0, 2.596e-9, 1.5376e-4, 0.977)])
def test_born_cross_sections(mass: float, sigma_xi1: float, sigma_cll1: float, ps_over_s: float):
    """Born σ (no ISR) at ξ = 1 and C_ℓℓ/Λ = 1 GeV⁻¹ in pb (darkscan's own numbers, 50k points,
    MC error ≈ 0.3%; no published σ(e⁺e⁻→μ⁺μ⁻φ_L) or σ(μ⁺μ⁻a) at 10.58 GeV was found)."""
    kw = dict(isr=False, n_points=50_000, seed=4, mass=mass)
    s = cross_section("ee_mumu_leptophilic", xi=1.0, **kw)
    a = cross_section("ee_mumu_alp_leptons", cll=1.0, **kw)
    assert s.sigma_pb == pytest.approx(sigma_xi1, rel=0.01)
    assert a.sigma_pb == pytest.approx(sigma_cll1, rel=0.01)
    # σ per unit muon Yukawa², pseudoscalar over scalar: 1 up to helicity-flip terms ∝ m_μ²,
    # relative size ~4m_μ²/m_X² where X is collinear to a muon and ~m_μ²/m_μμ² near the μμ
    # threshold (0.982 at 1 GeV, 0.902 at 9.5 GeV from the |M|² of the trace-checked kernel)
    ratio = (a.sigma_pb / float(leptophilic.alp_yukawa(1.0, M_MU)) ** 2
             / (s.sigma_pb / float(leptophilic.yukawa(1.0, M_MU)) ** 2))
    assert ratio == pytest.approx(ps_over_s, abs=0.004)


def test_generated_decays_follow_branching_fractions():
    """ALP at 4 GeV: a → ττ / μμ by the model's BFs, τ left undecayed (status 1) for Pythia's
    last step (``finish_decays``, not run here), the ALP itself status 2."""
    proc = mr.EE_MUMU_ALP_LEPTONS
    n = 3000
    smp = proc.generate_chunk(n, np.random.SeedSequence(5), {"mass": 4.0, "cll": 0.5}, isr=False)
    p = smp.particles
    x = p[p.pdg == pdgid("alp_leptons")]
    assert ak.all(ak.num(x) == 1) and ak.all(x.status == 2)
    kids = p[p.mother == 4]
    assert ak.all(ak.num(kids) == 2) and ak.all(ak.sum(kids.pdg, axis=1) == 0)
    flav = np.abs(ak.to_numpy(kids.pdg[:, 0]))
    bf = leptophilic.alp_branching_fractions(4.0)
    n_mu = int(np.sum(flav == 13))
    assert n_mu + int(np.sum(flav == 15)) == n  # ee (2e-7) and γγ (3e-5): none expected
    assert abs(n_mu / n - float(bf["mumu"])) < 4 * np.sqrt(float(bf["mumu"]) / n)
    tau = kids[np.abs(kids.pdg) == 15]
    m2 = ak.flatten(tau.E**2 - tau.px**2 - tau.py**2 - tau.pz**2)
    np.testing.assert_allclose(np.sqrt(ak.to_numpy(m2)), M_TAU, rtol=1e-5)
    assert ak.all(tau.status == 1)
    assert smp.meta.extra["br_model_tautau"] == pytest.approx(float(bf["tautau"]))


def test_parameters_validated():
    with pytest.raises(ParameterError, match="cll"):
        cross_section("ee_mumu_alp_leptons", cll=20.0, mass=4.0)
    with pytest.raises(ParameterError, match="xi"):
        cross_section("ee_mumu_leptophilic", xi=0.0, mass=4.0)
    with pytest.raises(ParameterError, match="mass"):
        cross_section("ee_mumu_leptophilic", xi=1.0, mass=10.4)


def test_generate_end_to_end_taus_decayed_by_pythia():
    """Through the registry: ISR, FSR and finish_decays (Pythia decays every final-state τ)."""
    from darkscan import generate as g

    smp = g.generate("ee_mumu_leptophilic", 200, seed=2, chunk_size=200, mass=6.0, xi=100.0)
    p = smp.particles
    tau = np.abs(p.pdg) == 15
    assert int(ak.sum(tau)) > 350  # B(ττ) = 0.993
    assert int(ak.sum(tau & (p.status == 1))) == 0
    assert ak.all(ak.sum(p.pdg == pdgid("leptophilic_scalar"), axis=1) == 1)
    # ISR lowers the Born σ (4.78e-4 pb at ξ = 100) by a few per cent
    assert smp.meta.sigma_pb == pytest.approx(4.60e-4, rel=0.02)
