import numpy as np
import pytest

from darkscan.errors import ParameterError, UnknownNameError
from darkscan.models import alp, dark_photon, idm, ids, scalar, zprime
from darkscan.models.params import validate_params


def test_validate_params_returns_arrays():
    out = validate_params(mass=[1.0, 2.0], gprime=0.1, sin_theta=-0.5)
    assert out["mass"].tolist() == [1.0, 2.0]
    assert float(out["gprime"]) == 0.1


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"gprime": -0.1}, "'gprime' = -0.1"),
    ({"mass": 11.0}, "'mass' = 11"),
    ({"mass": 0.0}, "(0, 10.58] GeV"),
    ({"epsilon": float("nan")}, "'epsilon'"),
    ({"br_invisible": 1.5}, "[0, 1]"),
    ({"sin_theta": 2.0}, "[-1, 1]"),
    ({"mass_chi1": 1.0, "delta": 0.0}, "'delta' = 0"),
    ({"mass_chi1": 1.0, "delta": -0.1}, "'delta'"),
    ({"mass_chi1": 5.0, "delta": 1.0}, "exceeds"),
    ({"ctau": -1.0}, "'ctau'"),
])
def test_validate_params_errors(kwargs, fragment):
    with pytest.raises(ParameterError, match=None) as exc:
        validate_params(**kwargs)
    assert fragment in str(exc.value)


def test_array_with_one_bad_element_is_rejected():
    with pytest.raises(ParameterError, match="gagg"):
        alp.width_gammagamma([1e-3, -1e-3], 0.2)


def test_unknown_parameter_name():
    with pytest.raises(UnknownNameError, match="unknown model parameter 'gprim'"):
        validate_params(gprim=0.1)


def test_model_functions_validate():
    with pytest.raises(ParameterError, match="'mass' = 12"):
        zprime.total_width(0.1, 12.0)
    with pytest.raises(ParameterError, match="'epsilon'"):
        dark_photon.width_ee(-1e-3, 1.0)
    with pytest.raises(ParameterError, match="'delta'"):
        idm.width_chi2_ee(1.0, -0.1, 3.0, 0.1, 1e-3)
    with pytest.raises(ParameterError, match="mass_darkphoton"):
        idm.width_chi2_ee(1.0, 0.5, 0.4, 0.1, 1e-3)
    with pytest.raises(ParameterError, match="'model'"):
        zprime.br_invisible(1.0, model="other")
    with pytest.raises(ParameterError, match="form_factor"):
        scalar.br_b_to_k_scalar(1.0, 1.0, form_factor="lattice")
    with pytest.raises(ParameterError, match="cos_max"):
        dark_photon.sigma_gamma_darkphoton(1.0, cos_max=1.0)


def test_dark_particle_ids():
    assert ids.pdgid("darkphoton") == 4900023
    assert ids.pdgid("chi1") == 4900101
    assert ids.dark_particle(-4900102).key == "chi2"
    assert ids.dark_particle("Z'").pdgid == 4900032
    assert ids.is_dark(4900025) and not ids.is_dark(23)
    all_ids = [p.pdgid for p in ids.dark_particles()]
    assert len(set(all_ids)) == len(all_ids) == 11
    with pytest.raises(UnknownNameError, match="unknown dark particle 'axion'"):
        ids.dark_particle("axion")
    np.testing.assert_equal(ids.dark_particle("alp").spin, 0)
