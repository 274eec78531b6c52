"""The sample stage of a search: every sample's chunks generated → truth-filtered → simulated →
reconstructed (best candidate per event) → flat ntuple, in seeded, cached chunks through the
executor, so any number of workers gives identical results and a killed run resumes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import awkward as ak
import numpy as np

from darkscan.events import Sample, SampleMeta
from darkscan.reco.lists import ListDef
from darkscan.run.cache import stage_key
from darkscan.run.chunks import Chunk, plan_chunks
from darkscan.run.executors import Executor
from darkscan.run.pipeline import cached_chunk, is_cached
from darkscan.searches.spec import AllCandidates, BestCandidate, SampleSpec

#: the ntuple cache key fingerprints the whole package: an edit anywhere (a process, ISR, the
#: amplitudes, a model, the detector, a truth filter) never reuses a stale ntuple
CODE = ("darkscan",)


# --------------------------------------------------------------------------- sample stage
@dataclass(frozen=True)
class Reconstruction:
    """One way of reconstructing a sample: decay string, best-candidate rule, particle lists,
    the columns kept, and the ntuple cache key of the sample so reconstructed."""

    decay: str
    best: BestCandidate | AllCandidates
    columns: tuple[str, ...]
    lists: tuple[ListDef, ...]
    base_key: str


@dataclass(frozen=True)
class NtupleTask:
    """One chunk of one sample: generate → truth filter → simulate → reconstruct (and, with
    ``also``, reconstruct the same simulated events in further ways: channels with other decay
    strings share one simulation)."""

    sample: str
    spec: SampleSpec
    params: dict[str, float]
    decay: str
    best: BestCandidate | AllCandidates
    columns: tuple[str, ...]
    chunk: Chunk
    lists: tuple[ListDef, ...]
    cache_root: str | None
    base_key: str
    also: tuple[Reconstruction, ...] = ()

    @property
    def reconstructions(self) -> tuple[Reconstruction, ...]:
        return (Reconstruction(self.decay, self.best, self.columns, self.lists, self.base_key),
                *self.also)


#: the ntuple metadata's count of the events that passed the sample's truth filter
TRUTH_EVENTS = "truth_filter_events"


def _detector_seed(chunk: Chunk) -> np.random.SeedSequence:
    # a stream of its own, distinct from anything the generator spawns from chunk.seed
    return np.random.SeedSequence(chunk.seed.entropy, spawn_key=(*chunk.seed.spawn_key, 7_919))


def ntuple_kernel(task: NtupleTask) -> Sample:
    """The chunk's ntuple of the task's first reconstruction."""
    return ntuple_kernels(task)[0]


def ntuple_kernels(task: NtupleTask) -> tuple[Sample, ...]:
    """The chunk generated and simulated once, reconstructed in every way the task asks."""
    from darkscan.detector import simulate
    from darkscan.detector.parameters import detector_for
    from darkscan.generate import get_process
    from darkscan.generate.registry import finish_decays
    from darkscan.physics.experiment import get_experiment
    from darkscan.reco import reconstruct

    truth = get_process(task.spec.process).generate_chunk(task.chunk.n, task.chunk.seed,
                                                          task.params, isr=True)
    n_generated = task.chunk.n
    if task.spec.truth_filter is not None:
        keep = np.asarray(task.spec.truth_filter(truth.particles), dtype=bool)
        truth = Sample(truth.events[keep], truth.meta)
        if task.spec.filter_is_decay:  # the sample is the decay searched for
            n_generated = int(np.count_nonzero(keep))
    if task.spec.truth_weight is not None:
        w = np.asarray(task.spec.truth_weight(truth.particles), dtype=float)
        truth = Sample(ak.with_field(truth.events, truth.events["weight"] * w, "weight"),
                       truth.meta)
    truth = finish_decays(truth, task.chunk.seed)  # after the filter: no decays for its losers
    # the sample's own collider and detector (Belle's data are simulated with Belle's)
    experiment = get_experiment(truth.meta.experiment or "belle2")
    reco = simulate(truth, seed=_detector_seed(task.chunk), experiment=experiment,
                    params=replace(detector_for(experiment.name), **task.spec.detector))
    from darkscan.detector.trigger import TRIGGER_BITS

    # how many events the truth filter kept: a filter that keeps none is reported by the run
    meta = truth.meta.with_(n_generated=n_generated, kind="ntuple",
                            extra={**truth.meta.extra, TRUTH_EVENTS: len(truth.events)})
    out = []
    for r in task.reconstructions:
        variables = [c for c in r.columns if c not in TRIGGER_BITS]
        nt = reconstruct(reco, decay=r.decay, variables=variables, lists=r.lists,
                         best=r.best.expression, best_highest=r.best.highest,
                         experiment=experiment)
        fields = [c for c in (*r.columns, "weight") if c in ak.fields(nt.events)]
        missing = sorted(set(r.columns) - set(fields))
        if missing:
            raise KeyError(f"reconstruction did not provide columns {missing}")
        out.append(Sample(ak.zip({f: nt.events[f] for f in fields}, depth_limit=1), meta))
    return tuple(out)


#: events of the tiny samples the warm-up runs
WARM_UP_EVENTS = 200


def _warm_up(job: tuple[str, tuple[NtupleTask, ...]]) -> None:
    """Compile one group of kernels in this worker (numba caches them on disk for the others):
    ``("generate", tasks)`` the generators of the tasks' processes, ``("detect", (task,))`` the
    fast simulation and the reconstruction. Best effort: a failure here is met again, and
    reported, by the real chunk."""
    from darkscan.detector import simulate
    from darkscan.detector.toy import mumux_sample
    from darkscan.generate import get_process
    from darkscan.reco import reconstruct

    group, tasks = job
    try:
        if group == "generate":
            for t in tasks:
                get_process(t.spec.process).generate_chunk(WARM_UP_EVENTS, t.chunk.seed,
                                                           t.params, isr=True)
        else:
            t = tasks[0]
            reco = simulate(mumux_sample(1.0, WARM_UP_EVENTS, 1), seed=1)
            reconstruct(reco, decay=t.decay, lists=t.lists, best=t.best.expression,
                        best_highest=t.best.highest)
    except Exception:  # best effort, see the docstring
        return


def warm_up(tasks: list[NtupleTask], executor: Executor) -> None:
    """With several workers, compile the generators in one and the detector and reconstruction
    in another at the same time, before any chunk: on a machine whose kernel cache is empty
    every worker would otherwise compile everything itself, one after the other."""
    if getattr(executor, "workers", 1) < 2 or not tasks:
        return
    first_of_process = {t.spec.process: t for t in tasks}
    executor.map(_warm_up, [("generate", tuple(first_of_process.values())),
                            ("detect", (tasks[0],))], label="compiling kernels")


def _cached_ntuples(task: NtupleTask) -> tuple[Sample, ...]:
    """Every reconstruction's ntuple of the chunk, from the cache where stored; the chunk is
    simulated (once) only if one is missing."""
    computed: list[tuple[Sample, ...]] = []

    def compute(i: int) -> Sample:
        if not computed:
            computed.append(ntuple_kernels(task))
        return computed[0][i]

    return tuple(cached_chunk(task.chunk, root=task.cache_root, stage="ntuple",
                              base_key=r.base_key, kernel=lambda _, i=i: compute(i))
                 for i, r in enumerate(task.reconstructions))


def _all_cached(task: NtupleTask) -> bool:
    return all(is_cached(task.chunk, root=task.cache_root, stage="ntuple", base_key=r.base_key)
               for r in task.reconstructions)


def sample_id(spec: SampleSpec, point: dict[str, float] | None = None) -> str:
    """Stable identity of a sample (or of one signal point): seeds and cache keys use it."""
    if not point:
        return spec.id
    return spec.id + "@" + ",".join(f"{k}={v:g}" for k, v in sorted(point.items()))


def _sample_seed(seed: int, name: str) -> int:
    # the stable sample id (see sample_id), never a display label
    return int.from_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest()[:8], "little")


@dataclass(frozen=True)
class Ntuple:
    """A merged, selected-ready sample: columns, luminosity weights, provenance."""

    name: str
    label: str
    columns: dict[str, np.ndarray]
    weight: np.ndarray
    sigma_pb: float
    n_generated: int
    meta: SampleMeta

    @property
    def mc_lumi_per_pb(self) -> float:
        return self.n_generated / self.sigma_pb if self.sigma_pb > 0 else float("inf")


def ntuple_key(spec: SampleSpec, params: dict[str, float], *, decay: str,
               best: BestCandidate | AllCandidates, columns: tuple[str, ...], n: int, seed: int,
               lists: tuple[ListDef, ...] = ()) -> str:
    """The cache key of a sample's ntuple: everything the chunks depend on besides the
    package's code (fingerprinted) and the chunk's seed: the process and its parameters, the
    truth filter, the reconstruction (decay string, best-candidate rule, particle lists) and
    the columns kept. Channels that reconstruct the same samples differently therefore never
    share an ntuple, and channels that read the same reconstruction with the same columns do."""
    config = {"process": spec.process, "params": params, "decay": decay,
              "best": [best.expression, best.highest], "filter": spec.filter_label,
              "filter_is_decay": spec.filter_is_decay,
              "columns": columns, "n": n, "seed": seed}
    if lists:  # (only when used: the keys of list-free searches stay as they were)
        config["lists"] = [repr(ld) for ld in lists]
    if spec.detector:
        config["detector"] = dict(spec.detector)
    if spec.truth_weight is not None:
        config["truth_weight"] = spec.weight_label
    return stage_key("ntuple", config, code=CODE)


@dataclass(frozen=True)
class NtupleGroup:
    """Samples reconstructed one way (:func:`make_ntuple_groups`)."""

    decay: str
    best: BestCandidate | AllCandidates
    columns: tuple[str, ...]
    lists: tuple[ListDef, ...]
    samples: dict[str, tuple[SampleSpec, dict[str, float]]]


def make_ntuple_groups(groups: list[NtupleGroup], *, quick: bool, seed: int,
                       cache_root: Path | None, executor: Executor, scale: float = 1.0
                       ) -> list[dict[str, Ntuple]]:
    """Every group's ntuples (keyed by sample id), all chunks of all samples in one executor
    map. A sample several groups read (the backgrounds of a search's channels) is generated
    and simulated once per chunk and reconstructed in each group's way; each ntuple is cached
    under its own key."""
    from darkscan.generate import get_process, resolve_params

    wanted: dict[str, tuple[SampleSpec, dict[str, float], list[tuple[int, Reconstruction]]]] = {}
    for g, group in enumerate(groups):
        for name, (spec, given) in group.samples.items():
            params = resolve_params(get_process(spec.process), given)
            base = ntuple_key(spec, params, decay=group.decay, best=group.best,
                              columns=group.columns, n=spec.n(quick, scale), seed=seed,
                              lists=group.lists)
            entry = wanted.setdefault(name, (spec, params, []))
            entry[2].append((g, Reconstruction(group.decay, group.best, group.columns,
                                               group.lists, base)))
    tasks: list[NtupleTask] = []
    for name, (spec, params, recos) in wanted.items():
        first, rest = recos[0][1], tuple(r for _, r in recos[1:])
        for chunk in plan_chunks(spec.n(quick, scale), spec.chunk_size,
                                 _sample_seed(seed, name)):
            tasks.append(NtupleTask(name, spec, params, first.decay, first.best, first.columns,
                                    chunk, first.lists,
                                    None if cache_root is None else str(cache_root),
                                    first.base_key, rest))
    warm_up([t for t in tasks if not _all_cached(t)], executor)
    # in a fixed shuffled order: the samples differ in cost per chunk by 100×, so in sample
    # order the ETA from the chunks done so far is wrong and the last worker runs alone
    order = np.random.default_rng(0).permutation(len(tasks))
    shuffled = executor.map(_cached_ntuples, [tasks[i] for i in order],
                            label="simulating samples")
    parts: list[tuple[Sample, ...]] = [()] * len(tasks)
    for i, part in zip(order, shuffled, strict=True):
        parts[i] = part
    out: list[dict[str, Ntuple]] = [{} for _ in groups]
    for name, (spec, _params, recos) in wanted.items():
        mine = [p for t, p in zip(tasks, parts, strict=True) if t.sample == name]
        for j, (g, reco) in enumerate(recos):
            out[g][name] = _merged(name, spec, [p[j] for p in mine], reco.columns)
    return out


def _merged(name: str, spec: SampleSpec, chunks: list[Sample], columns: tuple[str, ...]
            ) -> Ntuple:
    events = ak.concatenate([p.events for p in chunks])
    n_gen = sum(p.meta.n_generated for p in chunks)
    sigma = float(np.sum([p.meta.sigma_pb * p.meta.n_generated for p in chunks]) / n_gen)
    cols = {c: ak.to_numpy(events[c]).astype(float) for c in columns}
    w = ak.to_numpy(events["weight"]).astype(float)
    kept = [p.meta.extra.get(TRUTH_EVENTS) for p in chunks]
    extra = {**chunks[0].meta.extra,
             TRUTH_EVENTS: None if None in kept else int(sum(kept))}  # None: an older cache
    return Ntuple(name, spec.label, cols, w, sigma, n_gen,
                  chunks[0].meta.with_(n_generated=n_gen, sigma_pb=sigma, extra=extra))


def emptied_by_truth_filter(ntuples: dict[str, Ntuple],
                            specs: dict[str, tuple[SampleSpec, dict[str, float]]]
                            ) -> dict[str, str]:
    """The samples whose truth filter kept none of their generated events (id → the filter's
    label): they add nothing to a run, which is either what the filter means or a filter that
    reads what the generator adds after it (τ decay products: ``finish_decays`` runs after the
    filters, which see τ undecayed)."""
    return {name: specs[name][0].filter_label or "truth filter"
            for name, nt in ntuples.items()
            if specs[name][0].truth_filter is not None and nt.meta.extra.get(TRUTH_EVENTS) == 0}


# --------------------------------------------------------------------------- selection
def select(ntuple: Ntuple, cuts: tuple[str, ...]) -> np.ndarray:
    """Boolean mask of events passing every cut (restricted expressions, no eval)."""
    from darkscan.select import evaluate

    mask = np.ones(len(ntuple.weight), dtype=bool)
    for cut in cuts:
        mask &= np.asarray(evaluate(cut, ntuple.columns), dtype=bool)
    return mask
