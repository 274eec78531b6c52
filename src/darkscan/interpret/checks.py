"""Validation of the published-limit database (:mod:`darkscan.interpret.published`): every record
loads and every search's overlay resolves to a column the search writes; the digitised curves
agree with what their papers' abstracts say, within the digitisation's precision. All quick
(milliseconds)."""

from __future__ import annotations

import numpy as np

from darkscan.registry import Measurement, check

_ALP = "belle2-2020-alp-photons"
_BABAR = "babar-2017-darkphoton-invisible"
_PROV_ALP = ("Belle II PRL 125 161806 (2020), arXiv:2007.13071, abstract: g_aγγ ~ 10⁻³ GeV⁻¹ for "
             "0.2 < m_a < 9.7 GeV (reference/published.md); the curve: AxionLimits "
             "BelleII.txt (digitised)")
#: a digitised curve's ends sit within a few per cent of the plotted range (line width, pixels)
_DIGITISATION = 0.03


def overlay_problems() -> list[str]:
    """What does not resolve: a record naming an unknown search, or an axis or quantity the
    search does not write."""
    from darkscan.interpret.published import load_all
    from darkscan.searches import get, names

    problems: list[str] = []
    known = set(names())
    for r in load_all().values():
        for name in r.searches:
            if name not in known:
                problems.append(f"{r.id}: unknown search {name!r}")
                continue
            s = get(name)
            columns = {s.quantity.name} | {f"{i.column}_ul_{i.model}" for i in s.interpretations}
            if r.column not in columns:
                problems.append(f"{r.id}: {name} writes no {r.column!r} (has {sorted(columns)})")
            if r.axis not in {a.name for a in s.axes}:
                problems.append(f"{r.id}: {name} has no axis {r.axis!r}")
    return problems


@check("published_limits_overlays_resolve", reference=0.0, tolerance=0.0, kind="absolute",
       quick=True, provenance="darkscan's published-limit database: each record validates "
                              "against its schema and names searches that write its quantity "
                              "along its axis")
def _overlays() -> Measurement:
    from darkscan.interpret.published import load_all

    problems = overlay_problems()
    return Measurement(float(len(problems)), f"{len(load_all())} records; "
                       + ("; ".join(problems) if problems else "all overlays resolve"))


def _curve(record_id: str) -> tuple[np.ndarray, np.ndarray]:
    from darkscan.interpret.published import get

    r = get(record_id)
    return np.asarray(r.x, float), np.asarray(r.y, float)


@check("published_alp_photons_curve_lowest", reference=1e-3, tolerance=1.5, kind="factor",
       unit="GeV⁻¹", quick=True, provenance=_PROV_ALP)
def _alp_lowest() -> Measurement:
    m, g = _curve(_ALP)
    return Measurement(float(g.min()), f"lowest point of the digitised curve, at m_a = "
                       f"{m[np.argmin(g)]:.3g} GeV (the abstract's '~10⁻³')")


for _end, _ref in (("low", 0.2), ("high", 9.7)):
    check(f"published_alp_photons_curve_{_end}_mass", reference=_ref, tolerance=_DIGITISATION,
          unit="GeV", quick=True, provenance=_PROV_ALP)(
        lambda e=_end: Measurement(float(_curve(_ALP)[0].min() if e == "low"
                                         else _curve(_ALP)[0].max()),
                                   f"{e} end of the digitised curve"))


@check("published_babar2017_curve_high_mass", reference=8.0, tolerance=_DIGITISATION,
       unit="GeV", quick=True,
       provenance="BaBar PRL 119 131804 (2017), arXiv:1702.03327, abstract: limits for "
                  "m_A′ ≤ 8 GeV; the curve: Hidden-Sector-Limits babar2017_formatted.dat")
def _babar_end() -> Measurement:
    return Measurement(float(_curve(_BABAR)[0].max()), "highest mass of the digitised curve")


@check("published_babar2017_epsilon_over_gm2_band", reference=1.0, tolerance=0.0, kind="max",
       quick=True,
       provenance="BaBar PRL 119 131804 (2017), abstract: the limits exclude the couplings of "
                  "the dark-photon explanation of (g−2)_μ (m_A′ ≤ 8 GeV). Band here: "
                  "Δa_μ = (251 ± 59)×10⁻¹¹ at ±2σ (2021, interpret.gminus2), not the value "
                  "BaBar used in 2017, read as ε = g′/e for a vector coupled to the muon")
def _babar_gm2() -> Measurement:
    from darkscan.interpret import gminus2_band
    from darkscan.physics.constants import ALPHA

    m, eps = _curve(_BABAR)
    eps_low = gminus2_band(m)[0] / np.sqrt(4 * np.pi * ALPHA)
    ratio = eps / eps_low
    i = int(np.argmax(ratio))
    return Measurement(float(ratio[i]), f"largest ε_limit/ε_(g−2) low edge, at m = {m[i]:g} "
                       f"GeV (ε limit {eps[i]:.3g}, band from {eps_low[i]:.3g}); below 1: the "
                       "whole band is excluded at every digitised mass")


from darkscan.interpret import (  # noqa: E402, F401  (their checks register)
    checks_projection,
    checks_recast,
)
