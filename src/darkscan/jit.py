"""The one numba configuration of darkscan: every compiled kernel of the package is declared with
a decorator from here (nothing else in the package calls ``numba.njit``).

All kernels are compiled once per machine (cached on disk, see below) and release the GIL. Two
kinds of floating-point arithmetic, chosen per layer:

- :data:`jit` / :data:`inline` (detector and reco kernels): ``fastmath`` allows reassociation and
  approximate functions but keeps NaN and infinity semantics: NaN marks "nothing measured" (no
  layer crossed, no mass) and infinities mark "never" (no surface hit). :data:`inline` is for
  small helpers called from kernels: inlined at numba-IR level, so that arrays passed to them cost
  no reference counting per call (a call boundary costs more than their arithmetic). A fastmath
  kernel that calls another :data:`jit` kernel may not compute the same bits when it is loaded
  from the cache as when it was just compiled (measured: the PID likelihood as a separate kernel
  gave scores differing in the last bit for 0.05% of tracks, the first run after an edit against
  every later one; the event thrust of 5.5% of B B̄ candidates likewise); inlined, it gives the same
  either way. So every kernel that a fastmath kernel calls is an :data:`inline` one (tested).
- :data:`jit_exact` (generator kernels and the Lorentz kernels of :mod:`darkscan.physics.lorentz`):
  IEEE arithmetic in the order written, with numpy's error model (x/0 gives ±inf or NaN instead of
  raising), so that a kernel gives bit for bit what the same formula gives in numpy.

Cache stamps: numba keys a cached kernel on its own source file only, while kernels inline helpers
from other modules (geometry, resolution, helix, the Lorentz kernels). Every kernel declared here
is stamped instead with a digest of all the modules that declare kernels (those importing this
module) and of this one, so an edit to any of them recompiles the kernels instead of loading a
stale one. The stamp is set per kernel (its own cache object): numba's global locator list is
left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numba
from numba.core import caching
from numba.core.dispatcher import Dispatcher

__all__ = ["FASTMATH", "inline", "jit", "jit_exact", "sources_digest"]

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
_FAST: dict[str, Any] = {"nogil": True, "fastmath": FASTMATH}
_EXACT: dict[str, Any] = {"nogil": True, "error_model": "numpy"}

_PACKAGE = Path(__file__).resolve().parent  # src/darkscan
_MARKER = b"from darkscan.jit import"


@cache
def sources_digest() -> bytes:
    """Digest of every module that declares kernels (imports this module) and of this one."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        text = path.read_bytes()
        if path == Path(__file__).resolve() or _MARKER in text:
            h.update(str(path.relative_to(_PACKAGE)).encode())
            h.update(text)
    return h.digest()


class _PackageStamp:
    """Locator mixin: stamp a kernel with :func:`sources_digest` instead of its own file."""

    def get_source_stamp(self) -> bytes:
        return sources_digest()


def _stamped_cache_class() -> type | None:
    """A numba FunctionCache whose locators carry :class:`_PackageStamp`; None on a numba
    without these internals (kernels then get numba's per-file stamps)."""
    names = ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator")
    bases = [getattr(caching, n, None) or getattr(caching, "_" + n, None) for n in names]
    impl = getattr(caching, "CompileResultCacheImpl", None)
    function_cache = getattr(caching, "FunctionCache", None)
    if impl is None or function_cache is None or any(b is None for b in bases):
        return None
    locators = [type(f"Darkscan{b.__name__.lstrip('_')}", (_PackageStamp, b), {})
                for b in bases]
    stamped_impl = type("DarkscanCacheImpl", (impl,), {"_locator_classes": locators})
    return type("DarkscanFunctionCache", (function_cache,), {"_impl_class": stamped_impl})


@cache
def _cache_class() -> type | None:
    return _stamped_cache_class()


def _compiler(options: dict[str, Any]) -> Callable[[Callable[..., Any]], Any]:
    def decorate(func: Callable[..., Any]) -> Any:
        disp = numba.njit(**options)(func)
        if isinstance(disp, Dispatcher):  # not under NUMBA_DISABLE_JIT
            stamped = _cache_class()
            if stamped is None:
                disp.enable_caching()
            else:
                disp._cache = stamped(disp.py_func)
        return disp

    return decorate


#: detector and reco kernels (fastmath)
jit = _compiler(_FAST)
#: small helpers inlined into the kernels that call them (fastmath)
inline = _compiler(_FAST | {"inline": "always"})
#: generator and Lorentz kernels: IEEE arithmetic as written, numpy's error model
jit_exact = _compiler(_EXACT)
