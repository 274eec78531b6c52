"""Work split in chunks, each with its own random stream from ``SeedSequence.spawn``.

The chunk layout depends only on (n_total, chunk_size, seed), never on the number of workers, so
any executor produces bit-identical results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Chunk:
    index: int
    n: int
    seed: np.random.SeedSequence

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)

    def key(self) -> str:
        """Stable identity of the chunk's random stream (for cache keys)."""
        return f"{self.index}:{self.n}:{self.seed.entropy}:{self.seed.spawn_key}"


def plan_chunks(n_total: int, chunk_size: int, seed: int) -> list[Chunk]:
    """Split ``n_total`` items into chunks of at most ``chunk_size``, seeded from ``seed``."""
    if n_total <= 0:
        raise ValueError("n_total must be positive")
    n_chunks = -(-n_total // chunk_size)
    seeds = np.random.SeedSequence(seed).spawn(n_chunks)
    sizes = [chunk_size] * (n_chunks - 1) + [n_total - chunk_size * (n_chunks - 1)]
    return [Chunk(i, n, s) for i, (n, s) in enumerate(zip(sizes, seeds, strict=True))]
