"""Particle-list definitions (basf2's ``fillParticleList`` / ``reconstructDecay`` /
``treeFit`` / ``rankByHighest`` as one typed record) and their resolution into an order.

``ListDef("pi+:good2", cut="pionID > 0.5")`` fills a final-state list;
``ListDef("K_S0:pipi -> pi+ pi-", cut="0.45 < M < 0.55", vertex=VertexFit())`` builds a
composite list, fits its vertex and keeps the candidates passing the cut. Lists may use each
other to any depth; an undefined list, a list defined twice or a cycle is one clear error naming
the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from darkscan.errors import ParameterError
from darkscan.reco.decay import Decay, ListRef, parse_decay, parse_ref

Constraint = Literal["", "ipprofile", "iptube"]


@dataclass(frozen=True)
class VertexFit:
    """Fit the candidate's vertex from its charged final-state daughters and its composite
    daughters' flight lines. ``constraint``: ``ipprofile`` adds the luminous region as a
    measurement, ``iptube`` the luminous region elongated along the candidate's momentum (basf2's
    names). ``min_prob``: candidates with a χ² probability below it are dropped (0 keeps all)."""

    constraint: Constraint = ""
    min_prob: float = 0.0

    def __post_init__(self) -> None:
        if self.constraint not in ("", "ipprofile", "iptube"):
            raise ParameterError(f"unknown vertex constraint '{self.constraint}'; "
                                 "use '', 'ipprofile' or 'iptube'")
        if not 0.0 <= self.min_prob < 1.0:
            raise ParameterError(f"min_prob must be in [0, 1), got {self.min_prob}")


@dataclass(frozen=True)
class ListDef:
    """One particle list: a final-state list filled with a cut (``"pi+:good2"``) or a decay
    (``"S:mumu -> mu+ mu-"``), with per-list cut, candidate limit (events with more candidates
    keep none, against combinatorics), vertex fit, mass-constrained fit of the daughters'
    momenta to the mother's PDG mass (``mass_fit``) and best-candidate rank (``rank_by`` a
    cut-language expression, the ``num_best`` highest or lowest kept; 0 keeps all)."""

    definition: str
    cut: str = ""
    candidate_limit: int | None = None
    vertex: VertexFit | None = None
    mass_fit: bool = False
    rank_by: str = ""
    highest: bool = True
    num_best: int = 0

    def __post_init__(self) -> None:
        self.key  # noqa: B018 - parses the definition now
        if self.candidate_limit is not None and self.candidate_limit < 1:
            raise ParameterError(f"candidate_limit of '{self.definition}' must be ≥ 1")
        if self.num_best < 0 or (self.num_best and not self.rank_by):
            raise ParameterError(f"num_best of '{self.definition}' needs rank_by and must be ≥ 0")
        if self.decay is None and (self.vertex is not None or self.mass_fit):
            raise ParameterError(f"'{self.definition}' is a final-state list: no vertex or "
                                 "mass fit")
        for expr in (self.cut, self.rank_by):
            if expr:
                from darkscan.expr import Cut

                Cut.parse(expr)

    @property
    def decay(self) -> Decay | None:
        return parse_decay(self.definition) if "->" in self.definition else None

    @property
    def ref(self) -> ListRef:
        dec = self.decay
        if dec is not None:
            return dec.mother
        text = self.definition.strip()
        ref = parse_ref(text, text, default_label="")
        if not ref.label:
            raise ParameterError(f"the list '{text}' needs a label: NAME:LABEL")
        if not ref.particle.is_final_state:
            raise ParameterError(f"'{text}' is not a final-state particle: build it with "
                                 f"'{text} -> daughters'")
        if ref.predefined_cut is not None:
            raise ParameterError(f"'{text}' is a predefined list; choose another label")
        return ref

    @property
    def key(self) -> str:
        return self.ref.list_key


def as_listdef(item: str | ListDef) -> ListDef:
    return item if isinstance(item, ListDef) else ListDef(item)


def resolve(head: str | ListDef, lists: Sequence[str | ListDef] = ()) -> list[ListDef]:
    """Every list ``head`` needs, dependencies first, ``head`` last. Predefined final-state
    lists need no definition."""
    head_def = as_listdef(head)
    if head_def.decay is None:
        raise ParameterError(f"'{head_def.definition}' is not a decay string: the head list "
                             "must be 'mother -> daughters'")
    defs: dict[str, ListDef] = {}
    for item in (*(as_listdef(i) for i in lists),):
        if not item.ref.label:
            raise ParameterError(f"the list '{item.definition}' needs a label: "
                                 f"'{item.ref.name}:LABEL -> ...'")
        if item.key in defs:
            raise ParameterError(f"the list '{item.key}' is defined twice")
        defs[item.key] = item
    order: list[ListDef] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(d: ListDef, path: tuple[str, ...]) -> None:
        key = d.key
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            raise ParameterError("particle lists form a cycle: " + " -> ".join((*path, key)))
        state[key] = 1
        dec = d.decay
        for dau in dec.daughters if dec is not None else ():
            if dau.predefined_cut is not None:
                continue
            sub = defs.get(dau.list_key)
            if sub is None:
                kind = "fill it with ListDef('" + dau.text + "', cut=...)" if \
                    dau.particle.is_final_state else "define it with ListDef('" + dau.text + \
                    " -> ...')"
                raise ParameterError(f"the list '{dau.text}' used in '{d.definition}' is not "
                                     f"defined: {kind}")
            visit(sub, (*path, key))
        state[key] = 2
        order.append(d)

    if head_def.key in defs and defs[head_def.key] is not head_def:
        raise ParameterError(f"the head list '{head_def.key}' is also among the sub-lists")
    visit(head_def, ())
    return order
