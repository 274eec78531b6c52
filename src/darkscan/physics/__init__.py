"""Physics foundations: units and constants, experiment presets (beams, boost, luminous region),
vectorised Lorentz helpers. Must not know about detectors or searches."""

from darkscan.physics.constants import ALPHA, GEV2_TO_PB, HBARC_GEV_CM, mass
from darkscan.physics.experiment import (
           BABAR,
           BELLE,
           BELLE2,
           EXPERIMENTS,
           Experiment,
           get_experiment,
)
from darkscan.physics.units import Luminosity, parse_luminosity

__all__ = ["ALPHA", "BABAR", "BELLE", "BELLE2", "EXPERIMENTS", "GEV2_TO_PB", "HBARC_GEV_CM",
           "Experiment", "Luminosity", "get_experiment", "mass", "parse_luminosity"]
