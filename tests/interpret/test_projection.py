"""Luminosity projections: named scenarios, their scalings (the validate checks' toy), and
``darkscan project`` on a toy search: one simulation, limits at several luminosities."""

from __future__ import annotations

import contextlib
import csv
import io
import json

import numpy as np
import pytest

from darkscan import cli
from darkscan.errors import ParameterError
from darkscan.interpret import checks_projection as checks
from darkscan.interpret.projection import DEFAULT_SCENARIO, SCENARIOS, scenario
from darkscan.physics import Luminosity, parse_luminosity
from darkscan.searches.extraction import CutAndCount
from darkscan.searches.reach import PROJECTION_CSV, PROJECTION_JSON, project_search
from darkscan.searches.spec import (
    Axis,
    BestCandidate,
    Channel,
    Inference,
    Interpretation,
    SampleSpec,
    Search,
    SignalGrid,
)

L0 = parse_luminosity("10/pb")
TOY = Search(
    name="toy-reach", title="toy", references=("none",),
    signal=SignalGrid(SampleSpec("zp", "ee_mumu_zprime", 1000, 1000, "Z′",
                                 params={"gprime": 0.01}),
                      axes=(Axis("mass", (2.0, 6.0), (2.0, 6.0), "$M$"),)),
    backgrounds=(SampleSpec("mumu", "ee_mumu", 5000, 5000, "μμ(γ)"),),
    channels=(Channel("mumu", "vpho -> mu+:all mu-:all", BestCandidate("pt_cms"),
                      ("n_tracks == 2",)),),
    extraction=CutAndCount(("pt_cms > 0.1",), syst=0.1),
    inference=Inference(cl=0.9), default_lumi="10/pb", quantity_label="σ × B",
    interpretations=(Interpretation("toy", "gprime", "$g'$", "B = 1",
                                    reference=lambda p: p["gprime"], power=2.0,
                                    branching=lambda p: np.ones_like(p["mass"])),))


def test_scenarios_scale_what_they_say() -> None:
    ten = Luminosity(10 * L0.per_pb)
    base, better = SCENARIOS["baseline"], SCENARIOS["improved"]
    assert DEFAULT_SCENARIO is base
    assert base.mc_scale(L0, ten) == pytest.approx(0.1) and base.syst_scale(L0, ten) == 1.0
    assert better.syst_scale(L0, ten) == pytest.approx(0.1**0.5)
    assert SCENARIOS["stat-only"].syst_scale(L0, ten) == 0.0
    assert SCENARIOS["fixed-mc"].mc_scale(L0, ten) == 1.0
    # at or below the analysis luminosity nothing is projected
    half = Luminosity(0.5 * L0.per_pb)
    for s in SCENARIOS.values():
        assert s.mc_scale(L0, half) == 1.0 and s.syst_scale(L0, half) == 1.0
        assert s.summary(L0, L0) is None
    assert "improved" in better.summary(L0, ten) and "× 0.316" in better.summary(L0, ten)
    with pytest.raises(ParameterError, match="unknown projection scenario 'hopeful'"):
        scenario("hopeful")


def test_projections_reproduce_the_textbook_scalings() -> None:
    assert checks.background_dominated() == pytest.approx(0.1, rel=0.03)
    assert checks.background_free() == pytest.approx(0.01, rel=0.03)
    assert checks.systematics_floor() == pytest.approx(1.0, rel=0.05)
    # shrinking systematics (improved) recover the statistical scaling the floor stops
    improved = (checks.projected_limit(2.5e4, 1e5, SCENARIOS["improved"], syst=0.05)
                / checks.projected_limit(2.5e4, 1e4, SCENARIOS["improved"], syst=0.05))
    assert 0.3 < improved < 0.5


def test_project_evaluates_one_simulation_at_every_luminosity(tmp_path) -> None:  # type: ignore[no-untyped-def]
    scenarios = [SCENARIOS["baseline"], SCENARIOS["stat-only"]]
    proj = project_search(TOY, ["10/pb", "1/fb", "100/pb"], scenarios, out_dir=tmp_path,
                          quick=True, seed=4)
    with (tmp_path / PROJECTION_CSV).open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3 * 2 * 2  # luminosities × scenarios × points
    assert [r["lumi"] for r in rows[:6:2]] == ["10 pb⁻¹", "100 pb⁻¹", "1 fb⁻¹"]  # sorted
    assert not any(k.endswith("_obs") for k in rows[0])
    lim = {(r["scenario"], float(r["lumi_per_pb"]), r["mass"]): float(r["sigma_ul_exp"])
           for r in rows}
    for sc in ("baseline", "stat-only"):
        for m in ("2", "6"):
            assert lim[(sc, 10.0, m)] > lim[(sc, 100.0, m)] > lim[(sc, 1000.0, m)]
    # at the analysis luminosity the scenarios agree; beyond it the 10% systematic costs
    assert lim[("baseline", 10.0, "2")] == lim[("stat-only", 10.0, "2")]
    assert lim[("baseline", 1000.0, "2")] > lim[("stat-only", 1000.0, "2")]
    summary = json.loads((tmp_path / PROJECTION_JSON).read_text())
    assert summary["scenarios"]["stat-only"]["systematics"] == "none"
    assert "beam" in summary["not_scaled"]
    assert proj.runs[-1].result.summary["projection"].startswith("luminosity above")
    for sc in ("baseline", "stat-only"):
        for stem in ("sigma", "gprime_ul_toy"):
            assert (tmp_path / "plots" / f"reach_{stem}_{sc}.png").stat().st_size > 10_000
    # the same folder again: the ntuples come from the cache, the numbers are identical
    again = project_search(TOY, ["1/fb"], [SCENARIOS["baseline"]], out_dir=tmp_path,
                           quick=True, seed=4)
    np.testing.assert_array_equal(again.runs[0].result.limits.expected,
                                  proj.runs[2].result.limits.expected)
    assert not (tmp_path / "plots" / "reach_sigma_stat-only.png").exists()  # stale: removed


def _invoke(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.run_cli(list(args))
    return code, err.getvalue()


@pytest.mark.parametrize(("args", "message"), [
    (("--scenario", "hopeful"), "unknown projection scenario 'hopeful'"),
    (("--lumi", "1/ab,lots"), "--lumi"),
    (("--lumi", ","), "--lumi is empty"),
])
def test_project_refuses_bad_input_before_any_work(args: tuple[str, ...], message: str) -> None:
    code, err = _invoke("project", "zprime-invisible", *args, "--out", "/tmp/never-written")
    assert code == 2 and message in err and "Traceback" not in err


def test_run_takes_a_scenario() -> None:
    code, err = _invoke("run", "zprime-invisible", "--scenario", "x", "--out", "/tmp/nope")
    assert code == 2 and "choose one of baseline, improved, stat-only, fixed-mc" in err
