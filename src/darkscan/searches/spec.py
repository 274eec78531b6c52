"""Declarative pieces a search is written with: samples, selection, windows, interpretation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: A truth-level filter: (truth particles of a chunk) -> boolean mask per event. It runs before
#: the detector simulation, so that only events that can pass the selection are simulated; the
#: sample keeps its generated count, so its luminosity equivalent is unchanged.
TruthFilter = Callable[[object], np.ndarray]


@dataclass(frozen=True)
class SampleSpec:
    """A simulated sample: process, parameters and how many events to generate.

    ``id`` is stable and ASCII: random seeds and cache keys derive from it, never from the
    display ``label``, so renaming a label changes no event."""

    id: str
    process: str
    n_events: int
    n_quick: int
    label: str
    params: dict[str, float] = field(default_factory=dict)
    truth_filter: TruthFilter | None = None
    filter_label: str = ""

    def n(self, quick: bool, scale: float = 1.0) -> int:
        return max(1000, int((self.n_quick if quick else self.n_events) * scale))


@dataclass(frozen=True)
class Interpretation:
    """A model in which σ(signal) × B(decay) is interpreted as a coupling limit."""

    model: str                       #: column suffix, e.g. "vanilla"
    coupling: str                    #: parameter name, e.g. "gprime"
    branching: Callable[[np.ndarray], np.ndarray]  #: B(decay searched for) vs mass
    description: str


@dataclass(frozen=True)
class RecoilWindowSearch:
    """A search for a narrow peak in a discriminant (recoil mass²) with counting windows.

    Windows are ±``window_n_sigma`` resolution widths around the signal peak, the widths
    measured on the signal samples at each mass.

    ``background_norm``: "mc" predicts each window's background from the simulation with a
    relative normalisation systematic ``background_syst``; "sideband" takes the simulated shape
    and normalises it to the (pseudo-)data in sidebands one window width wide on either side,
    so the normalisation uncertainty is the sidebands' Poisson error and ``background_syst`` is
    only the residual uncertainty on the window/sideband ratio (shape).
    """

    name: str
    title: str
    references: tuple[str, ...]
    signal: SampleSpec
    masses: tuple[float, ...]
    masses_quick: tuple[float, ...]
    backgrounds: tuple[SampleSpec, ...]
    decay: str
    selection: tuple[str, ...]
    discriminant: str
    discriminant_label: str
    discriminant_unit: str
    discriminant_range: tuple[float, float]
    default_lumi: str
    cl: float
    method: str
    background_syst: float
    interpretations: tuple[Interpretation, ...]
    window_n_sigma: float = 2.0
    background_norm: str = "mc"
    columns: tuple[str, ...] = ()
    validation: dict[str, object] = field(default_factory=dict)
