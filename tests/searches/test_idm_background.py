"""The factorised background (searches/factorised.py) and idm-dark-higgs' use of it: the
pass-rate table, the per-track probabilities, the origins and the sum (the full estimate over
the default samples runs in ``darkscan validate``)."""

from __future__ import annotations

import numpy as np
import pytest

from darkscan.detector.checks import pass_rates
from darkscan.errors import ParameterError
from darkscan.searches import factorised as F
from darkscan.searches import idm_background as B
from darkscan.searches.idm_dark_higgs import SEARCH, background_id, particle_lists


def test_loose_lists_drop_only_the_identification() -> None:
    tight = particle_lists("pipi")
    loose = particle_lists("pipi", identified=False)
    assert [t.cut for t in tight[:2]] == ["pionID > 0.9", "electronID > 0.9"]
    assert [t.cut for t in loose[:2]] == ["", ""]
    assert [(t.cut, t.vertex) for t in tight[2:]] == [(t.cut, t.vertex) for t in loose[2:]]
    ch = {c.name: c for c in SEARCH.channels}["KK"]
    assert ch.background_id == background_id("KK")
    assert ch.background_id.cuts() == (("electronID", 0.9), ("kaonID", 0.9))
    assert ch.background_id.columns()[:2] == ("dau0_dau0_mc_pdg", "dau0_dau0_p")
    with pytest.raises(ParameterError, match="one cut per hypothesis"):
        F.FactorisedID(loose, (("dau0_dau0", "pionID", 0.9), ("dau0_dau1", "pionID", 0.5)))


def test_pass_rates_follow_the_species() -> None:
    table = pass_rates((1.0, 2.0), {"electronID": 0.9, "pionID": 0.9}, n=3000, seed=4)
    assert table[(11, 0, "electronID")] > 0.9
    assert table[(211, 0, "electronID")] < 0.01
    assert table[(211, 0, "pionID")] > 0.4
    assert table[(11, 0, "pionID")] < 0.01


def test_probabilities_origins_and_the_sum(monkeypatch: pytest.MonkeyPatch) -> None:
    table = {(c, i, h): 0.0 for c in F.SPECIES for i in range(len(F.EDGES) - 1)
             for h in ("electronID", "pionID")}
    table[(11, 4, "electronID")] = 0.8     # 0.75–1 GeV
    table[(211, 4, "electronID")] = 0.01
    table[(211, 0, "pionID")] = 0.5        # 0.05–0.2 GeV and below
    table[(211, 8, "pionID")] = 0.3        # 3–5.5 GeV and above
    p = F.pass_probability(np.array([-11, 211, 130, 211, 211]),
                           np.array([0.8, 0.9, 0.8, 0.01, 9.0]), "electronID", table)
    assert np.allclose(p, [0.8, 0.01, 0.01, 0.0, 0.0])  # a K_L counts as a pion
    assert np.allclose(F.pass_probability(np.array([211, 211]), np.array([0.01, 9.0]),
                                          "pionID", table), [0.5, 0.3])
    assert list(B.origin(np.array([22, 211, 211, 411, -310, 0, 3122]),
                         np.array([3.0, 11.5, 6.0, 0.0, 2.0, 0.0, 5.0]))) == [
        "conversion", "material interaction", "other hadron", "charm hadron", "K⁰_S", "prompt",
        "Λ"]  # a hadron's product on a layer is the material's
    monkeypatch.setattr(F, "pass_table", lambda cuts, edges=F.EDGES: table)
    cand = {"n_tracks": np.array([4, 4])}
    for t, code, mother in (("dau0_dau0", 211, 310), ("dau0_dau1", 211, 310),
                            ("dau1_dau0", 11, 22), ("dau1_dau1", 211, 411)):
        cand[f"{t}_mc_pdg"] = np.array([code, code])
        cand[f"{t}_mc_mother_pdg"] = np.array([mother, mother])
        cand[f"{t}_mc_vr"] = np.array([2.0, 2.0])
        cand[f"{t}_p"] = np.array([0.1, 0.1]) if t.startswith("dau0") else np.array([0.8, 0.8])
    est = B.estimate([(cand, 100.0)], "pipi")
    one = 100.0 * 0.5 * 0.5 * 0.8 * 0.01
    assert np.isclose(est.expected, 2 * one)
    assert np.isclose(est.stat, np.sqrt(2) * one)
    assert est.loose == 2 and est.loose_events == 200.0
    assert est.composition == (("charm hadron + conversion", 2 * one),)
