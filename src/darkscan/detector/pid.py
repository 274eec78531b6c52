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
  MIP or a shower of 30–90% of their kinetic energy, and a pion whose first interaction is a
  charge exchange its full energy through the leading π⁰ (an electron's cluster: the π → e
  fakes, left to dE/dx and the Cherenkov angle to tell apart). A pion that does not shower
  looks like a muon here: below the KLM threshold muon ID is possible but weak.
- **KLM**: the layers fired against the muon range expected at that momentum (with straggling)
  or a hadron's shower (starting where it interacts, geometric in layers, its charged
  secondaries reaching further: :func:`calorimeter.shower_travel_probability`) or, not
  interacting, a muon's straggled range (punch-through); pions that
  decay to a muon before the KLM (anywhere: their kink stays inside one track) and kaons that
  decay between the CDC and the KLM fire it like that muon (:func:`calorimeter.decay_to_muon`),
  the main source of μ fakes above 1 GeV. No hit positions: the transverse scatter of the hits
  about the track (Belle's χ²), which tells a shower from a muon, is not used.

Where a subdetector saw nothing (outside its acceptance, no cluster, below its threshold), it
adds the same to every hypothesis. Deuterons are not a hypothesis. The measured momentum is
taken as the true one (σ_p/p ~ 0.3% is negligible for the expected values).
"""

from __future__ import annotations

import math

import numpy as np
from particle import Particle

from darkscan.detector.calorimeter import (
    decay_to_muon,
    free_range,
    hadron_reach,
    klm_constants,
    muon_range,
    range_sigma,
    shower_travel_probability,
)
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
        _highland_1gev(params.top_x0), _highland_1gev(params.arich_x0),               # 24-25
        params.ecl_pion_charge_exchange_prob,                                         # 26
    ], dtype=float)


def _highland_1gev(x0: float) -> float:
    """θ₀/√3 (rad) of a β = 1, 1 GeV particle in a radiator of x0 radiation lengths."""
    return float(highland(1.0, 0.0, x0))


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
    """Mean-direction multiple-scattering angle θ₀/√3 in a radiator of thickness x0 (X/X₀):
    Highland's 13.6 MeV/(βp) √x0 (1 + 0.038 ln x0) (PDG, passage of particles through
    matter)."""
    beta = p / math.sqrt(p * p + mass * mass)
    return 0.0136 / (beta * p) * math.sqrt(x0) * (1.0 + 0.038 * math.log(x0)) / math.sqrt(3.0)


LOG_FLOOR = math.log(FLOOR)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


@inline
def _log_gauss(x, mu, sigma):  # pragma: no cover - compiled
    """log of the normal density, at least :data:`LOG_FLOOR` (a floor added, in log space the
    larger of the two: within log 2 of the sum)."""
    z = (x - mu) / sigma
    return max(-0.5 * z * z - math.log(sigma) - _LOG_SQRT_2PI, LOG_FLOOR)


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
def _klm_shower(layers, p, k, muon_like):  # pragma: no cover - compiled
    """P(layers ≥ 1) for a hadron reaching the KLM that does not decay: a shower that starts
    in layer L (geometric with the survival per layer) and reaches ``layers``
    (:func:`calorimeter.shower_travel_probability`), or no interaction before its
    punch-through layer and then a muon's straggled range (:func:`calorimeter.hadron_layers`;
    ``muon_like``: :func:`range_probability` of these layers for a muon of momentum p).
    The same for π, K and p: it depends on the momentum only."""
    free = free_range(p, k)
    reach = hadron_reach(free, k)
    s = k[19]
    shower = s ** (reach - 1.0) * muon_like
    if layers <= reach:
        last = layers == reach
        for start in range(1, int(min(layers, reach - 1.0)) + 1):
            shower += ((1.0 - s) * s ** (start - 1)
                       * shower_travel_probability(layers - start, free - start, last, k))
    return k[6] * shower


@inline
def _klm_hadron(apdg, layers, p, theta, k, shower):  # pragma: no cover - compiled
    """P(layers) for a hadron: no hit, or :func:`_klm_shower` (``shower``, its value at these
    layers and momentum); a π or K that decayed to μν before the KLM fires it as that muon: a
    range between those of the slowest and the fastest muon."""
    prob, lowest = decay_to_muon(apdg, p, theta, k)
    if layers == 0:
        return (1.0 - prob) * (1.0 - k[6]) + prob * (1.0 - k[5]) + FLOOR
    hi = muon_range(p, k)
    decayed = 0.0
    if prob > 0.0:
        lo = max(muon_range(lowest * p, k), 1.0)
        if lo - 0.5 <= layers <= hi + 0.5:
            decayed = prob * k[5] / (hi - lo + 1.0)
    return (1.0 - prob) * shower + decayed + FLOOR


@inline
def _cherenkov_ll(out, n_photons, cos_measured, p, masses, index, n0, s1, bkg, ms0, theta_max
                  ):  # pragma: no cover - compiled
    """Add, per hypothesis, the Poisson photon count and the density of the measured mean angle
    (compared as cos θ, σ_cos = sin θ_c σ_θ; background photons flat in angle, so
    1/(θ_max sin θ) per unit cos θ); ``ms0``: the Highland angle of a β = 1 particle of 1 GeV
    in the radiator."""
    s2_max = 1.0 - 1.0 / (index * index)
    log_flat = -math.log(theta_max) - 0.5 * math.log(max(1.0 - cos_measured * cos_measured,
                                                          1e-12))
    log_background = math.log(bkg) + log_flat
    for h in range(5):
        m = masses[h]
        e = math.sqrt(p * p + m * m)
        cos_t = e / (index * p)
        s2 = 0.0 if cos_t >= 1.0 else 1.0 - cos_t * cos_t
        signal = n0 * s2 / s2_max
        mu = signal + bkg
        log_mu = math.log(mu)
        ll = n_photons * log_mu - mu
        if n_photons > 0:
            background = log_background
            if signal > 0.0:
                ms = ms0 * e / (p * p)  # θ₀ ∝ 1/(βp)
                sigma = math.sqrt(s2 * (s1 * s1 / max(signal, 1.0) + ms * ms))
                background = max(math.log(signal) + _log_gauss(cos_measured, cos_t, sigma),
                                 background)
            ll += background - log_mu
        out[h] += ll


@inline
def _ecl_ll(out, energy, p, masses, c):  # pragma: no cover - compiled
    """Add, per hypothesis, the density of the matched cluster energy: full energy (e), a MIP
    (μ), a MIP or a shower of 30–90% of the kinetic energy (hadrons), for a pion also its
    charge exchange's electromagnetic shower of its full energy."""
    # the MIP deposit's width, the same for every hypothesis whose kinetic energy exceeds it
    sigma_mip = math.sqrt(c[19] ** 2 + (c[18] * e_rel(c[18], c[21], c[22], c[23])) ** 2)
    for h in range(5):
        m = masses[h]
        e_tot = math.sqrt(p * p + m * m)
        if h == 0:
            out[h] += _log_gauss(energy, e_tot, e_tot * e_rel(e_tot, c[21], c[22], c[23]))
            continue
        ekin = e_tot - m
        d = min(c[18], ekin)
        sigma = sigma_mip if d == c[18] else math.sqrt(
            c[19] ** 2 + (d * e_rel(d, c[21], c[22], c[23])) ** 2)
        if h == 1:
            out[h] += _log_gauss(energy, d, sigma)
            continue
        lo, hi = 0.3 * ekin, 0.9 * ekin
        s = max(hi * e_rel(hi, c[21], c[22], c[23]), 1e-3)
        shower = (_phi((energy - lo) / s) - _phi((energy - hi) / s)) / max(hi - lo, 1e-6)
        if h == 2:
            shower = ((1.0 - c[26]) * shower
                      + c[26] * _gauss(energy, e_tot, e_tot * e_rel(e_tot, c[21], c[22], c[23])))
        out[h] += math.log((1.0 - c[20]) * _gauss(energy, d, sigma) + c[20] * shower + FLOOR)


@inline
def _klm_ll(out, layers, p, theta, k):  # pragma: no cover - compiled
    """Add, per hypothesis, the probability of the KLM layer count."""
    out[0] += 0.0 if layers == 0 else LOG_FLOOR
    shower = 0.0
    if layers == 0:
        out[1] += math.log(1.0 - k[5])
    else:
        muon_like = range_probability(layers, muon_range(p, k), k)
        out[1] += math.log(k[5] * muon_like + FLOOR)
        shower = _klm_shower(layers, p, k, muon_like)
    for h in range(2, 5):
        out[h] += math.log(_klm_hadron(HYPOTHESIS_PDG_ARRAY[h], layers, p, theta, k, shower))


@inline
def photon_count(rng, mean):  # pragma: no cover - compiled
    """A Poisson count of this mean; its normal limit above 10 (rounded, at least 0), which is
    a few times cheaper to draw."""
    if mean < 10.0:
        return rng.poisson(mean)
    return max(math.floor(mean + math.sqrt(mean) * rng.standard_normal() + 0.5), 0)


@inline
def loglik(out, n_photons, cos_measured, radiator, dedx, cluster_e, layers, p, theta, masses,
           c, k):  # pragma: no cover - compiled
    """The five hypotheses' log-likelihoods of one track's measurements, into ``out``;
    ``radiator`` 0 none, 1 TOP, 2 ARICH (``n_photons``, the cosine of the mean Cherenkov angle);
    ``dedx`` NaN without, ``cluster_e`` NaN without a cluster; ``c`` from :func:`constants`,
    ``k`` from :func:`calorimeter.klm_constants`."""
    for h in range(5):
        out[h] = 0.0
        if not np.isnan(dedx):
            mean = dedx_mean(p / masses[h], c[1], c[2])
            out[h] += _log_gauss(dedx, mean, c[0] * mean)
    if radiator == 1:
        _cherenkov_ll(out, n_photons, cos_measured, p, masses, c[6], c[7], c[8], c[9], c[24],
                      1.0)
    elif radiator == 2:
        _cherenkov_ll(out, n_photons, cos_measured, p, masses, c[13], c[14], c[15], c[16],
                      c[25], 0.4)
    if not np.isnan(cluster_e):
        _ecl_ll(out, cluster_e, p, masses, c)
    if klm_accepts(theta, k[0], k[1]) and p > k[2]:
        _klm_ll(out, layers, p, theta, k)


@jit
def _scores(rng, index, mass, p, pt, theta, cluster_e, layers, masses, c, k
            ):  # pragma: no cover - compiled
    """Measure and score each track (particle ``index[i]``): one normal (dE/dx) per track, then
    a photon count and one normal or uniform (angle) where a radiator is crossed."""
    n = index.shape[0]
    out = np.empty((5, n))
    ll = np.empty(5)
    for i in range(n):
        j = index[i]
        m, pj, th = mass[j], p[j], theta[j]
        mean = dedx_mean(pj / m, c[1], c[2])
        dedx = mean * (1.0 + c[0] * rng.standard_normal())
        radiator = 0
        index_n, n0, s1, bkg, x0, theta_max = c[6], c[7], c[8], c[9], c[10], 1.0
        if c[3] <= th <= c[4] and pt[j] > c[5]:
            radiator = 1
        elif c[11] <= th <= c[12]:
            radiator = 2
            index_n, n0, s1, bkg, x0, theta_max = c[13], c[14], c[15], c[16], c[17], 0.4
        n_photons, cos_measured = 0, 1.0
        if radiator > 0:
            theta_c, s2 = cherenkov(pj, m, index_n)
            signal = n0 * s2 / (1.0 - 1.0 / (index_n * index_n))
            n_photons = photon_count(rng, signal + bkg)
            if signal > 0.0:
                sigma = math.sqrt(s1 * s1 / max(signal, 1.0) + highland(pj, m, x0) ** 2)
                cos_measured = math.cos(theta_c + sigma * rng.standard_normal())
            else:
                cos_measured = math.cos(theta_max * rng.random())
        loglik(ll, n_photons, cos_measured, radiator, dedx, cluster_e[j], layers[j], pj, th, masses,
               c, k)
        top = ll.max()
        total = 0.0
        for h in range(5):
            ll[h] = math.exp(ll[h] - top)
            total += ll[h]
        for h in range(5):
            out[h, i] = ll[h] / total
    return out


def pid_scores(rng: np.random.Generator, mass: np.ndarray, p: np.ndarray, pt: np.ndarray,
               theta: np.ndarray, cluster_e: np.ndarray, klm_layers: np.ndarray,
               params: DetectorParameters, index: np.ndarray | None = None
               ) -> dict[str, np.ndarray]:
    """ID scores of tracks of true mass (the species), momentum, transverse momentum and polar
    angle, with their matched cluster energy (NaN without) and the KLM layers they fired; with
    ``index``, of particles ``index``."""
    index = np.arange(len(p)) if index is None else index
    f = np.ascontiguousarray
    out = _scores(rng, f(index, np.int64), f(mass, float), f(p, float), f(pt, float),
                  f(theta, float), f(cluster_e, float), f(klm_layers, np.int64),
                  np.array(HYPOTHESIS_MASS), constants(params), klm_constants(params))
    return dict(zip(HYPOTHESES, out, strict=True))
