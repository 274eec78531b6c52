"""Belle II geometry derived from :mod:`darkscan.detector.parameters`: tracking layers with their
z extents, ECL regions, KLM acceptance. Pure functions of the parameter table."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from darkscan.detector.parameters import DetectorParameters
from darkscan.jit import inline, jit

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


def ecl_bounds(params: DetectorParameters) -> tuple[float, ...]:
    """ECL forward, barrel, backward polar-angle ranges (deg) as one flat tuple for kernels."""
    return (*params.ecl_fwd, *params.ecl_barrel, *params.ecl_bwd)


def ecl_blind(theta: Any, bounds: tuple[float, ...], margin: float = 0.0) -> Any:
    """Where the ECL does not see: lab polar angles ``theta`` (rad; numpy or awkward) beyond its
    acceptance or in a gap between the barrel and an endcap, each blind region widened by
    ``margin`` degrees (a shower near an edge leaks; resolution); ``bounds`` from
    :func:`ecl_bounds`."""
    deg = theta * (180.0 / np.pi)
    fwd_lo, fwd_hi, bar_lo, bar_hi, bwd_lo, bwd_hi = bounds
    return ((deg < fwd_lo + margin) | (deg > bwd_hi - margin)
            | ((deg > fwd_hi - margin) & (deg < bar_lo + margin))
            | ((deg > bar_hi - margin) & (deg < bwd_lo + margin)))


@inline
def region_of(theta, bounds):  # pragma: no cover - compiled
    """ECL region code of one polar angle (rad); ``bounds`` from :func:`ecl_bounds`."""
    deg = theta * (180.0 / np.pi)
    if bounds[4] <= deg < bounds[5]:
        return ECL_BWD
    if bounds[2] <= deg < bounds[3]:
        return ECL_BARREL
    if bounds[0] <= deg < bounds[1]:
        return ECL_FWD
    return ECL_OUTSIDE


@inline
def klm_accepts(theta, lo, hi):  # pragma: no cover - compiled
    """Polar angle (rad) inside the KLM range [lo, hi] (deg)."""
    deg = theta * (180.0 / np.pi)
    return lo <= deg <= hi


@inline
def impact_direction(x, y, z, px, py, pz, r_barrel, z_fwd, z_bwd):  # pragma: no cover - compiled
    """Polar angle and azimuth (seen from the IP) of the point where a straight line from
    (x, y, z) along p meets the ECL inner surface: the barrel cylinder or an endcap face,
    whichever comes first."""
    pt2 = px * px + py * py
    b = x * px + y * py  # barrel: |r0 + t p_T| = R, t ≥ 0
    c = x * x + y * y - r_barrel * r_barrel
    t_bar = (-b + np.sqrt(max(b * b - pt2 * c, 0.0))) / pt2 if pt2 > 0.0 else np.inf
    t_end = ((z_fwd if pz >= 0.0 else z_bwd) - z) / pz if pz != 0.0 else np.inf
    t = min(t_bar, t_end if t_end >= 0.0 else np.inf)
    xe, ye = x + t * px, y + t * py
    return np.arctan2(np.hypot(xe, ye), z + t * pz), np.arctan2(ye, xe)


@jit
def _regions(theta, bounds):  # pragma: no cover - compiled
    out = np.empty(theta.shape[0], dtype=np.int8)
    for i in range(theta.shape[0]):
        out[i] = region_of(theta[i], bounds)
    return out


def ecl_region(theta: np.ndarray, params: DetectorParameters) -> np.ndarray:
    """ECL region code for lab polar angles ``theta`` (rad): 0 outside acceptance or in a gap."""
    th = np.asarray(theta, dtype=float)
    return _regions(np.ascontiguousarray(th.ravel()), ecl_bounds(params)).reshape(th.shape)


@cache
def ecl_crystal_rings(params: DetectorParameters) -> tuple[np.ndarray, np.ndarray]:
    """The ECL's crystals as rings of equal width, per region: ``rings[region]`` = (first
    edge, ring width, number of rings, index of its first ring) in the region's coordinate (the
    barrel: z on the cylinder r = ``ecl_r_barrel``; an endcap: the radius on its face, from the
    beam outward), and ``n_phi[ring]`` crystals around each ring (144 in the barrel; in an
    endcap ∝ the ring's radius, by largest remainder so that the crystals add up to the count)."""
    rings = np.zeros((4, 4))
    n_phi: list[int] = []
    theta = {code: np.radians(pair) for code, pair in
             ((ECL_FWD, params.ecl_fwd), (ECL_BARREL, params.ecl_barrel),
              (ECL_BWD, params.ecl_bwd))}
    n_fwd, count_fwd, n_bwd, count_bwd = params.ecl_endcap_crystals
    n_bar, phi_bar = params.ecl_barrel_crystals
    for code, n, count in ((ECL_FWD, n_fwd, count_fwd), (ECL_BARREL, n_bar, n_bar * phi_bar),
                           (ECL_BWD, n_bwd, count_bwd)):
        if code == ECL_BARREL:
            edges = params.ecl_r_barrel / np.tan(theta[code][::-1])
        else:
            face = params.ecl_z_fwd if code == ECL_FWD else params.ecl_z_bwd
            edges = np.sort(face * np.tan(theta[code]))
        width = (edges[1] - edges[0]) / n
        rings[code] = (edges[0], width, n, len(n_phi))
        if code == ECL_BARREL:
            n_phi += [phi_bar] * n
            continue
        share = count * (edges[0] + width * (np.arange(n) + 0.5))
        share /= np.sum(edges[0] + width * (np.arange(n) + 0.5))
        cells = np.floor(share).astype(int)
        cells[np.argsort(cells - share)[:count - cells.sum()]] += 1
        n_phi += cells.tolist()
    return rings, np.asarray(n_phi, dtype=np.int64)


@inline
def crystal_cell(theta, phi, region, rings, n_phi, r_barrel, z_fwd, z_bwd
                 ):  # pragma: no cover - compiled
    """The crystal a direction (θ, φ) from the IP hits in ECL ``region``: (global ring index,
    the crystal's φ centre, its φ width); rings from :func:`ecl_crystal_rings`."""
    if region == ECL_BARREL:
        u = r_barrel * np.cos(theta) / max(np.sin(theta), 1e-9)
    else:
        u = (z_fwd if region == ECL_FWD else z_bwd) * np.tan(theta)
    first, width, n, offset = rings[region, 0], rings[region, 1], rings[region, 2], \
        rings[region, 3]
    k = int(min(max(np.floor((u - first) / width), 0.0), n - 1.0)) + int(offset)
    w = 2.0 * np.pi / n_phi[k]
    turn = phi % (2.0 * np.pi)
    return k, (np.floor(turn / w) + 0.5) * w, w
