"""Two-track vertex fit from perigee helices (reconstruction: the detector only smears and records
the tracks it fits).

In the transverse plane the vertex is an intersection of the two circles (the one where the
helices' z values agree best) or, when the circles do not meet, the midpoint of their closest
points along the line of centres. z is the mean of the two helices' z there. ``doca`` is the 3D
distance of the two helix points, ``chi2`` = Σ (Δ/σ)² with the tracks' σ(d0), σ(z0). Momenta are
the helix tangents at the vertex. Approximation: no iterative 3D minimisation, no covariance.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from darkscan.detector import helix
from darkscan.jit import inline, jit

#: the track columns the kernels take, in this order (rows of a (10, n) array)
TRACK_FIELDS = ("px", "py", "pz", "charge", "d0", "phi0", "z0", "tanl", "sigma_d0", "sigma_z0")


@inline
def track_circle(t, j, i, b_field):  # pragma: no cover - compiled
    """The circle of candidate i's track ``t[j]`` ((k, 10, n) track arrays, rows
    :data:`TRACK_FIELDS`): (p_T, centre x, y, radius, circle angle β of the perigee)."""
    d0, phi0 = t[j, 4, i], t[j, 5, i]
    pt = np.sqrt(t[j, 0, i] * t[j, 0, i] + t[j, 1, i] * t[j, 1, i])
    cx, cy, r = helix.perigee_centre_one(d0, phi0, pt, t[j, 3, i], b_field)
    return pt, cx, cy, r, helix.perigee_beta_one(d0, phi0, cx, cy)


@inline
def _circle_z(x, y, circ, q, z0, tanl):  # pragma: no cover - compiled
    """Circle angle β of the point (x, y) of a track's circle and the helix z there."""
    beta = np.arctan2(y - circ[2], x - circ[1])
    return beta, helix.z_at_one(beta, circ[4], circ[3], q, z0, tanl)


@inline
def pair_vertex_one(t, i, k1, k2):  # pragma: no cover - compiled
    """The two-track vertex (module docstring) of candidate i's tracks ``t[0]``, ``t[1]``
    ((k, 10, n) track arrays, rows :data:`TRACK_FIELDS`) with circles k1, k2
    (:func:`track_circle`): the points on the two helices (x1, y1, z1, x2, y2, z2), their circle
    angles β1, β2 and χ²."""
    q1, d01, phi01, z01, tanl1 = t[0, 3, i], t[0, 4, i], t[0, 5, i], t[0, 6, i], t[0, 7, i]
    q2, d02, phi02, z02, tanl2 = t[1, 3, i], t[1, 4, i], t[1, 5, i], t[1, 6, i], t[1, 7, i]
    c1x, c1y, r1 = k1[1], k1[2], k1[3]
    c2x, c2y, r2 = k2[1], k2[2], k2[3]
    dx, dy = c2x - c1x, c2y - c1y
    d = max(np.sqrt(dx * dx + dy * dy), 1e-12)
    ux, uy = dx / d, dy / d
    # intersections (a along the centre line from c1, h perpendicular)
    a = (d * d + r1 * r1 - r2 * r2) / (2 * d)
    h2 = r1 * r1 - a * a
    h = np.sqrt(max(h2, 0.0))
    # no intersection: closest points along the centre line
    sep = d > r1 + r2
    big1 = r1 >= r2
    s1 = 1.0 if sep or big1 else -1.0
    s2 = -1.0 if sep else (1.0 if big1 else -1.0)
    s_xy2 = t[0, 8, i] * t[0, 8, i] + t[1, 8, i] * t[1, 8, i]
    s_z2 = t[0, 9, i] * t[0, 9, i] + t[1, 9, i] * t[1, 9, i]
    # the perigee points first: the answer for coincident circles (e.g. back-to-back ± tracks)
    # and kept whenever compatible with a common vertex (χ² < 9); there β is the perigee's
    # and z = z0
    x1, y1 = d01 * np.sin(phi01), -d01 * np.cos(phi01)
    x2, y2 = d02 * np.sin(phi02), -d02 * np.cos(phi02)
    b1, b2 = k1[4], k2[4]
    z1 = helix.z_at_one(b1, b1, r1, q1, z01, tanl1)
    z2 = helix.z_at_one(b2, b2, r2, q2, z02, tanl2)
    chi2 = ((x1 - x2) ** 2 + (y1 - y2) ** 2) / s_xy2 + (z1 - z2) ** 2 / s_z2
    best = (x1, y1, z1, x2, y2, z2, b1, b2, chi2)
    if chi2 < 9.0:
        return best
    # then the two intersections, or twice the closest points when the circles do not meet
    for s in (1.0, -1.0):
        if h2 >= 0:
            x1 = c1x + a * ux - s * h * uy
            y1 = c1y + a * uy + s * h * ux
            x2, y2 = x1, y1
        else:
            x1, y1 = c1x + s1 * r1 * ux, c1y + s1 * r1 * uy
            x2, y2 = c2x + s2 * r2 * ux, c2y + s2 * r2 * uy
        b1, z1 = _circle_z(x1, y1, k1, q1, z01, tanl1)
        b2, z2 = _circle_z(x2, y2, k2, q2, z02, tanl2)
        chi2 = ((x1 - x2) ** 2 + (y1 - y2) ** 2) / s_xy2 + (z1 - z2) ** 2 / s_z2
        if chi2 < best[8]:
            best = (x1, y1, z1, x2, y2, z2, b1, b2, chi2)
        if h2 < 0:
            break  # the same points again
    return best


@jit
def _fit_vertex(t, b_field):  # pragma: no cover - compiled
    """:func:`fit_vertex` of the tracks t[0], t[1] ((2, 10, n))."""
    n = t.shape[2]
    out = np.empty((5, n))  # x, y, z, doca, χ²
    p = np.empty((2, n, 3))
    for i in range(n):
        k1, k2 = track_circle(t, 0, i, b_field), track_circle(t, 1, i, b_field)
        x1, y1, z1, x2, y2, z2, b1, b2, chi2 = pair_vertex_one(t, i, k1, k2)
        out[0, i], out[1, i], out[2, i] = 0.5 * (x1 + x2), 0.5 * (y1 + y2), 0.5 * (z1 + z2)
        out[3, i] = np.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2 + (z1 - z2) ** 2)
        out[4, i] = chi2
        for j, pt, beta in ((0, k1[0], b1), (1, k2[0], b2)):
            phi = helix.phi_at_one(beta, t[j, 3, i])
            p[j, i, 0], p[j, i, 1], p[j, i, 2] = pt * np.cos(phi), pt * np.sin(phi), t[j, 2, i]
    return out, p


def track_rows(t: dict[str, np.ndarray]) -> np.ndarray:
    """A track's columns as the kernels take them: a (10, n) float array, rows
    :data:`TRACK_FIELDS`."""
    return np.stack([np.asarray(t[k], dtype=float) for k in TRACK_FIELDS])


def fit_vertex(t1: dict[str, np.ndarray], t2: dict[str, np.ndarray], b_field: float
               ) -> dict[str, np.ndarray]:
    """Vertex of two tracks given as dicts of arrays with px, py, pz, charge, d0, phi0, z0,
    tanl, sigma_d0, sigma_z0."""
    out, p = _fit_vertex(np.stack([track_rows(t1), track_rows(t2)]), float(b_field))
    return {"x": out[0], "y": out[1], "z": out[2], "doca": out[3], "chi2": out[4],
            "p1": p[0], "p2": p[1]}


# --- conversion point: where two opposite tracks would have started as one photon -------------
@jit
def _conversion_point(t, b_field, mass):  # pragma: no cover - compiled
    """:func:`conversion_point` of the tracks t[0], t[1] ((2, 10, n))."""
    n = t.shape[2]
    out = np.empty((6, n))  # ΔR, Δz, x, y, z, M
    for i in range(n):
        k1, k2 = track_circle(t, 0, i, b_field), track_circle(t, 1, i, b_field)
        dx, dy = k2[1] - k1[1], k2[2] - k1[2]
        d = max(np.sqrt(dx * dx + dy * dy), 1e-12)
        ux, uy = dx / d, dy / d
        # each circle's point nearest the other along the line of centres: the tangent point
        # when the circles touch from outside
        x1, y1 = k1[1] + k1[3] * ux, k1[2] + k1[3] * uy
        x2, y2 = k2[1] - k2[3] * ux, k2[2] - k2[3] * uy
        b1, z1 = _circle_z(x1, y1, k1, t[0, 3, i], t[0, 6, i], t[0, 7, i])
        b2, z2 = _circle_z(x2, y2, k2, t[1, 3, i], t[1, 6, i], t[1, 7, i])
        out[0, i], out[1, i] = d - k1[3] - k2[3], z1 - z2
        out[2, i], out[3, i], out[4, i] = 0.5 * (x1 + x2), 0.5 * (y1 + y2), 0.5 * (z1 + z2)
        e, px, py, pz = 0.0, 0.0, 0.0, 0.0
        for j, pt, beta in ((0, k1[0], b1), (1, k2[0], b2)):
            phi = helix.phi_at_one(beta, t[j, 3, i])
            qx, qy, qz = pt * np.cos(phi), pt * np.sin(phi), t[j, 2, i]
            e += np.sqrt(qx * qx + qy * qy + qz * qz + mass * mass)
            px, py, pz = px + qx, py + qy, pz + qz
        out[5, i] = np.sqrt(max(e * e - px * px - py * py - pz * pz, 0.0))
    return out


def conversion_point(t1: dict[str, np.ndarray], t2: dict[str, np.ndarray], b_field: float,
                     mass: float) -> dict[str, np.ndarray]:
    """Where two tracks (dicts of arrays as :func:`fit_vertex` takes) would have started as the
    two particles of one massless photon: an e⁺e⁻ pair from a conversion (or a π⁰ Dalitz decay)
    leaves its point with parallel momenta, so its two circles in the transverse plane touch
    from outside there, whatever vertex a fit finds where they cross again. Per pair: ``delta_r``
    = distance of the circles' centres minus the sum of their radii (cm; 0 for touching
    circles, < 0 when they overlap), the point (``x``, ``y``, ``z``: the middle of the two
    circles' points nearest each other on the line of centres, each helix's z there on the turn
    nearest its perigee), ``delta_z`` the two helices' z difference there (cm) and ``mass`` the
    pair's invariant mass from their momenta there with daughters of mass ``mass`` (their
    transverse directions parallel or opposite there by construction: for a conversion that of
    two collinear electrons, a few m_e, larger by the polar-angle difference or for opposite
    directions)."""
    out = _conversion_point(np.stack([track_rows(t1), track_rows(t2)]), float(b_field),
                            float(mass))
    return {"delta_r": out[0], "delta_z": out[1], "x": out[2], "y": out[3], "z": out[4],
            "rho": np.hypot(out[2], out[3]), "mass": out[5]}


# --- hit pattern: is a displaced vertex where its tracks' VXD hits say they start? -----------
#: the smallest radial tolerance (cm) of the hit-pattern test, beside 3σ of the vertex radius
HIT_PATTERN_TOLERANCE = 0.1
#: the layers' z ends widened (most possible layers) or narrowed (fewest) by this (cm): a track
#: along the acceptance edge (17°, 150°) crosses a layer's end or not within its direction error
HIT_PATTERN_Z_TOLERANCE = 0.3


@cache
def _vxd_tables(dz: float) -> tuple[np.ndarray, ...]:
    """Belle II's PXD and SVD layers as the helix kernels take them (no CDC layers), their z
    ends moved out by ``dz`` (in when negative)."""
    from darkscan.detector.geometry import CDC, tracking_layers
    from darkscan.detector.parameters import BELLE2_DETECTOR

    lay = tracking_layers(BELLE2_DETECTOR)
    vxd = lay.kind != CDC
    return helix.layer_tables(lay.radius[vxd], lay.z_min[vxd] - dz, lay.z_max[vxd] + dz,
                              lay.kind[vxd])


@jit
def _hit_pattern(pos, err_r, p3, charge, observed, b_field, tol_min, wide,
                 narrow):  # pragma: no cover - compiled
    """Per candidate the largest excess of observed over possible VXD layers (hits inside the
    vertex) and the largest shortfall (layers a track from the vertex crosses without a hit)
    over its tracks; the possible counts from the vertex moved in along the radius by
    max(3σ_r, ``tol_min``) through the ``wide`` layers (most) and out through the ``narrow``
    ones (fewest)."""
    n, k = p3.shape[0], p3.shape[1]
    out = np.full((2, n), np.nan)
    for i in range(n):
        x, y, z = pos[i, 0], pos[i, 1], pos[i, 2]
        r = np.sqrt(x * x + y * y)
        tol = 3.0 * err_r[i] if err_r[i] * 3.0 > tol_min else tol_min
        inside, missing = 0.0, 0.0
        for j in range(k):
            if np.isnan(observed[i, j]):
                inside = missing = np.nan
                break
            most, fewest = 0.0, 0.0
            for m in range(2):
                rr = r - tol if m == 0 else r + tol
                s = max(rr, 0.0) / r if r > 0.0 else 0.0
                lay = wide if m == 0 else narrow
                acc, _ = helix.crossings(x * s, y * s, z, p3[i, j, 0], p3[i, j, 1], p3[i, j, 2],
                                         charge[i, j], b_field, lay[0], lay[1], lay[2], lay[3],
                                         lay[4])
                if m == 0:
                    most = acc[2] + acc[3]
                else:
                    fewest = acc[2] + acc[3]
            inside = max(inside, observed[i, j] - most)
            missing = max(missing, fewest - observed[i, j])
        out[0, i], out[1, i] = inside, missing
    return out


def hit_pattern(pos: np.ndarray, err_r: np.ndarray, p3: np.ndarray, charge: np.ndarray,
                observed: np.ndarray, b_field: float) -> tuple[np.ndarray, np.ndarray]:
    """(hits inside, missing hits) of each vertex ``pos`` (n, 3) with radial error ``err_r``
    and its k tracks' momenta there ``p3`` (n, k, 3), charges (n, k) and observed PXD + SVD
    layers (n, k; NaN: unknown, and the answer is NaN): the tracks' VXD layers that a particle
    from the vertex cannot have crossed, and those it would have crossed but did not, the
    largest over the tracks (Belle II's layers, their z extent included, with the tolerances
    :data:`HIT_PATTERN_TOLERANCE` and :data:`HIT_PATTERN_Z_TOLERANCE`)."""
    f = np.ascontiguousarray
    out = _hit_pattern(f(pos, float), f(np.nan_to_num(err_r, nan=0.0), float), f(p3, float),
                       f(charge, float), f(observed, float), float(b_field),
                       HIT_PATTERN_TOLERANCE, _vxd_tables(HIT_PATTERN_Z_TOLERANCE),
                       _vxd_tables(-HIT_PATTERN_Z_TOLERANCE))
    return out[0], out[1]
