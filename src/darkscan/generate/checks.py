"""Validation checks of the generator layer (``darkscan validate``)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from darkscan.physics.constants import BF_TAU_TO_E, BF_TAU_TO_MU
from darkscan.registry import Measurement, benchmark, check

if TYPE_CHECKING:
    from collections.abc import Callable

    import awkward as ak
    import numpy as np

_PB = "Belle II Physics Book, arXiv:1808.10567, Table (seed 001)"


@check("generate_sigma_born_ee_mumu", reference=1.0, tolerance=1e-3, quick=True,
       provenance="closed form 4πα²/(3s)·β(3−β²)/2 (ratio measured/closed form)")
def sigma_born_ratio() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.sm_qed import EE_MUMU, sigma_born_mumu

    r = cross_section("ee_mumu", isr=False, n_points=60_000, seed=2)
    ref = sigma_born_mumu(EE_MUMU.experiment.s)
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb:.2f} ± {r.error_pb:.2f} pb vs {ref:.2f} pb")


@check("generate_sigma_ee_mumu_isr", reference=1148.0, tolerance=0.03, unit="pb",
       provenance=_PB + ": mu+mu-(gamma) 1.148 nb, no cut")
def sigma_mumu_isr() -> Measurement:
    from darkscan.generate import cross_section

    r = cross_section("ee_mumu", isr=True, n_points=300_000, seed=3)
    return Measurement(r.sigma_pb, "Born ⊗ Kuraev–Fadin ISR with running α(s) (leptonic one-loop "
                       "+ parameterised hadronic VP) and (1+3α/4π) FSR; no narrow resonances")


@check("generate_sigma_born_ee_gg", reference=1.0, tolerance=5e-3, quick=True,
       provenance="closed form (πα²/s)[2 ln((1+c₀)/(1−c₀)) − 2c₀], c₀ = cos 10° "
                  "(sm_qed.sigma_born_gg), ratio generated/closed form, no ISR")
def sigma_born_gg_ratio() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.sm_qed import EE_GG, sigma_born_gg

    r = cross_section("ee_gg", isr=False, n_points=60_000, seed=2)
    ref = sigma_born_gg(EE_GG.experiment.s)
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb:.1f} ± {r.error_pb:.1f} pb vs {ref:.1f} pb")


@check("generate_ggg_soft_photon_limit", reference=1.0, tolerance=1e-4, quick=True,
       provenance="soft-photon theorem (F. Low, Phys. Rev. 110 (1958) 974; eikonal factor "
       "e²·2p1·p2/((p1·k)(p2·k))): |M(e+e-→γγγ)|² / (eikonal × |M(e+e-→γγ)|² of "
       "sm_qed.me2_ee_gg) at E_k = 1e-6 √s, worst of 200 points (corrections O(E_k/√s))")
def ggg_soft_limit() -> Measurement:
    import numpy as np

    from darkscan.generate.phase_space import rest_frame_p4, two_body
    from darkscan.generate.processes import three_photon as tp
    from darkscan.generate.processes.sm_qed import me2_ee_gg

    n, lam, rs = 200, 1e-6, np.full(200, 10.58)
    rng = np.random.default_rng(6)
    k3, q, _ = two_body(rest_frame_p4(n, rs), 0.0, 10.58 * np.sqrt(1 - 2 * lam),
                        2 * rng.random(n) - 1, 2 * np.pi * rng.random(n))
    k1, k2, _ = two_body(q, 0.0, 0.0, 0.95 * (2 * rng.random(n) - 1), 2 * np.pi * rng.random(n))
    p1, p2 = tp._beams(n, rs)
    r = tp.me2_ggg(p1, p2, k1, k2, k3) / (tp.eikonal_factor(p1, p2, k3)
                                          * me2_ee_gg(p1, p2, k1, k2, tp.E2))
    worst = float(r[np.argmax(np.abs(r - 1.0))])
    return Measurement(worst, f"max |ratio − 1| = {abs(worst - 1):.1e}; the helicity sum also "
                       "equals the closed massless form 4e⁶sΣ_i a_ib_i(a_i²+b_i²)/Π a_jb_j "
                       "(structure as in Berends & Kleiss, Nucl. Phys. B186 (1981) 22) to 1e-9 "
                       "(tests/generate/test_ggg.py); no published σ(γγγ) for these cuts at "
                       "10.58 GeV was found")


@check("generate_ggg_gauge_invariance", reference=1e-12, tolerance=0.0, kind="max", quick=True,
       provenance="Ward identity of QED: ε(k_i) → k_i for any photon of e+e-→γγγ gives a zero "
       "amplitude; worst |M(ε→k)|/(|M|·E_k) over 3 photons × 200 points (rounding only)")
def ggg_gauge() -> Measurement:
    import numpy as np

    from darkscan.generate.processes import three_photon as tp

    rs = np.full(200, 10.58)
    p, w = tp.kinematics_ggg(np.random.default_rng(2).random((200, 5)), rs, 0.1, (-0.98, 0.98))
    p1, p2 = tp._beams(200, rs)
    ks = tuple(p[:, i] for i in range(3))
    ref = np.abs(tp.amplitudes_ggg(p1, p2, ks)).max(axis=(0, 1, 2, 3))
    worst = 0.0
    for i in range(3):
        pols = tp.polarisations(ks)
        pols[i] = {lam: ks[i].astype(complex) for lam in (-1, 1)}
        a = np.abs(tp.amplitudes_ggg(p1, p2, ks, pols)).max(axis=(0, 1, 2, 3))
        worst = max(worst, float(np.max((a / (ref * p[:, i, 3]))[w > 0])))
    return Measurement(worst, "massless beams, 16 helicity amplitudes, 6 diagrams")


@check("generate_sigma_born_ee_ee", reference=1.0, tolerance=1e-2, quick=True,
       provenance="closed form s+t channel Born Bhabha at 10°<θ<170° (sm_qed.sigma_born_bhabha, "
                  "massless, α(0)), ratio generated/closed form, no ISR")
def sigma_born_bhabha_ratio() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.sm_qed import EE_EE, sigma_born_bhabha

    r = cross_section("ee_ee", isr=False, n_points=60_000, seed=2)
    ref = sigma_born_bhabha(EE_EE.experiment.s)
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb:.0f} ± {r.error_pb:.0f} pb vs {ref:.0f} pb")


#: what the t-channel ISR fix removed (issue #3), measured with seed 3, 300k points
_T_CHANNEL_HISTORY = ("before the collinear structure-function treatment the hard ISR photons "
                      "had eikonal wide angles: the transverse tilt moved hard-frame scatters "
                      "from 3°–10° (where the t-channel Born is ~10× larger) into the CMS "
                      "acceptance")


@check("generate_sigma_ee_gg", reference=4990.0, tolerance=0.03, unit="pb",
       provenance=_PB + ": gamma gamma(gamma) 4.99 ± 0.05 nb (BabaYaga@NLO), 10°<θ*<170°, "
       "E*>0.15 GeV")
def sigma_gg() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.sm_qed import EE_GG, sigma_born_gg

    r = cross_section("ee_gg", isr=True, n_points=300_000, seed=3)
    born = sigma_born_gg(EE_GG.experiment.s)
    return Measurement(r.sigma_pb, (
        f"± {r.error_pb:.0f} pb = Born {born:.0f} pb (closed form) × {r.sigma_pb / born:.4f}: "
        "collinear Kuraev–Fadin ISR with β(s) (exact soft exponent, neutral final state) "
        "×1.102 (the 1/s′ growth of the Born at fixed CMS cuts), s-channel soft+virtual ISR "
        "constant ×1.0065; " + _T_CHANNEL_HISTORY + " (5.44 nb, +9%). Not modelled: the exact "
        "O(α) γγγ matrix element and the angle-dependent non-log virtual correction (the "
        "s-channel constant stands in, ~±0.7%); ISR photons go along the beams, so a detected "
        "wide-angle third photon is not generated"))


@check("generate_sigma_ee_ee", reference=300_000.0, tolerance=0.10, unit="pb",
       provenance=_PB + ": e+e-(gamma) 300 ± 3 nb (BabaYaga@NLO), 10°<θ*_e<170°, "
       "E*_e>0.15 GeV")
def sigma_bhabha() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.sm_qed import EE_EE, sigma_born_bhabha

    r = cross_section("ee_ee", isr=True, n_points=300_000, seed=3)
    born = sigma_born_bhabha(EE_EE.experiment.s)
    return Measurement(r.sigma_pb, (
        f"± {r.error_pb:.0f} pb = Born {born:.0f} pb (closed form) × {r.sigma_pb / born:.4f}: "
        "collinear ISR with the Bhabha log ln(st/(u m_e²)) ≈ ln(|t|/m_e²) ×1.006, running "
        "α(t), α(s′) (Δα ≈ 1.6–3.8% over 10°–170°) ×1.038, FSR 3α/4π ×1.0017, s-channel ISR "
        "constant ×1.0065; cut on both pre-FSR leptons in the CMS; " + _T_CHANNEL_HISTORY
        + " (548 nb, +82%). Remaining ~+0.6%: leading log only, the s-channel non-log O(α) "
        "constants stand in for Bhabha's (boxes, ISR–FSR interference; ~±1%), no Z exchange, "
        "parameterised Δα_had (~0.2%)"))


@check("generate_zprime_gprime_scaling", reference=1.0e-2, tolerance=1e-6, quick=True,
       provenance="σ(ee→μμZ′) ∝ g′² (tree level)")
def zprime_scaling() -> float:
    from darkscan.generate import cross_section

    a = cross_section("ee_mumu_zprime", isr=False, n_points=20_000, mass=1.0, gprime=1.0)
    b = cross_section("ee_mumu_zprime", isr=False, n_points=20_000, mass=1.0, gprime=0.1)
    return b.sigma_pb / a.sigma_pb


@check("generate_zprime_sigma_born", reference=99.5, tolerance=0.02, kind="relative",
       unit="pb", provenance="theory_detector.md A1: tree-level σ(e+e-→μ+μ-Z′) = 99.5 pb at "
       "M = 1 GeV, g′ = 1 (the reference's own tree-level table; the collinear estimate gives "
       "100–200 pb). Before the longitudinal polarisation fix (ε_L·k was m, not 0) darkscan gave "
       "78.2 pb, which the earlier factor-2 check let through")
def zprime_sigma() -> Measurement:
    from darkscan.generate import cross_section

    r = cross_section("ee_mumu_zprime", isr=False, n_points=100_000, mass=1.0, gprime=1.0)
    return Measurement(r.sigma_pb, "tree-level Born, no ISR")
from darkscan.generate import checks_pair_production as _checks_pair  # noqa: E402,F401
from darkscan.generate import checks_pythia as _checks_pythia  # noqa: E402,F401  (registers)

# --- dark-sector signal processes: generated Born σ (isr=False) vs the closed forms ------------
_TD = "reference/theory_detector.md"


@check("generate_sigma_born_ee_gamma_darkphoton", reference=1.0, tolerance=0.01, quick=True,
       provenance=_TD + " A2: σ(e+e-→γA′) = (2πα²ε²/s)(1−m²/s)[F(c2)−F(c1)] (Essig et al. JHEP 11 "
       "(2013) 167), photon 10°<θ*<170° (the process filter); ratio generated/closed form at "
       "m_A′ = 1 GeV, ε = 1")
def sigma_born_gamma_darkphoton() -> Measurement:
    import math

    from darkscan.generate import cross_section
    from darkscan.generate.processes.dark_vector import EE_GAMMA_DARKPHOTON, FILTER_THETA_DEG
    from darkscan.models.dark_photon import sigma_gamma_darkphoton

    r = cross_section("ee_gamma_darkphoton", isr=False, n_points=30_000, seed=2, mass=1.0,
                      epsilon=1.0)
    ref = float(sigma_gamma_darkphoton(1.0, 1.0, cos_max=math.cos(math.radians(
        FILTER_THETA_DEG[0])), sqrt_s=EE_GAMMA_DARKPHOTON.experiment.sqrt_s))
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb:.1f} ± {r.error_pb:.1f} pb vs {ref:.1f} pb")


@check("generate_sigma_born_ee_darkphoton_darkhiggs", reference=1.0, tolerance=0.01, quick=True,
       provenance=_TD + " A3: σ(e+e-→A′h′) = (παα_Dε²/3s)λ^{1/2}(λ+12m_A′²/s)/(1−m_A′²/s)² "
       "(after Batell, Pospelov, Ritz PRD 79 (2009) 115008); ratio at m_A′ = 1, m_h′ = 2 GeV")
def sigma_born_darkhiggsstrahlung() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.dark_vector import EE_DARKPHOTON_DARKHIGGS
    from darkscan.models.dark_higgs import sigma_darkphoton_darkhiggs

    r = cross_section("ee_darkphoton_darkhiggs", isr=False, n_points=30_000, seed=2,
                      mass_darkphoton=1.0, mass_darkhiggs=2.0, epsilon=1.0, alpha_d=1.0)
    ref = float(sigma_darkphoton_darkhiggs(1.0, 2.0, 1.0, 1.0,
                                           sqrt_s=EE_DARKPHOTON_DARKHIGGS.experiment.sqrt_s))
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb:.0f} ± {r.error_pb:.0f} pb vs {ref:.0f} pb")


@check("generate_sigma_born_ee_gamma_alp", reference=1.0, tolerance=0.01, quick=True,
       provenance=_TD + " A4: σ(e+e-→γa) = αg²/24 (1−m_a²/s)³ (Dolan et al. JHEP 12 (2017) 094); "
       "ratio at m_a = 0.2 GeV, g_aγγ = 1e-3 GeV⁻¹ (0.118 pb)")
def sigma_born_gamma_alp() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.gamma_alp import EE_GAMMA_ALP
    from darkscan.models.alp import sigma_gamma_alp

    r = cross_section("ee_gamma_alp", isr=False, n_points=20_000, seed=2, mass=0.2, gagg=1e-3)
    ref = float(sigma_gamma_alp(1e-3, 0.2, sqrt_s=EE_GAMMA_ALP.experiment.sqrt_s))
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb:.5f} ± {r.error_pb:.5f} pb vs {ref:.5f} pb")


@check("generate_sigma_born_ee_darkhiggs_idm_narrow_width", reference=1.0, tolerance=0.01,
       quick=True,
       provenance=_TD + " A3 (q_h′ = 2) × A2 BF(A′→χ1χ2) = σ(e+e-→h′χ1χ2) for a narrow on-shell "
       "A′ (A6); full 2→3 amplitude at α_D = 0.01 (Γ_A′/m_A′ = 0.2%), m_A′ = 3, m_χ1 = 1, Δ = 0.4, "
       "m_h′ = 0.5 GeV")
def sigma_born_idm_narrow() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.idm_darkhiggs import EE_DARKHIGGS_IDM, Q_DARKHIGGS
    from darkscan.models import dark_higgs, dark_photon

    p = {"mass_darkhiggs": 0.5, "mass_chi1": 1.0, "delta": 0.4, "mass_darkphoton": 3.0,
         "epsilon": 1e-3, "alpha_d": 0.01}
    r = cross_section("ee_darkhiggs_idm", isr=False, n_points=40_000, seed=2, **p)
    br = dark_photon.branching_fractions(1e-3, 3.0, 0.01, 1.0, 0.4)["invisible"]
    ref = float(dark_higgs.sigma_darkphoton_darkhiggs(
        3.0, 0.5, 1e-3, 0.01, Q_DARKHIGGS, sqrt_s=EE_DARKHIGGS_IDM.experiment.sqrt_s) * br)
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb:.3e} ± {r.error_pb:.1e} pb vs {ref:.3e} pb "
                       "(narrow-width σ(A′h′)·BF)")


# --- e⁺e⁻ → τ⁺τ⁻ → ℓℓ + ν's with spin correlations (processes/tau_pairs.py) -------------------
_TAU_BIB = ("helicity amplitudes of γ*→τ⁺τ⁻ (d¹ functions, m_τ²/s helicity flip) and the V−A "
            "τ→ℓνν matrix element, derived in darkscan.generate.processes.tau_pairs")


@check("generate_sigma_born_ee_tautau_mumu", reference=1.0, tolerance=2e-3, quick=True,
       provenance="closed form 4πα²/(3s)·β(3−β²)/2 × B(τ→μνν)² (PDG 2024), ratio")
def sigma_born_tautau_ratio() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.tau_pairs import EE_TAUTAU_MUMU, sigma_born_tautau

    r = cross_section("ee_tautau_mumu", isr=False, n_points=60_000, seed=2)
    ref = sigma_born_tautau(EE_TAUTAU_MUMU.experiment.s) * EE_TAUTAU_MUMU.bf_product
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb:.3f} ± {r.error_pb:.3f} pb vs {ref:.3f} pb")


@check("generate_sigma_ee_tautau_isr", reference=919.0, tolerance=0.015, unit="pb",
       provenance=_PB + ": tau+tau-(gamma) 0.919 nb (KKMC); ee_tautau_mumu σ / B(τ→μνν)²")
def sigma_tautau_isr() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.physics.constants import BF_TAU_TO_MU

    r = cross_section("ee_tautau_mumu", isr=True, n_points=300_000, seed=3)
    return Measurement(r.sigma_pb / BF_TAU_TO_MU**2,
                       f"σ·B² = {r.sigma_pb:.3f} ± {r.error_pb:.3f} pb; Born ⊗ Kuraev–Fadin ISR, "
                       "running α(s), Schwinger massive-pair FSR factor (+0.26%), γ* only")


@check("generate_sigma_ee_tautau_mumu_vs_pythia", reference=1.0, tolerance=0.05,
       provenance="Pythia 8 ee_tautau_mumu_pythia sigmaGen (LL lepton PDF ISR; no soft+virtual "
                  "ISR constant or FSR factor), ratio helicity engine / Pythia")
def sigma_tautau_vs_pythia() -> Measurement:
    from darkscan.generate import cross_section

    ours = cross_section("ee_tautau_mumu", isr=True, n_points=300_000, seed=3)
    py = cross_section("ee_tautau_mumu_pythia", isr=True, n_points=40_000, seed=11)
    return Measurement(ours.sigma_pb / py.sigma_pb,
                       f"{ours.sigma_pb:.3f} pb vs Pythia {py.sigma_pb:.3f} ± {py.error_pb:.3f} pb")


@check("generate_tau_michel_spectrum_chi2", reference=2.0, tolerance=0.0, kind="max",
       provenance="Michel spectrum dΓ/dx ∝ x²(3−2x) (V−A, massless lepton), chi2/ndf of τ→eνν "
                  "rest-frame spectrum, 25 bins, 200k decays")
def tau_michel() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.tau_pairs import decay_rest_frame
    from darkscan.physics.constants import M_E, M_TAU

    x = 2.0 * decay_rest_frame(np.random.default_rng(6), 200_000, M_E)[:, 1, 3] / M_TAU
    edges = np.linspace(0.0, 1.0 + (M_E / M_TAU) ** 2, 26)
    hist, _ = np.histogram(x, bins=edges)
    cdf = edges**3 - edges**4 / 2.0  # ∫ x²(3 − 2x) dx
    expect = np.diff(np.minimum(cdf, 0.5)) / 0.5 * len(x)
    chi2 = float(np.sum((hist - expect) ** 2 / expect))
    return Measurement(chi2 / (len(hist) - 1), f"chi2 = {chi2:.1f} / {len(hist) - 1}")


@check("generate_tau_leptonic_branching_fraction", reference=0.1739, tolerance=0.01,
       provenance="PDG 2024 B(τ→μνν) = 17.39%: Γ from ∫|M|²dΦ₃ of the V−A amplitude × τ_τ/ħ "
                  "(τ_τ = 290.3 fs)")
def tau_branching_fraction() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.tau_pairs import width_from_me, width_leptonic
    from darkscan.physics.constants import HBAR_GEV_NS, M_MU

    gamma, err = width_from_me(M_MU, 200_000, np.random.default_rng(3))
    bf = gamma * 290.3e-6 / HBAR_GEV_NS
    return Measurement(bf, f"Γ = {gamma:.4e} ± {err:.1e} GeV vs closed form "
                           f"{width_leptonic(M_MU):.4e} GeV (tree level, no radiative corr.)")


@check("generate_tau_spin_correlation_cnn", reference=0.8932, tolerance=0.12,
       provenance=_TAU_BIB + ": C_nn = (1+β²)/(3−β²) at √s = 10.58 GeV")
def tau_spin_correlation() -> Measurement:
    import numpy as np

    from darkscan.generate.processes import tau_pairs as tp

    sqrt_s = tp.EE_TAUTAU_MUMU.experiment.sqrt_s
    k, d1, d2, (n1, n2) = tp.sample_pair_frame(200_000, np.random.default_rng(20240607), sqrt_s)
    c_hat, err = tp.estimate_c_longitudinal(k, d1[:, 1], d2[:, 1])
    y1 = tp.rest_frame_observables(k[:, 0], d1[:, 1])[2]
    y2 = tp.rest_frame_observables(k[:, 1], d2[:, 1])[2]
    beta = float(tp.pair_velocity(sqrt_s**2))
    return Measurement(c_hat, f"± {err:.3f}; corr(y-, y+) = {np.corrcoef(y1, y2)[0, 1]:.4f} vs "
                              f"{tp.energy_fraction_correlation(beta):.4f} predicted (0 without "
                              f"correlations); decay acceptance τ-: {len(k) / n1:.3f}, "
                              f"τ+: {len(k) / n2:.3f}")


#: PDG 2024 τ topological branching fractions [RECALLED]: 1-prong 85.24%, 3-prong (h⁻h⁻h⁺ ≥ 0
#: neutrals ν_τ, K⁰_S → π⁺π⁻ not counted) 14.55%
_TAU_ONE_PRONG, _TAU_THREE_PRONG = 0.8524, 0.1455
#: the own-engine τ pairs that together are every τ pair once (tau_pairs)
TAU_PAIR_PARTS = ("ee_tautau_e_rest", "ee_tautau_ee", "ee_tautau_no_e")


def tau_pair_prongs(particles: ak.Array) -> np.ndarray:
    """Charged final-state particles per event, the daughters of a K⁰_S and the e⁺e⁻ pairs of
    π⁰ and η Dalitz decays not counted (the topological convention: prongs are the charged
    hadrons and leptons of the decay; a Dalitz pair, 1.2% of π⁰, is a conversion's look-alike,
    and in 20k τ pairs it would move 1.7% of the events up by two prongs)."""
    import awkward as ak
    import numpy as np

    counts = ak.to_numpy(ak.num(particles))
    pdg = np.abs(ak.to_numpy(ak.flatten(particles.pdg)))
    status = ak.to_numpy(ak.flatten(particles.status))
    mother = ak.to_numpy(ak.flatten(particles.mother))
    start = np.repeat(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    mother_pdg = np.where(mother >= 0, pdg[start + np.maximum(mother, 0)], 0)
    dalitz = (pdg == 11) & np.isin(mother_pdg, (111, 221))
    charged = ((status == 1) & np.isin(pdg, (11, 13, 211, 321, 2212)) & (mother_pdg != 310)
               & ~dalitz)
    event = np.repeat(np.arange(len(counts)), counts)
    return np.bincount(event[charged], minlength=len(counts))


@check("generate_tautau_four_prong_fraction", reference=2 * _TAU_ONE_PRONG * _TAU_THREE_PRONG,
       tolerance=0.015, kind="absolute",
       provenance="PDG 2024 τ topological branching fractions (1-prong 85.24%, 3-prong 14.55%) "
                  "[RECALLED]: 2 B₁B₃ of the τ pairs have 1 + 3 charged prongs; here the "
                  "σ-weighted sum of ee_tautau_e_rest, ee_tautau_ee and ee_tautau_no_e (every τ "
                  "pair once). Known difference (+0.0095 on 2026-12-07): Pythia's τ table has "
                  "B₃ = 14.92% (+2.5%, +0.006 here) and channels with an ω or η whose "
                  "π⁺π⁻π⁰ decay adds two prongs (+0.003)")
def tautau_four_prong_fraction() -> Measurement:
    import numpy as np

    from darkscan.generate import generate

    total, four, two = 0.0, 0.0, 0.0
    for i, name in enumerate(TAU_PAIR_PARTS):
        s = generate(name, 20_000, seed=70 + i)
        prongs = tau_pair_prongs(s.events.particles)
        total += s.meta.sigma_pb
        four += s.meta.sigma_pb * float(np.mean(prongs == 4))
        two += s.meta.sigma_pb * float(np.mean(prongs == 2))
    return Measurement(four / total,
                       f"1 + 1 prongs {two / total:.4f} (PDG {_TAU_ONE_PRONG**2:.4f}); σ of the "
                       f"three parts {total:.1f} pb (0.919 nb, Physics Book)")


# --- 3×1 topology: one τ → ℓνν̄ or ℓα here, the other → 3 prongs (tau_pairs, tau_lepton_alp) --
def _leptonic_side_x(process: str, n: int, seed: int, **params: float) -> np.ndarray:
    """x = 2E*_ℓ/m_τ of the lepton in its τ's rest frame, from ``n`` events of a chunk of
    ``process`` (the lepton side only: no Pythia decays needed)."""
    import numpy as np

    from darkscan.generate import get_process, resolve_params
    from darkscan.generate.processes.tau_pairs import (
        leptonic_tau_and_lepton,
        rest_frame_observables,
    )

    proc = get_process(process)
    sample = proc.generate_chunk(n, np.random.SeedSequence(seed), resolve_params(proc, params))
    return rest_frame_observables(*leptonic_tau_and_lepton(sample.events))[0]


@check("generate_tau_lalpha_lepton_energy_two_body", reference=1e-9, tolerance=0.0, kind="max",
       unit="GeV", quick=True,
       provenance="two-body kinematics: E*_ℓ = (m_τ² + m_ℓ² − m_α²)/(2m_τ) for τ → ℓα in the "
       "τ rest frame, exactly; worst |E*_ℓ − E_two-body| per event over ee_tautau_ealpha_3prong "
       "(m_α = 0) and ee_tautau_mualpha_3prong (m_α = 0.8, 1.6 GeV), 2000 events each, the lab "
       "record boosted back to the τ rest frame (rounding only)")
def tau_lalpha_two_body() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.tau_lepton_alp import lepton_energy_rest_frame
    from darkscan.physics.constants import M_E, M_MU, M_TAU

    worst, notes = 0.0, []
    for name, m_lep, m_alpha in (("ee_tautau_ealpha_3prong", M_E, 0.0),
                                 ("ee_tautau_mualpha_3prong", M_MU, 0.8),
                                 ("ee_tautau_mualpha_3prong", M_MU, 1.6)):
        e = 0.5 * M_TAU * _leptonic_side_x(name, 2000, 4, mass=m_alpha)
        ref = lepton_energy_rest_frame(m_lep, m_alpha)
        worst = max(worst, float(np.max(np.abs(e - ref))))
        notes.append(f"{name} m_α = {m_alpha:g}: E* = {ref:.6f} GeV")
    return Measurement(worst, "; ".join(notes))


@check("generate_tau_3prong_background_michel_chi2", reference=2.0, tolerance=0.0, kind="max",
       quick=True,
       provenance="Michel spectrum of τ → ℓνν (V−A, lepton mass kept: tau_pairs.michel_spectrum)"
       "; chi2/ndf of the rest-frame x = 2E*_ℓ/m_τ of the generated ee_tautau_e3prong and "
       "ee_tautau_mu3prong events (through production, ISR, spin-density accept–reject and "
       "the boosts), 20 bins on [x₀, 1 + x₀²/4] each, 40k events each, seed 6")
def tau_3prong_background_michel() -> Measurement:
    import numpy as np
    from scipy.stats import chi2 as chi2_dist

    from darkscan.generate.processes.tau_pairs import _x_range, michel_bin_fractions
    from darkscan.physics.constants import M_E, M_MU

    total, ndf, notes = 0.0, 0, []
    for name, m_lep in (("ee_tautau_e3prong", M_E), ("ee_tautau_mu3prong", M_MU)):
        x = _leptonic_side_x(name, 40_000, 6)
        edges = np.linspace(*_x_range(m_lep), 21)
        hist, _ = np.histogram(x, edges)
        expect = michel_bin_fractions(edges, m_lep) * len(x)
        c2 = float(np.sum((hist - expect) ** 2 / expect))
        total, ndf = total + c2, ndf + len(hist) - 1
        notes.append(f"{name}: {c2:.1f}/{len(hist) - 1}")
    return Measurement(total / ndf, "; ".join(notes)
                       + f"; p = {float(chi2_dist.sf(total, ndf)):.2f}")


def _radiative_fraction(process: str, n: int, seed: int) -> float:
    """The fraction of ``process``'s leptonic τ decays with a photon above 10 MeV in the τ
    rest frame (the photons the τ at index 2 radiated)."""
    import awkward as ak
    import numpy as np

    from darkscan.generate import get_process, resolve_params
    from darkscan.physics.lorentz import boost

    proc = get_process(process)
    parts = proc.generate_chunk(n, np.random.SeedSequence(seed),
                                resolve_params(proc, {})).events["particles"]
    photons = parts[(parts.mother == 2) & (parts.pdg == 22)]
    cols = ("px", "py", "pz", "E")
    tau = np.stack([ak.to_numpy(parts[c][:, 2]) for c in cols], axis=-1)
    per_event = ak.num(photons)
    flat = np.stack([ak.to_numpy(ak.flatten(photons[c])) for c in cols], axis=-1)
    tau_of = np.repeat(tau, ak.to_numpy(per_event), axis=0)
    e_star = boost(flat, -tau_of[:, :3] / tau_of[:, 3:4])[:, 3]
    hard = ak.unflatten(e_star > 0.010, ak.to_numpy(per_event))
    return float(np.mean(ak.to_numpy(ak.any(hard, axis=1))))


_RADIATIVE = ("BaBar, PRD 91 (2015) 051103: B(τ → {l}ννγ, E*_γ > 10 MeV) = {b}, over "
              "B(τ → {l}νν) = {bl} (PDG 2024); darkscan: leptonic τ decays of 40k "
              "{proc} events (seed 5) with a photon above 10 MeV in the τ rest frame. The "
              "leading-log radiator (generate.fsr) bounds the photon by the lepton's energy "
              "rather than by the decay's kinematics and overestimates the radiative tail by "
              "~15% of itself; tolerance 30%")


@check("generate_tau_radiative_fraction_e", reference=0.01847 / BF_TAU_TO_E, tolerance=0.3,
       quick=True, provenance=_RADIATIVE.format(l="e", b="1.847%", bl=BF_TAU_TO_E,
                                                 proc="ee_tautau_e3prong"))
def tau_radiative_fraction_e() -> Measurement:
    return Measurement(_radiative_fraction("ee_tautau_e3prong", 40_000, 5))


@check("generate_sigma_tautau_e3prong_over_mu3prong", reference=BF_TAU_TO_E / BF_TAU_TO_MU,
       tolerance=2.5e-3, quick=True,
       provenance=f"B(τ→eνν)/B(τ→μνν) = {BF_TAU_TO_E}/{BF_TAU_TO_MU} (PDG 2024, the values the "
       "processes use); σ(ee_tautau_e3prong)/σ(ee_tautau_mu3prong), independent integrations "
       "(seeds 2, 3), 400k points each, ISR on")
def sigma_e3prong_over_mu3prong() -> Measurement:
    import math

    from darkscan.generate import cross_section
    from darkscan.generate.processes.tau_pairs import width_leptonic
    from darkscan.physics.constants import M_E, M_MU

    e = cross_section("ee_tautau_e3prong", n_points=400_000, seed=2)
    m = cross_section("ee_tautau_mu3prong", n_points=400_000, seed=3)
    r = e.sigma_pb / m.sigma_pb
    err = r * math.hypot(e.error_pb / e.sigma_pb, m.error_pb / m.sigma_pb)
    tree = width_leptonic(M_E) / width_leptonic(M_MU)
    return Measurement(r, f"± {err:.4f} (MC); σ = {e.sigma_pb:.2f} ± {e.error_pb:.2f} pb and "
                          f"{m.sigma_pb:.2f} ± {m.error_pb:.2f} pb; tree-level Γ(eνν)/Γ(μνν) = "
                          f"{tree:.4f} (lepton universality; the PDG ratio is 0.34% below it)")


# --- e⁺e⁻ → μ⁺μ⁻μ⁺μ⁻, full tree-level QED (processes/four_muon.py) ------------------------------
@check("generate_four_muon_fsr_factorisation", reference=1.0, tolerance=1e-9, quick=True,
       provenance="virtual-photon splitting of the FSR diagrams, point by point: ⟨Σ|M_fsr|²⟩ over "
       "the pair's decay angles = (4e²/3q²)(1+2m_μ²/q²)·Σ|M(ee→μμV)|²(m_V=√q², g_V=e), i.e. "
       "dσ/dq² = σ(μμV)·α/(3πq²)·β(1+2m²/q²) (Kroll–Wada, Phys. Rev. 98 (1955) 1355; Budnev et "
       "al., Phys. Rept. 15 (1975) 181); right side from mumu_resonance.me2_mumux; the worst "
       "ratio over 4 q² × 200 points (exact quadrature, rounding only)")
def four_muon_fsr_factorisation() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.four_muon import fsr_factorisation_ratio

    q2s = (0.05, 0.5, 5.0, 50.0)
    r = np.concatenate([fsr_factorisation_ratio(q2, 200, np.random.default_rng(9)) for q2 in q2s])
    worst = float(r[np.argmax(np.abs(r - 1.0))])
    return Measurement(worst, f"max |ratio − 1| = {abs(worst - 1):.1e} at q² ∈ {q2s} GeV²; no "
                              "published σ(e⁺e⁻→4μ) at 10.58 GeV was found for the total (searched "
                              "the Belle II 4μ paper's text available here and AAFH docs)")


@check("generate_mumutautau_fsr_factorisation", reference=1.0, tolerance=1e-9, quick=True,
       provenance="ee_mumutautau: the τ pair off the muon line, point by point: ⟨Σ|M_fsr|²⟩ over "
       "the τ pair's decay angles = (4e²/3q²)(1+2m_τ²/q²)·Σ|M(ee→μμV)|²(m_V=√q², g_V=e), i.e. "
       "dσ/dq² = σ(μμV)·α/(3πq²)·β_τ(1+2m_τ²/q²) (Kroll–Wada; Budnev et al.), right side from "
       "mumu_resonance.me2_mumux; the worst ratio over 4 q² (from 4m_τ² up) × 200 points "
       "(exact quadrature, rounding only)")
def mumutautau_fsr_factorisation() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.four_lepton import fsr_factorisation_ratio
    from darkscan.physics.constants import M_TAU

    q2s = (12.7, 20.0, 40.0, 80.0)
    r = np.concatenate([fsr_factorisation_ratio(q2, 200, np.random.default_rng(9), m_pair=M_TAU)
                        for q2 in q2s])
    worst = float(r[np.argmax(np.abs(r - 1.0))])
    return Measurement(worst, f"max |ratio − 1| = {abs(worst - 1):.1e} at q² ∈ {q2s} GeV²")


# --- e⁺e⁻ → μ⁺μ⁻π⁺π⁻, scalar QED with F_π (processes/four_lepton.py, physics/hadronic.py) ------
@check("generate_pion_form_factor_rho_peak", reference=45.0, tolerance=0.05, quick=True,
       provenance="peak of |F_π(s)|² in the ρ–ω region, ≈ 45 in the e⁺e⁻ → π⁺π⁻ data of CMD-2 "
       "(Phys. Lett. B 578 (2004) 285), KLOE and BaBar (PRD 86 (2012) 032013), read off their "
       "figures (±5%); the model: physics.hadronic (Kühn–Santamaria Gounaris–Sakurai form, PDG "
       "masses and widths); σ = πα²β³|F_π|²/(3s) at the peak and elsewhere in the note")
def pion_form_factor_peak() -> Measurement:
    import numpy as np

    from darkscan.physics.hadronic import pion_form_factor, sigma_ee_pipi

    rs = np.linspace(0.70, 0.85, 1501)
    f2 = np.abs(pion_form_factor(rs**2)) ** 2
    i = int(np.argmax(f2))
    nb = {r: float(sigma_ee_pipi(r * r)) / 1e3 for r in (0.6, float(rs[i]), 1.0)}
    high = float(np.abs(pion_form_factor(13.48)))
    return Measurement(float(f2[i]), f"at √s = {rs[i]:.4f} GeV; σ(e⁺e⁻→π⁺π⁻) = "
                       + ", ".join(f"{v:.0f} nb at {r:.3f} GeV" for r, v in nb.items())
                       + f" (the measured ρ peak ≈ 1.2–1.35 μb); |F_π(13.48 GeV²)| = {high:.3f} "
                       "against CLEO-c's 0.075 ± 0.009 (PRL 95 (2005) 261803): the ρ tail is "
                       "an extrapolation above 2 GeV (m_ππ > 1.5 GeV: 0.15% of σ(μμππ))")


@check("generate_pion_charge_radius", reference=0.434, tolerance=0.05, unit="fm²", quick=True,
       provenance="⟨r²_π⟩ = 6 dF_π/ds at s = 0 (physics.hadronic, the Gounaris–Sakurai functions "
       "continued below threshold) against the PDG's 0.434 ± 0.005 fm² (Review of Particle "
       "Physics 2024, π± charge radius 0.659 ± 0.004 fm); ±5%")
def pion_charge_radius() -> float:
    from darkscan.physics.constants import HBARC_GEV_CM
    from darkscan.physics.hadronic import pion_form_factor

    d = 1e-4
    slope = (float(pion_form_factor(d).real) - float(pion_form_factor(d / 2).real)) / (d / 2)
    return 6.0 * slope * HBARC_GEV_CM**2 * 1e26  # GeV⁻² → fm² ((ħc)² = 0.0389 GeV² fm²)


@check("generate_mumupipi_gauge_invariance", reference=1e-10, tolerance=0.0, kind="max",
       quick=True,
       provenance="Ward identities of QED and scalar QED in e+e-→μ+μ-π+π- (7 diagrams): each of "
       "the three photons' current replaced by its momentum gives zero for the diagrams it "
       "couples to (the pion line's two emissions and seagull included); worst of the three "
       "ratios |M(j→q)|/|M| over 400 points from every channel (rounding only)")
def mumupipi_gauge() -> Measurement:
    import numpy as np

    from darkscan.generate.processes import four_lepton as fl
    from darkscan.physics.constants import M_MU, M_PI

    n, proc = 400, fl.EE_MUMUPIPI
    p, _ = proc.hard(np.random.default_rng(7).random((n, proc.hard_ndim({}))), np.full(n, 10.58),
                     {}, False)
    p1, p2 = fl._beams(n, np.full(n, 10.58))
    legs = fl.Legs(p1, p2, (p[:, 0], p[:, 1], p[:, 2], p[:, 3]), (M_MU, M_PI), pions=True)
    r = {k: float(v.max()) for k, v in fl.ward_identity_ratios(legs).items()}
    return Measurement(max(r.values()), ", ".join(f"{k}: {v:.1e}" for k, v in r.items()))


@check("generate_mumupipi_fsr_factorisation", reference=1.0, tolerance=1e-9, quick=True,
       provenance="ee_mumupipi: the π⁺π⁻ pair off the muon line, point by point: ⟨Σ|M_fsr|²⟩ "
       "over the pions' decay angles = (e²/3q²)β²|F_π(q²)|²·Σ|M(ee→μμV)|²(m_V=√q², g_V=e), "
       "i.e. dσ/dq² = σ(μμV)·α/(12πq²)·β³|F_π|² (the spectral function of σ(e⁺e⁻→π⁺π⁻) = "
       "πα²β³|F_π|²/(3s)); right side from mumu_resonance.me2_mumux; worst ratio over 4 q² "
       "(below, on and above the ρ) × 200 points (exact quadrature, rounding only)")
def mumupipi_fsr_factorisation() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.four_lepton import fsr_factorisation_ratio
    from darkscan.physics.constants import M_PI

    q2s = (0.1, 0.6, 2.0, 20.0)
    r = np.concatenate([fsr_factorisation_ratio(q2, 200, np.random.default_rng(9), m_pair=M_PI,
                                                pions=True) for q2 in q2s])
    worst = float(r[np.argmax(np.abs(r - 1.0))])
    return Measurement(worst, f"max |ratio − 1| = {abs(worst - 1):.1e} at q² ∈ {q2s} GeV²")


@check("generate_mumupipi_soft_pair_eikonal", reference=3e-4, tolerance=0.0, kind="max",
       quick=True,
       provenance="soft-photon theorem (Low, Phys. Rev. 110 (1958) 974) for the relative sign of "
       "the pion-line and beam-line diagrams, which no Ward identity fixes: a soft virtual photon "
       "(E = 3e-4 GeV) → ℓ⁺ℓ⁻ off e⁺e⁻ → π⁺π⁻ factorises into the eikonal current of e⁻, e⁺, "
       "π⁺, π⁻ times M(e⁺e⁻→π⁺π⁻); median relative deviation over 200 points (O(E/√s); with "
       "the pion charge's sign flipped it is ≈ 1.4)")
def mumupipi_soft_pair() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.four_lepton import pion_soft_pair_deviation

    r = pion_soft_pair_deviation(3e-4, 200, np.random.default_rng(4))
    wrong = pion_soft_pair_deviation(3e-4, 200, np.random.default_rng(4), pion_charge=-1.0)
    return Measurement(float(np.median(r)), f"worst {r.max():.1e}; wrong pion-charge sign: median "
                                            f"{np.median(wrong):.2f}")


# --- e⁺e⁻ → μ⁺μ⁻X, X = leptophilic scalar φ_L / lepton-coupled ALP (mumu_resonance.py) ----------
@check("generate_mumu_spin0_me2_vs_dirac_traces", reference=1.0, tolerance=1e-9, quick=True,
       provenance="independent |M|² of e+e-→γ*→μ+μ-X, X spin 0 with vertex 1 (φ_L) or γ5 (ALP), "
       "from Dirac traces with explicit γ matrices (mumu_resonance.me2_mumux_traces), vs the "
       "helicity-amplitude kernel; worst ratio over 2 × 300 points at m_X = 4 and 8 GeV "
       "(rounding only)")
def mumu_spin0_traces() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.mumu_resonance import (
        kinematics_mumux,
        me2_mumux,
        me2_mumux_traces,
    )

    ratios = []
    rng = np.random.default_rng(21)
    for mx in (4.0, 8.0):
        p1, p2, p, dphi = kinematics_mumux(rng.random((150, 5)), np.full(150, 10.58), mx)
        ok = dphi > 0
        args = (p1[ok], p2[ok], p[ok, 0], p[ok, 1], p[ok, 2])
        for pseudo in (False, True):
            ours = me2_mumux(*args, mx, 0.3, 0.0917, False, pseudo)
            ratios.append(ours / me2_mumux_traces(*args, 0.3, 0.0917, pseudo))
    r = np.concatenate(ratios)
    worst = float(r[np.argmax(np.abs(r - 1.0))])
    return Measurement(worst, f"{r.size} points, max |ratio − 1| = {abs(worst - 1):.1e}")


@check("generate_leptophilic_equals_scalar_at_gs", reference=1.0, tolerance=1e-12, quick=True,
       provenance="ee_mumu_leptophilic is ee_mumu_scalar with g_S = ξ m_μ/v (Batell et al. PRD 98 "
       "(2018) 055026 Yukawa; e-line emission ∝ m_e neglected): σ ratio at the same seed, "
       "m = 6 GeV, ξ = 100, Born")
def leptophilic_equals_scalar() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.models.leptophilic import yukawa
    from darkscan.physics.constants import M_MU

    kw = dict(isr=False, n_points=20_000, seed=5, mass=6.0)
    a = cross_section("ee_mumu_leptophilic", xi=100.0, **kw)
    b = cross_section("ee_mumu_scalar", gs=float(yukawa(100.0, M_MU)), **kw)
    return Measurement(a.sigma_pb / b.sigma_pb, f"σ = {a.sigma_pb:.4g} ± {a.error_pb:.2g} pb; no "
                       "published σ(e⁺e⁻→μ⁺μ⁻φ_L) at 10.58 GeV was found to compare with")


# --- τ decay library (tau_library) vs Pythia's own τ decays -------------------------------------
_TAU_LIB = ("darkscan.generate.tau_library: the τ of ee_tautau_mu3prong (10 000 events, seed "
            "61) forced to three prongs (tau_pairs.three_prong_settings) decayed from the "
            "library (LIBRARY_SIZE decays at rest, Haar rotation, boost; seed 62) and by Pythia "
            "itself (decay_final_taus(library=False), seed 63)")


@cache
def _tau_three_prong_summaries() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The three-prong τ (index 3) of the library- and Pythia-decayed samples of _TAU_LIB
    (computed once per process: both checks below use them)."""
    import numpy as np

    from darkscan.generate import get_process, resolve_params
    from darkscan.generate.processes.tau_pairs import three_prong_settings
    from darkscan.generate.pythia_bridge import decay_final_taus
    from darkscan.generate.tau_library import tau_decay_summary

    proc = get_process("ee_tautau_mu3prong")
    events = proc.generate_chunk(10_000, np.random.SeedSequence(61),
                                 resolve_params(proc, {})).events
    out = []
    for seed, library in ((62, True), (63, False)):
        s = tau_decay_summary(decay_final_taus(events, np.random.SeedSequence(seed),
                                               settings=three_prong_settings(),
                                               library=library))
        out.append({k: v[s["index"] == 3] for k, v in s.items()})
    return out[0], out[1]


@check("generate_tau_library_three_prong_vs_pythia", reference=1.0, tolerance=0.99,
       kind="absolute",
       provenance=_TAU_LIB + "; the smallest of 4 p-values (KS: invariant mass of the three "
       "charged prongs and visible energy fraction E_vis/E_τ in the lab; χ² homogeneity: numbers "
       "of charged prongs and of photons) × 4 (Bonferroni), the library side with the effective "
       "size 1/n_eff = 1/n + 1/N_library; passes at ≥ 0.01")
def tau_library_three_prong() -> Measurement:
    from darkscan.generate.tau_library import (
        LIBRARY_SIZE,
        chi2_homogeneity_pvalue,
        effective_size,
        ks_pvalue,
    )

    lib, py = _tau_three_prong_summaries()
    n_eff = effective_size(len(lib["pdg"]), LIBRARY_SIZE)
    p = {"m3": ks_pvalue(lib["m_charged"], py["m_charged"], n_eff),
         "x_vis": ks_pvalue(lib["x_visible"], py["x_visible"], n_eff),
         "n_charged": chi2_homogeneity_pvalue(lib["n_charged"], py["n_charged"], n_eff),
         "n_photons": chi2_homogeneity_pvalue(lib["n_photons"], py["n_photons"], n_eff)}
    note = ", ".join(f"p({k}) = {v:.3f}" for k, v in p.items())
    means = (f"; ⟨m3⟩ = {lib['m_charged'].mean():.4f} vs {py['m_charged'].mean():.4f} GeV, "
             f"⟨x_vis⟩ = {lib['x_visible'].mean():.4f} vs {py['x_visible'].mean():.4f}, "
             f"⟨n_γ⟩ = {lib['n_photons'].mean():.3f} vs {py['n_photons'].mean():.3f} "
             "(library vs Pythia)")
    return Measurement(min(1.0, 4.0 * min(p.values())), note + means)


@check("generate_tau_library_branching_fractions", reference=1.0, tolerance=0.99,
       kind="absolute",
       provenance="Pythia 8.3's τ decay table (branching fractions of the open channels, "
       "normalised): χ² p-values of the channel counts (channel from the multiset of each τ's "
       "direct daughters) of (a) the library-decayed and (b) the Pythia-decayed three-prong "
       "samples of " + _TAU_LIB + ", and (c) the same 10 000 τ decayed from the library with "
       "all channels open (seed 64); the smallest × 3 (Bonferroni), passes at ≥ 0.01")
def tau_library_branching_fractions() -> Measurement:
    import numpy as np

    from darkscan.generate import get_process, resolve_params
    from darkscan.generate.processes.tau_pairs import three_prong_settings
    from darkscan.generate.pythia_bridge import decay_final_taus
    from darkscan.generate.tau_library import (
        chi2_fractions_pvalue,
        open_channels,
        tau_decay_summary,
    )

    lib, py = _tau_three_prong_summaries()
    chans3, frac3 = open_channels(three_prong_settings())
    proc = get_process("ee_tautau_mu3prong")
    events = proc.generate_chunk(10_000, np.random.SeedSequence(61),
                                 resolve_params(proc, {})).events
    s = tau_decay_summary(decay_final_taus(events, np.random.SeedSequence(64)))
    free = s["channel"][s["index"] == 3]
    chans, frac = open_channels(())
    p = {"library 3-prong": chi2_fractions_pvalue(lib["channel"], chans3, frac3),
         "Pythia 3-prong": chi2_fractions_pvalue(py["channel"], chans3, frac3),
         "library all modes": chi2_fractions_pvalue(free, chans, frac)}
    b_mu = float(np.mean(free == 3))
    note = (", ".join(f"p({k}) = {v:.3f}" for k, v in p.items())
            + f"; B(τ→μνν) = {b_mu:.4f} ± {np.sqrt(b_mu * (1 - b_mu) / len(free)):.4f} vs "
            f"table {frac[list(chans).index(3)]:.4f}; B(3π)/B(3-prong) = "
            f"{np.mean(lib['channel'] == 10):.4f} (library), {np.mean(py['channel'] == 10):.4f} "
            f"(Pythia) vs table {frac3[0]:.4f}")
    return Measurement(min(1.0, 3.0 * min(p.values())), note)


@benchmark("gen_ee_tautau_mu3prong", unit="unweighted events/s (CPU)",
           peer_name="the same with the τ decayed by Pythia itself (library=False)")
def gen_ee_tautau_mu3prong() -> tuple[float, float]:
    """ee_tautau_mu3prong through generate (ISR, the leptonic τ, the three-prong τ from the τ
    decay library; library built outside the timing), per CPU second; the peer decays the
    three-prong τ with Pythia (decay_final_taus(library=False)) on 2 000 events."""
    import time

    import numpy as np

    from darkscan.generate import generate, get_process, resolve_params
    from darkscan.generate.processes.tau_pairs import three_prong_settings
    from darkscan.generate.pythia_bridge import decay_final_taus

    generate("ee_tautau_mu3prong", 100, seed=1)
    n = 20_000
    t = time.process_time()
    generate("ee_tautau_mu3prong", n, seed=2, chunk_size=n)
    ours = n / (time.process_time() - t)
    proc = get_process("ee_tautau_mu3prong")
    m = 2_000
    t = time.process_time()
    events = proc.generate_chunk(m, np.random.SeedSequence(3), resolve_params(proc, {})).events
    decay_final_taus(events, np.random.SeedSequence(4), settings=three_prong_settings(),
                     library=False)
    return ours, m / (time.process_time() - t)


# --- single-photon backgrounds: e⁺e⁻ → e⁺e⁻γ (radiative_qed.py), e⁺e⁻ → νν̄γ (nunu_gamma.py) -----
def _radiative_points(process: str, overrides: dict[str, float], n: int, seed: int
                      ) -> tuple[np.ndarray, ...]:
    """Beams and (ℓ⁻, ℓ⁺, γ) of an e⁺e⁻ → ℓ⁺ℓ⁻γ process inside its cuts (its defaults with
    ``overrides``) from all its channels, Born level at 10.58 GeV."""
    import numpy as np

    from darkscan.generate import get_process, resolve_params
    from darkscan.generate.processes import radiative_qed as rq

    proc = get_process(process)
    params = resolve_params(proc, overrides)
    u = np.random.default_rng(seed).random((n, proc.hard_ndim(params)))
    p, w = proc.hard(u, 10.58, params, False)
    ok = w > 0
    p1, p2 = rq.beams(int(ok.sum()), np.full(int(ok.sum()), 10.58))
    return p1, p2, p[ok, 0], p[ok, 1], p[ok, 2]


def _eeg_points(n: int, seed: int) -> tuple[np.ndarray, ...]:
    """ee_eeg's points without the lepton veto (:func:`_radiative_points`)."""
    return _radiative_points("ee_eeg", {"lepton_veto": 0.0}, n, seed)


@check("generate_eeg_gauge_invariance", reference=1e-9, tolerance=0.0, kind="max", quick=True,
       provenance="Ward identity of QED: ε*(k) → k in e+e-→e+e-γ (8 graphs, m_e kept) gives zero; "
       "worst |M(ε→k)|/(|M|·E_γ) over the 32 helicity amplitudes of 2000 points from all five "
       "channels, |t| down to 1e-11 GeV² and 2p·k down to 1e-7 GeV² (rounding only)")
def eeg_gauge() -> Measurement:
    import numpy as np

    from darkscan.generate.processes import radiative_qed as rq

    p1, p2, p3, p4, k = _eeg_points(2000, 2)
    ref = np.abs(rq.amplitudes_eeg(p1, p2, p3, p4, k)).max(axis=(0, 1, 2, 3, 4))
    eps = np.stack([k, k], axis=1).astype(complex)
    ward = np.abs(rq.amplitudes_eeg(p1, p2, p3, p4, k, eps=eps)).max(axis=(0, 1, 2, 3, 4))
    r = ward / (ref * k[:, 3])
    return Measurement(float(r.max()), f"{len(r)} points, median {np.median(r):.1e}")


@check("generate_eeg_massless_closed_form", reference=1.0, tolerance=1e-9, quick=True,
       provenance="closed massless Σ|M|² of e+e-→e+e-γ, e⁶[ss′(s²+s′²)+tt′(t²+t′²)+uu′(u²+u′²)]"
       "/(ss′tt′)·W, W the four-leg eikonal factor (Berends, De Causmaecker, Gastmans, Kleiss, "
       "Troost, Wu, Nucl. Phys. B206 (1982) 61; radiative_qed.me2_eeg_massless_closed_form), "
       "against the helicity amplitudes at m = 0; worst ratio over 300 points")
def eeg_closed_form() -> Measurement:
    import numpy as np

    from darkscan.generate.processes import radiative_qed as rq

    n = 300
    win = rq.PhotonWindow((-0.95, 0.95), 0.2, 0.0, np.full(n, 10.58), np.zeros(n))
    e3, e4, k, w = rq.PairChannel(pair_pole=False).generate(
        np.random.default_rng(4).random((n, 5)), win)
    ok = w > 0
    p1, p2 = rq.beams(int(ok.sum()), np.full(int(ok.sum()), 10.58), 0.0)
    r = rq.me2_eeg(p1, p2, e3[ok], e4[ok], k[ok], m=0.0) / rq.me2_eeg_massless_closed_form(
        p1, p2, e3[ok], e4[ok], k[ok])
    worst = float(r[np.argmax(np.abs(r - 1.0))])
    return Measurement(worst, f"max |ratio − 1| = {abs(worst - 1):.1e} over {r.size} points")


def _soft_photon_ratio(m: float, me2: Callable, born: Callable, seed: int = 3) -> Measurement:
    """Worst |M(e⁺e⁻ → ℓ⁺ℓ⁻γ)|² / (eikonal factor × |M(e⁺e⁻ → ℓ⁺ℓ⁻)|²) over 200 points with
    E_γ = 10⁻⁸ √s (the soft-photon theorem), leptons of mass ``m`` at |cos θ| < 0.9 in the
    ℓℓ frame; ``me2``, ``born`` take (p1, p2, p3, p4[, k])."""
    import numpy as np

    from darkscan.generate.phase_space import rest_frame_p4, two_body
    from darkscan.generate.processes import radiative_qed as rq

    n, lam = 200, 1e-8
    rng = np.random.default_rng(seed)
    rs = np.full(n, 10.58)
    k, q, _ = two_body(rest_frame_p4(n, rs), 0.0, 10.58 * np.sqrt(1 - 2 * lam),
                       2 * rng.random(n) - 1, 2 * np.pi * rng.random(n))
    p3, p4, _ = rq.two_body_along(q, m, m, 0.9 * (2 * rng.random(n) - 1),
                                  2 * np.pi * rng.random(n))
    p1, p2 = rq.beams(n, rs)
    r = me2(p1, p2, p3, p4, k) / (rq.eikonal_factor(p1, p2, p3, p4, k) * born(p1, p2, p3, p4))
    worst = float(r[np.argmax(np.abs(r - 1.0))])
    return Measurement(worst, f"max |ratio − 1| = {abs(worst - 1):.1e}")


@check("generate_eeg_soft_photon_limit", reference=1.0, tolerance=1e-6, quick=True,
       provenance="soft-photon theorem (F. Low, Phys. Rev. 110 (1958) 974): |M(e+e-→e+e-γ)|² / "
       "(e²(−J²)·|M(e+e-→e+e-)|²), J the massive eikonal current of the four legs, the Bhabha "
       "|M|² of sm_qed.me2_bhabha, at E_γ = 1e-8 √s; worst of 200 points (O(E_γ/√s) corrections,"
       " 3e-5 at 1e-6)")
def eeg_soft_limit() -> Measurement:
    from darkscan.generate.processes import radiative_qed as rq
    from darkscan.generate.processes.sm_qed import me2_bhabha
    from darkscan.physics.constants import M_E

    return _soft_photon_ratio(M_E, rq.me2_eeg, lambda *p: me2_bhabha(*p, False))


@check("generate_sigma_eeg_quasi_real_epa", reference=1.0, tolerance=0.01, quick=True,
       provenance="equivalent-photon approximation: σ(e+e-→e-(θ<1 mrad) e+γ) in the default ee_eeg "
       "cuts (lepton veto on) = ∫dx n(x) σ(e+γ→e+γ; cuts)(W²=xs), n the transverse flux with the "
       "exact-mass term (Budnev, Ginzburg, Meledin, Serbo, Phys. Rept. 15 (1975) 181) and the "
       "massless Compton cross section, closed form in the cut angle (radiative_qed."
       "sigma_epa_spectator); corrections O(Q²_max/W²) ≈ 1e-5; ratio generated (Born, full "
       "multichannel with the spectator cut) / EPA")
def sigma_eeg_epa() -> Measurement:
    import math

    from darkscan.generate import resolve_params
    from darkscan.generate.processes import radiative_qed as rq

    params = resolve_params(rq.EE_EEG, {})
    ref = rq.sigma_epa_spectator(params, 1e-3, 10.58)

    def spectator(p: np.ndarray) -> np.ndarray:
        import numpy as np

        return p[:, 0, 2] / np.sqrt(np.sum(p[:, 0, :3] ** 2, axis=1)) > math.cos(1e-3)

    sigma, err = rq.sigma_born_filtered(rq.EE_EEG, params, spectator, n_points=400_000, seed=3)
    return Measurement(sigma / ref, f"{sigma:.0f} ± {err:.0f} pb vs EPA {ref:.0f} pb (the flux's "
                       "mass term −(1−x)(1−Q²min/Q²max) is ~10% of the flux)")


@check("generate_sigma_born_ee_nunug_radiator", reference=1.0, tolerance=5e-3, quick=True,
       provenance="radiator of ISR off an annihilation into a conserved current, dσ/dx dcosθ = "
       "(α/π)σ₀(s(1−x))[(1+(1−x)²)/(x sin²θ) − x/2] (G. Bonneau, F. Martin, Nucl. Phys. B27 "
       "(1971) 381; for νν̄γ: Ma & Okada PRL 41 (1978) 287, Gaemers, Gastmans, Renard PRD 19 "
       "(1979) 1605), σ₀ = G_F²s Σ_f(g_V²+g_A²)/(12π) with the Z propagator, integrated over the "
       "default cuts (nunu_gamma.sigma_radiator); ratio generated (Born, no ISR)/closed form")
def sigma_nunug_radiator() -> Measurement:
    from darkscan.generate import cross_section, resolve_params
    from darkscan.generate.processes.nunu_gamma import EE_NUNUG, sigma_radiator

    ref = sigma_radiator(EE_NUNUG.experiment.s, resolve_params(EE_NUNUG, {}))
    r = cross_section("ee_nunug", isr=False, n_points=400_000, seed=2)
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb * 1e3:.4f} ± {r.error_pb * 1e3:.4f} fb vs "
                       f"{ref * 1e3:.4f} fb")


# --- ee_tautau_h3prong: one τ → one charged hadron, the other → 3 prongs (tau_pairs) ----------
_H3P = ("ee_tautau_h3prong (tau_pairs.TauPairHadronThreeProng): 20 000 events through generate "
        "(seed 71; the one-prong τ from the τ decay library under "
        "tau_pairs.one_prong_hadronic_settings, the other from finish_decays, LIBRARY_SIZE "
        "decays each), channels from each τ's direct daughters (tau_library.tau_decay_summary)")


@cache
def _h3prong_summary() -> dict[str, np.ndarray]:
    """tau_decay_summary of the _H3P sample (shared by the checks below)."""
    from darkscan.generate import generate
    from darkscan.generate.tau_library import tau_decay_summary

    return tau_decay_summary(generate("ee_tautau_h3prong", 20_000, seed=71).events)


@check("generate_tau_one_prong_hadronic_fraction", reference=0.5003, tolerance=0.01, quick=True,
       provenance="PDG 2024: B(1-prong) − B(eνν) − B(μνν) = 85.24% − 17.82% − 17.39% [RECALLED]"
       " (particle⁻ ≥ 0 neutrals ≥ 0 K⁰ ν_τ: K⁰, η, ω counted as neutral); measured: the sum "
       "of Pythia 8.3's τ table over its channels with exactly one charged direct product "
       "other than e, μ (tau_pairs.one_prong_hadronic_fraction, the B of ee_tautau_h3prong)")
def tau_one_prong_hadronic_fraction() -> Measurement:
    from darkscan.generate.processes import tau_pairs as tp

    chans = tp.pythia_one_prong_hadronic_channels()
    b = {i: br for i, br, _ in chans}
    lep = sum(br for i, br, _ in tp.pythia_tau_channels(1) if i not in b)
    five = sum(br for _, br, _ in tp.pythia_tau_channels(5))
    total = tp.one_prong_hadronic_fraction() + lep + tp.three_prong_fraction() + five
    return Measurement(tp.one_prong_hadronic_fraction(),
                       f"{len(chans)} channels: πν {b[0]:.4f}, ππ⁰ν {b[4]:.4f}, π2π⁰ν {b[9]:.4f}, "
                       f"π3π⁰ν {b[22]:.4f}, πK̄⁰ν {b[7]:.4f}, Kν {b[1]:.4f}, Kπ⁰ν {b[8]:.4f} "
                       f"(PDG ≈ 0.1082, 0.2549, 0.0926, 0.0104, 0.0084, 0.0070, 0.0043); table "
                       f"closure 1-prong h + eνν/μνν ({lep:.4f}) + 3-prong "
                       f"({tp.three_prong_fraction():.4f}) + 5-prong ({five:.4f}) = "
                       f"{total:.6f}")


@check("generate_tau_h3prong_mode_mix", reference=1.0, tolerance=0.99, kind="absolute",
       provenance="Pythia 8.3's τ table, the one-prong hadronic channels normalised: χ² p-value "
       "of the channel counts of the one-prong τ of " + _H3P + "; passes at ≥ 0.01")
def tau_h3prong_mode_mix() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.tau_pairs import one_prong_hadronic_settings
    from darkscan.generate.tau_library import chi2_fractions_pvalue, open_channels

    s = _h3prong_summary()
    chan = s["channel"][s["index"] == 2]
    chans, frac = open_channels(one_prong_hadronic_settings())
    top = ", ".join(f"channel {c}: {np.mean(chan == c):.4f} vs {f:.4f}"
                    for c, f in zip(chans, frac, strict=True) if f > 0.01)
    return Measurement(chi2_fractions_pvalue(chan, chans, frac),
                       f"{len(chan)} τ, generated vs table fraction: {top}")


@check("generate_tau_h3prong_topology", reference=1.0, tolerance=0.0, kind="absolute",
       provenance="definition of ee_tautau_h3prong: fraction of events whose τ at index 2 "
       "decayed into the products of a one-prong hadronic channel (exactly one charged direct "
       "product, π±, K± or K*±) and whose τ at index 3 into those of a three-prong channel, "
       + _H3P)
def tau_h3prong_topology() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.tau_pairs import (
        pythia_one_prong_hadronic_channels,
        pythia_three_prong_channels,
    )

    s = _h3prong_summary()
    one, three = s["index"] == 2, s["index"] == 3
    ok1 = np.isin(s["channel"][one], [c for c, _, _ in pythia_one_prong_hadronic_channels()])
    ok3 = np.isin(s["channel"][three], [c for c, _, _ in pythia_three_prong_channels()])
    opposite = s["pdg"][one] == -s["pdg"][three]
    n1 = s["n_charged"][one]
    return Measurement(float(np.mean(ok1 & ok3 & opposite)),
                       f"τ⁻ one-prong in {np.mean(s['pdg'][one] > 0):.4f} of the events; final-"
                       f"state charged descendants of the one-prong τ: 1 in {np.mean(n1 == 1):.4f},"
                       f" 3 in {np.mean(n1 == 3):.4f} (π⁰/η Dalitz e⁺e⁻, η/ω → π⁺π⁻π⁰), of the "
                       f"three-prong τ: 3 in {np.mean(s['n_charged'][three] == 3):.4f}")


@check("generate_sigma_tautau_h3prong_over_mu3prong", reference=1.0, tolerance=2.5e-3,
       quick=True,
       provenance="σ(ee_tautau_h3prong)/σ(ee_tautau_mu3prong) over B(1-prong h)/B(τ→μνν) "
       "(Pythia table / PDG 2024, the values the processes use), independent integrations "
       "(seeds 2, 3), 400k points each, ISR on")
def sigma_h3prong_over_mu3prong() -> Measurement:
    import math

    from darkscan.generate import cross_section
    from darkscan.generate.processes.tau_pairs import one_prong_hadronic_fraction

    h = cross_section("ee_tautau_h3prong", n_points=400_000, seed=2)
    m = cross_section("ee_tautau_mu3prong", n_points=400_000, seed=3)
    ref = one_prong_hadronic_fraction() / BF_TAU_TO_MU
    r = h.sigma_pb / m.sigma_pb / ref
    err = r * math.hypot(h.error_pb / h.sigma_pb, m.error_pb / m.sigma_pb)
    return Measurement(r, f"± {err:.4f} (MC); σ = {h.sigma_pb:.2f} ± {h.error_pb:.2f} pb and "
                          f"{m.sigma_pb:.2f} ± {m.error_pb:.2f} pb; B(1-prong h)/B(μνν) = "
                          f"{ref:.4f}")


# --- e⁺e⁻ → μ⁺μ⁻γ, exact tree-level QED (processes/mumu_gamma.py) ------------------------------
def _mumug_points(n: int, seed: int) -> tuple[np.ndarray, ...]:
    """ee_mumug's points at its default cuts (:func:`_radiative_points`)."""
    return _radiative_points("ee_mumug", {}, n, seed)


@check("generate_mumug_gauge_invariance", reference=1e-12, tolerance=0.0, kind="max", quick=True,
       provenance="Ward identity of QED: ε*(k) → k in e+e-→μ+μ-γ (4 graphs, m_e and m_μ kept) "
       "gives zero; worst |M(ε→k)|/(|M|·E_γ) over the 32 helicity amplitudes of 2000 points from "
       "all four channels (the ISR and FSR pairs of graphs are each transverse: rounding only)")
def mumug_gauge() -> Measurement:
    import numpy as np

    from darkscan.generate.processes.mumu_gamma import amplitudes_mumug

    p1, p2, p3, p4, k = _mumug_points(2000, 2)
    ref = np.abs(amplitudes_mumug(p1, p2, p3, p4, k)).max(axis=(0, 1, 2, 3, 4))
    eps = np.stack([k, k], axis=1).astype(complex)
    ward = np.abs(amplitudes_mumug(p1, p2, p3, p4, k, eps=eps)).max(axis=(0, 1, 2, 3, 4))
    r = ward / (ref * k[:, 3])
    return Measurement(float(r.max()), f"{len(r)} points, median {np.median(r):.1e}; at m = 0 "
                       "the helicity sum equals the closed massless form of Berends, Kleiss, "
                       "Jadach (NPB 202 (1982) 63) to 1e-12 (tests/generate/test_mumu_gamma.py)")


@check("generate_mumug_soft_photon_limit", reference=1.0, tolerance=1e-6, quick=True,
       provenance="soft-photon theorem (F. Low, Phys. Rev. 110 (1958) 974): |M(e+e-→μ+μ-γ)|² / "
       "(e²(−J²)·|M(e+e-→μ+μ-)|²), J the massive eikonal current of the four legs "
       "(radiative_qed.eikonal_factor), the Born μμ |M|² of ee_mumu (sm_qed.me2_ee_ffbar), at "
       "E_γ = 1e-8 √s; worst of 200 points (O(E_γ/√s) and O(m_e²/s) corrections)")
def mumug_soft_limit() -> Measurement:
    from darkscan.generate.processes import radiative_qed as rq
    from darkscan.generate.processes.mumu_gamma import me2_mumug
    from darkscan.generate.processes.sm_qed import me2_ee_ffbar
    from darkscan.physics.constants import M_MU

    return _soft_photon_ratio(M_MU, me2_mumug,
                              lambda *p: me2_ee_ffbar(*p, M_MU, rq.E2))


# --- the Physics Book's selected cross sections: generator-level cuts on lab momenta -----------
_PB_SEL = ("Belle II Physics Book, PTEP 2019 123C01, Table of cross sections at √s = 10.58 GeV "
           "(seed 001; reference/published.md)")


def _lab_counts(events: ak.Array) -> dict[str, np.ndarray]:
    """Per event the numbers of final-state μ± and e± with p > 0.5 GeV in the CDC, e± with
    p > 0.5 GeV in the ECL and photons with E > 0.5 GeV in the ECL and anywhere, from the lab
    record (the engine writes lab momenta); the acceptances from the detector table
    (darkscan.detector.parameters: the nominal 17°–150° tracking acceptance, the ECL from the
    forward edge of its forward endcap to the backward edge of its backward endcap)."""
    import awkward as ak
    import numpy as np

    from darkscan.detector.parameters import BELLE2_DETECTOR as det

    parts = events["particles"]
    fin = parts[parts.status == 1]
    p = np.sqrt(fin.px**2 + fin.py**2 + fin.pz**2)
    theta = np.degrees(np.arccos(fin.pz / np.maximum(p, 1e-300)))
    cdc = (theta > det.vxd_theta_min) & (theta < det.vxd_theta_max)
    ecl = (theta > det.ecl_fwd[0]) & (theta < det.ecl_bwd[1])
    hard = p > 0.5
    mu, el, ga = abs(fin.pdg) == 13, abs(fin.pdg) == 11, fin.pdg == 22
    counts = {"mu_cdc": mu & cdc & hard, "e_ecl": el & ecl & hard,
              "gamma_ecl": ga & ecl & (fin.E > 0.5), "gamma_any": ga & (fin.E > 0.5)}
    return {k: ak.to_numpy(ak.sum(v, axis=1)) for k, v in counts.items()}


def _selected_sigma_nb(process: str, n: int, seed: int, select: Callable[[dict], np.ndarray]
                       ) -> tuple[float, float, float]:
    """σ (nb) of ``process`` (default parameters, ISR) inside a lab selection: σ_gen × the
    selected fraction of ``n`` unweighted events; returns (σ, its binomial error, σ_gen)."""
    import numpy as np

    from darkscan.generate import generate

    sample = generate(process, n, seed=seed, chunk_size=n)
    f = float(np.mean(select(_lab_counts(sample.events))))
    sigma = sample.meta.sigma_pb * 1e-3
    return f * sigma, np.sqrt(f * (1.0 - f) / n) * sigma, sigma


@check("generate_sigma_ee_mumug_physics_book", reference=0.242, tolerance=0.05, unit="nb",
       provenance=_PB_SEL + ": mu+mu-gamma(gamma) 0.242 nb, p_μ > 0.5 GeV in the CDC, ≥ 1 γ "
       "(E_γ > 0.5 GeV) in the ECL (generator: KKMC). Measured: ee_mumug with ISR, both μ with "
       "p > 0.5 GeV at 17°–150° lab and ≥ 1 photon above 0.5 GeV at 12.4°–155.1° lab; the "
       "collinear ISR photons never reach the ECL, so the photon is the exact O(α) hard one. "
       "DISAGREES (0.099 nb): read as printed, the selection holds 0.10–0.11 nb (ee_mumu's LL "
       "photons at their eikonal/collinear angles give 0.108 nb: 0.047 FSR + 0.063 ISR); the "
       "table is reproduced (0.237 nb, see generate_sigma_mumu_gamma_any_angle) when the photon "
       "angle is not restricted, i.e. the table's '≥ 1 γ in ECL' evidently did not restrict the "
       "ISR photons' angle [INFERRED]; not tuned")
def sigma_mumug_physics_book() -> Measurement:
    sigma, err, total = _selected_sigma_nb(
        "ee_mumug", 20_000, 5, lambda c: (c["mu_cdc"] == 2) & (c["gamma_ecl"] >= 1))
    return Measurement(sigma, f"± {err:.4f} nb (MC) of σ(ee_mumug, ISR) = "
                       f"{total:.4f} nb (CMS photon cuts 13°–165°, E* > 0.35 GeV, containing the "
                       "lab ECL selection); exact tree-level μμγ with collinear ISR, running α, "
                       "no Z, no two-hard-photon matrix element")


@check("generate_sigma_mumu_gamma_any_angle", reference=0.242, tolerance=0.05, unit="nb",
       provenance=_PB_SEL + ": mu+mu-gamma(gamma) 0.242 nb read with the photon angle "
       "unrestricted: ee_mumu (Born ⊗ Kuraev–Fadin ISR photons at eikonal angles, collinear LL "
       "FSR) with both μ p > 0.5 GeV at 17°–150° lab and ≥ 1 photon above 0.5 GeV in the lab at "
       "any angle. The cause of generate_sigma_ee_mumug_physics_book's disagreement: only this "
       "reading reproduces the table")
def sigma_mumu_gamma_any_angle() -> Measurement:
    sigma, err, total = _selected_sigma_nb(
        "ee_mumu", 40_000, 7, lambda c: (c["mu_cdc"] == 2) & (c["gamma_any"] >= 1))
    return Measurement(sigma, f"± {err:.4f} nb (MC) of σ(ee_mumu, ISR) = {total:.4f} nb")


@check("generate_sigma_ee_mumu_physics_book", reference=0.831, tolerance=0.03, unit="nb",
       provenance=_PB_SEL + ": mu+mu-(gamma) 0.831 nb, p_μ > 0.5 GeV/c in the CDC (KKMC); "
       "measured: ee_mumu with ISR and FSR, both μ with p > 0.5 GeV at 17°–150° lab")
def sigma_mumu_physics_book() -> Measurement:
    sigma, err, total = _selected_sigma_nb("ee_mumu", 40_000, 7, lambda c: c["mu_cdc"] == 2)
    return Measurement(sigma, f"± {err:.4f} nb (MC) of σ(ee_mumu, ISR) = {total:.4f} nb; the "
                       "tolerance is that of the total (generate_sigma_ee_mumu_isr)")


@check("generate_sigma_ee_ee_physics_book", reference=74.4, tolerance=0.05, unit="nb",
       provenance=_PB_SEL + ": e+e-(gamma) 74.4 nb, p_e > 0.5 GeV/c and e in the ECL "
       "(BabaYaga@NLO sample); measured: ee_ee with ISR and FSR (its 10°–170° CMS filter "
       "contains the lab ECL, 12.4°–155.1° being 13.6°–163.1° CMS), both e± with p > 0.5 GeV at "
       "12.4°–155.1° lab; 5%: leading-log ISR/FSR of ee_ee and an acceptance edge where "
       "dσ/dθ ∝ θ⁻³ (0.1° at the edge is 1.5%)")
def sigma_ee_physics_book() -> Measurement:
    sigma, err, total = _selected_sigma_nb("ee_ee", 100_000, 7, lambda c: c["e_ecl"] == 2)
    return Measurement(sigma, f"± {err:.2f} nb (MC) of σ(ee_ee, ISR) = {total:.1f} nb")


@check("generate_sigma_ee_gg_physics_book", reference=3.30, tolerance=0.03, unit="nb",
       provenance=_PB_SEL + ": gamma gamma(gamma) 3.30 nb, E_γ > 0.5 GeV in the ECL "
       "(BabaYaga@NLO sample); measured: ee_gg with collinear ISR (its 10°–170° CMS filter "
       "contains the lab ECL), both photons above 0.5 GeV at 12.4°–155.1° lab")
def sigma_gg_physics_book() -> Measurement:
    sigma, err, total = _selected_sigma_nb("ee_gg", 40_000, 7, lambda c: c["gamma_ecl"] >= 2)
    return Measurement(sigma, f"± {err:.3f} nb (MC) of σ(ee_gg, ISR) = {total:.3f} nb")


@check("generate_sigma_ee_nunu_physics_book", reference=0.25e-3, tolerance=0.03, unit="nb",
       quick=True,
       provenance=_PB_SEL + ": nu nubar(gamma) 0.25e-3 nb, no cut (KKMC). Measured: the Born "
       "σ(e+e-→νν̄) of nunu_gamma.sigma0_nunu (three flavours, Z with its propagator, W for ν_e "
       "after the Fierz identity) convolved with the engine's Kuraev–Fadin ISR "
       "(isr.isr_convolved: both beams, soft+virtual constant); the Born alone is 0.265e-3 nb "
       "(+6%): σ ∝ s′ loses 5% to ISR; 3%: the reference's two digits")
def sigma_nunu_physics_book() -> Measurement:
    from darkscan.generate.isr import isr_convolved
    from darkscan.generate.processes.nunu_gamma import EE_NUNUG, sigma0_nunu

    s = EE_NUNUG.experiment.s
    born = float(sigma0_nunu(s)[0]) * 1e-3
    return Measurement(isr_convolved(sigma0_nunu, s) * 1e-3,
                       f"Born {born:.4e} nb; ISR-convolved, Gauss–Legendre 64² (exact to rounding)")
