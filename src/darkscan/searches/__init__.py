"""One declarative module per search, wiring the stages (DESIGN §4). A search must not
re-implement a stage.

``get(name)`` returns the search object; searches not written yet are listed as planned and
say so clearly when run.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from darkscan.errors import unknown


@dataclass(frozen=True)
class SearchInfo:
    name: str
    summary: str
    module: str | None  #: None while the search is planned but not implemented


SEARCHES: dict[str, SearchInfo] = {s.name: s for s in (
    SearchInfo("zprime-invisible", "e+e- -> mu+mu- Z', Z' -> invisible; recoil mass^2 windows; "
               "90% CL on sigma and g'", "darkscan.searches.zprime_invisible"),
    SearchInfo("zprime-mumu", "e+e- -> mu+mu- Z'(-> mu+mu-), 4 muons; sliding-window fits", None),
    SearchInfo("zprime-tautau", "e+e- -> mu+mu- X(-> tau+tau-); recoil mass against mu+mu-", None),
    SearchInfo("dark-higgsstrahlung", "e+e- -> A'h', A' -> mu+mu-, h' invisible; 2D windows",
               None),
    SearchInfo("idm-dark-higgs", "inelastic DM + dark Higgs; two displaced vertices; 95% CL",
               None),
    SearchInfo("b-to-k-scalar", "B -> K(*) S, S -> ee/mumu/pipi/KK long-lived; 95% CL", None),
    SearchInfo("alp-photons", "e+e- -> gamma a, a -> gamma gamma; sliding-window fits; 95% CL",
               None),
    SearchInfo("dark-photon-invisible", "e+e- -> gamma A', A' -> chi chi; single photon", None),
    SearchInfo("b-to-k-alp", "B -> K(*) a, a -> gamma gamma; g_aW", None),
    SearchInfo("tau-to-lepton-alp", "tau -> l alpha, alpha invisible; lepton-energy spectrum",
               None),
)}


def names() -> list[str]:
    return list(SEARCHES)


def is_ready(name: str) -> bool:
    """Whether the search's module exists in this installation."""
    info = SEARCHES[name]
    return info.module is not None and importlib.util.find_spec(info.module) is not None


def get(name: str) -> object:
    """The search object for ``name`` (a module exposing ``SEARCH``), or a clear error."""
    try:
        info = SEARCHES[name]
    except KeyError:
        raise unknown("search", name, names()) from None
    if info.module is None:
        return info
    try:
        module = importlib.import_module(info.module)
    except ModuleNotFoundError as exc:
        if exc.name != info.module:
            raise
        return SearchInfo(info.name, info.summary, None)
    return module.SEARCH
