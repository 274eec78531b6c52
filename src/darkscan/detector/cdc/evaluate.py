"""Track-finding figures of merit with the matching of the CAT Finder paper.

The CAT Finder paper (Reuter et al., arXiv:2411.13596, Comput. Softw. Big Sci. 2025) evaluates
both finders with Belle II's track matching (basf2 ``MCRecoTracksMatcher``, documented in the
basf2 tracking manual, "Track Matching" [READ: software.belle2.org, sphinx/tracking/doc/
trackMatching.html]; its use by the paper [RECALLED]):

- hit purity of a found track w.r.t. an MC particle = shared hits / hits of the track; hit
  efficiency = shared hits / hits of the MC particle. A found track is related to the MC
  particle with which it shares most hits, if the purity is ≥ 2/3 and the hit efficiency
  ≥ 0.05;
- each MC particle keeps the related track with the highest hit efficiency: that track is
  *matched*; further tracks related to it are *clones*; tracks related to none are *fakes*
  (background, when most of their hits are beam background, or ghosts);
- efficiency = MC particles with a matched track of the correct charge / MC particles (the
  paper's "combined track finding and fitting charge efficiency"); finding efficiency drops the
  charge condition; fake rate = fakes / found tracks; clone rate = clones / (matched + clones).

MC particles: every particle with at least ``MIN_MC_HITS`` = 5 CDC hits, the MC tracks of basf2's
``TrackFinderMCTruthRecoTracks`` (its ``MinimalNDF`` = 5 by default, a CDC hit counting one [READ:
basf2 tracking/modules/trackFinderMCTruth]); the hits of particles with fewer count as
background. Binned by the transverse radius of the production vertex and by p_T.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

PURITY_MIN = 2.0 / 3.0
MIN_MC_HITS = 5
HIT_EFFICIENCY_MIN = 0.05
RADIUS_BINS = (0.0, 1.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 120.0)
PT_BINS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else float("nan")


def match(hits: dict[str, np.ndarray], tracks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per MC particle (``mc_*``) and per track (``trk_*``) the matching labels."""
    sig = np.asarray(hits["is_signal"], bool)
    evt = np.asarray(hits["evt_id"], np.int64)
    obj = np.asarray(hits["objidx"], np.int64)
    # particles with too few hits for an MC track: their hits are background
    key_all = np.where(sig, evt * (1 << 20) + np.maximum(obj, 0), -1)
    _, inv_all, cnt_all = np.unique(key_all, return_inverse=True, return_counts=True)
    sig = sig & (cnt_all[inv_all] >= MIN_MC_HITS)
    # MC particles: distinct (event, objidx) of signal hits
    key_hit = np.where(sig, evt * (1 << 20) + np.maximum(obj, 0), -1)
    mc_keys, mc_of_hit_sig, mc_nhits = np.unique(key_hit[sig], return_inverse=True,
                                                 return_counts=True)
    mc_of_hit = np.full(len(evt), -1)
    mc_of_hit[sig] = mc_of_hit_sig
    n_mc, n_trk = len(mc_keys), len(tracks["evt_id"])
    first = np.zeros(n_mc, np.int64)
    first[mc_of_hit_sig[::-1]] = np.flatnonzero(sig)[::-1]  # one hit row per MC particle
    trk_mc = np.full(n_trk, -1)
    trk_purity = np.zeros(n_trk)
    trk_eff = np.zeros(n_trk)
    trk_bkg = np.zeros(n_trk, bool)
    hit_lists = tracks["hit_index"]
    lens = np.array([len(h) for h in hit_lists], np.int64)
    if n_trk:
        flat = np.concatenate([np.asarray(h, np.int64) for h in hit_lists])
        owner = np.repeat(np.arange(n_trk), lens)
        m = mc_of_hit[flat]
        good = m >= 0
        pair = owner[good] * (n_mc + 1) + m[good]
        up, cnt = np.unique(pair, return_counts=True)
        p_trk, p_mc = up // (n_mc + 1), up % (n_mc + 1)
        # best MC per track: most shared hits
        order = np.lexsort((-cnt, p_trk))
        firsts = np.ones(len(order), bool)
        firsts[1:] = p_trk[order][1:] != p_trk[order][:-1]
        bt, bm, bc = p_trk[order][firsts], p_mc[order][firsts], cnt[order][firsts]
        trk_purity[bt] = bc / lens[bt]
        trk_eff[bt] = bc / mc_nhits[bm]
        ok = (trk_purity[bt] >= PURITY_MIN) & (trk_eff[bt] >= HIT_EFFICIENCY_MIN)
        trk_mc[bt[ok]] = bm[ok]
        n_bkg_hits = np.bincount(owner[~good], minlength=n_trk)
        trk_bkg = n_bkg_hits > 0.5 * lens
    # matched: per MC the related track with the highest hit efficiency; others clones
    related = np.flatnonzero(trk_mc >= 0)
    order = related[np.lexsort((-trk_eff[related], trk_mc[related]))]
    is_first = np.ones(len(order), bool)
    is_first[1:] = trk_mc[order][1:] != trk_mc[order][:-1]
    status = np.full(n_trk, "fake", dtype=object)
    status[order[is_first]] = "matched"
    status[order[~is_first]] = "clone"
    mc_track = np.full(n_mc, -1)
    mc_track[trk_mc[order[is_first]]] = order[is_first]
    mc_charge = np.asarray(hits["cdchit_mc_charge"], float)[first]
    trk_charge = np.asarray(tracks["charge"], float)
    found = mc_track >= 0
    right_charge = np.zeros(n_mc, bool)
    right_charge[found] = np.sign(trk_charge[mc_track[found]]) == np.sign(mc_charge[found])
    vx = np.asarray(hits["cdchit_mc_productionvertex_x"], float)[first]
    vy = np.asarray(hits["cdchit_mc_productionvertex_y"], float)[first]
    px = np.asarray(hits["cdchit_mc_px"], float)[first]
    py = np.asarray(hits["cdchit_mc_py"], float)[first]
    return {"mc_found": found, "mc_efficient": found & right_charge, "mc_radius": np.hypot(vx, vy),
            "mc_pt": np.hypot(px, py), "mc_nhits": mc_nhits, "mc_evt": mc_keys >> 20,
            "trk_status": status, "trk_mc": trk_mc, "trk_purity": trk_purity,
            "trk_background": trk_bkg & (status == "fake"),
            "trk_radius": np.where(trk_mc >= 0, np.hypot(vx, vy)[np.maximum(trk_mc, 0)], np.nan)}


def _summary(m: dict[str, np.ndarray], sel_mc: np.ndarray, sel_trk: np.ndarray
             ) -> dict[str, float]:
    st = m["trk_status"][sel_trk]
    n_match, n_clone, n_fake = (int(np.sum(st == s)) for s in ("matched", "clone", "fake"))
    return {"n_mc": int(sel_mc.sum()), "n_tracks": int(sel_trk.sum()),
            "efficiency": _ratio(m["mc_efficient"][sel_mc].sum(), sel_mc.sum()),
            "finding_efficiency": _ratio(m["mc_found"][sel_mc].sum(), sel_mc.sum()),
            "fake_rate": _ratio(n_fake, len(st)),
            "clone_rate": _ratio(n_clone, n_match + n_clone)}


def evaluate(hits: dict[str, np.ndarray], tracks: dict[str, np.ndarray],
             radius_bins: tuple[float, ...] = RADIUS_BINS,
             pt_bins: tuple[float, ...] = PT_BINS) -> dict[str, object]:
    """Summary and tables against production radius and p_T (JSON-ready). Fakes have no true
    radius: in the radius table the fake rate counts the fakes of events with a particle in the
    bin … which is ill-defined, so a bin's fake rate there is that of all tracks whose first
    hit radius lies in the bin."""
    m = match(hits, tracks)
    n_trk = len(m["trk_status"])
    all_trk = np.ones(n_trk, bool)
    r_first = np.hypot(np.asarray(tracks.get("x_first", np.full(n_trk, np.nan)), float),
                       np.asarray(tracks.get("y_first", np.full(n_trk, np.nan)), float))
    out: dict[str, object] = {"summary": _summary(m, np.ones(len(m["mc_found"]), bool), all_trk),
                              "matching": {"purity_min": PURITY_MIN,
                                           "hit_efficiency_min": HIT_EFFICIENCY_MIN}}
    rows = []
    for lo, hi in itertools.pairwise(radius_bins):
        sel = (m["mc_radius"] >= lo) & (m["mc_radius"] < hi)
        # tracks: matched/clones by their particle's radius, fakes by the first-hit radius
        # less the typical gap to the first layer (≈ the production radius of fakes is unknown)
        tr = np.where(np.isnan(m["trk_radius"]), np.maximum(r_first - 16.8, 0.0),
                      m["trk_radius"])
        sel_t = (tr >= lo) & (tr < hi)
        rows.append({"lo": lo, "hi": hi, **_summary(m, sel, sel_t)})
    out["vs_radius"] = rows
    rows = []
    for lo, hi in itertools.pairwise(pt_bins):
        sel = (m["mc_pt"] >= lo) & (m["mc_pt"] < hi)
        s = _summary(m, sel, all_trk)
        rows.append({"lo": lo, "hi": hi, "n_mc": s["n_mc"], "efficiency": s["efficiency"],
                     "finding_efficiency": s["finding_efficiency"]})
    out["vs_pt"] = rows
    return out


def plot_vs_radius(results: dict[str, dict[str, object]], path: str | Path) -> Path:
    """Efficiency and fake rate against production radius, one curve per finder."""
    from matplotlib.figure import Figure  # no pyplot: no global backend state

    fig = Figure(figsize=(6, 6))
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    for name, res in results.items():
        rows = res["vs_radius"]  # type: ignore[index]
        edges = [r["lo"] for r in rows] + [rows[-1]["hi"]]
        ax1.stairs([100 * r["efficiency"] for r in rows], edges, label=name)
        ax2.stairs([100 * r["fake_rate"] for r in rows], edges, label=name)
    ax1.set_ylabel("efficiency (correct charge) [%]")
    ax2.set_ylabel("fake rate [%]")
    ax2.set_xlabel("production radius [cm]")
    ax1.set_ylim(0, 100)
    ax1.legend()
    ax1.set_title("CDC track finding (matching of arXiv:2411.13596)")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    return path
