"""The ECL's crystal grid and the merging of showers whose crystals touch."""

from __future__ import annotations

import numpy as np
import pytest

from darkscan.detector.calorimeter import merge_close_clusters
from darkscan.detector.geometry import ECL_BARREL, ECL_BWD, ECL_FWD, ecl_crystal_rings
from darkscan.detector.parameters import BELLE2_DETECTOR


def test_rings_hold_the_crystal_counts_with_faces_of_a_crystal_size() -> None:
    rings, n_phi = ecl_crystal_rings(BELLE2_DETECTOR)
    for region, count in ((ECL_FWD, 1152), (ECL_BARREL, 6624), (ECL_BWD, 960)):
        first, width, n, offset = rings[region]
        cells = n_phi[int(offset):int(offset + n)]
        assert cells.sum() == count
        if region == ECL_BARREL:
            faces = np.full(len(cells), 2 * np.pi * BELLE2_DETECTOR.ecl_r_barrel / 144)
        else:
            faces = 2 * np.pi * (first + width * (np.arange(len(cells)) + 0.5)) / cells
        # Belle's crystals: front faces of about 4.5–7 cm
        assert 5.0 < width < 7.5 and np.all((faces > 5.0) & (faces < 6.0))


def _resolved_fraction(separation_cm: float, n: int = 4000, seed: int = 3) -> float:
    """Two equal photons at θ = 90° in the barrel, ``separation_cm`` apart in φ at the front
    face, at random places on the crystal grid: the fraction left as two clusters."""
    rng = np.random.default_rng(seed)
    r = BELLE2_DETECTOR.ecl_r_barrel
    phi1 = rng.uniform(-np.pi, np.pi, n)
    phi2 = phi1 + separation_cm / r
    cl = {"keep": np.ones(2 * n, bool), "E": np.ones(2 * n),
          "theta": np.full(2 * n, np.pi / 2 + 0.01), "region": np.full(2 * n, ECL_BARREL, np.int8),
          "phi": np.arctan2(np.sin(np.stack([phi1, phi2], 1)),
                            np.cos(np.stack([phi1, phi2], 1))).ravel()}
    merge_close_clusters(cl, np.repeat(np.arange(n), 2), np.zeros(2 * n), n, BELLE2_DETECTOR)
    return float(np.mean(cl["keep"].reshape(n, 2).all(axis=1)))


@pytest.mark.parametrize("faces", [0.6, 0.99, 1.25, 1.5, 1.8, 2.01, 3.0])
def test_two_showers_stay_apart_when_a_crystal_lies_between(faces: float) -> None:
    """Separated by d along φ, the showers' crystals are two or more apart (one between them)
    with probability min(max(d/w − 1, 0), 1) for crystals of width w."""
    w = 2 * np.pi * BELLE2_DETECTOR.ecl_r_barrel / 144
    expected = min(max(faces - 1.0, 0.0), 1.0)
    assert _resolved_fraction(faces * w) == pytest.approx(expected, abs=0.03)


def test_merged_cluster_keeps_the_energy_at_the_weighted_position() -> None:
    cl = {"keep": np.ones(2, bool), "E": np.array([3.0, 1.0]), "theta": np.full(2, np.pi / 2),
          "phi": np.array([0.0, 0.02]), "region": np.full(2, ECL_BARREL, np.int8)}
    merge_close_clusters(cl, np.zeros(2, np.int64), np.zeros(2), 1, BELLE2_DETECTOR)
    assert cl["keep"].tolist() == [True, False]
    assert cl["E"][0] == pytest.approx(4.0)
    assert cl["phi"][0] == pytest.approx(0.005, rel=1e-3)


def _touching_pair(tracked: list[bool], energy: list[float]) -> dict[str, np.ndarray]:
    cl = {"keep": np.ones(2, bool), "E": np.array(energy), "theta": np.full(2, np.pi / 2),
          "phi": np.array([0.0, 0.02]), "region": np.full(2, ECL_BARREL, np.int8)}
    merge_close_clusters(cl, np.zeros(2, np.int64), np.array(tracked), 1, BELLE2_DETECTOR)
    return cl


def test_a_photon_touching_a_track_cluster_joins_it_whatever_its_energy() -> None:
    """The merged cluster stays the charged particle's (matched to its track), even when the
    photon carries more energy; the photon's shower is remembered for the shape."""
    cl = _touching_pair([False, True], [3.0, 0.2])
    assert cl["keep"].tolist() == [False, True]
    assert cl["E"][1] == pytest.approx(3.2)
    assert cl["sub_e"][1] == pytest.approx(3.0)
    assert cl["sub_dist"][1] == pytest.approx(0.02 * BELLE2_DETECTOR.ecl_r_barrel, rel=1e-3)


def test_two_track_clusters_stay_apart() -> None:
    cl = _touching_pair([True, True], [0.2, 0.2])
    assert cl["keep"].tolist() == [True, True]
    assert cl["E"].tolist() == [0.2, 0.2]
