import numpy as np
import pytest

from darkscan.stats import upper_limits
from darkscan.stats.pyhf_adapter import pyhf_upper_limit

MODELS = [(5, 3.0, 0.0), (0, 2.0, 0.4), (20, 10.0, 2.0), (100, 120.0, 10.0), (50, 400.0, 100.0)]


@pytest.mark.parametrize(("n", "b", "s"), MODELS)
def test_asymptotic_cls_equals_pyhf(n, b, s):
    obs, exp = pyhf_upper_limit(n, b, s, cl=0.9)
    r = upper_limits(n, b, s, cl=0.9)
    assert r.observed[0] == pytest.approx(obs, rel=1e-4)
    assert r.expected[:, 0] == pytest.approx(exp, rel=1e-4)


def test_pyhf_level_is_respected():
    # guards against pyhf 0.7.6 upper_limit ignoring ``level``: 95% must be above 90%
    o90, _ = pyhf_upper_limit(5, 3.0, 0.0, cl=0.9)
    o95, _ = pyhf_upper_limit(5, 3.0, 0.0, cl=0.95)
    assert o90 == pytest.approx(5.8132249, rel=1e-5)
    assert o95 > o90 * 1.15
    assert upper_limits(5, 3.0, cl=0.95).observed[0] == pytest.approx(o95, rel=1e-4)
    assert np.isfinite(o95)
