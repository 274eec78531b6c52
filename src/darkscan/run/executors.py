"""Executors run an eager per-chunk kernel over items and return results in item order.

Serial by default; local processes (``--workers N``); Dask distributed (``--dask ADDRESS``, or
``"local"`` for a LocalCluster). Results are ordered by item, so merging is deterministic.

Process-wide state of a worker (today: the glibc malloc thresholds of :mod:`darkscan.allocator`)
is set by :func:`init_worker` when a worker starts, never when a darkscan module is imported:
the process pool passes it as its initialiser, Dask registers it as a worker plugin and the serial
executor calls it before its first item (its worker is this process).

Workers that this process started die with it (:func:`die_with_parent`): a killed run leaves no
process behind holding memory, and no temporary file. Every executor records the peak resident
memory of its workers (:attr:`peak_worker_rss_mb`), which the parent's own ``ru_maxrss`` does not
count while the workers are alive.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import resource
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol, TypeVar

from darkscan.errors import DarkscanError, NotAvailableError
from darkscan.events.parquet import remove_pending
from darkscan.run.progress import progress

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1  # from linux/prctl.h
#: seconds between two looks of the watchdog thread at the parent
WATCH_INTERVAL_S = 0.25


def init_worker() -> None:
    """Set the per-process state darkscan's chunk kernels expect (idempotent): keep freed heap
    memory for the next chunk (:func:`darkscan.allocator.keep_freed_memory`)."""
    from darkscan.allocator import keep_freed_memory

    keep_freed_memory()


def _exit_orphaned(*_: Any) -> None:
    """The parent is gone: remove this process's unfinished temporary files and exit now
    (``os._exit``: no result can reach the parent, and no clean-up handler should wait)."""
    try:
        remove_pending()
    finally:
        os._exit(1)


def _watch(parent_pid: int) -> None:
    # a portable fallback to PR_SET_PDEATHSIG, and the path that does not wait for the main
    # thread to leave a compiled kernel (a Python signal handler runs only between bytecodes)
    while True:
        if os.getppid() != parent_pid:
            _exit_orphaned()
        threading.Event().wait(WATCH_INTERVAL_S)


def die_with_parent(parent_pid: int) -> None:
    """Make this worker exit when ``parent_pid`` (the process that started it) dies.

    Linux: the kernel sends SIGTERM on the parent's death (``prctl(PR_SET_PDEATHSIG)``) to a
    handler that removes the unfinished temporary files, unless the process already handles
    SIGTERM itself (a Dask worker). Everywhere: a daemon thread polls ``os.getppid()``.
    """
    if sys.platform.startswith("linux") and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            signal.signal(signal.SIGTERM, _exit_orphaned)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent_pid:  # died before the signal was armed
        _exit_orphaned()
    threading.Thread(target=_watch, args=(parent_pid,), name="darkscan-parent-watch",
                     daemon=True).start()


def _init_pool_worker(parent_pid: int) -> None:
    die_with_parent(parent_pid)
    init_worker()


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 2**20 if sys.platform == "darwin" else kb / 1024  # bytes on macOS


def _measured(fn: Callable[[T], R], item: T) -> tuple[R, str, float]:
    """Run ``fn(item)`` in a worker; return the result with the worker's name (host and pid)
    and its peak resident memory so far."""
    return fn(item), f"{socket.gethostname()}:{os.getpid()}", _peak_rss_mb()


class Executor(Protocol):
    peak_worker_rss_mb: dict[str, float]

    def map(self, fn: Callable[[T], R], items: Sequence[T], label: str = "") -> list[R]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Run items one after another in this process."""

    def __init__(self, progress: bool = True) -> None:
        self.progress = progress
        self.peak_worker_rss_mb: dict[str, float] = {}

    def map(self, fn: Callable[[T], R], items: Sequence[T], label: str = "") -> list[R]:
        if items:
            init_worker()
        out: list[R] = []
        with progress(label or "working", len(items), self.progress, workers=1) as bar:
            for item in items:
                out.append(fn(item))
                bar.advance()
        return out

    def close(self) -> None:
        return None


class ProcessExecutor:
    """Run items in ``workers`` local processes, which die with this one."""

    def __init__(self, workers: int, progress: bool = True) -> None:
        if workers < 1:
            raise DarkscanError(f"--workers must be at least 1, got {workers}")
        self.workers = workers
        self.progress = progress
        self.peak_worker_rss_mb: dict[str, float] = {}
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], items: Sequence[T], label: str = "") -> list[R]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             initializer=_init_pool_worker,
                                             initargs=(os.getpid(),))
        results: dict[int, R] = {}
        with progress(label or "working", len(items), self.progress,
                      workers=self.workers) as bar:
            futures = {self._pool.submit(_measured, fn, item): i for i, item in enumerate(items)}
            try:
                for fut in as_completed(futures):
                    res, pid, rss = fut.result()
                    results[futures[fut]] = res
                    self.peak_worker_rss_mb[pid] = max(rss, self.peak_worker_rss_mb.get(pid, 0))
                    bar.advance()
            except BaseException:
                for f in futures:  # an error or Ctrl-C: do not start the rest
                    f.cancel()
                raise
        return [results[i] for i in range(len(items))]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Run items on a Dask distributed cluster (an address, or a LocalCluster for ``"local"``,
    whose workers die with this process)."""

    def __init__(self, address: str = "local", workers: int = 2, progress: bool = True) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise NotAvailableError(
                "--dask needs dask[distributed]: pip install 'darkscan[dask]'") from None
        self.progress = progress
        self.workers = workers
        self.peak_worker_rss_mb: dict[str, float] = {}
        self._cluster: Any = None
        if address == "local":
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(address, timeout="10s")
            except OSError as exc:
                raise DarkscanError(f"cannot reach the Dask scheduler at '{address}' ({exc}); "
                                    "start one with 'dask scheduler' or use --workers") from None
        from darkscan.run.dask_plugin import WorkerInit

        # also on workers that join later; the workers of our own LocalCluster are children of
        # this process and die with it, a remote cluster's workers are not ours to stop
        self._client.register_plugin(
            WorkerInit(parent_pid=os.getpid() if self._cluster is not None else None))

    def map(self, fn: Callable[[T], R], items: Sequence[T], label: str = "") -> list[R]:
        from dask.distributed import as_completed as dask_completed

        futures = [self._client.submit(_measured, fn, item, pure=False) for item in items]
        index = {f.key: i for i, f in enumerate(futures)}
        results: dict[int, R] = {}
        with progress(label or "working", len(items), self.progress,
                      workers=self.workers) as bar:
            for fut in dask_completed(futures):
                res, pid, rss = fut.result()
                results[index[fut.key]] = res
                self.peak_worker_rss_mb[pid] = max(rss, self.peak_worker_rss_mb.get(pid, 0))
                bar.advance()
        return [results[i] for i in range(len(items))]

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(workers: int = 1, dask: str | None = None, progress: bool = True) -> Executor:
    """Serial for one worker, processes for several, Dask when an address (or 'local') is given."""
    if dask:
        return DaskExecutor(dask, workers=max(workers, 1), progress=progress)
    if workers > 1:
        return ProcessExecutor(workers, progress=progress)
    if workers < 1:
        raise DarkscanError(f"--workers must be at least 1, got {workers}")
    return SerialExecutor(progress=progress)
