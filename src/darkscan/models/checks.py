"""Validation checks of the model layer (``darkscan validate``): formulas against the numbers of
reference/theory_detector.md Part A, limits of the exact calculations, lifetime reweighting."""

from __future__ import annotations

import numpy as np

from darkscan.models import (
    alp,
    dark_higgs,
    dark_photon,
    idm,
    leptophilic,
    muonphilic,
    scalar,
    zprime,
)
from darkscan.models.common import ctau_from_width
from darkscan.registry import Measurement, check

_A1 = "reference/theory_detector.md A1 table"
_A2 = "reference/theory_detector.md A2 table"
_A3 = "reference/theory_detector.md A3 table"
_A4 = "reference/theory_detector.md A4 table"
_A5 = "reference/theory_detector.md A5 table"
_A6 = "reference/theory_detector.md A6 example values"


def _name(stem: str, mass: float) -> str:
    return f"{stem}_{mass:g}gev".replace(".", "p")


for _m, _ref in ((0.1, 1.0), (1.0, 0.500), (4.0, 0.379), (10.0, 0.334)):
    check(_name("zprime_br_invisible", _m), reference=_ref, tolerance=0.005, provenance=_A1,
          quick=True)(lambda m=_m: float(zprime.br_invisible(m)))


@check("zprime_width_over_mass_10gev", reference=0.0794, tolerance=0.005, provenance=_A1,
       quick=True)
def _zp_width() -> float:
    return float(zprime.total_width(1.0, 10.0) / 10.0)


@check("darkphoton_sigma_gamma_1gev_cos095", reference=6414.0, tolerance=0.002, provenance=_A2,
       unit="pb", quick=True)
def _ap_sigma() -> float:
    return float(dark_photon.sigma_gamma_darkphoton(1.0, 1.0, cos_max=0.95))


@check("darkphoton_sigma_gamma_8gev_cos08", reference=15050.0, tolerance=0.002, provenance=_A2,
       unit="pb", quick=True)
def _ap_sigma8() -> float:
    return float(dark_photon.sigma_gamma_darkphoton(8.0, 1.0, cos_max=0.8))


@check("darkphoton_chi1chi2_dirac_limit", reference=1.0, tolerance=1e-5,
       provenance="theory_detector.md A2: Γ(A′→χ1χ2) → Dirac Γ(A′→χχ̄) as Δ → 0", quick=True)
def _ap_inel() -> float:
    return float(dark_photon.width_chi1chi2(0.1, 3.0, 1.0, 1e-7)
                 / dark_photon.width_chichi(0.1, 3.0, 1.0))


@check("darkhiggsstrahlung_sigma_1_2", reference=2.63e4, tolerance=0.005, provenance=_A3,
       unit="pb", quick=True)
def _ah_sigma() -> float:
    return float(dark_higgs.sigma_darkphoton_darkhiggs(1.0, 2.0))


@check("darkhiggsstrahlung_sigma_0p5_8", reference=2.28e3, tolerance=0.005, provenance=_A3,
       unit="pb", quick=True)
def _ah_sigma2() -> float:
    return float(dark_higgs.sigma_darkphoton_darkhiggs(0.5, 8.0))


@check("alp_sigma_gamma_a_0p2gev_g1e-3", reference=0.118, tolerance=0.01, provenance=_A4,
       unit="pb", quick=True)
def _alp_sigma() -> float:
    return float(alp.sigma_gamma_alp(1e-3, 0.2))


@check("alp_ctau_0p2gev_g1e-3", reference=5.0e-4, tolerance=0.01, provenance=_A4, unit="cm",
       quick=True)
def _alp_ctau() -> float:
    return float(alp.ctau(1e-3, 0.2))


@check("alp_cms_decay_length_0p2gev_g1e-3", reference=131e-4, tolerance=0.01, provenance=_A4,
       unit="cm", quick=True)
def _alp_len() -> float:
    return float(alp.decay_length_cms(1e-3, 0.2))


for _m, _ref in ((0.01, 0.496), (2.0, 0.529), (4.0, 0.598)):
    check(_name("scalar_br_b_to_k_over_theta2", _m), reference=_ref, tolerance=0.01,
          provenance=_A5 + " (BZ f0, τ_B+ from PDG)", quick=True)(
        lambda m=_m: float(scalar.br_b_to_k_scalar(1.0, m)))

for _m, _ref in ((0.01, 0.501), (3.0, 0.460)):
    check(_name("scalar_br_b_to_kstar_over_theta2", _m), reference=_ref, tolerance=0.01,
          provenance=_A5 + " (BZ A0)", quick=True)(
        lambda m=_m: float(scalar.br_b_to_kstar_scalar(1.0, m)))


@check("scalar_ctau_leptons_0p5gev_theta1e-3", reference=7.2, tolerance=0.02,
       provenance="reference/theory_detector.md A5 lifetime illustration (leptons only)",
       unit="cm", quick=True)
def _s_ctau() -> float:
    return float(scalar.ctau(1e-3, 0.5, hadronic_scale=0.0))


@check("idm_ctau_chi2_limit_formula", reference=2600.0, tolerance=0.02, provenance=_A6,
       unit="cm", quick=True)
def _idm_limit() -> float:
    return float(ctau_from_width(idm.width_chi2_ee_limit(1.0, 0.1, 3.0, 0.1, 1e-3)))


@check("idm_ctau_chi2_three_body", reference=2600.0, tolerance=1.2, kind="factor",
       provenance=_A6 + " (Δ≪m formula; the exact 3-body width is 13% smaller at Δ/m=0.1, "
                        "an O(Δ/m) effect)",
       unit="cm", quick=True)
def _idm_exact() -> Measurement:
    v = float(idm.ctau_chi2(1.0, 0.1, 3.0, 0.1, 1e-3))
    return Measurement(v, "exact three-body χ2→χ1e+e−, m_χ1=1, Δ=0.1, m_A′=3 GeV, α_D=0.1, ε=1e-3")


@check("idm_three_body_over_limit_small_delta", reference=1.0, tolerance=0.005,
       provenance="theory_detector.md A6: 4ε²αα_DΔ⁵/(15πm_A′⁴) for Δ≪m (m_χ1=5, Δ=5 MeV, "
                  "massless leptons)", quick=True)
def _idm_ratio() -> float:
    a = (5.0, 0.005, 10.0, 0.1, 1e-3)
    return float(idm.width_chi2_leptons(*a, m_lepton=1e-7) / idm.width_chi2_ee_limit(*a))


@check("muonphilic_gammagamma_heavy_loop_limit", reference=1.0, tolerance=1e-3,
       provenance="A7: muon-loop S→γγ → α²g²m³/(256π³m_μ²)(4/3)² for m_S ≪ m_μ (derived)",
       quick=True)
def _mu_loop() -> float:
    from darkscan.physics.constants import ALPHA, M_MU

    m = 1e-3
    heavy = ALPHA**2 * m**3 / (256 * np.pi**3 * M_MU**2) * (4.0 / 3.0) ** 2
    return float(muonphilic.width_gammagamma(1.0, m) / heavy)


@check("leptophilic_width_tautau_over_a5_6gev", reference=1.0, tolerance=1e-6,
       provenance="theory_detector.md A5: Γ(S→ℓℓ) = θ²G_F m_ℓ²m β³/(4√2π) with θ → ξ = 1 (φ_L "
                  "couples like the Higgs to leptons, v = (√2G_F)^-1/2); m = 6 GeV, ℓ = τ",
       quick=True)
def _lp_tautau() -> float:
    from darkscan.physics.constants import G_FERMI, M_TAU

    m = 6.0
    beta3 = (1.0 - 4.0 * M_TAU**2 / m**2) ** 1.5
    ref = G_FERMI * M_TAU**2 * m * beta3 / (4.0 * np.sqrt(2.0) * np.pi)
    return float(leptophilic.widths(1.0, m)["tautau"] / ref)


@check("alp_leptons_gammagamma_heavy_loop_limit", reference=1.0, tolerance=1e-3,
       provenance="Djouadi Phys. Rept. 459 (2008) 1: A^A_1/2 → 2 for m_a ≪ m_f, so Γ(a→γγ) → "
                  "α²k²m³/(256π³)(3·2)² with k = C_ℓℓ/Λ (e, μ, τ loops), m_a = 10 keV",
       quick=True)
def _alp_loop() -> float:
    from darkscan.physics.constants import ALPHA

    m, k = 1e-5, 1.0
    heavy = ALPHA**2 * k**2 * m**3 / (256 * np.pi**3) * 36.0
    return float(leptophilic.alp_widths(k, m)["gammagamma"] / heavy)


def _weighted_ks(x: np.ndarray, wx: np.ndarray, y: np.ndarray) -> float:
    """max |F_x,w − F_y| of a weighted and an unweighted empirical CDF."""
    grid = np.sort(np.concatenate([x, y]))
    ox = np.argsort(x)
    fx = np.cumsum(wx[ox]) / wx.sum()
    fx_at = np.concatenate([[0.0], fx])[np.searchsorted(x[ox], grid, side="right")]
    fy_at = np.searchsorted(np.sort(y), grid, side="right") / y.size
    return float(np.max(np.abs(fx_at - fy_at)))


def _llp_sample(seed: int, n: int, ctau: float) -> tuple[np.ndarray, np.ndarray]:
    from darkscan.generate.llp import decay_vertices

    rng = np.random.default_rng(seed)
    p = rng.uniform(0.5, 5.0, n)
    cth = rng.uniform(-1.0, 1.0, n)
    phi = rng.uniform(0.0, 2 * np.pi, n)
    sth = np.sqrt(1.0 - cth**2)
    m = 0.5
    p4 = np.stack([p * sth * np.cos(phi), p * sth * np.sin(phi), p * cth,
                   np.sqrt(p * p + m * m)], axis=1)
    d = decay_vertices(p4, m, ctau, rng)
    return np.hypot(d.vertex[:, 0], d.vertex[:, 1]), d.proper_length


def _ks_critical(n_eff: float, m: int, alpha_coeff: float = 1.628) -> float:
    """Two-sample KS critical D at α = 0.01 (c(α) = √(−ln(α/2)/2) = 1.628)."""
    return alpha_coeff * np.sqrt((n_eff + m) / (n_eff * m))


_N_KS = 100_000
_D_CRIT = float(_ks_critical(0.5 * _N_KS, _N_KS))  # conservative: n_eff ≥ N/2 asserted below


def _ks_reweighted(ctau_new: float) -> Measurement:
    from darkscan.interpret.lifetime import effective_sample_size, lifetime_weights

    r0, ell0 = _llp_sample(11, _N_KS, 10.0)
    w = lifetime_weights(ell0, 10.0, ctau_new)
    r1, _ = _llp_sample(12, _N_KS, ctau_new)
    n_eff = effective_sample_size(w)
    d = _weighted_ks(r0, w, r1)
    if n_eff < 0.5 * _N_KS:
        return Measurement(float("inf"), f"n_eff={n_eff:.0f} below N/2")
    return Measurement(d, f"n_eff={n_eff:.0f}, D_crit(n_eff)={_ks_critical(n_eff, _N_KS):.4f}")


for _c1 in (5.0, 15.0):
    check(f"lifetime_reweighting_ks_decay_radius_10_to_{_c1:g}cm", reference=_D_CRIT,
          tolerance=0.0, kind="max",
          provenance="two-sample KS critical D at α=0.01 (n_eff ≥ N/2 required); transverse "
                     f"decay radius, sample at cτ=10 cm reweighted to {_c1:g} cm vs a direct "
                     "sample", quick=True)(lambda c=_c1: _ks_reweighted(c))
