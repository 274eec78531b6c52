"""Compiled kernels against plain references: layer crossings, smearing pulls, beam-background
counts, PID scores, the trigger's CMS-energy shortcut."""

from __future__ import annotations

from dataclasses import replace

import awkward as ak
import numpy as np
import pytest
from scipy import stats

from darkscan.detector import BELLE2_DETECTOR, helix, simulate
from darkscan.detector.background import background_clusters
from darkscan.detector.geometry import ecl_region, tracking_layers
from darkscan.detector.material import without_material
from darkscan.detector.resolution import sigma_e_over_e, sigma_pt_over_pt
from darkscan.detector.toy import single_particles
from darkscan.events import Sample, SampleMeta, make_truth_events
from darkscan.physics import BELLE2, lorentz

#: the ECL's Gaussian response alone: no photon converts deep in its crystal
GAUSSIAN_ECL = replace(without_material(BELLE2_DETECTOR), ecl_deep_conversion=0.0)


def _crossings_reference(x, y, z, px, py, pz, q):  # type: ignore[no-untyped-def]
    """Every (track, layer): both crossings of the circle, turning angle ≤ the one to the
    outermost point, z inside the layer; tracks moving outwards skip the layers inside their
    start radius and the crossing after the outermost point."""
    lay = tracking_layers(BELLE2_DETECTOR)
    pt = np.hypot(px, py)
    r = helix.radius(pt, BELLE2_DETECTOR.b_field)[:, None]
    phi = np.arctan2(py, px)
    tanl = (pz / pt)[:, None]
    cx, cy = helix.centre(x, y, phi, r[:, 0], q)
    d = np.maximum(np.hypot(cx, cy), 1e-12)[:, None]
    gam = np.arctan2(cy, cx)[:, None]
    beta0 = np.arctan2(y - cy, x - cx)[:, None]
    qq = q[:, None]
    tau_max = (qq * (beta0 - gam)) % (2 * np.pi)
    r0 = np.hypot(x, y)[:, None]
    outward = (x * np.cos(phi) + y * np.sin(phi) >= 0)[:, None]
    rl = lay.radius[None, :]
    reach = (rl >= np.abs(d - r)) & (rl <= d + r) & ~(outward & (rl < r0))
    a = np.arccos(np.clip((rl**2 - d**2 - r**2) / (2 * r * d), -1.0, 1.0))
    ok = np.zeros(reach.shape, dtype=bool)
    for sgn in (-1.0, 1.0):
        tau = (qq * (beta0 - gam - sgn * a)) % (2 * np.pi)
        zc = z[:, None] + r * tau * tanl
        ok |= ((~outward | (sgn == qq)) & (tau <= tau_max + 1e-12) & (zc >= lay.z_min)
               & (zc <= lay.z_max))
    ok &= reach
    hits = np.stack([np.sum(ok & (lay.kind == k), axis=1) for k in range(3)], axis=1)
    r_first = np.where(ok.any(axis=1), np.where(ok, rl, np.inf).min(axis=1), np.nan)
    r_last = np.where(ok.any(axis=1), np.where(ok, rl, -np.inf).max(axis=1), np.nan)
    return hits, r_first, r_last


@pytest.mark.parametrize("start", ["ip", "beam_spot", "displaced"])
def test_layer_crossings_match_per_layer_reference(start: str) -> None:
    rng = np.random.default_rng(1)
    n = 20000
    pt = np.exp(rng.uniform(np.log(0.02), np.log(6.0), n))
    th = np.arccos(rng.uniform(-1, 1, n))
    ph = rng.uniform(-np.pi, np.pi, n)
    q = rng.choice([-1.0, 1.0], n)
    if start == "ip":
        x = y = z = np.zeros(n)
    elif start == "beam_spot":  # half of these start moving towards the axis
        x, y, z = rng.normal(0, 1e-3, n), rng.normal(0, 1e-3, n), rng.normal(0, 0.5, n)
    else:
        vr, vph = rng.uniform(0, 120, n), rng.uniform(-np.pi, np.pi, n)
        x, y, z = vr * np.cos(vph), vr * np.sin(vph), rng.uniform(-150, 200, n)
    px, py, pz = pt * np.cos(ph), pt * np.sin(ph), pt / np.tan(th)
    lay = tracking_layers(BELLE2_DETECTOR)
    hits, r_first, r_last, r_max = helix.cross_layers(
        x, y, z, px, py, pz, q, BELLE2_DETECTOR.b_field, lay.radius, lay.z_min, lay.z_max,
        lay.kind)
    ref_hits, ref_first, ref_last = _crossings_reference(x, y, z, px, py, pz, q)
    same = (np.all(hits == ref_hits, axis=1) & np.isclose(r_first, ref_first, equal_nan=True)
            & np.isclose(r_last, ref_last, equal_nan=True))
    # arccos to 2e-8 rad: a track within ~1 µm of a layer end may flip
    assert np.mean(~same) < 2e-4
    assert np.allclose(r_max, helix.r_max(x, y, ph, helix.radius(pt, 1.5), q))
    # the same through an index into longer arrays
    idx = np.arange(0, n, 3)
    sub = helix.cross_layers(x, y, z, px, py, pz, q[idx], BELLE2_DETECTOR.b_field, lay.radius,
                             lay.z_min, lay.z_max, lay.kind, index=idx)
    assert np.array_equal(sub[0], hits[idx])


def _is_standard_normal(z: np.ndarray) -> None:
    n = len(z)
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.var() - 1) < 5 * np.sqrt(2 / n)
    for t in (1.0, 2.0, 3.0):
        expect = 2 * stats.norm.sf(t)
        assert abs(np.mean(np.abs(z) > t) - expect) < 5 * np.sqrt(expect / n)
    assert stats.kstest(z[:100_000], "norm").pvalue > 1e-4


def test_smearing_pulls_are_standard_normal_and_reproducible() -> None:
    """The kernels draw their normals from the sample's generator: track d0, z0 and pT pulls
    of central 1 GeV muons, and the energy pull of 1 GeV barrel photons, are N(0, 1)."""
    n = 300_000
    rng = np.random.default_rng(2)
    phi = rng.uniform(-np.pi, np.pi, n)
    muons = simulate(single_particles(13, np.ones(n), np.full(n, np.pi / 2), phi, 0.10566),
                     seed=3, beam_background_rate=0.0)
    trk = ak.flatten(muons.events["tracks"])
    assert len(trk) > 0.99 * n
    _is_standard_normal(ak.to_numpy(trk["d0"] / trk["sigma_d0"]))
    _is_standard_normal(ak.to_numpy(trk["z0"] / trk["sigma_z0"]))
    pt = np.hypot(ak.to_numpy(trk["px"]), ak.to_numpy(trk["py"]))
    sigma = sigma_pt_over_pt(np.ones(1), np.array([1 / np.hypot(1, 0.10566)]), BELLE2_DETECTOR)
    _is_standard_normal((pt - 1.0) / sigma[0])
    # the calorimeter alone, its Gaussian response (no photon converting deep in its crystal)
    photons = simulate(single_particles(22, np.ones(n), np.full(n, np.pi / 2), phi, 0.0),
                       seed=4, beam_background_rate=0.0, params=GAUSSIAN_ECL)
    e = ak.to_numpy(ak.flatten(photons.events["clusters"]["E"]))
    assert len(e) == n
    _is_standard_normal((e - 1.0) / sigma_e_over_e(np.ones(1), BELLE2_DETECTOR)[0])
    again = simulate(single_particles(13, np.ones(n), np.full(n, np.pi / 2), phi, 0.10566),
                     seed=3, beam_background_rate=0.0)
    assert np.array_equal(ak.to_numpy(ak.flatten(again.events["tracks"]["d0"])),
                          ak.to_numpy(trk["d0"]))


def test_background_counts_are_poisson() -> None:
    rate, n = 1.7, 400_000
    bkg = background_clusters(np.random.default_rng(4), n, rate, BELLE2_DETECTOR)
    c = bkg["counts"]
    assert c.mean() == pytest.approx(rate, abs=5 * np.sqrt(rate / n))
    assert c.var() == pytest.approx(rate, rel=0.02)
    assert np.mean(c == 0) == pytest.approx(np.exp(-rate), abs=0.003)
    assert len(bkg["E"]) == c.sum()
    endcap = (bkg["theta"] < np.radians(32)) | (bkg["theta"] > np.radians(129))
    assert np.mean(endcap) == pytest.approx(BELLE2_DETECTOR.bkg_endcap_fraction, abs=0.005)
    assert np.all(bkg["E"] >= BELLE2_DETECTOR.ecl_cluster_threshold)
    assert bkg["E"].mean() == pytest.approx(
        BELLE2_DETECTOR.ecl_cluster_threshold + BELLE2_DETECTOR.bkg_mean_energy, rel=0.01)
    assert np.mean(bkg["region"] == ecl_region(bkg["theta"], BELLE2_DETECTOR)) > 1 - 1e-5
    assert np.all(background_clusters(np.random.default_rng(4), 10, 0.0,
                                     BELLE2_DETECTOR)["counts"] == 0)


def _two_photons(e_cms: float, n: int, seed: int) -> Sample:
    """Back-to-back photon pairs in the CMS (each E*), barrel-ish, boosted to the lab."""
    rng = np.random.default_rng(seed)
    c = rng.uniform(-0.5, 0.5, n)
    ph = rng.uniform(-np.pi, np.pi, n)
    s = np.sqrt(1 - c * c)
    k = np.stack([s * np.cos(ph), s * np.sin(ph), c], axis=1) * e_cms
    lab = np.stack([BELLE2.to_lab(lorentz.p4_from_mass(sign * k, 0.0)) for sign in (1, -1)],
                   axis=1).reshape(-1, 4)
    ev = make_truth_events(np.full(n, 2), np.ones(n), pdg=np.full(2 * n, 22),
                           px=lab[:, 0].copy(), py=lab[:, 1].copy(), pz=lab[:, 2].copy(),
                           E=lab[:, 3].copy())
    return Sample(ev, SampleMeta(process="gg"))


def test_bhabha_veto_uses_cms_energies() -> None:
    n = 2000
    no_deep = replace(BELLE2_DETECTOR, ecl_deep_conversion=0.0)  # energies as generated
    hard = simulate(_two_photons(5.29, n, 6), seed=7, beam_background_rate=0.0,
                    params=no_deep).events
    both = ak.to_numpy(ak.num(hard.clusters)) == 2
    assert both.mean() > 0.5
    assert np.all(ak.to_numpy(hard.trg_ehigh)[both])
    assert not np.any(ak.to_numpy(hard.trg_hie)[both])  # vetoed: two back-to-back E* > 3 GeV
    soft = simulate(_two_photons(2.0, n, 8), seed=9, beam_background_rate=0.0,
                    params=no_deep).events
    both = ak.to_numpy(ak.num(soft.clusters)) == 2
    assert np.all(ak.to_numpy(soft.trg_hie)[both] == ak.to_numpy(soft.trg_ehigh)[both])
    # E* of a 2 GeV-in-CMS photon exceeds 1 GeV: two of them, so no single-photon bit
    assert not np.any(ak.to_numpy(soft.trg_single_photon)[both])


def test_kernel_caches_stamped_with_all_kernel_sources() -> None:
    """A cached kernel inlines helpers from other modules: its cache must go stale with them."""
    from darkscan.jit import sources_digest

    locator = helix._cross_layers._cache._impl._locator
    assert type(locator).__name__.startswith("Darkscan")
    assert locator.get_source_stamp() == sources_digest()


def test_shower_edge_leakage_follows_its_lateral_profile() -> None:
    """beyond_edge against a Monte Carlo of the profile it states (energy within r of the axis
    1 − exp(−r/λ), λ = R_M/ln 10: 90% within R_M), and contained() at and away from the ECL's
    edges."""
    import math

    from darkscan.detector.calorimeter import beyond_edge, contained
    from darkscan.detector.geometry import ECL_BARREL, ECL_BWD, ECL_FWD, ecl_bounds

    r_m = BELLE2_DETECTOR.ecl_moliere_radius
    rng = np.random.default_rng(11)
    r = rng.exponential(r_m / math.log(10.0), 400_000)
    x = r * np.cos(rng.uniform(0.0, 2.0 * np.pi, r.size))
    assert np.mean(r < r_m) == pytest.approx(0.9, abs=0.002)
    for d in (-1.0, 0.0, 0.3, 1.0, r_m, 2.0 * r_m):
        assert beyond_edge(d, r_m) == pytest.approx(np.mean(x > d), abs=0.003)
    bounds = ecl_bounds(BELLE2_DETECTOR)
    surface = (BELLE2_DETECTOR.ecl_r_barrel, BELLE2_DETECTOR.ecl_z_fwd, BELLE2_DETECTOR.ecl_z_bwd)

    def kept(theta_deg: float, region: int) -> float:
        return contained(math.radians(theta_deg), region, bounds, surface, r_m)

    assert kept(90.0, ECL_BARREL) == pytest.approx(1.0, abs=1e-12)
    assert kept(bounds[3] - 1e-9, ECL_BARREL) == pytest.approx(0.5, abs=1e-6)  # at the edge
    # 0.7° from the backward edge of the barrel (1.9 cm at its 156 cm path): 7–8% lost;
    # 2° (5.4 cm, 1.5 R_M): 0.6%; 4° (3 R_M): 0.015%
    assert 0.90 < kept(bounds[3] - 0.7, ECL_BARREL) < 0.94
    assert 0.99 < kept(bounds[3] - 2.0, ECL_BARREL) < 0.997
    assert kept(bounds[3] - 4.0, ECL_BARREL) > 0.9995
    assert kept(20.0, ECL_FWD) == pytest.approx(1.0, abs=1e-6)
    assert kept(140.0, ECL_BWD) == pytest.approx(1.0, abs=1e-6)
    assert kept(bounds[1] - 0.2, ECL_FWD) < kept(bounds[1] - 0.5, ECL_FWD) < 1.0
    assert kept(25.0, 0) == 0.0
