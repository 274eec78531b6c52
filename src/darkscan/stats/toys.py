r"""CLs from pseudo-experiments for small counts (Read, J. Phys. G 28 (2002) 2693; Junk,
NIM A 434 (1999) 435), vectorised over windows and seeded.

For a single bin the q̃_μ test statistic orders outcomes like the count n itself (fewer events are
less signal-like), so CLs+b = P(n ≤ n_obs | μ+b') and CLb = P(n ≤ n_obs | b'). Each toy draws a
background b' from a Gamma prior of mean b and width σ_b (hybrid Bayesian–frequentist treatment of
the nuisance, Cousins & Highland, NIM A 320 (1992) 331) and a count by inversion of the Poisson
CDF with a uniform u; the toy satisfies n ≤ n_obs exactly when u ≤ F_Pois(n_obs; λ). Fixing the
(u, b') draws for every μ (common random numbers) makes the estimated CLs a monotone step
function of μ, which the vectorised root finder solves. Expected limits: the limit at the
background-only quantiles of n (as for the Bayesian method).

Several independent channels with one signal (a multi-bin counting experiment): the toys are
ordered by the LEP test statistic Q_μ = Σ_c n_c ln(1 + μ w_c/b_c), the log-likelihood ratio of
s+b to b with the backgrounds at their nominal values (w_c the share of the signal in channel c):
a channel counts by how much signal it expects per background event, so a clean bin weighs more
than a busy one. CLs+b = P(Q ≤ Q_obs | μ), CLb = P(Q ≤ Q_obs | 0), the nuisances hybrid as for one
bin. With one channel Q orders outcomes as n does, and the limits are those of one bin. The s+b
toys add a signal count drawn by inversion of its Poisson CDF (common uniforms for every μ) to
background-only counts drawn once, so a toy's counts grow monotonically with μ; the most
signal-like channel's count is never drawn: its Poisson CDF gives each toy's probability
exactly (the tails of the expected band rest on probabilities of a few 10⁻³). Expected band N:
the limit at the Φ(N) quantile of Q under background only (for one bin, the count's quantile
as above), the five sorted (:func:`combined_toys_limits`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaincc, ndtr

from darkscan.jit import jit
from darkscan.stats._roots import bracket_up, solve_decreasing
from darkscan.stats.bayes import background_quantiles
from darkscan.stats.results import BAND_SIGMAS

CHUNK = 256


def _background_means(rng: np.random.Generator, b: np.ndarray, sigma: np.ndarray, ntoys: int
                      ) -> np.ndarray:
    """Each toy's background mean (channels, windows, toys): Gamma-distributed about b with
    width σ_b (the hybrid nuisance), b itself where σ_b = 0."""
    mean = np.repeat(b[..., None], ntoys, axis=-1)
    unc = (sigma > 0) & (b > 0)
    if unc.any():
        k = (b[unc] / sigma[unc]) ** 2
        mean[unc] = rng.gamma(k[:, None], (b[unc] / k)[:, None], size=(int(unc.sum()), ntoys))
    return mean


def _toy_limits_chunk(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float, ntoys: int,
                      rng: np.random.Generator) -> np.ndarray:
    """Limits (k, windows) for k counts per window (rows of ``n``), every count of a window
    evaluated on the window's same toys (common random numbers: equal counts give equal limits,
    and a larger count never a smaller one, so an expected band comes out ordered)."""
    nw = b.size
    u = rng.random((nw, ntoys))
    bq = _background_means(rng, b, sigma, ntoys)
    a1 = n[..., None] + 1.0
    clb = np.mean(u <= gammaincc(a1, bq), axis=-1)
    alpha = 1.0 - cl

    def f(mu: np.ndarray) -> np.ndarray:
        clsb = np.mean(u <= gammaincc(a1, mu[..., None] + bq), axis=-1)
        return clsb - alpha * clb

    hi = bracket_up(f, np.maximum(n - b, 0.0) + 3.0 * np.sqrt(n + b + 1.0) + 3.0)
    return solve_decreasing(f, np.zeros(n.shape), hi, rtol=1e-6, atol=1e-9)


def _toy_limits(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float, ntoys: int,
                rng: np.random.Generator) -> np.ndarray:
    """:func:`_toy_limits_chunk` over windows in memory chunks (each ≲ 40 MB of toys)."""
    out = np.empty(n.shape)
    step = max(1, CHUNK // n.shape[0])
    for start in range(0, b.size, step):
        sl = slice(start, start + step)
        out[:, sl] = _toy_limits_chunk(n[:, sl], b[sl], sigma[sl], cl, ntoys, rng)
    return out


def toys_observed(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float, ntoys: int,
                  rng: np.random.Generator) -> np.ndarray:
    return _toy_limits(np.asarray(n, dtype=float)[None], b, sigma, cl, ntoys, rng)[0]


def toys_limits(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float, ntoys: int = 20000,
                seed: int | np.random.SeedSequence | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected (5, n) toy-based CLs limits on the signal count; a window's
    observed count and its five background-only quantiles share the window's toys."""
    rng = np.random.default_rng(seed)
    counts = np.vstack([np.asarray(n, dtype=float)[None], background_quantiles(b, sigma)])
    out = _toy_limits(counts, b, sigma, cl, ntoys, rng)
    return out[0], out[1:]


@jit
def _poisson_inverse(u: np.ndarray, lam: np.ndarray) -> np.ndarray:  # pragma: no cover
    """The smallest k with F_Pois(k; λ) ≥ u, element-wise (the walk starts 9√λ below λ, where
    the CDF is below 10⁻¹⁸, so its cost grows as √λ)."""
    out = np.empty(u.size)
    for i in range(u.size):
        lm = lam[i]
        if lm <= 0.0:
            out[i] = 0.0
            continue
        k = max(0.0, np.floor(lm - 9.0 * np.sqrt(lm)))
        p = np.exp(-lm) if k == 0.0 else np.exp(-lm + k * np.log(lm) - math.lgamma(k + 1.0))
        c = p
        while u[i] > c and p + c > 0.0 and k < lm + 50.0 * np.sqrt(lm) + 50.0:
            k += 1.0
            p *= lm / k
            c += p
        out[i] = k
    return out


def _combined_chunk(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, w: np.ndarray, cl: float,
                    ntoys: int, rng: np.random.Generator) -> np.ndarray:
    """(6, windows): the observed limit, then the expected band (−2σ … +2σ).

    Variance reduction: the count of each window's most signal-like channel (largest w/b) is
    not drawn; P(Q ≤ Q_ref) given the other channels' counts is its Poisson CDF, averaged over
    the toys (with one channel, the exact single-bin probabilities above)."""
    nc, nw = n.shape
    best = np.argmax(w / np.maximum(b, 1e-9), axis=0)  # (windows,)
    is_best = np.arange(nc)[:, None] == best[None, :]

    def pick(a: np.ndarray) -> np.ndarray:  # (channels, windows, …) → the best channel's
        return np.take_along_axis(a, best.reshape((1, nw) + (1,) * (a.ndim - 2)), axis=0)[0]

    mean_b = _background_means(rng, b, sigma, ntoys)  # background-only toys
    n_b = rng.poisson(mean_b).astype(float)
    mean_sb = _background_means(rng, b, sigma, ntoys)  # the s+b toys' background
    n_sb_bkg = np.where(is_best[..., None], 0.0, rng.poisson(mean_sb).astype(float))
    u = rng.random(mean_sb.shape)
    alpha = 1.0 - cl
    quantiles = ndtr(BAND_SIGMAS)
    n_b_rest = np.where(is_best[..., None], 0.0, n_b)
    others = np.broadcast_to(~is_best[..., None], u.shape)  # the channels whose counts are drawn

    def below(q_ref: np.ndarray, q_rest: np.ndarray, weight: np.ndarray, lam: np.ndarray
              ) -> np.ndarray:
        """P(Q ≤ q_ref) per toy: the best channel's count at most (q_ref − q_rest)/weight."""
        k = np.floor((q_ref[:, None] - q_rest) / weight[:, None] + 1e-9)
        return np.where(k >= 0, gammaincc(np.maximum(k, 0.0) + 1.0, lam), 0.0)

    def f(mu: np.ndarray) -> np.ndarray:  # mu: (6, windows) → CLs+b − α CLb
        out = np.empty_like(mu)
        for j in range(6):  # the observed curve and five bands, each vectorised over windows
            signal = mu[j] * w
            # the ordering at μ → 0 is the small-signal limit's, w/b (never all weights 0)
            weights = np.log1p(np.maximum(mu[j], 1e-6) * w / np.maximum(b, 1e-9))
            counts_sb = n_sb_bkg.copy()
            counts_sb[others] += _poisson_inverse(
                u[others], np.broadcast_to(signal[..., None], u.shape)[others])
            q_rest_sb = np.einsum("cwt,cw->wt", counts_sb, weights)
            q_rest_b = np.einsum("cwt,cw->wt", n_b_rest, weights)
            if j == 0:
                q_ref = np.einsum("cw,cw->w", n, weights)
            else:
                q_b = np.einsum("cwt,cw->wt", n_b, weights)
                q_ref = np.quantile(q_b, quantiles[j - 1], axis=-1, method="inverted_cdf")
            w_best = pick(weights)
            clsb = below(q_ref, q_rest_sb, w_best, pick(signal)[:, None] + pick(mean_sb))
            clb = below(q_ref, q_rest_b, w_best, pick(mean_b))
            out[j] = clsb.mean(axis=-1) - alpha * clb.mean(axis=-1)
        return out

    start = np.broadcast_to(3.0 * np.sqrt(b.sum(axis=0) + 1.0) + 3.0, (6, nw)).copy()
    hi = bracket_up(f, start)
    return solve_decreasing(f, np.zeros((6, nw)), hi, rtol=1e-3, atol=1e-6)


def combined_toys_limits(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, w: np.ndarray,
                         cl: float, ntoys: int = 5000,
                         seed: int | np.random.SeedSequence | None = 0
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected (5, windows) toy-based CLs limits on the total signal count of
    independent channels; ``n``, ``b``, ``sigma``, ``w``: (channels, windows), ``w`` the share
    of the signal in each channel (columns summing to 1), ``b`` > 0."""
    rng = np.random.default_rng(seed)
    nw = n.shape[1]
    out = np.empty((6, nw))
    step = max(1, 4_000_000 // (ntoys * n.shape[0]))  # ≲ 32 MB per array of toys
    for start in range(0, nw, step):  # memory chunks, each chunk vectorised
        sl = slice(start, start + step)
        out[:, sl] = _combined_chunk(n[:, sl], b[:, sl], sigma[:, sl], w[:, sl], cl, ntoys, rng)
    # each band is solved with Q weighted at its own μ, so on a few discrete counts two bands'
    # estimates may cross; the band's values are quantiles of one distribution, and sorting
    # crossed quantile estimates (rearrangement: Chernozhukov, Fernández-Val and Galichon,
    # Econometrica 78 (2010) 1093) never moves them further from the true ones
    return out[0], np.sort(out[1:], axis=0)
