"""CDC hit simulation: charged helices through the 56 wire layers, one drift circle per crossed
cell, digitised to basf2 CDCHit columns (DESIGN §5), with beam-background hits.

Per charged particle (production vertex, momentum, charge, mass) the helix in the solenoid field
(:mod:`darkscan.detector.helix` conventions: centre ``c = x + q R (sin φ, −cos φ)``, circle angle
β decreasing by the turning angle τ) is followed for one turn at most. Its crossings of every
layer's wire radius are ordered in τ; the particle stops at the first crossing outside the
layer's wire z range (it has left through an endplate) or at the outer wall. At a crossing
the track runs across the layer's radial band (± half the cell height) at an angle α to the
radial direction, sweeping ±h·tan α in azimuth: every cell whose φ range (at the crossing's z,
where stereo wires are rotated by their twist) meets that sweep is hit. The drift length is the
transverse distance of closest approach between the wire (at that z) and the helix's circle,
| |w − c| − R |, smeared by the spatial resolution; drift time from the x–t relation; total
time = production time + flight time along the helix + drift time + signal propagation to the
backward wire end; the energy deposit is dE/dx (∝ 1/β², Landau-distributed) times the chord
through the cell at the DOCA (cells taken as discs of the largest drift length, so corner
clippers deposit little); TDC and ADC as in :mod:`darkscan.detector.cdc.digitize`. A cell hit twice
keeps its earliest signal (the TDC's first hit). Energy loss and multiple scattering in the gas
are not simulated (the helix is ideal); curlers count their first turn only.
"""

from __future__ import annotations

import numpy as np

from darkscan.detector.cdc.digitize import C_CM_PER_NS, CDC_RESPONSE, CDCResponse, drift_time_one
from darkscan.detector.cdc.geometry import TWO_PI, CDCGeometry, cdc_geometry
from darkscan.detector.helix import K_CURVATURE
from darkscan.jit import jit

#: radius (cm) of the CDC outer wall, beyond the last layer's cells
R_OUTER_WALL = 112.5
#: most cells one crossing can hit on each side of the nearest wire
MAX_SIDE_CELLS = 4


@jit
def _hits_kernel(rng, x0, y0, z0, t0, px, py, pz, q, mass, b_field, radius, zb, zf, ncell,
                 offset, dphi, half_h, first_wire, wire_trig, resp, h_part, h_layer, h_wire,
                 h_doca, h_drift, h_time, h_adc):  # pragma: no cover - compiled
    """Hits of particles i: (particle, layer, wire, true DOCA, measured drift length, total
    time, ADC) written to the ``h_*`` arrays; returns the count (−1 when they are full).
    ``wire_trig``: the :func:`_wire_trig` table."""
    n_layers = radius.shape[0]
    capacity = h_part.shape[0]
    v0, x_sat, sigma_x, eff = resp[0], resp[1], resp[2], resp[3]
    prop_inv, dedx, lw, adc_gain, adc_max = resp[4], resp[5], resp[6], resp[7], resp[8]
    cr_tau = np.empty(2 * n_layers)
    cr_beta = np.empty(2 * n_layers)
    cr_layer = np.empty(2 * n_layers, np.int64)
    k = 0
    for i in range(x0.shape[0]):
        pt = np.sqrt(px[i] * px[i] + py[i] * py[i])
        if pt < 1e-4 or q[i] == 0.0:
            continue
        qi = 1.0 if q[i] > 0 else -1.0
        rr = pt / (K_CURVATURE * b_field)
        cx = x0[i] + qi * rr * py[i] / pt
        cy = y0[i] - qi * rr * px[i] / pt
        d = np.sqrt(cx * cx + cy * cy)
        if d < 1e-9:
            d = 1e-9
        beta_c = np.arctan2(cy, cx)
        beta0 = np.arctan2(y0[i] - cy, x0[i] - cx)
        tanl = pz[i] / pt
        p = np.sqrt(pt * pt + pz[i] * pz[i])
        m = 0.0 if np.isnan(mass[i]) else mass[i]
        bv = p / np.sqrt(p * p + m * m)
        if x0[i] * x0[i] + y0[i] * y0[i] > R_OUTER_WALL * R_OUTER_WALL:
            continue
        tau_end = TWO_PI
        # outer wall: the first crossing of the wall radius ends the track
        cw = (R_OUTER_WALL * R_OUTER_WALL - d * d - rr * rr) / (2.0 * rr * d)
        if -1.0 < cw < 1.0:
            a = np.arccos(cw)
            for s in (-1.0, 1.0):
                tw = (qi * (beta0 - (beta_c + s * a))) % TWO_PI
                if tw < tau_end:
                    tau_end = tw
        nc = 0
        for ly in range(n_layers):
            rl = radius[ly]
            cl = (rl * rl - d * d - rr * rr) / (2.0 * rr * d)
            if cl <= -1.0 or cl >= 1.0:
                continue
            a = np.arccos(cl)
            for s in (-1.0, 1.0):
                b = beta_c + s * a
                tau = (qi * (beta0 - b)) % TWO_PI
                if tau < tau_end:
                    cr_tau[nc] = tau
                    cr_beta[nc] = b
                    cr_layer[nc] = ly
                    nc += 1
        order = np.argsort(cr_tau[:nc])
        sec = np.sqrt(1.0 + tanl * tanl)
        for jj in range(nc):
            j = order[jj]
            ly = cr_layer[j]
            tau = cr_tau[j]
            b = cr_beta[j]
            z = z0[i] + rr * tau * tanl
            if z < zb[ly] or z > zf[ly]:
                break  # left through an endplate
            hx = cx + rr * np.cos(b)
            hy = cy + rr * np.sin(b)
            rl = radius[ly]
            # direction of motion (dP/dτ ∝ q (sin β, −cos β)) against the radial direction
            tx, ty = qi * np.sin(b), -qi * np.cos(b)
            cos_a = abs(tx * hx + ty * hy) / rl
            sin_a = abs(tx * hy - ty * hx) / rl
            tan_a = min(sin_a / max(cos_a, 1e-6), 6.0)
            frac = (z - zb[ly]) / (zf[ly] - zb[ly])
            pitch = TWO_PI / ncell[ly]
            phi_h = np.arctan2(hy, hx)
            wc = (phi_h - frac * dphi[ly]) / pitch - offset[ly]
            w0 = int(np.floor(wc + 0.5))
            sweep = half_h[ly] * tan_a / rl  # azimuthal half-extent of the track in the band
            max_d = np.sqrt(half_h[ly] * half_h[ly] + 0.25 * (rl * pitch) ** 2)
            t_flight = t0[i] + rr * tau * sec / (bv * C_CM_PER_NS)
            for kk in range(-MAX_SIDE_CELLS, MAX_SIDE_CELLS + 1):
                w = w0 + kk
                if abs(wc - w) * pitch > sweep + 0.5 * pitch:
                    continue
                wn = w % ncell[ly]
                g = first_wire[ly] + wn
                wx = rl * (wire_trig[0, g] + frac * wire_trig[2, g])
                wy = rl * (wire_trig[1, g] + frac * wire_trig[3, g])
                doca = abs(np.sqrt((wx - cx) ** 2 + (wy - cy) ** 2) - rr)
                if doca > max_d:
                    continue
                if rng.random() > eff:
                    continue
                if k >= capacity:
                    return -1
                dm = abs(doca + sigma_x * rng.standard_normal())
                # chord through the cell (cells as discs of the largest drift length): short
                # paths, small deposits, for tracks clipping a corner
                path = 2.0 * np.sqrt(max(max_d * max_d - doca * doca, 0.0025 * max_d * max_d))
                path = min(path, 2.0 * half_h[ly] / max(cos_a, 1e-6)) * sec
                # energy loss: Moyal (−ln χ²₁) around the most probable value, ∝ 1/β²
                zz = rng.standard_normal()
                moyal = -np.log(max(zz * zz, 1e-12))
                edep = dedx * path / (bv * bv) * (1.0 + lw * moyal)
                adc = int(edep * adc_gain)
                h_part[k] = i
                h_layer[k] = ly
                h_wire[k] = wn
                h_doca[k] = doca
                h_drift[k] = dm
                h_time[k] = (t_flight + drift_time_one(dm, v0, x_sat)
                             + (z - zb[ly]) * prop_inv)
                h_adc[k] = min(max(adc, 1), adc_max)
                k += 1
    return k


def _wire_trig(geo: CDCGeometry) -> np.ndarray:
    """(4, wires) by global wire number: cos φ_b, sin φ_b, cos φ_f − cos φ_b, sin φ_f − sin φ_b
    of the wires' backward (b) and forward (f) ends, the four sines and cosines the kernel would
    otherwise take per candidate cell."""
    cl = np.repeat(np.arange(len(geo.n_cells)), geo.n_cells)
    xb, yb, xf, yf = geo.wire_ends(cl, np.arange(geo.n_wires) - geo.first_wire[cl])
    r = geo.radius[cl]
    return np.stack([xb / r, yb / r, (xf - xb) / r, (yf - yb) / r])


def _response_array(resp: CDCResponse) -> np.ndarray:
    return np.array([resp.drift_v0, resp.x_sat, resp.sigma_x, resp.hit_efficiency,
                     resp.prop_inv, resp.dedx_mip, resp.landau_width, resp.adc_per_kev,
                     float(resp.adc_max)])


def particle_hits(rng: np.random.Generator, particles: dict[str, np.ndarray], b_field: float,
                  geo: CDCGeometry | None = None, resp: CDCResponse = CDC_RESPONSE
                  ) -> dict[str, np.ndarray]:
    """Hits of charged particles (flat arrays ``x y z t px py pz q mass``): per hit the particle
    index, ``clayer``, ``wire``, ``doca`` (true), ``drift`` (measured), ``time`` (ns), ``adc``."""
    geo = geo or cdc_geometry()
    f = np.ascontiguousarray
    cols = [f(particles[c], float) for c in ("x", "y", "z", "t", "px", "py", "pz", "q", "mass")]
    n = len(cols[0])
    capacity = max(1024, 150 * n)
    while True:
        # allocated here rather than in the kernel: numpy maps large arrays on huge pages, a
        # third of the page-fault time of the kernel's own allocations
        out = (np.empty(capacity, np.int64), np.empty(capacity, np.int16),
               np.empty(capacity, np.int16), np.empty(capacity), np.empty(capacity),
               np.empty(capacity), np.empty(capacity, np.int32))
        k = _hits_kernel(rng, *cols, float(b_field), geo.radius, geo.z_bwd, geo.z_fwd,
                         geo.n_cells, geo.offset, geo.dphi_stereo, geo.half_height,
                         geo.first_wire, _wire_trig(geo), _response_array(resp), *out)
        if k >= 0:
            break
        capacity *= 4  # pragma: no cover - only for pathological inputs
    names = ("particle", "clayer", "wire", "doca", "drift", "time", "adc")
    return {name: a[:k] for name, a in zip(names, out, strict=True)}


@jit
def _inverse_cdf(cdf, u):  # pragma: no cover - compiled
    """Per u in [0, 1) the first index with cdf > u (``searchsorted(side="right")``) through a
    guide table of 4 entries per bin: a step or two of linear search instead of a binary
    search's mispredicted branches. Each guide entry starts half an entry low, so that rounding
    in u·n never starts the search past the answer."""
    n_guide = 4 * cdf.shape[0]
    guide = np.empty(n_guide, np.int64)
    j = 0
    for g in range(n_guide):
        while cdf[j] <= (g - 0.5) / n_guide:
            j += 1
        guide[g] = j
    out = np.empty(u.shape[0], np.int64)
    for i in range(u.shape[0]):
        j = guide[int(u[i] * n_guide)]
        while cdf[j] <= u[i]:
            j += 1
        out[i] = j
    return out


def background_hits(rng: np.random.Generator, n_events: int, occupancy: float,
                    geo: CDCGeometry | None = None, resp: CDCResponse = CDC_RESPONSE
                    ) -> dict[str, np.ndarray]:
    """Beam-background hits: per event Poisson(occupancy × 14 336) wires, the per-wire rate ∝ 1/r
    (normalised to the mean occupancy), random drift times in the cell's range; deposits half
    soft, half from slow charged particles (the shares [INFERRED])."""
    geo = geo or cdc_geometry()
    if occupancy <= 0 or n_events == 0:
        z = np.zeros(0)
        return {"event": z.astype(np.int64), "clayer": z.astype(np.int16),
                "wire": z.astype(np.int16), "time": z, "adc": z.astype(np.int32)}
    per_layer = geo.n_cells / geo.radius
    p_layer = per_layer / per_layer.sum()
    n_bg = rng.poisson(occupancy * geo.n_wires, n_events)
    total = int(n_bg.sum())
    event = np.repeat(np.arange(n_events), n_bg)
    # rng.choice(len(p_layer), total, p=p_layer), drawn alike, without its binary search
    cdf = np.cumsum(p_layer)
    clayer = _inverse_cdf(cdf / cdf[-1], rng.random(total))
    wire = (rng.random(total) * geo.n_cells[clayer]).astype(np.int64)
    x_max = np.hypot(geo.half_height, 0.5 * geo.radius * TWO_PI / geo.n_cells)[clayer]
    x = rng.random(total) * x_max
    t = (x / resp.drift_v0 * (1.0 + x / resp.x_sat) + geo.radius[clayer] / C_CM_PER_NS
         + rng.random(total) * (geo.z_fwd - geo.z_bwd)[clayer] * resp.prop_inv)
    # deposits: half soft (exponential), half from slow charged particles (Compton electrons)
    # crossing the cell: a MIP deposit along up to two cell heights, ×1/β² with β in 0.4–1
    soft = rng.exponential(resp.bkg_adc_mean, total)
    beta = rng.uniform(0.4, 1.0, total)
    path = rng.uniform(0.1, 2.0, total) * 2.0 * geo.half_height[clayer]
    zz = rng.standard_normal(total)
    moyal = -np.log(np.maximum(zz * zz, 1e-12))
    hard = (resp.dedx_mip * path / beta**2 * (1.0 + resp.landau_width * moyal)
            * resp.adc_per_kev)
    adc = np.minimum(1 + np.where(rng.random(total) < 0.5, soft, hard).astype(np.int32),
                     resp.adc_max)
    return {"event": event, "clayer": clayer.astype(np.int16), "wire": wire.astype(np.int16),
            "time": t, "adc": adc.astype(np.int32)}
