"""One parameter table (DESIGN §4.2): processes take their ranges from darkscan.models.params."""

from __future__ import annotations

import math

import numpy as np
import pytest

import darkscan.generate as g
from darkscan.errors import ParameterError, UnknownNameError
from darkscan.generate.registry import ProcessParam
from darkscan.models.params import PARAMETERS, validate_params


def test_cross_section_rejects_what_the_models_reject() -> None:
    """g′ = 5 is above √(4π): the model table rejected it while the process computed a σ."""
    with pytest.raises(ParameterError) as model:
        validate_params(gprime=5)
    with pytest.raises(ParameterError) as process:
        g.cross_section("ee_mumu_zprime", isr=False, n_points=2000, gprime=5)
    for exc in (model, process):
        assert "'gprime' = 5 is outside its allowed range [0, 3.54491]" in str(exc.value)
    with pytest.raises(ParameterError, match=r"'gs' = 4 .*\[0, 3.54491\]"):
        g.generate("ee_mumu_scalar", 10, gs=4.0)


@pytest.mark.parametrize("name", g.process_names())
def test_every_process_parameter_is_in_the_table(name: str) -> None:
    proc = g.get_process(name)
    defaults = g.resolve_params(proc, {})
    assert defaults == {p.name: p.default for p in proc.params}
    for p in proc.params:
        spec = PARAMETERS[p.name]
        assert p.spec is spec and spec.unit == PARAMETERS[p.name].unit
        # the table's end points decide, with the table's message
        for bad in (spec.low - 1.0, spec.high * 1.5 + 1.0):
            if not math.isfinite(bad):
                continue
            with pytest.raises(ParameterError) as exc:
                g.resolve_params(proc, {p.name: bad})
            assert f"'{p.name}' = {bad:g}" in str(exc.value)
            assert spec.range_text() in str(exc.value)


def test_process_parameters_are_declared_without_ranges() -> None:
    assert PARAMETERS["pt_pair_min"].kind == "generator"
    assert PARAMETERS["pt_pair_min"].range_text() == "[0, 5] GeV"
    with pytest.raises(UnknownNameError, match="'pt_min'"):
        ProcessParam("pt_min", 0.0, "not in the table")
    with pytest.raises(ParameterError, match="'gprime' = -1"):
        ProcessParam("gprime", -1.0, "a default the table rejects")


def test_process_specific_limits_stay_in_the_process() -> None:
    # the table allows g′ = 0 (a model without the coupling); the process has no events there
    assert float(validate_params(gprime=0.0)["gprime"]) == 0.0
    with pytest.raises(ParameterError, match=r"'gprime' = 0 .*'ee_mumu_zprime'"):
        g.cross_section("ee_mumu_zprime", isr=False, n_points=2000, gprime=0.0)
    with pytest.raises(ParameterError, match=r"'mass' = 10.4 GeV must be below √s − 2m_μ"):
        g.cross_section("ee_mumu_zprime", isr=False, n_points=2000, mass=10.4)
    with pytest.raises(ParameterError, match="'alpha_d'"):
        g.cross_section("ee_darkhiggs_idm", isr=False, n_points=2000, alpha_d=0.0)
    # mass = 0 is the generic-B switch of upsilon4s_bb, outside the table's (0, √s]
    y4s = g.get_process("upsilon4s_bb")
    assert g.resolve_params(y4s, {"mass": 0.0}) == {"mass": 0.0, "sin_theta": 0.0, "ctau": 0.0}
    with pytest.raises(ParameterError, match=r"'mass' = -1 .*or exactly 0"):
        g.resolve_params(y4s, {"mass": -1.0})


def test_negative_mixing_decays_like_positive() -> None:
    """The table's sinθ range is [−1, 1]; the h′ widths go as sin²θ, so the sign of the mixing
    does not make the dark Higgs stable."""
    from darkscan.generate.processes.dark_common import darkhiggs_plan

    plus, minus = darkhiggs_plan(1, 1.0, 1e-3), darkhiggs_plan(1, 1.0, -1e-3)
    assert plus is not None and minus is not None
    assert minus.ctau == plus.ctau and np.allclose(minus.fractions, plus.fractions)
    assert darkhiggs_plan(1, 1.0, 0.0) is None
