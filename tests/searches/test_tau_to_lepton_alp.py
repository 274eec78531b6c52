"""End to end: τ → ℓα on a reduced quick configuration (two channels, the branching-fraction
ratio); the pseudo-rest-frame variable against the two-body line and the Michel spectrum."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from darkscan.physics.constants import M_E, M_MU, M_TAU
from darkscan.searches import get
from darkscan.searches.runner import run_search


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("tla")
    return run_search(get("tau-to-lepton-alp"), out_dir=out, quick=True, seed=3, scale=0.25)


def test_outputs(result) -> None:  # type: ignore[no-untyped-def]
    out: Path = result.out_dir
    with (out / "limits.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["mass", "channel", "br_ratio_ul_obs"]
    assert sorted({r[1] for r in rows[1:]}) == ["e", "mu"]
    summary = json.loads((out / "summary.json").read_text())
    assert "normalisation" in json.dumps(summary)
    assert (out / "report.html").is_file()


def test_physics(result) -> None:  # type: ignore[no-untyped-def]
    t = result.to_table()
    for channel, m_lep in (("e", M_E), ("mu", M_MU)):
        sel = t["channel"] == channel
        m = t["mass"][sel]
        # the two-body line x = 1 + (m_ℓ² − m_α²)/m_τ², smeared by the frame's direction error
        line = 1 + (m_lep**2 - m**2) / M_TAU**2
        np.testing.assert_allclose(t["peak"][sel], line, atol=0.06)
        assert np.all((t["resolution"][sel] > 0.03) & (t["resolution"][sel] < 0.3))
        assert np.all((t["efficiency"][sel] > 0.2) & (t["efficiency"][sel] < 0.8))
        # B(τ → ℓα)/B(τ → ℓνν̄) limits of the published order (10⁻³–10⁻², 62.8 fb⁻¹; these
        # quick samples have 1/300 of the data's τ pairs, so wider)
        ratio = t["br_ratio_ul_exp"][sel]
        assert np.all((ratio > 3e-4) & (ratio < 0.3))
        # strongest where the line sits low on the spectrum, below its maximum (m_α = 1.4 GeV)
        assert np.argmin(ratio) == 2
