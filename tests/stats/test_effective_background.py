"""The effective background of a sliding fit (stats.fits.effective_background)."""

import numpy as np
import pytest

from darkscan.stats.fits import FitResult, effective_background
from darkscan.stats.shapes import SignalShape


def _fit(window, n_bkg, params):
    return FitResult(mass=0.5 * sum(window), window=window, n_sig=0.0, n_sig_err=1.0,
                     n_bkg=n_bkg, upper_limit=1.0, z_local=0.0, nll=0.0, status="ok",
                     attempts=1, bkg_params=params, bkg_only=(n_bkg, *params))


def test_gaussian_on_flat_background_is_the_background_under_the_peak():
    # 2√π σ ρ for a Gaussian on a flat density ρ (events per unit x), up to the one-event term
    sigma, rho = 0.01, 1000.0
    shape = SignalShape("gauss", {"loc": 1.0, "scale": sigma})
    b = effective_background(_fit((0.7, 1.3), rho * 0.6, (1.0, 1.0, 1.0)), shape, "poly2")
    assert b == pytest.approx(2 * np.sqrt(np.pi) * sigma * rho, rel=0.02)


def test_background_vanishing_at_the_window_edge_does_not_collapse_it():
    # 4μ at 9 GeV: the background-only quadratic reaches zero at the window's upper edge (the
    # spectrum's kinematic end) while the double Crystal Ball's power-law tail reaches it
    shape = SignalShape("dcb", {"loc": 9.0, "scale": 0.033, "beta_left": 2.0, "m_left": 1.7,
                                "beta_right": 1.75, "m_right": 2.4})
    b = effective_background(_fit((8.0, 10.0), 335.0, (0.519, 1e-13)), shape, "poly2")
    # the density at the peak, 335 × 0.508 per GeV, under a ≈ 2√π σ wide core: ≈ 20 events
    assert 12.0 < b < 30.0
