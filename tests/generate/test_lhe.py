"""Les Houches Event files: darkscan's truth events written through pylhe read back the same,
a displaced decay's cτ lands in VTIMUP, and ``generate --lhe`` / ``simulate FILE.lhe`` work."""

from __future__ import annotations

import contextlib
import io

import awkward as ak
import numpy as np
import pylhe
import pytest

from darkscan import cli
from darkscan.errors import InputFileError
from darkscan.events import Sample, SampleMeta, make_truth_events, read_sample
from darkscan.generate import generate
from darkscan.generate.lhe import read_lhe, write_lhe


def _flat(sample: Sample, field: str) -> np.ndarray:
    return ak.to_numpy(ak.flatten(sample.particles[field]))


@pytest.mark.parametrize("name", ["z.lhe", "z.lhe.gz"])
def test_round_trip_keeps_the_record(tmp_path, name: str) -> None:  # type: ignore[no-untyped-def]
    sample = generate("ee_mumu_zprime", 200, seed=3, mass=1.0)
    path = write_lhe(sample, tmp_path / name)
    back = read_lhe(path)
    assert len(back) == 200 and back.meta.sigma_pb == pytest.approx(sample.meta.sigma_pb,
                                                                     rel=1e-7)
    for field in ("pdg", "status", "mother"):
        np.testing.assert_array_equal(_flat(back, field), _flat(sample, field))
    for field in ("px", "py", "pz", "E"):
        np.testing.assert_allclose(_flat(back, field), _flat(sample, field), rtol=1e-7,
                                   atol=1e-9)
    # pylhe's own reading: LHE statuses, beams first, unit-weight strategy, σ per event
    lhe = pylhe.LHEFile.fromfile(str(path))
    assert lhe.init.initInfo.weightingStrategy == 3
    assert lhe.init.initInfo.energyA == pytest.approx(7.004)
    first = next(iter(lhe.events))
    assert [p.status for p in first.particles[:2]] == [-1, -1]
    assert first.eventinfo.weight == pytest.approx(sample.meta.sigma_pb, rel=1e-9)


def test_a_displaced_decay_carries_its_proper_length(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a 1 GeV particle with |p| = 2 GeV decaying 3 cm away: cτ = 3 cm · m/p = 15 mm
    p = 2.0
    e = np.hypot(p, 1.0)
    events = make_truth_events(
        np.array([3]), np.array([1.0]), pdg=np.array([4900023, 13, -13]),
        px=np.array([p, 1.0, 1.0]), py=np.array([0.0, 0.3, -0.3]), pz=np.zeros(3),
        E=np.array([e, 1.1, 1.1]), vx=np.array([0.0, 3.0, 3.0]), vy=np.zeros(3),
        vz=np.zeros(3), mother=np.array([-1, 0, 0]), status=np.array([2, 1, 1]))
    sample = Sample(events, SampleMeta(process="toy", sigma_pb=1.0, n_generated=1))
    write_lhe(sample, tmp_path / "llp.lhe")
    parts = next(iter(pylhe.LHEFile.fromfile(str(tmp_path / "llp.lhe")).events)).particles
    assert parts[0].lifetime == pytest.approx(15.0, rel=1e-4)
    assert parts[1].lifetime == 0.0 and (parts[1].mother1, parts[1].mother2) == (1, 1)


def test_a_file_that_is_not_lhe_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.lhe"
    bad.write_text("not an LHE file")
    with pytest.raises(InputFileError, match="Les Houches"):
        read_lhe(bad)


def _invoke(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.run_cli(list(args))
    return code, err.getvalue()


def test_generate_writes_lhe_and_simulate_reads_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pq, lhe, reco = tmp_path / "mumu.parquet", tmp_path / "mumu.lhe.gz", tmp_path / "r.parquet"
    assert _invoke("generate", "ee_mumu", "-n", "300", "-o", str(pq), "--lhe", str(lhe),
                   "--workers", "1") == (0, "")
    assert read_lhe(lhe).meta.sigma_pb == pytest.approx(read_sample(pq).meta.sigma_pb,
                                                        rel=1e-7)
    assert _invoke("simulate", str(lhe), "-o", str(reco)) == (0, "")
    ntuple = read_sample(reco)
    assert ntuple.meta.kind == "ntuple" and 150 < len(ntuple) <= 300  # μμ in the acceptance
    text = tmp_path / "x.lhe"
    text.write_bytes(b"PAR1")
    code, err = _invoke("simulate", str(text), "-o", str(reco))
    assert code == 2 and "is not an LHE file" in err
