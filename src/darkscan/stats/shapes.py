"""Normalised probability densities on a fit window, built on numba-stats.

Signal: Gaussian and double-sided Crystal Ball (Oreglia, SLAC-R-236 (1980), Appendix D; two power
law tails). Background: Bernstein polynomials with non-negative coefficients (positive by
construction), exponential, and the ARGUS threshold function (ARGUS Collaboration, Phys. Lett.
B 241 (1990) 278). Every shape exposes ``pdf(x)`` and ``cdf(x)`` normalised on ``[lo, hi]``.
Signal shapes at arbitrary masses are interpolated linearly in mass between simulated masses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from darkscan.errors import ParameterError, UnknownNameError

SIGNAL_PARAMS: dict[str, tuple[str, ...]] = {
    "gauss": ("loc", "scale"),
    "dcb": ("loc", "scale", "beta_left", "m_left", "beta_right", "m_right"),
}


# numba_stats is imported where a shape is built, not at import: its Crystal Ball and ARGUS
# compile at import without a disk cache (≈ 14 s), and every darkscan run imports this module
def _raw_cdf(kind: str, p: dict[str, float]) -> Callable[[np.ndarray], np.ndarray]:
    from numba_stats import crystalball_ex, norm

    if kind == "gauss":
        return lambda x: norm.cdf(x, p["loc"], p["scale"])
    return lambda x: crystalball_ex.cdf(x, p["beta_left"], p["m_left"], p["scale"],
                                        p["beta_right"], p["m_right"], p["scale"], p["loc"])


def _raw_pdf(kind: str, p: dict[str, float]) -> Callable[[np.ndarray], np.ndarray]:
    from numba_stats import crystalball_ex, norm

    if kind == "gauss":
        return lambda x: norm.pdf(x, p["loc"], p["scale"])
    return lambda x: crystalball_ex.pdf(x, p["beta_left"], p["m_left"], p["scale"],
                                        p["beta_right"], p["m_right"], p["scale"], p["loc"])


@dataclass(frozen=True)
class SignalShape:
    """A signal line shape with fixed parameters (from simulation)."""

    kind: str
    params: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in SIGNAL_PARAMS:
            raise UnknownNameError(f"unknown signal shape '{self.kind}'; available: "
                                   f"{', '.join(SIGNAL_PARAMS)}")
        missing = set(SIGNAL_PARAMS[self.kind]) - set(self.params)
        if missing:
            raise ParameterError(f"signal shape '{self.kind}' needs parameters "
                                 f"{', '.join(sorted(missing))}")

    @property
    def resolution(self) -> float:
        return float(self.params["scale"])

    def effective_width(self, lo: float, hi: float, points: int = 20_001) -> float:
        """σ_eff: half the shortest interval holding 68.27% of the shape normalised on
        [lo, hi]. The core ``scale`` of a double Crystal Ball is the width only while its tails
        start beyond the core; a fit to a small sample can move the tails' starts inside it
        (β → 0.3) and shrink ``scale`` to a third of the spread, where σ_eff still measures
        it."""
        _, cdf = self.on(lo, hi)
        x = np.linspace(lo, hi, points)
        c = cdf(x)
        end = np.searchsorted(c, c + 0.6827)
        ok = end < points
        return 0.5 * float(np.min(x[end[ok]] - x[ok]))

    def on(self, lo: float, hi: float) -> tuple[Callable, Callable]:
        """(pdf, cdf) normalised on [lo, hi]."""
        cdf = _raw_cdf(self.kind, self.params)
        pdf = _raw_pdf(self.kind, self.params)
        c_lo = float(cdf(np.array([lo]))[0])
        norm_ = float(cdf(np.array([hi]))[0]) - c_lo
        if not norm_ > 0:
            raise ParameterError(f"signal shape has no probability inside [{lo}, {hi}]")
        return (lambda x: pdf(np.asarray(x, float)) / norm_,
                lambda x: (cdf(np.asarray(x, float)) - c_lo) / norm_)

    def sample(self, size: int, rng: np.random.Generator, lo: float, hi: float) -> np.ndarray:
        """Draw events by inverse-CDF on a fine grid (for toys)."""
        _, cdf = self.on(lo, hi)
        grid = np.linspace(lo, hi, 4001)
        return np.interp(rng.random(size), cdf(grid), grid)


@dataclass(frozen=True)
class ShapeGrid:
    """Signal shape parameters fitted at simulated masses; :meth:`at` interpolates linearly.

    The location is interpolated as the offset ``loc − mass`` so that shapes follow the mass.
    """

    kind: str
    masses: np.ndarray
    params: dict[str, np.ndarray]

    def at(self, mass: float) -> SignalShape:
        order = np.argsort(self.masses)
        ms = np.asarray(self.masses, float)[order]
        out = {}
        for k, v in self.params.items():
            v = np.asarray(v, float)[order]
            out[k] = float(mass + np.interp(mass, ms, v - ms)) if k == "loc" \
                else float(np.interp(mass, ms, v))
        out.setdefault("loc", float(mass))
        return SignalShape(self.kind, out)


# ---- backgrounds: name → (parameter names, start values, limits, factory(lo, hi, pars)) ----

def _bernstein(deg: int):
    names = tuple(f"c{i}" for i in range(1, deg + 1))

    def make(lo: float, hi: float, pars: np.ndarray):
        from numba_stats import bernstein

        beta = np.concatenate([[1.0], np.asarray(pars, float)])
        total = float(bernstein.integral(np.array([hi]), beta, lo, hi)[0])
        return (lambda x: bernstein.density(np.asarray(x, float), beta, lo, hi) / total,
                lambda x: bernstein.integral(np.asarray(x, float), beta, lo, hi) / total)

    return names, (1.0,) * deg, ((0.0, None),) * deg, make


def _expon(lo: float, hi: float, pars: np.ndarray):
    lam = float(pars[0])
    w = hi - lo
    if abs(lam * w) < 1e-9:
        return (lambda x: np.full(np.shape(x), 1.0 / w), lambda x: (np.asarray(x) - lo) / w)
    tot = np.expm1(lam * w) / lam
    return (lambda x: np.exp(lam * (np.asarray(x, float) - lo)) / tot,
            lambda x: np.expm1(lam * (np.asarray(x, float) - lo)) / lam / tot)


def _argus(endpoint: float):
    def make(lo: float, hi: float, pars: np.ndarray):
        from numba_stats import argus

        chi = float(pars[0])
        c = endpoint
        a, b = (argus.cdf(np.array([v]), chi, c, 0.5)[0] for v in (lo, min(hi, c)))
        tot = b - a
        return (lambda x: argus.pdf(np.asarray(x, float), chi, c, 0.5) / tot,
                lambda x: (argus.cdf(np.minimum(np.asarray(x, float), c), chi, c, 0.5) - a) / tot)
    return make


def background_model(name: str):
    """Return (names, starts, limits, factory) for 'poly0'..'poly5', 'expon', 'argus:<endpoint>'."""
    if name.startswith("poly") and name[4:].isdigit() and int(name[4:]) <= 5:
        return _bernstein(int(name[4:]))
    if name == "expon":
        return ("slope",), (0.0,), ((None, None),), _expon
    if name.startswith("argus:"):
        return ("chi",), (1.0,), ((1e-3, 50.0),), _argus(float(name.split(":", 1)[1]))
    raise UnknownNameError(f"unknown background shape '{name}'; available: poly0..poly5, "
                           f"expon, argus:<endpoint>")


#: the fewest candidates within :func:`near_peak` of the expected peak that make a peak
MIN_PEAK_EVENTS = 5
#: bins over :func:`near_peak`'s interval in which :func:`gaussian_core` looks for the peak
MODE_BINS = 40


def near_peak(x: np.ndarray, near: float) -> np.ndarray:
    """Mask of the values within ±2% (±0.01 at least) of the expected peak ``near``."""
    return np.abs(x - near) < max(0.02 * abs(near), 0.01)


def makes_peak(x: np.ndarray, near: float) -> bool:
    """Whether :data:`MIN_PEAK_EVENTS` or more values lie :func:`near_peak` ``near``."""
    return int(near_peak(x, near).sum()) >= MIN_PEAK_EVENTS


def gaussian_core(x: np.ndarray, w: np.ndarray, *, n_iter: int = 6,
                  truncate: float = 2.0, near: float | None = None) -> tuple[float, float]:
    """Peak and Gaussian-core width of a weighted, peaked distribution: iterate the weighted
    mean and standard deviation within ±truncate·σ, correcting the width for the truncation
    (a ±2σ window keeps 88% of σ). ``near``: the expected peak position, when the peak sits on
    a broad pedestal (e.g. the wrong pairings of a multi-candidate signal, the ISR tail): the
    iteration starts from the fullest of :data:`MODE_BINS` bins of the values within ±2% of it
    (±0.01 at least), two bins wide: their median sits in the pedestal when the peak holds
    fewer of them (μμττ at 9.75 GeV: a 5 MeV peak among ±195 MeV of tails, "found" 96 MeV
    below the mass)."""
    from scipy.stats import truncnorm

    if len(x) < 5:
        return float("nan"), float("nan")
    shrink = float(truncnorm.std(-truncate, truncate))
    if near is not None and makes_peak(x, near):
        around = near_peak(x, near)
        counts, edges = np.histogram(x[around], bins=MODE_BINS, weights=w[around])
        k = int(np.argmax(counts))
        mu, sd = 0.5 * float(edges[k] + edges[k + 1]), 2.0 * float(edges[1] - edges[0])
        n_iter *= 2  # from two bins to the core's width takes a few more steps
    else:
        q25, q50, q75 = np.quantile(x, [0.25, 0.5, 0.75])
        mu, sd = float(q50), max(float(q75 - q25) / 1.349, 1e-9)
    for _ in range(n_iter):
        core = np.abs(x - mu) < truncate * sd
        if core.sum() < 5:
            break
        mu = float(np.average(x[core], weights=w[core]))
        sd = float(np.sqrt(np.average((x[core] - mu) ** 2, weights=w[core]))) / shrink
    return mu, sd


def gaussian_core_2d(xy: np.ndarray, w: np.ndarray, *, n_iter: int = 6,
                     truncate: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Peak (2,) and covariance (2, 2) of the Gaussian core of a weighted 2D peak: the weighted
    mean and covariance of the events within a Mahalanobis distance ``truncate`` of the peak,
    iterated, the covariance corrected for the truncation (for a 2D Gaussian cut at radius r the
    kept variance is 1 − r²e^{−r²/2}/(2(1 − e^{−r²/2})) of the full one)."""
    if len(xy) < 10:
        return np.full(2, np.nan), np.full((2, 2), np.nan)
    r2 = truncate**2
    shrink = 1.0 - r2 * np.exp(-r2 / 2) / (2.0 * (1.0 - np.exp(-r2 / 2)))
    mu = np.median(xy, axis=0)
    iqr = np.subtract(*np.quantile(xy, [0.75, 0.25], axis=0)) / 1.349
    cov = np.diag(np.maximum(iqr, 1e-9) ** 2)
    for _ in range(n_iter):
        d = xy - mu
        inv = np.linalg.inv(cov)
        core = np.einsum("ni,ij,nj->n", d, inv, d) < r2
        if core.sum() < 10:
            break
        mu = np.average(xy[core], axis=0, weights=w[core])
        cov = np.cov(xy[core].T, aweights=w[core], bias=True) / shrink
    return mu, cov


def fit_signal_shape(x: np.ndarray, w: np.ndarray, kind: str = "dcb", *,
                     n_sigma: float = 10.0, near: float | None = None) -> SignalShape:
    """The line shape ``kind`` fitted to simulated signal (weighted unbinned maximum
    likelihood, normalised on the peak ± ``n_sigma`` Gaussian-core widths, where the fit is
    made): the Gaussian core for "gauss"; for "dcb" the core plus both power-law tails (ISR and
    FSR make the low tail, resolution tails both), one mean and one core width shared, beside a
    flat pedestal of free fraction (a signal's own wrong pairings: without it the tails would
    flatten to absorb them, and a fit with such a shape would call background signal). Falls
    back to the Gaussian core (flagged ``fit_ok = 0``) when MIGRAD fails. ``near``: the
    expected peak (see :func:`gaussian_core`); ``pedestal`` is reported. Fewer than
    :data:`MIN_PEAK_EVENTS` values near it are no peak: a fit to the rest would describe the
    pedestal (a signal's wrong pairings) as one, far from ``near``."""
    from iminuit import Minuit

    if near is not None and not makes_peak(x, near):
        raise ParameterError(f"no signal peak: fewer than {MIN_PEAK_EVENTS} signal events "
                             f"within 2% of {near:g}")
    mu, sd = gaussian_core(x, w, near=near)
    if not (np.isfinite(mu) and sd > 0):
        raise ParameterError("too few signal events to fit a line shape")
    core = {"loc": mu, "scale": sd}
    if kind == "gauss":
        return SignalShape("gauss", core)
    lo, hi = mu - n_sigma * sd, mu + n_sigma * sd
    inside = (x > lo) & (x < hi)
    xs, ws = np.asarray(x[inside], float), np.asarray(w[inside], float)
    names = SIGNAL_PARAMS[kind]

    flat = 1.0 / (hi - lo)

    def nll(*p: float) -> float:
        pdf, _ = SignalShape(kind, dict(zip(names, p[:-1], strict=True))).on(lo, hi)
        dens = (1.0 - p[-1]) * pdf(xs) + p[-1] * flat
        return float(-np.sum(ws * np.log(np.maximum(dens, 1e-300))))

    start = {"loc": mu, "scale": sd, "beta_left": 1.5, "m_left": 3.0, "beta_right": 2.0,
             "m_right": 5.0, "pedestal": 0.05}
    m = Minuit(nll, *(start[k] for k in (*names, "pedestal")), name=(*names, "pedestal"))
    m.errordef = Minuit.LIKELIHOOD
    m.print_level = -1  # validity read from m.valid (see stats.fits._minuit)
    m.limits["loc"] = (mu - 2 * sd, mu + 2 * sd)
    m.limits["scale"] = (0.3 * sd, 3.0 * sd)
    m.limits["pedestal"] = (0.0, 0.9)
    for side in ("left", "right"):
        m.limits[f"beta_{side}"] = (0.3, 8.0)
        m.limits[f"m_{side}"] = (1.05, 60.0)
    m.migrad()
    if not m.valid:
        return SignalShape("gauss", core | {"fit_ok": 0.0})
    return SignalShape(kind, {k: float(m.values[k]) for k in names}
                       | {"fit_ok": 1.0, "pedestal": float(m.values["pedestal"])})
