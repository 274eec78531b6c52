"""The database of published limits: loading, schema errors, the search overlays fed from it,
and ``darkscan limits`` (list, show, plot)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from darkscan import cli
from darkscan.cli_limits import limits_app
from darkscan.errors import InputFileError, UnknownNameError
from darkscan.interpret import published as P
from darkscan.searches import get as get_search
from darkscan.searches import names as search_names

#: every result of reference/published.md has a record (the 4μ and Belle II dark Higgsstrahlung
#: papers one per quantity), and so have the earlier BaBar results they improved on
EXPECTED_IDS = {
    "belle2-2020-zprime-invisible", "belle2-2023-zprime-invisible",
    "belle2-2024-zprime-mumu-sigma", "belle2-2024-zprime-mumu-gprime",
    "belle2-2024-scalar-mumu-sigma", "belle2-2024-scalar-mumu-gs",
    "belle2-2023-mumutautau-sigma", "belle2-2023-dark-higgsstrahlung-sigma",
    "belle2-2023-dark-higgsstrahlung-eps2alphad", "belle2-2020-alp-photons",
    "belle2-2023-b-to-k-scalar", "belle2-2025-idm-dark-higgs", "belle2-2023-tau-to-e-alpha",
    "belle2-2023-tau-to-mu-alpha", "belle-2025-b-to-k-alp", "babar-2016-zprime-mumu",
    "babar-2017-darkphoton-invisible",
}


def invoke(*args: str) -> tuple[int, str, str]:
    """``darkscan ARGS`` through the entry point (user errors: one line, exit 2)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.run_cli(list(args))
    return code, stdout.getvalue(), stderr.getvalue()


def test_every_result_loads_with_its_numbers() -> None:
    records = P.load_all()
    assert EXPECTED_IDS <= set(records)
    r = P.get("belle2-2024-zprime-mumu-sigma")
    assert (r.kind, r.quantity, r.unit, r.column) == ("range", "sigma", "fb", "sigma")
    assert r.y == (0.046, 0.97) and r.span == (0.212, 9.0) and r.cl == 0.9
    # the search layer gets pb: 0.046 fb = 4.6e-5 pb
    lines = r.to_published()
    assert [p.y for p in lines] == [(pytest.approx(4.6e-5),) * 2, (pytest.approx(9.7e-4),) * 2]
    assert all(p.x == (0.212, 9.0) for p in lines)
    # a quoted lowest limit alone (BaBar 2016: "as low as 7×10⁻⁴") gives one line
    babar = P.get("babar-2016-zprime-mumu").to_published()
    assert len(babar) == 1 and babar[0].y == (7e-4, 7e-4)
    # no span quoted at all: nothing to draw (never an invented mass range)
    assert P.get("belle2-2025-idm-dark-higgs").to_published() == ()


def test_digitised_curves() -> None:
    dp = P.get("babar-2017-darkphoton-invisible")
    assert (dp.kind, dp.column, dp.provenance_source) == ("curve", "epsilon_ul_invisible",
                                                          "digitised")
    assert len(dp.x) > 100 and 7.99 < max(dp.x) <= 8.0
    assert 3.5e-4 < min(dp.y) < 1e-3 < max(dp.y) < 2e-3  # ε ~ 10⁻³ up to 8 GeV
    alp = P.get("belle2-2020-alp-photons")
    assert "AxionLimits" in alp.provenance_detail and alp.unit == "GeV^-1"
    # the median of the jittery curve within ±5% of a mass
    assert P.value_near("belle2-2020-alp-photons", 0.3) == pytest.approx(7.6315e-4, rel=1e-4)
    with pytest.raises(ValueError, match="range"):
        P.value_near("babar-2016-zprime-mumu", 1.0)


def test_unknown_id_suggests_close_ids() -> None:
    with pytest.raises(UnknownNameError, match="did you mean belle2-2023-zprime-invisible"):
        P.get("belle2-2023-zprime-invis")


def _copy(tmp_path: Path, record_id: str) -> tuple[Path, dict]:
    src = P.data_folder() / f"{record_id}.json"
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    return dst, json.loads(dst.read_text())


@pytest.mark.parametrize(("field", "value", "message"), [
    ("cl", 1.5, "field 'cl'"),
    ("unit", "nb", r"field '\(top level\)'.*unit of 'sigma' must be one of \['fb', 'pb'\]"),
    ("luminosity", "lots", "malformed luminosity"),
    ("values", {"mass": [9.0, 0.212], "sigma": [0.046, 0.97]}, "axis range must be increasing"),
    ("values", {"mass": [0.212, 9.0], "sigma": [0.97, -1.0]}, "lowest, highest"),
    ("values", {"mass": [0.212, 9.0]}, "values must hold"),
    ("provenance", {"source": "hearsay", "detail": "x" * 20, "url": "https://x"},
     "field 'provenance.source'"),
])
def test_damaged_file_names_file_and_field(tmp_path: Path, field: str, value: object,
                                           message: str) -> None:
    path, raw = _copy(tmp_path, "belle2-2024-zprime-mumu-sigma")
    raw[field] = value
    path.write_text(json.dumps(raw))
    with pytest.raises(InputFileError, match=message) as err:
        P.load_file(path)
    assert path.name in str(err.value)


def test_damaged_json_and_misnamed_file(tmp_path: Path) -> None:
    path, raw = _copy(tmp_path, "babar-2016-zprime-mumu")
    path.write_text(path.read_text()[:-20])
    with pytest.raises(InputFileError, match="cannot be read as JSON"):
        P.load_file(path)
    other = tmp_path / "renamed.json"
    other.write_text(json.dumps(raw))
    with pytest.raises(InputFileError, match=r"field 'id'.*renamed\.json"):
        P.load_file(other)
    # a folder of records loads by id
    assert set(P.load_folder(P.data_folder())) == set(P.load_all())


def test_every_search_overlays_records_of_its_own_columns() -> None:
    covered = set()
    for name in search_names():
        search = get_search(name)
        columns = {search.quantity.name} | {f"{i.column}_ul_{i.model}"
                                            for i in search.interpretations}
        axes = {a.name for a in search.axes}
        for r in P.for_search(name):
            assert r.column in columns and r.axis in axes, (name, r.id)
            covered.add(name)
        # the search's declaration is fed from the database, nothing else
        assert search.published == P.published_for(name)
    assert covered == set(search_names())
    from darkscan.interpret.checks import overlay_problems

    assert overlay_problems() == []


def test_quick_validation_checks_pass() -> None:
    from darkscan import registry

    results = [c.run() for c in registry.checks(quick=True, select="published_")]
    assert len(results) == 6
    assert all(r.passed for r in results), [(r.name, r.measured, r.note) for r in results]


def test_cli_list_and_show() -> None:
    runner = CliRunner()
    listed = runner.invoke(limits_app, ["list"])
    assert listed.exit_code == 0, listed.output
    for record_id in EXPECTED_IDS:
        assert record_id in listed.output
    shown = runner.invoke(limits_app, ["show", "babar-2017-darkphoton-invisible"])
    assert shown.exit_code == 0, shown.output
    assert "Hidden-Sector-Limits" in shown.output and "epsilon_ul_invisible" in shown.output
    as_json = runner.invoke(limits_app, ["show", "belle2-2023-tau-to-mu-alpha", "--json"])
    data = json.loads(as_json.output)
    assert data["y"] == [0.7e-3, 12.2e-3] and data["channel"] == "mu"


def test_cli_plot_writes_figures(tmp_path: Path) -> None:
    runner = CliRunner()
    png, pdf = tmp_path / "g.png", tmp_path / "dp.pdf"
    ok = runner.invoke(limits_app, ["plot", "belle2-2023-zprime-invisible",
                                    "belle2-2020-zprime-invisible", "-o", str(png)])
    assert ok.exit_code == 0, ok.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    ok = runner.invoke(limits_app, ["plot", "babar-2017-darkphoton-invisible", "-o", str(pdf)])
    assert ok.exit_code == 0, ok.output
    assert pdf.read_bytes()[:4] == b"%PDF"


@pytest.mark.parametrize(("args", "message"), [
    (("show", "belle2-2023-zprime-invis"), "did you mean belle2-2023-zprime-invisible"),
    (("plot", "nope", "-o", "x.png"), "unknown published limit 'nope'"),
    (("plot", "belle2-2020-alp-photons", "belle2-2024-zprime-mumu-gprime", "-o", "x.png"),
     "cannot plot belle2-2024-zprime-mumu-gprime .*gprime.* with belle2-2020-alp-photons"),
    (("plot", "belle2-2020-alp-photons", "-o", "x.svg"), "must end in .png or .pdf"),
])
def test_cli_user_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                args: tuple[str, ...], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, stderr = invoke("limits", *args)
    assert code == 2
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert re.search(message, lines[0]), lines[0]
    assert not (tmp_path / "x.png").exists()
