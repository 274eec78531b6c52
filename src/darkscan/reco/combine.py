"""Combinatorics of decay strings in one compiled pass over flat per-event lists.

Identical daughters (same name and list) are drawn as combinations (no double counting),
different ones as a Cartesian product (earlier daughters vary slowest). Candidates sharing a
final-state object (a track in two lists, a photon in two π⁰) are removed afterwards from their
leaves (the final-state objects they are built from).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from darkscan.jit import inline, jit


@inline
def _binomial(n, k):  # pragma: no cover - compiled
    out = 1
    for j in range(k):
        out = out * (n - j) // (j + 1)
    return out


@jit
def _combine(index, start, off, size):  # pragma: no cover - compiled
    """Candidates of every event: ``index[start[g]:]`` holds group g's rows with per-event
    offsets ``off[g]``; ``size[g]`` identical daughters per group. Returns the candidates'
    events and their rows per slot (slots: the groups' daughters in order)."""
    n_groups, n_events = size.shape[0], off.shape[1] - 1
    n_slots = 0
    for g in range(n_groups):
        n_slots += size[g]
    slot_group = np.empty(n_slots, dtype=np.int64)
    slot_rank = np.empty(n_slots, dtype=np.int64)
    s = 0
    for g in range(n_groups):
        for j in range(size[g]):
            slot_group[s], slot_rank[s] = g, j
            s += 1
    total = 0
    for e in range(n_events):
        c = 1
        for g in range(n_groups):
            c *= _binomial(off[g, e + 1] - off[g, e], size[g])
        total += c
    event = np.empty(total, dtype=np.int64)
    rows = np.empty((n_slots, total), dtype=np.int64)
    pos = np.empty(n_slots, dtype=np.int64)
    lens = np.empty(n_groups, dtype=np.int64)
    n = 0
    for e in range(n_events):
        full = True
        for g in range(n_groups):
            lens[g] = off[g, e + 1] - off[g, e]
            full &= lens[g] >= size[g]
        if not full:
            continue
        for s in range(n_slots):
            pos[s] = slot_rank[s]
        while True:
            event[n] = e
            for s in range(n_slots):
                g = slot_group[s]
                rows[s, n] = index[start[g] + off[g, e] + pos[s]]
            n += 1
            # odometer: the last slot that can still advance within its group's list
            s = n_slots - 1
            while s >= 0 and pos[s] >= (lens[slot_group[s]] - size[slot_group[s]]
                                        + slot_rank[s]):
                s -= 1
            if s < 0:
                break
            pos[s] += 1
            for t in range(s + 1, n_slots):
                same = slot_group[t] == slot_group[s]
                pos[t] = pos[t - 1] + 1 if same else slot_rank[t]
    return event[:n], rows[:, :n]


def event_offsets(event: np.ndarray, n_events: int) -> np.ndarray:
    """Offsets (n_events + 1) of rows sorted by event."""
    off = np.zeros(n_events + 1, dtype=np.int64)
    np.cumsum(np.bincount(event, minlength=n_events), out=off[1:])
    return off


def combine(slot_rows: Sequence[np.ndarray], slot_events: Sequence[np.ndarray],
            slot_group: Sequence[int], n_events: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Candidates from per-slot source rows (each sorted by event; slots of one group share
    their rows). Returns the candidates' events and, per slot, the source row."""
    groups = sorted(set(slot_group), key=list(slot_group).index)
    members = [[s for s, g in enumerate(slot_group) if g == grp] for grp in groups]
    rows = [np.asarray(slot_rows[m[0]], dtype=np.int64) for m in members]
    index = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    start = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int64)
    off = np.stack([event_offsets(slot_events[m[0]], n_events) for m in members])
    size = np.array([len(m) for m in members], dtype=np.int64)
    event, objects = _combine(index, start, off, size)
    order = [s for m in members for s in m]
    slot_of = {s: k for k, s in enumerate(order)}
    return event, [objects[slot_of[s]] for s in range(len(slot_group))]


@jit
def _overlapping(leaves):  # pragma: no cover - compiled
    n, k = leaves.shape
    out = np.zeros(n, dtype=np.bool_)
    for r in range(n):
        for a in range(k):
            for b in range(a + 1, k):
                if leaves[r, a] == leaves[r, b]:
                    out[r] = True
    return out


def overlapping(leaves: np.ndarray) -> np.ndarray:
    """True for rows of ``leaves`` (n, k) that use a final-state object twice."""
    if leaves.shape[1] < 2:
        return np.zeros(len(leaves), dtype=bool)
    return _overlapping(np.ascontiguousarray(leaves, dtype=np.int64))


@jit
def _rank_sorted(event, score):  # pragma: no cover - compiled
    """Rank of each candidate among its event's by ascending score (ties: earlier first), for
    candidates grouped by event."""
    n = event.shape[0]
    rank = np.empty(n, dtype=np.int32)
    start = 0
    while start < n:
        end = start + 1
        while end < n and event[end] == event[start]:
            end += 1
        order = np.argsort(score[start:end], kind="mergesort")
        for k in range(end - start):
            rank[start + order[k]] = k
        start = end
    return rank


def rank_in_events(event: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Rank (0 = lowest score) of every candidate among its event's candidates."""
    event = np.ascontiguousarray(event, dtype=np.int64)
    score = np.ascontiguousarray(score, dtype=np.float64)
    if event.size and np.any(event[1:] < event[:-1]):  # not grouped: sort globally
        order = np.lexsort((score, event))
        n_c = np.bincount(event)
        first = np.cumsum(n_c) - n_c
        rank = np.empty(len(event), dtype=np.int32)
        rank[order] = np.arange(len(order)) - first[event[order]]
        return rank
    return _rank_sorted(event, score)
