"""Parquet round trip of samples, metadata in the file's key–value metadata. Writes are atomic."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import awkward as ak
import pyarrow.parquet as pq

from darkscan.errors import InputFileError
from darkscan.events.model import Sample, SampleMeta

_META_KEY = b"darkscan.meta"


def atomic_path(target: Path) -> Path:
    """A temporary path in the same folder as ``target`` (rename is atomic within a filesystem)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(tmp)


def write_sample(sample: Sample, path: str | os.PathLike[str]) -> Path:
    """Write ``sample`` to ``path`` atomically (temporary file, then rename)."""
    target = Path(path)
    table = ak.to_arrow_table(sample.events, extensionarray=False)
    meta = dict(table.schema.metadata or {})
    meta[_META_KEY] = sample.meta.to_json().encode()
    table = table.replace_schema_metadata(meta)
    tmp = atomic_path(target)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def read_sample(path: str | os.PathLike[str]) -> Sample:
    """Read a sample written by :func:`write_sample`."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"input file '{p}' does not exist")
    try:
        table = pq.read_table(p)
    except Exception as exc:
        raise InputFileError(f"'{p}' is not a readable parquet file ({exc})") from None
    raw = (table.schema.metadata or {}).get(_META_KEY)
    if raw is None:
        raise InputFileError(f"'{p}' has no darkscan metadata; write it with darkscan generate")
    return Sample(ak.from_arrow(table), SampleMeta.from_json(raw.decode()))
