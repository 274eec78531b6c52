"""``darkscan limits``: the database of published limits (DESIGN §5): list, show, plot. Parses,
checks inputs at the edge and calls :mod:`darkscan.interpret.published` and
:mod:`darkscan.report.published`; no physics here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from darkscan.errors import OutputPathError

if TYPE_CHECKING:
    from darkscan.interpret.published import Record

limits_app = typer.Typer(add_completion=False, no_args_is_help=True,
                         pretty_exceptions_enable=False,
                         help="Published limits with provenance: list, show, plot.")

PLOT_SUFFIXES = (".png", ".pdf")
LIST_WIDTH = 160


def _base():  # the main CLI's input checks and console (imported late: it imports us)
    from darkscan import cli

    return cli


def _number(v: float | None) -> str:
    return "–" if v is None else f"{v:g}"


def _span(lo: float | None, hi: float | None, unit: str) -> str:
    if hi is None:
        return "not quoted"
    text = f"≤ {hi:.4g}" if lo is None else f"{lo:.4g}–{hi:.4g}"
    return f"{text} {unit}".strip()


def _quantity(r: Record) -> str:
    return r.quantity + (f" [{r.unit}]" if r.unit else "")


@limits_app.command("list")
def list_limits() -> None:
    """Every published limit: id, experiment, year, quantity, model, axis range, L, CL."""
    from darkscan.interpret.published import load_all

    table = Table(Column("id", no_wrap=True), "experiment", "year", "quantity", "model",
                  "kind", "axis range", "L", "CL",
                  title="published limits ('darkscan limits show ID' for one)")
    for r in load_all().values():
        unit = dict(r.axes)[r.axis]
        table.add_row(r.id, r.experiment, str(r.year), _quantity(r), r.model, r.kind,
                      f"{r.axis} {_span(*r.span, unit)}", r.luminosity, f"{r.cl:.0%}")
    # ids and ranges are not cut in a pipe or a narrow terminal (the table is ~150 wide)
    Console(width=max(_base().out.width, LIST_WIDTH)).print(table)


@limits_app.command("show")
def show(record_id: Annotated[str, typer.Argument(metavar="ID", help="a published limit id")],
         as_json: Annotated[bool, typer.Option("--json", help="print the record as JSON")]
         = False) -> None:
    """One published limit: every field, its provenance and its values."""
    from darkscan.interpret.published import get

    r = get(record_id)
    out = _base().out
    if as_json:
        out.print_json(json.dumps(r.to_dict(), ensure_ascii=False))
        return
    fields = Table(show_header=False, title=r.id)
    for name, value in (
            ("title", r.title), ("reference", r.reference), ("luminosity", r.luminosity),
            ("CL", f"{r.cl:.0%} ({r.method})"), ("limit", r.limit),
            ("quantity", f"{_quantity(r)} → column {r.column}"),
            ("model", r.model), ("channel", r.channel or "–"),
            ("axes", ", ".join(f"{n} [{u}]" if u else n for n, u in r.axes)),
            ("kind", r.kind), ("searches", ", ".join(r.searches) or "–"),
            ("provenance", f"{r.provenance_source}: {r.provenance_detail}"),
            ("url", r.provenance_url), ("notes", r.notes or "–")):
        fields.add_row(name, value)
    out.print(fields)
    values = Table(r.axis, _quantity(r),
                   title="range: [low, high]" if r.kind == "range" else f"{len(r.x)} points")
    for x, y in zip(r.x, r.y, strict=True):
        values.add_row(_number(x), _number(y))
    out.print(values)


@limits_app.command("plot")
def plot(record_ids: Annotated[list[str], typer.Argument(metavar="ID...",
                                                         help="published limit ids")],
         output: Annotated[str, typer.Option("-o", "--output", metavar="FILE",
                                             help="figure to write (.png or .pdf)")]) -> None:
    """Published limits of one quantity on one log plot."""
    from darkscan.interpret.published import get
    from darkscan.report.published import check_plottable, plot_published

    records = [get(i) for i in record_ids]
    check_plottable(records)
    path = Path(output)
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise OutputPathError(f"-o '{output}': the figure must end in .png or .pdf")
    if path.is_dir():
        raise OutputPathError(f"-o '{output}' is a folder; give a file name, e.g. "
                              f"{path / 'limits.png'}")
    _base()._writable_folder(path.parent, "-o")
    plot_published(path, records)
    _base().out.print(f"wrote {path}")
