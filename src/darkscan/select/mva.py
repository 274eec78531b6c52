"""Candidate classifiers for a selection's MVA step: one small multilayer perceptron per range
of a candidate mass (as the Belle II 4μ analysis trains "in mass ranges"), trained with PyTorch
on the CPU on samples independent of those the limits use, scored with numpy (inference needs no
PyTorch), and cut at each signal point where Punzi's figure of merit ε/(a/2 + √B) is largest,
the cut a smooth (at most quadratic) function of the candidate mass through those points (one
selection for all hypotheses, no point paying for another). Trained networks are cached by a
hash of their configuration and of the training data, so a rerun does not train again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from darkscan.errors import ParameterError
from darkscan.stats.shapes import gaussian_core

#: changes when the training or the choice of the cut changes: cached networks are retrained
TRAINING_VERSION = "5"
#: simulated background candidates (in a point's ±2% band) a cut must leave to be trusted
MIN_BACKGROUND_EVENTS = 10
#: signal candidates of a point (in the half its cut is chosen on) needed to choose its cut
MIN_SIGNAL_EVENTS = 10
#: signal candidates within this fraction of their point's mass (or ±5 MeV) are the signal peak
PEAK_FRACTION = 0.02
PEAK_MIN = 0.005


@dataclass(frozen=True)
class TrainingSet:
    """Candidates of one sample: feature columns, the mass column and weights (expected events
    for backgrounds; any normalisation for a signal point, which is renormalised)."""

    values: dict[str, np.ndarray]
    weight: np.ndarray
    mass: float | None = None  #: the signal point's mass; None for a background


class MassFeatures:
    """What an MVA step reads: its ``features`` (cut-language expressions) and the ``mass``
    variable the windows are counted in (attributes of the declaring dataclass)."""

    features: tuple[str, ...]
    mass: str

    def check_features(self) -> None:
        """Features given, and never the scanned mass itself."""
        if not self.features:
            raise ParameterError("an MVA step needs features")
        if self.mass in self.features:
            raise ParameterError(f"the scanned mass '{self.mass}' must not be a feature: the "
                                 "network would sculpt the background into peaks")

    @property
    def columns(self) -> tuple[str, ...]:
        """The ntuple variables the features and the mass read."""
        return feature_columns(self.features, self.mass)

    def matrix(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """The features of every candidate, (n, n_features)."""
        return feature_matrix(self.features, values, len(values[self.mass]))


@dataclass(frozen=True)
class MassBinnedMLP(MassFeatures):
    """The declaration: features (cut-language expressions of ntuple variables, e.g. a ratio;
    never the mass the fit scans by itself), the mass variable that picks a candidate's range,
    the range edges, the network and its training."""

    features: tuple[str, ...]
    mass: str
    edges: tuple[float, ...]
    hidden: tuple[int, ...] = (32, 32)
    epochs: int = 40
    batch_size: int = 512
    learning_rate: float = 3e-3
    punzi_a: float = 1.64  #: Punzi's a: the significance aimed at (1.64: 95% one-sided)
    point_axis: str = "mass"  #: the signal-grid axis that gives a signal point's mass

    def __post_init__(self) -> None:
        self.check_features()
        if len(self.edges) < 2 or list(self.edges) != sorted(set(self.edges)):
            raise ParameterError(f"edges must be increasing, at least two, got {self.edges}")
        if not self.hidden or min(self.hidden) < 1 or self.epochs < 1:
            raise ParameterError("hidden layers and epochs must be positive")

    @property
    def label(self) -> str:
        return f"{len(self.edges) - 1} mass ranges"

    def train(self, signal: Sequence[TrainingSet], background: Sequence[TrainingSet], *,
              seed: int, cache: Path | None = None) -> TrainedMLP:
        """Train one network per mass range on half of the candidates and choose its cut on
        the other half; read from ``cache`` when the same training was done before."""
        key = self._key(signal, background, seed)
        path = None if cache is None else Path(cache) / f"mlp-{key}.npz"
        if path is not None and path.exists():
            return TrainedMLP.load(path, self)
        ranges = []
        for lo, hi in itertools.pairwise(self.edges):
            ranges.append(self._train_range(lo, hi, signal, background, seed))
        out = TrainedMLP(self, tuple(ranges))
        if path is not None:
            out.save(path)
        return out

    # ------------------------------------------------------------------ internals
    def _key(self, signal: Sequence[TrainingSet], background: Sequence[TrainingSet],
             seed: int) -> str:
        return training_key(asdict(self), self.columns, signal, background, seed,
                            TRAINING_VERSION)

    def _arrays(self, sets: Sequence[TrainingSet], lo: float, hi: float, peak_only: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(features, weights, point index, mass) of the candidates in [lo, hi); a signal
        point's candidates only inside its peak and with unit total weight per point."""
        xs, ws, idx, ms = [], [], [], []
        for i, s in enumerate(sets):
            m = s.values[self.mass]
            keep = (m >= lo) & (m < hi)
            if peak_only and s.mass is not None:
                keep &= np.abs(m - s.mass) < max(PEAK_FRACTION * s.mass, PEAK_MIN)
            if not keep.any():
                continue
            w = np.asarray(s.weight, float)[keep]
            if s.mass is not None:
                w = w / w.sum()
            xs.append(self.matrix({c: s.values[c][keep] for c in self.columns}))
            ws.append(w)
            idx.append(np.full(len(w), i))
            ms.append(m[keep])
        if not xs:
            return (np.empty((0, len(self.features))), np.empty(0), np.empty(0, int),
                    np.empty(0))
        return np.concatenate(xs), np.concatenate(ws), np.concatenate(idx), np.concatenate(ms)

    def _train_range(self, lo: float, hi: float, signal: Sequence[TrainingSet],
                     background: Sequence[TrainingSet], seed: int) -> RangeNet:
        xs, ws, ps, ms = self._arrays(signal, lo, hi, peak_only=True)
        xb, wb, _, mb = self._arrays(background, lo, hi, peak_only=False)
        if len(xs) < 20 or len(xb) < 20:
            return RangeNet.pass_all(lo, hi, len(self.features),
                                     f"too few candidates to train ({len(xs)} signal, "
                                     f"{len(xb)} background)")
        rng = np.random.default_rng(seed)
        half_s, half_b = rng.random(len(xs)) < 0.5, rng.random(len(xb)) < 0.5
        mean, std = standard_scale(np.concatenate([xs, xb]))
        layers, loss = _fit(
            standardise(xs[half_s], mean, std), ws[half_s] / ws[half_s].sum(),
            standardise(xb[half_b], mean, std), wb[half_b] / wb[half_b].sum(),
            self.hidden, self.epochs, self.batch_size, self.learning_rate, seed)
        net = RangeNet(lo, hi, mean, std, layers, np.empty(0), np.empty(0), {})
        # the cuts: on the other half, at each signal point the threshold with the largest
        # Punzi FOM, the background counted in the point's ±2σ (its density from the ±2% band)
        ss, sb = net.score(xs[~half_s]), net.score(xb[~half_b])
        w_b = wb[~half_b] * 2.0  # the half stands for the whole sample
        grid = np.unique(np.quantile(ss, np.linspace(0.0, 0.98, 80)))
        masses, cuts, effs = [], [], []
        for p in np.unique(ps):
            mine = ps[~half_s] == p
            if mine.sum() < MIN_SIGNAL_EVENTS:
                # too few of the point's own candidates to choose a cut on (a signal near the
                # kinematic end: its cut was the lowest of the grid, and the polynomial through
                # the range's cuts swung to 1 at the next point): the range's other points cut
                continue
            m_p = signal[int(p)].mass
            assert m_p is not None
            half = max(PEAK_FRACTION * m_p, PEAK_MIN)
            sigma = gaussian_core(ms[ps == p], np.ones(int(np.sum(ps == p))))[1]
            near = np.abs(mb[~half_b] - m_p) < half
            share = min(4.0 * sigma / (2.0 * half), 1.0) if np.isfinite(sigma) else 1.0
            eff = (ss[mine][None, :] > grid[:, None]).mean(axis=1)
            passing = sb[near][None, :] > grid[:, None]
            bkg = share * (passing * w_b[near][None, :]).sum(axis=1)
            fom = eff / (self.punzi_a / 2.0 + np.sqrt(bkg))
            # a cut whose background rests on a handful of simulated events looks better than
            # it is (B → 0 by chance): only cuts that MIN_BACKGROUND_EVENTS still pass count
            trusted = passing.sum(axis=1) >= MIN_BACKGROUND_EVENTS
            best = int(np.argmax(np.where(trusted, fom, -np.inf))) if trusted.any() else 0
            masses.append(m_p)
            cuts.append(float(grid[best]))
            effs.append(float(eff[best]))
        order = np.argsort(masses)
        masses_a, cuts_a = np.asarray(masses)[order], np.asarray(cuts)[order]
        net = RangeNet(lo, hi, mean, std, layers, masses_a, cuts_a, {})
        passed = sb > net.threshold(mb[~half_b])
        info = {"loss": loss, "auc": weighted_auc(ss, sb, w_b), "n_signal": len(xs),
                "n_background": len(xb),
                "signal_efficiency": dict(zip(map(float, masses_a),
                                              np.asarray(effs)[order].tolist(), strict=True)),
                "background_efficiency": float(np.sum(w_b * passed) / max(np.sum(w_b), 1e-300))}
        return RangeNet(lo, hi, mean, std, layers, masses_a, cuts_a, info)


def feature_columns(features: Sequence[str], mass: str) -> tuple[str, ...]:
    """The ntuple variables that feature expressions (the cut language) and the mass read."""
    from darkscan.expr import Cut

    names = [n for f in features for n in sorted(Cut.parse(f).names)]
    return tuple(dict.fromkeys((*names, mass)))


def feature_matrix(features: Sequence[str], values: dict[str, np.ndarray], n: int
                   ) -> np.ndarray:
    """The features of ``n`` candidates, (n, n_features)."""
    from darkscan.expr import evaluate

    if not n:
        return np.empty((0, len(features)))
    return np.stack([np.broadcast_to(np.asarray(evaluate(f, values), float), (n,))
                     for f in features], axis=1)


def training_key(config: dict[str, object], columns: Sequence[str],
                 signal: Sequence[TrainingSet], background: Sequence[TrainingSet], seed: int,
                 version: str) -> str:
    """The cache key of a training: its configuration, version, seed and the training data
    (every column it reads, the weights and the signal masses), hashed."""
    h = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    h.update(version.encode())
    h.update(str(seed).encode())
    for s in (*signal, *background):
        h.update(repr(s.mass).encode())
        h.update(np.ascontiguousarray(s.weight, dtype=float).tobytes())
        for c in columns:
            h.update(np.ascontiguousarray(s.values[c], dtype=float).tobytes())
    return h.hexdigest()[:20]


def standard_scale(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each feature over its finite values (1 where constant)."""
    finite = np.all(np.isfinite(x), axis=0)
    mean = np.where(finite, np.nanmean(np.where(np.isfinite(x), x, np.nan), axis=0), 0.0)
    std = np.nanstd(np.where(np.isfinite(x), x, np.nan), axis=0)
    return mean, np.where(std > 0, std, 1.0)


def mlp_forward(x: np.ndarray, mean: np.ndarray, std: np.ndarray,
                layers: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """A trained network's output in (0, 1) for every row of ``x`` (numpy, vectorised): SiLU
    hidden layers and a logistic of the last one."""
    h = standardise(x, mean, std)
    for i, (w, b) in enumerate(layers):
        h = h @ w + b
        if i < len(layers) - 1:
            h = h / (1.0 + np.exp(-h))  # SiLU
    return 1.0 / (1.0 + np.exp(-h[:, 0]))


def standardise(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    z = (x - mean) / std
    return np.where(np.isfinite(z), z, 0.0)  # a missing value sits at the mean


def weighted_auc(s: np.ndarray, b: np.ndarray, wb: np.ndarray) -> float:
    """Area under the ROC curve: P(score_signal > score_background), background weighted."""
    if not len(s) or not len(b):
        return float("nan")
    order = np.argsort(b)
    cw = np.concatenate([[0.0], np.cumsum(wb[order])])
    below = cw[np.searchsorted(b[order], s)]
    return float(below.mean() / cw[-1])


def _fit(xs: np.ndarray, ws: np.ndarray, xb: np.ndarray, wb: np.ndarray,
         hidden: tuple[int, ...], epochs: int, batch_size: int, lr: float, seed: int
         ) -> tuple[list[tuple[np.ndarray, np.ndarray]], float]:
    """Weighted binary cross-entropy (signal and background each of total weight ½), Adam,
    SiLU hidden layers; returns the layers as numpy (W, b) pairs and the final loss."""
    model = build_mlp(xs.shape[1], hidden, seed)
    loss = train_bce(model, xs, ws, xb, wb, epochs, batch_size, lr, seed)
    return numpy_layers(model), loss


def require_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ParameterError("training the MVA step needs PyTorch: pip install "
                             "'darkscan[ml]' (torch==2.13.0, the CPU build)") from None
    return torch


def build_mlp(n_in: int, hidden: tuple[int, ...], seed: int) -> Any:
    """A PyTorch MLP (SiLU hidden layers, one logit out), initialised from ``seed``."""
    torch = require_torch()
    torch.manual_seed(seed)
    sizes = (n_in, *hidden, 1)
    mods: list[Any] = []
    for a, b in itertools.pairwise(sizes):
        mods += [torch.nn.Linear(a, b), torch.nn.SiLU()]
    return torch.nn.Sequential(*mods[:-1])


def train_bce(model: Any, xs: np.ndarray, ws: np.ndarray, xb: np.ndarray, wb: np.ndarray,
              epochs: int, batch_size: int, lr: float, seed: int) -> float:
    """Weighted binary cross-entropy with Adam in mini-batches (signal and background weights
    as given, each normalised by the caller); returns the last batch's loss."""
    torch = require_torch()
    x = torch.tensor(np.concatenate([xs, xb]), dtype=torch.float32)
    y = torch.tensor(np.concatenate([np.ones(len(xs)), np.zeros(len(xb))]),
                     dtype=torch.float32)
    w = torch.tensor(np.concatenate([ws, wb]) * 0.5 * len(y), dtype=torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    loss = torch.tensor(0.0)
    for _ in range(epochs):
        for batch in torch.randperm(len(y), generator=gen).split(batch_size):
            opt.zero_grad()
            loss = (loss_fn(model(x[batch]).squeeze(1), y[batch]) * w[batch]).mean()
            loss.backward()
            opt.step()
    return float(loss.detach())


def numpy_layers(model: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (W, b) pairs of a PyTorch MLP's linear layers, as numpy (inference needs no torch)."""
    torch = require_torch()
    return [(m.weight.detach().numpy().astype(float).T.copy(),
             m.bias.detach().numpy().astype(float).copy())
            for m in model if isinstance(m, torch.nn.Linear)]


@dataclass(frozen=True)
class RangeNet:
    """One mass range's network (numpy weights), its standard_scale and its cut."""

    lo: float
    hi: float
    mean: np.ndarray
    std: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]
    masses: np.ndarray  #: the signal points' masses …
    cuts: np.ndarray  #: … and the cut chosen at each (see :meth:`threshold`)
    info: dict[str, object] = field(default_factory=dict)

    @classmethod
    def pass_all(cls, lo: float, hi: float, n_features: int, why: str) -> RangeNet:
        return cls(lo, hi, np.zeros(n_features), np.ones(n_features), [], np.empty(0),
                   np.empty(0), {"untrained": why})

    def threshold(self, mass: np.ndarray) -> np.ndarray:
        """The cut at each candidate mass: a polynomial (at most quadratic) through the cuts
        chosen at the signal points, smooth in mass between them (a kink at a signal mass, as
        piecewise-linear interpolation makes, bends the background that passes where a fit
        looks for a peak), and held at the outer points' cuts out to the range's edges: no
        point chose a cut there, and a tangent continued from two points reached a cut of 1
        before the edge (nothing passed: a fit between the points found no background and a
        signal efficiency interpolated from the points was far too high). The least-squares
        quadratic through three or more cuts can overshoot them; it is held between the
        loosest and the tightest cut a point chose (μμττ: through 0.96, 0.87, 0.88, 0.97 and
        0.985 at 7.65–9.75 GeV it reached 1 at 9.75 GeV, where nothing then passed)."""
        if not len(self.cuts):
            return np.full(np.shape(mass), -np.inf)
        deg = min(2, len(self.cuts) - 1)
        coef = np.polyfit(self.masses, self.cuts, deg) if deg else self.cuts[:1]
        m = np.clip(mass, self.masses[0], self.masses[-1])
        return np.clip(np.polyval(coef, m), self.cuts.min(), self.cuts.max())

    def score(self, x: np.ndarray) -> np.ndarray:
        """The network's output in (0, 1) (a logistic of the last layer)."""
        if not self.layers:
            return np.ones(len(x))
        return mlp_forward(x, self.mean, self.std, self.layers)


@dataclass(frozen=True)
class TrainedMLP:
    """The trained networks of every range: :meth:`passes` is the selection's MVA cut."""

    spec: MassBinnedMLP
    ranges: tuple[RangeNet, ...]

    def score(self, values: dict[str, np.ndarray]) -> np.ndarray:
        m = values[self.spec.mass]
        x = self.spec.matrix(values)
        out = np.full(len(m), np.nan)
        for r in self.ranges:
            sel = (m >= r.lo) & (m < r.hi)
            out[sel] = r.score(x[sel])
        return out

    def passes(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """Candidates inside a range whose score is above the range's cut."""
        m = values[self.spec.mass]
        s = self.score(values)
        ok = np.zeros(len(m), dtype=bool)
        for r in self.ranges:
            sel = (m >= r.lo) & (m < r.hi)
            ok[sel] = s[sel] > r.threshold(m[sel])
        return ok

    def summary(self) -> list[dict[str, object]]:
        return [{"range": [r.lo, r.hi], "cuts": dict(zip(map(float, r.masses),
                                                         map(float, r.cuts), strict=True)),
                 **r.info} for r in self.ranges]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for i, r in enumerate(self.ranges):
            arrays[f"r{i}_mean"], arrays[f"r{i}_std"] = r.mean, r.std
            arrays[f"r{i}_masses"], arrays[f"r{i}_cuts"] = r.masses, r.cuts
            for j, (w, b) in enumerate(r.layers):
                arrays[f"r{i}_w{j}"], arrays[f"r{i}_b{j}"] = w, b
        info = json.dumps([r.info for r in self.ranges])
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, info=np.array(info), **arrays)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, spec: MassBinnedMLP) -> TrainedMLP:
        with np.load(path) as f:
            infos = json.loads(str(f["info"]))
            ranges = []
            for i, (lo, hi) in enumerate(itertools.pairwise(spec.edges)):
                n_layers = sum(1 for k in f.files if k.startswith(f"r{i}_w"))
                layers = [(f[f"r{i}_w{j}"], f[f"r{i}_b{j}"]) for j in range(n_layers)]
                ranges.append(RangeNet(lo, hi, f[f"r{i}_mean"], f[f"r{i}_std"], layers,
                                       f[f"r{i}_masses"], f[f"r{i}_cuts"], infos[i]))
        return cls(spec, tuple(ranges))
