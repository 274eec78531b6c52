"""e⁺e⁻ → τ⁺τ⁻(γ) with one τ → ℓα, α an invisible boson (lepton-flavour-violating two-body decay,
ℓ = e or μ), and the other τ forced to three charged prongs by Pythia: the signal of the Belle II
search in the "3×1 topology" (Belle II, Phys. Rev. Lett. 130 (2023) 181803, 62.8 fb⁻¹,
0 ≤ m_α ≤ 1.6 GeV). Processes ``ee_tautau_ealpha_3prong`` and ``ee_tautau_mualpha_3prong``,
parameter ``mass`` = m_α in GeV (0 allowed: a massless α; below m_τ − m_ℓ). Their SM
background is the same topology with τ → ℓνν̄, ``ee_tautau_e3prong`` / ``ee_tautau_mu3prong``
(:class:`~darkscan.generate.processes.tau_pairs.TauPairLeptonThreeProng`, which this class
extends: production, ISR, the 50/50 choice of the signal τ's charge, the τ flight and the Pythia
three-prong forcing are the same code).

Two-body kinematics. In the τ rest frame ℓ and α are back to back with the fixed energy and
momentum

    E*_ℓ = (m_τ² + m_ℓ² − m_α²)/(2m_τ),   p* = λ^{1/2}(m_τ², m_ℓ², m_α²)/(2m_τ),

so the lepton's rest-frame spectrum is a line (what the search fits for: x = 2E*_ℓ/m_τ,
approximated in the lab by the pseudo rest frame of the three-prong side), and in the e⁺e⁻ frame
a flat box between γ(E* ∓ βp*) for a τ of velocity β.

Spin. For a coupling α ℓ̄(g_L P_L + g_R P_R)τ (+ h.c.) with a spin-0 α, the tree-level rate of
a τ⁻ of polarisation P along the unit vector ŝ is, in its rest frame (trace with the spin
projector (k̸ + m_τ)(1 + γ5 s̸)/2; derived here),

    dΓ/dcosθ ∝ (|g_L|² + |g_R|²) E*_ℓ + 2m_ℓ Re(g_L g_R*) + (|g_L|² − |g_R|²) p* P cosθ,

θ the angle between ℓ⁻ and ŝ: isotropic for a parity-conserving (pure scalar or pseudoscalar,
|g_L| = |g_R|) coupling, maximally asymmetric for a chiral one (ℓ̄P_Lτ makes a right-handed ℓ⁻,
which goes along the τ spin). Here the decay is **isotropic in the τ rest frame**. For a single
τ this is exact whatever the chirality: e⁺e⁻ → γ* → τ⁺τ⁻ leaves each τ unpolarised (P = 0; the
single-τ density matrix of the production is 1/2, see ``tau_pairs``), so no one-τ distribution
depends on a. The chirality would enter only through the τ⁺τ⁻ spin correlation (C_nn ≈ 0.89 at
10.58 GeV) with the three-prong side, which is not kept here (Pythia decays that τ unpolarised),
exactly as for the background processes; the published limits assume an isotropic
(unpolarised) decay as well.

Normalisation. σ = σ(e⁺e⁻ → τ⁺τ⁻) × 2 × B(3-prong) × B(τ → ℓα) with the reference value
B(τ → ℓα) = 1 (both charge assignments of the signal τ; B(3-prong) is Pythia's table,
:func:`~darkscan.generate.processes.tau_pairs.three_prong_fraction`): a search scales the sample
by its B(τ → ℓα) (or by B(τ → ℓα)/B(τ → ℓνν̄) when it quotes the ratio). σ does not depend on
m_α (narrow τ's). ``meta.extra`` records the reference branching fraction and E*_ℓ.

Event record: e⁻, e⁺ beams; the signal τ (index 2, status 2, either charge), the three-prong τ
(index 3, decayed by ``finish_decays``); ℓ and α (mother 2, status 1) at the signal τ's decay
vertex; the ISR photons. α has the dark id 4900040 (``lfv_boson`` in
:mod:`darkscan.models.ids`), neutral: the detector treats it as invisible
(:func:`darkscan.detector.species.is_invisible`: every neutral id but the interacting ones).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from darkscan.generate.phase_space import rest_frame_p4, two_body
from darkscan.generate.processes.tau_pairs import (
    TauPairLeptonThreeProng,
    three_prong_fraction,
)
from darkscan.generate.registry import ProcessParam, register
from darkscan.models.ids import pdgid
from darkscan.models.params import require_in_range
from darkscan.physics.constants import M_TAU, PDG_ELECTRON, PDG_MUON
from darkscan.physics.lorentz import boost, two_body_momentum

Array = np.ndarray

#: PDG-style id of the invisible boson α (darkscan dark-state table, self-conjugate)
PDG_ALPHA = pdgid("lfv_boson")
#: reference B(τ → ℓα) the sample's σ is quoted for
BF_TAU_TO_LALPHA_REFERENCE = 1.0


def lepton_energy_rest_frame(m_lep: float, m_alpha: float, m: float = M_TAU) -> float:
    """E*_ℓ = (m_τ² + m_ℓ² − m_α²)/(2m_τ) of τ → ℓα in the τ rest frame, GeV."""
    return (m * m + m_lep * m_lep - m_alpha * m_alpha) / (2.0 * m)


def lepton_momentum_rest_frame(m_lep: float, m_alpha: float, m: float = M_TAU) -> float:
    """p* = λ^{1/2}(m_τ², m_ℓ², m_α²)/(2m_τ) of τ → ℓα in the τ rest frame, GeV."""
    return float(two_body_momentum(m, m_lep, m_alpha))


def decay_rest_frame_alpha(rng: np.random.Generator, n: int, m_lep: float, m_alpha: float
                           ) -> Array:
    """``n`` isotropic τ → ℓα decays in the τ rest frame: (n, 2, 4) = (ℓ, α)."""
    u = rng.random((n, 2))
    lep, alpha, _ = two_body(rest_frame_p4(n, M_TAU), m_lep, m_alpha, 2.0 * u[:, 0] - 1.0,
                             2.0 * np.pi * u[:, 1])
    return np.stack([lep, alpha], axis=1)


class TauLeptonAlpThreeProng(TauPairLeptonThreeProng):
    """e⁺e⁻ → τ⁺τ⁻(γ), one τ → ℓα (isotropic two-body decay, α invisible, ``mass`` = m_α), the
    other τ forced to three charged prongs by Pythia; σ = σ(ee → ττ) × 2 B(3-prong) × B(τ → ℓα)
    with B(τ → ℓα) = 1 (module docstring: kinematics, spin, normalisation)."""

    n_daughters = 2
    params = (ProcessParam("mass", 1.0, "m_α in GeV, below m_τ − m_ℓ; 0: a massless α",
                           off=0.0),)

    def __init__(self, name: str, lepton: int, filter_label: str) -> None:
        super().__init__(name, lepton, filter_label)
        self.description = (f"e+e- -> tau+tau-(gamma), {filter_label}: Born ME with running "
                            "alpha and Kuraev-Fadin ISR, isotropic two-body tau -> l alpha "
                            "(alpha invisible), Pythia 3-prong decay (finish_decays), "
                            "sigma x 2 B(3-prong) x B(tau -> l alpha) = 1")

    @property
    def bf_product(self) -> float:  # type: ignore[override]
        """2 B(3-prong) B(τ → ℓα) with the reference B(τ → ℓα) = 1 (both charge assignments)."""
        return 2.0 * BF_TAU_TO_LALPHA_REFERENCE * three_prong_fraction()

    def validate(self, params: Mapping[str, float]) -> None:
        """m_α below m_τ − m_ℓ (the decay must be open), then the engine's checks."""
        require_in_range("mass", params["mass"], 0.0, M_TAU - self.lepton_mass, high_open=True,
                         unit="GeV", extra=f"process '{self.name}': τ → ℓα needs m_α < m_τ − m_ℓ")
        super().validate(params)

    def decay_lepton_side(self, k: Array, rng: np.random.Generator, charge: int, target: Array,
                          params: Mapping[str, float]) -> tuple[Array, int]:
        """Isotropic τ → ℓα in each τ rest frame, boosted (pure boost) to the frame of ``k``;
        ``target`` (the τ's spin density, 1/2 for γ*) is not used (module docstring: spin)."""
        rest = decay_rest_frame_alpha(rng, len(k), self.lepton_mass, float(params["mass"]))
        return boost(rest, (k[:, :3] / k[:, 3:4])[:, None, :]), len(k)

    def daughter_pdgs(self, sign: Array) -> Array:
        """(ℓ∓, α) for a τ∓ (``sign`` +1 for a τ⁻); α is self-conjugate."""
        return np.concatenate([sign * self.lepton, np.full_like(sign, PDG_ALPHA)], axis=1)

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        m_alpha = float(params["mass"])
        return {"branching_fraction_product": self.bf_product,
                "three_prong_fraction": three_prong_fraction(),
                "bf_tau_to_lalpha_reference": BF_TAU_TO_LALPHA_REFERENCE,
                "sigma_is": "sigma(ee->tautau) x 2 B(3-prong) (Pythia table) x B(tau->l alpha) "
                            "with B(tau->l alpha) = 1: scale by the B(tau->l alpha) of the model",
                "alpha_pdg": float(PDG_ALPHA),
                "lepton_energy_tau_rest_frame": lepton_energy_rest_frame(self.lepton_mass,
                                                                         m_alpha),
                "lepton_momentum_tau_rest_frame": lepton_momentum_rest_frame(self.lepton_mass,
                                                                             m_alpha),
                "tau_lalpha_decay": "isotropic in the tau rest frame (single tau unpolarised "
                                    "for gamma*: exact per tau)",
                "tau_spin_correlations": "none (single-tau densities exact)",
                "tau_decay_settings": "; ".join(self.tau_decay_settings)}


EE_TAUTAU_EALPHA_3PRONG = register(TauLeptonAlpThreeProng(
    "ee_tautau_ealpha_3prong", PDG_ELECTRON,
    "one tau -> e alpha (alpha invisible), the other -> 3 charged prongs"))
EE_TAUTAU_MUALPHA_3PRONG = register(TauLeptonAlpThreeProng(
    "ee_tautau_mualpha_3prong", PDG_MUON,
    "one tau -> mu alpha (alpha invisible), the other -> 3 charged prongs"))

__all__ = ["BF_TAU_TO_LALPHA_REFERENCE", "EE_TAUTAU_EALPHA_3PRONG", "EE_TAUTAU_MUALPHA_3PRONG",
           "PDG_ALPHA", "TauLeptonAlpThreeProng", "decay_rest_frame_alpha",
           "lepton_energy_rest_frame", "lepton_momentum_rest_frame"]
