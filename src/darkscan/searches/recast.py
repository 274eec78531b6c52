"""The simulation a recast needs (issue #23): where the source's X and the target's differ in
spin, the source search's signal is generated again, passed through the fast simulation and the
search's own channel selection, and reweighted by |M_target|²/|M_source|²
(:func:`darkscan.interpret.recast.me_ratio_weights`) to give ε_target/ε_source. Orchestration
of the generator, detector, reconstruction and selection stages, so it lives with the searches;
the formulas are in :mod:`darkscan.interpret.recast`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import awkward as ak
import numpy as np

from darkscan.interpret.recast import (
    MODELS,
    EfficiencyRatio,
    RecastModel,
    RecastSource,
    identical_efficiency,
    me_ratio_weights,
    reweighted_efficiency_ratio,
)

__all__ = ["efficiency_ratio", "signal_sample", "simulated_selection"]

Selection = Callable[[Any], np.ndarray]


def efficiency_ratio(source: RecastSource, target: RecastModel, mass: np.ndarray, *,
                     selection: Selection | None = None, n_events: int = 3_000,
                     seed: int = 1) -> EfficiencyRatio:
    """ε_target/ε_source of the source search's selection at each mass.

    Same spin: exactly 1 (the matrix elements differ by a constant). Otherwise the source's
    signal is generated (``n_events`` per mass, the search's signal parameters and its decay
    filter), ``selection(truth sample) → pass flag per event`` applied (default: the search's
    own channel selection after the fast simulation, :func:`simulated_selection`) and the
    events reweighted by :func:`me_ratio_weights`."""
    mass = np.atleast_1d(np.asarray(mass, float))
    same = identical_efficiency(source, target, mass)
    if same is not None:
        return same
    source_spin = MODELS[source.model].spin
    select = selection or simulated_selection(source.search)
    values, errors = [], []
    for i, m in enumerate(mass):
        truth = signal_sample(source.search, float(m), n_events, [seed, i])
        w = me_ratio_weights(truth.particles, float(m), source_spin, target.spin)
        r, e = reweighted_efficiency_ratio(select(truth), w)
        values.append(r)
        errors.append(e)
    how = ("generator-level selection given by the caller" if selection is not None else
           f"the {source.search} channel's cut selection after darkscan's fast simulation "
           "(an MVA step, where the search has one, is assumed to keep both spins alike)")
    return EfficiencyRatio(np.array(values), np.array(errors),
                           f"reweighted: {n_events} simulated {source_spin} signal events per "
                           f"mass, w = |M_{target.spin}|²/|M_{source_spin}|² in the reduced CMS "
                           f"after ISR, muons before FSR; pass flags from {how}")


def signal_sample(search_name: str, mass: float, n_events: int, seed: int | list[int]) -> Any:
    """``n_events`` generated signal events of a search at ``mass`` (its signal process and
    parameters), restricted to the decay searched for where the search's efficiency is per such
    decay (its truth filter with ``filter_is_decay``), τ decays finished."""
    from darkscan.events import Sample
    from darkscan.generate import get_process
    from darkscan.generate.registry import finish_decays
    from darkscan.searches import get

    search = get(search_name)
    spec = search.signal.sample_for(search.channels[0].name)
    ss = np.random.SeedSequence(seed)
    truth = get_process(spec.process).generate_chunk(n_events, ss, {**spec.params, "mass": mass})
    if spec.truth_filter is not None and spec.filter_is_decay:
        keep = np.asarray(spec.truth_filter(truth.particles), dtype=bool)
        truth = Sample(truth.events[keep], truth.meta)
    return finish_decays(truth, ss)


def simulated_selection(search_name: str, seed: int = 7) -> Selection:
    """Pass flag per truth event: the search's first channel (decay string, particle lists,
    cut selection) after the fast simulation and reconstruction; an event passes if any of its
    candidates does."""
    from darkscan.detector import simulate
    from darkscan.detector.parameters import detector_for
    from darkscan.detector.trigger import TRIGGER_BITS
    from darkscan.physics.experiment import get_experiment
    from darkscan.reco import reconstruct
    from darkscan.searches import get
    from darkscan.select import evaluate

    search = get(search_name)
    channel = search.channels[0]
    columns = [c for c in channel.columns(search.extraction.observables)
               if c not in TRIGGER_BITS]

    def passes(truth: Any) -> np.ndarray:
        experiment = get_experiment(truth.meta.experiment or "belle2")
        reco = simulate(truth, seed=np.random.SeedSequence(seed), experiment=experiment,
                        params=detector_for(experiment.name))
        nt = reconstruct(reco, decay=channel.decay, variables=columns, lists=channel.lists,
                         best=channel.best_candidate.expression,
                         best_highest=channel.best_candidate.highest, experiment=experiment)
        cols = {f: ak.to_numpy(nt.events[f]) for f in ak.fields(nt.events)}
        mask = np.ones(len(cols["event"]), dtype=bool)
        for cut in channel.selection:
            mask &= np.asarray(evaluate(cut, cols), dtype=bool)
        out = np.zeros(len(truth.events), dtype=bool)
        out[cols["event"][mask]] = True
        return out

    return passes
