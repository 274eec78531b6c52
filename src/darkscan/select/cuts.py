"""Cuts on flat ntuples: the rows of a :class:`~darkscan.events.Sample` passing an expression of
the restricted parser (:mod:`darkscan.expr`, shared with ``reco``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from darkscan.expr import evaluate

__all__ = ["apply_cut"]


def apply_cut(sample: Any, text: str) -> Any:
    """Rows of a flat ntuple :class:`~darkscan.events.Sample` passing the cut."""
    import awkward as ak

    from darkscan.events import Sample

    ev = sample.events
    cols = {f: ak.to_numpy(ev[f]) for f in ak.fields(ev)}
    mask = np.broadcast_to(evaluate(text, cols), (len(ev),)).astype(bool)
    return Sample(ev[mask], sample.meta)
