"""Limits along an extraction's fine mass scan (:attr:`SlidingFit.scan_step`).

The signal points are simulated; the scan between them steps by about one mass resolution, as a
published sliding-window search does, so that the extremes of its limits and its largest local
excess are those of the analysis. The counts at each scan mass come from the extraction (its
window fit on the pseudo-data or data, the line shape and efficiency interpolated between
the points); here they become limits on the search's quantity with the same inference as the
points, then couplings with the simulated signal's cross section interpolated log-linearly in
mass between the points (it falls by orders of magnitude over the grid) and the model's
branching fraction at the scan mass itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from darkscan.errors import ParameterError
from darkscan.interpret import coupling_upper_limit
from darkscan.searches.reopen import RunStage, reopen_stage
from darkscan.searches.result import BAND_SUFFIXES, CSV_BAND_ORDER, SearchResult
from darkscan.stats import LimitResult, discovery_significance, upper_limits

if TYPE_CHECKING:
    from darkscan.searches.spec import Search

#: the random stream of the further pseudo-datasets (:func:`pseudo_data_scans`)
PSEUDO_SETS_STREAM = 20_261_205

#: the columns of ``scan.csv`` before the limits, in order
COUNT_COLUMNS = ("efficiency", "resolution", "bkg", "bkg_exp", "n_obs", "z_local")


def _log_interp(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Interpolation of a positive quantity linear in log, NaN where it is not positive."""
    ok = np.isfinite(fp) & (fp > 0)
    if np.count_nonzero(ok) < 2:
        return np.full(len(x), np.nan)
    return np.exp(np.interp(x, xp[ok], np.log(fp[ok])))


def scan_limits(search: Search, channel: str, scan: dict[str, np.ndarray],
                point_masses: np.ndarray, per_unit: np.ndarray, ref: np.ndarray,
                lumi_per_pb: float) -> dict[str, np.ndarray]:
    """``scan.csv``'s columns for one channel: the scan masses (named as the search's mass
    axis), the counts, the local significance of each window's excess, the limits on the
    quantity (observed on the pseudo-data or data, expected median and bands) and each
    interpretation's coupling limits; empty without a scan. ``point_masses``, ``per_unit``
    and ``ref`` (the quantity the simulated signal has) are the signal points'."""
    if not scan:
        return {}
    mass = np.asarray(scan["mass"], float)
    order = np.argsort(point_masses)
    xp = np.asarray(point_masses, float)[order]
    unit = np.interp(mass, xp, np.asarray(per_unit, float)[order])
    n_obs, bkg = np.asarray(scan["n_obs"], float), np.maximum(scan["bkg"], 1e-3)
    eff = np.asarray(scan["efficiency"], float)
    ok = eff > 0

    def limits(b: np.ndarray) -> LimitResult:
        return upper_limits(np.where(ok, n_obs, 0.0), b, eff=np.where(ok, eff, 1.0),
                            cl=search.inference.cl, method=search.inference.method,
                            lumi=lumi_per_pb)

    # the observed limits on the data's b_eff, the expected on the simulation's where the
    # extraction gave it
    lim: LimitResult = limits(bkg)
    exp_lim = limits(np.maximum(scan["bkg_exp"], 1e-3)) if "bkg_exp" in scan else lim
    observed = np.where(ok, lim.observed / unit, np.inf)
    expected = np.where(ok, exp_lim.expected / unit, np.inf)
    z = np.asarray(discovery_significance(n_obs, bkg, np.zeros_like(bkg)).z)
    axis = search.axes[0].name
    out = {axis: mass, "efficiency": eff, "resolution": np.asarray(scan["resolution"], float),
           "bkg": np.asarray(scan["bkg"], float), "n_obs": n_obs, "z_local": z,
           **({"bkg_exp": np.asarray(scan["bkg_exp"], float)} if "bkg_exp" in scan else {})}

    def add(stem: str, obs: np.ndarray, exp: np.ndarray) -> None:
        out[f"{stem}_obs"] = obs
        for i in CSV_BAND_ORDER:
            out[stem + BAND_SUFFIXES[i]] = exp[i]

    add(f"{search.quantity.name}_ul", observed, expected)
    sim = _log_interp(mass, xp, np.asarray(ref, float)[order])
    given = search.signal.sample_for(channel).params
    for itp in search.interpretations:
        if itp.lifetime is not None:  # the efficiency depends on the coupling: points only
            continue
        coupling_ref = np.array([itp.reference({**given, axis: m}) for m in mass])
        br = itp.branching_in(channel, {axis: mass})

        def coupling(limit: np.ndarray, coupling_ref: np.ndarray = coupling_ref,
                     br: np.ndarray = br, power: float = itp.power) -> np.ndarray:
            return coupling_upper_limit(limit, sim, coupling_ref, br, power=power)

        add(f"{itp.column}_ul_{itp.model}", coupling(observed),
            np.array([coupling(row) for row in expected]))
    return out


def _run_stage(search: Search, result: SearchResult, seed: int, scale: float) -> RunStage:
    """The selection stage of ``result``'s run (a single-channel search with an MVA step; its
    ``seed`` and sample ``scale`` as the run had them)."""
    if not result.scan or search.channels[0].mva is None:
        raise ParameterError(f"{search.name}: no fine scan through an MVA step to check")
    return reopen_stage(search, Path(result.out_dir), lumi=result.lumi,
                        quick=_quick(result), seed=seed, scale=scale)


def _quick(result: SearchResult) -> bool:
    return bool(result.summary.get("quick"))


def pseudo_data_scans(search: Search, result: SearchResult, n_sets: int, *, seed: int = 1,
                      scale: float = 1.0) -> list[dict[str, np.ndarray]]:
    """``scan.csv``'s columns on ``n_sets`` further pseudo-datasets drawn from a finished run's
    simulated background (its selection and trained MVA step reused; each set its own stream):
    how the extremes of the observed limits over the scan, which a paper quotes, fluctuate."""
    from darkscan.searches import runner
    from darkscan.searches.extraction import ExtractionInput

    stage = _run_stage(search, result, seed, scale)
    channel, axis = stage.channel, search.axes[0].name
    points = search.signal.points(_quick(result))
    grid = search.signal.sample_for(channel.name)
    post = {k: stage.after_mva(s) for k, s in stage.selected.items()}
    signals = [runner.point_selected(search, channel, grid, post, p, stage.kept) for p in points]
    backgrounds = [post[b.id] for b in search.backgrounds]
    masses = np.array([p[axis] for p in points])
    per_unit = search.quantity.scale(channel.name, {axis: masses})
    ref = np.asarray(result.signal["sigma_signal_ref_pb"], float) / per_unit
    edges = getattr(channel.mva, "edges", ())
    out = []
    for k in range(n_sets):
        rng = np.random.default_rng(np.random.SeedSequence([seed, PSEUDO_SETS_STREAM, k]))
        counts = search.extraction.extract(ExtractionInput(
            points, signals, backgrounds, 1.0, rng, selection_edges=edges))
        out.append(scan_limits(search, channel.name, counts.scan, masses, per_unit, ref,
                               result.lumi.per_pb))
    return out


def equivalent_count_pulls(scans: Sequence[Mapping[str, np.ndarray]]) -> tuple[float, float]:
    """Whether a scan's equivalent counts are Poisson about their b_eff, from its scans on
    several pseudo-datasets of one simulation (:func:`pseudo_data_scans`): the spread across
    the sets of the pull (n_obs − b_eff)/√b_eff, pooled over the masses (the root of the mean
    unbiased variance: 1 when the fit's variance is b_eff), and the spread over the masses of
    its mean across the sets (1/√n_sets, plus the simulated spectrum's own fluctuations, which
    every set repeats)."""
    pulls = np.array([(np.asarray(s["n_obs"], float) - np.asarray(s["bkg"], float))
                      / np.sqrt(np.asarray(s["bkg"], float)) for s in scans])
    return (float(np.sqrt(np.mean(pulls.var(axis=0, ddof=1)))),
            float(pulls.mean(axis=0).std()))


def interpolation_closure(search: Search, result: SearchResult, masses: tuple[float, ...], *,
                          seed: int = 1, scale: float = 1.0) -> list[tuple[float, float, float]]:
    """(mass, measured, interpolated) efficiencies of signal simulated at ``masses`` between a
    run's points (a single-channel search whose fine scan covers them): each sample selected,
    passed through the run's own trained MVA step (read from the run's cache) and fitted in
    its window as a signal point is, against the efficiency the scan interpolated there.
    The run's ntuples and networks are reused from its folder; only the new signal is
    simulated."""
    from darkscan.run.executors import SerialExecutor
    from darkscan.searches import runner
    from darkscan.stats.shapes import fit_signal_shape

    stage = _run_stage(search, result, seed, scale)
    channel, ext, axis = stage.channel, search.extraction, search.axes[0].name
    scan_m = np.asarray(result.scan[axis], float)
    gaps = [m for m in masses if np.min(np.abs(scan_m - m)) > 5e-3 * m]
    if gaps:
        raise ParameterError(f"masses {gaps} lie outside the fine scan's stretches")
    out_dir, lum, kept = Path(result.out_dir), result.lumi, stage.kept
    grid = search.signal.sample_for(channel.name)
    held = replace(search, signal=replace(search.signal, axes=(
        replace(search.signal.axes[0], values=tuple(masses), quick=tuple(masses)),)))
    held_points = held.signal.points(_quick(result))
    _, held_nt = runner.reconstruct(held, held_points, quick=_quick(result),
                                    seed=seed, out_dir=out_dir, executor=SerialExecutor(),
                                    scale=scale)[channel.name]
    held_sel = {k: runner.channel_selected(channel, k, nt, kept, lum)
                for k, nt in held_nt.items()}
    rows = []
    for p in held_points:
        s = stage.after_mva(runner.point_selected(held, channel, grid, held_sel, p, kept))
        x, w = s.values[ext.observable_at(p[axis])], s.mc_weight
        shape = fit_signal_shape(x, w, ext.signal_model, near=p[axis])
        window = ext.window(shape.params["loc"], shape.resolution,
                            getattr(channel.mva, "edges", ()))
        measured = ext.signal_yield(x, w, shape, window, ext.background_at(
            shape.params["loc"]), 0) / s.n_generated
        rows.append((p[axis], measured,
                     float(np.interp(p[axis], scan_m, result.scan["efficiency"]))))
    return rows
