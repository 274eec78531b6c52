"""Cross-section limits → coupling limits for processes with σ ∝ coupling²."""

from __future__ import annotations

import numpy as np


def coupling_upper_limit(sigma_ul: np.ndarray | float, sigma_ref: np.ndarray | float,
                         coupling_ref: float, branching: np.ndarray | float = 1.0) -> np.ndarray:
    """Coupling excluded at the CL of ``sigma_ul`` for a production σ ∝ g².

    σ_ref is the production cross section at ``coupling_ref`` (before the decay branching
    fraction), so g_UL = g_ref · √(σ_UL / (σ_ref · B)). B = 0 gives no limit (inf).
    """
    sigma_ul, sigma_ref, br = np.broadcast_arrays(np.asarray(sigma_ul, float),
                                                  np.asarray(sigma_ref, float),
                                                  np.asarray(branching, float))
    denom = sigma_ref * br
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, coupling_ref * np.sqrt(sigma_ul / denom), np.inf)
