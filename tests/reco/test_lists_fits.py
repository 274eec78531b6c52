"""Particle-list resolution, the mass-constrained fit and the basf2 aliases (no simulation)."""

from __future__ import annotations

import numpy as np
import pytest

from darkscan.errors import ParameterError, UnknownNameError
from darkscan.physics import lorentz
from darkscan.physics.constants import mass as pdg_mass
from darkscan.reco import ListDef, VertexFit, parse_decay, to_basf2, to_darkscan
from darkscan.reco.fit import mass_constrained_scales
from darkscan.reco.lists import resolve


def test_lists_resolve_in_dependency_order() -> None:
    order = resolve("B+:sig -> K+:good S:mumu",
                    [ListDef("S:mumu -> mu+:loose mu-:loose", vertex=VertexFit()),
                     ListDef("K+:good2", cut="kaonID > 0.5")])
    assert [ld.key for ld in order] == ["S:mumu", "B+:sig"]
    dec = parse_decay("B+:sig -> K+:good S:mumu")
    assert not dec.self_conjugate and dec.conjugate().mother.name == "B-"
    assert parse_decay("K_S0:x -> pi+ pi-").self_conjugate
    assert parse_decay("anti-K*0:kpi -> K- pi+").mother.list_key == "K*0:kpi"


@pytest.mark.parametrize(("head", "lists", "match"), [
    ("B+:sig -> K+ S:mumu", [], "S:mumu"),
    ("B+:sig -> K+ S:a", ["S:a -> S:b mu+ mu-", "S:b -> S:a"], "cycle"),
    ("B+:sig -> K+ S:a", ["S:a -> mu+ mu-", "S:a -> e+ e-"], "defined twice"),
    ("B+:sig -> K+ pi+", [], "does not conserve charge"),
    ("B+:sig -> K+ S:a", ["S -> mu+ mu-"], "needs a label"),
])
def test_list_errors_name_the_list(head: str, lists: list[str], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        resolve(head, lists)


def test_unknown_particle_is_named() -> None:
    with pytest.raises(UnknownNameError, match="Kplus"):
        parse_decay("B+:sig -> Kplus S")


def test_mass_constrained_fit_reaches_the_mass_and_moves_the_worse_measurement() -> None:
    rng = np.random.default_rng(1)
    n = 100_000
    e1, e2 = rng.uniform(0.2, 1.0, n), rng.uniform(0.2, 1.0, n)
    c = rng.uniform(-1, 1, n)
    g1 = np.stack([np.zeros(n), np.zeros(n), e1, e1], -1)
    g2 = np.stack([e2 * np.sqrt(1 - c * c), np.zeros(n), e2 * c, e2], -1)
    m_pi0 = pdg_mass(111)
    ok = np.abs(lorentz.mass(g1 + g2) - m_pi0) < 0.03  # a π⁰ mass window, as before a fit
    g1, g2 = g1[ok], g2[ok]
    assert len(g1) > 500
    s = mass_constrained_scales([g1, g2], [np.full(len(g1), 0.01), np.full(len(g1), 0.05)],
                                [0.0, 0.0], m_pi0)
    fitted = lorentz.p4_from_mass(g1[:, :3] * s[0][:, None], 0.0) + \
        lorentz.p4_from_mass(g2[:, :3] * s[1][:, None], 0.0)
    assert np.allclose(lorentz.mass(fitted), m_pi0, rtol=1e-6)
    # stationary χ² with errors 1% and 5%: (sᵢ − 1)/rᵢ² ∝ ∂M²/∂sᵢ = M²/sᵢ for photons
    assert np.allclose((s[1] - 1) / (s[0] - 1), 25.0 * s[0] / s[1], rtol=1e-4)


def test_basf2_aliases_round_trip() -> None:
    assert to_darkscan("daughter(1, daughter(0, useCMSFrame(p)))") == "dau1_dau0_p_cms"
    assert to_basf2("dau1_flight_distance") == "daughter(1, flightDistance)"
    assert to_darkscan(to_basf2("Mbc")) == "Mbc"
    assert to_darkscan("daughter(1, convertedPhotonDelR(0, 1))") == "dau1_conv_delta_r"
    assert to_basf2("conv_M") == "convertedPhotonInvariantMass(0, 1)"
    with pytest.raises(ParameterError, match="noSuchVar"):
        to_darkscan("noSuchVar")
