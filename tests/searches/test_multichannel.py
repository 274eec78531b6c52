"""Searches with several channels, end to end on a toy: e⁺e⁻ → μ⁺μ⁻Z′(→ inv.) over μ⁺μ⁻(γ),
split by the μ⁺ hemisphere into two disjoint channels (each reconstructed with its own decay
string, the backward one with its own signal sample), their combination, and the same events
as one channel for comparison."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.searches.extraction import CutAndCount
from darkscan.searches.result import SearchResult
from darkscan.searches.runner import run_search
from darkscan.searches.samples import ntuple_key
from darkscan.searches.spec import (
    Axis,
    BestCandidate,
    Channel,
    Inference,
    Interpretation,
    Published,
    Quantity,
    SampleSpec,
    Search,
    SignalGrid,
)

SELECTION = ("n_tracks == 2", "dau0_muonID > 0.9 and dau1_muonID > 0.9")
PLUS, MINUS = "vpho -> mu+:all mu-:all", "vpho -> mu-:all mu+:all"
BEST = BestCandidate("pt_cms")
SIGNAL = SampleSpec("zp", "ee_mumu_zprime", 2000, 2000, "Z′", params={"gprime": 0.01})
#: three binomial standard deviations of the backward channel's independent efficiency
#: against the forward sample's (2000 events each, ε ≈ 0.29 per hemisphere)
MC_3SIGMA = 0.075
#: the expected limits' columns, in limits.csv's order (the median first)
BANDS = ["sigma_ul_exp", "sigma_ul_exp_m2", "sigma_ul_exp_m1", "sigma_ul_exp_p1",
         "sigma_ul_exp_p2"]

#: the μ⁺ forward (decay string μ⁺ first) or backward (μ⁻ first): the same events, disjoint
TWO = Search(
    name="toy-two-channels", title="toy", references=("none",),
    signal=SignalGrid(SIGNAL, axes=(Axis("mass", (2.0, 6.0), (2.0, 6.0), "$M$"),),
                      by_channel={"bwd": replace(SIGNAL, id="zp_bwd")}),
    backgrounds=(SampleSpec("mumu", "ee_mumu", 20_000, 20_000, "μμ(γ)"),),
    channels=(Channel("fwd", PLUS, BEST, (*SELECTION, "dau0_cos_theta_cms > 0")),
              Channel("bwd", MINUS, BEST, (*SELECTION, "dau1_cos_theta_cms <= 0"))),
    extraction=CutAndCount(("pt_cms > 0.1",)),
    inference=Inference(cl=0.9, combine=True),
    # ~10³ background events per channel: the Gaussian regime of the counting limits
    default_lumi="10/pb", quantity_label="σ × B",
    interpretations=(Interpretation("toy", "gprime", "$g'$", "B(Z′ → inv.) = 1",
                                    reference=lambda p: p["gprime"], power=2.0,
                                    branching=lambda p: np.ones_like(p["mass"])),))
ONE = replace(TWO, name="toy-one-channel", channels=(Channel("mumu", PLUS, BEST, SELECTION),),
              signal=replace(TWO.signal, by_channel={}), inference=Inference(cl=0.9))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchResult, SearchResult]:
    two = run_search(TWO, out_dir=tmp_path_factory.mktemp("two"), quick=True, seed=2)
    one = run_search(ONE, out_dir=tmp_path_factory.mktemp("one"), quick=True, seed=2,
                     report=False)
    return two, one


def _rerun(search: Search, first: SearchResult, out: Path) -> SearchResult:
    """``search`` on the first run's cached ntuples (same channels, same samples)."""
    shutil.copytree(first.out_dir / ".cache", out / ".cache")
    return run_search(search, out_dir=out, quick=True, seed=2, report=False)


def _header(path: Path) -> list[str]:
    with path.open() as fh:
        return next(csv.reader(fh))


def test_each_channel_has_its_limits_and_rows_carry_channel(runs) -> None:  # type: ignore[no-untyped-def]
    two, _ = runs
    out = two.out_dir
    assert _header(out / "limits.csv") == [
        "mass", "channel", "sigma_ul_obs", *BANDS, "gprime_ul_toy_obs",
        *(c.replace("sigma", "gprime", 1).replace("_ul", "_ul_toy") for c in BANDS)]
    with (out / "limits.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["mass"], r["channel"]) for r in rows] == [
        ("2", "fwd"), ("6", "fwd"), ("2", "bwd"), ("6", "bwd"), ("2", "combined"),
        ("6", "combined")]
    assert all(np.isfinite(float(r[c])) and float(r[c]) > 0 for r in rows
               for c in ("sigma_ul_obs", *BANDS))
    # signal.csv: the channels' numbers; the combination has limits only
    with (out / "signal.csv").open() as fh:
        assert [r["channel"] for r in csv.DictReader(fh)] == ["fwd", "fwd", "bwd", "bwd"]
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary["channels"]) == ["fwd", "bwd"]
    assert summary["channels"]["bwd"]["signal_sample"] == "zp_bwd"
    assert summary["channels"]["bwd"]["decay"] == MINUS
    assert summary["combination"]["channels"] == ["fwd", "bwd"]
    assert "disjoint" in summary["combination"]["assumes"]
    assert "channel" not in summary


def test_channels_reconstruct_the_same_background_events_their_own_way(runs) -> None:  # type: ignore[no-untyped-def]
    two, one = runs
    t, u = two.to_table(), one.to_table()
    fwd, bwd = t["channel"] == "fwd", t["channel"] == "bwd"
    # complementary hemispheres of the same simulated events: the backgrounds add up exactly
    np.testing.assert_allclose(t["bkg"][fwd] + t["bkg"][bwd], u["bkg"], rtol=1e-12)
    assert t["bkg"][fwd][0] == pytest.approx(0.5 * u["bkg"][0], rel=0.05)
    # each hemisphere keeps about half of the signal; the backward one is measured on its own
    # 2000-event sample, the single channel's on the forward one's: binomial σ ≈ 0.010 each on
    # ≈ 0.29, so the sums differ by σ ≈ 2.5% relative; 3σ allowed
    np.testing.assert_allclose(t["efficiency"][fwd] + t["efficiency"][bwd], u["efficiency"],
                               rtol=MC_3SIGMA)


def test_the_combination_adds_the_channels_information(runs) -> None:  # type: ignore[no-untyped-def]
    two, one = runs
    t = two.to_table()
    exp = {c: t["sigma_ul_exp"][t["channel"] == c] for c in ("fwd", "bwd", "combined")}
    assert np.all(exp["combined"] < np.minimum(exp["fwd"], exp["bwd"]))
    # two near-identical channels in the Gaussian regime: 1/√2 of either, and the
    # inverse-variance combination of their limits
    np.testing.assert_allclose(exp["combined"] / (0.5 * (exp["fwd"] + exp["bwd"])),
                               1 / np.sqrt(2), rtol=0.02)
    np.testing.assert_allclose(exp["combined"], (exp["fwd"] ** -2 + exp["bwd"] ** -2) ** -0.5,
                               rtol=0.01)
    # ... and as strong as the two hemispheres counted as one channel
    # (up to the backward signal sample's independent efficiency: see above)
    np.testing.assert_allclose(exp["combined"], one.to_table()["sigma_ul_exp"], rtol=MC_3SIGMA)
    assert two.summary["combination"]["efficiency"].startswith("not given")
    # the channels' signals are one process at one coupling: the combined limit converts too
    ref = np.tile(t["sigma_signal_ref_pb"][t["channel"] == "fwd"], 3)
    np.testing.assert_allclose(t["gprime_ul_toy_exp"], 0.01 * np.sqrt(t["sigma_ul_exp"] / ref),
                               rtol=1e-12)
    assert two.summary["combination"]["couplings"].startswith("from the combined limit")


def test_report_draws_a_curve_per_channel_and_a_hepdata_table_each(runs) -> None:  # type: ignore[no-untyped-def]
    two, _ = runs
    out = two.out_dir
    for plot in ("limit_sigma_channels", "limit_sigma_fwd", "limit_sigma_bwd",
                 "limit_sigma_combined", "efficiency"):
        assert (out / "plots" / f"{plot}.png").stat().st_size > 10_000
    for channel in ("fwd", "bwd", "combined"):
        assert (out / "hepdata" / f"cross-section_limits_channel_{channel}.yaml").is_file()
    assert not (out / "hepdata" / "cross-section_limits.yaml").exists()
    meta = json.loads((out / "report_meta.json").read_text())
    assert meta["channels"] == ["combined", "fwd", "bwd"]
    assert "channel fwd" in meta["samples"][0]["label"]


def test_a_single_channel_keeps_its_tables(runs) -> None:  # type: ignore[no-untyped-def]
    _, one = runs
    assert _header(one.out_dir / "limits.csv")[:6] == ["mass", "sigma_ul_obs", *BANDS[:4]]
    assert "channel" not in _header(one.out_dir / "limits.csv")
    assert _header(one.out_dir / "signal.csv") == [
        "mass", "efficiency", "sigma_signal_ref_pb", "bkg", "bkg_unc", "n_obs", "n_A"]
    summary = json.loads((one.out_dir / "summary.json").read_text())
    assert summary["channel"] == "mumu" and summary["decay"] == PLUS
    assert "channels" not in summary and "combination" not in summary
    assert list(summary)[9:12] == ["channel", "decay", "best_candidate"]


def test_branching_fraction_ratio_columns_and_normalisation(runs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    two, _ = runs

    def per_unit(channel: str, axes: dict[str, np.ndarray]) -> np.ndarray:
        return np.full(len(axes["mass"]), 2.0 if channel == "fwd" else 4.0)

    ratio = replace(TWO, quantity=Quantity("br_ratio", per_unit, "toy: 2 pb (fwd), 4 pb (bwd)"),
                    quantity_label="B(X)/B(SM)")
    res = _rerun(ratio, two, tmp_path)
    header = _header(tmp_path / "limits.csv")
    assert header[:3] == ["mass", "channel", "br_ratio_ul_obs"]
    assert [c.replace("sigma", "br_ratio") for c in BANDS] == header[3:8]
    sigma, t = two.to_table(), res.to_table()
    for channel, pb in (("fwd", 2.0), ("bwd", 4.0)):
        rows = t["channel"] == channel
        np.testing.assert_allclose(t["br_ratio_ul_exp"][rows] * pb, sigma["sigma_ul_exp"][rows],
                                   rtol=1e-12)
    # the combination weighs the bwd channel's signal twice: B limits of 1/√(Σ 1/B_c²)
    b = {c: t["br_ratio_ul_exp"][t["channel"] == c] for c in ("fwd", "bwd", "combined")}
    np.testing.assert_allclose(b["combined"], (b["fwd"] ** -2 + b["bwd"] ** -2) ** -0.5,
                               rtol=0.01)
    assert res.summary["quantity"] == {"name": "br_ratio",
                                       "normalisation": "toy: 2 pb (fwd), 4 pb (bwd)"}
    assert res.summary["units"]["br_ratio"] == ""


def test_channels_without_combination_give_their_own_limits_only(runs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    two, _ = runs
    res = _rerun(replace(TWO, inference=Inference(cl=0.9)), two, tmp_path)
    assert res.channel.tolist() == ["fwd", "fwd", "bwd", "bwd"]
    assert res.summary["combination"].startswith("not requested")
    np.testing.assert_allclose(res.limits.expected, two.limits.expected[:, :4], rtol=1e-12)


# ------------------------------------------------------------------ declaration and cache keys
def test_channel_declarations_are_checked() -> None:
    with pytest.raises(ParameterError, match="needs several channels"):
        replace(ONE, inference=Inference(cl=0.9, combine=True))
    with pytest.raises(ParameterError, match="needs method 'cls'"):
        Inference(cl=0.9, method="bayes", combine=True)
    fwd, bwd = TWO.channels
    with pytest.raises(ParameterError, match="not 'combined'"):
        replace(TWO, channels=(fwd, replace(bwd, name="combined")))
    with pytest.raises(ParameterError, match="distinct"):
        replace(TWO, channels=(fwd, replace(bwd, name="fwd")))
    with pytest.raises(ParameterError, match="unknown channels"):
        replace(TWO, signal=replace(TWO.signal, by_channel={"back": SIGNAL}))
    with pytest.raises(ParameterError, match="no signal sample"):
        replace(TWO, signal=replace(TWO.signal, sample=None))
    with pytest.raises(ParameterError, match="unique"):
        replace(TWO, signal=replace(TWO.signal, by_channel={"bwd": replace(SIGNAL, n_quick=9)}))
    with pytest.raises(ParameterError, match="needs per_unit"):
        Quantity("br")
    with pytest.raises(ParameterError, match="normalisation"):
        Quantity("br_ratio", lambda c, a: a["mass"])
    with pytest.raises(ParameterError, match="quantity one of"):
        replace(TWO, published=(Published("br", "mass", (1.0,), (1.0,), "x"),))
    assert [s.id for s in TWO.signal_samples] == ["zp", "zp_bwd"]


def test_ntuple_cache_key_follows_the_reconstruction() -> None:
    def key(decay: str = PLUS, best: BestCandidate = BEST, columns: tuple[str, ...] = ("M",)
            ) -> str:
        return ntuple_key(SIGNAL, {"mass": 2.0}, decay=decay, best=best, columns=columns,
                          n=1000, seed=2)

    assert key() == key()
    assert len({key(), key(decay=MINUS), key(best=BestCandidate("pt_cms", highest=False)),
                key(columns=("M", "pt_cms"))}) == 4


def test_each_channel_trains_on_its_own_signal_and_the_shared_backgrounds() -> None:
    from darkscan.searches.extraction import EllipticalWindows
    from darkscan.searches.runner import _channel_samples
    from darkscan.select.scan import CutGrid

    optimised = replace(TWO, extraction=EllipticalWindows(
        "M", "m2_recoil", "M", "M²", (0.0, 10.0), (-5.0, 100.0),
        optimise=CutGrid((("", "pt_cms > 0.5"),))))
    points = TWO.signal.points(quick=True)
    assert list(_channel_samples(optimised, TWO.channels[1], points)) == [
        "zp_bwd@mass=2", "zp_bwd@mass=6", "mumu", "zp_bwd_training@mass=2",
        "zp_bwd_training@mass=6", "mumu_training"]
    assert list(_channel_samples(TWO, TWO.channels[0], points)) == [
        "zp@mass=2", "zp@mass=6", "mumu"]


def _pyhf_limits(folder: Path, values: list[float], cl: float) -> tuple[float, np.ndarray]:
    """pyhf's own asymptotic CLs limits on μ for one patch of the written workspace."""
    import pyhf

    ws = json.loads((folder / "BkgOnly.json").read_text())
    patches = json.loads((folder / "patchset.json").read_text())["patches"]
    (patch,) = [p for p in patches if p["metadata"]["values"] == values]
    patched = pyhf.Workspace(pyhf.patchset.Patch(patch).apply(ws))
    model = patched.model()
    obs, exp = pyhf.infer.intervals.upper_limits.toms748_scan(
        patched.data(model), model, 0.05, 9.5, level=1.0 - cl, rtol=1e-6,
        test_stat="qtilde", calctype="asymptotics")
    return float(obs), np.asarray([float(e) for e in exp])


def test_the_hepdata_submission_passes_the_validator(runs) -> None:  # type: ignore[no-untyped-def]
    from hepdata_validator.full_submission_validator import FullSubmissionValidator

    validator = FullSubmissionValidator()
    assert validator.validate(directory=str(runs[0].out_dir / "hepdata")), \
        validator.get_messages()


def test_the_pyhf_workspace_reproduces_the_limits(runs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from darkscan.report.workspace import write_workspace

    two, one = runs
    for result, folder, rows in ((two, two.out_dir / "pyhf", two.channel == "combined"),
                                 (one, write_workspace(one, tmp_path), slice(None))):
        norm = np.genfromtxt(folder / "normalisation.csv", delimiter=",", names=True)
        obs_lim = np.asarray(result.limits.observed)[rows]
        exp_lim = np.asarray(result.limits.expected)[:, rows]
        for j, mass in enumerate(norm["mass"]):
            unit = norm["sigma_at_mu_1"][j]
            assert unit == pytest.approx(exp_lim[2][j], rel=1e-5)  # μ = 1 is the median
            obs, exp = _pyhf_limits(folder, [mass], result.cl)
            # darkscan's vectorised asymptotic CLs against pyhf on the same model
            assert obs * unit == pytest.approx(obs_lim[j], rel=0.02)
            np.testing.assert_allclose(exp * unit, exp_lim[:, j], rtol=0.02)
