"""Selection: restricted cut expressions (no eval, the parser of :mod:`darkscan.expr`)
evaluated on ntuple columns.

Must not know about limits."""

from darkscan.expr import Cut, CutError, evaluate
from darkscan.select.cuts import apply_cut

__all__ = ["Cut", "CutError", "apply_cut", "evaluate"]
