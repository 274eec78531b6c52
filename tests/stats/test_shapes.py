"""σ_eff of a signal line shape: the half-width of its shortest 68.27% interval."""

import pytest

from darkscan.stats.shapes import SignalShape


def test_effective_width_of_a_gaussian_is_its_sigma() -> None:
    shape = SignalShape("gauss", {"loc": 4.0, "scale": 0.03})
    assert shape.effective_width(3.7, 4.3) == pytest.approx(0.03, rel=1e-3)


def test_effective_width_sees_the_spread_a_collapsed_core_hides() -> None:
    """A double Crystal Ball whose tails start 0.3 core widths from the peak (the quick μμττ
    fit at 4 GeV): its core scale is a third of the spread; σ_eff is the spread. With the tails
    far out it is the core width."""
    tails = {"loc": 4.0, "scale": 0.01, "m_left": 60.0, "m_right": 1.07}
    collapsed = SignalShape("dcb", tails | {"beta_left": 0.3, "beta_right": 0.81})
    assert 2.0 < collapsed.effective_width(3.92, 4.08) / 0.01 < 4.0
    wide = SignalShape("dcb", tails | {"beta_left": 5.0, "beta_right": 5.0})
    assert wide.effective_width(3.92, 4.08) == pytest.approx(0.01, rel=2e-3)
