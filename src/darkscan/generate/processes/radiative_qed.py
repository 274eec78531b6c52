"""``ee_eeg``: radiative Bhabha scattering e⁺e⁻ → e⁺e⁻γ with the exact tree-level QED matrix
element (massive electrons), generated where it fakes a single photon: the background of the
``dark-photon-invisible`` search (e⁺e⁻ → γA′, A′ → χχ̄; one photon and nothing else).

Matrix element. e⁻(p1) e⁺(p2) → e⁻(p3) e⁺(p4) γ(k), eight diagrams: the photon on each of the four
legs of the s-channel (annihilation) graph and of the t-channel (scattering) graph,

    M = e(0) { c(s₃₄) v̄₂[γ^μ S(p1−k)ε̸* + ε̸* S(k−p2)γ^μ]u₁ · ū₃γ_μv₄          (ISR, s-channel)
             + c(s)   v̄₂γ^μu₁ · ū₃[ε̸* S(p3+k)γ_μ + γ_μ S(−p4−k)ε̸*]v₄          (FSR, s-channel)
             − c(t₂₄) ū₃[γ^μ S(p1−k)ε̸* + ε̸* S(p3+k)γ^μ]u₁ · v̄₂γ_μv₄          (e⁻ line radiates)
             − c(t₁₃) ū₃γ^μu₁ · v̄₂[ε̸* S(k−p2)γ_μ + γ_μ S(−p4−k)ε̸*]v₄ },       (e⁺ line radiates)

S(p) = (p̸ + m)/(p² − m²), c(q²) = e²(q²)/q² the exchanged photon (4πα(q²), the Dyson-resummed
vacuum polarisation, when the radiative corrections are on; α(0) otherwise), s₃₄ = (p3+p4)²,
t₁₃ = (p1−p3)², t₂₄ = (p2−p4)². The relative minus sign of the t-channel graphs is Fermi
statistics, as in Bhabha scattering (:func:`darkscan.generate.processes.sm_qed.me2_bhabha`); the
common phases are dropped as in :mod:`darkscan.generate.helas`. Each of the four lines of the
formula is gauge invariant by itself (the photon at both ends of one fermion line, the other line
a conserved current), so the running couplings keep the Ward identity exact; it is checked
numerically (ε → k gives zero).

Why massive electrons. The cross section inside the cuts is dominated by two collinear regions
that the electron mass regulates and a massless calculation cannot describe:

- quasi-real Compton scattering: one lepton goes down the beam pipe with a tiny momentum transfer
  |t| down to |t|_min = m²x²/(1−x) (x its energy loss), the other beam lepton Compton-scatters the
  quasi-real photon into the wide-angle photon and a lepton at small angle. |M|² ∝ 1/|t| gives
  the equivalent-photon logarithm ln(|t|_max/|t|_min) and the mass term −(1−x)|t|_min/|t| of the
  flux (Budnev et al., Phys. Rept. 15 (1975) 181): the leading contribution (the topology of the
  TEEGG generator, D. Karlen, Nucl. Phys. B289 (1987) 23);
- final-state collinear radiation: the photon range (CMS 13°–165°) overlaps the small-angle
  region where the leptons may be, so a small-angle Bhabha lepton with a hard collinear photon
  (1/(p·k) regulated by m² ≈ 2.6·10⁻⁷ GeV²) is inside the cuts; in the detector such an electron
  without a track and its photon can make one cluster.

So all four legs keep m_e (spinors, propagators, the phase space), all 2⁵ = 32 helicity amplitudes
are computed (the helicity-flip ones carry the m²/(p·k)² mass terms), and the small invariants
(t, p·k, s₃₄) are computed in a form without cancellations (:func:`invariants`): (p1−p3)² from
the components loses all digits below ~10⁻⁸ GeV², while |t|_min reaches 10⁻¹¹ GeV².

Kernel: one compiled pass per batch (:func:`_me2_kernel` for |M|², :func:`_radiative_kernel`
for the amplitudes; shared with ``ee_mumug``, which takes its s-channel half with a second
mass): per event the polarisations, propagator momenta and denominators, the four dressed
spinors S ε̸* ψ of each leg (2 helicities × 2 photon helicities), the four plain and four
radiating currents of each helicity configuration, then the 32 amplitudes as four Minkowski
products each; for |M|² the 16 with λ(e⁻) = −1, doubled (parity: flipping every helicity
leaves |M| unchanged; ≈2.1 μs per event, 1.3 μs without the t-channel graphs, 3.1 and 1.9 μs
for all 32). Rows of small work arrays addressed by index (array views per call cost twice as
much); ε̸ and the propagators' q̸ slashed once per event (:func:`slashes`); real·complex and
i·z products written out (:func:`_scale`): IEEE arithmetic keeps the four products and the
0·z terms of a promoted complex product, 17% of the kernel.

Generator-level cuts (parameters of the one table): the photon with θ_min_cms < θ*_γ <
θ_max_cms and E*_γ > e_min_cms in the e⁺e⁻ CMS (defaults 13°, 165°, 1 GeV); with
``lepton_veto`` = 1 (default) both e± outside the CMS window θ_veto_min_cms < θ* <
θ_veto_max_cms (defaults 27°, 153°), with ``lepton_veto`` = 0 the leptons anywhere. The Belle II
frames (crossing angle included, :mod:`darkscan.physics.experiment`): the CDC acceptance 17°–150°
(lab) is 19.4°–25.3° / 155.5°–158.7° in the CMS depending on the azimuth, so a lepton outside it
is outside 25.3°–155.5° CMS: the veto window 27°–153° keeps a margin of ≥1.7°; the ECL
12.4°–155.1° (lab) is inside 13.3°–162.7° CMS, inside the photon range. A search applies its own
truth filter on top. σ at the defaults: 21.5 nb at Born level, 22.0 nb with ISR (28.9 / 30.6 nb
without the veto). Of the events with ISR, 57% have one lepton within 5° of its beam
(quasi-real Compton), 25% the photon within 2° of a lepton (collinear radiation off a small-angle
Bhabha lepton), the rest lies in between; 26% of the photons are at 17°–150° in the lab.

Phase space (multichannel). Five channels (:data:`CHANNELS`), each with its own five VEGAS
dimensions and one dimension choosing the channel:

1. spectator e⁻ (:class:`PhotonLeptonChannel`, axis "beam"): the photon first, its CMS rapidity
   inside the cut range (the hard frame's rapidity Δ from collinear ISR subtracted, so the CMS
   cuts are generated exactly, as in ``ee_ggg``) with density ∝ e^{−2η*}, E ∝ 1/E above E_min/D
   (D the Doppler factor); the e⁻ direction about its beam with y = 1 − cosθ ∝ 1/(y + y₀) (the
   t-channel pole, y₀ from |t|_min at the energy loss x the photon implies); its momentum from
   the mass shell of the e⁺, (P − k − p₃)² = m², solved in closed form. The e^{−2η*}: in the
   equivalent-photon picture dσ ∝ (dx/x)·dσ_C/dη̂ with σ_C ∝ 1/W² = 1/(xs) and the Compton
   u-channel 1 + cos∠(e⁺, γ) ≈ 2x e^{−2η*} at small x, i.e. ∝ (dω/ω) e^{−2η*} dη* (the
   photon recoils towards the e⁺ beam); rapidity-flat sampling left weights ∝ e^{−2η*}
   varying by 4·10³ over the range (3% unweighting efficiency without VEGAS, 17% with);
2. spectator e⁺: the same about the e⁺ beam, e^{+2η*};
3. pair (:class:`PairChannel`): the photon against the e⁺e⁻ pair with s₃₄ ∝ 1/s₃₄ from 4m²
   (the virtual photon of the ISR graphs, e⁺e⁻ → γγ*(→ e⁺e⁻)), rapidity flat;
4. collinear radiation off the e⁻ (:class:`PhotonLeptonChannel`, axis "photon"): the photon
   first (e^{+2η*}: the small-angle Bhabha 1/θ⁴ of the lepton it follows), the e⁻ direction
   about the photon ∝ 1/(y + y₀), y₀ = (1 − β)/β (the 1/(p·k) with its dead cone), its momentum
   from the e⁺ mass shell;
5. collinear radiation off the e⁺ (e^{−2η*}).

With the lepton veto the spectator channels leave the veto window out of their lepton's
directions (:func:`_veto_hole`: y ∝ 1/(y + y₀) on [0, 2] without the window's massless image;
the other channels cover the few massive leptons whose image is inside but which pass): 11% of
their points had the spectator in the window, and the unweighting efficiency with ISR rose from
12% to 15%. Every channel samples the photon's CMS rapidity only where its hard-frame energy
range is open
(:func:`_eta_window`): after hard ISR (√s′ ≪ √s, |Δ| large) E* > E_min needs the photon along
the boost, and rapidities flat over the whole cut range left 10% of the ``ee_mumug`` points
(9% of ``ee_eeg``'s) without phase space. The channels are compiled per point
(:func:`_generate_one`, :func:`_channel_jacobian_one`; one pass per batch for the points and
one for all densities).

Multichannel weight (balance heuristic): every channel's a-priori density g_c = 1/(dΦ₃/du) is
evaluated at every point (:func:`channel_densities`, from the momenta), and a point from any
channel has the weight n_ch·f/Σ_c g_c: exact where the channels together cover the phase space,
and no channel's thin coverage of another's peak makes a large weight. The photon-first
channels cannot reach the photon end point where the pair mass is below √(2(√s − E_γ)m) (two
roots of the mass shell, A < am): their g_c = 0 there, and the pair channel covers it.
Integration: VEGAS trained on top and sampled as a defensive mixture with the flat cube
(:class:`DefensiveGrid`; VEGAS alone starves regions whose boundaries the lepton veto
correlates). Unweighting efficiency at the defaults: 18% at Born level, 15% with ISR (12–13%
before the spectators left out the veto window); 36 000 unweighted events per CPU second with
ISR (``darkscan bench``, ``gen_ee_eeg``; 28 000 before the compiled phase space, |M|² by
parity and the veto window, 0.41× the 2→2 ``ee_ee`` in the same run). Each point weighted by
the VEGAS densities of the dimensions it uses only (:mod:`darkscan.generate.multichannel`: 8 of
32), the efficiency with ISR rose from 16.0% to 17.9% and the rate by ×1.13–1.21 (best of seven
interleaved runs of 50k events: 3.6–3.8×10⁴ → 4.3×10⁴ per CPU second, on a machine ~1.6×
slower than the one of the figures above, 2026-12-06). The same machine, 2026-12-07: 5.8×10⁴
per CPU second in chunks of 50k, 6.1–6.3×10⁴ with the running α, the mixed ISR sampling,
the collinear ISR photons and the CMS cuts compiled. Where the time goes then (per 50k
events, ~2.8×10⁵ points at 18% efficiency): |M|² 0.25 s, the channels' points and
densities 0.17 s, invariants, spinors and cuts 0.04 s, the rest (VEGAS map, ISR, boosts,
event records) ~0.3 s: the compiled kernels alone would allow ~1.1×10⁵ per second at this
unweighting efficiency, which neither more grid points (1.2M), more VEGAS increments (50 →
400) nor another defensive share (0.02–0.5) raised above 18–20%.

ISR: the engine's collinear Kuraev–Fadin structure function (photons along the beams, the hard
system boosted along z; the s-channel exponent β(s) for both beams, the leading-log approximation
for the spectator line as well). Running α per exchanged photon
(:func:`darkscan.generate.isr.alpha_running`) with the ISR. No extra FSR shower: the hard
photon is the exact O(α) real emission; a shower on top would double count its collinear part.
Not included: O(α) virtual corrections beyond the ISR constant
and running α (box graphs, the non-log part of the t-channel vertex corrections), Z exchange
(O(s/M_Z²) ≈ 1.3% on the s-channel graphs only, negligible at small angles), two hard photons;
events where a lepton inside the ECL but outside the CDC (12.4°–17° lab) fakes the photon while
the real photon is lost are outside the photon cuts and not generated.

Validation (tests/generate/test_radiative_qed.py, darkscan.generate.checks): the Ward identity
(|M(ε→k)|/(|M|E_γ) < 10⁻⁹ at every point, quasi-real and collinear regions included), the closed
massless form of Berends et al. at m = 0 (10⁻¹⁰), the soft-photon theorem against the Bhabha
|M|² of ``ee_ee`` (deviation O(E_γ/√s)), the spectator below 1 mrad against the
equivalent-photon approximation (:func:`sigma_epa_spectator`, 0.2%), a peak-free region against
flat sequential sampling, every channel's phase-space volume.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from darkscan.errors import ParameterError
from darkscan.generate import helas as h
from darkscan.generate.engine import EEProcess
from darkscan.generate.helas_kernels import spinor_pair
from darkscan.generate.integrate import UNWEIGHT_BLOCK, Grid, max_weight, train_map
from darkscan.generate.isr import alpha_running
from darkscan.generate.multichannel import ChannelLayout
from darkscan.generate.registry import ProcessParam, register
from darkscan.jit import jit_exact
from darkscan.physics import lorentz
from darkscan.physics.constants import (
    ALPHA,
    GEV2_TO_PB,
    M_E,
    PDG_ELECTRON,
    PDG_PHOTON,
)

Array = np.ndarray
E2 = 4.0 * math.pi * ALPHA
#: VEGAS dimensions per channel of the multichannel phase space (module docstring)
DIMS_PER_CHANNEL = 5


# ---------------------------------------------------------------------------------------------
# compiled pieces: invariants without cancellations, the 32 helicity amplitudes
# ---------------------------------------------------------------------------------------------
@jit_exact
def _mag(p: Array) -> float:
    return math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2])


@jit_exact
def _one_minus_cos(a: Array, am: float, b: Array, bm: float) -> float:
    """1 − cos∠(a, b) = |â − b̂|²/2: all digits at small angles (1 − â·b̂ has none below 10⁻⁸)."""
    dx = a[0] / am - b[0] / bm
    dy = a[1] / am - b[1] / bm
    dz = a[2] / am - b[2] / bm
    return 0.5 * (dx * dx + dy * dy + dz * dz)


@jit_exact
def _two_p_dot_k(p: Array, k: Array, m: float) -> float:
    """2p·k of a lepton p (mass m, energy from its momentum) and a photon k:
    2ω[m²/(E + |p|) + |p|(1 − cos α)], both terms positive."""
    pm, km = _mag(p), _mag(k)
    if pm == 0.0:
        return 2.0 * km * m
    e = math.sqrt(pm * pm + m * m)
    return 2.0 * km * (m * m / (e + pm) + pm * _one_minus_cos(p, pm, k, km))


@jit_exact
def t_two_masses(a: Array, ma: float, b: Array, mb: float) -> float:
    """(a − b)² of two leptons of masses ma, mb (an incoming and an outgoing one):
    (ma − mb)² − 2[(ma E_b − mb E_a)²/(E_aE_b − ma mb + |a||b|) + |a||b|(1 − cos θ_ab)], from
    (E_aE_b − ma mb)² − |a|²|b|² = (ma E_b − mb E_a)²; for equal masses m²(E_a − E_b)², so
    |t|_min = m²x²/(1 − x) keeps its digits."""
    am, bm = _mag(a), _mag(b)
    ea, eb = math.sqrt(am * am + ma * ma), math.sqrt(bm * bm + mb * mb)
    d = ma * eb - mb * ea
    return (ma - mb) ** 2 - 2.0 * (d * d / (ea * eb - ma * mb + am * bm)
                                   + am * bm * _one_minus_cos(a, am, b, bm))


@jit_exact
def s_same_mass(a: Array, b: Array, m: float) -> float:
    """(a + b)² of two outgoing leptons of mass m: 2m² + 2[m²(E_a² + E_b² − m²)/(E_aE_b +
    |a||b|) + |a||b|(1 − cos θ_ab)] (E_aE_b − |a||b| without the cancellation)."""
    am, bm = _mag(a), _mag(b)
    ea, eb = math.sqrt(am * am + m * m), math.sqrt(bm * bm + m * m)
    return 2.0 * m * m + 2.0 * (m * m * (ea * ea + eb * eb - m * m) / (ea * eb + am * bm)
                                + am * bm * _one_minus_cos(a, am, b, bm))


@jit_exact
def _invariants_kernel(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, m: float,
                       m_out: float, out: Array) -> None:
    for i in range(p1.shape[0]):
        out[i, 0] = _two_p_dot_k(p1[i], k[i], m)
        out[i, 1] = _two_p_dot_k(p2[i], k[i], m)
        out[i, 2] = _two_p_dot_k(p3[i], k[i], m_out)
        out[i, 3] = _two_p_dot_k(p4[i], k[i], m_out)
        out[i, 4] = t_two_masses(p1[i], m, p3[i], m_out)
        out[i, 5] = t_two_masses(p2[i], m, p4[i], m_out)
        out[i, 6] = s_same_mass(p3[i], p4[i], m_out)


#: columns of :func:`invariants`
INVARIANTS = ("2p1k", "2p2k", "2p3k", "2p4k", "t13", "t24", "s34")


def invariants(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, m: float = M_E,
               m_out: float | None = None) -> Array:
    """(n, 7): 2p₁·k, 2p₂·k, 2p₃·k, 2p₄·k, t₁₃ = (p1−p3)², t₂₄ = (p2−p4)², s₃₄ = (p3+p4)²
    (:data:`INVARIANTS`), each without cancellations (the leptons on their mass shell, energies
    from the momenta); beams of mass ``m``, final leptons of mass ``m_out`` (default ``m``)."""
    args = [np.ascontiguousarray(a, dtype=float) for a in (p1, p2, p3, p4, k)]
    out = np.empty((len(args[0]), 7))
    _invariants_kernel(*args, float(m), float(m if m_out is None else m_out), out)
    return out


@jit_exact
def current_row(fb: Array, i: int, f: Array, j: int, out: Array, o: int, add: bool) -> None:
    """out[o]^μ (+)= ψ̄ γ^μ χ with ψ̄ = fb[i], χ = f[j] (rows of (k, 4) arrays: no array views
    in the inner loop). Chiral representation (:mod:`darkscan.generate.helas_kernels`): each
    component pairs the upper half of one spinor with the lower half of the other, eight
    products in all."""
    a0, a1, a2, a3 = fb[i, 0], fb[i, 1], fb[i, 2], fb[i, 3]
    c0, c1, c2, c3 = f[j, 0], f[j, 1], f[j, 2], f[j, 3]
    x03, x12, x21, x30 = a0 * c3, a1 * c2, a2 * c1, a3 * c0
    x02, x13, x20, x31 = a0 * c2, a1 * c3, a2 * c0, a3 * c1
    r0 = x03 + x12 - x21 - x30
    y = x12 - x03 + x21 - x30
    r1 = complex(-y.imag, y.real)  # i·y without the complex product (its 0·y terms)
    r2 = x02 - x13 - x20 + x31
    r3 = x02 + x13 + x20 + x31
    if add:
        out[o, 0] += r0
        out[o, 1] += r1
        out[o, 2] += r2
        out[o, 3] += r3
    else:
        out[o, 0], out[o, 1], out[o, 2], out[o, 3] = r0, r1, r2, r3


@jit_exact
def _scale(x: float, z: complex) -> complex:
    """x·z of a real x: two products (x·z promotes x to a complex number, and IEEE arithmetic
    keeps the four products and the 0·z terms of the complex product)."""
    return complex(x * z.real, x * z.imag)


@jit_exact
def mdot(a: Array, i: int, b: Array, j: int) -> complex:
    """a[i]·b[j] (Minkowski, rows of (k, 4) arrays)."""
    return a[i, 3] * b[j, 3] - a[i, 0] * b[j, 0] - a[i, 1] * b[j, 1] - a[i, 2] * b[j, 2]


@jit_exact
def slashes(v: Array, out: Array, r: int) -> None:
    """out[r] = (v⁰ − iv¹, v⁰ + iv¹, v³ − v², v³ + v²): the entries of v̸ in the chiral
    representation, p̸ = [[0, E − σ·p], [E + σ·p, 0]] (:mod:`darkscan.generate.helas_kernels`),
    computed once per vector for all the spinors it is applied to."""
    out[r, 0], out[r, 1] = v[0] - 1j * v[1], v[0] + 1j * v[1]
    out[r, 2], out[r, 3] = v[3] - v[2], v[3] + v[2]


@jit_exact
def dress_column(es: Array, re: int, f: Array, rf: int, qs: Array, rq: int, m: float, d: float,
                  out: Array, o: int) -> None:
    """out[o] = (q̸ + m) ε̸ f / d for the column spinor f[rf], ε̸ and q̸ from rows ``re`` of
    ``es`` and ``rq`` of ``qs`` (:func:`slashes`); the closed forms of
    :func:`darkscan.generate.helas_kernels.slash_apply`."""
    pm, pp, em, ep = es[re, 0], es[re, 1], es[re, 2], es[re, 3]
    a0, a1, a2, a3 = f[rf, 0], f[rf, 1], f[rf, 2], f[rf, 3]
    b0 = em * a2 - pm * a3
    b1 = -pp * a2 + ep * a3
    b2 = ep * a0 + pm * a1
    b3 = pp * a0 + em * a1
    qm, qp, qe, qf = qs[rq, 0], qs[rq, 1], qs[rq, 2].real, qs[rq, 3].real
    out[o, 0] = _scale(d, _scale(qe, b2) - qm * b3 + _scale(m, b0))
    out[o, 1] = _scale(d, -qp * b2 + _scale(qf, b3) + _scale(m, b1))
    out[o, 2] = _scale(d, _scale(qf, b0) + qm * b1 + _scale(m, b2))
    out[o, 3] = _scale(d, qp * b0 + _scale(qe, b1) + _scale(m, b3))


@jit_exact
def row_slash(pm: complex, pp: complex, em: complex, ep: complex, a0: complex, a1: complex,
              a2: complex, a3: complex) -> tuple[complex, complex, complex, complex]:
    """The row spinor (a0, a1, a2, a3) ε̸, ε̸ from its entries (:func:`slashes`)."""
    return (a2 * ep + a3 * pp, a2 * pm + a3 * em, a0 * em - a1 * pp, -a0 * pm + a1 * ep)


@jit_exact
def slash_row(e: Array, f: Array) -> tuple[complex, complex, complex, complex]:
    """The row spinor f ε̸ (components)."""
    return row_slash(e[0] - 1j * e[1], e[0] + 1j * e[1], e[3] - e[2], e[3] + e[2], f[0], f[1],
                     f[2], f[3])


@jit_exact
def dress_row(es: Array, re: int, f: Array, rf: int, qs: Array, rq: int, m: float, d: float,
               out: Array, o: int) -> None:
    """out[o] = f[rf] ε̸ (q̸ + m) / d for a row spinor (rows of ``es``, ``qs`` as in
    :func:`dress_column`)."""
    b0, b1, b2, b3 = row_slash(es[re, 0], es[re, 1], es[re, 2], es[re, 3], f[rf, 0], f[rf, 1],
                               f[rf, 2], f[rf, 3])
    qm, qp, qe, qf = qs[rq, 0], qs[rq, 1], qs[rq, 2].real, qs[rq, 3].real
    out[o, 0] = _scale(d, _scale(qf, b2) + b3 * qp + _scale(m, b0))
    out[o, 1] = _scale(d, b2 * qm + _scale(qe, b3) + _scale(m, b1))
    out[o, 2] = _scale(d, _scale(qe, b0) - b1 * qp + _scale(m, b2))
    out[o, 3] = _scale(d, -b0 * qm + _scale(qf, b1) + _scale(m, b3))


@jit_exact
def _work_arrays() -> tuple[Array, ...]:
    """The work rows of :func:`_helicity_sum`: dressed spinors A1…A4 (4 rows each), plain
    currents j12, j34, j31, j24 (4 rows), radiating currents r12, r34, r31, r24 (8 rows)."""
    c = np.complex128
    return (np.empty((4, 4), dtype=c), np.empty((4, 4), dtype=c), np.empty((4, 4), dtype=c),
            np.empty((4, 4), dtype=c), np.empty((4, 4), dtype=c), np.empty((4, 4), dtype=c),
            np.empty((4, 4), dtype=c), np.empty((4, 4), dtype=c), np.empty((8, 4), dtype=c),
            np.empty((8, 4), dtype=c), np.empty((8, 4), dtype=c), np.empty((8, 4), dtype=c))


@jit_exact
def _helicity_sum(wf: Array, es: Array, qs: Array, den: Array, m: float, m_out: float,
                  coef: Array, t_graphs: bool, want_amp: bool, amp: Array, i: int,
                  work: tuple[Array, ...]) -> float:
    """Σ_hel |M|² of one event (without e(0)² and the spin average; the amplitudes into row
    ``i`` of ``amp`` when ``want_amp``) from its wave functions ``wf`` (rows u1 0–1, v̄2 2–3,
    ū3 4–5, v4 6–7, helicity −1 then +1), the slashed polarisations ``es`` and propagator
    momenta ``qs`` (:func:`slashes`), the denominators ``den`` (4,) and couplings ``coef`` (4,)
    (:func:`_radiative_kernel`). Without ``want_amp`` λ1 = −1 alone, doubled (parity)."""
    a1, a2, a3, a4, j12, j34, j31, j24, r12, r34, r31, r24 = work
    n1 = 2 if want_amp else 1  # λ1 = −1 alone for |M|² (parity, :func:`_radiative_kernel`)
    d1, d2, d3, d4 = 1.0 / den[0], 1.0 / den[1], 1.0 / den[2], 1.0 / den[3]
    for a in range(2):
        for lk in range(2):
            if a < n1:
                dress_column(es, lk, wf, a, qs, 0, m, d1, a1, 2 * a + lk)
            dress_row(es, lk, wf, 2 + a, qs, 1, m, d2, a2, 2 * a + lk)
            dress_row(es, lk, wf, 4 + a, qs, 2, m_out, d3, a3, 2 * a + lk)
            dress_column(es, lk, wf, 6 + a, qs, 3, m_out, d4, a4, 2 * a + lk)
    for a in range(2):
        for b in range(2):
            current_row(wf, 4 + a, wf, 6 + b, j34, 2 * a + b, False)
            if t_graphs:
                current_row(wf, 2 + a, wf, 6 + b, j24, 2 * a + b, False)
            for lk in range(2):
                o = 4 * a + 2 * b + lk
                current_row(a3, 2 * a + lk, wf, 6 + b, r34, o, False)
                current_row(wf, 4 + a, a4, 2 * b + lk, r34, o, True)
                if t_graphs:
                    current_row(a2, 2 * a + lk, wf, 6 + b, r24, o, False)
                    current_row(wf, 2 + a, a4, 2 * b + lk, r24, o, True)
    for a in range(n1):  # the lines through u1: λ1 = a
        for b in range(2):
            current_row(wf, 2 + b, wf, a, j12, 2 * a + b, False)
            if t_graphs:
                current_row(wf, 4 + b, wf, a, j31, 2 * a + b, False)
            for lk in range(2):
                o = 4 * a + 2 * b + lk
                current_row(wf, 2 + b, a1, 2 * a + lk, r12, o, False)
                current_row(a2, 2 * b + lk, wf, a, r12, o, True)
                if t_graphs:
                    current_row(wf, 4 + b, a1, 2 * a + lk, r31, o, False)
                    current_row(a3, 2 * b + lk, wf, a, r31, o, True)
    c_isr, c_fsr, c_e, c_p = coef[0], coef[1], coef[2], coef[3]
    total = 0.0
    idx = 0
    for l1 in range(n1):
        for l2 in range(2):
            for l3 in range(2):
                for l4 in range(2):
                    for lk in range(2):
                        z = (_scale(c_isr, mdot(r12, 4 * l1 + 2 * l2 + lk, j34, 2 * l3 + l4))
                             + _scale(c_fsr, mdot(j12, 2 * l1 + l2, r34,
                                                  4 * l3 + 2 * l4 + lk)))
                        if t_graphs:
                            z -= (_scale(c_e, mdot(r31, 4 * l1 + 2 * l3 + lk, j24,
                                                   2 * l2 + l4))
                                  + _scale(c_p, mdot(j31, 2 * l1 + l3, r24,
                                                     4 * l2 + 2 * l4 + lk)))
                        total += z.real * z.real + z.imag * z.imag
                        if want_amp:
                            amp[i, idx] = z
                        idx += 1
    return total if want_amp else 2.0 * total


@jit_exact
def _radiative_kernel(u1: Array, vb2: Array, ub3: Array, v4: Array, eps: Array, q1: Array,
                      q2: Array, q3: Array, q4: Array, m: float, m_out: float, den: Array,
                      coef: Array, t_graphs: bool, want_amp: bool, amp: Array, me2: Array
                      ) -> None:
    """Per event: Σ_hel |M|² (without e(0)² and the spin average) into ``me2`` and, when
    ``want_amp``, the 32 amplitudes into ``amp`` (index ((((λ1·2 + λ2)·2 + λ3)·2 + λ4)·2 + λk),
    0 = helicity −1). ``u1``, ``vb2``, ``ub3``, ``v4``, ``eps``: (n, 2, 4) wave functions of
    both helicities; q1…q4 the propagator momenta p1−k, k−p2, p3+k, −p4−k (beam legs of mass
    ``m``, final legs of mass ``m_out``); ``den`` (n, 4) their denominators q² − m² (−2p1·k,
    −2p2·k, 2p3·k, 2p4·k); ``coef`` (n, 4) the exchanged photons e²/q² of the ISR, FSR,
    e⁻-line and e⁺-line graphs (s₃₄, s, t₂₄, t₁₃). ``t_graphs`` False: the s-channel graphs
    only (e⁺e⁻ → μ⁺μ⁻γ), the t-channel currents are not computed. Without ``want_amp`` only
    the 16 amplitudes with λ1 = −1 are computed and their sum doubled: flipping every helicity
    leaves |M| unchanged (parity of QED with the physical polarisations ε*(k, −λ) =
    −ε*(k, λ)*; tested to rounding), which skips the e⁻ spinor's λ1 = +1 dressings, currents
    and products (≈40% of the work).

    Work arrays are rows of (k, 4) arrays addressed by index: dressed spinors A1 = S(p1−k)ε̸u1,
    A2 = v̄2ε̸S(k−p2), A3 = ū3ε̸S(p3+k), A4 = S(−p4−k)ε̸v4 (row 2λ + λk), the plain currents of
    the four lepton pairs (row 2λ + λ′) and the radiating ones (row 4λ + 2λ′ + λk)."""
    wf = np.empty((8, 4), dtype=np.complex128)  # u1 (rows 0, 1), v̄2 (2, 3), ū3 (4, 5), v4 (6, 7)
    es = np.empty((2, 4), dtype=np.complex128)  # ε̸ entries (:func:`slashes`) [λk]
    qs = np.empty((4, 4), dtype=np.complex128)  # q̸1 … q̸4
    work = _work_arrays()
    for i in range(u1.shape[0]):
        for a in range(2):
            for c in range(4):
                wf[a, c] = u1[i, a, c]
                wf[2 + a, c] = vb2[i, a, c]
                wf[4 + a, c] = ub3[i, a, c]
                wf[6 + a, c] = v4[i, a, c]
        slashes(eps[i, 0], es, 0)
        slashes(eps[i, 1], es, 1)
        slashes(q1[i], qs, 0)
        slashes(q2[i], qs, 1)
        slashes(q3[i], qs, 2)
        slashes(q4[i], qs, 3)
        me2[i] = _helicity_sum(wf, es, qs, den[i], m, m_out, coef[i], t_graphs, want_amp, amp, i,
                               work)


def _wave_functions(p1: Array, p2: Array, p3: Array, p4: Array, m: float, m_out: float
                    ) -> tuple[Array, Array, Array, Array]:
    """u(p1), v̄(p2) of mass ``m``, ū(p3), v(p4) of mass ``m_out``, each (n, 2, 4) with helicity
    −1, +1."""
    out = []
    for kind, p, mass in (("u", p1, m), ("vbar", p2, m), ("ubar", p3, m_out), ("v", p4, m_out)):
        s = h.spinors(kind, p, mass)
        out.append(np.ascontiguousarray(np.stack([s[-1], s[1]], axis=1)))
    return out[0], out[1], out[2], out[3]


@jit_exact
def _photon_eps(k: Array, out: Array) -> None:
    """out[0], out[1] = ε*(k, λ) of an outgoing photon for λ = −1, +1:
    (∓ε₁ + iε₂)/√2 with ε₁ = (cosθ cosφ, cosθ sinφ, −sinθ, 0), ε₂ = (−sinφ, cosφ, 0, 0), φ = 0
    on the z axis (the conjugate of :func:`darkscan.generate.helas.polarisation`, tested)."""
    pt = math.hypot(k[0], k[1])
    kmag = math.hypot(pt, k[2])
    ct = k[2] / kmag if kmag > 0.0 else 1.0
    st = pt / kmag if kmag > 0.0 else pt
    cp = k[0] / pt if pt > 0.0 else 1.0
    sp = k[1] / pt if pt > 0.0 else k[1]
    b = -1.0 / math.sqrt(2.0)
    for r in range(2):
        a = (1.0 if r == 0 else -1.0) / math.sqrt(2.0)  # −λ/√2
        out[r, 0] = complex(a * ct * cp, b * sp)
        out[r, 1] = complex(a * ct * sp, -b * cp)
        out[r, 2] = complex(-a * st, -0.0)
        out[r, 3] = complex(0.0, -0.0)


@jit_exact
def _polarisations_kernel(k: Array, out: Array) -> None:
    for i in range(k.shape[0]):
        _photon_eps(k[i], out[i])


def photon_polarisations(k: Array) -> Array:
    """ε*(k, λ) of the outgoing photon, (n, 2, 4) for λ = −1, +1 (:func:`_photon_eps`)."""
    out = np.empty((len(k), 2, 4), dtype=complex)
    _polarisations_kernel(np.ascontiguousarray(k, dtype=float), out)
    return out


@jit_exact
def _me2_kernel(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, wfs: Array, inv: Array,
                coef: Array, m: float, m_out: float, t_graphs: bool, me2: Array) -> None:
    """Σ_hel |M|² per event (:func:`_helicity_sum`, λ1 = −1 doubled) with the photon
    polarisations, the propagator momenta p1−k, k−p2, p3+k, −p4−k and their denominators
    −2p1·k, −2p2·k, 2p3·k, 2p4·k (from the :func:`invariants` ``inv``) made per event: no
    batch-sized temporaries. ``wfs`` (4, 2, n, 4): u1, v̄2, ū3, v4 of both helicities
    (:func:`darkscan.generate.helas_kernels.spinor_pair`)."""
    wf = np.empty((8, 4), dtype=np.complex128)
    es = np.empty((2, 4), dtype=np.complex128)
    qs = np.empty((4, 4), dtype=np.complex128)
    ev = np.empty((2, 4), dtype=np.complex128)
    qv = np.empty((4, 4))
    den = np.empty(4)
    work = _work_arrays()
    amp = np.empty((1, 32), dtype=np.complex128)
    for i in range(k.shape[0]):
        for a in range(2):
            for c in range(4):
                wf[a, c] = wfs[0, a, i, c]
                wf[2 + a, c] = wfs[1, a, i, c]
                wf[4 + a, c] = wfs[2, a, i, c]
                wf[6 + a, c] = wfs[3, a, i, c]
        _photon_eps(k[i], ev)
        slashes(ev[0], es, 0)
        slashes(ev[1], es, 1)
        for c in range(4):
            qv[0, c] = p1[i, c] - k[i, c]
            qv[1, c] = k[i, c] - p2[i, c]
            qv[2, c] = p3[i, c] + k[i, c]
            qv[3, c] = -p4[i, c] - k[i, c]
        for j in range(4):
            slashes(qv[j], qs, j)
        den[0], den[1], den[2], den[3] = -inv[i, 0], -inv[i, 1], inv[i, 2], inv[i, 3]
        me2[i] = _helicity_sum(wf, es, qs, den, m, m_out, coef[i], t_graphs, False, amp, 0, work)


def _coupling(q2: Array, rc: bool) -> Array:
    """e²(q²) of an exchanged photon: 4πα(q²) when ``rc``
    (:func:`darkscan.generate.isr.alpha_running`, valid down to q² → 0), 4πα(0) otherwise."""
    return 4.0 * np.pi * alpha_running(q2) if rc else np.full(np.shape(q2), E2)


def _couplings(p1: Array, p2: Array, inv: Array, t_graphs: bool, rc: bool) -> Array:
    """(n, 4) e²/q² of the exchanged photons of the ISR, FSR, e⁻-line and e⁺-line graphs
    (s₃₄, s, t₂₄, t₁₃; the t-channel ones 0 without ``t_graphs``)."""
    s = h.dot(p1 + p2, p1 + p2)
    s34, t13, t24 = inv[:, 6], inv[:, 4], inv[:, 5]
    zero = np.zeros(len(inv))
    q2 = np.stack([s34, s, t24, t13] if t_graphs else [s34, s])
    e2 = _coupling(q2, rc)  # one call for all exchanged photons
    return np.ascontiguousarray(np.stack(
        [e2[0] / s34, e2[1] / s, e2[2] / t24 if t_graphs else zero,
         e2[3] / t13 if t_graphs else zero], axis=1))


def _kernel_inputs(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, m: float,
                   m_out: float, t_graphs: bool, rc: bool, inv: Array | None
                   ) -> tuple[Array, ...]:
    """Wave functions, propagator momenta, denominators and couplings of
    :func:`_radiative_kernel` (the t-channel couplings 0 without ``t_graphs``)."""
    inv = invariants(p1, p2, p3, p4, k, m, m_out) if inv is None else inv
    coef = _couplings(p1, p2, inv, t_graphs, rc)
    den = np.stack([-inv[:, 0], -inv[:, 1], inv[:, 2], inv[:, 3]], axis=1)
    props = [np.ascontiguousarray(q, dtype=float) for q in (p1 - k, k - p2, p3 + k, -p4 - k)]
    return (*_wave_functions(p1, p2, p3, p4, m, m_out), *props, np.ascontiguousarray(den),
            coef)


def amplitudes_llg(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, m: float,
                   m_out: float, t_graphs: bool, rc: bool = False, eps: Array | None = None
                   ) -> Array:
    """The 32 helicity amplitudes M/e(0) of e⁻(p1)e⁺(p2) → ℓ⁻(p3)ℓ⁺(p4)γ(k), shape
    (2, 2, 2, 2, 2, n) over (λ1, λ2, λ3, λ4, λ_γ), index 0 = helicity −1: beams of mass ``m``,
    final leptons of mass ``m_out``, the t-channel graphs with ``t_graphs`` (Bhabha, ℓ = e).
    ``eps`` (n, 2, 4) replaces the photon polarisations (the tests put k there: Ward
    identity)."""
    u1, vb2, ub3, v4, q1, q2, q3, q4, den, coef = _kernel_inputs(p1, p2, p3, p4, k, m, m_out,
                                                                 t_graphs, rc, None)
    eps = photon_polarisations(k) if eps is None else np.ascontiguousarray(eps, dtype=complex)
    n = len(k)
    amp = np.empty((n, 32), dtype=complex)
    _radiative_kernel(u1, vb2, ub3, v4, eps, q1, q2, q3, q4, float(m), float(m_out), den, coef,
                      t_graphs, True, amp, np.empty(n))
    return amp.T.reshape(2, 2, 2, 2, 2, n)


def me2_llg(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, m: float, m_out: float,
            t_graphs: bool, rc: bool = False, inv: Array | None = None) -> Array:
    """Spin-averaged |M|² of e⁺e⁻ → ℓ⁺ℓ⁻γ summed over the final helicities (exact tree level;
    masses and graphs as in :func:`amplitudes_llg`); ``inv``: the :func:`invariants` if already
    computed. One compiled pass (:func:`_me2_kernel`) after the spinors and couplings."""
    rows = [np.ascontiguousarray(p, dtype=float) for p in (p1, p2, p3, p4, k)]
    inv = invariants(*rows, m, m_out) if inv is None else np.ascontiguousarray(inv)
    n = len(k)
    wfs = np.empty((4, 2, n, 4), dtype=complex)
    # (is_v, barred): u(p1), v̄(p2), ū(p3), v(p4) (:func:`darkscan.generate.helas.spinors`)
    kinds = ((m, False, False), (m, True, True), (m_out, False, True), (m_out, True, False))
    for j, (mass, is_v, barred) in enumerate(kinds):
        spinor_pair(rows[j], float(mass), is_v, barred, wfs[j])
    out = np.empty(n)
    _me2_kernel(*rows, wfs, inv, _couplings(p1, p2, inv, t_graphs, rc), float(m), float(m_out),
                t_graphs, out)
    return 0.25 * E2 * out


def amplitudes_eeg(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, m: float = M_E,
                   rc: bool = False, eps: Array | None = None) -> Array:
    """The 32 helicity amplitudes of e⁻(p1)e⁺(p2) → e⁻(p3)e⁺(p4)γ(k), all eight graphs
    (:func:`amplitudes_llg` with lepton mass ``m`` everywhere)."""
    return amplitudes_llg(p1, p2, p3, p4, k, m, m, True, rc, eps)


def me2_eeg(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, m: float = M_E,
            rc: bool = False, inv: Array | None = None) -> Array:
    """Spin-averaged |M|² of e⁺e⁻ → e⁺e⁻γ (exact tree level, eight graphs, lepton mass ``m``;
    :func:`me2_llg`)."""
    return me2_llg(p1, p2, p3, p4, k, m, m, True, rc, inv)


def massless_invariants(p1: Array, p2: Array, p3: Array, p4: Array, k: Array
                        ) -> tuple[Array, ...]:
    """s, s′, t, t′, u, u′ of e⁻(p1)e⁺(p2) → ℓ⁻(p3)ℓ⁺(p4)γ(k) (module conventions) and the
    four-leg eikonal factor W = s/(p1k·p2k) + s′/(p3k·p4k) − t/(p1k·p3k) − t′/(p2k·p4k) +
    u/(p1k·p4k) + u′/(p2k·p3k) of the massless closed forms."""
    d = {(a, b): h.dot(x, y) for (a, x), (b, y) in
         [((i, pi), (j, pj)) for i, pi in enumerate((p1, p2, p3, p4, k), 1)
          for j, pj in enumerate((p1, p2, p3, p4, k), 1) if i < j]}
    s, sp = 2 * d[1, 2], 2 * d[3, 4]
    t, tp = -2 * d[1, 3], -2 * d[2, 4]
    u, up = -2 * d[1, 4], -2 * d[2, 3]
    k1, k2, k3, k4 = d[1, 5], d[2, 5], d[3, 5], d[4, 5]
    w = (s / (k1 * k2) + sp / (k3 * k4) - t / (k1 * k3) - tp / (k2 * k4) + u / (k1 * k4)
         + up / (k2 * k3))
    return s, sp, t, tp, u, up, w


def me2_eeg_massless_closed_form(p1: Array, p2: Array, p3: Array, p4: Array, k: Array
                                 ) -> Array:
    """The closed massless form of Σ|M|²/4 (the CALKUL result, F. A. Berends, P. De Causmaecker,
    R. Gastmans, R. Kleiss, W. Troost, T. T. Wu, Nucl. Phys. B206 (1982) 61, α(0) everywhere):

        e⁶ [ss′(s² + s′²) + tt′(t² + t′²) + uu′(u² + u′²)] / (s s′ t t′) · W,
        W = s/(p1k·p2k) + s′/(p3k·p4k) − t/(p1k·p3k) − t′/(p2k·p4k) + u/(p1k·p4k) + u′/(p2k·p3k),

    s = (p1+p2)², s′ = (p3+p4)², t = (p1−p3)², t′ = (p2−p4)², u = (p1−p4)², u′ = (p2−p3)². W is
    the soft-photon factor −J² of the four legs, and the bracket → 2(s⁴ + t⁴ + u⁴)/(s²t²), the
    massless Bhabha |M|²/e⁴, as k → 0: the normalisation is fixed by the soft limit. An
    independent check of the helicity amplitudes at m = 0 (tests)."""
    s, sp, t, tp, u, up, w = massless_invariants(p1, p2, p3, p4, k)
    num = s * sp * (s * s + sp * sp) + t * tp * (t * t + tp * tp) + u * up * (u * u + up * up)
    return E2**3 * num / (s * sp * t * tp) * w


def eikonal_factor(p1: Array, p2: Array, p3: Array, p4: Array, k: Array, e2: float = E2
                   ) -> Array:
    """Soft-photon factor Σ_pol |e ε*·J|² = −e² J², J = p1/(p1·k) − p2/(p2·k) − p3/(p3·k) +
    p4/(p4·k) (charge × (+1 outgoing, −1 incoming)), massive legs (the diagonal terms
    −m²/(p·k)² included)."""
    legs = ((p1, 1.0), (p2, -1.0), (p3, -1.0), (p4, 1.0))
    total = np.zeros(len(k))
    for pa, ca in legs:
        for pb, cb in legs:
            total -= ca * cb * h.dot(pa, pb) / (h.dot(pa, k) * h.dot(pb, k))
    return e2 * total


# ---------------------------------------------------------------------------------------------
# phase space
# ---------------------------------------------------------------------------------------------
def beams(n: int, sqrt_s: Array, m: float = M_E) -> tuple[Array, Array]:
    """e⁻ along +z and e⁺ along −z with mass ``m`` in the hard rest frame."""
    e = np.broadcast_to(np.asarray(sqrt_s, float) / 2.0, (n,))
    pz = np.sqrt((e - m) * (e + m))
    z = np.zeros(n)
    return np.stack([z, z, pz, e], axis=-1), np.stack([z, z, -pz, e], axis=-1)


# compiled pieces of the phase space: one point at a time, called by the batch kernels below
# (the channels' ``generate`` and ``jacobian``, :func:`channel_densities`, the process's
# multichannel :meth:`RadiativePair.hard`), so that every formula exists once
@jit_exact
def _map_pole_one(u: float, lo: float, hi: float, pole: float) -> tuple[float, float]:
    """x ∝ 1/(x − pole) on [lo, hi] and dx/du (the compiled
    :func:`darkscan.generate.phase_space.map_pole`)."""
    a, b = lo - pole, hi - pole
    r = math.log(b / a)
    y = a * math.exp(u * r)
    return pole + y, y * r


@jit_exact
def _two_body_momentum_one(mm: float, m1: float, m2: float) -> float:
    lam = (mm * mm - (m1 + m2) ** 2) * (mm * mm - (m1 - m2) ** 2)
    return math.sqrt(max(lam, 0.0)) / (2.0 * mm)


@jit_exact
def _two_body_along_one(parent: Array, m1: float, m2: float, cos_t: float, phi: float,
                        out: Array, r1: int, r2: int, rot: Array, rest: Array,
                        along: bool = True) -> float:
    """One event of :func:`two_body_along`: daughters into rows r1, r2 of ``out``; returns
    q/(16π²M). ``along`` False: (θ, φ) about the z axis of the rest frame reached by the pure
    boost instead of the flight direction. ``rot`` (3, 3), ``rest`` (4,): work arrays."""
    m2p = parent[3] * parent[3] - parent[0] * parent[0] - parent[1] * parent[1] \
        - parent[2] * parent[2]
    mm = math.sqrt(max(m2p, 0.0))
    q = _two_body_momentum_one(mm, m1, m2) if mm > 0.0 else 0.0
    st = math.sqrt(max(1.0 - cos_t * cos_t, 0.0))
    x, y, z = q * st * math.cos(phi), q * st * math.sin(phi), q * cos_t
    dx, dy, dz = parent[0], parent[1], parent[2]
    if not along or dx * dx + dy * dy + dz * dz == 0.0:
        dx, dy, dz = 0.0, 0.0, 1.0
    lorentz.rotation_one(dx, dy, dz, rot)
    bx, by, bz = parent[0] / parent[3], parent[1] / parent[3], parent[2] / parent[3]
    for sign, row, mass in ((1.0, r1, m1), (-1.0, r2, m2)):
        rest[0] = sign * (rot[0, 0] * x + rot[0, 1] * y + rot[0, 2] * z)
        rest[1] = sign * (rot[1, 0] * x + rot[1, 1] * y + rot[1, 2] * z)
        rest[2] = sign * (rot[2, 0] * x + rot[2, 1] * y + rot[2, 2] * z)
        rest[3] = math.sqrt(q * q + mass * mass)
        lorentz.boost_one(rest, bx, by, bz, out[row])
    return q / (16.0 * math.pi**2 * mm) if mm > 0.0 else 0.0


@jit_exact
def _two_body_along_kernel(parent: Array, m1: float, m2: float, cos_t: Array, phi: Array,
                           out: Array, jac: Array) -> None:
    rot = np.empty((3, 3))
    rest = np.empty(4)
    for i in range(parent.shape[0]):
        jac[i] = _two_body_along_one(parent[i], m1, m2, cos_t[i], phi[i], out[i], 0, 1, rot,
                                     rest)


def two_body_along(parent: Array, m1: float, m2: float, cos_t: Array, phi: Array
                   ) -> tuple[Array, Array, Array]:
    """Split ``parent`` (n, 4) into masses m1, m2 with daughter 1 at (θ, φ) about the parent's
    flight direction in its rest frame (so that VEGAS sees the energy sharing in cosθ). Returns
    (p1, p2, dΦ₂/dcosθ dφ = q/(16π²M))."""
    n = len(parent)
    out, jac = np.empty((n, 2, 4)), np.empty(n)
    _two_body_along_kernel(np.ascontiguousarray(parent, dtype=float), float(m1), float(m2),
                           np.ascontiguousarray(np.broadcast_to(cos_t, (n,)), dtype=float),
                           np.ascontiguousarray(np.broadcast_to(phi, (n,)), dtype=float),
                           out, jac)
    return out[:, 0], out[:, 1], jac


@jit_exact
def _photon_cos_one(u: float, slope: float, t0: float, t1: float, rap: float) -> float:
    """:meth:`PhotonWindow.photon_cos` of one point (η* ∈ [t0, t1] ∝ e^{slope·η*})."""
    if slope == 0.0:
        eta = t0 + (t1 - t0) * u
    else:
        e0, e1 = math.exp(slope * t0), math.exp(slope * t1)
        eta = math.log(e0 + u * (e1 - e0)) / slope
    return math.tanh(eta - rap)


@jit_exact
def _photon_cos_jacobian_one(c: float, slope: float, t0: float, t1: float, rap: float
                             ) -> float:
    """:meth:`PhotonWindow.photon_cos_jacobian` of one point."""
    if slope == 0.0:
        return (t1 - t0) * (1.0 - c * c)
    eta = math.atanh(c) + rap
    e0, e1 = math.exp(slope * t0), math.exp(slope * t1)
    return (e1 - e0) / (slope * math.exp(slope * eta)) * (1.0 - c * c)


@jit_exact
def _photon_cos_rows(u: Array, rap: Array, slope: float, t0: float, t1: float, jacobian: bool,
                     out: Array) -> None:
    for i in range(u.shape[0]):
        out[i] = (_photon_cos_jacobian_one(u[i], slope, t0, t1, rap[i]) if jacobian
                  else _photon_cos_one(u[i], slope, t0, t1, rap[i]))


@jit_exact
def _eta_window(t0: float, t1: float, e_min: float, m: float, rs: float, rap: float
                ) -> tuple[float, float]:
    """The part of the photon's CMS rapidity range [t0, t1] where its hard-frame energy range
    [E_min/D, (s′ − 4m²)/(2√s′)] is not empty (empty: t1 ≤ t0): D = cosh η*/cosh(η* − Δ) runs
    monotonically from e^{−Δ} to e^{Δ}, and D > D_min = 2√s′E_min/(s′ − 4m²) is η* beyond
    η_b = ½ ln((D_min e^Δ − 1)/(1 − D_min e^{−Δ})) on the side of the boost. After hard ISR
    (small s′, large |Δ|) only photons along the boost can pass the CMS energy cut: every channel
    samples this range, none wastes points where no channel has any."""
    if rs * rs <= 4.0 * m * m:
        return t0, t0
    d = 2.0 * rs * e_min / (rs * rs - 4.0 * m * m)
    ep, em = math.exp(rap), math.exp(-rap)
    if d <= min(ep, em):
        return t0, t1
    if d >= max(ep, em):
        return t0, t0
    eta_b = 0.5 * math.log((d * ep - 1.0) / (1.0 - d * em))
    return (max(t0, eta_b), t1) if rap > 0.0 else (t0, min(t1, eta_b))


@jit_exact
def _energy_lo_one(e_min: float, rap: float, c: float) -> float:
    """E_min/D, D = cosh Δ + sinh Δ cosθ̂ (:meth:`PhotonWindow.energy_range`)."""
    return e_min / (math.cosh(rap) + math.sinh(rap) * c)


@dataclass(frozen=True)
class PhotonWindow:
    """What every channel needs of the cuts and the frame: the photon's CMS cosθ* range, its
    CMS energy threshold, the lepton mass, √s′ and the rapidity Δ of the hard frame in the CMS
    (collinear ISR; 0 without ISR), per event; ``veto``: the CMS rapidity window (η_lo, η_hi)
    no lepton may be in (``ee_eeg``'s lepton veto; empty by default), which the spectator
    channels leave out of their lepton's directions."""

    c_range: tuple[float, float]
    e_min: float
    m: float
    sqrt_s: Array
    rapidity: Array
    veto: tuple[float, float] = (0.0, 0.0)

    def subset(self, sel: Array) -> PhotonWindow:
        return PhotonWindow(self.c_range, self.e_min, self.m, self.sqrt_s[sel], self.rapidity[sel],
                            self.veto)

    @cached_property
    def _cosh_sinh(self) -> tuple[Array, Array]:
        """cosh Δ, sinh Δ (every channel's energy range and density asks for them)."""
        return np.cosh(self.rapidity), np.sinh(self.rapidity)

    def _eta_range(self) -> tuple[float, float]:
        return math.atanh(self.c_range[0]), math.atanh(self.c_range[1])

    def _rows(self, x: Array, slope: float, jacobian: bool) -> Array:
        x, rap = np.broadcast_arrays(np.asarray(x, float), np.asarray(self.rapidity, float))
        out = np.empty(x.shape)
        t0, t1 = self._eta_range()
        _photon_cos_rows(np.ascontiguousarray(x).ravel(), np.ascontiguousarray(rap).ravel(),
                         float(slope), t0, t1, jacobian, out.reshape(-1))
        return out

    def photon_cos(self, u: Array, slope: float = 0.0) -> Array:
        """The photon's hard-frame cosθ̂ with its CMS rapidity η* in the cut range with density
        ∝ e^{slope·η*} (flat for 0); then η̂ = η* − Δ (a longitudinal boost shifts a massless
        particle's rapidity), so that exactly the CMS range is generated."""
        return self._rows(u, slope, False)

    def photon_cos_jacobian(self, c: Array, slope: float = 0.0) -> Array:
        """dcosθ̂/du of :meth:`photon_cos` at the hard-frame cosθ̂: (1 − cos²θ̂)/g(η*), g the
        density of η*."""
        return self._rows(c, slope, True)

    def energy_range(self, c: Array, m_pair: float) -> tuple[Array, Array]:
        """Hard-frame photon energies [E_min/D, (s − 4m_pair²)/(2√s)] at the hard-frame cosθ̂:
        D = cosh Δ + sinh Δ cosθ̂ = E*/Ê (the Doppler factor), so that E* > E_min exactly."""
        rs = self.sqrt_s
        ch, sh = self._cosh_sinh
        e_lo = self.e_min / (ch + sh * c)
        return e_lo, (rs * rs - 4.0 * m_pair**2) / (2.0 * rs)

    def frame(self) -> tuple[Array, Array]:
        """√s′ and Δ as contiguous float arrays (the compiled kernels' inputs)."""
        return (np.ascontiguousarray(self.sqrt_s, dtype=float),
                np.ascontiguousarray(self.rapidity, dtype=float))


#: channel kinds of the compiled kernels (:meth:`PhotonLeptonChannel.spec`,
#: :meth:`PairChannel.spec`): a lepton about its beam or the photon, a pair decaying about its
#: flight direction (flat) or about the beam axis (∝ 1 + cos²θ′)
_BEAM_AXIS, _PHOTON_AXIS, _PAIR, _PAIR_BEAM = 0, 1, 2, 3


@jit_exact
def _cos_one_plus_cos2(u: float) -> float:
    """cosθ with density (3/8)(1 + cos²θ) on [−1, 1]: the root of c³ + 3c + 4 − 8u = 0,
    c = A − 1/A with A = ∛(d + √(d² + 1)), d = 4u − 2 (Cardano; d + √(d² + 1) ≥ √5 − 2)."""
    d = 4.0 * u - 2.0
    a = (d + math.sqrt(d * d + 1.0)) ** (1.0 / 3.0)
    return a - 1.0 / a


@jit_exact
def _y0_one(kind: int, beam: float, w: float, c: float, rs: float, m: float) -> float:
    """y₀ of the lepton's 1/(y + y₀) about its axis (:class:`PhotonLeptonChannel`)."""
    eb = 0.5 * rs
    if kind == _BEAM_AXIS:
        cb = beam * c
        x = min(max(w * (1.0 + cb) / (rs - w * (1.0 - cb)), 1e-12), 1.0 - 1e-9)
        return max(m * m * x * x / (2.0 * eb * eb * (1.0 - x) ** 2), 1e-30)
    e_lep = max(eb - w, 10.0 * m)
    return m * m / (2.0 * e_lep * e_lep)


@jit_exact
def _lepton_jacobian(w: float, e_lo: float, e_hi: float, jc: float, p: float, y: float,
                     y0: float, log_mass: float, root: float) -> float:
    """dΦ₃/du⁵ of :class:`PhotonLeptonChannel`: ω (dω/du) (dΩ_γ/du²) p² (dΩ_ℓ/du²) /
    (8(2π)⁵√D); dy/du = (y + y₀)·``log_mass`` (:func:`_lepton_y`)."""
    jw = w * math.log(e_hi / e_lo)
    jy = (y + y0) * log_mass
    return (w * jw * jc * 2.0 * math.pi * p * p * jy * 2.0 * math.pi
            / (8.0 * (2.0 * math.pi) ** 5 * (root if root > 0.0 else math.inf)))


@jit_exact
def _veto_hole(beam: float, v0: float, v1: float, rap: float) -> tuple[float, float]:
    """(y_a, y_b): y = 1 − cos α about the beam ``beam`` (±z) of the hard-frame directions whose
    massless image lies inside the CMS rapidity window (v0, v1) of the lepton veto (the
    hard-frame rapidity is the CMS one − Δ); y_a ≥ y_b: no veto (v0 ≥ v1)."""
    if v0 >= v1:
        return 2.0, 0.0
    e0, e1 = 1.0 - beam * math.tanh(v0 - rap), 1.0 - beam * math.tanh(v1 - rap)
    return min(e0, e1), max(e0, e1)


@jit_exact
def _lepton_y(u: float, y0: float, ya: float, yb: float) -> tuple[float, float]:
    """y ∝ 1/(y + y₀) on [0, 2] without the hole (y_a, y_b) (none if y_a ≥ y_b), and the log
    of its normalisation (dy/du = (y + y₀)·that)."""
    if ya >= yb:
        y, _ = _map_pole_one(u, 0.0, 2.0, -y0)
        return min(y, 2.0), math.log((2.0 + y0) / y0)  # min: rounding at the end point
    lo = math.log((ya + y0) / y0)
    total = lo + math.log((2.0 + y0) / (yb + y0))
    t = u * total
    if t < lo:
        return y0 * math.exp(t) - y0, total
    return min((yb + y0) * math.exp(t - lo) - y0, 2.0), total


@jit_exact
def _lepton_log_mass(y: float, y0: float, ya: float, yb: float) -> float:
    """The normalisation log of :func:`_lepton_y` at y; 0 inside the hole (no points)."""
    if ya >= yb:
        return math.log((2.0 + y0) / y0)
    if ya < y < yb:
        return 0.0
    return math.log((ya + y0) / y0) + math.log((2.0 + y0) / (yb + y0))


@jit_exact
def _mass_shell_root(w: float, kx: float, ky: float, kz: float, lx: float, ly: float,
                     lz: float, rs: float, m: float) -> tuple[float, float, bool]:
    """(p, √D, A ≥ am) of the lepton along n̂_ℓ with the photon ω n̂_k
    (:class:`PhotonLeptonChannel`)."""
    a = rs - w
    big_a = rs * (0.5 * rs - w)
    b = -w * (kx * lx + ky * ly + kz * lz)
    root = math.sqrt(max(big_a * big_a - m * m * (a - b) * (a + b), 0.0))
    return (big_a * b + a * root) / ((a - b) * (a + b)), root, big_a >= a * m


@jit_exact
def _pair_jacobian(w: float, jc: float, jq: float, q2: float, rs: float, m: float,
                   kind: int, cos_decay: float) -> float:
    """dΦ₃/du⁵ of :class:`PairChannel`: dΦ₂(P; k, Q) ds₃₄/2π dΦ₂(Q; f, f̄) × Jacobians; the
    decay's dcosθ′/du is 2 (flat) or 8/(3(1 + cos²θ′)) (``kind`` :data:`_PAIR_BEAM`)."""
    mq = math.sqrt(max(q2, 0.0))
    d2 = _two_body_momentum_one(mq, m, m) / (16.0 * math.pi**2 * mq) if mq > 0.0 else 0.0
    jd = 8.0 / (3.0 * (1.0 + cos_decay * cos_decay)) if kind == _PAIR_BEAM else 2.0
    return (w / (16.0 * math.pi**2 * rs) * jc * 2.0 * math.pi * jq / (2.0 * math.pi)
            * d2 * jd * 2.0 * math.pi)


@jit_exact
def _generate_one(kind: int, lepton: int, slope: float, pole: bool, u: Array, o: int,
                  rs: float, rap: float, t0: float, t1: float, e_min: float, m: float,
                  v0: float, v1: float, out: Array, rot: Array, rest: Array) -> float:
    """One point of a channel from u[o:o + 5] into ``out`` (3, 4) = (ℓ⁻, ℓ⁺, γ); returns
    dΦ₃ × Jacobian (0 outside; the momenta are then not used); (v0, v1): the CMS rapidity
    window of the lepton veto (:class:`PhotonWindow`). ``rot`` (3, 3), ``rest`` (2, 4): work
    arrays."""
    t0, t1 = _eta_window(t0, t1, e_min, m, rs, rap)
    if t1 <= t0:
        return 0.0
    c = _photon_cos_one(u[o + 1], 0.0 if kind >= _PAIR else slope, t0, t1, rap)
    st = math.sqrt(max(1.0 - c * c, 0.0))
    phi = 2.0 * math.pi * u[o + 2]
    kx, ky, kz = st * math.cos(phi), st * math.sin(phi), c
    jc = _photon_cos_jacobian_one(c, 0.0 if kind >= _PAIR else slope, t0, t1, rap)
    e_lo = _energy_lo_one(e_min, rap, c)
    s = rs * rs
    if kind >= _PAIR:
        s_lo, s_hi = 4.0 * m * m, s - 2.0 * rs * e_lo
        ok = s_hi > s_lo
        if pole:
            q2, jq = _map_pole_one(u[o], s_lo, s_hi if ok else 2.0 * s_lo + 1.0, 0.0)
            w = (s - q2) / (2.0 * rs)
        else:
            w, jw = _map_pole_one(u[o], e_lo, (s - s_lo) / (2.0 * rs) if ok else 2.0 * e_lo,
                                  0.0)
            q2, jq = s - 2.0 * rs * w, 2.0 * rs * jw
        out[2, 0], out[2, 1], out[2, 2], out[2, 3] = kx * w, ky * w, kz * w, w
        par = rest[0]
        par[0], par[1], par[2], par[3] = -kx * w, -ky * w, -kz * w, rs - w
        cd = _cos_one_plus_cos2(u[o + 3]) if kind == _PAIR_BEAM else 2.0 * u[o + 3] - 1.0
        _two_body_along_one(par, m, m, cd, 2.0 * math.pi * u[o + 4], out, 0, 1, rot, rest[1],
                            kind == _PAIR)
        jac = _pair_jacobian(w, jc, jq, q2, rs, m, kind, cd)
        return jac if ok and q2 > s_lo else 0.0
    e_hi = (s - 4.0 * m * m) / (2.0 * rs)
    ok = e_hi > e_lo
    w, _ = _map_pole_one(u[o], e_lo, e_hi if ok else 2.0 * e_lo, 0.0)
    beam = 1.0 if lepton == 0 else -1.0
    y0 = _y0_one(kind, beam, w, c, rs, m)
    ya, yb = _veto_hole(beam, v0, v1, rap) if kind == _BEAM_AXIS else (2.0, 0.0)
    y, log_mass = _lepton_y(u[o + 3], y0, ya, yb)
    sl = math.sqrt(y * (2.0 - y))
    phl = 2.0 * math.pi * u[o + 4]
    x1, x2, x3 = sl * math.cos(phl), sl * math.sin(phl), 1.0 - y
    if kind == _BEAM_AXIS:
        lx, ly, lz = x1, x2, beam * x3
    else:
        lorentz.rotation_one(kx, ky, kz, rot)
        lx = rot[0, 0] * x1 + rot[0, 1] * x2 + rot[0, 2] * x3
        ly = rot[1, 0] * x1 + rot[1, 1] * x2 + rot[1, 2] * x3
        lz = rot[2, 0] * x1 + rot[2, 1] * x2 + rot[2, 2] * x3
    p, root, reach = _mass_shell_root(w, kx, ky, kz, lx, ly, lz, rs, m)
    ok = ok and reach and root > 0.0 and p > 0.0
    r, q = lepton, 1 - lepton
    out[2, 0], out[2, 1], out[2, 2], out[2, 3] = kx * w, ky * w, kz * w, w
    out[r, 0], out[r, 1], out[r, 2] = lx * p, ly * p, lz * p
    out[r, 3] = math.sqrt(p * p + m * m)
    for j in range(3):
        out[q, j] = -out[2, j] - out[r, j]
    out[q, 3] = rs - out[2, 3] - out[r, 3]
    jac = _lepton_jacobian(w, e_lo, e_hi, jc, p, y, y0, log_mass, root)
    return jac if ok else 0.0


@jit_exact
def _channel_jacobian_one(kind: int, lepton: int, pole: bool, p: Array, units: Array,
                          q2: float, rs: float, rap: float, e_lo: float, jc: float, m: float,
                          v0: float, v1: float, work: Array) -> float:
    """dΦ₃/du⁵ of a channel at the point ``p`` (3, 4) = (ℓ⁻, ℓ⁺, γ) inside the open photon
    range (:func:`_eta_window`), 0 where it has no points; ``units`` (3, 3): k̂, ℓ̂⁻, ℓ̂⁺;
    ``q2`` = s₃₄; ``e_lo``, ``jc``: the photon's lowest energy and dcosθ̂/du in this channel
    (:func:`_densities_kernel` computes them once for the channels that share them);
    ``work`` (4,)."""
    w = p[2, 3]
    s = rs * rs
    if kind >= _PAIR:
        cd = 0.0
        if kind == _PAIR_BEAM:  # the ℓ⁻ in the pair's rest frame (pure boost): its cosθ′
            e = p[0, 3] + p[1, 3]
            lorentz.boost_one(p[0], -(p[0, 0] + p[1, 0]) / e, -(p[0, 1] + p[1, 1]) / e,
                              -(p[0, 2] + p[1, 2]) / e, work)
            cd = work[2] / math.sqrt(work[0] * work[0] + work[1] * work[1] + work[2] * work[2])
        s_lo, s_hi = 4.0 * m * m, s - 2.0 * rs * e_lo
        if pole:
            jq = q2 * math.log(s_hi / s_lo)
        else:
            jq = 2.0 * rs * w * math.log((s - s_lo) / (2.0 * rs * e_lo))
        jac = _pair_jacobian(w, jc, jq, q2, rs, m, kind, cd)
        return jac if s_hi > s_lo else 0.0
    c = units[0, 2]
    e_hi = (s - 4.0 * m * m) / (2.0 * rs)
    r = 1 + lepton
    beam = 1.0 if lepton == 0 else -1.0
    if kind == _BEAM_AXIS:
        ax, ay, az = 0.0, 0.0, beam
    else:
        ax, ay, az = units[0, 0], units[0, 1], units[0, 2]
    y = 0.5 * ((units[r, 0] - ax) ** 2 + (units[r, 1] - ay) ** 2 + (units[r, 2] - az) ** 2)
    y0 = _y0_one(kind, beam, w, c, rs, m)
    ya, yb = _veto_hole(beam, v0, v1, rap) if kind == _BEAM_AXIS else (2.0, 0.0)
    log_mass = _lepton_log_mass(y, y0, ya, yb)
    _, root, reach = _mass_shell_root(w, units[0, 0], units[0, 1], units[0, 2], units[r, 0],
                                      units[r, 1], units[r, 2], rs, m)
    pl = math.sqrt(p[lepton, 0] ** 2 + p[lepton, 1] ** 2 + p[lepton, 2] ** 2)
    jac = _lepton_jacobian(w, e_lo, e_hi, jc, pl, y, y0, log_mass, root)
    return jac if reach and e_hi > e_lo and log_mass > 0.0 else 0.0


@jit_exact
def _units(p: Array, units: Array) -> None:
    """Unit vectors of the photon, ℓ⁻, ℓ⁺ (rows of ``units``) of the point ``p`` (3, 4)."""
    for r, j in ((0, 2), (1, 0), (2, 1)):
        norm = math.sqrt(p[j, 0] * p[j, 0] + p[j, 1] * p[j, 1] + p[j, 2] * p[j, 2])
        for a in range(3):
            units[r, a] = p[j, a] / norm


@jit_exact
def _generate_kernel(kinds: Array, leptons: Array, slopes: Array, poles: Array, u: Array,
                     rs: Array, rap: Array, t0: float, t1: float, e_min: float, m: float,
                     v0: float, v1: float, select: bool, p: Array, jac: Array) -> None:
    """Points of the channels ``kinds``…``poles`` (``select`` False: the first channel, u (n, 5);
    True: the channel from u[:, 0], its five numbers from u[:, 1 + 5c:6 + 5c],
    :data:`DIMS_PER_CHANNEL`) into
    ``p`` (n, 3, 4) = (ℓ⁻, ℓ⁺, γ) and ``jac`` (0 where there is no phase space or a momentum
    is not finite: the momenta of those points are not used)."""
    n_ch = kinds.shape[0]
    rot = np.empty((3, 3))
    rest = np.empty((2, 4))
    for i in range(u.shape[0]):
        if not select:
            c, o = 0, 0
        else:
            c = min(int(u[i, 0] * n_ch), n_ch - 1)
            o = 1 + c * DIMS_PER_CHANNEL
        j = _generate_one(kinds[c], leptons[c], slopes[c], poles[c], u[i], o, rs[i], rap[i], t0,
                          t1, e_min, m, v0, v1, p[i], rot, rest)
        finite = True
        for a in range(3):
            for b in range(4):
                finite = finite and math.isfinite(p[i, a, b])
        jac[i] = j if finite else 0.0


@jit_exact
def _densities_kernel(kinds: Array, leptons: Array, slopes: Array, poles: Array, p: Array,
                      q2: Array, rs: Array, rap: Array, t0: float, t1: float, e_min: float,
                      m: float, v0: float, v1: float, inverse: bool, out: Array) -> None:
    """out[i, c] = dΦ₃/du of channel c at the point p[i] or, with ``inverse``, its density
    g_c = 1/(dΦ₃/du) (0 where it has no points). The open photon range, the photon's lowest
    energy and its rapidity map's Jacobian (one per slope) are computed once per point."""
    n_ch = kinds.shape[0]
    units = np.empty((3, 3))
    work = np.empty(4)
    jcs = np.empty(n_ch)
    for i in range(p.shape[0]):
        t0w, t1w = _eta_window(t0, t1, e_min, m, rs[i], rap[i])
        if t1w <= t0w:
            out[i, :] = 0.0
            continue
        _units(p[i], units)
        c_lep, c_pair = units[0, 2], p[i, 2, 2] / p[i, 2, 3]
        lo_lep = _energy_lo_one(e_min, rap[i], c_lep)
        lo_pair = _energy_lo_one(e_min, rap[i], c_pair)
        for c in range(n_ch):
            pair = kinds[c] >= _PAIR
            slope = 0.0 if pair else slopes[c]
            jcs[c] = -1.0
            for b in range(c):
                if (kinds[b] >= _PAIR) == pair and (0.0 if kinds[b] >= _PAIR
                                                    else slopes[b]) == slope:
                    jcs[c] = jcs[b]
                    break
            if jcs[c] < 0.0:
                jcs[c] = _photon_cos_jacobian_one(c_pair if pair else c_lep, slope, t0w, t1w,
                                                  rap[i])
            j = _channel_jacobian_one(kinds[c], leptons[c], poles[c], p[i], units, q2[i], rs[i],
                                      rap[i], lo_pair if pair else lo_lep, jcs[c], m, v0, v1,
                                      work)
            out[i, c] = (1.0 / j if j > 0.0 else 0.0) if inverse else j


def _specs(channels: tuple[Channel, ...]) -> tuple[Array, Array, Array, Array]:
    """The channels as the compiled kernels' arrays (kind, lepton, slope, pole)."""
    spec = [ch.spec() for ch in channels]
    return (np.array([s[0] for s in spec], dtype=np.int64),
            np.array([s[1] for s in spec], dtype=np.int64),
            np.array([s[2] for s in spec], dtype=float),
            np.array([s[3] for s in spec], dtype=np.bool_))


def generate_points(channels: tuple[Channel, ...], u: Array, win: PhotonWindow
                    ) -> tuple[Array, Array]:
    """Momenta (n, 3, 4) = (ℓ⁻, ℓ⁺, γ) and dΦ₃ × Jacobian (0 outside) from ``u``: one channel,
    u (n, 5), or the channel from u[:, 0] and its own five columns, u (n, 1 + 5 n_channels)
    (:func:`_generate_kernel`)."""
    n = len(u)
    select = np.shape(u)[1] == 1 + len(channels) * DIMS_PER_CHANNEL
    p, jac = np.empty((n, 3, 4)), np.empty(n)
    rs, rap = win.frame()
    # u may be a column block of the integration points: the kernel reads it strided
    _generate_kernel(*_specs(channels), np.asarray(u, dtype=float), rs, rap,
                     *win._eta_range(), float(win.e_min), float(win.m), *win.veto, select, p,
                     jac)
    return p, jac


@dataclass(frozen=True)
class PhotonLeptonChannel:
    """The photon first, then the direction of one lepton (``lepton`` 0: e⁻, 1: e⁺) about an
    ``axis``, its momentum from the mass shell of the other lepton: the spectator channels
    (``axis`` "beam") and the collinear-radiation channels (``axis`` "photon").

    Unit numbers (5): the photon energy ω ∝ 1/ω on :meth:`PhotonWindow.energy_range`, its CMS
    rapidity flat in the cut range, its azimuth; y = 1 − cos α of the lepton about the axis
    ∝ 1/(y + y₀) on [0, 2] and the azimuth about it:

    - "beam": the lepton's own beam (the t-channel pole of a spectator),
      y₀ = |t|_min/(2E_b²(1 − x)) = m²x²/(2E_b²(1 − x)²) at the energy loss
      x = ω(1 + cosθ_γ)/(√s − ω(1 − cosθ_γ)) the photon implies for a collinear spectator
      (θ_γ about that beam);
    - "photon": the photon direction (collinear radiation, 1/(p·k)), y₀ = (1 − β)/β ≈ m²/(2E²)
      at E = √s/2 − ω (radiation off a lepton of the beam energy).

    Mass shell: with Z = P − k, A = Z²/2, a = Z⁰, b = Z⃗·n̂, a√(p² + m²) − bp = A has the root
    p = (Ab + a√D)/(a² − b²), D = A² − m²(a² − b²), the only positive one when A ≥ am; where
    A < am (the photon end point, pair mass below √(2am)) the channel has no points (density 0).
    dΦ₃ = ω dω dΩ_γ p² dΩ_ℓ / (8(2π)⁵ |ap − bE|), |ap − bE| = √D (the δ of the mass shell).
    Compiled per point (:func:`_generate_one`, :func:`_channel_jacobian_one`)."""

    lepton: int
    axis: str
    #: the photon's CMS rapidity density ∝ e^{slope·η*}
    slope: float = 0.0

    @property
    def beam(self) -> float:
        return 1.0 if self.lepton == 0 else -1.0

    def spec(self) -> tuple[int, int, float, bool]:
        """(kind, lepton, slope, pair pole) of the compiled kernels."""
        return (_BEAM_AXIS if self.axis == "beam" else _PHOTON_AXIS, self.lepton, self.slope,
                False)

    def generate(self, u: Array, win: PhotonWindow) -> tuple[Array, Array, Array, Array]:
        """(p(e⁻), p(e⁺), k, dΦ₃ × Jacobian; 0 outside) from ``u`` (n, 5)."""
        p, jac = generate_points((self,), u, win)
        return p[:, 0], p[:, 1], p[:, 2], jac

    def jacobian(self, pm: Array, pp: Array, k: Array, win: PhotonWindow) -> Array:
        """dΦ₃/du⁵ of this channel at the point (e⁻, e⁺, γ), 0 where it has no points: the
        inverse of its a-priori density, for the multichannel weight."""
        return _channel_jacobians((self,), pm, pp, k, win, None)[:, 0]


@dataclass(frozen=True)
class PairChannel:
    """The photon against a fermion pair of mass m each (e⁺e⁻ → γγ*(→ e⁺e⁻), or νν̄γ with
    m = 0): the photon direction as in :class:`PhotonLeptonChannel`; the pair mass² s₃₄
    ∝ 1/s₃₄ on [4m², s − 2√s E_min/D] (``pair_pole``; ω = (s − s₃₄)/(2√s)) or the photon
    energy ω ∝ 1/ω (a soft photon off a massless pair); the pair decays (``decay``) "flight":
    about its flight direction, cosθ′ and φ′ flat, or "beam": about the z axis of its rest
    frame reached by the pure boost, cosθ′ ∝ 1 + cos²θ′ (the angular distribution of a
    fermion pair from e⁺e⁻ → γ* with the beams along z, for the ISR of ``ee_mumug``), φ′ flat.
    dΦ₃ = dΦ₂(P; k, Q) ds₃₄/(2π) dΦ₂(Q; f, f̄)."""

    pair_pole: bool = True
    decay: str = "flight"

    def spec(self) -> tuple[int, int, float, bool]:
        """(kind, lepton, slope, pair pole) of the compiled kernels."""
        return _PAIR if self.decay == "flight" else _PAIR_BEAM, 0, 0.0, self.pair_pole

    def generate(self, u: Array, win: PhotonWindow) -> tuple[Array, Array, Array, Array]:
        """(p(f), p(f̄), k, dΦ₃ × Jacobian; 0 outside) from ``u`` (n, 5)."""
        p, jac = generate_points((self,), u, win)
        return p[:, 0], p[:, 1], p[:, 2], jac

    def jacobian(self, pm: Array, pp: Array, k: Array, win: PhotonWindow,
                 q2: Array | None = None) -> Array:
        """dΦ₃/du⁵ at the point (``q2``: the pair mass², e.g. from :func:`invariants`)."""
        return _channel_jacobians((self,), pm, pp, k, win, q2)[:, 0]


Channel = PhotonLeptonChannel | PairChannel
#: the channels of ``ee_eeg`` (module docstring), each with its own five VEGAS dimensions
CHANNELS: tuple[Channel, ...] = (
    PhotonLeptonChannel(0, "beam", -2.0), PhotonLeptonChannel(1, "beam", 2.0), PairChannel(),
    PhotonLeptonChannel(0, "photon", 2.0), PhotonLeptonChannel(1, "photon", -2.0))


def _channel_jacobians(channels: tuple[Channel, ...], pm: Array, pp: Array, k: Array,
                       win: PhotonWindow, q2: Array | None, inverse: bool = False) -> Array:
    """(n, channels) dΦ₃/du⁵ or, with ``inverse``, the densities 1/(dΦ₃/du⁵) of the channels
    at the points (0 where a channel has no points), one compiled pass
    (:func:`_densities_kernel`); ``q2``: s₃₄ if known."""
    return _jacobians_at(channels, np.stack([pm, pp, k], axis=1), win, q2, inverse)


def _jacobians_at(channels: tuple[Channel, ...], p: Array, win: PhotonWindow,
                  q2: Array | None, inverse: bool) -> Array:
    """:func:`_channel_jacobians` at momenta p (n, 3, 4) = (ℓ⁻, ℓ⁺, γ)."""
    p = np.ascontiguousarray(p, dtype=float)
    if q2 is None:
        q = p[:, 0] + p[:, 1]
        q2 = h.dot(q, q)
    out = np.empty((len(p), len(channels)))
    rs, rap = win.frame()
    _densities_kernel(*_specs(channels), p, np.ascontiguousarray(q2, dtype=float), rs, rap,
                      *win._eta_range(), float(win.e_min), float(win.m), *win.veto, inverse,
                      out)
    return out


def channel_densities(channels: tuple[Channel, ...], pm: Array, pp: Array, k: Array,
                      win: PhotonWindow, inv: Array | None = None) -> Array:
    """A-priori densities g_c = 1/(dΦ₃/du) (n, channels) of every channel at the points, 0
    where a channel has no points: the multichannel weight is f/Σ_c g_c (balance heuristic);
    ``inv``: the :func:`invariants` if already computed (s₃₄)."""
    return densities_at(channels, np.stack([pm, pp, k], axis=1), win, inv)


def densities_at(channels: tuple[Channel, ...], p: Array, win: PhotonWindow,
                 inv: Array | None = None) -> Array:
    """:func:`channel_densities` at momenta p (n, 3, 4) = (ℓ⁻, ℓ⁺, γ)."""
    return _jacobians_at(channels, p, win, None if inv is None else inv[:, 6], True)


# ---------------------------------------------------------------------------------------------
# independent number: the equivalent-photon limit
# ---------------------------------------------------------------------------------------------
def _eta(theta_deg: float) -> float:
    return -math.log(math.tan(math.radians(theta_deg) / 2.0))


def _compton_primitive(c: float) -> float:
    """∫ dc [(1 − c)/2 + 2/(1 − c)]: the massless Compton cross section
    dσ/dc = (πα²/W²)[(1 − c)/2 + 2/(1 − c)], c = cos∠(incoming e, outgoing γ) in the e γ frame
    (|M|² = −2e⁴(u/s + s/u), crossed from e⁺e⁻ → γγ)."""
    return 0.5 * (c - 0.5 * c * c) - 2.0 * math.log1p(-c)


def sigma_compton_cuts(x: float, sqrt_s: float, params: Mapping[str, float]) -> float:
    """σ(e⁺γ → e⁺γ) in pb for a real photon of energy x√s/2 along +z on the e⁺ beam (along −z),
    with the photon cuts and (``lepton_veto``) the e⁺ outside the veto window in the CMS;
    massless. In the e⁺γ frame (rapidity y = ½ ln x, W² = xs) the photon has rapidity η̂, the
    e⁺ −η̂; in the CMS η̂ + y and −η̂ + y; the photon energy is (W/2)(cosh y + tanh η̂ sinh y).
    Each cut is an interval in τ = tanh η̂ = −c, so σ is the primitive at the ends."""
    if not 0.0 < x < 1.0:
        return 0.0
    w = math.sqrt(x * sqrt_s**2)
    y = 0.5 * math.log(x)
    lo = math.tanh(_eta(params["theta_max_cms"]) - y)
    hi = min(math.tanh(_eta(params["theta_min_cms"]) - y),
             (2.0 * params["e_min_cms"] / w - math.cosh(y)) / math.sinh(y))
    pieces = [(lo, hi)]
    if params["lepton_veto"]:
        a = math.tanh(y - _eta(params["theta_veto_min_cms"]))  # e⁺ forward of the window
        b = math.tanh(y - _eta(params["theta_veto_max_cms"]))  # e⁺ backward of the window
        pieces = [(lo, min(hi, a)), (max(lo, b), hi)]
    total = 0.0
    for t0, t1 in pieces:
        if t1 > t0:
            total += _compton_primitive(-t0) - _compton_primitive(-t1)
    return math.pi * ALPHA**2 / w**2 * total * GEV2_TO_PB


def _q2(x: float, e: float, m: float, cos_t: float) -> float:
    """−t of a beam lepton (energy e) scattered to energy (1 − x)e at cosθ (the stable form)."""
    e3 = (1.0 - x) * e
    p, p3 = math.sqrt(e * e - m * m), math.sqrt(max(e3 * e3 - m * m, 0.0))
    return 2.0 * (m * m * (e - e3) ** 2 / (e * e3 - m * m + p * p3) + p * p3 * (1.0 - cos_t))


def photon_flux(x: float, e: float, theta_c: float, m: float = M_E) -> float:
    """Equivalent transverse photons per unit x of a lepton (energy e) scattered below θ_c:
    (α/π)(1/x)[(1 − x + x²/2) ln(Q²_max/Q²_min) − (1 − x)(1 − Q²_min/Q²_max)] (Budnev,
    Ginzburg, Meledin, Serbo, Phys. Rept. 15 (1975) 181, eq. (D.4); exact in m for Q² ≪ W²),
    Q²_min = m²x²/(1 − x) at θ = 0, Q²_max at θ_c."""
    q2min, q2max = _q2(x, e, m, 1.0), _q2(x, e, m, math.cos(theta_c))
    return ALPHA / math.pi / x * ((1.0 - x + 0.5 * x * x) * math.log(q2max / q2min)
                                  - (1.0 - x) * (1.0 - q2min / q2max))


def sigma_epa_spectator(params: Mapping[str, float], theta_c: float, sqrt_s: float,
                        m: float = M_E) -> float:
    """σ (pb) of e⁺e⁻ → e⁻(θ₃ < θ_c) e⁺γ in the cuts ``params`` in the equivalent-photon
    approximation, ∫dx n(x) σ(e⁺γ → e⁺γ; cuts)(W² = xs): the quasi-real photon of the
    spectator e⁻ Compton-scattered on the e⁺. Its corrections are O(Q²_max/W²) (≈ 10⁻⁵ for
    θ_c = 1 mrad), the transverse tilt of the e⁺γ system O(p_T²/W²), and the graphs without the
    spectator's photon O(√|t|/W) (interference, averaging out in the azimuth): an independent
    number for the exact matrix element and the spectator channels in the region with the mass
    singularity (the flux's mass term −(1 − x)(1 − Q²_min/Q²_max) is ~10% of it)."""
    from scipy.integrate import quad

    e = sqrt_s / 2.0

    def integrand(lx: float) -> float:
        x = math.exp(lx)
        return x * photon_flux(x, e, theta_c, m) * sigma_compton_cuts(x, sqrt_s, params)

    val, _ = quad(integrand, math.log(1e-4), math.log(1.0 - 1e-9), limit=400, epsabs=0.0,
                  epsrel=1e-8)
    return val


# ---------------------------------------------------------------------------------------------
# integration grid: VEGAS with a defensive flat component
# ---------------------------------------------------------------------------------------------
#: share of points drawn flat in the unit cube instead of through the VEGAS map
FLAT_SHARE = 0.3
#: VEGAS increments per dimension: coarse, since ~15k training points per iteration spread over
#: 32 dimensions adapt a 500-increment grid to their own noise
VEGAS_INCREMENTS = 50


#: buckets per dimension of :func:`_invmap`'s look-up table (a few per increment)
_INVMAP_BUCKETS = 8 * VEGAS_INCREMENTS


@jit_exact
def _invmap(grid: Array, inc: Array, ninc: Array, x: Array, y: Array, jac: Array) -> None:
    """vegas's ``AdaptiveMap.invmap`` (vegas 6.4, the same operations in the same order) in one
    compiled pass: y and the Jacobian dx/dy of the points x; per dimension the increment
    j with grid[d, j] ≤ x < grid[d, j + 1] (``searchsorted(..., side='right') − 1`` over the
    whole grid row: the count of grid points ≤ x, started from a table of the counts at
    :data:`_INVMAP_BUCKETS` equidistant x in [0, 1] and walked to the exact one), points
    outside clamped to the end increments."""
    n, dim = x.shape
    width = grid.shape[1]
    nb = _INVMAP_BUCKETS
    start = np.empty((dim, nb), dtype=np.int64)
    for d in range(dim):
        lo = 0
        for t in range(nb):
            xt = t / nb
            while lo < width and grid[d, lo] <= xt:
                lo += 1
            start[d, t] = lo
    for i in range(n):  # point by point (rows contiguous), the dimensions in vegas's order
        acc = 1.0
        for d in range(dim):
            nd = ninc[d]
            xi = x[i, d]
            t = int(xi * nb) if xi >= 0.0 else 0
            lo = start[d, min(t, nb - 1)]
            while lo > 0 and grid[d, lo - 1] > xi:
                lo -= 1
            while lo < width and grid[d, lo] <= xi:
                lo += 1
            if 0 < lo <= nd:
                j = lo - 1
                y[i, d] = (j + (xi - grid[d, j]) / inc[d, j]) / nd
                acc *= inc[d, j] * nd
            elif lo <= 0:
                y[i, d] = 0.0
                acc *= inc[d, 0] * nd
            else:
                y[i, d] = 1.0
                acc *= inc[d, nd - 1] * nd
        jac[i] = acc


@dataclass
class DefensiveGrid(Grid):
    """A VEGAS map sampled as the mixture (1 − f)·VEGAS + f·flat (defensive importance
    sampling, T. Hesterberg, Technometrics 37 (1995) 185), f = ``flat_share``: the weights are
    at most 1/f times those of the a-priori multichannel density wherever VEGAS starved a
    region. VEGAS minimises the variance, not the largest weight: where a cut correlates several
    variables (the lepton veto ties the photon energy to its angle and the spectator's), it
    thins out regions that are mostly empty and the few points inside them get large weights;
    alone it unweighted ``ee_eeg`` with ISR at 2–14% depending on the grid seed (the a-priori
    multichannel density alone: 9%, the mixture 13–16%). ``flat_share`` = 1: the flat sampler.
    ``layout`` (:class:`Grid`) weighs the flat points by their used dimensions too."""

    flat_share: float = FLAT_SHARE

    def sample(self, rng: np.random.Generator, n: int) -> tuple[Array, Array]:
        x, jac, _ = self.sample_marked(rng, n)
        return x, jac

    def sample_marked(self, rng: np.random.Generator, n: int) -> tuple[Array, Array, Array]:
        """Points, their weights 1/density and which of them were drawn flat."""
        y = rng.random((n, self.ndim))
        flat = rng.random(n) < self.flat_share
        if self.flat_share >= 1.0:
            return y, np.ones(n), flat
        x = np.empty_like(y)
        jac = np.empty(n)
        if self.layout is not None:
            self.layout.sample(self.amap, y, flat, self.flat_share, x, jac)
            return x, jac, flat
        self.amap.map(y, x, jac)
        if np.any(flat):
            xf = np.ascontiguousarray(y[flat])
            yf, jf = np.empty_like(xf), np.empty(len(xf))
            # the VEGAS density 1/jf at the flat points (vegas's AdaptiveMap.invmap, compiled)
            _invmap(np.asarray(self.amap.grid), np.asarray(self.amap.inc),
                    np.asarray(self.amap.ninc), xf, yf, jf)
            x[flat], jac[flat] = xf, jf
        return x, 1.0 / (self.flat_share + (1.0 - self.flat_share) / jac), flat


def build_defensive_grid(f: Callable[[Array], Array], ndim: int, *, n_points: int, seed: int,
                         n_iter: int = 10, ninc: int = VEGAS_INCREMENTS,
                         layout: ChannelLayout | None = None) -> DefensiveGrid:
    """Train a VEGAS map on half of ``n_points`` as :func:`darkscan.generate.integrate.build_grid`
    does, then measure σ, its error and the unweighting maximum on the other half sampled from
    the :class:`DefensiveGrid` mixture (frozen map, no adaptation bias). The flat points of that
    sample measure the flat sampler's unweighting efficiency too; where it is higher (cuts that
    VEGAS cannot follow), the grid samples flat (``flat_share`` = 1) with the maximum of those
    points; σ and its error are the mixture's either way (both are unbiased). ``layout``: the
    training and the sampling weigh each point by the dimensions it uses."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    mapper = {} if layout is None else {"mapper": layout.map}
    amap, n_train = train_map(f, ndim, n_points=n_points, n_iter=n_iter, ninc=ninc, rng=rng,
                              **mapper)
    grid = DefensiveGrid(amap, ndim, 0.0, 0.0, 0.0, n_points, layout=layout)
    n_final = max(2000, n_points - n_iter * n_train)
    x, jac, flat = grid.sample_marked(rng, n_final)
    fx = np.concatenate([f(x[i:i + UNWEIGHT_BLOCK]) for i in range(0, n_final, UNWEIGHT_BLOCK)])
    w = fx * jac
    grid.sigma = float(np.mean(w))
    grid.error = float(np.std(w) / np.sqrt(n_final))
    grid.wmax = max_weight(w)
    flat_w = fx[flat]  # the flat sampler's weights (density 1)
    if flat_w.size and grid.wmax > 0 and np.mean(flat_w) > 0:
        wmax_flat = max_weight(flat_w)
        if np.mean(flat_w) / wmax_flat > grid.sigma / grid.wmax:
            grid.flat_share, grid.wmax = 1.0, wmax_flat
    return grid


def sigma_born_filtered(proc: RadiativePair, params: Mapping[str, float],
                        extra: Callable[[Array], Array], *, n_points: int, seed: int
                        ) -> tuple[float, float]:
    """σ ± error (pb) of ``proc`` without ISR inside its cuts and an extra condition ``extra``
    on the hard-frame (= CMS) momenta (n, 3, 4) = (e⁻, e⁺, γ): the validations integrate
    sub-regions with the full multichannel phase space (e.g. the spectator below 1 mrad against
    :func:`sigma_epa_spectator`)."""
    def f(x: Array) -> Array:
        p, w = proc.hard(x, proc.experiment.sqrt_s, params, False)
        return np.where(extra(p), w, 0.0)

    g = build_defensive_grid(f, proc.hard_ndim(params), n_points=n_points, seed=seed)
    return g.sigma, g.error


@jit_exact
def _cuts_kernel(p, rapidity, c_lo, c_hi, e_min, veto, v_lo, v_hi, out
                 ):  # pragma: no cover - compiled
    """The CMS cuts of :meth:`RadiativePair.in_cuts` on momenta (n, 3, 4) = (ℓ⁻, ℓ⁺, γ) of a
    frame moving along z with ``rapidity`` in the CMS (0: CMS momenta): c_lo < cos θ*_γ < c_hi,
    E*_γ > e_min; with ``veto`` both leptons outside v_hi < cos θ* < v_lo."""
    q = np.empty(4)
    for i in range(p.shape[0]):
        beta_z = math.tanh(rapidity[i])
        ok = True
        for j in range(3):
            if j < 2 and not veto:
                continue
            lorentz.boost_one(p[i, j], 0.0, 0.0, beta_z, q)
            c = q[2] / max(math.sqrt(q[0] ** 2 + q[1] ** 2 + q[2] ** 2), 1e-300)
            if j == 2:
                ok = ok and c_lo < c < c_hi and q[3] > e_min
            else:
                ok = ok and (c >= v_lo or c <= v_hi)
        out[i] = ok


# ---------------------------------------------------------------------------------------------
# the process
# ---------------------------------------------------------------------------------------------
class RadiativePair(EEProcess):
    """e⁺e⁻ → ℓ⁺ℓ⁻γ with the exact tree-level matrix element (:func:`me2_llg`) on a multichannel
    phase space (:attr:`channels`), the photon hard and at wide angle in the CMS (the one table's
    theta_min_cms, theta_max_cms, e_min_cms), collinear ISR by the engine: the pieces
    ``ee_eeg`` and ``ee_mumug`` share. A subclass sets the final lepton (:attr:`mass`,
    :attr:`pdgs`), the channels, whether the t-channel graphs exist, its defaults and cuts."""

    isr_collinear = True
    #: mass of the beam leptons (spinors, propagators, flux)
    beam_mass = M_E
    #: mass of the final leptons
    mass = M_E
    #: the t-channel (scattering) graphs: Bhabha only
    t_graphs = True
    channels: tuple[Channel, ...] = ()

    @staticmethod
    def _photon_cuts(params: Mapping[str, float]) -> tuple[float, float, float]:
        return params["theta_min_cms"], params["theta_max_cms"], params["e_min_cms"]

    def validate(self, params: Mapping[str, float]) -> None:
        tmin, tmax, emin = self._photon_cuts(params)
        if not 1.0 <= tmin < tmax <= 179.0:
            raise ParameterError(
                f"process '{self.name}' needs 1 <= theta_min_cms < theta_max_cms <= 179 deg, "
                f"got {tmin:g}, {tmax:g}")
        if 2.0 * emin >= self.experiment.sqrt_s:
            raise ParameterError(f"parameter 'e_min_cms' = {emin:g} GeV is above √s/2")
        super().validate(params)

    def s_min(self, params: Mapping[str, float]) -> float:
        """The photon's transverse momentum E* sinθ* is balanced by the leptons (collinear ISR
        adds none): √s′ ≥ 2 p_T,γ ≥ 2 E_min sinθ at the nearer edge of the photon range, and
        √s′ > 2m."""
        tmin, tmax, emin = self._photon_cuts(params)
        sin_edge = min(math.sin(math.radians(tmin)), math.sin(math.radians(tmax)))
        return max((2.0 * emin * sin_edge) ** 2, (2.0 * self.mass) ** 2 * 1.0001)

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 1 + len(self.channels) * DIMS_PER_CHANNEL

    def _c_range(self, params: Mapping[str, float]) -> tuple[float, float]:
        tmin, tmax, _ = self._photon_cuts(params)
        return math.cos(math.radians(tmax)), math.cos(math.radians(tmin))

    def cut_numbers(self, params: Mapping[str, float]
                    ) -> tuple[float, float, float, bool, float, float]:
        """(c_lo, c_hi, E_min) of the photon's CMS cos θ* and energy, and (veto, v_lo, v_hi):
        whether the leptons must lie outside v_hi < cos θ* < v_lo (none here)."""
        tmin, tmax, emin = self._photon_cuts(params)
        return (math.cos(math.radians(tmax)), math.cos(math.radians(tmin)), emin,
                False, 0.0, 0.0)

    def in_cuts(self, p: Array, params: Mapping[str, float], rapidity: Array | None = None
                ) -> Array:
        """The generator-level cuts on momenta (n, 3, 4) = (ℓ⁻, ℓ⁺, γ), CMS ones or, with
        ``rapidity``, those of a frame moving along z with it (:func:`_cuts_kernel`): the
        photon's (:meth:`cut_numbers`)."""
        n = len(p)
        rap = np.zeros(n) if rapidity is None else np.ascontiguousarray(rapidity, dtype=float)
        out = np.empty(n, dtype=np.bool_)
        _cuts_kernel(np.ascontiguousarray(p, dtype=float), rap, *self.cut_numbers(params), out)
        return out

    def window(self, params: Mapping[str, float], sqrt_s: Array, rapidity: Array
               ) -> PhotonWindow:
        return PhotonWindow(self._c_range(params), params["e_min_cms"], self.mass, sqrt_s,
                            rapidity)

    def me2(self, p1: Array, p2: Array, p3: Array, p4: Array, k: Array, rc: bool,
            inv: Array | None = None) -> Array:
        """Spin-averaged |M|² (:func:`me2_llg` with this process's masses and graphs)."""
        return me2_llg(p1, p2, p3, p4, k, self.beam_mass, self.mass, self.t_graphs, rc, inv)

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool,
             rapidity: Array | float = 0.0) -> tuple[Array, Array]:
        """Hard-frame momenta (ℓ⁻, ℓ⁺, γ) and weights n_ch·(1/2s′)|M|²/Σ_c g_c (the channel
        from u[:, 0]); ``rapidity``: that of the hard frame in the CMS (collinear ISR), used by
        the photon mappings and to apply the CMS cuts before the matrix element."""
        n = len(u)
        rs = np.broadcast_to(np.asarray(sqrt_s, float), (n,))
        rap = np.broadcast_to(np.asarray(rapidity, float), (n,))
        win = self.window(params, rs, rap)
        n_ch = len(self.channels)
        p, jac = generate_points(self.channels, u, win)  # the channel from u[:, 0]
        good = jac > 0
        good[good] = self.in_cuts(p[good], params, rap[good])
        w = np.zeros(n)
        idx = np.nonzero(good)[0]
        if idx.size:
            q, r, sub = p[idx], rs[idx], win.subset(idx)
            p1, p2 = beams(idx.size, r, self.beam_mass)
            inv = invariants(p1, p2, q[:, 0], q[:, 1], q[:, 2], self.beam_mass, self.mass)
            me2 = self.me2(p1, p2, q[:, 0], q[:, 1], q[:, 2], rc, inv)
            g = densities_at(self.channels, q, sub, inv).sum(axis=1)
            s = r * r
            flux = 2.0 * s * np.sqrt(1.0 - 4.0 * self.beam_mass**2 / s)
            w[idx] = n_ch * me2 / g / flux * GEV2_TO_PB
        return p, np.nan_to_num(w, nan=0.0, posinf=0.0)

    def grid(self, params: Mapping[str, float], isr: bool, n_points: int, seed: int) -> Grid:
        """VEGAS with a defensive flat component (:class:`DefensiveGrid`), each point weighted
        by the dimensions it uses: the ISR energy fractions, the channel selector and its
        channel's own (:mod:`darkscan.generate.multichannel`)."""
        sqrt_s = self.experiment.sqrt_s
        return build_defensive_grid(lambda x: self.evaluate(x, sqrt_s, params, isr)[0],
                                    self.ndim(params, isr), n_points=n_points, seed=seed,
                                    layout=self.channel_layout(isr, DIMS_PER_CHANNEL,
                                                               len(self.channels)))

    def hard_in_frame(self, u: Array, sqrt_s: Array, params: Mapping[str, float],
                      velocity: Array) -> tuple[Array, Array]:
        """The phase space knows the rapidity of the collinear-ISR boost (along z)."""
        return self.hard(u, sqrt_s, params, True, np.arctanh(velocity[:, 2]))

    def passes_filter(self, p: Array, k1: Array, k2: Array, params: Mapping[str, float]
                      ) -> Array:
        """The CMS cuts (:meth:`in_cuts`; already applied in :meth:`hard`, kept here so that
        the engine's filter is the documented one)."""
        return self.in_cuts(p, params)


class RadiativeBhabha(RadiativePair):
    name = "ee_eeg"
    description = ("e+e- -> e+e-gamma: exact tree-level QED ME (8 graphs, massive electrons, 32 "
                   "helicity amplitudes), hard wide-angle photon, both e+- outside the CMS "
                   "veto window (or anywhere), 5-channel phase space, collinear Kuraev-Fadin ISR")
    default_filter = ("theta_min_cms < theta*_gamma < theta_max_cms and E*_gamma > e_min_cms "
                      "(defaults 13 deg, 165 deg, 1 GeV); lepton_veto = 1: both e+- outside "
                      "theta_veto_min_cms < theta* < theta_veto_max_cms (27 deg, 153 deg)")
    pdgs = (PDG_ELECTRON, -PDG_ELECTRON, PDG_PHOTON)
    mass = M_E
    channels = CHANNELS
    params = (
        ProcessParam("e_min_cms", 1.0, "lowest CMS energy of the photon in GeV"),
        ProcessParam("theta_min_cms", 13.0, "lowest CMS polar angle of the photon in deg "
                     "(>= 1; the ECL's 12.4 deg lab edge is 13.3 deg CMS)"),
        ProcessParam("theta_max_cms", 165.0, "highest CMS polar angle of the photon in deg "
                     "(<= 179; the ECL's 155.1 deg lab edge is at most 162.7 deg CMS)"),
        ProcessParam("lepton_veto", 1.0, "1: both e+- outside the CMS window theta_veto_min_cms "
                     "< theta* < theta_veto_max_cms; 0: the leptons anywhere"),
        ProcessParam("theta_veto_min_cms", 27.0, "lower edge of the e+- veto window in deg (the "
                     "CDC's 17 deg lab edge is at most 25.3 deg CMS)"),
        ProcessParam("theta_veto_max_cms", 153.0, "upper edge of the e+- veto window in deg (the "
                     "CDC's 150 deg lab edge is at least 155.5 deg CMS)"),
    )

    def validate(self, params: Mapping[str, float]) -> None:
        if params["lepton_veto"] not in (0.0, 1.0):
            raise ParameterError(f"parameter 'lepton_veto' of process '{self.name}' is a switch: "
                                 f"0 or 1, got {params['lepton_veto']:g}")
        if not params["theta_veto_min_cms"] < params["theta_veto_max_cms"]:
            raise ParameterError(f"process '{self.name}' needs theta_veto_min_cms < "
                                 "theta_veto_max_cms")
        super().validate(params)

    def window(self, params: Mapping[str, float], sqrt_s: Array, rapidity: Array
               ) -> PhotonWindow:
        """With the lepton veto the spectator channels leave the veto window out of their
        lepton's directions (its massless image: a massive lepton's CMS angle differs, and the
        other channels cover those points; exact either way, :class:`PhotonWindow`)."""
        win = super().window(params, sqrt_s, rapidity)
        if not params["lepton_veto"]:
            return win
        veto = (_eta(params["theta_veto_max_cms"]), _eta(params["theta_veto_min_cms"]))
        return PhotonWindow(win.c_range, win.e_min, win.m, win.sqrt_s, win.rapidity, veto)

    def cut_numbers(self, params: Mapping[str, float]
                    ) -> tuple[float, float, float, bool, float, float]:
        """The photon's cuts and, with ``lepton_veto``, the e± veto window."""
        c_lo, c_hi, emin, _, _, _ = super().cut_numbers(params)
        return (c_lo, c_hi, emin, bool(params["lepton_veto"]),
                math.cos(math.radians(params["theta_veto_min_cms"])),
                math.cos(math.radians(params["theta_veto_max_cms"])))

    def xsec_note(self, isr: bool) -> str:
        born = ("exact tree-level e+e- → e+e-γ (8 graphs, m_e kept), α(0) for the real photon"
                + (", running α per exchanged photon" if isr else ""))
        return (f"{born}, collinear Kuraev–Fadin ISR (photons along the beams)" if isr
                else f"{born}, no ISR")


EE_EEG = register(RadiativeBhabha())
