"""Shared fixtures of the generator tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from darkscan.generate import tau_library as tl


@pytest.fixture(scope="module")
def small_tau_libraries(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Small τ decay libraries in a temporary cache for the requesting module: its
    ``TAU_LIBRARY_SIZE`` = (decays per library, at least per channel)."""
    size, min_per_channel = request.module.TAU_LIBRARY_SIZE
    original = tl.tau_library

    def small(settings: tuple[str, ...] = (), size_: int = tl.LIBRARY_SIZE,
              min_per_channel_: int = tl.MIN_PER_CHANNEL) -> tl.TauDecayLibrary:
        return original(settings, size, min_per_channel)

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
        mp.setattr(tl, "tau_library", small)
        yield
