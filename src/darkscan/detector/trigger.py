"""L1 trigger emulation on reconstructed objects (reference B2, 'L1 trigger').

Bits per event:
- ``trg_two_track``: ≥ 2 CDC trigger tracks (pT > 0.3 GeV, through the inner superlayers)
  with an azimuthal opening ≥ 90° (GRL cdc_open90).
- ``trg_single_muon``: a CDC trigger track with p > 0.7 GeV matched to KLM hits (cdcklm).
- ``trg_single_photon``: exactly one cluster with E* > 1 GeV in the barrel and no other cluster
  above 0.3 GeV (lab) (lml13/lml6-like).
- ``trg_elow``, ``trg_ehigh``, ``trg_elum``: ECL energy sum over the forward endcap and barrel
  (backward endcap excluded, as the trigger θ-rings 1–14) above 0.5, 1, 3 GeV.
- ``trg_hie``: ehigh and not a two-cluster Bhabha (each E* > 3 GeV, back to back within 20°).
- ``trg_any``: OR of two_track, single_muon, single_photon, hie.
"""

from __future__ import annotations

import awkward as ak
import numpy as np

from darkscan.detector.geometry import ECL_BARREL, ECL_BWD
from darkscan.detector.parameters import DetectorParameters


def _max_pair_opening_phi(phi: ak.Array) -> np.ndarray:
    pairs = ak.combinations(phi, 2, fields=["a", "b"])
    d = np.abs(np.arctan2(np.sin(pairs.a - pairs.b), np.cos(pairs.a - pairs.b)))
    return ak.to_numpy(ak.fill_none(ak.max(d, axis=1), 0.0))


def trigger_bits(tracks: ak.Array, clusters: ak.Array, cluster_e_cms: ak.Array,
                 params: DetectorParameters) -> dict[str, np.ndarray]:
    """Trigger decisions from jagged ``tracks`` (px, py, pz, n_cdc, klm_layers) and ``clusters``
    (E, theta, phi, region) with the clusters' CMS energies."""
    pt = np.hypot(tracks.px, tracks.py)
    trg_trk = (pt > params.trg_track_pt) & (tracks.n_cdc >= params.trg_track_min_cdc)
    n_trg = ak.to_numpy(ak.sum(trg_trk, axis=1))
    open_max = _max_pair_opening_phi(tracks.phi0[trg_trk])
    two_track = (n_trg >= 2) & (open_max >= np.radians(params.trg_open_angle))
    p = np.sqrt(tracks.px**2 + tracks.py**2 + tracks.pz**2)
    mu_cand = trg_trk & (p > params.trg_muon_p) & (tracks.klm_layers > 0)
    single_muon = ak.to_numpy(ak.any(mu_cand, axis=1))

    e, region = clusters.E, clusters.region
    hi = cluster_e_cms > params.trg_photon_e_cms
    n_hi_barrel = ak.to_numpy(ak.sum(hi & (region == ECL_BARREL), axis=1))
    n_hi = ak.to_numpy(ak.sum(hi, axis=1))
    n_other = ak.to_numpy(ak.sum(~hi & (e > params.trg_photon_other), axis=1))
    single_photon = (n_hi_barrel == 1) & (n_hi == 1) & (n_other == 0)
    etot = ak.to_numpy(ak.sum(ak.where(region != ECL_BWD, e, 0.0), axis=1))
    big = cluster_e_cms > params.trg_bhabha_e_cms
    phi_big = clusters.phi[big]
    bhabha = _max_pair_opening_phi(phi_big) > np.radians(160.0)
    ehigh = etot > params.trg_ehigh
    hie = ehigh & ~bhabha
    return {"trg_two_track": two_track, "trg_single_muon": single_muon,
            "trg_single_photon": single_photon, "trg_elow": etot > params.trg_elow,
            "trg_ehigh": ehigh, "trg_elum": etot > params.trg_elum, "trg_hie": hie,
            "trg_any": two_track | single_muon | single_photon | hie,
            "trg_n_tracks": n_trg.astype(np.int16), "trg_ecl_sum": etot}
