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
    assert (tmp_path / "hepdata" / "submission.tar.gz").is_file()
    (tmp_path / "summary.json").write_text(json.dumps({"search": "demo"}))
    html = build_html_report(tmp_path).read_text()
    assert "demo" in html and "plots/a.png" in html


def test_report_without_results_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"no summary\.json"):
        build_html_report(tmp_path)
