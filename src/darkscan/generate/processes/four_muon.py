"""e⁺e⁻ → μ⁺μ⁻μ⁺μ⁻ (``ee_mumumumu``): the process and its matrix element live in
:mod:`.four_lepton` with ``ee_mumutautau`` (the same machinery for two lepton flavours); this
module keeps the 4μ names importable from where they were first defined."""

from darkscan.generate.processes.four_lepton import (
    EE_MUMUMUMU,
    RELABELLINGS,
    FourMuon,
    Legs,
    _beams,
    coupling_e2,
    dressed_line,
    electron_line,
    fsr_factorisation_ratio,
    kinematics_conversion,
    kinematics_fsr,
    me2_four_muon,
    pair_current,
    pairing_amplitudes,
)

__all__ = ["EE_MUMUMUMU", "RELABELLINGS", "FourMuon", "Legs", "_beams", "coupling_e2",
           "dressed_line", "electron_line", "fsr_factorisation_ratio", "kinematics_conversion",
           "kinematics_fsr", "me2_four_muon", "pair_current", "pairing_amplitudes"]
