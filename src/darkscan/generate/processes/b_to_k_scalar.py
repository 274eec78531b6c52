"""B → K(*) S, S → x⁺x⁻ signal decays for ``upsilon4s_bb`` (Belle II, PRD 108 (2023) L111104,
arXiv:2306.02830: x = e, μ, π, K; displaced S vertex; 0.025 ≤ m_S ≤ 4.78 GeV).

Parameters (DESIGN §5 stable names; the CLI accepts no others): ``mass`` — m_S in GeV;
``sin_theta`` — the scalar–Higgs mixing sinθ; ``ctau`` — the S proper decay length in cm for
lifetime scans (0, the default: the model's cτ of that mass and sinθ; the rates stay the
model's). Both 0 (the defaults) means *no signal*: the
generic Υ(4S) → B B̄ sample, unchanged. Setting only one of them is an error.

The discrete choices are process *names* (a ProcessParam is a float and the CLI only takes the
stable names): ``upsilon4s_bb_<k>_<x>`` with ``<k>`` = ``ks`` (B → K S) or ``kstars``
(B → K*(892) S) and ``<x>`` = ``ee``, ``mumu``, ``pipi`` (π⁺π⁻), ``kk`` (K⁺K⁻).
``upsilon4s_bb`` itself with signal parameters is B → K S, S → μ⁺μ⁻ (= ``upsilon4s_bb_ks_mumu``).
Internally the channel is the |PDG id| of x (11, 13, 211, 321) and ``kstar`` a bool.

Kinematics (all in :func:`BToKScalarDecay.__call__`, B rest frame):

* B → K S and B → K* S are two-body and isotropic (B spin 0).
* The K* mass is drawn from a fixed-width Breit–Wigner in m² (PDG mass and width from
  ``particle``), truncated to [m_K + m_π, m_B − m_S] (no P-wave barrier factor; approximation).
  The K* is decayed here, not by Pythia, because B → K* S is P → V S: angular-momentum
  conservation along the decay axis forces helicity 0, so in the K* rest frame the kaon follows
  dN/dcosθ_K ∝ cos²θ_K about the K* flight direction (Pythia would decay it isotropically).
  Isospin: K*⁺ → K⁰π⁺ (2/3), K⁺π⁰ (1/3); K*⁰ → K⁺π⁻ (2/3), K⁰π⁰ (1/3). K⁰ and π⁰ are then
  decayed by Pythia (K⁰ → K⁰_S / K⁰_L).
* The signal B is the *first* B of the record (B⁺ or B⁰, never its antiparticle). Its
  daughters are inserted at the production point, so after Pythia its flight
  L ~ Exp(βγcτ_B) (PDG τ_B) is drawn here and every descendant's vertex is shifted by it (Pythia
  gives the other B its flight itself).

S decay (:func:`decay_scalars`, after Pythia, in the lab): S → x⁺x⁻ isotropic in its rest frame
(exact for spin 0), at a vertex L ~ Exp(βγcτ) along its lab momentum from its production vertex
(:func:`darkscan.generate.llp.decay_vertices`), cτ = :func:`darkscan.models.scalar.ctau`. The
daughters carry that vertex and time. No FSR is added to S → ℓ⁺ℓ⁻, so m(x⁺x⁻) = m_S exactly.

Normalisation (:func:`signal_config`): σ = σ(Υ(4S)) · 2 · B̄ · B(S → x⁺x⁻), with
B̄ = f₊ B(B⁺ → K⁽*⁾⁺ S) + (1 − f₊) B(B⁰ → K⁽*⁾⁰ S), f₊ = B(Υ(4S) → B⁺B⁻) = ``BF_Y4S_CHARGED``
(the factor 2: either B may decay to the signal, small-B limit). The signal B is charged with
probability f₊B₊/B̄. B(S → π⁺π⁻) = ⅔ B(S → ππ) and B(S → K⁺K⁻) = ½ B(S → KK̄) (isospin) of
:func:`darkscan.models.scalar.branching_fractions` [theory_detector.md A5].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import awkward as ak
import numpy as np

from darkscan.errors import ParameterError
from darkscan.events import PARTICLE_FIELDS, STATUS_DECAYED, STATUS_FINAL, make_truth_events
from darkscan.generate import llp
from darkscan.generate.phase_space import decay_isotropic, map_breit_wigner, two_body
from darkscan.models import scalar
from darkscan.physics import lorentz
from darkscan.physics.constants import mass as pdg_mass

__all__ = ["CHANNELS", "BToKScalarDecay", "SignalConfig", "decay_kstar_helicity0", "decay_scalars",
           "kstar_masses", "signal_config"]

#: channel code (|PDG id| of x) → (model branching-fraction key, charged share of that key)
CHANNELS: dict[int, tuple[str, float]] = {11: ("ee", 1.0), 13: ("mumu", 1.0),
                                          211: ("pipi", 2.0 / 3.0), 321: ("kk", 0.5)}
PDG_B_CHARGED, PDG_B_NEUTRAL = 521, 511
PDG_K = {521: 321, 511: 311}            #: B⁺ → K⁺, B⁰ → K⁰
PDG_KSTAR = {521: 323, 511: 313}        #: B⁺ → K*⁺, B⁰ → K*⁰
#: K* → K π modes: (K id, π id, probability), isospin Clebsch–Gordan
KSTAR_MODES = {323: ((311, 211, 2.0 / 3.0), (321, 111, 1.0 / 3.0)),
               313: ((321, -211, 2.0 / 3.0), (311, 111, 1.0 / 3.0))}


def _pdg_width(pid: int) -> float:
    from particle import Particle

    return float(Particle.from_pdgid(pid).width) * 1e-3


@dataclass(frozen=True)
class SignalConfig:
    """A validated signal point with the branching fractions and cτ it implies."""

    mass: float
    sin_theta: float
    kstar: bool
    channel: int
    br_b_charged: float        #: B(B⁺ → K⁽*⁾⁺ S)
    br_b_neutral: float        #: B(B⁰ → K⁽*⁾⁰ S)
    br_s: float                #: B(S → x⁺x⁻)
    ctau_cm: float
    f_charged_y4s: float       #: B(Υ(4S) → B⁺B⁻)

    @property
    def br_b(self) -> float:
        """B̄ = f₊B₊ + (1 − f₊)B₀, the B(B → K⁽*⁾S) averaged over the Υ(4S) B mixture."""
        f = self.f_charged_y4s
        return f * self.br_b_charged + (1.0 - f) * self.br_b_neutral

    @property
    def sigma_scale(self) -> float:
        """σ(signal)/σ(Υ(4S)) = 2 B̄ B(S → x⁺x⁻)."""
        return 2.0 * self.br_b * self.br_s

    @property
    def charged_fraction(self) -> float:
        """Probability that the signal B is a B⁺ (rather than a B⁰)."""
        return self.f_charged_y4s * self.br_b_charged / self.br_b

    @property
    def m_x(self) -> float:
        return pdg_mass(self.channel)

    def extra(self) -> dict[str, float]:
        """What goes into ``SampleMeta.extra`` / ``XsecResult.extra``."""
        return {"br_b_charged_to_k_scalar": self.br_b_charged,
                "br_b_neutral_to_k_scalar": self.br_b_neutral, "br_b_to_k_scalar": self.br_b,
                "br_scalar_to_xx": self.br_s, "ctau_cm": self.ctau_cm,
                "signal_charged_fraction": self.charged_fraction,
                "f_charged_y4s": self.f_charged_y4s}


def signal_config(params: Mapping[str, float], f_charged_y4s: float, kstar: bool = False,
                  channel: int = 13) -> SignalConfig | None:
    """Validate the signal parameters (module docstring) for the decay chosen by ``kstar`` and
    ``channel``; ``None`` for the generic sample.

    Raises :class:`~darkscan.errors.ParameterError` naming the parameter and its allowed range.
    """
    m = float(params.get("mass", 0.0))
    th = float(params.get("sin_theta", 0.0))
    code = channel
    if th < 0 or not np.isfinite(th) or th > 1:
        raise ParameterError(f"parameter 'sin_theta' = {th:g} is outside its allowed range "
                             "[0, 1] (0 together with mass = 0: generic B decays)")
    if m == 0.0 and th == 0.0:
        return None
    if m == 0.0 or th == 0.0:
        raise ParameterError("the B -> K(*) S signal needs both 'mass' > 0 and 'sin_theta' > 0 "
                             f"(got mass = {m:g}, sin_theta = {th:g}); leave both at 0 for "
                             "generic B decays")
    if code not in CHANNELS:
        raise ParameterError(f"S decay channel {code!r} must be one of 11 (ee), 13 (mumu), "
                             "211 (pi+pi-), 321 (K+K-)")
    channel = int(code)
    m_x = pdg_mass(channel)
    m_hi = min(pdg_mass(b) - pdg_mass((PDG_KSTAR if kstar else PDG_K)[b])
               for b in (PDG_B_CHARGED, PDG_B_NEUTRAL))
    if not (2.0 * m_x < m < m_hi):
        raise ParameterError(
            f"parameter 'mass' = {m:g} GeV is outside the allowed range ({2 * m_x:.6g}, "
            f"{m_hi:.6g}) GeV for B -> {'K*' if kstar else 'K'} S, S -> {CHANNELS[channel][0]}"
            " (2 m_x < m_S < m_B - m_K(*))")
    br_c, br_n = ((scalar.br_b_to_kstar_scalar(th, m, charged=c) if kstar
                   else scalar.br_b_to_k_scalar(th, m, charged=c)) for c in (True, False))
    key, share = CHANNELS[channel]
    br_s = share * float(scalar.branching_fractions(m)[key])
    if not br_s > 0:
        raise ParameterError(f"parameter 'mass' = {m:g} GeV: B(S -> {key}) is 0 in "
                             "darkscan.models.scalar (ChPT hadronic widths vanish above 2 GeV)")
    ctau = float(params.get("ctau", 0.0))
    return SignalConfig(m, th, bool(kstar), channel, float(br_c), float(br_n), br_s,
                        ctau if ctau > 0 else float(scalar.ctau(th, m)), f_charged_y4s)


@dataclass(frozen=True)
class BToKScalarDecay:
    """``signal_decay`` hook of :class:`~darkscan.generate.processes.pythia_processes.
    Upsilon4SProcess`: daughters of the signal B in its rest frame.

    Called as ``hook(rng, n, b_pdg)`` (``uses_b_id``); returns ``(pdg (n, k), p4 (n, k, 4),
    parent (k,))`` with ``parent[i] = −1`` for a daughter of the B and ``j`` for a daughter of
    entry ``j``: [K, S] or [K*, S, K, π].
    """

    config: SignalConfig
    scalar_id: int
    uses_b_id: bool = True

    def __call__(self, rng: np.random.Generator, n: int, b_pdg: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cfg = self.config
        b_pdg = np.asarray(b_pdg, dtype=np.int64)
        m_b = np.array([pdg_mass(int(b)) for b in b_pdg])
        P = np.zeros((n, 4))
        P[:, 3] = m_b
        charged = b_pdg == PDG_B_CHARGED
        if not cfg.kstar:
            k_id = np.where(charged, PDG_K[521], PDG_K[511])
            m_k = np.where(charged, pdg_mass(PDG_K[521]), pdg_mass(PDG_K[511]))
            p_k, p_s, _ = two_body(P, m_k, cfg.mass, rng.uniform(-1, 1, n),
                                   rng.uniform(0, 2 * np.pi, n))
            pdg = np.stack([k_id, np.full(n, self.scalar_id)], axis=1)
            return pdg, np.stack([p_k, p_s], axis=1), np.array([-1, -1])
        ks_id = np.where(charged, PDG_KSTAR[521], PDG_KSTAR[511])
        m_ks = np.empty(n)
        for kid in (323, 313):
            sel = ks_id == kid
            if sel.any():
                m_ks[sel] = kstar_masses(rng, kid, m_b[sel] - cfg.mass)
        p_ks, p_s, _ = two_body(P, m_ks, cfg.mass, rng.uniform(-1, 1, n),
                                rng.uniform(0, 2 * np.pi, n))
        # K* → K π: mode by isospin, cosθ_K ∝ cos² (helicity 0) about the K* direction
        u = rng.random(n)
        k_id, pi_id = np.empty(n, np.int64), np.empty(n, np.int64)
        for kid in (323, 313):
            (k1, pi1, f1), (k2, pi2, _) = KSTAR_MODES[kid]
            sel = ks_id == kid
            first = u < f1
            k_id[sel] = np.where(first[sel], k1, k2)
            pi_id[sel] = np.where(first[sel], pi1, pi2)
        p_k, p_pi = decay_kstar_helicity0(rng, p_ks, m_ks, k_id, pi_id)
        pdg = np.stack([ks_id, np.full(n, self.scalar_id), k_id, pi_id], axis=1)
        p4 = np.stack([p_ks, p_s, p_k, p_pi], axis=1)
        return pdg, p4, np.array([-1, -1, 0, 0])


def kstar_masses(rng: np.random.Generator, kstar_id: int, m_max: np.ndarray) -> np.ndarray:
    """K*(892) masses of ``len(m_max)`` decays, a fixed-width Breit–Wigner in m² (PDG mass and
    width) from the K π threshold of the K*'s modes to ``m_max`` (m_B − m of its partner)."""
    m_max = np.asarray(m_max, float)
    lo = max(pdg_mass(a) + pdg_mass(b) for a, b, _ in KSTAR_MODES[kstar_id])
    m2, _ = map_breit_wigner(rng.random(len(m_max)), lo**2, m_max**2, pdg_mass(kstar_id),
                             _pdg_width(kstar_id))
    return np.sqrt(m2)


def decay_kstar_helicity0(rng: np.random.Generator, p_ks: np.ndarray, m_ks: np.ndarray,
                          k_id: np.ndarray, pi_id: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """K* → K π of a K* from a pseudoscalar B decaying to it and a spin-0 partner (P → V S or
    P → V P): helicity 0, so in the K* rest frame dN/dcosθ_K ∝ cos²θ_K about the K* flight
    direction; returns the K and π four-momenta in the frame of ``p_ks`` (n, 4)."""
    n = len(p_ks)
    m_k = np.array([pdg_mass(int(abs(k))) for k in k_id])
    m_pi = np.array([pdg_mass(int(abs(p))) for p in pi_id])
    cos_k = np.cbrt(rng.random(n)) * np.where(rng.random(n) < 0.5, -1.0, 1.0)
    phi = rng.uniform(0, 2 * np.pi, n)
    q = lorentz.two_body_momentum(m_ks, m_k, m_pi)
    sin_k = np.sqrt(np.maximum(1.0 - cos_k**2, 0.0))
    local = np.stack([sin_k * np.cos(phi), sin_k * np.sin(phi), cos_k], axis=-1)
    d = np.einsum("nij,nj->ni", lorentz.rotation_to(p_ks[:, :3]), local) * q[:, None]
    rest = np.zeros((n, 2, 4))
    rest[:, 0, :3], rest[:, 1, :3] = d, -d
    rest[:, 0, 3] = np.sqrt(q**2 + m_k**2)
    rest[:, 1, 3] = np.sqrt(q**2 + m_pi**2)
    lab = lorentz.boost(rest, (p_ks[:, :3] / p_ks[:, 3:4])[:, None, :])
    return lab[:, 0], lab[:, 1]


def _displace_signal_b(cols: dict[str, np.ndarray], i_b: np.ndarray, ev_of: np.ndarray,
                       old_off: np.ndarray, rng: np.random.Generator) -> None:
    """Give the signal B (global rows ``i_b``) a decay vertex L ~ Exp(βγcτ_B) (PDG τ_B via
    ``particle``) and shift every descendant's space-time vertex by it, in place. Pythia gives
    the other B its flight, but the signal daughters are inserted at the production point."""
    from particle import Particle

    p_b = np.stack([cols[k][i_b] for k in ("px", "py", "pz", "E")], axis=-1)
    pid = np.abs(cols["pdg"][i_b])
    m_b = np.array([pdg_mass(int(b)) for b in pid])
    ctau_b = np.array([float(Particle.from_pdgid(int(b)).ctau) * 0.1 for b in pid])  # mm → cm
    dec = llp.decay_vertices(p_b, m_b, ctau_b, rng)
    mglob = np.where(cols["mother"] >= 0, cols["mother"] + old_off[ev_of], -1)
    b_of_event = np.full(len(old_off), -1)
    b_of_event[ev_of[i_b]] = np.arange(len(i_b))
    target = np.where(b_of_event[ev_of] >= 0, i_b[np.maximum(b_of_event[ev_of], 0)], -2)
    desc = np.zeros(mglob.size, bool)
    anc = mglob.copy()
    for _ in range(100):
        desc |= anc == target
        live = anc >= 0
        if not live.any():
            break
        anc[live] = mglob[anc[live]]
    k = b_of_event[ev_of[desc]]
    for q, key in enumerate(("vx", "vy", "vz")):
        cols[key][desc] += dec.vertex[k, q]
    cols["t"][desc] += dec.lab_time[k]


def decay_scalars(events: ak.Array, cfg: SignalConfig, scalar_id: int,
                  rng: np.random.Generator) -> ak.Array:
    """Decay every S (id ``scalar_id``, final state after Pythia) of lab-frame truth events to
    x⁺x⁻ at a displaced vertex; the two daughters are appended at the end of each event with
    ``mother`` = the S and its decay vertex/time, the S becomes ``STATUS_DECAYED``."""
    parts = events["particles"]
    counts = ak.to_numpy(ak.num(parts, axis=1)).astype(np.int64)
    cols = {f: ak.to_numpy(ak.flatten(parts[f])) for f in PARTICLE_FIELDS}
    is_s = (cols["pdg"] == scalar_id) & (cols["status"] == STATUS_FINAL)
    ev_of = np.repeat(np.arange(len(counts)), counts)
    if np.bincount(ev_of[is_s], minlength=len(counts)).max(initial=0) > 1:
        raise RuntimeError("more than one S in an event")  # pragma: no cover - by construction
    i_s = np.nonzero(is_s)[0]
    ev_s = ev_of[i_s]
    old_off = np.concatenate([[0], np.cumsum(counts)[:-1]])
    _displace_signal_b(cols, old_off[ev_s] + cols["mother"][i_s], ev_of, old_off, rng)
    p_s = np.stack([cols[k][i_s] for k in ("px", "py", "pz", "E")], axis=-1)
    origin = np.stack([cols[k][i_s] for k in ("vx", "vy", "vz")], axis=-1)
    dec = llp.decay_vertices(p_s, cfg.mass, cfg.ctau_cm, rng, origin=origin, t0=cols["t"][i_s])
    a, b = decay_isotropic(p_s, cfg.m_x, cfg.m_x, rng.random(len(i_s)), rng.random(len(i_s)))
    cols["status"][i_s] = STATUS_DECAYED
    n_add = np.zeros(len(counts), np.int64)
    n_add[ev_s] = 2
    new_counts = counts + n_add
    new_off = np.concatenate([[0], np.cumsum(new_counts)[:-1]])
    pos_old = np.arange(counts.sum()) - old_off[ev_of] + new_off[ev_of]
    out = {f: np.empty(int(new_counts.sum()), dtype=cols[f].dtype) for f in PARTICLE_FIELDS}
    for f in PARTICLE_FIELDS:
        out[f][pos_old] = cols[f]
    local_s = i_s - old_off[ev_s]
    for j, (p, sign) in enumerate(((a, 1), (b, -1))):
        pos = new_off[ev_s] + counts[ev_s] + j
        out["pdg"][pos] = sign * cfg.channel
        for q, k in enumerate(("px", "py", "pz", "E")):
            out[k][pos] = p[:, q]
        for q, k in enumerate(("vx", "vy", "vz")):
            out[k][pos] = dec.vertex[:, q]
        out["t"][pos] = dec.lab_time
        out["mother"][pos] = local_s
        out["status"][pos] = STATUS_FINAL
    return make_truth_events(new_counts, ak.to_numpy(events["weight"]), **out)
