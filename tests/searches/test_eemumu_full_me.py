"""The full matrix element's e⁺e⁻μ⁺μ⁻ where Z′ → invisible looks: the full/EPA table in
M²_recoil, the per-event weights it gives the EPA sample, and the sample layer applying them."""

from __future__ import annotations

import awkward as ak
import numpy as np
import pytest

from darkscan.errors import ParameterError
from darkscan.physics import BELLE2
from darkscan.searches import eemumu_full_me as full_me


def _bin(lo: float) -> int:
    return list(full_me.table()["edges"]).index(lo)


#: the |cos θ*_recoil| bins: central, outer
CENTRAL, OUTER = 0, 1


def test_the_stored_table_says_where_the_epa_fails() -> None:
    t = full_me.table()
    edges = np.asarray(t["edges"])
    assert t["edges"] == list(full_me.EDGES) and t["cos_edges"] == list(full_me.COS_EDGES)
    assert np.all(np.diff(edges) > 0)
    ratio, err = np.asarray(t["ratio"]), np.asarray(t["ratio_error"])
    assert ratio.shape == (2, len(edges) - 1)
    # the two agree within ~20% where the muon pair takes most of the energy (M²_rec < 60)...
    for lo in (32.0, 40.0, 48.0, 52.0, 56.0):
        assert 0.75 < ratio[OUTER, _bin(lo)] < 1.2, lo
    # ...and the full one is ever larger at the high-recoil end (8 GeV: M² = 64), more so for
    # a central recoil
    high = [ratio[OUTER, _bin(lo)] for lo in (60.0, 64.0, 68.0, 72.0, 76.0, 80.0)]
    assert np.all(np.diff(high) > 0) and 1.4 < ratio[OUTER, _bin(64.0)] < 1.8
    assert np.all(err[OUTER, _bin(40.0):_bin(80.0)] < 0.1 * ratio[OUTER, _bin(40.0):_bin(80.0)])
    assert ratio[CENTRAL, _bin(72.0)] > ratio[OUTER, _bin(72.0)] + 2 * np.hypot(
        err[CENTRAL, _bin(72.0)], err[OUTER, _bin(72.0)])
    # a cell without EPA events, or with one or two (a ratio in the thousands ± 100%), weighs
    # nothing up; the others weigh their ratio
    w = full_me.bin_weights()
    assert t["epa"][CENTRAL][-1] == 0.0 and w[CENTRAL, -1] == 1.0
    assert err[CENTRAL, _bin(80.0)] > 0.5 * ratio[CENTRAL, _bin(80.0)]
    assert w[CENTRAL, _bin(80.0)] == 1.0
    assert w[OUTER, _bin(64.0)] == ratio[OUTER, _bin(64.0)]
    assert w[CENTRAL, _bin(76.0)] == ratio[CENTRAL, _bin(76.0)] > 20.0


def _events(m2_recoil: list[float]) -> ak.Array:
    """Events of two electrons and a μ⁺μ⁻ pair whose recoil against the nominal beams has the
    given M²: the pair along z, its energy found by bisection (the recoil mass falls with it);
    only the pair's summed four-momentum matters."""
    big = BELLE2.p4_total
    events = []
    for m2 in m2_recoil:
        def recoil_m2(e: float) -> float:
            return (big[3] - e) ** 2 - big[0] ** 2 - big[1] ** 2 - (big[2] - np.sqrt(e * e - 1))**2

        lo, hi = 1.0001, 6.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if recoil_m2(mid) > m2 else (lo, mid)
        e, pz = lo, np.sqrt(lo * lo - 1.0)
        events.append([
            {"pdg": 13, "px": 0.3, "py": 0.0, "pz": 0.5 * pz, "E": 0.5 * e, "status": 1},
            {"pdg": -13, "px": -0.3, "py": 0.0, "pz": 0.5 * pz, "E": 0.5 * e, "status": 1},
            {"pdg": 11, "px": 0.0, "py": 0.0, "pz": 3.0, "E": 3.0, "status": 1},
            {"pdg": -11, "px": 0.0, "py": 0.0, "pz": -2.0, "E": 2.0, "status": 1}])
    return ak.Array(events)


def test_each_event_weighs_its_cells_ratio() -> None:
    ratio = full_me.bin_weights()
    m2 = [45.0, 62.0, 66.0, 70.0, 74.0]
    parts = _events(m2)
    # the pairs run along z: their recoils' CMS polar angles are far from 90°
    mu = parts[abs(parts.pdg) == 13]
    pair = np.stack([ak.to_numpy(ak.sum(mu[c], axis=1)) for c in ("px", "py", "pz", "E")], -1)
    cms = BELLE2.to_cms(BELLE2.p4_total - pair)
    assert np.all(np.abs(cms[:, 2]) / np.linalg.norm(cms[:, :3], axis=1) > 0.4)
    w = full_me.weights(parts)
    assert np.allclose(w, [ratio[OUTER, _bin(lo)] for lo in (40.0, 60.0, 64.0, 68.0, 72.0)])
    # no muon pair: the recoil is the whole √s, beyond the table: weight 1
    no_pair = ak.Array([[{"pdg": 11, "px": 0.0, "py": 0.0, "pz": 3.0, "E": 3.0, "status": 1}]])
    assert np.allclose(full_me.weights(no_pair), 1.0)


def test_the_table_is_measured_again_within_its_errors() -> None:
    """A small measurement (another seed, 1/40 of the points) against the stored one where the
    stored errors are a few per cent: the pulls within 4 (both errors)."""
    new = full_me.measure(n_points=400_000, n_epa=200_000, seed=3)
    old = full_me.table()
    for lo in (52.0, 56.0, 60.0, 64.0, 68.0, 72.0):
        i = _bin(lo)
        pull = ((new["ratio"][OUTER][i] - old["ratio"][OUTER][i])
                / np.hypot(new["ratio_error"][OUTER][i], old["ratio_error"][OUTER][i]))
        assert abs(pull) < 4.0, (lo, new["ratio"][OUTER][i], old["ratio"][OUTER][i])


def test_a_sample_with_a_truth_weight_says_what_it_is_and_keys_its_cache() -> None:
    from darkscan.searches import get
    from darkscan.searches.samples import ntuple_key
    from darkscan.searches.spec import BestCandidate, SampleSpec

    with pytest.raises(ParameterError, match="weight_label"):
        SampleSpec("x", "ee_eemumu_epa", 10, 10, "x", truth_weight=full_me.weights)
    spec = next(b for b in get("zprime-invisible").backgrounds if b.id == "eemumu")
    assert spec.truth_weight is full_me.weights
    assert full_me.table_digest() in spec.weight_label
    plain = SampleSpec("eemumu", "ee_eemumu_epa", 10, 10, "x", params={"pt_pair_min": 0.75})
    key = dict(params={"pt_pair_min": 0.75}, decay="vpho -> mu+ mu-",
               best=BestCandidate("pt_cms", True), columns=("m2_recoil",), n=10, seed=1)
    assert ntuple_key(spec, **key) != ntuple_key(plain, **key)


def test_the_sample_layer_applies_the_weight() -> None:
    from darkscan.generate import get_process, resolve_params
    from darkscan.run.chunks import plan_chunks
    from darkscan.searches.samples import NtupleTask, ntuple_kernel
    from darkscan.searches.spec import BestCandidate, SampleSpec

    def doubled(particles: ak.Array) -> np.ndarray:
        return np.full(len(particles), 2.0)

    base = SampleSpec("mm", "ee_mumu", 400, 400, "μμ")
    weighted = SampleSpec("mm", "ee_mumu", 400, 400, "μμ", truth_weight=doubled,
                          weight_label="× 2")
    out = []
    for spec in (base, weighted):
        params = resolve_params(get_process(spec.process), dict(spec.params))
        task = NtupleTask("mm", spec, params, "vpho -> mu+ mu-", BestCandidate("M", True),
                          ("M",), plan_chunks(400, 400, 1)[0], (), None, "k")
        out.append(ntuple_kernel(task).events)
    assert len(out[0]) == len(out[1]) > 100
    assert np.allclose(np.asarray(out[1]["weight"]), 2.0 * np.asarray(out[0]["weight"]))
    assert np.allclose(np.asarray(out[0]["M"]), np.asarray(out[1]["M"]))
