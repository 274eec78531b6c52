"""Input validation shared by the statistics functions: one clear ParameterError per problem."""

from __future__ import annotations

import numpy as np

from darkscan.errors import ParameterError


def as_array(name: str, value: object, *, allow_zero: bool = True, positive: bool = False,
             upper: float | None = None) -> np.ndarray:
    """Convert ``value`` to a float array of ndim ≤ 1, checking finiteness and sign."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a number or a 1-D array of numbers, "
                             f"got {value!r}") from exc
    if arr.ndim > 1:
        raise ParameterError(f"{name} must be a scalar or a 1-D array (one entry per window), "
                             f"got shape {arr.shape}")
    if np.any(~np.isfinite(arr)):
        raise ParameterError(f"{name} contains NaN or infinite values; pass finite numbers")
    if np.any(arr < 0):
        raise ParameterError(f"{name} must be non-negative, got min {arr.min():g}")
    if (positive or not allow_zero) and np.any(arr <= 0):
        raise ParameterError(f"{name} must be strictly positive, got min {arr.min():g}")
    if upper is not None and np.any(arr > upper):
        raise ParameterError(f"{name} must be at most {upper:g}, got max {arr.max():g}")
    return arr


def check_cl(cl: object) -> float:
    try:
        c = float(cl)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"cl must be a number in (0, 1), got {cl!r}") from exc
    if not (0.0 < c < 1.0):
        raise ParameterError(f"cl must lie strictly between 0 and 1 (e.g. 0.9), got {cl!r}")
    return c


def broadcast(**arrays: np.ndarray) -> tuple[list[np.ndarray], bool]:
    """Broadcast 0-d/1-D arrays to a common 1-D shape; returns (arrays, all_scalar)."""
    sizes = {k: v.size for k, v in arrays.items() if v.ndim == 1}
    lengths = set(sizes.values())
    if len(lengths - {1}) > 1:
        desc = ", ".join(f"{k} has {n}" for k, n in sizes.items())
        raise ParameterError(f"array arguments must have the same length (one entry per window): "
                             f"{desc}")
    n = max(lengths - {1}, default=1)
    scalar = not sizes
    out = [np.broadcast_to(v.reshape(-1) if v.ndim else v, (n,)).astype(float, copy=True)
           for v in arrays.values()]
    return out, scalar
