"""Per-particle properties needed by the detector: charge, mass, visibility (vectorised over PDG
ids by looking up each distinct id once in the ``particle`` tables)."""

from __future__ import annotations

from functools import cache

import numpy as np
from particle import Particle

from darkscan.jit import jit

#: neutral particles that interact in the detector (everything else neutral is invisible)
VISIBLE_NEUTRALS = frozenset({22, 111, 130, 310, 2112, 3122, 221})
PHOTON, ELECTRON, MUON, PION, KAON, PROTON, KLONG, NEUTRON = 22, 11, 13, 211, 321, 2212, 130, 2112
#: the charged species that leave a track, and the neutral ones the detector simulation decays
#: into two (the generators leave K_S⁰ and Λ undecayed): what truth filters count as tracks
TRACK_SPECIES = (ELECTRON, MUON, PION, KAON, PROTON)
TWO_TRACK_V0 = (310, 3122)


@cache
def _props(pdg: int) -> tuple[float, float]:
    try:
        p = Particle.from_pdgid(pdg)
        charge = float(p.charge) if p.charge is not None else 0.0
        mass = float(p.mass) / 1000.0 if p.mass is not None else np.nan
    except Exception:  # dark states and ids unknown to the PDG tables: neutral, no mass
        return 0.0, np.nan
    return charge, mass


@jit
def _distinct(pdg, size):  # pragma: no cover - compiled
    """Distinct ids (in order of appearance) and each entry's index among them, by open
    addressing in a table of ``size`` (a power of two) slots; ok False when more than size/2
    distinct ids (then the caller falls back to sorting)."""
    keys = np.zeros(size, dtype=np.int64)
    code_of = np.full(size, -1, dtype=np.int64)
    uniq = np.empty(size // 2, dtype=np.int64)
    codes = np.empty(pdg.shape[0], dtype=np.int64)
    n_uniq = 0
    for i in range(pdg.shape[0]):
        k = pdg[i]
        h = (np.uint64(k) * np.uint64(11400714819323198485)) >> np.uint64(40)
        h = np.int64(h) & (size - 1)
        while code_of[h] >= 0 and keys[h] != k:
            h = (h + 1) & (size - 1)
        if code_of[h] < 0:
            if n_uniq == size // 2:
                return uniq[:0], codes, False
            keys[h], code_of[h] = k, n_uniq
            uniq[n_uniq] = k
            n_uniq += 1
        codes[i] = code_of[h]
    return uniq[:n_uniq], codes, True


def properties(pdg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Charge (units of e), mass (GeV) and invisibility per PDG id, each distinct id looked up
    once."""
    pdg = np.ascontiguousarray(pdg, dtype=np.int64)
    uniq, codes, ok = _distinct(pdg, 1024)
    if not ok:
        uniq, codes = np.unique(pdg, return_inverse=True)
    props = np.array([_props(int(u)) for u in uniq], dtype=float).reshape(-1, 2)
    invisible = is_invisible(uniq, props[:, 0])
    return props[codes, 0], props[codes, 1], invisible[codes]


def is_invisible(pdg: np.ndarray, charge: np.ndarray) -> np.ndarray:
    """Neutral particles that leave no signal: neutrinos, dark states, unknown neutrals."""
    vis = np.isin(np.abs(pdg), list(VISIBLE_NEUTRALS))
    return (charge == 0) & ~vis
