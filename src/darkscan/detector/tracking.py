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

from darkscan.detector import helix, normals
from darkscan.detector.geometry import CDC, PXD, SVD, tracking_layers
from darkscan.detector.jit import inline, jit
from darkscan.detector.parameters import DetectorParameters
from darkscan.detector.resolution import ms, pt_rel, sigma_pt_over_pt
from darkscan.detector.vmath import sincos


def propagate(x: np.ndarray, y: np.ndarray, z: np.ndarray, px: np.ndarray, py: np.ndarray,
              pz: np.ndarray, q: np.ndarray, params: DetectorParameters,
              index: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Layers crossed per charged particle: ``n_pxd``, ``n_svd``, ``n_cdc``, lever arm radii,
    ``r_max`` (outermost radius reached) and the ``found`` flag. With ``index`` the particles
    are ``index`` of the arrays (``q`` per particle of ``index``)."""
    lay = tracking_layers(params)
    hits, r_first, r_last, r_max = helix.cross_layers(x, y, z, px, py, pz, q, params.b_field,
                                                      lay.radius, lay.z_min, lay.z_max, lay.kind,
                                                      index)
    n_pxd, n_svd, n_cdc = hits[:, PXD], hits[:, SVD], hits[:, CDC]
    found = (n_cdc >= params.track_min_cdc_layers) | (n_svd >= params.track_min_svd_layers)
    return {"n_pxd": n_pxd, "n_svd": n_svd, "n_cdc": n_cdc, "r_first": r_first,
            "r_last": r_last, "r_max": r_max, "found": found}


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


@jit
def _smear(index, x, y, z, px, py, pz, q, phi, theta, mass, n_meas, r_first, r_last, g,
           b_field, res, pxd0, l_full, n_full):  # pragma: no cover - compiled
    """Perigee of each helix (particle index[i], charge sign q[i]) and its smeared parameters;
    ``phi``, ``theta``: the momentum angles at the start; ``res`` = (σpT a, b, σd0 a, b,
    σz0 a, b, σangle a, b); ``g`` (5, n) standard normals."""
    n = index.shape[0]
    out = np.empty((8, n))  # pT, φ0, θ, d0, z0 (smeared), σ(d0), σ(z0), σ(pT)/pT
    for i in range(n):
        j = index[i]
        d0, phi0, pt, z0, _ = _perigee(x[j], y[j], z[j], px[j], py[j], pz[j], q[i], phi[j],
                                       b_field)
        # resolutions
        p = np.sqrt(pt * pt + pz[j] * pz[j])
        m = 0.0 if np.isnan(mass[j]) else mass[j]
        beta = p / np.sqrt(p * p + m * m)
        sin_t = pt / max(p, 1e-12)
        # short tracks: Gluckstern's (L_full/L)²·√((N_full + 4)/(N + 4)) on the measurement term
        lever = 1.0 if np.isnan(r_last[i] - r_first[i]) else r_last[i] - r_first[i]
        gluck = min(max((l_full / max(lever, 1.0)) ** 2
                        * np.sqrt((n_full + 4.0) / (n_meas[i] + 4.0)), 1.0), 100.0)
        rel_pt = pt_rel(pt, beta, res[0] * gluck, res[1])
        # impact parameters: extrapolation from a first hit beyond the first PXD layer
        extrap = max((pxd0 if np.isnan(r_first[i]) else r_first[i]) / pxd0, 1.0)
        s_d0 = ms(res[2], res[3], p * beta, sin_t, 1.5) * extrap
        s_z0 = ms(res[4], res[5], p * beta, sin_t, 2.5) * extrap
        s_ang = ms(res[6], res[7], p * beta, sin_t, 0.5)
        # smearing (the trigonometry of the smeared angles runs vectorised afterwards)
        out[0, i] = abs(pt * (1.0 + rel_pt * g[0, i]))
        out[1, i] = helix.wrap_one(phi0 + s_ang * g[1, i])
        out[2, i] = min(max(theta[j] + s_ang * g[2, i], 1e-4), np.pi - 1e-4)
        out[3, i] = d0 + s_d0 * g[3, i]
        out[4, i] = z0 + s_z0 * g[4, i]
        out[5, i] = s_d0
        out[6, i] = s_z0
        out[7, i] = rel_pt
    return out


def smear_tracks(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, z: np.ndarray,
                 px: np.ndarray, py: np.ndarray, pz: np.ndarray, q: np.ndarray,
                 mass: np.ndarray, layers: dict[str, np.ndarray], params: DetectorParameters,
                 *, phi: np.ndarray | None = None, theta: np.ndarray | None = None,
                 index: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Smeared perigee parameters and the momentum at the perigee (what basf2 reports).
    Tracks need pT > 0 (found tracks); ``phi``, ``theta``: their momentum angles, when known.
    With ``index`` the tracks are particles ``index`` of the per-particle arrays (position,
    momentum, mass, angles); ``q`` and ``layers`` are per track."""
    n = len(q)
    index = np.arange(n) if index is None else index
    g = normals.standard_normal(rng, (5, n))
    n_meas = (layers["n_pxd"] + layers["n_svd"] + layers["n_cdc"]).astype(float)
    res = np.array([params.sigma_pt_a, params.sigma_pt_b, params.sigma_d0_a, params.sigma_d0_b,
                    params.sigma_z0_a, params.sigma_z0_b, params.sigma_angle_a,
                    params.sigma_angle_b])
    phi = np.arctan2(py, px) if phi is None else phi
    theta = np.arctan2(np.hypot(px, py), pz) if theta is None else theta
    f = np.ascontiguousarray
    out = _smear(f(index, np.int64), f(x, float), f(y, float), f(z, float), f(px, float),
                 f(py, float), f(pz, float), f(q, float), f(phi, float), f(theta, float),
                 f(mass, float), n_meas, f(layers["r_first"]), f(layers["r_last"]), g,
                 float(params.b_field), res, float(params.pxd_radii[0]),
                 params.cdc_r_outer - params.pxd_radii[0],
                 float(len(params.pxd_radii) + len(params.svd_radii) + params.cdc_n_layers))
    pt, phi0, theta_s = out[0], out[1], out[2]
    tanl = 1.0 / np.tan(theta_s)
    sin_phi, cos_phi = sincos(phi0)
    return {"px": pt * cos_phi, "py": pt * sin_phi, "pz": pt * tanl, "d0": out[3],
            "z0": out[4], "phi0": phi0, "tanl": tanl, "sigma_d0": out[5], "sigma_z0": out[6],
            "sigma_pt_rel": out[7], "charge": np.asarray(q).astype(np.int8)}


# expose the pure σ(pT)/pT parametrisation next to the simulation for checks
__all__ = ["propagate", "sigma_pt_over_pt", "smear_tracks"]
