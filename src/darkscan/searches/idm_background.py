"""What the factorised background of ``idm-dark-higgs`` is made of, for ``darkscan validate``.

The search takes its background from its samples without the four tracks' ID requirements,
each candidate weighted by their pass rates (:mod:`darkscan.searches.factorised`, the
channels' ``background_id``). This module counts that expectation over the whole h′-mass range
per channel, with its MC-statistical error, by the truth origin of the χ₂ pair's two tracks:
the photon of a conversion, a π⁰'s Dalitz decay, a K⁰_S or Λ, a hadron's nuclear interaction
in a material layer, a τ, a charm hadron, …
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import awkward as ak
import numpy as np

from darkscan.detector.parameters import BELLE2_DETECTOR
from darkscan.events import Sample
from darkscan.expr import evaluate
from darkscan.searches import idm_dark_higgs as idm
from darkscan.searches.spec import TruthFilter

#: the χ₂ pair's tracks (the h′ pair's are dau0_dau0, dau0_dau1)
CHI2_TRACKS = ("dau1_dau0", "dau1_dau1")
_HADRONS = (211, 321, 2212, 2112, 130)
_NAMES = {22: "conversion", 111: "π⁰ Dalitz", 310: "K⁰_S", 3122: "Λ", 15: "τ"}


def origin(mother_pdg: np.ndarray, vr: np.ndarray,
           radii: tuple[float, ...] = BELLE2_DETECTOR.material_radii) -> np.ndarray:
    """Where tracks come from, in words: their truth mother's kind; a hadron's nuclear
    interaction when the mother is a hadron and the track starts on a material layer."""
    m = np.abs(np.atleast_1d(np.asarray(mother_pdg, dtype=np.int64)))
    vr = np.atleast_1d(np.asarray(vr, dtype=float))
    on_layer = np.min(np.abs(vr[:, None] - np.asarray(radii)[None, :]), axis=1) < 1e-3
    charm = ((m >= 400) & (m < 500)) | ((m >= 4000) & (m < 5000))
    conditions = [np.isin(m, _HADRONS) & on_layer, *(m == code for code in _NAMES), charm, m == 0]
    names = ["material interaction", *_NAMES.values(), "charm hadron", "prompt"]
    return np.select(conditions, names, default="other hadron")


def loose_candidates(reco: Sample, channel: str) -> dict[str, np.ndarray]:
    """The channel's best candidate per event of the simulated ``reco`` without the ID
    requirements, passing the search's event selection and inside the h′-mass range, with what
    the weights and the origins read."""
    from darkscan.reco import reconstruct

    factorised = idm.background_id(channel)
    extraction = idm.SEARCH.extraction
    variables = [extraction.observable, "n_tracks", "dau0_dr", "dau1_dr", "E_visible_cms",
                 "dau0_cos_pointing", *factorised.columns()]
    variables += [f"{t}_{c}" for t in CHI2_TRACKS for c in ("mc_mother_pdg", "mc_vr")]
    nt = reconstruct(reco, f"vpho -> h':{channel} chi2:ee", variables, lists=factorised.lists,
                     best="dau0_cos_pointing", best_highest=True).events
    cols = {f: ak.to_numpy(nt[f]) for f in ak.fields(nt)}
    mask = np.ones(len(nt), dtype=bool)
    for text in idm.SELECTION:
        mask &= np.broadcast_to(evaluate(text, cols), mask.shape).astype(bool)
    lo, hi = extraction.range
    x = cols[extraction.observable]
    mask &= (x > lo) & (x < hi)
    return {k: v[mask] for k, v in cols.items()}


@dataclass(frozen=True)
class ChannelEstimate:
    """One channel's factorised background over the h′-mass range: ``loose`` simulated
    candidates without the ID requirements (``loose_events`` in data), the expected count after
    them with its MC-statistical error, and the χ₂ pair's origins with their expected counts."""

    channel: str
    loose: int
    loose_events: float
    expected: float
    stat: float
    composition: tuple[tuple[str, float], ...]


def estimate(candidates: list[tuple[dict[str, np.ndarray], float]], channel: str
             ) -> ChannelEstimate:
    """The channel's factorised background from loose candidates of several samples, each with
    its weight (data events per simulated event)."""
    factorised = idm.background_id(channel)
    expected, squares, loose, loose_events = 0.0, 0.0, 0, 0.0
    composition: dict[str, float] = defaultdict(float)
    for cand, weight in candidates:
        n = len(cand["n_tracks"])
        if n == 0:
            continue
        w = weight * factorised.weights(cand)
        expected += float(w.sum())
        squares += float(np.sum(w * w))
        loose += n
        loose_events += weight * n
        a, b = (origin(cand[f"{t}_mc_mother_pdg"], cand[f"{t}_mc_vr"]) for t in CHI2_TRACKS)
        first = np.where(a <= b, a, b)
        keys = np.char.add(np.char.add(first, " + "), np.where(a <= b, b, a))
        for key in np.unique(keys):
            composition[str(key)] += float(w[keys == key].sum())
    parts = tuple(sorted(((k, v) for k, v in composition.items() if v > 0),
                         key=lambda kv: -kv[1]))
    return ChannelEstimate(channel, loose, loose_events, expected, float(np.sqrt(squares)),
                           parts)


def simulated(process: str, n: int, seed: int, truth_filter: TruthFilter | None = None,
              chunk_size: int = 25_000, **params: float) -> Iterator[tuple[Sample, float]]:
    """``n`` generated events of ``process`` in chunks of ``chunk_size`` (seeds derived from
    ``seed``), each kept by ``truth_filter`` and simulated, with the data events one of them
    stands for at the search's luminosity: one chunk in memory at a time."""
    from darkscan.detector.fastsim import simulate
    from darkscan.generate import generate
    from darkscan.physics.units import parse_luminosity

    per_pb = parse_luminosity(idm.SEARCH.default_lumi).per_pb
    for k, start in enumerate(range(0, n, chunk_size)):
        m = min(chunk_size, n - start)
        s = generate(process, m, seed=seed * 1000 + k, chunk_size=m, **params)
        weight = s.meta.sigma_pb * per_pb / n
        if truth_filter is not None:
            s = Sample(s.events[truth_filter(s.events.particles)], s.meta)
        yield simulate(s, seed=seed * 1000 + k + 1), weight


def factorised_background(scale: float = 1.0, seed: int = 1) -> dict[str, ChannelEstimate]:
    """Each channel's factorised background at the search's luminosity from its background
    samples at ``scale`` × their default sizes, simulated chunk by chunk."""
    candidates: dict[str, list[tuple[dict[str, np.ndarray], float]]] = {ch: [] for ch in
                                                                       idm.DECAYS}
    for i, spec in enumerate(idm.SEARCH.backgrounds):
        for reco, weight in simulated(spec.process, max(1000, int(spec.n_events * scale)),
                                      seed + 10 * i, spec.truth_filter, spec.chunk_size,
                                      **spec.params):
            for ch in idm.DECAYS:
                candidates[ch].append((loose_candidates(reco, ch), weight))
    return {ch: estimate(candidates[ch], ch) for ch in idm.DECAYS}
