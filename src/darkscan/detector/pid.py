"""Particle identification: basf2-style likelihood-ratio scores ``electronID``, ``muonID``,
``pionID``, ``kaonID``, ``protonID`` in [0, 1].

Each found track gets the measurements of the subdetectors it crosses, drawn for its true
species and momentum, and a log-likelihood under each hypothesis (e, μ, π, K, p) from the same
detector model; score_h = L_h / Σ L (equal priors, as basf2's global PID). The efficiency and
fake rate at any cut then follow from the detector physics, not from a table:

- **CDC dE/dx**: truncated mean ∝ (c₀ + 2 ln βγ − β²)/β², Bethe–Bloch's 1/β² fall and
  logarithmic rise, flat beyond the Fermi plateau; Gaussian with relative resolution
  ``dedx_resolution``. Separates e/μ/π below ~0.3 GeV and K, p from π below ~1 GeV.
- **TOP** (barrel) and **ARICH** (forward endcap): Cherenkov angle cos θ_c = 1/(nβ) and photon
  count N = N₀ sin²θ_c / sin²θ_c(β = 1) (Frank–Tamm), Poisson on top of background photons; the
  mean angle is measured to σ₁/√N ⊕ multiple scattering in the radiator (Highland, θ₀/√3 for
  the mean direction). TOP needs the helix to reach its radius (p_T > 0.3 B r/2). K/π up to
  4 GeV; μ/π at low momentum (Δθ_c ≈ 24 mrad at 0.4 GeV against ~8 mrad of scattering).
- **ECL**: the matched cluster's energy against the detector's own response
  (:mod:`darkscan.detector.calorimeter`): electrons deposit their energy, muons a MIP, hadrons a
  MIP or a shower of 30–90% of their kinetic energy. A pion that does not shower looks like a
  muon here: below the KLM threshold muon ID is possible but weak.
- **KLM**: the layers fired against the muon range expected at that momentum (with straggling)
  or a hadron's shower (geometric in layers, ≥ 2); pions and kaons that decay to a muon between
  the CDC and the KLM fire it like that muon (simulated in :func:`calorimeter.klm_hits`), the
  main source of μ fakes above 1 GeV.

Where a subdetector saw nothing (outside its acceptance, no cluster, below its threshold), it
adds the same to every hypothesis. Deuterons are not a hypothesis. The measured momentum is
taken as the true one (σ_p/p ~ 0.3% is negligible for the expected values).
"""

from __future__ import annotations

import math

import numpy as np
from particle import Particle

from darkscan.detector.calorimeter import decay_to_muon, klm_constants, muon_range, range_sigma
from darkscan.detector.geometry import klm_accepts
from darkscan.detector.parameters import DetectorParameters
from darkscan.detector.resolution import e_rel
from darkscan.jit import inline, jit

HYPOTHESES = ("electronID", "muonID", "pionID", "kaonID", "protonID")
#: |PDG id| and mass (GeV) of each hypothesis, in the order of :data:`HYPOTHESES`
HYPOTHESIS_PDG = (11, 13, 211, 321, 2212)
HYPOTHESIS_PDG_ARRAY = np.array(HYPOTHESIS_PDG)
HYPOTHESIS_MASS = tuple(float(Particle.from_pdgid(i).mass) / 1000.0 for i in HYPOTHESIS_PDG)
#: density floor of every likelihood term: outliers (δ rays, bremsstrahlung, mismatched
#: clusters) keep one measurement from ruling a hypothesis out completely
FLOOR = 1e-4


def constants(params: DetectorParameters) -> np.ndarray:
    """The PID numbers as one flat array for the kernels (order as read below; the KLM's are
    :func:`darkscan.detector.calorimeter.klm_constants`)."""
    return np.array([
        params.dedx_resolution, params.dedx_c0, params.dedx_bg_plateau,                # 0-2
        np.radians(params.top_theta[0]), np.radians(params.top_theta[1]),             # 3-4
        0.3 * params.b_field * params.top_radius / 200.0,                             # 5
        params.top_index, params.top_photons, params.top_sigma_photon,                # 6-8
        params.top_background, params.top_x0,                                         # 9-10
        np.radians(params.arich_theta[0]), np.radians(params.arich_theta[1]),         # 11-12
        params.arich_index, params.arich_photons, params.arich_sigma_photon,          # 13-15
        params.arich_background, params.arich_x0,                                     # 16-17
        params.ecl_mip_energy, params.ecl_mip_sigma, params.ecl_hadron_shower_prob,   # 18-20
        params.sigma_e_a, params.sigma_e_b, params.sigma_e_c,                         # 21-23
    ], dtype=float)


@inline
def dedx_mean(bg, c0, bg_plateau):  # pragma: no cover - compiled
    """Truncated-mean ionisation (arbitrary units) at βγ: (c₀ + 2 ln βγ − β²)/β², the
    logarithm frozen beyond the Fermi plateau."""
    b2 = bg * bg / (1.0 + bg * bg)
    return (c0 + 2.0 * math.log(min(bg, bg_plateau)) - b2) / b2


@inline
def cherenkov(p, mass, n):  # pragma: no cover - compiled
    """(θ_c, sin²θ_c) of a particle of momentum p and mass in a radiator of index n; (0, 0)
    below threshold."""
    beta = p / math.sqrt(p * p + mass * mass)
    cos_t = 1.0 / (n * beta)
    if cos_t >= 1.0:
        return 0.0, 0.0
    return math.acos(cos_t), 1.0 - cos_t * cos_t


@inline
def highland(p, mass, x0):  # pragma: no cover - compiled
    """Mean-direction multiple-scattering angle θ₀/√3 in a radiator of thickness x0 (X/X₀)."""
    beta = p / math.sqrt(p * p + mass * mass)
    return 0.0136 / (beta * p) * math.sqrt(x0) * (1.0 + 0.038 * math.log(x0)) / math.sqrt(3.0)


@inline
def _gauss(x, mu, sigma):  # pragma: no cover - compiled
    z = (x - mu) / sigma
    return math.exp(-0.5 * z * z) / (2.5066282746310002 * sigma)


@inline
def _phi(z):  # pragma: no cover - compiled
    return 0.5 * (1.0 + math.erf(z / 1.4142135623730951))


@inline
def range_probability(layers, expected, k):  # pragma: no cover - compiled
    """P(layers | a muon's expected range): the straggled range rounded, clipped to
    1 … n_layers (:func:`calorimeter._klm`)."""
    sigma = range_sigma(expected, k)
    lo = -1e9 if layers <= 1 else layers - 0.5
    hi = 1e9 if layers >= k[4] else layers + 0.5
    return _phi((hi - expected) / sigma) - _phi((lo - expected) / sigma)


@inline
def _klm_term(h, layers, p, theta, k):  # pragma: no cover - compiled
    """Probability of the KLM layer count under hypothesis index h (0 e, 1 μ, 2 π, 3 K, 4 p);
    ``k`` from :func:`calorimeter.klm_constants`."""
    if h == 0:
        return 1.0 if layers == 0 else FLOOR
    if h == 1:
        if layers == 0:
            return 1.0 - k[5]
        return k[5] * range_probability(layers, muon_range(p, k), k) + FLOOR
    # a π or K that decayed to μν before the KLM fires it as that muon: a range between
    # those of the slowest and the fastest muon
    prob, lowest = decay_to_muon(HYPOTHESIS_PDG_ARRAY[h], p, theta, k)
    hi, lo = muon_range(p, k), max(muon_range(lowest * p, k), 1.0)
    if layers == 0:
        return (1.0 - prob) * (1.0 - k[6]) + prob * (1.0 - k[5]) + FLOOR
    # interacts in layer L (geometric), or crosses all it can reach (a muon's range)
    reach = max(hi, 1.0)
    shower = 0.0
    if layers < reach:
        shower = k[6] * (1.0 - k[19]) * k[19] ** (layers - 1)
    elif layers == reach:
        shower = k[6] * k[19] ** (layers - 1)
    decayed = prob * k[5] / (hi - lo + 1.0) if lo <= layers <= hi else 0.0
    return (1.0 - prob) * shower + decayed + FLOOR


@inline
def _ecl_term(h, energy, p, mass, c):  # pragma: no cover - compiled
    """Density of the matched cluster energy under the hypothesis of this mass (h as above)."""
    e_tot = math.sqrt(p * p + mass * mass)
    ekin = e_tot - mass
    if h == 0:
        return _gauss(energy, e_tot, e_tot * e_rel(e_tot, c[21], c[22], c[23])) + FLOOR
    d = min(c[18], ekin)
    sigma = math.sqrt(c[19] ** 2 + (d * e_rel(d, c[21], c[22], c[23])) ** 2)
    mip = _gauss(energy, d, sigma)
    if h == 1:
        return mip + FLOOR
    lo, hi = 0.3 * ekin, 0.9 * ekin
    s = max(hi * e_rel(hi, c[21], c[22], c[23]), 1e-3)
    shower = (_phi((energy - lo) / s) - _phi((energy - hi) / s)) / max(hi - lo, 1e-6)
    return (1.0 - c[20]) * mip + c[20] * shower + FLOOR


@inline
def _cherenkov_term(n_photons, angle, p, mass, index, n0, s1, bkg, x0, theta_max
                    ):  # pragma: no cover - compiled
    """Poisson photon count times the mean-angle density under a hypothesis of this mass."""
    theta_c, s2 = cherenkov(p, mass, index)
    s2_max = 1.0 - 1.0 / (index * index)
    mu = n0 * s2 / s2_max + bkg
    log_count = n_photons * math.log(mu) - mu
    if n_photons == 0:
        return log_count
    flat = 1.0 / theta_max
    if theta_c == 0.0:
        return log_count + math.log(flat)
    signal = n0 * s2 / s2_max
    sigma = math.sqrt(s1 * s1 / max(signal, 1.0) + highland(p, mass, x0) ** 2)
    dens = (signal * _gauss(angle, theta_c, sigma) + bkg * flat) / (signal + bkg)
    return log_count + math.log(dens + FLOOR)


@jit
def _loglik(n_photons, angle, radiator, dedx, cluster_e, layers, p, theta, masses, c, k
            ):  # pragma: no cover - compiled
    """Log-likelihoods of the five hypotheses from one track's measurements; ``radiator`` 0
    none, 1 TOP, 2 ARICH; ``dedx`` NaN without, ``cluster_e`` NaN without a cluster."""
    out = np.zeros(5)
    in_klm = klm_accepts(theta, k[0], k[1]) and p > k[2]
    for h in range(5):
        m = masses[h]
        bg = p / m
        mean = dedx_mean(bg, c[1], c[2])
        ll = 0.0
        if not np.isnan(dedx):
            ll += math.log(_gauss(dedx, mean, c[0] * mean) + FLOOR)
        if radiator == 1:
            ll += _cherenkov_term(n_photons, angle, p, m, c[6], c[7], c[8], c[9], c[10], 1.0)
        elif radiator == 2:
            ll += _cherenkov_term(n_photons, angle, p, m, c[13], c[14], c[15], c[16], c[17],
                                  0.4)
        if not np.isnan(cluster_e):
            ll += math.log(_ecl_term(h, cluster_e, p, m, c))
        if in_klm:
            ll += math.log(_klm_term(h, layers, p, theta, k))
        out[h] = ll
    return out


@jit
def _scores(rng, index, apdg, mass, p, pt, theta, cluster_e, layers, masses, c, k
            ):  # pragma: no cover - compiled
    """Measure and score each track (particle ``index[i]``): one normal (dE/dx) per track, then
    two Poisson counts and one normal or uniform (angle) where a radiator is crossed."""
    n = index.shape[0]
    out = np.empty((5, n))
    for i in range(n):
        j = index[i]
        m, pj, th = mass[j], p[j], theta[j]
        bg = pj / m
        mean = dedx_mean(bg, c[1], c[2])
        dedx = mean * (1.0 + c[0] * rng.standard_normal())
        radiator = 0
        if c[3] <= th <= c[4] and pt[j] > c[5]:
            radiator = 1
            index_n, n0, s1, bkg, x0, theta_max = c[6], c[7], c[8], c[9], c[10], 1.0
        elif c[11] <= th <= c[12]:
            radiator = 2
            index_n, n0, s1, bkg, x0, theta_max = c[13], c[14], c[15], c[16], c[17], 0.4
        n_photons, angle = 0, 0.0
        if radiator > 0:
            theta_c, s2 = cherenkov(pj, m, index_n)
            signal = rng.poisson(n0 * s2 / (1.0 - 1.0 / (index_n * index_n)))
            background = rng.poisson(bkg)
            n_photons = signal + background
            if signal > 0:
                sigma = math.sqrt(s1 * s1 / signal + highland(pj, m, x0) ** 2)
                angle = theta_c + sigma * rng.standard_normal()
            else:
                angle = theta_max * rng.random()
        ll = _loglik(n_photons, angle, radiator, dedx, cluster_e[j], layers[j], pj, th,
                     masses, c, k)
        top = ll.max()
        total = 0.0
        for h in range(5):
            total += math.exp(ll[h] - top)
        for h in range(5):
            out[h, i] = math.exp(ll[h] - top) / total
    return out


def pid_scores(rng: np.random.Generator, apdg: np.ndarray, mass: np.ndarray, p: np.ndarray,
               pt: np.ndarray, theta: np.ndarray, cluster_e: np.ndarray, klm_layers: np.ndarray,
               params: DetectorParameters, index: np.ndarray | None = None
               ) -> dict[str, np.ndarray]:
    """ID scores of tracks of true species ``apdg`` (signed ids accepted), mass, true momentum,
    transverse momentum and polar angle, with their matched cluster energy (NaN without) and
    KLM layers fired; with ``index``, of particles ``index``."""
    index = np.arange(len(p)) if index is None else index
    f = np.ascontiguousarray
    out = _scores(rng, f(index, np.int64), f(np.abs(apdg), np.int64), f(mass, float),
                  f(p, float), f(pt, float), f(theta, float), f(cluster_e, float),
                  f(klm_layers, np.int64), np.array(HYPOTHESIS_MASS), constants(params),
                  klm_constants(params))
    return dict(zip(HYPOTHESES, out, strict=True))
