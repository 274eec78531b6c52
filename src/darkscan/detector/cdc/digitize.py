"""Drift-cell response of the CDC: x–t relation, spatial resolution, TDC and ADC counts in the
convention of basf2's ``CDCDigitizer``, hit efficiency and beam-background occupancy. One table of
numbers with their sources (:data:`CDC_RESPONSE`), one formula each, shared by the simulation
(numba kernels) and the readers (numpy).

TDC (basf2 ``cdc/modules/cdcDigitizer``): the TDC counts *down* in time from the wire's t0,
``tdc = int((t0 − t) / w + 0.5)`` with ``t`` the hit's total time (time of flight from the
collision, drift time, signal propagation along the wire) and the bin width
``w = 1 / 1.017774 GHz`` (CDC.xml ``ClockFrequencyForTDC``: twice the accelerator RF) [READ];
basf2's simulation t0 file gives every wire t0 = 8192 ns (``cdc/data/t0.dat``) [READ].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from darkscan.jit import inline

C_CM_PER_NS = 29.9792458


@dataclass(frozen=True)
class CDCResponse:
    """Cell-level numbers (cm, ns, keV); sources in the comments."""

    #: x–t: t(x) = x / v0 · (1 + x / x_sat). v0 = 40 µm/ns is basf2's nominal drift velocity
    #: (CDCDigitizer ``m_driftV = 4.0e-3`` cm/ns) [READ]; the slow-down towards the cell edge
    #: (x_sat = 2 cm) gives 326 ns at 0.9 cm and ≈ 530 ns in the corners of the 1.8 cm cells,
    #: tuned to the ≈ 450–500 ns largest drift times of Belle II's measured spectra (TDR
    #: arXiv:1011.0352, CDC chapter) [RECALLED]; the shape is [INFERRED]
    drift_v0: float = 4.0e-3
    x_sat: float = 2.0
    #: spatial resolution per hit, 120 µm (Belle II CDC design 130 µm, measured ≈ 100–120 µm
    #: in the cell centre) [RECALLED]
    sigma_x: float = 0.012
    #: single-hit efficiency inside the cell; 0.97 [INFERRED from the ≈ 97–99% wire efficiency
    #: of drift chambers with this gas at Belle II thresholds]
    hit_efficiency: float = 0.97
    #: TDC bin (ns) and wire t0 (ns), see the module docstring
    tdc_bin: float = 1.0 / 1.017774
    t0: float = 8192.0
    #: signal propagation along the wire, 27.25 ns/m (CDCDigitizer ``m_propSpeedInv``) [READ]
    prop_inv: float = 0.2725
    #: ionisation: most probable energy loss of a minimum-ionising particle in He–C2H6 50:50,
    #: ≈ 1.5 keV/cm [DERIVED: PDG dE/dx_min of He (1.94 MeV cm²/g × 1.66e-4 g/cm³) and ethane
    #: (2.30 × 1.26e-3), averaged by volume, × ≈ 0.7 for most probable/mean]; Landau width ξ =
    #: 0.12 of it [INFERRED]; ADC counts per keV (basf2 converts the deposit to ADC counts with
    #: a gain table, ``edeptoadc.dat``): 40 [INFERRED: MIP hits at ADC ≈ 50–150]
    dedx_mip: float = 1.5
    landau_width: float = 0.12
    adc_per_kev: float = 40.0
    adc_max: int = 4095
    #: beam background: mean fraction of wires with a background hit per event, 1% [INFERRED:
    #: Belle II reports CDC occupancies of a few per cent in the inner layers at current
    #: luminosity, well below 1% outside]; the per-wire rate falls as 1/r; half of the
    #: background deposits are soft (exponential ADC spectrum, mean 25 counts) [INFERRED]
    occupancy: float = 0.01
    bkg_adc_mean: float = 25.0


CDC_RESPONSE = CDCResponse()


@inline
def drift_time_one(x, v0, x_sat):  # pragma: no cover - compiled
    """t(x) of the x–t relation (ns) for drift distance x (cm)."""
    return x / v0 * (1.0 + x / x_sat)


def drift_time(x: np.ndarray, resp: CDCResponse = CDC_RESPONSE) -> np.ndarray:
    """t(x) of the x–t relation (ns)."""
    x = np.asarray(x, float)
    return x / resp.drift_v0 * (1.0 + x / resp.x_sat)


def drift_length(t: np.ndarray, resp: CDCResponse = CDC_RESPONSE) -> np.ndarray:
    """x(t): the inverse of :func:`drift_time` (cm); negative times give 0."""
    t = np.maximum(np.asarray(t, float), 0.0)
    a = 1.0 / (resp.drift_v0 * resp.x_sat)
    b = 1.0 / resp.drift_v0
    return (-b + np.sqrt(b * b + 4.0 * a * t)) / (2.0 * a)


@inline
def tdc_one(t, t0, tdc_bin):  # pragma: no cover - compiled
    """TDC count (as a float) of a hit at total time t (ns), basf2's convention."""
    return np.floor((t0 - t) / tdc_bin + 0.5)


def tdc_from_time(t: np.ndarray, resp: CDCResponse = CDC_RESPONSE) -> np.ndarray:
    """TDC count of a hit at total time t (ns), basf2's convention."""
    return tdc_one(np.asarray(t, float), resp.t0, resp.tdc_bin).astype(np.int32)


def time_from_tdc(tdc: np.ndarray, resp: CDCResponse = CDC_RESPONSE) -> np.ndarray:
    """Total hit time (ns) of a TDC count."""
    return resp.t0 - np.asarray(tdc, float) * resp.tdc_bin


def drift_time_from_tdc(tdc: np.ndarray, r_wire: np.ndarray, z_bwd: np.ndarray,
                        resp: CDCResponse = CDC_RESPONSE) -> np.ndarray:
    """Drift-time estimate of a hit: the TDC time less the flight time of a β = 1 particle from
    the IP to the wire radius and the signal propagation from z = 0 to the backward wire end
    (``z_bwd`` < 0): what a finder without a track can subtract."""
    return (time_from_tdc(tdc, resp) - np.asarray(r_wire) / C_CM_PER_NS
            + np.asarray(z_bwd) * resp.prop_inv)
