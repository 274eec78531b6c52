"""Binned template fits: the estimate is unbiased with the right error, the effective
background is the Fisher information's, a floating normalisation costs information."""

from __future__ import annotations

import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.stats.templates import bin_variance, fit_templates

EDGES = np.linspace(0.0, 1.0, 21)
CENTRES = 0.5 * (EDGES[1:] + EDGES[:-1])
#: a Michel-like falling background and a narrow bump
BKG = 2000.0 * CENTRES**2 * (3 - 2 * CENTRES)
SHAPE = np.exp(-0.5 * ((CENTRES - 0.4) / 0.05) ** 2)
SHAPE /= SHAPE.sum()


def test_fixed_background_information_is_poisson_fisher() -> None:
    var = bin_variance(BKG, np.zeros_like(BKG), 0.0)
    fit = fit_templates(BKG, SHAPE, BKG, var, float_background=False)
    assert fit.n_sig == pytest.approx(0.0, abs=1e-9)
    assert fit.effective_background == pytest.approx(1.0 / np.sum(SHAPE**2 / BKG))


def test_floating_normalisation_and_shape_uncertainty_cost_information() -> None:
    plain = fit_templates(BKG, SHAPE, BKG, bin_variance(BKG, 0 * BKG, 0.0), False)
    floating = fit_templates(BKG, SHAPE, BKG, bin_variance(BKG, 0 * BKG, 0.0))
    shaped = fit_templates(BKG, SHAPE, BKG, bin_variance(BKG, 0 * BKG, 0.05))
    assert plain.effective_background < floating.effective_background
    assert floating.effective_background < shaped.effective_background
    # a narrow bump: the normalisation is fixed by the other bins, it costs little
    assert floating.effective_background == pytest.approx(plain.effective_background, rel=0.2)


def test_pulls_of_toys_have_unit_width() -> None:
    rng = np.random.default_rng(31)
    var = bin_variance(BKG, 0 * BKG, 0.0)
    pulls = []
    for _ in range(500):
        n = rng.poisson(60.0 * SHAPE + 1.1 * BKG).astype(float)
        fit = fit_templates(n, SHAPE, BKG, var)
        pulls.append((fit.n_sig - 60.0) / fit.n_sig_err)
        assert fit.bkg_scale == pytest.approx(1.1, rel=0.05)
    p = np.asarray(pulls)
    assert abs(p.mean()) < 0.15
    assert np.std(p) == pytest.approx(1.0, abs=0.1)


def test_bad_templates_are_refused() -> None:
    var = bin_variance(BKG, 0 * BKG, 0.0)
    with pytest.raises(ParameterError, match="indistinguishable"):
        fit_templates(BKG, BKG / BKG.sum(), BKG, var)
    with pytest.raises(ParameterError, match="same length"):
        fit_templates(BKG[:-1], SHAPE, BKG, var)


def test_correlated_deformations_cost_information_for_a_broad_bump() -> None:
    """With 2×10⁶ background events a constrained tilt and curvature of the background
    (Legendre, 1% at the ends) cost a narrow line 40% of its effective background and a broad
    bump that resembles them a factor 2.8; a deformation present in the data is absorbed, the
    signal estimate stays unbiased."""
    from darkscan.stats.templates import legendre_deformations

    big = 100.0 * BKG
    var = bin_variance(big, 0 * big, 0.0)
    deform = legendre_deformations(big, (0.01, 0.01))
    broad = np.exp(-0.5 * ((CENTRES - 0.6) / 0.25) ** 2)
    broad /= broad.sum()
    for shape, ratio in ((SHAPE, 1.40), (broad, 2.78)):
        plain = fit_templates(big, shape, big, var).effective_background
        deformed = fit_templates(big, shape, big, var, deformations=deform).effective_background
        assert deformed / plain == pytest.approx(ratio, rel=0.01)
    # a 2σ tilt in the "data": the fit takes it for the tilt, not for signal
    fit = fit_templates(big + 2.0 * deform[:, 0], SHAPE, big, var, deformations=deform)
    assert abs(fit.n_sig) < 0.5 * fit.n_sig_err
    assert legendre_deformations(big, ()).shape == (len(big), 0)
