"""Two-track vertex fit from perigee helices (reconstruction: the detector only smears and records
the tracks it fits).

In the transverse plane the vertex is an intersection of the two circles (the one where the
helices' z values agree best) or, when the circles do not meet, the midpoint of their closest
points along the line of centres. z is the mean of the two helices' z there. ``doca`` is the 3D
distance of the two helix points, ``chi2`` = Σ (Δ/σ)² with the tracks' σ(d0), σ(z0). Momenta are
the helix tangents at the vertex. Approximation: no iterative 3D minimisation, no covariance.
"""

from __future__ import annotations

import numpy as np

from darkscan.detector import helix


def _track(t: dict[str, np.ndarray], b: float) -> tuple[np.ndarray, ...]:
    pt = np.hypot(t["px"], t["py"])
    cx, cy, r = helix.perigee_centre(t["d0"], t["phi0"], pt, t["charge"], b)
    return cx, cy, r, pt


def fit_vertex(t1: dict[str, np.ndarray], t2: dict[str, np.ndarray], b_field: float
               ) -> dict[str, np.ndarray]:
    """Vertex of two tracks given as dicts of arrays with px, py, pz, charge, d0, phi0, z0,
    tanl, sigma_d0, sigma_z0."""
    c1x, c1y, r1, pt1 = _track(t1, b_field)
    c2x, c2y, r2, pt2 = _track(t2, b_field)
    dx, dy = c2x - c1x, c2y - c1y
    d = np.maximum(np.hypot(dx, dy), 1e-12)
    ux, uy = dx / d, dy / d
    # intersections (a along the centre line from c1, h perpendicular)
    a = (d * d + r1 * r1 - r2 * r2) / (2 * d)
    h2 = r1 * r1 - a * a
    meets = h2 >= 0
    h = np.sqrt(np.maximum(h2, 0.0))
    cand = []
    for s in (1.0, -1.0):
        xi = c1x + a * ux - s * h * uy
        yi = c1y + a * uy + s * h * ux
        cand.append((xi, yi, xi, yi))
    # no intersection: closest points along the centre line
    sep = d > r1 + r2
    big1 = r1 >= r2
    s1 = np.where(sep | big1, 1.0, -1.0)
    s2 = np.where(sep, -1.0, np.where(big1, 1.0, -1.0))
    p1x, p1y = c1x + s1 * r1 * ux, c1y + s1 * r1 * uy
    p2x, p2y = c2x + s2 * r2 * ux, c2y + s2 * r2 * uy
    s_xy2 = t1["sigma_d0"] ** 2 + t2["sigma_d0"] ** 2
    s_z2 = t1["sigma_z0"] ** 2 + t2["sigma_z0"] ** 2
    pts = [tuple(np.where(meets, a_, b_) for a_, b_ in zip(c_, (p1x, p1y, p2x, p2y),
                                                           strict=True)) for c_ in cand]
    # the perigee points: the answer for coincident circles (e.g. back-to-back ± tracks) and
    # preferred whenever compatible with a common vertex (χ² < 9)
    peri = (t1["d0"] * np.sin(t1["phi0"]), -t1["d0"] * np.cos(t1["phi0"]),
            t2["d0"] * np.sin(t2["phi0"]), -t2["d0"] * np.cos(t2["phi0"]))
    best = None
    peri_ok = np.zeros(len(d), dtype=bool)
    for x1, y1, x2, y2 in [peri, *pts]:
        b1 = np.arctan2(y1 - c1y, x1 - c1x)
        b2 = np.arctan2(y2 - c2y, x2 - c2x)
        z1 = helix.z_at(b1, t1["d0"], t1["phi0"], pt1, t1["charge"], t1["z0"], t1["tanl"],
                        b_field)
        z2 = helix.z_at(b2, t2["d0"], t2["phi0"], pt2, t2["charge"], t2["z0"], t2["tanl"],
                        b_field)
        chi2 = ((x1 - x2) ** 2 + (y1 - y2) ** 2) / s_xy2 + (z1 - z2) ** 2 / s_z2
        sol = (x1, y1, z1, x2, y2, z2, b1, b2, chi2)
        if best is None:
            best, peri_ok = sol, chi2 < 9.0
        else:
            better = (chi2 < best[-1]) & ~peri_ok
            best = tuple(np.where(better, n, o) for n, o in zip(sol, best, strict=True))
    assert best is not None
    x1, y1, z1, x2, y2, z2, b1, b2, chi2 = best
    doca = np.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2 + (z1 - z2) ** 2)
    phi1 = helix.phi_at(b1, t1["charge"])
    phi2 = helix.phi_at(b2, t2["charge"])
    return {"x": 0.5 * (x1 + x2), "y": 0.5 * (y1 + y2), "z": 0.5 * (z1 + z2), "doca": doca,
            "chi2": chi2,
            "p1": np.stack([pt1 * np.cos(phi1), pt1 * np.sin(phi1), t1["pz"]], axis=-1),
            "p2": np.stack([pt2 * np.cos(phi2), pt2 * np.sin(phi2), t2["pz"]], axis=-1)}
