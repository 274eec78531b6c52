"""The MVA step: per-mass-range networks learn a separable toy, choose a Punzi cut, cache."""

from __future__ import annotations

import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.select.mva import MassBinnedMLP, TrainingSet


def _toy(seed: int) -> tuple[list[TrainingSet], list[TrainingSet]]:
    rng = np.random.default_rng(seed)
    signal = []
    for m in (1.0, 3.0):  # signal: x near +1, y near 0; a narrow peak in mass
        n = 2_000
        signal.append(TrainingSet({"x": rng.normal(1.0, 0.5, n), "y": rng.normal(0.0, 1.0, n),
                                   "mass": rng.normal(m, 0.005, n)}, np.ones(n), m))
    n = 40_000  # background: x near −1, flat in mass
    bkg = TrainingSet({"x": rng.normal(-1.0, 0.7, n), "y": rng.normal(0.0, 1.0, n),
                       "mass": rng.uniform(0.5, 4.0, n)}, np.full(n, 0.5))
    return signal, [bkg]


def test_networks_separate_a_toy_and_cut_at_the_punzi_optimum(tmp_path) -> None:
    spec = MassBinnedMLP(("x", "y"), "mass", (0.5, 2.0, 4.0), hidden=(8,), epochs=5)
    signal, bkg = _toy(3)
    trained = spec.train(signal, bkg, seed=1, cache=tmp_path)
    for r in trained.summary():
        assert r["auc"] > 0.95  # the x distributions overlap at the 2σ level
        # the cut trades signal for background: ε/√ε_B at least 3× better than no cut
        eff = min(r["signal_efficiency"].values())
        assert eff > 0.5
        assert eff / np.sqrt(r["background_efficiency"]) > 3.0
    # applied to independent samples: signal kept, background cut
    sig2, bkg2 = _toy(4)
    assert trained.passes(sig2[0].values).mean() > 0.5
    assert trained.passes(bkg2[0].values).mean() < 0.1
    # a candidate outside every range fails the step
    assert not trained.passes({"x": np.array([1.0]), "y": np.array([0.0]),
                               "mass": np.array([7.0])})[0]
    # cached by content: the same training is read back, with the same cuts and scores
    again = spec.train(signal, bkg, seed=1, cache=tmp_path)
    for a, b in zip(again.ranges, trained.ranges, strict=True):
        np.testing.assert_array_equal(a.cuts, b.cuts)
    np.testing.assert_allclose(again.score(sig2[1].values), trained.score(sig2[1].values))
    assert len(list(tmp_path.glob("mlp-*.npz"))) == 1


def test_the_scanned_mass_is_never_a_feature() -> None:
    with pytest.raises(ParameterError, match="sculpt"):
        MassBinnedMLP(("x", "mass"), "mass", (0.0, 1.0))
    with pytest.raises(ParameterError, match="increasing"):
        MassBinnedMLP(("x",), "mass", (1.0, 0.0))


def test_features_are_cut_language_expressions() -> None:
    spec = MassBinnedMLP(("x / mass", "abs(y)"), "mass", (0.0, 5.0))
    assert spec.columns == ("mass", "x", "y")
    values = {"x": np.array([1.0, 4.0]), "y": np.array([-2.0, 3.0]), "mass": np.array([2.0, 2.0])}
    np.testing.assert_allclose(spec.matrix(values), [[0.5, 2.0], [2.0, 3.0]])


def test_the_cut_is_smooth_in_the_mass_through_the_signal_points() -> None:
    from darkscan.select.mva import RangeNet

    two = RangeNet(0.5, 4.0, np.zeros(1), np.ones(1), [], np.array([1.0, 3.0]),
                   np.array([0.2, 0.6]))
    # the line through the points, held at their cuts beyond them
    np.testing.assert_allclose(two.threshold(np.array([0.5, 1.0, 2.0, 3.0, 4.0])),
                               [0.2, 0.2, 0.4, 0.6, 0.6])
    # three or more points: the least-squares quadratic, no kink at a point, within [0, 1]
    three = RangeNet(0.5, 6.0, np.zeros(1), np.ones(1), [], np.array([1.0, 3.0, 5.0]),
                     np.array([0.2, 0.6, 0.2]))
    np.testing.assert_allclose(three.threshold(np.array([1.0, 3.0, 5.0])), [0.2, 0.6, 0.2],
                               atol=1e-12)
    # 0.6 − 0.1·(m − 3)² between the points; beyond the outer ones held, not continued along
    # the tangent (which reached 0 at 5.5 here and 1 before the range's edge in the 4μ search)
    np.testing.assert_allclose(three.threshold(np.array([4.0, 5.5, 0.6])), [0.5, 0.2, 0.2],
                               atol=1e-12)
    # the least-squares quadratic through the μμττ cuts of 7.65–9.75 GeV rises above the
    # tightest (to 1 at 9.75: nothing passed there); it is held within the chosen cuts
    five = RangeNet(7.5, 10.5, np.zeros(1), np.ones(1), [], np.array([7.65, 8.0, 9.0, 9.5, 9.75]),
                    np.array([0.962, 0.873, 0.883, 0.974, 0.985]))
    coef = np.polyfit(five.masses, five.cuts, 2)
    assert np.polyval(coef, 9.75) > 0.985
    t = five.threshold(np.linspace(7.5, 10.5, 301))
    assert t.max() == pytest.approx(0.985) and t.min() >= 0.873
    assert five.threshold(np.array([9.75]))[0] == pytest.approx(0.985)
    one = RangeNet(0.5, 6.0, np.zeros(1), np.ones(1), [], np.array([2.0]), np.array([0.7]))
    np.testing.assert_allclose(one.threshold(np.array([0.6, 5.0])), [0.7, 0.7])
    assert np.all(RangeNet.pass_all(0.0, 1.0, 1, "none").threshold(np.ones(3)) == -np.inf)


def test_a_point_with_too_few_candidates_chooses_no_cut() -> None:
    """A signal point near the kinematic end keeps a handful of candidates: it must not choose
    a cut (it took the grid's lowest, and the polynomial through the range's cuts swung to 1 at
    the neighbouring point); the range's other points' cuts serve it."""
    signal, bkg = _toy(5)
    few = TrainingSet({k: v[:12] for k, v in signal[1].values.items()}, np.ones(12), 3.0)
    spec = MassBinnedMLP(("x", "y"), "mass", (0.5, 4.0), hidden=(8,), epochs=3)
    (net,) = spec.train([signal[0], few], bkg, seed=1).ranges
    assert list(net.masses) == [1.0]
    assert net.threshold(np.array([3.0]))[0] == pytest.approx(net.cuts[0])
    (both,) = spec.train(signal, bkg, seed=1).ranges
    assert list(both.masses) == [1.0, 3.0]
