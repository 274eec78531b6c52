"""Plots in a neutral style (no experiment label is claimed: these are darkscan simulations)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import mplhep
import numpy as np

_BAND_1S, _BAND_2S = "#4daf4a", "#ffd92f"  # the familiar green/yellow bands


def _figure() -> tuple[plt.Figure, plt.Axes]:
    plt.style.use(mplhep.style.ROOT)
    fig, ax = plt.subplots(figsize=(8, 6))
    return fig, ax


def tex(text: str) -> str:
    """Replace characters the plotting font lacks (superscript −1, prime) by mathtext."""
    return text.replace("⁻¹", "$^{-1}$").replace("′", "'").replace("²", "$^2$")


def _label(ax: plt.Axes, lumi_label: str, extra: str = "") -> None:
    lumi_label, extra = tex(lumi_label), tex(extra)
    ax.text(0.02, 1.01, "darkscan simulation" + (f", {extra}" if extra else ""),
            transform=ax.transAxes, fontsize=14, va="bottom")
    ax.text(0.98, 1.01, lumi_label, transform=ax.transAxes, fontsize=14, ha="right",
            va="bottom")


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_limit_band(path: Path, x: np.ndarray, observed: np.ndarray | None,
                    expected: np.ndarray, *, xlabel: str, ylabel: str, lumi_label: str,
                    observed_label: str = "Observed (pseudo-data)",
                    references: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
                    bands: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
                    logy: bool = True, title: str = "") -> Path:
    """Brazil-band limit plot. ``expected`` is (5, n) ordered −2σ, −1σ, median, +1σ, +2σ.
    ``bands``: name → (x, low, high) shaded regions (e.g. a (g−2)_μ favoured band);
    ``references``: name → (x, y) published curves drawn as lines."""
    fig, ax = _figure()
    ax.fill_between(x, expected[0], expected[4], color=_BAND_2S, label="Expected ±2σ", lw=0)
    ax.fill_between(x, expected[1], expected[3], color=_BAND_1S, label="Expected ±1σ", lw=0)
    ax.plot(x, expected[2], "k--", label="Expected (median)")
    if observed is not None:
        ax.plot(x, observed, "k-", lw=2, label=observed_label)
    for name, (bx, lo, hi) in (bands or {}).items():
        ax.fill_between(bx, lo, hi, color="tab:purple", alpha=0.3, lw=0, label=tex(name))
    for name, (rx, ry) in (references or {}).items():
        ax.plot(rx, ry, "-", color="tab:red", lw=1.5, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(tex(xlabel))
    ax.set_ylabel(tex(ylabel))
    ax.set_xlim(float(np.min(x)), float(np.max(x)))
    ax.legend(loc="best", fontsize=12, frameon=False)
    _label(ax, lumi_label, title)
    return _save(fig, path)


def plot_stack(path: Path, edges: np.ndarray, backgrounds: Mapping[str, np.ndarray], *,
               signals: Mapping[str, np.ndarray] | None = None, data: np.ndarray | None = None,
               xlabel: str, lumi_label: str, logy: bool = True, title: str = "") -> Path:
    """Stacked background histograms with signals overlaid and (pseudo-)data points."""
    fig, ax = _figure()
    names = list(backgrounds)
    mplhep.histplot([backgrounds[n] for n in names], edges, stack=True, histtype="fill",
                    label=[tex(n) for n in names], ax=ax, alpha=0.8)
    for name, counts in (signals or {}).items():
        mplhep.histplot(counts, edges, histtype="step", lw=2, label=tex(name), ax=ax)
    if data is not None:
        centres = 0.5 * (edges[1:] + edges[:-1])
        ax.errorbar(centres, data, yerr=np.sqrt(data), fmt="ko", ms=3,
                    label="Pseudo-data")
    if logy:
        ax.set_yscale("log")
        total = np.sum([backgrounds[n] for n in names], axis=0) if names else np.ones(1)
        ax.set_ylim(bottom=max(1e-2, 0.5 * float(np.min(total[total > 0], initial=1.0))))
    ax.set_xlabel(tex(xlabel))
    ax.set_ylabel("Events / bin")
    ax.legend(loc="best", fontsize=11, frameon=False)
    _label(ax, lumi_label, title)
    return _save(fig, path)


def plot_curves(path: Path, x: np.ndarray, curves: Mapping[str, np.ndarray], *, xlabel: str,
                ylabel: str, lumi_label: str = "", logy: bool = False, title: str = "",
                markers: Sequence[str] = ("o-", "s-", "^-", "v-")) -> Path:
    """Simple curves against x (efficiency, resolution, ...)."""
    fig, ax = _figure()
    for (name, y), marker in zip(curves.items(), list(markers) * 4, strict=False):
        ax.plot(x, y, marker, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(tex(xlabel))
    ax.set_ylabel(tex(ylabel))
    if len(curves) > 1:
        ax.legend(loc="best", fontsize=12, frameon=False)
    _label(ax, lumi_label, title)
    return _save(fig, path)
