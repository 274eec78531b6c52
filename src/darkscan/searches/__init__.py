"""One declarative module per search, wiring the stages (DESIGN §4.1): a docstring that reads
like the paper's analysis summary, truth filters, and one frozen ``SEARCH = Search(...)``.
The generic layer: :mod:`.spec` (the declaration), :mod:`.extraction` (counts per signal
point), :mod:`.samples` (the cached ntuple stage), :mod:`.runner` (``run_search``),
:mod:`.result` (the typed ``SearchResult``).

``get(name)`` returns the typed :class:`Search`; a search that is planned but not written
raises :class:`NotAvailableError` (the CLI exits 2 with its message).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING

from darkscan.errors import NotAvailableError, ParameterError, unknown

if TYPE_CHECKING:
    from darkscan.searches.spec import Search

__all__ = ["SEARCHES", "SearchInfo", "get", "is_ready", "names", "selections"]


@dataclass(frozen=True)
class SearchInfo:
    name: str
    summary: str
    module: str | None  #: None while the search is planned but not implemented


SEARCHES: dict[str, SearchInfo] = {s.name: s for s in (
    SearchInfo("zprime-invisible", "e+e- -> mu+mu- Z', Z' -> invisible; recoil mass^2 windows; "
               "90% CL on sigma and g'", "darkscan.searches.zprime_invisible"),
    SearchInfo("zprime-mumu", "e+e- -> mu+mu- Z'(-> mu+mu-), 4 muons; double Crystal Ball "
               "fits in sliding windows; 90% CL on sigma x B and g'",
               "darkscan.searches.zprime_mumu"),
    SearchInfo("scalar-mumu", "e+e- -> mu+mu- S(-> mu+mu-), muonphilic scalar, 4 muons; the "
               "zprime-mumu analysis; 90% CL on sigma x B and g_S",
               "darkscan.searches.scalar_mumu"),
    SearchInfo("zprime-tautau", "e+e- -> mu+mu- Z'(-> tau+tau-); recoil mass against mu+mu-; "
               "MLPs in mass ranges, sliding fits; 90% CL on sigma x B and g'",
               "darkscan.searches.zprime_tautau"),
    SearchInfo("leptophilic-tautau", "e+e- -> mu+mu- phi_L(-> tau+tau-), leptophilic scalar; "
               "the zprime-tautau analysis; 90% CL on sigma x B and xi",
               "darkscan.searches.leptophilic_tautau"),
    SearchInfo("alp-tautau", "e+e- -> mu+mu- a(-> tau+tau-), ALP coupled to leptons; the "
               "zprime-tautau analysis; 90% CL on sigma x B and C_ll/Lambda",
               "darkscan.searches.alp_tautau"),
    SearchInfo("dark-higgsstrahlung", "e+e- -> A'h', A' -> mu+mu-, h' invisible; 2D elliptical "
               "windows in (M_mumu, M_recoil); 90% CL on sigma and eps^2 alpha_D",
               "darkscan.searches.dark_higgsstrahlung"),
    SearchInfo("idm-dark-higgs", "e+e- -> h' chi1 chi2, h' -> mumu/pipi/KK and chi2 -> chi1 ee: "
               "two displaced vertices and missing energy; h'-mass windows; 95% CL on "
               "sigma x B x B", "darkscan.searches.idm_dark_higgs"),
    SearchInfo("b-to-k-scalar", "B -> K(*) S, S -> ee/mumu/pipi/KK at a displaced vertex; "
               "8 channels, reduced-mass windows per (m_S, ctau); 95% CL on B x B and sin theta",
               "darkscan.searches.b_to_k_scalar"),
    SearchInfo("alp-photons", "e+e- -> gamma a, a -> gamma gamma, three photons; diphoton or "
               "recoil mass fits in sliding windows; 95% CL on sigma x B and g_agg",
               "darkscan.searches.alp_photons"),
    SearchInfo("dark-photon-invisible", "e+e- -> gamma A', A' -> chi chi; single photon, recoil "
               "mass squared windows; 90% CL on sigma x B and epsilon",
               "darkscan.searches.dark_photon_invisible"),
    SearchInfo("b-to-k-alp", "B -> K a, a -> gamma gamma (Belle, 711/fb): diphoton mass fits "
               "in sliding windows; 90% CL on B x B and g_aW", "darkscan.searches.b_to_k_alp"),
    SearchInfo("tau-to-lepton-alp", "tau -> l alpha, alpha invisible, 3x1 tau pairs; lepton "
               "energy in the tau pseudo-rest frame, template fit; 95% CL on B(l alpha)/B(l nu "
               "nu)", "darkscan.searches.tau_to_lepton_alp"),
)}


def names() -> list[str]:
    return list(SEARCHES)


def is_ready(name: str) -> bool:
    """Whether the search's module exists in this installation."""
    info = SEARCHES[name]
    return info.module is not None and importlib.util.find_spec(info.module) is not None


def selections(name: str) -> tuple[str, ...]:
    """The selections a search offers (``SELECTIONS`` of its module; the first is its
    default), or () where it has one."""
    module = importlib.import_module(_module(name))
    offered = getattr(module, "SELECTIONS", {})
    default = getattr(module, "DEFAULT_SELECTION", None)
    return tuple(sorted(offered, key=lambda k: k != default))


def get(name: str, selection: str | None = None) -> Search:
    """The declared :class:`Search` for ``name`` (with ``selection``, that one of its
    selections); a clear error for an unknown name or selection, or a search that is planned
    but not written yet."""
    module = importlib.import_module(_module(name))
    if selection is None:
        return module.SEARCH
    offered = getattr(module, "SELECTIONS", {})
    if selection not in offered:
        if not offered:
            raise ParameterError(f"search '{name}' has one selection; drop --selection")
        raise unknown("selection", selection, list(offered))
    return offered[selection]


def _module(name: str) -> str:
    """The module of a search that is written; a clear error otherwise."""
    try:
        info = SEARCHES[name]
    except KeyError:
        raise unknown("search", name, names()) from None
    if not is_ready(name):
        ready = [s for s in names() if is_ready(s)]
        raise NotAvailableError(f"search '{name}' is planned but not implemented yet; ready: "
                                f"{', '.join(ready) or 'none'}")
    assert info.module is not None
    return info.module
