"""``darkscan cdc``: CDC hit simulation, track finding and its evaluation (DESIGN §5). Parses,
checks inputs at the edge and calls :mod:`darkscan.detector.cdc`; no physics here."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from darkscan.errors import ParameterError

cdc_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                      help="CDC hits, displaced-track finding (Legendre, GNN) and evaluation.")

FINDERS = ("legendre", "gnn")
#: one call holds its hits in memory (~250 hits × 20 columns per event)
MAX_CDC_EVENTS = 2_000_000


def _base():  # the main CLI's input checks and console (imported late: it imports us)
    from darkscan import cli

    return cli


def _table_output(text: str, option: str) -> Path:
    path = _base()._output_file(text, option) if text.endswith(".parquet") else None
    if path is None:
        if not text.lower().endswith((".parquet", ".csv")):
            raise ParameterError(f"{option} '{text}' must end in .parquet or .csv")
        path = Path(text)
        folder = path.parent if str(path.parent) else Path(".")
        _base()._writable_folder(folder, option)
    return path


def _existing(text: str, what: str) -> Path:
    from darkscan.errors import InputFileError

    path = Path(text)
    if not path.exists():
        raise InputFileError(f"{what} '{text}' does not exist")
    if not path.is_file():
        raise InputFileError(f"{what} '{text}' is not a regular file")
    return path


@cdc_app.command("simulate")
def simulate(process: Annotated[str, typer.Argument(
                 help="llp_displaced (the CAT Finder benchmark), prompt_tracks, or a generator "
                      "process")],
             n: Annotated[int, typer.Option("-n", help="events")],
             output: Annotated[str, typer.Option("-o", "--output", metavar="HITS",
                                                 help="hit table to write (.parquet or .csv)")],
             occupancy: Annotated[float | None, typer.Option(
                 help="beam-background occupancy (fraction of wires hit per event; default "
                      "0.01)")] = None,
             seed: Annotated[int, typer.Option(help="random seed, 0 to 2**63 - 1")] = 1) -> None:
    """CDC hits (basf2 CDCHit columns with truth) of N events."""
    if not 0 < n <= MAX_CDC_EVENTS:
        raise ParameterError(f"-n must be between 1 and {MAX_CDC_EVENTS}, got {n}")
    if occupancy is not None and not 0.0 <= occupancy <= 0.5:
        raise ParameterError(f"--occupancy must lie in [0, 0.5], got {occupancy}")
    _base()._seed(seed)
    dst = _table_output(output, "-o/--output")
    from darkscan.detector.cdc.events import process_events  # noqa: F401 (name check first)
    from darkscan.detector.cdc.hits import simulate_process, write_table

    table = simulate_process(process, n, seed, occupancy=occupancy)
    write_table(table, dst)
    _base().out.print(f"wrote {len(table['evt_id'])} CDC hits of {n} {process} events to {dst}")


@cdc_app.command("find")
def find(hits: Annotated[str, typer.Argument(metavar="HITS", help="hit table (.parquet/.csv)")],
         output: Annotated[str, typer.Option("-o", "--output", metavar="TRACKS",
                                             help="track table to write (.parquet)")],
         finder: Annotated[str, typer.Option(help="legendre | gnn")] = "legendre",
         model: Annotated[str | None, typer.Option(
             help="GNN model from 'darkscan cdc train' (default: the shipped one)")] = None
         ) -> None:
    """Find tracks in CDC hits; one row per track with its helix and hit indices."""
    if model is not None:
        if finder != "gnn":
            raise ParameterError("--model goes with --finder gnn")
        _existing(model, "--model")
    if finder not in FINDERS:
        raise ParameterError(f"--finder must be one of {', '.join(FINDERS)}, got '{finder}'")
    src = _existing(hits, "HITS")
    if not output.endswith(".parquet"):
        raise ParameterError(f"-o/--output '{output}' must end in .parquet (tracks hold lists)")
    dst = _base()._output_file(output, "-o/--output", input_path=src)
    from darkscan.detector.cdc.finding import find_tracks
    from darkscan.detector.cdc.hits import read_hits, write_table

    table = read_hits(src)
    tracks = find_tracks(table, finder, model_path=None if model is None else Path(model))
    write_table(tracks, dst)
    _base().out.print(f"wrote {len(tracks['evt_id'])} {finder} tracks to {dst}")


@cdc_app.command("evaluate")
def evaluate(hits: Annotated[str, typer.Argument(metavar="HITS")],
             tracks: Annotated[list[str], typer.Argument(
                 metavar="TRACKS...", help="one or more track tables of these hits (finders)")],
             json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
             plot: Annotated[str | None, typer.Option(
                 help="write efficiency and fake rate against production radius, one curve per "
                      "TRACKS (.png/.pdf)")] = None) -> None:
    """Efficiency, fake and clone rates (CAT Finder / basf2 matching) vs radius and p_T."""
    from darkscan.detector.cdc.evaluate import evaluate as run_eval
    from darkscan.detector.cdc.hits import read_hits, read_table

    if plot is not None and not plot.lower().endswith((".png", ".pdf", ".svg")):
        raise ParameterError(f"--plot '{plot}' must end in .png, .pdf or .svg")
    h = read_hits(_existing(hits, "HITS"), truth=True)
    results: dict[str, dict] = {}
    n_hits = len(h["evt_id"])
    for name in tracks:
        t = read_table(_existing(name, "TRACKS"), ("evt_id", "charge", "hit_index"), "TRACKS")
        if any(len(x) and (x.min() < 0 or x.max() >= n_hits) for x in t["hit_index"]):
            raise ParameterError(f"TRACKS '{name}' holds hit indices beyond HITS '{hits}' "
                                 f"({n_hits} hits): were they found in these hits?")
        results[Path(name).stem] = run_eval(h, t)
    if plot:
        from darkscan.detector.cdc.evaluate import plot_vs_radius

        plot_vs_radius(results, plot)
    if json_out:
        single = next(iter(results.values())) if len(results) == 1 else results
        _base().out.print_json(json.dumps(single))
        return
    out = _base().out
    for name, res in results.items():
        s = res["summary"]
        out.print(f"{name}: MC particles {s['n_mc']}, tracks {s['n_tracks']}: efficiency "
                  f"{100 * s['efficiency']:.1f}% (finding {100 * s['finding_efficiency']:.1f}%)"
                  f", fake rate {100 * s['fake_rate']:.1f}%, clone rate "
                  f"{100 * s['clone_rate']:.1f}%")
        for row in res["vs_radius"]:
            out.print(f"  r {row['lo']:5.0f}–{row['hi']:5.0f} cm: eff "
                      f"{_percent(row['efficiency'])} (n={row['n_mc']}), fake "
                      f"{_percent(row['fake_rate'])}")


def _percent(x: float) -> str:
    """A fraction as a percentage, a dash for an empty bin (NaN)."""
    return "    –" if math.isnan(x) else f"{100 * x:5.1f}%"


@cdc_app.command("train")
def train(output: Annotated[str | None, typer.Option(
              "-o", "--output", metavar="MODEL",
              help="model file to write (.pt; default: the shipped model)")] = None,
          n: Annotated[int, typer.Option("-n", help="training events (llp_displaced)")] = 6000,
          epochs: Annotated[int, typer.Option(help="passes over the events")] = 20,
          minutes: Annotated[float, typer.Option(help="stop after this wall time")] = 28.0,
          seed: Annotated[int, typer.Option(help="random seed")] = 7,
          resume: Annotated[str | None, typer.Option(
              metavar="MODEL",
              help="continue training this model (.pt); another --seed gives new events")] = None,
          lr: Annotated[float, typer.Option(help="Adam learning rate (cosine-annealed)")
                        ] = 2e-3) -> None:
    """Retrain the GNN finder on simulated displaced-decay events (torch, CPU)."""
    if not 16 <= n <= 200_000:
        raise ParameterError(f"-n must be between 16 and 200000, got {n}")
    if not 1 <= epochs <= 1000:
        raise ParameterError(f"--epochs must be between 1 and 1000, got {epochs}")
    if not 0 < minutes <= 24 * 60:
        raise ParameterError(f"--minutes must lie in (0, 1440], got {minutes}")
    if not 0 < lr <= 0.1:
        raise ParameterError(f"--lr must lie in (0, 0.1], got {lr}")
    start = None
    if resume is not None:
        start = Path(resume)
        if not start.is_file():
            raise ParameterError(f"--resume '{resume}': no such model file")
    _base()._seed(seed)
    path = None
    if output is not None:
        if not output.endswith(".pt"):
            raise ParameterError(f"-o/--output '{output}' must end in .pt")
        path = Path(output)
        _base()._writable_folder(path.parent if str(path.parent) else Path("."), "-o/--output")
    try:
        from darkscan.detector.cdc.gnn import train as run_train
    except ImportError as exc:  # pragma: no cover - torch is an optional extra
        from darkscan.errors import NotAvailableError

        raise NotAvailableError(f"training needs torch and torch_geometric: {exc}") from None
    written = run_train(n_events=n, epochs=epochs, max_minutes=minutes, seed=seed, out=path,
                        log=_base().out.print, resume=start, lr=lr)
    _base().out.print(f"wrote {written}")
