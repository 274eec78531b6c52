"""e⁺e⁻ → e⁺e⁻ℓ⁺ℓ⁻ with the full tree-level QED matrix element: ``ee_eemumu``, ``ee_eetautau``
(ℓ ≠ e: 12 diagrams) and ``ee_eeee`` (36 diagrams), massive electrons. The equivalent-photon
approximation of :mod:`.two_photon` stays as the fast option (``ee_eemumu_epa``,
``ee_eeee_epa``).

Measured (Born, 1M-point VEGAS grids, W > 0.5 GeV): e⁺e⁻μ⁺μ⁻ 18.68 ± 0.06 nb against the
Physics Book's 18.9 ± 0.1 (−1.2%); 18.53 nb with ISR; e⁺e⁻e⁺e⁻ 40.76 ± 0.06 nb against 39.7
(+2.7%, every opposite-charge pair above 0.5 GeV: the symmetric reading of the book's cut;
grid seeds 3–6 give 40.71–40.87 ± 0.06 and 4M points 40.780 ± 0.027; the former sampling
gave 41.03 ± 0.10 at seed 3, 40.78 and 40.80 ± 0.11 at seeds 4 and 5: its largest weights
were rarer, see "Phase space");
e⁺e⁻τ⁺τ⁻ 15.8 pb (15.2 pb with ISR; no reference; the τ decayed by ``finish_decays``).
Against the EPA: 0.998 ± 0.005 where both Q² < 10⁻³ GeV² (W_μμ > 1 GeV), 1.04 at Q² < 0.1 GeV²
(W > 3 GeV), and ×1.9 / ×4.6 the EPA's σ for a pair p_T above 0.35 / 1 GeV (1.40 vs 0.72 nb with
ISR; 0.145 vs 0.031 nb Born): the high-p_T tail the EPA lacks. Speed per core (``darkscan
bench``): e⁺e⁻μ⁺μ⁻ 2.1·10⁵ |M|²/s, 1.5·10⁴ unweighted events/s at the defaults (1.4·10⁴ when
all 64 helicity amplitudes were computed, 8.6·10³ before the compiled |M|²); e⁺e⁻e⁺e⁻
8.8·10⁴ |M|²/s, 1.2·10⁴ events/s (9.7·10³ with all 64 amplitudes, 6.3·10² with the numpy
|M|², 2.6% unweighting efficiency and the propagator partition).

Diagrams. Labels e⁻(p1) e⁺(p2) → e⁻(p3) e⁺(p4) ℓ⁻(p5) ℓ⁺(p6) (for e⁺e⁻e⁺e⁻ the sources and
sinks pair in all 3! ways, each pairing signed by its permutation's parity: 36 diagrams; σ ×
1/4 for the identical leptons). Every diagram has three fermion
lines, each written ψ̄_sink … ψ_source: the sinks are ū₃, v̄₂, ū₅ and the sources u₁, v₄, v₆. A
*pairing* assigns a source to each sink; the ℓ line (ū₅ … v₆) is fixed, the electron lines are
either scattering lines (ū₃…u₁, v̄₂…v₄: t-channel photons) or annihilation lines (v̄₂…u₁,
ū₃…v₄), with a relative minus sign (Fermi statistics, as in Bhabha scattering). In each pairing
one line (the *middle*) absorbs the photons of the other two, in either order: 3 × 2 = 6
diagrams per pairing, 12 in all. With the ℓ line in the middle these are the multiperipheral
(two-photon) graphs; with a scattering electron line in the middle, bremsstrahlung of a virtual
photon (→ ℓ⁺ℓ⁻) in e⁺e⁻ scattering; the annihilation pairing gives conversion and final-state
radiation graphs. One middle line dressed with one outer current at either end and contracted
with the other (:func:`darkscan.generate.processes.four_lepton.dressed_line`) is both diagrams
of that middle line; each such pair is gauge invariant by itself (checked: the amplitude vanishes
when the contracted current is replaced by its photon momentum).

Why the full matrix element. The EPA keeps the transverse photons of the multiperipheral graphs
in the collinear limit. It misses the scalar (longitudinal) photons, which matter where Q² is not
small against W² (the lepton pair at high p_T balanced by an electron at a measurable angle: the
Z′ → invisible background at high recoil mass), the bremsstrahlung and annihilation graphs and
all interference (Budnev et al., Phys. Rept. 15 (1975) 181, §6; the reference calculation is
Berends, Daverveldt, Kleiss, Nucl. Phys. B253 (1985) 441, whose generator the Belle II Physics
Book's 18.9 nb comes from).

Numerics. Every spinor keeps the electron mass (the helicity-flip amplitudes carry the
m²/Q² terms of the photon flux), all 2⁶ helicity amplitudes are summed, in one compiled pass
per batch (:func:`_eell_kernel`, :class:`KernelPlan`; the numpy path :func:`amplitudes_eell`,
diagram by diagram, is its reference and the Ward-identity check's). The photon virtualities
of the scattering lines reach |t|_min = m_e²x²/(1 − x) ≈ 10⁻¹¹ GeV², where (p₁ − p₃)² from the
components has no digits left: every line's q² comes from the cancellation-free forms of
:mod:`.radiative_qed` (:func:`line_virtualities`). The gauge cancellation of the quasi-real
photons' large longitudinal currents costs at most ~10 of the 16 digits (checked against the
EPA at small Q²).

Generator-level cut: both opposite-charge same-flavour pairs have masses above ``w_pair_min``
(default 0.5 GeV: the Physics Book's W_ℓℓ > 0.5 GeV on the ℓ⁺ℓ⁻ pair; the same cut on the e⁺e⁻
pair removes only the annihilation graphs with a soft e⁺e⁻ pair off the beams or the leptons,
a radiative correction to e⁺e⁻ → ℓ⁺ℓ⁻ of O(0.1 nb), not a two-photon final state).

Phase space (multichannel by partition of the integrand, as :mod:`.four_lepton`):

1. multiperipheral (:func:`kinematics_multiperipheral`): both scattered leptons from their
   energy loss x ∝ 1/x and Q² ∝ 1/Q² between the exact limits of the massive kinematics
   (Q²_min = m²x²/(1 − x)), azimuths flat; the ℓ pair in the γγ rest frame about the photon axis
   with density ∝ 1/(A − Bcosθ*) + 1/(A + Bcosθ*) (the t- and u-channel lepton propagators of
   the virtual photons; B/A = β for real ones);
2. bremsstrahlung off the e⁻ line (:func:`kinematics_bremsstrahlung`): the e⁺ scattered as in 1,
   the ℓ pair's mass² ∝ 1/W² and its direction in the (e⁻ℓℓ) rest frame ∝ 1/|(p₁ − Q)² − m²|
   (the initial-state electron propagator), the pair decaying flat;
3. the same off the e⁺ line (the CP image of 2: e⁻ ↔ e⁺, ℓ⁻ ↔ ℓ⁺, p⃗ → −p⃗).

With a pair p_T filter (``pt_pair_min``) channel 1 is split in two, each with one scattered
lepton's Q² ≥ p_T,min²/4 (one of them must be: the leptons balance the pair's p_T). A double
tag (``q2_tag_min``: both scattered leptons above that Q², both at wide angle, as a search that
tracks them needs) starts both of channel 1's Q² ranges at the tag and cuts the bremsstrahlung
channels' points below it: e⁺e⁻μ⁺μ⁻ with both Q² > 0.2 GeV² is 36.1 ± 0.5 pb (Born) from the
tagged channels, 37.0 ± 0.5 pb from the untagged ones with the same cut (tested; 1.9% against
0.26% unweighting efficiency), 38 pb with ISR (2.0%; 81 pb above 0.1 GeV², 2.4%).
e⁺e⁻e⁺e⁻ uses channel 1 alone, under the four relabellings of its identical leptons
(:class:`EEEE`). The partition: each channel's own density per dΦ₄ at the point (the inverse
of the Jacobian its kinematics return, recomputed from the point's x, Q², W and propagators;
0 where it cannot reach the point, e.g. a tagged channel below its Q²), shared by the power
heuristic g_c²/Σg² (:func:`power_partition`). The former partition functions, the propagators
each channel maps ((1/|D₅| + 1/|D₆|)/(|t₁₃||t₂₄|), 1/(|t₂₄|W²|D₁|)), left out the channels'
energy-loss factors: at a soft e⁺ or e⁻ at a large angle (x → 1 of one relabelling, which
samples it ~10³ below its propagators' value against the relabelling that has it at small x) the
x → 1 channel kept half the share and carried the largest weights. The grid is VEGAS mixed with
flat sampling (:class:`.radiative_qed.DefensiveGrid`: VEGAS alone starved corners of the
single-tag region). Unweighting efficiency (1M points, Born): e⁺e⁻μ⁺μ⁻ 16% (17% with the
propagator partition), with p_T(μμ) > 1 GeV 0.36% (300k points; 0.35% before; the weight of the
single-tag region still varies by ~10² inside the cube; σ there converges from ~300k points);
e⁺e⁻e⁺e⁻ 19.5% (2.6% with the propagator partition and all three channels; 300k points, with
ISR: 12%). The largest e⁺e⁻e⁺e⁻ weights left: a soft e⁺ (or e⁻) of the pair emitted along its
own beam, the beam's photon quasi-real (|t| ~ 10⁻¹⁰ GeV²) and the other photon hard
(Q² ~ 0.2 GeV²): 0.2% of σ has |M|²/Σg above 100× its mean (VEGAS absorbs most of it). A point is
weighted by the dimensions it reads (the two collinear ISR fractions, the channel selector and
its channel's eight: :mod:`darkscan.generate.multichannel`, 2026-12-06): with ISR (grid seeds
1, 2) e⁺e⁻μ⁺μ⁻ 10.4–10.5% → 13.6%, e⁺e⁻τ⁺τ⁻ 13.1–13.9% → 16.3–16.7%, e⁺e⁻e⁺e⁻ unchanged
(11.6–13.3%: its largest weights are the quasi-real photons above, not the unused dimensions).

Radiation: ISR by the engine (the collinear Kuraev–Fadin structure function with the s-channel
exponent for both beams, as ``ee_eeg``: the leading-log approximation; the Physics Book's cross
section is compared at Born level), running α of each photon at its own |q²|; collinear LL FSR
on the ℓ⁺ℓ⁻ dipole. Not included: Z exchange (O(s/M_Z²) on the annihilation graphs only), loop
corrections.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from darkscan.generate import helas as h
from darkscan.generate import helas_kernels as _k
from darkscan.generate.engine import Decayed, EEProcess
from darkscan.generate.integrate import Grid
from darkscan.generate.isr import alpha_running
from darkscan.generate.phase_space import map_pole, two_body
from darkscan.generate.processes.four_lepton import dressed_line, symmetrise_identical
from darkscan.generate.processes.radiative_qed import (
    build_defensive_grid,
    current_row,
    dress_column,
    dress_row,
    mdot,
    s_same_mass,
    slashes,
    t_two_masses,
)
from darkscan.generate.processes.two_photon import PT_PAIR_MIN
from darkscan.generate.registry import ProcessParam, register
from darkscan.jit import jit_exact
from darkscan.physics import lorentz
from darkscan.physics.constants import (
    ALPHA,
    GEV2_TO_PB,
    M_E,
    M_MU,
    M_TAU,
    PDG_ELECTRON,
    PDG_MUON,
    PDG_TAU,
)

Array = np.ndarray
_LOWER = h.METRIC.astype(complex)
#: sinks (row spinors ū₃, v̄₂, ū₅) and sources (column spinors u₁, v₄, v₆) of the fermion lines
SINKS = (3, 2, 5)
SOURCES = (1, 4, 6)
INCOMING = (1, 2)
#: the pairings of e⁺e⁻ → e⁺e⁻ℓ⁺ℓ⁻ (ℓ ≠ e) as (sink, source) lines with their Fermi sign
PAIRINGS_EELL = ((((3, 1), (2, 4), (5, 6)), 1.0), (((3, 4), (2, 1), (5, 6)), -1.0))


def _all_pairings() -> tuple[tuple[tuple[tuple[int, int], ...], float], ...]:
    """Every assignment of the sources to the sinks, signed by the parity of the permutation
    (Fermi statistics): e⁺e⁻ → e⁺e⁻e⁺e⁻'s 6 pairings, 36 diagrams."""
    out = []
    for perm in itertools.permutations(range(3)):
        inversions = sum(perm[i] > perm[j] for i in range(3) for j in range(i + 1, 3))
        lines = tuple((SINKS[i], SOURCES[perm[i]]) for i in range(3))
        out.append((lines, -1.0 if inversions % 2 else 1.0))
    return tuple(out)


PAIRINGS_EEEE = _all_pairings()


# ---------------------------------------------------------------------------------------------
# matrix element
# ---------------------------------------------------------------------------------------------
@jit_exact
def _q2_kernel(a: Array, b: Array, m: float, scattering: bool, out: Array) -> None:
    for i in range(a.shape[0]):
        out[i] = t_two_masses(a[i], m, b[i], m) if scattering else s_same_mass(a[i], b[i], m)


def line_virtuality(p_sink: Array, p_source: Array, m: float, scattering: bool) -> Array:
    """q² of the photon a line ψ̄_sink … ψ_source emits, without cancellations: (a − b)² of an
    incoming and an outgoing lepton (``scattering``) or (a + b)² of two incoming or two outgoing
    ones, from the physical momenta (:mod:`.radiative_qed`)."""
    a, b = (np.ascontiguousarray(x, dtype=float) for x in (p_source, p_sink))
    out = np.empty(len(a))
    _q2_kernel(a, b, float(m), scattering, out)
    return out


class Legs:
    """External wave functions of one batch (both helicities of every leg, massive), the
    fermion-flow momenta (a sink's momentum leaving its line, a source's entering it) and the
    masses, by label 1…6."""

    def __init__(self, p: Mapping[int, Array], m: Mapping[int, float]) -> None:
        self.p, self.m = dict(p), dict(m)
        kinds = {3: "ubar", 5: "ubar", 2: "vbar", 1: "u", 4: "v", 6: "v"}
        self.wf = {i: np.stack(list(h.spinors(k, self.p[i], self.m[i]).values()))
                   for i, k in kinds.items()}
        sign = {1: 1.0, 2: -1.0, 3: 1.0, 4: -1.0, 5: 1.0, 6: -1.0}
        self.flow = {i: sign[i] * np.ascontiguousarray(self.p[i]) for i in self.p}

    def photon(self, line: tuple[int, int]) -> Array:
        """Momentum of the photon a line emits: flow in at the source minus out at the sink."""
        return self.flow[line[1]] - self.flow[line[0]]

    def q2(self, line: tuple[int, int]) -> Array:
        t, s = line
        scattering = (t in INCOMING) != (s in INCOMING)
        return line_virtuality(self.p[t], self.p[s], self.m[t], scattering)

    def current(self, line: tuple[int, int], e2q: Array) -> Array:
        """(e²/q²) ψ̄_t γ^μ ψ_s for the 4 helicity pairs (index 2·sink + source), (4, n, 4)."""
        t, s = line
        n = e2q.shape[0]
        out = np.empty((4, n, 4), dtype=complex)
        for c in range(2):
            for d in range(2):
                _k.current(self.wf[t][c], self.wf[s][d], 1.0, 1.0, out[2 * c + d])
        out *= e2q[:, None]
        return out


def pairing_amplitude(legs: Legs, lines: tuple[tuple[int, int], ...],
                      e2: Callable[[Array], Array],
                      replace: tuple[int, int] | None = None) -> Array:
    """The 6 diagrams of one pairing, (2,)*6 + (n,) over the helicities of labels 1…6.

    ``replace``: a line whose photon current is replaced by its momentum (scaled to the
    current's length), in the diagrams that have that photon (the other middle lines'): the
    Ward identity says the sum vanishes."""
    n = len(legs.p[1])
    cur, mom = {}, {}
    for line in lines:
        q2 = legs.q2(line)
        cur[line] = legs.current(line, e2(q2) / q2)
        mom[line] = legs.photon(line)
    total = np.zeros((2,) * 6 + (n,), dtype=complex)
    for m in lines:
        if m == replace:
            continue
        a, b = (x for x in lines if x != m)
        if a == replace:
            a, b = b, a
        k = dressed_line(legs.wf[m[0]], legs.wf[m[1]], legs.flow[m[0]], -legs.flow[m[1]],
                         cur[a], -mom[a], legs.m[m[0]])
        jb = cur[b]
        if b == replace:  # the photon momentum, scaled to the current's size
            size = np.linalg.norm(jb, axis=-1, keepdims=True)
            jb = mom[b] * size / np.linalg.norm(mom[b], axis=-1, keepdims=True)
        amp = np.einsum("cdxni,yni->cdxyn", k * _LOWER, jb, optimize=True)
        axes = (m[0], m[1], a[0], a[1], b[0], b[1])
        amp = amp.reshape((2,) * 6 + (n,))
        total += amp.transpose([axes.index(label) for label in range(1, 7)] + [6])
    return total


def coupling(rc: bool) -> Callable[[Array], Array]:
    """q² ↦ e²: 4πα(q²) (running, timelike or spacelike) when ``rc``, else 4πα(0)."""
    if rc:
        return lambda q2: 4.0 * np.pi * alpha_running(q2)
    return lambda q2: np.full(np.shape(q2), 4.0 * np.pi * ALPHA)


def amplitudes_eell(legs: Legs, e2: Callable[[Array], Array],
                    pairings: tuple = PAIRINGS_EELL) -> Array:
    """The helicity amplitudes of all diagrams of ``pairings``, each pairing signed,
    (2,)*6 + (n,) over the helicities of labels 1…6: the numpy path diagram by diagram (the
    reference of the compiled :func:`me2_eell`, and of the Ward-identity check)."""
    return sum(sign * pairing_amplitude(legs, lines, e2) for lines, sign in pairings)


# One compiled pass per batch (what generation calls): per event the line currents, the middle
# lines' spinors dressed with an outer current, and per pairing the middle lines' open indices
# contracted with the remaining current, accumulated into the 64 helicity amplitudes, and Σ|M|²
# (the numpy path above made ~100 kernel passes over the events per pairing plus einsums and
# transposes of (2,)*6 × n arrays). The dressings and currents are :mod:`.radiative_qed`'s, as
# in :mod:`.four_lepton`'s kernel. Work is shared as the diagrams allow (:class:`KernelPlan`).
def _line_index(line: tuple[int, int]) -> int:
    """Index 3i + j of the line (sink, source): i the sink's place in :data:`SINKS`, j the
    source's in :data:`SOURCES` (rows of the kernel's currents)."""
    return 3 * SINKS.index(line[0]) + SOURCES.index(line[1])


#: the labels (sink, source) of line 3i + j (:func:`_line_index`)
LINE_LABELS = np.array([(t, s) for t in SINKS for s in SOURCES], dtype=np.int64)


@dataclass(frozen=True)
class KernelPlan:
    """The order of work of :func:`_eell_kernel` for a set of pairings.

    A middle line m = (t, s) dressed with the current of an outer line a is
    K^μ = ū_t J̸_a S(p_t − q_a) γ^μ v_s + ū_t γ^μ S(p_s + q_a) J̸_a v_s (:func:`dressed_line`):
    its dressed row ū_t J̸_a S(p_t − q_a) depends on (t, a) only and its dressed column on (s, a)
    only. In each pairing the line with sink ū₃ (the *hub*) is dressed onto both other lines, and
    the hub itself with the line of sink v̄₂: with e⁺e⁻e⁺e⁻'s six pairings every hub is in two
    pairings whose other lines share its sinks and sources, so 21 dressings serve the 36 the
    18 (middle, outer) terms would need. The terms with middle hub and middle v̄₂-line contract
    the same third current with the same helicity indices: their open indices are added before
    the contraction (two contractions per pairing instead of three).

    ``dress`` (k, 3): (0 row / 1 column, spinor label, line a); ``terms`` (k, 5): (middle line,
    row dressing, column dressing, group, swapped: the term's middle is its group's outer line);
    ``groups`` (k, 3): (contracted line, the first term's middle and outer line), ``signs`` the
    groups' pairing signs."""

    dress: Array
    terms: Array
    groups: Array
    signs: Array

    @classmethod
    def build(cls, pairings: tuple) -> KernelPlan:
        dress: dict[tuple[int, int, int], int] = {}
        terms, groups, signs = [], [], []

        def dressing(kind: int, label: int, a: tuple[int, int]) -> int:
            return dress.setdefault((kind, label, _line_index(a)), len(dress))

        def term(m: tuple[int, int], a: tuple[int, int], group: int, swapped: bool) -> None:
            terms.append((_line_index(m), dressing(0, m[0], a), dressing(1, m[1], a), group,
                          int(swapped)))

        for lines, sign in pairings:
            hub = next(x for x in lines if x[0] == SINKS[0])
            two = next(x for x in lines if x[0] == SINKS[1])
            third = next(x for x in lines if x not in (hub, two))
            for b, pair in ((third, ((two, hub), (hub, two))), (two, ((third, hub),))):
                g = len(groups)
                groups.append((_line_index(b), _line_index(pair[0][0]),
                               _line_index(pair[0][1])))
                signs.append(sign)
                for k, (m, a) in enumerate(pair):
                    term(m, a, g, k > 0)
        table = np.array(sorted(dress, key=dress.get), dtype=np.int64).reshape(-1, 3)
        return cls(table, np.array(terms, dtype=np.int64), np.array(groups, dtype=np.int64),
                   np.array(signs))


@jit_exact
def _dress_into(wf: Array, sl: Array, flow: Array, qline: Array, masses: Array, kind: int,
                label: int, a: int, pq: Array, ps: Array, out: Array, o: int) -> None:
    """out[o + 2x + λ] = ū_λ J̸_a[x] S(p − q_a) (``kind`` 0, ū of ``label``) or S(p + q_a)
    J̸_a[x] v_λ (1), p the label's fermion-flow momentum, for the 4 helicity pairs x of line a
    (slashed currents in rows 4a + x of ``sl``); ``pq`` (4,), ``ps`` (1, 4): work rows."""
    m = masses[label - 1]
    sign = -1.0 if kind == 0 else 1.0
    for i in range(4):
        pq[i] = flow[label - 1, i] + sign * qline[a, i]
    d = 1.0 / (pq[3] * pq[3] - pq[0] * pq[0] - pq[1] * pq[1] - pq[2] * pq[2] - m * m)
    slashes(pq, ps, 0)
    r = 2 * (label - 1)
    a_from_u1 = LINE_LABELS[a, 1] == 1
    for x in range(4):
        if a_from_u1 and x & 1:  # u₁ at helicity +1: not needed (:func:`_eell_kernel`)
            continue
        for lam in range(1 if label == 1 else 2):
            if kind == 0:
                dress_row(sl, 4 * a + x, wf, r + lam, ps, 0, m, d, out, o + 2 * x + lam)
            else:
                dress_column(sl, 4 * a + x, wf, r + lam, ps, 0, m, d, out, o + 2 * x + lam)


@jit_exact
def _eell_kernel(wf_in: Array, flow_in: Array, coef: Array, masses: Array, dress: Array,
                 terms: Array, groups: Array, signs: Array, me2: Array) -> None:
    """Per event Σ|M|² over the 64 helicity amplitudes (index Σ λ_L 2^(6−L), λ = 0 for
    helicity −1) of the :class:`KernelPlan` ``dress``, ``terms``, ``groups``, ``signs`` into
    ``me2`` (no spin average). ``wf_in`` (12, n, 4): the spinors of labels 1…6 (u₁, v̄₂, ū₃,
    v₄, ū₅, v₆), helicity −1 and +1, row 2(L − 1) + λ; ``flow_in`` (n, 6, 4) the fermion-flow
    momenta by label; ``coef`` (n, 9) e²/q² of each line's photon (0 for lines no term uses);
    ``masses`` (6,).

    Only the 32 amplitudes with λ₁ = −1 are computed and their Σ|M|² doubled: at tree level,
    with real couplings, the beam electron's single-spin asymmetry vanishes point by point (it
    would need a T-odd ε(p_a, p_b, p_c, p_d) correlation and so an absorptive phase), so both
    halves are equal (tested against the full numpy sum). Every piece of work whose helicity
    index of u₁ is +1 (the currents and dressings of u₁'s line, the terms and contractions) is
    skipped."""
    n = me2.shape[0]
    wf = np.empty((12, 4), dtype=np.complex128)
    cur = np.empty((36, 4), dtype=np.complex128)
    sl = np.empty((36, 4), dtype=np.complex128)
    flow = np.empty((6, 4))
    qline = np.empty((9, 4))
    amp = np.empty(64, dtype=np.complex128)
    dressed = np.empty((8 * dress.shape[0], 4), dtype=np.complex128)
    v = np.empty((16, 4), dtype=np.complex128)
    ps = np.empty((1, 4), dtype=np.complex128)
    pq = np.empty(4)
    for i in range(n):
        for r in range(12):
            for j in range(4):
                wf[r, j] = wf_in[r, i, j]
        for r in range(6):
            for j in range(4):
                flow[r, j] = flow_in[i, r, j]
        for line in range(9):
            if coef[i, line] == 0.0:
                continue
            t, s = LINE_LABELS[line, 0], LINE_LABELS[line, 1]
            for j in range(4):
                qline[line, j] = flow[s - 1, j] - flow[t - 1, j]
            for c in range(2):
                for d in range(1 if s == 1 else 2):
                    o = 4 * line + 2 * c + d
                    current_row(wf, 2 * (t - 1) + c, wf, 2 * (s - 1) + d, cur, o, False)
                    for j in range(4):
                        cur[o, j] *= coef[i, line]
                    slashes(cur[o], sl, o)
        for k in range(dress.shape[0]):
            _dress_into(wf, sl, flow, qline, masses, dress[k, 0], dress[k, 1], dress[k, 2],
                        pq, ps, dressed, 8 * k)
        amp[:] = 0.0
        r = 0
        for g in range(groups.shape[0]):
            lb, lm, la = groups[g, 0], groups[g, 1], groups[g, 2]
            t, s = LINE_LABELS[lm, 0], LINE_LABELS[lm, 1]
            ta, sa = LINE_LABELS[la, 0], LINE_LABELS[la, 1]
            tb, sb = LINE_LABELS[lb, 0], LINE_LABELS[lb, 1]
            v[:, :] = 0.0
            while r < terms.shape[0] and terms[r, 3] == g:
                tm = terms[r, 0]
                rt, rs = 2 * (LINE_LABELS[tm, 0] - 1), 2 * (LINE_LABELS[tm, 1] - 1)
                dr, dc = 8 * terms[r, 1], 8 * terms[r, 2]
                for x in range(4):
                    for c in range(2):
                        for d in range(2):
                            o = 4 * (2 * c + d) + x if terms[r, 4] else 4 * x + 2 * c + d
                            # o = 4 × (la's helicities) + (lm's): skip u₁ at helicity +1
                            if (sa == 1 and (o >> 2) & 1) or (s == 1 and o & 1):
                                continue
                            current_row(dressed, dr + 2 * x + c, wf, rs + d, v, o, True)
                            current_row(wf, rt + c, dressed, dc + 2 * x + d, v, o, True)
                r += 1
            for x in range(4):
                if sa == 1 and x & 1:
                    continue
                base_a = (x >> 1) << (6 - ta) | (x & 1) << (6 - sa)
                for c in range(2):
                    for d in range(1 if s == 1 else 2):
                        base = base_a | c << (6 - t) | d << (6 - s)
                        o = 4 * x + 2 * c + d
                        for y in range(4):
                            if sb == 1 and y & 1:
                                continue
                            z = mdot(v, o, cur, 4 * lb + y)
                            idx = base | (y >> 1) << (6 - tb) | (y & 1) << (6 - sb)
                            if signs[g] > 0:
                                amp[idx] += z
                            else:
                                amp[idx] -= z
        total = 0.0
        for j in range(32):  # λ₁ = −1 (bit 5 clear); the other half is equal
            total += amp[j].real * amp[j].real + amp[j].imag * amp[j].imag
        me2[i] = 2.0 * total


def me2_eell_compiled(legs: Legs, e2: Callable[[Array], Array], pairings: tuple) -> Array:
    """Σ|M|² of :func:`amplitudes_eell` in one compiled pass (:func:`_eell_kernel`; no spin
    average)."""
    n = len(legs.p[1])
    plan = KernelPlan.build(pairings)
    used = sorted({int(x) for x in plan.groups.ravel()})
    coef = np.zeros((n, 9))
    for line in used:
        q2 = legs.q2(tuple(int(x) for x in LINE_LABELS[line]))
        coef[:, line] = e2(q2) / q2
    wf = np.ascontiguousarray(np.concatenate([legs.wf[i] for i in range(1, 7)], axis=0))
    flow = np.ascontiguousarray(np.stack([legs.flow[i] for i in range(1, 7)], axis=1),
                                dtype=float)
    masses = np.array([legs.m[i] for i in range(1, 7)], dtype=float)
    out = np.empty(n)
    _eell_kernel(wf, flow, coef, masses, plan.dress, plan.terms, plan.groups, plan.signs, out)
    return out


def me2_eell(p: Mapping[int, Array], m_lepton: float, rc: bool = False,
             pairings: tuple = PAIRINGS_EELL) -> Array:
    """Spin-averaged |M|² of e⁻(p1)e⁺(p2) → e⁻(p3)e⁺(p4)ℓ⁻(p5)ℓ⁺(p6): all tree-level QED
    diagrams of ``pairings`` (12 for ℓ ≠ e; :data:`PAIRINGS_EEEE`, 36, for ℓ = e; module
    docstring), without an identical-particle factor; ``p`` by label. Compiled
    (:func:`me2_eell_compiled`); :func:`amplitudes_eell` is the same sum diagram by diagram."""
    masses = {1: M_E, 2: M_E, 3: M_E, 4: M_E, 5: m_lepton, 6: m_lepton}
    return 0.25 * me2_eell_compiled(Legs(p, masses), coupling(rc), pairings)


# ---------------------------------------------------------------------------------------------
# phase space
# ---------------------------------------------------------------------------------------------
def beams(n: int, sqrt_s: Array) -> tuple[Array, Array]:
    """Massive e⁻ (along +z) and e⁺ beams in their CMS."""
    e = np.broadcast_to(np.asarray(sqrt_s, float) / 2.0, (n,))
    pz = np.sqrt(e * e - M_E**2)
    z = np.zeros(n)
    return np.stack([z, z, pz, e], axis=-1), np.stack([z, z, -pz, e], axis=-1)


def scattered_lepton(x: Array, u: Array, sqrt_s: Array, sign: float, q2_tag: float = 0.0
                     ) -> tuple[Array, Array, Array]:
    """A beam lepton (along sign·z) scattered with energy loss x and Q² ∝ 1/Q² between its
    exact limits, or from ``q2_tag`` up (``u``: 2 columns, Q² and the azimuth). Returns the
    momentum, −t = Q² and d³p/(2E) per dx and unit square (0 where x is beyond 1 − m/E or
    the range is empty)."""
    e = sqrt_s / 2.0
    p = np.sqrt(e * e - M_E**2)
    ok = x < 1.0 - M_E / e * (1.0 + 1e-9)
    e3 = e * (1.0 - np.where(ok, x, 0.5))
    p3 = np.sqrt(np.maximum(e3 * e3 - M_E**2, 0.0))
    q2_min = 2.0 * M_E**2 * (e - e3) ** 2 / (e * e3 - M_E**2 + p * p3)
    q2_max = q2_min + 4.0 * p * p3
    ok &= q2_max > q2_tag
    q2_lo = np.where(ok, np.maximum(q2_min, q2_tag), q2_min)
    q2, jq = map_pole(u[:, 0], q2_lo, np.where(ok, q2_max, 2.0 * q2_lo), 0.0)
    y = np.clip((q2 - q2_min) / (2.0 * p * p3), 0.0, 2.0)  # 1 − cosθ without cancellation
    sin_t = np.sqrt(y * (2.0 - y))
    phi = 2.0 * np.pi * u[:, 1]
    mom = np.stack([p3 * sin_t * np.cos(phi), p3 * sin_t * np.sin(phi),
                    sign * p3 * (1.0 - y), e3], axis=-1)
    return mom, q2, np.where(ok, e * jq * 2.0 * np.pi / (4.0 * p), 0.0)


def energy_losses(u: Array, tau_min: Array) -> tuple[Array, Array, Array]:
    """x₁, x₂ of the two photons from τ = x₁x₂ ≈ W²/s ∝ 1/τ² on [τ_min, 1] (the γγ flux times
    σ(γγ → ℓℓ) ∝ 1/W²) and the rapidity ½ln(x₁/x₂) flat: VEGAS, separable in its variables,
    could not follow the W cut along the diagonal of (ln x₁, ln x₂). Returns x₁, x₂ and
    dx₁dx₂/du² (dx₁dx₂ = dτ dy)."""
    a = 1.0 / tau_min - 1.0
    tau = 1.0 / (1.0 / tau_min - u[:, 0] * a)
    half = -0.5 * np.log(tau)
    y = half * (2.0 * u[:, 1] - 1.0)
    root = np.sqrt(tau)
    return root * np.exp(y), root * np.exp(-y), tau * tau * a * 2.0 * half


def two_body_about(parent: Array, axis: Array, m1: float | Array, m2: float | Array,
                   cos_t: Array, phi: Array) -> tuple[Array, Array, Array]:
    """``parent`` → p₁ p₂ with p₁ at (θ, φ) about ``axis`` (a four-vector, its direction taken
    in the parent's rest frame). Returns p₁, p₂ and dΦ₂/(dcosθ dφ) = |p*|/(16π²M)."""
    beta = parent[:, :3] / parent[:, 3:4]
    axis_rest = lorentz.boost(axis, -beta)
    rot = lorentz.rotation_to(axis_rest[:, :3])
    rest = np.zeros_like(parent)
    rest[:, 3] = np.sqrt(np.maximum(lorentz.mass2(parent), 0.0))
    p1, p2, dphi2 = two_body(rest, m1, m2, cos_t, phi)
    out = lorentz.rotate_boost(np.stack([p1, p2], axis=1), rot, beta)
    return out[:, 0], out[:, 1], dphi2


def _cos_peaked(u: Array, beta: Array) -> tuple[Array, Array]:
    """cosθ with density ∝ 1/(1 − β²cos²θ) on [−1, 1] (c = tanh(v)/β, v flat) and dcos/du."""
    a = np.arctanh(np.minimum(beta, 1.0 - 1e-15))
    c = np.tanh(a * (2.0 * u - 1.0)) / beta
    return c, 2.0 * a * (1.0 - beta**2 * c**2) / beta


def kinematics_multiperipheral(u: Array, sqrt_s: Array, m_l: float, w_min: float,
                               q2_tag: tuple[float, float] = (0.0, 0.0)) -> tuple[Array, Array]:
    """Channel 1 (module docstring): momenta (n, 4, 4) of (e⁻, e⁺, ℓ⁻, ℓ⁺) and dΦ₄ per unit
    cube (0 where the γγ mass is below ``w_min`` or 2m_ℓ), the e⁻ and e⁺ Q² above ``q2_tag``.
    ``u``: 8 columns."""
    n = len(u)
    p1, p2 = beams(n, sqrt_s)
    x1, x2, jx = energy_losses(u[:, 0:2], max(w_min, 2 * m_l) ** 2 / sqrt_s**2)
    em, q2a, ja = scattered_lepton(x1, u[:, 2:4], sqrt_s, 1.0, q2_tag[0])
    ep, q2b, jb = scattered_lepton(x2, u[:, 4:6], sqrt_s, -1.0, q2_tag[1])
    pair = p1 + p2 - em - ep
    w2 = lorentz.mass2(pair)
    ok = (w2 > max(w_min, 2 * m_l * (1 + 1e-9)) ** 2) & (pair[:, 3] > 0)
    pair = np.where(ok[:, None], pair, np.array([0.0, 0.0, 0.0, 2.0 * m_l + 1.0]))
    w2 = lorentz.mass2(pair)
    w = np.sqrt(w2)
    # the lepton propagators −D = A ∓ B cosθ* about q₁ in the pair frame, with q₁² = −Q₁²:
    # A = W q₁⁰ + Q₁², B = Wβ|q⃗₁| (β_eff = B/A is the lepton velocity for real photons)
    q0 = (w2 - q2a + q2b) / (2 * w)
    qv = np.sqrt(q0 * q0 + q2a)
    beta_l = np.sqrt(np.maximum(1.0 - 4 * m_l**2 / w2, 0.0))
    beta_eff = np.minimum(w * beta_l * qv / (w * q0 + q2a), 1.0 - 1e-12)
    c, jc = _cos_peaked(u[:, 6], beta_eff)
    lm, lp, dphi2 = two_body_about(pair, p1 - em, m_l, m_l, c, 2 * np.pi * u[:, 7])
    jac = jx * ja * jb / (2 * np.pi) ** 6 * dphi2 * jc * 2 * np.pi
    return np.stack([em, ep, lm, lp], axis=1), np.where(ok, jac, 0.0)


def kinematics_bremsstrahlung(u: Array, sqrt_s: Array, m_l: float, w_min: float
                              ) -> tuple[Array, Array]:
    """Channel 2 (module docstring): the ℓ pair radiated off the e⁻ line, the e⁺ scattered.
    Momenta (n, 4, 4) of (e⁻, e⁺, ℓ⁻, ℓ⁺) and dΦ₄ per unit cube. ``u``: 8 columns."""
    n = len(u)
    s = sqrt_s**2
    p1, p2 = beams(n, sqrt_s)
    x, jx = map_pole(u[:, 0], max(w_min, 2 * m_l) ** 2 / s, 1.0, 0.0)
    ep, _, jb = scattered_lepton(x, u[:, 1:3], sqrt_s, -1.0)
    jb = jb * jx
    rest = p1 + p2 - ep
    my = np.sqrt(np.maximum(lorentz.mass2(rest), 0.0))
    lo = max(w_min, 2 * m_l * (1 + 1e-9)) ** 2
    hi = (my - M_E) ** 2
    ok = hi > lo * (1 + 1e-9)
    hi = np.where(ok, hi, 2 * lo)
    w2, jw = map_pole(u[:, 3], lo, hi, 0.0)
    mw = np.sqrt(w2)
    # the pair's angle about the e⁻ beam in the (e⁻ ℓℓ) rest frame: −D = A − B cosθ
    beta = rest[:, :3] / rest[:, 3:4]
    p1r = lorentz.boost(p1, -beta)
    e1, k1 = p1r[:, 3], np.linalg.norm(p1r[:, :3], axis=-1)
    eq = (my**2 + w2 - M_E**2) / (2 * my)
    kq = np.sqrt(np.maximum(eq * eq - w2, 0.0))
    a, b = 2 * e1 * eq - w2, 2 * k1 * kq
    b = np.where(b > 0, b, 1e-300)
    y, jy = map_pole(u[:, 4], a - b, a + b, 0.0)
    c = np.clip((a - y) / b, -1.0, 1.0)
    q, em, dphi2 = two_body_about(rest, p1, mw, M_E, c, 2 * np.pi * u[:, 5])
    lm, lp, dphi2_l = two_body(q, m_l, m_l, 2 * u[:, 6] - 1, 2 * np.pi * u[:, 7])
    w = jb / (2 * np.pi) ** 3 * dphi2 * jy / b * 2 * np.pi * jw / (2 * np.pi) * dphi2_l \
        * 4 * np.pi
    return np.stack([em, ep, lm, lp], axis=1), np.where(ok, w, 0.0)


def cp_image(p: Array) -> Array:
    """(e⁻, e⁺, ℓ⁻, ℓ⁺) → their CP image: charges exchanged, momenta reflected."""
    return p[:, [1, 0, 3, 2]] * np.array([-1.0, -1.0, -1.0, 1.0])


def _m2(a: Array, m: float = 0.0) -> Array:
    """|a² − m²|: the size of a propagator's denominator."""
    return np.abs(lorentz.mass2(a) - m * m)


# The multichannel partition: each channel's density per dΦ₄ (the inverse of the Jacobian its
# kinematics return) at any point, from the point's own variables, 0 where the channel cannot
# reach it; the shares are powers of these densities (:func:`power_partition`), so a channel
# integrates mostly where it samples densest and a point's weight is large only where no channel
# samples |M|² well. The former partition functions, the propagators each channel maps, left
# out the channels' energy-loss and normalisation factors: at a soft lepton at a large angle
# (x → 1 of a multiperipheral channel, which samples it ~10³ below its peak function's value
# against the relabelled channel that has it at small x) the x → 1 channel kept half the share
# and carried the largest weights (e⁺e⁻e⁺e⁻ Born unweighting efficiency 1.5% → 6.5%, 300k
# points, seed 3).
def _lepton_jacobian(mom: Array, beam: Array, sqrt_s: Array, q2_tag: float
                     ) -> tuple[Array, Array]:
    """x and the Jacobian of :func:`scattered_lepton` (d³p/(2E) per dx and unit square) at the
    scattered lepton ``mom`` of ``beam``; 0 where it cannot reach it (Q² below ``q2_tag``)."""
    e = sqrt_s / 2.0
    p = np.sqrt(e * e - M_E**2)
    e3 = mom[:, 3]
    p3 = np.linalg.norm(mom[:, :3], axis=-1)
    x = 1.0 - e3 / e
    q2 = -line_virtuality(mom, beam, M_E, True)
    q2_min = 2.0 * M_E**2 * (e - e3) ** 2 / (e * e3 - M_E**2 + p * p3)
    q2_max = q2_min + 4.0 * p * p3
    ok = (x < 1.0 - M_E / e * (1.0 + 1e-9)) & (q2_max > q2_tag) & (q2 >= q2_tag)
    lo = np.maximum(q2_min, q2_tag)
    jq = q2 * np.log(np.where(ok, q2_max / lo, 2.0))
    return x, np.where(ok, e * jq * 2.0 * np.pi / (4.0 * p), 0.0)


def _multiperipheral_jacobian(p: Array, sqrt_s: Array, m_l: float, w_min: float,
                              q2_tag: tuple[float, float]) -> Array:
    """dΦ₄ per unit cube of :func:`kinematics_multiperipheral` at ``p`` (0 where it cannot
    reach it): its factors from the point's x₁, x₂, Q₁², Q₂², W and lepton propagators."""
    n = len(p)
    p1, p2 = beams(n, sqrt_s)
    x1, ja = _lepton_jacobian(p[:, 0], p1, sqrt_s, q2_tag[0])
    x2, jb = _lepton_jacobian(p[:, 1], p2, sqrt_s, q2_tag[1])
    q2a = -line_virtuality(p[:, 0], p1, M_E, True)
    q2b = -line_virtuality(p[:, 1], p2, M_E, True)
    tau_min = max(w_min, 2 * m_l) ** 2 / sqrt_s**2
    tau = x1 * x2
    ok = tau >= tau_min
    tau = np.where(ok, tau, 0.5)
    jx = tau * tau * (1.0 / tau_min - 1.0) * 2.0 * (-0.5 * np.log(tau))
    pair = p[:, 2] + p[:, 3]
    w2 = lorentz.mass2(pair)
    ok &= (w2 > max(w_min, 2 * m_l * (1 + 1e-9)) ** 2) & (pair[:, 3] > 0)
    w2 = np.where(ok, w2, 1.0)
    w = np.sqrt(w2)
    q0 = (w2 - q2a + q2b) / (2 * w)
    qv = np.sqrt(q0 * q0 + q2a)
    beta_l = np.sqrt(np.maximum(1.0 - 4 * m_l**2 / w2, 0.0))
    a = w * q0 + q2a
    beta_eff = np.minimum(w * beta_l * qv / a, 1.0 - 1e-12)
    # 1 − β²cos²θ* = (A − Bcosθ*)(A + Bcosθ*)/A², the two lepton propagators with q₁
    q1 = p1 - p[:, 0]
    one_minus = _m2(p[:, 2] - q1, m_l) * _m2(p[:, 3] - q1, m_l) / (a * a)
    jc = 2.0 * np.arctanh(np.minimum(beta_eff, 1.0 - 1e-15)) * one_minus / beta_eff
    dphi2 = beta_l / (32.0 * np.pi**2)
    jac = jx * ja * jb / (2 * np.pi) ** 6 * dphi2 * jc * 2 * np.pi
    return np.where(ok, jac, 0.0)


def _bremsstrahlung_jacobian(p: Array, sqrt_s: Array, m_l: float, w_min: float) -> Array:
    """dΦ₄ per unit cube of :func:`kinematics_bremsstrahlung` at ``p`` (0 where it cannot reach
    it): its factors from the point's e⁺ (x, Q²), pair mass and e⁻ propagator."""
    n = len(p)
    p1, p2 = beams(n, sqrt_s)
    x, jb = _lepton_jacobian(p[:, 1], p2, sqrt_s, 0.0)
    tau_min = max(w_min, 2 * m_l) ** 2 / sqrt_s**2
    ok = x >= tau_min
    jx = x * np.log(1.0 / tau_min)
    rest = p1 + p2 - p[:, 1]
    my = np.sqrt(np.maximum(lorentz.mass2(rest), 0.0))
    lo = max(w_min, 2 * m_l * (1 + 1e-9)) ** 2
    hi = (my - M_E) ** 2
    q = p[:, 2] + p[:, 3]
    w2 = lorentz.mass2(q)
    ok &= (hi > lo * (1 + 1e-9)) & (w2 >= lo) & (w2 <= hi)
    my, w2, hi = (np.where(ok, v, d) for v, d in ((my, 1.0), (w2, lo), (hi, 2 * lo)))
    jw = w2 * np.log(hi / lo)
    e1 = (rest[:, 3] * p1[:, 3] - np.sum(rest[:, :3] * p1[:, :3], axis=-1)) / my
    eq = (my**2 + w2 - M_E**2) / (2 * my)
    k1 = np.sqrt(np.maximum(e1 * e1 - M_E**2, 0.0))
    kq = np.sqrt(np.maximum(eq * eq - w2, 0.0))
    a, b = 2 * e1 * eq - w2, 2 * k1 * kq
    ok &= b > 0
    b = np.where(ok, b, 1.0)
    jy = _m2(p1 - q, M_E) * np.log(np.where(ok, (a + b) / (a - b), 2.0))
    dphi2 = kq / (16 * np.pi**2 * my)
    dphi2_l = np.sqrt(np.maximum(1.0 - 4 * m_l**2 / w2, 0.0)) / (32.0 * np.pi**2)
    w = jb * jx / (2 * np.pi) ** 3 * dphi2 * jy / b * 2 * np.pi * jw / (2 * np.pi) * dphi2_l \
        * 4 * np.pi
    return np.where(ok, w, 0.0)


def power_partition(g: Array) -> Array:
    """Shares g_c²/Σg² of the channel densities ``g`` (n, channels) per point (Veach's power
    heuristic with β = 2; 0 where no channel reaches the point). Against the balance heuristic
    g_c/Σg, a region is left more decisively to the channel that samples it densest (whose
    VEGAS map then adapts to it alone): Born unweighting efficiency on 300k-point grids (seeds
    3, 5) e⁺e⁻e⁺e⁻ 6.2%, 6.0% → 6.5%, 6.6%; e⁺e⁻μ⁺μ⁻ 14.0%, 13.6% → 15.6%, 15.4% (β = 4:
    5.6% and 15.6%)."""
    top = g.max(axis=1, keepdims=True)
    r = (g / np.where(top > 0, top, 1.0)) ** 2
    total = r.sum(axis=1, keepdims=True)
    return r / np.where(total > 0, total, 1.0)


W_PAIR_MIN = ProcessParam(
    "w_pair_min", 0.5,
    "generator-level cut: the invariant masses of the e+e- pair and of the l+l- pair above "
    "this (GeV; the Physics Book's W_ll > 0.5 GeV)")
Q2_TAG_MIN = ProcessParam(
    "q2_tag_min", 0.0,
    "generator-level cut: both scattered e+- with Q^2 above this (GeV^2; a double tag, both "
    "leptons at wide angle; 0: no cut)")
DIMS = 8


@dataclass(frozen=True)
class _Channel:
    """A phase-space channel: multiperipheral with the e⁻ (``tag`` 0) or the e⁺ (1) above
    the Q² a pair p_T filter needs (both above ``q2_both``, a double tag), or bremsstrahlung
    (the CP image when ``mirrored``)."""

    kind: str
    tag: int = 0
    mirrored: bool = False

    def _tags(self, q2_tag: float, q2_both: float) -> tuple[float, float]:
        tagged = max(q2_tag, q2_both)
        return (tagged, q2_both) if self.tag == 0 else (q2_both, tagged)

    def kinematics(self, u: Array, sqrt_s: Array, m_l: float, w_min: float, q2_tag: float,
                   q2_both: float = 0.0) -> tuple[Array, Array]:
        if self.kind == "multiperipheral":
            return kinematics_multiperipheral(u, sqrt_s, m_l, w_min, self._tags(q2_tag, q2_both))
        p, w = kinematics_bremsstrahlung(u, sqrt_s, m_l, w_min)
        return (cp_image(p) if self.mirrored else p), w

    def jacobian(self, p: Array, sqrt_s: Array, m_l: float, w_min: float, q2_tag: float,
                 q2_both: float = 0.0) -> Array:
        """The Jacobian :meth:`kinematics` returns, at any momenta ``p`` (0 where this channel
        cannot reach them)."""
        if self.kind == "multiperipheral":
            return _multiperipheral_jacobian(p, sqrt_s, m_l, w_min, self._tags(q2_tag, q2_both))
        return _bremsstrahlung_jacobian(cp_image(p) if self.mirrored else p, sqrt_s, m_l, w_min)


CHANNELS = (_Channel("multiperipheral", tag=0), _Channel("multiperipheral", tag=1),
            _Channel("bremsstrahlung"), _Channel("bremsstrahlung", mirrored=True))


def densities(p: Array, sqrt_s: Array, m_l: float, w_min: float, q2_tag: float,
              channels: tuple[_Channel, ...] = CHANNELS, q2_both: float = 0.0) -> Array:
    """The multichannel partition (n, channels): the density per dΦ₄ of each of ``channels``
    at the momenta ``p`` (n, 4, 4) of (e⁻, e⁺, ℓ⁻, ℓ⁺), 0 where it cannot reach them (a tagged
    multiperipheral channel below its Q² tags)."""
    jac = np.stack([ch.jacobian(p, sqrt_s, m_l, w_min, q2_tag, q2_both) for ch in channels],
                   axis=1)
    return np.where(jac > 0, 1.0 / np.where(jac > 0, jac, 1.0), 0.0)


def tag_q2(pt_pair_min: float) -> float:
    """The Q² one scattered lepton must exceed for a pair p_T above ``pt_pair_min``: the pair
    balances the two leptons' p_T, so one has p_T ≥ p_T,min/2, and Q² ≥ p_T² of a scattered
    beam lepton (Q² = 2pp'(1 − cosθ) + Q²_min ≥ pp' sin²θ ≥ p'² sin²θ)."""
    return 0.25 * pt_pair_min**2


class EELeptonPair(EEProcess):
    """e⁺e⁻ → e⁺e⁻ℓ⁺ℓ⁻ (module docstring)."""

    params: tuple[ProcessParam, ...] = (W_PAIR_MIN, PT_PAIR_MIN, Q2_TAG_MIN)
    isr_collinear = True
    lepton_mass: float = M_MU
    default_filter = ("W_ee, W_ll > w_pair_min; pair p_T > pt_pair_min; both scattered e+- "
                      "with Q^2 > q2_tag_min (hard frame; 0: none)")
    pairings = PAIRINGS_EELL
    #: the phase-space channels (:data:`CHANNELS`)
    channels: tuple[_Channel, ...] = CHANNELS
    #: permutations of the slots (e⁻, e⁺, ℓ⁻, ℓ⁺) that leave |M|² unchanged
    relabellings: tuple[tuple[int, int, int, int], ...] = ((0, 1, 2, 3),)
    #: 1/(identical-particle permutations), applied in σ (not in |M|²)
    symmetry_factor: float = 1.0

    def hard_ndim(self, params: Mapping[str, float]) -> int:
        return 1 + len(self.channels) * DIMS

    def grid(self, params: Mapping[str, float], isr: bool, n_points: int, seed: int) -> Grid:
        """VEGAS with a defensive flat component (:class:`.radiative_qed.DefensiveGrid`)."""
        sqrt_s = self.experiment.sqrt_s
        return build_defensive_grid(lambda x: self.evaluate(x, sqrt_s, params, isr)[0],
                                    self.ndim(params, isr), n_points=n_points, seed=seed,
                                    layout=self.channel_layout(isr, DIMS, len(self.channels)))

    def s_min(self, params: Mapping[str, float]) -> float:
        w = max(float(params["w_pair_min"]), 2 * self.lepton_mass)
        return (w + max(float(params["w_pair_min"]), 2 * M_E)) ** 2 * 1.0001

    def xsec_note(self, isr: bool) -> str:
        born = (f"tree-level QED 2→4 ({6 * len(self.pairings)} diagrams, massive electrons)")
        return (f"{born}, running α per photon, Kuraev–Fadin ISR" if isr
                else f"{born}, α(0), no ISR")

    def in_cuts(self, p: Array, params: Mapping[str, float]) -> Array:
        """Generator-level cuts on (n, 4, 4) momenta: for some pairing of the opposite charges
        both pair masses above w_pair_min (with identical leptons: either pairing), and the
        ℓ⁺ℓ⁻ pair's p_T above pt_pair_min."""
        w2 = float(params["w_pair_min"]) ** 2
        ok = (_m2(p[:, 0] + p[:, 1]) > w2) & (_m2(p[:, 2] + p[:, 3]) > w2)
        if len(self.relabellings) > 1:
            ok &= (_m2(p[:, 0] + p[:, 3]) > w2) & (_m2(p[:, 2] + p[:, 1]) > w2)
        pair = p[:, 2] + p[:, 3]
        return ok & (np.hypot(pair[:, 0], pair[:, 1]) > float(params.get("pt_pair_min", 0.0)))

    def passes_filter(self, p: Array, k1: Array, k2: Array, params: Mapping[str, float]
                      ) -> Array:
        return self.in_cuts(p, params)

    def me2(self, p1: Array, p2: Array, p: Array, rc: bool) -> Array:
        return me2_eell({1: p1, 2: p2, 3: p[:, 0], 4: p[:, 1], 5: p[:, 2], 6: p[:, 3]},
                        self.lepton_mass, rc, self.pairings)

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        n = len(u)
        w_min = float(params["w_pair_min"])
        q2_tag = tag_q2(float(params.get("pt_pair_min", 0.0)))
        q2_both = float(params.get("q2_tag_min", 0.0))
        sqrt_s = np.broadcast_to(np.asarray(sqrt_s, float), (n,))
        n_ch = len(self.channels)
        channel = np.minimum((u[:, 0] * n_ch).astype(int), n_ch - 1)
        p = np.empty((n, 4, 4))
        dphi = np.empty(n)
        with np.errstate(all="ignore"):  # points outside a channel's range have weight 0
            for c, ch in enumerate(self.channels):
                sel = channel == c
                uc = u[sel, 1 + c * DIMS:1 + (c + 1) * DIMS]
                p[sel], dphi[sel] = ch.kinematics(uc, sqrt_s[sel], self.lepton_mass, w_min,
                                                  q2_tag, q2_both)
        ok = (dphi > 0) & self.in_cuts(p, params)
        if q2_both > 0.0:  # the double tag, in the hard frame where the channels' tags are
            b1, b2 = beams(n, sqrt_s)
            with np.errstate(all="ignore"):
                ok &= ((-line_virtuality(p[:, 0], b1, M_E, True) > q2_both)
                       & (-line_virtuality(p[:, 1], b2, M_E, True) > q2_both))
        w = np.zeros(n)
        if np.any(ok):
            pk, rs = p[ok], sqrt_s[ok]
            p1, p2 = beams(len(pk), rs)
            me2 = self.me2(p1, p2, pk, rc)
            # the partition over channels × relabellings (exact symmetries of |M|²)
            with np.errstate(all="ignore"):
                part = np.stack([densities(pk[:, list(r)], rs, self.lepton_mass, w_min, q2_tag,
                                           self.channels, q2_both)
                                 for r in self.relabellings], axis=-1)
            share = power_partition(part.reshape(len(pk), -1))[np.arange(len(pk)),
                                                                 channel[ok] * part.shape[2]]
            w[ok] = (n_ch * len(self.relabellings) * self.symmetry_factor * share * me2
                     * dphi[ok] / (2 * rs**2) * GEV2_TO_PB)
        return p, w


class EEMuMu(EELeptonPair):
    name = "ee_eemumu"
    description = ("e+e- -> e+e-mu+mu-: full tree-level QED ME (12 diagrams: multiperipheral, "
                   "bremsstrahlung, annihilation; massive electrons), W_ee, W_mumu > w_pair_min")
    pdgs = (PDG_ELECTRON, -PDG_ELECTRON, PDG_MUON, -PDG_MUON)
    fsr = ((2, 3, M_MU),)


class EETauTau(EELeptonPair):
    name = "ee_eetautau"
    description = ("e+e- -> e+e-tau+tau-: full tree-level QED ME (12 diagrams, massive "
                   "electrons); taus left for the framework's Pythia decays (finish_decays)")
    lepton_mass = M_TAU
    pdgs = (PDG_ELECTRON, -PDG_ELECTRON, PDG_TAU, -PDG_TAU)
    fsr = ((2, 3, M_TAU),)


class EEEE(EELeptonPair):
    """e⁺e⁻ → e⁺e⁻e⁺e⁻: the 36 graphs of the six pairings (identical e⁻ and e⁺ in the final
    state and the beams' own lines); the multiperipheral channel of ee_eemumu with ℓ = e under
    the four relabellings of the identical leptons, σ × 1/4; after unweighting the two e⁻ and
    the two e⁺ are exchanged with probability 1/2 each (exact: |M|² is symmetric).

    No bremsstrahlung channels: under the relabellings the multiperipheral channel reaches every
    point and samples the bremsstrahlung configurations as densely (an e⁺e⁻ pair radiated off a
    beam is a pair made by two photons when the radiating lepton is relabelled): at 80k points
    of the four-channel grid (Born) the bremsstrahlung densities added nothing to Σg where σ is
    (the σ fraction with |M|²/Σg above 3, 10, 30, 100 × its mean: 1.6%, 0.9%, 0.5%, 0.2%
    either way), while their channels took 22% of the points for 3% of σ and their VEGAS maps,
    trained on few points, made the largest weights. Born unweighting efficiency (300k points,
    seeds 3, 5) 6.5%, 6.6% → 19%, 19% (1M points: σ 40.76, 40.87, 40.71, 40.82 ± 0.06 nb at
    seeds 3–6, 40.780 ± 0.027 from 4M; 40.98, 40.78 ± 0.11 with the four channels, seeds 3,
    4)."""

    name = "ee_eeee"
    description = ("e+e- -> e+e-e+e-: full tree-level QED ME (36 diagrams, identical-particle "
                   "antisymmetrisation, massive electrons), W > w_pair_min for a pairing")
    params = (W_PAIR_MIN,)
    default_filter = "every opposite-charge e+e- pair's mass W > w_pair_min"
    lepton_mass = M_E
    pdgs = (PDG_ELECTRON, -PDG_ELECTRON, PDG_ELECTRON, -PDG_ELECTRON)
    fsr = ()
    pairings = PAIRINGS_EEEE
    channels = (CHANNELS[0],)
    relabellings = ((0, 1, 2, 3), (2, 1, 0, 3), (0, 3, 2, 1), (2, 3, 0, 1))
    symmetry_factor = 0.25
    #: integration points of the generation grid: with 600k instead of 300k the unweighting
    #: efficiency with ISR rose from 12.0%, 12.5% to 13.4%, 13.9% (grid seeds 11, 12,
    #: 2026-12-07), for ~4 s more of grid building per process (once, before any event)
    grid_points = 600_000

    def decay(self, p: Array, rng: np.random.Generator, params: Mapping[str, float]
              ) -> tuple[Array, Decayed | None]:
        symmetrise_identical(p, rng)
        return np.broadcast_to(np.array(self.pdgs), (len(p), 4)), None


EE_EEMUMU = register(EEMuMu())
EE_EETAUTAU = register(EETauTau())
EE_EEEE = register(EEEE())


# ---------------------------------------------------------------------------------------------
# validation helpers (checks_pair_production and the tests)
# ---------------------------------------------------------------------------------------------
def ward_ratio(n: int, seed: int, proc: EELeptonPair | None = None) -> Array:
    """Per event, max over the pairings and lines of |M(photon → momentum)| / |M| (``proc``'s
    graphs, ee_eemumu by default, at ``n`` phase-space points from all channels, Born): zero
    up to rounding."""
    proc = proc or EE_EEMUMU
    params = {"w_pair_min": 0.5, "pt_pair_min": 0.0}
    u = np.random.default_rng(seed).random((n, proc.hard_ndim(params)))
    p, w = proc.hard(u, np.full(n, 10.58), params, False)
    p = p[w > 0]
    p1, p2 = beams(len(p), np.full(len(p), 10.58))
    m = proc.lepton_mass
    legs = Legs({1: p1, 2: p2, 3: p[:, 0], 4: p[:, 1], 5: p[:, 2], 6: p[:, 3]},
                {1: M_E, 2: M_E, 3: M_E, 4: M_E, 5: m, 6: m})
    e2 = coupling(False)
    worst = np.zeros(len(p))
    for lines, _ in proc.pairings:
        ref = np.abs(pairing_amplitude(legs, lines, e2)).max(axis=tuple(range(6)))
        for line in lines:
            ward = np.abs(pairing_amplitude(legs, lines, e2, replace=line))
            worst = np.maximum(worst, ward.max(axis=tuple(range(6))) / ref)
    return worst


def sigma_small_q2(w_pair: float, q2_max: float, n: int, seed: int
                   ) -> tuple[float, float, float, float]:
    """σ(e⁺e⁻ → e⁺e⁻μ⁺μ⁻) in pb with W_μμ > ``w_pair`` and both scattered leptons' Q² below
    ``q2_max`` (where the equivalent-photon approximation holds), Born: the full matrix element
    (weighted points of its VEGAS grid) and the EPA of :mod:`.two_photon`, each ± its MC error."""
    from darkscan.generate.processes.two_photon import EE_EEMUMU as EPA

    params = {"w_pair_min": 0.5, "pt_pair_min": 0.0}
    rng = np.random.default_rng(seed)
    grid = EE_EEMUMU.grid(params, False, n, seed)

    def in_region(em: Array, ep: Array, w2: Array) -> Array:
        p1, p2 = beams(len(em), np.full(len(em), 10.58))
        return ((np.abs(line_virtuality(em, p1, M_E, True)) < q2_max)
                & (np.abs(line_virtuality(ep, p2, M_E, True)) < q2_max) & (w2 > w_pair**2))

    x, jac = grid.sample(rng, n)
    w, st = EE_EEMUMU.evaluate(x, EE_EEMUMU.experiment.sqrt_s, params, False)
    p = st["p"]
    full = w * jac * in_region(p[:, 0], p[:, 1], lorentz.mass2(p[:, 2] + p[:, 3]))
    t = EPA._trials(4 * n, rng)
    epa = t["w"] * in_region(t["em"], t["ep"], t["W"] ** 2)
    return (float(full.mean()), float(full.std() / np.sqrt(full.size)), float(epa.mean()),
            float(epa.std() / np.sqrt(epa.size)))


#: EPA events per generated chunk in :func:`full_over_epa`
EPA_CHUNK = 500_000


def full_over_epa(cells: Callable[[Array], Array], n_cells: int, *, pt_pair_min: float,
                  n_points: int, n_epa: int, seed: int) -> dict[str, Array]:
    """The full matrix element of e⁺e⁻ → e⁺e⁻μ⁺μ⁻ against the equivalent-photon
    approximation (``ee_eemumu_epa``) in a selection emulated at generator level, per cell of
    its phase space: ``cells`` maps lab momenta (n, 4, 4) = (e⁻, e⁺, μ⁻, μ⁺) to a cell index in
    0 … n_cells − 1, or −1 outside the selection. Both Born, nominal beams, W_ℓℓ > 0.5 GeV and
    the pair's CMS p_T above ``pt_pair_min``: the full one from ``n_points`` weighted points of
    its VEGAS grid (no unweighting), the EPA from ``n_epa`` of its unweighted events. Returns σ
    per cell (pb) of each (``full``, ``epa``) with their MC errors (``*_error``), their
    ``ratio`` and its error (0 where the EPA has no event)."""
    from darkscan.generate.processes.two_photon import EE_EEMUMU as EPA

    params = {"w_pair_min": 0.5, "pt_pair_min": pt_pair_min, "q2_tag_min": 0.0}
    proc = EE_EEMUMU
    grid = proc.grid(params, False, 400_000, seed)
    rng = np.random.default_rng(seed)
    exp = proc.experiment
    full, full2 = np.zeros(n_cells), np.zeros(n_cells)
    for start in range(0, n_points, 200_000):
        x, jac = grid.sample(rng, min(200_000, n_points - start))
        w, st = proc.evaluate(x, exp.sqrt_s, params, False)
        w = w * jac
        c = cells(exp.to_lab(st["p"]))
        ok = c >= 0
        full += np.bincount(c[ok], weights=w[ok], minlength=n_cells)
        full2 += np.bincount(c[ok], weights=w[ok] ** 2, minlength=n_cells)
    full, full_error = full / n_points, np.sqrt(full2) / n_points
    order = (PDG_ELECTRON, -PDG_ELECTRON, PDG_MUON, -PDG_MUON)
    counts, sigma = np.zeros(n_cells), 0.0
    for i, start in enumerate(range(0, n_epa, EPA_CHUNK)):  # ~1 kB per event: chunks
        m = min(EPA_CHUNK, n_epa - start)
        sample = EPA.generate_chunk(m, np.random.SeedSequence([seed, 0xE9A, i]),
                                    {"pt_pair_min": pt_pair_min, "pt_pair_max": 0.0},
                                    isr=False)
        parts = sample.events.particles
        p = np.stack([np.stack([np.asarray(parts[parts.pdg == code][c][:, 0])
                                for c in ("px", "py", "pz", "E")], axis=-1) for code in order],
                     axis=1)
        c = cells(p)
        counts += np.bincount(c[c >= 0], minlength=n_cells)
        sigma += sample.meta.sigma_pb * m
    scale = sigma / n_epa / n_epa
    epa, epa_error = counts * scale, np.sqrt(counts) * scale
    seen = counts > 0
    ratio, ratio_error = np.zeros(n_cells), np.zeros(n_cells)
    ratio[seen] = full[seen] / epa[seen]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.hypot(np.where(full > 0, full_error / full, 0.0), 1.0 / np.sqrt(counts))
    ratio_error[seen] = ratio[seen] * rel[seen]
    return {"full": full, "full_error": full_error, "epa": epa, "epa_error": epa_error,
            "ratio": ratio, "ratio_error": ratio_error}
