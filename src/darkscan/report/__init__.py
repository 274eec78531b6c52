"""Reporting: plots (matplotlib + mplhep, neutral style), HEPData tables, the HTML report.
Must not compute physics: it draws and writes what the other stages produced."""

from darkscan.report.hepdata import HepDataTable, write_hepdata
from darkscan.report.html import build_html_report
from darkscan.report.plots import plot_curves, plot_limit_band, plot_stack

__all__ = ["HepDataTable", "build_html_report", "plot_curves", "plot_limit_band", "plot_stack",
           "write_hepdata"]
