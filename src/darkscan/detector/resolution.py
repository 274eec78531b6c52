"""Resolution functions: each formula once, vectorised. Parameters from the table in
:mod:`darkscan.detector.parameters`."""

from __future__ import annotations

import numpy as np

from darkscan.detector.parameters import DetectorParameters


def sigma_pt_over_pt(pt: np.ndarray, beta: np.ndarray, params: DetectorParameters) -> np.ndarray:
    """σ(pT)/pT = a·pT ⊕ b/β for a full-length track."""
    return np.hypot(params.sigma_pt_a * pt, params.sigma_pt_b / beta)


def sigma_e_over_e(e: np.ndarray, params: DetectorParameters) -> np.ndarray:
    """ECL σ_E/E = a/E ⊕ b/E^¼ ⊕ c (E in GeV)."""
    e = np.maximum(np.asarray(e, dtype=float), 1e-6)
    return np.sqrt((params.sigma_e_a / e) ** 2 + (params.sigma_e_b / e**0.25) ** 2
                   + params.sigma_e_c**2)


def sigma_ecl_angle(e: np.ndarray, params: DetectorParameters) -> np.ndarray:
    """ECL cluster angular resolution a ⊕ b/√E (rad)."""
    e = np.maximum(np.asarray(e, dtype=float), 1e-6)
    return np.hypot(params.sigma_ecl_angle_a, params.sigma_ecl_angle_b / np.sqrt(e))


def multiple_scattering(a: float, b: float, p: np.ndarray, beta: np.ndarray,
                        sin_theta: np.ndarray, power: float) -> np.ndarray:
    """a ⊕ b/(p β sin^power θ): impact-parameter and angle resolutions."""
    return np.hypot(a, b / (p * beta * np.maximum(sin_theta, 1e-3) ** power))
