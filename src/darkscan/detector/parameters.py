"""The one table of tunable detector numbers, each with its unit and source.

Every number the fast simulation uses lives in :class:`DetectorParameters`; the field metadata
carries the unit and the source with its status tag from ``reference/theory_detector.md`` Part B
([READ], [DERIVED], [RECALLED], [INFERRED]). Tune by ``dataclasses.replace(BELLE2_DETECTOR, ...)``;
:func:`parameter_table` prints the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any


def _p(value: Any, unit: str, source: str) -> Any:
    return field(default=value, metadata={"unit": unit, "source": source})


_B2 = "theory_detector.md B2"


@dataclass(frozen=True)
class DetectorParameters:
    """Belle II fast-simulation parameters (lengths cm, energies/momenta GeV, angles deg)."""

    # --- magnet, beam pipe, vertex detectors ------------------------------------------------
    b_field: float = _p(1.5, "T", f"{_B2} solenoid [READ]")
    r_beampipe: float = _p(1.0, "cm", f"{_B2} PXD paragraph [RECALLED]")
    pxd_radii: tuple[float, ...] = _p((1.4, 2.2), "cm", f"{_B2} PXD1600.xml [READ]")
    svd_radii: tuple[float, ...] = _p((4.0, 8.0, 11.5, 14.0), "cm", f"{_B2} SVDBelleII.xml [READ]")
    vxd_theta_min: float = _p(17.0, "deg", f"{_B2} nominal 17°–150° acceptance [DERIVED]; "
                              "PXD/SVD z extents from it [INFERRED]")
    vxd_theta_max: float = _p(150.0, "deg", f"{_B2} nominal 17°–150° acceptance [DERIVED]")
    # --- material in front of the CDC (photon conversions) ------------------------------------
    material_radii: tuple[float, ...] = _p(
        (1.0, 1.4, 2.2, 4.0, 8.0, 11.5, 14.0, 16.0), "cm", "beam pipe, PXD 1–2, SVD 3–6 "
        "(radii as above), CDC inner wall (just inside cdc_r_inner) [READ radii; wall INFERRED]")
    material_x0: tuple[float, ...] = _p(
        (0.006, 0.002, 0.002, 0.0057, 0.0057, 0.0057, 0.0057, 0.002), "X/X0",
        "at normal incidence: Be/paraffin/Au beam pipe ≈ 0.6% [RECALLED], PXD ≈ 0.2% per "
        "layer and SVD ≈ 0.57% per layer (Belle II TDR arXiv:1011.0352) [RECALLED], CFRP inner "
        "wall ≈ 0.2% [INFERRED]; ≈ 3.5% X0 in all before the CDC gas")
    material_lambda: tuple[float, ...] = _p(
        (0.0036, 0.0004, 0.0004, 0.00115, 0.00115, 0.00115, 0.00115, 0.0010), "X/λ_I",
        "the same layers in nuclear interaction lengths at normal incidence, from their "
        "composition with the PDG's λ_I (atomic and nuclear properties of materials): beam pipe "
        "1.0 mm Be (λ_I 42.1 cm) + 1.0 mm paraffin (≈ polyethylene, 84 cm) + 10 µm Au (10.2 cm) "
        "[RECALLED composition]; PXD and SVD as silicon, X/λ_I = 0.201 X/X0 (λ_I 46.5 cm, "
        "X0 9.37 cm); CFRP inner wall as carbon, 0.498 X/X0 (λ_I 38.8 cm, X0 19.3 cm); ≈ 1% λ_I "
        "in all before the CDC gas")
    nuclear_min_momentum: float = _p(
        0.1, "GeV", "hadrons below it do not interact in the material: their secondaries "
        "(p_T ≲ 0.1 GeV) would curl inside the vertex detector [INFERRED]")
    nuclear_inelastic_fraction: float = _p(
        0.7, "", "share of the hadron–nucleon collisions above the single-pion threshold that "
        "produce a pion: σ_inel/σ_tot of πN at p_lab = 1–5 GeV ≈ 0.7–0.8 (PDG πp cross-section "
        "plots) [RECALLED]")
    nuclear_elastic_slope: float = _p(
        7.0, "GeV⁻²", "diffraction slope b of quasi-elastic hadron–nucleon scattering, dσ/dt ∝ "
        "exp(bt): πp at a few GeV has b ≈ 7–8 GeV⁻² [RECALLED]")
    conversion_min_energy: float = _p(
        0.01, "GeV", "photons below it do not convert: in silicon Compton scattering dominates "
        "below ~20 MeV and the pair cross section is a small part of its high-energy value "
        "(PDG 'Passage of particles through matter', photon cross sections) [RECALLED]; the "
        "pair would be invisible (p_T < 10 MeV curls inside 2.3 cm)")
    # --- CDC ----------------------------------------------------------------------------------
    cdc_n_layers: int = _p(56, "", f"{_B2} CDC.xml SLayers 0–55 [READ]")
    cdc_r_inner: float = _p(16.80, "cm", f"{_B2} CDC.xml layer 0 [READ]")
    cdc_r_outer: float = _p(111.14, "cm", f"{_B2} CDC.xml layer 55 [READ]")
    cdc_z_inner: tuple[float, float] = _p((-31.21, 57.21), "cm", f"{_B2} CDC.xml layer 0 [READ]")
    cdc_z_outer: tuple[float, float] = _p((-72.4, 157.9), "cm", f"{_B2} CDC.xml layer 55 [READ]; "
                                          "radii and z ends linear in layer number [INFERRED]")
    cdc_superlayer_size: int = _p(6, "layers", "CDC superlayers of 6 layers (8 in SL0) [RECALLED]")
    # --- track finding rule -------------------------------------------------------------------
    track_min_cdc_layers: int = _p(
        24, "layers", "≥ 4 CDC superlayers crossed (axial and stereo segment pairs for a 3D "
        "helix) [INFERRED; 3 superlayers (18) gives 66% displaced-track efficiency, 4 gives "
        "the 52–57% baseline of arXiv:2411.13596, so 4 is used: a calibration, stated]. "
        "Kept after the CDC-hit Legendre finder (detector/cdc) reached that baseline on the "
        "same benchmark: 56.0% here against its 59.3% (by production radius 0–20/20–40/40–60/"
        "60–80/80–100 cm: 85/76/72/42/4% here, 89/77/67/42/17% found with the right charge; "
        "the GNN 65.5%: 87/76/71/58/35%; counting only particles with ≥ 5 CDC hits, as "
        "basf2's MC tracks, and with the longer-trained GNN of 2026-12-06: Legendre 60.7%, "
        "GNN 77.7%)")
    track_min_svd_layers: int = _p(3, "layers", "SVD standalone: 3 space points fix a circle "
                                   "[INFERRED]")
    # --- tracking resolution --------------------------------------------------------------------
    # σ(pT)/pT = a·pT ⊕ b/(β√sin θ) for a track through PXD, SVD and the whole CDC (shorter
    # tracks: Gluckstern scaling of a in tracking.py). 0.2%·pT ⊕ 0.3%/β (used before) is Belle's
    # CDC alone (r 8.3–86.3 cm, 50 layers, 130 µm: Belle NIM A479 117, Table 1 [READ]); it made
    # the M²_recoil core of μμZ′ 1.6–1.9× wider than Belle II's full simulation (checks.py).
    sigma_pt_a: float = _p(
        0.0011, "1/GeV", "Belle II CDC+SVD curvature term 0.11%·pT [RECALLED: Belle II TDR "
        "arXiv:1011.0352 / Physics Book arXiv:1808.10567, CDC+SVD]; cross-check [DERIVED]: "
        "Belle's measured 0.19–0.20%·pT scaled by Gluckstern σ_hit/L²·√(720/(N+4)) from "
        "(130 µm, L = 78 cm, N = 50) to Belle II's CDC (100 µm, L = 111.1 − 16.8 = 94.3 cm, "
        "N = 56, CDC.xml [READ]) gives 0.095–0.100%, lower still with the SVD lever arm")
    sigma_pt_b: float = _p(
        0.0025, "", "Belle II multiple-scattering term 0.25%/β at θ = 90° [RECALLED, as above]; "
        "cross-check [DERIVED]: Belle's 0.29–0.30%/β × √(78 cm/94.3 cm) (same He–C₂H₆ gas, "
        "term ∝ 1/√(L·X₀)) = 0.27%; grows as 1/√sin θ (resolution.pt_rel)")
    sigma_d0_a: float = _p(12e-4, "cm", f"{_B2} 10–20 µm at high p [RECALLED]")
    sigma_d0_b: float = _p(15e-4, "cm·GeV", f"{_B2} MS term ∝ 1/(pβ sin^3/2 θ) [RECALLED]; "
                           "coefficient [INFERRED]")
    sigma_z0_a: float = _p(20e-4, "cm", f"{_B2} σ(z0) ≈ 20 µm design [RECALLED]")
    sigma_z0_b: float = _p(20e-4, "cm·GeV", "MS term of z0 [INFERRED]")
    sigma_angle_a: float = _p(0.5e-3, "rad", "track φ0, θ resolution at high p [INFERRED]")
    sigma_angle_b: float = _p(1.5e-3, "rad·GeV", "MS term of φ0, θ ∝ 1/(pβ) [INFERRED]")
    # --- ECL ----------------------------------------------------------------------------------
    ecl_fwd: tuple[float, float] = _p((12.4, 31.4), "deg", f"{_B2} getDetectorRegion [READ]")
    ecl_barrel: tuple[float, float] = _p((32.2, 128.7), "deg", f"{_B2} getDetectorRegion [READ]")
    ecl_bwd: tuple[float, float] = _p((130.7, 155.1), "deg", f"{_B2} getDetectorRegion [READ]")
    ecl_r_barrel: float = _p(125.0, "cm", f"{_B2} Belle NIM barrel inner radius [READ]")
    ecl_z_fwd: float = _p(196.0, "cm", f"{_B2} endcap face [READ]")
    ecl_z_bwd: float = _p(-102.0, "cm", f"{_B2} endcap face [READ]")
    sigma_e_a: float = _p(0.0027, "GeV", f"{_B2} σE/E = 0.27%/E ⊕ 1.47%/E^¼ ⊕ 1.34% [DERIVED]")
    sigma_e_b: float = _p(0.0147, "GeV^¼", f"{_B2} fast-sim fit [DERIVED]")
    sigma_e_c: float = _p(0.0134, "", f"{_B2} fast-sim fit [DERIVED]")
    sigma_ecl_angle_a: float = _p(3e-3, "rad", f"{_B2} 3 mrad at high E [RECALLED]")
    sigma_ecl_angle_b: float = _p(4e-3, "rad·GeV^½", f"{_B2} 13 mrad at low E [RECALLED]; "
                                  "a/√E form [INFERRED]")
    ecl_cluster_threshold: float = _p(0.02, "GeV", "cluster seed threshold [INFERRED]")
    ecl_barrel_crystals: tuple[int, int] = _p(
        (46, 144), "", "barrel crystals: θ rings × φ per ring; the product is the 6624 barrel "
        f"crystals [READ: {_B2}], the split [RECALLED: Belle NIM A 479 117]: front faces "
        "≈ 5.5 cm wide at r = 125 cm")
    ecl_endcap_crystals: tuple[int, int, int, int] = _p(
        (13, 1152, 10, 960), "", "endcaps: forward θ rings and crystals, backward θ rings and "
        f"crystals; counts [READ: {_B2}], ring numbers [RECALLED: Belle NIM A 479 117]; each "
        "ring's φ segmentation is taken ∝ its radius (square-ish faces), summing to the count")
    ecl_moliere_radius: float = _p(
        3.57, "cm", "CsI Molière radius R_M [READ: PDG, Atomic and nuclear properties of "
        "materials, cesium iodide]; 90% of an electromagnetic shower's energy lies within R_M "
        "of its axis [READ: PDG review, Passage of particles through matter, §EM cascades]: a "
        "shower near an edge of the crystals (a barrel–endcap gap, the ends of the "
        "acceptance) loses what falls beyond it")
    ecl_depth_x0: float = _p(16.1, "X0", "crystal length: 30 cm [RECALLED: Belle NIM A 479 "
                             "117] of CsI, X0 = 1.86 cm [READ: PDG, Atomic and nuclear "
                             "properties of materials, cesium iodide]")
    ecl_critical_energy: float = _p(0.01117, "GeV", "CsI critical energy for electrons "
                                    "[RECALLED: PDG, Atomic and nuclear properties]")
    ecl_profile_b: float = _p(0.5, "", "longitudinal shower profile dE/dt ∝ (bt)^(a−1) e^(−bt), "
                              "b ≈ 0.5, t_max = (a − 1)/b = ln(E/E_c) − 0.5 for an electron "
                              "[READ: PDG review, Passage of particles through matter, EM "
                              "cascades (Longo–Sestili)]")
    ecl_deep_conversion: float = _p(
        0.5, "", "a photon that converts so deep in its crystal that its shower leaves less "
        "than this fraction of its energy there deposits that fraction (rear leakage; 0: "
        "off); above it the Gaussian response stands for the crystal [INFERRED: the profile "
        "shifted by an "
        "exponential conversion depth alone overestimates the core (2.4% at 8 GeV against the "
        "measured 1.6%), not the rate of conversions beyond ~10 X0, which the attenuation "
        "exp(−7t/9X0) fixes]")
    ecl_force_deep_conversion: float = _p(
        0.0, "GeV", "importance sampling for lost-photon backgrounds: in each event one of "
        "the k photons above this energy (0: none), at random, converts deep (its deposit below "
        "ecl_deep_conversion of its energy) and the event is weighted by k times the "
        "probability of that, exp(−7t/9X0)")
    ecl_mip_energy: float = _p(0.2, "GeV", "MIP deposit in 30 cm CsI (≈16 X0) [INFERRED]")
    ecl_mip_sigma: float = _p(0.03, "GeV", "MIP deposit spread [INFERRED]")
    ecl_hadron_shower_prob: float = _p(0.5, "", "hadron showers (vs MIP) in ~0.8 λ CsI [INFERRED]")
    # --- ECL cluster shapes and times (detector/showers.py) --------------------------------------
    ecl_profile_em: tuple[float, float, float, float] = _p(
        (0.88, 0.30, 0.12, 1.51), "—, R_M, —, R_M", "electromagnetic lateral profile on the "
        "crystal face: a core (share, σ) and a halo (share, σ) of circular Gaussians, chosen to "
        "contain 90% within 1 R_M and 99% within 3.5 R_M [READ: PDG review, Passage of "
        "particles through matter, EM cascades; the two-Gaussian form DERIVED to meet both]")
    ecl_profile_hadron: tuple[float, float, float, float] = _p(
        (0.5, 0.5, 0.5, 2.0), "—, R_M, —, R_M", "hadronic shower in the crystals: half near the "
        "axis (its π⁰ and ionisation), half spread over a few crystals (λ_I(CsI) = 39 cm ≫ the "
        "faces): half the energy within ≈ 1 R_M [INFERRED]")
    ecl_profile_mip: float = _p(0.15, "R_M", "a minimum-ionising track crosses one or two "
                                "crystals: a narrow core [INFERRED]")
    ecl_shower_width_spread: float = _p(0.1, "", "shower-to-shower spread of the profile's "
                                        "widths (log-normal σ) [INFERRED]")
    ecl_crystal_fluctuation: float = _p(0.002, "GeV", "a crystal's share of a shower "
                                        "fluctuates by √(k E_crystal) [INFERRED: a few % of "
                                        "E1/E9 at 1 GeV]")
    ecl_crystal_noise: float = _p(0.001, "GeV", "noise per crystal: electronics ≈ 0.3 MeV and "
                                  "beam-background pile-up [INFERRED]")
    ecl_crystal_threshold: float = _p(0.001, "GeV", "crystals above this join a cluster's "
                                      "shape variables [INFERRED]")
    ecl_lat_r0: float = _p(5.0, "cm", "lateral moment's r₀, the crystal spacing [READ: "
                           "Drescher et al., NIM A 237 (1985) 464, ARGUS]")
    ecl_time_noise: float = _p(0.773, "ns·GeV", "cluster time σ_t = a/E_seed + b, the seed "
                               "crystal's digit resolution: basf2's MC points with full beam "
                               "background, 0.134 ns at 1/E → 0 and 12.23 ns at 1/E = 15.65 "
                               "GeV⁻¹ (85.7 ns at 109 GeV⁻¹: the same slope to 2%) [READ: "
                               "basf2 ECLDigitCalibratorModule, time-resolution points]")
    ecl_time_constant: float = _p(0.134, "ns", "σ_t at high energy, as above [READ]")
    ecl_bkg_time_window: float = _p(1000.0, "ns", "beam-background clusters are uniform in "
                                    "±this about the collision: the waveform fit finds a pulse "
                                    "anywhere in ≈ 2 µs around the trigger [INFERRED]; basf2 "
                                    "counts digits beyond 110 ns as out of time [READ: "
                                    "ECLDigitCalibratorModule backgroundTimingCut]")
    ecl_pion_charge_exchange_prob: float = _p(
        0.02, "", "of the showering π±, the fraction whose first interaction is a charge exchange "
        "(π⁻p → π⁰n, π⁺n → π⁰p, quasi-free on Cs and I) whose leading π⁰ carries the pion's "
        "energy into an electromagnetic shower: the cluster of an electron (σ_SCX/σ_inel ≈ 1–3% "
        "at 1–3 GeV on heavy nuclei) [INFERRED]")
    # --- KLM ----------------------------------------------------------------------------------
    klm_theta: tuple[float, float] = _p((25.0, 155.0), "deg", f"{_B2} KLM barrel 45–125°, "
                                        "endcaps 25–45° and 125–155° [RECALLED]")
    klm_n_layers: int = _p(14, "", f"{_B2} Belle KLM 14 layers [READ]")
    klm_muon_p_min: float = _p(0.6, "GeV", f"{_B2} muons reach the KLM above 0.6–0.7 GeV [DERIVED]")
    klm_gev_per_layer: float = _p(0.08, "GeV", "5 cm Fe (57 MeV) + gap material per layer "
                                  "[INFERRED]")
    klm_muon_eff: float = _p(0.95, "", "KLM hit efficiency for a penetrating muon [INFERRED]")
    klm_photon_eff: float = _p(0.9, "", "photon seen in the KLM when lost in an ECL gap, "
                               "E > klm_photon_e_min: it converts in the first iron plates "
                               "(5 cm Fe = 2.8 X₀, P = 1 − e^(−7/9·2.8) = 89% per plate) and "
                               "its shower fires layers of ~95% efficiency, ≈ 0.99 "
                               "[DERIVED]; 0.9 for the cryostat, dead regions and soft "
                               "photons [INFERRED]")
    klm_photon_e_min: float = _p(0.1, "GeV", "[INFERRED]")
    klm_hadron_prob: float = _p(0.3, "", "hadron (π, K, K_L, n) reaches the KLM [INFERRED]")
    klm_hadron_survival: float = _p(0.743, "", "a hadron in the KLM crosses one more layer "
                                    "without interacting: exp(−5 cm / λ_I(Fe) = 16.77 cm) "
                                    "[DERIVED, PDG λ_I]")
    klm_hadron_charged_leading: float = _p(
        2.0 / 3.0, "", "of the hadron showers in the KLM iron, the fraction whose leading "
        "secondary is charged and carries on past the interaction layer (fired layers beyond it: "
        "a fraction f, uniform, of what a MIP of the hadron's momentum could still cross); the "
        "rest end where they start (π⁰ showers of 2.8 X₀ per plate, neutrons): two of the three "
        "pion charges [INFERRED: isospin; f uniform as the leading-particle spectrum of "
        "πA → πX at 1–3 GeV is broad]")
    klm_r_inner: float = _p(200.0, "cm", "barrel KLM inner radius (≈ 2 m) [RECALLED]")
    klm_range_straggling: float = _p(0.1, "", "muon range straggling in the KLM iron, fraction "
                                     "of the range ⊕ half a layer [INFERRED: a few % energy-loss "
                                     "straggling plus layer granularity]")
    # --- PID (likelihoods of e, μ, π, K, p from each subdetector, detector/pid.py) ----------
    dedx_resolution: float = _p(0.07, "", "CDC truncated-mean dE/dx resolution [RECALLED: Belle "
                                "CDC 7.8% (NIM A 479 117); theory_detector.md B2 ≈5%]")
    dedx_c0: float = _p(10.0, "", "dE/dx ∝ (c₀ + 2 ln βγ − β²)/β²: minimum at βγ ≈ 3.5 "
                        "[INFERRED shape of Bethe–Bloch's truncated mean]")
    dedx_bg_plateau: float = _p(100.0, "", "βγ of the Fermi plateau, 1.45 × the minimum "
                                "[INFERRED: typical He–C₂H₆ relativistic rise]")
    top_theta: tuple[float, float] = _p((31.0, 128.0), "deg", "TOP barrel coverage "
                                        "[RECALLED: Belle II TDR]")
    top_radius: float = _p(119.0, "cm", "TOP quartz bars, between CDC and ECL [RECALLED]")
    top_index: float = _p(1.47, "", "fused silica at ≈ 400 nm [RECALLED]")
    top_photons: float = _p(25.0, "", "detected photons of a β = 1 track [RECALLED: 20–30]")
    top_sigma_photon: float = _p(0.015, "rad", "single-photon Cherenkov angle resolution, "
                                 "equivalent [INFERRED from ~100 ps photon timing]")
    top_background: float = _p(2.0, "", "background photons per track [INFERRED]")
    top_x0: float = _p(0.163, "", "2 cm quartz, X/X₀ (X₀ = 12.3 cm) [RECALLED thickness]")
    arich_theta: tuple[float, float] = _p((15.0, 31.0), "deg", "ARICH, forward endcap "
                                          "(r 0.44–1.13 m at z ≈ 1.67 m) [RECALLED]")
    arich_index: float = _p(1.05, "", "two aerogel layers n = 1.045, 1.055 [RECALLED]")
    arich_photons: float = _p(11.0, "", "detected photons of a β = 1 track [RECALLED: ≈ 10–12]")
    arich_sigma_photon: float = _p(0.013, "rad", "single-photon angle resolution "
                                   "[RECALLED: 13–15 mrad]")
    arich_background: float = _p(1.0, "", "background photons per track [INFERRED]")
    arich_x0: float = _p(0.016, "", "4 cm aerogel, X/X₀ [RECALLED thickness, density 0.11]")
    # --- trigger ------------------------------------------------------------------------------
    trg_track_pt: float = _p(0.3, "GeV", f"{_B2} two-track: pT ≳ 0.3 GeV [INFERRED]")
    trg_track_min_cdc: int = _p(24, "layers", "2D trigger tracks need the inner 4 superlayers "
                                "[INFERRED]")
    trg_open_angle: float = _p(90.0, "deg", f"{_B2} cdc_open90 [READ]")
    trg_muon_p: float = _p(0.7, "GeV", f"{_B2} single muon p ≳ 0.7 GeV [INFERRED]")
    trg_elow: float = _p(0.5, "GeV", f"{_B2} TrgEclMaster elow [READ]")
    trg_ehigh: float = _p(1.0, "GeV", f"{_B2} TrgEclMaster ehigh/hie [READ]")
    trg_elum: float = _p(3.0, "GeV", f"{_B2} TrgEclMaster elum [READ]")
    trg_photon_e_cms: float = _p(1.0, "GeV", f"{_B2} single photon E* > 1 GeV [INFERRED]")
    trg_photon_other: float = _p(0.3, "GeV", f"{_B2} lml13: no other > 0.3 GeV [READ]")
    trg_bhabha_e_cms: float = _p(3.0, "GeV", "2-cluster Bhabha veto, each E* > 3 GeV, "
                                 "back to back within 20° [INFERRED]")
    # --- beam background ----------------------------------------------------------------------
    bkg_rate: float = _p(1.0, "photons/event", "beam-background photon clusters [INFERRED "
                         "placeholder; no number in the reference]")
    bkg_mean_energy: float = _p(0.03, "GeV", "exponential spectrum mean above threshold "
                                "[INFERRED]")
    bkg_endcap_fraction: float = _p(0.6, "", "fraction of background clusters in the endcaps "
                                    "[INFERRED]")


def parameter_table(params: DetectorParameters | None = None) -> list[tuple[str, Any, str, str]]:
    """Rows ``(name, value, unit, source)`` of the parameter table."""
    p = BELLE2_DETECTOR if params is None else params
    return [(f.name, getattr(p, f.name), f.metadata["unit"], f.metadata["source"])
            for f in fields(p)]


BELLE2_DETECTOR = DetectorParameters()

#: Belle (KEKB, 1999–2010) for analyses of its data: the Belle II table with the resolutions of
#: the Belle detector (Belle NIM A 479 (2002) 117). Only the resolutions differ; the geometry,
#: acceptance, PID and trigger rules stay those of the Belle II table (the ECL crystals and the
#: solenoid were reused; Belle's SVD and 50-layer CDC at r = 8.3–86.3 cm [READ: NIM Table 1]
#: are not modelled layer by layer), a stated approximation.
BELLE_DETECTOR = replace(
    BELLE2_DETECTOR,
    sigma_pt_a=0.00201,   # σ(pT)/pT = 0.201%·pT ⊕ 0.290%/β, cosmic rays through the CDC
    sigma_pt_b=0.00290,   # [RECALLED: NIM A 479 117 CDC performance; Table 1: 0.3%·√(pT²+1) READ]
    sigma_e_a=0.00066,    # σE/E = 0.066%/E ⊕ 0.81%/E^¼ ⊕ 1.34%, beam test of the CsI(Tl)
    sigma_e_b=0.0081,     # array [RECALLED: NIM A 479 117 ECL beam tests; Table 1: 1.3%/√E
    sigma_e_c=0.0134,     # READ]
)
#: detector presets by experiment name (:data:`darkscan.physics.experiment.EXPERIMENTS`); an
#: experiment without its own table is simulated with Belle II's
DETECTORS: dict[str, DetectorParameters] = {"belle2": BELLE2_DETECTOR, "belle": BELLE_DETECTOR}


def detector_for(experiment: str) -> DetectorParameters:
    """The detector table of an experiment preset (Belle II's where it has none)."""
    return DETECTORS.get(experiment, BELLE2_DETECTOR)
