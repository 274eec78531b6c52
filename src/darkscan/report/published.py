"""Published limits from the database (:mod:`darkscan.interpret.published`) on one log plot:
curves as lines, abstract ranges as boxes spanning their lowest to highest limit (a range is
never drawn as if it were a curve)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from darkscan.errors import ParameterError
from darkscan.interpret.published import Record
from darkscan.report.style import (
    PUBLISHED_STYLES,
    figure,
    log_scale_suits,
    mathtext,
)

#: physics notation of the quantities a record may limit (the search layer's names)
QUANTITY_LABELS = {
    "sigma": "σ × B", "br": "B(B → K⁽*⁾X) × B(X → x⁺x⁻)", "br_ratio": "B(τ → ℓα)/B(τ → ℓνν̄)",
    "gprime": "g′", "gs": "g_S", "epsilon": "ε", "eps2_alphad": "ε²α_D", "gagg": "g_aγγ",
    "gaw": "g_aW", "sin_theta": "sinθ", "xi": "ξ",
}
_UNIT_TEXT = {"GeV^-1": "GeV⁻¹"}
_AXIS_LABELS = {"mass": "M", "mass_darkphoton": "M_A′", "mass_darkhiggs": "M_h′", "ctau": "cτ"}


def _unit(unit: str) -> str:
    return f" [{_UNIT_TEXT.get(unit, unit)}]" if unit else ""


def check_plottable(records: Sequence[Record]) -> None:
    """Records share one plot only when they limit the same quantity along the same axis."""
    if not records:
        raise ParameterError("give at least one published limit id to plot")
    first = records[0]
    for r in records[1:]:
        if (r.quantity, r.axis) != (first.quantity, first.axis):
            raise ParameterError(
                f"cannot plot {r.id} ({r.quantity} vs {r.axis}) with {first.id} ({first.quantity}"
                f" vs {first.axis}): one plot shows one quantity along one axis; plot them "
                "separately")


def plot_published(path: Path, records: Sequence[Record]) -> Path:
    """The records on one plot (log y), in the first record's unit; written to ``path``
    (the format from its suffix, e.g. .png or .pdf)."""
    check_plottable(records)
    first = records[0]
    xs = [v for r in records for v in r.x if v is not None and v > 0]
    ys: list[float] = []
    with figure(path) as (_fig, ax):
        for r, (colour, ls) in zip(records, PUBLISHED_STYLES * (len(records) // 4 + 1)):
            scale = r.to_search_unit / first.to_search_unit
            label = mathtext(f"{r.label} ({r.limit}, {r.cl:.0%} CL)")
            if r.kind == "curve":
                x, y = np.asarray(r.x, float), scale * np.asarray(r.y, float)
                ax.plot(x, y, color=colour, ls=ls, lw=2.0, label=label)
            else:
                lo, hi = r.span
                x = np.array([lo if lo is not None else 0.0, hi if hi is not None else 0.0])
                quoted = [scale * v for v in r.y if v is not None]
                y = np.array([min(quoted), max(quoted)])
                if hi is None:  # no span quoted: the level across the plot
                    ax.axhspan(y[0], y[1] * (1.0001 if y[0] == y[1] else 1.0), color=colour,
                               alpha=0.25, label=label + " (range; span not quoted)")
                else:
                    ax.fill_between(x, y[0], y[1], color=colour, alpha=0.25, lw=0,
                                    label=label + " (range)")
                    for v in y:
                        ax.plot(x, [v, v], color=colour, ls=ls, lw=1.5)
            ys += [float(v) for v in np.ravel(y)]
        ax.set_yscale("log")
        lo_y, hi_y = min(ys), max(ys)
        ax.set_ylim(lo_y / 3, hi_y * 30)  # room for the legend above the lines
        if log_scale_suits(np.asarray(xs)):
            ax.set_xscale("log")
        axis_unit = dict(first.axes)[first.axis]
        ax.set_xlabel(mathtext(f"{_AXIS_LABELS.get(first.axis, first.axis)}{_unit(axis_unit)}"))
        ax.set_ylabel(mathtext(f"{QUANTITY_LABELS.get(first.quantity, first.quantity)}"
                               f"{_unit(first.unit)}"))
        ax.legend(loc="upper left", fontsize=10)
    return path
