"""Photon radiation off the electron of τ leptonic decays (τ → eνν̄γ, τ → eαγ).

A charged lepton created with velocity β by the decay of a charge at rest (the τ, in its rest
frame) radiates soft photons with the probability per logarithm of photon energy

    A(β) = (α/π) [ (1/β) ln((1 + β)/(1 − β)) − 2 ]

(the eikonal current p_ℓ/(p_ℓ·k) − p_τ/(p_τ·k) squared and integrated over the photon's
direction; ≈ (α/π)(ln(4E²/m_ℓ²) − 2) for an electron). Exponentiated (the leading-logarithmic
resummation, as in Yennie–Frautschi–Suura and PHOTOS), the photon takes the fraction x of the
lepton's rest-frame energy E* with density A x^(A−1) on (0, 1 − m_ℓ/E*]. The photon is placed
along the electron (its radiation lies within ~m_e/E of it) and the electron keeps energy
(1 − x)E* and its direction; both are boosted back with the τ. Energy is conserved, momentum up
to O(m_e²/E*) ~ 10⁻⁷ GeV. The photon's truth mother is the τ, as in a radiative decay.

Only electrons radiate here. A muon's radiation is neither collinear (β ≈ 0.9) nor large: E*_γ >
10 MeV in 2.1% of τ → μνν̄ decays (BaBar), and a collinear photon off a massive lepton cannot
conserve both its energy and momentum without redoing the neutrinos' recoil; it is neglected.

Against the exact O(α) rate of τ → eνν̄γ with E*_γ > 10 MeV (BaBar, PRD 91 (2015) 051103:
B = 1.847%, i.e. 10.4% of B(eνν̄)) this gives 12.0% over the Michel spectrum (the soft radiator
bounds the photon by the electron's energy, not by the decay's kinematics): the radiative tail
is right to ~15% of itself (``generate_tau_radiative_fraction_e`` in ``darkscan validate``).
"""

from __future__ import annotations

import awkward as ak
import numpy as np

from darkscan.events import PARTICLE_FIELDS, STATUS_FINAL, make_truth_events
from darkscan.physics.constants import ALPHA, PDG_ELECTRON, PDG_PHOTON, PDG_TAU
from darkscan.physics.lorentz import boost

#: photons below this rest-frame energy (GeV) are not emitted
MIN_PHOTON_ENERGY = 1e-3


def radiator(beta: np.ndarray) -> np.ndarray:
    """A(β): the soft-photon emission probability per unit ln E_γ of a lepton of velocity β
    created by a charge at rest (module docstring)."""
    beta = np.clip(np.asarray(beta, dtype=float), 1e-12, 1.0 - 1e-16)
    return ALPHA / np.pi * (np.log1p(2.0 * beta / (1.0 - beta)) / beta - 2.0)


def photon_fraction(rng: np.random.Generator, a: np.ndarray, x_max: np.ndarray) -> np.ndarray:
    """The fraction x of the lepton's rest-frame energy the photon takes: density a x^(a−1) on
    (0, 1), capped at ``x_max`` (the lepton keeps at least its mass)."""
    return np.minimum(rng.random(len(a)) ** (1.0 / np.maximum(a, 1e-300)), x_max)


def radiate_tau_leptons(events: ak.Array, rng: np.random.Generator) -> ak.Array:
    """``events`` with every final-state e± whose mother is a τ radiating (module
    docstring); each photon above :data:`MIN_PHOTON_ENERGY` is appended to its event at the
    lepton's vertex."""
    parts = events["particles"]
    counts = ak.to_numpy(ak.num(parts)).astype(np.int64)
    flat = {f: ak.to_numpy(ak.flatten(parts[f])).copy() for f in PARTICLE_FIELDS}
    event = np.repeat(np.arange(len(counts)), counts)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mother = flat["mother"]
    has_mother = (mother >= 0) & (mother < counts[event])
    mother_row = np.where(has_mother, start[event] + mother, 0)
    rows = np.nonzero((flat["status"] == STATUS_FINAL) & (np.abs(flat["pdg"]) == PDG_ELECTRON)
                      & has_mother & (np.abs(flat["pdg"][mother_row]) == PDG_TAU))[0]
    if len(rows) == 0:
        return events
    p4 = np.stack([flat[c] for c in ("px", "py", "pz", "E")], axis=-1)
    tau = p4[mother_row[rows]]
    beta_tau = tau[:, :3] / tau[:, 3:4]
    rest = boost(p4[rows], -beta_tau)
    e_star = rest[:, 3]
    p_star = np.linalg.norm(rest[:, :3], axis=1)
    mass = np.sqrt(np.maximum(e_star**2 - p_star**2, 0.0))
    x = photon_fraction(rng, radiator(p_star / e_star), 1.0 - mass / e_star)
    emit = x * e_star > MIN_PHOTON_ENERGY
    rows, rest, e_star, p_star, mass, x, beta_tau = (
        a[emit] for a in (rows, rest, e_star, p_star, mass, x, beta_tau))
    if len(rows) == 0:
        return events
    direction = rest[:, :3] / p_star[:, None]
    e_lep = (1.0 - x) * e_star
    p_lep = np.sqrt(np.maximum(e_lep**2 - mass**2, 0.0))
    lepton = boost(np.column_stack([p_lep[:, None] * direction, e_lep]), beta_tau)
    photon = boost(np.column_stack([(x * e_star)[:, None] * direction, x * e_star]), beta_tau)
    for j, c in enumerate(("px", "py", "pz", "E")):
        flat[c][rows] = lepton[:, j]
    added = {c: photon[:, j] for j, c in enumerate(("px", "py", "pz", "E"))}
    added.update({c: flat[c][rows] for c in ("vx", "vy", "vz", "t", "mother")})
    added["pdg"] = np.full(len(rows), PDG_PHOTON)
    added["status"] = np.full(len(rows), STATUS_FINAL)
    # append each photon after its event's particles: sort by event, stably
    merged_event = np.concatenate([event, event[rows]])
    order = np.argsort(merged_event, kind="stable")
    merged = {f: np.concatenate([flat[f], added[f].astype(flat[f].dtype)])[order]
              for f in PARTICLE_FIELDS}
    new_counts = counts + np.bincount(event[rows], minlength=len(counts))
    return make_truth_events(new_counts, ak.to_numpy(events["weight"]), **merged)
