"""A boosted-decision-tree MVA step: continuum suppression as the B-factory analyses do it, or
a photon classifier as BaBar's single-photon search did (cluster shape, time, direction:
``dark-photon-invisible --selection bdt``).

One classifier for all signal hypotheses (gradient-boosted trees, xgboost), trained on variables
that do not depend on the scanned mass (the KSFW moments, R₂, cos θ_TB,TO, ...; a cluster's
lateral moment and time) to separate the signal candidates of every simulated mass (each
point's peak, equal weight per point) from the simulated backgrounds (weighted to the
luminosity). The samples are the
independent training copies of the search's samples (their own ids and seeds), split in two:
the trees are grown on one half and the cut on the classifier's output is chosen on the other,
where Punzi's figure of merit ε/(a/2 + √B) is largest: ε the mean efficiency over the signal
points, B the background a signal window would hold (the selected background times the window's
share of the scanned range, 4σ of the signal peak over its width). A cut must leave
:data:`~darkscan.select.mva.MIN_BACKGROUND_EVENTS` simulated background candidates: with fewer,
B → 0 by chance. One cut for every mass, as Belle applies one continuum-suppression cut
(Belle, JHEP 12 (2025) 109). Trained classifiers are cached by a hash of the configuration and
of the training data (:func:`darkscan.select.mva.training_key`), so a rerun does not train again.

xgboost is deterministic here (exact histogram trees, no row or column subsampling, one thread),
so the same training data and seed give the same trees.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from darkscan.errors import ParameterError
from darkscan.select.mva import (
    MIN_BACKGROUND_EVENTS,
    PEAK_FRACTION,
    PEAK_MIN,
    MassFeatures,
    TrainingSet,
    feature_columns,
    training_key,
    weighted_auc,
)
from darkscan.stats.shapes import gaussian_core

__all__ = ["ContinuumBDT", "TrainedBDT"]

#: changes when the training or the choice of the cut changes: cached classifiers are retrained
TRAINING_VERSION = "1"


def _xgb() -> Any:
    try:
        import xgboost
    except ImportError:
        raise ParameterError("the BDT step needs xgboost: pip install xgboost-cpu") from None
    return xgboost


@dataclass(frozen=True)
class ContinuumBDT(MassFeatures):
    """The declaration: features (cut-language expressions of ntuple variables; never the mass
    the fit scans), the mass variable (to find each signal point's peak and the range), the
    trees and the figure of merit."""

    features: tuple[str, ...]
    mass: str
    n_trees: int = 300
    max_depth: int = 3
    learning_rate: float = 0.05
    min_child_weight: float = 1.0  #: in units of the mean training weight (xgboost's hessian)
    punzi_a: float = 1.64  #: Punzi's a: the significance aimed at (1.64: 95% one-sided)
    n_sigma: float = 2.0  #: a signal window is the peak's core ± n_sigma widths
    point_axis: str = "mass"  #: the signal-grid axis that gives a signal point's mass
    #: cuts the training candidates pass in place of the channel's selection (empty: the
    #: channel's): a looser one where the simulated background is too thin to train on. The
    #: event shape of continuum hardly depends on M_bc and ΔE, so B factories train on wide
    #: M_bc–ΔE regions; the figure of merit's background is then the loose one scaled by the
    #: share of it the channel's selection keeps (the runner does it)
    training_selection: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.check_features()
        if self.n_trees < 1 or self.max_depth < 1 or not 0.0 < self.learning_rate <= 1.0:
            raise ParameterError("n_trees and max_depth must be positive and the learning "
                                 "rate in (0, 1]")

    @property
    def label(self) -> str:
        return f"BDT, {self.n_trees} trees of depth {self.max_depth}"

    @property
    def columns(self) -> tuple[str, ...]:
        """The ntuple variables the features, the mass and the training selection read."""
        return tuple(dict.fromkeys((*super().columns,
                                    *feature_columns(self.training_selection, self.mass))))

    def train(self, signal: Sequence[TrainingSet], background: Sequence[TrainingSet], *,
              seed: int, cache: Path | None = None) -> TrainedBDT:
        """Grow the trees on half of the candidates and choose the cut on the other half; read
        from ``cache`` when the same training was done before."""
        key = training_key(asdict(self), self.columns, signal, background, seed,
                           TRAINING_VERSION)
        path = None if cache is None else Path(cache) / f"bdt-{key}.json"
        if path is not None and path.exists():
            return TrainedBDT.load(path, self)
        out = self._train(signal, background, seed)
        if path is not None:
            out.save(path)
        return out

    # ------------------------------------------------------------------ internals
    def _signal(self, sets: Sequence[TrainingSet]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]:
        """(features, weights (1 per point), point index, the points' peak widths) of the
        signal candidates inside their point's peak."""
        xs, ws, idx, widths = [], [], [], []
        for i, s in enumerate(sets):
            assert s.mass is not None
            m = s.values[self.mass]
            keep = np.abs(m - s.mass) < max(PEAK_FRACTION * s.mass, PEAK_MIN)
            w = np.asarray(s.weight, float)[keep]
            if not keep.any() or w.sum() <= 0:
                continue
            xs.append(self.matrix({c: s.values[c][keep] for c in self.columns}))
            ws.append(w / w.sum())
            idx.append(np.full(len(w), i))
            sigma = gaussian_core(m[keep], w)[1]
            widths.append(float(sigma) if np.isfinite(sigma) else max(PEAK_FRACTION * s.mass,
                                                                       PEAK_MIN) / 2.0)
        if not xs:
            return np.empty((0, len(self.features))), np.empty(0), np.empty(0, int), []
        return np.concatenate(xs), np.concatenate(ws), np.concatenate(idx), widths

    def _background(self, sets: Sequence[TrainingSet]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        xs = [self.matrix({c: s.values[c] for c in self.columns}) for s in sets]
        ws = [np.asarray(s.weight, float) for s in sets]
        ms = [np.asarray(s.values[self.mass], float) for s in sets]
        if not xs:
            return np.empty((0, len(self.features))), np.empty(0), np.empty(0)
        return np.concatenate(xs), np.concatenate(ws), np.concatenate(ms)

    def _train(self, signal: Sequence[TrainingSet], background: Sequence[TrainingSet],
               seed: int) -> TrainedBDT:
        xgb = _xgb()
        xs, ws, ps, widths = self._signal(signal)
        xb, wb, mb = self._background(background)
        if len(xs) < 20 or len(xb) < 2 * MIN_BACKGROUND_EVENTS:
            return TrainedBDT(self, b"", -np.inf, {
                "untrained": f"too few candidates to train ({len(xs)} signal, {len(xb)} "
                             "background): every candidate passes"})
        rng = np.random.default_rng(seed)
        half_s, half_b = rng.random(len(xs)) < 0.5, rng.random(len(xb)) < 0.5
        # signal and background each of total weight ½ of the training rows, so the trees
        # see balanced classes whatever the luminosity weights
        w_s = ws[half_s] / ws[half_s].sum() * 0.5 * (half_s.sum() + half_b.sum())
        w_b = wb[half_b] / wb[half_b].sum() * 0.5 * (half_s.sum() + half_b.sum())
        train = xgb.DMatrix(np.concatenate([xs[half_s], xb[half_b]]),
                            label=np.concatenate([np.ones(half_s.sum()),
                                                  np.zeros(half_b.sum())]),
                            weight=np.concatenate([w_s, w_b]), missing=np.nan)
        params = {"objective": "binary:logistic", "max_depth": self.max_depth,
                  "eta": self.learning_rate, "min_child_weight": self.min_child_weight,
                  "tree_method": "hist", "nthread": 1, "seed": seed, "eval_metric": "logloss"}
        booster = xgb.train(params, train, num_boost_round=self.n_trees)
        raw = bytes(booster.save_raw("json"))
        ss = _predict(booster, xs[~half_s])
        sb = _predict(booster, xb[~half_b])
        cut, info = self._choose_cut(ss, ws[~half_s], ps[~half_s], sb, 2.0 * wb[~half_b],
                                     mb[~half_b], widths, len(signal))
        info |= {"n_signal": len(xs), "n_background": len(xb),
                 "auc": weighted_auc(ss, sb, wb[~half_b])}
        return TrainedBDT(self, raw, cut, info)

    def _choose_cut(self, ss: np.ndarray, ws: np.ndarray, ps: np.ndarray, sb: np.ndarray,
                    wb: np.ndarray, mb: np.ndarray, widths: list[float], n_points: int
                    ) -> tuple[float, dict[str, object]]:
        """The cut with the largest Punzi figure of merit on the held-out half (module
        docstring); ``wb``: the half's weights scaled to the whole sample."""
        grid = np.unique(np.quantile(ss, np.linspace(0.0, 0.98, 99)))
        points = np.unique(ps)
        eff = np.zeros(len(grid))
        for p in points:
            mine = ps == p
            w = ws[mine] / ws[mine].sum()
            eff += ((ss[mine][None, :] > grid[:, None]) * w[None, :]).sum(axis=1)
        eff /= len(points)
        finite = np.isfinite(mb)
        span = float(np.ptp(mb[finite])) if finite.sum() > 1 else 1.0
        share = min(2.0 * self.n_sigma * float(np.median(widths)) / max(span, 1e-9), 1.0)
        passing = sb[None, :] > grid[:, None]
        bkg = share * (passing * wb[None, :]).sum(axis=1)
        fom = eff / (self.punzi_a / 2.0 + np.sqrt(bkg))
        trusted = passing.sum(axis=1) >= MIN_BACKGROUND_EVENTS
        best = int(np.argmax(np.where(trusted, fom, -np.inf))) if trusted.any() else 0
        base = float(np.sum(wb))
        return float(grid[best]), {
            "cut": float(grid[best]), "signal_efficiency": float(eff[best]),
            "background_efficiency": float(np.sum(wb * passing[best]) / max(base, 1e-300)),
            "punzi_gain": float(fom[best] / fom[0]) if fom[0] > 0 else float("nan"),
            "window_share": share, "n_points": n_points}


def _predict(booster: Any, x: np.ndarray) -> np.ndarray:
    xgb = _xgb()
    if not len(x):
        return np.empty(0)
    return np.asarray(booster.predict(xgb.DMatrix(x, missing=np.nan)), float)


@dataclass(frozen=True)
class TrainedBDT:
    """The trained trees (xgboost's JSON model) and the cut: :meth:`passes` is the MVA step."""

    spec: ContinuumBDT
    model: bytes  #: xgboost's JSON model; empty: untrained, every candidate passes
    cut: float
    info: dict[str, object] = field(default_factory=dict)

    def _trees(self) -> Any:
        xgb = _xgb()
        booster = xgb.Booster(params={"nthread": 1})
        booster.load_model(bytearray(self.model))
        return booster

    def score(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """The classifier's output in (0, 1) of every candidate (1 when untrained)."""
        n = len(values[self.spec.mass])
        if not self.model:
            return np.ones(n)
        return _predict(self._trees(), self.spec.matrix(values))

    def passes(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """Candidates whose score is above the cut."""
        return self.score(values) > self.cut

    def summary(self) -> dict[str, object]:
        return dict(self.info)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.json")
        tmp.write_text(json.dumps({"model": self.model.decode(), "cut": self.cut,
                                   "info": self.info}))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, spec: ContinuumBDT) -> TrainedBDT:
        d = json.loads(path.read_text())
        return cls(spec, d["model"].encode(), float(d["cut"]), d["info"])
