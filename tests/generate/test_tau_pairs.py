"""Physics tests of e⁺e⁻ → τ⁺τ⁻ → ℓ⁺ℓ⁻ + ν's with full spin correlations (tau_pairs.py)."""

import math

import awkward as ak
import numpy as np
import pytest

from darkscan import generate as g
from darkscan.generate import helas as h
from darkscan.generate.processes import tau_pairs as tp
from darkscan.generate.processes.sm_qed import two_to_two
from darkscan.physics.constants import (
    BF_TAU_TO_E,
    BF_TAU_TO_MU,
    C_CM_PER_NS,
    G_FERMI,
    HBAR_GEV_NS,
    M_E,
    M_MU,
    M_TAU,
    PDG_ELECTRON,
    PDG_MUON,
)
from darkscan.physics.lorentz import boost

S = tp.EE_TAUTAU_MUMU.experiment.s
SQRT_S = math.sqrt(S)
BETA = float(tp.pair_velocity(S))
TAU_LIFETIME_NS = 290.3e-6  # PDG 2024: (290.3 ± 0.5) fs
X_MAX_MU = 1.0 + (M_MU / M_TAU) ** 2  # endpoint x = (m_τ² + m_μ²)/m_τ²


def _block(p: ak.Array, field: str, sl: slice) -> np.ndarray:
    """(n, k) numpy block of a particle field over a fixed index range of every event."""
    return ak.to_numpy(ak.to_regular(p[field][:, sl], axis=1))


def _random_pair_events(n: int, rng: np.random.Generator, m_lep: float = M_MU):
    """Production points flat in cosΘ and unpolarised decays boosted with their τ's."""
    p1, p2, p, _ = two_to_two(rng.random((n, 2)), np.full(n, SQRT_S), M_TAU, M_TAU)
    k1, k2 = p[:, 0], p[:, 1]
    decs = [boost(tp.decay_rest_frame(rng, n, m_lep), (k[:, :3] / k[:, 3:4])[:, None, :])
            for k in (k1, k2)]
    return p1, p2, k1, k2, decs[0], decs[1]


def _chi2(sample: np.ndarray, density, edges: np.ndarray) -> tuple[float, int]:
    """χ² of a histogram against a density integrated per bin on a fine grid."""
    hist, _ = np.histogram(sample, bins=edges)
    fine = np.linspace(edges[0], edges[-1], 200 * (len(edges) - 1) + 1)
    mid = 0.5 * (fine[1:] + fine[:-1])
    per_bin = (density(mid) * np.diff(fine)).reshape(len(edges) - 1, -1).sum(axis=1)
    expect = per_bin / per_bin.sum() * hist.sum()
    ok = expect > 5
    return float(np.sum((hist[ok] - expect[ok]) ** 2 / expect[ok])), int(ok.sum() - 1)


# --- registry ---------------------------------------------------------------------------------
def test_names_point_to_the_new_and_the_pythia_implementations():
    assert isinstance(g.get_process("ee_tautau_mumu"), tp.TauPairs)
    assert isinstance(g.get_process("ee_tautau_ee"), tp.TauPairs)
    assert type(g.get_process("ee_tautau_mumu_pythia")).__name__ == "PythiaEEProcess"
    assert type(g.get_process("ee_tautau")).__name__ == "PythiaEEProcess"
    assert tp.EE_TAUTAU_MUMU.bf_product == pytest.approx(BF_TAU_TO_MU**2)


# --- amplitudes -------------------------------------------------------------------------------
def test_helicity_decomposition_equals_the_full_propagator_chain():
    """Σ ρ D₁ D₂ (helicity sums through the on-shell τ's) = the explicit fermion line with the
    (k̸ + m) numerators, for every event; the skipped beam helicities vanish identically."""
    rng = np.random.default_rng(1)
    p1, p2, k1, k2, d1, d2 = _random_pair_events(300, rng)
    amp = tp.production_amplitudes(p1, p2, k1, k2)
    rho = np.einsum("nbij,nbkl->nijkl", amp, amp.conj())
    dm1 = tp.decay_matrix(tp.tau_minus_amplitudes(k1, *np.moveaxis(d1, 1, 0), M_MU))
    dm2 = tp.decay_matrix(tp.tau_plus_amplitudes(k2, *np.moveaxis(d2, 1, 0), M_MU))
    w = np.einsum("nijkl,nik,njl->n", rho, dm1, dm2).real
    chain = tp.me2_full_chain(p1, p2, k1, k2, d1, d2, M_MU, M_MU) * tp._fermi_factor() ** 4
    np.testing.assert_allclose(chain, w, rtol=1e-10)
    same = tp.production_amplitudes(p1, p2, k1, k2, beams=((-1, -1), (1, 1)))
    assert np.abs(same).max() < 1e-12 * np.abs(amp).max()


def test_spin_averaged_decay_me_closed_form_and_dalitz_dependence():
    rng = np.random.default_rng(2)
    _, _, k1, k2, d1, d2 = _random_pair_events(2000, rng)
    for k, d, amps in ((k1, d1, tp.tau_minus_amplitudes), (k2, d2, tp.tau_plus_amplitudes)):
        dm = tp.decay_matrix(amps(k, *np.moveaxis(d, 1, 0), M_MU))
        avg = 0.5 * np.trace(dm, axis1=1, axis2=2).real
        closed = tp.me2_decay_averaged(k, d[:, 1], d[:, 0], d[:, 2])
        np.testing.assert_allclose(avg, closed, rtol=1e-10)
        # depends on s = (l + q)² only, as (m² − s)(s − m_ℓ²): what the sampler assumes
        s = h.dot(d[:, 0] + d[:, 1], d[:, 0] + d[:, 1])
        ratio = avg / ((M_TAU**2 - s) * (s - M_MU**2))
        np.testing.assert_allclose(ratio, 16.0 * G_FERMI**2, rtol=1e-8)


def test_decay_me_integrates_to_the_leptonic_width_and_pdg_branching_fraction():
    """Γ = (1/2m)∫Σ̄|M|² dΦ₃ by flat phase space (s flat, two isotropic steps) equals
    G_F²m⁵/192π³·f(m_μ²/m²), and Γ·τ_τ/ħ = B(τ → μνν) = 17.39% (PDG 2024) within 1%."""
    gamma, err = tp.width_from_me(M_MU, 200_000, np.random.default_rng(3))
    assert abs(gamma - tp.width_leptonic(M_MU)) < 4 * err
    bf = gamma * TAU_LIFETIME_NS / HBAR_GEV_NS
    assert bf == pytest.approx(BF_TAU_TO_MU, rel=0.01)


def test_analysing_power_sign_of_tau_minus_and_tau_plus():
    """A τ of helicity +½ decays with density D̄·D̂₊₊; the V−A result is
    f(x)(1 + κ(x)cosθ*) for τ⁻ and f(x)(1 − κ(x)cosθ*) for τ⁺, so ⟨D̂₊₊ cosθ*⟩ = ±⟨κ⟩/3."""
    rng = np.random.default_rng(4)
    _, _, k1, k2, d1, d2 = _random_pair_events(60_000, rng)
    x = np.linspace(2 * M_MU / M_TAU, 1.0, 20_001)
    f = tp.michel_spectrum(x, M_MU)
    kappa_mean = np.sum(f * tp.michel_asymmetry(x, M_MU)) / f.sum()
    assert kappa_mean == pytest.approx(-1 / 3, abs=0.01)
    for k, d, amps, sign in ((k1, d1, tp.tau_minus_amplitudes, 1.0),
                             (k2, d2, tp.tau_plus_amplitudes, -1.0)):
        dhat = tp.normalised(tp.decay_matrix(amps(k, *np.moveaxis(d, 1, 0), M_MU)))
        _, c, _ = tp.rest_frame_observables(k, d[:, 1])
        plus = dhat[:, 1, 1].real * c  # index 1: helicity +1
        tol = 4 * plus.std() / math.sqrt(len(c))
        assert plus.mean() == pytest.approx(sign * kappa_mean / 3, abs=tol)
        assert np.allclose(dhat[:, 0, 0] + dhat[:, 1, 1], 2.0)


def test_production_density_longitudinal_correlation_is_exact():
    """−⟨h⁻h⁺⟩ from the helas density matrix equals the helicity-amplitude formula
    C_nn(Θ) = [(1 + c²) − (1 − β²)s²]/[(1 + c²) + (1 − β²)s²] at every angle (no statistics)."""
    n = 21
    u = np.stack([np.linspace(0.0, 1.0, n), np.full(n, 0.3)], axis=1)
    _, _, p, _ = two_to_two(u, np.full(n, SQRT_S), M_TAU, M_TAU)
    rho = tp.production_density(p[:, 0], p[:, 1], np.full(n, SQRT_S))
    hel = np.array(h.FERMION, dtype=float)
    diag = np.stack([rho[:, i, j, i, j].real for i in range(2) for j in range(2)], axis=1)
    hh = diag @ np.outer(hel, hel).ravel()
    cos = p[:, 0, 2] / np.linalg.norm(p[:, 0, :3], axis=1)
    np.testing.assert_allclose(-hh, tp.spin_correlation_longitudinal(BETA, cos), atol=1e-12)
    assert tp.spin_correlation_longitudinal(BETA, 0.0) == pytest.approx(BETA**2 / (2 - BETA**2))


def test_correlation_ratio_is_bounded_with_unit_mean():
    rng = np.random.default_rng(5)
    _, _, k1, k2, d1, d2 = _random_pair_events(40_000, rng)
    rho = tp.production_density(k1, k2, np.full(len(k1), SQRT_S))
    r = tp.correlation_ratio(
        rho, tp.normalised(tp.decay_matrix(tp.tau_minus_amplitudes(k1, *np.moveaxis(d1, 1, 0),
                                                                    M_MU))),
        tp.normalised(tp.decay_matrix(tp.tau_plus_amplitudes(k2, *np.moveaxis(d2, 1, 0),
                                                             M_MU))))
    assert r.min() >= -1e-12 and r.max() <= 4.0
    assert r.mean() == pytest.approx(1.0, abs=4 * r.std() / math.sqrt(len(r)))
    # a single τ from γ* is unpolarised: the τ⁻ step of the sequential algorithm never rejects
    rho1 = np.einsum("nijkj->nik", rho)
    assert np.abs(rho1 - 0.5 * np.eye(2)).max() < 1e-12


# --- distributions ----------------------------------------------------------------------------
def test_michel_spectrum_rest_frame():
    """χ² of the rest-frame lepton energy against Michel: massless-lepton limit x²(3 − 2x) with
    electrons, the exact massive-muon spectrum with muons; angles isotropic."""
    rng = np.random.default_rng(6)
    for m_lep, dens in ((M_E, lambda x: x * x * (3 - 2 * x)),
                        (M_MU, lambda x: tp.michel_spectrum(x, M_MU))):
        edges = np.linspace(0.0, 1.0 + (m_lep / M_TAU) ** 2, 26)
        d = tp.decay_rest_frame(rng, 200_000, m_lep)
        x = 2 * d[:, 1, 3] / M_TAU
        chi2, ndf = _chi2(x, dens, edges)
        assert chi2 / ndf < 2.0, (m_lep, chi2, ndf)
        assert abs(np.mean(d[:, 1, 2] / np.linalg.norm(d[:, 1, :3], axis=1))) < 0.01
    # the massless formula is visibly wrong for muons at this statistics (x ≥ 2m_μ/m_τ = 0.12)
    chi2_ml, ndf = _chi2(x, lambda x: x * x * (3 - 2 * x), edges)
    assert chi2_ml / ndf > 5.0


@pytest.fixture(scope="module")
def pair_frame():
    rng = np.random.default_rng(20240607)
    return tp.sample_pair_frame(150_000, rng, SQRT_S)


def test_longitudinal_spin_correlation_matches_helicity_prediction(pair_frame):
    """Ĉ_nn from κ(x⁻)cosθ⁻·κ(x⁺)cosθ⁺ equals (1 + β²)/(3 − β²) = 0.893 (helicity amplitudes
    with the m_τ²/s helicity flip; 1 without it), and is far from 0 (uncorrelated decays)."""
    k, d1, d2, (n1, n2) = pair_frame
    c_hat, err = tp.estimate_c_longitudinal(k, d1[:, 1], d2[:, 1])
    c_pred = float(tp.spin_correlation_longitudinal(BETA))
    assert c_pred == pytest.approx(0.8932, abs=2e-4)
    assert abs(c_hat - c_pred) < 4 * err
    assert c_hat > 20 * err
    assert n1 == len(k)                      # τ⁻ step: acceptance 1
    assert 0.55 < len(k) / n2 < 0.65         # τ⁺ step: acceptance ≈ 0.60


def test_joint_muon_energy_fractions_spin_correlated_vs_uncorrelated(pair_frame):
    """(y⁻, y⁺) = E_μ/E_τ in the pair frame: 2D χ² against G⊗G + C H⊗H (spin-correlated
    prediction) passes, against G⊗G (uncorrelated product) fails; the correlation coefficient of
    y⁻ and y⁺ matches the prediction (0.041)."""
    k, d1, d2, _ = pair_frame
    y1 = tp.rest_frame_observables(k[:, 0], d1[:, 1])[2]
    y2 = tp.rest_frame_observables(k[:, 1], d2[:, 1])[2]
    edges = np.linspace(0.0, 1.0, 7)
    hist, _, _ = np.histogram2d(y1, y2, bins=[edges, edges])
    gg, hh = tp.energy_fraction_bins(edges, BETA, M_MU)
    c_pred = float(tp.spin_correlation_longitudinal(BETA))
    ndf = hist.size - 1
    chi2 = {}
    for label, c in (("correlated", c_pred), ("uncorrelated", 0.0)):
        expect = len(y1) * (np.outer(gg, gg) + c * np.outer(hh, hh))
        chi2[label] = float(np.sum((hist - expect) ** 2 / expect))
    assert chi2["correlated"] / ndf < 1.8, chi2
    assert chi2["uncorrelated"] / ndf > 5.0, chi2
    corr = np.corrcoef(y1, y2)[0, 1]
    pred = tp.energy_fraction_correlation(BETA, M_MU)
    assert pred == pytest.approx(0.0408, abs=5e-4)
    assert abs(corr - pred) < 4 / math.sqrt(len(y1))


def test_uncorrelated_option_gives_no_correlation():
    rng = np.random.default_rng(8)
    k, d1, d2, _ = tp.sample_pair_frame(40_000, rng, SQRT_S, correlated=False)
    c_hat, err = tp.estimate_c_longitudinal(k, d1[:, 1], d2[:, 1])
    assert abs(c_hat) < 4 * err


# --- cross sections ---------------------------------------------------------------------------
def test_born_sigma_closed_form_times_branching_fractions():
    r = g.cross_section("ee_tautau_mumu", isr=False, n_points=60_000, seed=2)
    ref = tp.sigma_born_tautau(S) * BF_TAU_TO_MU**2
    assert r.sigma_pb / ref == pytest.approx(1.0, abs=2e-3)
    assert tp.sigma_born_tautau(S) == pytest.approx(772.1, abs=0.5)


def test_sigma_with_isr_vs_physics_book_and_pythia():
    """σ(ee → ττ(γ))·B² with ISR: Physics Book (KKMC) 0.919 nb·B² within 1%; Pythia 8
    (LL lepton PDF, no soft+virtual constant, no FSR correction) is ~3% lower."""
    r = g.cross_section("ee_tautau_mumu", isr=True, n_points=300_000, seed=3)
    ours = r.sigma_pb / BF_TAU_TO_MU**2
    assert ours == pytest.approx(919.0, rel=0.01)
    pytest.importorskip("pythia8mc")
    py = g.cross_section("ee_tautau_mumu_pythia", n_points=20_000, seed=11)
    assert r.sigma_pb / py.sigma_pb == pytest.approx(1.0, abs=0.05)


# --- generated events -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def events():
    return g.get_process("ee_tautau_mumu").generate_chunk(20_000, np.random.SeedSequence(7), {})


def test_event_record_layout_and_conservation(events):
    p = events.particles
    assert np.all(_block(p, "status", slice(0, 4)) == [4, 4, 2, 2])
    assert np.all(_block(p, "pdg", slice(0, 10)) == [11, -11, 15, -15, 16, 13, -14, -16, -13, 14])
    assert np.all(_block(p, "mother", slice(4, 10)) == [2, 2, 2, 3, 3, 3])
    assert np.all(_block(p, "status", slice(4, 10)) == 1)  # ν's too: the detector ignores them
    extra = p[:, 10:]
    assert ak.all(extra.pdg == 22) and ak.all((extra.mother == 0) | (extra.mother == 1))
    fin, beam = p[p.status == 1], p[p.status == 4]
    d = np.stack([ak.to_numpy(ak.sum(fin[c], axis=1) - ak.sum(beam[c], axis=1))
                  for c in ("px", "py", "pz", "E")], axis=1)
    assert np.abs(d).max() < 1e-6
    for tau, sl in ((2, slice(4, 7)), (3, slice(7, 10))):
        t4 = np.stack([ak.to_numpy(p[c][:, tau]) for c in ("px", "py", "pz", "E")], axis=1)
        s4 = np.stack([ak.to_numpy(ak.sum(p[c][:, sl], axis=1)) for c in ("px", "py", "pz", "E")],
                      axis=1)
        assert np.abs(t4 - s4).max() < 1e-9
    meta = events.meta
    assert meta.extra["tau_minus_decay_acceptance"] == 1.0
    assert 0.55 < meta.extra["tau_plus_decay_acceptance"] < 0.65
    assert meta.sigma_pb == pytest.approx(919.0 * BF_TAU_TO_MU**2, rel=0.015)


def test_decay_vertices_follow_the_tau_flight(events):
    p = events.particles
    tau = np.stack([ak.to_numpy(p[c][:, 2]) for c in ("px", "py", "pz", "E")], axis=1)
    v0 = np.stack([ak.to_numpy(p[c][:, 2]) for c in ("vx", "vy", "vz")], axis=1)
    v1 = np.stack([ak.to_numpy(p[c][:, 5]) for c in ("vx", "vy", "vz")], axis=1)
    flight = v1 - v0
    length = np.linalg.norm(flight, axis=1)
    pmag = np.linalg.norm(tau[:, :3], axis=1)
    cross = np.linalg.norm(np.cross(flight, tau[:, :3]), axis=1)
    assert cross.max() < 1e-9 * max(1.0, pmag.max())  # along the τ momentum
    proper = length / (pmag / M_TAU)
    assert np.mean(proper) == pytest.approx(tp.CTAU_TAU_CM, rel=0.03)  # 87 µm
    assert np.allclose(ak.to_numpy(p.vx[:, 4]), ak.to_numpy(p.vx[:, 6]))
    t = ak.to_numpy(p.t[:, 5])
    assert np.allclose(t, length / (pmag / tau[:, 3] * C_CM_PER_NS))


def test_generated_muons_follow_michel_and_are_unpolarised(events):
    """End to end (ISR, beams, correlated accept–reject, lab boost): each muon in its τ's rest
    frame follows the massive Michel spectrum, isotropically about the τ direction."""
    p = events.particles
    xs, cs = [], []
    for tau_i, mu_i in ((2, 5), (3, 8)):
        t4 = np.stack([ak.to_numpy(p[c][:, tau_i]) for c in ("px", "py", "pz", "E")], axis=1)
        m4 = np.stack([ak.to_numpy(p[c][:, mu_i]) for c in ("px", "py", "pz", "E")], axis=1)
        x, c, _ = tp.rest_frame_observables(t4, m4)
        xs.append(x)
        cs.append(c)
    x = np.concatenate(xs)
    chi2, ndf = _chi2(x, lambda v: tp.michel_spectrum(v, M_MU), np.linspace(0, X_MAX_MU, 21))
    assert chi2 / ndf < 2.0
    assert abs(np.mean(np.concatenate(cs))) < 4 / math.sqrt(3 * len(x))


def test_emu_variant_has_both_charge_assignments():
    proc = tp.TauPairs("ee_tautau_emu_test", ((PDG_ELECTRON, PDG_MUON), (PDG_MUON, PDG_ELECTRON)),
                       "test")
    proc.grid_points = 20_000
    smp = proc.generate_chunk(4000, np.random.SeedSequence(9), {}, isr=False)
    lep_minus = ak.to_numpy(smp.particles.pdg[:, 5])
    assert set(np.unique(lep_minus)) == {PDG_ELECTRON, PDG_MUON}
    assert abs(np.mean(lep_minus == PDG_ELECTRON) - 0.5) < 0.03
    lep_plus = ak.to_numpy(smp.particles.pdg[:, 8])
    assert np.all(lep_plus == np.where(lep_minus == PDG_ELECTRON, -PDG_MUON, -PDG_ELECTRON))
    assert proc.bf_product == pytest.approx(2 * BF_TAU_TO_E * BF_TAU_TO_MU)
