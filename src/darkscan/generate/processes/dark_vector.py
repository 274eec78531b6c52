"""Single-photon / dark Higgsstrahlung / iDM processes: NOT IMPLEMENTED YET in the helicity engine.

The processes are registered (so that ``darkscan list`` shows them and parameters validate) but
their cross section and generation raise :class:`~darkscan.errors.NotAvailableError`; closed-form
cross sections live in ``darkscan.models`` (e.g. ``dark_photon.sigma_gamma_darkphoton``).
TODO(generate): ee_gamma_darkphoton (A2), ee_gamma_alp (A4), ee_darkphoton_darkhiggs (A3),
ee_darkhiggs_idm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from darkscan.errors import NotAvailableError
from darkscan.events import Sample
from darkscan.generate.registry import ParamSpec, XsecResult, register


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    params: tuple[ParamSpec, ...]
    default_filter: str = "none"

    def _fail(self) -> NotAvailableError:
        return NotAvailableError(f"process '{self.name}' is not implemented in the generator yet; "
                                 "use the closed-form cross sections in darkscan.models meanwhile")

    def cross_section(self, params: Mapping[str, float], *, isr: bool = True,
                      n_points: int = 200_000, seed: int = 1) -> XsecResult:
        raise self._fail()

    def generate_chunk(self, n: int, seed: np.random.SeedSequence,
                       params: Mapping[str, float], *, isr: bool = True) -> Sample:
        raise self._fail()


_M = ParamSpec("mass", 1.0, 0.0, 10.0, "mediator mass in GeV", low_inclusive=False)
for _p in (
    Placeholder("ee_gamma_darkphoton", "e+e- -> gamma A' (not implemented yet)",
                (_M, ParamSpec("epsilon", 1e-3, 0.0, 1.0))),
    Placeholder("ee_gamma_alp", "e+e- -> gamma a, a -> gamma gamma (not implemented yet)",
                (_M, ParamSpec("gagg", 1e-3, 0.0, 10.0))),
    Placeholder("ee_darkphoton_darkhiggs", "e+e- -> A' h' (not implemented yet)",
                (ParamSpec("mass_darkphoton", 5.0, 0.0, 10.0),
                 ParamSpec("mass_darkhiggs", 1.0, 0.0, 10.0),
                 ParamSpec("epsilon", 1e-3, 0.0, 1.0), ParamSpec("alpha_d", 0.1, 0.0, 10.0))),
    Placeholder("ee_darkhiggs_idm", "e+e- -> h' chi1 chi2 (not implemented yet)",
                (ParamSpec("mass_darkhiggs", 1.0, 0.0, 10.0),
                 ParamSpec("mass_chi1", 1.0, 0.0, 10.0), ParamSpec("delta", 0.4, 0.0, 5.0),
                 ParamSpec("epsilon", 1e-3, 0.0, 1.0), ParamSpec("alpha_d", 0.1, 0.0, 10.0),
                 ParamSpec("sin_theta", 1e-5, 0.0, 1.0))),
):
    register(_p)
