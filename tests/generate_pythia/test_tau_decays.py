"""τ leptons of darkscan's own processes (here Z′ → τ⁺τ⁻) are decayed by Pythia: none is left
in the final state, each τ's daughters carry its four-momentum and start where it decayed,
and the leptonic branching fractions come out as the PDG's."""

from __future__ import annotations

import awkward as ak
import numpy as np

from darkscan.generate import generate


def test_zprime_taus_are_decayed_with_their_daughters_linked() -> None:
    s = generate("ee_mumu_zprime", 2000, seed=4, mass=6.0, br_invisible=0.0)
    p = ak.flatten(s.particles)
    pdg, status = ak.to_numpy(p.pdg), ak.to_numpy(p.status)
    assert not np.any((np.abs(pdg) == 15) & (status == 1))
    n_tau = int(np.sum((np.abs(pdg) == 15) & (status == 2)))
    assert n_tau > 400  # Z′ → ττ about a third of the visible decays at 6 GeV
    # per event: the direct daughters of each τ sum to its four-momentum
    parts = s.particles
    counts = ak.to_numpy(ak.num(parts))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mother = ak.to_numpy(ak.flatten(parts.mother))
    ev = np.repeat(np.arange(len(counts)), counts)
    p4 = np.stack([ak.to_numpy(p[k]) for k in ("px", "py", "pz", "E")], axis=1)
    vtx = np.stack([ak.to_numpy(p[k]) for k in ("vx", "vy", "vz")], axis=1)
    tau_rows = np.nonzero((np.abs(pdg) == 15) & (status == 2))[0]
    has_mother = mother >= 0
    mother_row = np.where(has_mother, first[ev] + mother, -1)
    summed = np.zeros((len(pdg), 4))
    np.add.at(summed, mother_row[has_mother], p4[has_mother])
    assert np.allclose(summed[tau_rows], p4[tau_rows], atol=1e-6)
    # daughters start at the τ's decay point: βγcτ ≈ 87 µm × p/m, a few hundred µm here
    dau = has_mother & np.isin(mother_row, tau_rows)
    flight = np.linalg.norm(vtx[dau] - vtx[mother_row[dau]], axis=1)
    assert 0.005 < np.median(flight) < 0.1
    # B(τ → μνν) = 17.4%: muons whose mother is a τ, per τ
    mu_from_tau = np.sum((np.abs(pdg) == 13) & dau)
    assert abs(mu_from_tau / n_tau - 0.174) < 0.03
