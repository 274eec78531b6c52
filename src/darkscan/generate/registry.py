"""Process registry: every generator process (SM background or dark-sector signal) registers here.

A process declares its parameters (stable names of DESIGN §5, with defaults and ranges), its
default generator-level filter, a cross-section routine and an eager per-chunk generation kernel.
:func:`generate` splits the work in seeded chunks and runs them through an executor, so the
events are identical for any number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Protocol

import awkward as ak
import numpy as np

from darkscan.errors import ParameterError, UnknownNameError, unknown
from darkscan.events import Sample
from darkscan.run.chunks import Chunk, plan_chunks
from darkscan.run.executors import Executor, SerialExecutor


@dataclass(frozen=True)
class ParamSpec:
    """A model/process parameter: default and allowed open/closed range."""

    name: str
    default: float
    low: float = -math.inf
    high: float = math.inf
    description: str = ""
    low_inclusive: bool = True

    def check(self, value: float) -> float:
        v = float(value)
        too_low = v < self.low if self.low_inclusive else v <= self.low
        if not math.isfinite(v) or too_low or v > self.high:
            lo = "[" if self.low_inclusive else "("
            raise ParameterError(f"parameter '{self.name}' = {value} is outside its allowed range "
                                 f"{lo}{self.low:g}, {self.high:g}]" +
                                 (f" ({self.description})" if self.description else ""))
        return v


@dataclass(frozen=True)
class XsecResult:
    """A cross section with its MC error, in pb (DESIGN §5 keys in :meth:`to_dict`)."""

    process: str
    params: dict[str, float]
    sigma_pb: float
    error_pb: float
    isr: bool
    filter: str
    n_points: int
    note: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class Process(Protocol):
    """What a generator process provides."""

    name: str
    description: str
    params: tuple[ParamSpec, ...]
    default_filter: str

    def cross_section(self, params: Mapping[str, float], *, isr: bool = True,
                      n_points: int = 200_000, seed: int = 1) -> XsecResult: ...

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        """``n`` unweighted lab-frame truth events (weight 1 unless documented), meta.sigma_pb
        the post-filter cross section. Must be deterministic given (seed, params, isr)."""
        ...


PROCESSES: dict[str, Process] = {}
_LAZY: dict[str, str] = {}  # process name -> module that registers it on import


def register(process: Process) -> Process:
    PROCESSES[process.name] = process
    return process


def register_lazy(name: str, module: str) -> None:
    """Declare that importing ``module`` registers process ``name`` (keeps imports cheap)."""
    _LAZY[name] = module


def process_names() -> list[str]:
    return sorted(set(PROCESSES) | set(_LAZY))


def get_process(name: str) -> Process:
    if name not in PROCESSES and name in _LAZY:
        import importlib

        importlib.import_module(_LAZY[name])
    try:
        return PROCESSES[name]
    except KeyError:
        raise unknown("process", name, process_names()) from None


def resolve_params(process: Process, params: Mapping[str, float]) -> dict[str, float]:
    """Fill defaults and validate: unknown names and out-of-range values raise clear errors."""
    specs = {p.name: p for p in process.params}
    for name in params:
        if name not in specs:
            allowed = ", ".join(specs) or "none"
            raise UnknownNameError(f"process '{process.name}' does not take parameter '{name}'; "
                                   f"it takes: {allowed}")
    return {n: s.check(params.get(n, s.default)) for n, s in specs.items()}


def cross_section(process: str, *, isr: bool = True, n_points: int = 200_000, seed: int = 1,
                  **params: float) -> XsecResult:
    """σ ± MC error in pb for ``process`` with model parameters as keywords (DESIGN §5)."""
    proc = get_process(process)
    return proc.cross_section(resolve_params(proc, params), isr=isr, n_points=n_points, seed=seed)


def _run_chunk(chunk: Chunk, *, process: str, params: dict[str, float], isr: bool) -> Sample:
    return get_process(process).generate_chunk(chunk.n, chunk.seed, params, isr=isr)


def merge_samples(parts: list[Sample]) -> Sample:
    """Concatenate chunk samples; the cross section is the event-weighted mean of the chunks'."""
    if not parts:
        raise ValueError("no samples to merge")
    n = np.array([p.meta.n_generated for p in parts], dtype=float)
    sig = np.array([p.meta.sigma_pb for p in parts])
    err = np.array([p.meta.error_pb for p in parts])
    first = parts[0].meta
    meta = first.with_(n_generated=int(n.sum()), sigma_pb=float(np.sum(n * sig) / n.sum()),
                       error_pb=float(np.max(err)))
    return Sample(ak.concatenate([p.events for p in parts]), meta)


def generate(process: str, n: int, *, seed: int = 1, isr: bool = True,
             executor: Executor | None = None, chunk_size: int = 50_000,
             on_chunk: Callable[[Chunk, Sample], None] | None = None,
             **params: float) -> Sample:
    """Generate ``n`` events of ``process`` in seeded chunks through ``executor``."""
    if int(n) <= 0:
        raise ParameterError(f"the number of events must be positive, got {n}")
    proc = get_process(process)
    resolved = resolve_params(proc, params)
    chunks = plan_chunks(int(n), chunk_size, seed)
    ex = executor or SerialExecutor()
    kernel = partial(_run_chunk, process=process, params=resolved, isr=isr)
    parts = ex.map(kernel, chunks, label=f"generating {process}")
    merged = merge_samples(parts)
    return Sample(merged.events, merged.meta.with_(seed=seed, params=resolved, isr=isr))
