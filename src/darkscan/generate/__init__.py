"""Event generation: helicity amplitudes, phase space, integration and unweighting, ISR and beam
effects, processes, the Pythia 8 bridge. Must not smear anything (that is ``detector``)."""

from darkscan.generate.registry import (
    PROCESSES,
    Process,
    ProcessParam,
    XsecResult,
    cross_section,
    generate,
    get_process,
    process_names,
    register,
    register_lazy,
    resolve_params,
)

__all__ = ["PROCESSES", "Process", "ProcessParam", "XsecResult", "cross_section", "generate",
           "get_process", "process_names", "register", "register_lazy", "resolve_params"]
from darkscan.generate import catalog as _catalog  # noqa: F401  (registers process names)
