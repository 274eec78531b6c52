"""basf2 variable names ↔ darkscan's: to write ntuples with basf2 column names and to read an
analyst's basf2 ntuples (basf2 ``variables`` manager names, release 8 vocabulary).

Each darkscan name appears once; ``daughter(i, X)`` maps to ``dau{i}_X`` at any depth and
``useCMSFrame(X)`` to the ``*_cms`` variant where one exists (:func:`to_darkscan`).
"""

from __future__ import annotations

import re

from darkscan.errors import ParameterError

#: basf2 name → darkscan name
BASF2_ALIASES: dict[str, str] = {
    "M": "M", "InvM": "M_unconstrained", "M2": "M2", "Mbc": "Mbc", "deltaE": "deltaE",
    "p": "p", "pt": "pt", "E": "E", "px": "px", "py": "py", "pz": "pz", "theta": "theta",
    "cosTheta": "cos_theta", "phi": "phi", "charge": "charge", "PDG": "pdg",
    "dr": "dr", "dz": "dz", "d0": "d0", "z0": "z0",
    "x": "vtx_x", "y": "vtx_y", "z": "vtx_z", "chiProb": "chi_prob",
    "flightDistance": "flight_distance", "flightDistanceErr": "flight_distance_err",
    "significanceOfFlightDistance": "flight_significance",
    "cosAngleBetweenMomentumAndVertexVector": "cos_pointing",
    "lifeTime": "proper_time", "lifeTimeErr": "proper_time_err",
    "muonID": "muonID", "electronID": "electronID", "pionID": "pionID", "kaonID": "kaonID",
    "protonID": "protonID", "clusterE": "cluster_E", "EoverP": "E_over_p",
    "nCDCHits": "n_cdc", "nSVDHits": "n_svd", "nPXDHits": "n_pxd", "mcPDG": "mc_pdg",
    "isSignal": "mc_match",
    "m2Recoil": "m2_recoil", "mRecoil": "m_recoil", "pRecoil": "p_recoil_cms",
    "eRecoil": "E_recoil_cms", "pRecoilTheta": "theta_recoil",
    "missingMass2OfEvent": "m2_missing", "visibleEnergyOfEventCMS": "E_visible_cms",
    "thrust": "thrust", "thrustAxisCosTheta": "cos_theta_thrust", "R2": "R2",
    "cosTBTO": "cos_tbto", "nTracks": "n_tracks", "nKLMClusters": "n_klm_neutral",
    "extraEnergy": "E_ECL_extra", "helicityAngle(0)": "cos_helicity",
    "daughterInvM(0, 1)": "M_01", "daughterAngle(0, 1)": "opening_angle",
    "convertedPhotonDelR(0, 1)": "conv_delta_r", "convertedPhotonDelZ(0, 1)": "conv_delta_z",
    "convertedPhotonInvariantMass(0, 1)": "conv_M", "convertedPhotonRho(0, 1)": "conv_rho",
    "pi0Prob": "pi0_veto_mass", "etaProb": "eta_veto_mass",
    "clusterTiming": "cluster_time", "clusterE1E9": "cluster_E1E9",
    "clusterE9E21": "cluster_E9E21", "clusterLAT": "cluster_LAT",
    "clusterSecondMoment": "cluster_second_moment", "clusterNHits": "cluster_n_crystals",
    # KSFW: basf2's default signal side is the B's direct daughters (darkscan ksfw_fs0_*), FS1
    # its final-state particles (ksfw_*); E_T and the missing mass do not depend on it here
    "KSFWVariables(et)": "ksfw_et", "KSFWVariables(mm2)": "ksfw_mm2",
    **{f"KSFWVariables({k})": f"ksfw_fs0_{k}" for k in (
        "hso00", "hso01", "hso02", "hso03", "hso04", "hso10", "hso12", "hso14", "hso20",
        "hso22", "hso24", "hoo0", "hoo1", "hoo2", "hoo3", "hoo4")},
    **{f"KSFWVariables({k}, FS1)": f"ksfw_{k}" for k in (
        "hso00", "hso01", "hso02", "hso03", "hso04", "hso10", "hso12", "hso14", "hso20",
        "hso22", "hso24", "hoo0", "hoo1", "hoo2", "hoo3", "hoo4")},
}
#: basf2 ``useCMSFrame(X)`` → darkscan
CMS_ALIASES = {"p": "p_cms", "pt": "pt_cms", "E": "E_cms", "theta": "theta_cms",
               "cosTheta": "cos_theta_cms", "phi": "phi_cms", "px": "px_cms", "py": "py_cms",
               "pz": "pz_cms", "daughterAngle(0, 1)": "opening_angle_cms"}
_DARKSCAN_TO_BASF2 = {v: k for k, v in BASF2_ALIASES.items()} | {
    v: f"useCMSFrame({k})" for k, v in CMS_ALIASES.items()}
_DAUGHTER = re.compile(r"^daughter\((\d+),\s*(.+)\)$")
_CMS = re.compile(r"^useCMSFrame\((.+)\)$")
_DAU = re.compile(r"^dau(\d+)_(.+)$")


def to_darkscan(name: str) -> str:
    """``daughter(1, daughter(0, useCMSFrame(p)))`` → ``dau1_dau0_p_cms``."""
    name = name.strip()
    m = _DAUGHTER.match(name)
    if m:
        return f"dau{m.group(1)}_{to_darkscan(m.group(2))}"
    m = _CMS.match(name)
    if m and m.group(1) in CMS_ALIASES:
        return CMS_ALIASES[m.group(1)]
    if name in BASF2_ALIASES:
        return BASF2_ALIASES[name]
    spaced = re.sub(r",\s*", ", ", name)  # basf2 arguments are written with or without spaces
    if spaced in BASF2_ALIASES:
        return BASF2_ALIASES[spaced]
    raise ParameterError(f"no darkscan variable for the basf2 name '{name}'; known: "
                         f"{', '.join(sorted(BASF2_ALIASES))}, useCMSFrame(...), daughter(i, ...)")


def to_basf2(name: str) -> str:
    """``dau1_dau0_p_cms`` → ``daughter(1, daughter(0, useCMSFrame(p)))``; names without a
    basf2 equivalent are returned unchanged."""
    m = _DAU.match(name)
    if m:
        return f"daughter({m.group(1)}, {to_basf2(m.group(2))})"
    return _DARKSCAN_TO_BASF2.get(name, name)
