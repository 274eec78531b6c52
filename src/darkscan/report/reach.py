"""Reach plots of ``darkscan project``: the expected limit along the first grid axis at each
luminosity (and scenario), with the published limits of the same quantity overlaid."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from darkscan.report.plots import plot_limit_slices
from darkscan.report.style import log_scale_suits
from darkscan.searches.result import COMBINED, SearchResult

if TYPE_CHECKING:
    from pathlib import Path

    from darkscan.searches.reach import Projection


def plot_reach(projection: Projection) -> list[Path]:
    """One figure per limited quantity (σ × B or B, and each coupling), channel shown (the
    combination where the search has one, else every channel) and scenario: a curve per
    luminosity."""
    first = projection.runs[0].result
    scenarios = list(dict.fromkeys(r.scenario.name for r in projection.runs))
    for stale in (projection.out_dir / "plots").glob("reach_*.png"):  # an earlier projection's
        stale.unlink()
    written = []
    for scenario in scenarios:
        runs = [r for r in projection.runs if r.scenario.name == scenario]
        for channel in _channels_shown(first):
            for stem, label, scale in _quantities(first):
                slices = {}
                for run in runs:
                    x, exp = _along_first_axis(run.result, _expected(run.result, stem),
                                               channel)
                    slices[str(run.lumi)] = (x, scale * exp)
                refs = {p.label: (np.asarray(p.x, float), scale * np.asarray(p.y, float))
                        for p in first.published
                        if p.quantity == stem and p.axis == first.axes[0].name}
                suffix = (f"_{channel}" if channel else "") + (
                    f"_{scenario}" if len(scenarios) > 1 else "")
                path = projection.out_dir / "plots" / f"reach_{stem}{suffix}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                x_all = np.concatenate([v[0] for v in slices.values()])
                others = ("" if len(first.axes) == 1 else
                          f", best over {', '.join(a.label for a in first.axes[1:])}")
                written.append(plot_limit_slices(
                    path, slices, xlabel=first.axes[0].axis_label, ylabel=label,
                    lumi_label=f"projection from {projection.analysis_lumi}",
                    references=refs, logx=log_scale_suits(x_all),
                    legend_title=f"{first.cl:.0%} CL expected, {scenario}"
                                 + (f", {channel}" if channel else "") + others))
    return written


def _channels_shown(result: SearchResult) -> list[str]:
    names = list(dict.fromkeys(result.channel.tolist()))
    if not result.has_channels:
        return [""]
    return [COMBINED] if COMBINED in names else names


def _quantities(result: SearchResult) -> list[tuple[str, str, float]]:
    """(stem of the limit columns, axis label, plotting scale): σ in fb, B as is."""
    unit = " [fb]" if result.quantity == "sigma" else ""
    out = [(result.quantity, result.quantity_label + unit,
            1e3 if result.quantity == "sigma" else 1.0)]
    return out + [(c.column, c.label, 1.0) for c in result.couplings]


def _expected(result: SearchResult, stem: str) -> np.ndarray:
    if stem == result.quantity:
        return np.asarray(result.limits.expected, float)
    return next(np.asarray(c.expected, float) for c in result.couplings if c.column == stem)


def _along_first_axis(result: SearchResult, expected: np.ndarray, channel: str
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The expected band (5, k) along the first axis for ``channel`` ("" for all rows); on an
    N-D grid, at each first-axis value the point with the lowest median (the best reach over
    the other axes)."""
    rows = np.ones(len(result.channel), bool) if not channel else result.channel == channel
    x = np.asarray(result.points[result.axes[0].name], float)[rows]
    exp = expected[:, rows]
    median = np.where(np.isfinite(exp[2]), exp[2], np.inf)
    values = np.unique(x)
    picks = [np.flatnonzero(x == v)[np.argmin(median[x == v])] for v in values]
    return values, exp[:, picks]
