"""Hadronic interactions in the material before the CDC: rate against the map, where they happen,
what comes out (four-momentum, charge, truth links) and the secondary vertices they make."""

from __future__ import annotations

import awkward as ak
import numpy as np

from darkscan.detector import nuclear
from darkscan.detector.fastsim import simulate
from darkscan.detector.parameters import BELLE2_DETECTOR
from darkscan.detector.toy import single_particles
from darkscan.physics.constants import mass

CHARGE = {211: 1, -211: -1, 2212: 1, 2112: 0, 111: 0, 22: 0, 321: 1, -321: -1, 130: 0}


def _hadrons(pdg: int, n: int, p: float, theta: float, seed: int = 1
             ) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    phi = rng.uniform(-np.pi, np.pi, n)
    zeros = np.zeros(n)
    st = np.sin(theta)
    m = mass(pdg)
    return {"x": zeros, "y": zeros.copy(), "z": zeros.copy(), "px": p * st * np.cos(phi),
            "py": p * st * np.sin(phi), "pz": np.full(n, p * np.cos(theta)),
            "E": np.full(n, np.hypot(p, m)), "pdg": np.full(n, pdg, dtype=np.int64),
            "ev": np.arange(n), "local": np.zeros(n, dtype=np.int32),
            "mother": np.full(n, -1, dtype=np.int32), "mother_pdg": np.zeros(n, dtype=np.int32)}


def _interact(pdg: int, n: int, p: float, theta: float, seed: int = 2
              ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    part = _hadrons(pdg, n, p, theta)
    return part, nuclear.interact_hadrons(part, np.ones(n, dtype=np.int64),
                                          np.random.default_rng(seed), BELLE2_DETECTOR)


def test_interaction_rate_follows_the_map_and_the_angle() -> None:
    n = 400_000
    lam = sum(BELLE2_DETECTOR.material_lambda)
    for theta in (np.pi / 2, np.radians(60)):
        _, out = _interact(211, n, 1.0, theta)
        interacted = np.unique(out["ev"][out["mother_pdg"] == 211]).size
        expected = 1 - np.exp(-lam / np.sin(theta))
        assert abs(interacted / n - expected) < 4 * np.sqrt(expected / n), (theta, interacted)
    # below nuclear_min_momentum nothing interacts
    _, out = _interact(211, n, 0.08, np.pi / 2)
    assert not np.any(out["mother_pdg"] == 211)


def test_vertices_sit_in_the_layers() -> None:
    n = 200_000
    _, out = _interact(2212, n, 1.5, np.pi / 2)
    sec = out["mother_pdg"] == 2212
    r = np.hypot(out["x"][sec], out["y"][sec])
    radii = np.array(BELLE2_DETECTOR.material_radii)
    assert np.all(np.min(np.abs(r[:, None] - radii[None, :]), axis=1) < 1e-5)
    # the beam pipe holds a third of the interaction length: about a third of the vertices
    share = np.mean(np.abs(r - radii[0]) < 1e-5)
    lam = np.array(BELLE2_DETECTOR.material_lambda)
    assert abs(share - lam[0] / lam.sum()) < 0.05


def test_four_momentum_and_charge_are_conserved() -> None:
    n = 100_000
    part, out = _interact(-211, n, 2.0, np.radians(70), seed=5)
    sec = out["mother_pdg"] == -211
    events = np.unique(out["ev"][sec])
    assert events.size > 300
    # one hadron per event: everything in an event that interacted is a product (with the
    # photons of a π⁰), and they sum to the pion plus a nucleon at rest
    p4 = np.stack([out[k] for k in ("px", "py", "pz", "E")], axis=1)
    total = np.zeros((n, 4))
    np.add.at(total, out["ev"], p4)
    charge = np.zeros(n)
    np.add.at(charge, out["ev"], [CHARGE[int(k)] for k in out["pdg"]])
    target = np.where(charge[events] == 0, mass(2212), mass(2112))  # −1 + (+1 or 0)
    incoming = np.stack([part[k][events] for k in ("px", "py", "pz", "E")], axis=1)
    incoming[:, 3] += target
    assert np.allclose(total[events], incoming, atol=1e-9)
    assert set(np.unique(charge[events])) <= {-1.0, 0.0}
    # the leading pion survives in every interaction; a third particle in the inelastic ones
    assert np.all(np.bincount(out["ev"][sec & (out["pdg"] == -211)], minlength=n)[events] >= 1)
    per_event = np.bincount(out["ev"], minlength=n)[events]  # 2: quasi-elastic
    inelastic = np.mean(per_event >= 3)
    assert abs(inelastic - BELLE2_DETECTOR.nuclear_inelastic_fraction) < 4 * np.sqrt(0.21 / 1068)


def test_quasi_elastic_scattering_is_forward() -> None:
    # at 1 GeV the quasi-elastic part follows exp(bt): the pion turns by a few degrees to tens
    n = 300_000
    part, out = _interact(211, n, 1.0, np.pi / 2, seed=7)
    sec = out["mother_pdg"] == 211
    two = np.bincount(out["ev"], minlength=n) == 2  # the pion and the nucleon alone
    lead = sec & (out["pdg"] == 211) & two[out["ev"]]
    cos = ((out["px"][lead] * part["px"][out["ev"][lead]]
            + out["py"][lead] * part["py"][out["ev"][lead]]) / 1.0
           / np.sqrt(out["px"][lead] ** 2 + out["py"][lead] ** 2 + out["pz"][lead] ** 2))
    angle = np.degrees(np.arccos(np.clip(cos, -1, 1)))
    # median |t| = ln 2/b = 0.1 GeV²: θ* ≈ 33° in the πN CMS (q = 0.55 GeV), ≈ 20° in the lab
    assert 14.0 < np.median(angle) < 26.0
    assert np.mean(angle > 60.0) < 0.1


def test_simulated_pions_make_secondary_vertices_and_tracks() -> None:
    n = 40_000
    rng = np.random.default_rng(3)
    s = single_particles(211, np.full(n, 1.0), np.full(n, np.pi / 2),
                         rng.uniform(-np.pi, np.pi, n), mass(211))
    r = simulate(s, seed=4, beam_background_rate=0.0)
    tracks = r.events.tracks
    n_tracks = ak.to_numpy(ak.num(tracks))
    # ~1% of the pions interact; a recoiling proton or an extra pion adds a track
    assert 0.002 < np.mean(n_tracks >= 2) < 0.012
    again = simulate(s, seed=4, beam_background_rate=0.0).events.tracks
    assert ak.all(ak.num(again) == ak.num(tracks))
    assert np.array_equal(ak.to_numpy(ak.flatten(again.px)), ak.to_numpy(ak.flatten(tracks.px)))
