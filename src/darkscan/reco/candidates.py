"""Candidates from a decay string on a reco sample, their variables, best-candidate ranking and
a candidate limit → a flat ntuple (one row per candidate) in a Sample of kind ``"ntuple"``.

Combinatorics run in one compiled pass over the flat per-event lists of passing objects:
identical daughters (same name and list) are drawn as combinations (no double counting),
different ones as a Cartesian product (earlier daughters vary slowest); a track used twice in
one candidate (possible with different lists) is removed. Object columns are gathered per
candidate only when a variable or cut asks for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import awkward as ak
import numpy as np

from darkscan.detector.parameters import BELLE2_DETECTOR
from darkscan.errors import InputFileError
from darkscan.events import Sample
from darkscan.expr import Cut, evaluate
from darkscan.jit import jit
from darkscan.physics.constants import mass as pdg_mass
from darkscan.physics.experiment import BELLE2, Experiment
from darkscan.reco import variables as V
from darkscan.reco.decay import Daughter, parse_decay

TRACK_FIELDS = ("px", "py", "pz", "charge", "d0", "z0", "phi0", "tanl", "sigma_d0", "sigma_z0",
                "muonID", "electronID", "pionID", "kaonID", "E_cluster", "E_over_p",
                "klm_layers", "n_cdc", "n_svd", "mc_pdg", "mc_vr")
CLUSTER_FIELDS = ("E", "theta", "phi", "track_index", "mc_pdg")


class Lazy(Mapping[str, np.ndarray]):
    """Columns computed on first use: ``makers`` maps a name to a function of this mapping."""

    def __init__(self, makers: Mapping[str, Callable[[Lazy], np.ndarray]]) -> None:
        self._makers = dict(makers)
        self._done: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._done:
            self._done[key] = self._makers[key](self)
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def _gather(cols: Mapping[str, np.ndarray], index: np.ndarray) -> Lazy:
    """Per-candidate view of object columns: ``cols[k][index]`` on first use."""
    return Lazy({k: (lambda _, k=k: np.asarray(cols[k])[index]) for k in cols})


def _need(ev: ak.Array, name: str, sub: Sequence[str] = ()) -> None:
    if name not in ak.fields(ev):
        raise InputFileError(f"reco sample lacks the column '{name}'; run darkscan.detector."
                             "simulate on a truth sample first")
    have = ak.fields(ev[name])
    for s in sub:
        if s not in have:
            raise InputFileError(f"reco sample lacks the column '{name}.{s}'")


def _flat(arr: ak.Array, fields: Sequence[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-event offsets and flat columns of a jagged record array (views where possible)."""
    counts = ak.to_numpy(ak.num(arr, axis=1)).astype(np.int64)
    off = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    flat = ak.flatten(arr, axis=1)
    return off, {f: ak.to_numpy(flat[f]) for f in fields}


def _track_columns(t: dict[str, np.ndarray]) -> Lazy:
    """Track columns plus p, pT, θ, dr = |d0|, dz = z0 (derived ones computed if used)."""
    makers: dict[str, Callable[[Lazy], np.ndarray]] = {k: (lambda _, k=k: t[k]) for k in t}
    makers.update(pt=lambda c: np.hypot(c["px"], c["py"]),
                  p=lambda c: np.sqrt(c["pt"] ** 2 + c["pz"] ** 2),
                  theta=lambda c: np.arctan2(c["pt"], c["pz"]),
                  dr=lambda c: np.abs(c["d0"]), dz=lambda c: c["z0"])
    return Lazy(makers)


def _cluster_index(clu: dict[str, np.ndarray], off: np.ndarray) -> Lazy:
    """Cluster bookkeeping, computed if used: each cluster's event, the photon candidates
    (clusters without a track) and their per-event offsets."""
    def photon_off(c: Lazy) -> np.ndarray:
        before = np.zeros(len(c["is_photon"]) + 1, dtype=np.int64)
        np.cumsum(c["is_photon"], out=before[1:])
        return before[off]

    return Lazy({"event": lambda _: np.repeat(np.arange(len(off) - 1), np.diff(off)),
                 "is_photon": lambda _: clu["track_index"] < 0,
                 "photon": lambda c: np.nonzero(c["is_photon"])[0],
                 "photon_off": photon_off})


def _photon_columns(clu: dict[str, np.ndarray], index: Lazy) -> Lazy:
    """Photon candidates (clusters without a track): E, momentum, truth id."""
    def pick(k: str) -> Callable[[Lazy], np.ndarray]:
        return lambda _: clu[k][index["photon"]]

    return Lazy({"E": pick("E"), "theta": pick("theta"), "phi": pick("phi"),
                 "e_sin": lambda c: c["E"] * np.sin(c["theta"]),
                 "px": lambda c: c["e_sin"] * np.cos(c["phi"]),
                 "py": lambda c: c["e_sin"] * np.sin(c["phi"]),
                 "pz": lambda c: c["E"] * np.cos(c["theta"]),
                 "mc_pdg": pick("mc_pdg")})


def _passing(d: Daughter, cols: Mapping[str, np.ndarray], off: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices of the objects passing ``d``'s list and charge, and their event offsets."""
    n = int(off[-1])
    mask = np.ones(n, dtype=bool)
    if not d.is_photon:
        mask &= cols["charge"] == d.charge
    if d.cut:
        mask &= np.broadcast_to(evaluate(d.cut, cols), mask.shape)
    before = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(mask, out=before[1:])
    return np.nonzero(mask)[0], before[off]


@jit
def _binomial(n, k):  # pragma: no cover - compiled
    out = 1
    for j in range(k):
        out = out * (n - j) // (j + 1)
    return out


@jit
def _combine(index, start, off, size, kind):  # pragma: no cover - compiled
    """Candidates of every event: ``index[start[g]:]`` holds group g's passing objects with
    per-event offsets ``off[g]``; ``size[g]`` identical daughters per group; ``kind[g]`` the
    object type (groups of one type may not share an object). Returns the candidates' events
    and their objects per slot (slots: the groups' daughters in order)."""
    n_groups, n_events = size.shape[0], off.shape[1] - 1
    n_slots = 0
    for g in range(n_groups):
        n_slots += size[g]
    slot_group = np.empty(n_slots, dtype=np.int64)
    slot_rank = np.empty(n_slots, dtype=np.int64)
    s = 0
    for g in range(n_groups):
        for j in range(size[g]):
            slot_group[s], slot_rank[s] = g, j
            s += 1
    total = 0
    for e in range(n_events):
        c = 1
        for g in range(n_groups):
            c *= _binomial(off[g, e + 1] - off[g, e], size[g])
        total += c
    event = np.empty(total, dtype=np.int64)
    objects = np.empty((n_slots, total), dtype=np.int64)
    pos = np.empty(n_slots, dtype=np.int64)
    obj = np.empty(n_slots, dtype=np.int64)
    lens = np.empty(n_groups, dtype=np.int64)
    n = 0
    for e in range(n_events):
        full = True
        for g in range(n_groups):
            lens[g] = off[g, e + 1] - off[g, e]
            full &= lens[g] >= size[g]
        if not full:
            continue
        for s in range(n_slots):
            pos[s] = slot_rank[s]
        while True:
            ok = True
            for s in range(n_slots):
                g = slot_group[s]
                obj[s] = index[start[g] + off[g, e] + pos[s]]
                for t in range(s):
                    if slot_group[t] != g and kind[slot_group[t]] == kind[g] and obj[t] == obj[s]:
                        ok = False
            if ok:
                event[n] = e
                objects[:, n] = obj
                n += 1
            # odometer: the last slot that can still advance within its group's list
            s = n_slots - 1
            while s >= 0 and pos[s] >= (lens[slot_group[s]] - size[slot_group[s]]
                                        + slot_rank[s]):
                s -= 1
            if s < 0:
                break
            pos[s] += 1
            for t in range(s + 1, n_slots):
                same = slot_group[t] == slot_group[s]
                pos[t] = pos[t - 1] + 1 if same else slot_rank[t]
    return event[:n], objects[:, :n]


def _candidates(daughters: Sequence[Daughter], lists: list[tuple[np.ndarray, np.ndarray]],
                groups: list[list[int]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Candidate events and, per daughter, the flat index of its object."""
    index = np.concatenate([lst for lst, _ in lists]).astype(np.int64)
    start = np.cumsum([0] + [len(lst) for lst, _ in lists[:-1]]).astype(np.int64)
    off = np.stack([o for _, o in lists]).astype(np.int64)
    size = np.array([len(m) for m in groups], dtype=np.int64)
    kind = np.array([int(daughters[m[0]].is_photon) for m in groups], dtype=np.int64)
    event, objects = _combine(index, start, off, size, kind)
    slot_of = {d: s for s, d in enumerate(d for m in groups for d in m)}
    return event, [objects[slot_of[i]] for i in range(len(daughters))]


def _columns_layout(cols: dict[str, np.ndarray], n: int) -> ak.Array:
    """A flat record array straight from numpy columns (no broadcasting pass)."""
    return ak.Array(ak.contents.RecordArray(
        [ak.contents.NumpyArray(np.ascontiguousarray(v)) for v in cols.values()], list(cols),
        length=n))


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

    trk_off, trk_flat = _flat(ev.tracks, TRACK_FIELDS)
    trk = _track_columns(trk_flat)
    clu_off, clu = _flat(ev.clusters, CLUSTER_FIELDS)
    cl = _cluster_index(clu, clu_off)
    pho = _photon_columns(clu, cl)

    # --- candidates: per group of identical daughters, the passing objects ----------------
    groups: dict[tuple[str, str], list[int]] = {}
    for i, d in enumerate(dec.daughters):
        groups.setdefault((d.name, d.label), []).append(i)
    members = list(groups.values())
    lists = [_passing(dec.daughters[m[0]], pho, cl["photon_off"]) if dec.daughters[m[0]].is_photon
             else _passing(dec.daughters[m[0]], trk, trk_off) for m in members]
    cand_event, idx = _candidates(dec.daughters, lists, members)
    if candidate_limit is not None:
        per_ev = np.bincount(cand_event, minlength=n_events)
        keep = per_ev[cand_event] <= candidate_limit
        cand_event = cand_event[keep]
        idx = [a[keep] for a in idx]

    # --- context --------------------------------------------------------------------------
    masses, dau_p4, dau_track, dau_cluster = [], [], [], []
    event_makers: dict[str, Callable[[Lazy], Any]] = {
        "_dau_pdg": lambda _: [d.signed_pdg for d in dec.daughters]}
    for i, d in enumerate(dec.daughters):
        objs = _gather(pho if d.is_photon else trk, idx[i])
        m = 0.0 if d.is_photon else pdg_mass(d.pdg)
        (dau_cluster if d.is_photon else dau_track).append(objs)
        if d.is_photon:
            dau_track.append(None)
        event_makers[f"_dau{i}_mc_pdg"] = lambda _, o=objs: o["mc_pdg"]
        masses.append(m)
        p4 = np.empty((4, len(cand_event)))  # used as its (n, 4) transpose, see V.Context
        for j, k in enumerate(("px", "py", "pz")):
            p4[j] = objs[k]
        p4[3] = np.sqrt(p4[0] ** 2 + p4[1] ** 2 + p4[2] ** 2 + m * m)
        dau_p4.append(p4.T)
    per_event: dict[str, Callable[[], np.ndarray]] = {
        "n_tracks": lambda: np.diff(trk_off),
        "n_clusters": lambda: np.diff(clu_off),
        "E_ECL_total": lambda: np.bincount(cl["event"], weights=clu["E"], minlength=n_events),
        "n_klm_neutral": lambda: _klm_neutral(ev, n_events),
        "n_photons_loose": lambda: np.bincount(cl["event"][cl["is_photon"] & (clu["E"] > 0.1)],
                                               minlength=n_events)}
    for k, make in per_event.items():
        event_makers[k] = lambda _, make=make: np.asarray(make())[cand_event]
    ctx = V.Context(experiment, dau_p4, dau_track, dau_cluster,  # type: ignore[arg-type]
                    Lazy(event_makers), masses,
                    # the field the tracks were simulated in (vertex fits follow their helices)
                    float(sample.meta.extra.get("b_field", BELLE2_DETECTOR.b_field)))

    cols: dict[str, np.ndarray] = {"event": np.asarray(cand_event, dtype=np.int64)}
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
    meta = sample.meta.with_(kind="ntuple", extra={**sample.meta.extra, "decay": decay,
                                                   "best": best or "",
                                                   "candidate_limit": candidate_limit or 0})
    return Sample(_columns_layout(cols, len(cols["event"])), meta)


def _klm_neutral(ev: ak.Array, n_events: int) -> np.ndarray:
    """KLM hits without a track per event (0 without a ``klm`` column)."""
    if "klm" not in ak.fields(ev):
        return np.zeros(n_events, dtype=np.int64)
    off, klm = _flat(ev.klm, ("track_index",))
    event = np.repeat(np.arange(n_events), np.diff(off))
    return np.bincount(event[klm["track_index"] < 0], minlength=n_events)


def _names_in(expr: str, have: dict[str, np.ndarray]) -> list[str]:
    return [n for n in Cut.parse(expr).names if n not in have]
