"""B → K a, a → γγ: an ALP coupled to the W bosons in B-meson decays (Belle, 711 fb⁻¹).

Analysis summary (Belle, JHEP 12 (2025) 109, arXiv:2507.01249, 711 fb⁻¹ at the Υ(4S),
772×10⁶ B B̄ pairs): an axion-like particle coupled to the SU(2)_L gauge bosons,
L = −(g_aW/4) a W W̃, is emitted in b → s transitions through a W–top loop (Izaguirre, Lin,
Shuve, PRL 118 (2017) 111802), B → K a, and decays to two photons with g_aγγ = g_aW sin²θ_W; at
small g_aW and low mass it flies (cτ = 93 cm at m_a = 0.2 GeV, g_aW = 10⁻⁵ GeV⁻¹, 0.74 cm at
1 GeV). The B is fully reconstructed from a kaon (or K*) and two photons: B⁺ → K⁺a,
B⁰ → K⁰_S(→ π⁺π⁻)a, B⁰ → K*⁰(→ K⁺π⁻)a and B⁺ → K*⁺(→ K⁰_S π⁺)a (K* helicity 0, the rate from the
A₀ form factor), M_bc > 5.27 GeV and −0.15 < ΔE < 0.08 GeV (the photons' energy leakage gives ΔE
a low tail), photons above 0.1 GeV, photons that make a π⁰ or an η with another photon of the
event vetoed, the photons' decay angle in the ALP frame |cos θ_hel| < 0.9 (flat for a spin-0
ALP; a hard b → sγ photon paired with a soft one sits near 1), continuum e⁺e⁻ → qq̄ suppressed
by the event shape (``--selection cuts``, the default: R₂ and |cos θ_TB,TO| between the B
candidate's thrust axis and the rest of the event's, their efficiency on the simulated continuum
measured next to the signal region and applied to its candidates before them,
``CONTINUUM_FACTORISED``; ``--selection bdt``: a BDT on the KSFW moments, R₂, cos θ_TB,TO and
the B direction, as the paper's multivariate suppression). The ALP is a peak in the diphoton
mass M_γγ, fitted in windows sliding with the mass over a smooth background (B decays and
continuum); the K* channels scan up to 4.2 GeV; masses near the π⁰, η, η′ (and η_c) peaks are
not scanned. 90% CL limits on B(B → K a) × B(a → γγ), then on g_aW (B(a → γγ) = 1 for
m_a < m_Z).

The limits are quoted as B(B⁺ → K⁺a) × B(a → γγ) in every channel and their combination: a
channel's signal per unit of it is its rate implied by the same g_aW (B⁰: isospin, the same f₀,
τ_B0/τ_B+, m_K0; K*: the A₀ form factor), times B(K⁰ → K⁰_S) = ½ and B(K* → the reconstructed
Kπ) (``per_unit``): those limits hold at the simulated coupling's lifetime (the ``gaw`` column
of ``limits.csv``). The photons' directions are taken from the IP, as the reconstruction must
(two clusters fix no vertex), so an ALP that decays L before the ECL (inner radius 125 cm) shows
a diphoton mass about (1 − L/125 cm) too low: only the decays within ~10 cm make the peak. The
signal is simulated at one coupling per mass: where 711 fb⁻¹ reaches, B(B⁺ → K⁺a) = 3×10⁻⁸
(about 2.3 events for 10⁹ B and a 10% efficiency), or, for an ALP that flies further than 10 cm
on average there (below 1.2 GeV: 77 m at 0.2 GeV), at the coupling of a 10 cm mean flight, so
that many decays are resolved. The line shape is fitted to the decays within 5 cm (the truth
flight, ``signal_shape_cut``), the efficiency is the fit's yield over all selected events, and
the g_aW limit follows the lifetime each coupling sets (σ ∝ g², cτ ∝ g⁻²): the decays in the
peak's ±2σ reweighted by their proper decay lengths to cτ(g)
(:class:`~darkscan.searches.spec.CouplingLifetime`; the combination weights the channels by
their signal).

What darkscan's simulation shows (default run: 5 000 signal events per mass and channel; at KEKB
Υ(4S) → B B̄ split by the B decays' charm (:mod:`darkscan.generate.processes.charmless_b`): 400k
pairs with one B through a charmless hadronic or radiative channel (b → sγ, b → s g, b → u; 2.9%
of the pairs, 12.6 fb⁻¹, weight 56 at 711 fb⁻¹; Pythia's b → sγ rate scaled to the measured
B(B → X_s γ) = 3.49×10⁻⁴ from its 5.2×10⁻⁴), 400k pairs with both B through charm channels
(0.37 fb⁻¹, weight ~1 900), and e⁺e⁻ → qq̄ 4.5M = 1.4 fb⁻¹ (weight ~510); the truth filter
passes 32–42% of them to the simulation; each sample is generated and simulated once and
reconstructed per channel, in chunks of 50k events; 8.0 min wall on 2 shared cores, each
worker's peak 2.0 GB, the whole run's resident memory at most 3.8 GB, sampled every 2 s): at the
simulated couplings the fit's yield is 20–25% of B⁺ → K⁺a from 1.6 GeV, 12% at 1.2 (a 5.8 cm
mean flight), 8–11% at 0.2–0.7 GeV (10 cm: the decays beyond ~8 cm leave the peak) (the
efficiency is per produced decay; K⁰_S 14–16% and 6–8%, with B(K⁰_S → π⁺π⁻)); the diphoton
peak is 9–10 MeV wide at 0.2–0.4 GeV, 14 at 0.7, 18 at 1.2, 23 at 2 and 43 MeV at 4.5 GeV.

The background (default run of 2026-12-07): in the K⁺ channel 41 simulated charmless B B̄
candidates passed before the helicity cut (2 310 events at 711 fb⁻¹, one MC realisation), mostly
b → sγ: B⁺ → K*⁺γ with K*⁺ → K⁺π⁰ and partonic b → sγ (K⁺π⁰γ), the hard photon paired with a
π⁰ photon whose partner is lost, then B⁰ → K*⁰γ and B → K η′; |cos θ_hel| < 0.9 kept 11 of them
and 92% of the signal (18 pass it in the default run: 1 010 events). No B B̄ event with charm
passes (the generic sample had put one B → K*γ and one B → η_c K, η_c → γγ, there at weight
~2 000 each). The continuum: one simulated qq̄ event or none per channel after every cut at 1.5M
events, 25–61 before the event-shape cuts at 4.5M, whose efficiency on qq̄ next to the signal
region (M_bc > 5.25 GeV) is 0.051 (19 of 370 candidates, K⁺), 0.095, 0.070 and 0.115 (K⁰_S,
K*⁰, K*⁺), each ± 21–25% from the region's MC statistics (summary.json's
``efficiency_error``: 0.051 ± 0.011, 0.095 ± 0.020, 0.070 ± 0.017, 0.115 ± 0.024): 1 610
events in the K⁺ channel (61 candidates × 0.051 × 513; ~25% statistical uncertainty with the
efficiency's), 1 760, 1 150 and 1 480 in the others, against 564, 113 and 0 charmless B B̄.
The windows' fits float the background's level, so the efficiency's error enters no fit: it
moves the expected background of the continuum alone, and with it the expected limits by
about half its relative size times the continuum's share (~60% in the K⁺ channel): ~7%,
inside the ~15% spread of the MC realisations below. The efficiency falls with M_bc (the
four channels pooled: 137/1356 = 0.101
pass below 5.25 GeV, 76/988 = 0.077 above; another realisation 0.099 and 0.064; continuum
candidates near the B mass come from more jet-like events), hence measured next to the signal
region. Where the selected candidates are too few their M_γγ shape comes from the same
selection in the wide M_bc–ΔE region (``SHAPE_REGION``; the diphoton combinatorics hardly depend
on M_bc and ΔE), scaled to the selected total.

Against the published result (default run of 2026-12-08, 8.0 min; the four channels combined):
g_aW < 2.6×10⁻⁵ (0.2 GeV), 1.9×10⁻⁵ (0.3), 1.5×10⁻⁵ (0.4), 1.0×10⁻⁵ (0.7), 7.1×10⁻⁶ (1.2),
5.7×10⁻⁶ (1.6), 4.6–5.0×10⁻⁶ (2–3.5), 5.4–6.2×10⁻⁶ GeV⁻¹ (4–4.5): 0.87× the weakest published
(3×10⁻⁵), 1.53× the strongest (3×10⁻⁶); B(B⁺ → K⁺a) × B(a → γγ) < 1.4–2.2×10⁻⁷ at 0.2–0.7 GeV
(at the simulated couplings, nearly prompt), 1.3×10⁻⁷ at 1.2, 4.6–8.0×10⁻⁸ at 1.6–4.5 GeV. The
low masses went through three stages (docs/searches/b-to-k-alp.md): when the fast simulation
began to place a neutral particle's cluster from its production point in azimuth as well as in
polar angle (commit c31a37e; before, the azimuth was its momentum's), the photons of an ALP that
decays tens of centimetres out pointed wrongly from the IP, as in data, and the peak was lost at
the couplings then simulated (no limit at 0.2 and 0.3 GeV, 6.5×10⁻⁵ at 0.4); the coupling limit
had scaled the simulated B as g² at the simulated efficiency, where a larger coupling also
shortens the flight and raises the efficiency. Before the cluster placement changed (the
photons' azimuth from their momenta, so a displaced decay kept much of its mass) the limits were
3.2×10⁻⁵ … 4.4×10⁻⁶ (1.07× and 1.45× the published extremes), and three realisations of the
simulation put the strongest limit's MC-statistical spread at ~15%.

Continuum suppression: on the main samples' wide region (423 qq̄ candidates in the K⁺ channel)
the R₂ and cos θ_TB,TO cuts keep 5.7% of the continuum at 68% of the signal, the BDT of
``--selection bdt`` (trained on the independent training copies' 390 wide-region background
candidates, AUC 0.94) 6.9% at 69%: no better with this much training background, and twice the
run time; it stays an option. As a Belle II projection at 50 ab⁻¹ (same detector, the
simulation's statistics scaled with the data; the default samples, 14.6 min wall beside another
job): g_aW < 1.5×10⁻⁵ (0.2 GeV), 1.1×10⁻⁵ (0.3), 8.7×10⁻⁶ (0.4), 5.3×10⁻⁶ (0.7), 3.2×10⁻⁶ (1.2),
2.4×10⁻⁶ (1.6), 2.0–2.1×10⁻⁶ (2–3.5), 2.2–2.5×10⁻⁶ GeV⁻¹ (4–4.5): 1.7–1.9× below the 711 fb⁻¹
limits at 0.2–0.7 GeV, where a smaller coupling also lengthens the flight beyond the resolved
decays (signal ∝ g⁴: (50/0.711)^⅛ = 1.7), 2.2–2.5× above 1.2 GeV ((50/0.711)^¼ = 2.9 for a
background-dominated search and a fixed efficiency; at 2.1×10⁻⁶ a 2 GeV ALP flies 2.3 cm on
average, 3.3× the simulated, and leaves part of its peak). The scanned masses keep away from
the B → K η′ and B → K η_c peaks (both in Pythia's B tables, so in the samples). Not simulated:
systematic uncertainties, Belle's own SVD and CDC geometry.

Experiment: Belle's KEKB beams (8.0 × 3.5 GeV, 22 mrad crossing) and the Belle detector's
resolutions (:data:`darkscan.detector.parameters.BELLE_DETECTOR`); ``--lumi 50/ab`` projects it
to Belle II's full data set with the same detector (the simulation's statistics scaled with the
data, :class:`darkscan.interpret.projection.Scenario`).

Measurements behind these choices and the run history: docs/searches/b-to-k-alp.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache

import awkward as ak
import numpy as np

from darkscan.interpret.published import published_for
from darkscan.reco.lists import ListDef, VertexFit
from darkscan.reco.variables import KSFW_NAMES
from darkscan.searches.extraction import SmoothSlidingFit
from darkscan.searches.factorised import FactorisedCuts
from darkscan.searches.spec import (
    Axis,
    BestCandidate,
    Channel,
    CouplingLifetime,
    Inference,
    Interpretation,
    Quantity,
    SampleSpec,
    Search,
    SignalGrid,
)
from darkscan.select.bdt import ContinuumBDT

#: scanned masses (GeV): 0.16–4.5 GeV as the paper's K modes, away from the π⁰ (0.135), η
#: (0.548), η′ (0.958) and η_c (2.98) peaks by more than half a fit window
MASSES = (0.2, 0.3, 0.4, 0.7, 1.2, 1.6, 2.0, 2.5, 3.5, 4.0, 4.5)
QUICK = (0.3, 2.0)
#: the B-factory reach the simulated coupling is chosen at (module docstring)
REACH_BR = 3e-8
#: photons of the selection: above beam background, in the ECL acceptance
PHOTON_CUT = "E > 0.1 and theta > 0.297 and theta < 2.618"
#: the ALP candidate's CMS energy: E*_a ≥ (m_B² − m_K²)/2m_B − β*p ≈ 2.46 GeV for any m_a (the B
#: moves with β* ≈ 0.06 in the CMS), less the photons' leakage; it removes the random pairs of
#: soft photons before the B is formed (most of the combinatorics and of the memory)
ALP_CUT = "E_cms > 2.2"
#: π⁰ and η vetoes on each photon of the ALP candidate: the diphoton mass with the other
#: photon of the event closest to the π⁰ (η) mass, about ±2σ of the mass resolution (a B event
#: has ~10 photons: wider windows veto the signal's photons by chance pairings)
VETO = ("abs(pi0_veto_mass - 0.135) > 0.012", "abs(eta_veto_mass - 0.548) > 0.025")
#: the photons' decay angle in the ALP frame: flat for a spin-0 a → γγ, near |cos| = 1 for a
#: hard photon paired with a soft one (b → sγ's photon with a π⁰ photon whose partner is lost,
#: most of the B B̄ background); the cut of Belle II's dark Higgsstrahlung on its dimuon
HELICITY_CUT = "abs(dau1_cos_helicity) < 0.9"
PRESELECTION = (
    "trg_hie == 1 or trg_two_track == 1",
    "Mbc > 5.27",
    "deltaE > -0.15 and deltaE < 0.08",
    *(v.replace("pi0_veto_mass", f"dau1_dau{i}_pi0_veto_mass")
       .replace("eta_veto_mass", f"dau1_dau{i}_eta_veto_mass") for v in VETO for i in (0, 1)),
    HELICITY_CUT,
)
#: continuum suppression (the MVA step, :class:`ContinuumBDT`): the event shape, none of it the
#: diphoton mass: the angle between the B candidate's thrust axis and the rest of the event's
#: (flat for B B̄, peaked at 1 for jets), the B direction (1 − cos² for a spin-1 Υ(4S) → B B̄,
#: 1 + cos² for qq̄), and the KSFW moments (basf2's KSFWVariables, the final-state particles as
#: the signal side)
CONTINUUM_FEATURES = ("cos_tbto", "abs(cos_theta_cms)", "R2",
                      *(f"ksfw_{k}" for k in KSFW_NAMES))
#: the candidates the BDT trains on: the selection with M_bc > 5.2 GeV and |ΔE| < 0.4 GeV in
#: place of the signal region (in which the simulated background leaves ~10–25 candidates per
#: channel; the wide region ~10× more), the event shape of continuum being nearly independent of
#: M_bc and ΔE
CONTINUUM_TRAINING = (PRESELECTION[0], "Mbc > 5.2", "abs(deltaE) < 0.4", *PRESELECTION[3:])
#: the cut-based continuum suppression (the default selection): R₂ and cos θ_TB,TO
CONTINUUM_CUTS = ("R2 < 0.4", "cos_tbto < 0.8")
#: the continuum after the event-shape cuts: one simulated qq̄ event or none per channel in the
#: signal region, 6–26 before them; the cuts' efficiency on qq̄ measured next to the signal
#: region, M_bc > 5.25 GeV (wide in ΔE): it falls with M_bc (default run, the four channels
#: pooled: 58/446 = 0.13 pass below 5.25 GeV, 18/319 = 0.056 above; continuum candidates near
#: the B mass come from more jet-like events), hardly with ΔE
FACTORISATION_REGION = (PRESELECTION[0], "Mbc > 5.25", "abs(deltaE) < 0.4", *PRESELECTION[3:])
CONTINUUM_FACTORISED = FactorisedCuts(CONTINUUM_CUTS, FACTORISATION_REGION, ("qq",))
#: where the background's M_γγ shape comes from (the selection leaves 1–2 simulated candidates
#: per channel): the same selection in the wide M_bc–ΔE region, ~10× the candidates, whose
#: diphoton combinatorics hardly depend on M_bc and ΔE; scaled to the selected total
SHAPE_REGION = CONTINUUM_TRAINING + CONTINUUM_CUTS
#: per channel: the signal process, the B(B⁰)/B(B⁺) isospin relation applies (charged?), label
CHANNELS = {"kplus": ("belle_upsilon4s_bb_kplus_alp", True, "B⁺ → K⁺a"),
            "ks": ("belle_upsilon4s_bb_ks_alp", False, "B⁰ → K⁰_S a"),
            "kstar0": ("belle_upsilon4s_bb_kstar0_alp", False, "B⁰ → K*⁰(→ K⁺π⁻)a"),
            "kstarplus": ("belle_upsilon4s_bb_kstarplus_alp", True, "B⁺ → K*⁺(→ K⁰_S π⁺)a")}
#: the K* channels scan up to 4.2 GeV, as the paper (m_B − m_K* = 4.39 GeV, less the K* width)
KSTAR_MASS_MAX = 4.2
#: the K*(892) candidate's Kπ mass window (GeV): ±100 MeV, two natural widths
KSTAR_WINDOW = "M > 0.792 and M < 0.992"


def has_signal(channel: str, point: Mapping[str, float]) -> bool:
    """Whether the channel scans the point's mass: the K* channels up to
    :data:`KSTAR_MASS_MAX`."""
    return not channel.startswith("kstar") or point["mass"] <= KSTAR_MASS_MAX


#: the flight (cm) within which an ALP's photons, their directions taken from the IP as the
#: reconstruction must (two clusters fix no vertex), keep the diphoton mass within its
#: resolution: a decay L before the ECL (inner radius 125 cm) narrows the opening angle by
#: about 1 − L/125 (measured at 0.3 GeV: the mass's median 5% low for L = 5–10 cm, 10% for
#: 10–20 cm; σ/m ≈ 3%); the line shape is fitted to these decays
RESOLVED_FLIGHT = 5.0
#: the longest mean flight (cm) simulated: at the reach's coupling a light ALP flies metres, and
#: the few decays within :data:`RESOLVED_FLIGHT` would make a line shape of noise (92 events of
#: 5 000 at 0.3 GeV); where it flies further the ALP is simulated at the coupling of this mean
#: flight, and the limit reweights its decays to the lifetime of each coupling
#: (:class:`CouplingLifetime`: the decays that the fit counts lie within ~10 cm, all inside the
#: simulated range)
SIMULATED_FLIGHT = 10.0


def _mean_flight(gaw: float, mass: float) -> float:
    """Mean flight (cm) of an ALP of B → K a at rest in the B frame (momentum from two-body
    kinematics, Belle's βγ = 0.425 ignored)."""
    from darkscan.models.alp import ctau_gaw
    from darkscan.physics import lorentz
    from darkscan.physics.constants import mass as pdg_mass

    p = float(lorentz.two_body_momentum(pdg_mass(521), pdg_mass(321), mass))
    return p / mass * float(ctau_gaw(gaw, mass))


@cache
def simulated_gaw(mass: float) -> float:
    """g_aW (GeV⁻¹, two significant digits) at which B(B⁺ → K⁺a) = :data:`REACH_BR` (where
    the search reaches, so that the simulated efficiency is the one near the limit), or a
    larger one where the ALP's mean flight there exceeds :data:`SIMULATED_FLIGHT` (module
    docstring)."""
    from scipy.optimize import brentq

    from darkscan.models.alp import br_b_to_k_alp

    reach = brentq(lambda lg: np.log(float(br_b_to_k_alp(10.0**lg, mass)) / REACH_BR),
                   -8.0, -2.0)
    # cτ ∝ g⁻²: the mean flight scales as (g/g_reach)⁻²
    flight = _mean_flight(10.0**reach, mass)
    g = 10.0**reach * max(1.0, np.sqrt(flight / SIMULATED_FLIGHT))
    return float(f"{g:.2g}")


GAW = {m: simulated_gaw(m) for m in MASSES}


def _ctau(p: Mapping[str, float]) -> float:
    """The ALP's cτ (cm) at the point's mass and g_aW: ∝ g_aW⁻² (a → γγ alone)."""
    from darkscan.models.alp import ctau_gaw

    return float(ctau_gaw(p["gaw"], p["mass"]))


def _at_simulated_coupling(p: Mapping[str, float]) -> bool:
    return bool(np.isclose(p["gaw"], simulated_gaw(p["mass"]), rtol=1e-9))


#: the ALP candidate's least lab energy: E*_a > 2.2 GeV (ALP_CUT) is E_lab > 2.2 γ(1 − β) =
#: 1.46 GeV at KEKB's boost (βγ = 0.425); the truth filter asks 1.3 GeV of the two most energetic
#: photon-like particles (a neutral hadron's cluster carries at most its energy)
FILTER_E_PAIR = 1.3


def has_kaon_and_photons(particles: ak.Array) -> np.ndarray:
    """Background truth filter: a K± or K⁰_S, and two photon-like neutral particles (γ, K⁰_L,
    n) above 0.1 GeV whose two largest lab energies sum above :data:`FILTER_E_PAIR`: what any
    candidate needs; the rest is not simulated (the sample keeps its generated count)."""
    pdg = abs(particles.pdg)
    final = particles.status == 1
    kaon = ak.any(((pdg == 321) & final) | (pdg == 310), axis=1)
    neutral = final & ((pdg == 22) | (pdg == 130) | (pdg == 2112)) & (particles.E > 0.1)
    energies = ak.sort(particles.E[neutral], axis=1, ascending=False)[:, :2]
    pair = (ak.num(energies) >= 2) & (ak.sum(energies, axis=1) > FILTER_E_PAIR)
    return ak.to_numpy(kaon & pair)


@cache
def _sigma_y4s_pb() -> float:
    from darkscan.generate.processes.pythia_processes import SIGMA_Y4S_NB

    return SIGMA_Y4S_NB * 1e3


def _per_unit(channel: str, axes: Mapping[str, np.ndarray]) -> np.ndarray:
    """The channel's signal cross section (pb) at B(B⁺ → K⁺a) = 1: σ(Υ(4S)) · 2f · r · k, r =
    B(B → K(*)a)/B(B⁺ → K⁺a) at the same g_aW (1 for B⁺ → K⁺a; the b → s a coupling is shared,
    :mod:`darkscan.models.alp`), k = B(K⁰ → K⁰_S) and B(K* → the reconstructed Kπ)."""
    from darkscan.generate.processes.b_to_k_alp import MODES
    from darkscan.generate.processes.pythia_processes import BF_Y4S_CHARGED
    from darkscan.models.alp import br_b_to_k_alp, br_b_to_kstar_alp

    mode = MODES[channel]
    m = np.asarray(axes["mass"], float)
    g = np.asarray(axes["gaw"], float)
    rate = br_b_to_kstar_alp if mode.kstar else br_b_to_k_alp
    r = rate(g, m, charged=mode.charged) / br_b_to_k_alp(g, m, charged=True)
    f = BF_Y4S_CHARGED if mode.charged else 1.0 - BF_Y4S_CHARGED
    # beyond m_B − m_K* the K* channels have no rate and no signal (has_signal)
    return np.where(r > 0, _sigma_y4s_pb() * 2.0 * f * r * mode.k_factor, 1.0)


def _channel(name: str, bdt: bool = False) -> Channel:
    photons = ListDef("gamma:sel", cut=PHOTON_CUT)
    alp = ListDef("a:gg -> gamma:sel gamma:sel", cut=ALP_CUT)
    ks = ListDef("K_S0:pipi -> pi+:all pi-:all", cut="M > 0.482 and M < 0.514",
                 vertex=VertexFit())
    lists = {"kplus": ("B+ -> K+:good a:gg", (photons, alp)),
             "ks": ("B0 -> K_S0:pipi a:gg", (photons, alp, ks)),
             "kstar0": ("B0 -> K*0:kpi a:gg",
                        (photons, alp, ListDef("K*0:kpi -> K+:good pi-:good", cut=KSTAR_WINDOW))),
             "kstarplus": ("B+ -> K*+:kspi a:gg",
                           (photons, alp, ks,
                            ListDef("K*+:kspi -> K_S0:pipi pi+:good", cut=KSTAR_WINDOW)))}
    decay, defs = lists[name]
    best = BestCandidate("abs(deltaE)", highest=False)
    if bdt:
        return Channel(name, decay, best_candidate=best, selection=PRESELECTION, lists=defs,
                       mva=ContinuumBDT(CONTINUUM_FEATURES, "dau1_M",
                                        training_selection=CONTINUUM_TRAINING))
    return Channel(name, decay, best_candidate=best, selection=PRESELECTION + CONTINUUM_CUTS,
                   lists=defs, factorised_cuts=CONTINUUM_FACTORISED)


def _signal(name: str) -> SampleSpec:
    return SampleSpec(f"alp_{name}", CHANNELS[name][0], n_events=5_000, n_quick=1_000,
                      label=CHANNELS[name][2])


#: events per background chunk: a worker holds one chunk's simulation at a time (100k made
#: 3.3 GB per worker, the run 6.0 GB; the issue's bound is 6 GB)
BACKGROUND_CHUNK = 50_000

_FILTER_LABEL = ("a K± or K⁰_S, and two of γ, K⁰_L, n above 0.1 GeV with more than 1.3 GeV "
                 "together (truth)")

SEARCH = Search(
    name="b-to-k-alp",
    title="B → K a, a → γγ (ALP coupled to W bosons), Belle",
    references=("Belle, JHEP 12 (2025) 109, arXiv:2507.01249",
                "Izaguirre, Lin, Shuve, PRL 118 (2017) 111802, arXiv:1611.09355"),
    summary=__doc__ or "",
    signal=SignalGrid(
        None,
        axes=(Axis("mass", MASSES, quick=QUICK, label="$m_a$"),
              Axis("gaw", tuple(sorted(set(GAW.values()))),
                   quick=tuple(sorted({GAW[m] for m in QUICK})),
                   label="$g_{aW}$ (simulated)", unit="GeV⁻¹")),
        allowed=_at_simulated_coupling,
        allowed_label="one simulated g_aW per mass, where the search's reach lies "
                      "(simulated_gaw)",
        by_channel={name: _signal(name) for name in CHANNELS},
        in_channel=has_signal,
        in_channel_label=f"the K* channels scan up to {KSTAR_MASS_MAX} GeV, as the paper"),
    backgrounds=(
        SampleSpec("bb", "belle_upsilon4s_bb_charm", n_events=400_000, n_quick=5_000,
                   label="Υ(4S) → B B̄ (both B with charm)", truth_filter=has_kaon_and_photons,
                   filter_label=_FILTER_LABEL, chunk_size=BACKGROUND_CHUNK),
        SampleSpec("bb_charmless", "belle_upsilon4s_bb_charmless", n_events=400_000,
                   n_quick=5_000, label="Υ(4S) → B B̄ (one B without charm: b → sγ, b → s g, "
                   "b → u)", truth_filter=has_kaon_and_photons, filter_label=_FILTER_LABEL,
                   chunk_size=BACKGROUND_CHUNK),
        SampleSpec("qq", "belle_ee_qq", n_events=4_500_000, n_quick=10_000,
                   label="e⁺e⁻ → qq̄ (u, d, s, c)", truth_filter=has_kaon_and_photons,
                   filter_label=_FILTER_LABEL, chunk_size=BACKGROUND_CHUNK),
    ),
    channels=tuple(_channel(name) for name in CHANNELS),
    extraction=SmoothSlidingFit("dau1_M", "$M_{\\gamma\\gamma}$ [GeV]", range=(0.1, 4.8),
                                width=20.0, signal_model="dcb", background="poly2",
                                peak_axis="mass", shape_selection=SHAPE_REGION,
                                signal_shape_cut=f"mc_llp_flight < {RESOLVED_FLIGHT:g}"),
    inference=Inference(cl=0.9, method="cls", combine=True),
    default_lumi="711/fb",
    quantity=Quantity("br", per_unit=_per_unit,
                      normalisation="σ(Υ(4S)) × 2 f × r × k: the signal cross section per unit "
                                    "B(B⁺ → K⁺a) × B(a → γγ); f = B(Υ(4S) → B⁺B⁻) or B⁰B̄⁰, "
                                    "r = B(B⁰ → K⁰a)/B(B⁺ → K⁺a) at the same g_aW (1 for B⁺), "
                                    "k = B(K⁰ → K⁰_S) = ½ for the K⁰_S channel"),
    quantity_label="B(B⁺ → K⁺a) × B(a → γγ)",
    interpretations=(
        Interpretation("alp", "gaw", "$g_{aW}$ [GeV$^{-1}$]",
                       "ALP coupled to the SU(2)_L gauge bosons: B(B → K a) ∝ g_aW² "
                       "(Izaguirre, Lin, Shuve), B(a → γγ) = 1",
                       reference=lambda p: p["gaw"], power=2.0,
                       branching=lambda p: np.ones_like(p["mass"]),
                       lifetime=CouplingLifetime("mc_llp_proper_length", _ctau)),
    ),
    published=published_for("b-to-k-alp"),
    variant="cuts",
)

#: the selections ``darkscan run b-to-k-alp --selection`` offers (the comparison is in the
#: module docstring)
SELECTIONS: dict[str, Search] = {
    "cuts": SEARCH,
    "bdt": replace(SEARCH, channels=tuple(_channel(name, bdt=True) for name in CHANNELS),
                   variant="bdt"),
}
DEFAULT_SELECTION = "cuts"
