"""A search's reach at several luminosities from one simulation: ``darkscan project``.

The ntuples are simulated (or read from the run's cache) once; selection, extraction and
limits are then evaluated at each luminosity under each projection scenario
(:mod:`darkscan.interpret.projection`). Writes ``projection.csv`` (one row per luminosity,
scenario, point and channel: the expected limits and their bands), ``projection.json`` (the
assumptions) and the reach plots with the published limits overlaid."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console

from darkscan.errors import ParameterError
from darkscan.interpret.projection import NOT_SCALED, Scenario
from darkscan.physics import Luminosity, parse_luminosity
from darkscan.run.executors import Executor, SerialExecutor
from darkscan.searches.result import SearchResult, write_csv
from darkscan.searches.runner import evaluate, reconstruct
from darkscan.searches.spec import Search

PROJECTION_CSV = "projection.csv"
PROJECTION_JSON = "projection.json"


@dataclass(frozen=True)
class ProjectedRun:
    """The search evaluated at one luminosity under one scenario."""

    scenario: Scenario
    lumi: Luminosity
    result: SearchResult


@dataclass(frozen=True)
class Projection:
    """A search's expected limits at several luminosities and scenarios (typed, frozen)."""

    search: Search
    analysis_lumi: Luminosity
    runs: tuple[ProjectedRun, ...]
    out_dir: Path
    summary: dict[str, object]

    def table(self) -> dict[str, np.ndarray]:
        """``projection.csv``: luminosity (pb⁻¹ and label), scenario, then each run's
        ``limits.csv`` columns without the observed ones (a projection has no data)."""
        parts = []
        for run in self.runs:
            cols = {k: v for k, v in run.result.limit_columns().items()
                    if not k.endswith("_obs")}
            n = len(next(iter(cols.values())))
            parts.append({"lumi_per_pb": np.full(n, run.lumi.per_pb),
                          "lumi": np.full(n, str(run.lumi)),
                          "scenario": np.full(n, run.scenario.name), **cols})
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def project_search(search: Search, lumis: list[Luminosity | str], scenarios: list[Scenario],
                   *, out_dir: str | Path, quick: bool = False, seed: int = 1,
                   executor: Executor | None = None, console: Console | None = None,
                   scale: float = 1.0, plots: bool = True) -> Projection:
    """Expected limits of ``search`` at each of ``lumis`` under each of ``scenarios``, from
    one simulation (cached under ``out_dir/.cache`` like a run's)."""
    if not lumis or not scenarios:
        raise ParameterError("give at least one luminosity and one scenario")
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = console or Console(quiet=True)
    lums = sorted({parse_luminosity(x).per_pb for x in lumis})
    points = search.signal.points(quick)
    con.print(f"[bold]{search.title}[/]: reach at {', '.join(str(Luminosity(x)) for x in lums)}"
              f" ({', '.join(s.name for s in scenarios)}){' (quick)' if quick else ''}",
              soft_wrap=True)
    reconstructed = reconstruct(search, points, quick=quick, seed=seed, out_dir=out,
                                executor=executor or SerialExecutor(), scale=scale)
    runs = tuple(ProjectedRun(sc, Luminosity(x), evaluate(
                     search, reconstructed, points, Luminosity(x), out_dir=out, quick=quick,
                     seed=seed, scenario=sc))
                 for sc in scenarios for x in lums)
    analysis = parse_luminosity(search.default_lumi)
    summary: dict[str, object] = {
        "search": search.name, "title": search.title, "references": list(search.references),
        "analysis_luminosity": str(analysis), "analysis_luminosity_per_pb": analysis.per_pb,
        "luminosities": [str(Luminosity(x)) for x in lums], "cl": search.cl,
        "method": search.inference.method, "quick": quick, "seed": seed,
        "scenarios": {s.name: {"systematics": s.systematics, "simulation_grows": s.mc_grows,
                               "description": s.description} for s in scenarios},
        "not_scaled": NOT_SCALED,
        "yields": "signal and background yields scale with the luminosity (luminosity "
                  "weights of the same simulated events); expected limits only",
        "wall_time_s": round(time.perf_counter() - t0, 1)}
    projection = Projection(search, analysis, runs, out, summary)
    write_csv(out / PROJECTION_CSV, projection.table())
    (out / PROJECTION_JSON).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    if plots:
        from darkscan.report.reach import plot_reach

        plot_reach(projection)
    con.print(f"done in {time.perf_counter() - t0:.0f} s")
    return projection
