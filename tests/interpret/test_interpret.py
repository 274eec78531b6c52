import numpy as np
import pytest

from darkscan.interpret import (
    coupling_upper_limit,
    delta_a_mu_vector,
    excluded_axis_range,
    gminus2_band,
)
from darkscan.physics.constants import ALPHA, M_MU


def test_coupling_limit_scales_as_square_root() -> None:
    g = coupling_upper_limit(np.array([4.0, 1.0]), 1.0, 0.01, branching=np.array([1.0, 0.25]))
    np.testing.assert_allclose(g, [0.02, 0.02])
    assert np.isinf(coupling_upper_limit(1.0, 1.0, 0.01, branching=0.0))


def test_gminus2_limits() -> None:
    # massless vector with the photon's coupling reproduces Schwinger's α/2π
    e = np.sqrt(4 * np.pi * ALPHA)
    assert delta_a_mu_vector(e, 1e-6) == pytest.approx(ALPHA / (2 * np.pi), rel=1e-5)
    # heavy vector: Δa → g² m_μ² / (12 π² M²)
    heavy = delta_a_mu_vector(1.0, 50.0)
    assert heavy == pytest.approx(M_MU**2 / (12 * np.pi**2 * 50.0**2), rel=0.01)


def test_gminus2_band_brackets_known_lmu_ltau_values() -> None:
    lo, hi = gminus2_band(np.array([0.1, 1.0]))
    # L_mu-L_tau explanation of Δa_μ ≈ 2.5e-9: g′ ≈ 5–10 × 10⁻⁴ for M ≪ m_μ... at 0.1 GeV
    assert 4e-4 < lo[0] < hi[0] < 1.5e-3
    assert np.all(hi > lo) and hi[1] > hi[0]


def test_excluded_axis_range_interpolates_in_logs_within_the_grid() -> None:
    x = np.array([2.5e-3, 1e-4, 5e-4])  # any order
    # g_UL/g_ref = 4, 1/4, 1/16 at 10⁻⁴, 5·10⁻⁴, 2.5·10⁻³: excluded from the log-midpoint of
    # the first two to the end of the grid, nothing beyond it
    lo, hi = excluded_axis_range(x, np.array([1.0 / 16, 4.0, 0.25]), 1.0)
    np.testing.assert_allclose([lo, hi], [np.sqrt(1e-4 * 5e-4), 2.5e-3])
    # nowhere below the reference; a point without a limit excludes nothing
    assert np.isnan(excluded_axis_range(x, np.array([2.0, 2.0, 2.0]), 1.0)).all()
    assert excluded_axis_range(x, np.array([np.inf, 0.5, np.nan]), 1.0) == (1e-4, 1e-4)
    # the reference per point: the same ratios scaled
    lo2, hi2 = excluded_axis_range(x, np.array([1.0 / 16, 4.0, 0.25]) * 3.0, 3.0)
    np.testing.assert_allclose([lo2, hi2], [lo, hi])
    with pytest.raises(ValueError, match="positive"):
        excluded_axis_range(np.array([0.0, 1.0]), np.ones(2), 1.0)


def test_truncated_efficiency_is_the_decays_up_to_the_cut() -> None:
    from darkscan.interpret.lifetime import truncated_efficiency

    # every event counted, 2·10⁵ decays at cτ₀ = 1 cm counted up to 3 cm: at cτ₁ the
    # efficiency is P(ℓ ≤ 3 cm) = 1 − e^(−3/cτ₁), a lower bound of the true 1
    ell = np.random.default_rng(4).exponential(1.0, 200_000)
    c1 = np.array([0.5, 1.0, 2.0, 10.0])
    eff = truncated_efficiency(ell, np.ones_like(ell), len(ell), 1.0, c1, 3.0)
    np.testing.assert_allclose(eff, 1 - np.exp(-3.0 / c1), rtol=0.01)
    # an event without a decay length (NaN), beyond the cut or not counted (weight 0) adds
    # nothing: one of four generated
    w = np.r_[np.ones(3), 0.0]
    assert truncated_efficiency(np.array([0.5, np.nan, 4.0, 0.1]), w, 4, 1.0, 1.0, 3.0) == 0.25


def test_pooled_shortest_decays_hold_a_prompt_efficiency_where_event_weights_collapse() -> None:
    from darkscan.interpret.lifetime import truncated_efficiency

    rng = np.random.default_rng(5)
    # a decay seen with probability 0.5 up to 2 cm, never beyond: at cτ₁ the efficiency is
    # 0.5 (1 − e^(−2/cτ₁)), 0.5 for a prompt decay
    ell = rng.exponential(1.0, 200_000)
    seen = rng.random(len(ell)) < np.where(ell < 2.0, 0.5, 0.0)
    c1 = np.array([0.1, 0.5, 1.0, 2.0, 5.0])
    args = (ell[seen], np.ones(seen.sum()), len(ell), 1.0)
    eff = truncated_efficiency(*args, c1, 3.0, pool_shortest=10)
    np.testing.assert_allclose(eff, 0.5 * (1 - np.exp(-2.0 / c1)), rtol=0.02)
    # at the simulated cτ, pooled or not, the counted sum; below it within 1% of per-event
    assert truncated_efficiency(*args, 1.0, 3.0, pool_shortest=10) == pytest.approx(
        seen.sum() / len(ell), rel=1e-12)
    per_event = truncated_efficiency(*args, c1, 3.0)
    np.testing.assert_allclose(eff, per_event, rtol=0.01)
    np.testing.assert_array_equal(eff[2:], per_event[2:])  # cτ₁ ≥ cτ₀: not pooled
    # 300 decays, 40% seen: at cτ₁ = 10⁻⁶ cτ₀ no event has ℓ < cτ₁; per-event weights give
    # ~0, the pool of the 10 shortest 0.4 within its spread (±35% over 200 draws; here 0.61)
    ell, seen = ell[:300], rng.random(300) < 0.4
    args = (ell[seen], np.ones(seen.sum()), 300, 1.0, 1e-6, 3.0)
    assert truncated_efficiency(*args) < 1e-10
    assert truncated_efficiency(*args, pool_shortest=10) == pytest.approx(0.4, rel=0.7)
    assert truncated_efficiency(np.array([np.nan]), np.ones(1), 10, 1.0, 0.5, 3.0,
                                pool_shortest=10) == 0.0
