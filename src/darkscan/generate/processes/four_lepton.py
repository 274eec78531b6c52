"""e⁺e⁻ → ℓ⁺ℓ⁻ℓ'⁺ℓ'⁻ with the full tree-level QED matrix element: ``ee_mumumumu`` (the
irreducible background of the 4μ resonance search, Belle II, PRD 109 (2024) 112015) and
``ee_mumutautau`` (μ⁺μ⁻τ⁺τ⁻, the same diagrams with one pair of τ); ``ee_mumupipi`` (μ⁺μ⁻π⁺π⁻,
the 4μ search's background where pions fake muons: the same machinery with pair b a π⁻π⁺ pair
of scalar QED with the pion form factor, section "Pions" below).

Diagrams (photon exchange only; the Z is neglected at √s = 10.58 GeV, O(s/M_Z²) ≈ 1%). Labels
e⁻(p1) e⁺(p2) → a⁻(p3) a⁺(p4) b⁻(p5) b⁺(p6), a and b the two lepton flavours (masses m_a, m_b;
both μ for 4μ, a = μ and b = τ for μμττ). For the pairing (3,4)(5,6), i.e. fermion lines
ū₃…v₄ and ū₅…v₆, there are six diagrams:

- "FSR" (annihilation): e⁺e⁻ → γ*(s) attached to the line (3,4), with the virtual photon
  γ*(q₅₆) → b⁻₅b⁺₆ emitted from a⁻₃ or from a⁺₄ (2 diagrams); the same with the lines swapped
  (2 diagrams);
- "conversion" (ISR pair): the electron line emits both γ*(q₃₄) and γ*(q₅₆), t- and u-channel
  electron propagator (2 diagrams).

Distinct flavours (μμττ) have this one pairing: 6 diagrams, no exchange term, no identical-
particle factor. Four muons have a second pairing: M = M(3,4; 5,6) − M(3,6; 5,4), the second
exchanges the identical μ⁺ (Fermi statistics, relative minus), 12 diagrams. All diagrams have
four vertices, two photon and one fermion propagator and the same fermion lines within one
pairing, so the common phases dropped by :mod:`darkscan.generate.helas` (powers of i, −g of each
photon propagator, e⁴) are common; within a pairing the FSR and conversion diagrams add with a
plus sign.

Couplings: e² per photon propagator, e²(q²) = 4πα(q²) of that photon's virtuality when the
radiative corrections are on (the Dyson-resummed vacuum polarisation of each propagator, a gauge
invariant insertion), α(0) otherwise.

Helicity sums: the massless beams conserve helicity, so only (λ₁, λ₂) = (∓1, ±1) contribute (the
other two vanish identically); with 16 lepton configurations that is 32 amplitudes per event.
Lepton pairs (what generation evaluates): one compiled pass per batch
(:func:`_four_lepton_kernel`), per event the spinors' pair currents, each lepton line with the
e⁺e⁻ current inserted at either end (two beam currents instead of the four pair currents: half
the dressings), its open index contracted with the other pair's current, each electron line
with one pair current inserted (the products with the massless beams' zero Weyl halves left
out), and Σ|M|² of the 32 amplitudes, in registers and small work arrays (the dressings and
currents of :mod:`.radiative_qed`): 4.7 μs per 4μ event on one core, a third of the former
numpy path's (~370 kernel passes over the events plus einsums, limited by memory traffic).
:func:`pairing_amplitudes` and :func:`amplitudes` keep that path diagram class by diagram class
(the Ward-identity, factorisation and soft-pair checks use it; the kernel agrees with it to
10⁻¹³) and serve μμππ (pion currents and lines).

Identical particles: :func:`me2_four_lepton` is the spin-averaged |M|² of the labelled final
state; the symmetry factor 1/(2!·2!) = 1/4 of the two pairs of identical muons is applied in the
cross section (:meth:`FourLepton.hard`).

Phase space (multichannel by partition of the integrand): channels on the labelled final state,
each flattening one peak structure of the diagrams (:class:`FsrChannel`,
:class:`ConversionChannel`, :class:`SoftPairChannel`):

- FSR (pair ℓ'ℓ' off one lepton ℓ of the line the s-channel photon makes): q_pair² ∝ 1/q² from
  4m_ℓ'² (the photon propagator times the pair's current), (p_ℓ + q_pair)² ∝ 1/(m² − m_ℓ²) (the
  lepton propagator, as in :mod:`.mumu_resonance`), two-body angles flat;
- conversion: both pair masses ∝ 1/q², the angle of the first pair in the CMS ∝ 1/|(p₁ − q)²|
  (the beam-collinear t-channel electron propagator, regulated by the pair mass: a massless
  electron cannot emit a time-like photon on shell);
- soft pair: a conversion whose first pair is soft, its energy E ∝ s + q_a² − q_b² sampled
  ∝ 1/E (the eikonal 1/E of a soft pair radiated off the beams; the conversion channel's 1/q_b²
  barely samples q_b² near (√s − m_a)², where the largest 4μ weights were: a ≈ 0.3 GeV pair
  off the beams, the other pair's mass near √s). With it the unweighting efficiency of 4μ went
  from 3.0% to 8.9% (Born, 300k-point grid; 2.2% → 8.1% in generation with ISR).

4μ: FSR off μ⁻₃ and off μ⁺₄ (pair (5,6)), conversion, soft pair (3,4) along the e⁻ and along
the e⁺, times the 4 relabellings of the identical μ⁻ and μ⁺ (which also exchange the pairs, so FSR
off line (5,6) and the conversion's u-channel are covered). μμττ has no such symmetry, every peak
has its channel: the μμ pair off τ⁻ and off τ⁺, conversion and soft μμ pair, each with the μμ
pair along the e⁻ and along the e⁺ (t and u channel); the ττ pair off a muon has no peak
(q_ττ² ≥ 4m_τ²) and no channel of its own.

The integrand is split among all peak structures (channels × relabellings) with partition weights
P_c/ΣP (P = 1/(q² D) for FSR, s/(q_a² q_b² |t|) for the conversion, split with the soft-pair
channel where pair a is soft: any positive partition is exact), each channel integrates its share
of the labelled configuration times the number of relabellings. For 4μ, after unweighting μ⁻₃ ↔
μ⁻₅ and μ⁺₄ ↔ μ⁺₆ are swapped with probability 1/2 each: exact, because |M|² is symmetric under
both swaps (tested). A VEGAS dimension picks the channel (so VEGAS adapts the channel fractions)
and every channel has its own eight dimensions. No generator-level cut is needed: the lepton masses
(and the pion mass for μμππ) regulate every peak and σ is finite. The VEGAS grid has 100
increments per dimension (not 500: in 41–57 dimensions the finer grid followed the training
points' noise and starved regions whose few points then set the unweighting maximum) and 600k
points; unweighting efficiency on the grid (seeds 1, 2), with ISR / Born: 4μ 9.4–9.6% / 9.8–10.2%
(500 increments, 300k points: 7.7–7.9% / 8.9%), μμττ 10.4–10.6% / 11.3–11.5% (7.8–8.3% /
9.5%), μμππ 9.4–9.5% / 10.1–10.4% (8.0% / 9.0%). The largest weights are spread over every
channel (the conversion channel holds 70% of σ and half of them; no starved region: the
defensive flat mixture of :mod:`.radiative_qed` left the efficiency unchanged). A point reads
the six ISR numbers, the channel selector and its channel's eight: 15 of 47–55 dimensions, and
it is weighted by those alone (:mod:`darkscan.generate.multichannel`, 2026-12-06): with ISR 4μ
9.4–9.6% → 12.4–12.8%, μμττ 10.4–10.6% → 15.9–16.3%, μμππ 9.4–9.5% → 11.9–12.0% (seeds 1, 2;
σ unchanged within its error, which fell by 10–20%).

Pions (``ee_mumupipi``, slots μ⁻ μ⁺ π⁻ π⁺): the π⁻π⁺ pair couples to a virtual photon through
the current F_π(q²)(p₋ − p₊)^μ of scalar QED (:func:`pion_current`; F_π of
:mod:`darkscan.physics.hadronic`: Gounaris–Sakurai ρ–ω–ρ′, validated against the measured ρ
peak and charge radius). 7 diagrams: the ππ pair off μ⁻ or μ⁺ (2, the dominant ones: μμ and a
light hadronic pair), the electron line emitting γ*(q_μμ) and γ*(q_ππ) (2), and e⁺e⁻ → γ*(s) →
π⁺π⁻ with the μμ photon radiated off π⁻ or π⁺ plus the seagull (3, :func:`pion_line`). Form
factors: F_π(q_ππ²) on the pair's current, F_π(s) on the whole pion-line set (emissions and
seagull, point-like coupling of the radiated photon, as PHOKHARA's FSR): an overall factor on
each gauge-invariant set, so every Ward identity holds (checked to ~1e-12,
:func:`ward_identity_ratios`). Signs: the π⁺ charge is opposite to the leptons', so relative to
a lepton pair the one pion vertex of the first four diagrams flips sign (the current's
(p₋ − p₊)) and the two of the pion line do not; the relative sign of beam-line and pion-line
diagrams, which no Ward identity fixes, is checked by the soft-photon theorem
(:func:`pion_soft_pair_deviation`). Phase space: the channels above with every ππ mass sampled on
the ρ–ω line shape (:func:`map_pion_pair`), and a soft ππ pair off the beams (the ρ radiated
from the beams with μμ taking the rest: the largest weights before it had a channel), no channel
for the μμ pair off the pions (∝ |F_π(s)|² ≈ 5·10⁻⁵) nor the soft μμ pair (1% of σ). The pions
are final-state particles (±211, decayed in flight by the detector simulation) and radiate no
FSR (the μμ dipole only).

Numbers at √s = 10.58 GeV (300k-point grids, seed 1): σ_Born(μμππ) = 0.4307 ± 0.0012 pb,
with ISR and running α 0.4982 ± 0.0015 pb (500 increments per dimension; 100: 0.4314 ±
0.0012 and 0.4982 ± 0.0014 pb). 82% of σ has 0.6 < m_ππ < 0.95 GeV (the ρ–ω region), 13% lies below,
5% in 0.95–1.5 GeV, 0.15% above. σ(μμππ)/σ(4μ) = 0.498/0.382 = 1.30 with ISR (1.29 Born):
expected ≈ 2 P_ππ/P_μμ = 1.14 from the leading logarithms, P_ℓℓ = ∫(1 + 2m²/q²)β dq²/q² = 7.5 and
P_ππ = ∫β³|F_π|²/4 dq²/q² = 4.3 the pair-emission weights of a virtual photon (the 2: σ(4μ) is
half the σ of two distinct lepton pairs of the muon mass, its factor 1/4 against its two
pairings); the ρ's |F_π|² ≈ 44 makes a ππ pair nearly as likely as a μμ pair.

Radiation: ISR by the engine (s-channel Kuraev–Fadin structure function; the conversion diagrams
annihilate the beams as well). FSR: collinear LL on two ℓ⁺ℓ⁻ dipoles (``fsr`` pairs (0,1) and
(2,3)); for 4μ the event record is ordered so that these are the pairing that contains the
lightest μ⁺μ⁻ pair, the one a virtual photon made: a light, nearly collinear pair is nearly neutral
and radiates little (its small pair-mass exponent), the other pair radiates with the large one.
Not included: the inclusive O(α) FSR normalisation (+0.2% for μμ), interference of radiation from
different dipoles. The τ of μμττ are left undecayed (status 1) in the hard record: the framework's
last step (:func:`darkscan.generate.registry.finish_decays`) decays them with Pythia, after a
search's truth filter (unpolarised: the τ spin correlations are not kept).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from darkscan.generate import helas as h
from darkscan.generate import helas_kernels as _k
from darkscan.generate.engine import Decayed, EEProcess
from darkscan.generate.integrate import Grid, build_grid
from darkscan.generate.isr import alpha_running
from darkscan.generate.phase_space import (
    MassMap,
    log_table,
    map_pole,
    map_tabulated,
    rest_frame_p4,
    two_body,
)
from darkscan.generate.processes.radiative_qed import (
    current_row,
    dress_column,
    dress_row,
    mdot,
    slashes,
)
from darkscan.generate.registry import register
from darkscan.jit import jit_exact
from darkscan.physics.constants import (
    ALPHA,
    GEV2_TO_PB,
    M_MU,
    M_PI,
    M_TAU,
    PDG_MUON,
    PDG_PION,
    PDG_TAU,
)
from darkscan.physics.hadronic import pion_form_factor

Array = np.ndarray
DIMS_PER_CHANNEL = 8
#: VEGAS increments per dimension of the integration grid (:meth:`FourLepton.grid`)
VEGAS_INCREMENTS = 100
_LOWER = h.METRIC.astype(complex)


# ---------------------------------------------------------------------------------------------
# matrix element
# ---------------------------------------------------------------------------------------------
def _bc(a: Array, shape: tuple[int, ...]) -> Array:
    """``a`` broadcast to ``shape`` and flattened to (m, 4) rows (what the helas kernels take)."""
    return np.broadcast_to(a, shape).reshape(-1, 4)


# The lines below call the compiled helas kernels on (n, 4) slices of preallocated stacks, one
# call per helicity/current configuration: the helas wrappers would allocate each output and the
# broadcasting of every (helicity × current) combination to full rows copied more memory than
# the kernels read (a third of the time of the first version).
def _slash(q: Array, f: Array, m: float, left: bool, divide: bool, out: Array) -> None:
    """out = ψ̄(q̸ + m)[/(q² − m²)] (``left``) or (q̸ + m)ψ[/(q² − m²)] (:mod:`helas_kernels`)."""
    _k.slash_apply(q, f, m, 1.0, 1.0, left, divide, 0.0, out)


def pair_current(ubar: Array, v: Array, q: Array, e2: Array) -> Array:
    """(e²(q²)/q²) ū γ^μ v of a lepton pair ℓ⁻ℓ⁺ for the 4 helicity pairs, index 2c + d for
    (ū_c, v_d): the pair as the source of a virtual photon, propagator included. ``ubar``, ``v``
    (2, n, 4) (helicity −1, +1), ``q`` (n, 4) the pair momentum."""
    n = q.shape[0]
    out = np.empty((4, n, 4), dtype=complex)
    for c in range(2):
        for d in range(2):
            _k.current(ubar[c], v[d], 1.0, 1.0, out[2 * c + d])
    out *= (e2 / h.dot(q, q))[:, None]
    return out


def dressed_line(ubar: Array, v: Array, p_minus: Array, p_plus: Array, x: Array, qx: Array,
                 mass: float = M_MU) -> Array:
    """A lepton line ū(p₋) … v(p₊) of mass ``mass`` with the vector current x (k, n, 4) of
    momentum ``qx`` inserted at either end, the open index for a second photon:

        K^μ = ū X̸ S(p₋ + q_x) γ^μ v + ū γ^μ S(−p₊ − q_x) X̸ v,   S(p) = (p̸ + m)/(p² − m²),

    shape (2, 2, k, n, 4) over (ū helicity, v helicity, current). Each dressed spinor is built
    once per (helicity, current) and reused for every helicity of the other end."""
    k, n = x.shape[0], x.shape[1]
    x = np.ascontiguousarray(x)
    p_left = np.ascontiguousarray(p_minus + qx)
    p_right = np.ascontiguousarray(-(p_plus + qx))
    left = np.empty((2, k, n, 4), dtype=complex)
    right = np.empty((2, k, n, 4), dtype=complex)
    tmp = np.empty((n, 4), dtype=complex)
    for c in range(2):
        for j in range(k):
            _slash(x[j], ubar[c], 0.0, True, False, tmp)          # ū X̸
            _slash(p_left, tmp, mass, True, True, left[c, j])      # … S(p₋ + q_x)
            _slash(x[j], v[c], 0.0, False, False, tmp)             # X̸ v
            _slash(p_right, tmp, mass, False, True, right[c, j])   # S(−p₊ − q_x) …
    out = np.empty((2, 2, k, n, 4), dtype=complex)
    for c in range(2):
        for d in range(2):
            for j in range(k):
                _k.current(left[c, j], v[d], 1.0, 1.0, out[c, d, j])
                _k.current(ubar[c], right[d, j], 1.0, 1.0, tmp)
                out[c, d, j] += tmp
    return out


def pion_current(p_minus: Array, p_plus: Array, e2: Array) -> Array:
    """(e²(q²)/q²) F_π(q²) (p₋ − p₊)^μ of a π⁻(p₋)π⁺(p₊) pair, shape (1, n, 4) (one "helicity"):
    the scalar-QED current of the pair as the source of a virtual photon, propagator and form
    factor included. The sign is the π⁺ charge's relative to the leptons' (module docstring:
    with it the diagrams add as the lepton ones do)."""
    q = p_minus + p_plus
    q2 = h.dot(q, q)
    return ((e2 * pion_form_factor(q2) / q2)[:, None] * (p_minus - p_plus))[None]


def pion_line(p_minus: Array, p_plus: Array, x: Array, qx: Array, ff_s: Array,
              mass: float = M_PI) -> Array:
    """The π⁻(p₋)π⁺(p₊) line made by the s-channel photon with the vector current x (k, n, 4)
    of momentum ``qx`` radiated off it, the open index for the s-channel photon (scalar QED: two
    emissions and the seagull, the whole times F_π(s) = ``ff_s``):

        K^μ = F_π(s) [(p₊ + q − p₋)^μ (2p₊ + q)·x / D₊ − (p₊ − p₋ − q)^μ (2p₋ + q)·x / D₋
                      − 2x^μ],   D± = (p± + q)² − m_π²,

    shape (1, 1, k, n, 4) like :func:`dressed_line`'s (no pion helicities). q·K = 0 and
    (p₊ + p₋ + q)·K = 0 for a conserved x: the Ward identities of both photons."""
    d_plus = h.dot(p_plus + qx, p_plus + qx) - mass**2
    d_minus = h.dot(p_minus + qx, p_minus + qx) - mass**2
    c_plus = (h.dot(x, 2 * p_plus + qx) / d_plus)[..., None]
    c_minus = (h.dot(x, 2 * p_minus + qx) / d_minus)[..., None]
    out = (p_plus + qx - p_minus) * c_plus - (p_plus - p_minus - qx) * c_minus - 2 * x
    return (ff_s[:, None] * out)[None, None]


def electron_line(vb2: Array, u1: Array, x: Array, p_between: Array) -> Array:
    """v̄(p₂) X̸ S(p_between) γ^ν u(p₁) for the two beam helicity configurations (axis 0) and the
    currents x (k, n, 4): the electron line of the conversion diagrams with one photon current
    inserted next to the e⁺ and the open index next to the e⁻ (massless electron propagator;
    ``p_between`` = p₁ − q of the photon emitted first). Shape (2, k, n, 4)."""
    k, n = x.shape[0], x.shape[1]
    x = np.ascontiguousarray(x)
    p_between = np.ascontiguousarray(p_between)
    out = np.empty((2, k, n, 4), dtype=complex)
    tmp = np.empty((n, 4), dtype=complex)
    row = np.empty((n, 4), dtype=complex)
    for b in range(2):
        for j in range(k):
            _slash(x[j], vb2[b], 0.0, True, False, tmp)
            _slash(p_between, tmp, 0.0, True, True, row)
            _k.current(row, u1[b], 1.0, 1.0, out[b, j])
    return out


class Legs:
    """External wave functions of one batch, each computed once: beams in the two helicity
    configurations that do not vanish, (λ₁, λ₂) = (−1, +1), (+1, −1), and both helicities
    (−1, +1) of every lepton; ``je`` the e⁺e⁻ current v̄γ^μu per beam configuration. ``leptons``
    (a⁻, a⁺, b⁻, b⁺) = labels 3…6, ``masses`` (m_a, m_b); ``m`` the mass per label. With
    ``pions`` the pair b is π⁻π⁺ (no spinors, one "helicity" each, ``ff_s`` = F_π(s)); a pair's
    current and a line dressed with a current come from :meth:`current` and :meth:`line`,
    which know the kind of each pair."""

    def __init__(self, p1: Array, p2: Array, leptons: tuple[Array, Array, Array, Array],
                 masses: tuple[float, float] = (M_MU, M_MU), pions: bool = False) -> None:
        u1 = h.spinors("u", p1, 0.0)
        vb2 = h.spinors("vbar", p2, 0.0)
        self.p1, self.p2 = p1, p2
        self.u1 = np.stack([u1[-1], u1[1]])
        self.vb2 = np.stack([vb2[1], vb2[-1]])
        self.je = h.vector_current(_bc(self.vb2, self.vb2.shape), _bc(self.u1, self.u1.shape)
                                   ).reshape(self.u1.shape)
        self.p = dict(zip((3, 4, 5, 6), leptons, strict=True))
        self.m = dict(zip((3, 4, 5, 6), np.repeat(masses, 2).tolist(), strict=True))
        self.pions = pions
        #: helicity states per leg of pair b
        self.n_hel_b = 1 if pions else 2
        fermions = (3, 4) if pions else (3, 4, 5, 6)
        self.ubar = {i: np.stack(list(h.spinors("ubar", self.p[i], self.m[i]).values()))
                     for i in fermions[::2]}
        self.v = {i: np.stack(list(h.spinors("v", self.p[i], self.m[i]).values()))
                  for i in fermions[1::2]}
        if pions:
            self.ff_s = pion_form_factor(h.dot(p1 + p2, p1 + p2))

    def _is_pion_pair(self, pair: tuple[int, int]) -> bool:
        return self.pions and pair == (5, 6)

    def current(self, pair: tuple[int, int], e2: Array) -> Array:
        """The pair's current with its photon propagator, (4, n, 4) for leptons
        (:func:`pair_current`), (1, n, 4) for pions (:func:`pion_current`); ``e2`` = e²(q²)."""
        i, j = pair
        if self._is_pion_pair(pair):
            return pion_current(self.p[i], self.p[j], e2)
        q = self.p[i] + self.p[j]
        return pair_current(self.ubar[i], self.v[j], q, e2)

    def line(self, pair: tuple[int, int], x: Array, qx: Array) -> Array:
        """The pair's line with the current x of momentum ``qx`` radiated off it, the open index
        for the s-channel photon: :func:`dressed_line` or :func:`pion_line`."""
        i, j = pair
        if self._is_pion_pair(pair):
            return pion_line(self.p[i], self.p[j], x, qx, self.ff_s, self.m[i])
        return dressed_line(self.ubar[i], self.v[j], self.p[i], self.p[j], x, qx, self.m[i])


def pairing_amplitudes(legs: Legs, a: tuple[int, int], b: tuple[int, int], je_s: Array,
                       ja: Array, jb: Array) -> dict[str, Array]:
    """The six diagrams of the pairing with lines a = (ℓ⁻, ℓ⁺) and b, by class, each (2, 2, 2, 2,
    2, n) over (beam configuration, a₋, a₊, b₋, b₊ helicities):

    - ``fsr_a``: the s-channel photon on line a, the pair b (current ``jb``) off either end of a;
    - ``fsr_b``: the same with a and b exchanged (for pions: the pion line with F_π(s), two
      emissions and the seagull);
    - ``conversion``: both pair currents off the electron line (t and u channel).

    With pions as pair b its two helicity axes have length 1.

    ``je_s`` (2, n, 4): the e⁺e⁻ current times e²(s)/s; ``ja``, ``jb`` (4, n, 4): the pair
    currents with their propagators (:func:`pair_current`). Taking the currents as arguments lets
    the tests replace one by its momentum (Ward identities)."""
    n = je_s.shape[1]
    hb = legs.n_hel_b if b == (5, 6) else 2
    shape = (2, 2, 2, hb, hb, n)
    qa, qb = legs.p[a[0]] + legs.p[a[1]], legs.p[b[0]] + legs.p[b[1]]
    ka = legs.line(a, jb, qb)
    kb = legs.line(b, ja, qa)
    # contractions as explicit einsums (the Minkowski metric on the left factor)
    je = je_s * _LOWER
    fsr_a = np.einsum("lni,xni->lxn", je, ka.reshape(-1, n, 4), optimize=True).reshape(shape)
    fsr_b = np.einsum("lni,xni->lxn", je, kb.reshape(-1, n, 4), optimize=True
                      ).reshape(2, hb, hb, 2, 2, n).transpose(0, 3, 4, 1, 2, 5)
    # photon b emitted first (next to e⁻), a next to e⁺: open index contracts jb; and vice versa
    ea = electron_line(legs.vb2, legs.u1, ja, legs.p1 - qb)
    eb = electron_line(legs.vb2, legs.u1, jb, legs.p1 - qa)
    conv = (np.einsum("lani,bni->labn", ea * _LOWER, jb, optimize=True)
            + np.einsum("lbni,ani->labn", eb * _LOWER, ja, optimize=True))
    return {"fsr_a": fsr_a, "fsr_b": fsr_b, "conversion": conv.reshape(shape)}


def coupling_e2(rc: bool) -> Callable[[Array], Array]:
    """q² ↦ e²: 4πα(q²) (running, per photon propagator) when ``rc``, else 4πα(0)."""
    if rc:
        return lambda q2: 4.0 * np.pi * alpha_running(q2)
    return lambda q2: np.full(np.shape(q2), 4.0 * np.pi * ALPHA)


def amplitudes(legs: Legs, e2: Callable[[Array], Array], identical: bool) -> Array:
    """M = M(3,4; 5,6), minus M(3,6; 5,4) when ``identical`` (a = b, Fermi statistics), shape
    (2, 2, 2, 2, 2, n) over (beam configuration, λ₃, λ₄, λ₅, λ₆) ((2, 2, 2, 1, 1, n) with
    pions)."""
    p = legs.p
    s = h.dot(legs.p1 + legs.p2, legs.p1 + legs.p2)
    je_s = legs.je * (e2(s) / s)[:, None]
    pairs = ((3, 4), (5, 6), (3, 6), (5, 4)) if identical else ((3, 4), (5, 6))
    cur = {}
    for i, j in pairs:
        q = p[i] + p[j]
        cur[i, j] = legs.current((i, j), e2(h.dot(q, q)))
    direct = sum(pairing_amplitudes(legs, (3, 4), (5, 6), je_s, cur[3, 4], cur[5, 6]).values())
    if not identical:
        return direct
    crossed = pairing_amplitudes(legs, (3, 6), (5, 4), je_s, cur[3, 6], cur[5, 4])
    # the crossed pairing's axes are (λ₃, λ₆, λ₅, λ₄): back to (λ₃, λ₄, λ₅, λ₆)
    return direct - sum(crossed.values()).transpose(0, 1, 4, 3, 2, 5)


# One compiled pass per batch for lepton pairs (what generation calls): per event the 12 spinors,
# the pair and beam currents, the dressed lines and electron lines of :func:`pairing_amplitudes`
# in registers and small work arrays, the 32 amplitudes summed to Σ|M|² (the numpy path above
# made ~370 kernel passes over (n, 4) rows plus einsums and was limited by memory traffic). The
# dressings and currents are :mod:`.radiative_qed`'s; :func:`pairing_amplitudes` stays the
# reference the tests compare with.
@jit_exact
def _line_currents(wf: Array, ua: int, va: int, je: Array, p_minus: Array, p_plus: Array,
                   q: Array, m: float, pl: Array, pr: Array, w: Array, out: Array) -> None:
    """The lepton line ū = wf[ua + c], v = wf[va + d] (momenta ``p_minus``, ``p_plus``, mass
    ``m``) with the s-channel current je[b] at either end and the open index for the pair photon
    of momentum ``q``: out[4b + 2c + d] = ū γ^ν S(p₋ + q) ĵe v + ū ĵe S(−p₊ − q) γ^ν v, so that
    its contraction with the pair current x is je·K of :func:`dressed_line` (the two beam
    currents dressed first: half the work of dressing with the four pair currents). ``pl``,
    ``pr``: work rows for the propagator momenta; ``w`` (8, 4) for the dressed spinors."""
    for k in range(4):
        pl[k] = p_minus[k] + q[k]
        pr[k] = -(p_plus[k] + q[k])
    dl = 1.0 / (pl[3] * pl[3] - pl[0] * pl[0] - pl[1] * pl[1] - pl[2] * pl[2] - m * m)
    dr = 1.0 / (pr[3] * pr[3] - pr[0] * pr[0] - pr[1] * pr[1] - pr[2] * pr[2] - m * m)
    sl = np.empty((4, 4), dtype=np.complex128)  # ĵe of both beam configurations, p_l, p_r
    slashes(je[0], sl, 0)
    slashes(je[1], sl, 1)
    slashes(pl, sl, 2)
    slashes(pr, sl, 3)
    for b in range(2):
        for c in range(2):
            dress_column(sl, b, wf, va + c, sl, 2, m, dl, w, 4 * b + c)    # S(p₋ + q) ĵe v
            dress_row(sl, b, wf, ua + c, sl, 3, m, dr, w, 4 * b + 2 + c)   # ū ĵe S(−p₊ − q)
    for b in range(2):
        for c in range(2):
            for d in range(2):
                o = 4 * b + 2 * c + d
                current_row(wf, ua + c, w, 4 * b + d, out, o, False)
                current_row(w, 4 * b + 2 + c, wf, va + d, out, o, True)


@jit_exact
def _electron_currents(wf: Array, x: Array, p_between: Array, out: Array) -> None:
    """out[4b + j] += v̄₂ x̸_j S(p_between) γ^ν u₁ (:func:`electron_line`) for the beam
    configuration b (u₁ = wf[b], v̄₂ = wf[2 + b]) and the currents x[j]. The beams are massless
    with the helicities of :class:`Legs`: in b = 0 (λ₁, λ₂) = (−1, +1), u₁ has only its upper
    Weyl half and v̄₂ its lower one, in b = 1 the other halves, and every slash swaps the halves:
    the products of :func:`.radiative_qed.dress_row` and ``current_row`` that meet a zero half are
    left out (the same sums without their exact zeros)."""
    q = p_between
    d = 1.0 / (q[3] * q[3] - q[0] * q[0] - q[1] * q[1] - q[2] * q[2])
    qm, qp = q[0] - 1j * q[1], q[0] + 1j * q[1]
    qe, qf = q[3] - q[2], q[3] + q[2]
    for j in range(4):
        e = x[j]
        pm, pp = e[0] - 1j * e[1], e[0] + 1j * e[1]
        em, ep = e[3] - e[2], e[3] + e[2]
        # b = 0: v̄₂ = (0, 0, a₂, a₃), u₁ = (c₀, c₁, 0, 0)
        a2, a3 = wf[2, 2], wf[2, 3]
        b0, b1 = a2 * ep + a3 * pp, a2 * pm + a3 * em
        r2, r3 = (b0 * qe - b1 * qp) * d, (-b0 * qm + b1 * qf) * d
        c0, c1 = wf[0, 0], wf[0, 1]
        out[j, 0] += -r2 * c1 - r3 * c0
        out[j, 1] += 1j * (r2 * c1 - r3 * c0)
        out[j, 2] += -r2 * c0 + r3 * c1
        out[j, 3] += r2 * c0 + r3 * c1
        # b = 1: v̄₂ = (a₀, a₁, 0, 0), u₁ = (0, 0, c₂, c₃)
        a0, a1 = wf[3, 0], wf[3, 1]
        b2, b3 = a0 * em - a1 * pp, -a0 * pm + a1 * ep
        r0, r1 = (b2 * qf + b3 * qp) * d, (b2 * qm + b3 * qe) * d
        c2, c3 = wf[1, 2], wf[1, 3]
        out[4 + j, 0] += r0 * c3 + r1 * c2
        out[4 + j, 1] += 1j * (r1 * c2 - r0 * c3)
        out[4 + j, 2] += r0 * c2 - r1 * c3
        out[4 + j, 3] += r0 * c2 + r1 * c3


@jit_exact
def _pair_current_rows(wf: Array, u: int, v: int, coef: float, out: Array) -> None:
    """out[2c + d] = coef · ū γ^μ v, ū = wf[u + c], v = wf[v + d] (:func:`pair_current`)."""
    for c in range(2):
        for d in range(2):
            current_row(wf, u + c, wf, v + d, out, 2 * c + d, False)
            for k in range(4):
                out[2 * c + d, k] *= coef


@jit_exact
def _pairing_into(wf: Array, je: Array, p1: Array, pa_m: Array, pa_p: Array, pb_m: Array,
                  pb_p: Array, ua: int, va: int, ub: int, vb: int, ma: float, mb: float,
                  ca: float, cb: float, crossed: bool, work: tuple, amp: Array) -> None:
    """Adds the six diagrams of the pairing with lines a = (wf[ua…], wf[va…]) and b to ``amp``
    (32 = (beam, λ₃, λ₄, λ₅, λ₆), 0 = helicity −1), subtracted with the helicities of the
    crossed pairing (3,6)(5,4) (lines a = (3, 6), b = (5, 4)) when ``crossed``."""
    ja, jb, w, ka, kb, qa, qb, pt, pl, pr = work
    _pair_current_rows(wf, ua, va, ca, ja)
    _pair_current_rows(wf, ub, vb, cb, jb)
    for k in range(4):
        qa[k] = pa_m[k] + pa_p[k]
        qb[k] = pb_m[k] + pb_p[k]
    _line_currents(wf, ua, va, je, pa_m, pa_p, qb, ma, pl, pr, w, ka)
    _line_currents(wf, ub, vb, je, pb_m, pb_p, qa, mb, pl, pr, w, kb)
    for k in range(4):
        pt[k] = p1[k] - qb[k]
    # the conversion diagrams have the same open index: added to the lines' (photon b next to
    # the e⁻ and a next to the e⁺ contracts jb, as ka does; the other order ja, as kb)
    _electron_currents(wf, ja, pt, ka)
    for k in range(4):
        pt[k] = p1[k] - qa[k]
    _electron_currents(wf, jb, pt, kb)
    for b in range(2):
        for x in range(4):      # (c, d) of line a
            for y in range(4):  # (c′, d′) of line b
                z = mdot(ka, 4 * b + x, jb, y) + mdot(kb, 4 * b + y, ja, x)
                if crossed:  # a = (λ₃, λ₆), b = (λ₅, λ₄)
                    l3, l6, l5, l4 = x // 2, x % 2, y // 2, y % 2
                    amp[16 * b + 8 * l3 + 4 * l4 + 2 * l5 + l6] -= z
                else:
                    amp[16 * b + 4 * x + y] += z


@jit_exact
def _four_lepton_kernel(wf_in: Array, p1: Array, p: Array, masses: Array, coef: Array,
                        identical: bool, me2: Array) -> None:
    """Per event Σ|M|² over the 32 helicity amplitudes of :func:`amplitudes` (lepton pairs) into
    ``me2`` (without the spin average). ``wf_in`` (n, 12, 4): u₁, v̄₂ in the beam configurations
    (−1, +1), (+1, −1) (rows 0, 1 and 2, 3), ū₃, v₄, ū₅, v₆ with helicity −1, +1 (rows 4…11);
    ``p`` (n, 4, 4) the leptons 3…6; ``masses`` (m_a, m_b); ``coef`` (n, 5): e²/q² of the
    s-channel photon and of the pairs (3,4), (5,6), (3,6), (5,4)."""
    wf = np.empty((12, 4), dtype=np.complex128)
    je = np.empty((2, 4), dtype=np.complex128)
    amp = np.empty(32, dtype=np.complex128)
    work = (np.empty((4, 4), dtype=np.complex128), np.empty((4, 4), dtype=np.complex128),
            np.empty((8, 4), dtype=np.complex128),
            np.empty((8, 4), dtype=np.complex128), np.empty((8, 4), dtype=np.complex128),
            np.empty(4), np.empty(4), np.empty(4),
            np.empty(4), np.empty(4))
    ma, mb = masses[0], masses[1]
    for i in range(p.shape[0]):
        for r in range(12):
            for k in range(4):
                wf[r, k] = wf_in[i, r, k]
        for b in range(2):
            current_row(wf, 2 + b, wf, b, je, b, False)
            for k in range(4):
                je[b, k] *= coef[i, 0]
        amp[:] = 0.0
        _pairing_into(wf, je, p1[i], p[i, 0], p[i, 1], p[i, 2], p[i, 3], 4, 6, 8, 10, ma, mb,
                      coef[i, 1], coef[i, 2], False, work, amp)
        if identical:
            _pairing_into(wf, je, p1[i], p[i, 0], p[i, 3], p[i, 2], p[i, 1], 4, 10, 8, 6, ma,
                          mb, coef[i, 3], coef[i, 4], True, work, amp)
        total = 0.0
        for k in range(32):
            total += amp[k].real * amp[k].real + amp[k].imag * amp[k].imag
        me2[i] = total


def me2_four_lepton_compiled(legs: Legs, e2: Callable[[Array], Array], identical: bool
                             ) -> Array:
    """Σ|M|² of :func:`amplitudes` for lepton pairs in one compiled pass
    (:func:`_four_lepton_kernel`; no spin average)."""
    p = np.ascontiguousarray(np.stack([legs.p[i] for i in (3, 4, 5, 6)], axis=1), dtype=float)
    rows = [legs.u1, legs.vb2, legs.ubar[3], legs.v[4], legs.ubar[5], legs.v[6]]
    wf = np.ascontiguousarray(np.concatenate(rows, axis=0).transpose(1, 0, 2))
    s = h.dot(legs.p1 + legs.p2, legs.p1 + legs.p2)
    cols = [e2(s) / s]
    for i, j in ((3, 4), (5, 6), (3, 6), (5, 4)) if identical else ((3, 4), (5, 6)):
        q2 = h.dot(legs.p[i] + legs.p[j], legs.p[i] + legs.p[j])
        cols.append(e2(q2) / q2)
    coef = np.zeros((len(s), 5))
    coef[:, :len(cols)] = np.stack(cols, axis=1)
    out = np.empty(len(s))
    _four_lepton_kernel(wf, np.ascontiguousarray(legs.p1, dtype=float), p,
                        np.array([legs.m[3], legs.m[5]]), coef, identical, out)
    return out


def me2_four_lepton(p1: Array, p2: Array, p3: Array, p4: Array, p5: Array, p6: Array,
                    masses: tuple[float, float], identical: bool, rc: bool = False,
                    pions: bool = False) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → a⁻(p3)a⁺(p4)b⁻(p5)b⁺(p6), ``masses`` (m_a, m_b): the
    6 tree-level QED diagrams of one pairing, 12 with the exchange term when ``identical``
    (module docstring), without any identical-particle factor; with ``pions`` b⁻b⁺ = π⁻π⁺ (7
    diagrams of scalar QED with F_π)."""
    legs = Legs(p1, p2, (p3, p4, p5, p6), masses, pions)
    if not pions:
        return 0.25 * me2_four_lepton_compiled(legs, coupling_e2(rc), identical)
    m = amplitudes(legs, coupling_e2(rc), identical)
    return 0.25 * np.sum(m.real**2 + m.imag**2, axis=(0, 1, 2, 3, 4))


def me2_four_muon(p1: Array, p2: Array, p3: Array, p4: Array, p5: Array, p6: Array,
                  rc: bool = False) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → μ⁻(p3)μ⁺(p4)μ⁻(p5)μ⁺(p6), all 12 tree-level QED
    diagrams (module docstring), without the identical-particle factor 1/4."""
    return me2_four_lepton(p1, p2, p3, p4, p5, p6, (M_MU, M_MU), True, rc)


def me2_mumutautau(p1: Array, p2: Array, p3: Array, p4: Array, p5: Array, p6: Array,
                   rc: bool = False) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → μ⁻(p3)μ⁺(p4)τ⁻(p5)τ⁺(p6), the 6 tree-level QED
    diagrams of its one pairing."""
    return me2_four_lepton(p1, p2, p3, p4, p5, p6, (M_MU, M_TAU), False, rc)


def fsr_factorisation_ratio(q2: float, n: int, rng: np.random.Generator,
                            sqrt_s: float = 10.58, m_pair: float = M_MU, pions: bool = False
                            ) -> Array:
    """The virtual-photon splitting, checked point by point: for the FSR diagrams of one pairing
    with the pair (5,6) of mass ``m_pair`` attached to the muon line (3,4), summed over the pair's
    spins and averaged over its decay direction in its rest frame at fixed q² = (p₅ + p₆)²,

        ⟨Σ|M_fsr|²⟩_Ω = (4e²/(3q²)) (1 + 2m²/q²) Σ|M(e⁺e⁻ → μ⁺μ⁻V)|²(m_V = √q², g_V = e),

    because Σ ∫dΦ₂ ū₅γ^μv₆ (ū₅γ^νv₆)* = (4/3)(1 + 2m²/q²)(β/8π)(q^μq^ν − q²g^μν) and the q^μq^ν
    part meets a conserved current. With dΦ₄ = dΦ₃ dq²/(2π) dΦ₂ this is
    dσ/dq² = σ(μμV; m_V = √q², g_V = e) · α/(3πq²) · β(1 + 2m²/q²), β = √(1 − 4m²/q²)
    (Kroll–Wada, Phys. Rev. 98 (1955) 1355; Budnev et al., Phys. Rept. 15 (1975) 181); m = m_μ
    for 4μ, m_τ for the ττ pair of μμττ. A π⁻π⁺ pair (``pions``, m = m_π) has no spins:
    ∫dΦ₂ |F_π|²(p₊ − p₋)^μ(p₊ − p₋)^ν = (β²|F_π(q²)|²/4)(β/8π)(4/3)(q^μq^ν − q²g^μν), the
    factor 4(1 + 2m²/q²) above becomes β²|F_π(q²)|² (dσ/dq² = σ(μμV)·α/(12πq²)·β³|F_π|²). The
    pair's spin sum is quadratic in its direction, so
    a 3 × 5 Gauss–Legendre × uniform-φ rule is exact. Returns the ratio left/right at ``n``
    random (p₃, p₄, q) points (1 to rounding); the right side is
    :func:`.mumu_resonance.me2_mumux`."""
    from darkscan.generate.processes.mumu_resonance import kinematics_mumux, me2_mumux

    mv = float(np.sqrt(q2))
    e2 = 4.0 * np.pi * ALPHA
    p1, p2, p, _ = kinematics_mumux(rng.random((n, 5)), np.full(n, sqrt_s), mv)
    p3, p4, q = p[:, 0], p[:, 1], p[:, 2]
    splitting = (1 - 4 * m_pair**2 / q2) * abs(pion_form_factor(q2)) ** 2 if pions \
        else 4 * (1 + 2 * m_pair**2 / q2)
    right = (e2 / (3 * q2)) * splitting \
        * me2_mumux(p1, p2, p3, p4, q, mv, float(np.sqrt(e2)), e2, True)
    nodes, weights = np.polynomial.legendre.leggauss(3)
    s = h.dot(p1 + p2, p1 + p2)
    left = np.zeros(n)
    for c, wc in zip(nodes, weights, strict=True):
        for phi in 2 * np.pi * np.arange(5) / 5:
            p5, p6, _ = two_body(q, m_pair, m_pair, np.full(n, c), np.full(n, phi))
            legs = Legs(p1, p2, (p3, p4, p5, p6), (M_MU, m_pair), pions)
            jb = legs.current((5, 6), np.full(n, e2))
            ja = np.zeros((4, n, 4), dtype=complex)  # the other classes are not part of it
            amp = pairing_amplitudes(legs, (3, 4), (5, 6), legs.je * (e2 / s)[:, None], ja,
                                     jb)["fsr_a"]
            left += wc / 2 / 5 * 0.25 * np.sum(amp.real**2 + amp.imag**2, axis=(0, 1, 2, 3, 4))
    return left / right


def ward_identity_ratios(legs: Legs, e2: float = 4.0 * np.pi * ALPHA) -> dict[str, Array]:
    """Gauge invariance, photon by photon, for the pairing (3,4)(5,6): each photon's current
    replaced by its momentum (scaled like a current, e²/√|q²|), the diagrams it couples to
    relative to their size with the current (per event, the largest over helicities): ``s``
    the s-channel photon (fsr_a + fsr_b), ``a`` pair a's (fsr_b + conversion), ``b`` pair b's
    (fsr_a + conversion). QED and scalar QED are gauge invariant line by line: 0 to rounding."""
    n = len(legs.p1)
    s = h.dot(legs.p1 + legs.p2, legs.p1 + legs.p2)
    je_s = legs.je * (e2 / s)[:, None]
    ja, jb = legs.current((3, 4), np.full(n, e2)), legs.current((5, 6), np.full(n, e2))

    def as_current(q: Array, k: int) -> Array:
        scale = e2 / np.sqrt(np.abs(h.dot(q, q)))
        return np.broadcast_to(q * scale[:, None], (k, n, 4)).astype(complex)

    def size(amp: dict[str, Array], *keys: str) -> Array:
        return np.abs(sum(amp[k] for k in keys)).max(axis=(0, 1, 2, 3, 4))

    qa, qb = legs.p[3] + legs.p[4], legs.p[5] + legs.p[6]
    ref = pairing_amplitudes(legs, (3, 4), (5, 6), je_s, ja, jb)
    ward_s = pairing_amplitudes(legs, (3, 4), (5, 6), as_current(legs.p1 + legs.p2, 2), ja, jb)
    ward_a = pairing_amplitudes(legs, (3, 4), (5, 6), je_s, as_current(qa, len(ja)), jb)
    ward_b = pairing_amplitudes(legs, (3, 4), (5, 6), je_s, ja, as_current(qb, len(jb)))
    return {"s": size(ward_s, "fsr_a", "fsr_b") / size(ref, "fsr_a", "fsr_b"),
            "a": size(ward_a, "fsr_b", "conversion") / size(ref, "fsr_b", "conversion"),
            "b": size(ward_b, "fsr_a", "conversion") / size(ref, "fsr_a", "conversion")}


def pion_soft_pair_deviation(e_pair: float, n: int, rng: np.random.Generator,
                             pion_charge: float = 1.0, sqrt_s: float = 10.58) -> Array:
    """The relative sign of the pion-line diagrams, checked by the soft-photon theorem: e⁺e⁻ →
    π⁺π⁻ with a soft virtual photon (energy ``e_pair``, mass e_pair/3) converting to a pair of
    nearly massless leptons (m = 10⁻⁶ GeV) factorises as M → −M₀ (J·j_pair), M₀ = e⁺e⁻ →
    γ* → π⁺π⁻ with F_π(s), J = p₁/(p₁·k) − p₂/(p₂·k) + Q_π (p₊/(p₊·k) − p₋/(p₋·k)) the eikonal
    current of the charged legs (e⁻, e⁺ incoming; π⁺ of charge Q_π = ``pion_charge`` outgoing),
    j_pair the pair's current. Returns per event max|M − M_eik| / max|M| over the beam and pair
    helicities: O(e_pair/√s) for Q_π = +1, O(1) for the wrong sign. The beam-line (conversion)
    and pion-line diagrams dominate (the pair off the s-channel photon's line is not soft-
    enhanced); their relative sign is what no Ward identity fixes (each line is gauge invariant
    alone)."""
    m_pair, m_lep = e_pair / 3.0, 1e-6
    kabs = np.sqrt(e_pair**2 - m_pair**2)
    cos_k, phi = 2 * rng.random(n) - 1, 2 * np.pi * rng.random(n)
    sin_k = np.sqrt(1 - cos_k**2)
    k = np.stack([kabs * sin_k * np.cos(phi), kabs * sin_k * np.sin(phi), kabs * cos_k,
                  np.full(n, e_pair)], axis=-1)
    p5, p6, _ = two_body(rest_frame_p4(n, sqrt_s) - k, M_PI, M_PI, 2 * rng.random(n) - 1,
                         2 * np.pi * rng.random(n))
    p3, p4, _ = two_body(k, m_lep, m_lep, 2 * rng.random(n) - 1, 2 * np.pi * rng.random(n))
    p1, p2 = _beams(n, np.full(n, sqrt_s))
    legs = Legs(p1, p2, (p3, p4, p5, p6), (m_lep, M_PI), pions=True)
    amp = amplitudes(legs, coupling_e2(False), False)[:, :, :, 0, 0]
    e2 = 4.0 * np.pi * ALPHA
    pair = legs.current((3, 4), np.full(n, e2))
    m0 = h.dot(legs.je * (e2 / sqrt_s**2), (legs.ff_s[:, None] * (p5 - p6))[None])

    def eik(p: Array) -> Array:
        return p / h.dot(p, k)[:, None]

    current = eik(p1) - eik(p2) + pion_charge * (eik(p6) - eik(p5))
    pred = -m0[:, None, None] * h.dot(current[None], pair).reshape(2, 2, n)[None]
    return np.abs(amp - pred).max(axis=(0, 1, 2)) / np.abs(amp).max(axis=(0, 1, 2))


# ---------------------------------------------------------------------------------------------
# phase space
# ---------------------------------------------------------------------------------------------
def _beams(n: int, sqrt_s: Array) -> tuple[Array, Array]:
    e = np.broadcast_to(sqrt_s / 2.0, (n,))
    z = np.zeros(n)
    return np.stack([z, z, e, e], axis=-1), np.stack([z, z, -e, e], axis=-1)


def _angles(u: Array) -> tuple[Array, Array]:
    return 2.0 * u[:, 0] - 1.0, 2.0 * np.pi * u[:, 1]


def map_photon(u: Array, lo: Array, hi: Array) -> tuple[Array, Array]:
    """A pair's mass² ∝ 1/q² (the photon propagator times a lepton pair's current)."""
    return map_pole(u, lo, hi, 0.0)


@cache
def _pion_pair_table() -> tuple[Array, Array]:
    def density(q2: Array) -> Array:
        beta2 = np.maximum(1 - 4 * M_PI**2 / q2, 0.0)
        return (beta2**1.5 * np.abs(pion_form_factor(q2)) ** 2 + 1.0) / q2

    return log_table(density, 4 * M_PI**2, 12.0**2)


def map_pion_pair(u: Array, lo: Array, hi: Array) -> tuple[Array, Array]:
    """A π⁺π⁻ pair's mass² ∝ (β³|F_π(q²)|² + 1)/q² (the virtual photon's ππ spectral function,
    ρ–ω peak included, with a 1/q² floor for the tails), tabulated (:func:`log_table`)."""
    return map_tabulated(u, lo, hi, _pion_pair_table())


def kinematics_fsr(u: Array, sqrt_s: Array, m_line: float = M_MU, m_pair: float = M_MU,
                   pair_map: MassMap = map_photon) -> tuple[Array, Array, Array, Array, Array]:
    """FSR channel: s → (ℓ γ*) ℓ̄, γ* → ℓ'⁻ ℓ'⁺ with q² by ``pair_map`` (∝ 1/q²) on
    [4m_ℓ'², (√s − 2m_ℓ)²] and (p_ℓ + q)² ∝ 1/(m² − m_ℓ²) (``m_line`` = m_ℓ, ``m_pair`` = m_ℓ').
    Returns the emitter, the recoiling lepton, p(ℓ'⁻), p(ℓ'⁺) and dΦ₄ × Jacobian."""
    n = len(u)
    m = m_line
    q2, jq = pair_map(u[:, 0], 4 * m_pair**2, (sqrt_s - 2 * m) ** 2)
    mq = np.sqrt(q2)
    m2, jm = map_pole(u[:, 1], (m + mq) ** 2, (sqrt_s - m) ** 2, m * m)
    c1, f1 = _angles(u[:, 2:4])
    c2, f2 = _angles(u[:, 4:6])
    c3, f3 = _angles(u[:, 6:8])
    big, rec, d1 = two_body(rest_frame_p4(n, sqrt_s), np.sqrt(m2), m, c1, f1)
    emit, q, d2 = two_body(big, m, mq, c2, f2)
    p5, p6, d3 = two_body(q, m_pair, m_pair, c3, f3)
    w = d1 * d2 * d3 * (4 * np.pi) ** 3 * jq * jm / (2 * np.pi) ** 2
    return emit, rec, p5, p6, w


def _conversion_tail(u: Array, sqrt_s: Array, qa2: Array, qb2: Array, m_a: float, m_b: float
                     ) -> tuple[Array, Array, Array, Array, Array]:
    """Given the pair masses², the angle of pair a ∝ 1/|t|, t = (p₁ − q_a)² = q_a² − √s(E − |q|
    cosθ) (the forward electron propagator; |t| > 0 everywhere, its minimum (E − |q|)(√s − E −
    |q|) set by the pair masses), the pairs decaying flat (``u``: 6 columns). Returns p(a⁻),
    p(a⁺), p(b⁻), p(b⁺) and dΦ₂(s) dΦ₂(q_a) dΦ₂(q_b) × 2π × (angle Jacobian)."""
    n = len(u)
    ma, mb = np.sqrt(qa2), np.sqrt(qb2)
    e = (sqrt_s**2 + qa2 - qb2) / (2 * sqrt_s)
    pa = np.sqrt(np.maximum(e * e - qa2, 0.0))
    # |t| = a − b cosθ on [lo, lo + 2b]; E − |q| = q²/(E + |q|) keeps the digits of lo
    b = sqrt_s * pa
    lo = qa2 / (e + pa) * (sqrt_s - e - pa)
    y, jy = map_pole(u[:, 0], lo, lo + 2 * b, 0.0)
    cos_t = np.clip(1.0 - (y - lo) / np.where(b > 0, b, 1.0), -1.0, 1.0)
    qa, qb, d1 = two_body(rest_frame_p4(n, sqrt_s), ma, mb, cos_t, 2 * np.pi * u[:, 1])
    c2, f2 = _angles(u[:, 2:4])
    c3, f3 = _angles(u[:, 4:6])
    p3, p4, d2 = two_body(qa, m_a, m_a, c2, f2)
    p5, p6, d3 = two_body(qb, m_b, m_b, c3, f3)
    w = d1 * jy / np.where(b > 0, b, np.inf) * 2 * np.pi * d2 * d3 * (4 * np.pi) ** 2
    return p3, p4, p5, p6, w


def kinematics_conversion(u: Array, sqrt_s: Array, m_a: float = M_MU, m_b: float = M_MU,
                          map_a: MassMap = map_photon, map_b: MassMap = map_photon
                          ) -> tuple[Array, Array, Array, Array, Array]:
    """Conversion channel: s → γ*(q_a) γ*(q_b), the masses by ``map_a``, ``map_b`` (∝ 1/q²;
    q_a² on [4m_a², (√s − 2m_b)²], q_b² on [4m_b², (√s − √q_a²)²]), the polar angle of q_a with
    density ∝ 1/|t| (:func:`_conversion_tail`), the pairs decay flat. Returns p(a⁻), p(a⁺),
    p(b⁻), p(b⁺) and dΦ₄ × Jacobian."""
    qa2, ja = map_a(u[:, 0], 4 * m_a**2, (sqrt_s - 2 * m_b) ** 2)
    qb2, jb = map_b(u[:, 1], 4 * m_b**2, (sqrt_s - np.sqrt(qa2)) ** 2)
    *p, w = _conversion_tail(u[:, 2:], sqrt_s, qa2, qb2, m_a, m_b)
    return (*p, w * ja * jb / (2 * np.pi) ** 2)


def kinematics_soft_pair(u: Array, sqrt_s: Array, m_a: float = M_MU, m_b: float = M_MU,
                         map_a: MassMap = map_photon) -> tuple[Array, Array, Array, Array, Array]:
    """Soft-pair channel: q_a² by ``map_a`` (∝ 1/q²) as in :func:`kinematics_conversion`, then
    pair a's energy
    E_a = (s + q_a² − q_b²)/(2√s) ∝ 1/E_a, i.e. q_b² with density ∝ 1/(s + q_a² − q_b²) on
    [4m_b², (√s − √q_a²)²] (E_a ≥ √q_a²: the pair's own mass cuts the eikonal 1/E off); angle
    and decays as in the conversion. Returns p(a⁻), p(a⁺), p(b⁻), p(b⁺) and dΦ₄ × Jacobian."""
    s = sqrt_s**2
    qa2, ja = map_a(u[:, 0], 4 * m_a**2, (sqrt_s - 2 * m_b) ** 2)
    y, jy = map_pole(u[:, 1], 2 * sqrt_s * np.sqrt(qa2), s + qa2 - 4 * m_b**2, 0.0)
    *p, w = _conversion_tail(u[:, 2:], sqrt_s, qa2, s + qa2 - y, m_a, m_b)
    return (*p, w * ja * jy / (2 * np.pi) ** 2)


def _place(n: int, parts: tuple[tuple[int, Array], ...]) -> Array:
    """(n, 4, 4) momenta with each (slot, momentum) of ``parts`` in its slot."""
    p = np.empty((n, 4, 4))
    for slot, q in parts:
        p[:, slot] = q
    return p


def _m2(a: Array) -> Array:
    return h.dot(a, a)


@dataclass(frozen=True)
class FsrChannel:
    """The pair in slots ``pair`` (ℓ'⁻, ℓ'⁺) off the lepton in slot ``emitter`` (its partner in
    slot ``recoil``) of the line the s-channel photon makes (:func:`kinematics_fsr`); peak
    1/(q² D), q the pair momentum, D = (p_ℓ + q)² − m_ℓ² (photon and lepton propagator).
    Slots 0…3 = labels 3…6 = (a⁻, a⁺, b⁻, b⁺); ``pair_map`` samples the pair's mass²."""

    emitter: int
    recoil: int
    pair: tuple[int, int]
    pair_map: MassMap = map_photon

    def kinematics(self, u: Array, sqrt_s: Array, m: tuple[float, ...]) -> tuple[Array, Array]:
        emit, rec, pm, pp, w = kinematics_fsr(u, sqrt_s, m[self.emitter], m[self.pair[0]],
                                              self.pair_map)
        return _place(len(u), ((self.emitter, emit), (self.recoil, rec), (self.pair[0], pm),
                               (self.pair[1], pp))), w

    def peak(self, p: Array, p1: Array, p2: Array, s: Array, m: tuple[float, ...]) -> Array:
        b = p[:, self.pair[0]] + p[:, self.pair[1]]
        k = p[:, self.emitter] + b
        return 1.0 / (_m2(b) * (_m2(k) - m[self.emitter] ** 2))


@dataclass(frozen=True)
class ConversionChannel:
    """Both pairs off the electron line (:func:`kinematics_conversion`), pair ``first`` sampled
    first and collinear with the e⁻ (``beam`` 1: t = (p₁ − q_a)²) or with the e⁺ (``beam`` 2:
    t = (p₂ − q_a)², the u-channel peak); peak s/(q_a² q_b² |t|). ``first_map``,
    ``second_map`` sample the pair masses² (:func:`kinematics_conversion`)."""

    first: tuple[int, int]
    second: tuple[int, int]
    beam: int = 1
    first_map: MassMap = map_photon
    second_map: MassMap = map_photon

    def _place(self, u: Array, kin: tuple[Array, ...]) -> tuple[Array, Array]:
        *p, w = kin
        if self.beam == 2:  # the mirror image: pair a along the e⁺ (dΦ is parity invariant)
            p = [q * np.array([-1.0, -1.0, -1.0, 1.0]) for q in p]
        slots = (*self.first, *self.second)
        return _place(len(u), tuple(zip(slots, p, strict=True))), w

    def kinematics(self, u: Array, sqrt_s: Array, m: tuple[float, ...]) -> tuple[Array, Array]:
        return self._place(u, kinematics_conversion(u, sqrt_s, m[self.first[0]],
                                                    m[self.second[0]], self.first_map,
                                                    self.second_map))

    def _t(self, a: Array, p1: Array, p2: Array) -> Array:
        k = (p1 if self.beam == 1 else p2) - a
        return np.abs(_m2(k))

    def peak(self, p: Array, p1: Array, p2: Array, s: Array, m: tuple[float, ...]) -> Array:
        a = p[:, self.first[0]] + p[:, self.first[1]]
        b = p[:, self.second[0]] + p[:, self.second[1]]
        return s / (_m2(a) * _m2(b) * self._t(a, p1, p2))


@dataclass(frozen=True)
class SoftPairChannel(ConversionChannel):
    """Pair ``first`` soft (:func:`kinematics_soft_pair`), along the e⁻ (``beam`` 1) or the e⁺
    (2): the conversion diagrams where one pair is radiated softly off the beams and the other
    takes nearly all the energy, q_b² near (√s − √q_a²)² (the weights the conversion channel's
    1/q_b² left largest). Peak s/(q_a² |t| (s + q_a² − q_b²)): the conversion's with 1/q_b²
    replaced by 1/(2√s E_a), so the two channels split the conversion peak, the soft one where
    q_b² > 2√s E_a."""

    def kinematics(self, u: Array, sqrt_s: Array, m: tuple[float, ...]) -> tuple[Array, Array]:
        return self._place(u, kinematics_soft_pair(u, sqrt_s, m[self.first[0]],
                                                   m[self.second[0]], self.first_map))

    def peak(self, p: Array, p1: Array, p2: Array, s: Array, m: tuple[float, ...]) -> Array:
        a = p[:, self.first[0]] + p[:, self.first[1]]
        b = p[:, self.second[0]] + p[:, self.second[1]]
        qa2 = _m2(a)
        return s / (qa2 * self._t(a, p1, p2) * (s + qa2 - _m2(b)))


Channel = FsrChannel | ConversionChannel | SoftPairChannel


def peak_functions(p: Array, sqrt_s: Array, channels: tuple[Channel, ...],
                   relabellings: tuple[tuple[int, int, int, int], ...],
                   m: tuple[float, ...]) -> Array:
    """Partition functions (n, channels, relabellings): the peak structure each channel
    flattens, evaluated on the momenta ``p`` (n, 4, 4) relabelled (slot i ← ``perm[i]``)."""
    n = len(p)
    p1, p2 = _beams(n, sqrt_s)
    s = sqrt_s**2
    out = np.empty((n, len(channels), len(relabellings)))
    for r, perm in enumerate(relabellings):
        q = p[:, list(perm)]
        for c, ch in enumerate(channels):
            out[:, c, r] = ch.peak(q, p1, p2, s, m)
    return out


class FourLepton(EEProcess):
    """e⁺e⁻ → a⁻a⁺b⁻b⁺ (module docstring): the matrix element of :func:`me2_four_lepton` on the
    multichannel phase space of ``channels`` × ``relabellings`` (exact symmetries of |M|²)."""

    default_filter = "none"
    masses: tuple[float, float] = (M_MU, M_MU)
    identical: bool = False
    #: pair b is π⁻π⁺ (scalar QED with F_π, :class:`Legs`)
    pions: bool = False
    channels: tuple[Channel, ...] = ()
    #: permutations of the slots (a⁻, a⁺, b⁻, b⁺) that leave |M|² unchanged
    relabellings: tuple[tuple[int, int, int, int], ...] = ((0, 1, 2, 3),)
    #: 1/(identical-particle permutations), applied in σ (not in |M|²)
    symmetry_factor: float = 1.0
    #: integration points of the generation grid: twice the default (with the compiled |M|² the
    #: grid still takes less time than the former one at 300k points)
    grid_points = 600_000

    @property
    def slot_masses(self) -> tuple[float, float, float, float]:
        ma, mb = self.masses
        return (ma, ma, mb, mb)

    @property
    def n_diagrams(self) -> int:
        return 12 if self.identical else 7 if self.pions else 6

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 1 + len(self.channels) * DIMS_PER_CHANNEL

    def s_min(self, params: Mapping[str, float]) -> float:
        return (2.0 * sum(self.masses)) ** 2 * 1.0001

    def xsec_note(self, isr: bool) -> str:
        born = (f"tree-level {'scalar ' if self.pions else ''}QED 2→4 ({self.n_diagrams} "
                f"diagrams{', F_π' if self.pions else ''})")
        return (f"{born}, running α per photon propagator, Kuraev–Fadin ISR" if isr
                else f"{born}, α(0), no ISR")

    def grid(self, params: Mapping[str, float], isr: bool, n_points: int, seed: int) -> Grid:
        """VEGAS with :data:`VEGAS_INCREMENTS` increments per dimension instead of 500: with
        41–57 dimensions the finer grid adapted to the training points' noise and thinned out
        regions whose few points then set the largest weights (module docstring: unweighting
        efficiency with ISR 7.7–7.9% → 9.4–9.6% for 4μ, 7.8–8.3% → 10.4–10.6% for μμττ)."""
        sqrt_s = self.experiment.sqrt_s
        return build_grid(lambda x: self.evaluate(x, sqrt_s, params, isr)[0],
                          self.ndim(params, isr), n_points=n_points, seed=seed,
                          ninc=VEGAS_INCREMENTS,
                          layout=self.channel_layout(isr, DIMS_PER_CHANNEL, len(self.channels)))

    def me2(self, p1: Array, p2: Array, p: Array, rc: bool) -> Array:
        return me2_four_lepton(p1, p2, p[:, 0], p[:, 1], p[:, 2], p[:, 3], self.masses,
                               self.identical, rc, self.pions)

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        n = len(u)
        sqrt_s = np.broadcast_to(np.asarray(sqrt_s, float), (n,))
        n_ch = len(self.channels)
        channel = np.minimum((u[:, 0] * n_ch).astype(int), n_ch - 1)
        p = np.empty((n, 4, 4))
        dphi = np.empty(n)
        for c, ch in enumerate(self.channels):
            sel = channel == c
            uc = u[sel, 1 + c * DIMS_PER_CHANNEL:1 + (c + 1) * DIMS_PER_CHANNEL]
            p[sel], dphi[sel] = ch.kinematics(uc, sqrt_s[sel], self.slot_masses)
        p1, p2 = _beams(n, sqrt_s)
        me2 = self.me2(p1, p2, p, rc)
        peaks = peak_functions(p, sqrt_s, self.channels, self.relabellings, self.slot_masses)
        share = peaks[np.arange(n), channel, 0] / peaks.sum(axis=(1, 2))
        s = sqrt_s**2
        w = (n_ch * len(self.relabellings) * share * self.symmetry_factor * me2 * dphi / (2 * s)
             * GEV2_TO_PB)
        return p, w


#: the four relabellings of 4μ as index maps of (μ⁻₃, μ⁺₄, μ⁻₅, μ⁺₆): identity, μ⁻ swap, μ⁺
#: swap, both (the last exchanges the pairs)
RELABELLINGS = ((0, 1, 2, 3), (2, 1, 0, 3), (0, 3, 2, 1), (2, 3, 0, 1))


def symmetrise_identical(p: Array, rng: np.random.Generator) -> None:
    """In place: the identical leptons of slots 0 ↔ 2 and 1 ↔ 3 (the two ℓ⁻ and the two ℓ⁺)
    exchanged with probability 1/2 each, the symmetrisation after unweighting in one
    relabelling (exact where |M|² is symmetric under both)."""
    for i, j in ((0, 2), (1, 3)):
        swap = rng.random(len(p)) < 0.5
        p[swap, i], p[swap, j] = p[swap, j].copy(), p[swap, i].copy()


class FourMuon(FourLepton):
    name = "ee_mumumumu"
    description = ("e+e- -> mu+mu-mu+mu-: full tree-level QED ME (12 diagrams, photon exchange, "
                   "identical-muon antisymmetrisation), Kuraev-Fadin ISR, collinear LL FSR on "
                   "two mu+mu- dipoles")
    pdgs = (PDG_MUON, -PDG_MUON, PDG_MUON, -PDG_MUON)
    fsr = ((0, 1, M_MU), (2, 3, M_MU))
    masses = (M_MU, M_MU)
    identical = True
    channels = (FsrChannel(0, 1, (2, 3)), FsrChannel(1, 0, (2, 3)),
                ConversionChannel((0, 1), (2, 3)),
                SoftPairChannel((0, 1), (2, 3), beam=1), SoftPairChannel((0, 1), (2, 3), beam=2))
    relabellings = RELABELLINGS
    symmetry_factor = 0.25

    def decay(self, p: Array, rng: np.random.Generator, params: Mapping[str, float]
              ) -> tuple[Array, Decayed | None]:
        n = len(p)
        symmetrise_identical(p, rng)
        # FSR dipoles (0,1), (2,3): the pairing that holds the lightest μ⁺μ⁻ pair
        def m2(i: int, j: int) -> Array:
            return h.dot(p[:, i] + p[:, j], p[:, i] + p[:, j])

        crossed = np.minimum(m2(0, 3), m2(2, 1)) < np.minimum(m2(0, 1), m2(2, 3))
        p[crossed, 1], p[crossed, 3] = p[crossed, 3].copy(), p[crossed, 1].copy()
        return np.broadcast_to(np.array(self.pdgs), (n, 4)), None


class MuMuTauTau(FourLepton):
    name = "ee_mumutautau"
    description = ("e+e- -> mu+mu-tau+tau-: full tree-level QED ME (6 diagrams, photon "
                   "exchange), Kuraev-Fadin ISR, collinear LL FSR on the mu+mu- and tau+tau- "
                   "dipoles; taus left for the framework's Pythia decays (finish_decays)")
    pdgs = (PDG_MUON, -PDG_MUON, PDG_TAU, -PDG_TAU)
    fsr = ((0, 1, M_MU), (2, 3, M_TAU))
    masses = (M_MU, M_TAU)
    identical = False
    # every peak its own channel (no relabelling symmetry): μμ off τ⁻, τ⁺; conversion and soft
    # μμ pair along the e⁻ (t channel) and along the e⁺ (u channel). The ττ pair off the muon
    # line has no peak (q_ττ² ≥ 4m_τ², the muon propagator ≥ (m_μ + 2m_τ)² − m_μ²): 0.3% of σ,
    # sampled well by the other channels; its two channels only diluted VEGAS (65 → 49
    # dimensions: unweighting efficiency 7.2% → 9.3% at 300k points, σ unchanged)
    channels = (FsrChannel(2, 3, (0, 1)), FsrChannel(3, 2, (0, 1)),
                ConversionChannel((0, 1), (2, 3), beam=1),
                ConversionChannel((0, 1), (2, 3), beam=2),
                SoftPairChannel((0, 1), (2, 3), beam=1), SoftPairChannel((0, 1), (2, 3), beam=2))


class MuMuPiPi(FourLepton):
    name = "ee_mumupipi"
    description = ("e+e- -> mu+mu-pi+pi-: tree-level scalar QED with the pion form factor F_pi "
                   "(7 diagrams, photon exchange), Kuraev-Fadin ISR, collinear LL FSR on the "
                   "mu+mu- dipole (none on the pions)")
    pdgs = (PDG_MUON, -PDG_MUON, -PDG_PION, PDG_PION)
    fsr = ((0, 1, M_MU),)
    masses = (M_MU, M_PI)
    pions = True
    # the ππ pair off μ⁻ and μ⁺, conversion along the e⁻ and the e⁺, the soft ππ pair along
    # either beam (the ρ radiated off the beams, μμ taking the rest: the largest weights without
    # it), every ππ mass sampled on the ρ–ω line shape (map_pion_pair); the μμ pair off the pions
    # (∝ |F_π(s)|² ≈ 5e-5) and the soft μμ pair (1% of σ) have no channel of their own
    channels = (FsrChannel(0, 1, (2, 3), map_pion_pair), FsrChannel(1, 0, (2, 3), map_pion_pair),
                ConversionChannel((0, 1), (2, 3), beam=1, second_map=map_pion_pair),
                ConversionChannel((0, 1), (2, 3), beam=2, second_map=map_pion_pair),
                SoftPairChannel((2, 3), (0, 1), beam=1, first_map=map_pion_pair),
                SoftPairChannel((2, 3), (0, 1), beam=2, first_map=map_pion_pair))


EE_MUMUMUMU = register(FourMuon())
EE_MUMUTAUTAU = register(MuMuTauTau())
EE_MUMUPIPI = register(MuMuPiPi())
