"""An analyst's own ntuples in place of the simulation: ``darkscan run SEARCH --ntuples DIR``.

``DIR`` holds ROOT files (read with uproot) or parquet files, and a manifest
``darkscan-ntuples.json`` saying what each file's tree stands for. ``darkscan ntuples template
SEARCH`` writes a manifest to fill in and lists the basf2 variables the search reads;
``darkscan ntuples export SEARCH DIR`` writes the same from darkscan's own simulation.

Manifest schema (``format``: ``darkscan-ntuples/1``)::

    {"format": "darkscan-ntuples/1",
     "search": "dark-photon-invisible",
     "files": [
       {"file": "gg.root", "tree": "gamma", "role": "background", "sample": "gg",
        "sigma_pb": 3.1, "n_generated": 400000},
       {"file": "signal_1.root", "tree": "gamma", "role": "signal", "point": {"mass": 1.0},
        "sigma_pb": 0.02, "mc_luminosity": "20/fb"},
       {"file": "data.root", "tree": "gamma", "role": "data", "luminosity": "20/fb"}]}

Each entry: ``file`` (relative to ``DIR``), ``tree`` (a TTree of the ROOT file; ignored for
parquet), ``role``:

- ``background``: ``sample`` is the id of one of the search's background samples
  (``darkscan ntuples template`` lists them);
- ``signal``: ``point`` gives a value for every axis of the search's signal grid (a grid point,
  or for a lifetime-reweighted grid one of its generated lifetimes);
- ``data``: the recorded data, with their integrated ``luminosity`` (``"20/fb"``, or a number
  in pb⁻¹).

``channel`` names the search's channel the tree was reconstructed for (required where the
search has several; each channel reconstructs every sample its own way). MC entries give the
cross section of the generated sample ``sigma_pb`` (pb, after any generator-level filter) and
either ``n_generated`` (events generated, before reconstruction and any preselection) or the
equivalent ``mc_luminosity`` (N/σ); ``training: true`` marks an independent copy of a sample
for searches that make choices on training samples (an MVA step, optimised windows). Several
entries for the same sample are one sample split over files: their generated events add up
(their σ must agree); several data entries of one channel add their luminosities, and every
channel must see the same data luminosity. An optional top-level ``note`` is printed by the
run and kept in ``summary.json`` (``ntuples export`` writes one: its data are pseudo-data).

Variables: each tree holds one row per candidate, after the channel's best-candidate rule
(applied in basf2, e.g. ``rankByHighest``); its branches are named as basf2's
``VariablesToNtuple`` writes them (``daughter(0, theta)`` as ``daughter__bo0__cm__sptheta__bc``),
or with the basf2 name itself, or with darkscan's name (a basf2 alias); the alias table is
:mod:`darkscan.reco.aliases`. ``__weight__`` (basf2's candidate weight) is read as the event
weight where present; where ``__ncandidates__`` is written it must be 1 for a channel with a
best-candidate rule. The search's selection, extraction, inference and interpretation then
run unchanged on these ntuples; observed limits come from the data (expected ones from the MC),
and grid points without a signal ntuple are left out of the run (listed in ``summary.json``):
a limit there would need a signal efficiency nobody gave.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from darkscan.errors import InputFileError, ParameterError
from darkscan.events import SampleMeta
from darkscan.physics import Luminosity, parse_luminosity
from darkscan.reco.aliases import to_basf2, to_darkscan
from darkscan.searches.ntuples_manifest import (
    CANDIDATES_BRANCH,
    FORMAT,
    MANIFEST,
    WEIGHT_BRANCH,
    Entry,
    Manifest,
    read_manifest,
    root_branch,
    write_manifest,
)
from darkscan.searches.runner import TRAINING, kept_columns, simulated_points, training_copy
from darkscan.searches.samples import Ntuple, sample_id
from darkscan.searches.spec import BestCandidate, Channel, SampleSpec, Search

__all__ = ["FORMAT", "MANIFEST", "WEIGHT_BRANCH", "AnalystNtuples", "Entry", "Manifest",
           "basf2_name", "channel_variables", "load_ntuples", "read_manifest", "root_branch",
           "template", "variables_table", "write_manifest"]

#: relative agreement asked of two numbers that should be the same (σ of one sample, the data
#: luminosity seen by two channels, --lumi)
_SAME = 1e-6


# --------------------------------------------------------------------------- what a search reads
def channel_variables(search: Search, channel: Channel, *, data: bool = False
                      ) -> tuple[str, ...]:
    """The darkscan variables a channel's trees must hold: what its extraction, MVA step and
    selection read (the best-candidate rule was applied when the ntuple was written), and for
    MC the truth column of lifetime reweighting."""
    observables = search.extraction.observables if data else kept_columns(search)
    return channel.columns(observables, ranking=False)


def expected_branches(variable: str) -> tuple[str, ...]:
    """Branch names that hold a darkscan variable, in the order they are looked for: the
    basf2 VariablesToNtuple name, the basf2 name, darkscan's own name."""
    basf2 = to_basf2(variable)
    return tuple(dict.fromkeys((root_branch(basf2), basf2, variable)))


def is_training(search: Search, channel: Channel) -> bool:
    return search.extraction.needs_training or channel.mva is not None


# --------------------------------------------------------------------------- reading
def _read_columns(path: Path, entry: Entry, variables: tuple[str, ...], ranked: str | None
                  ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The variables (renamed to darkscan's) and the weights of one tree; only the branches
    needed are read. ``ranked``: the channel's best-candidate expression (basf2's
    ``__ncandidates__``, where written, must then be 1)."""
    if not path.is_file():
        raise InputFileError(f"{entry.where()} listed in {MANIFEST} does not exist in "
                             f"'{path.parent}'")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        import pyarrow.parquet as pq

        where = f"'{entry.file}'"
        present = set(pq.read_schema(path).names)
        wanted = _branches(variables, present, where)
        table = pq.read_table(path, columns=list(dict.fromkeys(wanted.values())))
        raw = {b: table.column(b).to_numpy() for b in table.column_names}
    elif magic == b"root":
        import uproot

        where = entry.where()
        try:
            with uproot.open(path) as f:
                trees = sorted({k.split(";")[0] for k, c in f.classnames().items()
                                if c in ("TTree", "TNtuple", "TNtupleD", "ROOT::RNTuple")})
                if entry.tree not in trees:
                    raise InputFileError(f"'{entry.file}' has no tree '{entry.tree}'; its "
                                         f"trees: {', '.join(trees) or 'none'}; fix 'tree' in "
                                         f"{MANIFEST}")
                tree = f[entry.tree]
                wanted = _branches(variables, set(tree.keys()), where)
                raw = tree.arrays(list(dict.fromkeys(wanted.values())), library="np")
        except (OSError, ValueError, uproot.deserialization.DeserializationError) as exc:
            raise InputFileError(f"'{entry.file}' cannot be read as a ROOT file "
                                 f"({type(exc).__name__}: {exc})") from None
    else:
        raise InputFileError(f"'{entry.file}' is neither a ROOT nor a parquet file")
    out: dict[str, np.ndarray] = {}
    for v, branch in wanted.items():
        try:
            out[v] = np.asarray(raw[branch], dtype=float)
        except (TypeError, ValueError):
            raise InputFileError(f"{where}: branch '{branch}' ('{v}') is not one number per "
                                 "candidate; write it with VariablesToNtuple (flat "
                                 "branches)") from None
    weight = out.pop(WEIGHT_BRANCH, None)
    candidates = out.pop(CANDIDATES_BRANCH, None)
    if candidates is not None and len(candidates) and np.max(candidates) > 1 and ranked:
        raise InputFileError(
            f"{where} has events with {int(np.max(candidates))} candidates; the search counts "
            f"one per event, the best by '{ranked}': rank in basf2 and keep the first "
            "(rankByHighest/rankByLowest with numBest=1, as the channel's rule says)")
    n = len(next(iter(out.values()))) if out else 0
    return out, weight if weight is not None else np.ones(n)


def _branches(variables: tuple[str, ...], present: set[str], where: str) -> dict[str, str]:
    """darkscan variable → the branch that holds it (and the weight branch where present)."""
    out = {}
    for v in variables:
        found = next((b for b in expected_branches(v) if b in present), None)
        if found is None:
            basf2 = basf2_name(v)
            raise InputFileError(
                f"{where} lacks the variable '{v}' the search reads: " + (
                    f"expected the basf2 variable '{basf2}' (branch '{root_branch(basf2)}'); "
                    "add it to the VariablesToNtuple list of the steering file"
                    if basf2 is not None else
                    "basf2 has no variable of that name in darkscan's alias table; define one "
                    f"with variables.addAlias('{v}', ...) and add it to VariablesToNtuple"))
        out[v] = found
    return out | {b: b for b in (WEIGHT_BRANCH, CANDIDATES_BRANCH) if b in present}


def _luminosity(value: str | float, what: str) -> Luminosity:
    try:
        lum = parse_luminosity(value)
    except ParameterError as exc:
        raise InputFileError(f"{what}: {exc}") from None
    if not (math.isfinite(lum.per_pb) and lum.per_pb > 0):
        raise InputFileError(f"{what} must be a positive luminosity, got {value!r}")
    return lum


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= _SAME * max(abs(a), abs(b))


@dataclass(frozen=True)
class AnalystNtuples:
    """Read ntuples in the runner's terms: per channel, MC ntuples keyed by sample id (as the
    simulation's), the data's variables, and the data luminosity."""

    directory: Path
    mc: Mapping[str, Mapping[str, Ntuple]]  #: channel → sample id → ntuple
    data: Mapping[str, Ntuple]  #: channel → the data (weights 1)
    lumi: Luminosity
    files: tuple[str, ...]
    note: str | None = None  #: the manifest's note, said by the run

    def points(self, search: Search) -> list[dict[str, float]]:
        """The grid points (full, then the quick grid's others) whose signal is given in at
        least one channel."""
        grid = search.signal.points(False)
        grid += [p for p in search.signal.points(True) if p not in grid]
        given = {k for ch in self.mc.values() for k in ch}
        return [p for p in grid if any(
            sample_id(search.signal.sample_for(c.name), search.signal.source(p)) in given
            for c in search.channels)]

    def missing_points(self, search: Search) -> list[dict[str, float]]:
        have = self.points(search)
        return [p for p in search.signal.points(False) if p not in have]

    def check_luminosity(self, lum: Luminosity) -> None:
        if not _same(lum.per_pb, self.lumi.per_pb):
            raise ParameterError(f"--lumi {lum} differs from the data's luminosity {self.lumi} "
                                 f"in {self.directory / MANIFEST}: observed limits are at the "
                                 "data's luminosity; drop --lumi or fix the manifest")

    def reconstructed(self, search: Search,
                      samples: Mapping[str, Mapping[str, tuple[SampleSpec, dict[str, float]]]]
                      ) -> dict[str, tuple[dict[str, tuple[SampleSpec, dict[str, float]]],
                                           dict[str, Ntuple]]]:
        """Per channel, the samples the runner reads (``samples``) and their ntuples, as
        :func:`darkscan.searches.runner._reconstruct` gives them from the simulation."""
        out = {}
        for ch in search.channels:
            mine = dict(samples[ch.name])
            have = self.mc.get(ch.name, {})
            missing = [k for k in mine if k not in have]
            if missing:
                raise InputFileError(
                    f"{self.directory / MANIFEST} gives no ntuple of sample(s) "
                    f"{', '.join(missing)} for channel '{ch.name}' (the run reads them: every "
                    "background, the signal at the points given for any channel"
                    + (", and their training copies" if is_training(search, ch) else "")
                    + "); 'darkscan ntuples template' lists what is needed")
            out[ch.name] = (mine, {k: have[k] for k in mine})
        return out


def load_ntuples(directory: str | Path, search: Search) -> AnalystNtuples:
    """Read and check every tree the manifest of ``directory`` lists, for ``search``."""
    folder = Path(directory)
    manifest = read_manifest(folder)
    if manifest.search != search.name:
        raise InputFileError(f"{folder / MANIFEST} is written for search '{manifest.search}', "
                             f"not '{search.name}'")
    names = [c.name for c in search.channels]
    parts: dict[tuple[str, str], list[tuple[Entry, dict[str, np.ndarray], np.ndarray]]] = {}
    specs: dict[str, SampleSpec] = {}
    data_lumi: dict[str, float] = {}
    for entry in manifest.files:
        channel = _channel(entry, names)
        ch = search.channels[names.index(channel)]
        if entry.role == "data":
            key = "data"
            lum = _luminosity(entry.luminosity or "", f"{entry.where()}: luminosity")
            data_lumi[channel] = data_lumi.get(channel, 0.0) + lum.per_pb
        else:
            key, spec = _sample(entry, search, ch)
            specs[key] = spec
        variables = channel_variables(search, ch, data=entry.role == "data")
        best = ch.best_candidate
        cols, weight = _read_columns(folder / entry.file, entry, variables,
                                     best.expression if isinstance(best, BestCandidate) else None)
        if entry.role == "data" and np.any(weight != 1.0):
            raise InputFileError(f"{entry.where()}: data candidates with __weight__ ≠ 1 "
                                 "(VariablesToNtuple's sampling); observed limits count "
                                 "events, so write the data without sampling")
        parts.setdefault((channel, key), []).append((entry, cols, weight))
    lumi = _data_luminosity(data_lumi, names, folder)
    mc: dict[str, dict[str, Ntuple]] = {}
    data: dict[str, Ntuple] = {}
    for (channel, key), items in parts.items():
        if key == "data":
            data[channel] = _merge("data", "data", items, 1.0, sum(len(w) for _, _, w in items),
                                   SampleMeta("data", kind="ntuple", generator="data"))
            continue
        spec = specs[key]
        sigma, n_gen = _normalisation(items)
        mc.setdefault(channel, {})[key] = _merge(
            key, spec.label, items, sigma, n_gen,
            SampleMeta(spec.process, dict(spec.params), sigma_pb=sigma, n_generated=n_gen,
                       filter=spec.filter_label, kind="ntuple", generator="analyst ntuples"))
    return AnalystNtuples(folder, mc, data, lumi, tuple(dict.fromkeys(
        e.file for e in manifest.files)), manifest.note)


def _sample(entry: Entry, search: Search, channel: Channel) -> tuple[str, SampleSpec]:
    """The sample id (as the runner names it) and the sample an MC entry stands for."""
    point: dict[str, float] | None = None
    if entry.role == "background":
        backgrounds = {b.id: b for b in search.backgrounds}
        if entry.sample not in backgrounds:
            raise InputFileError(f"{entry.where()}: unknown background sample "
                                 f"'{entry.sample}' of {search.name}; its samples: "
                                 f"{', '.join(backgrounds)}")
        spec = backgrounds[entry.sample]
    else:
        point, axes = entry.point or {}, [a.name for a in search.axes]
        if sorted(point) != sorted(axes):
            raise InputFileError(f"{entry.where()}: a signal point gives the axes "
                                 f"{', '.join(axes)} of {search.name}, got "
                                 f"{', '.join(sorted(point)) or 'none'}")
        spec = search.signal.sample_for(channel.name)
        grid = search.signal.points(False) + search.signal.points(True)
        if sample_id(spec, point) not in {sample_id(spec, search.signal.source(p))
                                          for p in grid}:
            raise InputFileError(
                f"{entry.where()}: {sample_id(spec, point).split('@')[1]} is not a point of "
                f"the signal grid of {search.name} (" + "; ".join(
                    f"{a.name}: {', '.join(f'{v:g}' for v in a.values)}"
                    for a in search.axes) + ")")
    if entry.training:
        if not is_training(search, channel):
            raise InputFileError(f"{entry.where()}: channel '{channel.name}' of {search.name} "
                                 "uses no training samples; drop 'training'")
        spec = training_copy(spec)
    return sample_id(spec, point), spec


def _channel(entry: Entry, names: list[str]) -> str:
    if entry.channel is None:
        if len(names) > 1:
            raise InputFileError(f"{entry.where()}: the search has channels "
                                 f"{', '.join(names)}; say which with 'channel'")
        return names[0]
    if entry.channel not in names:
        raise InputFileError(f"{entry.where()}: unknown channel '{entry.channel}'; the "
                             f"search's channels: {', '.join(names)}")
    return entry.channel


def _data_luminosity(per_channel: dict[str, float], names: list[str], folder: Path
                     ) -> Luminosity:
    """The one data luminosity every channel sees."""
    missing = [n for n in names if n not in per_channel]
    if missing:
        raise InputFileError(f"{folder / MANIFEST} gives no data for channel(s) "
                             f"{', '.join(missing)}: observed limits need the data "
                             "(role 'data', with its luminosity)")
    values = sorted(per_channel.items(), key=lambda kv: kv[1])
    (lo_name, lo), (hi_name, hi) = values[0], values[-1]
    if not _same(lo, hi):
        raise InputFileError(
            f"{folder / MANIFEST}: inconsistent data luminosities, "
            f"{Luminosity(lo)} in channel '{lo_name}' and {Luminosity(hi)} in '{hi_name}'; "
            "every channel reads the same data, so their files' luminosities must add up to "
            "the same total")
    return Luminosity(hi)


def _normalisation(items: list[tuple[Entry, dict[str, np.ndarray], np.ndarray]]
                   ) -> tuple[float, int]:
    """σ (pb) and the generated events of a sample split over entries."""
    sigmas = [float(e.sigma_pb or 0.0) for e, _, _ in items]
    if not all(_same(s, sigmas[0]) for s in sigmas):
        raise InputFileError(f"sample split over {', '.join(e.where() for e, _, _ in items)} "
                             f"has different cross sections {sigmas} pb; one sample has one σ")
    n_gen = 0
    for e, _, _ in items:
        if e.n_generated is not None:
            n_gen += e.n_generated
        else:
            lum = _luminosity(e.mc_luminosity or "", f"{e.where()}: mc_luminosity")
            n_gen += max(1, round(lum.per_pb * sigmas[0]))
    return sigmas[0], n_gen


def _merge(key: str, label: str, items: list[tuple[Entry, dict[str, np.ndarray], np.ndarray]],
           sigma: float, n_gen: int, meta: SampleMeta) -> Ntuple:
    cols = {c: np.concatenate([cols[c] for _, cols, _ in items]) for c in items[0][1]}
    weight = np.concatenate([w for _, _, w in items])
    return Ntuple(key, label, cols, weight, sigma, n_gen, meta)


# --------------------------------------------------------------------------- template
def template(search: Search, *, quick: bool = False) -> dict[str, Any]:
    """A manifest to fill in (σ and generated events left as null), one entry per tree the
    search reads: every background and signal point per channel (and the training copies
    where a channel needs them), and the data."""
    several = len(search.channels) > 1
    files: list[dict[str, Any]] = []
    for ch in search.channels:
        tree = {"tree": ch.name, **({"channel": ch.name} if several else {})}
        copies = (False, True) if is_training(search, ch) else (False,)
        for training in copies:
            extra = {"training": True} if training else {}
            suffix = f"_{TRAINING}" if training else ""
            for b in search.backgrounds:
                files.append({"file": f"{b.id}{suffix}.root", **tree, "role": "background",
                              "sample": b.id, **extra, "sigma_pb": None, "n_generated": None})
            spec = search.signal.sample_for(ch.name)
            for p in simulated_points(search, ch, search.signal.points(quick)):
                name = "_".join(f"{k}{v:g}" for k, v in p.items())
                files.append({"file": f"{spec.id}_{name}{suffix}.root", **tree,
                              "role": "signal", "point": p, **extra, "sigma_pb": None,
                              "n_generated": None})
        files.append({"file": "data.root", **tree, "role": "data",
                      "luminosity": search.default_lumi})
    return {"format": FORMAT, "search": search.name, "files": files}


def basf2_name(variable: str) -> str | None:
    """The basf2 name of a darkscan variable, or None where the alias table has none (a
    trigger bit, a truth column, a darkscan-only quantity): the analyst then defines a basf2
    alias with darkscan's name (``variables.addAlias``)."""
    name = to_basf2(variable)
    try:
        return name if to_darkscan(name) == variable else None
    except ParameterError:
        return None


def variables_table(search: Search) -> list[tuple[str, str, str | None, str]]:
    """(channel, darkscan variable, basf2 name or None, ROOT branch) of every variable the
    search's trees must hold: the list for the steering file's VariablesToNtuple."""
    rows = []
    for ch in search.channels:
        for v in channel_variables(search, ch):
            basf2 = basf2_name(v)
            rows.append((ch.name, v, basf2, root_branch(basf2) if basf2 is not None else v))
    return rows
