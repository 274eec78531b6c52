"""Two-photon lepton-pair production e⁺e⁻ → e⁺e⁻ℓ⁺ℓ⁻ (``ee_eemumu_epa``, ``ee_eeee_epa``) in
the equivalent-photon approximation, fully vectorised: the fast option beside the full matrix
element of :mod:`.pair_production` (``ee_eemumu``), with which it agrees to 0.5% where both
scattered leptons have Q² < 10⁻² GeV², and which it underestimates where the pair has a large
p_T (the longitudinal photons and the other graphs: ×0.5 for p_T(μμ) > 0.35 GeV, ×0.22 above
1 GeV; :mod:`darkscan.generate.checks_pair_production`).

Method (Budnev, Ginzburg, Meledin, Serbo, Phys. Rept. 15 (1975) 181, eqs. (6.16)–(6.17); the
transverse-photon flux):

    dn_i = α/π · [(1 − x + x²/2) − (1 − x) Q²_min/Q²] · dx/x · dQ²/Q²,   Q²_min = m_e² x²/(1 − x)

for each beam, with the scattered e± built *exactly* from (x, Q², φ): E' = E(1 − x) and
Q² = 2(E E' − p p' cosθ) − 2m_e², so the photons q_i = p_i − p'_i carry their real virtuality and
transverse momentum, and the lepton pair recoils against the scattered e± (pair p_T = −Σ p_T(e±)).
W² = (q₁ + q₂)² is computed from the four-vectors, and the subprocess is the Breit–Wheeler
γγ → ℓ⁺ℓ⁻ cross section (v = 4m²/W², β = √(1 − v)):

    σ(W) = (4πα²/W²) [ (1 + v − v²/2) ln((1 + β)/(1 − β)) − β (1 + v) ],

with the lepton decay angle in the γγ frame from the exact differential form.

Virtuality regulator (model assumption, not in the real-photon formula): the collinear logarithm
of γγ → ℓℓ is cut off by the off-shellness of the exchanged lepton, k² − m² ≈ −[m² + z(1−z)Q²];
we use m²_eff = m² + (Q₁² + Q₂²)/4 (z(1−z) at its maximum) in σ and in the angular distribution.
Without it, the EPA overshoots eeee by a factor 2.4 and eeμμ by 15% (Q²_max = W²), and depends on
the arbitrary Q²_max; with it the result is independent of Q²_max. What the EPA still misses:
scalar (longitudinal) photons, non-multiperipheral diagrams (bremsstrahlung, conversion,
annihilation) and their interference, and for eeee the identical-particle exchange. Measured
against the Physics Book (W_ℓℓ > 0.5 GeV): eeμμ 17.42 nb vs 18.9 (−8%), eeee 42.5 nb vs
39.7 (+7%); see :mod:`darkscan.generate.checks_pythia`.

Sampling: (ln x₁, ln x₂) uniform on the triangle x₁x₂s ≥ W²_min (:func:`_x_pair`), ln Q²ᵢ flat
between its bounds; with a pair p_T filter, a mixture of channels in which one side's Q² lies
above what a p_T of half the filter needs (:func:`_q2_pair`). With p_T(ℓℓ) > 0.35 GeV (the
Z′→invisible sample) this accepts 3.6% of the trials instead of 0.56%: 12 µs an event instead of
35, σ unchanged (720.7 ± 1.1 and 719.0 ± 1.1 pb on two seeds, 719 ± 3 before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from darkscan.errors import ParameterError
from darkscan.events import Sample, SampleMeta, make_truth_events
from darkscan.generate.registry import ProcessParam, XsecResult, register
from darkscan.jit import jit_exact
from darkscan.physics import lorentz
from darkscan.physics.constants import ALPHA, GEV2_TO_PB, M_E, M_MU, PDG_ELECTRON, PDG_MUON
from darkscan.physics.experiment import BELLE2, Experiment


def sigma_gg_ll(w: np.ndarray, m: np.ndarray | float) -> np.ndarray:
    """Breit–Wheeler σ(γγ → ℓ⁺ℓ⁻) in GeV⁻² for real photons at invariant mass ``w``."""
    w = np.asarray(w, float)
    v = 4.0 * np.asarray(m, float) ** 2 / np.maximum(w, 1e-300) ** 2
    beta = np.sqrt(np.clip(1.0 - v, 0.0, None))
    log = np.log((1.0 + beta) / np.maximum(1.0 - beta, 1e-300))
    out = 4.0 * np.pi * ALPHA**2 / w**2 * ((1.0 + v - 0.5 * v * v) * log - beta * (1.0 + v))
    return np.where(v < 1.0, out, 0.0)


def dsigma_shape(cos_t: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Angular shape of γγ → ℓ⁺ℓ⁻ in the γγ frame, dσ/dcosθ* = (2πα²β/W²) × this:
    [1 − β⁴c⁴ + 2(1 − β²)(1 − β²c²) − 2(1 − β²)²]/(1 − β²c²)² (crossed e⁺e⁻ → γγ)."""
    b2 = beta**2
    d = 1.0 - b2 * cos_t**2
    return (1.0 - b2**2 * cos_t**4 + 2 * (1 - b2) * d - 2 * (1 - b2) ** 2) / d**2


def sample_cos_theta(beta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """cosθ* from :func:`dsigma_shape`: envelope 1/(1 − β²c²) (c = tanh(u)/β), accept–reject
    with the bounded ratio (≤ 2)."""
    n = beta.size
    out = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        b = beta[todo]
        umax = np.arctanh(b)
        c = np.tanh(rng.uniform(-umax, umax)) / b
        ratio = dsigma_shape(c, b) * (1.0 - b * b * c * c)
        ok = rng.random(todo.size) * 2.0 < ratio
        out[todo[ok]] = c[ok]
        todo = todo[~ok]
    return out


def _scattered(e_beam: float, x: np.ndarray, q2: np.ndarray, phi: np.ndarray, sign: float
               ) -> np.ndarray:
    """Scattered beam lepton (…, 4) with energy E(1−x) and virtuality Q², beam along sign·z."""
    e1 = e_beam * (1.0 - x)
    p = np.sqrt(e_beam**2 - M_E**2)
    p1 = np.sqrt(np.maximum(e1**2 - M_E**2, 0.0))
    cos_t = np.clip((2 * e_beam * e1 - 2 * M_E**2 - q2) / np.maximum(2 * p * p1, 1e-300), -1, 1)
    sin_t = np.sqrt(1.0 - cos_t**2)
    return lorentz.p4(p1 * sin_t * np.cos(phi), p1 * sin_t * np.sin(phi), sign * p1 * cos_t, e1)


#: a trial whose two scattered-lepton p_T sum to less than pt_pair_min × (1 − this) fails the
#: pair p_T filter whatever its azimuths (triangle inequality; far above the rounding error)
_PT_MARGIN = 1e-12


@jit_exact
def _x_pair(u1: float, u2: float, ln_x: float) -> tuple[float, float]:
    """The photons' energy fractions x₁, x₂ of a trial from two unit numbers: (ln x₁, ln x₂)
    uniform on the triangle ln x₁ + ln x₂ ≥ ln x_min = ln(W_min²/s) (a point of the unit square
    below its diagonal is reflected through the centre); the rest of the square has
    x₁x₂s < W_min², where W ≤ √(x₁x₂s) leaves no γγ mass above W_min (measured: no trial of
    non-zero weight there in 4×10⁶)."""
    if u1 + u2 < 1.0:
        u1, u2 = 1.0 - u1, 1.0 - u2
    return (min(np.exp(ln_x + (0.0 - ln_x) * u1), 1 - 1e-9),
            min(np.exp(ln_x + (0.0 - ln_x) * u2), 1 - 1e-9))


@jit_exact
def _x_pairs(u1: np.ndarray, u2: np.ndarray, ln_x: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_x_pair` of every trial of drawn arrays."""
    x1 = np.empty(u1.size)
    x2 = np.empty(u1.size)
    for i in range(u1.size):
        x1[i], x2[i] = _x_pair(u1[i], u2[i], ln_x)
    return x1, x2


def _x_weight(ln_x: float) -> float:
    """The trials' weight from the (x₁, x₂) sampling: the triangle's area in (ln x₁, ln x₂),
    times the GeV⁻² → pb conversion of the σ it multiplies."""
    return 0.5 * ln_x * ln_x * GEV2_TO_PB


#: with a pair p_T filter, the share of trials whose first (second) scattered lepton is drawn
#: with Q² above the filter's threshold: a pair p_T above p_T,min needs one scattered lepton
#: above p_T,min/2; the rest are drawn over the whole range of both, so every Q² pair keeps a
#: non-zero density
HARD_SIDE_SHARE = 0.45
#: the hard side's threshold Q² = (margin · p_T,min/2)²/(1 − x): p_T² ≈ Q²(1 − x) for the
#: scattered lepton, lowered a little so that trials that pass never rest on the full-range
#: channel alone (their weight would be 1/(1 − 2·share) times the others')
_HARD_MARGIN = 0.9


@jit_exact
def _q2_range(x: float, w_nom2: float, pt_min: float) -> tuple[float, float, float, float]:
    """One side's Q²_min = m_e²x²/(1 − x) and the ln Q² bounds of its sampling: lower, hard
    channel's lower (the threshold, or the lower bound without a filter or when the threshold
    lies outside the range) and upper (W²_nom = x₁x₂s)."""
    q2min = M_E**2 * x**2 / (1.0 - x)
    q2max = max(w_nom2, q2min * (1 + 1e-12))
    lo, hi = np.log(q2min), np.log(q2max)
    hard = lo
    if pt_min > 0.0:
        thr = (0.5 * _HARD_MARGIN * pt_min) ** 2 / (1.0 - x)
        if q2min < thr < q2max:
            hard = np.log(thr)
    return q2min, lo, hard, hi


@jit_exact
def _q2_pair(x1: float, x2: float, r1: float, r2: float, s: float, pt_min: float
             ) -> tuple[float, float, float, float, float]:
    """Q₁², Q₂² of a trial from its unit numbers r₁, r₂, their lower bounds Q²_min,i, and
    1/g, g the density of (ln Q₁², ln Q₂²) the trials are drawn from. Without a p_T filter both
    are log-flat between Q²_min,i and W²_nom (:func:`_q2_range`). With one, a mixture of three
    channels chosen by r₁ (rescaled to a fresh unit number): side 1 hard (ln Q₁² flat above the
    threshold, :data:`HARD_SIDE_SHARE`), side 2 hard (the same), both over the whole range
    (the rest)."""
    qmin1, lo1, hard1, hi1 = _q2_range(x1, x1 * x2 * s, pt_min)
    qmin2, lo2, hard2, hi2 = _q2_range(x2, x1 * x2 * s, pt_min)
    full1, full2 = hi1 - lo1, hi2 - lo2
    if pt_min <= 0.0:
        return np.exp(lo1 + r1 * full1), np.exp(lo2 + r2 * full2), qmin1, qmin2, full1 * full2
    share = HARD_SIDE_SHARE
    start1, start2 = lo1, lo2
    if r1 < share:
        r1, start1 = r1 / share, hard1
    elif r1 < 2.0 * share:
        r1, start2 = (r1 - share) / share, hard2
    else:
        r1 = (r1 - 2.0 * share) / (1.0 - 2.0 * share)
    ln1 = start1 + r1 * (hi1 - start1)
    ln2 = start2 + r2 * (hi2 - start2)
    g = (1.0 - 2.0 * share) / (full1 * full2)
    if ln1 >= hard1:
        g += share / ((hi1 - hard1) * full2)
    if ln2 >= hard2:
        g += share / (full1 * (hi2 - hard2))
    return np.exp(ln1), np.exp(ln2), qmin1, qmin2, 1.0 / g


@jit_exact
def _q2_pairs(x1: np.ndarray, x2: np.ndarray, r1: np.ndarray, r2: np.ndarray, s: float,
              pt_min: float) -> np.ndarray:
    """:func:`_q2_pair` of every trial of drawn arrays, as rows (Q₁², Q₂², Q²_min,1, Q²_min,2,
    1/g)."""
    out = np.empty((5, x1.size))
    for i in range(x1.size):
        out[0, i], out[1, i], out[2, i], out[3, i], out[4, i] = _q2_pair(
            x1[i], x2[i], r1[i], r2[i], s, pt_min)
    return out


@jit_exact
def _weight_one(x1: float, x2: float, r1: float, r2: float, phi1: float, phi2: float,
                s: float, w0: float, w_min: float, m_lep: float, pt_min: float, pt_max: float
                ) -> float:
    """The weight (pb) of one trial: the formulas of :meth:`TwoPhotonProcess._kinematics` and
    :func:`sigma_gg_ll`, in the same order (bit for bit what numpy gives); a trial that surely
    fails the pair p_T filter (above ``pt_min``, at most ``pt_max``) is rejected before any
    azimuth, W or σ(γγ → ℓℓ) is computed."""
    e_beam = 0.5 * np.sqrt(s)
    p = np.sqrt(e_beam**2 - M_E**2)
    qa, qb, qmin_a, qmin_b, inv_g = _q2_pair(x1, x2, r1, r2, s, pt_min)
    weight = w0 * inv_g
    q2 = (0.0, 0.0)
    e1 = (0.0, 0.0)
    p1 = (0.0, 0.0)
    cos_t = (0.0, 0.0)
    sin_t = (0.0, 0.0)
    for side in range(2):
        x = x1 if side == 0 else x2
        q2min = qmin_a if side == 0 else qmin_b
        q = qa if side == 0 else qb
        weight *= ALPHA / np.pi * ((1 - x + 0.5 * x * x) - (1 - x) * q2min / q)
        # the scattered lepton of this side (_scattered)
        ei = e_beam * (1.0 - x)
        pi = np.sqrt(max(ei**2 - M_E**2, 0.0))
        c = min(max((2 * e_beam * ei - 2 * M_E**2 - q) / max(2 * p * pi, 1e-300), -1.0), 1.0)
        if side == 0:
            q2, e1, p1 = (q, 0.0), (ei, 0.0), (pi, 0.0)
            cos_t, sin_t = (c, 0.0), (np.sqrt(1.0 - c**2), 0.0)
        else:
            q2, e1, p1 = (q2[0], q), (e1[0], ei), (p1[0], pi)
            cos_t, sin_t = (cos_t[0], c), (sin_t[0], np.sqrt(1.0 - c**2))
    if p1[0] * sin_t[0] + p1[1] * sin_t[1] < pt_min * (1.0 - _PT_MARGIN):
        return 0.0
    # the γγ system: beams − e⁻' − e⁺'
    px = (0.0 - p1[0] * sin_t[0] * np.cos(phi1)) - p1[1] * sin_t[1] * np.cos(phi2)
    py = (0.0 - p1[0] * sin_t[0] * np.sin(phi1)) - p1[1] * sin_t[1] * np.sin(phi2)
    pz = (0.0 - p1[0] * cos_t[0]) - (-1.0 * p1[1] * cos_t[1])
    e = (2 * e_beam - e1[0]) - e1[1]
    pt = np.hypot(px, py)
    if not (pt_min < pt <= pt_max and e > 0):
        return 0.0
    w = np.sqrt(max(e**2 - (px**2 + py**2 + pz**2), 0.0))
    m_eff = np.sqrt(m_lep**2 + 0.25 * (q2[0] + q2[1]))
    if not (w > w_min and w > 2 * m_eff):
        return 0.0
    v = 4.0 * m_eff**2 / max(w, 1e-300) ** 2
    beta = np.sqrt(max(1.0 - v, 0.0))
    log = np.log((1.0 + beta) / max(1.0 - beta, 1e-300))
    sig = 4.0 * np.pi * ALPHA**2 / w**2 * ((1.0 + v - 0.5 * v * v) * log - beta * (1.0 + v))
    return weight * (sig if v < 1.0 else 0.0)


@jit_exact
def _trial_weights(x1: np.ndarray, x2: np.ndarray, r1: np.ndarray, r2: np.ndarray,
                   phi1: np.ndarray, phi2: np.ndarray, s: float, w0: float, w_min: float,
                   m_lep: float, pt_min: float, pt_max: float) -> np.ndarray:
    """:func:`_weight_one` of every trial of drawn arrays."""
    out = np.empty(x1.size)
    for i in range(x1.size):
        out[i] = _weight_one(x1[i], x2[i], r1[i], r2[i], phi1[i], phi2[i], s, w0, w_min,
                             m_lep, pt_min, pt_max)
    return out


@jit_exact
def _stream_trials(g_x1: np.random.Generator, g_x2: np.random.Generator,
                   g_r1: np.random.Generator, g_r2: np.random.Generator,
                   g_phi1: np.random.Generator, g_phi2: np.random.Generator, n: int,
                   ln_x: float, s: float, w0: float, w_min: float, m_lep: float,
                   pt_min: float, pt_max: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` trials drawn one at a time, each variable from its own stream (the streams are the
    consecutive stretches of one generator that numpy's array draws would use, so the trials
    are those of :meth:`TwoPhotonProcess._draws`): the weights, and the indices and unit
    numbers of the trials of non-zero weight (the only ones that can be accepted)."""
    w = np.empty(n)
    idx = np.empty(n, dtype=np.int64)
    units = np.empty((n, 6))
    k = 0
    two_pi = 2 * np.pi
    for i in range(n):
        u = (g_x1.random(), g_x2.random(), g_r1.random(), g_r2.random(), g_phi1.random(),
             g_phi2.random())
        x1, x2 = _x_pair(u[0], u[1], ln_x)
        w[i] = _weight_one(x1, x2, u[2], u[3], 0.0 + two_pi * u[4], 0.0 + two_pi * u[5], s,
                           w0, w_min, m_lep, pt_min, pt_max)
        if w[i] != 0.0:
            idx[k] = i
            for j in range(6):
                units[k, j] = u[j]
            k += 1
    return w, idx[:k], units[:k]


@jit_exact
def _accept(g: np.random.Generator, w: np.ndarray, w_max: float, idx: np.ndarray
            ) -> np.ndarray:
    """Hit-or-miss over all trials (one draw each, as ``rng.random(n) * w_max < w``): the
    positions in ``idx`` (the trials of non-zero weight, ascending) of the accepted ones."""
    out = np.empty(idx.size, dtype=np.int64)
    k = 0
    j = 0
    for i in range(w.size):
        hit = g.random() * w_max < w[i]
        while j < idx.size and idx[j] < i:
            j += 1
        if hit:  # only a trial of non-zero weight can be accepted
            out[k] = j
            k += 1
    return out[:k]


def next_batch(n_left: int, n_acc: int, n_tot: int) -> int:
    """Trials of the next batch: the remaining events at the acceptance so far, 20% more (a
    batch too large wastes its excess, one too small costs another pass)."""
    return max(int(1.2 * max(n_left, 0) * n_tot / max(n_acc, 1)), 10_000)


def _stream(rng: np.random.Generator, skip: int) -> np.random.Generator:
    """A generator continuing ``rng``'s stream ``skip`` numbers ahead (``rng`` is untouched)."""
    bits = type(rng.bit_generator)()
    bits.state = rng.bit_generator.state
    return np.random.Generator(bits.advance(skip))


PT_PAIR_MIN = ProcessParam(
    "pt_pair_min", 0.0,
    "generator-level filter: lepton-pair p_T in the CMS above this (GeV; it equals the summed "
    "p_T of the scattered e+-), applied to the weighted trials, so sigma is the filtered sigma")
PT_PAIR_MAX = ProcessParam(
    "pt_pair_max", 0.0,
    "generator-level filter: lepton-pair p_T in the CMS at most this (GeV), with pt_pair_min a "
    "slice of the p_T spectrum, e.g. to simulate a soft part at a lower luminosity than the "
    "hard part; 0: no upper limit", off=0.0)


def _pt_window(params: Mapping[str, float]) -> tuple[float, float]:
    """The pair p_T filter (min, max) of a parameter set (max = ∞ without a cap); an empty
    window is refused (no event could ever be accepted)."""
    pt_min, pt_max = float(params.get("pt_pair_min", 0.0)), float(params.get("pt_pair_max", 0.0))
    if 0.0 < pt_max <= pt_min:
        raise ParameterError(f"pt_pair_max = {pt_max:g} GeV must exceed pt_pair_min = "
                             f"{pt_min:g} GeV (or be 0: no upper limit)")
    return pt_min, (pt_max if pt_max > 0.0 else np.inf)


@dataclass(frozen=True)
class TwoPhotonProcess:
    """e⁺e⁻ → e⁺e⁻ℓ⁺ℓ⁻ via γγ → ℓ⁺ℓ⁻ (EPA with exact scattered-lepton kinematics)."""

    name: str
    description: str
    lepton_pdg: int
    lepton_mass: float
    w_min: float = 0.5
    params: tuple[ProcessParam, ...] = (PT_PAIR_MIN, PT_PAIR_MAX)
    experiment: Experiment = BELLE2

    @property
    def default_filter(self) -> str:
        return f"W_ll > {self.w_min:g} GeV"

    def filter_label(self, params: Mapping[str, float]) -> str:
        pt_min, pt_max = _pt_window(params)
        label = self.default_filter + (f", p_T(ll) CMS > {pt_min:g} GeV" if pt_min > 0 else "")
        return label + (f", p_T(ll) CMS ≤ {pt_max:g} GeV" if np.isfinite(pt_max) else "")

    # --- weighted trials ----------------------------------------------------------------------
    def _draws(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """The random numbers of ``n`` trials: x₁, x₂ (:func:`_x_pair`), the unit numbers of
        Q₁², Q₂² (:func:`_q2_pair`) and the azimuths of the scattered e∓."""
        ln_x = np.log(self.w_min**2 / self.experiment.s)
        x1, x2 = _x_pairs(rng.random(n), rng.random(n), ln_x)
        r1, r2 = rng.random(n), rng.random(n)
        return {"x1": x1, "x2": x2, "r1": r1, "r2": r2,
                "phi1": rng.uniform(0, 2 * np.pi, n), "phi2": rng.uniform(0, 2 * np.pi, n)}

    def _weights(self, d: dict[str, np.ndarray], pt_min: float, pt_max: float = np.inf
                 ) -> np.ndarray:
        """Trial weights in pb (mean = σ); trials with pair p_T ≤ ``pt_min`` or above
        ``pt_max`` weigh 0."""
        s = self.experiment.s
        ln_x = np.log(self.w_min**2 / s)
        return _trial_weights(d["x1"], d["x2"], d["r1"], d["r2"], d["phi1"], d["phi2"], s,
                              _x_weight(ln_x), self.w_min, self.lepton_mass, pt_min, pt_max)

    def _kinematics(self, d: dict[str, np.ndarray], pt_min: float) -> dict[str, np.ndarray]:
        """The CMS four-vectors of trials (of the accepted ones: the weights come from
        :func:`_trial_weights`; ``pt_min`` selects the Q² sampling, :func:`_q2_pair`):
        scattered e⁻, e⁺, the γγ system, W and m_eff."""
        s = self.experiment.s
        e_beam = 0.5 * np.sqrt(s)
        x1, x2 = d["x1"], d["x2"]
        q2 = _q2_pairs(np.ascontiguousarray(x1, float), np.ascontiguousarray(x2, float),
                       np.ascontiguousarray(d["r1"], float),
                       np.ascontiguousarray(d["r2"], float), s, pt_min)[:2]
        em = _scattered(e_beam, x1, q2[0], d["phi1"], +1.0)
        ep = _scattered(e_beam, x2, q2[1], d["phi2"], -1.0)
        pair = np.array([0.0, 0.0, 0.0, 2 * e_beam]) - em - ep
        w = np.sqrt(np.maximum(lorentz.mass2(pair), 0.0))
        m_eff = np.sqrt(self.lepton_mass**2 + 0.25 * (q2[0] + q2[1]))
        return {"em": em, "ep": ep, "pair": pair, "W": w, "m_eff": m_eff}

    def _trials(self, n: int, rng: np.random.Generator, pt_min: float = 0.0,
                pt_max: float = np.inf) -> dict[str, np.ndarray]:
        """``n`` weighted CMS-frame trials: weights in pb (mean = σ), the four-vectors of
        the scattered e⁻, e⁺ and the γγ system; trials outside the pair p_T filter weigh 0."""
        d = self._draws(n, rng)
        return {"w": self._weights(d, pt_min, pt_max), **self._kinematics(d, pt_min)}

    def cross_section(self, params: Mapping[str, float], *, isr: bool = True,
                      n_points: int = 200_000, seed: int = 1) -> XsecResult:
        rng = np.random.default_rng(seed)
        t = self._trials(int(n_points), rng, *_pt_window(params))
        w = t["w"]
        return XsecResult(self.name, dict(params), float(w.mean()),
                          float(w.std() / np.sqrt(w.size)), isr, self.filter_label(params),
                          int(n_points),
                          note="EPA (Budnev et al. 1975) x Breit-Wheeler, virtuality-"
                               "regulated; no ISR for the two-photon process")

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        """``n`` unweighted lab-frame events: e⁻, e⁺ (scattered), ℓ⁻, ℓ⁺, all status 1."""
        rng = np.random.default_rng(seed)
        pt_min, pt_max = _pt_window(params)
        batch = max(20 * n, 200_000)  # the pilot; then what the rest needs (below)
        sum_w, sum_w2, n_tot, n_over = 0.0, 0.0, 0, 0
        kept: list[np.ndarray] = []
        n_acc = 0
        w_max = 0.0
        s = self.experiment.s
        ln_x = np.log(self.w_min**2 / s)
        while n_acc < n:
            # a batch consumes 7 × batch numbers of rng: x₁, x₂, Q₁², Q₂², φ₁, φ₂ and the
            # hit-or-miss draw, each a stretch of batch numbers, as numpy array draws would
            streams = [_stream(rng, k * batch) for k in range(7)]
            w, idx, units = _stream_trials(*streams[:6], batch, ln_x, s, _x_weight(ln_x),
                                           self.w_min, self.lepton_mass, pt_min, pt_max)
            rng.bit_generator.advance(7 * batch)
            if not kept:  # the first batch is the pilot that sets the maximum
                w_max = 1.2 * float(w.max())
            sum_w += float(w.sum())
            sum_w2 += float((w**2).sum())
            n_tot += w.size
            n_over += int((w > w_max).sum())
            acc = units[_accept(streams[6], w, w_max, idx)]
            kept.append(acc)
            n_acc += len(acc)
            batch = next_batch(n - n_acc, n_acc, n_tot)
        u = np.concatenate(kept)[:n]
        x1, x2 = _x_pairs(np.ascontiguousarray(u[:, 0]), np.ascontiguousarray(u[:, 1]), ln_x)
        sel = self._kinematics({"x1": x1, "x2": x2,
                                "r1": u[:, 2], "r2": u[:, 3], "phi1": 0.0 + 2 * np.pi * u[:, 4],
                                "phi2": 0.0 + 2 * np.pi * u[:, 5]}, pt_min)
        sigma = sum_w / n_tot
        err = float(np.sqrt(max(sum_w2 / n_tot - sigma**2, 0.0) / n_tot))

        # γγ → ℓ⁻ℓ⁺ in the pair frame, axis along the e⁻-side photon q1 = p_beam − p'_e⁻
        pair = sel["pair"]
        beta_pair = pair[:, :3] / pair[:, 3:4]
        e_beam = 0.5 * self.experiment.sqrt_s
        q1 = lorentz.p4(0.0, 0.0, np.sqrt(e_beam**2 - M_E**2), e_beam) - sel["em"]
        axis = lorentz.boost(q1, -beta_pair)[:, :3]
        b_eff = np.sqrt(np.clip(1 - 4 * sel["m_eff"] ** 2 / sel["W"] ** 2, 1e-12, 1 - 1e-15))
        cos_t = sample_cos_theta(b_eff, rng)
        phi = rng.uniform(0, 2 * np.pi, n)
        sin_t = np.sqrt(1 - cos_t**2)
        p_star = lorentz.two_body_momentum(sel["W"], self.lepton_mass, self.lepton_mass)
        local = p_star[:, None] * np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], -1)
        p3 = np.einsum("nij,nj->ni", lorentz.rotation_to(axis), local)
        lm = lorentz.boost(lorentz.p4_from_mass(p3, self.lepton_mass), beta_pair)
        lp = lorentz.boost(lorentz.p4_from_mass(-p3, self.lepton_mass), beta_pair)

        parts = np.stack([sel["em"], sel["ep"], lm, lp], axis=1)       # (n, 4, 4), CMS
        # beam-energy spread enters through the per-event boost (√s kept nominal)
        e1, e2 = self.experiment.sample_beam_energies(rng, n)
        tot = self.experiment.electron_p4(e1) + self.experiment.positron_p4(e2)
        beta_ev = tot[:, :3] / tot[:, 3:4]
        lab = self.experiment.to_lab(parts, beta_ev[:, None, :]).reshape(-1, 4)
        vtx = np.repeat(self.experiment.sample_vertex(rng, n), 4, axis=0)
        pdg = np.tile([PDG_ELECTRON, -PDG_ELECTRON, self.lepton_pdg, -self.lepton_pdg], n)
        events = make_truth_events(np.full(n, 4), np.ones(n), pdg=pdg, px=lab[:, 0],
                                   py=lab[:, 1], pz=lab[:, 2], E=lab[:, 3], vx=vtx[:, 0],
                                   vy=vtx[:, 1], vz=vtx[:, 2])
        meta = SampleMeta(process=self.name, params=dict(params), sigma_pb=sigma, error_pb=err,
                          filter=self.filter_label(params), n_generated=n,
                          experiment=self.experiment.name, isr=isr, generator="darkscan-epa",
                          extra={"n_trials": n_tot, "overweight_fraction": n_over / n_tot})
        return Sample(events, meta)


EE_EEMUMU = register(TwoPhotonProcess("ee_eemumu_epa",
                                      "e+e- -> e+e- mu+mu- (two-photon, EPA; the fast option)",
                                      PDG_MUON, M_MU))
EE_EEEE = register(TwoPhotonProcess("ee_eeee_epa", "e+e- -> e+e- e+e- (two-photon, EPA)",
                                    PDG_ELECTRON, M_E))
