"""``simulate``: truth sample → reconstructed-event sample (kind ``"reco"``).

Per event: jagged ``tracks``, ``clusters``, ``klm``; flat trigger bits ``trg_*``; truth summary
``mc_*`` (sum of invisible final-state four-momenta, numbers of charged/photon final-state
particles); ``weight``.

Everything runs on the flat final-state particles of all events at once (numpy columns viewed
out of the awkward input, event offsets alongside): per-particle work in compiled kernels
(numba, one pass each, drawing from the stage's ``numpy.random.Generator`` only for the
particles that use them), vectorisable trigonometry in numpy, and the per-event output lists
built directly as awkward layouts over the flat columns (no per-record construction, no
copies). Beam-background clusters are drawn inside the kernel that merges the clusters.
"""

from __future__ import annotations

import os
from typing import Any

import awkward as ak
import numpy as np

from darkscan.allocator import keep_freed_memory
from darkscan.detector import (
    background,
    calorimeter,
    decays,
    material,
    nuclear,
    pid,
    showers,
    species,
    tracking,
    trigger,
)
from darkscan.detector.parameters import BELLE2_DETECTOR, DetectorParameters
from darkscan.errors import InputFileError
from darkscan.events import STATUS_FINAL, Sample, read_sample, write_sample
from darkscan.jit import jit
from darkscan.physics.experiment import BELLE2, Experiment

REQUIRED = ("pdg", "px", "py", "pz", "E", "vx", "vy", "vz", "status")
TAU = 15
OPTIONAL = {"mother": -1}
#: a cluster's columns as merged with the beam background, then its shape and time
_MERGED_COLUMNS = ("E", "theta", "phi", "region", "track_index", "mc_pdg", "mc_index",
                   "mc_mother", "mc_mother_pdg", "is_bkg")
CLUSTER_COLUMNS = (*_MERGED_COLUMNS, *showers.SHAPE_COLUMNS)
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
    for name, default in OPTIONAL.items():
        cols[name] = (ak.to_numpy(flat[name]) if name in have
                      else np.full(len(cols["pdg"]), default, dtype=np.int32))
    for name in _FLOAT_FIELDS:
        cols[name] = np.asarray(cols[name], dtype=np.float64)  # a view when already float64
        if not np.isfinite(cols[name]).all():
            raise InputFileError(f"particle column '{name}' has NaN or infinite values")
    undecayed = int(np.count_nonzero((np.abs(cols["pdg"]) == TAU)
                                     & (cols["status"] == STATUS_FINAL)))
    if undecayed:
        raise InputFileError(
            f"the truth sample has {undecayed} τ leptons left undecayed (status 1); the detector "
            "would track them as charged particles. Decay them first: darkscan generate does "
            "(darkscan.generate.registry.finish_decays after a process's generate_chunk)")
    w = np.asarray(ak.to_numpy(ev["weight"]), dtype=np.float64)
    if not np.isfinite(w).all():
        raise InputFileError("column 'weight' has NaN or infinite values")
    cols["weight"] = w
    return counts, cols


def _offsets(counts: np.ndarray) -> np.ndarray:
    off = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    return off


def _jagged(cols: dict[str, np.ndarray], offsets: np.ndarray) -> ak.Array:
    """Records in per-event lists, built directly as an awkward layout (no copies, no
    broadcasting): ``cols`` hold the flat records grouped by event, ``offsets`` their bounds."""
    content = ak.contents.RecordArray(
        [ak.contents.NumpyArray(np.ascontiguousarray(v)) for v in cols.values()], list(cols),
        length=int(offsets[-1]))
    return ak.Array(ak.contents.ListOffsetArray(ak.index.Index64(offsets), content))


def _events(cols: dict[str, Any], n_events: int) -> ak.Array:
    """One record per event from jagged awkward arrays and flat numpy columns."""
    contents = [v.layout if isinstance(v, ak.Array)
                else ak.contents.NumpyArray(np.ascontiguousarray(v)) for v in cols.values()]
    return ak.Array(ak.contents.RecordArray(contents, list(cols), length=n_events))


def _rngs(seed: int | np.random.SeedSequence, n: int) -> list[np.random.Generator]:
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.default_rng(s) for s in ss.spawn(n)]


@jit
def _merge_clusters(rng, ev, keep, e, theta, phi, region, track, pdg, local, mother, mother_pdg,
                    sub_e, sub_dist, bkg_counts, bkg_regions, bkg_c):  # pragma: no cover - compiled
    """Kept clusters of the particles (event-ordered, with their event ``ev``) and
    ``bkg_counts`` beam-background clusters per event, drawn here (:mod:`background`), in one
    event-ordered list: per event, particles first; with each, the merged second shower's
    energy and distance (0 for none)."""
    n_events = bkg_counts.shape[0]
    off = np.zeros(n_events + 1, dtype=np.int64)
    for i in range(ev.shape[0]):
        if keep[i]:
            off[ev[i] + 1] += 1
    for k in range(n_events):
        off[k + 1] += off[k] + bkg_counts[k]
    n = off[-1]
    e_out, th_out, ph_out = np.empty(n), np.empty(n), np.empty(n)
    region_out = np.empty(n, dtype=np.int8)
    track_out = np.full(n, -1, dtype=np.int32)
    pdg_out = np.full(n, 22, dtype=np.int32)
    local_out = np.full(n, -1, dtype=np.int32)
    mother_out = np.full(n, -1, dtype=np.int32)
    mother_pdg_out = np.zeros(n, dtype=np.int32)
    is_bkg = np.ones(n, dtype=np.bool_)
    sub_e_out, sub_dist_out = np.zeros(n), np.zeros(n)
    pos = off[:-1].copy()
    for i in range(ev.shape[0]):
        if keep[i]:
            w = pos[ev[i]]
            pos[ev[i]] += 1
            e_out[w], th_out[w], ph_out[w], region_out[w] = e[i], theta[i], phi[i], region[i]
            track_out[w], pdg_out[w], local_out[w] = track[i], pdg[i], local[i]
            mother_out[w], mother_pdg_out[w] = mother[i], mother_pdg[i]
            sub_e_out[w], sub_dist_out[w] = sub_e[i], sub_dist[i]
            is_bkg[w] = False
    for k in range(n_events):
        for w in range(pos[k], off[k + 1]):
            e_out[w], th_out[w], ph_out[w], region_out[w] = background.draw_cluster(
                rng, bkg_regions, bkg_c)
    return (e_out, th_out, ph_out, region_out, track_out, pdg_out, local_out, mother_out,
            mother_pdg_out, is_bkg), (sub_e_out, sub_dist_out), off


@jit
def _track_links_kernel(tk, keep, cluster_e, klm_layers, pdg, local, mother, mother_pdg, x, y, px,
                        py, pz):  # pragma: no cover - compiled
    n = tk.shape[0]
    floats = np.empty((3, n))  # E_cluster, E_over_p, mc_vr
    layers = np.empty(n, dtype=np.int16)
    ints = np.empty((4, n), dtype=np.int32)  # mc_pdg, mc_index, mc_mother, mc_mother_pdg
    for i in range(n):
        j = tk[i]
        e = cluster_e[j] if keep[j] else 0.0
        floats[0, i] = e
        floats[1, i] = e / max(np.sqrt(px[i] * px[i] + py[i] * py[i] + pz[i] * pz[i]), 1e-9)
        floats[2, i] = np.sqrt(x[j] * x[j] + y[j] * y[j])
        layers[i] = klm_layers[j]
        ints[0, i], ints[1, i], ints[2, i], ints[3, i] = pdg[j], local[j], mother[j], mother_pdg[j]
    return floats, layers, ints


def _track_links(tk: np.ndarray, keep: np.ndarray, cluster_e: np.ndarray,
                 klm_layers: np.ndarray, part: Particles, px: np.ndarray, py: np.ndarray,
                 pz: np.ndarray) -> dict[str, np.ndarray]:
    """Per track (particle ``tk``, reconstructed momentum p): the energy of its particle's
    cluster and E/p, its KLM layers, the true id, index, mother (index and id) and production
    radius."""
    floats, layers, ints = _track_links_kernel(tk, keep, cluster_e, klm_layers, part["pdg"],
                                               part["local"], part["mother"],
                                               part["mother_pdg"], part["x"], part["y"], px, py,
                                               pz)
    return {"E_cluster": floats[0], "E_over_p": floats[1], "klm_layers": layers,
            "mc_pdg": ints[0], "mc_index": ints[1], "mc_mother": ints[2],
            "mc_mother_pdg": ints[3], "mc_vr": floats[2]}


def _kinematics(px: np.ndarray, py: np.ndarray, pz: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """|p|, θ, φ (vectorised: numpy's arctan2 is SIMD, a kernel's is a libm call)."""
    pt = np.sqrt(px * px + py * py)
    return np.sqrt(pt * pt + pz * pz), np.arctan2(pt, pz), np.arctan2(py, px)


@jit
def _truth_summary(ev, invisible, charge, pdg, px, py, pz, e, n_events
                   ):  # pragma: no cover - compiled
    """Per event: summed four-momentum of the invisible particles, numbers of charged
    particles and photons."""
    p4 = np.zeros((4, n_events))
    n_charged = np.zeros(n_events, dtype=np.int16)
    n_photons = np.zeros(n_events, dtype=np.int16)
    for i in range(ev.shape[0]):
        k = ev[i]
        if invisible[i]:
            p4[0, k] += px[i]
            p4[1, k] += py[i]
            p4[2, k] += pz[i]
            p4[3, k] += e[i]
        n_charged[k] += charge[i] != 0
        n_photons[k] += pdg[i] == 22
    return p4, n_charged, n_photons

Particles = dict[str, np.ndarray]


def _final_particles(c: dict[str, np.ndarray], counts: np.ndarray, rng: np.random.Generator,
                     params: DetectorParameters) -> Particles:
    """Flat final-state particles with their event, index in the event (``local``) and truth
    mother (index and PDG id, 0 for none), after the decays in flight (:mod:`decays`), the
    hadrons' nuclear interactions (:mod:`nuclear`), the photon conversions and the electrons'
    bremsstrahlung in the material (:mod:`material`),
    with species properties and momentum angles."""
    final = c["status"] == STATUS_FINAL
    names = ("pdg", "vx", "vy", "vz", "px", "py", "pz", "E", "mother")
    event = np.repeat(np.arange(len(counts)), counts)
    if final.all():  # views, no copies
        cols = {k: c[k] for k in names}
        idx, ev = np.arange(len(final)), event
    else:
        idx = np.nonzero(final)[0]
        cols = {k: c[k][idx] for k in names}
        ev = event[idx]
    part = {"x": cols["vx"], "y": cols["vy"], "z": cols["vz"], "px": cols["px"],
            "py": cols["py"], "pz": cols["pz"], "E": cols["E"],
            "pdg": cols["pdg"].astype(np.int64), "ev": ev,
            "mother": np.asarray(cols["mother"], dtype=np.int32)}
    part["local"] = (idx - _offsets(counts)[ev]).astype(np.int32)
    has_mother = (part["mother"] >= 0) & (part["mother"] < counts[ev])
    mother_row = np.where(has_mother, _offsets(counts)[ev] + part["mother"], 0)
    part["mother_pdg"] = np.where(has_mother, c["pdg"][mother_row], 0).astype(np.int32)
    part = decays.in_flight(part, counts, rng, params)
    part = nuclear.interact_hadrons(part, counts, rng, params)
    part = material.convert_photons(part, counts, rng, params)
    part = material.radiate_electrons(part, counts, rng, params)
    part["charge"], part["mass"], part["invisible"] = species.properties(part["pdg"])
    part["p"], part["theta"], part["phi"] = _kinematics(part["px"], part["py"], part["pz"])
    return part


def _tracking(part: Particles, rng: np.random.Generator, params: DetectorParameters
              ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Found tracks: their particles, smeared parameters and layer counts; and the outermost
    radius reached by every particle's helix (∞ for neutrals)."""
    ch = np.nonzero(part["charge"] != 0)[0]
    found, cols, r_max_ch = tracking.simulate_tracks(
        rng, part["x"], part["y"], part["z"], part["px"], part["py"], part["pz"],
        np.sign(part["charge"][ch]), part["mass"], params, phi=part["phi"],
        theta=part["theta"], index=ch)
    r_max = np.full(len(part["pdg"]), np.inf)
    r_max[ch] = r_max_ch
    return ch[found], cols, r_max


def _track_index(ev: np.ndarray, tk: np.ndarray, n_events: int, n_particles: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Per-event track offsets and, per particle, the index of its track in its event (−1)."""
    track_off = _offsets(np.bincount(ev[tk], minlength=n_events))
    part_to_track = np.full(n_particles, -1, dtype=np.int32)
    part_to_track[tk] = np.arange(len(tk)) - track_off[ev[tk]]
    return track_off, part_to_track


def _clusters(part: Particles, cl: dict[str, np.ndarray], part_to_track: np.ndarray,
              rng: np.random.Generator, rng_shape: np.random.Generator, rate: float,
              n_events: int, params: DetectorParameters
              ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The particles' kept clusters and the beam-background clusters, per event, with their
    shapes and times (:mod:`showers`)."""
    cols, (sub_e, sub_dist), off = _merge_clusters(
        rng, np.ascontiguousarray(part["ev"]), cl["keep"], cl["E"], cl["theta"], cl["phi"],
        cl["region"], part_to_track, part["pdg"], part["local"], part["mother"],
        part["mother_pdg"], cl["sub_e"], cl["sub_dist"],
        background.counts(rng, n_events, rate), *background.spectrum(params))
    out = dict(zip(_MERGED_COLUMNS, cols, strict=True))
    out.update(showers.cluster_shapes(rng_shape, out, sub_e, sub_dist, params))
    return out, off


def _klm_hits(part: Particles, layers: np.ndarray, part_to_track: np.ndarray, n_events: int
              ) -> ak.Array:
    """Per event: the particles that fired KLM layers (true angles), with their track link."""
    kk = np.nonzero(layers > 0)[0]
    return _jagged({"theta": part["theta"][kk], "phi": part["phi"][kk], "layers": layers[kk],
                    "track_index": part_to_track[kk], "mc_pdg": part["pdg"][kk].astype(np.int32),
                    "mc_index": part["local"][kk]},
                   _offsets(np.bincount(part["ev"][kk], minlength=n_events)))


def _truth(part: Particles, n_events: int) -> dict[str, np.ndarray]:
    inv_p4, n_charged, n_photons = _truth_summary(
        part["ev"], part["invisible"], part["charge"], part["pdg"], part["px"], part["py"],
        part["pz"], part["E"], n_events)
    out = {f"mc_{k}_invisible": inv_p4[j] for j, k in enumerate(("px", "py", "pz", "E"))}
    out["mc_n_charged"] = n_charged
    out["mc_n_photons"] = n_photons
    return out


#: per-event truth of the most energetic particle the detector lost (see :func:`lost_particle`)
LOST_COLUMNS = ("mc_lost_E", "mc_lost_theta", "mc_lost_phi", "mc_lost_pdg")


def lost_particle(part: Particles, part_to_track: np.ndarray, cl: dict[str, np.ndarray],
                  layers: np.ndarray, n_events: int, params: DetectorParameters
                  ) -> dict[str, np.ndarray]:
    """Per event, the most energetic visible final-state particle that left no track, no ECL
    cluster (merged into another's counts as seen) and no KLM hit: its true energy, polar
    angle, azimuth and PDG id (NaN, NaN, NaN, 0 where the detector lost nothing). Where a
    background that should have been seen went (the single-photon search's gaps and beam
    pipe)."""
    seen_ecl = (cl["E"] > params.ecl_cluster_threshold) & (cl["region"] > 0)
    lost = ~part["invisible"] & (part_to_track < 0) & ~seen_ecl & (layers == 0)
    idx = np.nonzero(lost)[0]
    idx = idx[np.lexsort((-part["E"][idx], part["ev"][idx]))]  # by event, hardest first
    events, first = np.unique(part["ev"][idx], return_index=True)
    hardest = idx[first]
    out = {k: np.full(n_events, np.nan) for k in LOST_COLUMNS[:3]}
    out["mc_lost_pdg"] = np.zeros(n_events, dtype=np.int32)
    for col, key in zip(LOST_COLUMNS, ("E", "theta", "phi", "pdg"), strict=True):
        out[col][events] = part[key][hardest]
    return out


#: PDG ids of the dark states (darkscan convention, 4 900 000 + n): the long-lived particles
DARK_ID_MIN, DARK_ID_MAX = 4_900_000, 5_000_000


def llp_decay_lengths(counts: np.ndarray, c: dict[str, np.ndarray]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per event, the proper decay length and the flight (cm) of its first decayed dark state:
    the distance from its production vertex to that of its first daughter, times m/|p| for the
    proper length (NaN without one). What :mod:`darkscan.interpret.lifetime` reweights to
    another cτ, and how far from the IP the decay lay."""
    proper, flight = np.full(len(counts), np.nan), np.full(len(counts), np.nan)
    pdg = np.abs(c["pdg"])
    llp = (pdg >= DARK_ID_MIN) & (pdg < DARK_ID_MAX) & (c["status"] != STATUS_FINAL)
    if not llp.any():
        return proper, flight
    off = _offsets(counts)[:-1]
    ev = np.repeat(np.arange(len(counts)), counts)
    mglob = np.where(c["mother"] >= 0, c["mother"] + off[ev], -1)
    child = np.nonzero((mglob >= 0) & llp[np.maximum(mglob, 0)])[0]
    if len(child) == 0:
        return proper, flight
    parent, first = np.unique(mglob[child], return_index=True)
    dau = child[first]
    d = np.stack([c[k][dau] - c[k][parent] for k in ("vx", "vy", "vz")], axis=1)
    p = np.sqrt(c["px"][parent] ** 2 + c["py"][parent] ** 2 + c["pz"][parent] ** 2)
    m = np.sqrt(np.maximum(c["E"][parent] ** 2 - p * p, 0.0))
    length = np.linalg.norm(d, axis=1)
    events, first_in_event = np.unique(ev[parent], return_index=True)
    proper[events] = (length * m / np.maximum(p, 1e-300))[first_in_event]
    flight[events] = length[first_in_event]
    return proper, flight


def simulate(sample: Sample, *, seed: int | np.random.SeedSequence,
             experiment: Experiment = BELLE2, beam_background_rate: float | None = None,
             params: DetectorParameters = BELLE2_DETECTOR) -> Sample:
    """Fast-simulate a truth sample. ``beam_background_rate`` (mean number of background photon
    clusters per event) defaults to ``params.bkg_rate``."""
    keep_freed_memory()  # chunk after chunk reuses the same memory (see darkscan.allocator)
    counts, c = _columns(sample)
    n_events = len(counts)
    # a new stream goes last: the others' numbers stay those of the same seed
    (rng_trk, rng_ecl, rng_klm, rng_pid, rng_bkg, rng_decay, rng_depth,
     rng_shape) = _rngs(seed, 8)
    rate = params.bkg_rate if beam_background_rate is None else float(beam_background_rate)
    part = _final_particles(c, counts, rng_decay, params)

    tk, tracks, r_max = _tracking(part, rng_trk, params)
    dep = calorimeter.ecl_deposits(rng_ecl, part["pdg"], part["charge"], part["x"], part["y"],
                                   part["z"], part["px"], part["py"], part["pz"], part["E"],
                                   part["mass"], r_max, params, theta_p=part["theta"])
    deposit, forced_weight, leaked = calorimeter.deep_conversions(
        rng_depth, part["pdg"], part["E"], dep["deposit"], part["ev"], n_events, params)
    cl = calorimeter.make_clusters(rng_ecl, deposit, dep["theta"], dep["phi"], params)
    tracked = np.zeros(len(part["pdg"]), dtype=bool)
    tracked[tk] = True
    cl = calorimeter.merge_close_clusters(cl, part["ev"], tracked, n_events, params)
    # a deep-converted photon's leaking shower meets the KLM behind the ECL like one lost in
    # a gap, with the energy the crystal did not keep
    layers = calorimeter.klm_hits(rng_klm, part["pdg"], part["p"],
                                  np.where(leaked, part["E"] - deposit, part["E"]),
                                  part["theta"], np.where(leaked, 0, dep["region"]),
                                  params)["layers"]
    track_off, part_to_track = _track_index(part["ev"], tk, n_events, len(part["pdg"]))
    tracks.update(pid.pid_scores(rng_pid, part["mass"], part["p"],
                                 np.hypot(part["px"], part["py"]), part["theta"],
                                 np.where(cl["keep"], cl["E"], np.nan), layers, params,
                                 index=tk))
    tracks.update(_track_links(tk, cl["keep"], cl["E"], layers, part, tracks["px"],
                               tracks["py"], tracks["pz"]))
    clusters, cluster_off = _clusters(part, cl, part_to_track, rng_bkg, rng_shape, rate,
                                      n_events, params)

    out: dict[str, Any] = {"tracks": _jagged(tracks, track_off),
                           "clusters": _jagged(clusters, cluster_off),
                           "klm": _klm_hits(part, layers, part_to_track, n_events)}
    out.update(trigger.trigger_bits(tracks, track_off, clusters, cluster_off,
                                    np.asarray(experiment.boost_beta, dtype=float), params))
    out.update(_truth(part, n_events))
    out.update(lost_particle(part, part_to_track, cl, layers, n_events, params))
    out["mc_llp_proper_length"], out["mc_llp_flight"] = llp_decay_lengths(counts, c)
    out["weight"] = c["weight"] * forced_weight
    meta = sample.meta.with_(kind="reco", extra={
        **sample.meta.extra, "detector": "belle2-fastsim",
        "beam_background_rate": rate, "detector_seed": _seed_repr(seed),
        "b_field": float(params.b_field)})
    return Sample(_events(out, n_events), meta)


def _seed_repr(seed: int | np.random.SeedSequence) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": str(seed.entropy), "spawn_key": list(seed.spawn_key)}
    return int(seed)


DEFAULT_DECAY = "vpho -> mu+:all mu-:all"


def simulate_file(in_path: str | os.PathLike[str] | Sample, out_path: str | os.PathLike[str],
                  seed: int = 0, *, decay: str | None = DEFAULT_DECAY,
                  experiment: Experiment = BELLE2, beam_background_rate: float | None = None
                  ) -> Sample:
    """``darkscan simulate IN -o OUT``: fast simulation then, with ``decay`` (default
    ``vpho -> mu+:all mu-:all``), reconstruction into a candidate ntuple (kind "ntuple");
    ``decay=None`` writes the event-level reco sample (kind "reco"). Written atomically.
    ``in_path`` may also be a truth sample already read (e.g. from an LHE file)."""
    from darkscan.reco import reconstruct  # reco sits above detector; import at call time

    truth = in_path if isinstance(in_path, Sample) else read_sample(in_path)
    reco = simulate(truth, seed=seed, experiment=experiment,
                    beam_background_rate=beam_background_rate)
    out = reco if decay is None else reconstruct(reco, decay, experiment=experiment)
    write_sample(out, out_path)
    return out
