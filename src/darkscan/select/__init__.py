"""Selection: restricted cut expressions (no eval) evaluated on ntuple columns.

Must not know about limits."""

from darkscan.select.cuts import Cut, CutError, apply_cut, evaluate

__all__ = ["Cut", "CutError", "apply_cut", "evaluate"]
