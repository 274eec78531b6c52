"""e⁺e⁻ → γ* → τ⁺τ⁻(γ) with leptonic τ decays and the full τ⁺τ⁻ spin correlation, through
darkscan's helicity engine: ``ee_tautau_mumu`` (τ⁻ → μ⁻ν̄_μν_τ and τ⁺ → μ⁺ν_μν̄_τ),
``ee_tautau_ee`` (both τ → eνν) and ``ee_tautau_emu`` (one of each, both charge assignments);
``ee_tautau_mu3prong`` and ``ee_tautau_e3prong``: one τ → ℓνν̄ here, the other forced to three
charged prongs by Pythia (:class:`TauPairLeptonThreeProng`); ``ee_tautau_h3prong``: one τ → one
charged hadron + neutrals (Pythia's decays from the τ decay library), the other forced to three
prongs (:class:`TauPairHadronThreeProng`).

Amplitudes (Feynman rules of QED and of the Fermi V−A contact interaction; helicity spinors and
currents from :mod:`darkscan.generate.helas`; the W propagator is dropped, O(m_τ²/M_W²) = 5·10⁻⁴):

- production, τ⁻(k₁, λ₁) τ⁺(k₂, λ₂), massive τ:
  M_P(λ₁, λ₂) = (e²/s) [v̄(p₂) γ^μ u(p₁)] [ū(k₁, λ₁) γ_μ v(k₂, λ₂)];
- τ⁻(k₁) → ν_τ(q) ℓ⁻(l) ν̄_ℓ(n), with (1 − γ5) = 2P_L:
  M₁(λ₁) = (G_F/√2) [ū(q) γ^α (1 − γ5) u(k₁, λ₁)] [ū(l) γ_α (1 − γ5) v(n)];
- τ⁺(k₂) → ν̄_τ(q) ℓ⁺(l) ν_ℓ(n):
  M₂(λ₂) = (G_F/√2) [v̄(k₂, λ₂) γ^β (1 − γ5) v(q)] [ū(n) γ_β (1 − γ5) v(l)].

With on-shell (narrow-width) τ's the full amplitude is the fermion line
ū(q₁) Γ^α (k̸₁ + m) γ^μ (−k̸₂ + m) Γ^β v(q₂) contracted with the three currents; the propagator
numerators are spin sums, k̸₁ + m = Σ_λ u ū and −k̸₂ + m = −Σ_λ v v̄, so
M = −Σ_{λ₁λ₂} M_P(λ₁, λ₂) M₁(λ₁) M₂(λ₂) (checked against the explicit 4×4 chain in
:func:`me2_full_chain`) and |1/(k² − m² + imΓ)|² → (π/mΓ) δ(k² − m²) for each τ. Summing
|M|² over the helicities of the external particles gives

    Σ|M|² = Σ ρ[λ₁λ₂, λ₁'λ₂'] D₁[λ₁, λ₁'] D₂[λ₂, λ₂'],

ρ = Σ_beams M_P M_P*, D = Σ_final M M*. Integrated over a decay, D → δ_λλ' × (its trace), so the
correlations only redistribute events: σ = σ(e⁺e⁻ → τ⁺τ⁻) · B₁ · B₂ exactly, with the PDG 2024
branching fractions (:data:`~darkscan.physics.constants.BF_TAU_TO_MU`, ``BF_TAU_TO_E``).

Generation (exact, no approximation beyond the narrow width):

1. The engine generates τ⁺τ⁻ with ISR from the Born |M_P|² summed over spins (weight × B₁B₂).
2. Each τ decay is drawn from its spin-averaged |M|² = 64 G_F² (k·n)(l·q) exactly: this depends
   only on s = (l + q)², with density ∝ (m² − s)²(s − m_ℓ²)²/s on the Dalitz plot, sampled by a
   Beta(2, 3) proposal and a ≥ 99% acceptance (:func:`sample_s_lnu`), followed by two isotropic
   two-body steps (:func:`decay_rest_frame`): the single-lepton spectrum is then Michel's.
3. Spin correlation by a sequential accept–reject (the density-matrix algorithm of I. Knowles,
   Comput. Phys. Commun. 58 (1990) 271 and P. Richardson, JHEP 11 (2001) 029, done here with
   explicit 2×2 matrices): the τ⁻ decay is kept with probability Tr(ρ₁ D̂₁ᵀ)/(2λ_max(ρ₁)),
   ρ₁ = Tr₂ ρ̂, and the τ⁺ decay with Tr(σ̂ D̂₂ᵀ)/(2λ_max(σ̂)), σ = Tr₁[ρ̂ (D̂₁ᵀ ⊗ 1)] (hats:
   ρ̂ of unit trace, D̂ = 2D/Tr D, whose eigenvalues lie in [0, 2]). The bounds depend only on
   what is already fixed, so the product of the two steps is the exact joint density
   ∝ |M_P|²·Σ|M|²/|M_P|². For γ* exchange a single τ is unpolarised (ρ₁ = 1/2), so the τ⁻
   step always accepts and the τ⁺ step accepts 60% (measured; ``meta.extra`` records both
   acceptances per chunk). The one-shot alternative — both decays drawn, then kept with
   R = Σ ρ̂ D̂₁ D̂₂ / 4 (R ∈ [0, 4], ⟨R⟩ = 1, :func:`correlation_ratio`) — accepts only 25%.

Radiative corrections: Kuraev–Fadin ISR and running α(s) from the engine (as ``ee_mumu``). The
electron of τ → eνν̄ radiates (τ → eνν̄γ, :mod:`darkscan.generate.fsr`: the exponentiated
soft-photon radiator of an electron created by the τ at rest, photons collinear with it;
E*_γ > 10 MeV in 12% of τ → eνν̄ decays against the measured 10.4%); muons (2.1%) and the τ's
themselves (FSR off the τ pair) do not radiate. σ includes the
inclusive O(α) final-state correction of a massive pair, :func:`fsr_factor` (+0.26% at
√s = 10.58 GeV). Only γ* is exchanged (the γ–Z interference is < 1% at 10.58 GeV, and is also
off in the Pythia version).

Event record (engine layout): e⁻, e⁺ beams (status 4); τ⁻, τ⁺ (status 2); the τ⁻ products
ν_τ, ℓ⁻, ν̄_ℓ and the τ⁺ products ν̄_τ, ℓ⁺, ν_ℓ (status 1, mother = their τ; the neutrinos are
status 1 and invisible to the detector); the ISR photons (mother = their beam). The decay
products start at the τ decay vertex: flight length drawn from βγcτ (cτ = 87 µm, ``particle``'s
PDG table) with the lab production time t, like Pythia's record.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from functools import cache, lru_cache

import awkward as ak
import numpy as np
from particle import Particle

from darkscan.events import (
    PARTICLE_FIELDS,
    STATUS_DECAYED,
    STATUS_FINAL,
    Sample,
    make_truth_events,
)
from darkscan.generate import helas as h
from darkscan.generate.engine import Decayed, EEProcess
from darkscan.generate.fsr import radiate_tau_leptons
from darkscan.generate.isr import alpha_running
from darkscan.generate.llp import decay_vertices
from darkscan.generate.phase_space import rest_frame_p4, two_body
from darkscan.generate.processes.sm_qed import me2_ee_ffbar, two_to_two
from darkscan.generate.pythia_bridge import child_seed, decay_final_taus
from darkscan.generate.registry import register
from darkscan.physics.constants import (
    ALPHA,
    BF_TAU_TO_E,
    BF_TAU_TO_MU,
    G_FERMI,
    GEV2_TO_PB,
    M_E,
    M_MU,
    M_TAU,
    PDG_ELECTRON,
    PDG_MUON,
    PDG_PHOTON,
    PDG_TAU,
)
from darkscan.physics.lorentz import boost

Array = np.ndarray

PDG_NU_TAU = 16
#: lepton pdg id → (mass, B(τ⁻ → ℓ⁻ ν̄_ℓ ν_τ))
LEPTONS: dict[int, tuple[float, float]] = {PDG_ELECTRON: (M_E, BF_TAU_TO_E),
                                           PDG_MUON: (M_MU, BF_TAU_TO_MU)}
#: τ proper decay length cτ in cm (87 µm; PDG table of the ``particle`` package, in mm there)
CTAU_TAU_CM = 0.1 * float(Particle.from_pdgid(PDG_TAU).ctau)
#: accept–reject rounds before giving up (each round keeps ≥ 1/2 of the events)
MAX_ROUNDS = 200
_STATS = threading.local()  # trials of the last decay() call in this thread (for the metadata)

#: the child of the chunk seed that drives the photon radiation of the leptonic τ decays
FSR_STREAM = 9


# ---------------------------------------------------------------------------------------------
# production
# ---------------------------------------------------------------------------------------------
def pair_velocity(s: Array | float, m: float = M_TAU) -> Array:
    """β = √(1 − 4m²/s) of either τ in the pair rest frame."""
    return np.sqrt(np.maximum(1.0 - 4.0 * m * m / np.asarray(s, float), 0.0))


def sigma_born_tautau(s: float, m: float = M_TAU) -> float:
    """σ(e⁺e⁻ → γ* → τ⁺τ⁻) = (4πα²/3s) · β(3 − β²)/2 in pb (massless electrons, Born level)."""
    b = float(pair_velocity(s, m))
    return 4.0 * math.pi * ALPHA**2 / (3.0 * s) * b * (3.0 - b * b) / 2.0 * GEV2_TO_PB


def fsr_factor(beta: Array | float) -> Array:
    """Inclusive O(α) final-state QED correction to σ(γ* → f f̄) of a massive unit-charge pair,
    Schwinger's interpolation 1 + α[π/(2β) − (3 + β)/4 · (π/2 − 3/(4π))] (J. Schwinger,
    Particles, Sources and Fields II (1973); the abelian C_F α_s → α version of the
    heavy-quark threshold formula) [RECALLED]. Limits: 1 + 3α/(4π) for β → 1 (the factor of
    ``ee_mumu``) and the Coulomb term πα/(2β) at threshold (σ ∝ β stays finite)."""
    b = np.maximum(np.asarray(beta, float), 1e-12)
    return 1.0 + ALPHA * (math.pi / (2.0 * b)
                          - (3.0 + b) / 4.0 * (math.pi / 2.0 - 3.0 / (4.0 * math.pi)))


def spin_correlation_longitudinal(beta: Array | float, cos_theta: Array | float | None = None
                                  ) -> Array:
    """C_nn = ⟨(2s⁻·n̂)(2s⁺·n̂)⟩ of γ* → τ⁻τ⁺ along the τ⁻ direction n̂ (unpolarised beams).

    Helicity amplitudes of γ*(J_z = ±1 along the beam) → τ⁻(λ₁)τ⁺(λ₂), per beam helicity:
    opposite helicities (λ₁ − λ₂ = ±1: spins parallel along n̂, ∝ d¹_{1,±1}(Θ)) ∝ 1 ± cosΘ;
    equal helicities (λ₁ − λ₂ = 0: spins antiparallel, the helicity flip ∝ d¹_{1,0}) ∝
    (2m_τ/√s) sinΘ = √(1 − β²) sinΘ each. Hence dσ/dΩ ∝ (1 + cos²Θ) + (1 − β²) sin²Θ and
    C_nn(Θ) = [(1 + c²) − (1 − β²)s²]/[(1 + c²) + (1 − β²)s²] (1 for β → 1, β²/(2 − β²) at
    Θ = 90°); averaged over dσ/dcosΘ (``cos_theta=None``): (1 + β²)/(3 − β²) = 0.893 at
    √s = 10.58 GeV. Checked against the helas density matrix at every angle in the tests.
    """
    b2 = np.asarray(beta, float) ** 2
    if cos_theta is None:
        return (1.0 + b2) / (3.0 - b2)
    c2 = np.asarray(cos_theta, float) ** 2
    flip = (1.0 - b2) * (1.0 - c2)
    return (1.0 + c2 - flip) / (1.0 + c2 + flip)


def beams_in_pair_frame(sqrt_s: Array) -> tuple[Array, Array]:
    """Massless e⁻ (along +z) and e⁺ four-momenta in the hard (τ⁺τ⁻) rest frame."""
    e = 0.5 * np.asarray(sqrt_s, float)
    z = np.zeros_like(e)
    return np.stack([z, z, e, e], axis=-1), np.stack([z, z, -e, e], axis=-1)


#: beam helicities (e⁻, e⁺) with a non-zero vector current: massless e± couple with opposite
#: helicities only (the other two configurations vanish identically; checked in the tests)
BEAM_HELICITIES = ((-1, 1), (1, -1))


def production_amplitudes(p1: Array, p2: Array, k1: Array, k2: Array,
                          beams: tuple[tuple[int, int], ...] = BEAM_HELICITIES) -> Array:
    """M_P / (e²/s) as (n, beam-helicity configuration, λ₁, λ₂): [v̄(p₂)γ^μu(p₁)]
    [ū(k₁, λ₁)γ_μv(k₂, λ₂)] with helicity spinors in the frame of the momenta."""
    je = [h.vector_current(h.vbar(p2, 0.0, b), h.u(p1, 0.0, a)) for a, b in beams]
    ubar_t = [h.ubar(k1, M_TAU, lam) for lam in h.FERMION]
    v_t = [h.v(k2, M_TAU, lam) for lam in h.FERMION]
    amp = np.empty((len(k1), len(beams), 2, 2), dtype=complex)
    for i, ub in enumerate(ubar_t):
        for j, vv in enumerate(v_t):
            jt = h.vector_current(ub, vv)
            for b, cur in enumerate(je):
                amp[:, b, i, j] = h.dot(cur, jt)
    return amp


def production_density(k1: Array, k2: Array, sqrt_s: Array) -> Array:
    """Unit-trace τ⁺τ⁻ spin density matrix ρ̂[n, λ₁, λ₂, λ₁', λ₂'] = Σ_beams M_P M_P* / Tr in
    the pair rest frame (e⁻ along +z), in the helicity basis of :func:`helas.u`/:func:`helas.v`."""
    p1, p2 = beams_in_pair_frame(sqrt_s)
    amp = production_amplitudes(p1, p2, k1, k2).reshape(len(k1), -1, 4)
    rho = np.matmul(amp.transpose(0, 2, 1), amp.conj())  # Σ_b A[b, ij] A*[b, kl]
    tr = np.trace(rho, axis1=1, axis2=2).real
    return (rho / np.maximum(tr, 1e-300)[:, None, None]).reshape(-1, 2, 2, 2, 2)


# ---------------------------------------------------------------------------------------------
# decays
# ---------------------------------------------------------------------------------------------
def _fermi_factor() -> float:
    """(G_F/√2)·2·2: the two (1 − γ5) = 2P_L of a V−A contact amplitude written with P_L."""
    return 2.0 * math.sqrt(2.0) * G_FERMI


def tau_minus_amplitudes(k: Array, nu_tau: Array, lep: Array, nubar_lep: Array, m_lep: float
                         ) -> Array:
    """M₁(λ_τ, λ_ℓ) of τ⁻(k, λ_τ) → ν_τ ℓ⁻(λ_ℓ) ν̄_ℓ as (n, 2, 2), in GeV⁻¹ (G_F included).
    The massless neutrinos only couple with helicity −1 (ν) and +1 (ν̄) through P_L."""
    v_nb = h.v(nubar_lep, 0.0, 1)
    j_lep = [h.vector_current(h.ubar(lep, m_lep, hl), v_nb, 1.0, 0.0) for hl in h.FERMION]
    ub_nu = h.ubar(nu_tau, 0.0, -1)
    j_tau = [h.vector_current(ub_nu, h.u(k, M_TAU, lt), 1.0, 0.0) for lt in h.FERMION]
    return _contract(j_tau, j_lep)


def tau_plus_amplitudes(k: Array, nubar_tau: Array, lep: Array, nu_lep: Array, m_lep: float
                        ) -> Array:
    """M₂(λ_τ, λ_ℓ) of τ⁺(k, λ_τ) → ν̄_τ ℓ⁺(λ_ℓ) ν_ℓ as (n, 2, 2) (the CP conjugate of
    :func:`tau_minus_amplitudes`)."""
    ub_nu = h.ubar(nu_lep, 0.0, -1)
    j_lep = [h.vector_current(ub_nu, h.v(lep, m_lep, hl), 1.0, 0.0) for hl in h.FERMION]
    v_nb = h.v(nubar_tau, 0.0, 1)
    j_tau = [h.vector_current(h.vbar(k, M_TAU, lt), v_nb, 1.0, 0.0) for lt in h.FERMION]
    return _contract(j_tau, j_lep)


def _contract(j_tau: list[Array], j_lep: list[Array]) -> Array:
    amp = np.empty((len(j_tau[0]), 2, 2), dtype=complex)
    for i, jt in enumerate(j_tau):
        for j, jl in enumerate(j_lep):
            amp[:, i, j] = h.dot(jt, jl)
    return amp * _fermi_factor()


def decay_matrix(amp: Array) -> Array:
    """D[n, λ, λ'] = Σ_final M(λ) M*(λ') from amplitudes (n, 2, 2 final helicities)."""
    return np.matmul(amp, amp.conj().transpose(0, 2, 1))


def normalised(d: Array) -> Array:
    """D̂ = 2D/Tr D (eigenvalues in [0, 2]; the unit matrix for a spin-blind decay)."""
    tr = d[:, 0, 0].real + d[:, 1, 1].real
    return d * (2.0 / np.maximum(tr, 1e-300))[:, None, None]


def me2_decay_averaged(k: Array, lep: Array, nu_tau: Array, nu_lep: Array) -> Array:
    """Closed-form spin-averaged |M|² = 64 G_F² (k·n)(l·q) of τ(k) → ν_τ(q) ℓ(l) ν_ℓ(n)
    (the muon-decay result with μ → τ, e → ℓ; the same for τ⁺ by CP)."""
    return 64.0 * G_FERMI**2 * h.dot(k, nu_lep) * h.dot(lep, nu_tau)


def width_leptonic(m_lep: float, m: float = M_TAU) -> float:
    """Γ(τ → ℓνν) = G_F² m⁵/(192π³) · f(m_ℓ²/m²), f(r) = 1 − 8r + 8r³ − r⁴ − 12r² ln r
    (tree level, W propagator neglected), GeV."""
    r = (m_lep / m) ** 2
    f = 1.0 - 8.0 * r + 8.0 * r**3 - r**4 - 12.0 * r * r * math.log(r)
    return G_FERMI**2 * m**5 / (192.0 * math.pi**3) * f


def sample_s_lnu(rng: np.random.Generator, n: int, m_lep: float) -> Array:
    """s = (l + q)² of the charged lepton and the τ-line neutrino, from the spin-averaged density
    ∝ (m² − s)²(s − m_ℓ²)²/s on [m_ℓ², m²] (|M|² ∝ (m² − s)(s − m_ℓ²) times the Dalitz-strip
    length (m² − s)(s − m_ℓ²)/s). With t = (s − m_ℓ²)/Δ: t²(1 − t)²/(ε + t), ε = m_ℓ²/Δ, drawn
    from Beta(2, 3) ∝ t(1 − t)² and kept with probability t/(t + ε) (≥ 99% for muons)."""
    delta = M_TAU**2 - m_lep**2
    eps = m_lep**2 / delta
    t = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        x = rng.beta(2.0, 3.0, todo.size)
        ok = rng.random(todo.size) * (x + eps) < x
        t[todo[ok]] = x[ok]
        todo = todo[~ok]
    return m_lep**2 + t * delta


def decay_rest_frame(rng: np.random.Generator, n: int, m_lep: float) -> Array:
    """Unpolarised τ → ν_τ ℓ ν_ℓ in the τ rest frame, distributed as the spin-averaged |M|²:
    (n, 3, 4) = (τ-line neutrino q, lepton l, lepton-line neutrino n)."""
    s = sample_s_lnu(rng, n, m_lep)
    u = rng.random((n, 4))
    tau = rest_frame_p4(n, M_TAU)
    w, nu_l, _ = two_body(tau, np.sqrt(s), 0.0, 2.0 * u[:, 0] - 1.0, 2.0 * np.pi * u[:, 1])
    lep, nu_t, _ = two_body(w, m_lep, 0.0, 2.0 * u[:, 2] - 1.0, 2.0 * np.pi * u[:, 3])
    return np.stack([nu_t, lep, nu_l], axis=1)


def _decay_tau(k: Array, rng: np.random.Generator, m_lep: float, charge: int
               ) -> tuple[Array, Array]:
    """Products (n, 3, 4) of τ's ``k`` (frame of ``k``) and their normalised decay matrices."""
    rest = decay_rest_frame(rng, len(k), m_lep)
    prods = boost(rest, (k[:, :3] / k[:, 3:4])[:, None, :])
    amps = (tau_minus_amplitudes if charge < 0 else tau_plus_amplitudes)(
        k, prods[:, 0], prods[:, 1], prods[:, 2], m_lep)
    return prods, normalised(decay_matrix(amps))


def _pair_trace(a: Array, b: Array) -> Array:
    """Re Σ_ij a[n, i, j] b[n, i, j] for (n, 2, 2) arrays."""
    return (a[:, 0, 0] * b[:, 0, 0] + a[:, 0, 1] * b[:, 0, 1] + a[:, 1, 0] * b[:, 1, 0]
            + a[:, 1, 1] * b[:, 1, 1]).real


def lambda_max(m: Array) -> Array:
    """Largest eigenvalue of Hermitian 2×2 matrices (n, 2, 2)."""
    a, d = m[:, 0, 0].real, m[:, 1, 1].real
    return 0.5 * (a + d) + np.sqrt(0.25 * (a - d) ** 2 + np.abs(m[:, 0, 1]) ** 2)


def _accept_decays(k: Array, rng: np.random.Generator, m_lep: float, charge: int, target: Array
                   ) -> tuple[Array, Array, int]:
    """Decays of τ's ``k`` from the spin-averaged |M|², each kept with probability
    Σ target[λλ'] D̂[λλ'] / (2λ_max(target)) (``target``: unit-trace spin density matrix of
    the τ, (n, 2, 2)); rejected events are redrawn. Returns (products, D̂, number of draws)."""
    n = len(k)
    bound = 2.0 * lambda_max(target)
    prods, dhat = np.empty((n, 3, 4)), np.empty((n, 2, 2), dtype=complex)
    todo, draws = np.arange(n), 0
    if n == 0:
        return prods, dhat, draws
    for _ in range(MAX_ROUNDS):
        p, d = _decay_tau(k[todo], rng, m_lep, charge)
        w = _pair_trace(target[todo], d) / bound[todo]
        ok = rng.random(todo.size) < w
        prods[todo[ok]], dhat[todo[ok]] = p[ok], d[ok]
        draws += todo.size
        todo = todo[~ok]
        if todo.size == 0:
            return prods, dhat, draws
    raise RuntimeError("τ decay accept–reject did not converge (weights vanish)")


def correlated_decays(k1: Array, k2: Array, rho: Array, rng: np.random.Generator, m1: float,
                      m2: float, correlated: bool = True) -> tuple[Array, Array, int, int]:
    """Decay the τ⁻ (``k1``) then the τ⁺ (``k2``) with the exact spin correlation of the
    unit-trace production density ``rho`` (n, 2, 2, 2, 2) (module docstring, step 3); all in the
    frame of ``rho``. ``correlated=False``: independent unpolarised decays. Returns (τ⁻
    products, τ⁺ products, draws for τ⁻, draws for τ⁺)."""
    n = len(k1)
    unpolarised = np.broadcast_to(0.5 * np.eye(2, dtype=complex), (n, 2, 2))
    rho1 = np.einsum("nijkj->nik", rho) if correlated else unpolarised
    prod1, d1, draws1 = _accept_decays(k1, rng, m1, -1, rho1)
    if correlated:
        sig = _conditional_density(rho, d1)
    else:
        sig = unpolarised
    prod2, _, draws2 = _accept_decays(k2, rng, m2, 1, sig)
    return prod1, prod2, draws1, draws2


def _conditional_density(rho: Array, d1: Array) -> Array:
    """σ̂[n, λ₂, λ₂'] ∝ Σ_{λ₁λ₁'} ρ̂[λ₁λ₂, λ₁'λ₂'] D̂₁[λ₁, λ₁'], of unit trace."""
    sig = sum(rho[:, i, :, k, :] * d1[:, i, k, None, None] for i in range(2) for k in range(2))
    tr = sig[:, 0, 0].real + sig[:, 1, 1].real
    return sig / np.maximum(tr, 1e-300)[:, None, None]


def correlation_ratio(rho: Array, d1: Array, d2: Array) -> Array:
    """R = Σ ρ̂[λ₁λ₂, λ₁'λ₂'] D̂₁[λ₁λ₁'] D̂₂[λ₂λ₂'] = Σ|M|²/(Σ|M_P|² · D̄₁ · D̄₂) with D̄ the
    spin-averaged decay |M|²: in [0, 4], mean 1 over unpolarised decays."""
    return np.einsum("nijkl,nik,njl->n", rho, d1, d2).real


def me2_full_chain(p1: Array, p2: Array, k1: Array, k2: Array, dec1: Array, dec2: Array,
                   m1: float, m2: float) -> Array:
    """Σ_hel |M|² of e⁺e⁻ → τ⁺τ⁻ → (ν_τ ℓ⁻ ν̄_ℓ)(ν̄_τ ℓ⁺ ν_ℓ) from the explicit fermion line
    ū(q₁) γ^α P_L (k̸₁ + m) γ^μ (−k̸₂ + m) γ^β P_L v(q₂) (τ propagator numerators as 4×4
    matrices), contracted with the beam and lepton currents; couplings and the narrow-width
    denominators are left out (e²/s and G_F factors). For validating the helicity
    decomposition used by the generator (slow: (n, 4, 4) matrix products)."""
    num1 = h.slash(k1) + M_TAU * np.eye(4)
    num2 = -h.slash(k2) + M_TAU * np.eye(4)
    q1, l1, n1 = dec1[:, 0], dec1[:, 1], dec1[:, 2]
    q2, l2, n2 = dec2[:, 0], dec2[:, 1], dec2[:, 2]
    ub_q1, v_q2 = h.ubar(q1, 0.0, -1), h.v(q2, 0.0, 1)
    ub_n2, v_n1 = h.ubar(n2, 0.0, -1), h.v(n1, 0.0, 1)
    # J̸ = J_μ γ^μ for each current (upper-index J, as :func:`helas.slash` takes it)
    beam = [h.slash(h.vector_current(h.vbar(p2, 0.0, b), h.u(p1, 0.0, a)))
            for a in h.FERMION for b in h.FERMION]
    lep1 = [h.slash(h.vector_current(h.ubar(l1, m1, c), v_n1, 1.0, 0.0)) @ h.PL
            for c in h.FERMION]
    lep2 = [h.slash(h.vector_current(ub_n2, h.v(l2, m2, d), 1.0, 0.0)) @ h.PL
            for d in h.FERMION]
    total = np.zeros(len(k1))
    for gj in beam:
        for g1 in lep1:
            left = np.einsum("ni,nij->nj", ub_q1, g1 @ num1 @ gj @ num2)
            for g2 in lep2:
                amp = np.einsum("nj,nj->n", left, np.einsum("nij,nj->ni", g2, v_q2))
                total += np.abs(amp) ** 2
    return total


# ---------------------------------------------------------------------------------------------
# pair-frame samples and analytic predictions (validation: tests and ``darkscan validate``)
# ---------------------------------------------------------------------------------------------
def sample_pair_frame(n: int, rng: np.random.Generator, sqrt_s: float, m1: float = M_MU,
                      m2: float = M_MU, correlated: bool = True
                      ) -> tuple[Array, Array, Array, tuple[int, int]]:
    """``n`` Born e⁺e⁻ → τ⁻τ⁺ events at fixed √s in the pair frame (e⁻ along +z; cosΘ by
    accept–reject on |M_P|², which peaks at cosΘ = ±1) with their correlated decays. Returns
    (τ momenta (n, 2, 4), τ⁻ products (n, 3, 4), τ⁺ products, (draws τ⁻, draws τ⁺))."""
    e2 = 4.0 * np.pi * ALPHA

    def me2(u: Array) -> tuple[Array, Array]:
        p1, p2, p, _ = two_to_two(u, np.full(len(u), sqrt_s), M_TAU, M_TAU)
        return p, me2_ee_ffbar(p1, p2, p[:, 0], p[:, 1], M_TAU, e2)

    top = me2(np.array([[1.0, 0.0]]))[1][0]  # cosΘ = 1
    k = np.empty((n, 2, 4))
    todo = np.arange(n)
    while todo.size:
        p, w = me2(rng.random((todo.size, 2)))
        ok = rng.random(todo.size) * top < w
        k[todo[ok]] = p[ok]
        todo = todo[~ok]
    rho = production_density(k[:, 0], k[:, 1], np.full(n, sqrt_s))
    d1, d2, n1, n2 = correlated_decays(k[:, 0], k[:, 1], rho, rng, m1, m2, correlated)
    return k, d1, d2, (n1, n2)


def rest_frame_observables(tau: Array, lep: Array) -> tuple[Array, Array, Array]:
    """(x = 2E*/m_τ, cosθ* of the lepton to the τ flight direction, in the τ rest frame reached
    by a pure boost from the frame of the inputs; y = E_ℓ/E_τ in that frame)."""
    rest = boost(lep, -tau[:, :3] / tau[:, 3:4])
    pm = np.linalg.norm(rest[:, :3], axis=1)
    cos = np.sum(rest[:, :3] * tau[:, :3], axis=1) / (pm * np.linalg.norm(tau[:, :3], axis=1))
    return 2.0 * rest[:, 3] / M_TAU, cos, lep[:, 3] / tau[:, 3]


def _x_range(m_lep: float) -> tuple[float, float]:
    x0 = 2.0 * m_lep / M_TAU
    return x0, 1.0 + 0.25 * x0 * x0


def michel_spectrum(x: Array, m_lep: float = 0.0) -> Array:
    """Unpolarised τ → ℓνν lepton spectrum dΓ/dx (unnormalised), x = 2E_ℓ/m_τ in the τ rest
    frame: √(x² − x₀²)·[x(3 − 2x) − x₀² + (3/4)x₀²x] on x₀ ≤ x ≤ 1 + x₀²/4, x₀ = 2m_ℓ/m_τ
    (64 G_F²(k·n)(l·q) with ∫dΦ₂ n^α q^β = (Q²g^{αβ} + 2Q^αQ^β)/(96π) over the neutrino
    pair Q = k − l). For m_ℓ = 0, Michel's x²(3 − 2x) (ρ = 3/4, η = 0)."""
    x = np.asarray(x, float)
    x0, x1 = _x_range(m_lep)
    inside = (x >= x0) & (x <= x1)
    root = np.sqrt(np.maximum(x * x - x0 * x0, 0.0))
    return np.where(inside, root * (x * (3.0 - 2.0 * x) - x0 * x0 + 0.75 * x0 * x0 * x), 0.0)


def michel_asymmetry(x: Array, m_lep: float = 0.0) -> Array:
    """κ(x) of τ⁻ → ℓ⁻νν: d²Γ/dx dcosθ ∝ spectrum(x)·(1 + κ(x) cosθ), θ the angle of ℓ⁻ to the
    τ⁻ spin; from the polarised |M|² with k → k − m s (spin projector (k̸ + m)(1 + γ5 s̸)/2):
    κ = √(x² − x₀²)(1 − 2x + (3/4)x₀²)/(x(3 − 2x) − x₀² + (3/4)x₀²x), −(2x − 1)/(3 − 2x) for
    m_ℓ = 0 (the lepton goes against the spin at the endpoint). τ⁺ → ℓ⁺: −κ (CP)."""
    x = np.asarray(x, float)
    x0, _ = _x_range(m_lep)
    root = np.sqrt(np.maximum(x * x - x0 * x0, 0.0))
    den = x * (3.0 - 2.0 * x) - x0 * x0 + 0.75 * x0 * x0 * x
    return root * (1.0 - 2.0 * x + 0.75 * x0 * x0) / np.where(den > 0, den, np.inf)


def _x_grid(m_lep: float, n: int = 20_000) -> tuple[Array, Array]:
    """Midpoint grid of x and the normalised spectrum weights f(x)Δx on it."""
    x0, x1 = _x_range(m_lep)
    x = x0 + (x1 - x0) * (np.arange(n) + 0.5) / n
    f = michel_spectrum(x, m_lep)
    return x, f / f.sum()


def michel_bin_fractions(edges: Array, m_lep: float = 0.0) -> Array:
    """P(x ∈ bin) of the unpolarised τ → ℓνν rest-frame spectrum (:func:`michel_spectrum`,
    lepton mass kept) for bin ``edges`` in x = 2E*_ℓ/m_τ: the cumulative sum of the fine
    midpoint grid of :func:`_x_grid`, linearly interpolated at the edges (zero outside
    x₀ ≤ x ≤ 1 + x₀²/4)."""
    x, w = _x_grid(m_lep)
    half = 0.5 * (x[1] - x[0])
    cdf = np.interp(np.asarray(edges, float), np.concatenate([[x[0] - half], x + half]),
                    np.concatenate([[0.0], np.cumsum(w)]))
    return np.diff(cdf)


def leptonic_tau_and_lepton(events: ak.Array) -> tuple[Array, Array]:
    """Four-momenta (n, 4) of the τ at event index 2 and of its one charged lepton (e or μ among
    its direct products) dressed with the photons it radiated (:mod:`darkscan.generate.fsr`;
    their sum has the decay's own energy in the τ rest frame), in the frame of the events: the
    leptonic side of :class:`TauPairLeptonThreeProng` and of its subclasses (for rest-frame
    validation)."""
    parts = events["particles"]
    lep = parts[(parts.mother == 2) & ((abs(parts.pdg) == PDG_ELECTRON)
                                       | (abs(parts.pdg) == PDG_MUON))]
    if not np.all(ak.to_numpy(ak.num(lep)) == 1):
        raise RuntimeError("expected exactly one charged lepton from the τ at index 2")
    photons = parts[(parts.mother == 2) & (parts.pdg == PDG_PHOTON)]
    cols = ("px", "py", "pz", "E")
    tau = np.stack([ak.to_numpy(parts[c][:, 2]) for c in cols], axis=-1)
    return tau, np.stack([ak.to_numpy(lep[c][:, 0] + ak.sum(photons[c], axis=1))
                          for c in cols], axis=-1)


def energy_fraction_bins(edges: Array, beta: float, m_lep: float = M_MU
                         ) -> tuple[Array, Array]:
    """(G, H) per bin of y = E_ℓ/E_τ (frame where the τ has velocity β): G_i = P(y ∈ bin i) for
    an unpolarised τ and H_i = E[κ(x) cosθ* · 1(y ∈ bin i)], θ* to the flight direction. With
    y = x/2 + β·(√(x² − x₀²)/2)·cosθ*, linear in cosθ*, the cosθ* integrals are analytic and x
    is integrated on a fine grid. For γ* → τ⁺τ⁻ the joint density of (y⁻, y⁺) is
    G_i G_j + C H_i H_j with C = :func:`spin_correlation_longitudinal` (transverse terms
    vanish in the azimuths; a single τ is unpolarised)."""
    x, w = _x_grid(m_lep)
    x0, _ = _x_range(m_lep)
    half_p = 0.5 * np.sqrt(np.maximum(x * x - x0 * x0, 0.0))
    kap = michel_asymmetry(x, m_lep)
    g, hh = np.empty(len(edges) - 1), np.empty(len(edges) - 1)
    for i in range(len(edges) - 1):
        lo = np.clip((edges[i] - x / 2.0) / (beta * half_p), -1.0, 1.0)
        hi = np.clip((edges[i + 1] - x / 2.0) / (beta * half_p), -1.0, 1.0)
        g[i] = np.sum(w * (hi - lo) / 2.0)
        hh[i] = np.sum(w * kap * (hi * hi - lo * lo) / 4.0)
    return g, hh


def energy_fraction_correlation(beta: float, m_lep: float = M_MU) -> float:
    """Predicted correlation coefficient of y⁻ and y⁺ (y = E_ℓ/E_τ in the pair frame) for
    γ* → τ⁺τ⁻ → ℓ⁺ℓ⁻ + ν's: cov = C·(E[y κ cosθ*])² = C·(β E[κ √(x² − x₀²)/2]/3)² over
    Var(y) = E[x²]/4 + β² E[x² − x₀²]/12 − E[x]²/4 (massless limit: 0.0025β²C/Var y)."""
    x, w = _x_grid(m_lep)
    x0, _ = _x_range(m_lep)
    p2 = np.maximum(x * x - x0 * x0, 0.0)
    cov = float(spin_correlation_longitudinal(beta)) * (
        beta * np.sum(w * michel_asymmetry(x, m_lep) * np.sqrt(p2) / 2.0) / 3.0) ** 2
    var = np.sum(w * x * x) / 4.0 + beta**2 * np.sum(w * p2) / 12.0 - np.sum(w * x) ** 2 / 4.0
    return float(cov / var)


def width_from_me(m_lep: float, n: int, rng: np.random.Generator) -> tuple[float, float]:
    """Γ(τ → ℓνν) = (1/2m)∫Σ̄|M|² dΦ₃ by plain Monte Carlo over flat phase space (s = (l + q)²
    flat, two isotropic two-body steps, dΦ₃ = dΦ₂ ds/2π dΦ₂), independent of the sampler; returns
    (Γ, its MC error) in GeV."""
    u = rng.random((n, 5))
    span = M_TAU**2 - m_lep**2
    s = m_lep**2 + span * u[:, 0]
    tau = rest_frame_p4(n, M_TAU)
    w, nu_l, ph1 = two_body(tau, np.sqrt(s), 0.0, 2 * u[:, 1] - 1, 2 * np.pi * u[:, 2])
    lep, nu_t, ph2 = two_body(w, m_lep, 0.0, 2 * u[:, 3] - 1, 2 * np.pi * u[:, 4])
    dphi3 = (4 * np.pi * ph1) * (4 * np.pi * ph2) * span / (2 * np.pi)
    vals = me2_decay_averaged(tau, lep, nu_t, nu_l) * dphi3 / (2 * M_TAU)
    return float(vals.mean()), float(vals.std() / math.sqrt(n))


def estimate_c_longitudinal(k: Array, lep1: Array, lep2: Array, m_lep: float = M_MU
                            ) -> tuple[float, float]:
    """Unbiased estimate of the longitudinal spin correlation C_nn from the lepton rest-frame
    observables, Ĉ = ⟨A⁻A⁺⟩/(⟨A⁻²⟩⟨A⁺²⟩) with A = κ(x) cosθ* (the exact analysing function, so
    that ⟨A a_n⟩ = ⟨A²⟩), and its statistical error."""
    x1, c1, _ = rest_frame_observables(k[:, 0], lep1)
    x2, c2, _ = rest_frame_observables(k[:, 1], lep2)
    a1 = michel_asymmetry(x1, m_lep) * c1
    a2 = michel_asymmetry(x2, m_lep) * c2
    norm = np.mean(a1 * a1) * np.mean(a2 * a2)
    prod = a1 * a2
    return float(np.mean(prod) / norm), float(np.std(prod) / math.sqrt(len(prod)) / norm)


# ---------------------------------------------------------------------------------------------
# the process
# ---------------------------------------------------------------------------------------------
Channel = tuple[int, int]  # (lepton pdg of the τ⁻ decay, of the τ⁺ decay), both positive


class TauPairs(EEProcess):
    """e⁺e⁻ → τ⁺τ⁻(γ), both τ's decaying leptonically (module docstring). ``channels``: the
    lepton flavours (τ⁻ side, τ⁺ side), chosen per event in proportion to B₁B₂; σ is
    σ(ee → ττ) · Σ_channels B₁B₂."""

    pdgs = (PDG_TAU, -PDG_TAU)
    fsr = ()

    def __init__(self, name: str, channels: tuple[Channel, ...], filter_label: str,
                 correlated: bool = True) -> None:
        self.name = name
        self.channels = channels
        self.correlated = correlated
        self.default_filter = filter_label
        bfs = np.array([LEPTONS[a][1] * LEPTONS[b][1] for a, b in channels])
        self.bf_product = float(bfs.sum())
        self.channel_probability = bfs / bfs.sum()
        self.description = (f"e+e- -> tau+tau-(gamma), {filter_label}: Born ME with running "
                            "alpha and Kuraev-Fadin ISR, V-A decays with full spin correlations "
                            "(helicity amplitudes), sigma x B B")

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 2

    def s_min(self, params: Mapping[str, float]) -> float:
        return (2.0 * M_TAU) ** 2 * 1.0001

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        p1, p2, p, dphi = two_to_two(u, sqrt_s, M_TAU, M_TAU)
        s = sqrt_s**2
        e2 = 4.0 * np.pi * (alpha_running(s) if rc else ALPHA)
        me2 = me2_ee_ffbar(p1, p2, p[:, 0], p[:, 1], M_TAU, e2)
        w = me2 * dphi / (2.0 * s) * GEV2_TO_PB * self.bf_product
        if rc:
            w = w * fsr_factor(pair_velocity(s))
        return p, w

    def decay(self, p: Array, rng: np.random.Generator, params: Mapping[str, float]
              ) -> tuple[Array, Decayed | None]:
        n = len(p)
        q = p[:, 0] + p[:, 1]
        beta = (q[:, :3] / q[:, 3:4])[:, None, :]
        k = boost(p, -beta)  # the hard frame: e⁻ along +z (the engine boosts without rotation)
        sqrt_s = np.sqrt(np.maximum(h.dot(q, q), 0.0))
        rho = production_density(k[:, 0], k[:, 1], sqrt_s)
        chan = rng.choice(len(self.channels), size=n, p=self.channel_probability)
        prods = np.empty((n, 6, 4))
        pdg = np.empty((n, 6), dtype=np.int64)
        draws = [0, 0]
        for c, (l1, l2) in enumerate(self.channels):
            sel = np.nonzero(chan == c)[0]
            d1, d2, n1, n2 = correlated_decays(k[sel, 0], k[sel, 1], rho[sel], rng,
                                               LEPTONS[l1][0], LEPTONS[l2][0], self.correlated)
            prods[sel, :3], prods[sel, 3:] = d1, d2
            pdg[sel] = [PDG_NU_TAU, l1, -(l1 + 1), -PDG_NU_TAU, -l2, l2 + 1]
            draws[0] += n1
            draws[1] += n2
        _STATS.draws = (n, *draws)
        pdg_hard = np.broadcast_to(np.array(self.pdgs), (n, 2))
        return pdg_hard, Decayed(boost(prods, beta), pdg, np.array([0, 0, 0, 1, 1, 1]))

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        """The engine's events with the τ decay products moved to the τ decay vertices, and the
        decay accept–reject statistics in ``meta.extra``."""
        sample = super().generate_chunk(n, seed, params, isr=isr)
        n_ev, draws1, draws2 = getattr(_STATS, "draws", (n, n, n))
        events = displace_tau_daughters(sample.events, np.random.default_rng(child_seed(seed, 7)))
        events = radiate_tau_leptons(events, np.random.default_rng(child_seed(seed, FSR_STREAM)))
        extra = {**sample.meta.extra, "tau_minus_decay_acceptance": n_ev / draws1,
                 "tau_plus_decay_acceptance": n_ev / draws2}
        return Sample(events, sample.meta.with_(extra=extra))

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        return {"branching_fraction_product": self.bf_product,
                "sigma_is": "sigma(ee->tautau) x sum over channels of B1 B2 (PDG 2024)",
                "tau_spin_correlations": "full" if self.correlated else "none"}


def displace_tau_daughters(events: ak.Array, rng: np.random.Generator, n_daughters: int = 6
                           ) -> ak.Array:
    """Move the τ decay products (event indices 4 … 3 + ``n_daughters``, mothers 2 or 3) to
    their τ's decay vertex: lab flight length L ~ Exp(βγcτ) along the τ momentum; production
    time L/(βc) in ns."""
    parts = events["particles"]
    counts = ak.to_numpy(ak.num(parts))
    flat = {f: ak.to_numpy(ak.flatten(parts[f])).copy() for f in PARTICLE_FIELDS}
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    taus = start[:, None] + np.array([2, 3])
    daughters = start[:, None] + 4 + np.arange(n_daughters)
    if not np.all(np.abs(flat["pdg"][taus]) == PDG_TAU):
        raise RuntimeError("unexpected event layout: the τ's are not at indices 2 and 3")
    p4 = np.stack([flat[c][taus] for c in ("px", "py", "pz", "E")], axis=-1).reshape(-1, 4)
    origin = np.stack([flat[c][taus] for c in ("vx", "vy", "vz")], axis=-1).reshape(-1, 3)
    dv = decay_vertices(p4, M_TAU, CTAU_TAU_CM, rng, origin=origin)
    which = 2 * np.arange(len(counts))[:, None] + (flat["mother"][daughters] - 2)
    for i, c in enumerate(("vx", "vy", "vz")):
        flat[c][daughters] = dv.vertex[which, i]
    flat["t"][daughters] = dv.lab_time[which]
    return make_truth_events(counts, ak.to_numpy(events["weight"]), **flat)


# ---------------------------------------------------------------------------------------------
# one τ → ℓνν̄ (own decay), the other forced to three charged prongs (Pythia's τ decays)
# ---------------------------------------------------------------------------------------------
#: a channel of Pythia's τ⁻ table: (channel index, branching fraction, direct products)
TauChannel = tuple[int, float, tuple[int, ...]]


@cache
def pythia_tau_channels(n_charged: int | None = None) -> tuple[TauChannel, ...]:
    """Pythia's τ⁻ decay channels with exactly ``n_charged`` charged particles among the direct
    decay products (the channel's own product list: K⁰, K⁰_S, K⁰_L, η, ω count as neutrals
    whatever they decay to later; None: every channel), as (channel index, branching
    fraction, products) from Pythia's own particle table."""
    from darkscan.generate.pythia_bridge import decay_table_pythia

    pythia = decay_table_pythia()
    pd = pythia.particleData
    entry = pd.particleDataEntryPtr(PDG_TAU)
    out = []
    for i in range(entry.sizeChannels()):
        ch = entry.channel(i)
        prods = tuple(int(ch.product(j)) for j in range(ch.multiplicity()))
        if n_charged is None or sum(pd.chargeType(x) != 0 for x in prods) == n_charged:
            out.append((i, float(ch.bRatio()), prods))
    return tuple(out)


def pythia_non_electron_channels() -> tuple[TauChannel, ...]:
    """Every τ⁻ channel of Pythia's table but τ → eνν̄ (the channels without an electron among
    their direct products)."""
    return tuple(c for c in pythia_tau_channels() if PDG_ELECTRON not in map(abs, c[2]))


def non_electron_settings() -> tuple[str, ...]:
    """Pythia settings that leave every τ channel but eνν̄ open (τ⁻ and, by charge
    conjugation, τ⁺)."""
    return channel_settings(pythia_non_electron_channels())


def _non_electron_meta(bf_product: float, sigma_is: str) -> dict[str, float | str]:
    """The ``meta_extra`` of the τ pairs whose Pythia side is any decay but eνν̄."""
    return {"branching_fraction_product": bf_product,
            "non_electron_fraction": non_electron_fraction(), "sigma_is": sigma_is,
            "tau_spin_correlations": "none (single-tau densities exact)",
            "tau_decay_settings": "; ".join(non_electron_settings())}


def non_electron_fraction() -> float:
    """1 − B(τ → eνν̄) in Pythia's table: 82.27% in Pythia 8.3's (B(eνν̄) 17.73%, PDG 2024
    17.82%)."""
    return float(sum(b for _, b, _ in pythia_non_electron_channels()))


def channel_settings(channels: tuple[TauChannel, ...]) -> tuple[str, ...]:
    """Pythia settings that leave only ``channels`` of the τ open (τ⁻ and, by charge
    conjugation, τ⁺); Pythia picks among them in proportion to their branching fractions."""
    return ("15:onMode = off", *(f"15:{i}:onMode = on" for i, _, _ in channels))


def pythia_three_prong_channels() -> tuple[TauChannel, ...]:
    """Pythia's τ⁻ decay channels with exactly three charged particles among the direct decay
    products (π⁻π⁻π⁺, π⁻π⁻π⁺π⁰ (with ωπ⁻ inside the four-pion current), π⁻π⁻π⁺2π⁰, K⁻π⁻π⁺,
    K⁻K⁺π⁻, …; K⁰ and η count as neutrals, as in PDG's h⁻h⁻h⁺ ≥ 0 neutrals "3-prong"), as
    (channel index, branching fraction, products) from Pythia's own particle table."""
    return pythia_tau_channels(3)


def three_prong_fraction() -> float:
    """B(τ → three charged prongs) as the sum of Pythia's table over the channels of
    :func:`pythia_three_prong_channels` (14.92% in Pythia 8.3's table; PDG 2024 fits 14.55% for
    h⁻h⁻h⁺ ≥ 0 neutrals ν_τ excluding K⁰_S → π⁺π⁻)."""
    return float(sum(b for _, b, _ in pythia_three_prong_channels()))


def three_prong_settings() -> tuple[str, ...]:
    """Pythia settings that leave only the three-prong τ channels open (τ⁻ and, by charge
    conjugation, τ⁺); Pythia picks among them in proportion to their branching fractions."""
    return channel_settings(pythia_three_prong_channels())


class TauPairLeptonThreeProng(TauPairs):
    """e⁺e⁻ → τ⁺τ⁻(γ) with one τ → ℓνν̄, ℓ = ``lepton`` (e or μ, its mass kept; darkscan's V−A
    decay, either charge with probability 1/2) and the other τ forced to three charged prongs by
    Pythia (``finish_decays`` with :attr:`tau_decay_settings`, after any truth filter),
    σ = σ(ee → ττ) × 2 B(τ → ℓνν̄) × B(3-prong) (both charge assignments; B(ℓνν̄) PDG 2024,
    B(3-prong) Pythia's table, :func:`three_prong_fraction`). ``ee_tautau_mu3prong`` and
    ``ee_tautau_e3prong``: the backgrounds of the 3×1-topology searches (τ → ℓα, Z′ → ττ).

    Event record: e⁻, e⁺ beams; the leptonic τ (index 2, status 2, either charge) and the
    three-prong τ (index 3, status 1 until Pythia decays it); ν_τ, ℓ, ν̄_ℓ of the leptonic τ
    (mother 2) at its decay vertex; the ISR photons. The leptonic decay is drawn from the
    single-τ density matrix of the production (unpolarised for γ*, exact); the spin correlation
    with the Pythia side is not kept (Pythia decays the three-prong τ unpolarised): the joint
    momentum distribution of the two sides misses C_nn ≈ 0.89 of the longitudinal spins (each
    side's own spectrum is exact).

    Subclasses replace the leptonic side (:meth:`decay_lepton_side`, :meth:`daughter_pdgs`,
    :attr:`n_daughters`, :attr:`bf_product`), e.g. the τ → ℓα signal of
    :mod:`darkscan.generate.processes.tau_lepton_alp`."""

    #: decay products of the leptonic τ in the event record (ν_τ, ℓ, ν̄_ℓ)
    n_daughters = 3

    def __init__(self, name: str, lepton: int, filter_label: str) -> None:
        self.name = name
        self.lepton = lepton
        self.correlated = False
        self.channels = ((lepton, 0), (0, lepton))
        self.default_filter = filter_label
        self.description = (f"e+e- -> tau+tau-(gamma), {filter_label}: Born ME with running "
                            "alpha and Kuraev-Fadin ISR, V-A leptonic decay, Pythia 3-prong "
                            "decay (finish_decays), sigma x 2 B(lnunu) B(3-prong)")

    @property
    def lepton_mass(self) -> float:
        """m_ℓ of the leptonic τ's charged lepton, GeV."""
        return LEPTONS[self.lepton][0]

    @property
    def bf_product(self) -> float:  # type: ignore[override]
        """2 B(τ → ℓνν̄) B(3-prong): both charge assignments."""
        return 2.0 * LEPTONS[self.lepton][1] * three_prong_fraction()

    @property
    def tau_decay_settings(self) -> tuple[str, ...]:
        """Pythia settings for the τ left in the final state (read by ``finish_decays``)."""
        return three_prong_settings()

    def decay_lepton_side(self, k: Array, rng: np.random.Generator, charge: int, target: Array,
                          params: Mapping[str, float]) -> tuple[Array, int]:
        """Products (n, :attr:`n_daughters`, 4) of the τ's ``k`` of charge ``charge`` (frame of
        ``k``) whose unit-trace spin density matrix is ``target`` (n, 2, 2), and the number of
        decays drawn (accept–reject on the V−A decay matrix, :func:`_accept_decays`)."""
        prods, _, draws = _accept_decays(k, rng, self.lepton_mass, charge, target)
        return prods, draws

    def daughter_pdgs(self, sign: Array) -> Array:
        """Ids (n, :attr:`n_daughters`) of the products; ``sign`` (n, 1): +1 for a τ⁻."""
        return sign * np.array([PDG_NU_TAU, self.lepton, -(self.lepton + 1)])

    def decay(self, p: Array, rng: np.random.Generator, params: Mapping[str, float]
              ) -> tuple[Array, Decayed | None]:
        """Decays the leptonic τ; puts it in slot 0 (the hard momenta ``p``, τ⁻ then τ⁺, are
        reordered in place: the engine assembles the event from this array)."""
        n = len(p)
        q = p[:, 0] + p[:, 1]
        beta = (q[:, :3] / q[:, 3:4])[:, None, :]
        k = boost(p, -beta)
        sqrt_s = np.sqrt(np.maximum(h.dot(q, q), 0.0))
        rho = production_density(k[:, 0], k[:, 1], sqrt_s)
        minus = rng.random(n) < 0.5  # the leptonic τ is the τ⁻
        prods = np.empty((n, self.n_daughters, 4))
        draws = 0
        for charge, sel in ((-1, np.nonzero(minus)[0]), (1, np.nonzero(~minus)[0])):
            side = 0 if charge < 0 else 1
            target = (np.einsum("nijkj->nik", rho[sel]) if side == 0
                      else np.einsum("nijil->njl", rho[sel]))
            prods[sel], d = self.decay_lepton_side(k[sel, side], rng, charge, target, params)
            draws += d
        swap = ~minus
        p[swap] = p[swap][:, ::-1]
        k[swap] = k[swap][:, ::-1]
        sign = np.where(minus, 1, -1)[:, None]
        pdg_hard = sign * np.array([PDG_TAU, -PDG_TAU])
        _STATS.draws = (n, draws, n)
        return pdg_hard, Decayed(boost(prods, beta), self.daughter_pdgs(sign),
                                 np.zeros(self.n_daughters, dtype=np.int64))

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        """The engine's events with the leptonic τ's products moved to its decay vertex."""
        sample = EEProcess.generate_chunk(self, n, seed, params, isr=isr)
        n_ev, draws, _ = getattr(_STATS, "draws", (n, n, n))
        events = displace_tau_daughters(sample.events,
                                        np.random.default_rng(child_seed(seed, 7)),
                                        self.n_daughters)
        events = radiate_tau_leptons(events, np.random.default_rng(child_seed(seed, FSR_STREAM)))
        extra = {**sample.meta.extra, "leptonic_tau_decay_acceptance": n_ev / draws}
        return Sample(events, sample.meta.with_(extra=extra))

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        return {"branching_fraction_product": self.bf_product,
                "three_prong_fraction": three_prong_fraction(),
                "sigma_is": "sigma(ee->tautau) x 2 B(tau->l nu nu) (PDG 2024) x B(3-prong) "
                            "(Pythia table)",
                "tau_spin_correlations": "none (single-tau densities exact)",
                "tau_decay_settings": "; ".join(self.tau_decay_settings)}



# ---------------------------------------------------------------------------------------------
# one τ → one charged hadron (Pythia's decays from the τ library), the other → three prongs
# ---------------------------------------------------------------------------------------------
#: the child of the chunk seed that drives the decay of the one-prong hadronic τ
HADRONIC_DECAY_STREAM = 8


@lru_cache(maxsize=1)
def pythia_one_prong_hadronic_channels() -> tuple[TauChannel, ...]:
    """Pythia's τ⁻ channels with exactly one charged direct product that is not e or μ:
    π⁻ν, K⁻ν, π⁻π⁰ν (ρ⁻ inside the two-pion current), π⁻2π⁰ν, π⁻3π⁰ν, K⁻π⁰ν, π⁻K̄⁰ν,
    K⁻K⁰ν, π⁻ηπ⁰ν, ωK⁻ν, ηK*⁻ν, … (25 channels of Pythia 8.3's table). "One prong" is counted
    on the direct products, like :func:`pythia_three_prong_channels`: K⁰ (→ K⁰_S → π⁺π⁻), η and
    ω (→ π⁺π⁻π⁰) are neutral there, as in PDG's particle⁻ ≥ 0 neutrals ≥ 0 K⁰ ν_τ "1-prong"."""
    return tuple(c for c in pythia_tau_channels(1)
                 if not any(abs(x) in (PDG_ELECTRON, PDG_MUON) for x in c[2]))


def one_prong_hadronic_fraction() -> float:
    """B(τ → one charged hadron + neutrals + ν) as the sum of Pythia's table over
    :func:`pythia_one_prong_hadronic_channels`: 49.96% in Pythia 8.3's table (πν 10.77%, ππ⁰ν
    25.37%, π2π⁰ν 9.25%, π3π⁰ν 1.04%, πK̄⁰ν 0.84%, Kν 0.70%, Kπ⁰ν 0.43%, …), against the
    PDG 2024 1-prong minus leptonic 85.24% − 17.82% − 17.39% = 50.03% [RECALLED]."""
    return float(sum(b for _, b, _ in pythia_one_prong_hadronic_channels()))


def one_prong_hadronic_settings() -> tuple[str, ...]:
    """Pythia settings that leave only the one-prong hadronic τ channels open (both charges)."""
    return channel_settings(pythia_one_prong_hadronic_channels())


def _with_status(events: ak.Array, index: int, status: int) -> ak.Array:
    """``events`` with the particle at ``index`` of every event given ``status``."""
    parts = events["particles"]
    counts = ak.to_numpy(ak.num(parts))
    flat = {f: ak.to_numpy(ak.flatten(parts[f])) for f in PARTICLE_FIELDS}
    flat["status"] = flat["status"].copy()
    flat["status"][np.concatenate([[0], np.cumsum(counts)[:-1]]) + index] = status
    return make_truth_events(counts, ak.to_numpy(events["weight"]), **flat)


def decay_hadronic_tau(events: ak.Array, seed: np.random.SeedSequence,
                       settings: tuple[str, ...] | None = None) -> ak.Array:
    """Decay the τ at index 2 of every event with
    :func:`~darkscan.generate.pythia_bridge.decay_final_taus` (τ decay library under
    ``settings``, by default :func:`one_prong_hadronic_settings`: one charged hadron; the τ
    flight drawn there from cτ), the τ at index 3 left in the final state: it is hidden from
    that call as status 2 and given status 1 back."""
    parts = events["particles"]
    if not (ak.all(abs(parts.pdg[:, 2]) == PDG_TAU) and ak.all(abs(parts.pdg[:, 3]) == PDG_TAU)):
        raise RuntimeError("unexpected event layout: the τ's are not at indices 2 and 3")
    decayed = decay_final_taus(_with_status(events, 3, STATUS_DECAYED), seed,
                               settings=one_prong_hadronic_settings() if settings is None
                               else settings)
    return _with_status(decayed, 3, STATUS_FINAL)


class TauPairHadronThreeProng(TauPairLeptonThreeProng):
    """e⁺e⁻ → τ⁺τ⁻(γ) with one τ → one charged hadron (π⁻ν, K⁻ν, π⁻π⁰ν, π⁻2π⁰ν, K⁻π⁰ν, …,
    :func:`pythia_one_prong_hadronic_channels`) and the other forced to three charged prongs,
    σ = σ(ee → ττ) × 2 B(1-prong hadronic) × B(3-prong), both from Pythia's table
    (:func:`one_prong_hadronic_fraction`, :func:`three_prong_fraction`). ``ee_tautau_h3prong``:
    the background of the 3×1-topology searches in which the one-prong τ's π or K is taken for
    the lepton (misidentification, or a π decaying in flight to μν).

    Production, ISR, the 50/50 charge of the one-prong τ and its slot (index 2) are those of
    :class:`TauPairLeptonThreeProng`, through its lepton-side hook with no daughters: the
    engine leaves both τ undecayed. :meth:`generate_chunk` then decays the τ at index 2 with
    Pythia's τ decays from the τ decay library under :func:`one_prong_hadronic_settings`
    (:func:`decay_hadronic_tau`), the code path ``finish_decays`` takes for the three-prong τ
    (index 3, :attr:`tau_decay_settings`). Why not the hook: a hadronic decay has a variable
    number of products with intermediate decays (π⁰ → γγ, η, ω, K*, K⁰ → K⁰_S, each status 2
    with its daughters at displaced vertices), which the engine's fixed-size
    :class:`~darkscan.generate.engine.Decayed` block (k status-1 daughters of the hard
    particles) cannot hold; and both τ left to ``finish_decays`` would need settings per τ
    charge, which give the wrong mix with the 50/50 charge (and the library refuses them).

    Exact per τ: each τ of γ* → τ⁺τ⁻ is unpolarised, so the library's isotropic decays are
    Pythia's distribution; the τ⁺τ⁻ spin correlation between the two sides is not kept, as
    for the leptonic 3×1 processes.

    Event record: e⁻, e⁺ beams; the one-prong τ (index 2, status 2, either charge) and the
    three-prong τ (index 3, status 1 until ``finish_decays``); the ISR photons; the one-prong
    τ's decay tree as in ``decay_final_taus`` (direct products with mother 2 at the τ decay
    vertex, ν_τ included; π⁰, η, ω, K*, K⁰ status 2 with their daughters)."""

    n_daughters = 0

    def __init__(self, name: str, filter_label: str) -> None:
        self.name = name
        self.lepton = 0
        self.correlated = False
        self.channels = ()
        self.default_filter = filter_label
        self.description = (f"e+e- -> tau+tau-(gamma), {filter_label}: Born ME with running "
                            "alpha and Kuraev-Fadin ISR, Pythia one-prong hadronic decay (tau "
                            "library), Pythia 3-prong decay (finish_decays), "
                            "sigma x 2 B(1-prong h) B(3-prong)")

    @property
    def bf_product(self) -> float:  # type: ignore[override]
        """2 B(1-prong hadronic) B(3-prong): both charge assignments, Pythia's table."""
        return 2.0 * one_prong_hadronic_fraction() * three_prong_fraction()

    def decay_lepton_side(self, k: Array, rng: np.random.Generator, charge: int, target: Array,
                          params: Mapping[str, float]) -> tuple[Array, int]:
        """No products: the one-prong τ stays undecayed in the engine (class docstring)."""
        return np.empty((len(k), 0, 4)), len(k)

    def daughter_pdgs(self, sign: Array) -> Array:
        """No products in the engine's record."""
        return np.empty((len(sign), 0), dtype=np.int64)

    @property
    def first_tau_settings(self) -> tuple[str, ...]:
        """Pythia settings for the τ at index 2 (:func:`decay_hadronic_tau`)."""
        return one_prong_hadronic_settings()

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        """The engine's events with the τ at index 2 decayed (:attr:`first_tau_settings`)."""
        sample = EEProcess.generate_chunk(self, n, seed, params, isr=isr)
        events = decay_hadronic_tau(sample.events, child_seed(seed, HADRONIC_DECAY_STREAM),
                                    self.first_tau_settings)
        return Sample(events, sample.meta)

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        return {"branching_fraction_product": self.bf_product,
                "one_prong_hadronic_fraction": one_prong_hadronic_fraction(),
                "three_prong_fraction": three_prong_fraction(),
                "sigma_is": "sigma(ee->tautau) x 2 B(1-prong hadronic) x B(3-prong) (both "
                            "Pythia table)",
                "tau_spin_correlations": "none (single-tau densities exact)",
                "one_prong_decay_settings": "; ".join(one_prong_hadronic_settings()),
                "tau_decay_settings": "; ".join(self.tau_decay_settings)}


class TauPairElectronRest(TauPairLeptonThreeProng):
    """e⁺e⁻ → τ⁺τ⁻(γ) with one τ → eνν̄ (darkscan's V−A decay, either charge with probability
    1/2) and the other τ in any channel of Pythia's table but eνν̄ (``finish_decays`` with
    :attr:`tau_decay_settings`), σ = σ(ee → ττ) × 2 B(τ → eνν̄) × (1 − B_Pythia(τ → eνν̄)).
    With ``ee_tautau_ee`` (both τ → eνν̄) it is every τ pair with an electron from a τ decay,
    and ``ee_tautau_no_e`` (:class:`TauPairNoElectron`) is the rest: every τ pair once, at
    ~10⁵ events/s where the inclusive Pythia ``ee_tautau`` makes ~3·10²
    (``idm-dark-higgs``, whose background is mostly a τ's electron paired with a
    conversion's or another track, needs ~1% of the data's τ pairs). The sum double counts
    nothing; its σ is 1.002 σ(ee → ττ): B(eνν̄) is PDG 2024's here and in ``ee_tautau_ee``,
    Pythia's in the complement. Event record, the lepton side's spin density
    and the missing τ⁺τ⁻ spin correlation as :class:`TauPairLeptonThreeProng`."""

    @property
    def bf_product(self) -> float:  # type: ignore[override]
        """2 B(τ → eνν̄) (PDG 2024) × (1 − B(τ → eνν̄)) (Pythia's table)."""
        return 2.0 * LEPTONS[self.lepton][1] * non_electron_fraction()

    @property
    def tau_decay_settings(self) -> tuple[str, ...]:
        """Every τ channel of Pythia's table but eνν̄ open."""
        return non_electron_settings()

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        return _non_electron_meta(self.bf_product, "sigma(ee->tautau) x 2 B(tau->e nu nu) (PDG "
                                  "2024) x (1 - B(tau->e nu nu)) (Pythia table)")


class TauPairNoElectron(TauPairHadronThreeProng):
    """e⁺e⁻ → τ⁺τ⁻(γ) with both τ in any channel of Pythia's table but eνν̄ (the τ at index 2
    from the τ decay library, the other by ``finish_decays``, both under
    :func:`pythia_non_electron_channels`), σ = σ(ee → ττ) × (1 − B_Pythia(τ → eνν̄))²: with
    ``ee_tautau_e_rest`` and ``ee_tautau_ee``, every τ pair once, at the own engine's speed
    (the inclusive Pythia ``ee_tautau`` generates ~3·10² events/s). Both sides draw from the
    same channels, so which τ is decayed first is no distinct final state (no factor 2). The
    τ⁺τ⁻ spin correlation is not kept (each τ of γ* → τ⁺τ⁻ is unpolarised: each side's own
    distribution is Pythia's), as for :class:`TauPairHadronThreeProng`."""

    def __init__(self, name: str, filter_label: str) -> None:
        super().__init__(name, filter_label)
        self.description = (f"e+e- -> tau+tau-(gamma), {filter_label}: Born ME with running "
                            "alpha and Kuraev-Fadin ISR, both tau decayed by Pythia (tau library, "
                            "finish_decays), sigma x (1 - B(e nu nu))^2")

    @property
    def bf_product(self) -> float:  # type: ignore[override]
        """(1 − B(τ → eνν̄))², Pythia's table."""
        return non_electron_fraction() ** 2

    @property
    def first_tau_settings(self) -> tuple[str, ...]:
        return non_electron_settings()

    @property
    def tau_decay_settings(self) -> tuple[str, ...]:
        return non_electron_settings()

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        return _non_electron_meta(self.bf_product,
                                  "sigma(ee->tautau) x (1 - B(tau->e nu nu))^2 (Pythia table)")


EE_TAUTAU_MUMU = register(TauPairs("ee_tautau_mumu", ((PDG_MUON, PDG_MUON),),
                                   "both tau -> mu nu nu"))
EE_TAUTAU_EE = register(TauPairs("ee_tautau_ee", ((PDG_ELECTRON, PDG_ELECTRON),),
                                 "both tau -> e nu nu"))
EE_TAUTAU_EMU = register(TauPairs("ee_tautau_emu", ((PDG_ELECTRON, PDG_MUON),
                                                    (PDG_MUON, PDG_ELECTRON)),
                                  "one tau -> e nu nu, the other -> mu nu nu"))
EE_TAUTAU_MU3PRONG = register(TauPairLeptonThreeProng(
    "ee_tautau_mu3prong", PDG_MUON, "one tau -> mu nu nu, the other -> 3 charged prongs"))
EE_TAUTAU_E3PRONG = register(TauPairLeptonThreeProng(
    "ee_tautau_e3prong", PDG_ELECTRON, "one tau -> e nu nu, the other -> 3 charged prongs"))
EE_TAUTAU_H3PRONG = register(TauPairHadronThreeProng(
    "ee_tautau_h3prong", "one tau -> 1 charged hadron + neutrals, the other -> 3 charged prongs"))
EE_TAUTAU_E_REST = register(TauPairElectronRest(
    "ee_tautau_e_rest", PDG_ELECTRON, "one tau -> e nu nu, the other -> any decay but e nu nu"))
EE_TAUTAU_NO_E = register(TauPairNoElectron(
    "ee_tautau_no_e", "both tau -> any decay but e nu nu"))
