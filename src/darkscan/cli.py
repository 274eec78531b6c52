"""The ``darkscan`` command line (DESIGN §5). It only parses, validates its inputs, calls the
public API and prints; it holds no physics.

Every input is checked here, at the edge, before any work starts (nothing is generated,
simulated or written until all inputs pass). A user error exits with code 2 and one line on
stderr naming the input and the fix; click's usage errors (unknown option, missing argument,
a value of the wrong type) are shortened to one line too. ``validate`` exits 1 when a check fails.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Column, Table

from darkscan import __version__
from darkscan.errors import (
    DarkscanError,
    InputFileError,
    NotAvailableError,
    OutputPathError,
    ParameterError,
)
from darkscan.models.params import PARAMETERS

if TYPE_CHECKING:
    from darkscan.physics import Luminosity

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Belle II dark-sector searches end to end on simulated data.")
out = Console()
err = Console(stderr=True)
#: the validation table's least width: its check names and numbers on one line each
VALIDATE_WIDTH = 160

STABLE_PARAMS = tuple(PARAMETERS)

#: seeds feed numpy's SeedSequence (no negatives) and int64 metadata
MAX_SEED = 2**63 - 1
#: one `generate` call holds its events in memory (~0.5 kB each): 10⁹ is ~500 GB already
MAX_EVENTS = 1_000_000_000
#: VEGAS points of one `xsec` call; more only costs memory for no useful precision
MAX_XSEC_POINTS = 100_000_000
#: counts in `limit`: beyond ~10⁹ events the limit calculations lose precision or overflow
MAX_COUNT = 1.0e9
#: more local workers than this per core only oversubscribes the machine
MAX_WORKERS_PER_CORE = 4
#: an output file's name leaves room for the atomic write's '.NAME.XXXXXXXX.tmp' (255 bytes)
MAX_OUTPUT_NAME_BYTES = 200
MAX_NAME_BYTES = 255


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. a batch slot), else all cores."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


CORES = usable_cores()
WORKERS_HELP = (f"local worker processes; default: all usable cores ({CORES} here), at most "
                f"{MAX_WORKERS_PER_CORE} per core")
SEED_HELP = "random seed, an integer from 0 to 2**63 - 1"
DASK_HELP = "Dask scheduler address (HOST:PORT, tcp://HOST:PORT) or 'local'"
SCENARIO_HELP = ("projection assumptions above the analysis luminosity: baseline (systematics "
                 "fixed), improved (systematics ∝ 1/√L), stat-only, fixed-mc (the simulation "
                 "does not grow)")


# ---------------------------------------------------------------------------- input checks

def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 in argv (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


def _show(value: object) -> str:
    """A user input as printable one-line text: control characters and bytes that are not
    UTF-8 are escaped (printing them raw breaks the one-line message, or the printing)."""
    text = os.fsdecode(value) if isinstance(value, bytes) else str(value)
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def parse_params(items: list[str] | None) -> dict[str, float]:
    """``["mass=1.0", "gprime=1e-3"]`` → dict; names must be DESIGN §5's stable names, each
    given once."""
    params: dict[str, float] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(f"malformed --param '{_show(item)}': write NAME=VALUE, "
                                 "e.g. mass=1.0")
        if key not in STABLE_PARAMS:
            raise ParameterError(f"unknown parameter '{_show(key)}'; known: "
                                 f"{', '.join(STABLE_PARAMS)}")
        if key in params:  # keeping the last would hide a typo in a long command line
            raise ParameterError(f"--param {key} given twice ({params[key]:g} and "
                                 f"{_show(value.strip())}); give each parameter once")
        try:
            params[key] = float(value)
        except ValueError:
            raise ParameterError(f"parameter '{key}' needs a number, got "
                                 f"'{_show(value)}'") from None
        if not math.isfinite(params[key]):
            raise ParameterError(f"parameter '{key}' must be finite, got '{_show(value)}'")
    return params


def _name(text: str, what: str) -> str:
    """A search or process name: printable, so that the message naming it stays one line."""
    if not text.isprintable():
        raise ParameterError(f"{what} '{_show(text)}' contains control or non-UTF-8 characters; "
                             "'darkscan list' shows the names")
    return text


def _process_params(process: str, params: dict[str, float]) -> None:
    """The process exists, takes these parameters, and they are in its range (including the
    process's own limits, e.g. a mass it can produce at √s)."""
    from darkscan.generate import get_process, resolve_params

    _name(process, "process")
    proc = get_process(process)
    resolved = resolve_params(proc, params)
    own_checks = getattr(proc, "validate", None)  # the e⁺e⁻ engine's; not every process has one
    if callable(own_checks):
        own_checks(resolved)


def _seed(seed: int) -> int:
    if not 0 <= seed <= MAX_SEED:
        raise ParameterError(f"--seed must be an integer from 0 to 2**63 - 1, got {seed}")
    return seed


def _workers(workers: int | None) -> int:
    if workers is None:
        return CORES
    if workers < 1:
        raise ParameterError(f"--workers must be at least 1, got {workers}; omit it to use all "
                             f"{CORES} usable cores")
    top = MAX_WORKERS_PER_CORE * CORES
    if workers > top:
        raise ParameterError(f"--workers {workers} is more than {MAX_WORKERS_PER_CORE} per usable "
                             f"core ({CORES} cores); use at most {top}")
    return workers


_DASK_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$")


def _dask(address: str | None) -> str | None:
    if address is None:
        return None
    if address != "local":
        m = _DASK_ADDRESS.match(address)
        if m is None or not 0 < int(m.group(1)) < 65536:
            raise ParameterError(f"--dask '{_show(address)}' is not a scheduler address: write "
                                 "HOST:PORT, tcp://HOST:PORT or 'local'")
    if importlib.util.find_spec("distributed") is None:
        raise NotAvailableError("--dask needs dask[distributed]: pip install 'darkscan[dask]'")
    return address


def _ready_search(name: str) -> None:
    """An existing search with a module (a planned one's message says what it waits for)."""
    from darkscan import searches

    _name(name, "search")
    if name not in searches.SEARCHES or not searches.is_ready(name):
        searches.get(name)  # raises the unknown or planned-only message: exit 2


def _scenarios(text: str) -> list[Any]:
    """Projection scenarios by name, comma-separated (``interpret.projection.SCENARIOS``)."""
    from darkscan.interpret.projection import scenario

    names = [x.strip() for x in text.split(",") if x.strip()]
    if not names:
        raise ParameterError("--scenario is empty; give one of baseline, improved, stat-only, "
                             "fixed-mc")
    return [scenario(n) for n in dict.fromkeys(names)]


def _lumi(text: str, option: str = "--lumi") -> Luminosity:
    from darkscan.physics import parse_luminosity

    try:
        return parse_luminosity(text)
    except ParameterError as exc:
        raise ParameterError(f"{option}: {_show(exc)}") from None


def _path(text: str, option: str) -> Path:
    """A path the filesystem and parquet can take: not empty (an unset shell variable would
    otherwise mean the current folder), UTF-8, names of at most 255 bytes."""
    if not text.strip():
        raise ParameterError(f"{option} is empty; give a path")
    if "\x00" in text:
        raise ParameterError(f"{option} '{_show(text)}' contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParameterError(f"{option} '{_show(text)}' is not valid UTF-8 (parquet and the "
                             "report need UTF-8 names); choose a name in UTF-8") from None
    path = Path(text)
    for part in path.parts:
        if len(part.encode()) > MAX_NAME_BYTES:
            raise ParameterError(f"{option}: the name '{_show(part[:40])}…' is longer than "
                                 f"{MAX_NAME_BYTES} bytes; shorten it")
    return path


def _stat(path: Path, option: str) -> os.stat_result | None:
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ParameterError(f"{option} '{_show(path)}' cannot be used ({exc.strerror})") from None


def _writable_folder(folder: Path, option: str) -> None:
    """``folder`` exists or can be created, and files can be written in it. Checked without
    creating anything: a probe file in the nearest existing folder, removed at once."""
    base = folder.absolute()
    while _stat(base, option) is None and base.parent != base:
        base = base.parent
    if not base.is_dir():
        raise OutputPathError(f"{option} '{_show(folder)}': '{_show(base)}' is a file, not a "
                              f"folder; choose another path with {option}")
    try:
        fd, probe = tempfile.mkstemp(prefix=".darkscan-write-test-", dir=base)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputPathError(f"{option} '{_show(folder)}' is not writable ({exc.strerror}); "
                              f"choose another path with {option}") from None


def _output_folder(text: str, option: str) -> Path:
    path = _path(text, option)
    _writable_folder(path, option)
    return path


def _output_file(text: str, option: str, *, input_path: Path | None = None) -> Path:
    """A parquet file to write (atomically, replacing an older file of that name)."""
    path = _path(text, option)
    st = _stat(path, option)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputPathError(f"{option} '{_show(path)}' is a folder; give a file name, e.g. "
                              f"{_show(path / 'events.parquet')}")
    if path.suffix.lower() != ".parquet":
        raise OutputPathError(f"{option} '{_show(path)}': darkscan writes parquet files here "
                              f"(LHE: 'generate --lhe FILE.lhe'); name it "
                              f"{_show(path.with_suffix('.parquet').name)}")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputPathError(f"{option} '{_show(path)}' exists and is not a regular file; "
                              "choose another name")
    if len(path.name.encode()) > MAX_OUTPUT_NAME_BYTES:
        raise OutputPathError(f"{option}: the file name is longer than {MAX_OUTPUT_NAME_BYTES} "
                              "bytes; shorten it")
    if st is not None and input_path is not None and os.path.samefile(path, input_path):
        raise OutputPathError(f"{option} '{_show(path)}' is the input file; write the output "
                              "to another file")
    _writable_folder(path.parent, option)
    return path


def _input_file(text: str, option: str, *, lhe: bool = False) -> Path:
    """An existing, readable parquet file (or, with ``lhe``, a plain or gzipped LHE file)."""
    path = _path(text, option)
    st = _stat(path, option)
    hint = ("give a Les Houches Event file (*.lhe, *.lhe.gz)" if lhe
            else "give a parquet file written by 'darkscan generate' (or an LHE file)")
    if st is None:
        raise InputFileError(f"{option} '{_show(path)}' does not exist; {hint}")
    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(f"{option} '{_show(path)}' is a folder, not a file; {hint}")
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"{option} '{_show(path)}' is not a regular file; {hint}")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise InputFileError(f"{option} '{_show(path)}' cannot be read ({exc.strerror})") from None
    if lhe:  # gzip's magic, or XML text opening the file
        if not (magic[:2] == b"\x1f\x8b" or magic.lstrip()[:1] == b"<"):
            raise InputFileError(f"{option} '{_show(path)}' is not an LHE file; {hint}")
        return path
    if magic != b"PAR1":  # every parquet file starts with these 4 bytes
        raise InputFileError(f"{option} '{_show(path)}' is not a parquet file; {hint}")
    return path


def _lhe_output(text: str, parquet: Path) -> Path:
    """The --lhe path: a writable *.lhe or *.lhe.gz file, not the parquet output itself."""
    if not text.endswith((".lhe", ".lhe.gz")):
        raise ParameterError(f"--lhe '{_show(text)}' must end in .lhe or .lhe.gz")
    path = _path(text, "--lhe")
    if path.resolve() == parquet.resolve():
        raise ParameterError("--lhe must differ from -o/--output")
    st = _stat(path, "--lhe")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputPathError(f"--lhe '{_show(path)}' exists and is not a regular file; choose "
                              "another name")
    _writable_folder(path.parent, "--lhe")
    return path


def _results_folder(text: str, option: str) -> Path:
    """A folder written by ``darkscan run``, its JSON and CSV files readable."""
    path = _path(text, option)
    st = _stat(path, option)
    rerun = f"rerun 'darkscan run SEARCH --out {_show(path)}'"
    if st is None:
        raise InputFileError(f"{option} '{_show(path)}' does not exist; give the --out folder of "
                             "a 'darkscan run'")
    if not stat.S_ISDIR(st.st_mode):
        raise InputFileError(f"{option} '{_show(path)}' is a file, not a folder; give the --out "
                             "folder of a 'darkscan run'")
    found = False
    for name in ("summary.json", "report_meta.json"):
        f = path / name
        if not f.is_file():
            continue
        found = True
        try:
            data = json.loads(f.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else type(exc).__name__
            raise InputFileError(f"'{_show(f)}' is corrupt ({reason}); {rerun}") from None
        if not isinstance(data, dict):
            raise InputFileError(f"'{_show(f)}' is not a darkscan summary (a JSON object); "
                                 f"{rerun}")
    if not found:
        raise InputFileError(f"'{_show(path)}' holds no summary.json; run 'darkscan run SEARCH "
                             f"--out {_show(path)}' first")
    for name in ("limits.csv", "signal.csv"):
        f = path / name
        if f.is_file():
            try:
                f.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                raise InputFileError(f"'{_show(f)}' is corrupt (not UTF-8 text); {rerun}") from None
    _writable_folder(path, option)  # report.html and the plots go there
    return path


def _count(value: float, option: str) -> float:
    if not math.isfinite(value) or value < 0:
        raise ParameterError(f"{option} must be a finite number ≥ 0, got {value:g}")
    if value > MAX_COUNT:
        raise ParameterError(f"{option} {value:g} is too large: at most {MAX_COUNT:g} events "
                             "(the limit calculations lose precision beyond)")
    return value


def _select_text(select: str | None) -> None:
    if select is not None and not select.strip():  # an empty filter would select everything
        raise ParameterError("--select is empty; give part of a name, or leave it out")


def _no_match(select: str | None, names: list[str], selected: list[Any], kind: str,
              quick: bool) -> None:
    if select is not None and not selected:
        prefixes = sorted({n.split("_")[0] for n in names})
        raise ParameterError(f"--select '{_show(select)}' matches no {'quick ' if quick else ''}"
                             f"{kind}; names start with: {', '.join(prefixes)}")


def _dump(obj: Any) -> None:
    out.print_json(json.dumps(obj, default=float))


@contextmanager
def _native_output_to_stderr(active: bool = True) -> Iterator[None]:
    """While ``active``, send what compiled code writes to the process's stdout (Minuit2's
    C++ warnings, "Initial matrix not pos.def.") to stderr, so that a ``--json`` command's
    stdout is its JSON alone."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


# ---------------------------------------------------------------------------- commands

@app.command("list")
def list_cmd() -> None:
    """List searches, processes and experiment presets."""
    from darkscan.generate import process_names
    from darkscan.physics import EXPERIMENTS
    from darkscan.searches import SEARCHES, is_ready

    table = Table("search", "status", "summary", title="searches")
    for s in SEARCHES.values():
        table.add_row(s.name, "ready" if is_ready(s.name) else "planned", s.summary)
    out.print(table)
    out.print("[bold]processes:[/] " + ", ".join(process_names()))
    out.print("[bold]experiments:[/] " + ", ".join(EXPERIMENTS))
    out.print("[bold]model parameters:[/] " + ", ".join(STABLE_PARAMS))


@app.command()
def xsec(process: str,
         param: Annotated[list[str] | None, typer.Option("--param", help="NAME=VALUE")] = None,
         no_isr: Annotated[bool, typer.Option("--no-isr", help="Born level")] = False,
         n_points: Annotated[int, typer.Option(
             "--n-points", help=f"integration points, 1000 to {MAX_XSEC_POINTS:.0e}")] = 200_000,
         seed: Annotated[int, typer.Option(help=SEED_HELP)] = 1,
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Cross section ± MC error in pb."""
    from darkscan.generate import cross_section

    params = parse_params(param)
    _process_params(process, params)
    if not 1000 <= n_points <= MAX_XSEC_POINTS:
        raise ParameterError(f"--n-points must be from 1000 to {MAX_XSEC_POINTS:.0e}, "
                             f"got {n_points}")
    _seed(seed)

    res = cross_section(process, isr=not no_isr, n_points=n_points, seed=seed, **params)
    if as_json:
        _dump(res.to_dict())
    else:
        out.print(f"σ({res.process}) = {res.sigma_pb:.6g} ± {res.error_pb:.2g} pb  "
                  f"[{'ISR' if res.isr else 'Born'}; filter: {res.filter or 'none'}]")
        if res.note:
            out.print(res.note)


@app.command()
def generate(process: str,
             n: Annotated[int, typer.Option("-n", help=f"number of events, 1 to {MAX_EVENTS:.0e}")],
             output: Annotated[str, typer.Option("-o", "--output", metavar="FILE",
                                                 help="parquet file to write (*.parquet)")],
             param: Annotated[list[str] | None, typer.Option("--param", help="NAME=VALUE")] = None,
             seed: Annotated[int, typer.Option(help=SEED_HELP)] = 1,
             no_isr: Annotated[bool, typer.Option("--no-isr")] = False,
             workers: Annotated[int | None, typer.Option(help=WORKERS_HELP,
                                                         show_default=False)] = None,
             dask: Annotated[str | None, typer.Option(help=DASK_HELP)] = None,
             lhe: Annotated[str | None, typer.Option(
                 "--lhe", metavar="FILE", help="also write Les Houches Events (*.lhe, *.lhe.gz)")
             ] = None,
             ) -> None:
    """Generate truth events to a parquet file (and an LHE file with --lhe)."""
    from darkscan import generate as gen
    from darkscan.events import write_sample
    from darkscan.run import make_executor

    params = parse_params(param)
    _process_params(process, params)
    if not 1 <= n <= MAX_EVENTS:
        raise ParameterError(f"-n must be from 1 to {MAX_EVENTS:.0e} events, got {n}; for more, "
                             "generate several files with different --seed")
    _seed(seed)
    path = _output_file(output, "-o/--output")
    lhe_path = _lhe_output(lhe, path) if lhe is not None else None
    n_workers = _workers(workers)
    address = _dask(dask)

    ex = make_executor(n_workers, address)
    try:
        sample = gen.generate(process, n, seed=seed, isr=not no_isr, executor=ex, **params)
    finally:
        ex.close()
    write_sample(sample, path)
    out.print(f"wrote {len(sample)} {process} events to {path} "
              f"(σ = {sample.meta.sigma_pb:.5g} pb, filter: {sample.meta.filter or 'none'})")
    if lhe_path is not None:
        from darkscan.generate.lhe import write_lhe

        out.print(f"wrote {write_lhe(sample, lhe_path)}")


@app.command()
def simulate(input: Annotated[str, typer.Argument(metavar="INPUT",
                                                  help="truth parquet from darkscan generate, "
                                                       "or an LHE file")],
             output: Annotated[str, typer.Option("-o", "--output", metavar="FILE",
                                                 help="parquet ntuple to write (*.parquet)")],
             seed: Annotated[int, typer.Option(help=SEED_HELP)] = 1) -> None:
    """Fast Belle II simulation and reconstruction of a truth sample (parquet from darkscan
    generate, or Les Houches Events from any generator: *.lhe, *.lhe.gz)."""
    is_lhe = input.endswith((".lhe", ".lhe.gz"))
    src = _input_file(input, "INPUT", lhe=is_lhe)
    dst = _output_file(output, "-o/--output", input_path=src)
    _seed(seed)

    from darkscan.detector import simulate_file

    if is_lhe:
        from darkscan.generate.lhe import read_lhe

        simulate_file(read_lhe(src), dst, seed=seed)
    else:
        simulate_file(src, dst, seed=seed)
    out.print(f"wrote {dst}")


@app.command()
def run(search: str,
        lumi: Annotated[str | None, typer.Option(
            help="integrated luminosity, e.g. 79.7/fb (default: the search's)")] = None,
        out_dir: Annotated[str, typer.Option("--out", metavar="DIR",
                                             help="output folder")] = "darkscan-out",
        workers: Annotated[int | None, typer.Option(help=WORKERS_HELP,
                                                    show_default=False)] = None,
        dask: Annotated[str | None, typer.Option(help=DASK_HELP)] = None,
        quick: bool = False,
        seed: Annotated[int, typer.Option(help=SEED_HELP)] = 1,
        scenario: Annotated[str, typer.Option(help=SCENARIO_HELP)] = "baseline",
        ntuples: Annotated[str | None, typer.Option(
            "--ntuples", metavar="DIR",
            help="your own basf2 ntuples (ROOT or parquet) and their darkscan-ntuples.json "
                 "replace the simulation: observed limits from the data, at its luminosity, "
                 "for the grid points with a signal ntuple ('darkscan ntuples template "
                 "SEARCH' writes the manifest)")] = None,
        selection: Annotated[str | None, typer.Option(
            help="which of the search's selections, e.g. cuts or punzinet for "
                 "zprime-invisible (default: the search's)")] = None) -> None:
    """Run a search end to end and write limits, plots, HEPData and a summary."""
    from darkscan import searches

    _ready_search(search)
    lum = _lumi(lumi) if lumi is not None else None
    chosen, *more = _scenarios(scenario)
    if more:
        raise ParameterError("run takes one --scenario; 'darkscan project' compares several")
    _seed(seed)
    n_workers = _workers(workers)
    address = _dask(dask)
    path = _output_folder(out_dir, "--out")
    folder = _path(ntuples, "--ntuples") if ntuples is not None else None
    if folder is not None:  # the manifest's schema now; its files once the search is known
        from darkscan.searches.ntuples_manifest import read_manifest

        read_manifest(folder)

    # importing a search costs seconds (its stages compile), so it waits for valid inputs
    declared = searches.get(search, selection)
    from darkscan.run.executors import make_executor
    from darkscan.searches.runner import run_search

    analyst = None
    if folder is not None:  # every file read and checked before any work
        from darkscan.searches.ntuples import load_ntuples

        analyst = load_ntuples(folder, declared)
        if lum is not None:
            analyst.check_luminosity(lum)
        if analyst.note:
            out.print(f"note (the ntuples' manifest): {analyst.note}", soft_wrap=True,
                      markup=False)
    ex = make_executor(n_workers, address)
    try:
        result = run_search(declared, out_dir=path, lumi=lum, quick=quick, seed=seed,
                            executor=ex, console=out, scenario=chosen, ntuples=analyst)
    finally:
        ex.close()
    out.print(result.summary_text(), markup=False, highlight=False)


@app.command()
def project(search: str,
            lumi: Annotated[str, typer.Option(
                help="luminosities, comma-separated, e.g. 1/ab,10/ab,50/ab")] = "1/ab,10/ab,50/ab",
            scenario: Annotated[str, typer.Option(
                help=f"{SCENARIO_HELP}; several comma-separated")] = "baseline",
            out_dir: Annotated[str, typer.Option("--out", metavar="DIR",
                                                 help="output folder")] = "darkscan-reach",
            workers: Annotated[int | None, typer.Option(help=WORKERS_HELP,
                                                        show_default=False)] = None,
            dask: Annotated[str | None, typer.Option(help=DASK_HELP)] = None,
            quick: bool = False,
            seed: Annotated[int, typer.Option(help=SEED_HELP)] = 1) -> None:
    """A search's expected reach at several luminosities from one simulation (cached), with
    the projection assumptions named and the published limits overlaid."""
    from darkscan import searches

    _ready_search(search)
    lums = [_lumi(x.strip()) for x in lumi.split(",") if x.strip()]
    if not lums:
        raise ParameterError("--lumi is empty; give luminosities such as 1/ab,10/ab,50/ab")
    chosen = _scenarios(scenario)
    _seed(seed)
    n_workers = _workers(workers)
    address = _dask(dask)
    path = _output_folder(out_dir, "--out")

    declared = searches.get(search)
    from darkscan.run.executors import make_executor
    from darkscan.searches.reach import PROJECTION_CSV, project_search

    ex = make_executor(n_workers, address)
    try:
        result = project_search(declared, lums, chosen, out_dir=path, quick=quick, seed=seed,
                                executor=ex, console=out)
    finally:
        ex.close()
    unit = {"sigma": "σ × B, pb"}.get(declared.quantity.name, declared.quantity.name)
    table = Table("luminosity", "scenario", f"best expected limit ({unit})",
                  title=declared.title)
    for run in result.runs:
        finite = [float(v) for v in run.result.limits.expected[2] if math.isfinite(v)]
        table.add_row(str(run.lumi), run.scenario.name,
                      f"{min(finite):.3g}" if finite else "no sensitivity")
    out.print(table)
    out.print(f"wrote {path / PROJECTION_CSV} and plots/reach_*.png")


@app.command()
def limit(n_obs: Annotated[float, typer.Option("--n-obs", help="observed events")],
          bkg: Annotated[float, typer.Option("--bkg", help="expected background events")],
          bkg_unc: Annotated[float, typer.Option("--bkg-unc", help="absolute, events")] = 0.0,
          eff: Annotated[float, typer.Option(help="signal efficiency in (0, 1]")] = 1.0,
          lumi: Annotated[str | None, typer.Option(help="e.g. 79.7/fb: limit on σ in pb")] = None,
          cl: Annotated[float, typer.Option(help="confidence level in (0, 1)")] = 0.9,
          method: Annotated[str, typer.Option(help="cls, toys or bayes")] = "cls",
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Upper limit on a signal in a counting experiment."""
    for value, option in ((n_obs, "--n-obs"), (bkg, "--bkg"), (bkg_unc, "--bkg-unc")):
        _count(value, option)
    if n_obs != math.floor(n_obs):
        raise ParameterError(f"--n-obs is a count of observed events: a whole number, got "
                             f"{n_obs:g} (the limits expected from --bkg alone are printed "
                             "beside the observed one)")
    if not 0.0 < eff <= 1.0:  # also false for nan
        raise ParameterError(f"--eff must be in (0, 1], got {eff:g}")
    if not 0.0 < cl < 1.0:
        raise ParameterError(f"--cl must lie strictly between 0 and 1 (e.g. 0.9), got {cl:g}")
    lum = _lumi(lumi).per_pb if lumi is not None else None
    from darkscan.stats import METHODS, upper_limits  # seconds to import: after the cheap checks

    if method not in METHODS:
        raise ParameterError(f"--method must be one of {', '.join(METHODS)}, got "
                             f"'{_show(method)}'")
    res = upper_limits(n_obs, bkg, bkg_unc=bkg_unc, eff=eff, cl=cl, method=method, lumi=lum)
    d = res.to_dict()
    e = d["expected"]
    values = {"observed": d["upper_limit"], **{f"expected {k}σ": v for k, v in e.items()}}
    bad = [k for k, v in values.items() if not math.isfinite(v)]
    if bad:  # a number scripts would read as a limit must not be nan or inf
        raise ParameterError(f"the {method} limit for --n-obs {n_obs:g}, --bkg {bkg:g}, "
                             f"--bkg-unc {bkg_unc:g} is not finite ({', '.join(bad)}); check the "
                             "counts or try another --method")
    if as_json:
        _dump(d)
    else:
        unit = " pb" if lum else (" events" if eff == 1.0 else "")
        out.print(f"{method} {cl:.0%} CL upper limit: {d['upper_limit']:.4g}{unit}  "
                  f"(expected {e['0']:.4g}, ±1σ [{e['-1']:.4g}, {e['+1']:.4g}], "
                  f"±2σ [{e['-2']:.4g}, {e['+2']:.4g}])")


@app.command()
def report(directory: Annotated[str, typer.Argument(metavar="DIRECTORY",
                                                    help="the --out folder of a run")]) -> None:
    """Build the HTML report of a results folder."""
    folder = _results_folder(directory, "DIRECTORY")
    from darkscan.report.html import build_html_report

    path = build_html_report(folder)
    out.print(f"wrote {path}")


@app.command()
def validate(quick: bool = False,
             select: Annotated[str | None, typer.Option(help="only checks containing this")] = None,
             as_json: Annotated[bool, typer.Option("--json")] = False,
             report_only: Annotated[bool, typer.Option(
                 "--report-only", help="exit 0 even when a check fails")] = False,
             workers: Annotated[int | None, typer.Option(
                 help="local processes for the searches the checks run (default: all usable "
                      "cores; the results do not depend on it)")] = None) -> None:
    """Physics validation: measured vs reference, tolerance, provenance, PASS/FAIL.
    Exits 1 when a check fails (unless --report-only)."""
    _select_text(select)
    os.environ["DARKSCAN_VALIDATE_WORKERS"] = str(_workers(workers))
    from darkscan.registry import checks

    todo = checks(quick=quick, select=select)
    _no_match(select, [c.name for c in checks()], todo, "check", quick)
    with _native_output_to_stderr(as_json):
        results = [c.run() for c in _with_progress(todo, "validating")]
    n_pass = sum(r.passed for r in results)
    if as_json:
        _dump([r.to_dict() for r in results])
    else:
        table = Table(Column("check", no_wrap=True), "measured", "reference", "tolerance",
                      "result", "provenance / note",
                      title=f"darkscan {__version__} validation", show_lines=False)
        for r in results:
            tol = {"relative": f"±{r.tolerance:.3g} rel", "absolute": f"±{r.tolerance:.3g}",
                   "factor": f"×{r.tolerance:.3g}", "max": "≤ ref"}[r.kind]
            table.add_row(r.name, f"{r.measured:.5g}", f"{r.reference:.5g}", tol,
                          "[green]PASS[/]" if r.passed else "[red]FAIL[/]",
                          r.provenance + (f" — {r.note}" if r.note else ""))
        # the check names are not cut in a pipe or a narrow terminal (CI logs read them)
        Console(width=max(out.width, VALIDATE_WIDTH)).print(table)
        out.print(f"{n_pass} passed, {len(results) - n_pass} failed")
    if n_pass < len(results) and not report_only:
        raise typer.Exit(1)  # scripts and CI read the exit code, not the table


@app.command()
def bench(quick: Annotated[bool, typer.Option(help="only the fast benchmarks (seconds)")] = False,
          select: Annotated[str | None, typer.Option(help="only names containing this")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Performance figures as ratios to peers measured in the same run."""
    _select_text(select)
    from darkscan.registry import benchmarks

    todo = benchmarks(quick=quick, select=select)
    _no_match(select, [b.name for b in benchmarks()], todo, "benchmark", quick)
    with _native_output_to_stderr(as_json):
        results = [b.run() for b in _with_progress(todo, "benchmarks")]
    if as_json:
        _dump([r.to_dict() for r in results])
        return
    table = Table("benchmark", "darkscan", "peer", "peer name", "ratio", "unit",
                  title="darkscan bench (ratios measured in the same run)")
    for r in results:
        table.add_row(r.name, f"{r.ours:.4g}", "—" if r.peer is None else f"{r.peer:.4g}",
                      r.peer_name or "—", "—" if r.ratio is None else f"{r.ratio:.3g}×",
                      r.unit + (f" ({r.note})" if r.note else ""))
    out.print(table)


def _with_progress(items: list[Any], label: str) -> list[Any]:
    from rich.progress import track

    return list(track(items, description=label, console=err, transient=True,
                      disable=not sys.stderr.isatty()))


app.add_typer(importlib.import_module("darkscan.cli_cdc").cdc_app, name="cdc")
app.add_typer(importlib.import_module("darkscan.cli_limits").limits_app, name="limits")
app.add_typer(importlib.import_module("darkscan.cli_ntuples").ntuples_app, name="ntuples")
app.command("recast")(importlib.import_module("darkscan.cli_recast").recast_command)


# ---------------------------------------------------------------------------- entry point

def _click_classes(name: str) -> tuple[type[BaseException], ...]:
    """``name`` from click and from the copy of click that newer typer vendors
    (``typer._click``): plain ``click`` classes do not match the vendored ones."""
    found: list[type[BaseException]] = []
    for module in ("click.exceptions", "typer._click.exceptions"):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            pass
    return tuple(found)


def _error(message: str) -> None:
    """One line on stderr, whatever the message holds (newlines, undecodable bytes)."""
    line = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    prefix = "\x1b[31merror:\x1b[0m" if sys.stderr.isatty() and "NO_COLOR" not in os.environ \
        else "error:"
    sys.stderr.write(f"{prefix} {_show(line)}\n")
    sys.stderr.flush()


def run_cli(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``) and return its exit code:
    0, 1 when ``validate`` finds a failed check, 2 for a user error (one line on stderr),
    130 when interrupted. Bugs still raise with their traceback."""
    usage_errors = _click_classes("UsageError")
    no_args_help = _click_classes("NoArgsIsHelpError")
    click_errors = _click_classes("ClickException")
    aborts = (typer.Abort, *_click_classes("Abort"))
    try:
        code = app(args=None if argv is None else list(argv), prog_name="darkscan",
                   standalone_mode=False)
    except DarkscanError as exc:
        _error(str(exc))
        return 2
    except aborts:
        _error("aborted")
        return 130
    except Exception as exc:
        if isinstance(exc, no_args_help):
            exc.show()  # type: ignore[attr-defined]  # `darkscan` alone: the help
            return 2
        if isinstance(exc, usage_errors):
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            _error(exc.format_message() + hint)  # type: ignore[attr-defined]
            return 2
        if isinstance(exc, click_errors):
            _error(exc.format_message())  # type: ignore[attr-defined]
            return int(getattr(exc, "exit_code", 1))
        raise
    return code if isinstance(code, int) else 0


def main() -> None:
    """Entry point of the ``darkscan`` script."""
    sys.exit(run_cli())


if __name__ == "__main__":
    main()
