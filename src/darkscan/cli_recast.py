"""``darkscan recast``: a search's σ × B limit reinterpreted in another model (DESIGN §5). Parses,
checks inputs at the edge and calls :mod:`darkscan.interpret.recast`; no physics here."""

from __future__ import annotations

from typing import Annotated

import numpy as np
import typer

from darkscan.errors import ParameterError

#: simulated source events per mass for a reweighted efficiency ratio (one per signal point)
MAX_RECAST_EVENTS = 200_000


def recast_command(
        results: Annotated[str, typer.Argument(metavar="RESULTS_DIR",
                                               help="the --out folder of a 'darkscan run'")],
        to: Annotated[str, typer.Option("--to", metavar="MODEL",
                                        help="target model: lmu_ltau, dark_photon, muonphilic")],
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

    folder = cli._results_folder(results, "RESULTS_DIR")
    target = rc.get_model(cli._name(to, "model"))
    params = cli.parse_params(param)
    if not 100 <= n_events <= MAX_RECAST_EVENTS:
        raise ParameterError(f"--n-events {n_events} must be between 100 and "
                             f"{MAX_RECAST_EVENTS}")
    seed = cli._seed(seed)
    out = cli._output_folder(out_dir, "--out")
    limits = rc.read_limits(folder)
    source = rc.get_source(limits.search)
    # everything the recast refuses is refused before any simulation: a dry run on unit ratios
    rc.recast(limits, target, params, muon_line_only=muon_line_only,
              efficiency=rc.EfficiencyRatio(np.ones_like(limits.mass),
                                            np.zeros_like(limits.mass), "check"),
              sigma_unit=np.ones_like(limits.mass))
    eff = rc.efficiency_ratio(source, target, limits.mass, n_events=n_events, seed=seed)
    result = rc.recast(limits, target, params, muon_line_only=muon_line_only, efficiency=eff)
    from darkscan.report.recast import write_recast

    paths = write_recast(result, limits, out)
    cli.out.print(f"recast {limits.search} → {target.name}: {', '.join(str(p) for p in paths)}")

