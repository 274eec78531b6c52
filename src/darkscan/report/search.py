"""Everything a search run shows, drawn from its typed :class:`SearchResult`: the plots, the
HEPData tables and the HTML report.

``write_search_report(result)`` is called by the runner after it has written ``limits.csv``,
``signal.csv`` and ``summary.json``. It draws ``plots/*.png``, writes ``hepdata/`` and
``report_meta.json`` (what the HTML needs that the CSV files do not hold: captions, samples,
selection, labels) and then builds ``report.html`` from the files, the same way
``darkscan report DIR`` rebuilds it later. Nothing here computes physics: plots and tables are
made from the result's fields, never by matching column names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from darkscan.report.hepdata import HepDataTable, write_hepdata
from darkscan.report.html import META_FILE, build_html_report
from darkscan.report.plots import (
    plot_angle_map,
    plot_curves,
    plot_limit_band,
    plot_limit_map,
    plot_limit_slices,
    plot_stack,
)
from darkscan.report.style import log_scale_suits, mathtext
from darkscan.report.workspace import write_workspace
from darkscan.searches.result import BAND_SUFFIXES, write_csv

if TYPE_CHECKING:  # the report draws results; it does not depend on the search layer at run time
    from darkscan.searches.result import AxisInfo, Distribution, SearchResult

__all__ = ["FigureEntry", "write_search_report"]

#: at most this many values of a grid's second axis get their own curve
MAX_FAMILY = 5
MAX_SLICES = 4
SIGNAL_KEYS = ("efficiency", "resolution")


@dataclass(frozen=True)
class FigureEntry:
    """One figure of the report: its file (relative to the results folder), the section it
    belongs to and a caption (Unicode/mathtext physics notation; the HTML converts it)."""

    file: str
    section: str
    caption: str


def write_search_report(result: SearchResult) -> Path:
    """Draw the plots, write the HEPData tables and the HTML report of a search run.

    Writes ``result.out_dir/plots/*.png``, ``result.out_dir/hepdata/``,
    ``result.out_dir/report_meta.json`` and ``result.out_dir/report.html`` (returned).
    ``limits.csv``, ``signal.csv`` and ``summary.json`` are the runner's; where one is missing
    (a script calling this directly) it is written here from the result, so the report can
    always be rebuilt from the folder."""
    out = Path(result.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _write_missing_tables(result, out)
    figures = [*_limit_figures(result, out), *_scan_figures(result, out),
               *_signal_figures(result, out),
               *_distribution_figures(result, out), *_lost_particle_figures(result, out)]
    tables = _hepdata_tables(result)
    write_hepdata(out / "hepdata", tables, comment=(
        f"darkscan on the analyst's ntuples of {result.title} ({', '.join(result.references)}); "
        "'observed' limits use the data ntuples" if result.on_data else
        f"darkscan simulation of {result.title} ({', '.join(result.references)}); 'observed' "
        "limits use pseudo-data"))
    write_workspace(result, out / "pyhf")
    meta = _meta(result, figures, tables)
    (out / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    return build_html_report(out)


# --------------------------------------------------------------------------- helpers
def _pct(cl: float) -> str:
    return f"{100 * cl:g}%"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "x"


def _value_label(axis: AxisInfo, value: float) -> str:
    return f"{axis.label} = {value:g}" + (f" {axis.unit}" if axis.unit else "")


def _channels(result: SearchResult) -> list[tuple[str, np.ndarray]]:
    """(channel, point indices) pairs, the combination first, then the channels in the
    search's order; one pair with an empty name when the search has a single channel."""
    channel = np.asarray(result.channel).astype(str)
    if not result.has_channels:
        return [("", np.arange(result.n_points))]
    combined = set(channel[result.combined()].tolist())
    names = sorted(dict.fromkeys(channel.tolist()), key=lambda c: c not in combined)
    return [(c, np.flatnonzero(channel == c)) for c in names]


def _suffix(channel: str) -> str:
    return f"_{_slug(channel)}" if channel else ""


def _in_channel(channel: str) -> str:
    return f" (channel {channel})" if channel else ""


def _quantity(result: SearchResult) -> tuple[float, str]:
    """Scale and unit of the plotted limit: σ in fb (stored in pb), a branching fraction as is."""
    return (1e3, "fb") if result.quantity == "sigma" else (1.0, "")


#: what the limits of each quantity are called in HEPData table names
_QUANTITY_TABLES = {"sigma": "Cross-section", "br": "Branching-fraction",
                    "br_ratio": "Branching-fraction-ratio"}


def _with_unit(label: str, unit: str) -> str:
    return f"{label} [{unit}]" if unit else label


def _resolution_label(result: SearchResult) -> str:
    """The resolution's axis label. ``SearchResult`` does not carry the discriminant's label
    and unit; a runner may put ``resolution_label`` (with unit) or ``discriminant_label`` and
    ``discriminant_unit`` into ``result.summary``."""
    s = result.summary
    if s.get("resolution_label"):
        return str(s["resolution_label"])
    if s.get("discriminant_label"):
        return _with_unit(f"Resolution of {s['discriminant_label']}",
                          str(s.get("discriminant_unit", "")))
    return "Signal resolution (Gaussian-core width)"


def _published(result: SearchResult, quantity: str, scale: float
               ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    axis = result.axes[0].name
    return {p.label: (np.asarray(p.x, float), scale * np.asarray(p.y, float))
            for p in result.published if p.quantity == quantity and p.axis == axis}


def _published_sentence(curves: dict[str, Any]) -> str:
    if not curves:
        return ""
    return " Published limits overlaid: " + "; ".join(curves) + "."


def _second_axis_values(values: np.ndarray, idx: np.ndarray, n_max: int) -> list[float]:
    """A handful of values of the second axis, spread over its range, each with ≥ 2 points."""
    v = np.asarray(values, float)[idx]
    uniq, counts = np.unique(v, return_counts=True)
    uniq = uniq[counts >= 2]
    if uniq.size <= n_max:
        return uniq.tolist()
    pick = np.unique(np.linspace(0, uniq.size - 1, n_max).round().astype(int))
    return uniq[pick].tolist()


def _band(exp: np.ndarray, scale: float, idx: np.ndarray) -> np.ndarray:
    return scale * np.asarray(exp, float)[:, idx]


_BAND_SENTENCE = ("The dashed line is the median expected limit, the green and yellow bands "
                  "its ±1σ and ±2σ ranges; the solid line is the limit observed in a seeded "
                  "pseudo-dataset drawn from the background model. Points without selected "
                  "signal have no limit and interrupt the curves.")
#: the same where the observed limits count the analyst's data (``run --ntuples``)
_BAND_SENTENCE_DATA = _BAND_SENTENCE.replace(
    "a seeded pseudo-dataset drawn from the background model", "the data ntuples")


def _bands(result: SearchResult) -> str:
    return _BAND_SENTENCE_DATA if result.on_data else _BAND_SENTENCE


# --------------------------------------------------------------------------- limit figures
def _limit_figures(result: SearchResult, out: Path) -> list[FigureEntry]:
    if len(result.axes) == 1:
        return _limit_figures_1d(result, out)
    return _limit_figures_2d(result, out)


def _limit_figures_1d(result: SearchResult, out: Path) -> list[FigureEntry]:
    ax0 = result.axes[0]
    x_all = np.asarray(result.points[ax0.name], float)
    lumi, pct = str(result.lumi), _pct(result.cl)
    scale, unit = _quantity(result)
    logx = log_scale_suits(x_all)
    figs: list[FigureEntry] = []
    figs += _channel_overview(result, out, x_all, logx)
    for channel, idx in _channels(result):
        x = x_all[idx]
        pub = _published(result, result.quantity, scale)
        name = f"plots/limit_{result.quantity}{_suffix(channel)}.png"
        observed = "Observed (data)" if result.on_data else "Observed (pseudo-data)"
        plot_limit_band(out / name, x, scale * np.asarray(result.limits.observed, float)[idx],
                        _band(result.limits.expected, scale, idx), observed_label=observed,
                        xlabel=ax0.axis_label,
                        ylabel=_with_unit(result.quantity_label, unit), lumi_label=lumi,
                        references=pub, logx=logx, legend_title=f"{pct} CL upper limits")
        figs.append(FigureEntry(name, "Limits", (
            f"{pct} CL upper limits on {result.quantity_label}"
            f"{' in fb' if unit else ''} as a function of {ax0.label}"
            f"{_in_channel(channel)}, for {lumi}. {_bands(result)}"
            + _published_sentence(pub))))
        for c in result.couplings:
            bands = {bname: (x, np.asarray(lo, float)[idx], np.asarray(hi, float)[idx])
                     for bname, (lo, hi) in c.bands.items()}
            cpub = _published(result, c.column, 1.0)
            name = f"plots/limit_{_slug(c.column)}{_suffix(channel)}.png"
            plot_limit_band(out / name, x, np.asarray(c.observed, float)[idx],
                            _band(c.expected, 1.0, idx), observed_label=observed,
                            xlabel=ax0.axis_label, ylabel=c.label,
                            lumi_label=lumi, references=cpub, bands=bands, logx=logx,
                            legend_title=f"{pct} CL upper limits ({c.model})")
            band_text = (" The shaded region" + ("s are " if len(bands) > 1 else " is ")
                         + ", ".join(bands) + " (favoured values).") if bands else ""
            figs.append(FigureEntry(name, "Limits", (
                f"{pct} CL upper limits on {c.label} ({c.description}) as a function of "
                f"{ax0.label}{_in_channel(channel)}, for {lumi}. {_bands(result)}{band_text}"
                + _published_sentence(cpub))))
    return figs


def _scan_columns(result: SearchResult) -> dict[str, np.ndarray]:
    """The fine scan's columns in mass order, a NaN row wherever it skips more than three
    resolutions (between two networks' ranges), so that curves break there."""
    axis = result.axes[0].name
    scan = {k: np.asarray(v, float) for k, v in result.scan.items() if k != "channel"}
    m = scan[axis]
    gap = np.flatnonzero(np.diff(m) > 3.0 * scan["resolution"][:-1]) + 1
    middle = 0.5 * (m[gap - 1] + m[gap])  # the plots order by mass: the break keeps its place
    return {k: np.insert(v, gap, middle if k == axis else np.nan) for k, v in scan.items()}


def _scan_figures(result: SearchResult, out: Path) -> list[FigureEntry]:
    """The limits and the local significance along the extraction's fine scan (one channel)."""
    if not result.scan or "channel" in result.scan:
        return []
    ax0, lumi, pct = result.axes[0], str(result.lumi), _pct(result.cl)
    scan = _scan_columns(result)
    m = scan[ax0.name]
    n = len(result.scan[ax0.name])
    scale, unit = _quantity(result)
    observed = "Observed (data)" if result.on_data else "Observed (pseudo-data)"
    stem = f"{result.quantity}_ul"
    expected = np.array([scan[stem + s] for s in BAND_SUFFIXES])
    pub = _published(result, result.quantity, scale)
    name = "plots/scan_limit.png"
    plot_limit_band(out / name, m, scale * scan[f"{stem}_obs"], scale * expected,
                    observed_label=observed, xlabel=ax0.axis_label,
                    ylabel=_with_unit(result.quantity_label, unit), lumi_label=lumi,
                    references=pub, logx=log_scale_suits(m),
                    legend_title=f"{pct} CL upper limits, fine scan")
    figs = [FigureEntry(name, "Limits", (
        f"{pct} CL upper limits on {result.quantity_label}{' in fb' if unit else ''} along "
        f"the fine scan: {n} masses one step of the resolution apart, each fitted in its own "
        f"window, the line shape and efficiency interpolated between the simulated points "
        f"(breaks: between two networks' mass ranges, where no point measured the "
        f"efficiency). {_bands(result)}" + _published_sentence(pub)))]
    name = "plots/scan_local_significance.png"
    plot_curves(out / name, m, {"local significance": scan["z_local"]},
                xlabel=ax0.axis_label, ylabel="local significance $Z$ [σ]", lumi_label=lumi,
                markers=("-",), logx=log_scale_suits(m))
    lee = result.summary.get("look_elsewhere", {})
    glob = (f" The largest is {lee['largest_local_z']:.2f}σ at {lee['at_' + ax0.name]:.4g}"
            f"{' ' + ax0.unit if ax0.unit else ''}, {lee['global_z']:.2f}σ globally "
            f"({lee['method']})." if "global_z" in lee and f"at_{ax0.name}" in lee else "")
    figs.append(FigureEntry(name, "Limits", (
        f"Local significance of the excess of the {'data' if result.on_data else 'pseudo-data'}"
        f" over the background fit at each mass of the fine scan (0 for deficits).{glob}")))
    return figs


def _channel_overview(result: SearchResult, out: Path, x_all: np.ndarray, logx: bool
                      ) -> list[FigureEntry]:
    """Where a search has several channels: one figure per limit with one curve per channel
    (the combination included), the median expected limit and its ±1σ band."""
    channels = _channels(result)
    if len(channels) < 2:
        return []
    combined = set(np.asarray(result.channel).astype(str)[result.combined()].tolist())
    ax0 = result.axes[0]
    lumi, pct = str(result.lumi), _pct(result.cl)
    scale, unit = _quantity(result)
    items = [(result.quantity, _with_unit(result.quantity_label, unit), result.quantity_label,
              scale * np.asarray(result.limits.expected, float), unit)]
    items += [(c.column, c.label, f"{c.label} ({c.description})",
               np.asarray(c.expected, float), "") for c in result.couplings]
    figs = []
    for stem, label, what, exp, u in items:
        curves = {("combination" if c in combined else f"channel {c}"): (x_all[idx], exp[:, idx])
                  for c, idx in channels if np.any(np.isfinite(exp[2][idx]))}
        if not curves:
            continue
        name = f"plots/limit_{_slug(stem)}_channels.png"
        plot_limit_slices(out / name, curves, xlabel=ax0.axis_label, ylabel=label,
                          lumi_label=lumi, logx=logx,
                          legend_title=f"Expected {pct} CL upper limits")
        figs.append(FigureEntry(name, "Limits", (
            f"Median expected {pct} CL upper limits on {what}{f' in {u}' if u else ''} as a "
            f"function of {ax0.label}, one curve per channel and their combination, for "
            f"{lumi}; the light bands are the ±1σ ranges. Points without selected signal "
            "interrupt the curves.")))
    return figs


def _limit_figures_2d(result: SearchResult, out: Path) -> list[FigureEntry]:
    ax0, ax1 = result.axes[0], result.axes[1]
    x_all = np.asarray(result.points[ax0.name], float)
    y_all = np.asarray(result.points[ax1.name], float)
    lumi, pct = str(result.lumi), _pct(result.cl)
    scale, unit = _quantity(result)
    logx, logy = log_scale_suits(x_all), log_scale_suits(y_all)
    more = (f" Grid axes beyond the second ({', '.join(a.label for a in result.axes[2:])}) "
            "are not resolved in this map.") if len(result.axes) > 2 else ""
    figs: list[FigureEntry] = []
    quantities: list[tuple[str, str, str, np.ndarray, str]] = [
        (result.quantity, _with_unit(result.quantity_label, unit), result.quantity_label,
         scale * np.asarray(result.limits.expected, float), "")]
    quantities += [(c.column, c.label, c.label, np.asarray(c.expected, float),
                    f" ({c.description})") for c in result.couplings]
    for channel, idx in _channels(result):
        x, y = x_all[idx], y_all[idx]
        for stem, label, short, exp, desc in quantities:
            name = f"plots/map_{_slug(stem)}{_suffix(channel)}.png"
            plot_limit_map(out / name, x, y, exp[2][idx], xlabel=ax0.axis_label,
                           ylabel=ax1.axis_label,
                           zlabel=f"Median expected {pct} CL upper limit\non {label}",
                           lumi_label=lumi, logx=logx, logy=logy)
            figs.append(FigureEntry(name, "Limits", (
                f"Median expected {pct} CL upper limit on {short}{desc}"
                f"{' in fb' if stem == result.quantity and unit else ''} over the signal grid "
                f"({ax0.label} horizontally, {ax1.label} vertically){_in_channel(channel)}, for "
                f"{lumi}; colour in log scale, simulated points marked. Regions without "
                f"simulated points are left blank.{more}")))
            values = _second_axis_values(y_all, idx, MAX_SLICES)
            slices = {}
            for v in values:
                sel = idx[y_all[idx] == v]
                slices[_value_label(ax1, v)] = (x_all[sel], exp[:, sel])
            if not slices:
                continue
            pub = _published(result, stem, scale if stem == result.quantity else 1.0)
            name = f"plots/slices_{_slug(stem)}{_suffix(channel)}.png"
            plot_limit_slices(out / name, slices, xlabel=ax0.axis_label, ylabel=label,
                              lumi_label=lumi, references=pub, logx=logx,
                              legend_title=f"Expected {pct} CL upper limits")
            figs.append(FigureEntry(name, "Limits", (
                f"Median expected {pct} CL upper limits on {short}{desc} as a function of "
                f"{ax0.label} for {len(slices)} values of {ax1.label}{_in_channel(channel)}, "
                f"for {lumi}; the light bands are the ±1σ ranges."
                + _published_sentence(pub))))
    return figs


# --------------------------------------------------------------------------- signal figures
def _signal_figures(result: SearchResult, out: Path) -> list[FigureEntry]:
    ax0 = result.axes[0]
    x_all = np.asarray(result.points[ax0.name], float)
    lumi = str(result.lumi)
    logx = log_scale_suits(x_all)
    labels = {"efficiency": "Signal efficiency", "resolution": _resolution_label(result)}
    sentences = {
        "efficiency": "Signal efficiency (weighted fraction of generated signal events that "
                      "pass the selection and fall in the signal region)",
        "resolution": "Signal resolution (Gaussian-core width of the discriminant)"}
    figs: list[FigureEntry] = []
    channels = _channels(result)
    for key in SIGNAL_KEYS:
        if key not in result.signal:
            continue
        values = np.asarray(result.signal[key], float)
        if len(result.axes) == 1:
            curves: dict[str, tuple[np.ndarray, np.ndarray]] = {
                (channel or labels[key]): (x_all[idx], values[idx]) for channel, idx in channels
                if not channel or np.any(np.isfinite(values[idx]))}
            name = f"plots/{key}.png"
            plot_curves(out / name, None, curves, xlabel=ax0.axis_label, ylabel=labels[key],
                        lumi_label=lumi, logx=logx,
                        ylim=(0.0, None) if key == "efficiency" else None)
            per = " per channel" if len(channels) > 1 else ""
            figs.append(FigureEntry(name, "Signal", (
                f"{sentences[key]} as a function of {ax0.label}{per}.")))
            continue
        ax1 = result.axes[1]
        y_all = np.asarray(result.points[ax1.name], float)
        for channel, idx in channels:
            if not np.any(np.isfinite(values[idx])):  # e.g. a combination's efficiency
                continue
            curves = {}
            for v in _second_axis_values(y_all, idx, MAX_FAMILY):
                sel = idx[y_all[idx] == v]
                curves[_value_label(ax1, v)] = (x_all[sel], values[sel])
            if not curves:
                continue
            name = f"plots/{key}{_suffix(channel)}.png"
            plot_curves(out / name, None, curves, xlabel=ax0.axis_label, ylabel=labels[key],
                        lumi_label=lumi, logx=logx,
                        ylim=(0.0, None) if key == "efficiency" else None)
            figs.append(FigureEntry(name, "Signal", (
                f"{sentences[key]} as a function of {ax0.label}, one curve per value of "
                f"{ax1.label}{_in_channel(channel)}.")))
    return figs


# --------------------------------------------------------------------------- distributions
def _empty_mc(d: Distribution) -> bool:
    if not d.mc_events or not d.backgrounds:
        return False
    n = np.sum([np.asarray(d.mc_events.get(k, np.full(len(d.edges) - 1, np.inf)), float)
                for k in d.backgrounds], axis=0)
    return bool(np.any(n <= 0))


def _distribution_figures(result: SearchResult, out: Path) -> list[FigureEntry]:
    figs: list[FigureEntry] = []
    lumi = str(result.lumi)
    seen: set[str] = set()
    for d in result.distributions:
        stem = _slug(d.name) + _suffix(d.channel)
        while stem in seen:
            stem += "_"
        seen.add(stem)
        name = f"plots/stack_{stem}.png"
        mc = ({k: (np.asarray(d.mc_events[k], float) if k in d.mc_events
                   else np.full(len(d.edges) - 1, np.inf)) for k in d.backgrounds}
              if d.mc_events else None)
        plot_stack(out / name, np.asarray(d.edges, float), d.backgrounds, signals=d.signals,
                   data=d.data, mc_events=mc, xlabel=d.label, lumi_label=lumi)
        caption = d.caption or (f"Distribution of {d.label} after the selection, for {lumi}: "
                                "simulated backgrounds stacked, signals as lines, "
                                + ("data" if result.on_data else "pseudo-data")
                                + " as points.")
        if d.channel:
            caption = f"Channel {d.channel}. {caption}"
        if _empty_mc(d):
            caption += (" In the hatched regions no background has a simulated event: the "
                        "expectation there rests on no simulation and is not drawn.")
        figs.append(FigureEntry(name, "Distributions", caption))
    return figs


def _lost_particle_figures(result: SearchResult, out: Path) -> list[FigureEntry]:
    lost = result.lost_particles
    if lost is None:
        return []
    from darkscan.detector.geometry import ecl_bounds
    from darkscan.detector.parameters import BELLE2_DETECTOR

    total = np.sum(list(lost.counts.values()), axis=0)
    name = "plots/lost_particles.png"
    plot_angle_map(out / name, lost.theta_edges, lost.phi_edges, total,
                   xlabel="θ of the lost particle [deg]", ylabel="φ of the lost particle [deg]",
                   zlabel="expected events", lumi_label=str(result.lumi),
                   x_lines=ecl_bounds(BELLE2_DETECTOR))
    shares = ", ".join(
        f"{label} {np.sum(h):.3g} (nothing lost: {lost.nothing_lost[label]:.3g})"
        for label, h in lost.counts.items())
    caption = ("Where the selected background came from: the true polar angle and azimuth "
               "(lab) of each selected background event's most energetic particle that left "
               "no track, ECL cluster or KLM hit, expected events at "
               f"{result.lumi}; dashed lines: the edges of the ECL's endcaps and barrel. "
               f"Expected events with a lost particle per background: {shares}.")
    return [FigureEntry(name, "Distributions", caption)]


# --------------------------------------------------------------------------- HEPData
def _hepdata_tables(result: SearchResult) -> list[HepDataTable]:
    from darkscan.physics.experiment import BELLE2

    pct, lumi = _pct(result.cl), str(result.lumi)
    sqrt_s = float(result.summary.get("sqrt_s_gev", BELLE2.sqrt_s))
    quals = {"CL": f"{result.cl:g}", "SQRT(S)": f"{sqrt_s:.4g} GeV", "LUMINOSITY": lumi}
    keywords = {"cmenergies": [f"{sqrt_s:.4g}"]}
    q_unit = "pb" if result.quantity == "sigma" else ""
    q_name = result.quantity_label
    tables: list[HepDataTable] = []

    def table(name: str, description: str, idx: np.ndarray,
              columns: dict[str, tuple[str, np.ndarray]]) -> None:
        cols = {k: (u, np.asarray(v, float)[idx]) for k, (u, v) in columns.items()}
        ok = np.all([np.isfinite(v) for _u, v in cols.values()], axis=0)
        dropped = int(np.size(ok) - np.count_nonzero(ok))
        if not np.any(ok):
            return
        note = (f" {dropped} point(s) without a finite value (no selected signal) are left "
                "out.") if dropped else ""
        axes = [(mathtext(a.label), a.unit, np.asarray(result.points[a.name], float)[idx][ok])
                for a in result.axes]
        tables.append(HepDataTable(
            name, description + note, axes[0][0], axes[0][1], axes[0][2],
            {k: (u, v[ok]) for k, (u, v) in cols.items()}, keywords=keywords,
            qualifiers=quals, more_x=tuple(axes[1:])))

    for channel, idx in _channels(result):
        chan = f" channel {channel}" if channel else ""
        exp = np.asarray(result.limits.expected, float)
        table(f"{_QUANTITY_TABLES.get(result.quantity, result.quantity)} limits{chan}",
              f"{pct} CL upper limits on {q_name} ({result.method}), darkscan simulation at "
              f"{lumi}; 'observed' uses a seeded pseudo-dataset.", idx,
              _band_columns(q_name, q_unit, np.asarray(result.limits.observed, float), exp))
        for c in result.couplings:
            table(f"Coupling limits {c.model}{chan}",
                  f"{pct} CL upper limits on {c.label}: {c.description}. darkscan simulation "
                  f"at {lumi}; 'observed' uses a seeded pseudo-dataset.", idx,
                  _band_columns(c.label, "", np.asarray(c.observed, float),
                                np.asarray(c.expected, float)))
        sig = {k: ("" if k == "efficiency" else _unit_of(_resolution_label(result)),
                   np.asarray(result.signal[k], float)) for k in SIGNAL_KEYS
               if k in result.signal}
        if sig:
            table(f"Signal efficiency and resolution{chan}",
                  "Signal efficiency (selection and signal region) and Gaussian-core "
                  "resolution of the discriminant, per signal point.", idx, sig)
    return tables


def _unit_of(label: str) -> str:
    m = re.search(r"\[([^\]]*)\]\s*$", label)
    return m.group(1) if m else ""


def _band_columns(name: str, unit: str, observed: np.ndarray, expected: np.ndarray
                  ) -> dict[str, tuple[str, np.ndarray]]:
    name = mathtext(name)  # HEPData renders $…$ as LaTeX
    return {f"observed {name} UL (pseudo-data)": (unit, observed),
            f"expected {name} UL": (unit, expected[2]),
            "expected −1σ": (unit, expected[1]), "expected +1σ": (unit, expected[3]),
            "expected −2σ": (unit, expected[0]), "expected +2σ": (unit, expected[4])}


# --------------------------------------------------------------------------- files
def _scalar(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def _meta(result: SearchResult, figures: list[FigureEntry],
          tables: list[HepDataTable]) -> dict[str, Any]:
    scale, unit = _quantity(result)
    return {
        "search": result.search, "title": result.title, "references": list(result.references),
        "luminosity": str(result.lumi), "luminosity_per_pb": result.lumi.per_pb,
        "cl": result.cl, "method": result.method, "n_points": result.n_points,
        "channels": [c for c, _ in _channels(result) if c],
        "axes": [{"name": a.name, "label": a.label, "unit": a.unit} for a in result.axes],
        "quantity": result.quantity, "quantity_label": result.quantity_label,
        "quantity_unit": unit, "quantity_unit_csv": "pb" if result.quantity == "sigma" else "",
        "quantity_scale": scale,
        "couplings": [{"column": c.column, "label": c.label, "model": c.model,
                       "description": c.description} for c in result.couplings],
        "resolution_label": _resolution_label(result),
        "selection": list(result.selection),
        "samples": [{"id": s.id, "label": s.label + (f" (channel {s.channel})"
                                                      if s.channel else ""),
                     "process": s.process,
                     "n_generated": int(s.n_generated), "sigma_pb": float(s.sigma_pb),
                     "mc_lumi_per_fb": float(s.mc_lumi_per_fb), "weight": float(s.weight),
                     "selected": float(s.selected), "filter": s.filter}
                    for s in result.samples],
        "figures": [{"file": f.file, "section": f.section, "caption": f.caption}
                    for f in figures],
        "hepdata": [t.name for t in tables],
        "notes": list(result.limits.notes),
        "run": {k: _scalar(v) for k, v in result.summary.items()
                if isinstance(_scalar(v), str | int | float | bool) or v is None},
    }


def _write_missing_tables(result: SearchResult, out: Path) -> None:
    if not (out / "limits.csv").is_file():
        write_csv(out / "limits.csv", result.limit_columns())
    if not (out / "signal.csv").is_file():
        write_csv(out / "signal.csv", result.signal_columns())
    if not (out / "summary.json").is_file():
        summary = {"search": result.search, "title": result.title,
                   "references": list(result.references), "luminosity": str(result.lumi),
                   "cl": result.cl, "method": result.method, **result.summary_json()}
        (out / "summary.json").write_text(json.dumps(  # strict JSON: nulls with reasons
            summary, indent=2, ensure_ascii=False, allow_nan=False,
            default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))
