"""Validation of recasting (``darkscan validate``; registered through ``interpret/checks.py``):
recasting closes on itself, reproduces DarkCast's published recast of the Belle II 2020
Z′ → invisible limit, its reweighted efficiency ratio matches a direct simulation of the
target, through a run's own networks too."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from darkscan.interpret import recast as rc
from darkscan.registry import Measurement, check

_DARKCAST = ("DarkCast (Ilten, Soreq, Williams, Xue), limits/BelleII_Adachi2019otg.py and "
             ".lmt (copy in nastein/Physics-Projects): the Belle II 2020 Z′ → invisible g′ limit "
             "(PRL 124 141801, fig. 3) divided by pars.ge = 0.302822, Production('mu_brem'), "
             "efficiency ratio 1, B(A′ → invisible) = 99%")
#: (mass GeV, ε_UL) points of DarkCast's BelleII_Adachi2019otg.lmt
DARKCAST_BELLE2_2020 = ((1.1565, 0.16841), (3.0228, 0.47553), (5.0007, 1.7171))
#: DarkCast's electric charge (pars.ge): its g′ → ε conversion
DARKCAST_GE = 0.302822
_MASSES = np.array([0.5, 2.0, 6.0])


def _limits(search: str, mass: np.ndarray, sigma: np.ndarray) -> rc.SourceLimits:
    return rc.SourceLimits(search, mass, {"sigma_ul_obs": sigma})


def _unit_ratio(mass: np.ndarray) -> rc.EfficiencyRatio:
    same = rc.identical_efficiency(rc.SOURCES["zprime-invisible"], rc.MODELS["dark_photon"], mass)
    assert same is not None  # both vectors
    return same


@check("recast_closure_zprime_darkphoton_zprime", reference=0.0, tolerance=1e-12,
       kind="absolute", quick=True,
       provenance="identity: a limit recast Z′ → A′ → Z′ is the input (DESIGN: recasting "
                  "closes on itself); max relative deviation of g′ over 0.5, 2, 6 GeV")
def _closure() -> Measurement:
    zp, ap = rc.MODELS["lmu_ltau"], rc.MODELS["dark_photon"]
    unit = rc.production_sigma_unit("vector", _MASSES, n_points=20_000)
    g_in = np.array([3e-3, 1e-2, 4e-2])
    sigma = rc.sigma_from_coupling(zp, "invisible", _MASSES, g_in, sigma_unit=unit)
    there = rc.recast(_limits("zprime-invisible", _MASSES, sigma), ap, {"br_invisible": 0.7},
                      muon_line_only=True, efficiency=_unit_ratio(_MASSES), sigma_unit=unit)
    eps = there.coupling_ul["epsilon_ul_dark_photon_obs"]
    sigma_ap = rc.sigma_from_coupling(ap, "invisible", _MASSES, eps, {"br_invisible": 0.7},
                                      sigma_unit=unit)
    back = rc.recast(_limits("zprime-invisible", _MASSES, sigma_ap), zp,
                     efficiency=_unit_ratio(_MASSES), sigma_unit=unit)
    dev = np.abs(back.coupling_ul["gprime_ul_lmu_ltau_obs"] / g_in - 1.0)
    return Measurement(float(dev.max()), f"ε on the way: {np.array2string(eps, precision=4)}")


def _darkcast_point(mass: float, eps_darkcast: float) -> Measurement:
    """darkscan's recast of the g′ limit DarkCast read off the Belle II figure (ε_DC · ge) for
    a fully invisible Z′ to a dark photon with B(A′ → invisible) = 0.99 (DarkCast's model)."""
    m = np.array([mass])
    g_belle = np.array([eps_darkcast * DARKCAST_GE])
    zp, ap = rc.MODELS["lmu_ltau"], rc.MODELS["dark_photon"]
    unit = np.ones(1)  # σ_unit cancels: both vectors come from the same muon-line process
    sigma = rc.sigma_from_coupling(zp, "invisible", m, g_belle, {"br_invisible": 0.99},
                                   sigma_unit=unit)
    res = rc.recast(_limits("zprime-invisible", m, sigma), ap, {"br_invisible": 0.99},
                    muon_line_only=True, efficiency=_unit_ratio(m), sigma_unit=unit)
    eps = float(res.coupling_ul["epsilon_ul_dark_photon_obs"][0])
    return Measurement(eps, f"at {mass:g} GeV; DarkCast's invisible fraction 99% assumed for "
                            "the Z′ as well (the vanilla Z′ has 33–50%: with it the ε limit "
                            "would be √(B_Z′/0.99) times lower)")


for _m, _eps in DARKCAST_BELLE2_2020:
    check(f"recast_darkcast_belle2_2020_eps_{_m:.2f}gev".replace(".", "p"), reference=_eps,
          tolerance=2e-4, provenance=_DARKCAST, quick=True)(
        lambda m=_m, e=_eps: _darkcast_point(m, e))


@check("recast_reweighted_vs_direct_scalar_efficiency_2gev", reference=1.0, tolerance=0.04,
       provenance="darkscan's own direct simulation of the target: ε(scalar, generated as a "
                  "scalar) / ε(vector) of the zprime-mumu cut selection after the fast "
                  "simulation, 20000 events each; tolerance 3σ of their MC statistics (±0.013)")
def _reweighted_vs_direct() -> Measurement:
    from darkscan.searches.recast import signal_sample, simulated_selection

    select = simulated_selection("zprime-mumu")
    vector = signal_sample("zprime-mumu", 2.0, 20_000, 21)
    scalar = signal_sample("scalar-mumu", 2.0, 20_000, 22)
    pv, ps = select(vector), select(scalar)
    direct = ps.mean() / pv.mean()
    w = rc.me_ratio_weights(vector.particles, 2.0, "vector", "scalar")
    r, err = rc.reweighted_efficiency_ratio(pv, w)
    return Measurement(float(r / direct), f"reweighted {r:.4f} ± {err:.4f}, direct "
                                          f"{direct:.4f} (ε_V = {pv.mean():.3f}, "
                                          f"ε_S = {ps.mean():.3f})")


#: simulated signal events per mass and sample of the through-the-run check
_N_THROUGH_RUN = 10_000


@check("recast_through_run_networks_vs_direct_target", reference=1.0, tolerance=1.1,
       kind="factor",
       provenance="darkscan's own direct simulation of the target through the same analysis: "
                  "zprime-mumu's --quick run recast to the muonphilic scalar and scalar-mumu's "
                  "to the L_μ − L_τ Z′; ε_target/ε_source reweighted from the source's signal "
                  "through the run's cuts, trained networks and ±2σ windows, against the "
                  "target's own signal simulated through them; worst ratio of the two over "
                  "1, 4, 8 GeV. Tolerance: ≈ 3.5σ of the MC statistics "
                  f"({_N_THROUGH_RUN} events per mass and sample, ≈ 2.7% on the ratio)")
def _recast_through_run() -> Measurement:
    from darkscan.searches import get
    from darkscan.searches.recast import efficiency_ratio, signal_sample, simulated_selection
    from darkscan.searches.runner import run_search

    pairs = (("zprime-mumu", "scalar-mumu", "muonphilic", "gs_ul_muonphilic_exp"),
             ("scalar-mumu", "zprime-mumu", "lmu_ltau", "gprime_ul_lmu_ltau_exp"))
    masses = np.array([1.0, 4.0, 8.0])
    with tempfile.TemporaryDirectory(prefix="darkscan-recast-") as tmp:
        runs = {}
        for name in ("zprime-mumu", "scalar-mumu"):
            run_search(get(name), out_dir=Path(tmp) / name, quick=True, report=False)
            runs[name] = rc.read_limits(Path(tmp) / name)
        notes, ratios = [], []
        for source, direct, model, column in pairs:
            select = simulated_selection(source, run_dir=Path(tmp) / source)
            eff = efficiency_ratio(rc.get_source(source), rc.MODELS[model], masses,
                                   selection=select, n_events=_N_THROUGH_RUN)
            measured = np.array([
                select(signal_sample(direct, m, _N_THROUGH_RUN, [2, i]), m).mean()
                / select(signal_sample(source, m, _N_THROUGH_RUN, [1, i]), m).mean()
                for i, m in enumerate(masses)])
            ratios.append(eff.value / measured)
            at = np.isin(runs[source].mass, masses)
            res = rc.recast(rc.SourceLimits(source, runs[source].mass[at], {
                k: v[at] for k, v in runs[source].sigma_ul.items()}), rc.MODELS[model],
                efficiency=eff)
            own = runs[direct].couplings[column][np.isin(runs[direct].mass, masses)]
            notes.append(f"{source} → {model}: ε ratio reweighted " + ", ".join(
                f"{a:.3f} ± {e:.3f}" for a, e in zip(eff.value, eff.error, strict=True))
                + " direct " + ", ".join(f"{b:.3f}" for b in measured)
                + f"; the recast {column} over {direct}'s own " + ", ".join(
                f"{r:.3f}" for r in res.coupling_ul[column] / own))
    every = np.concatenate(ratios)
    return Measurement(float(every[np.argmax(np.abs(np.log(every)))]),
                       "at 1, 4, 8 GeV: " + "; ".join(notes) + " (a dedicated analysis, "
                       "trained on its own model, is expected to be the stronger one)")
