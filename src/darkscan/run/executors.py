"""Executors run an eager per-chunk kernel over items and return results in item order.

Serial by default; local processes (``--workers N``); Dask distributed (``--dask ADDRESS``, or
``"local"`` for a LocalCluster). Results are ordered by item, so merging is deterministic.

Process-wide state of a worker (today: the glibc malloc thresholds of :mod:`darkscan.allocator`)
is set by :func:`init_worker` when a worker starts, never when a darkscan module is imported:
the process pool passes it as its initialiser, Dask registers it as a worker plugin and the serial
executor calls it before its first item (its worker is this process).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol, TypeVar

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from darkscan.errors import DarkscanError, NotAvailableError

T = TypeVar("T")
R = TypeVar("R")


def init_worker() -> None:
    """Set the per-process state darkscan's chunk kernels expect (idempotent): keep freed heap
    memory for the next chunk (:func:`darkscan.allocator.keep_freed_memory`)."""
    from darkscan.allocator import keep_freed_memory

    keep_freed_memory()


def _progress(disable: bool) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                    TimeRemainingColumn(), transient=True, disable=disable)


class Executor(Protocol):
    def map(self, fn: Callable[[T], R], items: Sequence[T], label: str = "") -> list[R]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Run items one after another in this process."""

    def __init__(self, progress: bool = True) -> None:
        self.progress = progress

    def map(self, fn: Callable[[T], R], items: Sequence[T], label: str = "") -> list[R]:
        if items:
            init_worker()
        out: list[R] = []
        with _progress(not self.progress or len(items) < 2) as bar:
            task = bar.add_task(label or "working", total=len(items))
            for item in items:
                out.append(fn(item))
                bar.advance(task)
        return out

    def close(self) -> None:
        return None


class ProcessExecutor:
    """Run items in ``workers`` local processes."""

    def __init__(self, workers: int, progress: bool = True) -> None:
        if workers < 1:
            raise DarkscanError(f"--workers must be at least 1, got {workers}")
        self.workers = workers
        self.progress = progress
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], items: Sequence[T], label: str = "") -> list[R]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=init_worker)
        results: dict[int, R] = {}
        with _progress(not self.progress or len(items) < 2) as bar:
            task = bar.add_task(label or "working", total=len(items))
            futures = {self._pool.submit(fn, item): i for i, item in enumerate(items)}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                bar.advance(task)
        return [results[i] for i in range(len(items))]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


class DaskExecutor:
    """Run items on a Dask distributed cluster (an address, or a LocalCluster for ``"local"``)."""

    def __init__(self, address: str = "local", workers: int = 2, progress: bool = True) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise NotAvailableError(
                "--dask needs dask[distributed]: pip install 'darkscan[dask]'") from None
        self.progress = progress
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

        self._client.register_plugin(WorkerInit())  # also on workers that join later

    def map(self, fn: Callable[[T], R], items: Sequence[T], label: str = "") -> list[R]:
        from dask.distributed import as_completed as dask_completed

        futures = [self._client.submit(fn, item, pure=False) for item in items]
        index = {f.key: i for i, f in enumerate(futures)}
        results: dict[int, R] = {}
        with _progress(not self.progress or len(items) < 2) as bar:
            task = bar.add_task(label or "working", total=len(items))
            for fut in dask_completed(futures):
                results[index[fut.key]] = fut.result()
                bar.advance(task)
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
