"""The Dask worker plugin that runs :func:`darkscan.run.executors.init_worker` on every worker,
including those that join the cluster later. Imported only when a Dask executor is made."""

from __future__ import annotations

from typing import Any

from dask.distributed import WorkerPlugin


class WorkerInit(WorkerPlugin):
    """Set darkscan's per-process worker state when a Dask worker starts."""

    name = "darkscan-init-worker"

    def setup(self, worker: Any) -> None:
        from darkscan.run.executors import init_worker

        init_worker()
