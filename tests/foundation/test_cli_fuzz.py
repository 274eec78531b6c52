"""A corpus of malformed ``darkscan`` invocations (issue #24): luminosities, parameters, files,
folders, seeds, workers, options and encodings. Each must exit 2 with exactly one line on stderr
that names the input, print no traceback and nothing on stdout, start no work (generation,
simulation, a search, an executor, a report) and leave the disk as it was.

All run in one test, in process (``darkscan.cli.run_cli``), so the corpus takes seconds."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import time
import types
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from darkscan import cli, searches

#: a search registered as planned (no module yet) for the duration of a test
PLANNED = "example-planned"
BAD_BYTE = os.fsdecode(b"\xff")  # how Python hands a non-UTF-8 byte of argv to the program
LONG = "a" * 300  # a name beyond the 255 bytes a file system takes

SIM = ("simulate", "truth.parquet")
GEN = ("generate", "ee_mumu", "-n", "10")
ZP = ("run", "zprime-invisible")
XZ = ("xsec", "ee_mumu_zprime")
LIM = ("limit", "--n-obs", "3", "--bkg", "1")

#: (arguments, a piece of the one error line: the input it names or the problem it states)
CORPUS: list[tuple[tuple[str, ...], str]] = [
    # an analyst's ntuples
    ((*ZP, "--ntuples", ""), "--ntuples is empty"),
    ((*ZP, "--ntuples", "no-such-folder"), "is not a folder"),
    ((*ZP, "--ntuples", "."), "has no darkscan-ntuples.json"),
    (("ntuples", "template", "zprime-invisibel"), "unknown search"),
    (("ntuples", "export", "zprime-invisible", "nt", "--seed", "-1"), "--seed"),
    # seeds
    ((*ZP, "--seed", "-1"), "--seed"),
    (("xsec", "ee_mumu", "--seed", "-1"), "--seed"),
    ((*GEN, "-o", "out.parquet", "--seed", "-1"), "--seed"),
    ((*SIM, "-o", "reco.parquet", "--seed", "-1"), "--seed"),
    ((*ZP, "--seed", str(2**63)), "--seed"),
    ((*GEN, "-o", "out.parquet", "--seed", "99999999999999999999999"), "--seed"),
    ((*ZP, "--seed", "1.5"), "--seed"),
    (("xsec", "ee_mumu", "--seed", "abc"), "--seed"),
    ((*SIM, "-o", "reco.parquet", "--seed", ""), "--seed"),
    ((*ZP, "--seed"), "--seed"),
    # luminosities
    ((*ZP, "--lumi", "1e300/ab"), "too large"),
    ((*ZP, "--lumi", "1e400/fb"), "not a finite number"),
    ((*ZP, "--lumi", "-5/fb"), "must be positive"),
    ((*ZP, "--lumi", "0/fb"), "must be positive"),
    ((*ZP, "--lumi", "5 fb"), "malformed luminosity"),
    ((*ZP, "--lumi", "79.7"), "malformed luminosity"),
    ((*ZP, "--lumi", "79.7/mb"), "malformed luminosity"),
    ((*ZP, "--lumi", ""), "malformed luminosity"),
    ((*ZP, "--lumi", "nan/fb"), "malformed luminosity"),
    ((*ZP, "--lumi", "inf/fb"), "malformed luminosity"),
    ((*ZP, "--lumi", "1e-12/pb"), "too small"),
    ((*ZP, "--lumi", "79.7/fb/fb"), "malformed luminosity"),
    ((*ZP, "--lumi", "79,7/fb"), "malformed luminosity"),
    ((*ZP, "--lumi", "٧٩/fb"), "malformed luminosity"),
    ((*ZP, "--lumi", f"79.7/{BAD_BYTE}fb"), "malformed luminosity '79.7/\\xfffb'"),
    ((*LIM, "--lumi", "1e400/fb"), "--lumi"),
    ((*LIM, "--lumi", "abc"), "--lumi"),
    # model parameters and processes
    ((*XZ, "--param", "mass=1", "--param", "mass=2"), "--param mass given twice (1 and 2)"),
    ((*GEN[:1], "ee_mumu_zprime", *GEN[2:], "-o", "out.parquet", "--param", "mass=1",
      "--param", "mass=1"), "given twice"),
    ((*XZ, "--param", "mass"), "malformed --param 'mass'"),
    ((*XZ, "--param", "=1"), "malformed --param"),
    ((*XZ, "--param", "bogus=1"), "unknown parameter 'bogus'"),
    ((*XZ, "--param", "MASS=1"), "unknown parameter 'MASS'"),
    ((*XZ, "--param", "[/x]=1"), "unknown parameter '[/x]'"),
    ((*XZ, "--param", f"m{BAD_BYTE}ss=1"), "unknown parameter 'm\\xffss'"),
    ((*XZ, "--param", "mass=abc"), "needs a number"),
    ((*XZ, "--param", "mass=1,0"), "needs a number"),
    ((*XZ, "--param", "mass=nan"), "must be finite"),
    ((*XZ, "--param", "mass=inf"), "must be finite"),
    ((*XZ, "--param", "mass=1e400"), "must be finite"),
    ((*XZ, "--param", "mass=20"), "mass"),
    ((*XZ, "--param", "mass=-1"), "mass"),
    ((*XZ, "--param", "mass=10.5"), "√s − 2m_μ"),
    ((*XZ, "--param", "gprime=0"), "gprime"),
    (("generate", "ee_mumu_zprime", "-n", "10", "-o", "out.parquet", "--param", "gprime=-1"),
     "gprime"),
    (("xsec", "ee_mumu", "--param", "mass=1"), "does not take parameter 'mass'"),
    (("xsec", "ee_nope"), "unknown process 'ee_nope'"),
    (("xsec", ""), "unknown process ''"),
    (("xsec", BAD_BYTE), "process '\\xff' contains control or non-UTF-8 characters"),
    (("xsec", "ee_mumu\n"), "process 'ee_mumu\\n' contains control"),
    (("generate", "ee_nope", "-n", "10", "-o", "out.parquet"), "unknown process 'ee_nope'"),
    (("xsec", "ee_mumu", "--n-points", "5"), "--n-points"),
    (("xsec", "ee_mumu", "--n-points", "10000000000"), "--n-points"),
    # numbers of events
    (("generate", "ee_mumu", "-n", "0", "-o", "out.parquet"), "-n must be from 1"),
    (("generate", "ee_mumu", "-n", "-5", "-o", "out.parquet"), "-n must be from 1"),
    (("generate", "ee_mumu", "-n", "10000000000000", "-o", "out.parquet"), "-n must be from 1"),
    (("generate", "ee_mumu", "-n", "1e6", "-o", "out.parquet"), "'-n'"),
    (("generate", "ee_mumu", "-o", "out.parquet"), "'-n'"),
    # output files
    ((*GEN,), "'-o' / '--output'"),
    (("generate", "-n", "10", "-o", "out.parquet"), "Missing argument"),
    ((*GEN, "-o", "folder"), "'folder' is a folder"),
    ((*GEN, "-o", "folder.parquet"), "is a folder"),
    ((*GEN, "-o", "x.lhe"), "darkscan writes parquet"),
    ((*GEN, "-o", "x"), "darkscan writes parquet"),
    ((*GEN, "-o", "/dev/null"), "darkscan writes parquet"),
    ((*GEN, "-o", ""), "-o/--output is empty"),
    ((*GEN, "-o", "notes.txt/x.parquet"), "is a file, not a folder"),
    ((*GEN, "-o", "/proc/darkscan/x.parquet"), "not writable"),
    ((*GEN, "-o", f"{LONG}.parquet"), "longer than 255 bytes"),
    ((*GEN, "-o", f"{'a' * 220}.parquet"), "longer than 200 bytes"),
    ((*GEN, "-o", f"{BAD_BYTE}.parquet"), "not valid UTF-8"),
    ((*SIM, "-o", "truth.parquet"), "is the input file"),
    ((*SIM, "-o", "./truth.parquet"), "is the input file"),
    ((*SIM, "-o", "folder/../truth.parquet"), "is the input file"),
    ((*SIM, "-o", "link.parquet"), "is the input file"),
    ((*SIM, "-o", "reco.lhe"), "darkscan writes parquet"),
    ((*SIM, "-o", f"{BAD_BYTE}reco.parquet"), "'\\xffreco.parquet' is not valid UTF-8"),
    ((*SIM,), "'-o' / '--output'"),
    # input files
    (("simulate", "missing.parquet", "-o", "reco.parquet"), "INPUT 'missing.parquet' does not"),
    (("simulate", "folder", "-o", "reco.parquet"), "is a folder, not a file"),
    (("simulate", "notes.txt", "-o", "reco.parquet"), "is not a parquet file"),
    (("simulate", "empty.parquet", "-o", "reco.parquet"), "is not a parquet file"),
    (("simulate", "fake.parquet", "-o", "reco.parquet"), "is not a parquet file"),
    (("simulate", "/dev/null", "-o", "reco.parquet"), "not a regular file"),
    (("simulate", "", "-o", "reco.parquet"), "INPUT is empty"),
    (("simulate", f"{BAD_BYTE}.parquet", "-o", "reco.parquet"), "not valid UTF-8"),
    # output and results folders
    ((*ZP, "--out", "notes.txt"), "is a file, not a folder"),
    ((*ZP, "--out", "notes.txt/sub"), "is a file, not a folder"),
    ((*ZP, "--out", "/proc/forbidden"), "not writable"),
    ((*ZP, "--out", ""), "--out is empty"),
    ((*ZP, "--out", f"{BAD_BYTE}results"), "not valid UTF-8"),
    ((*ZP, "--out", LONG), "longer than 255 bytes"),
    (("report", "missing"), "does not exist"),
    (("report", "notes.txt"), "is a file, not a folder"),
    (("report", "res_corrupt"), "summary.json' is corrupt (JSONDecodeError)"),
    (("report", "res_empty_json"), "is corrupt"),
    (("report", "res_latin1"), "is corrupt (UnicodeDecodeError)"),
    (("report", "res_list"), "not a darkscan summary"),
    (("report", "res_none"), "holds no summary.json"),
    (("report", "res_badcsv"), "limits.csv' is corrupt"),
    (("report", ""), "DIRECTORY is empty"),
    (("report",), "Missing argument"),
    # searches
    (("run", "no-such-search"), "unknown search 'no-such-search'"),
    (("run", PLANNED), "planned but not implemented"),
    (("run", PLANNED, "--out", "planned-out"), "planned but not implemented"),
    (("run", ""), "unknown search ''"),
    (("run", "ZPRIME-INVISIBLE"), "unknown search"),
    (("run", "zprime-invisible\x1b[31m"), "search 'zprime-invisible\\x1b[31m' contains"),
    (("run", f"{BAD_BYTE}search"), "search '\\xffsearch' contains"),
    # workers and Dask
    ((*ZP, "--workers", "0"), "--workers must be at least 1"),
    ((*ZP, "--workers", "-1"), "--workers must be at least 1"),
    ((*ZP, "--workers", "100000"), "--workers 100000 is more than"),
    ((*ZP, "--workers", "two"), "'--workers'"),
    ((*GEN, "-o", "out.parquet", "--workers", "0"), "--workers"),
    ((*ZP, "--dask", "garbage"), "--dask 'garbage' is not a scheduler address"),
    ((*ZP, "--dask", ""), "--dask '' is not"),
    ((*ZP, "--dask", "tcp://scheduler"), "--dask"),
    ((*ZP, "--dask", "scheduler:99999"), "--dask"),
    ((*GEN, "-o", "out.parquet", "--dask", "local cluster"), "--dask"),
    # options and commands
    ((*ZP, "-o", "out"), "No such option: -o"),
    ((*ZP, "--bogus"), "No such option: --bogus"),
    ((*ZP, "extra"), "unexpected extra argument"),
    ((*ZP, "--quick=yes"), "--quick"),
    (("run",), "Missing argument"),
    (("frobnicate",), "No such command"),
    (("--version",), "No such option: --version"),
    (("list", "--json"), "No such option: --json"),
    (("list", "extra"), "unexpected extra argument"),
    (("validate", "--select", ""), "--select is empty"),
    (("bench", "--select", "  "), "--select is empty"),
    (("validate", "--frobnicate"), "No such option"),
    # counting limits
    (("limit", "--n-obs", "1e300", "--bkg", "1e300"), "--n-obs 1e+300 is too large"),
    (("limit", "--n-obs", "-1", "--bkg", "1"), "--n-obs must be"),
    (("limit", "--n-obs", "nan", "--bkg", "1"), "--n-obs must be"),
    (("limit", "--n-obs", "3", "--bkg", "inf"), "--bkg must be"),
    ((*LIM, "--bkg-unc", "-0.5"), "--bkg-unc must be"),
    ((*LIM, "--eff", "0"), "--eff"),
    ((*LIM, "--eff", "1.5"), "--eff"),
    ((*LIM, "--cl", "1.5"), "--cl"),
    ((*LIM, "--cl", "0"), "--cl"),
    ((*LIM, "--cl", "nan"), "--cl"),
    (("limit", "--n-obs", "three", "--bkg", "1"), "'--n-obs'"),
    (("limit", "--bkg", "1"), "'--n-obs'"),
    # projections
    ((*ZP, "--scenario", "optimistic"), "unknown projection scenario 'optimistic'"),
    ((*ZP, "--scenario", "baseline,improved"), "run takes one --scenario"),
    ((*ZP, "--scenario", ""), "--scenario is empty"),
    (("project", "zprime-invisible", "--lumi", "lots"), "--lumi"),
    (("project", "zprime-invisible", "--lumi", " , "), "--lumi is empty"),
    (("project", "no-such-search"), "unknown search 'no-such-search'"),
    (("project", "zprime-invisible", "--out", "notes.txt"), "is a file, not a folder"),
    # LHE
    ((*GEN, "-o", "out.parquet", "--lhe", "out.txt"), "must end in .lhe or .lhe.gz"),
    (("simulate", "notes.lhe", "-o", "reco.parquet"), "does not exist"),
    # recasting
    (("recast", "missing", "--to", "muonphilic", "-o", "recast-out"), "missing"),
    (("recast", "res_none", "--to", "no_model", "-o", "recast-out"), "holds no summary.json"),
]


def _guard(what: str) -> Callable[..., None]:
    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"work started: {what}")

    return started


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Inputs the corpus refers to, in the current folder; every entry point that would start
    work raises instead."""
    (tmp_path / "truth.parquet").write_bytes(b"PAR1" + bytes(16) + b"PAR1")  # passes the edge
    (tmp_path / "link.parquet").symlink_to("truth.parquet")
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "fake.parquet").write_text("not a parquet file\n")
    (tmp_path / "empty.parquet").write_bytes(b"")
    (tmp_path / "out.parquet").write_bytes(b"an older output that must survive")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.parquet").mkdir()
    for name, files in {
        "res_corrupt": {"summary.json": b"{corrupt"},
        "res_empty_json": {"summary.json": b""},
        "res_latin1": {"summary.json": b'{"title": "\xe9"}'},
        "res_list": {"summary.json": b"[1, 2]"},
        "res_none": {"limits.csv": b"mass\n1\n"},
        "res_badcsv": {"summary.json": b"{}", "limits.csv": b"\xff\xfe\x00"},
    }.items():
        (tmp_path / name).mkdir()
        for fname, content in files.items():
            (tmp_path / name / fname).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(searches.SEARCHES, PLANNED, searches.SearchInfo(PLANNED, "a planned "
                                                                          "search", None))

    real_get = searches.get

    def get(name: str) -> object:
        if name in searches.SEARCHES and searches.is_ready(name):
            raise AssertionError(f"work started: search {name}")
        return real_get(name)

    monkeypatch.setattr(searches, "get", get)
    import darkscan.generate
    import darkscan.run
    import darkscan.run.executors

    monkeypatch.setattr(darkscan.generate, "generate", _guard("generate"))
    monkeypatch.setattr(darkscan.generate, "cross_section", _guard("cross_section"))
    monkeypatch.setattr(darkscan.run, "make_executor", _guard("executor"))
    monkeypatch.setattr(darkscan.run.executors, "make_executor", _guard("executor"))
    # modules the commands import only once their inputs pass: stand-ins that refuse work
    for module, func in (("darkscan.detector", "simulate_file"),
                         ("darkscan.report.html", "build_html_report"),
                         ("darkscan.searches.runner", "run_search")):
        fake = types.ModuleType(module)
        setattr(fake, func, _guard(func))
        monkeypatch.setitem(sys.modules, module, fake)
    return tmp_path


def _snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` with the digest and mtime of its content (folders: 'dir')."""
    state: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            state[os.path.relpath(os.path.join(dirpath, d), root)] = "dir"
        for f in filenames:
            p = Path(dirpath, f)
            if p.is_symlink():
                state[str(p.relative_to(root))] = f"-> {os.readlink(p)}"
                continue
            st = p.stat()
            state[str(p.relative_to(root))] = (f"{hashlib.sha256(p.read_bytes()).hexdigest()} "
                                               f"{st.st_mtime_ns}")
    return state


def _invoke(args: Sequence[str]) -> tuple[object, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code: object = cli.run_cli(list(args))
        except BaseException as exc:  # a traceback would have been printed: record it
            code = f"raised {type(exc).__name__}: {exc}"
    return code, stdout.getvalue(), stderr.getvalue()


def test_corpus_is_large_and_covers_every_command() -> None:
    assert len(CORPUS) >= 80
    assert len({args for args, _ in CORPUS}) == len(CORPUS)  # no duplicate entry
    commands = {args[0] for args, _ in CORPUS}
    assert commands >= {"run", "xsec", "generate", "simulate", "limit", "report", "validate",
                        "bench", "list"}


def test_malformed_invocations_exit_2_with_one_line_and_change_nothing(workdir: Path) -> None:
    before = _snapshot(workdir)
    assert "out.parquet" in before and "truth.parquet" in before
    failures: list[str] = []
    t0 = time.perf_counter()
    for args, expected in CORPUS:
        code, stdout, stderr = _invoke(args)
        lines = stderr.splitlines()
        problems = []
        if code != 2:
            problems.append(f"exit {code}")
        if len(lines) != 1 or not lines[0].startswith("error: "):
            problems.append(f"{len(lines)} lines on stderr")
        if "Traceback" in stderr + stdout:
            problems.append("traceback")
        if stdout:
            problems.append(f"stdout {stdout[:80]!r}")
        if expected not in stderr:
            problems.append(f"no {expected!r} in the message")
        if not all(c.isprintable() for c in stderr.rstrip("\n")):
            problems.append("unprintable characters in the message")
        after = _snapshot(workdir)
        if after != before:
            changed = sorted(set(after.items()) ^ set(before.items()))
            problems.append(f"disk changed: {changed[:4]}")
            before = after
        if problems:
            failures.append(f"{args!r}: {'; '.join(problems)} | {stderr.strip()!r}")
    elapsed = time.perf_counter() - t0
    assert not failures, "\n".join(failures)
    assert not (workdir / "darkscan-out").exists() and not (workdir / "planned-out").exists()
    assert (workdir / "out.parquet").read_bytes() == b"an older output that must survive"
    # every entry stops at the edge: no stage ran (each would have raised above)
    assert elapsed < 120, f"the corpus took {elapsed:.0f} s"
