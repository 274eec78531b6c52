"""Belle II CDC sense-wire geometry: 56 layers in 9 superlayers, 14 336 sense wires.

Source: basf2 ``cdc/data/CDC.xml`` (the ``SLayers`` table: per layer the wire radius, the z of the
wire ends at the backward and forward endplates, ``NHoles`` = 2 × cells, ``NShift`` = the hole
shift of a wire's forward end against its backward end, which makes the stereo angle, and the
half-cell ``Offset`` that staggers neighbouring layers) [READ, github.com/belle2/basf2, commit
013f290]. Numbers here are that table in cm.

Superlayers: SL0 (layers 0–7, 160 cells, small cells of 1 cm height) then 6 layers each with
160, 192, 224, 256, 288, 320, 352, 384 cells; axial (A) and stereo (U: NShift > 0, V: NShift < 0)
alternate A U A V A U A V A. Wire w of layer ℓ has its backward end at azimuth
φ_b = 2π (w + offset) / n_cells and its forward end at φ_f = φ_b + 2π·NShift / NHoles; the wire
is the straight line between the two ends. The stereo angles this gives (|tan α| = chord /
wire length) are 68, 58, 67, 73 mrad in SL1, SL3, SL5, SL7 (first layer of each); the Belle II
TDR (arXiv:1011.0352) quotes 45–74 mrad [RECALLED]. The magnetic field is the fast
simulation's (1.5 T, :mod:`darkscan.detector.parameters`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

#: superlayer sizes, cells per layer, NShift of the superlayer (CDC.xml)
SUPERLAYER_LAYERS = (8, 6, 6, 6, 6, 6, 6, 6, 6)
SUPERLAYER_CELLS = (160, 160, 192, 224, 256, 288, 320, 352, 384)
SUPERLAYER_SHIFT = (0, 18, 0, -18, 0, 19, 0, -20, 0)

#: wire radius (mm) of the 56 layers (CDC.xml SLayers)
_RADIUS_MM = (
    168.0, 178.0, 188.0, 198.0, 208.0, 218.0, 228.0, 238.0,
    257.0, 275.2, 293.4, 311.6, 329.8, 348.0,
    365.2, 383.4, 401.6, 419.8, 438.0, 455.7,
    476.9, 494.6, 512.8, 531.0, 549.2, 566.9,
    584.1, 601.8, 620.0, 638.2, 656.4, 674.1,
    695.3, 713.0, 731.2, 749.4, 767.6, 785.3,
    802.5, 820.2, 838.4, 856.6, 874.8, 892.5,
    913.7, 931.4, 949.6, 967.8, 986.0, 1003.7,
    1020.9, 1038.6, 1056.8, 1075.0, 1093.2, 1111.4)
#: z of the wire ends at the backward endplate (mm)
_ZBWD_MM = (
    -312.1, -320.76, -338.08, -355.4, -372.72, -390.04, -407.36, -424.68,
    -464.15, -495.67, -527.19, -558.62, -572.07, -575.6,
    -578.95, -582.49, -586.02, -589.56, -593.1, -596.5,
    -600.666, -604.106, -607.644, -611.182, -614.719, -618.16,
    -621.503, -624.944, -628.482, -632.019, -635.557, -638.997,
    -643.118, -646.559, -650.097, -653.634, -657.172, -660.613,
    -663.956, -667.397, -670.934, -674.472, -678.01, -681.45,
    -685.571, -689.011, -692.549, -696.087, -699.625, -703.065,
    -706.409, -709.849, -713.387, -716.925, -720.462, -724.0)
#: z of the wire ends at the forward endplate (mm)
_ZFWD_MM = (
    572.1, 604.81, 637.52, 670.23, 702.93, 735.64, 768.35, 801.06,
    855.1, 920.63, 980.16, 1039.69, 1099.22, 1158.75,
    1215.01, 1274.54, 1334.07, 1393.6, 1448.1, 1451.5,
    1455.67, 1459.11, 1462.64, 1466.18, 1469.72, 1473.16,
    1476.5, 1479.94, 1483.48, 1487.02, 1490.56, 1494.0,
    1498.12, 1501.56, 1505.1, 1508.63, 1512.17, 1515.61,
    1518.96, 1522.4, 1525.93, 1529.47, 1533.01, 1536.45,
    1540.57, 1544.01, 1547.55, 1551.09, 1554.62, 1558.07,
    1561.41, 1564.85, 1568.39, 1571.92, 1575.46, 1579.0)

N_LAYERS = 56
N_SUPERLAYERS = 9


@dataclass(frozen=True)
class CDCGeometry:
    """Per-layer arrays (index = continuous layer 0–55, cm and rad) and per-wire arrays."""

    radius: np.ndarray       #: wire radius at the endplates
    z_bwd: np.ndarray        #: backward wire end z
    z_fwd: np.ndarray        #: forward wire end z
    n_cells: np.ndarray      #: cells (sense wires) in the layer
    offset: np.ndarray       #: 0 or 0.5 cell: stagger of the backward ends
    dphi_stereo: np.ndarray  #: φ_f − φ_b of every wire of the layer
    half_height: np.ndarray  #: half the radial cell size (to the neighbouring field layer)
    superlayer: np.ndarray   #: superlayer 0–8
    layer_in_sl: np.ndarray  #: layer within its superlayer
    first_wire: np.ndarray   #: global index of the layer's wire 0 (n_layers + 1 entries)
    stereo_angle: np.ndarray  #: signed stereo angle of the layer (rad; 0 for axial)

    @property
    def n_wires(self) -> int:
        return int(self.first_wire[-1])

    def is_axial(self, clayer: np.ndarray) -> np.ndarray:
        return self.dphi_stereo[clayer] == 0.0

    def wire_ends(self, clayer: np.ndarray, wire: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(x, y) of the backward and forward ends of wires (cm): xb, yb, xf, yf."""
        clayer = np.asarray(clayer, np.int64)
        phib = TWO_PI * (np.asarray(wire) + self.offset[clayer]) / self.n_cells[clayer]
        phif = phib + self.dphi_stereo[clayer]
        r = self.radius[clayer]
        return r * np.cos(phib), r * np.sin(phib), r * np.cos(phif), r * np.sin(phif)

    def wire_at_z(self, clayer: np.ndarray, wire: np.ndarray, z: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of wires at height z (the straight wire between its ends)."""
        clayer = np.asarray(clayer, np.int64)
        xb, yb, xf, yf = self.wire_ends(clayer, wire)
        f = (np.asarray(z) - self.z_bwd[clayer]) / (self.z_fwd[clayer] - self.z_bwd[clayer])
        return xb + f * (xf - xb), yb + f * (yf - yb)

    def wire_middle(self, clayer: np.ndarray, wire: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Midpoint of the wires between their ends (the ``cdchit_middle_*`` columns)."""
        clayer = np.asarray(clayer, np.int64)
        xb, yb, xf, yf = self.wire_ends(clayer, wire)
        return 0.5 * (xb + xf), 0.5 * (yb + yf), 0.5 * (self.z_bwd[clayer] + self.z_fwd[clayer])


TWO_PI = 2.0 * np.pi


@cache
def cdc_geometry() -> CDCGeometry:
    """The Belle II CDC of basf2's CDC.xml (see the module docstring)."""
    r = np.array(_RADIUS_MM) / 10.0
    zb = np.array(_ZBWD_MM) / 10.0
    zf = np.array(_ZFWD_MM) / 10.0
    sl = np.repeat(np.arange(N_SUPERLAYERS), SUPERLAYER_LAYERS)
    n_cells = np.repeat(np.array(SUPERLAYER_CELLS), SUPERLAYER_LAYERS)
    shift = np.repeat(np.array(SUPERLAYER_SHIFT), SUPERLAYER_LAYERS)
    first_in_sl = np.concatenate([[0], np.cumsum(SUPERLAYER_LAYERS)[:-1]])
    layer_in_sl = np.arange(N_LAYERS) - first_in_sl[sl]
    # stagger: SL0 starts with half a cell, the other superlayers with none (CDC.xml Offset)
    offset = np.where(sl == 0, 0.5 * ((np.arange(N_LAYERS) + 1) % 2),
                      0.5 * (np.arange(N_LAYERS) % 2))
    dphi = TWO_PI * shift / (2.0 * n_cells)  # NHoles = 2 × cells
    # half cell heights: half the distance to the neighbouring layer of the same superlayer
    half = np.empty(N_LAYERS)
    for s in range(N_SUPERLAYERS):
        idx = np.flatnonzero(sl == s)
        gaps = np.diff(r[idx])
        half[idx] = 0.5 * np.concatenate([[gaps[0]], 0.5 * (gaps[:-1] + gaps[1:]), [gaps[-1]]])
    chord = 2.0 * r * np.sin(0.5 * dphi)
    stereo = np.arctan2(chord, zf - zb)
    first = np.concatenate([[0], np.cumsum(n_cells)]).astype(np.int64)
    return CDCGeometry(radius=r, z_bwd=zb, z_fwd=zf, n_cells=n_cells.astype(np.int64),
                       offset=offset, dphi_stereo=dphi, half_height=half,
                       superlayer=sl.astype(np.int64), layer_in_sl=layer_in_sl.astype(np.int64),
                       first_wire=first, stereo_angle=stereo)
