"""The command line's contract (issue #24): user errors exit 2 with one line before any work,
``validate`` exits 1 on a failed check, ``bench --quick`` runs a real set, ``--workers`` defaults
to the usable cores. Most tests call ``darkscan.cli.run_cli`` in process (fast); a few run the
installed entry point to check what a shell sees."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from darkscan import cli, registry, searches
from darkscan.errors import ParameterError
from darkscan.physics import parse_luminosity


def darkscan(*args: str | bytes) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "darkscan.cli", *args], capture_output=True,
                          text=True, timeout=300)


def invoke(*args: str) -> tuple[int, str, str]:
    """``darkscan ARGS`` in this process: (exit code, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.run_cli(list(args))
    return code, stdout.getvalue(), stderr.getvalue()


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    return lines[0]


# ------------------------------------------------------------------ through the entry point

def test_unknown_search_exits_2_with_one_line() -> None:
    r = darkscan("run", "no-such-search")
    assert r.returncode == 2
    line = one_error_line(r.stderr)
    assert "unknown search 'no-such-search'; available:" in line
    assert "zprime-invisible" in line
    assert r.stdout == ""


def test_usage_errors_are_one_line_through_the_entry_point() -> None:
    r = darkscan("run", "zprime-invisible", "--workers", "zero")
    assert r.returncode == 2
    line = one_error_line(r.stderr)  # click's three-line usage block before
    assert line.startswith("error: Invalid value for '--workers': ")
    assert line.endswith(" (see 'darkscan run --help')")


def test_non_utf8_out_path_from_argv(tmp_path: Path) -> None:
    """argv bytes that are not UTF-8 reach Python as surrogates: refused, printed escaped
    (pyarrow crashed on them after the whole run)."""
    r = subprocess.run([sys.executable, "-m", "darkscan.cli", "run", "zprime-invisible", "--out",
                        os.fsencode(tmp_path) + b"/r\xe9sultats"], capture_output=True,
                       timeout=300)
    assert r.returncode == 2
    line = r.stderr.decode()
    assert line.count("\n") == 1
    assert "r\\xe9sultats' is not valid UTF-8" in line
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ in process

@pytest.mark.parametrize(("args", "message"), [
    (("run", "zprime-invisible", "--lumi", "-5/fb"), "luminosity must be positive"),
    (("run", "zprime-invisible", "--lumi", "5 fb"), "malformed luminosity"),
    (("run", "zprime-invisible", "--lumi", "1e300/ab"),
     "--lumi: luminosity '1e300/ab' is too large: at most 10000/ab"),
    (("run", "zprime-invisible", "--lumi", "1e400/fb"),
     "--lumi: luminosity '1e400/fb' is not a finite number"),
    (("run", "zprime-invisible", "--out", "/proc/forbidden"), "not writable"),
    (("run", "zprime-invisible", "--seed", "-1"),
     "--seed must be an integer from 0 to 2**63 - 1, got -1"),
    (("xsec", "ee_mumu", "--seed", "-1"), "--seed must be an integer"),
    (("generate", "ee_mumu", "-n", "10", "-o", "x.parquet", "--seed", "-1"),
     "--seed must be an integer"),
    (("run", "zprime-invisible", "--dask", "garbage"),
     "--dask 'garbage' is not a scheduler address: write HOST:PORT, tcp://HOST:PORT or 'local'"),
    (("run", "zprime-invisible", "--workers", "0"),
     "--workers must be at least 1, got 0; omit it to use all"),
    (("xsec", "ee_nope"), "unknown process 'ee_nope'"),
    (("xsec", "ee_mumu", "--param", "bogus=1"), "unknown parameter 'bogus'"),
    (("xsec", "ee_mumu", "--param", "mass"), "malformed --param"),
    (("xsec", "ee_mumu_zprime", "--param", "mass=1", "--param", "mass=2"),
     "--param mass given twice (1 and 2); give each parameter once"),
    (("generate", "ee_mumu", "-n", "0", "-o", "x.parquet"), "-n must be from 1 to 1e+09"),
    (("generate", "ee_mumu", "-n", "10000000000000", "-o", "x.parquet"),
     "-n must be from 1 to 1e+09 events, got 10000000000000"),
    (("generate", "ee_mumu", "-n", "10", "-o", "x.lhe"),
     "-o/--output 'x.lhe': darkscan writes parquet files here (LHE: 'generate --lhe "
     "FILE.lhe'); name it x.parquet"),
    (("generate", "ee_mumu", "-n", "10", "-o", "x.parquet", "--lhe", "x.txt"),
     "--lhe 'x.txt' must end in .lhe or .lhe.gz"),
    (("generate", "ee_mumu", "-n", "10"), "Missing option '-o' / '--output'."),
    (("run", "zprime-invisible", "-o", "out"), "No such option: -o"),
    (("run",), "error: Missing argument 'search'. (see 'darkscan run --help')"),
    (("run", "example-planned"), "search 'example-planned' is planned but not implemented yet"),
    (("limit", "--n-obs", "1e300", "--bkg", "1e300"),
     "--n-obs 1e+300 is too large: at most 1e+09 events"),
    (("limit", "--n-obs", "2.5", "--bkg", "1"),
     "--n-obs is a count of observed events: a whole number, got 2.5"),
    (("limit", "--n-obs", "3", "--bkg", "1", "--method", "foo"),
     "--method must be one of cls, toys, bayes, got 'foo'"),
    (("limit", "--n-obs", "0", "--bkg", "1e9", "--method", "bayes"),
     "the bayes limit for --n-obs 0, --bkg 1e+09, --bkg-unc 0 is not finite (observed)"),
])
def test_user_errors(args: tuple[str, ...], message: str, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(searches.SEARCHES, "example-planned",
                        searches.SearchInfo("example-planned", "a planned search", None))
    code, stdout, stderr = invoke(*args)
    assert code == 2, stderr
    assert message in one_error_line(stderr)
    assert stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written, no folder created


def test_generate_output_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An existing folder as output (IsADirectoryError after generating everything before), the
    option named as it is spelled (-o, not --out), a missing input that is a folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing_dir").mkdir()
    code, _, stderr = invoke("generate", "ee_mumu", "-n", "10", "-o", "existing_dir")
    assert code == 2
    assert one_error_line(stderr) == ("error: -o/--output 'existing_dir' is a folder; give a "
                                      "file name, e.g. existing_dir/events.parquet")
    code, _, stderr = invoke("simulate", "existing_dir", "-o", "reco.parquet")
    assert code == 2
    assert "INPUT 'existing_dir' is a folder, not a file" in one_error_line(stderr)
    assert "does not exist" not in stderr
    (tmp_path / "ro.txt").write_text("")
    code, _, stderr = invoke("generate", "ee_mumu", "-n", "10", "-o", "ro.txt/x.parquet")
    assert code == 2
    line = one_error_line(stderr)
    assert "choose another path with -o/--output" in line and "--out " not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing_dir", "ro.txt"]


def test_simulate_refuses_to_overwrite_its_input(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    content = b"PAR1" + bytes(8) + b"PAR1"
    (tmp_path / "a.parquet").write_bytes(content)
    (tmp_path / "b.parquet").symlink_to("a.parquet")
    for target in ("a.parquet", "./a.parquet", str(tmp_path / "a.parquet"), "b.parquet"):
        code, _, stderr = invoke("simulate", "a.parquet", "-o", target)
        assert code == 2
        assert "is the input file; write the output to another file" in one_error_line(stderr)
    assert (tmp_path / "a.parquet").read_bytes() == content


def test_report_on_corrupt_summary(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text('{"search": "zprime-invisible", "limits": [1, 2')
    code, _, stderr = invoke("report", str(tmp_path))
    assert code == 2
    assert one_error_line(stderr) == (
        f"error: '{tmp_path}/summary.json' is corrupt (JSONDecodeError); rerun 'darkscan run "
        f"SEARCH --out {tmp_path}'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_luminosity_bounds_in_the_library() -> None:
    """physics.units: a non-finite value says so (it said 'must be positive'), and values far
    outside any collider's reach are refused before they overflow a run."""
    assert parse_luminosity("1e4/ab").per_pb == pytest.approx(1e10)
    assert parse_luminosity("1/nb").per_pb == pytest.approx(1e-3)
    for text, message in (("1e400/fb", "is not a finite number"),
                          ("1e300/ab", "is too large: at most 10000/ab"),
                          ("1.01e4/ab", "is too large"),
                          ("0.9/nb", "is too small: at least 1/nb"),
                          ("0/fb", "must be positive")):
        with pytest.raises(ParameterError, match=message):
            parse_luminosity(text)


def test_limit_answers_are_finite_and_unchanged_for_normal_counts() -> None:
    code, stdout, stderr = invoke("limit", "--n-obs", "3", "--bkg", "1.2", "--bkg-unc", "0.3",
                                  "--cl", "0.9", "--json")
    assert code == 0, stderr
    d = json.loads(stdout)
    assert d["method"] == "cls"
    assert 3.0 < d["upper_limit"] < 8.0
    assert d["expected"]["-2"] < d["expected"]["0"] < d["expected"]["+2"]
    code, stdout, _ = invoke("limit", "--n-obs", "1e9", "--bkg", "1e9", "--json")
    assert code == 0
    assert json.loads(stdout)["upper_limit"] == pytest.approx(5.2e4, rel=0.01)  # 1.645 √b


# ------------------------------------------------------------------ workers

def test_default_workers_is_the_usable_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli.CORES == len(os.sched_getaffinity(0))
    assert cli._workers(None) == cli.CORES
    assert cli._workers(1) == 1
    monkeypatch.setenv("COLUMNS", "250")  # the help table wraps at the terminal's width
    code, stdout, _ = invoke("run", "--help")
    assert code == 0
    assert "all usable cores" in stdout and f"({cli.CORES} here)" in stdout
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 7)
    assert cli.usable_cores() == 7


def test_run_passes_the_default_workers_to_the_executor(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` with no --workers builds its executor with every usable core (and only once all
    inputs passed)."""
    import darkscan.run.executors as executors
    from darkscan import searches

    seen: list[tuple[int, str | None]] = []

    class Stop(Exception):
        pass

    def fake_executor(workers: int = 1, dask: str | None = None, progress: bool = True) -> None:
        seen.append((workers, dask))
        raise Stop

    monkeypatch.setattr(searches, "get", lambda name, selection=None: object())
    monkeypatch.setattr(executors, "make_executor", fake_executor)
    with pytest.raises(Stop):
        cli.run_cli(["run", "zprime-invisible", "--out", str(tmp_path / "out")])
    with pytest.raises(Stop):
        cli.run_cli(["run", "zprime-invisible", "--out", str(tmp_path / "out"), "--workers", "1"])
    assert seen == [(cli.CORES, None), (1, None)]
    assert not (tmp_path / "out").exists()  # the runner creates it, not the checks


# ------------------------------------------------------------------ validate and bench

def _fake_registry(monkeypatch: pytest.MonkeyPatch, **checks: float) -> None:
    """A registry holding only these checks (reference 1, relative tolerance 0.1)."""
    fake = registry._Registry()
    for name, value in checks.items():
        fake.checks[name] = registry.Check(name, (lambda v=value: v), 1.0, 0.1, "test")
    fake.benchmarks["toy_rate"] = registry.Benchmark("toy_rate", lambda: (5.0, None), "1/s",
                                                     quick=True)
    monkeypatch.setattr(registry, "_REGISTRY", fake)
    monkeypatch.setattr(registry, "load_all", lambda: None)


def test_validate_exit_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_registry(monkeypatch, toy_good=1.05, toy_bad=2.0)
    code, stdout, _ = invoke("validate", "--select", "toy_good")
    assert code == 0
    assert "1 passed, 0 failed" in stdout
    code, stdout, _ = invoke("validate")
    assert code == 1  # a failed check fails the command
    assert "1 passed, 1 failed" in stdout
    code, stdout, _ = invoke("validate", "--json")
    assert code == 1
    assert {r["name"]: r["pass"] for r in json.loads(stdout)} == {"toy_good": True,
                                                                  "toy_bad": False}
    code, _, _ = invoke("validate", "--report-only")
    assert code == 0


def test_validate_prints_whole_check_names_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped output (CI logs) is 80 columns to rich: the check names, as long as the real ones
    (~60 characters), stay whole and on one line."""
    name = "zprime_invisible_mumu_gamma_not_dominant_windows_below_7GeV"
    _fake_registry(monkeypatch, **{name: 1.0})
    code, stdout, _ = invoke("validate")
    assert code == 0 and name in stdout


def test_validate_workers_reach_the_searches_the_checks_run(monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """``validate --workers N`` runs the checks' searches on N local processes; a bad N is a
    user error."""
    from darkscan.run.executors import ProcessExecutor, SerialExecutor
    from darkscan.searches import checks as search_checks
    from darkscan.searches import runner

    seen: list[object] = []

    def fake_run(search: object, out_dir: Path, executor: object, **kwargs: object) -> str:
        seen.append(executor)
        return "result"

    monkeypatch.setattr(runner, "run_search", fake_run)
    monkeypatch.setenv("DARKSCAN_VALIDATE_WORKERS", "1")
    _fake_registry(monkeypatch, toy_good=1.0)
    code, _, _ = invoke("validate", "--workers", "2")
    assert code == 0 and os.environ["DARKSCAN_VALIDATE_WORKERS"] == "2"
    assert search_checks._run(object(), Path("unused")) == "result"
    monkeypatch.setenv("DARKSCAN_VALIDATE_WORKERS", "1")
    search_checks._run(object(), Path("unused"))
    assert [type(e) for e in seen] == [ProcessExecutor, SerialExecutor]
    code, _, stderr = invoke("validate", "--workers", "0")
    assert code == 2 and "--workers must be at least 1" in one_error_line(stderr)


def test_select_matching_nothing_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_registry(monkeypatch, toy_good=1.0)
    code, stdout, stderr = invoke("validate", "--select", "nomatch")
    assert code == 2 and stdout == ""
    assert one_error_line(stderr) == ("error: --select 'nomatch' matches no check; names start "
                                      "with: toy")
    code, _, stderr = invoke("bench", "--select", "nomatch")
    assert code == 2
    assert "--select 'nomatch' matches no benchmark" in one_error_line(stderr)
    code, _, stderr = invoke("validate", "--quick", "--select", "toy_good")  # not a quick one
    assert code == 2
    assert "matches no quick check" in one_error_line(stderr)


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


def test_bench_quick_is_a_real_set() -> None:
    """`bench --quick` was empty; it now holds the benchmarks that take seconds."""
    quick = {b.name for b in registry.benchmarks(quick=True)}
    assert quick == {"me_2to2", "me_2to3", "me_2to4", "stats_counting_limits",
                     "stats_9000_windows_seconds"}
    assert quick < {b.name for b in registry.benchmarks()}
    code, stdout, stderr = invoke("bench", "--quick", "--select", "me_2to3", "--json")
    assert code == 0, stderr
    rows = json.loads(stdout)
    assert [r["name"] for r in rows] == ["me_2to3"]
    assert rows[0]["ours"] > 1e3  # |M|² evaluations per second (~5e5 here)
    assert rows[0]["note"] == ""


def test_json_commands_send_native_stdout_to_stderr(capfd) -> None:  # type: ignore[no-untyped-def]
    """What compiled code writes to file descriptor 1 (Minuit2's C++ warnings) goes to stderr
    while a --json command works, and stdout is restored after."""
    import os

    from darkscan.cli import _native_output_to_stderr

    with _native_output_to_stderr():
        os.write(1, b"Initial matrix not pos.def.\n")
    os.write(1, b"[]\n")
    captured = capfd.readouterr()
    assert captured.out == "[]\n"
    assert "Initial matrix not pos.def." in captured.err
