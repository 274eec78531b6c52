"""The staged run of a :class:`RecoilWindowSearch`: samples → ntuples → selection → windows →
limits → couplings → outputs. Each stage is an eager function; simulation runs in seeded,
cached chunks through the executor so any number of workers gives identical results."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import awkward as ak
import numpy as np

from darkscan.events import Sample, SampleMeta
from darkscan.physics import Luminosity, parse_luminosity
from darkscan.run.cache import stage_key
from darkscan.run.chunks import Chunk, plan_chunks
from darkscan.run.executors import Executor
from darkscan.run.pipeline import cached_chunk
from darkscan.searches.spec import RecoilWindowSearch, SampleSpec

CHUNK_SIZE = 100_000
_CODE = ("darkscan.searches.engine", "darkscan.generate.registry", "darkscan.detector",
         "darkscan.reco")


# --------------------------------------------------------------------------- sample stage
@dataclass(frozen=True)
class NtupleTask:
    """One chunk of one sample: generate → truth filter → simulate → reconstruct."""

    sample: str
    spec: SampleSpec
    params: dict[str, float]
    decay: str
    columns: tuple[str, ...]
    chunk: Chunk
    cache_root: str | None
    base_key: str


def _detector_seed(chunk: Chunk) -> np.random.SeedSequence:
    # a stream of its own, distinct from anything the generator spawns from chunk.seed
    return np.random.SeedSequence(chunk.seed.entropy, spawn_key=(*chunk.seed.spawn_key, 7_919))


def ntuple_kernel(task: NtupleTask) -> Sample:
    from darkscan.detector import simulate
    from darkscan.generate import get_process
    from darkscan.reco import reconstruct

    truth = get_process(task.spec.process).generate_chunk(task.chunk.n, task.chunk.seed,
                                                          task.params, isr=True)
    if task.spec.truth_filter is not None:
        keep = np.asarray(task.spec.truth_filter(truth.particles), dtype=bool)
        truth = Sample(truth.events[keep], truth.meta)
    reco = simulate(truth, seed=_detector_seed(task.chunk))
    nt = reconstruct(reco, decay=task.decay)
    fields = [c for c in (*task.columns, "weight") if c in ak.fields(nt.events)]
    missing = sorted(set(task.columns) - set(fields))
    if missing:
        raise KeyError(f"reconstruction did not provide columns {missing}")
    events = ak.zip({f: nt.events[f] for f in fields}, depth_limit=1)
    meta = truth.meta.with_(n_generated=task.chunk.n, kind="ntuple")
    return Sample(events, meta)


def _cached_ntuple(task: NtupleTask) -> Sample:
    return cached_chunk(task.chunk, root=task.cache_root, stage="ntuple", base_key=task.base_key,
                        kernel=lambda _: ntuple_kernel(task))


def sample_id(spec: SampleSpec, point: dict[str, float] | None = None) -> str:
    """Stable identity of a sample (or of one signal point): seeds and cache keys use it."""
    if not point:
        return spec.id
    return spec.id + "@" + ",".join(f"{k}={v:g}" for k, v in sorted(point.items()))


def _sample_seed(seed: int, name: str) -> int:
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


def make_ntuples(search: RecoilWindowSearch, samples: dict[str, tuple[SampleSpec, dict]],
                 *, quick: bool, seed: int, cache_root: Path | None, executor: Executor,
                 scale: float = 1.0) -> dict[str, Ntuple]:
    """Produce every sample's ntuple, all chunks of all samples in one executor map."""
    from darkscan.generate import get_process, resolve_params

    tasks: list[NtupleTask] = []
    for name, (spec, given) in samples.items():
        point = {k: v for k, v in given.items() if spec.params.get(k) != v}
        params = resolve_params(get_process(spec.process), given)
        n = spec.n(quick, scale)
        config = {"process": spec.process, "params": params, "decay": search.decay,
                  "filter": spec.filter_label, "columns": search.columns, "n": n, "seed": seed}
        filter_code = (spec.truth_filter.__module__,) if spec.truth_filter is not None else ()
        base = stage_key("ntuple", config, code=(*_CODE, *filter_code))
        for chunk in plan_chunks(n, CHUNK_SIZE, _sample_seed(seed, sample_id(spec, point))):
            tasks.append(NtupleTask(name, spec, params, search.decay, search.columns, chunk,
                                    None if cache_root is None else str(cache_root), base))
    parts = executor.map(_cached_ntuple, tasks, label="simulating samples")
    out: dict[str, Ntuple] = {}
    for name, (spec, _params) in samples.items():
        mine = [p for t, p in zip(tasks, parts, strict=True) if t.sample == name]
        events = ak.concatenate([p.events for p in mine])
        n_gen = sum(p.meta.n_generated for p in mine)
        sigma = float(np.sum([p.meta.sigma_pb * p.meta.n_generated for p in mine]) / n_gen)
        cols = {c: ak.to_numpy(events[c]).astype(float) for c in search.columns}
        w = ak.to_numpy(events["weight"]).astype(float)
        out[name] = Ntuple(name, spec.label, cols, w, sigma, n_gen,
                           mine[0].meta.with_(n_generated=n_gen, sigma_pb=sigma))
    return out


# --------------------------------------------------------------------------- selection
def select(ntuple: Ntuple, cuts: tuple[str, ...]) -> np.ndarray:
    """Boolean mask of events passing every cut (restricted expressions, no eval)."""
    from darkscan.select import evaluate

    mask = np.ones(len(ntuple.weight), dtype=bool)
    for cut in cuts:
        mask &= np.asarray(evaluate(cut, ntuple.columns), dtype=bool)
    return mask


# --------------------------------------------------------------------------- signal shape
def gaussian_core(x: np.ndarray, w: np.ndarray, *, n_iter: int = 6,
                  truncate: float = 2.0) -> tuple[float, float]:
    """Peak and Gaussian-core width of a peaked distribution: iterate mean/std within
    ±truncate·σ, correcting the width for the truncation (a ±2σ window keeps 88% of σ)."""
    from scipy.stats import truncnorm

    if len(x) < 5:
        return float("nan"), float("nan")
    shrink = float(truncnorm.std(-truncate, truncate))
    q25, q50, q75 = np.quantile(x, [0.25, 0.5, 0.75])
    mu, sd = float(q50), max(float(q75 - q25) / 1.349, 1e-9)
    for _ in range(n_iter):
        core = np.abs(x - mu) < truncate * sd
        if core.sum() < 5:
            break
        mu = float(np.average(x[core], weights=w[core]))
        sd = float(np.sqrt(np.average((x[core] - mu) ** 2, weights=w[core]))) / shrink
    return mu, sd


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class SearchResult:
    search: str
    lumi: Luminosity
    out_dir: Path
    masses: np.ndarray
    table: dict[str, np.ndarray]
    summary: dict[str, Any] = field(default_factory=dict)

    def summary_text(self) -> str:
        lines = [f"{self.search} at {self.lumi}: {len(self.masses)} masses, "
                 f"outputs in {self.out_dir}/"]
        keys = [k for k in self.table if k.endswith("_exp") and "_ul_" in k
                and not k.startswith("sigma")]
        header = f"{'mass':>6} {'eff':>6} {'σ_UL exp [fb]':>14}" + "".join(
            f" {k:>24}" for k in keys)
        lines.append(header)
        for i, m in enumerate(self.masses):
            row = (f"{m:6.2f} {self.table['efficiency'][i]:6.3f} "
                   f"{1e3 * self.table['sigma_ul_exp'][i]:14.4g}")
            row += "".join(f" {self.table[k][i]:24.4g}" for k in keys)
            lines.append(row)
        return "\n".join(lines)


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, default=float))


def now() -> float:
    return time.perf_counter()


def resolve_lumi(search: RecoilWindowSearch, lumi: Luminosity | str | None) -> Luminosity:
    return parse_luminosity(lumi if lumi is not None else search.default_lumi)

