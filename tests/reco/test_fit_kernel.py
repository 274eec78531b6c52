"""The compiled vertex fit (``darkscan.reco.fit``) against the numpy implementation it replaced,
kept below as the reference (``_ref_*``: the former ``fit_vertex_n`` and two-track seed, verbatim
but for names), on displaced two- and three-track vertices, a track with a composite's flight
line and the beam-spot constraints (no simulation: truth helices with smeared perigee
parameters)."""

from __future__ import annotations

from collections.abc import Sequence

import awkward as ak
import numpy as np
import pytest
from scipy.stats import chi2 as chi2_dist

from darkscan.detector import helix
from darkscan.detector.toy import llp_two_track_sample
from darkscan.reco.fit import LineIn, TrackIn, VertexResult, beam_spot_weight, fit_vertex_n
from darkscan.reco.vertex import fit_vertex

B_FIELD = 1.5
SPOT_SIGMA = (0.00064, 4.2e-06, 0.0154)  # Belle II luminous region (cm)
RTOL = 1e-9

# --- the reference: the former numpy implementation ------------------------------------------


def _ref_seed(t1: dict[str, np.ndarray], t2: dict[str, np.ndarray], b_field: float
              ) -> dict[str, np.ndarray]:
    def track(t: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        pt = np.hypot(t["px"], t["py"])
        cx, cy, r = helix.perigee_centre(t["d0"], t["phi0"], pt, t["charge"], b_field)
        return cx, cy, r, pt

    c1x, c1y, r1, pt1 = track(t1)
    c2x, c2y, r2, pt2 = track(t2)
    dx, dy = c2x - c1x, c2y - c1y
    d = np.maximum(np.hypot(dx, dy), 1e-12)
    ux, uy = dx / d, dy / d
    a = (d * d + r1 * r1 - r2 * r2) / (2 * d)
    h2 = r1 * r1 - a * a
    meets = h2 >= 0
    h = np.sqrt(np.maximum(h2, 0.0))
    cand = []
    for s in (1.0, -1.0):
        xi = c1x + a * ux - s * h * uy
        yi = c1y + a * uy + s * h * ux
        cand.append((xi, yi, xi, yi))
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


def _ref_perp_basis(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.hypot(u[:, 0], u[:, 1])
    safe = np.where(t > 1e-12, t, 1.0)
    n1 = np.stack([np.where(t > 1e-12, -u[:, 1] / safe, 1.0),
                   np.where(t > 1e-12, u[:, 0] / safe, 0.0), np.zeros(len(u))], axis=-1)
    return n1, np.cross(u, n1)


def _ref_weight(n1: np.ndarray, n2: np.ndarray, cov2: np.ndarray) -> np.ndarray:
    basis = np.stack([n1, n2], axis=-1)
    inv = np.linalg.inv(cov2)
    return np.einsum("nij,njk,nlk->nil", basis, inv, basis)


def _ref_track_point(t: TrackIn, v: np.ndarray, b_field: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pt = np.hypot(t.px, t.py)
    cx, cy, r = helix.perigee_centre(t.d0, t.phi0, pt, t.charge, b_field)
    beta = np.arctan2(v[:, 1] - cy, v[:, 0] - cx)
    x, y = cx + r * np.cos(beta), cy + r * np.sin(beta)
    z = helix.z_at(beta, t.d0, t.phi0, pt, t.charge, t.z0, t.tanl, b_field)
    phi = helix.phi_at(beta, t.charge)
    p = np.stack([pt * np.cos(phi), pt * np.sin(phi), t.pz], axis=-1)
    u = p / np.linalg.norm(p, axis=-1, keepdims=True)
    return np.stack([x, y, z], axis=-1), u, p


def _ref_track_weight(t: TrackIn, u: np.ndarray) -> np.ndarray:
    n1, n2 = _ref_perp_basis(u)
    cos_l = 1.0 / np.sqrt(1.0 + t.tanl ** 2)
    cov2 = np.zeros((len(u), 2, 2))
    cov2[:, 0, 0] = t.sigma_d0 ** 2
    cov2[:, 1, 1] = (t.sigma_z0 * cos_l) ** 2
    return _ref_weight(n1, n2, cov2)


def _ref_line_weight(line: LineIn) -> np.ndarray:
    u = line.momentum / np.maximum(np.linalg.norm(line.momentum, axis=-1, keepdims=True), 1e-300)
    n1, n2 = _ref_perp_basis(u)
    basis = np.stack([n1, n2], axis=-1)
    cov2 = np.einsum("nji,njk,nkl->nil", basis, line.cov, basis)
    cov2 += np.eye(2) * 1e-18
    return _ref_weight(n1, n2, cov2)


def _ref_beam_spot_weight(spot_sigma: Sequence[float], n: int, constraint: str,
                          momentum: np.ndarray | None = None) -> np.ndarray:
    cov = np.broadcast_to(np.diag(np.asarray(spot_sigma, dtype=float) ** 2), (n, 3, 3))
    if constraint == "ipprofile":
        return np.broadcast_to(np.linalg.inv(cov[0]), (n, 3, 3)).copy()
    assert momentum is not None
    return _ref_line_weight(LineIn(np.zeros((n, 3)), np.ascontiguousarray(cov), momentum))


def _ref_fit(tracks: Sequence[TrackIn], lines: Sequence[LineIn], b_field: float, *,
             spot_sigma: Sequence[float] = (0.0, 0.0, 0.0), constraint: str = "",
             momentum: np.ndarray | None = None) -> tuple[VertexResult, np.ndarray]:
    """The former fit_vertex_n, and Σ |r|ᵀ|W||r| of its χ² sum (its rounding scale; test only)."""
    n_in = len(tracks) + len(lines)
    n = len(tracks[0].px) if tracks else len(lines[0].point)
    if len(tracks) >= 2:
        seed = _ref_seed(tracks[0].as_dict(), tracks[1].as_dict(), b_field)
        v = np.stack([seed["x"], seed["y"], seed["z"]], axis=-1)
    elif lines:
        v = np.mean([ln.point for ln in lines], axis=0)
    else:
        v = np.zeros((n, 3))
    w_fixed = [_ref_line_weight(ln) for ln in lines]
    x_fixed = [ln.point for ln in lines]
    if constraint:
        w_fixed.append(_ref_beam_spot_weight(spot_sigma, n, constraint, momentum))
        x_fixed.append(np.zeros((n, 3)))
    moms: list[np.ndarray] = []
    for _ in range(3):
        ws, xs, moms = list(w_fixed), list(x_fixed), []
        for t in tracks:
            x, u, p = _ref_track_point(t, v, b_field)
            ws.append(_ref_track_weight(t, u))
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
    chi2_abs = np.sum([np.einsum("ni,nij,nj->n", np.abs(x - v), np.abs(w), np.abs(x - v))
                       for w, x in zip(ws, xs, strict=True)], axis=0)
    return VertexResult(v, cov, chi2, ndf, tuple(moms)), chi2_abs


# --- inputs -----------------------------------------------------------------------------------


def _track(rng: np.random.Generator, vtx: np.ndarray, p: np.ndarray, q: np.ndarray) -> TrackIn:
    """A measured track of a particle from ``vtx`` (n, 3) with momentum ``p`` (n, 3) and charge
    ``q``: its perigee parameters smeared by Belle II-like errors (d0, z0: 12–40 µm with a
    multiple-scattering term; angles and p_T by 10⁻³)."""
    per = helix.perigee(vtx[:, 0], vtx[:, 1], vtx[:, 2], p[:, 0], p[:, 1], p[:, 2], q, B_FIELD)
    n = len(q)
    pmag = np.linalg.norm(p, axis=-1)
    s_d0 = np.hypot(12e-4, 15e-4 / pmag)
    s_z0 = np.hypot(20e-4, 20e-4 / pmag)
    phi0 = per["phi0"] + rng.normal(0.0, 1e-3, n)
    pt = per["pt"] * (1.0 + rng.normal(0.0, 1e-3, n))
    tanl = per["tanl"] + rng.normal(0.0, 1e-3, n)
    return TrackIn(px=pt * np.cos(phi0), py=pt * np.sin(phi0), pz=pt * tanl, charge=q,
                   d0=per["d0"] + rng.normal(0.0, 1.0, n) * s_d0, phi0=phi0,
                   z0=per["z0"] + rng.normal(0.0, 1.0, n) * s_z0, tanl=tanl,
                   sigma_d0=s_d0, sigma_z0=s_z0)


def _llp(n: int, seed: int, decay_length: np.ndarray | None = None
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vertex (n, 3), the two daughters' momenta (n, 3) each and the LLP's momentum."""
    parts = llp_two_track_sample(n, seed=seed, decay_length=decay_length).events.particles
    col = {k: ak.to_numpy(ak.flatten(parts[k])).reshape(n, 3)
           for k in ("px", "py", "pz", "vx", "vy", "vz")}
    p = np.stack([col["px"], col["py"], col["pz"]], axis=-1)  # (n, 3 particles, 3)
    vtx = np.stack([col["vx"][:, 1], col["vy"][:, 1], col["vz"][:, 1]], axis=-1)
    return vtx, p[:, 1], p[:, 2], p[:, 0]


def _pair(n: int, seed: int, decay_length: np.ndarray | None = None
          ) -> tuple[TrackIn, TrackIn, np.ndarray, np.ndarray]:
    """Two tracks from a displaced vertex (uniform in radius out to the CDC unless given), the
    vertex and the LLP's momentum."""
    vtx, p1, p2, p_llp = _llp(n, seed, decay_length)
    rng = np.random.default_rng(seed + 100)
    return (_track(rng, vtx, p1, np.ones(n)), _track(rng, vtx, p2, -np.ones(n)), vtx, p_llp)


def _assert_same(new: VertexResult, reference: tuple[VertexResult, np.ndarray], *,
                 finite: float = 0.95) -> None:
    """Vertices, covariances, χ² and the track momenta agree to RTOL; the fits that failed (NaN)
    are the same. Relative to the natural scale where a value may vanish: a vertex coordinate
    to RTOL·(|v_i| + σ_i), a covariance element to RTOL·√(C_ii C_jj), χ² to RTOL·(χ² + 1) plus
    the rounding of the χ² sum itself, 4ε Σ |r|ᵀ|W||r| (ε = 2⁻⁵²; it matters only for a
    composite's line, whose vertex lies centimetres from the fitted one along the line: terms
    of 10⁷ that cancel). Perturbing the reference's inputs by one ulp moves it by as much: up to
    2·10⁻¹⁰ σ and 3·10⁻⁹ in χ², the conditioning of the fit, which no other order of operations
    can beat."""
    ref, chi2_abs = reference
    assert new.ndf == ref.ndf
    ok = np.isfinite(ref.chi2)
    assert ok.mean() >= finite
    np.testing.assert_array_equal(np.isfinite(new.chi2), ok)
    sigma = np.sqrt(np.diagonal(ref.cov[ok], axis1=1, axis2=2))
    assert np.all(np.abs(new.position[ok] - ref.position[ok])
                  <= RTOL * (np.abs(ref.position[ok]) + sigma))
    scale = sigma[:, :, None] * sigma[:, None, :]
    assert np.all(np.abs(new.cov[ok] - ref.cov[ok]) <= RTOL * scale)
    tol = RTOL * (np.abs(ref.chi2[ok]) + 1.0) + 4 * np.finfo(float).eps * chi2_abs[ok]
    assert np.all(np.abs(new.chi2[ok] - ref.chi2[ok]) <= tol)
    for pn, pr in zip(new.track_momenta, ref.track_momenta, strict=True):
        np.testing.assert_allclose(pn[ok], pr[ok], rtol=RTOL, atol=1e-12)
    # the probability of the same χ² (near χ² = 0 it is as steep as 1/√χ²)
    np.testing.assert_allclose(new.prob, np.where(ok, chi2_dist.sf(new.chi2, new.ndf), 0.0),
                               rtol=1e-12, atol=1e-300)


# --- tests ------------------------------------------------------------------------------------


def test_two_track_displaced_vertices() -> None:
    """(a) ± pairs of llp_two_track_sample, decay radius uniform out to the CDC."""
    t1, t2, vtx, _ = _pair(3000, seed=11)
    new = fit_vertex_n([t1, t2], [], B_FIELD)
    _assert_same(new, _ref_fit([t1, t2], [], B_FIELD))
    assert new.ndf == 1
    # and the fit finds the true vertex of the prompt-ish ones
    near = np.hypot(vtx[:, 0], vtx[:, 1]) < 2.0
    assert np.median(np.abs(new.position[near] - vtx[near])) < 0.01


def test_two_track_seed() -> None:
    """The compiled two-track intersection (the fit's start, and pair_vertex) is the former one,
    for displaced and prompt pairs: positions and doca to RTOL·(|x| + 100 µm), χ² to
    5·RTOL·(χ² + 1) (the points are differences of metre-wide circles: one ulp of the inputs
    moves the reference's doca by 10⁻¹² cm and χ² by 7·10⁻¹⁰)."""
    for seed, length in ((21, None), (22, np.zeros(2000))):
        t1, t2, _, _ = _pair(2000, seed=seed, decay_length=length)
        new = fit_vertex(t1.as_dict(), t2.as_dict(), B_FIELD)
        ref = _ref_seed(t1.as_dict(), t2.as_dict(), B_FIELD)
        for k in ("x", "y", "z", "doca"):
            assert np.all(np.abs(new[k] - ref[k]) <= RTOL * (np.abs(ref[k]) + 0.01)), k
        assert np.all(np.abs(new["chi2"] - ref["chi2"]) <= 5 * RTOL * (ref["chi2"] + 1.0))
        for k in ("p1", "p2"):
            np.testing.assert_allclose(new[k], ref[k], rtol=RTOL, atol=1e-12, err_msg=k)


def test_three_track_vertices() -> None:
    """(b) A third track (a daughter of another LLP) from the same displaced vertex."""
    t1, t2, vtx, _ = _pair(3000, seed=31)
    _, p3, _, _ = _llp(3000, seed=32)
    t3 = _track(np.random.default_rng(33), vtx, p3, np.where(np.arange(3000) % 2, 1.0, -1.0))
    new = fit_vertex_n([t1, t2, t3], [], B_FIELD)
    _assert_same(new, _ref_fit([t1, t2, t3], [], B_FIELD))
    assert new.ndf == 3


def test_track_and_composite_line() -> None:
    """(c) B → K S: the S fitted from its two tracks, displaced from a B vertex near the beam
    spot; the kaon from that vertex; the S enters as its flight line."""
    n = 3000
    rng = np.random.default_rng(41)
    b_vtx = rng.normal(0.0, 1.0, (n, 3)) * np.array([0.002, 0.002, 0.02])
    s_vtx, p1, p2, p_s = _llp(n, seed=42, decay_length=rng.exponential(1.0, n))
    s_vtx = s_vtx + b_vtx
    t1, t2 = _track(rng, s_vtx, p1, np.ones(n)), _track(rng, s_vtx, p2, -np.ones(n))
    s_fit = _ref_fit([t1, t2], [], B_FIELD)[0]
    line = LineIn(s_fit.position, s_fit.cov, p_s)
    _, p_k, _, _ = _llp(n, seed=43)
    kaon = _track(rng, b_vtx, p_k, np.ones(n))
    new = fit_vertex_n([kaon], [line], B_FIELD)
    _assert_same(new, _ref_fit([kaon], [line], B_FIELD), finite=0.9)
    assert new.ndf == 1
    # two lines (a composite with two composite daughters) with a track
    line2 = LineIn(s_fit.position[::-1].copy(), s_fit.cov[::-1].copy(), p_s[::-1].copy())
    _assert_same(fit_vertex_n([kaon], [line, line2], B_FIELD),
                 _ref_fit([kaon], [line, line2], B_FIELD), finite=0.9)


@pytest.mark.parametrize("constraint", ["ipprofile", "iptube"])
def test_beam_spot_constraints(constraint: str) -> None:
    """(d) Prompt pairs and single tracks with the luminous region as a measurement, and a
    composite's line with it alone."""
    t1, t2, _, p_llp = _pair(3000, seed=51, decay_length=np.zeros(3000))
    kw = {"spot_sigma": SPOT_SIGMA, "constraint": constraint, "momentum": p_llp}
    new = fit_vertex_n([t1, t2], [], B_FIELD, **kw)
    _assert_same(new, _ref_fit([t1, t2], [], B_FIELD, **kw))
    assert new.ndf == {"ipprofile": 4, "iptube": 3}[constraint]
    _assert_same(fit_vertex_n([t1], [], B_FIELD, **kw), _ref_fit([t1], [], B_FIELD, **kw))
    # a composite's line: the candidate (the tube's axis) also has a recoiling daughter, so
    # that the tube is not along the line (with nothing along it that fit is singular)
    s_fit = _ref_fit([t1, t2], [], B_FIELD)[0]
    line = LineIn(s_fit.position, s_fit.cov, p_llp)
    kw["momentum"] = p_llp + np.random.default_rng(52).normal(0.0, 1.0, p_llp.shape)
    _assert_same(fit_vertex_n([], [line], B_FIELD, **kw),
                 _ref_fit([], [line], B_FIELD, **kw), finite=0.9)
    n = len(p_llp)
    w_new = beam_spot_weight(SPOT_SIGMA, n, constraint, p_llp)
    w_ref = _ref_beam_spot_weight(SPOT_SIGMA, n, constraint, p_llp)
    d = np.sqrt(np.abs(np.diagonal(w_ref, axis1=1, axis2=2)))
    assert np.all(np.abs(w_new - w_ref) <= RTOL * d[:, :, None] * d[:, None, :])


def test_chi2_probability_is_scipys() -> None:
    """The closed-form χ² probability against scipy, ndf 1 … 9, χ² from 0 to far in the tail;
    0 for a failed fit."""
    x = np.concatenate([[0.0, 1e-12], np.geomspace(1e-6, 600.0, 400), [np.nan, np.inf]])
    for ndf in range(1, 10):
        res = VertexResult(np.zeros((len(x), 3)), np.zeros((len(x), 3, 3)), x, ndf, ())
        ref = np.where(np.isfinite(x), chi2_dist.sf(x, ndf), 0.0)
        np.testing.assert_allclose(res.prob, ref, rtol=1e-12, atol=1e-300, err_msg=str(ndf))
    assert VertexResult(np.zeros((1, 3)), np.zeros((1, 3, 3)), np.ones(1), -1, ()).prob[0] == \
        pytest.approx(chi2_dist.sf(1.0, 1))
