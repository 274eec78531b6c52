r"""Bayesian upper limits with a flat prior on the signal rate s ≥ 0 (Helene, NIM 212 (1983) 319;
PDG Review "Statistics", §40.4.1).

Without background uncertainty the posterior CDF is closed form,

.. math::  1 - \mathrm{CL} = Q(n+1, s_\mathrm{up}+b) / Q(n+1, b),

with Q the regularised upper incomplete gamma function, so
``s_up = Q⁻¹(n+1, (1−CL)·Q(n+1, b)) − b`` (n=0, b=0 gives −ln 0.1 = 2.303 at 90% CL).

With a background uncertainty σ_b the background is marginalised over a Gamma prior with mean b
and standard deviation σ_b (shape k = (b/σ_b)², scale σ_b²/b; the conjugate prior of the Poisson
mean, and the shape a Poisson sideband measurement gives). The posterior CDF

.. math::  F(S) = \frac{E_\pi[Q(n+1,b') - Q(n+1,S+b')]}{E_\pi[Q(n+1,b')]}

is integrated with 64-point Gauss–Legendre quadrature in the prior's quantile u ∈ (0,1)
(b' = Gamma⁻¹(u)) and solved for F(S) = CL with the vectorised root finder.

Expected limits: the limit evaluated at the quantiles of n under the background-only hypothesis
(Poisson(b), or its Gamma mixture, a negative binomial, with uncertainty) at Φ(−2..+2).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincc, gammainccinv, gammaincinv, ndtr
from scipy.stats import nbinom, poisson

from darkscan.stats._roots import bracket_up, solve_decreasing
from darkscan.stats.results import BAND_SIGMAS

_U, _W = np.polynomial.legendre.leggauss(64)
_U = 0.5 * (_U + 1.0)
_W = 0.5 * _W


def _limit_exact(n: np.ndarray, b: np.ndarray, cl: float) -> np.ndarray:
    target = (1.0 - cl) * gammaincc(n + 1.0, b)
    return np.maximum(gammainccinv(n + 1.0, target) - b, 0.0)


def _limit_marginal(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float) -> np.ndarray:
    k = (b / sigma) ** 2
    theta = sigma**2 / b
    bq = gammaincinv(k[:, None], _U[None, :]) * theta[:, None]  # (windows, nodes)
    a1 = n[:, None] + 1.0
    q_b = gammaincc(a1, bq)
    norm = q_b @ _W

    def f(s: np.ndarray) -> np.ndarray:
        cdf = ((q_b - gammaincc(a1, s[:, None] + bq)) @ _W) / norm
        return cl - cdf

    # the flat-prior limit decreases with b: bracket between the limits at b ± 5σ_b
    lo = _limit_exact(n, b + 5.0 * sigma, cl)
    lo = np.where(f(lo) > 0, lo, 0.0)
    hi = bracket_up(f, _limit_exact(n, np.maximum(b - 5.0 * sigma, 0.0), cl) * 1.01 + 1e-9)
    return solve_decreasing(f, lo, hi, rtol=1e-8, atol=1e-10)


def bayes_observed(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float) -> np.ndarray:
    """Bayesian upper limits on the signal count, vectorised over windows."""
    out = _limit_exact(n, b, cl)
    unc = (sigma > 0) & (b > 0)
    if unc.any():
        out[unc] = _limit_marginal(n[unc], b[unc], sigma[unc], cl)
    return out


def background_quantiles(b: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Quantiles of the observed count under background only at Φ(−2..+2): shape (5, n)."""
    p = ndtr(BAND_SIGMAS)[:, None]
    q = poisson.ppf(p, b[None, :])
    unc = (sigma > 0) & (b > 0)
    if unc.any():
        k = (b[unc] / sigma[unc]) ** 2
        q[:, unc] = nbinom.ppf(p, k[None, :], (k / (k + b[unc]))[None, :])
    return np.nan_to_num(q, nan=0.0)


def bayes_limits(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected (5, n) Bayesian limits."""
    obs = bayes_observed(n, b, sigma, cl)
    nq = background_quantiles(b, sigma)
    nw = n.size
    exp = bayes_observed(nq.reshape(-1), np.tile(b, 5), np.tile(sigma, 5), cl).reshape(5, nw)
    return obs, exp
