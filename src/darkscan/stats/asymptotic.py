r"""Single-bin counting experiment in the asymptotic approximation (Cowan, Cranmer, Gross, Vitells,
Eur. Phys. J. C 71 (2011) 1554, arXiv:1007.1727), vectorised over windows.

Model (identical to pyhf's ``simplemodels.uncorrelated_background``, i.e. a ``shapesys``
modifier on the background):

.. math::

    L(\mu, \gamma) = \mathrm{Pois}(n \mid \mu + \gamma b)\;\mathrm{Pois}(m \mid \tau\gamma),
    \qquad \tau = (b/\sigma_b)^2, \quad m_\mathrm{obs} = \tau,

with μ the number of signal events and γ the background normalisation, constrained by a Poisson
auxiliary measurement (the "on/off" problem). Poisson terms are continuous in the counts
(``n ln λ − λ − ln Γ(n+1)``) as in pyhf. γ is bounded to ``[1e-10, 10]`` (pyhf's default
``shapesys`` bounds) and μ ≥ 0 in the free fit (the :math:`\tilde q_\mu` convention). Without
uncertainty (``σ_b = 0`` or ``b = 0``) γ ≡ 1.

The conditional maximum :math:`\hat{\hat\gamma}(\mu)` is the positive root of
``b(b+τ)γ² − [b(n+m−μ) − τμ]γ − mμ = 0``, so every fit is closed form and vectorised.

CLs follows pyhf's ``AsymptoticCalculator`` (test statistic ``qtilde``, base distribution
"normal"): Asimov data from the μ=0 conditional fit to the observed data, and

- if √q̃ ≤ √q_A: CLs+b = Φ(−√q̃), CLb = Φ(√q_A − √q̃);
- else: CLs+b = Φ(−(q̃+q_A)/(2√q_A)), CLb = Φ(−(q̃−q_A)/(2√q_A));

the expected band N (N = 2, 1, 0, −1, −2) is CLs = Φ(−(N+√q_A))/Φ(−N).

Independent channels with one signal (a multi-bin counting experiment, :class:`Combined`) sum
their log-likelihoods, each channel with its own constrained background; the same CLs
construction then sets the limit on the common signal.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr, ndtri, xlogy

from darkscan.stats._roots import bracket_up, solve_decreasing
from darkscan.stats.results import BAND_SIGMAS

GAMMA_BOUNDS = (1e-10, 10.0)


class OnOff:
    """Observed counts, nominal background and its constraint for a set of windows."""

    def __init__(self, n: np.ndarray, b: np.ndarray, sigma: np.ndarray) -> None:
        self.n = n
        self.b = b
        self.has_unc = (sigma > 0) & (b > 0)
        with np.errstate(divide="ignore"):
            self.tau = np.where(self.has_unc, (b / np.where(sigma > 0, sigma, 1.0)) ** 2, 1.0)
        self.m = self.tau.copy()  # observed auxiliary count

    def gamma_hathat(self, mu: np.ndarray, n: np.ndarray | None = None,
                     m: np.ndarray | None = None) -> np.ndarray:
        """Conditional MLE of γ at fixed μ (closed form, clipped to pyhf's bounds)."""
        n = self.n if n is None else n
        m = self.m if m is None else m
        b, tau = self.b, self.tau
        a = b * (b + tau)
        bb = b * (n + m - mu) - tau * mu
        disc = np.sqrt(bb * bb + 4.0 * a * m * mu)
        with np.errstate(divide="ignore", invalid="ignore"):
            g_pos = (bb + disc) / (2.0 * a)
            g_neg = 2.0 * m * mu / (disc - bb)
            g = np.where(bb >= 0, g_pos, g_neg)
        g = np.where(np.isfinite(g), g, 1.0)
        g = np.clip(g, *GAMMA_BOUNDS)
        return np.where(self.has_unc, g, 1.0)

    def loglike(self, mu: np.ndarray, gamma: np.ndarray, n: np.ndarray | None = None,
                m: np.ndarray | None = None) -> np.ndarray:
        """log L up to terms that do not depend on (μ, γ)."""
        n = self.n if n is None else n
        m = self.m if m is None else m
        lam = mu + gamma * self.b
        ll = xlogy(n, lam) - lam
        aux = xlogy(m, self.tau * gamma) - self.tau * gamma
        return ll + np.where(self.has_unc, aux, 0.0)

    def free_fit(self, n: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unconditional MLE with μ ≥ 0."""
        g_free = np.where(self.has_unc, np.clip(m / self.tau, *GAMMA_BOUNDS), 1.0)
        mu_hat = n - g_free * self.b
        neg = mu_hat < 0
        mu_hat = np.where(neg, 0.0, mu_hat)
        g0 = self.gamma_hathat(np.zeros_like(mu_hat), n, m)
        return mu_hat, np.where(neg, g0, g_free)

    def free(self, n: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """μ̂ and the log-likelihood at the unconditional maximum (the same for every tested μ,
        so a root finder computes it once)."""
        mu_hat, g_hat = self.free_fit(n, m)
        return mu_hat, self.loglike(mu_hat, g_hat, n, m)

    def qtilde(self, mu: np.ndarray, n: np.ndarray, m: np.ndarray,
               free: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        mu_hat, ll_free = self.free(n, m) if free is None else free
        ll_cond = self.loglike(mu, self.gamma_hathat(mu, n, m), n, m)
        q = np.maximum(2.0 * (ll_free - ll_cond), 0.0)
        return np.where(mu_hat > mu, 0.0, q)

    def asimov(self) -> tuple[np.ndarray, np.ndarray]:
        """Background-only Asimov data (main count, auxiliary count) from the μ=0 fit to data."""
        g0 = self.gamma_hathat(np.zeros_like(self.n))
        return g0 * self.b, self.tau * g0

    def q0(self) -> np.ndarray:
        """Discovery test statistic q0 (0 for a deficit)."""
        mu_hat, g_hat = self.free_fit(self.n, self.m)
        g0 = self.gamma_hathat(np.zeros_like(self.n))
        q = 2.0 * (self.loglike(mu_hat, g_hat) - self.loglike(np.zeros_like(mu_hat), g0))
        return np.where(mu_hat > 0, np.maximum(q, 0.0), 0.0)


def _log_cls_observed(q: np.ndarray, qa: np.ndarray) -> np.ndarray:
    sq, sqa = np.sqrt(q), np.sqrt(qa)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_hi = (q - qa) / (2.0 * sqa)
    low = sq <= sqa
    log_clsb = np.where(low, log_ndtr(-sq), log_ndtr(-(t_hi + sqa)))
    log_clb = np.where(low, log_ndtr(sqa - sq), log_ndtr(-t_hi))
    return log_clsb - log_clb


def _start(o: OnOff) -> np.ndarray:
    return np.maximum(o.n - o.b, 0.0) + 3.0 * np.sqrt(o.n + o.b + (o.b / np.sqrt(o.tau)) ** 2
                                                     * o.has_unc + 1.0) + 3.0


class Combined:
    r"""Independent counting channels (rows) of many windows (columns) with one signal:
    :math:`\ln L(\mu, \gamma) = \sum_c \ln L_c(\mu w_c, \gamma_c)`, each channel the
    :class:`OnOff` model with its own background nuisance γ_c (pyhf: one ``shapesys`` per
    channel, a shared ``normfactor``). μ is the window's total signal count and ``w`` (channels,
    windows) the share of each channel (Σ_c w_c = 1).

    At fixed μ every γ_c has its closed form, so the profile likelihood is a sum of closed
    forms. It is concave in μ (the model is jointly concave in (μ, γ) and γ is maximised over a
    box), so the unconditional fit is the root of its slope
    Σ_c w_c (n_c/λ_c − 1), λ_c = μ w_c + γ̂̂_c b_c (the envelope theorem holds at γ's bounds),
    found for every window at once. One channel is exactly :class:`OnOff`."""

    def __init__(self, n: np.ndarray, b: np.ndarray, sigma: np.ndarray, w: np.ndarray) -> None:
        self.channels = OnOff(n, b, sigma)
        self.w = w
        self.n, self.m = n, self.channels.m

    def _signal(self, mu: np.ndarray) -> np.ndarray:
        """(…, windows) total signal → (…, channels, windows) per channel."""
        return mu[..., None, :] * self.w

    def loglike(self, mu: np.ndarray, n: np.ndarray, m: np.ndarray) -> np.ndarray:
        """Profile log-likelihood at μ (γ at its conditional maximum), summed over channels."""
        s = self._signal(mu)
        return self.channels.loglike(s, self.channels.gamma_hathat(s, n, m), n, m).sum(axis=-2)

    def _slope(self, mu: np.ndarray, n: np.ndarray, m: np.ndarray) -> np.ndarray:
        s = self._signal(mu)
        lam = s + self.channels.gamma_hathat(s, n, m) * self.channels.b
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(n > 0, n / lam, 0.0)
        return np.sum(self.w * (ratio - 1.0), axis=-2)

    def free(self, n: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """μ̂ ≥ 0 and the profile log-likelihood there."""
        zero = np.zeros(n.shape[-1])
        rising = self._slope(zero, n, m) > 0

        def slope(mu: np.ndarray) -> np.ndarray:
            return self._slope(mu, n, m)

        hi = bracket_up(slope, np.sum(n, axis=0) + 1.0)
        mu_hat = np.where(rising, solve_decreasing(slope, zero, hi, rtol=1e-12, atol=1e-12),
                          0.0)
        return mu_hat, self.loglike(mu_hat, n, m)

    def qtilde(self, mu: np.ndarray, n: np.ndarray, m: np.ndarray,
               free: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        mu_hat, ll_free = self.free(n, m) if free is None else free
        q = np.maximum(2.0 * (ll_free - self.loglike(mu, n, m)), 0.0)
        return np.where(mu_hat > mu, 0.0, q)

    def asimov(self) -> tuple[np.ndarray, np.ndarray]:
        return self.channels.asimov()

    def start(self) -> np.ndarray:
        """A first upper bracket of the total signal: the best channel's on its own."""
        with np.errstate(divide="ignore"):
            alone = _start(self.channels) / self.w
        return np.min(np.where(self.w > 0, alone, np.inf), axis=0)


def _solve_cls(o: OnOff | Combined, start: np.ndarray, cl: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected (5, windows) CLs upper limits on μ of a model."""
    alpha = 1.0 - cl
    log_alpha = np.log(alpha)
    na, ma = o.asimov()
    free_obs, free_asimov = o.free(o.n, o.m), o.free(na, ma)

    def f_obs(mu: np.ndarray) -> np.ndarray:
        q = o.qtilde(mu, o.n, o.m, free_obs)
        qa = o.qtilde(mu, na, ma, free_asimov)
        return _log_cls_observed(q, qa) - log_alpha

    # expected band N: CLs = Φ(−(N+√qA))/Φ(−N) = α  ⇔  √qA(μ) = −Φ⁻¹(αΦ(−N)) − N
    nsig = -BAND_SIGMAS  # pyhf evaluates N = 2, 1, 0, -1, -2 for the -2σ..+2σ limits
    target = (-ndtri(alpha * np.exp(log_ndtr(-nsig))) - nsig)[:, None]

    def f_exp(mu: np.ndarray) -> np.ndarray:
        return target - np.sqrt(o.qtilde(mu, na, ma, free_asimov))

    # stack observed and expected so all six curves share one root-finding pass
    def f_all(mu: np.ndarray) -> np.ndarray:
        return np.concatenate([f_obs(mu[:1]), f_exp(mu[1:])], axis=0)

    hi0 = np.broadcast_to(start, (6, start.size)).copy()
    lo0 = np.zeros_like(hi0)
    hi = bracket_up(f_all, hi0)
    mu_up = solve_decreasing(f_all, lo0, hi, rtol=1e-9, atol=1e-12)
    return mu_up[0], mu_up[1:]


def cls_limits(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, cl: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected (5, n) asymptotic CLs upper limits on the signal count."""
    o = OnOff(n, b, sigma)
    return _solve_cls(o, _start(o), cl)


def combined_cls_limits(n: np.ndarray, b: np.ndarray, sigma: np.ndarray, w: np.ndarray,
                        cl: float) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected (5, windows) asymptotic CLs upper limits on the total signal
    count of independent channels; ``n``, ``b``, ``sigma``, ``w``: (channels, windows), ``w``
    the share of the signal in each channel (columns summing to 1)."""
    o = Combined(n, b, sigma, w)
    return _solve_cls(o, o.start(), cl)


def discovery(n: np.ndarray, b: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Asymptotic local p-value and significance Z = √q0 of an excess (Cowan et al. eq. 53)."""
    z = np.sqrt(OnOff(n, b, sigma).q0())
    return np.exp(log_ndtr(-z)), z
