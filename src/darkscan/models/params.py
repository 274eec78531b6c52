"""The one parameter table of darkscan: names, units, ranges and validation.

:data:`PARAMETERS` holds every parameter a model function or a generator process takes: the
stable model parameters of DESIGN.md §5 and the generator settings (``kind="generator"``, e.g.
``pt_pair_min``). A process declares only which of these it takes, with its default and what the
parameter does there (:class:`darkscan.generate.registry.ProcessParam`); its range comes from
here. Limits that depend on the process (a mass below √s − 2m_μ, a coupling that must not vanish
for events to be generated) are checked by the process itself.

Every model function calls the helpers here, so a negative coupling or a mass above the kinematic
limit fails with a :class:`darkscan.errors.ParameterError` naming the parameter and its allowed
range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from darkscan.errors import ParameterError, unknown

#: √s of the Belle II preset rounded as in the reference (theory_detector.md conventions), GeV.
SQRT_S_MAX = 10.58

__all__ = ["PARAMETERS", "SQRT_S_MAX", "ParameterKind", "ParameterSpec", "parameter_spec",
           "require_in_range", "require_nonnegative", "require_positive", "validate_param",
           "validate_params"]


ParameterKind = Literal["model", "generator"]


@dataclass(frozen=True)
class ParameterSpec:
    """Allowed range of one parameter; ``low_open``/``high_open`` exclude the end point.
    ``kind``: a model parameter (DESIGN.md §5) or a generator setting (e.g. a generator-level
    filter threshold)."""

    name: str
    low: float
    high: float
    low_open: bool
    high_open: bool
    unit: str
    description: str
    kind: ParameterKind = "model"

    def range_text(self) -> str:
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        unit = f" {self.unit}" if self.unit else ""
        return f"{lo}{self.low:g}, {self.high:g}{hi}{unit}"


def _spec(name: str, low: float, high: float, low_open: bool, high_open: bool, unit: str,
          description: str, kind: ParameterKind = "model") -> ParameterSpec:
    return ParameterSpec(name, low, high, low_open, high_open, unit, description, kind)


_INF = float("inf")
#: Every parameter name (DESIGN.md §5 model parameters, then generator settings) with its unit
#: and allowed range.
PARAMETERS: dict[str, ParameterSpec] = {s.name: s for s in (
    _spec("mass", 0.0, SQRT_S_MAX, True, False, "GeV", "mediator mass, up to √s"),
    _spec("gprime", 0.0, np.sqrt(4 * np.pi), False, False, "", "L_μ−L_τ gauge coupling g′"),
    _spec("epsilon", 0.0, 1.0, False, False, "", "kinetic-mixing parameter ε"),
    _spec("alpha_d", 0.0, 1.0, False, False, "", "dark fine-structure constant α_D = g_D²/4π"),
    _spec("gagg", 0.0, 1.0, False, False, "GeV⁻¹", "ALP–photon coupling g_aγγ"),
    _spec("gaw", 0.0, 1.0, False, False, "GeV⁻¹", "ALP–W coupling g_aW"),
    _spec("gs", 0.0, np.sqrt(4 * np.pi), False, False, "", "muonphilic Yukawa coupling g_S"),
    _spec("gbl", 0.0, np.sqrt(4 * np.pi), False, False, "", "B−L gauge coupling g_BL"),
    _spec("sin_theta", -1.0, 1.0, False, False, "", "scalar–Higgs mixing sinθ"),
    _spec("mass_chi1", 0.0, SQRT_S_MAX / 2, False, False, "GeV",
          "dark fermion mass: the lighter state χ₁ of inelastic DM, or the Dirac χ of A′ → χχ̄ "
          "(0: massless)"),
    _spec("delta", 0.0, SQRT_S_MAX, True, False, "GeV", "mass splitting m_χ2 − m_χ1 (> 0)"),
    _spec("mass_darkphoton", 0.0, SQRT_S_MAX, True, False, "GeV", "dark-photon mass"),
    _spec("mass_darkhiggs", 0.0, SQRT_S_MAX, True, False, "GeV", "dark-Higgs mass"),
    _spec("ctau", 0.0, _INF, True, True, "cm", "proper decay length"),
    _spec("br_invisible", 0.0, 1.0, False, False, "", "invisible branching fraction"),
    _spec("xi", 0.0, 1000.0, False, False, "",
          "leptophilic-scalar coupling ξ: Yukawa ξ m_ℓ/v to each charged lepton (the τ Yukawa "
          "reaches √4π at ξ ≈ 490)"),
    _spec("cll", 0.0, 10.0, False, False, "GeV⁻¹",
          "ALP–lepton coupling C_ℓℓ/Λ: pseudoscalar Yukawa (C_ℓℓ/Λ) m_ℓ to each charged lepton "
          "(the τ Yukawa reaches √4π at ≈ 2 GeV⁻¹)"),
    _spec("pt_pair_min", 0.0, 5.0, False, False, "GeV",
          "generator-level filter: lepton-pair p_T in the CMS above this", kind="generator"),
    _spec("pt_pair_max", 0.0, 5.0, True, False, "GeV",
          "generator-level filter: lepton-pair p_T in the CMS at most this (a slice of a "
          "p_T-filtered sample)", kind="generator"),
    _spec("q2_tag_min", 0.0, 10.0, False, False, "GeV²",
          "generator-level cut: Q² of each scattered beam lepton of a two-photon final state "
          "above this (a double tag: both at wide angle; 0: none)", kind="generator"),
    _spec("w_pair_min", 0.3, 5.0, False, False, "GeV",
          "generator-level cut: invariant mass of each opposite-charge same-flavour lepton pair "
          "of a four-lepton final state above this (W_ll)", kind="generator"),
    _spec("theta_min_cms", 0.0, 180.0, True, True, "deg",
          "generator-level filter: polar angle of each selected particle in the e+e- CMS above "
          "this", kind="generator"),
    _spec("theta_max_cms", 0.0, 180.0, True, True, "deg",
          "generator-level filter: polar angle of each selected particle in the e+e- CMS below "
          "this", kind="generator"),
    _spec("e_min_cms", 0.0, SQRT_S_MAX / 2, True, False, "GeV",
          "generator-level filter: energy of each selected particle in the e+e- CMS above this",
          kind="generator"),
    _spec("lepton_veto", 0.0, 1.0, False, False, "",
          "generator-level filter switch: 1 = the charged leptons must stay outside the CMS "
          "window theta_veto_min_cms < theta* < theta_veto_max_cms, 0 = no such condition",
          kind="generator"),
    _spec("theta_veto_min_cms", 0.0, 180.0, True, True, "deg",
          "generator-level filter: lower edge of the CMS polar-angle window the vetoed particles "
          "must stay out of", kind="generator"),
    _spec("theta_veto_max_cms", 0.0, 180.0, True, True, "deg",
          "generator-level filter: upper edge of the CMS polar-angle window the vetoed particles "
          "must stay out of", kind="generator"),
)}


def _fail(name: str, value: ArrayLike, allowed: str, extra: str = "") -> ParameterError:
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    bad = arr[~np.isfinite(arr)] if not np.all(np.isfinite(arr)) else arr
    shown = f"{bad.flat[0]:g}" if arr.size == 1 else f"values such as {bad.flat[0]:g}"
    tail = f"; {extra}" if extra else ""
    return ParameterError(f"parameter '{name}' = {shown} is outside its allowed range "
                          f"{allowed}{tail}")


def require_in_range(name: str, value: ArrayLike, low: float = -_INF, high: float = _INF, *,
                     low_open: bool = False, high_open: bool = False, unit: str = "",
                     extra: str = "") -> np.ndarray:
    """Return ``value`` as a float array, or raise ParameterError if any element is non-finite
    (NaN) or outside [low, high] (ends excluded with ``low_open``/``high_open``)."""
    arr = np.asarray(value, dtype=float)
    ok = ~np.isnan(arr)
    ok &= (arr > low) if low_open else (arr >= low)
    ok &= (arr < high) if high_open else (arr <= high)
    if not np.all(ok):
        spec = ParameterSpec(name, low, high, low_open, high_open, unit, "")
        bad = arr[~ok] if arr.ndim else arr
        raise _fail(name, bad, spec.range_text(), extra)
    return arr


def require_positive(name: str, value: ArrayLike, unit: str = "") -> np.ndarray:
    """Value > 0 (and finite)."""
    return require_in_range(name, value, 0.0, _INF, low_open=True, high_open=True, unit=unit)


def require_nonnegative(name: str, value: ArrayLike, unit: str = "") -> np.ndarray:
    """Value ≥ 0 (and finite)."""
    return require_in_range(name, value, 0.0, _INF, high_open=True, unit=unit)


def parameter_spec(name: str) -> ParameterSpec:
    """The table row of ``name``; an unknown name raises UnknownNameError listing the known."""
    try:
        return PARAMETERS[name]
    except KeyError:
        raise unknown("model parameter", name, list(PARAMETERS)) from None


def validate_param(name: str, value: ArrayLike, *, extra: str = "") -> np.ndarray:
    """Validate one parameter by name against the table and return it as a float array;
    ``extra`` is appended to the error message."""
    spec = parameter_spec(name)
    return require_in_range(name, value, spec.low, spec.high, low_open=spec.low_open,
                            high_open=spec.high_open, unit=spec.unit, extra=extra)


def validate_params(params: Mapping[str, ArrayLike] | None = None, /, *,
                    sqrt_s: float = SQRT_S_MAX, **kwargs: ArrayLike) -> dict[str, np.ndarray]:
    """Validate stable model parameters given as a mapping and/or keywords.

    Besides each parameter's own range it checks the relations between them: masses below
    ``sqrt_s``, ``delta`` > 0 (m_χ2 > m_χ1), and 2m_χ1 + Δ below √s.

    >>> validate_params(mass=1.0, gprime=0.1)["gprime"]
    array(0.1)
    """
    merged: dict[str, ArrayLike] = dict(params or {}) | kwargs
    out = {k: validate_param(k, v) for k, v in merged.items()}
    for key in ("mass", "mass_darkphoton", "mass_darkhiggs"):
        if key in out:
            require_in_range(key, out[key], 0.0, sqrt_s, low_open=True, unit="GeV",
                             extra=f"must be below the collision energy √s = {sqrt_s:g} GeV")
    if "mass_chi1" in out and "delta" in out:
        require_in_range("delta", out["delta"], 0.0, _INF, low_open=True, unit="GeV",
                         extra="m_χ2 must exceed m_χ1")
        total = 2.0 * out["mass_chi1"] + out["delta"]
        if np.any(total > sqrt_s):
            raise ParameterError(
                f"parameters 'mass_chi1' and 'delta': m_χ1 + m_χ2 = {np.max(total):g} GeV exceeds "
                f"√s = {sqrt_s:g} GeV; lower mass_chi1 or delta")
    return out
