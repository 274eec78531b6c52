"""Toy CLs for independent counting channels (stats.toys.combined_toys_limits): reduces to one
bin, is exact where there is no background, and weighs a clean bin above a busy one."""

import numpy as np
import pytest

from darkscan.stats import combined_upper_limits, upper_limits
from darkscan.stats.toys import combined_toys_limits

# windows with the backgrounds of zprime-invisible's default run (0.2, 1, 4 and 8 GeV)
N = np.array([0.0, 3.0, 10.0, 100.0])
B = np.array([0.8, 2.2, 12.6, 112.0])
SIGMA = np.array([1.27, 1.6, 3.5, 13.8])


def test_one_channel_is_the_single_bin_toy_limit() -> None:
    obs, exp = combined_toys_limits(N[None], B[None], SIGMA[None], np.ones((1, 4)), 0.9)
    single = upper_limits(N, B, SIGMA, cl=0.9, method="toys")
    np.testing.assert_allclose(obs, single.observed, rtol=0.03)
    np.testing.assert_allclose(exp[1:4], single.expected[1:4], rtol=0.05)
    # the bands are ordered
    assert np.all(np.diff(exp, axis=0) >= 0)


def test_no_background_gives_the_exact_limit_however_the_signal_is_split() -> None:
    # 2.30 = −ln 0.1 signal events at 90% CL, in one bin or spread over four empty ones; the
    # asymptotic formulae give 1.4 here, which is why binned searches with few events use toys
    for k in (1, 2, 4):
        shape = (k, 1)
        lim = combined_upper_limits(np.zeros(shape), np.full(shape, 1e-3), np.zeros(shape),
                                    np.full(shape, 1.0 / k), cl=0.9, method="toys")
        assert lim.expected[2][0] == pytest.approx(2.303, rel=0.01)
    asym = combined_upper_limits(np.zeros((2, 1)), np.full((2, 1), 1e-3), np.zeros((2, 1)),
                                 np.full((2, 1), 0.5), cl=0.9, method="cls")
    assert asym.expected[2][0] < 1.5


def test_a_clean_bin_counts_for_more_than_a_busy_one() -> None:
    # half the signal where 0.5 background events are expected, half under 50: the binned
    # limit is stronger than the merged window's and weaker than if all of it were clean
    n, b = np.array([[0.0], [50.0]]), np.array([[0.5], [50.0]])
    binned = combined_upper_limits(n, b, 0.0, np.array([[0.5], [0.5]]), method="toys")
    merged = upper_limits(50.0, 50.5, 0.0, method="toys")
    clean = upper_limits(0.0, 0.5, 0.0, method="toys")
    assert clean.expected[2] < binned.expected[2][0] < merged.expected[2]
    # a channel without signal changes nothing (it has no weight in the test statistic)
    extra = combined_upper_limits(np.vstack([n, [[7.0]]]), np.vstack([b, [[7.0]]]), 0.0,
                                  np.array([[0.5], [0.5], [0.0]]), method="toys")
    assert extra.expected[2][0] == pytest.approx(binned.expected[2][0], rel=0.03)


def test_toys_are_seeded_and_inputs_checked() -> None:
    args = (N[None], B[None], SIGMA[None], np.ones((1, 4)), 0.9)
    a, b = combined_toys_limits(*args, seed=5), combined_toys_limits(*args, seed=5)
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(Exception, match="integer counts"):
        combined_upper_limits(np.array([[0.5]]), 1.0, 0.0, 1.0, method="toys")
    with pytest.raises(Exception, match="'cls' or 'toys'"):
        combined_upper_limits(np.array([[0.0]]), 1.0, 0.0, 1.0, method="bayes")
