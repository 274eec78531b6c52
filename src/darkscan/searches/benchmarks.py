"""Search benchmarks (``darkscan bench``): the Z′→invisible default run at 79.7 fb⁻¹ on two
worker processes from an empty cache — wall time, peak memory and the MC luminosity of each
background (issue: "report the wall time, MC luminosity per background and peak memory").

The run takes minutes, so none is in the quick set; all four benchmarks share one run.
"""

from __future__ import annotations

import resource
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

from darkscan.registry import benchmark

WORKERS = 2


@cache
def _default_run() -> dict[str, Any]:
    from darkscan.run.executors import make_executor
    from darkscan.searches.runner import run_search
    from darkscan.searches.zprime_invisible import SEARCH

    with tempfile.TemporaryDirectory(prefix="darkscan-bench-") as tmp:
        ex = make_executor(WORKERS, progress=False)
        t0 = time.perf_counter()
        try:
            result = run_search(SEARCH, out_dir=Path(tmp), executor=ex)
        finally:
            ex.close()
        wall = time.perf_counter() - t0
    # ru_maxrss is in KiB on Linux; children = the worker processes (the largest of them)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall_s": wall, "peak_mb": max(own, workers),
            "mc_lumi_per_fb": {s.id: s.mc_lumi_per_fb for s in result.samples}}


@benchmark("zprime_invisible_79.7fb_wall_time", unit=f"s ({WORKERS} workers, empty cache)",
           higher_is_better=False)
def wall_time() -> tuple[float, None]:
    return _default_run()["wall_s"], None


@benchmark("zprime_invisible_79.7fb_peak_memory", unit="MB (largest process)",
           higher_is_better=False)
def peak_memory() -> tuple[float, None]:
    return _default_run()["peak_mb"], None


def _mc_lumi(sample: str) -> tuple[float, None]:
    return float(_default_run()["mc_lumi_per_fb"][sample]), None


@benchmark("zprime_invisible_mc_lumi_mumu", unit="fb⁻¹ of μμ(γ) MC (data: 79.7)")
def mc_lumi_mumu() -> tuple[float, None]:
    return _mc_lumi("mumu")


@benchmark("zprime_invisible_mc_lumi_tautau", unit="fb⁻¹ of ττ(γ)→μμ MC (data: 79.7)")
def mc_lumi_tautau() -> tuple[float, None]:
    return _mc_lumi("tautau")


@benchmark("zprime_invisible_mc_lumi_eemumu", unit="fb⁻¹ of eeμμ MC, p_T(μμ) > 0.35 GeV "
           "(data: 79.7)")
def mc_lumi_eemumu() -> tuple[float, None]:
    return _mc_lumi("eemumu")
