"""Candidates from a decay string on a reco sample, their variables, best-candidate ranking and
a candidate limit → a flat ntuple (one row per candidate) in a Sample of kind ``"ntuple"``.

Combinatorics are vectorised with awkward: identical daughters (same name and list) are drawn
with ``ak.combinations`` (no double counting), different ones with ``ak.cartesian``; a track
used twice in one candidate (possible with different lists) is removed.
"""

from __future__ import annotations

from collections.abc import Sequence

import awkward as ak
import numpy as np

from darkscan.detector.parameters import BELLE2_DETECTOR
from darkscan.errors import InputFileError
from darkscan.events import Sample
from darkscan.physics.constants import mass as pdg_mass
from darkscan.physics.experiment import BELLE2, Experiment
from darkscan.reco import variables as V
from darkscan.reco.decay import Daughter, parse_decay
from darkscan.select.cuts import evaluate

TRACK_FIELDS = ("px", "py", "pz", "charge", "d0", "z0", "phi0", "tanl", "sigma_d0", "sigma_z0",
                "muonID", "electronID", "pionID", "kaonID", "E_cluster", "E_over_p",
                "klm_layers", "n_cdc", "n_svd", "mc_pdg", "mc_vr")
CLUSTER_FIELDS = ("E", "theta", "phi", "track_index", "mc_pdg")


def _need(ev: ak.Array, name: str, sub: Sequence[str] = ()) -> None:
    if name not in ak.fields(ev):
        raise InputFileError(f"reco sample lacks the column '{name}'; run darkscan.detector."
                             "simulate on a truth sample first")
    have = ak.fields(ev[name])
    for s in sub:
        if s not in have:
            raise InputFileError(f"reco sample lacks the column '{name}.{s}'")


def _flat(arr: ak.Array, fields: Sequence[str]) -> dict[str, np.ndarray]:
    flat = ak.flatten(arr, axis=1)
    return {f: ak.to_numpy(flat[f]) for f in fields}


def _track_columns(t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = dict(t)
    pt = np.hypot(t["px"], t["py"])
    out.update(p=np.sqrt(pt**2 + t["pz"] ** 2), pt=pt, theta=np.arctan2(pt, t["pz"]),
               dr=np.abs(t["d0"]), dz=t["z0"])
    return out


def reconstruct(sample: Sample, decay: str = "vpho -> mu+ mu-", variables: Sequence[str] | None
                = None, *, best: str | None = None, best_highest: bool = False,
                best_only: bool = True, candidate_limit: int | None = None,
                experiment: Experiment = BELLE2) -> Sample:
    """Build candidates for ``decay`` and return their variables as a flat ntuple.

    ``best``: a cut-language expression ranking the candidates of an event (lowest first, or
    highest with ``best_highest``); with ``best_only`` only the best one is kept. ``rank`` and
    ``ncand`` columns are always written. ``candidate_limit``: events with more candidates
    than this keep none (as basf2's candidate limit). ``variables=None`` writes the defaults.
    """
    dec = parse_decay(decay)
    ev = sample.events
    _need(ev, "tracks", TRACK_FIELDS)
    _need(ev, "clusters", CLUSTER_FIELDS)
    _need(ev, "weight")
    n_events = len(ev)
    names = list(variables) if variables is not None else V.default_variables(len(dec.daughters))
    for n in names:
        V.describe(n)

    trk_counts = ak.to_numpy(ak.num(ev.tracks, axis=1))
    trk = _track_columns(_flat(ev.tracks, TRACK_FIELDS))
    clu = _flat(ev.clusters, CLUSTER_FIELDS)
    clu_counts = ak.to_numpy(ak.num(ev.clusters, axis=1))
    clu_event = np.repeat(np.arange(n_events), clu_counts)
    is_photon = clu["track_index"] < 0
    pho_counts = np.bincount(clu_event[is_photon], minlength=n_events)
    pho_global = np.nonzero(is_photon)[0]
    st = np.sin(clu["theta"][pho_global])
    e = clu["E"][pho_global]
    pho = {"E": e, "px": e * st * np.cos(clu["phi"][pho_global]),
           "py": e * st * np.sin(clu["phi"][pho_global]),
           "pz": e * np.cos(clu["theta"][pho_global]), "mc_pdg": clu["mc_pdg"][pho_global]}

    # --- per daughter: passing objects (flat indices) as jagged lists -----------------------
    def passing(d: Daughter) -> ak.Array:
        cols, counts = (pho, pho_counts) if d.is_photon else (trk, trk_counts)
        mask = np.ones(len(cols["E" if d.is_photon else "px"]), dtype=bool)
        if not d.is_photon:
            mask &= cols["charge"] == d.charge
        if d.cut:
            mask &= np.broadcast_to(evaluate(d.cut, cols), mask.shape)
        flat_idx = np.arange(len(mask))
        return ak.unflatten(flat_idx, counts)[ak.unflatten(mask, counts)]

    groups: dict[tuple[str, str], list[int]] = {}
    for i, d in enumerate(dec.daughters):
        groups.setdefault((d.name, d.label), []).append(i)
    parts, slots = [], []
    for (_, _), members in groups.items():
        lst = passing(dec.daughters[members[0]])
        if len(members) == 1:
            parts.append(ak.zip({str(members[0]): lst}))
        else:
            parts.append(ak.combinations(lst, len(members),
                                         fields=[str(m) for m in members]))
        slots.extend(members)
    combo = parts[0]
    for extra in parts[1:]:
        pairs = ak.cartesian([combo, extra], nested=False)
        combo = ak.zip({**{f: pairs["0"][f] for f in ak.fields(combo)},
                        **{f: pairs["1"][f] for f in ak.fields(extra)}})
    ncand_ev = ak.to_numpy(ak.num(combo, axis=1))
    cand_event = np.repeat(np.arange(n_events), ncand_ev)
    flat = ak.flatten(combo, axis=1)
    idx = [ak.to_numpy(flat[str(i)]).astype(np.int64) for i in range(len(dec.daughters))]

    keep = np.ones(len(cand_event), dtype=bool)
    for i in range(len(dec.daughters)):
        for j in range(i + 1, len(dec.daughters)):
            if dec.daughters[i].is_photon == dec.daughters[j].is_photon:
                keep &= idx[i] != idx[j]
    if candidate_limit is not None:
        per_ev = np.bincount(cand_event[keep], minlength=n_events)
        keep &= per_ev[cand_event] <= candidate_limit
    cand_event = cand_event[keep]
    idx = [a[keep] for a in idx]

    # --- context --------------------------------------------------------------------------
    masses, dau_p4, dau_track, dau_cluster = [], [], [], []
    event_cols: dict[str, object] = {"_dau_pdg": [d.signed_pdg for d in dec.daughters]}
    for i, d in enumerate(dec.daughters):
        if d.is_photon:
            m = 0.0
            c = {k: v[idx[i]] for k, v in pho.items()}
            p3 = np.stack([c["px"], c["py"], c["pz"]], axis=-1)
            dau_track.append(None)
            dau_cluster.append(c)
            event_cols[f"_dau{i}_mc_pdg"] = c["mc_pdg"]
        else:
            m = pdg_mass(d.pdg)
            t = {k: v[idx[i]] for k, v in trk.items()}
            p3 = np.stack([t["px"], t["py"], t["pz"]], axis=-1)
            dau_track.append(t)
            event_cols[f"_dau{i}_mc_pdg"] = t["mc_pdg"]
        masses.append(m)
        dau_p4.append(np.concatenate([p3, np.sqrt(np.sum(p3 * p3, axis=-1) + m * m)[:, None]],
                                     axis=-1))
    e_tot = ak.to_numpy(ak.sum(ev.clusters.E, axis=1))
    n_klm = (ak.to_numpy(ak.sum(ev.klm.track_index < 0, axis=1)) if "klm" in ak.fields(ev)
             else np.zeros(n_events, dtype=np.int64))
    pho_loose = np.bincount(clu_event[is_photon & (clu["E"] > 0.1)], minlength=n_events)
    for k, v in (("n_tracks", trk_counts), ("n_clusters", clu_counts), ("E_ECL_total", e_tot),
                 ("n_klm_neutral", n_klm), ("n_photons_loose", pho_loose)):
        event_cols[k] = np.asarray(v)[cand_event]
    ctx = V.Context(experiment, dau_p4, dau_track, dau_cluster, event_cols,  # type: ignore[arg-type]
                    masses, BELLE2_DETECTOR.b_field)

    cols: dict[str, np.ndarray] = {"event": cand_event.astype(np.int64)}
    for n in names:
        cols[n] = V.compute(n, ctx)
    # pass-through per-event flat columns: trigger bits, truth summary, weight
    for f in ak.fields(ev):
        if f.startswith(("trg_", "mc_")) and f not in cols:
            cols[f] = ak.to_numpy(ev[f])[cand_event]
    cols["weight"] = ak.to_numpy(ev["weight"])[cand_event]

    # --- ranking --------------------------------------------------------------------------
    n_c = np.bincount(cand_event, minlength=n_events)
    if best is not None:
        score = np.broadcast_to(evaluate(best, {**cols, **{k: V.compute(k, ctx) for k in
                                                           _names_in(best, cols)}}),
                                cand_event.shape).astype(float)
        score = np.where(np.isnan(score), np.inf, -score if best_highest else score)
        order = np.lexsort((score, cand_event))
    else:
        order = np.arange(len(cand_event))
    first = np.cumsum(n_c) - n_c
    rank = np.empty(len(cand_event), dtype=np.int32)
    rank[order] = np.arange(len(order)) - first[cand_event[order]]
    cols["rank"] = rank
    cols["ncand"] = n_c[cand_event].astype(np.int32)
    if best is not None and best_only:
        sel = rank == 0
        cols = {k: v[sel] for k, v in cols.items()}
    cols = {k: np.ascontiguousarray(v) for k, v in cols.items()}
    out = ak.zip(cols, depth_limit=1) if cols["event"].size else ak.Array(cols)
    meta = sample.meta.with_(kind="ntuple", extra={**sample.meta.extra, "decay": decay,
                                                   "best": best or "",
                                                   "candidate_limit": candidate_limit or 0})
    return Sample(out, meta)


def _names_in(expr: str, have: dict[str, np.ndarray]) -> list[str]:
    from darkscan.select.cuts import Cut

    return [n for n in Cut.parse(expr).names if n not in have]
