"""`darkscan run zprime-invisible --selection cuts|punzinet`: both selections are declared, the
chosen one is named in summary.json, wrong names are one-line errors (exit 2), and the runner's
MVA step runs a Punzi-net like any other."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from darkscan import cli, searches
from darkscan.errors import ParameterError, UnknownNameError
from darkscan.searches.extraction import Selected
from darkscan.select.punzinet import PunziNet


def test_both_selections_are_declared() -> None:
    # the default first: the cut-based one (the main job's time; the comparison is in the
    # search's docstring)
    assert searches.selections("zprime-invisible") == ("cuts", "punzinet")
    cuts = searches.get("zprime-invisible", "cuts")
    net = searches.get("zprime-invisible", "punzinet")
    assert searches.get("zprime-invisible") is cuts
    assert (cuts.variant, net.variant) == ("cuts", "punzinet")
    assert cuts.channels[0].mva is None
    mva = net.channels[0].mva
    assert isinstance(mva, PunziNet) and mva.mass == "m2_recoil"
    assert "m2_recoil" not in mva.features and "pt_cms" in mva.features
    # the network replaces the τ-cone cut; both read one ntuple (same columns)
    assert "tau_cone_margin > 0" in cuts.channels[0].selection
    assert "tau_cone_margin > 0" not in net.channels[0].selection
    observables = cuts.extraction.observables
    assert cuts.channels[0].columns(observables) == net.channels[0].columns(observables)


def test_selection_errors() -> None:
    with pytest.raises(UnknownNameError, match="unknown selection 'bdt'; available: cuts, "):
        searches.get("zprime-invisible", "bdt")
    with pytest.raises(ParameterError, match="has one selection; drop --selection"):
        searches.get("zprime-mumu", "cuts")
    assert searches.selections("zprime-mumu") == ()


def test_cli_unknown_selection_exits_2(tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.run_cli(["run", "zprime-invisible", "--selection", "bdt", "--out",
                            str(tmp_path / "out")])
    assert code == 2
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 1 and "unknown selection 'bdt'" in lines[0]


def test_runner_mva_step_runs_a_punzinet(tmp_path: Path) -> None:
    """The runner's MVA step trains a Punzi-net on the training samples and cuts every sample;
    its record (windows, cuts) goes to summary.json's "mva"."""
    pytest.importorskip("torch")
    from darkscan.searches.runner import _mva_step
    from darkscan.searches.samples import sample_id
    from darkscan.searches.spec import SampleSpec

    rng = np.random.default_rng(5)
    grid = SampleSpec("toy_training", "ee_mumu_zprime", n_events=1, n_quick=1,
                      label="signal")
    bkg = SampleSpec("bkg_training", "ee_mumu", n_events=1, n_quick=1, label="bkg")
    points = [{"mass": 1.0}, {"mass": 2.0}]

    def sel(sid: str, m: np.ndarray, x: np.ndarray, w: float) -> Selected:
        n = len(m)
        return Selected(sid, sid, {"m": m, "x": x}, np.full(n, w), np.full(n, w), n, 1.0)

    selected = {sample_id(grid, p): sel(sample_id(grid, p), rng.normal(p["mass"], 0.05, 800),
                                        rng.normal(1.5, 1.0, 800), 1.0) for p in points}
    selected[bkg.id] = sel(bkg.id, rng.uniform(0, 3, 20_000), rng.normal(-1, 1, 20_000), 0.05)
    spec = PunziNet(("x",), "m", hidden=(4,), bce_epochs=2, punzi_epochs=20)
    out, record = _mva_step(spec, selected, selected, points, grid, (bkg,), 1, tmp_path,
                            Console(quiet=True))
    assert [w["point"] for w in record["windows"]] == [1.0, 2.0]  # type: ignore[index]
    assert record["features"] == ["x"]
    for k, s in selected.items():  # every sample is cut, the signal less than the background
        kept = len(out[k].weight) / len(s.weight)
        assert (kept > 0.4) if k != bkg.id else (kept < 0.2)
