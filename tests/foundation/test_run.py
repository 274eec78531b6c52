import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import awkward as ak
import numpy as np
import pytest

from darkscan.events import read_sample
from darkscan.run import StageCache, plan_chunks
from darkscan.run.cache import stage_key

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import toy_stage  # noqa: E402


def test_chunk_plan_is_seeded() -> None:
    a = plan_chunks(1050, 100, seed=3)
    assert [c.n for c in a] == [100] * 10 + [50]
    b = plan_chunks(1050, 100, seed=3)
    assert [c.rng().random() for c in a] == [c.rng().random() for c in b]
    assert len({c.rng().random() for c in a}) == 11  # independent streams


def test_chunks_do_not_depend_on_workers() -> None:
    """A real seeded chunked stage (event generation with ISR, FSR and beam spread) gives the
    same events, bit for bit, in one process and in two worker processes."""
    from darkscan.generate import generate
    from darkscan.run import ProcessExecutor, SerialExecutor

    samples = []
    for ex in (SerialExecutor(progress=False), ProcessExecutor(2, progress=False)):
        try:
            samples.append(generate("ee_mumu", 300, seed=3, chunk_size=60, executor=ex))
        finally:
            ex.close()
    serial, procs = samples
    assert len(serial.events) == 300
    assert ak.to_list(serial.events) == ak.to_list(procs.events)
    assert serial.meta.sigma_pb == procs.meta.sigma_pb
    # chunks are different streams: no two chunks repeat an event
    first_e = ak.to_numpy(serial.events.particles.E[:, 2])
    assert len(np.unique(first_e)) == 300


def test_cache_hit_miss_and_invalidation(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    calls = []

    def compute() -> int:
        calls.append(1)
        return 42

    k1 = stage_key("s", {"a": 1.0})
    assert cache.value("s", k1, compute) == 42
    assert cache.value("s", k1, compute) == 42
    assert (cache.hits, cache.misses, len(calls)) == (1, 1, 1)
    k2 = stage_key("s", {"a": 2.0})              # config change -> miss
    k3 = stage_key("s", {"a": 1.0}, code=("darkscan.run.cache",))  # code fingerprint -> miss
    assert len({k1, k2, k3}) == 3
    cache.value("s", k2, compute)
    assert len(calls) == 2


def test_sample_cache_reuses_parquet(tmp_path: Path) -> None:
    first = toy_stage.run_toy(str(tmp_path))
    files = sorted((tmp_path / "toy").glob("*.parquet"))
    assert len(files) == 8
    mtimes = [f.stat().st_mtime_ns for f in files]
    again = toy_stage.run_toy(str(tmp_path))
    assert [f.stat().st_mtime_ns for f in files] == mtimes
    assert ak.to_list(first.events) == ak.to_list(again.events)


def test_identical_outputs_serial_processes_dask() -> None:
    serial = toy_stage.run_toy(None, workers=1)
    procs = toy_stage.run_toy(None, workers=2)
    assert ak.to_list(serial.events) == ak.to_list(procs.events)
    pytest.importorskip("dask.distributed")
    dask = toy_stage.run_toy(None, workers=2, dask="local")
    assert ak.to_list(serial.events) == ak.to_list(dask.events)
    np.testing.assert_array_equal(serial.weight, dask.weight)


def test_kill_9_then_restart_gives_identical_output(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    root, target = tmp_path / "cache", tmp_path / "out.parquet"
    cmd = [sys.executable, str(HERE / "toy_stage.py"), str(root), str(target), "0.4"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((root / "toy").glob("*.parquet"))) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((root / "toy").glob("*.parquet")))
    assert 3 <= done_before < 8 and not target.exists()
    subprocess.run(cmd[:-1] + ["0"], env=env, check=True, capture_output=True)
    reference = toy_stage.run_toy(None)
    assert ak.to_list(read_sample(target).events) == ak.to_list(reference.events)
    assert not list(root.rglob(".*.tmp"))
