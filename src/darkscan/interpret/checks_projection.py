"""Validation of the luminosity projections (``darkscan validate``; registered through
``interpret/checks.py``).

Luminosity projections: a toy counting search projected through the same path a search
takes (scenario → extraction → limits) must show the textbook scalings: σ_UL ∝ 1/√L where the
background dominates, ∝ 1/L where there is none, and a floor when a fixed relative systematic
dominates."""

from __future__ import annotations

import numpy as np

from darkscan.interpret.projection import SCENARIOS, Scenario
from darkscan.physics import Luminosity
from darkscan.registry import check

#: the toy's analysis luminosity (pb⁻¹), window and simulated sample sizes
L0 = 1.0e4
N_MC = 200_000
_PROVENANCE = ("Cowan, Cranmer, Gross, Vitells, EPJC 71 (2011) 1554: Asimov median "
               "significance; a counting limit scales as √b/L (b ∝ L) with background and as "
               "1/L without; with a relative systematic δ it tends to δ·b/L, constant in L")


def projected_limit(bkg_at_l0: float, lumi_ratio: float, scenario: Scenario,
                    syst: float = 0.0) -> float:
    """Median expected σ limit of a toy search: a Gaussian peak (σ_x = 0.1) on a flat
    background of ``bkg_at_l0`` events per unit of x at L₀, evaluated at L = ratio × L₀."""
    from darkscan.searches.extraction import CountWindows, ExtractionInput, Selected
    from darkscan.stats import upper_limits

    rng = np.random.default_rng(7)
    lumi = Luminosity(L0 * lumi_ratio)
    sig_x = rng.normal(5.0, 0.1, N_MC)
    bkg_x = rng.uniform(0.0, 10.0, N_MC)
    sigma_bkg = bkg_at_l0 * 10.0 / L0  # pb: bkg_at_l0 per unit x over 10 units
    signal = Selected("sig", "signal", {"x": sig_x}, np.full(N_MC, lumi.per_pb / N_MC),
                      np.ones(N_MC), N_MC, lumi.per_pb / N_MC)
    unit = sigma_bkg * lumi.per_pb / N_MC
    bkg = Selected("bkg", "background", {"x": bkg_x}, np.full(N_MC, unit), np.ones(N_MC),
                   N_MC, unit)
    data = ExtractionInput([{"mass": 5.0}], [signal], [bkg],
                           scenario.mc_scale(Luminosity(L0), lumi), np.random.default_rng(1),
                           syst_scale=scenario.syst_scale(Luminosity(L0), lumi))
    counts = CountWindows("x", "x", "", (0.0, 10.0), syst=syst).extract(data)
    lim = upper_limits(counts.n_obs, np.maximum(counts.bkg, 1e-3), bkg_unc=counts.bkg_unc,
                       eff=counts.efficiency, cl=0.95, method="cls", lumi=lumi.per_pb)
    return float(lim.expected[2][0])


@check("projection_scaling_background_dominated", reference=0.1, tolerance=0.03, quick=True,
       provenance=_PROVENANCE + "; toy: 10⁴ background events per window at L₀, ×100 L₀, "
                  "stat-only: limit ratio 1/√100")
def background_dominated() -> float:
    stat = SCENARIOS["stat-only"]
    return projected_limit(2.5e4, 100.0, stat) / projected_limit(2.5e4, 1.0, stat)


@check("projection_scaling_background_free", reference=0.01, tolerance=0.03, quick=True,
       provenance=_PROVENANCE + "; toy: no background, ×100 L₀: limit ratio 1/100")
def background_free() -> float:
    stat = SCENARIOS["stat-only"]
    # 10⁻⁷ events per unit of x: the window's background stays ≪ 1 event at 100 L₀
    return projected_limit(1e-7, 100.0, stat) / projected_limit(1e-7, 1.0, stat)


@check("projection_systematics_floor", reference=1.0, tolerance=0.05, quick=True,
       provenance=_PROVENANCE + "; toy: 10⁴ background events per window, δ = 5% fixed "
                  "(baseline): the limits at 10⁴ and 10⁵ L₀ agree")
def systematics_floor() -> float:
    base = SCENARIOS["baseline"]
    return (projected_limit(2.5e4, 1e5, base, syst=0.05)
            / projected_limit(2.5e4, 1e4, base, syst=0.05))
