"""Shared machinery of the dark-sector signal processes (A′, ALP, dark Higgs, iDM).

- :class:`DarkProcess`: an :class:`~darkscan.generate.engine.EEProcess` whose parameters are
  checked strictly (unknown or missing names and values outside the parameter table's ranges raise
  :class:`~darkscan.errors.ParameterError` even when the process is called directly, bypassing
  :func:`darkscan.generate.registry.resolve_params`), and whose long-lived hard final-state
  particles decay at displaced vertices drawn with :mod:`darkscan.generate.llp`: the daughters of
  hard particle ``i`` get the production vertex (vx, vy, vz) and time ``t`` of the decay point,
  lab flight length L ~ Exp(βγcτ) from the primary vertex (DESIGN §3: cm, ns).
- Two-body decay tables: per event a channel is drawn with the model's branching fractions, the
  decay is isotropic in the parent rest frame (exact for a scalar; for a vector it is the
  polarisation-summed distribution, i.e. spin correlations with the production are not kept), and
  charged-lepton pairs radiate collinear leading-log FSR (:func:`darkscan.generate.isr.fsr_pair`),
  the photons being listed as further decay products of the same parent (zero photons are dropped
  by the engine).
- 2 → 2 kinematics with a massless photon whose t/u-channel 1/(1 − cos²θ) peak is flattened.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import awkward as ak
import numpy as np

from darkscan.errors import ParameterError
from darkscan.events import PARTICLE_FIELDS, make_truth_events
from darkscan.generate import llp
from darkscan.generate.engine import Decayed, EEProcess
from darkscan.generate.isr import fsr_pair
from darkscan.generate.phase_space import decay_isotropic, rest_frame_p4, two_body
from darkscan.models.common import ctau_from_width
from darkscan.physics.constants import (
    M_E,
    M_K,
    M_MU,
    M_PI,
    M_TAU,
    PDG_ELECTRON,
    PDG_KAON,
    PDG_MUON,
    PDG_PHOTON,
    PDG_PION,
    PDG_TAU,
)
from darkscan.physics.constants import mass as pdg_mass

Array = np.ndarray
PDG_PI0, PDG_KS, PDG_KL = 111, 310, 130


def pdg_dark(key: str) -> int:
    """PDG-style id of a dark state from the package table (:mod:`darkscan.models.ids`)."""
    from darkscan.models.ids import pdgid

    return pdgid(key)


# ---------------------------------------------------------------------------------------------
# two-body decay channels
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Channel:
    """A two-body final state: ids, masses and the lepton mass for FSR (None: no FSR)."""

    name: str
    pdgs: tuple[int, int]
    masses: tuple[float, float]
    fsr_mass: float | None = None


def lepton_channel(name: str, pdg: int, m: float, fsr: bool = True) -> Channel:
    return Channel(name, (pdg, -pdg), (m, m), m if fsr else None)


EE = lepton_channel("ee", PDG_ELECTRON, M_E)
MUMU = lepton_channel("mumu", PDG_MUON, M_MU)
#: τ's are left undecayed (status 1): their decays need the Pythia bridge
TAUTAU = lepton_channel("tautau", PDG_TAU, M_TAU, fsr=False)
PIPI = Channel("pipi", (PDG_PION, -PDG_PION), (M_PI, M_PI))
PI0PI0 = Channel("pi0pi0", (PDG_PI0, PDG_PI0), (pdg_mass(PDG_PI0),) * 2)
KK = Channel("kk", (PDG_KAON, -PDG_KAON), (M_K, M_K))
KSKS = Channel("ksks", (PDG_KS, PDG_KS), (pdg_mass(PDG_KS),) * 2)
KLKL = Channel("klkl", (PDG_KL, PDG_KL), (pdg_mass(PDG_KL),) * 2)
GAMMAGAMMA = Channel("gammagamma", (PDG_PHOTON, PDG_PHOTON), (0.0, 0.0))


def dark_pair(key: str, m: float) -> Channel:
    """χχ̄ (Dirac dark matter): invisible."""
    pid = pdg_dark(key)
    return Channel("invisible", (pid, -pid), (m, m))


def choose(rng: np.random.Generator, n: int, fractions: Sequence[float]) -> Array:
    """Channel index per event drawn with probabilities ∝ ``fractions`` (n,)."""
    f = np.asarray(fractions, float)
    if not np.any(f > 0):
        raise ValueError("no open decay channel")
    c = np.cumsum(f / f.sum())
    return np.minimum(np.searchsorted(c, rng.random(n), side="right"), len(f) - 1)


def decay_two_body(P: Array, channels: Sequence[Channel], fractions: Sequence[float],
                   rng: np.random.Generator) -> tuple[Array, Array]:
    """Decay P (n, 4) into a channel chosen per event; returns momenta (n, 4, 4) and ids (n, 4):
    [daughter 1, daughter 2, FSR photon 1, FSR photon 2] (photons zero where not radiated)."""
    n = len(P)
    idx = choose(rng, n, fractions)
    out = np.zeros((n, 4, 4))
    pdg = np.empty((n, 4), dtype=np.int64)
    pdg[:, 2:] = PDG_PHOTON
    for c, ch in enumerate(channels):
        sel = np.nonzero(idx == c)[0]
        if sel.size == 0:
            continue
        a, b = decay_isotropic(P[sel], ch.masses[0], ch.masses[1], rng.random(sel.size),
                               rng.random(sel.size))
        if ch.fsr_mass is not None:
            a, b, ka, kb = fsr_pair(a, b, ch.fsr_mass, rng)
            out[sel, 2], out[sel, 3] = ka, kb
        out[sel, 0], out[sel, 1] = a, b
        pdg[sel, 0], pdg[sel, 1] = ch.pdgs
    return out, pdg


def open_channels(widths: Mapping[str, float],
                  table: Mapping[str, Sequence[tuple[Channel, float]]]
                  ) -> tuple[tuple[Channel, ...], tuple[float, ...]]:
    """Expand model partial widths {name: Γ} into two-body channels with fractions: ``table``
    maps a width name onto (channel, share) pairs (e.g. ππ → π⁺π⁻ 2/3, π⁰π⁰ 1/3)."""
    chans: list[Channel] = []
    fr: list[float] = []
    for name, gam in widths.items():
        for ch, share in table[name]:
            g = float(gam) * share
            if g > 0:
                chans.append(ch)
                fr.append(g)
    return tuple(chans), tuple(fr)


# ---------------------------------------------------------------------------------------------
# kinematics
# ---------------------------------------------------------------------------------------------
def beams_rest(n: int, sqrt_s: Array) -> tuple[Array, Array]:
    """Massless e⁻ (along +z) and e⁺ momenta in the hard rest frame."""
    e = np.broadcast_to(np.asarray(sqrt_s, float) / 2.0, (n,))
    z = np.zeros(n)
    return np.stack([z, z, e, e], axis=-1), np.stack([z, z, -e, e], axis=-1)


def two_to_two_tu(u: Array, sqrt_s: Array, m3: float, m4: float, cos_max: float
                  ) -> tuple[Array, Array, Array, Array]:
    """e⁻e⁺ → p3 p4 with p3 at |cosθ| < ``cos_max`` sampled ∝ 1/(1 − cos²θ) (cosθ = tanh y, y
    flat), which flattens the t- and u-channel electron propagators of e⁺e⁻ → γX. Returns
    (p1, p2, p (n, 2, 4), dΦ₂ × Jacobian)."""
    n = len(u)
    ymax = math.atanh(cos_max)
    c = np.tanh(ymax * (2.0 * u[:, 0] - 1.0))
    phi = 2.0 * np.pi * u[:, 1]
    p3, p4, dphi = two_body(rest_frame_p4(n, sqrt_s), m3, m4, c, phi)
    p1, p2 = beams_rest(n, sqrt_s)
    jac = (1.0 - c * c) * 2.0 * ymax * 2.0 * np.pi
    return p1, p2, np.stack([p3, p4], axis=1), dphi * jac


def two_to_two_flat(u: Array, sqrt_s: Array, m3: float, m4: float
                    ) -> tuple[Array, Array, Array, Array]:
    """e⁻e⁺ → p3 p4 with cosθ of p3 flat in [−1, 1] (s-channel processes)."""
    n = len(u)
    c = 2.0 * u[:, 0] - 1.0
    p3, p4, dphi = two_body(rest_frame_p4(n, sqrt_s), m3, m4, c, 2.0 * np.pi * u[:, 1])
    p1, p2 = beams_rest(n, sqrt_s)
    return p1, p2, np.stack([p3, p4], axis=1), dphi * 4.0 * np.pi


# ---------------------------------------------------------------------------------------------
# decays of the hard final state
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecayPlan:
    """How hard final-state particle ``index`` (mass ``mass``, proper decay length ``ctau`` cm)
    decays: two-body ``channels`` with probabilities ∝ ``fractions``. Subclasses override
    :meth:`sample` for other topologies (e.g. the three-body χ₂ → χ₁ℓ⁺ℓ⁻)."""

    index: int
    mass: float
    ctau: float
    channels: tuple[Channel, ...] = ()
    fractions: tuple[float, ...] = ()

    def sample(self, P: Array, rng: np.random.Generator) -> tuple[Array, Array]:
        """Decay products (n, k, 4) in the frame of ``P`` (n, 4) and their ids (n, k)."""
        return decay_two_body(P, self.channels, self.fractions, rng)


# ---------------------------------------------------------------------------------------------
# the process base class
# ---------------------------------------------------------------------------------------------
class DarkProcess(EEProcess):
    """EEProcess with strict parameter checks, decays from :meth:`decay_plans` and displaced
    decay vertices of the long-lived hard particles."""

    #: short names of the hard final-state particles (metadata keys)
    hard_names: tuple[str, ...] = ()

    def validate(self, params: Mapping[str, float]) -> None:
        specs = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(specs))
        if unknown:
            raise ParameterError(f"process '{self.name}' does not take parameter "
                                 f"'{unknown[0]}'; it takes: {', '.join(specs)}")
        missing = sorted(set(specs) - set(params))
        if missing:
            raise ParameterError(f"process '{self.name}': parameter '{missing[0]}' is missing "
                                 f"(default {specs[missing[0]].default:g})")
        for name, spec in specs.items():
            spec.check(params[name])
        self.validate_kinematics(params)
        super().validate(params)

    def validate_kinematics(self, params: Mapping[str, float]) -> None:
        """Process-specific checks: masses below the kinematic limit, couplings that must not
        vanish for events to be generated, ..."""

    def decay_plans(self, params: Mapping[str, float]) -> list[DecayPlan]:
        """The decays of the hard final state (none: every hard particle is stable)."""
        return []

    def decay(self, p: Array, rng: np.random.Generator, params: Mapping[str, float]
              ) -> tuple[Array, Decayed | None]:
        n = len(p)
        pdg_hard = np.broadcast_to(np.array(self.pdgs), (n, len(self.pdgs)))
        moms: list[Array] = []
        ids: list[Array] = []
        mothers: list[int] = []
        for plan in self.decay_plans(params):
            m, i = plan.sample(p[:, plan.index], rng)
            moms.append(m)
            ids.append(i)
            mothers += [plan.index] * i.shape[1]
        if not moms:
            return pdg_hard, None
        return pdg_hard, Decayed(np.concatenate(moms, axis=1), np.concatenate(ids, axis=1),
                                 np.array(mothers))

    def _assemble(self, st: dict[str, Array], rng: np.random.Generator,
                  params: Mapping[str, float]) -> ak.Array:
        events = super()._assemble(st, rng, params)
        todo = {d.index: (d.mass, d.ctau) for d in self.decay_plans(params)
                if d.mass > 0 and 0 < d.ctau < math.inf}
        return displace(events, todo, rng) if todo else events

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        out: dict[str, float | str] = {"sigma_is": "production (no branching fraction)"}
        for d in self.decay_plans(params):
            key = self.hard_names[d.index]
            out[f"ctau_cm_{key}"] = float(d.ctau)
            tot = sum(d.fractions)
            for ch, f in zip(d.channels, d.fractions):
                out[f"br_{key}_{ch.name}"] = out.get(f"br_{key}_{ch.name}", 0.0) + f / tot
        return out


def displace(events: ak.Array, lifetimes: Mapping[int, tuple[float, float]],
             rng: np.random.Generator) -> ak.Array:
    """Move the daughters of hard particle ``i`` (event index 2 + i, after the two beams) to its
    decay vertex: L ~ Exp(βγcτ) along its lab momentum from its production vertex
    (:func:`darkscan.generate.llp.decay_vertices`), t = L/(βc). Vectorised over events."""
    parts = events["particles"]
    counts = ak.to_numpy(ak.num(parts))
    cols = {f: ak.to_numpy(ak.flatten(parts[f])).copy() for f in PARTICLE_FIELDS}
    n = len(counts)
    offsets = np.cumsum(counts) - counts
    event_of = np.repeat(np.arange(n), counts)
    for i, (m, ctau) in sorted(lifetimes.items()):
        j = offsets + 2 + i
        p4 = np.stack([cols[c][j] for c in ("px", "py", "pz", "E")], axis=1)
        origin = np.stack([cols[c][j] for c in ("vx", "vy", "vz")], axis=1)
        dec = llp.decay_vertices(p4, m, ctau, rng, origin=origin, t0=cols["t"][j])
        kids = np.nonzero(cols["mother"] == 2 + i)[0]
        ev = event_of[kids]
        for c, name in enumerate(("vx", "vy", "vz")):
            cols[name][kids] = dec.vertex[ev, c]
        cols["t"][kids] = dec.lab_time[ev]
    return make_truth_events(counts, ak.to_numpy(events["weight"]), **cols)


# ---------------------------------------------------------------------------------------------
# decay plans of the dark states, from the model widths (darkscan.models)
# ---------------------------------------------------------------------------------------------
#: A′ partial widths → two-body channels. The hadronic width (R ratio) is represented by a
#: π⁺π⁻ pair: a kinematic proxy (exact for the ρ region only; no hadronisation).
_DARKPHOTON_TABLE: dict[str, tuple[tuple[Channel, float], ...]] = {
    "ee": ((EE, 1.0),), "mumu": ((MUMU, 1.0),), "tautau": ((TAUTAU, 1.0),),
    "hadrons": ((PIPI, 1.0),)}
#: h′ (Higgs-mixing scalar) partial widths → channels: ππ → π⁺π⁻ : π⁰π⁰ = 2 : 1 and
#: KK̄ → K⁺K⁻ : K⁰K̄⁰ = 1 : 1 (isospin), a CP-even K⁰K̄⁰ pair being K_S K_S or K_L K_L with equal
#: probability. The inclusive gg, ss̄, cc̄ widths (above 1 GeV) are represented by π⁺π⁻, K⁺K⁻
#: and D⁰D̄⁰ pairs: kinematic proxies, no hadronisation.
_D0 = Channel("d0d0bar", (421, -421), (pdg_mass(421),) * 2)
_DARKHIGGS_TABLE: dict[str, tuple[tuple[Channel, float], ...]] = {
    "ee": ((EE, 1.0),), "mumu": ((MUMU, 1.0),), "tautau": ((TAUTAU, 1.0),),
    "pipi": ((PIPI, 2.0 / 3.0), (PI0PI0, 1.0 / 3.0)),
    "kk": ((KK, 0.5), (KSKS, 0.25), (KLKL, 0.25)),
    "gg": ((PIPI, 1.0),), "ssbar": ((KK, 1.0),), "ccbar": ((_D0, 1.0),)}


def darkphoton_plan(index: int, mass: float, epsilon: float, alpha_d: float = 0.0,
                    mass_chi: float | None = None) -> DecayPlan | None:
    """A′ decays by its widths (:mod:`darkscan.models.dark_photon`): e⁺e⁻, μ⁺μ⁻, τ⁺τ⁻, hadrons
    (π⁺π⁻ proxy) and, if ``mass_chi`` is given, invisible χχ̄ (Dirac, α_D). None if no channel is
    open (m_A′ < 2m_e without dark matter)."""
    from darkscan.models import dark_photon as dp

    widths = {"ee": dp.width_ee(epsilon, mass), "mumu": dp.width_mumu(epsilon, mass),
              "tautau": dp.width_tautau(epsilon, mass),
              "hadrons": dp.width_hadrons(epsilon, mass)}
    chans, fr = open_channels(widths, _DARKPHOTON_TABLE)
    if mass_chi is not None and alpha_d > 0:
        g_inv = float(dp.width_chichi(alpha_d, mass, mass_chi))
        if g_inv > 0:
            chans, fr = (*chans, dark_pair("chi1", mass_chi)), (*fr, g_inv)
    if not chans:
        return None
    return DecayPlan(index, mass, float(ctau_from_width(sum(fr))), chans, fr)


def darkhiggs_plan(index: int, mass: float, sin_theta: float) -> DecayPlan | None:
    """h′ decays to Standard-Model states through Higgs mixing (widths of the dark scalar with
    θ → sinθ, :mod:`darkscan.models.dark_higgs`), at a displaced vertex (cτ ∝ 1/sin²θ). None
    (h′ stable, i.e. invisible) for sinθ = 0 or when no channel is open."""
    from darkscan.models import dark_higgs

    if sin_theta == 0.0:  # widths ∝ sin²θ: the sign does not matter
        return None
    chans, fr = open_channels(dark_higgs.partial_widths(sin_theta, mass), _DARKHIGGS_TABLE)
    if not chans:
        return None
    return DecayPlan(index, mass, float(ctau_from_width(sum(fr))), chans, fr)
