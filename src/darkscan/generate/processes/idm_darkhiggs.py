"""``ee_darkhiggs_idm``: e⁺e⁻ → A′* → h′χ₁χ₂ (inelastic dark matter with a dark Higgs), the signal
of the Belle II search arXiv:2505.09705, in the model of Duerr, Ferber, Garcia-Cely, Hearty,
Schmidt-Hoberg, JHEP 04 (2021) 146, arXiv:2012.08595 (reference/theory_detector.md A6).

**Model and Feynman rules** (derived here). A Dirac fermion of dark charge 1 gets a Majorana
mass splitting from the dark-Higgs field φ of dark charge q_h′ = 2, ⟨φ⟩ = v_D/√2, which also gives
the A′ its mass m_A′ = q_h′ g_D v_D. The mass eigenstates are two Majorana fermions
m_χ2,1 = m_D ± Δ/2 with Δ ∝ v_D. Every h′ coupling is the derivative of a mass with respect to
v_D (as for the SM Higgs):

- A′A′h′: i g_h g^μν, g_h = d(m_A′²)/dv_D = 2m_A′²/v_D = 2q_h′ g_D m_A′;
- h′χᵢχᵢ: −i cᵢ with c₂ = dm_χ2/dv_D = +Δ/(2v_D) = +g_DΔ/m_A′ and c₁ = −g_DΔ/m_A′ (the
  coupling k ≈ g_DΔm/m_A′ quoted by Belle II, seed 002);
- A′χ₁χ₂: the off-diagonal vector coupling g_D γ^μ (no diagonal vector couplings for Majorana
  states), the same vertex as :func:`darkscan.models.dark_photon.width_chi1chi2`;
- e⁺e⁻A′: εe γ^μ.

**Matrix element**: the complete tree-level 2 → 3 amplitude, three diagrams with a common
s-channel A′* (electron current conserved, so its q_μq_ν term drops) and the A′χ₁χ₂ vertex,
written with a continuous fermion flow χ₁ ← χ₂ (Denner's rules for Majorana fermions; the
outgoing χ₂ is a v spinor, m > 0):

  (a) dark Higgsstrahlung A′* → A′(*)h′, A′(*) → χ₁χ₂:
      g_h (J − k(k·J)/m_A′²)/(k² − m_A′² + im_A′Γ_A′) with J = ū₁γ^μv₂ and k = p₁ + p₂
      (the q_μq_ν/M² term is kept: k·J = −Δ ū₁v₂ ≠ 0);
  (b) h′ off χ₁: c₁ ū₁(p̸₁ + p̸_h + m₁)γ^μv₂/((p₁ + p_h)² − m₁²);
  (c) h′ off χ₂: c₂ ū₁γ^μ(−p̸₂ − p̸_h + m₂)v₂/((p₂ + p_h)² − m₂²).

The relative signs are fixed by the derivation above and checked with the Ward identity of the
broken dark U(1): contracted with K = p₁ + p₂ + p_h, the A′* → χ₁χ₂h′ current (a)+(b)+(c) equals
the Goldstone amplitude (h′ off the legs of the scalar vertex −Δū₁v₂, plus the G–A′–h′ vertex
(g_h/2)(k + 2p_h)^μ), to machine precision; the opposite sign of c₁,₂ violates it
(tests/generate/test_dark_processes.py::test_idm_ward_identity). For an on-shell, narrow A′
(m_A′ > m_χ1 + m_χ2) the cross section reduces to σ(e⁺e⁻ → A′h′; q_h′ = 2) × BF(A′ → χ₁χ₂)
(A3, A6): checked (0.2% at α_D = 0.01; at α_D = 0.1, Γ_A′/m_A′ = 2.6%, the full result is 1.7%
lower). Away from that limit (broad A′ for large α_D, off-shell A′, emission off the χ lines)
the full amplitude is what counts. The A′ is never an event particle (it is internal to the
2 → 3 amplitude; the event record holds χ₁, χ₂, h′ and their decay products).

**Decays** (not part of ``sigma_pb``, which is the production cross section σ(e⁺e⁻ → h′χ₁χ₂)):

- χ₂ → χ₁ f f̄ through the off-shell A′, f = e, μ (with collinear FSR) or π⁺π⁻ (the R-ratio
  hadronic width of :mod:`darkscan.models.idm`, with the pion current (p₊ − p₋)^μ as its
  kinematic proxy), channel by the model's partial widths, three-body kinematics from the exact
  spin-summed matrix element |ū₁γ^μu₂ · J_f,μ|²/|q² − m_A′² + im_A′Γ_A′|² (χ₂ unpolarised: spin
  correlations with the production are not kept), at a vertex displaced by the χ₂ lifetime;
  products [χ₁, f⁻, f⁺, γ_FSR, γ_FSR]. χ₂ is left undecayed if Δ < 2m_e.
- h′ → e⁺e⁻, μ⁺μ⁻, ππ, KK̄, ... through Higgs mixing (sinθ) at a displaced vertex
  (:func:`darkscan.generate.processes.dark_common.darkhiggs_plan`); h′ stable for sinθ = 0.
  h′ → χχ and h′ → A′A′ are not included (the search's regime is m_h′ < m_χ1 < m_A′).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from darkscan.errors import ParameterError
from darkscan.generate import helas as h
from darkscan.generate.isr import fsr_pair
from darkscan.generate.phase_space import map_breit_wigner, map_flat, rest_frame_p4, two_body
from darkscan.generate.processes.dark_common import (
    DarkProcess,
    DecayPlan,
    beams_rest,
    choose,
    darkhiggs_plan,
    pdg_dark,
)
from darkscan.generate.registry import ProcessParam, register
from darkscan.physics.constants import (
    ALPHA,
    GEV2_TO_PB,
    M_E,
    M_MU,
    M_PI,
    PDG_ELECTRON,
    PDG_MUON,
    PDG_PHOTON,
    PDG_PION,
)
from darkscan.physics.lorentz import boost

Array = np.ndarray
#: dark charge of h′ in the iDM model (Majorana splitting from a charge-2 dark Higgs)
Q_DARKHIGGS = 2.0
#: share of the k² = m²(χ₁χ₂) points drawn from the A′ Breit–Wigner (the rest flat)
BW_SHARE = 0.8
_E = math.sqrt(4.0 * math.pi * ALPHA)


@dataclass(frozen=True)
class Couplings:
    """The couplings of the iDM + dark-Higgs model for one parameter point (GeV units)."""

    m1: float       #: m_χ1
    m2: float       #: m_χ2 = m_χ1 + Δ
    ma: float       #: m_A′
    wa: float       #: Γ_A′ (visible + χ₁χ₂)
    ge: float       #: εe, the A′ electron coupling
    gd: float       #: g_D = √(4πα_D)
    gh: float       #: A′A′h′ coupling 2 q_h′ g_D m_A′
    c1: float       #: h′χ₁χ₁ coupling −g_D Δ/m_A′ (for q_h′ = 2)
    c2: float       #: h′χ₂χ₂ coupling +g_D Δ/m_A′

    @classmethod
    def from_params(cls, params: Mapping[str, float]) -> Couplings:
        m1, d, ma = params["mass_chi1"], params["delta"], params["mass_darkphoton"]
        gd = math.sqrt(4.0 * math.pi * params["alpha_d"])
        v_d = ma / (Q_DARKHIGGS * gd)
        return cls(m1, m1 + d, ma, _width_darkphoton(params["epsilon"], ma, params["alpha_d"],
                                                     m1, d),
                   params["epsilon"] * _E, gd, 2.0 * ma * ma / v_d, -d / (2.0 * v_d),
                   d / (2.0 * v_d))


@lru_cache(maxsize=256)
def _width_darkphoton(eps: float, ma: float, alpha_d: float, m1: float, delta: float) -> float:
    from darkscan.models import dark_photon

    return float(dark_photon.total_width(eps, ma, alpha_d, mass_chi=m1, delta=delta))


def me2_idm(p1: Array, p2: Array, q1: Array, q2: Array, ph: Array, c: Couplings,
            diagrams: tuple[bool, bool, bool] = (True, True, True)) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → χ₁(q1)χ₂(q2)h′(ph), the three diagrams of the module
    docstring (``diagrams`` switches (a), (b), (c) on/off, for tests)."""
    s = h.dot(p1 + p2, p1 + p2)
    je = [h.vector_current(h.vbar(p2, 0.0, -a), h.u(p1, 0.0, a)) for a in h.FERMION]
    k = q1 + q2
    total = np.zeros(len(p1))
    for s1 in h.FERMION:
        ub1 = h.ubar(q1, c.m1, s1)
        for s2 in h.FERMION:
            v2 = h.v(q2, c.m2, s2)
            t = np.zeros((len(p1), 4), dtype=complex)
            if diagrams[0]:
                t += c.gh * h.vector_prop_unitary(h.vector_current(ub1, v2), k, c.ma, c.wa)
            if diagrams[1]:
                t += c.c1 * h.vector_current(h.fermion_prop_bar(ub1, q1 + ph, c.m1), v2)
            if diagrams[2]:
                t += c.c2 * h.vector_current(ub1, h.fermion_prop(v2, -(q2 + ph), c.m2))
            for j in je:
                a = h.dot(j, t)
                total += a.real**2 + a.imag**2
    prop = np.abs(h.propagator_denominator(s, c.ma, c.wa)) ** 2
    return 0.25 * (c.ge * c.gd) ** 2 * total / prop


def kinematics_idm(u: Array, sqrt_s: Array, c: Couplings, mh: float
                   ) -> tuple[Array, Array, Array, Array]:
    """(p1, p2, p (n, 3, 4) = χ₁, χ₂, h′; dΦ₃ × Jacobian) in the hard rest frame. k² = m²(χ₁χ₂)
    is drawn from a mixture of the A′ Breit–Wigner (share :data:`BW_SHARE`) and a flat density
    (multichannel weight 1/Σ share/Jacobian, exact for any m_A′, on or off shell)."""
    n = len(u)
    sqrt_s = np.broadcast_to(np.asarray(sqrt_s, float), (n,))
    lo = (c.m1 + c.m2) ** 2
    hi = np.maximum((sqrt_s - mh) ** 2, lo * (1.0 + 1e-12))
    w_bw = max(c.wa, 1e-6 * c.ma)
    bw = u[:, 0] < BW_SHARE
    ub = np.where(bw, u[:, 0] / BW_SHARE, (u[:, 0] - BW_SHARE) / (1.0 - BW_SHARE))
    x_bw, _ = map_breit_wigner(ub, lo, hi, c.ma, w_bw)
    x_fl, j_fl = map_flat(ub, lo, hi)
    k2 = np.where(bw, x_bw, x_fl)
    a0 = np.arctan((lo - c.ma**2) / (c.ma * w_bw))
    a1 = np.arctan((hi - c.ma**2) / (c.ma * w_bw))
    j_bw = (a1 - a0) * ((k2 - c.ma**2) ** 2 + (c.ma * w_bw) ** 2) / (c.ma * w_bw)
    jac = 1.0 / (BW_SHARE / j_bw + (1.0 - BW_SHARE) / j_fl)
    big_p = rest_frame_p4(n, sqrt_s)
    kk, ph, d1 = two_body(big_p, np.sqrt(k2), mh, 2.0 * u[:, 1] - 1.0, 2.0 * np.pi * u[:, 2])
    q1, q2, d2 = two_body(kk, c.m1, c.m2, 2.0 * u[:, 3] - 1.0, 2.0 * np.pi * u[:, 4])
    dphi = d1 * d2 * jac / (2.0 * np.pi) * (4.0 * np.pi) ** 2
    dphi = np.where(sqrt_s > mh + c.m1 + c.m2, dphi, 0.0)
    p1, p2 = beams_rest(n, sqrt_s)
    return p1, p2, np.stack([q1, q2, ph], axis=1), dphi


# ---------------------------------------------------------------------------------------------
# χ₂ → χ₁ f f̄
# ---------------------------------------------------------------------------------------------
#: χ₂ decay channels: (name, pdg of f, mass of f, spin-½ f (with FSR; else the pion current))
_CHI2_CHANNELS = (("ee", PDG_ELECTRON, M_E, True), ("mumu", PDG_MUON, M_MU, True),
                  ("pipi", PDG_PION, M_PI, False))


def _chi2_rest_decay(n: int, rng: np.random.Generator, c: Couplings, mf: float, fermion: bool
                     ) -> tuple[Array, Array, Array, Array]:
    """Candidate χ₂ → χ₁ f f̄ decays in the χ₂ rest frame and their weights |M|²·dΦ₃ (up to a
    constant): q² = m²(f f̄) flat in [4m_f², Δ²], then two-body splittings."""
    d = c.m2 - c.m1
    q2 = (2.0 * mf) ** 2 + (d * d - (2.0 * mf) ** 2) * rng.random(n)
    big_p = rest_frame_p4(n, c.m2)
    x1, qq, w1 = two_body(big_p, c.m1, np.sqrt(q2), 2.0 * rng.random(n) - 1.0,
                          2.0 * np.pi * rng.random(n))
    fm, fp, w2 = two_body(qq, mf, mf, 2.0 * rng.random(n) - 1.0, 2.0 * np.pi * rng.random(n))
    prop = np.abs(h.propagator_denominator(q2, c.ma, c.wa)) ** 2
    if fermion:
        jf = [h.vector_current(h.ubar(fm, mf, a), h.v(fp, mf, b))
              for a in h.FERMION for b in h.FERMION]
    else:
        jf = [(fp - fm).astype(complex)]
    me2 = np.zeros(n)
    for a in h.FERMION:
        u2 = h.u(big_p, c.m2, a)
        for b in h.FERMION:
            jx = h.vector_current(h.ubar(x1, c.m1, b), u2)
            for j in jf:
                amp = h.dot(jx, j)
                me2 += amp.real**2 + amp.imag**2
    return x1, fm, fp, me2 / prop * w1 * w2


def chi2_decays(P: Array, c: Couplings, mf: float, fermion: bool, rng: np.random.Generator,
                n_pilot: int = 20_000) -> tuple[Array, Array, Array]:
    """Unweighted χ₂ → χ₁ f f̄ decays of χ₂'s with momenta P (n, 4): acceptance–rejection on the
    exact matrix element against the maximum of a pilot sample (× 1.3), rounds over the rejected
    subset (never a loop over events); returns the χ₁, f⁻, f⁺ momenta in the frame of P."""
    n = len(P)
    *_, w = _chi2_rest_decay(n_pilot, rng, c, mf, fermion)
    wmax = 1.3 * float(np.max(w))
    out = np.zeros((3, n, 4))
    todo = np.arange(n)
    for _ in range(10_000):
        if todo.size == 0:
            break
        m = max(64, 3 * todo.size)
        x1, fm, fp, w = _chi2_rest_decay(m, rng, c, mf, fermion)
        acc = np.nonzero(rng.random(m) * wmax < w)[0][: todo.size]
        dst = todo[: acc.size]
        out[0, dst], out[1, dst], out[2, dst] = x1[acc], fm[acc], fp[acc]
        todo = todo[acc.size:]
    beta = P[:, :3] / P[:, 3:4]
    return boost(out[0], beta), boost(out[1], beta), boost(out[2], beta)


@dataclass(frozen=True)
class Chi2DecayPlan(DecayPlan):
    """χ₂ → χ₁ f f̄ (module docstring); products [χ₁, f⁻, f⁺, γ, γ]."""

    couplings: Couplings | None = None

    def sample(self, P: Array, rng: np.random.Generator) -> tuple[Array, Array]:
        assert self.couplings is not None
        n = len(P)
        idx = choose(rng, n, self.fractions)
        out = np.zeros((n, 5, 4))
        pdg = np.empty((n, 5), dtype=np.int64)
        pdg[:, 0] = pdg_dark("chi1")
        pdg[:, 3:] = PDG_PHOTON
        for i, ch in enumerate(self.channels):
            sel = np.nonzero(idx == i)[0]
            if sel.size == 0:
                continue
            _, pid, mf, fermion = next(x for x in _CHI2_CHANNELS if x[0] == ch.name)
            x1, fm, fp = chi2_decays(P[sel], self.couplings, mf, fermion, rng)
            if fermion:
                fm, fp, ka, kb = fsr_pair(fm, fp, mf, rng)
                out[sel, 3], out[sel, 4] = ka, kb
            out[sel, 0], out[sel, 1], out[sel, 2] = x1, fm, fp
            # f⁻ is the particle (pdg > 0 for leptons, π⁻ = −211)
            sign = 1 if pid != PDG_PION else -1
            pdg[sel, 1], pdg[sel, 2] = sign * pid, -sign * pid
        return out, pdg


@lru_cache(maxsize=64)
def _chi2_widths(m1: float, d: float, ma: float, ad: float, eps: float) -> tuple[float, ...]:
    from darkscan.models import idm

    a = (m1, d, ma, ad, eps)
    return (float(idm.width_chi2_ee(*a)), float(idm.width_chi2_mumu(*a)),
            float(idm.width_chi2_hadrons(*a)))


class DarkHiggsIDM(DarkProcess):
    name = "ee_darkhiggs_idm"
    description = ("e+e- -> A'* -> h' chi1 chi2 (iDM + dark Higgs, full 2->3 helicity amplitudes:"
                   " dark Higgsstrahlung + h' off the chi lines); chi2 -> chi1 e e / mu mu / pi pi"
                   " and h' -> SM displaced by their lifetimes")
    default_filter = "none"
    params = (
        ProcessParam("mass_darkhiggs", 0.5, "h' mass in GeV"),
        ProcessParam("mass_chi1", 1.0, "chi1 mass in GeV"),
        ProcessParam("delta", 0.4, "mass splitting m_chi2 - m_chi1 in GeV; must be > 0 "
                     "(m_chi2 > m_chi1) and below mass_darkphoton"),
        ProcessParam("mass_darkphoton", 3.0, "A' mass in GeV"),
        ProcessParam("epsilon", 1e-3, "kinetic mixing (> 0); sigma scales as epsilon^2"),
        ProcessParam("alpha_d", 0.1, "dark coupling alpha_D = g_D^2/4pi (> 0)"),
        ProcessParam("sin_theta", 1e-5, "h'-Higgs mixing (h' lifetime ~ 1/sin^2); 0: h' "
                     "stable"),
    )
    hard_names = ("chi1", "chi2", "darkhiggs")
    grid_points = 200_000

    def __init__(self) -> None:
        self.pdgs = (pdg_dark("chi1"), pdg_dark("chi2"), pdg_dark("darkhiggs"))

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 5

    def s_min(self, params: Mapping[str, float]) -> float:
        m1, d = params["mass_chi1"], params["delta"]
        return (params["mass_darkhiggs"] + 2.0 * m1 + d) ** 2 * (1.0 + 1e-9)

    def validate_kinematics(self, params: Mapping[str, float]) -> None:
        m1, d, mh = params["mass_chi1"], params["delta"], params["mass_darkhiggs"]
        tot = mh + 2.0 * m1 + d
        if tot >= self.experiment.sqrt_s:
            raise ParameterError(
                f"parameters 'mass_darkhiggs' + 2·'mass_chi1' + 'delta' = {tot:g} GeV must be "
                f"below √s = {self.experiment.sqrt_s:.3f} GeV for process '{self.name}'")
        if params["mass_darkphoton"] <= d:
            raise ParameterError(
                f"parameter 'mass_darkphoton' = {params['mass_darkphoton']} GeV must exceed "
                f"'delta' = {d} GeV (χ₂ → χ₁ f f̄ through an off-shell A′)")
        self.require_nonzero(params, "epsilon", "alpha_d")

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        c = Couplings.from_params(params)
        p1, p2, p, dphi = kinematics_idm(u, sqrt_s, c, params["mass_darkhiggs"])
        me2 = me2_idm(p1, p2, p[:, 0], p[:, 1], p[:, 2], c)
        return p, me2 * dphi / (2.0 * sqrt_s**2) * GEV2_TO_PB

    def decay_plans(self, params: Mapping[str, float]) -> list[DecayPlan]:
        from darkscan.models.common import ctau_from_width

        c = Couplings.from_params(params)
        widths = _chi2_widths(c.m1, c.m2 - c.m1, c.ma, params["alpha_d"], params["epsilon"])
        chans = tuple(ch for ch, w in zip(_CHI2_CHANNELS, widths) if w > 0)
        plans: list[DecayPlan] = []
        if chans:
            from darkscan.generate.processes.dark_common import Channel

            fr = tuple(w for w in widths if w > 0)
            plans.append(Chi2DecayPlan(
                1, c.m2, float(ctau_from_width(sum(fr))),
                tuple(Channel(x[0], (x[1], -x[1]), (x[2], x[2])) for x in chans), fr, c))
        hp = darkhiggs_plan(2, params["mass_darkhiggs"], params["sin_theta"])
        if hp is not None:
            plans.append(hp)
        return plans

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        from darkscan.models import dark_higgs, dark_photon

        out = super().meta_extra(params)
        m1, d, ma = params["mass_chi1"], params["delta"], params["mass_darkphoton"]
        if ma > 2.0 * m1 + d and ma + params["mass_darkhiggs"] < self.experiment.sqrt_s:
            br = dark_photon.branching_fractions(params["epsilon"], ma, params["alpha_d"], m1,
                                                 d)["invisible"]
            out["sigma_narrow_width_pb"] = float(dark_higgs.sigma_darkphoton_darkhiggs(
                ma, params["mass_darkhiggs"], params["epsilon"], params["alpha_d"],
                Q_DARKHIGGS, sqrt_s=self.experiment.sqrt_s) * br)
        return out


EE_DARKHIGGS_IDM = register(DarkHiggsIDM())
