"""Validation checks of the generator layer (``darkscan validate``)."""

from __future__ import annotations

from darkscan.registry import Measurement, check

_PB = "Belle II Physics Book, arXiv:1808.10567, Table (seed 001)"


@check("generate_sigma_born_ee_mumu", reference=1.0, tolerance=1e-3, quick=True,
       provenance="closed form 4πα²/(3s)·β(3−β²)/2 (ratio measured/closed form)")
def sigma_born_ratio() -> Measurement:
    from darkscan.generate import cross_section
    from darkscan.generate.processes.sm_qed import EE_MUMU, sigma_born_mumu

    r = cross_section("ee_mumu", isr=False, n_points=60_000, seed=2)
    ref = sigma_born_mumu(EE_MUMU.experiment.s)
    return Measurement(r.sigma_pb / ref, f"{r.sigma_pb:.2f} ± {r.error_pb:.2f} pb vs {ref:.2f} pb")


@check("generate_sigma_ee_mumu_isr", reference=1148.0, tolerance=0.03, unit="pb",
       provenance=_PB + ": mu+mu-(gamma) 1.148 nb, no cut")
def sigma_mumu_isr() -> Measurement:
    from darkscan.generate import cross_section

    r = cross_section("ee_mumu", isr=True, n_points=300_000, seed=3)
    return Measurement(r.sigma_pb, "Born ⊗ Kuraev–Fadin ISR with running α(s) (leptonic one-loop "
                       "+ parameterised hadronic VP) and (1+3α/4π) FSR; no narrow resonances")


@check("generate_sigma_ee_gg", reference=4990.0, tolerance=0.03, unit="pb",
       provenance=_PB + ": gamma gamma(gamma) 4.99 nb, 10°<θ*<170°, E*>0.15 GeV")
def sigma_gg() -> Measurement:
    from darkscan.generate import cross_section

    r = cross_section("ee_gg", isr=True, n_points=300_000, seed=3)
    return Measurement(r.sigma_pb, "Born t+u channel ⊗ ISR structure function, both photons in "
                       "the cuts; no exact O(α) γγγ matrix element or virtual correction beyond LL")


@check("generate_sigma_ee_ee", reference=300_000.0, tolerance=0.10, unit="pb",
       provenance=_PB + ": e+e-(gamma) 300 nb, 10°<θ*_e<170°, E*_e>0.15 GeV")
def sigma_bhabha() -> Measurement:
    from darkscan.generate import cross_section

    r = cross_section("ee_ee", isr=True, n_points=300_000, seed=3)
    return Measurement(r.sigma_pb, "s+t channel Born with running α(q²) ⊗ ISR; cut on both "
                       "pre-FSR leptons; t-channel ISR treated with the s-channel radiator (LL)")


@check("generate_zprime_gprime_scaling", reference=1.0e-2, tolerance=1e-6, quick=True,
       provenance="σ(ee→μμZ′) ∝ g′² (tree level)")
def zprime_scaling() -> float:
    from darkscan.generate import cross_section

    a = cross_section("ee_mumu_zprime", isr=False, n_points=20_000, mass=1.0, gprime=1.0)
    b = cross_section("ee_mumu_zprime", isr=False, n_points=20_000, mass=1.0, gprime=0.1)
    return b.sigma_pb / a.sigma_pb


@check("generate_zprime_sigma_order_of_magnitude", reference=99.5, tolerance=2.0, kind="factor",
       unit="pb", provenance="theory_detector.md A1: collinear estimate 100–200 pb, table 99.5 pb "
       "at M=1 GeV, g'=1 (order of magnitude only)")
def zprime_sigma() -> Measurement:
    from darkscan.generate import cross_section

    r = cross_section("ee_mumu_zprime", isr=False, n_points=100_000, mass=1.0, gprime=1.0)
    return Measurement(r.sigma_pb, "tree-level Born, no ISR")
from darkscan.generate import checks_pythia as _checks_pythia  # noqa: E402,F401  (registers)
