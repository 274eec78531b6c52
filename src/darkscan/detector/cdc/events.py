"""Charged particles for the CDC simulation: the displaced-track benchmark of the CAT Finder
paper and any darkscan generator process, as flat per-particle arrays with event numbers.

``llp_displaced`` (arXiv:2411.13596, Sec. on the displaced benchmark [READ abstract]: "a
hypothetical long-lived massive particle with a mass in the GeV range, decaying uniformly along
its flight direction into two charged particles"): per event one neutral LLP of mass 0.5–4 GeV
(uniform) and momentum 0.5–5 GeV (uniform), isotropic inside the CDC's polar acceptance
(17°–150°), decaying at a transverse radius uniform in 0–100 cm to μ⁺μ⁻ or π⁺π⁻ (equal
shares), isotropic in its rest frame; plus Poisson(2) prompt pions from the IP with p_T uniform
in 0.1–2 GeV and cos θ uniform in the acceptance [INFERRED: the paper's samples also carry the
rest of the event]. ``prompt_tracks`` is the prompt part alone.
"""

from __future__ import annotations

import numpy as np

from darkscan.errors import UnknownNameError
from darkscan.physics import lorentz

M_MU, M_PI = 0.1056583755, 0.13957039
THETA_ACC = (np.radians(17.0), np.radians(150.0))
BUILTIN = ("llp_displaced", "prompt_tracks")

PARTICLE_KEYS = ("evt", "obj", "x", "y", "z", "t", "px", "py", "pz", "q", "mass", "pdg")


def _iso_acceptance(rng: np.random.Generator, n: int) -> np.ndarray:
    c = rng.uniform(np.cos(THETA_ACC[1]), np.cos(THETA_ACC[0]), n)
    ph = rng.uniform(-np.pi, np.pi, n)
    s = np.sqrt(1.0 - c * c)
    return np.stack([s * np.cos(ph), s * np.sin(ph), c], axis=-1)


def _prompt(rng: np.random.Generator, n_events: int, mean: float) -> dict[str, np.ndarray]:
    n = rng.poisson(mean, n_events)
    tot = int(n.sum())
    evt = np.repeat(np.arange(n_events), n)
    pt = rng.uniform(0.1, 2.0, tot)
    d = _iso_acceptance(rng, tot)
    st = np.hypot(d[:, 0], d[:, 1])
    p = pt / st
    zeros = np.zeros(tot)
    return {"evt": evt, "x": zeros, "y": zeros, "z": zeros, "t": zeros,
            "px": p * d[:, 0], "py": p * d[:, 1], "pz": p * d[:, 2],
            "q": rng.choice(np.array([-1.0, 1.0]), tot), "mass": np.full(tot, M_PI),
            "pdg": np.full(tot, 211)}


def llp_events(n_events: int, rng: np.random.Generator, *, r_max: float = 100.0,
               n_prompt: float = 2.0, with_llp: bool = True) -> dict[str, np.ndarray]:
    """Flat charged particles of the displaced benchmark (module docstring), ordered by event;
    ``obj`` numbers the particles within an event (LLP daughters first)."""
    prompt = _prompt(rng, n_events, n_prompt)
    parts = []
    if with_llp:
        m = rng.uniform(0.5, 4.0, n_events)
        pmag = rng.uniform(0.5, 5.0, n_events)
        d = _iso_acceptance(rng, n_events)
        p3 = d * pmag[:, None]
        e = np.sqrt(pmag**2 + m**2)
        r_t = rng.uniform(0.0, r_max, n_events)
        st = np.hypot(d[:, 0], d[:, 1])
        flight = r_t / st
        vtx = d * flight[:, None]
        t_decay = flight * e / pmag / 29.9792458
        mu = rng.random(n_events) < 0.5
        md = np.where(mu, M_MU, M_PI)
        qstar = np.sqrt(np.maximum(0.25 * m * m - md * md, 0.0))
        # isotropic rest-frame direction (full sphere)
        c = rng.uniform(-1.0, 1.0, n_events)
        ph = rng.uniform(-np.pi, np.pi, n_events)
        s = np.sqrt(1 - c * c)
        u = np.column_stack([s * np.cos(ph), s * np.sin(ph), c]) * qstar[:, None]
        ed = np.sqrt(qstar**2 + md**2)
        beta = p3 / e[:, None]
        d1 = lorentz.boost(np.column_stack([u, ed]), beta)
        d2 = lorentz.boost(np.column_stack([-u, ed]), beta)
        pdg = np.where(mu, -13, 211)  # the positive daughter
        for dau, q in ((d1, 1.0), (d2, -1.0)):
            parts.append({
                "evt": np.arange(n_events), "x": vtx[:, 0], "y": vtx[:, 1], "z": vtx[:, 2],
                "t": t_decay, "px": dau[:, 0], "py": dau[:, 1], "pz": dau[:, 2],
                "q": np.full(n_events, q), "mass": md, "pdg": pdg * (1 if q > 0 else -1)})
    return _merge([*parts, prompt])


def _merge(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    keys = [k for k in PARTICLE_KEYS if k != "obj"]
    cat = {k: np.concatenate([p[k] for p in parts]) for k in keys}
    order = np.argsort(cat["evt"], kind="stable")
    out = {k: v[order] for k, v in cat.items()}
    evt = out["evt"]
    start = np.searchsorted(evt, evt, side="left")
    out["obj"] = np.arange(len(evt)) - start
    return out


def generator_events(process: str, n_events: int, seed: int) -> dict[str, np.ndarray]:
    """Charged final-state particles of ``n_events`` of a darkscan generator process."""
    import awkward as ak

    from darkscan.detector.species import properties
    from darkscan.events.model import STATUS_FINAL
    from darkscan.generate import generate

    sample = generate(process, n_events, seed=seed)
    parts = sample.particles
    counts = ak.to_numpy(ak.num(parts))
    flat = {k: ak.to_numpy(ak.flatten(parts[k])) for k in
            ("pdg", "px", "py", "pz", "vx", "vy", "vz", "t", "status")}
    evt = np.repeat(np.arange(len(counts)), counts)
    obj = np.arange(len(evt)) - np.repeat(np.cumsum(counts) - counts, counts)
    charge, mass, _ = properties(flat["pdg"])
    keep = (flat["status"] == STATUS_FINAL) & (charge != 0)
    return {"evt": evt[keep], "obj": obj[keep], "x": flat["vx"][keep], "y": flat["vy"][keep],
            "z": flat["vz"][keep], "t": flat["t"][keep], "px": flat["px"][keep],
            "py": flat["py"][keep], "pz": flat["pz"][keep], "q": np.sign(charge[keep]),
            "mass": mass[keep], "pdg": flat["pdg"][keep]}


def process_events(process: str, n_events: int, seed: int) -> dict[str, np.ndarray]:
    """Charged particles of a built-in benchmark or a darkscan generator process."""
    if process in BUILTIN:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 22]))
        return llp_events(n_events, rng, with_llp=process == "llp_displaced")
    from darkscan.generate.registry import get_process

    try:
        get_process(process)
    except UnknownNameError as exc:
        raise UnknownNameError(f"{exc}; or a CDC benchmark: {', '.join(BUILTIN)}") from None
    return generator_events(process, n_events, seed)
