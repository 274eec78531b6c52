import math

import pytest

from darkscan.registry import Benchmark, Check, Measurement


@pytest.mark.parametrize(("kind", "ref", "tol", "measured", "ok"), [
    ("relative", 100.0, 0.03, 102.9, True), ("relative", 100.0, 0.03, 103.1, False),
    ("absolute", 1.0, 0.1, 0.85, False), ("factor", 0.01, 1.5, 0.0149, True),
    ("factor", 0.01, 1.5, 0.0066, False), ("max", 0.01, 0.0, 0.009, True),
])
def test_tolerance_kinds(kind: str, ref: float, tol: float, measured: float, ok: bool) -> None:
    c = Check("c", lambda: measured, ref, tol, "test", kind)  # type: ignore[arg-type]
    r = c.run()
    assert r.passed is ok
    assert set(r.to_dict()) >= {"name", "measured", "reference", "tolerance", "provenance", "pass"}


def test_crashing_check_fails_with_note() -> None:
    def boom() -> float:
        raise RuntimeError("no data")

    r = Check("c", boom, 1.0, 0.1, "test").run()
    assert not r.passed and math.isnan(r.measured) and "no data" in r.note
    r2 = Check("c", lambda: Measurement(1.05, "fine"), 1.0, 0.1, "t").run()
    assert r2.passed and r2.note == "fine"


def test_benchmark_ratio() -> None:
    r = Benchmark("b", lambda: (2000.0, 10.0), "ev/s", "peer").run()
    assert r.ratio == pytest.approx(200.0)
    t = Benchmark("t", lambda: (0.5, 2.0), "s", "peer", higher_is_better=False).run()
    assert t.ratio == pytest.approx(4.0)
    assert Benchmark("n", lambda: (1.0, None), "s").run().ratio is None
