"""The sparse-MC background estimator of the recoil-window searches."""

import numpy as np
import pytest

from darkscan.searches.analysis import local_density


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
    from dataclasses import replace

    from darkscan.searches.analysis import _window_background
    from darkscan.searches.zprime_invisible import SEARCH_SPEC

    edges = np.linspace(0.0, 10.0, 101)
    pseudo = np.full(100, 50.0)                      # 500 events per unit
    bkg = np.array([500.0])                          # window [4, 5)
    content = {"window": bkg, "sideband": np.array([1000.0])}
    var = {"window": np.array([0.0]), "sideband": np.array([0.0])}
    sidebands = [(np.array([3.0]), np.array([4.0])), (np.array([5.0]), np.array([6.0]))]
    sb = replace(SEARCH_SPEC, background_norm="sideband", background_syst=0.0)
    unc, est, est_unc = _window_background(sb, bkg, content, var, pseudo, edges, sidebands)
    assert unc[0] == pytest.approx(500.0 / np.sqrt(1000.0))   # sideband Poisson error only
    assert est[0] == pytest.approx(500.0) and est_unc[0] == pytest.approx(unc[0])
    mc = replace(SEARCH_SPEC, background_norm="mc", background_syst=0.1)
    unc_mc, est_mc, _ = _window_background(mc, bkg, content, var, pseudo, edges, sidebands)
    assert unc_mc[0] == pytest.approx(50.0) and est_mc[0] == 500.0
