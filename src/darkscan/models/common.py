"""Kinematic helpers and the generic two-body widths shared by every model (one formula, one place).

All functions accept scalars or numpy arrays and broadcast. Masses and widths in GeV, lengths in cm.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from darkscan.physics.constants import ALPHA, HBARC_GEV_CM

__all__ = ["amplitude_fermion_loop", "beta", "ctau_from_width", "kallen", "loop_f",
           "scalar_to_fermions", "vector_to_fermions",
           "width_from_ctau"]


def kallen(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Källén function λ(a, b, c) = a² + b² + c² − 2ab − 2ac − 2bc (theory_detector.md)."""
    a, b, c = (np.asarray(x, dtype=float) for x in (a, b, c))
    return a * a + b * b + c * c - 2.0 * (a * b + a * c + b * c)


def beta(mass: ArrayLike, m_daughter: ArrayLike) -> np.ndarray:
    """Velocity β = √(1 − 4m_f²/M²) of either daughter of M → f f̄; 0 below threshold."""
    mass = np.asarray(mass, dtype=float)
    m_daughter = np.asarray(m_daughter, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = 1.0 - 4.0 * m_daughter**2 / mass**2
    return np.sqrt(np.clip(np.nan_to_num(x, nan=0.0), 0.0, None))


def vector_to_fermions(coupling: ArrayLike, mass: ArrayLike, m_f: ArrayLike,
                       colour: ArrayLike = 1.0) -> np.ndarray:
    """Γ(V → f f̄) for a vector coupling ``coupling``·V_μ f̄γ^μ f:
    C g² M/(12π) (1 + 2m_f²/M²) β_f.

    The generic vector-current width of DarkCast eq. (2.13) (Ilten, Soreq, Williams, Xue, JHEP 06
    (2018) 004) and of the basf2 ``Dark_photon_UFO`` / ``Lmu_minus_Ltau_UFO`` ``decays.py``
    [theory_detector.md A1/A2, READ]. ``colour`` is C_f (1/2 for a left-handed neutrino, N_c for
    quarks). Zero below threshold.
    """
    mass = np.asarray(mass, dtype=float)
    m_f = np.asarray(m_f, dtype=float)
    b = beta(mass, m_f)
    with np.errstate(divide="ignore", invalid="ignore"):
        kin = np.where(b > 0.0, (1.0 + 2.0 * m_f**2 / mass**2) * b, 0.0)
    return (np.asarray(colour, float) * np.asarray(coupling, float) ** 2 * mass
            / (12.0 * np.pi) * kin)


def scalar_to_fermions(yukawa: ArrayLike, mass: ArrayLike, m_f: ArrayLike,
                       colour: ArrayLike = 1.0) -> np.ndarray:
    """Γ(S → f f̄) for a Yukawa coupling −y S f̄ f: C y² M/(8π) β_f³ (standard tree-level
    result; e.g. the SM Higgs width with y = m_f/v, Djouadi Phys. Rept. 457 (2008) 1, eq. 2.8)
    [theory_detector.md A5/A7, RECALLED]."""
    b = beta(mass, m_f)
    return (np.asarray(colour, float) * np.asarray(yukawa, float) ** 2
            * np.asarray(mass, float) / (8.0 * np.pi) * b**3)


def ctau_from_width(width: ArrayLike) -> np.ndarray:
    """Proper decay length cτ = ħc/Γ in cm (Γ in GeV); ``inf`` for Γ = 0."""
    width = np.asarray(width, dtype=float)
    with np.errstate(divide="ignore"):
        return HBARC_GEV_CM / width


def width_from_ctau(ctau: ArrayLike) -> np.ndarray:
    """Total width Γ = ħc/cτ in GeV from cτ in cm."""
    return HBARC_GEV_CM / np.asarray(ctau, dtype=float)


def loop_f(tau: ArrayLike) -> np.ndarray:
    """The triangle function f(τ) of the one-loop h→γγ/gg amplitudes (complex above threshold):
    f = arcsin²√τ for τ ≤ 1, −¼[ln((1+√(1−1/τ))/(1−√(1−1/τ))) − iπ]² for τ > 1
    (Djouadi, Phys. Rept. 457 (2008) 1, eq. 2.21) [RECALLED]."""
    tau = np.asarray(tau, dtype=float)
    below = np.arcsin(np.sqrt(np.clip(tau, 0.0, 1.0))) ** 2 + 0j
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.sqrt(np.clip(1.0 - 1.0 / tau, 0.0, None))
        above = -0.25 * (np.log((1.0 + r) / (1.0 - r)) - 1j * np.pi) ** 2
    return np.where(tau <= 1.0, below, above)


def amplitude_fermion_loop(tau: ArrayLike) -> np.ndarray:
    """Spin-½ loop amplitude A_{1/2}(τ) = 2[τ + (τ−1)f(τ)]/τ², τ = M²/(4m_f²); → 4/3 for a heavy
    fermion (τ → 0), → 0 for a light one (Djouadi Phys. Rept. 457 (2008) 1, eq. 2.20)
    [RECALLED]."""
    tau = np.asarray(tau, dtype=float)
    small = tau < 1e-4
    t = np.where(small, 1.0, tau)
    exact = 2.0 * (t + (t - 1.0) * loop_f(t)) / t**2
    series = 4.0 / 3.0 + 14.0 / 45.0 * tau + 0j  # Taylor expansion about τ = 0
    return np.where(small, series, exact)


def pseudoscalar_to_fermions(yukawa: ArrayLike, mass: ArrayLike, m_f: ArrayLike,
                             colour: ArrayLike = 1.0) -> np.ndarray:
    """Γ(a → f f̄) for a pseudoscalar Yukawa −i y a f̄γ5f: C y² M/(8π) β_f (S-wave; the scalar
    case, :func:`scalar_to_fermions`, has β_f³) [RECALLED, standard;
    e.g. Γ(A→ff̄) of Djouadi Phys. Rept. 459 (2008) 1 with y = m_f/v]. Zero below threshold."""
    b = beta(mass, m_f)
    return (np.asarray(colour, float) * np.asarray(yukawa, float) ** 2
            * np.asarray(mass, float) / (8.0 * np.pi) * b)


def amplitude_fermion_loop_pseudoscalar(tau: ArrayLike) -> np.ndarray:
    """Spin-½ loop amplitude of a pseudoscalar, A^A_{1/2}(τ) = 2f(τ)/τ, τ = M²/(4m_f²); → 2 for a
    heavy fermion (τ → 0), → 0 for a light one (Djouadi, Phys. Rept. 459 (2008) 1, the
    MSSM A→γγ amplitude)
    [RECALLED]; same normalisation as :func:`amplitude_fermion_loop`."""
    tau = np.asarray(tau, dtype=float)
    small = tau < 1e-4
    t = np.where(small, 1.0, tau)
    exact = 2.0 * loop_f(t) / t
    series = 2.0 + 2.0 / 3.0 * tau + 0j  # f(τ) = τ + τ²/3 + … about τ = 0
    return np.where(small, series, exact)


def width_gammagamma_fermion_loops(k: ArrayLike, mass: ArrayLike,
                                   fermion_masses: tuple[float, ...],
                                   parity: str = "scalar") -> np.ndarray:
    """Γ(X→γγ) in GeV of a spin-0 X ("scalar" or "pseudoscalar") through the loops of unit-charge,
    colourless fermions with Yukawas y_f = k·m_f: α² k² m³/(256π³) |Σ_f A(m²/4m_f²)|², the
    SM h→γγ fermion-loop result (Djouadi, Phys. Rept. 457 (2008) 1, eq. 2.22) with m_f/v → y_f
    [RECALLED]."""
    k = np.asarray(k, dtype=float)
    m = np.asarray(mass, dtype=float)
    amp = amplitude_fermion_loop if parity == "scalar" else amplitude_fermion_loop_pseudoscalar
    total = sum(amp(m**2 / (4.0 * mf**2)) for mf in fermion_masses)
    return ALPHA**2 * k**2 * m**3 / (256.0 * np.pi**3) * np.abs(total) ** 2
