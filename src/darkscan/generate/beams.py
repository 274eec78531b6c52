"""Per-event beams: energy spread, the e⁺e⁻ CMS frame of each event, the frame change from the
generator's canonical frame (e⁻ along +z in the CMS) to the lab (rotation onto the CMS e⁻
direction, then the boost along the full CMS velocity 3-vector of the crossing-angle beams), and
the primary vertex from the luminous region. All beam numbers come from the experiment preset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from darkscan.physics.experiment import Experiment
from darkscan.physics.lorentz import boost, rotation_to

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


def sample_beams(exp: Experiment, rng: np.random.Generator, n: int, spread: bool = True
                 ) -> Beams:
    """Beams for ``n`` events; ``spread=False`` gives the nominal energies (vertex still drawn)."""
    if spread:
        e1, e2 = exp.sample_beam_energies(rng, n)
    else:
        e1, e2 = np.full(n, exp.e_her), np.full(n, exp.e_ler)
    pm, pp = exp.electron_p4(e1), exp.positron_p4(e2)
    tot = pm + pp
    beta = tot[:, :3] / tot[:, 3:4]
    sqrt_s = np.sqrt(tot[:, 3] ** 2 - np.sum(tot[:, :3] ** 2, axis=-1))
    direction = boost(pm, -beta)[:, :3]
    return Beams(pm, pp, sqrt_s, beta, rotation_to(direction), exp.sample_vertex(rng, n))


@dataclass(frozen=True)
class Frame:
    """Canonical CMS frame → lab: rotate (n, 3, 3), then boost by β (n, 3)."""

    beta: Array
    rotation: Array

    def apply(self, p: Array) -> Array:
        """Transform (n, k, 4) momenta."""
        out = np.empty_like(p)
        out[..., :3] = np.einsum("nij,nkj->nki", self.rotation, p[..., :3])
        out[..., 3] = p[..., 3]
        return boost(out, self.beta[:, None, :])
