"""Charged-track fast simulation: helix from the true production vertex through the PXD/SVD/CDC
layers, a found/lost rule from the layers crossed, and smearing of the perigee parameters.

Found rule (geometry only): ≥ ``track_min_cdc_layers`` CDC layers crossed (three superlayers)
or ≥ ``track_min_svd_layers`` SVD layers. The efficiency then falls with the production radius
(fewer layers left outside it) and is lost for low-pT curlers whose circle (radius D + R from the
axis) turns back before enough layers.

Resolutions: σ(pT)/pT = a·pT ⊕ b/β, with the measurement term scaled by Gluckstern's
(L_full/L)²·√((N_full+4)/(N+4)) for short tracks; d0, z0, φ0, θ with a ⊕ b/(pβ sin^k θ)
multiple-scattering forms, impact parameters scaled by r_first/r_PXD1 when the first hit is
further out (longer extrapolation).
"""

from __future__ import annotations

import numpy as np

from darkscan.detector import helix
from darkscan.detector.geometry import CDC, PXD, SVD, tracking_layers
from darkscan.detector.parameters import DetectorParameters
from darkscan.detector.resolution import multiple_scattering, sigma_pt_over_pt


def propagate(x: np.ndarray, y: np.ndarray, z: np.ndarray, px: np.ndarray, py: np.ndarray,
              pz: np.ndarray, q: np.ndarray, params: DetectorParameters
              ) -> dict[str, np.ndarray]:
    """Layers crossed per charged particle: ``n_pxd``, ``n_svd``, ``n_cdc``, lever arm radii,
    ``r_max`` (outermost radius reached) and the ``found`` flag."""
    lay = tracking_layers(params)
    pt = np.hypot(px, py)
    r = helix.radius(pt, params.b_field)
    phi = np.arctan2(py, px)
    with np.errstate(divide="ignore", invalid="ignore"):
        tanl = np.where(pt > 0, pz / pt, 0.0)
    hits, r_first, r_last = helix.cross_layers(x, y, z, phi, r, q, tanl, lay.radius, lay.z_min,
                                               lay.z_max, lay.kind)
    n_pxd, n_svd, n_cdc = hits[:, PXD], hits[:, SVD], hits[:, CDC]
    found = (n_cdc >= params.track_min_cdc_layers) | (n_svd >= params.track_min_svd_layers)
    return {"n_pxd": n_pxd.astype(np.int16), "n_svd": n_svd.astype(np.int16),
            "n_cdc": n_cdc.astype(np.int16), "r_first": r_first, "r_last": r_last,
            "r_max": helix.r_max(x, y, phi, r, q), "found": found}


def smear_tracks(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, z: np.ndarray,
                 px: np.ndarray, py: np.ndarray, pz: np.ndarray, q: np.ndarray,
                 mass: np.ndarray, layers: dict[str, np.ndarray], params: DetectorParameters
                 ) -> dict[str, np.ndarray]:
    """Smeared perigee parameters and the momentum at the perigee (what basf2 reports)."""
    true = helix.perigee(x, y, z, px, py, pz, q, params.b_field)
    p = np.sqrt(px * px + py * py + pz * pz)
    beta = p / np.sqrt(p * p + np.nan_to_num(mass, nan=0.0) ** 2)
    sin_t = true["pt"] / np.maximum(p, 1e-12)
    n_meas = (layers["n_pxd"] + layers["n_svd"] + layers["n_cdc"]).astype(float)
    lever = np.nan_to_num(layers["r_last"] - layers["r_first"], nan=1.0)
    l_full = params.cdc_r_outer - params.pxd_radii[0]
    n_full = float(len(params.pxd_radii) + len(params.svd_radii) + params.cdc_n_layers)
    gluck = np.clip((l_full / np.maximum(lever, 1.0)) ** 2
                    * np.sqrt((n_full + 4.0) / (n_meas + 4.0)), 1.0, 100.0)
    meas = params.sigma_pt_a * true["pt"] * gluck
    rel_pt = np.hypot(meas, params.sigma_pt_b / beta)
    extrap = np.maximum(np.nan_to_num(layers["r_first"], nan=params.pxd_radii[0])
                        / params.pxd_radii[0], 1.0)
    s_d0 = multiple_scattering(params.sigma_d0_a, params.sigma_d0_b, p, beta, sin_t, 1.5) * extrap
    s_z0 = multiple_scattering(params.sigma_z0_a, params.sigma_z0_b, p, beta, sin_t, 2.5) * extrap
    s_ang = multiple_scattering(params.sigma_angle_a, params.sigma_angle_b, p, beta, sin_t, 0.5)
    n = len(x)
    g = rng.standard_normal((5, n))
    pt = true["pt"] * (1.0 + rel_pt * g[0])
    pt = np.abs(pt)
    phi0 = helix.wrap(true["phi0"] + s_ang * g[1])
    theta = np.arctan2(1.0, true["tanl"]) + s_ang * g[2]
    theta = np.clip(theta, 1e-4, np.pi - 1e-4)
    tanl = 1.0 / np.tan(theta)
    d0 = true["d0"] + s_d0 * g[3]
    z0 = true["z0"] + s_z0 * g[4]
    return {"px": pt * np.cos(phi0), "py": pt * np.sin(phi0), "pz": pt * tanl,
            "charge": q.astype(np.int8), "d0": d0, "z0": z0, "phi0": phi0, "tanl": tanl,
            "sigma_d0": s_d0, "sigma_z0": s_z0, "sigma_pt_rel": rel_pt}


# expose the pure σ(pT)/pT parametrisation next to the simulation for checks
__all__ = ["propagate", "sigma_pt_over_pt", "smear_tracks"]
