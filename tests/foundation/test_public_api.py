"""``import darkscan`` gives the public API (DESIGN §4.2), loaded on first use."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_public_api_from_import_darkscan() -> None:
    code = textwrap.dedent("""
        import sys
        import darkscan
        heavy = [m for m in ("numba", "numpy", "darkscan.stats", "darkscan.generate",
                             "darkscan.searches") if m in sys.modules]
        print(heavy)
        print(sorted(darkscan.__all__))
        assert callable(darkscan.stats.upper_limits)
        from darkscan.stats import upper_limits
        assert darkscan.stats.upper_limits is upper_limits
        from darkscan.generate import cross_section
        assert darkscan.generate.cross_section is cross_section
        from darkscan.searches.runner import run_search
        assert darkscan.run_search is run_search
        assert callable(darkscan.searches.get)
        r = darkscan.stats.upper_limits(0, 0.0, cl=0.9, method="bayes")
        print(round(float(r.observed.ravel()[0]), 3))
        x = darkscan.generate.cross_section("ee_mumu", isr=False, n_points=5_000)
        print(x.process, 0.5 < x.sigma_pb / 1000 < 1.5)
        try:
            darkscan.no_such_thing
        except AttributeError as exc:
            print(exc)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "[]"  # import darkscan loads none of it
    assert lines[1] == str(["__version__", "generate", "run_search", "searches", "stats"])
    assert lines[2] == "2.303"  # Bayesian 90% CL upper limit for n = 0, b = 0: ln 10
    assert lines[3] == "ee_mumu True"  # σ(ee → μμ) ≈ 1 nb at √s = 10.58 GeV
    assert lines[4] == "module 'darkscan' has no attribute 'no_such_thing'"
