"""Process registry: every generator process (SM background or dark-sector signal) registers here.

A process declares the parameters it takes (names of the one parameter table,
:data:`darkscan.models.params.PARAMETERS`, which holds their units and ranges) with their defaults
and what they do in that process, its default generator-level filter, a cross-section routine and
an eager per-chunk generation kernel.
:func:`generate` splits the work in seeded chunks and runs them through an executor, so the
events are identical for any number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Protocol

import awkward as ak
import numpy as np

from darkscan.errors import ParameterError, UnknownNameError, unknown
from darkscan.events import STATUS_FINAL, Sample
from darkscan.models.params import ParameterSpec, parameter_spec, validate_param
from darkscan.run.chunks import Chunk, plan_chunks
from darkscan.run.executors import Executor, SerialExecutor


@dataclass(frozen=True)
class ProcessParam:
    """A parameter a process takes: a name of the parameter table
    (:data:`darkscan.models.params.PARAMETERS`, which gives its unit and allowed range), the
    process's default and what the parameter does in this process.

    ``off``: a value outside the table's range that this process also accepts, as a switch
    (e.g. ``mass = 0`` for ``upsilon4s_bb``: no signal decay); the description says what it means.
    A name missing from the table, or a default the table rejects, fails when the process module
    is imported.
    """

    name: str
    default: float
    description: str = ""
    off: float | None = None

    def __post_init__(self) -> None:
        parameter_spec(self.name)  # unknown names fail at import
        self.check(self.default)

    @property
    def spec(self) -> ParameterSpec:
        """The table row: unit, range, kind."""
        return parameter_spec(self.name)

    def check(self, value: float) -> float:
        """``value`` as a float if the table's range (or ``off``) allows it, else
        ParameterError naming the parameter and its allowed range (and what it does here)."""
        if self.off is not None and value == self.off:
            return float(value)
        extra = self.description
        if self.off is not None:
            extra = f"or exactly {self.off:g}: {extra}"
        return float(validate_param(self.name, value, extra=extra))


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
    params: tuple[ProcessParam, ...]
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
    """Fill defaults and validate through the parameter table: a name the process does not take
    raises UnknownNameError, a value outside the table's range ParameterError naming the
    parameter and its allowed range. Process-specific limits are the process's own checks."""
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
    return finish_decays(get_process(process).generate_chunk(chunk.n, chunk.seed, params,
                                                             isr=isr), chunk.seed)


#: the child of a chunk seed that drives Pythia's τ decays (not one ``spawn`` hands out first)
TAU_DECAY_STREAM = 11


def finish_decays(sample: Sample, seed: np.random.SeedSequence) -> Sample:
    """The last generator step: τ leptons a process leaves in the final state (darkscan's own
    Z′, A′, S → ττ) decayed by Pythia (:func:`darkscan.generate.pythia_bridge.decay_final_taus`;
    Pythia is needed only when there are some): each τ gets a decay from the cached library of
    Pythia decays at rest under the process's settings (:mod:`darkscan.generate.tau_library`:
    exact for these unpolarised τ, ~10 µs a τ once the library exists). It comes after any
    generator-level truth filter of a search (filters see such τ undecayed)."""
    parts = sample.events["particles"]
    if not ak.any((abs(parts.pdg) == 15) & (parts.status == STATUS_FINAL)):
        return sample
    from darkscan.generate.pythia_bridge import child_seed, decay_final_taus

    # a process may restrict the τ channels (``tau_decay_settings``, e.g. ee_tautau_mu3prong)
    settings = getattr(get_process(sample.meta.process), "tau_decay_settings", ()) \
        if sample.meta.process in process_names() else ()
    return Sample(decay_final_taus(sample.events, child_seed(seed, TAU_DECAY_STREAM),
                                   settings=settings), sample.meta)


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


#: events per chunk of :func:`generate` (a chunk is one task of the executor)
DEFAULT_CHUNK = 50_000


def generate(process: str, n: int, *, seed: int = 1, isr: bool = True,
             executor: Executor | None = None, chunk_size: int = DEFAULT_CHUNK,
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
