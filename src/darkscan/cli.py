"""The ``darkscan`` command line (DESIGN §5). It only parses, calls the public API and prints;
it holds no logic. User errors exit with code 2 and one line naming the problem and the fix."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from darkscan import __version__
from darkscan.errors import DarkscanError, ParameterError
from darkscan.models.params import PARAMETERS

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Belle II dark-sector searches end to end on simulated data.")
out = Console()
err = Console(stderr=True)

STABLE_PARAMS = tuple(PARAMETERS)


def parse_params(items: list[str] | None) -> dict[str, float]:
    """``["mass=1.0", "gprime=1e-3"]`` → dict; names must be DESIGN §5's stable names."""
    params: dict[str, float] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(f"malformed --param '{item}': write NAME=VALUE, e.g. mass=1.0")
        if key not in STABLE_PARAMS:
            raise ParameterError(f"unknown parameter '{key}'; known: {', '.join(STABLE_PARAMS)}")
        try:
            params[key] = float(value)
        except ValueError:
            raise ParameterError(f"parameter '{key}' needs a number, got '{value}'") from None
        if not math.isfinite(params[key]):
            raise ParameterError(f"parameter '{key}' must be finite, got '{value}'")
    return params


def _dump(obj: Any) -> None:
    out.print_json(json.dumps(obj, default=float))


def _writable_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".darkscan-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise DarkscanError(f"output folder '{path}' is not writable ({exc.strerror}); "
                            "choose another with --out") from None
    return path


def _writable_file(path: Path) -> Path:
    _writable_dir(path.parent)
    return path


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
         n_points: Annotated[int, typer.Option(min=1000)] = 200_000,
         seed: int = 1,
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Cross section ± MC error in pb."""
    from darkscan.generate import cross_section

    res = cross_section(process, isr=not no_isr, n_points=n_points, seed=seed,
                        **parse_params(param))
    if as_json:
        _dump(res.to_dict())
    else:
        out.print(f"σ({res.process}) = {res.sigma_pb:.6g} ± {res.error_pb:.2g} pb  "
                  f"[{'ISR' if res.isr else 'Born'}; filter: {res.filter or 'none'}]")
        if res.note:
            out.print(res.note)


@app.command()
def generate(process: str,
             n: Annotated[int, typer.Option("-n", help="number of events")],
             output: Annotated[Path, typer.Option("-o", "--output", help="parquet file")],
             param: Annotated[list[str] | None, typer.Option("--param", help="NAME=VALUE")] = None,
             seed: int = 1,
             no_isr: Annotated[bool, typer.Option("--no-isr")] = False,
             workers: Annotated[int, typer.Option(min=1)] = 1,
             dask: Annotated[str | None, typer.Option(help="scheduler address or 'local'")] = None,
             ) -> None:
    """Generate truth events to a parquet file."""
    from darkscan import generate as gen
    from darkscan.events import write_sample
    from darkscan.run import make_executor

    if n <= 0:
        raise ParameterError(f"-n must be positive, got {n}")
    _writable_file(output)
    ex = make_executor(workers, dask)
    try:
        sample = gen.generate(process, n, seed=seed, isr=not no_isr, executor=ex,
                              **parse_params(param))
    finally:
        ex.close()
    write_sample(sample, output)
    out.print(f"wrote {len(sample)} {process} events to {output} "
              f"(σ = {sample.meta.sigma_pb:.5g} pb, filter: {sample.meta.filter or 'none'})")


@app.command()
def simulate(input: Path,
             output: Annotated[Path, typer.Option("-o", "--output")],
             seed: int = 1) -> None:
    """Fast Belle II simulation and reconstruction of a truth sample."""
    from darkscan.detector import simulate_file

    _writable_file(output)
    simulate_file(input, output, seed=seed)
    out.print(f"wrote {output}")


@app.command()
def run(search: str,
        lumi: Annotated[str, typer.Option(help="integrated luminosity, e.g. 79.7/fb")] = "",
        out_dir: Annotated[Path, typer.Option("--out")] = Path("darkscan-out"),
        workers: Annotated[int, typer.Option(min=1)] = 1,
        dask: Annotated[str | None, typer.Option(help="scheduler address or 'local'")] = None,
        quick: bool = False,
        seed: int = 1) -> None:
    """Run a search end to end and write limits, plots, HEPData and a summary."""
    from darkscan import searches
    from darkscan.physics import parse_luminosity
    from darkscan.searches.runner import run_search

    lum = parse_luminosity(lumi) if lumi else None
    declared = searches.get(search)  # unknown or planned-only: a user error, exit 2
    _writable_dir(out_dir)
    from darkscan.run.executors import make_executor

    ex = make_executor(workers, dask)
    try:
        result = run_search(declared, out_dir=out_dir, lumi=lum, quick=quick, seed=seed,
                            executor=ex, console=out)
    finally:
        ex.close()
    out.print(result.summary_text(), markup=False, highlight=False)


@app.command()
def limit(n_obs: Annotated[float, typer.Option("--n-obs")],
          bkg: Annotated[float, typer.Option("--bkg")],
          bkg_unc: Annotated[float, typer.Option("--bkg-unc", help="absolute, events")] = 0.0,
          eff: float = 1.0,
          lumi: Annotated[str | None, typer.Option(help="e.g. 79.7/fb: limit on σ in pb")] = None,
          cl: float = 0.9,
          method: str = "cls",
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Upper limit on a signal in a counting experiment."""
    from darkscan.physics import parse_luminosity
    from darkscan.stats import upper_limits

    lum = parse_luminosity(lumi).per_pb if lumi else None
    res = upper_limits(n_obs, bkg, bkg_unc=bkg_unc, eff=eff, cl=cl, method=method, lumi=lum)
    d = res.to_dict()
    if as_json:
        _dump(d)
    else:
        unit = " pb" if lum else (" events" if eff == 1.0 else "")
        e = d["expected"]
        out.print(f"{method} {cl:.0%} CL upper limit: {d['upper_limit']:.4g}{unit}  "
                  f"(expected {e['0']:.4g}, ±1σ [{e['-1']:.4g}, {e['+1']:.4g}], "
                  f"±2σ [{e['-2']:.4g}, {e['+2']:.4g}])")


@app.command()
def report(directory: Path) -> None:
    """Build the HTML report of a results folder."""
    from darkscan.report.html import build_html_report

    path = build_html_report(directory)
    out.print(f"wrote {path}")


@app.command()
def validate(quick: bool = False,
             select: Annotated[str | None, typer.Option(help="only checks containing this")] = None,
             as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Physics validation: measured vs reference, tolerance, provenance, PASS/FAIL."""
    from darkscan.registry import checks

    results = [c.run() for c in _with_progress(checks(quick=quick, select=select), "validating")]
    if as_json:
        _dump([r.to_dict() for r in results])
    else:
        table = Table("check", "measured", "reference", "tolerance", "result", "provenance / note",
                      title=f"darkscan {__version__} validation", show_lines=False)
        for r in results:
            tol = {"relative": f"±{r.tolerance:.3g} rel", "absolute": f"±{r.tolerance:.3g}",
                   "factor": f"×{r.tolerance:.3g}", "max": "≤ ref"}[r.kind]
            table.add_row(r.name, f"{r.measured:.5g}", f"{r.reference:.5g}", tol,
                          "[green]PASS[/]" if r.passed else "[red]FAIL[/]",
                          r.provenance + (f" — {r.note}" if r.note else ""))
        out.print(table)
        n_pass = sum(r.passed for r in results)
        out.print(f"{n_pass} passed, {len(results) - n_pass} failed")


@app.command()
def bench(quick: bool = False,
          select: Annotated[str | None, typer.Option(help="only names containing this")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Performance figures as ratios to peers measured in the same run."""
    from darkscan.registry import benchmarks

    todo = benchmarks(quick=quick, select=select)
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


def main() -> None:
    """Entry point: run the app, turning user errors into one line and exit code 2."""
    try:
        app(standalone_mode=False)
    except DarkscanError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:
        # usage errors and exits of click, or of the click copy that newer typer vendors
        # (typer._click), which plain ``click`` exception classes do not match
        code = getattr(exc, "exit_code", None)
        if not isinstance(code, int):
            raise
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        sys.exit(code)


if __name__ == "__main__":
    main()
