"""Signal extraction: each class turns selected, weighted observables into counts (observed,
expected background with its uncertainty, signal efficiency) per signal point. Each is
independent of the simulation and can be tested on toy arrays; the formulas live in ``stats``.

- :class:`CountWindows`: a peak in one observable, ±nσ windows (σ measured on signal),
  background from the simulation or normalised to sidebands; optionally each window in bins
  of a second observable (:class:`Split`), a binned likelihood in the plane of the two.
- :class:`EllipticalWindows`: a peak in two correlated observables, elliptical windows whose
  axes come from the signal's measured core covariance.
- :class:`SlidingFit`: an extended maximum-likelihood fit of the signal shape over a smooth
  background in a window sliding with the mass (``stats.fits``).
- :class:`TemplateFit`: a binned fit of the simulated signal shape over the simulated
  background shape with a free normalisation (``stats.templates``).
- :class:`CutAndCount`: one signal region per point, background from the simulation, from
  sidebands in another variable or from ABCD.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from darkscan.errors import ParameterError
from darkscan.searches.result import Distribution
from darkscan.select.scan import CutGrid
from darkscan.stats.background import (
    Ellipses,
    abcd_estimate,
    ellipse_content,
    empty_interval_unc,
    integrate_histogram,
    local_density,
    sideband_estimate,
)
from darkscan.stats.shapes import gaussian_core, gaussian_core_2d

if TYPE_CHECKING:
    from darkscan.searches.factorised import FactorisedEfficiency
    from darkscan.searches.spec import Search

#: a signal point's fitted line shape must peak within this many of its resolutions of the
#: point's mass (darkscan's peaks sit within 0.6 of them): farther, it fitted a lump of tails
MAX_PEAK_SHIFT = 3.0
#: the simulated background is binned this many bins per signal resolution for the fit that
#: gives the expected limits their background (:meth:`SlidingFit.simulated_background`)
BINS_PER_RESOLUTION = 4


@dataclass(frozen=True)
class Selected:
    """One sample after selection: observables, luminosity weights at the run's luminosity,
    the generator weights (for efficiencies) and what a single MC event weighs."""

    id: str
    label: str
    values: dict[str, np.ndarray]
    weight: np.ndarray  #: expected events per selected MC event at the run's luminosity
    mc_weight: np.ndarray  #: generator weight of each selected event (1 if unweighted)
    n_generated: int
    unit_weight: float  #: σ L / N_generated
    #: for a background weighted by a channel's factorised cuts: their measured efficiency
    factorised: FactorisedEfficiency | None = None

    @property
    def event_weight(self) -> float:
        """What one more selected event of this sample would weigh: the mean weight of its
        selected events (an importance-sampled sample's, e.g. photons forced to convert deep
        in the ECL with the event weighted by the probability, weigh ~10⁻⁴ of σL/N); σL/N
        where none was selected. The scale of "no simulated event here" uncertainties."""
        return float(np.mean(self.weight)) if len(self.weight) else self.unit_weight

    def subset(self, keep: np.ndarray) -> Selected:
        """The candidates ``keep`` selects (a mask or indices)."""
        return replace(self, values={k: v[keep] for k, v in self.values.items()},
                       weight=self.weight[keep], mc_weight=self.mc_weight[keep])


def by_label(backgrounds: list[Selected], histogram: Callable[[Selected], np.ndarray]
             ) -> dict[str, np.ndarray]:
    """One histogram per background label, summed over the samples that share it (a process
    simulated in slices, e.g. a soft part at a lower luminosity than the hard part, is one
    component of a plot)."""
    out: dict[str, np.ndarray] = {}
    for b in backgrounds:
        h = np.asarray(histogram(b), float)
        out[b.label] = out[b.label] + h if b.label in out else h
    return out


@dataclass(frozen=True)
class ExtractionInput:
    """What an extraction sees: per signal point, per background, the pseudo-data stream, and
    the data where there are some (``observed``: the recorded candidates after the selection,
    then counted where the pseudo-data would be drawn)."""

    points: list[dict[str, float]]
    signal: list[Selected]
    backgrounds: list[Selected]
    mc_scale: float  #: factor on MC-statistical variances (projections; 1 at the analysis L)
    rng: np.random.Generator
    #: independent samples (own seeds) for choices such as per-window cuts, when asked for
    training: ExtractionInput | None = None
    #: factor on the declared systematics (projections: ``interpret.projection.Scenario``)
    syst_scale: float = 1.0
    observed: Selected | None = None
    #: the backgrounds in the extraction's ``shape_selection`` (a looser region that gives the
    #: shape of a background the selection leaves too few simulated candidates of), if any
    shape_backgrounds: list[Selected] | None = None
    #: values of the extraction's observable where the selection changes discontinuously (the
    #: edges of an MVA step's mass ranges, each with its own network): no fit window crosses one
    selection_edges: tuple[float, ...] = ()


@dataclass(frozen=True)
class Counts:
    """Per signal point: counts for the inference and the numbers the outputs report.

    ``bkg_obs``/``bkg_obs_unc`` is the background the observed limit uses (data-driven
    normalisation), ``bkg``/``bkg_unc`` the one the expected limits use."""

    n_obs: np.ndarray
    bkg: np.ndarray
    bkg_unc: np.ndarray
    efficiency: np.ndarray
    resolution: np.ndarray
    bkg_obs: np.ndarray
    bkg_obs_unc: np.ndarray
    signal: dict[str, np.ndarray] = field(default_factory=dict)
    windows: dict[str, np.ndarray] = field(default_factory=dict)
    distributions: tuple[Distribution, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    #: a finer scan between the signal points (:attr:`SlidingFit.scan_step`): per hypothesis
    #: mass ``mass``, ``efficiency``, ``resolution``, ``n_obs``, ``bkg``, ``bkg_2sigma`` and
    #: ``bkg_exp`` (the simulation's own b_eff, for the expected limits; ``bkg`` is the data's)
    scan: dict[str, np.ndarray] = field(default_factory=dict)
    #: a binned extraction's counts per bin (:class:`Split`): ``n_obs``, ``bkg``, ``bkg_unc``,
    #: ``bkg_obs``, ``bkg_obs_unc``, ``efficiency``, each (bins, points); the limits come from
    #: the bins' joint likelihood, the fields above are their sums
    bins: dict[str, np.ndarray] = field(default_factory=dict)


class Extraction(ABC):
    """Selected observables → :class:`Counts` per signal point."""

    @property
    @abstractmethod
    def observables(self) -> tuple[str, ...]:
        """The ntuple variables the extraction reads."""

    def check(self, search: Search) -> None:  # noqa: B027 - optional hook
        """Validate against the search at declaration time (raise ParameterError)."""

    @property
    def needs_training(self) -> bool:
        """Whether the extraction makes choices on independent training samples."""
        return False

    @abstractmethod
    def extract(self, data: ExtractionInput) -> Counts:
        """Counts per signal point."""

    #: whether the efficiency is the sum of the :meth:`counted` events' weights (a count in
    #: windows) or a fit's yield that those events only approximate: a reweighted efficiency is
    #: then the fit's scaled by the counted events' ratio
    efficiency_is_counted: ClassVar[bool] = True

    def counted(self, counts: Counts, i: int, signal: Selected) -> np.ndarray:
        """Which of ``signal``'s selected events point ``i`` counts (what its efficiency sums),
        for efficiencies reweighted per event; extractions that fit do not say."""
        raise NotImplementedError(f"{type(self).__name__} does not say which signal events "
                                  "it counts")


def _peak_windows(signal: list[Selected], observable: str, n_sigma: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per signal point: the peak and Gaussian-core width of ``observable`` (weighted) and the
    efficiency of a ±``n_sigma`` window about the peak, per generated event."""
    n = len(signal)
    peak, width, eff = (np.full(n, np.nan) for _ in range(3))
    for i, s in enumerate(signal):
        x = s.values[observable]
        peak[i], width[i] = gaussian_core(x, s.mc_weight)
        lo, hi = peak[i] - n_sigma * width[i], peak[i] + n_sigma * width[i]
        eff[i] = np.sum(s.mc_weight[(x > lo) & (x < hi)]) / s.n_generated
    return peak, width, eff


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    """The arrays one after the other (an empty float array for none)."""
    return np.concatenate(arrays) if arrays else np.zeros(0)


def _in_2sigma(events: float, sigma: float, window: tuple[float, float]) -> float:
    """A window's ``events`` spread flat over it: those within ±2σ of the peak."""
    return events * 4.0 * sigma / (window[1] - window[0])


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ParameterError(f"{name} must be positive, got {value}")


@dataclass(frozen=True)
class Split:
    """Bins of ``observable`` (of its absolute value with ``absolute``) between ``edges``;
    events outside them are not counted."""

    observable: str
    edges: tuple[float, ...]
    label: str  #: physics notation, for the summary
    absolute: bool = False

    def __post_init__(self) -> None:
        if len(self.edges) < 2 or np.any(np.diff(self.edges) <= 0):
            raise ParameterError(f"Split edges must be at least two increasing values, got "
                                 f"{self.edges}")

    @property
    def n_bins(self) -> int:
        return len(self.edges) - 1

    def bin_of(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """Each event's bin, −1 outside the edges."""
        x = values[self.observable]
        x = np.abs(x) if self.absolute else x
        k = np.searchsorted(self.edges, x, side="right") - 1
        return np.where((k >= 0) & (k < self.n_bins), k, -1)


def _restricted(data: ExtractionInput, keep: Callable[[Selected], np.ndarray]
                ) -> ExtractionInput:
    """``data`` with each sample's events limited to those ``keep`` selects."""
    def sub(samples: list[Selected]) -> list[Selected]:
        return [s.subset(keep(s)) for s in samples]

    return replace(data, signal=sub(data.signal), backgrounds=sub(data.backgrounds),
                   observed=None if data.observed is None
                   else data.observed.subset(keep(data.observed)))


#: the counts a binned extraction sums over its bins (uncertainties in quadrature)
_SUMMED = ("n_obs", "bkg", "bkg_obs", "efficiency")
_QUADRATURE = ("bkg_unc", "bkg_obs_unc")


def _merged_bins(parts: list[Counts], split: Split) -> Counts:
    """One :class:`Counts` of the bins of a window: the totals for tables and plots, and
    ``bins`` (each field per bin × point) for the likelihood."""
    bins = {f: np.stack([np.asarray(getattr(p, f), float) for p in parts]) for f in
            (*_SUMMED, *_QUADRATURE)}
    total = {f: bins[f].sum(axis=0) for f in _SUMMED}
    total |= {f: np.sqrt(np.sum(bins[f] ** 2, axis=0)) for f in _QUADRATURE}
    if all(p.bkg_obs is p.bkg for p in parts):  # no data-driven estimate: one background
        total["bkg_obs"], total["bkg_obs_unc"] = total["bkg"], total["bkg_unc"]
    first = parts[0]
    windows = dict(first.windows)
    for key in ("n_obs", "bkg", "bkg_obs", *(k for k in windows if k.startswith("bkg_mc"))):
        windows[key] = np.sum([p.windows[key] for p in parts], axis=0)
    for key in ("bkg_unc", "bkg_obs_unc"):
        windows[key] = np.sqrt(np.sum([p.windows[key] ** 2 for p in parts], axis=0))
    for k, p in enumerate(parts):
        windows |= {f"efficiency_bin{k}": p.efficiency, f"bkg_bin{k}": p.bkg,
                    f"n_obs_bin{k}": p.n_obs}
    dists = tuple(replace(d, backgrounds={lab: sum(p.distributions[i].backgrounds[lab]
                                                   for p in parts) for lab in d.backgrounds},
                          mc_events={lab: sum(p.distributions[i].mc_events[lab] for p in parts)
                                     for lab in d.mc_events},
                          data=None if d.data is None else sum(p.distributions[i].data
                                                               for p in parts))
                  for i, d in enumerate(first.distributions))
    edges = ", ".join(f"{e:g}" for e in split.edges)
    summary = dict(first.summary) | {
        "windows_without_simulated_background": int(np.count_nonzero(
            windows["bkg_mc_events"] == 0)),
        "split": f"{split.n_bins} bins of {split.label} (edges {edges}) per window, each with "
                 "its own background estimate; the limits from their joint likelihood "
                 "(stats.combined_upper_limits); the windows table shows the bins' sums"}
    return replace(first, **total, signal={**first.signal, "efficiency": total["efficiency"]},
                   windows=windows, distributions=dists, summary=summary, bins=bins)


# --------------------------------------------------------------------------------- 1D windows
@dataclass(frozen=True)
class CountWindows(Extraction):
    """Counting in ±``n_sigma`` windows of ``observable`` about the signal peak, the peak and
    the Gaussian-core width measured on each signal sample (weighted).

    ``background``: "mc" predicts each window from the simulation with a relative systematic
    ``syst``; "sideband" normalises the simulated shape to the (pseudo-)data in sidebands one
    window wide on either side, so the normalisation uncertainty is the sidebands' Poisson
    error and ``syst`` is the residual uncertainty on the window/sideband ratio. Where the
    simulation is sparse the background density comes from the nearest ``k_min`` MC events
    (:func:`darkscan.stats.background.local_density`).

    The windows table says what each window's simulated background is made of:
    ``bkg_mc_<sample id>``, the simulation's prediction per background sample (before any
    sideband normalisation).

    ``split``: each window is cut further into bins of a second observable (:class:`Split`),
    each bin with its own background estimate (and sidebands); the limits then come from the
    bins' joint likelihood (a binned fit in the plane of the two observables), where a bin in
    which the signal is cleaner counts for more."""

    observable: str
    label: str  #: physics notation with unit, for plots
    unit: str
    range: tuple[float, float]
    n_sigma: float = 2.0
    background: str = "mc"
    syst: float = 0.0
    split: Split | None = None

    def __post_init__(self) -> None:
        _positive("n_sigma", self.n_sigma)
        if self.background not in ("mc", "sideband"):
            raise ParameterError(f"CountWindows background must be 'mc' or 'sideband', got "
                                 f"{self.background!r}")
        if not self.range[1] > self.range[0]:
            raise ParameterError(f"CountWindows range must be increasing, got {self.range}")

    @property
    def observables(self) -> tuple[str, ...]:
        return (self.observable,) + ((self.split.observable,) if self.split else ())

    def check(self, search: Search) -> None:
        if self.split is None:
            return
        inf = search.inference
        if inf.method not in ("cls", "toys") or inf.cross_check not in (None, "cls", "toys"):
            raise ParameterError(f"search {search.name!r}: a split window's bins are combined "
                                 "by CLs (stats.combined_upper_limits), so the inference method "
                                 "and any cross-check must be 'cls' or 'toys'")

    def extract(self, data: ExtractionInput) -> Counts:
        peak, width, eff = _peak_windows(data.signal, self.observable, self.n_sigma)
        if self.split is None:
            return self._count(data, peak, width, eff)
        parts = []
        for k in range(self.split.n_bins):
            sub = _restricted(data, lambda s, k=k: self.split.bin_of(s.values) == k)
            eff_k = np.array([np.sum(s.mc_weight[self._inside(s.values[self.observable], p, w)])
                              / s.n_generated for s, p, w in zip(sub.signal, peak, width,
                                                                 strict=True)])
            parts.append(self._count(sub, peak, width, eff_k))
        return _merged_bins(parts, self.split)

    def _inside(self, x: np.ndarray, peak: float, width: float) -> np.ndarray:
        """Events within the ±n_sigma window about ``peak``."""
        return (x > peak - self.n_sigma * width) & (x < peak + self.n_sigma * width)

    def _count(self, data: ExtractionInput, peak: np.ndarray, width: np.ndarray,
               eff: np.ndarray) -> Counts:
        """The windows' counts of ``data``, the windows and efficiencies given."""
        n = len(data.signal)
        syst = self.syst * data.syst_scale  # a projection may scale it
        w_lo, w_hi = peak - self.n_sigma * width, peak + self.n_sigma * width

        edges = self._fine_edges(width)
        bkgs = data.backgrounds
        # one background model for windows, pseudo-data and plots: the local density of each
        # background, never extrapolated beyond its simulated events
        fine = {b.id: local_density(b.values[self.observable], b.weight, edges[:-1], edges[1:],
                                    interpolate_only=True) for b in bkgs}
        total = np.sum([fine[b.id][0] for b in bkgs], axis=0)
        span = w_hi - w_lo
        regions = {"window": [(w_lo, w_hi)],
                   "sideband": [(w_lo - span, w_lo), (w_hi, w_hi + span)]}
        content, var, used = {}, {}, {}
        by_sample = {f"bkg_mc_{b.id}": np.zeros(n) for b in bkgs}  # the window's make-up
        for region, intervals in regions.items():
            content[region], var[region] = np.zeros(n), np.zeros(n)
            used[region] = np.zeros(n, dtype=int)
            for b in bkgs:
                x = b.values[self.observable]
                for lo, hi in intervals:
                    est, k = local_density(x, b.weight, lo, hi, interpolate_only=True)
                    content[region] += est
                    if region == "window":
                        by_sample[f"bkg_mc_{b.id}"] += est
                    used[region] += k
                    # beyond a sample's simulated range it contributes nothing (k = 0), with
                    # the uncertainty that no event in the gap to its nearest event allows
                    empty = empty_interval_unc(x, lo, hi, b.event_weight,
                                               span=self.range[1] - self.range[0])
                    var[region] += data.mc_scale * np.where(k > 0, est**2 / np.maximum(k, 1),
                                                            empty**2)
        pseudo = (data.rng.poisson(total).astype(float) if data.observed is None else
                  np.histogram(data.observed.values[self.observable], edges)[0].astype(float))
        bkg = integrate_histogram(total, edges, w_lo, w_hi)
        n_obs = integrate_histogram(pseudo, edges, w_lo, w_hi)
        if self.background == "mc":
            unc = np.hypot(np.sqrt(var["window"]), syst * bkg)
            bkg_obs, bkg_obs_unc = bkg, unc
        else:
            n_sb = np.zeros(n)
            for lo, hi in regions["sideband"]:
                n_sb += integrate_histogram(pseudo, edges, lo, hi)
            args = (content["window"], content["sideband"], var["window"], var["sideband"])
            _, unc = sideband_estimate(*args, content["sideband"], bkg, syst)
            bkg_obs, bkg_obs_unc = sideband_estimate(*args, n_sb, bkg, syst)
        # the plotted distribution: the same model and pseudo-data in ~120 coarse bins
        factor = max(1, (len(edges) - 1) // 120)
        m = (len(edges) - 1) // factor

        def coarse(h: np.ndarray) -> np.ndarray:
            return np.add.reduceat(h[: m * factor], np.arange(0, m * factor, factor))

        dist = Distribution(
            self.observable, self.label, edges[: m * factor + 1 : factor],
            by_label(bkgs, lambda b: coarse(fine[b.id][0])),
            by_label(bkgs, lambda b: coarse(fine[b.id][1].astype(float))), coarse(pseudo),
            caption=f"{self.label} after the selection: the background model (the local "
                    "density of each simulated background) that predicts the windows and "
                    + ("draws the pseudo-data" if data.observed is None else
                       "the data in the analyst's ntuples"))
        return Counts(n_obs, bkg, unc, eff, width, bkg_obs, bkg_obs_unc,
                      signal={"efficiency": eff, "resolution": width, "peak": peak},
                      windows={"window_lo": w_lo, "window_hi": w_hi, "bkg": bkg,
                               "bkg_unc": unc, "n_obs": n_obs, "bkg_obs": bkg_obs,
                               "bkg_obs_unc": bkg_obs_unc,
                               "bkg_mc_events": used["window"].astype(float), **by_sample},
                      distributions=(dist,),
                      summary={"windows": int(n), "window": f"±{self.n_sigma:g} σ",
                               "windows_without_simulated_background": int(
                                   np.count_nonzero(used["window"] == 0)),
                               "resolution_label": f"Resolution of {self.label}",
                               "background": self.background, "background_syst": self.syst})

    def counted(self, counts: Counts, i: int, signal: Selected) -> np.ndarray:
        """The events inside point ``i``'s window (as its efficiency counts them)."""
        inside = self._inside(signal.values[self.observable], counts.signal["peak"][i],
                              counts.signal["resolution"][i])
        return inside if self.split is None else inside & (self.split.bin_of(signal.values) >= 0)

    def _fine_edges(self, widths: np.ndarray) -> np.ndarray:
        lo, hi = self.range
        step = max(float(np.nanmin(widths)) / 8.0, (hi - lo) / 20_000) if np.any(
            np.isfinite(widths)) else (hi - lo) / 2000
        return np.arange(lo, hi + step, step)


# --------------------------------------------------------------------------------- 2D windows
@dataclass(frozen=True)
class EllipticalWindows(Extraction):
    """Counting in elliptical windows in the plane of two observables: centred on the signal
    peak, axes along the principal axes of the signal's core covariance (measured per point,
    weighted), radius ``n_sigma`` in Mahalanobis distance. The background is the simulation's
    content of each ellipse (widened where fewer than ``k_min`` MC events fall in it) with a
    relative systematic ``syst``; the pseudo-data counts are Poisson about that background
    (the windows sit at the simulated signal points, which are far apart compared with the
    ellipses, so they share no events); the projected distributions show events drawn from the
    weighted simulation.

    ``optimise``: a grid of tightenings of the selection (first option of each row the
    loosest); each window takes the combination with the best Punzi figure of merit
    (a = b = 1.28, 90% CL) on independent training samples, if it beats the loosest by
    ``min_gain``; the windows' shapes come from the training signal too, so the samples the
    limits use only count."""

    x: str
    y: str
    x_label: str
    y_label: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    n_sigma: float = 2.0
    syst: float = 0.0
    k_min: int = 10
    optimise: CutGrid | None = None
    min_gain: float = 0.1

    def __post_init__(self) -> None:
        _positive("n_sigma", self.n_sigma)
        if self.x == self.y:
            raise ParameterError("EllipticalWindows needs two different observables")

    @property
    def observables(self) -> tuple[str, ...]:
        extra = self.optimise.names if self.optimise is not None else ()
        return tuple(dict.fromkeys((self.x, self.y, *extra)))

    @property
    def needs_training(self) -> bool:
        return self.optimise is not None

    def _xy(self, s: Selected) -> np.ndarray:
        return np.stack([s.values[self.x], s.values[self.y]], axis=-1)

    def extract(self, data: ExtractionInput) -> Counts:
        n = len(data.signal)
        syst = self.syst * data.syst_scale  # a projection may scale it
        if self.optimise is not None and data.training is None:
            raise ParameterError("EllipticalWindows with optimise needs training samples")
        shapes = data.training.signal if data.training is not None else data.signal
        centre, cov = np.full((n, 2), np.nan), np.full((n, 2, 2), np.nan)
        for i, s in enumerate(shapes):
            centre[i], cov[i] = gaussian_core_2d(self._xy(s), s.mc_weight)
        good = np.all(np.isfinite(cov.reshape(n, 4)), axis=1)
        inv = np.where(good[:, None, None], np.linalg.inv(np.where(good[:, None, None], cov,
                                                                   np.eye(2))), np.nan)
        windows = Ellipses(np.where(good[:, None], centre, 0.0), inv, self.n_sigma)
        choice = (self._choose_cuts(data.training, windows, good)
                  if self.optimise is not None and data.training is not None else None)
        combos = self.optimise.combinations() if self.optimise is not None else [()]
        eff = np.zeros(n)
        bkg, var = np.zeros(n), np.zeros(n)
        per_bkg: dict[str, np.ndarray] = {b.id: np.zeros(n) for b in data.backgrounds}
        masks = {s.id: self._masks(s) for s in (*data.signal, *data.backgrounds)}
        for i in range(n):
            if not good[i]:
                continue
            c = 0 if choice is None else int(choice[i])
            one = Ellipses(windows.centre[i:i + 1], windows.inv_cov[i:i + 1], self.n_sigma)
            s = data.signal[i]
            m = masks[s.id][c]
            eff[i] = np.sum(s.mc_weight[m][one.inside(self._xy(s)[m], 0)]) / s.n_generated
            for b in data.backgrounds:
                mb = masks[b.id][c]
                est, k, f = ellipse_content(self._xy(b)[mb], b.weight[mb], one,
                                            k_min=self.k_min)
                per_bkg[b.id][i] = est[0]
                bkg[i] += est[0]
                # no event even widened: one event weight spread over the widened area
                var[i] += data.mc_scale * (est[0] ** 2 / k[0] if k[0] > 0 else
                                           (b.event_weight / f[0] ** 2) ** 2)
        # pseudo-data in the windows: Poisson counts about the same background model (the
        # windows sit at the simulated points and do not share events)
        if data.observed is None:
            n_obs = data.rng.poisson(bkg).astype(float)
            # for the projections: a Poisson number of events drawn from the weighted simulation
            pool = np.concatenate([self._xy(b) for b in data.backgrounds]) \
                if data.backgrounds else np.zeros((0, 2))
            w = np.concatenate([b.weight for b in data.backgrounds]) if data.backgrounds \
                else np.zeros(0)
            n_data = data.rng.poisson(w.sum()) if len(w) else 0
            picks = pool[data.rng.choice(len(w), size=n_data, p=w / w.sum())] if n_data \
                else pool[:0]
        else:
            n_obs = self._counted(data.observed, windows, good, choice)
            picks = self._xy(data.observed)
        unc = np.hypot(np.sqrt(var), syst * bkg)
        sx, sy = np.sqrt(cov[:, 0, 0]), np.sqrt(cov[:, 1, 1])
        rho = cov[:, 0, 1] / (sx * sy)
        dists = tuple(self._distribution(obs, label, rng_, data.backgrounds, picks, j)
                      for j, (obs, label, rng_) in enumerate(
                          ((self.x, self.x_label, self.x_range),
                           (self.y, self.y_label, self.y_range))))
        return Counts(n_obs, bkg, unc, eff, sx, bkg, unc,
                      signal={"efficiency": eff, "resolution": sx, f"resolution_{self.y}": sy,
                              "correlation": rho, f"peak_{self.x}": centre[:, 0],
                              f"peak_{self.y}": centre[:, 1]},
                      windows={"bkg": bkg, "bkg_unc": unc, "n_obs": n_obs,
                               **{f"bkg_{k}": v for k, v in per_bkg.items()},
                               **({} if choice is None else {"cuts_choice": choice.astype(float)})},
                      distributions=dists,
                      summary={"windows": int(np.count_nonzero(good)),
                               **({} if choice is None else {"window_cuts": [
                                   list(combos[int(c)]) for c in choice]}),
                               "resolution_label": f"Resolution of {self.x_label}",
                               "window": f"ellipse of {self.n_sigma:g} σ (Mahalanobis) in "
                                         f"({self.x}, {self.y})",
                               "background": "mc", "background_syst": self.syst})

    def _counted(self, observed: Selected, windows: Ellipses, good: np.ndarray,
                 choice: np.ndarray | None) -> np.ndarray:
        """The data's candidates in each window, under the window's chosen cuts."""
        masks, xy = self._masks(observed), self._xy(observed)
        n_obs = np.zeros(len(good))
        for i in np.flatnonzero(good):  # a loop over windows, vectorised over candidates
            m = masks[0 if choice is None else int(choice[i])]
            one = Ellipses(windows.centre[i:i + 1], windows.inv_cov[i:i + 1], self.n_sigma)
            n_obs[i] = float(np.count_nonzero(one.inside(xy[m], 0)))
        return n_obs

    def _masks(self, s: Selected) -> np.ndarray:
        """(n_combinations, n_events): which events pass each tightening (one row: all)."""
        size = len(s.weight)
        if self.optimise is None:
            return np.ones((1, size), dtype=bool)
        return self.optimise.masks(s.values, size)

    def _choose_cuts(self, train: ExtractionInput, windows: Ellipses, good: np.ndarray
                     ) -> np.ndarray:
        """Per window, the index of the tightening with the best Punzi figure of merit on the
        training samples (the loosest unless another beats it by ``min_gain``)."""
        from darkscan.stats import punzi_fom

        sig_masks = [self._masks(s) for s in train.signal]
        bkg_masks = [self._masks(b) for b in train.backgrounds]
        n_combo = sig_masks[0].shape[0]
        choice = np.zeros(len(windows), dtype=int)
        for i in range(len(windows)):
            if not good[i]:
                continue
            s = train.signal[i]
            inside = windows.inside(self._xy(s), i)
            eff = sig_masks[i][:, inside].astype(float) @ s.mc_weight[inside] / s.n_generated
            bkg = np.zeros(n_combo)
            for b, mb in zip(train.backgrounds, bkg_masks, strict=True):
                d2 = windows.distance2(self._xy(b), i)
                factor = 1
                while True:  # widen with the loosest cuts, as ellipse_content does
                    region = d2 < (factor * self.n_sigma) ** 2
                    if np.count_nonzero(region) >= self.k_min or factor * 2 > 64:
                        break
                    factor *= 2
                bkg += mb[:, region].astype(float) @ b.weight[region] / factor**2
            fom = np.asarray(punzi_fom(eff, bkg, a=1.28155))
            best = int(np.argmax(fom))
            if fom[best] > (1.0 + self.min_gain) * fom[0]:
                choice[i] = best
        return choice

    @staticmethod
    def _distribution(obs: str, label: str, span: tuple[float, float],
                      backgrounds: list[Selected], picks: np.ndarray, j: int) -> Distribution:
        edges = np.linspace(span[0], span[1], 81)
        hist = by_label(backgrounds,
                        lambda b: np.histogram(b.values[obs], edges, weights=b.weight)[0])
        mc = by_label(backgrounds, lambda b: np.histogram(b.values[obs], edges)[0])
        data = np.histogram(picks[:, j], edges)[0].astype(float)
        return Distribution(obs, label, edges, hist, mc, data,
                            caption=f"{label} after the selection")


# --------------------------------------------------------------------------------- fits
@dataclass(frozen=True)
class SlidingFit(Extraction):
    """An extended unbinned maximum-likelihood fit of the signal peak over a background
    polynomial (``stats.fits``) in a window of ``width`` signal resolutions about each mass,
    to pseudo-data drawn from the weighted simulation. The signal shape is ``signal_model``
    ("gauss": the Gaussian core; "dcb": a double-sided Crystal Ball with a shared mean)
    fitted to each simulated signal point. The background polynomial is ``background``, or per
    mass from ``background_by_mass`` ((upper mass, shape), …: the first whose upper mass lies
    above the point's). The fitted observable may change with the mass in the same way
    (``observable_by_mass``, read at the hypothesis mass ``peak_axis``: e.g. a diphoton mass
    at low masses and the recoil mass against the third photon at high masses, whichever
    resolves the peak better). The fit becomes counts for the inference as the equivalent counting
    experiment with the same information on the signal yield: the effective background
    b_eff, the variance of ν̂_s at ν_s = 0 from the fit's Fisher information with the
    background's level and shape profiled (:func:`stats.fits.effective_background`; for a
    Gaussian peak of width σ on a flat density ρ, 2√π σ ρ, the background "under" the peak,
    times 1.1–1.4 for the profiling in windows 30–60σ wide), and n_obs = ν̂_s + b_eff, without
    a further background uncertainty (adding the yield
    error to a Poisson b would count the background's fluctuation twice); the fitted background
    in ±2σ is reported beside. The observed limits take b_eff from the fit to the (pseudo-)data,
    the expected limits from the same fit to the simulated background itself
    (:meth:`simulated_background`), so that they do not move with the pseudo-data drawn. The
    efficiency is the signal yield the same fit finds in the simulated signal's own candidates,
    per generated event (see :meth:`signal_yield`).

    ``scan_step`` > 0 adds the analysis's own scan: hypothesis masses from the first to the
    last signal point spaced by ``scan_step`` × the resolution, each fitted in its window on
    the same pseudo-data, with the line shape and the efficiency interpolated linearly in mass
    between the simulated points (:class:`darkscan.stats.ShapeGrid`; the peak's offset from
    the mass, its width and tails). A published search states the extremes of its observed
    limits over such a scan, and its largest local excess among them: the signal points alone
    sample neither. Where the selection changes with the fitted mass (an MVA step's mass
    ranges, ``ExtractionInput.selection_edges``) no window crosses an edge and the scan
    covers only the masses between two points of one range: between a range's outer point
    and its edge a network trained on the points' peaks passes a mass-dependent share of the
    candidates that no simulated point measured."""

    observable: str
    label: str
    range: tuple[float, float]
    width: float = 20.0
    background: str = "poly2"
    signal_model: str = "gauss"
    background_by_mass: tuple[tuple[float, str], ...] = ()
    #: the signal-grid axis where the peak is expected (its fit starts there): needed when the
    #: peak sits on a broad pedestal, e.g. a signal's own wrong pairings
    peak_axis: str | None = None
    #: ((upper mass, observable), …): the first whose upper mass lies above the point's
    #: hypothesis mass (axis ``peak_axis``) is fitted there, ``observable`` above them all
    observable_by_mass: tuple[tuple[float, str], ...] = ()
    #: spacing of the fine scan in resolutions (0: the signal points only)
    scan_step: float = 0.0
    #: the signal events whose line shape is fitted (a cut, e.g. on their truth: the decays
    #: near the IP, whose mass is resolved); the efficiency is still the yield the fit sees
    #: in every selected signal event, the others a pedestal under the peak
    signal_shape_cut: str = ""

    def __post_init__(self) -> None:
        from darkscan.stats.shapes import SIGNAL_PARAMS, background_model

        _positive("width", self.width)
        if self.scan_step < 0 or (self.scan_step > 0 and self.peak_axis is None):
            raise ParameterError("scan_step must be >= 0, and a fine scan needs peak_axis (the "
                                 "axis of the hypothesis mass)")
        if self.signal_model not in SIGNAL_PARAMS:
            raise ParameterError(f"signal_model must be one of {', '.join(SIGNAL_PARAMS)}, "
                                 f"got {self.signal_model!r}")
        for name in (self.background, *(b for _, b in self.background_by_mass)):
            background_model(name)
        for name, table in (("background_by_mass", self.background_by_mass),
                            ("observable_by_mass", self.observable_by_mass)):
            uppers = [m for m, _ in table]
            if uppers != sorted(uppers):
                raise ParameterError(f"{name} must be ordered by upper mass")
        if self.observable_by_mass and self.peak_axis is None:
            raise ParameterError("observable_by_mass needs peak_axis: the hypothesis mass "
                                 "chooses the observable")
        if self.signal_shape_cut:
            from darkscan.select import Cut, CutError

            try:
                Cut.parse(self.signal_shape_cut)
            except CutError as err:
                raise ParameterError(f"signal_shape_cut {self.signal_shape_cut!r}: {err}"
                                     ) from None

    @property
    def fit_observables(self) -> tuple[str, ...]:
        """The observables fitted (at some mass)."""
        return tuple(dict.fromkeys((*(o for _, o in self.observable_by_mass),
                                    self.observable)))

    @property
    def observables(self) -> tuple[str, ...]:
        from darkscan.select import Cut

        shape = Cut.parse(self.signal_shape_cut).names if self.signal_shape_cut else ()
        return tuple(dict.fromkeys((*self.fit_observables, *shape)))

    def _shape_events(self, s: Selected) -> np.ndarray:
        """Which of ``s``'s events the line shape is fitted to (:attr:`signal_shape_cut`)."""
        from darkscan.expr import evaluate

        if not self.signal_shape_cut:
            return np.ones(len(s.weight), dtype=bool)
        return np.asarray(evaluate(self.signal_shape_cut, s.values), dtype=bool)

    def observable_at(self, mass: float) -> str:
        """The observable fitted for the hypothesis ``mass``."""
        return next((o for upper, o in self.observable_by_mass if mass < upper),
                    self.observable)

    @staticmethod
    def signal_yield(x: np.ndarray, w: np.ndarray, shape: Any, window: tuple[float, float],
                     background: str, seed: int) -> float:
        """The signal the fit would see: the simulated signal's candidates in the window
        fitted with the fixed line shape over the window's background polynomial, so that the
        signal's own wrong pairings, which the fit takes for background, are not counted
        (weighted by the mean generator weight; the plain count if the fit fails)."""
        from darkscan.stats.fits import fit_window

        inside = (x > window[0]) & (x < window[1])
        count = float(np.sum(w[inside]))
        if inside.sum() < 20:
            return count
        fit = fit_window(x[inside], shape, window, background=background, limit=False,
                         seed=seed)
        if not fit.ok:
            return count
        return float(np.clip(fit.n_sig, 0.0, inside.sum())) * count / inside.sum()

    #: a fit's yield: a reweighted efficiency scales it by the counted events' ratio
    efficiency_is_counted = False

    def counted(self, counts: Counts, i: int, signal: Selected) -> np.ndarray:
        """The events within ±2σ of point ``i``'s fitted peak: the core of the line shape,
        whose yield the fit measures (none where the point was not fitted)."""
        observable = counts.summary.get("fitted_observable", [self.observable] * (i + 1))[i]
        x = signal.values[observable]
        peak, width = counts.signal["peak"][i], counts.signal["resolution"][i]
        if not (np.isfinite(peak) and np.isfinite(width)):
            return np.zeros(len(x), dtype=bool)
        return np.abs(x - peak) < 2.0 * width

    def background_at(self, mass: float) -> str:
        """The background shape fitted at ``mass``."""
        return next((b for upper, b in self.background_by_mass if mass < upper),
                    self.background)

    def extract(self, data: ExtractionInput) -> Counts:
        from darkscan.stats.shapes import fit_signal_shape, makes_peak

        n = len(data.signal)
        if data.observed is None:
            w = np.concatenate([b.weight for b in data.backgrounds])
            n_data = data.rng.poisson(w.sum())
            # one pseudo-data set: the same drawn candidates in every observable
            drawn = data.rng.choice(len(w), size=n_data, p=w / w.sum())
            pseudo = {o: np.concatenate([b.values[o] for b in data.backgrounds])[drawn]
                      for o in self.fit_observables}
        else:
            pseudo = {o: data.observed.values[o] for o in self.fit_observables}
        simulated = {o: _concat([b.values[o] for b in data.backgrounds])
                     for o in self.fit_observables}
        sim_weight = _concat([b.weight for b in data.backgrounds])
        peak, width, eff, n_obs, bkg, in_2sigma, bkg_exp = (np.full(n, np.nan)
                                                            for _ in range(7))
        tails = {k: np.full(n, np.nan) for k in ("beta_left", "m_left", "beta_right",
                                                  "m_right")}
        status, shapes, fitted = [], [], []
        fitted_shapes: dict[int, Any] = {}
        for i, s in enumerate(data.signal):
            near = data.points[i].get(self.peak_axis) if self.peak_axis else None
            observable = self.observable_at(near) if near is not None else self.observable
            fitted.append(observable)
            x, events = s.values[observable], pseudo[observable]
            core = self._shape_events(s)
            no_peak = near is not None and not makes_peak(x[core], near)
            if core.sum() < 20 or no_peak:
                # the point has no sensitivity: its selected signal events (wrong pairings,
                # ISR tails) make no peak to fit a line shape to
                status.append("no signal peak" if no_peak else "no signal")
                shapes.append("")
                continue
            shape = fit_signal_shape(x[core], s.mc_weight[core], self.signal_model, near=near)
            if near is not None and abs(shape.params["loc"] - near) > (
                    MAX_PEAK_SHIFT * shape.resolution):
                # a "peak" away from the mass is a lump of the tails (the μμa search at
                # 10 GeV: 9.83 GeV, 18 MeV wide), which the fine scan would interpolate towards
                status.append("no signal peak")
                shapes.append("")
                continue
            fitted_shapes[i] = shape
            peak[i], width[i] = shape.params["loc"], shape.resolution
            for k in tails:
                tails[k][i] = shape.params.get(k, np.nan)
            shapes.append(shape.kind)
            window = self.window(peak[i], width[i], data.selection_edges)
            eff[i] = self.signal_yield(x, s.mc_weight, shape, window,
                                       self.background_at(peak[i]), i) / s.n_generated
            n_obs[i], bkg[i], in_2sigma[i], st = self._fit_counts(events, shape, window, i)
            bkg_exp[i] = self.simulated_background(simulated[observable], sim_weight, shape,
                                                   window, i)
            status.append(st)
        scan = (self._fine_scan(data, pseudo, (simulated, sim_weight), fitted_shapes, eff)
                if self.scan_step > 0 else {})
        unc = np.zeros(n)
        # the expected limits from the simulation's b_eff, the observed from the (pseudo-)data's
        return Counts(n_obs, bkg_exp, unc, eff, width, bkg, unc,
                      signal={"efficiency": eff, "resolution": width, "peak": peak,
                              **{f"shape_{k}": v for k, v in tails.items()}},
                      windows={"bkg": bkg, "bkg_2sigma": in_2sigma, "n_obs": n_obs,
                               "bkg_exp": bkg_exp},
                      summary={"windows": n, "fit_status": status, "signal_shapes": shapes,
                               **({"fitted_observable": fitted} if self.observable_by_mass
                                  else {}),
                               "resolution_label": f"Resolution of {self.label}",
                               "window": f"{self.width:g} σ wide fit windows"},
                      scan=scan)

    def window(self, peak: float, resolution: float, edges: tuple[float, ...] = ()
               ) -> tuple[float, float]:
        """The fit window about ``peak``: ``width`` resolutions, clipped to the range and to
        the selection ``edges`` about the peak (the background that passes changes there)."""
        below = [e for e in edges if e <= peak]
        above = [e for e in edges if e > peak]
        lo = max(self.range[0], peak - 0.5 * self.width * resolution, *below[-1:])
        hi = min(self.range[1], peak + 0.5 * self.width * resolution, *above[:1])
        return lo, hi

    def simulated_background(self, x: np.ndarray, w: np.ndarray, shape: Any,
                             window: tuple[float, float], seed: int) -> float:
        """b_eff of the simulated background itself, for the expected limits: its weighted
        candidates binned (:data:`BINS_PER_RESOLUTION` per resolution) in the window and fitted
        as the data are (the binned Poisson likelihood takes non-integer counts: an Asimov
        dataset with the simulation's own fluctuations). The expected limits then follow the
        simulation, not one pseudo-dataset drawn from it: μμττ's 3.6 GeV window had b_eff = 62
        on one draw and 3.8 on another of the same simulation (the fit's polynomial at the
        τ-pair threshold). Where the fit fails, the window's weighted count spread flat over
        it, as :meth:`_fit_counts` does for the data."""
        from darkscan.stats.fits import effective_background, fit_window

        lo, hi = window
        peak, sigma = shape.params["loc"], shape.resolution
        bins = max(int(np.ceil(BINS_PER_RESOLUTION * (hi - lo) / sigma)), 10)
        counts, edges = np.histogram(x, bins=bins, range=(lo, hi), weights=w)
        inside = float(counts.sum())
        if inside > 0:
            bkg_shape = self.background_at(peak)
            fit = fit_window((counts, edges), shape, window, background=bkg_shape, limit=False,
                             seed=seed)
            if fit.ok:
                return max(effective_background(fit, shape, bkg_shape), 1e-3)
        return max(_in_2sigma(inside, sigma, window), 0.5)

    def _fit_counts(self, events: np.ndarray, shape: Any, window: tuple[float, float],
                    seed: int) -> tuple[float, float, float, str]:
        """One window's equivalent count (n_obs, b_eff), the fitted background in ±2σ and the
        fit's status; a window the fit fails on is counted in ±2σ instead, over the window's
        own events spread flat across it (not the count itself: a low count would be taken
        for a low background), and says so."""
        from darkscan.stats.fits import effective_background, fit_window

        peak, sigma = shape.params["loc"], shape.resolution
        bkg_shape = self.background_at(peak)
        fit = fit_window(events, shape, window, background=bkg_shape, seed=seed)
        if fit.ok:
            # background share in ±2σ: odd polynomial terms cancel about the peak
            b_eff = max(effective_background(fit, shape, bkg_shape), 1e-3)
            # a deficit (ν̂_s < 0) is one in the equivalent count too, as in the likelihood
            return (max(fit.n_sig + b_eff, 0.0), b_eff, _in_2sigma(fit.n_bkg, sigma, window),
                    fit.status)
        count = float(np.sum(np.abs(events - peak) < 2.0 * sigma))
        inside = float(np.sum((events > window[0]) & (events < window[1])))
        flat = _in_2sigma(inside, sigma, window)
        return count, max(flat, 0.5), flat, "failed: counted ±2σ"

    def _fine_scan(self, data: ExtractionInput, pseudo: dict[str, np.ndarray],
                   simulated: tuple[dict[str, np.ndarray], np.ndarray],
                   shapes: dict[int, Any], eff: np.ndarray) -> dict[str, np.ndarray]:
        """Counts at hypothesis masses ``scan_step`` resolutions apart between the first and
        the last signal point with a fitted shape, on the pseudo-data the points were fitted
        on; shapes interpolated between the points that fit the same observable (an
        observable switch ends one stretch of the scan and starts the next), efficiencies
        between those that also share the selection (between two of its ``selection_edges``).
        Masses between a selection's outer point and its edge are left out: the efficiency
        there was not measured."""
        from darkscan.stats.fits import mass_points
        from darkscan.stats.shapes import ShapeGrid

        rows: list[tuple[float, ...]] = []
        by_observable: dict[str, list[int]] = {}
        for i in (i for i, shape in shapes.items()
                  if shape.kind == self.signal_model and eff[i] > 0):
            m = float(data.points[i][self.peak_axis])  # type: ignore[index]
            by_observable.setdefault(self.observable_at(m), []).append(i)
        edges = np.asarray(data.selection_edges, float)
        for observable, idx in by_observable.items():
            masses = np.array([data.points[i][self.peak_axis] for i in idx], float)
            order = np.argsort(masses)
            masses, idx = masses[order], [idx[k] for k in order]
            grid = ShapeGrid(self.signal_model, masses, {
                k: np.array([shapes[i].params[k] for i in idx]) for k in shapes[idx[0]].params})
            region = np.searchsorted(edges, masses, side="right")
            # one stretch per selection range, from its first simulated point to its last:
            # beyond them an MVA step trained on their peaks treats the mass differently (its
            # output drifts with the mass towards a range's edge), which no point measured
            for r in np.unique(region):
                same = region == r
                stretch = masses[same]
                scan_masses = (mass_points(stretch[0], stretch[-1],
                                           lambda m, g=grid: g.at(m).resolution, self.scan_step)
                               if len(stretch) > 1 else stretch)
                for j, m in enumerate(scan_masses):
                    shape = grid.at(float(m))
                    window = self.window(shape.params["loc"], shape.resolution,
                                         data.selection_edges)
                    seed = 10_000 + 1_000 * int(r) + j
                    counts = self._fit_counts(pseudo[observable], shape, window, seed)
                    expected = self.simulated_background(simulated[0][observable],
                                                         simulated[1], shape, window, seed)
                    rows.append((float(m), float(np.interp(m, stretch, eff[idx][same])),
                                 shape.resolution, *counts[:3], expected))
        if not rows:
            return {}
        table = np.array(sorted(rows))
        return dict(zip(("mass", "efficiency", "resolution", "n_obs", "bkg", "bkg_2sigma",
                         "bkg_exp"), table.T, strict=True))


# --------------------------------------------------------------------------------- templates

@dataclass(frozen=True)
class SmoothSlidingFit(SlidingFit):
    """:class:`SlidingFit` over a smooth background: the simulated background candidates
    (a handful, each worth thousands of events at 711 fb⁻¹) are replaced by a kernel density
    of them before the pseudo-data are drawn: a Gaussian kernel of width h(x) = max(a + b·x,
    1.06 σ̂ n_eff^(−1/5)) (``smoothing`` a, b in GeV; the second term is Silverman's rule of
    thumb for n_eff = (Σw)²/Σw² candidates of weighted spread σ̂, so that a sparse simulation
    is spread over the scale it can resolve), reflected at the range's ends. The density keeps
    the simulated total. With fewer than ``min_shape`` effective simulated candidates their
    shape says nothing (two default runs with other seeds put the K⁺ channel's handful of
    candidates at low and at high masses) and the density is flat over the range, at the
    simulated total or, with none at all, at the 90% CL upper bound of zero simulated events
    (2.3 MC events' weight): conservative stand-ins; with a ``shape_selection`` (a looser
    region, e.g. wide M_bc–ΔE, where the same backgrounds have ``min_shape`` effective
    candidates or more) the density takes that region's shape at the selected total instead.
    Without it the pseudo-data would be a few spikes of identical masses and a window without
    a simulated candidate would look empty."""

    smoothing: tuple[float, float] = (0.02, 0.1)
    n_smooth: int = 200_000
    min_shape: float = 10.0
    #: cuts of the looser region whose backgrounds give the shape when the selection leaves
    #: fewer than ``min_shape`` effective candidates (empty: none, a flat stand-in)
    shape_selection: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.observable_by_mass:
            raise ParameterError("SmoothSlidingFit smooths one observable: no "
                                 "observable_by_mass")
        if self.smoothing[0] <= 0 or self.smoothing[1] < 0 or self.n_smooth < 1000:
            raise ParameterError("smoothing needs a > 0, b >= 0 and n_smooth >= 1000")

    def smoothed(self, backgrounds: list[Selected], rng: np.random.Generator,
                 shape: list[Selected] | None = None) -> Selected:
        """The kernel density of the background candidates as ``n_smooth`` equal weights;
        ``shape``: the backgrounds of the looser region, whose density is used, at the
        selected total, where the selected candidates are too few."""
        lo, hi = self.range
        x = np.concatenate([b.values[self.observable] for b in backgrounds])
        w = np.concatenate([b.weight for b in backgrounds])
        total = float(w.sum())
        n = self.n_smooth
        n_eff = total**2 / float(np.sum(w**2)) if total > 0 else 0.0
        if n_eff < self.min_shape and shape:
            wide = self.smoothed(shape, rng)
            if wide.label.endswith("of the simulation)"):  # the wide region had a shape
                total = total if total > 0 else 2.3 * max(b.unit_weight for b in backgrounds)
                return replace(wide, label="background (kernel density of the simulation's "
                                           "looser region, at the selected total)",
                               weight=np.full(n, total / n), unit_weight=total / n)
        if n_eff < self.min_shape:
            total = total if total > 0 else 2.3 * max(b.unit_weight for b in backgrounds)
            xs = rng.uniform(lo, hi, n)
            return Selected("smooth_background", "background (flat stand-in)",
                            {self.observable: xs}, np.full(n, total / n), np.ones(n), n,
                            total / n)
        mean = float(np.sum(w * x) / total)
        spread = float(np.sqrt(np.sum(w * (x - mean) ** 2) / total))
        pick = rng.choice(len(x), size=n, p=w / total)
        h = np.maximum(self.smoothing[0] + self.smoothing[1] * np.abs(x[pick]),
                       1.06 * spread * n_eff ** -0.2)
        xs = x[pick] + h * rng.standard_normal(n)
        xs = np.where(xs < lo, 2.0 * lo - xs, xs)
        xs = np.clip(np.where(xs > hi, 2.0 * hi - xs, xs), lo, hi)
        return Selected("smooth_background", "background (kernel density of the simulation)",
                        {self.observable: xs}, np.full(n, total / n), np.ones(n), n, total / n)

    def extract(self, data: ExtractionInput) -> Counts:
        rng = np.random.default_rng(data.rng.integers(2**63))
        return super().extract(replace(data, backgrounds=[self.smoothed(
            data.backgrounds, rng, data.shape_backgrounds)]))


@dataclass(frozen=True)
class TemplateFit(Extraction):
    """A binned fit of each signal point's simulated shape over the background's simulated
    shape with a free normalisation (:func:`darkscan.stats.templates.fit_templates`), over
    ``bins`` bins of ``observable`` in ``range``: for a signal that is a broad bump on a
    spectrum that is everywhere, such as a two-body lepton energy on the three-body τ → ℓνν̄
    spectrum. ``shape_uncertainty``: a relative uncertainty of the background template per bin
    (uncorrelated); ``shape_nuisances``: relative amplitudes δ_k of correlated deformations of
    the background, Legendre P_k across the range (a tilt, a curvature, …: an efficiency or a
    scale that changes slowly across the spectrum), each a constrained nuisance of the fit. The
    fit becomes counts for the inference as the equivalent counting experiment, with the
    effective background var(ŝ) at s = 0 and n_obs = ŝ + b_eff on pseudo-data drawn bin by bin
    from the background model (Poisson); the efficiency is the signal's fraction in the fitted
    range."""

    observable: str
    label: str
    range: tuple[float, float]
    bins: int = 40
    shape_uncertainty: float = 0.0
    shape_nuisances: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if any(not d >= 0 for d in self.shape_nuisances):
            raise ParameterError("shape_nuisances must be ≥ 0")
        if self.bins < 3:
            raise ParameterError(f"a template fit needs at least 3 bins, got {self.bins}")
        if not self.range[1] > self.range[0]:
            raise ParameterError(f"range must be increasing, got {self.range}")
        if self.shape_uncertainty < 0:
            raise ParameterError("shape_uncertainty must be ≥ 0")

    @property
    def observables(self) -> tuple[str, ...]:
        return (self.observable,)

    def extract(self, data: ExtractionInput) -> Counts:
        from darkscan.stats.templates import bin_variance, fit_templates, legendre_deformations

        edges = np.linspace(*self.range, self.bins + 1)
        obs = self.observable
        per_bkg = by_label(data.backgrounds,
                           lambda b: np.histogram(b.values[obs], edges, weights=b.weight)[0])
        bkg = np.sum(list(per_bkg.values()), axis=0)
        mc_var = data.mc_scale * np.sum([np.histogram(b.values[obs], edges,
                                                      weights=b.weight**2)[0]
                                         for b in data.backgrounds], axis=0)
        var = bin_variance(bkg, mc_var, self.shape_uncertainty * data.syst_scale)
        deform = legendre_deformations(bkg, tuple(d * data.syst_scale
                                                  for d in self.shape_nuisances))
        pseudo = (data.rng.poisson(bkg).astype(float) if data.observed is None else
                  np.histogram(data.observed.values[obs], edges)[0].astype(float))
        n = len(data.signal)
        peak, width, eff, n_obs, b_eff, n_sig = (np.full(n, np.nan) for _ in range(6))
        status = []
        for i, s in enumerate(data.signal):
            x = s.values[obs]
            eff_bins = np.histogram(x, edges, weights=s.mc_weight)[0] / s.n_generated
            eff[i] = eff_bins.sum()
            if len(x) < 20 or not eff[i] > 0:
                status.append("no signal")
                continue
            peak[i], width[i] = gaussian_core(x, s.mc_weight)
            fit = fit_templates(pseudo, eff_bins / eff[i], bkg, var, deformations=deform)
            n_sig[i], b_eff[i] = fit.n_sig, max(fit.effective_background, 1e-3)
            n_obs[i] = max(fit.n_sig, 0.0) + b_eff[i]
            status.append("ok")
        zeros = np.zeros(n)
        dist = Distribution(
            obs, self.label, edges, per_bkg,
            by_label(data.backgrounds, lambda b: np.histogram(b.values[obs], edges)[0]), pseudo,
            caption=f"{self.label} after the selection: the background templates and the "
                    + ("pseudo-data drawn from them, bin by bin" if data.observed is None else
                       "the data in the analyst's ntuples"))
        return Counts(n_obs, b_eff, zeros, eff, width, b_eff, zeros,
                      signal={"efficiency": eff, "resolution": width, "peak": peak},
                      windows={"bkg": b_eff, "n_obs": n_obs, "n_sig_fit": n_sig},
                      distributions=(dist,),
                      summary={"windows": n, "fit_status": status,
                               "resolution_label": f"Gaussian-core width of {self.label}",
                               "window": f"{self.bins} bins over {self.range[0]:g}–"
                                         f"{self.range[1]:g}, shape uncertainty "
                                         f"{self.shape_uncertainty:g} per bin, correlated "
                                         f"deformations {list(self.shape_nuisances)}"})


# --------------------------------------------------------------------------------- cut and count
@dataclass(frozen=True)
class CutAndCount(Extraction):
    """One signal region (``signal_region``: cut strings on top of the selection) per point;
    the background from the simulation ("mc"), or ABCD: with ``control`` = (cut_1, cut_2)
    defining B (cut_1 inverted), C (cut_2 inverted) and D (both inverted) around the signal
    region A = cut_1 and cut_2, N_A = N_B·N_C/N_D from the (pseudo-)data."""

    signal_region: tuple[str, ...]
    background: str = "mc"
    control: tuple[str, str] | None = None
    syst: float = 0.0

    def __post_init__(self) -> None:
        from darkscan.searches.spec import variable_names

        if self.background not in ("mc", "abcd"):
            raise ParameterError(f"CutAndCount background must be 'mc' or 'abcd', got "
                                 f"{self.background!r}")
        if self.background == "abcd" and self.control is None:
            raise ParameterError("CutAndCount with ABCD needs control=(cut_1, cut_2)")
        for expr in (*self.signal_region, *(self.control or ())):
            variable_names(expr)

    @property
    def observables(self) -> tuple[str, ...]:
        from darkscan.searches.spec import variable_names

        names: list[str] = []
        for expr in (*self.signal_region, *(self.control or ())):
            names += [v for v in variable_names(expr) if v not in names]
        return tuple(names)

    @staticmethod
    def _mask(values: dict[str, np.ndarray], cuts: tuple[str, ...], size: int) -> np.ndarray:
        from darkscan.select import evaluate

        m = np.ones(size, dtype=bool)
        for c in cuts:
            m &= np.asarray(evaluate(c, values), dtype=bool)
        return m

    def extract(self, data: ExtractionInput) -> Counts:
        n = len(data.signal)
        syst = self.syst * data.syst_scale  # a projection may scale it
        eff = np.array([np.sum(s.mc_weight[self._mask(s.values, self.signal_region,
                                                      len(s.weight))]) / s.n_generated
                        for s in data.signal])
        regions = {"A": self.signal_region}
        if self.control is not None:
            c1, c2 = self.control
            regions |= {"B": (f"not ({c1})", c2), "C": (c1, f"not ({c2})"),
                        "D": (f"not ({c1})", f"not ({c2})")}
        mc, var, obs = {}, {}, {}
        for r, cuts in regions.items():
            mc[r], var[r], obs[r] = 0.0, 0.0, 0.0
            for b in data.backgrounds:
                w = b.weight[self._mask(b.values, cuts, len(b.weight))]
                mc[r] += float(w.sum())
                var[r] += data.mc_scale * (float(np.sum(w**2)) if len(w) else
                                           b.event_weight**2)
            obs[r] = (float(data.rng.poisson(mc[r])) if data.observed is None else float(
                np.count_nonzero(self._mask(data.observed.values, cuts,
                                            len(data.observed.weight)))))
        bkg = np.full(n, mc["A"])
        unc = np.full(n, np.hypot(np.sqrt(var["A"]), syst * mc["A"]))
        n_obs = np.full(n, obs["A"])
        bkg_obs, bkg_obs_unc = bkg, unc
        if self.background == "abcd":
            est, est_unc = abcd_estimate(obs["B"], obs["C"], obs["D"], syst)
            bkg_obs, bkg_obs_unc = np.full(n, est), np.full(n, est_unc)
        return Counts(n_obs, bkg, unc, eff, np.full(n, np.nan), bkg_obs, bkg_obs_unc,
                      signal={"efficiency": eff},
                      windows={"bkg": bkg, "bkg_unc": unc, "n_obs": n_obs,
                               **{f"n_{r}": np.full(n, v) for r, v in obs.items()}},
                      summary={"windows": 1, "background": self.background})
