"""Signal extraction, limits, interpretation and outputs of a recoil-window search."""

from __future__ import annotations

import csv
import resource
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from darkscan.interpret import coupling_upper_limit
from darkscan.physics import Luminosity, parse_luminosity
from darkscan.run.executors import Executor, SerialExecutor
from darkscan.searches.engine import (
    SearchResult,
    gaussian_core,
    make_ntuples,
    now,
    resolve_lumi,
    select,
    write_json,
)
from darkscan.searches.spec import RecoilWindowSearch

QUANTILES = ("m2", "m1", "exp", "p1", "p2")  # rows of the expected band, −2σ … +2σ


def signal_name(mass: float) -> str:
    return f"signal_m{mass:g}"


def run_recoil_search(search: RecoilWindowSearch, *, out_dir: Path,
                      lumi: Luminosity | str | None = None, quick: bool = False, seed: int = 1,
                      executor: Executor | None = None, console: Console | None = None,
                      scale: float = 1.0) -> SearchResult:
    """Run ``search`` end to end and write its outputs under ``out_dir``."""
    from darkscan.stats import upper_limits

    t0 = now()
    con = console or Console(quiet=True)
    lum = resolve_lumi(search, lumi)
    masses = np.array(search.masses_quick if quick else search.masses, dtype=float)
    samples: dict[str, tuple[Any, dict[str, float]]] = {
        signal_name(m): (search.signal, {**search.signal.params, "mass": float(m)})
        for m in masses}
    samples.update({b.label: (b, dict(b.params)) for b in search.backgrounds})
    con.print(f"[bold]{search.title}[/] at {lum}: {len(masses)} masses, "
              f"{len(search.backgrounds)} backgrounds{' (quick)' if quick else ''}")
    out_dir.mkdir(parents=True, exist_ok=True)
    ntuples = make_ntuples(search, samples, quick=quick, seed=seed,
                           cache_root=out_dir / ".cache", executor=executor or SerialExecutor(),
                           scale=scale)
    t_sim = now() - t0

    # ---- selection; luminosity weights --------------------------------------------------------
    disc = search.discriminant
    selected: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, nt in ntuples.items():
        mask = select(nt, search.selection)
        lumi_w = nt.weight * nt.sigma_pb * lum.per_pb / nt.n_generated
        selected[name] = (nt.columns[disc][mask], lumi_w[mask])

    # ---- signal: efficiency and resolution per mass -------------------------------------------
    peak, width, eff = (np.full(len(masses), np.nan) for _ in range(3))
    sigma_ref = np.array([ntuples[signal_name(m)].sigma_pb for m in masses])
    for i, m in enumerate(masses):
        x, _ = selected[signal_name(m)]
        nt = ntuples[signal_name(m)]
        peak[i], width[i] = gaussian_core(x, np.ones_like(x))
        half = search.window_n_sigma * width[i]
        lo, hi = peak[i] - half, peak[i] + half
        eff[i] = np.sum((x > lo) & (x < hi)) / nt.n_generated
    window_lo = peak - search.window_n_sigma * width
    window_hi = peak + search.window_n_sigma * width

    # ---- background in windows; pseudo-data from the background model ------------------------
    bkg_names = [b.label for b in search.backgrounds]
    edges = _fine_edges(search, width)
    bkg_hist = {n: np.histogram(selected[n][0], edges, weights=selected[n][1])[0]
                for n in bkg_names}
    unit_w = {n: ntuples[n].sigma_pb * lum.per_pb / ntuples[n].n_generated for n in bkg_names}
    # sparse MC: densities from the nearest MC_MIN_EVENTS events (see local_density)
    smooth = {n: local_density(*selected[n], edges[:-1], edges[1:])[0]
              for n in bkg_names}
    total = np.sum([smooth[n] for n in bkg_names], axis=0)
    width_w = window_hi - window_lo
    regions = {"window": [(window_lo, window_hi)],
               "sideband": [(window_lo - width_w, window_lo), (window_hi, window_hi + width_w)]}
    mc_scale = projection_mc_scale(search, lum)
    mc_content, mc_var = {}, {}
    for region, intervals in regions.items():
        mc_content[region], mc_var[region] = np.zeros(len(masses)), np.zeros(len(masses))
        for n in bkg_names:
            for lo, hi in intervals:
                est, k = local_density(*selected[n], lo, hi)
                mc_content[region] += est
                mc_var[region] += mc_scale * np.where(k > 0, est**2 / np.maximum(k, 1),
                                                      unit_w[n] ** 2)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 20_231_801]))
    pseudo = rng.poisson(total).astype(float)
    bkg = _integrate_hist(total, edges, window_lo, window_hi)
    n_obs = _integrate_hist(pseudo, edges, window_lo, window_hi)
    bkg_unc, bkg_obs, bkg_obs_unc = _window_background(search, bkg, mc_content, mc_var,
                                                       pseudo, edges, regions["sideband"])
    blind = ~(eff > 0)  # no selected signal in the window: no sensitivity, the limit is +inf
    eff_safe = np.where(blind, 1.0, eff)
    lim = upper_limits(n_obs, np.maximum(bkg, 1e-3), bkg_unc=bkg_unc, eff=eff_safe,
                       cl=search.cl, method=search.method, lumi=lum.per_pb)
    if search.background_norm == "sideband":  # the observed limit uses the data-driven estimate
        lim_obs = upper_limits(n_obs, np.maximum(bkg_obs, 1e-3), bkg_unc=bkg_obs_unc,
                               eff=eff_safe, cl=search.cl, method=search.method, lumi=lum.per_pb)
        lim = replace(lim, observed=lim_obs.observed)
    sigma_obs = np.where(blind, np.inf, np.asarray(lim.observed, float))
    sigma_exp = np.where(blind, np.inf, np.asarray(lim.expected, float))

    # ---- interpretation -----------------------------------------------------------------------
    table: dict[str, np.ndarray] = {"mass": masses, "sigma_ul_obs": sigma_obs}
    for q, row in zip(QUANTILES, sigma_exp, strict=True):
        table["sigma_ul_exp" if q == "exp" else f"sigma_ul_exp_{q}"] = row
    coupling_ref = search.signal.params.get(search.interpretations[0].coupling, 1.0)
    for itp in search.interpretations:
        br = itp.branching(masses)
        table[f"{itp.coupling}_ul_{itp.model}_obs"] = coupling_upper_limit(
            sigma_obs, sigma_ref, coupling_ref, br)
        table[f"{itp.coupling}_ul_{itp.model}_exp"] = coupling_upper_limit(
            sigma_exp[2], sigma_ref, coupling_ref, br)
        for q, row in zip(QUANTILES, sigma_exp, strict=True):
            if q != "exp":
                table[f"{itp.coupling}_ul_{itp.model}_exp_{q}"] = coupling_upper_limit(
                    row, sigma_ref, coupling_ref, br)
    table.update({"efficiency": eff, "resolution": width, "peak": peak, "window_lo": window_lo,
                  "window_hi": window_hi, "bkg": bkg, "bkg_unc": bkg_unc, "n_obs": n_obs,
                  "bkg_obs": bkg_obs, "bkg_obs_unc": bkg_obs_unc,
                  "sigma_signal_ref_pb": sigma_ref})

    wall = now() - t0
    summary = {
        "search": search.name, "title": search.title, "references": list(search.references),
        "luminosity": str(lum), "luminosity_per_pb": lum.per_pb, "cl": search.cl,
        "method": search.method, "quick": quick, "seed": seed,
        "pseudo_data": "observed limits use a seeded Poisson pseudo-dataset drawn from the "
                       "simulated background model",
        "units": {"mass": "GeV", "sigma": "pb", search.discriminant: search.discriminant_unit},
        "selection": list(search.selection), "window": f"±{search.window_n_sigma} σ",
        "background_syst_relative": search.background_syst,
        "projection": (f"luminosity above the {search.default_lumi} of the analysis: the "
                       "simulation is assumed to grow with the data (MC-statistical variances "
                       f"× {mc_scale:.3g}); the {search.background_syst:.0%} systematic stays"
                       if mc_scale < 1.0 else None),
        "samples": {n: {"process": nt.meta.process, "n_generated": nt.n_generated,
                        "sigma_pb": nt.sigma_pb, "mc_lumi_per_fb": nt.mc_lumi_per_pb / 1e3,
                        "mc_over_data_lumi": nt.mc_lumi_per_pb / lum.per_pb,
                        "selected_weighted": float(np.sum(selected[n][1]))}
                    for n, nt in ntuples.items()},
        "wall_time_s": round(wall, 1), "simulation_time_s": round(t_sim, 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    result = SearchResult(search.name, lum, out_dir, masses, table, summary)
    write_outputs(search, result, edges, bkg_hist, pseudo, selected)
    con.print(f"done in {wall:.0f} s")
    return result


def projection_mc_scale(search: RecoilWindowSearch, lumi: Luminosity) -> float:
    """Factor on the MC-statistical variances. Beyond the luminosity of the analysis
    (``default_lumi``) a run is a projection: as Belle II's projections do, it assumes the
    simulation grows with the data, so the MC-statistical variance (which scales as L² at fixed
    MC) is scaled by L_analysis/L; systematic uncertainties stay at their present level."""
    return min(1.0, parse_luminosity(search.default_lumi).per_pb / lumi.per_pb)


def _window_background(search: RecoilWindowSearch, bkg: np.ndarray,
                       mc_content: dict[str, np.ndarray], mc_var: dict[str, np.ndarray],
                       pseudo: np.ndarray, edges: np.ndarray,
                       sidebands: list[tuple[np.ndarray, np.ndarray]]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Uncertainty of the expected window background, and the background (with uncertainty)
    the observed limit uses; see ``RecoilWindowSearch.background_norm``."""
    if search.background_norm == "mc":
        unc = np.hypot(np.sqrt(mc_var["window"]), search.background_syst * bkg)
        return unc, bkg, unc
    if search.background_norm != "sideband":
        raise ValueError(f"background_norm must be 'mc' or 'sideband', not "
                         f"{search.background_norm!r}")
    b_sb = mc_content["sideband"]
    n_sb = np.zeros(len(bkg))
    for lo, hi in sidebands:
        n_sb += _integrate_hist(pseudo, edges, lo, hi)
    has_sb = b_sb > 0
    ratio = np.where(has_sb, mc_content["window"] / np.where(has_sb, b_sb, 1.0), 0.0)

    def estimate(n_side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # window = ratio × sideband count; without simulated sideband events, the MC itself
        scale = np.where(has_sb, n_side / np.where(has_sb, b_sb, 1.0), 1.0)
        est = np.where(has_sb, ratio * n_side, bkg)
        var = (np.where(has_sb, est**2 / np.maximum(n_side, 1.0), 0.0)
               + scale**2 * (mc_var["window"] + ratio**2 * mc_var["sideband"])
               + (search.background_syst * est) ** 2)
        return est, np.sqrt(var)

    _, unc = estimate(b_sb)
    est, est_unc = estimate(n_sb)
    return unc, est, est_unc


def _integrate_hist(h: np.ndarray, edges: np.ndarray, lo: np.ndarray, hi: np.ndarray
                    ) -> np.ndarray:
    cum = np.concatenate([[0.0], np.cumsum(h)])
    a = np.clip(np.searchsorted(edges, lo), 0, len(edges) - 1)
    b = np.clip(np.searchsorted(edges, hi), 0, len(edges) - 1)
    return cum[b] - cum[a]


#: fewest MC events a background estimate is built from; sparser windows are widened
MC_MIN_EVENTS = 10


def local_density(x: np.ndarray, w: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                  *, k_min: int = MC_MIN_EVENTS, max_widen: int = 4096
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Weighted MC content of the intervals [lo, hi), and the number of MC events it rests on.

    Where an interval holds fewer than ``k_min`` MC events it is widened about its centre by
    2, 4, … (up to ``max_widen``) until it does, and the content is scaled back by the width
    ratio: a local density estimate that assumes the background is smooth on the widened
    scale. This replaces a zero (or a one-event spike of weight σL/N) in MC-starved windows by
    the density of the neighbourhood. An interval empty even at ``max_widen`` keeps zero (its
    uncertainty is then one MC event weight, set by the caller)."""
    order = np.argsort(x)
    xs = x[order]
    cw = np.concatenate([[0.0], np.cumsum(w[order])])
    centre, half = (lo + hi) / 2.0, (hi - lo) / 2.0
    est = np.zeros(len(lo))
    used = np.zeros(len(lo), dtype=int)
    todo = np.ones(len(lo), dtype=bool)
    factor = 1
    while factor <= max_widen and todo.any():
        a = np.searchsorted(xs, centre[todo] - factor * half[todo])
        b = np.searchsorted(xs, centre[todo] + factor * half[todo])
        enough = (b - a >= k_min) | (factor * 2 > max_widen)
        idx = np.nonzero(todo)[0][enough]
        est[idx] = (cw[b] - cw[a])[enough] / factor
        used[idx] = (b - a)[enough]
        todo[idx] = False
        factor *= 2
    return est, used


def _fine_edges(search: RecoilWindowSearch, widths: np.ndarray) -> np.ndarray:
    lo, hi = search.discriminant_range
    step = max(float(np.nanmin(widths)) / 8.0, (hi - lo) / 20_000) if np.any(
        np.isfinite(widths)) else (hi - lo) / 2000
    return np.arange(lo, hi + step, step)


def write_csv(path: Path, table: dict[str, np.ndarray], columns: list[str]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for i in range(len(table["mass"])):
            writer.writerow([f"{float(table[c][i]):.6g}" for c in columns])


def write_outputs(search: RecoilWindowSearch, result: SearchResult, edges: np.ndarray,
                  bkg_hist: dict[str, np.ndarray], pseudo: np.ndarray,
                  selected: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    from darkscan.searches.outputs import write_plots_and_hepdata

    t = result.table
    limit_cols = ["mass", "sigma_ul_obs", "sigma_ul_exp", "sigma_ul_exp_m2", "sigma_ul_exp_m1",
                  "sigma_ul_exp_p1", "sigma_ul_exp_p2"]
    limit_cols += [k for k in t if "_ul_" in k and not k.startswith("sigma")]
    write_csv(result.out_dir / "limits.csv", t, limit_cols)
    write_csv(result.out_dir / "signal.csv", t,
              ["mass", "efficiency", "resolution", "peak", "window_lo", "window_hi", "bkg",
               "bkg_unc", "n_obs", "sigma_signal_ref_pb"])
    write_plots_and_hepdata(search, result, edges, bkg_hist, pseudo, selected)
    write_json(result.out_dir / "summary.json", {**result.summary,
                                                 "limits": {k: np.asarray(v).tolist()
                                                            for k, v in t.items()}})
