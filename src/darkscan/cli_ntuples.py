"""``darkscan ntuples``: the manifest of an analyst's own ntuples and the variables a search
needs (``template``), and darkscan's simulation written in that format (``export``). Parses,
checks inputs at the edge and calls :mod:`darkscan.searches.ntuples`; no physics here."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from darkscan.errors import OutputPathError

if TYPE_CHECKING:
    from darkscan.searches.spec import Search

ntuples_app = typer.Typer(add_completion=False, no_args_is_help=True,
                          pretty_exceptions_enable=False,
                          help="Your own basf2 ntuples for 'darkscan run SEARCH --ntuples DIR': "
                               "the manifest template, the variables, an example export.")

SCHEMA_HELP = (
    "darkscan-ntuples.json: {\"format\": \"darkscan-ntuples/1\", \"search\": NAME, \"files\": "
    "[ENTRY, ...]}; each ENTRY: \"file\" (in DIR, ROOT or parquet), \"tree\", \"role\" "
    "(\"signal\" with \"point\" {axis: value}, \"background\" with \"sample\" (a background "
    "id), or \"data\" with \"luminosity\" e.g. \"20/fb\"), \"channel\" where the search has "
    "several; MC gives \"sigma_pb\" and \"n_generated\" (or \"mc_luminosity\"), and "
    "\"training\": true for the independent training copies a channel with an MVA step needs. "
    "One row per candidate after the best-candidate rule; branches named as basf2's "
    "VariablesToNtuple writes them (or the basf2 or darkscan name); __weight__ is the weight.")


def _base():  # the main CLI's input checks and console (imported late: it imports us)
    from darkscan import cli

    return cli


def _search(name: str) -> Search:
    """The declared search (imported late: seconds), or the unknown/planned message."""
    from darkscan import searches

    cli = _base()
    cli._name(name, "search")
    if name not in searches.SEARCHES or not searches.is_ready(name):
        searches.get(name)  # raises the unknown or planned-only message: exit 2
    return searches.get(name)


@ntuples_app.command("template", help="Write a manifest to fill in for SEARCH (with --out) and "
                     "list the basf2 variables its trees must hold (the steering file's "
                     "VariablesToNtuple list). " + SCHEMA_HELP)
def template_cmd(search: str,
                 out_dir: Annotated[str | None, typer.Option(
                     "--out", metavar="DIR",
                     help="write DIR/darkscan-ntuples.json (not over an existing one)")] = None,
                 quick: Annotated[bool, typer.Option(help="the quick grid's points")] = False,
                 as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    from darkscan.searches.ntuples_manifest import MANIFEST, write_manifest

    cli = _base()
    folder = cli._output_folder(out_dir, "--out") if out_dir is not None else None
    if folder is not None and (folder / MANIFEST).exists():
        raise OutputPathError(f"'{folder / MANIFEST}' exists already; remove it or choose "
                              "another --out")
    declared = _search(search)
    from darkscan.searches.ntuples import template, variables_table

    manifest = template(declared, quick=quick)
    rows = variables_table(declared)
    if as_json:
        cli._dump({"manifest": manifest, "variables": [
            {"channel": c, "darkscan": d, "basf2": b, "branch": r} for c, d, b, r in rows]})
    else:
        table = Table(title=f"variables of {declared.name}'s trees")
        for col in ("channel", "darkscan", "basf2 (VariablesToNtuple)", "ROOT branch"):
            table.add_column(col, overflow="fold")
        for channel, name, basf2, branch in rows:
            table.add_row(channel, name, basf2 or f"none: addAlias('{name}', …)", branch)
        cli.out.print(table)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        path = write_manifest(folder, manifest)
        cli.err.print(f"wrote {path}: fill in sigma_pb, n_generated and the data luminosity")
    elif not as_json:
        cli.out.print(json.dumps(manifest, indent=2), markup=False, highlight=False)


@ntuples_app.command("export")
def export_cmd(search: str,
               out_dir: Annotated[str, typer.Argument(metavar="DIR",
                                                      help="folder for the files")],
               quick: bool = False,
               seed: Annotated[int, typer.Option(help="random seed, 0 to 2**63 - 1")] = 1,
               lumi: Annotated[str | None, typer.Option(
                   help="luminosity of the pseudo-data (default: the search's)")] = None,
               workers: Annotated[int | None, typer.Option(
                   help="local worker processes (default: all usable cores)",
                   show_default=False)] = None) -> None:
    """Simulate SEARCH's samples and write them as basf2-named ROOT ntuples with a
    pseudo-dataset drawn from the simulated backgrounds and the manifest: an example of the
    format, and the input of 'darkscan run SEARCH --ntuples DIR'."""
    cli = _base()
    lum = cli._lumi(lumi) if lumi is not None else None
    cli._seed(seed)
    n_workers = cli._workers(workers)
    folder = cli._output_folder(out_dir, "DIR")
    declared = _search(search)
    from darkscan.run.executors import make_executor
    from darkscan.searches.ntuples_export import export_ntuples

    ex = make_executor(n_workers, None)
    try:
        done = export_ntuples(declared, folder, quick=quick, seed=seed, lumi=lum, executor=ex)
    finally:
        ex.close()
    cli.out.print(f"wrote {done.manifest}; pseudo-data candidates per channel: "
                  + ", ".join(f"{k} {v}" for k, v in done.data_events.items()), soft_wrap=True)
    if done.max_repeat > 1.0:
        cli.out.print(f"note: one simulated background event stands for up to "
                      f"{done.max_repeat:.3g} data candidates at this luminosity, so the "
                      "pseudo-data repeat simulated events: an example of the format, not a "
                      "realistic dataset (simulate more, e.g. without --quick, or choose a "
                      "smaller --lumi)", soft_wrap=True)
