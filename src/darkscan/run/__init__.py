"""Running stages: seeded chunks, executors (serial | processes | dask), the content-hashed stage
cache with atomic writes. Contains no physics."""

from darkscan.run.cache import StageCache, code_fingerprint
from darkscan.run.chunks import Chunk, plan_chunks
from darkscan.run.executors import (
    DaskExecutor,
    Executor,
    ProcessExecutor,
    SerialExecutor,
    init_worker,
    make_executor,
)
from darkscan.run.pipeline import run_chunked

__all__ = ["Chunk", "DaskExecutor", "Executor", "ProcessExecutor", "SerialExecutor",
           "StageCache", "code_fingerprint", "init_worker", "make_executor", "plan_chunks",
           "run_chunked"]
