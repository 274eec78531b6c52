"""e⁺e⁻ → μ⁺μ⁻μ⁺μ⁻ (``ee_mumumumu``) with the full tree-level QED matrix element: the
irreducible background of the 4μ resonance search (Belle II, PRD 109 (2024) 112015).

Diagrams (photon exchange only; the Z is neglected at √s = 10.58 GeV, O(s/M_Z²) ≈ 1%). Labels
e⁻(p1) e⁺(p2) → μ⁻(p3) μ⁺(p4) μ⁻(p5) μ⁺(p6). For the pairing (3,4)(5,6), i.e. fermion lines
ū₃…v₄ and ū₅…v₆, there are six diagrams:

- "FSR" (annihilation): e⁺e⁻ → γ*(s) attached to the line (3,4), with the virtual photon
  γ*(q₅₆) → μ⁻₅μ⁺₆ emitted from μ⁻₃ or from μ⁺₄ (2 diagrams); the same with the lines swapped
  (2 diagrams);
- "conversion" (ISR pair): the electron line emits both γ*(q₃₄) and γ*(q₅₆), t- and u-channel
  electron propagator (2 diagrams).

The amplitude is M = M(3,4; 5,6) − M(3,6; 5,4): the second pairing exchanges the identical μ⁺
(Fermi statistics, relative minus). All twelve diagrams have four vertices, two photon and one
fermion propagator and the same fermion lines within one pairing, so the common phases dropped by
:mod:`darkscan.generate.helas` (powers of i, −g of each photon propagator, e⁴) are common; within
a pairing the FSR and conversion diagrams add with a plus sign.

Couplings: e² per photon propagator, e²(q²) = 4πα(q²) of that photon's virtuality when the
radiative corrections are on (the Dyson-resummed vacuum polarisation of each propagator, a gauge
invariant insertion), α(0) otherwise.

Helicity sums: the massless beams conserve helicity, so only (λ₁, λ₂) = (∓1, ±1) contribute (the
other two vanish identically); with 16 muon configurations that is 32 amplitudes per event. Every
spinor is computed once, the four pair currents per pairing once, each muon line dressed with the
other pair's current once per (helicity, current) and contracted with the e⁺e⁻ current at the end,
each electron line with one pair current inserted once (its open index contracts the other pair
current): about 370 compiled passes over the events per batch (one kernel call per
configuration on slices of preallocated stacks), then a few einsum contractions; no loop over
events.

Identical particles: :func:`me2_four_muon` is the spin-averaged |M|² of the labelled final state;
the symmetry factor 1/(2!·2!) = 1/4 of the two pairs of identical muons is applied in the cross
section (:meth:`FourMuon.hard`).

Phase space (multichannel by partition of the integrand): three channels on the labelled final
state, each flattening its peaks,

- ``fsr_minus``: the pair (5,6) off μ⁻₃: q₅₆² ∝ 1/q² from 4m_μ² (the photon propagator times
  the pair's current), (p₃ + q₅₆)² ∝ 1/(m² − m_μ²) (the muon propagator, as in
  :mod:`.mumu_resonance`), two-body angles flat;
- ``fsr_plus``: the same off μ⁺₄;
- ``conversion``: q₃₄² and q₅₆² ∝ 1/q², the angle of q₃₄ in the CMS ∝ 1/|(p₁ − q₃₄)²| (the
  beam-collinear t-channel electron propagator, regulated by the pair mass: a massless electron
  cannot emit a time-like photon on shell).

The integrand is split among the 12 peak structures (3 channels × the 4 relabellings of the
identical μ⁻ and μ⁺) with partition weights P_c/ΣP (P = 1/(q² D) for FSR, s/(q_a² q_b² |t|) for
the conversion; any positive partition is exact), each channel integrates its share of the
labelled configuration times 4, and after unweighting μ⁻₃ ↔ μ⁻₅ and μ⁺₄ ↔ μ⁺₆ are swapped with
probability 1/2 each: exact, because |M|² is symmetric under both swaps (tested). A VEGAS
dimension picks the channel (so VEGAS adapts the channel fractions) and every channel has its own
eight dimensions. No generator-level cut is needed: the muon mass regulates every peak and σ is
finite.

Radiation: ISR by the engine (s-channel Kuraev–Fadin structure function; the conversion diagrams
annihilate the beams as well). FSR: collinear LL on two μ⁺μ⁻ dipoles (``fsr`` pairs (0,1) and
(2,3)); the event record is ordered so that these are the pairing that contains the lightest
μ⁺μ⁻ pair, the one a virtual photon made: a light, nearly collinear pair is nearly neutral and
radiates little (its small pair-mass exponent), the other pair radiates with the large one. Not
included: the inclusive O(α) FSR normalisation (+0.2% for μμ), interference of radiation from
different dipoles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from darkscan.generate import helas as h
from darkscan.generate import helas_kernels as _k
from darkscan.generate.engine import Decayed, EEProcess
from darkscan.generate.isr import alpha_running
from darkscan.generate.phase_space import map_pole, rest_frame_p4, two_body
from darkscan.generate.registry import register
from darkscan.physics.constants import ALPHA, GEV2_TO_PB, M_MU, PDG_MUON

Array = np.ndarray
#: relabellings of the identical muons in the symmetry group: (μ⁻ swapped, μ⁺ swapped)
N_RELABEL = 4
#: 1/(2!·2!) for the two pairs of identical particles (in σ, not in |M|²)
SYMMETRY_FACTOR = 0.25
CHANNELS = ("fsr_minus", "fsr_plus", "conversion")
DIMS_PER_CHANNEL = 8
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
    """(e²(q²)/q²) ū γ^μ v of a μ⁻μ⁺ pair for the 4 helicity pairs, index 2c + d for
    (ū_c, v_d): the pair as the source of a virtual photon, propagator included. ``ubar``, ``v``
    (2, n, 4) (helicity −1, +1), ``q`` (n, 4) the pair momentum."""
    n = q.shape[0]
    out = np.empty((4, n, 4), dtype=complex)
    for c in range(2):
        for d in range(2):
            _k.current(ubar[c], v[d], 1.0, 1.0, out[2 * c + d])
    out *= (e2 / h.dot(q, q))[:, None]
    return out


def dressed_line(ubar: Array, v: Array, p_minus: Array, p_plus: Array, x: Array, qx: Array
                 ) -> Array:
    """A muon line ū(p₋) … v(p₊) with the vector current x (k, n, 4) of momentum ``qx`` inserted
    at either end, the open index for a second photon:

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
            _slash(p_left, tmp, M_MU, True, True, left[c, j])      # … S(p₋ + q_x)
            _slash(x[j], v[c], 0.0, False, False, tmp)             # X̸ v
            _slash(p_right, tmp, M_MU, False, True, right[c, j])   # S(−p₊ − q_x) …
    out = np.empty((2, 2, k, n, 4), dtype=complex)
    for c in range(2):
        for d in range(2):
            for j in range(k):
                _k.current(left[c, j], v[d], 1.0, 1.0, out[c, d, j])
                _k.current(ubar[c], right[d, j], 1.0, 1.0, tmp)
                out[c, d, j] += tmp
    return out


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
    (−1, +1) of every muon; ``je`` the e⁺e⁻ current v̄γ^μu per beam configuration."""

    def __init__(self, p1: Array, p2: Array, muons: tuple[Array, Array, Array, Array]) -> None:
        u1 = h.spinors("u", p1, 0.0)
        vb2 = h.spinors("vbar", p2, 0.0)
        self.p1, self.p2 = p1, p2
        self.u1 = np.stack([u1[-1], u1[1]])
        self.vb2 = np.stack([vb2[1], vb2[-1]])
        self.je = h.vector_current(_bc(self.vb2, self.vb2.shape), _bc(self.u1, self.u1.shape)
                                   ).reshape(self.u1.shape)
        self.p = dict(zip((3, 4, 5, 6), muons, strict=True))
        self.ubar = {i: np.stack(list(h.spinors("ubar", self.p[i], M_MU).values())) for i in (3, 5)}
        self.v = {i: np.stack(list(h.spinors("v", self.p[i], M_MU).values())) for i in (4, 6)}


def pairing_amplitudes(legs: Legs, a: tuple[int, int], b: tuple[int, int], je_s: Array,
                       ja: Array, jb: Array) -> dict[str, Array]:
    """The six diagrams of the pairing with lines a = (μ⁻, μ⁺) and b, by class, each (2, 2, 2, 2,
    2, n) over (beam configuration, a₋, a₊, b₋, b₊ helicities):

    - ``fsr_a``: the s-channel photon on line a, the pair b (current ``jb``) off either end of a;
    - ``fsr_b``: the same with a and b exchanged;
    - ``conversion``: both pair currents off the electron line (t and u channel).

    ``je_s`` (2, n, 4): the e⁺e⁻ current times e²(s)/s; ``ja``, ``jb`` (4, n, 4): the pair
    currents with their propagators (:func:`pair_current`). Taking the currents as arguments lets
    the tests replace one by its momentum (Ward identities)."""
    n = je_s.shape[1]
    qa, qb = legs.p[a[0]] + legs.p[a[1]], legs.p[b[0]] + legs.p[b[1]]
    ka = dressed_line(legs.ubar[a[0]], legs.v[a[1]], legs.p[a[0]], legs.p[a[1]], jb, qb)
    kb = dressed_line(legs.ubar[b[0]], legs.v[b[1]], legs.p[b[0]], legs.p[b[1]], ja, qa)
    # contractions as explicit einsums (the Minkowski metric on the left factor)
    je = je_s * _LOWER
    fsr_a = np.einsum("lni,xni->lxn", je, ka.reshape(16, n, 4), optimize=True
                      ).reshape(2, 2, 2, 2, 2, n)
    fsr_b = np.einsum("lni,xni->lxn", je, kb.reshape(16, n, 4), optimize=True
                      ).reshape(2, 2, 2, 2, 2, n).transpose(0, 3, 4, 1, 2, 5)
    # photon b emitted first (next to e⁻), a next to e⁺: open index contracts jb; and vice versa
    ea = electron_line(legs.vb2, legs.u1, ja, legs.p1 - qb)
    eb = electron_line(legs.vb2, legs.u1, jb, legs.p1 - qa)
    conv = (np.einsum("lani,bni->labn", ea * _LOWER, jb, optimize=True)
            + np.einsum("lbni,ani->labn", eb * _LOWER, ja, optimize=True))
    return {"fsr_a": fsr_a, "fsr_b": fsr_b, "conversion": conv.reshape(2, 2, 2, 2, 2, n)}


def coupling_e2(rc: bool) -> Callable[[Array], Array]:
    """q² ↦ e²: 4πα(q²) (running, per photon propagator) when ``rc``, else 4πα(0)."""
    if rc:
        return lambda q2: 4.0 * np.pi * alpha_running(q2)
    return lambda q2: np.full(np.shape(q2), 4.0 * np.pi * ALPHA)


def amplitudes(legs: Legs, e2: Callable[[Array], Array]) -> Array:
    """M = M(3,4; 5,6) − M(3,6; 5,4), shape (2, 2, 2, 2, 2, n) over (beam configuration, λ₃, λ₄,
    λ₅, λ₆)."""
    p = legs.p
    s = h.dot(legs.p1 + legs.p2, legs.p1 + legs.p2)
    je_s = legs.je * (e2(s) / s)[:, None]
    cur = {}
    for i, j in ((3, 4), (5, 6), (3, 6), (5, 4)):
        q = p[i] + p[j]
        cur[i, j] = pair_current(legs.ubar[i], legs.v[j], q, e2(h.dot(q, q)))
    direct = pairing_amplitudes(legs, (3, 4), (5, 6), je_s, cur[3, 4], cur[5, 6])
    crossed = pairing_amplitudes(legs, (3, 6), (5, 4), je_s, cur[3, 6], cur[5, 4])
    # the crossed pairing's axes are (λ₃, λ₆, λ₅, λ₄): back to (λ₃, λ₄, λ₅, λ₆)
    return sum(direct.values()) - sum(crossed.values()).transpose(0, 1, 4, 3, 2, 5)


def me2_four_muon(p1: Array, p2: Array, p3: Array, p4: Array, p5: Array, p6: Array,
                  rc: bool = False) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → μ⁻(p3)μ⁺(p4)μ⁻(p5)μ⁺(p6), all 12 tree-level QED
    diagrams (module docstring), without the identical-particle factor 1/4."""
    m = amplitudes(Legs(p1, p2, (p3, p4, p5, p6)), coupling_e2(rc))
    return 0.25 * np.sum(m.real**2 + m.imag**2, axis=(0, 1, 2, 3, 4))


def fsr_factorisation_ratio(q2: float, n: int, rng: np.random.Generator,
                            sqrt_s: float = 10.58) -> Array:
    """The virtual-photon splitting, checked point by point: for the FSR diagrams of one pairing
    with the pair (5,6) attached to the line (3,4), summed over the pair's spins and averaged over
    its decay direction in its rest frame at fixed q² = (p₅ + p₆)²,

        ⟨Σ|M_fsr|²⟩_Ω = (4e²/(3q²)) (1 + 2m_μ²/q²) Σ|M(e⁺e⁻ → μ⁺μ⁻V)|²(m_V = √q², g_V = e),

    because Σ ∫dΦ₂ ū₅γ^μv₆ (ū₅γ^νv₆)* = (4/3)(1 + 2m²/q²)(β/8π)(q^μq^ν − q²g^μν) and the q^μq^ν
    part meets a conserved current. With dΦ₄ = dΦ₃ dq²/(2π) dΦ₂ this is
    dσ/dq² = σ(μμV; m_V = √q², g_V = e) · α/(3πq²) · β(1 + 2m²/q²), β = √(1 − 4m²/q²)
    (Kroll–Wada, Phys. Rev. 98 (1955) 1355; Budnev et al., Phys. Rept. 15 (1975) 181).
    The pair's spin sum is quadratic in its direction, so a 3 × 5 Gauss–Legendre × uniform-φ
    rule is exact. Returns the ratio left/right at ``n`` random (p₃, p₄, q) points (1 to
    rounding); the right side is :func:`.mumu_resonance.me2_mumux`."""
    from darkscan.generate.processes.mumu_resonance import kinematics_mumux, me2_mumux

    mv = float(np.sqrt(q2))
    e2 = 4.0 * np.pi * ALPHA
    p1, p2, p, _ = kinematics_mumux(rng.random((n, 5)), np.full(n, sqrt_s), mv)
    p3, p4, q = p[:, 0], p[:, 1], p[:, 2]
    right = (4 * e2 / (3 * q2)) * (1 + 2 * M_MU**2 / q2) \
        * me2_mumux(p1, p2, p3, p4, q, mv, float(np.sqrt(e2)), e2, True)
    nodes, weights = np.polynomial.legendre.leggauss(3)
    s = h.dot(p1 + p2, p1 + p2)
    left = np.zeros(n)
    for c, wc in zip(nodes, weights, strict=True):
        for phi in 2 * np.pi * np.arange(5) / 5:
            p5, p6, _ = two_body(q, M_MU, M_MU, np.full(n, c), np.full(n, phi))
            legs = Legs(p1, p2, (p3, p4, p5, p6))
            jb = pair_current(legs.ubar[5], legs.v[6], q, np.full(n, e2))
            ja = np.zeros_like(jb)  # the other classes are not part of the relation
            amp = pairing_amplitudes(legs, (3, 4), (5, 6), legs.je * (e2 / s)[:, None], ja,
                                     jb)["fsr_a"]
            left += wc / 2 / 5 * 0.25 * np.sum(amp.real**2 + amp.imag**2, axis=(0, 1, 2, 3, 4))
    return left / right


# ---------------------------------------------------------------------------------------------
# phase space
# ---------------------------------------------------------------------------------------------
def _beams(n: int, sqrt_s: Array) -> tuple[Array, Array]:
    e = np.broadcast_to(sqrt_s / 2.0, (n,))
    z = np.zeros(n)
    return np.stack([z, z, e, e], axis=-1), np.stack([z, z, -e, e], axis=-1)


def _angles(u: Array) -> tuple[Array, Array]:
    return 2.0 * u[:, 0] - 1.0, 2.0 * np.pi * u[:, 1]


def kinematics_fsr(u: Array, sqrt_s: Array) -> tuple[Array, Array, Array, Array, Array]:
    """Channel ``fsr_minus``: s → (μ⁻₃ γ*) μ⁺₄, γ* → μ⁻₅ μ⁺₆ with q₅₆² ∝ 1/q² on
    [4m², (√s − 2m)²] and (p₃ + q₅₆)² ∝ 1/(m² − m_μ²). Returns the emitter, the recoiling muon,
    p₅, p₆ and dΦ₄ × Jacobian (``fsr_plus`` uses the same with the emitter as μ⁺₄)."""
    n = len(u)
    m = M_MU
    q2, jq = map_pole(u[:, 0], 4 * m * m, (sqrt_s - 2 * m) ** 2, 0.0)
    mq = np.sqrt(q2)
    m2, jm = map_pole(u[:, 1], (m + mq) ** 2, (sqrt_s - m) ** 2, m * m)
    c1, f1 = _angles(u[:, 2:4])
    c2, f2 = _angles(u[:, 4:6])
    c3, f3 = _angles(u[:, 6:8])
    big, rec, d1 = two_body(rest_frame_p4(n, sqrt_s), np.sqrt(m2), m, c1, f1)
    emit, q, d2 = two_body(big, m, mq, c2, f2)
    p5, p6, d3 = two_body(q, m, m, c3, f3)
    w = d1 * d2 * d3 * (4 * np.pi) ** 3 * jq * jm / (2 * np.pi) ** 2
    return emit, rec, p5, p6, w


def kinematics_conversion(u: Array, sqrt_s: Array) -> tuple[Array, Array, Array, Array, Array]:
    """Channel ``conversion``: s → γ*(q₃₄) γ*(q₅₆), both q² ∝ 1/q², the polar angle of q₃₄ with
    density ∝ 1/|t|, t = (p₁ − q₃₄)² = q² − √s(E − |q| cosθ) (the forward electron propagator;
    |t| > 0 everywhere, its minimum (E − |q|)(√s − E − |q|) set by the pair masses); the pairs
    decay flat. Returns p₃, p₄, p₅, p₆ and dΦ₄ × Jacobian."""
    n = len(u)
    m = M_MU
    qa2, ja = map_pole(u[:, 0], 4 * m * m, (sqrt_s - 2 * m) ** 2, 0.0)
    qb2, jb = map_pole(u[:, 1], 4 * m * m, (sqrt_s - np.sqrt(qa2)) ** 2, 0.0)
    ma, mb = np.sqrt(qa2), np.sqrt(qb2)
    e = (sqrt_s**2 + qa2 - qb2) / (2 * sqrt_s)
    pa = np.sqrt(np.maximum(e * e - qa2, 0.0))
    # |t| = a − b cosθ on [lo, lo + 2b]; E − |q| = q²/(E + |q|) keeps the digits of lo
    b = sqrt_s * pa
    lo = qa2 / (e + pa) * (sqrt_s - e - pa)
    y, jy = map_pole(u[:, 2], lo, lo + 2 * b, 0.0)
    cos_t = np.clip(1.0 - (y - lo) / np.where(b > 0, b, 1.0), -1.0, 1.0)
    qa, qb, d1 = two_body(rest_frame_p4(n, sqrt_s), ma, mb, cos_t, 2 * np.pi * u[:, 3])
    c2, f2 = _angles(u[:, 4:6])
    c3, f3 = _angles(u[:, 6:8])
    p3, p4, d2 = two_body(qa, m, m, c2, f2)
    p5, p6, d3 = two_body(qb, m, m, c3, f3)
    w = d1 * jy / np.where(b > 0, b, np.inf) * 2 * np.pi * d2 * d3 * (4 * np.pi) ** 2 \
        * ja * jb / (2 * np.pi) ** 2
    return p3, p4, p5, p6, w


#: the four relabellings as index maps of (μ⁻₃, μ⁺₄, μ⁻₅, μ⁺₆): identity, μ⁻ swap, μ⁺ swap, both
RELABELLINGS = ((0, 1, 2, 3), (2, 1, 0, 3), (0, 3, 2, 1), (2, 3, 0, 1))


def peak_functions(p: Array, sqrt_s: Array) -> Array:
    """Partition functions (n, 3, 4): channel × relabelling, the peak structure of the diagrams
    each channel flattens: 1/(q₅₆² D) for FSR off μ⁻₃ (D = (p₃ + q₅₆)² − m_μ²), off μ⁺₄, and
    s/(q₃₄² q₅₆² |t|), t = (p₁ − q₃₄)², for the conversion; with p relabelled."""
    n = len(p)
    p1, _ = _beams(n, sqrt_s)
    s = sqrt_s**2
    out = np.empty((n, 3, N_RELABEL))
    for r, (i3, i4, i5, i6) in enumerate(RELABELLINGS):
        a, b = p[:, i3] + p[:, i4], p[:, i5] + p[:, i6]
        qa2, qb2 = h.dot(a, a), h.dot(b, b)
        for c, emitter in ((0, i3), (1, i4)):
            k = p[:, emitter] + b
            out[:, c, r] = 1.0 / (qb2 * (h.dot(k, k) - M_MU**2))
        t = h.dot(p1 - a, p1 - a)
        out[:, 2, r] = s / (qa2 * qb2 * np.abs(t))
    return out


class FourMuon(EEProcess):
    name = "ee_mumumumu"
    description = ("e+e- -> mu+mu-mu+mu-: full tree-level QED ME (12 diagrams, photon exchange, "
                   "identical-muon antisymmetrisation), Kuraev-Fadin ISR, collinear LL FSR on "
                   "two mu+mu- dipoles")
    default_filter = "none"
    pdgs = (PDG_MUON, -PDG_MUON, PDG_MUON, -PDG_MUON)
    fsr = ((0, 1, M_MU), (2, 3, M_MU))

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 1 + len(CHANNELS) * DIMS_PER_CHANNEL

    def s_min(self, params: Mapping[str, float]) -> float:
        return (4.0 * M_MU) ** 2 * 1.0001

    def xsec_note(self, isr: bool) -> str:
        return ("tree-level QED 2→4 (12 diagrams), running α per photon propagator, "
                "Kuraev–Fadin ISR" if isr else "tree-level QED 2→4 (12 diagrams), α(0), no ISR")

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        n = len(u)
        sqrt_s = np.broadcast_to(np.asarray(sqrt_s, float), (n,))
        channel = np.minimum((u[:, 0] * len(CHANNELS)).astype(int), len(CHANNELS) - 1)
        p = np.empty((n, 4, 4))
        dphi = np.empty(n)
        for c in range(len(CHANNELS)):
            sel = channel == c
            uc = u[sel, 1 + c * DIMS_PER_CHANNEL:1 + (c + 1) * DIMS_PER_CHANNEL]
            if c == 2:
                p3, p4, p5, p6, w = kinematics_conversion(uc, sqrt_s[sel])
            else:
                emit, rec, p5, p6, w = kinematics_fsr(uc, sqrt_s[sel])
                p3, p4 = (emit, rec) if c == 0 else (rec, emit)
            p[sel] = np.stack([p3, p4, p5, p6], axis=1)
            dphi[sel] = w
        p1, p2 = _beams(n, sqrt_s)
        me2 = me2_four_muon(p1, p2, p[:, 0], p[:, 1], p[:, 2], p[:, 3], rc)
        peaks = peak_functions(p, sqrt_s)
        share = peaks[np.arange(n), channel, 0] / peaks.sum(axis=(1, 2))
        s = sqrt_s**2
        w = (len(CHANNELS) * N_RELABEL * share * SYMMETRY_FACTOR * me2 * dphi / (2 * s)
             * GEV2_TO_PB)
        return p, w

    def decay(self, p: Array, rng: np.random.Generator, params: Mapping[str, float]
              ) -> tuple[Array, Decayed | None]:
        n = len(p)
        # the symmetrisation of the module docstring: a random relabelling of the identical μ⁻
        # and of the identical μ⁺ (exact since |M|² is symmetric under both)
        for i, j in ((0, 2), (1, 3)):
            swap = rng.random(n) < 0.5
            p[swap, i], p[swap, j] = p[swap, j].copy(), p[swap, i].copy()
        # FSR dipoles (0,1), (2,3): the pairing that holds the lightest μ⁺μ⁻ pair
        def m2(i: int, j: int) -> Array:
            return h.dot(p[:, i] + p[:, j], p[:, i] + p[:, j])

        crossed = np.minimum(m2(0, 3), m2(2, 1)) < np.minimum(m2(0, 1), m2(2, 3))
        p[crossed, 1], p[crossed, 3] = p[crossed, 3].copy(), p[crossed, 1].copy()
        return np.broadcast_to(np.array(self.pdgs), (n, 4)), None


EE_MUMUMUMU = register(FourMuon())
