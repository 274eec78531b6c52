"""ECL clusters and KLM hits.

ECL: photons, electrons (and undecayed π⁰) shower with their full energy; muons leave a
MIP-like deposit (~0.2 GeV, documented approximation); charged hadrons shower with probability
``ecl_hadron_shower_prob`` (deposit a uniform 30–90% of their energy) and otherwise leave a MIP;
K_L and neutrons deposit part of their energy with the same probability. Nothing is recorded in
the gaps or outside 12.4°–155.1°. Neutral particles are followed on a straight line from their
production point to the ECL surface; charged ones use their momentum polar angle (constant along
a helix) and reach the barrel only when the circle reaches its radius.

KLM: muons above ``klm_muon_p_min`` inside the KLM acceptance penetrate a number of layers that
grows with momentum; hadrons reach it with ``klm_hadron_prob``; photons lost in an ECL gap (or
hitting no ECL crystal inside the KLM acceptance) leave a KLM hit with ``klm_photon_eff``.
"""

from __future__ import annotations

import numpy as np

from darkscan.detector.geometry import ECL_BARREL, ecl_impact_theta, ecl_region, in_klm
from darkscan.detector.parameters import DetectorParameters
from darkscan.detector.resolution import sigma_e_over_e, sigma_ecl_angle

SHOWERING = (22, 11, 111)
HADRONS = (211, 321, 2212)
NEUTRAL_HADRONS = (130, 2112)


def ecl_deposits(rng: np.random.Generator, pdg: np.ndarray, charge: np.ndarray,
                 x: np.ndarray, y: np.ndarray, z: np.ndarray, px: np.ndarray, py: np.ndarray,
                 pz: np.ndarray, e: np.ndarray, mass: np.ndarray, r_max: np.ndarray,
                 params: DetectorParameters) -> dict[str, np.ndarray]:
    """True deposited energy and impact polar angle per particle (0 where nothing)."""
    apdg = np.abs(pdg)
    theta_p = np.arctan2(np.hypot(px, py), pz)
    theta_n = ecl_impact_theta(x, y, z, px, py, pz, params)
    theta = np.where(charge != 0, theta_p, theta_n)
    region = ecl_region(theta, params)
    reaches = (charge == 0) | (region != ECL_BARREL) | (r_max >= params.ecl_r_barrel)
    ekin = e - np.nan_to_num(mass, nan=0.0)
    dep = np.zeros(len(pdg))
    shower = np.isin(apdg, SHOWERING)
    dep[shower] = e[shower]
    mip = rng.normal(params.ecl_mip_energy, params.ecl_mip_sigma, len(pdg))
    u = rng.random(len(pdg))
    frac = rng.uniform(0.3, 0.9, len(pdg))
    is_mu = apdg == 13
    dep[is_mu] = np.minimum(mip, ekin)[is_mu]
    had = np.isin(apdg, HADRONS)
    had_shower = u < params.ecl_hadron_shower_prob
    dep[had] = np.where(had_shower, frac * ekin, np.minimum(mip, ekin))[had]
    neu = np.isin(apdg, NEUTRAL_HADRONS) & had_shower
    dep[neu] = (frac * ekin)[neu]
    dep = np.where(reaches & (region > 0), np.maximum(dep, 0.0), 0.0)
    return {"deposit": dep, "theta": theta, "region": region}


def make_clusters(rng: np.random.Generator, deposit: np.ndarray, theta: np.ndarray,
                  phi: np.ndarray, params: DetectorParameters) -> dict[str, np.ndarray]:
    """Smear deposits into clusters; ``keep`` marks those above threshold inside acceptance."""
    n = len(deposit)
    g = rng.standard_normal((3, n))
    e = deposit * (1.0 + sigma_e_over_e(deposit, params) * g[0])
    s_ang = sigma_ecl_angle(np.maximum(deposit, 1e-3), params)
    th = np.clip(theta + s_ang * g[1], 1e-4, np.pi - 1e-4)
    ph = phi + s_ang * g[2] / np.maximum(np.sin(theta), 1e-3)
    ph = np.arctan2(np.sin(ph), np.cos(ph))
    region = ecl_region(th, params)
    keep = (deposit > 0) & (e > params.ecl_cluster_threshold) & (region > 0)
    return {"E": e, "theta": th, "phi": ph, "region": region, "keep": keep}


def klm_hits(rng: np.random.Generator, pdg: np.ndarray, p: np.ndarray, e: np.ndarray,
             theta: np.ndarray, ecl_region_code: np.ndarray, params: DetectorParameters
             ) -> dict[str, np.ndarray]:
    """Number of KLM layers fired per particle (0: no hit)."""
    apdg = np.abs(pdg)
    n = len(pdg)
    acc = in_klm(theta, params)
    u = rng.random(n)
    layers = np.zeros(n, dtype=np.int16)
    mu = (apdg == 13) & acc & (p > params.klm_muon_p_min) & (u < params.klm_muon_eff)
    n_mu = 1 + np.floor((p - params.klm_muon_p_min) / params.klm_gev_per_layer)
    layers[mu] = np.minimum(n_mu, params.klm_n_layers)[mu]
    had = (np.isin(apdg, HADRONS + NEUTRAL_HADRONS) & acc & (p > params.klm_muon_p_min)
           & (u < params.klm_hadron_prob))
    layers[had] = np.minimum(1 + rng.geometric(0.4, n), params.klm_n_layers)[had]
    gam = ((apdg == 22) & acc & (ecl_region_code == 0) & (e > params.klm_photon_e_min)
           & (u < params.klm_photon_eff))
    layers[gam] = np.minimum(1 + rng.geometric(0.5, n), params.klm_n_layers)[gam]
    return {"layers": layers}
