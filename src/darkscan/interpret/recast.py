"""Recasting: a σ × B limit of an e⁺e⁻ → μ⁺μ⁻X search read as a limit on another model's coupling
(DarkCast's job, done with darkscan's own cross sections, branching fractions and acceptances).

A search excludes N_sig = L · σ_prod · B · ε above its limit; the same selection applied to a
target model X′ excludes σ′_prod · B′ · ε′ at the same N_sig, so

    (σ × B)_UL,target(m) = (σ × B)_UL,source(m) · ε_source(m) / ε_target(m),

and the target's coupling follows from its production cross section per unit coupling² and its
branching fraction into the searched final state (:func:`darkscan.interpret.coupling_upper_limit`).

Production. Every model here is produced by radiation off the muon line of e⁺e⁻ → γ* → μ⁺μ⁻
(:mod:`darkscan.generate.processes.mumu_resonance`): σ(m, g) = σ_unit(m) · (q_μ g)², σ_unit the
generator's cross section (with ISR) at unit muon-vertex coupling for the X's spin, q_μ the muon
charge of the model (1 for L_μ − L_τ and the muonphilic scalar, e for a dark photon of mixing ε).
A model that also couples to electrons (the dark photon) is radiated off the beams as well; those
diagrams and their interference are not in darkscan's generator, so such a recast is refused
unless the caller accepts muon-line production explicitly (as DarkCast does for this search: its
``BelleII_Adachi2019otg`` limit uses ``Production("mu_brem")``). What leaving them out does, not
measured: their square only adds signal (for an invisible X it also peaks at M²_recoil = m², the
recoil of the μ⁺μ⁻ pair is the X either way), and their interference with the muon-line diagrams
is odd under μ⁺ ↔ μ⁻, like the ISR–FSR interference of e⁺e⁻ → μ⁺μ⁻γ, so it integrates to zero
over a charge-symmetric selection (the μμX searches' cuts treat both muons alike). The
muon-line-only limit is then conservative: the true coupling limit is lower, by an amount
darkscan cannot give without the beam-line diagrams.

Efficiency ratio. Same spin, same diagrams: |M_target|²/|M_source|² is a constant (the coupling
ratio squared), every phase-space point is reweighted by the same number, so ε_target = ε_source
exactly. Different spin (vector → scalar): the source's simulated signal events are reweighted
with w = |M_target|²/|M_source|² evaluated on each event's own phase-space point (truth momenta)
and the selection's pass flags are reused: ε_target = Σ_pass w / Σ w (the events and
flags come from :mod:`darkscan.searches.recast`, which runs the stages). ISR: the matrix elements
are evaluated in the event's reduced CMS, P = p(e⁻ beam) + p(e⁺ beam) − Σ ISR photons, with the
beams along the boosted e⁻ beam direction there (the ISR photons are collinear); the muons are
taken before FSR (each muon plus its own FSR photons: the generator's FSR conserves the pair's
momentum, so this restores the hard muons up to the recoil shared within the pair). The X decay
is isotropic in its rest frame for both spins (the generator keeps no spin correlations), so the
production weight is the whole weight.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import awkward as ak
import numpy as np

from darkscan.errors import InputFileError, NotAvailableError, ParameterError, unknown
from darkscan.interpret.coupling import coupling_upper_limit
from darkscan.physics import lorentz
from darkscan.physics.constants import ALPHA

__all__ = ["MODELS", "SOURCES", "EfficiencyRatio", "RecastModel", "RecastResult",
           "RecastSource", "SourceLimits", "get_model", "get_source", "identical_efficiency",
           "me_ratio_weights", "read_limits", "recast", "reduced_cms_momenta",
           "read_table", "results_search", "reweighted_efficiency_ratio", "sigma_from_coupling"]

FinalState = Literal["invisible", "mumu"]
Spin = Literal["vector", "scalar"]
#: the muon-line process that produces an X of each spin, and its coupling parameter
SPIN_PROCESS: dict[str, tuple[str, str]] = {"vector": ("ee_mumu_zprime", "gprime"),
                                             "scalar": ("ee_mumu_scalar", "gs")}
_E = float(np.sqrt(4.0 * np.pi * ALPHA))
#: VEGAS points of the production cross sections σ_unit (MC error ≲ 0.3%)
SIGMA_POINTS = 200_000


# ------------------------------------------------------------------------------------ models
def _zprime_br(final: str, mass: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
    from darkscan.models import zprime

    if "br_invisible" in params:
        if final != "invisible":
            raise ParameterError("--param br_invisible sets B(Z′ → invisible) for recasting an "
                                 "invisible search; B(Z′ → μ⁺μ⁻) comes from the widths")
        return np.full_like(mass, params["br_invisible"])
    return zprime.branching_fractions(mass)[final]


def _dark_photon_br(final: str, mass: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
    from darkscan.models import dark_photon

    inv = params.get("br_invisible", 1.0 if final == "invisible" else 0.0)
    if final == "invisible":
        return np.full_like(mass, inv)
    return (1.0 - inv) * dark_photon.branching_fractions(1.0, mass)[final]


def _b_minus_l_br(final: str, mass: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
    from darkscan.models import b_minus_l

    return b_minus_l.branching_fractions(mass)[final]


def _muonphilic_br(final: str, mass: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
    from darkscan.models import muonphilic

    if final != "mumu":
        raise ParameterError("the muonphilic scalar has no invisible decay (it decays to μ⁺μ⁻ "
                             "and γγ only): recast a μ⁺μ⁻ search (zprime-mumu) to it instead")
    return muonphilic.branching_fractions(mass)["mumu"]


@dataclass(frozen=True)
class RecastModel:
    """A target model: its coupling (a parameter of ``models/params.py``), the spin of the X it
    radiates off the muon line, the muon charge q_μ (the muon vertex is q_μ · coupling), its
    branching fraction into a searched final state (``branching(final, mass, params)``), and
    what darkscan's generator lacks for its production (empty: nothing)."""

    name: str
    coupling: str
    description: str
    spin: Spin
    muon_charge: float
    branching: Callable[[str, np.ndarray, Mapping[str, float]], np.ndarray]
    missing_diagrams: str = ""
    params: tuple[str, ...] = ()  #: the --param names it takes
    power: float = 2.0


MODELS: dict[str, RecastModel] = {m.name: m for m in (
    RecastModel("lmu_ltau", "gprime", "L_μ − L_τ Z′ (B(Z′ → invisible) from the widths, "
                "or --param br_invisible=1 for the fully invisible Z′)", "vector", 1.0,
                _zprime_br, params=("br_invisible",)),
    RecastModel("dark_photon", "epsilon",
                "dark photon A′, kinetic mixing ε (muon vertex εe); B(A′ → invisible) = "
                "br_invisible (default 1 when recasting an invisible search, 0 for μ⁺μ⁻: "
                "B(A′ → μ⁺μ⁻) from the widths with hadrons through R)", "vector", _E,
                _dark_photon_br,
                missing_diagrams="A′ radiated off the e⁺e⁻ beams (e⁺e⁻ → A′γ*, γ* → μ⁺μ⁻) and "
                                 "its interference with the muon-line diagrams",
                params=("br_invisible",)),
    RecastModel("muonphilic", "gs", "muonphilic scalar S (Yukawa g_S S μ̄μ), "
                "B(S → μ⁺μ⁻) from the widths", "scalar", 1.0, _muonphilic_br),
    RecastModel("b_minus_l", "gbl",
                "B−L gauge boson (muon vertex g_BL; B from leptons, three neutrinos and "
                "free-quark hadrons, models.b_minus_l: defined from 2 GeV, no limit below, "
                "where the ω/φ hadronic width is not modelled)", "vector", 1.0, _b_minus_l_br,
                missing_diagrams="Z′_BL radiated off the e⁺e⁻ beams (e⁺e⁻ → Z′γ*, "
                                 "γ* → μ⁺μ⁻) and its interference with the muon-line diagrams"),
)}
#: models a user may ask for that darkscan cannot recast to yet, and why
UNAVAILABLE: dict[str, str] = {}


def get_model(name: str) -> RecastModel:
    if name in UNAVAILABLE:
        raise NotAvailableError(f"cannot recast to '{name}': {UNAVAILABLE[name]}; available: "
                                f"{', '.join(sorted(MODELS))}")
    try:
        return MODELS[name]
    except KeyError:
        raise unknown("recast model", name, list(MODELS)) from None


# ----------------------------------------------------------------------------------- sources
@dataclass(frozen=True)
class RecastSource:
    """A search whose σ × B limit can be recast: its final state, the model it was simulated
    for and the spin of that model's X."""

    search: str
    final_state: FinalState
    model: str


SOURCES: dict[str, RecastSource] = {s.search: s for s in (
    RecastSource("zprime-invisible", "invisible", "lmu_ltau"),
    RecastSource("zprime-mumu", "mumu", "lmu_ltau"),
    RecastSource("scalar-mumu", "mumu", "muonphilic"),
)}


def get_source(search: str) -> RecastSource:
    try:
        return SOURCES[search]
    except KeyError:
        raise ParameterError(
            f"a limit of search '{search}' cannot be recast: recast knows the e⁺e⁻ → μ⁺μ⁻X "
            f"searches {', '.join(sorted(SOURCES))} (X radiated off the muon line)") from None


# ------------------------------------------------------------------------------ cross sections
@lru_cache(maxsize=256)
def _sigma_unit(spin: str, mass: float, n_points: int) -> float:
    from darkscan.generate import get_process

    process, coupling = SPIN_PROCESS[spin]
    return float(get_process(process).cross_section({"mass": mass, coupling: 1.0},
                                                    n_points=n_points).sigma_pb)


def production_sigma_unit(spin: Spin, mass: np.ndarray, n_points: int = SIGMA_POINTS
                          ) -> np.ndarray:
    """σ(e⁺e⁻ → μ⁺μ⁻X) in pb at unit muon-vertex coupling, with ISR, per mass (the generator's
    VEGAS integral with its fixed seed: the same number every call)."""
    return np.array([_sigma_unit(spin, float(m), n_points) for m in np.atleast_1d(mass)])


def sigma_from_coupling(model: RecastModel, final: str, mass: np.ndarray, coupling: np.ndarray,
                        params: Mapping[str, float] | None = None,
                        sigma_unit: np.ndarray | None = None) -> np.ndarray:
    """σ × B in pb of ``model`` at ``coupling`` (the inverse of the recast's last step)."""
    mass = np.asarray(mass, float)
    unit = production_sigma_unit(model.spin, mass) if sigma_unit is None else sigma_unit
    return (unit * (model.muon_charge * np.asarray(coupling, float)) ** model.power
            * model.branching(final, mass, params or {}))


# --------------------------------------------------------------------------- efficiency ratio
def reduced_cms_momenta(particles: ak.Array) -> tuple[np.ndarray, ...]:
    """(p1, p2, p3, p4, k), each (n, 4): e⁻, e⁺, μ⁻, μ⁺ (before FSR) and X in each event's
    reduced CMS (beams minus ISR photons), from truth events of the muon-line processes
    (layout of :mod:`darkscan.generate.engine`: beams at 0, 1; μ⁻, μ⁺, X at 2, 3, 4; ISR
    photons have a beam as mother, FSR photons their muon)."""
    def p4(parts: ak.Array) -> np.ndarray:
        return np.stack([ak.to_numpy(parts[c]) for c in ("px", "py", "pz", "E")], axis=-1)

    def summed(mask: ak.Array) -> np.ndarray:
        sel = particles[mask]
        return np.stack([ak.to_numpy(ak.sum(sel[c], axis=1)) for c in ("px", "py", "pz", "E")],
                        axis=-1)

    photon = particles.pdg == 22
    beams = p4(particles[:, :2])
    hard = p4(particles[:, 2:5])
    isr = summed(photon & (particles.mother <= 1) & (particles.mother >= 0))
    mu_minus = hard[:, 0] + summed(photon & (particles.mother == 2))
    mu_plus = hard[:, 1] + summed(photon & (particles.mother == 3))
    total = beams[:, 0] + beams[:, 1] - isr
    to_rest = -total[:, :3] / total[:, 3:4]
    frame = lorentz.boost(np.stack([beams[:, 0], mu_minus, mu_plus, hard[:, 2]], axis=1),
                          to_rest[:, None, :])
    root_s = lorentz.mass(total)
    axis = frame[:, 0, :3] / np.linalg.norm(frame[:, 0, :3], axis=-1, keepdims=True)
    half = (root_s / 2.0)[:, None]
    p1 = np.concatenate([half * axis, half], axis=-1)
    p2 = np.concatenate([-half * axis, half], axis=-1)
    return p1, p2, frame[:, 1], frame[:, 2], frame[:, 3]


def me_ratio_weights(particles: ak.Array, mass: float, source: Spin, target: Spin
                     ) -> np.ndarray:
    """w = |M_target|²/|M_source|² per event at unit couplings (the coupling ratio is carried by
    σ_unit), on each event's own reduced-CMS phase-space point."""
    from darkscan.generate.processes.mumu_resonance import me2_mumux

    p = reduced_cms_momenta(particles)
    e2 = np.full(len(p[0]), 4.0 * np.pi * ALPHA)

    def me2(spin: Spin) -> np.ndarray:
        return me2_mumux(*p, mass, 1.0, e2, spin == "vector")

    target_me = me2(target)
    return target_me / me2(source) if source != target else np.ones_like(target_me)


@dataclass(frozen=True)
class EfficiencyRatio:
    """ε_target/ε_source per mass, its MC error and how it was obtained."""

    value: np.ndarray
    error: np.ndarray
    method: str


def reweighted_efficiency_ratio(passed: np.ndarray, weights: np.ndarray
                                ) -> tuple[float, float]:
    """R = (Σ_pass w / Σ w) / (n_pass / n) for unweighted source events reweighted by ``weights``,
    and its error from the linearised (delta-method) variance of R = a/(b·c), a = ⟨w·pass⟩,
    b = ⟨w⟩, c = ⟨pass⟩ (the three are correlated: the same events)."""
    passed = np.asarray(passed, float)
    w = np.asarray(weights, float)
    n = len(w)
    a, b, c = np.mean(w * passed), np.mean(w), np.mean(passed)
    if a <= 0 or c <= 0:
        raise ParameterError("no simulated signal event passes the selection: the efficiency "
                             "ratio is undefined; use more events (--n-events)")
    r = a / (b * c)
    psi = r * ((w * passed - a) / a - (w - b) / b - (passed - c) / c)
    return float(r), float(np.sqrt(np.sum(psi**2)) / n)


def identical_efficiency(source: RecastSource, target: RecastModel, mass: np.ndarray
                         ) -> EfficiencyRatio | None:
    """ε_target/ε_source = 1 exactly where the source's X and the target's have the same spin
    (the matrix elements differ by a constant); None where they differ, and the ratio needs the
    source's simulated signal reweighted (:func:`darkscan.searches.recast.efficiency_ratio`)."""
    mass = np.atleast_1d(np.asarray(mass, float))
    if MODELS[source.model].spin != target.spin:
        return None
    return EfficiencyRatio(np.ones_like(mass), np.zeros_like(mass),
                           f"identical: {target.spin} X radiated off the muon line in both "
                           "models, |M_target|²/|M_source|² is constant, ε_target = ε_source")


# -------------------------------------------------------------------------------- limits I/O
_SIGMA_COLUMNS = ("sigma_ul_obs", "sigma_ul_exp", "sigma_ul_exp_m2", "sigma_ul_exp_m1",
                  "sigma_ul_exp_p1", "sigma_ul_exp_p2")


@dataclass(frozen=True)
class SourceLimits:
    """A search's σ × B limits (pb) per mass, as read from its results folder."""

    search: str
    mass: np.ndarray
    sigma_ul: dict[str, np.ndarray]
    couplings: dict[str, np.ndarray] = field(default_factory=dict)


def results_search(results_dir: str | Path) -> str:
    """The search a ``darkscan run`` folder holds (its ``summary.json``)."""
    folder = Path(results_dir)
    if not folder.is_dir():
        raise InputFileError(f"results folder '{folder}' does not exist (give the --out folder "
                             "of a 'darkscan run')")
    summary = folder / "summary.json"
    try:
        return str(json.loads(summary.read_text(encoding="utf-8"))["search"])
    except (OSError, ValueError, KeyError, TypeError):
        raise InputFileError(f"'{summary}' is missing or names no search: recast needs it to "
                             "know which search set the limit") from None


def read_table(results_dir: str | Path, name: str = "limits.csv") -> dict[str, np.ndarray]:
    """The columns of a run's ``limits.csv`` (or its ``signal.csv``: ``name``), ``channel`` as
    text, the rest as numbers."""
    path = Path(results_dir) / name
    if not path.is_file():
        raise InputFileError(f"'{Path(results_dir)}' has no {name}: give the --out folder "
                             "of a 'darkscan run' that finished")
    table = np.atleast_1d(np.genfromtxt(path, delimiter=",", names=True, dtype=None,
                                        encoding="utf-8"))
    return {n: (table[n].astype(str) if n == "channel" else np.asarray(table[n], float))
            for n in table.dtype.names or ()}


def read_limits(results_dir: str | Path) -> SourceLimits:
    """``limits.csv`` and the search name (``summary.json``) of a ``darkscan run`` folder; with
    several channels, the combination's rows (or the first channel's)."""
    search = results_search(results_dir)
    table = read_table(results_dir)
    if "mass" not in table or "sigma_ul_obs" not in table:
        raise InputFileError(f"the limits.csv of '{search}' lacks a 'mass' or 'sigma_ul_obs' "
                             "column: only σ × B limits along a mass axis can be recast")
    rows = np.ones(len(table["mass"]), dtype=bool)
    if "channel" in table:
        chans = table["channel"]
        rows = chans == ("combined" if "combined" in chans else chans[0])
    sigma = {c: table[c][rows] for c in _SIGMA_COLUMNS if c in table}
    coup = {c: v[rows] for c, v in table.items() if "_ul_" in c and not c.startswith(
        ("sigma_", "br_"))}
    return SourceLimits(search, table["mass"][rows], sigma, coup)


# ---------------------------------------------------------------------------------- recasting
@dataclass(frozen=True)
class RecastResult:
    """A recast limit: σ × B limits of the target (pb) and its coupling limits per mass."""

    source: str
    target: str
    coupling: str
    final_state: str
    mass: np.ndarray
    sigma_ul: dict[str, np.ndarray]
    coupling_ul: dict[str, np.ndarray]
    efficiency: EfficiencyRatio
    assumptions: tuple[str, ...]

    def to_table(self) -> dict[str, np.ndarray]:
        """Columns of the recast ``limits.csv`` (DESIGN §5 names)."""
        return {"mass": self.mass, **self.sigma_ul,
                "efficiency_ratio": self.efficiency.value,
                "efficiency_ratio_error": self.efficiency.error, **self.coupling_ul}

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "coupling": self.coupling,
                "final_state": self.final_state, "efficiency_method": self.efficiency.method,
                "assumptions": list(self.assumptions),
                "columns": {k: v.tolist() for k, v in self.to_table().items()}}


def recast(limits: SourceLimits, target: RecastModel, params: Mapping[str, float] | None = None,
           *, muon_line_only: bool = False, efficiency: EfficiencyRatio | None = None,
           sigma_unit: np.ndarray | None = None) -> RecastResult:
    """Recast ``limits`` (a source search's σ × B limits) to ``target``'s coupling.

    ``efficiency``: ε_target/ε_source (default: :func:`identical_efficiency`, for the same
    spin); ``sigma_unit``: the
    target's σ_unit per mass (default: the generator's); ``muon_line_only``: accept a target
    produced also off the beams with the muon-line diagrams only (otherwise refused)."""
    params = dict(params or {})
    source = get_source(limits.search)
    unknown_params = sorted(set(params) - set(target.params))
    if unknown_params:
        raise ParameterError(f"recast model '{target.name}' takes no parameter "
                             f"{', '.join(unknown_params)}; it takes: "
                             f"{', '.join(target.params) or 'none'}")
    if "br_invisible" in params and not 0.0 <= params["br_invisible"] <= 1.0:
        raise ParameterError(f"parameter 'br_invisible' = {params['br_invisible']} must be in "
                             "[0, 1]")
    if target.missing_diagrams and not muon_line_only:
        raise NotAvailableError(
            f"'{target.name}' is also produced by diagrams darkscan's generator cannot evaluate: "
            f"{target.missing_diagrams}; pass --muon-line-only to recast with the muon-line "
            "production alone (DarkCast's 'mu_brem' for these searches)")
    branching = target.branching(source.final_state, limits.mass, params)
    eff = efficiency or identical_efficiency(source, target, limits.mass)
    if eff is None:
        raise ParameterError(f"{limits.search} → {target.name} changes the spin of X: give the "
                             "reweighted efficiency ratio (darkscan.searches.recast"
                             ".efficiency_ratio)")
    unit = (production_sigma_unit(target.spin, limits.mass) if sigma_unit is None
            else np.asarray(sigma_unit, float))
    sigma = {c: v / eff.value for c, v in limits.sigma_ul.items()}
    undefined = np.isnan(branching)  # where the model's branching fraction is not modelled
    coupling = {
        f"{target.coupling}_ul_{target.name}_{c.removeprefix('sigma_ul_')}": np.where(
            undefined, np.nan,
            coupling_upper_limit(v, unit * target.muon_charge**target.power, 1.0,
                                 np.where(undefined, 1.0, branching), power=target.power))
        for c, v in sigma.items()}
    notes = [f"production: e⁺e⁻ → μ⁺μ⁻X with X ({target.spin}) radiated off the muon line; "
             f"σ = σ_unit(m) · (q_μ {target.coupling})², q_μ = {target.muon_charge:.6g}",
             f"efficiency ratio: {eff.method}",
             f"branching fraction into the searched final state ({source.final_state}): "
             f"{target.description}"]
    if undefined.any():
        notes.append("no limit (NaN) at " + ", ".join(f"{m:g}" for m in limits.mass[undefined])
                     + " GeV: the model's branching fraction is not modelled there")
    if target.missing_diagrams:
        notes.append(f"NOT included (--muon-line-only): {target.missing_diagrams}; their square "
                     "only adds signal and their interference is odd under μ⁺ ↔ μ⁻ (zero over a "
                     "charge-symmetric selection), so the limit is conservative, by an "
                     "unmeasured amount")
    return RecastResult(limits.search, target.name, target.coupling, source.final_state,
                        limits.mass, sigma, coupling, eff, tuple(notes))
