"""The typed, frozen result of a search run (cabinetry's habit): what ``report/`` draws and
writes, and what scripts read. Plots and tables are made from these fields, never by matching
column names."""

from __future__ import annotations

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


@dataclass(frozen=True)
class SampleSummary:
    """One simulated sample as a table row of the report."""

    id: str
    label: str
    process: str
    n_generated: int
    sigma_pb: float
    weight: float  #: luminosity weight of one unweighted event at the run's luminosity
    selected: float  #: weighted events after selection
    filter: str = ""

    @property
    def mc_lumi_per_fb(self) -> float:
        return self.n_generated / self.sigma_pb / 1e3 if self.sigma_pb > 0 else float("inf")


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
    quantity: str  #: "sigma" (σ × B, pb) or "br" (branching fraction)
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

    @property
    def n_points(self) -> int:
        return len(self.channel)

    @property
    def has_channels(self) -> bool:
        return len(set(self.channel.tolist())) > 1

    def limit_columns(self) -> dict[str, np.ndarray]:
        """``limits.csv`` (DESIGN §5): the axes, ``channel`` where there are several, the σ
        (or B) limits, then the coupling limits."""
        cols: dict[str, np.ndarray] = {a.name: self.points[a.name] for a in self.axes}
        if self.has_channels:
            cols["channel"] = self.channel
        q = f"{self.quantity}_ul"
        for stem, obs, exp in ((q, self.limits.observed, self.limits.expected),
                               *((c.column, c.observed, c.expected) for c in self.couplings)):
            cols[f"{stem}_obs"] = np.asarray(obs, float)
            for i in CSV_BAND_ORDER:
                cols[stem + BAND_SUFFIXES[i]] = np.asarray(exp[i], float)
        return cols

    def signal_columns(self) -> dict[str, np.ndarray]:
        """``signal.csv``: the axes (and channel), efficiency, resolution, the window numbers."""
        cols: dict[str, np.ndarray] = {a.name: self.points[a.name] for a in self.axes}
        if self.has_channels:
            cols["channel"] = self.channel
        return {**cols, **self.signal, **self.windows}

    def to_table(self) -> dict[str, np.ndarray]:
        """Every per-point column: limits first (as ``limits.csv``), then signal and windows."""
        return {**self.limit_columns(), **self.signal_columns()}

    def summary_text(self) -> str:
        """A short console table of the expected limits."""
        table = self.to_table()
        keys = [a.name for a in self.axes]
        if self.has_channels:
            keys.append("channel")
        keys += ["efficiency", f"{self.quantity}_ul_exp"] + [f"{c.column}_exp"
                                                             for c in self.couplings]
        lines = [f"{self.search} at {self.lumi}: {self.n_points} points, outputs in "
                 f"{self.out_dir}/", " ".join(f"{k:>22}" for k in keys)]
        for i in range(self.n_points):
            lines.append(" ".join(f"{table[k][i]:>22}" if isinstance(table[k][i], str)
                                  else f"{float(table[k][i]):22.4g}" for k in keys))
        return "\n".join(lines)
