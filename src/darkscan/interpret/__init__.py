"""Interpretation: σ limits → couplings, the (g−2)_μ favoured band, lifetime reweighting,
luminosity projections, recasting into other models (:mod:`darkscan.interpret.recast`,
:mod:`darkscan.interpret.recast_lifetime`). Must not simulate: the simulated signal a
reweighted efficiency ratio needs is made by :mod:`darkscan.searches.recast`."""

from darkscan.interpret.coupling import coupling_upper_limit, excluded_axis_range
from darkscan.interpret.gminus2 import DELTA_A_MU_2021, delta_a_mu_vector, gminus2_band
from darkscan.interpret.projection import projection_mc_scale

__all__ = ["DELTA_A_MU_2021", "coupling_upper_limit", "delta_a_mu_vector",
           "excluded_axis_range", "gminus2_band", "projection_mc_scale"]
