import importlib

import pytest

from darkscan import registry

_PREFIXES = ("zprime", "darkphoton", "darkhiggsstrahlung", "alp_", "scalar_", "idm_",
             "muonphilic", "leptophilic", "lifetime_reweighting")


def _model_checks():
    # import only this layer's checks (registry.checks() imports every layer, ~7 s)
    importlib.import_module("darkscan.models.checks")
    return [c for c in registry._REGISTRY.checks.values()
            if c.name.startswith(_PREFIXES) and c.quick]


def test_model_checks_are_registered():
    names = {c.name for c in _model_checks()}
    assert len(names) >= 25
    assert "zprime_br_invisible_4gev" in names
    assert "lifetime_reweighting_ks_decay_radius_10_to_15cm" in names


@pytest.mark.parametrize("chk", _model_checks(), ids=lambda c: c.name)
def test_model_check_passes(chk):
    result = chk.run()
    assert result.passed, result
