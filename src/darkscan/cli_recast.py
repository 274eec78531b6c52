"""``darkscan recast``: a search's σ × B limit reinterpreted in another model (DESIGN §5). Parses,
checks inputs at the edge and calls :mod:`darkscan.interpret.recast`; no physics here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer

from darkscan.errors import ParameterError

if TYPE_CHECKING:
    from darkscan.interpret.recast_lifetime import LifetimeSource

#: simulated source events per mass for a reweighted efficiency ratio (one per signal point)
MAX_RECAST_EVENTS = 200_000


def recast_command(
        results: Annotated[str, typer.Argument(metavar="RESULTS_DIR",
                                               help="the --out folder of a 'darkscan run'")],
        to: Annotated[str, typer.Option("--to", metavar="MODEL",
                                        help="target model: lmu_ltau, dark_photon, muonphilic; "
                                             "dark_scalar for b-to-k-scalar (across "
                                             "lifetimes)")],
        out_dir: Annotated[str, typer.Option("-o", "--out", metavar="DIR",
                                             help="folder for the recast limits")],
        param: Annotated[list[str] | None, typer.Option(
            help="target-model parameter NAME=VALUE, e.g. br_invisible=1")] = None,
        muon_line_only: Annotated[bool, typer.Option(
            help="accept a target also produced off the beams with the muon-line diagrams "
                 "alone (darkscan's generator has no others)")] = False,
        n_events: Annotated[int, typer.Option(
            help="simulated signal events per mass for a reweighted efficiency ratio")] = 3_000,
        seed: Annotated[int, typer.Option(help="random seed, 0 to 2**63 - 1")] = 1) -> None:
    """Reinterpret a search's σ × B limit as a limit on another model's coupling."""
    from darkscan import cli
    from darkscan.interpret import recast as rc
    from darkscan.interpret.recast_lifetime import LIFETIME_SOURCES

    folder = cli._results_folder(results, "RESULTS_DIR")
    name = cli._name(to, "model")
    lifetime_models = [s.model for s in LIFETIME_SOURCES.values()]
    target = rc.get_model(name) if name not in lifetime_models else None
    params = cli.parse_params(param)
    if not 100 <= n_events <= MAX_RECAST_EVENTS:
        raise ParameterError(f"--n-events {n_events} must be between 100 and "
                             f"{MAX_RECAST_EVENTS}")
    seed = cli._seed(seed)
    out = cli._output_folder(out_dir, "--out")
    search = rc.results_search(folder)
    if search in LIFETIME_SOURCES:
        _across_lifetimes(folder, LIFETIME_SOURCES[search], name, params, out)
        return
    limits = rc.read_limits(folder)
    source = rc.get_source(limits.search)
    if target is None:
        raise ParameterError(f"'{name}' is a target for displaced searches recast across "
                             f"lifetimes ({', '.join(LIFETIME_SOURCES)}), not for "
                             f"{limits.search}; choose one of {', '.join(sorted(rc.MODELS))}")
    # everything the recast refuses is refused before any simulation: a dry run on unit ratios
    rc.recast(limits, target, params, muon_line_only=muon_line_only,
              efficiency=rc.EfficiencyRatio(np.ones_like(limits.mass),
                                            np.zeros_like(limits.mass), "check"),
              sigma_unit=np.ones_like(limits.mass))
    from darkscan.report.recast import write_recast  # the work starts: after every check
    from darkscan.searches.recast import efficiency_ratio

    if rc.identical_efficiency(source, target, limits.mass) is None:
        from darkscan.searches.reopen import run_settings

        run_settings(folder)  # the run's settings readable before any simulation
        cli.out.print(f"ε_{target.name}/ε_{limits.search}: {n_events} simulated events per mass "
                      f"through the run's selection (its trained steps read from "
                      f"'{folder / '.cache'}', made again where missing)", soft_wrap=True)
    eff = efficiency_ratio(source, target, limits.mass, run_dir=folder, n_events=n_events,
                           seed=seed)
    result = rc.recast(limits, target, params, muon_line_only=muon_line_only, efficiency=eff)
    paths = write_recast(result, limits, out)
    cli.out.print(f"recast {limits.search} → {target.name}: {', '.join(str(p) for p in paths)}")


def _across_lifetimes(folder: Path, source: LifetimeSource, to: str, params: dict[str, float],
                      out: Path) -> None:
    """A displaced search's per-cτ limits read at the target's own lifetime."""
    from darkscan import cli
    from darkscan.interpret import recast as rc
    from darkscan.interpret.recast_lifetime import recast_lifetimes

    if to != source.model:
        raise ParameterError(f"a {source.search} limit is recast across lifetimes to "
                             f"'{source.model}' only (its coupling {source.coupling}), not '{to}'")
    if params:
        raise ParameterError(f"recast model '{source.model}' takes no --param")
    result = recast_lifetimes(rc.read_table(folder), source)
    from darkscan.report.recast import write_lifetime_recast  # after every check

    paths = write_lifetime_recast(result, out)
    cli.out.print(f"recast {source.search} → {source.model} across lifetimes: "
                  f"{', '.join(str(p) for p in paths)}")
