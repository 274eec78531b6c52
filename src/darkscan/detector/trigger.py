"""L1 trigger emulation on reconstructed objects (reference B2, 'L1 trigger').

Bits per event:
- ``trg_two_track``: ≥ 2 CDC trigger tracks (pT > 0.3 GeV, through the inner superlayers)
  with an azimuthal opening ≥ 90° (GRL cdc_open90).
- ``trg_three_track``: ≥ 3 CDC trigger tracks (the same tracks), no opening requirement (the
  multi-track line of low-multiplicity searches, e.g. the μμττ search's "3-track").
- ``trg_single_muon``: a CDC trigger track with p > 0.7 GeV matched to KLM hits (cdcklm).
- ``trg_single_photon``: exactly one cluster with E* > 1 GeV in the barrel and no other cluster
  above 0.3 GeV (lab) (lml13/lml6-like).
- ``trg_elow``, ``trg_ehigh``, ``trg_elum``: ECL energy sum over the forward endcap and barrel
  (backward endcap excluded, as the trigger θ-rings 1–14) above 0.5, 1, 3 GeV.
- ``trg_hie``: ehigh and not a two-cluster Bhabha (each E* > 3 GeV, back to
  back in φ within 20°).
- ``trg_lml``: the low-multiplicity multi-cluster bit (lml-like): at least three clusters above
  0.3 GeV (lab) outside the backward endcap, one of them with E* > 1 GeV in the barrel; no
  Bhabha veto, so that e⁺e⁻ → γγγ and γa → γγγ, whose hardest photons are often back to back,
  fire it.
- ``trg_any``: OR of two_track, three_track, single_muon, single_photon, hie, lml.
"""

from __future__ import annotations

import numpy as np

from darkscan.detector.geometry import ECL_BARREL, ECL_BWD
from darkscan.detector.helix import wrap_one
from darkscan.detector.parameters import DetectorParameters
from darkscan.jit import inline, jit

#: boolean bits in the order of the kernel's output rows
_BITS = ("trg_two_track", "trg_single_muon", "trg_single_photon", "trg_elow", "trg_ehigh",
         "trg_elum", "trg_hie", "trg_lml", "trg_three_track")
#: the trigger bits every simulated event carries (flat ``trg_*`` columns of ntuples)
TRIGGER_BITS: tuple[str, ...] = _BITS


@inline
def _opening(a, b):  # pragma: no cover - compiled
    """Azimuthal opening |a − b| folded into [0, π]."""
    return abs(wrap_one(a - b))


@inline
def _track_bits(px, py, pz, n_cdc, klm_layers, phi0, lo, hi, c):  # pragma: no cover - compiled
    """(number of CDC trigger tracks, largest φ opening among them, single-muon bit) of one
    event's tracks lo..hi."""
    n_trg, open_max, muon = 0, 0.0, False
    pt2_min = c[0] * c[0]
    for i in range(lo, hi):
        if not (px[i] * px[i] + py[i] * py[i] > pt2_min and n_cdc[i] >= c[1]):
            continue
        n_trg += 1
        for j in range(lo, i):
            if px[j] * px[j] + py[j] * py[j] > pt2_min and n_cdc[j] >= c[1]:
                open_max = max(open_max, _opening(phi0[i], phi0[j]))
        p = np.sqrt(px[i] * px[i] + py[i] * py[i] + pz[i] * pz[i])
        muon |= p > c[2] and klm_layers[i] > 0
    return n_trg, open_max, muon


@inline
def _cluster_bits(e, theta, phi, region, lo, hi, beta, gamma, c):  # pragma: no cover - compiled
    """(single-photon bit, ECL energy sum, two-cluster Bhabha, lml bit) of one event's
    clusters lo..hi.
    CMS energies E* = γE(1 − β·n̂) are computed only for clusters whose bound γE(1 + |β|)
    reaches a threshold (most clusters are soft)."""
    reach = gamma * (1.0 + np.sqrt(beta[0] ** 2 + beta[1] ** 2 + beta[2] ** 2))
    n_hi_barrel, n_hi, n_other, n_lml, etot, bhabha_open = 0, 0, 0, 0, 0.0, 0.0
    for i in range(lo, hi):
        e_cms = 0.0
        if e[i] * reach > min(c[4], c[6]):
            st = np.sin(theta[i])
            bn = (beta[0] * st * np.cos(phi[i]) + beta[1] * st * np.sin(phi[i])
                  + beta[2] * np.cos(theta[i]))
            e_cms = gamma * e[i] * (1.0 - bn)
        if e_cms > c[4]:
            n_hi += 1
            n_hi_barrel += region[i] == ECL_BARREL
        elif e[i] > c[5]:
            n_other += 1
        if region[i] != ECL_BWD:
            etot += e[i]
            n_lml += e[i] > c[5]
        if e_cms > c[6]:
            for j in range(lo, i):  # earlier big clusters (recomputed: at most a few)
                if e[j] * reach > c[6]:
                    st = np.sin(theta[j])
                    bn = (beta[0] * st * np.cos(phi[j]) + beta[1] * st * np.sin(phi[j])
                          + beta[2] * np.cos(theta[j]))
                    if gamma * e[j] * (1.0 - bn) > c[6]:
                        bhabha_open = max(bhabha_open, _opening(phi[i], phi[j]))
    single = n_hi_barrel == 1 and n_hi == 1 and n_other == 0
    return single, etot, bhabha_open > np.radians(160.0), n_lml >= 3 and n_hi_barrel >= 1


@jit
def _bits(t_px, t_py, t_pz, t_ncdc, t_klm, t_phi0, t_off, c_e, c_theta, c_phi, c_region,
          c_off, beta, c):  # pragma: no cover - compiled
    n_ev = t_off.shape[0] - 1
    bits = np.zeros((9, n_ev), dtype=np.bool_)
    n_trg = np.zeros(n_ev, dtype=np.int16)
    etot = np.zeros(n_ev)
    gamma = 1.0 / np.sqrt(1.0 - (beta[0] ** 2 + beta[1] ** 2 + beta[2] ** 2))
    for ev in range(n_ev):
        n, open_max, muon = _track_bits(t_px, t_py, t_pz, t_ncdc, t_klm, t_phi0, t_off[ev],
                                        t_off[ev + 1], c)
        single, e_sum, bhabha, lml = _cluster_bits(c_e, c_theta, c_phi, c_region, c_off[ev],
                                              c_off[ev + 1], beta, gamma, c)
        two = n >= 2 and open_max >= np.radians(c[3])
        ehigh = e_sum > c[8]
        hie = ehigh and not bhabha
        bits[0, ev], bits[1, ev], bits[2, ev] = two, muon, single
        bits[3, ev], bits[4, ev], bits[5, ev], bits[6, ev] = e_sum > c[7], ehigh, e_sum > c[9], hie
        bits[7, ev], bits[8, ev] = lml, n >= 3
        n_trg[ev], etot[ev] = n, e_sum
    return bits, n_trg, etot


def _thresholds(params: DetectorParameters) -> tuple[float, ...]:
    return (params.trg_track_pt, float(params.trg_track_min_cdc), params.trg_muon_p,
            params.trg_open_angle, params.trg_photon_e_cms, params.trg_photon_other,
            params.trg_bhabha_e_cms, params.trg_elow, params.trg_ehigh, params.trg_elum)


def trigger_bits(tracks: dict[str, np.ndarray], track_offsets: np.ndarray,
                 clusters: dict[str, np.ndarray], cluster_offsets: np.ndarray,
                 boost_beta: np.ndarray, params: DetectorParameters) -> dict[str, np.ndarray]:
    """Trigger decisions from flat ``tracks`` (px, py, pz, n_cdc, klm_layers, phi0) and
    ``clusters`` (E, theta, phi, region) with per-event offsets; ``boost_beta``: the lab
    velocity of the CMS (for the clusters' CMS energies)."""
    f = np.ascontiguousarray
    bits, n_trg, etot = _bits(
        f(tracks["px"], float), f(tracks["py"], float), f(tracks["pz"], float),
        f(tracks["n_cdc"]), f(tracks["klm_layers"]), f(tracks["phi0"], float),
        f(track_offsets, np.int64), f(clusters["E"], float), f(clusters["theta"], float),
        f(clusters["phi"], float), f(clusters["region"]), f(cluster_offsets, np.int64),
        f(boost_beta, float), _thresholds(params))
    out = dict(zip(_BITS, bits, strict=True))
    out["trg_any"] = (out["trg_two_track"] | out["trg_three_track"] | out["trg_single_muon"]
                      | out["trg_single_photon"] | out["trg_hie"] | out["trg_lml"])
    out["trg_n_tracks"] = n_trg
    out["trg_ecl_sum"] = etot
    return out
