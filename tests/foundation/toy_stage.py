"""A toy chunked stage for the run-layer tests (importable by worker processes)."""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from darkscan.events import Sample, SampleMeta, make_truth_events
from darkscan.generate.registry import merge_samples
from darkscan.run import Chunk, StageCache, make_executor, plan_chunks, run_chunked


def toy_kernel(chunk: Chunk, sleep: float = 0.0, pid_dir: str | None = None) -> Sample:
    if pid_dir:  # which processes worked on the stage (the kill -9 test looks for survivors)
        open(os.path.join(pid_dir, str(os.getpid())), "w").close()
    rng = chunk.rng()
    counts = rng.integers(1, 4, size=chunk.n)
    n = int(counts.sum())
    ev = make_truth_events(counts, rng.random(chunk.n), pdg=np.full(n, 22),
                           px=rng.normal(size=n), py=rng.normal(size=n), pz=rng.normal(size=n),
                           E=rng.exponential(size=n))
    if sleep:
        time.sleep(sleep)
    return Sample(ev, SampleMeta("toy", sigma_pb=1.0, error_pb=0.0, n_generated=chunk.n))


def run_toy(cache_root: str | None, workers: int = 1, dask: str | None = None,
            sleep: float = 0.0, n: int = 4000, chunk: int = 500, pid_dir: str | None = None,
            progress: bool = False) -> Sample:
    from functools import partial

    ex = make_executor(workers, dask, progress=progress)
    try:
        parts = run_chunked("toy", partial(toy_kernel, sleep=sleep, pid_dir=pid_dir),
                            plan_chunks(n, chunk, 11),
                            config={"n": n}, cache_root=cache_root, executor=ex)
    finally:
        ex.close()
    return merge_samples(parts)


if __name__ == "__main__":  # used by the kill -9 tests: ROOT TARGET SLEEP [WORKERS [PID_DIR]]
    from darkscan.events import write_sample

    root, target = sys.argv[1], sys.argv[2]
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    pids = sys.argv[5] if len(sys.argv) > 5 else None
    sample = run_toy(root, workers=workers, sleep=float(sys.argv[3]), pid_dir=pids,
                     progress=True)
    write_sample(sample, target)
    print("done", os.getpid())
    _ = StageCache
