"""ee_mumupipi: e⁺e⁻ → μ⁺μ⁻π⁺π⁻ in scalar QED with the pion form factor (7 diagrams).

The form factor against published numbers, gauge invariance of all three photons, the relative
sign of the pion-line diagrams by the soft-photon theorem, the factorisation of the ππ pair off
the muon line into e⁺e⁻ → μ⁺μ⁻V × the ππ spectral function, the phase-space maps (ρ line shape)
and channels, σ against the grid seed, and unweighted events (pions final, no FSR on them)."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.generate.phase_space import log_table, map_tabulated, sequential
from darkscan.generate.processes import four_lepton as fl
from darkscan.physics import hadronic as had
from darkscan.physics.constants import M_MU, M_PI

RS = 10.58
P4 = ("px", "py", "pz", "E")
PROC = fl.EE_MUMUPIPI
#: Born σ(e⁺e⁻ → μ⁺μ⁻π⁺π⁻) at 10.58 GeV, α(0), 300k points (seed 1): 0.4307 ± 0.0012 pb
SIGMA_BORN_REF = 0.4307


def test_pion_form_factor_normalised_peaked_and_continued() -> None:
    """F_π(0) = 1, real below threshold (the Gounaris–Sakurai continuation), the ρ–ω peak
    |F_π|² = 43.9 at 0.778 GeV (data ≈ 45), σ(e⁺e⁻ → π⁺π⁻) = πα²β³|F_π|²/(3s) = 1.28 μb there,
    ⟨r²⟩ = 0.418 fm² (PDG 0.434), and the GS h′ the analytic derivative of h."""
    assert abs(had.pion_form_factor(1e-9) - 1) < 3e-5  # the ω's constant width: i·αΓ_ω/m_ω
    below = had.pion_form_factor(np.array([0.01, 0.05, 0.07]))
    assert np.abs(below.imag).max() < 1e-4 and np.all(np.diff(below.real) > 0)
    rs = np.linspace(0.70, 0.85, 1501)
    f2 = np.abs(had.pion_form_factor(rs**2)) ** 2
    assert abs(f2.max() - 43.92) < 0.05 and abs(rs[f2.argmax()] - 0.7776) < 5e-4
    assert abs(had.sigma_ee_pipi(rs[f2.argmax()] ** 2) / 1e6 - 1.282) < 0.002
    # the ω interference: a sharp drop just above the ω
    assert f2[np.searchsorted(rs, 0.79)] < 0.8 * f2.max()
    s, e = 0.6, 1e-6
    assert abs(had._dh(s) - (had._h(s + e) - had._h(s - e)) / (2 * e)) < 1e-8
    d = 1e-4
    r2 = 6 * (had.pion_form_factor(d).real - had.pion_form_factor(d / 2).real) / (d / 2) * 0.0389379
    assert abs(r2 - 0.4184) < 1e-3


def test_ward_identities_of_all_three_photons() -> None:
    """The s-channel photon (μ line and pion line), the μμ photon (pion line + conversions) and
    the ππ photon (μ line + conversions) each give zero with their current replaced by the
    momentum; without the seagull the pion line is not gauge invariant."""
    n = 300
    p, _ = PROC.hard(np.random.default_rng(7).random((n, PROC.hard_ndim({}))), np.full(n, RS),
                     {}, False)
    p1, p2 = fl._beams(n, np.full(n, RS))
    legs = fl.Legs(p1, p2, (p[:, 0], p[:, 1], p[:, 2], p[:, 3]), (M_MU, M_PI), pions=True)
    r = fl.ward_identity_ratios(legs)
    assert max(v.max() for v in r.values()) < 1e-10
    # the pion line alone with x = q: the two emissions cancel the seagull −2q^μ F_π(s) (of
    # size 2|F_π(s)||q|, so without it the identity fails)
    qa = legs.p[3] + legs.p[4]
    x = np.broadcast_to(qa, (1, n, 4)).astype(complex)
    line = fl.pion_line(legs.p[5], legs.p[6], x, qa, legs.ff_s)[0, 0, 0]
    seagull = np.abs(2 * legs.ff_s[:, None] * qa).max(axis=-1)
    assert np.all(np.abs(line).max(axis=-1) < 1e-11 * seagull)


def test_soft_pair_fixes_the_pion_line_sign() -> None:
    """A soft lepton pair off e⁺e⁻ → π⁺π⁻ factorises into the eikonal current of the charged
    legs with the pions' physical charges, to O(E/√s) (10× smaller at 10× lower energy); with the
    pion charge's sign flipped the deviation is O(1)."""
    r3 = fl.pion_soft_pair_deviation(3e-3, 200, np.random.default_rng(4))
    r4 = fl.pion_soft_pair_deviation(3e-4, 200, np.random.default_rng(4))
    assert np.median(r4) < 1.2e-4 and 8 < np.median(r3) / np.median(r4) < 12
    wrong = fl.pion_soft_pair_deviation(3e-4, 200, np.random.default_rng(4), pion_charge=-1.0)
    assert np.median(wrong) > 0.5


@pytest.mark.parametrize("q2", [0.1, 0.6, 2.0])
def test_pion_pair_off_muon_line_factorises(q2: float) -> None:
    """⟨Σ|M_fsr|²⟩ over the pions' angles = (e²/3q²)β²|F_π(q²)|² Σ|M_μμV|² point by point; the
    lepton splitting 4(1 + 2m²/q²) in its place is off by a factor > 1.6."""
    r = fl.fsr_factorisation_ratio(q2, 100, np.random.default_rng(5), m_pair=M_PI, pions=True)
    assert np.abs(r - 1).max() < 1e-10
    beta2 = 1 - 4 * M_PI**2 / q2
    lepton = 4 * (1 + 2 * M_PI**2 / q2) / (beta2 * abs(had.pion_form_factor(q2)) ** 2)
    assert abs(np.log(lepton)) > 0.5


def test_me2_positive_with_the_charge_asymmetric_interference() -> None:
    """|M|² > 0 and finite; the C-odd interference of the pion-line diagrams with the others
    changes sign under μ⁺ ↔ μ⁻ together with π⁺ ↔ π⁻ only through the charges: exchanging both
    pairs' charges leaves |M|² unchanged up to it, exchanging one does not."""
    n = 300
    p, _ = PROC.hard(np.random.default_rng(3).random((n, PROC.hard_ndim({}))), np.full(n, RS),
                     {}, False)
    p1, p2 = fl._beams(n, np.full(n, RS))
    m = fl.me2_four_lepton(p1, p2, p[:, 0], p[:, 1], p[:, 2], p[:, 3], (M_MU, M_PI), False,
                           pions=True)
    assert np.all(m > 0) and np.all(np.isfinite(m))
    # C conjugation of the whole final state (μ⁻ ↔ μ⁺, π⁻ ↔ π⁺) is a symmetry of |M|² for
    # unpolarised beams combined with P, i.e. with every 3-momentum reversed as well
    parity = np.array([-1.0, -1.0, -1.0, 1.0])
    mc = fl.me2_four_lepton(p1, p2, p[:, 1] * parity, p[:, 0] * parity, p[:, 3] * parity,
                            p[:, 2] * parity, (M_MU, M_PI), False, pions=True)
    assert np.abs(mc / m - 1).max() < 1e-9
    # the pions alone exchanged: not a symmetry (the μ-line/pion-line interference is C-odd)
    mp = fl.me2_four_lepton(p1, p2, p[:, 0], p[:, 1], p[:, 3], p[:, 2], (M_MU, M_PI), False,
                            pions=True)
    assert np.median(np.abs(mp / m - 1)) > 1e-6


def test_tabulated_map_is_exact_and_follows_the_rho() -> None:
    """map_tabulated's Jacobian integrates to the interval's length on any sub-interval, and the
    ππ mass map puts more than half of its points in the ρ region."""
    table = log_table(lambda x: 1 / x + np.exp(-((x - 2) ** 2) / 0.01), 0.1, 10.0)
    u = (np.arange(200_000) + 0.5) / 200_000
    for lo, hi in ((0.1, 10.0), (0.5, 3.0)):
        x, jac = map_tabulated(u, lo, hi, table)
        assert abs(jac.mean() / (hi - lo) - 1) < 1e-6 and lo <= x.min() and x.max() <= hi
    q2, _ = fl.map_pion_pair(u, 4 * M_PI**2, 100.0)
    assert 0.5 < np.mean((q2 > 0.6**2) & (q2 < 0.95**2)) < 0.8


def test_channel_jacobians_integrate_the_same_phase_space() -> None:
    """∫dΦ₄ from every channel (ρ-shaped pair-mass maps included) equals the flat sequential
    chain's within 4σ."""
    n = 100_000
    rng = np.random.default_rng(8)
    rs = np.full(n, RS)
    flat = sequential(rng.random((n, 8)), RS, list(PROC.slot_masses))[1]
    ref, err = flat.mean(), flat.std() / np.sqrt(n)
    for ch in PROC.channels:
        w = ch.kinematics(rng.random((n, 8)), rs, PROC.slot_masses)[1]
        assert abs(w.mean() - ref) < 4 * np.hypot(w.std() / np.sqrt(n), err), ch


def test_cross_section_and_rho_dominance() -> None:
    """Born σ = 0.431 pb (300k-point reference) within 4σ of a 60k-point grid, and the ρ region
    0.6 < m_ππ < 0.95 GeV carries ≈ 82% of it (weighted sample, flat in the channels)."""
    grid = PROC.grid({}, False, 60_000, 1)
    assert grid.error / grid.sigma < 0.015
    assert abs(grid.sigma - SIGMA_BORN_REF) < 4 * grid.error
    n = 100_000
    p, w = PROC.hard(np.random.default_rng(3).random((n, PROC.hard_ndim({}))), np.full(n, RS),
                     {}, False)
    q = p[:, 2] + p[:, 3]
    m = np.sqrt(q[:, 3] ** 2 - np.sum(q[:, :3] ** 2, axis=1))
    share = w[(m > 0.6) & (m < 0.95)].sum() / w.sum()
    assert 0.78 < share < 0.86


class _SmallGrid(fl.MuMuPiPi):
    grid_points = 60_000


def test_unweighted_events_pions_without_fsr() -> None:
    """μ⁻μ⁺π⁻π⁺ with status 1, 4-momentum conserved with ISR and FSR, FSR photons only from the
    muons, pion masses exact, σ with ISR ≈ 0.50 pb (ISR raises it like 4μ's; 60k-point grid for
    speed)."""
    smp = _SmallGrid().generate_chunk(400, np.random.SeedSequence(3), {})
    p = smp.particles
    assert np.all(ak.to_numpy(p.pdg[:, 2:6]) == [13, -13, -211, 211])
    assert np.all(ak.to_numpy(p.status[:, 2:6]) == 1)
    fin, beam = p[p.status == 1], p[p.status == 4]
    d = np.stack([ak.to_numpy(ak.sum(fin[c], axis=1) - ak.sum(beam[c], axis=1)) for c in P4], 1)
    assert np.abs(d).max() < 1e-6
    photons = p[(p.pdg == 22) & (p.mother >= 2)]
    assert set(np.unique(ak.to_numpy(ak.flatten(photons.mother)))) <= {2, 3}
    assert int(ak.sum(ak.num(photons))) > 0
    m2 = ak.to_numpy(p.E[:, 4:6] ** 2 - p.px[:, 4:6] ** 2 - p.py[:, 4:6] ** 2 - p.pz[:, 4:6] ** 2)
    assert np.allclose(np.sqrt(m2), M_PI, rtol=1e-6)
    assert 0.47 < smp.meta.sigma_pb < 0.53
    # 0.5% on this small grid; the generation grid (300k points) gives 7.4%
    assert smp.meta.extra["unweighting_efficiency"] > 0.003
