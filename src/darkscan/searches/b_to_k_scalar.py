"""Long-lived scalar in b → s: B⁺ → K⁺S and B⁰ → K*⁰(→ K⁺π⁻)S, S → x⁺x⁻ at a displaced vertex.

Analysis summary (Belle II, PRD 108 (2023) L111104, arXiv:2306.02830, 189 fb⁻¹; seeds 000, 002,
004): a light scalar mixing with the Higgs (sinθ) is emitted in the b → s penguin and, for small
mixing, flies centimetres to metres before decaying to e⁺e⁻, μ⁺μ⁻, π⁺π⁻ or K⁺K⁻. The signal B is
fully reconstructed from a prompt kaon (with a pion forming a K*⁰ for B⁰) and two opposite-charge
identified tracks that meet at a vertex displaced from the beam line (d_v > 0.05 cm); the other
B is not reconstructed. B kinematics (M_bc > 5.27 GeV, |ΔE| < 0.05 GeV) and event shape (R₂,
the thrust of the B against the rest of the event) suppress the continuum e⁺e⁻ → qq̄, which
with K⁰_S → π⁺π⁻ and photon conversions makes the background. Narrow vetoes on the pair mass
remove what B decays put there promptly or not: K⁰_S in π⁺π⁻ (its region is the paper's control
sample), D⁰ → π⁺π⁻/K⁺K⁻, φ → K⁺K⁻, J/ψ and ψ(2S) → ℓ⁺ℓ⁻, and conversions below 20 MeV in e⁺e⁻.
The signal is a narrow peak in the reduced mass m_S = √(M² − 4m_x²), which stays resolved down
to threshold; eight channels, each at every (m_S, cτ) point, 95% CL limits on
B(B → K⁽*⁾S) × B(S → x⁺x⁻) (the K*⁰ channels: B(B⁰ → K*⁰(→ K⁺π⁻)S), as the paper quotes), and
their reading as a limit on sinθ at each point (the S of the simulated mixing, rates and widths
of :mod:`darkscan.models.scalar`).

darkscan's implementation: the signal is simulated at four lifetimes (cτ₀ = 0.05, 1, 20 and
400 cm) and reweighted to each grid cτ by the ratio of exponential densities of the S proper
decay length (:class:`~darkscan.searches.spec.LifetimeReweighting`; checked against direct
generation in ``darkscan validate``). The rest of the event is Pythia's generic B decay. The
background is counted in ±2σ windows of the reduced mass from the simulated BB̄ and qq̄ samples
(``CountWindows``, local-density estimate where the simulation is sparse): with the handful of
events the paper expects per window, a count is the fit's equivalent (the paper fitted unbinned;
darkscan's sliding fit needs a populated background). The hadronic channels stop at 2 GeV, where
the model's S → ππ, KK̄ widths end: leading-order chiral perturbation theory below 1 GeV, faded
linearly into the perturbative S → gg, ss̄ widths between 1 and 2 GeV
(:mod:`darkscan.models.scalar`), uncertain by factors of several there (Winkler, PRD 99 (2019)
015018). That uncertainty enters the sinθ limits of every channel (through cτ and B(S → x⁺x⁻))
but not the model-independent B × B limits. Not simulated: Λ → pπ (no proton mass
hypothesis on the pair), the trigger (a B event fires the track triggers), systematic
uncertainties. The material's vertices are simulated: photon conversions and, since 2026-12-07,
hadrons' nuclear interactions (:mod:`darkscan.detector.nuclear`: in 20k BB̄ events 0.16 tracks
per event start at such a vertex, against 0.34 conversion e±; 4.7% of the events have two or
more).

What darkscan's simulation shows (default run: 3000 signal events per channel, mass and generated
cτ; 1.2M BB̄ = 0.57% and 0.8M qq̄ = 0.12% of the data's luminosity; limits from 2×10⁴ toys per
point): the selection keeps up to 21% of the produced signal at cτ = 1 cm (over the B⁺/B⁰ mixture
of the sample, so about twice that per B of the channel's kind), the reduced-mass peak is 3–5 MeV
wide, and most windows see no simulated background. Every particle-ID requirement is at the fast
simulation's working point (score > 0.9). The reach falls by 10–100 at cτ = 400 cm (S decays beyond
the tracker) and at 0.01 cm for heavy S (the flight no longer clears d_v > 0.05 cm). The S vertex
must have a χ² probability above 10⁻³: without it, at cτ ~ 1 cm, a prompt kaon paired with one S
daughter gives a B candidate of the same ΔE, and picking by |ΔE| took it for 40% of the K⁺K⁻
signal.

Against the published result ('the level of 10⁻⁷' of the paper): with the nuclear interactions
(default run of 2026-12-07, another MC realisation, 4.9 min), medians at 0.1–10 cm 4.4–6.2×10⁻⁸
(K⁺K⁻), 4.7–7.0×10⁻⁸ (K⁺e⁺e⁻), 5.2–6.1×10⁻⁸ (K⁺μ⁺μ⁻), 0.72–1.2×10⁻⁷ (K⁺π⁺π⁻), 0.89–2.1×10⁻⁷ (K*⁰
channels); 3.2×10⁻⁸ to 1.5×10⁻⁶ over all masses; geometric mean 1.07×10⁻⁷, best at cτ = 1 cm
(8.7×10⁻⁸); windows with simulated background: 18 of 60 in K⁺π⁺π⁻, 6 in K⁺K⁻, none in the others
(which vertices make them, decays or the material, is not recorded in the ntuples).

Measurements behind these choices and the run history: docs/searches/b-to-k-scalar.md.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from darkscan.generate.processes.b_to_k_scalar import CHANNELS as S_CHANNELS
from darkscan.generate.processes.pythia_processes import BF_Y4S_CHARGED, SIGMA_Y4S_NB
from darkscan.interpret.published import published_for
from darkscan.models import scalar
from darkscan.physics.constants import mass as pdg_mass
from darkscan.reco.lists import ListDef, VertexFit
from darkscan.searches.extraction import CountWindows
from darkscan.searches.spec import (
    Axis,
    BestCandidate,
    Channel,
    Inference,
    Interpretation,
    LifetimeReweighting,
    Quantity,
    SampleSpec,
    Search,
    SignalGrid,
)

#: the mixing the signal is simulated with (it sets the rates, the limits scale them; the
#: lifetime is the grid's)
SIN_THETA_SIM = 1e-4
#: S → x⁺x⁻: channel suffix → (track list name, particle, |PDG id|, PID requirement)
DECAYS = {"ee": ("e", 11, "electronID > 0.9"), "mumu": ("mu", 13, "muonID > 0.9"),
          "pipi": ("pi", 211, "pionID > 0.9"), "KK": ("K", 321, "kaonID > 0.9")}
#: B side: channel prefix → (decay string head, process infix, B⁺?)
KAONS = {"K+": ("B+:sig -> K+:prompt", "ks", True), "K*0": ("B0:sig -> K*0:kpi", "kstars", False)}
#: pair-mass vetoes (GeV) per S channel: peaking decays and the K_S control region
VETOES = {"ee": ((0.0, 0.02), (3.00, 3.15), (3.60, 3.75)),
          "mumu": ((3.00, 3.15), (3.60, 3.75)),
          "pipi": ((0.47, 0.52), (1.84, 1.89)),
          "KK": ((1.00, 1.04), (1.84, 1.89))}
#: K⁰_S and Λ taken for another pair: the pair's mass under the π⁺π⁻ and pπ hypotheses
V0_VETOES = {"pipi": ("not (M_as_ppi > 1.108 and M_as_ppi < 1.124)",
                      "not (M_as_pip > 1.108 and M_as_pip < 1.124)"),
             "mumu": ("not (M_as_pipi > 0.48 and M_as_pipi < 0.52)",),
             "KK": ("not (M_as_pipi > 0.48 and M_as_pipi < 0.52)",)}
#: the model's hadronic S widths end here (GeV; darkscan.models.scalar)
HADRONIC_MAX = 2.0

MASSES = (0.05, 0.25, 0.35, 0.6, 1.1, 1.5, 1.95, 2.5, 3.5, 4.5)
CTAUS = (0.01, 0.1, 1.0, 10.0, 100.0, 400.0)
GENERATED_CTAUS = (0.05, 1.0, 20.0, 400.0)

CHANNEL_NAMES = tuple(f"{k}_{x}" for k in KAONS for x in DECAYS)


def _split(channel: str) -> tuple[str, str]:
    kaon, decay = channel.split("_")
    return kaon, decay


def has_signal(channel: str, point: Mapping[str, float]) -> bool:
    """Whether the channel's S exists at the point: above the pair threshold, below
    m_B − m_K(*), outside the vetoes, and for π⁺π⁻, K⁺K⁻ where the model has the width."""
    kaon, decay = _split(channel)
    m = point["mass"]
    m_x = pdg_mass(DECAYS[decay][1])
    m_k = pdg_mass(313) + 0.1 if kaon == "K*0" else pdg_mass(321)
    if not 2.0 * m_x + 0.005 < m < pdg_mass(511) - m_k - 0.05:
        return False
    if decay in ("pipi", "KK") and m >= HADRONIC_MAX:
        return False
    return not any(lo - 0.01 < m < hi + 0.01 for lo, hi in VETOES[decay])


def per_unit(channel: str, axes: Mapping[str, np.ndarray]) -> np.ndarray:
    """σ (pb) of the channel's signal sample per unit of B(B → K⁽*⁾S) × B(S → x⁺x⁻): the sample
    has σ(Υ(4S)) · 2 · B̄ · B(S → xx) with the B⁺/B⁰ mixture B̄ = f₊B₊ + (1 − f₊)B₀ (either B
    of the pair may decay to the signal), and the channel sees only its own B's share."""
    kaon, _ = _split(channel)
    m = np.asarray(axes["mass"], dtype=float)
    rate = scalar.br_b_to_kstar_scalar if kaon == "K*0" else scalar.br_b_to_k_scalar
    b_plus, b_zero = (np.asarray(rate(SIN_THETA_SIM, m, charged=c), float) for c in (True, False))
    mixture = BF_Y4S_CHARGED * b_plus + (1.0 - BF_Y4S_CHARGED) * b_zero
    own = b_plus if kaon == "K+" else b_zero
    # beyond m_B − m_K(*) the model has no rate and the channel no signal (has_signal): it is
    # blind there whatever this factor is
    return np.where(own > 0, SIGMA_Y4S_NB * 1e3 * 2.0 * mixture / np.maximum(own, 1e-300), 1.0)


def _lists(decay: str) -> tuple[ListDef, ...]:
    name, _, pid = DECAYS[decay]
    veto = " and ".join([f"not (M > {lo} and M < {hi})" for lo, hi in VETOES[decay]]
                        + list(V0_VETOES.get(decay, ())))
    return (ListDef("K+:prompt", cut="abs(dr) < 0.5 and abs(dz) < 2 and kaonID > 0.9"),
            ListDef("pi+:prompt", cut="abs(dr) < 0.5 and abs(dz) < 2 and pionID > 0.9"),
            ListDef("K*0:kpi -> K+:prompt pi-:prompt", cut="M > 0.796 and M < 0.996"),
            ListDef(f"{name}+:disp", cut=pid),
            # a good common vertex: a prompt kaon (or pion) paired with one displaced daughter
            # of the S makes a B candidate of the same ΔE with a vertex the tracks do not share
            ListDef(f"S:{decay} -> {name}+:disp {name}-:disp", vertex=VertexFit(min_prob=0.001),
                    cut=f"dr > 0.05 and {veto}"))


#: what the signal B must look like: B kinematics, then the continuum (its events are jet-like)
SELECTION = ("Mbc > 5.27", "abs(deltaE) < 0.05", "R2 < 0.4", "cos_tbto < 0.9")


def _channel(name: str) -> Channel:
    kaon, decay = _split(name)
    head, _, _ = KAONS[kaon]
    return Channel(name, f"{head} S:{decay}", best_candidate=BestCandidate("abs(deltaE)", False),
                   selection=SELECTION, lists=_lists(decay))


def _signal(name: str) -> SampleSpec:
    kaon, decay = _split(name)
    _, infix, _ = KAONS[kaon]
    x = {"KK": "kk"}.get(decay, decay)
    return SampleSpec(f"sig_{infix}_{x}", f"upsilon4s_bb_{infix}_{x}", n_events=3_000,
                      n_quick=1_000, label=f"signal {name}",
                      params={"sin_theta": SIN_THETA_SIM})


assert set(S_CHANNELS) == {DECAYS[d][1] for d in DECAYS}  # the generator has every S decay

SEARCH = Search(
    name="b-to-k-scalar",
    title="Long-lived scalar in B → K⁽*⁾S, S → x⁺x⁻ (displaced vertex)",
    references=("Belle II, PRD 108 (2023) L111104, arXiv:2306.02830",),
    summary=__doc__ or "",
    signal=SignalGrid(
        None,
        axes=(Axis("mass", MASSES, quick=(1.1,), label="$m_S$"),
              Axis("ctau", CTAUS, quick=(1.0, 10.0), label="$c\\tau_S$", unit="cm")),
        by_channel={name: _signal(name) for name in CHANNEL_NAMES},
        in_channel=has_signal,
        in_channel_label="below the pair threshold or the B mass, inside a veto, or a hadronic "
                         "S above 2 GeV (the model's ππ, KK widths end there)",
        lifetime=LifetimeReweighting(GENERATED_CTAUS)),
    backgrounds=(
        SampleSpec("bb", "upsilon4s_bb", n_events=1_200_000, n_quick=20_000,
                   label="BB̄ (generic)", chunk_size=25_000),
        SampleSpec("qq", "ee_qq", n_events=800_000, n_quick=20_000, label="qq̄ (u, d, s, c)",
                   chunk_size=25_000),
    ),
    channels=tuple(_channel(name) for name in CHANNEL_NAMES),
    extraction=CountWindows("dau1_M_reduced", "reduced mass $m_S$ [GeV]", "GeV",
                            range=(0.0, 4.8), n_sigma=2.0),
    # CLs from pseudo-experiments: most windows expect well under one background event, where
    # the asymptotic formulae give 1.9 signal events for nothing observed (Poisson: 3.0)
    inference=Inference(cl=0.95, method="toys", cross_check="cls"),
    default_lumi="189/fb",
    quantity_label="B(B → K⁽*⁾S) × B(S → x⁺x⁻)",
    quantity=Quantity("br", per_unit=per_unit,
                      normalisation="σ(Υ(4S)) · 2 · B̄ / B(own B → K⁽*⁾S): the sample's σ per "
                                    "unit of B × B (darkscan.models.scalar rates)"),
    interpretations=(
        Interpretation("scalar", "sin_theta", "$\\sin\\theta$",
                       "dark scalar mixing with the Higgs, B(B → KS) ∝ sin²θ at the point's "
                       "(m_S, cτ): meaningful where the model's cτ(sinθ) is the point's",
                       reference=lambda p: p["sin_theta"], power=2.0,
                       branching=lambda p: np.ones_like(p["mass"])),
    ),
    published=published_for("b-to-k-scalar"),
)
