"""b-to-k-alp: the declaration, the simulated couplings, the B⁰ normalisation, the smoothed
background of the sliding fit, the B → K a signal process and the Belle detector preset."""

from __future__ import annotations

from types import SimpleNamespace

import awkward as ak
import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.searches import b_to_k_alp as bka
from darkscan.searches import get
from darkscan.searches.extraction import Selected


def test_declaration_and_grid() -> None:
    s = get("b-to-k-alp")
    assert s.default_lumi == "711/fb" and s.cl == 0.9 and s.inference.combine
    assert [c.name for c in s.channels] == ["kplus", "ks", "kstar0", "kstarplus"]
    assert s.signal.points(True) == [{"mass": 0.3, "gaw": 4.9e-5}, {"mass": 2.0, "gaw": 3.8e-6}]
    assert len(s.signal.points(False)) == len(bka.MASSES)
    # the K* channels scan to 4.2 GeV, as the paper
    top = {"mass": 4.5, "gaw": bka.GAW[4.5]}
    assert s.signal.exists("kplus", top) and not s.signal.exists("kstar0", top)
    assert s.signal.exists("kstarplus", {"mass": 4.0, "gaw": bka.GAW[4.0]})
    # continuum suppression: R₂ and cos θ_TB,TO cuts by default; --selection bdt: one BDT per
    # channel on the event shape (never the diphoton mass), trained on the wide M_bc–ΔE region
    from darkscan.searches import selections

    assert selections("b-to-k-alp") == ("cuts", "bdt")
    assert all(c.mva is None and "R2 < 0.4" in c.selection for c in s.channels)
    bdt = get("b-to-k-alp", "bdt")
    assert [c.name for c in bdt.channels] == [c.name for c in s.channels]
    for c in bdt.channels:
        assert c.mva is not None and c.mva.mass == "dau1_M" and "R2 < 0.4" not in c.selection
        assert not any("M" in f.split("_") for f in c.mva.features)
        assert {"cos_tbto", "ksfw_hso02", "ksfw_hoo2"} <= set(c.mva.features)
        assert "Mbc > 5.2" in c.mva.training_selection and "Mbc > 5.27" in c.selection


def test_simulated_coupling_sits_at_the_reach_or_a_short_flight() -> None:
    from darkscan.models.alp import br_b_to_k_alp

    for m in bka.MASSES:
        g = bka.GAW[m]
        flight = bka._mean_flight(g, m)
        reach = float(br_b_to_k_alp(g, m))
        # two significant digits in g: B ∝ g², the flight ∝ g⁻²
        if m >= 1.2:  # prompt enough at the reach
            assert reach == pytest.approx(bka.REACH_BR, rel=0.06) and flight < 6.0
        else:  # beyond it: the coupling of a 10 cm mean flight
            assert flight == pytest.approx(bka.SIMULATED_FLIGHT, rel=0.06)
            assert reach > bka.REACH_BR
    # 0.2 GeV: the reach's coupling (B = 3×10⁻⁸, g = 4.0×10⁻⁶) flies 77 m on average
    assert bka._mean_flight(4.0e-6, 0.2) == pytest.approx(7.6e3, rel=0.03)
    assert bka.GAW[0.2] == 1.1e-4 and bka.GAW[2.0] == 3.8e-6


def test_per_unit_branching_normalisation() -> None:
    axes = {"mass": np.array([1.0, 3.0]), "gaw": np.array([4e-6, 4e-6])}
    kp = bka._per_unit("kplus", axes)
    np.testing.assert_allclose(kp, 1110.0 * 2 * 0.514)   # σ(Υ(4S)) 2 f₊ in pb
    ks = bka._per_unit("ks", axes)
    # B⁰: (1 − f₊), B(K⁰ → K⁰_S) = ½, r = B(B⁰ → K⁰a)/B(B⁺ → K⁺a) ≈ τ_B0/τ_B+ × phase space
    np.testing.assert_allclose(ks / kp, 0.486 / 0.514 * 0.5 * np.array([0.923, 0.922]),
                               atol=2e-3)
    # K*: r = B(B → K*a)/B(B⁺ → K⁺a) from the A₀ and f₀ form factors (models.alp), times
    # B(K*⁰ → K⁺π⁻) = ⅔ and B(K*⁺ → K⁰π⁺) B(K⁰ → K⁰_S) = ⅓
    from darkscan.models.alp import br_b_to_k_alp, br_b_to_kstar_alp

    r0 = br_b_to_kstar_alp(4e-6, axes["mass"], False) / br_b_to_k_alp(4e-6, axes["mass"])
    rp = br_b_to_kstar_alp(4e-6, axes["mass"], True) / br_b_to_k_alp(4e-6, axes["mass"])
    np.testing.assert_allclose(bka._per_unit("kstar0", axes) / kp, 0.486 / 0.514 * r0 * 2 / 3)
    np.testing.assert_allclose(bka._per_unit("kstarplus", axes) / kp, rp / 3)
    # by hand: at 3 GeV A₀ = 1.364/(1 − 9/27.88) − 0.990/(1 − 9/36.78) = 0.704, f₀ = 0.330/
    # (1 − 9/37.46) = 0.434, λ̂_K*^{3/2} = 0.237, (1 − m_K²/m_B²)² λ̂_K^{1/2} = 0.649: r = 0.96;
    # at 1 GeV the same gives 1.19 (τ_B+ in both rates: they cancel)
    np.testing.assert_allclose(rp, [1.19, 0.96], atol=0.01)


def _bkg(x: np.ndarray, unit: float) -> Selected:
    return Selected("b", "b", {"dau1_M": x}, np.full(len(x), unit), np.ones(len(x)), 100, unit)


def test_smoothed_background_keeps_the_total_and_the_range() -> None:
    fit = bka.SEARCH.extraction
    rng = np.random.default_rng(1)
    x0 = np.repeat([1.0, 3.0], 100)
    s = fit.smoothed([_bkg(x0[:150], 5.0), _bkg(x0[150:], 5.0)], rng)
    assert s.weight.sum() == pytest.approx(1000.0)
    x = s.values["dau1_M"]
    assert x.min() >= 0.1 and x.max() <= 4.8 and len(x) == fit.n_smooth
    # Silverman's width 1.06 σ̂ n_eff^(−1/5) = 1.06 × 1 × 200^(−0.2) = 0.368 GeV beats
    # a + b·x = 0.12 (1 GeV) and 0.32 GeV (3 GeV)
    low = x < 2.0
    assert low.mean() == pytest.approx(0.5, abs=0.01)
    assert np.std(x[low]) == pytest.approx(0.368 * 0.97, rel=0.03)   # truncated at ±2.7σ
    # one simulated candidate: its weight, flat; none: 2.3 MC events of the heaviest sample
    one = fit.smoothed([_bkg(np.array([0.5]), 300.0)], rng)
    assert one.weight.sum() == pytest.approx(300.0)
    assert abs(np.mean(one.values["dau1_M"]) - 2.45) < 0.02
    empty = fit.smoothed([_bkg(np.array([]), 700.0), _bkg(np.array([]), 90.0)], rng)
    assert empty.weight.sum() == pytest.approx(2.3 * 700.0)


def test_smoothed_background_takes_the_looser_regions_shape() -> None:
    """Two selected candidates: the density has the wide region's shape (here falling,
    exponential of slope 1/GeV) at the selected total; a wide region without a shape of its
    own leaves the flat stand-in."""
    fit = bka.SEARCH.extraction
    assert fit.shape_selection == bka.SHAPE_REGION and "Mbc > 5.2" in fit.shape_selection
    rng = np.random.default_rng(3)
    wide = _bkg(0.1 + rng.exponential(1.0, 400), 50.0)
    s = fit.smoothed([_bkg(np.array([2.0, 4.0]), 900.0)], rng, [wide])
    assert s.weight.sum() == pytest.approx(1800.0)
    x = s.values["dau1_M"]
    # the exponential's mean, 1.1 GeV, plus what the reflection at 0.1 GeV of kernels of
    # Silverman's width 1.06 × 1 × 400^(−1/5) = 0.32 GeV adds (~0.1)
    assert np.mean(x) == pytest.approx(1.2, abs=0.06)
    assert np.mean(x > 2.45) < 0.2  # flat would put half above the middle of the range
    few = fit.smoothed([_bkg(np.array([2.0]), 900.0)], rng, [_bkg(np.array([1.0, 1.5]), 50.0)])
    assert few.weight.sum() == pytest.approx(900.0)
    assert np.mean(few.values["dau1_M"]) == pytest.approx(2.45, abs=0.02)


def test_signal_process_events() -> None:
    from darkscan.generate import get_process
    from darkscan.generate.processes.b_to_k_alp import R_DECAY_MAX

    proc = get_process("belle_upsilon4s_bb_ks_alp")
    s = proc.generate_chunk(300, np.random.SeedSequence(5), {"mass": 0.4, "gaw": 5e-6})
    assert s.meta.experiment == "belle"
    # σ(Υ(4S)) 2 (1 − f₊) B(B⁰ → K⁰a) ½
    from darkscan.models.alp import br_b_to_k_alp

    assert s.meta.sigma_pb == pytest.approx(
        1110.0 * 2 * 0.486 * float(br_b_to_k_alp(5e-6, 0.4, charged=False)) * 0.5)
    p = s.events.particles
    a_idx = ak.to_numpy(ak.argmax(p.pdg == 4900036, axis=1))
    photons = p[(p.pdg == 22) & (p.mother == a_idx[:, None])]
    assert np.all(ak.to_numpy(ak.num(photons)) == 2)
    pair = ak.to_numpy(ak.sum(photons.E, axis=1)) ** 2 - sum(
        ak.to_numpy(ak.sum(photons[c], axis=1)) ** 2 for c in ("px", "py", "pz"))
    np.testing.assert_allclose(np.sqrt(pair), 0.4, rtol=1e-6)
    r = np.hypot(ak.to_numpy(photons.vx[:, 0]), ak.to_numpy(photons.vy[:, 0]))
    assert r.max() < R_DECAY_MAX
    w = ak.to_numpy(s.events.weight)
    # cτ = 46 cm at 0.4 GeV, 5e-6 GeV⁻¹, βγ ≈ 6.6: λ ≈ 3 m, ~40% decay within 125 cm / sinθ
    assert 0.35 < w.mean() < 0.55 and w.max() <= 1.0 and w.min() > 0.25
    assert np.all(ak.to_numpy(ak.sum(p.pdg == 310, axis=1)) >= 1)
    # the backgrounds' truth filter keeps what can pass: every signal event here
    assert bka.has_kaon_and_photons(p).mean() > 0.99
    with pytest.raises(ParameterError, match="mass"):
        proc.generate_chunk(10, np.random.SeedSequence(1), {"mass": 4.9, "gaw": 1e-5})


def test_kstar_signal_is_longitudinal() -> None:
    """B⁰ → K*⁰a: the K* decays to K⁺π⁻ with helicity 0, ⟨cos²θ_K⟩ = 3/5 (isotropic: 1/3)."""
    from darkscan.generate import get_process
    from darkscan.physics import lorentz

    proc = get_process("belle_upsilon4s_bb_kstar0_alp")
    s = proc.generate_chunk(300, np.random.SeedSequence(7), {"mass": 2.0, "gaw": 4e-6})
    p = s.events.particles
    ks = ak.to_numpy(ak.argmax(p.pdg == 313, axis=1))
    kids = p[p.mother == ks[:, None]]
    assert ak.to_list(kids.pdg[0]) == [321, -211]
    four = np.stack([ak.to_numpy(kids[c]) for c in ("px", "py", "pz", "E")], axis=-1)
    kstar = four.sum(axis=1)
    m = np.sqrt(kstar[:, 3] ** 2 - np.sum(kstar[:, :3] ** 2, axis=1))
    assert np.median(np.abs(m - 0.8955)) < 0.05  # a Breit–Wigner of Γ = 47 MeV
    k_rest = lorentz.boost(four[:, 0], -kstar[:, :3] / kstar[:, 3:4])
    cos_k = np.sum(k_rest[:, :3] * kstar[:, :3], axis=1) / (
        np.linalg.norm(k_rest[:, :3], axis=1) * np.linalg.norm(kstar[:, :3], axis=1))
    assert np.mean(cos_k**2) == pytest.approx(0.6, abs=0.05)
    from darkscan.models.alp import br_b_to_kstar_alp

    assert s.meta.sigma_pb == pytest.approx(
        1110.0 * 2 * 0.486 * float(br_b_to_kstar_alp(4e-6, 2.0, charged=False)) * 2 / 3)


def test_belle_detector_preset() -> None:
    from darkscan.detector.parameters import BELLE2_DETECTOR, detector_for

    belle = detector_for("belle")
    assert (belle.sigma_pt_a, belle.sigma_pt_b) == (0.00201, 0.00290)
    assert (belle.sigma_e_a, belle.sigma_e_b, belle.sigma_e_c) == (0.00066, 0.0081, 0.0134)
    assert detector_for("belle2") is BELLE2_DETECTOR and BELLE2_DETECTOR.sigma_e_b == 0.0147
    assert detector_for("babar") is BELLE2_DETECTOR
    assert belle.ecl_barrel == BELLE2_DETECTOR.ecl_barrel


def test_blind_point_of_a_fit_gets_an_infinite_limit() -> None:
    """A K* channel has no signal at 4.5 GeV: the sliding fit leaves its counts NaN, and the
    channel's limit there is +inf while the other points' limits are finite."""
    from darkscan.physics.units import Luminosity
    from darkscan.searches.extraction import Counts
    from darkscan.searches.runner import _inference

    nan = np.nan
    c = Counts(np.array([12.0, nan]), np.array([10.0, nan]), np.zeros(2), np.array([0.2, nan]),
               np.array([0.02, nan]), np.array([10.0, nan]), np.zeros(2))
    lim, _, blind = _inference(c, bka.SEARCH, Luminosity(711e3), np.array([1.0, 1.0]))
    assert blind.tolist() == [False, True]
    assert np.isfinite(lim.observed[0]) and lim.observed[1] == np.inf
    assert np.all(np.isfinite(lim.expected[:, 0])) and np.all(lim.expected[:, 1] == np.inf)


def test_combination_reference_ignores_a_channel_without_signal() -> None:
    """The combined coupling limits need one simulated B(B⁺ → K⁺a) per point; a K* channel
    without signal at 4.5 GeV (ref NaN) must not void it at every point."""
    from darkscan.physics.units import Luminosity
    from darkscan.searches.extraction import Counts
    from darkscan.searches.runner import _ChannelRun, _combine, _inference

    s = bka.SEARCH
    lum = Luminosity(711e3)
    ref = np.array([2e-8, 3e-8])

    def run(name: str, eff: np.ndarray) -> _ChannelRun:
        c = Counts(np.array([10.0, 10.0]), np.full(2, 10.0), np.zeros(2), eff,
                   np.full(2, 0.02), np.full(2, 10.0), np.zeros(2))
        scale = np.array([1000.0, 1000.0])
        lim, cross, blind = _inference(c, s, lum, scale)
        r = np.where(blind, np.nan, ref)
        return _ChannelRun(s.channels[0] if name == "kplus" else s.channels[2],
                           s.signal.sample_for(name), [], {}, {}, {}, c, lim, cross, blind, {},
                           None, scale, r, 0.0)

    both = _combine(s, [run("kplus", np.array([0.2, 0.2])),
                        run("kstar0", np.array([0.1, np.nan]))], lum)
    np.testing.assert_allclose(both.ref, ref)
    assert both.summary["couplings"].startswith("from the combined limit")
    # where both channels see the signal, the combination beats the K⁺ channel alone
    alone = run("kplus", np.array([0.2, 0.2])).limits.expected[2]
    assert both.limits.expected[2][0] < alone[0]
    assert both.limits.expected[2][1] == pytest.approx(alone[1], rel=0.02)


def test_continuum_cuts_factorised_on_qq() -> None:
    from darkscan.events import SampleMeta
    from darkscan.physics import parse_luminosity
    from darkscan.searches.factorised import FactorisedCuts
    from darkscan.searches.runner import channel_selected
    from darkscan.searches.samples import Ntuple
    from darkscan.searches.spec import Channel

    # the declaration: every channel factorises R₂ and cos θ_TB,TO on qq̄ in the wide region,
    # and the helicity cut is part of every region
    s = get("b-to-k-alp")
    for c in s.channels:
        fc = c.factorised_cuts
        assert fc is not None and fc.cuts == bka.CONTINUUM_CUTS and fc.backgrounds == ("qq",)
        assert "Mbc > 5.25" in fc.region and not set(fc.cuts) & set(fc.region)
        assert bka.HELICITY_CUT in c.selection and bka.HELICITY_CUT in bka.SHAPE_REGION
    assert all(c.factorised_cuts is None for c in get("b-to-k-alp", "bdt").channels)
    # a factorised cut must be one of the selection's
    best = s.channels[0].best_candidate
    with pytest.raises(ParameterError, match="not in its selection"):
        Channel("x", s.channels[0].decay, best, ("Mbc > 5.27",), lists=s.channels[0].lists,
                factorised_cuts=FactorisedCuts(("R2 < 0.4",), ("Mbc > 5.2",), ("qq",)))
    # the efficiency: weighted, in the region; none in the region: 1 on 0 candidates
    fc = FactorisedCuts(("R2 < 0.4",), ("Mbc > 5.2",), ("qq",))
    sel = np.array([True, False, True, False, True])
    region = np.array([True, True, True, True, False])
    assert fc.efficiency(sel, region, np.array([1.0, 1.0, 2.0, 4.0, 9.0])) == (3.0 / 8.0, 4)
    assert fc.efficiency(sel, np.zeros(5, bool), np.ones(5)) == (1.0, 0)
    # its error: binomial with weights, √(5·(5/8)² + 17·(3/8)²)/8; unit weights: √(ε(1−ε)/n)
    w = np.array([1.0, 1.0, 2.0, 4.0, 9.0])
    assert fc.efficiency_error(sel, region, w) == pytest.approx(np.sqrt(278.0 / 64.0) / 8.0)
    assert fc.efficiency_error(sel, region, np.ones(5)) == pytest.approx(np.sqrt(0.25 / 4))
    assert fc.efficiency_error(sel, np.zeros(5, bool), np.ones(5)) == 0.0
    # the runner: qq̄ (and its training copy) without the cut, weighted; others as selected
    ch = Channel("x", s.channels[0].decay, best, ("Mbc > 5.27", "R2 < 0.4"),
                 lists=s.channels[0].lists, factorised_cuts=fc)
    cols = {"Mbc": np.array([5.28, 5.28, 5.28, 5.22, 5.22, 5.22, 5.22]),
            "R2": np.array([0.1, 0.6, 0.7, 0.1, 0.6, 0.6, 0.6])}
    nt = Ntuple("qq", "qq", cols, np.ones(7), 1.0, 100, SampleMeta("belle_ee_qq"))
    lum = parse_luminosity("100/pb")
    for sample in ("qq", "qq_training"):
        got = channel_selected(ch, sample, nt, ("Mbc",), lum)
        # 3 candidates above 5.27 before the cut; 2 of the 7 in the region pass it
        assert len(got.weight) == 3 and np.allclose(got.weight, 2.0 / 7.0)
        assert got.unit_weight == pytest.approx(2.0 / 7.0)
        # what summary.json reports is this measurement, made once
        assert got.factorised is not None and got.factorised.region_candidates == 7
        assert got.factorised.efficiency == pytest.approx(2.0 / 7.0)
        assert got.factorised.error == pytest.approx(np.sqrt(2.0 / 7.0 * 5.0 / 7.0 / 7.0))
        assert got.factorised.summary()["efficiency_error"] == got.factorised.error
    plain = channel_selected(ch, "bb", nt, ("Mbc",), lum)
    assert len(plain.weight) == 1 and np.allclose(plain.weight, 1.0)
    assert plain.factorised is None


def _alp_run(seed: int, ctau0: float, scale: float, n: int = 20_000) -> SimpleNamespace:
    """A channel's selected signal at m_a = 0.3 GeV: ALPs with βγ = 8.7 seen with
    probability ½, their diphoton mass m(1 − L/125 cm) ± 10 MeV (photons from the IP)."""
    rng = np.random.default_rng(seed)
    ell = rng.exponential(ctau0, n)
    seen = rng.random(n) < 0.5
    flight = 8.7 * ell[seen]
    mass = 0.3 * (1 - flight / 125.0) + rng.normal(0.0, 0.01, seen.sum())
    s = Selected("a", "a", {"dau1_M": mass, "mc_llp_proper_length": ell[seen]},
                 np.ones(seen.sum()), np.ones(seen.sum()), n, 1.0)
    counts = SimpleNamespace(efficiency=np.array([0.1]), summary={},
                             signal={"peak": np.array([0.3]), "resolution": np.array([0.01])})
    return SimpleNamespace(selected={"a": s}, signal_ids=["a"], counts=counts,
                           blind=np.array([False]), scale=np.array([scale]))


def test_the_coupling_limit_follows_the_alps_lifetime() -> None:
    """g_aW where (g/g₀)² ε(cτ(g))/ε₀ = (g_fixed/g₀)²: the ±2σ core of the mass peak holds the
    decays within 125 cm × 2σ/m = 8.3 cm (ℓ < 0.96 cm), so ε(cτ) ∝ 1 − e^(−0.96 cm/cτ)."""
    from darkscan.searches.runner import _with_lifetime

    search = get("b-to-k-alp")
    itp = search.interpretations[0]
    g0 = 1.4e-5  # cτ = 14 cm, a mean flight of 1.2 m
    point = {"mass": 0.3, "gaw": g0}
    ctau0 = bka._ctau(point)
    fixed = 2.0 * g0  # the limit were the efficiency that at g₀: 4× the simulated signal
    obs, exp = np.array([fixed]), np.full((5, 1), fixed)
    one, _ = _with_lifetime(search, itp, [_alp_run(1, ctau0, 1.0)], {}, [point],
                            np.array([g0]), obs, exp)
    g = np.geomspace(0.5, 2.0, 100_001) * g0
    gain = (g / g0) ** 2 * -np.expm1(-0.96 / (ctau0 * (g0 / g) ** 2)) / -np.expm1(
        -0.96 / ctau0)
    closed = g[np.argmax(gain >= 4.0)]
    assert closed < 0.75 * fixed  # shorter flights: more decays in the peak
    assert one[0] == pytest.approx(closed, rel=0.03)
    # the combination: the channels' ratios weighted by their signal; a blind channel adds
    # nothing, and two channels of one flight give the one channel's limit
    blind = _alp_run(2, ctau0, 5.0)
    blind.blind = np.array([True])
    both, _ = _with_lifetime(search, itp, [_alp_run(1, ctau0, 1.0), _alp_run(3, ctau0, 2.0),
                                           blind], {}, [point], np.array([g0]), obs, exp)
    assert both[0] == pytest.approx(one[0], rel=0.02)
    none, _ = _with_lifetime(search, itp, [], {}, [point], np.array([g0]), obs, exp)
    assert np.isnan(none[0])
