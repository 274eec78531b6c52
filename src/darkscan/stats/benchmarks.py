"""Benchmarks of the statistics layer (``darkscan bench``)."""

from __future__ import annotations

import time

from darkscan.registry import benchmark
from darkscan.stats.checks import random_models
from darkscan.stats.counting import upper_limits
from darkscan.stats.pyhf_adapter import pyhf_upper_limit


def _ours_seconds(nwin: int = 9000) -> float:
    n, b, s = random_models(nwin, 99)
    upper_limits(n[:10], b[:10], s[:10])  # warm caches
    t = time.perf_counter()
    upper_limits(n, b, s, cl=0.9)
    return time.perf_counter() - t


@benchmark("stats_counting_limits", unit="limits/s", peer_name="pyhf 0.7.6", quick=True)  # ~4 s
def counting_limits() -> tuple[float, float]:
    """Observed + ±1σ/±2σ expected asymptotic CLs limits per second: darkscan on 9000 windows,
    pyhf on 3 of the same models (same call)."""
    ours = 9000 / _ours_seconds(9000)
    n, b, s = random_models(3, 99)
    t = time.perf_counter()
    for i in range(3):
        pyhf_upper_limit(n[i], b[i], s[i], cl=0.9)
    return ours, 3 / (time.perf_counter() - t)


@benchmark("stats_9000_windows_seconds", unit="s", higher_is_better=False, quick=True)
def nine_thousand() -> tuple[float, None]:
    """Seconds for 9000 windows with expected bands (asymptotic CLs, background uncertainty)."""
    return _ours_seconds(9000), None
