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
from dataclasses import dataclass, field

import numpy as np

from darkscan.errors import NotAvailableError
from darkscan.events import Sample, SampleMeta
from darkscan.generate.pythia_bridge import (
    MB_TO_PB,
    child_seed,
    ee_beam_settings,
    hadronise_partons,
    make_pythia,
    run_pythia,
)
from darkscan.generate.registry import ParamSpec, XsecResult, register
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
    params: tuple[ParamSpec, ...] = ()
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


# ---------------------------------------------------------------------------------------------
# Υ(4S) → B B̄
# ---------------------------------------------------------------------------------------------
SIGMA_Y4S_NB = 1.110              #: Belle II Physics Book, Table (KKMC-based, with ISR)
BF_Y4S_CHARGED = 0.514            #: B(Υ(4S) → B⁺B⁻), PDG; the rest is B⁰B̄⁰
PDG_Y4S = 300553


@dataclass(frozen=True)
class Upsilon4SProcess:
    """e⁺e⁻ → Υ(4S) → B B̄ with generic B decays (Pythia's decay tables, B⁰ mixing on).

    The Υ(4S) is produced at rest in the CMS with mass √s (its width, 20 MeV, is wider than the
    beam-energy spread); B B̄ are emitted back to back with the P-wave distribution
    dN/dcosθ* ∝ 1 − cos²θ* of a transversely polarised vector decaying to two pseudoscalars
    (e⁺e⁻ → γ* gives helicity ±1 along the beam), then handed to Pythia for their decays.
    σ is the Physics Book value (not computed). No ISR photons are attached (gap).

    ``signal_decay`` hook: a callable ``(rng, n) -> (pdg (n, k), p4 (n, k, 4))`` giving the
    daughters of the *first* B (the B⁺ or B⁰) in its rest frame; they are inserted as that B's
    daughters and Pythia decays any unstable ones. Dark states unknown to Pythia are added as
    stable particles via ``extra_particles``.
    """

    name: str = "upsilon4s_bb"
    description: str = "e+e- -> Upsilon(4S) -> B Bbar, generic B decays (Pythia 8)"
    params: tuple[ParamSpec, ...] = ()
    default_filter: str = ""
    experiment: Experiment = BELLE2

    def cross_section(self, params: Mapping[str, float], *, isr: bool = True,
                      n_points: int = 200_000, seed: int = 1) -> XsecResult:
        return XsecResult(self.name, dict(params), SIGMA_Y4S_NB * 1e3, 0.008e3, isr,
                          self.default_filter, 0,
                          note="Belle II Physics Book (PTEP 2019 123C01) Table 1: "
                               "1.110 +- 0.008 nb; not computed")

    def partons(self, n: int, rng: np.random.Generator, signal_decay=None
                ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """CMS-frame Υ(4S) → B B̄ records in Pythia's conventions (vectorised)."""
        sqrt_s = self.experiment.sqrt_s
        charged = rng.random(n) < BF_Y4S_CHARGED
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
            sig_pdg, sig_p4 = signal_decay(rng, n)
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
            cols["status"][:, 1] = -2
            cols["daughter1"][:, 1], cols["daughter2"][:, 1] = 4, 3 + k
            for i in range(k):
                j = 3 + i
                cols["pdg"][:, j] = sig_pdg[:, i]
                cols["status"][:, j] = 1
                cols["mother1"][:, j] = 2
                for q, key in enumerate(("px", "py", "pz", "E")):
                    cols[key][:, j] = sig_p4[:, i, q]
                cols["m"][:, j] = lorentz.mass(sig_p4[:, i])
        return np.full(n, m_rec), {key: v.ravel() for key, v in cols.items()}

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True,
                       signal_decay=None,
                       extra_particles: Sequence[tuple[int, str, int, int, int, float]] = ()
                       ) -> Sample:
        if params:
            raise NotAvailableError("upsilon4s_bb with B -> K(*) S signal parameters is not "
                                    "available yet; use generate_chunk(signal_decay=...) hook")
        rng = np.random.default_rng(child_seed(seed, 2))
        counts, partons = self.partons(n, rng, signal_decay)
        extra = ((PDG_Y4S, "Upsilon(4S)", 3, 0, 0, 10.5794), *extra_particles)
        events = hadronise_partons(counts, partons, seed, experiment=self.experiment,
                                   keep_ids=(PDG_Y4S, 511, -511, 521, -521),
                                   extra_particles=extra)
        xs = self.cross_section(params, isr=isr)
        meta = SampleMeta(process=self.name, params=dict(params), sigma_pb=xs.sigma_pb,
                          error_pb=xs.error_pb, filter=self.default_filter, n_generated=n,
                          experiment=self.experiment.name, isr=isr, generator="pythia8",
                          extra={"sigma_provenance": xs.note})
        return Sample(events, meta)


UPSILON4S_BB = register(Upsilon4SProcess())
