"""The run of a declared :class:`Search`: samples → ntuples → selection → extraction →
inference → interpretation → :class:`SearchResult` → outputs. Short orchestration; every
formula lives in the stage it belongs to."""

from __future__ import annotations

import csv
import json
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from darkscan.physics import Luminosity, parse_luminosity
from darkscan.run.executors import Executor, SerialExecutor
from darkscan.searches.extraction import Counts, ExtractionInput, Selected
from darkscan.searches.result import (
    AxisInfo,
    CouplingLimit,
    PublishedLimit,
    SampleSummary,
    SearchResult,
)
from darkscan.searches.samples import Ntuple, make_ntuples, sample_id, select
from darkscan.searches.spec import AllCandidates, BestCandidate, Search
from darkscan.select.mva import MassBinnedMLP
from darkscan.stats import LimitResult

#: the pseudo-data's own random stream, spawned from the run's seed
PSEUDO_DATA_STREAM = 20_231_801
#: suffix of the ids of the independent samples an extraction makes its choices on
TRAINING = "training"


def run_search(search: Search, *, out_dir: str | Path, lumi: Luminosity | str | None = None,
               quick: bool = False, seed: int = 1, executor: Executor | None = None,
               console: Console | None = None, scale: float = 1.0,
               report: bool = True) -> SearchResult:
    """Run ``search`` end to end and write its outputs under ``out_dir``: ``limits.csv``,
    ``signal.csv``, ``summary.json`` and (``report``) plots, HEPData and ``report.html``."""
    from darkscan.interpret import coupling_upper_limit, projection_mc_scale

    t0 = time.perf_counter()
    out = Path(out_dir)
    con = console or Console(quiet=True)
    lum = parse_luminosity(lumi if lumi is not None else search.default_lumi)
    channel = search.channels[0]
    points = search.signal.points(quick)
    grid = search.signal.sample
    samples = _samples(grid, points, search.backgrounds)
    training = search.extraction.needs_training or channel.mva is not None
    train_grid = replace(grid, id=f"{grid.id}_{TRAINING}")
    train_bkgs = tuple(replace(b, id=f"{b.id}_{TRAINING}") for b in search.backgrounds)
    if training:  # independent samples (own ids, own seeds) for the extraction's choices
        samples |= _samples(train_grid, points, train_bkgs)
    con.print(f"[bold]{search.title}[/] at {lum}: {len(points)} signal points, "
              f"{len(search.backgrounds)} backgrounds{' (quick)' if quick else ''}",
              soft_wrap=True)  # a log line, not wrapped at 80 columns in a pipe
    out.mkdir(parents=True, exist_ok=True)
    columns = channel.columns(search.extraction.observables)
    ntuples = make_ntuples(samples, decay=channel.decay, best=channel.best_candidate,
                           columns=columns, quick=quick, seed=seed, cache_root=out / ".cache",
                           executor=executor or SerialExecutor(), scale=scale,
                           lists=channel.lists)
    t_sim = time.perf_counter() - t0

    kept = search.extraction.observables + (channel.mva.columns if channel.mva else ())
    selected = {k: _selected(nt, channel.selection, kept, lum) for k, nt in ntuples.items()}
    mva_summary = None
    if channel.mva is not None:  # trained on the independent samples, applied to all
        selected, mva_summary = _mva_step(channel.mva, selected, points, train_grid,
                                          train_bkgs, seed, out / ".cache" / "mva", con)
    mc_scale = projection_mc_scale(search.default_lumi, lum)
    rng = np.random.default_rng(np.random.SeedSequence([seed, PSEUDO_DATA_STREAM]))
    signal_ids = [sample_id(grid, p) for p in points]

    def inputs(sig: Any, bkgs: tuple[Any, ...], train: ExtractionInput | None = None
               ) -> ExtractionInput:
        return ExtractionInput(points, [selected[sample_id(sig, p)] for p in points],
                               [selected[b.id] for b in bkgs], mc_scale, rng, train)

    counts = search.extraction.extract(inputs(
        grid, search.backgrounds, inputs(train_grid, train_bkgs) if training else None))

    cl, method = search.inference.cl, search.inference.method
    t_inference = time.perf_counter()
    lim, cross, blind = _inference(counts, search, lum)
    lee = _look_elsewhere(counts, blind, len(search.axes), seed)
    t_inference = time.perf_counter() - t_inference  # with the look-elsewhere toys

    # ---- interpretation -------------------------------------------------------------------
    axis_values = {a.name: np.array([p[a.name] for p in points]) for a in search.axes}
    sigma_ref = np.array([ntuples[k].sigma_pb for k in signal_ids])
    couplings = []
    for itp in search.interpretations:
        ref = np.array([itp.reference({**grid.params, **p}) for p in points])
        br = itp.branching(axis_values)

        def to_coupling(sigma_ul: np.ndarray, ref: np.ndarray = ref, br: np.ndarray = br,
                        power: float = itp.power) -> np.ndarray:
            return coupling_upper_limit(sigma_ul, sigma_ref, ref, br, power=power)

        first = search.axes[0].name
        couplings.append(CouplingLimit(
            f"{itp.column}_ul_{itp.model}", itp.label, itp.model, itp.description,
            to_coupling(lim.observed), np.array([to_coupling(row) for row in lim.expected]),
            {name: band(axis_values[first]) for name, band in itp.bands.items()}))

    wall = time.perf_counter() - t0
    result = SearchResult(
        search=search.name, title=search.title, references=search.references, lumi=lum,
        cl=cl, method=method, out_dir=out,
        axes=tuple(AxisInfo(a.name, a.label, a.unit) for a in search.axes),
        points=axis_values, channel=np.array([channel.name] * len(points)),
        quantity="sigma", quantity_label=search.quantity_label, limits=lim,
        couplings=tuple(couplings),
        signal={**counts.signal, "sigma_signal_ref_pb": sigma_ref},
        windows={**counts.windows, **cross},
        selection=channel.selection,
        samples=tuple(_summary(nt, selected[k], *samples[k], search) for k, nt in
                      ntuples.items()),
        distributions=_with_signals(counts.distributions, search, points, signal_ids, selected,
                                    lim.expected[2], sigma_ref),
        published=tuple(PublishedLimit(p.quantity, p.axis, np.asarray(p.x), np.asarray(p.y),
                                       p.label) for p in search.published),
        summary={"search": search.name, "title": search.title,
                 "references": list(search.references), "luminosity": str(lum),
                 "luminosity_per_pb": lum.per_pb, "cl": cl, "method": method, "quick": quick,
                 "seed": seed, "channel": channel.name, "decay": channel.decay,
                 "best_candidate": _best_candidate(channel.best_candidate),
                 "pseudo_data": "observed limits use a seeded pseudo-dataset drawn from the "
                                "simulated background model",
                 "units": {a.name: a.unit for a in search.axes} | {"sigma": "pb"},
                 "selection": list(channel.selection), **counts.summary,
                 **({"mva": mva_summary} if mva_summary is not None else {}),
                 "look_elsewhere": lee,
                 "projection": (f"luminosity above the {search.default_lumi} of the analysis: "
                                "the simulation is assumed to grow with the data "
                                f"(MC-statistical variances × {mc_scale:.3g}); systematics "
                                "stay" if mc_scale < 1.0 else None),
                 "no_signal": _no_signal(search, points, signal_ids, ntuples, counts),
                 "wall_time_s": round(wall, 1), "simulation_time_s": round(t_sim, 1),
                 "inference_time_s": round(t_inference, 4),
                 **_peak_memory(executor)})
    write_outputs(result, report=report)
    con.print(f"done in {wall:.0f} s")
    return result


def _mva_step(mva: MassBinnedMLP, selected: dict[str, Selected],
              points: list[dict[str, float]], train_grid: Any, train_bkgs: tuple[Any, ...],
              seed: int, cache: Path, con: Console
              ) -> tuple[dict[str, Selected], dict[str, Any]]:
    """Train the channel's networks on the training samples, keep the candidates above the
    cut of their mass range in every sample."""
    from darkscan.select.mva import TrainingSet

    t0 = time.perf_counter()
    con.print(f"training the MVA step ({len(mva.edges) - 1} mass ranges)")
    sig = [TrainingSet(selected[sample_id(train_grid, p)].values,
                       selected[sample_id(train_grid, p)].mc_weight, p[mva.point_axis])
           for p in points]
    bkg = [TrainingSet(selected[b.id].values, selected[b.id].weight) for b in train_bkgs]
    trained = mva.train(sig, bkg, seed=seed, cache=cache)
    out = {}
    for k, s in selected.items():
        keep = trained.passes(s.values)
        out[k] = replace(s, values={c: v[keep] for c, v in s.values.items()},
                         weight=s.weight[keep], mc_weight=s.mc_weight[keep])
    return out, {"features": list(mva.features), "mass": mva.mass,
                 "ranges": trained.summary(), "seconds": round(time.perf_counter() - t0, 1)}


def _best_candidate(rule: BestCandidate | AllCandidates) -> dict[str, Any]:
    if isinstance(rule, AllCandidates):
        return {"all_candidates": True, "why": rule.why}
    return {"expression": rule.expression, "highest": rule.highest}


def _peak_memory(executor: Executor | None) -> dict[str, Any]:
    """Peak resident memory of this process and of the executor's workers. ``ru_maxrss`` of
    this process does not count the workers, and RUSAGE_CHILDREN only counts children that
    have been waited for (a pool's workers are, after the run), so the executor records each
    worker's own peak as its chunks come back."""
    unit = 2**20 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KiB
    main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / unit
    workers = sorted(getattr(executor, "peak_worker_rss_mb", {}).values(), reverse=True)
    if not workers and (ended := resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss):
        workers = [ended / unit]  # the largest child that ended: a lower bound of the workers
    return {"peak_memory_mb": round(main + sum(workers), 1),
            "peak_memory": {"main_mb": round(main, 1),
                            "workers_mb": [round(w, 1) for w in workers],
                            "note": "peak_memory_mb sums each process's own peak: an upper "
                                    "bound of the run's resident memory at any one time"}}


def _no_signal(search: Search, points: list[dict[str, float]], signal_ids: list[str],
               ntuples: dict[str, Ntuple], counts: Counts) -> dict[str, str]:
    """Why a signal point has no selected signal: the cut that removes its last simulated
    events, or the signal window left empty. Keyed like ``SearchResult.point_name``."""
    from darkscan.select import evaluate

    out = {}
    cuts = search.channels[0].selection
    for i in np.flatnonzero(~(counts.efficiency > 0)):
        nt = ntuples[signal_ids[int(i)]]
        name = ", ".join(f"{a.name} = {points[int(i)][a.name]:g}" + (f" {a.unit}" if a.unit else "")
                         for a in search.axes)
        mask = np.ones(len(nt.weight), dtype=bool)
        why = (f"none of the {nt.n_generated} simulated signal events is reconstructed as "
               f"'{search.channels[0].decay}'")
        if mask.any():
            why = (f"{int(mask.sum())} of {nt.n_generated} simulated signal events pass the "
                   "selection but none falls in the signal window")
            for cut in cuts:
                before = int(mask.sum())
                mask &= np.asarray(evaluate(cut, nt.columns), dtype=bool)
                if not mask.any():
                    why = (f"the last {before} of {nt.n_generated} simulated signal events fail "
                           f"'{cut}'")
                    break
        out[name] = why
    return out


def _samples(grid: Any, points: list[dict[str, float]], backgrounds: tuple[Any, ...]
             ) -> dict[str, tuple[Any, dict[str, float]]]:
    out = {sample_id(grid, p): (grid, {**grid.params, **p}) for p in points}
    out.update({b.id: (b, dict(b.params)) for b in backgrounds})
    return out


def _inference(counts: Counts, search: Search, lum: Luminosity
               ) -> tuple[LimitResult, dict[str, np.ndarray], np.ndarray]:
    """σ × B limits of every point (+inf where no signal is selected: no sensitivity), the
    observed one from the data-driven background where the extraction has one, and the
    cross-check method's limits."""
    from darkscan.stats import upper_limits

    cl, method = search.inference.cl, search.inference.method
    blind = ~(counts.efficiency > 0)
    eff = np.where(blind, 1.0, counts.efficiency)

    def limits(bkg: np.ndarray, unc: np.ndarray, how: str) -> LimitResult:
        return upper_limits(counts.n_obs, np.maximum(bkg, 1e-3), bkg_unc=unc, eff=eff, cl=cl,
                            method=how, lumi=lum.per_pb)

    lim = limits(counts.bkg, counts.bkg_unc, method)
    if counts.bkg_obs is not counts.bkg:
        lim = replace(lim, observed=limits(counts.bkg_obs, counts.bkg_obs_unc, method).observed)
    lim = replace(lim, observed=np.where(blind, np.inf, np.asarray(lim.observed, float)),
                  expected=np.where(blind, np.inf, np.asarray(lim.expected, float)))
    cross: dict[str, np.ndarray] = {}
    if (other := search.inference.cross_check) is not None:
        obs = limits(counts.bkg_obs, counts.bkg_obs_unc, other).observed
        exp = limits(counts.bkg, counts.bkg_unc, other).expected[2]
        cross = {f"sigma_ul_obs_{other}": np.where(blind, np.inf, obs),
                 f"sigma_ul_exp_{other}": np.where(blind, np.inf, exp)}
    return lim, cross, blind


def _look_elsewhere(counts: Any, blind: np.ndarray, n_axes: int, seed: int
                    ) -> dict[str, Any]:
    """Largest local excess of the pseudo-data over the background model that drew them, and
    its global significance: upcrossings (Gross–Vitells) along a one-axis scan,
    background-only toys otherwise. (The sideband-normalised estimate is not used here: with
    a handful of sideband events its Gaussian uncertainty would turn a Poisson fluctuation
    into a many-σ 'excess'.)"""
    from darkscan.stats import (
        discovery_significance,
        global_significance,
        global_significance_toys,
    )

    ok = ~blind & np.isfinite(counts.n_obs) & np.isfinite(counts.bkg)
    if not np.any(ok):
        return {"windows": 0}
    b, b_unc = np.maximum(counts.bkg[ok], 1e-3), counts.bkg_unc[ok]
    z = np.asarray(discovery_significance(counts.n_obs[ok], b, b_unc).z)
    if n_axes == 1:
        g = global_significance(np.maximum(z, 0.0) ** 2)
        method = "upcrossings of q0 along the scan (Gross & Vitells, EPJC 70 (2010) 525)"
    else:
        g = global_significance_toys(z, b, b_unc, seed=seed)
        method = ("background-only toys, windows drawn independently (overlaps counted as "
                  "separate trials: conservative)")
    i = int(np.nanargmax(z))
    return {"windows": int(np.count_nonzero(ok)), "method": method,
            "largest_local_z": g.local_z, "at_point": int(np.flatnonzero(ok)[i]),
            "global_p": g.global_p, "global_z": g.global_z}


def _selected(nt: Ntuple, cuts: tuple[str, ...], observables: tuple[str, ...],
              lum: Luminosity) -> Selected:
    mask = select(nt, cuts)
    lumi_w = nt.weight * nt.sigma_pb * lum.per_pb / nt.n_generated
    return Selected(nt.name, nt.label, {o: nt.columns[o][mask] for o in observables},
                    lumi_w[mask], nt.weight[mask], nt.n_generated,
                    nt.sigma_pb * lum.per_pb / nt.n_generated)


def _summary(nt: Ntuple, sel: Selected, spec: Any, params: dict[str, float], search: Search
             ) -> SampleSummary:
    """A table row; signal points and training samples say which they are."""
    label = nt.label
    if spec.process == search.signal.sample.process:
        label += " at " + ", ".join(f"{a.name} = {params[a.name]:g}" for a in search.axes)
    if spec.id.endswith(f"_{TRAINING}"):
        label += " (training)"
    return SampleSummary(nt.name, label, nt.meta.process, nt.n_generated, nt.sigma_pb,
                         sel.unit_weight, float(np.sum(sel.weight)), spec.filter_label)


def _with_signals(dists: tuple, search: Search, points: list[dict[str, float]],
                  signal_ids: list[str], selected: dict[str, Selected],
                  sigma_exp: np.ndarray, sigma_ref: np.ndarray) -> tuple:
    """Overlay up to three signal points on each distribution, each scaled to its expected
    limit so that its size means something."""
    finite = [i for i in range(len(points)) if np.isfinite(sigma_exp[i])]
    if not finite:
        return dists
    picks = [finite[j] for j in np.linspace(0, len(finite) - 1, min(3, len(finite))).astype(int)]
    out = []
    for d in dists:
        signals = {}
        for i in dict.fromkeys(picks):
            s = selected[signal_ids[i]]
            name = ", ".join(f"{a.label} = {points[i][a.name]:g} {a.unit}" for a in search.axes)
            scale = sigma_exp[i] / max(sigma_ref[i], 1e-300)
            signals[f"{name} (σ at exp. limit)"] = np.histogram(
                s.values[d.name], d.edges, weights=s.weight * scale)[0]
        out.append(replace(d, signals=signals))
    return tuple(out)


def _write_csv(path: Path, cols: dict[str, np.ndarray]) -> None:
    names = list(cols)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        for i in range(len(next(iter(cols.values())))):
            writer.writerow([str(cols[c][i]) if isinstance(cols[c][i], str)
                             else f"{float(cols[c][i]):.6g}" for c in names])


def write_outputs(result: SearchResult, *, report: bool = True) -> None:
    """``limits.csv``, ``signal.csv`` and ``summary.json`` (DESIGN §5), then the report."""
    _write_csv(result.out_dir / "limits.csv", result.limit_columns())
    _write_csv(result.out_dir / "signal.csv", result.signal_columns())
    # strict JSON: a limit that is +inf (no sensitivity) is null, with the reason beside it
    (result.out_dir / "summary.json").write_text(
        json.dumps(result.summary_json(), indent=2, allow_nan=False))
    if report:
        from darkscan.report import write_search_report

        write_search_report(result)
