"""A background the simulation is too small to show, factorised: the selection without its
particle-ID requirements, each candidate weighted by the probability that its tracks pass them.

A search whose selection leaves no simulated background event (the samples a few 10⁻⁴ of the
data's luminosity, an ID requirement on four tracks) would otherwise take its windows as empty.
Without the ID requirements hundreds of simulated candidates pass, and they show what the
background is made of. Each stands for its luminosity weight times the probability that its
tracks pass their requirements, taken as independent, each the fast simulation's own pass rate
for the track's true species in its momentum bin (:func:`darkscan.detector.checks.pass_rates`,
single tracks in the CDC acceptance, no beam background). The factorisation neglects
correlations between a track's kinematics inside a bin and its ID, and between the tracks.

A channel declares it with :class:`FactorisedID` (:attr:`darkscan.searches.spec.Channel
.background_id`): the background samples (and their training copies) are then reconstructed
with its lists and their weights multiplied by :meth:`FactorisedID.weights`
(``runner._reconstruct``); the signal keeps the channel's own lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from darkscan.reco.lists import ListDef

if TYPE_CHECKING:
    from darkscan.searches.samples import Ntuple

#: momentum bins (GeV) of the pass-rate table
EDGES = (0.05, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.5)
#: the species the table holds (|PDG id|); a track of another (or no) true species counts as a
#: pion
SPECIES = (11, 13, 211, 321, 2212)
FALLBACK_SPECIES = 211


@cache
def pass_table(cuts: tuple[tuple[str, float], ...], edges: tuple[float, ...] = EDGES
               ) -> dict[tuple[int, int, str], float]:
    """The fast simulation's pass rates for the ID requirements ``cuts`` ((hypothesis, cut),
    …), per species and momentum bin (computed once per process: ~2 s)."""
    from darkscan.detector.checks import pass_rates

    return pass_rates(edges, dict(cuts))


def pass_probability(codes: np.ndarray, momenta: np.ndarray, hypothesis: str,
                     table: dict[tuple[int, int, str], float],
                     edges: tuple[float, ...] = EDGES) -> np.ndarray:
    """Per track: the table's pass rate of ``hypothesis`` for its true species (|PDG id|;
    others as pions) in its momentum bin (below and above the table, its first and last
    bin)."""
    codes = np.abs(np.asarray(codes))
    species = np.where(np.isin(codes, SPECIES), codes, FALLBACK_SPECIES)
    k = np.clip(np.searchsorted(np.asarray(edges), momenta, side="right") - 1, 0,
                len(edges) - 2)
    rates = np.array([[table[(c, i, hypothesis)] for i in range(len(edges) - 1)]
                      for c in SPECIES])
    return rates[np.searchsorted(np.asarray(SPECIES), species), k]


@dataclass(frozen=True)
class FactorisedID:
    """The background of a channel without its ID requirements: ``lists``, the channel's
    particle lists without them (same names, vertex fits and other cuts); ``requirements``,
    per final-state track of the candidate (its variable path, e.g. ``dau1_dau0``) the ID
    variable and cut it must pass."""

    lists: tuple[ListDef, ...]
    requirements: tuple[tuple[str, str, float], ...]
    edges: tuple[float, ...] = EDGES

    def __post_init__(self) -> None:
        from darkscan.errors import ParameterError

        cuts = {}
        for _, hypothesis, cut in self.requirements:
            if cuts.setdefault(hypothesis, cut) != cut:
                raise ParameterError(f"factorised ID: one cut per hypothesis, {hypothesis} has "
                                     f"{cuts[hypothesis]:g} and {cut:g}")

    def columns(self) -> tuple[str, ...]:
        """The ntuple columns the weights read: each track's true species and momentum."""
        return tuple(f"{path}_{c}" for path, _, _ in self.requirements for c in ("mc_pdg", "p"))

    def cuts(self) -> tuple[tuple[str, float], ...]:
        return tuple(sorted({(h, c) for _, h, c in self.requirements}))

    def weights(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        """Per candidate: the probability that its tracks pass their requirements."""
        table = pass_table(self.cuts(), self.edges)
        n = len(next(iter(columns.values()))) if columns else 0
        prob = np.ones(n)
        for path, hypothesis, _ in self.requirements:
            prob *= pass_probability(columns[f"{path}_mc_pdg"], columns[f"{path}_p"],
                                     hypothesis, table, self.edges)
        return prob


@dataclass(frozen=True)
class FactorisedEfficiency:
    """The factorised cuts' efficiency on one background sample, as measured in the region:
    the weighted fraction, its MC-statistical error and the simulated candidates it rests on."""

    efficiency: float
    error: float
    region_candidates: int

    def summary(self) -> dict[str, Any]:
        return {"efficiency": self.efficiency, "efficiency_error": self.error,
                "region_candidates": self.region_candidates}


@dataclass(frozen=True)
class FactorisedCuts:
    """Cuts of a channel's selection whose efficiency on some backgrounds is measured in a
    looser region: continuum suppression (event-shape cuts) on e⁺e⁻ → qq̄, of which a few
    simulated events reach the signal region after every cut but ten times more before the
    event-shape cuts. The named backgrounds' candidates pass the selection without ``cuts``,
    each weighted by the fraction of the ``region``'s candidates (weighted) that pass ``cuts``.
    The factorisation assumes the cuts' efficiency the same in the region and in the
    selection, so the region is best the selection's neighbour (b-to-k-alp's continuum: the
    event-shape cuts pass 0.10 of the candidates below M_bc = 5.25 GeV, 0.06 above, hardly
    changing with ΔE: its region is M_bc > 5.25 GeV). The efficiency's MC-statistical error
    (:meth:`efficiency_error`, in summary.json) scales the expected background of these
    samples only: a fit that floats the background's level in each window (``SlidingFit``) does
    not see it, and it moves the expected limits by about half its relative size times these
    backgrounds' share of the window."""

    #: the factorised cuts: each must be one of the channel's selection
    cuts: tuple[str, ...]
    #: where their efficiency is measured (cut strings; without ``cuts``)
    region: tuple[str, ...]
    #: the background sample ids (:attr:`SampleSpec.id`) it applies to (training copies too)
    backgrounds: tuple[str, ...]

    def efficiency(self, selected: np.ndarray, in_region: np.ndarray, weight: np.ndarray
                   ) -> tuple[float, int]:
        """The weighted fraction of the region's candidates (``in_region``) that pass the cuts
        (``selected``), and how many simulated candidates the region holds (with none: 1, 0)."""
        total = float(np.sum(weight[in_region]))
        if total <= 0:
            return 1.0, 0
        return float(np.sum(weight[in_region & selected])) / total, int(in_region.sum())

    def efficiency_error(self, selected: np.ndarray, in_region: np.ndarray, weight: np.ndarray
                         ) -> float:
        """The MC-statistical standard error of :meth:`efficiency` (binomial with weights:
        √(Σ_pass w²(1 − ε)² + Σ_fail w² ε²)/Σw; 0 with no candidate in the region)."""
        eff, n = self.efficiency(selected, in_region, weight)
        if n == 0:
            return 0.0
        w = weight[in_region]
        passed = selected[in_region]
        var = np.sum(w[passed] ** 2) * (1.0 - eff) ** 2 + np.sum(w[~passed] ** 2) * eff**2
        return float(np.sqrt(var) / np.sum(w))

    def measure(self, nt: Ntuple) -> FactorisedEfficiency:
        """The cuts' efficiency on a background ntuple, in its region (one selection of each)."""
        from darkscan.searches.samples import select

        passed, region = select(nt, self.cuts), select(nt, self.region)
        eff, n = self.efficiency(passed, region, nt.weight)
        return FactorisedEfficiency(eff, self.efficiency_error(passed, region, nt.weight), n)
