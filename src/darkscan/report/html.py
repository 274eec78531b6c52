"""A static HTML report of a results folder: summary, limit table, every plot."""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

from darkscan.errors import InputFileError


def build_html_report(directory: str | Path) -> Path:
    """Write ``DIR/report.html`` from ``summary.json``, ``limits.csv`` and ``plots/``."""
    d = Path(directory)
    summary_path = d / "summary.json"
    if not summary_path.is_file():
        raise InputFileError(f"'{d}' holds no summary.json; run 'darkscan run SEARCH --out {d}' "
                             "first")
    summary = json.loads(summary_path.read_text())
    rows: list[list[str]] = []
    if (d / "limits.csv").is_file():
        with (d / "limits.csv").open() as fh:
            rows = list(csv.reader(fh))
    parts = [f"<h1>darkscan: {html.escape(str(summary.get('search', '')))}</h1>",
             "<p>Simulated data; 'observed' limits use a seeded pseudo-dataset drawn from the "
             "background model.</p>", "<h2>Summary</h2><table>"]
    for key, value in summary.items():
        if isinstance(value, dict | list):
            value = json.dumps(value)
        parts.append(f"<tr><th>{html.escape(str(key))}</th>"
                     f"<td>{html.escape(str(value))}</td></tr>")
    parts.append("</table>")
    for plot in sorted((d / "plots").glob("*.png")):
        parts.append(f"<h3>{html.escape(plot.stem)}</h3>"
                     f"<img src='plots/{html.escape(plot.name)}' width='640'>")
    if rows:
        parts.append("<h2>Limits</h2><table>")
        for i, row in enumerate(rows):
            tag = "th" if i == 0 else "td"
            parts.append("<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in row)
                         + "</tr>")
        parts.append("</table>")
    style = ("<style>body{font-family:sans-serif;max-width:1000px;margin:auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
             "font-size:12px}</style>")
    out = d / "report.html"
    out.write_text(f"<!doctype html><html><head><meta charset='utf-8'>{style}</head><body>"
                   + "\n".join(parts) + "</body></html>")
    return out
