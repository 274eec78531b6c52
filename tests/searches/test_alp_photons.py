"""End to end: the three-photon ALP search (e⁺e⁻ → γa, a → γγ) on a reduced quick
configuration; the merging of the decay photons of a light ALP; the lml trigger bit."""

import csv
import json
from pathlib import Path

import awkward as ak
import numpy as np
import pytest

from darkscan.detector import simulate
from darkscan.generate import generate
from darkscan.models.alp import sigma_gamma_alp
from darkscan.searches import get
from darkscan.searches.alp_photons import PUBLISHED_GAGG, RECOIL_FROM
from darkscan.searches.runner import run_search


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("alp")
    return run_search(get("alp-photons"), out_dir=out, quick=True, seed=5, scale=0.5)


def test_outputs(result) -> None:  # type: ignore[no-untyped-def]
    out: Path = result.out_dir
    with (out / "limits.csv").open() as fh:
        header = next(csv.reader(fh))
    assert header[:3] == ["mass", "sigma_ul_obs", "sigma_ul_exp"]
    assert {"gagg_ul_alp_obs", "gagg_ul_alp_exp"} <= set(header)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["best_candidate"]["all_candidates"] is True
    assert summary["cl"] == 0.95
    # the diphoton mass below 6.85 GeV, the recoil mass against the third photon above
    assert summary["fitted_observable"] == ["dau0_M", "dau0_M", "dau1_m_recoil"]
    assert (out / "report.html").is_file()


def test_physics(result) -> None:  # type: ignore[no-untyped-def]
    t = result.to_table()
    m = result.points["mass"]
    # the peak on the mass within a fraction of its width (the quick sample's peak moves by
    # ~0.2 of it: 0.4973 GeV at 0.5, 2.7 MeV for an 11 MeV width)
    assert np.all(np.abs(t["peak"] - m) < 0.5 * t["resolution"]), (t["peak"], t["resolution"])
    # resolution: ~3% of the mass at 0.5 GeV (the opening angle), tens of MeV above
    assert 0.005 < t["resolution"][0] < 0.03
    assert np.all((t["resolution"][1:] > 0.015) & (t["resolution"][1:] < 0.1))
    # three photons in the CDC acceptance, mass ≈ √s: about half of the produced ALPs
    assert np.all((t["efficiency"] > 0.3) & (t["efficiency"] < 0.75))
    # the reference σ is the Born formula αg²/24 (1 − m²/s)³ up to ISR and the running α
    np.testing.assert_allclose(t["sigma_signal_ref_pb"],
                               sigma_gamma_alp(1e-3, m, 10.58), rtol=0.15)
    np.testing.assert_allclose(t["gagg_ul_alp_exp"],
                               1e-3 * np.sqrt(t["sigma_ul_exp"] / t["sigma_signal_ref_pb"]),
                               rtol=1e-9)
    # the coupling limits are of the published order (≈ 10⁻³ GeV⁻¹ at low mass, rising as the
    # (1 − m²/s)³ of the cross section falls)
    published = dict(PUBLISHED_GAGG)
    for mass, g in zip(m, t["gagg_ul_alp_exp"], strict=True):
        assert published[mass] / 3 < g < published[mass] * 3


def test_recoil_mass_switch_is_between_grid_points() -> None:
    masses = get("alp-photons").signal.axes[0].values
    assert max(x for x in masses if x < RECOIL_FROM) < RECOIL_FROM < min(
        x for x in masses if x > RECOIL_FROM)


def _three_clusters(mass: float) -> float:
    """Fraction of e⁺e⁻ → γa events with three ECL clusters above 0.5 GeV."""
    s = generate("ee_gamma_alp", 1500, seed=3, mass=mass, gagg=1e-3)
    ev = simulate(s, seed=4, beam_background_rate=0.0).events
    return float(np.mean(ak.to_numpy(ak.sum(ev.clusters.E > 0.5, axis=1)) >= 3))


def test_light_alp_photons_merge_into_one_cluster() -> None:
    """At 0.05 GeV the ~5 GeV ALP's photons open by ≳ 20 mrad (2.5 cm on the ECL face): one
    cluster unless the decay is very asymmetric; at 0.3 GeV (≳ 15 cm) two. (With three
    clusters above 0.5 GeV: 6% at 0.03 GeV, 11% at 0.05, 32% at 0.1, 71% at 0.2 GeV.)"""
    merged, resolved = _three_clusters(0.05), _three_clusters(0.3)
    assert 0.05 < merged < 0.16
    assert 0.62 < resolved < 0.78
