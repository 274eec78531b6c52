"""A′ → invisible in e⁺e⁻ → γA′: a single photon and nothing else.

Analysis summary (Belle II Physics Book, PTEP 2019 123C01, §17, single-photon projection; BaBar,
PRL 119 131804 (2017), 53 fb⁻¹): a dark photon radiated in e⁺e⁻ annihilation, e⁺e⁻ → γA′, that
decays to dark matter, A′ → χχ̄, leaves one photon of fixed CMS energy E*_γ = (s − M²_A′)/2√s: a
peak at M²_A′ in the mass squared recoiling against the photon, M²_rec = s − 2√s E*_γ. Events
have no track and a single photon in the ECL barrel that fires the single-photon trigger, no
other ECL energy and no KLM activity (photons lost in the ECL's gaps between barrel and endcaps
shower in the KLM behind them) and a recoil that does not point into such a gap. What passes is
what the detector failed to see: e⁺e⁻ → γγ(γ) with the other photons lost in the gaps or beyond
the acceptance (at low M²_rec, the photon carrying ~√s/2), e⁺e⁻ → e⁺e⁻γ with both leptons down
the beam pipe (at high M²_rec, a soft photon), and e⁺e⁻ → νν̄γ, irreducible but tiny at 10.58
GeV. The signal is counted in windows of ±2σ of M²_rec about each mass, each in five bins of the
photon's polar angle; 90% CL limits on σ(e⁺e⁻ → γA′) × B(A′ → invisible), then on ε.

What darkscan's simulation shows (default run, 20 fb⁻¹, 4 min on 2 cores from empty caches, seed
1): the selection
keeps 15–17% of the produced A′ (the barrel 34°–127° and the single-photon trigger; 6% at 7 GeV,
below); the M²_rec resolution is 2.0 GeV² at low mass (σ(M²) = 2√s σ_E) and 1.0 GeV² at 8 GeV.
Before the γγγ veto below, the background was e⁺e⁻ → γγ(γ) everywhere up to 60 GeV² (300–1 800
events per ±2σ window up to 7 GeV): one photon in the barrel, the other lost in a barrel–endcap gap
(the KLM behind it sees a photon 90% of the time) or beyond the acceptance, the recoil turned away
from the gap by an ISR photon along a beam. Such an event is a 1C kinematic hypothesis
(``lost_photon_pull``): the recoil is a photon along either beam plus a photon where the ECL does
not see, the ISR energy fixed by masslessness; the photon's energy is scanned over its resolution
and events explained within 2σ are rejected. It removes 99.9% of γγ(γ), 96% of γγγ, 99% of e⁺e⁻γ
(71% of νν̄γ) and 2–13% of the signal below 7 GeV (half of it near 7 GeV, where a lost photon plus
ISR mimics the A′'s recoil for most photon angles: there the veto changes nothing). What still
passes is a photon whose shower leaks into a gap from the barrel's edge (its energy is too low for
the two-body kinematics it has; the fiducial 34°–127° removes it) and, at high M²_rec, e⁺e⁻γ with
both leptons beyond the endcaps and νν̄γ; and e⁺e⁻ → γγ with both photons in the barrel, one
lost because it converted deep in its crystal (the attenuation exp(−7t/9X0) beyond ~10 of its
16.1 X0: 10⁻⁴–4×10⁻⁵ per hard photon, :func:`darkscan.detector.calorimeter.deep_conversions`) and
its leaking shower missed by the KLM behind (10%): a photon of √s/2 whose recoil points into the
barrel, M²_rec ≈ 0, which no kinematic veto can tell from a light A′ within the resolution. Those
events are a sample of their own (``gg_lost_photon``: 400k γγ with both photons in the barrel, one
per event made to convert deep and the event weighted by the probability).

Each window is cut into five bins of the photon's lab polar angle, equal in cos θ over the fiducial
barrel (``PHOTON_ANGLE_BINS``), and the limits come from the bins' joint likelihood: a photon whose
partner is lost in a gap (the recoil turned by ISR) can only come at the angles the gap's
kinematics allow for that M², next to the barrel's edges (a photon of the middle barrel recoils
into the middle barrel, where the ECL sees), while the A′ photon comes anywhere. The γγγ sample
keeps, beside one barrel photon, two barrel photons within 0.15 rad (``one_cluster_rest_unseen``)
that the ECL may merge into one cluster: of 3M γγγ events 36 are such pairs with the rest unseen,
and 2 of them leave one cluster above 0.2 GeV (LAT 0.29–0.31): ~20 events at 20 fb⁻¹ over the whole
mass range. Not simulated: dead or noisy crystals, conversions in the TOP and the CDC's outer wall,
cosmic rays. Beam-background clusters (:mod:`darkscan.detector.showers`: one per event, mean 30 MeV
above threshold, uniform in ±1 µs) never pass as the photon: none reaches the trigger's 1 GeV.

``--selection bdt`` adds BaBar's classifier: gradient-boosted trees (xgboost,
:class:`~darkscan.select.bdt.ContinuumBDT`) on the photon's cluster shape (lateral moment, E1/E9,
E9/E21), its time over its resolution, its θ and φ and E_ECL_extra (``PHOTON_FEATURES``), trained
on the samples' independent training copies, one cut for all masses by Punzi's figure of merit. The
shapes tell one photon from two merged in one cluster (γγγ); a photon's time tells it from beam
background, of which none is selected here; the rest is where the photon points. Default run at 20
fb⁻¹ (2026-12-06, seed 1, 7.2 min with the training copies, the 15M-event γγγ sample, the band on
the simulated background): AUC 0.60, the cut keeps 95% of the signal and 79% of the background;
expected ε 9.9×10⁻⁴ at 0.5, 1.0×10⁻³ at 1, 9.3×10⁻⁴ at 2, 7.7×10⁻⁴ at 3, 6.1×10⁻⁴ at 4, 5.4×10⁻⁴ at
5, 9.8×10⁻⁴ at 6, 1.5×10⁻³ at 7, 1.8×10⁻³ at 8 GeV: the cuts' limits within 3%, which is why the
cuts stay the default. With the recoil's polar angle among the features (it follows M_A′) the trees
learned the mass and removed every signal event above 6 GeV: it is left out. The samples: γγ(γ) 4M
(σ = 5.0 nb inside 10°–170°: 0.8 fb⁻¹, an MC event weighs 25 data events), γγγ with the exact
matrix element and every photon in 1°–179° (CMS) 15M (1.5 nb, weight 2; it overlaps ee_gg's
collinear ISR where a photon is within a few degrees of a beam: counted twice there,
conservatively), e⁺e⁻γ 0.3M (weight 44), νν̄γ.

Against the published result: expected ε limits (default run, 20 fb⁻¹, the band's Asimov counting
the simulated background itself) on 2026-12-07, after the conversions' pair starts inside its layer
and no photon below 10 MeV converts (another MC realisation): 9.4×10⁻⁴, 9.5×10⁻⁴, 8.8×10⁻⁴,
6.3×10⁻⁴, 4.0×10⁻⁴, 5.3×10⁻⁴, 9.5×10⁻⁴, 1.46×10⁻³, 1.76×10⁻³ at 0.5, 1, 2, 3, 4, 5, 6, 7 and 8 GeV
(3 and 4 GeV rest on the sparse middle bins, below). The middle bins' few events near 3–5 GeV rest
on the lost photons, γγγ and νν̄γ; a window of those bins without a simulated γγ(γ) or γγγ event is
uncertain by their event weights (25 and 2 data events at 20 fb⁻¹) spread over the gap to the
nearest one.

Measurements behind these choices and the run history: docs/searches/dark-photon-invisible.md.
"""

from __future__ import annotations

from dataclasses import replace

import awkward as ak
import numpy as np

from darkscan.detector.geometry import ecl_blind, ecl_bounds
from darkscan.detector.parameters import BELLE2_DETECTOR
from darkscan.interpret.published import published_for
from darkscan.models.dark_photon import branching_fractions
from darkscan.reco.lists import ListDef
from darkscan.searches.extraction import CountWindows, Split
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
from darkscan.select.bdt import ContinuumBDT

#: the ECL's regions (Belle II's table): the barrel, and where it does not see
_BOUNDS = ecl_bounds(BELLE2_DETECTOR)
ECL_BARREL = BELLE2_DETECTOR.ecl_barrel


#: two photons closer than this (rad) may make one cluster (crystals that touch: ≲ 11 cm at the
#: barrel's 125 cm, :func:`darkscan.detector.calorimeter.merge_close_clusters`), with a margin
MERGE_OPENING = 0.15


def _photons_in_barrel_rest_unseen(particles: ak.Array, n: int, merging: bool = False
                                   ) -> np.ndarray:
    """Exactly ``n`` final-state particles above 0.5 GeV enter the ECL barrel, all photons, and
    every other visible particle above 0.1 GeV goes where the ECL does not see it (beyond its
    acceptance or into a gap, 2° margin). ``merging``: also two barrel photons closer than
    :data:`MERGE_OPENING`, which the ECL may see as one."""
    final = particles[particles.status == 1]
    visible = final[(abs(final.pdg) != 12) & (abs(final.pdg) != 14) & (abs(final.pdg) != 16)]
    e = visible.E
    theta = np.arctan2(np.hypot(visible.px, visible.py), visible.pz)
    deg = np.degrees(theta)
    in_barrel = (deg > ECL_BARREL[0]) & (deg < ECL_BARREL[1]) & (e > 0.5)
    photon_in_barrel = in_barrel & (visible.pdg == 22)
    others_unseen = ak.all(in_barrel | (e < 0.1) | ecl_blind(theta, _BOUNDS, 2.0), axis=1)
    n_barrel, n_photons = ak.sum(in_barrel, axis=1), ak.sum(photon_in_barrel, axis=1)
    keep = ak.to_numpy((n_barrel == n) & (n_photons == n))
    if merging:
        two = ak.to_numpy((n_barrel == 2) & (n_photons == 2))
        opening = np.full(len(two), np.inf)
        if two.any():
            pair = visible[photon_in_barrel][two]
            u = np.stack([ak.to_numpy(ak.flatten(pair[c])) for c in ("px", "py", "pz")],
                         axis=-1).reshape(-1, 2, 3)
            u /= np.linalg.norm(u, axis=-1, keepdims=True)
            opening[two] = np.arccos(np.clip(np.sum(u[:, 0] * u[:, 1], axis=-1), -1.0, 1.0))
        keep |= opening < MERGE_OPENING
    return keep & ak.to_numpy(others_unseen)


def one_photon_rest_unseen(particles: ak.Array) -> np.ndarray:
    """Truth filter for the QED backgrounds: one photon in the barrel, the rest unseen."""
    return _photons_in_barrel_rest_unseen(particles, 1)


def one_cluster_rest_unseen(particles: ak.Array) -> np.ndarray:
    """Truth filter for e⁺e⁻ → γγγ: one photon in the barrel, or two so close that they may
    make one cluster, the rest unseen."""
    return _photons_in_barrel_rest_unseen(particles, 1, merging=True)


def two_photons_rest_unseen(particles: ak.Array) -> np.ndarray:
    """Truth filter for the lost-photon sample: two photons in the barrel, one of which the ECL
    loses when it converts deep in its crystal, the rest unseen."""
    return _photons_in_barrel_rest_unseen(particles, 2)


_FILTER_LABEL = "one photon in the ECL barrel, the rest unseen (truth)"
#: the photon's fiducial barrel (lab, rad): 34°–127°
THETA_FIDUCIAL = (0.5934, 2.2166)
#: each window's bins of the photon's lab polar angle, equal in cos θ over the fiducial
#: barrel: the photons of e⁺e⁻ → γγ(γ) whose partner is lost in a gap (and the recoil turned
#: by ISR) come at the angles the gaps' kinematics allow for that M², the signal's everywhere
PHOTON_ANGLE_BINS = Split("dau0_theta", tuple(float(t) for t in np.sort(np.arccos(
    np.linspace(np.cos(THETA_FIDUCIAL[0]), np.cos(THETA_FIDUCIAL[1]), 6)))), "θ_γ (lab)")

SELECTION = (
    "trg_single_photon == 1",
    "n_tracks == 0",
    # the barrel, 34°–127°: ≥ 1.3 R_M (4.7–7 cm) from its edges, where a shower loses energy
    # into the gap (a γγ event whose photon leaks looks like a lighter A′'s, calorimeter.contained)
    f"dau0_theta > {THETA_FIDUCIAL[0]} and dau0_theta < {THETA_FIDUCIAL[1]}",
    "E_ECL_extra < 0.2",
    "n_klm_neutral == 0",                            # the KLM veto
    # the recoil must not point into a gap between the ECL barrel and an endcap (±2°): there a
    # photon leaves neither a cluster nor, reliably, KLM hits (e⁺e⁻ → γγ with one photon lost)
    "not (theta_recoil > 0.513 and theta_recoil < 0.597)",
    "not (theta_recoil > 2.211 and theta_recoil < 2.316)",
    # nor may it be, within twice the photon's energy resolution, a photon along a beam (ISR)
    # plus one the ECL cannot see: e⁺e⁻ → γγ(γ) with the second photon in a gap or beyond the
    # acceptance and the recoil turned by ISR, e⁺e⁻ → e⁺e⁻γ with both leptons down the beam pipe
    "lost_photon_pull > 2",
)

def _br_invisible(p: dict[str, np.ndarray]) -> np.ndarray:
    return branching_fractions(1e-3, p["mass"], alpha_d=0.5, mass_chi=0.0)["invisible"]


MASSES = (0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)

SEARCH = Search(
    name="dark-photon-invisible",
    title="A′ → invisible in e⁺e⁻ → γA′ (single photon)",
    references=("Belle II Physics Book, PTEP 2019 123C01 (single photon)",
                "BaBar, PRL 119 131804 (2017), arXiv:1702.03327"),
    summary=__doc__ or "",
    signal=SignalGrid(
        SampleSpec("darkphoton", "ee_gamma_darkphoton", n_events=10_000, n_quick=3_000,
                   label="signal", params={"epsilon": 1e-3, "alpha_d": 0.5}),
        axes=(Axis("mass", MASSES, quick=(1.0, 4.0, 7.0), label="$M_{A'}$"),)),
    backgrounds=(
        SampleSpec("gg", "ee_gg", n_events=4_000_000, n_quick=50_000, label="γγ(γ)",
                   truth_filter=one_photon_rest_unseen, filter_label=_FILTER_LABEL),
        # generated with the photon inside the barrel's CMS image (33°–142°) above the
        # trigger's 1 GeV and both e± beyond the ECL (outside 12°–159° CMS, the endcaps'
        # outer edges 13.3° and 160.8° with a margin): a radiative Bhabha event the ECL could
        # see otherwise fails the selection
        # the same with both photons in the barrel, one of them converting deep in its
        # crystal (rear leakage, 10⁻⁴–4×10⁻⁵ for a hard photon) and seen by the KLM behind
        # only as a photon lost in a gap is: importance-sampled, one photon per event forced
        # to convert deep and the event weighted by the probability
        SampleSpec("gg_lost_photon", "ee_gg", n_events=400_000, n_quick=20_000,
                   label="γγ(γ), γ lost", truth_filter=two_photons_rest_unseen,
                   filter_label="two photons in the ECL barrel, the rest unseen (truth); one "
                                "photon > 0.5 GeV forced to convert deep",
                   detector={"ecl_force_deep_conversion": 0.5}),
        SampleSpec("eeg", "ee_eeg", n_events=300_000, n_quick=20_000, label="e⁺e⁻γ",
                   params={"theta_min_cms": 33.0, "theta_max_cms": 142.0, "e_min_cms": 1.0,
                           "lepton_veto": 1.0, "theta_veto_min_cms": 12.0,
                           "theta_veto_max_cms": 159.0},
                   truth_filter=one_photon_rest_unseen, filter_label=_FILTER_LABEL),
        # with two barrel photons close enough to merge into one cluster (the third unseen);
        # 15M events (an event weighs 2 at 20 fb⁻¹): the θ bins of 3–5 GeV rest on it
        SampleSpec("ggg", "ee_ggg", n_events=15_000_000, n_quick=50_000, label="γγγ",
                   params={"theta_min_cms": 1.0, "theta_max_cms": 179.0},
                   truth_filter=one_cluster_rest_unseen,
                   filter_label="one photon in the ECL barrel, or two within "
                                f"{MERGE_OPENING:g} rad, the rest unseen (truth)"),
        SampleSpec("nunug", "ee_nunug", n_events=20_000, n_quick=5_000, label="νν̄γ",
                   params={"theta_min_cms": 33.0, "theta_max_cms": 142.0, "e_min_cms": 1.0},
                   truth_filter=one_photon_rest_unseen, filter_label=_FILTER_LABEL),
    ),
    channels=(Channel(
        "gamma", "vpho -> gamma:sel",
        best_candidate=BestCandidate("dau0_E_cms"),
        selection=SELECTION,
        lists=(ListDef("gamma:sel", cut="E > 0.5"),)),),
    extraction=CountWindows("m2_recoil", "$M^2_{\\mathrm{recoil}}$ [GeV$^2$]", "GeV²",
                            range=(-5.0, 80.0), n_sigma=2.0, split=PHOTON_ANGLE_BINS),
    inference=Inference(cl=0.9, method="cls"),
    default_lumi="20/fb",
    quantity_label="σ(e⁺e⁻ → γA′) × B(A′ → invisible)",
    interpretations=(
        Interpretation("invisible", "epsilon", "$\\varepsilon$",
                       "dark photon with α_D = 0.5, m_χ = 0: B(A′ → χχ̄) from the widths",
                       reference=lambda p: p["epsilon"], power=2.0,
                       branching=_br_invisible),
    ),
    published=published_for("dark-photon-invisible"),
    lost_particle_map=True,
    variant="cuts",
)

#: the classifier of ``--selection bdt`` (BaBar's way): the photon's cluster shape (lateral
#: moment, E1/E9, E9/E21), its time in units of its resolution, where it points, and the energy
#: left in the calorimeter; none of it the photon's energy or its recoil's direction (both
#: follow the mass). Trained on the independent training copies of the samples, one cut for
#: every mass (Punzi)
PHOTON_FEATURES = ("dau0_cluster_LAT", "dau0_cluster_E1E9", "dau0_cluster_E9E21",
                   "abs(dau0_cluster_time) / dau0_cluster_time_error", "dau0_theta",
                   "dau0_phi", "E_ECL_extra")

#: the selections ``darkscan run dark-photon-invisible --selection`` offers
SELECTIONS: dict[str, Search] = {
    "cuts": SEARCH,
    "bdt": replace(SEARCH, channels=(replace(SEARCH.channels[0], mva=ContinuumBDT(
        PHOTON_FEATURES, "m_recoil")),), variant="bdt"),
}
DEFAULT_SELECTION = "cuts"
