"""Resolution functions: each formula once, as a compiled scalar function that the simulation
kernels inline, with an array version for everything else. Parameters from the table in
:mod:`darkscan.detector.parameters`."""

from __future__ import annotations

import numpy as np

from darkscan.detector.parameters import DetectorParameters
from darkscan.jit import inline, jit


@inline
def pt_rel(pt, beta, sin_t, a, b):  # pragma: no cover - compiled
    """σ(pT)/pT = a·pT ⊕ b/(β√sin θ) (a may carry a short-track scale; sin θ at least 10⁻³).

    The curvature term a·pT is measured in the transverse plane over the transverse lever arm,
    whatever the dip. The multiple-scattering term is b/β at θ = 90° and grows as 1/√sin θ: a
    track at polar angle θ crosses L/sin θ of material per transverse length L (θ₀ ∝ √(1/sin θ)/p),
    and a deflection θ₀ turns the transverse direction by θ₀/sin θ, so
    σ(κ)/κ ∝ pT θ₀/sin θ = (pT/p)/(β sin^{3/2} θ) = 1/(β √sin θ) (PDG, "Passage of particles
    through matter", momentum resolution with λ the dip angle)."""
    meas, ms = a * pt, b / (beta * np.sqrt(max(sin_t, 1e-3)))
    return np.sqrt(meas * meas + ms * ms)


@inline
def e_rel(e, a, b, c):  # pragma: no cover - compiled
    """ECL σ_E/E = a/E ⊕ b/E^¼ ⊕ c (E in GeV, at least 1 keV)."""
    e = max(e, 1e-6)
    return np.sqrt((a / e) ** 2 + b * b / np.sqrt(e) + c * c)


@inline
def ecl_angle(e, a, b):  # pragma: no cover - compiled
    """ECL cluster angular resolution a ⊕ b/√E (rad), E at least 1 keV."""
    t = b / np.sqrt(max(e, 1e-6))
    return np.sqrt(a * a + t * t)


@inline
def ms(a, b, p_beta, sin_t, power):  # pragma: no cover - compiled
    """a ⊕ b/(p β sin^power θ), sin θ at least 10⁻³; powers 0.5, 1.5, 2.5 through √ (no pow
    call), others through pow."""
    s = max(sin_t, 1e-3)
    root = np.sqrt(s)
    if power == 0.5:
        den = root
    elif power == 1.5:
        den = s * root
    elif power == 2.5:
        den = s * s * root
    else:
        den = s**power
    t = b / (p_beta * den)
    return np.sqrt(a * a + t * t)


@jit
def _map_pt(x, y, z, a, b):  # pragma: no cover - compiled
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = pt_rel(x[i], y[i], z[i], a, b)
    return out


@jit
def _map_e(x, a, b, c):  # pragma: no cover - compiled
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = e_rel(x[i], a, b, c)
    return out


@jit
def _map_ms(a, b, p_beta, sin_t, power):  # pragma: no cover - compiled
    out = np.empty(p_beta.shape[0])
    for i in range(p_beta.shape[0]):
        out[i] = ms(a, b, p_beta[i], sin_t[i], power)
    return out


def _flat(*arrays: np.ndarray) -> tuple[tuple[int, ...], list[np.ndarray]]:
    arrs = [np.asarray(a, dtype=float) for a in arrays]
    shape = np.broadcast_shapes(*(a.shape for a in arrs))
    # the broadcast ones copied (numba warns on the views np.broadcast_arrays makes)
    return shape, [np.ascontiguousarray(a if a.shape == shape else np.broadcast_to(a, shape)
                                        .copy()).ravel() for a in arrs]


def sigma_pt_over_pt(pt: np.ndarray, beta: np.ndarray, params: DetectorParameters,
                     sin_theta: np.ndarray | float = 1.0) -> np.ndarray:
    """σ(pT)/pT = a·pT ⊕ b/(β√sin θ) for a full-length track (θ = 90° by default)."""
    shape, (x, y, z) = _flat(pt, beta, sin_theta)
    return _map_pt(x, y, z, params.sigma_pt_a, params.sigma_pt_b).reshape(shape)


def sigma_e_over_e(e: np.ndarray, params: DetectorParameters) -> np.ndarray:
    """ECL σ_E/E = a/E ⊕ b/E^¼ ⊕ c (E in GeV)."""
    shape, (x,) = _flat(e)
    return _map_e(x, params.sigma_e_a, params.sigma_e_b, params.sigma_e_c).reshape(shape)


def multiple_scattering(a: float, b: float, p: np.ndarray, beta: np.ndarray,
                        sin_theta: np.ndarray, power: float) -> np.ndarray:
    """a ⊕ b/(p β sin^power θ): impact-parameter and angle resolutions."""
    shape, (pp, bb, st) = _flat(p, beta, sin_theta)
    return _map_ms(float(a), float(b), pp * bb, st, float(power)).reshape(shape)
