"""Built-in toy truth samples for checks, tests and benchmarks (no generator needed):
e⁺e⁻ → μ⁺μ⁻X with X at a fixed mass, three-body phase space (no matrix element), an invisible
X; single particles; a long-lived scalar decaying to two tracks at a chosen decay length."""

from __future__ import annotations

import numpy as np

from darkscan.events import Sample, SampleMeta, make_truth_events
from darkscan.physics import lorentz
from darkscan.physics.constants import M_MU
from darkscan.physics.experiment import BELLE2, Experiment

PDG_INVISIBLE_X = 9900023  #: an id unknown to the PDG tables: neutral, invisible


def _isotropic(rng: np.random.Generator, n: int) -> np.ndarray:
    c = rng.uniform(-1.0, 1.0, n)
    ph = rng.uniform(-np.pi, np.pi, n)
    s = np.sqrt(1.0 - c * c)
    return np.stack([s * np.cos(ph), s * np.sin(ph), c], axis=-1)


def _two_body(rng: np.random.Generator, parent: np.ndarray, m1: float | np.ndarray,
              m2: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic two-body decay of four-momenta ``parent`` (n, 4), lab four-momenta out."""
    m = lorentz.mass(parent)
    q = lorentz.two_body_momentum(m, m1, m2)
    u = _isotropic(rng, len(parent)) * q[:, None]
    d1 = lorentz.p4_from_mass(u, m1)
    d2 = lorentz.p4_from_mass(-u, m2)
    beta = parent[:, :3] / parent[:, 3:4]
    return lorentz.boost(d1, beta), lorentz.boost(d2, beta)


def mumux_sample(mass_x: float, n: int, seed: int, experiment: Experiment = BELLE2) -> Sample:
    """e⁺e⁻ → μ⁺μ⁻X (X invisible, mass ``mass_x``), flat three-body phase space at nominal √s,
    boosted to the lab. Particles per event: μ⁺, μ⁻, X."""
    rng = np.random.default_rng(seed)
    rs = experiment.sqrt_s
    lo, hi = 2 * M_MU, rs - mass_x
    out: list[np.ndarray] = []
    got = 0
    grid = np.linspace(lo, hi, 512)
    wmax = np.max(lorentz.two_body_momentum(rs, mass_x, grid)
                  * lorentz.two_body_momentum(grid, M_MU, M_MU)) * 1.01
    while got < n:  # accept-reject on dΦ3 ∝ q(√s; M, m12)·q(m12; mμ, mμ) dm12
        m12 = rng.uniform(lo, hi, 2 * n)
        w = (lorentz.two_body_momentum(rs, mass_x, m12)
             * lorentz.two_body_momentum(m12, M_MU, M_MU))
        acc = m12[rng.random(2 * n) * wmax < w]
        out.append(acc)
        got += len(acc)
    m12 = np.concatenate(out)[:n]
    # X and the dimuon system back to back in the CMS
    q = lorentz.two_body_momentum(rs, mass_x, m12)
    u = _isotropic(rng, n) * q[:, None]
    x = lorentz.p4_from_mass(u, mass_x)
    mm = lorentz.p4_from_mass(-u, m12)
    mup, mum = _two_body(rng, mm, M_MU, M_MU)
    parts = [experiment.to_lab(p) for p in (mup, mum, x)]
    stack = np.ascontiguousarray(np.stack(parts, axis=1).reshape(-1, 4).T)
    pdg = np.tile(np.array([-13, 13, PDG_INVISIBLE_X]), n)
    ev = make_truth_events(np.full(n, 3), np.ones(n), pdg=pdg, px=stack[0], py=stack[1],
                           pz=stack[2], E=stack[3])
    return Sample(ev, SampleMeta(process="toy_mumux", params={"mass": mass_x}, seed=seed,
                                 n_generated=n))


def single_particles(pdg: int, p: np.ndarray, theta: np.ndarray, phi: np.ndarray,
                     mass: float, vertex: np.ndarray | None = None) -> Sample:
    """One particle per event with the given momenta (GeV), angles (rad) and vertices (n, 3)."""
    p = np.asarray(p, float)
    n = len(p)
    st = np.sin(theta)
    v = np.zeros((n, 3)) if vertex is None else np.asarray(vertex, float)
    ev = make_truth_events(np.ones(n, dtype=np.int64), np.ones(n), pdg=np.full(n, pdg),
                           px=p * st * np.cos(phi), py=p * st * np.sin(phi),
                           pz=p * np.cos(theta), E=np.sqrt(p * p + mass * mass),
                           vx=v[:, 0], vy=v[:, 1], vz=v[:, 2])
    return Sample(ev, SampleMeta(process="toy_single", n_generated=n))


def llp_two_track_sample(n: int, seed: int, decay_length: np.ndarray | None = None,
                         mass: float = 1.0, p_llp: tuple[float, float] = (1.0, 4.0),
                         daughter_pdg: int = 13, experiment: Experiment = BELLE2) -> Sample:
    """A neutral LLP (isotropic in the lab, |p| uniform in ``p_llp``) decaying at a flight
    distance ``decay_length`` (default uniform in 0 … CDC outer radius) to a ± pair. Particles per
    event: LLP (status 2), daughter⁺, daughter⁻ with the displaced vertex."""
    from darkscan.detector.parameters import BELLE2_DETECTOR
    from darkscan.physics.constants import mass as pdg_mass

    rng = np.random.default_rng(seed)
    md = pdg_mass(daughter_pdg)
    dirn = _isotropic(rng, n)
    pmag = rng.uniform(*p_llp, n)
    llp = lorentz.p4_from_mass(dirn * pmag[:, None], mass)
    if decay_length is None:
        decay_length = rng.uniform(0.0, BELLE2_DETECTOR.cdc_r_outer, n)
    vtx = dirn * np.asarray(decay_length)[:, None]
    d1, d2 = _two_body(rng, llp, md, md)
    parts = np.ascontiguousarray(np.stack([llp, d1, d2], axis=1).reshape(-1, 4).T).T
    v = np.ascontiguousarray(np.stack([np.zeros_like(vtx), vtx, vtx], axis=1).reshape(-1, 3).T).T
    sign = -1 if daughter_pdg in (11, 13) else 1
    pdg = np.tile(np.array([9900025, sign * daughter_pdg, -sign * daughter_pdg]), n)
    ev = make_truth_events(np.full(n, 3), np.ones(n), pdg=pdg, px=parts[:, 0], py=parts[:, 1],
                           pz=parts[:, 2], E=parts[:, 3], vx=v[:, 0], vy=v[:, 1], vz=v[:, 2],
                           mother=np.tile(np.array([-1, 0, 0]), n),
                           status=np.tile(np.array([2, 1, 1]), n))
    return Sample(ev, SampleMeta(process="toy_llp", params={"mass": mass}, seed=seed,
                                 n_generated=n))
