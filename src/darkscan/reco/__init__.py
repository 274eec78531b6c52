"""Reconstruction: candidates from basf2-style decay strings, the variable registry (lab and
CMS-frame variables, recoil, vertex, extra energy), best-candidate ranking → flat ntuples.

Must not fit."""

from darkscan.reco.candidates import reconstruct
from darkscan.reco.decay import Daughter, Decay, parse_decay
from darkscan.reco.variables import VARIABLES, Variable, describe

__all__ = ["VARIABLES", "Daughter", "Decay", "Variable", "describe", "parse_decay",
           "reconstruct"]
