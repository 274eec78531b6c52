"""The BDT MVA step (select.bdt.ContinuumBDT): separation, the cut, caching, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.select.bdt import ContinuumBDT, TrainedBDT
from darkscan.select.mva import TrainingSet

pytest.importorskip("xgboost")


def _sets(seed: int, n_sig: int = 1500, n_bkg: int = 4000
          ) -> tuple[list[TrainingSet], list[TrainingSet]]:
    """Two signal points (peaks at 1 and 2 GeV) with x ~ N(+1, 1) and a background flat in
    mass with x ~ N(−1, 1); y is noise in both."""
    rng = np.random.default_rng(seed)
    sig = []
    for m in (1.0, 2.0):
        v = {"x": rng.normal(1.0, 1.0, n_sig), "y": rng.normal(0.0, 1.0, n_sig),
             "M": rng.normal(m, 0.01, n_sig)}
        sig.append(TrainingSet(v, np.ones(n_sig), m))
    b = {"x": rng.normal(-1.0, 1.0, n_bkg), "y": rng.normal(0.0, 1.0, n_bkg),
         "M": rng.uniform(0.5, 2.5, n_bkg)}
    return sig, [TrainingSet(b, np.full(n_bkg, 3.0))]


def test_bdt_separates_and_cuts(tmp_path: Path) -> None:
    spec = ContinuumBDT(("x", "abs(y)"), "M", n_trees=50)
    sig, bkg = _sets(1)
    trained = spec.train(sig, bkg, seed=3, cache=tmp_path)
    info = trained.summary()
    # two unit Gaussians 2 apart: AUC = Φ(2/√2) = 0.921 (the noise feature adds nothing)
    assert info["auc"] == pytest.approx(0.921, abs=0.015)
    # a point's peak is ±2% of its mass: ±2σ at 1 GeV (95.4% of 1500), ±4σ at 2 GeV (all)
    assert info["n_signal"] == pytest.approx(1431 + 1500, abs=20)
    assert info["n_background"] == 4000
    # the cut is where Punzi's ε/(a/2 + √B) is largest. By hand (the BDT is monotonic in x):
    # B = 12000 × 0.02 (4σ of 10 MeV over 2 GeV) × Φ̄(c + 1), ε = Φ̄(c − 1), a/2 = 0.82: the
    # optimum is at c = 1.13, ε = 0.45, ε_B = 0.017, 2.40 times the FOM without a cut; the FOM
    # is flat there, so the held-out half's fluctuations move ε between ~0.3 and 0.55
    assert info["window_share"] == pytest.approx(0.02, abs=0.002)
    assert 0.25 < info["signal_efficiency"] < 0.6
    assert info["background_efficiency"] < 0.03
    assert info["punzi_gain"] == pytest.approx(2.40, abs=0.25)
    # applied to independent events: the efficiencies the held-out half measured
    sig2, bkg2 = _sets(2)
    eff_s = np.mean([trained.passes(s.values).mean() for s in sig2])
    eff_b = trained.passes(bkg2[0].values).mean()
    assert eff_s == pytest.approx(info["signal_efficiency"], abs=0.03)
    assert eff_b == pytest.approx(info["background_efficiency"], abs=0.006)
    # cached: the same training is read back, not redone, and cuts the same candidates
    files = list(tmp_path.glob("bdt-*.json"))
    assert len(files) == 1
    again = spec.train(sig, bkg, seed=3, cache=tmp_path)
    assert again.cut == trained.cut and again.model == trained.model
    np.testing.assert_array_equal(again.score(bkg2[0].values), trained.score(bkg2[0].values))
    # deterministic without the cache, different with another seed (another split)
    assert spec.train(sig, bkg, seed=3).model == trained.model
    assert spec.train(sig, bkg, seed=4).model != trained.model


def test_bdt_untrained_and_checks() -> None:
    spec = ContinuumBDT(("x",), "M", n_trees=5)
    sig, bkg = _sets(1, n_sig=10, n_bkg=10)
    trained = spec.train(sig, bkg, seed=1)
    assert isinstance(trained, TrainedBDT) and "untrained" in trained.summary()
    assert trained.passes(bkg[0].values).all()
    with pytest.raises(ParameterError, match="must not be a feature"):
        ContinuumBDT(("M",), "M")
    with pytest.raises(ParameterError, match="positive"):
        ContinuumBDT(("x",), "M", n_trees=0)


def test_training_pool_is_the_looser_selection_weighted_to_the_tight_one() -> None:
    """A BDT with a training_selection trains on the looser candidates; the background there
    weighs the share of it the channel's selection keeps, so that the figure of merit counts
    the selected background."""
    from darkscan.physics.units import Luminosity
    from darkscan.searches.runner import selected_candidates, training_pool
    from darkscan.searches.samples import Ntuple
    from darkscan.searches.spec import SampleSpec

    rng = np.random.default_rng(5)
    lum = Luminosity(1000.0)

    def ntuple(name: str, n: int, sigma_pb: float) -> Ntuple:
        cols = {"Mbc": rng.uniform(5.2, 5.29, n), "x": rng.normal(0.0, 1.0, n),
                "M": rng.uniform(0.5, 2.5, n)}
        return Ntuple(name, name, cols, np.ones(n), sigma_pb, n, None)  # type: ignore[arg-type]

    bkg = SampleSpec("bb_training", "belle_upsilon4s_bb", 900, 900, "B B")
    grid = SampleSpec("sig_training", "belle_upsilon4s_bb_kplus_alp", 300, 300, "K a")
    points = [{"mass": 1.0}]
    from darkscan.searches.runner import sample_id

    sid = sample_id(grid, points[0])
    ntuples = {bkg.id: ntuple(bkg.id, 900, 3.0), sid: ntuple(sid, 300, 0.1)}
    kept = ("Mbc", "x", "M")
    tight = ("Mbc > 5.27",)
    selected = {k: selected_candidates(nt, tight, kept, lum) for k, nt in ntuples.items()}
    spec = ContinuumBDT(("x",), "M", training_selection=("Mbc > 5.2",))
    assert set(spec.columns) == {"x", "M", "Mbc"}
    pool = training_pool(spec, selected, ntuples, grid, (bkg,), points, kept, lum)
    # every candidate of the wide region, ~4.5× the signal region's (uniform in 5.2–5.29)
    assert len(pool[bkg.id].weight) == 900 and len(pool[sid].weight) == 300
    assert len(selected[bkg.id].weight) == pytest.approx(200, abs=40)
    # the loose background carries the selected background's total weight
    assert pool[bkg.id].weight.sum() == pytest.approx(selected[bkg.id].weight.sum(), rel=1e-12)
    assert pool[sid].mc_weight.sum() == 300  # the signal's weights are its own
    # without a training selection the pool is the selected candidates themselves
    plain = ContinuumBDT(("x",), "M")
    assert training_pool(plain, selected, ntuples, grid, (bkg,), points, kept, lum) is selected
