"""The combination of counting channels: one signal in several independent channels, each with
its own constrained background (a multi-bin counting experiment), asymptotic CLs."""

import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.stats import combined_upper_limits, upper_limits
from darkscan.stats.pyhf_adapter import pyhf_combined_upper_limit

N = np.array([5.0, 0.0, 20.0, 100.0, 50.0])
B = np.array([3.0, 2.0, 10.0, 120.0, 400.0])
U = np.array([0.0, 0.4, 2.0, 10.0, 100.0])


def test_one_channel_is_the_counting_limit() -> None:
    eff_lumi = np.array([0.5, 2.0, 10.0, 0.1, 3.0])
    one = combined_upper_limits(N[None], B[None], U[None], eff_lumi[None], cl=0.9)
    ref = upper_limits(N, B, U, eff=eff_lumi / 10.0, lumi=10.0, cl=0.9)
    np.testing.assert_allclose(one.observed, ref.observed, rtol=1e-9)
    np.testing.assert_allclose(one.expected, ref.expected, rtol=1e-9)
    assert one.observed[0] == pytest.approx(5.8132249 / 0.5, rel=1e-6)  # pyhf's, see test_pyhf


def test_two_identical_channels_gain_one_over_sqrt_two() -> None:
    # background-dominated (b = 10⁴, Gaussian regime): the Fisher informations add
    single = upper_limits(1e4, 1e4, 0.0, cl=0.9).expected[2, 0]
    both = combined_upper_limits([1e4, 1e4], [1e4, 1e4], 0.0, [1.0, 1.0], cl=0.9)
    assert both.expected[2, 0] / single == pytest.approx(1 / np.sqrt(2), rel=2e-3)
    # a channel without signal changes nothing
    blind = combined_upper_limits([1e4, 7.0], [1e4, 5.0], [0.0, 1.0], [1.0, 0.0], cl=0.9)
    assert blind.expected[2, 0] == pytest.approx(single, rel=1e-9)
    assert blind.observed[0] == pytest.approx(upper_limits(1e4, 1e4).observed[0], rel=1e-9)


@pytest.mark.parametrize(("n", "b", "u", "s"), [
    ([5, 12, 0], [3.0, 10.0, 1.5], [0.0, 2.0, 0.3], [1.0, 2.0, 0.5]),
    ([100, 40], [120.0, 30.0], [10.0, 5.0], [1.0, 0.2]),
    ([50, 9, 30, 2], [400.0, 10.0, 25.0, 1.0], [100.0, 1.0, 4.0, 0.5], [3.0, 1.0, 1.0, 0.4]),
])
def test_combination_equals_pyhf(n: list[int], b: list[float], u: list[float],
                                 s: list[float]) -> None:
    obs, exp = pyhf_combined_upper_limit(n, b, u, s, cl=0.9)
    r = combined_upper_limits(n, b, u, s, cl=0.9)
    assert r.scalar and r.to_dict()["upper_limit"] == pytest.approx(obs, rel=1e-4)
    assert r.expected[:, 0] == pytest.approx(exp, rel=1e-4)


def test_windows_are_solved_at_once_as_one_by_one() -> None:
    rng = np.random.default_rng(5)
    n = rng.poisson(20.0, (3, 40)).astype(float)
    b = rng.uniform(10.0, 30.0, (3, 40))
    u = rng.uniform(0.0, 5.0, (3, 40))
    s = rng.uniform(0.0, 2.0, (3, 40)) + np.array([[0.1], [0.0], [0.0]])
    many = combined_upper_limits(n, b, u, s)
    for j in (0, 17, 39):
        one = combined_upper_limits(n[:, j], b[:, j], u[:, j], s[:, j])
        assert many.observed[j] == pytest.approx(one.observed[0], rel=1e-8)
        np.testing.assert_allclose(many.expected[:, j], one.expected[:, 0], rtol=1e-8)
    # combining never loses: below every channel's own limit (same signal per unit)
    alone = np.stack([upper_limits(n[c], b[c], u[c], eff=s[c] / 3.0, lumi=3.0).expected[2]
                      for c in range(3)])
    assert np.all(many.expected[2] <= alone.min(axis=0) * (1 + 1e-9))


def test_bad_inputs_are_clear_errors() -> None:
    with pytest.raises(ParameterError, match="above 0 in at least one channel"):
        combined_upper_limits([3, 4], [1.0, 2.0], 0.0, [0.0, 0.0])
    with pytest.raises(ParameterError, match="broadcast"):
        combined_upper_limits(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ParameterError, match="non-negative"):
        combined_upper_limits([3, 4], [1.0, -2.0])
