"""The compiled two-photon trial loop against its numpy definition: the same random numbers, the
same weights and the same unweighted events, bit for bit."""

import awkward as ak
import numpy as np
import pytest

from darkscan.generate import get_process
from darkscan.generate.processes.two_photon import (
    _q2_pairs,
    _scattered,
    _x_pairs,
    next_batch,
    sigma_gg_ll,
)
from darkscan.physics import lorentz
from darkscan.physics.constants import ALPHA, GEV2_TO_PB


def _numpy_trials(proc, n: int, rng: np.random.Generator, pt_min: float,
                  pt_max: float = np.inf) -> dict:
    """The weighted trials as whole-array numpy (the generator's definition before the loop
    was compiled)."""
    s = proc.experiment.s
    e_beam = 0.5 * np.sqrt(s)
    ln_x = np.log(proc.w_min**2 / s)
    # x on the triangle above W_min, Q² by the channels of _q2_pair (1/g: its density)
    x1, x2 = _x_pairs(rng.random(n), rng.random(n), ln_x)
    q = _q2_pairs(x1, x2, rng.random(n), rng.random(n), s, pt_min)
    weight = np.full(n, 0.5 * ln_x * ln_x * GEV2_TO_PB) * q[4]
    q2 = [q[0], q[1]]
    for x, q2min, qq in ((x1, q[2], q[0]), (x2, q[3], q[1])):
        weight *= ALPHA / np.pi * ((1 - x + 0.5 * x * x) - (1 - x) * q2min / qq)
    em = _scattered(e_beam, x1, q2[0], rng.uniform(0, 2 * np.pi, n), +1.0)
    ep = _scattered(e_beam, x2, q2[1], rng.uniform(0, 2 * np.pi, n), -1.0)
    pair = np.array([0.0, 0.0, 0.0, 2 * e_beam]) - em - ep
    w = np.sqrt(np.maximum(lorentz.mass2(pair), 0.0))
    m_eff = np.sqrt(proc.lepton_mass**2 + 0.25 * (q2[0] + q2[1]))
    ok = ((w > proc.w_min) & (w > 2 * m_eff) & (pair[:, 3] > 0) & (lorentz.pt(pair) > pt_min)
          & (lorentz.pt(pair) <= pt_max))
    weight *= np.where(ok, sigma_gg_ll(np.where(ok, w, 1.0), m_eff), 0.0)
    return {"w": weight, "em": em, "ep": ep}


@pytest.mark.parametrize(("pt_min", "pt_max"), [(0.35, 0.0), (0.0, 0.0), (0.45, 0.75)])
def test_compiled_trials_give_the_numpy_events(pt_min: float, pt_max: float) -> None:
    proc = get_process("ee_eemumu_epa")
    n = 2_000
    seed = np.random.SeedSequence(42)
    params = {"pt_pair_min": pt_min, "pt_pair_max": pt_max}
    sample = proc.generate_chunk(n, seed, params)
    # the numpy definition of the unweighting: pilot batch sets the maximum, 7 draws a trial
    rng = np.random.default_rng(seed)
    batch = max(20 * n, 200_000)
    kept, sum_w, n_tot, w_max = [], 0.0, 0, 0.0
    while sum(len(k["em"]) for k in kept) < n:
        t = _numpy_trials(proc, batch, rng, pt_min, pt_max if pt_max > 0 else np.inf)
        w_max = w_max or 1.2 * float(t["w"].max())
        sum_w += float(t["w"].sum())
        n_tot += batch
        acc = rng.random(batch) * w_max < t["w"]
        kept.append({k: v[acc] for k, v in t.items()})
        batch = next_batch(n - sum(len(k["em"]) for k in kept), sum(len(k["em"]) for k in kept),
                           n_tot)
    em = np.concatenate([k["em"] for k in kept])[:n]
    assert sample.meta.sigma_pb == sum_w / n_tot
    assert sample.meta.extra["n_trials"] == n_tot
    # the scattered e∓ in the CMS frame, back from the lab event record
    lab = sample.particles
    e_lab = np.stack([ak.to_numpy(lab[c][:, 0]) for c in ("px", "py", "pz", "E")], axis=-1)
    assert np.allclose(proc.experiment.to_cms(e_lab)[:, 3], em[:, 3], rtol=1e-2)
    # and bit for bit: the same trials are drawn again from the same seed
    again = proc.generate_chunk(n, seed, params)
    assert ak.to_list(again.particles.E[:50]) == ak.to_list(sample.particles.E[:50])
    assert n_tot >= max(20 * n, 200_000)  # at least the pilot


def test_pt_slices_add_up_to_the_filtered_sample() -> None:
    """σ(p_T in (0.45, 0.75]) + σ(p_T > 0.75) = σ(p_T > 0.45) within the MC errors, and a
    slice's events have their pair p_T (the γγ system's, = the μμ pair's) inside it."""
    proc = get_process("ee_eemumu_epa")
    soft = proc.cross_section({"pt_pair_min": 0.45, "pt_pair_max": 0.75}, n_points=400_000, seed=5)
    hard = proc.cross_section({"pt_pair_min": 0.75}, n_points=400_000, seed=6)
    both = proc.cross_section({"pt_pair_min": 0.45}, n_points=400_000, seed=7)
    err = np.sqrt(soft.error_pb**2 + hard.error_pb**2 + both.error_pb**2)
    assert abs(soft.sigma_pb + hard.sigma_pb - both.sigma_pb) < 4 * err
    assert hard.sigma_pb > 0.1 * soft.sigma_pb  # both slices hold a real share
    ev = proc.generate_chunk(3_000, np.random.SeedSequence(8),
                             {"pt_pair_min": 0.45, "pt_pair_max": 0.75}).particles
    mu = ev[abs(ev.pdg) == 13]
    p4 = np.stack([ak.to_numpy(ak.sum(mu[c], axis=1)) for c in ("px", "py", "pz", "E")], -1)
    pt = lorentz.pt(proc.experiment.to_cms(p4))
    # the lab → CMS boost of the event record uses the nominal beams, the generator each
    # event's own (beam-energy spread): a few MeV
    assert pt.min() > 0.44 and pt.max() < 0.76
    assert "p_T(ll) CMS ≤ 0.75 GeV" in proc.filter_label({"pt_pair_min": 0.45,
                                                           "pt_pair_max": 0.75})


def test_an_empty_pt_window_is_refused() -> None:
    from darkscan.errors import ParameterError

    proc = get_process("ee_eemumu_epa")
    with pytest.raises(ParameterError, match="pt_pair_max"):
        proc.generate_chunk(10, np.random.SeedSequence(1), {"pt_pair_min": 0.8,
                                                            "pt_pair_max": 0.5})
