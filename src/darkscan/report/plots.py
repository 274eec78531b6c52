"""Plots in a neutral style (no experiment label is claimed: these are darkscan simulations).

Each function draws one figure from arrays and writes one PNG; none computes physics. Labels
are given in Unicode physics notation or mathtext (see :mod:`darkscan.report.style`). Above the
axes: "darkscan simulation" on the left and the luminosity on the right, never a title (the
report's captions say what a figure shows)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from darkscan.report.style import (
    BACKGROUND_COLOURS,
    BAND_1S,
    BAND_2S,
    CURVE_COLOURS,
    PUBLISHED_STYLES,
    SIGNAL_STYLES,
    experiment_label,
    figure,
    mathtext,
)

__all__ = ["plot_angle_map", "plot_curves", "plot_limit_band", "plot_limit_map",
           "plot_limit_slices", "plot_stack", "tex"]


def tex(text: str) -> str:
    """Physics notation in mathtext (kept for callers of the first version; see
    :func:`darkscan.report.style.mathtext`)."""
    return mathtext(text)


def _finite(values: np.ndarray) -> np.ndarray:
    """Non-finite values (a point without selected signal has no limit) become NaN: the curve
    is interrupted there instead of running to infinity."""
    v = np.array(values, dtype=float)
    v[~np.isfinite(v)] = np.nan
    return v


def _isolated(values: np.ndarray) -> np.ndarray:
    """The finite points without a finite neighbour: a line draws nothing through them (a
    scan broken at every point, a curve with one value), so they are marked instead."""
    f = np.isfinite(values)
    before = np.concatenate([[False], f[:-1]])
    after = np.concatenate([f[1:], [False]])
    return f & ~before & ~after


def _plain_tick(value: float, _pos: int) -> str:
    """A tick label as a plain number (0.2, 5), not 2×10⁻¹."""
    return f"{value:g}"


def _minor_tick(value: float, _pos: int) -> str:
    """Minor ticks of a log axis labelled at 2 and 5 times a power of ten only: the others
    would overlap."""
    mantissa = round(value / 10 ** np.floor(np.log10(value)), 6) if value > 0 else 0.0
    return f"{value:g}" if mantissa in (2.0, 5.0) else ""


def _set_x(ax: Axes, x: np.ndarray, xlabel: str, logx: bool) -> None:
    if logx:
        from matplotlib.ticker import FuncFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(_plain_tick))
        ax.xaxis.set_minor_formatter(FuncFormatter(_minor_tick))
    ax.set_xlabel(mathtext(xlabel))
    finite = np.asarray(x, float)[np.isfinite(x)]
    if finite.size > 1 and finite.min() < finite.max():
        ax.set_xlim(float(finite.min()), float(finite.max()))


def _legend(ax: Axes, title: str = "", ncol: int = 1, loc: str = "best") -> None:
    handles, _labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc=loc, ncol=ncol, title=mathtext(title) if title else None,
                  title_fontsize=13, alignment="left")


def _log_room(ax: Axes, values: Sequence[np.ndarray], *, decades_above: float = 1.5,
              max_decades: float = 8.0) -> None:
    """Log y range from the positive finite values, with room above for the legend."""
    v = np.concatenate([np.ravel(np.asarray(a, float)) for a in values]) if values else np.ones(1)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return
    hi = float(v.max())
    lo = max(float(v.min()), hi * 10.0 ** -max_decades)
    ax.set_ylim(lo / 2.0, hi * 10.0 ** decades_above)


def plot_limit_band(path: Path, x: np.ndarray, observed: np.ndarray | None,
                    expected: np.ndarray, *, xlabel: str, ylabel: str, lumi_label: str,
                    observed_label: str = "Observed (pseudo-data)",
                    references: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
                    bands: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
                    logy: bool = True, title: str = "", logx: bool = False,
                    legend_title: str = "") -> Path:
    """Brazil-band limit plot. ``expected`` is (5, n) ordered −2σ, −1σ, median, +1σ, +2σ.
    ``bands``: name → (x, low, high) favoured regions (e.g. the (g−2)_μ band);
    ``references``: name → (x, y) published curves drawn as lines. ``title`` is accepted for
    older callers and not drawn: the report's caption says what the plot shows."""
    del title
    order = np.argsort(np.asarray(x, float), kind="stable")
    x = np.asarray(x, float)[order]
    exp = _finite(np.asarray(expected, float)[:, order])
    with figure(path) as (_fig, ax):
        drawn: list[np.ndarray] = [exp[0], exp[4]]
        for name, (bx, lo, hi) in (bands or {}).items():
            bo = np.argsort(np.asarray(bx, float), kind="stable")
            ax.fill_between(np.asarray(bx, float)[bo], _finite(lo)[bo], _finite(hi)[bo],
                            color="#c9a0dc", alpha=0.55, lw=0, label=mathtext(name), zorder=1)
            drawn += [np.asarray(lo, float), np.asarray(hi, float)]
        ax.fill_between(x, exp[0], exp[4], color=BAND_2S, label=r"Expected $\pm2\sigma$",
                        lw=0, zorder=2)
        ax.fill_between(x, exp[1], exp[3], color=BAND_1S, label=r"Expected $\pm1\sigma$",
                        lw=0, zorder=3)
        ax.plot(x, exp[2], "k--", lw=2, label="Expected (median)", zorder=4)
        lone = _isolated(exp[2])
        if lone.any():  # bands and median of isolated points as bars and ticks
            ax.vlines(x[lone], exp[0][lone], exp[4][lone], color=BAND_2S, lw=9, zorder=2)
            ax.vlines(x[lone], exp[1][lone], exp[3][lone], color=BAND_1S, lw=9, zorder=3)
            ax.plot(x[lone], exp[2][lone], "k_", ms=16, mew=2, zorder=4)
        if observed is not None:
            obs = _finite(np.asarray(observed, float)[order])
            ax.plot(x, obs, "k-", lw=2.5, label=mathtext(observed_label), zorder=5)
            ax.plot(x[_isolated(obs)], obs[_isolated(obs)], "ko", ms=6, zorder=5)
            drawn.append(obs)
        for (name, (rx, ry)), (colour, ls) in zip((references or {}).items(),
                                                  PUBLISHED_STYLES * 4):
            ro = np.argsort(np.asarray(rx, float), kind="stable")
            ax.plot(np.asarray(rx, float)[ro], _finite(ry)[ro], color=colour, ls=ls, lw=2.2,
                    label=mathtext(name), zorder=6)
            drawn.append(np.asarray(ry, float))
        if logy:
            ax.set_yscale("log")
            _log_room(ax, drawn)
        _set_x(ax, x, xlabel, logx)
        ax.set_ylabel(mathtext(ylabel))
        _legend(ax, legend_title, loc="upper left")
        experiment_label(ax, lumi_label)
    return path


def plot_limit_slices(path: Path, slices: Mapping[str, tuple[np.ndarray, np.ndarray]], *,
                      xlabel: str, ylabel: str, lumi_label: str,
                      references: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
                      logy: bool = True, logx: bool = False, legend_title: str = "") -> Path:
    """Expected limits along one axis for a few values of another: per slice the median as a
    line and ±1σ as a light band of the same colour. ``slices``: label → (x, expected (5, n))."""
    with figure(path) as (_fig, ax):
        drawn: list[np.ndarray] = []
        xs: list[np.ndarray] = []
        for (name, (sx, sexp)), colour in zip(slices.items(), CURVE_COLOURS * 4):
            o = np.argsort(np.asarray(sx, float), kind="stable")
            sx = np.asarray(sx, float)[o]
            e = _finite(np.asarray(sexp, float)[:, o])
            ax.fill_between(sx, e[1], e[3], color=colour, alpha=0.18, lw=0)
            ax.plot(sx, e[2], color=colour, lw=2.2, marker="o", ms=4, label=mathtext(name))
            drawn += [e[1], e[3]]
            xs.append(sx)
        for (name, (rx, ry)), (colour, ls) in zip((references or {}).items(),
                                                  PUBLISHED_STYLES * 4):
            ro = np.argsort(np.asarray(rx, float), kind="stable")
            ax.plot(np.asarray(rx, float)[ro], _finite(ry)[ro], color=colour, ls=ls, lw=2,
                    marker="*" if len(ro) == 1 else None, ms=14, label=mathtext(name))
        if logy:
            ax.set_yscale("log")
            _log_room(ax, drawn)
        _set_x(ax, np.concatenate(xs) if xs else np.zeros(0), xlabel, logx)
        ax.set_ylabel(mathtext(ylabel))
        _legend(ax, legend_title, loc="upper left")
        experiment_label(ax, lumi_label)
    return path


_HATCH = "#777777"


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous runs of True as (first, last + 1) index pairs."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, m in enumerate(np.append(np.asarray(mask, bool), False)):
        if m and start is None:
            start = i
        elif not m and start is not None:
            runs.append((start, i))
            start = None
    return runs


def plot_stack(path: Path, edges: np.ndarray, backgrounds: Mapping[str, np.ndarray], *,
               signals: Mapping[str, np.ndarray] | None = None, data: np.ndarray | None = None,
               xlabel: str, lumi_label: str, logy: bool = True, title: str = "",
               mc_events: Mapping[str, np.ndarray] | None = None,
               ylabel: str = "Events / bin", data_label: str = "Pseudo-data") -> Path:
    """Stacked background histograms with signals overlaid as lines and (pseudo-)data points.

    ``mc_events``: label → number of simulated events per bin behind each background. Where
    no background has a simulated event, the stack is not drawn (the model there would be an
    extrapolation, not simulation) and a hatched band says "no MC events". ``title`` is
    accepted for older callers and not drawn."""
    import mplhep

    del title
    edges = np.asarray(edges, float)
    names = list(backgrounds)
    counts = {n: np.asarray(backgrounds[n], float) for n in names}
    empty = np.zeros(len(edges) - 1, dtype=bool)
    if mc_events is not None and names:
        n_mc = np.sum([np.asarray(mc_events.get(n, np.zeros_like(counts[n])), float)
                       for n in names], axis=0)
        empty = n_mc <= 0
        counts = {n: np.where(empty, 0.0, c) for n, c in counts.items()}
    # the largest contribution on top of the stack, the legend read from the top down
    names.sort(key=lambda n: float(np.sum(counts[n])))
    with figure(path) as (_fig, ax):
        drawn: list[np.ndarray] = []
        floor: list[np.ndarray] = []  # background and data: they set the log-scale floor
        if names:
            mplhep.histplot([counts[n] for n in names], edges, stack=True, histtype="fill",
                            label=[mathtext(n) for n in names], ax=ax,
                            color=[BACKGROUND_COLOURS[i % len(BACKGROUND_COLOURS)]
                                   for i in range(len(names))], edgecolor="none")
            total = np.sum([counts[n] for n in names], axis=0)
            mplhep.histplot(total, edges, histtype="step", color="#333333", lw=1, ax=ax)
            drawn.append(total)
            floor.append(total)
        for (name, sig), (colour, ls) in zip((signals or {}).items(), SIGNAL_STYLES * 4):
            sig = np.asarray(sig, float)
            mplhep.histplot(sig, edges, histtype="step", lw=2.8, color=colour, ls=ls,
                            label=mathtext(name), ax=ax)
            drawn.append(sig)
        if data is not None:
            d = np.asarray(data, float)
            centres = 0.5 * (edges[1:] + edges[:-1])
            nz = d > 0
            ax.errorbar(centres[nz], d[nz], yerr=np.sqrt(d[nz]), fmt="o", color="black",
                        ms=5, lw=1.5, label=mathtext(data_label), zorder=10)
            drawn.append(d)
        runs = _runs(empty)
        for a, b in runs:
            ax.axvspan(edges[a], edges[b], facecolor="none", edgecolor=_HATCH, hatch="///",
                       lw=0, zorder=0.5)
            if (edges[b] - edges[a]) > 0.04 * (edges[-1] - edges[0]):
                ax.text(0.5 * (edges[a] + edges[b]), 0.45, "no MC events", rotation=90,
                        ha="center", va="center", transform=ax.get_xaxis_transform(),
                        fontsize=13, color="#444444", zorder=20,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})
        if logy:
            ax.set_yscale("log")
            # the floor follows the background and the data; signal tails may leave the frame
            _log_room(ax, drawn, decades_above=2.0 if len(names) + len(signals or {}) <= 4
                      else 3.0, max_decades=6.0)
            low = np.concatenate([np.ravel(a) for a in floor]) if floor else np.zeros(0)
            low = low[np.isfinite(low) & (low > 0)]
            if low.size:
                ax.set_ylim(bottom=max(ax.get_ylim()[0], 0.3 * float(low.min())))
        else:
            ax.set_ylim(bottom=0)
        ax.set_xlim(float(edges[0]), float(edges[-1]))
        ax.set_xlabel(mathtext(xlabel))
        ax.set_ylabel(mathtext(ylabel))
        handles, labels = ax.get_legend_handles_labels()
        # backgrounds as stacked (top first), then signals, data, the hatched band
        n_bkg = len(names)
        order = list(range(n_bkg))[::-1] + list(range(n_bkg, len(handles)))
        handles, labels = [handles[i] for i in order], [labels[i] for i in order]
        if runs:
            handles.append(Patch(facecolor="white", edgecolor=_HATCH, hatch="///", lw=0))
            labels.append("no MC events")
        if handles:
            # long signal labels in two columns would run out of the frame
            two = len(handles) > 5 and max(len(lb) for lb in labels) <= 28
            ax.legend(handles, labels, loc="upper right", ncol=2 if two else 1,
                      fontsize=12 if two or len(handles) <= 5 else 10)
        experiment_label(ax, lumi_label)
    return path


def plot_curves(path: Path, x: np.ndarray | None,
                curves: Mapping[str, np.ndarray | tuple[np.ndarray, np.ndarray]], *,
                xlabel: str, ylabel: str, lumi_label: str = "", logy: bool = False,
                title: str = "", markers: Sequence[str] = ("o-", "s-", "^-", "v-", "D-"),
                logx: bool = False, legend_title: str = "",
                ylim: tuple[float | None, float | None] | None = None
                ) -> Path:
    """Curves against x (efficiency, resolution, …). A curve is either y values on the shared
    ``x`` or its own (x, y) pair, so a family (one curve per value of a second axis) can have
    different points. ``title`` is accepted for older callers and not drawn."""
    del title
    with figure(path) as (_fig, ax):
        xs: list[np.ndarray] = []
        for (name, curve), marker, colour in zip(curves.items(), list(markers) * 8,
                                                 CURVE_COLOURS * 8):
            if isinstance(curve, tuple):
                cx, cy = (np.asarray(c, float) for c in curve)
            else:
                if x is None:
                    raise ValueError(f"curve '{name}' has no x values: give x or (x, y) pairs")
                cx, cy = np.asarray(x, float), np.asarray(curve, float)
            o = np.argsort(cx, kind="stable")
            ax.plot(cx[o], _finite(cy[o]), marker, color=colour, lw=2, ms=5,
                    label=mathtext(name))
            lone = _isolated(_finite(cy[o]))
            ax.plot(cx[o][lone], cy[o][lone], "o", color=colour, ms=5)
            xs.append(cx)
        if logy:
            ax.set_yscale("log")
        if ylim is not None:
            ax.set_ylim(*ylim)
        _set_x(ax, np.concatenate(xs) if xs else np.zeros(0), xlabel, logx)
        ax.set_ylabel(mathtext(ylabel))
        if len(curves) > 1 or legend_title:
            _legend(ax, legend_title)
        experiment_label(ax, lumi_label)
    return path


def _triangulation_mask(x: np.ndarray, y: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Triangles to leave blank: those bridging a gap of the (irregular) grid, i.e. with an
    edge longer than two grid steps along either axis, so no colour is invented between
    distant points (e.g. across a kinematically forbidden corner); the diagonal of one grid
    cell, however uneven the steps, is kept."""
    def step(v: np.ndarray) -> float:
        d = np.diff(np.unique(v))
        return float(np.median(d)) if d.size else 1.0

    u, v = x / step(x), y / step(y)
    pts = np.stack([u, v], axis=1)[triangles]  # (n_tri, 3, 2)
    span = np.abs(pts - np.roll(pts, 1, axis=1)).max(axis=2)  # per edge, the longer axis
    return span.max(axis=1) > 2.05


def _padded(v: np.ndarray, log: bool, frac: float = 0.04) -> tuple[float, float]:
    """Axis range around the points with a margin, so markers on the edge stay whole."""
    t = np.log10(v) if log else v
    lo, hi = float(t.min()), float(t.max())
    pad = frac * (hi - lo) if hi > lo else 0.5
    lo, hi = lo - pad, hi + pad
    return (10.0 ** lo, 10.0 ** hi) if log else (lo, hi)


def log_ticks(lo: float, hi: float) -> list[float]:
    """Round ticks (1, 2, 5 × 10ⁿ; all mantissas over a short range) between lo and hi."""
    e0, e1 = int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi)))
    for mantissas in ((1.0,), (1.0, 3.0), (1.0, 2.0, 5.0), tuple(range(1, 10))):
        ticks = [t for e in range(e0, e1 + 1) for m in mantissas
                 if lo * (1 - 1e-9) <= (t := float(f"{m:g}e{e}")) <= hi * (1 + 1e-9)]
        if len(ticks) >= 3:
            return ticks if len(ticks) <= 12 else ticks[:: len(ticks) // 8 + 1]
    # less than a factor ~1.3 between lo and hi: four ticks at two significant digits
    return sorted({float(f"{t:.2g}") for t in np.geomspace(lo, hi, 4)})


def tick_label(value: float) -> str:
    """A tick in plain digits within 10⁻²…10⁴, as m×10ⁿ beyond."""
    if 1e-2 <= value < 1e4:
        return f"{value:g}"
    e = int(np.floor(np.log10(value)))
    m = value / 10.0 ** e
    return f"$10^{{{e}}}$" if abs(m - 1) < 1e-9 else f"${m:g}\\times10^{{{e}}}$"


def plot_limit_map(path: Path, x: np.ndarray, y: np.ndarray, z: np.ndarray, *, xlabel: str,
                   ylabel: str, zlabel: str, lumi_label: str, logx: bool = False,
                   logy: bool = False) -> Path:
    """A limit over a two-dimensional signal grid: colour (log scale) filled over the
    triangulated points, the points themselves marked; triangles spanning gaps of the grid are
    left blank. With fewer than three usable points, large square markers instead."""
    from matplotlib.colors import LogNorm
    from matplotlib.tri import Triangulation

    x, y, z = (np.asarray(a, float) for a in (x, y, z))
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(z) & (z > 0)
    x, y, z = x[ok], y[ok], z[ok]
    with figure(path, figsize=(8.5, 6.5)) as (fig, ax):
        if z.size == 0:
            ax.text(0.5, 0.5, "no finite limit on this grid", ha="center", va="center",
                    transform=ax.transAxes)
        else:
            lo, hi = float(z.min()), float(z.max())
            if hi <= lo * 1.0001:
                lo, hi = lo / 1.5, hi * 1.5
            norm = LogNorm(vmin=lo, vmax=hi)
            mappable = None
            tx, ty = (np.log10(x) if logx else x), (np.log10(y) if logy else y)
            if z.size >= 3:
                try:
                    tri = Triangulation(tx, ty)
                    tri.set_mask(_triangulation_mask(tx, ty, tri.triangles))
                    tri = Triangulation(x, y, tri.triangles, mask=tri.mask)
                    levels = np.geomspace(lo, hi, 15)
                    mappable = ax.tricontourf(tri, z, levels=levels, norm=norm, cmap="viridis")
                except (RuntimeError, ValueError):  # collinear points: no triangulation
                    mappable = None
            if mappable is None:
                mappable = ax.scatter(x, y, c=z, norm=norm, cmap="viridis", marker="s", s=220)
            else:
                ax.plot(x, y, "o", mfc="white", mec="black", mew=0.6, ms=4,
                        label="simulated points")
            bar = fig.colorbar(mappable, ax=ax, pad=0.02)
            ticks = log_ticks(lo, hi)
            bar.set_ticks(ticks, labels=[tick_label(t) for t in ticks])
            bar.ax.minorticks_off()
            bar.set_label("\n".join(mathtext(line) for line in zlabel.split("\n")),
                          fontsize=15)
            from matplotlib.ticker import FuncFormatter

            for axis, log, set_scale in ((ax.xaxis, logx, ax.set_xscale),
                                         (ax.yaxis, logy, ax.set_yscale)):
                if log:  # plain numbers (0.2, 5), as on the one-dimensional plots
                    set_scale("log")
                    axis.set_major_formatter(FuncFormatter(_plain_tick))
                    axis.set_minor_formatter(FuncFormatter(_minor_tick))
            ax.set_xlim(*_padded(x, logx))
            ax.set_ylim(*_padded(y, logy))
        ax.set_xlabel(mathtext(xlabel))
        ax.set_ylabel(mathtext(ylabel))
        experiment_label(ax, lumi_label)
    return path


def plot_angle_map(path: Path, x_edges: np.ndarray, y_edges: np.ndarray, counts: np.ndarray,
                   *, xlabel: str, ylabel: str, zlabel: str, lumi_label: str,
                   x_lines: Sequence[float] = ()) -> Path:
    """Expected events in bins of two angles (colour, log scale; empty bins blank), with
    vertical lines at ``x_lines`` (e.g. the edges of the calorimeter's regions)."""
    from matplotlib.colors import LogNorm

    h = np.asarray(counts, float)
    with figure(path, figsize=(9.5, 6.0)) as (fig, ax):
        positive = h[h > 0]
        if positive.size == 0:
            ax.text(0.5, 0.5, "nothing lost", ha="center", va="center", transform=ax.transAxes)
        else:
            lo, hi = float(positive.min()), float(positive.max())
            norm = LogNorm(vmin=lo, vmax=max(hi, lo * 1.0001))
            mesh = ax.pcolormesh(x_edges, y_edges, np.where(h > 0, h, np.nan).T, norm=norm,
                                 cmap="viridis")
            fig.colorbar(mesh, ax=ax, pad=0.02).set_label(mathtext(zlabel), fontsize=15)
        for x in x_lines:
            ax.axvline(x, color="grey", lw=0.8, ls="--")
        ax.set_xlim(float(x_edges[0]), float(x_edges[-1]))
        ax.set_ylim(float(y_edges[0]), float(y_edges[-1]))
        ax.set_xlabel(mathtext(xlabel))
        ax.set_ylabel(mathtext(ylabel))
        experiment_label(ax, lumi_label)
    return path
