import numpy as np
import pytest
from scipy import stats

from darkscan.errors import ParameterError
from darkscan.generate.llp import (
    decay_vertices,
    decay_vertices_truncated,
    flight_window_from_radius,
    mean_decay_length,
)
from darkscan.interpret.lifetime import effective_sample_size, lifetime_weights, reweight
from darkscan.physics.constants import C_CM_PER_NS


def _momenta(rng, n, m=0.5):
    p = rng.uniform(0.5, 5.0, n)
    cth = rng.uniform(-1, 1, n)
    phi = rng.uniform(0, 2 * np.pi, n)
    sth = np.sqrt(1 - cth**2)
    return np.stack([p * sth * np.cos(phi), p * sth * np.sin(phi), p * cth,
                     np.sqrt(p * p + m * m)], axis=1)


def test_decay_vertices_kinematics():
    rng = np.random.default_rng(3)
    p4 = _momenta(rng, 50_000)
    d = decay_vertices(p4, 0.5, 10.0, np.random.default_rng(4))
    # proper length is exponential with mean cτ
    assert stats.kstest(d.proper_length / 10.0, "expon").pvalue > 0.01
    assert d.proper_length.mean() == pytest.approx(10.0, rel=0.02)
    # vertex along the momentum at the flight length
    unit = p4[:, :3] / np.linalg.norm(p4[:, :3], axis=1)[:, None]
    np.testing.assert_allclose(d.vertex, d.flight_length[:, None] * unit, atol=1e-9)
    bg = np.linalg.norm(p4[:, :3], axis=1) / 0.5
    np.testing.assert_allclose(d.flight_length, bg * d.proper_length)
    beta = np.linalg.norm(p4[:, :3], axis=1) / p4[:, 3]
    np.testing.assert_allclose(d.lab_time, d.flight_length / (beta * C_CM_PER_NS))
    np.testing.assert_allclose(d.proper_time, d.proper_length / C_CM_PER_NS)
    np.testing.assert_allclose(mean_decay_length(p4, 0.5, 10.0), bg * 10.0)
    # seeded reproducibility and origin offset
    d2 = decay_vertices(p4, 0.5, 10.0, np.random.default_rng(4), origin=[1.0, 0.0, 0.0])
    np.testing.assert_allclose(d2.vertex - d.vertex, np.broadcast_to([1.0, 0, 0], d.vertex.shape))


def test_truncated_sampling_matches_untruncated():
    rng = np.random.default_rng(5)
    p4 = _momenta(rng, 200_000)
    full = decay_vertices(p4, 0.5, 10.0, np.random.default_rng(6))
    tr = decay_vertices_truncated(p4, 0.5, 10.0, 5.0, 60.0, np.random.default_rng(7))
    assert tr.flight_length.min() >= 5.0 and tr.flight_length.max() < 60.0
    lam = mean_decay_length(p4, 0.5, 10.0)
    np.testing.assert_allclose(tr.weight, np.exp(-5 / lam) - np.exp(-60 / lam))
    # weighted fraction in a sub-window equals the plain fraction in an untruncated sample
    sub = (20.0, 40.0)
    f_full = np.mean((full.flight_length > sub[0]) & (full.flight_length < sub[1]))
    sel = (tr.flight_length > sub[0]) & (tr.flight_length < sub[1])
    f_tr = np.sum(tr.weight[sel]) / len(p4)
    assert f_tr == pytest.approx(f_full, rel=0.02)
    inf = decay_vertices_truncated(p4[:10], 0.5, 10.0, 1.0, np.inf, np.random.default_rng(1))
    assert np.all(np.isfinite(inf.flight_length))


def test_radius_window():
    p4 = np.array([[1.0, 0.0, 1.0, 2.0], [0.0, 0.0, 1.0, 2.0]])
    lo, hi = flight_window_from_radius(p4, 1.0, 2.0)
    np.testing.assert_allclose(lo, [np.sqrt(2), np.inf])
    np.testing.assert_allclose(hi, [2 * np.sqrt(2), np.inf])


def test_llp_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ParameterError, match="ctau"):
        decay_vertices(np.array([[0, 0, 1.0, 2.0]]), 1.0, -1.0, rng)
    with pytest.raises(ParameterError, match="shape"):
        decay_vertices(np.zeros((3, 3)), 1.0, 1.0, rng)
    with pytest.raises(ParameterError, match="window"):
        decay_vertices_truncated(np.array([[0, 0, 1.0, 2.0]]), 1.0, 1.0, 5.0, 2.0, rng)


def test_lifetime_weights_formula_and_shapes():
    ell = np.array([0.0, 1.0, 5.0])
    w = lifetime_weights(ell, 2.0, 4.0)
    np.testing.assert_allclose(w, 0.5 * np.exp(-ell * (1 / 4 - 1 / 2)))
    np.testing.assert_allclose(lifetime_weights(ell, 2.0, 2.0), 1.0)
    two = lifetime_weights(np.array([[1.0, 5.0], [1.0, np.nan]]), 2.0, 4.0)
    np.testing.assert_allclose(two, [w[1] * w[2], w[1]])
    grid = lifetime_weights(ell, 2.0, np.array([1.0, 4.0]))
    assert grid.shape == (2, 3)
    np.testing.assert_allclose(grid[1], w)
    np.testing.assert_allclose(reweight([2.0, 2.0, 2.0], ell, 2.0, 4.0), 2 * w)
    with pytest.raises(ParameterError, match="ctau"):
        lifetime_weights(ell, 2.0, 0.0)
    with pytest.raises(ParameterError, match="≥ 0"):
        lifetime_weights([-1.0], 2.0, 1.0)


def test_reweighted_sample_matches_direct_sample():
    from darkscan.models.checks import _ks_critical, _weighted_ks

    n = 100_000
    rng = np.random.default_rng(21)
    p4 = _momenta(rng, n)
    d0 = decay_vertices(p4, 0.5, 10.0, rng)
    r0 = np.hypot(d0.vertex[:, 0], d0.vertex[:, 1])
    d1 = decay_vertices(_momenta(rng, n), 0.5, 15.0, rng)
    r1 = np.hypot(d1.vertex[:, 0], d1.vertex[:, 1])
    w = lifetime_weights(d0.proper_length, 10.0, 15.0)
    assert np.mean(w) == pytest.approx(1.0, abs=0.01)
    assert np.average(d0.proper_length, weights=w) == pytest.approx(15.0, rel=0.02)
    n_eff = effective_sample_size(w)
    assert n_eff == pytest.approx(0.75 * n, rel=0.05)  # (cτ₁/cτ₀ = 1.5: n/E[w²] = 3n/4)
    crit = _ks_critical(n_eff, n)
    assert _weighted_ks(r0, w, r1) < crit
    # the check can fail: without the weights the distributions differ
    assert _weighted_ks(r0, np.ones(n), r1) > 3 * crit
