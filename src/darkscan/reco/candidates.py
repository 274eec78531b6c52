"""Particle lists on a reco sample → a flat ntuple (one row per candidate of the head list).

An :class:`Engine` holds the event's objects as flat columns and one :class:`Store` per particle
list: final-state lists are filled from tracks or photon clusters with a cut, composite lists are
combined from their daughters' lists (:mod:`darkscan.reco.combine`), for the decay and its charge
conjugate, then go through the list's candidate limit, vertex fit, mass-constrained fit, cut and
rank in that order. Every candidate keeps its daughters' rows and its leaves (the final-state
objects it is built from), so variables reach any depth and no object is used twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import awkward as ak
import numpy as np

from darkscan.detector.fastsim import LOST_COLUMNS
from darkscan.detector.parameters import BELLE2_DETECTOR
from darkscan.detector.resolution import sigma_e_over_e
from darkscan.detector.showers import SHAPE_COLUMNS
from darkscan.errors import InputFileError, ParameterError
from darkscan.events import Sample
from darkscan.expr import Cut, evaluate
from darkscan.physics import lorentz
from darkscan.physics.constants import mass as pdg_mass
from darkscan.physics.experiment import BELLE2, Experiment
from darkscan.reco import eventshape
from darkscan.reco import variables as V
from darkscan.reco.combine import combine, overlapping, rank_in_events
from darkscan.reco.decay import ListRef
from darkscan.reco.fit import LineIn, TrackIn, fit_vertex_n, mass_constrained_scales
from darkscan.reco.lists import ListDef, VertexFit, as_listdef, resolve

TRACK_FIELDS = ("px", "py", "pz", "charge", "d0", "z0", "phi0", "tanl", "sigma_d0", "sigma_z0",
                "muonID", "electronID", "pionID", "kaonID", "E_cluster", "E_over_p",
                "klm_layers", "n_cdc", "n_svd", "mc_pdg", "mc_vr")
OPTIONAL_TRACK_FIELDS = ("protonID", "sigma_pt_rel", "mc_index", "mc_mother", "mc_mother_pdg",
                         "n_pxd")
CLUSTER_FIELDS = ("E", "theta", "phi", "track_index", "mc_pdg")
OPTIONAL_CLUSTER_FIELDS = ("mc_index", "mc_mother", "mc_mother_pdg", *SHAPE_COLUMNS)
#: photons below this energy are left out of event shapes and π⁰/η partners (beam background)
PHOTON_E_MIN = 0.05


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


@dataclass
class Store:
    """The candidates of one particle list, sorted by event."""

    key: str
    kind: str  # "track" | "photon" | "composite"
    event: np.ndarray
    pdg: np.ndarray
    charge: np.ndarray
    p4: np.ndarray  # (n, 4) lab, after the list's fits
    obj: np.ndarray  # flat track or cluster index of a final-state row (-1 for composites)
    leaves: np.ndarray  # (n, k): tracks by flat index, clusters by n_tracks_total + index
    mass: float = 0.0  # mass hypothesis of a final-state list
    children: tuple[tuple[str, np.ndarray], ...] = ()
    vertex: dict[str, np.ndarray] | None = None
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def take(self, sel: np.ndarray) -> Store:
        return replace(self, event=self.event[sel], pdg=self.pdg[sel], charge=self.charge[sel],
                       p4=self.p4[sel], obj=self.obj[sel], leaves=self.leaves[sel],
                       children=tuple((k, i[sel]) for k, i in self.children),
                       vertex=None if self.vertex is None else
                       {k: v[sel] for k, v in self.vertex.items()},
                       extra={k: v[sel] for k, v in self.extra.items()})


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
    have = ak.fields(flat)
    return off, {f: ak.to_numpy(flat[f]) for f in fields if f in have}


class Engine:
    """The event's objects and the particle lists built on them."""

    def __init__(self, sample: Sample, experiment: Experiment = BELLE2) -> None:
        ev = sample.events
        _need(ev, "tracks", TRACK_FIELDS)
        _need(ev, "clusters", CLUSTER_FIELDS)
        _need(ev, "weight")
        self.events = ev
        self.experiment = experiment
        # the field the tracks were simulated in (vertex fits follow their helices)
        self.b_field = float(sample.meta.extra.get("b_field", BELLE2_DETECTOR.b_field))
        self.n_events = len(ev)
        self.trk_off, trk = _flat(ev.tracks, TRACK_FIELDS + OPTIONAL_TRACK_FIELDS)
        self.clu_off, clu = _flat(ev.clusters, CLUSTER_FIELDS + OPTIONAL_CLUSTER_FIELDS)
        self.n_tracks_total = int(self.trk_off[-1])
        self.trk_event = np.repeat(np.arange(self.n_events), np.diff(self.trk_off))
        self.clu_event = np.repeat(np.arange(self.n_events), np.diff(self.clu_off))
        self.tracks = trk
        # cluster momenta only when photons or event shapes are asked for
        self.clusters = Lazy({**{k: (lambda _, k=k: clu[k]) for k in clu},
                              "e_sin": lambda _: clu["E"] * np.sin(clu["theta"]),
                              "px": lambda c: c["e_sin"] * np.cos(clu["phi"]),
                              "py": lambda c: c["e_sin"] * np.sin(clu["phi"]),
                              "pz": lambda _: clu["E"] * np.cos(clu["theta"])})
        self.is_photon = clu["track_index"] < 0
        self.stores: dict[str, Store] = {}
        self.event_columns = Lazy({
            "n_tracks": lambda _: np.diff(self.trk_off),
            "n_clusters": lambda _: np.diff(self.clu_off),
            "E_ECL_total": lambda _: np.bincount(self.clu_event, weights=clu["E"],
                                                 minlength=self.n_events),
            "n_klm_neutral": lambda _: self._klm_neutral(),
            "n_photons_loose": lambda _: np.bincount(self.clu_event[self.is_photon
                                                                    & (clu["E"] > 0.1)],
                                                     minlength=self.n_events),
            "E_visible_cms": lambda _: self._visible_cms[0],
            "m2_missing": lambda _: self._visible_cms[1],
            "thrust": lambda _: self._thrust[0],
            "cos_theta_thrust": lambda _: self._thrust[1],
            "R2": lambda _: eventshape.fox_wolfram_r2(*self._objects_cms[:3],
                                                      self._objects_cms[4]),
            **{k: (lambda _, k=k: ak.to_numpy(ev[k]).astype(float) if k in ak.fields(ev)
                   else np.full(self.n_events, np.nan))
               for k in ("mc_llp_proper_length", "mc_llp_flight", *LOST_COLUMNS)}})
        self._cache: dict[str, object] = {}

    # --- lists ------------------------------------------------------------------------------
    def build(self, ld: ListDef) -> Store:
        dec = ld.decay
        if dec is None:
            store = self._fill(ld.ref)
        else:
            store = self._combine(ld)
            if ld.candidate_limit is not None:
                per_ev = np.bincount(store.event, minlength=self.n_events)
                store = store.take(per_ev[store.event] <= ld.candidate_limit)
            if ld.vertex is not None:
                store = self._vertex_fit(store, ld.vertex)
            if ld.mass_fit:
                store = self._mass_fit(store)
        if ld.cut:
            store = store.take(self.mask(store, ld.cut))
        if ld.rank_by and ld.num_best:
            rank = self.rank(store, ld.rank_by, ld.highest)
            store = store.take(rank < ld.num_best)
        self.stores[ld.key] = store
        return store

    def source(self, ref: ListRef) -> Store:
        """The store of a daughter's list (predefined final-state lists filled on first use)."""
        key = ref.list_key
        if key not in self.stores:
            cut = ref.predefined_cut
            if cut is None:
                raise ParameterError(f"the list '{ref.text}' is not defined")
            store = self._fill(ref)
            self.stores[key] = store.take(self.mask(store, cut)) if cut else store
        return self.stores[key]

    def _fill(self, ref: ListRef) -> Store:
        p = ref.particle
        if p.is_photon:
            obj = np.nonzero(self.is_photon)[0]
            c = self.clusters
            p4 = np.stack([c["px"][obj], c["py"][obj], c["pz"][obj], c["E"][obj]], axis=-1)
            return Store(ref.list_key, "photon", self.clu_event[obj], np.full(len(obj), 22),
                         np.zeros(len(obj)), p4, obj, (obj + self.n_tracks_total)[:, None])
        if abs(p.pdg) == 2212 and "protonID" not in self.tracks:
            raise InputFileError("this reco sample has no protonID: proton lists need it")
        t = self.tracks
        obj = np.arange(self.n_tracks_total)
        m = pdg_mass(abs(p.pdg))
        q = t["charge"].astype(np.int64)
        lepton = abs(p.pdg) in (11, 13)
        pdg = np.where(q > 0, 1, -1) * abs(p.pdg) * (-1 if lepton else 1)
        p4 = np.empty((len(obj), 4))
        p4[:, 0], p4[:, 1], p4[:, 2] = t["px"], t["py"], t["pz"]
        p4[:, 3] = np.sqrt(t["px"] ** 2 + t["py"] ** 2 + t["pz"] ** 2 + m * m)
        return Store(ref.list_key, "track", self.trk_event, pdg, q.astype(float), p4, obj,
                     obj[:, None], mass=m)

    def _combine(self, ld: ListDef) -> Store:
        dec = ld.decay
        assert dec is not None
        variants = [dec] if dec.self_conjugate else [dec, dec.conjugate()]
        events, rows, pdgs = [], [[] for _ in dec.daughters], []
        for var in variants:
            slot_rows, slot_events, groups = [], [], []
            for slot in var.daughters:
                src = self.source(slot)
                sel = np.nonzero(src.pdg == slot.particle.pdg)[0]
                slot_rows.append(sel)
                slot_events.append(src.event[sel])
                groups.append(var.daughters.index(slot))
            ev, per_slot = combine(slot_rows, slot_events, groups, self.n_events)
            events.append(ev)
            for i, r in enumerate(per_slot):
                rows[i].append(r)
            pdgs.append(np.full(len(ev), var.mother.particle.pdg))
        event = np.concatenate(events)
        # one variant comes out sorted by event; a decay and its conjugate are merged
        order = np.argsort(event, kind="stable") if len(variants) > 1 else slice(None)
        event = event[order]
        idx = [np.concatenate(r)[order] for r in rows]
        srcs = [self.source(slot) for slot in dec.daughters]  # same lists for the conjugate
        leaves = np.concatenate([s.leaves[i] for s, i in zip(srcs, idx, strict=True)], axis=1)
        p4 = np.zeros((len(event), 4))
        charge = np.zeros(len(event))
        for s, i in zip(srcs, idx, strict=True):
            p4 += s.p4[i]
            charge += s.charge[i]
        store = Store(ld.key, "composite", event, np.concatenate(pdgs)[order], charge,
                      p4,
                      np.full(len(event), -1), leaves,
                      mass=dec.mother.particle.mass,
                      children=tuple((s.key, i) for s, i in zip(srcs, idx, strict=True)))
        shared = overlapping(leaves)
        return store.take(~shared) if shared.any() else store

    # --- fits -------------------------------------------------------------------------------
    def fit_rows(self, store: Store, rows: np.ndarray, fit: VertexFit | None = None
                 ) -> dict[str, np.ndarray] | None:
        """Vertex fit of rows of a composite list (module :mod:`darkscan.reco.fit`); None when
        it has fewer than two charged daughters or flight lines (and no beam constraint)."""
        ctx = V.Context(self, store, rows)
        tracks = [TrackIn(**c.helix) for c in ctx.children if c.kind == "track"]
        lines = [LineIn(c.fitted["pos"], c.fitted["cov"], c.p4[:, :3]) for c in ctx.children
                 if c.kind == "composite" and c.fitted is not None]
        constraint = fit.constraint if fit is not None else ""
        if len(tracks) + len(lines) + (constraint != "") < 2:
            return None
        if len(rows) == 0:  # no candidate in this chunk: an empty fit, not a failed one
            n_tracks = sum(c.kind == "track" for c in ctx.children)
            empty = {"pos": np.zeros((0, 3)), "cov": np.zeros((0, 3, 3)), "chi2": np.zeros(0),
                     "ndf": np.zeros(0), "prob": np.zeros(0), "p4": np.zeros((0, 4))}
            if n_tracks == len(ctx.children):
                empty["daughter_p3"] = np.zeros((0, n_tracks, 3))
            return empty
        res = fit_vertex_n(tracks, lines, self.b_field, spot_sigma=self.experiment.spot_sigma,
                           constraint=constraint, momentum=ctx.p4[:, :3])
        out = {"pos": res.position, "cov": res.cov, "chi2": res.chi2,
               "ndf": np.full(len(rows), float(res.ndf)), "prob": res.prob}
        # the daughters' four-momentum at the vertex: tracks along their helix there
        p4 = np.zeros((len(rows), 4))
        k = 0
        for c in ctx.children:
            if c.kind == "track":
                p4 += lorentz.p4_from_mass(res.track_momenta[k], c.store.mass)
                k += 1
            else:
                p4 += c.p4
        out["p4"] = p4
        if k == len(ctx.children):  # every daughter a track: their momenta there, (n, k, 3)
            out["daughter_p3"] = np.stack(list(res.track_momenta[:k]), axis=1)
        return out

    def _vertex_fit(self, store: Store, fit: VertexFit) -> Store:
        res = self.fit_rows(store, np.arange(len(store.event)), fit)
        if res is None:
            raise ParameterError(f"the vertex fit of '{store.key}' needs two charged daughters "
                                 "or composite daughters with vertices, or an IP constraint")
        store = replace(store, p4=res.pop("p4"), vertex=res)
        return store.take(res["prob"] >= fit.min_prob) if fit.min_prob > 0 else store

    def _mass_fit(self, store: Store) -> Store:
        ctx = V.Context(self, store, np.arange(len(store.event)))
        errs, masses = [], []
        for c in ctx.children:
            if c.kind == "track":
                rel = c.obj("sigma_pt_rel")
                errs.append(np.where(np.isfinite(rel), rel, 0.005))
            elif c.kind == "photon":
                errs.append(sigma_e_over_e(c.p4[:, 3], BELLE2_DETECTOR))
            else:
                errs.append(np.zeros(c.n))  # composite daughters are kept as they are
            masses.append(lorentz.mass(c.p4) if c.kind == "composite" else c.store.mass)
        scales = mass_constrained_scales([c.p4 for c in ctx.children], errs, masses, store.mass)
        p4 = np.zeros((ctx.n, 4))
        for s, c, m in zip(scales, ctx.children, masses, strict=True):
            p4 += lorentz.p4_from_mass(c.p4[:, :3] * s[:, None], m)
        return replace(store, p4=p4, extra={**store.extra, "m_raw": lorentz.mass(store.p4)})

    def p4_at_vertex(self, ctx: V.Context) -> np.ndarray:
        f = ctx.fitted
        if f is None:
            return np.full((ctx.n, 4), np.nan)
        if "p4" in f:
            return f["p4"]
        return ctx.p4  # a list fitted at build time already carries the momenta at its vertex

    # --- cuts and ranks -----------------------------------------------------------------------
    def columns(self, store: Store, names: Sequence[str]) -> dict[str, np.ndarray]:
        ctx = V.Context(self, store, np.arange(len(store.event)))
        return {n: V.compute(n, ctx) for n in names}

    def mask(self, store: Store, cut: str) -> np.ndarray:
        cols = self.columns(store, Cut.parse(cut).names)
        return np.broadcast_to(evaluate(cut, cols), store.event.shape).astype(bool)

    def rank(self, store: Store, expr: str, highest: bool,
             cols: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """Rank (0 = best) of every candidate among its event's candidates; NaN scores last."""
        have = dict(cols or {})
        names = [n for n in Cut.parse(expr).names if n not in have]
        have.update(self.columns(store, names))
        score = np.broadcast_to(evaluate(expr, have), store.event.shape).astype(float)
        score = np.where(np.isnan(score), np.inf, -score if highest else score)
        return rank_in_events(store.event, score)

    # --- event-level helpers ----------------------------------------------------------------
    def _klm_neutral(self) -> np.ndarray:
        """KLM hits without a track per event (0 without a ``klm`` column)."""
        if "klm" not in ak.fields(self.events):
            return np.zeros(self.n_events, dtype=np.int64)
        off, klm = _flat(self.events.klm, ("track_index",))
        event = np.repeat(np.arange(self.n_events), np.diff(off))
        return np.bincount(event[klm["track_index"] < 0], minlength=self.n_events)

    @property
    def _objects_cms(self) -> tuple[np.ndarray, ...]:
        """Tracks (pion mass) and photons above PHOTON_E_MIN in the CMS, grouped by event:
        px, py, pz, E, offsets, leaf ids."""
        if "objects" not in self._cache:
            t, c = self.tracks, self.clusters
            m_pi = pdg_mass(211)
            ph = np.nonzero(self.is_photon & (c["E"] > PHOTON_E_MIN))[0]
            p4 = np.concatenate([
                np.stack([t["px"], t["py"], t["pz"], np.sqrt(t["px"] ** 2 + t["py"] ** 2
                                                             + t["pz"] ** 2 + m_pi ** 2)], -1),
                np.stack([c["px"][ph], c["py"][ph], c["pz"][ph], c["E"][ph]], -1)])
            event = np.concatenate([self.trk_event, self.clu_event[ph]])
            leaf = np.concatenate([np.arange(self.n_tracks_total), ph + self.n_tracks_total])
            order = np.argsort(event, kind="stable")
            cms = self.experiment.to_cms(p4[order]) if len(order) else p4
            off = np.searchsorted(event[order], np.arange(self.n_events + 1)).astype(np.int64)
            self._cache["objects"] = (np.ascontiguousarray(cms[:, 0]),
                                      np.ascontiguousarray(cms[:, 1]),
                                      np.ascontiguousarray(cms[:, 2]),
                                      np.ascontiguousarray(cms[:, 3]), off, leaf[order])
        return self._cache["objects"]  # type: ignore[return-value]

    @cached_property
    def _visible_cms(self) -> tuple[np.ndarray, np.ndarray]:
        px, py, pz, e, off, _ = self._objects_cms
        ev = np.repeat(np.arange(self.n_events), np.diff(off))
        tot = [np.bincount(ev, weights=a, minlength=self.n_events) for a in (px, py, pz, e)]
        miss = np.stack([-tot[0], -tot[1], -tot[2], self.experiment.sqrt_s - tot[3]], -1)
        return tot[3], lorentz.mass2(miss)

    @property
    def _thrust(self) -> tuple[np.ndarray, np.ndarray]:
        if "thrust" not in self._cache:
            px, py, pz, _, off, _ = self._objects_cms
            self._cache["thrust"] = eventshape.event_thrust(px, py, pz, off)
        return self._cache["thrust"]  # type: ignore[return-value]

    def cos_thrust_b_roe(self, leaves: np.ndarray, event: np.ndarray) -> np.ndarray:
        px, py, pz, _, off, leaf = self._objects_cms
        return eventshape.cos_thrust_b_roe(px, py, pz, leaf, off, event.astype(np.int64),
                                           np.ascontiguousarray(leaves, dtype=np.int64))

    def best_partner_mass(self, cluster: np.ndarray, event: np.ndarray, which: str
                          ) -> np.ndarray:
        c = self.clusters
        e_ph = np.where(self.is_photon, c["E"], 0.0)
        target = pdg_mass(111 if which == "pi0" else 221)
        return eventshape.best_partner_mass(e_ph, c["px"], c["py"], c["pz"], self.clu_off,
                                            cluster.astype(np.int64), event.astype(np.int64),
                                            target, PHOTON_E_MIN)

    def photon_energy_along(self, direction: np.ndarray, leaves: np.ndarray,
                            event: np.ndarray) -> np.ndarray:
        """CMS energy of the photons (above PHOTON_E_MIN) that are not among ``leaves`` and
        lie in the hemisphere of the CMS ``direction`` (one per row), per row."""
        px, py, pz, e, off, leaf = self._objects_cms
        is_photon = leaf >= self.n_tracks_total
        counts = np.diff(off)[event]
        row = np.repeat(np.arange(len(event)), counts)
        obj = np.repeat(off[event] - np.cumsum(counts) + counts, counts) + np.arange(len(row))
        keep = is_photon[obj] & ~np.any(leaf[obj][:, None] == leaves[row], axis=1)
        d = direction[row]
        along = px[obj] * d[:, 0] + py[obj] * d[:, 1] + pz[obj] * d[:, 2] > 0
        return np.bincount(row, weights=np.where(keep & along, e[obj], 0.0),
                           minlength=len(event))

    def leaf_cluster_energy(self, leaves: np.ndarray) -> np.ndarray:
        """ECL energy of a candidate's clusters: its tracks' matched clusters and its photons."""
        is_trk = leaves < self.n_tracks_total
        e_trk = self.tracks["E_cluster"][np.where(is_trk, leaves, 0)]
        e_pho = self.clusters["E"][np.where(is_trk, 0, leaves - self.n_tracks_total)]
        return np.sum(np.where(is_trk, np.nan_to_num(e_trk), e_pho), axis=1)

    def leaf_loose_photons(self, leaves: np.ndarray) -> np.ndarray:
        is_pho = leaves >= self.n_tracks_total
        e = self.clusters["E"][np.where(is_pho, leaves - self.n_tracks_total, 0)]
        return np.sum(is_pho & (e > 0.1), axis=1)


def _columns_layout(cols: dict[str, np.ndarray], n: int) -> ak.Array:
    """A flat record array straight from numpy columns (no broadcasting pass)."""
    return ak.Array(ak.contents.RecordArray(
        [ak.contents.NumpyArray(np.ascontiguousarray(v)) for v in cols.values()], list(cols),
        length=n))


def reconstruct(sample: Sample, decay: str | ListDef = "vpho -> mu+ mu-",
                variables: Sequence[str] | None = None, *, lists: Sequence[str | ListDef] = (),
                best: str | None = None, best_highest: bool = False, best_only: bool = True,
                candidate_limit: int | None = None, experiment: Experiment = BELLE2) -> Sample:
    """Build the candidates of ``decay`` (using the sub-lists ``lists``) and return their
    variables as a flat ntuple.

    ``best``: a cut-language expression ranking the candidates of an event (lowest first, or
    highest with ``best_highest``); with ``best_only`` only the best one is kept. ``rank`` and
    ``ncand`` columns are always written. ``candidate_limit``: events with more head candidates
    than this keep none (as basf2's candidate limit). ``variables=None`` writes the defaults.
    """
    head = as_listdef(decay)
    if candidate_limit is not None:
        head = replace(head, candidate_limit=candidate_limit)
    plan = resolve(head, lists)
    dec = head.decay
    assert dec is not None
    names = list(variables) if variables is not None else V.default_variables(
        len(dec.daughters))
    for n in names:
        V.describe(n)

    eng = Engine(sample, experiment)
    for ld in plan:
        store = eng.build(ld)
    n_events = eng.n_events
    cand_event = store.event
    n_c = np.bincount(cand_event, minlength=n_events)
    if best is not None:  # ranked first: the other variables only on the rows that are kept
        rank = eng.rank(store, best, best_highest)
    else:
        rank = (np.arange(len(cand_event)) - (np.cumsum(n_c) - n_c)[cand_event]).astype(np.int32)
    rows = np.nonzero(rank == 0)[0] if best is not None and best_only else np.arange(len(rank))
    ctx = V.Context(eng, store, rows)
    events = cand_event[rows]
    cols: dict[str, np.ndarray] = {"event": np.asarray(events, dtype=np.int64)}
    for n in names:
        cols[n] = V.compute(n, ctx)
    # pass-through per-event flat columns: trigger bits, truth summary, weight
    for f in ak.fields(sample.events):
        if f.startswith(("trg_", "mc_")) and f not in cols:
            cols[f] = ak.to_numpy(sample.events[f])[events]
    cols["weight"] = ak.to_numpy(sample.events["weight"])[events]
    cols["rank"] = rank[rows]
    cols["ncand"] = n_c[events].astype(np.int32)
    meta = sample.meta.with_(kind="ntuple", extra={
        **sample.meta.extra, "decay": head.definition,
        "lists": "; ".join(ld.definition for ld in plan[:-1]), "best": best or "",
        "candidate_limit": head.candidate_limit or 0})
    return Sample(_columns_layout(cols, len(cols["event"])), meta)
