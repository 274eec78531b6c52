"""B → K a, a → γγ signal in Υ(4S) → B B̄ events, and the Belle-beam backgrounds of the B → K a
search (Belle, JHEP 12 (2025) 109, arXiv:2507.01249; ALP coupled to the SU(2)_L gauge bosons,
parameter ``gaw``).

Processes (all with KEKB's beams, :data:`darkscan.physics.experiment.BELLE`; the sample's
experiment also selects the Belle detector table in the search's simulation):

* ``belle_upsilon4s_bb_kplus_alp``: the first B of every event is a B⁺ → K⁺a; the other B
  decays generically (Pythia). σ = σ(Υ(4S)) · 2 f₊ · B(B⁺ → K⁺a), f₊ = B(Υ(4S) → B⁺B⁻).
* ``belle_upsilon4s_bb_ks_alp``: the first B is a B⁰ → K⁰_S a (the K⁰ is inserted as K⁰_S,
  B(K⁰ → K⁰_S) = ½ in σ: the K⁰_L half cannot pass a K⁰_S → π⁺π⁻ selection);
  σ = σ(Υ(4S)) · 2 (1 − f₊) · B(B⁰ → K⁰a) · ½. Pythia decays the K⁰_S.
* ``belle_upsilon4s_bb_kstar0_alp``: B⁰ → K*⁰a, K*⁰ → K⁺π⁻ (the mode Belle reconstructs;
  B(K*⁰ → K⁺π⁻) = ⅔ by isospin in σ); σ = σ(Υ(4S)) · 2 (1 − f₊) · B(B⁰ → K*⁰a) · ⅔.
* ``belle_upsilon4s_bb_kstarplus_alp``: B⁺ → K*⁺a, K*⁺ → K⁰_S π⁺ (B(K*⁺ → K⁰π⁺) = ⅔,
  B(K⁰ → K⁰_S) = ½ in σ); σ = σ(Υ(4S)) · 2 f₊ · B(B⁺ → K*⁺a) · ⅓.
* ``belle_upsilon4s_bb`` and ``belle_ee_qq``: generic Υ(4S) → B B̄ and e⁺e⁻ → qq̄ (u, d, s, c)
  with KEKB's beams (the processes of :mod:`~darkscan.generate.processes.pythia_processes`
  with ``experiment = BELLE``).

Parameters (DESIGN §5 names): ``mass`` m_a in GeV, 0 < m_a < m_B − m_K; ``gaw`` g_aW in GeV⁻¹
(> 0). B(B → K a) from :func:`darkscan.models.alp.br_b_to_k_alp`, B(B → K* a) from
:func:`darkscan.models.alp.br_b_to_kstar_alp` (the same b → s a coupling, the A₀ form factor);
B(a → γγ) = 1.

Kinematics. B → K a is two-body and isotropic in the B rest frame (spin 0 → 0 0), inserted
into Pythia's Υ(4S) → B B̄ record (:meth:`Upsilon4SProcess.partons`, the signal B forced to the
charge of the mode). B → K* a is P → V P: the K* has helicity 0, so its decay is drawn here,
dN/dcosθ_K ∝ cos²θ_K (:func:`~darkscan.generate.processes.b_to_k_scalar.decay_kstar_helicity0`),
its mass from a Breit–Wigner (Pythia would decay it isotropically). After Pythia, the signal
B gets its flight (L ~ Exp(βγcτ_B), as in :mod:`~darkscan.generate.processes.b_to_k_scalar`)
and the ALP decays to γγ, isotropic in its rest frame, at a displaced vertex from cτ =
:func:`darkscan.models.alp.ctau_gaw`.

Generator-level restriction of the ALP decay (only what can pass is generated): an ALP that
decays beyond the ECL's inner radius (125 cm, :data:`R_DECAY_MAX`) leaves no measurable photon
pair, so the decay point is drawn from the exponential truncated to r < 125 cm
(:func:`darkscan.generate.llp.decay_vertices_truncated`) and the event carries the probability
of that window as its weight (1 for a prompt ALP; ≈ L/βγcτ for a long-lived one). Efficiencies
are weighted, so they are per produced B → K a decay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import awkward as ak
import numpy as np

from darkscan.errors import ParameterError
from darkscan.events import (
    PARTICLE_FIELDS,
    STATUS_DECAYED,
    STATUS_FINAL,
    Sample,
    SampleMeta,
    make_truth_events,
)
from darkscan.generate import llp
from darkscan.generate.phase_space import decay_isotropic, two_body
from darkscan.generate.registry import ProcessParam, XsecResult, register
from darkscan.physics.constants import mass as pdg_mass
from darkscan.physics.experiment import BELLE, Experiment

__all__ = ["ALP_SIGNALS", "MODES", "R_DECAY_MAX", "AlpSignalMode", "BToKAlpDecay",
           "BToKAlpProcess", "decay_alps"]

#: an ALP decaying beyond the ECL's inner radius (cm, barrel: Belle NIM A 479 117 Table 1
#: [READ]) leaves no measurable photon pair: decays are generated inside it (module docstring)
R_DECAY_MAX = 125.0
PDG_KS = 310


@dataclass(frozen=True)
class AlpSignalMode:
    """A B → K(*) a mode: the signal B, the kaon inserted (for a K* mode: the kaon and the pion
    of the K* decay the search reconstructs) and the factor of the kaon's decay in σ."""

    b_pdg: int
    k_pdg: int
    k_factor: float  #: B(K⁰ → K⁰_S) = ½ for K⁰_S; B(K* → the inserted K π) (× ½ for K⁰_S)
    label: str
    kstar_pdg: int = 0  #: the K*(892) of a K* mode (0: a B → K a mode)
    pi_pdg: int = 0  #: the K* decay's pion

    @property
    def charged(self) -> bool:
        return self.b_pdg == 521

    @property
    def kstar(self) -> bool:
        return self.kstar_pdg != 0

    @property
    def m_k(self) -> float:
        """The mass of the B's daughter: K (K⁺ or K⁰), or the K*'s PDG mass."""
        if self.kstar:
            return pdg_mass(self.kstar_pdg)
        return pdg_mass(321 if self.charged else 311)


#: isospin: B(K*⁰ → K⁺π⁻) = B(K*⁺ → K⁰π⁺) = ⅔; B(K⁰ → K⁰_S) = ½
MODES = {"kplus": AlpSignalMode(521, 321, 1.0, "B+ -> K+ a"),
         "ks": AlpSignalMode(511, PDG_KS, 0.5, "B0 -> K_S0 a"),
         "kstar0": AlpSignalMode(511, 321, 2.0 / 3.0, "B0 -> K*0(-> K+ pi-) a", 313, -211),
         "kstarplus": AlpSignalMode(521, PDG_KS, 1.0 / 3.0, "B+ -> K*+(-> K_S0 pi+) a", 323,
                                    211)}

PARAMS = (ProcessParam("mass", 1.0, "m_a in GeV, below m_B - m_K"),
          ProcessParam("gaw", 1e-5, "ALP-W coupling g_aW in GeV^-1 (> 0)"))


@dataclass(frozen=True)
class BToKAlpDecay:
    """``signal_decay`` hook of :meth:`Upsilon4SProcess.partons`: [K, a] of the signal B in its
    rest frame, isotropic (spin 0 → 0 0); for a K* mode [K*, a, K, π], the K* decayed with
    helicity 0."""

    mode: AlpSignalMode
    mass: float
    alp_id: int
    uses_b_id: bool = True

    def __call__(self, rng: np.random.Generator, n: int, b_pdg: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if np.any(np.asarray(b_pdg) != self.mode.b_pdg):  # pragma: no cover - by construction
            raise RuntimeError("the signal B has the wrong charge")
        from darkscan.generate.processes.b_to_k_scalar import (
            decay_kstar_helicity0,
            kstar_masses,
        )

        mode = self.mode
        P = np.zeros((n, 4))
        P[:, 3] = pdg_mass(mode.b_pdg)
        if not mode.kstar:
            m_k = pdg_mass(mode.k_pdg)
            p_k, p_a, _ = two_body(P, m_k, self.mass, rng.uniform(-1.0, 1.0, n),
                                   rng.uniform(0.0, 2.0 * np.pi, n))
            pdg = np.stack([np.full(n, mode.k_pdg), np.full(n, self.alp_id)], axis=1)
            return pdg, np.stack([p_k, p_a], axis=1), np.array([-1, -1])
        m_ks = kstar_masses(rng, mode.kstar_pdg, np.full(n, pdg_mass(mode.b_pdg) - self.mass))
        p_ks, p_a, _ = two_body(P, m_ks, self.mass, rng.uniform(-1.0, 1.0, n),
                                rng.uniform(0.0, 2.0 * np.pi, n))
        k_id, pi_id = np.full(n, mode.k_pdg), np.full(n, mode.pi_pdg)
        p_k, p_pi = decay_kstar_helicity0(rng, p_ks, m_ks, k_id, pi_id)
        pdg = np.stack([np.full(n, mode.kstar_pdg), np.full(n, self.alp_id), k_id, pi_id],
                       axis=1)
        return pdg, np.stack([p_ks, p_a, p_k, p_pi], axis=1), np.array([-1, -1, 0, 0])


def decay_alps(events: ak.Array, mass: float, ctau_cm: float, alp_id: int,
               rng: np.random.Generator) -> ak.Array:
    """Give the signal B its flight, decay every ALP (id ``alp_id``, final after Pythia) to γγ
    at a displaced vertex inside r < :data:`R_DECAY_MAX` and multiply the event weight by the
    probability of that window; the two photons are appended with ``mother`` = the ALP."""
    from darkscan.generate.processes.b_to_k_scalar import _displace_signal_b

    parts = events["particles"]
    counts = ak.to_numpy(ak.num(parts, axis=1)).astype(np.int64)
    cols = {f: ak.to_numpy(ak.flatten(parts[f])) for f in PARTICLE_FIELDS}
    is_a = (cols["pdg"] == alp_id) & (cols["status"] == STATUS_FINAL)
    ev_of = np.repeat(np.arange(len(counts)), counts)
    i_a = np.nonzero(is_a)[0]
    ev_a = ev_of[i_a]
    if len(np.unique(ev_a)) != len(counts):  # pragma: no cover - by construction
        raise RuntimeError("every signal event must hold exactly one ALP")
    old_off = np.concatenate([[0], np.cumsum(counts)[:-1]])
    _displace_signal_b(cols, old_off[ev_a] + cols["mother"][i_a], ev_of, old_off, rng)
    p_a = np.stack([cols[k][i_a] for k in ("px", "py", "pz", "E")], axis=-1)
    origin = np.stack([cols[k][i_a] for k in ("vx", "vy", "vz")], axis=-1)
    _, l_max = llp.flight_window_from_radius(p_a, 0.0, R_DECAY_MAX)
    dec = llp.decay_vertices_truncated(p_a, mass, ctau_cm, 0.0, l_max, rng, origin=origin,
                                       t0=cols["t"][i_a])
    g1, g2 = decay_isotropic(p_a, 0.0, 0.0, rng.random(len(i_a)), rng.random(len(i_a)))
    cols["status"][i_a] = STATUS_DECAYED
    new_counts = counts + 2
    new_off = np.concatenate([[0], np.cumsum(new_counts)[:-1]])
    pos_old = np.arange(counts.sum()) - old_off[ev_of] + new_off[ev_of]
    out = {f: np.empty(int(new_counts.sum()), dtype=cols[f].dtype) for f in PARTICLE_FIELDS}
    for f in PARTICLE_FIELDS:
        out[f][pos_old] = cols[f]
    for j, p in enumerate((g1, g2)):
        pos = new_off[ev_a] + counts[ev_a] + j
        out["pdg"][pos] = 22
        for q, k in enumerate(("px", "py", "pz", "E")):
            out[k][pos] = p[:, q]
        for q, k in enumerate(("vx", "vy", "vz")):
            out[k][pos] = dec.vertex[:, q]
        out["t"][pos] = dec.lab_time
        out["mother"][pos] = i_a - old_off[ev_a]
        out["status"][pos] = STATUS_FINAL
    weight = ak.to_numpy(events["weight"]).astype(float).copy()
    weight[ev_a] *= dec.weight
    return make_truth_events(new_counts, weight, **out)


@dataclass(frozen=True)
class BToKAlpProcess:
    """Υ(4S) → B B̄ with one B → K a, a → γγ (module docstring)."""

    name: str
    description: str
    mode: AlpSignalMode
    params: tuple[ProcessParam, ...] = PARAMS
    default_filter: str = "a -> gamma gamma decays inside r < 125 cm (event weight: the window's " \
                          "probability)"
    experiment: Experiment = BELLE

    def _check(self, params: Mapping[str, float]) -> tuple[float, float]:
        m = float(params.get("mass", PARAMS[0].default))
        g = float(params.get("gaw", PARAMS[1].default))
        m_hi = pdg_mass(self.mode.b_pdg) - self.mode.m_k
        if not 0.0 < m < m_hi:
            raise ParameterError(f"parameter 'mass' = {m:g} GeV is outside the allowed range "
                                 f"(0, {m_hi:.5g}) GeV for {self.mode.label} (m_a < m_B - m_K)")
        if not (g > 0.0 and np.isfinite(g)):
            raise ParameterError(f"parameter 'gaw' = {g:g} GeV^-1 must be positive for the "
                                 f"{self.mode.label} signal")
        return m, g

    def branching(self, params: Mapping[str, float]) -> dict[str, float]:
        """B(B → K(*) a) (key ``br_b_to_k_alp`` either way), the Υ(4S) fraction of the signal
        B's charge, the kaon's decay factor, cτ of the ALP."""
        from darkscan.generate.processes.pythia_processes import BF_Y4S_CHARGED
        from darkscan.models import alp

        m, g = self._check(params)
        f = BF_Y4S_CHARGED if self.mode.charged else 1.0 - BF_Y4S_CHARGED
        rate = alp.br_b_to_kstar_alp if self.mode.kstar else alp.br_b_to_k_alp
        return {"br_b_to_k_alp": float(rate(g, m, charged=self.mode.charged)),
                "f_y4s": f, "k_factor": self.mode.k_factor,
                "ctau_cm": float(alp.ctau_gaw(g, m)), "br_alp_to_gammagamma": 1.0}

    def cross_section(self, params: Mapping[str, float], *, isr: bool = True,
                      n_points: int = 200_000, seed: int = 1) -> XsecResult:
        from darkscan.generate.processes.pythia_processes import SIGMA_Y4S_NB

        b = self.branching(params)
        k = 2.0 * b["f_y4s"] * b["br_b_to_k_alp"] * b["k_factor"]
        return XsecResult(self.name, dict(params), SIGMA_Y4S_NB * 1e3 * k, 0.008e3 * k, isr,
                          self.default_filter, 0,
                          note="sigma(Y(4S)) (Belle II Physics Book) x 2 f x B(B -> "
                               + ("K* a) x B(K* -> K pi reconstructed)" if self.mode.kstar
                                  else "K a)")
                               + (" x B(K0 -> K_S0)" if self.mode.k_pdg == PDG_KS else "")
                               + " (darkscan.models.alp)", extra=b)

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        from darkscan.generate.processes.pythia_processes import Upsilon4SProcess
        from darkscan.generate.pythia_bridge import child_seed, columns_to_lab, decay_unstable
        from darkscan.models.ids import pdgid

        m, _ = self._check(params)
        b = self.branching(params)
        a_id = pdgid("alp")
        y4s = Upsilon4SProcess(name=self.name, experiment=self.experiment)
        rng = np.random.default_rng(child_seed(seed, 2))
        counts, partons = y4s.partons(n, rng, BToKAlpDecay(self.mode, m, a_id),
                                      charged_fraction=1.0 if self.mode.charged else 0.0)
        # as Upsilon4SProcess.generate_chunk: the other B (and the K⁰_S) decayed by Pythia many
        # to a record, then the CMS record boosted to the lab; the ALP is unknown to Pythia
        cols = {"pdg": partons["pdg"].astype(np.int64),
                **{k: partons[k] for k in ("px", "py", "pz", "E")},
                **{k: np.zeros(len(partons["pdg"])) for k in ("vx", "vy", "vz", "t")},
                "mother": partons["mother1"].astype(np.int64) - 1,
                "status": np.where(partons["status"] > 0, STATUS_FINAL, STATUS_DECAYED)}
        decayed = decay_unstable(counts, cols, np.ones(n), seed)
        kc = ak.to_numpy(ak.num(decayed["particles"], axis=1)).astype(np.int64)
        flat = ak.flatten(decayed["particles"], axis=1)
        lab = columns_to_lab(kc, {f: ak.to_numpy(flat[f]) for f in PARTICLE_FIELDS},
                             np.random.default_rng(child_seed(seed, 1)), self.experiment)
        events = make_truth_events(kc, np.ones(n), **lab)
        events = decay_alps(events, m, b["ctau_cm"], a_id,
                            np.random.default_rng(child_seed(seed, 3)))
        xs = self.cross_section(params, isr=isr)
        meta = SampleMeta(process=self.name, params=dict(params), sigma_pb=xs.sigma_pb,
                          error_pb=xs.error_pb, filter=self.default_filter, n_generated=n,
                          experiment=self.experiment.name, isr=isr, generator="pythia8",
                          extra={"sigma_provenance": xs.note, **b})
        return Sample(events, meta)


ALP_SIGNALS = {f"belle_upsilon4s_bb_{key}_alp": register(BToKAlpProcess(
    f"belle_upsilon4s_bb_{key}_alp",
    f"e+e- -> Upsilon(4S) -> B Bbar at KEKB, one {mode.label}, a -> gamma gamma (displaced), "
    "other B generic (Pythia 8)", mode)) for key, mode in MODES.items()}


def _backgrounds() -> None:
    from darkscan.generate.processes.pythia_processes import (
        M_QQ_MIN_UDS,
        PythiaEEProcess,
        Upsilon4SProcess,
    )

    register(Upsilon4SProcess(
        name="belle_upsilon4s_bb",
        description="e+e- -> Upsilon(4S) -> B Bbar at KEKB (Belle beams), generic B decays "
                    "(Pythia 8)", experiment=BELLE))
    # the generic sample split by charm, for the MC statistics of rare-decay backgrounds
    register(Upsilon4SProcess(
        name="belle_upsilon4s_bb_charmless",
        description="e+e- -> Upsilon(4S) -> B Bbar at KEKB, one B through a charmless hadronic "
                    "or radiative channel, the other with charm (Pythia 8)",
        experiment=BELLE, b_decays="charmless"))
    register(Upsilon4SProcess(
        name="belle_upsilon4s_bb_charm",
        description="e+e- -> Upsilon(4S) -> B Bbar at KEKB, both B through channels with charm "
                    "or leptons (Pythia 8)", experiment=BELLE, b_decays="charm"))
    register(PythiaEEProcess(
        "belle_ee_qq", "e+e- -> q qbar (u, d, s, c) continuum at KEKB (Belle beams), Pythia 8",
        (1, 2, 3, 4), M_QQ_MIN_UDS, experiment=BELLE))


_backgrounds()
