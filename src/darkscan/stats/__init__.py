"""Statistics: counting limits vectorised over windows, fits and scans, significance and the
look-elsewhere effect, the combination of counting channels, Punzi figure of merit, pyhf
cross-check. Knows nothing about physics models.
"""

from darkscan.stats.counting import (
    METHODS,
    combined_upper_limits,
    discovery_significance,
    upper_limits,
)
from darkscan.stats.fits import FitResult, ScanResult, fit_window, mass_points, scan
from darkscan.stats.lee import (
    GlobalSignificance,
    count_upcrossings,
    global_pvalue,
    global_significance,
    global_significance_toys,
    p_to_z,
    z_to_p,
)
from darkscan.stats.punzi import punzi_fom, punzi_fom_simple, punzi_smin
from darkscan.stats.results import BAND_KEYS, LimitResult, SignificanceResult
from darkscan.stats.shapes import ShapeGrid, SignalShape, background_model

__all__ = [
    "BAND_KEYS",
    "METHODS",
    "FitResult",
    "GlobalSignificance",
    "LimitResult",
    "ScanResult",
    "ShapeGrid",
    "SignalShape",
    "SignificanceResult",
    "background_model",
    "combined_upper_limits",
    "count_upcrossings",
    "discovery_significance",
    "fit_window",
    "global_pvalue",
    "global_significance",
    "global_significance_toys",
    "mass_points",
    "p_to_z",
    "punzi_fom",
    "punzi_fom_simple",
    "punzi_smin",
    "scan",
    "upper_limits",
    "z_to_p",
]
