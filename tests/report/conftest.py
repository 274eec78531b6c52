"""Synthetic search results for the report tests: small arrays, fixed seeds, no simulation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from darkscan.physics import parse_luminosity
from darkscan.searches.result import (
    AxisInfo,
    CouplingLimit,
    Distribution,
    PublishedLimit,
    SampleSummary,
    SearchResult,
)
from darkscan.stats import LimitResult

BAND = np.array([0.55, 0.75, 1.0, 1.4, 1.9])  # −2σ … +2σ relative to the median


def _limits(median: np.ndarray, rng: np.random.Generator, cl: float) -> LimitResult:
    expected = BAND[:, None] * median[None, :]
    observed = median * rng.lognormal(0.0, 0.25, median.size)
    observed[~np.isfinite(median)] = np.inf
    return LimitResult(observed, expected, "cls", cl, notes=("synthetic test limits",))


def _coupling(column: str, label: str, model: str, sigma: LimitResult,
              bands: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> CouplingLimit:
    # σ ∝ g²: the coupling limit scales as the square root of the σ limit
    return CouplingLimit(column, label, model, f"{label} limit in the {model} model",
                         1e-3 * np.sqrt(sigma.observed), 1e-3 * np.sqrt(sigma.expected),
                         bands or {})


def _samples() -> tuple[SampleSummary, ...]:
    return (SampleSummary("ee_mumu", "μμ(γ)", "ee_mumu", 2_000_000, 1.148, 0.0458, 1234.5),
            SampleSummary("ee_tautau", "ττ(γ)", "ee_tautau", 1_000_000, 0.919, 0.0733, 87.2,
                          filter="M_ll > 0.5 GeV"),
            SampleSummary("ee_eemumu", "ee→eeμμ", "ee_eemumu", 500_000, 18.9, 3.01, 4.0))


def _distribution(rng: np.random.Generator, name: str, label: str, empty_tail: bool
                  ) -> Distribution:
    edges = np.linspace(0.0, 60.0, 31)
    centres = 0.5 * (edges[1:] + edges[:-1])
    mumu = 400.0 * np.exp(-centres / 8.0)
    tautau = 60.0 * np.exp(-((centres - 15.0) / 10.0) ** 2)
    eemumu = 25.0 * np.exp(-centres / 20.0)
    mc = {k: np.maximum(np.round(v * 20), 0) for k, v in
          (("μμ(γ)", mumu), ("ττ(γ)", tautau), ("ee→eeμμ", eemumu))}
    if empty_tail:  # the simulation has no event above 45 (GeV²): the model must not invent one
        for v in mc.values():
            v[centres > 45.0] = 0.0
    backgrounds = {"μμ(γ)": mumu, "ττ(γ)": tautau, "ee→eeμμ": eemumu}
    total = mumu + tautau + eemumu
    data = rng.poisson(np.where(centres > 45.0, 0.0, total) if empty_tail else total)
    signals = {"Z′ 2 GeV": 40.0 * np.exp(-0.5 * ((centres - 4.0) / 1.5) ** 2),
               "Z′ 6 GeV": 30.0 * np.exp(-0.5 * ((centres - 36.0) / 2.5) ** 2)}
    return Distribution(name, label, edges, backgrounds, mc, data.astype(float), signals)


@pytest.fixture
def result_1d(tmp_path: Path) -> Callable[..., SearchResult]:
    def make(out_dir: Path | None = None) -> SearchResult:
        rng = np.random.default_rng(12345)
        mass = np.linspace(0.5, 8.0, 12)
        median = 2e-3 * (1.0 + mass) ** 1.5  # pb
        median[-1] = np.inf  # no selected signal at the last point
        sigma = _limits(median, rng, 0.9)
        band_lo, band_hi = 3e-4 * np.ones_like(mass), 8e-4 * np.ones_like(mass)
        gprime = _coupling("gprime_ul_vanilla", "g′", "vanilla", sigma,
                           {"(g−2)_μ ±2σ": (band_lo, band_hi)})
        published = (PublishedLimit("sigma", "mass", mass[:-1], 1.5 * median[:-1],
                                    "Belle II 2023 (79.7 fb⁻¹)"),
                     PublishedLimit("gprime_ul_vanilla", "mass", mass[:-1],
                                    1.2e-3 * np.sqrt(median[:-1]), "Belle II 2023"))
        return SearchResult(
            search="zprime-invisible", title="Z′ → invisible in e⁺e⁻ → μ⁺μ⁻Z′",
            references=("Belle II, PRL 130 (2023) 231801, arXiv:2212.03066",),
            lumi=parse_luminosity("79.7/fb"), cl=0.9, method="cls",
            out_dir=out_dir or tmp_path / "zprime",
            axes=(AxisInfo("mass", "M_Z′", "GeV"),), points={"mass": mass},
            channel=np.array(["mumu"] * mass.size), quantity="sigma",
            quantity_label="σ(e⁺e⁻→μ⁺μ⁻Z′) × B(Z′→inv.)", limits=sigma, couplings=(gprime,),
            signal={"efficiency": np.linspace(0.12, 0.05, mass.size),
                    "resolution": np.linspace(0.4, 0.9, mass.size)},
            windows={"bkg": np.linspace(120.0, 5.0, mass.size),
                     "n_obs": rng.poisson(np.linspace(120.0, 5.0, mass.size)).astype(float)},
            selection=("n_tracks == 2", "muon_id > 0.5 for both muons",
                       "p_T(μμ) > 0.8 GeV", "E_ECL < 0.4 GeV"),
            samples=_samples(),
            distributions=(_distribution(rng, "recoil_mass2", "M²_recoil [GeV²]", True),),
            published=published,
            summary={"wall_time_s": 123.4, "seed": 7, "quick": True,
                     "resolution_label": "Resolution of M²_recoil [GeV²]"})
    return make


@pytest.fixture
def result_2d(tmp_path: Path) -> Callable[..., SearchResult]:
    def make(out_dir: Path | None = None) -> SearchResult:
        rng = np.random.default_rng(2024)
        m_a, m_h = [], []
        for a in (1.0, 2.5, 4.0, 5.5, 7.0, 8.5):
            for h in (0.5, 2.0, 3.5, 5.0, 6.5, 8.0):
                if h < a:  # a triangular grid: M_h′ < M_A′
                    m_a.append(a)
                    m_h.append(h)
        ma, mh = np.array(m_a), np.array(m_h)
        n = ma.size
        median = np.tile(5e-3 * (1.0 + 0.3 * ma + 0.2 * mh), 2)  # two channels
        median[n:] *= 0.8
        sigma = _limits(median, rng, 0.9)
        eps = _coupling("eps2_alphad_ul_darkhiggs", "ε²α_D", "darkhiggs", sigma)
        return SearchResult(
            search="dark-higgsstrahlung", title="Dark Higgsstrahlung e⁺e⁻ → A′h′",
            references=("Belle II, PRL 130 (2023) 071804, arXiv:2207.00509",),
            lumi=parse_luminosity("8.34/fb"), cl=0.9, method="cls",
            out_dir=out_dir or tmp_path / "darkhiggs",
            axes=(AxisInfo("mass_darkphoton", "M_A′", "GeV"),
                  AxisInfo("mass_darkhiggs", "$M_{h'}$", "GeV")),
            points={"mass_darkphoton": np.tile(ma, 2), "mass_darkhiggs": np.tile(mh, 2)},
            channel=np.array(["mumu"] * n + ["combined"] * n), quantity="sigma",
            quantity_label="σ(e⁺e⁻→A′h′) × B(A′→μ⁺μ⁻)", limits=sigma, couplings=(eps,),
            signal={"efficiency": np.tile(0.2 + 0.01 * ma - 0.01 * mh, 2),
                    "resolution": np.tile(0.01 * ma, 2)},
            windows={"bkg": rng.uniform(0.1, 3.0, 2 * n)},
            selection=("n_tracks == 2", "M_μμ window ±2σ"),
            samples=_samples()[:2],
            distributions=(_distribution(rng, "m_mumu", "M_μμ [GeV]", False),),
            summary={"wall_time_s": 4321.0})
    return make
