"""basf2-style decay strings and particle-list names.

``"B+:sig -> K+:good S:mumu"`` reads: the list ``B+:sig`` holds candidates built from one
``K+:good`` and one ``S:mumu``. A name before ``:`` is a particle (EvtGen/basf2 names through
``particle``: ``pi+``, ``K_S0``, ``anti-B0``, ``Lambda0``, ``vpho``; the dark states of
:mod:`darkscan.models.ids`: ``A'``, ``Z'``, ``h'``, ``S``, ``a``, ``chi1``, ``chi2``), the label
after it names the list (default ``all``).

Final-state particles (``e± mu± pi± K± p± gamma``) come from predefined lists or from lists
filled with a cut (:class:`darkscan.reco.lists.ListDef` without ``->``):

- tracks ``all``: every reconstructed track; ``loose``: |dr| < 2 cm and |dz| < 4 cm (prompt);
  ``good``: loose and the species' ID score above 0.9 (a common tight cut); ``displaced``: no
  impact-parameter cut (for long-lived decays).
- photons ``all``: every cluster not matched to a track; ``loose``: E > 0.1 GeV.

Charge conjugation (as basf2): a list holds particles and antiparticles, and a decay string also
builds its charge conjugate unless it is its own conjugate (``vpho -> mu+ mu-``,
``K_S0 -> pi+ pi-``). A daughter ``mu+`` takes the positive tracks of its list, ``anti-K*0:kpi``
the antiparticle candidates of ``K*0:kpi``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from darkscan.errors import DarkscanError, ParameterError, unknown

#: final-state names → (|pdg|, charge sign, ID score)
FINAL_STATES: dict[str, tuple[int, int, str]] = {
    "e+": (11, 1, "electronID"), "e-": (11, -1, "electronID"),
    "mu+": (13, 1, "muonID"), "mu-": (13, -1, "muonID"),
    "pi+": (211, 1, "pionID"), "pi-": (211, -1, "pionID"),
    "K+": (321, 1, "kaonID"), "K-": (321, -1, "kaonID"),
    "p+": (2212, 1, "protonID"), "anti-p-": (2212, -1, "protonID"),
    "gamma": (22, 0, ""),
}
TRACK_LISTS = {"all": "", "loose": "abs(dr) < 2 and abs(dz) < 4",
               "good": "abs(dr) < 2 and abs(dz) < 4 and {pid} > 0.9", "displaced": ""}
PHOTON_LISTS = {"all": "", "loose": "E > 0.1"}
#: basf2's virtual photon (the e⁺e⁻ system), not in the PDG table
VPHO = 10022
_LABEL = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class ParticleName:
    """A particle known by name: signed PDG id, charge (units of e), mass (GeV)."""

    name: str
    pdg: int
    charge: int
    mass: float

    @property
    def is_final_state(self) -> bool:
        return self.name in FINAL_STATES

    @property
    def is_photon(self) -> bool:
        return self.pdg == 22


@cache
def particle(name: str) -> ParticleName:
    """Resolve a basf2/EvtGen particle name (raises naming the token when unknown)."""
    from particle import Particle
    from particle.particle.particle import ParticleNotFound

    from darkscan.models.ids import dark_particles

    if name == "vpho":
        return ParticleName(name, VPHO, 0, 0.0)
    if name in FINAL_STATES and name.startswith(("p+", "anti-p-")):
        sign = FINAL_STATES[name][1]
        return ParticleName(name, 2212 * sign, sign, Particle.from_pdgid(2212).mass / 1e3)
    for d in dark_particles():
        if name in (d.name, d.key):
            return ParticleName(name, d.pdgid, int(d.charge), 0.0)
        if name in ("anti-" + d.name, "anti-" + d.key) and not d.self_conjugate:
            return ParticleName(name, -d.pdgid, -int(d.charge), 0.0)
    try:
        p = Particle.from_evtgen_name(name)
    except (ParticleNotFound, ValueError, KeyError):
        raise unknown("particle", name, [*FINAL_STATES, "vpho", "K_S0", "pi0", "Lambda0",
                                         "B+", "B0", "anti-B0", "K*0", "D0", "J/psi", "eta",
                                         *(d.name for d in dark_particles())]) from None
    return ParticleName(name, int(p.pdgid), round(p.charge or 0),
                        (p.mass or 0.0) / 1e3)


@cache
def conjugate_name(name: str) -> str:
    """``pi+`` ↔ ``pi-``, ``B0`` ↔ ``anti-B0``; self-conjugate names unchanged."""
    p = particle(name)
    if p.pdg in (VPHO, 22):
        return name
    for cand in (name[:-1] + {"+": "-", "-": "+"}.get(name[-1], name[-1]),
                 name[5:] if name.startswith("anti-") else "anti-" + name):
        if cand == name:
            continue
        try:
            if particle(cand).pdg == -p.pdg:
                return cand
        except DarkscanError:  # no such name: try the other spelling
            continue
    return name  # self-conjugate (K_S0, pi0, J/psi, S, ...)


@dataclass(frozen=True)
class ListRef:
    """One slot of a decay string: a particle name and the list it is drawn from."""

    name: str
    label: str

    @property
    def particle(self) -> ParticleName:
        return particle(self.name)

    @property
    def is_photon(self) -> bool:
        return self.particle.is_photon

    @property
    def list_key(self) -> str:
        """The list holding both charges: ``pi+:good`` and ``pi-:good`` share ``pi+:good``."""
        p = self.particle
        base = self.name
        if p.charge < 0 or (p.charge == 0 and p.pdg < 0):
            base = conjugate_name(self.name)
        return f"{base}:{self.label}"

    @property
    def text(self) -> str:
        return f"{self.name}:{self.label}"

    def conjugate(self) -> ListRef:
        return ListRef(conjugate_name(self.name), self.label)

    @property
    def predefined_cut(self) -> str | None:
        """The cut of a predefined final-state list, None for any other list."""
        fs = FINAL_STATES.get(self.name)
        if fs is None:
            return None
        lists = PHOTON_LISTS if fs[0] == 22 else TRACK_LISTS
        cut = lists.get(self.label)
        return None if cut is None else cut.format(pid=fs[2])


# kept for the flat (one-level) path and old callers: a final-state slot
Daughter = ListRef


@dataclass(frozen=True)
class Decay:
    """A parsed decay string: the mother list and its daughter slots."""

    text: str
    mother: ListRef
    daughters: tuple[ListRef, ...]

    @property
    def self_conjugate(self) -> bool:
        return (self.mother.conjugate() == self.mother
                and Counter(self.daughters) == Counter(d.conjugate() for d in self.daughters))

    def conjugate(self) -> Decay:
        return Decay(self.text, self.mother.conjugate(),
                     tuple(d.conjugate() for d in self.daughters))

    @property
    def charge_balanced(self) -> bool:
        """The mother's charge is the daughters' sum."""
        return self.mother.particle.charge == sum(d.particle.charge for d in self.daughters)


def parse_ref(item: str, text: str, *, default_label: str = "all") -> ListRef:
    name, sep, label = item.partition(":")
    if sep and not label:
        raise ParameterError(f"empty list label in '{item}' of '{text}': write NAME:LABEL")
    label = label or default_label
    if label and not _LABEL.match(label):
        raise ParameterError(f"bad list label '{label}' in '{text}': letters, digits and _")
    ref = ListRef(name, label)
    ref.particle  # noqa: B018 - resolves the name, raising on an unknown one
    return ref


def parse_decay(text: str) -> Decay:
    """Parse ``"mother[:label] -> d1[:label] d2[:label] ..."``."""
    if text.count("->") != 1:
        raise ParameterError(f"decay string '{text}' needs one 'mother -> daughters', "
                             "e.g. 'vpho -> mu+ mu-'")
    left, right = (s.strip() for s in text.split("->", 1))
    if not left or len(left.split()) != 1:
        raise ParameterError(f"bad mother '{left}' in decay string '{text}': one NAME[:LABEL]")
    mother = parse_ref(left, text, default_label="")
    items = right.split()
    if not items:
        raise ParameterError(f"decay string '{text}' has no daughters")
    daughters = tuple(parse_ref(i, text) for i in items)
    for d in daughters:
        if d.particle.is_final_state and d.predefined_cut is None and d.label in (
                "all", "loose", "good", "displaced"):
            raise unknown(f"list label for {d.name}", d.label,
                          list(PHOTON_LISTS if d.particle.is_photon else TRACK_LISTS))
    if mother.particle.is_final_state:
        raise ParameterError(f"'{mother.name}' in '{text}' is a final-state particle: it cannot "
                             "be built from daughters")
    dec = Decay(text, mother, daughters)
    # vpho (a generic system, e.g. same-sign control pairs) may carry any charge
    if not dec.charge_balanced and mother.particle.pdg != VPHO:
        raise ParameterError(f"decay string '{text}' does not conserve charge "
                             f"({mother.name} has {mother.particle.charge:+d})")
    return dec
