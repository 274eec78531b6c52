"""The Punzi-net (Belle II, EPJC 82 121 (2022), arXiv:2110.00810): one network for every mass
hypothesis of a search, trained first with binary cross-entropy and then with the Punzi-loss,
minus the sum over the signal points' mass windows of Punzi's figure of merit ε/S_min(B) in the
form of the paper's public code (a = 3, b = 1.28155, the fit to the exact Poisson S_min; see
:mod:`darkscan.stats.punzi`). The cut is not differentiable, so during training each candidate
counts with its network output y ∈ (0, 1), as in the paper: ε = Σ_signal y·w over the point's
window, B = Σ_background y·w over the window's band (the window and its sidebands) scaled to
the window's width (expected events at the run's luminosity: each simulated sample
weighted by L_data/L_MC, as the paper weights its MC). Each window's term is divided by its value
after the pre-training, so every mass counts alike (the plain sum is dominated by the window
with the least background). The output cut at each signal point is chosen afterwards, where the
FOM of the hard cut is largest, on the half of the training samples the network did not see;
between the points it is interpolated linearly in the mass variable (the extraction counts
windows around the points, whose sidebands the same cut applies to in data and simulation).
Trained networks are cached by a hash of their configuration and training data; inference is
numpy (:func:`darkscan.select.mva.mlp_forward`).
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
    MassFeatures,
    TrainingSet,
    build_mlp,
    mlp_forward,
    numpy_layers,
    require_torch,
    standard_scale,
    standardise,
    train_bce,
    training_key,
    weighted_auc,
)
from darkscan.stats.punzi import SMIN_CONSTANT, punzi_fom
from darkscan.stats.shapes import gaussian_core

#: changes when the training or the choice of the cut changes: cached networks are retrained
TRAINING_VERSION = "1"


@dataclass(frozen=True)
class PunziNet(MassFeatures):
    """The declaration: features (cut-language expressions; never the scanned mass), the mass
    variable the extraction counts windows in, the windows' half-width in resolution widths,
    the network and its two trainings."""

    features: tuple[str, ...]
    mass: str
    n_sigma: float = 2.0  #: a window is the signal's core ± n_sigma widths in ``mass``
    #: a window's background is counted in ± band half-widths about it (the window and its
    #: sidebands, as the extraction sees them) and scaled by 1/band: the simulated background
    #: is smooth across a band but thin in one window, where a cut would otherwise be judged on
    #: a handful of events
    band: float = 3.0
    #: the fraction of the training samples the cuts are chosen on, unseen by the network
    #: (0: chosen on the candidates it was trained on: twice the simulated background where
    #: it is thin; the limits use other samples either way)
    holdout: float = 0.5
    #: simulated background candidates in a band that a cut must leave to be trusted
    min_background_events: int = MIN_BACKGROUND_EVENTS
    hidden: tuple[int, ...] = (32, 32)
    bce_epochs: int = 8
    batch_size: int = 1024
    learning_rate: float = 3e-3
    punzi_epochs: int = 150  #: full-batch steps: the loss needs each window's total B
    punzi_learning_rate: float = 1e-3
    punzi_a: float = 3.0
    punzi_b: float = 1.28155
    point_axis: str = "mass"  #: the signal-grid axis that gives a signal point's mass

    def __post_init__(self) -> None:
        self.check_features()
        if not self.hidden or min(self.hidden) < 1 or min(self.bce_epochs,
                                                          self.punzi_epochs) < 0:
            raise ParameterError("hidden layers must be positive and epochs ≥ 0")
        if not 0.0 <= self.holdout < 1.0:
            raise ParameterError(f"holdout must be in [0, 1), got {self.holdout}")
        if self.n_sigma <= 0 or self.band < 1:
            raise ParameterError(f"n_sigma must be positive and band ≥ 1, got {self.n_sigma} "
                                 f"and {self.band}")

    @property
    def label(self) -> str:
        return "one Punzi-net for all masses"

    def train(self, signal: Sequence[TrainingSet], background: Sequence[TrainingSet], *,
              seed: int, cache: Path | None = None) -> TrainedPunziNet:
        """Train on half of the candidates, choose the cuts on the other half; read from
        ``cache`` when the same training was done before."""
        key = training_key(asdict(self), self.columns, signal, background, seed,
                           TRAINING_VERSION)
        path = None if cache is None else Path(cache) / f"punzinet-{key}.npz"
        if path is not None and path.exists():
            return TrainedPunziNet.load(path, self)
        out = self._train(signal, background, seed)
        if path is not None:
            out.save(path)
        return out

    # ------------------------------------------------------------------ internals
    def windows(self, signal: Sequence[TrainingSet]) -> tuple[np.ndarray, np.ndarray,
                                                                np.ndarray]:
        """(point masses, window centres, half-widths) in the mass variable, measured on each
        point's signal (its Gaussian core); points without a measurable peak are left out."""
        masses, centres, halves = [], [], []
        for s in signal:
            m = np.asarray(s.values[self.mass], float)
            peak, sigma = gaussian_core(m, np.asarray(s.weight, float))
            if s.mass is not None and np.isfinite(sigma) and sigma > 0:
                masses.append(s.mass)
                centres.append(peak)
                halves.append(self.n_sigma * sigma)
        order = np.argsort(masses)
        return (np.asarray(masses, float)[order], np.asarray(centres, float)[order],
                np.asarray(halves, float)[order])

    def _train(self, signal: Sequence[TrainingSet], background: Sequence[TrainingSet],
               seed: int) -> TrainedPunziNet:
        masses, centres, halves = self.windows(signal)
        by_mass = {s.mass: s for s in signal}
        sig = [by_mass[float(m)] for m in masses]
        if not len(masses):
            raise ParameterError("a Punzi-net needs signal points with a peak in "
                                 f"'{self.mass}'; none has one")
        # the signal: each point's candidates inside its own window, weights summing to one
        # over all its selected candidates (ε relative to the selection before the network)
        xs, ws, ps = [], [], []
        for i, s in enumerate(sig):
            m = np.asarray(s.values[self.mass], float)
            inside = np.abs(m - centres[i]) < halves[i]
            w = np.asarray(s.weight, float)
            xs.append(self.matrix({c: s.values[c][inside] for c in self.columns}))
            ws.append(w[inside] / w.sum())
            ps.append(np.full(int(inside.sum()), i))
        x_s, w_s, p_s = np.concatenate(xs), np.concatenate(ws), np.concatenate(ps)
        if not background:
            raise ParameterError("a Punzi-net needs background samples to train on")
        x_b = np.concatenate([self.matrix({c: b.values[c] for c in self.columns})
                              for b in background])
        w_b = np.concatenate([np.asarray(b.weight, float) for b in background])
        m_b = np.concatenate([np.asarray(b.values[self.mass], float) for b in background])
        # the background's band memberships, (n_background, n_windows)
        in_b = np.abs(m_b[:, None] - centres[None, :]) < self.band * halves[None, :]
        near = in_b.any(axis=1)
        x_b, w_b, m_b, in_b = x_b[near], w_b[near], m_b[near], in_b[near]
        if len(x_s) < 20 or len(x_b) < 20:
            raise ParameterError(f"too few candidates to train a Punzi-net ({len(x_s)} "
                                 f"signal, {len(x_b)} background in the windows); simulate "
                                 "more (drop --quick)")
        # the training part and the part the cuts are chosen on, each weighted up to the whole
        rng = np.random.default_rng(seed)
        fit_s, fit_b = rng.random(len(x_s)) >= self.holdout, rng.random(len(x_b)) >= self.holdout
        cut_s, cut_b = (~fit_s, ~fit_b) if self.holdout else (fit_s, fit_b)
        up_fit, up_cut = 1.0 / (1.0 - self.holdout), 1.0 / (self.holdout or 1.0)
        mean, std = standard_scale(np.concatenate([x_s, x_b]))
        z_s, z_b = standardise(x_s, mean, std), standardise(x_b, mean, std)
        sig_w = np.zeros((len(masses), len(x_s)))  # ε_p = sig_w[p] · y_s
        sig_w[p_s, np.arange(len(x_s))] = w_s
        model = build_mlp(len(self.features), self.hidden, seed)
        bce = train_bce(model, z_s[fit_s], w_s[fit_s] / w_s[fit_s].sum(),
                        z_b[fit_b], w_b[fit_b] / w_b[fit_b].sum(), self.bce_epochs,
                        self.batch_size, self.learning_rate, seed)
        history = self._punzi_loss_training(model, z_s[fit_s], up_fit * sig_w[:, fit_s],
                                            z_b[fit_b], up_fit / self.band * (
                                                in_b[fit_b] * w_b[fit_b, None]).T)
        layers = numpy_layers(model)
        y_s = mlp_forward(x_s[cut_s], mean, std, layers)
        y_b = mlp_forward(x_b[cut_b], mean, std, layers)
        cuts, effs, bkgs = self._cuts(y_s, up_cut * sig_w[:, cut_s], y_b, in_b[cut_b],
                                      up_cut * w_b[cut_b])
        info = {"bce_loss": bce, **history, "n_signal": len(x_s), "n_background": len(x_b),
                "auc": weighted_auc(y_s, y_b, w_b[cut_b])}
        return TrainedPunziNet(self, mean, std, layers, masses, centres, halves, cuts, effs,
                               bkgs, info)

    def _punzi_loss_training(self, model: Any, z_s: np.ndarray, sig_w: np.ndarray,
                             z_b: np.ndarray, bkg_w: np.ndarray) -> dict[str, object]:
        """Full-batch Adam on −Σ_p FOM_p/FOM_p(start), ε_p = sig_w[p]·y_s, B_p = bkg_w[p]·y_b."""
        torch = require_torch()
        xs = torch.tensor(z_s, dtype=torch.float32)
        xb = torch.tensor(z_b, dtype=torch.float32)
        ws = torch.tensor(sig_w, dtype=torch.float32)
        wb = torch.tensor(bkg_w, dtype=torch.float32)

        def fom() -> Any:
            return soft_punzi_fom(torch.sigmoid(model(xs)[:, 0]), ws,
                                  torch.sigmoid(model(xb)[:, 0]), wb, self.punzi_a,
                                  self.punzi_b)

        with torch.no_grad():
            start = fom().clamp_min(1e-12)
        opt = torch.optim.Adam(model.parameters(), lr=self.punzi_learning_rate)
        for _ in range(self.punzi_epochs):
            opt.zero_grad()
            loss = -(fom() / start).sum()
            loss.backward()
            opt.step()
        with torch.no_grad():
            end = fom()
        return {"soft_fom_after_bce": start.numpy().astype(float).tolist(),
                "soft_fom_after_punzi": end.numpy().astype(float).tolist()}

    def _cuts(self, y_s: np.ndarray, sig_w: np.ndarray, y_b: np.ndarray, in_b: np.ndarray,
              w_b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """At each point the output cut with the largest Punzi FOM of the hard cut, among those
        that ``min_background_events`` simulated background candidates in its band still pass (a
        cut whose B rests on a handful of events looks better than it is); its ε and B."""
        grid = np.unique(np.concatenate([[0.0], np.quantile(y_s, np.linspace(0.0, 0.99, 100))]))
        passing_s = y_s[None, :] > grid[:, None]  # (n_cut, n_signal)
        passing_b = y_b[None, :] > grid[:, None]
        eff = passing_s.astype(float) @ sig_w.T  # (n_cut, n_points)
        bkg = passing_b.astype(float) @ (in_b * w_b[:, None]) / self.band
        n_mc = passing_b.astype(float) @ in_b.astype(float)
        fom = np.asarray(punzi_fom(eff.ravel(), bkg.ravel(), self.punzi_a, self.punzi_b,
                                   form="poisson")).reshape(eff.shape)
        fom = np.where(n_mc >= self.min_background_events, fom, -np.inf)
        best = np.argmax(fom, axis=0)
        best = np.where(np.isfinite(fom[best, np.arange(len(best))]), best, 0)
        cols = np.arange(len(best))
        return grid[best], eff[best, cols], bkg[best, cols]


def soft_punzi_fom(y_s: Any, sig_w: Any, y_b: Any, bkg_w: Any, a: float, b: float) -> Any:
    """The Punzi FOM of every window with the network outputs as soft selection weights
    (torch tensors, differentiable): ε_p = sig_w[p]·y_s, B_p = bkg_w[p]·y_b, S_min in the
    public code's form a²/8 + 9b²/13 + a√B + (b/2)√(b² + 4a√B + 4B)
    (:func:`darkscan.stats.punzi.punzi_smin` with ``form="poisson"``)."""
    import torch

    eff = sig_w @ y_s
    bkg = bkg_w @ y_b
    rb = torch.sqrt(bkg + 1e-12)  # the gradient of √B at B = 0 is infinite
    smin = SMIN_CONSTANT["poisson"](a, b) + a * rb + 0.5 * b * torch.sqrt(
        b**2 + 4.0 * a * rb + 4.0 * bkg)
    return eff / smin


@dataclass(frozen=True)
class TrainedPunziNet:
    """The trained network (numpy weights), its windows and the cut at each signal point:
    :meth:`passes` is the selection's MVA cut."""

    spec: PunziNet
    mean: np.ndarray
    std: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]
    masses: np.ndarray  #: the signal points …
    centres: np.ndarray  #: … their windows in the mass variable …
    halves: np.ndarray
    cuts: np.ndarray  #: … the output cut chosen at each …
    efficiency: np.ndarray  #: … and the signal efficiency and background it leaves there
    background: np.ndarray
    info: dict[str, object] = field(default_factory=dict)

    def score(self, values: dict[str, np.ndarray]) -> np.ndarray:
        return mlp_forward(self.spec.matrix(values), self.mean, self.std, self.layers)

    def threshold(self, mass: np.ndarray) -> np.ndarray:
        """The cut at each candidate's mass variable: linear between the points' window
        centres, constant beyond the outer ones."""
        return np.interp(mass, self.centres, self.cuts)

    def passes(self, values: dict[str, np.ndarray]) -> np.ndarray:
        return self.score(values) > self.threshold(np.asarray(values[self.spec.mass], float))

    def summary(self) -> dict[str, object]:
        return {"network": "Punzi-net (EPJC 82 121): BCE, then the Punzi-loss over windows",
                "windows": [{"point": float(m), "centre": float(c), "half_width": float(h),
                             "cut": float(k), "signal_efficiency": float(e),
                             "background_events": float(b)}
                            for m, c, h, k, e, b in zip(self.masses, self.centres, self.halves,
                                                        self.cuts, self.efficiency,
                                                        self.background, strict=True)],
                **self.info}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"w{j}": w for j, (w, _) in enumerate(self.layers)}
        arrays |= {f"b{j}": b for j, (_, b) in enumerate(self.layers)}
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, info=np.array(json.dumps(self.info)), mean=self.mean, std=self.std,
                 masses=self.masses, centres=self.centres, halves=self.halves, cuts=self.cuts,
                 efficiency=self.efficiency, background=self.background, **arrays)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, spec: PunziNet) -> TrainedPunziNet:
        with np.load(path) as f:
            n = sum(1 for k in f.files if k.startswith("w"))
            layers = [(f[f"w{j}"], f[f"b{j}"]) for j in range(n)]
            return cls(spec, f["mean"], f["std"], layers, f["masses"], f["centres"],
                       f["halves"], f["cuts"], f["efficiency"], f["background"],
                       json.loads(str(f["info"])))
