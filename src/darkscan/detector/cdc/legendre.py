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
becomes the origin of a new Legendre transform of all remaining hits, in the θ rows of the circles
tangent to the segment there (its principal axis ± :data:`SEED_THETA_WINDOW`); a candidate is
kept when it combines hits of at least two axial superlayers.

Stereo hits then join a candidate where their wire, slid along its length, meets the circle
within the drift distance; z follows from the slide, and a straight-line fit of z against the
arc length gives tan λ and z0. The circle is fitted to the axial drift circles (algebraic fit to
the wires, then Gauss–Newton on |w − c| − R = ±drift with each hit's side taken from the
current circle). Charge: the sense of rotation of a track moving outward at its innermost hit;
for a circle through the IP, the sense whose arc lengths put its stereo hits' z line through
z = 0 there, where that tells (:func:`_ip_sense`; a curler's hits lie on both half-turns).

Implementation: :func:`find_tracks_legendre` makes one compiled call, :func:`_find_all`, which
loops over the events (rows of flat hit columns between event offsets) inside numba and returns
the tracks as flat arrays (event, charge and stage, helix parameters, hit rows with offsets).
All kernels are ``jit_exact`` (no fastmath) with numpy's pairwise means, so that the finder's
discrete choices are those of the per-event numpy finder it replaced
(tests/detector/test_cdc_legendre_compiled.py): with fastmath, a conformal coordinate or a vote
at a bin edge could fall either way depending on how a kernel was compiled (alone, or into its
caller), and the seed circle of a refinement with it.
"""

from __future__ import annotations

import numpy as np

from darkscan.detector.cdc.digitize import CDC_RESPONSE, drift_length, drift_time_from_tdc
from darkscan.detector.cdc.geometry import TWO_PI, cdc_geometry
from darkscan.detector.helix import K_CURVATURE
from darkscan.jit import inline, jit_exact

N_THETA = 256
#: ρ bins: half a bin (δρ = ρ_max/N_RHO) moves a circle of the transform by δρ·d² at a distance
#: d from its origin, i.e. 1.3 cm at d = 100 cm in pass 2 (ρ_max = 1/20 cm⁻¹), about the first
#: tolerance of :func:`_refine` (1.2 cm), so a peak's circle still holds the hits at the far end
#: of a track seeded mid-chamber. With 96 bins (5 cm there) pass 2 kept 503 of 3 418 peaks on
#: the displaced benchmark, most failing the refinement with < 16 hits: 37.7% efficiency and
#: 4.6% fakes, against 53.3% and 3.6% with 384 (192: 48.3%, 768: 55.4%; prompt tracks 96.2% →
#: 97.9%)
N_RHO = 384
#: |ρ| range of pass 1: curvature radius ≥ 20 cm (p_T ≳ 0.09 GeV at 1.5 T)
RHO_MAX_IP = 1.0 / (2.0 * 20.0)
#: |ρ| range of pass 2 (circles through a point on the track): any radius ≥ 10 cm
RHO_MAX_DISPLACED = 1.0 / 20.0
#: Gauss–Newton steps of a candidate's refinement and of its helix fit
GN_STEPS_REFINE = 3
GN_STEPS_FIT = 4
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
#: a circle passing within this distance (cm) of the IP is tested for the sense of rotation by
#: its stereo hits (:func:`_ip_sense`)
D0_IP = 1.5
#: the other sense is taken when it puts the track's start nearer z = 0 by this much (cm) and
#: within :data:`Z_IP_TOL`: several times the ~1 cm z of a stereo-hit line at the IP
Z_IP_MARGIN = 3.0
Z_IP_TOL = 5.0
#: pass 2 votes only in the θ rows within this angle (rad) of the normal to its seed segment:
#: a segment of one superlayer (6–8 cells over 8–12 cm) gives its direction to ~0.1 rad
SEED_THETA_WINDOW = 0.3


@jit_exact
def _vote(hist, u, v, rc, i, theta_c, theta_s, rho_max, weight, t0=0, n_rows=-1
          ):  # pragma: no cover - compiled
    """Add (weight +1) or remove (−1) the votes of conformal drift circle i: both sinusoids
    ρ = u cos θ + v sin θ ± r in the θ rows t0, t0 + 1, … (``n_rows`` of them, modulo the
    θ bins: a line at θ + π is the one at θ with −ρ; all rows by default). A histogram of
    ``n_rows`` rows (a window) holds θ row t0 + j in its row j."""
    scale = N_RHO / (2.0 * rho_max)
    ui, vi, ri = u[i], v[i], rc[i]
    nt = theta_c.shape[0]
    window = hist.shape[0] < nt
    for j in range(nt if n_rows < 0 else n_rows):
        t = t0 + j  # (t0 + j) mod nt, without an integer division per row (0 ≤ t0 < nt)
        if t >= nt:
            t -= nt
        row = j if window else t
        base = ui * theta_c[t] + vi * theta_s[t]
        # the two sinusoids written out (a loop over the signs runs four times slower)
        b = int((base + -1.0 * ri + rho_max) * scale)
        if 0 <= b < N_RHO:
            hist[row, b] += weight
        b = int((base + 1.0 * ri + rho_max) * scale)
        if 0 <= b < N_RHO:
            hist[row, b] += weight


@jit_exact
def _row_best(hist, j):  # pragma: no cover - compiled
    """Best score of row j: the fullest pair of adjacent ρ bins (a track's votes straddle
    neighbouring bins; the last bin alone)."""
    m = hist[j, N_RHO - 1]
    for b in range(N_RHO - 1):
        m = max(m, hist[j, b] + hist[j, b + 1])
    return m


@jit_exact
def _peak_in_row(hist, j, best, rho_max):  # pragma: no cover - compiled
    """ρ of the first place in row j that scores ``best``."""
    scale = N_RHO / (2.0 * rho_max)
    for b in range(N_RHO):
        if hist[j, b] + (hist[j, b + 1] if b + 1 < N_RHO else 0) == best:
            return (b + 1.0) / scale - rho_max
    return 1.0 / scale - rho_max


@jit_exact
def _peak(hist, rho_max, t0=0, nt=-1):  # pragma: no cover - compiled
    """Fullest (θ bin, ρ bin) of a Legendre histogram: (θ bin, ρ, votes); the first fullest
    in (θ, ρ) order wins (the best score of every θ row first, then the place in the first
    best row). A window of rows (:func:`_vote`) holds θ bins t0, t0 + 1, … modulo ``nt``."""
    n_rows = hist.shape[0]
    nt = n_rows if nt < 0 else nt
    row = np.empty(n_rows, np.int64)
    best = 0
    for j in range(n_rows):
        row[j] = _row_best(hist, j)
        best = max(best, row[j])
    # rows in θ order: a window that wraps past the last θ bin starts with its wrapped part
    shift = nt - t0 if t0 + n_rows > nt else 0
    for jj in range(n_rows):
        j = (jj + shift) % n_rows
        if row[j] == best:
            return (t0 + j) % nt, _peak_in_row(hist, j, best, rho_max), best
    return t0 % nt, _peak_in_row(hist, 0, best, rho_max), best


@jit_exact
def _peak_bounded(hist, bound, rho_max):  # pragma: no cover - compiled
    """:func:`_peak` of a full histogram whose votes are only ever taken back since ``bound``
    (each row's best score, or more) was set: rows are rescored in the order of their bounds
    until no unscored row can reach the best score found, so that most rows, far from any
    remaining track, are not read; the bounds are updated. Same result as :func:`_peak`."""
    nt = hist.shape[0]
    scored = np.zeros(nt, np.bool_)
    best = 0
    while True:
        top, t_top = -1, -1
        for t in range(nt):
            if not scored[t] and bound[t] > top:
                top, t_top = bound[t], t
        if t_top < 0 or top < best:
            break
        bound[t_top] = _row_best(hist, t_top)
        scored[t_top] = True
        best = max(best, bound[t_top])
    for t in range(nt):  # unscored rows are below the best: the first best row in θ order
        if scored[t] and bound[t] == best:
            return t, _peak_in_row(hist, t, best, rho_max), best
    return 0, _peak_in_row(hist, 0, best, rho_max), best


@jit_exact
def _legendre_peak(u, v, rc, active, theta_c, theta_s, rho_max, t0=0, n_rows=-1
                   ):  # pragma: no cover - compiled
    """Fullest (θ bin, ρ bin) of the Legendre histogram of the active conformal drift circles,
    voting in the θ rows of :func:`_vote` (all by default; a window's histogram has only its
    rows)."""
    nt = theta_c.shape[0]
    window = 0 <= n_rows < nt
    hist = np.zeros((n_rows if window else nt, N_RHO), np.int16)
    for i in range(u.shape[0]):
        if active[i]:
            _vote(hist, u, v, rc, i, theta_c, theta_s, rho_max, 1, t0, n_rows)
    return _peak(hist, rho_max, t0 if window else 0, nt)


@jit_exact
def _principal_axis(xs, ys):  # pragma: no cover - compiled
    """Centroid and direction angle (mod π) of the principal axis of points (x, y)."""
    mx, my = _mean(xs), _mean(ys)
    sxx, syy, sxy = _mean((xs - mx) ** 2), _mean((ys - my) ** 2), _mean((xs - mx) * (ys - my))
    return mx, my, 0.5 * np.arctan2(2.0 * sxy, sxx - syy)


@jit_exact
def seed_rows(xs, ys, n_theta):  # pragma: no cover - compiled
    """(first row, rows) of the θ window of a pass-2 transform about a segment's centre: a
    circle through that point is tangent there to the track, so its centre, and the normal θ
    of its line in the conformal plane, lie across the segment's principal axis (± the
    :data:`SEED_THETA_WINDOW`)."""
    _, _, psi = _principal_axis(xs, ys)
    normal = _mod(psi + 0.5 * np.pi, np.pi)
    width = np.pi / n_theta
    half = int(np.ceil(SEED_THETA_WINDOW / width))
    return (int(normal / width) - half) % n_theta, 2 * half + 1


@jit_exact
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


@jit_exact
def _circle_hits(x, y, r, active, cx, cy, rr, tol):  # pragma: no cover - compiled
    """Active hits whose drift circle touches the circle (centre, radius) within tol."""
    out = np.zeros(x.shape[0], np.bool_)
    for i in range(x.shape[0]):
        if active[i]:
            dist = abs(np.sqrt((x[i] - cx) ** 2 + (y[i] - cy) ** 2) - rr)
            out[i] = abs(dist - r[i]) < tol
    return out


@jit_exact
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
        s0, s1, s2 = _solve3(a, -g[0], -g[1], -g[2])
        cx, cy, rr = cx + s0, cy + s1, abs(rr + s2)
    return cx, cy, rr


@inline
def _solve3(a, b0, b1, b2):  # pragma: no cover - compiled
    """x of the symmetric positive-definite 3×3 system a x = b by Cramer's rule (an inlined
    closed form: np.linalg.solve compiled LAPACK into every kernel that calls this one, 50 s
    of compilation from a cold cache)."""
    c00 = a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]
    c01 = a[1, 2] * a[2, 0] - a[1, 0] * a[2, 2]
    c02 = a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]
    det = a[0, 0] * c00 + a[0, 1] * c01 + a[0, 2] * c02
    x0 = (b0 * c00 + a[0, 1] * (a[1, 2] * b2 - b1 * a[2, 2])
          + a[0, 2] * (b1 * a[2, 1] - a[1, 1] * b2)) / det
    x1 = (a[0, 0] * (b1 * a[2, 2] - a[1, 2] * b2) + b0 * c01
          + a[0, 2] * (a[1, 0] * b2 - b1 * a[2, 0])) / det
    x2 = (a[0, 0] * (a[1, 1] * b2 - b1 * a[2, 1]) + a[0, 1] * (b1 * a[2, 0] - a[1, 0] * b2)
          + b0 * c02) / det
    return x0, x1, x2


# The finder's own kernels below are IEEE (``jit_exact``): they make the finder's discrete
# choices (tolerances, medians, segment order), which must not move with the compiler's
# reassociation. Sums and means follow numpy's pairwise summation.


@jit_exact
def _block_sum(a, lo, n):  # pragma: no cover - compiled
    """numpy's sum of a block (n ≤ 128): eight interleaved partial sums."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r = a[lo:lo + 8].copy()
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += a[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@jit_exact
def _mean(a):  # pragma: no cover - compiled
    """Mean with numpy's pairwise summation (bit for bit ``np.mean``): blocks of ≤ 128 summed
    as :func:`_block_sum`, halves (cut at a multiple of 8) added up the binary tree."""
    n = a.shape[0]
    if n <= 128:
        return _block_sum(a, 0, n) / n
    # the recursion of numpy's pairwise_sum, on explicit stacks
    lo_s = np.empty(64, np.int64)
    n_s = np.empty(64, np.int64)
    stage = np.empty(64, np.int64)
    vals = np.empty(64)
    top, nv = 1, 0
    lo_s[0], n_s[0], stage[0] = 0, n, 0
    while top:
        lo, m = lo_s[top - 1], n_s[top - 1]
        half = m // 2 - (m // 2) % 8
        if m <= 128:
            vals[nv] = _block_sum(a, lo, m)
            nv += 1
            top -= 1
        elif stage[top - 1] == 0:
            stage[top - 1] = 1
            lo_s[top], n_s[top], stage[top] = lo, half, 0
            top += 1
        elif stage[top - 1] == 1:
            stage[top - 1] = 2
            lo_s[top], n_s[top], stage[top] = lo + half, m - half, 0
            top += 1
        else:
            vals[nv - 2] = vals[nv - 2] + vals[nv - 1]
            nv -= 1
            top -= 1
    return vals[0] / n


@jit_exact
def _median(a):  # pragma: no cover - compiled
    s = np.sort(a)
    n = s.shape[0]
    if n % 2:
        return s[n // 2]
    return (s[n // 2 - 1] + s[n // 2]) / 2.0


@jit_exact
def _mod(a, b):  # pragma: no cover - compiled
    """numpy's float ``a % b`` (the sign of b)."""
    m = np.fmod(a, b)
    if m != 0.0:
        if (b < 0.0) != (m < 0.0):
            m += b
    else:
        m = np.copysign(0.0, b)
    return m


@jit_exact
def _refine(xa, ya, da, active, cx, cy, rr, min_hits, n_iter):  # pragma: no cover - compiled
    """Members of a Legendre candidate: hits near the circle with a tolerance that shrinks as
    the circle is refitted to them (the histogram bin fixes the circle only to a bin width,
    ≈ 0.5 cm at the outer layers)."""
    for tol in (1.2, 0.6, HIT_TOL):
        members = np.flatnonzero(_circle_hits(xa, ya, da, active, cx, cy, rr, tol))
        if members.shape[0] < min_hits:
            return members, cx, cy, rr
        cx, cy, rr = _gauss_newton(xa[members], ya[members], da[members], cx, cy, rr, n_iter)
    members = np.flatnonzero(_circle_hits(xa, ya, da, active, cx, cy, rr, HIT_TOL))
    return members, cx, cy, rr


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


def _layers(geo) -> np.ndarray:
    """Per-layer columns of the kernels: radius, z_bwd, z_fwd, cells, stagger, stereo Δφ."""
    return np.ascontiguousarray(np.column_stack(
        [geo.radius, geo.z_bwd, geo.z_fwd, geo.n_cells.astype(float), geo.offset,
         geo.dphi_stereo]))


@jit_exact
def _wire_phi(lay, c, w):  # pragma: no cover - compiled
    """Azimuth of the backward end of wire w of layer c (:meth:`CDCGeometry.wire_ends`)."""
    return TWO_PI * (w + lay[c, 4]) / lay[c, 3]


@jit_exact
def _wire_ends(lay, c, w):  # pragma: no cover - compiled
    """(x, y) of the backward and forward ends of wire w of layer c: xb, yb, xf, yf."""
    phib = _wire_phi(lay, c, w)
    phif = phib + lay[c, 5]
    r = lay[c, 0]
    return r * np.cos(phib), r * np.sin(phib), r * np.cos(phif), r * np.sin(phif)


@jit_exact
def _wire_xy(lay, c, w, z):  # pragma: no cover - compiled
    """(x, y) of wire w of layer c at height z (the straight wire between its ends)."""
    xb, yb, xf, yf = _wire_ends(lay, c, w)
    f = (z - lay[c, 1]) / (lay[c, 2] - lay[c, 1])
    return xb + f * (xf - xb), yb + f * (yf - yb)


@jit_exact
def _stereo_z(lay, cl, w, drift, cx, cy, rr, f, cut=np.inf):  # pragma: no cover - compiled
    """:func:`stereo_z` on the slide fractions f (``np.linspace(0, 1, n_steps)``). A wire
    whose drift circle stays farther than ``cut`` from the circle all along it gets z = NaN
    and residual ∞ without the scan: its distance from the centre lies between the
    segment's distance from it and the farther end's, so it cannot come within cut."""
    n, ns = cl.shape[0], f.shape[0]
    z = np.empty(n)
    out = np.empty(n)
    res = np.empty(ns)
    for i in range(n):
        c = cl[i]
        xb, yb, xf, yf = _wire_ends(lay, c, w[i])
        if cut < np.inf:
            ex, ey = xf - xb, yf - yb
            along = min(max(((cx - xb) * ex + (cy - yb) * ey) / (ex * ex + ey * ey), 0.0), 1.0)
            d_near = np.hypot(xb + along * ex - cx, yb + along * ey - cy)
            d_far = max(np.hypot(xb - cx, yb - cy), np.hypot(xf - cx, yf - cy))
            if rr < d_near - drift[i] - cut or rr > d_far + drift[i] + cut:
                z[i], out[i] = np.nan, np.inf
                continue
        k = 0
        for j in range(ns):
            wx = xb + f[j] * (xf - xb)
            wy = yb + f[j] * (yf - yb)
            res[j] = abs(abs(np.hypot(wx - cx, wy - cy) - rr) - drift[i])
            if res[j] < res[k]:
                k = j
        # refine: parabola through the neighbours of the minimum
        km = min(max(k, 1), ns - 2)
        r0, r1, r2 = res[km - 1], res[km], res[km + 1]
        den = r0 - 2 * r1 + r2
        shift = 0.5 * (r0 - r2) / den if den > 1e-12 else 0.0
        fk = f[km] + min(max(shift, -1.0), 1.0) * (f[1] - f[0])
        z[i] = lay[c, 1] + fk * (lay[c, 2] - lay[c, 1])
        out[i] = res[k]
    return z, out


def stereo_z(geo, cl: np.ndarray, w: np.ndarray, drift: np.ndarray, cx: float, cy: float,
             rr: float, n_steps: int = 48, cut: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """For stereo hits: the z (along the wire) where the wire's drift circle best touches the
    track circle, and the residual there (cm); with ``cut``, hits that cannot come within it
    get NaN and ∞ unscanned."""
    return _stereo_z(_layers(geo), np.asarray(cl, np.int64), np.asarray(w, np.int64),
                     np.asarray(drift, float), float(cx), float(cy), float(rr),
                     np.linspace(0.0, 1.0, n_steps), float(cut))


@jit_exact
def _charge_sign(xa, ya, cx, cy):  # pragma: no cover - compiled
    """:func:`charge_sign`."""
    total = 0
    i_in = 0
    v_in = 0
    r_in = np.inf
    for i in range(xa.shape[0]):
        rx, ry = xa[i] - cx, ya[i] - cy
        tx, ty = -ry, rx  # counter-clockwise tangents
        if tx * xa[i] + ty * ya[i] < 0:
            tx, ty = -tx, -ty
        vote = 1 if tx * (-ry) - ty * (-rx) < 0 else -1
        total += vote
        r = np.hypot(xa[i], ya[i])
        if r < r_in:
            r_in, i_in, v_in = r, i, vote
    if total > 0:
        return 1, i_in
    if total < 0:
        return -1, i_in
    return v_in, i_in


def charge_sign(xa: np.ndarray, ya: np.ndarray, cx: float, cy: float) -> tuple[int, int]:
    """Charge sign of a track on the circle centred at (cx, cy) through hits (xa, ya), and the
    innermost hit. A track moving outward has at each hit the tangent t with t·x > 0, and a
    positive track has the centre on its right (c − x = R (sin φ, −cos φ)); every hit votes,
    so that a few hits of other particles (or beyond the circle's far point) do not decide."""
    q, i_in = _charge_sign(np.asarray(xa, float), np.asarray(ya, float), float(cx), float(cy))
    return int(q), int(i_in)


@jit_exact
def _lsq3(b0, b1, b2, target):  # pragma: no cover - compiled
    """Least-squares coefficients of target ≈ c0 b0 + c1 b1 + c2 b2 (3×3 normal equations,
    a 10⁻⁹ ridge against an exactly degenerate basis)."""
    a = np.zeros((3, 3))
    g = np.zeros(3)
    for i in range(target.shape[0]):
        row = (b0[i], b1[i], b2[i])
        for m in range(3):
            g[m] += row[m] * target[i]
            for k in range(3):
                a[m, k] += row[m] * row[k]
    for m in range(3):
        a[m, m] += 1e-9
    return _solve3(a, g[0], g[1], g[2])


@jit_exact
def _kasa(x, y):  # pragma: no cover - compiled
    """Algebraic (Kåsa) circle through points: least squares of x² + y² = 2 cx x + 2 cy y + c,
    about the points' centroid (well conditioned), by its 3×3 normal equations."""
    mx, my = _mean(x), _mean(y)
    u, v = x - mx, y - my
    s0, s1, s2 = _lsq3(u, v, np.ones(x.shape[0]), u * u + v * v)
    cx, cy = s0 / 2.0, s1 / 2.0
    return mx + cx, my + cy, np.sqrt(max(s2 + cx * cx + cy * cy, 1e-6))


@jit_exact
def _fit_circle_robust(xa, ya, da):  # pragma: no cover - compiled
    """:func:`fit_circle_robust`."""
    keep = np.ones(xa.shape[0], np.bool_)
    cx, cy, rr = _kasa(xa, ya)
    cx, cy, rr = _gauss_newton(xa, ya, da, cx, cy, rr, GN_STEPS_FIT)
    for _ in range(3):
        dist = np.abs(np.abs(np.sqrt((xa - cx) ** 2 + (ya - cy) ** 2) - rr) - da)
        new = dist < max(3.0 * _median(dist[keep]), 0.05)
        if (new == keep).all() or new.sum() < 5:
            break
        keep = new
        cx, cy, rr = _gauss_newton(xa[keep], ya[keep], da[keep], cx, cy, rr, GN_STEPS_FIT)
    cx, cy, rr = _mirror_fit(xa[keep], ya[keep], da[keep], cx, cy, rr, GN_STEPS_FIT)
    return cx, cy, rr, keep


def fit_circle_robust(xa: np.ndarray, ya: np.ndarray, da: np.ndarray
                      ) -> tuple[float, float, float, np.ndarray]:
    """Circle through axial drift circles with outliers removed (residuals beyond three times
    the median, at least 0.5 mm): an algebraic fit to the wires, Gauss–Newton on the drift
    circles (:func:`fit_circle`), refitted without the outliers, then its mirror image tried
    (:func:`_mirror_fit`). Returns the circle and the mask of the hits it keeps."""
    f = np.ascontiguousarray
    cx, cy, rr, keep = _fit_circle_robust(f(xa, float), f(ya, float), f(da, float))
    return float(cx), float(cy), float(rr), keep


@jit_exact
def _through_ip(xa, ya, da, n_iter):  # pragma: no cover - compiled
    """Circle through drift circles and the IP: the IP joins them as a drift circle of radius 0
    (Kåsa start with the IP weighted as a quarter of the hits); (cx, cy, R, RMS distance of
    the hits, the IP's distance)."""
    n = xa.shape[0]
    k = max(n // 4, 1)
    x = np.zeros(n + k)
    y = np.zeros(n + k)
    d = np.zeros(n + k)
    x[:n], y[:n], d[:n] = xa, ya, da
    cx, cy, rr = _kasa(x, y)
    cx, cy, rr = _gauss_newton(x, y, d, cx, cy, rr, n_iter)
    dist = np.abs(np.abs(np.sqrt((xa - cx) ** 2 + (ya - cy) ** 2) - rr) - da)
    return cx, cy, rr, np.sqrt(_mean(dist ** 2)), abs(np.hypot(cx, cy) - rr)


def through_ip(xa: np.ndarray, ya: np.ndarray, da: np.ndarray
               ) -> tuple[float, float, float, float, float]:
    """:func:`_through_ip`: the circle through axial drift circles and the IP, the RMS distance
    of the drift circles from it and the IP's (cm)."""
    f = np.ascontiguousarray
    return tuple(float(v) for v in _through_ip(f(xa, float), f(ya, float), f(da, float),
                                               GN_STEPS_FIT))


def ip_sense(q: int, circle: tuple[float, float, float], xs: np.ndarray, ys: np.ndarray,
             zs: np.ndarray) -> int:
    """:func:`_ip_sense`: the charge sign of a circle (cx, cy, R) through the IP region from its
    stereo hits (wire positions xs, ys; heights zs), q where they cannot tell."""
    f = np.ascontiguousarray
    return int(_ip_sense(int(q), *(float(c) for c in circle), f(xs, float), f(ys, float),
                         f(zs, float)))


def track_2d(xa: np.ndarray, ya: np.ndarray, cx: float, cy: float, rr: float, b_field: float
             ) -> tuple[int, float, float]:
    """Charge, px, py at the innermost of hits (xa, ya) on the circle (cx, cy, rr)."""
    q, i_in = charge_sign(xa, ya, cx, cy)
    b_in = np.arctan2(ya[i_in] - cy, xa[i_in] - cx)
    pt = rr * K_CURVATURE * b_field
    return q, pt * q * np.sin(b_in), -pt * q * np.cos(b_in)


@jit_exact
def _chi2(x, y, drift, cx, cy, rr):  # pragma: no cover - compiled
    """Σ of the squared distances of the drift circles from the circle."""
    total = 0.0
    for i in range(x.shape[0]):
        d = abs(abs(np.hypot(x[i] - cx, y[i] - cy) - rr) - drift[i])
        total += d * d
    return total


@jit_exact
def _parabola_circle(x, y, drift, mx, my, ux, uy):  # pragma: no cover - compiled
    """Circle (cx, cy, R) osculating the parabola o = a + b t + c t² (t along the axis
    (ux, uy) through (mx, my), o across it) fitted to the drift circles, each hit's side
    (o_wire ± drift) taken from the current parabola, starting from the axis itself."""
    n = x.shape[0]
    t = np.empty(n)
    o = np.empty(n)
    side = np.empty(n)
    for i in range(n):
        t[i] = (x[i] - mx) * ux + (y[i] - my) * uy
        o[i] = -(x[i] - mx) * uy + (y[i] - my) * ux
        side[i] = -1.0 if o[i] > 0.0 else 1.0  # the track lies towards the axis
    pa, pb, pc = 0.0, 0.0, 0.0
    for _ in range(8):
        pa, pb, pc = _lsq3(np.ones(n), t, t * t, o + side * drift)
        changed = False
        for i in range(n):
            new = 1.0 if pa + pb * t[i] + pc * t[i] * t[i] >= o[i] else -1.0
            changed = changed or new != side[i]
            side[i] = new
        if not changed:
            break
    if abs(pc) < 1e-7:
        pc = 1e-7 if pc >= 0.0 else -1e-7
    w = 1.0 + pb * pb
    ct, co = -pb * w / (2.0 * pc), pa + w / (2.0 * pc)  # the centre in (t, o)
    return mx + ct * ux - co * uy, my + ct * uy + co * ux, w ** 1.5 / (2.0 * abs(pc))


@jit_exact
def _mirror_fit(x, y, drift, cx, cy, rr, n_iter):  # pragma: no cover - compiled
    """The fitted circle, its mirror image across the hits' principal axis, or the circle of a
    parabola fit about that axis (:func:`_parabola_circle`), each refitted: the one nearest
    the drift circles. A centre–radius fit cannot pass through zero curvature, so it keeps
    the bending sign of its start, and for a stiff track the start's sign is a guess: the
    sagitta of a 2 GeV track over 60 cm, 1 mm, is below the spread of the wires about it (the
    drift distances, up to a cell's half-width) that a Legendre bin or an algebraic fit to the
    wires sees; the drift circles themselves resolve it. The mirror alone is not enough for a
    short arc, whose start may be far off in radius too: a 3 GeV track produced at r = 70 cm
    got the right charge 39% of the time with it, 98% with the parabola."""
    mx, my, psi = _principal_axis(x, y)
    ux, uy = np.cos(psi), np.sin(psi)
    dx, dy = cx - mx, cy - my
    along = dx * ux + dy * uy
    mcx, mcy, mrr = _gauss_newton(x, y, drift, mx + 2.0 * along * ux - dx,
                                  my + 2.0 * along * uy - dy, rr, n_iter)
    best = _chi2(x, y, drift, cx, cy, rr)
    bx, by, br = cx, cy, rr
    c2 = _chi2(x, y, drift, mcx, mcy, mrr)
    if c2 < best:
        best, bx, by, br = c2, mcx, mcy, mrr
    # a start that may bend either way: a parabola about the axis (free to pass through zero
    # curvature, which a centre-radius fit cannot), its drift sides from itself
    pcx, pcy, prr = _parabola_circle(x, y, drift, mx, my, ux, uy)
    pcx, pcy, prr = _gauss_newton(x, y, drift, pcx, pcy, prr, n_iter)
    c2 = _chi2(x, y, drift, pcx, pcy, prr)
    if c2 < best:
        best, bx, by, br = c2, pcx, pcy, prr
    return bx, by, br


#: the helix parameters of a candidate (:func:`_finish`), in this order
_PARAMS = ("cx", "cy", "R", "px", "py", "pz", "x0", "y0", "z0", "tanl", "d0", "rms")
N_PARAMS = len(_PARAMS)


@jit_exact
def _finish(x, y, drift, cl, w, lay, f, axial_idx, stereo_pool, cx, cy, rr, cfg
            ):  # pragma: no cover - compiled
    """Helix of a candidate: circle fit, charge, stereo hits and the s–z fit (cfg:
    :func:`_settings`). Returns (ok, q, the :data:`_PARAMS`, axial hits, stereo hits)."""
    par = np.zeros(N_PARAMS)
    none = np.zeros(0, np.int64)
    n = axial_idx.shape[0]
    dist = np.empty(n)
    keep = np.ones(n, np.bool_)
    for _ in range(3):  # fit, drop the hits the circle does not explain, refit
        xa, ya, da = x[axial_idx], y[axial_idx], drift[axial_idx]
        cx, cy, rr = _gauss_newton(xa, ya, da, cx, cy, rr, cfg[3])
        dist = np.abs(np.abs(np.hypot(xa - cx, ya - cy) - rr) - da)
        keep = dist < min(2 * HIT_TOL, max(3.0 * _median(dist), 0.05))
        if keep.all():
            break
        axial_idx = axial_idx[keep]
        if axial_idx.shape[0] < 5:
            return False, 0, par, none, none
    xa, ya, da = x[axial_idx], y[axial_idx], drift[axial_idx]
    cx, cy, rr = _mirror_fit(xa, ya, da, cx, cy, rr, cfg[3])
    dist = np.abs(np.abs(np.hypot(xa - cx, ya - cy) - rr) - da)
    rms = np.sqrt(_mean(dist ** 2))
    if rms > MAX_RMS:
        return False, 0, par, none, none  # drift circles of more than one particle
    q, i_in = _charge_sign(xa, ya, cx, cy)
    x0, y0 = xa[i_in], ya[i_in]
    z = np.zeros(0)
    st_idx = none
    if stereo_pool.shape[0]:
        zs, res = _stereo_z(lay, cl[stereo_pool], w[stereo_pool], drift[stereo_pool], cx, cy,
                            rr, f, HIT_TOL)
        # on the arc of the axial hits (seen from the centre), not elsewhere on the circle
        b_ax = np.arctan2(ya - cy, xa - cx)
        ref = np.arctan2(_mean(np.sin(b_ax)), _mean(np.cos(b_ax)))
        lo, hi = np.inf, -np.inf
        for b in b_ax:
            rel = _mod(b - ref + np.pi, TWO_PI) - np.pi
            lo, hi = min(lo, rel), max(hi, rel)
        margin = 2.0 / rr  # 2 cm of arc
        ok = np.zeros(zs.shape[0], np.bool_)
        for i in range(zs.shape[0]):
            if res[i] >= HIT_TOL:
                continue
            k = stereo_pool[i]
            wx, wy = _wire_xy(lay, cl[k], w[k], zs[i])
            rel = _mod(np.arctan2(wy - cy, wx - cx) - ref + np.pi, TWO_PI) - np.pi
            ok[i] = rel >= lo - margin and rel <= hi + margin
        st_idx, z = stereo_pool[ok], zs[ok]
    tanl, z0 = 0.0, 0.0
    if st_idx.shape[0] >= 3:
        q = _ip_sense(q, cx, cy, rr, x[st_idx], y[st_idx], z)
        b0 = np.arctan2(y0 - cy, x0 - cx)
        s = np.empty(st_idx.shape[0])
        for i in range(s.shape[0]):  # transverse path length from the innermost hit
            b = np.arctan2(y[st_idx[i]] - cy, x[st_idx[i]] - cx)
            s[i] = rr * _mod(q * (b0 - b), TWO_PI)
        tanl, z0, good = _robust_line(s, z)
        st_idx = st_idx[good]
    pt = rr * K_CURVATURE * cfg[4]
    # momentum direction at the innermost hit: tangent, moving with charge q
    b_in = np.arctan2(y0 - cy, x0 - cx)
    dirx, diry = q * np.sin(b_in), -q * np.cos(b_in)
    d_c = np.hypot(cx, cy)
    par[0], par[1], par[2] = cx, cy, rr
    par[3], par[4], par[5] = pt * dirx, pt * diry, pt * tanl
    par[6], par[7], par[8], par[9] = x0, y0, z0, tanl
    par[10], par[11] = q * (d_c - rr), rms
    return True, q, par, axial_idx, st_idx


@jit_exact
def _line_fit(s, z):  # pragma: no cover - compiled
    """Least-squares line z = tanl·s + z0 (the minimum-norm solution if all s are equal)."""
    sm, zm = _mean(s), _mean(z)
    sxx, sxz = 0.0, 0.0
    for i in range(s.shape[0]):
        sxx += (s[i] - sm) ** 2
        sxz += (s[i] - sm) * (z[i] - zm)
    if sxx > 0.0:
        tanl = sxz / sxx
        return tanl, zm - tanl * sm
    return sm * zm / (sm * sm + 1.0), zm / (sm * sm + 1.0)


@jit_exact
def _robust_line(s, z):  # pragma: no cover - compiled
    """:func:`_line_fit` of z against s with one pass dropping points beyond 3 cm + twice the
    median deviation: (tan λ, z0, mask of the points kept)."""
    keep = np.ones(s.shape[0], np.bool_)
    tanl, z0 = 0.0, 0.0
    for _ in range(2):
        tanl, z0 = _line_fit(s[keep], z[keep])
        dev = np.abs(s * tanl + z0 - z)
        good = keep & (dev < 3.0 + 2.0 * _median(dev[keep]))
        keep = good
        if keep.sum() < 3:
            break
    return tanl, z0, keep


@jit_exact
def _ip_sense(q, cx, cy, rr, xs, ys, zs):  # pragma: no cover - compiled
    """Sense of rotation (charge sign) of a circle through the IP region from its stereo hits
    (positions xs, ys on the circle, heights zs): z grows linearly with the arc length from the
    IP, so the sense whose arc lengths put z(IP) near 0 is the particle's. The hits alone do
    not tell it for a curler, whose outgoing and returning half-turns are both on the circle
    (the other sense gives the same line with z(IP) off by tan λ · 2πR). Keeps q when the
    circle misses the IP, when there are fewer than three hits, or when tan λ is too small to
    tell."""
    if abs(np.hypot(cx, cy) - rr) > D0_IP or xs.shape[0] < 3:
        return q
    b_ip = np.arctan2(-cy, -cx)
    z_ip = np.empty(2)
    for k in range(2):
        sense = q if k == 0 else -q
        s = np.empty(xs.shape[0])
        for i in range(xs.shape[0]):
            s[i] = rr * _mod(sense * (b_ip - np.arctan2(ys[i] - cy, xs[i] - cx)), TWO_PI)
        _, z0, keep = _robust_line(s, zs)
        z_ip[k] = abs(z0) if keep.sum() >= 3 else np.inf
    if z_ip[1] < Z_IP_TOL and z_ip[1] + Z_IP_MARGIN < z_ip[0]:
        return -q
    return q


@jit_exact
def _segments(cl, w, sl, free, lay):  # pragma: no cover - compiled
    """Superlayer segments of the free hits, largest first (ties: the one with the first hit
    first), each in hit order: connected groups of neighbours (same superlayer, layers ±1,
    wires at most one cell apart in azimuth). Returns the members and their offsets."""
    idx = np.flatnonzero(free)
    n = idx.shape[0]
    phi = np.empty(n)
    pitch = np.empty(n)
    for i in range(n):
        c = cl[idx[i]]
        phi[i] = _wire_phi(lay, c, w[idx[i]])
        pitch[i] = TWO_PI / lay[c, 3]
    label = np.full(n, -1, np.int64)
    stack = np.empty(n, np.int64)
    n_comp = 0
    for start in range(n):  # depth-first, components numbered by their first hit
        if label[start] >= 0:
            continue
        label[start] = n_comp
        top = 1
        stack[0] = start
        while top:
            top -= 1
            i = stack[top]
            a = idx[i]
            for j in range(n):
                if label[j] >= 0:
                    continue
                b = idx[j]
                if sl[a] != sl[b] or abs(cl[a] - cl[b]) > 1:
                    continue
                # the graph is undirected: an edge either way (as scipy's csgraph)
                lim = 1.01 * max(pitch[i], pitch[j])
                if (abs(_mod(phi[i] - phi[j] + np.pi, TWO_PI) - np.pi) <= lim
                        or abs(_mod(phi[j] - phi[i] + np.pi, TWO_PI) - np.pi) <= lim):
                    label[j] = n_comp
                    stack[top] = j
                    top += 1
        n_comp += 1
    sizes = np.zeros(n_comp, np.int64)
    for i in range(n):
        sizes[label[i]] += 1
    order = np.argsort(-sizes, kind="mergesort")
    first = np.zeros(n_comp + 1, np.int64)
    for k in range(n_comp):
        first[k + 1] = first[k] + sizes[k]
    fill = first[:-1].copy()
    by_label = np.empty(n, np.int64)
    for i in range(n):
        by_label[fill[label[i]]] = idx[i]
        fill[label[i]] += 1
    members = np.empty(n, np.int64)
    offsets = np.zeros(n_comp + 1, np.int64)
    n_seg = 0
    for k in order:
        if sizes[k] < 3:
            break
        members[offsets[n_seg]:offsets[n_seg] + sizes[k]] = by_label[first[k]:first[k + 1]]
        offsets[n_seg + 1] = offsets[n_seg] + sizes[k]
        n_seg += 1
    return members, offsets[:n_seg + 1]


@jit_exact
def _line_to_circle(cos_t, sin_t, rho, ox, oy):  # pragma: no cover - compiled
    """Circle through (ox, oy) whose conformal image is the line (θ, ρ)."""
    rho = rho if abs(rho) > 1e-9 else 1e-9
    rr = 1.0 / (2.0 * abs(rho))
    return ox + cos_t / (2.0 * rho), oy + sin_t / (2.0 * rho), rr


@jit_exact
def _accept(x, y, drift, cl, w, sl, lay, f, cfg, ax_idx, st_idx, pos, active, st_free,
            members, cx, cy, rr, min_hits, stage, trk_q, trk_par, hits, hit_off, n_trk
            ):  # pragma: no cover - compiled
    """Keep a candidate (members: positions among the axial hits) if it has enough hits in at
    least two superlayers and its helix fit succeeds: its hits leave the pools, the track
    goes to the event's buffers. Returns (kept, tracks in the buffers)."""
    if members.shape[0] < min_hits:
        return False, n_trk
    s0 = sl[ax_idx[members[0]]]
    two = False
    for m in members:
        two = two or sl[ax_idx[m]] != s0
    if not two:
        return False, n_trk
    ok, q, par, a_hits, s_hits = _finish(x, y, drift, cl, w, lay, f, ax_idx[members],
                                         st_idx[st_free], cx, cy, rr, cfg)
    if not ok:
        return False, n_trk
    for h in a_hits:
        active[pos[h]] = False
    for h in s_hits:
        st_free[pos[h]] = False
    trk_q[n_trk, 0] = q
    trk_q[n_trk, 1] = stage
    trk_par[n_trk] = par
    start = hit_off[n_trk]
    n_a = a_hits.shape[0]
    hits[start:start + n_a] = a_hits
    hits[start + n_a:start + n_a + s_hits.shape[0]] = s_hits
    hit_off[n_trk + 1] = start + n_a + s_hits.shape[0]
    hits[start:hit_off[n_trk + 1]] = np.sort(hits[start:hit_off[n_trk + 1]])
    return True, n_trk + 1


#: most tracks of one event: two per pass-1 search (a split circle), one per pass-2 segment
_MAX_EVENT_TRACKS = 2 * 2 * MAX_TRACKS + 3 * MAX_TRACKS


@jit_exact
def _find_event(x, y, drift, cl, w, sl, lay, tc, ts, f, cfg):  # pragma: no cover
    """Tracks of one event's hits (wire middle x, y; drift length; layer, wire, superlayer;
    cfg: :func:`_settings`):
    (number, [charge, stage] rows, :data:`_PARAMS` rows, their hits (sorted, flat), the
    offsets of each track's hits)."""
    n = x.shape[0]
    axial = np.empty(n, np.bool_)
    for i in range(n):
        axial[i] = lay[cl[i], 5] == 0.0
    ax_idx = np.flatnonzero(axial)
    st_idx = np.flatnonzero(~axial)
    pos = np.empty(n, np.int64)  # a hit's position among the axial or among the stereo hits
    pos[ax_idx] = np.arange(ax_idx.shape[0])
    pos[st_idx] = np.arange(st_idx.shape[0])
    # axial wires are straight along z: their middle is their (x, y)
    xa, ya, da = x[ax_idx], y[ax_idx], drift[ax_idx]
    active = np.ones(ax_idx.shape[0], np.bool_)
    st_free = np.ones(st_idx.shape[0], np.bool_)
    trk_q = np.zeros((_MAX_EVENT_TRACKS, 2), np.int64)
    trk_par = np.zeros((_MAX_EVENT_TRACKS, N_PARAMS))
    hits = np.empty(n, np.int64)
    hit_off = np.zeros(_MAX_EVENT_TRACKS + 1, np.int64)
    n_trk = 0

    u, v, rc = _conformal(xa, ya, da, 0.0, 0.0)
    voting = active.copy()
    # pass 1's histogram is kept: hits that stop voting take their votes back
    hist = np.zeros((tc.shape[0], N_RHO), np.int16)
    for i in range(voting.shape[0]):
        _vote(hist, u, v, rc, i, tc, ts, cfg[0], 1)
    bound = np.full(tc.shape[0], np.iinfo(np.int64).max)  # every row scored at first
    for _ in range(2 * MAX_TRACKS):  # pass 1: from the IP
        t, rho, votes = _peak_bounded(hist, bound, cfg[0])
        if votes < MIN_HITS_IP:
            break
        cx, cy, rr = _line_to_circle(tc[t], ts[t], rho, 0.0, 0.0)
        members, cx, cy, rr = _refine(xa, ya, da, voting, cx, cy, rr, MIN_HITS_IP, cfg[2])
        if members.shape[0] == 0:
            break
        voted = voting.copy()
        ok = False
        split = False
        if 2.0 * rr > R_CDC_OUT:
            # a circle through the IP whose far point lies outside the chamber holds one track
            # per side of the line IP–centre: two back-to-back tracks of opposite charges
            # (e⁺e⁻ → μ⁺μ⁻) share one circle; each side is a candidate of its own
            side = cx * ya[members] - cy * xa[members] > 0
            split = side.any() and not side.all()
            if split:
                ok1, n_trk = _accept(x, y, drift, cl, w, sl, lay, f, cfg, ax_idx, st_idx,
                                     pos, active, st_free, members[side], cx, cy, rr,
                                     MIN_HITS_IP, 1, trk_q, trk_par, hits, hit_off, n_trk)
                ok2, n_trk = _accept(x, y, drift, cl, w, sl, lay, f, cfg, ax_idx, st_idx,
                                     pos, active, st_free, members[~side], cx, cy, rr,
                                     MIN_HITS_IP, 1, trk_q, trk_par, hits, hit_off, n_trk)
                ok = ok1 or ok2
        if not split:
            ok, n_trk = _accept(x, y, drift, cl, w, sl, lay, f, cfg, ax_idx, st_idx, pos,
                                active, st_free, members, cx, cy, rr, MIN_HITS_IP, 1, trk_q,
                                trk_par, hits, hit_off, n_trk)
        if not ok:
            voting[members] = False  # not a track from the IP: leave these hits to pass 2
        for i in range(voting.shape[0]):
            if voted[i] and not (voting[i] and active[i]):
                voting[i] = False
                _vote(hist, u, v, rc, i, tc, ts, cfg[0], -1)
    # pass 2: displaced tracks seeded by superlayer segments of the remaining hits
    seg_hits, seg_off = _segments(cl[ax_idx], w[ax_idx], sl[ax_idx], active, lay)
    for k in range(min(seg_off.shape[0] - 1, 3 * MAX_TRACKS)):
        seg = seg_hits[seg_off[k]:seg_off[k + 1]]
        seg = seg[active[seg]]
        if seg.shape[0] < 3:
            continue
        ox, oy = _mean(xa[seg]), _mean(ya[seg])
        u2, v2, rc2 = _conformal(xa, ya, da, ox, oy)
        # circles through a point on the track, tangent to the segment: any radius ≥ 10 cm
        t0, n_rows = seed_rows(xa[seg], ya[seg], tc.shape[0])
        t, rho, votes = _legendre_peak(u2, v2, rc2, active, tc, ts, cfg[1], t0, n_rows)
        if votes < MIN_HITS_DISPLACED:
            continue
        cx, cy, rr = _line_to_circle(tc[t], ts[t], rho, ox, oy)
        members, cx, cy, rr = _refine(xa, ya, da, active, cx, cy, rr, MIN_HITS_DISPLACED,
                                      cfg[2])
        _, n_trk = _accept(x, y, drift, cl, w, sl, lay, f, cfg, ax_idx, st_idx, pos,
                           active, st_free, members, cx, cy, rr, MIN_HITS_DISPLACED, 2, trk_q,
                           trk_par, hits, hit_off, n_trk)
    return n_trk, trk_q, trk_par, hits, hit_off


@jit_exact
def _find_all(x, y, drift, cl, w, sl, starts, stops, lay, tc, ts, f, cfg
              ):  # pragma: no cover - compiled
    """:func:`_find_event` of every event (rows starts[e]:stops[e]): the tracks' event,
    [charge, stage], :data:`_PARAMS`, hit rows (flat, sorted per track) and hit offsets."""
    cap = max(16, 2 * starts.shape[0])
    evt = np.empty(cap, np.int64)
    trk_q = np.empty((cap, 2), np.int64)
    trk_par = np.empty((cap, N_PARAMS))
    hit_off = np.zeros(cap + 1, np.int64)
    hits = np.empty(x.shape[0], np.int64)  # a hit belongs to one track at most
    n_trk = 0
    for e in range(starts.shape[0]):
        a, b = starts[e], stops[e]
        if b <= a:
            continue
        k, eq, epar, ehits, eoff = _find_event(x[a:b], y[a:b], drift[a:b], cl[a:b], w[a:b],
                                               sl[a:b], lay, tc, ts, f, cfg)
        if n_trk + k > cap:
            cap = max(2 * cap, n_trk + k)
            evt2 = np.empty(cap, np.int64)
            evt2[:n_trk] = evt[:n_trk]
            q2 = np.empty((cap, 2), np.int64)
            q2[:n_trk] = trk_q[:n_trk]
            par2 = np.empty((cap, N_PARAMS))
            par2[:n_trk] = trk_par[:n_trk]
            off2 = np.zeros(cap + 1, np.int64)
            off2[:n_trk + 1] = hit_off[:n_trk + 1]
            evt, trk_q, trk_par, hit_off = evt2, q2, par2, off2
        h0 = hit_off[n_trk]
        hits[h0:h0 + eoff[k]] = ehits[:eoff[k]] + a
        for j in range(k):
            evt[n_trk] = e
            trk_q[n_trk] = eq[j]
            trk_par[n_trk] = epar[j]
            hit_off[n_trk + 1] = h0 + eoff[j + 1]
            n_trk += 1
    return (evt[:n_trk], trk_q[:n_trk], trk_par[:n_trk], hits[:hit_off[n_trk]],
            hit_off[:n_trk + 1])


def _settings(b_field: float) -> tuple[float, float, int, int, float]:
    """The kernels' run-time settings: ρ ranges of passes 1 and 2, Gauss–Newton steps of the
    refinement and of the fit, B (T). Arguments, not compile-time constants: a constant step
    count lets the compiler unroll the (fastmath) Gauss–Newton and reassociate across steps."""
    return RHO_MAX_IP, RHO_MAX_DISPLACED, GN_STEPS_REFINE, GN_STEPS_FIT, float(b_field)


def find_tracks_legendre(table: dict[str, np.ndarray], b_field: float = 1.5
                         ) -> dict[str, np.ndarray]:
    """Tracks of every event of a hit table (rows sorted by ``evt_id``): one compiled call
    over all events."""
    geo = cdc_geometry()
    cl = np.asarray(table["cdchit_clayer"], np.int64)
    w = np.asarray(table["cdchit_wire"], np.int64)
    t_d = drift_time_from_tdc(table["cdchit_tdc"], geo.radius[cl], geo.z_bwd[cl])
    drift = np.ascontiguousarray(drift_length(t_d, CDC_RESPONSE), float)
    x = np.ascontiguousarray(table["cdchit_middle_x"], float)
    y = np.ascontiguousarray(table["cdchit_middle_y"], float)
    sl = np.asarray(table["cdchit_superlayer"], np.int64)
    evt = np.asarray(table["evt_id"], np.int64)
    bounds = np.flatnonzero(np.diff(evt)) + 1
    starts = np.concatenate([[0], bounds]).astype(np.int64)
    stops = np.concatenate([bounds, [len(evt)]]).astype(np.int64)
    thetas = np.linspace(0.0, np.pi, N_THETA, endpoint=False) + 0.5 * np.pi / N_THETA
    e, qs, par, hits, off = _find_all(x, y, drift, cl, w, sl, starts, stops, _layers(geo),
                                      np.cos(thetas), np.sin(thetas),
                                      np.linspace(0.0, 1.0, 48), _settings(b_field))
    p = dict(zip(_PARAMS, par.T, strict=True))
    rows = {"evt_id": evt[starts[e]], "charge": qs[:, 0], "px": p["px"], "py": p["py"],
            "pz": p["pz"], "d0": p["d0"], "z0": p["z0"], "tanl": p["tanl"],
            "x_first": p["x0"], "y_first": p["y0"], "n_hits": np.diff(off), "stage": qs[:, 1],
            "rms": p["rms"], "hit_index": np.split(hits, off[1:-1]) if len(e) else []}
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
