"""Dark Higgsstrahlung: e⁺e⁻ → A′h′, A′ → μ⁺μ⁻, h′ invisible (M_h′ < M_A′).

Analysis summary (Belle II, PRL 130 071804 (2023), arXiv:2207.00509, 8.34 fb⁻¹ of 2019 data;
seeds 000 and 003): a dark photon A′ that gets its mass from a dark Higgs h′ is radiated together
with it, e⁺e⁻ → A′* → A′h′ (Batell, Pospelov, Ritz, PRD 79 115008 (2009)). For M_h′ < M_A′ the
h′ is long-lived and escapes; the A′ decays promptly to μ⁺μ⁻. The signature is two opposite-charge
muons and missing energy, peaking at once in the dimuon mass M_μμ = M_A′ and in the mass recoiling
against the pair, M_recoil = M_h′: a 2D peak scanned with ~9000 overlapping elliptical windows in
(M_μμ, M_recoil), the cuts optimised window by window. Selection: two muon tracks, p_T(μμ) >
0.1 GeV in the CMS, the recoil pointing to the barrel ECL (where a photon that could fake the
missing momentum would have been seen), no extra ECL energy (E_ECL < 0.4 GeV), |cos θ_hel| ≲ 0.9
(μ⁺ in the A′ frame against the A′ flight direction) and τ-pair suppression. Backgrounds: μμ(γ)
79%, ττ(γ) 18%, eeμμ 3%. No excess; 90% CL (Bayesian) limits σ(e⁺e⁻→A′h′) × B(A′→μ⁺μ⁻) =
1.7–5.0 fb and ε²α_D = 1.7×10⁻⁸ – 2×10⁻⁶ for 4.0 < M_A′ < 9.7 GeV, M_h′ < M_A′ (abstract;
seed 000 quotes first limits for 1.65 < M_A′ < 10.51 GeV).

What darkscan's simulation shows (studies behind this module, 18k A′ → μμ events per point):

- The two muons' mass and recoil mass are measured with a strong anticorrelation, ρ(M_μμ,
  M_recoil) = −0.69 to −0.95 (both come from the same two momenta), so the windows are tilted
  ellipses.
- The recoil mass: M²_recoil = (p_beams − p_μμ)² is a difference of large numbers, so
  σ(M_recoil) ≈ σ(M²)/(2M_h′) grows as M_h′ → 0 and M² < 0 for 3.6% of the selected events at
  (M_A′, M_h′) = (4, 1) GeV, 4.3% at (9.5, 0.5). darkscan's ``m_recoil`` = sign(M²)·√|M²| keeps
  them (a light-h′ peak straddles zero).
- Near the kinematic edge (M_A′ + M_h′ → √s) the h′ is at rest in the CMS and follows the boost
  into the forward endcap (at (6, 4.5) GeV its lab polar angle is at most 29.8° at Born level):
  a recoil cut on the lab direction (34°–127°) kept 12% of the otherwise selected signal there,
  53% at (8, 2.5), 73–94% away from the edge, and made (6, 4.5) the weakest limit, 12 fb against
  the paper's highest 5.0. The paper's ε²α_D reaches 2×10⁻⁶, which needs σ × B ≲ 5 fb where the
  model's σ vanishes at threshold (darkscan's σ per unit ε²α_D at (6, 4.5) is a third of that at
  (6, 4)): its recoil requirement keeps heavy, slow h′. The cut is therefore on the CMS
  direction (BASE_SELECTION: the barrel for a massless recoil, the lost photon it is there for,
  identical to the lab cut for it).
- The τ-cone cut (``tau_cone_margin > 0``) that removes 99.6% of ττ(γ) in the search region also
  removes the signal for M_A′ ≥ 8 GeV and near the kinematic edge (heavy A′, nearly back-to-back
  muons) while keeping 89–99% at M_A′ ≤ 6 GeV: τ suppression must be a per-window cut.
- The two-track trigger alone (≥ 90° in φ) loses collimated low-mass A′ decays (a selection
  efficiency of 17% instead of 38% at (4, 1), 1% instead of 44% at (2, 1.5)); with the single-muon
  (CDC–KLM) trigger OR-ed in, the trigger keeps 80–83% of A′ → μμ events at all masses. Seed
  003 names the two-track trigger for this analysis; darkscan keeps the OR for its windows
  below M_A′ = 4 GeV, which the paper did not scan. Within 4–9.7 GeV the choice hardly matters;
  below, the two-track line alone weakens them ×5–300.

How darkscan runs it: the signal is simulated on a grid of (M_A′, M_h′) points 1 GeV apart
(0.5 GeV steps at the light and heavy ends, 32 points from M_A′ = 2 to 9.5 GeV); each point is
one window, an ellipse of radius 2σ about the measured peak along the principal axes of the
measured (M_μμ, M_recoil) core covariance. The paper's ~9000 windows tile the plane densely
(steps of about 1σ) by interpolating the signal shape between simulated points; darkscan sets
limits where the shape is measured, so its look-elsewhere effect is over those windows only.
The cuts are tightened per window (p_T(μμ), |cos θ_hel|, E_ECL, the τ cone, |cos θ*_recoil|;
720 combinations) to the best Punzi figure of merit on training samples simulated with their
own seeds, and the limits use the other samples only. Backgrounds: μμ(γ) 8.7 fb⁻¹ and ττ(γ)
10.8 fb⁻¹ (more than the data), eeμμ 1 fb⁻¹ (the slowest to generate; 3% of the published
background), and the μμ(γ) events whose hard photon the ECL loses by a deep conversion in its
crystal (importance-sampled, 1.7 fb⁻¹: their recoil mass is ≈ 0, below every window). The
background is the simulation's content of each ellipse with a 10% uncertainty for a
simulation-only prediction (trigger, muon ID, luminosity, generators). 90% CL Bayesian limits as
published, CLs beside them.

Against the published result: over 4 ≤ M_A′ ≤ 9.7 GeV the expected limits span 1.48–3.35 fb
(published 1.7–5.0) and ε²α_D 1.03×10⁻⁸ – 1.01×10⁻⁶ (published 1.7×10⁻⁸ – 2×10⁻⁶): the
highest ε²α_D sits at the grid point nearest threshold, 80 MeV below it, where the paper's
dense windows reach closer; the lowest, at (9.5, 0.5), is 0.60 of the paper's.

What this module holds (formulas live in :mod:`darkscan.models`: B(A′→μμ) and σ × B per unit
ε²α_D in :mod:`darkscan.models.dark_higgs`):

- :func:`darkphoton_to_mumu`: the signal truth filter. The generator decays the A′ by its widths
  (e⁺e⁻, μ⁺μ⁻, τ⁺τ⁻, hadrons), so keeping the A′ → μ⁺μ⁻ events makes the sample the one whose
  cross section is σ × B(A′→μμ), the quantity the limits are set on; its efficiency is per
  A′ → μμ event.
- the interpretation: σ(e⁺e⁻→A′h′) ∝ ε²α_D (Born, q_h′ = 1, α(0)); a σ × B limit becomes an
  ε²α_D limit with the generator's (ISR-inclusive) σ at the simulated ε²α_D and B(A′→μμ).
  B(A′→μμ) does not depend on ε (no invisible A′ channel in this model): 0.181 at 4 GeV,
  0.156 at 6 GeV, 0.154 at 8–9.7 GeV (R ratio of :mod:`darkscan.models.rratio` above 2m_π).
  The generator's Born σ agrees with the closed form to < 2×10⁻⁴.
- :data:`BASE_SELECTION`: the cuts every window starts from (the per-window optimisation only
  tightens them), and :func:`dimuon_recoil_filter`, the generator-level filter of the
  backgrounds, looser than every one of them.
- :func:`kinematically_open`: the signal region M_h′ < M_A′, M_A′ + M_h′ < √s.

Measurements behind these choices and the run history: docs/searches/dark-higgsstrahlung.md.
"""

from __future__ import annotations

import awkward as ak
import numpy as np
from numpy.typing import ArrayLike

from darkscan.interpret.published import published_for
from darkscan.models.dark_higgs import br_darkphoton_mumu
from darkscan.models.ids import pdgid
from darkscan.physics import BELLE2, lorentz
from darkscan.searches.extraction import EllipticalWindows
from darkscan.searches.lost_photons import hard_photon_apart
from darkscan.searches.spec import (
    Axis,
    BestCandidate,
    Channel,
    Inference,
    Interpretation,
    SampleSpec,
    Search,
    SignalGrid,
)
from darkscan.select.scan import CutGrid

__all__ = ["BASE_SELECTION", "DIMUON_RECOIL_FILTER_LABEL", "SEARCH", "darkphoton_to_mumu",
           "dimuon_recoil_filter", "dimuon_truth", "kinematically_open"]

PDG_DARKPHOTON = pdgid("darkphoton")
_PDG_MUON = 13

#: The selection every window starts from (darkscan reco variables of ``vpho -> mu+:all
#: mu-:all``). The single-muon trigger is OR-ed in for collimated low-mass A′ decays. Tracks that
#: leave the CDC early (< 20 layers, σ(p)/p up to 10%) are dropped; above M_μμ = 9 GeV both must
#: cross ≥ 30 layers, because an elastic μ⁺μ⁻ pair with a poorly measured track reappears up to
#: 0.9 GeV lower with a fake recoil in the barrel. M_μμ < 10 GeV bounds the scan (windows up to
#: M_A′ = 9.7 GeV). The recoil must point to the barrel ECL as a massless recoil would: its CMS
#: direction inside the CMS image of the lab's 34°–127° (as in the Z′ → invisible search) for
#: every azimuth, cos θ*_recoil in (−0.734, 0.693). A lost photon is such a recoil, and for it this
#: is the lab cut; a heavy, slow h′ near threshold is not, and its lab direction follows the boost
#: forward, below 34° (at (6, 4.5) GeV at most 29.8° at Born level), where the lab cut kept 12% of
#: it only through resolution.
BASE_SELECTION: tuple[str, ...] = (
    "trg_two_track == 1 or trg_single_muon == 1",
    "n_tracks == 2",
    "dau0_muonID > 0.9 and dau1_muonID > 0.9",
    "dau0_n_cdc >= 20 and dau1_n_cdc >= 20",
    "M < 9.0 or (dau0_n_cdc >= 30 and dau1_n_cdc >= 30)",
    "M < 10.0",
    "pt_cms > 0.1",
    "cos_theta_recoil_cms > -0.734 and cos_theta_recoil_cms < 0.693",
    "E_ECL_extra < 0.4",
    "abs(cos_helicity) < 0.9",
)


def darkphoton_to_mumu(particles: ak.Array) -> np.ndarray:
    """Signal truth filter: the A′ decayed to μ⁺μ⁻ (two final-state muons whose mother is the
    A′). Applied to ``ee_darkphoton_darkhiggs`` it turns the production sample into the
    σ × B(A′→μμ) sample (B ≈ 0.15–0.18 for 4–10 GeV)."""
    mother = particles.mother
    safe = ak.where(mother >= 0, mother, 0)
    mother_pdg = ak.where(mother >= 0, particles.pdg[safe], 0)
    from_ap = (abs(particles.pdg) == _PDG_MUON) & (particles.status == 1) & (
        mother_pdg == PDG_DARKPHOTON)
    return ak.to_numpy((ak.sum(from_ap, axis=1) == 2)
                       & (ak.sum(ak.where(from_ap, particles.pdg, 0), axis=1) == 0))


def kinematically_open(mass_darkphoton: ArrayLike, mass_darkhiggs: ArrayLike,
                       sqrt_s: float = BELLE2.sqrt_s) -> np.ndarray:
    """The invisible-h′ search region: 0 < M_h′ < M_A′ and M_A′ + M_h′ < √s."""
    ma = np.asarray(mass_darkphoton, dtype=float)
    mh = np.asarray(mass_darkhiggs, dtype=float)
    return (mh > 0) & (mh < ma) & (ma + mh < sqrt_s)


# --- background generator-level filter ------------------------------------------------------
#: truth recoil polar angle (lab) kept when the recoil is hard enough for its direction to be
#: measured: wider than the 34°–127° cut by the angular resolution of the recoil
RECOIL_THETA_LOOSE = (np.radians(15.0), np.radians(150.0))
#: truth recoil cos θ* (CMS) kept: wider than the selection's (−0.734, 0.693) by the recoil's
#: angular resolution, for heavy recoils whose lab direction is forward of RECOIL_THETA_LOOSE
RECOIL_COS_CMS_LOOSE = (-0.85, 0.82)
#: below this truth recoil momentum (GeV) the measured recoil direction is not tied to the true
#: one (the pair momentum is measured to ≈ 0.1 GeV), so any direction is kept
P_RECOIL_DIRECTION = 1.5
#: truth M_μμ kept (GeV): the selection keeps M_μμ < 10 GeV (windows up to M_A′ = 9.7 GeV);
#: with both muons crossing ≥ 20 CDC layers the measured mass is never 0.5 GeV below the true one
M_MUMU_LOOSE = 10.5
#: a photon this hard inside an ECL fiducial region fails E_ECL_extra < 0.4 GeV unless it
#: converts deep in its crystal (10⁻⁴–4×10⁻⁵ for 1–5 GeV, detector.calorimeter.deep_conversions):
#: those events are the lost-photon sample
E_PHOTON_SEEN = 0.6
#: ECL fiducial regions (lab, rad): inside the forward endcap, the barrel, the backward endcap
ECL_FIDUCIAL = ((np.radians(13.5), np.radians(30.5)), (np.radians(33.5), np.radians(127.5)),
                (np.radians(132.0), np.radians(154.0)))

DIMUON_RECOIL_FILTER_LABEL = (
    "μ⁺μ⁻ (truth) with M_μμ < 10.5 GeV, recoil at 15°–150° (lab), at −0.85 < cos θ* < 0.82 (CMS) "
    "or softer than 1.5 GeV, no photon > 0.6 GeV in the ECL fiducial regions apart from the "
    "muons")


def _sum_p4(parts: ak.Array) -> np.ndarray:
    return np.stack([ak.to_numpy(ak.sum(parts[c], axis=1)) for c in ("px", "py", "pz", "E")],
                    axis=-1)


def dimuon_truth(particles: ak.Array) -> dict[str, np.ndarray]:
    """Per-event truth quantities of the background filter: ``two_muons`` (exactly two
    opposite-charge final-state muons), their mass ``m_mumu`` and CMS ``pt_cms``, the lab
    ``theta_recoil`` and ``p_recoil`` against the nominal beams, the recoil's CMS
    ``cos_recoil_cms``, and ``photon_seen`` (a final-state photon above :data:`E_PHOTON_SEEN`
    inside an ECL fiducial region and apart from the muons' ECL entry points, so that it cannot
    join a muon's cluster: :mod:`darkscan.searches.lost_photons`)."""
    final = particles[particles.status == 1]
    mu = final[abs(final.pdg) == _PDG_MUON]
    two = ak.to_numpy((ak.num(mu) == 2) & (ak.sum(mu.pdg, axis=1) == 0))
    pair = _sum_p4(mu)
    recoil = BELLE2.p4_total - pair
    seen = hard_photon_apart(particles, E_PHOTON_SEEN, ECL_FIDUCIAL)
    return {"two_muons": two, "m_mumu": lorentz.mass(pair),
            "pt_cms": lorentz.pt(BELLE2.to_cms(pair)), "theta_recoil": lorentz.theta(recoil),
            "cos_recoil_cms": np.cos(lorentz.theta(BELLE2.to_cms(recoil))),
            "p_recoil": lorentz.p3mag(recoil), "photon_seen": seen}


def dimuon_recoil_filter(particles: ak.Array) -> np.ndarray:
    """Generator-level filter of the μμ(γ), ττ(γ) → μμ and eeμμ backgrounds (nominal beams):
    two opposite-charge final-state muons with M_μμ < :data:`M_MUMU_LOOSE`, a recoil that points
    to 15°–150° (lab) or :data:`RECOIL_COS_CMS_LOOSE` (CMS) or is softer than
    :data:`P_RECOIL_DIRECTION` (its measured direction is then anywhere), and no photon that
    would fail E_ECL_extra < 0.4 GeV (:func:`dimuon_truth`'s ``photon_seen``).

    Looser than :data:`BASE_SELECTION`. Checked by simulating unfiltered samples and applying
    the filter to the selected events, on two independent seeds each (tuned on the first):
    0 of 1051 + 1046 μμ(γ) (2×10⁶ generated per seed, 1.7 fb⁻¹), 0 of 21359 + 21046 ττ(γ)
    (8.35 fb⁻¹ per seed) and 0 of 353 + 360 eeμμ (p_T(μμ) > 0.05 GeV) selected events fail it.
    The largest true − measured M_μμ among selected μμ(γ) below 10 GeV is 0.86 GeV for tracks
    with 20–29 CDC layers and 0.45 GeV with ≥ 30, hence the CDC-layer cuts of the selection;
    without them 7% of the selected μμ(γ) would fail. Keeps 19.5% of μμ(γ) (20.5% since a
    photon near a muon's ECL entry, which may join its cluster, no longer counts as seen), 76%
    of ττ(γ) → μμ, 24% of eeμμ generated with p_T(μμ) > 0.05 GeV. (Checked when the
    selection's recoil cut was the lab's 34°–127°; the CMS clause, added with the CMS cut, only
    keeps more.)"""
    kinematic, seen = _dimuon_recoil(particles)
    return kinematic & ~seen


def dimuon_recoil_photon_seen(particles: ak.Array) -> np.ndarray:
    """The lost-photon sample's filter: as :func:`dimuon_recoil_filter`, with a photon above
    :data:`E_PHOTON_SEEN` in an ECL fiducial region (its complement in that respect)."""
    kinematic, seen = _dimuon_recoil(particles)
    return kinematic & seen


def _dimuon_recoil(particles: ak.Array) -> tuple[np.ndarray, np.ndarray]:
    """The filters' kinematics (the muon pair, its mass, the recoil's direction) and whether a
    photon would be seen."""
    t = dimuon_truth(particles)
    theta_ok = ((t["theta_recoil"] > RECOIL_THETA_LOOSE[0])
                & (t["theta_recoil"] < RECOIL_THETA_LOOSE[1])) | (
        (t["cos_recoil_cms"] > RECOIL_COS_CMS_LOOSE[0])
        & (t["cos_recoil_cms"] < RECOIL_COS_CMS_LOOSE[1]))
    kinematic = (t["two_muons"] & (t["m_mumu"] < M_MUMU_LOOSE)
                 & (theta_ok | (t["p_recoil"] < P_RECOIL_DIRECTION)))
    return kinematic, t["photon_seen"]


_BKG_FILTER = dict(truth_filter=dimuon_recoil_filter, filter_label=DIMUON_RECOIL_FILTER_LABEL)

SEARCH = Search(
    name="dark-higgsstrahlung",
    title="Dark Higgsstrahlung e⁺e⁻ → A′h′, A′ → μ⁺μ⁻, h′ invisible",
    references=("Belle II, PRL 130 071804 (2023), arXiv:2207.00509",
                "Batell, Pospelov, Ritz, PRD 79 115008 (2009)"),
    summary=__doc__ or "",
    signal=SignalGrid(
        SampleSpec("darkhiggs", "ee_darkphoton_darkhiggs", n_events=20_000, n_quick=5_000,
                   label="A′h′", params={"epsilon": 1e-3, "alpha_d": 0.1, "sin_theta": 0.0},
                   truth_filter=darkphoton_to_mumu, filter_label="A′ → μ⁺μ⁻ (truth)",
                   filter_is_decay=True),
        axes=(Axis("mass_darkphoton", (2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.5),
                   quick=(4.0, 8.0), label="$M_{A'}$"),
              Axis("mass_darkhiggs", (0.5, 1.0, 2.0, 3.0, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0),
                   quick=(1.0, 2.0), label="$M_{h'}$")),
        allowed=lambda p: bool(kinematically_open(p["mass_darkphoton"], p["mass_darkhiggs"])),
        allowed_label="M_h′ < M_A′ and M_A′ + M_h′ < √s"),
    backgrounds=(
        SampleSpec("mumu", "ee_mumu", n_events=10_000_000, n_quick=1_000_000, label="μμ(γ)",
                   **_BKG_FILTER),
        # the μμ(γ) events with a hard photon the ECL would see, lost when it converts deep in
        # its crystal: one photon per event made to, the event weighted by the probability
        SampleSpec("mumu_lost_photon", "ee_mumu", n_events=2_000_000, n_quick=200_000,
                   label="μμ(γ), γ lost", truth_filter=dimuon_recoil_photon_seen,
                   filter_label=DIMUON_RECOIL_FILTER_LABEL.replace("no photon", "a photon")
                   + "; one photon > 0.6 GeV forced to convert deep",
                   detector={"ecl_force_deep_conversion": E_PHOTON_SEEN}),
        SampleSpec("tautau", "ee_tautau_mumu", n_events=300_000, n_quick=60_000,
                   label="ττ(γ)", **_BKG_FILTER),
        # 1 fb⁻¹: eeμμ is 3% of the published background and the slowest to generate
        SampleSpec("eemumu", "ee_eemumu_epa", n_events=6_400_000, n_quick=400_000, label="eeμμ",
                   params={"pt_pair_min": 0.05}, **_BKG_FILTER),
    ),
    channels=(Channel("mumu", "vpho -> mu+:all mu-:all",
                      best_candidate=BestCandidate("pt_cms", highest=True),
                      selection=BASE_SELECTION),),
    extraction=EllipticalWindows(
        "M", "m_recoil", x_label="$M_{\\mu\\mu}$ [GeV]",
        y_label="$M_{\\mathrm{recoil}}$ [GeV]", x_range=(0.0, 10.5), y_range=(-2.0, 9.0),
        n_sigma=2.0, syst=0.1,
        # per-window tightening, chosen on independent training samples (720 combinations)
        optimise=CutGrid((
            ("", "pt_cms > 0.3", "pt_cms > 0.5", "pt_cms > 0.8", "pt_cms > 1.2"),
            ("", "abs(cos_helicity) < 0.8", "abs(cos_helicity) < 0.7",
             "abs(cos_helicity) < 0.6"),
            ("", "E_ECL_extra < 0.2", "E_ECL_extra < 0.1"),
            ("", "tau_cone_margin > -0.3", "tau_cone_margin > -0.1", "tau_cone_margin > 0"),
            ("", "abs(cos_theta_recoil_cms) < 0.8", "abs(cos_theta_recoil_cms) < 0.6"),
        ))),
    inference=Inference(cl=0.9, method="bayes", cross_check="cls"),
    default_lumi="8.34/fb",
    quantity_label="σ(e⁺e⁻ → A′h′) × B(A′ → μ⁺μ⁻)",
    interpretations=(Interpretation(
        "darkhiggs", "eps2_alphad", "$\\varepsilon^2\\alpha_D$",
        "ε²α_D of a dark photon with a dark Higgs (B(A′ → μμ) from the widths)",
        reference=lambda p: p["epsilon"] ** 2 * p["alpha_d"], power=1.0,
        branching=lambda p: br_darkphoton_mumu(p["mass_darkphoton"])),),
    # the abstract quotes the range of its limits over 4 < M_A′ < 9.7 GeV, M_h′ < M_A′
    published=published_for("dark-higgsstrahlung"),
)
