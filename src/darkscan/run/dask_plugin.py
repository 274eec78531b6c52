"""The Dask worker plugin that runs :func:`darkscan.run.executors.init_worker` on every worker,
including those that join the cluster later. Imported only when a Dask executor is made."""

from __future__ import annotations

import os
from typing import Any

from dask.distributed import WorkerPlugin


class WorkerInit(WorkerPlugin):
    """Set darkscan's per-process worker state when a Dask worker starts; a worker that is a
    child of ``parent_pid`` (the process that made a LocalCluster) dies with it."""

    name = "darkscan-init-worker"

    def __init__(self, parent_pid: int | None = None) -> None:
        self.parent_pid = parent_pid

    def setup(self, worker: Any) -> None:
        from darkscan.run.executors import die_with_parent, init_worker

        if self.parent_pid is not None and os.getppid() == self.parent_pid:
            die_with_parent(self.parent_pid)
        init_worker()
