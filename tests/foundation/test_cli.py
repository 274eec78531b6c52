import json
import subprocess
import sys

import pytest


def darkscan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "darkscan.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_unknown_search_exits_2_with_one_line() -> None:
    r = darkscan("run", "no-such-search")
    assert r.returncode == 2
    assert "unknown search 'no-such-search'; available:" in r.stderr
    assert "zprime-invisible" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("run", "zprime-invisible", "--lumi", "-5/fb"), "luminosity must be positive"),
    (("run", "zprime-invisible", "--lumi", "5 fb"), "malformed luminosity"),
    (("run", "zprime-invisible", "--out", "/proc/forbidden"), "not writable"),
    (("xsec", "ee_nope"), "unknown process 'ee_nope'"),
    (("xsec", "ee_mumu", "--param", "bogus=1"), "unknown parameter 'bogus'"),
    (("xsec", "ee_mumu", "--param", "mass"), "malformed --param"),
    (("generate", "ee_mumu", "-n", "0", "-o", "/tmp/x.parquet"), "must be positive"),
    (("run", "zprime-invisible", "-o", "out"), "No such option: -o"),
    (("run",), "Missing argument"),
    (("run", "alp-photons"), "search 'alp-photons' is planned but not implemented yet"),
])
def test_user_errors(args: tuple[str, ...], message: str) -> None:
    r = darkscan(*args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_validate_json_keys() -> None:
    """DESIGN §5: ``validate --json`` is a list of {name, measured, reference, tolerance,
    provenance, pass}; one quick check selected (the Bayesian 90% CL limit for n = b = 0)."""
    r = darkscan("validate", "--quick", "--select", "stats_bayes_n0_b0_90cl", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [row["name"] for row in rows] == ["stats_bayes_n0_b0_90cl"]
    types = {"name": str, "measured": float, "reference": float, "tolerance": float,
             "provenance": str, "pass": bool}
    for row in rows:
        assert set(types) <= set(row)
        assert {k: type(row[k]) for k in types} == types
    assert rows[0]["pass"] is True
    assert rows[0]["measured"] == pytest.approx(2.303, abs=1e-3)  # ln 10
    assert rows[0]["provenance"]
