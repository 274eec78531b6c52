"""Integrated luminosity with units. darkscan stores luminosity in pb⁻¹ (cross sections in pb)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from darkscan.errors import ParameterError

# inverse-luminosity unit -> factor to pb⁻¹
_PER_UNIT = {"pb": 1.0, "fb": 1.0e3, "ab": 1.0e6, "nb": 1.0e-3}
#: accepted range in pb⁻¹: 1/nb to 10⁴/ab
MIN_PER_PB = 1.0e-3
MAX_PER_PB = 1.0e10
_PATTERN = re.compile(r"^\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*/\s*(pb|fb|ab|nb)\s*$")


@dataclass(frozen=True, order=True)
class Luminosity:
    """An integrated luminosity; ``per_pb`` is the value in pb⁻¹."""

    per_pb: float

    @property
    def per_fb(self) -> float:
        return self.per_pb / 1.0e3

    def label(self) -> str:
        """Human-readable label in the most natural unit (e.g. ``79.7 fb⁻¹``)."""
        for unit, factor in (("ab", 1e6), ("fb", 1e3), ("pb", 1.0)):
            if self.per_pb >= factor:
                return f"{self.per_pb / factor:.4g} {unit}⁻¹"
        return f"{self.per_pb:.4g} pb⁻¹"

    def slug(self) -> str:
        """File-name-safe label, e.g. ``79.7fb``."""
        return self.label().replace(" ", "").replace("⁻¹", "")

    def __str__(self) -> str:
        return self.label()


def parse_luminosity(text: str | float | Luminosity) -> Luminosity:
    """Parse ``'79.7/fb'``, ``'50/ab'``, ``'445/pb'`` into a :class:`Luminosity`.

    >>> parse_luminosity("79.7/fb").per_pb
    79700.0
    """
    if isinstance(text, Luminosity):
        return text
    if isinstance(text, int | float):
        value, factor = float(text), 1.0
    else:
        m = _PATTERN.match(str(text))
        if not m:
            raise ParameterError(
                f"malformed luminosity '{text}': write a positive number, a slash and a unit, "
                "e.g. 79.7/fb, 50/ab or 445/pb")
        value, factor = float(m.group(1)), _PER_UNIT[m.group(2)]
    if not math.isfinite(value):
        raise ParameterError(f"luminosity '{text}' is not a finite number; write e.g. 79.7/fb")
    if value <= 0:
        raise ParameterError(f"luminosity must be positive, got '{text}'")
    per_pb = value * factor
    # outside these bounds event weights and limits over- or underflow deep in a run; no
    # e+e- collider comes near either (Belle II's goal is 50/ab)
    if per_pb > MAX_PER_PB:
        raise ParameterError(f"luminosity '{text}' is too large: at most "
                             f"{MAX_PER_PB / 1e6:g}/ab (200 × Belle II's 50/ab goal)")
    if per_pb < MIN_PER_PB:
        raise ParameterError(f"luminosity '{text}' is too small: at least "
                             f"{MIN_PER_PB * 1e3:g}/nb")
    return Luminosity(per_pb)
