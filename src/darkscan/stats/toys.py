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
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincc

from darkscan.stats._roots import bracket_up, solve_decreasing
from darkscan.stats.bayes import background_quantiles

CHUNK = 256


def _toy_limits_chunk(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float, ntoys: int,
                      rng: np.random.Generator) -> np.ndarray:
    nw = n.size
    u = rng.random((nw, ntoys))
    bq = np.repeat(b[:, None], ntoys, axis=1)
    unc = (sigma > 0) & (b > 0)
    if unc.any():
        k = (b[unc] / sigma[unc]) ** 2
        bq[unc] = rng.gamma(k[:, None], (b[unc] / k)[:, None], size=(int(unc.sum()), ntoys))
    a1 = n[:, None] + 1.0
    clb = np.mean(u <= gammaincc(a1, bq), axis=1)
    alpha = 1.0 - cl

    def f(mu: np.ndarray) -> np.ndarray:
        clsb = np.mean(u <= gammaincc(a1, mu[:, None] + bq), axis=1)
        return clsb - alpha * clb

    hi = bracket_up(f, np.maximum(n - b, 0.0) + 3.0 * np.sqrt(n + b + 1.0) + 3.0)
    return solve_decreasing(f, np.zeros(nw), hi, rtol=1e-6, atol=1e-9)


def toys_observed(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float, ntoys: int,
                  rng: np.random.Generator) -> np.ndarray:
    out = np.empty(n.size)
    for start in range(0, n.size, CHUNK):  # memory chunks, each chunk fully vectorised
        sl = slice(start, start + CHUNK)
        out[sl] = _toy_limits_chunk(n[sl], b[sl], sigma[sl], cl, ntoys, rng)
    return out


def toys_limits(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float, ntoys: int = 20000,
                seed: int | np.random.SeedSequence | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected (5, n) toy-based CLs limits on the signal count."""
    rng = np.random.default_rng(seed)
    obs = toys_observed(n, b, sigma, cl, ntoys, rng)
    nq = background_quantiles(b, sigma)
    exp = toys_observed(nq.reshape(-1), np.tile(b, 5), np.tile(sigma, 5), cl, ntoys,
                        rng).reshape(5, n.size)
    return obs, exp
