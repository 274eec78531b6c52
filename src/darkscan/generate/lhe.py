"""Les Houches Event files (hep-ph/0609017) in and out, through pylhe: darkscan's truth events
for other tools, and other generators' events for darkscan's detector simulation.

Writing: the beams (status 4 in darkscan's record) are the incoming particles (−1), decayed
particles are intermediate (2), final-state particles outgoing (1); mothers become LHE's
1-based indices, and particles without a mother point at both beams. Momenta are in the lab
frame, as darkscan keeps them (SuperKEKB's asymmetric, crossing beams), so the beam energies
in the init block are the nominal ones of the sample's experiment. LHE has no vertices: a
particle's ``lifetime`` field (VTIMUP, cτ in mm) is its proper decay length when the record
lets it be computed from the vertices of its daughters, else 0. Unweighted samples are written
with IDWTUP = 3 (every weight σ), weighted ones with IDWTUP = 4 (σ · w / ⟨w⟩).

Reading gives a :class:`~darkscan.events.Sample` whose particles are at the origin (LHE keeps
no vertices; the detector simulation draws its own luminous region only for its own
generators, so the vertices stay at 0): the cross section from the init block, the process
name ``lhe:<file name>``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import awkward as ak
import numpy as np
import pylhe

from darkscan.errors import InputFileError
from darkscan.events import Sample, SampleMeta, make_truth_events
from darkscan.physics.experiment import get_experiment

#: darkscan status → LHE ISTUP
_LHE_STATUS = {4: -1, 2: 2, 1: 1}
#: LHE SPINUP "unknown or unpolarised"
_NO_SPIN = 9.0


def write_lhe(sample: Sample, path: str | Path) -> Path:
    """Write ``sample``'s truth events to ``path`` (``.lhe``, or ``.lhe.gz`` compressed)."""
    path = Path(path)
    meta = sample.meta
    exp = get_experiment(meta.experiment)
    weights = np.asarray(sample.weight, float)
    unweighted = bool(np.all(weights == 1.0))
    init = pylhe.LHEInit(
        initInfo=pylhe.LHEInitInfo(beamA=11, beamB=-11, energyA=exp.e_her, energyB=exp.e_ler,
                                   PDFgroupA=0, PDFgroupB=0, PDFsetA=0, PDFsetB=0,
                                   weightingStrategy=3 if unweighted else 4, numProcesses=1),
        procInfo=[pylhe.LHEProcInfo(xSection=meta.sigma_pb, error=meta.error_pb,
                                    unitWeight=meta.sigma_pb, procId=1)],
        generators=[])
    event_weights = meta.sigma_pb * weights / (weights.mean() if len(weights) else 1.0)
    lhe = pylhe.LHEFile(init=init, events=_events(sample, event_weights),
                        comment=f"darkscan {meta.darkscan_version}: {meta.process} "
                                f"{meta.params}, seed {meta.seed}, filter "
                                f"{meta.filter or 'none'}; lab frame, {exp.name} beams")
    lhe.tofile(str(path))  # pylhe picks plain or gzip from the suffix
    return path


def _events(sample: Sample, weights: np.ndarray) -> Iterator[pylhe.LHEEvent]:
    """pylhe's event objects, made one at a time as the writer asks for them (pylhe's model
    is one Python object per particle: this is file I/O, not a physics loop)."""
    p = sample.particles
    cols = {f: ak.to_numpy(ak.flatten(p[f])) for f in p.fields}
    counts = ak.to_numpy(ak.num(p))
    starts = np.concatenate([[0], np.cumsum(counts)])
    proper = _proper_lengths_mm(cols, counts)
    for i in range(len(counts)):
        a, b = starts[i], starts[i + 1]
        beams = np.flatnonzero(cols["status"][a:b] == 4) + 1
        particles = []
        for j in range(a, b):
            status = _LHE_STATUS.get(int(cols["status"][j]), 1)
            mother = int(cols["mother"][j])
            m1, m2 = ((0, 0) if status == -1 else (mother + 1, mother + 1) if mother >= 0
                      else (int(beams[0]), int(beams[-1])) if beams.size else (0, 0))
            e, px, py, pz = (float(cols[k][j]) for k in ("E", "px", "py", "pz"))
            mass = float(np.sqrt(max(e * e - px * px - py * py - pz * pz, 0.0)))
            particles.append(pylhe.LHEParticle(
                id=int(cols["pdg"][j]), status=status, mother1=m1, mother2=m2, color1=0,
                color2=0, px=px, py=py, pz=pz, e=e, m=mass, lifetime=float(proper[j]),
                spin=_NO_SPIN))
        yield pylhe.LHEEvent(pylhe.LHEEventInfo(nparticles=len(particles), pid=1,
                                                weight=float(weights[i]), scale=0.0,
                                                aqed=-1.0, aqcd=-1.0), particles)


def _proper_lengths_mm(cols: dict[str, np.ndarray], counts: np.ndarray) -> np.ndarray:
    """cτ (mm) of every particle with daughters: the distance to its first daughter's vertex
    × m / |p| (0 where the daughters start where it was made: prompt, or no vertex kept)."""
    n = len(cols["pdg"])
    starts = np.repeat(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    child = np.flatnonzero(cols["mother"] >= 0)
    first = np.full(n, n)
    np.minimum.at(first, starts[child] + cols["mother"][child], child)
    idx = np.flatnonzero(first < n)
    d = first[idx]
    dist = np.sqrt(sum((cols[v][d] - cols[v][idx]) ** 2 for v in ("vx", "vy", "vz")))
    p = np.sqrt(sum(cols[k][idx] ** 2 for k in ("px", "py", "pz")))
    m = np.sqrt(np.maximum(cols["E"][idx] ** 2 - p**2, 0.0))
    out = np.zeros(n)
    out[idx] = 10.0 * dist * m / np.where(p > 0, p, np.inf)  # cm → mm
    return out


def read_lhe(path: str | Path) -> Sample:
    """Events of an LHE file as a darkscan truth sample (see the module docstring)."""
    path = Path(path)
    try:
        lhe = pylhe.LHEFile.fromfile(str(path))
        arr = pylhe.to_awkward(lhe.events)
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise InputFileError(f"cannot read '{path}' as a Les Houches Event file ({exc}); give a "
                         ".lhe or .lhe.gz file written by a generator") from None
    if len(arr) == 0:
        raise InputFileError(f"'{path}' holds no events")
    proc = lhe.init.procInfo[0] if lhe.init.procInfo else None
    parts = arr.particles
    counts = ak.to_numpy(ak.num(parts))
    flat = {k: ak.to_numpy(ak.flatten(parts[k])) for k in ("id", "status", "mother1",
                                                             "mother2")}
    vec = {k: ak.to_numpy(ak.flatten(parts.vector[k])) for k in ("px", "py", "pz", "e")}
    status = np.select([flat["status"] == -1, flat["status"] == 2], [4, 2], 1)
    # "made by the collision" (no mother, or both beams as mothers: LHE's 1 2) is darkscan's
    # −1; a single mother, a beam included (radiation off it), is kept
    orphan = (flat["mother1"] <= 0) | (flat["mother1"] != flat["mother2"])
    mother = np.where(orphan, -1, flat["mother1"] - 1)
    weight = ak.to_numpy(arr.eventinfo.weight).astype(float)
    sigma = float(proc.xSection) if proc is not None else float("nan")
    meta = SampleMeta(process=f"lhe:{path.name}", sigma_pb=sigma,
                      error_pb=float(proc.error) if proc is not None else float("nan"),
                      n_generated=len(counts), generator="lhe",
                      extra={"source": str(path), "vertices": "none in LHE: at the origin"})
    events = make_truth_events(counts, weight / weight.mean(), pdg=flat["id"],
                               px=vec["px"], py=vec["py"], pz=vec["pz"], E=vec["e"],
                               mother=mother, status=status)
    return Sample(events, meta)
