"""Validation of the inelastic-dark-matter + dark-Higgs search (``idm-dark-higgs``): the expected
σ × B × B limits of the default run (365 fb⁻¹) against the level the paper reaches
(arXiv:2505.09705); the ε reading: σ ∝ ε² in the generator, and the limit at the χ₂'s own
lifetime against a closed form. Registered by :mod:`darkscan.searches.checks`."""

from __future__ import annotations

import numpy as np

from darkscan.interpret.published import get as published
from darkscan.interpret.published import provenance
from darkscan.models import idm
from darkscan.registry import Measurement, check

_RECORD = "belle2-2025-idm-dark-higgs"
_PROV = provenance(_RECORD) + " (where the h′ and χ₂ decay inside the tracker)"
_WHY = ("darkscan: one benchmark line (m_χ1 = 2 GeV, Δ = 0.8 GeV, m_A′ = 6 GeV, α_D = 0.1, "
        "ε = 10⁻³), h′-mass windows; the qq̄ and τ⁺τ⁻ backgrounds (at 0.034% and 1–2% of the "
        "data's luminosity) leave no fully identified candidate, so the background is factorised "
        "(idm_dark_higgs_background_count_factorised), with the "
        "material's conversions and nuclear interactions simulated; no systematic "
        "uncertainties; the ECL-only trigger keeps 65–85% of the signal; the "
        "fast simulation's electron ID has no E/p tails "
        "(100% efficient above 1 GeV against Belle's 92.4%), so the χ₂ pair's efficiency is "
        "optimistic")


def _level() -> Measurement:
    """Median expected σ × B × B limit (fb) over the channels and points with a signal, with
    each channel's median and best and the expected background per channel in the message."""
    from darkscan.searches.checks import _default_run

    r = _default_run("idm-dark-higgs")
    y = r.limit_columns()["sigma_ul_exp"] * 1e3
    ch = r.channel
    ok = np.isfinite(y)
    parts = [f"{name}: median {np.median(y[ok & (ch == name)]):.2g}, best "
             f"{np.min(y[ok & (ch == name)]):.2g}"
             for name in dict.fromkeys(ch[ok])]
    return Measurement(float(np.median(y[ok])), "fb; " + "; ".join(parts) + f"; {_WHY}")


check("idm_dark_higgs_sigma_365fb_level", reference=published(_RECORD).y[0], tolerance=3.0,
      kind="factor",
      unit="fb", provenance=_PROV)(_level)


#: the ε of the σ ∝ ε² check, beside the benchmark's 10⁻³
_EPSILON_HIGH = 3e-3


def _epsilon_scaling() -> Measurement:
    """σ(e⁺e⁻ → h′χ₁χ₂) at ε = 3·10⁻³ over 9 σ at 10⁻³ (same seed, so the same phase-space
    points), with B(χ₂ → χ₁e⁺e⁻) at both: what the ε reading assumes."""
    from darkscan.generate import cross_section
    from darkscan.searches.idm_dark_higgs import BENCHMARK

    point = {**BENCHMARK, "mass_darkhiggs": 0.8, "sin_theta": 5e-4}
    low = cross_section("ee_darkhiggs_idm", **point)
    high = cross_section("ee_darkhiggs_idm", **{**point, "epsilon": _EPSILON_HIGH})
    ratio = high.sigma_pb / low.sigma_pb / (_EPSILON_HIGH / point["epsilon"]) ** 2
    a = [BENCHMARK[k] for k in ("mass_chi1", "delta", "mass_darkphoton", "alpha_d")]
    b = [float(idm.width_chi2_ee(*a, e) / idm.total_width_chi2(*a, e))
         for e in (point["epsilon"], _EPSILON_HIGH)]
    return Measurement(ratio, f"σ = {low.sigma_pb:.4g} pb at ε = 10⁻³, {high.sigma_pb:.4g} pb at "
                              f"{_EPSILON_HIGH:g} (m_h′ = 0.8 GeV); B(χ₂ → χ₁e⁺e⁻) = {b[0]:.6f} "
                              f"and {b[1]:.6f}: the A′ width, the only term not ∝ ε², is "
                              "negligible in both propagators")


check("idm_dark_higgs_sigma_scales_as_epsilon_squared", reference=1.0, tolerance=1e-4,
      quick=True, provenance="σ(e⁺e⁻ → A′* → h′χ₁χ₂) ∝ ε² (the e⁺e⁻A′ vertex εe, "
                             "generate.processes.idm_darkhiggs); B(χ₂ → χ₁e⁺e⁻) independent of "
                             "ε (every χ₂ width ∝ ε², models.idm)")(_epsilon_scaling)

#: h′ lifetimes (cm) above which its vertex, not the χ₂'s, makes the event displaced
_CTAU_HPRIME_MIN = 1.0


def _epsilon_closed_form() -> Measurement:
    """Median over the channels' points with a limit and a displaced h′ (cτ_h′ ≥ 1 cm) of
    epsilon_ul_idm_exp over the closed form: ε where (ε/ε₀)² (1 − e^(−3cτ₀/cτ(ε)))/(1 − e^(−3))
    = σ_UL/(σ₀ B B), σ₀ and cτ₀ at ε₀ = 10⁻³ and B from the models (not the search's columns)."""
    from darkscan.searches.checks import _default_run
    from darkscan.searches.idm_dark_higgs import (
        BENCHMARK,
        branching,
        branching_chi2_ee,
        ctau_chi2,
        ctau_darkhiggs,
    )

    r = _default_run("idm-dark-higgs")
    cols = r.to_table()
    m, st, ch = cols["mass_darkhiggs"], cols["sin_theta"], np.asarray(r.channel, str)
    b = branching_chi2_ee() * np.array([branching(c, x) for c, x in zip(ch, m, strict=True)])
    with np.errstate(divide="ignore", invalid="ignore"):
        need = cols["sigma_ul_exp"] / (cols["sigma_signal_ref_pb"] * b)  # (ε_UL/ε₀)² at cτ₀
    displaced = np.array([ctau_darkhiggs(x, s) >= _CTAU_HPRIME_MIN for x, s in zip(m, st,
                                                                                  strict=True)])
    ok = displaced & np.isfinite(need) & np.isfinite(cols["epsilon_ul_idm_exp"])
    eps0, ctau0 = BENCHMARK["epsilon"], ctau_chi2(BENCHMARK)
    x = np.geomspace(1e-3, 10.0, 40_001)  # ε/ε₀
    gain = x**2 * (1 - np.exp(-3.0 * x**2)) / (1 - np.exp(-3.0))  # cτ(ε) = cτ₀/x²
    closed = eps0 * x[np.argmax(gain[None, :] >= need[ok][:, None], axis=1)]
    ratio = cols["epsilon_ul_idm_exp"][ok] / closed
    fixed = cols["epsilon_ul_idm_fixed_ctau_exp"][ok]
    parts = [f"{c}: {np.min(ratio[ch[ok] == c]):.3f}–{np.max(ratio[ch[ok] == c]):.3f}"
             for c in dict.fromkeys(ch[ok])]
    return Measurement(float(np.median(ratio)), (
        f"{int(ok.sum())} points; ratio per channel {'; '.join(parts)}; epsilon_ul_idm "
        f"{np.min(cols['epsilon_ul_idm_exp'][ok]):.3g}–{np.max(cols['epsilon_ul_idm_exp'][ok]):.3g}"
        f", at the simulated χ₂ lifetime {np.min(fixed):.3g}–{np.max(fixed):.3g} (cτ₀ = "
        f"{ctau0:.3g} cm)"))


check("idm_dark_higgs_epsilon_at_own_lifetime_closed_form", reference=1.0, tolerance=0.1,
      provenance="closed form for ε_UL at the χ₂'s own lifetime (cτ ∝ 1/ε²): σ ∝ ε², B(χ₂ → "
                 "χ₁e⁺e⁻) independent of ε, exponential χ₂ decays counted up to 3 cτ₀, and a "
                 "window acceptance that does not depend on the χ₂ decay length there (true "
                 "where the h′ vertex is displaced, cτ_h′ ≥ 1 cm); arXiv:2505.09705 shows its "
                 "sinθ and ε exclusions without numbers we have, so the ε reading is checked "
                 "against this, not the paper")(_epsilon_closed_form)


def _background_count() -> Measurement:
    """The expected background summed over the channels and the h′-mass range at 365 fb⁻¹,
    factorised (:mod:`darkscan.searches.idm_background`): the search's background samples at
    their default sizes without the ID requirements, times the tracks' pass rates."""
    from darkscan.searches.idm_background import factorised_background

    est = factorised_background()
    total = sum(e.expected for e in est.values())
    stat = float(np.sqrt(sum(e.stat**2 for e in est.values())))
    parts = []
    for e in est.values():
        top = ", ".join(f"{k} {v:.2g}" for k, v in e.composition[:3])
        parts.append(f"{e.channel}: {e.expected:.3g} ± {e.stat:.2g} from {e.loose} loose "
                     f"candidates ({e.loose_events:.3g} in data; χ₂ pair from {top})")
    return Measurement(total, f"events, ± {stat:.2g} (MC stat.); " + "; ".join(parts))


check("idm_dark_higgs_background_count_factorised", reference=9.0, tolerance=3.0,
      kind="factor", unit="events",
      provenance=provenance(_RECORD) + ": 9 events observed in all channels (8 in π⁺π⁻), "
      "consistent with the expected background (K⁰_S, Λ, material interactions, conversions; "
      "'fewer than 10 events are expected' from Belle II's simulation, seed 002); "
      "here the expected count factorised: the qq̄ and τ⁺τ⁻ samples of the default run through "
      "the selection without the four tracks' ID requirements, each candidate weighted by the "
      "fast simulation's pass rates for its tracks' true species and momenta (no simulated event "
      "passes the full selection). 2026-12-07: 18.4 ± 2.6 (17.6 in π⁺π⁻), 2.0× the paper's; "
      "the χ₂ pair mostly a τ's electron with a conversion's or the other τ's track. Before "
      "the conversion-point veto of the χ₂ pair: 40 ± 16, 4.5× the paper's, 22 of them from "
      "two simulated τ pairs (weight ~57) whose χ₂ pair was one slow conversion pair or one "
      "π⁰ Dalitz pair, fitted cm away where the mass there passed the 20 MeV veto")(
    _background_count)
