"""ECL cluster shapes and times: over which crystals a cluster's energy spreads, and when.

Shapes. A shower's lateral profile on the crystal face is a sum of circular Gaussians (a core
and a halo, widths in Molière radii, ``ecl_profile_*``): its share in a crystal is a product of
two differences of the normal CDF (tabulated), six per axis and component for the 5×5 crystals
about the one the cluster's direction hits. Electromagnetic showers (γ, e±, beam-background
photons) contain 90% within 1 R_M and 99% within 3.5 R_M; a muon, or a hadron whose cluster is
no larger than a MIP's, crosses one or two crystals; a hadron that showered spreads wider. The
impact point within the crystal is the one the direction gives (:func:`crystal_cell`), so a
shower at a crystal's corner shares its energy with three neighbours. Two showers merged into
one cluster (:func:`darkscan.detector.calorimeter.merge_close_clusters`: a fast π⁰, a light
ALP → γγ) keep their energies and separation: the second one sits at that distance from the
first, in a random direction on the face, the pair's energy-weighted centre on the cluster's
direction. Each crystal the shower reaches (a tenth of the threshold) fluctuates (√(k E) of
the shower, ``ecl_crystal_fluctuation``, and the noise ``ecl_crystal_noise``; crystals of noise
alone are left out); crystals above ``ecl_crystal_threshold`` form the shape:

- ``E1E9``: the most energetic crystal over the 3×3 about it; ``E9E21``: the 3×3 over the 5×5
  without its corners (basf2's clusterE1E9, clusterE9E21);
- ``LAT``: the lateral moment Σ_{i≥3} E_i r_i² / (Σ_{i≥3} E_i r_i² + r₀²(E₁ + E₂)), energies in
  decreasing order, r about the centroid, r₀ = 5 cm (ARGUS, NIM A 237 (1985) 464): ≈ 0.2–0.3
  for one photon, larger for two merged ones and for hadrons;
- ``second_moment``: Σ E_i r_i² / Σ E_i (cm²); ``n_crystals``: crystals in the shape.

Times. A cluster's time about the collision (ns) is Gaussian with σ_t = a/E_seed + b, the
resolution of its seed crystal's digit (``ecl_time_noise``, ``ecl_time_constant``: basf2's MC
time resolution with full beam background, 0.9 ns at 1 GeV, 7.9 ns at 0.1 GeV): the waveform
fit's time error is its rise time times noise over amplitude. Beam-background clusters come at
any time, uniform in ±``ecl_bkg_time_window``: ``abs(time) < 3·time_error`` keeps a prompt
photon and a tenth of them. ``time_error`` is the σ_t a cluster of that seed energy has
(basf2's clusterErrorTiming is a 99% width instead).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

from darkscan.detector.geometry import ECL_BARREL, ECL_FWD, crystal_cell, ecl_crystal_rings
from darkscan.detector.parameters import DetectorParameters
from darkscan.jit import inline, jit

#: the shape classes
EM, MIP_LIKE, HADRONIC = 0, 1, 2
#: the output rows of :func:`_shapes`
SHAPE_COLUMNS = ("time", "time_error", "E1E9", "E9E21", "LAT", "second_moment", "n_crystals")
_GRID = 5  # crystals per side about the hit crystal
_SQRT2 = math.sqrt(2.0)


def shape_constants(params: DetectorParameters) -> np.ndarray:
    """The kernel's numbers as one flat array (order as read in :func:`_shapes`)."""
    return np.array([
        *params.ecl_profile_em, *params.ecl_profile_hadron, params.ecl_profile_mip,   # 0-8
        params.ecl_moliere_radius, params.ecl_shower_width_spread,                    # 9-10
        params.ecl_crystal_fluctuation, params.ecl_crystal_noise,                     # 11-12
        params.ecl_crystal_threshold, params.ecl_lat_r0,                              # 13-14
        params.ecl_time_noise, params.ecl_time_constant, params.ecl_bkg_time_window,  # 15-17
        1.5 * params.ecl_mip_energy,                                                  # 18
        params.ecl_r_barrel, params.ecl_z_fwd, params.ecl_z_bwd,                      # 19-21
    ], dtype=float)


#: the standard normal CDF tabulated on [−_PHI_RANGE, _PHI_RANGE] (linear interpolation is
#: good to 5×10⁻⁷ at this step, and cheaper than an error function per crystal edge)
_PHI_RANGE, _PHI_STEPS = 8.0, 4096
_PHI_TABLE = 0.5 * (1.0 + erf(np.linspace(-_PHI_RANGE, _PHI_RANGE, _PHI_STEPS + 1) / _SQRT2))


@inline
def _phi(z, table):  # pragma: no cover - compiled
    u = (z + _PHI_RANGE) * (_PHI_STEPS / (2.0 * _PHI_RANGE))
    if u <= 0.0:
        return 0.0
    if u >= _PHI_STEPS:
        return 1.0
    j = int(u)
    return table[j] + (u - j) * (table[j + 1] - table[j])


@inline
def _bins(centre, sigma, out, table):  # pragma: no cover - compiled
    """out[j] = the share of a unit Gaussian (centre, σ in crystal widths) in crystal j − 2."""
    inv = 1.0 / sigma
    lo = _phi((-_GRID / 2.0 - centre) * inv, table)
    for j in range(_GRID):
        hi = _phi((j + 1 - _GRID / 2.0 - centre) * inv, table)
        out[j] = hi - lo
        lo = hi


@inline
def _deposit(grid, e, x, y, kind, cell, scale, c, bx, by, table):  # pragma: no cover - compiled
    """Add a shower of energy ``e`` centred at (x, y) (crystal widths) to ``grid``."""
    r_m = c[9] / cell * scale
    if kind == MIP_LIKE:
        n_comp, base = 1, 8
    elif kind == HADRONIC:
        n_comp, base = 2, 4
    else:
        n_comp, base = 2, 0
    for comp in range(n_comp):
        if kind == MIP_LIKE:
            share, sigma = 1.0, c[8] * r_m
        else:
            share, sigma = c[base + 2 * comp], c[base + 2 * comp + 1] * r_m
        _bins(x, sigma, bx, table)
        _bins(y, sigma, by, table)
        for a in range(_GRID):
            for b in range(_GRID):
                grid[a, b] += e * share * bx[a] * by[b]


@inline
def _impact(theta, phi, region, rings, n_phi, c):  # pragma: no cover - compiled
    """(offset along the ring index, offset in φ) of the direction within its crystal, in
    crystal widths (−½…½), and the crystal's mean width in cm."""
    k, centre, w = crystal_cell(theta, phi, region, rings, n_phi, c[19], c[20], c[21])
    if region == ECL_BARREL:
        u = c[19] * math.cos(theta) / max(math.sin(theta), 1e-9)
        radius = c[19]
    else:
        u = (c[20] if region == ECL_FWD else c[21]) * math.tan(theta)
        radius = abs(u)
    first, width, offset = rings[region, 0], rings[region, 1], rings[region, 3]
    fu = min(max((u - first) / width - (k - offset) - 0.5, -0.5), 0.5)
    d = (phi - centre + math.pi) % (2.0 * math.pi) - math.pi
    fv = min(max(d / w, -0.5), 0.5)
    return fu, fv, 0.5 * (width + w * radius)


@jit
def _shapes(rng, e, theta, phi, region, pdg, is_bkg, sub_e, sub_dist, rings, n_phi, c, table
            ):  # pragma: no cover - compiled
    n = e.shape[0]
    out = np.empty((len(SHAPE_COLUMNS), n))
    grid = np.zeros((_GRID, _GRID))
    bx, by = np.empty(_GRID), np.empty(_GRID)
    for i in range(n):
        apdg = abs(pdg[i])
        if is_bkg[i] or apdg == 22 or apdg == 11 or apdg == 111:
            kind = EM
        elif apdg == 13 or e[i] < c[18]:
            kind = MIP_LIKE
        else:
            kind = HADRONIC
        fu, fv, cell = _impact(theta[i], phi[i], region[i], rings, n_phi, c)
        grid[:, :] = 0.0
        e2 = min(sub_e[i], e[i])
        if e2 > 0.0:  # two merged showers about their energy-weighted centre
            d = sub_dist[i] / cell
            alpha = 2.0 * math.pi * rng.random()
            f2 = e2 / e[i]
            dx, dy = d * math.cos(alpha), d * math.sin(alpha)
            _deposit(grid, e[i] - e2, fu - f2 * dx, fv - f2 * dy, kind, cell,
                     math.exp(c[10] * rng.standard_normal()), c, bx, by, table)
            _deposit(grid, e2, fu + (1.0 - f2) * dx, fv + (1.0 - f2) * dy, kind, cell,
                     math.exp(c[10] * rng.standard_normal()), c, bx, by, table)
        else:
            _deposit(grid, e[i], fu, fv, kind, cell, math.exp(c[10] * rng.standard_normal()),
                     c, bx, by, table)
        seed_a, seed_b, e1 = 0, 0, -1.0
        for a in range(_GRID):
            for b in range(_GRID):
                g = grid[a, b]
                if g > 0.1 * c[13]:  # a crystal the shower reaches (noise alone joins none)
                    g += math.sqrt(c[11] * g + c[12] * c[12]) * rng.standard_normal()
                g = g if g > c[13] else 0.0
                grid[a, b] = g
                if g > e1:
                    seed_a, seed_b, e1 = a, b, g
        e9 = e21 = total = 0.0
        xc = yc = 0.0
        top1 = top2 = -1  # flat indices of the two largest crystals
        count = 0
        for a in range(_GRID):
            for b in range(_GRID):
                g = grid[a, b]
                if g <= 0.0:
                    continue
                da, db = abs(a - seed_a), abs(b - seed_b)
                if da <= 1 and db <= 1:
                    e9 += g
                if da <= 2 and db <= 2 and not (da == 2 and db == 2):
                    e21 += g
                total += g
                xc += g * a
                yc += g * b
                count += 1
                j = a * _GRID + b
                if top1 < 0 or g > grid[top1 // _GRID, top1 % _GRID]:
                    top1, top2 = j, top1
                elif top2 < 0 or g > grid[top2 // _GRID, top2 % _GRID]:
                    top2 = j
        second = outer = e_top = 0.0
        if total > 0.0:
            xc /= total
            yc /= total
            for a in range(_GRID):
                for b in range(_GRID):
                    g = grid[a, b]
                    if g <= 0.0:
                        continue
                    r2 = ((a - xc) ** 2 + (b - yc) ** 2) * cell * cell
                    second += g * r2
                    j = a * _GRID + b
                    if j == top1 or j == top2:
                        e_top += g
                    else:
                        outer += g * r2
            second /= total
        lat_den = outer + c[14] * c[14] * e_top
        sigma_t = c[15] / max(e1, 1e-4) + c[16]
        if is_bkg[i]:
            t = c[17] * (2.0 * rng.random() - 1.0)
        else:
            t = sigma_t * rng.standard_normal()
        out[0, i] = t
        out[1, i] = sigma_t
        out[2, i] = e1 / e9 if e9 > 0.0 else 0.0
        out[3, i] = e9 / e21 if e21 > 0.0 else 0.0
        out[4, i] = outer / lat_den if lat_den > 0.0 else 0.0
        out[5, i] = second
        out[6, i] = count
    return out


def em_containment(radius: float, params: DetectorParameters) -> float:
    """The share of an electromagnetic shower's energy within ``radius`` Molière radii of its
    axis (the profile of ``ecl_profile_em``: Σ w (1 − exp(−r²/2σ²)))."""
    w1, s1, w2, s2 = params.ecl_profile_em
    return float(sum(w * (1.0 - math.exp(-radius**2 / (2.0 * s * s)))
                     for w, s in ((w1, s1), (w2, s2))))


def cluster_shapes(rng: np.random.Generator, clusters: dict[str, np.ndarray],
                   sub_e: np.ndarray, sub_dist: np.ndarray, params: DetectorParameters
                   ) -> dict[str, np.ndarray]:
    """Shape variables and times of the clusters (columns E, theta, phi, region, mc_pdg,
    is_bkg), one compiled pass; ``sub_e``, ``sub_dist``: energy of a second shower merged into
    each cluster and its distance (cm) from the first (0 for none)."""
    rings, n_phi = ecl_crystal_rings(params)
    f = np.ascontiguousarray
    out = _shapes(rng, f(clusters["E"], float), f(clusters["theta"], float),
                  f(clusters["phi"], float), f(clusters["region"], np.int8),
                  f(clusters["mc_pdg"], np.int32), f(clusters["is_bkg"], np.bool_),
                  f(sub_e, float), f(sub_dist, float), rings, n_phi, shape_constants(params),
                  _PHI_TABLE)
    cols = dict(zip(SHAPE_COLUMNS, out, strict=True))
    cols["n_crystals"] = cols["n_crystals"].astype(np.int16)
    return cols
