"""Event-shape and photon-pairing kernels over flat per-event object lists (CMS 3-momenta).

Thrust T = max_n Σ|pᵢ·n| / Σ|pᵢ| (the axis found by the iteration n ← Σ sign(pᵢ·n) pᵢ from every
particle direction as a start, which reaches the global maximum for the multiplicities of B-factory
events); Fox–Wolfram R₂ = H₂/H₀ with H_l = Σᵢⱼ |pᵢ||pⱼ| P_l(cos θᵢⱼ); cos θ_TB,TO between the
thrust axes of a candidate's particles and of the rest of the event; the diphoton mass of a photon
with the partner that comes closest to a target (π⁰/η veto).
"""

from __future__ import annotations

import numpy as np

from darkscan.jit import jit


@jit
def _thrust_axis(px, py, pz, idx, n):  # pragma: no cover - compiled
    """Thrust value and axis of the n particles idx[:n]."""
    best_t, bx, by, bz = 0.0, 0.0, 0.0, 1.0
    norm = 0.0
    for a in range(n):
        i = idx[a]
        norm += np.sqrt(px[i] ** 2 + py[i] ** 2 + pz[i] ** 2)
    if n == 0 or norm <= 0.0:
        return 0.0, 0.0, 0.0, 1.0
    for s in range(n):
        i = idx[s]
        ax, ay, az = px[i], py[i], pz[i]
        for _ in range(20):
            sx, sy, sz = 0.0, 0.0, 0.0
            for a in range(n):
                j = idx[a]
                d = px[j] * ax + py[j] * ay + pz[j] * az
                sg = 1.0 if d >= 0.0 else -1.0
                sx += sg * px[j]
                sy += sg * py[j]
                sz += sg * pz[j]
            if sx == ax and sy == ay and sz == az:
                break
            ax, ay, az = sx, sy, sz
        mag = np.sqrt(ax * ax + ay * ay + az * az)
        if mag > best_t:
            best_t, bx, by, bz = mag, ax / mag, ay / mag, az / mag
    return best_t / norm, bx, by, bz


@jit
def event_thrust(px, py, pz, off):  # pragma: no cover - compiled
    """Thrust and cos θ of its axis per event."""
    n_ev = off.shape[0] - 1
    t = np.zeros(n_ev)
    cos_t = np.zeros(n_ev)
    idx = np.empty(max(1, px.shape[0]), dtype=np.int64)
    for e in range(n_ev):
        n = off[e + 1] - off[e]
        for a in range(n):
            idx[a] = off[e] + a
        v, _, _, az = _thrust_axis(px, py, pz, idx, n)
        t[e] = v
        cos_t[e] = az if az >= 0 else -az
    return t, cos_t


@jit
def fox_wolfram_r2(px, py, pz, off):  # pragma: no cover - compiled
    """H₂/H₀ per event (0 for events without particles)."""
    n_ev = off.shape[0] - 1
    out = np.zeros(n_ev)
    for e in range(n_ev):
        h0, h2 = 0.0, 0.0
        for i in range(off[e], off[e + 1]):
            pi = np.sqrt(px[i] ** 2 + py[i] ** 2 + pz[i] ** 2)
            for j in range(off[e], off[e + 1]):
                pj = np.sqrt(px[j] ** 2 + py[j] ** 2 + pz[j] ** 2)
                w = pi * pj
                c = 1.0 if i == j else (px[i] * px[j] + py[i] * py[j] + pz[i] * pz[j]) / max(
                    w, 1e-300)
                h0 += w
                h2 += w * 0.5 * (3.0 * c * c - 1.0)
        out[e] = h2 / h0 if h0 > 0 else 0.0
    return out


@jit
def cos_thrust_b_roe(px, py, pz, leaf, off, cand_event, cand_leaves):  # pragma: no cover
    """|cos| between the thrust axes of each candidate's objects and the rest of its event;
    ``leaf`` gives each object's leaf id (objects of event e at off[e]:off[e + 1])."""
    n_c, k = cand_leaves.shape
    out = np.full(n_c, np.nan)
    idx_b = np.empty(max(1, px.shape[0]), dtype=np.int64)
    idx_r = np.empty(max(1, px.shape[0]), dtype=np.int64)
    for c in range(n_c):
        e = cand_event[c]
        nb, nr = 0, 0
        for i in range(off[e], off[e + 1]):
            inside = False
            for q in range(k):
                if cand_leaves[c, q] == leaf[i]:
                    inside = True
            if inside:
                idx_b[nb] = i
                nb += 1
            else:
                idx_r[nr] = i
                nr += 1
        if nb == 0 or nr == 0:
            continue
        _, bx, by, bz = _thrust_axis(px, py, pz, idx_b, nb)
        _, rx, ry, rz = _thrust_axis(px, py, pz, idx_r, nr)
        d = bx * rx + by * ry + bz * rz
        out[c] = d if d >= 0 else -d
    return out


@jit
def best_partner_mass(e_ph, px, py, pz, off, cand_obj, cand_event, target, e_min
                      ):  # pragma: no cover - compiled
    """For each candidate photon (its index ``cand_obj`` in the flat photon arrays), the
    diphoton mass with another photon of its event (E > e_min) closest to ``target``."""
    out = np.full(cand_obj.shape[0], np.nan)
    for c in range(cand_obj.shape[0]):
        i = cand_obj[c]
        e = cand_event[c]
        best = np.inf
        for j in range(off[e], off[e + 1]):
            if j == i or e_ph[j] <= e_min:
                continue
            m2 = (e_ph[i] + e_ph[j]) ** 2 - ((px[i] + px[j]) ** 2 + (py[i] + py[j]) ** 2
                                             + (pz[i] + pz[j]) ** 2)
            m = np.sqrt(m2) if m2 > 0 else 0.0
            if abs(m - target) < abs(best - target):
                best = m
        if best < np.inf:
            out[c] = best
    return out
