"""Allocator settings for chunked work: keep freed heap memory in the process (glibc).

Generating a block of points makes ~30 MB of short-lived numpy temporaries, and simulating a
chunk ~100 MB of flat per-particle columns. glibc's malloc hands
freed memory back to the kernel once the free top of the heap exceeds a trim threshold that it
adapts to the largest block freed so far, so the next block touches fresh pages again; on a
virtual machine each page fault costs ~3 µs per 4 KiB, which made event generation ~1.5× slower
than the physics itself, and the fast simulation plus reconstruction of a chunk ~1.2× slower,
by an amount that depended on the allocation history of the process.
Fixed thresholds keep up to :data:`TRIM_THRESHOLD` of freed memory for reuse (a larger resident
size in exchange). Elsewhere (macOS, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache

_M_TRIM_THRESHOLD = -1  # mallopt parameter numbers from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
#: blocks up to this size come from the heap (glibc's maximum for the mmap threshold)
MMAP_THRESHOLD = 32 * 2**20
#: freed memory at the top of the heap kept before glibc trims it
TRIM_THRESHOLD = 256 * 2**20


@lru_cache(maxsize=1)
def keep_freed_memory() -> bool:
    """Set the glibc thresholds once per process; True when they were applied."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
