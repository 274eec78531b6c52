"""Belle II fast simulation: geometry, tracking (helices through PXD/SVD/CDC layers), ECL and
KLM, PID, beam background, trigger emulation. The detector smears and records; vertex fits are
reconstruction (:mod:`darkscan.reco.vertex`).

Must not know about searches. Entry points: :func:`simulate`, :func:`simulate_file`; the
numbers are in :mod:`darkscan.detector.parameters` (one table with sources).
"""

from darkscan.detector.fastsim import DEFAULT_DECAY, simulate, simulate_file
from darkscan.detector.parameters import BELLE2_DETECTOR, DetectorParameters, parameter_table

__all__ = ["BELLE2_DETECTOR", "DEFAULT_DECAY", "DetectorParameters", "parameter_table",
           "simulate", "simulate_file"]
