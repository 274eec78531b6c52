"""Tests of the B → K(*) S, S → x⁺x⁻ signal of ``upsilon4s_bb`` (Belle II PRD 108 L111104)."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.events import STATUS_DECAYED
from darkscan.generate import cross_section, get_process
from darkscan.generate.processes.pythia_processes import BF_Y4S_CHARGED, SIGMA_Y4S_NB
from darkscan.models import scalar
from darkscan.physics.constants import mass as pdg_mass

S_ID = 4900035
M_S = 1.0
#: sinθ giving cτ ≈ 1 cm at m_S = 1 GeV (cτ ∝ 1/sin²θ)
SIN_THETA_1CM = 1e-4 * float(np.sqrt(scalar.ctau(1e-4, M_S)))


def _flat(parts: ak.Array, key: str) -> np.ndarray:
    return ak.to_numpy(ak.flatten(parts[key]))


def _table(sample):
    return _table_of(sample.particles)


def _table_of(parts: ak.Array):
    counts = ak.to_numpy(ak.num(parts, axis=1))
    off = np.concatenate([[0], np.cumsum(counts)[:-1]])
    ev = np.repeat(np.arange(len(counts)), counts)
    t = {k: _flat(parts, k) for k in ("pdg", "px", "py", "pz", "E", "vx", "vy", "vz", "t",
                                      "mother", "status")}
    t["mglob"] = np.where(t["mother"] >= 0, t["mother"] + off[ev], -1)
    t["ev"] = ev
    t["p4"] = np.stack([t[k] for k in ("px", "py", "pz", "E")], -1)
    t["x4"] = np.stack([t[k] for k in ("vx", "vy", "vz", "t")], -1)
    return t


def _children(t, i: int) -> np.ndarray:
    return np.nonzero(t["mglob"] == i)[0]


def _minv(p: np.ndarray) -> np.ndarray:
    return np.sqrt(np.maximum(p[..., 3] ** 2 - np.sum(p[..., :3] ** 2, -1), 0.0))


@pytest.fixture(scope="module")
def k_mumu():
    params = {"mass": M_S, "sin_theta": SIN_THETA_1CM}
    return get_process("upsilon4s_bb").generate_chunk(200, np.random.SeedSequence(7), params)


@pytest.fixture(scope="module")
def kstar_pipi():
    params = {"mass": 0.6, "sin_theta": 1e-3}
    return get_process("upsilon4s_bb_kstars_pipi").generate_chunk(
        120, np.random.SeedSequence(8), params)


def _check_signal_b(t, kstar: bool, channel: int, m_s: float) -> np.ndarray:
    """Per S: the signal B's daughters, S daughters and four-momentum balance; returns S rows."""
    i_s = np.nonzero(t["pdg"] == S_ID)[0]
    assert len(i_s) == len(np.unique(t["ev"])) and np.all(t["status"][i_s] == STATUS_DECAYED)
    for i in i_s:
        b = t["mglob"][i]
        assert t["pdg"][b] in (521, 511)
        kids = _children(t, b)
        allowed = {521: (323,) if kstar else (321,), 511: (313,) if kstar else (311,)}
        assert sorted(t["pdg"][kids].tolist()) == sorted([*allowed[t["pdg"][b]], S_ID])
        assert np.allclose(t["p4"][kids].sum(0), t["p4"][b], atol=1e-7)
        sd = _children(t, i)
        assert sorted(t["pdg"][sd].tolist()) == [-channel, channel]
        assert abs(_minv(t["p4"][sd].sum(0)) - m_s) < 1e-6
        assert np.allclose(t["p4"][sd].sum(0), t["p4"][i], atol=1e-9)
    return i_s


def test_b_to_k_s_mumu_record_and_vertex(k_mumu) -> None:
    t = _table(k_mumu)
    i_s = _check_signal_b(t, kstar=False, channel=13, m_s=M_S)
    # displaced S decay: proper length ℓ = L/βγ is exponential with mean cτ (≈ 1 cm)
    ctau = float(scalar.ctau(SIN_THETA_1CM, M_S))
    assert 0.9 < ctau < 1.1
    d = np.array([_children(t, i)[0] for i in i_s])
    flight = np.linalg.norm(t["x4"][d, :3] - t["x4"][i_s, :3], axis=1)
    bg = np.linalg.norm(t["p4"][i_s, :3], axis=1) / M_S
    ell = flight / bg
    assert abs(ell.mean() - ctau) < 4 * ctau / np.sqrt(len(ell))
    # the vertex lies on the S flight line and the time matches L/βc
    direction = t["p4"][i_s, :3] / np.linalg.norm(t["p4"][i_s, :3], axis=1)[:, None]
    assert np.allclose(t["x4"][d, :3] - t["x4"][i_s, :3], flight[:, None] * direction, atol=1e-9)
    beta = np.linalg.norm(t["p4"][i_s, :3], axis=1) / t["p4"][i_s, 3]
    assert np.allclose(t["x4"][d, 3] - t["x4"][i_s, 3], flight / (beta * 29.9792458), rtol=1e-9)
    # the signal B flies: the S is produced at the B decay vertex, mean ℓ_B ≈ cτ_B ≈ 0.047 cm
    b = t["mglob"][i_s]
    lb = np.linalg.norm(t["x4"][i_s, :3] - t["x4"][b, :3], axis=1)
    bg_b = np.linalg.norm(t["p4"][b, :3], axis=1) / _minv(t["p4"][b])
    assert 0.03 < (lb / bg_b).mean() < 0.065
    # B⁺ share of signal events ≈ f₊B₊/B̄ ≈ 0.53 (binomial, n = 200)
    frac = np.mean(t["pdg"][b] == 521)
    assert abs(frac - k_mumu.meta.extra["signal_charged_fraction"]) < 0.15


def test_b_to_kstar_s_pipi_record(kstar_pipi) -> None:
    t = _table(kstar_pipi)
    i_s = _check_signal_b(t, kstar=True, channel=211, m_s=0.6)
    cos_k = []
    for i in i_s:
        b = t["mglob"][i]
        ks = next(j for j in _children(t, b) if t["pdg"][j] != S_ID)
        kp = _children(t, ks)
        assert len(kp) == 2 and np.allclose(t["p4"][kp].sum(0), t["p4"][ks], atol=1e-7)
        assert {abs(int(x)) for x in t["pdg"][kp]} in ({311, 211}, {321, 111}, {321, 211},
                                                       {311, 111})
        # helicity angle of the kaon in the K* frame, relative to the K* flight in the B frame
        from darkscan.physics import lorentz

        pb, pks = t["p4"][b], t["p4"][ks]
        k = kp[0] if abs(t["pdg"][kp[0]]) in (311, 321) else kp[1]
        ks_b = lorentz.boost(pks, -pb[:3] / pb[3])
        k_b = lorentz.boost(t["p4"][k], -pb[:3] / pb[3])
        k_ks = lorentz.boost(k_b, -ks_b[:3] / ks_b[3])
        cos_k.append(np.dot(k_ks[:3], ks_b[:3]) / np.linalg.norm(k_ks[:3])
                     / np.linalg.norm(ks_b[:3]))
    # longitudinal K*: ⟨cos²θ_K⟩ = 3/5 (isotropic would be 1/3); σ ≈ 0.27/√n
    assert abs(np.mean(np.square(cos_k)) - 0.6) < 4 * 0.27 / np.sqrt(len(cos_k))


def test_sigma_and_meta(k_mumu) -> None:
    x = cross_section("upsilon4s_bb", mass=M_S, sin_theta=SIN_THETA_1CM)
    assert cross_section("upsilon4s_bb_ks_mumu", mass=M_S, sin_theta=SIN_THETA_1CM
                         ).sigma_pb == x.sigma_pb
    f = BF_Y4S_CHARGED
    br_b = (f * scalar.br_b_to_k_scalar(SIN_THETA_1CM, M_S, True)
            + (1 - f) * scalar.br_b_to_k_scalar(SIN_THETA_1CM, M_S, False))
    br_s = scalar.branching_fractions(M_S)["mumu"]
    assert x.sigma_pb == pytest.approx(SIGMA_Y4S_NB * 1e3 * 2 * br_b * br_s, rel=1e-12)
    assert k_mumu.meta.sigma_pb == pytest.approx(x.sigma_pb, rel=1e-12)
    assert k_mumu.meta.extra["ctau_cm"] == pytest.approx(float(scalar.ctau(SIN_THETA_1CM, M_S)))
    assert k_mumu.meta.extra["br_scalar_to_xx"] == pytest.approx(float(br_s))
    # S → π⁺π⁻ is 2/3 of the model's ππ
    y = cross_section("upsilon4s_bb_kstars_pipi", mass=0.6, sin_theta=1e-3)
    assert y.extra["br_scalar_to_xx"] == pytest.approx(
        2 / 3 * float(scalar.branching_fractions(0.6)["pipi"]))


@pytest.mark.parametrize("name, params, word", [
    ("upsilon4s_bb", {"mass": 4.785, "sin_theta": 1e-3}, "'mass'"),     # above m_B0 − m_K0
    ("upsilon4s_bb", {"mass": 4.9, "sin_theta": 1e-3}, "'mass'"),       # above m_B+ − m_K+
    ("upsilon4s_bb_kstars_ee", {"mass": 4.40, "sin_theta": 1e-3}, "'mass'"),  # > m_B − m_K*
    ("upsilon4s_bb", {"mass": 0.9, "sin_theta": -1e-3}, "'sin_theta'"),
    ("upsilon4s_bb_ks_mumu", {"mass": 0.2, "sin_theta": 1e-3}, "'mass'"),    # below 2 m_μ
    ("upsilon4s_bb_ks_kk", {"mass": 0.9, "sin_theta": 1e-3}, "'mass'"),      # below 2 m_K
    ("upsilon4s_bb_ks_pipi", {"mass": 2.5, "sin_theta": 1e-3}, "'mass'"),    # B(S→ππ) = 0
    ("upsilon4s_bb", {"mass": 0.9}, "sin_theta"),
])
def test_bad_parameters(name, params, word) -> None:
    with pytest.raises(ParameterError, match=word):
        cross_section(name, **params)
    with pytest.raises(ParameterError, match=word):
        get_process(name).generate_chunk(5, np.random.SeedSequence(1), params)


def test_generic_sample_unchanged() -> None:
    proc = get_process("upsilon4s_bb")
    a = proc.generate_chunk(25, np.random.SeedSequence(11), {})
    b = proc.generate_chunk(25, np.random.SeedSequence(11),
                            {"mass": 0.0, "sin_theta": 0.0})
    c = get_process("upsilon4s_bb_kstars_kk").generate_chunk(25, np.random.SeedSequence(11),
                                                              {})
    assert ak.to_list(a.events) == ak.to_list(c.events)
    assert ak.to_list(a.events) == ak.to_list(b.events)
    assert a.meta.sigma_pb == pytest.approx(SIGMA_Y4S_NB * 1e3)
    t = _table(a)
    assert not np.any(t["pdg"] == S_ID)
    assert cross_section("upsilon4s_bb").sigma_pb == pytest.approx(SIGMA_Y4S_NB * 1e3)
    assert pdg_mass(521) - pdg_mass(321) > 4.78   # the published range fits below m_B − m_K


def _generic_summary(parts: ak.Array) -> tuple[float, float, float]:
    """Per event: charged final-state particles, D⁰/D̄⁰ and the mean B proper decay length
    (from the B's first daughter's vertex, cm)."""
    t = _table_of(parts)
    final = t["status"] == 1
    charged = final & np.isin(np.abs(t["pdg"]), (11, 13, 211, 321, 2212))
    n_ev = len(ak.num(parts, axis=1))
    is_b = np.isin(np.abs(t["pdg"]), (511, 521))
    dau = np.nonzero((t["mglob"] >= 0) & is_b[np.maximum(t["mglob"], 0)])[0]
    b, first = np.unique(t["mglob"][dau], return_index=True)
    d = t["x4"][dau[first], :3] - t["x4"][b, :3]
    p = np.linalg.norm(t["p4"][b, :3], axis=1)
    ell = np.linalg.norm(d, axis=1) * _minv(t["p4"][b]) / p
    return charged.sum() / n_ev, np.sum(np.abs(t["pdg"]) == 421) / n_ev, float(ell.mean())


def test_batched_b_decays_match_one_record_per_event() -> None:
    """The B mesons decayed many to a Pythia record are distributed as when each event is its
    own Pythia record: charged multiplicity, D⁰ content and the B flight (proper decay length
    = cτ_B, PDG 0.0455/0.0491 cm) agree within statistics."""
    from darkscan.generate.processes.pythia_processes import PDG_Y4S
    from darkscan.generate.pythia_bridge import child_seed, hadronise_partons

    proc = get_process("upsilon4s_bb")
    n = 1500
    batched = proc.generate_chunk(n, np.random.SeedSequence(31), {}).particles
    counts, partons = proc.partons(n, np.random.default_rng(
        child_seed(np.random.SeedSequence(32), 2)), None, BF_Y4S_CHARGED)
    per_event = hadronise_partons(
        counts, partons, np.random.SeedSequence(32), keep_ids=(PDG_Y4S, 511, -511, 521, -521),
        extra_particles=((PDG_Y4S, "Upsilon(4S)", 3, 0, 0, 10.5794),))["particles"]
    (n_a, d_a, l_a), (n_b, d_b, l_b) = _generic_summary(batched), _generic_summary(per_event)
    assert abs(n_a - n_b) < 4 * 3.0 / np.sqrt(n)      # multiplicity spread ≈ 3 per event
    assert abs(d_a - d_b) < 4 * 0.9 / np.sqrt(n)
    assert l_a == pytest.approx(0.0473, rel=0.06) and l_b == pytest.approx(0.0473, rel=0.06)
