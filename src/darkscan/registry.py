"""Registries behind ``darkscan validate`` and ``darkscan bench``.

A validation check is a small function returning the measured value, registered with its reference
value, tolerance and provenance. A benchmark returns darkscan's figure and, where one exists, a
peer's figure measured in the same run. Layers register theirs in ``darkscan/<layer>/checks.py`` and
``darkscan/<layer>/benchmarks.py``; :func:`load_all` imports them.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal

ToleranceKind = Literal["relative", "absolute", "factor", "max"]
LAYERS = ("physics", "models", "generate", "detector", "reco", "select", "stats", "interpret",
          "searches", "run", "report")


@dataclass(frozen=True)
class Measurement:
    """What a check returns when it has more to say than a number."""

    value: float
    note: str = ""


@dataclass(frozen=True)
class CheckResult:
    name: str
    measured: float
    reference: float
    tolerance: float
    provenance: str
    passed: bool
    kind: ToleranceKind = "relative"
    unit: str = ""
    note: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["pass"] = d.pop("passed")
        return d


@dataclass(frozen=True)
class Check:
    name: str
    func: Callable[[], float | Measurement]
    reference: float
    tolerance: float
    provenance: str
    kind: ToleranceKind = "relative"
    unit: str = ""
    quick: bool = False

    def passes(self, measured: float) -> bool:
        """Relative: |m-r| <= tol·|r|; absolute: |m-r| <= tol; factor: r/tol <= m <= r·tol;
        max: m <= r (reference is an upper bound, tolerance unused)."""
        if not math.isfinite(measured):
            return False
        r = self.reference
        if self.kind == "relative":
            return abs(measured - r) <= self.tolerance * abs(r)
        if self.kind == "absolute":
            return abs(measured - r) <= self.tolerance
        if self.kind == "factor":
            return r / self.tolerance <= measured <= r * self.tolerance
        return measured <= r

    def run(self) -> CheckResult:
        start = time.perf_counter()
        try:
            out = self.func()
        except Exception as exc:  # a crashing check is a failed check, reported, not hidden
            out = Measurement(float("nan"), f"error: {type(exc).__name__}: {exc}")
        m = out if isinstance(out, Measurement) else Measurement(float(out))
        return CheckResult(self.name, float(m.value), self.reference, self.tolerance,
                           self.provenance, self.passes(float(m.value)), self.kind, self.unit,
                           m.note, time.perf_counter() - start)


@dataclass(frozen=True)
class BenchResult:
    name: str
    ours: float
    peer: float | None
    peer_name: str | None
    ratio: float | None
    unit: str
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: Callable[[], tuple[float, float | None]]
    unit: str
    peer_name: str | None = None
    quick: bool = False
    higher_is_better: bool = True

    def run(self) -> BenchResult:
        try:
            ours, peer = self.func()
        except Exception as exc:
            return BenchResult(self.name, float("nan"), None, self.peer_name, None, self.unit,
                               f"error: {type(exc).__name__}: {exc}")
        ratio = None
        if peer is not None and peer > 0 and ours > 0:
            ratio = ours / peer if self.higher_is_better else peer / ours
        return BenchResult(self.name, float(ours), None if peer is None else float(peer),
                           self.peer_name, ratio, self.unit)


@dataclass
class _Registry:
    checks: dict[str, Check] = field(default_factory=dict)
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)


_REGISTRY = _Registry()


def check(name: str, *, reference: float, tolerance: float, provenance: str,
          kind: ToleranceKind = "relative", unit: str = "", quick: bool = False
          ) -> Callable[[Callable[[], float | Measurement]], Callable[[], float | Measurement]]:
    """Register a validation check: ``@check("sigma_ee_mumu_born", reference=..., ...)``."""

    def deco(func: Callable[[], float | Measurement]) -> Callable[[], float | Measurement]:
        _REGISTRY.checks[name] = Check(name, func, float(reference), float(tolerance),
                                       provenance, kind, unit, quick)
        return func

    return deco


def benchmark(name: str, *, unit: str, peer_name: str | None = None, quick: bool = False,
              higher_is_better: bool = True
              ) -> Callable[[Callable[[], tuple[float, float | None]]],
                            Callable[[], tuple[float, float | None]]]:
    """Register a benchmark returning ``(ours, peer_or_None)`` in ``unit`` (rates by default)."""

    def deco(func: Callable[[], tuple[float, float | None]]
             ) -> Callable[[], tuple[float, float | None]]:
        _REGISTRY.benchmarks[name] = Benchmark(name, func, unit, peer_name, quick,
                                               higher_is_better)
        return func

    return deco


def load_all() -> None:
    """Import every layer's ``checks`` and ``benchmarks`` module so that they register."""
    for layer in LAYERS:
        for part in ("checks", "benchmarks"):
            modname = f"darkscan.{layer}.{part}"
            try:
                importlib.import_module(modname)
            except ModuleNotFoundError as exc:
                if exc.name != modname:
                    raise


def checks(quick: bool = False, select: str | None = None) -> list[Check]:
    load_all()
    out = [c for c in _REGISTRY.checks.values() if c.quick or not quick]
    if select:
        out = [c for c in out if select in c.name]
    return out


def benchmarks(quick: bool = False, select: str | None = None) -> list[Benchmark]:
    load_all()
    out = [b for b in _REGISTRY.benchmarks.values() if b.quick or not quick]
    if select:
        out = [b for b in out if select in b.name]
    return out
