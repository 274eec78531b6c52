"""Vertex and kinematic fits of composite candidates (reconstruction, as in basf2).

**Vertex fit** (:func:`fit_vertex_n`). Each daughter is a straight line near the vertex with a
2×2 position covariance in the plane perpendicular to its direction: a track at the point of its
helix closest (in the transverse plane) to the current vertex, along the helix tangent, with
σ(d0) across it in the transverse plane and σ(z0)·cos λ across it out of that plane (the
perigee errors the tracking records; no full 5×5 helix covariance); a composite daughter along
its momentum through its own fitted vertex, with that vertex's covariance. The vertex minimises
χ² = Σᵢ rᵢᵀ Wᵢ rᵢ (rᵢ the daughter's offset from the vertex, Wᵢ = N (Nᵀ C N)⁻¹ Nᵀ the weight in
the perpendicular plane N); the closest points are re-found and the linear problem re-solved
three times. The covariance is (Σ Wᵢ)⁻¹, ndf = 2·n_daughters − 3 (+3 with ``ipprofile``, +2 with
``iptube``). The start is the two-track circle intersection of :mod:`darkscan.reco.vertex`
(which picks the right branch for displaced vertices) or the beam spot.

**Mass-constrained fit** (:func:`mass_constrained_scales`): the daughters' directions are kept
(they are measured far better than the magnitudes) and their momentum magnitudes scaled by sᵢ to
minimise Σ (sᵢ − 1)²/rᵢ² subject to M(Σ sᵢ pᵢ) = m (rᵢ: σ_p/p of tracks, σ_E/E of photons),
solved by Lagrange multipliers on the linearised constraint, iterated.

Implementation: one compiled kernel fits every candidate (closed-form 2×2 and 3×3 inverses, the
helix geometry of :mod:`darkscan.detector.helix`); the χ² probability is the closed form of the
upper incomplete Γ function for integer ndf.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from darkscan.detector import helix
from darkscan.jit import inline, jit
from darkscan.reco.vertex import TRACK_FIELDS, pair_vertex_one, track_circle

N_ITERATIONS = 3
_CONSTRAINTS = {"": 0, "ipprofile": 1, "iptube": 2}
_NDF_EXTRA = (0, 3, 2)  # measurements a constraint adds: the ellipsoid 3, the tube 2


@dataclass(frozen=True)
class TrackIn:
    """Perigee helix parameters of one daughter track per candidate (arrays of length n)."""

    px: np.ndarray
    py: np.ndarray
    pz: np.ndarray
    charge: np.ndarray
    d0: np.ndarray
    phi0: np.ndarray
    z0: np.ndarray
    tanl: np.ndarray
    sigma_d0: np.ndarray
    sigma_z0: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        return self.__dict__


@dataclass(frozen=True)
class LineIn:
    """A composite daughter: its vertex (n, 3), covariance (n, 3, 3) and momentum (n, 3)."""

    point: np.ndarray
    cov: np.ndarray
    momentum: np.ndarray


# --- kernel helpers: symmetric 3×3 matrices as (xx, xy, xz, yy, yz, zz) rows of a (k, 6) array


@inline
def _perp_basis(ux, uy, uz):  # pragma: no cover - compiled
    """Two unit vectors perpendicular to the unit vector u: n1 transverse (n1z = 0) and
    n2 = u × n1, as (n1x, n1y, n2x, n2y, n2z)."""
    t = np.sqrt(ux * ux + uy * uy)
    if t > 1e-12:
        n1x, n1y = -uy / t, ux / t
    else:  # u along z (or NaN)
        n1x, n1y = 1.0, 0.0
    return n1x, n1y, -uz * n1y, uz * n1x, ux * n1y - uy * n1x


@inline
def _set_weight(w, k, basis, i00, i01, i11):  # pragma: no cover - compiled
    """w[k] = N C₂⁻¹ Nᵀ for N = [n1 n2] (``basis`` from :func:`_perp_basis`) and the symmetric
    C₂⁻¹ = [[i00, i01], [i01, i11]]."""
    n1x, n1y, n2x, n2y, n2z = basis
    a = (i00 * n1x + i01 * n2x, i00 * n1y + i01 * n2y, i01 * n2z)  # C₂⁻¹ Nᵀ, row 1
    b = (i01 * n1x + i11 * n2x, i01 * n1y + i11 * n2y, i11 * n2z)  # row 2
    w[k, 0] = n1x * a[0] + n2x * b[0]
    w[k, 1] = n1x * a[1] + n2x * b[1]
    w[k, 2] = n1x * a[2] + n2x * b[2]
    w[k, 3] = n1y * a[1] + n2y * b[1]
    w[k, 4] = n1y * a[2] + n2y * b[2]
    w[k, 5] = n2z * b[2]


@inline
def _set_line_weight(w, k, cov, mx, my, mz):  # pragma: no cover - compiled
    """w[k]: weight of a line along the momentum (mx, my, mz) with the 3×3 position covariance
    ``cov``, in the plane perpendicular to it."""
    norm = max(np.sqrt(mx * mx + my * my + mz * mz), 1e-300)
    basis = _perp_basis(mx / norm, my / norm, mz / norm)
    n1x, n1y, n2x, n2y, n2z = basis
    # C n1 and C n2, then C₂ = Nᵀ C N (its off-diagonal symmetrised: cov may be symmetric only
    # to rounding)
    c1 = (cov[0, 0] * n1x + cov[0, 1] * n1y, cov[1, 0] * n1x + cov[1, 1] * n1y,
          cov[2, 0] * n1x + cov[2, 1] * n1y)
    c2 = (cov[0, 0] * n2x + cov[0, 1] * n2y + cov[0, 2] * n2z,
          cov[1, 0] * n2x + cov[1, 1] * n2y + cov[1, 2] * n2z,
          cov[2, 0] * n2x + cov[2, 1] * n2y + cov[2, 2] * n2z)
    s00 = n1x * c1[0] + n1y * c1[1] + 1e-18  # a degenerate (unfitted) covariance stays invertible
    s11 = n2x * c2[0] + n2y * c2[1] + n2z * c2[2] + 1e-18
    s01 = 0.5 * ((n1x * c2[0] + n1y * c2[1]) + (n2x * c1[0] + n2y * c1[1] + n2z * c1[2]))
    det = s00 * s11 - s01 * s01
    _set_weight(w, k, basis, s11 / det, -s01 / det, s00 / det)


@inline
def _residual_chi2(w, k, x, vx, vy, vz):  # pragma: no cover - compiled
    """(x − v)ᵀ w[k] (x − v) for the point x[k]."""
    dx, dy, dz = x[k, 0] - vx, x[k, 1] - vy, x[k, 2] - vz
    return (w[k, 0] * dx * dx + w[k, 3] * dy * dy + w[k, 5] * dz * dz
            + 2.0 * (w[k, 1] * dx * dy + w[k, 2] * dx * dz + w[k, 4] * dy * dz))


@inline
def _inverse_sym(a):  # pragma: no cover - compiled
    """Inverse of the symmetric positive 3×3 matrix ``a`` (xx, xy, xz, yy, yz, zz), in the same
    layout; NaN when singular. The adjugate of the matrix scaled to a unit diagonal: the weights
    of a vertex span orders of magnitude (beam spot: 4 µm in y, 150 µm in z), the scaled matrix
    is only as ill-conditioned as the measurements' directions make it."""
    s0, s1, s2 = 1.0 / np.sqrt(a[0]), 1.0 / np.sqrt(a[3]), 1.0 / np.sqrt(a[5])
    b01, b02, b12 = a[1] * s0 * s1, a[2] * s0 * s2, a[4] * s1 * s2
    c00, c11, c22 = 1.0 - b12 * b12, 1.0 - b02 * b02, 1.0 - b01 * b01
    c01, c02, c12 = b02 * b12 - b01, b01 * b12 - b02, b01 * b02 - b12
    det = c00 + b01 * c01 + b02 * c02
    if not (abs(det) > 0.0 and np.isfinite(det)):
        return (np.nan, np.nan, np.nan, np.nan, np.nan, np.nan)
    f0, f1, f2 = s0 / det, s1 / det, s2 / det
    return (c00 * s0 * f0, c01 * s0 * f1, c02 * s0 * f2, c11 * s1 * f1, c12 * s1 * f2,
            c22 * s2 * f2)


@inline
def _accumulate(a, w, x, j, vx, vy, vz):  # pragma: no cover - compiled
    """Add measurement j (packed symmetric weight w[j], point x[j]) to Σ W (``a``, packed) and
    return its W (x − v)."""
    for e in range(6):
        a[e] += w[j, e]
    dx, dy, dz = x[j, 0] - vx, x[j, 1] - vy, x[j, 2] - vz
    return (w[j, 0] * dx + w[j, 1] * dy + w[j, 2] * dz,
            w[j, 1] * dx + w[j, 3] * dy + w[j, 4] * dz,
            w[j, 2] * dx + w[j, 4] * dy + w[j, 5] * dz)


@jit
def _fit(trk, line_point, line_cov, line_mom, constraint, spot_w, spot_cov, mom,
         b_field, n_iter):  # pragma: no cover - compiled
    """The vertex fit (module docstring) of every candidate. ``trk``: (k_t, 10, n), rows as
    :data:`darkscan.reco.vertex.TRACK_FIELDS` (the first two give the start); lines (k_l, n,
    …); ``constraint`` 0, 1 (``spot_w``: the ellipsoid's weight) or 2 (``spot_cov`` across
    ``mom``)."""
    k_t, n, k_l = trk.shape[0], trk.shape[2], line_point.shape[0]
    k_f = k_l + (1 if constraint != 0 else 0)
    pos = np.empty((n, 3))
    cov = np.empty((n, 3, 3))
    chi2 = np.empty(n)
    moms = np.empty((k_t, n, 3))
    # per candidate scratch: weights and points of the fixed measurements (lines, beam spot)
    # and of the tracks (those of the last iteration give χ²); per track its circle
    w_f, x_f = np.zeros((max(k_f, 1), 6)), np.zeros((max(k_f, 1), 3))
    w_t, x_t = np.zeros((max(k_t, 1), 6)), np.zeros((max(k_t, 1), 3))
    circ = np.zeros((max(k_t, 1), 5))  # pt, cx, cy, R, β of the perigee
    a = np.zeros(6)  # Σ W
    for i in range(n):
        for j in range(k_l):
            _set_line_weight(w_f, j, line_cov[j, i], line_mom[j, i, 0], line_mom[j, i, 1],
                             line_mom[j, i, 2])
            x_f[j, 0], x_f[j, 1], x_f[j, 2] = (line_point[j, i, 0], line_point[j, i, 1],
                                               line_point[j, i, 2])
        if constraint == 1:
            for e in range(6):
                w_f[k_l, e] = spot_w[e]
        elif constraint == 2:
            _set_line_weight(w_f, k_l, spot_cov, mom[i, 0], mom[i, 1], mom[i, 2])
        for j in range(k_t):
            circ[j, 0], circ[j, 1], circ[j, 2], circ[j, 3], circ[j, 4] = track_circle(
                trk, j, i, b_field)
        # the start: the two-track intersection, the mean of the lines' vertices or the origin
        vx = vy = vz = 0.0
        if k_t >= 2:
            x1, y1, z1, x2, y2, z2, _b1, _b2, _c = pair_vertex_one(
                trk, i, (circ[0, 0], circ[0, 1], circ[0, 2], circ[0, 3], circ[0, 4]),
                (circ[1, 0], circ[1, 1], circ[1, 2], circ[1, 3], circ[1, 4]))
            vx, vy, vz = 0.5 * (x1 + x2), 0.5 * (y1 + y2), 0.5 * (z1 + z2)
        elif k_l > 0:
            for j in range(k_l):
                vx += x_f[j, 0]
                vy += x_f[j, 1]
                vz += x_f[j, 2]
            vx, vy, vz = vx / k_l, vy / k_l, vz / k_l
        inv = (np.nan, np.nan, np.nan, np.nan, np.nan, np.nan)
        for _ in range(n_iter):
            # Σ W and Σ W (x − v): offsets from the current vertex, not positions, so that a
            # vertex far from the origin loses no digits (v + δ, δ = (Σ W)⁻¹ Σ W (x − v), is
            # the same solution)
            for e in range(6):
                a[e] = 0.0
            rx = ry = rz = 0.0
            for j in range(k_f):
                gx, gy, gz = _accumulate(a, w_f, x_f, j, vx, vy, vz)
                rx, ry, rz = rx + gx, ry + gy, rz + gz
            for j in range(k_t):
                # the helix point closest to v in the transverse plane and its tangent there
                pt, cx, cy, r, beta_p = circ[j, 0], circ[j, 1], circ[j, 2], circ[j, 3], circ[j, 4]
                q, tanl = trk[j, 3, i], trk[j, 7, i]
                ex, ey = vx - cx, vy - cy
                beta = np.arctan2(ey, ex)
                rho = np.sqrt(ex * ex + ey * ey)
                if rho > 0.0:  # cos β, sin β without two more calls
                    cos_b, sin_b = ex / rho, ey / rho
                else:
                    cos_b, sin_b = np.cos(beta), np.sin(beta)
                x_t[j, 0], x_t[j, 1] = cx + r * cos_b, cy + r * sin_b
                x_t[j, 2] = helix.z_at_one(beta, beta_p, r, q, trk[j, 6, i], tanl)
                # the tangent φ = β − q·π/2 (helix.phi_at, q = ±1): (cos φ, sin φ) = q (sin β,
                # −cos β)
                px, py, pz = q * pt * sin_b, -q * pt * cos_b, trk[j, 2, i]
                moms[j, i, 0], moms[j, i, 1], moms[j, i, 2] = px, py, pz
                p = np.sqrt(px * px + py * py + pz * pz)
                # σ(d0) across the tangent in the transverse plane, σ(z0)·cos λ out of it
                s_z = trk[j, 9, i] / np.sqrt(1.0 + tanl * tanl)
                _set_weight(w_t, j, _perp_basis(px / p, py / p, pz / p),
                            1.0 / (trk[j, 8, i] * trk[j, 8, i]), 0.0, 1.0 / (s_z * s_z))
                gx, gy, gz = _accumulate(a, w_t, x_t, j, vx, vy, vz)
                rx, ry, rz = rx + gx, ry + gy, rz + gz
            inv = _inverse_sym(a)  # NaN when singular: no vertex
            vx += inv[0] * rx + inv[1] * ry + inv[2] * rz
            vy += inv[1] * rx + inv[3] * ry + inv[4] * rz
            vz += inv[2] * rx + inv[4] * ry + inv[5] * rz
        pos[i, 0], pos[i, 1], pos[i, 2] = vx, vy, vz
        c = 0.0
        for j in range(k_f):
            c += _residual_chi2(w_f, j, x_f, vx, vy, vz)
        for j in range(k_t):
            c += _residual_chi2(w_t, j, x_t, vx, vy, vz)
        chi2[i] = c
        cov[i, 0, 0], cov[i, 1, 1], cov[i, 2, 2] = inv[0], inv[3], inv[5]
        cov[i, 0, 1] = cov[i, 1, 0] = inv[1]
        cov[i, 0, 2] = cov[i, 2, 0] = inv[2]
        cov[i, 1, 2] = cov[i, 2, 1] = inv[4]
    return pos, cov, chi2, moms


@jit
def _line_weights(cov, mom):  # pragma: no cover - compiled
    """Weights (n, 3, 3) of lines along ``mom`` (n, 3) with the position covariance ``cov``."""
    n = mom.shape[0]
    w = np.empty((1, 6))
    out = np.empty((n, 3, 3))
    for i in range(n):
        _set_line_weight(w, 0, cov[i], mom[i, 0], mom[i, 1], mom[i, 2])
        out[i, 0, 0], out[i, 1, 1], out[i, 2, 2] = w[0, 0], w[0, 3], w[0, 5]
        out[i, 0, 1] = out[i, 1, 0] = w[0, 1]
        out[i, 0, 2] = out[i, 2, 0] = w[0, 2]
        out[i, 1, 2] = out[i, 2, 1] = w[0, 4]
    return out


@jit
def _chi2_sf(chi2, ndf):  # pragma: no cover - compiled
    """P(χ² ≥ x) for an integer ndf ≥ 1: Q(ndf/2, x/2) = e^(−y) Σ_{j<ndf/2} y^j/j! for even
    ndf, erfc(√y) + e^(−y) Σ_{j=1}^{(ndf−1)/2} y^(j−½)/Γ(j+½) for odd (y = x/2, all terms
    positive); 0 where χ² is not finite."""
    out = np.empty(chi2.shape[0])
    for i in range(chi2.shape[0]):
        x = chi2[i]
        if not np.isfinite(x):
            out[i] = 0.0
            continue
        y = 0.5 * max(x, 0.0)
        ey = np.exp(-y)
        if ndf % 2 == 0:
            term, total = ey, ey
            for j in range(1, ndf // 2):
                term *= y / j
                total += term
        else:
            total = math.erfc(np.sqrt(y))
            term = 2.0 * np.sqrt(y / np.pi) * ey  # y^½ e^(−y)/Γ(3/2)
            for j in range(1, (ndf - 1) // 2 + 1):
                total += term
                term *= y / (j + 0.5)
        out[i] = total
    return out


@dataclass(frozen=True)
class VertexResult:
    """Per candidate: vertex (n, 3), covariance (n, 3, 3), χ², ndf, track momenta at the vertex
    (one (n, 3) array per track daughter, in input order)."""

    position: np.ndarray
    cov: np.ndarray
    chi2: np.ndarray
    ndf: int
    track_momenta: tuple[np.ndarray, ...]

    @property
    def prob(self) -> np.ndarray:
        return _chi2_sf(np.ascontiguousarray(self.chi2, dtype=float), max(self.ndf, 1))


def beam_spot_weight(spot_sigma: Sequence[float], n: int, constraint: str,
                     momentum: np.ndarray | None = None) -> np.ndarray:
    """Weight of the luminous region as a measurement of the vertex: the full ellipsoid
    (``ipprofile``) or, for ``iptube``, only across the candidate's momentum."""
    cov = np.diag(np.asarray(spot_sigma, dtype=float) ** 2)
    if constraint == "ipprofile":
        return np.broadcast_to(np.linalg.inv(cov), (n, 3, 3)).copy()
    assert momentum is not None
    return _line_weights(np.broadcast_to(cov, (n, 3, 3)),
                         np.ascontiguousarray(momentum, dtype=float))


def fit_vertex_n(tracks: Sequence[TrackIn], lines: Sequence[LineIn], b_field: float, *,
                 spot_sigma: Sequence[float] = (0.0, 0.0, 0.0), constraint: str = "",
                 momentum: np.ndarray | None = None) -> VertexResult:
    """The common vertex of ``tracks`` and ``lines`` (at least two of them, or one with a
    beam-spot constraint); ``momentum`` (n, 3) orients the ``iptube``."""
    n_in = len(tracks) + len(lines)
    if constraint not in _CONSTRAINTS:
        raise ValueError(f"unknown vertex constraint '{constraint}'")
    if n_in + (constraint != "") < 2:
        raise ValueError("a vertex fit needs two daughters, or one and a beam-spot constraint")
    n = len(tracks[0].px) if tracks else len(lines[0].point)
    # the kernel's arrays, filled in place (one copy of each column)
    trk = np.empty((len(tracks), len(TRACK_FIELDS), n))
    for j, t in enumerate(tracks):
        for k, name in enumerate(TRACK_FIELDS):
            trk[j, k] = getattr(t, name)
    point, lcov, lmom = (np.empty((len(lines), n, 3)), np.empty((len(lines), n, 3, 3)),
                         np.empty((len(lines), n, 3)))
    for j, ln in enumerate(lines):
        point[j], lcov[j], lmom[j] = ln.point, ln.cov, ln.momentum
    code = _CONSTRAINTS[constraint]
    spot_cov = np.diag(np.asarray(spot_sigma, dtype=float) ** 2)
    # the ellipsoid's weight as (xx, xy, xz, yy, yz, zz); inverted only when used (σ = 0 is
    # singular)
    spot_w = np.linalg.inv(spot_cov)[np.triu_indices(3)] if code == 1 else np.zeros(6)
    if momentum is None:
        if code == 2:
            raise ValueError("the iptube constraint needs the candidates' momentum")
        momentum = np.zeros((n, 3))
    pos, cov, chi2, moms = _fit(trk, point, lcov, lmom, code, spot_w, spot_cov,
                                np.ascontiguousarray(momentum, dtype=float), float(b_field),
                                N_ITERATIONS)
    ndf = 2 * n_in - 3 + _NDF_EXTRA[code]
    return VertexResult(pos, cov, chi2, ndf, tuple(moms))


def mass_constrained_scales(p4: Sequence[np.ndarray], rel_err: Sequence[np.ndarray],
                            masses: Sequence[float | np.ndarray], m_target: float,
                            n_iter: int = 6) -> np.ndarray:
    """Scale factors (k, n) of the daughters' momentum magnitudes that bring their invariant
    mass to ``m_target`` at least χ² cost (module docstring). ``p4``: (n, 4) daughters;
    ``masses``: each daughter's mass, a number or one per candidate."""
    p3 = np.stack([np.asarray(p)[:, :3] for p in p4])  # (k, n, 3)
    r2 = np.stack([np.maximum(np.asarray(e, dtype=float), 1e-6) ** 2 for e in rel_err])
    m2 = np.stack([np.broadcast_to(np.asarray(m, dtype=float), r2.shape[1:]) for m in masses]) ** 2
    s = np.ones(r2.shape)
    for _ in range(n_iter):
        q = s[..., None] * p3
        e = np.sqrt(np.sum(q * q, axis=-1) + m2)
        tot_e, tot_p = e.sum(axis=0), q.sum(axis=0)
        g = tot_e ** 2 - np.sum(tot_p * tot_p, axis=-1) - m_target ** 2
        # ∂M²/∂sᵢ = 2 E ∂Eᵢ/∂sᵢ − 2 P·pᵢ with ∂Eᵢ/∂sᵢ = sᵢ|pᵢ|²/Eᵢ
        p_sq = np.sum(p3 * p3, axis=-1)
        jac = 2.0 * tot_e * s * p_sq / e - 2.0 * np.einsum("nc,knc->kn", tot_p, p3)
        lam = (g + np.sum(jac * (1.0 - s), axis=0)) / np.maximum(np.sum(jac * jac * r2, axis=0),
                                                                  1e-300)
        s = 1.0 - r2 * jac * lam
    return s
