"""Reconstruction: candidates from basf2-style decay strings, the two-track vertex fit
(:mod:`darkscan.reco.vertex`), the variable registry (lab and CMS-frame variables, recoil, vertex,
extra energy), best-candidate ranking → flat ntuples.

Must not smear (that is the detector's) or know about searches."""

from darkscan.reco.candidates import reconstruct
from darkscan.reco.decay import Daughter, Decay, parse_decay
from darkscan.reco.variables import VARIABLES, Variable, describe

__all__ = ["VARIABLES", "Daughter", "Decay", "Variable", "describe", "parse_decay",
           "reconstruct"]
