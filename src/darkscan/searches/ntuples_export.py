"""darkscan's own simulated ntuples written as an analyst's basf2 ntuples would be
(:mod:`darkscan.searches.ntuples`): ROOT files with basf2 branch names and the manifest, so an
analyst sees the format and ``darkscan run SEARCH --ntuples DIR`` can be checked against the
simulated run it came from (the same samples give the same expected limits)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from darkscan.physics import Luminosity, parse_luminosity
from darkscan.reco.aliases import to_basf2
from darkscan.run.executors import Executor, SerialExecutor
from darkscan.searches.ntuples import channel_variables
from darkscan.searches.ntuples_manifest import (
    FORMAT,
    MANIFEST,
    WEIGHT_BRANCH,
    root_branch,
    write_manifest,
)
from darkscan.searches.runner import TRAINING, channel_selected
from darkscan.searches.samples import Ntuple
from darkscan.searches.spec import Channel, Search

#: the pseudo-data's own random stream in an export, spawned from the run's seed
EXPORT_DATA_STREAM = 20_261_204


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", text).strip("_")


def _branches(nt: Ntuple, variables: tuple[str, ...]) -> dict[str, np.ndarray]:
    out = {root_branch(to_basf2(v)): np.asarray(nt.columns[v], dtype=np.float64)
           for v in variables}
    out[WEIGHT_BRANCH] = np.asarray(nt.weight, dtype=np.float64)
    return out


@dataclass(frozen=True)
class Exported:
    """What an export wrote: the manifest, the pseudo-data's candidates per channel, and the
    largest number of data candidates one simulated event stands for (σ L / N of the sparsest
    background: above 1 the pseudo-data repeat simulated events, a format example rather than
    a realistic dataset)."""

    manifest: Path
    data_events: dict[str, int]
    max_repeat: float


def write_root(path: Path, trees: dict[str, dict[str, np.ndarray]]) -> None:
    """TTrees of flat float64 branches, as basf2's VariablesToNtuple writes them (uproot's
    plain assignment would write RNTuples)."""
    import uproot

    with uproot.recreate(path) as f:
        for name, branches in trees.items():
            tree = f.mktree(name, {k: np.float64 for k in branches})
            if len(next(iter(branches.values()), ())):
                tree.extend(branches)


def pseudo_data(search: Search, channel: Channel, backgrounds: list[Ntuple], lum: Luminosity,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A dataset drawn from the simulated backgrounds at ``lum``: a Poisson number of
    candidates resampled by luminosity weight among those that pass the channel's selection
    (re-applying it changes nothing; keeping the rest would only make the file large)."""
    variables = channel_variables(search, channel, data=True)
    cols = {v: [] for v in variables}
    weights = []
    for nt in backgrounds:  # as the run selects them (factorised cuts included)
        sel = channel_selected(channel, nt.name, nt, variables, lum)
        weights.append(sel.weight)
        for v in variables:
            cols[v].append(sel.values[v])
    w = np.concatenate(weights) if weights else np.zeros(0)
    n = int(rng.poisson(w.sum())) if w.sum() > 0 else 0
    picks = rng.choice(len(w), size=n, p=w / w.sum()) if n else np.zeros(0, dtype=int)
    return {root_branch(to_basf2(v)): np.concatenate(c)[picks] if c else np.zeros(0)
            for v, c in cols.items()}


def _repeat(backgrounds: list[Ntuple], lum: Luminosity) -> float:
    return max((float(np.max(nt.weight, initial=0.0)) * nt.sigma_pb * lum.per_pb
                / nt.n_generated for nt in backgrounds), default=0.0)


def export_ntuples(search: Search, directory: str | Path, *, quick: bool = False, seed: int = 1,
                   lumi: Luminosity | str | None = None, executor: Executor | None = None,
                   cache: Path | None = None, scale: float = 1.0) -> Exported:
    """Simulate ``search``'s samples (as ``darkscan run`` would, from ``cache`` where they are
    there), write one ROOT file per sample with a tree per channel, a pseudo-dataset at
    ``lumi`` (default the search's), and the manifest."""
    from darkscan.searches.runner import _reconstruct

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    lum = parse_luminosity(lumi if lumi is not None else search.default_lumi)
    points = search.signal.points(quick)
    reconstructed = _reconstruct(search, points, quick=quick, seed=seed,
                                 cache=cache if cache is not None else folder / ".cache",
                                 executor=executor or SerialExecutor(), scale=scale)
    several = len(search.channels) > 1
    trees: dict[str, dict[str, dict[str, np.ndarray]]] = {}  # file → tree → branches
    entries = []
    counts, repeat = {}, 0.0
    for ch in search.channels:
        samples, ntuples = reconstructed[ch.name]
        variables = channel_variables(search, ch)
        where = {"tree": ch.name, **({"channel": ch.name} if several else {})}
        for key, (spec, params) in samples.items():
            nt = ntuples[key]
            training = spec.id.endswith(f"_{TRAINING}")
            base = spec.id[: -len(TRAINING) - 1] if training else spec.id
            is_signal = base not in {b.id for b in search.backgrounds}
            point = {a.name: float(params[a.name]) for a in search.axes} if is_signal else None
            file = _slug(key.replace("@", "_")) + ".root"
            trees.setdefault(file, {})[ch.name] = _branches(nt, variables)
            entries.append({"file": file, **where,
                            "role": "signal" if is_signal else "background",
                            **({"point": point} if is_signal else {"sample": base}),
                            **({"training": True} if training else {}),
                            "sigma_pb": nt.sigma_pb, "n_generated": nt.n_generated})
        # each channel draws its own pseudo-data from its own stream
        rng = np.random.default_rng(np.random.SeedSequence(
            [seed, EXPORT_DATA_STREAM, *([search.channels.index(ch)] if several else [])]))
        bkgs = [ntuples[b.id] for b in search.backgrounds]
        data = pseudo_data(search, ch, bkgs, lum, rng)
        trees.setdefault("data.root", {})[ch.name] = data
        counts[ch.name] = len(next(iter(data.values()), ()))
        repeat = max(repeat, _repeat(bkgs, lum))
        entries.append({"file": "data.root", **where, "role": "data",
                        "luminosity": f"{lum.per_pb!r}/pb"})
    for file, content in trees.items():
        write_root(folder / file, content)
    note = ("written by 'darkscan ntuples export': the data are pseudo-data drawn from "
            "darkscan's simulation" + (
                f", in which one simulated event stands for up to {repeat:.3g} data candidates: "
                "they repeat simulated events, so their observed limits scatter far more than "
                "real data's" if repeat > 1.0 else ""))
    path = write_manifest(folder, {"format": FORMAT, "search": search.name, "files": entries,
                                   "note": note})
    return Exported(path, counts, repeat)


__all__ = ["MANIFEST", "Exported", "export_ntuples", "pseudo_data", "write_root"]
