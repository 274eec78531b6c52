"""A chunk's simulation is the same on CPUs whose numpy rounds its transcendental functions
differently (AVX-512 against AVX2 code): where rounding broke a tie (a conversion's pair on its
layer's radius, a pair at rest), the chunk's later random draws went to other particles and the
two CPUs made two different samples (docs/ARCHITECTURE.md, Conventions)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = """
import sys
import awkward as ak
import numpy as np
from darkscan.detector import simulate
from darkscan.generate import generate
reco = simulate(generate("ee_mumu_zprime", 20000, seed=5, mass=0.2), seed=7).events
cols = {f"tracks_{k}": ak.to_numpy(ak.flatten(reco.tracks[k])).astype(float)
        for k in ("px", "py", "pz", "muonID", "n_cdc")}
cols |= {f"clusters_{k}": ak.to_numpy(ak.flatten(reco.clusters[k])).astype(float)
         for k in ("E", "theta")}
np.savez(sys.argv[1], **cols)
"""
#: numpy's CPU-dispatch names of its AVX-512 code paths (numpy ≥ 2)
AVX512 = "X86_V4 AVX512_ICL"


def _has_avx512() -> bool:
    from numpy._core._multiarray_umath import __cpu_features__

    return bool(__cpu_features__.get("AVX512_ICL")) or bool(__cpu_features__.get("AVX512_SKX"))


@pytest.mark.skipif(not _has_avx512(), reason="no AVX-512 here: one numpy dispatch only")
def test_simulation_is_the_same_with_and_without_avx512(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = {}
    for name, disable in (("avx512", ""), ("avx2", AVX512)):
        env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=disable)
        subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / f"{name}.npz")], env=env,
                       check=True, timeout=600)
        out[name] = np.load(tmp_path / f"{name}.npz")
    a, b = out["avx512"], out["avx2"]
    assert len(a["tracks_px"]) > 30_000
    for key in a.files:
        assert a[key].shape == b[key].shape, key
        np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-9, err_msg=key)


PID_SCRIPT = """
import sys
import numpy as np
from darkscan.detector import pid
from darkscan.detector.parameters import BELLE2_DETECTOR
r = np.random.default_rng(1)
n = 100_000
mass = np.where(r.random(n) < 0.5, 0.1056584, 0.13957)
p = r.uniform(0.2, 5.0, n)
theta = r.uniform(0.3, 2.6, n)
cluster = np.where(r.random(n) < 0.9, r.normal(0.2, 0.1, n), np.nan)
layers = np.where(p > 0.7, np.minimum(((p - 0.6) / 0.08).astype(int) + 1, 14), 0)
out = pid.pid_scores(np.random.default_rng(2), mass, p, p * np.sin(theta), theta, cluster,
                     layers, BELLE2_DETECTOR)
np.savez(sys.argv[1], **out)
"""


def test_pid_scores_are_the_same_bits_just_compiled_and_from_the_cache(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The first run after an edit compiles the kernels, later runs load them: both must give
    the same bits (a fastmath kernel calling another as a separate function did not: the PID
    likelihood's scores differed in the last bit for 0.05% of tracks, darkscan.jit)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    for name in ("compiled", "cached"):
        subprocess.run([sys.executable, "-c", PID_SCRIPT, str(tmp_path / f"{name}.npz")],
                       env=env, check=True, timeout=600)
    a, b = np.load(tmp_path / "compiled.npz"), np.load(tmp_path / "cached.npz")
    assert a["muonID"].shape == (100_000,) and 0.5 < np.mean(a["muonID"] > 0.9) < 0.9
    for key in a.files:
        assert np.array_equal(a[key], b[key]), key
