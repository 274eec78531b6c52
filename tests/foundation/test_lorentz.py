"""One Lorentz boost and one rotation (DESIGN §4.2): compiled scalar kernels in
darkscan.physics.lorentz, called from numpy and from numba code alike."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

import darkscan
from darkscan.jit import jit_exact
from darkscan.physics import lorentz

RNG = np.random.default_rng(4)


def _numpy_boost(p: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """The same formula written in numpy (the package's former numpy boost)."""
    b2 = np.sum(beta * beta, axis=-1)
    gamma = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(beta * p[..., :3], axis=-1)
    coef = gamma**2 / (gamma + 1.0) * bp + gamma * p[..., 3]
    out = np.empty(np.broadcast_shapes(p.shape, beta.shape[:-1] + (4,)))
    out[..., :3] = p[..., :3] + coef[..., None] * beta
    out[..., 3] = gamma * (p[..., 3] + bp)
    return out


@jit_exact
def _boost_in_a_kernel(p: np.ndarray, beta: np.ndarray, out: np.ndarray) -> None:
    for i in range(p.shape[0]):
        for j in range(p.shape[1]):
            lorentz.boost_one(p[i, j], beta[i, 0], beta[i, 1], beta[i, 2], out[i, j])


@jit_exact
def _rotations_in_a_kernel(d: np.ndarray, out: np.ndarray) -> None:
    for i in range(d.shape[0]):
        lorentz.rotation_one(d[i, 0], d[i, 1], d[i, 2], out[i])


def _momenta(shape: tuple[int, ...]) -> np.ndarray:
    p = RNG.normal(size=shape + (4,))
    p[..., 3] = np.abs(p[..., 3]) + 3.0
    return p


def _velocities(n: int) -> np.ndarray:
    beta = RNG.normal(size=(n, 3))
    return beta * RNG.uniform(0.0, 0.95, (n, 1)) / np.linalg.norm(beta, axis=1, keepdims=True)


def test_one_kernel_for_numpy_and_numba_callers_bit_for_bit() -> None:
    p, beta = _momenta((300, 3)), _velocities(300)
    per_event = beta[:, None, :]
    from_numpy = lorentz.boost(p, per_event)
    from_numba = np.empty_like(p)
    _boost_in_a_kernel(p, beta, from_numba)
    assert np.array_equal(from_numpy, from_numba)
    assert np.array_equal(from_numpy, _numpy_boost(p, per_event))
    # numpy broadcasting: one velocity for all, scalar momentum
    assert np.array_equal(lorentz.boost(p, beta[0]), _numpy_boost(p, beta[0]))
    assert lorentz.boost(p[0, 0], beta[0]).shape == (4,)
    np.testing.assert_allclose(lorentz.boost(np.array([0.0, 0.0, 0.0, 1.0]), [0.6, 0.0, 0.0]),
                               [0.75, 0.0, 0.0, 1.25], rtol=1e-15)
    d = RNG.normal(size=(300, 3))
    d[0], d[1] = (0.0, 0.0, -2.0), (0.0, 0.0, 3.0)
    rot = lorentz.rotation_to(d)
    from_numba_rot = np.empty_like(rot)
    _rotations_in_a_kernel(d, from_numba_rot)
    assert np.array_equal(rot, from_numba_rot)


def test_rotation_takes_z_onto_the_direction() -> None:
    d = RNG.normal(size=(500, 3))
    d[0], d[1] = (0.0, 0.0, -2.0), (0.0, 0.0, 3.0)
    r = lorentz.rotation_to(d)
    unit = d / np.linalg.norm(d, axis=1, keepdims=True)
    np.testing.assert_allclose(r @ np.array([0.0, 0.0, 1.0]), unit, atol=1e-15)
    np.testing.assert_allclose(np.einsum("nji,njk->nik", r, r), np.broadcast_to(np.eye(3), r.shape),
                               atol=1e-15)
    np.testing.assert_allclose(np.linalg.det(r), 1.0, atol=1e-14)
    assert np.array_equal(r[0], np.diag([-1.0, 1.0, -1.0]))  # φ = 0 on the axis
    assert np.array_equal(r[1], np.eye(3))
    assert lorentz.rotation_to(d.reshape(5, 100, 3)).shape == (5, 100, 3, 3)


def test_rotate_boost_is_rotation_then_boost() -> None:
    p, beta = _momenta((200, 4)), _velocities(200)
    rot = lorentz.rotation_to(RNG.normal(size=(200, 3)))
    rotated = p.copy()
    rotated[..., :3] = np.einsum("nij,nkj->nki", rot, p[..., :3])
    np.testing.assert_allclose(lorentz.rotate_boost(p, rot, beta),
                               lorentz.boost(rotated, beta[:, None]), rtol=0, atol=1e-13)
    np.testing.assert_allclose(lorentz.rotate_boost(p[:, 0], rot, beta),
                               lorentz.boost(rotated[:, 0], beta), rtol=0, atol=1e-13)


def test_boost_and_rotation_are_written_once() -> None:
    root = Path(darkscan.__file__).parent
    defs = {}
    for path in root.rglob("*.py"):
        if path.relative_to(root).parts[0] == "report":  # plotting: no four-vectors
            continue
        for name in re.findall(r"^\s*def (\w*(?:boost|rotat)\w*)\(", path.read_text(), re.M):
            if name != "boost_beta":  # the beams' CMS velocity (a property), not a boost
                defs.setdefault(path.relative_to(root).as_posix(), []).append(name)
    assert set(defs) == {"physics/lorentz.py"}, defs
