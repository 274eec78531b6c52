"""Outputs of ``darkscan recast``: the recast limits as CSV, the assumptions as JSON, and the plot
of the source's coupling limit beside the recast one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from darkscan.report.plots import plot_curves

if TYPE_CHECKING:
    from darkscan.interpret.recast import RecastResult, SourceLimits
    from darkscan.interpret.recast_lifetime import LifetimeRecast


def write_recast(result: RecastResult, limits: SourceLimits, out: Path) -> list[Path]:
    """``recast_<model>.csv`` (DESIGN §5 column names), ``recast_<model>.json`` (what was assumed,
    how the efficiency ratio was obtained) and ``plots/recast_<model>.png``."""
    from darkscan.searches.result import NULL_REASONS_KEY, strict_json

    out.mkdir(parents=True, exist_ok=True)
    table = result.to_table()
    csv = out / f"recast_{result.target}.csv"
    rows = np.column_stack([np.asarray(v, float) for v in table.values()])
    np.savetxt(csv, rows, delimiter=",", header=",".join(table), comments="", fmt="%.6g")
    meta = out / f"recast_{result.target}.json"
    data, reasons = strict_json(result.to_dict())
    if reasons:
        data[NULL_REASONS_KEY] = reasons
    meta.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return [csv, meta, plot_recast(result, limits, out / "plots" / f"recast_{result.target}.png")]


def plot_recast(result: RecastResult, limits: SourceLimits, path: Path) -> Path:
    """Coupling limits against mass: the source search's own (each model it was interpreted in)
    and the recast one, expected and observed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for kind, word in (("exp", "expected"), ("obs", "observed")):
        for prefix, mass, columns in ((limits.search, limits.mass, limits.couplings),
                                      ("recast", result.mass, result.coupling_ul)):
            for column, values in columns.items():
                if column.endswith(f"_{kind}"):  # <coupling>_ul_<model>_<kind>, DESIGN §5
                    coupling, _, model = column.removesuffix(f"_{kind}").partition("_ul_")
                    name = f"{prefix}: {coupling} ({model.replace('_', ' ')}), {word}"
                    curves[name] = (mass, values)
    return plot_curves(path, None, curves, xlabel="mass [GeV]",
                       ylabel="coupling upper limit", logy=True,
                       legend_title=f"{limits.search} → {result.target.replace('_', ' ')}")


def write_lifetime_recast(result: LifetimeRecast, out: Path) -> list[Path]:
    """``recast_<model>.csv`` (per mass and channel: the excluded coupling band, observed and
    expected), ``recast_<model>.json`` and a plot of the bands' edges against mass."""
    from darkscan.searches.result import NULL_REASONS_KEY, strict_json

    out.mkdir(parents=True, exist_ok=True)
    cols = result.to_table()
    csv = out / f"recast_{result.model}.csv"
    names = list(cols)
    lines = [",".join(names)] + [
        ",".join(str(cols[n][i]) if n == "channel" else f"{float(cols[n][i]):.6g}"
                 for n in names) for i in range(len(cols["mass"]))]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    meta = out / f"recast_{result.model}.json"
    data, reasons = strict_json(result.to_dict())
    if reasons:
        data[NULL_REASONS_KEY] = reasons
    meta.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for channel in dict.fromkeys(cols["channel"]):
        sel = cols["channel"] == channel
        for side in ("low", "high"):
            values = cols[f"{result.coupling}_excluded_{side}_exp"][sel]
            if np.isfinite(values).any():
                curves[f"{channel or result.source} {side} edge, expected"] = (
                    cols["mass"][sel], values)
    plot = plot_curves(out / "plots" / f"recast_{result.model}.png", None, curves,
                       xlabel="mass [GeV]", ylabel=f"excluded {result.coupling}", logy=True,
                       legend_title=f"{result.source} → {result.model} at its own cτ")
    return [csv, meta, plot]
