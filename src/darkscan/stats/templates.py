"""Binned template fits: a signal shape over a background shape whose normalisation floats.

The counts n_i of a histogram are modelled as n_i = s f_i + β b_i, with f the signal's shape
(Σ f_i = 1 over the fitted bins, so s is the signal yield), b the background template and β its
free normalisation. With Gaussian bins of variance v_i = b_i + (δ b_i)² + σ²_MC,i (Poisson,
a relative shape uncertainty δ uncorrelated between bins, the template's own MC statistics) the
maximum-likelihood estimate is the weighted least-squares solution, and the yield's variance is
the (s, s) element of the inverse Fisher matrix F = Σ_i (f_i, b_i)ᵀ(f_i, b_i)/v_i. The floating
β costs information where signal and background shapes look alike; δ costs it where the
background is large.

The "effective background" of the fit is var(ŝ) at s = 0: the background of a single-bin counting
experiment with the same information on the signal yield (1/Σ f_i²/b_i for a fixed, exactly known
background, the Fisher information of Poisson bins). Searches turn a template fit into counts
for the common inference with it, as the sliding fits do (:func:`darkscan.stats.fits.
effective_background`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from darkscan.errors import ParameterError


@dataclass(frozen=True)
class TemplateFitResult:
    """ŝ ± σ(ŝ) (events), the background normalisation β̂, and var(ŝ) at s = 0."""

    n_sig: float
    n_sig_err: float
    bkg_scale: float
    effective_background: float


def bin_variance(background: np.ndarray, mc_variance: np.ndarray, shape_uncertainty: float
                 ) -> np.ndarray:
    """v_i = b_i + (δ b_i)² + σ²_MC,i (a floor of one event keeps empty bins finite)."""
    b = np.asarray(background, dtype=float)
    return np.maximum(b, 1.0) + (shape_uncertainty * b) ** 2 + np.asarray(mc_variance, float)


def fit_templates(counts: np.ndarray, signal_shape: np.ndarray, background: np.ndarray,
                  variance: np.ndarray, float_background: bool = True) -> TemplateFitResult:
    """Weighted least-squares fit of ``counts`` = s·``signal_shape`` + β·``background`` with
    bin variances ``variance`` (:func:`bin_variance`); β fixed at 1 if not ``float_background``.
    """
    n, f, b, v = (np.asarray(a, dtype=float) for a in (counts, signal_shape, background,
                                                       variance))
    if not (n.shape == f.shape == b.shape == v.shape) or n.ndim != 1:
        raise ParameterError("counts, signal_shape, background and variance must be 1D arrays "
                             "of the same length (one value per bin)")
    if np.any(v <= 0) or not np.any(f > 0):
        raise ParameterError("bin variances must be positive and the signal shape non-zero")
    if not float_background:
        info = np.sum(f * f / v)
        s = float(np.sum(f * (n - b) / v) / info)
        return TemplateFitResult(s, float(np.sqrt(1.0 / info)), 1.0, float(1.0 / info))
    design = np.stack([f, b], axis=1)
    fisher = design.T @ (design / v[:, None])
    scale = 1.0 / np.sqrt(np.diag(fisher))
    if abs(fisher[0, 1] * scale[0] * scale[1]) > 1.0 - 1e-9:  # correlation of ŝ and β̂ ≈ ±1
        raise ParameterError("the signal and background templates are indistinguishable "
                             "(singular Fisher matrix): give the fit more bins or range")
    cov = np.linalg.inv(fisher)
    s, beta = cov @ (design.T @ (n / v))
    return TemplateFitResult(float(s), float(np.sqrt(cov[0, 0])), float(beta),
                             float(cov[0, 0]))
