"""Generic e⁺e⁻ process machinery shared by darkscan's matrix-element processes.

A concrete process supplies the hard scattering in its own rest frame (e⁻ along +z): momenta and
the weight (1/2s')|M|² dΦ in pb from unit random numbers; it may add a generator-level filter,
FSR on lepton pairs and decays of resonances. This module adds ISR (beams.py / isr.py), integrates
with VEGAS, unweights, applies the beam-energy spread, the crossing-angle boost and the primary
vertex, and writes truth events (DESIGN §3).

Event layout: [e⁻ beam, e⁺ beam (status 4)] + hard final state (status 1, or 2 when decayed)
+ decay products + ISR photons (mother: their beam) + FSR photons (mother: their lepton).
Photons softer than :data:`darkscan.generate.isr.E_PHOTON_MIN` are not emitted.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from darkscan.allocator import keep_freed_memory
from darkscan.errors import ParameterError
from darkscan.events import (
    STATUS_BEAM,
    STATUS_DECAYED,
    STATUS_FINAL,
    Sample,
    SampleMeta,
    make_truth_events,
)
from darkscan.generate import beams
from darkscan.generate.integrate import Grid, build_grid, unweight
from darkscan.generate.isr import ISR_CONSTANT, beta_isr, fsr_pair, isr_photons
from darkscan.generate.multichannel import ChannelLayout
from darkscan.generate.registry import ProcessParam, XsecResult
from darkscan.jit import jit_exact
from darkscan.models.params import require_in_range
from darkscan.physics import lorentz
from darkscan.physics.constants import PDG_ELECTRON, PDG_PHOTON
from darkscan.physics.experiment import BELLE2, Experiment

Array = np.ndarray
N_ISR_DIMS = 6
#: the ISR unit numbers a collinear emission reads (the two energy fractions; the angles are
#: unused, :func:`darkscan.generate.isr.isr_photons`)
ISR_COLLINEAR_DIMS = (0, 1)
#: points used for the cached generation grid of each (process, params, isr)
GRID_POINTS = 300_000


@dataclass
class Decayed:
    """Decay products appended to the event: momenta (n, k, 4) in the same frame as the hard
    momenta, their pdg ids (n, k) and the index (into the hard final state) of their mother."""

    momenta: Array
    pdg: Array
    mother: Array  # (k,) index into the hard final state


class EEProcess:
    """Base class of an e⁺e⁻ → X process (implements the :class:`~darkscan.generate.Process`
    protocol from a hard-scattering kernel)."""

    name: str = ""
    description: str = ""
    params: tuple[ProcessParam, ...] = ()
    default_filter: str = ""
    experiment: Experiment = BELLE2
    #: pdg ids of the hard final state (after the process may override per event in decay())
    pdgs: tuple[int, ...] = ()
    #: pairs of hard-final-state indices (and lepton mass) that radiate FSR
    fsr: tuple[tuple[int, int, float], ...] = ()
    grid_points: int = GRID_POINTS
    #: emit the ISR photons along the beams (collinear structure-function treatment, needed by
    #: t-channel processes whose cuts are on CMS angles, see :mod:`darkscan.generate.isr`);
    #: False: eikonal photon angles around the beams
    isr_collinear: bool = False

    # --- to implement -------------------------------------------------------------------------
    def hard_ndim(self, params: Mapping[str, float]) -> int:
        raise NotImplementedError

    def s_min(self, params: Mapping[str, float]) -> float:
        """Lowest hard-scattering s' (GeV²) with non-zero cross section."""
        raise NotImplementedError

    def hard(self, u: Array, sqrt_s: Array, params: Mapping[str, float], rc: bool
             ) -> tuple[Array, Array]:
        """Hard momenta (n, k, 4) in the hard rest frame (e⁻ along +z) and the weight
        (1/2s')|M|² dΦ × Jacobian in pb (0 where the point is outside phase space). ``rc``:
        include the radiative corrections that go with ISR (running α, FSR normalisation)."""
        raise NotImplementedError

    def isr_beta(self, u_hard: Array, s: Array, params: Mapping[str, float]) -> Array:
        """ISR exponent of both beams per event from the hard unit numbers and the event s
        (default: the s-channel :func:`~darkscan.generate.isr.beta_isr`)."""
        return beta_isr(s)

    def fsr_eta(self, st: Mapping[str, Array]) -> Array | None:
        """Per-event FSR exponent per leg from the generation state, or None for the pair-mass
        exponent of :func:`~darkscan.generate.isr.fsr_pair` (default)."""
        return None

    def passes_filter(self, p: Array, k1: Array, k2: Array, params: Mapping[str, float]
                      ) -> Array:
        """Generator-level filter on the hard final state ``p`` (n, k, 4) and ISR photons in the
        e⁺e⁻ CMS frame, with the process parameters (cuts) (default: everything passes)."""
        return np.ones(len(p), dtype=bool)

    def hard_in_frame(self, u: Array, sqrt_s: Array, params: Mapping[str, float],
                      velocity: Array) -> tuple[Array, Array]:
        """The hard scattering (radiative corrections on) whose rest frame moves with
        ``velocity`` (n, 3) in the CMS after ISR; a process whose phase space should follow the
        boost (to sample CMS cuts exactly) overrides this (default: :meth:`hard`)."""
        return self.hard(u, sqrt_s, params, True)

    def decay(self, p: Array, rng: np.random.Generator, params: Mapping[str, float]
              ) -> tuple[Array, Decayed | None]:
        """Decays of resonances of the hard final state; returns (pdg ids (n, k) of the hard
        final state, decay products or None)."""
        return np.broadcast_to(np.array(self.pdgs), (len(p), len(self.pdgs))), None

    def validate(self, params: Mapping[str, float]) -> None:
        """Process-specific checks beyond the parameter table's ranges (raise
        ParameterError): by default, that the process is kinematically open."""
        if self.s_min(params) >= self.experiment.s:
            raise ParameterError(f"process '{self.name}' with {dict(params)} is kinematically "
                                 f"closed at √s = {self.experiment.sqrt_s:.3f} GeV")

    def require_nonzero(self, params: Mapping[str, float], *names: str) -> None:
        """Couplings the cross section is proportional to must be > 0 here: the table allows 0
        (a model with that coupling off), but a process cannot generate events without a cross
        section."""
        for name in names:
            require_in_range(name, params[name], 0.0, math.inf, low_open=True,
                             extra=f"process '{self.name}' has σ ∝ {name}^k and no events at 0")

    # --- integrand ---------------------------------------------------------------------------
    def ndim(self, params: Mapping[str, float], isr: bool) -> int:
        return self.hard_ndim(params) + (N_ISR_DIMS if isr else 0)

    def channel_layout(self, isr: bool, per_channel: int, n_channels: int) -> ChannelLayout:
        """The dimensions a point of a multichannel hard phase space uses (its ISR numbers,
        the channel selector first in the hard block, then ``per_channel`` numbers per
        channel): collinear ISR reads two numbers, eikonal ISR all six."""
        hard = N_ISR_DIMS if isr else 0
        common = (ISR_COLLINEAR_DIMS if self.isr_collinear else tuple(range(N_ISR_DIMS))
                  ) if isr else ()
        return ChannelLayout(common, hard, hard + 1, per_channel, n_channels)

    def evaluate(self, x: Array, sqrt_s: Array, params: Mapping[str, float], isr: bool
                 ) -> tuple[Array, dict[str, Array]]:
        """Weights (pb) and CMS-frame state for unit points ``x`` at per-event ``sqrt_s``."""
        n = len(x)
        sqrt_s = np.broadcast_to(np.asarray(sqrt_s, float), (n,))
        extra: dict[str, Array] = {}
        if isr:
            beta = np.broadcast_to(self.isr_beta(x[:, N_ISR_DIMS:], sqrt_s**2, params), (n,))
            k1, k2, w_isr = isr_photons(x[:, :N_ISR_DIMS], sqrt_s, beta, self.s_min(params),
                                        self.isr_collinear)
            extra["isr_beta"] = beta
            big_p = np.zeros((n, 4))
            big_p[:, 3] = sqrt_s
            hard_p = big_p - k1 - k2
            s_prime = hard_p[:, 3] ** 2 - np.sum(hard_p[:, :3] ** 2, axis=-1)
            ok = s_prime > self.s_min(params)
            rs = np.sqrt(np.where(ok, s_prime, self.s_min(params) * 1.0001 + 1e-6))
            beta = np.where(ok[:, None], hard_p[:, :3] / hard_p[:, 3:4], 0.0)
            p, w = self.hard_in_frame(x[:, N_ISR_DIMS:], rs, params, beta)
            p = lorentz.boost(p, beta[:, None, :])
            w = np.where(ok, w * w_isr * ISR_CONSTANT, 0.0)
        else:
            k1 = k2 = np.zeros((n, 4))
            p, w = self.hard(x, sqrt_s, params, False)
        w = np.nan_to_num(w, nan=0.0, posinf=0.0)
        # the filter sees the points with a weight only: a point outside the phase space may
        # carry non-finite momenta (its weight is 0 already)
        live = w != 0
        w[live] = np.where(self.passes_filter(p[live], k1[live], k2[live], params), w[live], 0.0)
        return w, {"p": p, "k1": k1, "k2": k2, "sqrt_s": sqrt_s} | extra

    # --- Process protocol ---------------------------------------------------------------------
    def grid(self, params: Mapping[str, float], isr: bool, n_points: int, seed: int) -> Grid:
        keep_freed_memory()
        sqrt_s = self.experiment.sqrt_s
        return build_grid(lambda x: self.evaluate(x, sqrt_s, params, isr)[0],
                          self.ndim(params, isr), n_points=n_points, seed=seed)

    def cross_section(self, params: Mapping[str, float], *, isr: bool = True,
                      n_points: int = 200_000, seed: int = 1) -> XsecResult:
        self.validate(params)
        g = self.grid(params, isr, n_points, seed)
        return XsecResult(self.name, dict(params), g.sigma, g.error, isr, self.default_filter,
                          n_points, note=self.xsec_note(isr),
                          extra={"unweighting_efficiency": g.sigma / g.wmax if g.wmax else 0.0})

    def xsec_note(self, isr: bool) -> str:
        return ("ISR (Kuraev–Fadin structure function), Born otherwise" if isr
                else "Born level (tree), no ISR, nominal beams")

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        self.validate(params)
        keep_freed_memory()
        grid = _cached_grid(self, _freeze(params), isr)
        rng = np.random.default_rng(seed)
        beam_rng = np.random.default_rng(seed.spawn(1)[0])
        exp = self.experiment

        def evaluate(x: Array) -> tuple[Array, dict[str, Array]]:
            # only the beam energies are needed to weight a point; frames and vertices are
            # built for the accepted ones below
            e_minus, e_plus = beams.beam_energies(exp, beam_rng, len(x), spread=isr)
            w, st = self.evaluate(x, beams.cms_energy(exp, e_minus, e_plus), params, isr)
            return w, st | {"e_minus_energy": e_minus, "e_plus_energy": e_plus}

        res = unweight(grid, evaluate, rng, n)
        store = res.state
        b = beams.from_energies(exp, store.pop("e_minus_energy"), store.pop("e_plus_energy"),
                                beam_rng)
        store.update(b.as_state())
        events = self._assemble(store, rng, params)
        meta = SampleMeta(
            process=self.name, params=dict(params), sigma_pb=grid.sigma, error_pb=grid.error,
            filter=self.default_filter, n_generated=n, experiment=self.experiment.name, isr=isr,
            extra={"unweighting_efficiency": n / res.n_tried,
                   "max_weight_overflow_fraction": res.n_overflow / res.n_tried,
                   "max_weight_overflow_sigma_fraction": res.overflow_sigma_fraction,
                   "grid_points": grid.n_points, **self.meta_extra(params)})
        return Sample(events, meta)

    def meta_extra(self, params: Mapping[str, float]) -> dict[str, float | str]:
        return {}

    # --- event assembly -----------------------------------------------------------------------
    def _assemble(self, st: dict[str, Array], rng: np.random.Generator,
                  params: Mapping[str, float]):
        p = st["p"].copy()
        n, nh = p.shape[:2]
        pdg_hard, dec = self.decay(p, rng, params)
        fsr_k: list[tuple[int, Array]] = []
        eta = self.fsr_eta(st)
        for i, j, m in self.fsr:
            a, b, ka, kb = fsr_pair(p[:, i], p[:, j], m, rng, eta)
            p[:, i], p[:, j] = a, b
            fsr_k += [(i, ka), (j, kb)]
        # momenta in the canonical frame, transformed to the lab in one go below; ids, status
        # and mother per particle slot (status and mother are the same in every event)
        parts_p = [p]
        pdg = [np.broadcast_to(np.array([PDG_ELECTRON, -PDG_ELECTRON]), (n, 2)), pdg_hard]
        status = [np.full(2, STATUS_BEAM), np.full(nh, STATUS_FINAL)]
        mother = [np.full(2 + nh, -1)]
        if dec is not None:
            status[1][np.unique(dec.mother)] = STATUS_DECAYED
            parts_p.append(dec.momenta)
            pdg.append(dec.pdg)
            status.append(np.full(dec.pdg.shape[1], STATUS_FINAL))
            mother.append(2 + np.asarray(dec.mother))
        photons = [(0, st["k1"]), (1, st["k2"])] + [(2 + i, k) for i, k in fsr_k]
        parts_p.append(np.stack([k for _, k in photons], axis=1))
        pdg.append(np.full((n, len(photons)), PDG_PHOTON))
        status.append(np.full(len(photons), STATUS_FINAL))
        mother.append(np.array([mom for mom, _ in photons]))
        lab = beams.Frame(st["beta"], st["rotation"]).apply(np.concatenate(parts_p, axis=1))
        beam_p = np.stack([st["e_minus"], st["e_plus"]], axis=1)
        ids = np.ascontiguousarray(np.concatenate(pdg, axis=1), dtype=np.int32)
        slots = np.stack([np.concatenate(status), np.concatenate(mother)]).astype(np.int32)
        counts, reals, ints = _flatten(beam_p, lab, ids, slots,
                                       np.ascontiguousarray(st["vertex"]))
        flat = dict(zip(("px", "py", "pz", "E", "vx", "vy", "vz"), reals, strict=True))
        flat |= dict(zip(("pdg", "status", "mother"), ints, strict=True))
        return make_truth_events(counts, np.ones(n), **flat)


@jit_exact
def _flatten(beam_p: Array, lab: Array, ids: Array, slots: Array, vertex: Array
             ) -> tuple[Array, Array, Array]:
    """Flat particle columns in one pass: particles per event, (px, py, pz, E, vx, vy, vz) and
    (pdg, status, mother) of the kept particles (the two beams and every slot but photons that
    were not emitted), event after event; boolean masks over (n, k) views per column cost more
    than the rest of the assembly."""
    n, k = lab.shape[0], lab.shape[1]
    counts = np.full(n, 2, dtype=np.int64)
    for i in range(n):
        for j in range(k):
            if ids[i, 2 + j] != PDG_PHOTON or lab[i, j, 3] > 0.0:
                counts[i] += 1
    total = 0
    for i in range(n):
        total += counts[i]
    reals = np.empty((7, total))
    ints = np.empty((3, total), dtype=np.int32)
    c = 0
    for i in range(n):
        for j in range(2 + k):
            if j >= 2 and ids[i, j] == PDG_PHOTON and lab[i, j - 2, 3] <= 0.0:
                continue
            for a in range(4):
                reals[a, c] = beam_p[i, j, a] if j < 2 else lab[i, j - 2, a]
            for a in range(3):
                reals[4 + a, c] = vertex[i, a]
            ints[0, c], ints[1, c], ints[2, c] = ids[i, j], slots[0, j], slots[1, j]
            c += 1
    return counts, reals, ints


def _freeze(params: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((k, float(v)) for k, v in params.items()))


def grid_seed(name: str, frozen: tuple[tuple[str, float], ...], isr: bool) -> int:
    """A fixed integration seed derived from the process and its parameters (not the chunk seed),
    so that every worker builds the identical grid."""
    h = hashlib.sha256(repr((name, frozen, isr)).encode()).digest()
    return int.from_bytes(h[:8], "little")


@lru_cache(maxsize=64)
def _cached_grid(proc: EEProcess, frozen: tuple[tuple[str, float], ...], isr: bool) -> Grid:
    return proc.grid(dict(frozen), isr, proc.grid_points, grid_seed(proc.name, frozen, isr))


def cos_theta(p: Array) -> Array:
    return p[..., 2] / np.maximum(np.sqrt(np.sum(p[..., :3] ** 2, axis=-1)), 1e-300)


def in_theta_energy(p: Array, theta_min_deg: float, theta_max_deg: float, e_min: float
                    ) -> Array:
    """θ*_min < θ* < θ*_max and E* > e_min (CMS frame), elementwise."""
    c = cos_theta(p)
    return ((c < math.cos(math.radians(theta_min_deg)))
            & (c > math.cos(math.radians(theta_max_deg))) & (p[..., 3] > e_min))
