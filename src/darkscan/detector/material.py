"""Photon conversions and electron bremsstrahlung in the material in front of the CDC.

The material map is a set of thin cylinders about the beam (``material_radii`` with thickness
``material_x0`` in radiation lengths at normal incidence, :mod:`darkscan.detector.parameters`):
beam pipe, the two PXD and four SVD layers, the CDC inner wall, each spanning the vertex
detector's polar-angle acceptance. A photon crossing a layer at angle α to its normal sees
x = x₀/cos α and converts there with probability 1 − exp(−7x/9) (the high-energy pair-production
mean free path 9X₀/7; below ~1 GeV the real cross section is smaller, down to about half at
50 MeV, so soft photons convert somewhat too often here: an approximation, stated; below
``conversion_min_energy``, 10 MeV, they do not convert at all).

The pair shares the photon's energy by the complete-screening Bethe–Heitler spectrum
dσ/dx ∝ 1 − (4/3) x(1 − x) (x = E₊/E_γ) and flies along the photon (the opening angle, ~m_e/E,
is below the tracking resolution). The e⁺ and e⁻ replace the photon in its event, produced at the
conversion point (inside the layer: they cross it, with half its thickness to radiate in), with
the photon as their truth mother, and are tracked like any particle: the
displaced e⁺e⁻ vertices that fake a light S → e⁺e⁻ or A′ → e⁺e⁻.

Electrons and positrons radiate in the same layers (:func:`radiate_electrons`). Crossing x
radiation lengths in all, an electron keeps the energy fraction z = e^(−u), u ~ Γ(x/ln 2): the
Bethe–Heitler (1934) energy-loss distribution f(z) = (−ln z)^(x/ln 2 − 1)/Γ(x/ln 2), the total
loss to any number of photons (mean ⟨z⟩ = 2^(−x/ln 2) = e^(−x): the radiation length's
definition). The loss leaves as one photon, collinear with the electron, from a layer chosen in
proportion to its share of x; the electron's momentum is reduced from its production point on.
The tracking measures the momentum mostly in the CDC, after this material, so the track carries
the reduced momentum and the photon makes its own cluster (or merges with the electron's when
they land close): the radiative tail of electron momenta and of E/p-matched photons that
material gives. Brems photons do not convert again, and the electron's path is taken straight
through the vertex detector (its curvature radius exceeds 40 cm above p_T = 0.2 GeV).

The hadrons' nuclear interactions in the same layers are :mod:`darkscan.detector.nuclear`'s.

Reference: PDG Review "Passage of particles through matter" (pair production, 7/9 X₀;
bremsstrahlung and the radiation length); H. Bethe and W. Heitler, Proc. R. Soc. A 146 (1934)
83 (the energy-loss distribution, as used by the Gaussian-sum filter, R. Frühwirth, Comput.
Phys. Commun. 154 (2003) 131).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from darkscan.detector.decays import next_index, numbered, replaced
from darkscan.detector.parameters import DetectorParameters
from darkscan.jit import jit_exact
from darkscan.physics.constants import M_E

PHOTON, ELECTRON = 22, 11
PAIR_PER_X0 = 7.0 / 9.0
#: a conversion's e± start this far before the layer's radius along the photon, inside the
#: layer: they cross it (a hit in a sensor; half its thickness to radiate in, below), whatever
#: the rounding of the point (on the radius itself, that differed between CPUs)
PAIR_START_CM = 1e-6
#: a particle this close to a layer's radius starts in it
ON_LAYER_CM = 1e-5


def without_material(params: DetectorParameters) -> DetectorParameters:
    """``params`` with no material in front of the CDC: for checks of the calorimeter itself."""
    return replace(params, material_radii=(), material_x0=(), material_lambda=())


def _directions(part: dict[str, np.ndarray], rows: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Unit momentum directions (n, 3) of the particles ``rows`` and their momenta (a particle
    without momentum gets the zero vector and goes nowhere)."""
    p3 = np.stack([part["px"][rows], part["py"][rows], part["pz"][rows]], axis=1)
    p_mag = np.linalg.norm(p3, axis=1)
    return p3 / np.where(p_mag > 0, p_mag, 1.0)[:, None], p_mag


def _share(rng: np.random.Generator, e: np.ndarray) -> np.ndarray:
    """The e⁺ energy fraction x from 1 − (4/3)x(1 − x) on [m_e/E, 1 − m_e/E] (accept–reject)."""
    lo = np.minimum(M_E / e, 0.5)
    x = np.empty(len(e))
    todo = np.arange(len(e))
    while todo.size:
        trial = rng.uniform(lo[todo], 1.0 - lo[todo])
        ok = rng.random(todo.size) < 1.0 - 4.0 / 3.0 * trial * (1.0 - trial)
        x[todo[ok]] = trial[ok]
        todo = todo[~ok]
    return x


def _layer_paths(x: np.ndarray, y: np.ndarray, z: np.ndarray, d: np.ndarray,
                 params: DetectorParameters) -> tuple[np.ndarray, np.ndarray]:
    """Per layer (rows) and particle (columns): the path length to the layer along the unit
    directions ``d`` (NaN where it is not crossed inside the vertex detector's acceptance) and
    the thickness crossed there in radiation lengths (0 where not crossed). A particle produced
    in a layer (a conversion's e±, :data:`PAIR_START_CM`) crosses half of it going outwards:
    the mean remaining depth for a production point uniform through the layer. One compiled
    pass (:func:`_layer_paths_kernel`)."""
    n_layers = len(params.material_radii)
    path = np.empty((n_layers, len(x)))
    thickness = np.empty((n_layers, len(x)))
    f = np.ascontiguousarray
    _layer_paths_kernel(f(x, dtype=float), f(y, dtype=float), f(z, dtype=float),
                        f(d, dtype=float), np.array(params.material_radii, dtype=float),
                        np.array(params.material_x0, dtype=float),
                        1.0 / np.tan(np.radians(params.vxd_theta_max)),
                        1.0 / np.tan(np.radians(params.vxd_theta_min)), ON_LAYER_CM, path,
                        thickness)
    return path, thickness


@jit_exact
def _layer_paths_kernel(x, y, z, d, radii, x0s, cot_lo, cot_hi, on_layer, path, thickness
                        ):  # pragma: no cover - compiled
    """Per particle and layer (a cylinder of radius R about the beam): the path t ≥ 0 along d
    from (x, y) to it (none when the particle starts outside it or flies along z; one that
    starts on it, within ``on_layer``, has t = 0 when it flies outwards: there x² + y² − R² is
    a rounding error of either sign), whether it is crossed inside the acceptance, and the
    thickness x₀/|cos α| crossed, α the angle to the cylinder's normal."""
    for i in range(x.shape[0]):
        dx, dy, dz = d[i, 0], d[i, 1], d[i, 2]
        r = math.hypot(x[i], y[i])
        a = dx * dx + dy * dy
        b = x[i] * dx + y[i] * dy
        for k in range(radii.shape[0]):
            radius = radii[k]
            on = abs(r - radius) < on_layer
            c = 0.0 if on else x[i] * x[i] + y[i] * y[i] - radius * radius
            path[k, i] = np.nan
            thickness[k, i] = 0.0
            if not (c <= 0.0 and a > 0.0):
                continue
            t = (-b + math.sqrt(b * b - a * c)) / a
            z_at = z[i] + t * dz
            if t >= 0.0 and z_at > radius * cot_lo and z_at < radius * cot_hi:
                cos_a = ((x[i] + t * dx) * dx + (y[i] + t * dy) * dy) / radius
                path[k, i] = t
                thickness[k, i] = (0.5 if on and t == 0.0 else 1.0) * x0s[k] / abs(cos_a)


def conversion_layer(part: dict[str, np.ndarray], rows: np.ndarray, rng: np.random.Generator,
                     params: DetectorParameters) -> tuple[np.ndarray, np.ndarray]:
    """For the photons ``rows``: the index of the layer they convert in (−1: none) and the path
    length to it along their direction."""
    d, p_mag = _directions(part, rows)
    paths, thickness = _layer_paths(part["x"][rows], part["y"][rows], part["z"][rows], d, params)
    layer = np.full(len(rows), -1)
    path = np.full(len(rows), np.nan)
    # (``conversion_min_energy``: just above 2m_e a pair at rest had a direction, θ and φ of a
    # momentum of 10⁻¹¹ GeV or 0, that rounding chose, differently by CPU)
    can_convert = p_mag > params.conversion_min_energy
    for i in range(len(paths)):
        prob = -np.expm1(-PAIR_PER_X0 * thickness[i])
        here = (layer < 0) & can_convert & (thickness[i] > 0) & (rng.random(len(rows)) < prob)
        layer[here], path[here] = i, paths[i][here]
    return layer, path


LayerChoice = Callable[[dict[str, np.ndarray], np.ndarray, np.random.Generator,
                        DetectorParameters], tuple[np.ndarray, np.ndarray]]


def stopped_in_layers(part: dict[str, np.ndarray], rows: np.ndarray, rng: np.random.Generator,
                      params: DetectorParameters, choose: LayerChoice
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The particles ``rows`` that ``choose`` (rows → their layer, −1 for none, and the path to
    it) stops in a layer of the map, and the path along their direction to where their products
    start, :data:`PAIR_START_CM` inside the layer."""
    if len(rows) == 0 or not params.material_radii:
        return rows[:0], np.empty(0)
    layer, path = choose(part, rows, rng, params)
    return rows[layer >= 0], path[layer >= 0] - PAIR_START_CM


def convert_photons(part: dict[str, np.ndarray], counts: np.ndarray, rng: np.random.Generator,
                    params: DetectorParameters) -> dict[str, np.ndarray]:
    """Replace the photons that convert in the material by their e⁺e⁻ pairs (columns
    :data:`darkscan.detector.decays.COLUMNS`, event-ordered; ``counts`` the generator's
    particles per event); the input itself when none does."""
    conv, t = stopped_in_layers(part, np.nonzero(part["pdg"] == PHOTON)[0], rng, params,
                                conversion_layer)
    if len(conv) == 0:
        return part
    p3 = np.stack([part["px"][conv], part["py"][conv], part["pz"][conv]], axis=1)
    e_gamma = part["E"][conv]
    d = p3 / np.linalg.norm(p3, axis=1, keepdims=True)
    share = _share(rng, e_gamma)
    e_pair = np.concatenate([share * e_gamma, (1.0 - share) * e_gamma])
    p_pair = np.sqrt(np.maximum(e_pair * e_pair - M_E * M_E, 0.0))
    d2 = np.concatenate([d, d])
    n = len(conv)
    pairs = {"x": np.tile(part["x"][conv] + t * d[:, 0], 2),
             "y": np.tile(part["y"][conv] + t * d[:, 1], 2),
             "z": np.tile(part["z"][conv] + t * d[:, 2], 2),
             "px": p_pair * d2[:, 0], "py": p_pair * d2[:, 1], "pz": p_pair * d2[:, 2],
             "E": e_pair,
             "pdg": np.concatenate([np.full(n, -ELECTRON), np.full(n, ELECTRON)]),
             "ev": np.tile(part["ev"][conv], 2),
             "mother": np.tile(part["local"][conv], 2),
             "mother_pdg": np.full(2 * n, PHOTON)}
    return replaced(part, conv, numbered(pairs, next_index(part, counts)))


#: photons below this energy (GeV) are not emitted (nor is the electron's loss applied)
BREMS_MIN_ENERGY = 1e-3


def radiate_electrons(part: dict[str, np.ndarray], counts: np.ndarray, rng: np.random.Generator,
                      params: DetectorParameters) -> dict[str, np.ndarray]:
    """Bremsstrahlung of the e± in the material map (module docstring): each e± crossing x
    radiation lengths keeps the energy fraction z (Bethe–Heitler) and the rest leaves as one
    collinear photon from one of the crossed layers, the e± as its truth mother. The input
    itself when nothing radiates; otherwise new arrays (the input's are not written to)."""
    rows = np.nonzero(np.abs(part["pdg"]) == ELECTRON)[0]
    if len(rows) == 0 or not params.material_radii:
        return part
    d, _ = _directions(part, rows)
    paths, thickness = _layer_paths(part["x"][rows], part["y"][rows], part["z"][rows], d, params)
    total = thickness.sum(axis=0)
    u = rng.gamma(np.where(total > 0, total, 1.0) / np.log(2.0))
    e = part["E"][rows]
    k = np.where(total > 0, -np.expm1(-u) * e, 0.0)
    k = np.minimum(k, e - M_E)
    radiates = k > BREMS_MIN_ENERGY
    if not radiates.any():
        return part
    sel, d, k = rows[radiates], d[radiates], k[radiates]
    # the emitting layer, in proportion to each crossed layer's thickness
    share = np.cumsum(thickness[:, radiates], axis=0) / total[radiates]
    layer = np.minimum((rng.random(len(sel))[None, :] > share).sum(axis=0), len(share) - 1)
    t = paths[layer, np.nonzero(radiates)[0]]
    out = {name: np.array(part[name], copy=True) for name in ("px", "py", "pz", "E")}
    e_after = part["E"][sel] - k
    p_after = np.sqrt(np.maximum(e_after * e_after - M_E * M_E, 0.0))
    for j, name in enumerate(("px", "py", "pz")):
        out[name][sel] = p_after * d[:, j]
    out["E"][sel] = e_after
    photons = {"x": part["x"][sel] + t * d[:, 0], "y": part["y"][sel] + t * d[:, 1],
               "z": part["z"][sel] + t * d[:, 2],
               "px": k * d[:, 0], "py": k * d[:, 1], "pz": k * d[:, 2], "E": k,
               "pdg": np.full(len(sel), PHOTON), "ev": part["ev"][sel],
               "mother": part["local"][sel], "mother_pdg": part["pdg"][sel]}
    return replaced({**part, **out}, np.empty(0, dtype=np.int64),
                    numbered(photons, next_index(part, counts)))
