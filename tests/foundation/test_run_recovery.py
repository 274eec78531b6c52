"""Long runs that are recoverable and honest: a killed run leaves no worker and no temporary
file and its rerun is byte-identical; damaged cache files are recomputed; orphaned temporary
files are cleaned; output files get ordinary permissions; progress in logs and pipes is plain
lines at a bounded rate; the workers' memory is counted."""

from __future__ import annotations

import io
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import awkward as ak
import pytest

from darkscan.events import read_sample, write_sample
from darkscan.events.parquet import STALE_AFTER_S, _host_tag, is_orphan
from darkscan.run import StageCache, make_executor
from darkscan.run.cache import stage_key
from darkscan.run.progress import PlainProgress, duration, progress

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import toy_stage  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _toy(root: Path, target: Path, sleep: float, workers: int, pids: Path | None = None
         ) -> list[str]:
    cmd = [sys.executable, str(HERE / "toy_stage.py"), str(root), str(target), str(sleep),
           str(workers)]
    return cmd + ([str(pids)] if pids is not None else [])


def _kill_parent_midway(tmp_path: Path, workers: int) -> None:
    root, pids = tmp_path / "cache", tmp_path / "pids"
    pids.mkdir()
    cmd = _toy(root, tmp_path / "killed.parquet", 0.4, workers, pids)
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((root / "toy").glob("*.parquet"))) < 3:
        time.sleep(0.05)
    workers_seen = {int(p.name) for p in pids.iterdir()} - {proc.pid}
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list((root / "toy").glob("*.parquet")))
    assert 3 <= done < 8 and not (tmp_path / "killed.parquet").exists()
    assert 1 <= len(workers_seen) <= workers
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(p) for p in workers_seen):
        time.sleep(0.05)
    assert not [p for p in workers_seen if _alive(p)], "workers outlived their parent"
    assert not list(root.rglob("*.tmp")), "a killed run left temporary files"


def test_kill_9_of_a_two_worker_run_leaves_nothing_and_reruns_identically(tmp_path: Path
                                                                          ) -> None:
    _kill_parent_midway(tmp_path, workers=2)
    root = tmp_path / "cache"
    rerun, fresh = tmp_path / "rerun.parquet", tmp_path / "fresh.parquet"
    subprocess.run(_toy(root, rerun, 0.0, 2), env=ENV, check=True, capture_output=True)
    subprocess.run(_toy(tmp_path / "cache2", fresh, 0.0, 2), env=ENV, check=True,
                   capture_output=True)
    assert rerun.read_bytes() == fresh.read_bytes()
    assert ak.to_list(read_sample(rerun).events) == ak.to_list(toy_stage.run_toy(None).events)


def test_dask_workers_die_with_their_parent(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    script = tmp_path / "dask_toy.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "import toy_stage\n"
        "if __name__ == '__main__':\n"
        "    toy_stage.run_toy(sys.argv[1], workers=2, dask='local', sleep=0.4,\n"
        "                      pid_dir=sys.argv[2])\n")
    root, pids = tmp_path / "cache", tmp_path / "pids"
    pids.mkdir()
    proc = subprocess.Popen([sys.executable, str(script), str(root), str(pids)], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((root / "toy").glob("*.parquet"))) < 3:
        time.sleep(0.05)
    workers = {int(p.name) for p in pids.iterdir()}
    assert workers and proc.pid not in workers
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not [p for p in workers if _alive(p)]


def test_an_orphaned_worker_cleans_up_even_when_interrupted_holding_the_pending_lock(
        tmp_path: Path) -> None:
    # the parent-death signal can land while the main thread registers a temporary file
    from darkscan.events import parquet

    tmp = parquet.atomic_path(tmp_path / "chunk.parquet")
    parquet._pending_lock.acquire()
    try:
        start = time.monotonic()
        assert parquet.remove_pending() == 1
        assert time.monotonic() - start < 2.0 and not tmp.exists()
    finally:
        parquet._pending_lock.release()


def test_damaged_cache_files_are_removed_and_recomputed(tmp_path: Path,
                                                        capfd: pytest.CaptureFixture[str]
                                                        ) -> None:
    reference = toy_stage.run_toy(str(tmp_path))
    files = sorted((tmp_path / "toy").glob("*.parquet"))
    whole = files[0].read_bytes()
    files[0].write_bytes(whole[: len(whole) // 2])          # truncated (a full disk, a crash)
    damaged = bytearray(files[1].read_bytes())
    damaged[200] ^= 0xFF                                     # one flipped byte in a data page
    files[1].write_bytes(bytes(damaged))
    capfd.readouterr()
    again = toy_stage.run_toy(str(tmp_path))
    err = capfd.readouterr().err.splitlines()
    notes = [line for line in err if "was unreadable" in line]
    assert len(notes) == 2 and all("recomputing" in line for line in notes)
    assert {files[0].name, files[1].name} == {Path(n.split()[1]).name for n in notes}
    assert ak.to_list(again.events) == ak.to_list(reference.events)
    assert files[0].read_bytes() == whole                    # recomputed identically
    assert toy_stage.run_toy(str(tmp_path)) is not None
    assert "unreadable" not in capfd.readouterr().err        # and read back cleanly now


def test_damaged_pickle_is_recomputed(tmp_path: Path, capfd: pytest.CaptureFixture[str]
                                      ) -> None:
    key = stage_key("s", {"a": 1})
    assert StageCache(tmp_path).value("s", key, lambda: {"x": 41}) == {"x": 41}
    path = tmp_path / "s" / f"{key}.pkl"
    path.write_bytes(pickle.dumps({"x": 41})[:5])
    cache = StageCache(tmp_path)
    assert cache.value("s", key, lambda: {"x": 42}) == {"x": 42}
    assert (cache.recomputed, cache.misses, cache.hits) == (1, 1, 0)
    assert "was unreadable (UnpicklingError" in capfd.readouterr().err
    assert pickle.loads(path.read_bytes()) == {"x": 42}


def test_orphaned_temporary_files_are_cleaned_when_a_cache_opens(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "ntuple"
    folder.mkdir(parents=True)
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = int(done.stdout)                                  # a writer that has ended
    host = _host_tag()
    orphan = folder / f".a.parquet.{host}-{dead}.x1.tmp"
    live = folder / f".b.parquet.{host}-{os.getppid()}.x2.tmp"   # a live writer's file
    stale = folder / f".c.parquet.{host}-{os.getppid()}.x3.tmp"  # untouched for too long
    foreign = folder / f".d.parquet.0badc0de-{dead}.x4.tmp"      # another host: ask nobody
    legacy = folder / ".e.parquet.k3j4.tmp"                      # no writer in the name
    for f in (orphan, live, stale, foreign, legacy):
        f.write_bytes(b"partial")
    old = time.time() - STALE_AFTER_S - 60
    os.utime(stale, (old, old))
    assert [is_orphan(f) for f in (orphan, live, stale, foreign, legacy)] == [
        True, False, True, False, False]
    StageCache(tmp_path / "cache")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f.name for f in (live, foreign, legacy))
    assert socket.gethostname()  # the host tag is a hash of it


def test_outputs_get_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        sample = toy_stage.run_toy(str(tmp_path / "cache"))
        out = write_sample(sample, tmp_path / "out.parquet")
        assert out.stat().st_mode & 0o777 == 0o644
        assert {f.stat().st_mode & 0o777 for f in (tmp_path / "cache").rglob("*.parquet")} == {
            0o644}
        StageCache(tmp_path / "cache").value("v", "k", lambda: 1)
        assert (tmp_path / "cache" / "v" / "k.pkl").stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        assert write_sample(sample, tmp_path / "private.parquet").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


# ------------------------------------------------------------------ progress in logs and pipes
class _Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_plain_progress_lines_are_rate_limited_with_an_honest_eta() -> None:
    clock, out = _Clock(), io.StringIO()
    bar = PlainProgress("simulating samples", 100, workers=2, stream=out, clock=clock)
    for i in range(100):
        clock.t += 0.5 if i < 20 else 2.0   # a slower second stretch (other samples)
        bar.advance()
    lines = out.getvalue().splitlines()
    assert lines[0] == "simulating samples: 100 chunks on 2 workers"
    assert lines[1] == "simulating samples: chunk 1/100, 0 s elapsed, ETA not yet known"
    assert lines[-1] == "simulating samples: chunk 100/100, 2 min 50 s elapsed, done"
    # first and last, and otherwise at most one line per 10 s of the 170 s
    assert len(lines) - 1 == 18
    # 20 chunks at 0.5 s, then 2 s a chunk: once the last minute holds only the slow chunks,
    # the ETA is exact (49 chunks left at 2 s), not the optimistic mean since the start
    assert "simulating samples: chunk 51/100, 1 min 12 s elapsed, ETA 1 min 38 s" in lines
    assert duration(3725) == "1 h 02 min"


def test_progress_goes_plain_when_stderr_is_not_a_terminal() -> None:
    out = io.StringIO()
    with progress("stage", 3, True, workers=1, stream=out) as bar:
        for _ in range(3):
            bar.advance()
    text = out.getvalue()
    assert text.startswith("stage: 3 chunks on 1 worker\n") and "chunk 3/3" in text
    assert "\x1b[" not in text                       # no terminal control sequences
    quiet = io.StringIO()
    with progress("stage", 3, False, stream=quiet) as bar:
        bar.advance()
    assert quiet.getvalue() == ""


def test_a_piped_two_worker_run_prints_plain_progress(tmp_path: Path) -> None:
    done = subprocess.run(_toy(tmp_path / "c", tmp_path / "o.parquet", 0.0, 2), env=ENV,
                          capture_output=True, text=True, check=True)
    lines = done.stderr.splitlines()
    assert lines[0] == "toy: 8 chunks on 2 workers"
    assert lines[1].startswith("toy: chunk 1/8, ") and lines[-1].endswith(", done")
    assert "\x1b[" not in done.stderr


def test_the_workers_peak_memory_is_recorded() -> None:
    ex = make_executor(2, progress=False)
    try:
        ex.map(toy_stage.toy_kernel, toy_stage.plan_chunks(2000, 250, 3))
        peaks = dict(ex.peak_worker_rss_mb)
    finally:
        ex.close()
    assert 1 <= len(peaks) <= 2
    assert all(30.0 < mb < 4000.0 for mb in peaks.values())     # a python with numpy, awkward
    assert all(name.rsplit(":", 1)[1].isdigit() for name in peaks)
