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

__all__ = ["effective_sample_size", "lifetime_weights", "reweight", "truncated_efficiency"]


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
                         ctau_old: float, ctau_new: ArrayLike, max_length: float,
                         pool_shortest: int = 0) -> np.ndarray:
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

    At cτ₁ ≪ cτ₀ the sum rests on the few decays with ℓ < cτ₁ (the ~100 selected decays of a
    prompt ALP reweighted to cτ₁ = 10⁻⁴ cτ₀: 10⁻⁵⁹ of its efficiency). ``pool_shortest`` = k
    takes, for cτ₁ < cτ₀, the k shortest counted decays as one bin [0, a) of proper decay
    length, their efficiency W/(N (1 − e^{−a/cτ₀})) held flat below a (as a decay's efficiency
    is where its flight is not resolved) and weighted by 1 − e^{−a/cτ₁}: the same sum at cτ₀,
    the shortest bin's efficiency as cτ₁ → 0; at cτ₁ ≥ cτ₀ every decay keeps its own weight.
    """
    ell = np.asarray(proper_length, dtype=float)
    w = np.asarray(weights, dtype=float)
    keep = np.isfinite(ell) & (ell <= max_length) & (w != 0)
    ell, w = ell[keep], w[keep]
    c1 = np.atleast_1d(np.asarray(ctau_new, float))
    ratio = lifetime_weights(ell, ctau_old, c1)
    out = ratio @ w
    k = min(int(pool_shortest), len(ell))
    shorter = c1 < float(ctau_old)
    if k > 0 and shorter.any():
        order = np.argsort(ell)
        first, ell_rest = order[:k], ell[order[k:]]
        edge = 0.5 * (ell[first[-1]] + ell_rest[0]) if len(ell_rest) else float(ell[first[-1]])
        share0 = -np.expm1(-edge / float(ctau_old))
        if share0 > 0:
            rest = w.copy()
            rest[first] = 0.0
            pooled = ratio @ rest + w[first].sum() / share0 * -np.expm1(-edge / c1)
            out = np.where(shorter, pooled, out)
    out = out / float(n_generated)
    return out if np.ndim(ctau_new) else out[0]
