"""Variable registry: name → function of a candidate :class:`Context`, with unit and description.

Frames: plain names are lab-frame (``p``, ``pt``, ``theta``); ``*_cms`` names are in the CMS of
the nominal beams (basf2 ``useCMSFrame``), boosted along the full boost 3-vector of the
experiment preset. Daughter variables are ``dau{i}_<name>`` (i from 0, decay-string order).
Recoil quantities use the nominal beam four-momentum (as basf2 does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from darkscan.errors import unknown
from darkscan.physics import lorentz
from darkscan.physics.constants import M_TAU
from darkscan.physics.experiment import Experiment
from darkscan.reco.vertex import fit_vertex


@dataclass(frozen=True)
class Variable:
    name: str
    unit: str
    description: str
    func: Callable[[Context], np.ndarray]


VARIABLES: dict[str, Variable] = {}
DAUGHTER_VARIABLES: dict[str, Variable] = {}
_DAU = re.compile(r"^dau(\d+)_(\w+)$")


def variable(name: str, unit: str, description: str, *, daughter: bool = False
             ) -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
    def deco(func: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        (DAUGHTER_VARIABLES if daughter else VARIABLES)[name] = Variable(name, unit,
                                                                         description, func)
        return func
    return deco


class Context:
    """Everything a variable may need, for a flat list of candidates.

    ``dau_p4``: list of (n, 4) lab four-momenta; ``dau_track``: per daughter a dict of per-
    candidate track fields (None for photons); ``event``: dict of per-candidate event fields.
    """

    def __init__(self, experiment: Experiment, dau_p4: list[np.ndarray],
                 dau_track: list[dict[str, np.ndarray] | None],
                 dau_cluster: list[dict[str, np.ndarray]], event: dict[str, np.ndarray],
                 masses: list[float], b_field: float) -> None:
        self.experiment = experiment
        self.dau_p4 = dau_p4
        self.dau_track = dau_track
        self.dau_cluster = dau_cluster
        self.event = event
        self.masses = masses
        self.b_field = b_field
        self.n = len(dau_p4[0])

    # four-momenta are (n, 4) views of (4, n) arrays: the per-component reductions of the
    # Lorentz helpers then run along contiguous memory (several times faster than row-wise)

    @cached_property
    def p4(self) -> np.ndarray:
        out = np.array(self.dau_p4[0], dtype=float, order="F")  # a copy, summed into
        for p in self.dau_p4[1:]:
            out += p
        return out

    @cached_property
    def p4_cms(self) -> np.ndarray:
        return np.asfortranarray(self.experiment.to_cms(self.p4))

    @cached_property
    def dau_p4_cms(self) -> list[np.ndarray]:
        return [np.asfortranarray(self.experiment.to_cms(p)) for p in self.dau_p4]

    @cached_property
    def opening_cms(self) -> np.ndarray:
        return _angle(self.dau_p4_cms[0], self.dau_p4_cms[1])

    @cached_property
    def recoil_cms(self) -> np.ndarray:
        beams = np.array([0.0, 0.0, 0.0, self.experiment.sqrt_s])
        return beams - self.p4_cms

    @cached_property
    def recoil_lab(self) -> np.ndarray:
        return self.experiment.p4_total - self.p4

    @cached_property
    def charged(self) -> list[int]:
        return [i for i, t in enumerate(self.dau_track) if t is not None]

    @cached_property
    def vertex(self) -> dict[str, np.ndarray] | None:
        if len(self.charged) < 2:
            return None
        i, j = self.charged[:2]
        return fit_vertex(self.dau_track[i], self.dau_track[j], self.b_field)  # type: ignore[arg-type]

    def vtx(self, key: str) -> np.ndarray:
        v = self.vertex
        return np.full(self.n, np.nan) if v is None else v[key]

    def track_field(self, i: int, key: str) -> np.ndarray:
        t = self.dau_track[i]
        return np.full(self.n, np.nan) if t is None else np.asarray(t[key], dtype=float)


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    na = np.linalg.norm(a[..., :3], axis=-1)
    nb = np.linalg.norm(b[..., :3], axis=-1)
    c = np.sum(a[..., :3] * b[..., :3], axis=-1) / np.maximum(na * nb, 1e-300)
    return np.arccos(np.clip(c, -1.0, 1.0))


def _signed_sqrt(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.sqrt(np.abs(x))


# --- candidate kinematics -------------------------------------------------------------------
for _frame, _suffix, _desc in (("p4", "", "lab"), ("p4_cms", "_cms", "CMS")):
    def _mk(frame: str = _frame) -> dict[str, Callable[[Context], np.ndarray]]:
        return {"p": lambda c: lorentz.p3mag(getattr(c, frame)),
                "pt": lambda c: lorentz.pt(getattr(c, frame)),
                "theta": lambda c: lorentz.theta(getattr(c, frame)),
                "cos_theta": lambda c: np.cos(lorentz.theta(getattr(c, frame))),
                "phi": lambda c: lorentz.phi(getattr(c, frame)),
                "E": lambda c: getattr(c, frame)[:, 3]}
    for _k, _f in _mk().items():
        _unit = {"theta": "rad", "phi": "rad", "cos_theta": ""}.get(_k, "GeV")
        VARIABLES[_k + _suffix] = Variable(_k + _suffix, _unit,
                                           f"candidate {_k} in the {_desc} frame", _f)

variable("M", "GeV", "invariant mass of the daughters")(lambda c: lorentz.mass(c.p4))
variable("M2", "GeV²", "invariant mass squared")(lambda c: lorentz.mass2(c.p4))
variable("m2_recoil", "GeV²", "recoil mass squared against the candidate (nominal beams)")(
    lambda c: lorentz.mass2(c.recoil_cms))
variable("m_recoil", "GeV", "recoil mass, sign(m²)·√|m²|")(
    lambda c: _signed_sqrt(lorentz.mass2(c.recoil_cms)))
variable("p_recoil_cms", "GeV", "recoil momentum in the CMS")(
    lambda c: lorentz.p3mag(c.recoil_cms))
variable("E_recoil_cms", "GeV", "recoil energy in the CMS")(lambda c: c.recoil_cms[:, 3])
variable("theta_recoil_cms", "rad", "recoil polar angle in the CMS")(
    lambda c: lorentz.theta(c.recoil_cms))
variable("cos_theta_recoil_cms", "", "cos of the recoil polar angle in the CMS")(
    lambda c: np.cos(lorentz.theta(c.recoil_cms)))
variable("phi_recoil_cms", "rad", "recoil azimuth in the CMS")(lambda c: lorentz.phi(c.recoil_cms))
variable("theta_recoil", "rad", "recoil polar angle in the lab (detector acceptance)")(
    lambda c: lorentz.theta(c.recoil_lab))
variable("E_missing_cms", "GeV", "missing energy in the CMS: √s − E*(candidate)")(
    lambda c: c.recoil_cms[:, 3])
variable("p_missing_cms", "GeV", "missing momentum in the CMS")(
    lambda c: lorentz.p3mag(c.recoil_cms))
variable("opening_angle", "rad", "angle between daughters 0 and 1 (lab)")(
    lambda c: _angle(c.dau_p4[0], c.dau_p4[1]))
variable("opening_angle_cms", "rad", "angle between daughters 0 and 1 in the CMS")(
    lambda c: c.opening_cms)


@variable("tau_cone_margin", "rad", "acollinearity (π − CMS opening angle) of daughters 0 and 1 "
          "minus the largest one a τ⁺τ⁻ pair at E_τ = √s/2 allows when each τ decays to that "
          "daughter plus invisible particles (τ → ℓνν); > 0 is forbidden for τ pairs without "
          "hard ISR (a daughter beyond the τ-decay endpoint counts as collinear with its τ)")
def _tau_cone_margin(c: Context) -> np.ndarray:
    e_tau = c.experiment.sqrt_s / 2.0
    # beyond the endpoint (resolution, beam-energy spread) the cone closes rather than vanish
    cones = [np.maximum(lorentz.max_angle_to_parent(lorentz.p3mag(c.dau_p4_cms[i]), c.masses[i],
                                                    e_tau, M_TAU), 0.0) for i in (0, 1)]
    return np.pi - c.opening_cms - cones[0] - cones[1]


@variable("cos_helicity", "", "cos of the angle between daughter 0 in the candidate rest frame "
          "and the candidate direction in the CMS")
def _cos_hel(c: Context) -> np.ndarray:
    m = c.p4_cms
    beta = m[:, :3] / m[:, 3:4]
    d = lorentz.boost(c.dau_p4_cms[0], -beta)
    return np.cos(_angle(d, m))


# --- vertex ---------------------------------------------------------------------------------
variable("vtx_x", "cm", "vertex x (two-track fit)")(lambda c: c.vtx("x"))
variable("vtx_y", "cm", "vertex y")(lambda c: c.vtx("y"))
variable("vtx_z", "cm", "vertex z")(lambda c: c.vtx("z"))
variable("vtx_r", "cm", "vertex transverse distance from the z axis")(
    lambda c: np.hypot(c.vtx("x"), c.vtx("y")))
variable("dr", "cm", "transverse distance of the candidate vertex from the IP (= vtx_r)")(
    lambda c: np.hypot(c.vtx("x"), c.vtx("y")))
variable("dz", "cm", "z of the candidate vertex (= vtx_z)")(lambda c: c.vtx("z"))
variable("vtx_doca", "cm", "distance of closest approach of the two helices")(
    lambda c: c.vtx("doca"))
variable("vtx_chi2", "", "vertex χ² from the helix separation and impact-parameter errors")(
    lambda c: c.vtx("chi2"))


def _p4_at_vertex(c: Context) -> np.ndarray:
    v = c.vertex
    if v is None:
        return np.full((c.n, 4), np.nan)
    i, j = c.charged[:2]
    p1 = lorentz.p4_from_mass(v["p1"], c.masses[i])
    p2 = lorentz.p4_from_mass(v["p2"], c.masses[j])
    return p1 + p2


@variable("M_vtx", "GeV", "two-track mass from the momenta at the vertex")
def _m_vtx(c: Context) -> np.ndarray:
    return lorentz.mass(_p4_at_vertex(c))


@variable("M_reduced", "GeV", "reduced mass √(M_vtx² − 4m²) of the two tracks (m of daughter 0)")
def _m_red(c: Context) -> np.ndarray:
    m = c.masses[c.charged[0]] if c.charged else np.nan
    return np.sqrt(np.maximum(lorentz.mass2(_p4_at_vertex(c)) - 4.0 * m * m, 0.0))


@variable("cos_pointing", "", "cos of the angle between the vertex position (from the IP) and "
          "the two-track momentum at the vertex")
def _cos_point(c: Context) -> np.ndarray:
    pos = np.stack([c.vtx("x"), c.vtx("y"), c.vtx("z")], axis=-1)
    return np.cos(_angle(pos, _p4_at_vertex(c)))


# --- event-level ----------------------------------------------------------------------------
@variable("E_ECL_extra", "GeV", "ECL energy in clusters not used by the candidate (clusters of "
          "its tracks and its photons removed; beam background included)")
def _eextra(c: Context) -> np.ndarray:
    used = np.zeros(c.n)
    for t in c.dau_track:
        if t is not None:
            used += t["E_cluster"]
    for cl in c.dau_cluster:
        used += cl["E"]
    return c.event["E_ECL_total"] - used


variable("n_extra_tracks", "", "tracks not used by the candidate")(
    lambda c: c.event["n_tracks"] - len(c.charged))

_EVENT = {"n_tracks": ("", "reconstructed tracks in the event"),
          "n_clusters": ("", "ECL clusters in the event"),
          "E_ECL_total": ("GeV", "total ECL cluster energy"),
          "n_klm_neutral": ("", "KLM hits without a track (photon/K_L veto)"),
          "n_photons_extra": ("", "photon clusters (no track) with E > 0.1 GeV not in the "
                              "candidate")}
for _k, (_u, _d) in _EVENT.items():
    if _k != "n_photons_extra":  # not a per-event column: defined below
        VARIABLES[_k] = Variable(_k, _u, _d, (lambda k: lambda c: c.event[k])(_k))
VARIABLES["n_photons_extra"] = Variable(
    "n_photons_extra", "", _EVENT["n_photons_extra"][1],
    lambda c: c.event["n_photons_loose"] - sum((cl["E"] > 0.1).astype(int) for cl in c.dau_cluster))


@variable("mc_match", "", "1 if every daughter is matched to a true particle of its hypothesis")
def _mc_match(c: Context) -> np.ndarray:
    ok = np.ones(c.n, dtype=bool)
    for i, pdg in enumerate(c.event["_dau_pdg"]):
        ok &= c.event[f"_dau{i}_mc_pdg"] == pdg
    return ok.astype(np.int8)


# --- daughters ------------------------------------------------------------------------------
def _dau_kin(name: str, f: Callable[[np.ndarray], np.ndarray], cms: bool) -> Callable[..., Any]:
    return lambda c, i: f((c.dau_p4_cms if cms else c.dau_p4)[i])


for _k, _f, _u in (("p", lorentz.p3mag, "GeV"), ("pt", lorentz.pt, "GeV"),
                   ("theta", lorentz.theta, "rad"), ("phi", lorentz.phi, "rad"),
                   ("E", lambda p: p[:, 3], "GeV")):
    DAUGHTER_VARIABLES[_k] = Variable(_k, _u, f"daughter {_k} (lab)", _dau_kin(_k, _f, False))
    DAUGHTER_VARIABLES[_k + "_cms"] = Variable(_k + "_cms", _u, f"daughter {_k} in the CMS",
                                               _dau_kin(_k, _f, True))
for _k, _u, _d in (("dr", "cm", "|d0| of the track at the perigee"),
                   ("dz", "cm", "z0 of the track at the perigee"),
                   ("charge", "e", "track charge"),
                   ("muonID", "", "muon ID score"), ("electronID", "", "electron ID score"),
                   ("pionID", "", "pion ID score"), ("kaonID", "", "kaon ID score"),
                   ("E_cluster", "GeV", "energy of the matched ECL cluster"),
                   ("E_over_p", "", "E/p of the matched cluster"),
                   ("klm_layers", "", "KLM layers fired by the track"),
                   ("n_cdc", "", "CDC layers crossed"), ("n_svd", "", "SVD layers crossed"),
                   ("mc_vr", "cm", "true production radius")):
    DAUGHTER_VARIABLES[_k] = Variable(_k, _u, _d,
                                      (lambda k: lambda c, i: c.track_field(i, k))(_k))
DAUGHTER_VARIABLES["mc_pdg"] = Variable("mc_pdg", "", "PDG id of the matched true particle",
                                        lambda c, i: c.event[f"_dau{i}_mc_pdg"])


def describe(name: str) -> Variable:
    """The registry entry of a (possibly daughter) variable."""
    if name in VARIABLES:
        return VARIABLES[name]
    m = _DAU.match(name)
    if m and m.group(2) in DAUGHTER_VARIABLES:
        v = DAUGHTER_VARIABLES[m.group(2)]
        return Variable(name, v.unit, f"{v.description} of daughter {m.group(1)}", v.func)
    raise unknown("variable", name, list(VARIABLES) + [f"dau0_{k}" for k in DAUGHTER_VARIABLES])


def compute(name: str, ctx: Context) -> np.ndarray:
    m = _DAU.match(name)
    if name not in VARIABLES and m:
        i = int(m.group(1))
        if i >= len(ctx.dau_p4):
            raise unknown("variable", name, [f"dau{j}_{m.group(2)}" for j in
                                             range(len(ctx.dau_p4))])
        describe(name)
        return np.asarray(DAUGHTER_VARIABLES[m.group(2)].func(ctx, i))
    return np.asarray(describe(name).func(ctx))


def default_variables(n_daughters: int) -> list[str]:
    dau = ("p", "pt", "theta", "phi", "p_cms", "theta_cms", "charge", "dr", "dz", "muonID",
           "electronID", "pionID", "kaonID", "E_cluster", "E_over_p", "klm_layers", "n_cdc",
           "mc_pdg")
    names = [k for k in VARIABLES]
    names += [f"dau{i}_{k}" for i in range(n_daughters) for k in dau]
    return names
