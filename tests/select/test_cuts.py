"""Selection cuts on flat ntuples (the parser itself is tested in tests/foundation/test_expr.py)."""

from __future__ import annotations

import awkward as ak
import numpy as np

import darkscan.expr
import darkscan.select
from darkscan.events import Sample, SampleMeta
from darkscan.select import apply_cut

COLS = {"M": np.array([0.5, 1.0, 2.0, 3.0]), "p_cms": np.array([1.0, 2.0, 3.0, 4.0]),
        "muonID": np.array([0.95, 0.2, 0.99, 0.91])}


def test_select_reexports_the_shared_parser() -> None:
    for name in ("Cut", "CutError", "evaluate"):
        assert getattr(darkscan.select, name) is getattr(darkscan.expr, name)
    assert darkscan.select.evaluate("M > 0.9", COLS).tolist() == [False, True, True, True]


def test_apply_cut_on_ntuple() -> None:
    s = Sample(ak.zip({**COLS, "weight": np.ones(4)}), SampleMeta(process="x", kind="ntuple"))
    out = apply_cut(s, "M > 0.9 and muonID > 0.9")
    assert len(out) == 2 and ak.to_list(out.events.M) == [2.0, 3.0]
