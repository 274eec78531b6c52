"""Track finders on CDC hit tables: ``legendre`` (baseline, :mod:`.legendre`) and ``gnn``
(object condensation, :mod:`.gnn`). Output: one row per track (``evt_id``, ``charge``, momentum,
``d0``, ``z0``, ``tanl``, first-hit position, ``n_hits``) and ``hit_index``, the rows of the hit
table the track holds (what the evaluation matches)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from darkscan.errors import NotAvailableError, unknown

FINDERS = ("legendre", "gnn")


def find_tracks(table: dict[str, np.ndarray], finder: str = "legendre",
                b_field: float = 1.5, model_path: Path | None = None) -> dict[str, np.ndarray]:
    """Tracks of every event of a hit table (:func:`hits.read_hits`)."""
    if finder == "legendre":
        from darkscan.detector.cdc.legendre import find_tracks_legendre

        return find_tracks_legendre(table, b_field)
    if finder == "gnn":
        try:
            from darkscan.detector.cdc.gnn import find_tracks_gnn
        except ImportError as exc:
            raise NotAvailableError(f"the GNN finder needs torch and torch_geometric "
                                    f"(pip install 'darkscan[ml]'): {exc}") from None
        return find_tracks_gnn(table, b_field, model_path=model_path)
    raise unknown("finder", finder, FINDERS)
