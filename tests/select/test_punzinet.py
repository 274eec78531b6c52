"""The Punzi-net MVA step: its loss is Punzi's FOM (the public code's form), a tiny synthetic
training converges and beats its BCE start, trained networks are cached by content hash, and
inference is vectorised numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.select.mva import TrainingSet
from darkscan.select.punzinet import PunziNet, TrainedPunziNet, soft_punzi_fom
from darkscan.stats.punzi import punzi_fom, punzi_smin


def _toy(seed: int) -> tuple[list[TrainingSet], list[TrainingSet]]:
    """Signal peaks at m = 1, 2, 3 (σ = 0.05) with a feature x ~ N(+1.5, 1); background flat in
    m over [0, 4], x ~ N(−1, 1), 2000 expected events; a second feature is noise."""
    rng = np.random.default_rng(seed)
    signal = []
    for mass in (1.0, 2.0, 3.0):
        n = 1500
        signal.append(TrainingSet({"m": rng.normal(mass, 0.05, n),
                                   "x": rng.normal(1.5, 1.0, n), "z": rng.normal(0, 1, n)},
                                  np.ones(n), mass))
    n = 40_000
    bkg = TrainingSet({"m": rng.uniform(0.0, 4.0, n), "x": rng.normal(-1.0, 1.0, n),
                       "z": rng.normal(0, 1, n)}, np.full(n, 2000.0 / n))
    return signal, [bkg]


_SPEC = PunziNet(("x", "z"), "m", hidden=(8,), bce_epochs=3, punzi_epochs=60)


def test_soft_fom_is_punzi_public_form() -> None:
    torch = pytest.importorskip("torch")
    y_s = torch.tensor([0.9, 0.5, 0.2], dtype=torch.float64)
    y_b = torch.tensor([0.1, 0.7, 0.3, 0.05], dtype=torch.float64)
    sig_w = torch.tensor([[0.2, 0.3, 0.0], [0.0, 0.1, 0.4]], dtype=torch.float64)
    bkg_w = torch.tensor([[5.0, 0.0, 2.0, 10.0], [0.0, 30.0, 1.0, 0.0]], dtype=torch.float64)
    got = soft_punzi_fom(y_s, sig_w, y_b, bkg_w, 3.0, 1.28155).numpy()
    eff = sig_w.numpy() @ y_s.numpy()
    bkg = bkg_w.numpy() @ y_b.numpy()
    assert got == pytest.approx(punzi_fom(eff, bkg, 3.0, 1.28155, form="poisson"), rel=1e-9)
    # at B = 0: the public code's constant a²/8 + 9b²/13 (Punzi's Gaussian form: b²/2), plus
    # (b/2)·b from the square root
    b = 1.28155
    assert punzi_smin(0.0, form="poisson") == pytest.approx(9 / 8 + 9 * b**2 / 13 + b**2 / 2)
    assert punzi_smin(0.0) == pytest.approx(b**2)


def test_poisson_form_follows_exact_poisson_smin() -> None:
    """At B = 5 the exact Poisson S_min (3σ one-sided discovery with 90% power) is 13.96
    events; the Poisson-fit form is within 4%, the Gaussian 14% low; at B = 100 both are within
    3%."""
    from darkscan.stats.checks import exact_poisson_smin, punzi_poisson_form

    exact = exact_poisson_smin(5.0)
    assert exact == pytest.approx(13.96, abs=0.01)
    assert punzi_smin(5.0, form="poisson") == pytest.approx(exact, rel=0.04)
    assert punzi_smin(5.0) < 0.88 * exact
    large = exact_poisson_smin(100.0)
    assert punzi_smin(100.0) == pytest.approx(large, rel=0.04)
    assert punzi_smin(100.0, form="poisson") == pytest.approx(large, rel=0.01)
    assert punzi_poisson_form().value == pytest.approx(13.43, abs=0.01)


def test_unknown_form_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="form must be one of"):
        punzi_smin(1.0, form="exact")


def test_tiny_training_converges_and_cuts(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    signal, bkg = _toy(1)
    trained = _SPEC.train(signal, bkg, seed=3, cache=tmp_path)
    after_bce = np.asarray(trained.info["soft_fom_after_bce"])
    after = np.asarray(trained.info["soft_fom_after_punzi"])
    assert np.all(after > after_bce)  # the Punzi-loss improves every window's FOM
    assert float(trained.info["auc"]) > 0.9  # x separates by 2.5σ: AUC ≈ 0.96
    np.testing.assert_allclose(trained.masses, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(trained.centres, [1.0, 2.0, 3.0], atol=0.01)
    np.testing.assert_allclose(trained.halves, 0.1, rtol=0.15)  # ±2σ, σ = 0.05
    # the hard cut keeps most of the signal and leaves a fraction of the ~100 background
    # events each ±0.1 window holds
    assert np.all(trained.efficiency > 0.35)  # of all the point's candidates; 95% in its window
    assert np.all(trained.background < 40.0)
    # vectorised inference on fresh events: a signal-like event passes, a background-like fails
    vals = {"m": np.array([2.0, 2.0]), "x": np.array([3.0, -3.0]), "z": np.zeros(2)}
    np.testing.assert_array_equal(trained.passes(vals), [True, False])
    # the cache: one file named by the content hash, read back identically
    files = list(tmp_path.glob("punzinet-*.npz"))
    assert len(files) == 1
    again = _SPEC.train(signal, bkg, seed=3, cache=tmp_path)
    np.testing.assert_array_equal(again.cuts, trained.cuts)
    np.testing.assert_array_equal(again.score(vals), trained.score(vals))
    loaded = TrainedPunziNet.load(files[0], _SPEC)
    assert loaded.summary()["windows"] == trained.summary()["windows"]
    # other training data: another hash, another file
    signal2, bkg2 = _toy(2)
    _SPEC.train(signal2, bkg2, seed=3, cache=tmp_path)
    assert len(list(tmp_path.glob("punzinet-*.npz"))) == 2


def test_declaration_errors() -> None:
    with pytest.raises(ParameterError, match="must not be a feature"):
        PunziNet(("x", "m"), "m")
    with pytest.raises(ParameterError, match="needs features"):
        PunziNet((), "m")
