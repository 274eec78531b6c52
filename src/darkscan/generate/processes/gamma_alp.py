"""``ee_gamma_alp``: e⁺e⁻ → γ* → γa through the ALP–photon coupling, a → γγ at a displaced vertex.

L = −(g_aγγ/4) a F_μν F̃^μν gives the pseudoscalar vertex g ε_{μνρσ} ε₁^μ ε₂^ν k₁^ρ k₂^σ
(:func:`darkscan.generate.helas.vvs_epsilon`); with the electron current J^μ = v̄γ^μu and the
s-channel photon of momentum q = p₁ + p₂,

    M = (e g / s) ε_{μνρσ} J^μ ε*^ν(k) q^ρ k^σ,

one diagram (Dolan, Ferber, Hearty, Kahlhoefer, Schmidt-Hoberg, JHEP 12 (2017) 094,
arXiv:1709.00009). Born check: σ = αg²/24 (1 − m_a²/s)³ with a (1 + cos²θ*) photon distribution
(reference/theory_detector.md A4). With ISR (``isr=True``) the s-channel photon couples with the
running α(s′), as in ``ee_mumu``; the Born cross section (``isr=False``) uses α(0), as the closed
form. No generator-level filter (the photon spectrum has no collinear singularity).

The ALP decays to γγ, isotropically in its rest frame (exact for a scalar), at a vertex displaced
by L ~ Exp(βγcτ), cτ = ħc/Γ, Γ(a→γγ) = g²m_a³/(64π) (:mod:`darkscan.models.alp`); the photons
carry that production vertex and the lab time of flight. ``sigma_pb`` is the production cross
section (BF(a → γγ) = 1 in this model).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from darkscan.errors import ParameterError
from darkscan.generate import helas as h
from darkscan.generate.isr import alpha_running
from darkscan.generate.processes.dark_common import (
    GAMMAGAMMA,
    DarkProcess,
    DecayPlan,
    pdg_dark,
    two_to_two_flat,
)
from darkscan.generate.registry import ProcessParam, register
from darkscan.physics.constants import ALPHA, GEV2_TO_PB, PDG_PHOTON

Array = np.ndarray


def me2_ee_gamma_alp(p1: Array, p2: Array, k: Array, e2: Array | float, g: float) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → γ*(q) → γ(k) a with the aγγ vertex of L = −(g/4)aFF̃
    (massless electrons; ``e2`` = e² of the s-channel photon)."""
    q = p1 + p2
    s = h.dot(q, q)
    currents = [h.vector_current(h.vbar(p2, 0.0, -a), h.u(p1, 0.0, a)) for a in h.FERMION]
    pols = {lam: h.polarisation(k, 0.0, lam) for lam in h.PHOTON}

    def amp(a: int, lam: int) -> Array:
        return h.vvs_epsilon(currents[(a + 1) // 2], pols[lam], q, k, g)

    return 0.25 * e2 * h.helicity_sum(amp, [h.FERMION, h.PHOTON]) / s**2


class GammaALP(DarkProcess):
    name = "ee_gamma_alp"
    description = ("e+e- -> gamma* -> gamma a (a F Ftilde vertex, helicity amplitudes); a -> "
                   "gamma gamma isotropic at a vertex displaced by its lifetime")
    default_filter = "none"
    params = (
        ProcessParam("mass", 1.0, "ALP mass in GeV, below sqrt(s)"),
        ProcessParam("gagg", 1e-3, "ALP-photon coupling g_agg in GeV^-1 (> 0); sigma scales as "
                     "g^2, c tau as 1/g^2"),
    )
    hard_names = ("gamma", "alp")

    def __init__(self) -> None:
        self.pdgs = (PDG_PHOTON, pdg_dark("alp"))

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 2

    def s_min(self, params: Mapping[str, float]) -> float:
        return params["mass"] ** 2 * (1.0 + 1e-6) + 1e-8

    def validate_kinematics(self, params: Mapping[str, float]) -> None:
        if params["mass"] >= self.experiment.sqrt_s:
            raise ParameterError(
                f"parameter 'mass' = {params['mass']} GeV must be below √s = "
                f"{self.experiment.sqrt_s:.3f} GeV for process '{self.name}'")
        self.require_nonzero(params, "gagg")

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        m = params["mass"]
        p1, p2, p, dphi = two_to_two_flat(u, sqrt_s, 0.0, m)
        s = sqrt_s**2
        e2 = 4.0 * math.pi * (alpha_running(s) if rc else ALPHA)
        me2 = me2_ee_gamma_alp(p1, p2, p[:, 0], e2, params["gagg"])
        return p, me2 * dphi / (2.0 * s) * GEV2_TO_PB

    def decay_plans(self, params: Mapping[str, float]) -> list[DecayPlan]:
        from darkscan.models import alp

        m, g = params["mass"], params["gagg"]
        return [DecayPlan(1, m, float(alp.ctau(g, m)), (GAMMAGAMMA,), (1.0,))]


EE_GAMMA_ALP = register(GammaALP())
