"""PDG-style ids of the dark states (DESIGN.md §3), from ``data/dark_particles.json``.

A′ = 4900023 and the dark-matter fermion χ(₁) = 4900101 are the basf2 ``Dark_photon_UFO`` codes
[theory_detector.md A2, READ]. The others are darkscan conventions in the Pythia 8 hidden-valley
block: 4900000 + the id of the Standard-Model analogue (Z′ → 32, h′ → 25, S → 35, a → 36,
χ₂ → 102, muonphilic S → 37; the leptophilic scalar φ_L → 38 and the lepton-coupled ALP → 39
continue that numbering, and so does the invisible boson α → 40 of the lepton-flavour-violating
decay τ → ℓα, key ``lfv_boson``). The χ's are Majorana in the iDM model but carry distinct ids
for the Dirac (χχ̄) case, so ``self_conjugate`` is false and antiparticles are −id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from darkscan.errors import unknown

__all__ = ["DarkParticle", "dark_particle", "dark_particles", "is_dark", "pdgid"]


@dataclass(frozen=True)
class DarkParticle:
    key: str
    pdgid: int
    name: str
    latex: str
    spin: float
    charge: float
    self_conjugate: bool


@cache
def dark_particles() -> tuple[DarkParticle, ...]:
    """All dark states of the package table."""
    text = resources.files("darkscan.models").joinpath("data/dark_particles.json").read_text(
        encoding="utf-8")
    return tuple(DarkParticle(**p) for p in json.loads(text)["particles"])


def dark_particle(key: str | int) -> DarkParticle:
    """Look a dark state up by key (``"darkphoton"``), name (``"A'"``) or id (±4900023)."""
    for p in dark_particles():
        if key in (p.key, p.name) or (isinstance(key, int) and abs(key) == p.pdgid):
            return p
    raise unknown("dark particle", str(key), [p.key for p in dark_particles()])


def pdgid(key: str) -> int:
    """The id of a dark state: ``pdgid("zprime") == 4900032``."""
    return dark_particle(key).pdgid


def is_dark(pid: int) -> bool:
    """True if ``pid`` (or its antiparticle) is one of the dark states of the table."""
    return any(abs(int(pid)) == p.pdgid for p in dark_particles())
