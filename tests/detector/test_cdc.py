"""CDC geometry, hit simulation, reader, Legendre finder and the CAT Finder matching."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from darkscan.cli import run_cli
from darkscan.detector.cdc.digitize import (
    CDC_RESPONSE,
    drift_length,
    drift_time,
    drift_time_from_tdc,
    tdc_from_time,
    time_from_tdc,
)
from darkscan.detector.cdc.evaluate import evaluate, match
from darkscan.detector.cdc.geometry import cdc_geometry
from darkscan.detector.cdc.hits import HIT_COLUMNS, read_hits, simulate_hits, write_table
from darkscan.detector.cdc.legendre import (
    charge_sign,
    find_tracks_legendre,
    fit_circle_robust,
    ip_sense,
    through_ip,
)
from darkscan.detector.cdc.simulate import background_hits, particle_hits
from darkscan.errors import InputFileError


def _particles(pt, phi, q, pz=0.0, r0=0.0, evt=None):
    n = len(pt)
    pt, phi = np.asarray(pt, float), np.asarray(phi, float)
    return {"evt": np.arange(n) if evt is None else np.asarray(evt), "obj": np.zeros(n, int),
            "x": r0 * np.cos(phi), "y": r0 * np.sin(phi), "z": np.zeros(n), "t": np.zeros(n),
            "px": pt * np.cos(phi), "py": pt * np.sin(phi), "pz": np.full(n, pz),
            "q": np.asarray(q, float), "mass": np.full(n, 0.13957), "pdg": np.full(n, 211)}


def test_geometry_is_basf2_cdc():
    g = cdc_geometry()
    assert g.n_wires == 14336
    assert g.radius[0] == pytest.approx(16.8) and g.radius[55] == pytest.approx(111.14)
    assert list(np.bincount(g.superlayer)) == [8, 6, 6, 6, 6, 6, 6, 6, 6]
    # A U A V A U A V A
    signs = [np.sign(g.stereo_angle[g.superlayer == s][0]) for s in range(9)]
    assert signs == [0, 1, 0, -1, 0, 1, 0, -1, 0]
    assert 1000 * g.stereo_angle[20] == pytest.approx(-58.3, abs=0.1)
    x, y = g.wire_at_z(np.array([8]), np.array([3]), np.array([g.z_fwd[8]]))
    _, _, xf, yf = g.wire_ends(np.array([8]), np.array([3]))
    assert (x[0], y[0]) == pytest.approx((xf[0], yf[0]))


def test_xt_and_tdc_round_trip():
    x = np.linspace(0.0, 1.2, 13)
    assert drift_length(drift_time(x)) == pytest.approx(x, abs=1e-9)
    assert drift_time(np.array([0.9]))[0] == pytest.approx(326.25)  # 0.9/0.004 × 1.45
    t = np.array([10.0, 250.0])
    tdc = tdc_from_time(t)
    assert np.all(np.diff(tdc) < 0)  # basf2: the TDC counts down in time
    assert time_from_tdc(tdc) == pytest.approx(t, abs=CDC_RESPONSE.tdc_bin / 2)


def test_radial_track_hits_every_layer_once():
    resp = replace(CDC_RESPONSE, hit_efficiency=1.0)
    p = _particles([5.0], [0.3], [1])
    h = particle_hits(np.random.default_rng(1), p, 1.5, resp=resp)
    g = cdc_geometry()
    assert set(h["clayer"]) == set(range(56))
    assert len(h["clayer"]) < 56 * 1.2  # a stiff radial track: ~one cell per layer
    assert np.all(h["doca"] <= np.hypot(g.half_height, np.pi * g.radius / g.n_cells)[h["clayer"]])
    # the wire hit is the one at the track's azimuth (stereo wires: where they cross z = 0)
    wx, wy = g.wire_at_z(h["clayer"], h["wire"], np.zeros(len(h["wire"])))
    phi_w = np.arctan2(wy, wx)
    r_curv = 5.0 / (0.299792458e-2 * 1.5)
    phi_track = 0.3 - np.arcsin(np.hypot(wx, wy) / (2 * r_curv))  # q = +1 turns clockwise
    assert np.all(np.abs(phi_w - phi_track) < 2 * np.pi / g.n_cells[h["clayer"]])


def test_curler_and_endplate():
    resp = replace(CDC_RESPONSE, hit_efficiency=1.0)
    # p_T = 0.1 GeV: R = 22.2 cm, reaches 44.5 cm (layer 18 at 43.8 cm) and comes back
    h = particle_hits(np.random.default_rng(2), _particles([0.1], [0.0], [-1]), 1.5, resp=resp)
    assert h["clayer"].max() == 18 and np.bincount(h["clayer"])[:8].min() >= 2
    # a forward track (tan λ = 2.5) leaves through the forward endplate at the first layer
    # whose wires end below its z: z = tan λ · s, s = 2R asin(r / 2R) the transverse path
    h = particle_hits(np.random.default_rng(2), _particles([1.0], [0.0], [1], pz=2.5), 1.5,
                      resp=resp)
    g = cdc_geometry()
    r_curv = 1.0 / (0.299792458e-2 * 1.5)
    z = 2.5 * 2 * r_curv * np.arcsin(g.radius / (2 * r_curv))
    first_out = np.flatnonzero(z > g.z_fwd)[0]
    assert 15 < first_out < 40
    assert set(h["clayer"]) == set(range(first_out))


def test_background_occupancy():
    bkg = background_hits(np.random.default_rng(3), 400, 0.01)
    assert len(bkg["event"]) / 400 == pytest.approx(143.4, rel=0.03)
    g = cdc_geometry()
    per_wire = np.bincount(bkg["clayer"], minlength=56) / g.n_cells
    assert per_wire[0] > 3 * per_wire[55]  # ∝ 1/r


def test_table_reader(tmp_path):
    p = _particles([1.0, 0.5], [0.1, 2.0], [1, -1])
    t = simulate_hits(p, 2, np.random.default_rng(4), occupancy=0.005)
    assert set(HIT_COLUMNS) <= set(t)
    assert np.all(np.diff(t["evt_id"]) >= 0)
    assert np.all(t["objidx"][~t["is_signal"]] == -1)
    for name in ("h.parquet", "h.csv"):
        write_table(t, tmp_path / name)
        back = read_hits(tmp_path / name, truth=True)
        assert np.array_equal(back["cdchit_tdc"], t["cdchit_tdc"])
    bad = {k: v for k, v in t.items() if k != "cdchit_adc"}
    write_table(bad, tmp_path / "bad.csv")
    with pytest.raises(InputFileError, match="cdchit_adc"):
        read_hits(tmp_path / "bad.csv")
    assert run_cli(["cdc", "find", str(tmp_path / "bad.csv"), "-o",
                    str(tmp_path / "t.parquet")]) == 2


def test_legendre_finds_prompt_and_displaced_tracks():
    rng = np.random.default_rng(5)
    n = 12
    phi = rng.uniform(-np.pi, np.pi, n)
    q = rng.choice([-1.0, 1.0], n)
    prompt = _particles(rng.uniform(0.4, 2.0, n), phi, q, pz=0.3)
    t = simulate_hits(prompt, n, rng, occupancy=0.0)
    tr = find_tracks_legendre(t)
    s = evaluate(t, tr)["summary"]
    assert s["efficiency"] >= 0.9 and s["fake_rate"] <= 0.1
    # displaced: produced at r = 35 cm, moving outward
    disp = _particles(rng.uniform(0.5, 2.0, n), phi, q, r0=35.0)
    t = simulate_hits(disp, n, rng, occupancy=0.0)
    s = evaluate(t, find_tracks_legendre(t))["summary"]
    assert s["finding_efficiency"] >= 0.75


def test_matching_labels():
    # one event, MC particles 0 (10 hits) and 1 (6 hits), 4 background hits
    obj = np.array([0] * 10 + [1] * 6 + [-1] * 4)
    n = len(obj)
    hits = {"evt_id": np.zeros(n, int), "objidx": obj, "is_signal": obj >= 0,
            "cdchit_mc_charge": np.where(obj == 0, 1.0, -1.0),
            "cdchit_mc_productionvertex_x": np.zeros(n),
            "cdchit_mc_productionvertex_y": np.zeros(n),
            "cdchit_mc_px": np.ones(n), "cdchit_mc_py": np.zeros(n)}
    hl = [np.arange(0, 7), np.array([7, 8, 9, 16]), np.array([10, 11, 12, 13, 14, 15]),
          np.array([16, 17, 18, 19, 0])]
    idx = np.empty(4, dtype=object)
    idx[:] = hl
    tracks = {"evt_id": np.zeros(4, int), "charge": np.array([1, 1, 1, -1]), "hit_index": idx}
    m = match(hits, tracks)
    # track 1: 3/4 of particle 0 (purity 0.75) but less hit efficiency than track 0: a clone;
    # track 2: particle 1 with the wrong charge; track 3: background
    assert list(m["trk_status"]) == ["matched", "clone", "matched", "fake"]
    assert list(m["mc_found"]) == [True, True] and list(m["mc_efficient"]) == [True, False]
    s = evaluate(hits, tracks)["summary"]
    assert (s["efficiency"], s["fake_rate"], s["clone_rate"]) == (0.5, 0.25, 1 / 3)


def test_particles_with_too_few_hits_are_no_mc_tracks():
    # particle 0 has 8 hits, particle 1 only 4 (basf2's MinimalNDF = 5): not an MC track, its
    # hits count as background, and a track on them is a fake
    obj = np.array([0] * 8 + [1] * 4)
    n = len(obj)
    hits = {"evt_id": np.zeros(n, int), "objidx": obj, "is_signal": obj >= 0,
            "cdchit_mc_charge": np.ones(n), "cdchit_mc_productionvertex_x": np.zeros(n),
            "cdchit_mc_productionvertex_y": np.zeros(n), "cdchit_mc_px": np.ones(n),
            "cdchit_mc_py": np.zeros(n)}
    idx = np.empty(2, dtype=object)
    idx[:] = [np.arange(0, 8), np.arange(8, 12)]
    tracks = {"evt_id": np.zeros(2, int), "charge": np.array([1, 1]), "hit_index": idx}
    m = match(hits, tracks)
    assert len(m["mc_found"]) == 1 and list(m["trk_status"]) == ["matched", "fake"]
    assert bool(m["trk_background"][1])


def test_cli_chain(tmp_path, capsys):
    hits, trk, png = (str(tmp_path / n) for n in ("h.parquet", "t.parquet", "e.png"))
    assert run_cli(["cdc", "simulate", "prompt_tracks", "-n", "4", "-o", hits, "--seed", "3"]) == 0
    assert run_cli(["cdc", "find", hits, "-o", trk]) == 0
    shutil.copy(trk, tmp_path / "t2.parquet")
    capsys.readouterr()
    assert run_cli(["cdc", "evaluate", hits, trk, str(tmp_path / "t2.parquet"), "--plot", png,
                    "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert set(res) == {"t", "t2"} and res["t"] == res["t2"]
    s = res["t"]["summary"]
    assert s["n_mc"] > 0 and 0.0 <= s["efficiency"] <= 1.0
    assert (tmp_path / "e.png").stat().st_size > 1000
    assert run_cli(["cdc", "simulate", "nope", "-n", "4", "-o", hits]) == 2
    assert run_cli(["cdc", "find", hits, "-o", trk, "--finder", "hough"]) == 2


def _arc(q: int, rr: float, d0: float, s: np.ndarray, tanl: float, b_ip: float = 0.7):
    """Points at transverse arc lengths s along a circle of radius rr whose point nearest the
    origin lies d0 from it, moving with charge q (angle about the centre decreasing by q s/R)."""
    cx, cy = (rr + d0) * np.cos(b_ip + np.pi), (rr + d0) * np.sin(b_ip + np.pi)
    b = b_ip - q * s / rr
    return (cx, cy, rr), cx + rr * np.cos(b), cy + rr * np.sin(b), tanl * s


def test_ip_sense_tells_a_curlers_charge_from_its_stereo_hits():
    # outgoing and returning half-turns both on the circle: only z(s) knows the sense
    s = np.concatenate([np.linspace(20, 60, 6), np.linspace(150, 230, 8)])
    circle, xs, ys, zs = _arc(+1, 40.0, 0.0, s, tanl=0.4)
    assert ip_sense(-1, circle, xs, ys, zs) == +1
    assert ip_sense(+1, circle, xs, ys, zs) == +1
    circle, xs, ys, zs = _arc(-1, 40.0, 0.0, s, tanl=-0.3)
    assert ip_sense(+1, circle, xs, ys, zs) == -1
    # cannot tell: a flat track, too few hits, a circle far from the IP
    circle, xs, ys, zs = _arc(+1, 40.0, 0.0, s, tanl=0.0)
    assert ip_sense(-1, circle, xs, ys, zs) == -1
    assert ip_sense(-1, circle, xs[:2], ys[:2], zs[:2]) == -1
    circle, xs, ys, zs = _arc(+1, 40.0, 8.0, s, tanl=0.4)
    assert ip_sense(-1, circle, xs, ys, zs) == -1


def test_fit_through_ip_fixes_a_short_arc_and_refuses_a_displaced_one():
    rng = np.random.default_rng(9)
    s = np.linspace(17.0, 38.0, 12)  # two inner superlayers of a 1.5 GeV track
    (cx, cy, rr), x, y, _ = _arc(+1, 333.0, 0.0, s, tanl=0.0)
    da = np.full(len(s), 0.3)
    side = rng.choice([-1.0, 1.0], len(s))
    ux, uy = (x - cx) / rr, (y - cy) / rr
    wx, wy = x + side * da * ux, y + side * da * uy  # wires a drift distance off the track
    fx, fy, fr, rms, miss = through_ip(wx, wy, da)
    assert fr == pytest.approx(333.0, rel=0.02) and rms < 0.01 and miss < 0.01
    assert np.hypot(fx - cx, fy - cy) < 0.03 * rr
    (cx, cy, rr), x, y, _ = _arc(+1, 80.0, 10.0, np.linspace(40.0, 90.0, 12), tanl=0.0)
    *_, rms, miss = through_ip(x, y, np.zeros(12))
    assert rms > 0.3 or miss > 0.5


def test_charge_of_a_short_stiff_displaced_arc():
    # produced at r = 70 cm, 3 GeV: a 40 cm arc whose 3 mm sagitta is below the drift distances;
    # the circle fit must still find the side it bends to (39% right before the parabola start)
    n = 120
    rng = np.random.default_rng(3)
    phi = rng.uniform(-np.pi, np.pi, n)
    q = rng.choice([-1.0, 1.0], n)
    p = _particles(np.full(n, 3.0), phi + rng.uniform(-1.0, 1.0, n), q, pz=0.6)
    p["x"], p["y"] = 70.0 * np.cos(phi), 70.0 * np.sin(phi)
    t = simulate_hits(p, n, np.random.default_rng(4), occupancy=0.0)
    g = cdc_geometry()
    cl = t["cdchit_clayer"]
    ax = g.dphi_stereo[cl] == 0
    d = drift_length(drift_time_from_tdc(t["cdchit_tdc"], g.radius[cl], g.z_bwd[cl]))
    right, radius = [], []
    for e in range(n):
        s = (t["evt_id"] == e) & ax
        x, y = t["cdchit_middle_x"][s], t["cdchit_middle_y"][s]
        cx, cy, rr, keep = fit_circle_robust(x, y, d[s])
        right.append(charge_sign(x[keep], y[keep], cx, cy)[0] == q[e])
        radius.append(rr)
    assert np.mean(right) > 0.9
    assert 450.0 < np.median(radius) < 1000.0  # 667 cm


def test_train_cli_rejects_bad_options(tmp_path):
    # user errors exit 2 before any event is simulated
    assert run_cli(["cdc", "train", "--lr", "0", "-o", str(tmp_path / "m.pt")]) == 2
    assert run_cli(["cdc", "train", "--resume", str(tmp_path / "none.pt"),
                    "-o", str(tmp_path / "m.pt")]) == 2
    assert not (tmp_path / "m.pt").exists()
