"""Content-hashed stage cache. A stage output is keyed by (stage, config, input keys, code
fingerprint, darkscan version) and redone only when one of them changes. Writes are atomic
(temporary file, then rename), so a run killed at any point restarts cleanly: finished chunks
are reused, unfinished ones are redone."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from darkscan import __version__
from darkscan.events import Sample, read_sample, write_sample
from darkscan.events.parquet import atomic_path

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


class StageCache:
    """A folder of stage outputs: parquet for samples, pickle for other results."""

    def __init__(self, root: str | os.PathLike[str] | None) -> None:
        self.root = None if root is None else Path(root)
        self.hits = 0
        self.misses = 0

    def _path(self, stage: str, key: str, ext: str) -> Path:
        assert self.root is not None
        return self.root / stage / f"{key}.{ext}"

    def sample(self, stage: str, key: str, compute: Callable[[], Sample]) -> Sample:
        """Return the cached sample for ``key`` or compute, store atomically and return it."""
        if self.root is None:
            return compute()
        path = self._path(stage, key, "parquet")
        if path.is_file():
            self.hits += 1
            return read_sample(path)
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
            self.hits += 1
            with path.open("rb") as fh:
                return pickle.load(fh)
        self.misses += 1
        result = compute()
        tmp = atomic_path(path)
        try:
            with tmp.open("wb") as fh:
                pickle.dump(result, fh)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return result
