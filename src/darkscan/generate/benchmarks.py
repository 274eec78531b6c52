"""Generator benchmarks (``darkscan bench``): rates, with peers measured in the same run."""

from __future__ import annotations

import time

import numpy as np

from darkscan.generate.registry import DEFAULT_CHUNK
from darkscan.registry import benchmark

#: one chunk of the default size: the per-chunk costs (the truth record, the beams) weigh as in
#: a run
CHUNK = DEFAULT_CHUNK


def _rate(func, n: int, repeat: int = 3, clock=time.perf_counter) -> float:
    """``n`` per second of ``clock`` for ``func`` (best of ``repeat``)."""
    best = np.inf
    for _ in range(repeat):
        t = clock()
        func()
        best = min(best, clock() - t)
    return n / best


def _cpu_rate(func, n: int, repeat: int = 3) -> float:
    """``n`` per CPU second of this process (best of ``repeat``): a per-core rate that other load
    on a shared machine does not enter (wall-clock rates there varied by 2× between runs). Both
    sides of a ratio are single-threaded and timed alike."""
    return _rate(func, n, repeat, clock=time.process_time)


@benchmark("me_2to2", unit="|M|² evaluations/s", peer_name="trace formula 2e⁴(t²+u²)/s² (numpy)",
           quick=True)  # < 1 s
def me_2to2() -> tuple[float, float]:
    from darkscan.generate.processes.sm_qed import me2_ee_ffbar, two_to_two

    n = 100_000
    u = np.random.default_rng(1).random((n, 2))
    p1, p2, p, _ = two_to_two(u, np.full(n, 10.58), 0.0, 0.0)
    ours = _cpu_rate(lambda: me2_ee_ffbar(p1, p2, p[:, 0], p[:, 1], 0.0, 0.0917), n)

    def trace() -> np.ndarray:
        t = -2 * (p1[:, 3] * p[:, 0, 3] - np.sum(p1[:, :3] * p[:, 0, :3], axis=1))
        uu = -2 * (p1[:, 3] * p[:, 1, 3] - np.sum(p1[:, :3] * p[:, 1, :3], axis=1))
        s = 10.58**2
        return 2 * 0.0917**2 * (t * t + uu * uu) / s**2

    return ours, _cpu_rate(trace, n)


@benchmark("me_2to3", unit="|M|² evaluations/s", quick=True)  # < 1 s
def me_2to3() -> tuple[float, None]:
    from darkscan.generate.processes.mumu_resonance import kinematics_mumux, me2_mumux

    n = 20_000
    u = np.random.default_rng(1).random((n, 5))
    p1, p2, p, _ = kinematics_mumux(u, np.full(n, 10.58), 1.0)
    return _cpu_rate(lambda: me2_mumux(p1, p2, p[:, 0], p[:, 1], p[:, 2], 1.0, 1.0, 0.0917, True),
                 n), None


@benchmark("gen_ee_mumu", unit="unweighted events/s (CPU)",
           peer_name="Pythia 8.317 ffbar2ffbar(s:gmZ) → μμ with lepton PDF (ISR), no hadronisation")
def gen_ee_mumu() -> tuple[float, float | None]:
    """Unweighted lab-frame truth events (ISR, FSR, beam spread, awkward output) per CPU second;
    the grid is built outside the timing. Peer: Pythia's own event loop after 500 warm-up
    events."""
    from darkscan.generate import generate

    generate("ee_mumu", 100, seed=1)  # build the cached grid outside the timing
    n = 20_000
    ours = _cpu_rate(lambda: generate("ee_mumu", n, seed=2, chunk_size=n), n)
    try:
        import pythia8mc as pythia8
    except ImportError:
        return ours, None
    py = pythia8.Pythia("", False)
    for line in ("Beams:idA = 11", "Beams:idB = -11", "Beams:eCM = 10.58",
                 "WeakSingleBoson:ffbar2ffbar(s:gmZ) = on", "23:onMode = off",
                 "23:onIfAny = 13", "PDF:lepton = on", "PartonLevel:ISR = on",
                 "HadronLevel:all = off", "Random:setSeed = on", "Random:seed = 1",
                 "Print:quiet = on"):
        py.readString(line)
    py.init()
    m = 5_000

    def run(k: int = m) -> None:
        for _ in range(k):  # Pythia's own event loop (the peer), not darkscan code
            py.next()

    run(500)
    return ours, _cpu_rate(run, m)


@benchmark("gen_ee_mumu_zprime", unit="unweighted events/s (CPU)")
def gen_ee_mumu_zprime() -> tuple[float, None]:
    """2→3 unweighted generation: e⁺e⁻ → μ⁺μ⁻Z′ (m_Z′ = 1 GeV, ISR, FSR, Z′ decays), per CPU
    second, grid built outside the timing (no peer in the environment)."""
    from darkscan.generate import generate

    params = {"mass": 1.0, "gprime": 0.01}
    generate("ee_mumu_zprime", 100, seed=1, **params)
    n = 10_000
    return _cpu_rate(lambda: generate("ee_mumu_zprime", n, seed=2, chunk_size=n, **params),
                     n), None


@benchmark("gen_ee_tautau_mumu", unit="unweighted events/s",
           peer_name="darkscan ee_tautau_mumu_pythia (Pythia 8, TauDecays:mode 1, γ* only, "
                     "forced τ→μνν)")
def gen_ee_tautau_mumu() -> tuple[float, float | None]:
    """Helicity-engine ττ → μμ + 4ν with full spin correlations (grid built outside the timing)
    vs the Pythia version it replaces (Pythia init subtracted: difference of a 510- and a
    10-event chunk; conversion to truth events included for both)."""
    from darkscan.generate import generate, get_process

    generate("ee_tautau_mumu", 100, seed=1)
    n = 20_000
    ours = _rate(lambda: generate("ee_tautau_mumu", n, seed=2, chunk_size=n), n, repeat=1)
    try:
        import pythia8mc  # noqa: F401
    except ImportError:
        return ours, None
    proc = get_process("ee_tautau_mumu_pythia")

    def chunk_seconds(m: int) -> float:
        t = time.perf_counter()
        proc.generate_chunk(m, np.random.SeedSequence(2), {})
        return time.perf_counter() - t

    small, m = chunk_seconds(10), 500  # each chunk initialises Pythia: time it out
    return ours, m / max(chunk_seconds(10 + m) - small, 1e-9)


@benchmark("me_2to4", unit="|M|² evaluations/s",
           peer_name="darkscan me2_mumux, e⁺e⁻ → μ⁺μ⁻Z′ 2→3 (same engine, same run)",
           quick=True)  # ~2 s
def me_2to4() -> tuple[float, float]:
    """Spin-summed |M|² of e⁺e⁻ → μ⁺μ⁻μ⁺μ⁻ (12 diagrams, 32 helicity amplitudes) per CPU second,
    against the 2→3 μμZ′ matrix element (2 diagrams, 48 amplitudes) on the same engine."""
    from darkscan.generate.processes.four_muon import EE_MUMUMUMU, _beams, me2_four_muon
    from darkscan.generate.processes.mumu_resonance import kinematics_mumux, me2_mumux

    n = 8192
    rng = np.random.default_rng(1)
    rs = np.full(n, 10.58)
    p, _ = EE_MUMUMUMU.hard(rng.random((n, EE_MUMUMUMU.hard_ndim({}))), rs, {}, False)
    p1, p2 = _beams(n, rs)
    ours = _cpu_rate(lambda: me2_four_muon(p1, p2, p[:, 0], p[:, 1], p[:, 2], p[:, 3]), n)
    q1, q2, q, _ = kinematics_mumux(rng.random((n, 5)), rs, 1.0)
    peer = _cpu_rate(lambda: me2_mumux(q1, q2, q[:, 0], q[:, 1], q[:, 2], 1.0, 1.0, 0.0917, True),
                     n)
    return ours, peer


@benchmark("gen_ee_mumumumu", unit="unweighted events/s (CPU)",
           peer_name="darkscan ee_eemumu_epa (two-photon EPA, 2→4 by factorisation, same run)")
def gen_ee_mumumumu() -> tuple[float, float]:
    """2→4 unweighted generation with the full matrix element (ISR, FSR, beam spread, truth
    events) per CPU second, grids built outside the timing; the peer is darkscan's other 2→4
    lepton process, which needs no matrix element (EPA × Breit–Wheeler)."""
    from darkscan.generate import generate

    generate("ee_mumumumu", 100, seed=1)
    n = 5_000
    ours = _cpu_rate(lambda: generate("ee_mumumumu", n, seed=2, chunk_size=n), n)
    generate("ee_eemumu_epa", 100, seed=1)
    m = 20_000
    return ours, _cpu_rate(lambda: generate("ee_eemumu_epa", m, seed=2, chunk_size=m), m)


@benchmark("gen_ee_mumutautau", unit="unweighted events/s (CPU)")
def gen_ee_mumutautau() -> tuple[float, None]:
    """e⁺e⁻ → μ⁺μ⁻τ⁺τ⁻ with the full matrix element (6 diagrams), ISR, FSR, beam spread and the
    τ decayed by Pythia (finish_decays), per CPU second, grid built outside the timing (no peer
    in the environment)."""
    from darkscan.generate import generate

    generate("ee_mumutautau", 100, seed=1)
    n = 3_000
    return _cpu_rate(lambda: generate("ee_mumutautau", n, seed=2, chunk_size=n), n), None


@benchmark("gen_ee_ggg", unit="unweighted events/s (CPU)",
           peer_name="darkscan ee_gg (2→2 Born, collinear ISR, same run)")
def gen_ee_ggg() -> tuple[float, float]:
    """e⁺e⁻ → γγγ with the exact matrix element (6 diagrams, 16 helicity amplitudes), collinear
    ISR, beam spread, truth events, per CPU second, grids built outside the timing; the peer is
    the 2→2 γγ(γ) process the three-photon one complements."""
    from darkscan.generate import generate

    generate("ee_ggg", 100, seed=1)
    n = 5_000
    ours = _cpu_rate(lambda: generate("ee_ggg", n, seed=2, chunk_size=n), n)
    generate("ee_gg", 100, seed=1)
    m = 20_000
    return ours, _cpu_rate(lambda: generate("ee_gg", m, seed=2, chunk_size=m), m)


@benchmark("gen_ee_mumug", unit="unweighted events/s (CPU)",
           peer_name="darkscan ee_eeg (radiative Bhabha, 8 graphs, same kernel, same run)")
def gen_ee_mumug() -> tuple[float, float]:
    """e⁺e⁻ → μ⁺μ⁻γ with the exact matrix element (4 graphs, 32 helicity amplitudes, massive e
    and μ), collinear ISR, beam spread, truth events, per CPU second, grids built outside the
    timing; the peer is the radiative Bhabha process on the same kernel and phase-space pieces
    (no external generator of this process is in the environment: Pythia has no e⁺e⁻ → μ⁺μ⁻γ
    matrix element)."""
    from darkscan.generate import generate

    generate("ee_mumug", 100, seed=1)
    # best of three: this machine's CPU rates vary ×1.5 from one run to the next
    ours = _cpu_rate(lambda: generate("ee_mumug", CHUNK, seed=2), CHUNK)
    generate("ee_eeg", 100, seed=1)
    return ours, _cpu_rate(lambda: generate("ee_eeg", CHUNK, seed=2), CHUNK)


@benchmark("gen_ee_eeg", unit="unweighted events/s (CPU)",
           peer_name="darkscan ee_ee (2→2 Bhabha, collinear ISR, LL FSR, same run)")
def gen_ee_eeg() -> tuple[float, float]:
    """Radiative Bhabha e⁺e⁻ → e⁺e⁻γ with the exact matrix element (8 graphs, massive
    electrons, five-channel phase space), collinear ISR, beam spread, truth events, per CPU
    second, grids built outside the timing; the peer is the 2→2 Bhabha process it complements."""
    from darkscan.generate import generate

    generate("ee_eeg", 100, seed=1)
    ours = _cpu_rate(lambda: generate("ee_eeg", CHUNK, seed=2), CHUNK)  # best of three
    generate("ee_ee", 100, seed=1)
    return ours, _cpu_rate(lambda: generate("ee_ee", CHUNK, seed=2), CHUNK)


@benchmark("gen_ee_nunug", unit="unweighted events/s (CPU)",
           peer_name="darkscan ee_eeg (the other single-photon background, same run)")
def gen_ee_nunug() -> tuple[float, float]:
    """e⁺e⁻ → νν̄γ (three flavours, helicity amplitudes through helas, flavour chosen per
    event), collinear ISR, beam spread, truth events, per CPU second, grids built outside the
    timing; the peer is ee_eeg, generated for the same search."""
    from darkscan.generate import generate

    generate("ee_nunug", 100, seed=1)
    ours = _cpu_rate(lambda: generate("ee_nunug", CHUNK, seed=2), CHUNK)
    generate("ee_eeg", 100, seed=1)
    return ours, _cpu_rate(lambda: generate("ee_eeg", CHUNK, seed=2), CHUNK)


@benchmark("gen_ee_mumupipi", unit="unweighted events/s (CPU)",
           peer_name="darkscan ee_mumutautau (same four-lepton engine, τ decayed by Pythia, same "
                     "run)")
def gen_ee_mumupipi() -> tuple[float, float]:
    """e⁺e⁻ → μ⁺μ⁻π⁺π⁻ in scalar QED with F_π (7 diagrams), ISR, FSR off the muons, beam
    spread, truth events, per CPU second, grids built outside the timing; the peer is the
    μμττ generation on the same four-lepton machinery."""
    from darkscan.generate import generate

    generate("ee_mumupipi", 100, seed=1)
    n = 5_000
    ours = _cpu_rate(lambda: generate("ee_mumupipi", n, seed=2, chunk_size=n), n)
    generate("ee_mumutautau", 100, seed=1)
    m = 3_000
    return ours, _cpu_rate(lambda: generate("ee_mumutautau", m, seed=2, chunk_size=m), m)


@benchmark("me_2to4_eemumu", unit="|M|² evaluations/s",
           peer_name="darkscan me2_four_muon, e⁺e⁻ → 4μ (12 graphs, massless beams; same run)")
def me_2to4_eemumu() -> tuple[float, float]:
    """Spin-averaged |M|² of e⁺e⁻ → e⁺e⁻μ⁺μ⁻ (12 graphs, massive electrons: 64 helicity
    amplitudes) per CPU second, against the 4μ matrix element (12 graphs, 32 amplitudes)."""
    from darkscan.generate.processes.four_muon import EE_MUMUMUMU, _beams, me2_four_muon
    from darkscan.generate.processes.pair_production import EE_EEMUMU, beams

    n = 8192
    rng = np.random.default_rng(1)
    rs = np.full(n, 10.58)
    params = {"w_pair_min": 0.5, "pt_pair_min": 0.0}
    p, w = EE_EEMUMU.hard(rng.random((n, EE_EEMUMU.hard_ndim(params))), rs, params, False)
    p = p[w > 0]
    m = len(p)
    p1, p2 = beams(m, rs[:m])
    ours = _cpu_rate(lambda: EE_EEMUMU.me2(p1, p2, p, False), m)
    q, _ = EE_MUMUMUMU.hard(rng.random((n, EE_MUMUMUMU.hard_ndim({}))), rs, {}, False)
    q1, q2 = _beams(n, rs)
    peer = _cpu_rate(lambda: me2_four_muon(q1, q2, q[:, 0], q[:, 1], q[:, 2], q[:, 3]), n)
    return ours, peer


@benchmark("gen_ee_eemumu", unit="unweighted events/s (CPU)",
           peer_name="darkscan ee_eemumu_epa (equivalent-photon approximation, same run)")
def gen_ee_eemumu() -> tuple[float, float]:
    """e⁺e⁻ → e⁺e⁻μ⁺μ⁻ with the full matrix element (ISR, FSR, beam spread, truth events, W_ll
    > 0.5 GeV) per CPU second, grids built outside the timing, against the EPA sample."""
    from darkscan.generate import generate

    generate("ee_eemumu", 100, seed=1)
    n = 3_000
    ours = _cpu_rate(lambda: generate("ee_eemumu", n, seed=2, chunk_size=n), n)
    generate("ee_eemumu_epa", 100, seed=1)
    m = 20_000
    return ours, _cpu_rate(lambda: generate("ee_eemumu_epa", m, seed=2, chunk_size=m), m)


@benchmark("gen_ee_eeee", unit="unweighted events/s (CPU)",
           peer_name="darkscan ee_eeee_epa (equivalent-photon approximation, same run)")
def gen_ee_eeee() -> tuple[float, float]:
    """e⁺e⁻ → e⁺e⁻e⁺e⁻ with the full matrix element (36 graphs) per CPU second, grids built
    outside the timing, against the EPA sample."""
    from darkscan.generate import generate

    generate("ee_eeee", 100, seed=1)
    n = 6_000  # ~1 s of CPU
    ours = _cpu_rate(lambda: generate("ee_eeee", n, seed=2, chunk_size=n), n)
    generate("ee_eeee_epa", 100, seed=1)
    m = 20_000
    return ours, _cpu_rate(lambda: generate("ee_eeee_epa", m, seed=2, chunk_size=m), m)

