import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from darkscan.errors import InputFileError
from darkscan.report import (
    HepDataTable,
    build_html_report,
    plot_limit_band,
    plot_stack,
    write_hepdata,
)


def test_plots_hepdata_and_html(tmp_path: Path) -> None:
    x = np.linspace(1, 8, 5)
    band = np.array([x * f for f in (0.5, 0.7, 1.0, 1.4, 2.0)])
    p1 = plot_limit_band(tmp_path / "plots" / "a.png", x, x, band, xlabel="M", ylabel="σ",
                         lumi_label="1 fb⁻¹")
    p2 = plot_stack(tmp_path / "plots" / "b.png", np.linspace(0, 5, 6),
                    {"bkg": np.ones(5)}, signals={"s": np.ones(5)}, data=np.ones(5),
                    xlabel="x", lumi_label="1 fb⁻¹")
    assert p1.stat().st_size > 5000 and p2.stat().st_size > 5000
    write_hepdata(tmp_path / "hepdata", [HepDataTable(
        "Limits", "test", "M", "GeV", x, {"σ UL": ("pb", 2 * x)}, qualifiers={"CL": "0.9"})],
        comment="test")
    table = yaml.safe_load((tmp_path / "hepdata" / "limits.yaml").read_text())
    assert table["independent_variables"][0]["header"] == {"name": "M", "units": "GeV"}
    assert [v["value"] for v in table["dependent_variables"][0]["values"]] == list(2 * x)
    assert (tmp_path / "hepdata.tar.gz").is_file()
    # the folder and the archive pass HEPData's own validator
    from hepdata_validator.full_submission_validator import FullSubmissionValidator

    for where in ({"directory": str(tmp_path / "hepdata")},
                  {"archive": str(tmp_path / "hepdata.tar.gz")}):
        validator = FullSubmissionValidator()
        assert validator.validate(**where), validator.get_messages()
    (tmp_path / "summary.json").write_text(json.dumps({"search": "demo"}))
    html = build_html_report(tmp_path).read_text()
    assert "demo" in html and "plots/a.png" in html


def test_report_without_results_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"no summary\.json"):
        build_html_report(tmp_path)


def test_html_from_a_first_version_results_folder(tmp_path: Path) -> None:
    """A folder written before report_meta.json existed: summary.json with nested samples and
    limits, limits.csv; the page shows tables, not JSON."""
    (tmp_path / "summary.json").write_text(json.dumps({
        "search": "zprime-invisible", "title": "Z′ → invisible", "luminosity": "79.7 fb⁻¹",
        "cl": 0.9, "method": "cls", "wall_time_s": 12.5, "selection": ["n_tracks == 2"],
        "units": {"mass": "GeV", "sigma": "pb"},
        "samples": {"mumu": {"process": "ee_mumu", "n_generated": 1000, "sigma_pb": 1.148,
                             "mc_lumi_per_fb": 0.871, "selected_weighted": 3.5}},
        "limits": {"mass": [1.0, 2.0], "sigma_ul_exp": [0.01, 0.02]}}))
    cols = ["mass", "sigma_ul_obs", "sigma_ul_exp", "sigma_ul_exp_m2", "sigma_ul_exp_m1",
            "sigma_ul_exp_p1", "sigma_ul_exp_p2", "gprime_ul_vanilla_obs",
            "gprime_ul_vanilla_exp", "gprime_ul_vanilla_exp_m2", "gprime_ul_vanilla_exp_m1",
            "gprime_ul_vanilla_exp_p1", "gprime_ul_vanilla_exp_p2"]
    rows = [[1.0, 0.012, 0.01, 0.005, 0.007, 0.014, 0.02, 1e-3, 9e-4, 6e-4, 7e-4, 1.1e-3, 1.4e-3],
            [2.0, 0.025, 0.02, 0.01, 0.014, 0.028, 0.04, 2e-3, 1.8e-3, 1e-3, 1.4e-3, 2e-3, 3e-3]]
    (tmp_path / "limits.csv").write_text(
        ",".join(cols) + "\n" + "\n".join(",".join(f"{v:g}" for v in r) for r in rows) + "\n")
    text = build_html_report(tmp_path).read_text()
    body = text.split("<body>", 1)[1]
    assert "{" not in body.split("<script>")[0], "no JSON in the page"
    assert "<code>ee_mumu</code>" in body and "<li><code>n_tracks == 2</code></li>" in body
    assert "10 fb at mass = 1 GeV" in body  # best expected σ limit, in fb
    assert "<td>12</td>" in body and "<td>10</td>" in body  # σ limits converted to fb
    assert "12.5 s" in body  # wall time


def test_isolated_points_are_marked_not_lost(tmp_path: Path) -> None:
    """A fine scan broken at every point (three networks' ranges, one mass each in a quick
    run) has no two neighbours to draw a line between: such points get bars and markers."""
    from matplotlib import pyplot as plt

    from darkscan.report import plots

    y = np.array([1.0, np.nan, 2.0, 3.0, np.nan, 4.0, np.inf])
    assert plots._isolated(plots._finite(y)).tolist() == [True, False, False, False, False,
                                                           True, False]
    x = np.array([4.0, 5.0, 6.0])
    exp = np.array([[1.0, np.nan, 1.0], [2.0, np.nan, 2.0], [3.0, np.nan, 3.0],
                    [4.0, np.nan, 4.0], [5.0, np.nan, 5.0]])
    seen = []
    original = plt.Figure.savefig

    def spy(fig: plt.Figure, *args: object, **kwargs: object) -> None:
        ax = fig.axes[0]
        seen.append((len(ax.collections), [len(line.get_xdata()) for line in ax.lines]))
        original(fig, *args, **kwargs)

    plt.Figure.savefig = spy  # type: ignore[method-assign]
    try:
        plots.plot_limit_band(tmp_path / "l.png", x, np.array([2.5, np.nan, 3.5]), exp,
                              xlabel="m", ylabel="σ", lumi_label="1/fb")
    finally:
        plt.Figure.savefig = original  # type: ignore[method-assign]
    collections, lines = seen[0]
    # two band bars (vlines) beside the two empty fills; the median ticks and observed markers
    # hold the two isolated points each
    assert collections >= 4 and lines.count(2) >= 2
