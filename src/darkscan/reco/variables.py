"""Variable registry: name → function of a candidate :class:`Context`, with unit and description.

A context is a set of rows of one particle list (a composite, a track or a photon list), so one
variable works on any particle: ``p`` of a B candidate, of its kaon or of a muon of its S.
``dau{i}_<name>`` evaluates ``<name>`` on daughter i (decay-string order, from 0), to any depth:
``dau1_dau0_p`` is basf2's ``daughter(1, daughter(0, p))``.

Frames: plain names are lab-frame (``p``, ``pt``, ``theta``); ``*_cms`` names are in the CMS of
the nominal beams (basf2 ``useCMSFrame``), boosted along the full boost 3-vector of the
experiment preset. Recoil quantities and M_bc, ΔE use the nominal beams (as basf2 does).
Variables that do not apply to a particle (``muonID`` of a composite) are NaN.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from darkscan.errors import DarkscanError, unknown
from darkscan.physics import lorentz
from darkscan.physics.constants import M_TAU
from darkscan.physics.constants import mass as pdg_mass
from darkscan.reco.decay import VPHO
from darkscan.reco.vertex import conversion_point, fit_vertex, hit_pattern

if TYPE_CHECKING:
    from darkscan.reco.candidates import Engine, Store

#: speed of light in cm/ns (proper decay times are in ns, lengths in cm)
C_CM_PER_NS = 29.9792458


@dataclass(frozen=True)
class Variable:
    name: str
    unit: str
    description: str
    func: Callable[[Context], np.ndarray]


VARIABLES: dict[str, Variable] = {}
_DAU = re.compile(r"^dau(\d+)_(\w+)$")


def variable(name: str, unit: str, description: str
             ) -> Callable[[Callable[[Context], np.ndarray]], Callable[[Context], np.ndarray]]:
    def deco(func: Callable[[Context], np.ndarray]) -> Callable[[Context], np.ndarray]:
        VARIABLES[name] = Variable(name, unit, description, func)
        return func
    return deco


class Context:
    """Rows ``rows`` of the particle list ``store``; ``parent`` is the context of the mother
    when this one is a daughter (its vertex is the production vertex)."""

    def __init__(self, engine: Engine, store: Store, rows: np.ndarray,
                 parent: Context | None = None) -> None:
        self.engine = engine
        self.store = store
        self.rows = rows
        self.parent = parent
        self.n = len(rows)
        self.experiment = engine.experiment

    @property
    def kind(self) -> str:
        return self.store.kind

    def nan(self) -> np.ndarray:
        return np.full(self.n, np.nan)

    @cached_property
    def event(self) -> np.ndarray:
        return self.store.event[self.rows]

    @cached_property
    def p4(self) -> np.ndarray:
        return np.asfortranarray(self.store.p4[self.rows])

    @cached_property
    def p4_cms(self) -> np.ndarray:
        return np.asfortranarray(self.experiment.to_cms(self.p4))

    @cached_property
    def recoil_cms(self) -> np.ndarray:
        """Nominal beams minus the candidate, in the CMS."""
        return np.array([0.0, 0.0, 0.0, self.experiment.sqrt_s]) - self.p4_cms

    @cached_property
    def children(self) -> list[Context]:
        return [Context(self.engine, self.engine.stores[key], idx[self.rows], self)
                for key, idx in self.store.children]

    def child(self, i: int, name: str) -> Context:
        if i >= len(self.children):
            raise unknown("variable", name, [f"dau{j}_{name.split('_', 1)[1]}"
                                             for j in range(len(self.children))])
        return self.children[i]

    @cached_property
    def leaves(self) -> np.ndarray:
        return self.store.leaves[self.rows]

    def obj(self, key: str) -> np.ndarray:
        """A field of the track (``kind == "track"``) or cluster of a final-state row."""
        cols = {"track": self.engine.tracks, "photon": self.engine.clusters}.get(self.kind)
        if cols is None or key not in cols:
            return self.nan()
        return np.asarray(cols[key], dtype=float)[self.store.obj[self.rows]]

    def ev(self, key: str) -> np.ndarray:
        return np.asarray(self.engine.event_columns[key])[self.event]

    # --- vertices ---------------------------------------------------------------------------
    @cached_property
    def fitted(self) -> dict[str, np.ndarray] | None:
        """The list's vertex fit (when the list asked for one), else a fit of the daughters
        on demand (no constraint); None for final-state particles."""
        if self.kind != "composite":
            return None
        if self.store.vertex is not None:
            return {k: v[self.rows] for k, v in self.store.vertex.items()}
        return self.engine.fit_rows(self.store, self.rows)

    def vtx(self, key: str) -> np.ndarray:
        f = self.fitted
        return self.nan() if f is None or key not in f else f[key]

    @cached_property
    def production(self) -> tuple[np.ndarray, np.ndarray]:
        """Production vertex (n, 3) and covariance: the mother's fitted vertex for a daughter,
        the centre of the luminous region (with its size as covariance) otherwise."""
        if self.parent is not None and self.parent.fitted is not None:
            f = self.parent.fitted
            return f["pos"], f["cov"]
        cov = np.diag(np.asarray(self.experiment.spot_sigma, dtype=float) ** 2)
        return np.zeros((self.n, 3)), np.broadcast_to(cov, (self.n, 3, 3))

    @cached_property
    def flight(self) -> tuple[np.ndarray, np.ndarray]:
        """Flight distance along the momentum and its error (cm)."""
        f = self.fitted
        if f is None:
            return self.nan(), self.nan()
        pos0, cov0 = self.production
        u = self.p4[:, :3] / np.maximum(lorentz.p3mag(self.p4), 1e-300)[:, None]
        d = np.einsum("ni,ni->n", f["pos"] - pos0, u)
        var = np.einsum("ni,nij,nj->n", u, f["cov"] + cov0, u)
        return d, np.sqrt(np.maximum(var, 0.0))

    @cached_property
    def pair_vertex(self) -> dict[str, np.ndarray] | None:
        """Two-track intersection of the first two charged final-state daughters (doca)."""
        tracks = [c for c in self.children if c.kind == "track"]
        if len(tracks) < 2:
            return None
        return fit_vertex(tracks[0].helix, tracks[1].helix, self.engine.b_field)

    @cached_property
    def conversion(self) -> dict[str, np.ndarray] | None:
        """The conversion point of the first two charged final-state daughters as an e⁺e⁻
        pair (:func:`darkscan.reco.vertex.conversion_point`)."""
        tracks = [c for c in self.children if c.kind == "track"]
        if len(tracks) < 2:
            return None
        return conversion_point(tracks[0].helix, tracks[1].helix, self.engine.b_field,
                                pdg_mass(11))

    @cached_property
    def hit_pattern(self) -> tuple[np.ndarray, np.ndarray]:
        """(hits inside, missing hits) of the fitted vertex of tracks
        (:func:`darkscan.reco.vertex.hit_pattern`); NaN for other candidates."""
        f = self.fitted
        if f is None or "daughter_p3" not in f:
            return self.nan(), self.nan()
        observed = np.stack([d.obj("n_pxd") + d.obj("n_svd") for d in self.children], axis=1)
        charge = np.stack([d.obj("charge") for d in self.children], axis=1)
        return hit_pattern(f["pos"], _err_r(self), f["daughter_p3"], charge, observed,
                           self.engine.b_field)

    @cached_property
    def helix(self) -> dict[str, np.ndarray]:
        return {k: self.obj(k) for k in ("px", "py", "pz", "charge", "d0", "phi0", "z0", "tanl",
                                         "sigma_d0", "sigma_z0")}

    @cached_property
    def mass_hypothesis(self) -> float:
        return self.store.mass


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    na = np.linalg.norm(a[..., :3], axis=-1)
    nb = np.linalg.norm(b[..., :3], axis=-1)
    c = np.sum(a[..., :3] * b[..., :3], axis=-1) / np.maximum(na * nb, 1e-300)
    return np.arccos(np.clip(c, -1.0, 1.0))


def _signed_sqrt(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.sqrt(np.abs(x))


def _composite(f: Callable[[Context], np.ndarray]) -> Callable[[Context], np.ndarray]:
    """Only for composites (needs daughters); NaN for final-state particles."""
    return lambda c: f(c) if c.kind == "composite" else c.nan()


# --- kinematics (any particle) --------------------------------------------------------------
for _frame, _suffix, _desc in (("p4", "", "lab"), ("p4_cms", "_cms", "CMS")):
    def _mk(frame: str = _frame) -> dict[str, Callable[[Context], np.ndarray]]:
        return {"p": lambda c: lorentz.p3mag(getattr(c, frame)),
                "pt": lambda c: lorentz.pt(getattr(c, frame)),
                "theta": lambda c: lorentz.theta(getattr(c, frame)),
                "cos_theta": lambda c: np.cos(lorentz.theta(getattr(c, frame))),
                "phi": lambda c: lorentz.phi(getattr(c, frame)),
                "E": lambda c: getattr(c, frame)[:, 3],
                "px": lambda c: getattr(c, frame)[:, 0], "py": lambda c: getattr(c, frame)[:, 1],
                "pz": lambda c: getattr(c, frame)[:, 2]}
    for _k, _f in _mk().items():
        _unit = {"theta": "rad", "phi": "rad", "cos_theta": ""}.get(_k, "GeV")
        VARIABLES[_k + _suffix] = Variable(_k + _suffix, _unit, f"{_k} in the {_desc} frame", _f)

variable("M", "GeV", "invariant mass (after the list's fits)")(lambda c: lorentz.mass(c.p4))
variable("M2", "GeV²", "invariant mass squared")(lambda c: lorentz.mass2(c.p4))
variable("M_unconstrained", "GeV", "invariant mass before a mass-constrained fit")(
    lambda c: c.store.extra["m_raw"][c.rows] if "m_raw" in c.store.extra
    else lorentz.mass(c.p4))
variable("pdg", "", "signed PDG id of the particle hypothesis")(
    lambda c: c.store.pdg[c.rows].astype(float))
variable("charge", "e", "electric charge")(lambda c: c.store.charge[c.rows])
variable("m2_recoil", "GeV²", "recoil mass squared against the candidate (nominal beams)")(
    lambda c: lorentz.mass2(c.recoil_cms))
variable("m_recoil", "GeV", "recoil mass, sign(m²)·√|m²|")(
    lambda c: _signed_sqrt(lorentz.mass2(c.recoil_cms)))
variable("p_recoil_cms", "GeV", "recoil momentum in the CMS")(
    lambda c: lorentz.p3mag(c.recoil_cms))
variable("E_recoil_cms", "GeV", "recoil energy in the CMS")(
    lambda c: c.recoil_cms[:, 3])
variable("theta_recoil_cms", "rad", "recoil polar angle in the CMS")(
    lambda c: lorentz.theta(c.recoil_cms))
variable("cos_theta_recoil_cms", "", "cos of the recoil polar angle in the CMS")(
    lambda c: np.cos(lorentz.theta(c.recoil_cms)))
variable("phi_recoil_cms", "rad", "recoil azimuth in the CMS")(
    lambda c: lorentz.phi(c.recoil_cms))
variable("theta_recoil", "rad", "recoil polar angle in the lab (detector acceptance)")(
    lambda c: lorentz.theta(c.experiment.p4_total - c.p4))


#: the photon-energy pulls (shift / σ_E) scanned by ``lost_photon_pull``, and the angular margin
#: (deg) about the ECL's blind regions within which a photon counts as lost (its shower leaks)
LOST_PHOTON_PULLS = np.linspace(-5.0, 5.0, 101)
LOST_PHOTON_MARGIN_DEG = 1.0


def _recoil_photon(recoil: np.ndarray, beam: np.ndarray) -> np.ndarray:
    """The photon that, with a photon collinear with ``beam`` (a lab 4-vector), makes up the
    recoil 4-vectors R: the beam photon's energy follows from masslessness,
    (R − k n̂)² = 0 → k = M²_R / 2(E_R − n̂·p_R) (a recoil below zero mass by resolution: k = 0,
    the recoil itself)."""
    n = beam[:3] / np.linalg.norm(beam[:3])
    k = np.maximum(lorentz.mass2(recoil), 0.0) / np.maximum(
        2.0 * (recoil[..., 3] - recoil[..., :3] @ n), 1e-12)
    return recoil - k[..., None] * np.append(n, 1.0)


@variable("lost_photon_pull", "", "the e⁺e⁻ → γγγ hypothesis of a single-photon event: the "
          "smallest |shift| of the candidate's energy, in units of the ECL's σ_E, at which the "
          "recoil against it is a photon along a beam (ISR) plus one photon the ECL does not see "
          "(beyond its acceptance or in a barrel–endcap gap, 1° margin); either beam, scanned "
          "over ±5σ in steps of 0.1; +inf where no energy in the scan allows it")
def _lost_photon_pull(c: Context) -> np.ndarray:
    from darkscan.detector.geometry import ecl_blind, ecl_bounds
    from darkscan.detector.parameters import detector_for
    from darkscan.detector.resolution import sigma_e_over_e

    det = detector_for(c.experiment.name)
    p4 = c.p4
    scale = 1.0 + LOST_PHOTON_PULLS[None, :] * sigma_e_over_e(p4[:, 3], det)[:, None]
    recoil = c.experiment.p4_total - np.maximum(scale, 0.0)[..., None] * p4[:, None, :]
    lost = np.zeros(scale.shape, dtype=bool)
    for beam in (c.experiment.electron_p4(), c.experiment.positron_p4()):
        photon = _recoil_photon(recoil, beam)
        lost |= (photon[..., 3] > 0.0) & ecl_blind(lorentz.theta(photon), ecl_bounds(det),
                                                  LOST_PHOTON_MARGIN_DEG)
    pulls = np.where(lost, np.abs(LOST_PHOTON_PULLS)[None, :], np.inf)
    return pulls.min(axis=1) if len(pulls) else np.empty(0)

variable("E_missing_cms", "GeV", "missing energy in the CMS: √s − E*(candidate)")(
    lambda c: c.recoil_cms[:, 3])
variable("p_missing_cms", "GeV", "missing momentum in the CMS")(
    lambda c: lorentz.p3mag(c.recoil_cms))
variable("Mbc", "GeV", "beam-constrained mass √(E*_beam² − p*²), E*_beam = √s/2 (nominal)")(
    lambda c: np.sqrt(np.maximum((c.experiment.sqrt_s / 2) ** 2
                                 - lorentz.p3mag(c.p4_cms) ** 2, 0.0)))
variable("deltaE", "GeV", "ΔE = E* − E*_beam (nominal beams)")(
    lambda c: c.p4_cms[:, 3] - c.experiment.sqrt_s / 2)
variable("opening_angle", "rad", "angle between daughters 0 and 1 (lab)")(_composite(
    lambda c: _angle(c.children[0].p4, c.children[1].p4)))
variable("opening_angle_cms", "rad", "angle between daughters 0 and 1 in the CMS")(_composite(
    lambda c: _angle(c.children[0].p4_cms, c.children[1].p4_cms)))


@variable("tau_cone_margin", "rad", "acollinearity (π − CMS opening angle) of daughters 0 and 1 "
          "minus the largest one a τ⁺τ⁻ pair at E_τ = √s/2 allows when each τ decays to that "
          "daughter plus invisible particles (τ → ℓνν); > 0 is forbidden for τ pairs without "
          "hard ISR (a daughter beyond the τ-decay endpoint counts as collinear with its τ)")
@_composite
def _tau_cone_margin(c: Context) -> np.ndarray:
    e_tau = c.experiment.sqrt_s / 2.0
    d0, d1 = c.children[:2]
    # beyond the endpoint (resolution, beam-energy spread) the cone closes rather than vanish
    cones = [np.maximum(lorentz.max_angle_to_parent(lorentz.p3mag(d.p4_cms), d.store.mass,
                                                    e_tau, M_TAU), 0.0) for d in (d0, d1)]
    return np.pi - _angle(d0.p4_cms, d1.p4_cms) - cones[0] - cones[1]


def _harder_softer(c: Context) -> tuple[np.ndarray, np.ndarray]:
    """The 3-momenta (CMS) of daughters 0 and 1 ordered as (harder, softer)."""
    a, b = (d.p4_cms[:, :3] for d in c.children[:2])
    first = (np.linalg.norm(a, axis=-1) >= np.linalg.norm(b, axis=-1))[:, None]
    return np.where(first, a, b), np.where(first, b, a)


def _along(p: np.ndarray, axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(longitudinal, transverse) components of ``p`` about ``axis`` (any length)."""
    n = axis / np.maximum(np.linalg.norm(axis, axis=-1, keepdims=True), 1e-300)
    pl = np.sum(p * n, axis=-1)
    return pl, np.sqrt(np.maximum(np.sum(p * p, axis=-1) - pl * pl, 0.0))


@variable("pt_thrust_max", "GeV", "the larger CMS transverse momentum of daughters 0 and 1 about "
          "their thrust axis (for two momenta p₁ ± p₂, whichever is longer): small for a τ pair "
          "(each daughter within its τ's cone), large for a boson radiated off a muon (the "
          "Punzi-net paper's public example, EPJC 82 121: pt_thrustFrame_max)")
@_composite
def _pt_thrust_max(c: Context) -> np.ndarray:
    a, b = (d.p4_cms[:, :3] for d in c.children[:2])
    diff, tot = a - b, a + b
    longer = np.linalg.norm(diff, axis=-1) >= np.linalg.norm(tot, axis=-1)
    axis = np.where(longer[:, None], diff, tot)
    return np.maximum(_along(a, axis)[1], _along(b, axis)[1])


# the harder daughter's momentum about the softer one's direction (EPJC 82 121 public example:
# pl_max_wrt_min_CMS, pt_max_wrt_min_CMS)
for _name, _part, _what in (("pl_max_wrt_min_cms", 0, "momentum along (signed)"),
                            ("pt_max_wrt_min_cms", 1, "transverse momentum about")):
    variable(_name, "GeV", f"the harder of daughters 0 and 1: its CMS {_what} the softer one's "
             "direction")(_composite(lambda c, k=_part: _along(*_harder_softer(c))[k]))


@variable("x_tau_pseudo_rest", "", "energy fraction 2E/m_τ of daughter 1 in the τ pseudo-rest "
          "frame (ARGUS): the τ recoiling against daughter 0 (the tag side) with E_τ = √s/2 "
          "along −p̂*(daughter 0); a two-body τ → ℓX decay peaks, τ → ℓνν̄ is the Michel "
          "spectrum smeared by the frame's direction error")
@_composite
def _x_tau_pseudo_rest(c: Context) -> np.ndarray:
    e_tau = c.experiment.sqrt_s / 2.0
    tag, lepton = c.children[:2]
    direction = -tag.p4_cms[:, :3] / lorentz.p3mag(tag.p4_cms)[:, None]
    beta = np.sqrt(1.0 - (M_TAU / e_tau) ** 2) * direction
    return 2.0 * lorentz.boost(lepton.p4_cms, -beta)[:, 3] / M_TAU


@variable("cos_helicity", "", "cos of the helicity angle: daughter 0 in the candidate rest frame "
          "against the candidate direction in the CMS")
@_composite
def _cos_hel(c: Context) -> np.ndarray:
    m = c.p4_cms
    d = lorentz.boost(c.children[0].p4_cms, -(m[:, :3] / m[:, 3:4]))
    return np.cos(_angle(d, m))


def _sub_mass(i: int, j: int) -> Callable[[Context], np.ndarray]:
    return _composite(lambda c: lorentz.mass(c.children[i].p4 + c.children[j].p4)
                      if max(i, j) < len(c.children) else c.nan())


for _i, _j in ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)):
    VARIABLES[f"M_{_i}{_j}"] = Variable(f"M_{_i}{_j}", "GeV", f"invariant mass of daughters {_i} "
                                        f"and {_j} (basf2 daughterInvM({_i}, {_j}))",
                                        _sub_mass(_i, _j))


def _mass_as(m0: float, m1: float) -> Callable[[Context], np.ndarray]:
    """Mass of daughters 0 and 1 with their measured momenta under other mass hypotheses: the
    momenta at the fitted vertex where the composite has one (a displaced pair's tracks turn
    in the field between their perigee and the vertex), at the perigee otherwise."""
    def f(c: Context) -> np.ndarray:
        if len(c.children) < 2:
            return c.nan()
        fitted = c.fitted
        if fitted is not None and "daughter_p3" in fitted:
            p = [fitted["daughter_p3"][:, k] for k in (0, 1)]
        else:
            p = [c.children[k].p4[:, :3] for k in (0, 1)]
        e = sum(np.sqrt(np.sum(q * q, axis=1) + m * m) for q, m in zip(p, (m0, m1), strict=True))
        return np.sqrt(np.maximum(e * e - np.sum((p[0] + p[1]) ** 2, axis=1), 0.0))
    return _composite(f)


#: basf2's useAlternativeDaughterHypothesis for the vetoes of displaced pairs: K⁰_S → π⁺π⁻ and
#: Λ → pπ⁻ taken for another pair (the masses from ``particle`` via physics.constants)
for _name, (_h0, _h1), _what in (("pipi", (211, 211), "both as pions"),
                                 ("ppi", (2212, 211), "daughter 0 as a proton, 1 as a pion"),
                                 ("pip", (211, 2212), "daughter 0 as a pion, 1 as a proton")):
    VARIABLES[f"M_as_{_name}"] = Variable(
        f"M_as_{_name}", "GeV", f"mass of daughters 0 and 1, {_what} (their momenta at the "
        "vertex; K⁰_S and Λ vetoes)", _mass_as(pdg_mass(_h0), pdg_mass(_h1)))


def _final_state(c: Context) -> list[Context]:
    """The candidate's final-state particles (its leaves), at any depth."""
    out: list[Context] = []
    for d in c.children:
        out += _final_state(d) if d.kind == "composite" else [d]
    return out


@variable("M_os_min", "GeV", "smallest invariant mass of an opposite-charge pair of the "
          "candidate's final-state particles, over every pairing (a four-muon event's virtual "
          "photon makes a light pair)")
@_composite
def _m_os_min(c: Context) -> np.ndarray:
    leaves = _final_state(c)
    charge = [leaf.store.charge[leaf.rows] for leaf in leaves]
    out = np.full(c.n, np.inf)
    for i, j in itertools.combinations(range(len(leaves)), 2):
        m = lorentz.mass(leaves[i].p4 + leaves[j].p4)
        out = np.where(charge[i] * charge[j] < 0, np.minimum(out, m), out)
    return np.where(np.isfinite(out), out, np.nan)


def _cos_fs(i: int, j: int) -> Callable[[Context], np.ndarray]:
    def f(c: Context) -> np.ndarray:
        leaves = _final_state(c)
        if max(i, j) >= len(leaves):
            return c.nan()
        return np.cos(_angle(leaves[i].p4_cms, leaves[j].p4_cms))
    return _composite(f)


for _i, _j in itertools.combinations(range(4), 2):
    VARIABLES[f"cos_fs_{_i}{_j}"] = Variable(
        f"cos_fs_{_i}{_j}", "", f"cos of the CMS angle between final-state particles {_i} and "
        f"{_j} of the candidate (in the order of its decay string, depth first)",
        _cos_fs(_i, _j))


# --- vertex ---------------------------------------------------------------------------------
def _pos(i: int) -> Callable[[Context], np.ndarray]:
    return lambda c: (c.vtx("pos")[:, i] if c.fitted is not None else c.nan())


variable("vtx_x", "cm", "vertex x")(_pos(0))
variable("vtx_y", "cm", "vertex y")(_pos(1))
variable("vtx_z", "cm", "vertex z")(_pos(2))
variable("vtx_r", "cm", "vertex transverse distance from the z axis")(
    lambda c: np.hypot(_pos(0)(c), _pos(1)(c)))


@variable("dr", "cm", "transverse distance from the z axis: |d0| of a track, vertex r of a "
          "composite")
def _dr(c: Context) -> np.ndarray:
    return np.abs(c.obj("d0")) if c.kind == "track" else np.hypot(_pos(0)(c), _pos(1)(c))


@variable("dz", "cm", "z0 of a track, vertex z of a composite")
def _dz(c: Context) -> np.ndarray:
    return c.obj("z0") if c.kind == "track" else _pos(2)(c)


@variable("vtx_doca", "cm", "distance of closest approach of the first two charged daughters")
@_composite
def _doca(c: Context) -> np.ndarray:
    v = c.pair_vertex
    return c.nan() if v is None else v["doca"]


def _conversion(key: str) -> Callable[[Context], np.ndarray]:
    def f(c: Context) -> np.ndarray:
        v = c.conversion
        return c.nan() if v is None else v[key]
    return _composite(f)


#: basf2's converted-photon variables (convertedPhoton*(0, 1)), from the tracks' circles
for _k, _key, _u, _d in (
        ("conv_delta_r", "delta_r", "cm", "distance of the first two tracks' circle centres "
         "minus the sum of their radii (transverse plane; 0: they touch, as a photon "
         "conversion's or a π⁰ Dalitz pair's)"),
        ("conv_delta_z", "delta_z", "cm", "the two helices' z difference at the conversion "
         "point (the circles' nearest points)"),
        ("conv_M", "mass", "GeV", "e⁺e⁻ mass of the first two tracks from their momenta at "
         "the conversion point"),
        ("conv_rho", "rho", "cm", "transverse distance of the conversion point from the z "
         "axis")):
    VARIABLES[_k] = Variable(_k, _u, _d, _conversion(_key))


variable("vtx_hits_inside", "", "largest number of a daughter track's PXD/SVD layers inside "
         "the fitted vertex (a particle from there cannot have crossed them; radial tolerance "
         "max(3σ, 1 mm); NaN without the tracks' PXD and SVD counts)")(
    lambda c: c.hit_pattern[0])
variable("vtx_missing_hits", "", "largest number of PXD/SVD layers a daughter track from the "
         "fitted vertex would cross without a hit (same tolerance; a spurious crossing of two "
         "tracks that start further out)")(lambda c: c.hit_pattern[1])
variable("vtx_chi2", "", "vertex-fit χ²")(lambda c: c.vtx("chi2"))
variable("vtx_ndf", "", "vertex-fit degrees of freedom")(lambda c: c.vtx("ndf"))
variable("chi_prob", "", "vertex-fit χ² probability")(lambda c: c.vtx("prob"))
variable("vtx_err_r", "cm", "transverse vertex position error")(
    lambda c: _err_r(c) if c.fitted is not None else c.nan())


def _err_r(c: Context) -> np.ndarray:
    pos, cov = c.vtx("pos"), c.vtx("cov")
    r = np.maximum(np.hypot(pos[:, 0], pos[:, 1]), 1e-12)
    u = np.stack([pos[:, 0] / r, pos[:, 1] / r, np.zeros(c.n)], axis=-1)
    return np.sqrt(np.maximum(np.einsum("ni,nij,nj->n", u, cov, u), 0.0))


variable("flight_distance", "cm", "flight distance from the production vertex (the mother's "
         "vertex, or the IP) projected on the momentum")(lambda c: c.flight[0])
variable("flight_distance_err", "cm", "its error (both vertices' covariances)")(
    lambda c: c.flight[1])
variable("flight_significance", "", "flight distance / its error")(
    lambda c: c.flight[0] / c.flight[1])


@variable("cos_pointing", "", "cos of the angle between the flight vector (production to decay "
          "vertex) and the momentum")
def _cos_point(c: Context) -> np.ndarray:
    if c.fitted is None:
        return c.nan()
    return np.cos(_angle(c.vtx("pos") - c.production[0], c.p4))


@variable("proper_time", "ns", "proper decay time L·M/(p c)")
def _proper_time(c: Context) -> np.ndarray:
    return c.flight[0] * lorentz.mass(c.p4) / (lorentz.p3mag(c.p4) * C_CM_PER_NS)


@variable("proper_time_err", "ns", "its error from the flight-distance error")
def _proper_time_err(c: Context) -> np.ndarray:
    return c.flight[1] * lorentz.mass(c.p4) / (lorentz.p3mag(c.p4) * C_CM_PER_NS)


@variable("M_vtx", "GeV", "mass from the daughters' momenta at the vertex")
@_composite
def _m_vtx(c: Context) -> np.ndarray:
    return lorentz.mass(c.engine.p4_at_vertex(c))


@variable("M_reduced", "GeV", "reduced mass √(M_vtx² − 4m²), m the mass of daughter 0")
@_composite
def _m_red(c: Context) -> np.ndarray:
    m = c.children[0].store.mass
    return np.sqrt(np.maximum(lorentz.mass2(c.engine.p4_at_vertex(c)) - 4.0 * m * m, 0.0))


# --- final-state objects --------------------------------------------------------------------
for _k, _u, _d in (("d0", "cm", "signed transverse impact parameter"),
                   ("z0", "cm", "z of the track at the perigee"),
                   ("muonID", "", "muon ID score"), ("electronID", "", "electron ID score"),
                   ("pionID", "", "pion ID score"), ("kaonID", "", "kaon ID score"),
                   ("protonID", "", "proton ID score"),
                   ("E_cluster", "GeV", "energy of the matched ECL cluster"),
                   ("E_over_p", "", "E/p of the matched cluster"),
                   ("klm_layers", "", "KLM layers fired by the track"),
                   ("n_cdc", "", "CDC layers crossed"), ("n_svd", "", "SVD layers crossed"),
                   ("n_pxd", "", "PXD layers crossed"),
                   ("sigma_pt_rel", "", "σ(p_T)/p_T of the track fit"),
                   ("mc_vr", "cm", "true production radius")):
    VARIABLES[_k] = Variable(_k, _u, _d + " (tracks)", (lambda k: lambda c: c.obj(k))(_k))
variable("cluster_E", "GeV", "cluster energy (photons)")(
    lambda c: c.obj("E") if c.kind == "photon" else c.nan())
#: a photon's cluster shape and time (:mod:`darkscan.detector.showers`)
CLUSTER_SHAPE_VARIABLES = {
    "cluster_time": ("time", "ns", "cluster time about the collision"),
    "cluster_time_error": ("time_error", "ns", "σ of the cluster time at its seed energy"),
    "cluster_E1E9": ("E1E9", "", "seed crystal over the 3×3 about it"),
    "cluster_E9E21": ("E9E21", "", "3×3 over the 5×5 without corners"),
    "cluster_LAT": ("LAT", "", "lateral moment"),
    "cluster_second_moment": ("second_moment", "cm²", "Σ E r² / Σ E about the centroid"),
    "cluster_n_crystals": ("n_crystals", "", "crystals in the shape")}
for _k, (_col, _u, _d) in CLUSTER_SHAPE_VARIABLES.items():
    VARIABLES[_k] = Variable(_k, _u, _d + " (photons)", (
        lambda col: lambda c: c.obj(col) if c.kind == "photon" else c.nan())(_col))


@variable("mc_pdg", "", "PDG id of the matched true particle (final-state particles)")
def _mc_pdg(c: Context) -> np.ndarray:
    return c.obj("mc_pdg")


@variable("mc_mother", "", "truth index of the mother of the matched particle (−1: none); "
          "final-state particles")
def _mc_mother(c: Context) -> np.ndarray:
    return c.obj("mc_mother")


@variable("mc_mother_pdg", "", "PDG id of the mother of the matched particle (0: none); "
          "final-state particles")
def _mc_mother_pdg(c: Context) -> np.ndarray:
    return c.obj("mc_mother_pdg")


@variable("mc_index", "", "truth index of the matched particle; for a composite, that of the "
          "true particle its final-state daughters all come from, when it has the candidate's "
          "PDG id (−1 otherwise)")
def _mc_index(c: Context) -> np.ndarray:
    if c.kind != "composite":
        return c.obj("mc_index")
    finals = [d for d in c.children if d.kind != "composite"]
    if not finals:  # a composite of composites: its own truth is not in the reco sample
        return c.nan()
    mother = compute("mc_mother", finals[0])
    ok = (mother >= 0) & (compute("mc_mother_pdg", finals[0]) == c.store.pdg[c.rows])
    for d in finals[1:]:
        ok &= compute("mc_mother", d) == mother
    return np.where(ok, mother, -1.0)


@variable("mc_match", "", "1 if every final-state particle is matched to a true particle of its "
          "hypothesis and the final-state daughters of each composite come from one true "
          "particle of the composite's PDG id (basf2's isSignal, without the intermediate "
          "composites' own mothers, which the reco sample does not keep); a vpho matches "
          "daughters made in the collision itself")
def _mc_match(c: Context) -> np.ndarray:
    if c.kind != "composite":
        return (c.obj("mc_pdg") == c.store.pdg[c.rows]).astype(np.int8)
    ok = np.ones(c.n, dtype=bool)
    finals = [d for d in c.children if d.kind != "composite"]
    if finals:  # a vpho is the collision itself: its daughters are primaries
        primaries = np.all([compute("mc_mother", d) < 0 for d in finals], axis=0)
        ok &= np.where(c.store.pdg[c.rows] == VPHO, primaries, compute("mc_index", c) >= 0)
    for d in c.children:
        ok &= compute("mc_match", d) == 1
    return ok.astype(np.int8)


# --- event-level ----------------------------------------------------------------------------
@variable("E_ECL_extra", "GeV", "ECL energy in clusters not used by the candidate (clusters of "
          "its tracks and its photons removed; beam background included)")
def _eextra(c: Context) -> np.ndarray:
    return c.ev("E_ECL_total") - c.engine.leaf_cluster_energy(c.leaves)


@variable("E_gamma_side_1", "GeV", "CMS energy of the photons not used by the candidate in the "
          "hemisphere of daughter 1 (e.g. the π⁰ photons that come with a pion taken for the "
          "lepton of a 3×1 τ-pair event)")
@_composite
def _e_gamma_side_1(c: Context) -> np.ndarray:
    p = c.children[1].p4_cms[:, :3]
    return c.engine.photon_energy_along(p, np.asarray(c.leaves, dtype=np.int64), c.event)


variable("n_extra_tracks", "", "tracks not used by the candidate")(
    lambda c: c.ev("n_tracks") - np.sum(c.leaves < c.engine.n_tracks_total, axis=1))
variable("n_photons_extra", "", "photon clusters (no track) with E > 0.1 GeV not in the "
         "candidate")(lambda c: c.ev("n_photons_loose") - c.engine.leaf_loose_photons(c.leaves))

EVENT_VARIABLES = {"n_tracks": ("", "reconstructed tracks in the event"),
                   "n_clusters": ("", "ECL clusters in the event"),
                   "E_ECL_total": ("GeV", "total ECL cluster energy"),
                   "n_klm_neutral": ("", "KLM hits without a track (photon/K_L veto)"),
                   "E_visible_cms": ("GeV", "visible energy in the CMS: tracks (pion mass) and "
                                     "photons"),
                   "thrust": ("", "event thrust (tracks and photons, CMS)"),
                   "cos_theta_thrust": ("", "cos θ of the event thrust axis (CMS)"),
                   "R2": ("", "second normalised Fox–Wolfram moment H₂/H₀ (CMS)"),
                   "mc_llp_proper_length": ("cm", "truth: proper decay length of the event's "
                                            "first long-lived dark state (NaN: none)"),
                   "mc_llp_flight": ("cm", "truth: its flight, production to decay vertex "
                                     "(NaN: none)"),
                   "mc_lost_E": ("GeV", "truth: energy of the most energetic visible particle "
                                 "that left no track, ECL cluster or KLM hit (NaN: none)"),
                   "mc_lost_theta": ("rad", "truth: its polar angle (lab)"),
                   "mc_lost_phi": ("rad", "truth: its azimuth (lab)"),
                   "mc_lost_pdg": ("", "truth: its PDG id (0: none)")}
for _k, (_u, _d) in EVENT_VARIABLES.items():
    VARIABLES[_k] = Variable(_k, _u, _d, (lambda k: lambda c: c.ev(k))(_k))

variable("m2_missing", "GeV²", "missing mass squared: beams minus every track and photon (CMS)")(
    lambda c: c.ev("m2_missing"))


@variable("cos_tbto", "", "|cos| of the angle between the candidate's thrust axis and that of "
          "the rest of the event (CMS; continuum suppression)")
@_composite
def _cos_tbto(c: Context) -> np.ndarray:
    return c.engine.cos_thrust_b_roe(c.leaves, c.event)


@variable("pi0_veto_mass", "GeV", "for a photon: the diphoton mass with the other photon of the "
          "event (E > 50 MeV) that comes closest to the π⁰ mass")
def _pi0_veto(c: Context) -> np.ndarray:
    if c.kind != "photon":
        return c.nan()
    return c.engine.best_partner_mass(c.store.obj[c.rows], c.event, "pi0")


@variable("eta_veto_mass", "GeV", "as pi0_veto_mass for the η mass")
def _eta_veto(c: Context) -> np.ndarray:
    if c.kind != "photon":
        return c.nan()
    return c.engine.best_partner_mass(c.store.obj[c.rows], c.event, "eta")


# --- lookup ---------------------------------------------------------------------------------
def describe(name: str) -> Variable:
    """The registry entry of a variable; ``dau{i}_`` prefixes reach daughters at any depth."""
    if name in VARIABLES:
        return VARIABLES[name]
    m = _DAU.match(name)
    if m:
        inner = describe_or_none(m.group(2))
        if inner is not None:
            return Variable(name, inner.unit, f"{inner.description} of daughter {m.group(1)}",
                            inner.func)
    from darkscan.reco.aliases import BASF2_ALIASES

    raise unknown("variable", name, [*VARIABLES, "dau0_p", "dau1_dau0_M",
                                     *(f"{k} (basf2: use {v})" for k, v in
                                       list(BASF2_ALIASES.items())[:6])])


def describe_or_none(name: str) -> Variable | None:
    try:
        return describe(name)
    except DarkscanError:
        return None


def compute(name: str, ctx: Context) -> np.ndarray:
    """``name`` on every row of ``ctx`` (daughter prefixes descend)."""
    if name in VARIABLES:
        return np.asarray(VARIABLES[name].func(ctx))
    m = _DAU.match(name)
    if m is None:
        describe(name)  # raises
    assert m is not None
    return compute(m.group(2), ctx.child(int(m.group(1)), name))


def default_variables(n_daughters: int) -> list[str]:
    """The candidate's variables and the usual ones of each daughter (without the 34 KSFW
    moments: continuum suppression is asked for by name)."""
    dau = ("p", "pt", "theta", "phi", "p_cms", "theta_cms", "charge", "dr", "dz", "muonID",
           "electronID", "pionID", "kaonID", "E_cluster", "E_over_p", "klm_layers", "n_cdc",
           "mc_pdg")
    skip = {"d0", "z0", "muonID", "electronID", "pionID", "kaonID", "protonID", "E_cluster",
            "E_over_p", "klm_layers", "n_cdc", "n_svd", "sigma_pt_rel", "mc_vr", "cluster_E",
            "mc_pdg", "pi0_veto_mass", "eta_veto_mass", "charge", *CLUSTER_SHAPE_VARIABLES}
    names = [k for k in VARIABLES if k not in skip and not k.startswith("ksfw_")]
    names += [f"dau{i}_{k}" for i in range(n_daughters) for k in dau]
    return names


# --- KSFW moments (continuum suppression) -------------------------------------------------
#: the KSFW names after ``ksfw_``: H^so_{x,l} (x = 0 charged, 1 neutral, 2 missing; odd l only
#: for charged), H^oo_l, E_T and the missing mass squared (basf2 KSFWVariables)
KSFW_NAMES = ("hso00", "hso01", "hso02", "hso03", "hso04", "hso10", "hso12", "hso14", "hso20",
              "hso22", "hso24", "hoo0", "hoo1", "hoo2", "hoo3", "hoo4", "et", "mm2")


def _ksfw_side(c: Context, final_state: bool) -> list[Context]:
    """The signal side s: the candidate's final-state particles, or its direct daughters."""
    return _final_state(c) if final_state else list(c.children)


def _ksfw(c: Context, final_state: bool) -> dict[str, np.ndarray]:
    """Every KSFW quantity of the rows of ``c`` (one kernel call per context and side).

    The other side o is the rest of the event (tracks with the pion mass and photons above
    PHOTON_E_MIN, as for the other event shapes); H^so is normalised by 2(E*_beam − ΔE) =
    2(√s − E*_B), about the H^so_0 of a two-body B (Belle's normalisation), H^oo by its square,
    so that the moments do not scale with the energy left to the other side.
    """
    cache: dict[bool, dict[str, np.ndarray]] = vars(c).setdefault("_ksfw", {})
    if final_state in cache:
        return cache[final_state]
    from darkscan.reco import eventshape

    eng = c.engine
    px, py, pz, en, off, leaf = eng._objects_cms
    n_trk = eng.n_tracks_total
    trk_q = np.asarray(eng.tracks["charge"], dtype=float)
    q = np.zeros(len(leaf)) if n_trk == 0 else np.where(
        leaf < n_trk, trk_q[np.minimum(leaf, n_trk - 1)], 0.0)
    side = _ksfw_side(c, final_state)
    s_p3 = np.ascontiguousarray(np.stack([d.p4_cms[:, :3] for d in side], axis=1))
    s_q = np.ascontiguousarray(np.stack([d.store.charge[d.rows] for d in side], axis=1),
                               dtype=float)
    hso, hoo, et, mm2 = eventshape.ksfw_moments(
        px, py, pz, en, q, leaf, off, c.event.astype(np.int64),
        np.ascontiguousarray(c.leaves, dtype=np.int64), s_p3, s_q,
        np.ascontiguousarray(c.p4_cms), float(c.experiment.sqrt_s))
    norm = 2.0 * (c.experiment.sqrt_s - c.p4_cms[:, 3])
    norm = np.where(norm > 0, norm, np.nan)  # a candidate above √s has no other side
    out = {f"hso{x}{ll}": hso[:, x, ll] / norm for x in range(3) for ll in range(5)}
    out |= {f"hoo{ll}": hoo[:, ll] / norm**2 for ll in range(5)}
    out |= {"et": et, "mm2": mm2}
    cache[final_state] = out
    return out


def _ksfw_var(key: str, final_state: bool) -> Callable[[Context], np.ndarray]:
    return _composite(lambda c: _ksfw(c, final_state)[key])


for _k in KSFW_NAMES:
    if _k.startswith("hso"):
        _x = f"H^so_{{{'c n m'.split()[int(_k[3])]},{_k[4]}}}"
    elif _k.startswith("hoo"):
        _x = f"H^oo_{_k[3]}"
    elif _k == "et":
        _x = ("E_T = Σ|p_T| of every track and photon (CMS; the candidate's final-state "
              "particles and the rest of the event)")
    else:
        _x = "missing mass squared: beams − candidate − rest of the event (CMS)"
    _u = {"et": "GeV", "mm2": "GeV²"}.get(_k, "")
    VARIABLES[f"ksfw_{_k}"] = Variable(
        f"ksfw_{_k}", _u, f"{_x} (Kakuno–Super-Fox–Wolfram, continuum suppression): signal "
        "side = the candidate's final-state particles, other side = the rest of the event; "
        "moments normalised by 2(E*_beam − ΔE) (H^so) or its square (H^oo); odd l weighted by "
        "the charges", _ksfw_var(_k, True))
    if _k.startswith("h"):
        VARIABLES[f"ksfw_fs0_{_k}"] = Variable(
            f"ksfw_fs0_{_k}", "", f"{_x} with the candidate's direct daughters as the signal "
            "side (basf2's default; ksfw_ uses the final-state particles, basf2 FS1)",
            _ksfw_var(_k, False))
