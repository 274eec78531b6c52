"""Reconstruction: basf2-style particle lists and nested decay strings, vertex and mass-
constrained fits, the variable registry (lab, CMS, recoil, B-meson, vertex, event-shape and
photon-pairing variables) with basf2 aliases, best-candidate ranking → flat ntuples.

Must not smear (that is the detector's) or know about searches."""

from darkscan.reco.aliases import BASF2_ALIASES, to_basf2, to_darkscan
from darkscan.reco.candidates import reconstruct
from darkscan.reco.decay import Daughter, Decay, ListRef, parse_decay
from darkscan.reco.lists import ListDef, VertexFit
from darkscan.reco.variables import VARIABLES, Variable, describe

__all__ = ["BASF2_ALIASES", "VARIABLES", "Daughter", "Decay", "ListDef", "ListRef", "Variable",
           "VertexFit", "describe", "parse_decay", "reconstruct", "to_basf2", "to_darkscan"]
