"""``simulate``: truth sample → reconstructed-event sample (kind ``"reco"``).

Per event: jagged ``tracks``, ``clusters``, ``klm``; flat trigger bits ``trg_*``; truth summary
``mc_*`` (sum of invisible final-state four-momenta, numbers of charged/photon final-state
particles); ``weight``. Everything is computed on the flattened particles of all events at once
and unflattened at the end.
"""

from __future__ import annotations

import os
from typing import Any

import awkward as ak
import numpy as np

from darkscan.detector import background, calorimeter, pid, species, tracking, trigger
from darkscan.detector.parameters import BELLE2_DETECTOR, DetectorParameters
from darkscan.errors import InputFileError
from darkscan.events import STATUS_FINAL, Sample, read_sample, write_sample
from darkscan.physics.experiment import BELLE2, Experiment

REQUIRED = ("pdg", "px", "py", "pz", "E", "vx", "vy", "vz", "status")
_FLOAT_FIELDS = ("px", "py", "pz", "E", "vx", "vy", "vz")


def _columns(sample: Sample) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    ev = sample.events
    fields = ak.fields(ev)
    if "particles" not in fields or "weight" not in fields:
        missing = "particles" if "particles" not in fields else "weight"
        raise InputFileError(f"input sample lacks the column '{missing}'; simulate needs a truth "
                             "sample (darkscan generate)")
    parts = ev["particles"]
    have = ak.fields(parts)
    for name in REQUIRED:
        if name not in have:
            raise InputFileError(f"input sample lacks the particle column '{name}'")
    counts = ak.to_numpy(ak.num(parts, axis=1)).astype(np.int64)
    flat = ak.flatten(parts, axis=1)
    cols = {name: ak.to_numpy(flat[name]) for name in REQUIRED}
    for name in _FLOAT_FIELDS:
        cols[name] = cols[name].astype(np.float64)
        if not np.all(np.isfinite(cols[name])):
            raise InputFileError(f"particle column '{name}' has NaN or infinite values")
    w = ak.to_numpy(ev["weight"]).astype(np.float64)
    if not np.all(np.isfinite(w)):
        raise InputFileError("column 'weight' has NaN or infinite values")
    cols["weight"] = w
    return counts, cols


def _jagged(cols: dict[str, np.ndarray], event: np.ndarray, n_events: int) -> ak.Array:
    """Records grouped by (sorted) event index."""
    counts = np.bincount(event, minlength=n_events)
    cols = {k: np.ascontiguousarray(v) for k, v in cols.items()}
    return ak.unflatten(ak.zip(cols, depth_limit=1), counts)


def _rngs(seed: int | np.random.SeedSequence, n: int) -> list[np.random.Generator]:
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.default_rng(s) for s in ss.spawn(n)]


def simulate(sample: Sample, *, seed: int | np.random.SeedSequence,
             experiment: Experiment = BELLE2, beam_background_rate: float | None = None,
             params: DetectorParameters = BELLE2_DETECTOR) -> Sample:
    """Fast-simulate a truth sample. ``beam_background_rate`` (mean number of background photon
    clusters per event) defaults to ``params.bkg_rate``."""
    counts, c = _columns(sample)
    n_events = len(counts)
    rng_trk, rng_ecl, rng_klm, rng_pid, rng_bkg = _rngs(seed, 5)
    rate = params.bkg_rate if beam_background_rate is None else float(beam_background_rate)
    event_all = np.repeat(np.arange(n_events), counts)
    local_all = np.arange(len(event_all)) - np.repeat(np.cumsum(counts) - counts, counts)

    final = c["status"] == STATUS_FINAL
    idx = np.nonzero(final)[0]
    pdg = c["pdg"][idx].astype(np.int64)
    x, y, z = c["vx"][idx], c["vy"][idx], c["vz"][idx]
    px, py, pz, e = c["px"][idx], c["py"][idx], c["pz"][idx], c["E"][idx]
    ev = event_all[idx]
    charge, mass = species.lookup(pdg)
    p = np.sqrt(px * px + py * py + pz * pz)
    theta = np.arctan2(np.hypot(px, py), pz)
    phi = np.arctan2(py, px)
    invisible = species.is_invisible(pdg, charge)

    # --- tracking ------------------------------------------------------------------------------
    ch = np.nonzero(charge != 0)[0]
    q = np.sign(charge[ch])
    lay = tracking.propagate(x[ch], y[ch], z[ch], px[ch], py[ch], pz[ch], q, params)
    r_max = np.full(len(idx), np.inf)
    r_max[ch] = lay["r_max"]
    found = lay["found"]
    tk = ch[found]
    sm = tracking.smear_tracks(rng_trk, x[tk], y[tk], z[tk], px[tk], py[tk], pz[tk], q[found],
                               mass[tk], {k: v[found] for k, v in lay.items()}, params)

    # --- ECL / KLM -----------------------------------------------------------------------------
    dep = calorimeter.ecl_deposits(rng_ecl, pdg, charge, x, y, z, px, py, pz, e, mass, r_max,
                                   params)
    cl = calorimeter.make_clusters(rng_ecl, dep["deposit"], dep["theta"], phi, params)
    klm = calorimeter.klm_hits(rng_klm, pdg, p, e, theta, dep["region"], params)
    part_to_track = np.full(len(idx), -1, dtype=np.int64)
    track_counts = np.bincount(ev[tk], minlength=n_events)
    part_to_track[tk] = np.arange(len(tk)) - np.repeat(np.cumsum(track_counts) - track_counts,
                                                       track_counts)
    cl_e = np.where(cl["keep"], cl["E"], 0.0)

    # --- PID -----------------------------------------------------------------------------------
    p_trk = np.sqrt(sm["px"] ** 2 + sm["py"] ** 2 + sm["pz"] ** 2)
    scores = pid.pid_scores(rng_pid, np.abs(pdg[tk]), p[tk], theta[tk], cl["keep"][tk], params)
    tracks = {k: sm[k] for k in ("px", "py", "pz", "charge", "d0", "z0", "phi0", "tanl",
                                 "sigma_d0", "sigma_z0")}
    tracks.update({k: lay[k][found] for k in ("n_pxd", "n_svd", "n_cdc")})
    tracks.update(scores)
    tracks["E_cluster"] = cl_e[tk]
    tracks["E_over_p"] = cl_e[tk] / np.maximum(p_trk, 1e-9)
    tracks["klm_layers"] = klm["layers"][tk]
    tracks["mc_pdg"] = pdg[tk].astype(np.int32)
    tracks["mc_index"] = local_all[idx[tk]].astype(np.int32)
    tracks["mc_vr"] = np.hypot(x[tk], y[tk])
    trk = _jagged(tracks, ev[tk], n_events)

    # --- clusters (particles + beam background) ------------------------------------------------
    kc = np.nonzero(cl["keep"])[0]
    bkg = background.background_photons(rng_bkg, n_events, rate, params)
    bcl = calorimeter.make_clusters(rng_bkg, bkg["E"], bkg["theta"], bkg["phi"], params)
    bk = np.nonzero(bcl["keep"])[0]
    bev = np.repeat(np.arange(n_events), bkg["counts"])[bk]
    cev = np.concatenate([ev[kc], bev])
    order = np.argsort(cev, kind="stable")
    nb = len(bk)
    clusters = {
        "E": np.concatenate([cl["E"][kc], bcl["E"][bk]]),
        "theta": np.concatenate([cl["theta"][kc], bcl["theta"][bk]]),
        "phi": np.concatenate([cl["phi"][kc], bcl["phi"][bk]]),
        "region": np.concatenate([cl["region"][kc], bcl["region"][bk]]).astype(np.int8),
        "track_index": np.concatenate([part_to_track[kc], np.full(nb, -1)]).astype(np.int32),
        "mc_pdg": np.concatenate([pdg[kc], np.full(nb, 22)]).astype(np.int32),
        "mc_index": np.concatenate([local_all[idx[kc]], np.full(nb, -1)]).astype(np.int32),
        "is_bkg": np.concatenate([np.zeros(len(kc), bool), np.ones(nb, bool)]),
    }
    clusters = {k: v[order] for k, v in clusters.items()}
    clu = _jagged(clusters, cev[order], n_events)

    kk = np.nonzero(klm["layers"] > 0)[0]
    klm_rec = _jagged({"theta": theta[kk], "phi": phi[kk], "layers": klm["layers"][kk],
                       "track_index": part_to_track[kk].astype(np.int32),
                       "mc_pdg": pdg[kk].astype(np.int32),
                       "mc_index": local_all[idx[kk]].astype(np.int32)}, ev[kk], n_events)

    # --- trigger -------------------------------------------------------------------------------
    st = np.sin(clu.theta)
    e_flat = ak.to_numpy(ak.flatten(clu.E))
    p4 = np.stack([ak.to_numpy(ak.flatten(x_)) for x_ in (
        clu.E * st * np.cos(clu.phi), clu.E * st * np.sin(clu.phi), clu.E * np.cos(clu.theta))]
        + [e_flat], axis=-1)
    e_cms = ak.unflatten(experiment.to_cms(p4)[:, 3], ak.num(clu.E))
    bits = trigger.trigger_bits(trk, clu, e_cms, params)

    # --- truth summary -------------------------------------------------------------------------
    inv = invisible
    summary = {f"mc_{k}_invisible": np.bincount(ev[inv], weights=v[inv], minlength=n_events)
               for k, v in (("px", px), ("py", py), ("pz", pz), ("E", e))}
    summary["mc_n_charged"] = np.bincount(ev[charge != 0], minlength=n_events).astype(np.int16)
    summary["mc_n_photons"] = np.bincount(ev[pdg == 22], minlength=n_events).astype(np.int16)

    out: dict[str, Any] = {"tracks": trk, "clusters": clu, "klm": klm_rec}
    out.update(bits)
    out.update(summary)
    out["weight"] = c["weight"]
    out = {k: np.ascontiguousarray(v) if isinstance(v, np.ndarray) else v for k, v in out.items()}
    events = ak.zip(out, depth_limit=1)
    meta = sample.meta.with_(kind="reco", extra={
        **sample.meta.extra, "detector": "belle2-fastsim",
        "beam_background_rate": rate, "detector_seed": _seed_repr(seed)})
    return Sample(events, meta)


def _seed_repr(seed: int | np.random.SeedSequence) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": str(seed.entropy), "spawn_key": list(seed.spawn_key)}
    return int(seed)


DEFAULT_DECAY = "vpho -> mu+:all mu-:all"


def simulate_file(in_path: str | os.PathLike[str], out_path: str | os.PathLike[str],
                  seed: int = 0, *, decay: str | None = DEFAULT_DECAY,
                  experiment: Experiment = BELLE2, beam_background_rate: float | None = None
                  ) -> Sample:
    """``darkscan simulate IN -o OUT``: fast simulation then, with ``decay`` (default
    ``vpho -> mu+:all mu-:all``), reconstruction into a candidate ntuple (kind "ntuple");
    ``decay=None`` writes the event-level reco sample (kind "reco"). Written atomically."""
    from darkscan.reco import reconstruct  # reco sits above detector; import at call time

    truth = read_sample(in_path)
    reco = simulate(truth, seed=seed, experiment=experiment,
                    beam_background_rate=beam_background_rate)
    out = reco if decay is None else reconstruct(reco, decay, experiment=experiment)
    write_sample(out, out_path)
    return out
