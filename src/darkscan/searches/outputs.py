"""Plots and HEPData tables of a recoil-window search."""

from __future__ import annotations

import numpy as np

from darkscan.report import HepDataTable, plot_curves, plot_limit_band, plot_stack, write_hepdata
from darkscan.searches.engine import SearchResult
from darkscan.searches.spec import RecoilWindowSearch


def write_plots_and_hepdata(search: RecoilWindowSearch, result: SearchResult, edges: np.ndarray,
                            bkg_hist: dict[str, np.ndarray], pseudo: np.ndarray,
                            selected: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    # masses without selected signal have infinite limits: no curve point, no HEPData row
    ok = np.isfinite(result.table["sigma_ul_exp"])
    t = {k: np.asarray(v)[ok] for k, v in result.table.items()}
    m, lum = result.masses[ok], str(result.lumi)
    plots = result.out_dir / "plots"
    sig_exp = np.array([t[f"sigma_ul_exp_{q}"] if q != "exp" else t["sigma_ul_exp"]
                        for q in ("m2", "m1", "exp", "p1", "p2")])
    plot_limit_band(plots / "sigma_limit.png", m, 1e3 * t["sigma_ul_obs"], 1e3 * sig_exp,
                    xlabel="M [GeV]", ylabel=f"{int(search.cl * 100)}% CL σ × B [fb]",
                    lumi_label=lum, title=search.name)
    for itp in search.interpretations:
        key = f"{itp.coupling}_ul_{itp.model}"
        band = np.array([t[f"{key}_exp_{q}"] if q != "exp" else t[f"{key}_exp"]
                         for q in ("m2", "m1", "exp", "p1", "p2")])
        extra = search.validation.get("coupling_bands", {})
        bands = {name: fn(m) for name, fn in extra.items()}  # type: ignore[union-attr]
        bands = {name: (m, lo, hi) for name, (lo, hi) in bands.items()}
        plot_limit_band(plots / f"{key}.png", m, t[f"{key}_obs"], band,
                        xlabel="M [GeV]", ylabel=f"{int(search.cl * 100)}% CL {itp.coupling} "
                        f"({itp.model})", lumi_label=lum, bands=bands, title=itp.description)
    plot_curves(plots / "efficiency.png", m, {"signal efficiency": t["efficiency"]},
                xlabel="M [GeV]", ylabel="efficiency in window", lumi_label=lum,
                title=search.name)
    plot_curves(plots / "resolution.png", m, {"resolution": t["resolution"]},
                xlabel="M [GeV]", ylabel=f"{search.discriminant} resolution "
                f"[{search.discriminant_unit}]", lumi_label=lum, title=search.name)
    # stacks: coarse rebinning of the fine histograms, a few signal masses overlaid
    factor = max(1, len(edges) // 120)
    coarse = edges[::factor]
    n = len(coarse) - 1

    def rebin(h: np.ndarray) -> np.ndarray:
        return np.add.reduceat(h[: n * factor], np.arange(0, n * factor, factor))

    picks = m[np.linspace(0, len(m) - 1, min(3, len(m))).astype(int)]
    signals = {}
    for mass in picks:
        x, w = selected[f"signal_m{mass:g}"]
        # normalise the overlay to the expected limit so that its size means something
        scale = t["sigma_ul_exp"][list(m).index(mass)] / max(
            t["sigma_signal_ref_pb"][list(m).index(mass)], 1e-300)
        signals[f"Z′ {mass:g} GeV (σ at exp. limit)"] = np.histogram(x, coarse,
                                                                      weights=w * scale)[0]
    plot_stack(plots / "discriminant_stack.png", coarse,
               {k: rebin(v) for k, v in bkg_hist.items()}, signals=signals,
               data=rebin(pseudo), xlabel=f"{search.discriminant_label} "
               f"[{search.discriminant_unit}]", lumi_label=lum, title=search.name)

    tables = [HepDataTable(
        "Cross-section limits", f"{int(search.cl * 100)}% CL upper limits on σ × B for "
        f"{search.title}. darkscan simulation at {lum}; 'observed' uses pseudo-data.",
        "M", "GeV", m, {"observed σ×B UL (pseudo-data)": ("pb", t["sigma_ul_obs"]),
                        "expected σ×B UL": ("pb", t["sigma_ul_exp"]),
                        "expected −1σ": ("pb", t["sigma_ul_exp_m1"]),
                        "expected +1σ": ("pb", t["sigma_ul_exp_p1"]),
                        "expected −2σ": ("pb", t["sigma_ul_exp_m2"]),
                        "expected +2σ": ("pb", t["sigma_ul_exp_p2"])},
        keywords={"cmenergies": ["10580"]}, qualifiers={"CL": f"{search.cl}"})]
    for itp in search.interpretations:
        key = f"{itp.coupling}_ul_{itp.model}"
        tables.append(HepDataTable(
            f"Coupling limits {itp.model}", f"{int(search.cl * 100)}% CL upper limits on "
            f"{itp.coupling}: {itp.description}.", "M", "GeV", m,
            {f"observed {itp.coupling} UL (pseudo-data)": ("", t[f"{key}_obs"]),
             f"expected {itp.coupling} UL": ("", t[f"{key}_exp"])},
            qualifiers={"CL": f"{search.cl}"}))
    tables.append(HepDataTable(
        "Signal efficiency and resolution", "Signal efficiency in the window and Gaussian-core "
        f"resolution of {search.discriminant}.", "M", "GeV", m,
        {"efficiency": ("", t["efficiency"]),
         "resolution": (search.discriminant_unit, t["resolution"])}))
    write_hepdata(result.out_dir / "hepdata", tables,
                  comment=f"darkscan simulation of {search.title} ({', '.join(search.references)})")
