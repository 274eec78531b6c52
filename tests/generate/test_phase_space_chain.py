"""n-body phase space by sequential two-body splittings (2→3, 2→4)."""

from functools import partial

import numpy as np
import pytest

from darkscan.generate.phase_space import map_breit_wigner, massless_volume, sequential

SQRT_S = 10.58


@pytest.mark.parametrize("n", [3, 4])
def test_massless_volume_matches_closed_form(n: int) -> None:
    u = np.random.default_rng(n).random((300_000, 3 * n - 4))
    p, w = sequential(u, SQRT_S, [0.0] * n)
    assert w.mean() / massless_volume(n, SQRT_S**2) == pytest.approx(1.0, abs=0.005)
    np.testing.assert_allclose(p.sum(axis=1), np.broadcast_to([0, 0, 0, SQRT_S], (len(p), 4)),
                               atol=1e-8)


def test_massive_four_body_volume_is_independent_of_the_chain_order_and_mapping() -> None:
    masses = [0.1, 0.5, 1.0, 2.0]
    rng = np.random.default_rng(7)
    _, w1 = sequential(rng.random((300_000, 8)), SQRT_S, masses)
    p2, w2 = sequential(rng.random((300_000, 8)), SQRT_S, masses[::-1])
    # a Breit–Wigner mapping for the (p₁p₂p₃) system changes the sampling, not the integral
    bw = partial(map_breit_wigner, m=6.0, w=1.0)
    _, w3 = sequential(rng.random((300_000, 8)), SQRT_S, masses, [None, bw])
    err = w1.std() / np.sqrt(w1.size)
    assert w2.mean() == pytest.approx(w1.mean(), abs=4 * err)
    assert w3.mean() == pytest.approx(w1.mean(), abs=6 * err)
    m2 = p2[..., 3] ** 2 - np.sum(p2[..., :3] ** 2, axis=-1)
    np.testing.assert_allclose(np.sqrt(np.maximum(m2, 0)).mean(axis=0), masses[::-1], atol=1e-6)
