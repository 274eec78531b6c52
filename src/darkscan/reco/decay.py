"""basf2-style decay strings: ``"vpho -> mu+:loose mu-:loose"``.

Daughters are final-state particles with an optional list label (default ``all``). Lists:

- tracks ``all``: every reconstructed track; ``loose``: |dr| < 2 cm and |dz| < 4 cm (prompt);
  ``good``: loose and the species' ID score above the 0.9 working point; ``displaced``: no
  impact-parameter cut (for long-lived decays).
- photons ``all``: every cluster not matched to a track; ``loose``: E > 0.1 GeV.

Charge conjugation: ``mu+`` takes positive tracks, ``mu-`` negative ones, so a decay string and
its conjugate give the same candidates for a neutral mother.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from darkscan.errors import ParameterError, unknown

#: final-state names → (|pdg|, charge sign, ID score)
FINAL_STATES: dict[str, tuple[int, int, str]] = {
    "e+": (11, 1, "electronID"), "e-": (11, -1, "electronID"),
    "mu+": (13, 1, "muonID"), "mu-": (13, -1, "muonID"),
    "pi+": (211, 1, "pionID"), "pi-": (211, -1, "pionID"),
    "K+": (321, 1, "kaonID"), "K-": (321, -1, "kaonID"),
    "gamma": (22, 0, ""),
}
TRACK_LISTS = {"all": "", "loose": "abs(dr) < 2 and abs(dz) < 4",
               "good": "abs(dr) < 2 and abs(dz) < 4 and {pid} > 0.9", "displaced": ""}
PHOTON_LISTS = {"all": "", "loose": "E > 0.1"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_*']*[+\-0]?$")


@dataclass(frozen=True)
class Daughter:
    name: str
    label: str
    pdg: int
    charge: int
    pid: str

    @property
    def is_photon(self) -> bool:
        return self.pdg == 22

    @property
    def signed_pdg(self) -> int:
        """PDG convention: negative leptons have positive ids, positive hadrons positive ids."""
        if self.pdg in (11, 13):
            return -self.charge * self.pdg
        return self.charge * self.pdg if self.charge else self.pdg

    @property
    def cut(self) -> str:
        lists = PHOTON_LISTS if self.is_photon else TRACK_LISTS
        return lists[self.label].format(pid=self.pid)


@dataclass(frozen=True)
class Decay:
    text: str
    mother: str
    daughters: tuple[Daughter, ...]


def parse_decay(text: str) -> Decay:
    """Parse ``"mother -> d1[:label] d2[:label] ..."``."""
    if "->" not in text:
        raise ParameterError(f"decay string '{text}' needs 'mother -> daughters', "
                             "e.g. 'vpho -> mu+ mu-'")
    left, right = (s.strip() for s in text.split("->", 1))
    if not _NAME.match(left):
        raise ParameterError(f"bad mother name '{left}' in decay string '{text}'")
    items = right.split()
    if not items:
        raise ParameterError(f"decay string '{text}' has no daughters")
    out = []
    for item in items:
        name, _, label = item.partition(":")
        label = label or "all"
        if name not in FINAL_STATES:
            raise unknown("final-state particle", name, list(FINAL_STATES))
        pdg, charge, pid = FINAL_STATES[name]
        lists = PHOTON_LISTS if pdg == 22 else TRACK_LISTS
        if label not in lists:
            raise unknown(f"list label for {name}", label, list(lists))
        out.append(Daughter(name, label, pdg, charge, pid))
    return Decay(text, left, tuple(out))
