"""Decays in flight of K_S⁰, Λ and Σ±: where they decay, to what, with what kinematics, and that
the detector sees their daughters as displaced tracks and photons with truth mothers."""

from __future__ import annotations

import awkward as ak
import numpy as np

from darkscan.detector import decays
from darkscan.detector.fastsim import simulate
from darkscan.detector.parameters import BELLE2_DETECTOR
from darkscan.detector.toy import single_particles
from darkscan.physics import lorentz

M_KS, CTAU_KS = 0.497611, 2.6844  # GeV, cm (PDG)
M_LAMBDA = 1.115683


def _parents(pdg: int, n: int, p: float, mass: float, seed: int = 3) -> dict[str, np.ndarray]:
    """n events of one particle along +x at momentum p, plus a photon before it (local 0)."""
    ev = np.repeat(np.arange(n), 2)
    px = np.tile([0.5, p], n)
    e = np.tile([0.5, np.hypot(p, mass)], n)
    zeros = np.zeros(2 * n)
    return {"x": zeros, "y": zeros.copy(), "z": zeros.copy(), "px": px, "py": zeros.copy(),
            "pz": zeros.copy(), "E": e, "pdg": np.tile([22, pdg], n).astype(np.int64),
            "ev": ev, "local": np.tile([0, 1], n).astype(np.int32),
            "mother": np.full(2 * n, -1, dtype=np.int32),
            "mother_pdg": np.zeros(2 * n, dtype=np.int32)}


def test_nothing_to_decay_returns_the_input_itself() -> None:
    part = _parents(13, 10, 1.0, 0.1057)
    assert decays.in_flight(part, np.full(10, 2), np.random.default_rng(1),
                            BELLE2_DETECTOR) is part


def test_ks_decay_length_channels_and_kinematics() -> None:
    n = 40_000
    part = _parents(310, n, 1.0, M_KS)
    out = decays.in_flight(part, np.full(n, 2), np.random.default_rng(5), BELLE2_DETECTOR)
    assert not (out["pdg"] == 310).any()  # all decay inside (mean 5.4 cm, ECL at 125 cm)
    assert np.all(np.diff(out["ev"]) >= 0)  # still event-ordered
    pions = out["pdg"] == 211
    # mean lab decay length βγcτ = (p/m) cτ
    assert abs(out["x"][pions].mean() / (1.0 / M_KS * CTAU_KS) - 1) < 0.02
    # π⁺π⁻ fraction 69.2%, π⁰π⁰ 30.7% (each π⁰ → γγ, γ from a π⁰ numbered after the pions)
    assert abs(pions.sum() / n - 0.692) < 0.008
    photons = (out["pdg"] == 22) & (out["mother"] >= 0)
    assert abs(photons.sum() / (4 * n) - 0.307) < 0.008
    # the daughters of one K_S: their mother is the K_S (truth index 1), and they rebuild it
    assert np.all(out["mother"][out["pdg"] != 22] == 1)
    assert np.all(out["mother_pdg"][out["mother"] == 1] == 310)
    assert np.all(out["mother_pdg"][(out["pdg"] == 22) & (out["mother"] > 1)] == 111)
    p4 = np.stack([out[k] for k in ("px", "py", "pz", "E")], axis=1)
    pi_plus, pi_minus = p4[out["pdg"] == 211], p4[out["pdg"] == -211]  # one pair per event
    assert np.array_equal(out["ev"][out["pdg"] == 211], out["ev"][out["pdg"] == -211])
    assert np.allclose(lorentz.mass(pi_plus + pi_minus), M_KS, atol=1e-9)
    assert np.allclose((pi_plus + pi_minus)[:, 0], 1.0, atol=1e-9)
    # truth indices: unique in each event, after the generator's two particles
    key = out["ev"] * 100 + out["local"]
    assert len(np.unique(key)) == len(key) and out["local"][out["mother"] >= 0].min() == 2


def test_antilambda_decays_to_the_charge_conjugates() -> None:
    n = 5000
    out = decays.in_flight(_parents(-3122, n, 1.5, M_LAMBDA), np.full(n, 2),
                           np.random.default_rng(8), BELLE2_DETECTOR)
    assert (out["pdg"] == -2212).sum() == (out["pdg"] == 211).sum() > 0.6 * n
    assert not np.isin(out["pdg"], [2212, -211]).any()


def test_a_parent_decaying_beyond_the_tracker_stays_whole() -> None:
    n = 20_000
    out = decays.in_flight(_parents(310, n, 20.0, M_KS), np.full(n, 2),
                           np.random.default_rng(2), BELLE2_DETECTOR)
    # λ = 108 cm: P(L > 125 cm) = e^{−125/108} ≈ 0.31
    assert abs((out["pdg"] == 310).sum() / n - np.exp(-125.0 / (20.0 / M_KS * CTAU_KS))) < 0.01


def test_ks_daughters_are_displaced_tracks_with_their_mother() -> None:
    n = 4000
    rng = np.random.default_rng(4)
    truth = single_particles(310, np.full(n, 1.0), np.full(n, np.pi / 2),
                             rng.uniform(-np.pi, np.pi, n), M_KS)
    trk = simulate(truth, seed=6, beam_background_rate=0.0).events.tracks
    # (the rest: converted γ of π⁰, and the products of the ~1% of pions that interact in the
    # material, whose mother is that pion)
    pions = np.abs(ak.to_numpy(ak.flatten(trk.mc_pdg))) == 211
    mother = ak.to_numpy(ak.flatten(trk.mc_mother))[pions]
    from_ks = mother == 0  # the K_S is particle 0 of each event
    vr = ak.to_numpy(ak.flatten(trk.mc_vr))[pions][from_ks]
    assert np.mean(from_ks) > 0.98
    assert 0.5 * n < len(vr) < 1.4 * n  # ~69% of the K_S give two pion candidates
    assert abs(np.median(vr) / (np.log(2) * CTAU_KS / M_KS) - 1) < 0.1


def test_an_undecayed_tau_is_refused_not_tracked() -> None:
    import pytest

    from darkscan.errors import InputFileError
    from darkscan.events import Sample, SampleMeta, make_truth_events

    ev = make_truth_events(np.array([2]), np.ones(1), pdg=np.array([15, -15]),
                           px=np.array([1.0, -1.0]), py=np.zeros(2), pz=np.zeros(2),
                           E=np.full(2, np.hypot(1.0, 1.77686)))
    with pytest.raises(InputFileError, match="2 τ leptons left undecayed"):
        simulate(Sample(ev, SampleMeta(process="x")), seed=1)


def _rows(ev: np.ndarray, tag: int) -> dict[str, np.ndarray]:
    n = len(ev)
    cols = {k: np.full(n, float(tag)) for k in ("x", "y", "z", "px", "py", "pz", "E")}
    cols["pdg"] = np.arange(n, dtype=np.int64) + 1000 * tag  # which row it was
    cols["ev"] = np.asarray(ev, dtype=np.int64)
    for k in ("local", "mother", "mother_pdg"):
        cols[k] = np.zeros(n, dtype=np.int64)
    return cols


def test_replaced_keeps_event_order_and_puts_the_added_rows_last_in_their_event() -> None:
    """The particle table after a decay pass: the removed rows gone, each added row after its
    event's own rows (in the added order), the same as a stable sort of the concatenation; an
    input that is not event-ordered is sorted the same way."""
    part = _rows(np.array([0, 0, 1, 2, 2, 2, 4]), 0)
    added = _rows(np.array([2, 0, 2, 3, 0]), 1)  # not event-ordered, as d1 then d2 of parents
    out = decays.replaced(part, np.array([1, 4]), added)
    assert list(out["ev"]) == [0, 0, 0, 1, 2, 2, 2, 2, 3, 4]
    # part's rows 0, 2, 3, 5, 6 kept; added rows 1 and 4 (event 0), 0 and 2 (event 2), 3
    assert list(out["pdg"]) == [0, 1001, 1004, 2, 3, 5, 1000, 1002, 1003, 6]
    assert out["pdg"].dtype == np.int64 and out["x"].dtype == float
    shuffled = {k: v[[3, 0, 1, 2, 4, 5, 6]] for k, v in part.items()}  # event 2 first
    ref = {k: np.concatenate([np.delete(v, [1, 4]), added[k]]) for k, v in shuffled.items()}
    order = np.argsort(ref["ev"], kind="stable")
    out = decays.replaced(shuffled, np.array([1, 4]), added)
    assert all(np.array_equal(out[k], ref[k][order]) for k in decays.COLUMNS)
