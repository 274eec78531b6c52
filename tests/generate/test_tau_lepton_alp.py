"""The 3×1 τ-pair processes of the τ → ℓα search: the signal ``ee_tautau_{e,mu}alpha_3prong``
(one τ → ℓα two-body, α invisible) and the background ``ee_tautau_e3prong`` (one τ → eνν̄), the
other τ forced to three charged prongs by Pythia through the registry's normal path."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest
from scipy import stats

from darkscan.detector.species import properties
from darkscan.errors import ParameterError
from darkscan.events import Sample
from darkscan.generate import cross_section, generate, get_process, resolve_params
from darkscan.generate.processes import tau_pairs as tp
from darkscan.generate.processes.tau_lepton_alp import (
    PDG_ALPHA,
    decay_rest_frame_alpha,
    lepton_energy_rest_frame,
    lepton_momentum_rest_frame,
)
from darkscan.models.ids import dark_particle
from darkscan.physics.constants import BF_TAU_TO_E, BF_TAU_TO_MU, M_E, M_MU, M_TAU

CHARGED = np.array([11, 13, 211, 321, 2212])
N_EVENTS = 2000


@pytest.fixture(scope="module")
def mu_alpha() -> Sample:
    return generate("ee_tautau_mualpha_3prong", N_EVENTS, seed=17, mass=1.0)


@pytest.fixture(scope="module")
def e_alpha_massless() -> Sample:
    return generate("ee_tautau_ealpha_3prong", 1000, seed=18, mass=0.0)


@pytest.fixture(scope="module")
def e_3prong() -> Sample:
    return generate("ee_tautau_e3prong", N_EVENTS, seed=19)


def _direct(parts: ak.Array, mother: int) -> ak.Array:
    return parts[parts.mother == mother]


def _n_charged(d: ak.Array) -> np.ndarray:
    flat = np.isin(np.abs(ak.to_numpy(ak.flatten(d.pdg))), CHARGED)
    return ak.to_numpy(ak.sum(ak.unflatten(flat, ak.num(d.pdg)), axis=1))


def _regular(a: ak.Array) -> np.ndarray:
    return ak.to_numpy(ak.to_regular(a, axis=1))


def _assert_three_prong_tag(parts: ak.Array, sign: np.ndarray) -> None:
    """The τ at index 3 is decayed by Pythia into exactly three charged prongs and its ν_τ."""
    assert np.all(ak.to_numpy(parts.status[:, 3]) == 2)
    assert np.all(ak.to_numpy(parts.pdg[:, 2] + parts.pdg[:, 3]) == 0)
    prong = _direct(parts, 3)
    assert np.all(_n_charged(prong) == 3)
    assert np.all(ak.to_numpy(ak.sum(prong.pdg == -16 * sign[:, None], axis=1)) == 1)


def _assert_four_momentum_conserved(parts: ak.Array) -> None:
    """Up to rounding with massive electrons; an electron that radiates (generate.fsr) keeps
    the energy exactly, its momentum to O(m_e) (only when it is left nearly at rest)."""
    def total(mask: ak.Array) -> np.ndarray:
        return np.stack([ak.to_numpy(ak.sum(parts[c][mask], axis=1))
                         for c in ("px", "py", "pz", "E")], axis=-1)

    np.testing.assert_allclose(total(parts.status == 1), total(parts.status == 4), atol=M_E)


def test_signal_final_state_one_lepton_one_alpha_and_three_prongs(mu_alpha: Sample) -> None:
    parts = mu_alpha.particles
    assert np.all(np.abs(ak.to_numpy(parts.pdg[:, 2])) == 15)
    assert np.all(ak.to_numpy(parts.status[:, 2]) == 2)
    sign = np.sign(ak.to_numpy(parts.pdg[:, 2]))  # +1: the signal τ is a τ⁻
    sig = _direct(parts, 2)
    assert np.all(ak.to_numpy(ak.num(sig)) == 2)
    np.testing.assert_array_equal(_regular(sig.pdg),
                                  np.stack([13 * sign, np.full_like(sign, PDG_ALPHA)], axis=1))
    assert np.all(_regular(sig.status) == 1)
    _assert_three_prong_tag(parts, sign)
    _assert_four_momentum_conserved(parts)
    # both charge assignments of the signal τ, 50/50
    assert abs(np.mean(sign > 0) - 0.5) < 4 * np.sqrt(0.25 / N_EVENTS)
    # σ = σ(ee → ττ) × 2 B(3-prong) × 1 ≈ 0.92 nb × 0.298 ≈ 274 pb, recorded as such
    extra = mu_alpha.meta.extra
    assert extra["bf_tau_to_lalpha_reference"] == 1.0
    assert extra["branching_fraction_product"] == pytest.approx(
        2.0 * tp.three_prong_fraction(), rel=1e-12)
    assert 260.0 < mu_alpha.meta.sigma_pb < 290.0


def test_alpha_is_invisible_and_decays_at_the_tau_vertex(mu_alpha: Sample) -> None:
    """α is the neutral dark state 4900040: the detector's species table makes it invisible;
    ℓ and α start together at the τ decay vertex, ⟨flight⟩ = ⟨βγ⟩cτ."""
    assert dark_particle(PDG_ALPHA).key == "lfv_boson"
    charge, _, invisible = properties(np.array([PDG_ALPHA, 13, -13, 211]))
    np.testing.assert_array_equal(invisible, [True, False, False, False])
    assert charge[0] == 0.0
    parts = mu_alpha.particles
    sig = _direct(parts, 2)
    for c in ("vx", "vy", "vz", "t"):
        np.testing.assert_array_equal(_regular(sig[c])[:, 0], _regular(sig[c])[:, 1])
    cols = ("vx", "vy", "vz")
    flight = np.linalg.norm(np.stack([_regular(sig[c])[:, 0] - ak.to_numpy(parts[c][:, 2])
                                      for c in cols], axis=1), axis=1)
    p_tau = np.linalg.norm(np.stack([ak.to_numpy(parts[c][:, 2]) for c in ("px", "py", "pz")],
                                    axis=1), axis=1)
    expected = np.mean(p_tau / M_TAU) * tp.CTAU_TAU_CM  # ≈ 2.8 × 87 µm
    assert 0.02 < expected < 0.03
    assert np.mean(flight) == pytest.approx(expected, rel=4 / np.sqrt(N_EVENTS))


def test_fast_simulation_sees_no_alpha(mu_alpha: Sample) -> None:
    """Through the detector: no track or cluster comes from α, and the truth invisible energy
    is α plus the three-prong side's ν_τ, event by event."""
    from darkscan.detector.fastsim import simulate

    sub = Sample(mu_alpha.events[:300], mu_alpha.meta)
    reco = simulate(sub, seed=1, beam_background_rate=0.0).events
    assert ak.sum(reco["tracks"].mc_pdg == PDG_ALPHA) == 0
    assert ak.sum(reco["clusters"].mc_pdg == PDG_ALPHA) == 0
    parts = sub.particles
    inv = parts[(parts.status == 1) & ((parts.pdg == PDG_ALPHA) | (abs(parts.pdg) == 16))]
    np.testing.assert_allclose(ak.to_numpy(reco["mc_E_invisible"]),
                               ak.to_numpy(ak.sum(inv.E, axis=1)), rtol=1e-12)
    # most events keep 1 + 3 tracks (losses: acceptance, K_S/material, low p_T)
    assert np.mean(ak.to_numpy(ak.num(reco["tracks"])) == 4) > 0.5


def test_signal_lepton_energy_is_two_body_in_the_tau_rest_frame(mu_alpha: Sample,
                                                                e_alpha_massless: Sample
                                                                ) -> None:
    """E*_ℓ = (m_τ² + m_ℓ² − m_α²)/(2m_τ) per event (the lab record boosted back), and the decay
    is isotropic about the τ flight direction."""
    for sample, m_lep, m_alpha in ((mu_alpha, M_MU, 1.0), (e_alpha_massless, M_E, 0.0)):
        tau, lep = tp.leptonic_tau_and_lepton(sample.events)
        x, cos, _ = tp.rest_frame_observables(tau, lep)
        e_ref = lepton_energy_rest_frame(m_lep, m_alpha)
        np.testing.assert_allclose(0.5 * M_TAU * x, e_ref, rtol=0, atol=1e-9)
        assert stats.kstest(cos, stats.uniform(-1, 2).cdf).pvalue > 1e-3
    assert lepton_energy_rest_frame(M_MU, 1.0) == pytest.approx(0.610222, abs=1e-6)
    assert lepton_energy_rest_frame(M_E, 0.0) == pytest.approx(0.888465, abs=1e-6)
    # α massless: E = |p| in the lab
    parts = e_alpha_massless.particles
    alpha = parts[parts.pdg == PDG_ALPHA]
    p = np.sqrt(_regular(alpha.px) ** 2 + _regular(alpha.py) ** 2 + _regular(alpha.pz) ** 2)
    np.testing.assert_allclose(_regular(alpha.E), p, rtol=1e-9)


def test_rest_frame_two_body_decay() -> None:
    d = decay_rest_frame_alpha(np.random.default_rng(3), 20_000, M_MU, 1.2)
    np.testing.assert_allclose(d.sum(axis=1), [[0.0, 0.0, 0.0, M_TAU]] * len(d), atol=1e-12)
    m2 = d[..., 3] ** 2 - np.sum(d[..., :3] ** 2, axis=-1)
    np.testing.assert_allclose(np.sqrt(m2), [[M_MU, 1.2]] * len(d), rtol=1e-9)
    p = np.linalg.norm(d[:, 0, :3], axis=1)
    np.testing.assert_allclose(p, lepton_momentum_rest_frame(M_MU, 1.2), rtol=1e-12)
    # isotropic: ⟨cosθ⟩ = 0 ± 1/√(3n), ⟨cos²θ⟩ = 1/3 ± ~2/(3√5n)
    cos = d[:, 0, 2] / p
    assert abs(cos.mean()) < 4 / np.sqrt(3 * len(d))
    assert abs(np.mean(cos**2) - 1 / 3) < 4 * 0.3 / np.sqrt(len(d))


def test_single_tau_of_gamma_star_is_unpolarised() -> None:
    """Why the isotropic τ → ℓα decay is exact for one τ: Tr₂ρ̂ = 1/2 at any angle and s."""
    rng = np.random.default_rng(5)
    n = 200
    sqrt_s = rng.uniform(4.0, 10.58, n)
    cos, phi = rng.uniform(-1, 1, n), rng.uniform(0, 2 * np.pi, n)
    pz = np.sqrt(sqrt_s**2 / 4 - M_TAU**2)
    sin = np.sqrt(1 - cos**2)
    k1 = np.stack([pz * sin * np.cos(phi), pz * sin * np.sin(phi), pz * cos, sqrt_s / 2], -1)
    k2 = k1 * np.array([-1, -1, -1, 1])
    rho = tp.production_density(k1, k2, sqrt_s)
    half = np.broadcast_to(0.5 * np.eye(2), (n, 2, 2))
    np.testing.assert_allclose(np.einsum("nijkj->nik", rho), half, atol=1e-12)
    np.testing.assert_allclose(np.einsum("nijil->njl", rho), half, atol=1e-12)


def test_mass_parameter() -> None:
    proc = get_process("ee_tautau_mualpha_3prong")
    assert resolve_params(proc, {}) == {"mass": 1.0}
    assert resolve_params(proc, {"mass": 0.0}) == {"mass": 0.0}  # massless α allowed
    with pytest.raises(ParameterError, match="mass"):
        resolve_params(proc, {"mass": -0.1})
    with pytest.raises(ParameterError, match="m_τ − m_ℓ"):  # 1.7 > m_τ − m_μ = 1.671 GeV
        generate("ee_tautau_mualpha_3prong", 10, mass=1.7)
    with pytest.raises(ParameterError, match="m_τ − m_ℓ"):
        cross_section("ee_tautau_ealpha_3prong", mass=1.777)
    # open for the electron up to m_τ − m_e = 1.7763 GeV
    get_process("ee_tautau_ealpha_3prong").validate({"mass": 1.7})


def test_sigma_normalisations() -> None:
    """Same integration seed: the hard ττ integrand is shared, so the ratios are the branching
    fraction factors to rounding; signal σ = σ(mu3prong)/B(τ → μνν̄), independent of m_α and ℓ.
    Independent seeds: σ(e3prong)/σ(mu3prong) = B(eνν̄)/B(μνν̄) within the MC error."""
    kw = {"n_points": 50_000, "seed": 3}
    mu3 = cross_section("ee_tautau_mu3prong", **kw)
    e3 = cross_section("ee_tautau_e3prong", **kw)
    assert e3.sigma_pb / mu3.sigma_pb == pytest.approx(BF_TAU_TO_E / BF_TAU_TO_MU, rel=1e-12)
    for name, mass in (("ee_tautau_mualpha_3prong", 0.0), ("ee_tautau_mualpha_3prong", 1.6),
                       ("ee_tautau_ealpha_3prong", 0.5)):
        sig = cross_section(name, mass=mass, **kw)
        assert sig.sigma_pb == pytest.approx(mu3.sigma_pb / BF_TAU_TO_MU, rel=1e-12)
    # σ(ee → ττ) ≈ 0.92 nb: σ(e3prong) ≈ 2 × 0.1782 × 0.149 × 0.92 nb ≈ 49 pb
    assert 46.0 < e3.sigma_pb < 52.0
    e3b = cross_section("ee_tautau_e3prong", n_points=100_000, seed=2)
    mu3b = cross_section("ee_tautau_mu3prong", n_points=100_000, seed=5)
    r = e3b.sigma_pb / mu3b.sigma_pb
    err = r * np.hypot(e3b.error_pb / e3b.sigma_pb, mu3b.error_pb / mu3b.sigma_pb)
    assert 0 < err < 2e-3
    assert r == pytest.approx(BF_TAU_TO_E / BF_TAU_TO_MU, abs=4 * err)
    # PDG's B(eνν̄)/B(μνν̄) = 1.0247 sits 0.34% below the tree-level width ratio 1.0282
    tree = tp.width_leptonic(M_E) / tp.width_leptonic(M_MU)
    assert tree == pytest.approx(1.0282, abs=1e-4)
    assert BF_TAU_TO_E / BF_TAU_TO_MU == pytest.approx(tree, rel=5e-3)


def test_e3prong_final_state(e_3prong: Sample) -> None:
    parts = e_3prong.particles
    sign = np.sign(ak.to_numpy(parts.pdg[:, 2]))
    direct = _direct(parts, 2)
    lep = direct[:, :3]  # then the photons the electron radiated (generate.fsr)
    np.testing.assert_array_equal(_regular(lep.pdg), sign[:, None] * np.array([16, 11, -12]))
    assert ak.all(direct[:, 3:].pdg == 22)
    radiated = np.mean(ak.to_numpy(ak.num(direct)) > 3)
    assert 0.15 < radiated < 0.21  # 18% radiate above 1 MeV (τ rest frame), 12% above 10
    _assert_three_prong_tag(parts, sign)
    _assert_four_momentum_conserved(parts)
    assert abs(np.mean(sign > 0) - 0.5) < 4 * np.sqrt(0.25 / N_EVENTS)
    assert e_3prong.meta.extra["branching_fraction_product"] == pytest.approx(
        2 * BF_TAU_TO_E * tp.three_prong_fraction(), rel=1e-12)
    # electron mass kept: every electron is on shell at m_e
    m2 = (_regular(lep.E) ** 2 - _regular(lep.px) ** 2 - _regular(lep.py) ** 2
          - _regular(lep.pz) ** 2)[:, 1]
    np.testing.assert_allclose(np.sqrt(np.maximum(m2, 0)), M_E, atol=2e-5)


@pytest.mark.parametrize(("name", "m_lep"), [("ee_tautau_e3prong", M_E),
                                             ("ee_tautau_mu3prong", M_MU)], ids=["e", "mu"])
def test_background_lepton_spectrum_is_michel(name: str, m_lep: float) -> None:
    """Rest-frame x = 2E*_ℓ/m_τ of generated events (production, ISR, spin-density
    accept–reject, boosts) against the massive Michel spectrum, 15 bins, 20k events."""
    proc = get_process(name)
    sample = proc.generate_chunk(20_000, np.random.SeedSequence(8), resolve_params(proc, {}))
    x = tp.rest_frame_observables(*tp.leptonic_tau_and_lepton(sample.events))[0]
    x0, x1 = tp._x_range(m_lep)
    assert x.min() >= x0 - 1e-9 and x.max() <= x1 + 1e-9
    edges = np.linspace(x0, x1, 16)
    hist, _ = np.histogram(x, edges)
    expect = tp.michel_bin_fractions(edges, m_lep) * len(x)
    chi2 = float(np.sum((hist - expect) ** 2 / expect))
    assert stats.chi2.sf(chi2, len(hist) - 1) > 1e-3, chi2
    # and the spectrum is not flat: the Michel test has power (a flat x fails it)
    flat = np.histogram(np.random.default_rng(1).uniform(x0, x1, len(x)), edges)[0]
    assert stats.chi2.sf(np.sum((flat - expect) ** 2 / expect), len(hist) - 1) < 1e-10


def test_michel_bin_fractions_massless_closed_form() -> None:
    edges = np.linspace(0.0, 1.0, 11)
    cdf = 2.0 * (edges**3 - edges**4 / 2.0)  # ∫ x²(3 − 2x) dx / (1/2)
    np.testing.assert_allclose(tp.michel_bin_fractions(edges, 0.0), np.diff(cdf), atol=1e-9)
    x0, x1 = tp._x_range(M_MU)
    assert tp.michel_bin_fractions(np.array([x0, x1]), M_MU).sum() == pytest.approx(1.0, 1e-12)
