"""Cross-section limits → coupling limits for processes with σ ∝ coupling^power."""

from __future__ import annotations

import numpy as np


def coupling_upper_limit(sigma_ul: np.ndarray | float, sigma_ref: np.ndarray | float,
                         coupling_ref: np.ndarray | float, branching: np.ndarray | float = 1.0,
                         power: float = 2.0) -> np.ndarray:
    """Coupling excluded at the CL of ``sigma_ul`` for a production σ ∝ g^power.

    σ_ref is the production cross section at ``coupling_ref`` (before the decay branching
    fraction), so g_UL = g_ref · (σ_UL / (σ_ref · B))^(1/power): √ for g² (g′, ε), linear for
    a combination σ is proportional to (ε²·α_D). B = 0 gives no limit (inf).

    >>> float(coupling_upper_limit(4.0, 1.0, 0.01))
    0.02
    >>> float(coupling_upper_limit(4.0, 1.0, 1e-6, power=1.0))
    4e-06
    """
    sigma_ul, sigma_ref, br = np.broadcast_arrays(np.asarray(sigma_ul, float),
                                                  np.asarray(sigma_ref, float),
                                                  np.asarray(branching, float))
    denom = sigma_ref * br
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = sigma_ul / denom
        scaled = np.sqrt(ratio) if power == 2.0 else ratio ** (1.0 / power)
        return np.where(denom > 0, coupling_ref * scaled, np.inf)
