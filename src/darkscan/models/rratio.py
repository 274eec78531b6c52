"""The hadronic R ratio R(√s) = σ(e⁺e⁻→hadrons)/σ_0(e⁺e⁻→μ⁺μ⁻), σ_0 = 4πα²/(3s).

darkscan ships its own approximate R, constructed from physics below and tabulated in
``data/rratio.csv`` (regenerate with ``python -m darkscan.models.rratio``). It is used for
Γ(A′→hadrons) = Γ_0(A′→μμ)·R(m_A′) (Batell, Pospelov, Ritz PRD 79 (2009) 115008; Bjorken, Essig,
Schuster, Toro PRD 80 (2009) 075018) [theory_detector.md A2, RECALLED]; it is not a fit to data.

Construction [INFERRED; written for darkscan, not taken from a data compilation]:

* √s < 1.1 GeV: incoherent sum of ρ, ω, φ relativistic Breit–Wigners normalised to their e⁺e⁻
  widths, R_V = (9/α²) M²Γ_ee Γ_had(s) / [(s−M²)² + M²Γ(s)²]; at s = M² this is the textbook
  peak 9 B_ee B_had/α². The ρ→ππ width runs as (M/√s)(p_π(s)/p_π(M))³; the φ→KK̄ part
  (B = 0.83) runs likewise with p_K. ρ–ω interference and the 2π tail below the ρ are neglected.
* √s > 1.5 GeV: perturbative R = (1 + α_s/π)·N_c Σ Q_q² v(β_q), u, d, s massless, c and b open
  above 2m_D and 2m_B with v(β) = β(3−β²)/2 (the vector-current threshold factor), α_s at one
  loop (n_f = 3) anchored at α_s(m_τ) = 0.332 [PDG τ-decay value, RECALLED].
* 1.1–1.5 GeV (ρ′, ω′, multi-pion region): a linear blend from the resonance sum to the
  perturbative value.
* J/ψ and ψ(2S) are not in the table (≈ 0.1–0.3 MeV wide); pass ``narrow=True`` to add them as
  Breit–Wigners (Γ_ee 5.53 and 2.33 keV, B_had 0.877 and 0.978 [PDG, RECALLED]).

Expected accuracy [INFERRED from the usual comparisons with data]: 10–20 % on the ρ, ω, φ peaks,
worse between the peaks (no interference), ~30 % in 1.1–2 GeV, ~5–10 % in 2–3.7 GeV, 10–20 % in
the 3.7–4.5 GeV charm-threshold region (ψ(3770), ψ(4040), ψ(4160), ψ(4415) not modelled).
Resonance masses and total widths come from the ``particle`` package (PDG tables).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from darkscan.physics.constants import ALPHA, M_K, M_PI, mass

__all__ = ["alpha_s", "r_perturbative", "r_ratio", "r_resonances", "r_table_model"]

# e⁺e⁻ widths and hadronic branching fractions [PDG 2024 summary tables, RECALLED]
_GEE = {"rho": 7.04e-6, "omega": 0.60e-6, "phi": 1.27e-6, "jpsi": 5.53e-6, "psi2s": 2.33e-6}
_BHAD = {"rho": 1.0, "omega": 1.0, "phi": 1.0, "jpsi": 0.877, "psi2s": 0.978}
_PDG = {"rho": 113, "omega": 223, "phi": 333, "jpsi": 443, "psi2s": 100443}
_B_PHI_KK = 0.83
_ALPHAS_MTAU = 0.332
_LOW, _HIGH = 1.1, 1.5


def _mw(key: str) -> tuple[float, float]:
    from particle import Particle

    p = Particle.from_pdgid(_PDG[key])
    return float(p.mass) / 1e3, float(p.width) / 1e3


def alpha_s(q: ArrayLike) -> np.ndarray:
    """One-loop α_s(Q) with n_f = 3, α_s(m_τ) = 0.332 (adequate for the (1+α_s/π) factor)."""
    q = np.asarray(q, dtype=float)
    beta0 = 9.0
    m_tau = mass(15)
    lam2 = m_tau**2 * np.exp(-4.0 * np.pi / (beta0 * _ALPHAS_MTAU))
    return 4.0 * np.pi / (beta0 * np.log(np.maximum(q, 0.5) ** 2 / lam2))


def _p(sqrt_s: np.ndarray, m: float) -> np.ndarray:
    return np.sqrt(np.clip(sqrt_s**2 / 4.0 - m * m, 0.0, None))


def _bw(s: np.ndarray, m: float, gamma_s: np.ndarray, gee: float, ghad: np.ndarray) -> np.ndarray:
    return 9.0 / ALPHA**2 * m * m * gee * ghad / ((s - m * m) ** 2 + m * m * gamma_s**2)


def r_resonances(sqrt_s: ArrayLike, narrow: bool = False) -> np.ndarray:
    """Vector-meson part of R: ρ, ω, φ Breit–Wigners (and J/ψ, ψ(2S) if ``narrow``)."""
    e = np.asarray(sqrt_s, dtype=float)
    s = e * e
    out = np.zeros_like(e)
    open_pi = e > 2.0 * M_PI
    m, g = _mw("rho")
    with np.errstate(divide="ignore", invalid="ignore"):
        run = np.where(open_pi, (m / e) * (_p(e, M_PI) / _p(np.asarray(m), M_PI)) ** 3, 0.0)
    out += np.where(open_pi, _bw(s, m, g * run, _GEE["rho"], g * run), 0.0)
    m, g = _mw("omega")
    out += np.where(e > 3.0 * M_PI, _bw(s, m, np.asarray(g), _GEE["omega"], np.asarray(g)), 0.0)
    m, g = _mw("phi")
    with np.errstate(divide="ignore", invalid="ignore"):
        kk = (m / e) * (_p(e, M_K) / _p(np.asarray(m), M_K)) ** 3
    g_s = g * (_B_PHI_KK * kk + (1.0 - _B_PHI_KK))
    out += np.where(e > 3.0 * M_PI, _bw(s, m, g_s, _GEE["phi"], g_s), 0.0)
    if narrow:
        for key in ("jpsi", "psi2s"):
            m, g = _mw(key)
            out += _bw(s, m, np.asarray(g), _GEE[key], np.asarray(g * _BHAD[key]))
    return out


def _threshold(sqrt_s: np.ndarray, m_open: float) -> np.ndarray:
    b2 = np.clip(1.0 - 4.0 * m_open**2 / np.maximum(sqrt_s, 1e-9) ** 2, 0.0, None)
    b = np.sqrt(b2)
    return b * (3.0 - b2) / 2.0


def r_perturbative(sqrt_s: ArrayLike) -> np.ndarray:
    """(1 + α_s/π)·3·[Q_u² + Q_d² + Q_s² + Q_c² v(β_D) + Q_b² v(β_B)], open c and b thresholds at
    2m_D⁰ and 2m_B⁰ (quark-parton model with the first QCD correction) [RECALLED]."""
    e = np.asarray(sqrt_s, dtype=float)
    flav = 3.0 * (6.0 / 9.0 + 4.0 / 9.0 * _threshold(e, mass(421))
                  + 1.0 / 9.0 * _threshold(e, mass(511)))
    return (1.0 + alpha_s(e) / np.pi) * flav


def r_table_model(sqrt_s: ArrayLike) -> np.ndarray:
    """The model that ``data/rratio.csv`` tabulates (see module docstring); 0 below 2m_π."""
    e = np.asarray(sqrt_s, dtype=float)
    res = r_resonances(e)
    w = np.clip((e - _LOW) / (_HIGH - _LOW), 0.0, 1.0)
    out = (1.0 - w) * res + w * r_perturbative(e)
    return np.where(e > 2.0 * M_PI, out, 0.0)


def _grid() -> np.ndarray:
    return np.unique(np.round(np.concatenate([
        np.arange(0.280, 1.6, 0.001), np.arange(0.99, 1.06, 0.00025),
        np.arange(1.6, 11.0001, 0.01)]), 6))


@cache
def _table() -> tuple[np.ndarray, np.ndarray]:
    text = resources.files("darkscan.models").joinpath("data/rratio.csv").read_text("utf-8")
    data = np.loadtxt(text.splitlines(), delimiter=",", comments="#", skiprows=0)
    return data[:, 0], data[:, 1]


def r_ratio(sqrt_s: ArrayLike, narrow: bool = False) -> np.ndarray:
    """R(√s) interpolated (linearly) from the shipped table; 0 below 2m_π, the perturbative
    formula above 11 GeV. ``narrow=True`` adds the J/ψ and ψ(2S) Breit–Wigners."""
    e = np.asarray(sqrt_s, dtype=float)
    x, y = _table()
    out = np.interp(e, x, y, left=0.0, right=np.nan)
    out = np.where(e > x[-1], r_perturbative(e), out)
    out = np.where(e > 2.0 * M_PI, out, 0.0)
    if narrow:
        r_n = r_resonances(e, narrow=True) - r_resonances(e, narrow=False)
        out = out + r_n
    return out


def _write_table() -> None:  # pragma: no cover - maintenance entry point
    x = _grid()
    y = r_table_model(x)
    path = resources.files("darkscan.models").joinpath("data/rratio.csv")
    with open(str(path), "w", encoding="utf-8") as fh:
        fh.write("# darkscan approximate R ratio (see darkscan/models/rratio.py docstring);"
                 " columns: sqrt_s [GeV], R\n")
        for a, b in zip(x, y, strict=True):
            fh.write(f"{a:.5f},{b:.6g}\n")


if __name__ == "__main__":  # pragma: no cover
    _write_table()
