"""The split of radiative backgrounds into seen and possibly merged photons."""

from __future__ import annotations

import math

import awkward as ak

from darkscan.detector.helix import K_CURVATURE
from darkscan.detector.parameters import BELLE2_DETECTOR as P
from darkscan.searches.lost_photons import MERGE_DISTANCE_CM, hard_photon_apart

BARREL = ((math.radians(33.5), math.radians(127.5)),)


def _event(photons: list[tuple[float, float]], pt: float = 5.0) -> list[dict[str, float]]:
    """μ⁺ along +x and μ⁻ along −x (p_T ``pt``, θ = 90°) from the IP, and photons (E, φ) at
    θ = 90°."""
    rows = [(-13, pt, 0.0), (13, -pt, 0.0)] + [(22, e * math.cos(f), e * math.sin(f))
                                              for e, f in photons]
    return [{"pdg": pdg, "px": px, "py": py, "pz": 0.0, "E": math.hypot(px, py), "vx": 0.0,
             "vy": 0.0, "vz": 0.0, "status": 1} for pdg, px, py in rows]


def _apart(events: list[list[dict[str, float]]]) -> list[bool]:
    return hard_photon_apart(ak.Array(events), 0.6, BARREL).tolist()


def test_a_photon_where_a_muon_meets_the_ecl_may_merge_one_elsewhere_is_seen() -> None:
    """The μ⁺ (p_T = 5 GeV) meets the barrel asin(R/2ρ) = 3.2° (7 cm) from its direction: a
    photon along it is within reach of its cluster, one at 90° is not."""
    rho = 5.0 / (K_CURVATURE * P.b_field)
    offset_cm = P.ecl_r_barrel * math.asin(P.ecl_r_barrel / (2 * rho))
    assert 5.0 < offset_cm < MERGE_DISTANCE_CM
    assert _apart([_event([(2.0, 0.0)]), _event([(2.0, math.pi / 2)])]) == [False, True]


def test_a_photon_beyond_the_merge_distance_of_the_trailing_track_is_seen() -> None:
    """A 1 GeV p_T μ⁺ meets the barrel 16° (36 cm) from its initial direction: a photon along
    that direction is apart from its cluster, one at the entry point is not."""
    rho = 1.0 / (K_CURVATURE * P.b_field)
    entry = -math.asin(P.ecl_r_barrel / (2 * rho))
    assert _apart([_event([(2.0, 0.0)], pt=1.0), _event([(2.0, entry)], pt=1.0)]) == [True,
                                                                                     False]


def test_soft_or_forward_photons_and_photonless_events_are_not_seen() -> None:
    soft = _event([(0.5, math.pi / 2)])
    forward = _event([(2.0, math.pi / 2)])
    forward[2].update(px=0.0, py=0.2, pz=2.0)  # θ ≈ 6°
    assert _apart([soft, forward, _event([])]) == [False, False, False]


def test_the_main_and_lost_photon_filters_split_the_kinematic_events() -> None:
    """zprime-invisible's and dark-higgsstrahlung's μμ(γ) samples: every event that passes a
    search's kinematic filter is in exactly one of its two samples, and some events with a hard
    photon near a muon (which may join its cluster) are in the main one."""
    from darkscan.generate import generate
    from darkscan.searches import dark_higgsstrahlung as dh
    from darkscan.searches import zprime_invisible as zi

    particles = generate("ee_mumu", 20_000, seed=5).events.particles
    kinematic, _ = zi._recoil_and_photon(particles)
    main, lost = zi.recoil_in_barrel(particles), zi.recoil_in_barrel_photon_seen(particles)
    assert not (main & lost).any() and ((main | lost) == kinematic).all()
    assert lost.sum() > 100
    hard = hard_photon_apart(particles, 0.6, (zi._BARREL_FIDUCIAL,), merge_distance=0.0)
    assert (main & hard).sum() > 0.05 * (hard & kinematic).sum()
    main_dh, lost_dh = dh.dimuon_recoil_filter(particles), dh.dimuon_recoil_photon_seen(particles)
    assert not (main_dh & lost_dh).any() and lost_dh.sum() > 100
