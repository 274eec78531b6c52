"""Photon conversions in the material before the CDC (rate against the material map, where they
happen, the pair's kinematics and truth links, the tracks they make) and merged ECL clusters."""

from __future__ import annotations

from dataclasses import replace

import awkward as ak
import numpy as np

from darkscan.detector import material
from darkscan.detector.fastsim import simulate
from darkscan.detector.material import without_material
from darkscan.detector.parameters import BELLE2_DETECTOR
from darkscan.detector.toy import single_particles
from darkscan.events import Sample, SampleMeta, make_truth_events
from darkscan.generate.phase_space import decay_isotropic

M_E = 0.000511


def _photons(n: int, e: float, theta: float, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    phi = rng.uniform(-np.pi, np.pi, n)
    zeros = np.zeros(n)
    st = np.sin(theta)
    return {"x": zeros, "y": zeros.copy(), "z": zeros.copy(), "px": e * st * np.cos(phi),
            "py": e * st * np.sin(phi), "pz": np.full(n, e * np.cos(theta)), "E": np.full(n, e),
            "pdg": np.full(n, 22, dtype=np.int64), "ev": np.arange(n),
            "local": np.zeros(n, dtype=np.int32), "mother": np.full(n, -1, dtype=np.int32),
            "mother_pdg": np.zeros(n, dtype=np.int32)}


def test_conversion_rate_follows_the_material_map_and_the_angle() -> None:
    n = 200_000
    expected = 1 - np.exp(-7 / 9 * sum(BELLE2_DETECTOR.material_x0))  # at 90°
    for theta, path in ((np.pi / 2, 1.0), (np.radians(60), 1 / np.sin(np.radians(60)))):
        out = material.convert_photons(_photons(n, 1.0, theta), np.ones(n, dtype=np.int64),
                                       np.random.default_rng(2), BELLE2_DETECTOR)
        rate = np.count_nonzero(out["pdg"] == 11) / n
        want = 1 - np.exp(-7 / 9 * sum(BELLE2_DETECTOR.material_x0) * path)
        assert abs(rate / want - 1) < 0.04
    assert 0.02 < expected < 0.04
    # outside the vertex detector's acceptance nothing converts
    out = material.convert_photons(_photons(1000, 1.0, np.radians(10)), np.ones(1000, int),
                                   np.random.default_rng(3), BELLE2_DETECTOR)
    assert not (out["pdg"] == 11).any()


def test_pairs_start_on_a_layer_share_the_energy_and_point_to_their_photon() -> None:
    n = 100_000
    out = material.convert_photons(_photons(n, 2.0, np.pi / 2), np.ones(n, dtype=np.int64),
                                   np.random.default_rng(4), BELLE2_DETECTOR)
    ep, em = out["pdg"] == -11, out["pdg"] == 11
    r = np.hypot(out["x"][em], out["y"][em])
    radii = np.array(BELLE2_DETECTOR.material_radii)
    below = radii[None, :] - r[:, None]  # just inside the layer, before its radius
    assert ((below > 0.5 * material.PAIR_START_CM) & (below < 1.01 * material.PAIR_START_CM)).any(
        axis=1).all()
    assert np.allclose(out["E"][ep] + out["E"][em], 2.0)
    assert np.all(out["mother"][em] == 0) and np.all(out["mother_pdg"][em] == 22)
    assert np.all(out["local"][em] != out["local"][ep]) and out["local"][em].min() >= 1
    # Bethe–Heitler: flat-ish sharing, mean 1/2, variance of 1 − 4/3 x(1 − x) on [0, 1]
    x = out["E"][ep] / 2.0
    assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 13 / 140) < 0.003  # 36/105 − 1/4
    # the SVD (4 layers × 0.57%) takes most conversions
    assert np.mean(r > 3.0) > 0.6


def test_converted_photons_give_displaced_electron_tracks() -> None:
    n = 20_000
    rng = np.random.default_rng(5)
    truth = single_particles(22, np.full(n, 2.0), np.full(n, np.pi / 2),
                             rng.uniform(-np.pi, np.pi, n), 0.0)
    trk = simulate(truth, seed=6, beam_background_rate=0.0).events.tracks
    pdg = np.abs(ak.to_numpy(ak.flatten(trk.mc_pdg)))
    vr = ak.to_numpy(ak.flatten(trk.mc_vr))
    assert np.all(pdg == 11) and np.all(vr >= 0.99)
    assert 0.02 < len(pdg) / (2 * n) < 0.04


def _pi0_photons(p: float, n: int, seed: int) -> Sample:
    """π⁰ of momentum p at 90° decayed to γγ at the IP (isotropic in its rest frame)."""
    rng = np.random.default_rng(seed)
    phi = rng.uniform(-np.pi, np.pi, n)
    parent = np.stack([p * np.cos(phi), p * np.sin(phi), np.zeros(n),
                       np.full(n, np.hypot(p, 0.134977))], axis=1)
    g1, g2 = decay_isotropic(parent, 0.0, 0.0, rng.random(n), rng.random(n))
    p4 = np.stack([g1, g2], axis=1).reshape(-1, 4)
    ev = make_truth_events(np.full(n, 2), np.ones(n), pdg=np.full(2 * n, 22), px=p4[:, 0],
                           py=p4[:, 1], pz=p4[:, 2], E=p4[:, 3])
    return Sample(ev, SampleMeta(process="pi0"))


def test_photons_of_a_fast_pi0_merge_into_one_cluster() -> None:
    merged = without_material(BELLE2_DETECTOR)
    # crystals a hundred times finer each way: every shower its own maximum
    apart = replace(merged, ecl_barrel_crystals=(4600, 14400),
                    ecl_endcap_crystals=(1300, 11_520_000, 1000, 9_600_000))
    count = {}
    for p in (1.0, 8.0):
        for name, params in (("merged", merged), ("apart", apart)):
            cl = simulate(_pi0_photons(p, 5000, seed=7), seed=8, beam_background_rate=0.0,
                          params=params).events.clusters
            count[p, name] = ak.to_numpy(ak.num(cl))
            e = ak.to_numpy(ak.sum(cl.E, axis=1))
            assert abs(np.median(e) / np.hypot(p, 0.135) - 1) < 0.03  # merging keeps energy
    # 1 GeV: opening ≥ 15°, ≥ 30 cm apart at the barrel: nothing merges
    assert np.array_equal(count[1.0, "merged"], count[1.0, "apart"])
    # 8 GeV: opening ≥ 1.9°, ≥ 4 cm: mostly in touching crystals
    assert np.mean(count[8.0, "apart"] == 2) > 0.95
    assert np.mean(count[8.0, "merged"] == 1) > 0.5


def test_particles_at_rest_and_empty_samples_simulate_quietly() -> None:
    import warnings

    ev = make_truth_events(np.array([2, 0, 1]), np.ones(3), pdg=np.array([22, 310, 22]),
                           px=np.array([0.0, 0.0, 1.0]), py=np.zeros(3), pz=np.zeros(3),
                           E=np.array([0.0, 0.497611, 1.0]))
    empty = make_truth_events(np.zeros(0, dtype=int), np.ones(0), pdg=np.zeros(0, dtype=int),
                              px=np.zeros(0), py=np.zeros(0), pz=np.zeros(0), E=np.zeros(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert len(simulate(Sample(ev, SampleMeta(process="x")), seed=1).events) == 3
        assert len(simulate(Sample(empty, SampleMeta(process="x")), seed=1).events) == 0


def test_electrons_radiate_the_bethe_heitler_loss_of_the_material_map() -> None:
    """An electron crossing x radiation lengths keeps ⟨z⟩ = e^(−x) of its energy (the radiation
    length's definition) and P(z < z₀) from the Bethe–Heitler law; energy and momentum go to
    one collinear photon with the electron as its mother, emitted on a crossed layer."""
    n, e, theta = 100_000, 2.0, np.radians(60.0)
    part = _photons(n, e, theta)
    part["pdg"] = np.full(n, 11, dtype=np.int64)
    part["local"] = np.full(n, 3, dtype=np.int32)
    out = material.radiate_electrons(part, np.full(n, 4, dtype=np.int64),
                                     np.random.default_rng(7), BELLE2_DETECTOR)
    assert part["E"][0] == e  # the input is not written to
    electron, photon = out["pdg"] == 11, out["pdg"] == 22
    x = sum(BELLE2_DETECTOR.material_x0) / np.sin(theta)
    z = out["E"][electron] / e
    assert abs(z.mean() - np.exp(-x)) < 4 * z.std() / np.sqrt(n)
    # P(z < 0.9) = P(u > ln(1/0.9)), u ~ Γ(x/ln 2): 0.071 at x = 0.040
    from scipy.stats import gamma
    want = gamma.sf(-np.log(0.9), x / np.log(2.0))
    assert abs((z < 0.9).mean() - want) < 4 * np.sqrt(want / n)
    # energy conserved per event, momentum up to m_e; the photon collinear and on a layer
    ev = out["ev"][photon]
    assert np.allclose(out["E"][photon] + out["E"][electron][ev], e)
    assert np.allclose(out["px"][photon] + out["px"][electron][ev], part["px"][ev], atol=M_E)
    assert (out["mother"][photon] == 3).all() and (out["mother_pdg"][photon] == 11).all()
    assert (out["local"][photon] == 4).all()
    r = np.hypot(out["x"][photon], out["y"][photon])
    radii = np.array(BELLE2_DETECTOR.material_radii)
    assert np.isclose(r[:, None], radii[None, :]).any(axis=1).all()
    # no material, no radiation
    assert material.radiate_electrons(part, np.full(n, 4), np.random.default_rng(7),
                                      without_material(BELLE2_DETECTOR)) is part


def test_a_particle_produced_in_a_layer_crosses_half_of_it_whatever_the_rounding() -> None:
    """A conversion's e± sit on their layer's radius up to rounding, whose sign differed between
    CPUs (numpy's SIMD dispatch): the birth layer was crossed in full or not at all, the hits
    and the bremsstrahlung with it, and every later random draw of the chunk moved. Now: half
    the layer to radiate in (the mean remaining depth), its hit counted, the same either side."""
    from darkscan.detector import helix
    from darkscan.detector.tracking import _layers

    radius, x0 = BELLE2_DETECTOR.material_radii[4], BELLE2_DETECTOR.material_x0[4]  # SVD 8 cm
    d = np.array([[0.6, 0.0, 0.8]])  # outwards, 37° from the layer's normal
    rows = []
    for r in (np.nextafter(radius, 0.0), radius, np.nextafter(radius, 20.0)):
        _, thickness = material._layer_paths(np.array([r]), np.zeros(1), np.zeros(1), d,
                                              BELLE2_DETECTOR)
        rows.append(thickness[:, 0])
    for row in rows:
        assert np.allclose(row[:4], 0.0) and np.isclose(row[4], 0.5 * x0 / 0.6, rtol=1e-12)
        assert np.allclose(row[5:], np.array(BELLE2_DETECTOR.material_x0[5:]) / 0.6, rtol=0.2)
    # the pair of a photon converting in that layer starts inside it and the tracking counts it
    n = 2000
    out = material.convert_photons(_photons(n, 1.0, np.pi / 2, seed=9), np.ones(n, np.int64),
                                   np.random.default_rng(10), BELLE2_DETECTOR)
    em = np.nonzero((out["pdg"] == 11)
                    & np.isclose(np.hypot(out["x"], out["y"]), radius, atol=1e-5))[0]
    assert len(em) > 5
    tables = _layers(BELLE2_DETECTOR)
    for j in em[:5]:
        x, y, z = out["x"][j], out["y"][j], out["z"][j]
        hits = [helix.crossings(x * f, y * f, z, out["px"][j], out["py"][j], out["pz"][j], -1.0,
                                BELLE2_DETECTOR.b_field, *tables)[0][2:]
                for f in (1.0 - 2e-16, 1.0, 1.0 + 2e-16)]
        assert hits[0] == hits[1] == hits[2]
        assert hits[1][1] == 3  # the SVD layers at 8, 11.5 and 14 cm, its own included


def test_photons_below_ten_mev_do_not_convert() -> None:
    """Just above 2m_e a conversion made a pair at rest whose direction was rounding's choice
    (and invisible in any case): photons below ``conversion_min_energy`` pass through."""
    n = 20_000
    counts = np.ones(n, dtype=np.int64)
    for e, converts in ((0.0015, False), (0.009, False), (0.02, True)):
        out = material.convert_photons(_photons(n, e, np.pi / 2, seed=12), counts,
                                       np.random.default_rng(13), BELLE2_DETECTOR)
        rate = np.count_nonzero(out["pdg"] == 11) / n
        want = 1 - np.exp(-7 / 9 * sum(BELLE2_DETECTOR.material_x0))
        assert (abs(rate / want - 1) < 0.1) if converts else rate == 0.0
