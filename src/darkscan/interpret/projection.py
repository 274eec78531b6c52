"""Luminosity projections: how a search's uncertainties scale beyond its analysed dataset."""

from __future__ import annotations

from darkscan.physics import Luminosity, parse_luminosity


def projection_mc_scale(analysis_lumi: Luminosity | str, lumi: Luminosity) -> float:
    """Factor on the MC-statistical variances. Beyond the luminosity of the analysis a run is a
    projection: as Belle II's projections do, it assumes the simulation grows with the data,
    so the MC-statistical variance (which scales as L² at fixed MC) is scaled by
    L_analysis/L; systematic uncertainties stay at their present level."""
    return min(1.0, parse_luminosity(analysis_lumi).per_pb / lumi.per_pb)
