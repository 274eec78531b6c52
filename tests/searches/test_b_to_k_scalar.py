"""B → K(*)S, S long-lived: the channel map, the normalisation, the lifetime reweighting of the
search layer, and a reduced end-to-end run (two channels sharing one simulation per sample)."""

from dataclasses import replace

import numpy as np
import pytest

from darkscan.detector.fastsim import llp_decay_lengths
from darkscan.events import STATUS_DECAYED, STATUS_FINAL
from darkscan.generate.processes.b_to_k_scalar import signal_config
from darkscan.generate.processes.pythia_processes import BF_Y4S_CHARGED, SIGMA_Y4S_NB
from darkscan.searches.b_to_k_scalar import SEARCH, has_signal, per_unit
from darkscan.searches.runner import run_search
from darkscan.searches.spec import LifetimeReweighting


def test_lifetime_source_is_the_shortest_generated_at_or_above() -> None:
    rw = LifetimeReweighting((0.05, 1.0, 20.0))
    assert [rw.source({"mass": 1.0, "ctau": c})["ctau"] for c in (0.01, 0.05, 0.1, 10, 50)] \
        == [0.05, 0.05, 1.0, 20.0, 20.0]


def test_channel_map() -> None:
    assert has_signal("K+_ee", {"mass": 0.05}) and not has_signal("K+_mumu", {"mass": 0.2})
    assert not has_signal("K+_pipi", {"mass": 0.50})       # the K_S control region
    assert not has_signal("K+_pipi", {"mass": 2.5})        # no model ππ width above 2 GeV
    assert has_signal("K+_mumu", {"mass": 4.5}) and not has_signal("K*0_mumu", {"mass": 4.5})
    assert not has_signal("K+_KK", {"mass": 1.02})         # φ veto
    assert {c.name for c in SEARCH.channels} == {f"{k}_{x}" for k in ("K+", "K*0")
                                                 for x in ("ee", "mumu", "pipi", "KK")}


@pytest.mark.parametrize(("channel", "kstar", "charged"), [("K+_mumu", False, True),
                                                          ("K*0_pipi", True, False)])
def test_per_unit_matches_the_generator(channel: str, kstar: bool, charged: bool) -> None:
    """σ per unit of B(own B → K(*)S) × B(S → xx) = σ(Υ(4S)) · 2 · f_B / P(signal B is own)."""
    code = 13 if channel.endswith("mumu") else 211
    cfg = signal_config({"mass": 1.1, "sin_theta": 1e-4}, BF_Y4S_CHARGED, kstar, code)
    f_own = BF_Y4S_CHARGED if charged else 1 - BF_Y4S_CHARGED
    p_own = cfg.charged_fraction if charged else 1 - cfg.charged_fraction
    expected = SIGMA_Y4S_NB * 1e3 * 2 * f_own / p_own
    assert per_unit(channel, {"mass": np.array([1.1])})[0] == pytest.approx(expected, rel=1e-9)


def test_llp_decay_lengths_from_the_truth_record() -> None:
    """S (id 4900035) along z with p = 3 GeV, m = 1 GeV, daughters 6 cm away: ℓ = 2 cm."""
    c = {"pdg": np.array([521, 4900035, 13, -13, 22]),
         "px": np.zeros(5), "py": np.zeros(5), "pz": np.array([0, 3.0, 1.5, 1.5, 1.0]),
         "E": np.array([5.28, np.sqrt(10.0), 1.6, 1.6, 1.0]),
         "vx": np.zeros(5), "vy": np.zeros(5), "vz": np.array([0, 0, 6.0, 6.0, 0]),
         "mother": np.array([-1, 0, 1, 1, -1]),
         "status": np.array([STATUS_DECAYED, STATUS_DECAYED, STATUS_FINAL, STATUS_FINAL,
                             STATUS_FINAL])}
    counts = np.array([4, 1])
    out, flight = llp_decay_lengths(counts, c)
    assert out[0] == pytest.approx(2.0) and np.isnan(out[1])
    assert flight[0] == pytest.approx(6.0) and np.isnan(flight[1])


@pytest.fixture(scope="module")
def reduced(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module):  # type: ignore[no-untyped-def]
    import darkscan.detector as detector

    calls: list[int] = []
    real = detector.simulate

    def counting(sample, **kw):  # type: ignore[no-untyped-def]
        calls.append(len(sample.events))
        return real(sample, **kw)

    monkeypatch_module.setattr(detector, "simulate", counting)
    names = ("K+_mumu", "K*0_pipi")
    channels = tuple(c for c in SEARCH.channels if c.name in names)
    search = replace(SEARCH, channels=channels, signal=replace(
        SEARCH.signal, by_channel={n: SEARCH.signal.by_channel[n] for n in names}))
    out = tmp_path_factory.mktemp("bks")
    return run_search(search, out_dir=out, quick=True, seed=2, scale=0.1, report=False), calls


@pytest.fixture(scope="module")
def monkeypatch_module():  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_reduced_run(reduced) -> None:  # type: ignore[no-untyped-def]
    result, calls = reduced
    # 2 channels × 2 generated lifetimes of signal + 2 backgrounds, each simulated once
    assert len(calls) == 6
    t = result.to_table()
    assert sorted(set(t["channel"])) == ["K*0_pipi", "K+_mumu"]
    lim = t["br_ul_exp"]
    assert np.all(np.isfinite(lim)) and np.all((lim > 1e-9) & (lim < 1e-6))
    for ch in ("K+_mumu", "K*0_pipi"):
        sel = t["channel"] == ch
        # cτ = 10 cm is the 20 cm sample reweighted: fewer S decay inside the tracker than at
        # 1 cm; the quick samples' 1 000 events each leave ±0.016 on the difference (binomial),
        # enough to swap two close values (seed 3: K*0 ππ 0.053 at 10 cm, 0.046 at 1 cm)
        eff = dict(zip(t["ctau"][sel], t["efficiency"][sel], strict=True))
        assert 0.02 < eff[10.0] < eff[1.0] + 0.03 and eff[1.0] < 0.5
        # the reduced mass peaks at √(m² − 4m_x²) of m_S = 1.1 GeV
        m_x = 0.10566 if ch.endswith("mumu") else 0.13957
        np.testing.assert_allclose(t["peak"][sel], np.sqrt(1.1**2 - 4 * m_x**2), atol=0.02)
