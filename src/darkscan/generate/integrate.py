"""Adaptive (VEGAS) integration and hit-or-miss unweighting.

The importance-sampling grid is a ``vegas.AdaptiveMap`` trained here with darkscan's own
``numpy`` random streams, so that a grid is a pure function of (integrand, seed, n_points):
identical in every worker, whichever process builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import vegas

from darkscan.generate.multichannel import ChannelLayout

Array = np.ndarray
#: f(x) → (weights (n,), state): the integrand in pb on the unit hypercube plus whatever the
#: caller needs to build events from the accepted points
Evaluator = Callable[[Array], tuple[Array, dict[str, Array]]]

#: fraction of σ allowed above the unweighting maximum before the safety factor
OVERFLOW_TOLERANCE = 1.0e-3
SAFETY = 1.2
ALPHA_ADAPT = 0.5
#: points per integrand evaluation while unweighting: large enough to amortise the per-call
#: overhead of numpy, small enough that the temporaries (~2 kB per point) are reused from block
#: to block (see :mod:`darkscan.allocator`) instead of one allocation for all points
UNWEIGHT_BLOCK = 32_768
#: the expected number of points is overshot by this factor (points accepted beyond ``n`` are
#: wasted; a short top-up block is cheaper than a large overshoot)
OVERSHOOT = 1.03


@dataclass
class Grid:
    """A trained VEGAS map with the cross section it measured and the unweighting maximum.
    ``layout``: a multichannel cube whose points are mapped and weighted by the dimensions they
    use (:mod:`darkscan.generate.multichannel`); None: by all."""

    amap: vegas.AdaptiveMap
    ndim: int
    sigma: float
    error: float
    wmax: float
    n_points: int
    layout: ChannelLayout | None = None

    def sample(self, rng: np.random.Generator, n: int) -> tuple[Array, Array]:
        """Points x in the unit hypercube and their map Jacobians."""
        y = rng.random((n, self.ndim))
        x = np.empty_like(y)
        jac = np.empty(n)
        (_vegas_map if self.layout is None else self.layout.map)(self.amap, y, x, jac)
        return x, jac


#: (map, y, x out, Jacobian out): how a trained map turns uniform points into integration points
Mapper = Callable[[vegas.AdaptiveMap, Array, Array, Array], None]


def _vegas_map(amap: vegas.AdaptiveMap, y: Array, x: Array, jac: Array) -> None:
    amap.map(y, x, jac)


def train_map(f: Callable[[Array], Array], ndim: int, *, n_points: int, n_iter: int,
              ninc: int, rng: np.random.Generator, mapper: Mapper = _vegas_map
              ) -> tuple[vegas.AdaptiveMap, int]:
    """A VEGAS map adapted to ``f`` on half of ``n_points`` in ``n_iter`` iterations; returns
    the map and the number of points one iteration used. ``mapper``: the points and their
    Jacobians from the map (default: every dimension through it)."""
    amap = vegas.AdaptiveMap([[0.0, 1.0]] * ndim, ninc=ninc)
    n_train = max(1000, n_points // (2 * n_iter))
    for _ in range(n_iter):
        y = rng.random((n_train, ndim))
        x = np.empty_like(y)
        jac = np.empty(n_train)
        mapper(amap, y, x, jac)
        amap.add_training_data(y, (f(x) * jac) ** 2)
        amap.adapt(alpha=ALPHA_ADAPT)
    return amap, n_train


def build_grid(f: Callable[[Array], Array], ndim: int, *, n_points: int, seed: int,
               n_iter: int = 10, ninc: int = 500, layout: ChannelLayout | None = None) -> Grid:
    """Train a map on half of ``n_points`` (``n_iter`` iterations), then measure σ, its error and
    the unweighting maximum on the other half with the grid frozen (no adaptation bias).
    ``layout``: the training and the sampling weigh each point by the dimensions it uses."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    mapper = {} if layout is None else {"mapper": layout.map}
    amap, n_train = train_map(f, ndim, n_points=n_points, n_iter=n_iter, ninc=ninc, rng=rng,
                              **mapper)
    grid = Grid(amap, ndim, 0.0, 0.0, 0.0, n_points, layout)
    n_final = max(2000, n_points - n_iter * n_train)
    x, jac = grid.sample(rng, n_final)
    # in blocks: the integrand's temporaries for all points at once can take gigabytes
    w = np.concatenate([f(x[i:i + UNWEIGHT_BLOCK]) for i in range(0, n_final, UNWEIGHT_BLOCK)])
    w = w * jac
    grid.sigma = float(np.mean(w))
    grid.error = float(np.std(w) / np.sqrt(n_final))
    grid.wmax = max_weight(w)
    return grid


def max_weight(w: Array) -> float:
    """Unweighting maximum: the smallest threshold whose overflow Σ(w − t)₊ is at most
    :data:`OVERFLOW_TOLERANCE` of Σw (robust against single outliers), times :data:`SAFETY`."""
    ws = np.sort(w[w > 0])[::-1]
    if ws.size == 0:
        return 0.0
    total = ws.sum()
    # overflow at threshold ws[k] = Σ_{i<k} (ws[i] − ws[k])
    csum = np.cumsum(ws)
    k = np.arange(ws.size)
    overflow = csum - (k + 1) * ws
    ok = np.nonzero(overflow <= OVERFLOW_TOLERANCE * total)[0]
    return float(ws[ok[-1]] * SAFETY)


@dataclass
class Unweighted:
    """Accepted points (state arrays) and the unweighting bookkeeping."""

    state: dict[str, Array]
    n_tried: int
    n_overflow: int
    overflow_sigma_fraction: float


def unweight(grid: Grid, evaluate: Evaluator, rng: np.random.Generator, n: int,
             batch: int | None = None) -> Unweighted:
    """Hit-or-miss unweighting against ``grid.wmax`` until ``n`` points are accepted.

    Points above the maximum are kept with probability 1 and counted (``n_overflow`` and the
    fraction of σ above the maximum), never silently clipped.
    """
    if grid.wmax <= 0 or grid.sigma <= 0:
        raise RuntimeError("the integrand is zero everywhere: no events can be generated")
    eff = max(grid.sigma / grid.wmax, 1e-4)
    parts: list[dict[str, Array]] = []
    n_acc = n_tried = n_over = 0
    over_sum = w_sum = 0.0
    # a guard against a wrong grid, far beyond the expected number of blocks
    max_blocks = 1000 + 100 * int(n / eff / (batch or UNWEIGHT_BLOCK))
    for _ in range(max_blocks):
        if n_acc >= n:
            break
        m = batch or int(min(UNWEIGHT_BLOCK, 64 + OVERSHOOT * (n - n_acc) / eff))
        x, jac = grid.sample(rng, m)
        w, state = evaluate(x)
        w = w * jac
        r = rng.random(m)
        acc = r * grid.wmax < w
        n_tried += m
        n_over += int(np.count_nonzero(w > grid.wmax))
        over_sum += float(np.sum(np.maximum(w - grid.wmax, 0.0)))
        w_sum += float(np.sum(w))
        parts.append({k: a[acc] for k, a in state.items()})
        n_acc += int(np.count_nonzero(acc))
    if n_acc < n:
        raise RuntimeError(f"unweighting accepted {n_acc} of {n} points in {n_tried} tries: the "
                           "grid's efficiency estimate is wrong")
    state = {k: np.concatenate([p[k] for p in parts])[:n] for k in parts[0]}
    return Unweighted(state, n_tried, n_over, over_sum / w_sum if w_sum > 0 else 0.0)
