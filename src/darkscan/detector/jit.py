"""The one numba configuration of the detector and reco kernels.

Kernels are compiled once per machine (``cache=True``) and release the GIL. ``fastmath`` allows
reassociation and approximate functions but keeps NaN and infinity semantics: NaN marks
"nothing measured" (no layer crossed, no mass) and infinities mark "never" (no surface hit).

numba keys a cached kernel on its own source file only, while these kernels inline helpers from
sibling modules (geometry, resolution, helix): the cache locators registered here stamp every
kernel of ``darkscan.detector`` and ``darkscan.reco`` with a digest of all the kernel modules,
so an edit to any of them recompiles the kernels instead of loading a stale one.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import numba
from numba.core import caching

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
jit = numba.njit(cache=True, nogil=True, fastmath=FASTMATH)
#: for small helpers called from kernels: inlined at numba-IR level, so that arrays passed to
#: them cost no reference counting per call (a call boundary costs more than their arithmetic)
inline = numba.njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")

_PACKAGE = Path(__file__).resolve().parent.parent  # src/darkscan
_KERNEL_DIRS = (_PACKAGE / "detector", _PACKAGE / "reco")


@cache
def sources_digest() -> bytes:
    """Digest of every module that kernels (or the helpers they inline) live in: this one and
    those importing it."""
    h = hashlib.sha256()
    for d in _KERNEL_DIRS:
        for path in sorted(d.glob("*.py")):
            text = path.read_bytes()
            if path.name == "jit.py" or b"darkscan.detector.jit import" in text:
                h.update(path.name.encode())
                h.update(text)
    return h.digest()


def _is_kernel_source(py_file: str) -> bool:
    return Path(py_file).resolve().parent in _KERNEL_DIRS


class _PackageStamp:
    """Locator mixin: claim the kernel modules, stamp them with :func:`sources_digest`."""

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if not _is_kernel_source(py_file):
            return None
        return super().from_function(py_func, py_file)  # type: ignore[misc]

    def get_source_stamp(self) -> bytes:
        return sources_digest()


def _register_locators() -> None:
    names = ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator")
    bases = [getattr(caching, n, None) or getattr(caching, "_" + n, None) for n in names]
    impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)
    if impl is None or any(b is None for b in bases):  # another numba: per-file stamps only
        return
    ours = [type(f"Darkscan{b.__name__.lstrip('_')}", (_PackageStamp, b), {}) for b in bases]
    if not any(getattr(c, "__name__", "").startswith("Darkscan") for c in impl._locator_classes):
        impl._locator_classes[:0] = ours


_register_locators()
