"""Reporting: plots (matplotlib + mplhep, neutral style), HEPData tables, the HTML report.
Must not compute physics: it draws and writes what the other stages produced.

``write_search_report(result)`` draws everything of a search run from its typed
``SearchResult``; ``build_html_report(DIR)`` rebuilds ``DIR/report.html`` from the files.
Importing this package changes no global state (no matplotlib backend is selected)."""

from darkscan.report.hepdata import HepDataTable, write_hepdata
from darkscan.report.html import build_html_report
from darkscan.report.plots import (
    plot_curves,
    plot_limit_band,
    plot_limit_map,
    plot_limit_slices,
    plot_stack,
)
from darkscan.report.search import FigureEntry, write_search_report

__all__ = ["FigureEntry", "HepDataTable", "build_html_report", "plot_curves", "plot_limit_band",
           "plot_limit_map", "plot_limit_slices", "plot_stack", "write_hepdata",
           "write_search_report"]
