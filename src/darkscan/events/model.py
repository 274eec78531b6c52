"""Truth-event records and sample metadata."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import awkward as ak
import numpy as np

from darkscan import __version__

#: Per-particle fields of truth events: PDG id, four-momentum (GeV), production vertex (cm),
#: production time (ns), index of the mother within the event (−1: none), status (HepMC codes).
PARTICLE_FIELDS = ("pdg", "px", "py", "pz", "E", "vx", "vy", "vz", "t", "mother", "status")
STATUS_FINAL = 1     #: stable, reaches the detector (or escapes it, if invisible)
STATUS_DECAYED = 2   #: decayed; its daughters point to it through ``mother``
STATUS_BEAM = 4      #: incoming beam particle


@dataclass(frozen=True)
class SampleMeta:
    """What a sample is: process, parameters, cross section, filter, seed, provenance.

    ``sigma_pb`` is the cross section of the generated (post-filter) sample, so that the
    luminosity-equivalent of a sample of N unit-weight events is N / sigma_pb.
    """

    process: str
    params: dict[str, float] = field(default_factory=dict)
    sigma_pb: float = float("nan")
    error_pb: float = float("nan")
    filter: str = ""
    seed: int | None = None
    n_generated: int = 0
    experiment: str = "belle2"
    isr: bool = True
    kind: str = "truth"                #: "truth" or "ntuple"
    generator: str = "darkscan"
    darkscan_version: str = __version__
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, default=float)

    @classmethod
    def from_json(cls, text: str) -> SampleMeta:
        return cls(**json.loads(text))

    def with_(self, **changes: Any) -> SampleMeta:
        return replace(self, **changes)

    @property
    def mc_luminosity_per_pb(self) -> float:
        """Luminosity equivalent of the sample (pb⁻¹) for unit-weight events."""
        return self.n_generated / self.sigma_pb if self.sigma_pb > 0 else float("nan")


@dataclass(frozen=True)
class Sample:
    """Events (awkward record array) plus metadata."""

    events: ak.Array
    meta: SampleMeta

    def __len__(self) -> int:
        return len(self.events)

    @property
    def weight(self) -> np.ndarray:
        return ak.to_numpy(self.events["weight"])

    @property
    def particles(self) -> ak.Array:
        return self.events["particles"]


def make_truth_events(counts: np.ndarray, weight: np.ndarray, **columns: np.ndarray) -> ak.Array:
    """Build truth events from flat per-particle columns and per-event particle counts.

    ``columns`` must hold every name in :data:`PARTICLE_FIELDS` as 1-D arrays of equal length
    (``sum(counts)``). Missing vertex/time columns default to zero, ``mother`` to −1 and
    ``status`` to final state.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n_tot = int(counts.sum())
    defaults = {"vx": 0.0, "vy": 0.0, "vz": 0.0, "t": 0.0, "mother": -1, "status": STATUS_FINAL}
    cols: dict[str, np.ndarray] = {}
    for name in PARTICLE_FIELDS:
        if name in columns:
            arr = np.asarray(columns[name])
        elif name in defaults:
            arr = np.full(n_tot, defaults[name])
        else:
            raise ValueError(f"truth events need the particle column '{name}'")
        if arr.shape != (n_tot,):
            raise ValueError(f"column '{name}' has shape {arr.shape}, expected ({n_tot},)")
        dtype = np.int32 if name in ("pdg", "mother", "status") else np.float64
        cols[name] = np.ascontiguousarray(arr, dtype=dtype)  # parquet needs contiguous
    particles = ak.unflatten(ak.zip(cols), counts)
    return ak.zip({"particles": particles, "weight": np.asarray(weight, dtype=np.float64)},
                  depth_limit=1)
