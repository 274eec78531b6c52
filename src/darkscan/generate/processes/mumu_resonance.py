"""e⁺e⁻ → μ⁺μ⁻ X with X radiated off the final-state muon line of e⁺e⁻ → γ* → μ⁺μ⁻.

- ``ee_mumu_zprime``: X = L_μ−L_τ Z′ (vector coupling g′ to muons), 2 diagrams (Z′ off μ⁻ or μ⁺),
  narrow-width on-shell Z′ (2→3 with M_Z′ fixed; the production σ does not include any BF).
- ``ee_mumu_scalar``: X = muonphilic scalar S with Yukawa coupling g_S S μ̄μ.
- ``ee_mumu_leptophilic``: X = leptophilic scalar φ_L (Yukawa ξ m_ℓ/v to every charged lepton,
  :mod:`darkscan.models.leptophilic`): the same matrix element as ``ee_mumu_scalar`` with
  g_S = ξ m_μ/v. Emission off the initial e⁺e⁻ (Yukawa ξ m_e/v, m_μ/m_e ≈ 207 times smaller) is
  left out: its rate is O((m_e/m_μ)²) ≈ 2e-5 of the muon-line one, and a spin-0 emission flips
  the electron helicity, so it does not interfere with the muon-line diagrams for m_e → 0.
- ``ee_mumu_alp_leptons``: X = ALP a with the pseudoscalar Yukawa (C_ℓℓ/Λ) m_ℓ a ℓ̄iγ5ℓ, the
  vertex γ5 in place of 1 (the overall i drops out of |M|²); e-line emission neglected as above.

φ_L and a decay by the model's branching fractions (ee, μμ, ττ, γγ); τ are left undecayed in the
hard record and decayed by Pythia as the framework's last step (``registry.finish_decays``),
unpolarised: the τ⁺τ⁻ spin correlations that tell a CP-even from a CP-odd parent are not kept.

Phase space: μ⁻X invariant mass sampled ∝ 1/(m² − m_μ²) (the muon propagator), then two-body
splittings. The μ⁺ ↔ μ⁻ peak is covered by symmetry: the integrand is weighted with the channel
partition 2·d₂/(d₁ + d₂) (dᵢ = propagator virtualities) and the muon labels are swapped with
probability 1/2 after unweighting, exact because |M|² is symmetric under μ⁺ ↔ μ⁻ (checked in the
tests). Decays are isotropic in the X rest frame (spin correlations not kept).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from darkscan.errors import ParameterError
from darkscan.generate import helas as h
from darkscan.generate.engine import Decayed, EEProcess
from darkscan.generate.isr import alpha_running
from darkscan.generate.phase_space import decay_isotropic, map_pole, rest_frame_p4, two_body
from darkscan.generate.registry import ProcessParam, register
from darkscan.physics.constants import (
    ALPHA,
    GEV2_TO_PB,
    M_MU,
    M_TAU,
    PDG_ELECTRON,
    PDG_MUON,
    PDG_PHOTON,
    PDG_TAU,
)

Array = np.ndarray
PDG_NU_MU, PDG_NU_TAU = 14, 16


def _pdg(key: str) -> int:
    from darkscan.models.ids import pdgid

    return pdgid(key)


def kinematics_mumux(u: Array, sqrt_s: Array, mx: float) -> tuple[Array, Array, Array, Array]:
    """(p1, p2, p (n, 3, 4) = μ⁻, μ⁺, X; dΦ₃ × Jacobian) in the rest frame, e⁻ along +z."""
    n = len(u)
    lo = (M_MU + mx) ** 2
    hi = (sqrt_s - M_MU) ** 2
    q2, jq = map_pole(u[:, 0], lo, np.maximum(hi, lo * (1 + 1e-9)), M_MU**2)
    big_p = rest_frame_p4(n, sqrt_s)
    q, p4, d1 = two_body(big_p, np.sqrt(q2), M_MU, 2 * u[:, 1] - 1, 2 * np.pi * u[:, 2])
    p3, k, d2 = two_body(q, M_MU, mx, 2 * u[:, 3] - 1, 2 * np.pi * u[:, 4])
    dphi = d1 * d2 * jq / (2 * np.pi) * (4 * np.pi) ** 2
    dphi = np.where(hi > lo, dphi, 0.0)
    e = sqrt_s / 2.0
    z = np.zeros(n)
    p1 = np.stack([z, z, e, e], axis=-1)
    p2 = np.stack([z, z, -e, e], axis=-1)
    return p1, p2, np.stack([p3, p4, k], axis=1), dphi


def me2_mumux(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, mx: float, coupling: float,
              e2: Array, vector: bool, pseudoscalar: bool = False) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → γ* → μ⁻(p3)μ⁺(p4)X(k), X off either muon.

    X-muon vertex: ``coupling`` × γ^α (``vector``), × 1 (scalar) or × γ5 (``pseudoscalar``; from
    −i y X μ̄γ5μ, the overall phase is common to both diagrams and drops out)."""
    s = h.dot(p1 + p2, p1 + p2)
    beam_in = h.spinors("u", p1, 0.0)
    je = [h.vector_current(vb, ui) for vb in h.spinors("vbar", p2, 0.0).values()
          for ui in beam_in.values()]
    u3, v4 = h.spinors("ubar", p3, M_MU), h.spinors("v", p4, M_MU)
    q3, q4 = p3 + k, -(p4 + k)
    jm = []
    for lx in (h.MASSIVE_VECTOR if vector else h.SCALAR):
        # each off-shell muon line once per (X helicity, muon helicity), not per pair
        if vector:
            eps = h.polarisation(k, mx, lx)
            a1 = {c: h.fermion_prop_bar(h.vertex_v_bar(u3[c], eps), q3, M_MU) for c in u3}
            b2 = {d: h.fermion_prop(h.vertex_v(v4[d], eps), q4, M_MU) for d in v4}
        elif pseudoscalar:  # γ5 is diagonal in the helicity basis of helas: ψ̄γ5, γ5ψ elementwise
            g5 = np.diag(h.GAMMA5)
            a1 = {c: h.fermion_prop_bar(u3[c] * g5, q3, M_MU) for c in u3}
            b2 = {d: h.fermion_prop(g5 * v4[d], q4, M_MU) for d in v4}
        else:
            a1 = {c: h.fermion_prop_bar(u3[c], q3, M_MU) for c in u3}
            b2 = {d: h.fermion_prop(v4[d], q4, M_MU) for d in v4}
        jm += [h.vector_current(a1[c], v4[d]) + h.vector_current(u3[c], b2[d])
               for c in u3 for d in v4]
    total = h.sum_abs2_dots(je, jm)
    return 0.25 * total * (e2 * coupling / s) ** 2


# --- reference |M|² by Dirac traces (validation only: independent of the helicity engine) -------
_SIGMA = (np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]]))
#: γ^0..γ^3 in the Dirac basis and γ5 = iγ⁰γ¹γ²γ³ (helas uses the chiral basis; traces agree)
_GAMMA_DIRAC = np.array(
    [np.block([[np.eye(2), np.zeros((2, 2))], [np.zeros((2, 2)), -np.eye(2)]])]
    + [np.block([[np.zeros((2, 2)), sg], [-sg, np.zeros((2, 2))]]) for sg in _SIGMA]
).astype(complex)
_GAMMA5_DIRAC = 1j * _GAMMA_DIRAC[0] @ _GAMMA_DIRAC[1] @ _GAMMA_DIRAC[2] @ _GAMMA_DIRAC[3]
_METRIC = np.diag([1.0, -1.0, -1.0, -1.0])


def _slash_matrix(p: Array) -> Array:
    """p̸ as (n, 4, 4) from darkscan momenta (px, py, pz, E)."""
    e_p = np.concatenate([p[..., 3:], p[..., :3]], axis=-1)
    return np.einsum("nm,mab->nab", e_p @ _METRIC, _GAMMA_DIRAC)


def me2_mumux_traces(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, coupling: float,
                     e2: float, pseudoscalar: bool) -> Array:
    """Spin-averaged |M|² of e⁻e⁺ → γ* → μ⁻μ⁺X for a spin-0 X (vertex Γ = 1 or γ5), from Dirac
    traces with explicit γ matrices: (1/4)(e²g/s)² L^{μν}H_{μν}, L = Tr[p̸2γ^μp̸1γ^ν] (massless
    e), H = Tr[(p̸3+m)O_μ(p̸4−m)γ⁰O_ν†γ⁰], O^μ = Γ(q̸3+m)γ^μ/d1 + γ^μ(−q̸4+m)Γ/d2, q_i = p_i + k,
    d_i = q_i² − m_μ². An independent reference for :func:`me2_mumux` (validation, small n)."""
    one = np.eye(4)
    m = M_MU
    gam = _GAMMA5_DIRAC if pseudoscalar else one.astype(complex)
    q3, q4 = p3 + k, p4 + k
    d1 = (h.dot(q3, q3) - m * m)[:, None, None, None]
    d2 = (h.dot(q4, q4) - m * m)[:, None, None, None]
    o = (np.einsum("ab,nbc,mcd->nmad", gam, _slash_matrix(q3) + m * one, _GAMMA_DIRAC) / d1
         + np.einsum("mab,nbc,cd->nmad", _GAMMA_DIRAC, -_slash_matrix(q4) + m * one, gam) / d2)
    obar = np.einsum("ab,nmcb,cd->nmad", _GAMMA_DIRAC[0], o.conj(), _GAMMA_DIRAC[0])
    hmu = np.einsum("nab,nmbc,ncd,nrda->nmr", _slash_matrix(p3) + m * one, o,
                    _slash_matrix(p4) - m * one, obar)
    lmu = np.einsum("nab,mbc,ncd,rda->nmr", _slash_matrix(p2), _GAMMA_DIRAC, _slash_matrix(p1),
                    _GAMMA_DIRAC)
    lh = np.einsum("nmr,ma,rb,nab->n", lmu, _METRIC, _METRIC, hmu).real
    return 0.25 * lh * (e2 * coupling / h.dot(p1 + p2, p1 + p2)) ** 2


class MuMuX(EEProcess):
    vector = True
    pseudoscalar = False
    coupling_name = "gprime"
    fsr = ((0, 1, M_MU),)

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 5

    def s_min(self, params: Mapping[str, float]) -> float:
        return (2 * M_MU + params["mass"]) ** 2 * 1.0001

    def validate(self, params: Mapping[str, float]) -> None:
        limit = self.experiment.sqrt_s - 2 * M_MU
        if params["mass"] >= limit:
            raise ParameterError(f"parameter 'mass' = {params['mass']} GeV must be below "
                                 f"√s − 2m_μ = {limit:.3f} GeV for process '{self.name}'")
        self.require_nonzero(params, self.coupling_name)
        super().validate(params)

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        mx = params["mass"]
        p1, p2, p, dphi = kinematics_mumux(u, sqrt_s, mx)
        s = sqrt_s**2
        e2 = 4 * np.pi * (alpha_running(s) if rc else ALPHA)
        me2 = me2_mumux(p1, p2, p[:, 0], p[:, 1], p[:, 2], mx, self.muon_coupling(params), e2,
                        self.vector, self.pseudoscalar)
        d1 = h.dot(p[:, 0] + p[:, 2], p[:, 0] + p[:, 2]) - M_MU**2
        d2 = h.dot(p[:, 1] + p[:, 2], p[:, 1] + p[:, 2]) - M_MU**2
        part = 2.0 * d2 / (d1 + d2)  # channel 1 (X near μ⁻) share of the two collinear peaks
        return p, me2 * part * dphi / (2 * s) * GEV2_TO_PB

    def muon_coupling(self, params: Mapping[str, float]) -> float:
        """The X–muon coupling of the vertex (default: the process's coupling parameter)."""
        return float(params[self.coupling_name])

    def decay(self, p: Array, rng: np.random.Generator, params: Mapping[str, float]
              ) -> tuple[Array, Decayed | None]:
        n = len(p)
        swap = rng.random(n) < 0.5  # see the module docstring: μ⁺ ↔ μ⁻ symmetrisation
        p[swap, 0], p[swap, 1] = p[swap, 1].copy(), p[swap, 0].copy()
        pdg_d, md = self.decay_channels(rng, n, params)
        d1 = np.empty((n, 4))
        d2 = np.empty((n, 4))
        for m in np.unique(md):
            sel = md == m
            a, b = decay_isotropic(p[sel, 2], m, m, rng.random(sel.sum()), rng.random(sel.sum()))
            d1[sel], d2[sel] = a, b
        pdg_hard = np.broadcast_to(np.array([PDG_MUON, -PDG_MUON, _pdg(self.x_key)]), (n, 3))
        return pdg_hard, Decayed(np.stack([d1, d2], axis=1), pdg_d, np.array([2, 2]))


class MuMuZprime(MuMuX):
    name = "ee_mumu_zprime"
    description = ("e+e- -> mu+mu- Z' (L_mu-L_tau), Z' radiated off the muons; on-shell narrow Z'; "
                   "Z' -> nu nubar (fraction br_invisible of events) else mu mu / tau tau")
    x_key = "zprime"
    default_filter = "none"
    params = (
        ProcessParam("mass", 1.0, "Z' mass in GeV, below sqrt(s) - 2 m_mu"),
        ProcessParam("gprime", 1e-2, "L_mu-L_tau coupling g' (> 0); sigma scales as g'^2"),
        ProcessParam("br_invisible", 1.0,
                     "fraction of generated events with Z' -> nu nubar (the rest decay visibly, "
                     "mu mu / tau tau by their widths); sigma_pb is the production cross "
                     "section"),
    )

    def decay_channels(self, rng: np.random.Generator, n: int, params: Mapping[str, float]
                       ) -> tuple[Array, Array]:
        from darkscan.models import zprime

        m = params["mass"]
        inv = rng.random(n) < params["br_invisible"]
        flav = np.where(rng.random(n) < 0.5, PDG_NU_MU, PDG_NU_TAU)  # equal ν_μ, ν_τ widths
        g_mm = float(zprime.width_mumu(1.0, m))
        g_tt = float(zprime.width_tautau(1.0, m))
        if g_mm + g_tt > 0:
            vis = np.where(rng.random(n) * (g_mm + g_tt) < g_mm, PDG_MUON, PDG_TAU)
        else:  # below 2m_μ only νν̄ is open
            vis = flav
            inv = np.ones(n, dtype=bool)
        pid = np.where(inv, flav, vis)
        mass = np.where(pid == PDG_MUON, M_MU, np.where(pid == PDG_TAU, M_TAU, 0.0))
        return np.stack([pid, -pid], axis=1), mass

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        from darkscan.models import zprime

        bf = zprime.branching_fractions(params["mass"], params["gprime"])
        return {"br_model_" + k: float(np.asarray(v)) for k, v in bf.items()} | {
            "sigma_is": "production (no branching fraction)"}


class MuMuScalar(MuMuX):
    name = "ee_mumu_scalar"
    description = ("e+e- -> mu+mu- S, muonphilic scalar (g_S S mubar mu) off the muons; on-shell "
                   "narrow S; S -> mu mu above threshold, else gamma gamma")
    vector = False
    coupling_name = "gs"
    x_key = "muonphilic_scalar"
    default_filter = "none"
    params = (
        ProcessParam("mass", 1.0, "scalar mass in GeV, below sqrt(s) - 2 m_mu"),
        ProcessParam("gs", 1e-2, "muon Yukawa g_S (> 0); sigma scales as g_S^2"),
    )

    def decay_channels(self, rng: np.random.Generator, n: int, params: Mapping[str, float]
                       ) -> tuple[Array, Array]:
        if params["mass"] > 2 * M_MU:
            return np.tile([PDG_MUON, -PDG_MUON], (n, 1)), np.full(n, M_MU)
        return np.tile([PDG_PHOTON, PDG_PHOTON], (n, 1)), np.zeros(n)


class MuMuLeptophilic(MuMuX):
    """X = a spin-0 state of :mod:`darkscan.models.leptophilic`, radiated off the muons with the
    Yukawa k·m_μ and decayed by the model's branching fractions (ee, μμ, ττ, γγ)."""

    vector = False
    default_filter = "none"

    def model_bfs(self, mass: float) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def decay_channels(self, rng: np.random.Generator, n: int, params: Mapping[str, float]
                       ) -> tuple[Array, Array]:
        from darkscan.models.leptophilic import CHANNELS, LEPTON_MASSES

        bf = self.model_bfs(params["mass"])
        cum = np.cumsum([float(bf[ch]) for ch in CHANNELS])
        pick = np.minimum(np.searchsorted(cum / cum[-1], rng.random(n), side="right"),
                          len(CHANNELS) - 1)
        pid = np.array([PDG_ELECTRON, PDG_MUON, PDG_TAU, PDG_PHOTON])[pick]
        mass = np.array([LEPTON_MASSES[ch] for ch in CHANNELS[:3]] + [0.0])[pick]
        anti = np.where(pid == PDG_PHOTON, pid, -pid)
        return np.stack([pid, anti], axis=1), mass

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        bf = self.model_bfs(params["mass"])
        return {"br_model_" + k: float(np.asarray(v)) for k, v in bf.items()} | {
            "sigma_is": "production (no branching fraction)"}


class MuMuLeptophilicScalar(MuMuLeptophilic):
    name = "ee_mumu_leptophilic"
    description = ("e+e- -> mu+mu- phi_L, leptophilic scalar (Yukawa xi m_l/v) off the muons; "
                   "on-shell narrow phi_L; phi_L -> tau tau / mu mu / e e / gamma gamma by the "
                   "model's branching fractions (taus decayed by Pythia)")
    coupling_name = "xi"
    x_key = "leptophilic_scalar"
    params = (
        ProcessParam("mass", 6.0, "phi_L mass in GeV, below sqrt(s) - 2 m_mu"),
        ProcessParam("xi", 10.0, "leptophilic coupling xi (> 0), muon Yukawa xi m_mu/v; sigma "
                                 "scales as xi^2"),
    )

    def muon_coupling(self, params: Mapping[str, float]) -> float:
        from darkscan.models.leptophilic import yukawa

        return float(yukawa(params["xi"], M_MU))

    def model_bfs(self, mass: float) -> dict[str, np.ndarray]:
        from darkscan.models.leptophilic import branching_fractions

        return branching_fractions(mass)


class MuMuAlpLeptons(MuMuLeptophilic):
    name = "ee_mumu_alp_leptons"
    description = ("e+e- -> mu+mu- a, ALP with pseudoscalar lepton Yukawa (C_ll/Lambda) m_l off "
                   "the muons; on-shell narrow a; a -> tau tau / mu mu / e e / gamma gamma by the "
                   "model's branching fractions (taus decayed by Pythia)")
    pseudoscalar = True
    coupling_name = "cll"
    x_key = "alp_leptons"
    params = (
        ProcessParam("mass", 6.0, "ALP mass in GeV, below sqrt(s) - 2 m_mu"),
        ProcessParam("cll", 0.1, "ALP-lepton coupling C_ll/Lambda in GeV^-1 (> 0), muon Yukawa "
                                 "(C_ll/Lambda) m_mu; sigma scales as (C_ll/Lambda)^2"),
    )

    def muon_coupling(self, params: Mapping[str, float]) -> float:
        from darkscan.models.leptophilic import alp_yukawa

        return float(alp_yukawa(params["cll"], M_MU))

    def model_bfs(self, mass: float) -> dict[str, np.ndarray]:
        from darkscan.models.leptophilic import alp_branching_fractions

        return alp_branching_fractions(mass)


EE_MUMU_ZPRIME = register(MuMuZprime())
EE_MUMU_SCALAR = register(MuMuScalar())
EE_MUMU_LEPTOPHILIC = register(MuMuLeptophilicScalar())
EE_MUMU_ALP_LEPTONS = register(MuMuAlpLeptons())
