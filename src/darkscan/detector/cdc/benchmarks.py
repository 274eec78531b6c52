"""Benchmarks of the CDC chain (``darkscan bench``), events/s on the displaced benchmark
(``llp_displaced``: two LLP daughters, Poisson(2) prompt pions, 1% background occupancy):

- ``cdc_simulate``: hit simulation (helices through the wire layers, digitisation, background,
  one hit per cell) of pre-generated particles; peer: the fast simulation's parametric tracking
  of the same particles (:func:`darkscan.detector.tracking.simulate_tracks`), the cost of the
  found/lost rule the hit level replaces;
- ``cdc_legendre`` and ``cdc_gnn``: the two finders on the same hit table, each the other's
  peer (the comparison the CAT Finder paper makes). Targets of issue #22: ≥ 10⁴, ≥ 10³ and
  ≥ 10² events/s per core.

Rates are the best of three timed runs after an untimed one (compilation, caches)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from darkscan.registry import benchmark

N_SIM = 20_000
N_FIND = 200


def _best(func: Callable[[], object], n: int, repeats: int = 3) -> float:
    """Items per second of ``func`` after one warm-up call: the best of ``repeats`` runs."""
    from darkscan.detector.benchmarks import _best_rate

    func()
    return _best_rate(func, n, repeats)


@cache
def _particles(n: int) -> dict[str, np.ndarray]:
    from darkscan.detector.cdc.events import process_events

    return process_events("llp_displaced", n, seed=31)


@cache
def _hits(n: int) -> dict[str, np.ndarray]:
    from darkscan.detector.cdc.hits import simulate_process

    return simulate_process("llp_displaced", n, seed=32)


@benchmark("cdc_simulate", unit="events/s", peer_name="fast-simulation tracking (same particles)")
def simulate_rate() -> tuple[float, float]:
    from darkscan.detector.cdc.hits import simulate_hits
    from darkscan.detector.parameters import BELLE2_DETECTOR
    from darkscan.detector.tracking import simulate_tracks

    p = _particles(N_SIM)
    ours = _best(lambda: simulate_hits(p, N_SIM, np.random.default_rng(1)), N_SIM)
    peer = _best(lambda: simulate_tracks(np.random.default_rng(1), p["x"], p["y"], p["z"],
                                         p["px"], p["py"], p["pz"], p["q"], p["mass"],
                                         BELLE2_DETECTOR), N_SIM)
    return ours, peer


def _finder_rate(finder: str) -> float:
    from darkscan.detector.cdc.finding import find_tracks

    hits = _hits(N_FIND)
    return _best(lambda: find_tracks(hits, finder), N_FIND, repeats=2)


def _peer_or_none(finder: str) -> float | None:
    try:
        return _finder_rate(finder)
    except Exception:  # no torch / no trained model: no peer
        return None


@benchmark("cdc_legendre", unit="events/s", peer_name="darkscan CDC GNN finder")
def legendre_rate() -> tuple[float, float | None]:
    return _finder_rate("legendre"), _peer_or_none("gnn")


@benchmark("cdc_gnn", unit="events/s", peer_name="darkscan CDC Legendre finder")
def gnn_rate() -> tuple[float, float | None]:
    return _finder_rate("gnn"), _peer_or_none("legendre")
