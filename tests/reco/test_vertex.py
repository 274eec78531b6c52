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


def _tracks_from(point: tuple[float, float, float], momenta: list[tuple[float, float, float]],
                 charges: list[float], b_field: float) -> list[dict[str, np.ndarray]]:
    """Perigee tracks of particles leaving ``point`` with ``momenta`` (the helix module's own
    perigee parameters: what the detector records)."""
    from darkscan.detector import helix

    out = []
    for (px, py, pz), q in zip(momenta, charges, strict=True):
        h = helix.perigee(*(np.array([v]) for v in (*point, px, py, pz, q)), b_field)
        out.append({"px": np.array([px]), "py": np.array([py]), "pz": np.array([pz]),
                    "charge": np.array([q]), "d0": h["d0"], "phi0": h["phi0"], "z0": h["z0"],
                    "tanl": h["tanl"], "sigma_d0": np.full(1, 0.01),
                    "sigma_z0": np.full(1, 0.02)})
    return out


def test_conversion_point_of_a_photon_and_of_an_unrelated_pair() -> None:
    """A 1 GeV photon converting at r = 4 cm into 0.1 and 0.9 GeV e∓ along its direction: the
    two circles touch there (ΔR = 0), the helices meet (Δz = 0) and the pair is massless
    (its mass that of two collinear electrons, ≈ 3.3 m_e for momenta 1:9). The second track
    turned by 0.3 rad in the transverse plane: the circles overlap by 0.9 cm (the momenta at
    the points compared are parallel by construction, so the mass is the same); tilted by 0.2
    in tanλ instead: the circles touch, and the mass is that of the polar opening."""
    from darkscan.physics.constants import M_E
    from darkscan.reco.vertex import conversion_point

    b, u = 1.5, np.array([np.cos(0.7), np.sin(0.7), 0.3])
    point = (4.0 * np.cos(0.7), 4.0 * np.sin(0.7), 1.2)
    t1, t2 = _tracks_from(point, [tuple(0.1 * u), tuple(0.9 * u)], [-1.0, 1.0], b)
    c = conversion_point(t1, t2, b, M_E)
    assert abs(c["delta_r"][0]) < 1e-6 and abs(c["delta_z"][0]) < 1e-6
    assert np.allclose([c["x"][0], c["y"][0], c["z"][0]], point, atol=1e-6)
    assert c["rho"][0] == pytest.approx(4.0, abs=1e-6)
    e = np.hypot(np.array([0.1, 0.9]) * np.linalg.norm(u), M_E)
    mass = np.sqrt(e.sum() ** 2 - np.linalg.norm(u) ** 2)
    assert c["mass"][0] == pytest.approx(mass, rel=1e-4)
    turned = (0.9 * np.cos(1.0), 0.9 * np.sin(1.0), 0.27)
    t1, t2 = _tracks_from(point, [tuple(0.1 * u), turned], [-1.0, 1.0], b)
    c = conversion_point(t1, t2, b, M_E)
    assert c["delta_r"][0] == pytest.approx(-0.90, abs=0.01)
    assert c["mass"][0] == pytest.approx(mass, rel=1e-4)
    tilted = (0.9 * u[0], 0.9 * u[1], 0.9 * 0.5)
    t1, t2 = _tracks_from(point, [tuple(0.1 * u), tilted], [-1.0, 1.0], b)
    c = conversion_point(t1, t2, b, M_E)
    assert abs(c["delta_r"][0]) < 1e-6 and abs(c["delta_z"][0]) < 1e-6
    p1, p2 = 0.1 * u, np.array(tilted)
    e1, e2 = np.hypot(np.linalg.norm(p1), M_E), np.hypot(np.linalg.norm(p2), M_E)
    assert c["mass"][0] == pytest.approx(np.sqrt((e1 + e2) ** 2 - np.sum((p1 + p2) ** 2)),
                                         rel=1e-4)  # 56 MeV


def test_simulated_conversions_are_found_by_their_conversion_point() -> None:
    """Photons of 0.05–2 GeV converting in the material: their e⁺e⁻ circles touch (|ΔR| <
    0.5 cm), the helices meet (|Δz| < 1 cm) and the pair is massless there (< 13 MeV) for ~99%;
    the mass at the fitted vertex is not (most of them above 20 MeV: the fit takes a crossing
    of two nearly touching circles, cm from the conversion)."""
    from darkscan.reco.checks import conversion_pairs

    c = conversion_pairs()
    assert len(c["M"]) > 500
    assert np.quantile(np.abs(c["conv_delta_r"]), 0.95) < 0.5
    assert np.quantile(np.abs(c["conv_delta_z"]), 0.95) < 1.0
    assert np.quantile(c["conv_M"], 0.95) < 0.013
    assert np.median(np.abs(c["conv_rho"] - c["mc_vr"])) < 0.3
    assert np.mean(c["M"] > 0.02) > 0.6
