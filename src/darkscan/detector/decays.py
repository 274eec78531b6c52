"""Decays in flight of the hadrons the generator leaves stable.

Pythia decays only particles with cτ₀ < 10 mm (``pythia_bridge``), so K_S⁰ (cτ = 2.68 cm), Λ
(7.89 cm) and Σ± (2.40 / 4.43 cm) reach the detector whole. Their decays are a large part of what
displaced-vertex searches see (the K_S and Λ backgrounds of B → K S and of inelastic dark
matter), so the detector decays them where they decay:

- the lab flight length is drawn from an exponential of mean βγcτ along the momentum
  (:func:`darkscan.generate.llp.decay_vertices`, cτ from the PDG tables of ``particle``);
- a channel is chosen by its branching fraction, and the two-body decay is isotropic in the
  parent's rest frame (K_S is spin 0; the hyperons are taken unpolarised, so their parity-violating
  asymmetry α averages out);
- π⁰ daughters decay at once to γγ (98.8%, the Dalitz decay 1.2% is counted as γγ);
- a parent that would decay beyond the tracking volume (outside the ECL inner surface) is left as
  it is: it reaches the calorimeter whole, as before.

Daughters are appended to their event with the decay point as production vertex, a truth index
after the generator's particles and the parent's truth index as ``mother`` (so reconstructed
tracks and clusters can be matched to the decay that made them).

Branching fractions: PDG Review of Particle Physics 2024 (R. L. Workman et al., PTEP 2022 083C01
and 2024 update) [RECALLED]; the listed channels cover > 99.7% of each width.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from particle import Particle

from darkscan.detector.parameters import DetectorParameters
from darkscan.generate.llp import decay_vertices
from darkscan.generate.phase_space import decay_isotropic
from darkscan.jit import jit

PI0, PHOTON = 111, 22

#: parent PDG id → ((branching fraction, (daughter 1, daughter 2)), ...) for the particle; the
#: antiparticle decays to the charge conjugates
CHANNELS: dict[int, tuple[tuple[float, tuple[int, int]], ...]] = {
    310: ((0.6920, (211, -211)), (0.3069, (111, 111))),       # K_S⁰
    3122: ((0.641, (2212, -211)), (0.359, (2112, 111))),      # Λ
    3222: ((0.5157, (2212, 111)), (0.4831, (2112, 211))),     # Σ⁺
    3112: ((0.99848, (2112, -211)),),                         # Σ⁻
}
#: the ids that decay in flight, particles and antiparticles
IN_FLIGHT = np.array(sorted({int(Particle.from_pdgid(k).invert().pdgid) for k in CHANNELS}
                            | set(CHANNELS)), dtype=np.int64)

#: columns of the flat final-state particles this module reads and extends
COLUMNS = ("x", "y", "z", "px", "py", "pz", "E", "pdg", "ev", "local", "mother", "mother_pdg")


@cache
def _mass_ctau(pdg: int) -> tuple[float, float]:
    """Mass (GeV) and cτ (cm) from the PDG tables."""
    p = Particle.from_pdgid(abs(pdg))
    return float(p.mass) / 1000.0, float(p.ctau) / 10.0


@cache
def _mass(pdg: int) -> float:
    return float(Particle.from_pdgid(abs(pdg)).mass) / 1000.0


def per_id(func: Callable[[int], Any], pdg: np.ndarray) -> np.ndarray:
    """``func`` of each entry's id, looked up once per distinct id."""
    ids, inverse = np.unique(pdg, return_inverse=True)
    return np.array([func(int(i)) for i in ids], dtype=float)[inverse]


def _conjugate(pdg: int) -> int:
    return int(Particle.from_pdgid(pdg).invert().pdgid)


def _two_body(p4: np.ndarray, pdg: np.ndarray, rng: np.random.Generator
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Choose a channel for each parent and decay it: daughters' ids and four-momenta."""
    n = len(pdg)
    d1, d2 = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    for parent in np.unique(pdg):
        rows = np.nonzero(pdg == parent)[0]
        channels = CHANNELS[abs(int(parent))]
        brs = np.array([br for br, _ in channels])
        pick = np.searchsorted(np.cumsum(brs / brs.sum()), u[rows], side="right")
        pick = np.minimum(pick, len(channels) - 1)
        for k, (_, (a, b)) in enumerate(channels):
            if parent < 0:
                a, b = _conjugate(a), _conjugate(b)
            d1[rows[pick == k]], d2[rows[pick == k]] = a, b
    m1, m2 = per_id(_mass, d1), per_id(_mass, d2)
    p1, p2 = decay_isotropic(p4, m1, m2, rng.random(n), rng.random(n))
    return d1, d2, p1, p2


def _inside(vertex: np.ndarray, params: DetectorParameters) -> np.ndarray:
    r = np.hypot(vertex[:, 0], vertex[:, 1])
    return (r < params.ecl_r_barrel) & (vertex[:, 2] > params.ecl_z_bwd) & (
        vertex[:, 2] < params.ecl_z_fwd)


def next_index(part: dict[str, np.ndarray], counts: np.ndarray) -> np.ndarray:
    """Per event, the first truth index free for new particles: after the generator's
    (``counts``) and after any added since."""
    start = np.asarray(counts, dtype=np.int64).copy()
    np.maximum.at(start, part["ev"], np.asarray(part["local"], dtype=np.int64) + 1)
    return start


def numbered(d: dict[str, np.ndarray], start: np.ndarray) -> dict[str, np.ndarray]:
    """``d`` sorted by event (stable), with truth indices ``start[event]``, +1, +2, …"""
    order = np.argsort(d["ev"], kind="stable")
    d = {k: v[order] for k, v in d.items()}
    first = np.searchsorted(d["ev"], d["ev"], side="left")
    d["local"] = start[d["ev"]] + (np.arange(len(d["ev"])) - first)
    return d


def photons_from_pi0(d: dict[str, np.ndarray], start: np.ndarray, rng: np.random.Generator
                      ) -> dict[str, np.ndarray]:
    """π⁰ rows of the numbered daughters ``d`` → two photons each, at the same vertex,
    numbered from ``start[event]`` on."""
    is_pi0 = d["pdg"] == PI0
    if not is_pi0.any():
        return d
    pi0 = {k: v[is_pi0] for k, v in d.items()}
    p4 = np.stack([pi0["px"], pi0["py"], pi0["pz"], pi0["E"]], axis=1)
    n = len(p4)
    g1, g2 = decay_isotropic(p4, 0.0, 0.0, rng.random(n), rng.random(n))
    photons = {k: np.concatenate([v, v]) for k, v in pi0.items()}
    for j, name in enumerate(("px", "py", "pz", "E")):
        photons[name] = np.concatenate([g1[:, j], g2[:, j]])
    photons["pdg"] = np.full(2 * n, PHOTON, dtype=np.int64)
    photons["mother"] = np.concatenate([pi0["local"], pi0["local"]])
    photons["mother_pdg"] = np.full(2 * n, PI0, dtype=np.int64)
    photons = numbered(photons, start)
    return {k: np.concatenate([d[k][~is_pi0], photons[k]]) for k in d}


def in_flight(part: dict[str, np.ndarray], counts: np.ndarray, rng: np.random.Generator,
              params: DetectorParameters) -> dict[str, np.ndarray]:
    """Decay the K_S⁰, Λ and Σ± among the flat final-state particles ``part`` (columns
    :data:`COLUMNS`, event-ordered; ``counts`` the generator's particles per event). Returns the
    columns with decayed parents replaced by their daughters, still event-ordered; the input
    itself when nothing decays (no copy)."""
    candidates = np.nonzero(np.isin(part["pdg"], IN_FLIGHT))[0]
    if len(candidates) == 0:
        return part
    pdg = part["pdg"][candidates]
    p4 = np.stack([part[k][candidates] for k in ("px", "py", "pz", "E")], axis=1)
    origin = np.stack([part[k][candidates] for k in ("x", "y", "z")], axis=1)
    mass_ctau = per_id(_mass_ctau, pdg).reshape(-1, 2)
    vertex = decay_vertices(p4, mass_ctau[:, 0], mass_ctau[:, 1], rng, origin=origin).vertex
    decays = _inside(vertex, params)
    parents = candidates[decays]
    if len(parents) == 0:
        return part
    d1, d2, p1, p2 = _two_body(p4[decays], pdg[decays], rng)
    n = len(parents)
    dau: dict[str, np.ndarray] = {
        "x": np.tile(vertex[decays, 0], 2), "y": np.tile(vertex[decays, 1], 2),
        "z": np.tile(vertex[decays, 2], 2),
        "px": np.concatenate([p1[:, 0], p2[:, 0]]), "py": np.concatenate([p1[:, 1], p2[:, 1]]),
        "pz": np.concatenate([p1[:, 2], p2[:, 2]]), "E": np.concatenate([p1[:, 3], p2[:, 3]]),
        "pdg": np.concatenate([d1, d2]), "ev": np.tile(part["ev"][parents], 2),
        "local": np.full(2 * n, -1, dtype=np.int64),
        "mother": np.tile(part["local"][parents].astype(np.int64), 2),
        "mother_pdg": np.tile(pdg[decays], 2)}
    # truth indices after the generator's particles: the daughters, then the π⁰s' photons
    start = next_index(part, counts)
    dau = numbered(dau, start)
    dau = photons_from_pi0(dau, start + np.bincount(dau["ev"], minlength=len(start)), rng)
    return replaced(part, parents, dau)


def replaced(part: dict[str, np.ndarray], removed: np.ndarray, added: dict[str, np.ndarray]
             ) -> dict[str, np.ndarray]:
    """``part`` without the rows ``removed`` and with the particles ``added``, event-ordered
    (the added ones after the others of their event, in their order). ``part`` is
    event-ordered: each row goes straight to its place (one scatter per column instead of a
    concatenation, a sort and a gather)."""
    keep = np.ones(len(part["pdg"]), dtype=bool)
    keep[removed] = False
    ev_keep, ev_add = np.asarray(part["ev"])[keep], np.asarray(added["ev"])
    if np.any(ev_keep[1:] < ev_keep[:-1]):  # not event-ordered: sort everything
        merged = {k: np.concatenate([np.asarray(part[k])[keep], added[k].astype(part[k].dtype)])
                  for k in COLUMNS}
        order = np.argsort(merged["ev"], kind="stable")
        return {k: v[order] for k, v in merged.items()}
    n_events = int(max(ev_keep.max(initial=-1), ev_add.max(initial=-1))) + 1
    n_keep = np.bincount(ev_keep, minlength=n_events)
    n_add = np.bincount(ev_add, minlength=n_events)
    start = np.concatenate([[0], np.cumsum(n_keep + n_add)])
    first_keep = np.concatenate([[0], np.cumsum(n_keep)])
    first_add = np.concatenate([[0], np.cumsum(n_add)])
    dest_keep = start[ev_keep] + np.arange(len(ev_keep)) - first_keep[ev_keep]
    by_event = np.argsort(ev_add, kind="stable")
    ev_sorted = ev_add[by_event]
    dest_add = np.empty(len(ev_add), dtype=np.int64)
    dest_add[by_event] = (start[ev_sorted] + n_keep[ev_sorted] + np.arange(len(ev_add))
                          - first_add[ev_sorted])
    # each output row's source: a row of part, or len(keep) + a row of added
    source = np.empty(start[-1], dtype=np.int64)
    source[dest_keep] = np.nonzero(keep)[0]
    source[dest_add] = len(keep) + np.arange(len(ev_add))
    out = {}
    for k in COLUMNS:
        col = np.ascontiguousarray(part[k])
        out[k] = np.empty(start[-1], dtype=col.dtype)
        _gather_rows(col, np.ascontiguousarray(added[k], dtype=col.dtype), source, out[k])
    return out


@jit
def _gather_rows(col, added, source, out):  # pragma: no cover - compiled
    """out[j] = col[source[j]], or added[source[j] − len(col)] beyond it: one sequential pass
    (the sources of an event-ordered merge are nearly in order)."""
    n = col.shape[0]
    for j in range(source.shape[0]):
        i = source[j]
        out[j] = col[i] if i < n else added[i - n]
