"""Chunked, cached stages: the eager kernel runs per chunk in the executor's workers and each
chunk's output is stored atomically as soon as it is done, so a killed run resumes where it
stopped and gives the same result as an uninterrupted one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from darkscan.events import Sample
from darkscan.run.cache import StageCache, stage_key
from darkscan.run.chunks import Chunk
from darkscan.run.executors import Executor, SerialExecutor


def cached_chunk(chunk: Chunk, *, root: str | None, stage: str, base_key: str,
                 kernel: Callable[[Chunk], Sample]) -> Sample:
    """``kernel(chunk)``, or its cached output: keyed by the stage's ``base_key`` (from its
    configuration and code) and the chunk's own key."""
    cache = StageCache(root)
    key = stage_key(stage, {"base": base_key, "chunk": chunk.key()})
    return cache.sample(stage, key, lambda: kernel(chunk))


def is_cached(chunk: Chunk, *, root: str | None, stage: str, base_key: str) -> bool:
    """Whether :func:`cached_chunk` would find this chunk's output on disk."""
    key = stage_key(stage, {"base": base_key, "chunk": chunk.key()})
    return StageCache(root).has_sample(stage, key)


def run_chunked(stage: str, kernel: Callable[[Chunk], Sample], chunks: Sequence[Chunk], *,
                config: Mapping[str, Any], cache_root: str | Path | None = None,
                executor: Executor | None = None, code: tuple[str, ...] = (),
                label: str = "") -> list[Sample]:
    """Run ``kernel`` over ``chunks`` (cached per chunk under ``cache_root``), in chunk order.

    ``config`` and the fingerprints of the ``code`` modules key the cache, so changing either
    redoes the stage. ``kernel`` must be picklable (a module-level function or a partial).
    """
    base = stage_key(stage, config, code=code)
    fn = partial(cached_chunk, root=None if cache_root is None else str(cache_root),
                 stage=stage, base_key=base, kernel=kernel)
    return (executor or SerialExecutor()).map(fn, list(chunks), label=label or stage)
