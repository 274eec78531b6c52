import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.stats import LimitResult, discovery_significance, upper_limits


def test_bayes_closed_form():
    assert upper_limits(0, 0.0, method="bayes").observed[0] == pytest.approx(2.302585, rel=1e-6)
    # Helene/PDG table: n=3, b=0 → 6.68 at 90% CL; n=0, b=3 still 2.30 (flat prior)
    r = upper_limits([3, 0], [0.0, 3.0], method="bayes", cl=0.9)
    assert r.observed == pytest.approx([6.6808, 2.302585], rel=1e-4)
    assert upper_limits(0, 0.0, method="bayes", cl=0.95).observed[0] == pytest.approx(2.9957,
                                                                                      rel=1e-4)


def test_bayes_with_uncertainty_matches_quadrature():
    # brute-force 2D integration done offline (scipy.integrate.quad): n=10, b=5±2 → 11.134
    r = upper_limits(10, 5.0, 2.0, method="bayes")
    assert r.observed[0] == pytest.approx(11.1342, rel=1e-3)
    assert r.observed[0] > upper_limits(10, 5.0, method="bayes").observed[0]


def test_cls_known_values():
    # n=0: CLs = exp(-s) independent of b → s = -ln(0.1)
    r = upper_limits([0, 0], [0.0, 1.0], cl=0.9, method="toys")
    assert r.observed == pytest.approx([2.3026, 2.3026], rel=0.03)
    # asymptotic reference values computed with pyhf 0.7.6 (see test_pyhf.py for live check)
    a = upper_limits(5, 3.0, cl=0.9)
    assert a.observed[0] == pytest.approx(5.81322494, rel=1e-6)


def test_toys_band_shares_each_windows_toys():
    """A window's observed count and its band quantiles share its toys: a background-free
    window's band is one value, the observed limit at n = 0 that same value, and a band over
    a background comes out ordered (before, each quantile drew its own toys: background-free
    bands scattered by ±2%, the +2σ edge below the −2σ one)."""
    r = upper_limits([0, 0, 4], [1e-4, 1e-4, 3.0], [0.0, 1e-5, 0.5], cl=0.95, method="toys")
    band = np.asarray(r.expected)  # (5, windows)
    for w in (0, 1):
        assert np.all(band[:, w] == band[2, w]) and r.observed[w] == band[2, w]
        assert band[2, w] == pytest.approx(-np.log(0.05), rel=0.03)
    assert np.all(np.diff(band[:, 2]) >= 0) and band[0, 2] < band[4, 2]


def test_to_dict_scalar_and_array():
    d = upper_limits(5, 3.0, 0.9).to_dict()
    assert set(d) == {"method", "cl", "upper_limit", "expected"}
    assert set(d["expected"]) == {"-2", "-1", "0", "+1", "+2"}
    assert isinstance(d["upper_limit"], float)
    assert isinstance(d["expected"]["0"], float)
    da = upper_limits([5, 6], [3.0, 3.0]).to_dict()
    assert isinstance(da["upper_limit"], list) and len(da["upper_limit"]) == 2
    assert len(da["expected"]["+2"]) == 2


def test_vectorised_shapes_and_consistency():
    rng = np.random.default_rng(4)
    n = rng.poisson(20, 50).astype(float)
    b = rng.uniform(5, 30, 50)
    r = upper_limits(n, b, 0.1 * b, eff=0.5, lumi=2.0)
    assert isinstance(r, LimitResult)
    assert r.observed.shape == (50,) and r.expected.shape == (5, 50)
    assert np.all(np.diff(r.expected, axis=0) > 0)  # -2 < -1 < 0 < +1 < +2
    one = upper_limits(n[7], b[7], 0.1 * b[7], eff=0.5, lumi=2.0)
    assert one.observed[0] == pytest.approx(r.observed[7], rel=1e-9)
    raw = upper_limits(n, b, 0.1 * b)
    assert r.observed == pytest.approx(raw.observed / 1.0, rel=1e-12)  # eff*lumi = 1
    # scalar broadcasting against arrays
    r2 = upper_limits(n, 10.0)
    assert r2.observed.shape == (50,)
    with pytest.raises(ValueError):
        r.observed[0] = 1.0  # frozen arrays


def test_more_background_uncertainty_weakens_limit():
    r = upper_limits([20, 20, 20], [20.0, 20.0, 20.0], [0.0, 2.0, 6.0])
    assert r.observed[0] < r.observed[1] < r.observed[2]
    assert r.expected[2, 0] < r.expected[2, 1] < r.expected[2, 2]


def test_discovery_significance():
    r = discovery_significance([10, 3], [5.0, 5.0])
    # Cowan eq. 97: Z = sqrt(2((s+b)ln(1+s/b) - s)) for s=5, b=5
    z_ref = np.sqrt(2 * (10 * np.log(2.0) - 5))
    assert r.z[0] == pytest.approx(z_ref, rel=1e-9)
    assert r.z[1] == 0.0 and r.p0[1] == pytest.approx(0.5)
    assert discovery_significance(10, 5.0, 1.0).z[0] < z_ref


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"n_obs": -1, "bkg": 1.0}, "n_obs"),
        ({"n_obs": 1, "bkg": -1.0}, "bkg"),
        ({"n_obs": 1, "bkg": float("nan")}, "bkg"),
        ({"n_obs": 1, "bkg": 1.0, "bkg_unc": -0.1}, "bkg_unc"),
        ({"n_obs": 1, "bkg": 1.0, "cl": 1.2}, "cl"),
        ({"n_obs": 1, "bkg": 1.0, "cl": 0.0}, "cl"),
        ({"n_obs": [1, 2], "bkg": [1.0, 2.0, 3.0]}, "same length"),
        ({"n_obs": 1, "bkg": 1.0, "method": "frequentist"}, "method"),
        ({"n_obs": 1, "bkg": 1.0, "eff": 0.0}, "eff"),
        ({"n_obs": 1, "bkg": 1.0, "lumi": -5.0}, "lumi"),
        ({"n_obs": 1.5, "bkg": 1.0, "method": "bayes"}, "integer"),
        ({"n_obs": [[1, 2]], "bkg": 1.0}, "n_obs"),
    ],
)
def test_bad_input(kwargs, word):
    with pytest.raises(ParameterError, match=word):
        upper_limits(**kwargs)
