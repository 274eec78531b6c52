"""e⁺e⁻ → e⁺e⁻μ⁺μ⁻ with the full matrix element, where Z′ → invisible looks: the EPA sample
weighted by full/EPA in the recoil mass.

The Z′ → invisible search sees e⁺e⁻μ⁺μ⁻ events whose electrons escape along the beams and whose
muon pair has p_T(CMS) > 0.8 GeV. Generated with the full tree-level matrix element (``ee_eemumu``)
this background takes hours at the data's luminosity (its unweighting keeps 1% of the points: most
of its σ has an electron in the detector); the equivalent-photon approximation (``ee_eemumu_epa``)
generates it in seconds but has only transverse photons and only the two-photon (multiperipheral)
graphs. In the search's selection, emulated at generator level (:func:`generator_selection`), the
two agree up to M²_recoil ≈ 60 GeV² and part beyond: the full one is ×1.1–2.4 higher from 60 to 76
GeV² and ×5–30 above, where a muon pair radiated off an electron line (the bremsstrahlung graphs,
absent from the EPA) is most of it, and more so where the recoil is central (|cos θ*_recoil| < 0.4:
×2.2 and 4.8 against ×1.9 and 2.4 further out at 68–72 and 72–76 GeV²). Each EPA event therefore
weighs the ratio of the two in its cell of the true M²_recoil and |cos θ*_recoil| (against the
nominal beams): the table :data:`TABLE_FILE`, measured by :func:`measure` (weighted points of the
full matrix element's VEGAS grid, unweighted EPA events; 2.5 min, 1.9 GB) and stored with the
package; ``darkscan validate`` measures it again with another seed. The weight corrects the EPA's
normalisation per cell only: within a cell it keeps the EPA's distribution of the other variables
(p_T, the muons' angles), and above 76 GeV², where the EPA holds a few per cent of the events, a
few EPA events stand for the whole background.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

import awkward as ak
import numpy as np

from darkscan.physics import BELLE2, lorentz

#: the table shipped with the package (:func:`write_table` makes it)
TABLE_FILE = "data/zprime_invisible_eemumu_full_over_epa.json"
#: the bins of the true M²_recoil (GeV²) and |cos θ*_recoil| (the last one takes the rest)
#: and the statistics the table is measured with
EDGES = (0.0, 16.0, 24.0, 32.0, 40.0, 48.0, 52.0, 56.0, 60.0, 64.0, 68.0, 72.0, 76.0, 80.0,
         84.0, 100.0)
COS_EDGES = (0.0, 0.4, 0.8)
PT_PAIR_MIN = 0.75
N_POINTS, N_EPA, SEED = 16_000_000, 6_000_000, 11
#: a cell's ratio weighs the EPA's events only where it is measured this well (not where a
#: couple of EPA events would each stand for hundreds)
MAX_RELATIVE_ERROR = 0.5
#: the emulated selection (the search's cuts where generator-level momenta can apply them)
_CDC = (np.radians(17.0), np.radians(150.0))
_ECL = (np.radians(12.4), np.radians(155.1))
_BARREL = (0.5934, 2.2166)  # the selection's θ_recoil, 34°–127°
_PT_MUON, _PT_PAIR_CMS, _COS_RECOIL_MAX = 0.4, 0.8, 0.8


def generator_selection(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pass mask, M²_recoil, |cos θ*_recoil|) of lab momenta (n, 4, 4) = (e⁻, e⁺, μ⁻, μ⁺) in
    the search's selection emulated at generator level: both muons in the CDC with
    p_T > 0.4 GeV, both electrons outside the ECL's acceptance, the recoil against the pair in
    the barrel (34°–127°), the pair's CMS p_T above 0.8 GeV and |cos θ*_recoil| < 0.8 (the
    windows' outermost bin)."""
    theta = lorentz.theta(p)
    muons = np.all((theta[:, 2:] > _CDC[0]) & (theta[:, 2:] < _CDC[1])
                   & (lorentz.pt(p[:, 2:]) > _PT_MUON), axis=1)
    electrons_out = np.all((theta[:, :2] < _ECL[0]) | (theta[:, :2] > _ECL[1]), axis=1)
    pair = p[:, 2] + p[:, 3]
    m2, cos = _recoil(pair)
    theta_r = lorentz.theta(BELLE2.p4_total - pair)
    ok = (muons & electrons_out & (theta_r > _BARREL[0]) & (theta_r < _BARREL[1])
          & (lorentz.pt(BELLE2.to_cms(pair)) > _PT_PAIR_CMS) & (cos < _COS_RECOIL_MAX))
    return ok, m2, cos


def _recoil(pair: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """M²_recoil and |cos θ*_recoil| of μ⁺μ⁻ pairs (lab four-vectors) against the nominal
    beams."""
    recoil = BELLE2.p4_total - pair
    cms = BELLE2.to_cms(recoil)
    return lorentz.mass2(recoil), np.abs(cms[:, 2]) / np.maximum(lorentz.p3mag(cms), 1e-12)


def _cell(m2: np.ndarray, cos: np.ndarray, edges: np.ndarray, cos_edges: np.ndarray
          ) -> np.ndarray:
    """The table cell (|cos θ*| bin × M² bins + M² bin) of each recoil; −1 outside the M²
    range (|cos θ*| beyond the last edge counts in the last bin)."""
    k = np.searchsorted(edges, m2, side="right") - 1
    j = np.clip(np.searchsorted(cos_edges, cos, side="right") - 1, 0, len(cos_edges) - 2)
    return np.where((k >= 0) & (k < len(edges) - 1), j * (len(edges) - 1) + k, -1)


def measure(n_points: int = N_POINTS, n_epa: int = N_EPA, seed: int = SEED) -> dict[str, Any]:
    """The full/EPA table in the cells of :data:`EDGES` × :data:`COS_EDGES`
    (:func:`darkscan.generate.processes.pair_production.full_over_epa` in
    :func:`generator_selection`), as the JSON file holds it: per quantity a list per
    |cos θ*| bin of its M² bins."""
    from darkscan.generate.processes.pair_production import full_over_epa

    edges, cos_edges = np.asarray(EDGES), np.asarray(COS_EDGES)

    def cells(p: np.ndarray) -> np.ndarray:
        ok, m2, cos = generator_selection(p)
        return np.where(ok, _cell(m2, cos, edges, cos_edges), -1)

    n_m2, n_cos = len(EDGES) - 1, len(COS_EDGES) - 1
    r = full_over_epa(cells, n_m2 * n_cos, pt_pair_min=PT_PAIR_MIN, n_points=n_points,
                      n_epa=n_epa, seed=seed)
    return {"edges": list(EDGES), "cos_edges": list(COS_EDGES), "pt_pair_min": PT_PAIR_MIN,
            "n_points": n_points, "n_epa": n_epa, "seed": seed,
            **{k: [[float(x) for x in row] for row in np.reshape(v, (n_cos, n_m2))]
               for k, v in r.items()}}


def write_table(path: str) -> dict[str, Any]:
    """Measure the table (:func:`measure`, the stored statistics) and write it to ``path``."""
    table = measure()
    with open(path, "w", encoding="utf-8") as f:
        json.dump(table, f, indent=1)
    return table


@cache
def table() -> dict[str, Any]:
    """The stored table (:data:`TABLE_FILE`)."""
    text = resources.files("darkscan.searches").joinpath(TABLE_FILE).read_text("utf-8")
    return json.loads(text)


def table_digest() -> str:
    """A short fingerprint of the weights the table gives (the samples' cache keys carry it)."""
    t = table()
    blob = json.dumps([t["edges"], t["cos_edges"], bin_weights().ravel().tolist()]).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def bin_weights() -> np.ndarray:
    """The weight of each cell, (|cos θ*| bins, M² bins): the full/EPA ratio where it is
    measured to ±:data:`MAX_RELATIVE_ERROR`; 1 elsewhere: a cell where the EPA has no event or
    one or two (80–84 GeV² with a central recoil: (1.8 ± 1.8)·10³ from one EPA event, where the
    full matrix element has 0.026 pb, 2 events in 79.7 fb⁻¹ before the detector) keeps the EPA,
    which misses that background."""
    t = table()
    ratio, error = np.asarray(t["ratio"], dtype=float), np.asarray(t["ratio_error"], dtype=float)
    measured = (np.asarray(t["epa"]) > 0) & (error < MAX_RELATIVE_ERROR * ratio)
    return np.where(measured, ratio, 1.0)


def weights(particles: ak.Array) -> np.ndarray:
    """Per EPA event: the full/EPA ratio of its cell of the true M²_recoil and |cos θ*_recoil|
    against the nominal beams (the final-state μ⁺μ⁻ pair), 1 outside the table."""
    mu = particles[(abs(particles.pdg) == 13) & (particles.status == 1)]
    pair = np.stack([ak.to_numpy(ak.sum(mu[c], axis=1)) for c in ("px", "py", "pz", "E")],
                    axis=-1)
    m2, cos = _recoil(pair)
    t = table()
    cell = _cell(m2, cos, np.asarray(t["edges"]), np.asarray(t["cos_edges"]))
    return np.where(cell >= 0, bin_weights().ravel()[np.maximum(cell, 0)], 1.0)


def weight_label() -> str:
    """What the weight is, with the table's fingerprint (for the cache keys and the report)."""
    return f"× full/EPA in the true M²_recoil, |cos θ*_recoil| (table {table_digest()})"
