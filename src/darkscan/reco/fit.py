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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from darkscan.detector import helix
from darkscan.reco.vertex import fit_vertex

N_ITERATIONS = 3


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


def _perp_basis(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors perpendicular to the unit vectors u (n, 3): n1 transverse, n2 = u × n1."""
    t = np.hypot(u[:, 0], u[:, 1])
    safe = np.where(t > 1e-12, t, 1.0)
    n1 = np.stack([np.where(t > 1e-12, -u[:, 1] / safe, 1.0),
                   np.where(t > 1e-12, u[:, 0] / safe, 0.0), np.zeros(len(u))], axis=-1)
    return n1, np.cross(u, n1)


def _weight(n1: np.ndarray, n2: np.ndarray, cov2: np.ndarray) -> np.ndarray:
    """W = N (C₂)⁻¹ Nᵀ for N = [n1 n2] (n, 3, 2) and a 2×2 covariance (n, 2, 2)."""
    basis = np.stack([n1, n2], axis=-1)
    inv = np.linalg.inv(cov2)
    return np.einsum("nij,njk,nlk->nil", basis, inv, basis)


def _track_point(t: TrackIn, v: np.ndarray, b_field: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The helix point closest to v in the transverse plane, its unit tangent and momentum."""
    pt = np.hypot(t.px, t.py)
    cx, cy, r = helix.perigee_centre(t.d0, t.phi0, pt, t.charge, b_field)
    beta = np.arctan2(v[:, 1] - cy, v[:, 0] - cx)
    x, y = cx + r * np.cos(beta), cy + r * np.sin(beta)
    z = helix.z_at(beta, t.d0, t.phi0, pt, t.charge, t.z0, t.tanl, b_field)
    phi = helix.phi_at(beta, t.charge)
    p = np.stack([pt * np.cos(phi), pt * np.sin(phi), t.pz], axis=-1)
    u = p / np.linalg.norm(p, axis=-1, keepdims=True)
    return np.stack([x, y, z], axis=-1), u, p


def _track_weight(t: TrackIn, u: np.ndarray) -> np.ndarray:
    n1, n2 = _perp_basis(u)
    cos_l = 1.0 / np.sqrt(1.0 + t.tanl ** 2)
    cov2 = np.zeros((len(u), 2, 2))
    cov2[:, 0, 0] = t.sigma_d0 ** 2
    cov2[:, 1, 1] = (t.sigma_z0 * cos_l) ** 2
    return _weight(n1, n2, cov2)


def _line_weight(line: LineIn) -> np.ndarray:
    u = line.momentum / np.maximum(np.linalg.norm(line.momentum, axis=-1, keepdims=True), 1e-300)
    n1, n2 = _perp_basis(u)
    basis = np.stack([n1, n2], axis=-1)
    cov2 = np.einsum("nji,njk,nkl->nil", basis, line.cov, basis)
    cov2 += np.eye(2) * 1e-18  # a degenerate (unfitted) covariance stays invertible
    return _weight(n1, n2, cov2)


def beam_spot_weight(spot_sigma: Sequence[float], n: int, constraint: str,
                     momentum: np.ndarray | None = None) -> np.ndarray:
    """Weight of the luminous region as a measurement of the vertex: the full ellipsoid
    (``ipprofile``) or, for ``iptube``, only across the candidate's momentum."""
    cov = np.broadcast_to(np.diag(np.asarray(spot_sigma, dtype=float) ** 2), (n, 3, 3))
    if constraint == "ipprofile":
        return np.broadcast_to(np.linalg.inv(cov[0]), (n, 3, 3)).copy()
    assert momentum is not None
    return _line_weight(LineIn(np.zeros((n, 3)), np.ascontiguousarray(cov), momentum))


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
        from scipy.stats import chi2 as chi2_dist

        return np.where(np.isfinite(self.chi2), chi2_dist.sf(self.chi2, max(self.ndf, 1)), 0.0)


def fit_vertex_n(tracks: Sequence[TrackIn], lines: Sequence[LineIn], b_field: float, *,
                 spot_sigma: Sequence[float] = (0.0, 0.0, 0.0), constraint: str = "",
                 momentum: np.ndarray | None = None) -> VertexResult:
    """The common vertex of ``tracks`` and ``lines`` (at least two of them, or one with a
    beam-spot constraint); ``momentum`` (n, 3) orients the ``iptube``."""
    n_in = len(tracks) + len(lines)
    if n_in + (constraint != "") < 2:
        raise ValueError("a vertex fit needs two daughters, or one and a beam-spot constraint")
    n = len(tracks[0].px) if tracks else len(lines[0].point)
    if len(tracks) >= 2:
        seed = fit_vertex(tracks[0].as_dict(), tracks[1].as_dict(), b_field)
        v = np.stack([seed["x"], seed["y"], seed["z"]], axis=-1)
    elif lines:
        v = np.mean([ln.point for ln in lines], axis=0)
    else:
        v = np.zeros((n, 3))
    w_fixed = [_line_weight(ln) for ln in lines]
    x_fixed = [ln.point for ln in lines]
    if constraint:
        w_fixed.append(beam_spot_weight(spot_sigma, n, constraint, momentum))
        x_fixed.append(np.zeros((n, 3)))
    moms: list[np.ndarray] = []
    for _ in range(N_ITERATIONS):
        ws, xs, moms = list(w_fixed), list(x_fixed), []
        for t in tracks:
            x, u, p = _track_point(t, v, b_field)
            ws.append(_track_weight(t, u))
            xs.append(x)
            moms.append(p)
        w_sum = np.sum(ws, axis=0)
        rhs = np.sum([np.einsum("nij,nj->ni", w, x) for w, x in zip(ws, xs, strict=True)],
                     axis=0)
        ok = np.abs(np.linalg.det(w_sum)) > 0
        w_sum[~ok] = np.eye(3)
        v = np.where(ok[:, None], np.linalg.solve(w_sum, rhs[..., None])[..., 0], np.nan)
    chi2 = np.sum([np.einsum("ni,nij,nj->n", x - v, w, x - v)
                   for w, x in zip(ws, xs, strict=True)], axis=0)
    cov = np.linalg.inv(w_sum)
    cov[~ok] = np.nan
    ndf = 2 * n_in - 3 + {"": 0, "ipprofile": 3, "iptube": 2}[constraint]
    return VertexResult(v, cov, chi2, ndf, tuple(moms))


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
