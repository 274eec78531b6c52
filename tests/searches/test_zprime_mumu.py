"""End to end: the four-muon Z′ → μ⁺μ⁻ search on a reduced quick configuration; its filters."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from darkscan.models.zprime import branching_fractions, width_mumu, width_tautau
from darkscan.searches import get
from darkscan.searches.runner import run_search
from darkscan.searches.zprime_mumu import is_zprime_to_mumu


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("zmumu")
    return run_search(get("zprime-mumu"), out_dir=out, quick=True, seed=7, scale=0.5)


def test_outputs(result) -> None:  # type: ignore[no-untyped-def]
    out: Path = result.out_dir
    with (out / "limits.csv").open() as fh:
        header = next(csv.reader(fh))
    assert header[:3] == ["mass", "sigma_ul_obs", "sigma_ul_exp"]
    assert {"gprime_ul_lmu_ltau_obs", "gprime_ul_lmu_ltau_exp"} <= set(header)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["best_candidate"]["all_candidates"] is True
    assert summary["signal_shapes"] == ["dcb"] * 4
    assert all(st in ("ok", "retried", "failed: counted ±2σ") for st in summary["fit_status"])
    ranges = summary["mva"]["ranges"]
    assert len(ranges) == 4
    trained = [r for r in ranges if "auc" in r]  # the quick grid has a point in three ranges
    assert len(trained) == 3 and all(r["auc"] > 0.8 for r in trained)
    assert (out / "report.html").is_file()


def test_fine_scan(result) -> None:  # type: ignore[no-untyped-def]
    """Between 7 and 8 GeV (the quick grid's two points in one network's range) the windows
    step by the resolution; its limits and couplings come from the same inference as the
    points', and the largest local excess is looked for along it."""
    scan = result.scan
    m = scan["mass"]
    # a network's range with one point (1 and 4 GeV) scans that point only
    np.testing.assert_allclose(m[:3], [1.0, 4.0, 7.0])
    high = slice(2, None)
    assert m[-1] <= 8.0 and 20 < len(m[high]) < 60
    np.testing.assert_allclose(np.diff(m[high]), scan["resolution"][high][:-1], rtol=1e-9)
    at_points = result.to_table()
    # at a simulated mass the scan's fit is the point's own
    for k in range(3):
        assert scan["efficiency"][k] == pytest.approx(at_points["efficiency"][k], rel=1e-9)
        assert scan["sigma_ul_exp"][k] == pytest.approx(at_points["sigma_ul_exp"][k], rel=1e-3)
    assert np.all(np.isfinite(scan["sigma_ul_exp"]) & (scan["sigma_ul_exp"] > 0))
    assert np.all(scan["sigma_ul_exp_m1"] < scan["sigma_ul_exp"])
    # g′ from the same conversion as the points: σ of the simulated signal interpolated in log
    i = np.isclose(m, 7.0)
    assert scan["gprime_ul_lmu_ltau_exp"][i][0] == pytest.approx(
        0.01 * np.sqrt(scan["sigma_ul_exp"][i][0]
                       / (at_points["sigma_signal_ref_pb"][2]
                          * branching_fractions(np.array([7.0]))["mumu"][0])), rel=1e-9)
    with (result.out_dir / "scan.csv").open() as fh:
        assert next(csv.reader(fh))[:3] == ["mass", "efficiency", "resolution"]
    lee = json.loads((result.out_dir / "summary.json").read_text())["look_elsewhere"]
    assert lee["windows"] == len(m) and lee["at_mass"] in m


def test_the_scan_on_more_pseudo_data_and_between_the_points(result) -> None:
    """The validation helpers rebuild the run's selection and networks from its folder: the
    scan on further pseudo-datasets has the run's masses and nearly its expected limits (b_eff
    comes from each set's own fit) and other observed ones; signal simulated between two points
    through the run's networks has about the efficiency the scan interpolated there."""
    from darkscan.searches.fine_scan import interpolation_closure, pseudo_data_scans

    search = get("zprime-mumu")
    sets = pseudo_data_scans(search, result, 2, seed=7, scale=0.5)
    for scan in sets:
        np.testing.assert_array_equal(scan["mass"], result.scan["mass"])
        np.testing.assert_allclose(scan["sigma_ul_exp"], result.scan["sigma_ul_exp"], rtol=0.2)
    assert not np.allclose(sets[0]["sigma_ul_obs"], sets[1]["sigma_ul_obs"])
    ((mass, measured, interpolated),) = interpolation_closure(search, result, (7.5,), seed=7,
                                                              scale=0.5)
    assert mass == 7.5 and 0.05 < measured < 0.8
    assert interpolated == pytest.approx(measured, rel=0.35)


def test_equivalent_count_pulls_of_poisson_counts() -> None:
    """Counts Poisson about their b have pulls of unit spread across pseudo-datasets; a
    structure every set repeats (a simulated spectrum's own fluctuation) shows in the spread of
    their mean over the masses, not across the sets."""
    from darkscan.searches.fine_scan import equivalent_count_pulls

    rng = np.random.default_rng(29)
    b = rng.uniform(3.0, 30.0, 500)
    bump = b + 2.0 * np.sqrt(b) * rng.standard_normal(500)  # a fixed structure of 2σ
    for truth, spread_of_mean in ((b, 1 / np.sqrt(10)), (np.maximum(bump, 0.0), 2.0)):
        sets = [{"n_obs": rng.poisson(truth).astype(float), "bkg": b} for _ in range(10)]
        across, of_mean = equivalent_count_pulls(sets)
        assert across == pytest.approx(1.0, abs=0.08)
        assert of_mean == pytest.approx(spread_of_mean, rel=0.2)


def test_physics(result) -> None:  # type: ignore[no-untyped-def]
    t = result.to_table()
    m = result.points["mass"]
    # the fitted double Crystal Ball sits on the mass; the resolution grows with it (0.1–0.4%)
    np.testing.assert_allclose(t["peak"], m, rtol=2e-3)
    assert np.all(np.diff(t["resolution"]) > 0)
    assert np.all((t["resolution"] / m > 5e-4) & (t["resolution"] / m < 5e-3))
    # per Z′ → μμ event, after the selection and the networks
    assert np.all((t["efficiency"] > 0.02) & (t["efficiency"] < 0.6))
    assert np.all(np.isfinite(t["sigma_ul_exp"]) & (t["sigma_ul_exp"] > 0))
    # g′ from σ ∝ g′² and B(Z′ → μμ) of the L_μ − L_τ widths
    br = branching_fractions(m)["mumu"]
    np.testing.assert_allclose(
        t["gprime_ul_lmu_ltau_exp"],
        0.01 * np.sqrt(t["sigma_ul_exp"] / (t["sigma_signal_ref_pb"] * br)), rtol=1e-9)


def test_signal_filter_keeps_the_dimuon_decays() -> None:
    from darkscan.generate import generate

    truth = generate("ee_mumu_zprime", 4000, seed=3, isr=False, mass=4.0, gprime=0.01,
                     br_invisible=0.0)
    kept = is_zprime_to_mumu(truth.particles).mean()
    expected = float(width_mumu(1.0, 4.0) / (width_mumu(1.0, 4.0) + width_tautau(1.0, 4.0)))
    assert kept == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / 4000))


def test_the_scalar_search_is_the_same_analysis() -> None:
    vector, scalar = get("zprime-mumu"), get("scalar-mumu")
    assert scalar.signal.sample.process == "ee_mumu_scalar"
    assert scalar.channels == vector.channels and scalar.backgrounds == vector.backgrounds
    assert scalar.interpretations[0].column == "gs"


def test_recast_selection_through_the_runs_networks(result) -> None:  # type: ignore[no-untyped-def]
    """A recast of a run passes its events through the run's cuts, trained networks and ±2σ
    windows: a subset of what the cuts alone pass, the Z′'s efficiency near the run's own (the
    window holds most of the fitted yield), and the scalar's efficiency reweighted from the Z′'s
    events equal to the scalar simulated through the same networks."""
    from darkscan.interpret import recast as rc
    from darkscan.searches.recast import signal_sample, simulated_selection

    mass, n = 1.0, 4000
    cuts = simulated_selection("zprime-mumu")
    through = simulated_selection("zprime-mumu", run_dir=result.out_dir)
    assert "trained MVA step" in through.description
    assert "assumed to keep both spins alike" in cuts.description
    vector = signal_sample("zprime-mumu", mass, n, [1, 0])
    passed_cuts, passed = cuts(vector, mass), through(vector, mass)
    assert np.all(passed_cuts[passed]) and passed.sum() < 0.9 * passed_cuts.sum()
    own = result.to_table()["efficiency"][result.points["mass"] == mass][0]
    assert 0.75 < passed.mean() / own < 1.0
    w = rc.me_ratio_weights(vector.particles, mass, "vector", "scalar")
    reweighted, err = rc.reweighted_efficiency_ratio(passed, w)
    scalar = signal_sample("scalar-mumu", mass, n, [2, 0])
    eff_s, eff_v = through(scalar, mass).mean(), passed.mean()
    direct = eff_s / eff_v
    err_direct = direct * np.sqrt((1 - eff_s) / (n * eff_s) + (1 - eff_v) / (n * eff_v))
    assert abs(reweighted - direct) < 3.5 * np.hypot(err, err_direct)


def test_cli_recast_of_a_run_goes_through_its_networks(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import contextlib
    import io

    from darkscan import cli

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.run_cli(["recast", str(result.out_dir), "--to", "muonphilic", "-o",
                            str(tmp_path / "out"), "--n-events", "400"])
    assert code == 0, err.getvalue()
    meta = json.loads((tmp_path / "out" / "recast_muonphilic.json").read_text())
    assert "trained MVA step of the run" in meta["efficiency_method"]
    table = np.genfromtxt(tmp_path / "out" / "recast_muonphilic.csv", delimiter=",", names=True)
    # the scalar keeps less than the Z′ through networks trained on the Z′ (0.68-0.76 at
    # 1-8 GeV in the check's runs), with 400 events per mass
    assert np.all((table["efficiency_ratio"] > 0.4) & (table["efficiency_ratio"] < 1.0))
