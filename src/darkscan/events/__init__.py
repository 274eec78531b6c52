"""Event data model shared by every stage: awkward records plus sample metadata, stored as parquet.

Truth samples: one record per event with ``particles`` (a list of records with fields
:data:`PARTICLE_FIELDS`) and ``weight``. Reconstructed ntuples: flat records, one per candidate
(or event), always with ``weight``. Both travel with a :class:`SampleMeta`.
"""

from darkscan.events.model import (
    PARTICLE_FIELDS,
    STATUS_BEAM,
    STATUS_DECAYED,
    STATUS_FINAL,
    Sample,
    SampleMeta,
    make_truth_events,
)
from darkscan.events.parquet import read_sample, write_sample

__all__ = ["PARTICLE_FIELDS", "STATUS_BEAM", "STATUS_DECAYED", "STATUS_FINAL", "Sample",
           "SampleMeta", "make_truth_events", "read_sample", "write_sample"]
