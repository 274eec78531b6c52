from pathlib import Path

import awkward as ak
import numpy as np
import pytest

from darkscan.errors import InputFileError
from darkscan.events import (
    PARTICLE_FIELDS,
    Sample,
    SampleMeta,
    make_truth_events,
    read_sample,
    write_sample,
)


def _sample() -> Sample:
    rng = np.random.default_rng(1)
    counts = np.array([2, 3, 1])
    n = counts.sum()
    cols = {f: rng.normal(size=n) for f in ("px", "py", "pz", "E", "vx", "vy", "vz", "t")}
    ev = make_truth_events(counts, np.array([1.0, 0.5, 2.0]), pdg=np.array([13, -13, 22, 11, -11,
                                                                              22]),
                           mother=np.array([-1, -1, -1, 2, 2, -1]),
                           status=np.array([1, 1, 2, 1, 1, 1]), **cols)
    meta = SampleMeta("ee_mumu", {"mass": 1.5}, sigma_pb=1148.0, error_pb=2.0,
                      filter="none", seed=7, n_generated=3)
    return Sample(ev, meta)


def test_parquet_round_trip_preserves_everything(tmp_path: Path) -> None:
    s = _sample()
    path = write_sample(s, tmp_path / "a.parquet")
    r = read_sample(path)
    assert r.meta == s.meta
    assert ak.fields(r.particles) == list(PARTICLE_FIELDS)
    assert ak.to_list(r.events) == ak.to_list(s.events)
    assert r.particles.pdg.type.content.content.primitive == "int32"
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left behind


def test_luminosity_equivalent() -> None:
    assert _sample().meta.mc_luminosity_per_pb == pytest.approx(3 / 1148.0)


def test_missing_file_and_foreign_parquet(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        read_sample(tmp_path / "nope.parquet")
    ak.to_parquet(ak.Array({"x": [1, 2]}), tmp_path / "foreign.parquet")
    with pytest.raises(InputFileError, match="no darkscan metadata"):
        read_sample(tmp_path / "foreign.parquet")


def test_missing_particle_column_is_named() -> None:
    with pytest.raises(ValueError, match="'pdg'"):
        make_truth_events(np.array([1]), np.ones(1), px=np.zeros(1), py=np.zeros(1),
                          pz=np.zeros(1), E=np.ones(1))
