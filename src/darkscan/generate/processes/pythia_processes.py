"""Pythia 8 based Standard-Model processes: ``ee_tautau``, ``ee_qq`` (uds + c continuum, with
``ee_uds`` and ``ee_cc`` as flavour subsets) and ``upsilon4s_bb`` (generic Υ(4S) → B B̄).

e⁺e⁻ → γ*/Z → f f̄ is Pythia's ``WeakSingleBoson:ffbar2ffbar(s:gmZ)`` (code 224, full γ*/Z
interference; flavours chosen through the Z⁰ decay table), with Pythia's leading-log lepton PDF
for ISR (the photons appear in the record) and running α(ŝ). For quarks Pythia includes the
first-order QCD factor (1 + α_s/π) and a parton shower + Lund string. The Belle II Physics Book
values (KKMC with exponentiated ISR+FSR, vacuum polarisation, and for quarks PYTHIA/EvtGen
hadronisation) are larger for uds: Pythia's LL structure function stops the radiative return
near m̂ ≈ 2 GeV, whereas KKMC generates down to the hadronic threshold — see the checks in
:mod:`darkscan.generate.checks_pythia` for the numbers.

τ decays: ``TauDecays:mode = 1`` (Pythia's default: helicity matrix elements with the full
τ⁺τ⁻ spin correlation from the production density matrix). Measured trade (this machine, events/s
for full generation): mode 0 (isotropic, uncorrelated) ≈ 11 500/s; mode 1 with γ*/Z ≈ 50/s;
mode 1 with γ* only (``WeakZ0:gmZmode = 1``) ≈ 160/s. Mode 0 is ~70× faster but gets the lepton
and pion spectra wrong at the 10–20% level (τ polarisation, spin correlations), which matters for
τ → ℓα and the ττ background under recoil-mass searches, so we keep mode 1 and drop the Z
(γ–Z interference at √s = 10.58 GeV is below 1% in σ: A_FB ≈ −0.7%), a 3× gain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

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
from darkscan.generate.beams import beam_energies, cms_energy
from darkscan.generate.pythia_bridge import (
    MB_TO_PB,
    child_seed,
    columns_to_lab,
    decay_table_pythia,
    decay_unstable,
    ee_beam_settings,
    make_pythia,
    run_pythia,
)
from darkscan.generate.registry import ProcessParam, XsecResult, register
from darkscan.physics import lorentz
from darkscan.physics.constants import BF_TAU_TO_MU, mass
from darkscan.physics.experiment import BELLE2, Experiment

M_TAU_THRESHOLD = 3.56        #: GeV, just above 2 m_τ = 3.554
M_QQ_MIN_UDS = 2.0            #: GeV, below this the final state is exclusive hadrons, not strings
M_QQ_MIN_C = 3.73             #: GeV, open-charm threshold 2 m_D0
TAU_DECAY_MODE = 1            #: correlated, polarised τ decays (see module docstring)


@dataclass(frozen=True)
class PythiaEEProcess:
    """e⁺e⁻ → γ*/Z → f f̄ (+ ISR/FSR, decays, hadronisation) by Pythia 8."""

    name: str
    description: str
    flavours: tuple[int, ...]
    m_hat_min: float
    extra_settings: tuple[str, ...] = ()
    params: tuple[ProcessParam, ...] = ()
    default_filter: str = ""
    experiment: Experiment = BELLE2
    keep_ids: tuple[int, ...] = field(default=(15, -15))
    #: σ multiplier for decays forced in Pythia, whose σ does not include them (e.g. B(τ→μνν)²)
    sigma_scale: float = 1.0

    def settings(self) -> list[str]:
        return ["WeakSingleBoson:ffbar2ffbar(s:gmZ) = on", "23:onMode = off",
                "23:onIfAny = " + " ".join(str(f) for f in self.flavours),
                f"PhaseSpace:mHatMin = {self.m_hat_min}", *self.extra_settings]

    def cross_section(self, params: Mapping[str, float], *, isr: bool = True,
                      n_points: int = 200_000, seed: int = 1) -> XsecResult:
        """Pythia's ``sigmaGen ± sigmaErr`` from process-level-only events (showers and
        hadronisation off, which do not change σ): ``min(n_points, 100 000)`` events."""
        n = int(min(max(n_points, 1000), 100_000))
        pythia = make_pythia([*ee_beam_settings(self.experiment, isr=isr), *self.settings(),
                              "PartonLevel:all = off", "HadronLevel:all = off"],
                             np.random.SeedSequence(seed))
        for _ in range(n):
            pythia.next()
        info = pythia.infoPython()
        return XsecResult(self.name, dict(params),
                          info.sigmaGen() * MB_TO_PB * self.sigma_scale,
                          info.sigmaErr() * MB_TO_PB * self.sigma_scale, isr,
                          self.default_filter, n,
                          note="Pythia 8 sigmaGen (LL lepton PDF ISR, running alpha_em)"
                          if isr else "Pythia 8 sigmaGen without lepton PDF (Born, "
                                      "running alpha_em(s))")

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        run = run_pythia(self.settings(), n, seed, experiment=self.experiment, isr=isr,
                         keep_ids=self.keep_ids)
        meta = SampleMeta(process=self.name, params=dict(params),
                          sigma_pb=run.sigma_pb * self.sigma_scale,
                          error_pb=run.error_pb * self.sigma_scale, filter=self.default_filter,
                          n_generated=len(run.events), experiment=self.experiment.name, isr=isr,
                          generator="pythia8",
                          extra={"pythia_n_tried": run.n_tried})
        return Sample(run.events, meta)


EE_TAUTAU = register(PythiaEEProcess(
    "ee_tautau", "e+e- -> tau+tau-(gamma), Pythia 8, correlated tau decays", (15,),
    M_TAU_THRESHOLD, (f"TauDecays:mode = {TAU_DECAY_MODE}", "WeakZ0:gmZmode = 1")))
#: the forced-decay sample's σ is scaled by B(τ → μ ν̄_μ ν_τ)² (PDG 2024, physics.constants).
#: ``ee_tautau_mumu`` itself is now the helicity-engine version in
#: :mod:`darkscan.generate.processes.tau_pairs` (~100× faster, same spin correlations).
EE_TAUTAU_MUMU_PYTHIA = register(PythiaEEProcess(
    "ee_tautau_mumu_pythia", "e+e- -> tau+tau-(gamma) with both tau -> mu nu nu forced "
    "(sigma x B^2), Pythia 8 (TauDecays:mode 1); see ee_tautau_mumu for the fast version",
    (15,), M_TAU_THRESHOLD,
    (f"TauDecays:mode = {TAU_DECAY_MODE}", "WeakZ0:gmZmode = 1", "15:onMode = off",
     "15:onIfMatch = 13 14 16"), default_filter="both tau -> mu nu nu",
    sigma_scale=BF_TAU_TO_MU**2))
EE_QQ = register(PythiaEEProcess(
    "ee_qq", "e+e- -> q qbar (u, d, s, c) continuum, Pythia 8", (1, 2, 3, 4), M_QQ_MIN_UDS))
EE_UDS = register(PythiaEEProcess(
    "ee_uds", "e+e- -> q qbar (u, d, s) continuum, Pythia 8", (1, 2, 3), M_QQ_MIN_UDS))
EE_CC = register(PythiaEEProcess(
    "ee_cc", "e+e- -> c cbar continuum, Pythia 8", (4,), M_QQ_MIN_C))

#: the weakly decaying charm hadrons: D⁺, D⁰, D_s⁺, Λ_c⁺, Ξ_c⁰, Ξ_c⁺, Ω_c⁰
CHARM_WEAK = (411, 421, 431, 4122, 4132, 4232, 4332)


@cache
def charm_muon_fractions() -> dict[int, float]:
    """B(H_c → X μ) of each weakly decaying charm hadron: the summed branching fractions of
    Pythia's decay channels with a muon among the products (its table: D⁺ 0.166, D⁰ 0.066,
    D_s⁺ 0.075, Λ_c⁺ 0.045)."""
    pythia = decay_table_pythia()
    table = pythia.particleData  # the default decay table
    out = {}
    for pid in CHARM_WEAK:
        entry = table.particleDataEntryPtr(pid)
        out[pid] = sum(entry.channel(i).bRatio() for i in range(entry.sizeChannels())
                       if any(abs(entry.channel(i).product(j)) == 13
                              for j in range(entry.channel(i).multiplicity())))
    return out


@dataclass(frozen=True)
class ForcedCharmMuons(PythiaEEProcess):
    """e⁺e⁻ → c c̄ with every weakly decaying charm hadron forced into a decay channel with a
    muon (D → K μ ν, …): the events in which both charm hadrons decay semimuonically, the
    source of real muon pairs in continuum events, ~1/100 of c c̄, sampled alone. Each event
    carries the weight Π B(H_c → X μ) over its charm hadrons, so the sample's weighted
    luminosity is that of the c c̄ events it stands for."""

    def settings(self) -> list[str]:
        forced = [s for pid in CHARM_WEAK for s in (f"{pid}:onMode = off",
                                                     f"{pid}:onIfAny = 13")]
        return [*super().settings(), *forced]

    def cross_section(self, params: Mapping[str, float], *, isr: bool = True,
                      n_points: int = 200_000, seed: int = 1) -> XsecResult:
        """σ(c c̄): the forced events' rate is σ times their mean weight (≈ 0.009)."""
        res = super().cross_section(params, isr=isr, n_points=n_points, seed=seed)
        return replace(res, note=res.note + "; sigma(c cbar): the events carry the weight "
                       "prod B(H_c -> X mu) (mean ~0.009), the rate of the forced class")

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        sample = super().generate_chunk(n, seed, params, isr=isr)
        parts = sample.events["particles"]
        fractions = charm_muon_fractions()
        apdg = abs(parts.pdg)
        log_b = ak.zeros_like(parts.px)
        for pid, b in fractions.items():
            log_b = ak.where(apdg == pid, np.log(b), log_b)
        weight = sample.events["weight"] * np.exp(ak.to_numpy(ak.sum(log_b, axis=1)))
        return Sample(ak.with_field(sample.events, weight, "weight"), sample.meta)


EE_CC_MUMU = register(ForcedCharmMuons(
    "ee_cc_mumu", "e+e- -> c cbar continuum with every weakly decaying charm hadron forced to "
    "a channel with a muon (event weight: the product of their B(H_c -> X mu)), Pythia 8", (4,),
    M_QQ_MIN_C, default_filter="every charm hadron -> X mu (weighted)"))


# ---------------------------------------------------------------------------------------------
# Υ(4S) → B B̄
# ---------------------------------------------------------------------------------------------
SIGMA_Y4S_NB = 1.110              #: Belle II Physics Book, Table (KKMC-based, with ISR)
BF_Y4S_CHARGED = 0.514            #: B(Υ(4S) → B⁺B⁻), PDG; the rest is B⁰B̄⁰
PDG_Y4S = 300553
#: B → K(*) S signal parameters of ``upsilon4s_bb`` (DESIGN §5 names); defaults = generic sample
Y4S_SIGNAL_PARAMS: tuple[ProcessParam, ...] = (
    ProcessParam("mass", 0.0, "m_S in GeV, below m_B - m_K(*); 0 with sin_theta = 0: generic B "
                 "decays", off=0.0),
    ProcessParam("sin_theta", 0.0, "scalar-Higgs mixing in [0, 1]; 0 with mass = 0: generic B "
                 "decays"),
    ProcessParam("ctau", 0.0, "proper decay length of S in cm (lifetime scans, rates still from "
                 "sin_theta); 0: the model's, from mass and sin_theta", off=0.0),
)
#: S decay channels of the signal process names: suffix → |PDG id| of x
Y4S_SIGNAL_CHANNELS = {"ee": 11, "mumu": 13, "pipi": 211, "kk": 321}


@dataclass(frozen=True)
class Upsilon4SProcess:
    """e⁺e⁻ → Υ(4S) → B B̄ with generic B decays (Pythia's decay tables, B⁰ mixing on).

    The Υ(4S) is produced at rest in the CMS with mass √s of its own event: √s is drawn from the
    preset's beam-energy spread (σ ≈ 5 MeV at Belle II; the Υ(4S) line, 20 MeV wide, is nearly
    flat across it), which is what gives M_bc its resolution of ≈ 2.5 MeV; B B̄ are emitted
    back to back with the P-wave distribution dN/dcosθ* ∝ 1 − cos²θ* of a transversely
    polarised vector decaying to two pseudoscalars (e⁺e⁻ → γ* gives helicity ±1 along the
    beam), then handed to Pythia for their decays.
    σ is the Physics Book value (not computed). No ISR photons are attached (gap).
    ``b_decays`` = ``charmless`` or ``charm`` splits the generic sample by the B decays' charm
    for the MC statistics of rare-decay backgrounds (:mod:`~.charmless_b`), σ scaled to the
    class's share.

    ``signal_decay`` hook: a callable ``(rng, n) -> (pdg (n, k), p4 (n, k, 4))`` giving the
    daughters of the *first* B (the B⁺ or B⁰) in its rest frame; they are inserted as that B's
    daughters and Pythia decays any unstable ones. Dark states unknown to Pythia are added as
    stable particles via ``extra_particles``. A hook with ``uses_b_id = True`` is called as
    ``(rng, n, b_pdg)`` and returns ``(pdg, p4, parent (k,))``: entries with ``parent = j ≥ 0``
    are daughters of entry ``j`` (which is then marked decayed), so cascades such as
    B → K*(→ Kπ) S with a chosen K* helicity can be inserted.

    Signal parameters (``mass``, ``sin_theta``): B → K S, S → μ⁺μ⁻ for ``upsilon4s_bb``, or the
    decay named by ``upsilon4s_bb_{ks,kstars}_{ee,mumu,pipi,kk}`` (fields ``kstar``, ``channel``),
    with a displaced S vertex; see :mod:`darkscan.generate.processes.b_to_k_scalar` for the
    kinematics and σ = σ(Υ(4S))·2·B(B → K(*)S)·B(S → x⁺x⁻). ``mass = sin_theta = 0``
    (the defaults) gives the generic sample, identical to the parameter-free one.
    """

    name: str = "upsilon4s_bb"
    description: str = ("e+e- -> Upsilon(4S) -> B Bbar, generic B decays (Pythia 8); with mass "
                        "and sin_theta: one B -> K S, S -> mu+mu-")
    params: tuple[ProcessParam, ...] = Y4S_SIGNAL_PARAMS
    default_filter: str = ""
    experiment: Experiment = BELLE2
    #: signal decay used when ``mass``, ``sin_theta`` > 0: B → K* S instead of B → K S
    kstar: bool = False
    #: signal S → x⁺x⁻ channel, |PDG id| of x (11, 13, 211, 321)
    channel: int = 13
    #: which B decays the sample holds (:mod:`darkscan.generate.processes.charmless_b`):
    #: ``generic``, ``charmless`` (one B without charm) or ``charm`` (both with)
    b_decays: str = "generic"

    def signal(self, params: Mapping[str, float]):
        """The validated :class:`~darkscan.generate.processes.b_to_k_scalar.SignalConfig`, or
        None for the generic sample."""
        from darkscan.generate.processes.b_to_k_scalar import signal_config

        return signal_config(params, BF_Y4S_CHARGED, self.kstar, self.channel)

    def cross_section(self, params: Mapping[str, float], *, isr: bool = True,
                      n_points: int = 200_000, seed: int = 1) -> XsecResult:
        from darkscan.generate.processes.charmless_b import sigma_fraction

        note = "Belle II Physics Book (PTEP 2019 123C01) Table 1: 1.110 +- 0.008 nb; not computed"
        cfg = self.signal(params)
        if cfg is None:
            k = sigma_fraction(self.b_decays, BF_Y4S_CHARGED)
            if self.b_decays != "generic":
                note += (f" x {k:.5f}: the share of pairs with {self.b_decays} B decays "
                         "(darkscan.generate.processes.charmless_b)")
            return XsecResult(self.name, dict(params), SIGMA_Y4S_NB * 1e3 * k, 0.008e3 * k, isr,
                              self.default_filter, 0, note=note)
        k = cfg.sigma_scale
        return XsecResult(self.name, dict(params), SIGMA_Y4S_NB * 1e3 * k, 0.008e3 * k, isr,
                          self.default_filter, 0,
                          note=note + " x 2 B(B -> K(*) S) B(S -> xx) (darkscan.models.scalar)",
                          extra=cfg.extra())

    def partons(self, n: int, rng: np.random.Generator, signal_decay=None,
                charged_fraction: float = BF_Y4S_CHARGED
                ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """CMS-frame Υ(4S) → B B̄ records in Pythia's conventions (vectorised); the first B is a
        B⁺ with probability ``charged_fraction`` (B(Υ(4S) → B⁺B⁻) for generic events)."""
        sqrt_s = cms_energy(self.experiment, *beam_energies(self.experiment, rng, n))
        charged = rng.random(n) < charged_fraction
        b1 = np.where(charged, 521, 511)
        m_b = np.where(charged, mass(521), mass(511))
        p_star = lorentz.two_body_momentum(sqrt_s, m_b, m_b)
        # cosθ from 1 − c²: accept–reject, vectorised
        cos_t = np.empty(n)
        todo = np.arange(n)
        while todo.size:
            c = rng.uniform(-1.0, 1.0, todo.size)
            ok = rng.random(todo.size) < 1.0 - c * c
            cos_t[todo[ok]] = c[ok]
            todo = todo[~ok]
        phi = rng.uniform(0.0, 2.0 * np.pi, n)
        sin_t = np.sqrt(1.0 - cos_t**2)
        p3 = p_star[:, None] * np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], -1)
        e_b = np.sqrt(p_star**2 + m_b**2)
        k = 0
        sig_pdg = sig_p4 = None
        if signal_decay is not None:
            if getattr(signal_decay, "uses_b_id", False):
                sig_pdg, sig_p4, parent = signal_decay(rng, n, b1)
            else:
                sig_pdg, sig_p4 = signal_decay(rng, n)
                parent = np.full(np.shape(sig_pdg)[1], -1)
            parent = np.asarray(parent, dtype=np.int64)
            sig_pdg = np.asarray(sig_pdg, dtype=np.int64)
            k = sig_pdg.shape[1]
            bl = np.concatenate([p3, e_b[:, None]], axis=-1)
            sig_p4 = lorentz.boost(np.asarray(sig_p4, float), (bl[:, :3] / bl[:, 3:4])[:, None, :])
        # per event: [Υ(4S)] [B] [B̄] [daughters of B ...]  (index 0 is Pythia's system entry)
        m_rec = 3 + k
        z = np.zeros((n, m_rec))
        cols = {key: z.copy() for key in ("pdg", "status", "mother1", "mother2", "daughter1",
                                          "daughter2", "col", "acol", "px", "py", "pz", "E",
                                          "m", "scale")}
        cols["pol"] = np.full((n, m_rec), 9.0)
        cols["pdg"][:, 0], cols["status"][:, 0] = PDG_Y4S, -22
        cols["daughter1"][:, 0], cols["daughter2"][:, 0] = 2, 3
        cols["E"][:, 0] = cols["m"][:, 0] = sqrt_s
        for j, sign in ((1, 1.0), (2, -1.0)):
            cols["pdg"][:, j] = b1 if j == 1 else -b1
            cols["status"][:, j] = 1
            cols["mother1"][:, j] = 1
            cols["px"][:, j], cols["py"][:, j], cols["pz"][:, j] = (sign * p3[:, i]
                                                                    for i in range(3))
            cols["E"][:, j], cols["m"][:, j] = e_b, m_b
        if k:
            # row 3 + i is Pythia index 4 + i; the daughters of each parent must be contiguous
            cols["status"][:, 1] = -2
            for par in np.unique(parent):
                kids = np.nonzero(parent == par)[0]
                if np.any(np.diff(kids) != 1) or (par >= 0 and kids[0] <= par):
                    raise ValueError("signal_decay parents must list contiguous later entries")
                row = 1 if par < 0 else 3 + par
                cols["status"][:, row] = -2
                cols["daughter1"][:, row], cols["daughter2"][:, row] = 4 + kids[0], 4 + kids[-1]
            for i in range(k):
                j = 3 + i
                cols["pdg"][:, j] = sig_pdg[:, i]
                if cols["status"][0, j] == 0:
                    cols["status"][:, j] = 1
                cols["mother1"][:, j] = 2 if parent[i] < 0 else 4 + parent[i]
                for q, key in enumerate(("px", "py", "pz", "E")):
                    cols[key][:, j] = sig_p4[:, i, q]
                cols["m"][:, j] = lorentz.mass(sig_p4[:, i])
        return np.full(n, m_rec), {key: v.ravel() for key, v in cols.items()}

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True,
                       signal_decay=None,
                       extra_particles: Sequence[tuple[int, str, int, int, int, float]] = ()
                       ) -> Sample:
        """Generic Υ(4S) → B B̄ events, or with signal parameters one B → K(*) S, S → x⁺x⁻
        (:mod:`darkscan.generate.processes.b_to_k_scalar`); ``signal_decay`` is the low-level
        hook (class docstring) and cannot be combined with signal parameters."""
        from darkscan.generate.processes import b_to_k_scalar as bks
        from darkscan.generate.processes.charmless_b import split_settings

        cfg = self.signal(params)
        charged_fraction = BF_Y4S_CHARGED
        s_id = 0
        if cfg is not None and self.b_decays != "generic":
            raise ParameterError(f"{self.name} holds {self.b_decays} B decays only: it has no "
                                 "signal parameters; use upsilon4s_bb for B → K(*) S")
        if cfg is not None:
            if signal_decay is not None:
                raise ParameterError("give either signal parameters or signal_decay, not both")
            from darkscan.models.ids import pdgid

            s_id = pdgid("scalar")
            signal_decay = bks.BToKScalarDecay(cfg, s_id)
            charged_fraction = cfg.charged_fraction
        rng = np.random.default_rng(child_seed(seed, 2))
        counts, partons = self.partons(n, rng, signal_decay, charged_fraction)
        # the B mesons (and the signal side's K⁰, π⁰) decayed by Pythia, many to a record
        cols = {"pdg": partons["pdg"].astype(np.int64),
                **{k: partons[k] for k in ("px", "py", "pz", "E")},
                **{k: np.zeros(len(partons["pdg"])) for k in ("vx", "vy", "vz", "t")},
                "mother": partons["mother1"].astype(np.int64) - 1,
                "status": np.where(partons["status"] > 0, STATUS_FINAL, STATUS_DECAYED)}
        decayed = decay_unstable(counts, cols, np.ones(n), seed,
                                 settings=split_settings(self.b_decays),
                                 extra_particles=extra_particles)
        kc = ak.to_numpy(ak.num(decayed["particles"], axis=1)).astype(np.int64)
        flat = ak.flatten(decayed["particles"], axis=1)
        lab = columns_to_lab(kc, {f: ak.to_numpy(flat[f]) for f in PARTICLE_FIELDS},
                             np.random.default_rng(child_seed(seed, 1)), self.experiment)
        events = make_truth_events(kc, np.ones(n), **lab)
        xs = self.cross_section(params, isr=isr)
        info: dict[str, object] = {"sigma_provenance": xs.note}
        if cfg is not None:
            events = bks.decay_scalars(events, cfg, s_id,
                                       np.random.default_rng(child_seed(seed, 3)))
            info |= cfg.extra()
        meta = SampleMeta(process=self.name, params=dict(params), sigma_pb=xs.sigma_pb,
                          error_pb=xs.error_pb, filter=self.default_filter, n_generated=n,
                          experiment=self.experiment.name, isr=isr, generator="pythia8",
                          extra=info)
        return Sample(events, meta)


UPSILON4S_BB = register(Upsilon4SProcess())
#: named B → K(*) S, S → x⁺x⁻ signal variants (the generic sample when mass = sin_theta = 0)
UPSILON4S_SIGNALS = {
    f"upsilon4s_bb_{k}_{x}": register(Upsilon4SProcess(
        name=f"upsilon4s_bb_{k}_{x}",
        description=f"e+e- -> Upsilon(4S) -> B Bbar, one B -> {'K*(892)' if kst else 'K'} S, "
                    f"S -> {x} (displaced), other B generic (Pythia 8)",
        kstar=kst, channel=code))
    for k, kst in (("ks", False), ("kstars", True))
    for x, code in Y4S_SIGNAL_CHANNELS.items()}
