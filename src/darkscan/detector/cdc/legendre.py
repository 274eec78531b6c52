"""Baseline CDC track finder: Legendre transform of drift circles, then a second pass for displaced
tracks seeded by superlayer segments, and a helix fit of every candidate.

Pass 1 (tracks from the IP; the idea of basf2's CDC Legendre finder, Alexopoulos et al., NIM A
592 (2008) 456, as used in Belle II's ``TrackFinderCDCLegendreTracking``): circles through the
origin become straight lines under the conformal map w = (x, y)/(x² + y²); a drift circle of
radius r around the wire at (x, y) becomes a circle around (x, y)/(x² + y² − r²) with radius
r/(x² + y² − r²). A line at normal angle θ and distance ρ from the origin is tangent to it where
ρ = x' cos θ + y' sin θ ± r' (the Legendre transform, two sinusoids per hit). Each hit votes
along both sinusoids in a (θ, ρ) histogram; the fullest bin is a track (ρ = 1/(2R)), its hits
those within a tolerance of the line; they are removed from the histogram and the search
repeats. Axial hits only (stereo wires need z).

Pass 2 (displaced tracks): a circle not through the origin passes through its own hits, so the
same transform around a point *on* the track finds it. Remaining axial hits are grouped in
segments (connected neighbouring cells within a superlayer); the largest unused segment's centre
becomes the origin of a new Legendre transform of all remaining hits; a candidate is kept when
it combines hits of at least two axial superlayers.

Stereo hits then join a candidate where their wire, slid along its length, meets the circle
within the drift distance; z follows from the slide, and a straight-line fit of z against the
arc length gives tan λ and z0. The circle is fitted to the axial drift circles (algebraic fit to
the wires, then Gauss–Newton on |w − c| − R = ±drift with each hit's side taken from the
current circle). Charge: the sense of rotation of a track moving outward at its innermost hit.
"""

from __future__ import annotations

import numpy as np

from darkscan.detector.cdc.digitize import CDC_RESPONSE, drift_length, drift_time_from_tdc
from darkscan.detector.cdc.geometry import TWO_PI, cdc_geometry
from darkscan.detector.helix import K_CURVATURE
from darkscan.jit import jit

N_THETA = 256
N_RHO = 96
#: |ρ| range of pass 1: curvature radius ≥ 20 cm (p_T ≳ 0.09 GeV at 1.5 T)
RHO_MAX_IP = 1.0 / (2.0 * 20.0)
#: a hit belongs to a found line within this many cm (drift-circle distance)
HIT_TOL = 0.25
#: largest RMS distance (cm) of a candidate's axial drift circles from its fitted circle: one
#: particle's give ≈ 0.05 (the TDC drift time still holds the unknown signal propagation along
#: the wire and, for displaced tracks, the mother's flight time), two particles' merged ≈ 0.1
#: and more; 0.12 with 16 axial hits for displaced candidates chosen on the displaced
#: benchmark (0.09/12: 34.5% efficiency, 5.7% fakes; 0.12/16: 37.7%, 4.6%; 0.15/16: 40.1%,
#: 5.5%)
MAX_RMS = 0.12
MIN_HITS_IP = 10
#: outer radius of the wire layers (cm)
R_CDC_OUT = 111.4
MIN_HITS_DISPLACED = 16
MAX_TRACKS = 20


@jit
def _legendre_peak(u, v, rc, active, theta_c, theta_s, rho_max):  # pragma: no cover - compiled
    """Fullest (θ bin, ρ bin) of the Legendre histogram of the active conformal drift circles."""
    nt = theta_c.shape[0]
    hist = np.zeros((nt, N_RHO), np.int32)
    scale = N_RHO / (2.0 * rho_max)
    for i in range(u.shape[0]):
        if not active[i]:
            continue
        for t in range(nt):
            base = u[i] * theta_c[t] + v[i] * theta_s[t]
            for s in (-1.0, 1.0):
                b = int((base + s * rc[i] + rho_max) * scale)
                if 0 <= b < N_RHO:
                    hist[t, b] += 1
    best = -1
    bt, bb = 0, 0
    for t in range(nt):
        for b in range(N_RHO):
            # a track's votes straddle neighbouring ρ bins: score two adjacent bins
            c = hist[t, b] + (hist[t, b + 1] if b + 1 < N_RHO else 0)
            if c > best:
                best, bt, bb = c, t, b
    return bt, (bb + 1.0) / scale - rho_max, best


@jit
def _conformal(x, y, r, ox, oy):  # pragma: no cover - compiled
    n = x.shape[0]
    u = np.empty(n)
    v = np.empty(n)
    rc = np.empty(n)
    for i in range(n):
        dx, dy = x[i] - ox, y[i] - oy
        den = dx * dx + dy * dy - r[i] * r[i]
        den = den if abs(den) > 1e-6 else 1e-6
        u[i] = dx / den
        v[i] = dy / den
        rc[i] = r[i] / abs(den)
    return u, v, rc


@jit
def _circle_hits(x, y, r, active, cx, cy, rr, tol):  # pragma: no cover - compiled
    """Active hits whose drift circle touches the circle (centre, radius) within tol."""
    out = np.zeros(x.shape[0], np.bool_)
    for i in range(x.shape[0]):
        if active[i]:
            dist = abs(np.sqrt((x[i] - cx) ** 2 + (y[i] - cy) ** 2) - rr)
            out[i] = abs(dist - r[i]) < tol
    return out


def _refine(xa: np.ndarray, ya: np.ndarray, da: np.ndarray, active: np.ndarray, cx: float,
            cy: float, rr: float, min_hits: int) -> tuple[np.ndarray, float, float, float]:
    """Members of a Legendre candidate: hits near the circle with a tolerance that shrinks as
    the circle is refitted to them (the histogram bin fixes the circle only to a bin width,
    ≈ 0.5 cm at the outer layers)."""
    members = np.zeros(0, np.int64)
    for tol in (1.2, 0.6, HIT_TOL):
        members = np.flatnonzero(_circle_hits(xa, ya, da, active, cx, cy, rr, tol))
        if len(members) < min_hits:
            return members, cx, cy, rr
        cx, cy, rr = fit_circle(xa[members], ya[members], da[members], n_iter=3,
                                seed=(cx, cy, rr))
    members = np.flatnonzero(_circle_hits(xa, ya, da, active, cx, cy, rr, HIT_TOL))
    return members, cx, cy, rr


def _line_to_circle(theta: float, rho: float, ox: float, oy: float
                    ) -> tuple[float, float, float]:
    """Circle through (ox, oy) whose conformal image is the line (θ, ρ)."""
    rho = rho if abs(rho) > 1e-9 else 1e-9
    rr = 1.0 / (2.0 * abs(rho))
    return ox + np.cos(theta) / (2.0 * rho), oy + np.sin(theta) / (2.0 * rho), rr


@jit
def _gauss_newton(x, y, drift, cx, cy, rr, n_iter):  # pragma: no cover - compiled
    """Gauss–Newton steps of the drift-circle fit (3×3 normal equations)."""
    for _ in range(n_iter):
        a = np.zeros((3, 3))
        g = np.zeros(3)
        for i in range(x.shape[0]):
            dx, dy = x[i] - cx, y[i] - cy
            dist = max(np.sqrt(dx * dx + dy * dy), 1e-9)
            side = 1.0 if dist >= rr else -1.0
            res = dist - rr - side * drift[i]
            j0, j1, j2 = -dx / dist, -dy / dist, -1.0
            jj = (j0, j1, j2)
            for m in range(3):
                g[m] += jj[m] * res
                for n in range(3):
                    a[m, n] += jj[m] * jj[n]
        for m in range(3):
            a[m, m] += 1e-9
        step = np.linalg.solve(a, -g)
        cx, cy, rr = cx + step[0], cy + step[1], abs(rr + step[2])
    return cx, cy, rr


def fit_circle(x: np.ndarray, y: np.ndarray, drift: np.ndarray, n_iter: int = 4,
               seed: tuple[float, float, float] | None = None) -> tuple[float, float, float]:
    """Circle (cx, cy, R) through drift circles: algebraic (Kåsa) fit to the wires (or ``seed``),
    then Gauss–Newton on d_i = |w_i − c| − R ∓ drift_i, each side from the current circle."""
    if seed is None:
        a = np.column_stack([x, y, np.ones_like(x)])
        b = x * x + y * y
        sol, *_ = np.linalg.lstsq(a, b, rcond=None)
        cx, cy = sol[0] / 2.0, sol[1] / 2.0
        rr = float(np.sqrt(max(sol[2] + cx * cx + cy * cy, 1e-6)))
    else:
        cx, cy, rr = seed
    f = np.ascontiguousarray
    cx, cy, rr = _gauss_newton(f(x, float), f(y, float), f(drift, float), float(cx), float(cy),
                               float(rr), n_iter)
    return float(cx), float(cy), float(rr)


def stereo_z(geo, cl: np.ndarray, w: np.ndarray, drift: np.ndarray, cx: float, cy: float,
              rr: float, n_steps: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """For stereo hits: the z (along the wire) where the wire's drift circle best touches the
    track circle, and the residual there (cm)."""
    f = np.linspace(0.0, 1.0, n_steps)
    xb, yb, xf, yf = geo.wire_ends(cl, w)
    wx = xb[:, None] + f[None, :] * (xf - xb)[:, None]
    wy = yb[:, None] + f[None, :] * (yf - yb)[:, None]
    res = np.abs(np.abs(np.hypot(wx - cx, wy - cy) - rr) - drift[:, None])
    k = np.argmin(res, axis=1)
    # refine: parabola through the neighbours of the minimum
    km = np.clip(k, 1, n_steps - 2)
    r0, r1, r2 = (res[np.arange(len(k)), km + o] for o in (-1, 0, 1))
    den = r0 - 2 * r1 + r2
    shift = np.where(den > 1e-12, 0.5 * (r0 - r2) / np.where(den > 1e-12, den, 1.0), 0.0)
    fk = f[km] + np.clip(shift, -1, 1) * (f[1] - f[0])
    z = geo.z_bwd[cl] + fk * (geo.z_fwd[cl] - geo.z_bwd[cl])
    return z, res[np.arange(len(k)), k]


def _arc_length(x: np.ndarray, y: np.ndarray, cx: float, cy: float, rr: float, q: int,
                x0: float, y0: float) -> np.ndarray:
    """Transverse path length from (x0, y0) to the points (x, y) on the circle, moving with
    charge sign q (β decreases by q·s/R)."""
    b0 = np.arctan2(y0 - cy, x0 - cx)
    b = np.arctan2(y - cy, x - cx)
    return rr * np.mod(q * (b0 - b), TWO_PI)


def charge_sign(xa: np.ndarray, ya: np.ndarray, cx: float, cy: float) -> tuple[int, int]:
    """Charge sign of a track on the circle centred at (cx, cy) through hits (xa, ya), and the
    innermost hit. A track moving outward has at each hit the tangent t with t·x > 0, and a
    positive track has the centre on its right (c − x = R (sin φ, −cos φ)); every hit votes,
    so that a few hits of other particles (or beyond the circle's far point) do not decide."""
    rx, ry = xa - cx, ya - cy
    tx, ty = -ry, rx  # counter-clockwise tangents
    flip = tx * xa + ty * ya < 0
    tx, ty = np.where(flip, -tx, tx), np.where(flip, -ty, ty)
    votes = np.where(tx * (-ry) - ty * (-rx) < 0, 1, -1)
    i_in = int(np.argmin(np.hypot(xa, ya)))
    total = int(votes.sum())
    return (total > 0) - (total < 0) or int(votes[i_in]), i_in


def fit_circle_robust(xa: np.ndarray, ya: np.ndarray, da: np.ndarray
                      ) -> tuple[float, float, float, np.ndarray]:
    """:func:`fit_circle` of axial drift circles with outliers removed (residuals beyond three
    times the median, at least 0.5 mm): the circle and the mask of the hits it keeps."""
    keep = np.ones(len(xa), bool)
    cx, cy, rr = fit_circle(xa, ya, da)
    for _ in range(3):
        dist = np.abs(np.abs(np.hypot(xa - cx, ya - cy) - rr) - da)
        new = dist < max(3.0 * float(np.median(dist[keep])), 0.05)
        if np.array_equal(new, keep) or new.sum() < 5:
            break
        keep = new
        cx, cy, rr = fit_circle(xa[keep], ya[keep], da[keep], seed=(cx, cy, rr))
    return cx, cy, rr, keep


def track_2d(xa: np.ndarray, ya: np.ndarray, cx: float, cy: float, rr: float, b_field: float
             ) -> tuple[int, float, float]:
    """Charge, px, py at the innermost of hits (xa, ya) on the circle (cx, cy, rr)."""
    q, i_in = charge_sign(xa, ya, cx, cy)
    b_in = np.arctan2(ya[i_in] - cy, xa[i_in] - cx)
    pt = rr * K_CURVATURE * b_field
    return q, pt * q * np.sin(b_in), -pt * q * np.cos(b_in)


def fit_track_2d(xa: np.ndarray, ya: np.ndarray, da: np.ndarray, b_field: float
                 ) -> tuple[int, float, float] | None:
    """Charge, px, py (at the innermost hit) of axial drift circles from one particle
    (:func:`fit_circle_robust`); None with fewer than 5 hits."""
    if len(xa) < 5:
        return None
    cx, cy, rr, keep = fit_circle_robust(xa, ya, da)
    return track_2d(xa[keep], ya[keep], cx, cy, rr, b_field)


def _finish(geo, x, y, drift, cl, w, axial_idx, stereo_pool, cx, cy, rr, b_field
            ) -> dict[str, object] | None:
    """Helix of a candidate: circle fit, charge, stereo hits and the s–z fit."""
    for _ in range(3):  # fit, drop the hits the circle does not explain, refit
        xa, ya, da = x[axial_idx], y[axial_idx], drift[axial_idx]
        cx, cy, rr = fit_circle(xa, ya, da, seed=(cx, cy, rr))
        dist = np.abs(np.abs(np.hypot(xa - cx, ya - cy) - rr) - da)
        keep = dist < min(2 * HIT_TOL, max(3.0 * float(np.median(dist)), 0.05))
        if keep.all():
            break
        axial_idx = axial_idx[keep]
        if len(axial_idx) < 5:
            return None
    rms = float(np.sqrt(np.mean(dist[keep] ** 2)))
    if rms > MAX_RMS:
        return None  # drift circles of more than one particle
    xa, ya = x[axial_idx], y[axial_idx]
    q, i_in = charge_sign(xa, ya, cx, cy)
    x0, y0 = xa[i_in], ya[i_in]
    z = np.zeros(0)
    st_idx = np.zeros(0, np.int64)
    if len(stereo_pool):
        zs, res = stereo_z(geo, cl[stereo_pool], w[stereo_pool], drift[stereo_pool], cx, cy, rr)
        # on the arc of the axial hits (seen from the centre), not elsewhere on the circle
        b_ax = np.arctan2(ya - cy, xa - cx)
        ref = np.arctan2(np.mean(np.sin(b_ax)), np.mean(np.cos(b_ax)))
        rel_ax = (b_ax - ref + np.pi) % TWO_PI - np.pi
        wx, wy = geo.wire_at_z(cl[stereo_pool], w[stereo_pool], zs)
        rel = (np.arctan2(wy - cy, wx - cx) - ref + np.pi) % TWO_PI - np.pi
        margin = 2.0 / rr  # 2 cm of arc
        ok = ((res < HIT_TOL) & (rel >= rel_ax.min() - margin)
              & (rel <= rel_ax.max() + margin))
        st_idx, z = stereo_pool[ok], zs[ok]
    tanl, z0 = 0.0, 0.0
    if len(st_idx) >= 3:
        s = _arc_length(x[st_idx], y[st_idx], cx, cy, rr, q, x0, y0)
        a = np.column_stack([s, np.ones_like(s)])
        for _ in range(2):  # one outlier pass
            sol, *_ = np.linalg.lstsq(a, z, rcond=None)
            good = np.abs(a @ sol - z) < 3.0 + 2.0 * np.median(np.abs(a @ sol - z))
            a, z, st_idx, s = a[good], z[good], st_idx[good], s[good]
            if len(z) < 3:
                break
        tanl, z0 = float(sol[0]), float(sol[1])
    pt = rr * K_CURVATURE * b_field
    # momentum direction at the innermost hit: tangent, moving with charge q
    b_in = np.arctan2(y0 - cy, x0 - cx)
    dirx, diry = q * np.sin(b_in), -q * np.cos(b_in)
    d_c = np.hypot(cx, cy)
    return {"cx": cx, "cy": cy, "R": rr, "q": q, "px": pt * dirx, "py": pt * diry,
            "pz": pt * tanl, "x0": x0, "y0": y0, "z0": z0, "tanl": tanl,
            "d0": q * (d_c - rr), "rms": rms, "hits": np.concatenate([axial_idx, st_idx])}


def find_event(x: np.ndarray, y: np.ndarray, drift: np.ndarray, cl: np.ndarray,
               w: np.ndarray, sl: np.ndarray, b_field: float = 1.5
               ) -> list[dict[str, object]]:
    """Tracks of one event's hits (wire middle x, y; drift length; layer, wire, superlayer)."""
    geo = cdc_geometry()
    axial = geo.dphi_stereo[cl] == 0.0
    ax_idx = np.flatnonzero(axial)
    st_idx = np.flatnonzero(~axial)
    # axial wires are straight along z: their middle is their (x, y)
    xa, ya, da = x[ax_idx], y[ax_idx], drift[ax_idx]
    active = np.ones(len(ax_idx), np.bool_)
    st_free = np.ones(len(st_idx), bool)
    tracks: list[dict[str, object]] = []
    thetas = np.linspace(0.0, np.pi, N_THETA, endpoint=False) + 0.5 * np.pi / N_THETA
    tc, ts = np.cos(thetas), np.sin(thetas)

    def accept(members: np.ndarray, cx: float, cy: float, rr: float, min_hits: int,
               stage: int, split: bool = True) -> bool:
        if split and stage == 1 and 2.0 * rr > R_CDC_OUT and len(members):
            # a circle through the IP whose far point lies outside the chamber holds one track
            # per side of the line IP–centre: two back-to-back tracks of opposite charges
            # (e⁺e⁻ → μ⁺μ⁻) share one circle; each side is a candidate of its own
            side = cx * ya[members] - cy * xa[members] > 0
            if side.any() and not side.all():
                ok = [accept(members[sd], cx, cy, rr, min_hits, 1, False)
                      for sd in (side, ~side)]
                return any(ok)
        if len(members) < min_hits or len(np.unique(sl[ax_idx[members]])) < 2:
            return False
        trk = _finish(geo, x, y, drift, cl, w, ax_idx[members], st_idx[st_free], cx, cy, rr,
                      b_field)
        if trk is None:
            return False
        hits = np.asarray(trk["hits"])
        used_ax = np.isin(ax_idx, hits)
        active[used_ax] = False
        st_free[np.isin(st_idx, hits)] = False
        trk["stage"] = stage
        tracks.append(trk)
        return True

    u, v, rc = _conformal(xa, ya, da, 0.0, 0.0)
    voting = active.copy()
    for _ in range(2 * MAX_TRACKS):  # pass 1: from the IP
        t, rho, votes = _legendre_peak(u, v, rc, voting, tc, ts, RHO_MAX_IP)
        if votes < MIN_HITS_IP:
            break
        cx, cy, rr = _line_to_circle(thetas[t], rho, 0.0, 0.0)
        members, cx, cy, rr = _refine(xa, ya, da, voting, cx, cy, rr, MIN_HITS_IP)
        if len(members) == 0:
            break
        if not accept(members, cx, cy, rr, MIN_HITS_IP, 1):
            voting[members] = False  # not a track from the IP: leave these hits to pass 2
        voting &= active
    # pass 2: displaced tracks seeded by superlayer segments of the remaining hits
    active[:] = True
    for trk in tracks:
        active[np.isin(ax_idx, np.asarray(trk["hits"]))] = False
    segments = _segments(cl[ax_idx], w[ax_idx], sl[ax_idx], active)
    for seg in segments[:3 * MAX_TRACKS]:
        seg = seg[active[seg]]
        if len(seg) < 3:
            continue
        ox, oy = float(np.mean(xa[seg])), float(np.mean(ya[seg]))
        u2, v2, rc2 = _conformal(xa, ya, da, ox, oy)
        # circles through a point on the track: any radius ≥ 10 cm
        t, rho, votes = _legendre_peak(u2, v2, rc2, active, tc, ts, 1.0 / 20.0)
        if votes < MIN_HITS_DISPLACED:
            continue
        cx, cy, rr = _line_to_circle(thetas[t], rho, ox, oy)
        members, cx, cy, rr = _refine(xa, ya, da, active, cx, cy, rr, MIN_HITS_DISPLACED)
        accept(members, cx, cy, rr, MIN_HITS_DISPLACED, 2)
    return tracks


def _segments(cl: np.ndarray, w: np.ndarray, sl: np.ndarray, free: np.ndarray
              ) -> list[np.ndarray]:
    """Superlayer segments of the free hits, largest first: connected groups of neighbours
    (same superlayer, layers ±1, wires at most one cell apart in azimuth)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    idx = np.flatnonzero(free)
    if len(idx) == 0:
        return []
    geo = cdc_geometry()
    c = cl[idx]
    phi = TWO_PI * (w[idx] + geo.offset[c]) / geo.n_cells[c]
    pitch = TWO_PI / geo.n_cells[c]
    dphi = np.abs((phi[:, None] - phi[None, :] + np.pi) % TWO_PI - np.pi)
    adj = ((sl[idx][:, None] == sl[idx][None, :]) & (np.abs(c[:, None] - c[None, :]) <= 1)
           & (dphi <= 1.01 * np.maximum(pitch[:, None], pitch[None, :])))
    i, j = np.nonzero(adj)
    n_comp, label = connected_components(coo_matrix((np.ones(len(i)), (i, j)),
                                                    shape=(len(idx), len(idx))), directed=False)
    sizes = np.bincount(label, minlength=n_comp)
    order = np.argsort(-sizes, kind="stable")
    by_label = np.argsort(label, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    return [idx[by_label[starts[k]:starts[k + 1]]] for k in order if sizes[k] >= 3]


def find_tracks_legendre(table: dict[str, np.ndarray], b_field: float = 1.5
                         ) -> dict[str, np.ndarray]:
    """Tracks of every event of a hit table (rows sorted by ``evt_id``)."""
    geo = cdc_geometry()
    cl = np.asarray(table["cdchit_clayer"], np.int64)
    w = np.asarray(table["cdchit_wire"], np.int64)
    t_d = drift_time_from_tdc(table["cdchit_tdc"], geo.radius[cl], geo.z_bwd[cl])
    drift = drift_length(t_d, CDC_RESPONSE)
    x = np.asarray(table["cdchit_middle_x"], float)
    y = np.asarray(table["cdchit_middle_y"], float)
    sl = np.asarray(table["cdchit_superlayer"], np.int64)
    evt = np.asarray(table["evt_id"], np.int64)
    bounds = np.flatnonzero(np.diff(evt)) + 1
    starts = np.concatenate([[0], bounds])
    stops = np.concatenate([bounds, [len(evt)]])
    rows: dict[str, list] = {k: [] for k in ("evt_id", "charge", "px", "py", "pz", "d0", "z0",
                                             "tanl", "x_first", "y_first", "n_hits",
                                             "stage", "rms", "hit_index")}
    for a, b in zip(starts, stops, strict=True):
        if b <= a:
            continue
        for trk in find_event(x[a:b], y[a:b], drift[a:b], cl[a:b], w[a:b], sl[a:b], b_field):
            hits = np.sort(np.asarray(trk["hits"])) + a
            rows["evt_id"].append(evt[a])
            rows["charge"].append(trk["q"])
            for k in ("px", "py", "pz", "d0", "z0", "tanl"):
                rows[k].append(trk[k])
            rows["x_first"].append(trk["x0"])
            rows["y_first"].append(trk["y0"])
            rows["n_hits"].append(len(hits))
            rows["stage"].append(trk["stage"])
            rows["rms"].append(trk["rms"])
            rows["hit_index"].append(hits)
    return track_table(rows)


#: integer columns of a track table
_TRACK_INTS = {"evt_id": np.int64, "charge": np.int32, "n_hits": np.int64, "stage": np.int8}


def track_table(rows: dict[str, list]) -> dict[str, np.ndarray]:
    """A finder's track rows (lists per column) as the track table of :mod:`.finding`:
    float columns, the integer ones typed, ``hit_index`` an object array of hit-row arrays."""
    out = {k: np.asarray(v, float).astype(_TRACK_INTS.get(k, float))
           for k, v in rows.items() if k != "hit_index"}
    hi = np.empty(len(rows["hit_index"]), dtype=object)
    hi[:] = rows["hit_index"]
    out["hit_index"] = hi
    return out
