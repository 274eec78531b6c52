"""Helices in a solenoidal field along +z: one place for the track geometry.

A particle of charge sign ``q`` (±1) and transverse momentum ``pt`` moves on a circle of radius
``R = pt / (K·B)`` (cm) centred at ``c = x + q·R·(sin φ, −cos φ)``; positive charges turn
clockwise seen from +z. The point on the circle at angle β (from the centre) is
``c + R (cos β, sin β)``, its momentum direction ``φ = β − q·π/2``, and β decreases by the turning
angle τ ≥ 0 as the particle moves: ``β(τ) = β0 − q τ``, ``z(τ) = z0 + R τ tanλ`` (tanλ = pz/pt).

Perigee parameters (w.r.t. the z axis): ``d0`` (signed like (x × p)_z), ``phi0``, ``pt``, ``q``,
``z0``, ``tanl``; the point of closest approach is ``(d0 sin φ0, −d0 cos φ0, z0)``.
"""

from __future__ import annotations

import numba
import numpy as np

K_CURVATURE = 0.299792458e-2  #: GeV per (T·cm): pt = K·B·R for unit charge
TWO_PI = 2.0 * np.pi


def radius(pt: np.ndarray, b_field: float) -> np.ndarray:
    """Radius of curvature (cm) of a unit-charge track."""
    return pt / (K_CURVATURE * b_field)


def centre(x: np.ndarray, y: np.ndarray, phi: np.ndarray, r: np.ndarray, q: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    return x + q * r * np.sin(phi), y - q * r * np.cos(phi)


def wrap(a: np.ndarray) -> np.ndarray:
    """Angle to (−π, π]."""
    return np.pi - np.mod(np.pi - a, TWO_PI)


def phi_at(beta: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Momentum direction at the point of circle angle β."""
    return wrap(beta - q * 0.5 * np.pi)


def r_max(x: np.ndarray, y: np.ndarray, phi: np.ndarray, r: np.ndarray, q: np.ndarray
          ) -> np.ndarray:
    """Largest distance from the z axis reached on the circle: D + R."""
    cx, cy = centre(x, y, phi, r, q)
    return np.hypot(cx, cy) + r


def perigee(x: np.ndarray, y: np.ndarray, z: np.ndarray, px: np.ndarray, py: np.ndarray,
            pz: np.ndarray, q: np.ndarray, b_field: float) -> dict[str, np.ndarray]:
    """Perigee parameters w.r.t. the z axis of helices starting at (x, y, z) with momentum p."""
    pt = np.hypot(px, py)
    phi = np.arctan2(py, px)
    r = radius(pt, b_field)
    cx, cy = centre(x, y, phi, r, q)
    dist = np.hypot(cx, cy)
    safe = np.where(dist > 0, dist, 1.0)
    # closest point on the circle to the axis: c − R ĉ
    px_, py_ = cx - r * cx / safe, cy - r * cy / safe
    beta_p = np.arctan2(py_ - cy, px_ - cx)
    beta_0 = np.arctan2(y - cy, x - cx)
    tau = wrap(q * (beta_p - beta_0))  # signed turning from the perigee to the start point
    phi0 = phi_at(beta_p, q)
    d0 = px_ * np.sin(phi0) - py_ * np.cos(phi0)
    tanl = pz / pt
    return {"d0": d0, "phi0": phi0, "pt": pt, "z0": z - r * tau * tanl, "tanl": tanl, "q": q}


def perigee_centre(d0: np.ndarray, phi0: np.ndarray, pt: np.ndarray, q: np.ndarray,
                   b_field: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Circle centre and radius from perigee parameters."""
    r = radius(pt, b_field)
    cx, cy = centre(d0 * np.sin(phi0), -d0 * np.cos(phi0), phi0, r, q)
    return cx, cy, r


def z_at(beta: np.ndarray, d0: np.ndarray, phi0: np.ndarray, pt: np.ndarray, q: np.ndarray,
         z0: np.ndarray, tanl: np.ndarray, b_field: float) -> np.ndarray:
    """z of the helix at circle angle β, taking the turn nearest to the perigee."""
    cx, cy, r = perigee_centre(d0, phi0, pt, q, b_field)
    beta_p = np.arctan2(-d0 * np.cos(phi0) - cy, d0 * np.sin(phi0) - cx)
    return z0 + r * wrap(q * (beta_p - beta)) * tanl


@numba.njit(cache=True, nogil=True, fastmath={"nsz", "arcp", "contract", "afn", "reassoc"})
def _cross_layers(x, y, z, phi, r, q, tanl, layer_r, layer_zmin, layer_zmax, layer_kind,
                  n_kinds):  # pragma: no cover - compiled
    n = x.shape[0]
    nl = layer_r.shape[0]
    hits = np.zeros((n, n_kinds), dtype=np.int16)
    r_first = np.full(n, np.nan)
    r_last = np.full(n, np.nan)
    two_pi = 2.0 * np.pi
    for i in range(n):
        ri = r[i]
        if not (ri > 0.0):
            continue
        cx = x[i] + q[i] * ri * np.sin(phi[i])
        cy = y[i] - q[i] * ri * np.cos(phi[i])
        d = np.hypot(cx, cy)
        if d <= 0.0:
            d = 1e-12
        gam = np.arctan2(cy, cx)
        beta0 = np.arctan2(y[i] - cy, x[i] - cx)
        tau_max = (q[i] * (beta0 - gam)) % two_pi  # turning to the outermost point
        rmin = abs(d - ri)
        rmax = d + ri
        r0 = np.hypot(x[i], y[i])
        # moving outward at the start: only outward crossings of layers outside r0 count
        outward = x[i] * np.cos(phi[i]) + y[i] * np.sin(phi[i]) >= 0.0
        for k in range(nl):
            rl = layer_r[k]
            if rl < rmin or rl > rmax or (outward and rl < r0):
                continue
            c = (rl * rl - d * d - ri * ri) / (2.0 * ri * d)
            c = min(1.0, max(-1.0, c))
            a = np.arccos(c)
            for sgn in (-1.0, 1.0):
                if outward and sgn != q[i]:
                    continue  # the inward crossing (sgn = −q) comes after the outermost point
                tau = (q[i] * (beta0 - gam - sgn * a)) % two_pi
                if tau > tau_max + 1e-12:
                    continue
                zc = z[i] + ri * tau * tanl[i]
                if zc < layer_zmin[k] or zc > layer_zmax[k]:
                    continue
                hits[i, layer_kind[k]] += 1
                if np.isnan(r_first[i]) or rl < r_first[i]:
                    r_first[i] = rl
                if np.isnan(r_last[i]) or rl > r_last[i]:
                    r_last[i] = rl
                break  # a layer counts once
    return hits, r_first, r_last


def cross_layers(x: np.ndarray, y: np.ndarray, z: np.ndarray, phi: np.ndarray, r: np.ndarray,
                 q: np.ndarray, tanl: np.ndarray, layer_r: np.ndarray, layer_zmin: np.ndarray,
                 layer_zmax: np.ndarray, layer_kind: np.ndarray, n_kinds: int = 3
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, per helix and per layer kind, the layers crossed (inside their z range) on the way
    from the production point out to the outermost radius of the circle (the first half turn
    for a helix through the axis; curlers do not count their way back). Also returns the
    radii of the innermost and outermost crossed layers (the lever arm)."""
    f = np.ascontiguousarray
    return _cross_layers(f(x, float), f(y, float), f(z, float), f(phi, float), f(r, float),
                         f(q, float), f(tanl, float), f(layer_r, float), f(layer_zmin, float),
                         f(layer_zmax, float), f(layer_kind, np.int64), n_kinds)
