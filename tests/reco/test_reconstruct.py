"""Candidates, decay strings, variables, ranking, CMS round trip, bad input."""

from __future__ import annotations

import itertools

import awkward as ak
import numpy as np
import pytest

from darkscan.detector import simulate
from darkscan.detector.toy import mumux_sample
from darkscan.errors import InputFileError, ParameterError, UnknownNameError
from darkscan.events import Sample, SampleMeta, make_truth_events
from darkscan.physics import BELLE2, lorentz
from darkscan.physics.constants import mass as pdg_mass
from darkscan.reco import VARIABLES, describe, parse_decay, reconstruct


@pytest.fixture(scope="module")
def reco_3gev() -> Sample:
    return simulate(mumux_sample(3.0, 6000, seed=1), seed=2, beam_background_rate=1.0)


def test_recoil_mass_peaks_at_mx(reco_3gev: Sample) -> None:
    nt = reconstruct(reco_3gev, "vpho -> mu+:loose mu-:loose").events
    assert 0.8 < len(nt) / 6000 < 0.95
    mr = ak.to_numpy(nt.m_recoil)
    assert np.median(mr) == pytest.approx(3.0, abs=0.01)
    h, edges = np.histogram(mr, bins=60, range=(0, 6))
    assert edges[np.argmax(h)] == pytest.approx(2.95, abs=0.15)
    assert np.median(ak.to_numpy(nt.m2_recoil)) == pytest.approx(9.0, abs=0.1)
    assert np.all(ak.to_numpy(nt.mc_match) == 1)
    # recoil = beams − μμ: E*_recoil + E*_μμ = √s
    assert np.allclose(ak.to_numpy(nt.E_recoil_cms + nt.E_cms), BELLE2.sqrt_s)


def test_cms_variables_round_trip(reco_3gev: Sample) -> None:
    nt = reconstruct(reco_3gev, "vpho -> mu+ mu-", variables=["p", "theta", "phi", "E", "p_cms",
                                                              "theta_cms", "phi_cms", "E_cms",
                                                              "M"]).events
    st = np.sin(ak.to_numpy(nt.theta_cms))
    p = ak.to_numpy(nt.p_cms)
    cms = lorentz.p4(p * st * np.cos(ak.to_numpy(nt.phi_cms)),
                     p * st * np.sin(ak.to_numpy(nt.phi_cms)),
                     p * np.cos(ak.to_numpy(nt.theta_cms)), ak.to_numpy(nt.E_cms))
    lab = BELLE2.to_lab(cms)
    assert np.allclose(lorentz.p3mag(lab), ak.to_numpy(nt.p), atol=1e-9)
    assert np.allclose(lorentz.theta(lab), ak.to_numpy(nt.theta), atol=1e-9)
    assert np.allclose(lab[:, 3], ak.to_numpy(nt.E), atol=1e-9)
    assert np.allclose(lorentz.mass(cms), ak.to_numpy(nt.M), atol=1e-9)


def test_extra_energy_counts_only_unused_clusters(reco_3gev: Sample) -> None:
    nt = reconstruct(reco_3gev, "vpho -> mu+ mu-",
                     variables=["E_ECL_extra", "E_ECL_total", "dau0_E_cluster",
                                "dau1_E_cluster"]).events
    diff = nt.E_ECL_total - nt.dau0_E_cluster - nt.dau1_E_cluster - nt.E_ECL_extra
    assert np.allclose(ak.to_numpy(diff), 0.0)
    assert 0.0 < np.mean(ak.to_numpy(nt.E_ECL_extra)) < 0.1  # only beam background left
    quiet = simulate(mumux_sample(3.0, 500, seed=1), seed=2, beam_background_rate=0.0)
    q = reconstruct(quiet, "vpho -> mu+ mu-", variables=["E_ECL_extra"]).events
    assert np.allclose(ak.to_numpy(q.E_ECL_extra), 0.0)


def test_best_candidate_and_limit(reco_3gev: Sample) -> None:
    all_c = reconstruct(reco_3gev, "vpho -> mu+ mu- gamma", variables=["M", "E_ECL_extra"])
    ev = ak.to_numpy(all_c.events.event)
    assert len(np.unique(ev)) < len(ev)  # several photon choices per event
    best = reconstruct(reco_3gev, "vpho -> mu+ mu- gamma", variables=["M"],
                       best="abs(M - 10.58)").events
    assert len(np.unique(ak.to_numpy(best.event))) == len(best)
    m_all = ak.to_numpy(all_c.events.M)
    for e in ak.to_numpy(best.event)[:50]:
        closest = np.min(np.abs(m_all[ev == e] - 10.58))
        assert abs(best.M[best.event == e][0] - 10.58) == pytest.approx(closest)
    lim = reconstruct(reco_3gev, "vpho -> mu+ mu- gamma", variables=["M"], candidate_limit=1)
    n_per = np.bincount(ev)
    assert len(lim) == int(np.sum(n_per == 1))
    rank = ak.to_numpy(reconstruct(reco_3gev, "vpho -> mu+ mu- gamma", variables=["M"],
                                   best="M", best_only=False).events.rank)
    assert rank.min() == 0 and len(rank) == len(ev)


def test_charge_conjugate_and_identical_daughters(reco_3gev: Sample) -> None:
    a = reconstruct(reco_3gev, "vpho -> mu+ mu-", variables=["M"]).events
    b = reconstruct(reco_3gev, "vpho -> mu- mu+", variables=["M"]).events
    assert np.allclose(np.sort(ak.to_numpy(a.M)), np.sort(ak.to_numpy(b.M)))
    # same-sign pairs: no double counting and no track used twice
    pp = reconstruct(reco_3gev, "vpho -> mu+ mu+", variables=["M"]).events
    assert len(pp) == 0


def test_decay_string_errors_and_registry() -> None:
    d = parse_decay("vpho -> mu+:good mu-")
    assert [x.label for x in d.daughters] == ["good", "all"]
    assert d.daughters[0].particle.pdg == -13 and d.daughters[1].particle.charge == -1
    with pytest.raises(ParameterError):
        parse_decay("vpho mu+ mu-")
    with pytest.raises(UnknownNameError, match="mu3"):
        parse_decay("vpho -> mu3 mu-")
    with pytest.raises(UnknownNameError, match="gamma 'good'"):
        parse_decay("vpho -> mu+:good mu-:all gamma:good")
    # a list of one's own must be defined before it is used
    with pytest.raises(ParameterError, match="mu-:tight"):
        reconstruct(Sample(ak.Array([]), SampleMeta(process="x")), "vpho -> mu+ mu-:tight")
    for name in ("m_recoil", "m2_recoil", "theta_recoil_cms", "E_ECL_extra", "opening_angle_cms",
                 "pt_cms", "vtx_r", "dr", "dz", "M_reduced", "cos_helicity"):
        assert name in VARIABLES and VARIABLES[name].description
    assert describe("dau1_muonID").description.endswith("daughter 1")
    with pytest.raises(UnknownNameError, match="nonsense"):
        describe("nonsense")


def test_bad_reco_input() -> None:
    with pytest.raises(InputFileError, match="tracks"):
        reconstruct(Sample(ak.Array({"weight": np.ones(3)}), SampleMeta(process="x")))
    with pytest.raises(UnknownNameError):
        reconstruct(simulate(mumux_sample(1.0, 10, seed=3), seed=1), variables=["M", "Mx"])



def _reference_candidates(reco: Sample, decay: str) -> list[tuple[float, ...]]:
    """(event, daughter energies) of every candidate from a direct enumeration: all choices of
    passing objects, no object twice, identical daughters (same name and list) in increasing
    object order (one unordered choice)."""
    dec = parse_decay(decay)
    ev = reco.events
    masses = [0.0 if d.is_photon else pdg_mass(abs(d.particle.pdg)) for d in dec.daughters]
    out = []
    for e in range(len(ev)):  # a reference: clarity over speed
        trk, clu = ev.tracks[e], ev.clusters[e]
        photons = [i for i in range(len(clu)) if clu.track_index[i] < 0]
        per = []
        for d in dec.daughters:
            if d.is_photon:
                per.append([i for i in photons if d.label == "all" or clu.E[i] > 0.1])
            else:
                per.append([i for i in range(len(trk)) if trk.charge[i] == d.particle.charge and (
                    d.label in ("all", "displaced")
                    or (abs(trk.d0[i]) < 2 and abs(trk.z0[i]) < 4))])
        for combo in itertools.product(*per):
            tags = [(d.is_photon, i) for d, i in zip(dec.daughters, combo, strict=True)]
            if len(set(tags)) < len(tags):
                continue
            if any((dec.daughters[a].name, dec.daughters[a].label)
                   == (dec.daughters[b].name, dec.daughters[b].label) and combo[a] > combo[b]
                   for a in range(len(combo)) for b in range(a + 1, len(combo))):
                continue
            energies = [float(clu.E[i]) if d.is_photon else
                        float(np.sqrt(trk.px[i] ** 2 + trk.py[i] ** 2 + trk.pz[i] ** 2 + m * m))
                        for d, i, m in zip(dec.daughters, combo, masses, strict=True)]
            out.append((float(e), *energies))
    return sorted(out)


@pytest.fixture(scope="module")
def busy_events() -> Sample:
    """Two μ⁺, two μ⁻ and two photons per event, with beam background."""
    rng = np.random.default_rng(7)
    n = 150
    pdg = np.tile([-13, -13, 13, 13, 22, 22], n)
    p = rng.uniform(0.5, 3.0, 6 * n)
    c = rng.uniform(-0.7, 0.8, 6 * n)
    ph = rng.uniform(-np.pi, np.pi, 6 * n)
    s = np.sqrt(1 - c * c)
    m = np.where(pdg == 22, 0.0, pdg_mass(13))
    ev = make_truth_events(np.full(n, 6), np.ones(n), pdg=pdg, px=p * s * np.cos(ph),
                           py=p * s * np.sin(ph), pz=p * c, E=np.sqrt(p * p + m * m))
    return simulate(Sample(ev, SampleMeta(process="busy")), seed=8, beam_background_rate=1.5)


@pytest.mark.parametrize("decay", ["vpho -> mu+ mu- gamma gamma", "vpho -> mu+:loose mu+ mu-",
                                   "vpho -> mu+ mu+ mu- mu-", "vpho -> gamma:loose gamma"])
def test_combinatorics_match_direct_enumeration(busy_events: Sample, decay: str) -> None:
    n_dau = len(parse_decay(decay).daughters)
    nt = reconstruct(busy_events, decay, variables=[f"dau{i}_E" for i in range(n_dau)]).events
    got = sorted(zip(ak.to_numpy(nt.event).astype(float),
                     *(ak.to_numpy(nt[f"dau{i}_E"]) for i in range(n_dau)), strict=True))
    ref = _reference_candidates(busy_events, decay)
    dec = parse_decay(decay)
    if not dec.self_conjugate:  # basf2 builds the charge conjugate too
        conj = "vpho -> " + " ".join(d.conjugate().text for d in dec.daughters)
        ref = sorted(ref + _reference_candidates(busy_events, conj))
    assert len(got) > 50
    assert len(got) == len(ref)
    assert np.allclose(np.array(got), np.array(ref), rtol=1e-12, atol=0)


def _tau_cone_margin(process: str, n: int, **params: float) -> np.ndarray:
    from darkscan.generate import generate

    truth = generate(process, n, seed=4, isr=False, **params)
    nt = reconstruct(simulate(truth, seed=5), "vpho -> mu+ mu-",
                     variables=["tau_cone_margin", "opening_angle_cms"]).events
    return ak.to_numpy(nt.tau_cone_margin)


def test_tau_cone_margin_separates_tau_pairs_from_zprime() -> None:
    # without ISR a τ pair cannot exceed its decay cones: only resolution leaks above zero
    tau = _tau_cone_margin("ee_tautau_mumu", 20_000)
    assert len(tau) > 10_000
    assert np.mean(tau > 0.0) < 0.003
    assert np.mean(tau > 0.05) < 0.001
    # a 4 GeV Z′ radiated off a muon mostly can
    sig = _tau_cone_margin("ee_mumu_zprime", 4_000, mass=4.0)
    assert np.mean(sig > 0.0) > 0.5


def test_lightest_opposite_charge_pair_and_final_state_angles(busy_events: Sample) -> None:
    from darkscan.reco.lists import ListDef

    nt = reconstruct(busy_events, "vpho -> Z':mumu mu+ mu-", lists=(ListDef(
        "Z':mumu -> mu+ mu-"),), variables=["dau0_M", "M_12", "M_os_min", "cos_fs_01",
                                           "dau0_opening_angle_cms", "cos_fs_23"]).events
    ev, m_z = ak.to_numpy(nt.event), ak.to_numpy(nt.dau0_M)
    m_min = ak.to_numpy(nt.M_os_min)
    full = np.bincount(ev) == 4  # events with exactly two μ⁺ and two μ⁻ reconstructed
    rows = full[ev]
    assert rows.sum() > 200
    # the four candidates of an event are its four μ⁺μ⁻ pairings: the lightest pair is theirs
    lightest = np.full(ev.max() + 1, np.inf)
    np.minimum.at(lightest, ev, m_z)
    np.testing.assert_allclose(m_min[rows], lightest[ev[rows]], rtol=1e-12)
    assert np.all(m_min <= np.minimum(m_z, ak.to_numpy(nt.M_12)) + 1e-12)
    np.testing.assert_allclose(ak.to_numpy(nt.cos_fs_01),
                               np.cos(ak.to_numpy(nt.dau0_opening_angle_cms)), atol=1e-12)
    assert np.all(np.abs(ak.to_numpy(nt.cos_fs_23)) <= 1.0)


def test_photon_energy_on_the_lepton_side() -> None:
    """A 3×1 event (lab): μ⁻ along +x, three pions along −x, a 1 GeV photon with the muon
    (first half of the events) or with the pions (second half): E_gamma_side_1 sees only the
    first (its CMS energy ≈ γE)."""
    import awkward as ak

    from darkscan.detector import BELLE2_DETECTOR, simulate
    from darkscan.detector.material import without_material
    from darkscan.events import Sample, SampleMeta, make_truth_events
    from darkscan.physics.constants import M_MU, M_PI
    from darkscan.reco import reconstruct
    from darkscan.reco.lists import ListDef

    n = 400
    p_mu = 2.0
    side = np.where(np.arange(n) < n // 2, 1.0, -1.0)
    px = np.stack([np.full(n, p_mu), np.full(n, -1.6), np.full(n, -1.5), np.full(n, -1.4),
                   side * 1.0], axis=1)
    py = np.stack([np.zeros(n), np.full(n, 0.3), np.zeros(n), np.full(n, -0.3),
                   np.full(n, 0.4)], axis=1)
    pz = np.zeros_like(px)
    pdg = np.tile([13, 211, -211, 211, 22], n)
    mass = np.tile([M_MU, M_PI, M_PI, M_PI, 0.0], n)
    ev = make_truth_events(np.full(n, 5), np.ones(n), pdg=pdg, px=px.ravel(), py=py.ravel(),
                           pz=pz.ravel(), E=np.sqrt(px.ravel()**2 + py.ravel()**2
                                                    + pz.ravel()**2 + mass**2))
    reco = simulate(Sample(ev, SampleMeta(process="toy")), seed=3, beam_background_rate=0.0,
                    params=without_material(BELLE2_DETECTOR))
    nt = reconstruct(reco, decay="vpho -> tau+:3prong mu-:all",
                     lists=[ListDef("tau+:3prong -> pi+:all pi-:all pi+:all")],
                     variables=["E_gamma_side_1"],
                     best="cos_fs_03 + cos_fs_13 + cos_fs_23", best_highest=False)
    e_side = ak.to_numpy(nt.events.E_gamma_side_1)
    first = ak.to_numpy(nt.events.event) < n // 2
    assert np.median(e_side[first]) == pytest.approx(1.04, rel=0.1)
    assert np.all(e_side[~first] == 0.0)


def _photon_context(p4: np.ndarray):  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    return SimpleNamespace(experiment=BELLE2, p4=np.atleast_2d(p4))


def test_lost_photon_pull_finds_the_gamma_gamma_isr_hypothesis() -> None:
    """e⁺e⁻ → γγγ built in the lab: an ISR photon along the e⁻ beam, a photon into the forward
    barrel–endcap gap, the third (the seen one) from the rest. The variable finds the
    hypothesis at the true energy (pull 0) and at a measured energy 3σ off (pull < 3); a
    1 GeV A′'s photon at 90° in the CMS is no such event."""
    from darkscan.detector import BELLE2_DETECTOR
    from darkscan.detector.resolution import sigma_e_over_e
    from darkscan.reco.variables import VARIABLES

    pull = VARIABLES["lost_photon_pull"].func
    total = BELLE2.p4_total
    beam = BELLE2.electron_p4()[:3] / np.linalg.norm(BELLE2.electron_p4()[:3])
    theta2 = np.radians(31.8)  # inside the gap 31.4°–32.2°
    u2 = np.array([np.sin(theta2) * np.cos(0.3), np.sin(theta2) * np.sin(0.3), np.cos(theta2)])
    rest = total - 0.8 * np.append(beam, 1.0)
    e2 = lorentz.mass2(rest) / (2.0 * (rest[3] - u2 @ rest[:3]))
    seen = rest - e2 * np.append(u2, 1.0)
    assert abs(lorentz.mass2(seen)) < 1e-9 and 32.2 < np.degrees(lorentz.theta(seen)) < 180
    assert pull(_photon_context(seen))[0] == pytest.approx(0.0, abs=1e-9)
    sigma = float(sigma_e_over_e(np.array([seen[3]]), BELLE2_DETECTOR)[0])
    # measured 3σ high: the partner reaches the gap's 1° margin a few tenths of σ earlier
    assert 2.0 <= pull(_photon_context(seen * (1.0 + 3.0 * sigma)))[0] < 3.0
    assert 2.0 <= pull(_photon_context(seen * (1.0 - 3.0 * sigma)))[0] < 3.0
    assert pull(_photon_context(seen * (1.0 + 6.0 * sigma)))[0] == np.inf  # beyond the scan
    # e⁺e⁻ → γA′, M = 1 GeV: the photon at 90° in the CMS, its partner's direction in the ECL
    e_star = (BELLE2.s - 1.0) / (2.0 * BELLE2.sqrt_s)
    photon = BELLE2.to_lab(np.array([[e_star * np.cos(1.0), e_star * np.sin(1.0), 0.0, e_star]]))
    assert pull(_photon_context(photon[0]))[0] > 3.0


def test_punzi_example_variables_follow_from_the_pair(reco_3gev: Sample) -> None:
    # the three inputs of the Punzi-net paper's public example, checked against closed forms
    # in the daughters' CMS momenta and opening angle: for two momenta the thrust axis is
    # p₁ ± p₂ (the longer), about which both carry p_T = |p₁ × p₂| / |p₁ ± p₂|
    names = ["pt_thrust_max", "pt_max_wrt_min_cms", "pl_max_wrt_min_cms", "opening_angle_cms",
             "dau0_p_cms", "dau1_p_cms"]
    nt = reconstruct(reco_3gev, "vpho -> mu+ mu-", variables=names).events
    v = {k: ak.to_numpy(nt[k]) for k in names}
    a, b, t = v["dau0_p_cms"], v["dau1_p_cms"], v["opening_angle_cms"]
    assert len(a) > 4000
    hard = np.maximum(a, b)
    np.testing.assert_allclose(v["pt_max_wrt_min_cms"], hard * np.sin(t), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(v["pl_max_wrt_min_cms"], hard * np.cos(t), rtol=1e-9, atol=1e-9)
    axis = np.maximum(np.sqrt(a**2 + b**2 - 2 * a * b * np.cos(t)),
                      np.sqrt(a**2 + b**2 + 2 * a * b * np.cos(t)))
    np.testing.assert_allclose(v["pt_thrust_max"], a * b * np.sin(t) / axis, rtol=1e-9,
                               atol=1e-12)
    # μμX at M_X = 3 GeV: the pair is far from back to back, pl of either sign occurs
    assert np.median(v["pt_thrust_max"]) > 0.3
    assert np.any(v["pl_max_wrt_min_cms"] > 0) and np.any(v["pl_max_wrt_min_cms"] < 0)
