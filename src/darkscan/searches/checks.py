"""Search-level validation: expected limits against the published Belle II results.

These run the search (default configuration, minutes), so none is in the quick set; the test
suite runs ``--quick`` end to end instead. The published figures are quoted as ranges of the
observed limit (reference/published.md); we compare our expected limit with them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np

from darkscan.interpret.published import get as published
from darkscan.interpret.published import provenance, value_near
from darkscan.registry import Measurement, check
from darkscan.searches.result import SearchResult
from darkscan.searches.spec import Search

#: the published numbers come from the database (darkscan/interpret/data/published)
_Z2023, _Z2020 = "belle2-2023-zprime-invisible", "belle2-2020-zprime-invisible"
_PROV_2023, _PROV_2020 = provenance(_Z2023), provenance(_Z2020)


def _cache_root() -> Path:
    root = os.environ.get("DARKSCAN_VALIDATE_DIR")
    return Path(root) if root else Path(tempfile.gettempdir()) / "darkscan-validate"


def _run(search: Search, out: Path, **kwargs: object) -> SearchResult:
    """``run_search`` of a check on ``DARKSCAN_VALIDATE_WORKERS`` local processes (``darkscan
    validate --workers``; one by default): the results are the same for any number (seeded
    chunks), only the wall time is not."""
    from darkscan.run.executors import make_executor
    from darkscan.searches.runner import run_search

    ex = make_executor(int(os.environ.get("DARKSCAN_VALIDATE_WORKERS", "1")))
    try:
        return run_search(search, out_dir=out, executor=ex, **kwargs)
    finally:
        ex.close()


@cache
def _zprime(lumi: str, selection: str = "cuts") -> SearchResult:
    from darkscan.physics import parse_luminosity
    from darkscan.searches.zprime_invisible import SELECTIONS

    out = _cache_root() / f"zprime-invisible-{selection}-{lumi.replace('/', '')}"
    # the ntuple cache is shared between luminosities: only the weights differ
    out.mkdir(parents=True, exist_ok=True)
    shared = _cache_root() / "zprime-invisible-cache"
    link = out / ".cache"
    if not link.exists():
        shared.mkdir(parents=True, exist_ok=True)
        link.symlink_to(shared, target_is_directory=True)
    return _run(SELECTIONS[selection], out, lumi=parse_luminosity(lumi))


def _gprime(lumi: str, model: str = "vanilla", selection: str = "cuts"
            ) -> tuple[np.ndarray, np.ndarray]:
    r = _zprime(lumi, selection)
    return r.points["mass"], r.limit_columns()[f"gprime_ul_{model}_exp"]


#: why darkscan differs from the papers (measured on the default run; see the issue note)
_WHY_2023 = ("darkscan's 2D likelihood bins each M²_recoil window in four |cos θ*_recoil| bins "
             "(the paper fits the (θ*_recoil, M²) plane); its default selection is cut-based "
             "(--selection punzinet: the 2023 paper's network, its cuts below 2 GeV limited by "
             "the simulated μμ(γ), 52 fb⁻¹). At 8 GeV the muons are soft and close together: "
             "the two-track trigger alone keeps 17% of the selected signal (g′ 1.71 at 8 GeV), "
             "with the single-muon trigger OR-ed in (the default) 7.0% efficiency against eeμμ "
             "(the EPA weighted to the full matrix element in M²_recoil and |cos θ*_recoil|: "
             "×1.1–2.4 at 60–76 GeV²; g′ 0.745 → 0.83 at 8 GeV with the weights). Below 1 "
             "GeV the windows contain M²_recoil = 0: μμγ whose hard barrel photon is lost, "
             "2×10⁶ events passing the kinematic cuts times the loss probability; simulated: "
             "deep conversions in the crystals (~3×10⁻⁵, ×0.1 by the KLM veto; 0.42 → 0.55 of "
             "the published at 0.2 GeV); not simulated: dead or noisy crystals, timing. The "
             "lowest limit is at 0.2 GeV: from 0.5 down to 0.2 GeV the model doubles σ per g′² "
             "and B(Z′ → invisible) (1 below 2m_μ, 0.50 above), so a g′ limit as flat as the "
             "abstract's '3×10⁻³ at low masses' needs a σ × B limit 4× weaker at 0.2 than at 0.5 "
             "GeV; darkscan's is 1.7× weaker (1.47 against 0.87 fb), its g′ 0.91× and 1.01× the "
             "published at 0.5 and 1 GeV: if the abstract's value holds at 0.2 GeV, the "
             "difference lies at M²_recoil ≈ 0, where μμγ with a lost photon peaks [INFERRED]")
_WHY_2020 = ("the 2018 analysis had commissioning-era data (trigger, μ ID) and Bayesian limits "
             "with large systematics; darkscan runs the 2023 analysis (its selection, the "
             "two-track or single-muon trigger, the sideband-normalised background) at this "
             "luminosity, not the 2020 one, and is stronger")
_PROV_GM2 = ("Belle II PRL 130 231801 (2023), 79.7 fb⁻¹: a fully invisible Z′ is excluded as "
             "the (g−2)_μ explanation for 0.8 < M < 5 GeV (observed limit)")


def _at(lumi: str, mass: float, why: str, selection: str = "cuts") -> Measurement:
    m, g = _gprime(lumi, selection=selection)
    i = int(np.argmin(np.abs(m - mass)))
    return Measurement(float(g[i]), f"expected limit at M = {m[i]:g} GeV; {why}")


def _best_below(lumi: str, mass: float, why: str, selection: str = "cuts") -> Measurement:
    m, g = _gprime(lumi, selection=selection)
    sel = m <= mass
    i = int(np.nanargmin(np.where(sel, g, np.inf)))
    return Measurement(float(g[i]), f"lowest expected limit for M ≤ {mass:g} GeV at {m[i]:g} GeV; "
                       f"{why}")


@check("zprime_invisible_gprime_79.7fb_best_low_mass", reference=published(_Z2023).y[0],
       tolerance=1.5,
       kind="factor", provenance=_PROV_2023)
def _c1() -> Measurement:
    return _best_below("79.7/fb", 2.0, _WHY_2023)


@check("zprime_invisible_gprime_79.7fb_8GeV", reference=published(_Z2023).y[1],
       tolerance=1.5, kind="factor", provenance=_PROV_2023)
def _c2() -> Measurement:
    return _at("79.7/fb", 8.0, _WHY_2023)


@check("zprime_invisible_punzinet_gprime_79.7fb_best_low_mass",
       reference=published(_Z2023).y[0], tolerance=1.5, kind="factor", provenance=_PROV_2023)
def _c1_net() -> Measurement:
    return _best_below("79.7/fb", 2.0, "--selection punzinet; " + _WHY_2023, "punzinet")


@check("zprime_invisible_punzinet_gprime_79.7fb_8GeV", reference=published(_Z2023).y[1],
       tolerance=1.5, kind="factor", provenance=_PROV_2023)
def _c2_net() -> Measurement:
    return _at("79.7/fb", 8.0, "--selection punzinet; " + _WHY_2023, "punzinet")


@check("zprime_invisible_gprime_276pb_best", reference=published(_Z2020).y[0],
       tolerance=1.5, kind="factor", provenance=_PROV_2020)
def _c3() -> Measurement:
    return _best_below("276/pb", 6.0, _WHY_2020)


@check("zprime_invisible_gprime_276pb_6GeV", reference=published(_Z2020).y[1],
       tolerance=1.5, kind="factor", provenance=_PROV_2020)
def _c4() -> Measurement:
    return _at("276/pb", 6.0, _WHY_2020)


def gm2_excluded_up_to(masses: np.ndarray, limit: np.ndarray,
                       band: tuple[np.ndarray, np.ndarray]) -> float:
    """Highest mass up to which the limit stays below the lower edge of the (g−2)_μ band,
    starting from the first excluded mass (log-linear interpolation of the crossing)."""
    gap = np.log(limit) - np.log(band[0])  # < 0: the whole band is excluded
    below = np.nonzero(gap < 0)[0]
    if len(below) == 0:
        return 0.0
    i = below[0]
    while i + 1 < len(gap) and gap[i + 1] < 0:
        i += 1
    if i + 1 == len(gap) or not np.isfinite(gap[i + 1]):
        return float(masses[i])
    f = gap[i] / (gap[i] - gap[i + 1])
    return float(masses[i] + f * (masses[i + 1] - masses[i]))


@check("zprime_invisible_gm2_excluded_up_to_79.7fb", reference=5.0, tolerance=1.5,
       kind="factor", unit="GeV", provenance=_PROV_GM2)
def _c5() -> Measurement:
    from darkscan.interpret import gminus2_band

    m, g = _gprime("79.7/fb", "fully_invisible")
    band = gminus2_band(m)
    top = gm2_excluded_up_to(m, g, band)
    first = m[np.argmax(g < band[0])] if np.any(g < band[0]) else np.nan
    return Measurement(top, f"the expected fully-invisible limit is below the (g−2)_μ ±2σ band "
                       f"from M = {first:g} GeV (grid) up to this mass; the paper quotes the "
                       "observed limit. " + _WHY_2023)


_PROV_COMPOSITION = ("Belle II PRL 130 231801 (2023) as presented in seed 000 (\"μμ(γ) "
                     "dominates up to 7 GeV, eeμμ dominates for high masses\") and the paper "
                     "(ττ(γ) almost 100% suppressed by the Punzi-net)")


def _composition(selection: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per window of the 79.7 fb⁻¹ run: the masses and each background's simulated share."""
    r = _zprime("79.7/fb", selection)
    parts = {k[len("bkg_mc_"):]: np.asarray(v, float) for k, v in r.windows.items()
             if k.startswith("bkg_mc_") and k != "bkg_mc_events"}
    parts["eemumu"] = parts.get("eemumu", 0.0) + parts.pop("eemumu_soft", 0.0)
    # μμ(γ) is two samples: the photon unseen or outside the barrel, and the barrel photon lost
    parts["mumu"] = parts.get("mumu", 0.0) + parts.pop("mumu_lost_photon", 0.0)
    total = sum(parts.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        return r.points["mass"], {k: v / total for k, v in parts.items()}


@check("zprime_invisible_mumu_gamma_not_dominant_windows_below_7GeV", reference=0.0,
       tolerance=0.0, kind="max", provenance=_PROV_COMPOSITION)
def _c6() -> Measurement:
    m, share = _composition("cuts")
    sel = (m <= 7.0) & np.isfinite(share["mumu"])
    top = {k: v[sel] for k, v in share.items()}
    leader = np.array(list(top))[np.argmax(np.stack(list(top.values())), axis=0)]
    bad = m[sel][leader != "mumu"]
    text = "; ".join(f"{x:g} GeV: " + ", ".join(f"{k} {share[k][i]:.2f}" for k in share)
                     for i, x in enumerate(m) if sel[i])
    return Measurement(float(len(bad)), f"windows at M ≤ 7 GeV whose largest simulated background "
                       f"is not μμ(γ): {', '.join(f'{x:g}' for x in bad) or 'none'} (GeV); "
                       f"shares: {text}")


@check("zprime_invisible_non_eemumu_share_8GeV", reference=0.5, tolerance=0.0, kind="max",
       provenance=_PROV_COMPOSITION)
def _c7() -> Measurement:
    m, share = _composition("cuts")
    i = int(np.argmin(np.abs(m - 8.0)))
    return Measurement(float(1.0 - share["eemumu"][i]), "1 − eeμμ's share of the 8 GeV window's "
                       "simulated background (eeμμ dominating: below 0.5); shares " + ", ".join(
                           f"{k} {v[i]:.2f}" for k, v in share.items()))


@check("zprime_invisible_eemumu_full_over_epa_reproduced", reference=3.0, tolerance=0.0,
       kind="max", unit="",
       provenance="the stored full/EPA table of e⁺e⁻μ⁺μ⁻ in (M²_recoil, |cos θ*_recoil|) that "
                  "weighs the EPA sample of zprime-invisible (searches/eemumu_full_me.py) measured "
                  "again with its statistics and another seed: the largest pull of the cells "
                  "that weigh events (both errors; 30 cells, so |pull| < 3 at ~95%); the full "
                  "matrix element itself is validated against the Physics Book's "
                  "σ(e⁺e⁻μ⁺μ⁻) = 18.9 nb")
def _eemumu_table() -> Measurement:
    from darkscan.searches import eemumu_full_me as full_me

    old = full_me.table()
    new = full_me.measure(seed=full_me.SEED + 1)
    ratio, err = (np.ravel(old[k]) for k in ("ratio", "ratio_error"))
    ratio_new, err_new = (np.ravel(new[k]) for k in ("ratio", "ratio_error"))
    used = (np.ravel(old["epa"]) > 0) & (np.ravel(new["epa"]) > 0)
    pulls = (ratio_new - ratio)[used] / np.hypot(err_new, err)[used]
    edges, n_m2 = old["edges"], len(old["edges"]) - 1
    text = ", ".join(
        f"|cos| ≥ {old['cos_edges'][i // n_m2]:g}, {edges[i % n_m2]:g}–{edges[i % n_m2 + 1]:g}: "
        f"{ratio[i]:.2f} → {ratio_new[i]:.2f}" for i in np.nonzero(used)[0])
    return Measurement(float(np.max(np.abs(pulls))), f"ratios per cell (M²_recoil in GeV²) {text}")


@check("zprime_invisible_punzinet_tautau_share", reference=0.1, tolerance=0.0, kind="max",
       provenance=_PROV_COMPOSITION)
def _c8() -> Measurement:
    r = _zprime("79.7/fb", "punzinet")
    mc = {k[len("bkg_mc_"):]: np.nansum(np.asarray(v, float)) for k, v in r.windows.items()
          if k.startswith("bkg_mc_") and k != "bkg_mc_events"}
    mc["mumu"] = mc.get("mumu", 0.0) + mc.pop("mumu_lost_photon", 0.0)
    total = sum(mc.values())
    return Measurement(float(mc["tautau"] / total), "ττ(γ)'s share of the simulated background "
                       "summed over the windows after the Punzi-net (\"almost 100% suppressed\": "
                       "read as at most a tenth of what remains); summed shares " + ", ".join(
                           f"{k} {v / total:.2f}" for k, v in mc.items()))


# --------------------------------------------------------------------------- dark Higgsstrahlung
_DH_SIGMA, _DH_EPS = ("belle2-2023-dark-higgsstrahlung-sigma",
                      "belle2-2023-dark-higgsstrahlung-eps2alphad")
_PROV_DH = provenance(_DH_SIGMA) + "; " + published(_DH_EPS).provenance_detail
_WHY_DH = ("darkscan's windows sit at the 32 simulated points (≈ 1 GeV apart) with cuts "
           "tightened per window on independent samples; the paper scanned ~9000 windows. The "
           "recoil must point to the barrel in the CMS (a massless recoil's barrel): near "
           "threshold the h′ follows the boost forward, and a lab-direction cut kept 12% of "
           "the signal at (6, 4.5) GeV, 12 fb there. The highest ε²α_D sits at that point, "
           "80 MeV below threshold, where the model's σ vanishes: the paper's denser windows "
           "reach closer to it")


def _dh_region(column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = _default_run("dark-higgsstrahlung")
    ma, mh = r.points["mass_darkphoton"], r.points["mass_darkhiggs"]
    y = r.limit_columns()[column]
    sel = (ma >= 4.0) & (ma <= 9.7) & np.isfinite(y)
    return ma[sel], mh[sel], y[sel]


def _dh_extreme(column: str, scale: float, lowest: bool) -> Measurement:
    ma, mh, y = _dh_region(column)
    i = int(np.argmin(y) if lowest else np.argmax(y))
    per_region = "; ".join(
        f"{lo:g}–{hi:g} GeV: {scale * y[(ma >= lo) & (ma < hi)].min():.3g}–"
        f"{scale * y[(ma >= lo) & (ma < hi)].max():.3g}"
        for lo, hi in ((4, 6), (6, 8), (8, 9.8)) if np.any((ma >= lo) & (ma < hi)))
    return Measurement(float(scale * y[i]),
                       f"{'lowest' if lowest else 'highest'} expected limit over 4 ≤ M_A′ ≤ 9.7 "
                       f"GeV at (M_A′, M_h′) = ({ma[i]:g}, {mh[i]:g}) GeV; by M_A′ region "
                       f"{per_region}; {_WHY_DH}")


@check("dark_higgsstrahlung_sigma_8.34fb_lowest", reference=published(_DH_SIGMA).y[0],
       tolerance=1.5, kind="factor", unit="fb", provenance=_PROV_DH)
def _dh1() -> Measurement:
    return _dh_extreme("sigma_ul_exp", 1e3, lowest=True)


@check("dark_higgsstrahlung_sigma_8.34fb_highest", reference=published(_DH_SIGMA).y[1],
       tolerance=1.5, kind="factor", unit="fb", provenance=_PROV_DH)
def _dh2() -> Measurement:
    return _dh_extreme("sigma_ul_exp", 1e3, lowest=False)


@check("dark_higgsstrahlung_eps2alphad_8.34fb_lowest", reference=published(_DH_EPS).y[0],
       tolerance=1.5,
       kind="factor", provenance=_PROV_DH)
def _dh3() -> Measurement:
    return _dh_extreme("eps2_alphad_ul_darkhiggs_exp", 1.0, lowest=True)


@check("dark_higgsstrahlung_eps2alphad_8.34fb_highest", reference=published(_DH_EPS).y[1],
       tolerance=1.5,
       kind="factor", provenance=_PROV_DH)
def _dh4() -> Measurement:
    return _dh_extreme("eps2_alphad_ul_darkhiggs_exp", 1.0, lowest=False)


# --------------------------------------------------------------------------- four muons
_PROV_4MU = "; ".join([provenance("belle2-2024-zprime-mumu-sigma")] + [
    published(i).provenance_detail for i in ("belle2-2024-scalar-mumu-sigma",
                                             "belle2-2024-zprime-mumu-gprime",
                                             "belle2-2024-scalar-mumu-gs")])
_WHY_4MU = ("the paper quotes the extremes of its observed limits over a scan in steps of the "
            "mass resolution; compared here with the extremes of darkscan's limits on its "
            "pseudo-data over the same kind of scan (a maximum over ~1000 windows sits on an "
            "upward fluctuation, as the paper's does). darkscan simulates e⁺e⁻ → 4μ with the "
            "full tree-level matrix element and μμππ with pions faking muons; at low mass the "
            "background is the irreducible virtual photon radiated off a muon, whose rate per "
            "window follows from the signal's own (α/3π · 2Δm/m · e²/g′²); no systematic "
            "uncertainties")


@cache
def _default_run(name: str) -> SearchResult:
    """The search's default configuration at its published luminosity (cached per search)."""
    from darkscan.searches import get

    search = get(name)
    out = _cache_root() / f"{name}-{search.default_lumi.replace('/', '')}"
    out.mkdir(parents=True, exist_ok=True)
    return _run(search, out)


def _extreme(name: str, column: str, scale: float, lowest: bool, span: tuple[float, float],
             unit: str, why: str) -> Measurement:
    """The lowest or highest expected limit of ``column`` (× ``scale``) of a search's default
    run over masses in ``span``, with the whole curve in the message."""
    r = _default_run(name)
    m, y = r.points["mass"], r.limit_columns()[column]
    sel = (m >= span[0]) & (m <= span[1]) & np.isfinite(y)
    m, y = m[sel], y[sel]
    i = int(np.argmin(y) if lowest else np.argmax(y))
    curve = ", ".join(f"{a:g}: {scale * b:.3g}" for a, b in zip(m, y, strict=True))
    return Measurement(float(scale * y[i]),
                       f"{'lowest' if lowest else 'highest'} expected limit for "
                       f"{span[0]:g} ≤ M ≤ {span[1]:g} GeV at M = {m[i]:g} GeV; all (GeV: "
                       f"{unit or 'value'}) {curve}; {why}")


#: further pseudo-datasets whose scans give the spread of a search's observed extremes
N_PSEUDO_SETS = 9


@cache
def _scan_sets(name: str) -> tuple[dict[str, np.ndarray], ...]:
    """The default run's fine scan and the same scan on :data:`N_PSEUDO_SETS` further
    pseudo-datasets of its simulation."""
    from darkscan.searches import get
    from darkscan.searches.fine_scan import pseudo_data_scans

    run = _default_run(name)
    return (run.scan, *pseudo_data_scans(get(name), run, N_PSEUDO_SETS))


def _scan_extreme(name: str, stem: str, scale: float, lowest: bool,
                  span: tuple[float, float], unit: str, why: str) -> Measurement:
    """The lowest or highest observed limit of ``stem`` (× ``scale``) over the search's fine
    scan for masses in ``span`` (what a paper's "limits range from … to …" states): the median
    over the run's pseudo-dataset and :data:`N_PSEUDO_SETS` more, with their spread, the run's
    own, the expected extreme of the scan and the signal points' beside; the signal points'
    expected extreme where the run has no fine scan."""
    r = _default_run(name)
    if not r.scan:
        return _extreme(name, f"{stem}_exp", scale, lowest, span, unit, why)
    pick = np.nanmin if lowest else np.nanmax
    extremes = []
    for scan in _scan_sets(name):
        m = np.asarray(scan["mass"], float)
        sel = (m >= span[0]) & (m <= span[1])
        extremes.append(float(pick(scale * np.asarray(scan[f"{stem}_obs"], float)[sel])))
    m = np.asarray(r.scan["mass"], float)
    sel = (m >= span[0]) & (m <= span[1])
    exp = scale * np.asarray(r.scan[f"{stem}_exp"], float)[sel]
    j = int(np.nanargmin(exp) if lowest else np.nanargmax(exp))
    b = np.asarray(r.scan["bkg"], float)[sel]
    pull = (np.asarray(r.scan["n_obs"], float)[sel] - b) / np.sqrt(b)
    points = _extreme(name, f"{stem}_exp", scale, lowest, span, unit, why)
    which = "lowest" if lowest else "highest"
    return Measurement(float(np.median(extremes)),
                       f"median over {len(extremes)} pseudo-datasets of the {which} observed "
                       f"limit over the fine scan ({int(sel.sum())} masses in "
                       f"{span[0]:g}–{span[1]:g} GeV); they range {min(extremes):.3g}–"
                       f"{max(extremes):.3g} {unit}, the run's own {extremes[0]:.3g} (its "
                       f"pulls' spread over the scan {np.std(pull):.2f}); {which} expected "
                       f"over the scan {exp[j]:.3g} {unit} at {m[sel][j]:.3g} GeV; at the "
                       f"signal points: {points.note}")


for _name, _sig, _coupling, _records in (
        ("zprime-mumu", "zprime_mumu", "gprime_ul_lmu_ltau",
         ("belle2-2024-zprime-mumu-sigma", "belle2-2024-zprime-mumu-gprime")),
        ("scalar-mumu", "scalar_mumu", "gs_ul_muonphilic",
         ("belle2-2024-scalar-mumu-sigma", "belle2-2024-scalar-mumu-gs"))):
    _s, _c = published(_records[0]).y, published(_records[1]).y  # σ in fb; the coupling
    for _low, _ref_sigma, _ref_coupling in ((True, _s[0], _c[0]), (False, _s[1], _c[1])):
        _which = "lowest" if _low else "highest"
        check(f"{_sig}_sigma_178fb_{_which}", reference=_ref_sigma, tolerance=1.5,
              kind="factor", unit="fb", provenance=_PROV_4MU)(
            lambda n=_name, lo=_low: _scan_extreme(n, "sigma_ul", 1e3, lo, (0.0, 9.0), "fb",
                                                   _WHY_4MU))
        check(f"{_sig}_coupling_178fb_{_which}_below_6GeV", reference=_ref_coupling,
              tolerance=1.5, kind="factor", provenance=_PROV_4MU)(
            lambda n=_name, c=_coupling, lo=_low: _scan_extreme(n, c, 1.0, lo, (0.0, 6.0),
                                                                "", _WHY_4MU))


def _scan_pulls(name: str) -> Measurement:
    from darkscan.searches.fine_scan import equivalent_count_pulls

    sets = _scan_sets(name)
    across, of_mean = equivalent_count_pulls(sets)
    return Measurement(across, f"the pulls' spread across {len(sets)} pseudo-datasets pooled "
                               f"over {len(sets[0]['mass'])} masses; the spread of their mean "
                               f"over the masses {of_mean:.2f} ({1 / np.sqrt(len(sets)):.2f} "
                               "from the sets alone: the rest is the simulated spectrum's own "
                               "fluctuations, repeated by every set)")


for _name, _sig in (("zprime-mumu", "zprime_mumu"), ("scalar-mumu", "scalar_mumu"),
                    ("zprime-tautau", "zprime_tautau")):
    check(f"{_sig}_scan_equivalent_count_pull_width", reference=1.0, tolerance=0.1,
          kind="absolute", unit="",
          provenance="the fine scan's equivalent counts n_obs = ν̂_s + b_eff are Poisson about "
                     "b_eff when b_eff carries the fit's information on the signal (issue #17: "
                     "pulls of width 1 ± 0.1 on pseudo-data); the default run's pseudo-data and "
                     f"{N_PSEUDO_SETS} more; b_eff with the background's level and shape "
                     "profiled (stats.fits.effective_background), the fit's intensity "
                     "non-negative across the window")(
        lambda n=_name: _scan_pulls(n))


#: masses between the 4μ search's signal points (one inside each network's range)
_HOLDOUT_4MU = (0.6, 1.75, 3.25, 6.5)


@check("zprime_mumu_scan_efficiency_interpolation", reference=1.0, tolerance=0.3,
       provenance="closure of the fine scan (issue #17's steps of one resolution): signal "
                  f"simulated at {', '.join(f'{m:g}' for m in _HOLDOUT_4MU)} GeV, between the "
                  "default run's points, passed through that run's networks and window fits; "
                  "the efficiency the scan interpolated there over the one measured, the ratio "
                  "farthest from 1")
def _holdout_4mu() -> Measurement:
    from darkscan.searches import get
    from darkscan.searches.fine_scan import interpolation_closure

    rows = interpolation_closure(get("zprime-mumu"), _default_run("zprime-mumu"), _HOLDOUT_4MU)
    ratios = [interp / measured for _, measured, interp in rows]
    worst = max(ratios, key=lambda r: abs(np.log(r)))
    return Measurement(worst, "; ".join(f"{m:g} GeV: measured {a:.3f}, interpolated {b:.3f}"
                                        for m, a, b in rows))


@check("zprime_mumu_fit_pull_width", reference=1.0, tolerance=0.1, quick=True,
       provenance="a sliding-window fit is unbiased with a correct error: the pull "
                  "(ν̂_s − ν_s)/σ(ν̂_s) of 400 toys has unit width (issue #17); the toy is the "
                  "4μ search at 2 GeV: the fitted double Crystal Ball (σ = 5.6 MeV), a 60σ "
                  "window, 300 background and 30 signal events")
def _pull_width() -> Measurement:
    from darkscan.stats.fits import fit_window
    from darkscan.stats.shapes import SignalShape

    shape = SignalShape("dcb", {"loc": 2.0, "scale": 0.0056, "beta_left": 1.6, "m_left": 1.6,
                                "beta_right": 1.7, "m_right": 1.1})
    lo, hi = 2.0 - 30 * 0.0056, 2.0 + 30 * 0.0056
    rng = np.random.default_rng(17)
    pulls = []
    for toy in range(400):
        n_b, n_s = rng.poisson(300), rng.poisson(30)
        x = np.concatenate([rng.uniform(lo, hi, n_b), shape.sample(n_s, rng, lo, hi)])
        fit = fit_window(x, shape, (lo, hi), background="poly1", limit=False, seed=toy)
        if fit.ok and fit.n_sig_err > 0:
            pulls.append((fit.n_sig - 30.0) / fit.n_sig_err)
    p = np.asarray(pulls)
    return Measurement(float(np.std(p)), f"{len(p)} converged toys; mean pull {p.mean():+.3f}")


# --------------------------------------------------------------------------- μμττ
_TT = "belle2-2023-mumutautau-sigma"
_PROV_TT = provenance(_TT)
_WHY_TT = ("darkscan simulates μμττ, 4μ, eeττ and eeμμ (both electrons at wide angle) with "
           "the full tree-level matrix elements, "
           "the τ-pair background ττ → (μνν̄)(3 prongs) with a pion faking the second muon "
           "(ee_tautau_mu3prong), the q q̄ continuum's real muon pairs (c c̄ with both charm "
           "hadrons semimuonic) and μμππ with ISR, each at 1.0× the data or more (eeμμ 0.25×); the "
           "continuum "
           "with pion fakes (about as large as its real pairs after the networks, measured "
           "once) and ττ with a one-prong hadronic τ are not simulated, nor "
           "systematic uncertainties. The lowest lies on a deficit near the zero-count floor "
           "2.3/(εL) = 0.20 fb at darkscan's 18% efficiency: the paper's 0.7 fb would take an "
           "efficiency of ≈ 5% or ≈ 25 background events under the peak (darkscan's "
           "simulation: 8–44); the "
           "paper's efficiency is not known here. The highest is the paper's reach at 10 GeV; "
           "darkscan's ends at 9.9 GeV, efficiency 1.0% (the primary muons share 0.66 GeV in "
           "the CMS there, 0.56 GeV at 10 GeV, where the 0.3 GeV muon selection leaves no "
           "peak); the paper's 24 fb with a few background events would be an efficiency of "
           "≈ 0.2%, below the 1.0% of darkscan's last mass")


for _low, _ref_tt in zip((True, False), published(_TT).y, strict=True):
    check(f"zprime_tautau_sigma_62.8fb_{'lowest' if _low else 'highest'}", reference=_ref_tt,
          tolerance=1.5, kind="factor", unit="fb", provenance=_PROV_TT)(
        lambda lo=_low: _scan_extreme("zprime-tautau", "sigma_ul", 1e3, lo, (3.6, 10.0), "fb",
                                      _WHY_TT))


# --------------------------------------------------------------------------- ALP → γγ
_PROV_ALP = (provenance("belle2-2020-alp-photons") + "; read at each mass as the median within "
             "±5% of it")
_WHY_ALP = ("darkscan's background is e⁺e⁻ → γγγ with the exact tree-level matrix element "
            "(608 pb⁻¹ of MC); no systematic uncertainties, no split-off or beam-background "
            "photon, no e⁺e⁻ → γγ with a photon lost or merged; the paper's limit is observed "
            "and jitters by ±20% between neighbouring windows")


def _alp_at(mass: float) -> Measurement:
    r = _default_run("alp-photons")
    m, g = r.points["mass"], r.limit_columns()["gagg_ul_alp_exp"]
    i = int(np.argmin(np.abs(m - mass)))
    return Measurement(float(g[i]), f"expected limit at m_a = {m[i]:g} GeV (efficiency "
                       f"{r.signal['efficiency'][i]:.2f}); {_WHY_ALP}")


def _alp_checks() -> None:
    from darkscan.searches.alp_photons import PUBLISHED_GAGG

    for mass, ref in PUBLISHED_GAGG:
        if mass in (0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 9.0):
            check(f"alp_photons_gagg_445pb_{mass:g}GeV", reference=ref, tolerance=1.5,
                  kind="factor", unit="GeV⁻¹", provenance=_PROV_ALP)(
                lambda m=mass: _alp_at(m))


_alp_checks()


# --------------------------------------------------------------------------- A′ → invisible
_BABAR_DP = "babar-2017-darkphoton-invisible"
_WHY_DP = ("BaBar's limit is observed, with a BDT and a fit to the photon energy in its low- and "
           "high-mass regions; darkscan counts in ±2σ windows of M²_recoil, each in five bins of "
           "the photon's polar angle, after cuts and a γγγ kinematic veto (lost_photon_pull > "
           "2), with γγ(γ), γγγ, e⁺e⁻γ and νν̄γ backgrounds whose particles are lost in gaps or "
           "outside the acceptance, and no systematic uncertainties nor beam-background "
           "photons. Default run at 53 fb⁻¹ (6 Dec 2026, 15M γγγ, the expected band on the "
           "simulated background itself): ε 8.0×10⁻⁴, 5.1×10⁻⁴, 1.18×10⁻³ at 1, 4, 7 GeV, "
           "0.82, 1.11 and 1.18 × BaBar's (the band on a fit to one pseudo-dataset: 0.81, 1.19, "
           "1.24; 3M γγγ: 0.82, 1.16, 1.21; one window each: 0.81, 1.64, 1.62; 6–16× before "
           "the veto). At "
           "1 GeV the background is e⁺e⁻ → γγ with both photons in the barrel, one converting "
           "deep in its crystal and missed by the KLM (importance-sampled, gg_lost_photon); "
           "before that was simulated no background survived there and the limit was 0.15× "
           "BaBar's")


@cache
def _dark_photon_at_babar_lumi() -> SearchResult:
    """dark-photon-invisible in its default configuration at BaBar's 53 fb⁻¹."""
    from darkscan.physics import parse_luminosity
    from darkscan.searches import get

    out = _cache_root() / "dark-photon-invisible-53fb"
    out.mkdir(parents=True, exist_ok=True)
    return _run(get("dark-photon-invisible"), out,
                lumi=parse_luminosity(published(_BABAR_DP).luminosity))


def _dark_photon_at(mass: float) -> Measurement:
    r = _dark_photon_at_babar_lumi()
    m, eps = r.points["mass"], r.limit_columns()["epsilon_ul_invisible_exp"]
    i = int(np.argmin(np.abs(m - mass)))
    return Measurement(float(eps[i]), f"expected ε limit at M_A′ = {m[i]:g} GeV, 53 fb⁻¹ "
                       f"(efficiency {r.signal['efficiency'][i]:.2f}); the BaBar curve is the "
                       f"median of the digitised points within ±5% of the mass; {_WHY_DP}")


for _m_dp in (1.0, 4.0, 7.0):
    check(f"dark_photon_invisible_epsilon_53fb_{_m_dp:g}GeV", reference=value_near(_BABAR_DP,
          _m_dp), tolerance=2.0, kind="factor", provenance=provenance(_BABAR_DP))(
        lambda m=_m_dp: _dark_photon_at(m))


_PROV_DP_COMPOSITION = (
    "Belle II Physics Book (PTEP 2019 123C01, §17, the single-photon projection) and BaBar (PRL "
    "119 131804 (2017)): what passes is what the detector failed to see, e⁺e⁻ → γγ(γ) with "
    "photons in gaps or beyond the acceptance at low mass (a photon of ~√s/2) and e⁺e⁻ → e⁺e⁻γ "
    "with both leptons beyond the acceptance at high mass (a soft photon)")


def dark_photon_shares(windows: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per window, each family's share of the simulated background: γγ(γ) (the γγ samples and
    γγγ), e⁺e⁻γ and νν̄γ (NaN where a window holds none)."""
    parts = {k[len("bkg_mc_"):]: np.asarray(v, float) for k, v in windows.items()
             if k.startswith("bkg_mc_") and k != "bkg_mc_events"}
    zero = np.zeros_like(next(iter(parts.values())))
    families = {"γγ(γ)": sum((parts.get(k, zero) for k in ("gg", "gg_lost_photon", "ggg")),
                             zero),
                "e⁺e⁻γ": parts.get("eeg", zero), "νν̄γ": parts.get("nunug", zero)}
    total = sum(families.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        return {k: v / total for k, v in families.items()}


def _dp_composition_text(mass: np.ndarray, shares: dict[str, np.ndarray]) -> str:
    return "; ".join(f"{m:g} GeV: " + ", ".join(f"{k} {v[i]:.2f}" for k, v in shares.items())
                     for i, m in enumerate(mass))


@check("dark_photon_invisible_non_gg_share_to_5GeV", reference=0.5, tolerance=0.0, kind="max",
       provenance=_PROV_DP_COMPOSITION)
def _dp_low_mass_composition() -> Measurement:
    r = _default_run("dark-photon-invisible")
    m, shares = r.points["mass"], dark_photon_shares(r.windows)
    sel = (m <= 5.0) & np.isfinite(shares["γγ(γ)"])
    return Measurement(float(np.max(1.0 - shares["γγ(γ)"][sel])),
                       "the largest share of other than γγ(γ) in a window at M_A′ ≤ 5 GeV "
                       "(γγ(γ) dominating: below 0.5), 20 fb⁻¹ default run; shares "
                       + _dp_composition_text(m, shares))


@check("dark_photon_invisible_non_eeg_share_8GeV", reference=0.5, tolerance=0.0, kind="max",
       provenance=_PROV_DP_COMPOSITION)
def _dp_high_mass_composition() -> Measurement:
    r = _default_run("dark-photon-invisible")
    m, shares = r.points["mass"], dark_photon_shares(r.windows)
    i = int(np.argmin(np.abs(m - 8.0)))
    return Measurement(float(1.0 - shares["e⁺e⁻γ"][i]),
                       "1 − e⁺e⁻γ's share of the 8 GeV window (e⁺e⁻γ dominating: below 0.5), "
                       "20 fb⁻¹ default run; shares " + _dp_composition_text(m, shares))


# --------------------------------------------------------------------------- τ → ℓα
_TLA = {"e": "belle2-2023-tau-to-e-alpha", "mu": "belle2-2023-tau-to-mu-alpha"}
_PROV_TLA = provenance(_TLA["e"]) + "; " + published(_TLA["mu"]).provenance_detail
_WHY_TLA = ("darkscan fits x = 2E_ℓ/m_τ in the ARGUS pseudo-rest frame over the simulated "
            "τ pairs of the 3×1 topology: τ → ℓνν̄ (the electron's radiative decays included) "
            "and one-prong hadronic τ decays whose pion is taken for the lepton, with 1% "
            "Legendre shape nuisances on the spectrum; no qq̄ or two-photon events, no "
            "radiation in τ → μνν̄γ; the published limits are observed ones")


def _tla_extreme(channel: str, lowest: bool) -> Measurement:
    r = _default_run("tau-to-lepton-alp")
    sel = r.channel == channel
    m, y = r.points["mass"][sel], r.limit_columns()["br_ratio_ul_exp"][sel]
    i = int(np.argmin(y) if lowest else np.argmax(y))
    curve = ", ".join(f"{a:g}: {b:.3g}" for a, b in zip(m, y, strict=True))
    return Measurement(float(y[i]), f"{'lowest' if lowest else 'highest'} expected limit "
                       f"({channel}) at m_α = {m[i]:g} GeV; all (GeV: ratio) {curve}; "
                       f"{_WHY_TLA}")


for _ch, _tla in _TLA.items():
    for _low, _ref in zip((True, False), published(_tla).y, strict=True):
        check(f"tau_to_lepton_alp_{_ch}_62.8fb_{'lowest' if _low else 'highest'}",
              reference=_ref, tolerance=1.5, kind="factor", provenance=_PROV_TLA)(
            lambda c=_ch, lo=_low: _tla_extreme(c, lo))


# ------------------------------------------------- B → K a (Belle), B → K(*)S with S long-lived
from darkscan.searches import (  # noqa: E402  (they register their checks)
    checks_b_to_k_alp,  # noqa: F401
    checks_b_to_k_scalar,  # noqa: F401
    checks_idm_dark_higgs,  # noqa: F401
)
