"""Search benchmarks (``darkscan bench``): the default runs of Z′→invisible (79.7 fb⁻¹) and
dark Higgsstrahlung (8.34 fb⁻¹) on two worker processes from an empty cache — wall time, peak
memory, the MC luminosity of each background and, for the 2D search, the time the limits of all
its windows take.

The runs take minutes, so none is in the quick set; the benchmarks of one search share a run.
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
def _default_run(name: str = "zprime-invisible") -> dict[str, Any]:
    from darkscan.run.executors import make_executor
    from darkscan.searches import get
    from darkscan.searches.runner import run_search

    search = get(name)

    with tempfile.TemporaryDirectory(prefix="darkscan-bench-") as tmp:
        ex = make_executor(WORKERS, progress=False)
        t0 = time.perf_counter()
        try:
            result = run_search(search, out_dir=Path(tmp), executor=ex)
        finally:
            ex.close()
        wall = time.perf_counter() - t0
    # ru_maxrss is in KiB on Linux; children = the worker processes (the largest of them)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall_s": wall, "peak_mb": max(own, workers),
            "mc_lumi_per_fb": {s.id: s.mc_lumi_per_fb for s in result.samples},
            "inference_s": result.summary["inference_time_s"]}


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


_DH = "dark-higgsstrahlung"


@benchmark("dark_higgsstrahlung_8.34fb_wall_time", unit=f"s ({WORKERS} workers, empty cache; "
           "target ≤ 600)", higher_is_better=False)
def dh_wall_time() -> tuple[float, None]:
    return _default_run(_DH)["wall_s"], None


@benchmark("dark_higgsstrahlung_8.34fb_peak_memory", unit="MB (largest process; target ≤ 4000)",
           higher_is_better=False)
def dh_peak_memory() -> tuple[float, None]:
    return _default_run(_DH)["peak_mb"], None


@benchmark("dark_higgsstrahlung_limits_all_windows", unit="s (σ limits of every window, "
           "Bayesian and CLs; target < 1)", higher_is_better=False)
def dh_limits_time() -> tuple[float, None]:
    return _default_run(_DH)["inference_s"], None


@benchmark("dark_higgsstrahlung_mc_lumi_mumu", unit="fb⁻¹ of μμ(γ) MC (data: 8.34)")
def dh_mc_lumi_mumu() -> tuple[float, None]:
    return float(_default_run(_DH)["mc_lumi_per_fb"]["mumu"]), None


@benchmark("dark_higgsstrahlung_mc_lumi_tautau", unit="fb⁻¹ of ττ(γ)→μμ MC (data: 8.34)")
def dh_mc_lumi_tautau() -> tuple[float, None]:
    return float(_default_run(_DH)["mc_lumi_per_fb"]["tautau"]), None
