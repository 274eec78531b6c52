"""Background estimates from weighted simulation and from sidebands: histogram integrals over
windows, local densities where the simulation is sparse (1D intervals and 2D ellipses), the
sideband-normalised window estimate and the ABCD method. Knows nothing about physics models."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: fewest MC events a background estimate is built from; sparser windows are widened
MC_MIN_EVENTS = 10


def integrate_histogram(h: np.ndarray, edges: np.ndarray, lo: np.ndarray, hi: np.ndarray
                        ) -> np.ndarray:
    """Content of a fine histogram between ``lo`` and ``hi`` (whole bins, edges rounded up)."""
    cum = np.concatenate([[0.0], np.cumsum(h)])
    a = np.clip(np.searchsorted(edges, lo), 0, len(edges) - 1)
    b = np.clip(np.searchsorted(edges, hi), 0, len(edges) - 1)
    return cum[b] - cum[a]


def local_density(x: np.ndarray, w: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                  *, k_min: int = MC_MIN_EVENTS, max_widen: int = 4096,
                  interpolate_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Weighted MC content of the intervals [lo, hi), and the number of MC events it rests on.

    Where an interval holds fewer than ``k_min`` MC events it is widened about its centre by
    2, 4, … (up to ``max_widen``) until it does, and the content is scaled back by the width
    ratio: a local density estimate that assumes the background is smooth on the widened
    scale. This replaces a zero (or a one-event spike of weight σL/N) in MC-starved windows by
    the density of the neighbourhood. An interval empty even at ``max_widen`` keeps zero (its
    uncertainty is then one MC event weight, set by the caller).

    ``interpolate_only``: an interval wholly below the first or above the last simulated event
    (a kinematic end point, or where the simulation has nothing) is zero, resting on zero
    events, instead of a tail invented from events far away; inside the simulated range the
    widening interpolates between events."""
    order = np.argsort(x)
    xs = x[order]
    cw = np.concatenate([[0.0], np.cumsum(w[order])])
    centre, half = (lo + hi) / 2.0, (hi - lo) / 2.0
    est = np.zeros(len(lo))
    used = np.zeros(len(lo), dtype=int)
    todo = np.ones(len(lo), dtype=bool)
    factor = 1
    while factor <= max_widen and todo.any():
        a = np.searchsorted(xs, centre[todo] - factor * half[todo])
        b = np.searchsorted(xs, centre[todo] + factor * half[todo])
        enough = (b - a >= k_min) | (factor * 2 > max_widen)
        idx = np.nonzero(todo)[0][enough]
        content = (cw[b] - cw[a])[enough] / factor
        k = (b - a)[enough]
        if interpolate_only and factor > 1 and len(xs):
            # an interval wholly beyond the first or last simulated event stays empty
            inside = (hi[todo][enough] > xs[0]) & (lo[todo][enough] <= xs[-1])
            content, k = np.where(inside, content, 0.0), np.where(inside, k, 0)
        est[idx] = content
        used[idx] = k
        todo[idx] = False
        factor *= 2
    return est, used


def empty_interval_unc(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, unit_weight: float,
                       span: float | None = None) -> np.ndarray:
    """Uncertainty of the content of intervals with no simulated event of a sample (zero
    where the interval holds events): no event between the interval and the nearest simulated
    one bounds the density by about one event weight over that gap (68% Poisson: 1.15
    events), so the interval's content is uncertain by 1.15 · w · (width / gap). A sample with
    no event at all has no event anywhere in the observable's ``span`` (its whole range): 1.15
    · w · width / span, the same bound with the span as the gap (e.g. a p_T slice of a process
    that no candidate of it passes); without a span, one event weight."""
    width = hi - lo
    if len(x) == 0:
        if span is None:
            return np.full(len(lo), float(unit_weight))
        return np.where(np.isfinite(width),
                        1.15 * unit_weight * np.nan_to_num(width) / np.maximum(
                            span, np.nan_to_num(width)), 0.0)
    xs = np.sort(x)
    a, b = np.searchsorted(xs, lo), np.searchsorted(xs, hi)
    below = np.where(a > 0, lo - xs[np.maximum(a - 1, 0)], np.inf)
    above = np.where(b < len(xs), xs[np.minimum(b, len(xs) - 1)] - hi, np.inf)
    gap = np.maximum(np.minimum(below, above) + width, width)
    # an undefined interval (NaN bounds: a signal point without selected events) has none
    return np.where((b > a) | ~np.isfinite(width), 0.0,
                    1.15 * unit_weight * np.nan_to_num(width) / np.nan_to_num(gap, nan=1.0))


@dataclass(frozen=True)
class Ellipses:
    """Elliptical windows in a plane: centres (n, 2), inverse covariance (n, 2, 2) of the
    signal core, and the radius in σ (Mahalanobis distance)."""

    centre: np.ndarray
    inv_cov: np.ndarray
    n_sigma: float

    def __len__(self) -> int:
        return len(self.centre)

    def distance2(self, xy: np.ndarray, i: int) -> np.ndarray:
        d = xy - self.centre[i]
        m = self.inv_cov[i]
        return m[0, 0] * d[:, 0] ** 2 + 2 * m[0, 1] * d[:, 0] * d[:, 1] + m[1, 1] * d[:, 1] ** 2

    def inside(self, xy: np.ndarray, i: int, factor: float = 1.0) -> np.ndarray:
        return self.distance2(xy, i) < (factor * self.n_sigma) ** 2


def ellipse_content(xy: np.ndarray, w: np.ndarray, windows: Ellipses, *,
                    k_min: int = MC_MIN_EVENTS, max_widen: int = 64
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted MC content of each elliptical window, the MC events it rests on, and the
    widening factor used: a window with fewer than ``k_min`` events is widened (radius × 2,
    4, …, area × 4, 16, …) and scaled back by the area ratio, as :func:`local_density` does in
    one dimension. A window empty even when widened by ``max_widen`` has content zero, with
    one event's weight spread over the widened area as its scale of uncertainty."""
    est = np.zeros(len(windows))
    used = np.zeros(len(windows), dtype=int)
    widen = np.ones(len(windows))
    for i in range(len(windows)):
        d2 = windows.distance2(xy, i)
        factor = 1
        while True:
            inside = d2 < (factor * windows.n_sigma) ** 2
            k = int(np.count_nonzero(inside))
            if k >= k_min or factor * 2 > max_widen:
                est[i] = float(np.sum(w[inside])) / factor**2
                used[i] = k
                widen[i] = factor
                break
            factor *= 2
    return est, used, widen


def sideband_estimate(mc_window: np.ndarray, mc_sideband: np.ndarray,
                      var_window: np.ndarray, var_sideband: np.ndarray,
                      n_sideband: np.ndarray, mc_fallback: np.ndarray, syst: float
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Window background from sideband counts: the simulated window/sideband ratio times the
    counts ``n_sideband``, with the Poisson error of the sidebands, the MC-statistical
    variances of window and sideband (``var_*``) scaled to the data, and a relative ``syst``
    on the ratio. Where the simulation has nothing in the sidebands, the MC window content
    ``mc_fallback`` is used as it is."""
    has_sb = mc_sideband > 0
    ratio = np.where(has_sb, mc_window / np.where(has_sb, mc_sideband, 1.0), 0.0)
    scale = np.where(has_sb, n_sideband / np.where(has_sb, mc_sideband, 1.0), 1.0)
    est = np.where(has_sb, ratio * n_sideband, mc_fallback)
    # the sidebands' Poisson error, ratio²·N (an empty sideband still counts one event)
    var = (np.where(has_sb, ratio**2 * np.maximum(n_sideband, 1.0), 0.0)
           + scale**2 * (var_window + ratio**2 * var_sideband)
           + (syst * est) ** 2)
    return est, np.sqrt(var)


def abcd_estimate(n_b: np.ndarray, n_c: np.ndarray, n_d: np.ndarray,
                  syst: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """ABCD: with two uncorrelated variables the signal region A expects N_B·N_C/N_D; the
    uncertainty propagates the Poisson errors of B, C, D and a relative ``syst`` on the
    factorisation. Regions with N_D = 0 give NaN (no estimate)."""
    n_b, n_c, n_d = (np.asarray(v, float) for v in (n_b, n_c, n_d))
    ok = n_d > 0
    est = np.where(ok, n_b * n_c / np.where(ok, n_d, 1.0), np.nan)
    rel2 = (1.0 / np.maximum(n_b, 1.0) + 1.0 / np.maximum(n_c, 1.0)
            + 1.0 / np.maximum(n_d, 1.0) + syst**2)
    return est, np.where(ok, est * np.sqrt(rel2), np.nan)
