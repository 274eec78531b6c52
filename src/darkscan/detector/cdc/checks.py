"""Validation of the CDC hit simulation and the track finders (``darkscan validate``): hits per
track and drift times against Belle II's CDC, the displaced-track benchmark of the CAT Finder
paper (arXiv:2411.13596: baseline 52.2% efficiency / 4.1% fakes, GNN 85.4% / 2.5%) and the
prompt-track efficiency of both finders. Efficiencies follow :mod:`.evaluate` (basf2 matching,
correct charge); the displaced benchmark's efficiency counts the LLP daughters only, its fake
rate all tracks of the events."""

from __future__ import annotations

from functools import cache

import numpy as np

from darkscan.detector.cdc.digitize import drift_time_from_tdc
from darkscan.detector.cdc.evaluate import match
from darkscan.detector.cdc.geometry import cdc_geometry
from darkscan.detector.cdc.hits import Table, simulate_process
from darkscan.registry import Measurement, check

#: displaced-benchmark events: ≈ 5 400 LLP daughters, so that the statistical error of an
#: efficiency (±0.7 points binomial; the spread of 1000-event samples over seeds, ±2 points for
#: the baseline, adds the LLP kinematics of each event) is small beside the ±8-point tolerance
#: (600 events before 2026-12-07: the baseline read 60.7% at this seed, 56.8–62.5% at four others)
N_DISPLACED = 3000
N_PROMPT = 400
_PAPER = "Reuter et al., CAT Finder, arXiv:2411.13596 (Comput. Softw. Big Sci. 2025), abstract"


@cache
def _sample(process: str, n: int) -> Table:
    return simulate_process(process, n, seed=2411)


@cache
def _found(process: str, n: int, finder: str) -> tuple[Table, Table]:
    from darkscan.detector.cdc.finding import find_tracks

    hits = _sample(process, n)
    return hits, find_tracks(hits, finder)


def _figures(process: str, n: int, finder: str, daughters_only: bool
             ) -> tuple[Measurement, float]:
    """Efficiency (with its binomial error over the MC particles in the note) and fake rate."""
    hits, tracks = _found(process, n, finder)
    m = match(hits, tracks)
    sel = np.ones(len(m["mc_found"]), bool)
    if daughters_only:
        sel = m["mc_radius"] > 0.0  # the prompt pions start at the origin
    eff = float(np.mean(m["mc_efficient"][sel]))
    found = float(np.mean(m["mc_found"][sel]))
    err = float(np.sqrt(eff * (1.0 - eff) / max(int(sel.sum()), 1)))
    fake = float(np.mean(m["trk_status"] == "fake")) if len(m["trk_status"]) else float("nan")
    note = (f"{eff:.3f} ± {err:.3f} (stat) over {int(sel.sum())} MC particles of {n} events; "
            f"found regardless of charge {found:.3f}")
    return Measurement(eff, note), fake


@check("cdc_hits_per_track", reference=54.0, tolerance=0.15, unit="hits",
       provenance="56 layers × 97% hit efficiency for a track crossing the whole CDC; Belle II "
                  "tracks through the whole CDC carry ≈ 50–60 CDC hits (Bertacchi et al., Track "
                  "finding at Belle II, CPC 259 (2021) 107610) [RECALLED]; measured: prompt "
                  "tracks with p_T > 0.6 GeV, 45° < θ < 135°")
def hits_per_track() -> Measurement:
    hits = _sample("prompt_tracks", N_PROMPT)
    sig = hits["is_signal"]
    key = hits["evt_id"][sig] * 64 + hits["objidx"][sig]
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    px, py, pz = (hits[f"cdchit_mc_p{c}"][sig][first] for c in "xyz")
    pt = np.hypot(px, py)
    theta = np.arctan2(pt, pz)
    sel = (pt > 0.6) & (np.abs(theta - np.pi / 2) < np.pi / 4)
    return Measurement(float(np.mean(counts[sel])), f"{int(sel.sum())} tracks")


@check("cdc_drift_time_max", reference=450.0, tolerance=0.2, unit="ns",
       provenance="largest drift times of the 1.8 cm cells (SL1–8), ≈ 450–500 ns in Belle II's "
                  "He–C2H6 50:50 at 1.5 T (Belle II TDR arXiv:1011.0352 CDC chapter) "
                  "[RECALLED]; measured: 99th percentile of the signal drift times, from the TDC "
                  "as a finder reads it")
def drift_time_max() -> Measurement:
    hits = _sample("prompt_tracks", N_PROMPT)
    geo = cdc_geometry()
    sel = hits["is_signal"] & (hits["cdchit_superlayer"] > 0)
    cl = hits["cdchit_clayer"][sel]
    t = drift_time_from_tdc(hits["cdchit_tdc"][sel], geo.radius[cl], geo.z_bwd[cl])
    return Measurement(float(np.percentile(t, 99.0)), f"median {np.median(t):.0f} ns")


@check("cdc_legendre_displaced_efficiency", reference=0.522, tolerance=0.08, kind="absolute",
       provenance=f"{_PAPER}: baseline 52.2% for LLP daughters, uniform in radius to 100 cm. "
                  "Known disagreement: 60.1% ± 0.7 (stat) on 3000 events, 7.9 points above, "
                  "at the edge of the tolerance (with basf2's ≥ 5-hit MC tracks; 68% found "
                  "regardless of charge, against 57.4% in the seed-000 talk's table). Measured "
                  "sensitivity: the efficiency falls by ≈ 8 points per point of beam-background "
                  "occupancy (52% and 44% at 2% and 4%, the fake rate then 11% and 42%); "
                  "darkscan's hits have 1% occupancy [INFERRED], no crosstalk and no dead "
                  "wires, the paper's background is collision data of unknown occupancy here")
def legendre_displaced_efficiency() -> Measurement:
    return _figures("llp_displaced", N_DISPLACED, "legendre", True)[0]


@check("cdc_legendre_displaced_fake_rate", reference=0.041, tolerance=0.04, kind="absolute",
       provenance=f"{_PAPER}: baseline fake rate 4.1%")
def legendre_displaced_fake_rate() -> float:
    return _figures("llp_displaced", N_DISPLACED, "legendre", True)[1]


@check("cdc_legendre_prompt_efficiency", reference=0.95, tolerance=0.05, kind="absolute",
       provenance="Belle II's CDC finding efficiency for prompt tracks with p_T > 0.1 GeV: "
                  "90% and above (Bertacchi et al., CPC 259 (2021) 107610) [RECALLED], i.e. "
                  "0.90–1.00; measured: prompt pions, 1% occupancy")
def legendre_prompt_efficiency() -> Measurement:
    return _figures("prompt_tracks", N_PROMPT, "legendre", False)[0]


@check("cdc_gnn_displaced_efficiency", reference=0.854, tolerance=0.08, kind="absolute",
       provenance=f"{_PAPER}: GNN 85.4% for LLP daughters. Known disagreement: 79.1% ± 0.6 "
                  "(stat) on 3000 events, 6.3 points below (77.9% with the model of "
                  "2026-12-06, four training stages). darkscan's network (width 32, three "
                  "GravNet blocks, five training stages, 95 min on 2 CPU cores) finds 89% of "
                  "the daughters (the seed-000 talk's table: 89.2% for the CAT Finder); a "
                  "track's charge is its circle's sense of rotation for a particle flying away "
                  "from the IP, wrong for 11% of the found daughters, mostly those the network "
                  "clusters into one superlayer's arc (which fixes no curvature; see "
                  ":mod:`.gnn`). At 2% occupancy (trained at 1%) 75–78%")
def gnn_displaced_efficiency() -> Measurement:
    return _figures("llp_displaced", N_DISPLACED, "gnn", True)[0]


@check("cdc_gnn_displaced_fake_rate", reference=0.025, tolerance=0.04, kind="absolute",
       provenance=f"{_PAPER}: GNN fake rate 2.5%")
def gnn_displaced_fake_rate() -> float:
    return _figures("llp_displaced", N_DISPLACED, "gnn", True)[1]


@check("cdc_gnn_prompt_efficiency", reference=0.95, tolerance=0.05, kind="absolute",
       provenance="as cdc_legendre_prompt_efficiency (the CAT Finder matches the baseline for "
                  "prompt tracks, arXiv:2411.13596 [RECALLED])")
def gnn_prompt_efficiency() -> Measurement:
    return _figures("prompt_tracks", N_PROMPT, "gnn", False)[0]
