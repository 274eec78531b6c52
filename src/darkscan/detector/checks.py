"""Validation checks of the fast simulation (``darkscan validate``): resolutions and efficiencies
reproduce their parametrisations, the displaced-track baseline, particle ID against Belle's and
Belle II's published efficiencies and fake rates (μ also as a table against momentum), the
recoil-mass resolution table against M_X (0.5–9.5 GeV), each row compared with the track
resolutions propagated into M²_recoil, and the M²_recoil core width of the e⁺e⁻ → μ⁺μ⁻Z′(→
invisible) signal against Belle II's full simulation (M_Z′ = 1, 3, 5, 8 GeV)."""

from __future__ import annotations

import awkward as ak
import numpy as np

from darkscan.detector.fastsim import simulate
from darkscan.detector.material import without_material
from darkscan.detector.parameters import BELLE2_DETECTOR, DetectorParameters
from darkscan.detector.resolution import multiple_scattering
from darkscan.detector.showers import em_containment
from darkscan.detector.toy import llp_two_track_sample, mumux_sample, single_particles
from darkscan.events import Sample
from darkscan.physics.constants import M_K, M_MU, M_PI
from darkscan.registry import Measurement, check

_REF = "reference/theory_detector.md B2"


def _photon_resolution(energy: float, n: int = 40000, seed: int = 11) -> float:
    rng = np.random.default_rng(seed)
    theta = np.arccos(rng.uniform(-0.5, 0.5, n))  # barrel
    s = single_particles(22, np.full(n, energy), theta, rng.uniform(-np.pi, np.pi, n), 0.0)
    r = simulate(s, seed=seed, beam_background_rate=0.0,
                 params=without_material(BELLE2_DETECTOR))  # the calorimeter alone
    e = ak.to_numpy(ak.flatten(r.events.clusters.E))
    # the Gaussian core (half the central 68%): the design figures are core widths, and the
    # photons that convert deep in their crystal (~10⁻³) make a tail no r.m.s. survives
    lo, hi = np.percentile(e / energy, [15.87, 84.13])
    return float(hi - lo) / 2


@check("detector_ecl_sigma_e_0p1gev", reference=0.040, tolerance=0.1, unit="",
       provenance=f"{_REF}: σE/E = 4% at 0.1 GeV [RECALLED design]", quick=True)
def ecl_resolution_low() -> float:
    return _photon_resolution(0.1)


@check("detector_ecl_sigma_e_8gev", reference=0.016, tolerance=0.1, unit="",
       provenance=f"{_REF}: σE/E = 1.6% at 8 GeV [RECALLED design]", quick=True)
def ecl_resolution_high() -> float:
    return _photon_resolution(8.0)


@check("detector_sigma_pt_1gev",
       reference=float(np.hypot(BELLE2_DETECTOR.sigma_pt_a,
                                BELLE2_DETECTOR.sigma_pt_b * np.sqrt(1 + M_MU**2))),
       tolerance=0.1, unit="",
       provenance=f"parameters.py (Belle II CDC+SVD): σ(pT)/pT = "
                  f"{100 * BELLE2_DETECTOR.sigma_pt_a:g}%·pT ⊕ "
                  f"{100 * BELLE2_DETECTOR.sigma_pt_b:g}%/β at pT = 1 GeV, θ = 90° [RECALLED, "
                  "cross-checked by Gluckstern scaling of Belle's measured CDC resolution]",
       quick=True)
def pt_resolution() -> float:
    n = 40000
    rng = np.random.default_rng(12)
    s = single_particles(13, np.ones(n), np.full(n, np.pi / 2), rng.uniform(-np.pi, np.pi, n),
                         M_MU)
    t = simulate(s, seed=13, beam_background_rate=0.0).events.tracks
    pt = ak.to_numpy(ak.flatten(np.hypot(t.px, t.py)))
    return float(np.std(pt - 1.0))


@check("detector_photon_conversion_probability", reference=0.03, tolerance=1.5, kind="factor",
       provenance="Belle II: a few per cent of photons convert before the CDC (beam pipe, PXD, "
                  "SVD; ≈ 3–4% X0 at normal incidence, Belle II TDR arXiv:1011.0352) [RECALLED, "
                  "a range]; measured: 1 GeV photons at 90°, fraction with an e⁺ or e⁻ in the "
                  "event record after the material (the track-level rate in the note)",
       quick=True)
def conversion_probability() -> Measurement:
    from darkscan.detector.material import conversion_layer

    n = 200_000
    rng = np.random.default_rng(31)
    phi = rng.uniform(-np.pi, np.pi, n)
    part = {"x": np.zeros(n), "y": np.zeros(n), "z": np.zeros(n), "px": np.cos(phi),
            "py": np.sin(phi), "pz": np.zeros(n)}
    layer, _ = conversion_layer(part, np.arange(n), rng, BELLE2_DETECTOR)
    s = single_particles(22, np.ones(n // 4), np.full(n // 4, np.pi / 2), phi[: n // 4], 0.0)
    tracks = simulate(s, seed=32, beam_background_rate=0.0).events.tracks
    with_track = float(np.mean(ak.num(tracks) > 0))
    return Measurement(float(np.mean(layer >= 0)),
                       f"events with a conversion track found: {with_track:.4f}")


@check("detector_displaced_track_eff", reference=0.55, tolerance=1.25, kind="factor",
       provenance="Belle II baseline tracking 52.2% (arXiv:2411.13596) / 48–57% "
                  "(arXiv:2602.10897): GeV-scale LLP → 2 tracks, decay length uniform up to the "
                  "CDC outer radius; here LLP m = 1 GeV, p = 1–4 GeV → μμ, in 17°–150°, "
                  "fraction of daughter tracks found", quick=True)
def displaced_efficiency() -> Measurement:
    s = llp_two_track_sample(20000, seed=21)
    r = simulate(s, seed=22, beam_background_rate=0.0)
    parts = s.events.particles
    th = ak.to_numpy(np.arctan2(np.hypot(parts.px[:, 0], parts.py[:, 0]), parts.pz[:, 0]))
    acc = (th > np.radians(17.0)) & (th < np.radians(150.0))
    n_found = ak.to_numpy(ak.num(r.events.tracks))
    eff = n_found[acc].sum() / (2.0 * acc.sum())
    return Measurement(float(eff), "the CDC rule (≥ 4 superlayers) was chosen with this "
                       "number in view: a calibration, not a prediction")


def id_scores(pdg: int, mass: float, p_range: tuple[float, float], hypothesis: str, seed: int,
              n: int = 30000, cos_theta: tuple[float, float] = (-0.6, 0.8)) -> np.ndarray:
    """``hypothesis`` scores of single tracks of species ``pdg``, momentum uniform in
    ``p_range``, cos θ uniform in ``cos_theta`` (default: inside the KLM), no beam background."""
    rng = np.random.default_rng(seed)
    theta = np.arccos(rng.uniform(*cos_theta, n))
    s = single_particles(pdg, rng.uniform(*p_range, n), theta, rng.uniform(-np.pi, np.pi, n),
                         mass)
    t = simulate(s, seed=seed + 1, beam_background_rate=0.0).events.tracks
    return ak.to_numpy(ak.flatten(t[hypothesis]))


#: the species :func:`pass_rates` tabulates (|PDG id|): what a track is in truth
ID_SPECIES = (11, 13, 211, 321, 2212)


def pass_rates(edges: tuple[float, ...], cuts: dict[str, float], n: int = 10_000,
               seed: int = 1) -> dict[tuple[int, int, str], float]:
    """The fast simulation's identification pass rates: for each species of
    :data:`ID_SPECIES`, momentum bin (``edges``, GeV, p uniform in it, cos θ uniform in the
    CDC's 17°–150°) and hypothesis of ``cuts``, the fraction of the particle's own tracks (not a
    secondary's) whose score is above the cut; keys (|PDG id|, bin, hypothesis). ``n``
    particles per species and bin, no beam background."""
    from darkscan.physics.constants import mass

    table = {}
    for code in ID_SPECIES:
        for i in range(len(edges) - 1):
            rng = np.random.default_rng([seed, code, i])
            theta = np.arccos(rng.uniform(np.cos(np.radians(150.0)), np.cos(np.radians(17.0)),
                                          n))
            s = single_particles(code, rng.uniform(edges[i], edges[i + 1], n), theta,
                                 rng.uniform(-np.pi, np.pi, n), mass(code))
            t = simulate(s, seed=int(rng.integers(2**31)), beam_background_rate=0.0).events.tracks
            own = np.abs(ak.to_numpy(ak.flatten(t.mc_pdg))) == code
            for hypothesis, cut in cuts.items():
                scores = ak.to_numpy(ak.flatten(t[hypothesis]))[own]
                table[(code, i, hypothesis)] = float(np.mean(scores > cut)) if len(scores) else 0.0
    return table


def rate_above(scores: np.ndarray, cut: float) -> Measurement:
    """Fraction of tracks with score > cut, with its binomial error in the note."""
    rate = float(np.mean(scores > cut))
    stat = np.sqrt(rate * (1 - rate) / max(len(scores), 1))
    return Measurement(rate, f"{len(scores)} tracks, ±{stat:.4f} (stat.), cut > {cut:g}")


def fake_at_efficiency(signal: np.ndarray, other: np.ndarray, efficiency: float) -> Measurement:
    """The other species' pass rate at the score cut that keeps ``efficiency`` of the signal
    (one point of the ROC curve, as performance papers quote it)."""
    cut = float(np.quantile(signal, 1.0 - efficiency, method="lower"))
    fake = float(np.mean(other > cut))
    stat = np.sqrt(max(fake, 1.0 / len(other)) / len(other))
    return Measurement(fake, f"cut > {cut:.4g} keeps {np.mean(signal > cut):.3f} of the "
                       f"signal; ±{stat:.4f} (stat.)")


_BELLE_MUID = ("Belle, NIM A 491 (2002) 69: above 1.0 (1.5) GeV/c the μ efficiency (π fake "
               "rate) is approximately constant; 1.0–3.0 GeV/c: 89% and 1.4% at Lμ > 0.9, KLM "
               "acceptance")
_MUID_1GEV = (". Known disagreement (0.78): a 1 GeV muon ranges 6 ± 0.8 KLM layers; 7% of 1 GeV "
              "pions reach the KLM and cross it without interacting, ranging out alike, and a "
              "pion interacting in its fifth layer looks like a muon one layer short: muonID > "
              "0.9 for 0 of the 5% of muons that fire no layer, 63% of those that fire 5, 91–94% "
              "of those that fire 6–8; the transverse scatter of the hits (Belle's χ²) is not "
              "simulated, and would tell little at 1 GeV, where multiple scattering spreads a "
              "muon's hits by several cm")
#: momenta (GeV) of the μ ID table, on Belle's plateau
ID_MOMENTA = (1.0, 1.5, 2.5, 4.0)


def _register_id_table() -> None:
    for i, p in enumerate(ID_MOMENTA):
        tag = f"{p:g}".replace(".", "p")
        check(f"detector_muon_id_eff_{tag}gev", reference=0.89, tolerance=0.05,
              kind="absolute", unit="", quick=p == 1.5,
              provenance=f"{_BELLE_MUID}; here muonID > 0.9 at p = {p:g} GeV"
                         + (_MUID_1GEV if p == 1.0 else ""))(
            lambda p=p, i=i: rate_above(id_scores(13, M_MU, (p, p), "muonID", 310 + 10 * i,
                                                  n=20000), 0.9))
        if p >= 1.5:
            check(f"detector_muon_id_pion_fake_{tag}gev", reference=0.014, tolerance=2.0,
                  kind="factor", unit="", quick=False,
                  provenance=f"{_BELLE_MUID}; here muonID > 0.9 at p = {p:g} GeV")(
                lambda p=p, i=i: rate_above(
                    id_scores(211, M_PI, (p, p), "muonID", 410 + 10 * i, n=20000), 0.9))


_register_id_table()


@check("detector_muon_id_eff", reference=0.89, tolerance=0.04, kind="absolute", unit="",
       provenance=f"{_BELLE_MUID}; here muonID > 0.9, p uniform in 1–3 GeV", quick=True)
def muon_id_eff() -> Measurement:
    return rate_above(id_scores(13, M_MU, (1.0, 3.0), "muonID", 31), 0.9)


@check("detector_muon_id_pion_fake", reference=0.014, tolerance=2.0, kind="factor", unit="",
       provenance=f"{_BELLE_MUID}; here muonID > 0.9, p uniform in 1–3 GeV", quick=True)
def muon_id_fake() -> Measurement:
    return rate_above(id_scores(211, M_PI, (1.0, 3.0), "muonID", 41), 0.9)


@check("detector_muon_id_pion_fake_at_90eff_belle2", reference=0.041, tolerance=2.0,
       kind="factor", unit="",
       provenance="Belle II KLM, arXiv:2503.11351 (simulation, the current likelihood): π fake "
                  "4.1% at 90% μ efficiency, p > 0.7 GeV; here 1–3 GeV in the KLM acceptance. "
                  "Known disagreement: darkscan's pions fake muons by decays in flight, "
                  "punch-through and showers whose secondaries reach a muon's range (1.0% "
                  "before the last two, 1.3% before the showers); its KLM has no hit positions "
                  "(the transverse χ² that tells a shower from a track), beam-background hits "
                  "or RPC dead time; with p uniform in 0.7–3 GeV: 2.1%")
def muon_id_fake_belle2() -> Measurement:
    return fake_at_efficiency(id_scores(13, M_MU, (1.0, 3.0), "muonID", 51),
                              id_scores(211, M_PI, (1.0, 3.0), "muonID", 61), 0.90)


@check("detector_electron_id_eff", reference=0.924, tolerance=0.03, kind="absolute", unit="",
       provenance="Belle, hep-ex/0108044: e efficiency 92.4% with π fake 0.25%, 1–3 GeV/c; here "
                  "electronID > 0.9, p uniform in 1–3 GeV. Known disagreement: darkscan's "
                  "electrons have no E/p tails (shower leakage, cluster-matching failures; "
                  "bremsstrahlung in the material lowers the track's momentum and the cluster "
                  "alike) and no dE/dx tails")
def electron_id_eff() -> Measurement:
    return rate_above(id_scores(11, 0.000511, (1.0, 3.0), "electronID", 71), 0.9)


@check("detector_electron_id_pion_fake", reference=0.0025, tolerance=3.0, kind="factor",
       unit="",
       provenance="Belle, hep-ex/0108044: π fake 0.25% at 92.4% e efficiency, 1–3 GeV/c; here "
                  "electronID > 0.9. E/p ≈ 1 pions come from charge exchange (a leading π⁰ "
                  "takes the energy, ecl_pion_charge_exchange_prob of the showering pions); "
                  "dE/dx and the Cherenkov angle remove most of them; no shower-shape "
                  "variables")
def electron_id_fake() -> Measurement:
    return rate_above(id_scores(211, M_PI, (1.0, 3.0), "electronID", 81), 0.9)


@check("detector_kaon_id_pion_fake_at_94eff", reference=0.04, tolerance=2.0, kind="factor",
       unit="", quick=True,
       provenance="Belle II TOP + ARICH design, arXiv:1610.00264: K efficiency > 94% at 4% π "
                  "misidentification, momenta up to 4 GeV; compared where the separation is "
                  "weakest, TOP (cos θ −0.6–0.8) at 3–4 GeV: the π pass rate at the kaonID cut "
                  "that keeps 94% of kaons")
def kaon_id_fake() -> Measurement:
    return fake_at_efficiency(id_scores(321, M_K, (3.0, 4.0), "kaonID", 91, n=20000),
                              id_scores(211, M_PI, (3.0, 4.0), "kaonID", 101, n=20000), 0.94)


def recoil_resolution_table(masses: list[float] | np.ndarray, n: int = 20000, seed: int = 1
                            ) -> list[dict[str, float]]:
    """Recoil-mass resolution against μ⁺μ⁻ for e⁺e⁻ → μ⁺μ⁻X (built-in phase-space toy, X
    invisible): per mass the median recoil mass, the Gaussian-core width (half the central 68%
    interval) of M_recoil and of M²_recoil, the same width predicted by propagating each
    track's resolution (σ(pT)/pT as smeared, σ(φ0) = σ(θ) from the multiple-scattering form)
    linearly into M²_recoil = (P_beams − p₁ − p₂)², and the reconstruction efficiency."""
    from darkscan.reco import reconstruct

    rows = []
    for i, m in enumerate(masses):
        s = mumux_sample(float(m), n, seed + i)
        r = simulate(s, seed=seed + 1000 + i, beam_background_rate=0.0)
        nt = reconstruct(r, "vpho -> mu+ mu-", variables=["m_recoil", "m2_recoil"]).events
        mr, m2 = ak.to_numpy(nt.m_recoil), ak.to_numpy(nt.m2_recoil)
        q = np.percentile(mr, [16, 50, 84])
        q2 = np.percentile(m2 - float(m) ** 2, [16, 84])
        predicted = _propagated_m2_width(s, r, ak.to_numpy(nt.event), seed + 2000 + i)
        rows.append({"mass": float(m), "median": float(q[1]), "sigma_m": float(q[2] - q[0]) / 2,
                     "sigma_m2": float(q2[1] - q2[0]) / 2, "sigma_m2_predicted": predicted,
                     "efficiency": len(mr) / n})
    return rows


def _propagated_m2_width(truth: Sample, reco: Sample, events: np.ndarray, seed: int) -> float:
    """Core half-width of δM²_recoil = −2 p_X·(δp₁ + δp₂) (Minkowski product, true momenta),
    with δp from independent errors of pT, φ and θ of each muon track; the spread of
    per-event Gaussian widths is sampled, as the full simulation samples it."""
    d = BELLE2_DETECTOR
    parts = truth.events.particles[events]
    p4 = {k: ak.to_numpy(parts[k]) for k in ("px", "py", "pz", "E")}  # (n, 3): μ⁺, μ⁻, X
    trk = reco.events.tracks[events]
    rel = ak.to_numpy(trk.sigma_pt_rel[ak.argsort(trk.mc_index, axis=1)])  # μ⁺, μ⁻ order
    x = np.stack([p4[k][:, 2] for k in ("E", "px", "py", "pz")], axis=1)
    var = np.zeros(len(events))
    for j in range(2):
        px, py, pz, e = (p4[k][:, j] for k in ("px", "py", "pz", "E"))
        pt = np.hypot(px, py)
        p = np.hypot(pt, pz)
        sin_t, cot_t = pt / p, pz / pt
        s_ang = multiple_scattering(d.sigma_angle_a, d.sigma_angle_b, p, p / e, sin_t, 0.5)
        jac = {  # ∂(E, px, py, pz) per unit pT, φ, θ
            "pt": (np.stack([pt / (sin_t**2 * e), px / pt, py / pt, cot_t], 1), pt * rel[:, j]),
            "phi": (np.stack([0 * px, -py, px, 0 * px], 1), s_ang),
            "theta": (np.stack([-pt * pt * cot_t / (sin_t**2 * e), 0 * px, 0 * px,
                                -pt / sin_t**2], 1), s_ang)}
        for dp, sigma in jac.values():
            dot = x[:, 0] * dp[:, 0] - np.sum(x[:, 1:] * dp[:, 1:], axis=1)
            var += (2.0 * dot * sigma) ** 2
    z = np.random.default_rng(seed).standard_normal(len(events)) * np.sqrt(var)
    q = np.percentile(z, [16, 84])
    return float(q[1] - q[0]) / 2


#: masses (GeV) of the recoil-resolution table
RECOIL_MASSES = tuple(0.5 + k for k in range(10))


def _recoil_check(m: float) -> Measurement:
    row = recoil_resolution_table([m], n=10000)[0]
    return Measurement(row["sigma_m2"] / row["sigma_m2_predicted"],
                       f"σ(M²) {row['sigma_m2']:.4f} GeV² (propagated "
                       f"{row['sigma_m2_predicted']:.4f}); σ(M_recoil) {row['sigma_m']:.3f} GeV, "
                       f"median {row['median']:.3f} GeV; efficiency {row['efficiency']:.3f}")


def _register_recoil_table() -> None:
    for m in RECOIL_MASSES:
        check(f"detector_recoil_resolution_{f'{m:g}'.replace('.', 'p')}gev", reference=1.0,
              tolerance=0.1, unit="ratio", quick=m in (1.5, 5.5),
              provenance=f"e⁺e⁻ → μ⁺μ⁻X toy, M_X = {m:g} GeV: the Gaussian core of M²_recoil "
                         "in the full simulation over the track resolutions propagated into "
                         "it (the table the published searches' mass windows rest on; no "
                         "published number in the reference)")(lambda m=m: _recoil_check(m))


_register_recoil_table()


# --- M²_recoil of the Z′ → invisible signal against Belle II's full simulation --------------

#: Belle II full simulation: σ of M²_recoil (GeV²) of the e⁺e⁻ → μ⁺μ⁻Z′, Z′ → invisible signal
#: per M_Z′ (GeV), with its statistical error: the public example of the Punzi-net paper (Belle II
#: analysis software group, EPJC 82 121 (2022), arXiv:2110.00810; github.com/feichtip/punzinet,
#: examples/width.txt, "weighted sigma", the ±2σ M² windows of the search of PRL 130 231801).
BELLE2_ZPRIME_M2_WIDTH: dict[float, tuple[float, float]] = {
    1.0: (0.287493, 0.0124516), 3.0: (0.270783, 0.0120899), 5.0: (0.243127, 0.0145376),
    8.0: (0.0962218, 0.00472598)}

#: what the detector sees of the Z′ analysis' selection (PRL 130 231801: two muons, the recoil
#: pointing to the barrel ECL), applied before the width is measured
ZPRIME_RECOIL_SELECTION = ("n_tracks == 2", "dau0_pt > 0.4 and dau1_pt > 0.4",
                           "dau0_muonID > 0.9 and dau1_muonID > 0.9",
                           "theta_recoil > 0.5934 and theta_recoil < 2.2166")


def zprime_recoil_width(mass: float, n: int = 40_000, seed: int = 1, *, isr: bool = False,
                        params: DetectorParameters = BELLE2_DETECTOR) -> dict[str, float]:
    """Gaussian-core width (the searches' estimator, ``stats.shapes.gaussian_core``) of
    M²_recoil − M_Z′² for e⁺e⁻ → μ⁺μ⁻Z′ (g′ = 0.01, Z′ invisible) after
    :data:`ZPRIME_RECOIL_SELECTION`. ``isr=False``: nominal √s, no ISR and no beam-energy spread
    (how a fixed-√s matrix-element generator, MadGraph in Belle II, makes the signal); ``isr=True``:
    ISR and the preset's beam-energy spread, as the searches simulate it and as data are."""
    from darkscan.generate import get_process
    from darkscan.generate.registry import resolve_params
    from darkscan.reco import reconstruct
    from darkscan.select import evaluate
    from darkscan.stats.shapes import gaussian_core

    proc = get_process("ee_mumu_zprime")
    resolved = resolve_params(proc, {"mass": float(mass), "gprime": 0.01})
    truth = proc.generate_chunk(n, np.random.SeedSequence(seed), resolved, isr=isr)
    reco = simulate(truth, seed=seed + 1, beam_background_rate=0.0, params=params)
    names = ["m2_recoil", "theta_recoil", "dau0_pt", "dau1_pt", "dau0_muonID", "dau1_muonID"]
    nt = reconstruct(reco, "vpho -> mu+ mu-", variables=names).events
    cols = {k: ak.to_numpy(nt[k]) for k in names}
    cols["n_tracks"] = ak.to_numpy(ak.num(reco.events.tracks))[ak.to_numpy(nt.event)]
    keep = np.ones(len(nt), dtype=bool)
    for cut in ZPRIME_RECOIL_SELECTION:
        keep &= np.asarray(evaluate(cut, cols), dtype=bool)
    x = cols["m2_recoil"][keep] - float(mass) ** 2
    peak, width = gaussian_core(x, np.ones(len(x)))
    return {"mass": float(mass), "sigma_m2": width, "peak": peak, "efficiency": keep.sum() / n,
            "n": int(keep.sum())}


def _zprime_width_check(m: float) -> Measurement:
    fixed = zprime_recoil_width(m, seed=50 + int(10 * m))
    data_like = zprime_recoil_width(m, seed=60 + int(10 * m), isr=True)
    ref, err = BELLE2_ZPRIME_M2_WIDTH[m]
    return Measurement(fixed["sigma_m2"],
                       f"{fixed['sigma_m2'] / ref:.2f} × Belle II ({ref:.3f} ± {err:.3f} GeV²); "
                       f"{fixed['n']} events, efficiency {fixed['efficiency']:.2f}; with ISR and "
                       f"the beam-energy spread (the search's samples, and data) "
                       f"{data_like['sigma_m2']:.3f} GeV² ({data_like['sigma_m2'] / ref:.2f} ×)")


def _register_zprime_width() -> None:
    for m in BELLE2_ZPRIME_M2_WIDTH:
        check(f"detector_recoil_mass_resolution_{m:g}gev", reference=BELLE2_ZPRIME_M2_WIDTH[m][0],
              tolerance=1.3, kind="factor", unit="GeV²", quick=m in (1.0, 8.0),
              provenance=f"Belle II full simulation, σ(M²_recoil) of e⁺e⁻ → μ⁺μ⁻Z′(→ inv) at "
                         f"M_Z′ = {m:g} GeV (Punzi-net paper EPJC 82 121, public example "
                         "width.txt, the windows of PRL 130 231801); darkscan: Gaussian core of "
                         "M²_recoil at nominal √s without ISR or beam-energy spread (Belle II's "
                         "MadGraph signal is made at fixed √s [INFERRED: at 8 GeV the 5 MeV √s "
                         "spread alone would give 2E*_X σ_√s = 0.083 GeV²]), two muons, recoil in "
                         "the barrel ECL; ×1.3 covers the reference's unstated selection and "
                         "width definition (darkscan's own Z′ selection moves it by ±10%)"
              )(lambda m=m: _zprime_width_check(m))


_register_zprime_width()


def _photon_cluster_containment(radius: float, seed: int) -> Measurement:
    """The share of the lateral profile within ``radius`` R_M (what the crystals integrate),
    with the shape of simulated 2 GeV photons in the note (grid, fluctuations, noise)."""
    rng = np.random.default_rng(seed)
    n = 4000
    sample = single_particles(22, np.full(n, 2.0), np.arccos(rng.uniform(-0.3, 0.5, n)),
                              rng.uniform(-np.pi, np.pi, n), 0.0)
    cl = ak.flatten(simulate(sample, seed=seed, beam_background_rate=0.0).events.clusters)
    cl = cl[cl.E > 1.0]
    share = em_containment(radius, BELLE2_DETECTOR)
    return Measurement(share, f"profile ({BELLE2_DETECTOR.ecl_profile_em}); simulated 2 GeV "
                              f"photons: median E9/E21 {np.median(ak.to_numpy(cl.E9E21)):.3f}, "
                              f"LAT {np.median(ak.to_numpy(cl.LAT)):.3f}, E1/E9 "
                              f"{np.median(ak.to_numpy(cl.E1E9)):.3f} ({len(cl)} clusters)")


for _r, _ref, _tol in ((1.0, 0.90, 0.01), (3.5, 0.99, 0.005)):
    check(f"detector_ecl_em_containment_{_r:g}rm".replace(".", "p"), reference=_ref,
          tolerance=_tol, kind="absolute", unit="", quick=_r == 1.0,
          provenance=f"PDG review, Passage of particles through matter (EM cascades): "
                     f"{_ref:.0%} of an electromagnetic shower's energy lies within "
                     f"{_r:g} Molière radius; darkscan's lateral profile on the crystals "
                     "(detector/showers.py)")(lambda r=_r: _photon_cluster_containment(r, 81))


from darkscan.detector.cdc import checks as _cdc_checks  # noqa: E402,F401  (the CDC hit level's)
