"""Validation checks of the statistics layer (``darkscan validate``)."""

from __future__ import annotations

from functools import cache

import numpy as np

from darkscan.registry import Measurement, check
from darkscan.stats.counting import combined_upper_limits, upper_limits
from darkscan.stats.fits import fit_window
from darkscan.stats.pyhf_adapter import pyhf_upper_limit
from darkscan.stats.shapes import SignalShape


@check("stats_bayes_n0_b0_90cl", reference=2.303, tolerance=1e-3, quick=True,
       provenance="Helene, NIM 212 (1983) 319; PDG Statistics review Table 40.3: n=0, b=0 "
                  "→ 2.30 at 90% CL")
def bayes_zero() -> float:
    return float(upper_limits(0, 0.0, method="bayes", cl=0.9).observed[0])


@check("stats_cls_n0_b0_95cl", reference=2.996, tolerance=0.02, quick=True,
       provenance="CLs for n=0 is exp(-s) = 0.05 → s = 2.996 at 95% CL (Read, J. Phys. G 28 "
                  "(2002) 2693); toys method, 20000 seeded toys")
def cls_toys_zero() -> float:
    return float(upper_limits(0, 0.0, method="toys", cl=0.95).observed[0])


def random_models(count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n_obs uniform integer in 0–500, b log-uniform in 0.1–500, σ_b/b uniform in 0–30%."""
    rng = np.random.default_rng(seed)
    n = rng.integers(0, 501, count).astype(float)
    b = np.exp(rng.uniform(np.log(0.1), np.log(500.0), count))
    s = b * rng.uniform(0.0, 0.3, count)
    return n, b, s


def _vs_pyhf(count: int, seed: int) -> Measurement:
    n, b, s = random_models(count, seed)
    ours = upper_limits(n, b, s, cl=0.9)
    dev = []
    for i in range(count):
        obs, exp = pyhf_upper_limit(n[i], b[i], s[i], cl=0.9)
        ref = np.concatenate([[obs], exp])
        mine = np.concatenate([[ours.observed[i]], ours.expected[:, i]])
        dev.append(np.max(np.abs(mine / ref - 1.0)))
    dev = np.asarray(dev)
    worst = int(np.argmax(dev))
    return Measurement(float(dev.max()),
                       f"{count} models (seed {seed}), observed and 5 expected limits each; "
                       f"median rel. dev {np.median(dev):.1e}; worst n={n[worst]:.0f} "
                       f"b={b[worst]:.3g} σb={s[worst]:.3g}. pyhf run via toms748_scan (0.7.6 "
                       f"upper_limit ignores level) with γ started at the μ=0 fit value "
                       f"(pyhf's default start fails for strong deficits with large σb)")


@check("stats_cls_vs_pyhf_quick", reference=0.01, tolerance=0.0, kind="max", quick=True,
       provenance="pyhf 0.7.6 asymptotic CLs (qtilde), same single-bin shapesys model")
def cls_vs_pyhf_quick() -> Measurement:
    return _vs_pyhf(10, 11)


@check("stats_cls_vs_pyhf_200", reference=0.01, tolerance=0.0, kind="max",
       provenance="pyhf 0.7.6 asymptotic CLs (qtilde), same single-bin shapesys model")
def cls_vs_pyhf_full() -> Measurement:
    return _vs_pyhf(200, 2026)


def _coverage(method: str, b: float, s_true: float, ntoys: int, seed: int) -> Measurement:
    rng = np.random.default_rng(seed)
    n = rng.poisson(s_true + b, ntoys).astype(float)
    kw = {"ntoys": 2000} if method == "toys" else {}
    ul = upper_limits(n, b, cl=0.9, method=method, **kw).observed
    cov = float(np.mean(ul >= s_true))
    return Measurement(cov, f"{method}: fraction of {ntoys} pseudo-experiments (b={b}, "
                            f"s={s_true}) with UL ≥ s; CLs is conservative, so ≥ 0.90 expected")


@check("stats_cls_coverage_small_b", reference=0.95, tolerance=0.0501, kind="absolute", quick=True,
       provenance="CLs coverage ≥ CL by construction (Read 2002); toys with b=1, s=3, 90% CL")
def cls_coverage() -> Measurement:
    return _coverage("cls", 1.0, 3.0, 4000, 7)


@check("stats_toys_cls_coverage_small_b", reference=0.95, tolerance=0.0501, kind="absolute",
       provenance="CLs coverage ≥ CL by construction (Read 2002); toy-CLs limits, b=1, s=4")
def toys_coverage() -> Measurement:
    return _coverage("toys", 1.0, 4.0, 300, 8)


@check("stats_combined_toys_n0_b0_90cl_four_bins", reference=2.303, tolerance=0.03, quick=True,
       provenance="Poisson CLs for n=0 without background: exp(−s) = 0.1 → s = 2.303 at 90% CL "
                  "(Read, J. Phys. G 28 (2002) 2693), however the signal is shared among empty "
                  "bins; stats.combined_upper_limits(method='toys'), the signal split 0.4/0.3/"
                  "0.2/0.1 over four bins (asymptotic CLs gives 1.4 here); 5000 toys: the "
                  "probability that the other bins stay empty carries ~2% statistical error, "
                  "~1% on the limit")
def combined_toys_zero() -> float:
    zeros = np.zeros((4, 1))
    share = np.array([[0.4], [0.3], [0.2], [0.1]])
    return float(combined_upper_limits(zeros, zeros + 1e-3, zeros, share, cl=0.9,
                                       method="toys").observed[0])


@check("stats_combined_toys_coverage_two_bins", reference=0.95, tolerance=0.0501,
       kind="absolute", provenance="CLs coverage ≥ CL by construction (Read 2002); binned "
       "toy-CLs limits (stats.combined_upper_limits, method='toys'), two bins with b = 0.5 and "
       "20, a true signal of 4 events shared 0.6/0.4, 90% CL")
def combined_toys_coverage() -> Measurement:
    rng = np.random.default_rng(9)
    b, share, s_true, count = np.array([[0.5], [20.0]]), np.array([[0.6], [0.4]]), 4.0, 300
    n = rng.poisson(b + s_true * share, (2, count)).astype(float)
    ul = combined_upper_limits(n, np.broadcast_to(b, n.shape), 0.0,
                               np.broadcast_to(share, n.shape), cl=0.9, method="toys",
                               ntoys=2000).observed
    return Measurement(float(np.mean(ul >= s_true)), f"fraction of {count} pseudo-experiments "
                       "with UL ≥ s; CLs is conservative, so ≥ 0.90 expected")


@cache  # the seeded toys serve both the pull mean and the pull width
def _pulls(ntoys: int, seed: int) -> tuple[float, float, int]:
    rng = np.random.default_rng(seed)
    sig = SignalShape("dcb", {"loc": 1.0, "scale": 0.01, "beta_left": 1.5, "m_left": 3.0,
                              "beta_right": 2.0, "m_right": 4.0})
    window, s_true, b_true = (0.95, 1.05), 100.0, 1000.0
    pulls = []
    for _ in range(ntoys):
        x = np.concatenate([rng.uniform(*window, rng.poisson(b_true)),
                            sig.sample(rng.poisson(s_true), rng, *window)])
        r = fit_window(x, sig, window, background="poly1", limit=False)
        if r.ok:
            pulls.append((r.n_sig - s_true) / r.n_sig_err)
    p = np.asarray(pulls)
    return float(np.mean(p)), float(np.std(p, ddof=1)), ntoys - p.size


@check("stats_fit_pull_mean", reference=0.0, tolerance=0.1, kind="absolute",
       provenance="unbiased extended ML: pull mean 0 (500 toys, DCB + poly1, s=100, b=1000)")
def pull_mean() -> Measurement:
    m, _, nfail = _pulls(500, 5)
    return Measurement(m, f"500 toys, {nfail} failed fits")


@check("stats_fit_pull_width", reference=1.0, tolerance=0.08, kind="absolute",
       provenance="extended ML with HESSE errors: pull width 1 (500 toys)")
def pull_width() -> Measurement:
    _, w, nfail = _pulls(500, 5)
    return Measurement(w, f"500 toys, {nfail} failed fits")


@check("stats_fit_pull_width_quick", reference=1.0, tolerance=0.2, kind="absolute", quick=True,
       provenance="extended ML with HESSE errors: pull width 1 (100 toys)")
def pull_width_quick() -> Measurement:
    _, w, nfail = _pulls(100, 6)
    return Measurement(w, f"100 toys, {nfail} failed fits")


def sparse_window_yield_variance(ntoys: int, seed: int, n_events: float = 50.0
                                 ) -> tuple[float, float]:
    """var(ν̂_s)/⟨b_eff⟩ and the 1% quantile of ν̂_s/√b_eff over background-only toys of a
    sparse window: ``n_events`` (Poisson) on a rising straight line, a Gaussian peak at the
    centre of a window 30σ wide, poly1 fitted (the μμττ scan's windows: ~50 events, b_eff ≈ 7)."""
    from darkscan.stats.fits import effective_background

    rng = np.random.default_rng(seed)
    sig = SignalShape("gauss", {"loc": 0.0, "scale": 1.0})
    yields, b_eff = [], []
    for _ in range(ntoys):
        n = rng.poisson(n_events)
        # density ∝ 1 + (x + 15)/30 on [−15, 15]: a flat part and a triangle, 2:1
        x = np.where(rng.random(n) < 2 / 3, rng.uniform(-15.0, 15.0, n),
                     -15.0 + 30.0 * np.sqrt(rng.random(n)))
        r = fit_window(x, sig, (-15.0, 15.0), background="poly1", limit=False)
        if r.ok:
            yields.append(r.n_sig)
            b_eff.append(effective_background(r, sig, "poly1"))
    y, b = np.asarray(yields), np.asarray(b_eff)
    return float(np.var(y, ddof=1) / np.mean(b)), float(np.quantile(y / np.sqrt(b), 0.01))


@check("stats_sparse_window_yield_variance_vs_b_eff", reference=1.0, tolerance=0.15,
       provenance="Cramér–Rao: the fitted yield's variance is the inverse Fisher information "
                  "[I⁻¹]_νν with the background profiled (what stats.fits.effective_background "
                  "computes), here on 400 background-only toys of a 50-event window; a fit "
                  "whose intensity could go negative between the events gave 1.5–11 "
                  "(2026-12-05)")
def sparse_window_variance() -> Measurement:
    ratio, q01 = sparse_window_yield_variance(400, 11)
    return Measurement(ratio, f"400 toys; 1% quantile of the pulls {q01:.2f}")


def exact_poisson_smin(bkg: float, a: float = 3.0, b: float = 1.28155) -> float:
    """The smallest signal that a counting experiment with background ``bkg`` discovers at
    ``a`` σ (one-sided, Poisson) with probability Φ(b): Punzi's definition, solved exactly."""
    from scipy.optimize import brentq
    from scipy.stats import norm, poisson

    n_crit = 0
    while poisson.sf(n_crit - 1, bkg) > norm.sf(a):  # P(n ≥ n_crit | B) ≤ the a-σ p-value
        n_crit += 1
    return float(brentq(lambda s: poisson.sf(n_crit - 1, bkg + s) - norm.cdf(b), 0.0, 1e4))


@check("stats_punzi_poisson_form_B5", reference=13.96, tolerance=0.05, quick=True,
       provenance="Punzi, arXiv:physics/0308063: S_min(B = 5) for a = 3, b = 1.28155 from the "
                  "exact Poisson definition (n_crit = 14, P(n ≥ 14 | B + S) = 0.90 → 13.96); "
                  "the Punzi-loss paper's code (EPJC 82 121) uses the a²/8 + 9b²/13 form")
def punzi_poisson_form() -> Measurement:
    from darkscan.stats.punzi import punzi_smin

    exact = exact_poisson_smin(5.0)
    return Measurement(float(punzi_smin(5.0, form="poisson")),
                       f"the Poisson-fit form; exact {exact:.2f}, the Gaussian b²/2 form "
                       f"{float(punzi_smin(5.0)):.2f} (14% low: it is meant for large B)")
