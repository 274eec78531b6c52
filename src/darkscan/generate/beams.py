"""Per-event beams: energy spread, the e⁺e⁻ CMS frame of each event, the frame change from the
generator's canonical frame (e⁻ along +z in the CMS) to the lab (rotation onto the CMS e⁻
direction, then the boost along the full CMS velocity 3-vector of the crossing-angle beams), and
the primary vertex from the luminous region. All beam numbers come from the experiment preset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from darkscan.physics import lorentz
from darkscan.physics.experiment import Experiment

Array = np.ndarray


@dataclass(frozen=True)
class Beams:
    e_minus: Array   #: (n, 4) lab
    e_plus: Array    #: (n, 4) lab
    sqrt_s: Array    #: (n,)
    beta: Array      #: (n, 3) CMS velocity in the lab
    rotation: Array  #: (n, 3, 3) canonical frame → CMS axes
    vertex: Array    #: (n, 3) cm

    def as_state(self) -> dict[str, Array]:
        return {"e_minus": self.e_minus, "e_plus": self.e_plus, "beta": self.beta,
                "rotation": self.rotation, "vertex": self.vertex}


def beam_energies(exp: Experiment, rng: np.random.Generator, n: int, spread: bool = True
                  ) -> tuple[Array, Array]:
    """(E_e⁻, E_e⁺) for ``n`` events; ``spread=False`` gives the nominal energies."""
    if spread:
        return exp.sample_beam_energies(rng, n)
    return np.full(n, exp.e_her), np.full(n, exp.e_ler)


def cms_energy(exp: Experiment, e_minus: Array, e_plus: Array) -> Array:
    """√s of each event: all the hard process needs, so that the frames and vertices are built
    for accepted events only."""
    tot = exp.electron_p4(e_minus) + exp.positron_p4(e_plus)
    return np.sqrt(tot[:, 3] ** 2 - tot[:, 0] ** 2 - tot[:, 1] ** 2 - tot[:, 2] ** 2)


def from_energies(exp: Experiment, e_minus: Array, e_plus: Array, rng: np.random.Generator
                  ) -> Beams:
    """Beams with the given energies; the primary vertices are drawn from ``rng``."""
    pm, pp = exp.electron_p4(e_minus), exp.positron_p4(e_plus)
    tot = pm + pp
    beta = tot[:, :3] / tot[:, 3:4]
    sqrt_s = np.sqrt(tot[:, 3] ** 2 - tot[:, 0] ** 2 - tot[:, 1] ** 2 - tot[:, 2] ** 2)
    direction = lorentz.boost(pm, -beta)[:, :3]
    return Beams(pm, pp, sqrt_s, beta, lorentz.rotation_to(direction),
                 exp.sample_vertex(rng, len(pm)))


def sample_beams(exp: Experiment, rng: np.random.Generator, n: int, spread: bool = True
                 ) -> Beams:
    """Beams for ``n`` events; ``spread=False`` gives the nominal energies (vertex still drawn)."""
    e_minus, e_plus = beam_energies(exp, rng, n, spread)
    return from_energies(exp, e_minus, e_plus, rng)


@dataclass(frozen=True)
class Frame:
    """Canonical CMS frame → lab: rotate (n, 3, 3), then boost by β (n, 3)."""

    beta: Array
    rotation: Array

    def apply(self, p: Array) -> Array:
        """Transform (n, k, 4) momenta."""
        return lorentz.rotate_boost(p, self.rotation, self.beta)
