"""Two-track vertex fit on displaced decays."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.detector import simulate
from darkscan.detector.toy import llp_two_track_sample
from darkscan.reco import reconstruct


@pytest.mark.parametrize("length", [0.0, 5.0, 30.0])
def test_vertex_position_and_reduced_mass(length: float) -> None:
    s = llp_two_track_sample(3000, seed=1, decay_length=np.full(3000, length), mass=1.0,
                             daughter_pdg=211)
    nt = reconstruct(simulate(s, seed=2, beam_background_rate=0.0), "vpho -> pi+ pi-").events
    parts = s.events.particles
    true_r = ak.to_numpy(np.hypot(parts.vx[:, 1], parts.vy[:, 1]))[ak.to_numpy(nt.event)]
    dr = ak.to_numpy(nt.vtx_r) - true_r
    assert len(nt) > 1000
    assert abs(np.median(dr)) < 0.02
    assert np.percentile(np.abs(dr), 68) < {0.0: 0.01, 5.0: 0.06, 30.0: 0.5}[length]
    assert np.median(ak.to_numpy(nt.M_vtx)) == pytest.approx(1.0, abs=0.01)
    red = np.sqrt(1.0 - 4 * 0.13957**2)
    assert np.median(ak.to_numpy(nt.M_reduced)) == pytest.approx(red, abs=0.01)
    if length > 0:
        assert np.median(ak.to_numpy(nt.cos_pointing)) > 0.999
