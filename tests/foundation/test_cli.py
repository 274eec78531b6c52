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
    r = darkscan("validate", "--quick", "--select", "no-check-has-this-name", "--json")
    assert r.returncode == 0
    assert json.loads(r.stdout) == []
