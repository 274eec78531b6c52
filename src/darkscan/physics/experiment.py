"""Experiment presets: beams, crossing angle, energy spread, luminous region, lab↔CMS frames.

Convention (basf2): z is the solenoid axis, close to the HER (e⁻) direction. The e⁻ beam is
tilted by ``angle_her`` from +z and the e⁺ beam by ``angle_ler`` from −z, both towards +x in the
x–z plane, so the CMS moves with a sizeable x component: boosts use the full 3-vector.
A new collider is one more row in :data:`EXPERIMENTS`, not new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from darkscan.errors import unknown
from darkscan.physics import lorentz
from darkscan.physics.constants import M_E


@dataclass(frozen=True)
class Experiment:
    """An e⁺e⁻ collider preset. Energies in GeV, angles in rad, lengths in cm."""

    name: str
    e_her: float            #: electron (HER) beam energy
    e_ler: float            #: positron (LER) beam energy
    angle_her: float        #: e⁻ beam angle from +z, towards +x
    angle_ler: float        #: e⁺ beam angle from −z, towards +x
    sigma_e_her: float      #: e⁻ beam energy spread (GeV)
    sigma_e_ler: float      #: e⁺ beam energy spread (GeV)
    spot_sigma: tuple[float, float, float]  #: luminous-region widths σx, σy, σz (cm)
    provenance: str = ""

    # --- beams -------------------------------------------------------------------------------
    def electron_p4(self, energy: np.ndarray | float | None = None) -> np.ndarray:
        e = np.asarray(self.e_her if energy is None else energy, dtype=float)
        p = np.sqrt(e**2 - M_E**2)
        return lorentz.p4(p * np.sin(self.angle_her), 0.0 * p, p * np.cos(self.angle_her), e)

    def positron_p4(self, energy: np.ndarray | float | None = None) -> np.ndarray:
        e = np.asarray(self.e_ler if energy is None else energy, dtype=float)
        p = np.sqrt(e**2 - M_E**2)
        return lorentz.p4(p * np.sin(self.angle_ler), 0.0 * p, -p * np.cos(self.angle_ler), e)

    @cached_property
    def p4_total(self) -> np.ndarray:
        return self.electron_p4() + self.positron_p4()

    @property
    def s(self) -> float:
        return float(lorentz.mass2(self.p4_total))

    @property
    def sqrt_s(self) -> float:
        return float(np.sqrt(self.s))

    @property
    def boost_beta(self) -> np.ndarray:
        """Velocity of the CMS in the lab (3-vector)."""
        return self.p4_total[:3] / self.p4_total[3]

    @property
    def beta_gamma(self) -> float:
        return float(lorentz.p3mag(self.p4_total) / self.sqrt_s)

    # --- frames ------------------------------------------------------------------------------
    def to_cms(self, p: np.ndarray, beta: np.ndarray | None = None) -> np.ndarray:
        """Lab → CMS for (..., 4) arrays; ``beta`` overrides the nominal boost per event."""
        return lorentz.boost(p, -(self.boost_beta if beta is None else beta))

    def to_lab(self, p: np.ndarray, beta: np.ndarray | None = None) -> np.ndarray:
        """CMS → lab for (..., 4) arrays; ``beta`` overrides the nominal boost per event."""
        return lorentz.boost(p, self.boost_beta if beta is None else beta)

    # --- random beam conditions --------------------------------------------------------------
    def sample_beam_energies(self, rng: np.random.Generator, n: int
                             ) -> tuple[np.ndarray, np.ndarray]:
        """Gaussian beam-energy spread: (E_e⁻, E_e⁺) per event."""
        return (self.e_her + self.sigma_e_her * rng.standard_normal(n),
                self.e_ler + self.sigma_e_ler * rng.standard_normal(n))

    def sample_vertex(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Primary vertices (n, 3) in cm drawn from the luminous region."""
        return rng.standard_normal((n, 3)) * np.asarray(self.spot_sigma)


BELLE2 = Experiment(
    name="belle2", e_her=7.004, e_ler=4.002, angle_her=0.0415, angle_ler=0.0415,
    sigma_e_her=5.13e-3, sigma_e_ler=2.375e-3, spot_sigma=(6.4e-4, 4.2e-6, 1.54e-2),
    provenance="basf2 beamparameters.py 'Y4S' preset; luminous region from the product of the "
               "two bunches (reference/theory_detector.md B1)")
BELLE = Experiment(
    name="belle", e_her=7.998, e_ler=3.499, angle_her=0.011, angle_ler=0.011,
    sigma_e_her=5.8e-3, sigma_e_ler=2.6e-3, spot_sigma=(1.0e-2, 5.0e-4, 0.35),
    provenance="KEKB design: 8.0/3.5 GeV, 22 mrad crossing [RECALLED]")
BABAR = Experiment(
    name="babar", e_her=8.973, e_ler=3.119, angle_her=0.0, angle_ler=0.0,
    sigma_e_her=5.5e-3, sigma_e_ler=2.5e-3, spot_sigma=(1.2e-2, 6.0e-4, 0.85),
    provenance="PEP-II at the Υ(4S): 9.0/3.1 GeV head-on [RECALLED]")

EXPERIMENTS: dict[str, Experiment] = {x.name: x for x in (BELLE2, BELLE, BABAR)}


def get_experiment(name: str) -> Experiment:
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise unknown("experiment", name, list(EXPERIMENTS)) from None
