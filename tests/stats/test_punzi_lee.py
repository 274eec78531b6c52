import numpy as np
import pytest

from darkscan.stats import (
    count_upcrossings,
    discovery_significance,
    global_pvalue,
    global_significance,
    punzi_fom,
    punzi_fom_simple,
    punzi_smin,
)


def test_punzi_numbers():
    # B=16, a=3, b=2: S_min = 2 + 12 + 1*sqrt(4 + 48 + 64) = 14 + sqrt(116)
    assert punzi_smin(16.0, a=3, b=2) == pytest.approx(14 + np.sqrt(116.0))
    assert punzi_fom(0.5, 16.0, a=3, b=2) == pytest.approx(0.5 / (14 + np.sqrt(116.0)))
    assert punzi_fom_simple(0.5, 16.0, a=3) == pytest.approx(0.5 / 5.5)
    # B=0: S_min = b^2 (a, b only)
    assert punzi_smin(0.0, a=5, b=1.28155) == pytest.approx(1.28155**2)
    arr = punzi_fom(np.array([0.2, 0.4]), np.array([1.0, 100.0]))
    assert arr.shape == (2,)


def test_upcrossings():
    q = np.array([[0, 1, 0, 2, 3, 0, 1], [0, 0, 0, 0, 0, 0, 0]], float)
    assert count_upcrossings(q, 0.5).tolist() == [3, 0]


def test_gross_vitells_against_toys():
    rng = np.random.default_rng(3)
    nb, w, bkg = 200, 5, 50.0
    h = rng.poisson(bkg, (3000, nb))
    c = np.cumsum(np.pad(h, ((0, 0), (1, 0))), axis=1)
    win = (c[:, w:] - c[:, :-w]).astype(float)
    q = discovery_significance(win.ravel(), w * bkg).z.reshape(win.shape) ** 2
    n_up = count_upcrossings(q[:300], 0.5).mean()
    qmax = q[300:].max(axis=1)
    for u in (9.0, 12.0):
        toys = np.mean(qmax > u)
        gv = global_pvalue(u, n_up, 0.5)
        assert gv == pytest.approx(toys, rel=0.35)
        assert gv >= 0.9 * toys  # GV is an upper bound at large u
    g = global_significance(q[0], toy_scans=q[:300])
    assert g.global_z < g.local_z
    assert 0 < g.global_p <= 1


def test_global_significance_toys_dilutes_the_largest_excess() -> None:
    from darkscan.stats import discovery_significance, global_significance_toys

    b = np.full(50, 20.0)
    n = np.full(50, 20.0)
    n[17] = 40.0                                           # one ~4σ local excess
    z = discovery_significance(n, b).z
    g = global_significance_toys(z, b, ntoys=4000, seed=3)
    assert g.local_z == pytest.approx(float(np.max(z)))
    assert 3.5 < g.local_z < 4.5
    assert g.global_z < g.local_z - 0.8                    # 50 trials cost about one σ
    assert 0 < g.global_p < 0.05
    # no excess at all: the global p-value is large
    flat = global_significance_toys(discovery_significance(b, b).z, b, ntoys=1000, seed=4)
    assert flat.global_p > 0.5
