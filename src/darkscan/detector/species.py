"""Per-particle properties needed by the detector: charge, mass, visibility (vectorised over PDG
ids by looking up each distinct id once in the ``particle`` tables)."""

from __future__ import annotations

from functools import cache

import numpy as np
from particle import Particle

#: neutral particles that interact in the detector (everything else neutral is invisible)
VISIBLE_NEUTRALS = frozenset({22, 111, 130, 310, 2112, 3122, 221})
PHOTON, ELECTRON, MUON, PION, KAON, PROTON, KLONG, NEUTRON = 22, 11, 13, 211, 321, 2212, 130, 2112


@cache
def _props(pdg: int) -> tuple[float, float]:
    try:
        p = Particle.from_pdgid(pdg)
        charge = float(p.charge) if p.charge is not None else 0.0
        mass = float(p.mass) / 1000.0 if p.mass is not None else np.nan
    except Exception:  # dark states and ids unknown to the PDG tables: neutral, no mass
        return 0.0, np.nan
    return charge, mass


def lookup(pdg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Charge (units of e) and mass (GeV) per PDG id."""
    pdg = np.asarray(pdg, dtype=np.int64)
    uniq, inv = np.unique(pdg, return_inverse=True)
    props = np.array([_props(int(u)) for u in uniq], dtype=float).reshape(-1, 2)
    return props[inv, 0], props[inv, 1]


def is_invisible(pdg: np.ndarray, charge: np.ndarray) -> np.ndarray:
    """Neutral particles that leave no signal: neutrinos, dark states, unknown neutrals."""
    vis = np.isin(np.abs(pdg), list(VISIBLE_NEUTRALS))
    return (charge == 0) & ~vis
