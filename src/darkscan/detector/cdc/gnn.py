"""GNN track finder for the CDC: object condensation on GravNet-style graphs (the CAT Finder's
architecture, Reuter et al., arXiv:2411.13596, after Kieseler, EPJC 80 (2020) 886 and Qasim et
al., EPJC 79 (2019) 608).

Every hit is a node with its wire position, layer, superlayer, stereo sign, drift length (from
the TDC) and ADC. GravNet blocks learn a small coordinate space per block and exchange features
between each hit and its k nearest neighbours there (distance-weighted, exp(−10 d²), mean and
max), so the graph is built by the network, event by event. The network predicts per hit a
condensation strength β ∈ (0, 1), cluster coordinates, and the track's momentum, charge and
production vertex. Training minimises the object-condensation loss: every particle's hits are
pulled to its highest-β hit (charge q = arctanh² β + q_min) and pushed away from the other
particles' condensation points; β is pushed up at one hit per particle and down on
background hits; the track properties are learnt with weights arctanh² β. Inference walks the
hits in decreasing β above ``T_BETA``: each unassigned one becomes a track and takes the
unassigned hits within ``T_DIST`` in cluster space. As in the paper, the clustered hits then
go to a track fit: the circle fit of the baseline gives the charge and p_T (the network's own
predictions where a cluster has fewer than five axial hits: its charge there a coin flip,
below), refitted through the IP where
that costs its hits nothing (a short arc, from the inner superlayers or a piece of a split
track, fixes neither curvature nor charge alone), and the sense of rotation of a circle through
the IP is read from its stereo hits' z (:func:`~.legendre.ip_sense`: a curler's two half-turns
lie on one circle); p_z and the vertex are the network's.

The shipped model (``data/gnn_model.pt``; hidden width 32, three GravNet blocks, k = 12) was
trained on 2 CPU cores in five stages of 6000 fresh ``llp_displaced`` events each: ``darkscan
cdc train`` with its defaults (seed 7, 20 epochs, learning rate 2×10⁻³ cosine-annealed, 23 min;
alone a working model), then ``--resume`` with ``--epochs 16`` and ``--seed 8 --lr 1e-3``,
``--seed 9 --lr 7e-4``, ``--seed 10 --lr 5e-4``, ``--seed 11 --lr 4e-4`` (14–18 min each); the
loss fell stage by stage (0.50, 0.47, 0.455, 0.447, 0.439). On a validation sample (600
events, seed 99; ``darkscan validate`` measures seed 2411) the LLP daughters found with the
right charge / found were, with the earlier inference cuts, 0.68/0.77 (the 1500-event, 8-epoch
model before), 0.71/0.79 after the first stage, 0.745/0.83 after the second; the inference cuts
(``T_BETA``, ``T_DIST``, ``MIN_TRACK_HITS``, ``KEEP_MIN``, ``MAX_RMS_GNN``) were chosen there,
with which the first stage gives 0.74/0.83, the fourth 0.79/0.89 and the fifth 0.80/0.89
(1500 events of seed 1: 0.777/0.886 → 0.793/0.900; a sixth stage, ``--seed 12 --lr 3e-4``,
loss 0.441, gave 0.802/0.892 and 0.792/0.900 with more fakes and clones: not kept). The charge
head learns slowly (right for 69% of the hits with β > 0.5 after the fourth stage, 51% after the
first), so a track's charge is its circle fit's, which takes the particle to fly away from the
IP; the vertex head's median error is 15 cm. Where the charge goes wrong (1500 events of seed 1,
fourth stage): 12% of the found daughters (a quarter of them flying inwards at production, as a
slow LLP's daughters may; 15% of the right ones do too), 2/3 of them from clusters whose axial
hits lie in one superlayer (430 of 2353 found daughters, 67% right: a 6–8-layer arc fixes no
curvature) or that have no circle (104, 52% right), against 97% right where the axial hits span
three or more superlayers.

The kNN is written in torch (a dense distance matrix per event, events batched with
``torch_geometric.utils.to_dense_batch``) because PyG's ``GravNetConv`` needs the compiled
``pyg-lib``/``torch-cluster``, which have no wheels for this torch.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from darkscan.detector.cdc.digitize import drift_length, drift_time_from_tdc
from darkscan.detector.cdc.geometry import cdc_geometry
from darkscan.detector.cdc.legendre import (
    HIT_TOL,
    fit_circle_robust,
    ip_sense,
    stereo_z,
    through_ip,
    track_2d,
    track_table,
)

#: a cluster's circle is refitted through the IP when that circle passes the IP within
#: IP_MISS_MAX (cm) and keeps its hits' RMS distance within IP_RMS_FACTOR × the free fit's
#: (or IP_RMS_SLACK cm more): a displaced track cannot be bent through the IP at that cost
IP_MISS_MAX = 0.5
IP_RMS_FACTOR = 1.5
IP_RMS_SLACK = 0.02
MODEL_PATH = Path(__file__).with_name("data") / "gnn_model.pt"
N_FEATURES = 12
T_BETA = 0.3
T_DIST = 0.35
Q_MIN = 0.1
#: basf2's MC tracks need five hits (:data:`.evaluate.MIN_MC_HITS`)
MIN_TRACK_HITS = 5
#: a cluster needs this many axial hits for its own circle fit (else the network's prediction)
MIN_CIRCLE_HITS = 5
#: particles with fewer hits are not objects in training (noise)
MIN_OBJECT_HITS = 5
#: a cluster whose circle fit keeps a smaller share of its axial hits is not one particle
KEEP_MIN = 0.35
#: … or whose kept hits miss the circle by more than this RMS (cm)
MAX_RMS_GNN = 0.5


def hit_features(table: dict[str, np.ndarray]) -> np.ndarray:
    """Per-hit input features (n, 12), all O(1)."""
    geo = cdc_geometry()
    cl = np.asarray(table["cdchit_clayer"], np.int64)
    x = np.asarray(table["cdchit_middle_x"], float)
    y = np.asarray(table["cdchit_middle_y"], float)
    z = np.asarray(table["cdchit_middle_z"], float)
    r = np.hypot(x, y)
    t_d = drift_time_from_tdc(table["cdchit_tdc"], geo.radius[cl], geo.z_bwd[cl])
    drift = drift_length(t_d)
    adc = np.asarray(table["cdchit_adc"], float)
    feats = np.column_stack([
        x / 100.0, y / 100.0, z / 100.0, r / 100.0, x / np.maximum(r, 1e-6),
        y / np.maximum(r, 1e-6), geo.superlayer[cl] / 8.0, cl / 55.0,
        (geo.dphi_stereo[cl] == 0).astype(float), np.sign(geo.dphi_stereo[cl]),
        np.clip(drift, 0.0, 1.5), np.log1p(np.maximum(adc, 0.0)) / 5.0])
    return feats.astype(np.float32)


def _event_slices(evt: np.ndarray) -> np.ndarray:
    """Graph index (0, 1, …) of each hit from the sorted event numbers."""
    change = np.ones(len(evt), bool)
    change[1:] = evt[1:] != evt[:-1]
    return (np.cumsum(change) - 1).astype(np.int64)


def build_model(hidden: int = 32, n_blocks: int = 3, k: int = 12):  # -> torch.nn.Module
    import torch
    from torch import nn
    from torch_geometric.utils import to_dense_batch

    class GravNetBlock(nn.Module):
        """Learned space (4 d), kNN there, exp(−10 d²)-weighted mean and max of neighbours."""

        def __init__(self, dim: int, space: int = 4, prop: int = 16, k: int = k) -> None:
            super().__init__()
            self.k = k
            self.space = nn.Linear(dim, space)
            self.prop = nn.Linear(dim, prop)
            self.out = nn.Sequential(nn.Linear(dim + 2 * prop, dim), nn.ELU(),
                                     nn.Linear(dim, dim), nn.ELU())
            self.norm = nn.LayerNorm(dim)

        def forward(self, x: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
            s = self.space(x)
            h = self.prop(x)
            sd, mask = to_dense_batch(s, batch)          # (B, N, S)
            hd, _ = to_dense_batch(h, batch)             # (B, N, P)
            sq = (sd * sd).sum(-1)                       # |a|² + |b|² − 2 a·b: one bmm
            d2 = torch.baddbmm(sq[:, :, None] + sq[:, None, :], sd, sd.transpose(1, 2),
                               alpha=-2.0).clamp_min_(0.0)            # (B, N, N)
            d2.masked_fill_(~mask[:, None, :], float("inf"))
            kk = min(self.k, sd.shape[1])
            dist, idx = torch.topk(d2, kk, dim=-1, largest=False)   # (B, N, k)
            w = torch.exp(-10.0 * dist)                  # inf → 0
            n_max = hd.shape[1]
            flat = idx + (torch.arange(hd.shape[0]) * n_max)[:, None, None]
            nb = hd.reshape(-1, hd.shape[-1])[flat]      # (B, N, k, P)
            wh = nb * w[..., None]
            mean = wh.mean(dim=2)
            mx = wh.max(dim=2).values
            agg = torch.cat([mean, mx], dim=-1)[mask]    # back to (n, 2P)
            return self.norm(x + self.out(torch.cat([x, agg], dim=-1)))

    class CondensationNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = nn.Sequential(nn.Linear(N_FEATURES, hidden), nn.ELU(),
                                     nn.Linear(hidden, hidden), nn.ELU())
            self.blocks = nn.ModuleList([GravNetBlock(hidden) for _ in range(n_blocks)])
            self.head = nn.Sequential(nn.Linear(hidden * (n_blocks + 1), hidden), nn.ELU(),
                                      nn.Linear(hidden, 1 + 3 + 7))

        def forward(self, x: torch.Tensor, batch: torch.Tensor) -> dict[str, torch.Tensor]:
            h = self.enc(x)
            feats = [h]
            for blk in self.blocks:
                h = blk(h, batch)
                feats.append(h)
            o = self.head(torch.cat(feats, dim=-1))
            return {"beta": torch.sigmoid(o[:, 0]).clamp(1e-4, 1 - 1e-4),
                    "coords": o[:, 1:4], "p": o[:, 4:7], "charge": o[:, 7],
                    "vertex": o[:, 8:11]}

    return CondensationNet()


def condensation_loss(out, obj, batch, target, s_b: float = 1.0):  # pragma: no cover - torch
    """Object-condensation loss (Kieseler 2020) of one batch; ``obj``: object id per hit
    (−1 noise), unique over the batch; ``target``: (n, 7) momentum, charge, vertex/100."""
    import torch
    from torch_geometric.utils import scatter

    beta, xc = out["beta"], out["coords"]
    q = torch.atanh(beta).pow(2) + Q_MIN
    sig = obj >= 0
    n = beta.shape[0]
    ids, inv = torch.unique(obj[sig], return_inverse=True)
    n_obj = ids.shape[0]
    if n_obj == 0:
        return (beta.mean() * s_b, {})
    idx_sig = torch.nonzero(sig).squeeze(1)
    # condensation point: highest β of each object
    bmax = scatter(beta[sig], inv, dim=0, dim_size=n_obj, reduce="max")
    is_max = beta[sig] >= bmax[inv] - 1e-12
    cand = torch.full((n_obj,), n, dtype=torch.long)
    cand = cand.scatter_reduce(0, inv[is_max], idx_sig[is_max], reduce="amin")
    x_a, q_a, g_a = xc[cand], q[cand], batch[cand]
    d = torch.cdist(xc, x_a)                                   # (n, K)
    same_graph = batch[:, None] == g_a[None, :]
    own = torch.zeros((n, n_obj), dtype=torch.bool)
    own[idx_sig, inv] = True
    v_att = (own * d.pow(2) * q_a[None, :]).sum(1)
    v_rep = ((same_graph & ~own) * torch.relu(1.0 - d) * q_a[None, :]).sum(1)
    l_v = ((v_att + v_rep) * q).sum() / n
    l_beta = (1.0 - beta[cand]).mean()
    if (~sig).any():
        l_beta = l_beta + s_b * beta[~sig].mean()
    xi = torch.atanh(beta[sig]).pow(2).detach()
    t = target[sig]
    l_p = (xi[:, None] * (out["p"][sig] - t[:, :3]).pow(2)).sum() / xi.sum()
    l_v3 = (xi[:, None] * (out["vertex"][sig] - t[:, 4:7]).pow(2)).sum() / xi.sum()
    l_q = (xi * torch.nn.functional.binary_cross_entropy_with_logits(
        out["charge"][sig], (t[:, 3] > 0).float(), reduction="none")).sum() / xi.sum()
    total = l_v + l_beta + 0.2 * (l_p + l_v3 + l_q)
    parts = {"v": l_v, "beta": l_beta, "p": l_p, "vtx": l_v3, "q": l_q}
    return total, {k: float(v.detach()) for k, v in parts.items()}


def _targets(table: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Object id per hit (−1: background or a particle with too few hits) and (n, 7) targets."""
    evt = np.asarray(table["evt_id"], np.int64)
    obj = np.asarray(table["objidx"], np.int64)
    sig = np.asarray(table["is_signal"], bool)
    key = np.where(sig, evt * 4096 + obj, -1)
    uk, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
    good = (uk >= 0) & (cnt >= MIN_OBJECT_HITS)
    oid = np.where(good[inv], inv, -1)
    tgt = np.column_stack([table["cdchit_mc_px"], table["cdchit_mc_py"], table["cdchit_mc_pz"],
                           table["cdchit_mc_charge"],
                           np.asarray(table["cdchit_mc_productionvertex_x"]) / 100.0,
                           np.asarray(table["cdchit_mc_productionvertex_y"]) / 100.0,
                           np.asarray(table["cdchit_mc_productionvertex_z"]) / 100.0])
    return oid, np.nan_to_num(tgt).astype(np.float32)


def train(n_events: int = 6000, epochs: int = 20, batch_events: int = 16, seed: int = 7,
          max_minutes: float = 28.0, out: Path | None = None, log=print,
          resume: Path | None = None, lr: float = 2e-3) -> Path:
    """Train on ``llp_displaced`` events (LLP daughters, prompt pions, 1% background) simulated
    here; stops after ``max_minutes``; writes the model (default: the shipped one). With
    ``resume``, training continues from that model (a new sample: ``seed``)."""
    import torch

    from darkscan.detector.cdc.hits import simulate_process

    torch.manual_seed(seed)
    table = simulate_process("llp_displaced", n_events, seed=seed)
    feats = torch.from_numpy(hit_features(table))
    oid_np, tgt_np = _targets(table)
    oid, tgt = torch.from_numpy(oid_np), torch.from_numpy(tgt_np)
    graph = _event_slices(np.asarray(table["evt_id"]))
    bounds = np.searchsorted(graph, np.arange(graph[-1] + 2))
    n_graphs = len(bounds) - 1
    model = build_model()
    if resume is not None:
        model.load_state_dict(torch.load(resume, map_location="cpu",
                                         weights_only=True)["state_dict"])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    rng = np.random.default_rng(seed)
    t_start = time.perf_counter()
    for ep in range(epochs):
        # batches of events of similar size (little padding in the dense kNN), in random order
        order = rng.permutation(n_graphs)
        sizes = np.diff(bounds)
        chunks = [order[i:i + 16 * batch_events] for i in range(0, n_graphs, 16 * batch_events)]
        order = np.concatenate([c[np.argsort(sizes[c], kind="stable")] for c in chunks])
        starts = rng.permutation(np.arange(0, n_graphs, batch_events))
        tot, nb = 0.0, 0
        for b0 in starts:
            gs = np.sort(order[b0:b0 + batch_events])
            rows = np.concatenate([np.arange(bounds[g], bounds[g + 1]) for g in gs])
            rows_t = torch.from_numpy(rows)
            batch = torch.from_numpy(np.repeat(np.arange(len(gs)),
                                               bounds[gs + 1] - bounds[gs]))
            out_ = model(feats[rows_t], batch)
            loss, _ = condensation_loss(out_, oid[rows_t], batch, tgt[rows_t])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            tot += float(loss.detach())
            nb += 1
            if time.perf_counter() - t_start > 60 * max_minutes:
                break
        sched.step()
        log(f"epoch {ep}: loss {tot / max(nb, 1):.4f} ({time.perf_counter() - t_start:.0f} s)")
        if time.perf_counter() - t_start > 60 * max_minutes:
            break
    path = out or MODEL_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "n_events": n_events, "epochs": ep + 1},
               path)
    return path


_MODEL_CACHE: dict[str, object] = {}


def load_model(path: Path | None = None):  # -> torch.nn.Module
    import torch

    path = Path(path or MODEL_PATH)
    key = str(path)
    if key not in _MODEL_CACHE:
        from darkscan.errors import NotAvailableError

        if not path.exists():
            raise NotAvailableError(f"no trained CDC GNN at {path}; run 'darkscan cdc train'")
        model = build_model()
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["state_dict"])
        model.eval()
        _MODEL_CACHE[key] = model
    return _MODEL_CACHE[key]


def _cluster(beta: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Track number per hit (−1 none) of one event: condensation points by decreasing β."""
    label = np.full(len(beta), -1)
    cand = np.flatnonzero(beta > T_BETA)
    cand = cand[np.argsort(-beta[cand])]
    n = 0
    for c in cand:
        if label[c] >= 0:
            continue
        near = (label < 0) & (np.sum((coords - coords[c]) ** 2, axis=1) < T_DIST**2)
        label[near] = n
        n += 1
    return label


def find_tracks_gnn(table: dict[str, np.ndarray], b_field: float = 1.5,
                    batch_events: int = 64, model_path: Path | None = None
                    ) -> dict[str, np.ndarray]:
    """Tracks of every event of a hit table with the trained model."""
    import torch

    model = load_model(model_path)
    feats = torch.from_numpy(hit_features(table))
    evt = np.asarray(table["evt_id"], np.int64)
    x = np.asarray(table["cdchit_middle_x"], float)
    y = np.asarray(table["cdchit_middle_y"], float)
    geo = cdc_geometry()
    cl = np.asarray(table["cdchit_clayer"], np.int64)
    w = np.asarray(table["cdchit_wire"], np.int64)
    axial = geo.dphi_stereo[cl] == 0.0
    drift = drift_length(drift_time_from_tdc(table["cdchit_tdc"], geo.radius[cl],
                                             geo.z_bwd[cl]))
    cols: dict[str, list] = {k: [] for k in ("evt_id", "charge", "px", "py", "pz", "vx", "vy",
                                             "vz", "x_first", "y_first", "n_hits",
                                             "hit_index")}
    if len(evt) == 0:
        return track_table(cols)
    graph = _event_slices(evt)
    bounds = np.searchsorted(graph, np.arange(graph[-1] + 2))
    n_graphs = len(bounds) - 1
    sizes = np.diff(bounds)
    by_size = np.argsort(sizes, kind="stable")  # batches of similar events: little padding
    tracks_of: dict[int, list] = {}
    with torch.no_grad():
        for g0 in range(0, n_graphs, batch_events):
            gs = by_size[g0:g0 + batch_events]
            rows_b = np.concatenate([np.arange(bounds[g], bounds[g + 1]) for g in gs])
            offs = np.concatenate([[0], np.cumsum(sizes[gs])])
            batch = torch.from_numpy(np.repeat(np.arange(len(gs)), sizes[gs]))
            out = model(feats[torch.from_numpy(rows_b)], batch)
            beta = out["beta"].numpy()
            coords = out["coords"].numpy()
            props = torch.cat([out["p"], out["charge"][:, None], out["vertex"]], 1).numpy()
            for j, g in enumerate(gs):
                lo, hi = offs[j], offs[j + 1]
                tracks_of[int(g)] = []
                lab = _cluster(beta[lo:hi], coords[lo:hi])
                cands = []
                for t in range(lab.max() + 1):
                    members = np.flatnonzero(lab == t)
                    if len(members) < MIN_TRACK_HITS:
                        continue
                    cpt = members[np.argmax(beta[lo:hi][members])] + lo
                    rows, circle = _fit_cluster(members + bounds[g], x, y, drift, cl, w, axial)
                    if len(rows) >= MIN_TRACK_HITS:
                        cands.append((rows, cpt, circle))
                for rows, cpt, circle in _merge_clones(cands):
                    r = np.hypot(x[rows], y[rows])
                    inner = rows[np.argmin(r)]
                    if circle is not None:
                        ax = rows[axial[rows]]
                        q, px, py = track_2d(x[ax], y[ax], *circle, b_field)
                        st = rows[~axial[rows]]
                        zs, _ = stereo_z(geo, cl[st], w[st], drift[st], *circle)
                        sense = ip_sense(q, circle, x[st], y[st], zs)
                        fit = (sense, px * sense * q, py * sense * q)
                    else:  # too few axial hits for a circle: the network's own prediction
                        fit = (1 if props[cpt, 3] > 0 else -1, props[cpt, 0], props[cpt, 1])
                    tracks_of[int(g)].append({
                        "evt_id": evt[rows[0]], "charge": fit[0], "px": fit[1], "py": fit[2],
                        "pz": props[cpt, 2], "vx": 100.0 * props[cpt, 4],
                        "vy": 100.0 * props[cpt, 5], "vz": 100.0 * props[cpt, 6],
                        "x_first": x[inner], "y_first": y[inner], "n_hits": len(rows),
                        "hit_index": np.sort(rows)})
    for g in range(n_graphs):  # in event order
        for rec in tracks_of.get(g, ()):
            for k, v in rec.items():
                cols[k].append(v)
    return track_table(cols)


def _fit_cluster(rows: np.ndarray, x: np.ndarray, y: np.ndarray, drift: np.ndarray,
                 cl: np.ndarray, w: np.ndarray, axial: np.ndarray
                 ) -> tuple[np.ndarray, tuple[float, float, float] | None]:
    """The track fit of one cluster: a circle through its axial drift circles (outliers
    dropped), its stereo hits kept where their wire meets the circle; the kept rows and the
    circle (None, all rows kept, with fewer than ``MIN_CIRCLE_HITS`` axial hits). A cluster
    whose circle keeps a share of its axial hits under ``KEEP_MIN``, or misses the kept ones
    by more than ``MAX_RMS_GNN``, holds several particles: no rows."""
    ax = rows[axial[rows]]
    if len(ax) < MIN_CIRCLE_HITS:
        return rows, None
    cx, cy, rr, keep = fit_circle_robust(x[ax], y[ax], drift[ax])
    miss = np.abs(np.abs(np.hypot(x[ax] - cx, y[ax] - cy) - rr) - drift[ax])[keep]
    rms = float(np.sqrt(np.mean(miss**2)))
    if keep.mean() < KEEP_MIN or rms > MAX_RMS_GNN:
        return rows[:0], None  # hits of several particles: no track
    # a track from the IP is fitted through it: a short arc (a cluster of the inner superlayers,
    # or a piece of a split track) alone fixes neither its curvature nor its charge
    ipx, ipy, ipr, ip_rms, ip_miss = through_ip(x[ax][keep], y[ax][keep], drift[ax][keep])
    if ip_miss < IP_MISS_MAX and ip_rms < max(IP_RMS_FACTOR * rms, rms + IP_RMS_SLACK):
        cx, cy, rr = ipx, ipy, ipr
    st = rows[~axial[rows]]
    if len(st):
        _, res = stereo_z(cdc_geometry(), cl[st], w[st], drift[st], cx, cy, rr,
                          cut=2 * HIT_TOL)
        st = st[res < 2 * HIT_TOL]
    return np.sort(np.concatenate([ax[keep], st])), (cx, cy, rr)


def _merge_clones(cands: list) -> list:
    """Clusters whose fitted circles coincide (centres and radii within 5% of the radius
    + 1 cm) are one track split by the condensation: merged into the first."""
    out: list = []
    for rows, cpt, circle in cands:
        for k, (rows2, cpt2, circle2) in enumerate(out):
            if circle is None or circle2 is None:
                continue
            tol = 0.05 * circle2[2] + 1.0
            if (np.hypot(circle[0] - circle2[0], circle[1] - circle2[1]) < tol
                    and abs(circle[2] - circle2[2]) < tol):
                out[k] = (np.union1d(rows2, rows), cpt2, circle2)
                break
        else:
            out.append((rows, cpt, circle))
    return out
