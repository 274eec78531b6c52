"""Charged-track fast simulation: helix from the true production vertex through the PXD/SVD/CDC
layers, a found/lost rule from the layers crossed, and smearing of the perigee parameters.

Found rule (geometry only): ≥ ``track_min_cdc_layers`` CDC layers crossed (four superlayers)
or ≥ ``track_min_svd_layers`` SVD layers. The efficiency then falls with the production radius
(fewer layers left outside it) and is lost for low-pT curlers whose circle (radius D + R from the
axis) turns back before enough layers.

Resolutions: σ(pT)/pT = a·pT ⊕ b/(β√sin θ), with the measurement term scaled by Gluckstern's
(L_full/L)²·√((N_full+4)/(N+4)) for short tracks; d0, z0, φ0, θ with a ⊕ b/(pβ sin^k θ)
multiple-scattering forms, impact parameters scaled by r_first/r_PXD1 when the first hit is
further out (longer extrapolation).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from darkscan.detector import helix
from darkscan.detector.geometry import CDC, PXD, SVD, tracking_layers
from darkscan.detector.parameters import DetectorParameters
from darkscan.detector.resolution import ms, pt_rel, sigma_pt_over_pt
from darkscan.detector.vmath import sincos
from darkscan.jit import inline, jit


@inline
def _perigee(x, y, z, px, py, pz, q, phi, b_field):  # pragma: no cover - compiled
    """(d0, φ0, pT, z0, tanλ) of the helix from (x, y, z) with momentum p (azimuth ``phi``), as
    :func:`perigee`: the perigee is the point of the circle nearest the axis, (D − R)·ĉ from
    it, reached after turning τ back from the start, where the direction was φ0 − qτ."""
    pt = np.sqrt(px * px + py * py)
    ri = pt / (helix.K_CURVATURE * b_field)
    ux, uy = px / pt, py / pt
    cx, cy = x + q * ri * uy, y - q * ri * ux
    dist = np.sqrt(cx * cx + cy * cy)
    if dist > 0.0:
        hx, hy, d0 = cx / dist, cy / dist, q * (dist - ri)
    else:  # circle centred on the axis: every point is a perigee; take the one at β = 0
        hx, hy, d0 = -1.0, 0.0, 0.0
    # signed angle from the start (−q·û⊥ seen from the centre) to the perigee (−ĉ)
    sin_a = q * (uy * hy + ux * hx)
    cos_a = q * (uy * hx - ux * hy)
    if cos_a > 0.0 and abs(sin_a) < 1e-3:  # start at (or next to) the perigee: asin series
        a = sin_a * (1.0 + sin_a * sin_a * (1.0 / 6.0 + sin_a * sin_a * (3.0 / 40.0)))
    else:
        a = np.arctan2(sin_a, cos_a)
    tau = q * a
    tanl = pz / pt
    return d0, helix.wrap_one(phi + tau * q), pt, z - ri * tau * tanl, tanl


@inline
def _smear_one(rng, x, y, z, px, py, pz, q, phi, theta, mass, n_meas, r_first, r_last, b_field,
               res, pxd0, l_full, n_full):  # pragma: no cover - compiled
    """Smeared (pT, φ0, θ, d0, z0) of one helix and its (σ(d0), σ(z0), σ(pT)/pT), from five
    normals of ``rng``; ``phi``, ``theta``: the momentum angles at the start; ``res`` =
    (σpT a, b, σd0 a, b, σz0 a, b, σangle a, b)."""
    d0, phi0, pt, z0, _ = _perigee(x, y, z, px, py, pz, q, phi, b_field)
    p = np.sqrt(pt * pt + pz * pz)
    m = 0.0 if np.isnan(mass) else mass
    beta = p / np.sqrt(p * p + m * m)
    sin_t = pt / max(p, 1e-12)
    # short tracks: Gluckstern's (L_full/L)²·√((N_full + 4)/(N + 4)) on the measurement term
    lever = 1.0 if np.isnan(r_last - r_first) else r_last - r_first
    gluck = min(max((l_full / max(lever, 1.0)) ** 2 * np.sqrt((n_full + 4.0) / (n_meas + 4.0)),
                    1.0), 100.0)
    rel_pt = pt_rel(pt, beta, sin_t, res[0] * gluck, res[1])
    # impact parameters: extrapolation from a first hit beyond the first PXD layer
    extrap = max((pxd0 if np.isnan(r_first) else r_first) / pxd0, 1.0)
    s_d0 = ms(res[2], res[3], p * beta, sin_t, 1.5) * extrap
    s_z0 = ms(res[4], res[5], p * beta, sin_t, 2.5) * extrap
    s_ang = ms(res[6], res[7], p * beta, sin_t, 0.5)
    # (the trigonometry of the smeared angles runs vectorised afterwards)
    return (abs(pt * (1.0 + rel_pt * rng.standard_normal())),
            helix.wrap_one(phi0 + s_ang * rng.standard_normal()),
            min(max(theta + s_ang * rng.standard_normal(), 1e-4), np.pi - 1e-4),
            d0 + s_d0 * rng.standard_normal(), z0 + s_z0 * rng.standard_normal(),
            s_d0, s_z0, rel_pt)


@jit
def _tracks(rng, index, x, y, z, px, py, pz, q, phi, theta, mass, b_field, layer_r, zmin, zmax,
            segments, cum, found_rule, res, pxd0, l_full, n_full):  # pragma: no cover - compiled
    """Helix i starts at particle index[i] with charge sign q[i]: its layers, whether it is
    found (``found_rule`` = (min CDC, min SVD layers)) and, for found tracks, in order, the
    smeared parameters. Returns the positions in ``index`` of the found tracks, their
    parameters (pT, φ0, θ, d0, z0, σ(d0), σ(z0), σ(pT)/pT), their (PXD, SVD, CDC) layer counts,
    and D + R of every helix."""
    n = index.shape[0]
    found = np.empty(n, dtype=np.int64)
    out = np.empty((8, n))
    hits = np.empty((3, n), dtype=np.int16)
    r_max = np.empty(n)
    k = 0
    for i in range(n):
        j = index[i]
        acc, r_max[i] = helix.crossings(x[j], y[j], z[j], px[j], py[j], pz[j], q[i], b_field,
                                        layer_r, zmin, zmax, segments, cum)
        if not (acc[4] >= found_rule[0] or acc[3] >= found_rule[1]):
            continue
        found[k] = i
        hits[0, k], hits[1, k], hits[2, k] = acc[2], acc[3], acc[4]
        smeared = _smear_one(rng, x[j], y[j], z[j], px[j], py[j], pz[j], q[i], phi[j],
                             theta[j], mass[j], acc[2] + acc[3] + acc[4], layer_r[acc[0]],
                             layer_r[acc[1]], b_field, res, pxd0, l_full, n_full)
        for m in range(8):
            out[m, k] = smeared[m]
        k += 1
    return found[:k], out[:, :k], hits[:, :k], r_max


def simulate_tracks(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, z: np.ndarray,
                    px: np.ndarray, py: np.ndarray, pz: np.ndarray, q: np.ndarray,
                    mass: np.ndarray, params: DetectorParameters, *,
                    phi: np.ndarray | None = None, theta: np.ndarray | None = None,
                    index: np.ndarray | None = None
                    ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Charged particles (``q``: charge signs) through the tracker: the positions (in ``index``,
    or in the arrays) of the found tracks; their smeared perigee parameters, momentum at the
    perigee (what basf2 reports) and layer counts; and the outermost radius D + R of every
    helix. ``phi``, ``theta``: the momentum angles, when known. With ``index`` the helices are
    particles ``index`` of the per-particle arrays (position, momentum, mass, angles)."""
    index = np.arange(len(q)) if index is None else index
    res = np.array([params.sigma_pt_a, params.sigma_pt_b, params.sigma_d0_a, params.sigma_d0_b,
                    params.sigma_z0_a, params.sigma_z0_b, params.sigma_angle_a,
                    params.sigma_angle_b])
    phi = np.arctan2(py, px) if phi is None else phi
    theta = np.arctan2(np.hypot(px, py), pz) if theta is None else theta
    lay = tracking_layers(params)
    f = np.ascontiguousarray
    found, out, hits, r_max = _tracks(
        rng, f(index, np.int64), f(x, float), f(y, float), f(z, float), f(px, float),
        f(py, float), f(pz, float), f(q, float), f(phi, float), f(theta, float), f(mass, float),
        float(params.b_field), *_layers(params),
        (params.track_min_cdc_layers, params.track_min_svd_layers), res,
        float(params.pxd_radii[0]), params.cdc_r_outer - params.pxd_radii[0],
        float(len(lay.radius)))
    pt, phi0, theta_s = out[0], out[1], out[2]
    tanl = 1.0 / np.tan(theta_s)
    sin_phi, cos_phi = sincos(phi0)
    cols = {"px": pt * cos_phi, "py": pt * sin_phi, "pz": pt * tanl, "d0": out[3],
            "z0": out[4], "phi0": phi0, "tanl": tanl, "sigma_d0": out[5], "sigma_z0": out[6],
            "sigma_pt_rel": out[7], "charge": np.asarray(q)[found].astype(np.int8),
            "n_pxd": hits[PXD], "n_svd": hits[SVD], "n_cdc": hits[CDC]}
    return found, cols, r_max


@cache
def _layers(params: DetectorParameters
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lay = tracking_layers(params)
    return helix.layer_tables(lay.radius, lay.z_min, lay.z_max, lay.kind)


# expose the pure σ(pT)/pT parametrisation next to the simulation for checks
__all__ = ["sigma_pt_over_pt", "simulate_tracks"]
