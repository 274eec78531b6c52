"""``darkscan run SEARCH --ntuples DIR`` on a toy search (e⁺e⁻ → μ⁺μ⁻Z′(→ inv.) over μ⁺μ⁻(γ),
recoil-mass windows): darkscan's simulated ntuples exported as basf2-named ROOT files give the
direct run's expected limits back; observed limits follow the data; every bad input is one
error line with exit code 2."""

from __future__ import annotations

import contextlib
import csv
import importlib.machinery
import io
import json
import re
import shutil
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import uproot

from darkscan import cli
from darkscan.errors import InputFileError
from darkscan.reco.aliases import to_basf2
from darkscan.searches.extraction import (
    Counts,
    CountWindows,
    CutAndCount,
    EllipticalWindows,
    ExtractionInput,
    Selected,
    SlidingFit,
    TemplateFit,
)
from darkscan.searches.ntuples import (
    MANIFEST,
    basf2_name,
    channel_variables,
    load_ntuples,
    root_branch,
    template,
)
from darkscan.searches.ntuples_export import export_ntuples, write_root
from darkscan.searches.runner import run_search
from darkscan.searches.spec import (
    Axis,
    BestCandidate,
    Channel,
    Inference,
    SampleSpec,
    Search,
    SignalGrid,
)

TOY = Search(
    name="toy-ntuples", title="toy", references=("none",),
    signal=SignalGrid(SampleSpec("zp", "ee_mumu_zprime", 1000, 1000, "Z′",
                                 params={"gprime": 0.01}),
                      axes=(Axis("mass", (2.0, 5.0, 7.0), (2.0, 6.0), "$M$"),)),
    backgrounds=(SampleSpec("mumu", "ee_mumu", 4000, 4000, "μμ(γ)"),),
    channels=(Channel("mumu", "vpho -> mu+:all mu-:all", BestCandidate("pt_cms"),
                      ("n_tracks == 2", "dau0_muonID > 0.9 and dau1_muonID > 0.9")),),
    extraction=CountWindows("m_recoil", "$M_{\\mathrm{recoil}}$ [GeV]", "GeV",
                            range=(0.0, 10.0)),
    inference=Inference(cl=0.9), default_lumi="10/pb", quantity_label="σ × B")
MUON_ID = "dau0_muonID"
BANDS = ["sigma_ul_exp", "sigma_ul_exp_m2", "sigma_ul_exp_m1", "sigma_ul_exp_p1",
         "sigma_ul_exp_p2"]


@pytest.fixture(scope="module")
def registered() -> Iterator[None]:
    """The toy as a search the CLI knows."""
    import darkscan.searches as searches

    module = types.ModuleType("toy_ntuples_search")
    module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None)
    module.SEARCH = TOY  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    searches.SEARCHES[TOY.name] = searches.SearchInfo(TOY.name, "toy", module.__name__)
    yield
    del searches.SEARCHES[TOY.name], sys.modules[module.__name__]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The direct (simulated) quick run, its export, and the run on the export."""
    root = tmp_path_factory.mktemp("ntuples")
    direct = root / "direct"
    run_search(TOY, out_dir=direct, quick=True, seed=3, report=False)
    exported = root / "exported"
    export_ntuples(TOY, exported, quick=True, seed=3, cache=direct / ".cache")
    on_ntuples = root / "on_ntuples"
    run_search(TOY, out_dir=on_ntuples, quick=True, ntuples=load_ntuples(exported, TOY),
               report=False)
    return {"direct": direct, "exported": exported, "on_ntuples": on_ntuples, "root": root}


def _limits(folder: Path) -> dict[str, np.ndarray]:
    return _table(folder, "limits.csv")


def _invoke(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.run_cli(list(args))
    return code, stdout.getvalue(), stderr.getvalue()


def _one_error(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def _copy(runs: dict[str, Path], name: str) -> Path:
    dst = runs["root"] / name
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(runs["exported"], dst, ignore=shutil.ignore_patterns(".cache"))
    return dst


def _edit_manifest(folder: Path, edit: types.FunctionType) -> None:
    path = folder / MANIFEST
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


# ------------------------------------------------------------------ closure and data
def _table(folder: Path, name: str) -> dict[str, np.ndarray]:
    with (folder / name).open() as fh:
        rows = list(csv.DictReader(fh))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def test_exported_ntuples_give_the_direct_runs_expected_limits(runs: dict[str, Path]) -> None:
    direct, mine = _table(runs["direct"], "signal.csv"), _table(runs["on_ntuples"], "signal.csv")
    np.testing.assert_array_equal(mine["mass"], [2.0, 6.0])
    # what the MC decides (efficiency, windows, background and its MC uncertainty, the
    # signal's σ) is the same to rounding: the same candidates, the same normalisation
    for col in ("efficiency", "resolution", "peak", "sigma_signal_ref_pb", "window_lo",
                "window_hi", "bkg", "bkg_unc", "bkg_mc_events"):
        np.testing.assert_allclose(mine[col], direct[col], rtol=1e-5, err_msg=col)
    assert np.all(direct["bkg"] > 0) and np.all(direct["efficiency"] > 0.3)
    # the expected bands are the simulation's (Asimov counts n = b), so the direct run's
    # whatever the data; the observed limits count the data
    from darkscan.stats import upper_limits

    lim = upper_limits(mine["n_obs"], direct["bkg"], bkg_unc=direct["bkg_unc"],
                       eff=direct["efficiency"], cl=0.9, method="cls", lumi=10.0)
    got, direct_limits = _limits(runs["on_ntuples"]), _limits(runs["direct"])
    for band in BANDS:
        np.testing.assert_allclose(got[band], direct_limits[band], rtol=1e-5, err_msg=band)
    np.testing.assert_allclose(got["sigma_ul_obs"], lim.observed, rtol=1e-5)
    assert not np.allclose(mine["n_obs"], direct["n_obs"])  # other data, the same bands
    summary = json.loads((runs["on_ntuples"] / "summary.json").read_text())
    assert summary["ntuples"]["data_luminosity"] == "10 pb⁻¹"
    # 5 and 7 GeV are in the full grid only: no signal ntuple, so left out and said so
    assert summary["ntuples"]["points_without_signal"] == ["mass = 5", "mass = 7"]


def test_same_data_counts_give_the_direct_runs_expected_limits(runs: dict[str, Path]) -> None:
    """With the direct run's counts (its pseudo-data put in the data file) every limit,
    expected and observed, is the direct run's."""
    direct = _table(runs["direct"], "signal.csv")
    folder = _copy(runs, "same_counts")
    with uproot.open(folder / "mumu.root") as f:
        names = list(f["mumu"].keys())
    # n_obs events at each window's centre (the windows do not overlap)
    centre = 0.5 * (direct["window_lo"] + direct["window_hi"])
    x = np.repeat(centre, direct["n_obs"].astype(int))
    data = {b: np.ones(len(x)) for b in names}
    data[root_branch(to_basf2("m_recoil"))] = x
    data[root_branch(to_basf2("n_tracks"))] = np.full(len(x), 2.0)
    write_root(folder / "data.root", {"mumu": data})
    out = runs["root"] / "same_counts_out"
    run_search(TOY, out_dir=out, ntuples=load_ntuples(folder, TOY), report=False)
    np.testing.assert_array_equal(_table(out, "signal.csv")["n_obs"], direct["n_obs"])
    for col in (*BANDS, "sigma_ul_obs"):
        np.testing.assert_allclose(_limits(out)[col], _limits(runs["direct"])[col], rtol=1e-5,
                                   err_msg=col)


def test_the_files_hold_basf2_branch_names(runs: dict[str, Path]) -> None:
    with uproot.open(runs["exported"] / "mumu.root") as f:
        branches = set(f["mumu"].keys())
    assert "daughter__bo0__cm__spmuonID__bc" in branches
    assert root_branch(to_basf2("pt_cms")) == "useCMSFrame__bopt__bc"
    assert "__weight__" in branches
    # the best-candidate rule is applied in basf2: its variable is not asked of the trees
    assert "pt_cms" not in channel_variables(TOY, TOY.channels[0])


def test_observed_limits_follow_the_data(runs: dict[str, Path]) -> None:
    folder = _copy(runs, "more_data")
    with uproot.open(folder / "data.root") as f:
        data = f["mumu"].arrays(library="np")
    assert len(data["mRecoil"]) > 20  # ~10 pb⁻¹ of μμ(γ) pass the selection
    # three times the events, the same luminosity
    write_root(folder / "data.root", {"mumu": {k: np.concatenate([v, v, v])
                                               for k, v in data.items()}})
    out = runs["root"] / "more_data_out"
    run_search(TOY, out_dir=out, ntuples=load_ntuples(folder, TOY), report=False)
    before, after = _limits(runs["on_ntuples"]), _limits(out)
    n_before = _table(runs["on_ntuples"], "signal.csv")["n_obs"]
    np.testing.assert_array_equal(_table(out, "signal.csv")["n_obs"], 3 * n_before)
    more = n_before > 0
    assert more.any()
    assert np.all(after["sigma_ul_obs"][more] > 1.3 * before["sigma_ul_obs"][more])
    np.testing.assert_allclose(after["sigma_ul_obs"][~more], before["sigma_ul_obs"][~more])


def test_the_analysts_mc_statistics_are_not_projected(runs: dict[str, Path]) -> None:
    """Data of 4× the search's luminosity: the MC's weights, and its statistical uncertainty,
    grow 4× (a simulated run beyond its luminosity would assume more MC: 2×)."""
    folder = _copy(runs, "more_lumi")

    def more(data: dict) -> None:
        next(e for e in data["files"] if e["role"] == "data")["luminosity"] = "40/pb"
    _edit_manifest(folder, more)
    out = runs["root"] / "more_lumi_out"
    run_search(TOY, out_dir=out, ntuples=load_ntuples(folder, TOY), report=False)
    direct, mine = _table(runs["direct"], "signal.csv"), _table(out, "signal.csv")
    np.testing.assert_allclose(mine["bkg"], 4 * direct["bkg"], rtol=1e-5)
    np.testing.assert_allclose(mine["bkg_unc"], 4 * direct["bkg_unc"], rtol=1e-5)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["luminosity"] == "40 pb⁻¹" and summary["projection"] is None


def test_a_parquet_input_reads_like_root(runs: dict[str, Path]) -> None:
    folder = _copy(runs, "parquet")

    def to_parquet(data: dict) -> None:
        for e in data["files"]:
            src = folder / e["file"]
            if src.suffix == ".root":
                with uproot.open(src) as f:
                    arrays = f[e["tree"]].arrays(library="np")
                pq.write_table(pa.table(arrays), src.with_suffix(".parquet"))
            e["file"] = Path(e["file"]).with_suffix(".parquet").name
    _edit_manifest(folder, to_parquet)
    out = runs["root"] / "parquet_out"
    run_search(TOY, out_dir=out, ntuples=load_ntuples(folder, TOY), report=False)
    np.testing.assert_allclose(_limits(out)["sigma_ul_obs"],
                               _limits(runs["on_ntuples"])["sigma_ul_obs"], rtol=1e-12)


def test_run_with_ntuples_through_the_cli(runs: dict[str, Path], registered: None) -> None:
    out = runs["root"] / "cli_out"
    code, stdout, stderr = _invoke("run", TOY.name, "--ntuples", str(runs["exported"]),
                                   "--out", str(out), "--workers", "1")
    assert code == 0, stderr
    assert "'observed' on the data ntuples" in stdout
    assert "2 grid point(s) have no signal ntuple and are left out" in stdout
    # the export's manifest says its data are pseudo-data, and the run says it on
    note = json.loads((runs["exported"] / MANIFEST).read_text())["note"]
    assert "pseudo-data drawn from darkscan's simulation" in note and "up to 2.88" in note
    assert "note (the ntuples' manifest): written by 'darkscan ntuples export'" in stdout
    assert json.loads((out / "summary.json").read_text())["ntuples"]["note"] == note
    html = (out / "report.html").read_text()
    assert "the 'observed' limits count the data" in html and "pseudo-data" not in html
    np.testing.assert_allclose(_limits(out)["sigma_ul_obs"],
                               _limits(runs["on_ntuples"])["sigma_ul_obs"], rtol=1e-12)


# ------------------------------------------------------------------ user errors: exit 2
def _run_error(runs: dict[str, Path], folder: Path, *extra: str) -> str:
    code, _, stderr = _invoke("run", TOY.name, "--ntuples", str(folder),
                              "--out", str(runs["root"] / "never"), "--workers", "1", *extra)
    assert code == 2
    return _one_error(stderr)


def test_missing_tree_lists_the_trees(runs: dict[str, Path], registered: None) -> None:
    folder = _copy(runs, "bad_tree")

    def rename(data: dict) -> None:
        data["files"][0]["tree"] = "candidates"
    _edit_manifest(folder, rename)
    line = _run_error(runs, folder)
    assert "no tree 'candidates'" in line and "its trees: mumu" in line


@pytest.mark.parametrize("suffix", [".root", ".parquet"])
def test_missing_variable_names_darkscan_and_basf2(runs: dict[str, Path], registered: None,
                                                   suffix: str) -> None:
    folder = _copy(runs, f"no_muon_id{suffix}")
    with uproot.open(folder / "mumu.root") as f:
        arrays = f["mumu"].arrays(library="np")
    del arrays[root_branch(to_basf2(MUON_ID))]
    if suffix == ".root":
        write_root(folder / "mumu.root", {"mumu": arrays})
    else:
        pq.write_table(pa.table(arrays), folder / "mumu.parquet")

        def point_to_parquet(data: dict) -> None:
            for e in data["files"]:
                if e["file"] == "mumu.root":
                    e["file"] = "mumu.parquet"
        _edit_manifest(folder, point_to_parquet)
    line = _run_error(runs, folder)
    assert f"'{MUON_ID}'" in line and "'daughter(0, muonID)'" in line
    assert f"mumu{suffix}" in line


def test_events_with_several_candidates_are_refused(runs: dict[str, Path]) -> None:
    """basf2 writes __ncandidates__: the channel's best-candidate rule was not applied."""
    folder = _copy(runs, "several")
    with uproot.open(folder / "mumu.root") as f:
        arrays = f["mumu"].arrays(library="np")
    n = len(arrays["__weight__"])
    write_root(folder / "mumu.root", {"mumu": arrays | {"__ncandidates__": np.ones(n)}})
    load_ntuples(folder, TOY)  # one candidate per event: fine
    write_root(folder / "mumu.root", {"mumu": arrays | {"__ncandidates__": np.r_[np.ones(n - 1),
                                                                                 2.0]}})
    with pytest.raises(InputFileError, match=r"events with 2 candidates.*best by 'pt_cms'"):
        load_ntuples(folder, TOY)


def test_sampled_data_are_refused(runs: dict[str, Path]) -> None:
    """Data are counted: a candidate standing for several (basf2's sampling) cannot be."""
    folder = _copy(runs, "sampled")
    with uproot.open(folder / "data.root") as f:
        arrays = f["mumu"].arrays(library="np")
    write_root(folder / "data.root", {"mumu": arrays | {"__weight__": np.full(
        len(arrays["mRecoil"]), 10.0)}})
    with pytest.raises(InputFileError, match="without sampling"):
        load_ntuples(folder, TOY)


def test_inconsistent_luminosity(runs: dict[str, Path], registered: None) -> None:
    line = _run_error(runs, runs["exported"], "--lumi", "20/pb")
    assert "differs from the data's luminosity 10 pb⁻¹" in line

    folder = _copy(runs, "no_lumi")

    def drop(data: dict) -> None:
        for e in data["files"]:
            e.pop("luminosity", None)
    _edit_manifest(folder, drop)
    assert "needs its integrated 'luminosity'" in _run_error(runs, folder)

    def negative(data: dict) -> None:
        data["files"][0]["sigma_pb"] = -1.0
    _edit_manifest(folder, negative)
    assert "sigma_pb" in _run_error(runs, folder)


def _set(role: str, **changes: object) -> Callable[[dict], None]:
    def edit(data: dict) -> None:
        next(e for e in data["files"] if e["role"] == role).update(changes)
    return edit


def _drop_data(data: dict) -> None:
    data["files"] = [e for e in data["files"] if e["role"] != "data"]


def _other_search(data: dict) -> None:
    data["search"] = "zprime-invisible"


@pytest.mark.parametrize(("edit", "message"), [
    (_set("background", sample="qq"), "unknown background sample 'qq' of toy-ntuples; its "
                                      "samples: mumu"),
    (_set("signal", point={"mass": 3.0}), "mass=3 is not a point of the signal grid"),
    (_set("signal", point={"gprime": 0.1}), "a signal point gives the axes mass"),
    (_set("signal", training=True), "uses no training samples"),
    (_set("background", channel="ee"), "unknown channel 'ee'"),
    (_set("data", luminosity="ten/pb"), "luminosity"),
    (_set("signal", n_generated=None), "exactly one of n_generated and mc_luminosity"),
    (_set("data", sigma_pb=1.0), "a data entry takes no sigma_pb"),
    (_set("background", file="nothere.root"), "does not exist"),
    (_drop_data, "gives no data for channel(s) mumu"),
    (_other_search, "is written for search 'zprime-invisible'"),
])
def test_manifest_mistakes_are_named(runs: dict[str, Path], edit: Callable[[dict], None],
                                     message: str) -> None:
    folder = _copy(runs, "mistake")
    _edit_manifest(folder, edit)
    with pytest.raises(InputFileError, match=re.escape(message)):
        load_ntuples(folder, TOY)


def test_mc_luminosity_stands_for_the_generated_events(runs: dict[str, Path]) -> None:
    folder = _copy(runs, "mc_lumi")
    manifest = json.loads((folder / MANIFEST).read_text())
    bkg = next(e for e in manifest["files"] if e["role"] == "background")
    _edit_manifest(folder, _set("background", n_generated=None,
                                mc_luminosity=f"{bkg['n_generated'] / bkg['sigma_pb']!r}/pb"))
    assert load_ntuples(folder, TOY).mc["mumu"]["mumu"].n_generated == bkg["n_generated"]


def test_a_sample_split_over_files_has_one_cross_section(runs: dict[str, Path]) -> None:
    """A sample split over two files: generated events add, σ must agree."""
    folder = _copy(runs, "split")

    def split(data: dict) -> None:
        bkg = next(e for e in data["files"] if e["role"] == "background")
        data["files"].append({**bkg, "sigma_pb": bkg["sigma_pb"] * 2})
    _edit_manifest(folder, split)
    with pytest.raises(InputFileError, match="different cross sections"):
        load_ntuples(folder, TOY)


def test_template_lists_samples_points_and_basf2_names(registered: None,
                                                       tmp_path: Path) -> None:
    manifest = template(TOY, quick=True)
    roles = [(e["role"], e.get("sample"), e.get("point")) for e in manifest["files"]]
    assert roles == [("background", "mumu", None), ("signal", None, {"mass": 2.0}),
                     ("signal", None, {"mass": 6.0}), ("data", None, None)]
    code, stdout, stderr = _invoke("ntuples", "template", TOY.name, "--quick", "--json",
                                   "--out", str(tmp_path))
    assert code == 0, stderr
    listed = json.loads(stdout)["variables"]
    assert {"channel": "mumu", "darkscan": MUON_ID, "basf2": "daughter(0, muonID)",
            "branch": "daughter__bo0__cm__spmuonID__bc"} in listed
    # a variable basf2 does not know: the analyst defines an alias with darkscan's name
    assert basf2_name("trg_single_photon") is None
    assert basf2_name("dau1_M_reduced") is None and basf2_name("Mbc") == "Mbc"
    assert json.loads((tmp_path / MANIFEST).read_text()) == manifest
    code, _, stderr = _invoke("ntuples", "template", TOY.name, "--out", str(tmp_path))
    assert code == 2 and "exists already" in _one_error(stderr)


def test_export_through_the_cli_writes_the_same_manifest(runs: dict[str, Path],
                                                         registered: None) -> None:
    out = runs["root"] / "cli_export"
    shutil.copytree(runs["direct"] / ".cache", out / ".cache")  # the simulated samples
    code, stdout, stderr = _invoke("ntuples", "export", TOY.name, str(out), "--quick",
                                   "--seed", "3", "--workers", "1")
    assert code == 0, stderr
    with uproot.open(out / "data.root") as f:
        n_data = f["mumu"].num_entries
    assert f"pseudo-data candidates per channel: mumu {n_data}" in stdout
    # μμ(γ): σ L / N = 1152 pb × 10 pb⁻¹ / 4000 ≈ 2.9 data candidates per simulated event
    assert "stands for up to 2.88 data candidates" in stdout
    assert json.loads((out / MANIFEST).read_text()) == json.loads(
        (runs["exported"] / MANIFEST).read_text())


def test_a_folder_without_manifest_is_one_error(runs: dict[str, Path], registered: None) -> None:
    empty = runs["root"] / "empty"
    empty.mkdir(exist_ok=True)
    assert "has no darkscan-ntuples.json" in _run_error(runs, empty)
    assert "is not a folder" in _run_error(runs, runs["root"] / "nowhere")


def test_training_copies_travel_with_the_ntuples(tmp_path: Path) -> None:
    """A search that chooses its cuts on independent training samples: the export writes
    them (``training: true``), the run on the ntuples makes the same choices."""
    from dataclasses import replace

    from darkscan.searches.extraction import EllipticalWindows
    from darkscan.select.scan import CutGrid

    toy = replace(TOY, name="toy-ntuples-training", extraction=EllipticalWindows(
        "m_recoil", "M", "$M_{recoil}$", "$M$", (0.0, 10.0), (0.0, 11.0),
        optimise=CutGrid((("", "pt_cms > 0.5", "pt_cms > 1.5"),))))
    run_search(toy, out_dir=tmp_path / "direct", quick=True, seed=4, report=False)
    export_ntuples(toy, tmp_path / "nt", quick=True, seed=4, cache=tmp_path / "direct" / ".cache")
    entries = json.loads((tmp_path / "nt" / MANIFEST).read_text())["files"]
    assert sum(e.get("training", False) for e in entries) == 3  # μμ(γ) and two signal points
    run_search(toy, out_dir=tmp_path / "on", ntuples=load_ntuples(tmp_path / "nt", toy),
               report=False)
    direct, mine = _table(tmp_path / "direct", "signal.csv"), _table(tmp_path / "on",
                                                                     "signal.csv")
    for col in ("efficiency", "resolution", "bkg", "bkg_unc", "cuts_choice"):
        np.testing.assert_allclose(mine[col], direct[col], rtol=1e-5, err_msg=col)
    assert np.all(direct["efficiency"] > 0)


# ------------------------------------------------------------------ extractions count the data
def _sel(name: str, values: dict[str, np.ndarray], weight: float, n_gen: int) -> Selected:
    n = len(next(iter(values.values())))
    return Selected(name, name, values, np.full(n, weight), np.ones(n), n_gen, weight)


def _counts(ext: object, sig: Selected, bkg: Selected, observed: Selected, seed: int) -> Counts:
    return ext.extract(ExtractionInput([{"mass": 5.0}], [sig], [bkg], 1.0,  # type: ignore[attr-defined]
                                       np.random.default_rng(seed), observed=observed))


def test_every_extraction_counts_the_data_not_the_pseudo_data() -> None:
    """Given data, the counts no longer depend on the pseudo-data stream: candidates placed
    at the signal peak are all counted, and a signal injected on top of background-like data
    is what the fits find."""
    rng = np.random.default_rng(31)
    sig = _sel("sig", {"M": rng.normal(5.0, 0.1, 4_000), "m_recoil": rng.normal(2.0, 0.2, 4_000)},
               1.0, 4_000)
    bkg = _sel("bkg", {"M": rng.uniform(0, 10, 50_000), "m_recoil": rng.uniform(0, 4, 50_000)},
               0.1, 50_000)
    at_peak = _sel("data", {"M": np.full(37, 5.0), "m_recoil": np.full(37, 2.0)}, 1.0, 37)
    counting = (CountWindows("M", "M", "", (0.0, 10.0)), CutAndCount(("M > 4.5", "M < 5.5")),
                EllipticalWindows("M", "m_recoil", "M", "m_recoil", (0.0, 10.0), (0.0, 4.0)))
    for ext in counting:
        one, other = _counts(ext, sig, bkg, at_peak, 1), _counts(ext, sig, bkg, at_peak, 2)
        assert one.n_obs[0] == other.n_obs[0] == 37, type(ext).__name__
    flat = _sel("data", {"M": rng.uniform(0, 10, 5_000), "m_recoil": rng.uniform(0, 4, 5_000)}, 1.0,
                5_000)
    injected = _sel("data", {k: np.concatenate([v, rng.normal(5.0 if k == "M" else 2.0,
                                                               0.1, 300)])
                             for k, v in flat.values.items()}, 1.0, 5_300)
    for ext in (SlidingFit("M", "M", (0.0, 10.0), width=20.0, background="poly1"),
                TemplateFit("M", "M", (0.0, 10.0), bins=200)):
        base = _counts(ext, sig, bkg, flat, 1)
        assert base.n_obs[0] == _counts(ext, sig, bkg, flat, 2).n_obs[0]
        # the efficiency-corrected fit sees the injected 300 events: n_obs − b ≈ 300 × ε_window
        more = _counts(ext, sig, bkg, injected, 1).n_obs[0] - base.n_obs[0]
        assert more == pytest.approx(300 * base.efficiency[0] / 1.0, rel=0.3), type(ext).__name__


def test_data_split_over_files_add_up_and_channels_must_agree(runs: dict[str, Path]) -> None:
    from darkscan.searches.ntuples import _data_luminosity

    folder = _copy(runs, "split_data")
    with uproot.open(folder / "data.root") as f:
        arrays = f["mumu"].arrays(library="np")
    half = len(arrays["mRecoil"]) // 2
    write_root(folder / "data_a.root", {"mumu": {k: v[:half] for k, v in arrays.items()}})
    write_root(folder / "data_b.root", {"mumu": {k: v[half:] for k, v in arrays.items()}})

    def split(data: dict) -> None:
        whole = next(e for e in data["files"] if e["role"] == "data")
        data["files"].remove(whole)
        data["files"] += [{**whole, "file": "data_a.root", "luminosity": "4/pb"},
                          {**whole, "file": "data_b.root", "luminosity": "6/pb"}]
    _edit_manifest(folder, split)
    loaded = load_ntuples(folder, TOY)
    assert loaded.lumi.per_pb == pytest.approx(10.0)
    assert len(loaded.data["mumu"].weight) == len(arrays["mRecoil"])
    # two channels read the same data: their luminosities must agree
    with pytest.raises(InputFileError, match="inconsistent data luminosities, 10 pb⁻¹ in "
                                             "channel 'fwd' and 20 pb⁻¹ in 'bwd'"):
        _data_luminosity({"fwd": 10.0, "bwd": 20.0}, ["fwd", "bwd"], folder)
