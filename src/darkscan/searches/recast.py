"""The simulation a recast needs (issue #23): where the source's X and the target's differ in
spin, the source search's signal is generated again, passed through the fast simulation and the
search's own channel selection, and reweighted by |M_target|²/|M_source|²
(:func:`darkscan.interpret.recast.me_ratio_weights`) to give ε_target/ε_source. Orchestration
of the generator, detector, reconstruction and selection stages, so it lives with the searches;
the formulas are in :mod:`darkscan.interpret.recast`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import awkward as ak
import numpy as np

from darkscan.errors import ParameterError
from darkscan.interpret.recast import (
    MODELS,
    EfficiencyRatio,
    RecastModel,
    RecastSource,
    identical_efficiency,
    me_ratio_weights,
    reweighted_efficiency_ratio,
)
from darkscan.searches.reopen import RunSettings, has_mva, reopen_stage, run_settings

if TYPE_CHECKING:
    from darkscan.searches.spec import Search

__all__ = ["efficiency_ratio", "signal_sample", "simulated_selection"]

#: (truth sample, mass hypothesis) → pass flag per truth event
Selection = Callable[[Any, float], np.ndarray]

#: a candidate counts within this many resolutions of the run's fitted peak: the sliding fit's
#: signal window, where its yield comes from (the wrong pairings elsewhere are background)
WINDOW_RESOLUTIONS = 2.0


def efficiency_ratio(source: RecastSource, target: RecastModel, mass: np.ndarray, *,
                     selection: Selection | SimulatedSelection | None = None,
                     run_dir: str | Path | None = None,
                     n_events: int = 3_000, seed: int = 1) -> EfficiencyRatio:
    """ε_target/ε_source of the source search's selection at each mass.

    Same spin: exactly 1 (the matrix elements differ by a constant). Otherwise the source's
    signal is generated (``n_events`` per mass, the search's signal parameters and its decay
    filter), ``selection(truth sample, mass) → pass flag per event`` applied (default:
    :func:`simulated_selection`: the search's own channel selection after the fast simulation
    and, with ``run_dir``, the folder of the run whose limits are recast, that run's trained
    MVA step and signal windows) and the events reweighted by :func:`me_ratio_weights`."""
    mass = np.atleast_1d(np.asarray(mass, float))
    same = identical_efficiency(source, target, mass)
    if same is not None:
        return same
    source_spin = MODELS[source.model].spin
    select = (simulated_selection(source.search, run_dir=run_dir) if selection is None else
              selection if isinstance(selection, SimulatedSelection) else
              SimulatedSelection(selection, "a selection given by the caller"))
    values, errors = [], []
    for i, m in enumerate(mass):
        truth = signal_sample(source.search, float(m), n_events, [seed, i])
        w = me_ratio_weights(truth.particles, float(m), source_spin, target.spin)
        r, e = reweighted_efficiency_ratio(select(truth, float(m)), w)
        values.append(r)
        errors.append(e)
    return EfficiencyRatio(np.array(values), np.array(errors),
                           f"reweighted: {n_events} simulated {source_spin} signal events per "
                           f"mass, w = |M_{target.spin}|²/|M_{source_spin}|² in the reduced CMS "
                           f"after ISR, muons before FSR; pass flags from {select.description}")


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


@dataclass(frozen=True)
class SimulatedSelection:
    """A :data:`Selection` and what it consists of, in words."""

    passes: Selection
    description: str

    def __call__(self, truth: Any, mass: float) -> np.ndarray:
        return self.passes(truth, mass)


def simulated_selection(search_name: str, seed: int = 7, *,
                        run_dir: str | Path | None = None) -> SimulatedSelection:
    """Pass flag per truth event: the search's first channel (decay string, particle lists,
    cut selection) after the fast simulation and reconstruction; an event passes if any of its
    candidates does. With ``run_dir`` (a run of this search) and a search with an MVA step, a
    candidate must also pass that run's trained MVA step and lie in its signal window
    (:data:`WINDOW_RESOLUTIONS` resolutions about the peak the run fitted at that mass): a
    network trained on one spin's kinematics keeps another's differently (measured on
    zprime-mumu's default run, 20k events of each: the muonphilic scalar keeps 0.70, 0.78, 0.76
    of the Z′'s efficiency at 1, 4, 8 GeV through its networks and windows, 1.00, 0.99, 0.99
    through the cuts alone; the run's window fits give 0.71, 0.84, 0.73)."""
    from darkscan.detector import simulate
    from darkscan.detector.parameters import detector_for
    from darkscan.detector.trigger import TRIGGER_BITS
    from darkscan.physics.experiment import get_experiment
    from darkscan.reco import reconstruct
    from darkscan.searches import get
    from darkscan.select import evaluate

    settings = run_settings(run_dir) if run_dir is not None else None
    if settings is not None and settings.search != search_name:
        raise ParameterError(f"the run in '{run_dir}' is of {settings.search}, not "
                             f"{search_name}")
    search = settings.search_spec() if settings is not None else get(search_name)
    channel = search.channels[0]
    columns = [c for c in channel.columns(search.extraction.observables)
               if c not in TRIGGER_BITS]
    after = (_run_step(search, Path(run_dir), settings) if settings is not None
             and settings.simulated and has_mva(search) else None)

    def passes(truth: Any, mass: float) -> np.ndarray:
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
        if after is not None:
            mask &= after(cols, mass)
        out = np.zeros(len(truth.events), dtype=bool)
        out[cols["event"][mask]] = True
        return out

    return SimulatedSelection(passes, (
        f"the {search_name} channel's cut selection after darkscan's fast simulation" +
        (f", the trained MVA step of the run in '{run_dir}' and its ±{WINDOW_RESOLUTIONS:g}σ "
         "signal windows" if after is not None else
         " (its MVA step assumed to keep both spins alike: "
         f"{'the run used an analyst’s ntuples' if settings else 'no run folder given'})"
         if has_mva(search) else "")))


def _run_step(search: Search, run_dir: Path, settings: RunSettings
              ) -> Callable[[dict[str, np.ndarray], float], np.ndarray]:
    """Per candidate: passes the trained MVA step of the run in ``run_dir`` and lies in its
    signal window at the mass hypothesis (the fitted peak and resolution of ``signal.csv``)."""
    from darkscan.interpret.recast import read_table
    from darkscan.select import evaluate

    stage = reopen_stage(search, run_dir, lumi=settings.lumi, quick=settings.quick,
                         seed=settings.seed, scale=settings.scale)
    signal = read_table(run_dir, "signal.csv")
    axis = search.axes[0].name
    observable_at = getattr(search.extraction, "observable_at", None)
    if observable_at is None or not {axis, "peak", "resolution"} <= signal.keys():
        raise ParameterError(f"{search.name}: its extraction has no fitted peak per mass "
                             "(signal.csv: peak, resolution) for a signal window")

    def keep(cols: dict[str, np.ndarray], mass: float) -> np.ndarray:
        at = np.flatnonzero(np.isclose(signal[axis], mass, rtol=1e-6))
        if len(at) == 0:
            raise ParameterError(f"{mass:g} is not a signal point of the run in '{run_dir}'")
        peak, res = signal["peak"][at[0]], signal["resolution"][at[0]]
        values = {c: np.asarray(evaluate(c, cols), float) for c in stage.kept}
        x = cols[observable_at(mass)]
        return stage.trained.passes(values) & (np.abs(x - peak) < WINDOW_RESOLUTIONS * res)

    return keep
