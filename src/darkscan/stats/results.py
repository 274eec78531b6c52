"""Frozen result containers of the statistics layer (cabinetry-style: typed, with ``to_dict``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Order of the expected-limit band rows: -2σ, -1σ, median, +1σ, +2σ.
BAND_KEYS: tuple[str, ...] = ("-2", "-1", "0", "+1", "+2")
BAND_SIGMAS: np.ndarray = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])


def _out(a: np.ndarray, scalar: bool) -> float | list[float]:
    a = np.asarray(a, dtype=float)
    return float(a.reshape(-1)[0]) if scalar else [float(v) for v in a.reshape(-1)]


@dataclass(frozen=True)
class LimitResult:
    """Upper limits for one or many windows.

    ``observed`` has shape ``(n,)``; ``expected`` has shape ``(5, n)`` with rows ordered
    -2σ, -1σ, median, +1σ, +2σ (smallest to largest limit). Values are limits on the number of
    signal events divided by ``eff`` (and by ``lumi`` when given: a cross section in the inverse
    unit of ``lumi``). ``scalar`` records that the inputs were scalars, so :meth:`to_dict` returns
    floats rather than lists.
    """

    observed: np.ndarray
    expected: np.ndarray
    method: str
    cl: float
    scalar: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return int(self.observed.shape[0])

    def to_dict(self) -> dict[str, object]:
        """``{"method", "cl", "upper_limit", "expected": {"-2", "-1", "0", "+1", "+2"}}``."""
        return {
            "method": self.method,
            "cl": float(self.cl),
            "upper_limit": _out(self.observed, self.scalar),
            "expected": {k: _out(self.expected[i], self.scalar) for i, k in enumerate(BAND_KEYS)},
        }


@dataclass(frozen=True)
class SignificanceResult:
    """Discovery test of the background-only hypothesis: local p-value and significance Z."""

    p0: np.ndarray
    z: np.ndarray
    scalar: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"p0": _out(self.p0, self.scalar), "z": _out(self.z, self.scalar)}
