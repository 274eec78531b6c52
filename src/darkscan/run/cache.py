"""Content-hashed stage cache. A stage output is keyed by (stage, config, input keys, code
fingerprint, darkscan version) and redone only when one of them changes. Writes are atomic
(temporary file, then rename), so a run killed at any point restarts cleanly: finished chunks
are reused, unfinished ones are redone.

Opening a cache folder removes the temporary files that no live writer will finish (a run killed
while writing: :func:`darkscan.events.parquet.remove_orphans`). A cached file that cannot be read
(truncated, damaged: parquet page checksums, pickle errors) is removed and recomputed, with one
line on stderr saying so."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from darkscan import __version__
from darkscan.errors import InputFileError
from darkscan.events import Sample, read_sample, write_sample
from darkscan.events.parquet import atomic_write, remove_orphans

T = TypeVar("T")


@cache
def code_fingerprint(module_name: str) -> str:
    """Hash of a module's source (of every file, for a package), so that changing the code of a
    stage invalidates its cache."""
    import importlib

    module = importlib.import_module(module_name)
    h = hashlib.sha256(module_name.encode())
    paths = getattr(module, "__path__", None)
    files = (sorted(Path(paths[0]).rglob("*.py")) if paths
             else [Path(module.__file__)] if getattr(module, "__file__", None) else [])
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _canonical(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, list | tuple):
        return [_canonical(v) for v in obj]
    if isinstance(obj, float):
        return repr(obj)
    if hasattr(obj, "item"):  # numpy scalars
        return _canonical(obj.item())
    return obj if isinstance(obj, int | str | bool | type(None)) else repr(obj)


def stage_key(stage: str, config: Mapping[str, Any], inputs: tuple[str, ...] = (),
              code: tuple[str, ...] = ()) -> str:
    """Key of a stage output: a hash over everything that determines it."""
    payload = json.dumps({"stage": stage, "config": _canonical(config), "inputs": list(inputs),
                          "code": [code_fingerprint(m) for m in code], "version": __version__},
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


@cache
def _clean_once(root: Path) -> int:
    """Remove the orphaned temporary files under ``root``, once per process and folder."""
    return len(remove_orphans(root))


def _recompute_note(path: Path, exc: BaseException) -> None:
    print(f"cache: {path} was unreadable ({type(exc).__name__}); removed it, recomputing",
          file=sys.stderr, flush=True)
    path.unlink(missing_ok=True)


class StageCache:
    """A folder of stage outputs: parquet for samples, pickle for other results."""

    def __init__(self, root: str | os.PathLike[str] | None) -> None:
        self.root = None if root is None else Path(root)
        self.hits = 0
        self.misses = 0
        self.recomputed = 0
        if self.root is not None:
            _clean_once(self.root.resolve())

    def _path(self, stage: str, key: str, ext: str) -> Path:
        assert self.root is not None
        return self.root / stage / f"{key}.{ext}"

    def has_sample(self, stage: str, key: str) -> bool:
        """Whether a sample is stored for ``key`` (without reading it)."""
        return self.root is not None and self._path(stage, key, "parquet").is_file()

    def sample(self, stage: str, key: str, compute: Callable[[], Sample]) -> Sample:
        """Return the cached sample for ``key`` or compute, store atomically and return it."""
        if self.root is None:
            return compute()
        path = self._path(stage, key, "parquet")
        if path.is_file():
            try:
                sample = read_sample(path)
                self.hits += 1
                return sample
            except InputFileError as exc:
                _recompute_note(path, exc)
                self.recomputed += 1
        self.misses += 1
        result = compute()
        write_sample(result, path)
        return result

    def value(self, stage: str, key: str, compute: Callable[[], T]) -> T:
        """Same as :meth:`sample` for any picklable result (limits, histograms, tables)."""
        if self.root is None:
            return compute()
        path = self._path(stage, key, "pkl")
        if path.is_file():
            try:
                with path.open("rb") as fh:
                    value = pickle.load(fh)
                self.hits += 1
                return value
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
                    ImportError, IndexError) as exc:  # what a damaged pickle raises
                _recompute_note(path, exc)
                self.recomputed += 1
        self.misses += 1
        result = compute()
        with atomic_write(path) as tmp, tmp.open("wb") as fh:
            pickle.dump(result, fh)
        return result
