"""A finished run's selection stage, reopened from its folder: what a later step asking "what
would this run have kept?" needs (the fine scan's closure and further pseudo-datasets, a
recast's efficiency through the run's own networks). The ntuples and the trained MVA step are
read from the run's cache (``<out>/.cache``); where the cache is gone they are made again from
the run's seed, the same events and the same networks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from darkscan.errors import InputFileError, ParameterError
from darkscan.physics.units import Luminosity

if TYPE_CHECKING:
    from darkscan.searches.extraction import Selected
    from darkscan.searches.spec import Channel, Search


@dataclass(frozen=True)
class RunStage:
    """A run's single channel: its ntuples, its candidates after the cut selection (columns
    ``kept``) and its trained MVA step."""

    channel: Channel
    ntuples: dict[str, Any]
    selected: dict[str, Selected]
    kept: tuple[str, ...]
    trained: Any

    def after_mva(self, s: Selected) -> Selected:
        """The candidates of ``s`` that the run's MVA step keeps."""
        return s.subset(self.trained.passes(s.values))


@dataclass(frozen=True)
class RunSettings:
    """What a run folder's ``summary.json`` says of how the run was made."""

    search: str
    lumi: Luminosity
    quick: bool
    seed: int
    #: the run simulated its samples (not an analyst's ntuples, whose MVA step is theirs)
    simulated: bool
    #: the search's selection variant (``--selection``), None for its default
    variant: str | None = None
    #: the sample sizes' scale (``run_search(scale=...)``)
    scale: float = 1.0

    def search_spec(self) -> Search:
        """The search (in its variant) the run ran."""
        from darkscan.searches import get

        return get(self.search, self.variant)


def run_settings(out_dir: str | Path) -> RunSettings:
    """The settings of the ``darkscan run`` that wrote ``out_dir``."""
    path = Path(out_dir) / "summary.json"
    try:
        s = json.loads(path.read_text(encoding="utf-8"))
        return RunSettings(str(s["search"]), Luminosity(float(s["luminosity_per_pb"])),
                           bool(s["quick"]), int(s["seed"]), s.get("ntuples") is None,
                           s.get("selection_variant"), float(s.get("sample_scale", 1.0)))
    except (OSError, ValueError, KeyError, TypeError):
        raise InputFileError(f"'{path}' is missing or lacks the run's search, luminosity, "
                             "quick flag or seed: give the --out folder of a 'darkscan run' "
                             "that finished") from None


def has_mva(search: Search) -> bool:
    """Whether ``search`` is a single-channel search with an MVA step (one a stage reopens)."""
    return len(search.channels) == 1 and search.channels[0].mva is not None


def reopen_stage(search: Search, out_dir: str | Path, *, lumi: Luminosity, quick: bool,
                 seed: int, scale: float = 1.0) -> RunStage:
    """The selection stage of the run of ``search`` written to ``out_dir`` with these settings
    (its ``scale`` of the sample sizes as the run had it)."""
    from darkscan.run.executors import SerialExecutor
    from darkscan.searches import runner

    if not has_mva(search):
        raise ParameterError(f"{search.name}: not a single-channel search with an MVA step, "
                             "no trained stage to reopen")
    (channel,) = search.channels
    mva, out = channel.mva, Path(out_dir)
    points = search.signal.points(quick)
    grid = search.signal.sample_for(channel.name)
    _, ntuples = runner.reconstruct(search, points, quick=quick, seed=seed, out_dir=out,
                                    executor=SerialExecutor(), scale=scale)[channel.name]
    kept = runner.kept_columns(search) + mva.columns
    selected = {k: runner.channel_selected(channel, k, nt, kept, lumi)
                for k, nt in ntuples.items()}
    train_grid, train_bkgs = runner.training_samples(grid, search.backgrounds)
    pool = runner.training_pool(mva, selected, ntuples, train_grid, train_bkgs, points, kept,
                                lumi)
    trained = runner.trained_mva(mva, pool, points, train_grid, train_bkgs, seed,
                                 out / ".cache" / "mva")
    return RunStage(channel, ntuples, selected, kept, trained)
