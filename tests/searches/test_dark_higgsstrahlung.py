"""End to end: the dark Higgsstrahlung search on a reduced quick configuration."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from darkscan.models.dark_higgs import br_darkphoton_mumu, sigma_darkphoton_darkhiggs
from darkscan.searches import get
from darkscan.searches.runner import run_search


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("dh")
    return run_search(get("dark-higgsstrahlung"), out_dir=out, quick=True, seed=5, scale=0.5)


def test_outputs(result) -> None:  # type: ignore[no-untyped-def]
    out: Path = result.out_dir
    with (out / "limits.csv").open() as fh:
        header = next(csv.reader(fh))
    assert header[:3] == ["mass_darkphoton", "mass_darkhiggs", "sigma_ul_obs"]
    assert {"eps2_alphad_ul_darkhiggs_obs", "eps2_alphad_ul_darkhiggs_exp"} <= set(header)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "bayes" and summary["cl"] == 0.9
    assert summary["windows"] == 4 and len(summary["window_cuts"]) == 4
    assert summary["look_elsewhere"]["windows"] == 4
    for plot in ("map_sigma", "map_eps2_alphad_ul_darkhiggs", "stack_m", "efficiency"):
        assert (out / "plots" / f"{plot}.png").stat().st_size > 10_000
    assert (out / "report.html").is_file()


def test_physics(result) -> None:  # type: ignore[no-untyped-def]
    t = result.to_table()
    ma, mh = result.points["mass_darkphoton"], result.points["mass_darkhiggs"]
    # the 2D peak sits at (M_A′, M_h′); M_μμ and M_recoil are anticorrelated
    np.testing.assert_allclose(t["peak_M"], ma, atol=0.02)
    np.testing.assert_allclose(t["peak_m_recoil"], mh, atol=0.15)
    assert np.all(t["correlation"] < -0.6)  # −0.9 with full statistics
    assert np.all(t["resolution"] < t["resolution_m_recoil"])
    # per A′ → μμ event, after the window cuts: 5–35%
    assert np.all((t["efficiency"] > 0.05) & (t["efficiency"] < 0.35))
    # σ × B limits of a few fb at 8.34 fb⁻¹ (the paper: 1.7–5.0 fb); ε²α_D from σ ∝ ε²α_D
    assert np.all((t["sigma_ul_exp"] > 1e-3) & (t["sigma_ul_exp"] < 2e-2))
    ref = t["sigma_signal_ref_pb"] / (1e-3**2 * 0.1)  # σ per unit ε²α_D (with ISR)
    np.testing.assert_allclose(t["eps2_alphad_ul_darkhiggs_exp"],
                               t["sigma_ul_exp"] / (ref * br_darkphoton_mumu(ma)), rtol=1e-9)
    # the generator's σ (ISR) is within 30% of the Born closed form
    born = sigma_darkphoton_darkhiggs(ma, mh, 1e-3, 0.1)
    np.testing.assert_allclose(t["sigma_signal_ref_pb"] / born, 1.0, atol=0.3)
    # the CLs cross-check is beside the Bayesian limit, of the same size
    ratio = t["sigma_ul_exp_cls"] / t["sigma_ul_exp"]
    assert np.all((ratio > 0.5) & (ratio < 2.0))


def test_recoil_window_is_the_barrel_for_a_massless_recoil() -> None:
    """The CMS recoil window (−0.734, 0.693) holds the directions whose massless image in the lab
    lies inside the barrel's 34°–127° at every azimuth (the crossing angle tilts the boost), and
    reaches its edges: for a lost photon it is the lab cut."""
    from darkscan.physics.experiment import BELLE2
    from darkscan.searches.dark_higgsstrahlung import BASE_SELECTION

    assert "cos_theta_recoil_cms > -0.734 and cos_theta_recoil_cms < 0.693" in BASE_SELECTION
    phi = np.linspace(0.0, 2.0 * np.pi, 361)
    for cos_cms, edge in ((0.693, 34.0), (-0.734, 127.0)):
        sin_cms = np.sqrt(1.0 - cos_cms**2)
        cms = np.stack([sin_cms * np.cos(phi), sin_cms * np.sin(phi), np.full_like(phi, cos_cms),
                        np.ones_like(phi)], axis=-1)
        lab = BELLE2.to_lab(cms)
        theta = np.degrees(np.arctan2(np.hypot(lab[:, 0], lab[:, 1]), lab[:, 2]))
        assert np.all((theta >= 33.95) & (theta <= 127.05))
        assert np.min(np.abs(theta - edge)) < 0.1
