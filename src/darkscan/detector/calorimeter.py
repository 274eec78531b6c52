"""ECL clusters and KLM hits.

ECL: photons, electrons (and undecayed π⁰) shower with their full energy; muons leave a
MIP-like deposit (~0.2 GeV, documented approximation); charged hadrons shower with probability
``ecl_hadron_shower_prob`` (deposit a uniform 30–90% of their kinetic energy; a charged pion
whose first interaction is a charge exchange, ``ecl_pion_charge_exchange_prob`` of those, gives
its energy to a leading π⁰ and showers like an electron: the source of π → e fakes) and otherwise
leave a MIP; K_L and neutrons deposit part of their energy with the same probability. Nothing is
recorded in the gaps or outside 12.4°–155.1°, and an electromagnetic shower near a region's edge
loses what of its lateral profile (90% within the Molière radius) falls beyond it
(:func:`contained`: ~8% at 0.7° from the barrel's backward edge, half at the edge); hadronic
showers are not given edges. Neutral particles are followed on a straight line
from their production point to the ECL surface; charged ones along their helix to where it
meets the barrel's cylinder or an endcap's face (:func:`darkscan.detector.helix.ecl_entry_one`),
the barrel only when the circle reaches its radius. Showers whose crystals touch make one
cluster (:func:`merge_close_clusters`), a photon's joining a charged particle's.

KLM: muons above ``klm_muon_p_min`` inside the KLM acceptance penetrate a number of layers that
grows with momentum (with range straggling); pions that decay to μν before the KLM (their kink
stays inside one track) and kaons that decay between the CDC and the KLM fire it as that muon;
other hadrons above the same momentum reach it with ``klm_hadron_prob`` and shower in its iron
or, not interacting, range out as a muon would (:func:`hadron_layers`); photons lost in an ECL
gap (or hitting no ECL crystal inside the KLM acceptance) leave a KLM hit with
``klm_photon_eff``.
"""

from __future__ import annotations

import math

import numpy as np
from particle import Particle
from scipy.special import gammainc, gammaincinv

from darkscan.detector.geometry import (
    ECL_BARREL,
    ECL_FWD,
    crystal_cell,
    ecl_bounds,
    ecl_crystal_rings,
    impact_direction,
    klm_accepts,
    region_of,
)
from darkscan.detector.helix import ecl_entry_one, wrap_one
from darkscan.detector.parameters import DetectorParameters
from darkscan.detector.resolution import e_rel, ecl_angle
from darkscan.jit import inline, jit

SHOWERING = (22, 11, 111)
HADRONS = (211, 321, 2212)
NEUTRAL_HADRONS = (130, 2112)
#: ECL response classes
NONE, SHOWER, MIP, HADRON, NEUTRAL_HADRON = 0, 1, 2, 3, 4


@inline
def response(apdg):  # pragma: no cover - compiled
    """ECL response class of a species (|PDG id|)."""
    if apdg in SHOWERING:
        return SHOWER
    if apdg == 13:
        return MIP
    if apdg in HADRONS:
        return HADRON
    if apdg in NEUTRAL_HADRONS:
        return NEUTRAL_HADRON
    return NONE


#: points of the midpoint rule over the azimuth in :func:`beyond_edge`
_EDGE_POINTS = 24


@inline
def beyond_edge(d, radius):  # pragma: no cover - compiled
    """Fraction of an electromagnetic shower's energy beyond a straight edge at a perpendicular
    distance ``d`` from its axis (d < 0: the axis beyond the edge). Lateral profile: the energy
    within r of the axis is 1 − exp(−r/λ), λ = R_M/ln 10 (90% within ``radius`` = R_M), so
    along azimuth φ the edge is crossed at r = d/cos φ and the fraction beyond it is
    (1/π)∫₀^{π/2} exp(−d/(λ cos φ)) dφ (½ at d = 0), and 1 minus that of |d| for d < 0 (no
    recursion: an inlined helper cannot call itself)."""
    lam = radius / math.log(10.0)
    total = 0.0
    for j in range(_EDGE_POINTS):
        cos_phi = math.cos((j + 0.5) * (0.5 * math.pi / _EDGE_POINTS))
        total += math.exp(-abs(d) / (lam * cos_phi))
    beyond = total / (2.0 * _EDGE_POINTS)
    return 1.0 - beyond if d < 0.0 else beyond


@inline
def contained(theta, region, bounds, surface, radius):  # pragma: no cover - compiled
    """Fraction of a shower of polar angle ``theta`` (rad) that its ECL region keeps: what
    crosses either polar edge of the region (into a gap or beyond the acceptance) is lost. The
    distance to an edge is the flight path to the ECL's front face times the angle to it."""
    if region == 0:
        return 0.0
    r_barrel, z_fwd, z_bwd = surface
    if region == ECL_BARREL:
        path = r_barrel / max(math.sin(theta), 1e-6)
    else:  # an endcap's face: z and cos θ have the same sign
        path = (z_fwd if region == ECL_FWD else z_bwd) / math.cos(theta)
    lo = math.radians(bounds[2 * (region - 1)])
    hi = math.radians(bounds[2 * (region - 1) + 1])
    return 1.0 - beyond_edge(path * (theta - lo), radius) - beyond_edge(path * (hi - theta),
                                                                        radius)


@inline
def _entry_one(x, y, z, px, py, pz, charge, b_field, r_barrel, z_fwd, z_bwd
               ):  # pragma: no cover - compiled
    """(θ, φ) seen from the IP where a particle meets the ECL's inner surface: a charged one
    along its helix, a neutral one on a straight line."""
    if charge != 0:
        return ecl_entry_one(x, y, z, px, py, pz, 1.0 if charge > 0 else -1.0, b_field,
                             r_barrel, z_fwd, z_bwd)
    return impact_direction(x, y, z, px, py, pz, r_barrel, z_fwd, z_bwd)


@jit
def _deposits(rng, pdg, charge, x, y, z, px, py, pz, e, mass, r_max, theta_p, bounds, surface,
              b_field, mip, shower_prob, charge_exchange_prob, moliere
              ):  # pragma: no cover - compiled
    """Deposit, ECL polar angle and azimuth of the impact (seen from the IP) and region per
    particle (NaN, NaN, 0 for particles without an ECL response). Random numbers come from
    ``rng`` in particle order, only for the particles that use them: one normal per MIP or
    hadron, two uniforms per (neutral) hadron and a third per charged hadron; ``mip`` = (mean,
    σ) of the MIP deposit."""
    n = pdg.shape[0]
    dep = np.zeros(n)
    theta = np.full(n, np.nan)
    phi = np.full(n, np.nan)
    region = np.zeros(n, dtype=np.int8)
    r_barrel, z_fwd, z_bwd = surface
    for i in range(n):
        kind = response(abs(pdg[i]))
        if kind == NONE:
            continue
        reaches = True
        if charge[i] != 0:
            # a helix whose momentum points to the barrel reaches it only when its circle does
            # (curlers do not); the impact is where the helix meets the ECL's surface
            reaches = region_of(theta_p[i], bounds) != ECL_BARREL or r_max[i] >= r_barrel
        theta[i], phi[i] = _entry_one(x[i], y[i], z[i], px[i], py[i], pz[i], charge[i], b_field,
                                      r_barrel, z_fwd, z_bwd)
        region[i] = region_of(theta[i], bounds) if reaches else 0
        # draws first, whether or not the particle reaches the ECL: the stream then depends
        # only on the species list, not on the geometry
        mip_e = mip[0] + mip[1] * rng.standard_normal() if kind == MIP or kind == HADRON else 0.0
        showers, frac, exchange = False, 0.0, False
        if kind == HADRON or kind == NEUTRAL_HADRON:
            showers = rng.random() < shower_prob
            frac = rng.uniform(0.3, 0.9)
        if kind == HADRON:
            exchange = rng.random() < charge_exchange_prob and abs(pdg[i]) == 211
        if region[i] == 0:
            continue
        ekin = e[i] - (0.0 if np.isnan(mass[i]) else mass[i])
        d = 0.0
        if kind == SHOWER or (showers and exchange):  # less what leaks over a region's edge
            d = e[i] * contained(theta[i], region[i], bounds, surface, moliere)
        elif kind == MIP or (kind == HADRON and not showers):
            d = min(mip_e, ekin)
        elif showers:
            d = frac * ekin
        dep[i] = max(d, 0.0)
    return dep, theta, phi, region


def ecl_deposits(rng: np.random.Generator, pdg: np.ndarray, charge: np.ndarray,
                 x: np.ndarray, y: np.ndarray, z: np.ndarray, px: np.ndarray, py: np.ndarray,
                 pz: np.ndarray, e: np.ndarray, mass: np.ndarray, r_max: np.ndarray,
                 params: DetectorParameters, theta_p: np.ndarray | None = None
                 ) -> dict[str, np.ndarray]:
    """True deposited energy and the impact's polar angle and azimuth per particle (0 where
    nothing; the impact NaN without an ECL response); ``theta_p``: the momentum polar angles
    when already known."""
    f = np.ascontiguousarray
    if theta_p is None:
        theta_p = np.arctan2(np.hypot(px, py), pz)
    dep, theta, phi, region = _deposits(
        rng, f(pdg, np.int64), f(charge, float), f(x, float), f(y, float), f(z, float),
        f(px, float), f(py, float), f(pz, float), f(e, float), f(mass, float),
        f(r_max, float), f(theta_p, float), ecl_bounds(params),
        (float(params.ecl_r_barrel), float(params.ecl_z_fwd), float(params.ecl_z_bwd)),
        float(params.b_field), (float(params.ecl_mip_energy), float(params.ecl_mip_sigma)),
        float(params.ecl_hadron_shower_prob), float(params.ecl_pion_charge_exchange_prob),
        float(params.ecl_moliere_radius))
    return {"deposit": dep, "theta": theta, "phi": phi, "region": region}


@jit
def _entry_points(x, y, z, px, py, pz, q, b_field, r_barrel, z_fwd, z_bwd
                  ):  # pragma: no cover - compiled
    n = x.shape[0]
    theta, phi = np.empty(n), np.empty(n)
    for i in range(n):
        theta[i], phi[i] = _entry_one(x[i], y[i], z[i], px[i], py[i], pz[i], q[i], b_field,
                                      r_barrel, z_fwd, z_bwd)
    return theta, phi


def ecl_entry_points(x: np.ndarray, y: np.ndarray, z: np.ndarray, px: np.ndarray,
                     py: np.ndarray, pz: np.ndarray, charge: np.ndarray,
                     params: DetectorParameters) -> np.ndarray:
    """Where particles (production point, momentum, charge) meet the ECL's inner surface, as
    points (n, 3) in cm: charged ones along their helix, neutral ones on a straight line (as
    their clusters are placed); NaN for a charged one that meets neither surface."""
    f = np.ascontiguousarray
    theta, phi = _entry_points(f(x, float), f(y, float), f(z, float), f(px, float),
                               f(py, float), f(pz, float), f(charge, float),
                               float(params.b_field), float(params.ecl_r_barrel),
                               float(params.ecl_z_fwd), float(params.ecl_z_bwd))
    st, ct = np.sin(theta), np.cos(theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        face = np.where(ct >= 0, params.ecl_z_fwd, -params.ecl_z_bwd) / np.abs(ct)
        dist = np.minimum(params.ecl_r_barrel / st, face)
    return np.stack([dist * st * np.cos(phi), dist * st * np.sin(phi), dist * ct], axis=-1)


#: pair-production mean free path of a high-energy photon, in radiation lengths (PDG: 9/7 X0)
CONVERSION_LENGTH = 9.0 / 7.0


def shower_containment(energy: np.ndarray, start: np.ndarray, params: DetectorParameters
                       ) -> np.ndarray:
    """Fraction of an electromagnetic shower of ``energy`` (GeV) that starts at depth ``start``
    (X0) and stays in the crystal: the longitudinal profile Γ(a, bt) integrated to the
    crystal's end, relative to a shower that starts at its face."""
    a, depth = _profile_a(energy, params), params.ecl_depth_x0
    rest = params.ecl_profile_b * np.clip(depth - start, 0.0, None)
    return gammainc(a, rest) / gammainc(a, params.ecl_profile_b * depth)


def _profile_a(energy: np.ndarray, params: DetectorParameters) -> np.ndarray:
    t_max = np.log(np.maximum(energy, 1e-6) / params.ecl_critical_energy) - 0.5
    return 1.0 + params.ecl_profile_b * np.maximum(t_max, 0.0)


def deep_conversion_depth(energy: np.ndarray, params: DetectorParameters) -> np.ndarray:
    """The depth (X0) beyond which a photon's shower keeps less than ``ecl_deep_conversion``
    of its energy in the crystal (:func:`shower_containment` inverted)."""
    a, b, depth = _profile_a(energy, params), params.ecl_profile_b, params.ecl_depth_x0
    rest = gammaincinv(a, params.ecl_deep_conversion * gammainc(a, b * depth))
    return depth - rest / b


def deep_conversions(rng: np.random.Generator, pdg: np.ndarray, energy: np.ndarray,
                     deposit: np.ndarray, event: np.ndarray, n_events: int,
                     params: DetectorParameters
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rear leakage of photons that convert deep in their crystal: each photon with a deposit
    converts at a depth drawn from the attenuation exp(−t/λ), λ = 9/7 X0; beyond the depth
    where its shower keeps less than ``ecl_deep_conversion`` of its energy it deposits only
    what stays (nothing when it crosses the crystal unconverted, exp(−7·16.1/9) = 3.6×10⁻⁶).
    A 1–5 GeV photon leaves less than 0.4 GeV with probability 1.2×10⁻⁴–3.6×10⁻⁵: the
    lost hard photon of radiative backgrounds. With ``ecl_force_deep_conversion`` > 0, in each
    event one of the k photons above that energy (chosen at random) converts deep and the
    event is weighted by k times the probability of that: unbiased for events that pass by
    losing one photon (those needing two lost, ∝ P², are left out). One exponential per
    photon with a deposit (and, when forcing, one uniform per photon above the energy).
    Returns the deposits, the events' weights and which particles leaked (their shower's rest
    reaches the KLM behind the crystal, as a photon lost in a gap does)."""
    out = np.array(deposit, dtype=float, copy=True)
    weight = np.ones(n_events)
    leaked = np.zeros(len(out), dtype=bool)
    photon = np.flatnonzero((np.abs(pdg) == 22) & (deposit > 0.0))
    if photon.size == 0 or params.ecl_deep_conversion <= 0.0:  # 0: the Gaussian response only
        return out, weight, leaked
    e = np.asarray(energy, dtype=float)[photon]
    start = rng.exponential(CONVERSION_LENGTH, photon.size)
    # the depth falls with the energy: only photons beyond the hardest one's (~10⁻³ of them,
    # and those that may be forced) need their own
    deep_from = np.full(photon.size, deep_conversion_depth(np.array([e.max()]), params)[0])
    need = (start > deep_from) | (e > params.ecl_force_deep_conversion
                                  if params.ecl_force_deep_conversion > 0 else False)
    deep_from[need] = deep_conversion_depth(e[need], params)
    forced = np.zeros(photon.size, dtype=bool)
    if params.ecl_force_deep_conversion > 0:
        eligible = np.flatnonzero(e > params.ecl_force_deep_conversion)
        ev = event[photon[eligible]]
        order = np.lexsort((rng.random(eligible.size), ev))  # a random one per event: the last
        last = np.append(ev[order][1:] != ev[order][:-1], True) if eligible.size else order
        chosen = eligible[order[last]]
        forced[chosen] = True
        k = np.bincount(ev, minlength=n_events)
        weight[event[photon[chosen]]] *= (k[event[photon[chosen]]]
                                          * np.exp(-deep_from[chosen] / CONVERSION_LENGTH))
    start = np.where(forced, deep_from + start, start)
    deep = start > deep_from
    out[photon[deep]] *= shower_containment(e[deep], start[deep], params)
    leaked[photon[deep]] = True
    return out, weight, leaked


@jit
def _clusters(rng, deposit, theta, phi, bounds, res, threshold):  # pragma: no cover - compiled
    """Smeared cluster energy and angles of the particles with a deposit (three normals from
    ``rng`` for each of them, in order); ``res`` = (σE a, b, c, σangle a, b)."""
    n = deposit.shape[0]
    e_out = np.zeros(n)
    th_out = theta.copy()
    ph_out = phi.copy()
    region = np.zeros(n, dtype=np.int8)
    keep = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        dep = deposit[i]
        if not dep > 0.0:
            continue
        e_out[i] = dep * (1.0 + e_rel(dep, res[0], res[1], res[2]) * rng.standard_normal())
        s_ang = ecl_angle(max(dep, 1e-3), res[3], res[4])
        th_out[i] = min(max(theta[i] + s_ang * rng.standard_normal(), 1e-4), np.pi - 1e-4)
        ph = phi[i] + s_ang * rng.standard_normal() / max(np.sin(theta[i]), 1e-3)
        ph_out[i] = wrap_one(ph)
        region[i] = region_of(th_out[i], bounds)
        keep[i] = e_out[i] > threshold and region[i] > 0
    return e_out, th_out, ph_out, region, keep


def make_clusters(rng: np.random.Generator, deposit: np.ndarray, theta: np.ndarray,
                  phi: np.ndarray, params: DetectorParameters) -> dict[str, np.ndarray]:
    """Smear deposits into clusters; ``keep`` marks those above threshold inside acceptance
    (entries without a deposit keep E = 0 and their true angles)."""
    deposit = np.ascontiguousarray(deposit, dtype=float)
    res = (params.sigma_e_a, params.sigma_e_b, params.sigma_e_c, params.sigma_ecl_angle_a,
           params.sigma_ecl_angle_b)
    f = np.ascontiguousarray
    e, th, ph, region, keep = _clusters(rng, deposit, f(theta, float), f(phi, float),
                                        ecl_bounds(params), res,
                                        float(params.ecl_cluster_threshold))
    return {"E": e, "theta": th, "phi": ph, "region": region, "keep": keep}


@inline
def _front_point(theta, phi, region, r_barrel, z_fwd, z_bwd):  # pragma: no cover - compiled
    """Where the direction (θ, φ) from the IP meets the ECL front surface (cm)."""
    st, ct = np.sin(theta), np.cos(theta)
    if region == ECL_BARREL:
        dist = r_barrel / max(st, 1e-9)
    elif ct > 0:
        dist = z_fwd / ct
    else:
        dist = z_bwd / min(ct, -1e-9)
    return dist * st * np.cos(phi), dist * st * np.sin(phi), dist * ct


@inline
def _cells_touch(ki, ci, wi, kj, cj, wj):  # pragma: no cover - compiled
    """Two showers' crystals (ring, φ centre, φ width; one region) are the same or touch (one of
    the eight around the other): no crystal lies between them."""
    if abs(ki - kj) > 1:
        return False
    dphi = abs((ci - cj + np.pi) % (2.0 * np.pi) - np.pi)
    return dphi <= 0.5 * (wi + wj) * (1.0 + 1e-9)


@jit
def _merge_close(off, keep, tracked, e, theta, phi, region, rings, n_phi, r_barrel, z_fwd,
                 z_bwd, sub_e, sub_dist):  # pragma: no cover - compiled
    """Merge clusters whose crystals touch (in place): of two clusters without a track the less
    energetic one joins the other, one without a track joins one with a track (the cluster
    stays matched to the track, whose extrapolation meets it), two with tracks stay apart; the
    cluster moves to the pair's energy-weighted front-face position, and the largest shower
    merged into it is remembered (``sub_e``, its distance ``sub_dist`` in cm). Each cluster's
    crystal is found once (and again when a merge moves it), not once per pair."""
    n = e.shape[0]
    ring, centre, width = np.empty(n, dtype=np.int64), np.empty(n), np.empty(n)
    for i in range(n):
        if keep[i]:  # the others have no crystal (outside the ECL)
            ring[i], centre[i], width[i] = crystal_cell(theta[i], phi[i], region[i], rings,
                                                        n_phi, r_barrel, z_fwd, z_bwd)
    for k in range(off.shape[0] - 1):
        for i in range(off[k], off[k + 1]):
            if not keep[i]:
                continue
            for j in range(i + 1, off[k + 1]):
                if not keep[j] or (tracked[i] and tracked[j]) or region[i] != region[j]:
                    continue
                if not _cells_touch(ring[i], centre[i], width[i], ring[j], centre[j],
                                    width[j]):
                    continue
                xi, yi, zi = _front_point(theta[i], phi[i], region[i], r_barrel, z_fwd, z_bwd)
                xj, yj, zj = _front_point(theta[j], phi[j], region[j], r_barrel, z_fwd, z_bwd)
                if tracked[i] or tracked[j]:
                    hi, lo = (i, j) if tracked[i] else (j, i)
                else:
                    hi, lo = (i, j) if e[i] >= e[j] else (j, i)
                if e[lo] > sub_e[hi]:
                    sub_e[hi] = e[lo]
                    sub_dist[hi] = math.sqrt((xi - xj) ** 2 + (yi - yj) ** 2 + (zi - zj) ** 2)
                total = e[i] + e[j]
                x = (e[i] * xi + e[j] * xj) / total
                y = (e[i] * yi + e[j] * yj) / total
                z = (e[i] * zi + e[j] * zj) / total
                theta[hi] = np.arctan2(np.sqrt(x * x + y * y), z)
                phi[hi] = np.arctan2(y, x)
                ring[hi], centre[hi], width[hi] = crystal_cell(theta[hi], phi[hi], region[hi],
                                                               rings, n_phi, r_barrel, z_fwd,
                                                               z_bwd)
                e[hi] = total
                keep[lo] = False
                if lo == i:
                    break


def merge_close_clusters(cl: dict[str, np.ndarray], event: np.ndarray, tracked: np.ndarray,
                         n_events: int, params: DetectorParameters) -> dict[str, np.ndarray]:
    """Two showers whose crystals touch make one cluster: the clustering splits a connected
    region into showers at its local maxima, crystals above all eight neighbours [RECALLED:
    basf2 ECL splitter], so two maxima need a crystal between them (centres ≳ 1.5–2 crystal
    faces apart, ≈ 8–11 cm, depending on where the showers fall on the grid). The photons of a
    fast π⁰ or of a light boosted ALP → γγ merge; a photon whose shower touches the cluster of a
    particle with a found track (where its helix meets the ECL: a radiated photon flies straight
    on while the track bends away, 0.28 GeV/p_T rad in 1.5 T over the barrel's radius) joins
    that cluster, which stays matched to the track: the photon is not seen as a photon, and the
    track's E/p grows. Two tracks' clusters are not merged (each is matched to its own track); a
    charged particle without a track (outside the CDC, a curler) makes a cluster like a neutral
    one. ``tracked``: per particle, whether it has a track. ``cl`` is changed in place and
    returned, with ``sub_e`` and ``sub_dist``: the energy of the largest shower merged into each
    cluster and its distance (cm) from the cluster's own shower (0 where none), for the
    cluster's shape (:mod:`darkscan.detector.showers`)."""
    off = np.zeros(n_events + 1, dtype=np.int64)
    np.cumsum(np.bincount(event, minlength=n_events), out=off[1:])
    rings, n_phi = ecl_crystal_rings(params)
    cl["sub_e"], cl["sub_dist"] = np.zeros(len(cl["E"])), np.zeros(len(cl["E"]))
    _merge_close(off, cl["keep"], np.ascontiguousarray(tracked, dtype=np.bool_), cl["E"],
                 cl["theta"], cl["phi"], cl["region"], rings, n_phi,
                 float(params.ecl_r_barrel), float(params.ecl_z_fwd), float(params.ecl_z_bwd),
                 cl["sub_e"], cl["sub_dist"])
    return cl


#: B(π⁺ → μ⁺ν) and B(K⁺ → μ⁺ν) [PDG 2024]
BF_PI_MUNU, BF_K_MUNU = 0.99988, 0.6356


def klm_constants(params: DetectorParameters) -> np.ndarray:
    """The KLM numbers as one flat array for the kernels (order as read below and in
    :mod:`darkscan.detector.pid`)."""
    def mass_ctau(pdg: int) -> tuple[float, float]:
        p = Particle.from_pdgid(pdg)
        return float(p.mass) / 1000.0, float(p.ctau) / 10.0

    (m_pi, ctau_pi), (m_k, ctau_k) = mass_ctau(211), mass_ctau(321)
    m_mu = float(Particle.from_pdgid(13).mass) / 1000.0
    return np.array([
        params.klm_theta[0], params.klm_theta[1], params.klm_muon_p_min,             # 0-2
        params.klm_gev_per_layer, params.klm_n_layers, params.klm_muon_eff,         # 3-5
        params.klm_hadron_prob, params.klm_photon_eff, params.klm_photon_e_min,     # 6-8
        params.klm_range_straggling, params.cdc_r_outer, params.klm_r_inner,        # 9-11
        ctau_pi, ctau_k, BF_PI_MUNU, BF_K_MUNU, m_pi, m_k, m_mu,                    # 12-18
        params.klm_hadron_survival, params.klm_hadron_charged_leading,             # 19-20
    ], dtype=float)


@inline
def free_range(p, k):  # pragma: no cover - compiled
    """Layers a minimum-ionising particle of momentum p would cross in an unbounded KLM,
    continuous (0 below threshold); ``k`` from :func:`klm_constants`."""
    if p <= k[2]:
        return 0.0
    return 1.0 + (p - k[2]) / k[3]


@inline
def muon_range(p, k):  # pragma: no cover - compiled
    """Expected KLM range of a muon of momentum p in layers, continuous (0 below threshold),
    at most the KLM's depth."""
    return min(free_range(p, k), k[4])


@inline
def hadron_reach(free, k):  # pragma: no cover - compiled
    """The deepest layer a hadron of free range ``free`` can fire: its punch-through layer."""
    return max(min(math.floor(free), k[4]), 1.0)


@inline
def range_sigma(expected, k):  # pragma: no cover - compiled
    """Spread of the fired-layer count of a muon: straggling ⊕ half a layer."""
    return math.sqrt((k[9] * expected) ** 2 + 0.25)


@inline
def decay_to_muon(apdg, p, theta, k):  # pragma: no cover - compiled
    """(probability, lowest momentum fraction of the muon) that a π± or K± decays to μν before
    the KLM and the KLM sees that muon on the track's extrapolation; (0, 1) for other species.
    A pion's kink is at most 0.28/γ_π (β* = 0.27 in its rest frame: 39 mrad at 1 GeV), so the
    tracking keeps a pion that decays inside the tracker as one track (Belle II's standard
    tracking finds 11% of kinks as such, arXiv:2511.14171) and its muon fires the KLM: the decay
    region starts at the production point. A kaon's muon (β* = 0.91) leaves at any angle: only
    its decays between the CDC's outer wall and the KLM count. Path r/sin θ; the muon's energy
    fraction is uniform in [m_μ²/m², 1] (two-body decay of a fast parent)."""
    if apdg == 211:
        m, ctau, bf, r_start = k[16], k[12], k[14], 0.0
    elif apdg == 321:
        m, ctau, bf, r_start = k[17], k[13], k[15], k[10]
    else:
        return 0.0, 1.0
    decay_length = p / m * ctau
    st = max(math.sin(theta), 1e-3)
    prob = bf * (math.exp(-r_start / st / decay_length) - math.exp(-k[11] / st / decay_length))
    return max(prob, 0.0), (k[18] / m) ** 2


@inline
def shower_travel_probability(j, span, last, k):  # pragma: no cover - compiled
    """P that a hadron shower which starts in layer L fires ``j`` layers beyond L (at least
    ``j`` if ``last``: the KLM's last layer), with ``span`` = (free range) − L the layers a
    minimum-ionising particle of the hadron's momentum could still cross. With probability
    ``klm_hadron_charged_leading`` the leading secondary is charged: it takes a fraction f
    (uniform) of the momentum and ranges out after ⌊f·span⌋ layers, unless it interacts first
    (the same survival per layer); otherwise (π⁰, neutrons) the shower ends in L."""
    neutral = 1.0 if j == 0 else 0.0
    if span <= 0.0:
        return neutral
    if j < 0 or j > math.floor(span):
        return 0.0
    s = k[19]
    if last:
        charged = s ** j * (1.0 - j / span)                # ⌊f·span⌋ ≥ j and no interaction
    else:
        at = (min(j + 1.0, span) - j) / span               # P(⌊f·span⌋ = j)
        beyond = max(span - (j + 1.0), 0.0) / span         # P(⌊f·span⌋ > j)
        charged = s ** j * (at + beyond * (1.0 - s))
    return k[20] * charged + (1.0 - k[20]) * neutral


@inline
def straggled_range(rng, expected, k):  # pragma: no cover - compiled
    """Layers fired by a particle that ranges out like a muon of expected range ``expected``:
    the range straggled (one normal) and rounded, clipped to 1 … n_layers."""
    fired = math.floor(expected + range_sigma(expected, k) * rng.standard_normal() + 0.5)
    return min(max(fired, 1.0), k[4])


@inline
def hadron_layers(rng, p, k):  # pragma: no cover - compiled
    """Layers fired by a hadron that reaches the KLM: it interacts in layer L (geometric with
    the per-layer survival) and its shower reaches further (:func:`shower_travel_probability`),
    or it crosses every layer before its punch-through layer without interacting and then
    ranges out as a muon of its momentum would, with the same straggling (a hadron that does
    not interact loses energy by ionisation only: a non-interacting π of 1 GeV fires 5, 6 or 7
    layers as a muon does, not always the same one)."""
    r = free_range(p, k)
    reach = hadron_reach(r, k)
    start = rng.geometric(1.0 - k[19])
    if start >= reach:
        return straggled_range(rng, muon_range(p, k), k)
    travel = 0.0
    if rng.random() < k[20]:
        ranged = math.floor(rng.random() * (r - start))
        survived = rng.geometric(1.0 - k[19]) - 1.0
        travel = max(min(ranged, survived), 0.0)
    return min(start + travel, reach)


@jit
def _klm(rng, pdg, p, e, theta, ecl_region_code, k):  # pragma: no cover - compiled
    """KLM layers fired per particle. Muons above threshold inside the acceptance fire with the
    hit efficiency, a straggled range (one uniform, one normal); π± and K± first decay to a muon
    before the KLM or not (two uniforms), then fire as that muon or as a hadron
    (:func:`hadron_layers`); photons that fire get a geometric number of layers (p = 0.5)."""
    layers = np.zeros(pdg.shape[0], dtype=np.int16)
    n_max = k[4]
    for i in range(pdg.shape[0]):
        apdg = abs(pdg[i])
        if not (apdg == 13 or apdg == 22 or apdg in HADRONS or apdg in NEUTRAL_HADRONS):
            continue
        if not klm_accepts(theta[i], k[0], k[1]):
            continue
        p_mu = p[i]
        if apdg == 211 or apdg == 321:
            prob, lowest = decay_to_muon(apdg, p[i], theta[i], k)
            decays = rng.random() < prob
            frac = lowest + (1.0 - lowest) * rng.random()
            if decays:
                apdg, p_mu = 13, p[i] * frac
        if apdg == 13 and p_mu > k[2]:
            if rng.random() < k[5]:
                layers[i] = straggled_range(rng, muon_range(p_mu, k), k)
        elif apdg != 13 and apdg != 22 and p[i] > k[2]:
            if rng.random() < k[6]:
                layers[i] = hadron_layers(rng, p[i], k)
        elif apdg == 22 and ecl_region_code[i] == 0 and e[i] > k[8]:
            if rng.random() < k[7]:
                layers[i] = min(1 + rng.geometric(0.5), n_max)
    return layers


def klm_hits(rng: np.random.Generator, pdg: np.ndarray, p: np.ndarray, e: np.ndarray,
             theta: np.ndarray, ecl_region_code: np.ndarray, params: DetectorParameters
             ) -> dict[str, np.ndarray]:
    """Number of KLM layers fired per particle (0: no hit)."""
    f = np.ascontiguousarray
    return {"layers": _klm(rng, f(pdg, np.int64), f(p, float), f(e, float), f(theta, float),
                           f(ecl_region_code, np.int8), klm_constants(params))}
