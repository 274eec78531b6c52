"""Quick versions of the reconstruction checks of ``darkscan validate`` (reco/checks.py): π⁰ and
K_S mass resolutions, M_bc resolution from the beam-energy spread, the K_S efficiency against its
decay radius, and truth matching of composites."""

from __future__ import annotations

import numpy as np

from darkscan.reco import checks


def test_pi0_and_ks_mass_resolutions_are_belle_ii_like() -> None:
    pi0 = checks._matched_mass(checks._PI0, 3000, vertex=False)
    ks = checks._matched_mass(checks._K_S, 3000, vertex=True)
    assert 0.004 < pi0.value < 0.007  # Belle II: 4–8 MeV
    assert 0.0017 < ks.value < 0.0037  # Belle II: ≈ 1.7–4 MeV
    assert int(ks.note.split()[0]) > 200  # K_S decayed in flight by the detector are found


def test_mbc_resolution_comes_from_the_beam_energy_spread() -> None:
    c = checks._b_to_k_s("upsilon4s_bb_ks_mumu", "mu", 1500)
    assert len(c["Mbc"]) > 300
    assert 0.0020 < checks._half68(c["Mbc"]) < 0.0032  # σ(√s)/2 ≈ 2.5 MeV
    assert abs(np.median(c["Mbc"]) - 5.2793) < 0.0015
    assert 0.006 < checks._half68(c["deltaE"]) < 0.025


def test_ks_efficiency_falls_with_decay_radius_but_stays_finite() -> None:
    eff = checks.ks_efficiency_by_radius(n=10_000)
    values = list(eff.values())
    assert 0.85 < values[0] <= 1.05
    assert values[-1] <= values[0] + 0.03 and values[-1] > 0.3
