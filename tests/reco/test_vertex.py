"""Two-track vertex fit on displaced decays."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.detector import simulate
from darkscan.detector.toy import llp_two_track_sample
from darkscan.reco import reconstruct


@pytest.mark.parametrize("length", [0.0, 5.0, 30.0])
def test_vertex_position_and_reduced_mass(length: float) -> None:
    s = llp_two_track_sample(3000, seed=1, decay_length=np.full(3000, length), mass=1.0,
                             daughter_pdg=211)
    nt = reconstruct(simulate(s, seed=2, beam_background_rate=0.0), "vpho -> pi+ pi-").events
    parts = s.events.particles
    true_r = ak.to_numpy(np.hypot(parts.vx[:, 1], parts.vy[:, 1]))[ak.to_numpy(nt.event)]
    dr = ak.to_numpy(nt.vtx_r) - true_r
    assert len(nt) > 1000
    assert abs(np.median(dr)) < 0.02
    assert np.percentile(np.abs(dr), 68) < {0.0: 0.01, 5.0: 0.06, 30.0: 0.5}[length]
    assert np.median(ak.to_numpy(nt.M_vtx)) == pytest.approx(1.0, abs=0.01)
    red = np.sqrt(1.0 - 4 * 0.13957**2)
    assert np.median(ak.to_numpy(nt.M_reduced)) == pytest.approx(red, abs=0.01)
    if length > 0:
        assert np.median(ak.to_numpy(nt.cos_pointing)) > 0.999


def test_vertex_fit_is_reconstruction() -> None:
    """DESIGN §4.2: the fit lives in reco; the detector only smears and records hits."""
    import importlib.util

    from darkscan.reco.vertex import fit_vertex

    assert importlib.util.find_spec("darkscan.detector.vertexing") is None
    # two tracks from the origin (d0 = z0 = 0), opposite charges, 1.5 T
    px, py, pz = np.array([0.8, -0.3]), np.array([0.5, -0.9]), np.array([0.4, 0.2])
    pt = np.hypot(px, py)
    tracks = [{"px": px[[k]], "py": py[[k]], "pz": pz[[k]], "charge": np.array([q]),
               "d0": np.zeros(1), "phi0": np.arctan2(py[[k]], px[[k]]), "z0": np.zeros(1),
               "tanl": pz[[k]] / pt[[k]], "sigma_d0": np.full(1, 0.01),
               "sigma_z0": np.full(1, 0.02)} for k, q in ((0, 1.0), (1, -1.0))]
    v = fit_vertex(tracks[0], tracks[1], 1.5)
    assert np.allclose([v["x"], v["y"], v["z"], v["doca"], v["chi2"]], 0.0, atol=1e-9)
    assert np.allclose(v["p1"], [[0.8, 0.5, 0.4]]) and np.allclose(v["p2"], [[-0.3, -0.9, 0.2]])


@pytest.mark.parametrize("length", [0.0, 3.0, 10.0, 30.0])
def test_true_vertices_match_their_tracks_hits(length: float) -> None:
    """Displaced decays reconstructed at their vertex: no track has a PXD/SVD layer inside it
    and none misses one after it (the vertex radius within its tolerance of a layer can move a
    layer either way in a few events)."""
    s = llp_two_track_sample(2000, seed=3, decay_length=np.full(2000, length), mass=1.0,
                             daughter_pdg=211)
    nt = reconstruct(simulate(s, seed=4, beam_background_rate=0.0), "vpho -> pi+ pi-",
                     variables=["vtx_hits_inside", "vtx_missing_hits"]).events
    inside, missing = ak.to_numpy(nt.vtx_hits_inside), ak.to_numpy(nt.vtx_missing_hits)
    assert len(nt) > 800
    assert np.mean(inside == 0) > 0.98 and np.mean(missing == 0) > 0.98


def test_hit_pattern_of_a_vertex_inside_or_beyond_the_tracks_first_layer() -> None:
    """One 1 GeV track flying radially outward at z = 0 crosses the 2 PXD and 4 SVD layers
    (1.4, 2.2; 4, 8, 11.5, 14 cm) from the axis: from 0.5 cm all six; from 5 cm three."""
    from darkscan.reco.vertex import hit_pattern

    pos = np.array([[0.5, 0.0, 0.0], [5.0, 0.0, 0.0], [0.5, 0.0, 0.0], [0.5, 0.0, 0.0]])
    p3 = np.array([[[1.0, 0.0, 0.0]]] * 4)
    observed = np.array([[6.0], [6.0], [1.0], [np.nan]])
    inside, missing = hit_pattern(pos, np.full(4, 0.01), p3, np.ones((4, 1)), observed, 1.5)
    assert np.array_equal(inside[:3], [0.0, 3.0, 0.0]) and np.isnan(inside[3])
    assert np.array_equal(missing[:3], [0.0, 0.0, 5.0]) and np.isnan(missing[3])
