"""``ee_nunug``: e⁺e⁻ → νν̄γ (three flavours), the irreducible background of the single-photon
search ``dark-photon-invisible`` (e⁺e⁻ → γA′, A′ → χχ̄), at tree level with the photon inside
the same CMS cuts as ``ee_eeg``.

Interaction. At √s = 10.58 GeV ≪ M_Z, M_W the neutrinos couple through the four-fermion
interaction

    L = −(G_F/√2) [ν̄_f γ^μ(1 − γ5) ν_f] [ē γ_μ (g_V^f − g_A^f γ5) e],

the Z exchange with g_V = −1/2 + 2 sin²θ_W, g_A = −1/2 for every flavour, plus for ν_e the W
exchange, which after the Fierz identity of (V−A)×(V−A) (no sign for anticommuting fields) is
the same structure with g_V, g_A → g_V + 1, g_A + 1. In chiral form g_V − g_Aγ5 = g_L P_L +
g_R P_R with g_L = g_V + g_A = −1 + 2 sin²θ_W (+2 for ν_e), g_R = g_V − g_A = 2 sin²θ_W. The Z
part keeps its propagator: g_{L,R} of the Z are multiplied by ρ(q²) = M_Z²/(M_Z² − q² − iM_ZΓ_Z)
at q² = (p_ν + p_ν̄)² (→ 1 for q² → 0; +2.7% on the Z part of σ at q² = s); the W part stays
local: its propagator 1/(M_W² − t) and the photon radiated off the W are O(s/M_W²) ≈ 1.7% of the
W amplitude (not included; with them the local part would not be gauge invariant by itself).

Matrix element (massless e and ν): the photon off the e⁻ or the e⁺ line,

    M_f = e(0) (G_F/√2) v̄₂[γ^μ Γ_f S(p1−k) ε̸* + ε̸* S(k−p2) γ^μ Γ_f]u₁ · ū(q1)γ_μ(1 − γ5)v(q2),

Γ_f = g_L^f P_L + g_R^f P_R, helicity amplitudes through :mod:`darkscan.generate.helas`, only
the non-zero ones (helicity is conserved along the massless lines: per chirality one e⁻e⁺
helicity pair, one νν̄ pair, two photon helicities; ≈2.4 μs per event, a quarter of the full
2⁵ sum). For
massless electrons the two chiralities do not interfere: |M_f|² = e²(G_F²/2)(|g_L^f|²T_L +
|g_R^f|²T_R), T_χ the helicity sums at unit coupling (:func:`chiral_me2`), so the three flavours
cost one evaluation and each event gets its flavour with probability |M_f|²/Σ|M|² (exact: the
kinematics are the same).

Closed form (the validation). Integrating the neutrino pair (a conserved current, tensor
∝ Q^μQ^ν − Q²g^μν for massless ν) leaves the radiator of initial-state radiation off an
annihilation into a vector/axial current, derived here from the e⁺e⁻ → γγ*-type trace
Σ|M|² ∝ p1k/p2k + p2k/p1k + Q²(p1·p2)/((p1·k)(p2·k)) normalised by the soft-photon limit:

    dσ/dx dcosθ = (α/π) σ₀(s(1 − x)) [(1 + (1 − x)²)/(x sin²θ) − x/2],   x = 2E_γ/√s,

the formula of G. Bonneau and F. Martin, Nucl. Phys. B27 (1971) 381, used for neutrino counting
by E. Ma and J. Okada, Phys. Rev. Lett. 41 (1978) 287 and K. J. F. Gaemers, R. Gastmans,
F. M. Renard, Phys. Rev. D 19 (1979) 1605 (equivalently (2α/π)[(1 − x/2)² + x²cos²θ/4]/
(x sin²θ)). Its collinear limit is the splitting function (α/2π)(1 + (1−x)²)/x per beam. σ₀ of
the same interaction: σ₀(s) = G_F² s Σ_f (|g_V^f|² + |g_A^f|²)/(12π) = G_F² s Σ_f (|g_L^f|² +
|g_R^f|²)/(24π) (from ∫dΦ₂ of the ν current: (Q^μQ^ν − Q²g^μν)/(3π)); 0.265 pb at 10.58 GeV,
0.252 pb with the engine's ISR (:func:`darkscan.generate.isr.isr_convolved`; the Physics Book's
νν̄(γ) 0.25 pb from KKMC).

Phase space: the photon against the massless pair (:class:`~darkscan.generate.processes.
radiative_qed.PairChannel` without the pair pole): CMS rapidity flat inside the cuts (the
radiator's 1/sin²θ), E ∝ 1/E (its 1/x), the pair decaying flat: the weight is nearly constant.
ISR: the engine's collinear Kuraev–Fadin structure function, the CMS cuts generated exactly
through the hard frame's rapidity. Generator-level cuts: the photon with θ_min_cms < θ*_γ <
θ_max_cms and E*_γ > e_min_cms (defaults 13°, 165°, 1 GeV, as ``ee_eeg``).

σ at the defaults: 3.017 fb at Born level (the closed form; generated 3.017 ± 0.002 fb over four
grid seeds), 2.80 fb with ISR; ν_e in 70% of the events. Validation (tests/generate/
test_radiative_qed.py, darkscan.generate.checks): the Ward identity, σ against the radiator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from particle import Particle

from darkscan.errors import ParameterError
from darkscan.generate import helas as h
from darkscan.generate.engine import EEProcess, in_theta_energy
from darkscan.generate.processes.radiative_qed import PairChannel, PhotonWindow
from darkscan.generate.registry import ProcessParam, register
from darkscan.physics import lorentz
from darkscan.physics.constants import ALPHA, G_FERMI, GEV2_TO_PB, PDG_PHOTON, mass

Array = np.ndarray
E2 = 4.0 * math.pi * ALPHA
PDG_Z = 23
M_Z = mass(PDG_Z)
#: Z width in GeV (PDG, through the ``particle`` tables)
GAMMA_Z = float(Particle.from_pdgid(PDG_Z).width) / 1000.0
#: sin²θ_W, MS-bar at M_Z (PDG 2024 electroweak review: 0.23129) [RECALLED]
SIN2_THETA_W = 0.23129
#: ν_e, ν_μ, ν_τ
NEUTRINOS = (12, 14, 16)


def z_propagator(q2: Array) -> Array:
    """ρ(q²) = M_Z²/(M_Z² − q² − iM_ZΓ_Z): the Z propagator relative to its q² → 0 limit."""
    return M_Z**2 / (M_Z**2 - np.asarray(q2, float) - 1j * M_Z * GAMMA_Z)


def chiral_couplings(q2: Array) -> tuple[Array, Array]:
    """(g_L, g_R) of the electron current per flavour, (3, n) complex each (module docstring):
    the Z part times ρ(q²), +2 in g_L of ν_e (W exchange after the Fierz identity)."""
    rho = np.atleast_1d(z_propagator(q2))
    gl = np.stack([(-1.0 + 2.0 * SIN2_THETA_W) * rho for _ in NEUTRINOS])
    gr = np.stack([2.0 * SIN2_THETA_W * rho for _ in NEUTRINOS])
    gl[0] += 2.0
    return gl, gr


def sigma0_nunu(s: Array | float) -> Array:
    """Born σ(e⁺e⁻ → νν̄) in pb summed over the three flavours, G_F²s Σ_f(|g_L|² + |g_R|²)/(24π)
    (massless, four-fermion interaction, the Z propagator in ρ(s))."""
    gl, gr = chiral_couplings(s)
    return (G_FERMI**2 * np.asarray(s, float) * np.sum(np.abs(gl) ** 2 + np.abs(gr) ** 2, axis=0)
            / (24.0 * math.pi) * GEV2_TO_PB)


#: the helicities (e⁻, e⁺) of the electron line with the coupling P_L, P_R and (ν, ν̄) of the
#: neutrino current: massless lines conserve helicity, the other helicity amplitudes are exactly
#: 0 in helas's chiral spinors (tested) and are not computed
CHIRAL_HELICITIES = ((-1, 1), (1, -1))
NU_HELICITIES = (-1, 1)


def chiral_me2(p1: Array, p2: Array, k: Array, q1: Array, q2: Array,
               eps: Mapping[int, Array] | None = None) -> Array:
    """T_χ (n, 2) for χ = L, R: the spin-averaged Σ|v̄₂[γ^μ P_χ S(p1−k)ε̸* + ε̸* S(k−p2)γ^μ P_χ]u₁
    · ū(q1)γ_μ(1 − γ5)v(q2)|²/4 (massless), so that |M_f|² = e²(G_F²/2)(|g_L|²T_L + |g_R|²T_R);
    the sum over the helicities of :data:`CHIRAL_HELICITIES` and :data:`NU_HELICITIES`, the
    only non-zero ones. ``eps`` replaces the photon polarisations {−1: …, +1: …} (the tests put
    k there)."""
    eps = {lam: h.polarisation(k, 0.0, lam) for lam in h.PHOTON} if eps is None else eps
    c, d = NU_HELICITIES
    nu = [h.vector_current(h.spinors("ubar", q1, 0.0)[c], h.spinors("v", q2, 0.0)[d], 2.0, 0.0)]
    us = h.spinors("u", p1, 0.0)
    vbs = h.spinors("vbar", p2, 0.0)
    out = np.empty((len(k), 2))
    for col, ((gl, gr), (a, b)) in enumerate(zip(((1.0, 0.0), (0.0, 1.0)), CHIRAL_HELICITIES,
                                                 strict=True)):
        currents = []
        for lam in h.PHOTON:
            left = h.fermion_prop(h.vertex_v(us[a], eps[lam]), p1 - k, 0.0)
            right = h.fermion_prop_bar(h.vertex_v_bar(vbs[b], eps[lam]), k - p2, 0.0)
            currents.append(h.vector_current(vbs[b], left, gl, gr)
                            + h.vector_current(right, us[a], gl, gr))
        out[:, col] = 0.25 * h.sum_abs2_dots(currents, nu)
    return out


def flavour_me2(p1: Array, p2: Array, k: Array, q1: Array, q2: Array) -> Array:
    """|M_f|² (n, 3) of ν_e, ν_μ, ν_τ (spin-averaged, massless)."""
    t = chiral_me2(p1, p2, k, q1, q2)
    q = q1 + q2
    gl, gr = chiral_couplings(h.dot(q, q))
    return E2 * G_FERMI**2 / 2.0 * (np.abs(gl.T) ** 2 * t[:, :1] + np.abs(gr.T) ** 2 * t[:, 1:])


def sigma_radiator(s: float, params: Mapping[str, float]) -> float:
    """σ(e⁺e⁻ → νν̄γ) in pb inside the photon cuts from the radiator (module docstring):
    (α/π)∫dx σ₀(s(1 − x))[(1 + (1 − x)²)/x · L − x/2 · Δc], L = ∫dc/(1 − c²) = atanh c₂ −
    atanh c₁, Δc = c₂ − c₁ over the cut range, x from 2E_min/√s to 1 (no ISR)."""
    from scipy.integrate import quad

    c1 = math.cos(math.radians(params["theta_max_cms"]))
    c2 = math.cos(math.radians(params["theta_min_cms"]))
    big_l, dc = math.atanh(c2) - math.atanh(c1), c2 - c1

    def integrand(x: float) -> float:
        return float(sigma0_nunu(s * (1.0 - x))[0]) * ((1.0 + (1.0 - x) ** 2) / x * big_l
                                                       - 0.5 * x * dc)

    x_min = 2.0 * params["e_min_cms"] / math.sqrt(s)
    val, _ = quad(integrand, x_min, 1.0, epsabs=0.0, epsrel=1e-10, limit=200)
    return ALPHA / math.pi * val


class NuNuGamma(EEProcess):
    name = "ee_nunug"
    description = ("e+e- -> nu nubar gamma (3 flavours): tree level, four-fermion interaction "
                   "with the Z propagator (W exchange for nu_e), photon inside CMS cuts, "
                   "collinear Kuraev-Fadin ISR")
    default_filter = ("theta_min_cms < theta*_gamma < theta_max_cms and E*_gamma > e_min_cms "
                      "(defaults 13 deg, 165 deg, 1 GeV)")
    pdgs = (NEUTRINOS[0], -NEUTRINOS[0], PDG_PHOTON)
    isr_collinear = True
    channel = PairChannel(pair_pole=False)
    params = (
        ProcessParam("e_min_cms", 1.0, "lowest CMS energy of the photon in GeV"),
        ProcessParam("theta_min_cms", 13.0, "lowest CMS polar angle of the photon in deg"),
        ProcessParam("theta_max_cms", 165.0, "highest CMS polar angle of the photon in deg"),
    )

    @staticmethod
    def _cuts(params: Mapping[str, float]) -> tuple[float, float, float]:
        return params["theta_min_cms"], params["theta_max_cms"], params["e_min_cms"]

    def validate(self, params: Mapping[str, float]) -> None:
        tmin, tmax, emin = self._cuts(params)
        if not tmin < tmax:
            raise ParameterError(f"process '{self.name}' needs theta_min_cms < theta_max_cms, "
                                 f"got {tmin:g}, {tmax:g}")
        if 2.0 * emin >= self.experiment.sqrt_s:
            raise ParameterError(f"parameter 'e_min_cms' = {emin:g} GeV is above √s/2")
        super().validate(params)

    def s_min(self, params: Mapping[str, float]) -> float:
        """√s′ ≥ 2 p_T,γ ≥ 2 E_min sinθ at the nearer edge of the photon range."""
        tmin, tmax, emin = self._cuts(params)
        return (2.0 * emin * min(math.sin(math.radians(tmin)), math.sin(math.radians(tmax)))) ** 2

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 5

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool,
             rapidity: Array | float = 0.0) -> tuple[Array, Array]:
        """Hard-frame (ν, ν̄, γ) and the weight (1/2s′)Σ_f|M_f|² dΦ₃, the photon generated in the
        CMS cuts (``rapidity``: that of the hard frame in the CMS)."""
        n = len(u)
        rs = np.broadcast_to(np.asarray(sqrt_s, float), (n,))
        rap = np.broadcast_to(np.asarray(rapidity, float), (n,))
        tmin, tmax, emin = self._cuts(params)
        win = PhotonWindow((math.cos(math.radians(tmax)), math.cos(math.radians(tmin))), emin,
                           0.0, rs, rap)
        nu, nubar, k, jac = self.channel.generate(u, win)
        p = np.stack([nu, nubar, k], axis=1)
        w = np.zeros(n)
        ok = jac > 0
        if np.any(ok):
            p1, p2 = _beams(rs[ok])
            me2 = flavour_me2(p1, p2, k[ok], nu[ok], nubar[ok]).sum(axis=1)
            w[ok] = me2 * jac[ok] / (2.0 * rs[ok] ** 2) * GEV2_TO_PB
        return p, w

    def hard_in_frame(self, u: Array, sqrt_s: Array, params: Mapping[str, float],
                      velocity: Array) -> tuple[Array, Array]:
        return self.hard(u, sqrt_s, params, True, np.arctanh(velocity[:, 2]))

    def passes_filter(self, p: Array, k1: Array, k2: Array, params: Mapping[str, float]
                      ) -> Array:
        """The photon cuts (generated exactly; the filter states them)."""
        return in_theta_energy(p[:, 2], *self._cuts(params))

    def decay(self, p: Array, rng: np.random.Generator, params: Mapping[str, float]
              ) -> tuple[Array, None]:
        """The flavour of each event with probability |M_f|²/Σ_f|M_f|², evaluated in the hard
        frame (the final state's rest frame: collinear ISR leaves the beams along z)."""
        n = len(p)
        tot = p.sum(axis=1)
        hard = lorentz.boost(p, -(tot[:, :3] / tot[:, 3:])[:, None, :])
        p1, p2 = _beams(np.sqrt(np.maximum(h.dot(tot, tot), 0.0)))
        m2 = flavour_me2(p1, p2, hard[:, 2], hard[:, 0], hard[:, 1])
        cum = np.cumsum(m2, axis=1)
        pick = np.sum(rng.random(n)[:, None] * cum[:, -1:] > cum, axis=1)
        flav = np.array(NEUTRINOS)[np.minimum(pick, 2)]
        return np.stack([flav, -flav, np.full(n, PDG_PHOTON)], axis=1), None

    def xsec_note(self, isr: bool) -> str:
        born = ("tree level, four-fermion interaction with the Z propagator (local W for ν_e), "
                "3 flavours, α(0)")
        return (f"{born}, collinear Kuraev–Fadin ISR" if isr else f"{born}, no ISR")


def _beams(sqrt_s: Array) -> tuple[Array, Array]:
    e = np.asarray(sqrt_s, float) / 2.0
    z = np.zeros_like(e)
    return np.stack([z, z, e, e], axis=-1), np.stack([z, z, -e, e], axis=-1)


EE_NUNUG = register(NuNuGamma())
