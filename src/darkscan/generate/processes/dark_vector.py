"""Dark-photon signal processes through the helicity engine: single photon and dark Higgsstrahlung.

- ``ee_gamma_darkphoton``: e⁺e⁻ → γA′, t- and u-channel electron exchange (the two diagrams of
  e⁺e⁻ → γγ with one photon replaced by the massive A′ coupled as εe γ^μ to the electron);
  on-shell narrow A′ summed over its three polarisations (the electron current is conserved, so
  the q_μq_ν/M² part of the polarisation sum does not contribute). Born check:
  dσ/dcosθ* = (2πα²ε²/s)(1 − m²/s)[(1 + cos²θ*) + 4m²s/(s − m²)²]/sin²θ*
  (reference/theory_detector.md A2; Essig et al., JHEP 11 (2013) 167, arXiv:1309.5084).
  **Generator-level filter** (the one of ``ee_gg``, so that signal and the γγ background share
  it): the hard photon has 10° < θ*_γ < 170° and E*_γ > 0.15 GeV in the e⁺e⁻ CMS (θ* from the
  e⁻ beam direction). The A′ decays by its widths: invisible A′ → χχ̄ (Dirac χ of mass
  ``mass_chi1``, coupling α_D; the single-photon search) or visible e⁺e⁻, μ⁺μ⁻, τ⁺τ⁻, hadrons.
- ``ee_darkphoton_darkhiggs``: e⁺e⁻ → A′* → A′h′ (dark Higgsstrahlung): the s-channel A′ couples
  εe γ^μ to the electron and the A′A′h′ vertex is g_h g^μν with g_h = 2q_h′ g_D m_A′ (q_h′ = 1,
  the convention of the closed form after Batell, Pospelov, Ritz PRD 79 (2009) 115008,
  reference/theory_detector.md A3). The A′ decays visibly by its widths (no dark fermion in this
  model); h′ is stable (invisible, the Belle II μ⁺μ⁻ + missing-energy search, PRL 130 (2023)
  071804) for ``sin_theta`` = 0, or decays to SM states through Higgs mixing at a displaced
  vertex. For m_h′ > 2m_A′ the dominant h′ → A′A′ is **not** simulated (h′ is then left
  undecayed; the production cross section is unaffected).

Decays: isotropic two-body decays in the parent rest frame (spin correlations with the production
are not kept), lepton pairs with collinear FSR, decay vertices displaced by the model cτ
(:mod:`darkscan.generate.processes.dark_common`). Couplings at α(0): the A′ coupling is εe with
the Thomson α, the usual convention of the ε limits. ``sigma_pb`` is the production cross section
(no branching fraction).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from darkscan.errors import ParameterError
from darkscan.generate import helas as h
from darkscan.generate.engine import in_theta_energy
from darkscan.generate.processes.dark_common import (
    DarkProcess,
    DecayPlan,
    darkhiggs_plan,
    darkphoton_plan,
    pdg_dark,
    two_to_two_flat,
    two_to_two_tu,
)
from darkscan.generate.registry import ProcessParam, register
from darkscan.physics.constants import ALPHA, GEV2_TO_PB, PDG_PHOTON

Array = np.ndarray
#: generator-level filter of ee_gamma_darkphoton (CMS, hard photon): θ* range and E* minimum
FILTER_THETA_DEG = (10.0, 170.0)
FILTER_E_MIN = 0.15
#: hard-frame photon angular range generated when ISR boosts the hard frame (|cosθ| < cos 3°)
THETA_GEN_DEG = 3.0
#: dark charge of h′ in ee_darkphoton_darkhiggs (closed form of A3 with q_h′ = 1)
Q_DARKHIGGS = 1.0
_E2 = 4.0 * math.pi * ALPHA


def me2_ee_gamma_vector(p1: Array, p2: Array, k1: Array, k2: Array, m: float,
                        g2: float) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → γ(k1)V(k2) for a vector V of mass ``m`` coupled as
    g γ^μ to the electron (``g2`` = g²; photon coupling e at α(0)); t- and u-channel electron
    exchange, massless electrons. For g = εe it reproduces theory_detector.md A2,
    |M|² ∝ (t² + u² + 2sm²)/(tu)."""
    us = {a: h.u(p1, 0.0, a) for a in h.FERMION}
    vbs = {b: h.vbar(p2, 0.0, b) for b in h.FERMION}
    e1s = {lam: h.polarisation(k1, 0.0, lam) for lam in h.PHOTON}
    e2s = {lam: h.polarisation(k2, m, lam) for lam in h.MASSIVE_VECTOR}
    # propagating spinors: t depends on (a, λ1), u on (a, λ2); each built once
    ts = {(a, lam): h.fermion_prop(h.vertex_v(us[a], e1s[lam]), p1 - k1, 0.0)
          for a in h.FERMION for lam in h.PHOTON}
    uus = {(a, lam): h.fermion_prop(h.vertex_v(us[a], e2s[lam]), p1 - k2, 0.0)
           for a in h.FERMION for lam in h.MASSIVE_VECTOR}

    def amp(a: int, l1: int, l2: int) -> Array:
        vb = vbs[-a]
        return (np.einsum("ni,ni->n", vb, h.vertex_v(ts[a, l1], e2s[l2]))
                + np.einsum("ni,ni->n", vb, h.vertex_v(uus[a, l2], e1s[l1])))

    # massless e⁺e⁻ annihilate only with opposite helicities through vector couplings
    return 0.25 * _E2 * g2 * h.helicity_sum(amp, [h.FERMION, h.PHOTON, h.MASSIVE_VECTOR])


def me2_ee_vector_scalar(p1: Array, p2: Array, k: Array, m_v: float, w_v: float, ge: float,
                         gh: float) -> Array:
    """Spin-averaged |M|² of e⁻e⁺ → V* → V(k) S: s-channel vector of mass m_v (width w_v) coupled
    ge γ^μ to the electron, VVS vertex gh g^μν (:func:`darkscan.generate.helas.vvs`)."""
    s = h.dot(p1 + p2, p1 + p2)
    currents = [h.vector_current(h.vbar(p2, 0.0, -a), h.u(p1, 0.0, a)) for a in h.FERMION]
    pols = {lam: h.polarisation(k, m_v, lam) for lam in h.MASSIVE_VECTOR}

    def amp(a: int, lam: int) -> Array:
        return h.vvs(currents[(a + 1) // 2], pols[lam], gh)

    prop = np.abs(h.propagator_denominator(s, m_v, w_v)) ** 2
    return 0.25 * ge**2 * h.helicity_sum(amp, [h.FERMION, h.MASSIVE_VECTOR]) / prop


class GammaDarkPhoton(DarkProcess):
    name = "ee_gamma_darkphoton"
    description = ("e+e- -> gamma A' (t+u channel helicity amplitudes, on-shell A'); A' -> chi "
                   "chibar (invisible) or e e / mu mu / tau tau / hadrons by its widths; filter "
                   "10<theta*_gamma<170 deg, E*_gamma>0.15 GeV")
    default_filter = (f"{FILTER_THETA_DEG[0]:g} deg < theta*_gamma < {FILTER_THETA_DEG[1]:g} deg "
                      f"and E*_gamma > {FILTER_E_MIN:g} GeV (hard photon, CMS)")
    # t/u-channel like ee_gg: wide-angle (eikonal) ISR photons tilt the hard frame and move
    # forward scatters into the acceptance, which does not factorise; see sm_qed.EEGammaGamma
    isr_collinear = True
    params = (
        ProcessParam("mass", 1.0, "A' mass in GeV, with E*_gamma = (s - m^2)/(2 sqrt(s)) above "
                     "the 0.15 GeV filter"),
        ProcessParam("epsilon", 1e-3, "kinetic mixing (> 0); sigma scales as epsilon^2"),
        ProcessParam("alpha_d", 0.5, "dark coupling alpha_D of A' -> chi chibar (0: visible "
                     "decays only)"),
        ProcessParam("mass_chi1", 0.0, "Dirac dark-matter mass in GeV of A' -> chi chibar (open "
                     "for mass > 2 mass_chi1)"),
    )
    hard_names = ("gamma", "darkphoton")

    def __init__(self) -> None:
        self.pdgs = (PDG_PHOTON, pdg_dark("darkphoton"))

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 2

    def s_min(self, params: Mapping[str, float]) -> float:
        # hard-frame photon energy above FILTER_E_MIN/2 (a factor 2 of margin for the ISR boost):
        # s' − m² ≥ 2e√s' ⇔ √s' ≥ e + √(e² + m²)
        m, e = params["mass"], FILTER_E_MIN / 2.0
        return (e + math.sqrt(e * e + m * m)) ** 2

    def validate_kinematics(self, params: Mapping[str, float]) -> None:
        s = self.experiment.s
        limit = math.sqrt(s - 2.0 * math.sqrt(s) * FILTER_E_MIN)
        if params["mass"] >= limit:
            raise ParameterError(
                f"parameter 'mass' = {params['mass']} GeV must be below {limit:.3f} GeV for "
                f"process '{self.name}' (photon energy (s − m²)/(2√s) above the "
                f"{FILTER_E_MIN} GeV filter at √s = {self.experiment.sqrt_s:.3f} GeV)")
        self.require_nonzero(params, "epsilon")

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        m = params["mass"]
        # without ISR the hard frame is the CMS: generate exactly inside the filter's θ* range
        cmax = math.cos(math.radians(THETA_GEN_DEG if rc else FILTER_THETA_DEG[0]))
        p1, p2, p, dphi = two_to_two_tu(u, sqrt_s, 0.0, m, cmax)
        me2 = me2_ee_gamma_vector(p1, p2, p[:, 0], p[:, 1], m, params["epsilon"] ** 2 * _E2)
        return p, me2 * dphi / (2.0 * sqrt_s**2) * GEV2_TO_PB

    def passes_filter(self, p: Array, k1: Array, k2: Array, params: Mapping[str, float]
                      ) -> Array:
        return in_theta_energy(p[:, 0], *FILTER_THETA_DEG, FILTER_E_MIN)

    def decay_plans(self, params: Mapping[str, float]) -> list[DecayPlan]:
        plan = darkphoton_plan(1, params["mass"], params["epsilon"], params["alpha_d"],
                               params["mass_chi1"])
        return [] if plan is None else [plan]


class DarkHiggsstrahlung(DarkProcess):
    name = "ee_darkphoton_darkhiggs"
    description = ("e+e- -> A'* -> A' h' (dark Higgsstrahlung, helicity amplitudes); A' -> e e / "
                   "mu mu / tau tau / hadrons by its widths; h' invisible (sin_theta = 0) or "
                   "displaced SM decays through Higgs mixing")
    default_filter = "none"
    params = (
        ProcessParam("mass_darkphoton", 5.0, "A' mass in GeV"),
        ProcessParam("mass_darkhiggs", 1.0, "h' mass in GeV (m_A' + m_h' < sqrt(s))"),
        ProcessParam("epsilon", 1e-3, "kinetic mixing (> 0); sigma scales as epsilon^2"),
        ProcessParam("alpha_d", 0.1, "dark coupling alpha_D = g_D^2/4pi (> 0); sigma scales as "
                     "alpha_D"),
        ProcessParam("sin_theta", 0.0, "h'-Higgs mixing; 0: h' stable (invisible)"),
    )
    hard_names = ("darkphoton", "darkhiggs")

    def __init__(self) -> None:
        self.pdgs = (pdg_dark("darkphoton"), pdg_dark("darkhiggs"))

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 2

    def s_min(self, params: Mapping[str, float]) -> float:
        return (params["mass_darkphoton"] + params["mass_darkhiggs"]) ** 2 * (1.0 + 1e-9)

    def validate_kinematics(self, params: Mapping[str, float]) -> None:
        tot = params["mass_darkphoton"] + params["mass_darkhiggs"]
        if tot >= self.experiment.sqrt_s:
            raise ParameterError(
                f"parameters 'mass_darkphoton' + 'mass_darkhiggs' = {tot:g} GeV must be below "
                f"√s = {self.experiment.sqrt_s:.3f} GeV for process '{self.name}'")
        self.require_nonzero(params, "epsilon", "alpha_d")

    def width_darkphoton(self, params: Mapping[str, float]) -> float:
        from darkscan.models import dark_photon

        return float(dark_photon.total_width(params["epsilon"], params["mass_darkphoton"]))

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        ma, mh = params["mass_darkphoton"], params["mass_darkhiggs"]
        p1, p2, p, dphi = two_to_two_flat(u, sqrt_s, ma, mh)
        g_d = math.sqrt(4.0 * math.pi * params["alpha_d"])
        me2 = me2_ee_vector_scalar(p1, p2, p[:, 0], ma, self.width_darkphoton(params),
                                   params["epsilon"] * math.sqrt(_E2),
                                   2.0 * Q_DARKHIGGS * g_d * ma)
        return p, me2 * dphi / (2.0 * sqrt_s**2) * GEV2_TO_PB

    def decay_plans(self, params: Mapping[str, float]) -> list[DecayPlan]:
        ma, mh = params["mass_darkphoton"], params["mass_darkhiggs"]
        plans = [darkphoton_plan(0, ma, params["epsilon"])]
        if mh < 2.0 * ma:  # else h′ → A′A′ dominates: not simulated (module docstring)
            plans.append(darkhiggs_plan(1, mh, params["sin_theta"]))
        return [p for p in plans if p is not None]


EE_GAMMA_DARKPHOTON = register(GammaDarkPhoton())
EE_DARKPHOTON_DARKHIGGS = register(DarkHiggsstrahlung())
