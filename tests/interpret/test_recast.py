"""Recasting (issue #23): closure, the matrix-element reweighting against a direct generation of
the target, the muon-line cross sections, and the CLI's errors."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import awkward as ak
import numpy as np
import pytest

from darkscan import cli
from darkscan.errors import NotAvailableError, ParameterError, UnknownNameError
from darkscan.generate import get_process
from darkscan.interpret import recast as rc
from darkscan.physics import BELLE2, lorentz

MASS = 2.0


@pytest.fixture(scope="module")
def samples() -> dict[str, object]:
    """10k generator-level events each of μμZ′ and μμS at 2 GeV (fixed seeds)."""
    return {
        "vector": get_process("ee_mumu_zprime").generate_chunk(
            10_000, np.random.SeedSequence(101), {"mass": MASS, "gprime": 1.0,
                                                  "br_invisible": 1.0}),
        "scalar": get_process("ee_mumu_scalar").generate_chunk(
            10_000, np.random.SeedSequence(102), {"mass": MASS, "gs": 1.0}),
    }


def _hard_x_energy_cms(particles: ak.Array) -> np.ndarray:
    x = particles[:, 4]
    p = np.stack([ak.to_numpy(x[c]) for c in ("px", "py", "pz", "E")], axis=-1)
    return BELLE2.to_cms(p)[:, 3]


def test_reduced_cms_momenta_conserve_momentum_and_masses(samples: dict) -> None:
    p1, p2, p3, p4, k = rc.reduced_cms_momenta(samples["vector"].particles)
    np.testing.assert_allclose(p1 + p2, p3 + p4 + k, atol=1e-9)
    np.testing.assert_allclose(lorentz.mass(k), MASS, rtol=1e-9)
    np.testing.assert_allclose(p1[:, :3], -p2[:, :3], atol=1e-12)  # the reduced CMS
    assert np.all(np.abs(lorentz.mass(p1)) < 1e-6)


def test_mean_weight_is_the_cross_section_ratio(samples: dict) -> None:
    # unweighted vector events reweighted by |M_S|²/|M_V|² estimate σ_S/σ_V (same couplings)
    w = rc.me_ratio_weights(samples["vector"].particles, MASS, "vector", "scalar")
    ratio = samples["scalar"].meta.sigma_pb / samples["vector"].meta.sigma_pb
    err = w.std() / np.sqrt(len(w))
    assert abs(w.mean() - ratio) < 4 * err + 0.005 * ratio
    assert 0.1 < ratio < 0.5  # a scalar is radiated less than a vector: not a trivial ratio


def test_reweighting_reproduces_a_direct_generation_of_the_scalar(samples: dict) -> None:
    # a cut on the generator-level X energy (CMS): the scalar's spectrum is harder
    pass_v = _hard_x_energy_cms(samples["vector"].particles) > 3.0
    pass_s = _hard_x_energy_cms(samples["scalar"].particles) > 3.0
    direct = pass_s.mean() / pass_v.mean()
    err_direct = direct * np.sqrt((1 - pass_v.mean()) / pass_v.sum()
                                  + (1 - pass_s.mean()) / pass_s.sum())
    w = rc.me_ratio_weights(samples["vector"].particles, MASS, "vector", "scalar")
    r, err = rc.reweighted_efficiency_ratio(pass_v, w)
    assert direct > 1.25  # the efficiencies differ: ε_target = ε_source would fail here
    assert abs(r - direct) < 3 * np.hypot(err, err_direct)
    assert 0.003 < err < 0.03


def test_reweighted_ratio_error_matches_its_spread() -> None:
    rng = np.random.default_rng(5)
    ratios = []
    for _ in range(200):
        w = rng.exponential(1.0, 2_000)
        passed = rng.random(2_000) < 0.3 + 0.2 * (w > 1)
        ratios.append(rc.reweighted_efficiency_ratio(passed, w))
    values, errors = np.array(ratios).T
    assert np.std(values) == pytest.approx(np.mean(errors), rel=0.15)


def test_same_spin_efficiency_ratio_is_exactly_one() -> None:
    from darkscan.searches.recast import efficiency_ratio

    eff = efficiency_ratio(rc.SOURCES["zprime-invisible"], rc.MODELS["dark_photon"],
                           np.array([1.0, 5.0]))
    assert eff.value.tolist() == [1.0, 1.0] and "identical" in eff.method
    assert rc.identical_efficiency(rc.SOURCES["zprime-mumu"], rc.MODELS["muonphilic"],
                                   np.array([1.0])) is None
    lim = rc.SourceLimits("zprime-mumu", np.array([1.0]), {"sigma_ul_obs": np.ones(1)})
    with pytest.raises(ParameterError, match="changes the spin of X"):
        rc.recast(lim, rc.MODELS["muonphilic"], sigma_unit=np.ones(1))


def _closure(br: float) -> tuple[np.ndarray, np.ndarray]:
    mass = np.array([0.5, 3.0, 8.0])
    unit = np.array([60.0, 12.0, 0.9])  # any positive σ_unit: it cancels
    g_in = np.array([2e-3, 1e-2, 0.3])
    zp, ap = rc.MODELS["lmu_ltau"], rc.MODELS["dark_photon"]
    one = rc.EfficiencyRatio(np.ones(3), np.zeros(3), "same spin")
    sigma = rc.sigma_from_coupling(zp, "invisible", mass, g_in, sigma_unit=unit)
    eps = rc.recast(rc.SourceLimits("zprime-invisible", mass, {"sigma_ul_obs": sigma}), ap,
                    {"br_invisible": br}, muon_line_only=True, efficiency=one,
                    sigma_unit=unit).coupling_ul["epsilon_ul_dark_photon_obs"]
    sigma_ap = rc.sigma_from_coupling(ap, "invisible", mass, eps, {"br_invisible": br},
                                      sigma_unit=unit)
    back = rc.recast(rc.SourceLimits("zprime-invisible", mass, {"sigma_ul_obs": sigma_ap}), zp,
                     efficiency=one, sigma_unit=unit).coupling_ul["gprime_ul_lmu_ltau_obs"]
    return g_in, back, eps


def test_closure_zprime_darkphoton_zprime() -> None:
    g_in, back, eps = _closure(0.8)
    np.testing.assert_allclose(back, g_in, rtol=1e-12)
    # and the A′ limit is the Z′ one over e, corrected by the invisible fractions
    from darkscan.models import zprime

    b_z = zprime.br_invisible(np.array([0.5, 3.0, 8.0]))
    np.testing.assert_allclose(eps, g_in / rc.MODELS["dark_photon"].muon_charge
                               * np.sqrt(b_z / 0.8), rtol=1e-12)


def test_b_minus_l_widths_and_its_recast_of_the_zprime() -> None:
    from darkscan.models import b_minus_l, zprime

    # at 5 GeV, in units of g²M/(12π): e, μ, τ ≈ 1 each (τ with its threshold factor), three
    # neutrinos 3 × ½, u d s 3 × 3 × (1/3)² = 1, charm 3 × (1/3)² × (threshold at 2m_D)
    m = np.array([5.0])
    unit = 1.0 / (12.0 * np.pi) * 5.0
    w = {k: float(v[0]) / unit for k, v in b_minus_l.partial_widths(1.0, m).items()}
    r_tau, r_d = (1.77693 / 5.0) ** 2, (1.8648 / 5.0) ** 2
    assert w["nunu"] == pytest.approx(1.5, rel=1e-9)
    assert w["tautau"] == pytest.approx((1 + 2 * r_tau) * np.sqrt(1 - 4 * r_tau), rel=1e-3)
    assert w["hadrons"] == pytest.approx(1 + (1 + 2 * r_d) * np.sqrt(1 - 4 * r_d) / 3,
                                         rel=1e-3)
    br = b_minus_l.branching_fractions(np.array([1.0, 5.0]))
    assert np.isnan(br["invisible"][0])  # the ω/φ region: not modelled, no limit
    assert br["invisible"][1] == pytest.approx(1.5 / sum(w.values()), rel=1e-9)
    # same spin and muon charge as the L_μ−L_τ Z′: g_BL = g′ √(B_Z′(inv)/B_BL(inv))
    mass = np.array([1.0, 5.0])
    sigma = np.array([1e-3, 2e-3])
    one = rc.EfficiencyRatio(np.ones(2), np.zeros(2), "same spin")
    lim = rc.SourceLimits("zprime-invisible", mass, {"sigma_ul_obs": sigma})
    units = np.array([0.3, 0.2])
    g = rc.recast(lim, rc.MODELS["lmu_ltau"], efficiency=one,
                  sigma_unit=units).coupling_ul["gprime_ul_lmu_ltau_obs"]
    gbl = rc.recast(lim, rc.MODELS["b_minus_l"], muon_line_only=True, efficiency=one,
                    sigma_unit=units).coupling_ul["gbl_ul_b_minus_l_obs"]
    assert np.isnan(gbl[0])
    assert gbl[1] == pytest.approx(g[1] * np.sqrt(zprime.br_invisible(mass)[1]
                                                  / br["invisible"][1]), rel=1e-12)


def test_refusals() -> None:
    lim = rc.SourceLimits("zprime-invisible", np.array([1.0]), {"sigma_ul_obs": np.ones(1)})
    one = rc.EfficiencyRatio(np.ones(1), np.zeros(1), "x")
    with pytest.raises(NotAvailableError, match=r"off the e⁺e⁻ beams.*--muon-line-only"):
        rc.recast(lim, rc.MODELS["dark_photon"], efficiency=one, sigma_unit=np.ones(1))
    with pytest.raises(ParameterError, match="no invisible decay"):
        rc.recast(lim, rc.MODELS["muonphilic"], efficiency=one, sigma_unit=np.ones(1))
    with pytest.raises(ParameterError, match="takes no parameter gs"):
        rc.recast(lim, rc.MODELS["lmu_ltau"], {"gs": 1.0}, efficiency=one, sigma_unit=np.ones(1))
    with pytest.raises(UnknownNameError,
                       match="available: b_minus_l, dark_photon, lmu_ltau, muonphilic"):
        rc.get_model("axion")
    with pytest.raises(NotAvailableError, match=r"off the e⁺e⁻ beams.*--muon-line-only"):
        rc.recast(lim, rc.MODELS["b_minus_l"], efficiency=one, sigma_unit=np.ones(1))
    with pytest.raises(ParameterError, match="cannot be recast"):
        rc.get_source("alp-photons")


# ------------------------------------------------------------------------------------- CLI
def _invoke(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.run_cli(list(args))
    return code, stdout.getvalue(), stderr.getvalue()


def _results(folder: Path, search: str = "zprime-invisible", limits: bool = True) -> Path:
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps({"search": search}))
    if limits:
        (folder / "limits.csv").write_text(
            "mass,sigma_ul_obs,sigma_ul_exp,gprime_ul_vanilla_obs,gprime_ul_vanilla_exp\n"
            "1,0.02,0.01,0.005,0.0035\n4,0.01,0.008,0.01,0.009\n")
    return folder


@pytest.mark.parametrize(("args", "search", "limits", "message"), [
    (("--to", "axion"), "zprime-invisible", True, "unknown recast model 'axion'; available: "),
    (("--to", "lmu_ltau"), "zprime-invisible", False, "has no limits.csv"),
    (("--to", "lmu_ltau"), "alp-photons", True, "search 'alp-photons' cannot be recast"),
    (("--to", "dark_photon"), "zprime-invisible", True, "pass --muon-line-only"),
    (("--to", "muonphilic"), "zprime-invisible", True, "no invisible decay"),
    (("--to", "lmu_ltau", "--param", "br_invisible=2"), "zprime-invisible", True, "[0, 1]"),
    (("--to", "b_minus_l"), "zprime-invisible", True, "pass --muon-line-only"),
    # a spin change simulates through the run: its summary must say how the run was made
    (("--to", "muonphilic"), "zprime-mumu", True, "lacks the run's search, luminosity"),
])
def test_cli_errors_exit_2_with_one_line(tmp_path: Path, args: tuple[str, ...], search: str,
                                         limits: bool, message: str) -> None:
    src = _results(tmp_path / "run", search, limits)
    code, _, err = _invoke("recast", str(src), *args, "-o", str(tmp_path / "out"))
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and message in err
    assert not (tmp_path / "out").exists()


def test_cli_missing_folder_exits_2(tmp_path: Path) -> None:
    code, _, err = _invoke("recast", str(tmp_path / "nothing"), "--to", "lmu_ltau", "-o",
                           str(tmp_path / "out"))
    assert code == 2 and "does not exist" in err


def test_cli_writes_limits_assumptions_and_plot(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rc, "production_sigma_unit",
                        lambda spin, mass, n_points=0: np.array([37.0, 9.0]))
    src = _results(tmp_path / "run")
    code, _, err = _invoke("recast", str(src), "--to", "dark_photon", "--muon-line-only",
                           "--param", "br_invisible=1", "-o", str(tmp_path / "out"))
    assert code == 0, err
    table = np.genfromtxt(tmp_path / "out" / "recast_dark_photon.csv", delimiter=",",
                          names=True)
    # same spin: σ limits unchanged; ε = √(σ_UL / (σ_unit e² B))
    np.testing.assert_allclose(table["sigma_ul_obs"], [0.02, 0.01])
    np.testing.assert_allclose(table["efficiency_ratio"], [1.0, 1.0])
    e = rc.MODELS["dark_photon"].muon_charge
    np.testing.assert_allclose(table["epsilon_ul_dark_photon_obs"],
                               np.sqrt(np.array([0.02, 0.01]) / (np.array([37.0, 9.0]) * e**2)),
                               rtol=1e-5)
    meta = json.loads((tmp_path / "out" / "recast_dark_photon.json").read_text())
    assert meta["source"] == "zprime-invisible" and "identical" in meta["efficiency_method"]
    assert any("NOT included" in a for a in meta["assumptions"])
    assert (tmp_path / "out" / "plots" / "recast_dark_photon.png").stat().st_size > 1000


# ----------------------------------------------------------------------- across lifetimes
def test_lifetime_recast_excludes_the_band_where_the_model_meets_the_limit() -> None:
    from darkscan.interpret.recast_lifetime import (
        coupling_limit_at_ctau,
        excluded_couplings,
        excluded_range,
    )

    ctau_grid = np.array([0.01, 0.1, 1.0, 10.0, 100.0])
    # a displaced search: best near 1 cm, g_UL ∝ (cτ/1 cm)^±0.5 away from it
    g_ul = 1e-4 * np.sqrt(np.maximum(ctau_grid, 1.0 / ctau_grid))
    # log-log interpolation is exact for a power law between grid points
    assert coupling_limit_at_ctau(ctau_grid, g_ul, np.array([3.0]))[0] == pytest.approx(
        1e-4 * np.sqrt(3.0))
    assert np.isnan(coupling_limit_at_ctau(ctau_grid, g_ul, np.array([1e-3, 1e3]))).all()
    # a model with cτ = 1 cm at g = 1e-4 and cτ ∝ 1/g², against limits k·g_UL: g is excluded
    # where g > k·g_UL(cτ(g)). Long-lived side (g < 1e-4): g > k·1e-8/g → g > 1e-4·√k;
    # short-lived side (g > 1e-4): g > k·g → always for k < 1, never for k > 1.
    g = np.geomspace(1e-6, 1e-2, 401)

    def model(coupling: np.ndarray) -> np.ndarray:  # cτ in cm
        return (1e-4 / coupling) ** 2

    assert not excluded_couplings(g, model, ctau_grid, 10.0 * g_ul).any()  # too weak
    lo, hi = excluded_range(g, excluded_couplings(g, model, ctau_grid, 0.1 * g_ul))
    # the band runs from 1e-4·√0.1 up to where the model leaves the grid: cτ = 0.01 cm at 1e-3
    assert lo == pytest.approx(10**-4.5, rel=0.03) and hi == pytest.approx(1e-3, rel=0.03)
    assert np.isnan(excluded_range(g, np.zeros(len(g), bool))).all()


def _displaced_results(folder: Path) -> Path:
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps({"search": "b-to-k-scalar"}))
    lines = ["mass,ctau,channel,br_ul_obs,br_ul_exp,sin_theta_ul_scalar_obs,"
             "sin_theta_ul_scalar_exp"]
    for ctau in (0.01, 0.1, 1.0, 10.0, 100.0, 400.0):
        lines.append(f"1.1,{ctau},K+_mumu,1e-7,1e-7,3e-4,3e-4")
    (folder / "limits.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_cli_recasts_a_displaced_search_at_the_models_own_lifetime(tmp_path: Path) -> None:
    from darkscan.models import scalar

    src = _displaced_results(tmp_path / "run")
    code, _, err = _invoke("recast", str(src), "--to", "dark_scalar", "-o", str(tmp_path / "o"))
    assert code == 0, err
    text = (tmp_path / "o" / "recast_dark_scalar.csv").read_text().splitlines()
    header = text[0].split(",")
    row = dict(zip(header, text[1].split(","), strict=True))
    assert row["channel"] == "K+_mumu"
    # excluded: above the flat limit 3e-4, up to where the scalar's cτ leaves the grid (0.01 cm)
    top = 1e-3 * np.sqrt(float(scalar.ctau(1e-3, 1.1)) / 0.01)
    assert float(row["sin_theta_excluded_low_obs"]) == pytest.approx(3e-4, rel=0.02)
    assert float(row["sin_theta_excluded_high_exp"]) == pytest.approx(top, rel=0.02)
    code, _, err = _invoke("recast", str(src), "--to", "lmu_ltau", "-o", str(tmp_path / "x"))
    assert code == 2 and "to 'dark_scalar' only" in err


def test_quick_recast_checks_pass() -> None:
    """The quick ``darkscan validate`` checks of recasting: closure and DarkCast's Belle II 2020
    recast (the slow ones, with simulation, run in ``darkscan validate``)."""
    import importlib

    from darkscan import registry

    # only this layer's checks, as tests/models does (registry.checks() imports every layer)
    importlib.import_module("darkscan.interpret.checks")
    found = [c for c in registry._REGISTRY.checks.values()
             if c.name.startswith("recast_") and c.quick]
    assert len(found) == 4
    for c in found:
        result = c.run()
        assert result.passed, (c.name, result.measured, result.note)


def test_cli_recasts_the_zprime_to_b_minus_l(tmp_path: Path) -> None:
    src = _results(tmp_path / "res")
    code, _, err = _invoke("recast", str(src), "--to", "b_minus_l", "--muon-line-only", "-o",
                           str(tmp_path / "out"))
    assert code == 0, err
    rows = (tmp_path / "out" / "recast_b_minus_l.csv").read_text().splitlines()
    assert rows[1].split(",")[-1] == "nan"  # 1 GeV: the ω/φ region, no limit
    assert float(rows[2].split(",")[-1]) > 0
    meta = json.loads((tmp_path / "out" / "recast_b_minus_l.json").read_text())
    assert any("not modelled" in a for a in meta["assumptions"])
    assert (tmp_path / "out" / "plots" / "recast_b_minus_l.png").stat().st_size > 10_000
