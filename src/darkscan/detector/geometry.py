"""Belle II geometry derived from :mod:`darkscan.detector.parameters`: tracking layers with their
z extents, ECL regions, KLM acceptance. Pure functions of the parameter table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from darkscan.detector.parameters import DetectorParameters

#: ECL region codes (basf2 ``getDetectorRegion``-like; 0 = outside or in a gap)
ECL_OUTSIDE, ECL_FWD, ECL_BARREL, ECL_BWD = 0, 1, 2, 3
#: tracking layer kinds
PXD, SVD, CDC = 0, 1, 2


@dataclass(frozen=True)
class TrackingLayers:
    """Cylindrical sensitive layers, ordered in radius: radius, z range and kind (PXD/SVD/CDC)."""

    radius: np.ndarray
    z_min: np.ndarray
    z_max: np.ndarray
    kind: np.ndarray


@cache
def tracking_layers(params: DetectorParameters) -> TrackingLayers:
    """PXD and SVD layers (z extent from the 17°–150° polar acceptance) and 56 CDC layers with
    radius and wire z ends linear in the layer number between layer 0 and layer 55."""
    vxd_r = np.array(params.pxd_radii + params.svd_radii, dtype=float)
    vxd_kind = np.array([PXD] * len(params.pxd_radii) + [SVD] * len(params.svd_radii))
    vxd_zmax = vxd_r / np.tan(np.radians(params.vxd_theta_min))
    vxd_zmin = vxd_r / np.tan(np.radians(params.vxd_theta_max))
    frac = np.linspace(0.0, 1.0, params.cdc_n_layers)
    cdc_r = params.cdc_r_inner + frac * (params.cdc_r_outer - params.cdc_r_inner)
    cdc_zmin = params.cdc_z_inner[0] + frac * (params.cdc_z_outer[0] - params.cdc_z_inner[0])
    cdc_zmax = params.cdc_z_inner[1] + frac * (params.cdc_z_outer[1] - params.cdc_z_inner[1])
    return TrackingLayers(
        radius=np.concatenate([vxd_r, cdc_r]),
        z_min=np.concatenate([vxd_zmin, cdc_zmin]),
        z_max=np.concatenate([vxd_zmax, cdc_zmax]),
        kind=np.concatenate([vxd_kind, np.full(params.cdc_n_layers, CDC)]).astype(np.int64),
    )


def ecl_region(theta: np.ndarray, params: DetectorParameters) -> np.ndarray:
    """ECL region code for lab polar angles ``theta`` (rad): 0 outside acceptance or in a gap."""
    deg = np.degrees(np.asarray(theta, dtype=float))
    out = np.zeros(deg.shape, dtype=np.int8)
    for code, (lo, hi) in ((ECL_FWD, params.ecl_fwd), (ECL_BARREL, params.ecl_barrel),
                           (ECL_BWD, params.ecl_bwd)):
        out[(deg >= lo) & (deg < hi)] = code
    return out


def in_klm(theta: np.ndarray, params: DetectorParameters) -> np.ndarray:
    deg = np.degrees(np.asarray(theta, dtype=float))
    return (deg >= params.klm_theta[0]) & (deg <= params.klm_theta[1])


def ecl_impact_theta(x: np.ndarray, y: np.ndarray, z: np.ndarray, px: np.ndarray,
                     py: np.ndarray, pz: np.ndarray, params: DetectorParameters) -> np.ndarray:
    """Polar angle (seen from the IP) of the point where a straight line from (x, y, z) along p
    meets the ECL inner surface (barrel cylinder or an endcap face). For neutral particles."""
    pt2 = px * px + py * py
    # barrel: |r0 + t p_T| = R  (t ≥ 0)
    b = x * px + y * py
    c = x * x + y * y - params.ecl_r_barrel**2
    with np.errstate(divide="ignore", invalid="ignore"):
        t_bar = np.where(pt2 > 0, (-b + np.sqrt(np.maximum(b * b - pt2 * c, 0.0))) / pt2, np.inf)
        z_face = np.where(pz >= 0, params.ecl_z_fwd, params.ecl_z_bwd)
        t_end = np.where(pz != 0, (z_face - z) / pz, np.inf)
    t = np.minimum(t_bar, np.where(t_end >= 0, t_end, np.inf))
    xi, yi, zi = x + t * px, y + t * py, z + t * pz
    return np.arctan2(np.hypot(xi, yi), zi)
