"""Where each process lives. Modules are imported only when a process is asked for."""

from darkscan.generate.registry import register_lazy

_CATALOG = {
    # QED 2→2 with ISR/FSR through the helicity engine
    "ee_mumu": "darkscan.generate.processes.sm_qed",
    "ee_gg": "darkscan.generate.processes.sm_qed",
    "ee_ee": "darkscan.generate.processes.sm_qed",
    # e⁺e⁻ → γγγ, exact tree-level QED (the ALP → γγ search's irreducible background)
    "ee_ggg": "darkscan.generate.processes.three_photon",
    # the single-photon search's backgrounds: radiative Bhabha e⁺e⁻ → e⁺e⁻γ (exact tree-level
    # QED, massive electrons) and e⁺e⁻ → νν̄γ, the photon hard and at large angle
    "ee_eeg": "darkscan.generate.processes.radiative_qed",
    "ee_nunug": "darkscan.generate.processes.nunu_gamma",
    # e⁺e⁻ → μ⁺μ⁻γ, exact tree-level QED (4 graphs, massive e and μ), the photon hard and wide
    "ee_mumug": "darkscan.generate.processes.mumu_gamma",
    # μμ + resonance radiated off the muon line
    "ee_mumu_zprime": "darkscan.generate.processes.mumu_resonance",
    "ee_mumu_scalar": "darkscan.generate.processes.mumu_resonance",
    "ee_mumu_leptophilic": "darkscan.generate.processes.mumu_resonance",
    "ee_mumu_alp_leptons": "darkscan.generate.processes.mumu_resonance",
    # e⁺e⁻ → four leptons, full tree-level QED: 4μ (12 diagrams, the 4μ search's irreducible
    # background) and μμττ (6 diagrams, τ decayed by finish_decays)
    "ee_mumumumu": "darkscan.generate.processes.four_lepton",
    "ee_mumutautau": "darkscan.generate.processes.four_lepton",
    # e⁺e⁻ → μ⁺μ⁻π⁺π⁻ (scalar QED with F_π, 7 diagrams): the 4μ search's pion-fake background
    "ee_mumupipi": "darkscan.generate.processes.four_lepton",
    # single photon / dark Higgsstrahlung / iDM
    "ee_gamma_darkphoton": "darkscan.generate.processes.dark_vector",
    "ee_gamma_alp": "darkscan.generate.processes.gamma_alp",
    "ee_darkphoton_darkhiggs": "darkscan.generate.processes.dark_vector",
    "ee_darkhiggs_idm": "darkscan.generate.processes.idm_darkhiggs",
    # τ⁺τ⁻ with leptonic τ decays and full spin correlations through the helicity engine
    "ee_tautau_mumu": "darkscan.generate.processes.tau_pairs",
    "ee_tautau_ee": "darkscan.generate.processes.tau_pairs",
    "ee_tautau_emu": "darkscan.generate.processes.tau_pairs",
    # one τ → μνν̄, the other forced to three charged prongs (Pythia, finish_decays)
    "ee_tautau_mu3prong": "darkscan.generate.processes.tau_pairs",
    # the same with τ → eνν̄
    "ee_tautau_e3prong": "darkscan.generate.processes.tau_pairs",
    # one τ → eνν̄, the other any decay but eνν̄ (Pythia, finish_decays)
    "ee_tautau_e_rest": "darkscan.generate.processes.tau_pairs",
    # both τ → any decay but eνν̄ (Pythia's τ library and finish_decays)
    "ee_tautau_no_e": "darkscan.generate.processes.tau_pairs",
    # one τ → one charged hadron (π/K misidentified as the lepton), the other → three prongs
    "ee_tautau_h3prong": "darkscan.generate.processes.tau_pairs",
    # one τ → ℓα (α invisible, two-body), the other forced to three charged prongs
    "ee_tautau_ealpha_3prong": "darkscan.generate.processes.tau_lepton_alp",
    "ee_tautau_mualpha_3prong": "darkscan.generate.processes.tau_lepton_alp",
    # Pythia 8 based
    "ee_tautau": "darkscan.generate.processes.pythia_processes",
    "ee_tautau_mumu_pythia": "darkscan.generate.processes.pythia_processes",
    "ee_uds": "darkscan.generate.processes.pythia_processes",
    "ee_cc": "darkscan.generate.processes.pythia_processes",
    "ee_cc_mumu": "darkscan.generate.processes.pythia_processes",
    "ee_qq": "darkscan.generate.processes.pythia_processes",
    "upsilon4s_bb": "darkscan.generate.processes.pythia_processes",
    # Υ(4S) with one B → K(*) S, S → x⁺x⁻ (b_to_k_scalar): ks = B → K S, kstars = B → K*(892) S
    **{f"upsilon4s_bb_{k}_{x}": "darkscan.generate.processes.pythia_processes"
       for k in ("ks", "kstars") for x in ("ee", "mumu", "pipi", "kk")},
    # Belle (KEKB beams): Υ(4S) with one B → K(*) a, a → γγ (b_to_k_alp), and its backgrounds
    "belle_upsilon4s_bb_kplus_alp": "darkscan.generate.processes.b_to_k_alp",
    "belle_upsilon4s_bb_ks_alp": "darkscan.generate.processes.b_to_k_alp",
    "belle_upsilon4s_bb_kstar0_alp": "darkscan.generate.processes.b_to_k_alp",
    "belle_upsilon4s_bb_kstarplus_alp": "darkscan.generate.processes.b_to_k_alp",
    "belle_upsilon4s_bb": "darkscan.generate.processes.b_to_k_alp",
    # the same split by charm (charmless_b): one B without charm; both with
    "belle_upsilon4s_bb_charmless": "darkscan.generate.processes.b_to_k_alp",
    "belle_upsilon4s_bb_charm": "darkscan.generate.processes.b_to_k_alp",
    "belle_ee_qq": "darkscan.generate.processes.b_to_k_alp",
    # e⁺e⁻ → e⁺e⁻ℓ⁺ℓ⁻, full tree-level QED (12 diagrams, massive electrons): multiperipheral,
    # bremsstrahlung and annihilation graphs with their interference
    "ee_eemumu": "darkscan.generate.processes.pair_production",
    "ee_eetautau": "darkscan.generate.processes.pair_production",
    "ee_eeee": "darkscan.generate.processes.pair_production",
    # two-photon in the equivalent-photon approximation: the fast option
    "ee_eemumu_epa": "darkscan.generate.processes.two_photon",
    "ee_eeee_epa": "darkscan.generate.processes.two_photon",
}

for _name, _module in _CATALOG.items():
    register_lazy(_name, _module)
