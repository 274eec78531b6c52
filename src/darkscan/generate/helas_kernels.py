"""Compiled (numba) loops behind :mod:`darkscan.generate.helas`.

Each kernel is one pass over the events writing into a preallocated output: the numpy versions
of a spinor or a current made ~20 full-size temporaries (or an einsum over (n, 4, 4) γ matrices)
and were limited by memory traffic, not arithmetic. The conventions are those of ``helas``
(chiral representation, (px, py, pz, E) order, γ^t swapping the Weyl halves); the formulas are
the closed forms of the 4×4 products written out component by component:

- p̸ = [[0, E − σ·p], [E + σ·p, 0]] with σ·p = [[p_z, p_x − i p_y], [p_x + i p_y, −p_z]];
- ψ̄ γ^μ χ has t: a₀χ₂ + a₁χ₃ + a₂χ₀ + a₃χ₁, x: a₀χ₃ + a₁χ₂ − a₂χ₁ − a₃χ₀,
  y: i(a₁χ₂ − a₀χ₃ + a₂χ₁ − a₃χ₀), z: a₀χ₂ − a₁χ₃ − a₂χ₀ + a₃χ₁.

Compiled lazily on first use and cached on disk; IEEE arithmetic with numpy's error model
(:data:`darkscan.jit.jit_exact`): a division by zero gives inf/nan like numpy instead of raising,
and the loops need no per-element zero checks.
"""

from __future__ import annotations

import math

import numpy as np

from darkscan.jit import jit_exact

Array = np.ndarray


@jit_exact
def _half_angles(px: float, py: float, pz: float) -> tuple[float, float, complex, float]:
    """(cos θ/2, sin θ/2, e^{iφ}, |p|) without trigonometric calls; the square root is always
    taken of the larger of (|p| ± p_z) so that neither half angle loses digits."""
    pt = math.sqrt(px * px + py * py)
    pmag = math.sqrt(pt * pt + pz * pz)
    if pmag == 0.0:
        return 1.0, 0.0, 1.0 + 0.0j, 0.0
    if pz >= 0.0:
        c = math.sqrt((pmag + pz) / (2.0 * pmag))
        s = pt / (2.0 * pmag * c)
    else:
        s = math.sqrt((pmag - pz) / (2.0 * pmag))
        c = pt / (2.0 * pmag * s)
    if pt > 0.0:
        eph = complex(px / pt, py / pt)
    else:  # on the z axis φ = atan2(±0, ±0) ∈ {0, π} as numpy's arctan2 gives it: e^{iφ} = ±1
        eph = complex(math.copysign(1.0, px), 0.0)
    return c, s, eph, pmag


@jit_exact
def _write_spinor(c: float, s: float, eph: complex, wp: float, wm: float, hel: int, is_v: bool,
                  barred: bool, out: Array) -> None:
    lam = -hel if is_v else hel
    if lam > 0:
        x0, x1 = complex(c, 0.0), eph * s
    else:
        x0, x1 = -eph.conjugate() * s, complex(c, 0.0)
    if is_v:
        lo, hi = (wp, -wm) if hel > 0 else (wm, -wp)
    else:
        lo, hi = (wm, wp) if hel > 0 else (wp, wm)
    if barred:
        out[0] = (hi * x0).conjugate()
        out[1] = (hi * x1).conjugate()
        out[2] = (lo * x0).conjugate()
        out[3] = (lo * x1).conjugate()
    else:
        out[0] = lo * x0
        out[1] = lo * x1
        out[2] = hi * x0
        out[3] = hi * x1


@jit_exact
def spinor(p: Array, m: float, hel: int, is_v: bool, barred: bool, out: Array) -> None:
    """u(p, λ) = (ω₋λ χ_λ, ω₊λ χ_λ) or v(p, λ) = (ω_λ χ₋λ, −ω₋λ χ₋λ) with ω± = √(E ± |p|)
    (ω₋ = m/ω₊), optionally Dirac-adjoint (conjugated, Weyl halves swapped)."""
    for i in range(p.shape[0]):
        c, s, eph, pmag = _half_angles(p[i, 0], p[i, 1], p[i, 2])
        wp = math.sqrt(p[i, 3] + pmag)
        wm = m / wp if m > 0.0 else 0.0
        _write_spinor(c, s, eph, wp, wm, hel, is_v, barred, out[i])


@jit_exact
def spinor_pair(p: Array, m: float, is_v: bool, barred: bool, out: Array) -> None:
    """Both helicities at once, out[0] = λ = −1 and out[1] = λ = +1: the angles and ω± are
    helicity independent, so they are computed once."""
    for i in range(p.shape[0]):
        c, s, eph, pmag = _half_angles(p[i, 0], p[i, 1], p[i, 2])
        wp = math.sqrt(p[i, 3] + pmag)
        wm = m / wp if m > 0.0 else 0.0
        _write_spinor(c, s, eph, wp, wm, -1, is_v, barred, out[0, i])
        _write_spinor(c, s, eph, wp, wm, 1, is_v, barred, out[1, i])


@jit_exact
def current(fbar: Array, f: Array, gl: float, gr: float, out: Array) -> None:
    """J^μ = ψ̄ γ^μ (g_L P_L + g_R P_R) ψ."""
    for i in range(f.shape[0]):
        a0, a1, a2, a3 = fbar[i, 0], fbar[i, 1], fbar[i, 2], fbar[i, 3]
        c0, c1, c2, c3 = gl * f[i, 0], gl * f[i, 1], gr * f[i, 2], gr * f[i, 3]
        out[i, 0] = a0 * c3 + a1 * c2 - a2 * c1 - a3 * c0
        out[i, 1] = 1j * (a1 * c2 - a0 * c3 + a2 * c1 - a3 * c0)
        out[i, 2] = a0 * c2 - a1 * c3 - a2 * c0 + a3 * c1
        out[i, 3] = a0 * c2 + a1 * c3 + a2 * c0 + a3 * c1


@jit_exact
def slash_apply(q: Array, f: Array, m: float, gl: float, gr: float, left: bool, divide: bool,
                width: float, out: Array) -> None:
    """(q̸ + m) (g_L P_L + g_R P_R) ψ (``left`` False, column spinor) or ψ̄ (q̸ + m)
    (g_L P_L + g_R P_R) (``left`` True, row spinor); when ``divide``, over the propagator
    denominator q² − m² + i m Γ. ``q`` real or complex (a polarisation vector)."""
    for i in range(f.shape[0]):
        qx, qy, qz, qe = q[i, 0], q[i, 1], q[i, 2], q[i, 3]
        pm, pp = qx - 1j * qy, qx + 1j * qy  # σ·q off-diagonal entries
        em, ep = qe - qz, qe + qz
        if left:
            a0, a1, a2, a3 = f[i, 0], f[i, 1], f[i, 2], f[i, 3]
            r0 = (a2 * ep + a3 * pp + m * a0) * gl
            r1 = (a2 * pm + a3 * em + m * a1) * gl
            r2 = (a0 * em - a1 * pp + m * a2) * gr
            r3 = (-a0 * pm + a1 * ep + m * a3) * gr
        else:
            a0, a1, a2, a3 = gl * f[i, 0], gl * f[i, 1], gr * f[i, 2], gr * f[i, 3]
            r0 = em * a2 - pm * a3 + m * a0
            r1 = -pp * a2 + ep * a3 + m * a1
            r2 = ep * a0 + pm * a1 + m * a2
            r3 = pp * a0 + em * a1 + m * a3
        if divide:
            inv = 1.0 / (qe * qe - qx * qx - qy * qy - qz * qz - m * m + 1j * m * width)
            r0, r1, r2, r3 = r0 * inv, r1 * inv, r2 * inv, r3 * inv
        out[i, 0], out[i, 1], out[i, 2], out[i, 3] = r0, r1, r2, r3


@jit_exact
def abs2_dots_sum(left: tuple, right: tuple, out: Array) -> None:
    """out = Σ_ab |left_a · right_b|² over two tuples of (n, 4) currents, in one pass over the
    events (each current is read once, not once per pair)."""
    for i in range(out.shape[0]):
        acc = 0.0
        for a in left:
            for b in right:
                z = a[i, 3] * b[i, 3] - a[i, 0] * b[i, 0] - a[i, 1] * b[i, 1] - a[i, 2] * b[i, 2]
                acc += z.real * z.real + z.imag * z.imag
        out[i] = acc
