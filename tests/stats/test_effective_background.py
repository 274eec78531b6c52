"""The effective background of a sliding fit (stats.fits.effective_background)."""

import numpy as np
import pytest

from darkscan.stats.fits import FitResult, effective_background
from darkscan.stats.shapes import SignalShape


def _fit(window, n_bkg, params):
    return FitResult(mass=0.5 * sum(window), window=window, n_sig=0.0, n_sig_err=1.0,
                     n_bkg=n_bkg, upper_limit=1.0, z_local=0.0, nll=0.0, status="ok",
                     attempts=1, bkg_params=params, bkg_only=(n_bkg, *params))


@pytest.mark.parametrize("half_width, background, inflation", [
    (0.3, "poly0", 1.0628), (0.3, "poly2", 1.1527), (0.15, "poly1", 1.1340),
    (0.15, "poly2", 1.3549)])
def test_gaussian_on_flat_background_with_the_background_profiled(half_width, background,
                                                                   inflation):
    # 2√π σ ρ (the background under the peak) times the profiling's inflation [I⁻¹]_νν·I_νν
    # of a Gaussian centred in a window 60σ or 30σ wide on a floating level (and slope,
    # curvature: the odd slope adds nothing at the centre), from the Fisher matrix in the
    # monomial basis, which spans the Bernstein polynomials' space
    sigma, rho = 0.01, 1000.0
    shape = SignalShape("gauss", {"loc": 1.0, "scale": sigma})
    order = int(background[4:])
    window = (1.0 - half_width, 1.0 + half_width)
    b = effective_background(_fit(window, rho * 2 * half_width, (1.0,) * order), shape,
                             background)
    assert b == pytest.approx(2 * np.sqrt(np.pi) * sigma * rho * inflation, rel=0.01)


def test_an_off_centre_peak_is_correlated_with_the_slope():
    # a peak near the window's edge (a clipped window): the slope now takes some of its yield
    shape = SignalShape("gauss", {"loc": 0.75, "scale": 0.01})
    flat = effective_background(_fit((0.7, 1.3), 600.0, ()), shape, "poly0")
    sloped = effective_background(_fit((0.7, 1.3), 600.0, (1.0,)), shape, "poly1")
    assert sloped > 1.1 * flat


def test_background_vanishing_at_the_window_edge_does_not_collapse_it():
    # 4μ at 9 GeV: the background-only quadratic reaches zero at the window's upper edge (the
    # spectrum's kinematic end) while the double Crystal Ball's power-law tail reaches it
    shape = SignalShape("dcb", {"loc": 9.0, "scale": 0.033, "beta_left": 2.0, "m_left": 1.7,
                                "beta_right": 1.75, "m_right": 2.4})
    b = effective_background(_fit((8.0, 10.0), 335.0, (0.519, 1e-13)), shape, "poly2")
    # the density at the peak, 335 × 0.508 per GeV, under a ≈ 2√π σ wide core: ≈ 20 events
    assert 12.0 < b < 30.0
