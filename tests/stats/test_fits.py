import numpy as np
import pytest

from darkscan.stats import ShapeGrid, SignalShape, fit_window, mass_points, scan

DCB = {"scale": 0.01, "beta_left": 1.5, "m_left": 3.0, "beta_right": 2.0, "m_right": 4.0}


def _data(seed, n_sig=300, mass=1.0):
    rng = np.random.default_rng(seed)
    sig = SignalShape("dcb", {"loc": mass, **DCB})
    return np.concatenate([rng.uniform(0.5, 1.5, 20000), sig.sample(n_sig, rng, 0.5, 1.5)]), sig


def test_unbinned_and_binned_fit_recover_injected_signal():
    x, sig = _data(1)
    r = fit_window(x, sig, (0.94, 1.06), background="poly1")
    assert r.status == "ok"
    assert r.n_sig == pytest.approx(300, abs=2.5 * r.n_sig_err)
    assert r.n_sig_err == pytest.approx(45, rel=0.3)
    assert r.z_local > 4
    assert r.upper_limit > r.n_sig
    h, e = np.histogram(x, bins=1000, range=(0.5, 1.5))
    rb = fit_window((h, e), sig, (0.94, 1.06), background="poly1")
    assert rb.n_sig == pytest.approx(r.n_sig, abs=0.3 * r.n_sig_err)
    assert rb.upper_limit == pytest.approx(r.upper_limit, rel=0.1)


def test_no_signal_limit_and_exponential_background():
    rng = np.random.default_rng(2)
    sig = SignalShape("gauss", {"loc": 1.0, "scale": 0.01})
    x = 0.5 + rng.exponential(0.5, 30000)
    r = fit_window(x, sig, (0.95, 1.05), background="expon", cl=0.9)
    assert r.ok and abs(r.z_local) < 3
    assert r.upper_limit > 0 and np.isfinite(r.upper_limit)
    # 90% UL on a null signal over ~ thousands of bkg events: a few times sqrt(B_eff)
    assert 20 < r.upper_limit < 250


def test_a_deficit_cannot_dig_a_negative_intensity_between_the_events():
    # 40 events flat over a window 30σ wide, none within ±2σ of the peak: the events alone
    # allow ν_s far below zero (the hole between them); the intensity may reach zero, not below
    rng = np.random.default_rng(5)
    sig = SignalShape("gauss", {"loc": 1.0, "scale": 0.01})
    x = rng.uniform(0.85, 1.15, 60)
    x = x[np.abs(x - 1.0) > 0.02][:40]
    r = fit_window(x, sig, (0.85, 1.15), background="poly0", limit=False)
    assert r.ok
    floor = -r.n_bkg * np.sqrt(2 * np.pi) * 0.01 / 0.3  # intensity zero at the peak
    assert floor - 0.05 < r.n_sig < 0.0
    assert r.n_sig == pytest.approx(floor, rel=0.1)  # the deficit pushes it to the floor


def test_shape_interpolation_and_scan_finds_peak():
    grid = ShapeGrid("dcb", np.array([0.6, 1.4]),
                     {"loc": np.array([0.6, 1.4]), "scale": np.array([0.008, 0.012]),
                      "beta_left": np.array([1.5, 1.5]), "m_left": np.array([3.0, 3.0]),
                      "beta_right": np.array([2.0, 2.0]), "m_right": np.array([4.0, 4.0])})
    assert grid.at(1.0).params["scale"] == pytest.approx(0.01)
    assert grid.at(1.0).params["loc"] == pytest.approx(1.0)
    x, _ = _data(3, n_sig=400)
    masses = mass_points(0.9, 1.1, lambda m: grid.at(m).resolution, step=1.0)
    assert masses[1] - masses[0] == pytest.approx(0.0095, rel=1e-6)
    s = scan(x, masses, grid, width=10.0, background="poly1", limit=False)
    assert all(st != "failed" for st in s.status)
    best = masses[np.argmax(s.z_local)]
    assert abs(best - 1.0) < 0.015
    assert s.z_local.max() > 4
    assert s.q0.shape == masses.shape


def test_signal_shape_fit_recovers_a_double_crystal_ball_on_a_pedestal():
    from darkscan.stats.shapes import fit_signal_shape

    rng = np.random.default_rng(21)
    truth = SignalShape("dcb", {"loc": 2.0, "scale": 0.006, "beta_left": 1.2, "m_left": 3.0,
                                "beta_right": 2.0, "m_right": 6.0})
    peak = truth.sample(20_000, rng, 1.8, 2.2)
    pedestal = rng.uniform(0.2, 10.0, 60_000)  # wrong pairings: broad, ~120 in the fit range
    x = np.concatenate([peak, pedestal])
    fitted = fit_signal_shape(x, np.ones(len(x)), "dcb", near=2.0)
    assert fitted.kind == "dcb" and fitted.params["fit_ok"] == 1.0
    assert fitted.params["loc"] == pytest.approx(2.0, abs=2e-4)
    assert fitted.params["scale"] == pytest.approx(0.006, rel=0.05)
    assert fitted.params["beta_left"] == pytest.approx(1.2, rel=0.15)
    # without the expected position the core search starts from the pedestal's median
    assert fit_signal_shape(x, np.ones(len(x)), "gauss", near=2.0).params["loc"] == \
        pytest.approx(2.0, abs=5e-4)
    assert abs(fit_signal_shape(x, np.ones(len(x)), "gauss").params["loc"] - 2.0) > 0.01


def test_sparse_window_yield_variance_is_the_profiled_b_eff():
    # darkscan validate's stats_sparse_window_yield_variance_vs_b_eff, fewer toys: the fitted
    # yield's variance on 50-event windows against b_eff (9.5 when the intensity could go
    # negative between the events)
    from darkscan.stats.checks import sparse_window_yield_variance

    ratio, q01 = sparse_window_yield_variance(150, 12)
    assert ratio == pytest.approx(1.0, abs=0.35)
    assert q01 > -2.6
