"""Hadronic interactions in the material in front of the CDC: secondary vertices.

A hadron (π±, K±, p, p̄, n, n̄, K_L⁰) crossing a layer of the material map
(:mod:`darkscan.detector.material`) interacts inelastically with a nucleus with probability
1 − exp(−x/cos α), x the layer's thickness in nuclear interaction lengths at normal incidence
(``material_lambda``: each layer's composition with the PDG's λ_I, the proton's; pions and kaons
interact ~20% less often at these momenta, so their rate is somewhat overestimated, an
approximation, stated). The circle of a charged hadron must reach the layer's radius
(p_T > 0.3 B r/2). One uniform number per hadron picks the layer (or none) from the survival
probabilities in the order the hadron crosses them.

The interaction is a quasi-free collision with one nucleon of the nucleus at rest (the impulse
approximation; Fermi motion and the nuclear remnant's soft evaporation nucleons are not
simulated), a proton or a neutron with equal probability (Z/A ≈ ½ for Be, C and Si):

- above the single-pion threshold, with probability ``nuclear_inelastic_fraction``, h N → h N′ π:
  three-body phase space in the hadron–nucleon CMS, the target's charge carried by (N′, π) as
  (p, π⁰) or (n, π⁺) on a proton, (n, π⁰) or (p, π⁻) on a neutron, equally likely;
- otherwise quasi-elastic scattering h N → h N: the hadron–nucleon CMS angle from the
  diffraction peak dσ/dt ∝ exp(b t), b = ``nuclear_elastic_slope``, the struck nucleon ejected.

The hadron keeps its species (the leading particle). The outgoing particles start at the
interaction point, inside the layer (as a conversion's pair: :data:`material.PAIR_START_CM`),
with the incoming hadron as their truth mother; they do not interact again. The incoming
hadron ends there: a displaced vertex of two or three tracks (a kink of the hadron and a
recoiling proton, or a neutral hadron's vertex), the material background of displaced-vertex
searches, which Belle II's analyses veto by the vertex's radius.

References: PDG, "Atomic and nuclear properties of materials" (λ_I and X₀ of Be, C,
polyethylene, Si, Au) and "Passage of particles through matter"; the πN elastic slope and the
elastic share of the πN cross section at p_lab = 1–5 GeV from the PDG's plots of πp cross
sections [RECALLED].
"""

from __future__ import annotations

import math

import numpy as np

from darkscan.detector.decays import next_index, numbered, per_id, photons_from_pi0, replaced
from darkscan.detector.material import ON_LAYER_CM, _directions, stopped_in_layers
from darkscan.detector.parameters import DetectorParameters
from darkscan.errors import ParameterError
from darkscan.generate.phase_space import decay_isotropic, rest_frame_p4
from darkscan.jit import jit
from darkscan.physics import lorentz
from darkscan.physics.constants import M_PI, mass
from darkscan.physics.lorentz import two_body_momentum

#: the hadrons that interact (|PDG id|)
HADRONS = np.array([211, 321, 2212, 2112, 130])
CHARGED = np.array([211, 321, 2212])
PROTON, NEUTRON, PI_PLUS, PI_ZERO = 2212, 2112, 211, 111
M_PROTON, M_NEUTRON, M_PI0 = mass(PROTON), mass(NEUTRON), mass(PI_ZERO)


@jit
def _interaction_layers(x, y, z, px, py, pz, charged, u, radii, lam, cot_lo, cot_hi, pt_per_cm,
                        p_min):  # pragma: no cover - compiled
    """Per hadron: the layer it interacts in (−1: none) and the path length to it. The layers
    (sorted by radius) are crossed outwards along the straight line, inside the vertex
    detector's polar acceptance, those the hadron starts beyond skipped; one starting on a
    layer's radius (within :data:`material.ON_LAYER_CM`) flying outwards crosses half of it,
    as :func:`material._layer_paths` has it. The hadron dies in the first layer where the
    survival exp(−Σ x/cos α) falls below its uniform number ``u`` (compared as −ln u)."""
    n = x.shape[0]
    layer = np.full(n, -1, dtype=np.int64)
    path = np.full(n, np.nan)
    for i in range(n):
        p = math.sqrt(px[i] * px[i] + py[i] * py[i] + pz[i] * pz[i])
        if p <= p_min:
            continue
        dx, dy, dz = px[i] / p, py[i] / p, pz[i] / p
        a = dx * dx + dy * dy
        if a <= 0.0:
            continue
        r = math.sqrt(x[i] * x[i] + y[i] * y[i])
        b = x[i] * dx + y[i] * dy
        p_t = p * math.sqrt(a)
        depth = -math.log(u[i])  # it dies where Σ x/cos α, its depth in λ_I, exceeds this
        crossed = 0.0
        for k in range(radii.shape[0]):
            radius = radii[k]
            if charged[i] and p_t <= pt_per_cm * radius:  # its circle stays inside
                break
            on = abs(r - radius) < ON_LAYER_CM
            c = 0.0 if on else x[i] * x[i] + y[i] * y[i] - radius * radius
            if c > 0.0:
                continue
            t = (-b + math.sqrt(b * b - a * c)) / a
            z_at = z[i] + t * dz
            if not (radius * cot_lo < z_at < radius * cot_hi):
                continue
            cos_a = abs(((x[i] + t * dx) * dx + (y[i] + t * dy) * dy) / radius)
            share = 0.5 if on and t == 0.0 else 1.0
            crossed += share * lam[k] / cos_a
            if crossed > depth:
                layer[i] = k
                path[i] = t
                break
    return layer, path


def interaction_layer(part: dict[str, np.ndarray], rows: np.ndarray, rng: np.random.Generator,
                      params: DetectorParameters) -> tuple[np.ndarray, np.ndarray]:
    """For the hadrons ``rows``: the index of the layer they interact in (−1: none) and the
    path length to it along their direction (one uniform number per hadron)."""
    u = rng.random(len(rows))
    radii = np.asarray(params.material_radii, dtype=float)
    if np.any(np.diff(radii) <= 0):
        raise ParameterError("detector parameter material_radii must increase: the layers are "
                             "crossed in that order")
    if len(params.material_lambda) != len(radii):
        raise ParameterError(f"detector parameter material_lambda has "
                             f"{len(params.material_lambda)} layers, material_radii {len(radii)}: "
                             "give each layer its thickness in interaction lengths")
    f = np.ascontiguousarray
    return _interaction_layers(
        f(part["x"][rows], float), f(part["y"][rows], float), f(part["z"][rows], float),
        f(part["px"][rows], float), f(part["py"][rows], float), f(part["pz"][rows], float),
        np.isin(np.abs(part["pdg"][rows]), CHARGED), u, radii,
        np.asarray(params.material_lambda, dtype=float),
        1.0 / math.tan(math.radians(params.vxd_theta_max)),
        1.0 / math.tan(math.radians(params.vxd_theta_min)),
        0.3 * params.b_field / 200.0, float(params.nuclear_min_momentum))


def _frame(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors orthogonal to the unit directions ``d`` (n, 3) and to each other."""
    helper = np.where(np.abs(d[:, 2:3]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]])
    e1 = np.cross(d, helper)
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    return e1, np.cross(d, e1)


def _in_cms(q: np.ndarray, cos_t: np.ndarray, phi: np.ndarray, d: np.ndarray,
            e1: np.ndarray, e2: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Four-momenta (n, 4) of momentum q at polar angle θ (cos_t) and azimuth φ about ``d``."""
    sin_t = np.sqrt(np.maximum(1.0 - cos_t * cos_t, 0.0))
    p3 = q[:, None] * (cos_t[:, None] * d + sin_t[:, None] * (np.cos(phi)[:, None] * e1
                                                               + np.sin(phi)[:, None] * e2))
    return np.concatenate([p3, np.sqrt(q * q + m * m)[:, None]], axis=1)


def _elastic(sqrt_s: np.ndarray, m_h: np.ndarray, m_n: np.ndarray, d: np.ndarray,
             rng: np.random.Generator, slope: float) -> tuple[np.ndarray, np.ndarray]:
    """h N → h N in the CMS (the hadron's direction ``d``): t = −2q²(1 − cos θ*) from
    exp(b t) on [−4q², 0]."""
    q = two_body_momentum(sqrt_s, m_h, m_n)
    t_max = 4.0 * q * q
    t = -np.log1p(-rng.random(len(q)) * -np.expm1(-slope * t_max)) / slope  # |t|
    cos_t = np.clip(1.0 - t / (2.0 * q * q), -1.0, 1.0)
    e1, e2 = _frame(d)
    phi = 2.0 * np.pi * rng.random(len(q))
    h = _in_cms(q, cos_t, phi, d, e1, e2, m_h)
    nucleon = h.copy()
    nucleon[:, :3] *= -1.0
    nucleon[:, 3] = np.sqrt(q * q + m_n * m_n)
    return h, nucleon


def _three_body(sqrt_s: np.ndarray, m1: np.ndarray, m2: np.ndarray, m3: np.ndarray,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat three-body phase space in the CMS: m₂₃ by accept–reject on its density
    ∝ q(√s; m₁, m₂₃) q(m₂₃; m₂, m₃) (dΦ₃ ∝ q₁ q₂₃/m₂₃ dm²₂₃ = 2 q₁ q₂₃ dm₂₃), then two
    isotropic two-body splittings."""
    lo, hi = m2 + m3, sqrt_s - m1
    grid = np.linspace(0.0, 1.0, 65)[None, :]
    m_grid = lo[:, None] + grid * (hi - lo)[:, None]
    density = (two_body_momentum(sqrt_s[:, None], m1[:, None], m_grid)
               * two_body_momentum(m_grid, m2[:, None], m3[:, None]))
    bound = 1.05 * density.max(axis=1) + 1e-300
    m23 = np.empty(len(sqrt_s))
    todo = np.arange(len(sqrt_s))
    while todo.size:
        trial = lo[todo] + rng.random(todo.size) * (hi[todo] - lo[todo])
        f = (two_body_momentum(sqrt_s[todo], m1[todo], trial)
             * two_body_momentum(trial, m2[todo], m3[todo]))
        ok = rng.random(todo.size) * bound[todo] < f
        m23[todo[ok]] = trial[ok]
        todo = todo[~ok]
    n = len(sqrt_s)
    p1, pair = decay_isotropic(rest_frame_p4(n, sqrt_s), m1, m23, rng.random(n), rng.random(n))
    p2, p3 = decay_isotropic(pair, m2, m3, rng.random(n), rng.random(n))
    return p1, p2, p3


def interact_hadrons(part: dict[str, np.ndarray], counts: np.ndarray, rng: np.random.Generator,
                     params: DetectorParameters) -> dict[str, np.ndarray]:
    """Replace the hadrons that interact in the material by the products of their collision
    (module docstring; columns :data:`darkscan.detector.decays.COLUMNS`, event-ordered; ``counts``
    the generator's particles per event); the input itself when none does."""
    hit, t = stopped_in_layers(part, np.nonzero(np.isin(np.abs(part["pdg"]), HADRONS))[0], rng,
                               params, interaction_layer)
    if len(hit) == 0:
        return part
    n = len(hit)
    d, p_mag = _directions(part, hit)
    pdg = part["pdg"][hit]
    m_h = per_id(mass, pdg)
    on_proton = rng.random(n) < 0.5
    m_target = np.where(on_proton, M_PROTON, M_NEUTRON)
    e_h = np.sqrt(p_mag * p_mag + m_h * m_h)
    total = np.concatenate([p_mag[:, None] * d, (e_h + m_target)[:, None]], axis=1)
    sqrt_s = np.sqrt(np.maximum(lorentz.mass2(total), 0.0))
    # the target's charge carried by (N′, π): on p (p, π⁰) or (n, π⁺), on n (n, π⁰) or (p, π⁻)
    neutral_pion = rng.random(n) < 0.5
    nucleon_out = np.where(on_proton == neutral_pion, PROTON, NEUTRON)
    pion_out = np.where(neutral_pion, PI_ZERO, np.where(on_proton, PI_PLUS, -PI_PLUS))
    m_nucleon = np.where(nucleon_out == PROTON, M_PROTON, M_NEUTRON)
    m_pion = np.where(neutral_pion, M_PI0, M_PI)
    inelastic = ((sqrt_s > m_h + m_nucleon + m_pion + 1e-6)
                 & (rng.random(n) < params.nuclear_inelastic_fraction))
    h = np.empty((n, 4))
    nucleon = np.empty((n, 4))
    pion = np.zeros((n, 4))
    el = ~inelastic
    h[el], nucleon[el] = _elastic(sqrt_s[el], m_h[el], m_target[el], d[el], rng,
                                  params.nuclear_elastic_slope)
    if inelastic.any():
        h[inelastic], nucleon[inelastic], pion[inelastic] = _three_body(
            sqrt_s[inelastic], m_h[inelastic], m_nucleon[inelastic], m_pion[inelastic], rng)
    beta = (total[:, :3] / total[:, 3:4])[:, None, :]
    lab = lorentz.boost(np.stack([h, nucleon, pion], axis=1), beta)
    nucleon_pdg = np.where(inelastic, nucleon_out, np.where(on_proton, PROTON, NEUTRON))
    k = np.concatenate([np.arange(n), np.arange(n), np.nonzero(inelastic)[0]])
    momenta = np.concatenate([lab[:, 0], lab[:, 1], lab[inelastic, 2]])
    out = {"x": (part["x"][hit] + t * d[:, 0])[k], "y": (part["y"][hit] + t * d[:, 1])[k],
           "z": (part["z"][hit] + t * d[:, 2])[k],
           "px": momenta[:, 0], "py": momenta[:, 1], "pz": momenta[:, 2], "E": momenta[:, 3],
           "pdg": np.concatenate([pdg, nucleon_pdg, pion_out[inelastic]]).astype(np.int64),
           "ev": part["ev"][hit][k], "mother": part["local"][hit][k].astype(np.int64),
           "mother_pdg": pdg[k]}
    # truth indices after the event's particles: the products, then the π⁰s' photons
    start = next_index(part, counts)
    out = numbered(out, start)
    out = photons_from_pi0(out, start + np.bincount(out["ev"], minlength=len(start)), rng)
    return replaced(part, hit, out)
