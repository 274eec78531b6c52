"""One numba configuration for the whole package (DESIGN §4.2): darkscan.jit."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from numba.core.dispatcher import Dispatcher

import darkscan
import darkscan.jit as dj

KERNEL_PACKAGES = ("darkscan.physics", "darkscan.detector", "darkscan.generate", "darkscan.reco")


def _modules() -> list[object]:
    mods = []
    for pkg_name in KERNEL_PACKAGES:
        pkg = importlib.import_module(pkg_name)
        mods.append(pkg)
        for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            try:
                mods.append(importlib.import_module(info.name))
            except ModuleNotFoundError as exc:  # optional peers (pythia8)
                if not exc.name or exc.name.startswith("darkscan"):
                    raise
    return mods


def _kernels() -> dict[str, Dispatcher]:
    found = {}
    for mod in _modules():
        for name, obj in vars(mod).items():
            if isinstance(obj, Dispatcher) and obj.py_func.__module__ == mod.__name__:
                found[f"{mod.__name__}.{name}"] = obj
    return found


def test_every_kernel_comes_from_darkscan_jit() -> None:
    kernels = _kernels()
    layers = {name.split(".")[1] for name in kernels}
    assert {"detector", "generate", "reco"} <= layers
    fast, exact = dict(dj._FAST), dict(dj._EXACT)
    for name, disp in kernels.items():
        opts = {k: v for k, v in disp.targetoptions.items() if k in ("nogil", "fastmath",
                                                                     "error_model")}
        assert opts in ({**fast}, {**exact}), name
        # the package-wide cache stamp, not numba's per-file one
        assert type(disp._cache).__name__ == "DarkscanFunctionCache", name
        assert disp._cache._impl.locator.get_source_stamp() == dj.sources_digest(), name
    by_layer = {n.split(".")[1]: d.targetoptions.get("fastmath") for n, d in kernels.items()}
    assert by_layer["detector"] and not by_layer["generate"]


def test_no_other_numba_configuration_in_the_package() -> None:
    root = Path(darkscan.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py") if p.name != "jit.py"
                 and any(s in p.read_text() for s in ("numba.njit", "numba.jit", "import njit",
                                                       "from numba import"))]
    assert offenders == []


def test_digest_covers_every_kernel_module() -> None:
    root = Path(darkscan.__file__).parent
    stamped = {p.relative_to(root).as_posix() for p in root.rglob("*.py")
               if b"from darkscan.jit import" in p.read_bytes()}
    assert {"detector/helix.py", "generate/helas_kernels.py", "reco/combine.py",
            "reco/eventshape.py"} <= stamped


def test_numba_global_locators_untouched() -> None:
    """The stamps are per kernel: numba's locator list (used by other packages) is unchanged."""
    from numba.core import caching

    classes = caching.CacheImpl._locator_classes
    assert not any(c.__name__.startswith("Darkscan") for c in classes)


def _separately_compiled_callees(disp: Dispatcher) -> list[str]:
    """The non-inlined kernels a kernel's code names: called as ``f(...)`` or ``module.f(...)``
    (names in its globals, or attributes of modules in them)."""
    code_names = disp.py_func.__code__.co_names
    scope = disp.py_func.__globals__
    found = []
    for name in code_names:
        obj = scope.get(name)
        candidates = [(name, obj)] if isinstance(obj, Dispatcher) else [
            (f"{name}.{attr}", getattr(obj, attr, None)) for attr in code_names
        ] if isinstance(obj, type(dj)) else []
        found += [label for label, c in candidates if isinstance(c, Dispatcher)
                  and c.targetoptions.get("inline") != "always"]
    return found


def test_fastmath_kernels_inline_their_helpers() -> None:
    """A fastmath kernel that calls another one compiled on its own may give other bits when
    loaded from the cache than just compiled (measured: the PID scores and the event thrust, in
    the last bit): every kernel a fastmath kernel calls is an ``inline`` one (darkscan.jit)."""
    kernels = _kernels()
    offenders = {name: callees for name, disp in kernels.items()
                 if disp.targetoptions.get("fastmath")
                 and (callees := _separately_compiled_callees(disp))}
    assert offenders == {}
    assert any(d.targetoptions.get("inline") == "always" for d in kernels.values())
