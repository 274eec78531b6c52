"""Physical constants in darkscan's units: GeV, cm, ns (as basf2); cross sections in pb.

Masses come from the ``particle`` package (PDG tables) so that there is one source for them.
"""

from functools import cache

from particle import Particle

ALPHA = 1.0 / 137.035999084          #: fine-structure constant at q² = 0 (Thomson limit)
G_FERMI = 1.1663788e-5               #: GeV⁻², PDG 2024
HIGGS_VEV = 246.21965                #: GeV, (√2 G_F)^-1/2
HBARC_GEV_CM = 1.973269804e-14       #: ħc in GeV·cm
HBAR_GEV_NS = 6.582119569e-16        #: ħ in GeV·ns
C_CM_PER_NS = 29.9792458             #: speed of light in cm/ns
GEV2_TO_PB = 3.893793721e8           #: 1 GeV⁻² in pb ((ħc)² = 0.3893793721 mb·GeV²)
PB_PER_FB = 1.0e-3                   #: 1 fb = 1e-3 pb

PDG_ELECTRON, PDG_MUON, PDG_TAU = 11, 13, 15
PDG_PHOTON = 22
PDG_PION, PDG_KAON = 211, 321

#: B(τ⁻ → μ⁻ ν̄_μ ν_τ) = (17.39 ± 0.04)%, PDG 2024
BF_TAU_TO_MU = 0.1739
#: B(τ⁻ → e⁻ ν̄_e ν_τ) = (17.82 ± 0.04)%, PDG 2024
BF_TAU_TO_E = 0.1782


@cache
def mass(pdgid: int) -> float:
    """Mass in GeV of a Standard-Model particle, from the PDG tables shipped with ``particle``."""
    m = Particle.from_pdgid(abs(int(pdgid))).mass
    if m is None:
        raise ValueError(f"particle {pdgid} has no PDG mass")
    return float(m) / 1000.0


M_E = mass(PDG_ELECTRON)
M_MU = mass(PDG_MUON)
M_TAU = mass(PDG_TAU)
M_PI = mass(PDG_PION)
M_K = mass(PDG_KAON)
