"""The generator's fast paths against their definitions: compiled helicity building blocks vs the
γ-matrix products, the ISR importance sampling vs plain structure-function sampling, the compiled
FSR kinematics, and the flat event assembly."""

import awkward as ak
import numpy as np
import pytest

from darkscan import generate as g
from darkscan.generate import helas as h
from darkscan.generate import isr
from darkscan.physics import lorentz

RNG = np.random.default_rng(12)


def _momenta(n: int, m: float) -> np.ndarray:
    p = RNG.normal(size=(n, 4))
    p[:3, :2] = 0.0  # on the z axis, both directions
    p[1, 2] = -abs(p[1, 2])
    p[3, :3] = 0.0  # at rest
    p[:, 3] = np.sqrt(np.sum(p[:, :3] ** 2, axis=1) + m * m)
    return p


def _complex(n: int) -> np.ndarray:
    return RNG.normal(size=(n, 4)) + 1j * RNG.normal(size=(n, 4))


def test_currents_and_propagators_match_gamma_matrices():
    n, gl, gr = 50, 0.3, 1.7
    f, fbar, eps = _complex(n), _complex(n), _complex(n)
    q = RNG.normal(size=(n, 4))
    chi = f * np.array([gl, gl, gr, gr])
    assert np.allclose(h.vector_current(fbar, f, gl, gr),
                       np.einsum("ni,mij,nj->nm", fbar, h.GAMMA, chi), atol=1e-13)
    den = (h.dot(q, q) - 0.04 + 1j * 0.2 * 0.1)[:, None]
    assert np.allclose(h.fermion_prop(f, q, 0.2, 0.1),
                       (np.einsum("nij,nj->ni", h.slash(q), f) + 0.2 * f) / den, atol=1e-13)
    assert np.allclose(h.fermion_prop_bar(fbar, q, 0.2, 0.1),
                       (np.einsum("ni,nij->nj", fbar, h.slash(q)) + 0.2 * fbar) / den, atol=1e-13)
    assert np.allclose(h.vertex_v(f, eps, gl, gr), np.einsum("nij,nj->ni", h.slash(eps), chi),
                       atol=1e-13)
    assert np.allclose(h.vertex_v_bar(fbar, eps, gl, gr),
                       np.einsum("ni,nij->nj", fbar, h.slash(eps)) * np.array([gl, gl, gr, gr]),
                       atol=1e-13)
    assert np.allclose(h.dot(f, eps), np.einsum("ni,i,ni->n", f, h.METRIC, eps), atol=1e-13)


@pytest.mark.parametrize("m", [0.0, 0.5])
def test_spinors_on_and_off_axis_satisfy_spin_sums(m):
    p = _momenta(40, m) if m > 0 else _momenta(40, 0.0)[4:]  # a massless particle moves
    su = sum(np.einsum("ni,nj->nij", h.u(p, m, lam), h.ubar(p, m, lam)) for lam in (-1, 1))
    sv = sum(np.einsum("ni,nj->nij", h.v(p, m, lam), h.vbar(p, m, lam)) for lam in (-1, 1))
    assert np.allclose(su, h.slash(p) + m * np.eye(4), atol=1e-12)
    assert np.allclose(sv, h.slash(p) - m * np.eye(4), atol=1e-12)
    for kind in ("u", "v", "ubar", "vbar"):
        pair = h.spinors(kind, p, m)
        for lam in (-1, 1):
            assert np.array_equal(pair[lam], getattr(h, kind)(p, m, lam))


def test_sum_abs2_dots_is_the_double_helicity_sum():
    left, right = [_complex(30) for _ in range(3)], [_complex(30) for _ in range(4)]
    ref = sum(np.abs(h.dot(a, b)) ** 2 for a in left for b in right)
    assert np.allclose(h.sum_abs2_dots(left, right), ref, rtol=1e-13)


def _d_integral(a: float, beta: float) -> float:
    """∫_a^1 D(x) dx of the Kuraev–Fadin structure function (closed form)."""
    return ((1 + 3 * beta / 8) * (1 - a) ** (beta / 2)
            - beta / 4 * ((1 - a) + (1 - a * a) / 2))


@pytest.mark.parametrize("x_pole,x_lo", [(0.0, 4e-4), (0.3, 0.3004), (0.05, 0.2)])
def test_mixed_x_sampling_integrates_the_structure_function(x_pole, x_lo):
    beta, n = 0.088, 400_000
    x, w = isr.sample_x_mixed(np.random.default_rng(3).random(n), beta, x_lo, x_pole)
    assert w.mean() == pytest.approx(1.0, abs=4 * w.std() / np.sqrt(n))  # ∫₀¹ D = 1
    for a in (x_lo, 0.5, 0.95):
        ww = w * (x >= a)
        tol = 4 * ww.std() / np.sqrt(n) + 1e-9
        assert ww.mean() == pytest.approx(_d_integral(a, beta), abs=tol)


def _s_prime(k1: np.ndarray, k2: np.ndarray, sqrt_s: float) -> np.ndarray:
    hard = -k1 - k2
    hard[:, 3] += sqrt_s
    return lorentz.mass2(hard)


def test_isr_channels_reproduce_plain_structure_function_sampling():
    """The 1/x₁ and 1/s' channels change where points go, not the ISR distribution: weighted
    observables of s' agree with sampling x₁, x₂ from the plain power law."""
    n, rs, s_min = 400_000, 10.58, 0.0447
    beta = float(isr.beta_isr(rs**2))
    u = np.random.default_rng(5).random((n, 6))
    k1, k2, w = isr.isr_photons(u, np.full(n, rs), beta, s_min)
    sp = _s_prime(k1, k2, rs)
    ur = np.random.default_rng(6).random((n, 6))
    x1, w1 = isr.sample_x(ur[:, 0], beta)
    x2, w2 = isr.sample_x(ur[:, 1], beta)
    vel = np.sqrt(1 - (0.000511 / (rs / 2)) ** 2)
    ks = []
    for x, uc, uphi, sign in ((x1, ur[:, 2], ur[:, 3], 1.0), (x2, ur[:, 4], ur[:, 5], -1.0)):
        c = isr.sample_cos_eikonal(uc, vel)
        sn = np.sqrt(1 - c * c)
        e = np.where((1 - x) * rs / 2 < isr.E_PHOTON_MIN, 0.0, (1 - x) * rs / 2)
        ks.append(np.stack([e * sn * np.cos(2 * np.pi * uphi), e * sn * np.sin(2 * np.pi * uphi),
                            sign * e * c, e], axis=1))
    sp_ref, w_ref = _s_prime(*ks, rs), w1 * w2
    for f in (lambda v: v > s_min, lambda v: (v > s_min) * np.log(rs**2 / np.maximum(v, s_min)),
              lambda v: (v > s_min) * (v < 0.5 * rs**2)):
        a, b = f(sp) * w, f(sp_ref) * w_ref
        err = np.hypot(a.std(), b.std()) / np.sqrt(n)
        assert a.mean() == pytest.approx(b.mean(), abs=4 * err)


def test_fsr_conserves_the_pair_four_momentum():
    n, m = 5000, 0.10566
    rng = np.random.default_rng(8)
    q = np.zeros((n, 4))
    q[:, :3] = rng.normal(size=(n, 3))
    q[:, 3] = np.sqrt(np.sum(q[:, :3] ** 2, axis=1) + rng.uniform(0.3, 11, n) ** 2)
    mq = np.sqrt(lorentz.mass2(q))
    pa = np.zeros((n, 4))
    pa[:, 2] = np.sqrt(mq**2 / 4 - m * m)
    pa[:, 3] = mq / 2
    pb = pa * np.array([1, 1, -1, 1])
    beta = q[:, :3] / q[:, 3:]
    l1, l2, k1, k2 = isr.fsr_pair(lorentz.boost(pa, beta), lorentz.boost(pb, beta), m, rng)
    assert np.allclose(l1 + l2 + k1 + k2, q, atol=1e-9)
    assert np.allclose(lorentz.mass(l1), m, atol=1e-6) and np.allclose(lorentz.mass(l2), m,
                                                                        atol=1e-6)
    for k in (k1, k2):
        assert np.all(k[:, 3] >= 0) and np.allclose(lorentz.mass2(k), 0.0, atol=1e-9)
    assert 0.1 < np.mean(k1[:, 3] > 0) < 0.9  # some legs radiate, some do not


def test_event_layout_of_the_flat_assembly():
    smp = g.generate("ee_mumu", 400, seed=3, chunk_size=400)
    p = smp.particles
    assert ak.all(p.status[:, :2] == 4) and ak.all(p.mother[:, :4] == -1)
    assert [ak.all(p.pdg[:, i] == pdg) for i, pdg in enumerate((11, -11, 13, -13))] == [True] * 4
    photons = p[p.pdg == 22]
    assert ak.all(photons.E > 0) and ak.all(photons.status == 1)
    assert set(np.unique(ak.to_numpy(ak.flatten(photons.mother)))) <= {0, 1, 2, 3}
    for c in ("vx", "vy", "vz"):
        assert ak.all(p[c] == ak.firsts(p[c]))  # one primary vertex per event
    assert np.all(ak.to_numpy(smp.weight) == 1.0)
