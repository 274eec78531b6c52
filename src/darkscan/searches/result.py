"""The typed, frozen result of a search run (cabinetry's habit): what ``report/`` draws and
writes, and what scripts read. Plots and tables are made from these fields, never by matching
column names."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from darkscan.physics import Luminosity
from darkscan.stats import LimitResult

#: suffixes of the expected-band rows (−2σ, −1σ, median, +1σ, +2σ, as ``LimitResult.expected``)
BAND_SUFFIXES: tuple[str, ...] = ("_exp_m2", "_exp_m1", "_exp", "_exp_p1", "_exp_p2")
#: the order of those columns in ``limits.csv`` (DESIGN §5): the median first
CSV_BAND_ORDER: tuple[int, ...] = (2, 0, 1, 3, 4)
#: what ``summary.json`` writes for a number JSON cannot hold (with a reason, see strict_json)
NULL_REASONS_KEY = "null_reasons"
#: the channel name of the rows that combine a search's channels
COMBINED = "combined"


def strict_json(obj: Any, reason: Any = None, path: str = "",
                reasons: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
    """``obj`` with every non-finite float (``inf``, ``nan``, which strict JSON cannot hold)
    replaced by ``None``, and the reasons: ``{"limits.sigma_ul_obs": "…"}``, one per field
    (list positions are not named). ``reason(path, value)`` says why a field is not finite;
    without one, or where it returns None, the reason only names the value."""
    out = {} if reasons is None else reasons
    if isinstance(obj, dict):
        return {k: strict_json(v, reason, f"{path}.{k}" if path else str(k), out)[0]
                for k, v in obj.items()}, out
    if isinstance(obj, list | tuple | np.ndarray):
        return [strict_json(v, reason, path, out)[0] for v in obj], out
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        if path not in out:
            why = reason(path, obj) if reason is not None else None
            out[path] = why or (f"not a number ({obj}) where it was computed" if math.isnan(obj)
                                else f"{obj} where it was computed")
        return None, out
    return obj, out


def write_csv(path: Path, cols: dict[str, np.ndarray]) -> None:
    """One of the CSV tables (``limits.csv``, ``signal.csv``, ``projection.csv``): a header of
    column names, numbers to 6 significant digits, strings (channel, scenario) as they are."""
    names = list(cols)
    n = len(next(iter(cols.values()))) if cols else 0
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        for i in range(n):
            writer.writerow([str(cols[c][i]) if isinstance(cols[c][i], str | np.str_)
                             else f"{float(cols[c][i]):.6g}" for c in names])


@dataclass(frozen=True)
class AxisInfo:
    """A signal-grid axis as the reader sees it: parameter name, label in physics notation
    (mathtext allowed, e.g. ``"$M_{Z'}$"``) and unit."""

    name: str
    label: str
    unit: str = "GeV"

    @property
    def axis_label(self) -> str:
        return f"{self.label} [{self.unit}]" if self.unit else self.label


@dataclass(frozen=True)
class CouplingLimit:
    """Limits on a coupling (or a combination such as ε²α_D) in one model, per signal point.

    ``column`` is the ``limits.csv`` stem (``gprime_ul_vanilla``); ``expected`` is (5, n)
    ordered −2σ … +2σ; ``bands`` are favoured regions to overlay (name → (low, high))."""

    column: str
    label: str
    model: str
    description: str
    observed: np.ndarray
    expected: np.ndarray
    bands: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


@dataclass(frozen=True)
class ExcludedRange:
    """Along one grid axis, the range where a model at its simulated parameters is excluded,
    per set of rows with the same other axes and channel, written on each of its rows
    (``<axis>_excluded_low|high_<model>`` in ``limits.csv``; not an upper limit, so the
    report's limit figures leave it out). ``low``/``high``: observed (n,), expected (5, n)
    −2σ … +2σ; NaN where nothing is excluded."""

    axis: str
    model: str
    description: str
    low: tuple[np.ndarray, np.ndarray]
    high: tuple[np.ndarray, np.ndarray]

    def stems(self) -> tuple[tuple[str, np.ndarray, np.ndarray], ...]:
        """(column stem, observed, expected) of the low and the high edge."""
        return tuple((f"{self.axis}_excluded_{side}_{self.model}", *edge)
                     for side, edge in (("low", self.low), ("high", self.high)))


@dataclass(frozen=True)
class PublishedLimit:
    """A published curve to overlay on a limit plot: x values along ``axis`` (the other axes
    fixed, or a projection), the limit, its provenance."""

    quantity: str  #: ``"sigma"`` or a coupling column stem such as ``"gprime_ul_vanilla"``
    axis: str
    x: np.ndarray
    y: np.ndarray
    label: str


@dataclass(frozen=True)
class Distribution:
    """A histogram of an observable after selection, one model for stack and pseudo-data.

    ``backgrounds``: label → expected counts per bin; ``mc_events``: label → number of MC
    events per bin the expectation rests on (0: the simulation has nothing there);
    ``data``: the pseudo-data drawn from the same model; ``signals``: label → counts."""

    name: str
    label: str  #: x label with unit, physics notation
    edges: np.ndarray
    backgrounds: dict[str, np.ndarray]
    mc_events: dict[str, np.ndarray]
    data: np.ndarray | None
    signals: dict[str, np.ndarray] = field(default_factory=dict)
    caption: str = ""
    channel: str = ""  #: the channel it belongs to, where a search has several


@dataclass(frozen=True)
class LostParticles:
    """Where the selected background's lost particles went: per background label, the
    expected events (at the run's luminosity) in bins of the true polar angle and azimuth
    (degrees, lab) of each event's most energetic lost particle, and the expected events
    with nothing lost."""

    theta_edges: np.ndarray
    phi_edges: np.ndarray
    counts: dict[str, np.ndarray]
    nothing_lost: dict[str, float]


@dataclass(frozen=True)
class SampleSummary:
    """One simulated sample as a table row of the report."""

    id: str
    label: str
    process: str
    n_generated: int
    sigma_pb: float
    weight: float  #: data events one selected MC event stands for at the run's luminosity
    selected: float  #: weighted events after selection
    filter: str = ""
    channel: str = ""  #: the channel whose selection ``selected`` counts, where there are several
    #: the mean event weight of the selected MC events: 1 unless the sample is importance-
    #: sampled (forced decays or detector effects, whose probabilities weight the events)
    mean_event_weight: float = 1.0

    @property
    def mc_lumi_per_fb(self) -> float:
        """The luminosity of data in which the selected events occur as often as in the MC."""
        if self.sigma_pb <= 0 or self.mean_event_weight <= 0:
            return float("inf")
        return self.n_generated / self.sigma_pb / self.mean_event_weight / 1e3


@dataclass(frozen=True)
class SearchResult:
    """Everything one run of a search produced, per signal point (and channel)."""

    search: str
    title: str
    references: tuple[str, ...]
    lumi: Luminosity
    cl: float
    method: str
    out_dir: Path
    axes: tuple[AxisInfo, ...]
    points: dict[str, np.ndarray]  #: axis name → value per signal point
    channel: np.ndarray  #: channel name per point ("combined" for a combination)
    quantity: str  #: "sigma" (σ × B, pb), "br" or "br_ratio" (a branching fraction (ratio))
    quantity_label: str  #: e.g. "σ(e⁺e⁻→μ⁺μ⁻Z′) × B(Z′→inv.)"
    limits: LimitResult  #: in pb (or a branching fraction), observed uses pseudo-data
    couplings: tuple[CouplingLimit, ...]
    signal: dict[str, np.ndarray]  #: efficiency, resolution, … per point
    windows: dict[str, np.ndarray]  #: the extraction's per-point numbers (bkg, n_obs, …)
    selection: tuple[str, ...] = ()
    samples: tuple[SampleSummary, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    published: tuple[PublishedLimit, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    #: the counting experiment the limits come from, per row (NaN in combined rows): n_obs,
    #: bkg ± bkg_unc (the model of the observed limit) and signal_per_unit, the selected
    #: signal events per unit of the limited quantity (efficiency × σ per unit × L)
    counting: dict[str, np.ndarray] = field(default_factory=dict)
    #: ranges of an axis where a model at its simulated parameters is excluded
    excluded: tuple[ExcludedRange, ...] = ()
    #: where the selected background's lost particles went (``Search.lost_particle_map``)
    lost_particles: LostParticles | None = None
    #: ``scan.csv``: limits along the extraction's fine mass scan (``SlidingFit.scan_step``),
    #: in the units of ``limits.csv``; empty without one
    scan: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        return len(self.channel)

    @property
    def has_channels(self) -> bool:
        return len(set(self.channel.tolist())) > 1

    def limit_columns(self) -> dict[str, np.ndarray]:
        """``limits.csv`` (DESIGN §5): the axes, ``channel`` where there are several, the σ
        (or B) limits, then the coupling limits, then the excluded ranges of an axis."""
        cols: dict[str, np.ndarray] = {a.name: self.points[a.name] for a in self.axes}
        if self.has_channels:
            cols["channel"] = self.channel
        q = f"{self.quantity}_ul"
        for stem, obs, exp in ((q, self.limits.observed, self.limits.expected),
                               *((c.column, c.observed, c.expected) for c in self.couplings),
                               *(stem for r in self.excluded for stem in r.stems())):
            cols[f"{stem}_obs"] = np.asarray(obs, float)
            for i in CSV_BAND_ORDER:
                cols[stem + BAND_SUFFIXES[i]] = np.asarray(exp[i], float)
        return cols

    def signal_columns(self) -> dict[str, np.ndarray]:
        """``signal.csv``: the axes (and channel), efficiency, resolution, the window numbers;
        one row per point of each channel (the combination's rows are limits only)."""
        return {k: v[~self.combined()] for k, v in self._signal_rows().items()}

    def _signal_rows(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {a.name: self.points[a.name] for a in self.axes}
        if self.has_channels:
            cols["channel"] = self.channel
        return {**cols, **self.signal, **self.windows}

    def to_table(self) -> dict[str, np.ndarray]:
        """Every per-row column: limits first (as ``limits.csv``), then signal and windows
        (NaN in the combination's rows where a number belongs to a channel)."""
        return {**self.limit_columns(), **self._signal_rows()}

    # ------------------------------------------------------------------ points without signal
    def point_name(self, i: int) -> str:
        """``mass = 9 GeV`` (every axis; ``, channel e`` where there are several) for row
        ``i``."""
        return point_label(self.axes, {a.name: float(self.points[a.name][i]) for a in self.axes},
                           str(self.channel[i]) if self.has_channels else "")

    def combined(self) -> np.ndarray:
        """Rows of the combination of the channels."""
        return np.asarray(self.channel).astype(str) == COMBINED

    def blind(self) -> np.ndarray:
        """Points of efficiency 0 (no simulated signal event selected, or none making a peak at
        the mass: :meth:`no_signal_text`): no limit there
        (the runner sets their limits to +inf). A combination is blind where all its channels
        are (its limit is +inf); its efficiency is not a channel's."""
        eff = np.asarray(self.signal.get("efficiency", np.ones(self.n_points)), float)
        return (~(eff > 0) & ~self.combined()) | np.isinf(
            np.asarray(self.limits.expected, float)[2])

    def no_signal_text(self, i: int) -> str:
        """Why point ``i`` has no limit: the runner's cut flow where it has one."""
        why = (self.summary.get("no_signal") or {}).get(self.point_name(i))
        return why or "no simulated signal event passes the selection (efficiency 0)"

    def summary_json(self) -> dict[str, Any]:
        """``summary.json``: the run's summary and every per-point column, strict JSON (no
        Infinity or NaN): a number JSON cannot hold is null, and ``null_reasons`` says why."""
        table = self.to_table()
        limit_cols = set(self.limit_columns())
        blind = [self.point_name(i) for i in np.flatnonzero(self.blind())]
        where = "; ".join(blind)
        combined = self.combined()

        ranges = {stem: r for r in self.excluded for stem, _, _ in r.stems()}

        def reason(path: str, value: float) -> str | None:
            col = path.removeprefix("limits.")
            if (r := next((r for stem, r in ranges.items() if col.startswith(stem)), None)):
                return (f"{value}: nothing excluded along {r.axis} in these rows' set of other "
                        "axes and channel (no limit below the model there, or no limit at all)")
            why = []
            if col in table and not np.all(np.isfinite(np.asarray(table[col], float)[combined])):
                why.append(f"not given ({value}) in the '{COMBINED}' rows: "
                           + ("see summary.json 'combination'" if col in limit_cols else
                              "a number of each channel, see the channel rows"))
            if blind and col in limit_cols:
                why.append(f"no limit ({value} in limits.csv) at {where}: efficiency 0, "
                           "no selected simulated signal event there or none that makes a peak "
                           "at the mass ('no_signal' says which, point by point), so the "
                           "search is not sensitive")
            elif blind and col in table:
                why.append(f"undefined ({value} in signal.csv) at {where}: no selected signal "
                           "event to measure it on")
            return "; ".join(why) or None

        data, reasons = strict_json({**self.summary, "limits": table}, reason)
        return {**data, NULL_REASONS_KEY: reasons}

    @property
    def on_data(self) -> bool:
        """Whether the observed limits count recorded data (``run --ntuples``), not
        pseudo-data drawn from the simulation."""
        return bool(self.summary.get("ntuples"))

    def _scan_text(self, q: str, scale: float, unit: str) -> list[str]:
        """The fine scan in two lines: its extent and the range of its limits, and its largest
        local excess."""
        axis = self.axes[0]
        m = np.asarray(self.scan[axis.name], float)
        obs, exp = (scale * np.asarray(self.scan[f"{q}_{k}"], float) for k in ("obs", "exp"))
        u = f" {unit}" if unit else ""
        lines = [f"fine scan: {len(m)} masses from {m.min():.4g} to {m.max():.4g} {axis.unit} "
                 f"(scan.csv); limits {np.nanmin(obs):.3g}–{np.nanmax(obs):.3g}{u} observed, "
                 f"{np.nanmin(exp):.3g}–{np.nanmax(exp):.3g}{u} expected"]
        lee = self.summary.get("look_elsewhere", {})
        if "global_z" in lee and f"at_{axis.name}" in lee:
            lines.append(f"largest local excess {lee['largest_local_z']:.2f}σ at "
                         f"{lee[f'at_{axis.name}']:.4g} {axis.unit}, {lee['global_z']:.2f}σ "
                         "globally")
        return lines

    def summary_text(self) -> str:
        """What a terminal shows after a run: the observed and expected limits with units, the
        points without a limit and why, and where the report and tables are."""
        from darkscan.report.style import html_text

        q_scale, q_unit = (1e3, "fb") if self.quantity == "sigma" else (1.0, "")
        axes = [(a.name, f"{a.name} [{a.unit}]" if a.unit else a.name) for a in self.axes]
        if self.has_channels:
            axes.append(("channel", "channel"))
        table = self.to_table()
        blind = self.blind()

        def num(v: Any, scale: float = 1.0) -> str:
            if isinstance(v, str):
                return v
            x = float(v) * scale
            return "—" if math.isinf(x) else "n/a" if math.isnan(x) else f"{x:.3g}"

        def block(title: str, cols: list[tuple[str, str, float]]) -> list[str]:
            head = [h for _, h in axes] + [h for _, h, _ in cols]
            rows = [[num(table[k][i]) for k, _ in axes]
                    + [num(table[k][i], sc) for k, _, sc in cols] for i in range(self.n_points)]
            widths = [max(len(r[j]) for r in [head, *rows]) for j in range(len(head))]
            lines = [title, "  ".join(h.rjust(w) for h, w in zip(head, widths))]
            lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
            return lines

        q = f"{self.quantity}_ul"
        unit = f" [{q_unit}]" if q_unit else ""
        lines = [f"{self.title} at {self.lumi}: {self.n_points} signal points",
                 f"{self.cl:.0%} CL upper limits ({self.method}), 'observed' on "
                 + ("the data ntuples" if self.on_data else "pseudo-data from the simulation"),
                 ""]
        lines += block(f"{_plain(html_text(self.quantity_label))}{unit}:",
                       [("efficiency", "efficiency", 1.0), (f"{q}_obs", "observed", q_scale),
                        (f"{q}_exp", "expected", q_scale),
                        (f"{q}_exp_m1", "exp −1σ", q_scale), (f"{q}_exp_p1", "exp +1σ", q_scale)])
        for c in self.couplings:
            lines += ["", *block(f"{_plain(html_text(c.label))}, "
                                 f"{_plain(html_text(c.description))}:",
                                 [(f"{c.column}_obs", "observed", 1.0),
                                  (f"{c.column}_exp", "expected", 1.0),
                                  (f"{c.column}_exp_m1", "exp −1σ", 1.0),
                                  (f"{c.column}_exp_p1", "exp +1σ", 1.0)])]
        if blind.any():
            lines += ["", "— no limit (efficiency 0, no sensitivity):"]
            lines += [f"  {self.point_name(i)}: {self.no_signal_text(i)}"
                      for i in np.flatnonzero(blind)]
        if self.scan:
            lines += ["", *self._scan_text(q, q_scale, q_unit)]
        report = self.out_dir / "report.html"
        lines += ["", f"report: {report}" if report.is_file() else "report: not written",
                  f"tables: limits.csv, signal.csv, {'scan.csv, ' if self.scan else ''}"
                  f"summary.json in {self.out_dir}/"]
        return "\n".join(lines)


def point_label(axes: tuple[AxisInfo, ...], values: dict[str, float], channel: str = "") -> str:
    """``mass = 9 GeV`` (every axis), ``, channel e`` where a search has several: how a signal
    point (a row of ``limits.csv``) is named in texts and in ``summary.json``."""
    name = ", ".join(f"{a.name} = {values[a.name]:g}" + (f" {a.unit}" if a.unit else "")
                     for a in axes)
    return f"{name}, channel {channel}" if channel else name


def _plain(html_label: str) -> str:
    """A label for a terminal from its HTML form: ``ε<sup>2</sup>α<sub>D</sub>`` → ``ε²α_D``."""
    import html
    import re

    sup = str.maketrans("0123456789+−-()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁽⁾")
    text = re.sub(r"<sup>(.*?)</sup>", lambda m: m[1].translate(sup)
                  if all(c in "0123456789+−-()" for c in m[1]) else f"^{m[1]}", html_label)
    text = re.sub(r"<sub>(.*?)</sub>", r"_\1", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text))
