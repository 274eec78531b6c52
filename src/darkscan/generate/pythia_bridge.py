"""Bridge to Pythia 8 (the ``pythia8mc`` wheel): run it in-process and convert its event record
into darkscan truth events.

Two entry points:

* :func:`run_pythia` — Pythia generates the hard process itself (``Beams:frameType = 1``,
  e⁺e⁻ in the CMS frame at the nominal √s of the experiment preset), with its lepton PDF for
  initial-state radiation, its showers, hadronisation and decays. Events come out in batches
  through ``Pythia.nextBatch`` (one C++ call per batch, awkward arrays; no per-particle Python
  access at all).
* :func:`hadronise_partons` — darkscan hands its *own* parton/particle-level events (τ⁺τ⁻ or qq̄
  four-momenta from another generator, a B B̄ pair from Υ(4S), a forced signal decay) to Pythia
  for τ decays, FSR, hadronisation and particle decays. **Choice:** we fill ``pythia.event``
  directly with ``ProcessLevel:all = off`` and call ``nextBatch(1)`` per event, rather than
  writing an LHEF file for ``Beams:frameType = 4`` (LHE I/O would cost a file round trip and the
  text parsing on Pythia's side, with no physics gain: colour, helicity (``pol``) and mother
  links can all be set on the in-memory record). The per-event Python cost is one ``append``
  per inserted parton; the output conversion is still vectorised over the whole chunk.

Conversion (:func:`batch_to_columns`): kept particles are the final state (status > 0) plus the
*decayed* physical particles (τ, hadrons and resonances whose daughters come from the decay
stage, Pythia status ±91…99, and any id in ``keep_ids``, e.g. the inserted Υ(4S)). Mother indices
are remapped to the nearest kept ancestor (−1 if none: beam, string, hard process). Units:
Pythia's vertices are in mm and times in mm/c; darkscan uses cm and ns. Vertices are
space-time four-vectors and are boosted to the lab with the particles; the primary vertex from the
luminous region of the experiment preset is added afterwards.

Stable particles: ``ParticleDecays:limitTau0 = on`` with ``tau0Max = 10 mm`` (Pythia's default
threshold), so K⁰_S, Λ, Σ, Ξ, Ω, π±, K±, μ± reach the detector stage undecayed, as with
basf2's generator/Geant4 split (the detector stage decides about displaced decays).

Reference: C. Bierlich et al., "A comprehensive guide to the physics and usage of PYTHIA 8.3",
SciPost Phys. Codebases 8 (2022).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import awkward as ak
import numpy as np

from darkscan.errors import NotAvailableError
from darkscan.events import STATUS_DECAYED, STATUS_FINAL, make_truth_events
from darkscan.physics.experiment import BELLE2, Experiment

MM_TO_CM = 0.1                          #: Pythia lengths are mm
MM_PER_NS = 299.792458                  #: c in mm/ns: Pythia times (mm/c) → ns
MB_TO_PB = 1.0e9                        #: Pythia σ in mb
PYTHIA_SEED_MAX = 900_000_000           #: Random:seed must be in [0, 900 000 000]

#: Settings every darkscan Pythia instance gets.
BASE_SETTINGS: tuple[str, ...] = (
    "Print:quiet = on",
    "Next:numberCount = 0",
    "Next:numberShowEvent = 0",
    "Next:numberShowInfo = 0",
    "Next:numberShowProcess = 0",
    "ParticleDecays:limitTau0 = on",
    "ParticleDecays:tau0Max = 10.",
)

PARTON_FIELDS = ("pdg", "status", "mother1", "mother2", "daughter1", "daughter2", "col", "acol",
                 "px", "py", "pz", "E", "m", "scale", "pol")


def _pythia_module():
    try:
        import pythia8mc
    except ImportError as exc:  # pragma: no cover - pythia8mc is a declared dependency
        raise NotAvailableError("Pythia 8 is needed for this process: pip install pythia8mc"
                                ) from exc
    return pythia8mc


def decay_table_pythia(settings: Sequence[str] = ()):
    """A quiet ``pythia8mc.Pythia`` that is never initialised, for reading its particle data:
    the default decay tables after ``settings`` (ValueError names a setting Pythia rejects)."""
    pythia = _pythia_module().Pythia("", False)
    for s in ("Print:quiet = on", *settings):
        if not pythia.readString(s):
            raise ValueError(f"Pythia rejected the setting '{s}'")
    return pythia


def child_seed(seed: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """The ``k``-th child of ``seed`` without mutating it (``spawn`` is stateful, so calling it
    twice on the same chunk seed would give different streams)."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 1000 + k),
                                  pool_size=seed.pool_size)


def pythia_seed(seed: np.random.SeedSequence) -> int:
    """An integer for ``Random:seed`` drawn from ``seed`` (Pythia accepts 1…900 000 000; 0 would
    mean 'seed from the clock')."""
    return int(seed.generate_state(1, np.uint32)[0]) % PYTHIA_SEED_MAX + 1


def make_pythia(settings: Iterable[str], seed: np.random.SeedSequence, *,
                extra_particles: Sequence[tuple[int, str, int, int, int, float]] = ()):
    """A quiet, seeded, initialised ``pythia8mc.Pythia``.

    ``extra_particles``: (id, name, 2s+1, 3×charge, colour type, mass) added to Pythia's table
    (stable) before ``init`` — for ids Pythia lacks (Υ(4S), dark states).
    """
    py8 = _pythia_module()
    pythia = py8.Pythia("", False)
    for s in (*BASE_SETTINGS, "Random:setSeed = on", f"Random:seed = {pythia_seed(seed)}",
              *settings):
        if not pythia.readString(s):
            raise ValueError(f"Pythia rejected the setting '{s}'")
    for pid, name, spin, charge3, col, m0 in extra_particles:
        pythia.particleData.addParticle(int(pid), name, int(spin), int(charge3), int(col),
                                        float(m0))
        pythia.particleData.mayDecay(int(pid), False)
    if not pythia.init():
        raise RuntimeError("Pythia initialisation failed with settings: " + "; ".join(settings))
    return pythia


def ee_beam_settings(experiment: Experiment = BELLE2, *, isr: bool = True) -> list[str]:
    """e⁻ (A, +z) on e⁺ (B) in the CMS frame at the preset's nominal √s; ISR from Pythia's
    lepton PDF (LL electron structure function with QED ISR shower) unless ``isr`` is False."""
    out = ["Beams:idA = 11", "Beams:idB = -11", "Beams:frameType = 1",
           f"Beams:eCM = {experiment.sqrt_s:.9f}"]
    if not isr:
        out += ["PDF:lepton = off", "PartonLevel:ISR = off"]
    return out


# ---------------------------------------------------------------------------------------------
# event-record conversion (vectorised over a batch)
# ---------------------------------------------------------------------------------------------
def _flat(x: ak.Array) -> np.ndarray:
    return ak.to_numpy(ak.flatten(x, axis=1))


def batch_to_columns(prt: ak.Array, keep_ids: Sequence[int] = ()
                     ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Pythia batch particles (``nextBatch(...).prt``) → per-event counts and flat columns
    (CMS frame as generated, vertices converted to cm and ns, mothers remapped to kept list)."""
    counts_all = ak.to_numpy(ak.num(prt, axis=1)).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts_all)[:-1]])
    ev_of = np.repeat(np.arange(len(counts_all)), counts_all)
    off = offsets[ev_of]
    pid = _flat(prt.id).astype(np.int64)
    status = _flat(prt.status).astype(np.int64)
    mother1 = _flat(prt.mother1).astype(np.int64)
    daughter1 = _flat(prt.daughter1).astype(np.int64)
    p = prt.p
    vprod = ak.fill_none(prt.vProd, {"px": 0.0, "py": 0.0, "pz": 0.0, "e": 0.0}, axis=1)

    n_all = pid.size
    d1g = np.where(daughter1 > 0, daughter1 + off, 0)
    dstat = np.abs(status[np.clip(d1g, 0, max(n_all - 1, 0))])
    decayed = (status < 0) & (daughter1 > 0) & (dstat >= 91) & (dstat <= 99)
    if keep_ids:
        last_copy = (daughter1 <= 0) | (pid[np.clip(d1g, 0, max(n_all - 1, 0))] != pid)
        decayed |= (status < 0) & np.isin(pid, np.asarray(keep_ids)) & last_copy
    decayed &= pid != 90
    keep = (status > 0) | decayed

    # nearest kept ancestor (global index), −1 for none; Pythia's mother1 = 0 means none
    mglob = np.where(mother1 > 0, mother1 + off, -1)
    anc = mglob.copy()
    for _ in range(200):
        climb = (anc >= 0) & ~keep[np.maximum(anc, 0)]
        if not climb.any():
            break
        anc[climb] = mglob[anc[climb]]
    kept_counts = np.bincount(ev_of[keep], minlength=len(counts_all)).astype(np.int64)
    new_index = np.cumsum(keep) - 1                      # global index among kept
    kept_off = np.concatenate([[0], np.cumsum(kept_counts)[:-1]])
    local = new_index - kept_off[ev_of]                  # index within the event's kept list
    mother = np.where(anc >= 0, local[np.maximum(anc, 0)], -1)

    cols = {
        "pdg": pid[keep],
        "px": _flat(p.px)[keep], "py": _flat(p.py)[keep], "pz": _flat(p.pz)[keep],
        "E": _flat(p.e)[keep],
        "vx": _flat(vprod.px)[keep] * MM_TO_CM, "vy": _flat(vprod.py)[keep] * MM_TO_CM,
        "vz": _flat(vprod.pz)[keep] * MM_TO_CM, "t": _flat(vprod.e)[keep] / MM_PER_NS,
        "mother": mother[keep],
        "status": np.where(status[keep] > 0, STATUS_FINAL, STATUS_DECAYED),
    }
    return kept_counts, cols


def columns_to_lab(counts: np.ndarray, cols: dict[str, np.ndarray], rng: np.random.Generator,
                   experiment: Experiment = BELLE2, *, beam_spread: bool = True
                   ) -> dict[str, np.ndarray]:
    """Boost CMS-frame columns to the lab (momenta *and* space-time vertices) and add the primary
    vertex from the luminous region.

    With ``beam_spread`` the boost of each event is that of its own sampled beam pair (Gaussian
    energy spread of the preset); the event itself was generated at the nominal √s, so the ~5 MeV
    spread of √s is not propagated into the CMS kinematics (a documented approximation).
    """
    n_ev = len(counts)
    if beam_spread:
        e1, e2 = experiment.sample_beam_energies(rng, n_ev)
        tot = experiment.electron_p4(e1) + experiment.positron_p4(e2)
        beta_ev = tot[:, :3] / tot[:, 3:4]
    else:
        beta_ev = np.broadcast_to(experiment.boost_beta, (n_ev, 3))
    vtx = experiment.sample_vertex(rng, n_ev)
    ev_of = np.repeat(np.arange(n_ev), counts)
    beta = beta_ev[ev_of]
    p4 = np.stack([cols["px"], cols["py"], cols["pz"], cols["E"]], axis=-1)
    p4 = experiment.to_lab(p4, beta)
    c = 29.9792458  # cm/ns: boost (x, c t) as a four-vector
    x4 = np.stack([cols["vx"], cols["vy"], cols["vz"], cols["t"] * c], axis=-1)
    x4 = experiment.to_lab(x4, beta)
    out = dict(cols)
    out.update(px=p4[:, 0], py=p4[:, 1], pz=p4[:, 2], E=p4[:, 3],
               vx=x4[:, 0] + vtx[ev_of, 0], vy=x4[:, 1] + vtx[ev_of, 1],
               vz=x4[:, 2] + vtx[ev_of, 2], t=x4[:, 3] / c)
    return out


@dataclass(frozen=True)
class PythiaRun:
    """Lab-frame truth events with Pythia's cross-section estimate (pb)."""

    events: ak.Array
    sigma_pb: float
    error_pb: float
    n_tried: int


def run_pythia(settings: Sequence[str], n: int, seed: np.random.SeedSequence, *,
               experiment: Experiment = BELLE2, isr: bool = True, beam_spread: bool = True,
               keep_ids: Sequence[int] = (), lab: bool = True) -> PythiaRun:
    """Generate ``n`` events of a Pythia hard process in the CMS frame and return them as darkscan
    lab-frame truth events. σ is Pythia's ``sigmaGen() ± sigmaErr()`` (mb → pb) after the run."""
    s_pythia, s_lab = child_seed(seed, 0), child_seed(seed, 1)
    pythia = make_pythia([*ee_beam_settings(experiment, isr=isr), *settings], s_pythia)
    batch = pythia.nextBatch(int(n), "skip")
    info = pythia.infoPython()
    counts, cols = batch_to_columns(batch.prt, keep_ids)
    if lab:
        cols = columns_to_lab(counts, cols, np.random.default_rng(s_lab), experiment,
                              beam_spread=beam_spread)
    events = make_truth_events(counts, np.ones(len(counts)), **cols)
    return PythiaRun(events, info.sigmaGen() * MB_TO_PB, info.sigmaErr() * MB_TO_PB,
                     int(info.nTried()))


# ---------------------------------------------------------------------------------------------
# darkscan partons → Pythia (ProcessLevel off)
# ---------------------------------------------------------------------------------------------
def hadronise_partons(counts: np.ndarray, partons: dict[str, np.ndarray],
                      seed: np.random.SeedSequence, *, settings: Sequence[str] = (),
                      experiment: Experiment = BELLE2, beam_spread: bool = True,
                      keep_ids: Sequence[int] = (),
                      extra_particles: Sequence[tuple[int, str, int, int, int, float]] = (),
                      lab: bool = True) -> ak.Array:
    """Hand darkscan's own CMS-frame events to Pythia for decays, FSR and hadronisation.

    ``partons`` holds flat columns :data:`PARTON_FIELDS` (Pythia conventions: status, 1-based
    mother/daughter indices within the event with 0 = the system entry, colour tags ≥ 101,
    ``pol`` = helicity ±1 or 9 for unknown); ``counts`` the number of entries per event.
    Quarks need colour-connected partners (e.g. q with ``col`` 101, q̄ with ``acol`` 101);
    resonances/τ pass through Pythia's decay machinery (τ decays use ``pol`` when given).
    Returns lab-frame truth events.
    """
    pythia = make_pythia(["ProcessLevel:all = off", *settings], child_seed(seed, 0),
                         extra_particles=extra_particles)
    kc, cols = _run_records(pythia, counts, partons, keep_ids)
    if lab:
        cols = columns_to_lab(kc, cols, np.random.default_rng(child_seed(seed, 1)), experiment,
                              beam_spread=beam_spread)
    return make_truth_events(kc, np.ones(len(kc)), **cols)


def _run_records(pythia, counts: np.ndarray, partons: dict[str, np.ndarray],
                 keep_ids: Sequence[int] = ()) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Fill ``pythia.event`` with each record of ``partons`` (``counts`` entries each), let an
    initialised ``ProcessLevel:all = off`` instance process it, and convert the batch
    (:func:`batch_to_columns`, frame as given)."""
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rows = np.column_stack([np.asarray(partons.get(k, _PARTON_DEFAULTS.get(k, 0.0)), float)
                            * np.ones(int(counts.sum())) for k in PARTON_FIELDS])
    ints = rows[:, :8].astype(np.int64).tolist()
    flts = rows[:, 8:].tolist()
    ev = pythia.event
    batches = []
    for i0, k in zip(starts.tolist(), counts.tolist(), strict=True):
        ev.reset()
        for j in range(i0, i0 + k):
            a, f = ints[j], flts[j]
            ev.append(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
                      f[0], f[1], f[2], f[3], f[4], f[5], f[6])
        batches.append(pythia.nextBatch(1, "fail"))
    return batch_to_columns(ak.concatenate(batches).prt, keep_ids)


_PARTON_DEFAULTS = {"status": 1.0, "mother1": 0.0, "mother2": 0.0, "daughter1": 0.0,
                    "daughter2": 0.0, "col": 0.0, "acol": 0.0, "scale": 0.0, "pol": 9.0}


TAU_IDS = (15,)
DECAYS_PER_RECORD = 1000


def _tau_ctau_cm() -> float:
    from particle import Particle

    return float(Particle.from_pdgid(15).ctau) / 10.0  # mm → cm


@dataclass(frozen=True)
class DecayTrees:
    """The decay products of ``n`` decayed particles (the roots: τ leptons, B mesons, …), root
    ``i`` owning rows ``start[i]:start[i + 1]`` in Pythia's order (its direct daughters first,
    then the products of the secondary decays Pythia performs, e.g. π⁰ → γγ, D mesons, η, ω, K*
    and K⁰ → K⁰_S/K⁰_L, each after its mother).

    ``p4`` (N, 4): px, py, pz, E in GeV; ``x4`` (N, 4): production vertex relative to the root's
    decay point (vx, vy, vz in cm, t in ns; zero for the direct daughters, the flight of the
    decayed intermediate otherwise); ``mother``: index of the mother among the root's rows, −1
    for the root itself; ``status``: darkscan's (:data:`STATUS_FINAL` or
    :data:`STATUS_DECAYED`).
    """

    start: np.ndarray
    pdg: np.ndarray
    p4: np.ndarray
    x4: np.ndarray
    mother: np.ndarray
    status: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        """Number of rows (decay products, intermediates included) per root."""
        return np.diff(self.start)

    @property
    def root_of_row(self) -> np.ndarray:
        """The root each row belongs to."""
        return np.repeat(np.arange(len(self.start) - 1), self.counts)


def decays_from_pythia(pythia, partons: dict[str, np.ndarray]) -> DecayTrees:
    """Decay the particles ``partons`` (flat :data:`PARTON_FIELDS` columns, one row per particle,
    frame as given) with an initialised ``ProcessLevel:all = off`` Pythia,
    :data:`DECAYS_PER_RECORD` to one record (each decays on its own: its mother is the record's
    system entry, so Pythia's τ decays are unpolarised and uncorrelated unless ``pol`` is
    given), and group the products per particle. A Pythia record lists its particles first (in
    input order), then the decay products; each product is traced up to its root through the
    mothers. Every particle decays where it is (the origin of ``x4``): the caller draws its
    flight."""
    n_tau = len(partons["pdg"])
    per_record = np.full(-(-n_tau // DECAYS_PER_RECORD), DECAYS_PER_RECORD)
    per_record[-1] = n_tau - DECAYS_PER_RECORD * (len(per_record) - 1)
    sub_counts, sc = _run_records(pythia, per_record, partons)
    record = np.repeat(np.arange(len(sub_counts)), sub_counts)
    sub_first = np.concatenate([[0], np.cumsum(sub_counts)[:-1]])[record]
    local = np.arange(len(record)) - sub_first
    k = per_record[record]
    tau_start = np.concatenate([[0], np.cumsum(per_record)[:-1]])[record]
    product = local >= k
    if np.any(sc["mother"][product] < 0):
        raise RuntimeError("a τ decay product without a mother in the Pythia record")
    root = sc["mother"].astype(np.int64)  # climb to the τ each product comes from
    for _ in range(50):
        up = product & (root >= k)
        if not up.any():
            break
        root[up] = sc["mother"][sub_first[up] + root[up]]
    tau_number = tau_start + np.where(product, root, local)
    prod = np.nonzero(product)[0]
    order = prod[np.argsort(tau_number[prod], kind="stable")]
    start = np.concatenate([[0], np.cumsum(np.bincount(tau_number[order], minlength=n_tau))])
    within = np.full(len(record), -1, dtype=np.int64)  # position among its τ's products
    within[order] = np.arange(len(order)) - start[tau_number[order]]
    return DecayTrees(
        start=start, pdg=sc["pdg"][order].astype(np.int64),
        p4=np.stack([sc[c][order] for c in ("px", "py", "pz", "E")], axis=1),
        x4=np.stack([sc[c][order] for c in ("vx", "vy", "vz", "t")], axis=1),
        mother=within[sub_first[order] + sc["mother"][order]],
        status=sc["status"][order].astype(np.int64))


def decay_final_taus(events: ak.Array, seed: np.random.SeedSequence, *,
                     settings: Sequence[str] = (), library: bool = True,
                     library_size: int | None = None) -> ak.Array:
    """Decay the τ leptons an own process leaves in the final state with Pythia's τ decays
    (all modes, PDG-tuned branching fractions, unless ``settings`` restrict them, e.g.
    ``15:onMode = off`` and channels switched back on: Pythia then picks among the open
    channels in proportion to their branching fractions; unpolarised: the τ spin is not passed
    on), in the frame the events are in. Each τ becomes status 2; its decay products join its
    event after the other particles (τ by τ, in event order), with the τ (or an intermediate
    resonance) as mother, starting where the τ decays (its flight drawn here from
    cτ = 87 µm: Pythia leaves a particle it is handed where it is). Events without a
    final-state τ are returned as they are.

    ``library`` (default): each τ gets a decay drawn from the cached library of Pythia decays at
    rest under the same ``settings`` (:mod:`darkscan.generate.tau_library`: channel drawn from
    Pythia's table, decay configuration from the library, uniformly random orientation, boosted
    to the τ; ~1 µs a τ instead of 0.7–1.5 ms), distributed as a fresh Pythia decay because
    these decays are unpolarised; ``library_size`` (default
    :data:`darkscan.generate.tau_library.LIBRARY_SIZE`) its number of decays. ``library=False``:
    the τ of many events decayed by Pythia itself, :data:`DECAYS_PER_RECORD` to one record (one
    record per event would cost ~2 ms an event), kept for validation."""
    from darkscan.generate.llp import decay_vertices

    parts = events["particles"]
    counts = ak.to_numpy(ak.num(parts, axis=1)).astype(np.int64)
    flat = ak.flatten(parts, axis=1)
    cols = {f: ak.to_numpy(flat[f]) for f in ak.fields(flat)}
    taus = np.nonzero((cols["status"] == STATUS_FINAL) & np.isin(np.abs(cols["pdg"]), TAU_IDS))[0]
    if len(taus) == 0:
        return events
    p4_tau = np.stack([cols[c][taus] for c in ("px", "py", "pz", "E")], axis=1)
    m_tau = np.sqrt(np.maximum(p4_tau[:, 3] ** 2 - np.sum(p4_tau[:, :3] ** 2, axis=1), 0.0))
    if library:
        from darkscan.generate import tau_library

        trees = tau_library.library_decays(
            cols["pdg"][taus], p4_tau, tuple(settings),
            np.random.default_rng(child_seed(seed, 3)),
            size=tau_library.LIBRARY_SIZE if library_size is None else int(library_size))
    else:
        pythia = make_pythia(["ProcessLevel:all = off", *settings], child_seed(seed, 0))
        trees = decays_from_pythia(pythia, {
            "pdg": cols["pdg"][taus], "px": p4_tau[:, 0], "py": p4_tau[:, 1],
            "pz": p4_tau[:, 2], "E": p4_tau[:, 3], "m": m_tau})
    flight = decay_vertices(p4_tau, m_tau, _tau_ctau_cm(),
                            np.random.default_rng(child_seed(seed, 2)),
                            origin=np.stack([cols[c][taus] for c in ("vx", "vy", "vz")], axis=1),
                            t0=cols["t"][taus])
    return attach_decays(ak.to_numpy(events["weight"]), counts, cols, taus, trees, flight.vertex,
                         flight.lab_time)


def attach_decays(weight: np.ndarray, counts: np.ndarray, cols: dict[str, np.ndarray],
                  roots: np.ndarray, trees: DecayTrees, vertex: np.ndarray,
                  time: np.ndarray) -> ak.Array:
    """Truth events (flat ``cols`` with ``counts`` rows per event and event ``weight``) with the
    rows ``roots`` (flat indices, increasing) set to status 2 and their decay products
    ``trees`` appended to their events, displaced to the decay points ``vertex`` (n_roots, 3) cm
    at the times ``time`` ns."""
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    ev_of = np.repeat(np.arange(len(counts)), counts)
    root_of = trees.root_of_row
    event = ev_of[roots][root_of]                    # non-decreasing: roots are in event order
    n_added = np.bincount(event, minlength=len(counts))
    added_first = np.concatenate([[0], np.cumsum(n_added)[:-1]])
    new_local = counts[event] + np.arange(len(event)) - added_first[event]
    mother = np.where(trees.mother < 0, (roots - first[ev_of[roots]])[root_of],
                      new_local[trees.start[root_of] + np.maximum(trees.mother, 0)])
    added = {"pdg": trees.pdg, "px": trees.p4[:, 0], "py": trees.p4[:, 1],
             "pz": trees.p4[:, 2], "E": trees.p4[:, 3],
             "vx": trees.x4[:, 0] + vertex[root_of, 0], "vy": trees.x4[:, 1] + vertex[root_of, 1],
             "vz": trees.x4[:, 2] + vertex[root_of, 2], "t": trees.x4[:, 3] + time[root_of],
             "mother": mother, "status": trees.status}
    status = cols["status"].copy()
    status[roots] = STATUS_DECAYED
    own = {**cols, "status": status}
    position = np.concatenate([np.arange(len(ev_of)) - first[ev_of], new_local])
    sort = np.lexsort((position, np.concatenate([ev_of, event])))
    merged = {f: np.concatenate([own[f], added[f]])[sort] for f in added}
    return make_truth_events(counts + n_added, weight, **merged)


#: Pythia's decay length cut (mm): longer-lived particles are left to the detector
TAU0_MAX_MM = 10.0


def decay_unstable(counts: np.ndarray, cols: dict[str, np.ndarray], weight: np.ndarray,
                   seed: np.random.SeedSequence, *, settings: Sequence[str] = (),
                   extra_particles: Sequence[tuple[int, str, int, int, int, float]] = ()
                   ) -> ak.Array:
    """Decay every final-state particle of own truth events (flat ``cols``, any frame) that
    Pythia would decay (it may and can decay, cτ₀ ≤ :data:`TAU0_MAX_MM`), with Pythia's decay
    tables and its secondary decays, :data:`DECAYS_PER_RECORD` particles to a Pythia record
    (one record per event costs ~6 ms an event in Python overhead; this is ~20× faster).

    Each particle decays after its flight (Pythia draws it for hadrons; for a particle Pythia
    leaves in place, such as a τ, it is drawn here from cτ₀ by ``llp.decay_vertices``); its
    products join its event after the other particles. Each decays on its own,
    unpolarised: correct for spin-0 parents (B, D, K, π⁰) and for the mixtures generic decays
    are; B⁰–B̄⁰ mixing is not applied (the particle is handed to Pythia with proper time 0)."""
    from darkscan.generate.llp import decay_vertices

    pythia = make_pythia(["ProcessLevel:all = off", *settings], child_seed(seed, 0),
                         extra_particles=extra_particles)
    data = pythia.particleData
    final = cols["status"] == STATUS_FINAL
    ids, inverse = np.unique(cols["pdg"][final], return_inverse=True)
    tau0 = np.array([data.tau0(int(i)) if data.isParticle(int(i)) and data.mayDecay(int(i))
                     and data.canDecay(int(i)) else np.inf for i in ids])
    decays_here = np.zeros(len(final), dtype=bool)
    decays_here[np.nonzero(final)[0]] = tau0[inverse] <= TAU0_MAX_MM
    roots = np.nonzero(decays_here)[0]
    if len(roots) == 0:
        return make_truth_events(counts, weight, **cols)
    p4 = np.stack([cols[c][roots] for c in ("px", "py", "pz", "E")], axis=1)
    m = np.sqrt(np.maximum(p4[:, 3] ** 2 - np.sum(p4[:, :3] ** 2, axis=1), 0.0))
    trees = decays_from_pythia(pythia, {"pdg": cols["pdg"][roots], "px": p4[:, 0],
                                        "py": p4[:, 1], "pz": p4[:, 2], "E": p4[:, 3], "m": m})
    vertex = np.stack([cols[c][roots] for c in ("vx", "vy", "vz")], axis=1)
    time = cols["t"][roots].astype(float).copy()
    ctau_cm = tau0[np.searchsorted(ids, cols["pdg"][roots])] * MM_TO_CM
    # Pythia gives the hadrons it decays their flight itself (the direct daughters start at the
    # decay point), but leaves a τ where it is: draw the flight where Pythia did not
    first_daughter = trees.start[:-1][trees.counts > 0]
    moved = np.zeros(len(roots), dtype=bool)
    moved[trees.counts > 0] = np.any(trees.x4[first_daughter, :3] != 0.0, axis=1)
    flies = (ctau_cm > 0) & ~moved
    if flies.any():
        flight = decay_vertices(p4[flies], m[flies], ctau_cm[flies],
                                np.random.default_rng(child_seed(seed, 1)),
                                origin=vertex[flies], t0=time[flies])
        vertex[flies], time[flies] = flight.vertex, flight.lab_time
    return attach_decays(weight, counts, cols, roots, trees, vertex, time)
