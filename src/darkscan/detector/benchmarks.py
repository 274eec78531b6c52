"""Benchmark: fast simulation + reconstruction of low-multiplicity μμ(γ) events, events/s on one
core; the peer is the same code called event by event (the vectorisation ratio)."""

from __future__ import annotations

import time

import numpy as np

from darkscan.detector.fastsim import simulate
from darkscan.detector.toy import mumux_sample
from darkscan.events import Sample
from darkscan.registry import benchmark


def _run(sample: Sample) -> None:
    from darkscan.reco import reconstruct

    reconstruct(simulate(sample, seed=1), "vpho -> mu+ mu-", variables=["M", "m2_recoil",
                                                                        "E_ECL_extra"])


@benchmark("fastsim", unit="events/s", peer_name="darkscan per-event loop")
def fastsim_rate() -> tuple[float, float]:
    big = mumux_sample(0.0, 200_000, seed=5)
    _run(Sample(big.events[:1000], big.meta))  # compile / warm up
    t0 = time.perf_counter()
    _run(big)
    ours = len(big) / (time.perf_counter() - t0)
    small = big.events[:100]
    t0 = time.perf_counter()
    for i in range(len(small)):
        _run(Sample(small[i:i + 1], big.meta))
    peer = len(small) / (time.perf_counter() - t0)
    return float(ours), float(np.float64(peer))
