"""Lifetime reweighting: a sample generated at one proper decay length cτ₀ serves any other cτ₁.

Each long-lived particle with proper decay length ℓ (``LLPDecays.proper_length``) was drawn from
(1/cτ₀)e^{−ℓ/cτ₀}; the weight that turns it into a draw at cτ₁ is the density ratio

    w = (cτ₀/cτ₁) · exp(−ℓ (1/cτ₁ − 1/cτ₀)),

and for several LLPs in an event the weights multiply (independent decays). The same factor applies
on top of the window weight of a truncated sample (:func:`darkscan.generate.llp
.decay_vertices_truncated`), because that sample's weighted density is the untruncated one inside
the window. The ratio is exact; its statistical power falls when cτ₁ ≫ cτ₀ (few long decays in the
sample): watch :func:`effective_sample_size`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from darkscan.errors import ParameterError

__all__ = ["binned_efficiency", "effective_sample_size", "lifetime_weights", "reweight",
           "truncated_efficiency"]


def lifetime_weights(proper_length: ArrayLike, ctau_old: ArrayLike, ctau_new: ArrayLike
                     ) -> np.ndarray:
    """Per-event weight ratio for cτ₀ = ``ctau_old`` → cτ₁ = ``ctau_new`` (cm).

    ``proper_length`` is (n,) for one LLP per event or (n, k) for k per event (NaN marks a missing
    LLP, which contributes a factor 1). ``ctau_new`` may be an array of shape (m,): the result is
    then (m, n), one row per target cτ.
    """
    ell = np.asarray(proper_length, dtype=float)
    c0 = float(np.asarray(ctau_old, dtype=float))
    c1 = np.asarray(ctau_new, dtype=float)
    if not c0 > 0 or np.any(~(c1 > 0)):
        raise ParameterError("parameter 'ctau' must be > 0 cm for both the generated and the "
                             "target lifetime")
    if np.any(ell[~np.isnan(ell)] < 0):
        raise ParameterError("proper decay lengths must be ≥ 0 cm")
    if ell.ndim == 1:
        ell = ell[:, None]
    present = ~np.isnan(ell)
    n_llp = present.sum(axis=1)
    total = np.where(present, ell, 0.0).sum(axis=1)
    c1b = np.atleast_1d(c1)[:, None]
    log_w = n_llp * np.log(c0 / c1b) - total * (1.0 / c1b - 1.0 / c0)
    w = np.exp(log_w)
    return w[0] if c1.ndim == 0 else w


def reweight(weights: ArrayLike, proper_length: ArrayLike, ctau_old: ArrayLike,
             ctau_new: ArrayLike) -> np.ndarray:
    """New event weights = old weights × :func:`lifetime_weights`."""
    return np.asarray(weights, dtype=float) * lifetime_weights(proper_length, ctau_old, ctau_new)


def effective_sample_size(weights: ArrayLike) -> float:
    """Kish effective sample size (Σw)²/Σw²."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w * w))


def truncated_efficiency(proper_length: ArrayLike, weights: ArrayLike, n_generated: float,
                         ctau_old: float, ctau_new: ArrayLike, max_length: float) -> np.ndarray:
    """A lower bound of the efficiency at each cτ₁ = ``ctau_new`` (m,) from events simulated at
    cτ₀: Σ w·(density ratio) / N over the counted events (``weights``: their generator weights,
    0 for events not counted) whose proper decay length is at most ``max_length``.

    Reweighting to cτ₁ ≫ cτ₀ rests on the sample's rare long decays (beyond cτ₁ = 2cτ₀ the
    weights' variance is infinite), and decays longer than the sample ever draws are missing
    from it altogether. Dropping the decays beyond ``max_length`` (a few cτ₀, where the sample
    is dense) drops a non-negative part of the efficiency: what remains is exact for
    ℓ ≤ ``max_length`` and a lower bound of the whole, with weights at most
    (cτ₀/cτ₁)·exp(max_length (1/cτ₀ − 1/cτ₁)). At cτ₁ < cτ₀ (no long decays needed) it
    misses the fraction exp(−max_length/cτ₁) of the decays.
    """
    ell = np.asarray(proper_length, dtype=float)
    keep = np.isfinite(ell) & (ell <= max_length)
    w = np.asarray(weights, dtype=float)[keep]
    ratio = lifetime_weights(ell[keep], ctau_old, np.atleast_1d(np.asarray(ctau_new, float)))
    out = ratio @ w / float(n_generated)
    return out if np.ndim(ctau_new) else out[0]


def binned_efficiency(proper_length: ArrayLike, weights: ArrayLike, n_generated: float,
                      ctau_old: float, ctau_new: ArrayLike, max_length: float,
                      min_per_bin: int = 20) -> np.ndarray:
    """The efficiency at each cτ₁ = ``ctau_new`` (m,) from events simulated at cτ₀, as
    Σ_b ε_b P₁(b) over bins b = [a, c) of proper decay length: ε_b, the counted events' weight
    in the bin over the generated share N (e^{−a/cτ₀} − e^{−c/cτ₀}) (the efficiency at that
    decay length, decays beyond a sample's decay window counting as lost), P₁(b) =
    e^{−a/cτ₁} − e^{−c/cτ₁}. The bins run from 0 to the longest counted decay up to
    ``max_length``, each with at least ``min_per_bin`` counted events.

    Per-event reweighting (:func:`truncated_efficiency`) is the same sum with one bin per
    event; at cτ₁ ≪ cτ₀ it rests on the few events with ℓ < cτ₁ (the ~100 selected decays of
    a prompt ALP at cτ₁ = 10⁻⁴ cτ₀: 10⁻⁵⁹ of its efficiency), where the binned sum takes
    the efficiency of the shortest bin: flat below a bin's width, as a decay's efficiency is
    where the flight is unresolved. Both agree at cτ₁ = cτ₀; beyond the longest counted decay
    both count nothing (a lower bound)."""
    ell = np.asarray(proper_length, dtype=float)
    w = np.asarray(weights, dtype=float)
    c0 = float(ctau_old)
    c1 = np.atleast_1d(np.asarray(ctau_new, dtype=float))
    if not c0 > 0 or np.any(~(c1 > 0)):
        raise ParameterError("parameter 'ctau' must be > 0 cm for both the generated and the "
                             "target lifetime")
    keep = np.isfinite(ell) & (ell <= max_length) & (w > 0)
    ell, w = ell[keep], w[keep]
    if not len(ell):
        out = np.zeros(len(c1))
        return out if np.ndim(ctau_new) else out[0]
    order = np.argsort(ell)
    ell, w = ell[order], w[order]
    n_bins = max(1, len(ell) // max(int(min_per_bin), 1))
    cut = (np.arange(1, n_bins) * len(ell)) // n_bins
    edges = np.concatenate([[0.0], 0.5 * (ell[cut - 1] + ell[cut]), [ell[-1]]])
    which = np.clip(np.searchsorted(edges, ell, side="right") - 1, 0, n_bins - 1)
    counted = np.bincount(which, weights=w, minlength=n_bins)
    lo, hi = edges[:-1], edges[1:]
    share0 = np.exp(-lo / c0) - np.exp(-hi / c0)
    eff_bin = np.where(share0 > 0, counted / np.where(share0 > 0, share0, 1.0), 0.0)
    share1 = np.exp(-lo[None, :] / c1[:, None]) - np.exp(-hi[None, :] / c1[:, None])
    out = share1 @ eff_bin / float(n_generated)
    return out if np.ndim(ctau_new) else out[0]
