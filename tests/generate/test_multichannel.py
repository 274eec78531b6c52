"""VEGAS weighted by the dimensions a point uses (darkscan.generate.multichannel)."""

from __future__ import annotations

import numpy as np
import vegas

from darkscan.generate.engine import ISR_COLLINEAR_DIMS, N_ISR_DIMS
from darkscan.generate.integrate import build_grid, train_map
from darkscan.generate.multichannel import ChannelLayout
from darkscan.generate.registry import get_process

# one common dimension (0), the selector (1), two channels of two dimensions each (2-3, 4-5)
LAYOUT = ChannelLayout(common=(0,), selector=1, first=2, per_channel=2, n_channels=2)


def _channel(x: np.ndarray) -> np.ndarray:
    return np.minimum((x[:, 1] * 2).astype(int), 1)


def _used(x: np.ndarray) -> np.ndarray:
    c = _channel(x)
    used = np.zeros(x.shape, dtype=bool)
    used[:, :2] = True
    used[c == 0, 2:4] = True
    used[c == 1, 4:6] = True
    return used


def _integrand(x: np.ndarray) -> np.ndarray:
    """Channel 0 reads dimensions 2, 3, channel 1 dimensions 4, 5, both dimension 0."""
    c = _channel(x)
    a = np.where(c == 0, x[:, 2], x[:, 4])
    b = np.where(c == 0, x[:, 3], x[:, 5])
    return 3.0 * x[:, 0] ** 2 * np.where(c == 0, 3.0 * a**2 * b, 10.0 * a**4 * b)


#: ∫3x₀² = 1; channel 0: ∫3a²b = 1/2, channel 1: ∫10a⁴b = 1; each channel half the selector
EXACT = 0.5 * 0.5 + 0.5 * 1.0


def _trained_map(seed: int) -> vegas.AdaptiveMap:
    amap, _ = train_map(_integrand, 6, n_points=200_000, n_iter=5, ninc=20,
                        rng=np.random.default_rng(seed), mapper=LAYOUT.map)
    return amap


def _slope(amap: vegas.AdaptiveMap, y: np.ndarray) -> np.ndarray:
    """dx/dy of every dimension at the uniform numbers ``y`` (n, dim)."""
    nd = np.asarray(amap.ninc)
    j = np.minimum((y * nd).astype(int), nd - 1)
    inc = np.asarray(amap.inc)
    return np.stack([inc[d, j[:, d]] * nd[d] for d in range(y.shape[1])], axis=1)


def test_used_dimensions_are_mapped_and_the_rest_kept() -> None:
    amap = _trained_map(1)
    y = np.random.default_rng(2).random((5000, 6))
    x, jac = np.empty_like(y), np.empty(len(y))
    LAYOUT.map(amap, y, x, jac)
    xv, jv = np.empty_like(y), np.empty(len(y))
    amap.map(y, xv, jv)
    used = _used(xv)
    assert 0.3 < np.mean(_channel(xv)) < 0.7  # both channels drawn
    np.testing.assert_allclose(x[used], xv[used], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(x[~used], y[~used])
    expected = np.prod(np.where(used, _slope(amap, y), 1.0), axis=1)
    np.testing.assert_allclose(jac, expected, rtol=1e-12)
    assert not np.allclose(jac, jv, rtol=1e-3)  # the unused dimensions' slopes are left out


def test_flat_points_get_the_mixture_density_of_their_used_dimensions() -> None:
    amap = _trained_map(3)
    y = np.random.default_rng(4).random((4000, 6))
    x, w = np.empty_like(y), np.empty(len(y))
    LAYOUT.sample(amap, y, np.ones(len(y), dtype=bool), 0.3, x, w)
    np.testing.assert_array_equal(x, y)
    yi, ji = np.empty_like(x), np.empty(len(x))
    amap.invmap(x, yi, ji)  # vegas's own inverse: where each x lies on the map
    vegas_density = np.prod(np.where(_used(x), 1.0 / _slope(amap, yi), 1.0), axis=1)
    np.testing.assert_allclose(w, 1.0 / (0.3 + 0.7 * vegas_density), rtol=1e-9)


def test_the_weighted_mean_is_the_integral() -> None:
    amap = _trained_map(5)
    rng = np.random.default_rng(6)
    n = 400_000
    y = rng.random((n, 6))
    x, w = np.empty_like(y), np.empty(n)
    LAYOUT.sample(amap, y, rng.random(n) < 0.3, 0.3, x, w)
    f = _integrand(x) * w
    mean, err = f.mean(), f.std() / np.sqrt(n)
    assert abs(mean - EXACT) < 4 * err
    assert err < 2e-3 * EXACT


def test_build_grid_with_a_layout_measures_the_integral_and_samples_with_it() -> None:
    grid = build_grid(_integrand, 6, n_points=300_000, seed=7, ninc=20, layout=LAYOUT)
    assert abs(grid.sigma - EXACT) < 4 * grid.error
    x, jac = grid.sample(np.random.default_rng(8), 200_000)
    used = _used(x)
    y = np.random.default_rng(8).random((200_000, 6))
    np.testing.assert_array_equal(x[~used], y[~used])  # unused numbers stay uniform
    f = _integrand(x) * jac
    assert abs(f.mean() - EXACT) < 4 * f.std() / np.sqrt(len(f))
    # the unweighting efficiency gains over the grid weighted by every dimension
    full = build_grid(_integrand, 6, n_points=300_000, seed=7, ninc=20)
    assert grid.sigma / grid.wmax > 2.0 * full.sigma / full.wmax  # 0.41 against 0.15


def test_process_layouts_follow_their_isr() -> None:
    eikonal = get_process("ee_mumumumu").channel_layout(True, 8, 5)
    assert eikonal.common == tuple(range(N_ISR_DIMS))
    assert (eikonal.selector, eikonal.first) == (N_ISR_DIMS, N_ISR_DIMS + 1)
    collinear = get_process("ee_eemumu").channel_layout(True, 8, 4)
    assert collinear.common == ISR_COLLINEAR_DIMS
    assert get_process("ee_eemumu").channel_layout(False, 8, 4).common == ()
    assert get_process("ee_eemumu").channel_layout(False, 8, 4).selector == 0
