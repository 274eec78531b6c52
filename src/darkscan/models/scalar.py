"""Dark scalar S mixing with the Higgs (mixing angle θ, parameter ``sin_theta``): B → K(*) S
rates, partial widths, branching fractions and lifetime. Also used for the dark Higgs h′.

S couples like the SM Higgs with every coupling × sinθ [theory_detector.md A5, READ: FORESEE
DarkHiggs notebook]. Production through the top-loop b→s S coupling
L_eff = θκ S s̄(m_b P_R + m_s P_L)b, κ = 3√2 G_F m_t² V_ts* V_tb/(16π² v) [A5, RECALLED structure
(Willey & Yu PRD 26 (1982) 3086; Batell, Pospelov, Ritz PRD 83 (2011) 054005), DERIVED norm].

Hadronic widths — darkscan's choice [INFERRED]: no reliable closed form exists between ~1 and
2 GeV (f0(980), f0(1500); Winkler PRD 99 (2019) 015018 shows factors of several). darkscan uses

* m_S < 1 GeV: leading-order chiral perturbation theory (Voloshin 1986; Bezrukov & Gorbunov
  arXiv:0912.0390) for ππ and KK̄, *known to be unreliable by large factors*;
* m_S > 2 GeV: perturbative spectator widths S → gg (one loop, c/b/t), ss̄, cc̄ (open-charm
  threshold at 2m_D);
* in between, each channel is multiplied by a linear weight (ChPT fading out, perturbative fading
  in). ``hadronic_scale`` multiplies every hadronic width, to bracket the uncertainty.

S → γγ is not included (a sub-percent effect except below 2m_μ, where cτ is already huge).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from darkscan.models.common import (
    amplitude_fermion_loop,
    beta,
    ctau_from_width,
    kallen,
    scalar_to_fermions,
)
from darkscan.models.params import require_nonnegative, validate_param
from darkscan.models.rratio import alpha_s
from darkscan.physics.constants import G_FERMI, HBAR_GEV_NS, HIGGS_VEV, M_E, M_K, M_MU, M_PI, M_TAU
from darkscan.physics.constants import mass as pdg_mass

__all__ = ["B_TO_S_INPUTS", "a0_bkstar", "br_b_to_k_scalar", "br_b_to_kstar_scalar",
           "branching_fractions", "ctau", "f0_bk", "kappa_bsS", "partial_widths", "total_width",
           "width_b_to_k_scalar", "width_b_to_kstar_scalar", "width_ccbar", "width_ee",
           "width_gluons", "width_hadrons", "width_kk", "width_leptons", "width_mumu",
           "width_pipi", "width_ssbar", "width_tautau"]

#: Inputs of the b→sS rates [theory_detector.md A5 "Numbers" inputs]: m_t, |V_ts V_tb|, MS-bar m_b
#: and m_s, and m_c(m_c) for S → cc̄ [PDG, RECALLED].
B_TO_S_INPUTS = {"m_top": 172.7, "vts_vtb": 0.0404, "m_b": 4.18, "m_s": 0.093, "m_c": 1.27}
FormFactor = Literal["bz", "hazma"]
_CHPT_MAX, _PQCD_MIN = 1.0, 2.0


def _b_lifetime_gev(charged: bool) -> float:
    """Γ_B = ħ/τ_B in GeV with τ_B from the ``particle`` package (PDG)."""
    from particle import Particle

    tau_ns = Particle.from_pdgid(521 if charged else 511).lifetime
    return HBAR_GEV_NS / float(tau_ns)


def kappa_bsS() -> float:
    """κ = 3√2 G_F m_t² |V_ts V_tb|/(16π² v) in GeV⁻¹ (1.53e-6) [theory_detector.md A5]."""
    i = B_TO_S_INPUTS
    return 3.0 * np.sqrt(2.0) * G_FERMI * i["m_top"] ** 2 * i["vts_vtb"] / (16.0 * np.pi**2
                                                                             * HIGGS_VEV)


def f0_bk(q2: ArrayLike, form_factor: FormFactor = "bz") -> np.ndarray:
    """Scalar B→K form factor f0(q²): ``"bz"`` Ball & Zwicky PRD 71 (2005) 014015
    (hep-ph/0406232), 0.330/(1 − q²/37.46 GeV²) [A5, RECALLED]; ``"hazma"`` 0.33/(1 − q²/38²)
    as in Hazma [A5, READ]."""
    q2 = np.asarray(q2, dtype=float)
    if form_factor == "bz":
        return 0.330 / (1.0 - q2 / 37.46)
    if form_factor == "hazma":
        return 0.33 / (1.0 - q2 / 38.0**2)
    raise _bad_choice("form_factor", form_factor, ("bz", "hazma"))


def a0_bkstar(q2: ArrayLike) -> np.ndarray:
    """B→K* form factor A0(q²) = 1.364/(1 − q²/27.88) − 0.990/(1 − q²/36.78) (q² in GeV²),
    Ball & Zwicky PRD 71 (2005) 014029 (hep-ph/0412079) [A5, RECALLED]."""
    q2 = np.asarray(q2, dtype=float)
    return 1.364 / (1.0 - q2 / 27.88) - 0.990 / (1.0 - q2 / 36.78)


def _bad_choice(name: str, value: object, allowed: tuple[str, ...]) -> Exception:
    from darkscan.errors import ParameterError

    return ParameterError(f"parameter '{name}' = {value!r} is not allowed; choose one of "
                          f"{', '.join(allowed)}")


def width_b_to_k_scalar(sin_theta: ArrayLike, mass: ArrayLike, charged: bool = True,
                        form_factor: FormFactor = "bz") -> np.ndarray:
    """Γ(B→KS) in GeV = θ²κ²(m_b+m_s)²/4·[(m_B²−m_K²)/(m_b−m_s)]² f0(m_S²)² λ^{1/2}/(16π m_B³)
    [theory_detector.md A5, READ: Hazma ``width_B_k_s``]; 0 when closed."""
    th = validate_param("sin_theta", sin_theta)
    ms = validate_param("mass", mass)
    i = B_TO_S_INPUTS
    mb_, mk = (pdg_mass(521), pdg_mass(321)) if charged else (pdg_mass(511), pdg_mass(311))
    lam = kallen(mb_**2, mk**2, ms**2)
    open_ = ms < mb_ - mk
    amp2 = (th**2 * kappa_bsS() ** 2 * (i["m_b"] + i["m_s"]) ** 2 / 4.0
            * ((mb_**2 - mk**2) / (i["m_b"] - i["m_s"])) ** 2 * f0_bk(ms**2, form_factor) ** 2)
    return np.where(open_, amp2 * np.sqrt(np.where(open_, lam, 0.0)) / (16.0 * np.pi * mb_**3),
                    0.0)


def width_b_to_kstar_scalar(sin_theta: ArrayLike, mass: ArrayLike, charged: bool = True
                            ) -> np.ndarray:
    """Γ(B→K*S) in GeV = θ²κ²(m_b−m_s)² A0(m_S²)² λ^{3/2}/[64π m_B³ (m_b+m_s)²]
    [theory_detector.md A5, DERIVED]; 0 when closed."""
    th = validate_param("sin_theta", sin_theta)
    ms = validate_param("mass", mass)
    i = B_TO_S_INPUTS
    mb_, mk = (pdg_mass(521), pdg_mass(323)) if charged else (pdg_mass(511), pdg_mass(313))
    open_ = ms < mb_ - mk
    lam = np.where(open_, kallen(mb_**2, mk**2, ms**2), 0.0)
    return (th**2 * kappa_bsS() ** 2 * (i["m_b"] - i["m_s"]) ** 2 * a0_bkstar(ms**2) ** 2
            * lam**1.5 / (64.0 * np.pi * mb_**3 * (i["m_b"] + i["m_s"]) ** 2))


def br_b_to_k_scalar(sin_theta: ArrayLike, mass: ArrayLike, charged: bool = True,
                     form_factor: FormFactor = "bz") -> np.ndarray:
    """B(B→KS) = Γ(B→KS)·τ_B/ħ, τ_B from PDG via ``particle`` (B⁺ 1.638 ps, B⁰ 1.519 ps)."""
    return width_b_to_k_scalar(sin_theta, mass, charged, form_factor) / _b_lifetime_gev(charged)


def br_b_to_kstar_scalar(sin_theta: ArrayLike, mass: ArrayLike, charged: bool = True
                         ) -> np.ndarray:
    """B(B→K*S) = Γ(B→K*S)·τ_B/ħ."""
    return width_b_to_kstar_scalar(sin_theta, mass, charged) / _b_lifetime_gev(charged)


# --- S decays --------------------------------------------------------------------------------
def width_leptons(sin_theta: ArrayLike, mass: ArrayLike, m_lepton: ArrayLike) -> np.ndarray:
    """Γ(S→ℓℓ) = θ² G_F m_ℓ² m_S β³/(4√2π) in GeV (Higgs width × sin²θ) [A5, RECALLED]."""
    th = validate_param("sin_theta", sin_theta)
    ms = validate_param("mass", mass)
    return scalar_to_fermions(th * np.asarray(m_lepton, float) / HIGGS_VEV, ms, m_lepton)


def width_ee(sin_theta: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(S→e⁺e⁻) in GeV."""
    return width_leptons(sin_theta, mass, M_E)


def width_mumu(sin_theta: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(S→μ⁺μ⁻) in GeV."""
    return width_leptons(sin_theta, mass, M_MU)


def width_tautau(sin_theta: ArrayLike, mass: ArrayLike) -> np.ndarray:
    """Γ(S→τ⁺τ⁻) in GeV."""
    return width_leptons(sin_theta, mass, M_TAU)


def _weights(ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.clip((ms - _CHPT_MAX) / (_PQCD_MIN - _CHPT_MAX), 0.0, 1.0)
    return 1.0 - w, w


def _chpt(th: np.ndarray, ms: np.ndarray, m_p: float, isospin: float) -> np.ndarray:
    amp = (2.0 / 9.0) * (1.0 + 11.0 * m_p**2 / (2.0 * ms**2))
    return (th**2 * isospin * G_FERMI * ms**3 / (16.0 * np.sqrt(2.0) * np.pi) * amp**2
            * beta(ms, m_p))


def width_pipi(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0
               ) -> np.ndarray:
    """Γ(S→ππ) (π⁺π⁻ + π⁰π⁰) in GeV, **leading-order ChPT, unreliable by large factors**:
    θ²·3G_F m_S³/(16√2π)(2/9)²(1 + 11m_π²/(2m_S²))² β_π [A5, RECALLED: Voloshin; Bezrukov &
    Gorbunov 0912.0390], faded out between 1 and 2 GeV (module docstring)."""
    th = validate_param("sin_theta", sin_theta)
    ms = validate_param("mass", mass)
    return hadronic_scale * _weights(ms)[0] * _chpt(th, ms, M_PI, 3.0)


def width_kk(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0) -> np.ndarray:
    """Γ(S→KK̄) (K⁺K⁻ + K⁰K̄⁰) in GeV, **leading-order ChPT** with the same amplitude
    (2/9)(s + 11m_K²/2) (three light flavours; θ^μ_μ and Σm_q q̄q matrix elements at LO) and
    isospin factor 2 instead of 3/2 [INFERRED by darkscan from the ππ derivation; unreliable]."""
    th = validate_param("sin_theta", sin_theta)
    ms = validate_param("mass", mass)
    return hadronic_scale * _weights(ms)[0] * _chpt(th, ms, M_K, 4.0)


def width_gluons(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0
                 ) -> np.ndarray:
    """Γ(S→gg) = θ² G_F α_s² m_S³/(36√2π³)|Σ_{c,b,t} ¾A_{1/2}(τ_q)|² in GeV (LO; Djouadi Phys.
    Rept. 457 (2008) 1, eq. 2.25 × sin²θ) [RECALLED], faded in between 1 and 2 GeV."""
    th = validate_param("sin_theta", sin_theta)
    ms = validate_param("mass", mass)
    amp = sum(0.75 * amplitude_fermion_loop(ms**2 / (4.0 * mq**2))
              for mq in (B_TO_S_INPUTS["m_c"], B_TO_S_INPUTS["m_b"], B_TO_S_INPUTS["m_top"]))
    gam = (th**2 * G_FERMI * alpha_s(ms) ** 2 * ms**3 / (36.0 * np.sqrt(2.0) * np.pi**3)
           * np.abs(amp) ** 2)
    return hadronic_scale * _weights(ms)[1] * gam


def width_ssbar(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0
                ) -> np.ndarray:
    """Γ(S→ss̄) = N_c θ² m_s² m_S β³/(8πv²) (m_s = 93 MeV, β with m_K as the open-strangeness
    threshold) [RECALLED, spectator model], faded in between 1 and 2 GeV."""
    th = validate_param("sin_theta", sin_theta)
    ms = validate_param("mass", mass)
    y = th * B_TO_S_INPUTS["m_s"] / HIGGS_VEV
    return hadronic_scale * _weights(ms)[1] * scalar_to_fermions(y, ms, M_K, colour=3.0)


def width_ccbar(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0
                ) -> np.ndarray:
    """Γ(S→cc̄) = N_c θ² m_c² m_S β³/(8πv²), m_c = 1.27 GeV, β with m_D (open charm)
    [RECALLED, spectator model]."""
    th = validate_param("sin_theta", sin_theta)
    ms = validate_param("mass", mass)
    y = th * B_TO_S_INPUTS["m_c"] / HIGGS_VEV
    return hadronic_scale * scalar_to_fermions(y, ms, pdg_mass(421), colour=3.0)


_CHANNELS = {"ee": width_ee, "mumu": width_mumu, "tautau": width_tautau}
_HADRONIC = {"pipi": width_pipi, "kk": width_kk, "gg": width_gluons, "ssbar": width_ssbar,
             "ccbar": width_ccbar}


def width_hadrons(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0
                  ) -> np.ndarray:
    """Sum of the hadronic widths above, in GeV."""
    return sum(f(sin_theta, mass, hadronic_scale) for f in _HADRONIC.values())


def partial_widths(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0
                   ) -> dict[str, np.ndarray]:
    """Every partial width in GeV, keyed by channel (ee, mumu, tautau, pipi, kk, gg, ssbar,
    ccbar)."""
    require_nonnegative("hadronic_scale", hadronic_scale)
    out = {k: f(sin_theta, mass) for k, f in _CHANNELS.items()}
    out |= {k: f(sin_theta, mass, hadronic_scale) for k, f in _HADRONIC.items()}
    return out


def total_width(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0
                ) -> np.ndarray:
    """Γ_tot in GeV."""
    return sum(partial_widths(sin_theta, mass, hadronic_scale).values())


def branching_fractions(mass: ArrayLike, hadronic_scale: float = 1.0) -> dict[str, np.ndarray]:
    """BFs per channel (independent of sinθ); keys as :func:`partial_widths`."""
    w = partial_widths(1.0, mass, hadronic_scale)
    tot = sum(w.values())
    return {k: v / tot for k, v in w.items()}


def ctau(sin_theta: ArrayLike, mass: ArrayLike, hadronic_scale: float = 1.0) -> np.ndarray:
    """cτ = ħc/Γ_tot in cm (∝ 1/sin²θ)."""
    return ctau_from_width(total_width(sin_theta, mass, hadronic_scale))
