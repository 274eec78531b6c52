"""Which generated photons the detector sees: how a radiative background splits into the events
its main sample simulates as they come and those of its lost-photon sample.

A hard photon inside an ECL fiducial region fails a search's extra-energy cut unless the
detector loses it, and it does so in two ways:

- it converts deep in its crystal and leaks most of its shower out of the back
  (:func:`darkscan.detector.calorimeter.deep_conversions`: 10⁻⁴–4×10⁻⁵ for 1–5 GeV), which a
  lost-photon sample forces on one photon per event and weights by its probability;
- its shower touches the cluster of a track and joins it
  (:func:`darkscan.detector.calorimeter.merge_close_clusters`): the photon then counts as the
  track's energy, not as a photon. Measured on 2M μμ(γ) events (1.7 fb⁻¹) with a photon above
  0.6 GeV in the barrel and the recoil in it, simulated without forcing: 1.7% of those that
  pass Z′ → invisible's selection up to its E_ECL_extra < 0.4 GeV cut pass that cut too (1 in
  74 000 before photons merged with tracks), both muons still identified (2026-12-07).

Such a photon lands within a few crystals of where a charged particle's helix meets the ECL:
:func:`hard_photon_apart` calls a photon seen only beyond :data:`MERGE_DISTANCE_CM` of every
charged particle's entry point, so the events whose photons may merge stay in the main sample,
where the simulation decides.
"""

from __future__ import annotations

import awkward as ak
import numpy as np

from darkscan.detector.calorimeter import ecl_entry_points
from darkscan.detector.parameters import BELLE2_DETECTOR, DetectorParameters
from darkscan.detector.species import properties

#: farther than this (cm, on the ECL's front surface) from every charged particle's entry point
#: a photon's shower cannot touch that particle's cluster: touching crystals have centres at
#: most ~1.5 crystal faces (≈ 8 cm) apart, plus the clusters' position resolution and the
#: crystal a shower's centre falls in
MERGE_DISTANCE_CM = 20.0


def hard_photon_apart(particles: ak.Array, e_min: float,
                      theta_ranges: tuple[tuple[float, float], ...],
                      params: DetectorParameters = BELLE2_DETECTOR,
                      merge_distance: float = MERGE_DISTANCE_CM) -> np.ndarray:
    """Per event: a final-state photon above ``e_min`` (GeV) with its polar angle inside one
    of ``theta_ranges`` (lab, rad) whose ECL entry lies farther than ``merge_distance`` (cm)
    from every final-state charged particle's (helix) entry point."""
    counts = ak.to_numpy(ak.num(particles))
    flat = {f: ak.to_numpy(ak.flatten(particles[f])) for f in
            ("status", "pdg", "px", "py", "pz", "E", "vx", "vy", "vz")}
    event = np.repeat(np.arange(len(counts)), counts)
    final = flat["status"] == 1
    theta = np.arctan2(np.hypot(flat["px"], flat["py"]), flat["pz"])
    inside = np.zeros(len(theta), dtype=bool)
    for lo, hi in theta_ranges:
        inside |= (theta > lo) & (theta < hi)
    photon = final & (flat["pdg"] == 22) & (flat["E"] > e_min) & inside
    # only the final-state particles of the events with such a photon: their entry points
    candidate = np.bincount(event[photon], minlength=len(counts)) > 0
    mine = candidate[event] & final
    charge = properties(flat["pdg"][mine])[0]
    points = ecl_entry_points(*(flat[c][mine] for c in ("vx", "vy", "vz", "px", "py", "pz")),
                              charge, params)
    sub_event = np.cumsum(candidate)[event[mine]] - 1
    n_sub = int(candidate.sum())

    def per_event(mask: np.ndarray) -> ak.Array:
        """The entry points of the masked particles, as x, y, z records per candidate event."""
        rows = ak.zip({c: points[mask, k] for k, c in enumerate("xyz")})
        return ak.unflatten(rows, np.bincount(sub_event[mask], minlength=n_sub))

    track_like = (charge != 0) & np.isfinite(points[:, 0])
    pairs = ak.cartesian([per_event(photon[mine]), per_event(track_like)], axis=1, nested=True)
    a, b = pairs["0"], pairs["1"]
    distance = np.sqrt((a.x - b.x) ** 2 + (a.y - b.y) ** 2 + (a.z - b.z) ** 2)
    apart = ak.fill_none(ak.min(distance, axis=2) > merge_distance, True)
    out = np.zeros(len(counts), dtype=bool)
    out[candidate] = ak.to_numpy(ak.any(apart, axis=1))
    return out
