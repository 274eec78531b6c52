"""darkscan: the Belle II dark-sector search programme, end to end, on simulated data.

Layers (see docs/ARCHITECTURE.md): physics → models → generate → detector → reco → select →
stats → interpret → report, wired per search in ``searches`` and run by ``run``.

The public API is reachable from ``import darkscan`` and loaded on first use, so the import
itself stays cheap: ``darkscan.searches.get(name)`` (a typed ``Search``),
``darkscan.run_search(search, out_dir=...)``, ``darkscan.stats.upper_limits(...)``,
``darkscan.generate.cross_section(process, **params)``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "generate", "run_search", "searches", "stats"]

#: public subpackages, imported on first attribute access
_SUBPACKAGES = ("generate", "searches", "stats")
#: public functions: name → module that defines it (resolved by name on first access)
_FUNCTIONS = {"run_search": "darkscan.searches.runner"}

if TYPE_CHECKING:
    from darkscan import generate, searches, stats
    from darkscan.searches.runner import run_search


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(_FUNCTIONS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
