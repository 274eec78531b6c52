"""A library of Pythia τ decays at rest, reused for the τ leptons darkscan's own processes leave
in the final state (:func:`darkscan.generate.pythia_bridge.decay_final_taus`).

Why it is exact: those τ are decayed unpolarised (no helicity is passed to Pythia, and a τ whose
mother is the record's system entry gets no spin correlation with another τ: measured, the
⟨cos θ*⟩ of τ → πν along the τ line and the correlation of the two τ of a pair are zero within
0.01), so the distribution of the decay products in the τ rest frame is invariant under
rotations. A decay configuration taken from Pythia decays at rest, turned by a rotation drawn
from the Haar measure on SO(3) and boosted to the τ momentum is therefore distributed exactly as
a fresh Pythia decay of that τ. Reusing library entries correlates only the internal
configuration of the decays (Dalitz variables, intermediate masses, π⁰ photon sharing) between
τ leptons, never their orientation or boost: rest-frame quantities of a sample take at most
as many distinct values as the library has decays of that channel.

Design:

* Stratified by channel. Pythia picks a τ channel in proportion to its table branching fraction
  among the open ones, then generates the kinematics of that channel; the library holds, per
  open channel, ``max(min_per_channel, ⌈size·B_c/ΣB⌉)`` decays generated with that channel
  alone switched on, and each τ draws its channel from the table fractions, then a decay of that
  channel. The mixture is Pythia's, the branching fractions are the table's exactly (an
  unstratified library would carry its own multinomial fluctuation, ±1.5% on B(τ → μνν) for
  20 000 decays, into every sample), and a rare channel still has ``min_per_channel``
  configurations.
* τ⁻ only; a τ⁺ gets the CP conjugate: ids conjugated with the ``particle`` package (γ, π⁰, η,
  ω, K⁰_S, K⁰_L and every self-conjugate id stay; K̄⁰ ↔ K⁰, ν_τ ↔ ν̄_τ, …) and the 3-momenta and
  vertex offsets mirrored. CP is a symmetry of the τ decays Pythia models; the mirror matters
  only for parity-odd correlations among the products, since the orientation is random anyway.
  Settings that treat τ⁻ and τ⁺ differently (``onMode = 2`` or ``3``) are refused.
* The τ mass of the library is darkscan's :data:`darkscan.physics.constants.M_TAU` (the mass of
  every τ the processes make, to rounding); a decay is scaled by m/M_TAU so that four-momentum
  is conserved to rounding, and a τ further than :data:`MASS_TOLERANCE` (relative) from it is an
  error (decay it with ``library=False``).
* Vertices: the production vertices of secondary decay products (the π⁰ → γγ photons, K⁰ → K⁰_S,
  …) are kept as four-vector offsets (x, ct) in the τ rest frame and rotated and boosted with
  the momenta; the τ flight itself is drawn per τ by the caller, as for direct decays.
* Cached per process (:func:`tau_library`, keyed by the settings and the sizes) and on disk
  under ``$XDG_CACHE_HOME/darkscan/tau_decay_library`` (``~/.cache`` by default;
  :class:`darkscan.run.cache.StageCache`: content-hashed key over the settings, sizes, Pythia
  version and the code of this module and the Pythia bridge; atomic writes), generated from a
  seed derived from the settings alone: the same library for every chunk, worker and run.
  ~1.5 ms a decay for the three-prong channels (30 s once for 20 000 decays), ~0.7 ms with all
  channels open.

Reference: C. Bierlich et al., "A comprehensive guide to the physics and usage of PYTHIA 8.3",
SciPost Phys. Codebases 8 (2022), §τ decays (helicity-based τ decays of P. Ilten).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import awkward as ak
import numpy as np

from darkscan.events import STATUS_DECAYED, STATUS_FINAL
from darkscan.generate.pythia_bridge import (
    DecayTrees,
    decay_table_pythia,
    decays_from_pythia,
    make_pythia,
)
from darkscan.physics.constants import C_CM_PER_NS, M_TAU, PDG_TAU
from darkscan.physics.lorentz import mass, random_rotations, rotate_boost

#: decays in a library (spread over the open channels in proportion to their fractions)
LIBRARY_SIZE = 20_000
#: fewest decays of an open channel in a library
MIN_PER_CHANNEL = 200
#: largest relative difference between a τ's mass and the library's M_TAU
MASS_TOLERANCE = 1e-6
#: root entropy of the library seeds (the settings select the stream)
LIBRARY_ENTROPY = 0x7A0D_EC47_11B2
#: cache stage name (folder under the cache root)
CACHE_STAGE = "tau_decay_library"

_CODE = ("darkscan.generate.tau_library", "darkscan.generate.pythia_bridge")


@dataclass(frozen=True)
class TauDecayLibrary:
    """τ⁻ decays at rest (mass :attr:`mass`) under Pythia ``settings``, grouped by channel:
    decays ``first[c]:first[c + 1]`` of :attr:`decays` are of the open channel
    ``channels[c]`` (Pythia's index in the τ table), drawn with probability ``fractions[c]``;
    ``anti_pdg`` holds the charge-conjugate ids of the rows of :attr:`decays` (for τ⁺)."""

    settings: tuple[str, ...]
    mass: float
    channels: np.ndarray
    fractions: np.ndarray
    first: np.ndarray
    decays: DecayTrees
    anti_pdg: np.ndarray

    @property
    def size(self) -> int:
        """Number of decays."""
        return int(self.first[-1])

    @property
    def channel_of_decay(self) -> np.ndarray:
        """Index into :attr:`channels` of each decay."""
        return np.repeat(np.arange(len(self.channels)), np.diff(self.first))


def tau_channel_table(settings: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray,
                                                             tuple[tuple[int, ...], ...]]:
    """Pythia's τ⁻ channel table after ``settings``: (onMode, branching fraction, products) per
    channel, in Pythia's order. onMode 1: open for τ⁻ and τ⁺, 2: τ⁻ only, 3: τ⁺ only."""
    pythia = decay_table_pythia(settings)
    entry = pythia.particleData.particleDataEntryPtr(PDG_TAU)
    chans = [entry.channel(i) for i in range(entry.sizeChannels())]
    return (np.array([c.onMode() for c in chans], dtype=np.int64),
            np.array([c.bRatio() for c in chans]),
            tuple(tuple(int(c.product(j)) for j in range(c.multiplicity())) for c in chans))


def open_channels(settings: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the τ channels ``settings`` leave open and their normalised fractions (Pythia
    picks among them in proportion to the table's branching fractions). Refuses settings that
    open different channels for τ⁻ and τ⁺ (the library conjugates τ⁻ decays)."""
    on, br, _ = tau_channel_table(settings)
    if np.any((on == 2) | (on == 3)):
        raise ValueError("the τ decay library needs the same channels for τ⁻ and τ⁺ (onMode 0 "
                         "or 1); decay these τ with decay_final_taus(..., library=False)")
    idx = np.nonzero((on == 1) & (br > 0))[0]
    if len(idx) == 0:
        raise ValueError(f"no τ decay channel is open with the settings {list(settings)}")
    return idx, br[idx] / br[idx].sum()


def library_seed(settings: Sequence[str]) -> np.random.SeedSequence:
    """The seed of the library for ``settings``: fixed, independent of its size (a smaller
    library's channels start with the same decays as a larger one's) and of any chunk."""
    digest = hashlib.sha256("\n".join(settings).encode()).digest()
    return np.random.SeedSequence([LIBRARY_ENTROPY, int.from_bytes(digest[:8], "little")])


def channel_sizes(fractions: np.ndarray, size: int, min_per_channel: int) -> np.ndarray:
    """Decays per channel: ⌈size·fraction⌉, at least ``min_per_channel``."""
    return np.maximum(np.ceil(size * fractions).astype(np.int64), int(min_per_channel))


def conjugate_pdg(pdg: np.ndarray) -> np.ndarray:
    """Charge-conjugate PDG ids (``particle``'s antiparticles; self-conjugate ids unchanged)."""
    from particle import Particle

    pdg = np.asarray(pdg, dtype=np.int64)
    ids, inverse = np.unique(pdg, return_inverse=True)
    anti = np.array([int(Particle.from_pdgid(int(i)).invert().pdgid) for i in ids],
                    dtype=np.int64)
    return anti[inverse].reshape(pdg.shape)


def build_library(settings: Sequence[str] = (), size: int = LIBRARY_SIZE,
                  min_per_channel: int = MIN_PER_CHANNEL) -> TauDecayLibrary:
    """Generate the library with Pythia (no cache): τ⁻ at rest with mass M_TAU, one channel at a
    time (``15:onMode = off``, ``15:<c>:onMode = on`` after ``settings``, one seeded Pythia
    instance); every decay's direct daughters are checked against its channel's products."""
    settings = tuple(settings)
    channels, fractions = open_channels(settings)
    _, _, products = tau_channel_table(settings)
    sizes = channel_sizes(fractions, size, min_per_channel)
    pythia = make_pythia(["ProcessLevel:all = off", *settings], library_seed(settings))
    parts: list[DecayTrees] = []
    for chan, n in zip(channels.tolist(), sizes.tolist(), strict=True):
        for s in ("15:onMode = off", f"15:{chan}:onMode = on"):
            if not pythia.readString(s):
                raise RuntimeError(f"Pythia rejected the setting '{s}'")
        zero = np.zeros(n)
        trees = decays_from_pythia(pythia, {"pdg": np.full(n, PDG_TAU), "px": zero,
                                                "py": zero, "pz": zero, "E": zero + M_TAU,
                                                "m": zero + M_TAU})
        _check_channel(trees, products[chan], chan)
        parts.append(trees)
    decays = _concatenate(parts)
    return TauDecayLibrary(settings, M_TAU, channels, fractions,
                           np.concatenate([[0], np.cumsum(sizes)]), decays,
                           conjugate_pdg(decays.pdg))


def _check_channel(trees: DecayTrees, products: tuple[int, ...], chan: int) -> None:
    """Every decay's direct daughters are the channel's products (as a multiset)."""
    direct = trees.mother < 0
    tau_of = trees.root_of_row
    n = len(trees.start) - 1
    ok = np.bincount(tau_of[direct], minlength=n) == len(products)
    for pid, k in zip(*np.unique(products, return_counts=True), strict=True):
        ok &= np.bincount(tau_of[direct & (trees.pdg == pid)], minlength=n) == k
    if not ok.all():
        raise RuntimeError(f"Pythia decayed {np.sum(~ok)} of {n} τ forced to channel {chan} "
                           f"{products} into other products")


def _concatenate(parts: Sequence[DecayTrees]) -> DecayTrees:
    counts = np.concatenate([t.counts for t in parts])
    return DecayTrees(start=np.concatenate([[0], np.cumsum(counts)]),
                         pdg=np.concatenate([t.pdg for t in parts]),
                         p4=np.concatenate([t.p4 for t in parts]),
                         x4=np.concatenate([t.x4 for t in parts]),
                         mother=np.concatenate([t.mother for t in parts]),
                         status=np.concatenate([t.status for t in parts]))


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/darkscan`` (``~/.cache/darkscan`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "darkscan"


def library_key(settings: tuple[str, ...], size: int, min_per_channel: int) -> str:
    """Cache key: the settings, sizes, τ mass, Pythia version and the code that builds it."""
    from importlib.metadata import version

    from darkscan.run.cache import stage_key

    return stage_key(CACHE_STAGE, {"settings": list(settings), "size": int(size),
                                   "min_per_channel": int(min_per_channel), "mass": M_TAU,
                                   "pythia8mc": version("pythia8mc")}, code=_CODE)


@cache
def tau_library(settings: tuple[str, ...] = (), size: int = LIBRARY_SIZE,
                min_per_channel: int = MIN_PER_CHANNEL) -> TauDecayLibrary:
    """The library for ``settings``: from this process's memory, else from the disk cache
    (:func:`cache_root`), else built (:func:`build_library`) and stored. A cache folder that
    cannot be written costs a rebuild per process, with one line on stderr."""
    from darkscan.run.cache import StageCache

    key = library_key(settings, size, min_per_channel)
    built: list[TauDecayLibrary] = []

    def compute() -> TauDecayLibrary:
        built.append(build_library(settings, size, min_per_channel))
        return built[0]

    try:
        return StageCache(cache_root()).value(CACHE_STAGE, key, compute)
    except OSError as exc:
        print(f"tau_library: cache under {cache_root()} not usable ({exc}); the library is "
              "kept in memory only", file=sys.stderr, flush=True)
        return built[0] if built else compute()


def library_decays(pdg: np.ndarray, p4: np.ndarray, settings: tuple[str, ...],
                   rng: np.random.Generator, *, size: int = LIBRARY_SIZE,
                   min_per_channel: int = MIN_PER_CHANNEL) -> DecayTrees:
    """Decays of the τ leptons ``pdg`` (±15) with four-momenta ``p4`` (n, 4) from the library:
    a channel from the table fractions, a decay of that channel, CP conjugation for τ⁺, a Haar
    rotation and the boost to the τ (:func:`darkscan.physics.lorentz.rotate_boost`), momenta and
    vertex offsets alike. Frame: that of ``p4``."""
    lib = tau_library(tuple(settings), int(size), int(min_per_channel))
    pdg = np.asarray(pdg, dtype=np.int64)
    p4 = np.asarray(p4, dtype=float)
    n = len(pdg)
    scale = mass(p4) / lib.mass
    bad = np.abs(scale - 1.0) > MASS_TOLERANCE
    if bad.any():
        raise ValueError(f"{int(bad.sum())} τ have masses up to {float(np.max(scale)) * lib.mass}"
                         f" GeV, not the library's {lib.mass} GeV; decay them with "
                         "decay_final_taus(..., library=False)")
    chan = rng.choice(len(lib.channels), size=n, p=lib.fractions)
    pick = lib.first[chan] + rng.integers(0, np.diff(lib.first)[chan])
    rot = random_rotations(rng, n)
    dec = lib.decays
    counts = dec.counts[pick]
    start = np.concatenate([[0], np.cumsum(counts)])
    tau_of = np.repeat(np.arange(n), counts)
    rows = dec.start[pick][tau_of] + np.arange(start[-1]) - start[tau_of]
    anti = pdg[tau_of] < 0
    mirror = np.where(anti, -1.0, 1.0)[:, None]
    p = dec.p4[rows] * scale[tau_of, None]
    p[:, :3] *= mirror
    x = dec.x4[rows] * np.array([1.0, 1.0, 1.0, C_CM_PER_NS])  # (x, ct) in cm
    x[:, :3] *= mirror
    r, beta = rot[tau_of], (p4[:, :3] / p4[:, 3:4])[tau_of]
    x_out = rotate_boost(x, r, beta)
    x_out[:, 3] /= C_CM_PER_NS
    return DecayTrees(start=start, pdg=np.where(anti, lib.anti_pdg[rows], dec.pdg[rows]),
                         p4=rotate_boost(p, r, beta), x4=x_out, mother=dec.mother[rows],
                         status=dec.status[rows])


# ---------------------------------------------------------------------------------------------
# per-τ observables of decayed events (validation)
# ---------------------------------------------------------------------------------------------
def _charge(pdg: np.ndarray) -> np.ndarray:
    from particle import Particle

    ids, inverse = np.unique(pdg, return_inverse=True)
    q = np.array([float(Particle.from_pdgid(int(i)).charge or 0.0) for i in ids])
    return q[inverse]


def tau_decay_summary(events: ak.Array) -> dict[str, np.ndarray]:
    """One row per decayed τ (status 2, |pdg| 15) of ``events``: ``event``, ``index`` (in
    its event), ``pdg``, ``E``,
    ``n_charged`` and ``n_photons`` (final-state descendants), ``m_charged`` (invariant mass of
    the charged final-state descendants, GeV), ``x_visible`` (energy of the final-state
    descendants other than neutrinos over the τ energy, frame of the events), ``charge`` (sum of
    the charged descendants') and ``channel`` (Pythia's τ channel index from the direct
    daughters, τ⁺ conjugated; −1 if none matches)."""
    parts = events["particles"]
    counts = ak.to_numpy(ak.num(parts, axis=1)).astype(np.int64)
    flat = ak.flatten(parts, axis=1)
    pdg = ak.to_numpy(flat.pdg).astype(np.int64)
    status = ak.to_numpy(flat.status)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    ev_of = np.repeat(np.arange(len(counts)), counts)
    mother = ak.to_numpy(flat.mother).astype(np.int64)
    mglob = np.where(mother >= 0, first[ev_of] + mother, -1)
    is_tau = (np.abs(pdg) == PDG_TAU) & (status == STATUS_DECAYED)
    anc = mglob.copy()  # the nearest τ ancestor of every particle
    for _ in range(50):
        climb = (anc >= 0) & ~is_tau[np.maximum(anc, 0)]
        if not climb.any():
            break
        anc[climb] = mglob[anc[climb]]
    taus = np.nonzero(is_tau)[0]
    row = np.full(len(pdg), -1)
    row[taus] = np.arange(len(taus))
    owner = np.where(anc >= 0, row[np.maximum(anc, 0)], -1)
    final = (owner >= 0) & (status == STATUS_FINAL)
    q = _charge(pdg)
    charged = final & (q != 0)
    visible = final & ~np.isin(np.abs(pdg), (12, 14, 16))
    p4 = np.stack([ak.to_numpy(flat[c]) for c in ("px", "py", "pz", "E")], axis=1)
    n = len(taus)
    p_ch = np.zeros((n, 4))
    np.add.at(p_ch, owner[charged], p4[charged])
    e_vis = np.bincount(owner[visible], weights=p4[visible, 3], minlength=n)
    return {"event": ev_of[taus], "index": taus - first[ev_of[taus]], "pdg": pdg[taus],
            "E": p4[taus, 3],
            "n_charged": np.bincount(owner[charged], minlength=n),
            "n_photons": np.bincount(owner[final & (pdg == 22)], minlength=n),
            "m_charged": mass(p_ch), "x_visible": e_vis / p4[taus, 3],
            "charge": np.bincount(owner[charged], weights=q[charged], minlength=n),
            "channel": _channel_index(pdg, mglob, taus, row)}


def _channel_index(pdg: np.ndarray, mglob: np.ndarray, taus: np.ndarray, row: np.ndarray
                   ) -> np.ndarray:
    """Pythia channel of each τ from the multiset of its direct daughters' ids (τ⁺ daughters
    conjugated), via a sum of random 63-bit codes per id (collisions ~2⁻⁶³)."""
    _, _, products = tau_channel_table()
    direct = (mglob >= 0) & (row[np.maximum(mglob, 0)] >= 0)
    owner = row[mglob[direct]]
    ids = np.where(pdg[taus][owner] < 0, conjugate_pdg(pdg[direct]), pdg[direct])
    table_ids = np.unique(np.concatenate([ids, [p for ch in products for p in ch]]))
    code = np.random.default_rng(20240607).integers(1, 2**62, size=len(table_ids))
    code_of = code[np.searchsorted(table_ids, ids)]
    key = np.zeros(len(taus), dtype=np.int64)
    np.add.at(key, owner, code_of)
    chan_key = np.array([code[np.searchsorted(table_ids, ch)].sum() for ch in products])
    order = np.argsort(chan_key)
    pos = np.clip(np.searchsorted(chan_key[order], key), 0, len(order) - 1)
    return np.where(chan_key[order][pos] == key, order[pos], -1)


def effective_size(n: int, library_size: int) -> float:
    """Effective number of independent decays in ``n`` draws from a library of
    ``library_size``: 1/n_eff = 1/n + 1/N for a quantity fixed by the decay configuration (the
    library's own sampling error adds to that of the draws; conservative for lab quantities)."""
    return 1.0 / (1.0 / n + 1.0 / library_size)


def ks_pvalue(a: np.ndarray, b: np.ndarray, n_a: float | None = None) -> float:
    """Two-sample Kolmogorov–Smirnov p-value with ``n_a`` (e.g. :func:`effective_size`) the
    effective size of ``a``; the asymptotic Kolmogorov distribution with Stephens' correction
    (Numerical Recipes §14.3), fine for samples of hundreds and more."""
    from scipy.stats import kstwobign

    a, b = np.sort(np.asarray(a, float)), np.sort(np.asarray(b, float))
    x = np.concatenate([a, b])
    d = float(np.max(np.abs(np.searchsorted(a, x, side="right") / len(a)
                            - np.searchsorted(b, x, side="right") / len(b))))
    na = float(len(a) if n_a is None else n_a)
    en = np.sqrt(na * len(b) / (na + len(b)))
    return float(kstwobign.sf((en + 0.12 + 0.11 / en) * d))


def chi2_homogeneity_pvalue(a: np.ndarray, b: np.ndarray, n_a: float | None = None,
                            min_expected: float = 5.0) -> float:
    """p-value of Pearson's χ² for two samples of a categorical variable (e.g. a count) coming
    from one distribution: Σ_k (p̂_a − p̂_b)² / (p̄_k (1/n_a + 1/n_b)), n_a effective (see
    :func:`effective_size`); categories expected fewer than ``min_expected`` times in the
    smaller sample are merged into one."""
    from scipy.stats import chi2

    cats = np.union1d(a, b)
    ca = np.array([np.sum(a == c) for c in cats], float)
    cb = np.array([np.sum(b == c) for c in cats], float)
    na = float(len(a) if n_a is None else n_a)
    pooled = (ca + cb) / (len(a) + len(b))
    small = pooled * min(na, len(b)) < min_expected
    if small.any():
        ca = np.append(ca[~small], ca[small].sum())
        cb = np.append(cb[~small], cb[small].sum())
        pooled = np.append(pooled[~small], pooled[small].sum())
    if len(ca) < 2:
        return 1.0
    stat = float(np.sum((ca / len(a) - cb / len(b)) ** 2 / (pooled * (1.0 / na + 1.0 / len(b)))))
    return float(chi2.sf(stat, len(ca) - 1))


def chi2_fractions_pvalue(observed: np.ndarray, categories: np.ndarray, fractions: np.ndarray,
                          min_expected: float = 5.0) -> float:
    """p-value of Pearson's χ² of the counts of ``observed`` in ``categories`` against the
    multinomial ``fractions``; an observed value outside ``categories`` gives 0. Categories
    expected fewer than ``min_expected`` times are merged into one."""
    from scipy.stats import chi2

    n = len(observed)
    if not np.all(np.isin(observed, categories)):
        return 0.0
    obs = np.array([np.sum(observed == c) for c in categories], float)
    exp = n * np.asarray(fractions, float)
    small = exp < min_expected
    if small.any():
        obs = np.append(obs[~small], obs[small].sum())
        exp = np.append(exp[~small], exp[small].sum())
    return float(chi2.sf(np.sum((obs - exp) ** 2 / exp), len(obs) - 1))
