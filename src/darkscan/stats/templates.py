"""Binned template fits: a signal shape over a background shape whose normalisation floats.

The counts n_i of a histogram are modelled as n_i = s f_i + β b_i, with f the signal's shape
(Σ f_i = 1 over the fitted bins, so s is the signal yield), b the background template and β its
free normalisation. With Gaussian bins of variance v_i = b_i + (δ b_i)² + σ²_MC,i (Poisson,
a relative shape uncertainty δ uncorrelated between bins, the template's own MC statistics) the
maximum-likelihood estimate is the weighted least-squares solution, and the yield's variance is
the (s, s) element of the inverse Fisher matrix F = Σ_i (f_i, b_i)ᵀ(f_i, b_i)/v_i. The floating
β costs information where signal and background shapes look alike; δ costs it where the
background is large.

Correlated shape uncertainties (an efficiency that changes slowly across the spectrum, a scale)
enter as nuisance deformations D_k of the background with unit Gaussian constraints,
n_i = s f_i + β b_i + Σ_k θ_k D_k,i: columns of the design matrix whose Fisher block gets the
constraint's 1 on its diagonal. A deformation that resembles the signal (a broad bump) takes
information from ŝ.

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


def legendre_deformations(background: np.ndarray, amplitudes: tuple[float, ...]
                          ) -> np.ndarray:
    """(bins, k) deformations δ_k P_k(u) b_i of the background, u ∈ [−1, 1] across the bins,
    k = 1 … len(amplitudes): a tilt, a curvature, … of relative size δ_k at the range's ends."""
    b = np.asarray(background, dtype=float)
    u = np.linspace(-1.0, 1.0, len(b) + 1)
    u = 0.5 * (u[1:] + u[:-1])
    cols = [d * np.polynomial.legendre.Legendre.basis(k + 1)(u) * b
            for k, d in enumerate(amplitudes)]
    return np.stack(cols, axis=1) if cols else np.zeros((len(b), 0))


def fit_templates(counts: np.ndarray, signal_shape: np.ndarray, background: np.ndarray,
                  variance: np.ndarray, float_background: bool = True,
                  deformations: np.ndarray | None = None) -> TemplateFitResult:
    """Weighted least-squares fit of ``counts`` = s·``signal_shape`` + β·``background``
    (+ Σ θ_k ``deformations[:, k]``, θ_k constrained to 0 ± 1) with bin variances ``variance``
    (:func:`bin_variance`); β fixed at 1 if not ``float_background``."""
    n, f, b, v = (np.asarray(a, dtype=float) for a in (counts, signal_shape, background,
                                                       variance))
    if not (n.shape == f.shape == b.shape == v.shape) or n.ndim != 1:
        raise ParameterError("counts, signal_shape, background and variance must be 1D arrays "
                             "of the same length (one value per bin)")
    if np.any(v <= 0) or not np.any(f > 0):
        raise ParameterError("bin variances must be positive and the signal shape non-zero")
    d = np.zeros((len(n), 0)) if deformations is None else np.asarray(deformations, float)
    if d.ndim != 2 or d.shape[0] != len(n):
        raise ParameterError("deformations must be a (bins, k) array")
    floating = [f, b] if float_background else [f]
    design = np.column_stack([*floating, d])
    fisher = design.T @ (design / v[:, None])
    if float_background:
        scale = 1.0 / np.sqrt(fisher[0, 0] * fisher[1, 1])
        if abs(fisher[0, 1] * scale) > 1.0 - 1e-9:  # correlation of ŝ and β̂ ≈ ±1
            raise ParameterError("the signal and background templates are indistinguishable "
                                 "(singular Fisher matrix): give the fit more bins or range")
    n_free = len(floating)
    fisher[n_free:, n_free:] += np.eye(d.shape[1])  # the constraints θ_k = 0 ± 1
    cov = np.linalg.inv(fisher)
    target = n if float_background else n - b
    est = cov @ (design.T @ (target / v))
    return TemplateFitResult(float(est[0]), float(np.sqrt(cov[0, 0])),
                             float(est[1]) if float_background else 1.0, float(cov[0, 0]))
