"""The CDC GNN finder: object-condensation loss, clustering, and the shipped model on a few
events (no training here)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from darkscan.detector.cdc import gnn  # noqa: E402
from darkscan.detector.cdc.evaluate import evaluate, match  # noqa: E402
from darkscan.detector.cdc.hits import simulate_process  # noqa: E402


def test_condensation_loss_prefers_the_true_clustering():
    # two objects of 5 hits and 2 noise hits in one event
    obj = torch.tensor([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, -1, -1])
    batch = torch.zeros(12, dtype=torch.long)
    target = torch.zeros(12, 7)

    def out(coords, beta):
        n = len(beta)
        return {"beta": torch.tensor(beta), "coords": torch.tensor(coords, dtype=torch.float32),
                "p": torch.zeros(n, 3), "charge": torch.zeros(n), "vertex": torch.zeros(n, 3)}

    beta = [0.9, .1, .1, .1, .1, 0.9, .1, .1, .1, .1, 0.01, 0.01]
    good = [[0, 0, 0]] * 5 + [[3, 0, 0]] * 5 + [[0, 3, 0], [0, -3, 0]]
    mixed = [[0, 0, 0], [3, 0, 0]] * 2 + [[0, 0, 0]] + [[3, 0, 0], [0, 0, 0]] * 2 + [[3, 0, 0]] \
        + [[0, 3, 0], [0, -3, 0]]
    l_good, _ = gnn.condensation_loss(out(good, beta), obj, batch, target)
    l_mixed, _ = gnn.condensation_loss(out(mixed, beta), obj, batch, target)
    assert float(l_good) < 0.5 * float(l_mixed)
    noisy = [*beta[:10], 0.9, 0.9]  # background hits that condense are penalised
    l_noisy, parts = gnn.condensation_loss(out(good, noisy), obj, batch, target)
    assert parts["beta"] > 0.8 and float(l_noisy) > float(l_good)


def test_clustering_walks_condensation_points():
    coords = np.array([[0, 0, 0], [0.1, 0, 0], [0.2, 0, 0], [5, 5, 5], [5.1, 5, 5], [9, 9, 9.]])
    beta = np.array([0.9, 0.2, 0.3, 0.8, 0.1, 0.2])
    assert list(gnn._cluster(beta, coords)) == [0, 0, 0, 1, 1, -1]


@pytest.mark.skipif(not gnn.MODEL_PATH.exists(), reason="no shipped model")
def test_shipped_model_finds_prompt_tracks():
    hits = simulate_process("prompt_tracks", 12, seed=12)
    tracks = gnn.find_tracks_gnn(hits)
    assert all(np.all(np.diff(h) > 0) for h in tracks["hit_index"])
    s = evaluate(hits, tracks)["summary"]
    # measured 21/21 found with the right charge, two clones, no fakes (seed 12; the model
    # before the longer training: 18/21 found, 16/21 with the right charge)
    assert s["finding_efficiency"] >= 0.9 and s["efficiency"] >= 0.85
    assert s["fake_rate"] <= 0.1


@pytest.mark.skipif(not gnn.MODEL_PATH.exists(), reason="no shipped model")
def test_shipped_model_finds_displaced_tracks():
    hits = simulate_process("llp_displaced", 80, seed=4)
    m = match(hits, gnn.find_tracks_gnn(hits))
    daughters = m["mc_radius"] > 0
    # measured (seed 4): 151 LLP daughters, 75% found with the right charge, 89% found, 5% of
    # the tracks fakes (the model shipped before, 1500 events × 8 epochs: 68% and 77% on a
    # 600-event sample)
    assert np.mean(m["mc_efficient"][daughters]) >= 0.70
    assert np.mean(m["mc_found"][daughters]) >= 0.80
    assert np.mean(m["trk_status"] == "fake") <= 0.08
