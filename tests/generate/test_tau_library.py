"""The τ decay library (darkscan.generate.tau_library): Haar rotations, CP conjugation, the
library's content and disk cache, the decayed records (same format as Pythia's own decays) and
quick statistical comparisons with Pythia decaying the same τ (small libraries; the full-size
comparisons are the ``generate_tau_library_*`` checks)."""

from __future__ import annotations

from collections.abc import Iterator

import awkward as ak
import numpy as np
import pytest

from darkscan.events import STATUS_DECAYED, STATUS_FINAL
from darkscan.generate import get_process, resolve_params
from darkscan.generate import tau_library as tl
from darkscan.generate.processes.tau_pairs import three_prong_settings
from darkscan.generate.pythia_bridge import decay_final_taus
from darkscan.physics.constants import M_TAU

SIZE = 2000            # small libraries: ~5 s of Pythia for the three-prong one
N_EVENTS = 2500
THREE_PRONG_CHANNELS = [10, 12, 13, 21, 23, 26, 29, 32, 35, 37]


@pytest.fixture(scope="module", autouse=True)
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
        yield


@pytest.fixture(scope="module")
def library() -> tl.TauDecayLibrary:
    return tl.tau_library(three_prong_settings(), SIZE)


@pytest.fixture(scope="module")
def undecayed() -> ak.Array:
    proc = get_process("ee_tautau_mu3prong")
    return proc.generate_chunk(N_EVENTS, np.random.SeedSequence(41), resolve_params(proc, {})
                               ).events


@pytest.fixture(scope="module")
def from_library(library: tl.TauDecayLibrary, undecayed: ak.Array) -> ak.Array:
    return decay_final_taus(undecayed, np.random.SeedSequence(42),
                            settings=three_prong_settings(), library_size=SIZE)


@pytest.fixture(scope="module")
def from_pythia(undecayed: ak.Array) -> ak.Array:
    return decay_final_taus(undecayed, np.random.SeedSequence(43),
                            settings=three_prong_settings(), library=False)


def _three_prong(events: ak.Array) -> dict[str, np.ndarray]:
    s = tl.tau_decay_summary(events)
    return {k: v[s["index"] == 3] for k, v in s.items()}


def test_random_rotations_are_haar() -> None:
    """Orthogonal with det +1; the class function tr R = 1 + 2 cos ω has the Haar moments
    E[tr R] = 0 and E[(tr R)²] = 1 (character orthogonality of the vector representation),
    and every matrix element has mean 0 and E[R_ij²] = 1/3."""
    n = 200_000
    r = tl.random_rotations(np.random.default_rng(1), n)
    err = np.abs(np.einsum("nki,nkj->nij", r, r) - np.eye(3)).max()
    assert err < 1e-12
    np.testing.assert_allclose(np.linalg.det(r), 1.0, atol=1e-12)
    tr = np.trace(r, axis1=1, axis2=2)
    assert abs(tr.mean()) < 5 * tr.std() / np.sqrt(n)
    assert np.mean(tr**2) == pytest.approx(1.0, abs=0.015)
    assert np.abs(r.mean(axis=0)).max() < 5 / np.sqrt(3 * n)
    np.testing.assert_allclose(np.mean(r**2, axis=0), 1 / 3, atol=0.004)


def test_conjugate_pdg_keeps_self_conjugate_ids() -> None:
    ids = np.array([16, -211, 211, 111, 22, 310, 130, -311, 221, 223, 11, -12, -321, -323])
    np.testing.assert_array_equal(tl.conjugate_pdg(ids),
                                  [-16, 211, -211, 111, 22, 310, 130, 311, 221, 223, -11, 12,
                                   321, 323])


def test_open_channels_follow_the_settings() -> None:
    chans, frac = tl.open_channels(three_prong_settings())
    np.testing.assert_array_equal(chans, THREE_PRONG_CHANNELS)
    assert frac.sum() == pytest.approx(1.0, abs=1e-12)
    assert frac[0] == pytest.approx(0.0925691 / 0.149188, rel=1e-3)  # 3π of Pythia's table
    all_chans, all_frac = tl.open_channels(())
    assert len(all_chans) == 38
    assert all_frac[3] == pytest.approx(0.17311, rel=1e-3)           # μνν
    with pytest.raises(ValueError, match="same channels"):
        tl.open_channels(("15:onMode = off", "15:3:onMode = 2"))


def test_library_content(library: tl.TauDecayLibrary) -> None:
    """Channel sizes ⌈N f_c⌉ ≥ 200, each decay's direct daughters sum to the τ at rest,
    secondary decays (π⁰ → γγ, η, ω, K⁰) keep their vertex offsets inside the light cone."""
    np.testing.assert_array_equal(library.channels, THREE_PRONG_CHANNELS)
    np.testing.assert_array_equal(np.diff(library.first),
                                  tl.channel_sizes(library.fractions, SIZE, tl.MIN_PER_CHANNEL))
    assert np.diff(library.first)[0] == 1241 and library.size == 3457
    d = library.decays
    assert np.all(np.isfinite(d.p4)) and np.all(np.isfinite(d.x4))
    direct = d.mother < 0
    total = np.zeros((library.size, 4))
    np.add.at(total, d.root_of_row[direct], d.p4[direct])
    np.testing.assert_allclose(total, np.tile([0.0, 0.0, 0.0, M_TAU], (library.size, 1)),
                               atol=1e-12)
    assert np.all(d.x4[direct] == 0.0)
    pi0 = (d.pdg == 111) & (d.status == STATUS_DECAYED)
    assert pi0.sum() > 600                                   # 3ππ⁰, 3π2π⁰ and K modes
    photons = (d.pdg == 22) & (d.mother >= 0)
    r = np.linalg.norm(d.x4[photons, :3], axis=1)
    assert np.all(r <= d.x4[photons, 3] * 29.9792458 * (1 + 1e-9))
    assert 0.0 < np.median(r) < 1e-5                         # cτ(π⁰) = 25 nm, γ of ~1.5 at most
    np.testing.assert_array_equal(library.anti_pdg[d.pdg == 16], -16)


def test_library_is_cached_on_disk(library: tl.TauDecayLibrary,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    tl.tau_library.cache_clear()

    def no_pythia(*args: object, **kwargs: object) -> tl.TauDecayLibrary:
        raise AssertionError("the library should come from the disk cache")

    monkeypatch.setattr(tl, "build_library", no_pythia)
    again = tl.tau_library(three_prong_settings(), SIZE)
    np.testing.assert_array_equal(again.decays.p4, library.decays.p4)
    np.testing.assert_array_equal(again.decays.pdg, library.decays.pdg)
    assert again.settings == three_prong_settings()


def test_records_have_the_pythia_format(from_library: ak.Array, from_pythia: ak.Array) -> None:
    assert str(ak.type(from_library)) == str(ak.type(from_pythia))
    parts = from_library["particles"]
    assert np.all(ak.to_numpy(parts.status[:, 2:4]) == STATUS_DECAYED)
    counts = ak.to_numpy(ak.num(parts))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    p = ak.flatten(parts)
    pdg, mother, status = (ak.to_numpy(p[k]) for k in ("pdg", "mother", "status"))
    p4 = np.stack([ak.to_numpy(p[k]) for k in ("px", "py", "pz", "E")], axis=1)
    vtx = np.stack([ak.to_numpy(p[k]) for k in ("vx", "vy", "vz")], axis=1)
    ev = np.repeat(np.arange(len(counts)), counts)
    row = np.arange(len(pdg))
    has = mother >= 0
    assert np.all(mother[has] < row[has] - first[ev[has]])   # mothers come first
    m_row = np.where(has, first[ev] + mother, -1)
    # the three-prong τ (index 3): its direct daughters carry its four-momentum and start at
    # one point, ≈ βγcτ = 87 µm × p/m from the τ's
    tau = first + 3
    summed = np.zeros((len(pdg), 4))
    np.add.at(summed, m_row[has], p4[has])
    np.testing.assert_allclose(summed[tau], p4[tau], atol=1e-9)
    dau = np.isin(m_row, tau)
    start = np.zeros((len(pdg), 3))
    start[m_row[dau]] = vtx[dau]
    np.testing.assert_allclose(vtx[dau], start[m_row[dau]], atol=1e-12)
    flight = np.linalg.norm(start[tau] - vtx[tau], axis=1)
    assert 0.01 < np.median(flight) < 0.04
    # τ⁺ decays are the conjugates: one ν̄_τ, three prongs of charge +1
    s = _three_prong(from_library)
    np.testing.assert_array_equal(s["charge"], -np.sign(s["pdg"]))
    nu = ak.to_numpy(ak.sum((parts.pdg == 16 * np.sign(parts.pdg[:, 3])) & (parts.mother == 3),
                            axis=1))
    assert np.all(nu == 1)
    assert set(np.unique(status)) == {STATUS_FINAL, STATUS_DECAYED, 4}


def test_decays_are_deterministic_and_seeded(undecayed: ak.Array, from_library: ak.Array
                                             ) -> None:
    again = decay_final_taus(undecayed, np.random.SeedSequence(42),
                             settings=three_prong_settings(), library_size=SIZE)
    assert ak.all(again.particles.px == from_library.particles.px)
    other = decay_final_taus(undecayed, np.random.SeedSequence(44),
                             settings=three_prong_settings(), library_size=SIZE)
    assert not ak.all(ak.num(other.particles) == ak.num(from_library.particles))


def test_library_matches_pythia(from_library: ak.Array, from_pythia: ak.Array) -> None:
    """Three-prong mass and visible energy fraction (KS), numbers of charged prongs and photons
    (χ²), channel counts against the table: 2500 τ each, the library side with its effective
    size (1/n + 1/N_library)."""
    a, b = _three_prong(from_library), _three_prong(from_pythia)
    n_eff = tl.effective_size(len(a["pdg"]), SIZE)
    p_m3 = tl.ks_pvalue(a["m_charged"], b["m_charged"], n_eff)
    p_x = tl.ks_pvalue(a["x_visible"], b["x_visible"], n_eff)
    p_ch = tl.chi2_homogeneity_pvalue(a["n_charged"], b["n_charged"], n_eff)
    p_gam = tl.chi2_homogeneity_pvalue(a["n_photons"], b["n_photons"], n_eff)
    assert min(p_m3, p_x, p_ch, p_gam) > 0.01, (p_m3, p_x, p_ch, p_gam)
    assert np.all(np.isin(a["n_charged"], (3, 5)))          # 5: a π⁰ Dalitz pair
    assert a["m_charged"].mean() == pytest.approx(b["m_charged"].mean(), abs=0.015)
    chans, frac = tl.open_channels(three_prong_settings())
    assert tl.chi2_fractions_pvalue(a["channel"], chans, frac) > 0.01
    assert tl.chi2_fractions_pvalue(b["channel"], chans, frac) > 0.01


def test_unrestricted_branching_fractions() -> None:
    """All 38 channels from a small library: every τ decay is identified as one of Pythia's
    channels, B(τ→μνν) and B(τ→eνν) as the table's, the channel counts χ²-compatible."""
    n = 40_000
    rng = np.random.default_rng(5)
    cos = 2 * rng.random(n) - 1
    p = 3.0 * np.stack([np.sqrt(1 - cos**2), np.zeros(n), cos], axis=1)
    p4 = np.concatenate([p, np.sqrt(np.sum(p**2, axis=1) + M_TAU**2)[:, None]], axis=1)
    pdg = np.where(rng.random(n) < 0.5, 15, -15)
    trees = tl.library_decays(pdg, p4, (), rng, size=SIZE, min_per_channel=20)
    # one event per τ: the τ (index 0, status 2), then its products
    flat = {k: np.concatenate([tau, prod]) for k, tau, prod in (
        ("pdg", pdg, trees.pdg), ("px", p4[:, 0], trees.p4[:, 0]),
        ("py", p4[:, 1], trees.p4[:, 1]), ("pz", p4[:, 2], trees.p4[:, 2]),
        ("E", p4[:, 3], trees.p4[:, 3]),
        ("mother", np.full(n, -1), np.where(trees.mother < 0, 0, trees.mother + 1)),
        ("status", np.full(n, STATUS_DECAYED), trees.status))}
    order = np.argsort(np.concatenate([np.arange(n), trees.root_of_row]), kind="stable")
    parts = ak.unflatten(ak.zip({k: v[order] for k, v in flat.items()}), trees.counts + 1)
    s = tl.tau_decay_summary(ak.zip({"particles": parts}, depth_limit=1))
    chans, frac = tl.open_channels(())
    assert np.all(s["channel"] >= 0)
    for c in (2, 3):
        b = np.mean(s["channel"] == c)
        assert b == pytest.approx(frac[c], abs=4 * np.sqrt(frac[c] * (1 - frac[c]) / n))
    assert tl.chi2_fractions_pvalue(s["channel"], chans, frac) > 0.01
    np.testing.assert_array_equal(s["charge"], -np.sign(pdg))
    # four-momentum: the direct daughters sum to the τ
    direct = trees.mother < 0
    total = np.zeros((n, 4))
    np.add.at(total, trees.root_of_row[direct], trees.p4[direct])
    np.testing.assert_allclose(total, p4, atol=1e-12)


def test_off_mass_tau_is_refused(library: tl.TauDecayLibrary) -> None:
    p4 = np.array([[0.0, 0.0, 1.0, np.hypot(1.0, 1.8)]])
    with pytest.raises(ValueError, match="library=False"):
        tl.library_decays(np.array([15]), p4, three_prong_settings(),
                          np.random.default_rng(0), size=SIZE)
