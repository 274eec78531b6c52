"""Library code has no import-time side effects (DESIGN §4.2): worker state is set by the
executors' initialiser."""

from __future__ import annotations

import subprocess
import sys
import textwrap

LIBRARY = ("darkscan", "darkscan.allocator", "darkscan.jit", "darkscan.expr", "darkscan.physics",
           "darkscan.models", "darkscan.generate", "darkscan.detector", "darkscan.reco",
           "darkscan.select", "darkscan.stats", "darkscan.run", "darkscan.events",
           "darkscan.interpret")


def _run(code: str) -> str:
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_importing_the_library_changes_no_process_state() -> None:
    out = _run(f"""
        import importlib, os
        from numba.core import caching
        env = dict(os.environ)
        locators = list(caching.CacheImpl._locator_classes)
        for name in {LIBRARY!r}:
            importlib.import_module(name)
        from darkscan.allocator import keep_freed_memory
        print(keep_freed_memory.cache_info().currsize, dict(os.environ) == env,
              list(caching.CacheImpl._locator_classes) == locators)
    """)
    assert out == "0 True True"  # no mallopt, no environment change, numba's locators as found


def test_executors_set_worker_state_in_their_initialiser() -> None:
    out = _run("""
        from darkscan.allocator import keep_freed_memory
        from darkscan.run.executors import ProcessExecutor, SerialExecutor

        def applied(_: int) -> int:
            return keep_freed_memory.cache_info().currsize

        if __name__ == "__main__":
            ex = ProcessExecutor(2, progress=False)
            workers = ex.map(applied, [0, 1, 2, 3])
            ex.close()
            parent = applied(0)
            serial = SerialExecutor(progress=False).map(applied, [0])
            print(workers, parent, serial)
    """)
    assert out == "[1, 1, 1, 1] 0 [1]"
