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

import numpy as np

from darkscan.jit import inline, jit

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


@inline
def wrap_one(a):  # pragma: no cover - compiled
    """:func:`wrap` of one angle, for kernels: to (−π, π]."""
    return a - TWO_PI * np.ceil((a - np.pi) / TWO_PI)


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
    """Circle centre and radius from perigee parameters (arrays or numbers; the kernels' version
    is :func:`perigee_centre_one`, the same formula compiled)."""
    # radius() and centre() written out: branch-free and call-free, so that numba compiles this
    # very function for the kernels; same operations in the same order as those two
    r = pt / (K_CURVATURE * b_field)
    sin_phi, cos_phi = np.sin(phi0), np.cos(phi0)
    return d0 * sin_phi + q * r * sin_phi, -d0 * cos_phi - q * r * cos_phi, r


#: :func:`perigee_centre` of one track, for kernels
perigee_centre_one = inline(perigee_centre)


def z_at(beta: np.ndarray, d0: np.ndarray, phi0: np.ndarray, pt: np.ndarray, q: np.ndarray,
         z0: np.ndarray, tanl: np.ndarray, b_field: float) -> np.ndarray:
    """z of the helix at circle angle β, taking the turn nearest to the perigee."""
    cx, cy, r = perigee_centre(d0, phi0, pt, q, b_field)
    return z0 + r * wrap(q * (perigee_beta(d0, phi0, cx, cy) - beta)) * tanl


def perigee_beta(d0: np.ndarray, phi0: np.ndarray, cx: np.ndarray, cy: np.ndarray
                 ) -> np.ndarray:
    """Circle angle β of the perigee point, given the circle centre (arrays or numbers; the
    kernels' version is :func:`perigee_beta_one`)."""
    return np.arctan2(-d0 * np.cos(phi0) - cy, d0 * np.sin(phi0) - cx)


#: :func:`perigee_beta` of one track, for kernels
perigee_beta_one = inline(perigee_beta)


@inline
def z_at_one(beta, beta_p, r, q, z0, tanl):  # pragma: no cover - compiled
    """:func:`z_at` of one track for kernels, given its perigee angle β_p and radius
    (:func:`perigee_beta_one`, :func:`perigee_centre_one`), which a kernel computes once per
    track and reuses at every β."""
    return z0 + r * wrap_one(q * (beta_p - beta)) * tanl


@inline
def phi_at_one(beta, q):  # pragma: no cover - compiled
    """:func:`phi_at` of one angle, for kernels."""
    return wrap_one(beta - q * 0.5 * np.pi)


@inline
def ecl_entry_one(x, y, z, px, py, pz, q, b_field, r_barrel, z_fwd, z_bwd
                  ):  # pragma: no cover - compiled
    """(θ, φ) seen from the IP of the point where the helix from (x, y, z) with momentum p and
    charge sign q first meets the ECL's inner surface: the barrel cylinder of radius
    ``r_barrel`` on its way out (rising arc) or the endcap face ahead of it (z = ``z_fwd`` or
    ``z_bwd``), whichever comes first; (NaN, NaN) when it meets neither (a curler inside the
    barrel radius with p_z = 0). The azimuth trails the momentum's by the turning angle: half
    the turning to the barrel, asin(R/2ρ) for a track from the axis (a 1 GeV p_T track meets
    the barrel 16° from its initial direction in 1.5 T)."""
    pt = np.sqrt(px * px + py * py)
    face = z_fwd if pz >= 0.0 else z_bwd
    if not pt > 0.0:  # along the axis: straight to the endcap face
        return np.arctan2(np.sqrt(x * x + y * y), face), np.arctan2(y, x)
    rho = pt / (K_CURVATURE * b_field)
    cx, cy = x + q * rho * py / pt, y - q * rho * px / pt
    d = max(np.sqrt(cx * cx + cy * cy), 1e-12)
    tanl = pz / pt
    tau_bar = np.inf
    if d + rho >= r_barrel and abs(d - rho) <= r_barrel:
        cos_psi0 = ((x - cx) * cx + (y - cy) * cy) / (rho * d)
        psi0 = np.arccos(min(max(cos_psi0, -1.0), 1.0))
        tau_max = psi0 if x * px + y * py >= 0.0 else 2.0 * np.pi - psi0
        cos_psi = (r_barrel * r_barrel - d * d - rho * rho) / (2.0 * rho * d)
        tau_bar = max(tau_max - np.arccos(min(max(cos_psi, -1.0), 1.0)), 0.0)
    tau_end = (face - z) / (rho * tanl) if pz != 0.0 else np.inf
    tau = min(tau_bar, max(tau_end, 0.0))
    if tau == np.inf:
        return np.nan, np.nan
    beta = np.arctan2(y - cy, x - cx) - q * tau
    xe, ye = cx + rho * np.cos(beta), cy + rho * np.sin(beta)
    return np.arctan2(np.sqrt(xe * xe + ye * ye), z + rho * tau * tanl), np.arctan2(ye, xe)


# --- layer crossings -------------------------------------------------------------------------
# Let ψ be the angle at the circle centre between a point and the point farthest from the axis
# (ψ = 0 there, π at the nearest point r_min = |D − R|). A layer of radius ρ sits at
# cos ψ = (ρ² − D² − R²)/(2RD). τ_max is the turning from the start to the farthest point (≤ π
# when the track starts moving away from the axis), so the crossing on the rising arc is at
# τ(ρ) = τ_max − ψ(ρ): increasing in ρ, concave below ρ² = |D² − R²| = r_min·r_max and convex
# above (d²ψ/dρ² ∝ (D² − R²)² − ρ⁴). z(ρ) = z_start + R·τ·tanλ is thus monotonic and, above
# that radius, convex in |z|. On a run of layers whose z ends are affine in ρ (the VXD cone, the
# CDC) the layers inside the end that z runs towards form a contiguous range (sublevel set of a
# convex function) and those inside the other end a suffix: a few arccos and bisections replace
# one per layer. Layers inside the start radius of a track moving inwards (crossed on the way in
# and again on the way out) are tested one by one with both crossings.


def layer_segments(layer_r: np.ndarray, layer_zmin: np.ndarray, layer_zmax: np.ndarray
                   ) -> np.ndarray:
    """Rows ``(start, stop, fast)`` covering a layer table ordered in radius: maximal runs whose z
    ends are affine in the radius with z_max non-decreasing and z_min non-increasing outward
    (``fast`` = 1 for runs of three or more); single layers where radii repeat."""
    r = np.asarray(layer_r, float)
    lo, hi = np.asarray(layer_zmin, float), np.asarray(layer_zmax, float)
    if np.any(np.diff(r) <= 0):
        return np.array([(k, k + 1, 0) for k in range(len(r))], dtype=np.int64).reshape(-1, 3)
    rows = []
    a = 0
    while a < len(r):
        b = a + 1
        if b < len(r) and hi[b] >= hi[a] and lo[b] <= lo[a]:
            s_hi = (hi[b] - hi[a]) / (r[b] - r[a])
            s_lo = (lo[b] - lo[a]) / (r[b] - r[a])
            while b + 1 < len(r):
                dr = r[b + 1] - r[a]
                tol = 1e-9 * (1.0 + abs(hi[a]) + abs(lo[a]) + dr)
                if (abs(hi[a] + s_hi * dr - hi[b + 1]) > tol
                        or abs(lo[a] + s_lo * dr - lo[b + 1]) > tol):
                    break
                b += 1
            b += 1
        rows.append((a, b, int(b - a >= 3)))
        a = b
    return np.array(rows, dtype=np.int64)


#: arccos(x) = √(1 − x)·Σ aᵢxⁱ on [0, 1], |error| ≤ 2·10⁻⁸ rad (Abramowitz & Stegun 4.4.46):
#: a z shift below 1 µm at the layers, three times cheaper than libm's arccos
_ACOS = (1.5707963050, -0.2145988016, 0.0889789874, -0.0501743046, 0.0308918810,
         -0.0170881256, 0.0066700901, -0.0012624911)


@inline
def acos(x):  # pragma: no cover - compiled
    """arccos of x clipped to [−1, 1] (to 2·10⁻⁸ rad)."""
    ax = min(abs(x), 1.0)
    a = _ACOS
    poly = ((((((a[7] * ax + a[6]) * ax + a[5]) * ax + a[4]) * ax + a[3]) * ax + a[2]) * ax
            + a[1]) * ax + a[0]
    r = np.sqrt(1.0 - ax) * poly
    return r if x >= 0.0 else np.pi - r


@inline
def _cos_psi(k, trk, layer_r):  # pragma: no cover - compiled
    """cos ψ of layer k for ``trk`` = (D, R, τ_max, z, tanλ, sign tanλ, cos τ_max or −2 when
    τ_max > π)."""
    d, ri = trk[0], trk[1]
    rl = layer_r[k]
    return (rl * rl - d * d - ri * ri) / (2.0 * ri * d)


@inline
def _psi(k, trk, layer_r):  # pragma: no cover - compiled
    return acos(_cos_psi(k, trk, layer_r))


@inline
def _excess(k, trk, zmin, zmax, layer_r):  # pragma: no cover - compiled
    """(F, G) at layer k (rising-arc crossing): how far z lies beyond the end it runs towards
    (F, convex in k) and beyond the end it runs away from (G, decreasing in k); crossed iff both
    ≤ 0. s = sign(tanλ)."""
    z = trk[3] + trk[1] * (trk[2] - _psi(k, trk, layer_r)) * trk[4]
    if trk[5] > 0:
        return z - zmax[k], zmin[k] - z
    return zmin[k] - z, z - zmax[k]


@inline
def _ok(k, which, trk, zmin, zmax, layer_r):  # pragma: no cover - compiled
    return _excess(k, trk, zmin, zmax, layer_r)[which] <= 0.0


@inline
def _flip(a, fa, b, fb, which, trk, zmin, zmax, layer_r):  # pragma: no cover - compiled
    """Smallest k in (a, b] whose test (F or G ≤ 0, ``which`` 0 or 1) answers as b's does,
    given a's differs; ``fa``, ``fb`` the values at a and b. F and G are close to linear in ρ, so
    the secant's zero and then its neighbour usually close the bracket; bisection finishes.
    Compiled once and called (not inlined): inlining this search tree into every caller made the
    tracking kernel take 45 s to compile, for no measurable speed."""
    want = fb <= 0.0
    step = 0
    moved_b = False
    while b - a > 1:
        if step == 0:
            r_guess = layer_r[a] + fa / (fa - fb) * (layer_r[b] - layer_r[a])
            m = min(max(_first_beyond(layer_r, a + 1, b, r_guess, False), a + 1), b - 1)
        elif step == 1:
            m = b - 1 if moved_b else a + 1
        else:
            m = (a + b) // 2
        moved_b = _ok(m, which, trk, zmin, zmax, layer_r) == want
        if moved_b:
            b = m
        else:
            a = m
        step += 1
    return b


@inline
def _convex_range(k0, k1, trk, zmin, zmax, layer_r):  # pragma: no cover - compiled
    """Crossed layers (first, last) in [k0, k1], where F is convex and G decreasing and every
    layer lies on the rising arc; first > last when none."""
    f0, g0 = _excess(k0, trk, zmin, zmax, layer_r)
    f1, g1 = _excess(k1, trk, zmin, zmax, layer_r)
    if g1 > 0.0:
        return 1, 0
    if g0 > 0.0:  # G ≤ 0 on a suffix
        k0 = _flip(k0, g0, k1, g1, 1, trk, zmin, zmax, layer_r)
        f0 = _excess(k0, trk, zmin, zmax, layer_r)[0]
    # F ≤ 0 on a range: [k0, k1] itself, or bounded by one or two sign changes of F
    left, right = (k0, f0, k1, f1), (k0, f0, k1, f1)
    need_left, need_right = f0 > 0.0, f1 > 0.0
    if need_left and need_right:  # both ends outside: inside only around F's minimum, if at all
        if k1 - k0 < 2 or _excess(k0 + 1, trk, zmin, zmax, layer_r)[0] >= f0:
            return 1, 0
        a, b = k0, k1 - 1
        if _excess(b, trk, zmin, zmax, layer_r)[0] > f1:
            return 1, 0  # still falling at k1
        while b - a > 1:  # first non-negative step of F: its minimum
            m = (a + b) // 2
            step = _excess(m + 1, trk, zmin, zmax, layer_r)[0] - _excess(m, trk, zmin, zmax,
                                                                           layer_r)[0]
            if step >= 0.0:
                b = m
            else:
                a = m
        f_min = _excess(b, trk, zmin, zmax, layer_r)[0]
        if f_min > 0.0:
            return 1, 0
        left, right = (k0, f0, b, f_min), (b, f_min, k1, f1)
    first, last = k0, k1
    if need_left:
        first = _flip(left[0], left[1], left[2], left[3], 0, trk, zmin, zmax, layer_r)
    if need_right:
        last = _flip(right[0], right[1], right[2], right[3], 0, trk, zmin, zmax, layer_r) - 1
    return first, last


@inline
def _first_beyond(layer_r, a, b, value, strict):  # pragma: no cover - compiled
    """First k in [a, b) with layer_r[k] ≥ value (> value if ``strict``), b if none; radii
    increasing."""
    if a < b and (layer_r[a] > value or (not strict and layer_r[a] == value)):
        return a  # the usual cases first: the whole run is beyond, or none of it
    if a < b and (layer_r[b - 1] < value or (strict and layer_r[b - 1] == value)):
        return b
    while a < b:
        m = (a + b) // 2
        if layer_r[m] < value or (strict and layer_r[m] == value):
            a = m + 1
        else:
            b = m
    return a


@inline
def _add(acc, first, last, cum):  # pragma: no cover - compiled
    """Layers first..last crossed: ``acc`` = (innermost, outermost crossed layer, crossed PXD,
    SVD, CDC layers) updated."""
    return (min(acc[0], first), max(acc[1], last), acc[2] + cum[0, last + 1] - cum[0, first],
            acc[3] + cum[1, last + 1] - cum[1, first], acc[4] + cum[2, last + 1] - cum[2, first])


@inline
def _single(k, trk, both, zmin, zmax, layer_r):  # pragma: no cover - compiled
    """Layer k crossed on the rising arc or, with ``both``, also on the falling arc."""
    two_pi = 2.0 * np.pi
    psi = _psi(k, trk, layer_r)
    for sign in (-1.0, 1.0):
        if sign > 0 and not both:
            break
        tau = (trk[2] + sign * psi) % two_pi
        if tau > trk[2] + 1e-12:
            continue
        zc = trk[3] + trk[1] * tau * trk[4]
        if zmin[k] <= zc <= zmax[k]:
            return True
    return False


@inline
def _track_layers(trk, r0, rmin, rmax, outward, zmin, zmax, layer_r, segments,
                  cum):  # pragma: no cover - compiled
    """Crossed layers of one track (see the note above), as :func:`_add`'s tuple."""
    acc = (layer_r.shape[0], -1, 0, 0, 0)
    start = _first_beyond(layer_r, 0, layer_r.shape[0], rmin, False)
    if not outward:  # inside the start radius: on the way in and out
        stop = _first_beyond(layer_r, start, layer_r.shape[0], r0, True)
        for k in range(start, stop):
            if layer_r[k] <= rmax and _single(k, trk, True, zmin, zmax, layer_r):
                acc = _add(acc, k, k, cum)
    r_convex2 = rmin * rmax
    for row in range(segments.shape[0]):
        a, b, fast = segments[row, 0], segments[row, 1], segments[row, 2]
        k = _first_beyond(layer_r, a, b, max(rmin, r0), not outward)
        kb = _first_beyond(layer_r, k, b, rmax, True) - 1
        while k <= kb:  # one by one: concave part, a rising-arc start behind the track
            if (fast and kb - k >= 2 and layer_r[k] * layer_r[k] >= r_convex2
                    and _cos_psi(k, trk, layer_r) >= trk[6]):
                break  # ψ ≤ τ_max: on the rising arc ahead of the start
            if _single(k, trk, False, zmin, zmax, layer_r):
                acc = _add(acc, k, k, cum)
            k += 1
        if k <= kb:
            first, last = _convex_range(k, kb, trk, zmin, zmax, layer_r)
            if first <= last:
                acc = _add(acc, first, last, cum)
    return acc


@inline
def crossings(x, y, z, px, py, pz, q, b_field, layer_r, zmin, zmax, segments,
              cum):  # pragma: no cover - compiled
    """One helix from (x, y, z) with momentum p and charge sign q: (innermost and outermost
    crossed layer (first > last when none), crossed PXD, SVD and CDC layers, largest distance
    from the axis D + R). Layers as in :func:`cross_layers`."""
    pt = np.sqrt(px * px + py * py)  # sqrt, not hypot: an instruction, no call
    ri = pt / (K_CURVATURE * b_field)
    cx = x + q * ri * (py / pt if pt > 0.0 else 0.0)
    cy = y - q * ri * (px / pt if pt > 0.0 else 0.0)
    d = np.sqrt(cx * cx + cy * cy)
    none = (layer_r.shape[0], -1, 0, 0, 0)
    if not (ri > 0.0):
        return none, d + ri
    d = max(d, 1e-12)
    # turning to the outermost point: ψ of the start ahead when moving away from the axis
    cos_psi = ((x - cx) * cx + (y - cy) * cy) / (ri * d)
    psi0 = acos(max(-1.0, cos_psi))
    outward = x * px + y * py >= 0.0
    tau_max = psi0 if outward else 2.0 * np.pi - psi0
    tanl = pz / pt
    trk = (d, ri, tau_max, z, tanl, 1.0 if tanl >= 0.0 else -1.0,
           cos_psi if outward else -2.0)
    r0 = np.sqrt(x * x + y * y)
    return _track_layers(trk, r0, abs(d - ri), d + ri, outward, zmin, zmax, layer_r, segments,
                         cum), d + ri


@jit
def _cross_layers(index, x, y, z, px, py, pz, q, b_field, layer_r, zmin, zmax, segments,
                  cum):  # pragma: no cover - compiled
    """Helix i starts at particle index[i] with charge sign q[i]."""
    n = index.shape[0]
    hits = np.zeros((n, 3), dtype=np.int16)
    r_first = np.full(n, np.nan)
    r_last = np.full(n, np.nan)
    r_max = np.empty(n)
    for i in range(n):
        j = index[i]
        acc, r_max[i] = crossings(x[j], y[j], z[j], px[j], py[j], pz[j], q[i], b_field,
                                  layer_r, zmin, zmax, segments, cum)
        if acc[1] >= 0:
            r_first[i], r_last[i] = layer_r[acc[0]], layer_r[acc[1]]
            hits[i, 0], hits[i, 1], hits[i, 2] = acc[2], acc[3], acc[4]
    return hits, r_first, r_last, r_max


def layer_tables(layer_r: np.ndarray, layer_zmin: np.ndarray, layer_zmax: np.ndarray,
                 layer_kind: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The layer arrays the kernels walk: radius, z_min, z_max ordered outward, the segments
    (:func:`layer_segments`) and, per kind, the number of layers below each index."""
    order = np.argsort(layer_r, kind="stable")
    lr, lo, hi = (np.asarray(a, dtype=float)[order] for a in (layer_r, layer_zmin, layer_zmax))
    kind = np.asarray(layer_kind, dtype=np.int64)[order]
    cum = np.zeros((3, len(kind) + 1), dtype=np.int64)  # layers of each kind below k
    for k in range(3):
        np.cumsum(kind == k, out=cum[k, 1:])
    return lr, lo, hi, layer_segments(lr, lo, hi), cum


def cross_layers(x: np.ndarray, y: np.ndarray, z: np.ndarray, px: np.ndarray, py: np.ndarray,
                 pz: np.ndarray, q: np.ndarray, b_field: float, layer_r: np.ndarray,
                 layer_zmin: np.ndarray, layer_zmax: np.ndarray, layer_kind: np.ndarray,
                 index: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count, per helix (start point, momentum, charge sign) and per layer kind (0, 1, 2: PXD,
    SVD, CDC), the layers crossed (inside their z range) on the way from the production point
    out to the outermost radius of the circle (the first half turn for a helix through the
    axis; curlers do not count their way back). Also returns the radii of the innermost and
    outermost crossed layers (the lever arm; NaN when none) and the largest distance from the
    axis reached, D + R. With ``index``, helix i is particle ``index[i]`` of the position and
    momentum arrays (``q`` per helix)."""
    f = np.ascontiguousarray
    index = np.arange(len(q)) if index is None else index
    return _cross_layers(f(index, np.int64), f(x, float), f(y, float), f(z, float),
                         f(px, float), f(py, float), f(pz, float), f(q, float), float(b_field),
                         *layer_tables(layer_r, layer_zmin, layer_zmax, layer_kind))
