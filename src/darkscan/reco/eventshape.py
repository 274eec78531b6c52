"""Event-shape and photon-pairing kernels over flat per-event object lists (CMS 3-momenta).

Thrust T = max_n Σ|pᵢ·n| / Σ|pᵢ| (the axis found by the iteration n ← Σ sign(pᵢ·n) pᵢ from every
particle direction as a start, which reaches the global maximum for the multiplicities of B-factory
events); Fox–Wolfram R₂ = H₂/H₀ with H_l = Σᵢⱼ |pᵢ||pⱼ| P_l(cos θᵢⱼ); cos θ_TB,TO between the
thrust axes of a candidate's particles and of the rest of the event; the Kakuno–Super-Fox–Wolfram
moments of a candidate against the rest of the event (Belle, PRL 91 261801); the diphoton mass of
a photon with the partner that comes closest to a target (π⁰/η veto).
"""

from __future__ import annotations

import numpy as np

from darkscan.jit import inline, jit


@inline
def _uses(cand_leaves, c, leaf):  # pragma: no cover - compiled
    """Whether candidate ``c`` is built on the final-state object ``leaf``."""
    for q in range(cand_leaves.shape[1]):
        if cand_leaves[c, q] == leaf:
            return True
    return False


@inline
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
    n_c = cand_leaves.shape[0]
    out = np.full(n_c, np.nan)
    idx_b = np.empty(max(1, px.shape[0]), dtype=np.int64)
    idx_r = np.empty(max(1, px.shape[0]), dtype=np.int64)
    for c in range(n_c):
        e = cand_event[c]
        nb, nr = 0, 0
        for i in range(off[e], off[e + 1]):
            if _uses(cand_leaves, c, leaf[i]):
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



@inline
def _legendre(z, out):  # pragma: no cover - compiled
    """P_0..P_4 at z into out[0:5]."""
    z2 = z * z
    out[0] = 1.0
    out[1] = z
    out[2] = 0.5 * (3.0 * z2 - 1.0)
    out[3] = 0.5 * z * (5.0 * z2 - 3.0)
    out[4] = 0.125 * ((35.0 * z2 - 30.0) * z2 + 3.0)


@jit
def ksfw_moments(px, py, pz, en, q, leaf, off, cand_event, cand_leaves, s_p3, s_q, s_p4,
                 sqrt_s):  # pragma: no cover - compiled
    """Kakuno–Super-Fox–Wolfram moments per candidate (all momenta in the CMS), unnormalised.

    The event's objects (px, py, pz, E, charge q, leaf id; event e at off[e]:off[e + 1]) that
    are not among the candidate's leaves form the other side o; ``s_p3``/``s_q`` ((n_c, m, 3),
    (n_c, m)) are the signal-side particles s and ``s_p4`` (n_c, 4) the candidate. The missing
    momentum is p_miss = (0⃗, √s) − s − o. With P_l the Legendre polynomials, θ opening angles:

    - hso[c, x, l] = Σ_s Σ_{o∈x} |p_o| P_l(cos θ_so) for even l and Σ_s Σ_{o∈x} Q_s Q_o |p_o|
      P_l(cos θ_so) for odd l; x = 0 charged, 1 neutral, 2 the missing momentum (one neutral
      particle): odd l of x = 1, 2 vanish;
    - hoo[c, l] = Σ_{o,o'} |p_o||p_o'| P_l(cos θ_oo'), with Q_o Q_o' for odd l (o = o'
      included, as in the Fox–Wolfram H_l);
    - et = Σ |p_T| of s and o (transverse to the z axis); mm2 = p_miss².
    """
    n_c = cand_leaves.shape[0]
    m = s_p3.shape[1]
    hso = np.zeros((n_c, 3, 5))
    hoo = np.zeros((n_c, 5))
    et = np.zeros(n_c)
    mm2 = np.zeros(n_c)
    idx = np.empty(max(1, px.shape[0]), dtype=np.int64)
    mag = np.empty(max(1, px.shape[0]))
    pl = np.empty(5)
    for c in range(n_c):
        e = cand_event[c]
        n_o = 0
        ox, oy, oz, oe, pt = 0.0, 0.0, 0.0, 0.0, 0.0
        for i in range(off[e], off[e + 1]):
            if _uses(cand_leaves, c, leaf[i]):
                continue
            idx[n_o] = i
            mag[n_o] = np.sqrt(px[i] ** 2 + py[i] ** 2 + pz[i] ** 2)
            n_o += 1
            ox += px[i]
            oy += py[i]
            oz += pz[i]
            oe += en[i]
            pt += np.sqrt(px[i] ** 2 + py[i] ** 2)
        for a in range(m):
            pt += np.sqrt(s_p3[c, a, 0] ** 2 + s_p3[c, a, 1] ** 2)
        et[c] = pt
        mx = -(s_p4[c, 0] + ox)
        my = -(s_p4[c, 1] + oy)
        mz = -(s_p4[c, 2] + oz)
        me = sqrt_s - (s_p4[c, 3] + oe)
        mm = np.sqrt(mx * mx + my * my + mz * mz)
        mm2[c] = me * me - mm * mm
        for a in range(m):
            sx, sy, sz = s_p3[c, a, 0], s_p3[c, a, 1], s_p3[c, a, 2]
            sm = np.sqrt(sx * sx + sy * sy + sz * sz)
            if sm <= 0.0:
                continue
            for b in range(n_o):
                j = idx[b]
                if mag[b] <= 0.0:
                    continue
                _legendre((sx * px[j] + sy * py[j] + sz * pz[j]) / (sm * mag[b]), pl)
                x = 0 if q[j] != 0.0 else 1
                qq = s_q[c, a] * q[j]
                for ll in range(5):
                    w = mag[b] if ll % 2 == 0 else qq * mag[b]
                    hso[c, x, ll] += w * pl[ll]
            if mm > 0.0:
                _legendre((sx * mx + sy * my + sz * mz) / (sm * mm), pl)
                for ll in range(0, 5, 2):
                    hso[c, 2, ll] += mm * pl[ll]
        for b in range(n_o):
            i = idx[b]
            for d in range(n_o):
                j = idx[d]
                w = mag[b] * mag[d]
                if w <= 0.0:
                    continue
                z = 1.0 if b == d else (px[i] * px[j] + py[i] * py[j] + pz[i] * pz[j]) / w
                _legendre(z, pl)
                qq = q[i] * q[j]
                for ll in range(5):
                    hoo[c, ll] += (w if ll % 2 == 0 else qq * w) * pl[ll]
    return hso, hoo, et, mm2
