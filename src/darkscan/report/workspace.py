"""pyhf JSON of a search's statistical model, as Belle II and the LHC experiments publish it
on HEPData: a background-only workspace (``pyhf/BkgOnly.json``: one single-bin channel per
signal point's window and analysis channel, and per bin of a window where the extraction bins
it, the observed count, the background with its constraint) and a patchset
(``pyhf/patchset.json``) whose patch for a point adds its signal.
A fit (sliding, template) enters as the equivalent counting experiment the limits use.

The signal of a patch is normalised so that μ = 1 is the point's expected limit on the
search's quantity (σ × B in pb, or a branching fraction); ``pyhf/normalisation.csv`` lists
that value per point, so μ_UL × it is the limit. A point's workspace is
``pyhf.Workspace(pyhf.patchset.Patch(patch).apply(bkg_only))`` (pyhf's ``PatchSet`` wants a
HEPData record in the metadata, which a simulation does not have)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from darkscan.searches.result import COMBINED, write_csv

if TYPE_CHECKING:
    from darkscan.searches.result import SearchResult

WORKSPACE = "BkgOnly.json"
#: how darkscan set the limits that normalise the patches (pyhf's asymptotic calculator on the
#: same workspace agrees with "cls"; with few events per bin toys give weaker limits)
_METHOD_WORDS = {"cls": "asymptotic CLs", "toys": "CLs from toys", "bayes": "Bayesian"}
PATCHSET = "patchset.json"
NORMALISATION = "normalisation.csv"


def write_workspace(result: SearchResult, out_dir: Path) -> Path | None:
    """Write the workspace, patchset and normalisation under ``out_dir``; None when the
    result carries no counting experiment or no point has a signal."""
    from darkscan.stats.pyhf_adapter import counting_workspace, signal_patchset

    c = result.counting
    if not c:
        return None
    channel = result.channel
    n = len(channel) // len(set(channel.tolist()))  # signal points (rows per channel)
    rows = [i for i in range(len(channel))
            if channel[i] != COMBINED and np.isfinite(c["n_obs"][i])]
    # a binned extraction: each bin of a window is a channel of its own
    bins = [f"_bin{k}" for k in range(len(c)) if f"n_obs_bin{k}" in c] or [""]
    names = {(i, b): _name(f"{channel[i] if result.has_channels else 'window'}_{i % n}{b}")
             for i in rows for b in bins}
    median = np.asarray(result.limits.expected[2], float)
    patches, norm_rows = [], []
    for j in range(n):
        mine = [i for i in rows if i % n == j and np.isfinite(c["signal_per_unit"][i])]
        ref = _reference(median, channel, j, n, mine)
        if not mine or not np.isfinite(ref):
            continue  # blind here: no signal, no patch
        values = [float(result.points[a.name][j]) for a in result.axes]
        label = _name("_".join(f"{a.name}_{v:g}" for a, v in zip(result.axes, values,
                                                                 strict=True)))
        patches.append((label, values, {names[i, b]: float(c[f"signal_per_unit{b}"][i] * ref)
                                        for i in mine for b in bins}))
        norm_rows.append((*values, ref))
    if not patches:
        return None
    keys = [(i, b) for i in rows for b in bins]
    ws = counting_workspace([names[k] for k in keys], [c[f"n_obs{b}"][i] for i, b in keys],
                            [c[f"bkg{b}"][i] for i, b in keys],
                            [c[f"bkg_unc{b}"][i] for i, b in keys])
    quantity = f"{result.quantity}" + (" (pb)" if result.quantity == "sigma" else "")
    patchset = signal_patchset(ws, [a.name for a in result.axes], patches, (
        f"darkscan simulation of {result.title} at {result.lumi}: one patch per signal point "
        f"adds its signal; mu = 1 is the point's expected limit on {quantity} "
        f"({_METHOD_WORDS.get(result.method, result.method)}), in {NORMALISATION}; observed "
        "counts are pseudo-data"))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / WORKSPACE).write_text(json.dumps(ws, indent=1))
    (out_dir / PATCHSET).write_text(json.dumps(patchset, indent=1))
    table = np.array(norm_rows, float)
    write_csv(out_dir / NORMALISATION,
              {**{a.name: table[:, k] for k, a in enumerate(result.axes)},
               f"{result.quantity}_at_mu_1": table[:, -1]})
    return out_dir


def _name(text: str) -> str:
    """A name pyhf's schema takes ([a-zA-Z0-9_]+): 0.25 → 0p25, 1e-05 → 1em05, K+ → Kp."""
    for a, b in ((".", "p"), ("-", "m"), ("+", "p"), ("*", "st")):
        text = text.replace(a, b)
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in text)


def _reference(median: np.ndarray, channel: np.ndarray, j: int, n: int, mine: list[int]
               ) -> float:
    """μ = 1's value of the quantity at point ``j``: the combination's expected limit where
    there is one, else the best channel's."""
    combined = [i for i in range(len(channel)) if channel[i] == COMBINED and i % n == j]
    cands = [median[i] for i in (combined or mine) if np.isfinite(median[i])]
    return float(min(cands)) if cands else float("nan")
