"""darkscan: the Belle II dark-sector search programme, end to end, on simulated data.

Layers (see docs/ARCHITECTURE.md): physics → models → generate → detector → reco → select →
stats → interpret → report, wired per search in ``searches`` and run by ``run``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
