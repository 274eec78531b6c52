"""Where a charged particle's helix meets the ECL (its cluster's position)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from darkscan.detector.calorimeter import ecl_deposits
from darkscan.detector.helix import K_CURVATURE, ecl_entry_one
from darkscan.detector.parameters import BELLE2_DETECTOR as P
from darkscan.jit import jit


@jit
def _entry(x, y, z, px, py, pz, q, b, r, zf, zb):  # pragma: no cover - compiled
    return ecl_entry_one(x, y, z, px, py, pz, q, b, r, zf, zb)


def _at(p: tuple[float, float, float], q: float, start: tuple[float, float, float] = (0, 0, 0)
        ) -> tuple[float, float]:
    return _entry(*start, *p, q, P.b_field, P.ecl_r_barrel, P.ecl_z_fwd, P.ecl_z_bwd)


@pytest.mark.parametrize("pt", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("q", [1.0, -1.0])
def test_barrel_entry_trails_the_momentum_by_half_the_turning(pt: float, q: float) -> None:
    """From the axis the chord to radius R turns by τ = 2 asin(R/2ρ): the point's azimuth is
    −q τ/2 from the momentum's (positive charges turn clockwise seen from +z), its z the arc
    length ρτ times cot θ."""
    rho = pt / (K_CURVATURE * P.b_field)
    tau = 2.0 * math.asin(P.ecl_r_barrel / (2.0 * rho))
    theta, phi = _at((pt, 0.0, pt * 0.5), q)
    assert phi == pytest.approx(-q * tau / 2.0, abs=1e-12)
    assert theta == pytest.approx(math.atan2(P.ecl_r_barrel, rho * tau * 0.5), abs=1e-12)


def test_forward_entry_is_on_the_endcap_face() -> None:
    pt, pz = 0.3, 3.0
    rho = pt / (K_CURVATURE * P.b_field)
    tau = P.ecl_z_fwd / (rho * pz / pt)
    theta, phi = _at((pt, 0.0, pz), 1.0)
    assert phi == pytest.approx(-tau / 2.0, abs=1e-12)
    assert theta == pytest.approx(math.atan2(2.0 * rho * math.sin(tau / 2.0), P.ecl_z_fwd),
                                  abs=1e-12)


def test_a_curler_without_pz_meets_nothing() -> None:
    assert np.isnan(_at((0.1, 0.0, 0.0), 1.0)).all()


def test_track_clusters_sit_at_the_helix_entry_photons_on_their_line() -> None:
    """A 1 GeV μ⁺ and a photon along the same direction from the IP: the photon's impact keeps
    the direction, the muon's trails it by asin(R/2ρ) = 16.3° in φ."""
    n = 2
    dep = ecl_deposits(np.random.default_rng(1), np.array([-13, 22]), np.array([1.0, 0.0]),
                       np.zeros(n), np.zeros(n), np.zeros(n), np.ones(n), np.zeros(n),
                       np.zeros(n), np.full(n, 1.01), np.array([0.1057, 0.0]),
                       np.array([300.0, np.inf]), P)
    assert dep["theta"].tolist() == pytest.approx([np.pi / 2, np.pi / 2])
    assert np.degrees(dep["phi"]).tolist() == pytest.approx([-16.32, 0.0], abs=0.01)
    assert dep["deposit"][0] > 0.1 and dep["deposit"][1] == pytest.approx(1.01, rel=0.01)
