"""The search layer: declarations validated at construction, stable sample identities, the
ntuple cache key, the extraction classes on toy arrays, the typed result's tables."""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from darkscan.errors import NotAvailableError, ParameterError, UnknownNameError
from darkscan.reco.lists import ListDef
from darkscan.searches import get
from darkscan.searches.extraction import (
    CountWindows,
    CutAndCount,
    EllipticalWindows,
    ExtractionInput,
    Selected,
    SlidingFit,
    Split,
    TemplateFit,
)
from darkscan.searches.samples import CODE, _sample_seed, sample_id
from darkscan.searches.spec import (
    AllCandidates,
    Axis,
    Channel,
    Inference,
    SampleSpec,
    SignalGrid,
)

ZINV = get("zprime-invisible", "cuts")  # the cut-based declaration these tests read


# ------------------------------------------------------------------ validation at declaration
def test_typo_in_method_fails_at_declaration() -> None:
    with pytest.raises(ParameterError, match="method must be one of"):
        Inference(cl=0.9, method="cl s")
    with pytest.raises(ParameterError, match="method"):
        replace(ZINV, inference=Inference(cl=0.9, method="bayesian"))


def test_unknown_variable_and_process_fail_at_declaration() -> None:
    ch = ZINV.channels[0]
    with pytest.raises(UnknownNameError, match="unknown variable 'm2_recoi'"):
        replace(ch, selection=(*ch.selection, "m2_recoi > 0"))
    with pytest.raises(ParameterError, match="unknown process"):
        SampleSpec("x", "ee_mumuu", 10, 10, "x")
    with pytest.raises(ParameterError, match="lower-case ASCII"):
        SampleSpec("μμ", "ee_mumu", 10, 10, "μμ")
    with pytest.raises(ParameterError, match=r"unknown detector parameter.*ecl_force_deep"):
        SampleSpec("mumu", "ee_mumu", 10, 10, "μμ", detector={"ecl_force_deep": 0.6})
    with pytest.raises(ParameterError, match="not a model parameter"):
        Axis("mas", (1.0,), (1.0,), "M")
    with pytest.raises(ParameterError, match="unique"):
        replace(ZINV, backgrounds=(*ZINV.backgrounds, ZINV.backgrounds[0]))
    with pytest.raises(ParameterError, match="CountWindows background"):
        CountWindows("m2_recoil", "M²", "GeV²", (0.0, 1.0), background="sidebands")


def test_signal_grid_points_and_constraint() -> None:
    sample = SampleSpec("dh", "ee_darkphoton_darkhiggs", 10, 10, "signal")
    grid = SignalGrid(sample, (Axis("mass_darkphoton", (4.0, 6.0, 8.0), (4.0, 8.0), "M_A"),
                               Axis("mass_darkhiggs", (1.0, 5.0, 7.0), (1.0,), "M_h")),
                      allowed=lambda p: p["mass_darkhiggs"] < p["mass_darkphoton"],
                      allowed_label="M_h < M_A")
    pts = grid.points(quick=False)
    assert {(p["mass_darkphoton"], p["mass_darkhiggs"]) for p in pts} == {
        (4.0, 1.0), (6.0, 1.0), (6.0, 5.0), (8.0, 1.0), (8.0, 5.0), (8.0, 7.0)}
    assert len(grid.points(quick=True)) == 2
    with pytest.raises(ParameterError, match="allowed_label"):
        SignalGrid(sample, grid.axes, allowed=lambda p: True)


def test_channel_columns_come_from_the_declaration() -> None:
    cols = ZINV.channels[0].columns(ZINV.extraction.observables)
    assert cols[0] == "m2_recoil" and "trg_two_track" in cols and "pt_cms" in cols
    assert len(set(cols)) == len(cols)


# ------------------------------------------------------------------ identities and caching
def test_seeds_come_from_the_id_not_the_label() -> None:
    mumu = ZINV.backgrounds[0]
    renamed = replace(mumu, label="dimuons")
    assert sample_id(renamed) == sample_id(mumu) == "mumu"
    assert _sample_seed(1, sample_id(renamed)) == _sample_seed(1, sample_id(mumu))
    # two signal points get distinct streams, named by their parameters
    sig = ZINV.signal.sample
    assert sample_id(sig, {"mass": 1.0}) == "zprime@mass=1"
    assert _sample_seed(1, sample_id(sig, {"mass": 1.0})) != _sample_seed(
        1, sample_id(sig, {"mass": 2.0}))


def test_ntuple_cache_key_fingerprints_the_whole_package(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from darkscan.run.cache import code_fingerprint

    assert CODE == ("darkscan",)
    # a package fingerprint changes when any file deep inside it changes
    pkg = tmp_path / "fakepkg"
    (pkg / "generate" / "processes").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "generate" / "__init__.py").write_text("")
    leaf = pkg / "generate" / "processes" / "isr.py"
    leaf.write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    before = code_fingerprint("fakepkg")
    leaf.write_text("X = 2\n")
    code_fingerprint.cache_clear()
    assert code_fingerprint("fakepkg") != before
    sys.modules.pop("fakepkg", None)
    code_fingerprint.cache_clear()


def test_planned_search_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import darkscan.searches as searches

    monkeypatch.setitem(searches.SEARCHES, "example-planned",
                        searches.SearchInfo("example-planned", "a planned search", None))
    with pytest.raises(NotAvailableError, match="planned but not implemented"):
        get("example-planned")
    with pytest.raises(UnknownNameError, match="unknown search"):
        get("zprime-invisibel")


# ------------------------------------------------------------------ extractions on toys
def _selected(name: str, values: dict[str, np.ndarray], weight: float, n_gen: int
              ) -> Selected:
    n = len(next(iter(values.values())))
    return Selected(name, name, values, np.full(n, weight), np.ones(n), n_gen, weight)


def _flat_bkg(rng: np.random.Generator, n: int, weight: float, **ranges: tuple[float, float]
              ) -> Selected:
    return _selected("bkg", {k: rng.uniform(*r, n) for k, r in ranges.items()}, weight, n)


def test_count_windows_on_a_toy_peak() -> None:
    rng = np.random.default_rng(11)
    sig = _selected("sig", {"x": rng.normal(5.0, 0.2, 5_000)}, 1.0, 10_000)
    bkg = _flat_bkg(rng, 100_000, 0.1, x=(0.0, 10.0))  # 1000 events per unit of x
    data = ExtractionInput([{"mass": 5.0}], [sig], [bkg], 1.0, np.random.default_rng(1))
    c = CountWindows("x", "x", "", (0.0, 10.0), n_sigma=2.0).extract(data)
    assert c.resolution[0] == pytest.approx(0.2, rel=0.05)
    assert c.efficiency[0] == pytest.approx(0.5 * 0.9545, rel=0.03)  # half selected, ±2σ
    assert c.bkg[0] == pytest.approx(1000 * 0.8, rel=0.05)
    assert c.n_obs[0] == pytest.approx(c.bkg[0], abs=5 * np.sqrt(c.bkg[0]))
    sb = CountWindows("x", "x", "", (0.0, 10.0), background="sideband").extract(data)
    # a flat background: the sideband estimate agrees with the MC and the pseudo-data
    assert sb.bkg_obs[0] == pytest.approx(sb.bkg[0], rel=0.1)
    assert sb.bkg_unc[0] < 0.1 * sb.bkg[0]


def test_an_importance_sampled_background_absent_from_a_window_adds_its_own_event_weight() -> None:
    """A window without any event of a sample is uncertain by about one of that sample's event
    weights (spread over the gap to its nearest event); an importance-sampled sample (each
    event's weight σL/N times a probability ~10⁻⁴, e.g. photons forced to convert deep in the
    ECL) counts with its events' weight, not with σL/N: before, such a sample whose events all
    sit at M² ≈ 0 put ~60 phantom events of uncertainty in every higher window."""
    rng = np.random.default_rng(14)
    sig = _selected("sig", {"x": rng.normal(7.0, 0.2, 5_000)}, 1.0, 10_000)
    bkg = _flat_bkg(rng, 10_000, 0.1, x=(0.0, 10.0))
    far = rng.uniform(0.0, 1.0, 200)  # all below the window at 7
    weighted = Selected("forced", "forced", {"x": far}, np.full(200, 250.0 * 1e-4),
                        np.full(200, 1e-4), 200, 250.0)
    assert weighted.event_weight == pytest.approx(0.025)
    base = CountWindows("x", "x", "", (0.0, 10.0)).extract(
        ExtractionInput([{"mass": 7.0}], [sig], [bkg], 1.0, np.random.default_rng(1)))
    both = CountWindows("x", "x", "", (0.0, 10.0)).extract(
        ExtractionInput([{"mass": 7.0}], [sig], [bkg, weighted], 1.0,
                        np.random.default_rng(1)))
    assert both.bkg[0] == pytest.approx(base.bkg[0])
    gap = 7.0 - 2 * both.resolution[0] - far.max() + 4 * both.resolution[0]
    extra = 1.15 * 0.025 * 4 * both.resolution[0] / gap
    assert both.bkg_unc[0] == pytest.approx(np.hypot(base.bkg_unc[0], extra), rel=1e-6)


def test_split_windows_count_per_bin_and_sum_to_the_window() -> None:
    rng = np.random.default_rng(13)
    # the signal central in c (|c| < 0.4), the background flat in c over [-1, 1]
    sig = _selected("sig", {"x": rng.normal(5.0, 0.2, 5_000),
                            "c": rng.uniform(-0.4, 0.4, 5_000)}, 1.0, 10_000)
    bkg = _flat_bkg(rng, 100_000, 0.1, x=(0.0, 10.0), c=(-1.0, 1.0))
    data = ExtractionInput([{"mass": 5.0}], [sig], [bkg], 1.0, np.random.default_rng(1))
    split = Split("c", (0.0, 0.4, 0.8), "|c|", absolute=True)
    ext = CountWindows("x", "x", "", (0.0, 10.0), split=split)
    c = ext.extract(data)
    assert ext.observables == ("x", "c")
    # two bins: all the signal in the first, the background shared 0.4 : 0.4 of |c| < 1
    assert c.bins["efficiency"][:, 0] == pytest.approx([0.5 * 0.9545, 0.0], abs=0.01)
    assert c.bins["bkg"][:, 0] == pytest.approx([320.0, 320.0], rel=0.08)
    assert c.bkg[0] == pytest.approx(c.bins["bkg"][:, 0].sum())
    assert c.n_obs[0] == c.bins["n_obs"][:, 0].sum()
    assert c.bkg_unc[0] == pytest.approx(np.hypot(*c.bins["bkg_unc"][:, 0]))
    assert c.windows["bkg_bin1"][0] == c.bins["bkg"][1, 0]
    # what the window's simulated background is made of, per sample, summed over the bins
    assert c.windows["bkg_mc_bkg"][0] == pytest.approx(c.bkg[0], rel=0.01)
    # the events a point counts: in the window and in a bin
    assert ext.counted(c, 0, sig).sum() == pytest.approx(c.efficiency[0] * 10_000)
    # the window's resolution and the plotted background are the unsplit ones
    whole = CountWindows("x", "x", "", (0.0, 10.0)).extract(data)
    assert c.resolution[0] == whole.resolution[0]
    assert sum(c.distributions[0].backgrounds.values()).sum() == pytest.approx(
        0.8 * sum(whole.distributions[0].backgrounds.values()).sum(), rel=0.02)
    with pytest.raises(ParameterError, match="increasing"):
        Split("c", (0.5, 0.2), "|c|")


def test_elliptical_windows_follow_the_signal_correlation() -> None:
    rng = np.random.default_rng(12)
    cov = np.array([[0.04, 0.03], [0.03, 0.09]])
    xy = rng.multivariate_normal([6.0, 2.0], cov, size=20_000)
    sig = _selected("sig", {"M": xy[:, 0], "m_recoil": xy[:, 1]}, 1.0, 20_000)
    bkg = _flat_bkg(rng, 200_000, 0.05, M=(0.0, 10.0), m_recoil=(0.0, 10.0))
    data = ExtractionInput([{}], [sig], [bkg], 1.0, np.random.default_rng(2))
    ext = EllipticalWindows("M", "m_recoil", "M", "M_rec", (0.0, 10.0), (0.0, 10.0), 2.0)
    c = ext.extract(data)
    assert c.signal["resolution"][0] == pytest.approx(0.2, rel=0.05)
    assert c.signal["resolution_m_recoil"][0] == pytest.approx(0.3, rel=0.05)
    assert c.signal["correlation"][0] == pytest.approx(0.5, abs=0.05)
    assert c.efficiency[0] == pytest.approx(1 - np.exp(-2.0), rel=0.03)
    # background: 2000 events per unit area × the ellipse's area π·4·√det(cov)
    area = np.pi * 4.0 * np.sqrt(np.linalg.det(cov))
    assert c.bkg[0] == pytest.approx(0.05 * 2000 * area * (100 / 100), rel=0.1)
    assert abs(c.n_obs[0] - c.bkg[0]) < 5 * np.sqrt(c.bkg[0])


def test_sliding_fit_finds_no_signal_in_a_smooth_background() -> None:
    rng = np.random.default_rng(13)
    sig = _selected("sig", {"x": rng.normal(5.0, 0.1, 4_000)}, 1.0, 8_000)
    bkg = _flat_bkg(rng, 50_000, 0.1, x=(0.0, 10.0))
    data = ExtractionInput([{"mass": 5.0}], [sig], [bkg], 1.0, np.random.default_rng(3))
    c = SlidingFit("x", "x", (0.0, 10.0), width=20.0, background="poly1").extract(data)
    assert c.summary["fit_status"][0] != "failed"
    # the signal inside the 20σ fit window
    assert c.efficiency[0] == pytest.approx(0.5, rel=0.05)
    # background in ±2σ of a 500-per-unit flat spectrum
    assert c.windows["bkg_2sigma"][0] == pytest.approx(500 * 0.4, rel=0.15)
    # the effective background of the equivalent count, the variance of ν̂_s from the Fisher
    # information at ν_s = 0 for the fitted flat density: 2√π σ ρ, times 1.215 for the level
    # (and slope) profiled in a window 20σ wide
    assert c.bkg[0] == pytest.approx(2 * np.sqrt(np.pi) * 0.1 * 500.0 * 1.215, rel=0.1)


def test_sliding_fit_takes_its_line_shape_from_the_resolved_decays() -> None:
    """A displaced signal: 1 000 decays near the IP make a peak 0.1 wide at 5, 3 000 further
    out a pedestal below it (the mass from the IP too low). The line shape comes from the
    first (``signal_shape_cut`` on the truth flight), the efficiency is the yield the fit sees
    over every selected event, the pedestal going with the background polynomial; the
    counted events (for lifetime reweighting) are the peak's ±2σ."""
    rng = np.random.default_rng(21)
    near = rng.uniform(0.0, 10.0, 1_000)
    far = rng.uniform(10.0, 125.0, 3_000)
    x = np.r_[rng.normal(5.0, 0.1, 1_000), 5.0 * (1 - far / 125.0) + rng.normal(0, 0.1, 3_000)]
    sig = _selected("sig", {"x": x, "mc_llp_flight": np.r_[near, far]}, 1.0, 8_000)
    bkg = _flat_bkg(rng, 50_000, 0.1, x=(0.0, 10.0))
    # a double Crystal Ball fitted to every event takes a third of the pedestal into its tail
    # (yield 1 340)
    fit = SlidingFit("x", "x", (0.0, 10.0), width=20.0, background="poly2", peak_axis="mass",
                     signal_model="dcb", signal_shape_cut="mc_llp_flight < 10")
    assert fit.observables == ("x", "mc_llp_flight") and fit.fit_observables == ("x",)
    c = fit.extract(ExtractionInput([{"mass": 5.0}], [sig], [bkg], 1.0,
                                    np.random.default_rng(3)))
    assert c.signal["resolution"][0] == pytest.approx(0.1, rel=0.1)
    assert c.efficiency[0] == pytest.approx(1_000 / 8_000, rel=0.15)
    counted = fit.counted(c, 0, sig)
    assert counted[:1_000].mean() > 0.9 and counted[1_000:].mean() < 0.05
    with pytest.raises(ParameterError, match="signal_shape_cut"):
        SlidingFit("x", "x", (0.0, 10.0), signal_shape_cut="mc_llp_flight <")


def test_sliding_fit_expected_background_is_the_simulations_not_one_pseudo_datasets() -> None:
    """The expected limits' b_eff is the simulation's own (its weighted candidates fitted as
    the data are, an Asimov set): the same whatever pseudo-dataset is drawn, in the windows
    and in the fine scan, while the data's b_eff scatters about it."""
    rng = np.random.default_rng(16)
    sigs = [_selected(f"s{m}", {"x": rng.normal(m, 0.1, 4_000)}, 1.0, 8_000) for m in (4.0, 6.0)]
    bkg = _flat_bkg(rng, 50_000, 0.1, x=(0.0, 10.0))
    fit = SlidingFit("x", "x", (0.0, 10.0), width=20.0, background="poly1", peak_axis="mass",
                     scan_step=1.0)
    runs = [fit.extract(ExtractionInput([{"mass": 4.0}, {"mass": 6.0}], sigs, [bkg], 1.0,
                                        np.random.default_rng(k))) for k in range(6)]
    expected = np.array([c.bkg for c in runs])
    observed = np.array([c.bkg_obs for c in runs])
    assert np.ptp(expected, axis=0) == pytest.approx([0.0, 0.0])
    # 2√π σ ρ for the flat 500 per unit, × 1.215 for the level and slope profiled in 20σ
    assert expected[0] == pytest.approx(2 * np.sqrt(np.pi) * 0.1 * 500.0 * 1.215, rel=0.05)
    assert np.all(np.std(observed, axis=0) > 1.0)
    assert np.mean(observed, axis=0) == pytest.approx(expected[0], rel=0.1)
    scans = np.array([c.scan["bkg_exp"] for c in runs])
    assert len(runs[0].scan["mass"]) > 10 and np.ptp(scans, axis=0).max() == 0.0
    np.testing.assert_allclose(scans[0], expected[0, 0], rtol=0.1)
    assert np.std([c.scan["bkg"] for c in runs], axis=0).min() > 0


def test_asymptotic_expected_limits_are_the_simulations_not_one_pseudo_datasets() -> None:
    """The asymptotic CLs band is built on the background-only fit to the simulated background
    itself: two pseudo-datasets of one simulation give the same expected limits (the observed
    ones differ), equal to the limits on Asimov counts n = b. Sparse bins with a large MC
    uncertainty are where a fit to the pseudo-data pulled the band (here by ×1.4)."""
    from darkscan.physics.units import Luminosity
    from darkscan.searches import dark_photon_invisible as dp
    from darkscan.searches.extraction import Counts
    from darkscan.searches.runner import _inference
    from darkscan.stats import combined_upper_limits

    bkg = np.array([[80.0], [1.6], [1.6], [4.0]])
    unc = np.array([[8.0], [1.2], [1.2], [2.0]])
    eff = np.array([[0.05], [0.03], [0.025], [0.03]])
    lum = Luminosity(20e3)

    def counts(n_obs: list[float]) -> Counts:
        n = np.array(n_obs, float)[:, None]
        bins = {"n_obs": n, "bkg": bkg, "bkg_unc": unc, "bkg_obs": bkg, "bkg_obs_unc": unc,
                "efficiency": eff}
        return Counts(n.sum(0), bkg.sum(0), np.hypot.reduce(unc, axis=0), eff.sum(0),
                      np.full(1, 0.1), bkg.sum(0), np.hypot.reduce(unc, axis=0), bins=bins)

    assert dp.SEARCH.inference.method == "cls"
    low, _, _ = _inference(counts([80, 0, 0, 2]), dp.SEARCH, lum, np.ones(1))
    high, _, _ = _inference(counts([80, 4, 3, 7]), dp.SEARCH, lum, np.ones(1))
    np.testing.assert_allclose(low.expected, high.expected, rtol=1e-9)
    assert high.observed[0] > 1.5 * low.observed[0]
    asimov = combined_upper_limits(bkg, bkg, unc, eff * lum.per_pb, cl=0.9, method="cls")
    np.testing.assert_allclose(low.expected[:, 0], asimov.expected[:, 0], rtol=1e-9)
    # the band a fit to the low pseudo-dataset would have given: lower by far
    post_fit = combined_upper_limits(np.array([[80.0], [0], [0], [2]]), bkg, unc,
                                     eff * lum.per_pb, cl=0.9, method="cls")
    assert post_fit.expected[2, 0] < asimov.expected[2, 0] / 1.2


def test_cut_and_count_abcd_reproduces_the_signal_region() -> None:
    rng = np.random.default_rng(14)
    n = 400_000
    bkg = _selected("bkg", {"pt": rng.exponential(1.0, n), "E_ECL_extra": rng.exponential(
        1.0, n)}, 0.01, n)
    sig = _selected("sig", {"pt": np.full(100, 3.0), "E_ECL_extra": np.full(100, 0.1)}, 1.0, 200)
    ext = CutAndCount(("pt > 2", "E_ECL_extra < 0.5"), background="abcd",
                      control=("pt > 2", "E_ECL_extra < 0.5"))
    c = ext.extract(ExtractionInput([{}], [sig], [bkg], 1.0, np.random.default_rng(4)))
    expected = 0.01 * n * np.exp(-2.0) * (1 - np.exp(-0.5))
    assert c.bkg[0] == pytest.approx(expected, rel=0.05)
    assert c.efficiency[0] == pytest.approx(0.5)
    # independent variables: ABCD on the pseudo-data agrees with the truth
    assert c.bkg_obs[0] == pytest.approx(expected, rel=0.15)


def test_channel_rejects_a_bad_decay() -> None:
    with pytest.raises(Exception, match="decay"):
        Channel("x", "vpho ->", ZINV.channels[0].best_candidate, ())


def test_channel_lists_are_checked_at_declaration() -> None:
    from darkscan.reco import ListDef, VertexFit

    best = ZINV.channels[0].best_candidate
    with pytest.raises(ParameterError, match="S:x"):
        Channel("bks", "B+:sig -> K+ S:x", best, ())
    s_list = ListDef("S:x -> mu+ mu-", vertex=VertexFit())
    ch = Channel("bks", "B+:sig -> K+ S:x", best, ("dau1_flight_significance > 3",),
                 lists=(s_list,))
    assert ch.lists == (s_list,)


def test_a_chunk_reconstructs_through_the_channel_lists() -> None:
    from darkscan.generate import get_process, resolve_params
    from darkscan.reco import ListDef, VertexFit
    from darkscan.run.chunks import plan_chunks
    from darkscan.searches.samples import NtupleTask, ntuple_kernel
    from darkscan.searches.spec import BestCandidate, SampleSpec

    spec = SampleSpec("bks", "upsilon4s_bb_ks_mumu", 300, 300, "B -> K S",
                      params={"mass": 1.0, "sin_theta": 3e-4})
    params = resolve_params(get_process(spec.process), dict(spec.params))
    lists = (ListDef("mu+:id", cut="muonID > 0.9"),
             ListDef("S:x -> mu+:id mu-:id", vertex=VertexFit()),
             ListDef("K+:id", cut="kaonID > 0.9"))
    task = NtupleTask("bks", spec, params, "B+:sig -> K+:id S:x",
                      BestCandidate("abs(deltaE)", False),
                      ("Mbc", "dau1_flight_distance", "dau1_chi_prob"),
                      plan_chunks(300, 300, 1)[0], lists, None, "k")
    nt = ntuple_kernel(task).events
    mbc = np.asarray(nt["Mbc"])
    assert len(mbc) > 50 and np.mean(np.abs(mbc - 5.279) < 0.01) > 0.3  # B⁰ events: none
    # the S list's vertex fit ran: flight distances and fit probabilities exist
    assert np.isfinite(np.asarray(nt["dau1_chi_prob"])).mean() > 0.9


def test_a_truth_filter_that_keeps_nothing_is_named() -> None:
    """Each chunk records how many events passed its truth filter; a sample whose filter kept
    none (e.g. one reading τ decay products, which Pythia adds after the filters) is named
    for the run's warning instead of silently adding nothing."""
    import awkward as ak

    from darkscan.generate import get_process, resolve_params
    from darkscan.run.chunks import plan_chunks
    from darkscan.searches.samples import (
        TRUTH_EVENTS,
        NtupleTask,
        _merged,
        emptied_by_truth_filter,
        ntuple_kernel,
    )
    from darkscan.searches.spec import BestCandidate, SampleSpec

    def no_tau_electrons(particles: ak.Array) -> np.ndarray:  # ee_mumu has no τ
        is_e = (abs(particles.pdg) == 11) & (particles.mother >= 2)
        return ak.to_numpy(ak.any(is_e, axis=1))

    columns = ("M",)
    out = {}
    for name, flt in (("all", None), ("none", no_tau_electrons)):
        spec = SampleSpec(name, "ee_mumu", 400, 400, name, truth_filter=flt,
                          filter_label=None if flt is None else "a τ's electron (truth)")
        params = resolve_params(get_process(spec.process), {})
        task = NtupleTask(name, spec, params, "vpho -> mu+:all mu-:all",
                          BestCandidate("M", False), columns, plan_chunks(400, 400, 1)[0], (),
                          None, "k")
        chunk = ntuple_kernel(task)
        assert chunk.meta.extra[TRUTH_EVENTS] == (400 if flt is None else 0)
        out[name] = (_merged(name, spec, [chunk, chunk], columns), (spec, params))
    ntuples = {k: nt for k, (nt, _) in out.items()}
    assert ntuples["all"].meta.extra[TRUTH_EVENTS] == 800
    assert emptied_by_truth_filter(ntuples, {k: v for k, (_, v) in out.items()}) == {
        "none": "a τ's electron (truth)"}


def test_warm_up_splits_compilation_across_workers_and_skips_one_worker() -> None:
    from darkscan.searches.samples import warm_up

    class Recorder:
        def __init__(self, workers: int) -> None:
            self.workers, self.calls = workers, list[list[str]]()

        def map(self, fn: object, items: list, label: str = "") -> list:
            self.calls.append([group for group, _ in items])
            return [None] * len(items)

    tasks = _zinv_tasks()
    two, one = Recorder(2), Recorder(1)
    warm_up(tasks, two)
    warm_up(tasks, one)
    warm_up([], two)
    assert two.calls == [["generate", "detect"]] and one.calls == []


def _zinv_tasks() -> list:
    from darkscan.run.chunks import plan_chunks
    from darkscan.searches.samples import NtupleTask

    ch = ZINV.channels[0]
    spec = ZINV.backgrounds[0]
    chunk = plan_chunks(10, 10, 1)[0]
    return [NtupleTask("b", spec, {}, ch.decay, ch.best_candidate, ("M",), chunk, (), None, "k")]


def test_elliptical_windows_choose_cuts_on_the_training_samples() -> None:
    from darkscan.select.scan import CutGrid

    def toy(seed: int) -> tuple[Selected, Selected]:
        rng = np.random.default_rng(seed)
        xy = rng.multivariate_normal([6.0, 2.0], [[0.01, 0.0], [0.0, 0.04]], size=4_000)
        sig = _selected("sig", {"M": xy[:, 0], "m_recoil": xy[:, 1],
                                "pt_cms": rng.uniform(1.2, 3.0, 4_000)}, 1.0, 8_000)
        n = 400_000
        bkg = _selected("bkg", {"M": rng.uniform(5, 7, n), "m_recoil": rng.uniform(1, 3, n),
                                "pt_cms": rng.exponential(0.3, n)}, 0.1, n)
        return sig, bkg

    grid = CutGrid((("", "pt_cms > 0.5", "pt_cms > 1.0"),))
    assert grid.combinations() == [(), ("pt_cms > 0.5",), ("pt_cms > 1.0",)]
    ext = EllipticalWindows("M", "m_recoil", "M", "M_rec", (5.0, 7.0), (1.0, 3.0), 2.0,
                            optimise=grid)
    assert ext.observables == ("M", "m_recoil", "pt_cms") and ext.needs_training
    (sig, bkg), (sig_t, bkg_t) = toy(21), toy(22)
    train = ExtractionInput([{}], [sig_t], [bkg_t], 1.0, np.random.default_rng(5))
    c = ext.extract(ExtractionInput([{}], [sig], [bkg], 1.0, np.random.default_rng(6), train))
    assert c.windows["cuts_choice"][0] == 2            # p_T > 1 GeV: no signal lost
    assert c.summary["window_cuts"] == [["pt_cms > 1.0"]]
    assert c.efficiency[0] == pytest.approx(0.5 * (1 - np.exp(-2.0)), rel=0.05)
    # the flat background (10⁴ per unit area) inside the ellipse, times P(p_T > 1)
    area = np.pi * 4.0 * 0.1 * 0.2
    assert c.bkg[0] == pytest.approx(0.1 * 1e5 * area * np.exp(-1.0 / 0.3), rel=0.25)
    with pytest.raises(ParameterError, match="training"):
        ext.extract(ExtractionInput([{}], [sig], [bkg], 1.0, np.random.default_rng(6)))


# ------------------------------------------------------------------ the typed result's outputs
def _toy_result(out_dir: Path) -> object:
    from darkscan.physics import parse_luminosity
    from darkscan.searches.result import AxisInfo, CouplingLimit, SearchResult
    from darkscan.stats import LimitResult

    inf = np.inf
    expected = np.array([[1e-3, 2e-3, inf], [1.5e-3, 3e-3, inf], [2e-3, 4e-3, inf],
                         [3e-3, 6e-3, inf], [4e-3, 8e-3, inf]])  # pb, −2σ … +2σ
    lim = LimitResult(np.array([2.5e-3, 3.5e-3, inf]), expected, "cls", 0.9)
    g = CouplingLimit("gprime_ul_vanilla", "$g'$", "vanilla", "vanilla L_μ − L_τ",
                      np.sqrt(lim.observed), np.sqrt(expected))
    return SearchResult(
        search="zprime-invisible", title="Z′ → invisible", references=("ref",),
        lumi=parse_luminosity("79.7/fb"), cl=0.9, method="cls", out_dir=out_dir,
        axes=(AxisInfo("mass", "$M_{Z'}$", "GeV"),), points={"mass": np.array([1.0, 5.0, 9.0])},
        channel=np.array(["mumu"] * 3), quantity="sigma", quantity_label="σ × B(Z′ → inv.)",
        limits=lim, couplings=(g,),
        signal={"efficiency": np.array([0.08, 0.07, 0.0]),
                "resolution": np.array([0.4, 0.3, np.nan])},
        windows={"bkg": np.array([3.0, 2.0, 0.0])},
        summary={"search": "zprime-invisible", "look_elsewhere": {"global_z": np.inf},
                 "no_signal": {"mass = 9 GeV": "the last 3 of 10000 simulated signal events "
                                               "fail 'dau0_muonID > 0.9'"}})


def test_summary_json_is_strict_json_with_reasons(tmp_path: Path) -> None:
    import json

    res = _toy_result(tmp_path)
    data = res.summary_json()
    text = json.dumps(data, allow_nan=False)           # raises on Infinity or NaN
    back = json.loads(text)
    assert back["limits"]["sigma_ul_obs"] == [2.5e-3, 3.5e-3, None]
    assert back["limits"]["resolution"] == [0.4, 0.3, None]
    assert back["limits"]["mass"] == [1.0, 5.0, 9.0]
    reasons = back["null_reasons"]
    assert reasons["limits.sigma_ul_obs"].startswith("no limit (inf in limits.csv) at mass = 9 GeV")
    assert "undefined (nan in signal.csv) at mass = 9 GeV" in reasons["limits.resolution"]
    assert reasons["look_elsewhere.global_z"] == "inf where it was computed"
    assert set(reasons) == {f"limits.{c}" for c in res.limit_columns() if c != "mass"} | {
        "limits.resolution", "look_elsewhere.global_z"}


def test_summary_text_shows_limits_with_units_and_why_a_mass_has_none(tmp_path: Path) -> None:
    res = _toy_result(tmp_path)
    text = res.summary_text()
    lines = text.splitlines()
    assert lines[0] == "Z′ → invisible at 79.7 fb⁻¹: 3 signal points"
    assert "σ × B(Z′ → inv.) [fb]:" in lines
    head = next(ln for ln in lines if ln.lstrip().startswith("mass [GeV]"))
    assert head.split()[2:6] == ["efficiency", "observed", "expected", "exp"]
    first = lines[lines.index(head) + 1].split()
    assert first == ["1", "0.08", "2.5", "2", "1.5", "3"]        # σ in fb: 2.5e-3 pb = 2.5 fb
    assert lines[lines.index(head) + 3].split() == ["9", "0", "—", "—", "—", "—"]
    assert "g′, vanilla L_μ − L_τ:" in lines
    assert ("  mass = 9 GeV: the last 3 of 10000 simulated signal events fail "
            "'dau0_muonID > 0.9'") in lines
    assert "report: not written" in lines
    assert all(len(ln) <= 80 for ln in lines if not ln.startswith(("  mass =", "tables:")))
    (tmp_path / "report.html").write_text("<html></html>")
    assert f"report: {tmp_path / 'report.html'}" in res.summary_text().splitlines()


def test_a_channel_may_keep_every_candidate_when_it_says_why() -> None:
    keep_all = AllCandidates("every μ⁺μ⁻ pairing is fitted")
    ch = Channel("four", "vpho -> Z':mumu mu+:all mu-:all", best_candidate=keep_all,
                 selection=("n_tracks == 4",), lists=(ListDef("Z':mumu -> mu+:all mu-:all"),))
    assert ch.columns(("dau0_M",)) == ("dau0_M", "n_tracks")
    with pytest.raises(ParameterError, match="say why"):
        AllCandidates(" ")


def test_sliding_fit_declares_its_background_by_mass() -> None:
    fit = SlidingFit("x", "x", (0.0, 10.0), background="poly1",
                     background_by_mass=((1.0, "poly2"),))
    assert (fit.background_at(0.5), fit.background_at(1.0), fit.background_at(7.0)) == (
        "poly2", "poly1", "poly1")
    with pytest.raises(UnknownNameError):
        SlidingFit("x", "x", (0.0, 10.0), background_by_mass=((1.0, "poly9"),))
    with pytest.raises(ParameterError, match="signal_model"):
        SlidingFit("x", "x", (0.0, 10.0), signal_model="voigt")


def test_sliding_fit_fits_the_observable_that_resolves_each_mass() -> None:
    """Below 6 the peak is fitted in x (narrow there), above in y: each point's resolution is
    that of its own observable, and one pseudo-data set serves both."""
    rng = np.random.default_rng(15)
    sigs = [_selected(f"s{m}", {"x": rng.normal(m, w_x, 3_000), "y": rng.normal(m, w_y, 3_000)},
                      1.0, 4_000) for m, w_x, w_y in ((3.0, 0.05, 0.3), (8.0, 0.3, 0.05))]
    bkg = _flat_bkg(rng, 40_000, 0.1, x=(0.0, 10.0), y=(0.0, 10.0))
    data = ExtractionInput([{"mass": 3.0}, {"mass": 8.0}], sigs, [bkg], 1.0,
                           np.random.default_rng(5))
    fit = SlidingFit("y", "x or y", (0.0, 10.0), width=20.0, background="poly1",
                     peak_axis="mass", observable_by_mass=((6.0, "x"),))
    assert fit.observables == ("x", "y")
    c = fit.extract(data)
    assert c.summary["fitted_observable"] == ["x", "y"]
    assert c.resolution == pytest.approx([0.05, 0.05], rel=0.1)
    assert c.efficiency == pytest.approx([0.75, 0.75], rel=0.05)
    with pytest.raises(ParameterError, match="peak_axis"):
        SlidingFit("y", "y", (0.0, 10.0), observable_by_mass=((6.0, "x"),))


def _scan_input(rng: np.random.Generator, masses: tuple[float, ...], bump: float | None,
                edges: tuple[float, ...] = ()) -> ExtractionInput:
    """Gaussian signal points of 2% resolution (half of each selected) over 200 background
    events per unit of x on [0, 10]; ``bump``: 120 more background events in a 2% peak there."""
    sigs = [_selected(f"s{m}", {"x": rng.normal(m, 0.02 * m, 3_000)}, 1.0, 6_000)
            for m in masses]
    x = rng.uniform(0.0, 10.0, 20_000)
    if bump is not None:
        x = np.concatenate([x, rng.normal(bump, 0.02 * bump, 1_200)])
    bkg = _selected("bkg", {"x": x}, 0.1, len(x))
    return ExtractionInput([{"mass": m} for m in masses], sigs, [bkg], 1.0,
                           np.random.default_rng(8), selection_edges=edges)


def test_sliding_fit_scans_between_the_points_in_steps_of_the_resolution() -> None:
    """The fine scan: masses one resolution apart from the first to the last point, the line
    shape and efficiency interpolated, each window fitted on the same pseudo-data: a peak the
    background carries halfway between two simulated points is found there."""
    fit = SlidingFit("x", "x", (0.0, 10.0), width=20.0, background="poly1", peak_axis="mass",
                     scan_step=1.0)
    c = fit.extract(_scan_input(np.random.default_rng(21), (2.0, 6.0), bump=4.0))
    m, res = c.scan["mass"], c.scan["resolution"]
    assert m[0] == pytest.approx(2.0) and 5.8 < m[-1] <= 6.0
    np.testing.assert_allclose(np.diff(m), res[:-1], rtol=1e-9)
    np.testing.assert_allclose(res, 0.02 * m, rtol=0.12)  # interpolated between 0.04 and 0.12
    np.testing.assert_allclose(c.scan["efficiency"], 0.5, rtol=0.05)
    excess = (c.scan["n_obs"] - c.scan["bkg"]) / np.sqrt(c.scan["bkg"])
    assert abs(m[np.argmax(excess)] - 4.0) < 2 * 0.08 and excess.max() > 5
    # where the bump lies outside the window the pseudo-data follow the background; a window
    # with the bump in its sideband fits a deficit (the line cannot follow it): ν̂_s < 0 counts
    far = np.abs(m - 4.0) > 10 * res + 3 * 0.08
    assert far.sum() > 20 and np.median(np.abs(excess[far])) < 1.0
    beside = (np.abs(m - 4.0) > 0.3) & ~far
    assert np.min(excess[beside]) < -2
    # without a scan step, no scan
    assert SlidingFit("x", "x", (0.0, 10.0), peak_axis="mass").extract(
        _scan_input(np.random.default_rng(21), (3.0, 5.0), None)).scan == {}
    with pytest.raises(ParameterError, match="peak_axis"):
        SlidingFit("x", "x", (0.0, 10.0), scan_step=1.0)


def test_sliding_fit_scan_stays_inside_each_selection_range() -> None:
    """Where the selection changes at 4.5 (an MVA step's range edge) no window crosses it and
    the scan covers only masses between two points of one range."""
    fit = SlidingFit("x", "x", (0.0, 10.0), width=20.0, background="poly1", peak_axis="mass",
                     scan_step=1.0)
    c = fit.extract(_scan_input(np.random.default_rng(22), (3.0, 4.0, 5.0, 6.0), None, (4.5,)))
    m = c.scan["mass"]
    assert m.min() == pytest.approx(3.0) and m.max() <= 6.0
    assert not np.any((m > 4.0 + 1e-9) & (m < 5.0 - 1e-9))  # the outer points bound each range
    assert fit.window(4.4, 0.1, (4.5,)) == (pytest.approx(3.4), 4.5)
    assert fit.window(4.6, 0.1, (4.5,)) == (4.5, pytest.approx(5.6))


def test_sliding_fit_point_without_a_peak_has_no_shape_and_ends_the_scan() -> None:
    """A point whose selected signal makes no peak at its mass (at 10 GeV in μμττ only wrong
    pairings and ISR tails survive the networks) gets no line shape, no efficiency, and the
    scan ends at the last point with a peak: no shape is interpolated towards a pedestal."""
    rng = np.random.default_rng(23)
    data = _scan_input(rng, (3.0, 5.0), None)
    pedestal = _selected("s9", {"x": rng.uniform(2.0, 8.0, 300)}, 1.0, 6_000)
    data = ExtractionInput([*data.points, {"mass": 9.0}], [*data.signal, pedestal],
                           data.backgrounds, 1.0, np.random.default_rng(8))
    fit = SlidingFit("x", "x", (0.0, 10.0), width=20.0, background="poly1", peak_axis="mass",
                     scan_step=1.0)
    c = fit.extract(data)
    assert c.summary["fit_status"][2] == "no signal peak" and not c.efficiency[2] > 0
    assert c.efficiency[:2] == pytest.approx([0.5, 0.5], rel=0.05)
    assert c.scan["mass"].max() <= 5.0 + 1e-9
    from darkscan.stats.shapes import fit_signal_shape

    with pytest.raises(ParameterError, match="no signal peak"):
        fit_signal_shape(pedestal.values["x"], pedestal.mc_weight, "dcb", near=9.0)
    # a narrow lump 1.5% below the mass (ISR tails, wrong pairings) is no peak of it either
    lump = _selected("s9", {"x": rng.normal(8.865, 0.01, 300)}, 1.0, 6_000)
    data = ExtractionInput([*data.points], [*data.signal[:2], lump], data.backgrounds, 1.0,
                           np.random.default_rng(8))
    c = fit.extract(data)
    assert c.summary["fit_status"][2] == "no signal peak" and c.scan["mass"].max() <= 5.0 + 1e-9


def test_template_fit_on_a_bump_over_a_falling_spectrum() -> None:
    rng = np.random.default_rng(16)
    # background ∝ x² on [0, 1] (inverse CDF x = u^(1/3)), 50 000 events of weight 0.2
    bkg = _selected("bkg", {"x": rng.uniform(0, 1, 50_000) ** (1 / 3)}, 0.2, 50_000)
    x_sig = rng.normal(0.4, 0.03, 3_000)
    sig = _selected("sig", {"x": x_sig}, 1.0, 5_000)
    data = ExtractionInput([{"mass": 1.0}], [sig], [bkg], 1.0, np.random.default_rng(6))
    fit = TemplateFit("x", "x", (0.0, 1.0), bins=200)  # bins ≪ σ: the unbinned information
    c = fit.extract(data)
    assert c.efficiency[0] == pytest.approx(0.6)
    assert c.resolution[0] == pytest.approx(0.03, rel=0.1)
    # the effective background is about the background under the bump: 10⁴ × 3x² per unit x
    # at 0.4 over 2√π σ (the Fisher information of a Gaussian bump on a flat density), its
    # variance raised by the template's MC statistics, Σw² = 0.2 × the expectation
    assert c.bkg[0] == pytest.approx(1e4 * 3 * 0.16 * 2 * np.sqrt(np.pi) * 0.03 * 1.2, rel=0.1)
    assert abs(c.n_obs[0] - c.bkg[0]) < 4 * np.sqrt(c.bkg[0])
    assert c.distributions[0].backgrounds["bkg"].sum() == pytest.approx(1e4, rel=1e-9)
    with pytest.raises(ParameterError, match="3 bins"):
        TemplateFit("x", "x", (0.0, 1.0), bins=2)


def test_importance_sampled_sample_reports_the_luminosity_of_its_selected_events() -> None:
    """A sample whose events carry a probability weight (forced decays) stands for the data in
    which its selected events occur as often: n / (σ ⟨w⟩)."""
    from darkscan.searches.result import SampleSummary

    plain = SampleSummary("cc", "c c̄", "ee_cc", 750_000, 1300.0, 0.1, 10.0)
    forced = replace(plain, mean_event_weight=0.01)
    assert plain.mc_lumi_per_fb == pytest.approx(750_000 / 1300.0 / 1e3)
    assert forced.mc_lumi_per_fb == pytest.approx(100 * plain.mc_lumi_per_fb)
