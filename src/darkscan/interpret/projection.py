"""Luminosity projections: how a search's uncertainties scale beyond its analysed dataset.

A run at a luminosity L above the analysis's L₀ is a projection. The signal and background
yields scale with L (the simulation's luminosity weights do that); what a projection must
assume is how the other uncertainties scale. As Belle II's projections (Belle II Physics Book,
PTEP 2019 123C01; Snowmass white paper arXiv:2207.06307) do, darkscan names the assumptions
as scenarios:

- the **systematic** uncertainties (the relative background systematics and template-shape
  nuisances a search declares) either stay at their present relative size (``fixed``: the
  floor the projection hits when the statistics no longer matter), shrink as √(L₀/L)
  (``sqrt``: they are measured in control samples that grow with the data), or are left out
  (``none``: statistics only, the reach's upper bound);
- the **simulation** either grows with the data (its MC-statistical variance, ∝ L² at fixed
  MC, scaled by L₀/L) or stays at the analysis's size (the variance grows as L²).

Beam background and trigger: the fast simulation has no luminosity-dependent beam background
or trigger rates yet, so every scenario keeps those of the analysis; the summary says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from darkscan.errors import ParameterError
from darkscan.physics import Luminosity, parse_luminosity

Systematics = Literal["fixed", "sqrt", "none"]

#: what no scenario changes yet, said in every projection's summary
NOT_SCALED = ("beam-background clusters and trigger efficiencies stay at the analysis's "
              "conditions: the fast simulation has no luminosity-dependent beam background")


@dataclass(frozen=True)
class Scenario:
    """One set of projection assumptions (see the module docstring)."""

    name: str
    systematics: Systematics
    mc_grows: bool
    description: str

    def mc_scale(self, analysis_lumi: Luminosity | str, lumi: Luminosity) -> float:
        """Factor on the MC-statistical variances at ``lumi``: L₀/L beyond the analysis
        luminosity when the simulation grows with the data, else 1."""
        ratio = _ratio(analysis_lumi, lumi)
        return ratio if self.mc_grows else 1.0

    def syst_scale(self, analysis_lumi: Luminosity | str, lumi: Luminosity) -> float:
        """Factor on the declared relative systematics at ``lumi`` (1 at or below the
        analysis luminosity: there the analysis is what it is, not a projection)."""
        ratio = _ratio(analysis_lumi, lumi)
        if ratio >= 1.0 or self.systematics == "fixed":
            return 1.0
        return 0.0 if self.systematics == "none" else ratio**0.5

    def summary(self, analysis_lumi: Luminosity | str, lumi: Luminosity) -> str | None:
        """The assumptions in one sentence, or None at or below the analysis luminosity
        (not a projection: the declared systematics and the simulation as they are)."""
        if _ratio(analysis_lumi, lumi) >= 1.0:
            return None
        return (f"luminosity above the {parse_luminosity(analysis_lumi)} of the analysis, "
                f"scenario '{self.name}': {self.description} (MC-statistical variances × "
                f"{self.mc_scale(analysis_lumi, lumi):.3g}, systematics × "
                f"{self.syst_scale(analysis_lumi, lumi):.3g}); {NOT_SCALED}")


def _ratio(analysis_lumi: Luminosity | str, lumi: Luminosity) -> float:
    """L₀/L, capped at 1: below the analysis luminosity nothing is projected."""
    return min(1.0, parse_luminosity(analysis_lumi).per_pb / lumi.per_pb)


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("baseline", "fixed", True,
             "systematics stay at their present relative size; the simulation grows with "
             "the data"),
    Scenario("improved", "sqrt", True,
             "systematics shrink as 1/√L (measured in control samples that grow with the "
             "data); the simulation grows with the data"),
    Scenario("stat-only", "none", True,
             "statistics only: no systematics; the simulation grows with the data"),
    Scenario("fixed-mc", "fixed", False,
             "systematics stay; the simulation stays at the analysis's size"),
)}

#: the scenario of ``darkscan run --lumi`` above the analysis luminosity
DEFAULT_SCENARIO = SCENARIOS["baseline"]


def scenario(name: str) -> Scenario:
    """The named scenario; a clear error for an unknown one."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ParameterError(f"unknown projection scenario '{name}'; choose one of "
                             f"{', '.join(SCENARIOS)}") from None


def projection_mc_scale(analysis_lumi: Luminosity | str, lumi: Luminosity) -> float:
    """The default scenario's factor on the MC-statistical variances."""
    return DEFAULT_SCENARIO.mc_scale(analysis_lumi, lumi)
