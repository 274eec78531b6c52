"""Interpretation: σ limits → couplings, the (g−2)_μ favoured band, lifetime reweighting,
luminosity projections. Must not simulate."""

from darkscan.interpret.coupling import coupling_upper_limit
from darkscan.interpret.gminus2 import DELTA_A_MU_2021, delta_a_mu_vector, gminus2_band
from darkscan.interpret.projection import projection_mc_scale

__all__ = ["DELTA_A_MU_2021", "coupling_upper_limit", "delta_a_mu_vector", "gminus2_band",
           "projection_mc_scale"]
