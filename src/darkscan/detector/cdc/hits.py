"""CDC hit tables: simulation of whole events into the basf2 CDCHit export columns of DESIGN §5,
and the reader/writer (parquet or CSV, from any source).

A table is a dict of flat numpy columns, one row per hit, sorted by ``evt_id``, ``cdchit_clayer``
and ``cdchit_wire``. Beam-background hits carry ``objidx = −1``, ``is_signal = False`` and NaN
truth.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from darkscan.detector.cdc.digitize import CDC_RESPONSE, CDCResponse, tdc_one
from darkscan.detector.cdc.geometry import cdc_geometry
from darkscan.detector.cdc.simulate import background_hits, particle_hits
from darkscan.errors import InputFileError
from darkscan.jit import inline, jit

#: what a finder reads
HIT_COLUMNS = ("cdchit_middle_x", "cdchit_middle_y", "cdchit_middle_z", "cdchit_wire",
               "cdchit_layer", "cdchit_clayer", "cdchit_superlayer", "cdchit_tdc", "cdchit_adc",
               "evt_id")
#: the truth the evaluation reads
TRUTH_COLUMNS = ("cdchit_mc_px", "cdchit_mc_py", "cdchit_mc_pz", "cdchit_mc_productionvertex_x",
                 "cdchit_mc_productionvertex_y", "cdchit_mc_productionvertex_z",
                 "cdchit_mc_charge", "objidx", "is_signal")
COLUMNS = HIT_COLUMNS + TRUTH_COLUMNS

Table = dict[str, np.ndarray]


def simulate_hits(particles: dict[str, np.ndarray], n_events: int, rng: np.random.Generator, *,
                  b_field: float = 1.5, occupancy: float | None = None,
                  resp: CDCResponse = CDC_RESPONSE) -> Table:
    """CDC hits of flat charged particles (keys of :data:`events.PARTICLE_KEYS`) in
    ``n_events`` events, with beam background at ``occupancy`` (default: the response's)."""
    geo = cdc_geometry()
    occ = resp.occupancy if occupancy is None else occupancy
    sig = particle_hits(rng, particles, b_field, geo, resp)
    bkg = background_hits(rng, n_events, occ, geo, resp)
    ip = sig["particle"]
    evt_s = np.asarray(particles["evt"], np.int64)[ip]
    gid_s = geo.first_wire[sig["clayer"]] + sig["wire"]
    gid_b = geo.first_wire[bkg["clayer"]] + bkg["wire"]
    keep = _first_signal_per_cell(evt_s, gid_s, sig["time"], bkg["event"], gid_b, bkg["time"],
                                  n_events, geo.n_wires)
    f = np.ascontiguousarray
    truth = np.stack([f(particles[k], float) for k in ("px", "py", "pz", "x", "y", "z", "q")])
    n = len(keep)
    # the columns allocated here rather than in the kernel: numpy maps large arrays on huge
    # pages, a third of the page-fault time of the kernel's own allocations
    cols = [np.empty(n, dtype) for dtype in _COLUMN_DTYPES]
    _assemble(keep, ip, evt_s, gid_s, sig["time"], sig["adc"], bkg["event"], gid_b, bkg["time"],
              bkg["adc"], truth, np.asarray(particles["obj"], np.int64), _wire_table(),
              geo.first_wire, geo.layer_in_sl, geo.superlayer, resp.t0, resp.tdc_bin, *cols)
    return dict(zip(COLUMNS, cols, strict=True))


#: dtypes of :data:`COLUMNS` as :func:`simulate_hits` fills them
_COLUMN_DTYPES = (float, float, float, np.int32, np.int32, np.int32, np.int32, np.int32,
                  np.int32, np.int64, float, float, float, float, float, float, float, np.int64,
                  np.bool_)


@jit
def _assemble(keep, ip, evt_s, gid_s, t_s, adc_s, evt_b, gid_b, t_b, adc_b, truth, obj, wires,
              first_wire, layer_in_sl, superlayer, t0, tdc_bin, mx, my, mz, wire, layer, clayer,
              sl, tdc, adc, evt, px, py, pz, vx, vy, vz, charge, objidx,
              is_sig):  # pragma: no cover - compiled
    """Fills the table's :data:`COLUMNS` (the arrays after ``tdc_bin``) from the kept rows of
    (signal, background) in one pass: wire middles and clayer from the (4, wires)
    :func:`_wire_table`, the TDC count, the particle truth from (7, particles) ``truth`` (NaN
    for background)."""
    n_s = evt_s.shape[0]
    for r in range(keep.shape[0]):
        k = keep[r]
        sig = k < n_s
        if sig:
            g, t, a, e = gid_s[k], t_s[k], adc_s[k], evt_s[k]
            p = ip[k]
            px[r], py[r], pz[r] = truth[0, p], truth[1, p], truth[2, p]
            vx[r], vy[r], vz[r], charge[r] = truth[3, p], truth[4, p], truth[5, p], truth[6, p]
            objidx[r] = obj[p]
        else:
            j = k - n_s
            g, t, a, e = gid_b[j], t_b[j], adc_b[j], evt_b[j]
            px[r] = py[r] = pz[r] = vx[r] = vy[r] = vz[r] = charge[r] = np.nan
            objidx[r] = -1
        c_l = int(wires[3, g])
        mx[r], my[r], mz[r] = wires[0, g], wires[1, g], wires[2, g]
        wire[r] = g - first_wire[c_l]
        layer[r], clayer[r], sl[r] = layer_in_sl[c_l], c_l, superlayer[c_l]
        tdc[r] = np.int32(tdc_one(t, t0, tdc_bin))
        adc[r] = a
        evt[r] = e
        is_sig[r] = sig


@cache
def _wire_table() -> np.ndarray:
    """``cdchit_middle_x|y|z`` and the clayer of every wire, by global wire number: (4, wires)."""
    geo = cdc_geometry()
    cl = np.repeat(np.arange(len(geo.n_cells)), geo.n_cells)
    w = np.arange(geo.n_wires) - geo.first_wire[cl]
    return np.stack([*geo.wire_middle(cl, w), cl.astype(float)])


@jit
def _first_signal_per_cell(evt_s, gid_s, t_s, evt_b, gid_b, t_b, n_events,
                           n_wires):  # pragma: no cover - compiled
    """Rows to keep of the concatenation (signal, background), both sorted by event: one per
    (event, wire), the earliest, ordered by event and wire. Linear in the hits: a per-wire stamp
    of the last event that touched it."""
    stamp = np.full(n_wires, -1, np.int64)
    slot = np.empty(n_wires, np.int64)
    n_s = evt_s.shape[0]
    out = np.empty(n_s + evt_b.shape[0], np.int64)
    touched = np.empty(n_wires, np.int64)
    bits = np.zeros((n_wires + 63) // 64, np.uint64)
    k = 0
    i = 0
    j = 0
    for e in range(n_events):
        nt = 0
        while i < n_s and evt_s[i] == e:
            g = gid_s[i]
            if stamp[g] != e:
                stamp[g] = e
                slot[g] = i
                touched[nt] = g
                nt += 1
            elif t_s[i] < t_s[slot[g]]:
                slot[g] = i
            i += 1
        while j < evt_b.shape[0] and evt_b[j] == e:
            g = gid_b[j]
            if stamp[g] != e:
                stamp[g] = e
                slot[g] = n_s + j
                touched[nt] = g
                nt += 1
            else:
                cur = slot[g]
                tc = t_s[cur] if cur < n_s else t_b[cur - n_s]
                if t_b[j] < tc:
                    slot[g] = n_s + j
            j += 1
        # the touched wires in wire order: a bitmap of them, read word by word (a sort of
        # ~300 numbers per event cost more than the rest of this kernel)
        for m in range(nt):
            g = touched[m]
            bits[g >> 6] |= np.uint64(1) << np.uint64(g & 63)
        for word in range(bits.shape[0]):
            b = bits[word]
            while b:
                low = b & (~b + np.uint64(1))
                out[k] = slot[(word << 6) + _bit_index(low)]
                k += 1
                b ^= low
            bits[word] = 0
    return out[:k]


@inline
def _bit_index(power_of_two):  # pragma: no cover - compiled
    """log2 of a power of two below 2^64 (exact in a double)."""
    return int(np.log2(float(power_of_two)) + 0.5)


def simulate_process(process: str, n_events: int, seed: int = 1, *,
                     occupancy: float | None = None, b_field: float = 1.5) -> Table:
    """``cdc simulate``: events of a CDC benchmark or generator process → hit table."""
    from darkscan.detector.cdc.events import process_events

    parts = process_events(process, n_events, seed)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 56]))
    return simulate_hits(parts, n_events, rng, b_field=b_field, occupancy=occupancy)


# --------------------------------------------------------------------------- input/output

def write_table(table: Table, path: str | Path) -> Path:
    """Write a table as parquet (``*.parquet``) or CSV (anything else), atomically."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from darkscan.events.parquet import atomic_write

    path = Path(path)
    arrays = {}
    for k, v in table.items():
        if v.dtype == object:  # list columns (hit indices of tracks)
            arrays[k] = pa.array(list(v), type=pa.list_(pa.int64()))
        else:
            arrays[k] = pa.array(v)
    t = pa.table(arrays)
    with atomic_write(path) as tmp:
        if path.suffix.lower() == ".parquet":
            pq.write_table(t, tmp, compression="zstd")
        else:
            pacsv.write_csv(t, tmp)
    return path


def read_table(path: str | Path, required: tuple[str, ...], what: str) -> Table:
    """Read a parquet or CSV table; missing columns raise :class:`InputFileError` naming them."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
        t = pq.read_table(path) if magic == b"PAR1" else pacsv.read_csv(path)
    except FileNotFoundError:
        raise InputFileError(f"{what} '{path}' does not exist") from None
    except IsADirectoryError:
        raise InputFileError(f"{what} '{path}' is a folder, not a file") from None
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(f"{what} '{path}' is neither parquet nor CSV with a header row "
                             f"({type(exc).__name__}: {str(exc).splitlines()[0][:120]})") from None
    missing = [c for c in required if c not in t.column_names]
    if missing:
        raise InputFileError(f"{what} '{path}' lacks the column(s) {', '.join(missing)}; a CDC "
                             f"hit table needs {', '.join(required)}")
    out: Table = {}
    for name in t.column_names:
        col = t.column(name)
        if pa.types.is_list(col.type):
            out[name] = np.array([np.asarray(x, np.int64) for x in col.to_pylist()] + [None],
                                 dtype=object)[:-1]
        else:
            out[name] = col.to_numpy(zero_copy_only=False)
    n = {len(v) for v in out.values()}
    if len(n) > 1:  # pragma: no cover - pyarrow tables are rectangular
        raise InputFileError(f"{what} '{path}' has columns of different lengths")
    return out


def read_hits(path: str | Path, *, truth: bool = False) -> Table:
    """A CDC hit table (parquet or CSV from any source) with the finder's columns (and the
    truth columns with ``truth``), sorted by event; checks value ranges."""
    t = read_table(path, HIT_COLUMNS + (TRUTH_COLUMNS if truth else ()), "HITS")
    geo = cdc_geometry()
    cl = np.asarray(t["cdchit_clayer"])
    if len(cl) and (not np.issubdtype(cl.dtype, np.integer) or cl.min() < 0 or cl.max() > 55):
        raise InputFileError(f"HITS '{path}': cdchit_clayer must be integers 0–55")
    wire = np.asarray(t["cdchit_wire"])
    if len(wire) and (not np.issubdtype(wire.dtype, np.integer) or wire.min() < 0
                      or np.any(wire >= geo.n_cells[cl])):
        raise InputFileError(f"HITS '{path}': cdchit_wire must lie in 0 … cells of the layer − 1")
    if "is_signal" in t:
        t["is_signal"] = np.asarray(t["is_signal"]).astype(bool)
    order = np.argsort(np.asarray(t["evt_id"]), kind="stable")
    return {k: np.asarray(v)[order] for k, v in t.items()}
