"""Background estimates: sparse-MC local densities, sideband normalisation, ellipses, ABCD."""

import numpy as np
import pytest

from darkscan.stats.background import (
    Ellipses,
    abcd_estimate,
    ellipse_content,
    empty_interval_unc,
    integrate_histogram,
    local_density,
    sideband_estimate,
)


def test_dense_windows_are_plain_weighted_counts() -> None:
    rng = np.random.default_rng(4)
    x = rng.uniform(0.0, 10.0, 100_000)
    w = np.full(x.size, 0.5)
    est, k = local_density(x, w, np.array([2.0, 5.0]), np.array([3.0, 5.5]))
    assert k == pytest.approx([10_000, 5_000], rel=0.05)
    np.testing.assert_allclose(est, 0.5 * k)


def test_sparse_window_takes_the_neighbourhood_density() -> None:
    # 40 events of weight 3 spread uniformly over [0, 40): density 3 per unit
    x = np.arange(40.0) + 0.5
    w = np.full(40, 3.0)
    est, k = local_density(x, w, np.array([20.0]), np.array([21.0]))  # holds 1 event
    assert k[0] >= 10                    # widened until ≥ 10 events
    assert est[0] == pytest.approx(3.0, rel=0.15)
    # an empty sample stays empty: the caller assigns one event weight as its uncertainty
    est0, k0 = local_density(np.array([]), np.array([]), np.array([1.0]), np.array([2.0]))
    assert est0[0] == 0.0 and k0[0] == 0


def test_sideband_normalisation_replaces_the_flat_systematic() -> None:
    edges = np.linspace(0.0, 10.0, 101)
    pseudo = np.full(100, 50.0)                      # 500 events per unit
    bkg = np.array([500.0])                          # window [4, 5)
    n_sb = integrate_histogram(pseudo, edges, np.array([3.0]), np.array([4.0])) + \
        integrate_histogram(pseudo, edges, np.array([5.0]), np.array([6.0]))
    assert n_sb[0] == pytest.approx(1000.0)
    zero = np.array([0.0])
    est, unc = sideband_estimate(bkg, np.array([1000.0]), zero, zero, n_sb, bkg, 0.0)
    assert unc[0] == pytest.approx(500.0 / np.sqrt(1000.0))   # sideband Poisson error only
    assert est[0] == pytest.approx(500.0)
    # half the sideband counts: half the estimate; a 10% ratio systematic adds in quadrature
    est2, unc2 = sideband_estimate(bkg, np.array([1000.0]), zero, zero, n_sb / 2, bkg, 0.1)
    assert est2[0] == pytest.approx(250.0)
    assert unc2[0] == pytest.approx(np.hypot(250.0 / np.sqrt(500.0), 25.0))
    # empty sidebands: a zero estimate, uncertain by one sideband event times the ratio
    est0, unc0 = sideband_estimate(bkg, np.array([1000.0]), zero, zero, zero, bkg, 0.0)
    assert est0[0] == 0.0 and unc0[0] == pytest.approx(0.5)
    # no simulated sideband events: the MC window content itself
    est3, _ = sideband_estimate(bkg, zero, zero, zero, n_sb, bkg, 0.0)
    assert est3[0] == 500.0


def test_ellipse_content_counts_inside_the_mahalanobis_radius() -> None:
    rng = np.random.default_rng(5)
    xy = rng.normal(size=(200_000, 2))
    w = np.full(len(xy), 0.5)
    # unit covariance, radius 2σ: a 2D Gaussian keeps 1 − e^{−2} = 86.5%
    win = Ellipses(np.zeros((1, 2)), np.eye(2)[None], 2.0)
    est, k, f = ellipse_content(xy, w, win)
    assert f[0] == 1
    assert k[0] / len(xy) == pytest.approx(1 - np.exp(-2.0), rel=0.01)
    assert est[0] == pytest.approx(0.5 * k[0])
    # a correlated ellipse: the same fraction for points drawn with that covariance
    cov = np.array([[1.0, 0.8], [0.8, 1.0]])
    xy2 = rng.multivariate_normal([3.0, -1.0], cov, size=100_000)
    win2 = Ellipses(np.array([[3.0, -1.0]]), np.linalg.inv(cov)[None], 2.0)
    assert win2.inside(xy2, 0).mean() == pytest.approx(1 - np.exp(-2.0), rel=0.01)
    # far from every event the window widens (area × 4ⁿ) and scales back
    far = Ellipses(np.array([[0.0, 0.0]]), (np.eye(2) * 1e4)[None], 2.0)
    est_far, k_far, f_far = ellipse_content(xy[:1000], np.ones(1000), far)
    assert f_far[0] == 8  # radius 0.02·8 holds ≈ 13 of 1000 standard-normal points
    assert k_far[0] >= 10
    # density 1000/2π per unit area at the origin times the window's area π·0.02²
    assert est_far[0] == pytest.approx(1000 / (2 * np.pi) * np.pi * 0.02**2, rel=0.5)


def test_abcd_estimate() -> None:
    est, unc = abcd_estimate(np.array([20.0]), np.array([30.0]), np.array([60.0]))
    assert est[0] == pytest.approx(10.0)
    assert unc[0] == pytest.approx(10.0 * np.sqrt(1 / 20 + 1 / 30 + 1 / 60))
    nan_est, _ = abcd_estimate(np.array([1.0]), np.array([1.0]), np.array([0.0]))
    assert np.isnan(nan_est[0])


def test_local_density_does_not_invent_a_tail_beyond_the_simulation() -> None:
    # MC events only on [0, 10): a window at 15 lies beyond the last simulated event
    x = np.linspace(0.05, 9.95, 100)
    w = np.ones(100)
    lo, hi = np.array([15.0, 5.0, -0.3]), np.array([15.2, 5.2, -0.1])
    spread, _ = local_density(x, w, lo, hi)
    kept, k = local_density(x, w, lo, hi, interpolate_only=True)
    assert spread[0] > 0                     # the plain estimate borrows from the far side
    assert kept[0] == 0.0 and k[0] == 0      # interpolation only: nothing simulated there
    assert kept[2] == 0.0 and k[2] == 0      # nor below the first event
    assert kept[1] == pytest.approx(spread[1]) and k[1] >= 10   # inside: unchanged
    # the empty intervals are uncertain by ~1 event weight over the gap to the nearest event
    unc = empty_interval_unc(x, lo, hi, 2.0)
    assert unc[1] == 0.0
    assert unc[0] == pytest.approx(1.15 * 2.0 * 0.2 / (15.0 - 9.95 + 0.2))
    assert unc[2] == pytest.approx(1.15 * 2.0 * 0.2 / (0.05 + 0.1 + 0.2))
    assert empty_interval_unc(np.array([]), lo, hi, 2.0)[0] == 2.0
    # a sample with no event anywhere in a span of 20: one weight spread over the span
    assert empty_interval_unc(np.array([]), lo, hi, 2.0, span=20.0) == pytest.approx(
        1.15 * 2.0 * 0.2 / 20.0)
    assert empty_interval_unc(np.array([]), np.array([np.nan]), np.array([np.nan]), 2.0,
                              span=20.0)[0] == 0.0
    assert empty_interval_unc(x, np.array([np.nan]), np.array([np.nan]), 2.0)[0] == 0.0
