"""A grid of candidate tightenings of a selection, evaluated at once on many events: the
per-window cut optimisation of a search scans it on samples independent of the ones its limits
use. Each option is one cut string (or "" for none); a combination takes one option per row."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from darkscan.expr import Cut, evaluate


@dataclass(frozen=True)
class CutGrid:
    """Rows of alternative cuts; the grid is their Cartesian product (first row slowest)."""

    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if not row:
                raise ValueError("every row of a CutGrid needs at least one option")
            for c in row:
                if c:
                    Cut.parse(c)

    @property
    def names(self) -> tuple[str, ...]:
        """The variables the grid reads."""
        out: list[str] = []
        for c in itertools.chain.from_iterable(self.rows):
            if c:
                out += [n for n in Cut.parse(c).names if n not in out]
        return tuple(out)

    def combinations(self) -> list[tuple[str, ...]]:
        return [tuple(c for c in combo if c) for combo in itertools.product(*self.rows)]

    def masks(self, columns: Mapping[str, np.ndarray], size: int) -> np.ndarray:
        """Boolean (n_combinations, size): which events pass each combination."""
        per_row = []
        for row in self.rows:
            per_row.append(np.stack([np.ones(size, dtype=bool) if not c else
                                     np.asarray(evaluate(c, columns), dtype=bool)
                                     for c in row]))
        out = np.ones((int(np.prod([len(r) for r in self.rows])), size), dtype=bool)
        for k, idx in enumerate(itertools.product(*(range(len(r)) for r in self.rows))):
            for row_masks, j in zip(per_row, idx, strict=True):
                out[k] &= row_masks[j]
        return out
