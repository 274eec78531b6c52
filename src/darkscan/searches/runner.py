"""The run of a declared :class:`Search`: samples → ntuples → per channel selection → MVA
step → extraction → inference, the channels' combination → interpretation →
:class:`SearchResult` → outputs. Short orchestration; every formula lives in the stage it
belongs to."""

from __future__ import annotations

import json
import resource
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console

from darkscan.interpret.projection import DEFAULT_SCENARIO, Scenario
from darkscan.physics import Luminosity, parse_luminosity
from darkscan.run.executors import Executor, SerialExecutor
from darkscan.searches.extraction import (
    Counts,
    ExtractionInput,
    Selected,
    SlidingFit,
    TemplateFit,
)
from darkscan.searches.fine_scan import scan_limits
from darkscan.searches.result import (
    COMBINED,
    AxisInfo,
    CouplingLimit,
    ExcludedRange,
    LostParticles,
    PublishedLimit,
    SampleSummary,
    SearchResult,
    point_label,
    write_csv,
)
from darkscan.searches.samples import (
    Ntuple,
    NtupleGroup,
    emptied_by_truth_filter,
    make_ntuple_groups,
    sample_id,
    select,
)
from darkscan.searches.spec import (
    AllCandidates,
    BestCandidate,
    Channel,
    CouplingLifetime,
    Interpretation,
    SampleSpec,
    Search,
)
from darkscan.select.bdt import ContinuumBDT
from darkscan.select.mva import MassBinnedMLP
from darkscan.select.punzinet import PunziNet
from darkscan.stats import LimitResult

if TYPE_CHECKING:
    from darkscan.searches.ntuples import AnalystNtuples

#: the pseudo-data's own random stream, spawned from the run's seed
PSEUDO_DATA_STREAM = 20_231_801
#: suffix of the ids of the independent samples an extraction makes its choices on
TRAINING = "training"


@dataclass(frozen=True)
class _ChannelRun:
    """One channel of a run: its samples, selected candidates, counts and limits on the
    search's quantity (σ × B in pb, or a branching fraction)."""

    channel: Channel
    signal: SampleSpec
    signal_ids: list[str]
    samples: dict[str, tuple[SampleSpec, dict[str, float]]]
    ntuples: dict[str, Ntuple]
    selected: dict[str, Selected]
    counts: Counts
    limits: LimitResult
    cross: dict[str, np.ndarray]
    blind: np.ndarray
    look_elsewhere: dict[str, Any]
    mva: dict[str, Any] | None
    scale: np.ndarray  #: σ (pb) per unit of the quantity in this channel, per point
    ref: np.ndarray  #: the quantity the simulated signal has, per point
    seconds: float  #: inference with its look-elsewhere toys
    #: ``scan.csv``'s columns along the extraction's fine scan (empty without one)
    scan: dict[str, np.ndarray] = field(default_factory=dict)


def run_search(search: Search, *, out_dir: str | Path, lumi: Luminosity | str | None = None,
               quick: bool = False, seed: int = 1, executor: Executor | None = None,
               console: Console | None = None, scale: float = 1.0,
               report: bool = True, scenario: Scenario = DEFAULT_SCENARIO,
               ntuples: AnalystNtuples | None = None) -> SearchResult:
    """Run ``search`` end to end and write its outputs under ``out_dir``: ``limits.csv``,
    ``signal.csv``, ``summary.json`` and (``report``) plots, HEPData and ``report.html``.
    Each channel runs selection → MVA step → extraction → limits on the shared background
    samples; with ``Inference(combine=True)`` their combination adds the rows ``combined``.
    Above the search's luminosity the run is a projection under ``scenario``.
    ``ntuples`` (:func:`darkscan.searches.ntuples.load_ntuples`): an analyst's ntuples replace
    the simulation, the points are those with a signal ntuple and the observed limits come
    from the data, at the data's luminosity."""
    t0 = time.perf_counter()
    out = Path(out_dir)
    con = console or Console(quiet=True)
    if ntuples is not None and lumi is not None:
        ntuples.check_luminosity(parse_luminosity(lumi))
    lum = parse_luminosity(lumi if lumi is not None else
                           ntuples.lumi if ntuples is not None else search.default_lumi)
    points = search.signal.points(quick) if ntuples is None else ntuples.points(search)
    several = len(search.channels) > 1
    con.print(f"[bold]{search.title}[/] at {lum}: {len(points)} signal points, "
              f"{len(search.backgrounds)} backgrounds"
              f"{f', {len(search.channels)} channels' if several else ''}"
              f"{' (quick)' if quick else ''}",
              soft_wrap=True)  # a log line, not wrapped at 80 columns in a pipe
    if ntuples is not None and (missing := ntuples.missing_points(search)):
        con.print(f"{len(missing)} grid point(s) have no signal ntuple and are left out "
                  "(summary.json: ntuples.points_without_signal)")
    out.mkdir(parents=True, exist_ok=True)
    if ntuples is None:
        reconstructed = reconstruct(search, points, quick=quick, seed=seed, out_dir=out,
                                    executor=executor or SerialExecutor(), scale=scale)
    else:
        reconstructed = ntuples.reconstructed(search, {
            ch.name: _channel_samples(search, ch, points) for ch in search.channels})
    t_sim = time.perf_counter() - t0
    emptied = {k: v for specs, nts in reconstructed.values()
               for k, v in emptied_by_truth_filter(nts, specs).items()}
    for name, label in emptied.items():
        con.print(f"warning: the truth filter of sample '{name}' ({label}) kept none of its "
                  "generated events: the sample adds nothing (a filter sees τ undecayed: "
                  "their decay products come after it; summary.json: "
                  "samples_emptied_by_truth_filter)", soft_wrap=True)
    result = evaluate(search, reconstructed, points, lum, out_dir=out, quick=quick, seed=seed,
                      scenario=scenario, console=con,
                      data=ntuples.data if ntuples is not None else None)
    wall = time.perf_counter() - t0
    result = replace(result, summary=result.summary
                     | (_ntuples_summary(search, ntuples) if ntuples is not None else {})
                     | ({"sample_scale": scale} if scale != 1.0 else {})
                     | ({"samples_emptied_by_truth_filter": emptied} if emptied else {}) | {
        "wall_time_s": round(wall, 1), "simulation_time_s": round(t_sim, 1),
        **_peak_memory(executor)})
    write_outputs(result, report=report)
    con.print(f"done in {wall:.0f} s")
    return result


#: per channel: its samples and their ntuples (:func:`reconstruct`)
Reconstructed = dict[str, tuple[dict[str, tuple[SampleSpec, dict[str, float]]],
                                dict[str, Ntuple]]]


def reconstruct(search: Search, points: list[dict[str, float]], *, quick: bool, seed: int,
                out_dir: Path, executor: Executor, scale: float = 1.0) -> Reconstructed:
    """The ntuple stage of a run, cached under ``out_dir/.cache``: what :func:`evaluate`
    turns into limits at any luminosity."""
    return _reconstruct(search, points, quick=quick, seed=seed, cache=out_dir / ".cache",
                        executor=executor, scale=scale)


def evaluate(search: Search, reconstructed: Reconstructed, points: list[dict[str, float]],
             lum: Luminosity, *, out_dir: Path, quick: bool, seed: int,
             scenario: Scenario = DEFAULT_SCENARIO, console: Console | None = None,
             data: dict[str, Ntuple] | None = None) -> SearchResult:
    """Selection → MVA step → extraction → limits of every channel at ``lum``, their
    combination and interpretation: the :class:`SearchResult` (nothing written). ``data``:
    per channel the recorded candidates an analyst's ntuples give (observed limits)."""
    con = console or Console(quiet=True)
    several = len(search.channels) > 1
    axis_values = {a.name: np.array([p[a.name] for p in points]) for a in search.axes}
    runs = [_run_channel(search, ch, *reconstructed[ch.name], points, axis_values, lum,
                         seed=seed, several=several, cache=out_dir / ".cache" / "mva",
                         con=con, scenario=scenario,
                         data=data[ch.name] if data is not None else None)
            for ch in search.channels]
    combination = _combine(search, runs, lum) if several and search.inference.combine else None
    t_inference = sum(r.seconds for r in runs) + (combination.seconds if combination else 0.0)

    axes = tuple(AxisInfo(a.name, a.label, a.unit) for a in search.axes)
    rows = [(r.channel.name, r.limits, r.ref) for r in runs]
    if combination is not None:
        rows.append((COMBINED, combination.limits, combination.ref))
    n = len(points)
    row_axes = {a: np.tile(v, len(rows)) for a, v in axis_values.items()}
    limits = LimitResult(np.concatenate([lim.observed for _, lim, _ in rows]),
                         np.concatenate([lim.expected for _, lim, _ in rows], axis=1),
                         search.inference.method, search.cl,
                         notes=tuple(dict.fromkeys(x for _, lim, _ in rows for x in lim.notes)))
    signal = _stack([{**r.counts.signal, "sigma_signal_ref_pb": r.ref * r.scale} for r in runs]
                    + ([combination.signal] if combination else []), n)
    windows = _stack([{**r.counts.windows, **r.cross} for r in runs]
                     + ([{}] if combination else []), n)
    couplings, excluded = _couplings(search, rows, row_axes, runs)
    return SearchResult(
        search=search.name, title=search.title, references=search.references, lumi=lum,
        cl=search.cl, method=search.inference.method, out_dir=out_dir, axes=axes,
        points=row_axes, channel=np.repeat([name for name, _, _ in rows], n),
        quantity=search.quantity.name, quantity_label=search.quantity_label, limits=limits,
        couplings=couplings, excluded=excluded, signal=signal, windows=windows,
        selection=(runs[0].channel.selection if not several else tuple(
            f"{r.channel.name}: {cut}" for r in runs for cut in r.channel.selection)),
        samples=tuple(_summary(nt, r.selected[k], *r.samples[k], search,
                               r.channel.name if several else "")
                      for r in runs for k, nt in r.ntuples.items()),
        distributions=tuple(d for r in runs for d in _with_signals(
            r.counts.distributions, search, points, r, r.channel.name if several else "")),
        published=tuple(PublishedLimit(p.quantity, p.axis, np.asarray(p.x), np.asarray(p.y),
                                       p.label) for p in search.published),
        summary=_run_summary(search, runs, combination, lum, quick=quick, seed=seed,
                             points=points, axes=axes, several=several,
                             scenario=scenario)
        | {"inference_time_s": round(t_inference, 4)},
        counting=_stack([_counting(r, lum) for r in runs] + ([{}] if combination else []), n),
        lost_particles=_lost_particles(search, runs), scan=_scans(runs, several))


def _scans(runs: list[_ChannelRun], several: bool) -> dict[str, np.ndarray]:
    """``scan.csv``: the channels' fine scans one after the other (a ``channel`` column where
    there are several)."""
    parts = [({"channel": np.full(len(next(iter(r.scan.values()))), r.channel.name)}
              if several else {}) | r.scan for r in runs if r.scan]
    if not parts:
        return {}
    keys = list(dict.fromkeys(k for part in parts for k in part))
    return {k: np.concatenate([np.asarray(part.get(k, np.full(len(next(iter(part.values()))),
                                                               np.nan)))
                               for part in parts]) for k in keys}


def _counting(run: _ChannelRun, lum: Luminosity) -> dict[str, np.ndarray]:
    """The counting experiment behind a channel's limits (what ``_inference`` gives
    ``upper_limits``), for the pyhf workspaces, and each bin's where the extraction is binned;
    NaN where the channel is blind."""
    c = run.counts

    def per_unit(eff: np.ndarray) -> np.ndarray:
        return np.where(run.blind, np.nan, eff * run.scale * lum.per_pb)

    out = {"n_obs": c.n_obs, "bkg": np.maximum(c.bkg_obs, 1e-3), "bkg_unc": c.bkg_obs_unc,
           "signal_per_unit": per_unit(c.efficiency)}
    for k in range(len(c.bins.get("n_obs", ()))):  # a binned extraction: one channel per bin
        out |= {f"n_obs_bin{k}": c.bins["n_obs"][k],
                f"bkg_bin{k}": np.maximum(c.bins["bkg_obs"][k], 1e-3),
                f"bkg_unc_bin{k}": c.bins["bkg_obs_unc"][k],
                f"signal_per_unit_bin{k}": per_unit(c.bins["efficiency"][k])}
    return out


def _channel_samples(search: Search, channel: Channel, points: list[dict[str, float]]
                     ) -> dict[str, tuple[SampleSpec, dict[str, float]]]:
    """The samples a channel reads: its signal at every point, the backgrounds, and their
    independent training copies (own ids, own seeds) where the extraction or the channel's MVA
    step makes choices on them."""
    grid = search.signal.sample_for(channel.name)
    simulated = simulated_points(search, channel, points)
    samples = _samples(grid, simulated, search.backgrounds)
    if search.extraction.needs_training or channel.mva is not None:
        train_grid, train_bkgs = training_samples(grid, search.backgrounds)
        samples |= _samples(train_grid, simulated, train_bkgs)
    return samples


def simulated_points(search: Search, channel: Channel, points: list[dict[str, float]]
                      ) -> list[dict[str, float]]:
    """The signal points a channel simulates: the sources of its points (a generated lifetime
    serves several), where the channel has a signal."""
    out: dict[str, dict[str, float]] = {}
    for p in points:
        if search.signal.exists(channel.name, p):
            src = search.signal.source(p)
            out.setdefault(",".join(f"{k}={v:g}" for k, v in sorted(src.items())), src)
    return list(out.values())


def point_selected(search: Search, channel: Channel, spec: SampleSpec,
                    selected: dict[str, Selected], p: dict[str, float],
                    kept: tuple[str, ...]) -> Selected:
    """The selected signal of point ``p``: its own sample, the sample of its generated lifetime
    reweighted to its own (:class:`LifetimeReweighting`), or none where the channel has no
    signal there."""
    from darkscan.interpret.lifetime import lifetime_weights

    pid = sample_id(spec, p)
    if not search.signal.exists(channel.name, p):
        return Selected(pid, spec.label, {k: np.zeros(0) for k in kept}, np.zeros(0),
                        np.zeros(0), 1, 0.0)
    src = search.signal.source(p)
    s = selected[sample_id(spec, src)]
    rw = search.signal.lifetime
    if rw is None or src == p:
        return s
    w = lifetime_weights(s.values[rw.column], src[rw.axis], p[rw.axis])
    w = np.where(np.isfinite(w), w, 0.0)
    return replace(s, id=pid, weight=s.weight * w, mc_weight=s.mc_weight * w)


def training_copy(spec: SampleSpec) -> SampleSpec:
    """The independent training copy of a sample: its own id, hence its own seeds."""
    return replace(spec, id=f"{spec.id}_{TRAINING}")


def training_samples(grid: SampleSpec, backgrounds: tuple[SampleSpec, ...]
                     ) -> tuple[SampleSpec, tuple[SampleSpec, ...]]:
    """The independent copies (own seeds) of the signal grid and backgrounds an MVA step or an
    extraction makes its choices on."""
    return training_copy(grid), tuple(training_copy(b) for b in backgrounds)


def _reconstruct(search: Search, points: list[dict[str, float]], *, quick: bool, seed: int,
                 cache: Path, executor: Executor, scale: float
                 ) -> dict[str, tuple[dict[str, tuple[SampleSpec, dict[str, float]]],
                                  dict[str, Ntuple]]]:
    """Per channel: its samples and their ntuples. Channels with the same decay string,
    best-candidate rule and particle lists share one reconstruction of the samples (with every
    column any of them reads); others reconstruct the same events their own way, under their own
    cache keys, from one simulation of each chunk (same ids, same seeds)."""
    groups: dict[tuple[Any, ...], list[Channel]] = {}
    for ch in search.channels:
        groups.setdefault((ch.decay, ch.best_candidate, ch.lists, ch.background_id),
                          []).append(ch)
    backgrounds = {b.id for b in search.backgrounds} | {
        training_copy(b).id for b in search.backgrounds}
    requests, mines = [], []
    for (decay, best, lists, factorised), channels in groups.items():
        mine = {ch.name: _channel_samples(search, ch, points) for ch in channels}
        samples = {k: v for m in mine.values() for k, v in m.items()}
        # the lost-particle truth only where darkscan simulates (never asked of an analyst)
        lost = LOST_MAP_COLUMNS if search.lost_particle_map else ()
        columns = tuple(dict.fromkeys(c for ch in channels
                                      for c in ch.columns(kept_columns(search) + lost)))
        if factorised is None:
            requests.append(NtupleGroup(decay, best, columns, lists, samples))
        else:  # the backgrounds without the ID requirements, weighted below
            requests += [NtupleGroup(decay, best, columns, lists,
                                     {k: v for k, v in samples.items() if k not in backgrounds}),
                         NtupleGroup(decay, best, columns + factorised.columns(),
                                     factorised.lists,
                                     {k: v for k, v in samples.items() if k in backgrounds})]
        mines.append((mine, factorised))
    # one simulation of each sample for every reconstruction that reads it
    results = iter(make_ntuple_groups(requests, quick=quick, seed=seed, cache_root=cache,
                                      executor=executor, scale=scale))
    out = {}
    for mine, factorised in mines:
        ntuples = next(results)
        if factorised is not None:
            ntuples = ntuples | {k: replace(nt, weight=nt.weight * factorised.weights(nt.columns))
                                 for k, nt in next(results).items()}
        out |= {name: (m, {k: ntuples[k] for k in m}) for name, m in mine.items()}
    return out


def kept_columns(search: Search) -> tuple[str, ...]:
    """What the extraction reads, and the truth columns lifetime reweighting and
    coupling-dependent lifetimes (``Interpretation.lifetime``) need."""
    rw = search.signal.lifetime
    truth = ((rw.column,) if rw is not None else ()) + tuple(
        i.lifetime.column for i in search.interpretations if i.lifetime is not None)
    return search.extraction.observables + tuple(dict.fromkeys(truth))


#: the truth columns of :func:`_lost_particles` (the detector's ``mc_lost_*``)
LOST_MAP_COLUMNS = ("mc_lost_theta", "mc_lost_phi")


def _lost_particles(search: Search, runs: list[_ChannelRun]) -> LostParticles | None:
    """The selected backgrounds' lost particles in (θ, φ), all channels together."""
    if not search.lost_particle_map:
        return None
    theta_edges, phi_edges = np.linspace(0.0, 180.0, 91), np.linspace(-180.0, 180.0, 37)
    counts: dict[str, np.ndarray] = {}
    nothing: dict[str, float] = {}
    for r in runs:
        for b in search.backgrounds:
            sel = r.selected[b.id]
            if LOST_MAP_COLUMNS[0] not in sel.values:  # the analyst's ntuples have no truth
                return None
            theta, phi = (np.degrees(sel.values[c]) for c in LOST_MAP_COLUMNS)
            lost = np.isfinite(theta)
            h, _, _ = np.histogram2d(theta[lost], phi[lost], (theta_edges, phi_edges),
                                     weights=sel.weight[lost])
            counts[b.label] = counts.get(b.label, 0.0) + h
            nothing[b.label] = nothing.get(b.label, 0.0) + float(np.sum(sel.weight[~lost]))
    return LostParticles(theta_edges, phi_edges, counts, nothing)


def _run_channel(search: Search, channel: Channel,
                 samples: dict[str, tuple[SampleSpec, dict[str, float]]],
                 ntuples: dict[str, Ntuple], points: list[dict[str, float]],
                 axis_values: dict[str, np.ndarray], lum: Luminosity, *, seed: int,
                 several: bool, cache: Path, con: Console, scenario: Scenario,
                 data: Ntuple | None = None) -> _ChannelRun:
    """Selection → MVA step → extraction → limits of one channel; ``data``: the recorded
    candidates, counted for the observed limits in place of pseudo-data."""
    grid = search.signal.sample_for(channel.name)
    train_grid, train_bkgs = training_samples(grid, search.backgrounds)
    training = search.extraction.needs_training or channel.mva is not None
    lost = LOST_MAP_COLUMNS if search.lost_particle_map and all(
        c in nt.columns for nt in ntuples.values() for c in LOST_MAP_COLUMNS) else ()
    kept = kept_columns(search) + (channel.mva.columns if channel.mva else ()) + lost
    selected = {k: channel_selected(channel, k, nt, kept, lum) for k, nt in ntuples.items()}
    observed_kept = tuple(c for c in kept if data is None or c in data.columns)
    if data is not None:  # a key no sample id takes ('@' and '_' only in ids)
        selected["data:observed"] = selected_candidates(data, channel.selection, observed_kept,
                                                        lum)
    mva_summary = None
    if channel.mva is not None:  # trained on the independent samples, applied to all
        pool = training_pool(channel.mva, selected, ntuples, train_grid, train_bkgs, points,
                              kept, lum)
        selected, mva_summary = _mva_step(channel.mva, selected, pool, points, train_grid,
                                          train_bkgs, seed, cache, con)
    observed = selected.pop("data:observed", None)
    # an analyst's MC is what it is: no projection of its statistics with the luminosity
    mc_scale = scenario.mc_scale(search.default_lumi, lum) if data is None else 1.0
    syst_scale = scenario.syst_scale(search.default_lumi, lum) if data is None else 1.0
    # the pseudo-data's own stream; several channels draw theirs independently
    stream = [seed, PSEUDO_DATA_STREAM] + ([zlib.crc32(channel.name.encode())] if several
                                           else [])
    rng = np.random.default_rng(np.random.SeedSequence(stream))
    signal_ids = [sample_id(grid, p) for p in points]
    for spec in ((grid, train_grid) if training else (grid,)):
        selected |= {sample_id(spec, p): point_selected(search, channel, spec, selected, p,
                                                         kept) for p in points}

    shape_cuts = getattr(search.extraction, "shape_selection", ())
    # networks per range of the fitted mass: the background that passes jumps at their edges
    edges = (channel.mva.edges if isinstance(channel.mva, MassBinnedMLP)
             and channel.mva.mass in search.extraction.observables else ())

    def inputs(sig: Any, bkgs: tuple[Any, ...], train: ExtractionInput | None = None,
               observed: Selected | None = None) -> ExtractionInput:
        # the looser region's backgrounds (before any MVA step) where the extraction asks
        shape = ([selected_candidates(ntuples[b.id], shape_cuts, kept, lum) for b in bkgs]
                 if shape_cuts else None)
        return ExtractionInput(points, [selected[sample_id(sig, p)] for p in points],
                               [selected[b.id] for b in bkgs], mc_scale, rng, train,
                               syst_scale=syst_scale, observed=observed,
                               shape_backgrounds=shape, selection_edges=edges)

    counts = search.extraction.extract(inputs(
        grid, search.backgrounds, inputs(train_grid, train_bkgs) if training else None,
        observed))
    t_inference = time.perf_counter()
    per_unit = search.quantity.scale(channel.name, axis_values)
    lim, cross, blind = _inference(counts, search, lum, per_unit)
    ref = np.array([ntuples[sample_id(grid, search.signal.source(p))].sigma_pb
                    if search.signal.exists(channel.name, p) else np.nan
                    for p in points]) / per_unit
    scan = scan_limits(search, channel.name, counts.scan, axis_values[search.axes[0].name],
                       per_unit, ref, lum.per_pb)
    lee = _look_elsewhere(counts, blind, len(search.axes), seed, scan)
    return _ChannelRun(channel, grid, signal_ids, samples, ntuples, selected, counts, lim,
                       cross, blind, lee, mva_summary, per_unit, ref,
                       time.perf_counter() - t_inference, scan)


@dataclass(frozen=True)
class _Combination:
    """The combined rows: limits on the quantity, the signal the model has, what was done."""

    limits: LimitResult
    ref: np.ndarray
    signal: dict[str, np.ndarray]
    summary: dict[str, Any]
    seconds: float


#: extractions whose counts are the equivalent counting experiments of fits
_EQUIVALENT_COUNTS = (SlidingFit, TemplateFit)


def _combine(search: Search, runs: list[_ChannelRun], lum: Luminosity) -> _Combination:
    """One value of the quantity in every channel: the channels' counts as one multi-bin
    counting likelihood (:func:`darkscan.stats.combined_upper_limits`), each channel with its
    own constrained background; the signal of channel c is q · ε_c · L · σ_per_unit,c."""
    from darkscan.stats import combined_upper_limits

    t0 = time.perf_counter()
    sensitive = ~np.stack([r.blind for r in runs])
    n = len(runs[0].ref)

    def stacked(field: str) -> np.ndarray:
        """(rows, points): every channel's counts, one row per bin of a binned extraction."""
        rows = [(np.asarray(r.counts.bins[field], float) if r.counts.bins else
                 np.asarray(getattr(r.counts, field), float)[None], ~r.blind) for r in runs]
        return np.concatenate([np.where(ok, a, 0.0) for a, ok in rows])

    scale = np.concatenate([np.broadcast_to(r.scale, (len(r.counts.bins.get("n_obs", [0])),
                                                       n)) for r in runs])
    signal = stacked("efficiency") * lum.per_pb * scale
    blind = ~sensitive.any(axis=0)
    signal[0, blind] = 1.0  # no limit there (+inf below); any valid input meanwhile
    n_obs = stacked("n_obs")

    def limits(bkg: np.ndarray, unc: np.ndarray, how: str, asimov: bool = False
               ) -> LimitResult:
        b = np.maximum(bkg, 1e-3)
        return combined_upper_limits(b if asimov else n_obs, b, unc, signal, cl=search.cl,
                                     method=how)

    lim = _with_observed(limits, search.inference.method, (stacked("bkg"), stacked("bkg_unc")),
                         (stacked("bkg_obs"), stacked("bkg_obs_unc")),
                         any(r.counts.bkg_obs is not r.counts.bkg for r in runs), blind)
    refs = np.stack([r.ref for r in runs])
    # a channel without signal at a point (Signal.in_channel: NaN) has no say in its reference
    have = np.isfinite(refs)
    ref = np.where(have.any(axis=0), np.where(have, refs, 0.0).sum(axis=0)
                   / np.maximum(have.sum(axis=0), 1), np.nan)
    # one reference for the couplings: the same simulated parameters and quantity in all
    common_ref = bool(np.allclose(np.where(have, refs, ref), ref, rtol=0.01, atol=0.0,
                                  equal_nan=True)) and all(
        r.signal.params == runs[0].signal.params for r in runs)
    one_sample = all(r.signal is runs[0].signal for r in runs) and bool(
        np.allclose(np.stack([r.scale for r in runs]), runs[0].scale, rtol=1e-12))
    eff = np.where(blind, 0.0, np.sum([np.where(r.blind, 0.0, r.counts.efficiency) for r in runs],
                                      axis=0)) if one_sample \
        else np.full(n, np.nan)
    q = search.quantity.name
    summary: dict[str, Any] = {
        "channels": [r.channel.name for r in runs],
        "model": "one value of the limit's quantity in every channel; the channels' counts as "
                 "one multi-bin counting likelihood, a constrained background per channel "
                 "(stats.combined_upper_limits: " + (
                     "asymptotic CLs with q̃_μ" if search.inference.method == "cls" else
                     "CLs from toys ordered by the LEP test statistic Σ n ln(1 + s/b)")
                 + ", as a pyhf workspace with one channel per bin and a shared normfactor)",
        "assumes": "the channels share no events (disjoint selections): the likelihoods "
                   "multiply; background uncertainties uncorrelated between channels",
        "efficiency": ("sum of the channels' efficiencies (one signal sample)" if one_sample
                       else "not given: the channels have different signal samples or "
                            "normalisations"),
        "couplings": ("from the combined limit and the common simulated signal" if common_ref
                      else f"not given: the channels' simulated signals differ in parameters "
                           f"or by more than 1% in {q}, so no one reference converts the "
                           "combined limit"),
    }
    if isinstance(search.extraction, _EQUIVALENT_COUNTS):
        summary["counts"] = ("the fits' equivalent counting experiments (the counts the "
                             "per-channel limits use, with the information of each fit on the "
                             "signal yield): their product approximates the product of the "
                             "fits' likelihoods (a simultaneous fit) near the fitted yields")
    return _Combination(lim, ref if common_ref else np.full(n, np.nan),
                        {"efficiency": eff, "sigma_signal_ref_pb": (
                            runs[0].ref * runs[0].scale if one_sample else np.full(n, np.nan))},
                        summary, time.perf_counter() - t0)


def _couplings(search: Search, rows: list[tuple[str, LimitResult, np.ndarray]],
               row_axes: dict[str, np.ndarray], runs: list[_ChannelRun] | None = None
               ) -> tuple[tuple[CouplingLimit, ...], tuple[ExcludedRange, ...]]:
    """Coupling limits of every row from the limit on the quantity and the simulated signal's
    (σ ∝ coupling^power; ``ref``: the quantity the simulation has, NaN: no conversion), with
    each row's channel's branching fraction, and where the coupling sets a lifetime the
    efficiency at that lifetime (``runs``: the channels' selected signal; the combination's
    rows from their signal-weighted mean, :func:`_with_lifetime`); then the excluded ranges
    along an axis (``Interpretation.excluded_along``, from the model at the simulated
    parameters)."""
    from darkscan.interpret import coupling_upper_limit

    first = search.axes[0].name
    n = len(next(iter(row_axes.values()))) // len(rows)
    axes_n = {a: v[:n] for a, v in row_axes.items()}
    points = [{a: float(v[i]) for a, v in axes_n.items()} for i in range(n)]
    # the combination's reference signal is its channels' common one (see _combine)
    params = [search.signal.sample_for(search.channels[0].name if name == COMBINED else name
                                       ).params for name, _, _ in rows]
    out, excluded = [], []
    for itp in search.interpretations:

        def to_coupling(limit: np.ndarray, sim: np.ndarray, ref: np.ndarray, br: np.ndarray,
                        itp: Interpretation = itp) -> np.ndarray:
            out = coupling_upper_limit(limit, sim, ref, br, power=itp.power)
            return np.where(np.isnan(sim) | np.isnan(br), np.nan, out)

        refs = [np.array([itp.reference({**given, **p}) for p in points]) for given in params]
        brs = [itp.branching_in(name, axes_n) for name, _, _ in rows]
        obs = np.concatenate([to_coupling(lim.observed, sim, ref, br) for (_, lim, sim), ref, br
                              in zip(rows, refs, brs, strict=True)])
        exp = np.concatenate([np.array([to_coupling(row, sim, ref, br) for row in lim.expected])
                              for (_, lim, sim), ref, br in zip(rows, refs, brs, strict=True)],
                             axis=1)
        fixed = (obs, exp)
        if itp.lifetime is not None:
            by_name = {r.channel.name: [r] for r in runs or ()}
            by_name[COMBINED] = list(runs or ())
            parts = [_with_lifetime(search, itp, by_name.get(name, []), given, points, ref,
                                    obs[k * n:(k + 1) * n], exp[:, k * n:(k + 1) * n])
                     for k, ((name, _, _), given, ref) in enumerate(zip(rows, params, refs,
                                                                        strict=True))]
            obs = np.concatenate([o for o, _ in parts])
            exp = np.concatenate([e for _, e in parts], axis=1)
        out.append(CouplingLimit(
            f"{itp.column}_ul_{itp.model}", itp.label, itp.model, itp.description, obs, exp,
            {name: band(row_axes[first]) for name, band in itp.bands.items()}))
        if itp.excluded_along:
            excluded.append(_excluded_along(search, itp, row_axes, n, np.concatenate(refs),
                                            *fixed))
    return tuple(out), tuple(excluded)


#: the shortest counted decays whose efficiency a coupling's lifetime reweighting holds flat
#: below their longest where the lifetime is shorter than simulated
#: (:func:`darkscan.interpret.lifetime.truncated_efficiency`): the efficiency at a much shorter
#: lifetime then rests on 10 decays (±32%), not on the one or none shorter than it
POOLED_DECAYS = 10


def _efficiency_ratio(search: Search, lt: CouplingLifetime, run: _ChannelRun, i: int,
                      ctau0: float, g: np.ndarray, ref: float) -> np.ndarray | None:
    """ε(cτ(g))/ε_ref of ``run``'s point ``i`` at each scanned coupling ``g``: the counted
    events reweighted to each lifetime (:func:`darkscan.interpret.lifetime
    .truncated_efficiency`, the shortest :data:`POOLED_DECAYS` pooled) over the point's
    efficiency, or over the same counted sum at the simulated lifetime where the efficiency is
    a fit's yield (:attr:`Extraction.efficiency_is_counted`); None without signal there."""
    from darkscan.interpret.lifetime import truncated_efficiency

    s = run.selected[run.signal_ids[i]]
    eff_ref = float(run.counts.efficiency[i])
    if not (eff_ref > 0 and len(s.weight)) or run.blind[i]:
        return None
    counted = np.where(search.extraction.counted(run.counts, i, s), s.mc_weight, 0.0)
    ctaus = ctau0 * (np.append(g, ref) / ref) ** (-lt.ctau_power)
    eff = truncated_efficiency(s.values[lt.column], counted, s.n_generated, ctau0, ctaus,
                               lt.max_ctaus * ctau0, pool_shortest=POOLED_DECAYS)
    norm = eff_ref if search.extraction.efficiency_is_counted else eff[-1]
    if not norm > 0:
        return None
    return eff[:-1] / norm


def _with_lifetime(search: Search, itp: Interpretation, runs: list[_ChannelRun],
                   given: Any, points: list[dict[str, float]], ref: np.ndarray,
                   obs: np.ndarray, exp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One row set's coupling limits where the coupling also sets a lifetime
    (:class:`~darkscan.searches.spec.CouplingLifetime`): from the limits at the simulated
    lifetime (``obs``, ``exp``: σ ∝ g^power only), the lowest scanned g where
    (g/g_ref)^power ε(cτ(g))/ε_ref reaches (g_fixed/g_ref)^power, log-linear between scan
    points; inf where the scan never reaches it, NaN below the scan or without ``runs``.
    One run: its channel's rows. Several (the combination): ε/ε_ref is the channels' mean
    weighted by their signal at the simulated lifetime (ε_c times the signal per unit of the
    quantity), exact where every channel's ratio is the same (one particle's flight, seen
    through similar selections) and otherwise an approximation of the combined likelihood's
    own weighting of the channels."""
    lt = itp.lifetime
    assert lt is not None
    n = len(points)
    if not runs:
        return np.full(n, np.nan), np.full((5, n), np.nan)
    fixed = np.vstack([obs, exp])
    out = fixed.copy()
    for i, p in enumerate(points):
        ctau0 = float(lt.ctau({**given, **p}))
        g = lt.couplings(float(ref[i]))
        ratios = [(r, _efficiency_ratio(search, lt, r, i, ctau0, g, float(ref[i])))
                  for r in runs]
        weighted = [(float(r.counts.efficiency[i] * np.atleast_1d(r.scale)[i]), q)
                    for r, q in ratios if q is not None]
        if not weighted:
            continue  # blind: as the fixed-lifetime ones (inf; NaN where no signal exists)
        ratio = np.average(np.stack([q for _, q in weighted]), axis=0,
                           weights=np.array([w for w, _ in weighted]))
        with np.errstate(divide="ignore"):
            log_gain = itp.power * np.log(g / ref[i]) + np.log(ratio)
            need = itp.power * np.log(fixed[:, i] / ref[i])
        above = log_gain[None, :] >= need[:, None]
        j = np.argmax(above, axis=1)
        hit = above.any(axis=1)
        lo = np.maximum(j - 1, 0)
        y0, y1 = log_gain[lo], log_gain[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.clip(np.where(np.isfinite(y0) & (y1 > y0), (need - y0) / (y1 - y0), 1.0),
                        0.0, 1.0)
        lg = np.log(g)
        value = np.exp(lg[lo] + t * (lg[j] - lg[lo]))
        out[:, i] = np.where(~np.isfinite(need), fixed[:, i],
                             np.where(hit & (j == 0), np.nan, np.where(hit, value, np.inf)))
    return out[0], out[1:]


def _excluded_along(search: Search, itp: Interpretation, row_axes: dict[str, np.ndarray],
                    n: int, ref: np.ndarray, obs: np.ndarray, exp: np.ndarray) -> ExcludedRange:
    """The lowest and highest value of ``itp.excluded_along`` where the model at its reference
    coupling is excluded (:func:`darkscan.interpret.excluded_axis_range`), per set of rows with
    the same other axes in one channel (``n`` rows per channel), written on each of its rows;
    from the observed and from each expected limit."""
    from darkscan.interpret import excluded_axis_range

    along = itp.excluded_along
    other = [a.name for a in search.axes if a.name != along]
    keys = [(i // n, *(float(row_axes[a][i]) for a in other)) for i in range(len(obs))]
    low, high = np.full((6, len(obs)), np.nan), np.full((6, len(obs)), np.nan)
    for key in dict.fromkeys(keys):
        sel = np.array([k == key for k in keys])
        for j, lim in enumerate((obs, *exp)):
            low[j, sel], high[j, sel] = excluded_axis_range(row_axes[along][sel], lim[sel],
                                                            ref[sel])
    return ExcludedRange(
        along, itp.model,
        f"the {along} range where the model at its simulated parameters ({itp.column} at its "
        f"reference) is excluded, the other axes fixed: log({itp.column}_UL/reference) linear "
        f"in log {along} between grid values, nothing beyond the grid; NaN: nothing excluded",
        (low[0], low[1:]), (high[0], high[1:]))


def _run_summary(search: Search, runs: list[_ChannelRun], combination: _Combination | None,
                 lum: Luminosity, *, quick: bool, seed: int, points: list[dict[str, float]],
                 axes: tuple[AxisInfo, ...], several: bool, scenario: Scenario
                 ) -> dict[str, Any]:
    """``summary.json``'s record of the run (the runner adds times and memory): one channel's
    decay, selection and extraction numbers at the top level, or one entry per channel and the
    combination."""
    def channel(r: _ChannelRun) -> dict[str, Any]:
        return {"decay": r.channel.decay, "best_candidate": _best_candidate(
                    r.channel.best_candidate),
                **({"signal_sample": r.signal.id} if several else {}),
                "selection": list(r.channel.selection), **r.counts.summary,
                **({"mva": r.mva} if r.mva is not None else {}),
                **({"factorised_cuts": _factorised_summary(r)}
                   if r.channel.factorised_cuts is not None else {}),
                "look_elsewhere": r.look_elsewhere}

    head = {"search": search.name, "title": search.title,
            "references": list(search.references), "luminosity": str(lum),
            "luminosity_per_pb": lum.per_pb, "cl": search.cl,
            "method": search.inference.method, "quick": quick, "seed": seed,
            **({"selection_variant": search.variant} if search.variant else {})}
    pseudo = {"pseudo_data": "observed limits use a seeded pseudo-dataset drawn from the "
                             "simulated background model"
                             + ("; each channel draws its own" if several else ""),
              "units": {a.name: a.unit for a in search.axes}
              | {search.quantity.name: "pb" if search.quantity.name == "sigma" else ""}}
    if search.quantity.per_unit is not None:
        pseudo["quantity"] = {"name": search.quantity.name,
                              "normalisation": search.quantity.normalisation}
    if several:
        body = {"channels": {r.channel.name: channel(r) for r in runs},
                "combination": combination.summary if combination is not None else (
                    "not requested (Inference(combine=True) asks for it): per-channel limits "
                    "only"),
                **pseudo, **{k: v for k, v in runs[0].counts.summary.items()
                             if k == "resolution_label"}}
    else:
        one = channel(runs[0])
        body = {"channel": runs[0].channel.name, "decay": one.pop("decay"),
                "best_candidate": one.pop("best_candidate"), **pseudo, **one}
    return {**head, **body,
            "projection": scenario.summary(search.default_lumi, lum),
            "no_signal": {k: v for r in runs for k, v in _no_signal(
                search, r, points, axes, several).items()}}


def _factorised_summary(r: _ChannelRun) -> dict[str, Any]:
    """The factorised cuts of a channel and their efficiency on each background they apply to,
    with its MC-statistical error and the simulated candidates it was measured on."""
    fc = r.channel.factorised_cuts
    if fc is None:
        return {}
    eff = {b: m.summary() for b in fc.backgrounds
           if b in r.selected and (m := r.selected[b].factorised) is not None}
    return {"cuts": list(fc.cuts), "region": list(fc.region), "backgrounds": eff,
            "note": "these backgrounds pass the selection without the cuts, weighted by the "
                    "cuts' efficiency in the region; its MC-statistical error scales their "
                    "expected level only (a fit that floats the background's level does not "
                    "see it: the expected limits move by about half its relative size times "
                    "their share of a window)"}


def _ntuples_summary(search: Search, ntuples: AnalystNtuples) -> dict[str, Any]:
    """What an ntuples run read, in place of the pseudo-data's and the projection's notes."""
    missing = ntuples.missing_points(search)
    return {"pseudo_data": None, "projection": None,
            "ntuples": {"directory": str(ntuples.directory), "files": list(ntuples.files),
                        "data_luminosity": str(ntuples.lumi),
                        "observed": "observed limits count the data ntuples; expected limits "
                                    "come from the MC ntuples",
                        **({"note": ntuples.note} if ntuples.note else {}),
                        "points_without_signal": [
                            ", ".join(f"{k} = {v:g}" for k, v in p.items()) for p in missing],
                        **({"why_left_out": "no signal ntuple was given for these grid "
                                            "points, so there is no efficiency to limit"}
                           if missing else {})}}


def training_pool(mva: MassBinnedMLP | PunziNet | ContinuumBDT,
                   selected: dict[str, Selected], ntuples: dict[str, Ntuple], train_grid: Any,
                   train_bkgs: tuple[Any, ...], points: list[dict[str, float]],
                   kept: tuple[str, ...], lum: Luminosity) -> dict[str, Selected]:
    """The candidates the MVA step trains on: the selected ones, or those of the step's own
    looser ``training_selection``, the backgrounds weighted by the share of them the channel's
    selection keeps (so that the figure of merit counts the selected background)."""
    cuts = getattr(mva, "training_selection", ())
    if not cuts:
        return selected
    ids = [sample_id(train_grid, p) for p in points] + [b.id for b in train_bkgs]
    pool = {k: selected_candidates(ntuples[k], cuts, kept, lum) for k in dict.fromkeys(ids)
            if k in ntuples}
    loose = sum(float(pool[b.id].weight.sum()) for b in train_bkgs if b.id in pool)
    tight = sum(float(selected[b.id].weight.sum()) for b in train_bkgs if b.id in selected)
    share = tight / loose if loose > 0 else 1.0
    for b in train_bkgs:
        if b.id in pool:
            pool[b.id] = replace(pool[b.id], weight=pool[b.id].weight * share)
    return pool


def trained_mva(mva: MassBinnedMLP | PunziNet | ContinuumBDT, pool: dict[str, Selected],
                points: list[dict[str, float]], train_grid: Any, train_bkgs: tuple[Any, ...],
                seed: int, cache: Path) -> Any:
    """The channel's MVA step trained on the training samples' candidates in ``pool`` (read
    from ``cache`` when the same training was done before)."""
    from darkscan.select.mva import TrainingSet

    sig = [TrainingSet(pool[sample_id(train_grid, p)].values,
                       pool[sample_id(train_grid, p)].mc_weight, p[mva.point_axis])
           for p in points if sample_id(train_grid, p) in pool]
    bkg = [TrainingSet(pool[b.id].values, pool[b.id].weight) for b in train_bkgs]
    return mva.train(sig, bkg, seed=seed, cache=cache)


def _mva_step(mva: MassBinnedMLP | PunziNet | ContinuumBDT, selected: dict[str, Selected],
              pool: dict[str, Selected], points: list[dict[str, float]], train_grid: Any,
              train_bkgs: tuple[Any, ...], seed: int, cache: Path, con: Console
              ) -> tuple[dict[str, Selected], dict[str, Any]]:
    """Train the channel's networks on the training samples' candidates in ``pool`` (the
    selected ones or :func:`training_pool`'s), keep the candidates above the cut of their
    mass range in every sample (the signal points the channel simulates: not those
    ``Signal.in_channel`` leaves out)."""
    t0 = time.perf_counter()
    con.print(f"training the MVA step ({mva.label})")
    trained = trained_mva(mva, pool, points, train_grid, train_bkgs, seed, cache)
    out = {}
    for k, s in selected.items():
        out[k] = s.subset(trained.passes(s.values))
    record = trained.summary()
    return out, {"features": list(mva.features), "mass": mva.mass,
                 **(record if isinstance(record, dict) else {"ranges": record}),
                 "seconds": round(time.perf_counter() - t0, 1)}


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


def _no_signal(search: Search, run: _ChannelRun, points: list[dict[str, float]],
               axes: tuple[AxisInfo, ...], several: bool) -> dict[str, str]:
    """Why a signal point has no selected signal: the cut that removes its last simulated
    events, or the signal window left empty. Keyed like ``SearchResult.point_name``."""
    from darkscan.select import evaluate

    out = {}
    cuts = run.channel.selection
    for i in np.flatnonzero(~(run.counts.efficiency > 0)):
        name = point_label(axes, points[int(i)], run.channel.name if several else "")
        if not search.signal.exists(run.channel.name, points[int(i)]):
            out[name] = (f"channel {run.channel.name} has no signal here: "
                         f"{search.signal.in_channel_label}")
            continue
        nt = run.ntuples[sample_id(run.signal, search.signal.source(points[int(i)]))]
        mask = np.ones(len(nt.weight), dtype=bool)
        why = (f"none of the {nt.n_generated} simulated signal events is reconstructed as "
               f"'{run.channel.decay}'")
        if mask.any():
            why = (f"{int(mask.sum())} of {nt.n_generated} simulated signal events pass the "
                   "selection's cuts but make no peak at the mass (after any MVA step; a "
                   "line shape needs 5 events within 2% of the mass and its fitted peak "
                   "within 3 resolutions of it)")
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


def _inference(counts: Counts, search: Search, lum: Luminosity, per_unit: np.ndarray
               ) -> tuple[LimitResult, dict[str, np.ndarray], np.ndarray]:
    """Limits on the search's quantity at every point (σ × B / ``per_unit``; +inf where no
    signal is selected: no sensitivity), the observed one from the data-driven background
    where the extraction has one, and the cross-check method's limits."""
    from darkscan.stats import combined_upper_limits, upper_limits

    cl, method = search.inference.cl, search.inference.method
    blind = ~(counts.efficiency > 0)
    binned = counts.bins or {}
    # a blind point (no signal: a fit extraction leaves its counts NaN) gets any valid input;
    # its limit is +inf below
    n_obs = np.where(blind, 0.0, binned.get("n_obs", counts.n_obs))
    # per bin of a binned extraction: expected signal events per pb of σ × B
    signal = np.where(blind, 0.0, binned["efficiency"]) * lum.per_pb if binned else None
    if signal is not None:
        signal[0, blind] = 1.0

    def limits(bkg: np.ndarray, unc: np.ndarray, how: str, asimov: bool = False
               ) -> LimitResult:
        bkg, unc = np.maximum(np.where(blind, 1.0, bkg), 1e-3), np.where(blind, 0.0, unc)
        n = bkg if asimov else n_obs
        if signal is not None:  # the bins' joint likelihood
            lim = combined_upper_limits(n, bkg, unc, signal, cl=cl, method=how)
        else:
            lim = upper_limits(n, bkg, bkg_unc=unc, eff=np.where(blind, 1.0, counts.efficiency),
                               cl=cl, method=how, lumi=lum.per_pb)  # on σ × B, in pb
        return replace(lim, observed=lim.observed / per_unit, expected=lim.expected / per_unit)

    expected = (binned.get("bkg", counts.bkg), binned.get("bkg_unc", counts.bkg_unc))
    observed = (binned.get("bkg_obs", counts.bkg_obs),
                binned.get("bkg_obs_unc", counts.bkg_obs_unc))
    lim = _with_observed(limits, method, expected, observed, counts.bkg_obs is not counts.bkg,
                         blind)
    cross: dict[str, np.ndarray] = {}
    if (other := search.inference.cross_check) is not None:
        obs = limits(*observed, other).observed
        exp = limits(*expected, other, asimov=other == "cls").expected[2]
        q = search.quantity.name
        cross = {f"{q}_ul_obs_{other}": np.where(blind, np.inf, obs),
                 f"{q}_ul_exp_{other}": np.where(blind, np.inf, exp)}
    return lim, cross, blind


def _with_observed(limits: Callable[..., LimitResult], method: str,
                   expected: tuple[np.ndarray, np.ndarray],
                   observed: tuple[np.ndarray, np.ndarray], data_driven: bool,
                   blind: np.ndarray) -> LimitResult:
    """Expected limits from the simulated background, the observed one from the data-driven
    estimate where there is one; +inf where the search is blind.

    The asymptotic CLs band (``method`` "cls") is built, as pyhf builds it, on the Asimov
    counts of a background-only fit: here the fit to the simulated background itself, which
    leaves every nuisance at its nominal value (``asimov``: the counts are the background),
    not to the one pseudo-dataset drawn, whose pulls on the background of sparsely simulated
    bins moved the band with the draw (dark-photon-invisible's 4 GeV expected limit: 5.1 and
    2.7 fb from two pseudo-datasets of one simulation); the toys draw theirs from the
    simulated background already. With an analyst's data the same: the expected limits say
    what the simulation lets the analysis expect, whatever the data (a blinded analysis
    quotes them before it looks); pyhf's post-fit band would move with the data."""
    lim = limits(*expected, method)
    if method == "cls":
        lim = replace(lim, expected=limits(*expected, method, asimov=True).expected)
    if data_driven:
        lim = replace(lim, observed=limits(*observed, method).observed)
    return replace(lim, observed=np.where(blind, np.inf, np.asarray(lim.observed, float)),
                   expected=np.where(blind, np.inf, np.asarray(lim.expected, float)))


def _stack(parts: list[dict[str, np.ndarray]], n: int) -> dict[str, np.ndarray]:
    """Per-point columns of several row sets (channels, the combination) one after the other;
    a column a set lacks is NaN there."""
    keys = list(dict.fromkeys(k for part in parts for k in part))
    return {k: np.concatenate([np.asarray(part.get(k, np.full(n, np.nan)), float)
                               for part in parts]) for k in keys}


def _look_elsewhere(counts: Any, blind: np.ndarray, n_axes: int, seed: int,
                    scan: dict[str, np.ndarray] | None = None) -> dict[str, Any]:
    """Largest local excess of the pseudo-data over the background model that drew them, and
    its global significance: upcrossings (Gross–Vitells) along a one-axis scan (the
    extraction's fine scan where it has one, else the signal points), background-only toys
    otherwise. (The sideband-normalised estimate is not used here: with a handful of sideband
    events its Gaussian uncertainty would turn a Poisson fluctuation into a many-σ
    'excess'.)"""
    from darkscan.stats import (
        discovery_significance,
        global_significance,
        global_significance_toys,
    )

    if scan:
        z = np.asarray(scan["z_local"], float)
        g = global_significance(np.maximum(np.nan_to_num(z), 0.0) ** 2)
        i = int(np.nanargmax(z))
        axis = next(iter(scan))
        return {"windows": len(z), "method": "upcrossings of q0 along the fine scan (Gross & "
                f"Vitells, EPJC 70 (2010) 525), {len(z)} masses",
                "largest_local_z": g.local_z, f"at_{axis}": float(scan[axis][i]),
                "global_p": g.global_p, "global_z": g.global_z}
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


def channel_selected(channel: Channel, sample: str, nt: Ntuple, kept: tuple[str, ...],
                      lum: Luminosity) -> Selected:
    """The candidates of a sample that pass the channel's selection; for a background of its
    ``factorised_cuts``, those that pass it without the factorised cuts, weighted by their
    efficiency in the looser region."""
    fc = channel.factorised_cuts
    if fc is None or sample.removesuffix(f"_{TRAINING}") not in fc.backgrounds:
        return selected_candidates(nt, channel.selection, kept, lum)
    rest = tuple(c for c in channel.selection if c not in fc.cuts)
    measured = fc.measure(nt)
    s = selected_candidates(nt, rest, kept, lum)
    return replace(s, weight=s.weight * measured.efficiency,
                   unit_weight=s.unit_weight * measured.efficiency, factorised=measured)


def selected_candidates(nt: Ntuple, cuts: tuple[str, ...], observables: tuple[str, ...],
                        lum: Luminosity) -> Selected:
    """The candidates of ``nt`` that pass ``cuts``: their ``observables`` and weights at
    ``lum``."""
    mask = select(nt, cuts)
    lumi_w = nt.weight * nt.sigma_pb * lum.per_pb / nt.n_generated
    return Selected(nt.name, nt.label, {o: nt.columns[o][mask] for o in observables},
                    lumi_w[mask], nt.weight[mask], nt.n_generated,
                    nt.sigma_pb * lum.per_pb / nt.n_generated)


def _summary(nt: Ntuple, sel: Selected, spec: Any, params: dict[str, float], search: Search,
             channel: str) -> SampleSummary:
    """A table row; signal points and training samples say which they are."""
    label = nt.label
    if spec.process in {s.process for s in search.signal_samples}:
        label += " at " + ", ".join(f"{a.name} = {params[a.name]:g}" for a in search.axes)
    if spec.id.endswith(f"_{TRAINING}"):
        label += " (training)"
    mean_w = float(np.mean(sel.mc_weight)) if len(sel.mc_weight) else 1.0
    filters = "; ".join(t for t in (spec.filter_label, getattr(spec, "weight_label", "")) if t)
    return SampleSummary(nt.name, label, nt.meta.process, nt.n_generated, nt.sigma_pb,
                         sel.unit_weight * mean_w, float(np.sum(sel.weight)), filters,
                         channel, mean_w)


def _with_signals(dists: tuple, search: Search, points: list[dict[str, float]],
                  run: _ChannelRun, channel: str) -> tuple:
    """Overlay up to three signal points on each distribution, each scaled to its expected
    limit so that its size means something."""
    exp = run.limits.expected[2]
    finite = [i for i in range(len(points)) if np.isfinite(exp[i])]
    if not finite:
        return tuple(replace(d, channel=channel) for d in dists)
    picks = [finite[j] for j in np.linspace(0, len(finite) - 1, min(3, len(finite))).astype(int)]
    out = []
    for d in dists:
        signals = {}
        for i in dict.fromkeys(picks):
            s = run.selected[run.signal_ids[i]]
            name = ", ".join(f"{a.label} = {points[i][a.name]:g} {a.unit}" for a in search.axes)
            scale = exp[i] / max(run.ref[i], 1e-300)
            signals[f"{name} ({_AT_LIMIT[search.quantity.name]} at exp. limit)"] = np.histogram(
                s.values[d.name], d.edges, weights=s.weight * scale)[0]
        out.append(replace(d, signals=signals, channel=channel))
    return tuple(out)


#: how a signal scaled to its expected limit is named in the distributions' legends
_AT_LIMIT = {"sigma": "σ", "br": "B", "br_ratio": "B ratio"}


def write_outputs(result: SearchResult, *, report: bool = True) -> None:
    """``limits.csv``, ``signal.csv`` and ``summary.json`` (DESIGN §5), then the report."""
    write_csv(result.out_dir / "limits.csv", result.limit_columns())
    write_csv(result.out_dir / "signal.csv", result.signal_columns())
    if result.scan:
        write_csv(result.out_dir / "scan.csv", result.scan)
    # strict JSON: a limit that is +inf (no sensitivity) is null, with the reason beside it
    (result.out_dir / "summary.json").write_text(
        json.dumps(result.summary_json(), indent=2, allow_nan=False))
    if report:
        from darkscan.report import write_search_report

        write_search_report(result)
